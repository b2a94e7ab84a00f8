// One client connection: its socket, parser, reply buffer and per-connection state.
//
// Input flow: every socket read is fed to the parser; every complete command in it is
// dispatched in order; all replies produced go out in one write at the end of the read
// (pipelining costs one syscall per read, not per command). A client can be suspended
// (CLIENT PAUSE, and blocking commands later): processing stops and resumes from the same
// byte when it is released.

import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { ProtocolError, RequestParser } from '../../protocol/request-parser.js';
import { ReplyWriter } from '../../protocol/reply-writer.js';
import { Err, sanitizeErrorText } from '../../lib/errors.js';
import { MASTER_READ_SHARE, READ_BYTES, READ_SHARE } from './read-share.js';
import type { BlockedOn } from '../blocking.js';
import type { MultiState } from '../multi.js';
import type { Command } from '../command-table.js';
import type { Database } from '../keyspace/database.js';
import type { ClientSubscriptions } from '../pubsub/registry.js';
import type { ClientTracking } from '../pubsub/tracking.js';
import type { ReplicaLink } from '../replication/master.js';
import type { Server } from '../server.js';

/** What a replica announces with REPLCONF before it asks for a sync. */
export interface ReplConf {
  listeningPort: number;
  ip: string;
  capaEof: boolean;
  capaPsync2: boolean;
}

/**
 * Commands whose keys are read ahead together (Client.readAhead): redis-benchmark's and most
 * clients' pipelines are 16 deep or less. Shared scratch: used and done within one call.
 */
const PREFETCH_BATCH = 16;
const PREFETCH_OFFS = new Int32Array(PREFETCH_BATCH);
const PREFETCH_LENS = new Int32Array(PREFETCH_BATCH);

export const ReplyMode = { On: 0, Off: 1, Skip: 2, SkipNext: 3 } as const;
export type ReplyMode = (typeof ReplyMode)[keyof typeof ReplyMode];

export class Client {
  readonly id: number;
  readonly srv: Server;
  readonly socket: Socket;
  readonly parser: RequestParser;
  readonly w = new ReplyWriter();
  /** "ip:port" of the peer and of our end, as CLIENT LIST prints them (or the unix path). */
  readonly addr: string;
  readonly laddr: string;
  readonly isUnix: boolean;
  /** Connected from this host (loopback or the unix socket): protected configs, DEBUG local. */
  readonly isLocal: boolean;
  readonly createdAt: number;
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  user = 'default';
  lastInteraction: number;
  lastCommand: Command | null = null;
  replyMode: ReplyMode = ReplyMode.On;
  noEvict = false;
  noTouch = false;
  monitor = false;
  /** Set when the reply to the current input must be the last thing sent (QUIT, protocol error). */
  closeAfterReply = false;
  closed = false;
  /** Waiting for CLIENT UNPAUSE (or another suspension) before processing more input. */
  suspended = false;
  /** What the client is blocked on (BLPOP and friends), or null. */
  blocked: BlockedOn | null = null;
  /** MULTI state: the queued commands, or null outside MULTI. */
  multi: MultiState | null = null;
  /** While a blocked command is re-run: the key that became ready (see blocking.ts). */
  servingKey: Buffer | null = null;
  /** Set while EXEC runs this client's queued commands (nothing may block then). */
  inExec = false;
  /** The command being executed and its arguments (what a blocking command re-runs). */
  currentCommand: Command | null = null;
  currentArgv: Buffer[] = [];
  /** Errors replied during the current command (for failed_calls). */
  cmdErrors = 0;
  /** In Pub/Sub mode: holds a subscription of some kind (flag P; RESP2 limits its commands). */
  pubsub = false;
  /** Channels, patterns and shard channels subscribed to (null: none ever, or all dropped). */
  subs: ClientSubscriptions | null = null;
  /** Client-side caching state (CLIENT TRACKING), null while tracking is off. */
  tracking: ClientTracking | null = null;
  /** Push messages kept aside while this client's command runs with replies off. */
  pushSide: ReplyWriter | null = null;
  /** Over its output buffer limit: gets no more output, is closed on the next turn (flag A). */
  closeAsap = false;
  /** When (unix seconds) the output was first seen above the soft limit; -1 = not above. */
  obufSoftLimitSince = -1;
  /** This connection is a replica of this node (after its SYNC/PSYNC): flag S. */
  replica: ReplicaLink | null = null;
  /** This connection is the link to this node's master, applying its stream: flag M. */
  isMaster = false;
  /** What REPLCONF told before SYNC/PSYNC (listening-port, ip-address, capa), or null. */
  replConf: ReplConf | null = null;
  /** The replication offset after this client's last propagated write (for WAIT). */
  woff = 0;
  /** Total bytes received / sent, for INFO and CLIENT LIST. */
  netIn = 0;
  netOut = 0;
  /** Set while processInput runs, so a re-entrant call (from a handler) is a no-op. */
  #processing = false;
  /** Buffered commands after the current one whose keys were read ahead (readAhead). */
  #ahead = 0;
  /** Bytes read in the event-loop turn #turnOf (srv.output.turn), and whether reading waits for its end. */
  #turnBytes = 0;
  #turnOf = -1;
  #readPaused = false;
  /** While processInput runs for a read that shares the turn: stop once pendingBytes is down to this (-1: no limit). */
  #shareFloor = -1;
  /** processInput stopped at #shareFloor: buffered commands wait for the next turn. */
  #yielded = false;

