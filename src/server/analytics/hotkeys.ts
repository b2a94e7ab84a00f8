// Hot-key detection: which keys are accessed most, and how often, right now.
//
// A Count-Min sketch estimates every key's access count in a fixed 1 MB (4 rows x 2^14
// columns, two counters per cell); a min-heap keeps the K keys with the highest estimates.
// Unlike the per-key LFU counter it works under every maxmemory-policy, counts keys that do
// not exist (a missed key hammered by clients is a hot key too), and can name the hottest keys
// without walking the keyspace.
//
// Each cell holds two counters:
//  - a decayed one, halved every `halfLifeMs` (aging), so "hot" means recent: it ranks the
//    heap and gives the access rate;
//  - a plain one, never decayed: accesses since tracking started (or HOTKEYS RESET).
// Both use the conservative update (only the cells at the key's current minimum grow), which
// keeps the never-under-count guarantee of Count-Min and removes most of its over-count.
//
// Cost per access: one MurmurHash3 of the key, four cells read and written, one comparison
// with the heap's minimum. Keys that do not beat that minimum stop there: no allocation, no
// lookup. Keys that do (the hot ones) also probe a small open-addressing table for their heap
// entry and sift it; a key's bytes are copied (to a latin1 string) only when it enters the
// heap. Measured on GET through the in-process dispatch path this is still roughly 10-20 %
// of the command's cost, which is why tracking is off by default (hotkeys-tracking).
//
// Rate estimate: the decayed counter of a key accessed r times a second is r times the
// decayed length of the observation ("window"), which the sketch tracks the same way (the
// window grows with time and is halved with the counters). So rate = counter / window, exact
// for a steady rate and weighted towards the last few half-lives otherwise.

import type { Config } from '../config/config.js';
import type { Database } from '../keyspace/database.js';
import { hashBytes } from '../keyspace/hash.js';
import type { Keyspace } from '../keyspace/keyspace.js';

/** log2 of the columns per row, and the rows (independent hash functions). */
const WIDTH_BITS = 14;
const DEPTH = 4;
/** Default half-life of the decayed counters: "hot" means the last 10-20 seconds. */
export const HOTKEYS_HALF_LIFE_MS = 10_000;
/** Default number of keys the heap keeps (config hotkeys-top-k). */
export const HOTKEYS_DEFAULT_K = 32;
/** Below this observation window (ms) rates are computed over this much. */
const MIN_WINDOW_MS = 1;
/** Halvings after which every counter is 0 for practical purposes. */
const MAX_HALVINGS = 64;
/**
 * A key enters a full heap only when its estimate beats the minimum by this fraction plus
 * one access. Without a margin, keys of near-equal counts (a flat workload, or the crowd of
 * Count-Min estimates inflated to the same level by collisions) would replace each other on
 * almost every access, each time copying a key; those are not hot keys in any useful sense.
 * A hot key's estimate runs away from the crowd and enters at once.
 */
export const ADMIT_MARGIN = 1 / 8;

export interface HotKeySketchOptions {
  /** Keys kept in the top-K heap. */
  topK?: number;
  /** Half-life of the decayed counters, in ms. */
  halfLifeMs?: number;
  /** The time tracking starts (ms, the node's clock). */
  now: number;
  /** log2 of the columns per row (tests use small sketches to force collisions). */
  widthBits?: number;
}

/** One hot key as HOTKEYS reports it. */
export interface HotKey {
  db: number;
  /** The key's bytes as a latin1 string (one char per byte). */
  key: string;
  /** Estimated accesses per second over the decayed window. */
  rate: number;
  /** Decayed access count (what ranks the keys). */
  weight: number;
  /** Estimated accesses since tracking started or was reset (never under the true count). */
  total: number;
}

/**
 * The Count-Min sketch plus top-K heap. Time is passed in (`now`, ms), never read: the node
 * passes the time of the command being run, tests pass a fake one.
 */
