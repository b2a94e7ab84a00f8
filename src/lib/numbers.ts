// Number parsing and formatting with Redis 7.0 semantics: string2ll (integer
// arguments), string2d (double arguments such as ZADD scores), string2ld
// (INCRBYFLOAT operands), "%.17g" double replies and INCRBYFLOAT's "%.17Lf"
// human format, plus allocation-free integer writing for the RESP encoder.
//
// Known differences from Redis (JS has no 80-bit long double):
//  - parseLongDouble accepts exactly what string2ld accepts (range checks use
//    long-double limits), but values beyond double range come back as
//    +-Infinity (e.g. "1e400") or +-0 ("1e-400") instead of finite numbers.
//  - formatLongDouble prints the shortest round-trip decimal of a double (no
//    exponent; rounded from the exact double to 17 fractional digits when
//    longer). Redis prints the exact long double with %.17Lf, so results of
//    inexact sums can differ (0.1+0.2 -> Redis "0.3", here
//    "0.30000000000000004"), integers above 2^53 lose precision
//    (9007199254740993 -> "9007199254740992") and huge values differ in their
//    low digits (1e308 -> Redis "99999999999999999996685...", here "1" + 308 zeros).
//  - Range checks for long double near LDBL_MAX / LDBL_TRUE_MIN use ~20
//    significant digits, so literals within 1e-20 of those limits may differ.

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Validates the string2ll grammar on buf[start..end): optional '-', then "0"
 * alone (only without '-') or a non-zero digit followed by digits. Returns the
 * index of the first digit, or -1 when the grammar is violated.
 */
function intDigitsStart(buf: Buffer, start: number, end: number): number {
  if (start >= end) return -1;
  let i = start;
  if (buf[i] === MINUS) i++;
  if (i >= end) return -1;
  const first = buf[i]!;
  if (first === ZERO) return end - start === 1 ? i : -1;
  if (first < ZERO || first > NINE) return -1;
  for (let j = i + 1; j < end; j++) {
    const c = buf[j]!;
    if (c < ZERO || c > NINE) return -1;
  }
  return i;
}

/** Redis string2ll: the int64 value of buf[start..end), or null if invalid. */
export function parseI64(buf: Buffer, start = 0, end = buf.length): bigint | null {
  const d = intDigitsStart(buf, start, end);
  if (d < 0 || end - d > 19) return null;
  if (end - d <= 15) {
    const n = digitsToNumber(buf, d, end);
    return BigInt(d > start ? -n : n);
  }
  let v = 0n;
  for (let j = d; j < end; j++) v = v * 10n + BigInt(buf[j]! - ZERO);
  if (d > start) v = -v;
  return v < I64_MIN || v > I64_MAX ? null : v;
}

/** Accumulates the ASCII digits buf[from..to) (already validated). */
function digitsToNumber(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let j = from; j < to; j++) n = n * 10 + (buf[j]! - ZERO);
  return n;
}

/**
 * string2ll grammar, returned as a JS number. Null when invalid OR when the
 * value is outside [-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER]. No allocation.
 */
export function parseSafeInt(buf: Buffer, start = 0, end = buf.length): number | null {
  const d = intDigitsStart(buf, start, end);
  if (d < 0 || end - d > 16) return null;
  const n = digitsToNumber(buf, d, end);
  if (n > Number.MAX_SAFE_INTEGER) return null;
  return d > start ? -n : n;
}

/** string2ll: number when safe, bigint when a valid but unsafe int64, else null. */
export function parseIntArg(buf: Buffer): number | bigint | null {
  const n = parseSafeInt(buf);
  if (n !== null) return n;
  return parseI64(buf);
}

/** Signed double value of a numeric scan. */
function scanToNumber(s: FloatScan): number {
  return s.neg ? -s.value : s.value;
}

/**
 * Redis string2d (getDoubleFromObject): strtod over the whole buffer, rejecting
 * empty input, leading whitespace, trailing garbage, NaN, overflow to +-inf and
 * underflow to zero. "inf"/"infinity" (any case, optional sign) are accepted.
 */
export function parseDouble(buf: Buffer): number | null {
  const s = scanFloat(buf);
  if (s === null) return null;
  if (s.kind === 'inf') return s.neg ? -Infinity : Infinity;
  if (!Number.isFinite(s.value)) return null;
  if (s.value === 0 && s.nonZero) return null;
  return scanToNumber(s);
}

