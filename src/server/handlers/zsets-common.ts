// Shared pieces of the sorted-set handlers (zsets*.ts): argument parsing with t_zset.c's exact
// rules (score ranges, lex ranges, Redis's "long" arguments), typed look-ups, the encoding
// limits from the configuration, and writing a result key for the *STORE commands.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { LEX_MAX, LEX_MIN, ZSetValue, type LexRange, type ScoreRange, type ZSetLimits } from '../keyspace/types/zset.js';
import type { LexValue } from '../keyspace/types/skiplist.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { WRONG_TYPE, aggregateOf, lookupReadOfType, lookupWriteOfType, setAggregate } from './typed.js';

export const LONG_MAX = (1n << 63n) - 1n;

/** The zset-max-listpack-* thresholds in force now. */
export function zsetLimits(c: Client): ZSetLimits {
  return {
    maxEntries: c.srv.config.getNumber('zset-max-listpack-entries'),
    maxValue: c.srv.config.getNumber('zset-max-listpack-value'),
  };
}

// ---------------------------------------------------------------------------------------
// Look-ups

/** The sorted set at key for a read: the value, null when missing, undefined after WRONGTYPE. */
export function readZSet(c: Client, key: Buffer): ZSetValue | null | undefined {
  const e = lookupReadOfType(c, key, VType.ZSet);
  if (e === WRONG_TYPE) return undefined;
  return e === NONE ? null : aggregateOf<ZSetValue>(c, e);
}

/** Like readZSet with a write look-up; also returns the entry (for deleting an emptied key). */
export function writeZSet(c: Client, key: Buffer): { z: ZSetValue; e: number } | null | undefined {
  const e = lookupWriteOfType(c, key, VType.ZSet);
  if (e === WRONG_TYPE) return undefined;
  return e === NONE ? null : { z: aggregateOf<ZSetValue>(c, e), e };
}

/**
 * Makes dst hold z (Redis setKey): any old value of any type goes, with its TTL; the
 * modified-key and (for a new key) ready signals. The caller raises its own keyspace event.
 */
export function storeZSet(c: Client, dst: Buffer, z: ZSetValue): void {
  setAggregate(c, dst, VType.ZSet, z);
}

/**
 * A *STORE command with an empty result: dst is deleted if it exists (Redis dbDelete, no
 * expiry check), with the modified-key signal, the "del" event and one dirty count.
 */
export function deleteStoreDst(c: Client, dst: Buffer): void {
  const e = c.db.find(dst);
  if (e === NONE) return;
  c.db.delete(e);
  signalModifiedKey(c, c.db, dst);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'del', dst, c.db.id);
  c.srv.dirty++;
}

/** Deletes key (entry e) because its sorted set became empty, with the "del" event. */
export function deleteEmptied(c: Client, key: Buffer, e: number): void {
  c.db.delete(e);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
}

// ---------------------------------------------------------------------------------------
// Integer arguments (Redis "long" = int64)

/** getLongFromObjectOrReply: the int64 as a number (exact up to 2^53, which is all that matters). */
export function longArg(c: Client, arg: Buffer): number | null {
  const v = parseIntArg(arg);
  if (v === null) {
    c.w.error(Err.notInteger);
    return null;
  }
  return Number(v);
}

/**
 * getRangeLongFromObjectOrReply(min, max, msg): a non-integer or an out-of-range value
 * replies msg.
 */
export function rangeLongArg(c: Client, arg: Buffer, min: bigint, max: bigint, msg: string): number | null {
  const v = parseIntArg(arg);
  if (v === null || BigInt(v) < min || BigInt(v) > max) {
    c.w.error(msg);
    return null;
  }
  return Number(v);
}

// ---------------------------------------------------------------------------------------
// Score ranges (zslParseRange)

/** isspace() in the C locale. */
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?inf(?:inity)?$/i;

/**
 * C strtod over a NUL-terminated string that must be consumed to its end, as zslParseRange
 * calls it: the bytes up to the first NUL (or the end); leading whitespace skipped; overflow
 * gives +-inf and underflow 0 (errno is not checked). An empty string is 0 (no conversion, and
 * the end pointer is already at the terminator). Returns null when bytes are left over or the
 * value is NaN.
 */