export class HotKeySketch {
  readonly halfLifeMs: number;
  readonly #mask: number;
  readonly #width: number;
  /** Cell (row r, column j) is at 2 * (r * width + j): [decayed, total]. */
  readonly #cells: Float64Array;
  /** Scratch: the four cell offsets of the key being recorded. */
  readonly #at = new Int32Array(DEPTH);
  /**
   * Scratch: the key's new estimates [weight, total], handed to #offer through memory rather
   * than as arguments, so that no double is boxed (allocated) on the way.
   */
  readonly #est = new Float64Array(2);

  // Heap entries live in slots 0..K-1 (parallel arrays); #heap orders slot numbers as a
  // min-heap by #weight; #table finds a slot by (hash, db, key) without allocating.
  #k: number;
  #size = 0;
  #hash: Uint32Array;
  #db: Int32Array;
  #key: string[];
  #weight: Float64Array;
  #total: Float64Array;
  #pos: Int32Array;
  #heap: Int32Array;
  #table: Int32Array;
  #tmask: number;

  /** Start of the current aging period; the next halving is due at #ageAt + halfLifeMs. */
  #ageAt: number;
  #nextAge: number;
  /** Decayed observation window (ms) as of #ageAt. */
  #windowMs = 0;
  /** Accesses recorded since tracking started or was reset. */
  #accesses = 0;
  #startedAt: number;

  constructor(opts: HotKeySketchOptions) {
    const bits = opts.widthBits ?? WIDTH_BITS;
    this.#width = 1 << bits;
    this.#mask = this.#width - 1;
    this.#cells = new Float64Array(2 * DEPTH * this.#width);
    this.halfLifeMs = opts.halfLifeMs ?? HOTKEYS_HALF_LIFE_MS;
    this.#ageAt = opts.now;
    this.#nextAge = opts.now + this.halfLifeMs;
    this.#startedAt = opts.now;
    this.#k = Math.max(1, opts.topK ?? HOTKEYS_DEFAULT_K);
    this.#hash = new Uint32Array(this.#k);
    this.#db = new Int32Array(this.#k);
    this.#key = new Array<string>(this.#k).fill('');
    this.#weight = new Float64Array(this.#k);
    this.#total = new Float64Array(this.#k);
    this.#pos = new Int32Array(this.#k);
    this.#heap = new Int32Array(this.#k);
    this.#tmask = tableSize(this.#k) - 1;
    this.#table = new Int32Array(this.#tmask + 1).fill(-1);
  }

  /** Keys the heap keeps. */
  get topK(): number {
    return this.#k;
  }

  /** Accesses recorded since tracking started or was reset. */
  get accesses(): number {
    return this.#accesses;
  }

  /** When tracking started or was last reset (ms). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Bytes of the typed arrays (the sketch's fixed cost). */
  get bytes(): number {
    return this.#cells.byteLength + this.#k * 36 + this.#table.byteLength;
  }

  // ---------------------------------------------------------------------------------------
  // Recording

