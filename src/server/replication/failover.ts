// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: a coordinated switch of roles between
// this master and one of its replicas, as Redis 7.0's failoverCommand / updateFailoverStatus.
//
//   waiting-for-sync      writes are held (like CLIENT PAUSE WRITE, but CLIENT UNPAUSE does not
//                         lift it) until a replica — the one named by TO, or the first of any —
//                         has acknowledged the whole stream (REPLCONF ACK at master_repl_offset;
//                         replicas acknowledge once a second). TIMEOUT ends the wait: the
//                         failover is aborted, or with FORCE goes on to the named replica anyway.
//   failover-in-progress  this node turns into a replica of the target, keeping its data and its
//                         history as a cached master, and asks `PSYNC <replid> <offset> FAILOVER`:
//                         the target, still a replica of this node's history, promotes itself
//                         (as REPLICAOF NO ONE) and answers +CONTINUE. Any answer that is not a
//                         sync (an error) aborts: this node becomes a master again.
//
// When the failover ends, either way, the held writes run: on a node that is a replica now they
// get -READONLY, as in Redis. FAILOVER ABORT ends it at any point. INFO replication shows the
// state (master_failover_state).

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import type { Server } from '../server.js';
import { isKeyword } from '../handlers/util.js';
import { replicaIp, type ReplicaLink } from './master.js';
import { replicaOf, replicaOfNoOne } from './replica.js';

export type FailoverState = 'waiting-for-sync' | 'failover-in-progress';

/** A failover under way (srv.repl.failover). */
export interface Failover {
  state: FailoverState;
  /** The replica to fail over to (TO, or the first caught up), or null while any will do. */
  host: string | null;
  port: number;
  /** When the wait for sync ends (ms, TIMEOUT), or 0 for never. */
  endTime: number;
  force: boolean;
  timer: NodeJS.Timeout | null;
}

