// Small helpers shared by command handlers: argument parsing that replies Redis's errors
// and the repr() quoting Redis uses in MONITOR and CLIENT LIST.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Client } from '../network/client.js';

/** Case-insensitive comparison of an argument with an ASCII keyword given in lower case. */
export function isKeyword(arg: Buffer, lower: string): boolean {
  if (arg.length !== lower.length) return false;
  for (let i = 0; i < arg.length; i++) if ((arg[i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** The argument lower-cased as a string (for option parsing). */
export function lowerArg(arg: Buffer): string {
  return arg.toString('latin1').toLowerCase();
}

/**
 * Parses an int64 argument. On failure replies `err` (default: not an integer) and returns
 * null. Values beyond 2^53 come back as bigint.
 */
export function intArg(c: Client, arg: Buffer, err: string = Err.notInteger): number | bigint | null {
  const v = parseIntArg(arg);
  if (v === null) c.w.error(err);
  return v;
}

/** Like intArg but only accepts values that fit a JS safe integer; larger ones are out of range. */
export function safeIntArg(c: Client, arg: Buffer, err: string = Err.notInteger): number | null {
  const v = parseIntArg(arg);
  if (v === null || typeof v === 'bigint') {
    c.w.error(err);
    return null;
  }
  return v;
}


/**
 * Redis's sdscatrepr: a double-quoted string with \\ \" \n \r \t \a \b escaped and other
 * non-printable bytes as \xHH.
 */
export function reprArg(a: Buffer): string {
  let s = '"';
  for (let i = 0; i < a.length; i++) {
    const ch = a[i];
    switch (ch) {
      case 0x5c:
        s += '\\\\';
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x07:
        s += '\\a';
        break;
      case 0x08:
        s += '\\b';
        break;
      default:
        s += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : '\\x' + ch.toString(16).padStart(2, '0');
    }
  }
  return s + '"';
}

/** Replies a help text as Redis's addReplyHelp does: an array of status lines. */
export function replyHelp(c: Client, lines: readonly string[]): void {
  c.w.array(lines.length);
  for (const l of lines) c.w.simple(l);
}
