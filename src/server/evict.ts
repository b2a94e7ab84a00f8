// maxmemory: key eviction under the eight policies, as Redis 7.0's evict.c.
//
// When it runs. The dispatch gate calls performEvictions() before every command while
// maxmemory is set (Redis's processCommand); if memory is still over the limit afterwards and
// nothing more can be evicted (EVICT_FAIL), commands flagged denyoom — and anything a client in
// MULTI queues — are refused with the OOM error. CONFIG SET maxmemory starts the eviction timer
// below, so shrinking the limit evicts at once, in slices, without waiting for a command.
//
// How much. The memory figure is the accounted one (memory-account.ts). One call frees
// `used - maxmemory` bytes, measured as the drop of the keyspace's bytes across each deletion,
// as Redis measures zmalloc_used_memory() around dbDelete: what the deletion itself freed, not
// what its propagation will cost.
//
// For how long. Every 16 keys the loop checks its time budget, derived from
// maxmemory-eviction-tenacity (0..10: 50 us per step, so 500 us by default; 11..99: +15 % per
// step, about 2 minutes at 99; 100: unlimited). Past the budget it stops and hands over to a
// timer that keeps evicting on every event-loop turn until memory is under the limit or nothing
// is left (Redis's evictionTimeProc); commands are served in between, and while that timer runs
// the gate reports EVICT_RUNNING, which refuses nothing.
//
// Which keys. The policy picks the dictionary sampled (allkeys-*: every key; volatile-*: keys
// with a TTL) and the score:
//   *-lru         idle time from the key's LRU clock (seconds; higher = better candidate)
//   *-lfu         255 - the key's LFU counter after decay (rarely used = better)
//   volatile-ttl  the nearest expiry first
//   *-random      one uniformly random key, databases visited round-robin
// The LRU/LFU/TTL policies keep Redis's eviction pool: 16 candidates ordered by score, which
// survive across calls. Each round samples maxmemory-samples keys from every database
// (Database.sampleEntries: a run of buckets from a random place, as dictGetSomeKeys, or
// randomVolatile for the keys with a TTL; a database with no more keys than
// that contributes all of them), inserts those that beat the pool's worst, then evicts the best
// pool entry whose key still exists (entries are key names, so a key deleted or replaced since
// it was sampled is skipped as a "ghost", and a replacement is evicted by its old score, as in
// Redis). Keys are evicted whether or not their TTL has passed already: an expired key is still
// a key until expiry reclaims it.
//
// Each eviction, in Redis 7.0's order: delete the key, count it (evicted_keys), signal it as
// modified (WATCH, client-side caching), raise the "evicted" keyspace event, propagate the
// deletion. lazyfree-lazy-eviction is accepted: deletion frees synchronously either way (a
// record is one arena slot; an aggregate is left to the garbage collector), and only the
// propagated command would differ (UNLINK instead of DEL).
//
// Not evicted: nothing while clients are paused (the dataset must stay still, as in Redis).
// CLIENT NO-EVICT exempts a client from client eviction (maxmemory-clients, client-eviction.ts);
// it has no effect on key eviction, in Redis either.

import { performance } from 'node:perf_hooks';
import { NONE, type Database } from './keyspace/database.js';
import { NO_EXPIRY } from './keyspace/entry.js';
import { lruIdleSeconds } from './keyspace/keyspace.js';
import { lfuDecrAndReturn } from './keyspace/lfu.js';
import type { Server } from './server.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from './signals.js';

/** performEvictions results (Redis EVICT_*). */
export const EVICT_OK = 0;
/** Over the limit, and the eviction timer is still working on it: nothing is refused. */
export const EVICT_RUNNING = 1;
/** Over the limit and nothing left to evict (or noeviction): denyoom commands are refused. */
export const EVICT_FAIL = 2;

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16;
/** Pool rounds per eviction before giving up on finding a live candidate (a safety bound). */
const MAX_POOL_ROUNDS = 64;

type Scoring = 'lru' | 'lfu' | 'ttl' | 'random' | 'none';

interface PoolEntry {
  /** Score: higher is a better candidate (Redis calls it idle). */
  idle: number;
  /** The key's name, or null for an empty slot. */
  key: Buffer | null;
  dbid: number;
}