/** Bytes string2ld refuses to parse (MAX_LONG_DOUBLE_CHARS). */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * Redis string2ld (INCRBYFLOAT operands): like parseDouble but with long
 * double range (about 1.19e4932 down to 3.65e-4951) and a 5119-byte length
 * limit. In-range values beyond double range become +-Infinity / +-0 here.
 */
export function parseLongDouble(buf: Buffer): number | null {
  if (buf.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = scanFloat(buf);
  if (s === null) return null;
  if (s.kind === 'inf') return s.neg ? -Infinity : Infinity;
  if (s.nonZero && (s.ldOverflow || s.ldUnderflow)) return null;
  return scanToNumber(s);
}


// ---------------------------------------------------------------------------
// strtod/strtold grammar scanner ("C" locale), whole-buffer only.

/** Result of scanning a float literal: magnitude as a double plus range facts. */
interface FloatScan {
  kind: 'num' | 'inf';
  neg: boolean;
  /** Magnitude correctly rounded to double (may be Infinity or 0). */
  value: number;
  /** Some mantissa digit is non-zero (so a zero value means underflow). */
  nonZero: boolean;
  /** Magnitude exceeds LDBL_MAX. */
  ldOverflow: boolean;
  /** Non-zero magnitude rounds to zero as a long double. */
  ldUnderflow: boolean;
}

const DOT = 0x2e;
const EXP_CLAMP = 1e9;

/** Lower-cases an ASCII letter byte. */
function lc(c: number | undefined): number {
  return c !== undefined && c >= 0x41 && c <= 0x5a ? c + 32 : (c ?? -1);
}

/** Value of a hex digit byte, or -1. */
function hexVal(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = lc(c);
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** True if buf[i..] equals the lower-case ASCII word w, ignoring case. */
function restIs(buf: Buffer, i: number, w: string): boolean {
  if (buf.length - i !== w.length) return false;
  for (let k = 0; k < w.length; k++) if (lc(buf[i + k]) !== w.charCodeAt(k)) return false;
  return true;
}

/**
 * Parses an optional exponent "[eEpP][+-]?digits" at i (marker already
 * checked). Returns [exponent clamped to +-1e9, index after] or null when the
 * exponent is malformed or followed by anything.
 */
function scanExponent(buf: Buffer, i: number): [number, number] | null {
  let neg = false;
  if (buf[i] === 0x2b || buf[i] === MINUS) { neg = buf[i] === MINUS; i++; }
  const start = i;
  let e = 0;
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) return null;
    if (e < EXP_CLAMP) e = e * 10 + (c - ZERO);
  }
  if (i === start) return null;
  return [neg ? -e : e, i];
}

/**
 * Scans the whole buffer as a C strtod literal: [+-](inf|infinity|decimal|hex).
 * Returns null if any byte is left over, the literal is NaN or it is empty.
 */
function scanFloat(buf: Buffer): FloatScan | null {
  let i = 0;
  let neg = false;
  if (buf[0] === 0x2b || buf[0] === MINUS) { neg = buf[0] === MINUS; i = 1; }
  if (restIs(buf, i, 'inf') || restIs(buf, i, 'infinity')) {
    return { kind: 'inf', neg, value: Infinity, nonZero: true, ldOverflow: false, ldUnderflow: false };
  }
  if (buf[i] === ZERO && lc(buf[i + 1]) === 0x78) {
    const h = scanHex(buf, i + 2, neg);
    if (h !== null) return h;
  }
  return scanDecimal(buf, i, neg);
}

/**
 * Decimal literal "digits[.digits][e[+-]digits]" from i to the end of buf
 * (at least one mantissa digit). Value via Number() for correct rounding.
 */
function scanDecimal(buf: Buffer, i: number, neg: boolean): FloatScan | null {
  const start = i;
  let digits = 0;
  let intDigits = -1;
  let firstNz = -1; // index among mantissa digits of the first non-zero digit
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      if (firstNz < 0 && c !== ZERO) firstNz = digits;
      digits++;
    } else if (c === DOT && intDigits < 0) {
      intDigits = digits;
    } else break;
  }
  if (digits === 0) return null;
  if (intDigits < 0) intDigits = digits;
  let exp = 0;
  if (i < buf.length) {
    if (lc(buf[i]) !== 0x65) return null;
    const e = scanExponent(buf, i + 1);
    if (e === null) return null;
    exp = e[0];
  }
  const value = Number(buf.toString('latin1', start, buf.length));
  const res: FloatScan = { kind: 'num', neg, value, nonZero: firstNz >= 0, ldOverflow: false, ldUnderflow: false };
  if (firstNz >= 0) {
    // value = 0.m * 10^mag with m the significant digits (m in [0.1, 1)).
    const mag = intDigits - firstNz + exp;
    const lead = leadingFraction(buf, start, firstNz);
    res.ldOverflow = mag > 4933 || (mag === 4933 && lead > 0.118973149535723176502);
    res.ldUnderflow = mag < -4950 || (mag === -4950 && lead <= 0.182259976594123730126);
  }
  return res;
}

