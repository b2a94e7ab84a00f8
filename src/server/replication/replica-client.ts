// The master client: on a replica, the connection to its master seen as a client (flag M in
// CLIENT LIST) that runs every command of the replication stream (Redis's server.master).
//
// Its commands go through the normal dispatch gate (srv.dispatch), so MULTI/EXEC apply as one,
// CLIENT PAUSE holds them, the AOF records their effects, and keyspace events and WATCH see
// them. Its replies are dropped (Client.flush, isMaster). What differs from a normal client:
//
//   - bytes are accounted: after each command, exactly the bytes that carried it move the
//     offset (srv.repl.masterReplOffset), as Redis's commandProcessed does with c->reploff,
//     and when the batch of commands ends those bytes go on, in one copy, to the backlog and
//     the sub-replicas (passOnFromMaster; nothing reads either in the middle of a batch).
//     Inside MULTI nothing counts: the whole transaction goes after its EXEC, so a
//     sub-replica, and this node's offset, never stand in the middle of one. A command held
//     by CLIENT PAUSE counts once it finally ran.
//   - no query buffer limit and no proto-max-bulk-len (Redis exempts its master too).
//   - an error it is answered is logged, as Redis logs "This replica is sending an error to its
//     master"; a protocol error closes the link.
//   - closing it (link lost, CLIENT KILL, REPLICAOF) tells the link (onGone), which keeps the
//     history for a partial resync.

import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { ProtocolError } from '../../protocol/request-parser.js';
import { Client } from '../network/client.js';
import type { Server } from '../server.js';
import { passOnFromMaster } from './master.js';

/** What the master client tells its link. */
export interface MasterClientEvents {
  /** Bytes arrived from the master (for the read offset and the timeout). */
  read(n: number): void;
  /** A command was applied and passed on; `db` is the database the stream has selected. */
  applied(db: number): void;
  /** The client closed (any cause). Called once. */
  gone(): void;
}

export class MasterClient extends Client {
  readonly #events: MasterClientEvents;
  /** Received chunks not yet passed on whole; #chunksStart is the stream position of chunks[0][0]. */
  #chunks: Buffer[] = [];
  #chunksStart = 0;
  /** Stream position (parser.consumed basis) up to which bytes were counted in the offset. */
  #applied = 0;
  /** Stream position up to which counted bytes were passed on (passOnFromMaster). */
  #passed = 0;
  /** End of the command held by CLIENT PAUSE (-1: none). */
  #heldEnd = -1;
  #busy = false;
  #gone = false;

  /**
   * A master client on `socket` (connected, its handshake done), selecting database `db`.
   * Bytes already read past the handshake or the payload go in with receive() afterwards.
   */
  constructor(srv: Server, socket: Socket, db: number, events: MasterClientEvents) {
    const dbs = srv.keyspace.dbs;
    super(srv, socket, srv.allocClientId(), dbs[db >= 0 && db < dbs.length ? db : 0], true, srv.clock.now());
    this.#events = events;
    this.isMaster = true;
    this.parser.limits.protoMaxBulkLen = Number.MAX_SAFE_INTEGER;
    this.w.onError = (text) => {
      this.cmdErrors++;
      srv.stats.recordError(text);
      const cmd = this.currentCommand?.fullName ?? '<unknown>';
      srv.log.warning(`== CRITICAL == This replica is sending an error to its master: '${text}' after processing the command '${cmd}'`);
    };
  }

  /**
   * One read of the stream. A chunk is kept until every command in it is passed on (the
   * parser may copy or drop its bytes). A `shared` chunk (the link's read buffer, reused for
   * the next read) is used in place: what was not passed on when the commands in it ran — a
   * command cut by the read's end, input held by a pause — is copied out before returning.
   */
  override receive(chunk: Buffer, shared: boolean): void {
    if (this.closed) return;
    this.#chunks.push(chunk);
    this.#events.read(chunk.length);
    super.receive(chunk, shared);
    if (shared) this.#keepUnpassed(chunk);
  }

  /** Replaces the shared `chunk`, if still kept, by a copy of its bytes not passed on yet. */
  #keepUnpassed(chunk: Buffer): void {
    const chunks = this.#chunks;
    const last = chunks.length - 1;
    if (last < 0 || chunks[last] !== chunk) return;
    if (last === 0) {
      // Its first bytes may be passed on already: only the rest is kept.
      const from = Math.max(0, this.#passed - this.#chunksStart);
      chunks[0] = Buffer.from(chunk.subarray(from));
      this.#chunksStart += from;
    } else {
      chunks[last] = Buffer.from(chunk);
    }
  }

  /** Runs the buffered commands, passing on each one's bytes once it ran (file header). */
  override processInput(): void {
    if (this.#busy) return;
    this.#busy = true;
    const srv = this.srv;
    srv.now = this.lastInteraction = srv.clock.now();
    srv.tick = performance.now();
    try {
      // A command held by a pause ran when the pause ended (Server re-dispatches it, then
      // calls processInput): it counts now.
      if (this.#heldEnd >= 0 && !this.suspended) {
        const end = this.#heldEnd;
        this.#heldEnd = -1;
        this.#commandDone(end);
      }
      while (!this.suspended && !this.closed && !this.closeAsap) {
        this.readAhead();
        let argv: Buffer[] | null;
        try {
          argv = this.parser.next();
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          srv.log.warning(`Protocol error (${err.message}) from master: ${this.describe()}`);
          this.close();
          break;
        }
        if (argv === null) break;
        const end = this.parser.consumed;
        srv.dispatch(this, argv);
        if (this.suspended) {
          this.#heldEnd = end;
          break;
        }
        this.#commandDone(end);
      }
    } finally {
      this.#busy = false;
      this.#passOnCounted();
    }
    this.flush();
  }

  /** The command ending at stream position `end` ran: its bytes count (not inside MULTI). */
  #commandDone(end: number): void {
    if (this.multi !== null || this.closed) return;
    const start = this.#applied;
    if (end > start) {
      this.srv.repl.masterReplOffset += end - start;
      this.#applied = end;
    }
    this.#events.applied(this.db.id);
  }

  /**
   * Passes on the bytes counted and not yet passed on, [#passed, #applied): the backlog and the
   * sub-replicas must end where the offset does before anything else runs (also when the link
   * is lost mid-batch). A piece per received chunk they lie in (a batch spans chunks when a
   * command was cut between reads: the stream copies each piece, so nothing is gathered first);
   * then the chunks wholly passed on are dropped.
   */
  #passOnCounted(): void {
    const start = this.#passed;
    const end = this.#applied;
    if (end <= start) return;
    this.#passed = end;
    const chunks = this.#chunks;
    let base = this.#chunksStart;
    let drop = 0;
    for (let j = 0; j < chunks.length && base < end; j++) {
      const ch = chunks[j];
      const from = Math.max(0, start - base);
      const to = Math.min(ch.length, end - base);
      if (to > from) passOnFromMaster(this.srv, ch, from, to);
      base += ch.length;
      if (base <= end) drop = j + 1;
    }
    for (let j = 0; j < drop; j++) this.#chunksStart += chunks[j].length;
    if (drop > 0) chunks.splice(0, drop);
  }

  override close(): void {
    const was = this.closed;
    super.close();
    if (!was) this.#lost();
  }

  override kill(): void {
    const was = this.closed;
    super.kill();
    if (!was) this.#lost();
  }

  #lost(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#passOnCounted();
    this.#chunks = [];
    this.#events.gone();
  }
}
