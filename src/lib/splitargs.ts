// Splits an inline command line (telnet-style input) or a redis.conf line into
// arguments with the semantics of Redis's sdssplitargs: whitespace separation,
// "double quotes" with C-like escapes, 'single quotes' with only \' escape.

const SPACE = 0x20;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

/** C isspace() in the "C" locale: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

/** Bytes that end an unquoted argument (note: not \v or \f). */
function endsBare(c: number): boolean {
  return c === SPACE || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Value of an ASCII hex digit byte, or -1. */
function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Byte produced by the double-quote escape "\c" (unknown escapes yield c). */
function escapeByte(c: number): number {
  switch (c) {
    case 0x6e: return 0x0a; // \n
    case 0x72: return 0x0d; // \r
    case 0x74: return 0x09; // \t
    case 0x62: return 0x08; // \b
    case 0x61: return 0x07; // \a
    default: return c;
  }
}

/**
 * Parses one argument starting at a non-space byte i. Returns the argument
 * bytes and the index after it, or null for unbalanced quotes or a closing
 * quote not followed by whitespace / end of line.
 */
function parseArg(line: Buffer, i: number): [Buffer, number] | null {
  const out: number[] = [];
  let quote = 0; // 0, DQUOTE or SQUOTE
  const n = line.length;
  for (;;) {
    if (i >= n) {
      if (quote !== 0) return null; // unterminated quotes
      return [Buffer.from(out), i];
    }
    const c = line[i]!;
    if (quote === DQUOTE) {
      const h1 = hexDigit(line[i + 2]);
      const h2 = hexDigit(line[i + 3]);
      if (c === BACKSLASH && line[i + 1] === 0x78 && h1 >= 0 && h2 >= 0) {
        out.push(h1 * 16 + h2);
        i += 4;
        continue;
      }
      if (c === BACKSLASH && i + 1 < n) {
        out.push(escapeByte(line[i + 1]!));
        i += 2;
        continue;
      }
      if (c === DQUOTE) {
        if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
        return [Buffer.from(out), i + 1];
      }
      out.push(c);
    } else if (quote === SQUOTE) {
      if (c === BACKSLASH && line[i + 1] === SQUOTE) {
        out.push(SQUOTE);
        i += 2;
        continue;
      }
      if (c === SQUOTE) {
        if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
        return [Buffer.from(out), i + 1];
      }
      out.push(c);
    } else {
      if (endsBare(c)) return [Buffer.from(out), i];
      if (c === DQUOTE || c === SQUOTE) quote = c;
      else out.push(c);
    }
    i++;
  }
}

/**
 * Redis sdssplitargs: returns the arguments of line, [] for an empty/blank
 * line (anything from the first NUL byte on is ignored), or null when quotes are unbalanced or a closing quote is directly
 * followed by a non-space character.
 */
export function splitArgs(line: Buffer): Buffer[] | null {
  const nul = line.indexOf(0);
  if (nul >= 0) line = line.subarray(0, nul); // Redis parses a C string
  const args: Buffer[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && isSpace(line[i]!)) i++;
    if (i >= line.length) return args;
    const r = parseArg(line, i);
    if (r === null) return null;
    args.push(r[0]);
    i = r[1];
  }
}
