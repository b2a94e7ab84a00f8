// Active expiry: the background cycle that reclaims keys nobody reads again.
//
// Redis 7.0's adaptive cycle (expire.c), which this follows:
//  - it runs `hz` times a second from the server cron, with a CPU budget of
//    ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC (25 %) of each period, raised with active-expire-effort;
//  - per database it samples up to keys_per_loop (20, +25 % per effort step) keys that carry a
//    TTL, deletes the expired ones, and repeats while more than the acceptable stale share
//    (10 %, lowered with effort) of the sample was expired and time remains;
//  - databases are visited round-robin, continuing where the previous cycle stopped, and the
//    position in each database's expires index persists across cycles (a cursor, not random
//    sampling), so every key with a TTL is eventually examined;
//  - expired_stale_perc is a moving average of the expired share of samples.
// The cycle checks the clock every 16 iterations and stops at its time limit, so it never
// blocks the event loop for longer than its budget.

import type { Keyspace } from './keyspace.js';

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10; // percent
const SLOW_TIME_PERC = 25; // percent of each cron period

export interface ExpireCycleState {
  /** Next database to visit. */
  nextDb: number;
  /** Whether the last cycle stopped at its time limit. */
  timedOut: boolean;
}

export function newExpireCycleState(): ExpireCycleState {
  return { nextDb: 0, timedOut: false };
}

/**
 * Runs one slow expire cycle. `hz` is the cron frequency, `effort` active-expire-effort (1-10).
 * `elapsed()` reads a monotonic ms clock (injectable); `now` is the clock used for expiry.
 * Returns the number of keys expired.
 */
export function activeExpireCycle(
  ks: Keyspace,
  state: ExpireCycleState,
  opts: { hz: number; effort: number; now: number; elapsed: () => number },
): number {
  const effort = Math.max(1, Math.min(10, opts.effort)) - 1;
  const keysPerLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effort;
  const acceptableStale = ACCEPTABLE_STALE - effort;
  const timeLimit = (1000 * (SLOW_TIME_PERC + 2 * effort)) / opts.hz / 100; // ms
  const start = opts.elapsed();
  const dbs = ks.dbs;
  let totalExpired = 0;
  let totalSampled = 0;
  let iteration = 0;
  let timedOut = false;

  for (let j = 0; j < dbs.length && !timedOut; j++) {
    const db = dbs[state.nextDb % dbs.length];
    state.nextDb = (state.nextDb + 1) % dbs.length;
    let repeat = true;
    while (repeat) {
      if (db.expiresSize === 0) break;
      iteration++;
      let expired = 0;
      const sampled = db.sampleExpires(Math.min(keysPerLoop, db.expiresSize), (e, at) => {
        if (at < opts.now) {
          db.expireNow(e);
          expired++;
        }
      });
      totalExpired += expired;
      totalSampled += sampled;
      if ((iteration & 0xf) === 0 && opts.elapsed() - start > timeLimit) {
        timedOut = true;
        ks.stats.expiredTimeCapReachedCount++;
        break;
      }
      repeat = sampled > 0 && (expired * 100) / sampled > acceptableStale;
    }
  }
  ks.stats.expireCycleCpuMs += opts.elapsed() - start;
  const perc = totalSampled ? totalExpired / totalSampled : 0;
  ks.stats.expiredStalePerc = perc * 0.05 + ks.stats.expiredStalePerc * 0.95;
  state.timedOut = timedOut;
  return totalExpired;
}
