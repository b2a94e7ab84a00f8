// HashValue: the value object of a hash key, in Redis 7.0's two encodings.
//
//  - "listpack": a flat array [f1, v1, f2, v2, ...] in Redis's listpack order (insertion order;
//    an updated field keeps its place, a deleted pair closes the gap). HGETALL, HKEYS, HVALS,
//    HSCAN and HRANDFIELD with a count >= the size answer in this order, so Shoal's replies
//    match Redis's byte for byte for small hashes. Look-ups are linear, as in Redis.
//  - "hashtable": a DenseDict (O(1) look-up, uniform random position, SCAN cursor).
//
// Conversion is one-way (listpack -> hashtable), at the points t_hash.c converts:
//  - tryConversion(): before HSET/HMSET/HSETNX write, when an argument is longer than
//    hash-max-listpack-value (hashTypeTryConversion);
//  - set(): before inserting a field or value longer than hash-max-listpack-value (the check
//    hashTypeSet makes for HINCRBY/HINCRBYFLOAT), and after an insert that takes the size past
//    hash-max-listpack-entries.
// The thresholds come from the caller (HashLimits): storage knows no configuration.
//
// Elements are latin1 strings (one char per byte), so they are binary safe and copy nothing
// the caller still holds.

import { DenseDict } from './dict.js';
import { dictTableSize, jemallocSize, listpackEntryBytes, sdsAllocBytes } from './alloc-model.js';
import { DICT_ENTRY_BYTES, HASH_HT_BASE, HASH_LP_BASE, HASH_LP_FIELD, stringBytes } from './heap-cost.js';
import { PACK_MAX_BYTES, PACK_MAX_ELEMENTS, packedStringSize, reader, varintSize, writePackedString, writeVarint } from './packed.js';

/** The encoding thresholds in force when a hash is written (hash-max-listpack-*). */
export interface HashLimits {
  /** hash-max-listpack-entries: most fields a listpack hash holds. */
  readonly maxEntries: number;
  /** hash-max-listpack-value: longest field or value (bytes) a listpack hash holds. */
  readonly maxValue: number;
}

// ---------------------------------------------------------------------------------------
// MEMORY USAGE model constants (Redis 7.0, 64-bit, jemalloc 5.3)

/** Listpack header (total bytes + element count) plus the end-of-listpack byte. */
const LP_OVERHEAD = 7;
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

// ---------------------------------------------------------------------------------------

/** HashValue.packedFind's second result: the length of the value found. */
export const packedFound = { len: 0 };

export class HashValue {
  /** Listpack encoding: fields and values interleaved; null once converted. */
  #lp: string[] | null = [];
  /** Hashtable encoding; null while a listpack. */
  #ht: DenseDict<string> | null = null;
  /** Bucket count Redis's dict would have (MEMORY USAGE only; incremental rehash not modelled). */
  #buckets = 0;
  /** Heap bytes of the field and value strings (heap-cost.ts), kept up to date by every mutator. */
  #strBytes = 0;

  /** OBJECT ENCODING's name for the current encoding. */
  get encoding(): string {
    return this.#lp !== null ? 'listpack' : 'hashtable';
  }

  /** Estimated heap bytes of the whole value (maxmemory accounting; O(1), see heap-cost.ts). */
  get bytes(): number {
    const n = this.size;
    return this.#lp !== null
      ? HASH_LP_BASE + n * HASH_LP_FIELD + this.#strBytes
      : HASH_HT_BASE + n * DICT_ENTRY_BYTES + this.#strBytes;
  }

  /** Number of fields. */
  get size(): number {
    return this.#lp !== null ? this.#lp.length >> 1 : (this.#ht as DenseDict<string>).size;
  }

  /** True while the hash is listpack-encoded (ordered, small). */
  get isListpack(): boolean {
    return this.#lp !== null;
  }