const failoverCommand: Handler = (c, argv) => {
  const srv = c.srv;
  const r = srv.repl;
  if (srv.config.getBool('cluster-enabled')) return void c.w.error(Err.failoverInCluster);
  if (argv.length === 2 && isKeyword(argv[1], 'abort')) {
    if (r.failover === null) return void c.w.error(Err.failoverNone);
    abortFailover(srv, 'Failover manually aborted');
    c.w.ok();
    return;
  }
  let timeoutMs = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    if (isKeyword(argv[j], 'timeout') && j + 1 < argv.length && timeoutMs === 0) {
      const v = parseIntArg(argv[j + 1]);
      if (v === null) return void c.w.error(Err.notInteger);
      if (v <= 0) return void c.w.error(Err.failoverTimeout);
      timeoutMs = Number(v);
      j++;
    } else if (isKeyword(argv[j], 'to') && j + 2 < argv.length && host === null) {
      const v = parseIntArg(argv[j + 2]);
      if (v === null) return void c.w.error(Err.notInteger);
      host = argv[j + 1].toString('latin1');
      port = Number(v);
      j += 2;
    } else if (isKeyword(argv[j], 'force') && !force) {
      force = true;
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  if (r.failover !== null) return void c.w.error(Err.failoverRunning);
  if (r.isReplica) return void c.w.error(Err.failoverOnReplica);
  if (r.replicas.size === 0) return void c.w.error(Err.failoverNoReplicas);
  if (force && (timeoutMs === 0 || host === null)) {
    return void c.w.error(Err.failoverForceArgs);
  }
  if (host !== null) {
    const target = findReplica(srv, host, port);
    if (target === null) return void c.w.error(Err.failoverNotReplica);
    if (target.state !== 'online') return void c.w.error(Err.failoverNotOnline);
    srv.log.notice(`FAILOVER requested to ${host}:${port}.`);
  } else {
    srv.log.notice('FAILOVER requested to any replica.');
  }
  const f: Failover = { state: 'waiting-for-sync', host, port, endTime: timeoutMs > 0 ? srv.clock.now() + timeoutMs : 0, force, timer: null };
  r.failover = f;
  srv.pause.hold('failover', true);
  if (timeoutMs > 0) {
    f.timer = setTimeout(() => updateFailoverStatus(srv), timeoutMs);
    f.timer.unref();
  }
  c.w.ok();
  // A replica may be caught up already (its last ACK at the current offset): checked after
  // this command, as Redis does before it sleeps.
  setImmediate(() => updateFailoverStatus(srv));
};

/** The replica connected from host (its announced or peer address) listening on port. */
function findReplica(srv: Server, host: string, port: number): ReplicaLink | null {
  for (const link of srv.repl.replicas) {
    if (link.listeningPort === port && replicaIp(link.client).toLowerCase() === host.toLowerCase()) return link;
  }
  return null;
}

/**
 * updateFailoverStatus: while waiting for sync, the timeout (abort, or with FORCE go on) and a
 * replica that has acknowledged the whole stream (go on). Called on each REPLCONF ACK, from the
 * cron and at the timeout.
 */
export function updateFailoverStatus(srv: Server): void {
  const r = srv.repl;
  const f = r.failover;
  if (f === null || f.state !== 'waiting-for-sync') return;
  if (f.endTime > 0 && srv.clock.now() >= f.endTime) {
    if (f.force && f.host !== null) {
      srv.log.notice(`FAILOVER to ${f.host}:${f.port} time out exceeded, failing over.`);
      start(srv, f, f.host, f.port);
    } else {
      abortFailover(srv, 'Replica never caught up before timeout');
    }
    return;
  }
  const caughtUp = (link: ReplicaLink): boolean => link.ackOffset === r.masterReplOffset;
  const target = f.host !== null ? findReplica(srv, f.host, f.port) : ([...r.replicas].find(caughtUp) ?? null);
  if (target === null || !caughtUp(target)) return;
  const host = f.host ?? replicaIp(target.client);
  const port = f.host !== null ? f.port : target.listeningPort;
  srv.log.notice(`Failover target ${host}:${port} is synced, failing over.`);
  start(srv, f, host, port);
}

/** failover-in-progress: this node becomes a replica of host:port, asking it to take over. */
function start(srv: Server, f: Failover, host: string, port: number): void {
  if (f.timer !== null) clearTimeout(f.timer);
  f.timer = null;
  f.state = 'failover-in-progress';
  f.host = host;
  f.port = port;
  replicaOf(srv, host, port);
}

/**
 * The target answered this node's PSYNC ... FAILOVER: with a sync (+CONTINUE or +FULLRESYNC)
 * the failover is done; with anything else it is aborted. Returns true if it was aborted (the
 * link is closed then).
 */
export function failoverPsyncAnswered(srv: Server, synced: boolean): boolean {
  const f = srv.repl.failover;
  if (f === null || f.state !== 'failover-in-progress') return false;
  if (synced) {
    clear(srv);
    return false;
  }
  abortFailover(srv, 'Failover target rejected psync request');
  return true;
}

/** abortFailover: back to a master (if it had turned into a replica), writes released. */
export function abortFailover(srv: Server, reason: string): void {
  const f = srv.repl.failover;
  if (f === null) return;
  srv.log.notice(f.host !== null ? `FAILOVER to ${f.host}:${f.port} aborted: ${reason}` : `FAILOVER to any replica aborted: ${reason}`);
  if (f.state === 'failover-in-progress') replicaOfNoOne(srv, '');
  clear(srv);
}

/** clearFailoverState: no failover, writes released. */
function clear(srv: Server): void {
  const f = srv.repl.failover;
  if (f === null) return;
  if (f.timer !== null) clearTimeout(f.timer);
  srv.repl.failover = null;
  srv.pause.hold('failover', false);
}

export const failoverHandlers: Record<string, Handler> = {
  failover: failoverCommand,
};