/** 0.<up to 20 significant digits starting at mantissa digit index nz>. */
function leadingFraction(buf: Buffer, start: number, nz: number): number {
  let f = 0;
  let scale = 0.1;
  let seen = 0;
  for (let i = start; i < buf.length && seen < nz + 20; i++) {
    const c = buf[i]!;
    if (c === DOT) continue;
    if (c < ZERO || c > NINE) break;
    if (seen >= nz) { f += (c - ZERO) * scale; scale /= 10; }
    seen++;
  }
  return f;
}

/**
 * Hex literal body after "0x": hexdigits[.hexdigits][p[+-]digits], at least
 * one hex digit. Returns null if malformed (then strtod would have parsed just
 * the "0" and the caller's decimal scan rejects the trailing "x...").
 */
function scanHex(buf: Buffer, i: number, neg: boolean): FloatScan | null {
  let hex = '';
  let fracDigits = -1;
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (hexVal(c) >= 0) {
      hex += String.fromCharCode(c);
      if (fracDigits >= 0) fracDigits++;
    } else if (c === DOT && fracDigits < 0) {
      fracDigits = 0;
    } else break;
  }
  if (hex.length === 0) return null;
  let exp = 0;
  if (i < buf.length) {
    if (lc(buf[i]) !== 0x70) return null;
    const e = scanExponent(buf, i + 1);
    if (e === null) return null;
    exp = e[0];
  }
  const mant = BigInt('0x' + hex);
  const exp2 = exp - 4 * Math.max(fracDigits, 0);
  const res: FloatScan = { kind: 'num', neg, value: 0, nonZero: mant !== 0n, ldOverflow: false, ldUnderflow: false };
  if (mant !== 0n) {
    const top = mant.toString(2).length - 1 + exp2; // value in [2^top, 2^(top+1))
    res.ldOverflow = top > 16383;
    const pow2 = (mant & (mant - 1n)) === 0n; // exactly half the min denormal rounds to 0
    res.ldUnderflow = top < -16446 || (top === -16446 && pow2);
    res.value = scaleBigInt(mant, exp2);
  }
  return res;
}

/** mant * 2^exp2 rounded to double (keeps 64 bits + sticky before rounding). */
function scaleBigInt(mant: bigint, exp2: number): number {
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const sh = BigInt(bits - 64);
    const sticky = (mant & ((1n << sh) - 1n)) !== 0n ? 1n : 0n;
    mant = (mant >> sh) | sticky;
    exp2 += bits - 64;
  }
  let x = Number(mant);
  while (exp2 > 0 && Number.isFinite(x)) { const k = Math.min(exp2, 1000); x *= 2 ** k; exp2 -= k; }
  while (exp2 < 0 && x !== 0) { const k = Math.min(-exp2, 1000); x *= 2 ** -k; exp2 += k; }
  return x;
}

// ---------------------------------------------------------------------------
// Double formatting.

/**
 * True when |d|'s exact binary value, written in decimal, has exactly 18
 * significant digits ending in 5 (a tie when rounding to 17 digits, which C
 * printf breaks to even while JS toExponential breaks upward).
 */
function isTieAt17(d: number, exp18: string): boolean {
  if (exp18.charCodeAt(18) !== 0x35) return false; // "d.ddddddddddddddddd5e.."
  const exp21 = d.toExponential(20);
  if (!exp21.startsWith(exp18.slice(0, 19) + '000')) return false;
  return exactDecimalDigits(d).replace(/0+$/, '').length === 18;
}

/** Significant decimal digits of |d|'s exact value (d finite and non-zero). */
function exactDecimalDigits(d: number): string {
  const f = new Float64Array([Math.abs(d)]);
  const u = new BigUint64Array(f.buffer)[0]!;
  const bexp = Number((u >> 52n) & 0x7ffn);
  let mant = u & ((1n << 52n) - 1n);
  let e = bexp - 1075;
  if (bexp === 0) e = -1074; else mant |= 1n << 52n;
  const s = e >= 0 ? (mant << BigInt(e)).toString() : (mant * 5n ** BigInt(-e)).toString();
  return s.replace(/^0+/, '');
}

