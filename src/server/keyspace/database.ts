// One logical database (SELECT n): a hash index from key bytes to entry handles, per-slot key
// lists and counts, and the set of keys that carry a TTL.
//
// Keys are bytes (binary-safe); entries live in the node-wide Store (store.ts) and are named by
// integer handles. A handle is valid until its key is deleted.
//
// The index is an open-addressing table (linear probing, backward-shift deletion, no
// tombstones) split into 256 partitions by the top 8 bits of the key's hash. Each partition
// is a typed array of 4-byte bucket words and grows or shrinks on its own, so a resize moves
// 1/256 of the keys, and the node holds far more than V8's 2^24-entry limit on one Map. A large
// partition grows incrementally (#grow): for a while its keys are split between its old table
// and its new one, and the inserts into it (and the cron) move them over a few buckets at a time.
//
// A bucket word packs, from the low bits up: the entry's id + 1 (S bits, 0 = empty bucket),
// its displacement from its home bucket (D bits, saturated at 2^D - 1), and a tag of the
// hash's low bits (the rest). S fits the store's entry count (at least 16, at most 30 bits,
// per partition, widened when a larger id arrives); D is 5 while S <= 27. Probing compares
// words, not keys: a bucket at distance k from the probe's home can hold the key only if its
// displacement reads k (or is saturated) and its tag matches, so a lookup reads the records of
// other keys only on a 1-in-2^tag-bits coincidence (1 in 64 at 1M keys). The displacement gives
// every entry's home without its key (deletion's backward shift and SCAN read no records; a
// saturated one, rare below 80 % load, is recomputed from the record). Only a resize rehashes,
// reading each key of the partition (in batches, so their cache misses overlap).
//
// A key's home bucket is the low 24 bits of its hash scaled to the table's size (h24 * n / 2^24,
// Lemire's "fastrange"), not masked, so a table may have any number of buckets: it climbs a
// ladder of sizes half apart (GROWTH), one rung when about 80 % full (74-86 % by partition,
// GROW_LOAD, so the partitions' resizes are spread out rather than all at one key count), and
// shrinks when under 20 % (then rounded up to fill its arena slot). The index costs 5.5-7
// bytes a key from 400K keys up (Redis's dict: 8-16 bytes of buckets plus a 24-byte entry).
// Homes are monotonic in the hash: bucket b holds the home of exactly one interval of hashes,
// whatever the size.
//
// SCAN therefore walks the hash space in order: a cursor is a position in it (partition in the
// top 8 bits, a 24-bit hash below), a step visits the keys whose home buckets cover the hashes
// from the cursor on and returns the first hash it did not cover. Every key present for the
// whole iteration is returned even when partitions grow or shrink between calls (its hash is
// ahead of the cursor until a step covers it); a key may be returned more than once.
//
// Expiry contract (Redis 7.0 semantics):
//  - a key is expired once now > expireAt (at now === expireAt it is still alive, as in
//    Redis's keyIsExpired);
//  - lookups expire lazily: an expired key is reported to the owner through `onExpired`
//    (stats, notifications, propagation of a DEL) and then deleted;
//  - the active cycle (expire.ts) walks the volatile-key array with a persistent cursor so keys
//    that are never read again are reclaimed too;
//  - size counts keys not yet reclaimed, exactly as Redis's DBSIZE does.

import { SLOT_COUNT, keyHashSlot } from '../../protocol/slot.js';
import { Arena } from './arena.js';
import { NO_EXPIRY } from './entry.js';
import { hashBytes } from './hash.js';
import { copyBytes } from '../../lib/bytes.js';
import type { Store } from './store.js';

/** "No entry": what lookups return for a missing key. */
export const NONE = -1;

/**
 * A string naming (database, key), for the registries that map keys to clients (WATCH,
 * blocking): "<db id>:<key bytes as latin1>". dbKeyOf reverses it.
 */
