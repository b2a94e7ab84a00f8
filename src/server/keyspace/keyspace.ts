// The node's keyspace: its databases, access accounting (hits, misses, LRU/LFU) and expiry.
//
// Handlers reach keys only through here (lookupRead / lookupWrite / setKey / deleteKey), so
// statistics, access clocks, lazy expiry and the "expired" event stay consistent no matter
// which command touches a key.

import type { Clock } from '../../lib/clock.js';
import { Database } from './database.js';
import { Entry, NO_EXPIRY } from './entry.js';
import { lfuDecrAndReturn, lfuIncr, lfuInitial } from './lfu.js';

export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  expireCycleCpuMs: number;
}

export interface KeyspaceOptions {
  databases: number;
  clock: Clock;
  /** Called for every key removed because its TTL passed (after it was removed). */
  onExpired?: (db: Database, key: string, entry: Entry) => void;
}

/** How accesses update the per-key clock: LRU seconds or the LFU counter. */
export type AccessPolicy = 'lru' | 'lfu';

export class Keyspace {
  readonly dbs: Database[];
  readonly clock: Clock;
  readonly stats: KeyspaceStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    expireCycleCpuMs: 0,
  };
  /** lru: per-key LRU seconds; lfu: logarithmic counter (maxmemory-policy *-lfu). */
  accessPolicy: AccessPolicy = 'lru';
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Random source in [0,1) for LFU increments (injectable for tests). */
  random: () => number = Math.random;
  #onExpired: (db: Database, key: string, entry: Entry) => void;

  constructor(opts: KeyspaceOptions) {
    this.clock = opts.clock;
    this.#onExpired = opts.onExpired ?? (() => {});
    const hook = (db: Database, key: string, e: Entry): void => {
      this.stats.expiredKeys++;
      this.#onExpired(db, key, e);
    };
    this.dbs = [];
    for (let i = 0; i < opts.databases; i++) this.dbs.push(new Database(i, hook));
  }

  /** The access-clock value a new key starts with. */
  initialLru(now: number): number {
    return this.accessPolicy === 'lfu' ? lfuInitial(now) : lruClock(now);
  }

  /** Records an access to e (unless the client asked for NO-TOUCH). */
  touch(e: Entry, now: number): void {
    if (this.accessPolicy === 'lfu') {
      const counter = lfuDecrAndReturn(e.lru, now, this.lfuDecayTime);
      e.lru = lfuIncr(counter, now, this.lfuLogFactor, this.random);
    } else {
      e.lru = lruClock(now);
    }
  }

  /** Lookup for a read: lazy expiry, hit/miss accounting, access clock update. */
  lookupRead(db: Database, key: string, now: number, noTouch = false): Entry | undefined {
    const e = db.lookup(key, now);
    if (e === undefined) {
      this.stats.keyspaceMisses++;
      return undefined;
    }
    this.stats.keyspaceHits++;
    if (!noTouch) this.touch(e, now);
    return e;
  }

  /** Lookup for a write: lazy expiry and access clock, no hit/miss accounting. */
  lookupWrite(db: Database, key: string, now: number, noTouch = false): Entry | undefined {
    const e = db.lookup(key, now);
    if (e !== undefined && !noTouch) this.touch(e, now);
    return e;
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

  /** Empties every database. */
  flushAll(): number {
    let removed = 0;
    for (const db of this.dbs) {
      removed += db.size;
      db.clear();
    }
    return removed;
  }
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

export { NO_EXPIRY };