  /**
   * Counts one access to `key` in database `db` at time `now`. Allocates only when the key
   * enters the top-K heap (its bytes are copied then); `key` may be a view into a reused
   * buffer.
   */
  record(db: number, key: Uint8Array, now: number): void {
    if (now >= this.#nextAge) this.#age(now);
    this.#accesses++;
    const h = keyHash(db, key);
    const cells = this.#cells;
    const at = this.#at;
    const width = this.#width;
    const mask = this.#mask;
    const h2 = fmix(h ^ 0x7f4a7c15) | 1;
    let w = Infinity;
    let t = Infinity;
    for (let r = 0; r < DEPTH; r++) {
      const o = 2 * (r * width + ((h + Math.imul(r, h2)) & mask));
      at[r] = o;
      if (cells[o] < w) w = cells[o];
      if (cells[o + 1] < t) t = cells[o + 1];
    }
    w += 1;
    t += 1;
    for (let r = 0; r < DEPTH; r++) {
      const o = at[r];
      if (cells[o] < w) cells[o] = w;
      if (cells[o + 1] < t) cells[o + 1] = t;
    }
    // A key already in the heap has a weight there no larger than its previous estimate,
    // which is below w: so w <= the heap's minimum means the key is not in the heap and does
    // not enter it.
    if (this.#size === this.#k && w <= this.#weight[this.#heap[0]]) return;
    this.#est[0] = w;
    this.#est[1] = t;
    this.#offer(h, db, key);
  }

  /**
   * The heap step of record(), for the estimates in #est: update the key's entry, or insert
   * it, or replace the minimum.
   */
  #offer(h: number, db: number, key: Uint8Array): void {
    const w = this.#est[0];
    const t = this.#est[1];
    const found = this.#find(h, db);
    if (found >= 0) {
      this.#weight[found] = w;
      this.#total[found] = t;
      this.#siftDown(this.#pos[found]);
      return;
    }
    // Not in the heap: a free slot while the heap fills, else the minimum's, if w beats it
    // by a margin (see ADMIT_MARGIN).
    const replace = this.#size === this.#k;
    let slot: number;
    if (replace) {
      slot = this.#heap[0];
      const min = this.#weight[slot];
      if (w <= min + min * ADMIT_MARGIN + 1) return;
      this.#unlink(slot);
    } else {
      slot = this.#size++;
      this.#heap[slot] = slot;
      this.#pos[slot] = slot;
    }
    this.#hash[slot] = h;
    this.#db[slot] = db;
    this.#key[slot] = latin1(key);
    this.#weight[slot] = w;
    this.#total[slot] = t;
    this.#link(slot);
    if (replace) this.#siftDown(0);
    else this.#siftUp(this.#pos[slot]);
  }

  // ---------------------------------------------------------------------------------------
  // Aging

