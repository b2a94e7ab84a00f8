// Fork-less point-in-time snapshots (ARCHITECTURE principle 6): the walk behind BGSAVE and the
// AOF rewrite, writing the keyspace as it was when the snapshot began while clients go on
// reading and writing it.
//
// Versions. Every entry carries one epoch bit (keyspace/store.ts). Between snapshots every
// entry's bit equals the store's epoch. Starting a snapshot flips the store's epoch: from then
// on an entry whose bit differs still holds its state from the start ("old"), and the
// snapshot owes it. Two things pay that debt, each setting the bit once done:
//   - the walk: a SCAN-style cursor over each database (Database.scan, which visits every
//     key present for the whole iteration at least once, across table growth and shrink)
//     writes each old entry it meets, a slice per event-loop turn;
//   - captures: before anything changes or removes an old entry, its state is written first.
//     The command path calls beforeCommand() with every command that may write (its keys come
//     from the command table); Database's mutators (delete — so expiry, eviction and a key
//     replaced in another database by COPY ... DB —, setExpire, moveTo, rename) capture too; emptying or swapping a database (FLUSHDB, SWAPDB, lazy
//     flush) first drains it, writing every old entry it still holds.
// Entries created after the start get the new bit, so neither the walk nor a capture writes
// them. When the walk ends every entry carries the epoch again; an abandoned snapshot marks
// them all (Store.markAllCurrent) so the invariant holds for the next one.
//
// Captures. A plain string — most captures — is only copied aside as raw bytes (key, value,
// expiry, access clock), which costs the write a copy instead of a serialization; the paced
// slices serialize those copies first, before walking on. Aggregates are serialized at once.
// Captured keys go to the file out of the walk's order: a SELECTDB switches the file to their
// database and back (RDB loaders, Redis's included, take SELECTDB anywhere). So the extra
// memory a snapshot holds is the raw copies plus what waits for the disk — the sink's queue
// and the writer's buffer — reported as INFO current_cow_size, Redis's copy-on-write figure.
//
// Pacing. The walk shares the event loop with clients, on a time credit: while clients are
// served (over BUSY_RATE commands a millisecond since the previous slice) the credit grows by
// BUSY_SHARE of the time that passed, and an idle loop gives a full slice; a slice spends at
// most the credit (up to MAX_SLICE_MS) and waits for more when it is under MIN_SLICE_MS. So under load a snapshot
// takes about BUSY_SHARE of the loop, plus the captures (which write keys the walk then skips:
// every key is written once either way). The walk also pauses while the sink holds more than
// MAX_PENDING bytes for the disk. rdb-key-save-delay (microseconds per key, a testing knob as
// in Redis) slows the walk to that rate.
//
// FLUSHALL during a BGSAVE abandons it, as Redis kills its saving child; during an AOF rewrite
// it drains the walk instead (the rewrite's base must hold the data as of its start).

import { performance } from 'node:perf_hooks';
import { F, type Command } from '../command-table.js';
import { getKeysFromCommand } from '../handlers/command.js';
import { expireOf } from '../handlers/keys-expire.js';
import { NONE, type Database } from '../keyspace/database.js';
import { NO_EXPIRY, VType } from '../keyspace/entry.js';
import { copyBytes } from '../../lib/bytes.js';
import type { SnapshotGuard, Store } from '../keyspace/store.js';
import type { Server } from '../server.js';
import { integersShared } from './options.js';
import { AofRewriteWriter } from './aof/rewrite-writer.js';
import { auxFields, RdbWriter, writerOptions, type EntryContext } from './rdb-writer.js';

/** Where a snapshot's bytes go (a file being written, later a replica's socket). */
export interface SnapshotSink {
  /** Queues bytes for the destination, in order. */
  write(chunk: Buffer): void;
  /** Bytes queued and not yet accepted by the destination. */
  readonly pending: number;
  /** The first error the destination reported, if any (further writes are dropped). */
  readonly error: Error | null;
  /** Called whenever pending falls to zero (the walk resumes if it paused). */
  onDrain: (() => void) | null;
  /** Everything written reaches the destination and is made durable; rejects on failure. */
  end(): Promise<void>;
  /** Gives up: what was written is removed. */
  discard(): Promise<void>;
}

/** What a snapshot is for: a BGSAVE, an AOF rewrite's base, a diskless full sync to replicas. */
export type SnapshotPurpose = 'bgsave' | 'aofrewrite' | 'replication';

