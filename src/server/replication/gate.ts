// Replication's steps in the dispatch gate (Redis processCommand), tested only while
// srv.repl.gated (a replica, or min-replicas-to-write set): one field test otherwise.
//   -NOREPLICAS  a master short of good replicas (min-replicas-to-write online replicas whose
//                last ACK is at most min-replicas-max-lag seconds old) refuses writes: the
//                self-fencing of a master cut off from its replicas;
//   -READONLY    a read-only replica refuses writes, except from its master;
//   -MASTERDOWN  a replica whose link is down, with replica-serve-stale-data no, refuses what
//                is not flagged stale (INFO, REPLICAOF, ...).

import { Err } from '../../lib/errors.js';
import { F, type Command } from '../command-table.js';
import { execFlags } from '../multi.js';
import type { Client } from '../network/client.js';
import type { Server } from '../server.js';
import { goodReplicas } from './master.js';

/** The write-side refusals (before the Pub/Sub context step), or null. */
export function replicationWriteDenial(srv: Server, c: Client, cmd: Command): string | null {
  if (c.isMaster) return null;
  const write = (cmd.flags & F.write) !== 0 || (cmd.name === 'exec' && (execFlags(c) & F.write) !== 0);
  if (!write) return null;
  const r = srv.repl;
  if (!r.isReplica) {
    const min = srv.config.getNumber('min-replicas-to-write');
    if (min > 0 && srv.config.getNumber('min-replicas-max-lag') > 0 && goodReplicas(srv) < min) return Err.noReplicas;
    return null;
  }
  return srv.config.getBool('replica-read-only') ? Err.readonly : null;
}

/** The stale-data refusal (after the Pub/Sub context step), or null. */
export function replicationStaleDenial(srv: Server, c: Client, cmd: Command): string | null {
  const r = srv.repl;
  if (!r.isReplica || c.isMaster || r.link?.state === 'connected') return null;
  if ((cmd.flags & F.stale) !== 0 || srv.config.getBool('replica-serve-stale-data')) return null;
  return Err.masterDown;
}