export function dbKeyId(db: Database, key: Uint8Array): string {
  return db.id + ':' + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** The key bytes of a dbKeyId string. */
export function dbKeyOf(id: string): Buffer {
  return Buffer.from(id.slice(id.indexOf(':') + 1), 'latin1');
}

/** Called when a key's TTL passed, just before it is deleted (lazily or by the active cycle). */
export type ExpiredHook = (db: Database, id: number) => void;

/**
 * Observer of a database's index (per-pattern key counts, analytics/keypatterns.ts): told of
 * every key linked into or unlinked from it (add, delete, expire, evict, RENAME, MOVE; the
 * key is b[off, off + len), valid during the call only), of the database emptied at once
 * (FLUSHDB, FLUSHALL), of its contents swapped with another's (SWAPDB) and of its contents
 * replaced by a database it did not observe (a replica's repl-diskless-load swapdb).
 */
export interface IndexObserver {
  linked(db: Database, b: Uint8Array, off: number, len: number): void;
  unlinked(db: Database, b: Uint8Array, off: number, len: number): void;
  emptied(db: Database): void;
  swapped(a: Database, b: Database): void;
  replaced(db: Database): void;
}

/** What a lookup does with a key whose TTL passed (ExpiryPolicy.verdict). */
export const ExpiredAccess = { Delete: 0, Missing: 1, Live: 2 } as const;
export type ExpiredAccess = (typeof ExpiredAccess)[keyof typeof ExpiredAccess];

/**
 * What lookups do with expired keys (Redis 7.0 expireIfNeeded). One object shared by every
 * database of a node, so a switch applies to all of them at once:
 *  - on a master, not paused: the key is deleted (deleteOnAccess, the one test on the path);
 *  - CLIENT PAUSE WRITE/ALL (`paused`): it reads as missing and stays;
 *  - on a replica (`replica` set by replication/replica.ts): the replica's verdict comes first —
 *    Live while its master's stream is applied (the master sends the DEL itself), Missing for a
 *    normal client's read, Delete for a write on a writable replica (then a pause still holds
 *    the deletion back).
 * The verdict is asked only for a key that is actually expired, never on the hot path.
 */
export class ExpiryPolicy {
  /** Lookups delete expired keys: no pause and not a replica. */
  deleteOnAccess = true;
  #paused = false;
  #replica: (() => ExpiredAccess) | null = null;

  /** CLIENT PAUSE in force: nothing is deleted by lookups. */
  get paused(): boolean {
    return this.#paused;
  }

  set paused(v: boolean) {
    this.#paused = v;
    this.#update();
  }

  /** The replica's verdict on an expired key, or null on a master. */
  get replica(): (() => ExpiredAccess) | null {
    return this.#replica;
  }

  set replica(f: (() => ExpiredAccess) | null) {
    this.#replica = f;
    this.#update();
  }

  /** What to do with an expired key now (when deleteOnAccess is off). */
  verdict(): ExpiredAccess {
    if (this.#replica === null) return ExpiredAccess.Missing; // paused (or switched off directly)
    const v = this.#replica();
    if (v !== ExpiredAccess.Delete) return v;
    return this.#paused ? ExpiredAccess.Missing : ExpiredAccess.Delete;
  }

  #update(): void {
    this.deleteOnAccess = !this.#paused && this.#replica === null;
  }
}

const PARTS = 256;
const PART_SHIFT = 24;
/** Hash positions per partition (the hash's low 24 bits). */
const PART_SPAN = 1 << PART_SHIFT;
const MIN_BUCKETS = 8;
/** A partition grows when its next key would take it past this load (on average: GROW_LOAD)... */
const MAX_LOAD = 0.8;
/** ...shrinks when a delete takes it under this one... */
const MIN_LOAD = 0.2;
/** ...and when shrinking is rebuilt to hold its keys at no more than this load. */
const REBUILT_LOAD = 0.64;
/**
 * Table sizes climb a ladder of rungs MIN_BUCKETS * GROWTH^k, each rounded up to an arena slot.
 * Every rung rehashes the partition's keys from their records, so the step sets how often a
 * key is rehashed over a load of new keys: about 4 times at 1.25, twice at 1.5, once at 2, and
 * the bytes a key the index averages over 400K-2M keys: 5.6, 6.2, 7.4 (8.4 at 1M keys, where
 * every partition has just doubled). Measured 2026-11-27 (bench/results/engine.md): 632K new
 * keys in process 770-1252 ms at 1.25, 546-882 at 1.5, 392-619 at 2; a replica's busy time in
 * the rehash under 1M pipelined SETs of new keys 16.4 % at 1.25, 10.5 % at 1.5.
 */
const GROWTH = 1.5;

/** The most keys Database.reserve sizes the index for: 16M (about 100 MB of tables). */
const RESERVE_MAX_KEYS = 1 << 24;
/**
 * Per partition, the load it grows at: spread evenly from 0.74 to 0.86 (MAX_LOAD on average).
 * Keys spread evenly over the partitions, so with one threshold all 256 grew within a few
 * thousand inserts of one another, and their rehashes (each key read from its record) came as
 * one wave: tens of milliseconds at 1M keys, in which a replica fell behind its master as much.
 * Staggered, the resizes of one rung are spread over 12 % of the keys' growth. The sizes stay
 * on one ladder, so the tables of a rung share one arena size class (ladders offset per
 * partition spread them too, but left 4 MB of partly filled segments at 1M keys).
 */
const GROW_LOAD = (() => {
  const t = new Float64Array(PARTS);
  for (let p = 0; p < PARTS; p++) t[p] = MAX_LOAD - 0.06 + (0.12 * p) / (PARTS - 1);
  return t;
})();
const EMPTY_TABLE = new Int32Array(0);
/** Bits of a bucket word's id field: at least... */
const MIN_ID_BITS = 16;
/** ...at most (ids + 1 up to 2^30 - 1: the store refuses more entries, MAX_ENTRIES in store.ts). */
const MAX_ID_BITS = 30;
/** Bits of a bucket word's displacement field while the id field leaves room for them. */
const DISP_BITS = 5;

/** Storage of one database; swapped wholesale by SWAPDB. */
class DbData {
  /** Per partition: bucket words (see the top of this file); 0 marks an empty bucket. */
  tables: Int32Array[] = new Array<Int32Array>(PARTS).fill(EMPTY_TABLE);
  /** Per partition: bits of its words' id field (S), set when its table is built. */
  idBits = new Uint8Array(PARTS).fill(MIN_ID_BITS);
  /** Per partition: bucket count, or 0 if unallocated. */
  buckets = new Int32Array(PARTS);
  /** The largest bucket count (randomEntry's draw range); recomputed there when stale. */
  maxBuckets = 0;
  maxBucketsStale = false;
  /** Per partition: arena address of its table, or -1 (tables live in the node's arena). */
  tableAddr = new Int32Array(PARTS).fill(-1);
  /**
   * Per partition growing incrementally (#grow): the table its keys are leaving, its
   * bucket count (0: not moving), id bits and arena address. It takes no new keys.
   */
  oldTables: Int32Array[] = new Array<Int32Array>(PARTS).fill(EMPTY_TABLE);
  oldBuckets = new Int32Array(PARTS);
  oldIdBits = new Uint8Array(PARTS);
  oldAddr = new Int32Array(PARTS).fill(-1);
  /**
   * Per moving partition: the next old bucket to move from, the old buckets passed since the
   * move started (after an empty one), and the hashes moved: the 24-bit hashes from moveFrom
   * (the first one homed at the start bucket), moveSpan of them cyclically (every key homed in
   * the passed buckets of the old table).
   */
  moveCursor = new Int32Array(PARTS);
  movePassed = new Int32Array(PARTS);
  moveFrom = new Int32Array(PARTS);
  moveSpan = new Int32Array(PARTS);
  /** How many partitions are moving (the cron's test). */
  moving = 0;
  sizes = new Int32Array(PARTS);
  size = 0;
  /** Per slot: first entry of its list and key count (only with the store's slot links). */
  slotHead: Int32Array;
  slotCount: Int32Array;
  /** Ids of the keys with a TTL (dense; Store.vpos holds each one's position) and their expiry. */
  vol = new Int32Array(16);
  volExp = new Float64Array(16);
  volLen = 0;
  /** Persistent cursor of the active expire cycle into `vol`. */
  volCursor = 0;
  /** Bumped on every flush, so long-running walks notice a new table. */
  epoch = 0;

  constructor(slotted: boolean) {
    this.slotHead = slotted ? new Int32Array(SLOT_COUNT).fill(-1) : EMPTY_TABLE;
    this.slotCount = slotted ? new Int32Array(SLOT_COUNT) : EMPTY_TABLE;
  }
}

export class Database {
  /**
   * Partitions of fewer buckets grow at once (a rebuild of 1,024 buckets takes about 80 µs);
   * larger ones move their keys to the new table incrementally (#grow). Tests lower it.
   */
  static moveMinBuckets = 1024;
  readonly id: number;
  readonly store: Store;
  #d: DbData;
  #onExpired: ExpiredHook;
  readonly #expiry: ExpiryPolicy;
  /**
   * Called whenever a key is added to this database (Redis's dbAdd: new keys, RENAME and MOVE
   * targets, copies) while set: keyspace notifications of class n ("new").
   */
  onAdded: ((db: Database, key: Uint8Array) => void) | null = null;
  /** Index observer (per-pattern key counts) while set; null costs one test per link. */
  indexObserver: IndexObserver | null = null;
  /**
   * Default TTL (analytics/default-ttl.ts) while set: the absolute expiry, or NO_EXPIRY, of a
   * key written without one. Called when a key is added without a TTL, and by the handlers
   * that replace a value the way that clears its TTL (storeString, setAggregate).
   */
  defaultExpiry: ((key: Uint8Array) => number) | null = null;
  /**
   * Told of every TTL set (not cleared) while set: a writable replica remembers the keys its
   * own clients gave a TTL, which it must expire itself (replication/replica.ts).
   */
  ttlObserver: ((db: Database, id: number) => void) | null = null;
  // Where the last successful find() found its key: lets delete() skip a second probe.
  #lastId = NONE;
  #lastPart = 0;
  #lastPos = 0;
  /** Whether that was in its partition's old table (a partition moving to a new one). */
  #lastOld = false;
  /**
   * Widening ahead of the ids (#widenAhead): the store capacity and id bits last seen, the next
   * partition to look at (PARTS: none left) and inserts since the last widening.
   */
  #aheadCap = 0;
  #aheadBits = 0;
  #aheadNext = PARTS;
  #aheadTick = 0;
  // Where the last unsuccessful find() stopped (an empty bucket): lets the insert that usually
  // follows (SET of a new key) skip hashing and probing again. Valid while that bucket's table
  // is unchanged and still empty there, for the same key object.
  #missKey: Uint8Array | null = null;
  #missHash = 0;
  #missTable: Int32Array = EMPTY_TABLE;
  #missPos = 0;
  #missDist = 0;

  constructor(id: number, store: Store, onExpired: ExpiredHook, expiry: ExpiryPolicy) {
    this.id = id;
    this.store = store;
    this.#d = new DbData(store.slotLinks);
    store.sideBytes += this.sideBytes();
    store.resetListeners.push(this.#onReset);
    this.#onExpired = onExpired;
    this.#expiry = expiry;
  }

  /** When false, lazy expiry reports expired keys as missing but does not delete them. */
  get deleteOnExpire(): boolean {
    return this.#expiry.deleteOnAccess;
  }

  /** Number of keys, including expired keys not yet reclaimed (as Redis's DBSIZE). */
  get size(): number {
    return this.#d.size;
  }

  /** Number of keys with a TTL. */
  get expiresSize(): number {
    return this.#d.volLen;
  }

  /** Keys in one hash slot (needs the store's slot links, else 0). */
  countInSlot(slot: number): number {
    return this.store.slotLinks ? this.#d.slotCount[slot] : 0;
  }

  /**
   * Bytes of this database's arrays outside the arena: the volatile-key arrays and the slot
   * lists (the partition tables live in the arena and are counted there). O(1). The store
   * keeps the sum over its databases (Store.sideBytes), updated where these arrays change.
   */
  sideBytes(): number {
    const d = this.#d;
    return d.vol.byteLength + d.volExp.byteLength + d.slotHead.byteLength + d.slotCount.byteLength;
  }

  /** Bytes held by this database's index (buckets, slot lists and the volatile array). */
  indexBytes(): number {
    const d = this.#d;
    let n = d.vol.byteLength + d.volExp.byteLength + d.slotHead.byteLength + d.slotCount.byteLength;
    for (let p = 0; p < PARTS; p++) n += d.tables[p].byteLength + d.oldTables[p].byteLength;
    return n;
  }

  readonly #onReset = (): void => this.#forget();

  /**
   * Takes the contents of `other` (a database outside the node's list, loaded aside: a
   * replica's repl-diskless-load swapdb), which takes this one's. Unlike swapWith, the index
   * observer is told the contents were replaced, not exchanged with a database it knows.
   */
  exchangeWith(other: Database): void {
    if (this.store.guard !== null) this.store.guard.drain(this);
    this.#exchange(other);
    if (this.indexObserver !== null) this.indexObserver.replaced(this);
  }

  /**
   * Ends an empty database made outside the node's list (Keyspace.shadowDbs): its arrays leave
   * the store's accounting and a reset of the store no longer reaches it.
   */
  dispose(): void {
    if (this.#d.size !== 0) throw new Error('Database.dispose: the database still holds keys');
    this.#freeTables();
    this.store.sideBytes -= this.sideBytes();
    const i = this.store.resetListeners.indexOf(this.#onReset);
    if (i >= 0) this.store.resetListeners.splice(i, 1);
  }

  /** Swaps the whole contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    const g = this.store.guard;
    if (g !== null) {
      g.drain(this);
      g.drain(other);
    }
    this.#exchange(other);
    if (this.indexObserver !== null) this.indexObserver.swapped(this, other);
  }

  /** Exchanges the contents (index, volatile arrays, counts) with other's; caches forget. */
  #exchange(other: Database): void {
    const t = this.#d;
    this.#d = other.#d;
    other.#d = t;
    this.#lastId = NONE;
    other.#lastId = NONE;
    this.#missKey = null;
    other.#missKey = null;
  }

  // ---------------------------------------------------------------------------------------
  // Entry fields (delegated to the node's store)

  type(id: number): number {
    return this.store.type(id);
  }

  enc(id: number): number {
    return this.store.enc(id);
  }

  /** Absolute expiry of entry id (of this database) in ms, or NO_EXPIRY. */
  expireAt(id: number): number {
    const pos = this.store.vpos(id);
    return pos < 0 ? NO_EXPIRY : this.#d.volExp[pos];
  }

  /** A view of a string value; valid until the next keyspace mutation. */
  value(id: number): Buffer {
    return this.store.valueView(id);
  }

  /** A copy of the key of id. */
  key(id: number): Buffer {
    return this.store.keyCopy(id);
  }

  // ---------------------------------------------------------------------------------------
  // Lookup

  /**
   * Reads ahead the memory find() will read for each key b[offs[k], offs[k] + lens[k]) of
   * k < count (offs[k] = -1: no key): the keys' home buckets for all of them, then their
   * entries' metadata, then their records, so the cache misses of different keys overlap
   * instead of following one another (a pipelined batch of GETs on a large keyspace spends
   * most of its lookup time waiting for memory). Changes nothing; returns a value only so the
   * reads are not optimised away. bench/prefetch-micro.ts measures it.
   */
  prefetch(b: Uint8Array, offs: Int32Array, lens: Int32Array, count: number): number {
    const d = this.#d;
    const homes = PREFETCH_HOMES;
    const parts = PREFETCH_PARTS;
    const hashes = PREFETCH_HASHES;
    if (count > homes.length) count = homes.length;
    // Hashing first, loads after: a loop of loads alone keeps more of them in flight at once.
    for (let k = 0; k < count; k++) {
      const off = offs[k];
      if (off < 0) {
        parts[k] = 0;
        hashes[k] = 0;
        homes[k] = -1;
        continue;
      }
      const h = hashBytes(b, off, off + lens[k]);
      const p = h >>> PART_SHIFT;
      parts[k] = p;
      hashes[k] = h;
      homes[k] = homeOf(h, d.buckets[p]);
    }
    // The home buckets.
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const t = d.tables[parts[k]];
      const i = homes[k];
      if (i >= 0 && i < t.length) sum += t[i] & 1; // words may be negative (a tag in the top bit)
    }
    // The entries: the probe for each key's hash, now in cache, then its metadata. Each key's
    // record address replaces its home (-1: no key, or not found).
    const store = this.store;
    const addrs = homes;
    for (let k = 0; k < count; k++) {
      let i = homes[k];
      addrs[k] = -1;
      if (i < 0) continue;
      const p = parts[k];
      const t = d.tables[p];
      const n = d.buckets[p];
      const s = d.idBits[p];
      const dm = dispMaxOf(s);
      const tagHi = tagOf(hashes[k], s) << dispBitsOf(s);
      for (let probes = 0; probes < n; probes++) {
        const w = t[i];
        if (w === 0) break;
        if (w >>> s === (tagHi | (probes < dm ? probes : dm))) {
          addrs[k] = store.addrOf((w & idMaskOf(s)) - 1);
          break;
        }
        if (++i === n) i = 0;
      }
    }
    // The records.
    const arena = store.arena;
    for (let k = 0; k < count; k++) {
      const a = addrs[k];
      if (a !== -1) sum += arena.buf(a)[arena.off(a)];
    }
    return sum;
  }

  /**
   * The entry stored for key, with no expiry check and no side effects; NONE if absent. On a
   * hit the store's decoded record (Store.locate) is the entry's.
   */
  find(key: Uint8Array): number {
    const h = hashBytes(key, 0, key.length);
    const p = h >>> PART_SHIFT;
    const d = this.#d;
    const n = d.buckets[p];
    if (n === 0) return NONE;
    if (d.oldBuckets[p] !== 0 && notMoved(d, p, h)) {
      const id = this.#findOld(key, h, p);
      if (id !== NONE) return id;
    }
    const t = d.tables[p];
    const store = this.store;
    const s = d.idBits[p];
    const dm = dispMaxOf(s);
    const tagHi = tagOf(h, s) << dispBitsOf(s);
    let i = homeOf(h, n);
    for (let k = 0; ; k++) {
      const w = t[i];
      if (w === 0) {
        this.#missKey = key;
        this.#missHash = h;
        this.#missTable = t;
        this.#missPos = i;
        this.#missDist = k;
        return NONE;
      }
      if (w >>> s === (tagHi | (k < dm ? k : dm))) {
        const id = (w & idMaskOf(s)) - 1;
        if (store.keyEquals(id, key)) return this.#found(id, p, i, false);
      }
      if (++i === n) i = 0;
    }
  }

  /**
   * A find() hit: entry id at bucket i of partition p (of its old table if `old`), remembered
   * for the delete that may follow. A compressed large string is made plain before anyone reads
   * it (store.ts).
   */
  #found(id: number, p: number, i: number, old: boolean): number {
    this.#lastId = id;
    this.#lastPart = p;
    this.#lastPos = i;
    this.#lastOld = old;
    const store = this.store;
    if (store.compressedCount > 0 && store.isCompressed(id)) store.inflate(id);
    return id;
  }

  /**
   * find() in the old table of moving partition p, for a key whose hash has not moved: the
   * entry, or NONE (then the key, if anywhere, is new since the move began: in the new table).
   * find()'s probe over the old table's fields, written out apart so that find(), which every
   * command runs, stays one loop over one table.
   */
  #findOld(key: Uint8Array, h: number, p: number): number {
    const d = this.#d;
    const t = d.oldTables[p];
    const n = d.oldBuckets[p];
    const s = d.oldIdBits[p];
    const store = this.store;
    const dm = dispMaxOf(s);
    const tagHi = tagOf(h, s) << dispBitsOf(s);
    let i = homeOf(h, n);
    for (let k = 0; ; k++) {
      const w = t[i];
      if (w === 0) return NONE;
      if (w >>> s === (tagHi | (k < dm ? k : dm))) {
        const id = (w & idMaskOf(s)) - 1;
        if (store.keyEquals(id, key)) return this.#found(id, p, i, true);
      }
      if (++i === n) i = 0;
    }
  }

  /**
   * The live entry for key at time `now`, or NONE. An expired key is deleted (reported
   * through onExpired first), or only reads as missing, or (a replica applying its master's
   * stream) reads as live, as the ExpiryPolicy decides.
   */
  lookup(key: Uint8Array, now: number): number {
    const id = this.find(key);
    if (id === NONE) return NONE;
    // find() has just decoded id's record (Store.locate): its vpos word is at hand.
    const pos = this.store.locatedVpos();
    if (pos >= 0 && this.#d.volExp[pos] < now) {
      const ex = this.#expiry;
      const v = ex.deleteOnAccess ? ExpiredAccess.Delete : ex.verdict();
      if (v === ExpiredAccess.Live) return id;
      if (v === ExpiredAccess.Delete) {
        this.#onExpired(this, id);
        this.delete(id);
      }
      return NONE;
    }
    return id;
  }

  /** True if id's TTL has passed at `now` (Redis's keyIsExpired: now > expireAt). */
  isExpired(id: number, now: number): boolean {
    const pos = this.store.vpos(id);
    return pos >= 0 && this.#d.volExp[pos] < now;
  }

  // ---------------------------------------------------------------------------------------
  // Mutation

  /**
   * Adds a string key the caller knows is absent (it just looked it up) with value `src`,
   * access clock and encoding packed in `meta` (stringMeta), and expiry. Returns its handle.
   * Inserting a present key would index it twice.
   */
  addString(key: Uint8Array, src: Uint8Array, meta: number, expireAt: number): number {
    const id = this.addSpace(key, src.length, meta, expireAt);
    if (src.length > 0) copyBytes(this.store.rb, this.store.rv, src);
    return id;
  }

  /**
   * Like addString for a value of vlen bytes the caller writes itself: on return store.rb
   * and store.rv point at the (uninitialized) value bytes.
   */
  addSpace(key: Uint8Array, vlen: number, meta: number, expireAt: number): number {
    const store = this.store;
    if (expireAt === NO_EXPIRY && this.defaultExpiry !== null) expireAt = this.defaultExpiry(key);
    const id = store.create(key, vlen, meta, expireAt !== NO_EXPIRY);
    this.#link(id, key);
    if (expireAt !== NO_EXPIRY) this.setExpire(id, expireAt);
    if (this.onAdded !== null) this.onAdded(this, key);
    return id;
  }

  /**
   * Adds an aggregate-typed key the caller knows is absent. Returns its handle.
   */
  addObject(key: Uint8Array, type: number, obj: unknown, clock: number): number {
    const store = this.store;
    const at = this.defaultExpiry !== null ? this.defaultExpiry(key) : NO_EXPIRY;
    const id = store.create(key, 0, clock, at !== NO_EXPIRY);
    store.setObject(id, type, obj);
    this.#link(id, key);
    if (at !== NO_EXPIRY) this.setExpire(id, at);
    if (this.onAdded !== null) this.onAdded(this, key);
    return id;
  }

  /**
   * Sizes the index for about `keys` keys (RDB loading's RESIZEDB hint), so adding them grows
   * no table: each partition gets room for its expected share and a margin of four standard
   * deviations at its growth load (about 6 bytes a key at 1M keys), off the ladder (GROWTH):
   * the rung above could be half as much again. Partitions already larger are left alone.
   * A hint, capped at RESERVE_MAX_KEYS: a file or a command may ask for more than it will add.
   */
  reserve(keys: number): void {
    const d = this.#d;
    const share = Math.min(keys, RESERVE_MAX_KEYS) / PARTS;
    if (share < MIN_BUCKETS) return;
    for (let p = 0; p < PARTS; p++) {
      const n = Arena.capacityFor(Math.ceil((share + 4 * Math.sqrt(share) + 1) / GROW_LOAD[p]) * 4) >>> 2;
      if (d.buckets[p] < n) this.#resize(p, n);
    }
  }

  /** Deletes the entry id (of this database) and frees it. */
  delete(id: number): void {
    const g = this.store.guard;
    if (g !== null && this.store.isOld(id)) g.capture(this, id);
    this.#unlink(id);
    this.store.destroy(id);
  }

  /** Deletes key if present; returns whether it existed. */
  deleteKey(key: Uint8Array): boolean {
    const id = this.find(key);
    if (id === NONE) return false;
    this.delete(id);
    return true;
  }

  /** Sets (at >= 0) or clears (NO_EXPIRY) the TTL of entry id. */
  setExpire(id: number, at: number): void {
    const store = this.store;
    if (store.guard !== null && store.isOld(id)) store.guard.capture(this, id);
    const d = this.#d;
    const pos = store.vpos(id);
    if (at === NO_EXPIRY) {
      if (pos >= 0) this.#volRemove(pos);
      store.setVpos(id, -1);
    } else if (pos >= 0) {
      d.volExp[pos] = at;
      if (this.ttlObserver !== null) this.ttlObserver(this, id);
    } else {
      if (d.volLen === d.vol.length) {
        const grownBy = d.vol.byteLength + d.volExp.byteLength;
        store.sideBytes += grownBy;
        const vol = new Int32Array(d.vol.length * 2);
        vol.set(d.vol);
        d.vol = vol;
        const volExp = new Float64Array(d.vol.length);
        volExp.set(d.volExp);
        d.volExp = volExp;
      }
      d.vol[d.volLen] = id;
      d.volExp[d.volLen] = at;
      store.setVpos(id, d.volLen++);
      if (this.ttlObserver !== null) this.ttlObserver(this, id);
    }
  }

  /** Moves entry id (of this database) to `dst` under the same key; dst must lack the key. */
  moveTo(id: number, dst: Database): void {
    const store = this.store;
    if (store.guard !== null && store.isOld(id)) store.guard.capture(this, id);
    const at = this.expireAt(id);
    this.#unlink(id);
    store.locate(id);
    const key = store.rb.subarray(store.rk, store.rk + store.rkl);
    dst.#link(id, key);
    if (dst.onAdded !== null) dst.onAdded(dst, key);
    // After onAdded: giving the record a vpos word may move its bytes (key is a view of them).
    if (at !== NO_EXPIRY) dst.setExpire(id, at);
  }

  /** Gives entry id (of this database) a new key, which must be absent (RENAME). */
  rename(id: number, key: Uint8Array): void {
    if (this.store.guard !== null && this.store.isOld(id)) this.store.guard.capture(this, id);
    const at = this.expireAt(id);
    const old = this.store.keyCopy(id);
    this.#unlink(id);
    try {
      this.store.rekey(id, key);
    } catch (err) {
      this.#link(id, old); // the arena refused: keep the key under its old name
      if (at !== NO_EXPIRY) this.setExpire(id, at);
      throw err;
    }
    this.#link(id, key);
    if (at !== NO_EXPIRY) this.setExpire(id, at);
    if (this.onAdded !== null) this.onAdded(this, key);
  }

  /** True if every entry of the node is in this database (it can be dropped in O(1)). */
  holdsAllEntries(): boolean {
    return this.store.count === this.#d.size;
  }

  /** Removes every key. */
  clear(): void {
    if (this.store.guard !== null) this.store.guard.drain(this);
    if (this.holdsAllEntries()) {
      // Every entry of the node is here: drop the whole store at once (O(1)); every database
      // forgets its index (the others are empty, but may hold their smallest tables).
      this.store.reset();
      return;
    } else {
      // destroy() touches only the entry table, never this index, so the walk stays valid.
      this.forEach((id) => this.store.destroy(id));
      this.#freeTables();
    }
    this.#forget();
  }

  /**
   * Removes every key at once and returns their handles for the caller to destroy later, in
   * slices (FLUSHDB ASYNC: Redis frees the old table in a background thread). The handles stay
   * allocated until then; the database is empty and usable immediately.
   */
  detachAll(): Int32Array {
    if (this.store.guard !== null) this.store.guard.drain(this);
    const ids = new Int32Array(this.#d.size);
    let n = 0;
    this.forEach((id) => void (ids[n++] = id));
    this.#freeTables();
    this.#forget();
    return ids;
  }


  #forget(): void {
    const epoch = this.#d.epoch + 1;
    this.store.sideBytes -= this.sideBytes();
    this.#d = new DbData(this.store.slotLinks);
    this.store.sideBytes += this.sideBytes();
    this.#d.epoch = epoch;
    this.#lastId = NONE;
    this.#missKey = null;
    if (this.indexObserver !== null) this.indexObserver.emptied(this);
  }

  // ---------------------------------------------------------------------------------------
  // Index internals

  /** Indexes id under key (absent), in its slot list. */
  #link(id: number, key: Uint8Array): void {
    const d = this.#d;
    const store = this.store;
    const cached = key === this.#missKey;
    this.#missKey = null;
    const h = cached ? this.#missHash : hashBytes(key, 0, key.length);
    const p = h >>> PART_SHIFT;
    if (d.sizes[p] + 1 > d.buckets[p] * GROW_LOAD[p]) this.#grow(p, bucketsFor(d.sizes[p] + 1, GROW_LOAD[p]));
    else if (id + 1 > idMaskOf(d.idBits[p])) this.#widen(p);
    const t = d.tables[p];
    const n = d.buckets[p];
    let i: number;
    let k = 0;
    if (cached && t === this.#missTable && t[this.#missPos] === 0) {
      i = this.#missPos;
      k = this.#missDist;
    } else {
      i = homeOf(h, n);
      while (t[i] !== 0) {
        if (++i === n) i = 0;
        k++;
      }
    }
    t[i] = wordOf(h, k, id + 1, d.idBits[p]);
    d.sizes[p]++;
    d.size++;
    // Before setVpos, which leaves id's record located (Store.locate) as addSpace's caller needs.
    if (d.oldBuckets[p] !== 0) this.#moveStep(p, MOVE_STEP);
    if (store.cap !== this.#aheadCap) this.#aheadStart();
    else if (this.#aheadNext < PARTS && ++this.#aheadTick >= WIDEN_EVERY) this.#widenAhead();
    store.setVpos(id, -1);
    if (this.indexObserver !== null) this.indexObserver.linked(this, key, 0, key.length);
    if (!store.slotLinks) return;
    const slot = keyHashSlot(key);
    store.slot[id] = slot;
    const head = d.slotHead[slot];
    store.next[id] = head;
    store.prev[id] = NONE;
    if (head >= 0) store.prev[head] = id;
    d.slotHead[slot] = id;
    d.slotCount[slot]++;
  }

  /** Removes id from the index, slot list and volatile set (does not free it). */
  #unlink(id: number): void {
    const d = this.#d;
    const store = this.store;
    let p: number;
    let i: number;
    let old: boolean;
    const lp = this.#lastPart;
    if (
      this.#lastId === id &&
      (this.#lastOld
        ? (d.oldTables[lp][this.#lastPos] & idMaskOf(d.oldIdBits[lp])) === id + 1
        : (d.tables[lp][this.#lastPos] & idMaskOf(d.idBits[lp])) === id + 1)
    ) {
      p = lp;
      i = this.#lastPos;
      old = this.#lastOld;
    } else {
      const h = keyHash(store, id);
      p = h >>> PART_SHIFT;
      i = d.oldBuckets[p] !== 0 && notMoved(d, p, h) ? this.#oldPosOf(p, h, id) : -1;
      old = i >= 0;
      if (!old) {
        const t = d.tables[p];
        const n = d.buckets[p];
        const mask = idMaskOf(d.idBits[p]);
        i = homeOf(h, n);
        while ((t[i] & mask) !== id + 1) if (++i === n) i = 0;
      }
    }
    this.#lastId = NONE;
    this.#removeAt(p, i, old);
    d.size--;
    if (--d.sizes[p] === 0) this.#dropTable(p);
    else if (d.sizes[p] < d.buckets[p] * MIN_LOAD && d.buckets[p] > MIN_BUCKETS) this.#resize(p, bucketsFor(d.sizes[p], REBUILT_LOAD));
    const pos = store.vpos(id);
    if (pos >= 0) {
      this.#volRemove(pos);
      store.setVpos(id, -1);
    }
    if (this.indexObserver !== null) {
      store.locate(id);
      this.indexObserver.unlinked(this, store.rb, store.rk, store.rkl);
    }
    if (!store.slotLinks) return;
    const slot = store.slot[id];
    const n = store.next[id];
    const pr = store.prev[id];
    if (pr >= 0) store.next[pr] = n;
    else d.slotHead[slot] = n;
    if (n >= 0) store.prev[n] = pr;
    d.slotCount[slot]--;
  }

  /** Where entry id (hash h, not moved) sits in moving partition p's old table, or -1. */
  #oldPosOf(p: number, h: number, id: number): number {
    const d = this.#d;
    const t = d.oldTables[p];
    const n = d.oldBuckets[p];
    const mask = idMaskOf(d.oldIdBits[p]);
    let i = homeOf(h, n);
    for (let w = t[i]; w !== 0; w = t[i]) {
      if ((w & mask) === id + 1) return i;
      if (++i === n) i = 0;
    }
    return -1;
  }

  /**
   * Empties bucket i of partition p (of its old table if `old`: a moving partition), shifting
   * later members of its probe run back.
   */
  #removeAt(p: number, i: number, old: boolean): void {
    this.#missKey = null; // a shift may open a hole before the cached insert position
    const d = this.#d;
    const t = old ? d.oldTables[p] : d.tables[p];
    const n = old ? d.oldBuckets[p] : d.buckets[p];
    const s = old ? d.oldIdBits[p] : d.idBits[p];
    const dm = dispMaxOf(s);
    let j = i;
    for (;;) {
      if (++j === n) j = 0;
      const w = t[j];
      if (w === 0) break;
      let disp = (w >>> s) & dm;
      if (disp === dm) disp = trueDisp(this.store, j, w, n, s);
      // j's home lies cyclically in (i, j] exactly when its displacement is below i's distance.
      const gap = j > i ? j - i : j - i + n;
      if (disp < gap) continue;
      const nd = disp - gap;
      t[i] = (w & ~(dm << s)) | ((nd < dm ? nd : dm) << s);
      i = j;
    }
    t[i] = 0;
  }

  /**
   * Widens partition p's id field to fit the store's entries, in place and without reading a
   * key: each word keeps its id and the low bits of its tag (a tag is the hash's low bits, so
   * the narrower tag is the one tagOf gives), and a displacement that no longer fits the field
   * saturates. Ids pass each power of two for every partition within a few hundred inserts, so
   * a rehash here (each key read from its record) came as a wave of all 256 partitions.
   */
  #widen(p: number): void {
    const d = this.#d;
    const t = d.tables[p];
    const s = d.idBits[p];
    const ns = idBitsFor(this.store.cap);
    const mask = idMaskOf(s);
    const db = dispBitsOf(s);
    const dm = dispMaxOf(s);
    const nd = dispBitsOf(ns);
    const ndm = dispMaxOf(ns);
    const tagMask = (1 << (32 - ns - nd)) - 1;
    for (let i = 0; i < t.length; i++) {
      const w = t[i];
      if (w === 0) continue;
      const disp = (w >>> s) & dm;
      const tag = (w >>> (s + db)) & tagMask;
      t[i] = (((tag << nd) | (disp < ndm ? disp : ndm)) << ns) | (w & mask);
    }
    d.idBits[p] = ns;
  }

  /**
   * Notes the store's entry capacity; when it needs wider id fields than before (it has just
   * reached a power of two), starts widening this database's partitions ahead of the ids.
   */
  #aheadStart(): void {
    this.#aheadCap = this.store.cap;
    const bits = idBitsFor(this.#aheadCap);
    if (bits === this.#aheadBits) return;
    this.#aheadBits = bits;
    this.#aheadNext = 0;
    this.#aheadTick = 0;
  }

  /**
   * Widens the next partition whose id field is narrower than the store's capacity needs. The
   * capacity reaches 2^S one chunk (65,536 ids) before the ids do, and every partition takes
   * an id past 2^S - 1 within a few hundred inserts of the first: widened then, all 256 came in
   * one wave (7-22 ms stalls at 8.4M keys, `bench/growth-stalls.sh`). One partition every
   * WIDEN_EVERY inserts widens them all within half a chunk; a partition an id reaches first
   * still widens on demand (#link).
   */
  #widenAhead(): void {
    this.#aheadTick = 0;
    const d = this.#d;
    while (this.#aheadNext < PARTS) {
      const q = this.#aheadNext++;
      if (d.buckets[q] !== 0 && d.idBits[q] < this.#aheadBits) return this.#widen(q);
    }
  }

  /**
   * Rebuilds partition p with n buckets, its id field sized for the store's entries. Tables
   * come from the arena, like records: a table freed by growth goes back to its size class
   * and, once its segment empties, to the segment pool that records draw from, instead of
   * leaving holes in the process heap.
   *
   * The words name the entries but not their hashes, so every key is hashed again from its
   * record: a batch at a time, the batch's metadata then its records touched first, so their
   * cache misses overlap instead of following one another (about 100 ns a key at a million
   * keys, half of it without the touches). Growth by half rehashes each key about twice over
   * a load of new keys (GROWTH), the price of buckets half the size. Keeping the hashes beside
   * the tables while a partition grows saved most of it, but the tables given back when it
   * stopped left their segments empty and resident: RSS went up, not down.
   */
  #resize(p: number, n: number): void {
    const d = this.#d;
    this.#settle(p);
    const old = d.tables[p];
    const oldMask = idMaskOf(d.idBits[p]);
    const oldAddr = d.tableAddr[p];
    const was = d.buckets[p];
    const arena = this.store.arena;
    const addr = arena.alloc(n * 4);
    d.tableAddr[p] = addr;
    d.tables[p] = tableAt(arena, addr, n);
    d.idBits[p] = idBitsFor(this.store.cap);
    d.buckets[p] = n;
    const ids = REHASH_IDS;
    for (let j = 0; j < old.length; ) {
      let m = 0;
      for (; j < old.length && m < ids.length; j++) {
        const w = old[j];
        if (w !== 0) ids[m++] = (w & oldMask) - 1;
      }
      this.#place(p, ids, m);
    }
    if (oldAddr !== -1) arena.free(oldAddr);
    this.#missKey = null;
    if (n > d.maxBuckets) d.maxBuckets = n;
    else if (was === d.maxBuckets && n < was) d.maxBucketsStale = true;
    this.#lastId = NONE;
  }

  /**
   * Grows partition p to n buckets. A small table is rebuilt at once (#resize); a larger one
   * moves to its new table a few buckets at a time, as Redis rehashes its dict: the new table
   * takes every new key from now on, each insert into the partition moves the keys of the next
   * MOVE_STEP buckets of the old one (whole probe runs: a run's members can be anywhere in it),
   * and the cron moves the rest of an idle one (moveSome). Meanwhile a lookup of a key whose
   * hash has not moved yet looks in the old table first. A rebuild of the whole partition stalled
   * the loop for its keys × ~100 ns: 4 ms a partition at 10M keys, 40 at 100M.
   */
  #grow(p: number, n: number): void {
    const d = this.#d;
    this.#settle(p);
    const n0 = d.buckets[p];
    if (n0 < Database.moveMinBuckets) return this.#resize(p, n);
    const old = d.tables[p];
    // The move starts after an empty bucket (one exists: tables are never full), so that no
    // probe run is cut in two: runs wrapping past the table's end are moved in one piece.
    let e = 0;
    while (old[e] !== 0) e++;
    const arena = this.store.arena;
    const addr = arena.alloc(n * 4);
    d.oldTables[p] = old;
    d.oldBuckets[p] = n0;
    d.oldIdBits[p] = d.idBits[p];
    d.oldAddr[p] = d.tableAddr[p];
    d.tables[p] = tableAt(arena, addr, n);
    d.buckets[p] = n;
    d.idBits[p] = idBitsFor(this.store.cap);
    d.tableAddr[p] = addr;
    d.moveCursor[p] = e;
    d.movePassed[p] = 0;
    d.moveFrom[p] = e === 0 ? 0 : firstHashOf(e, n0);
    d.moveSpan[p] = 0;
    d.moving++;
    if (n > d.maxBuckets) d.maxBuckets = n;
    this.#missKey = null;
    this.#lastId = NONE;
  }

  /**
   * Moves the keys of moving partition p's next `budget` old buckets (more to end a probe run)
   * to its new table; ends the move when every bucket is passed. A run starts after an empty
   * bucket and its members are homed within it, so after whole runs the keys moved are exactly
   * those homed in the passed buckets: an interval of hashes (notMoved).
   */
  #moveStep(p: number, budget: number): void {
    const d = this.#d;
    const old = d.oldTables[p];
    const n0 = d.oldBuckets[p];
    const mask = idMaskOf(d.oldIdBits[p]);
    const ids = REHASH_IDS;
    let c = d.moveCursor[p];
    let passed = d.movePassed[p];
    let m = 0;
    while (budget > 0 && passed < n0) {
      if (old[c] === 0) {
        if (++c === n0) c = 0;
        passed++;
        budget--;
        continue;
      }
      do {
        ids[m++] = (old[c] & mask) - 1;
        old[c] = 0;
        if (m === ids.length) {
          this.#place(p, ids, m);
          m = 0;
        }
        if (++c === n0) c = 0;
        passed++;
        budget--;
      } while (old[c] !== 0);
    }
    if (m > 0) this.#place(p, ids, m);
    this.#lastId = NONE; // the last find may have been in the old table
    if (passed >= n0) {
      this.store.arena.free(d.oldAddr[p]);
      d.oldTables[p] = EMPTY_TABLE;
      d.oldBuckets[p] = 0;
      d.oldAddr[p] = -1;
      d.moving--;
      return;
    }
    d.moveCursor[p] = c;
    d.movePassed[p] = passed;
    d.moveSpan[p] = ((c === 0 ? 0 : firstHashOf(c, n0)) - d.moveFrom[p]) & 0xffffff;
  }

  /** Puts entries ids[0, m) into partition p's table (their records read in a batch). */
  #place(p: number, ids: Int32Array, m: number): void {
    const d = this.#d;
    const store = this.store;
    const arena = store.arena;
    const t = d.tables[p];
    const n = d.buckets[p];
    const s = d.idBits[p];
    const addrs = REHASH_ADDRS;
    const hashes = REHASH_HASHES;
    let sum = 0;
    for (let q = 0; q < m; q++) addrs[q] = store.addrOf(ids[q]);
    for (let q = 0; q < m; q++) sum += arena.buf(addrs[q])[arena.off(addrs[q])];
    for (let q = 0; q < m; q++) hashes[q] = keyHash(store, ids[q]);
    for (let q = 0; q < m; q++) {
      const h = hashes[q];
      let i = homeOf(h, n);
      let k = 0;
      while (t[i] !== 0) {
        if (++i === n) i = 0;
        k++;
      }
      t[i] = wordOf(h, k, ids[q] + 1, s);
    }
    rehashSink = (rehashSink + sum) | 0;
    this.#missKey = null;
  }

  /**
   * Moves keys of moving partitions (incremental growth, #grow) until none is left or
   * `deadline` (performance.now() ms) passes; returns whether any is left. The cron's share,
   * as Redis's activerehashing: a partition no write reaches would keep both tables.
   */
  moveSome(deadline: number): boolean {
    const d = this.#d;
    for (let p = 0; p < PARTS && d.moving > 0; p++) {
      while (d.oldBuckets[p] !== 0) {
        this.#moveStep(p, MOVE_CRON_STEP);
        if (performance.now() >= deadline) return d.moving > 0;
      }
    }
    return d.moving > 0;
  }

  /** The narrowest id field (bits) over the partitions that have a table, or 0 (tests). */
  minIdBits(): number {
    const d = this.#d;
    let min = 0;
    for (let p = 0; p < PARTS; p++) if (d.buckets[p] !== 0 && (min === 0 || d.idBits[p] < min)) min = d.idBits[p];
    return min;
  }

  /** Partitions moving to a larger table (the cron's test, Keyspace.moveSome; tests). */
  get movingPartitions(): number {
    return this.#d.moving;
  }

  /** Ends partition p's move now, if it is moving (for walks that read one table a partition). */
  #settle(p: number): void {
    if (this.#d.oldBuckets[p] !== 0) this.#moveStep(p, Infinity);
  }

  /**
   * Returns an empty partition's table to the arena. A small database cycling keys (eviction
   * with a small maxmemory) drops and takes tables all the time, so the largest size is only
   * marked stale here and recomputed when randomEntry needs it.
   */
  #dropTable(p: number): void {
    const d = this.#d;
    if (d.oldBuckets[p] !== 0) {
      this.store.arena.free(d.oldAddr[p]); // its keys are gone too
      d.oldTables[p] = EMPTY_TABLE;
      d.oldBuckets[p] = 0;
      d.oldAddr[p] = -1;
      d.moving--;
    }
    this.store.arena.free(d.tableAddr[p]);
    d.tableAddr[p] = -1;
    d.tables[p] = EMPTY_TABLE;
    if (d.buckets[p] === d.maxBuckets) d.maxBucketsStale = true;
    d.buckets[p] = 0;
    this.#missKey = null;
    this.#lastId = NONE;
  }

  /** Returns every partition table to the arena (the index is being dropped). */
  #freeTables(): void {
    const d = this.#d;
    for (let p = 0; p < PARTS; p++) {
      if (d.tableAddr[p] !== -1) this.store.arena.free(d.tableAddr[p]);
      if (d.oldAddr[p] !== -1) this.store.arena.free(d.oldAddr[p]);
    }
  }

  /** Partition tables allocated in the arena and their bytes (memory accounting, tests). */
  indexTables(): { count: number; bytes: number } {
    const d = this.#d;
    let count = 0;
    let bytes = 0;
    for (let p = 0; p < PARTS; p++) {
      if (d.tableAddr[p] !== -1) {
        count++;
        bytes += d.tables[p].byteLength;
      }
      if (d.oldAddr[p] !== -1) {
        count++;
        bytes += d.oldTables[p].byteLength;
      }
    }
    return { count, bytes };
  }

  #volRemove(pos: number): void {
    const d = this.#d;
    const end = --d.volLen;
    if (pos !== end) {
      const last = d.vol[end];
      d.vol[pos] = last;
      d.volExp[pos] = d.volExp[end];
      this.store.setVpos(last, pos);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Iteration

  /**
   * One SCAN step from `cursor` (0 starts). Visits about `count` home buckets and calls visit
   * with each entry found; returns the next cursor, 0 when done. The visitor must not modify
   * the database. Every key present for the whole iteration is visited at least once.
   *
   * A cursor is a position in the hash space (partition * 2^24 + the hash's low 24 bits). A
   * step visits every key whose hash lies from the cursor up to the cursor it returns (and
   * maybe keys just before it, sharing a home bucket): after the step, a key was visited by
   * this iteration exactly when its hash is below the returned cursor (hashVisited), whatever
   * the table sizes were at each step.
   */
  scan(cursor: number, count: number, visit: (id: number) => void): number {
    const d = this.#d;
    let p = Math.floor(cursor / PART_SPAN);
    if (p >= PARTS) return 0; // never handed out: past the end
    let pos = cursor % PART_SPAN;
    let visited = 0;
    for (;;) {
      if (d.sizes[p] > 0) {
        // A moving partition (#grow): the old table's buckets set the step's end, then the new
        // table's keys of the same hashes follow, those past the end (in its last bucket) left
        // for the next step. Keys that move between steps keep their hashes, so none is missed.
        const old = d.oldBuckets[p] !== 0;
        const t = old ? d.oldTables[p] : d.tables[p];
        const n = old ? d.oldBuckets[p] : d.buckets[p];
        const s = old ? d.oldIdBits[p] : d.idBits[p];
        let b = homeOf(pos, n);
        do {
          this.#visitHome(t, n, s, b, visit, PART_SPAN);
          visited++;
          b++;
        } while (b < n && visited < count);
        const end = b === n ? PART_SPAN : firstHashOf(b, n);
        if (old) {
          const n1 = d.buckets[p];
          const last = end === PART_SPAN ? n1 - 1 : homeOf(end - 1, n1);
          for (let b1 = homeOf(pos, n1); b1 <= last; b1++) this.#visitHome(d.tables[p], n1, d.idBits[p], b1, visit, b1 === last ? end : PART_SPAN);
        }
        pos = end;
      } else {
        pos = PART_SPAN;
      }
      if (pos === PART_SPAN) {
        pos = 0;
        p++;
        if (p === PARTS) return 0;
        if (visited >= count) return p * PART_SPAN;
      } else {
        return p * PART_SPAN + pos;
      }
    }
  }

  /**
   * Visits the entries whose home is bucket b of table t (n buckets, s id bits): those at
   * distance k from it displaced by k. With end < PART_SPAN, only those whose 24-bit hash is
   * below end (their keys read).
   */
  #visitHome(t: Int32Array, n: number, s: number, b: number, visit: (id: number) => void, end: number): void {
    const dm = dispMaxOf(s);
    const mask = idMaskOf(s);
    let j = b;
    for (let k = 0, w = t[j]; w !== 0; k++, w = t[j]) {
      let disp = (w >>> s) & dm;
      if (disp === dm && k >= dm) disp = trueDisp(this.store, j, w, n, s);
      if (disp === k && (end === PART_SPAN || (keyHash(this.store, (w & mask) - 1) & 0xffffff) < end)) visit((w & mask) - 1);
      if (++j === n) j = 0;
    }
  }

  /** Calls visit with every entry. The visitor must not modify the database. */
  forEach(visit: (id: number) => void): void {
    const d = this.#d;
    for (let p = 0; p < PARTS; p++) {
      if (d.sizes[p] === 0) continue;
      const t = d.tables[p];
      const mask = idMaskOf(d.idBits[p]);
      for (let j = 0; j < t.length; j++) if (t[j] !== 0) visit((t[j] & mask) - 1);
      const o = d.oldTables[p];
      const oldMask = idMaskOf(d.oldIdBits[p]);
      for (let j = 0; j < o.length; j++) if (o[j] !== 0) visit((o[j] & oldMask) - 1);
    }
  }

  /**
   * Up to `max` entries of one hash slot (cluster GETKEYSINSLOT, migration). Needs the store's
   * slot links (cluster mode); without them this is a full walk of the index.
   */
  slotEntries(slot: number, max = Infinity): number[] {
    const out: number[] = [];
    if (!this.store.slotLinks) {
      const store = this.store;
      this.forEach((id) => {
        if (out.length >= max) return;
        store.locate(id);
        if (keyHashSlot(store.rb.subarray(store.rk, store.rk + store.rkl)) === slot) out.push(id);
      });
      return out;
    }
    const next = this.store.next;
    for (let id = this.#d.slotHead[slot]; id >= 0 && out.length < max; id = next[id]) out.push(id);
    return out;
  }

  /**
   * A random entry (rand() gives uniform numbers in [0,1)), or NONE when empty. Every key is
   * equally likely: a partition and a bucket position below the largest partition's bucket
   * count are drawn uniformly, and draws that miss (past a smaller partition's end, or an
   * empty bucket) are repeated. Expected draws: total capacity / keys, a handful for any
   * database big enough to matter (partitions are kept at least 1/5 full); after 64 misses (a
   * tiny database) it draws a rank and walks to that key.
   */
  randomEntry(rand: () => number): number {
    const d = this.#d;
    if (d.size === 0) return NONE;
    if (d.maxBucketsStale) {
      let m = 0;
      for (let p = 0; p < PARTS; p++) if (d.buckets[p] > m) m = d.buckets[p];
      d.maxBuckets = m;
      d.maxBucketsStale = false;
    }
    const span = d.maxBuckets;
    let p = 0;
    for (let tries = 0; tries < 64; tries++) {
      p = Math.floor(rand() * PARTS);
      this.#settle(p);
      const i = Math.floor(rand() * span);
      if (i >= d.buckets[p]) continue;
      const w = d.tables[p][i];
      if (w !== 0) return (w & idMaskOf(d.idBits[p])) - 1;
    }
    // Few keys in many buckets: take the k-th key in index order instead (still uniform).
    let k = Math.floor(rand() * d.size);
    p = 0;
    while (k >= d.sizes[p]) k -= d.sizes[p++];
    this.#settle(p);
    const t = d.tables[p];
    const mask = idMaskOf(d.idBits[p]);
    for (let i = 0; ; i++) if (t[i] !== 0 && k-- === 0) return (t[i] & mask) - 1;
  }

  /**
   * Up to `count` distinct entries near a random bucket (Redis's dictGetSomeKeys): from a random
   * partition and bucket, the occupied buckets in index order, wrapping within the partition and
   * moving on to the next partition, at most 10 * count buckets looked at. Not uniform, but
   * the buckets are hash order, so the keys are unrelated; and the walk reads a few cache lines
   * where `count` random draws miss the cache `count` times (eviction samples keys this way).
   * Writes the entries to out (length >= count) and returns how many it found.
   */
  sampleEntries(rand: () => number, out: Int32Array, count: number): number {
    const d = this.#d;
    if (d.size === 0) return 0;
    let p = Math.floor(rand() * PARTS);
    let n = 0;
    let budget = 10 * count;
    for (let parts = 0; parts < PARTS && n < count && budget > 0; parts++, p = (p + 1) & (PARTS - 1)) {
      if (d.sizes[p] === 0) continue;
      this.#settle(p);
      const nb = d.buckets[p];
      const t = d.tables[p];
      const mask = idMaskOf(d.idBits[p]);
      let i = Math.floor(rand() * nb);
      for (let k = 0; k < nb && n < count && budget > 0; k++, budget--) {
        const w = t[i];
        if (w !== 0) out[n++] = (w & mask) - 1;
        if (++i === nb) i = 0;
      }
    }
    return n;
  }

  /** The i-th entry with a TTL (0 <= i < expiresSize), in no particular order. */
  volatileEntry(i: number): number {
    return this.#d.vol[i];
  }

  /** The expiry of volatileEntry(i), read from the volatile array (not the key's record). */
  volatileExpiry(i: number): number {
    return this.#d.volExp[i];
  }

  /** A random entry among those with a TTL (volatile-* eviction), or NONE. */
  randomVolatile(rand: () => number): number {
    const d = this.#d;
    return d.volLen === 0 ? NONE : d.vol[Math.floor(rand() * d.volLen)];
  }

  /**
   * Visits up to `max` keys with a TTL, with their expiry, continuing where the previous call
   * stopped and wrapping around. Returns how many were visited. The visitor may delete the
   * visited key. The expiry comes from the volatile array: a key that has not expired costs no
   * access to its record.
   */
  sampleExpires(max: number, visit: (id: number, expireAt: number) => void): number {
    const d = this.#d;
    let n = 0;
    let wrapped = false;
    while (n < max && d.volLen > 0) {
      if (d.volCursor >= d.volLen) {
        if (wrapped) break;
        wrapped = true;
        d.volCursor = 0;
      }
      const id = d.vol[d.volCursor];
      n++;
      visit(id, d.volExp[d.volCursor]);
      // A deleted key's place is taken by the last one: visit that place again.
      if (d.volCursor < d.volLen && d.vol[d.volCursor] === id) d.volCursor++;
    }
    return n;
  }

  /** Deletes an expired key found by the active cycle, reporting it first. */
  expireNow(id: number): void {
    this.#onExpired(this, id);
    this.delete(id);
  }
}