/** A policy name as its dictionary (allkeys or volatile) and its scoring. */
function parsePolicy(policy: string): { allkeys: boolean; scoring: Scoring } {
  if (policy === 'noeviction') return { allkeys: true, scoring: 'none' };
  const allkeys = policy.startsWith('allkeys-');
  const kind = policy.slice(policy.indexOf('-') + 1);
  const scoring: Scoring = kind === 'lru' || kind === 'lfu' || kind === 'ttl' ? kind : 'random';
  return { allkeys, scoring };
}

/**
 * Redis's evictionTimeLimitUs: the time one performEvictions call may spend, in microseconds,
 * for maxmemory-eviction-tenacity t (0..100; 100 = no limit).
 */
export function evictionTimeLimitUs(t: number): number {
  if (t <= 10) return 50 * t;
  if (t < 100) return Math.floor(500 * Math.pow(1.15, t - 10));
  return Infinity;
}

export class Evictor {
  readonly #srv: Server;
  /** What the signal helpers take as the origin of a change made by the server itself. */
  readonly #from: { readonly srv: Server };
  readonly #pool: PoolEntry[] = Array.from({ length: POOL_SIZE }, () => ({ idle: 0, key: null, dbid: 0 }));
  /** Round-robin database cursor of the random policies. */
  #nextDb = 0;
  /** The eviction timer (Redis's evictionTimeProc), while it runs. */
  #timer: NodeJS.Immediate | null = null;
  #closed = false;

  // Settings, refreshed by the server when their parameters change.
  /** maxmemory in bytes; 0 = no limit (the gate skips the OOM step with this one test). */
  maxmemory = 0;
  #allkeys = true;
  #scoring: Scoring = 'none';
  samples = 5;
  tenacity = 10;
  /** lazyfree-lazy-eviction: only the propagated command differs (see the file header). */
  lazy = false;

  // Statistics (INFO stats).
  evictedKeys = 0;
  /** performance.now() when memory went over the limit without recovering, or -1. */
  #exceededSince = -1;
  /** Time spent over the limit in finished episodes, in ms. */
  #exceededTotalMs = 0;

  constructor(srv: Server) {
    this.#srv = srv;
    this.#from = { srv };
  }

  /**
   * Applies a maxmemory-policy value. A change of scoring empties the pool: its entries' scores
   * (idle milliseconds, inverted frequencies, expiry times) mean nothing under another policy,
   * and an entry naming a key that was recreated since would be evicted by its stale score.
   */
  setPolicy(policy: string): void {
    const p = parsePolicy(policy);
    if (p.scoring !== this.#scoring || p.allkeys !== this.#allkeys) {
      for (const e of this.#pool) {
        e.key = null;
        e.idle = 0;
      }
    }
    this.#allkeys = p.allkeys;
    this.#scoring = p.scoring;
  }

  /** total_eviction_exceeded_time, in ms (finished episodes plus the current one). */
  get totalExceededMs(): number {
    return this.#exceededTotalMs + this.currentExceededMs;
  }

  /** current_eviction_exceeded_time, in ms (0 when memory is within the limit). */
  get currentExceededMs(): number {
    return this.#exceededSince < 0 ? 0 : performance.now() - this.#exceededSince;
  }

  /** Whether the eviction timer is running. */
  get timerRunning(): boolean {
    return this.#timer !== null;
  }

  /** CONFIG RESETSTAT: the counters Redis's resetServerStats zeroes. */
  resetStats(): void {
    this.evictedKeys = 0;
    this.#exceededTotalMs = 0;
    this.#exceededSince = -1;
  }

