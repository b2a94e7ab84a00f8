// The packed form of small aggregates: how a small hash, list, set or sorted set is kept as
// bytes in its key's arena record instead of as a JS object (ARCHITECTURE 3.4: small
// aggregates must not cost a JS object each).
//
// The store (../store.ts) holds a packed aggregate as a record whose value area is the packed
// bytes, with the entry's object bit off and its type set. The first object() of a command
// unpacks it into its value class; at the end of the command the store packs every object it
// handed out back into bytes if it still qualifies (repack), so between commands a small
// aggregate is bytes only. A value that outgrows the limits below (or becomes a skiplist
// sorted set) stays an object from then on. Packing is independent of the encoding Redis
// reports: a small hashtable set or hash (members too long for a listpack, or not integers)
// is packed too, with its dense order, so OBJECT ENCODING, MEMORY USAGE and SCAN cursors see
// exactly the object that was packed.
//
// Layout, all integers LEB128 varints unless noted:
//   hash   0, count, then count pairs [len][field bytes][len][value bytes] in listpack order;
//          or 1, Redis's dict bucket count, count, then the pairs in dense (DenseDict) order
//   list   zigzag(fill), count, then count [len][bytes] from head to tail
//   set    an intset: its width byte (2, 4 or 8), count, then count little-endian ints of that
//          width; or 0, bucket count, count, then [len][member bytes] in dense order
//   zset   (listpack only) count, then count [len][member bytes][score] in listpack order; a
//          score is varint(2 * zigzag(s)) when s is an integer within +-2^32 (and not -0),
//          else the byte 0x01 followed by the float64 little-endian (a varint of an even
//          number never starts with an odd byte)
//
// This module holds the byte helpers the value classes' pack/unpack methods share, and the
// limits: packing is O(size) per write command and unpacking O(size) per command that touches
// the key, so only small values are packed.

/**
 * Node's own latin1 methods on Buffer (what toString('latin1') and write(.., 'latin1') call after
 * checking their arguments): the checked paths cost a third of decoding a short string.
 */
interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, off: number, len: number): number;
}

/** Most elements (hash fields and values count one each, sorted-set members one) a packed value holds. */
export const PACK_MAX_ELEMENTS = 64;
/** Most bytes a packed value takes. */
export const PACK_MAX_BYTES = 4096;

/** Bytes a varint of n takes (LEB128, 0 <= n < 2^35). */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes n as a LEB128 varint at b[off]; returns the offset after it. */
export function writeVarint(b: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) {
    b[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  b[off++] = n;
  return off;
}

/** Bytes a latin1 string takes packed: its length varint and one byte per char. */
export function packedStringSize(s: string): number {
  return varintSize(s.length) + s.length;
}

/** Writes s packed (length varint, then its chars as bytes) at b[off]; returns the offset after. */
export function writePackedString(b: Buffer, off: number, s: string): number {
  const n = s.length;
  off = writeVarint(b, off, n);
  if (n <= 32) {
    for (let i = 0; i < n; i++) b[off + i] = s.charCodeAt(i);
  } else {
    (b as unknown as Latin1Buffer).latin1Write(s, off, n);
  }
  return off + n;
}

/** zigzag(n) for an integer n within +-2^52. */
export function zigzag(n: number): number {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Largest magnitude a packed score keeps as a varint. */
const SCORE_INT_LIMIT = 2 ** 32;
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

function scoreIsInt(s: number): boolean {
  return Number.isInteger(s) && Math.abs(s) <= SCORE_INT_LIMIT && !Object.is(s, -0);
}

/** Bytes a sorted-set score takes packed. */
export function packedScoreSize(s: number): number {
  return scoreIsInt(s) ? varintSize(2 * zigzag(s)) : 9;
}

/** Writes a score packed at b[off]; returns the offset after it. */
export function writePackedScore(b: Uint8Array, off: number, s: number): number {
  if (scoreIsInt(s)) return writeVarint(b, off, 2 * zigzag(s));
  b[off++] = 1;
  f64[0] = s;
  for (let i = 0; i < 8; i++) b[off + i] = f64b[i];
  return off + 8;
}

/**
 * b[p, p + n) as a latin1 string, n <= 12: String.fromCharCode with a fixed argument count is
 * several times cheaper than a call into the runtime, and up to 12 chars a concatenation still
 * makes a flat string (V8 builds cons strings from 13).
 */
function shortString(b: Uint8Array, p: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[p]);
    case 2:
      return String.fromCharCode(b[p], b[p + 1]);
    case 3:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2]);
    case 4:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    default:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]) + shortString(b, p + 6, n - 6);
  }
}

/**
 * A cursor over packed bytes. One instance is shared (`reader`): unpacking never nests, and
 * sharing it keeps unpacking free of allocations beyond the value itself.
 */
export class PackReader {
  b: Buffer = Buffer.alloc(0);
  p = 0;

  /** Starts reading b at off. */
  at(b: Buffer, off: number): this {
    this.b = b;
    this.p = off;
    return this;
  }

  varint(): number {
    const b = this.b;
    let x = b[this.p++];
    if (x < 0x80) return x;
    let n = x & 0x7f;
    let shift = 128;
    do {
      x = b[this.p++];
      n += (x & 0x7f) * shift;
      shift *= 128;
    } while (x >= 0x80);
    return n;
  }

  /** A packed string (length varint and bytes) as a latin1 string. */
  string(): string {
    const n = this.varint();
    const b = this.b;
    const p = this.p;
    this.p = p + n;
    return n <= 12 ? shortString(b, p, n) : (b as unknown as Latin1Buffer).latin1Slice(p, p + n);
  }

  /** A packed score. */
  score(): number {
    const b = this.b;
    if (b[this.p] === 1) {
      const p = this.p + 1;
      for (let i = 0; i < 8; i++) f64b[i] = b[p + i];
      this.p = p + 8;
      return f64[0];
    }
    return unzigzag(this.varint() / 2);
  }
}

/** The shared reader (see PackReader). */
export const reader = new PackReader();