/** Scratch for #resize() and #moveStep(): a batch of entries being rehashed (#place). */
const REHASH_IDS = new Int32Array(32);
/** Scratch for #place(): the batch's record addresses and hashes. */
const REHASH_ADDRS = new Int32Array(32);
const REHASH_HASHES = new Int32Array(32);
/**
 * Old buckets a partition's insert moves (#grow). The new table must not fill before the old
 * one empties: it holds half as many buckets again, so about 0.4 × the old buckets of inserts
 * grow it again; at 32 buckets an insert the move takes 1/32 ×, its keys (about 0.8 a bucket,
 * rehashed from their records) costing some 2.5 µs an insert while it lasts. Moves of 8 or 16
 * buckets an insert overlapped more (two probes for a new key whose hash has not moved) and
 * batched fewer record reads: a load of 1M new keys in process was 3-30 % slower; at 32 it is
 * as fast as whole rebuilds (`taskset -c 1 node dist/bench/insert-micro.js 1000000 5`, 6
 * alternations: 740-846 ns a key against 724-920).
 */
const MOVE_STEP = 32;
/** Old buckets the cron moves between two looks at the clock (Database.moveSome). */
const MOVE_CRON_STEP = 1024;
/** Inserts between two partitions widened ahead of the ids (#widenAhead): 256 in half a chunk. */
const WIDEN_EVERY = 128;

