// A replica's link to its master (Redis 7.0 replication.c: connectWithMaster, syncWithMaster,
// slaveTryPartialResynchronization, readSyncBulkPayload): one object per REPLICAOF host port,
// living until the next REPLICAOF, reconnecting as often as the link drops.
//
// States, as ROLE names them:
//   connect     down; replicaCron (once a second) connects again
//   connecting  TCP connect in progress
//   handshake   PING; then, pipelined, AUTH [masteruser] masterauth (when set), REPLCONF
//               listening-port, REPLCONF ip-address (replica-announce-ip, when set), REPLCONF capa
//               eof capa psync2; then PSYNC <replid> <offset+1> when the history is known (a
//               cached master), else PSYNC ? -1
//   sync        +FULLRESYNC <id> <offset>: the payload is received into temp-<unixtime>.<pid>.rdb
//               in `dir` (`$<len>\r\n<len bytes>`, or `$EOF:<mark>\r\n ... <mark>` from a
//               diskless master); replica-sync.ts then fsyncs it, renames it over
//               dir/dbfilename, empties the dataset and loads the file in slices (clients get
//               -LOADING). repl-diskless-load: no temp file; on-empty-db (an empty replica)
//               empties and loads from the header on, following the bytes as they arrive (a
//               StreamSource); swapdb keeps the payload in memory (a StreamSource too) and,
//               once whole, loads it beside the old dataset, which it then replaces
//   connected   the master client (replica-client.ts) applies the stream
//
// Everything is non-blocking: socket events drive the handshake, the file is written with
// asynchronous writes at the socket's pace (the socket pauses while the disk lags), the load
// runs in slices. Any failure before the load (link drop, error reply, bad header, timeout)
// leaves the old dataset in place and the cron retries (a load following the bytes fails with
// the transfer and empties what it loaded; a swapdb load that fails leaves the old dataset
// too); the history (cached master) survives a
// drop of a connected link, so the next PSYNC is partial.
//
// Empty lines the master sends while it prepares the payload ("\n") are keepalives: they only
// move the last-I/O time.

