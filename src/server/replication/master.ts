// The master side of replication (Redis 7.0 replication.c): the replication stream and its
// backlog, replicas attaching with SYNC / PSYNC, full syncs on the fork-less snapshot, partial
// resyncs from the backlog, REPLCONF, WAIT and the good-replica count behind
// min-replicas-to-write.
//
// The stream. On a master it is the effect stream (propagate.ts) encoded as RESP with its own
// SELECT state (Redis's slaveseldb); on a replica it is the bytes its master sent, applied and
// passed on unchanged (passOnFromMaster), so a sub-replica's offsets match the whole chain.
// Every byte moves srv.repl.masterReplOffset at once and is written into a slab (the bytes of
// consecutive commands of one client's read, end to end in its input, in one copy when its
// batch ends: addRaw, fillRaw): the turn's
// bytes go out in one socket write per replica (a view of the slab, no copy) and into the
// backlog in one copy when the event-loop turn ends (setImmediate), as Redis writes replica
// output in beforeSleep; whatever reads the backlog before then settles it first
// (settleBacklog). While every replica's socket takes each turn whole, the slab is written over
// from its start; a view a socket queued (a replica behind) is never written over: the next
// turns take a new slab once this one is full.
//
// Full sync. A replica asking for a history this node cannot continue gets +FULLRESYNC
// <replid> <offset> and then the dataset as of that offset: the snapshot starts in the same
// synchronous step as the replica's stream is held back (link.held), so the snapshot and the
// held stream meet exactly at <offset>. Diskless (repl-diskless-sync yes, and every waiting
// replica announced capa eof): the snapshot writes into the replicas' sockets as an EOF-marked
// payload ($EOF:<40 chars>\r\n ... <40 chars>), as many replicas at once as were waiting (after
// repl-diskless-sync-delay). Disk: a BGSAVE to dbfilename, then `$<size>\r\n` and the file.
// Once the payload is sent the held stream follows and the replica is online.
//
// Partial resync: PSYNC <replid> <offset> with replid this node's ID (or its previous one,
// up to secondReplOffset) and the offset still in the backlog: +CONTINUE <replid> and the
// backlog from that offset.

import { closeSync, fstatSync, openSync } from 'node:fs';
import type { Client } from '../network/client.js';
import { encodedSize, encodeOpsAt, type EncodeState } from '../propagate.js';
import type { Server } from '../server.js';
import { Snapshot } from '../persistence/snapshot.js';
import { snapshotBusy, startBgsave } from '../persistence/bgsave.js';
import { rdbPath } from '../persistence/rdb-writer.js';
import { Err } from '../../lib/errors.js';
import { copyBytes } from '../../lib/bytes.js';
import { Backlog } from './backlog.js';
import { ReplicaSocketsSink, streamFile } from './rdb-transfer.js';
import { NO_REPL_ID, newReplId } from './state.js';
import { replicaCron, replicaOfNoOne } from './replica.js';
import { updateFailoverStatus } from './failover.js';
import { isKeyword } from '../handlers/util.js';
import { checkPendingShutdown } from '../persistence/shutdown.js';

/** Where a replica is in its sync (INFO prints wait_bgsave, send_bulk, online). */
export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

/** One replica connected to this node. */
export interface ReplicaLink {
  readonly client: Client;
  state: ReplicaState;
  /** REPLCONF listening-port (0: not told). */
  listeningPort: number;
  /** REPLCONF ip-address (replica-announce-ip), or '' for the peer address. */
  announcedIp: string;
  /** REPLCONF capa eof / psync2. */
  capaEof: boolean;
  capaPsync2: boolean;
  /** Offset the replica last acknowledged (REPLCONF ACK), and when (ms). */
  ackOffset: number;
  ackTimeMs: number;
  /** Stream bytes held while the full sync's payload goes first (null once online). */
  held: Buffer[] | null;
  heldBytes: number;
  /** When it started waiting for a full sync (ms). */
  waitingSince: number;
  /** SYNC (not PSYNC): no +FULLRESYNC line, no REPLCONF ACK. */
  readonly preSync: boolean;
  /** Online after a diskless payload: the held stream goes out on the first REPLCONF ACK. */
  streamOnAck: boolean;
  /**
   * No REPLCONF ACK since its payload was sent: the replica is loading it, however long that
   * takes, and is not timed out meanwhile (a replica that died closes its connection; one that
   * hangs fills its output buffer limit with the stream held for it).
   */
  loading: boolean;
  /** Replication lag measured at the last ACK, ms (INFO's lag_ms; see lagAtAck). */
  lagMs: number;
  /** During a full sync: bytes the socket had handed to the kernel when last seen moving, and when (ms). */
  sentMark: number;
  sentMarkMs: number;
}

/** A full sync in progress: its replicas, whether it goes through the disk, where its stream starts. */
interface FullSync {
  readonly links: Set<ReplicaLink>;
  readonly disk: boolean;
  snapshot: Snapshot | null;
  /** The +FULLRESYNC its replicas got: the history and the offset the snapshot was taken at. */
  readonly replId: string;
  readonly offset: number;
}

