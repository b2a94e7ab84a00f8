// ListValue: the value of a list key. Storage only — it answers with values; the list handlers
// (src/server/handlers/lists*.ts) turn them into replies.
//
// Elements are latin1 strings (one char per byte: binary-safe, and in V8 one byte per char)
// kept in a ring buffer whose capacity is a power of two, so both ends push and pop in O(1),
// any index is read or replaced in O(1), and the ring halves when a drained list leaves it
// mostly empty. Changes in the middle cost O(n) at worst, as in Redis: an insert shifts the
// shorter side, a removal (LREM) compacts the whole list in one pass.
//
// Redis 7.0 always encodes lists as a quicklist: a linked list of listpack nodes, each filled
// up to list-max-listpack-size (a byte budget when negative, an entry count when positive),
// optionally LZF-compressed list-compress-depth nodes away from the ends. Those knobs change
// only memory, never replies, so this class keeps a flat deque and uses the fill it was created
// with (Redis fixes it per list at creation) only to model MEMORY USAGE.

import { jemallocSize as allocSize, listpackEntryBytes } from './alloc-model.js';
import { LIST_BASE, SLOT_BYTES, stringBytes } from './heap-cost.js';
import { PACK_MAX_BYTES, PACK_MAX_ELEMENTS, packedStringSize, reader, unzigzag, varintSize, writePackedString, writeVarint, zigzag } from './packed.js';
/** Smallest ring capacity (a power of two). */
const MIN_CAPACITY = 8;

// ---------------------------------------------------------------------------------------------
// The memory model (Redis 7.0 quicklist of listpacks, jemalloc size classes)

/** sizeof(quicklist) on 64-bit Redis 7.0. */
const QUICKLIST_HEADER = 40;
/** sizeof(quicklistNode) on 64-bit Redis 7.0. */
const QUICKLIST_NODE = 40;
/** A listpack's total-bytes + count header and its end byte. */
const LP_OVERHEAD = 7;
/** quicklist's per-entry overestimate when deciding whether an element fits a node. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** A count-limited node (positive fill) still never grows past this many bytes. */
const SIZE_SAFETY_LIMIT = 8192;
/** Longest list whose MEMORY USAGE counts its nodes exactly (walks every element). */
const EXACT_NODE_COUNT_LIMIT = 1_000_000;
/** Byte budget of a node for fill -1 .. -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];

/** Whether a quicklist node holding `bytes` in `count` entries may take an element of elemLen bytes. */
function nodeAllows(fill: number, bytes: number, count: number, elemLen: number): boolean {
  const newSize = bytes + elemLen + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const level = Math.min(-fill, OPTIMIZATION_LEVEL.length) - 1;
    return newSize <= OPTIMIZATION_LEVEL[level];
  }
  return newSize <= SIZE_SAFETY_LIMIT && count < fill;
}

// ---------------------------------------------------------------------------------------------

export class ListValue {
  #ring: (string | undefined)[];
  #mask: number;
  #head = 0;
  #len = 0;
  /** list-max-listpack-size when the list was created (memory model only). */
  readonly #fill: number;
  /** Heap bytes of the element strings (heap-cost.ts), kept up to date by every mutator. */
  #strBytes = 0;

  /** An empty list; fill is list-max-listpack-size at creation. */
  constructor(fill = -2, capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.#ring = new Array<string | undefined>(cap);
    this.#mask = cap - 1;
    this.#fill = fill;
  }

  /** OBJECT ENCODING: Redis 7.0 encodes every list as a quicklist. */
  get encoding(): string {
    return 'quicklist';
  }

  get length(): number {
    return this.#len;
  }

  /** Estimated heap bytes of the whole value (maxmemory accounting; O(1), see heap-cost.ts). */
  get bytes(): number {
    return LIST_BASE + this.#ring.length * SLOT_BYTES + this.#strBytes;
  }

  // -------------------------------------------------------------------------------------------
  // Ends

