// Listpacks and intsets, byte for byte as Redis 7.0 builds them (listpack.c, intset.c): the
// blobs RDB files and DUMP payloads carry for small hashes, sorted sets, list nodes and integer
// sets. The builders produce Redis's exact bytes for the same elements; the parsers validate as
// Redis's deep sanitizer does (sanitize-dump-payload yes) whatever the configuration, because
// Shoal decodes every element anyway and must never build a value from a malformed blob.
//
// Listpack layout:
//   <total bytes: uint32 LE> <element count: uint16 LE, 65535 = unknown> <entries> <0xFF>
//   entry = <encoding + data> <backlen: the size of encoding + data, 1-5 bytes, readable
//           from the right (the first byte has no continuation bit)>
//   encodings  0xxxxxxx          7-bit unsigned int
//              10xxxxxx <data>    string of up to 63 bytes
//              110xxxxx yyyyyyyy  13-bit signed int
//              1110xxxx yyyyyyyy <data>   string of up to 4095 bytes
//              11110000 <len: uint32 LE> <data>
//              11110001 / 0010 / 0011 / 0100   int16 / int24 / int32 / int64, little-endian
// A string that is the canonical decimal form of an int64 is stored as an integer entry
// (lpStringToInt64), with the smallest encoding that holds it.
//
// Intset layout: <width: uint32 LE, 2, 4 or 8> <count: uint32 LE> <count ints of that width,
// little-endian, strictly ascending>.

import { canonicalInt64 } from '../keyspace/types/set.js';

const LP_HDR = 6;
const LP_EOF = 0xff;
const LP_COUNT_UNKNOWN = 65535;

/** The int64 value of latin1 string s when it is a canonical decimal integer (string2ll), else null. */
export const canonicalInt = canonicalInt64;

/** Bytes lpEncodeBacklen uses for an entry of l bytes. */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Builds a listpack element by element (lpAppend). */
export class ListpackBuilder {
  #buf = Buffer.allocUnsafe(64);
  #len = LP_HDR;
  #count = 0;

  /** Elements appended. */
  get count(): number {
    return this.#count;
  }

  /** lpBytes of the listpack so far (header and end byte included). */
  get bytes(): number {
    return this.#len + 1;
  }

