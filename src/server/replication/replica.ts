// The replica side of replication: REPLICAOF, the link to the master and applying its stream.
// (Being written: only the interface the rest of the node reads is here so far.)

import type { Client } from '../network/client.js';
import type { Server } from '../server.js';

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
  /** During the RDB transfer: its size (-1 when EOF-marked), bytes read so far, start time (ms), last read (ms). */
  readonly transfer: { size: number; read: number; startMs: number; lastIoMs: number } | null;
}

/** REPLCONF GETACK from the master: answers REPLCONF ACK <offset> on the link. */
export function replicaGetAck(_srv: Server, _c: Client): void {}

/** Once a second (replicationCron's replica half): reconnect, timeouts, REPLCONF ACK. */
export function replicaCron(_srv: Server): void {}

/** After the dataset loaded at start: connects to the configured replicaof, if any. */
export function startReplicaOnBoot(_srv: Server): void {}