/**
 * How keys are written: RDB (rdb-writer.ts RdbWriter) or AOF commands for a command-form BASE
 * (aof/rewrite-writer.ts). The walk calls these in file order.
 */
export interface SnapshotFormat {
  readonly keys: number;
  /** Bytes serialized but not yet handed to the sink. */
  readonly buffered: number;
  readonly bytesWritten: number;
  header(aux: ReadonlyArray<readonly [string, string]>): void;
  /** A database's keys follow (sizes as of the start: a hint). */
  selectDb(id: number, keys: number, expires: number): void;
  /** The keys that follow belong to database id (a key written out of the walk's order). */
  switchDb(id: number): void;
  storeEntry(db: Database, id: number, ctx: EntryContext): void;
  /** A string captured as raw bytes (see Captures in the file header). */
  capturedString(key: Uint8Array, value: Uint8Array, expireAt: bigint, clock: number, ctx: EntryContext): void;
  finish(): void;
}

/** Bytes of a raw capture chunk. */
const RAW_CHUNK = 64 * 1024;
/** A raw capture's header: db u16, expiry i64, clock u32, key length u32, value length u32. */
const RAW_HEAD = 2 + 8 + 4 + 4 + 4;

export interface SnapshotResult {
  /** Keys written (walked and captured). */
  readonly keys: number;
  /** Of which captured before a write changed them. */
  readonly captured: number;
  readonly bytes: number;
  /** Peak bytes held for the disk (current_cow_peak). */
  readonly peakBytes: number;
  /** Wall time from start to durable file, ms. */
  readonly ms: number;
}

/** Why a snapshot did not complete. */
export class SnapshotAborted extends Error {}

/** Longest slice, ms. */
const MAX_SLICE_MS = 8;
/** Shortest slice: with less credit the walk waits (a timer, not a spin), ms. */
const MIN_SLICE_MS = 0.5;
/** Share of the loop's time the walk takes while clients are served. */
const BUSY_SHARE = 0.05;
/** Commands a millisecond from which the loop counts as busy. */
const BUSY_RATE = 1;
/** The walk waits while the sink holds more than this. */
const MAX_PENDING = 16 * 1024 * 1024;
/** Home buckets per scan step. */
const SCAN_STEP = 64;

export class Snapshot implements SnapshotGuard {
  readonly purpose: SnapshotPurpose;
  /** Wall-clock start (ms). */
  readonly startedAt: number;
  /** Keys in the keyspace when the snapshot began (current_save_keys_total). */
  readonly keysTotal: number;
  /** Resolves with the result once the file is durable; rejects if the snapshot fails or is abandoned. */
  readonly done: Promise<SnapshotResult>;
  readonly #srv: Server;
  readonly #store: Store;
  readonly #sink: SnapshotSink;
  readonly #writer: SnapshotFormat;
  readonly #ctx: EntryContext;
  readonly #dbKeys: number[];
  readonly #dbExpires: number[];
  readonly #keyDelayUs: number;
  #resolve!: (r: SnapshotResult) => void;
  #reject!: (e: Error) => void;
  /** Walk position: database index, its scan cursor, whether its SELECTDB was written. */
  #dbi = 0;
  #cursor = 0;
  #dbOpen = false;
  /** Database of the last SELECTDB in the file (-1 before any). */
  #fileDb = -1;
  #walking = true;
  #timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  #lastEnd = 0;
  /** Walk time available (ms) and the command count at the last slice (see Pacing). */
  #credit = MAX_SLICE_MS;
  #lastCommands = 0;
  #captured = 0;
  /** Raw string captures waiting to be serialized, in chunks, with the bytes used in each. */
  #raw: Buffer[] = [];
  #rawEnds: number[] = [];
  /** Read position in #raw[0]. */
  #rawRead = 0;
  #rawBytes = 0;
  #missed = 0;
  #peak = 0;
  /** Keys the current slice may still write (rdb-key-save-delay only). */
  #keyBudget = Infinity;
  /** Entries of the current scan step (#collect, #writeBatch). */
  readonly #batch: number[] = [];
  #t0: number;