import { Err } from '../../lib/errors.js';
import { createWriteStream, close as closeFd, open as openFd, unlink, type WriteStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { Server } from '../server.js';
import { failoverPsyncAnswered } from './failover.js';
import { createBacklog, disconnectReplicas, resetHistory } from './master.js';
import { MasterClient } from './replica-client.js';
import { DIRECT_READ } from '../network/client.js';
import { StreamSource } from '../persistence/rdb-loader.js';
import { RdbError } from '../persistence/rdb-io.js';
import { ackCommand, errText, installSyncedRdb, resp, restartAofAfterSync, type ReceivedPayload } from './replica-sync.js';
import type { LinkState, MasterLink } from './replica.js';
import { NO_REPL_ID } from './state.js';

/** Size of the diskless payload's end mark (RDB_EOF_MARK_SIZE). */
const EOF_MARK_SIZE = 40;

/** The history a partial resync can continue (Redis's cached master): its stream's database. */
export interface CachedMaster {
  streamDb: number;
}

/** Replies awaited during the handshake, in order. */
type Awaited = 'ping' | 'auth' | 'port' | 'ip' | 'capa' | 'psync';

/** The link's read buffer: each read is handled (used or copied) before the next one. */
const LINK_READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

/** Where the bytes read are going. */
type Phase = 'idle' | 'replies' | 'header' | 'payload' | 'loading' | 'online';

/** The payload being received. */
interface Transfer {
  size: number;
  read: number;
  startMs: number;
  lastIoMs: number;
}

export class Link implements MasterLink {
  state: LinkState = 'connect';
  client: MasterClient | null = null;
  lastIoMs: number;
  downSinceMs = -1;
  streamDb = -1;
  transfer: Transfer | null = null;
  readonly host: string;
  readonly port: number;
  /** The history a PSYNC can continue, or null (PSYNC ? -1). */
  cached: CachedMaster | null;
  readonly #srv: Server;
  #sock: Socket | null = null;
  #phase: Phase = 'idle';
  #in: Buffer = Buffer.alloc(0);
  #awaited: Awaited[] = [];
  /** Bumped by every attempt: callbacks of an older one are ignored. */
  #epoch = 0;
  /** Set by shutdown(): the link is over (REPLICAOF, node closing). */
  #over = false;
  /** +FULLRESYNC's ID and offset. */
  #fullId = '';
  #fullOffset = -1;
  /** Payload: the temp file, its stream, bytes left ($<len>) or the mark (EOF), the held tail. */
  #tmpPath = '';
  #file: WriteStream | null = null;
  #fd = -1;
  #left = -1;
  #mark: Buffer | null = null;
  #tail: Buffer = Buffer.alloc(0);
  /** Stream bytes that came after the payload or the +CONTINUE line. */
  #after: Buffer[] = [];
  /** Offset at which the master client started, and bytes it has read since. */
  #readBase = 0;
  #readBytes = 0;
  /**
   * The node's record that a full sync stopped the AOF (shared by every link of the node: the
   * sync that stopped it may fail or be superseded by a REPLICAOF, and the next one to end, or
   * REPLICAOF NO ONE, restarts it).
   */
  readonly #aof: { aofStopped: boolean };

  constructor(srv: Server, host: string, port: number, cached: CachedMaster | null, aof: { aofStopped: boolean }) {
    this.#srv = srv;
    this.#aof = aof;
    this.host = host;
    this.port = port;
    this.cached = cached;
    this.streamDb = cached !== null ? cached.streamDb : -1;
    this.lastIoMs = srv.clock.now();
  }

  /** Offset of the stream read from the master (slave_read_repl_offset). */
  get readOffset(): number {
    return this.client !== null ? this.#readBase + this.#readBytes : this.#srv.repl.masterReplOffset;
  }

  /** True once shutdown() ran. */
  // -------------------------------------------------------------------------------------------
  // Connecting and the handshake

  /** connectWithMaster: starts a connection attempt (state connecting). */
  connect(): void {
    if (this.#over || this.state !== 'connect') return;
    const srv = this.#srv;
    const epoch = ++this.#epoch;
    this.state = 'connecting';
    this.lastIoMs = srv.clock.now();
    // Reads land in one buffer owned here (no 64 KB allocation per read: at a replica's read
    // rate those allocations alone brought a full garbage collection about twice a second).
    // The stream goes to the master client in place; anything else is copied first.
    const sock = connect({
      host: this.host,
      port: this.port,
      onread: {
        buffer: LINK_READ_BUFFER,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (epoch !== this.#epoch) return true;
          const view = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (this.#phase === 'online' && this.client !== null) this.client.receive(view, true);
          else this.#onData(Buffer.from(view));
          return true;
        },
      },
    } as unknown as Parameters<typeof connect>[0]);
    (sock as Socket & { [DIRECT_READ]?: boolean })[DIRECT_READ] = true;
    this.#sock = sock;
    sock.setNoDelay(true);
    srv.log.notice('MASTER <-> REPLICA sync started');
    sock.on('connect', () => {
      if (epoch !== this.#epoch) return;
      srv.log.notice('Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      this.#phase = 'replies';
      this.lastIoMs = srv.clock.now();
      this.#awaited = ['ping'];
      sock.write(resp(['PING']));
    });
    sock.on('error', (err) => {
      if (epoch !== this.#epoch) return;
      if (this.state === 'connecting') srv.log.warning(`Error condition on socket for SYNC: ${errText(err)}`);
      else if (this.state === 'sync') srv.log.warning(`I/O error trying to sync with MASTER: ${errText(err)}`);
      // As for 'close': a load in progress finishes first (a new sync beside it would load a
      // second payload over it), and the link then finds its socket gone.
      if (this.#phase === 'loading') return;
      this.#cancel();
    });
    sock.on('close', () => {
      if (epoch !== this.#epoch) return;
      if (this.#phase === 'loading') return; // noticed once the load is done
      if (this.state === 'sync') srv.log.warning('I/O error trying to sync with MASTER: connection lost');
      else if (this.state === 'handshake') srv.log.warning('Master closed the connection during the handshake');
      this.#cancel();
    });
  }

  #onData(chunk: Buffer): void {
    const now = this.#srv.clock.now();
    this.lastIoMs = now;
    switch (this.#phase) {
      case 'replies':
      case 'header':
        this.#in = this.#in.length === 0 ? chunk : Buffer.concat([this.#in, chunk]);
        this.#lines();
        return;
      case 'payload':
        this.#payload(chunk);
        return;
      case 'loading':
        this.#after.push(chunk);
        return;
      default:
        return;
    }
  }

  /** Handles every complete line buffered (handshake replies, then the payload header). */
  #lines(): void {
    while (this.#phase === 'replies' || this.#phase === 'header') {
      const nl = this.#in.indexOf(10);
      if (nl < 0) {
        if (this.#in.length > 64 * 1024) {
          this.#srv.log.warning('Master sent an over-long reply line during the handshake');
          this.#cancel();
        }
        return;
      }
      const end = nl > 0 && this.#in[nl - 1] === 13 ? nl - 1 : nl;
      const line = this.#in.toString('latin1', 0, end);
      this.#in = this.#in.subarray(nl + 1);
      if (this.#phase === 'replies') this.#reply(line);
      else this.#header(line);
    }
    // The rest belongs to the payload (or, after +CONTINUE, to the stream).
    const rest = this.#in;
    this.#in = Buffer.alloc(0);
    if (rest.length === 0) return;
    if (this.#phase === 'payload') this.#payload(rest);
    else if (this.#phase === 'loading') this.#after.push(rest); // after an empty ($0) payload
    else if (this.#phase === 'online' && this.client !== null) this.client.receive(rest, false);
  }

  /** One handshake reply. */
  #reply(line: string): void {
    const srv = this.#srv;
    const what = this.#awaited[0];
    if (what === undefined) return;
    // Newlines before the PSYNC reply keep the link alive while the master gets ready.
    if (line === '' && what === 'psync') return;
    this.#awaited.shift();
    const err = line.startsWith('-');
    switch (what) {
      case 'ping':
        if (err && !line.startsWith('-NOAUTH') && !line.startsWith('-NOPERM') && !line.startsWith(`-${Err.legacyNoPerm}`)) {
          srv.log.warning(`Error reply to PING from master: '${line}'`);
          return this.#cancel();
        }
        srv.log.notice('Master replied to PING, replication can continue...');
        return this.#sendHandshake();
      case 'auth':
        if (err) {
          srv.log.warning(`Unable to AUTH to MASTER: ${line}`);
          return this.#cancel();
        }
        return;
      case 'port':
        if (err) srv.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        return;
      case 'ip':
        if (err) srv.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        return;
      case 'capa':
        if (err) srv.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
        return this.#sendPsync();
      case 'psync':
        return this.#psyncReply(line);
    }
  }

  /** AUTH, REPLCONF listening-port / ip-address / capa, pipelined (REPL_STATE_SEND_HANDSHAKE). */
  #sendHandshake(): void {
    const cfg = this.#srv.config;
    let out = '';
    const pass = cfg.getString('masterauth');
    if (pass !== '') {
      const user = cfg.getString('masteruser');
      out += resp(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]);
      this.#awaited.push('auth');
    }
    const announced = cfg.getNumber('replica-announce-port');
    out += resp(['REPLCONF', 'listening-port', String(announced !== 0 ? announced : this.#srv.tcpPort)]);
    this.#awaited.push('port');
    const ip = cfg.getString('replica-announce-ip');
    if (ip !== '') {
      out += resp(['REPLCONF', 'ip-address', ip]);
      this.#awaited.push('ip');
    }
    out += resp(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.#awaited.push('capa');
    this.#sock?.write(out);
  }

  /** PSYNC <replid> <offset+1> with a known history, else PSYNC ? -1. */
  #sendPsync(): void {
    const srv = this.#srv;
    const r = srv.repl;
    let id = '?';
    let offset = '-1';
    if (this.cached !== null) {
      id = r.replId;
      offset = String(r.masterReplOffset + 1);
      srv.log.notice(`Trying a partial resynchronization (request ${id}:${offset}).`);
    } else {
      srv.log.notice('Partial resynchronization not possible (no cached master)');
    }
    this.#awaited.push('psync');
    // A master handing over to this link's master (FAILOVER) asks it to take over.
    const failover = r.failover?.state === 'failover-in-progress';
    this.#sock?.write(resp(failover ? ['PSYNC', id, offset, 'FAILOVER'] : ['PSYNC', id, offset]));
  }

  /** +FULLRESYNC / +CONTINUE / errors (slaveTryPartialResynchronization's reading half). */
  #psyncReply(line: string): void {
    const srv = this.#srv;
    // The failover this PSYNC asked for is done with a sync, aborted otherwise (then this
    // node is a master again and the link is gone).
    if (failoverPsyncAnswered(srv, line.startsWith('+FULLRESYNC') || line.startsWith('+CONTINUE'))) return;
    if (line.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([0-9a-zA-Z]{40}) (-?\d+)/.exec(line);
      if (m === null) {
        srv.log.warning('Master replied with wrong +FULLRESYNC syntax.');
        this.#fullId = NO_REPL_ID;
        this.#fullOffset = -1;
      } else {
        this.#fullId = m[1];
        this.#fullOffset = Number(m[2]);
        srv.log.notice(`Full resync from master: ${this.#fullId}:${this.#fullOffset}`);
      }
      this.#discardCached();
      this.#beginTransfer();
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      srv.log.notice('Successful partial resynchronization with master.');
      const r = srv.repl;
      const id = line.slice(10).trim();
      if (id.length === 40 && id !== r.replId) {
        // PSYNC2: the master's history goes on under a new ID (it was promoted); ours becomes
        // the previous one, so our sub-replicas (disconnected to learn it) can continue too.
        srv.log.warning(`Master replication ID changed to ${id}`);
        r.replId2 = r.replId;
        r.secondReplOffset = r.masterReplOffset + 1;
        r.replId = id;
        disconnectReplicas(srv);
      }
      srv.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      if (r.backlog === null) createBacklog(srv);
      this.#online(this.cached !== null ? this.cached.streamDb : 0, false);
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      srv.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      return this.#cancel();
    }
    if (line.startsWith('-ERR')) srv.log.notice(`Master does not support PSYNC or is in error state (reply: ${line})`);
    else srv.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    // SYNC, as Redis falls back to for a master without PSYNC (older than 2.8): the payload
    // follows with no +FULLRESYNC, so the stream's history is unknown (offset -1, no ID: the
    // next sync cannot be partial).
    this.#discardCached();
    srv.log.notice('Retrying with SYNC...');
    this.#sock?.write('SYNC\r\n');
    this.#fullId = NO_REPL_ID;
    this.#fullOffset = -1;
    this.#beginTransfer();
  }

  #discardCached(): void {
    if (this.cached === null) return;
    this.#srv.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  // -------------------------------------------------------------------------------------------
  // The full sync payload

  /** After +FULLRESYNC: the temp file is opened, the payload's header awaited. */
  #beginTransfer(): void {
    const srv = this.#srv;
    const now = srv.clock.now();
    this.state = 'sync';
    this.#phase = 'header';
    this.transfer = { size: -1, read: 0, startMs: now, lastIoMs: now };
    // repl-diskless-load (useDisklessLoad): swapdb always, on-empty-db when there is nothing to
    // lose, loads the payload without a temp file. on-empty-db loads it as it arrives; swapdb
    // keeps it in memory (about the size of the RDB) while the old dataset is served, and
    // loads it once whole beside that dataset (replica-sync.ts swapInDataset).
    const mode = srv.config.getString('repl-diskless-load');
    const empty = srv.keyspace.dbs.every((db) => db.size === 0);
    if (mode === 'swapdb' || (mode === 'on-empty-db' && empty)) {
      this.#stream = new StreamSource();
      // Nothing to keep: the load starts with the payload's header and follows its bytes.
      this.#loadAsReceived = mode === 'on-empty-db';
      return;
    }
    const dir = resolve(srv.config.getString('dir'));
    this.#tmpPath = join(dir, `temp-${Math.floor(now / 1000)}.${process.pid}.rdb`);
    const epoch = this.#epoch;
    // Opened synchronously in effect (the stream queues writes until the open completes);
    // an open failure cancels the attempt.
    openFd(this.#tmpPath, 'w', 0o644, (err, fd) => {
      if (epoch !== this.#epoch) {
        if (!err) closeFd(fd, () => undefined);
        return;
      }
      if (err) {
        srv.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${err.message}`);
        this.#cancel();
        return;
      }
      this.#fd = fd;
      const file = createWriteStream('', { fd, autoClose: false });
      file.on('error', (e) => {
        if (epoch !== this.#epoch) return;
        srv.log.warning(`Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${e.message}`);
        this.#cancel();
      });
      // Only while the payload is read: during the load the socket stays paused.
      file.on('drain', () => {
        if (this.#phase === 'payload') this.#sock?.resume();
      });
      this.#file = file;
      for (const b of this.#pendingWrites) this.#write(b);
      this.#pendingWrites = [];
      if (this.#phase === 'loading') this.#startInstall();
    });
  }

  /** Payload bytes that arrived before the temp file was open. */
  #pendingWrites: Buffer[] = [];
  /** The payload, when it is loaded without a temp file (repl-diskless-load); else null. */
  #stream: StreamSource | null = null;
  /** Whether #stream is loaded as it arrives (on-empty-db), not once whole (swapdb). */
  #loadAsReceived = false;

  /** The payload's first line: `$<len>`, `$EOF:<mark>`, a keepalive, or an error. */
  #header(line: string): void {
    const srv = this.#srv;
    if (line === '') return; // keepalive while the master prepares the payload
    if (line.startsWith('-')) {
      srv.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
      return this.#cancel();
    }
    if (!line.startsWith('$')) {
      srv.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      return this.#cancel();
    }
    const t = this.transfer as Transfer;
    if (line.startsWith('$EOF:') && line.length >= 5 + EOF_MARK_SIZE) {
      this.#mark = Buffer.from(line.slice(5, 5 + EOF_MARK_SIZE), 'latin1');
      this.#left = -1;
      t.size = 0; // as Redis's repl_transfer_size for an EOF-marked payload (-1: no header yet)
      srv.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${this.#stream !== null ? 'to parser' : 'to disk'}`);
    } else {
      const n = Number(line.slice(1));
      if (!Number.isSafeInteger(n) || n < 0) {
        srv.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
        return this.#cancel();
      }
      this.#mark = null;
      this.#left = n;
      t.size = n;
      srv.log.notice(`MASTER <-> REPLICA sync: receiving ${n} bytes from master ${this.#stream !== null ? 'to parser' : 'to disk'}`);
    }
    this.#phase = 'payload';
    if (this.#stream !== null) {
      this.#stream.expected = Math.max(0, t.size);
      if (this.#loadAsReceived) this.#startInstall();
    }
    if (this.#left === 0) this.#payloadDone();
  }

  /** Payload bytes: to the file; the end found, the rest is stream. */
  #payload(chunk: Buffer): void {
    const t = this.transfer as Transfer;
    t.lastIoMs = this.#srv.clock.now();
    if (this.#mark === null) {
      const n = Math.min(this.#left, chunk.length);
      if (n > 0) this.#write(chunk.subarray(0, n));
      t.read += n;
      this.#left -= n;
      if (n < chunk.length) this.#after.push(chunk.subarray(n));
      if (this.#left === 0) this.#payloadDone();
      return;
    }
    // EOF-marked: the last EOF_MARK_SIZE bytes are held back until they are known not to be
    // the mark. The mark is searched anywhere: stream bytes may follow it in the same read.
    const data = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
    const at = data.indexOf(this.#mark);
    if (at >= 0) {
      if (at > 0) this.#write(data.subarray(0, at));
      t.read += at - this.#tail.length + EOF_MARK_SIZE;
      this.#tail = Buffer.alloc(0);
      const rest = data.subarray(at + EOF_MARK_SIZE);
      if (rest.length > 0) this.#after.push(rest);
      this.#left = 0;
      this.#payloadDone();
      return;
    }
    t.read += chunk.length;
    const keep = Math.min(EOF_MARK_SIZE - 1, data.length);
    if (data.length > keep) this.#write(data.subarray(0, data.length - keep));
    this.#tail = Buffer.from(data.subarray(data.length - keep));
  }

  #write(b: Buffer): void {
    // The chunks of the payload are private copies (the link's read buffer is copied for
    // everything but the stream), so they are kept as they are.
    if (this.#stream !== null) {
      this.#stream.push(b);
      return;
    }
    if (this.#file === null) {
      this.#pendingWrites.push(Buffer.from(b));
      return;
    }
    if (!this.#file.write(b)) this.#sock?.pause();
  }

  /**
   * The whole payload is here: the rest of the socket waits (paused) while the file is synced,
   * renamed over dir/dbfilename and loaded in place of the dataset.
   */
  #payloadDone(): void {
    if (this.#phase === 'loading') return;
    this.#phase = 'loading';
    this.#sock?.pause();
    // Until the temp file is open the bytes wait in #pendingWrites; its open callback starts.
    // A payload loaded as it arrives learns its end; one kept whole is loaded now.
    this.#stream?.end();
    if ((this.#stream !== null && !this.#loadAsReceived) || this.#file !== null) this.#startInstall();
  }

  #startInstall(): void {
    const epoch = this.#epoch;
    void this.#install(epoch).catch((err: Error) => {
      if (epoch !== this.#epoch) return;
      this.#srv.log.warning(`MASTER <-> REPLICA sync failed: ${err.message}`);
      this.#cancel();
    });
  }

  /** readSyncBulkPayload's end: fsync, rename, flush, load, then the master client. */
  async #install(epoch: number): Promise<void> {
    const srv = this.#srv;
    let payload: ReceivedPayload;
    if (this.#stream !== null) {
      payload = { stream: this.#stream, swapdb: !this.#loadAsReceived };
    } else {
      payload = { file: this.#file as WriteStream, fd: this.#fd, tmpPath: this.#tmpPath };
      this.#file = null;
      this.#fd = -1;
      this.#tmpPath = '';
    }
    const streamDb = await installSyncedRdb(srv, payload, {
      current: () => epoch === this.#epoch,
      aofStopped: () => (this.#aof.aofStopped = true),
      sameHistory: this.#fullId === srv.repl.replId,
    });
    if (epoch !== this.#epoch) return;
    this.#stream = null;
    if (streamDb !== null && this.#phase === 'payload') {
      // A streamed load ended before the payload did: what follows is not the stream.
      srv.log.warning('MASTER <-> REPLICA sync: the payload goes on past the end of its RDB');
      srv.keyspace.flushAll();
      return this.#cancel();
    }
    // A failed load leaves the AOF stopped, as Redis's readSyncBulkPayload does: rewriting it
    // now would replace the files with the emptied dataset. The next sync that succeeds (this
    // link's or another's) or REPLICAOF NO ONE restarts it.
    if (streamDb === null) return this.#cancel();
    resetHistory(srv, this.#fullId, this.#fullOffset);
    this.transfer = null;
    srv.log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.#online(streamDb, this.#mark !== null);
    restartAofAfterSync(srv, this.#aof);
  }

  // -------------------------------------------------------------------------------------------
  // Online, down, over

  /** The master client takes the socket over (replicationCreateMasterClient). */
  #online(db: number, sendAck: boolean): void {
    const srv = this.#srv;
    const sock = this.#sock as Socket;
    sock.removeAllListeners('data');
    sock.removeAllListeners('close');
    sock.removeAllListeners('error');
    sock.removeAllListeners('connect');
    this.#phase = 'online';
    this.transfer = null;
    this.#readBase = srv.repl.masterReplOffset;
    this.#readBytes = 0;
    this.streamDb = db;
    const now = srv.clock.now();
    this.lastIoMs = now;
    if (sock.destroyed) {
      // The master went away while the payload was loading: the history is kept all the same.
      this.#sock = null;
      this.#lost();
      return;
    }
    const client = new MasterClient(srv, sock, db, {
      read: (n) => {
        this.#readBytes += n;
        this.lastIoMs = srv.clock.now();
      },
      applied: (streamDb) => {
        this.streamDb = streamDb;
      },
      gone: () => {
        if (this.client === client) this.#lost();
      },
    });
    srv.clients.set(client.id, client);
    this.client = client;
    this.state = 'connected';
    this.downSinceMs = -1;
    this.cached = null;
    if (sendAck) sock.write(ackCommand(srv.repl.masterReplOffset));
    const after = this.#after;
    this.#after = [];
    for (const b of after) client.receive(b, false);
    const rest = this.#in;
    this.#in = Buffer.alloc(0);
    if (rest.length > 0) client.receive(rest, false);
    sock.resume();
  }

  /** The connected link dropped (replicationCacheMaster + replicationHandleMasterDisconnection). */
  #lost(): void {
    const srv = this.#srv;
    const client = this.client;
    this.client = null;
    this.#sock = null;
    this.#phase = 'idle';
    if (client !== null) this.streamDb = client.db.id;
    srv.log.warning('Connection with master lost.');
    srv.log.notice('Caching the disconnected master state.');
    this.cached = { streamDb: this.streamDb };
    this.state = 'connect';
    this.downSinceMs = srv.clock.now();
    if (this.#over || srv.shuttingDown) return;
    // Reconnect at once rather than a second later: the master's backlog may not wait.
    srv.log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  /**
   * Ends the attempt in progress (cancelReplicationHandshake): socket closed, temp file removed,
   * state connect; the cron tries again. A connected link is not touched (see drop()).
   */
  #cancel(): void {
    if (this.state === 'connected') return;
    this.#epoch++;
    const sock = this.#sock;
    this.#sock = null;
    if (sock !== null) sock.destroy();
    this.#abandonFile();
    this.#phase = 'idle';
    this.#in = Buffer.alloc(0);
    this.#after = [];
    this.#awaited = [];
    this.#tail = Buffer.alloc(0);
    this.#pendingWrites = [];
    this.#left = -1;
    this.#mark = null;
    this.transfer = null;
    this.state = 'connect';
  }

  #abandonFile(): void {
    if (this.#stream !== null) {
      this.#stream.fail(new RdbError('the transfer from the master broke off', this.#stream.received));
      this.#stream = null;
    }
    const file = this.#file;
    const fd = this.#fd;
    this.#file = null;
    this.#fd = -1;
    if (file !== null) file.destroy();
    if (fd >= 0) closeFd(fd, () => undefined);
    if (this.#tmpPath !== '') {
      const p = this.#tmpPath;
      this.#tmpPath = '';
      unlink(p, () => undefined);
    }
  }

  /** Sends REPLCONF ACK <offset> (replicationSendAck). */
  sendAck(): void {
    const c = this.client;
    if (c === null || c.closed) return;
    c.socket.write(ackCommand(this.#srv.repl.masterReplOffset));
  }

  /**
   * The cron's link duties: timeouts of each state, a new attempt while down, an ACK a
   * second while connected.
   */
  cron(): void {
    if (this.#over) return;
    const srv = this.#srv;
    const now = srv.clock.now();
    const timeout = srv.config.getNumber('repl-timeout') * 1000;
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.lastIoMs > timeout) {
      srv.log.warning('Timeout connecting to the MASTER...');
      this.#cancel();
    }
    const t = this.transfer;
    if (this.state === 'sync' && this.#phase !== 'loading' && t !== null && now - t.lastIoMs > timeout) {
      srv.log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.#cancel();
    }
    if (this.state === 'connected' && this.client !== null && now - this.lastIoMs > timeout) {
      srv.log.warning('MASTER timeout: no data nor PING received...');
      this.client.close();
    }
    if (this.state === 'connect') {
      srv.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.state === 'connected') this.sendAck();
  }

  /**
   * The link is over (REPLICAOF elsewhere or NO ONE, the node closing): the master client is
   * closed (its history cached, as Redis's freeClient(server.master) does), an attempt in
   * progress cancelled. Returns the history a next PSYNC can continue, or null.
   */
  shutdown(): CachedMaster | null {
    if (this.#over) return this.cached;
    this.#over = true;
    const client = this.client;
    if (client !== null) client.close(); // -> #lost(): caches, does not reconnect (#over)
    else this.#cancel();
    this.#epoch++;
    return this.cached;
  }
}
