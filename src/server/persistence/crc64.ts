// CRC-64 as Redis computes it for RDB files and DUMP payloads (crc64.c): the Jones polynomial
// 0xad93d23594c935a9, bit-reflected input and output, initial value 0, no final xor. Check
// value: crc64(0, "123456789") = 0xe9c6d914c4b8d9ca.
//
// Table-driven (slicing-by-8), with the 64-bit state held as two uint32 halves (BigInt
// arithmetic per byte would be two orders of magnitude slower on a multi-gigabyte file).

/** The reflected polynomial, as two halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/**
 * Slicing-by-8 tables: T[k][i] is the CRC update of byte i followed by k zero bytes, so eight
 * input bytes are folded in with eight lookups per half instead of eight sequential steps.
 * T_HI / T_LO hold the 64-bit entries' halves, table k at offset 256 * k.
 */
const T_HI = new Uint32Array(256 * 8);
const T_LO = new Uint32Array(256 * 8);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry !== 0) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  T_HI[i] = hi;
  T_LO[i] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const hi = T_HI[256 * (k - 1) + i];
    const lo = T_LO[256 * (k - 1) + i];
    const idx = lo & 0xff;
    T_LO[256 * k + i] = (((lo >>> 8) | (hi << 24)) ^ T_LO[idx]) >>> 0;
    T_HI[256 * k + i] = ((hi >>> 8) ^ T_HI[idx]) >>> 0;
  }
}

/** Whether words read through an Int32Array hold their bytes in file order, low byte first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// The loops are separate functions, each optimized on its own: in one function the
// optimized code of the big loop met the short ones without type feedback and was thrown away
// at every call (V8 deopt "insufficient type feedback").

/** The high half of the state a fold ended with (the low half is its result). */
let foldHi = 0;

/**
 * Folds w (pairs of little-endian words: eight bytes each) into the state (hi, lo); returns the
 * new lo, the new hi in foldHi. Nothing after the loop needs type feedback: this function is
 * compiled mid-loop (on-stack replacement) on its first long call, and that code, kept and
 * reused, gave up at a typed-array store after the loop on every later call.
 */
function foldWords(hi: number, lo: number, w: Int32Array): number {
  for (let k = 0; k < w.length; k += 2) {
    const l = lo ^ w[k];
    const h = hi ^ w[k + 1];
    const a0 = 1792 + (l & 0xff);
    const a1 = 1536 + ((l >>> 8) & 0xff);
    const a2 = 1280 + ((l >>> 16) & 0xff);
    const a3 = 1024 + (l >>> 24);
    const a4 = 768 + (h & 0xff);
    const a5 = 512 + ((h >>> 8) & 0xff);
    const a6 = 256 + ((h >>> 16) & 0xff);
    const a7 = h >>> 24;
    lo = T_LO[a0] ^ T_LO[a1] ^ T_LO[a2] ^ T_LO[a3] ^ T_LO[a4] ^ T_LO[a5] ^ T_LO[a6] ^ T_LO[a7];
    hi = T_HI[a0] ^ T_HI[a1] ^ T_HI[a2] ^ T_HI[a3] ^ T_HI[a4] ^ T_HI[a5] ^ T_HI[a6] ^ T_HI[a7];
  }
  foldHi = hi;
  return lo;
}

/**
 * foldWords over b[i, end) byte by byte: for the few bytes around the words, short inputs, and
 * (slowly) every input on a big-endian machine.
 */
function foldBytes(hi: number, lo: number, b: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const idx = (lo ^ b[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx];
    hi = (hi >>> 8) ^ T_HI[idx];
  }
  foldHi = hi;
  return lo;
}

/** A running CRC-64 (Redis's crc64 over consecutive chunks). */
export class Crc64 {
  /**
   * The state's halves, [hi, lo] as uint32. In a typed array, not in two number fields: a field
   * that holds a uint32 switches between small-integer and heap-number form, and the optimized
   * update was thrown away on every call (V8 deopts "lost precision" / "wrong map").
   */
  readonly #s = new Uint32Array(2);

  /** Feeds b[start, end). */
  update(b: Uint8Array, start = 0, end = b.length): void {
    const st = this.#s;
    let hi = st[0] | 0;
    let lo = st[1] | 0;
    let i = start;
    if (LITTLE_ENDIAN && end - start >= 64) {
      // Byte by byte up to a 4-byte boundary, then eight bytes at a time read as two words.
      const head = (4 - ((b.byteOffset + i) & 3)) & 3;
      if (head !== 0) {
        lo = foldBytes(hi, lo, b, i, i + head);
        hi = foldHi;
      }
      i += head;
      const words = (end - i) >>> 3;
      lo = foldWords(hi, lo, new Int32Array(b.buffer, b.byteOffset + i, words * 2));
      hi = foldHi;
      i += words * 8;
    }
    if (i < end) {
      lo = foldBytes(hi, lo, b, i, end);
      hi = foldHi;
    }
    st[0] = hi;
    st[1] = lo;
  }

  /** The CRC so far. */
  get value(): bigint {
    return (BigInt(this.#s[0]) << 32n) | BigInt(this.#s[1]);
  }

  /** The CRC as Redis stores it after an RDB or a DUMP payload: 8 bytes, little-endian. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.#s[1], 0);
    out.writeUInt32LE(this.#s[0], 4);
    return out;
  }

  /** True if b[off, off + 8) holds this CRC little-endian. */
  matches(b: Uint8Array, off: number): boolean {
    const lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
    const hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
    return lo === this.#s[1] && hi === this.#s[0];
  }
}

/** crc64(0, b[start, end)). */
export function crc64(b: Uint8Array, start = 0, end = b.length): bigint {
  const c = new Crc64();
  c.update(b, start, end);
  return c.value;
}