  /**
   * Starts a snapshot of srv's keyspace into sink: flips the epoch, writes the header and
   * schedules the walk. srv.snapshot is this snapshot until the walk ends.
   */
  constructor(srv: Server, sink: SnapshotSink, purpose: SnapshotPurpose, commandForm = false) {
    if (srv.snapshot !== null) throw new Error('a snapshot is already in progress');
    this.#srv = srv;
    this.#store = srv.keyspace.store;
    this.#sink = sink;
    this.purpose = purpose;
    this.startedAt = srv.clock.now();
    this.#t0 = performance.now();
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody may be left without a handler for a failure the caller chose not to await.
    this.done.catch(() => undefined);
    const out = (chunk: Buffer): void => sink.write(chunk);
    this.#writer = commandForm ? new AofRewriteWriter(out) : new RdbWriter(out, writerOptions(srv));
    this.#ctx = { keyspace: srv.keyspace, now: this.startedAt, sharedIntegers: integersShared(srv.config) };
    const dbs = srv.keyspace.dbs;
    this.#dbKeys = dbs.map((db) => db.size);
    this.#dbExpires = dbs.map((db) => db.expiresSize);
    this.keysTotal = this.#dbKeys.reduce((a, b) => a + b, 0);
    this.#keyDelayUs = Math.max(0, srv.config.getNumber('rdb-key-save-delay'));
    this.#writer.header(purpose === 'aofrewrite' ? auxFields(srv, this.startedAt, true) : auxFields(srv, this.startedAt));
    this.#store.epoch ^= 1;
    this.#store.guard = this;
    srv.snapshot = this;
    sink.onDrain = () => this.#schedule();
    this.#lastEnd = performance.now();
    this.#schedule();
  }

  /** Keys written so far (current_save_keys_processed). */
  get keysProcessed(): number {
    return this.#writer.keys;
  }

  /** Bytes held for the disk now (current_cow_size). */
  get heldBytes(): number {
    return this.#sink.pending + this.#writer.buffered + this.#rawBytes;
  }

  /** Peak of heldBytes (current_cow_peak). */
  get peakBytes(): number {
    return this.#peak;
  }

  /** Whether the walk is still going (false once every key is written, while the file is synced). */
  get walking(): boolean {
    return this.#walking;
  }

  // ---------------------------------------------------------------------------------------
  // Captures (SnapshotGuard)

  /**
   * Before a command that may write runs (directly, in EXEC, or as a blocked client served):
   * writes the old state of every key it names.
   */
  beforeCommand(db: Database, cmd: Command, argv: Buffer[]): void {
    if ((cmd.flags & (F.write | F.mayReplicate)) === 0) return;
    if (cmd.name === 'flushall' && this.purpose === 'bgsave') {
      this.abort('Background saving terminated: FLUSHALL');
      return;
    }
    const spec = cmd.spec;
    if ((cmd.flags & F.movableKeys) === 0) {
      // The key range the command table gives (first, last, step) holds every key.
      if (spec.firstKey > 0) {
        const last = spec.lastKey < 0 ? argv.length + spec.lastKey : Math.min(spec.lastKey, argv.length - 1);
        for (let i = spec.firstKey; i <= last; i += spec.step) this.#captureKey(db, argv[i]);
      }
    } else {
      const keys = getKeysFromCommand(cmd, argv);
      if (keys !== null) for (const pos of keys) this.#captureKey(db, argv[pos]);
    }
  }

  #captureKey(db: Database, key: Buffer): void {
    const id = db.find(key);
    if (id !== NONE && this.#store.isOld(id)) this.capture(db, id);
  }

  /** Writes id of db now, as it is (it is about to change or go). */
  capture(db: Database, id: number): void {
    const store = this.#store;
    // The caller may be in the middle of a record access: keep the store's decoding scratch.
    const { rb, rvh, rk, rvw, rkl, rv, rvl } = store;
    if (store.type(id) === VType.String && !(store.compressedCount > 0 && store.isCompressed(id))) {
      this.#captureRaw(db, id);
    } else {
      if (this.#fileDb !== db.id) this.#switchDb(db.id);
      this.#writer.storeEntry(db, id, this.#ctx);
    }
    store.markVisited(id);
    this.#captured++;
    store.rb = rb;
    store.rvh = rvh;
    store.rk = rk;
    store.rvw = rvw;
    store.rkl = rkl;
    store.rv = rv;
    store.rvl = rvl;
    this.#notePeak();
  }

  /** Copies a plain string entry aside (serialized later by #drainRaw). */
  #captureRaw(db: Database, id: number): void {
    const store = this.#store;
    const expireAt = db.expireAt(id) === NO_EXPIRY ? -1n : expireOf(db, id);
    const clock = this.#srv.keyspace.accessClock(id, this.#ctx.sharedIntegers);
    store.locate(id);
    const size = RAW_HEAD + store.rkl + store.rvl;
    const last = this.#raw.length - 1;
    let chunk = last >= 0 ? this.#raw[last] : null;
    if (chunk === null || this.#rawEnds[last] + size > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(RAW_CHUNK, size));
      this.#raw.push(chunk);
      this.#rawEnds.push(0);
    }
    const at = this.#raw.length - 1;
    let o = this.#rawEnds[at];
    chunk.writeUInt16LE(db.id, o);
    chunk.writeBigInt64LE(expireAt, o + 2);
    chunk.writeUInt32LE(clock >>> 0, o + 10);
    chunk.writeUInt32LE(store.rkl, o + 14);
    chunk.writeUInt32LE(store.rvl, o + 18);
    o += RAW_HEAD;
    copyBytes(chunk, o, store.rb, store.rk, store.rk + store.rkl);
    copyBytes(chunk, o + store.rkl, store.rb, store.rv, store.rv + store.rvl);
    this.#rawEnds[at] = o + store.rkl + store.rvl;
    this.#rawBytes += size;
  }