/** A partition's table (or hash array) of n words at arena address addr. */
function tableAt(arena: Arena, addr: number, n: number): Int32Array {
  const seg = arena.buf(addr);
  return new Int32Array(seg.buffer as ArrayBuffer, seg.byteOffset + arena.off(addr), n).fill(0);
}
/** Where #place() leaves the sum of the bytes it touched, so the reads are not optimised away. */
let rehashSink = 0;

/** The hash of entry id's key (decodes its record: Store.locate). */
function keyHash(store: Store, id: number): number {
  store.locate(id);
  return hashBytes(store.rb, store.rk, store.rk + store.rkl);
}

/**
 * The displacement of word w at bucket j of a table of n buckets and s id bits, from its key
 * (the word's field is saturated).
 */
function trueDisp(store: Store, j: number, w: number, n: number, s: number): number {
  const home = homeOf(keyHash(store, (w & idMaskOf(s)) - 1), n);
  return j >= home ? j - home : j - home + n;
}

/**
 * Whether a key of hash h in moving partition p has not moved yet: it is in the old table if
 * it was there when the move began (keys added since are in the new one).
 */
function notMoved(d: DbData, p: number, h: number): boolean {
  return (((h & 0xffffff) - d.moveFrom[p]) & 0xffffff) >= d.moveSpan[p];
}

