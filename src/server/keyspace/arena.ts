// Off-heap record memory: a slab allocator over 1 MB segments.
//
// Every key's record (its key bytes and, for strings, its value bytes) lives here instead of
// in JS objects, so the garbage collector never sees per-key allocations: a node holding tens
// of millions of keys has a JS heap of a few megabytes and GC pauses of a few milliseconds.
//
// Layout, in the style of memcached's slabs and jemalloc's size classes:
//  - memory comes in segments of SEG_SIZE bytes (Buffers allocated outside V8's pools);
//  - each segment serves one size class at a time and is carved into equal slots;
//  - a freed slot goes on its segment's own free list and is the next one handed out in that
//    segment; segments with free slots form a per-class "partial" list;
//  - a segment whose last slot is freed goes back to a pool of empty segments, from which any
//    size class takes its next segment (segment-level reclaim: memory freed by one size class
//    is reused by another); empty segments beyond a small reserve are dropped so their memory
//    returns to the system;
//  - a record larger than the biggest class gets a buffer of its own ("huge"), sized exactly.
//
// Slab segments are SharedArrayBuffer memory, which V8 leaves out of its external-memory count
// (it counts an ArrayBuffer's bytes against a limit 64 MB above the count at the last full
// collection, and starts one when the limit is passed). The segments' growth is the keyspace's
// growth, not garbage: counted, it started about 3 full collections per 632K new keys on a
// replica, each 45-47 ms of background marking on its core and a 4-6 ms pause, which its
// replication lag showed as 30-40 ms spikes (ROADMAP, replication). A segment the arena drops
// (past the pool's reserve, or all of them at a reset) is still freed only when V8 collects its
// buffer, so the arena counts those bytes itself and asks for a full collection once
// RECLAIM_BYTES have been dropped, or RESET_RECLAIM_BYTES at a reset (lib/gc.ts). Huge records
// stay ordinary ArrayBuffers: they come and go with their keys (a SET over a 1 MB value
// allocates one and drops one), which is the garbage V8's count is for, and shared memory cost
// them the allocator's reuse (SET of 1 MB values: 40 % fewer a second, 30 MB more RSS).
//
// An address is a uint32. A slab address has bit 31 clear, the segment index in bits 17-30
// and the offset in 8-byte units in bits 0-16: 2^14 segments of 1 MB, so 16 GB of records up
// to 64 KB. A huge address has bit 31 set and an index into the huge-buffer table in the rest
// (2^31 of them, of any size). Addresses stay valid until freed; the caller keeps the address
// in its index and frees by address alone (the segment knows its class).

import { requestMajorGc } from '../../lib/gc.js';

export const SEG_SHIFT = 20;
export const SEG_SIZE = 1 << SEG_SHIFT;
const OFF_BITS = SEG_SHIFT - 3;
const OFF_MASK = (1 << OFF_BITS) - 1;
const MAX_SEGMENTS = 1 << (31 - OFF_BITS);
const HUGE_BIT = 0x80000000;
const HUGE_MASK = 0x7fffffff;

/** Largest record kept in a shared slab segment; bigger ones get a dedicated segment. */
export const MAX_CLASS_SIZE = 64 * 1024;
/** Segment class of an empty (pooled) segment. */
const EMPTY_SEG = -1;
/** Empty segments kept for reuse before further ones are dropped. */
const POOL_RESERVE = 8;

/** Bytes dropped after which a full collection is asked for, to return them to the system. */
export const RECLAIM_BYTES = 64 * 1024 * 1024;
/** The same at a reset (FLUSHALL, FLUSHDB of the last keys), which an operator runs to free memory. */
export const RESET_RECLAIM_BYTES = 8 * 1024 * 1024;

/** A segment of `size` bytes outside V8's external-memory count (see the header). */
function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Slot sizes: 8-byte steps to 256, then ~6-25 % steps up to MAX_CLASS_SIZE. */
const CLASS_SIZES: number[] = (() => {
  const out: number[] = [];
  for (let s = 8; s <= 256; s += 8) out.push(s);
  for (let s = 272; s <= 1024; s += 16) out.push(s);
  for (let s = 1088; s <= 4096; s += 64) out.push(s);
  for (let s = 4352; s <= 16384; s += 256) out.push(s);
  for (let s = 17408; s <= MAX_CLASS_SIZE; s += 1024) out.push(s);
  return out;
})();
const CLASS_COUNT = CLASS_SIZES.length;
/** Size class for each request size in 8-byte units (index = ceil(size / 8)). */
const CLASS_BY_UNITS: Uint8Array = (() => {
  const t = new Uint8Array(MAX_CLASS_SIZE / 8 + 1);
  let c = 0;
  for (let u = 0; u < t.length; u++) {
    while (CLASS_SIZES[c] < u * 8) c++;
    t[u] = c;
  }
  return t;
})();