/** The master side's per-node state, kept outside Server (created on first use). */
interface MasterSide {
  /** SELECT state of the stream (slaveseldb). */
  readonly encode: EncodeState;
  /**
   * The slab the stream is written into: [turnStart, turnLen) is this turn's, not yet written
   * to the replicas; [backlogAt, turnLen) not yet copied into the backlog.
   */
  turn: Buffer;
  turnStart: number;
  turnLen: number;
  backlogAt: number;
  /** A view of the slab is queued in a socket or held: its bytes up to turnStart must stay as they are. */
  turnShared: boolean;
  /**
   * Bytes counted in the stream and reserved in the slab at [rawAt, rawAt + rawTo - rawFrom),
   * not copied yet: rawSrc[rawFrom, rawTo), the received bytes of consecutive commands of one
   * client's read (fillRaw).
   */
  rawSrc: Uint8Array | null;
  rawFrom: number;
  rawTo: number;
  rawAt: number;
  flushScheduled: boolean;
  /** Removes the effect-stream consumer (null while none is attached). */
  detach: (() => void) | null;
  /** The full sync in progress. */
  sync: FullSync | null;
  /** Clients blocked in WAIT. */
  readonly waiters: Set<Waiter>;
  /** A REPLCONF GETACK is to be sent at the end of this turn (WAIT). */
  getAckPending: boolean;
  cronLoops: number;
  /** (offset, time) at each turn flush, oldest first, for the replicas' lag in ms. */
  readonly marks: { offset: number[]; time: number[] };
}

interface Waiter {
  readonly c: Client;
  readonly offset: number;
  readonly numReplicas: number;
  timer: NodeJS.Timeout | null;
}

const sides = new WeakMap<Server, MasterSide>();

/** Stream slab size (a turn that needs more gets a slab of its own size). */
const SLAB = 256 * 1024;
const PING = Buffer.from('*1\r\n$4\r\nPING\r\n');
const GETACK = Buffer.from('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');