  constructor(srv: Server, socket: Socket, id: number, db: Database, authenticated: boolean, now: number) {
    this.srv = srv;
    this.socket = socket;
    this.id = id;
    this.db = db;
    this.authenticated = authenticated;
    this.createdAt = now;
    this.lastInteraction = now;
    this.isUnix = socket.remoteAddress === undefined;
    this.isLocal = this.isUnix || isLoopbackIp(socket.remoteAddress as string);
    this.addr = this.isUnix ? `${srv.unixSocketPath}:0` : fmtAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = this.isUnix ? `${srv.unixSocketPath}:0` : fmtAddr(socket.localAddress, socket.localPort);
    this.parser = new RequestParser({
      protoMaxBulkLen: srv.limits.protoMaxBulkLen,
      authRequired: !authenticated,
    });
    this.w.onError = (text) => {
      this.cmdErrors++;
      srv.stats.recordError(text);
    };
    // A socket created with the `onread` option (see network/socket.ts) delivers reads to
    // receive() directly; others use 'data' events.
    if (!readsDirect(socket)) socket.on('data', (chunk: Buffer) => this.receive(chunk, false));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** The database index selected (SELECT). */
  get dbIndex(): number {
    return this.db.id;
  }

  /**
   * Handles one read. `shared` says the chunk's memory is reused for the next read (the
   * server's single read buffer): then every byte still needed afterwards — a partial command,
   * input left while suspended — is copied out before returning. Arguments kept past their
   * command must be copied by whoever keeps them (values: ownBytes; held commands: the pause).
   */
  receive(chunk: Buffer, shared: boolean): void {
    if (this.closed) return;
    this.netIn += chunk.length;
    this.srv.stats.netInputBytes += chunk.length;
    this.srv.stats.totalReadsProcessed++;
    this.parser.feed(chunk, shared);
    const srv = this.srv;
    const turn = srv.output.turn;
    if (this.#turnOf !== turn) {
      this.#turnOf = turn;
      this.#turnBytes = 0;
    }
    // Another client active and this one streaming (a full read, or a second one this turn):
    // it runs READ_SHARE bytes of commands in this turn at most.
    const othersActive = srv.readShare.note(this, srv.tick);
    if (othersActive && !this.isMaster && (chunk.length >= READ_BYTES || this.#turnBytes > 0)) this.#processShare();
    else this.processInput();
    if (shared) this.parser.detach();
    this.#turnBytes += chunk.length;
    // A replica's link to its master reads once per turn (network/read-share.ts).
    if (this.#yielded || (this.isMaster && this.#turnBytes >= MASTER_READ_SHARE)) this.#pauseReadingForTurn();
  }

  /** processInput, stopping once READ_SHARE bytes of input ran in this turn (then #yielded). */
  #processShare(): void {
    const pending = this.parser.pendingBytes;
    this.#shareFloor = Math.max(0, pending - Math.max(0, READ_SHARE - this.#turnBytes));
    try {
      this.processInput();
    } finally {
      this.#shareFloor = -1;
    }
  }

  /**
   * Stops reading the socket until the end of this event-loop turn (its check phase). Commands
   * left buffered by a share run then, one share a turn, and reading resumes once they are done.
   */
  #pauseReadingForTurn(): void {
    this.#turnBytes = 0;
    if (this.#readPaused || this.closed) return;
    this.#readPaused = true;
    this.socket.pause();
    setImmediate(() => this.#afterPause());
  }

  /** The pause's end: the next share of buffered commands, or reading again once none is left. */
  #afterPause(): void {
    this.#readPaused = false;
    if (this.closed) return;
    if (this.#yielded) {
      this.#yielded = false;
      this.#processShare();
      if (this.#yielded) return this.#pauseReadingForTurn();
    }
    if (!this.closed) this.socket.resume();
  }

  /** Runs every complete buffered command until input runs out or the client is suspended. */
  processInput(): void {
    if (this.#processing) return;
    this.#processing = true;
    // One clock read per batch: every command of this batch sees the same "now" (srv.now).
    const srv = this.srv;
    srv.now = this.lastInteraction = srv.clock.now();
    srv.tick = performance.now();
    try {
      while (!this.suspended && !this.closeAfterReply && !this.closed && !this.closeAsap) {
        // A share ends between commands (one whose arguments are partly parsed would have them
        // copied out of the read buffer: a megabyte for a big value).
        if (this.#shareFloor >= 0 && this.parser.pendingBytes <= this.#shareFloor && this.parser.atBoundary) {
          this.#yielded = this.#shareFloor > 0;
          break;
        }
        this.readAhead();
        let argv: Buffer[] | null;
        try {
          argv = this.parser.next();
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          this.#protocolError(err.message);
          break;
        }
        if (argv === null) {
          if (this.parser.pendingBytes > this.srv.limits.clientQueryBufferLimit) {
            this.srv.log.warning(`Closing client that reached max query buffer length: ${this.describe()}`);
            this.close();
            return;
          }
          break;
        }
        this.srv.dispatch(this, argv);
      }
    } finally {
      this.#processing = false;
      if (srv.inputDone !== null) srv.inputDone();
    }
    // The replies go out at the end of the event-loop turn, with every other client's (as Redis
    // writes them before it sleeps): one burst of writes per turn wakes the peers once, where a
    // write after each read woke them once per client. Measured: about 12 % less CPU on SET and
    // GET -P 16 (bench/results/server-core.md). A close before then still sends them (close()).
    this.srv.output.flushSoon(this);
  }

  /**
   * Called before parsing each command: once the commands covered by the last read-ahead have
   * run, reads ahead the index entries of the first keys of the next buffered commands (up to
   * PREFETCH_BATCH), when there are at least two: their cache misses then overlap, where
   * running the commands one by one would take them one after another.
   */
  protected readAhead(): void {
    if (this.#ahead > 0) {
      this.#ahead--;
      return;
    }
    const p = this.parser;
    const n = p.peekKeys(PREFETCH_OFFS, PREFETCH_LENS, PREFETCH_BATCH);
    if (n < 2) return;
    this.db.prefetch(p.input, PREFETCH_OFFS, PREFETCH_LENS, n);
    this.#ahead = n - 1;
  }

  #protocolError(message: string): void {
    this.srv.log.verbose(`Protocol error (${message}) from client: ${this.describe()}`);
    this.parser.reset();
    // The message may echo a received byte: send it as that byte, CR/LF mapped to spaces.
    this.w.errorLatin1(sanitizeErrorText(Err.protocol(message)));
    this.closeAfterReply = true;
  }

  /**
   * Sends pending replies; closes the connection if a reply was marked as the last. Output the
   * socket could not take at once counts against the output buffer limits.
   */
  flush(held = false): void {
    if (this.#send(held) && this.closeAfterReply) this.close();
  }

  /** Writes the pending replies to the socket; false when there is no one to write them to. */
  #send(held: boolean): boolean {
    if (this.closed || this.closeAsap) return false;
    // Replicas and the master get no replies (what replication sends them is written to the
    // socket directly: replication/master.ts, replica.ts).
    if (this.replica !== null || this.isMaster) {
      this.w.truncate(0);
      return false;
    }
    // appendfsync always: replies wait until the writes they acknowledge are on disk (the hold
    // calls flush(true) then).
    if (!held && this.srv.replyHold !== null && this.srv.replyHold(this)) return false;
    const n = this.w.flush(this.socket);
    this.netOut += n;
    this.srv.stats.netOutputBytes += n;
    if (n > 0) this.srv.stats.totalWritesProcessed++;
    if (this.socket.writableLength > 0) this.srv.output.afterFlush(this);
    return true;
  }

  /** Closes the connection (pending output is sent first) and unregisters the client. */
  close(): void {
    if (this.closed) return;
    if (this.w.length > 0 && !this.socket.destroyed) this.#send(false);
    this.closed = true;
    this.parser.reset();
    this.socket.end();
    this.socket.destroySoon();
    this.srv.unlinkClient(this);
  }

  /** Closes without sending pending output (CLIENT KILL, output limits). */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    this.parser.reset();
    this.socket.destroy();
    this.srv.unlinkClient(this);
  }

  /** Short identification for log lines. */
  describe(): string {
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} name=${this.name}`;
  }
}

/** True for an IPv4 loopback, ::1, or an IPv4-mapped loopback address. */
export function isLoopbackIp(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

function readsDirect(socket: Socket): boolean {
  return (socket as Socket & { [DIRECT_READ]?: boolean })[DIRECT_READ] === true;
}

/** Marks a socket whose reads the server routes to Client.receive itself. */
export const DIRECT_READ = Symbol('shoal.directRead');

function fmtAddr(ip: string | undefined, port: number | undefined): string {
  if (ip === undefined) return '?:0';
  const clean = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return `${clean}:${port ?? 0}`;
}