export class Arena {
  /** Segment buffers by index; null for an index not in use. */
  readonly segs: (Buffer | null)[] = [];
  /** Buffers of huge records by index; null for an index not in use. */
  #huge: (Buffer | null)[] = [];
  #unusedHuge: number[] = [];
  #segClass = new Int16Array(64);
  #segLive = new Int32Array(64);
  /** Head of the segment's free-slot list (byte offset), or -1. */
  #segFree = new Int32Array(64);
  /** Byte offset of the segment's first never-used slot. */
  #segBump = new Int32Array(64);
  #segNext = new Int32Array(64);
  #segPrev = new Int32Array(64);
  /** Per class: first segment with a free slot, or -1. */
  #partial = new Int32Array(CLASS_COUNT).fill(-1);
  /** Empty pooled segments (indexes), and unused segment indexes. */
  #pool: number[] = [];
  #unusedIdx: number[] = [];

  /** Bytes of segments held (slab and dedicated), i.e. what the arena takes from the system. */
  reservedBytes = 0;
  /**
   * Bytes of slab segments held (in use or pooled): shared memory, which V8's external-memory
   * figure (process.memoryUsage().external) leaves out, so INFO adds it.
   */
  sharedBytes = 0;
  /** Bytes of slots handed out (class sizes, not requested sizes). */
  usedBytes = 0;
  /** Live records. */
  records = 0;
  /** Bytes dropped since the last collection asked for. */
  #dropped = 0;

  /** The slot size a request of `size` bytes occupies. */
  static capacityFor(size: number): number {
    return size <= MAX_CLASS_SIZE ? CLASS_SIZES[CLASS_BY_UNITS[(size + 7) >>> 3]] : (size + 7) & ~7;
  }