export function masterSide(srv: Server): MasterSide {
  let m = sides.get(srv);
  if (m === undefined) {
    m = {
      encode: { selectedDb: -1 },
      turn: Buffer.allocUnsafe(SLAB),
      turnStart: 0,
      turnLen: 0,
      backlogAt: 0,
      turnShared: false,
      rawSrc: null,
      rawFrom: 0,
      rawTo: 0,
      rawAt: 0,
      flushScheduled: false,
      detach: null,
      sync: null,
      waiters: new Set(),
      getAckPending: false,
      cronLoops: 0,
      marks: { offset: [], time: [] },
    };
    sides.set(srv, m);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// History: IDs and backlog (the API the replica side uses as well)

/** A new history (changeReplicationId + clearReplicationId2). */
export function changeReplicationId(srv: Server): void {
  const r = srv.repl;
  r.replId = newReplId();
  r.replId2 = NO_REPL_ID;
  r.secondReplOffset = -1;
}

/**
 * Promotion (shiftReplicationId): the current ID becomes the previous one, valid up to the
 * current offset, and a new ID starts; the stream's next record selects its database again.
 * Replicas of the old master can then PSYNC here with the old ID.
 */
export function shiftReplicationId(srv: Server): void {
  const r = srv.repl;
  r.replId2 = r.replId;
  r.secondReplOffset = r.masterReplOffset + 1;
  r.replId = newReplId();
  masterSide(srv).encode.selectedDb = -1;
  srv.log.notice(
    `Setting secondary replication ID to ${r.replId2}, valid up to offset: ${r.secondReplOffset}. New replication ID is ${r.replId}`,
  );
  syncConsumer(srv);
}

/** Creates the backlog (empty, starting after the current offset) if there is none. */
export function createBacklog(srv: Server): void {
  const r = srv.repl;
  if (r.backlog !== null) return;
  settleBacklog(srv);
  r.backlog = new Backlog(srv.config.getNumber('repl-backlog-size'), r.masterReplOffset);
  syncConsumer(srv);
}

/** Frees the backlog (freeReplicationBacklog). */
export function freeBacklog(srv: Server): void {
  settleBacklog(srv);
  srv.repl.backlog = null;
  syncConsumer(srv);
}

/**
 * A replica adopting its master's history after a full sync, or a fresh one: ID `replId`,
 * offset `offset`, no previous ID, an empty backlog from there; sub-replicas are disconnected
 * (they must resync with the new history).
 */
export function resetHistory(srv: Server, replId: string, offset: number): void {
  disconnectReplicas(srv);
  const r = srv.repl;
  r.replId = replId;
  r.replId2 = NO_REPL_ID;
  r.secondReplOffset = -1;
  settleBacklog(srv);
  r.masterReplOffset = offset;
  r.backlog = null;
  createBacklog(srv);
}

/** Closes every replica connection (disconnectSlaves). */
export function disconnectReplicas(srv: Server): void {
  for (const link of [...srv.repl.replicas]) link.client.close();
}

/**
 * Bytes a replica applied from its master (replicationFeedStreamFromMasterStream), passed on
 * unchanged into the stream for the backlog and the sub-replicas. Their offsets are counted
 * already: the master client moves srv.repl.masterReplOffset after each command and passes a
 * batch's bytes on at once (replica-client.ts).
 */
export function passOnFromMaster(srv: Server, b: Uint8Array, start: number, end: number): void {
  if (end <= start) return;
  const m = masterSide(srv);
  const n = end - start;
  reserve(srv, m, n);
  copyBytes(m.turn, m.turnLen, b, start, end);
  m.turnLen += n;
  scheduleFlush(srv, m);
}

/**
 * The effect-stream consumer is attached while this node is a master with a backlog (it
 * costs every write a copy of its arguments); a replica passes its master's bytes instead.
 * Called when the backlog or the role changes.
 */
export function syncConsumer(srv: Server): void {
  const m = masterSide(srv);
  const want = srv.repl.backlog !== null && !srv.repl.isReplica;
  if (want && m.detach === null) {
    const detach = srv.propagation.addConsumer((ops) => {
      const op = ops[0];
      if (ops.length === 1 && op !== undefined && op.raw !== undefined && op.raw !== null && op.db === m.encode.selectedDb) {
        addRaw(srv, m, op.raw, op.rawStart as number, op.rawEnd as number);
      } else {
        const n = encodedSize(ops, m.encode);
        reserve(srv, m, n);
        encodeOpsAt(ops, m.encode, m.turn, m.turnLen);
        commitTurn(srv, m, n);
      }
      const c = srv.currentClient;
      if (c !== null) c.woff = srv.repl.masterReplOffset;
    });
    const done = (): void => fillRaw(m);
    srv.inputDone = done;
    m.detach = () => {
      detach();
      fillRaw(m);
      if (srv.inputDone === done) srv.inputDone = null;
    };
  } else if (!want && m.detach !== null) {
    m.detach();
    m.detach = null;
  }
}

/**
 * A command received whole in one read joins the stream as the bytes it came in. Those of
 * consecutive commands of one read lie end to end, in the input as in the stream: the copy is
 * put off and grows with each (the offset counts every one at once), and fillRaw makes it in
 * one piece before anything reads the slab or the client's read buffer is reused. One copy per
 * pipelined batch instead of one per command, each of which took a view and a call (about 90 ns).
 */
function addRaw(srv: Server, m: MasterSide, src: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (m.rawSrc === src && m.rawTo === from && m.rawAt + (m.rawTo - m.rawFrom) === m.turnLen && m.turnLen + n <= m.turn.length) {
    m.rawTo = to;
  } else {
    reserve(srv, m, n);
    fillRaw(m);
    m.rawSrc = src;
    m.rawFrom = from;
    m.rawTo = to;
    m.rawAt = m.turnLen;
  }
  commitTurn(srv, m, n);
}

/** Makes the copy addRaw put off. */
function fillRaw(m: MasterSide): void {
  const src = m.rawSrc;
  if (src === null) return;
  m.rawSrc = null;
  copyBytes(m.turn, m.rawAt, src, m.rawFrom, m.rawTo);
}

/** Room for n more bytes in the slab: a new slab, with this turn's bytes, if it is full. */
function reserve(srv: Server, m: MasterSide, n: number): void {
  if (m.turnLen + n <= m.turn.length) return;
  settleBacklog(srv); // fills the slab first (fillRaw)
  const pending = m.turnLen - m.turnStart;
  const next = Buffer.allocUnsafe(Math.max(SLAB, pending + n));
  m.turn.copy(next, 0, m.turnStart, m.turnLen);
  m.turn = next;
  m.turnStart = 0;
  m.turnLen = pending;
  m.backlogAt = pending;
  m.turnShared = false;
}

/** The n bytes just written at turnLen join the stream: the offset now, the rest at the turn's end. */
function commitTurn(srv: Server, m: MasterSide, n: number): void {
  srv.repl.masterReplOffset += n;
  m.turnLen += n;
  scheduleFlush(srv, m);
}

/** flushTurn at the end of this event-loop turn (once however often it is asked for). */
function scheduleFlush(srv: Server, m: MasterSide): void {
  if (m.flushScheduled) return;
  m.flushScheduled = true;
  setImmediate(() => flushTurn(srv));
}

/**
 * Copies the stream bytes not yet in the backlog into it (or drops them with no backlog):
 * whatever reads or replaces the backlog calls this first.
 */
export function settleBacklog(srv: Server): void {
  const m = masterSide(srv);
  fillRaw(m);
  if (m.backlogAt === m.turnLen) return;
  srv.repl.backlog?.append(m.turn, m.backlogAt, m.turnLen);
  m.backlogAt = m.turnLen;
}

/** A raw stream command from this node itself (PING, REPLCONF GETACK). */
function feedRaw(srv: Server, bytes: Buffer): void {
  const m = masterSide(srv);
  reserve(srv, m, bytes.length);
  bytes.copy(m.turn, m.turnLen);
  commitTurn(srv, m, bytes.length);
}

/** Writes this turn's stream bytes to every replica (held for those still syncing). */
export function flushTurn(srv: Server): void {
  const m = masterSide(srv);
  m.flushScheduled = false;
  // Not while clients are paused (beforeSleep's check): a GETACK would move the offset. It
  // goes out with a later turn; the replicas' ACK every second serves meanwhile.
  if (m.getAckPending && !srv.pause.writesPaused) {
    m.getAckPending = false;
    if (srv.repl.replicas.size > 0 && !srv.repl.isReplica) feedRaw(srv, GETACK);
  }
  settleBacklog(srv);
  if (m.turnLen === m.turnStart) return;
  // The chunk is a view of the slab. A socket that took it whole at once (nothing queued after
  // the write, as ReplyWriter.flush relies on) keeps nothing of it; one that queued it, or a
  // held stream, keeps the view until it is written: then the slab's bytes up to here stay as
  // they are, and reserve() moves to a new slab once this one is full. Without replicas the
  // backlog holds the turn and nothing keeps a view.
  let pinned = m.turnShared;
  if (srv.repl.replicas.size > 0) {
    const chunk = m.turn.subarray(m.turnStart, m.turnLen);
    noteMark(srv, m);
    for (const link of srv.repl.replicas) {
      if (link.held !== null) {
        if (link.state === 'wait_bgsave_start') continue; // its stream starts with its snapshot
        link.held.push(chunk);
        link.heldBytes += chunk.length;
        srv.output.afterFlush(link.client);
        pinned = true;
      } else {
        writeToReplica(srv, link, chunk);
        if (link.client.socket.writableLength > 0) pinned = true;
      }
    }
  }
  if (pinned) {
    m.turnStart = m.turnLen;
    m.turnShared = true;
  } else {
    m.turnStart = m.turnLen = m.backlogAt = 0;
  }
}

function writeToReplica(srv: Server, link: ReplicaLink, chunk: Buffer): void {
  const c = link.client;
  if (c.closed || c.closeAsap) return;
  c.socket.write(chunk);
  c.netOut += chunk.length;
  srv.stats.netOutputBytes += chunk.length;
  srv.stats.netReplOutputBytes += chunk.length;
  if (c.socket.writableLength > 0) srv.output.afterFlush(c);
}

/** Remembers when the stream reached its current offset (for lag in ms); keeps the last 4096. */
function noteMark(srv: Server, m: MasterSide): void {
  const { offset, time } = m.marks;
  offset.push(srv.repl.masterReplOffset);
  time.push(srv.clock.now());
  if (offset.length > 4096) {
    offset.splice(0, 1024);
    time.splice(0, 1024);
  }
}

/**
 * A replica's lag in ms as of its last ACK (INFO's lag_ms): how old the stream it had applied
 * was when it said so — the ACK's time minus when this node sent the last byte it
 * acknowledged (0 if it acknowledged everything sent). Sampled at each ACK, so it is the lag
 * itself, not the time between ACKs; a replica that stops acknowledging shows in `lag`.
 */
function lagAtAck(srv: Server, link: ReplicaLink): number {
  const { offset, time } = masterSide(srv).marks;
  const n = offset.length;
  if (n === 0 || link.ackOffset >= offset[n - 1]) return 0;
  // The first flush that went past the acknowledged offset: what the replica had not yet applied.
  for (let i = 0; i < n; i++) {
    if (offset[i] > link.ackOffset) return Math.max(0, link.ackTimeMs - time[i]);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// SYNC / PSYNC

/** SYNC and PSYNC (syncCommand). */
export function syncCommand(c: Client, argv: Buffer[]): void {
  const srv = c.srv;
  if (c.replica !== null) return; // already a replica: ignore
  const r = srv.repl;
  // PSYNC <replid> <offset> FAILOVER: this node's master hands over to it (its FAILOVER). The
  // node promotes itself, and the PSYNC goes on as any other: the master's history is now this
  // node's previous one, so it continues partially.
  if (argv.length > 3 && argv[0].length === 5 && isKeyword(argv[3], 'failover')) {
    if (argv[1].toString('latin1') !== r.replId) return void c.w.error(Err.psyncFailoverReplid);
    replicaOfNoOne(srv, '');
    srv.log.notice(`Failover request received for replid ${argv[1].toString('latin1')}.`);
  }
  // No replicas while this node hands over to one of them.
  if (r.failover !== null) return void c.w.error(Err.syncWhileFailingOver);
  if (r.isReplica && r.link?.state !== 'connected') {
    c.w.error(Err.noMasterLink);
    return;
  }
  if (c.w.length > 0) {
    c.w.error(Err.syncPendingOutput);
    return;
  }
  const psync = argv[0].length === 5;
  srv.log.notice(`Replica ${peerName(c)} asks for synchronization`);
  flushTurn(srv);
  const link: ReplicaLink = {
    client: c,
    state: 'wait_bgsave_start',
    listeningPort: c.replConf?.listeningPort ?? 0,
    announcedIp: c.replConf?.ip ?? '',
    capaEof: c.replConf?.capaEof ?? false,
    capaPsync2: c.replConf?.capaPsync2 ?? false,
    ackOffset: 0,
    ackTimeMs: srv.clock.now(),
    held: [],
    heldBytes: 0,
    waitingSince: srv.clock.now(),
    preSync: !psync,
    streamOnAck: false,
    loading: false,
    lagMs: 0,
    sentMark: 0,
    sentMarkMs: srv.clock.now(),
  };
  if (psync) {
    if (tryPartialResync(srv, c, link, argv[1].toString('latin1'), argv[2].toString('latin1'))) {
      srv.stats.syncPartialOk++;
      return;
    }
    // A replica asking for "?" wants a full sync: not a failed partial one.
    if (argv[1].toString('latin1') !== '?') srv.stats.syncPartialErr++;
  }
  srv.stats.syncFull++;
  attach(srv, link);
  // A fresh backlog (and history) when this is the first replica of a master without one.
  if (r.backlog === null && !r.isReplica) {
    changeReplicationId(srv);
    createBacklog(srv);
    srv.log.notice(`Replication backlog created, my new replication IDs are '${r.replId}' and '${r.replId2}'`);
  }
  if (attachToDiskSync(srv, link)) return;
  const delay = srv.config.getNumber('repl-diskless-sync-delay');
  if (srv.config.getBool('repl-diskless-sync') && link.capaEof && delay > 0) {
    srv.log.notice('Delay next BGSAVE for diskless SYNC');
    return;
  }
  if (!startFullSync(srv)) srv.log.notice('BGSAVE for replication delayed');
}

/**
 * A replica asking for a full sync while a BGSAVE to disk runs for another replica joins it,
 * as Redis does: the same +FULLRESYNC offset, a copy of the stream held for the other since
 * the snapshot began, and the file when it is written. Not a diskless sync (its payload is
 * under way in the other replicas' sockets), nor a BGSAVE that no replica waits for (whose
 * start is not known to the stream): those are waited for.
 */
function attachToDiskSync(srv: Server, link: ReplicaLink): boolean {
  const sync = masterSide(srv).sync;
  if (sync === null || !sync.disk) return false;
  const peer = [...sync.links].find((l) => l.state === 'wait_bgsave_end' && l.held !== null && !l.client.closed);
  if (peer === undefined || peer.held === null) {
    srv.log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    return false;
  }
  link.state = 'wait_bgsave_end';
  link.held = [...peer.held];
  link.heldBytes = peer.heldBytes;
  link.ackOffset = sync.offset;
  sync.links.add(link);
  if (!link.preSync) link.client.socket.write(`+FULLRESYNC ${sync.replId} ${sync.offset}\r\n`);
  srv.log.notice('Waiting for end of BGSAVE for SYNC');
  return true;
}

/** Registers link as a replica (the client's flag S). */
function attach(srv: Server, link: ReplicaLink): void {
  link.client.replica = link;
  srv.repl.replicas.add(link);
  srv.repl.noReplicasSince = -1;
}

/** masterTryPartialResynchronization: true if accepted (and answered). */
function tryPartialResync(srv: Server, c: Client, link: ReplicaLink, id: string, offsetArg: string): boolean {
  const r = srv.repl;
  const offset = Number(offsetArg);
  if (!/^-?\d+$/.test(offsetArg)) return false;
  if (id !== r.replId && (id !== r.replId2 || offset > r.secondReplOffset)) {
    if (id === '?') {
      srv.log.notice(`Full resync requested by replica ${peerName(c)}`);
    } else if (id !== r.replId2) {
      srv.log.notice(
        `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${id}', my replication IDs are '${r.replId}' and '${r.replId2}')`,
      );
    } else {
      srv.log.notice(
        `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${r.secondReplOffset}`,
      );
    }
    return false;
  }
  settleBacklog(srv);
  if (r.backlog === null || !r.backlog.holds(offset)) {
    srv.log.notice(`Unable to partial resync with replica ${peerName(c)} for lack of backlog (Replica request was: ${offset}).`);
    if (r.backlog !== null && offset > r.masterReplOffset) {
      srv.log.warning(
        `Warning: replica ${peerName(c)} tried to PSYNC with an offset that is greater than the master replication offset.`,
      );
    }
    return false;
  }
  link.state = 'online';
  link.held = null;
  link.ackOffset = offset - 1;
  attach(srv, link);
  const head = link.capaPsync2 ? `+CONTINUE ${r.replId}\r\n` : '+CONTINUE\r\n';
  const parts = [Buffer.from(head, 'latin1'), ...r.backlog.readFrom(offset)];
  let sent = 0;
  for (const p of parts) {
    writeToReplica(srv, link, p);
    sent += p.length;
  }
  srv.log.notice(
    `Partial resynchronization request from ${peerName(c)} accepted. Sending ${sent - parts[0].length} bytes of backlog starting from offset ${offset}.`,
  );
  return true;
}

/**
 * Starts a full sync for every replica waiting for one, if no snapshot runs
 * (startBgsaveForReplication). Returns false if it could not start now (the cron retries).
 */
export function startFullSync(srv: Server): boolean {
  const m = masterSide(srv);
  const waiting = [...srv.repl.replicas].filter((l) => l.state === 'wait_bgsave_start');
  if (waiting.length === 0) return true;
  if (m.sync !== null || snapshotBusy(srv)) return false;
  const diskless = srv.config.getBool('repl-diskless-sync') && waiting.every((l) => l.capaEof);
  const max = srv.config.getNumber('repl-diskless-sync-max-replicas');
  const links = new Set(diskless && max > 0 ? waiting.slice(0, max) : waiting);
  flushTurn(srv);
  const r = srv.repl;
  // The stream after the snapshot selects its database first (the replica starts with none).
  m.encode.selectedDb = -1;
  for (const link of links) {
    link.state = 'wait_bgsave_end';
    link.held = [];
    link.heldBytes = 0;
    link.ackOffset = r.masterReplOffset;
    if (!link.preSync) {
      link.client.socket.write(`+FULLRESYNC ${r.replId} ${r.masterReplOffset}\r\n`);
    }
  }
  srv.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
  const sync: FullSync = { links, disk: !diskless, snapshot: null, replId: r.replId, offset: r.masterReplOffset };
  if (diskless) {
    m.sync = sync;
    const sink = new ReplicaSocketsSink(links, () => sync.snapshot?.abort('Diskless rdb transfer: no replica left'));
    sync.snapshot = new Snapshot(srv, sink, 'replication');
    srv.log.notice(`Streamed RDB transfer with replicas ${[...links].map((l) => peerName(l.client)).join(', ')} started`);
    sync.snapshot.done.then(
      () => {
        m.sync = null;
        for (const link of links) {
          srv.log.notice(
            `Streamed RDB transfer with replica ${peerName(link.client)} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`,
          );
          // The stream waits for the replica's first ACK: a replica detects the end of an
          // EOF-marked payload by the mark being the last bytes it read, so nothing may follow
          // the mark until it has loaded and said so (repl_start_cmd_stream_on_ack).
          link.state = 'online';
          link.ackTimeMs = srv.clock.now();
          link.streamOnAck = true;
          link.loading = true;
        }
        startFullSync(srv);
      },
      (err: Error) => {
        m.sync = null;
        srv.log.warning(`Diskless rdb transfer failed: ${err.message}`);
        for (const link of links) link.client.close();
        startFullSync(srv);
      },
    );
    return true;
  }
  const why = startBgsave(srv);
  if (why !== null) {
    for (const link of links) {
      srv.log.warning('BGSAVE for replication failed');
      link.client.close();
    }
    return false;
  }
  m.sync = sync;
  const bg = srv.persistence.bgsave;
  const done = bg !== null ? bg.snapshot.done : Promise.reject(new Error('no BGSAVE'));
  done.then(
    () => {
      m.sync = null;
      for (const link of links) sendRdbFile(srv, link);
      startFullSync(srv);
    },
    () => {
      m.sync = null;
      for (const link of links) {
        srv.log.warning('SYNC failed. BGSAVE child returned an error');
        link.client.close();
      }
      startFullSync(srv);
    },
  );
  return true;
}

/** Disk sync: `$<size>\r\n` and the RDB file, read in chunks at the socket's pace; then online. */
function sendRdbFile(srv: Server, link: ReplicaLink): void {
  const c = link.client;
  if (c.closed) return;
  let fd = -1;
  let size: number;
  try {
    fd = openSync(rdbPath(srv), 'r');
    size = fstatSync(fd).size;
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    srv.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(err as Error).message}`);
    c.close();
    return;
  }
  link.state = 'send_bulk';
  c.socket.write(`$${size}\r\n`);
  streamFile(
    c.socket,
    fd,
    () => c.closed,
    (err) => {
      srv.log.warning(`SYNC failed. Read error sending DB to replica: ${err.message}`);
      c.close();
    },
    () => {
      if (c.closed) return;
      goOnline(srv, link);
      // It loads the file now; its first ACK says it is done (SYNC replicas never ACK).
      link.loading = !link.preSync;
      srv.log.notice(`Synchronization with replica ${peerName(c)} succeeded`);
    },
  );
}

/** The payload is sent: the held stream follows and the replica is online (putSlaveOnline). */
function goOnline(srv: Server, link: ReplicaLink): void {
  if (link.client.closed) return;
  flushTurn(srv);
  const held = link.held ?? [];
  link.held = null;
  link.heldBytes = 0;
  link.state = 'online';
  link.ackTimeMs = srv.clock.now();
  for (const chunk of held) writeToReplica(srv, link, chunk);
}

/**
 * The replication position an RDB written now records (rdbPopulateSaveInfo): on a master with
 * a backlog, its stream's database, ID and offset; on a replica, its master's stream as
 * applied here; null otherwise.
 */
export function replicationSaveInfo(srv: Server): { db: number; id: string; offset: number } | null {
  const r = srv.repl;
  if (!r.isReplica) {
    if (r.backlog === null) return null;
    const db = masterSide(srv).encode.selectedDb;
    return { db: db < 0 ? 0 : db, id: r.replId, offset: r.masterReplOffset };
  }
  const link = r.link;
  if (link === null || link.streamDb < 0) return null;
  return { db: link.streamDb, id: r.replId, offset: r.masterReplOffset };
}

/** Whether a full sync is in progress (its snapshot, or its payload still being sent). */
export function fullSyncBusy(srv: Server): boolean {
  return masterSide(srv).sync !== null;
}

/** A replica's connection closed (from Server.unlinkClient). */
export function forgetReplica(srv: Server, link: ReplicaLink): void {
  const r = srv.repl;
  if (!r.replicas.delete(link)) return;
  srv.log.notice(`Connection with replica ${peerName(link.client)} lost.`);
  link.held = null;
  const sync = masterSide(srv).sync;
  if (sync !== null && sync.links.delete(link) && sync.links.size === 0 && sync.snapshot !== null) {
    sync.snapshot.abort('Diskless rdb transfer: no replica left');
  }
  if (r.replicas.size === 0) r.noReplicasSince = srv.clock.now();
}

/** "ip:port" a replica is known by in logs (its announced address when it gave one). */
export function peerName(c: Client): string {
  const link = c.replica;
  const ip = replicaIp(c);
  const port = link !== null ? link.listeningPort : (c.replConf?.listeningPort ?? 0);
  return `${ip}:${port}`;
}

/** The address a replica is listed with: the one it announced, else its peer address. */
export function replicaIp(c: Client): string {
  const ann = c.replica !== null ? c.replica.announcedIp : (c.replConf?.ip ?? '');
  if (ann !== '') return ann;
  const i = c.addr.lastIndexOf(':');
  return i < 0 ? c.addr : c.addr.slice(0, i);
}

// ---------------------------------------------------------------------------------------------
// REPLCONF, WAIT, good replicas

/** REPLCONF ACK <offset> from a replica: its progress (replconfCommand's ack branch). */
export function replicaAck(srv: Server, c: Client, offset: number): void {
  const link = c.replica;
  if (link === null) return;
  if (offset > link.ackOffset) link.ackOffset = offset;
  link.ackTimeMs = srv.clock.now();
  link.lagMs = lagAtAck(srv, link);
  link.loading = false;
  if (link.streamOnAck) {
    link.streamOnAck = false;
    goOnline(srv, link);
    srv.log.notice(`Synchronization with replica ${peerName(c)} succeeded`);
  }
  const m = masterSide(srv);
  if (m.waiters.size > 0) for (const w of [...m.waiters]) checkWaiter(srv, w);
  checkPendingShutdown(srv);
  // Not from inside this command: turning into a replica closes this very client.
  if (srv.repl.failover !== null) setImmediate(() => updateFailoverStatus(srv));
}

/** Replicas that acknowledged at least `offset`. */
export function replicasAcked(srv: Server, offset: number): number {
  let n = 0;
  for (const link of srv.repl.replicas) if (link.state === 'online' && link.ackOffset >= offset) n++;
  return n;
}

/**
 * Online replicas whose last ACK is at most min-replicas-max-lag seconds old
 * (repl_good_slaves_count).
 */
export function goodReplicas(srv: Server): number {
  const maxLag = srv.config.getNumber('min-replicas-max-lag') * 1000;
  const now = srv.clock.now();
  let n = 0;
  for (const link of srv.repl.replicas) if (link.state === 'online' && now - link.ackTimeMs <= maxLag) n++;
  return n;
}

/** WAIT numreplicas timeout (waitCommand). */
export function waitCommand(c: Client, numReplicas: number, timeoutMs: number): void {
  const srv = c.srv;
  const offset = c.woff;
  const acked = replicasAcked(srv, offset);
  if (acked >= numReplicas || c.inExec || c.multi !== null) {
    c.w.integer(acked);
    return;
  }
  const m = masterSide(srv);
  const w: Waiter = { c, offset, numReplicas, timer: null };
  c.suspended = true;
  m.waiters.add(w);
  if (timeoutMs > 0) {
    w.timer = setTimeout(() => releaseWaiter(srv, w), timeoutMs);
    w.timer.unref();
  }
  requestAcks(srv);
}

/** sendGetackToReplicas: a GETACK into the stream now (SHUTDOWN's; WAIT's waits for the turn's end). */
export function sendGetAck(srv: Server): void {
  if (srv.repl.replicas.size > 0 && !srv.repl.isReplica) feedRaw(srv, GETACK);
}

/** Asks the replicas where they are, with a GETACK at the end of this turn (beforeSleep's). */
export function requestAcks(srv: Server): void {
  const m = masterSide(srv);
  m.getAckPending = true;
  scheduleFlush(srv, m);
}

/**
 * CLIENT UNBLOCK of a client in WAIT: it gets the count of replicas that acknowledged so far
 * (TIMEOUT), or the error `error`. False if c is not waiting.
 */
export function unblockWaiter(srv: Server, c: Client, error: string | null): boolean {
  const m = masterSide(srv);
  for (const w of m.waiters) {
    if (w.c !== c) continue;
    if (error === null) {
      releaseWaiter(srv, w);
      return true;
    }
    m.waiters.delete(w);
    if (w.timer !== null) clearTimeout(w.timer);
    c.w.error(error);
    resume(c);
    return true;
  }
  return false;
}

/** Clients in WAIT with a timeout (INFO clients_in_timeout_table counts them). */
export function waitersWithTimeout(srv: Server): number {
  let n = 0;
  for (const w of masterSide(srv).waiters) if (w.timer !== null && !w.c.closed) n++;
  return n;
}

/** Drops the waiters whose client went away (WAIT 0 would otherwise keep them for good). */
function forgetClosedWaiters(m: MasterSide): void {
  for (const w of m.waiters) {
    if (!w.c.closed) continue;
    m.waiters.delete(w);
    if (w.timer !== null) clearTimeout(w.timer);
  }
}

function checkWaiter(srv: Server, w: Waiter): void {
  if (w.c.closed || replicasAcked(srv, w.offset) >= w.numReplicas) releaseWaiter(srv, w);
}

function releaseWaiter(srv: Server, w: Waiter): void {
  const m = masterSide(srv);
  if (!m.waiters.delete(w)) return;
  if (w.timer !== null) clearTimeout(w.timer);
  const c = w.c;
  if (c.closed) return;
  c.w.integer(replicasAcked(srv, w.offset));
  resume(c);
}

/** A released WAIT client: its reply goes out and its input continues. */
function resume(c: Client): void {
  if (c.closed) return;
  c.suspended = false;
  c.flush();
  c.processInput();
}

// ---------------------------------------------------------------------------------------------
// Cron (replicationCron, once a second)

/** The once-a-second replication duties of both sides. */
export function replicationCron(srv: Server): void {
  const m = masterSide(srv);
  const r = srv.repl;
  m.cronLoops++;
  if (m.waiters.size > 0) forgetClosedWaiters(m);
  replicaCron(srv);
  const now = srv.clock.now();
  // PING the replicas every repl-ping-replica-period seconds (a master only: a replica's
  // stream is its master's). Not while a FAILOVER waits for a replica to reach the offset.
  if (!r.isReplica && r.replicas.size > 0 && r.failover === null && m.cronLoops % srv.config.getNumber('repl-ping-replica-period') === 0) {
    feedRaw(srv, PING);
  }
  if (r.failover !== null) updateFailoverStatus(srv);
  // Replicas waiting for a disk payload get a newline a second: the link stays alive.
  for (const link of r.replicas) {
    if (link.state === 'wait_bgsave_start' || (link.state === 'wait_bgsave_end' && m.sync?.disk === true)) {
      link.client.socket.write('\n');
    }
  }
  // Replicas that stopped acknowledging.
  const timeout = srv.config.getNumber('repl-timeout') * 1000;
  for (const link of [...r.replicas]) {
    if (link.state === 'wait_bgsave_end' || link.state === 'send_bulk') {
      // A payload that stopped moving (the replica stopped reading) for repl-timeout.
      const sock = link.client.socket;
      // Bytes the kernel took (bytesWritten counts what is still queued too).
      const sent = sock.bytesWritten - sock.writableLength;
      if (sock.writableLength === 0 || sent !== link.sentMark) {
        link.sentMark = sent;
        link.sentMarkMs = now;
      } else if (now - link.sentMarkMs > timeout) {
        srv.log.warning(`Disconnecting timedout replica (full sync): ${peerName(link.client)}`);
        // Not close(): that waits for the output to drain, which a stuck replica never lets.
        link.client.kill();
      }
      continue;
    }
    if (link.state !== 'online' || link.preSync || link.loading) continue;
    if (now - link.ackTimeMs > timeout) {
      srv.log.warning(`Disconnecting timedout replica (streaming sync): ${peerName(link.client)}`);
      link.client.kill();
    }
  }
  // A master without replicas for repl-backlog-ttl seconds frees its backlog.
  const ttl = srv.config.getNumber('repl-backlog-ttl');
  if (!r.isReplica && r.replicas.size === 0 && r.backlog !== null && ttl > 0 && r.noReplicasSince >= 0 && now - r.noReplicasSince > ttl * 1000) {
    changeReplicationId(srv);
    freeBacklog(srv);
    srv.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
  }
  // Full syncs waiting: for a snapshot to end, or for the diskless delay to pass.
  const delay = srv.config.getNumber('repl-diskless-sync-delay') * 1000;
  const waiting = [...r.replicas].filter((l) => l.state === 'wait_bgsave_start');
  if (waiting.length > 0) {
    const diskless = srv.config.getBool('repl-diskless-sync') && waiting.every((l) => l.capaEof);
    const oldest = Math.min(...waiting.map((l) => l.waitingSince));
    const max = srv.config.getNumber('repl-diskless-sync-max-replicas');
    if (!diskless || now - oldest >= delay || (max > 0 && waiting.length >= max)) startFullSync(srv);
  }
}

/** The backlog follows CONFIG SET repl-backlog-size. */
export function resizeBacklog(srv: Server): void {
  settleBacklog(srv);
  srv.repl.backlog?.resize(srv.config.getNumber('repl-backlog-size'));
}
