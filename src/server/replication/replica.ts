// The replica side of replication (Redis 7.0 replication.c): REPLICAOF, the history a replica
// resumes (its cached master), expiry as a replica sees it, and the once-a-second duties.
//
//   replica-link.ts    the link: connect, handshake, PSYNC, receiving the full sync payload
//   replica-sync.ts    installing the payload: rename, flush, load (and the AOF around it)
//   replica-client.ts  the master client applying the stream and passing its bytes on
//
// History. A replica's stream is its master's: srv.repl.replId is the master's ID and
// srv.repl.masterReplOffset the offset of the last byte applied (replica-client.ts). When
// the link drops, that position is kept (Redis's cached master) and the next PSYNC asks for
// <replId> <offset+1>, so a master that still has the bytes answers +CONTINUE. The same holds
// after REPLICAOF of another host (its promoted replica knows our history as its replId2), when a
// master turns replica (its own history: replicationCacheMasterUsingMyself) and after a restart
// (the aux fields repl-id / repl-offset / repl-stream-db of the RDB loaded at start).
//
// Expiry on a replica (expireIfNeeded): keys expire only when the master says so (its DEL in the
// stream). While the master client's command runs, an expired key is live; a normal client's read
// sees it missing but leaves it (DBSIZE still counts it); a write on a writable replica deletes
// it; the active cycle does not run (Server.cron). See keyspace/database.ts ExpiryPolicy.

import { performance } from 'node:perf_hooks';
import { Err } from '../../lib/errors.js';
import { F } from '../command-table.js';
import { ExpiredAccess, NONE, type Database } from '../keyspace/database.js';
import { NO_EXPIRY } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import type { Server } from '../server.js';
import { takeStartupReplInfo } from '../persistence/rdb-loader.js';
import { createBacklog, disconnectReplicas, shiftReplicationId, syncConsumer } from './master.js';
import { Link, type CachedMaster } from './replica-link.js';
import { ackCommand, restartAofAfterSync } from './replica-sync.js';

/** The link's state, as ROLE names it (connect, connecting, handshake, sync, connected). */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** What INFO replication and ROLE read of a replica's link to its master. */
export interface MasterLink {
  readonly state: LinkState;
  /** The master client applying the stream (state 'connected'), or null. */
  readonly client: Client | null;
  /** Last time anything was read from the master (ms), for master_last_io_seconds_ago. */
  readonly lastIoMs: number;
  /** When the link went down (ms), or -1 while it is up (master_link_down_since_seconds). */
  readonly downSinceMs: number;
  /**
   * The database the master's stream has selected, as applied here (the master client's, or
   * the cached master's while the link is down); -1 before any history is known. An RDB
   * written on the replica records it (repl-stream-db).
   */
  readonly streamDb: number;
  /** Offset of the stream read from the master (slave_read_repl_offset). */
  readonly readOffset: number;
  /** During the RDB transfer: its size (-1 before the header, 0 when EOF-marked), bytes read so far, start time (ms), last read (ms). */
  readonly transfer: { size: number; read: number; startMs: number; lastIoMs: number } | null;
}

/** The replica side's per-node state (created on first use). */
interface ReplicaSide {
  /** The link currently in srv.repl.link (the concrete object). */
  link: Link | null;
  /**
   * A full sync stopped the AOF and it has not been restarted yet: the next sync to end (any
   * link's) or REPLICAOF NO ONE restarts it. Every link of the node shares this record.
   */
  aofStopped: boolean;
  /** beforeClose registered. */
  closeHooked: boolean;
  /**
   * Keys the node's own clients gave a TTL while it is a writable replica, per database index
   * (latin1 key strings): the replica expires them itself (expireReplicaLocalKeys), as Redis's
   * slaveKeysWithExpire. Keys the master's stream gave a TTL expire by the master's DEL.
   */
  localTtl: Map<number, Set<string>>;
}

const sides = new WeakMap<Server, ReplicaSide>();