  /** Buffer holding the memory at an address. */
  buf(addr: number): Buffer {
    return (addr & HUGE_BIT) === 0 ? (this.segs[addr >>> OFF_BITS] as Buffer) : (this.#huge[addr & HUGE_MASK] as Buffer);
  }

  /** Byte offset of an address within its buffer. */
  off(addr: number): number {
    return (addr & HUGE_BIT) === 0 ? (addr & OFF_MASK) << 3 : 0;
  }

  /** Usable bytes at addr (the slot size, or the huge buffer's size). */
  capacity(addr: number): number {
    if ((addr & HUGE_BIT) !== 0) return (this.#huge[addr & HUGE_MASK] as Buffer).length;
    return CLASS_SIZES[this.#segClass[addr >>> OFF_BITS]];
  }

  /** Allocates at least `size` bytes (size >= 1) and returns the address. */
  alloc(size: number): number {
    if (size > MAX_CLASS_SIZE) return this.#allocHuge(size);
    const c = CLASS_BY_UNITS[(size + 7) >>> 3];
    const slot = CLASS_SIZES[c];
    let s = this.#partial[c];
    if (s < 0) s = this.#newSlabSegment(c);
    let off = this.#segFree[s];
    if (off >= 0) {
      this.#segFree[s] = (this.segs[s] as Buffer).readInt32LE(off);
    } else {
      off = this.#segBump[s];
      this.#segBump[s] = off + slot;
    }
    this.#segLive[s]++;
    if (this.#segFree[s] < 0 && this.#segBump[s] + slot > SEG_SIZE) this.#unlinkPartial(s, c);
    this.usedBytes += slot;
    this.records++;
    return ((s << OFF_BITS) | (off >>> 3)) >>> 0;
  }

  /** Returns the memory at addr to the allocator. */
  free(addr: number): void {
    this.records--;
    if ((addr & HUGE_BIT) !== 0) {
      const i = addr & HUGE_MASK;
      const b = this.#huge[i] as Buffer;
      this.usedBytes -= b.length;
      this.reservedBytes -= b.length;
      this.#huge[i] = null;
      this.#unusedHuge.push(i);
      return;
    }
    const s = addr >>> OFF_BITS;
    const c = this.#segClass[s];
    const slot = CLASS_SIZES[c];
    const off = (addr & OFF_MASK) << 3;
    const wasFull = this.#segFree[s] < 0 && this.#segBump[s] + slot > SEG_SIZE;
    (this.segs[s] as Buffer).writeInt32LE(this.#segFree[s], off);
    this.#segFree[s] = off;
    this.usedBytes -= slot;
    if (--this.#segLive[s] === 0) {
      if (!wasFull) this.#unlinkPartial(s, c);
      this.#release(s);
    } else if (wasFull) {
      this.#linkPartial(s, c);
    }
  }

  /** Drops every record at once (FLUSHALL): all segments go back to the system. */
  reset(): void {
    this.#drop(this.sharedBytes, RESET_RECLAIM_BYTES);
    this.segs.length = 0;
    this.#huge = [];
    this.#unusedHuge = [];
    this.#partial.fill(-1);
    this.#pool = [];
    this.#unusedIdx = [];
    this.reservedBytes = 0;
    this.sharedBytes = 0;
    this.usedBytes = 0;
    this.records = 0;
  }

  /**
   * MEMORY PURGE: gives the pooled empty segments back and asks for the full collection that
   * returns them, with every segment dropped before, to the system. Returns the bytes released.
   */
  purge(): number {
    const released = this.#pool.length * SEG_SIZE;
    for (const s of this.#pool) this.#dropSegment(s);
    this.#pool = [];
    this.#dropped = 0;
    requestMajorGc();
    return released;
  }

  /** Segments in use and pooled, for INFO / MEMORY STATS. */
  segmentCounts(): { slab: number; huge: number; pooled: number } {
    let slab = 0;
    for (let s = 0; s < this.segs.length; s++) if (this.segs[s] !== null && this.#segClass[s] >= 0) slab++;
    return { slab, huge: this.#huge.length - this.#unusedHuge.length, pooled: this.#pool.length };
  }

  // ---------------------------------------------------------------------------------------
  // Segments

  #newSlabSegment(c: number): number {
    let s = this.#pool.pop();
    if (s === undefined) {
      s = this.#newIndex();
      this.segs[s] = sharedBuffer(SEG_SIZE);
      this.reservedBytes += SEG_SIZE;
      this.sharedBytes += SEG_SIZE;
    }
    this.#segClass[s] = c;
    this.#segLive[s] = 0;
    this.#segFree[s] = -1;
    this.#segBump[s] = 0;
    this.#linkPartial(s, c);
    return s;
  }

  #allocHuge(size: number): number {
    let i = this.#unusedHuge.pop();
    if (i === undefined) {
      i = this.#huge.length;
      if (i > HUGE_MASK) throw new RangeError('arena address space exhausted');
      this.#huge.push(null);
    }
    const b = Buffer.allocUnsafeSlow((size + 7) & ~7);
    this.#huge[i] = b;
    this.reservedBytes += b.length;
    this.usedBytes += b.length;
    this.records++;
    return (HUGE_BIT | i) >>> 0;
  }

  #release(s: number): void {
    this.#segClass[s] = EMPTY_SEG;
    if (this.#pool.length < POOL_RESERVE) {
      this.#pool.push(s);
    } else {
      this.#dropSegment(s);
      this.#drop(SEG_SIZE, RECLAIM_BYTES);
    }
  }

  /** Lets go of empty segment s (its memory goes at V8's next full collection). */
  #dropSegment(s: number): void {
    this.segs[s] = null;
    this.reservedBytes -= SEG_SIZE;
    this.sharedBytes -= SEG_SIZE;
    this.#unusedIdx.push(s);
  }

  /** Counts dropped bytes; past `threshold`, asks for the collection that frees them. */
  #drop(bytes: number, threshold: number): void {
    this.#dropped += bytes;
    if (this.#dropped < threshold) return;
    this.#dropped = 0;
    requestMajorGc();
  }

  #newIndex(): number {
    const reused = this.#unusedIdx.pop();
    if (reused !== undefined) return reused;
    const s = this.segs.length;
    if (s >= MAX_SEGMENTS) throw new RangeError('arena address space exhausted');
    this.segs.push(null);
    if (s >= this.#segClass.length) this.#growSegTables(s * 2);
    return s;
  }

  #growSegTables(n: number): void {
    const grow = <T extends Int16Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#segClass = grow(this.#segClass, (k) => new Int16Array(k));
    this.#segLive = grow(this.#segLive, (k) => new Int32Array(k));
    this.#segFree = grow(this.#segFree, (k) => new Int32Array(k));
    this.#segBump = grow(this.#segBump, (k) => new Int32Array(k));
    this.#segNext = grow(this.#segNext, (k) => new Int32Array(k));
    this.#segPrev = grow(this.#segPrev, (k) => new Int32Array(k));
  }

  #linkPartial(s: number, c: number): void {
    const head = this.#partial[c];
    this.#segPrev[s] = -1;
    this.#segNext[s] = head;
    if (head >= 0) this.#segPrev[head] = s;
    this.#partial[c] = s;
  }

  #unlinkPartial(s: number, c: number): void {
    const p = this.#segPrev[s];
    const n = this.#segNext[s];
    if (p >= 0) this.#segNext[p] = n;
    else this.#partial[c] = n;
    if (n >= 0) this.#segPrev[n] = p;
  }
}