export function strtodWhole(arg: Buffer, start: number): number | null {
  let end = arg.indexOf(0, start);
  if (end < 0) end = arg.length;
  if (end === start) return 0;
  let i = start;
  while (i < end && isSpace(arg[i])) i++;
  const s = arg.toString('latin1', i, end);
  if (INF.test(s)) return s.charCodeAt(0) === 0x2d ? -Infinity : Infinity;
  if (DECIMAL.test(s)) return Number(s);
  const h = HEX.exec(s);
  if (h !== null && (h[2].length > 0 || (h[3] ?? '').length > 0)) return hexValue(h[1] === '-', h[2], h[3] ?? '', h[4]);
  return null;
}

/** The value of a C hex float literal (sign, integer digits, fraction digits, binary exponent). */
function hexValue(neg: boolean, int: string, frac: string, exp: string | undefined): number {
  const digits = (int + frac).replace(/^0+/, '');
  let e2 = (exp === undefined ? 0 : Math.max(-1e6, Math.min(1e6, Number(exp)))) - 4 * frac.length;
  let v: number;
  if (digits.length === 0) {
    v = 0;
  } else {
    // Keep 15 hex digits (60 bits) plus a sticky bit: enough for a correctly rounded double.
    let mant = BigInt('0x' + digits.slice(0, 15));
    if (digits.length > 15) {
      mant = (mant << 1n) | (/[^0]/.test(digits.slice(15)) ? 1n : 0n);
      e2 += 4 * (digits.length - 15) - 1;
    }
    v = Number(mant);
    while (e2 > 0 && Number.isFinite(v)) { const k = Math.min(e2, 1000); v *= 2 ** k; e2 -= k; }
    while (e2 < 0 && v !== 0) { const k = Math.min(-e2, 1000); v /= 2 ** k; e2 += k; }
  }
  return neg ? -v : v;
}

/** One end of a score range: "(x" exclusive, else inclusive. */
function scoreBound(arg: Buffer): { v: number; ex: boolean } | null {
  const ex = arg.length > 0 && arg[0] === 0x28;
  const v = strtodWhole(arg, ex ? 1 : 0);
  return v === null ? null : { v, ex };
}

/** zslParseRange: null on a malformed end (the caller replies "min or max is not a float"). */
export function parseScoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange | null {
  const min = scoreBound(minArg);
  const max = min === null ? null : scoreBound(maxArg);
  if (min === null || max === null) return null;
  return { min: min.v, max: max.v, minex: min.ex, maxex: max.ex };
}

// ---------------------------------------------------------------------------------------
// Lex ranges (zslParseLexRange)

/** One end: "-" / "+" (the rest of the C string must be empty), "(x" exclusive, "[x" inclusive. */
function lexBound(arg: Buffer): { v: LexValue; ex: boolean } | null {
  if (arg.length === 0) return null;
  switch (arg[0]) {
    case 0x2b: // '+'
      return arg.length === 1 || arg[1] === 0 ? { v: LEX_MAX, ex: true } : null;
    case 0x2d: // '-'
      return arg.length === 1 || arg[1] === 0 ? { v: LEX_MIN, ex: true } : null;
    case 0x28: // '('
      return { v: arg.toString('latin1', 1), ex: true };
    case 0x5b: // '['
      return { v: arg.toString('latin1', 1), ex: false };
    default:
      return null;
  }
}

/** zslParseLexRange: null on a malformed end (the caller replies "min or max not valid string range item"). */
export function parseLexRange(minArg: Buffer, maxArg: Buffer): LexRange | null {
  const min = lexBound(minArg);
  const max = min === null ? null : lexBound(maxArg);
  if (min === null || max === null) return null;
  return { min: min.v, max: max.v, minex: min.ex, maxex: max.ex };
}

// ---------------------------------------------------------------------------------------
// Replies

/**
 * Writes n (member, score) entries as Redis's range replies do: RESP2 a flat member, score,
 * ... (the caller sized the array 2n); RESP3 each entry an array [member, score]. Without
 * scores, just the members.
 */
export function replyEntry(c: Client, member: string, score: number, withScores: boolean): void {
  if (withScores && c.w.resp === 3) c.w.array(2);
  c.w.bulkLatin1(member);
  if (withScores) c.w.double(score);
}

/** The array header for n entries (see replyEntry). */
export function replyEntriesHeader(c: Client, n: number, withScores: boolean): void {
  c.w.array(withScores && c.w.resp === 2 ? n * 2 : n);
}
