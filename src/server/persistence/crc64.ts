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

/** A running CRC-64 (Redis's crc64 over consecutive chunks). */
export class Crc64 {
  #hi = 0;
  #lo = 0;

  /** Feeds b[start, end). */
  update(b: Uint8Array, start = 0, end = b.length): void {
    let hi = this.#hi;
    let lo = this.#lo;
    let i = start;
    // Eight bytes at a time (slicing-by-8), then the tail byte by byte.
    for (const last = end - 8; i <= last; i += 8) {
      const l = lo ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
      const h = hi ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24));
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
    for (; i < end; i++) {
      const idx = (lo ^ b[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx];
      hi = (hi >>> 8) ^ T_HI[idx];
    }
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
  }

  /** The CRC so far. */
  get value(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }

  /** The CRC as Redis stores it after an RDB or a DUMP payload: 8 bytes, little-endian. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.#lo, 0);
    out.writeUInt32LE(this.#hi, 4);
    return out;
  }

  /** True if b[off, off + 8) holds this CRC little-endian. */
  matches(b: Uint8Array, off: number): boolean {
    const lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
    const hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
    return lo === this.#lo && hi === this.#hi;
  }
}

/** crc64(0, b[start, end)). */
export function crc64(b: Uint8Array, start = 0, end = b.length): bigint {
  const c = new Crc64();
  c.update(b, start, end);
  return c.value;
}