  /** Position of field's name in the listpack array, or -1. */
  #lpIndex(lp: string[], field: string): number {
    for (let i = 0; i < lp.length; i += 2) if (lp[i] === field) return i;
    return -1;
  }

  /** The value of field, or undefined. */
  get(field: string): string | undefined {
    const lp = this.#lp;
    if (lp !== null) {
      const i = this.#lpIndex(lp, field);
      return i < 0 ? undefined : lp[i + 1];
    }
    return (this.#ht as DenseDict<string>).get(field);
  }

  has(field: string): boolean {
    return this.get(field) !== undefined;
  }

  /**
   * hashTypeTryConversion: a listpack hash about to receive arguments of which the longest is
   * `longest` bytes becomes a hashtable if that exceeds limits.maxValue.
   */
  tryConversion(longest: number, limits: HashLimits): void {
    if (this.#lp !== null && longest > limits.maxValue) this.#convert();
  }

  /**
   * Sets field to value. Returns true if the field was added, false if it existed (its value
   * is replaced; in a listpack it keeps its position). Converts to hashtable as hashTypeSet
   * does: before the write when field or value is too long, after it when the hash has more
   * than limits.maxEntries fields.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.#lp !== null && (field.length > limits.maxValue || value.length > limits.maxValue)) this.#convert();
    const lp = this.#lp;
    if (lp !== null) {
      const i = this.#lpIndex(lp, field);
      if (i >= 0) {
        this.#strBytes += stringBytes(value.length) - stringBytes(lp[i + 1].length);
        lp[i + 1] = value;
        return false;
      }
      lp.push(field, value);
      this.#strBytes += stringBytes(field.length) + stringBytes(value.length);
      if (lp.length >> 1 > limits.maxEntries) this.#convert();
      return true;
    }
    const ht = this.#ht as DenseDict<string>;
    const old = ht.get(field);
    if (old !== undefined) {
      this.#strBytes += stringBytes(value.length) - stringBytes(old.length);
      ht.set(field, value);
      return false;
    }
    // _dictExpandIfNeeded runs before the insert: a full table doubles.
    if (ht.size >= this.#buckets) this.#buckets = dictTableSize(ht.size + 1);
    ht.set(field, value);
    this.#strBytes += stringBytes(field.length) + stringBytes(value.length);
    return true;
  }

  /** Removes field; returns whether it existed. The caller deletes the key when size hits 0. */
  delete(field: string): boolean {
    const lp = this.#lp;
    if (lp !== null) {
      const i = this.#lpIndex(lp, field);
      if (i < 0) return false;
      this.#strBytes -= stringBytes(lp[i].length) + stringBytes(lp[i + 1].length);
      lp.splice(i, 2);
      return true;
    }
    const ht = this.#ht as DenseDict<string>;
    const old = ht.get(field);
    if (old === undefined) return false;
    ht.delete(field);
    this.#strBytes -= stringBytes(field.length) + stringBytes(old.length);
    // hashTypeDelete resizes the dict when it falls under 10% full.
    if (this.#buckets > DICT_MIN_BUCKETS && ht.size * 100 < DICT_MIN_FILL * this.#buckets) {
      this.#buckets = dictTableSize(ht.size);
    }
    return true;
  }

  /** Converts to hashtable, keeping the listpack order as the dense order; presized as Redis does. */
  #convert(): void {
    const lp = this.#lp as string[];
    const ht = new DenseDict<string>();
    for (let i = 0; i < lp.length; i += 2) ht.set(lp[i], lp[i + 1]);
    this.#buckets = dictTableSize(ht.size);
    this.#ht = ht;
    this.#lp = null;
  }

  /** The field at iteration position i (0 <= i < size): listpack order, or dense order. */
  fieldAt(i: number): string {
    return this.#lp !== null ? this.#lp[2 * i] : (this.#ht as DenseDict<string>).keyAt(i);
  }

  /** The value at iteration position i (0 <= i < size). */
  valueAt(i: number): string {
    return this.#lp !== null ? this.#lp[2 * i + 1] : (this.#ht as DenseDict<string>).valueAt(i);
  }

  /**
   * One HSCAN step from `cursor`, visiting about `count` fields; returns the next cursor (0
   * when done). A listpack is visited whole in one step with cursor 0, whatever the cursor, as
   * Redis does. A hashtable keeps DenseDict's guarantee: a field present for the whole
   * iteration is visited at least once.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    const lp = this.#lp;
    if (lp !== null) {
      for (let i = 0; i < lp.length; i += 2) visit(lp[i], lp[i + 1]);
      return 0;
    }
    return (this.#ht as DenseDict<string>).scan(cursor, count, visit);
  }

  // -------------------------------------------------------------------------------------
  // Packed form (packed.ts). A listpack: 0, count, then field and value strings in listpack
  // order. A small hashtable: 1, Redis's bucket count (MEMORY USAGE), count, then the pairs in
  // dense order, so the unpacked dict has the same positions and HSCAN cursors stay valid.

  /** Bytes of the packed form, or -1 when the hash stays an object (too big). */
  packedSize(): number {
    const lp = this.#lp;
    let n: number;
    if (lp !== null) {
      if (lp.length > PACK_MAX_ELEMENTS) return -1;
      n = 1 + varintSize(lp.length >> 1);
      for (let i = 0; i < lp.length; i++) n += packedStringSize(lp[i]);
    } else {
      const ht = this.#ht as DenseDict<string>;
      if (2 * ht.size > PACK_MAX_ELEMENTS) return -1;
      n = 1 + varintSize(this.#buckets) + varintSize(ht.size);
      const keys = ht.keys();
      const vals = ht.values();
      for (let i = 0; i < keys.length; i++) n += packedStringSize(keys[i]) + packedStringSize(vals[i]);
    }
    return n <= PACK_MAX_BYTES ? n : -1;
  }

  /** Writes the packed form (packedSize() bytes) at b[off]. */
  pack(b: Buffer, off: number): void {
    const lp = this.#lp;
    if (lp !== null) {
      b[off++] = 0;
      off = writeVarint(b, off, lp.length >> 1);
      for (let i = 0; i < lp.length; i++) off = writePackedString(b, off, lp[i]);
      return;
    }
    const ht = this.#ht as DenseDict<string>;
    const keys = ht.keys();
    const vals = ht.values();
    b[off++] = 1;
    off = writeVarint(b, off, this.#buckets);
    off = writeVarint(b, off, keys.length);
    for (let i = 0; i < keys.length; i++) {
      off = writePackedString(b, off, keys[i]);
      off = writePackedString(b, off, vals[i]);
    }
  }

  /**
   * The value of field f in the hash packed at b[off], found without unpacking (HGET, HEXISTS
   * on a packed hash): its offset in b, its length left in `packedFound.len`; -1 if absent.
   */
  static packedFind(b: Buffer, off: number, f: Uint8Array): number {
    const r = reader.at(b, off + 1);
    if (b[off] !== 0) r.varint(); // a hashtable's bucket count
    const n = r.varint();
    const fl = f.length;
    for (let i = 0; i < n; i++) {
      const kl = r.varint();
      const k = r.p;
      r.p = k + kl;
      const vl = r.varint();
      const v = r.p;
      r.p = v + vl;
      if (kl !== fl) continue;
      let j = 0;
      while (j < fl && b[k + j] === f[j]) j++;
      if (j === fl) {
        packedFound.len = vl;
        return v;
      }
    }
    return -1;
  }

  /** The hash packed at b[off]. */
  static unpack(b: Buffer, off: number): HashValue {
    const r = reader.at(b, off + 1);
    const h = new HashValue();
    let strBytes = 0;
    if (b[off] === 0) {
      const n = 2 * r.varint();
      const lp = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const s = r.string();
        lp[i] = s;
        strBytes += stringBytes(s.length);
      }
      h.#lp = lp;
    } else {
      h.#buckets = r.varint();
      const n = r.varint();
      const keys = new Array<string>(n);
      const vals = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const f = r.string();
        const v = r.string();
        keys[i] = f;
        vals[i] = v;
        strBytes += stringBytes(f.length) + stringBytes(v.length);
      }
      h.#lp = null;
      h.#ht = DenseDict.fromArrays(keys, vals);
    }
    h.#strBytes = strBytes;
    return h;
  }

  /** A deep copy (COPY): same encoding, same order. */
  clone(): HashValue {
    const h = new HashValue();
    h.#lp = this.#lp === null ? null : this.#lp.slice();
    h.#ht = this.#ht === null ? null : this.#ht.clone();
    h.#buckets = this.#buckets;
    h.#strBytes = this.#strBytes;
    return h;
  }

  /**
   * MEMORY USAGE's figure for the value, without the object header: for a listpack, the
   * allocation of the listpack bytes (exact, as Redis's zmalloc_size of it); for a hashtable,
   * the dict and its bucket array plus the average of the first `samples` entries (field
   * sds, value sds, dictEntry) times the number of fields, as objectComputeSize does.
   */
  memoryUsage(samples: number): number {
    const lp = this.#lp;
    if (lp !== null) {
      let bytes = LP_OVERHEAD;
      for (const s of lp) bytes += listpackEntryBytes(s);
      return jemallocSize(bytes);
    }
    const ht = this.#ht as DenseDict<string>;
    let total = DICT_STRUCT + BUCKET_PTR * this.#buckets;
    const n = Math.min(ht.size, samples);
    if (n > 0) {
      let sampled = 0;
      for (let i = 0; i < n; i++) {
        sampled += sdsAllocBytes(ht.keyAt(i).length) + sdsAllocBytes(ht.valueAt(i).length) + DICT_ENTRY;
      }
      total += (sampled / n) * ht.size;
    }
    return Math.floor(total);
  }
}