/** Bits of the id field for a store whose ids are below cap (id + 1 <= cap fits). */
function idBitsFor(cap: number): number {
  let s = MIN_ID_BITS;
  while (s < MAX_ID_BITS && (1 << s) - 1 < cap) s++;
  return s;
}

/** Bits of the displacement field beside an id field of s bits. */
function dispBitsOf(s: number): number {
  return s > 32 - DISP_BITS ? 32 - s : DISP_BITS;
}

/** The saturated (largest) displacement beside an id field of s bits. */
function dispMaxOf(s: number): number {
  return (1 << dispBitsOf(s)) - 1;
}

function idMaskOf(s: number): number {
  return (1 << s) - 1;
}

/** The tag of hash h beside an id field of s bits: the hash's low bits that fit the word. */
function tagOf(h: number, s: number): number {
  return h & ((1 << (32 - s - dispBitsOf(s))) - 1);
}

/** The bucket word of the entry id1 - 1 with hash h at distance k from its home. */
function wordOf(h: number, k: number, id1: number, s: number): number {
  const dm = dispMaxOf(s);
  return (((tagOf(h, s) << dispBitsOf(s)) | (k < dm ? k : dm)) << s) | id1;
}

/** Scratch for prefetch(): per key its partition, hash, and home bucket, then record address. */
const PREFETCH_PARTS = new Int32Array(64);
const PREFETCH_HASHES = new Int32Array(64);
const PREFETCH_HOMES = new Int32Array(64);