  /**
   * Serializes raw captures, oldest first, until `until` (performance.now()) passes; all of them
   * with Infinity. Returns whether none is left.
   */
  #drainRaw(until: number): boolean {
    const w = this.#writer;
    while (this.#raw.length > 0) {
      const chunk = this.#raw[0];
      const end = this.#rawEnds[0];
      let o = this.#rawRead;
      let n = 0;
      while (o < end) {
        const klen = chunk.readUInt32LE(o + 14);
        const dbId = chunk.readUInt16LE(o);
        const expireAt = chunk.readBigInt64LE(o + 2);
        const clock = chunk.readUInt32LE(o + 10);
        const vlen = chunk.readUInt32LE(o + 18);
        const k = o + RAW_HEAD;
        if (this.#fileDb !== dbId) this.#switchDb(dbId);
        w.capturedString(chunk.subarray(k, k + klen), chunk.subarray(k + klen, k + klen + vlen), expireAt, clock, this.#ctx);
        const size = RAW_HEAD + klen + vlen;
        o += size;
        this.#rawBytes -= size;
        if ((++n & 63) === 0 && performance.now() >= until) {
          this.#rawRead = o;
          return false;
        }
      }
      this.#raw.shift();
      this.#rawEnds.shift();
      this.#rawRead = 0;
    }
    return true;
  }

  /** Writes every entry of db the snapshot still owes (before db is emptied or swapped). */
  drain(db: Database): void {
    const store = this.#store;
    db.forEach((id) => {
      if (store.isOld(id)) this.capture(db, id);
    });
  }

  /** Before every entry goes at once: everything still owed is written now. */
  reset(): void {
    for (const db of this.#srv.keyspace.dbs) this.drain(db);
  }

  missed(id: number): void {
    if (this.#missed++ === 0) {
      this.#srv.log.warning(`Snapshot: key '${this.#store.keyCopy(id).toString('latin1')}' changed before the snapshot wrote it`);
    }
  }

  /** Entries written without their old state first (missed hooks; 0 unless there is a bug). */
  get missedWrites(): number {
    return this.#missed;
  }

  // ---------------------------------------------------------------------------------------
  // The walk

  #schedule(wait = false): void {
    if (!this.#walking || this.#timer !== null) return;
    if (this.#keyDelayUs > 0 || wait) {
      this.#timer = setTimeout(() => this.#slice(), this.#keyDelayUs > 0 ? 2 : 1);
    } else {
      this.#timer = setImmediate(() => this.#slice());
    }
  }

  #slice(): void {
    this.#timer = null;
    if (!this.#walking) return;
    if (this.#sink.error !== null) return this.#fail(this.#sink.error);
    const start = performance.now();
    const commands = this.#srv.stats.totalCommandsProcessed;
    const elapsed = start - this.#lastEnd;
    // Busy: clients sent more than BUSY_RATE commands a millisecond since the last slice (a
    // monitoring poll does not slow a save down).
    const busy = commands - this.#lastCommands > elapsed * BUSY_RATE;
    this.#lastCommands = commands;
    this.#credit = busy ? Math.min(MAX_SLICE_MS, this.#credit + elapsed * BUSY_SHARE) : MAX_SLICE_MS;
    this.#lastEnd = start;
    if (this.#keyDelayUs === 0 && this.#credit < MIN_SLICE_MS) return this.#schedule(true);
    const budget = this.#credit;
    this.#keyBudget = this.#keyDelayUs > 0 ? Math.max(1, Math.floor(2000 / this.#keyDelayUs)) : Infinity;
    const dbs = this.#srv.keyspace.dbs;
    const step = this.#keyDelayUs > 0 ? 1 : SCAN_STEP;
    let finished = false;
    // Captured strings first: they hold memory until serialized.
    const rawDone = this.#drainRaw(start + budget);
    while (rawDone && this.#keyBudget > 0) {
      if (this.#dbi >= dbs.length) {
        finished = true;
        break;
      }
      const db = dbs[this.#dbi];
      this.#cursor = db.scan(this.#cursor, step, this.#collect);
      this.#writeBatch();
      if (this.#cursor === 0) {
        this.#dbi++;
        this.#dbOpen = false;
      }
      if (performance.now() - start >= budget || this.#sink.pending > MAX_PENDING) break;
    }
    this.#notePeak();
    this.#lastEnd = performance.now();
    this.#credit = Math.max(0, this.#credit - (this.#lastEnd - start));
    if (finished) return this.#finishWalk();
    // Over the pending limit the sink's onDrain resumes the walk.
    if (this.#sink.pending <= MAX_PENDING) this.#schedule();
  }

  /** Collects the entries of a scan step (#writeBatch writes them). */
  readonly #collect = (id: number): void => {
    this.#batch.push(id);
  };

  /**
   * Writes the entries a scan step met, their entries and records fetched together first
   * (Store.prefetchRecords): the step runs synchronously, so nothing changes in between.
   */
  #writeBatch(): void {
    const batch = this.#batch;
    if (batch.length > 1) this.#store.prefetchRecords(batch, batch.length);
    for (let k = 0; k < batch.length; k++) this.#visit(batch[k]);
    batch.length = 0;
  }

  /** The walk's visitor: writes an entry still owed. */
  readonly #visit = (id: number): void => {
    const store = this.#store;
    if (!store.isOld(id)) return;
    const dbi = this.#dbi;
    if (!this.#dbOpen) {
      // SELECTDB with RESIZEDB (sizes as of the start: a hint for the loader's tables).
      this.#writer.selectDb(dbi, this.#dbKeys[dbi], this.#dbExpires[dbi]);
      this.#fileDb = dbi;
      this.#dbOpen = true;
    } else if (this.#fileDb !== dbi) {
      this.#switchDb(dbi);
    }
    this.#writer.storeEntry(this.#srv.keyspace.dbs[dbi], id, this.#ctx);
    store.markVisited(id);
    this.#keyBudget--;
  };

  #switchDb(id: number): void {
    this.#writer.switchDb(id);
    this.#fileDb = id;
  }

  #notePeak(): void {
    const held = this.heldBytes;
    if (held > this.#peak) this.#peak = held;
  }

  /** Every owed key is written: the keyspace is free again; the file is finished and synced. */
  #finishWalk(): void {
    this.#drainRaw(Infinity);
    this.#writer.finish();
    this.#notePeak();
    this.#detach();
    const writer = this.#writer;
    this.#sink.end().then(
      () =>
        this.#resolve({
          keys: writer.keys,
          captured: this.#captured,
          bytes: writer.bytesWritten,
          peakBytes: this.#peak,
          ms: performance.now() - this.#t0,
        }),
      (err: Error) => this.#reject(err),
    );
  }

  /** Stops capturing and walking (the snapshot no longer needs the keyspace). */
  #detach(): void {
    this.#walking = false;
    if (this.#timer !== null) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = null;
    }
    this.#sink.onDrain = null;
    if (this.#store.guard === this) this.#store.guard = null;
    if (this.#srv.snapshot === this) this.#srv.snapshot = null;
  }

  #fail(err: Error): void {
    this.#giveUp();
    void this.#sink.discard().finally(() => this.#reject(err));
  }

  /** Abandons the snapshot (FLUSHALL, SHUTDOWN, a failure): the partial file is removed. */
  abort(reason: string): void {
    if (!this.#walking) return;
    this.#giveUp();
    void this.#sink.discard().finally(() => this.#reject(new SnapshotAborted(reason)));
  }

  #giveUp(): void {
    const wasWalking = this.#walking;
    this.#detach();
    this.#raw = [];
    this.#rawEnds = [];
    this.#rawBytes = 0;
    // Entries the walk did not reach keep the old bit: make the invariant hold again.
    if (wasWalking) this.#store.markAllCurrent();
  }
}
