// The node's keyspace: its databases, access accounting (hits, misses, LRU/LFU) and expiry.
//
// Handlers reach keys only through here (lookupRead / lookupWrite / setKey / deleteKey), so
// statistics, access clocks, lazy expiry and the "expired" event stay consistent no matter
// which command touches a key.

import type { Clock } from '../../lib/clock.js';
import { Database, ExpiryPolicy, NONE } from './database.js';
import { NO_EXPIRY, StrEnc, VType } from './entry.js';
import { lfuDecrAndReturn, lfuIncr, lfuInitial } from './lfu.js';
import { OBJECT_SLOT_BYTES, Store } from './store.js';
import { aggregateCodec } from './types/codec.js';

export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  expireCycleCpuMs: number;
  /** Keys detached by FLUSHDB ASYNC and not freed yet, and keys freed that way so far. */
  lazyfreePendingObjects: number;
  lazyfreedObjects: number;
}

export interface KeyspaceOptions {
  databases: number;
  clock: Clock;
  /**
   * Keep per-slot key lists and counts (cluster mode: COUNTKEYSINSLOT, GETKEYSINSLOT, slot
   * migration). Costs 10 bytes per key; off by default, as Redis keeps them only in cluster
   * mode.
   */
  slotIndex?: boolean;
  /** Called for every key removed because its TTL passed (just before it is removed). */
  onExpired?: (db: Database, id: number) => void;
  /** Keep small aggregates packed in the arena between commands (store.ts); default true. */
  packAggregates?: boolean;
}

/** How accesses update the per-key clock: LRU seconds or the LFU counter. */
export type AccessPolicy = 'lru' | 'lfu';

