// The context AOF commands are replayed in: a client with no connection, and a node set up so
// that replaying a recorded command has the effect it had when it was recorded — as Redis's
// loader does (createAOFClient, loadSingleAppendOnlyFile).
//
// Redis replays with server.loading set, which changes what commands do:
//   - nothing expires: a key whose TTL passed since it was recorded is still there for the
//     commands that follow it in the file (keyIsExpired returns 0 while loading), and SET PXAT
//     / PEXPIREAT with a time already past set that TTL instead of deleting the key
//     (checkAlreadyExpired). Without this, "INCR k; PEXPIREAT k <t>; INCR k" replayed after t
//     would leave k=1 with no TTL, forever.
//   - the RDB base keeps keys whose TTL passed (rdbLoad with RDBFLAGS_AOF_PREAMBLE).
//   - command statistics, the slow log and the latency monitor see nothing (the loader calls
//     the command's proc directly, not call()); errors are counted and logged.
// Shoal's keyspace has no "loading" switch, so the replay runs at a virtual time, LOAD_NOW, in
// mid-1970: every absolute time in a file is later, so nothing is expired and no TTL is "already
// passed". The access clocks written meanwhile (LRU seconds / LFU minutes, both wrapping) are
// then shifted from LOAD_NOW to the real time, which leaves each key's idle time as if the
// load had happened now. A command with a relative time (EXPIRE, SETEX...) would be off: Redis
// has written only absolute ones to the AOF since 2.6, and Shoal's effect stream does too.
// The default TTL does not apply while replaying (the file carries the explicit PEXPIREAT).

import { Socket } from 'node:net';
import { Client } from '../../network/client.js';
import { LRU_CLOCK_MAX, lruClock } from '../../keyspace/keyspace.js';
import { lfuTimeInMinutes } from '../../keyspace/lfu.js';
import type { Server } from '../../server.js';

/** The virtual time AOF commands are replayed at (ms): LRU clock value LRU_CLOCK_MAX. */
export const LOAD_NOW = LRU_CLOCK_MAX * 1000;

/** Redis's CLIENT_ID_AOF is UINT64_MAX; the largest exact id here. */
const AOF_CLIENT_ID = Number.MAX_SAFE_INTEGER;

/**
 * The client AOF commands run as (createAOFClient): no connection (an unconnected Socket, never
 * registered with the server, so nothing sends to it), authenticated, database 0. Its replies
 * are dropped by the loader after each command; an error reply is counted (errorstats) and
 * logged as Redis logs it ("== CRITICAL == This server is sending an error to its
 * AOF-loading-client ...").
 */
export function createAofClient(srv: Server): Client {
  const c = new Client(srv, new Socket(), AOF_CLIENT_ID, srv.keyspace.dbs[0], true, srv.clock.now());
  c.name = '';
  c.w.onError = (text) => {
    c.cmdErrors++;
    srv.stats.recordError(text);
    const cmd = c.currentCommand?.fullName ?? '<unknown>';
    srv.log.warning(`== CRITICAL == This server is sending an error to its AOF-loading-client: '${text}' after processing the command '${cmd}'`);
  };
  return c;
}

/** What beginReplay() changed, for endReplay(). */
export interface ReplayState {
  readonly realNow: number;
  readonly slowlogThresholdUs: number;
  readonly latencyThresholdMs: number;
  readonly totalCommandsProcessed: number;
  readonly cmdStats: Map<object, [number, number, number, number]>;
  readonly defaultExpiry: Array<((key: Uint8Array) => number) | null>;
  readonly sharedLru: number[];
}

/** Sets srv up for replaying (see the file header); endReplay() undoes it. */
export function beginReplay(srv: Server): ReplayState {
  const cmdStats = new Map<object, [number, number, number, number]>();
  for (const cmd of srv.commands.all()) {
    const s = cmd.stats;
    cmdStats.set(cmd, [s.calls, s.usec, s.rejectedCalls, s.failedCalls]);
  }
  const st: ReplayState = {
    realNow: srv.clock.now(),
    slowlogThresholdUs: srv.limits.slowlogThresholdUs,
    latencyThresholdMs: srv.limits.latencyThresholdMs,
    totalCommandsProcessed: srv.stats.totalCommandsProcessed,
    cmdStats,
    defaultExpiry: srv.keyspace.dbs.map((db) => db.defaultExpiry),
    sharedLru: Array.from(srv.keyspace.sharedLru),
  };
  srv.limits.slowlogThresholdUs = -1;
  srv.limits.latencyThresholdMs = 0;
  for (const db of srv.keyspace.dbs) db.defaultExpiry = null;
  srv.now = LOAD_NOW;
  return st;
}

/**
 * Ends a replay: the real time again, access clocks shifted from LOAD_NOW to it, statistics as
 * before the replay (Redis counts neither the calls nor their time), the slow log, latency
 * monitor and default TTL back on.
 */
export function endReplay(srv: Server, st: ReplayState): void {
  const now = srv.clock.now();
  srv.now = now;
  shiftAccessClocks(srv, st, now);
  srv.limits.slowlogThresholdUs = st.slowlogThresholdUs;
  srv.limits.latencyThresholdMs = st.latencyThresholdMs;
  srv.keyspace.dbs.forEach((db, i) => (db.defaultExpiry = st.defaultExpiry[i] ?? null));
  srv.stats.totalCommandsProcessed = st.totalCommandsProcessed;
  for (const cmd of srv.commands.all()) {
    const saved = st.cmdStats.get(cmd);
    if (saved === undefined) continue;
    [cmd.stats.calls, cmd.stats.usec, cmd.stats.rejectedCalls, cmd.stats.failedCalls] = saved;
  }
  // The per-command latency histograms: loading happens on an idle node, whose are empty.
  srv.latency.commands.reset();
}

/** Moves every access clock written at LOAD_NOW to the same distance from `now`. */
function shiftAccessClocks(srv: Server, st: ReplayState, now: number): void {
  const ks = srv.keyspace;
  let shift: (clock: number) => number;
  if (ks.accessPolicy === 'lfu') {
    const dm = (lfuTimeInMinutes(now) - lfuTimeInMinutes(LOAD_NOW)) & 0xffff;
    shift = (v) => ((((v >>> 8) + dm) & 0xffff) << 8) | (v & 0xff);
  } else {
    const ds = (lruClock(now) - lruClock(LOAD_NOW)) & LRU_CLOCK_MAX;
    shift = (v) => (v + ds) & LRU_CLOCK_MAX;
  }
  const store = ks.store;
  for (const db of ks.dbs) {
    if (db.size === 0) continue;
    db.forEach((id) => store.setClock(id, shift(store.clock(id))));
  }
  const shared = ks.sharedLru;
  for (let i = 0; i < shared.length; i++) {
    if (shared[i] !== st.sharedLru[i]) shared[i] = shift(shared[i]);
  }
}