  /** Stops the eviction timer for good (the node is closing). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearImmediate(this.#timer);
    this.#timer = null;
  }

  // ---------------------------------------------------------------------------------------
  // The eviction loop

  /**
   * Brings memory back under maxmemory if it can (see the file header). Returns EVICT_OK
   * (within the limit, or eviction not possible right now), EVICT_RUNNING (still over, the
   * timer continues) or EVICT_FAIL (over, and nothing to evict or noeviction).
   */
  performEvictions(): number {
    const srv = this.#srv;
    // While clients are paused the dataset stays still: a fake OK, as in Redis (no metrics).
    // Nor is anything evicted while the dataset loads, nor on a replica that ignores
    // maxmemory (replica-ignore-maxmemory: its master's DELs keep it in step)
    // (isSafeToPerformEvictions).
    if (srv.pause.writesPaused || srv.loading !== null) return EVICT_OK;
    if (srv.repl.isReplica && srv.config.getBool('replica-ignore-maxmemory')) return EVICT_OK;
    const used = srv.memory.used() - srv.memory.notCountedForEvict();
    let result = EVICT_FAIL;
    if (this.maxmemory === 0 || used <= this.maxmemory) {
      result = EVICT_OK;
    } else if (this.#scoring !== 'none') {
      result = this.#evictLoop(used - this.maxmemory);
    }
    if (result !== EVICT_OK) {
      if (this.#exceededSince < 0) this.#exceededSince = performance.now();
    } else if (this.#exceededSince >= 0) {
      this.#exceededTotalMs += performance.now() - this.#exceededSince;
      this.#exceededSince = -1;
    }
    return result;
  }

  /** Evicts until `toFree` bytes are freed, the time budget runs out, or no key is left. */
  #evictLoop(toFree: number): number {
    const srv = this.#srv;
    const limitMs = evictionTimeLimitUs(this.tenacity) / 1000;
    const start = performance.now();
    const now = srv.clock.now();
    let freed = 0;
    let keys = 0;
    let exhausted = false;
    while (freed < toFree) {
      const pick = this.#scoring === 'random' ? this.#pickRandom() : this.#pickFromPool(now);
      if (pick === null) {
        exhausted = true; // nothing left to evict
        break;
      }
      freed += this.#evict(pick.db, pick.e);
      keys++;
      if (keys % 16 === 0) {
        // Redis re-checks the memory state here under lazy eviction, where frees happen in
        // the background; Shoal's deletions are synchronous, so `freed` is already exact.
        if (performance.now() - start > limitMs) {
          this.#startTimer(); // still over: keep evicting from the timer
          break;
        }
      }
    }
    // Memory is within the limit, or the time budget ran out and the timer carries on.
    const result = exhausted ? EVICT_FAIL : this.#timer !== null ? EVICT_RUNNING : EVICT_OK;
    const threshold = srv.limits.latencyThresholdMs;
    if (threshold > 0) srv.latency.maybeAdd('eviction-cycle', performance.now() - start, threshold, now);
    return result;
  }

  /**
   * Deletes key e of db as an eviction and returns the bytes it freed (the drop of the
   * keyspace's accounted bytes). Redis 7.0's order: delete, count, signal, notify, propagate.
   */
  #evict(db: Database, e: number): number {
    const srv = this.#srv;
    const ks = srv.keyspace;
    const key = db.key(e);
    const before = ks.bytes();
    const t0 = performance.now();
    db.delete(e);
    const threshold = srv.limits.latencyThresholdMs;
    if (threshold > 0) srv.latency.maybeAdd('eviction-del', performance.now() - t0, threshold, srv.clock.now());
    const freed = before - ks.bytes();
    this.evictedKeys++;
    signalModifiedKey(this.#from, db, key);
    notifyKeyspaceEvent(this.#from, NOTIFY.evicted, 'evicted', key, db.id);
    // To the AOF and replicas as DEL key (UNLINK under lazyfree-lazy-eviction); evictions run
    // outside any command, so each goes out on its own, never wrapped in MULTI/EXEC.
    srv.propagation.deletion(db.id, key, this.lazy);
    return freed;
  }

  /** The random policies: one random key of the next database (round-robin) that has any. */
  #pickRandom(): { db: Database; e: number } | null {
    const dbs = this.#srv.keyspace.dbs;
    const rand = this.#rand;
    for (let i = 0; i < dbs.length; i++) {
      this.#nextDb = (this.#nextDb + 1) % dbs.length;
      const db = dbs[this.#nextDb];
      const e = this.#allkeys ? db.randomEntry(rand) : db.randomVolatile(rand);
      if (e !== NONE) return { db, e };
    }
    return null;
  }

  readonly #rand = (): number => this.#srv.rng.next();
  /** Scratch for sampled entries (#populate). */
  #sample = new Int32Array(16);

  /**
   * The LRU/LFU/TTL policies: refill the pool from every database, then take the best entry
   * whose key still exists (in the sampled dictionary). Null when no database has a
   * candidate.
   */
  #pickFromPool(now: number): { db: Database; e: number } | null {
    const dbs = this.#srv.keyspace.dbs;
    const pool = this.#pool;
    for (let round = 0; round < MAX_POOL_ROUNDS; round++) {
      let total = 0;
      for (const db of dbs) {
        const n = this.#allkeys ? db.size : db.expiresSize;
        if (n === 0) continue;
        this.#populate(db, n, now);
        total += n;
      }
      if (total === 0) return null;
      // From the best candidate down; every entry looked at leaves the pool.
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const p = pool[k];
        if (p.key === null) continue;
        const db = dbs[p.dbid];
        let e = db.find(p.key);
        if (e !== NONE && !this.#allkeys && db.expireAt(e) === NO_EXPIRY) e = NONE;
        p.key = null;
        p.idle = 0;
        if (e !== NONE) return { db, e };
        // A ghost (deleted, or no longer volatile, since it was sampled): try the next one.
      }
    }
    return null;
  }