/** 2^-24: scales a 24-bit hash into a table (homeOf). */
const INV_SPAN = 1 / PART_SPAN;

/**
 * Home bucket of hash h in a table of n buckets: its low 24 bits scaled to [0, n). Exact: n
 * times a power of two, and the product stays below 2^53. The arithmetic is floating-point
 * from the first call: written as (h24 * n) / 2^24, the optimiser speculated on a small-integer
 * product while the tables were small and deoptimised the lookup, prefetch and resize code
 * (each recompiled, up to 58 ms of compilation) once a table passed 128 buckets.
 */
function homeOf(h: number, n: number): number {
  return ((h & 0xffffff) * (n * INV_SPAN)) | 0;
}

/** The smallest 24-bit hash whose home in a table of n buckets is bucket b (0 < b < n). */
function firstHashOf(b: number, n: number): number {
  let x = Math.floor((b * PART_SPAN + n - 1) / n);
  while (homeOf(x, n) < b) x++;
  while (x > 0 && homeOf(x - 1, n) >= b) x--;
  return x;
}

/**
 * Buckets for a partition rebuilt with `keys` keys at no more than `load`: the lowest rung of
 * the ladder (GROWTH) that holds them, rounded up to fill its arena slot. A partition that
 * grows at its GROW_LOAD thus moves one rung up.
 */
function bucketsFor(keys: number, load: number): number {
  const want = Math.max(MIN_BUCKETS, keys / load);
  let k = Math.max(0, Math.ceil(Math.log(want / MIN_BUCKETS) / Math.log(GROWTH)));
  let n = Math.ceil(MIN_BUCKETS * GROWTH ** k);
  while (n < want) n = Math.ceil(MIN_BUCKETS * GROWTH ** ++k);
  return Arena.capacityFor(n * 4) >>> 2;
}

/**
 * Whether a SCAN iteration (Database.scan) that has returned `cursor` has visited the key with
 * hash h: its position in the hash space is below the cursor. Before the first step (cursor
 * 0) nothing is visited.
 */
export function hashVisited(h: number, cursor: number): boolean {
  return h >>> 0 < cursor;
}