  /**
   * Applies the halvings due by `now`: one per half-life elapsed since the current period
   * started. A clock that went backwards restarts the period without halving.
   */
  #age(now: number): void {
    if (now < this.#ageAt) {
      this.#ageAt = now;
      this.#nextAge = now + this.halfLifeMs;
      return;
    }
    const periods = Math.floor((now - this.#ageAt) / this.halfLifeMs);
    if (periods <= 0) return;
    const n = Math.min(periods, MAX_HALVINGS);
    let win = this.#windowMs;
    for (let i = 0; i < n; i++) win = (win + this.halfLifeMs) * 0.5;
    this.#windowMs = win;
    const f = n === MAX_HALVINGS ? 0 : Math.pow(0.5, n);
    const cells = this.#cells;
    for (let i = 0; i < cells.length; i += 2) cells[i] *= f;
    for (let s = 0; s < this.#size; s++) this.#weight[s] *= f;
    this.#ageAt += periods * this.halfLifeMs;
    this.#nextAge = this.#ageAt + this.halfLifeMs;
  }

  /** The decayed observation window at `now`, in ms (after the halvings due are applied). */
  windowMs(now: number): number {
    if (now >= this.#nextAge) this.#age(now);
    return this.#windowMs + Math.max(0, now - this.#ageAt);
  }

  // ---------------------------------------------------------------------------------------
  // Queries

  /**
   * The sketch's estimates for one key: decayed weight and total accesses. Both are never
   * below the true figures (Count-Min); total is exact when no other key shares all four of
   * the key's cells.
   */
  estimate(db: number, key: Uint8Array, now: number): { weight: number; total: number } {
    if (now >= this.#nextAge) this.#age(now);
    return this.#estimateHash(keyHash(db, key));
  }

  #estimateHash(h: number): { weight: number; total: number } {
    const cells = this.#cells;
    const h2 = fmix(h ^ 0x7f4a7c15) | 1;
    let w = Infinity;
    let t = Infinity;
    for (let r = 0; r < DEPTH; r++) {
      const o = 2 * (r * this.#width + ((h + Math.imul(r, h2)) & this.#mask));
      if (cells[o] < w) w = cells[o];
      if (cells[o + 1] < t) t = cells[o + 1];
    }
    return { weight: w, total: t };
  }

  /**
   * The hottest keys, hottest first: at most `count` of the heap's keys, only those of
   * database `db` unless it is -1. Estimates are read from the sketch at `now` (the heap's
   * copies lag by the accesses other keys added to shared cells). Ties are ordered by key.
   */
  top(count: number, db: number, now: number): HotKey[] {
    const window = Math.max(this.windowMs(now), MIN_WINDOW_MS) / 1000;
    const out: HotKey[] = [];
    for (let s = 0; s < this.#size; s++) {
      if (db !== -1 && this.#db[s] !== db) continue;
      const e = this.#estimateHash(this.#hash[s]);
      out.push({ db: this.#db[s], key: this.#key[s], weight: e.weight, total: e.total, rate: e.weight / window });
    }
    out.sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.db - b.db));
    if (out.length > count) out.length = count;
    return out;
  }

  /** Forgets every count and key (HOTKEYS RESET); tracking restarts at `now`. */
  reset(now: number): void {
    this.#cells.fill(0);
    this.#size = 0;
    this.#table.fill(-1);
    this.#key.fill('');
    this.#windowMs = 0;
    this.#ageAt = now;
    this.#nextAge = now + this.halfLifeMs;
    this.#accesses = 0;
    this.#startedAt = now;
  }

  /**
   * Changes K (CONFIG SET hotkeys-top-k). Keeps the counts and the hottest min(K, kept) keys;
   * a key dropped by a shrink can come back with its next access.
   */
  resize(k: number): void {
    k = Math.max(1, k);
    if (k === this.#k) return;
    const kept: number[] = [];
    for (let s = 0; s < this.#size; s++) kept.push(s);
    kept.sort((a, b) => this.#weight[b] - this.#weight[a]);
    kept.length = Math.min(kept.length, k);
    const old = { hash: this.#hash, db: this.#db, key: this.#key, weight: this.#weight, total: this.#total };
    this.#k = k;
    this.#hash = new Uint32Array(k);
    this.#db = new Int32Array(k);
    this.#key = new Array<string>(k).fill('');
    this.#weight = new Float64Array(k);
    this.#total = new Float64Array(k);
    this.#pos = new Int32Array(k);
    this.#heap = new Int32Array(k);
    this.#tmask = tableSize(k) - 1;
    this.#table = new Int32Array(this.#tmask + 1).fill(-1);
    this.#size = 0;
    for (const s of kept) {
      const slot = this.#size++;
      this.#hash[slot] = old.hash[s];
      this.#db[slot] = old.db[s];
      this.#key[slot] = old.key[s];
      this.#weight[slot] = old.weight[s];
      this.#total[slot] = old.total[s];
      this.#heap[slot] = slot;
      this.#pos[slot] = slot;
      this.#link(slot);
      this.#siftUp(slot);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Heap and slot table

  #less(a: number, b: number): boolean {
    return this.#weight[a] < this.#weight[b];
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const s = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(s, heap[p])) break;
      heap[i] = heap[p];
      this.#pos[heap[i]] = i;
      i = p;
    }
    heap[i] = s;
    this.#pos[s] = i;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = this.#size;
    const s = heap[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#less(heap[c + 1], heap[c])) c++;
      if (!this.#less(heap[c], s)) break;
      heap[i] = heap[c];
      this.#pos[heap[i]] = i;
      i = c;
    }
    heap[i] = s;
    this.#pos[s] = i;
  }

  /**
   * The slot of the key hashing to h in database db, or -1. Linear probing from h. Keys are
   * told apart by hash alone: two keys with the same hash share all their cells, so the
   * sketch counts them as one key anyway, and the heap follows it (the first one seen names
   * the pair). With 30-bit hashes that takes two hot keys colliding: about one chance in
   * 2^30 / K per pair.
   */
  #find(h: number, db: number): number {
    const table = this.#table;
    const m = this.#tmask;
    for (let i = h & m; ; i = (i + 1) & m) {
      const s = table[i];
      if (s < 0) return -1;
      if (this.#hash[s] === h && this.#db[s] === db) return s;
    }
  }

  #link(slot: number): void {
    const table = this.#table;
    const m = this.#tmask;
    let i = this.#hash[slot] & m;
    while (table[i] >= 0) i = (i + 1) & m;
    table[i] = slot;
  }

  /** Removes slot from the table (backward-shift deletion keeps every probe run intact). */
  #unlink(slot: number): void {
    const table = this.#table;
    const m = this.#tmask;
    let i = this.#hash[slot] & m;
    while (table[i] !== slot) i = (i + 1) & m;
    for (let j = (i + 1) & m; table[j] >= 0; j = (j + 1) & m) {
      const home = this.#hash[table[j]] & m;
      // Move table[j] into the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      table[i] = table[j];
      i = j;
    }
    table[i] = -1;
  }
}

// -----------------------------------------------------------------------------------------
// Helpers

/** Slots of the lookup table for K keys: a power of two, at most half full. */
function tableSize(k: number): number {
  let n = 16;
  while (n < 2 * k) n *= 2;
  return n;
}

/**
 * The key's hash, distinct per database (the keyspace's seeded MurmurHash3), cut to 30 bits:
 * V8 keeps such integers unboxed (Smi) across calls, so hashing allocates nothing.
 */
function keyHash(db: number, key: Uint8Array): number {
  const h = hashBytes(key, 0, key.length);
  return (db === 0 ? h : fmix(h ^ Math.imul(db, 0x9e3779b1))) & 0x3fffffff;
}

/** MurmurHash3's finalizer: a 32-bit mix in which every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** A copy of the key's bytes as a latin1 string (one char per byte). */
function latin1(key: Uint8Array): string {
  if (Buffer.isBuffer(key)) return key.toString('latin1');
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

// -----------------------------------------------------------------------------------------
// The node's tracker: config knobs and the keyspace hook

/** What the tracker needs of a node (a Server satisfies it). */
export interface HotKeysHost {
  readonly config: Config;
  readonly keyspace: Keyspace;
  /** The time of the command being run (ms). */
  readonly now: number;
  readonly clock: { now(): number };
}

/**
 * Hot-key tracking on a node, driven by `hotkeys-tracking yes|no` and `hotkeys-top-k <n>`.
 * While on, an observer in keyspace.accessObservers records every key lookup (reads, writes,
 * misses) of every command; while off there is no observer and no sketch (the lookups pay
 * nothing, the 1 MB is released).
 */
export class HotKeys {
  readonly #host: HotKeysHost;
  #sketch: HotKeySketch | null = null;
  /** The observer installed in keyspace.accessObservers while tracking is on. */
  #observer: ((db: Database, key: Uint8Array) => void) | null = null;

  constructor(host: HotKeysHost) {
    this.#host = host;
    const cfg = host.config;
    const apply = (): void => this.#apply(cfg.getBool('hotkeys-tracking'), cfg.getNumber('hotkeys-top-k'));
    apply();
    cfg.onChange('hotkeys-tracking', apply);
    cfg.onChange('hotkeys-top-k', apply);
  }

  /** The sketch while tracking is on, else null. */
  get sketch(): HotKeySketch | null {
    return this.#sketch;
  }

  #apply(on: boolean, k: number): void {
    const host = this.#host;
    const observers = host.keyspace.accessObservers;
    if (!on) {
      const i = this.#observer === null ? -1 : observers.indexOf(this.#observer);
      if (i >= 0) observers.splice(i, 1);
      this.#observer = null;
      this.#sketch = null;
      return;
    }
    if (this.#sketch === null) {
      const sketch = new HotKeySketch({ topK: k, now: host.clock.now() });
      this.#sketch = sketch;
      this.#observer = (db, key) => sketch.record(db.id, key, host.now);
      observers.push(this.#observer);
    } else {
      this.#sketch.resize(k);
    }
  }
}
