// SetValue: the value object of a set key, in Redis 7.0's two encodings.
//
//  - "intset": every member is the canonical decimal spelling of an int64 (Redis's string2ll:
//    no sign but '-', no leading zeros, no "-0") and there are at most set-max-intset-entries
//    of them. Kept as Redis keeps it: a sorted array of integers (a BigInt64Array, binary
//    search), so SMEMBERS, SSCAN and the set algebra answer in ascending numeric order, as
//    Redis does. The element width Redis's intset would use (2, 4 or 8 bytes: it only grows)
//    is tracked for MEMORY USAGE.
//  - "hashtable": a DenseDict (O(1) look-up, uniform random position, SCAN cursor).
//
// Conversion is one-way (intset -> hashtable), where t_set.c's setTypeAdd converts: on adding
// a member that is not an integer, or when an insert takes the size past the limit. The limit
// comes from the caller (set-max-intset-entries): storage knows no configuration. There is no
// listpack set in Redis 7.0 (that is 7.2).
//
// Members are latin1 strings (one char per byte), so they are binary safe and copy nothing the
// caller still holds.

import { DenseDict } from './dict.js';
import { dictTableSize, jemallocSize, sdsAllocBytes } from './alloc-model.js';
import { DICT_ENTRY_BYTES, INTSET_BASE, SET_HT_BASE, stringBytes } from './heap-cost.js';
import { PACK_MAX_BYTES, PACK_MAX_ELEMENTS, packedStringSize, reader, varintSize, writePackedString, writeVarint } from './packed.js';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** Redis caps set-max-intset-entries at 2^30 (intset internals). */
const INTSET_HARD_MAX = 1 << 30;

// ---------------------------------------------------------------------------------------
// MEMORY USAGE model constants (Redis 7.0, 64-bit, jemalloc 5.3)

/** Intset header: encoding and length, 4 bytes each. */
const INTSET_HEADER = 8;
/** sizeof(dict) in Redis 7.0. */
const DICT_STRUCT = 56;
/** sizeof(dictEntry): key, value and next pointers. */
const DICT_ENTRY = 24;
/** Bytes per bucket pointer. */
const BUCKET_PTR = 8;
/** Smallest non-empty dict table (DICT_HT_INITIAL_SIZE). */
const DICT_MIN_BUCKETS = 4;
/** A dict shrinks after a delete that leaves it under this percentage full (HASHTABLE_MIN_FILL). */
const DICT_MIN_FILL = 10;

/** Bytes Redis's intset uses per element for value v (INTSET_ENC_INT16/32/64). */
function intWidth(v: bigint): number {
  if (v >= -32768n && v <= 32767n) return 2;
  if (v >= -2147483648n && v <= 2147483647n) return 4;
  return 8;
}

/**
 * The int64 value of s when s is its canonical decimal spelling (Redis's string2ll, which
 * decides whether a member can live in an intset), else null.
 */
export function canonicalInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0n : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return null;
  }
  const v = BigInt(s);
  if (n - i >= 19 && (v < I64_MIN || v > I64_MAX)) return null;
  return v;
}

// ---------------------------------------------------------------------------------------

export class SetValue {
  /** Intset encoding: sorted ascending in the first #n slots; null once converted. */
  #ints: BigInt64Array | null;
  #n = 0;
  /** Element width of Redis's intset (2, 4, 8 bytes; never shrinks). MEMORY USAGE only. */
  #width = 2;
  /** Hashtable encoding; null while an intset. */
  #ht: DenseDict<null> | null = null;
  /** Bucket count Redis's dict would have (MEMORY USAGE only; incremental rehash not modelled). */
  #buckets = 0;
  /** Heap bytes of the member strings of a hashtable (heap-cost.ts); 0 for an intset. */
  #strBytes = 0;

  /** An empty set in the given encoding; `bare`: its storage is left for the caller to set. */
  private constructor(intset: boolean, bare = false) {
    if (bare) {
      this.#ints = null;
    } else if (intset) {
      this.#ints = new BigInt64Array(4);
    } else {
      this.#ints = null;
      this.#ht = new DenseDict<null>();
    }
  }

  /** An empty intset (createIntsetObject: the start of every SINTER/SUNION/SDIFF result). */
  static intset(): SetValue {
    return new SetValue(true);
  }

  /** An empty set that can hold `first` (setTypeCreate): an intset if it is an integer. */
  static forMember(first: string): SetValue {
    return new SetValue(canonicalInt64(first) !== null);
  }

  /** OBJECT ENCODING's name for the current encoding. */
  get encoding(): string {
    return this.#ints !== null ? 'intset' : 'hashtable';
  }

  get isIntset(): boolean {
    return this.#ints !== null;
  }