export class Keyspace {
  /** Entries of every database: metadata in typed arrays, keys and values in the arena. */
  readonly store: Store;
  readonly dbs: Database[];
  /** Shared by every database: what lazy expiry does (CLIENT PAUSE, replicas: database.ts). */
  readonly expiry: ExpiryPolicy = new ExpiryPolicy();
  readonly clock: Clock;
  readonly stats: KeyspaceStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    expireCycleCpuMs: 0,
    lazyfreePendingObjects: 0,
    lazyfreedObjects: 0,
  };
  /** Detached handles waiting to be freed (FLUSHDB ASYNC), oldest first. */
  #lazy: Int32Array[] = [];
  #lazyPos = 0;
  /** Bytes of the handle arrays in #lazy. */
  #lazyBytes = 0;
  #lazyTimer: NodeJS.Immediate | null = null;
  /** lru: per-key LRU seconds; lfu: logarithmic counter (maxmemory-policy *-lfu). */
  accessPolicy: AccessPolicy = 'lru';
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Random source in [0,1) for LFU increments (injectable for tests). */
  random: () => number = Math.random;
  /**
   * Access clocks of Redis's shared integer objects "0".."9999" (OBJ_SHARED_INTEGERS). Redis
   * stores every small integer value as one object shared by all keys holding it (unless an
   * LRU/LFU maxmemory policy is active), so an access through any of those keys moves the one
   * clock that OBJECT IDLETIME / FREQ report for all of them, and a fresh SET of "5" reports
   * the idle time of the shared "5", not 0. touch() keeps both clocks; readers pick (see
   * accessClock()). Created at startup with the LRU clock, as Redis creates its shared objects.
   */
  readonly sharedLru = new Uint32Array(SHARED_INTEGERS);
  #onExpired: (db: Database, id: number) => void;
  /** Called for every read miss while set (keyspace notifications of class m: "keymiss"). */
  onKeyMiss: ((db: Database, key: Uint8Array) => void) | null = null;
  /**
   * Observers of key accesses (key analytics: hot keys, per-pattern statistics). Each is called
   * for every lookup made for a command: `e` is the entry or NONE (a miss), `read` tells
   * lookupRead (which counts keyspace hits and misses) from lookupWrite. Empty unless a feature
   * that needs it is on, so the lookup pays one length test.
   */
  readonly accessObservers: Array<(db: Database, key: Uint8Array, e: number, read: boolean) => void> = [];

  constructor(opts: KeyspaceOptions) {
    this.store = new Store({ slotLinks: opts.slotIndex ?? false });
    if (opts.packAggregates ?? true) this.store.codec = aggregateCodec;
    this.clock = opts.clock;
    this.sharedLru.fill(lruClock(opts.clock.now()));
    this.#onExpired = opts.onExpired ?? (() => {});
    this.dbs = [];
    for (let i = 0; i < opts.databases; i++) this.dbs.push(new Database(i, this.store, this.#expiredHook, this.expiry));
  }

  readonly #expiredHook = (db: Database, id: number): void => {
    this.stats.expiredKeys++;
    this.#onExpired(db, id);
  };

  /**
   * Empty databases beside the node's, one per database and sharing its store, to load a
   * dataset into while the current one is served (a replica's repl-diskless-load swapdb, as
   * Redis's tempDb): nothing reaches them but the caller, and installShadow or dropShadow
   * ends them.
   */
  shadowDbs(): Database[] {
    this.#shadows++;
    return this.dbs.map((db) => new Database(db.id, this.store, this.#expiredHook, this.expiry));
  }

  /** Sets of shadow databases not yet installed or dropped (flushAll must leave them be). */
  #shadows = 0;

  /**
   * Puts the datasets of `shadow` in place of the node's (swapMainDbWithTempDb), then frees
   * the old ones as FLUSHDB ASYNC would (in slices, from LAZY_MIN keys) and ends the shadow
   * databases. Watches, client-side caches and blocked clients are the caller's concern.
   */
  installShadow(shadow: Database[]): void {
    for (let i = 0; i < this.dbs.length; i++) this.dbs[i].exchangeWith(shadow[i]);
    this.dropShadow(shadow);
  }

  /** Frees what the shadow databases hold, as FLUSHDB ASYNC would, and ends them. */
  dropShadow(shadow: Database[]): void {
    for (const db of shadow) {
      this.flushDb(db, true);
      db.dispose();
    }
    this.#shadows--;
  }

  /** The access-clock value a new key starts with. */
  initialLru(now: number): number {
    return this.accessPolicy === 'lfu' ? lfuInitial(now) : lruClock(now);
  }

  /** Records an access to entry e (unless the client asked for NO-TOUCH). */
  touch(e: number, now: number): void {
    const store = this.store;
    const shared = sharedIntIndex(store, e);
    if (this.accessPolicy === 'lfu') {
      const counter = lfuDecrAndReturn(store.clock(e), now, this.lfuDecayTime);
      store.setClock(e, lfuIncr(counter, now, this.lfuLogFactor, this.random));
      if (shared >= 0) {
        const c = lfuDecrAndReturn(this.sharedLru[shared], now, this.lfuDecayTime);
        this.sharedLru[shared] = lfuIncr(c, now, this.lfuLogFactor, this.random);
      }
    } else {
      const lru = lruClock(now);
      store.setClock(e, lru);
      if (shared >= 0) this.sharedLru[shared] = lru;
    }
  }

  /**
   * The access clock OBJECT IDLETIME / FREQ / DEBUG OBJECT report for e: the shared object's
   * when `sharing` (integers are shared under the current maxmemory settings) and e holds one
   * of the shared integers, else e's own.
   */
  accessClock(e: number, sharing: boolean): number {
    const own = this.store.clock(e);
    if (!sharing) return own;
    const shared = sharedIntIndex(this.store, e);
    return shared >= 0 ? this.sharedLru[shared] : own;
  }

  /** Lookup for a read: lazy expiry, hit/miss accounting, access clock update. NONE if missing. */
  lookupRead(db: Database, key: Uint8Array, now: number, noTouch = false): number {
    const e = db.lookup(key, now);
    if (this.accessObservers.length > 0) this.#observe(db, key, e, true);
    if (e === NONE) {
      this.stats.keyspaceMisses++;
      if (this.onKeyMiss !== null) this.onKeyMiss(db, key);
      return NONE;
    }
    this.stats.keyspaceHits++;
    if (!noTouch) this.touch(e, now);
    return e;
  }

  /** Lookup for a write: lazy expiry and access clock, no hit/miss accounting. */
  lookupWrite(db: Database, key: Uint8Array, now: number, noTouch = false): number {
    const e = db.lookup(key, now);
    if (this.accessObservers.length > 0) this.#observe(db, key, e, false);
    if (e !== NONE && !noTouch) this.touch(e, now);
    return e;
  }

  #observe(db: Database, key: Uint8Array, e: number, read: boolean): void {
    for (const f of this.accessObservers) f(db, key, e, read);
  }

  /** Total keys and keys with a TTL across databases. */
  totals(): { keys: number; expires: number } {
    let keys = 0;
    let expires = 0;
    for (const db of this.dbs) {
      keys += db.size;
      expires += db.expiresSize;
    }
    return { keys, expires };
  }

  /**
   * The keyspace's accounted memory (what maxmemory compares against, with the startup
   * baseline and the clients' buffers): the arena bytes handed out (records and index
   * partition tables), the entry metadata chunks, the volatile-key and slot arrays, the
   * aggregate values' estimates and their Map slots, and the handles awaiting a lazy free.
   *
   * Arena bytes count slots handed out, not segments reserved, for the reason Redis counts
   * jemalloc's allocated bytes rather than its active pages: memory is freed one record at a
   * time, while a 1 MB segment returns only when its last record goes, so an eviction loop
   * watching reserved bytes would see nothing freed until it had emptied whole segments. The
   * difference (free slots, pooled segments) shows as fragmentation (INFO allocator_*, RSS).
   *
   * O(1) plus the aggregates touched since the last call (Store.aggregateBytes): the dispatch
   * gate asks before every command while maxmemory is set.
   */
  bytes(): number {
    const store = this.store;
    return (
      store.arena.usedBytes +
      store.metaBytes() +
      store.sideBytes +
      store.aggregateBytes() +
      store.objects.size * OBJECT_SLOT_BYTES +
      this.#lazyBytes
    );
  }

  /**
   * Moves keys of growing index partitions (Database.moveSome) for up to `ms` milliseconds,
   * database by database: the cron's share of incremental growth (activerehashing).
   */
  moveSome(ms: number): void {
    const deadline = performance.now() + ms;
    for (const db of this.dbs) if (db.movingPartitions > 0 && db.moveSome(deadline)) return;
  }

  /**
   * bytes() split by what it holds: `data` is the records (keys and string values) and the
   * aggregate values, `overhead` the entry metadata, the indexes (partition tables, volatile
   * and slot arrays), the aggregates' Map slots and the handles awaiting a lazy free.
   */
  memory(): { data: number; overhead: number } {
    const store = this.store;
    const total = this.bytes();
    let tables = 0;
    for (const db of this.dbs) tables += db.indexTables().bytes;
    const data = store.arena.usedBytes - tables + store.aggregateBytes();
    return { data, overhead: total - data };
  }

  /**
   * Empties db (FLUSHDB). With `lazy` and a large database that shares the node with other
   * databases, the keys leave the index at once and their memory is freed in slices of at most
   * LAZY_SLICE keys per event-loop turn, as Redis hands the old table to its lazy-free thread;
   * otherwise everything is freed now. Returns the number of keys removed.
   */
  flushDb(db: Database, lazy: boolean): number {
    const n = db.size;
    if (!lazy || n < LAZY_MIN || db.holdsAllEntries()) {
      db.clear();
      return n;
    }
    const ids = db.detachAll();
    this.#lazy.push(ids);
    this.#lazyBytes += ids.byteLength;
    this.stats.lazyfreePendingObjects += n;
    if (this.#lazyTimer === null) this.#lazyTimer = setImmediate(() => this.#lazyStep());
    return n;
  }

  #lazyStep(): void {
    this.#lazyTimer = null;
    let budget = LAZY_SLICE;
    while (budget > 0 && this.#lazy.length > 0) {
      const ids = this.#lazy[0];
      const end = Math.min(ids.length, this.#lazyPos + budget);
      for (let i = this.#lazyPos; i < end; i++) this.store.destroy(ids[i]);
      const done = end - this.#lazyPos;
      budget -= done;
      this.stats.lazyfreePendingObjects -= done;
      this.stats.lazyfreedObjects += done;
      if (end === ids.length) {
        this.#lazy.shift();
        this.#lazyBytes -= ids.byteLength;
        this.#lazyPos = 0;
      } else {
        this.#lazyPos = end;
      }
    }
    if (this.#lazy.length > 0) this.#lazyTimer = setImmediate(() => this.#lazyStep());
  }

  /** Empties every database. */
  flushAll(): number {
    let removed = 0;
    for (const db of this.dbs) removed += db.size;
    if (this.#shadows > 0) {
      // A dataset loads beside the node's (a replica's async loading): only the node's goes,
      // and what FLUSHDB ASYNC left to free is still freed in slices.
      for (const db of this.dbs) db.clear();
      return removed;
    }
    // Whatever FLUSHDB ASYNC left to free goes with the store.
    if (this.#lazyTimer !== null) clearImmediate(this.#lazyTimer);
    this.#lazyTimer = null;
    this.#lazy = [];
    this.#lazyPos = 0;
    this.#lazyBytes = 0;
    this.stats.lazyfreedObjects += this.stats.lazyfreePendingObjects;
    this.stats.lazyfreePendingObjects = 0;
    this.store.reset(); // every database forgets its index (Store.resetListeners)
    return removed;
  }
}

/** FLUSHDB ASYNC frees in the background only from this many keys (Redis: LAZYFREE_THRESHOLD 64). */
const LAZY_MIN = 65536;
/** Keys freed per event-loop turn by the lazy free (about 20 ms of work). */
const LAZY_SLICE = 50000;

/** Redis's OBJ_SHARED_INTEGERS: the values "0".."9999" can be shared objects. */
export const SHARED_INTEGERS = 10000;

/**
 * The shared integer (0..9999) a string entry would be stored as by Redis, or -1: the
 * canonical decimal spelling of such a number, in an entry not marked raw, unshared or
 * never-int (StrEnc.Auto). Cheap: it runs on every touch.
 */
export function sharedIntIndex(store: Store, e: number): number {
  if (store.type(e) !== VType.String || store.enc(e) !== StrEnc.Auto) return -1;
  store.locate(e);
  const v = store.rb;
  const o = store.rv;
  const n = store.rvl;
  if (n === 0 || n > 4 || (v[o] === 0x30 && n > 1)) return -1;
  let x = 0;
  for (let i = o; i < o + n; i++) {
    const d = v[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
  }
  return x;
}

/** Redis's LRU clock: seconds, 24 bits, wrapping. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
export function lruClock(now: number): number {
  return Math.floor(now / 1000) & LRU_CLOCK_MAX;
}

/** Seconds since the access recorded in an LRU clock value, handling wrap-around. */
export function lruIdleSeconds(lru: number, now: number): number {
  const clock = lruClock(now);
  return clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
}

export { NO_EXPIRY, NONE };