  pushHead(s: string): void {
    if (this.#len === this.#ring.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#ring[this.#head] = s;
    this.#len++;
    this.#strBytes += stringBytes(s.length);
  }

  pushTail(s: string): void {
    if (this.#len === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#len) & this.#mask] = s;
    this.#len++;
    this.#strBytes += stringBytes(s.length);
  }

  /** Removes and returns the first element, or undefined when empty. */
  popHead(): string | undefined {
    if (this.#len === 0) return undefined;
    const s = this.#ring[this.#head] as string;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#len--;
    this.#strBytes -= stringBytes(s.length);
    this.#maybeShrink();
    return s;
  }

  /** Removes and returns the last element, or undefined when empty. */
  popTail(): string | undefined {
    if (this.#len === 0) return undefined;
    const p = (this.#head + this.#len - 1) & this.#mask;
    const s = this.#ring[p] as string;
    this.#ring[p] = undefined;
    this.#len--;
    this.#strBytes -= stringBytes(s.length);
    this.#maybeShrink();
    return s;
  }

  // -------------------------------------------------------------------------------------------
  // Positions (0-based from the head; callers pass 0 <= i < length unless said otherwise)

  at(i: number): string {
    return this.#ring[(this.#head + i) & this.#mask] as string;
  }

  /** Replaces the element at position i with s. */
  set(i: number, s: string): void {
    this.#strBytes += stringBytes(s.length) - stringBytes(this.at(i).length);
    this.#put(i, s);
  }

  /** Writes slot i (moves inside the ring; no accounting). */
  #put(i: number, s: string): void {
    this.#ring[(this.#head + i) & this.#mask] = s;
  }

  /** Position of the first element equal to s from the head, or -1. */
  indexOf(s: string): number {
    for (let i = 0; i < this.#len; i++) if (this.at(i) === s) return i;
    return -1;
  }

  /** Inserts s so that it ends up at position i (0 <= i <= length), shifting the shorter side. */
  insert(i: number, s: string): void {
    if (i === 0) return this.pushHead(s);
    if (i === this.#len) return this.pushTail(s);
    if (this.#len === this.#ring.length) this.#grow();
    if (i < this.#len / 2) {
      // Move elements [0, i) one step towards the head.
      this.#head = (this.#head - 1) & this.#mask;
      for (let j = 0; j < i; j++) this.#put(j, this.at(j + 1));
    } else {
      // Move elements [i, len) one step towards the tail.
      for (let j = this.#len; j > i; j--) this.#put(j, this.at(j - 1));
    }
    this.#put(i, s);
    this.#len++;
    this.#strBytes += stringBytes(s.length);
  }

  /** Removes the first `head` and the last `tail` elements (head + tail <= length). */
  trim(head: number, tail: number): void {
    for (let j = 0; j < head; j++) this.#drop(j);
    for (let j = this.#len - tail; j < this.#len; j++) this.#drop(j);
    this.#head = (this.#head + head) & this.#mask;
    this.#len -= head + tail;
    this.#maybeShrink();
  }

  /**
   * Removes up to `limit` elements equal to s (limit 0: all), scanning from the tail when
   * fromTail, else from the head, and stopping at the limit. Returns how many were removed;
   * the others keep their order. The survivors on the shorter side of the removed span move.
   */
  remove(s: string, limit: number, fromTail: boolean): number {
    const n = this.#len;
    const hits: number[] = []; // positions to remove
    if (fromTail) {
      for (let j = n - 1; j >= 0 && (limit === 0 || hits.length < limit); j--) if (this.at(j) === s) hits.push(j);
      hits.reverse();
    } else {
      for (let j = 0; j < n && (limit === 0 || hits.length < limit); j++) if (this.at(j) === s) hits.push(j);
    }
    const k = hits.length;
    if (k === 0) return 0;
    const first = hits[0];
    const last = hits[k - 1];
    if (last < n - first) {
      // Close the gaps by moving the elements before `last` towards the tail.
      let w = last;
      let h = k - 1;
      for (let j = last; j >= 0; j--) {
        if (h >= 0 && hits[h] === j) h--;
        else this.#put(w--, this.at(j));
      }
      for (let j = 0; j < k; j++) this.#ring[(this.#head + j) & this.#mask] = undefined;
      this.#head = (this.#head + k) & this.#mask;
    } else {
      // Close the gaps by moving the elements after `first` towards the head.
      let w = first;
      let h = 0;
      for (let j = first; j < n; j++) {
        if (h < k && hits[h] === j) h++;
        else this.#put(w++, this.at(j));
      }
      for (let j = w; j < n; j++) this.#ring[(this.#head + j) & this.#mask] = undefined;
    }
    this.#len = n - k;
    this.#strBytes -= k * stringBytes(s.length);
    this.#maybeShrink();
    return k;
  }

  /** The elements [start, end] (inclusive, 0 <= start <= end < length) in order. */
  range(start: number, end: number): string[] {
    const out = new Array<string>(end - start + 1);
    for (let j = start; j <= end; j++) out[j - start] = this.at(j);
    return out;
  }

  /** All elements from head to tail. */
  toArray(): string[] {
    return this.#len === 0 ? [] : this.range(0, this.#len - 1);
  }

  // -------------------------------------------------------------------------------------------
  // Packed form (packed.ts): zigzag(fill), count, then the elements from head to tail

  /** Bytes of the packed form, or -1 when the list stays an object (too long or too big). */
  packedSize(): number {
    const len = this.#len;
    if (len > PACK_MAX_ELEMENTS) return -1;
    let n = varintSize(zigzag(this.#fill)) + varintSize(len);
    for (let j = 0; j < len; j++) n += packedStringSize(this.at(j));
    return n <= PACK_MAX_BYTES ? n : -1;
  }

  /** Writes the packed form (packedSize() bytes) at b[off]. */
  pack(b: Buffer, off: number): void {
    off = writeVarint(b, off, zigzag(this.#fill));
    off = writeVarint(b, off, this.#len);
    for (let j = 0; j < this.#len; j++) off = writePackedString(b, off, this.at(j));
  }

  /** The list packed at b[off]. */
  static unpack(b: Buffer, off: number): ListValue {
    const r = reader.at(b, off);
    const fill = unzigzag(r.varint());
    const n = r.varint();
    const l = new ListValue(fill, n);
    const ring = l.#ring;
    let strBytes = 0;
    for (let j = 0; j < n; j++) {
      const s = r.string();
      ring[j] = s;
      strBytes += stringBytes(s.length);
    }
    l.#len = n;
    l.#strBytes = strBytes;
    return l;
  }

  /** A deep copy (COPY): same elements, same creation fill. */
  clone(): ListValue {
    const copy = new ListValue(this.#fill, this.#len);
    for (let j = 0; j < this.#len; j++) copy.pushTail(this.at(j));
    return copy;
  }

  // -------------------------------------------------------------------------------------------
  // MEMORY USAGE

  /**
   * Estimated bytes of the value beyond its object header, as Redis 7.0 computes it for a
   * quicklist: sizeof(quicklist) plus the average size of the first `samples` nodes (node
   * header and listpack allocation) times the number of nodes. The nodes are modelled by
   * packing the elements from the head with the list's fill rule, which is what RPUSH and
   * LPUSH build; lists changed in the middle are split differently by Redis, so their figure
   * is approximate. Compression (list-compress-depth) is not modelled. Lists longer than
   * EXACT_NODE_COUNT_LIMIT extrapolate the node count from the sampled nodes instead of
   * walking every element.
   */
  memoryUsage(samples: number): number {
    samples = Math.max(1, samples);
    const n = this.#len;
    if (n === 0) return QUICKLIST_HEADER;
    const fill = this.#fill;
    let nodes = 0; // nodes completed so far
    let sampledBytes = 0; // node headers and listpack allocations of the first `samples` nodes
    let sampledElems = 0; // elements in them
    let bytes = LP_OVERHEAD; // the node being filled
    let count = 0;
    const closeNode = (): void => {
      if (nodes < samples) {
        sampledBytes += QUICKLIST_NODE + allocSize(bytes);
        sampledElems += count;
      }
      nodes++;
    };
    const walkAll = n <= EXACT_NODE_COUNT_LIMIT;
    let j = 0;
    for (; j < n; j++) {
      const s = this.at(j);
      if (count > 0 && !nodeAllows(fill, bytes, count, s.length)) {
        closeNode();
        bytes = LP_OVERHEAD;
        count = 0;
        if (!walkAll && nodes >= samples) break;
      }
      bytes += listpackEntryBytes(s);
      count++;
    }
    if (j === n) closeNode();
    const sampled = Math.min(nodes, samples);
    // Extrapolated from the elements per sampled node when the walk stopped early.
    const total = j === n ? nodes : Math.ceil((n * sampled) / sampledElems);
    // Redis's floating-point formula: average node size times node count, truncated.
    return QUICKLIST_HEADER + Math.floor((sampledBytes / sampled) * total);
  }

  // -------------------------------------------------------------------------------------------
  // Ring management

  /** Empties slot i (an element being removed), taking its string out of the accounting. */
  #drop(i: number): void {
    const p = (this.#head + i) & this.#mask;
    this.#strBytes -= stringBytes((this.#ring[p] as string).length);
    this.#ring[p] = undefined;
  }

  #grow(): void {
    this.#resize(this.#ring.length * 2);
  }

  /**
   * Shrinks the ring once it is at most 1/8 full (halving until it is not, never below
   * 4 * MIN_CAPACITY), so a drained or trimmed list gives its memory back. Pushes and pops
   * alternating at a size boundary do not thrash: growth doubles at full, shrinking needs 1/8.
   */
  #maybeShrink(): void {
    let cap = this.#ring.length;
    if (cap <= MIN_CAPACITY * 4 || this.#len > cap / 8) return;
    while (cap > MIN_CAPACITY * 4 && this.#len <= cap / 8) cap /= 2;
    this.#resize(cap);
  }

  #resize(cap: number): void {
    const ring = new Array<string | undefined>(cap);
    for (let j = 0; j < this.#len; j++) ring[j] = this.at(j);
    this.#ring = ring;
    this.#mask = cap - 1;
    this.#head = 0;
  }
}
