// Exact x87 80-bit long double arithmetic for INCRBYFLOAT, so its results match Redis byte for
// byte. Redis parses both operands with strtold, adds them in long double (64-bit mantissa,
// round-half-even) and prints "%.17Lf". Doubles cannot reproduce that (0.1 + 0.2 prints "0.3"
// in Redis), so values here are exact binary numbers m * 2^e held in bigints.
//
// Grammar and range validation stay with parseLongDouble (src/lib/numbers.ts); this file only
// computes the exact value of a literal that function accepted.

/** A finite long double: (-1)^neg * m * 2^e, m < 2^64 (normalised to >= 2^63 unless subnormal). */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

const MANT_BITS = 64;
/** Lowest exponent of the least significant mantissa bit (subnormals: 2^-16445). */
const MIN_E = -16445;
/** Largest exponent with m < 2^64 still below 2^16384. */
const MAX_E = 16320;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds (num / den) * 2^bexp (num >= 0, den > 0) to the nearest long double, ties to even.
 * Returns null on overflow (the result would be infinite).
 */
function roundToLongDouble(neg: boolean, num: bigint, den: bigint, bexp: number): LongDouble | null {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // Choose s so that q = floor(num * 2^s / den) has exactly 64 bits.
  let s = MANT_BITS - (bitLength(num) - bitLength(den));
  const quot = (shift: number): bigint =>
    shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  let q = quot(s);
  while (bitLength(q) > MANT_BITS) q = quot(--s);
  while (bitLength(q) < MANT_BITS) q = quot(++s);
  let e = bexp - s;
  if (e < MIN_E) {
    s -= MIN_E - e;
    e = MIN_E;
  }
  const n = s >= 0 ? num << BigInt(s) : num;
  const d = s >= 0 ? den : den << BigInt(-s);
  q = n / d;
  const twiceRem = 2n * (n - q * d);
  if (twiceRem > d || (twiceRem === d && (q & 1n) === 1n)) q++;
  if (bitLength(q) > MANT_BITS) {
    q >>= 1n;
    e++;
  }
  if (e > MAX_E) return null;
  return { neg, m: q, e };
}

/**
 * The exact value of a literal that parseLongDouble accepted as finite: decimal
 * ("-12.5e3") or hexadecimal ("0x1.8p3"). Null if it overflows.
 */
export function longDoubleFromText(text: string): LongDouble | null {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (/^0x/i.test(s)) {
    const m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
    if (m !== null && (m[1] + (m[2] ?? '')).length > 0) {
      const frac = m[2] ?? '';
      const mant = BigInt('0x' + (m[1] + frac || '0'));
      return roundToLongDouble(neg, mant, 1n, Number(m[3] ?? '0') - 4 * frac.length);
    }
  }
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s);
  if (m === null) return null;
  const frac = m[2] ?? '';
  const digits = BigInt((m[1] + frac).replace(/^0+(?=\d)/, '') || '0');
  const exp10 = Number(m[3] ?? '0') - frac.length;
  if (digits === 0n) return { neg, m: 0n, e: 0 };
  if (exp10 >= 0) return roundToLongDouble(neg, digits * 10n ** BigInt(exp10), 1n, 0);
  return roundToLongDouble(neg, digits, 10n ** BigInt(-exp10), 0);
}

/** a + b rounded to long double; null if the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const va = (a.m << BigInt(a.e - e)) * (a.neg ? -1n : 1n);
  const vb = (b.m << BigInt(b.e - e)) * (b.neg ? -1n : 1n);
  const sum = va + vb;
  return roundToLongDouble(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/**
 * INCRBYFLOAT's text for x: "%.17Lf" (exact value rounded half-even to 17 decimals), then
 * trailing zeros and a trailing dot removed, and "-0" written "0".
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  const scale = 10n ** 17n;
  let q: bigint;
  if (x.e >= 0) q = (x.m << BigInt(x.e)) * scale;
  else {
    const n = x.m * scale;
    const sh = BigInt(-x.e);
    q = n >> sh;
    const twiceRem = 2n * (n - (q << sh));
    const den = 1n << sh;
    if (twiceRem > den || (twiceRem === den && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(18, '0');
  let out = digits.slice(0, -17) + '.' + digits.slice(-17);
  out = out.replace(/0+$/, '').replace(/\.$/, '');
  if (x.neg) out = '-' + out;
  return out === '-0' ? '0' : out;
}
