// A node's replication state (Redis's server.replid / master_repl_offset / repl_backlog /
// slaves / masterhost ... in one object, srv.repl).
//
// Both roles share the same history: a node's stream is identified by (replId, offset), and a
// node accepts a partial resync from a replica asking for (id, offset) when id is its replId
// (or its replId2 and offset <= secondReplOffset) and its backlog still holds offset. A master
// feeds its stream from its own writes (master.ts, a consumer of the effect stream); a replica
// feeds it with the bytes it applied from its master, unchanged (replica-client.ts calls
// passOnFromMaster), so sub-replicas see the same offsets and can move between the two.
//
//   master side (master.ts): the backlog, the connected replicas, full and partial syncs,
//     WAIT, min-replicas-to-write;
//   replica side (replica.ts): REPLICAOF, the link to the master (handshake, the RDB transfer,
//     the master client applying the stream), ACKs, the cached master for the next PSYNC.

import { randomBytes } from 'node:crypto';
import type { Backlog } from './backlog.js';
import type { Failover } from './failover.js';
import type { ReplicaLink } from './master.js';
import type { MasterLink } from './replica.js';

/** replid2 when there is no previous history (40 zeros). */
export const NO_REPL_ID = '0'.repeat(40);

/** A fresh 40-hex-character replication ID (changeReplicationId). */
export function newReplId(): string {
  return randomBytes(20).toString('hex');
}

export class Replication {
  /** The ID of the history this node's stream belongs to. */
  replId = newReplId();
  /** The ID this node's history had before it was last promoted (PSYNC2), or 40 zeros. */
  replId2 = NO_REPL_ID;
  /** Bytes of stream this node produced or applied: the offset of its last byte. */
  masterReplOffset = 0;
  /** The offset up to which replId2 is valid, plus one (-1: none). */
  secondReplOffset = -1;
  /** The replication backlog, created when the first replica connects (null: none). */
  backlog: Backlog | null = null;
  /** Replicas connected to this node (from their PSYNC/SYNC on). */
  readonly replicas = new Set<ReplicaLink>();
  /** The FAILOVER under way (failover.ts), or null. */
  failover: Failover | null = null;
  /**
   * The master this node replicates (REPLICAOF host port), or null on a master. Set while the
   * link is down too: a replica stays one until REPLICAOF NO ONE.
   */
  get master(): { host: string; port: number } | null {
    return this.#master;
  }

  set master(m: { host: string; port: number } | null) {
    this.#master = m;
    this.#refreshGated();
  }

  /**
   * Whether the dispatch gate runs replication's steps (replication/gate.ts): on a replica,
   * or with min-replicas-to-write set. Kept current by the master setter and by
   * setMinReplicas.
   */
  gated = false;
  #master: { host: string; port: number } | null = null;
  #minReplicas = 0;
  /** The link to the master (replica.ts), null on a master. */
  link: MasterLink | null = null;
  /** When the last replica disconnected (ms; for repl-backlog-ttl), or -1 while some are connected. */
  noReplicasSince = -1;

  /** min-replicas-to-write changed (the Server wires CONFIG SET to this). */
  setMinReplicas(n: number): void {
    this.#minReplicas = n;
    this.#refreshGated();
  }

  #refreshGated(): void {
    this.gated = this.#master !== null || this.#minReplicas > 0;
  }

  /** True on a replica (REPLICAOF host port was given). */
  get isReplica(): boolean {
    return this.master !== null;
  }
}