/** Significant digits (17, no dot) and decimal exponent of |d| as C "%.17e" would print. */
function digits17(d: number): [string, number] {
  const e18 = Math.abs(d).toExponential(17);
  let s = Math.abs(d).toExponential(16);
  if (isTieAt17(Math.abs(d), e18)) {
    const trunc = e18.slice(0, 18);
    const lastEven = (trunc.charCodeAt(17) - ZERO) % 2 === 0;
    if (lastEven) s = trunc + e18.slice(19);
  }
  const ePos = s.indexOf('e');
  return [s[0]! + s.slice(2, ePos), Number(s.slice(ePos + 1))];
}

/**
 * C printf "%.17g" of a double, as Redis 7.0 uses for double replies:
 * 1.1 -> "1.1000000000000001", 1e20 -> "1e+20", 1e-5 -> "1.0000000000000001e-05",
 * inf -> "inf", -inf -> "-inf", NaN -> "nan", -0 -> "-0".
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  const sign = d < 0 || Object.is(d, -0) ? '-' : '';
  if (d === 0) return sign + '0';
  // An integer within +-2^53 (the common score) has at most 16 digits, which %.17g prints
  // exactly, as does JS.
  if (Number.isInteger(d) && d <= 9007199254740992 && d >= -9007199254740992) return String(d);
  const [dig, x] = digits17(d);
  const body = dig.replace(/0+$/, '');
  if (x < -4 || x >= 17) {
    const m = body.length > 1 ? body[0] + '.' + body.slice(1) : body;
    const ax = Math.abs(x);
    return `${sign}${m}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (x < 0) return `${sign}0.${'0'.repeat(-x - 1)}${body}`;
  if (body.length <= x + 1) return sign + body + '0'.repeat(x + 1 - body.length);
  return `${sign}${body.slice(0, x + 1)}.${body.slice(x + 1)}`;
}

/** RESP3 ',' double payload as Redis 7.0 prints it ("inf", "-inf", "nan", else %.17g). */
export function formatDoubleResp3(d: number): string {
  return formatDouble(d);
}

/**
 * INCRBYFLOAT's reply/stored form (Redis "%.17Lf" with trailing zeros and dot
 * stripped, "-0" -> "0"). Uses the shortest round-trip decimal of the double,
 * written without exponent; values needing more than 17 fractional digits are
 * rounded (from the exact binary value) to 17 fractional digits. See the file
 * header for the differences caused by Redis computing in long double.
 */
export function formatLongDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (d === 0) return '0';
  const neg = d < 0;
  const s = String(Math.abs(d)); // shortest round-trip, maybe "1.5e-7" / "1e+21"
  const ePos = s.indexOf('e');
  const mant = ePos < 0 ? s : s.slice(0, ePos);
  const exp = ePos < 0 ? 0 : Number(s.slice(ePos + 1));
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const point = (dot < 0 ? mant.length : dot) + exp; // digits before the decimal point
  let intPart: string;
  let frac: string;
  if (point <= 0) { intPart = '0'; frac = '0'.repeat(-point) + digits; }
  else if (point >= digits.length) { intPart = digits + '0'.repeat(point - digits.length); frac = ''; }
  else { intPart = digits.slice(0, point); frac = digits.slice(point); }
  if (frac.length > 17) {
    // Only possible for |d| < 1: round the exact binary value like printf.
    const fixed = Math.abs(d).toFixed(17);
    intPart = fixed.slice(0, fixed.indexOf('.'));
    frac = fixed.slice(fixed.indexOf('.') + 1);
  }
  frac = frac.replace(/0+$/, '');
  intPart = intPart.replace(/^0+(?=\d)/, '');
  const out = frac.length > 0 ? `${intPart}.${frac}` : intPart;
  return neg && out !== '0' ? '-' + out : out;
}

// ---------------------------------------------------------------------------
// Integer writing.

/** Number of characters of the decimal form of the safe integer n (incl. '-'). */
export function intLen(n: number): number {
  let len = 1;
  if (n < 0) { len = 2; n = -n; }
  while (n >= 10) { n = Math.floor(n / 10); len++; }
  return len;
}

/**
 * Writes the decimal digits of the safe integer n into out at pos (caller
 * guarantees intLen(n) bytes of room) and returns the position after them.
 */
export function writeIntAscii(out: Buffer, pos: number, n: number): number {
  if (n < 0) { out[pos++] = MINUS; n = -n; }
  const end = pos + intLen(n);
  let i = end;
  do {
    const q = Math.floor(n / 10);
    out[--i] = ZERO + (n - q * 10);
    n = q;
  } while (n > 0);
  return end;
}