  /** Estimated heap bytes of the whole value (maxmemory accounting; O(1), see heap-cost.ts). */
  get bytes(): number {
    const ints = this.#ints;
    if (ints !== null) return INTSET_BASE + ints.length * 8;
    return SET_HT_BASE + (this.#ht as DenseDict<null>).size * DICT_ENTRY_BYTES + this.#strBytes;
  }

  /** Number of members. */
  get size(): number {
    return this.#ints !== null ? this.#n : (this.#ht as DenseDict<null>).size;
  }

  /** Position of v in the intset if present, else -(insertion point) - 1. */
  #search(ints: BigInt64Array, v: bigint): number {
    let lo = 0;
    let hi = this.#n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = ints[mid];
      if (x < v) lo = mid + 1;
      else if (x > v) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  has(m: string): boolean {
    const ints = this.#ints;
    if (ints === null) return (this.#ht as DenseDict<null>).has(m);
    const v = canonicalInt64(m);
    return v !== null && this.#search(ints, v) >= 0;
  }

  /**
   * setTypeAdd: adds m; returns whether it was new. An intset becomes a hashtable when m is
   * not an integer, or when the insert leaves more than maxIntset members (set-max-intset-entries,
   * capped at 2^30 as in Redis).
   */
  add(m: string, maxIntset: number): boolean {
    const ints = this.#ints;
    if (ints === null) return this.#htAdd(m);
    const v = canonicalInt64(m);
    if (v === null) {
      this.#toHashtable();
      return this.#htAdd(m);
    }
    const p = this.#search(ints, v);
    if (p >= 0) return false;
    this.#insertAt(ints, -p - 1, v);
    if (this.#n > Math.min(maxIntset, INTSET_HARD_MAX)) this.#toHashtable();
    return true;
  }

  #insertAt(ints: BigInt64Array, at: number, v: bigint): void {
    let arr = ints;
    if (this.#n === arr.length) {
      arr = new BigInt64Array(arr.length * 2);
      arr.set(ints.subarray(0, this.#n));
      this.#ints = arr;
    }
    arr.copyWithin(at + 1, at, this.#n);
    arr[at] = v;
    this.#n++;
    const w = intWidth(v);
    if (w > this.#width) this.#width = w;
  }

  #htAdd(m: string): boolean {
    const ht = this.#ht as DenseDict<null>;
    if (ht.has(m)) return false;
    // Redis's dict grows to the next power of two when an insert finds it full.
    if (ht.size >= this.#buckets) this.#buckets = dictTableSize(ht.size + 1);
    ht.set(m, null);
    this.#strBytes += stringBytes(m.length);
    return true;
  }

  /** setTypeConvert: members move to a dict presized for them, in ascending order. */
  #toHashtable(): void {
    const ints = this.#ints as BigInt64Array;
    const ht = new DenseDict<null>();
    let strBytes = 0;
    for (let i = 0; i < this.#n; i++) {
      const m = String(ints[i]);
      ht.set(m, null);
      strBytes += stringBytes(m.length);
    }
    this.#strBytes = strBytes;
    this.#buckets = dictTableSize(this.#n);
    this.#ht = ht;
    this.#ints = null;
    this.#n = 0;
  }

  /** setTypeRemove: removes m; returns whether it was present. */
  delete(m: string): boolean {
    const ints = this.#ints;
    if (ints === null) {
      if (!(this.#ht as DenseDict<null>).delete(m)) return false;
      this.#strBytes -= stringBytes(m.length);
      this.#afterHtDelete();
      return true;
    }
    const v = canonicalInt64(m);
    if (v === null) return false;
    const p = this.#search(ints, v);
    if (p < 0) return false;
    this.#removeIntAt(ints, p);
    return true;
  }

  #removeIntAt(ints: BigInt64Array, p: number): void {
    ints.copyWithin(p, p + 1, this.#n);
    this.#n--;
  }

  /** Redis shrinks a set's dict after a delete leaves it under 10% full (htNeedsResize). */
  #afterHtDelete(): void {
    const n = (this.#ht as DenseDict<null>).size;
    if (this.#buckets > DICT_MIN_BUCKETS && n * 100 < DICT_MIN_FILL * this.#buckets) {
      this.#buckets = dictTableSize(n);
    }
  }

  /**
   * The member at position i (0 <= i < size): ascending order for an intset, dense order for
   * a hashtable. Iterating 0..size-1 is Redis's setTypeNext order for an intset; a uniform i is
   * a uniform random member (positions are not stable across a mutation).
   */
  memberAt(i: number): string {
    const ints = this.#ints;
    return ints !== null ? String(ints[i]) : (this.#ht as DenseDict<null>).keyAt(i);
  }

  /** Removes the member at position i and returns it (SPOP of a random position). */
  removeAt(i: number): string {
    const ints = this.#ints;
    if (ints !== null) {
      const m = String(ints[i]);
      this.#removeIntAt(ints, i);
      return m;
    }
    const m = (this.#ht as DenseDict<null>).keyAt(i);
    this.delete(m);
    return m;
  }

  /**
   * One SSCAN step. An intset is returned whole with cursor 0 (as Redis does for small
   * encodings); a hashtable visits up to `count` members from `cursor` with DenseDict's cursor
   * guarantee. Returns the next cursor (0 when done).
   */
  scan(cursor: number, count: number, visit: (m: string) => void): number {
    if (this.#ints !== null) {
      for (let i = 0; i < this.#n; i++) visit(this.memberAt(i));
      return 0;
    }
    return (this.#ht as DenseDict<null>).scan(cursor, count, (k) => visit(k));
  }

  /** Makes this set hold other's members and encoding (other must not be used afterwards). */
  adopt(other: SetValue): void {
    this.#ints = other.#ints;
    this.#n = other.#n;
    this.#width = other.#width;
    this.#ht = other.#ht;
    this.#buckets = other.#buckets;
    this.#strBytes = other.#strBytes;
  }

  // -------------------------------------------------------------------------------------
  // Packed form (packed.ts). An intset: its width byte (2, 4 or 8), count, little-endian ints of
  // that width. A small hashtable: 0, Redis's bucket count (MEMORY USAGE), count, then the
  // members in dense order, so the unpacked dict has the same positions and SSCAN cursors
  // stay valid across commands.

  /** Bytes of the packed form, or -1 when the set stays an object (too big). */
  packedSize(): number {
    let n: number;
    if (this.#ints !== null) {
      n = 1 + varintSize(this.#n) + this.#n * this.#width;
    } else {
      const ht = this.#ht as DenseDict<null>;
      if (ht.size > PACK_MAX_ELEMENTS) return -1;
      n = 1 + varintSize(this.#buckets) + varintSize(ht.size);
      const keys = ht.keys();
      for (let i = 0; i < keys.length; i++) n += packedStringSize(keys[i]);
    }
    return n <= PACK_MAX_BYTES ? n : -1;
  }

  /** Writes the packed form (packedSize() bytes) at b[off]. */
  pack(b: Buffer, off: number): void {
    const ints = this.#ints;
    if (ints === null) {
      const keys = (this.#ht as DenseDict<null>).keys();
      b[off++] = 0;
      off = writeVarint(b, off, this.#buckets);
      off = writeVarint(b, off, keys.length);
      for (let i = 0; i < keys.length; i++) off = writePackedString(b, off, keys[i]);
      return;
    }
    const w = this.#width;
    const n = this.#n;
    b[off++] = w;
    off = writeVarint(b, off, n);
    if (w === 2) for (let i = 0; i < n; i++, off += 2) b.writeInt16LE(Number(ints[i]), off);
    else if (w === 4) for (let i = 0; i < n; i++, off += 4) b.writeInt32LE(Number(ints[i]), off);
    else for (let i = 0; i < n; i++, off += 8) b.writeBigInt64LE(ints[i], off);
  }

  /** The set packed at b[off]. */
  static unpack(b: Buffer, off: number): SetValue {
    const w = b[off];
    const r = reader.at(b, off + 1);
    const s = new SetValue(w !== 0, true);
    if (w === 0) {
      s.#buckets = r.varint();
      const n = r.varint();
      const keys = new Array<string>(n);
      const vals = new Array<null>(n).fill(null);
      let strBytes = 0;
      for (let i = 0; i < n; i++) {
        const m = r.string();
        keys[i] = m;
        strBytes += stringBytes(m.length);
      }
      s.#ht = DenseDict.fromArrays(keys, vals);
      s.#strBytes = strBytes;
      return s;
    }
    const n = r.varint();
    off = r.p;
    const ints = new BigInt64Array(Math.max(4, n));
    if (w === 2) for (let i = 0; i < n; i++, off += 2) ints[i] = BigInt(b.readInt16LE(off));
    else if (w === 4) for (let i = 0; i < n; i++, off += 4) ints[i] = BigInt(b.readInt32LE(off));
    else for (let i = 0; i < n; i++, off += 8) ints[i] = b.readBigInt64LE(off);
    s.#ints = ints;
    s.#n = n;
    s.#width = w;
    return s;
  }

  /** Deep copy in the same encoding (setTypeDup, for COPY). */
  clone(): SetValue {
    const s = new SetValue(this.#ints !== null);
    if (this.#ints !== null) {
      s.#ints = this.#ints.slice(0, Math.max(this.#n, 4));
      s.#n = this.#n;
      s.#width = this.#width;
    } else {
      const ht = this.#ht as DenseDict<null>;
      s.#ht = ht.clone();
      s.#buckets = ht.size === 0 ? 0 : dictTableSize(ht.size);
      s.#strBytes = this.#strBytes;
    }
    return s;
  }

  /**
   * MEMORY USAGE's figure for the set beyond the object header, as Redis 7.0 computes it: an
   * intset's allocation; for a hashtable the dict, its bucket array and the average of up to
   * `samples` members (entry + sds) times the size.
   */
  memoryUsage(samples: number): number {
    if (this.#ints !== null) return jemallocSize(INTSET_HEADER + this.#width * this.#n);
    const ht = this.#ht as DenseDict<null>;
    let total = DICT_STRUCT + BUCKET_PTR * this.#buckets;
    const n = Math.min(ht.size, samples);
    if (n > 0) {
      let sampled = 0;
      for (let i = 0; i < n; i++) sampled += DICT_ENTRY + sdsAllocBytes(ht.keyAt(i).length);
      total += (sampled / n) * ht.size;
    }
    return Math.floor(total);
  }
}