  /**
   * Redis's evictionPoolPopulate: samples up to maxmemory-samples keys of db's dictionary
   * (n keys) and inserts each into the pool, kept in ascending score order, if there is room
   * or it beats the worst entry (which then drops out).
   */
  #populate(db: Database, n: number, now: number): void {
    const ks = this.#srv.keyspace;
    const store = ks.store;
    const count = Math.min(this.samples, n);
    // A dictionary no larger than the sample is taken whole (Redis's dictGetSomeKeys returns
    // distinct keys); a larger one is sampled uniformly.
    // A larger main dictionary is sampled as Redis's dictGetSomeKeys does (a run of buckets
    // from a random place: a few cache lines instead of a miss per key); the volatile keys,
    // kept in a dense array in the order their TTLs were set, one by one at random.
    const all = n <= this.samples ? this.#allOf(db) : null;
    let got = count;
    if (all === null && this.#allkeys) {
      if (this.#sample.length < count) this.#sample = new Int32Array(count);
      got = db.sampleEntries(this.#rand, this.#sample, count);
    }
    const pool = this.#pool;
    for (let j = 0; j < got; j++) {
      let e: number;
      if (all !== null) e = all[j];
      else e = this.#allkeys ? this.#sample[j] : db.randomVolatile(this.#rand);
      if (e === NONE) continue;
      let idle: number;
      if (this.#scoring === 'lru') idle = lruIdleSeconds(store.clock(e), now) * 1000;
      else if (this.#scoring === 'lfu') idle = 255 - lfuDecrAndReturn(store.clock(e), now, ks.lfuDecayTime);
      else idle = -db.expireAt(e); // volatile-ttl: the sooner the expiry, the better

      // The first empty slot, or the first entry scoring no less than this one.
      let k = 0;
      while (k < POOL_SIZE && pool[k].key !== null && pool[k].idle < idle) k++;
      if (k === 0 && pool[POOL_SIZE - 1].key !== null) continue; // worse than everything, and full
      if (k < POOL_SIZE && pool[k].key === null) {
        // An empty slot: nothing to move.
      } else if (pool[POOL_SIZE - 1].key === null) {
        // Room on the right: shift [k, end) one step right.
        const spare = pool[POOL_SIZE - 1];
        for (let i = POOL_SIZE - 1; i > k; i--) pool[i] = pool[i - 1];
        pool[k] = spare;
      } else {
        // Full: drop the worst (slot 0) by shifting [1, k) one step left; insert at k - 1.
        k--;
        const spare = pool[0];
        for (let i = 0; i < k; i++) pool[i] = pool[i + 1];
        pool[k] = spare;
      }
      pool[k].key = db.key(e);
      pool[k].idle = idle;
      pool[k].dbid = db.id;
    }
  }

  /** Every key of db's sampled dictionary (only called when it holds at most `samples`). */
  #allOf(db: Database): number[] {
    const out: number[] = [];
    if (this.#allkeys) {
      db.forEach((e) => void out.push(e));
    } else {
      for (let i = 0; i < db.expiresSize; i++) out.push(db.volatileEntry(i));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // The eviction timer

  /**
   * Starts the eviction timer unless it runs already (Redis's startEvictionTimeProc): on each
   * event-loop turn it calls performEvictions again, until memory is within the limit or
   * nothing is left to evict. CONFIG SET maxmemory starts it too.
   */
  startTimer(): void {
    if (this.maxmemory === 0) return;
    this.#startTimer();
  }

  #startTimer(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setImmediate(() => {
      this.#timer = null;
      // A call that runs out of time again restarts the timer from inside (#evictLoop).
      this.performEvictions();
    });
    this.#timer.unref();
  }
}