  #room(n: number): void {
    const need = this.#len + n + 1;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#len);
    this.#buf = grown;
  }

  #backlen(l: number): void {
    const b = this.#buf;
    let o = this.#len;
    const n = backlenSize(l);
    // Most significant 7-bit group first; every byte after the first has the high bit set.
    for (let k = n - 1; k >= 0; k--) {
      const group = Math.floor(l / 2 ** (7 * k)) & 127;
      b[o++] = k === n - 1 ? group : group | 128;
    }
    this.#len = o;
  }

  /** Appends a latin1 string element: an integer entry if it is a canonical int64. */
  append(s: string): void {
    const v = canonicalInt(s);
    if (v !== null) this.appendInt(v);
    else this.appendString(s);
  }

  /** Appends s as a string entry (no integer conversion). */
  appendString(s: string): void {
    const n = s.length;
    this.#room(n + 10);
    const b = this.#buf;
    let o = this.#len;
    let hdr: number;
    if (n < 64) {
      b[o++] = 0x80 | n;
      hdr = 1;
    } else if (n < 4096) {
      b[o++] = 0xe0 | (n >>> 8);
      b[o++] = n & 0xff;
      hdr = 2;
    } else {
      b[o++] = 0xf0;
      b.writeUInt32LE(n, o);
      o += 4;
      hdr = 5;
    }
    if (n <= 32) {
      for (let i = 0; i < n; i++) b[o + i] = s.charCodeAt(i);
    } else {
      b.write(s, o, n, 'latin1');
    }
    this.#len = o + n;
    this.#backlen(hdr + n);
    this.#count++;
  }

  /** Appends an integer entry with the smallest encoding that holds v (lpEncodeIntegerGetType). */
  appendInt(v: bigint): void {
    this.#room(16);
    const b = this.#buf;
    let o = this.#len;
    let size: number;
    if (v >= 0n && v <= 127n) {
      b[o++] = Number(v);
      size = 1;
    } else if (v >= -4096n && v <= 4095n) {
      const u = v < 0n ? Number(v) + 8192 : Number(v);
      b[o++] = 0xc0 | (u >>> 8);
      b[o++] = u & 0xff;
      size = 2;
    } else if (v >= -32768n && v <= 32767n) {
      b[o++] = 0xf1;
      b.writeInt16LE(Number(v), o);
      o += 2;
      size = 3;
    } else if (v >= -8388608n && v <= 8388607n) {
      b[o++] = 0xf2;
      b.writeIntLE(Number(v), o, 3);
      o += 3;
      size = 4;
    } else if (v >= -2147483648n && v <= 2147483647n) {
      b[o++] = 0xf3;
      b.writeInt32LE(Number(v), o);
      o += 4;
      size = 5;
    } else {
      b[o++] = 0xf4;
      b.writeBigInt64LE(v, o);
      o += 8;
      size = 9;
    }
    this.#len = o;
    this.#backlen(size);
    this.#count++;
  }

  /** The finished listpack (a copy; the builder can be reset and reused). */
  finish(): Buffer {
    const b = this.#buf;
    b.writeUInt32LE(this.#len + 1, 0);
    b.writeUInt16LE(this.#count < LP_COUNT_UNKNOWN ? this.#count : LP_COUNT_UNKNOWN, 4);
    b[this.#len] = LP_EOF;
    return Buffer.from(b.subarray(0, this.#len + 1));
  }

  /** Empties the builder. */
  reset(): void {
    this.#len = LP_HDR;
    this.#count = 0;
  }
}

/**
 * Parses and validates the listpack in lp (the whole buffer), calling visit with each element
 * as latin1 text (integer entries as their decimal form). Returns the element count, or -1
 * when the listpack is malformed in any way lpValidateIntegrity (deep) would refuse: header
 * size, end byte, an unknown encoding, an entry reaching past the end, a back-length that does
 * not match its entry, or a count that does not match the header. Never reads out of bounds;
 * visit may run for elements before a later defect is found.
 */
export function parseListpack(lp: Buffer, visit: (s: string) => void): number {
  const size = lp.length;
  if (size < LP_HDR + 1) return -1;
  if (lp.readUInt32LE(0) !== size) return -1;
  if (lp[size - 1] !== LP_EOF) return -1;
  const header = lp.readUInt16LE(4);
  const last = size - 1; // the end byte
  let p = LP_HDR;
  let count = 0;
  while (p < last) {
    const b0 = lp[p];
    let hdr: number;
    let len: number;
    let text: string;
    if ((b0 & 0x80) === 0) {
      hdr = 1;
      len = 0;
      text = String(b0);
    } else if ((b0 & 0xc0) === 0x80) {
      hdr = 1;
      len = b0 & 0x3f;
      if (p + hdr + len > last) return -1;
      text = lp.toString('latin1', p + hdr, p + hdr + len);
    } else if ((b0 & 0xe0) === 0xc0) {
      hdr = 2;
      len = 0;
      if (p + 2 > last) return -1;
      let v = ((b0 & 0x1f) << 8) | lp[p + 1];
      if (v >= 4096) v -= 8192;
      text = String(v);
    } else if ((b0 & 0xf0) === 0xe0) {
      hdr = 2;
      if (p + 2 > last) return -1;
      len = ((b0 & 0x0f) << 8) | lp[p + 1];
      if (p + hdr + len > last) return -1;
      text = lp.toString('latin1', p + hdr, p + hdr + len);
    } else if (b0 === 0xf0) {
      hdr = 5;
      if (p + 5 > last) return -1;
      len = lp.readUInt32LE(p + 1);
      if (p + hdr + len > last) return -1;
      text = lp.toString('latin1', p + hdr, p + hdr + len);
    } else if (b0 >= 0xf1 && b0 <= 0xf4) {
      const width = b0 === 0xf1 ? 2 : b0 === 0xf2 ? 3 : b0 === 0xf3 ? 4 : 8;
      hdr = 1 + width;
      len = 0;
      if (p + hdr > last) return -1;
      text = width === 8 ? String(lp.readBigInt64LE(p + 1)) : String(lp.readIntLE(p + 1, width));
    } else {
      return -1; // 0xf5..0xfe are unused; 0xff is the end marker, not an entry
    }
    const body = hdr + len;
    const bl = backlenSize(body);
    if (p + body + bl > last) return -1;
    // The back-length must decode (right to left) to the entry's size.
    let v = 0;
    let mul = 1;
    let q = p + body + bl - 1;
    for (let k = 0; k < bl; k++, q--) {
      const byte = lp[q];
      const more = (byte & 128) !== 0;
      if (more !== (k < bl - 1)) return -1;
      v += (byte & 127) * mul;
      mul *= 128;
    }
    if (v !== body) return -1;
    visit(text);
    count++;
    p += body + bl;
  }
  if (p !== last) return -1;
  if (header !== LP_COUNT_UNKNOWN && header !== count) return -1;
  return count;
}

// ---------------------------------------------------------------------------------------------
// Intsets

/** The intset blob of the ascending values with element width `width` (2, 4 or 8). */
export function buildIntset(values: readonly bigint[], width: number): Buffer {
  const out = Buffer.allocUnsafe(8 + values.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(values.length, 4);
  let o = 8;
  for (const v of values) {
    if (width === 2) out.writeInt16LE(Number(v), o);
    else if (width === 4) out.writeInt32LE(Number(v), o);
    else out.writeBigInt64LE(v, o);
    o += width;
  }
  return out;
}

/**
 * The members of an intset blob in ascending order, or null when it is malformed
 * (intsetValidateIntegrity, deep): an unknown width, a size that does not match the count, an
 * empty set, or members not strictly ascending (duplicates).
 */
export function parseIntset(b: Buffer): bigint[] | null {
  if (b.length < 8) return null;
  const width = b.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) return null;
  const count = b.readUInt32LE(4);
  if (8 + count * width !== b.length) return null;
  if (count === 0) return null;
  const out = new Array<bigint>(count);
  let prev = 0n;
  for (let i = 0, o = 8; i < count; i++, o += width) {
    const v = width === 2 ? BigInt(b.readInt16LE(o)) : width === 4 ? BigInt(b.readInt32LE(o)) : b.readBigInt64LE(o);
    if (i > 0 && v <= prev) return null;
    out[i] = v;
    prev = v;
  }
  return out;
}