function sideOf(srv: Server): ReplicaSide {
  let s = sides.get(srv);
  if (s === undefined) {
    s = { link: null, aofStopped: false, closeHooked: false, localTtl: new Map() };
    sides.set(srv, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// REPLICAOF

/** Outcome of replicaOf: switched, or already following that master. */
export type ReplicaOfResult = 'ok' | 'already';

/**
 * REPLICAOF host port (replicationSetMaster): follow host:port. The link to a previous master is
 * closed, its history kept for a PSYNC; a master turning replica keeps its own history the same
 * way. Clients blocked on keys are unblocked with an error and disconnected. The connection
 * starts at once. The caller logs "REPLICAOF host:port enabled (user request from ...)".
 */
export function replicaOf(srv: Server, host: string, port: number): ReplicaOfResult {
  const r = srv.repl;
  if (r.master !== null && r.master.host.toLowerCase() === host.toLowerCase() && r.master.port === port) {
    srv.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    return 'already';
  }
  const side = sideOf(srv);
  const wasMaster = r.master === null;
  let cached: CachedMaster | null = null;
  const old = side.link;
  if (old !== null) {
    cached = old.shutdown();
  }
  disconnectAllBlockedClients(srv);
  r.master = { host, port };
  becomeReplica(srv);
  if (wasMaster) {
    srv.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    // The stream a new master sends starts with SELECT: any database will do.
    cached = { streamDb: -1 };
  }
  startLink(srv, host, port, cached);
  return 'ok';
}

/**
 * REPLICAOF NO ONE (replicationUnsetMaster): the link is closed, the node becomes a master that
 * continues the history under a new ID (the old one valid as its replId2 up to the current
 * offset); its replicas are disconnected to learn the new ID and come back with a partial
 * resync. No-op on a master.
 */
export function replicaOfNoOne(srv: Server, who: string): void {
  const r = srv.repl;
  if (r.master === null) return;
  const side = sideOf(srv);
  r.master = null;
  const link = side.link;
  side.link = null;
  r.link = null;
  if (link !== null) {
    const cached = link.shutdown();
    if (cached !== null) srv.log.notice('Discarding previously cached master state.');
  }
  srv.keyspace.expiry.replica = null;
  // A master expires every key itself: no list of local TTLs any more.
  for (const db of srv.keyspace.dbs) db.ttlObserver = null;
  side.localTtl.clear();
  srv.log.role = 'M';
  shiftReplicationId(srv);
  disconnectReplicas(srv);
  r.noReplicasSince = srv.clock.now();
  if (who !== '') srv.log.notice(`MASTER MODE enabled (user request from '${who}')`);
  restartAofAfterSync(srv, side);
}

/** A new link to host:port, connecting now. */
function startLink(srv: Server, host: string, port: number, cached: CachedMaster | null): void {
  const side = sideOf(srv);
  const link = new Link(srv, host, port, cached, side);
  side.link = link;
  srv.repl.link = link;
  if (!side.closeHooked) {
    side.closeHooked = true;
    srv.beforeClose.push(async () => {
      sideOf(srv).link?.shutdown();
    });
  }
  srv.log.notice(`Connecting to MASTER ${host}:${port}`);
  link.connect();
}

/**
 * The node now follows a master: expiry waits for the master's DELs, the log marks it S, and
 * its own writes no longer feed the stream (the master's bytes do).
 */
function becomeReplica(srv: Server): void {
  srv.log.role = 'S';
  srv.keyspace.expiry.replica = () => replicaExpiryVerdict(srv);
  const local = sideOf(srv).localTtl;
  const remember = (db: Database, id: number): void => {
    const c = srv.executingClient;
    if (c === null || c.isMaster) return;
    let keys = local.get(db.id);
    if (keys === undefined) local.set(db.id, (keys = new Set()));
    keys.add(db.key(id).toString('latin1'));
  };
  for (const db of srv.keyspace.dbs) db.ttlObserver = remember;
  // Its own writes no longer feed the stream (the backlog is kept: sub-replicas may still
  // PSYNC from it).
  syncConsumer(srv);
}

/** expireIfNeeded on a replica (see the file header). */
function replicaExpiryVerdict(srv: Server): ExpiredAccess {
  const cur = srv.currentClient;
  if (cur !== null && cur.isMaster) return ExpiredAccess.Live;
  const cmd = srv.executingClient?.currentCommand ?? null;
  // A write (possible on a writable replica) deletes the key it finds expired, as Redis's
  // LOOKUP_WRITE does; everything else only sees it missing.
  if (cmd !== null && (cmd.flags & F.write) !== 0) return ExpiredAccess.Delete;
  return ExpiredAccess.Missing;
}


/**
 * expireSlaveKeys: deletes the keys the node's own clients gave a TTL, on a writable replica,
 * once that TTL passed (reported as expired like any other); forgets those that are gone or
 * lost their TTL. Called from the server's cron on a replica; stops after about a
 * millisecond and starts over at the next call.
 */
export function expireReplicaLocalKeys(srv: Server): void {
  const local = sides.get(srv)?.localTtl;
  if (local === undefined || local.size === 0) return;
  const now = srv.clock.now();
  const start = performance.now();
  let n = 0;
  for (const [index, keys] of local) {
    const db = srv.keyspace.dbs[index];
    for (const k of keys) {
      if (++n % 64 === 0 && performance.now() - start > 1) return;
      const id = db === undefined ? NONE : db.find(Buffer.from(k, 'latin1'));
      if (id === NONE) {
        keys.delete(k);
        continue;
      }
      const at = db.expireAt(id);
      if (at === NO_EXPIRY) keys.delete(k);
      else if (at < now) {
        db.expireNow(id);
        keys.delete(k);
      }
    }
    if (keys.size === 0) local.delete(index);
  }
}

/** disconnectAllBlockedClients: blocked clients get an error and are closed after it. */
function disconnectAllBlockedClients(srv: Server): void {
  for (const c of [...srv.clients.values()]) {
    if (c.blocked === null) continue;
    c.closeAfterReply = true;
    srv.blocking.unblockWithError(c, Err.unblockedRoleChange);
  }
}

// ---------------------------------------------------------------------------------------------
// The API the rest of the node calls

/**
 * REPLCONF GETACK from the master: answers REPLCONF ACK <offset> on the link, the offset being
 * what was applied before the GETACK itself (it is counted once it ran, as in Redis).
 */
export function replicaGetAck(srv: Server, c: Client): void {
  if (!c.isMaster || c.closed) return;
  c.socket.write(ackCommand(srv.repl.masterReplOffset));
}

/** Once a second (replicationCron's replica half): reconnect, timeouts, REPLCONF ACK. */
export function replicaCron(srv: Server): void {
  const link = sides.get(srv)?.link ?? null;
  if (link !== null && srv.repl.master !== null) link.cron();
}

/**
 * After the dataset loaded at start: resumes the history the RDB file recorded, and connects to
 * the configured replicaof, if any (Redis's loadDataFromDisk + the first replicationCron). On a
 * replica the file's position becomes the cached master (the first PSYNC is partial); on a
 * master it becomes the previous ID (replId2, valid up to its offset), with a backlog from
 * there, so the replicas of the node before its restart can continue.
 */
export function startReplicaOnBoot(srv: Server): void {
  const info = takeStartupReplInfo(srv);
  const r = srv.repl;
  const conf = srv.config.getString('replicaof').trim();
  if (conf === '') {
    if (info !== null) {
      r.replId2 = info.id;
      r.secondReplOffset = info.offset + 1;
      r.masterReplOffset = info.offset;
      createBacklog(srv);
      r.noReplicasSince = srv.clock.now();
    }
    return;
  }
  const sp = conf.lastIndexOf(' ');
  const host = conf.slice(0, sp);
  const port = Number(conf.slice(sp + 1));
  let cached: CachedMaster | null = null;
  if (info !== null) {
    r.replId = info.id;
    r.masterReplOffset = info.offset;
    srv.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    cached = { streamDb: info.streamDb };
  }
  r.master = { host, port };
  becomeReplica(srv);
  startLink(srv, host, port, cached);
}
