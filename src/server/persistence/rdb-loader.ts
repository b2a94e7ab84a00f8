// Loading RDB files (rdbLoadRio / rdbLoad / loadDataFromDisk): versions 1 to 10, every opcode a
// Redis 7.0 file can carry, every value type Shoal has a counterpart for.
//
//   AUX            known fields are logged as Redis logs them; unknown ones skipped
//   SELECTDB       a database past `databases` stops the load (as Redis does)
//   RESIZEDB       a hint: the database's index is sized for that many keys (Database.reserve)
//   EXPIRETIME(_MS), IDLE, FREQ   apply to the next key
//   FUNCTION2 / FUNCTION (pre-GA)  function libraries: skipped with a warning (Shoal has no
//                  functions yet; the keys still load)
//   MODULE_AUX     refused: it needs a module Shoal cannot load
//   EOF            then the CRC-64 trailer, checked under rdbchecksum yes (a zero trailer means
//                  the writer had checksums off, as Redis accepts)
//
// A key whose expiry has already passed is not loaded on a master (a replica keeps it for its
// master's DEL, as Redis does); an
// empty aggregate is skipped with a warning; a duplicate key stops the load. The access clock
// comes from IDLE / FREQ under the matching maxmemory-policy (objectSetLRUOrLFU). A loaded key
// gets exactly the file's TTL (the default TTL, analytics/default-ttl.ts, does not apply to it).
//
// Any defect ends the load with an RdbLoadError naming the file, the byte offset and the reason;
// the keyspace is then emptied, so a corrupt file is never half-loaded.

import { performance } from 'node:perf_hooks';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { copyBytes } from '../../lib/bytes.js';
import { argView } from '../../protocol/request-parser.js';
import { setExpireExact } from '../handlers/keys-expire.js';
import { NONE, type Database } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import { LRU_CLOCK_MAX, lruClock, sharedIntIndex, type Keyspace } from '../keyspace/keyspace.js';
import { lfuTimeInMinutes } from '../keyspace/lfu.js';
import { stringMeta } from '../keyspace/store.js';
import type { Server } from '../server.js';
import { readValue, type LoadLimits, type LoadedValue } from './deserialize.js';
import { integersShared, loadLimits } from './options.js';
import { NeedMoreInput, RDB_VERSION, RdbError, RdbInput, RdbOp, type RdbSource } from './rdb-io.js';
import { rdbPath } from './rdb-writer.js';

/** What a load found. */
export interface LoadResult {
  readonly version: number;
  readonly keysLoaded: number;
  readonly keysExpired: number;
  readonly emptyKeysSkipped: number;
  readonly functionsSkipped: number;
  readonly bytes: number;
  /**
   * Where the dataset stands in a replication history (aux repl-id, repl-offset,
   * repl-stream-db), when the file records all three; else null.
   */
  readonly repl: RdbReplInfo | null;
}

/** The replication position an RDB file records (rdbSaveInfo). */
export interface RdbReplInfo {
  readonly id: string;
  readonly offset: number;
  readonly streamDb: number;
}

/** A load that failed: the file (or source name), the byte offset and the reason. */
export class RdbLoadError extends Error {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string) {
    super(`Bad RDB file ${file}: ${reason} (at offset ${offset})`);
    this.name = 'RdbLoadError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** Redis's module type name alphabet (moduleTypeNameByID). */
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 9-character type name encoded in a module id's top 54 bits. */
function moduleName(id: bigint): string {
  let v = id >> 10n;
  let name = '';
  for (let j = 0; j < 9; j++) {
    name = MODULE_CHARSET[Number(v & 63n)] + name;
    v >>= 6n;
  }
  return name;
}

/**
 * The access clock a loaded or restored key starts with (objectSetLRUOrLFU, 1000 ms per idle
 * unit): the FREQ counter under an LFU policy, the clock `idle` seconds ago otherwise; -1 for
 * either means "not given" (a fresh key's clock).
 */
export function loadedClock(ks: Keyspace, now: number, freq: number, idle: number): number {
  if (ks.accessPolicy === 'lfu') return freq >= 0 ? (lfuTimeInMinutes(now) << 8) | freq : ks.initialLru(now);
  if (idle < 0) return ks.initialLru(now);
  const clock = lruClock(now);
  const abs = clock - idle;
  // An idle time past the clock's wrap: half-way round the clock keeps the key looking old.
  return abs >= 0 ? abs : (clock + Math.floor(LRU_CLOCK_MAX / 2)) % LRU_CLOCK_MAX;
}

/**
 * Adds a decoded value under key (absent from db) with access clock `clock`, and returns the
 * entry. `accessGiven`: the clock came from IDLE / FREQ (IDLETIME / FREQ), which Redis applies
 * to the object it created — for a small integer string, the shared object all keys holding
 * that integer report (Keyspace.sharedLru), when integers are shared.
 */
export function addDecoded(ks: Keyspace, db: Database, key: Buffer, v: LoadedValue, clock: number, accessGiven: boolean): number {
  if (v.type !== VType.String) return db.addObject(key, v.type, v.value, clock);
  const id = db.addString(key, v.value, stringMeta(StrEnc.Auto, clock), NO_EXPIRY);
  if (accessGiven) {
    const shared = sharedIntIndex(ks.store, id);
    if (shared >= 0) ks.sharedLru[shared] = clock;
  }
  return id;
}

/** Adds a loaded key to db with exactly the file's expiry (or none). */
function addLoaded(ks: Keyspace, db: Database, key: Buffer, v: LoadedValue, expireAt: bigint, clock: number, accessGiven: boolean): void {
  const id = addDecoded(ks, db, key, v, clock, accessGiven);
  if (expireAt !== -1n) setExpireExact(db, id, expireAt);
  else if (db.expireAt(id) !== NO_EXPIRY) db.setExpire(id, NO_EXPIRY);
}

/** Key lengths KeyScratch keeps a view for. */
const VIEW_CACHE_MAX = 1024;

/**
 * A reusable copy area for key names: one allocation per load, not per key, and one view of
 * it per key length (a loader's keys come in few lengths), so holding a key allocates nothing.
 */
class KeyScratch {
  #buf = Buffer.allocUnsafe(256);
  /** Views of #buf's first n bytes, by n. */
  #views: Buffer[] = [];

  /**
   * A copy of b: a view of the scratch area, valid until the next hold, and the same object for
   * every key of its length (the loader finds and adds each key before holding the next).
   */
  hold(b: Buffer): Buffer {
    const n = b.length;
    if (n > this.#buf.length) {
      this.#buf = Buffer.allocUnsafe(Math.max(n, this.#buf.length * 2));
      this.#views = [];
    }
    const buf = this.#buf;
    copyBytes(buf, 0, b);
    if (n > VIEW_CACHE_MAX) return argView(buf.buffer as ArrayBuffer, buf.byteOffset, n);
    return (this.#views[n] ??= argView(buf.buffer as ArrayBuffer, buf.byteOffset, n));
  }
}

/** Options of loadRdb. */
export interface LoadOptions {
  /** rdbchecksum: verify the trailer. */
  readonly checksum: boolean;
  /** The time keys' expiries are compared with. */
  readonly now: number;
  readonly limits: LoadLimits;
  /** Whether small integers are shared objects (options.ts integersShared). */
  readonly sharedIntegers: boolean;
  /**
   * The input's source may not have every byte yet (a payload being received): it throws
   * NeedMoreInput, and loadRdbSteps then yields NEED_MORE and retries the record it was
   * reading (each record is read whole before it changes anything).
   */
  readonly streaming?: boolean;
  /** The databases to load into (default: the node's; a replica's swapdb loads aside). */
  readonly dbs?: readonly Database[];
}

/** What loadRdbSteps yields, in place of an offset, when a streaming input needs more bytes. */
export const NEED_MORE = -1;

/**
 * Loads an RDB stream into srv's keyspace (which the caller has emptied). Throws RdbError on a
 * corrupt or truncated input; the keys loaded before the defect stay (the caller decides).
 */
export function loadRdb(srv: Server, inp: RdbInput, opts: LoadOptions): LoadResult {
  const steps = loadRdbSteps(srv, inp, opts);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** Keys between two yields of loadRdbSteps (a slice of loading). */
const STEP_KEYS = 1024;

/**
 * loadRdb as steps: yields the input offset every STEP_KEYS keys (every key when `everyKey`),
 * so a caller can load in slices and serve clients -LOADING in between; returns the result.
 */
export function* loadRdbSteps(srv: Server, inp: RdbInput, opts: LoadOptions, everyKey = false): Generator<number, LoadResult> {
  const log = srv.log;
  const ks = srv.keyspace;
  const streaming = opts.streaming === true;
  if (streaming) {
    inp.commit();
    for (;;) {
      try {
        inp.ensure(9);
        break;
      } catch (err) {
        if (!(err instanceof NeedMoreInput)) throw err;
        yield NEED_MORE;
      }
    }
  }
  const magic = inp.view(9).toString('latin1');
  if (!magic.startsWith('REDIS')) throw new RdbError('Wrong signature trying to load DB from file', 0);
  const version = parseInt(magic.slice(5), 10) || 0;
  if (version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${version}`, 5);
  const dbs = opts.dbs ?? ks.dbs;
  let db = dbs[0];
  let expireAt = -1n;
  let freq = -1;
  let idle = -1;
  let keysLoaded = 0;
  let keysExpired = 0;
  let emptyKeysSkipped = 0;
  let functionsSkipped = 0;
  const nowBig = BigInt(opts.now);
  const keyScratch = new KeyScratch();
  // A replica keeps keys already expired: its master sends their DEL (rdbLoad's iAmMaster()).
  const skipExpired = !srv.repl.isReplica && srv.config.getString('replicaof') === '';
  let replId = '';
  let replOffset = -1;
  let replDb = -1;
  for (;;) {
    if (streaming) inp.commit();
    try {
      const opAt = inp.offset;
      const type = inp.u8();
      if (type === RdbOp.ExpireTime) {
        expireAt = BigInt(inp.secTime()) * 1000n;
        continue;
      }
      if (type === RdbOp.ExpireTimeMs) {
        expireAt = inp.msTime();
        continue;
      }
      if (type === RdbOp.Freq) {
        freq = inp.u8();
        continue;
      }
      if (type === RdbOp.Idle) {
        const v = inp.lenBig();
        idle = v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
        continue;
      }
      if (type === RdbOp.Eof) {
        // The trailer must be there too before the EOF counts (it is read after the loop).
        if (streaming && version >= 5) inp.ensure(8);
        break;
      }
      if (type === RdbOp.SelectDb) {
        const id = inp.len();
        if (id >= dbs.length) {
          throw new RdbError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${dbs.length} databases`,
            opAt,
          );
        }
        db = dbs[id];
        continue;
      }
      if (type === RdbOp.ResizeDb) {
        // Sizes the index for the keys to come, so loading them never grows a table (each
        // growth rehashes its keys from their records). A hint, which reserve caps (a file
        // may lie).
        const keys = inp.len();
        inp.len();
        db.reserve(keys);
        continue;
      }
      if (type === RdbOp.Aux) {
        const key = inp.stringLatin1();
        const val = inp.stringLatin1();
        logAux(srv, key, val, opts.now);
        if (key === 'repl-id' && val.length === 40) replId = val;
        else if (key === 'repl-offset' && /^-?\d+$/.test(val)) replOffset = Number(val);
        else if (key === 'repl-stream-db' && /^-?\d+$/.test(val)) replDb = Number(val);
        continue;
      }
      if (type === RdbOp.ModuleAux) {
        const id = inp.lenBig();
        const whenOpcode = inp.lenBig();
        inp.lenBig();
        if (whenOpcode !== 2n) throw new RdbError('bad when_opcode', opAt);
        throw new RdbError(`The RDB file contains AUX module data I can't load: no matching module '${moduleName(id)}'`, opAt);
      }
      if (type === RdbOp.Function2 || type === RdbOp.FunctionPreGa) {
        if (type === RdbOp.FunctionPreGa) {
          inp.string(); // library name
          inp.string(); // engine
          if (inp.len() !== 0) inp.string(); // description
        }
        inp.string(); // the library's code
        if (functionsSkipped++ === 0) log.warning('The RDB file holds function libraries: skipped (functions are not supported yet)');
        continue;
      }
      // A key: its name (copied aside: reading the value may move the input window), then a
      // value of type `type`.
      const key = keyScratch.hold(inp.string());
      const value = readValue(inp, type, opts.limits);
      if (value === null) {
        if (emptyKeysSkipped++ < 10) log.warning(`rdbLoadObject skipping empty key: ${key.toString('latin1')}`);
      } else if (expireAt !== -1n && expireAt < nowBig && skipExpired) {
        keysExpired++;
      } else {
        if (db.find(key) !== NONE) {
          throw new RdbError(`RDB has duplicated key '${key.toString('latin1')}' in DB ${db.id}`, opAt);
        }
        const accessGiven = ks.accessPolicy === 'lfu' ? freq >= 0 : idle >= 0;
        addLoaded(ks, db, key, value, expireAt, loadedClock(ks, opts.now, freq, idle), accessGiven && opts.sharedIntegers);
        // A loaded aggregate is pending in the store until repacked (keyspace/store.ts).
        if (value.type !== VType.String) ks.store.repack(true);
        keysLoaded++;
      }
      expireAt = -1n;
      freq = -1;
      idle = -1;
      if (everyKey || (keysLoaded + keysExpired) % STEP_KEYS === 0) yield inp.offset;
    } catch (err) {
      if (!streaming || !(err instanceof NeedMoreInput)) throw err;
      inp.rewind();
      yield NEED_MORE;
    }
  }
  if (streaming) inp.commit(); // the EOF opcode is final: the CRC takes it
  if (version >= 5) {
    const computed = opts.checksum ? inp.crc() : null;
    const at = inp.offset;
    const trailer = inp.view(8);
    if (computed !== null) {
      const stored = trailer.readBigUInt64LE(0);
      if (stored === 0n) {
        log.warning('RDB file was saved with checksum disabled: no check performed.');
      } else if (!computed.matches(trailer, 0)) {
        log.warning(`Wrong RDB checksum expected: (${computed.value.toString(16)}) but got (${stored.toString(16)}). Aborting now.`);
        throw new RdbError('RDB CRC error', at);
      }
    }
  }
  if (emptyKeysSkipped > 0) {
    log.warning(
      `Done loading RDB, keys loaded: ${keysLoaded}, keys expired: ${keysExpired}, empty keys skipped: ${emptyKeysSkipped}.`,
    );
  } else {
    log.notice(`Done loading RDB, keys loaded: ${keysLoaded}, keys expired: ${keysExpired}.`);
  }
  const repl = replId !== '' && replOffset !== -1 && replDb !== -1 ? { id: replId, offset: replOffset, streamDb: replDb } : null;
  return { version, keysLoaded, keysExpired, emptyKeysSkipped, functionsSkipped, bytes: inp.offset, repl };
}

/** Logs an AUX field as Redis's loader does. */
function logAux(srv: Server, key: string, val: string, now: number): void {
  const log = srv.log;
  const k = key.toLowerCase();
  if (key.startsWith('%')) log.notice(`RDB '${key}': ${val}`);
  else if (k === 'redis-ver') log.notice(`Loading RDB produced by version ${val}`);
  else if (k === 'ctime') log.notice(`RDB age ${Math.max(0, Math.floor(now / 1000) - (parseInt(val, 10) || 0))} seconds`);
  else if (k === 'used-mem') log.notice(`RDB memory usage when created ${((parseInt(val, 10) || 0) / (1024 * 1024)).toFixed(2)} Mb`);
  else if (k === 'aof-preamble') {
    if ((parseInt(val, 10) || 0) !== 0) log.notice('RDB has an AOF tail');
  } else if (k === 'aof-base') {
    if ((parseInt(val, 10) || 0) !== 0) log.notice('RDB is base AOF');
  } else if (k !== 'repl-stream-db' && k !== 'repl-id' && k !== 'repl-offset' && k !== 'lua' && k !== 'redis-bits') {
    log.debug(`Unrecognized RDB AUX field: '${key}'`);
  }
}

/** A file as an RdbSource (positioned reads). */
function fileSource(fd: number): RdbSource {
  return {
    size: fstatSync(fd).size,
    read: (dst, off, len, pos) => readSync(fd, dst, off, len, pos),
  };
}

/** A load in progress, as INFO persistence reports it (loading_*). */
export interface LoadingProgress {
  /** Wall-clock start, ms. */
  readonly startedAt: number;
  totalBytes: number;
  loadedBytes: number;
}

/** Time a loading slice may take before clients get their -LOADING replies, ms. */
const LOAD_SLICE_MS = 20;

/**
 * Loads the RDB file at `path` into srv (rdbLoad) in slices, as Redis's loader processes
 * events while it loads: between slices clients get -LOADING for anything not flagged
 * `loading` (driveLoad). On any defect empties the keyspace and throws RdbLoadError (file,
 * offset, reason). Records the counts for INFO (rdb_last_load_keys_loaded / _expired).
 */
export async function loadRdbFileAsync(srv: Server, path: string): Promise<LoadResult> {
  const fd = openSync(path, 'r');
  try {
    return await loadRdbAsync(srv, fileSource(fd), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * loadRdbFileAsync from any source (`what` names it in errors and progress lines): a file, or
 * a replica's payload received without a temp file (repl-diskless-load, a StreamSource). With
 * `into` it loads into those databases instead of the node's, and a failure leaves emptying
 * them to the caller.
 */
export async function loadRdbAsync(
  srv: Server,
  source: RdbSource | StreamSource,
  what: string,
  into?: readonly Database[],
): Promise<LoadResult> {
  const cfg = srv.config;
  const delayUs = cfg.getNumber('key-load-delay');
  const stream = source instanceof StreamSource ? source : null;
  try {
    const inp = RdbInput.fromSource(source, cfg.getBool('rdbchecksum'));
    const opts = {
      checksum: cfg.getBool('rdbchecksum'), now: srv.clock.now(), limits: loadLimits(cfg), sharedIntegers: integersShared(cfg), streaming: stream !== null,
      dbs: into,
    };
    const steps = loadRdbSteps(srv, inp, opts, delayUs > 0);
    const more = stream !== null ? () => stream.more(inp.retryAt()) : undefined;
    const result = await driveLoad(srv, steps, stream !== null ? stream.expected : source.size, what, more);
    const state = srv.persistence;
    state.lastLoadKeysLoaded = result.keysLoaded;
    state.lastLoadKeysExpired = result.keysExpired;
    return result;
  } catch (err) {
    if (!(err instanceof RdbError)) throw err;
    if (into === undefined) srv.keyspace.flushAll();
    srv.log.warning(`Internal error in RDB reading offset ${err.offset}: ${err.reason}`);
    throw new RdbLoadError(what, err.offset, err.reason);
  }
}

/**
 * A payload being received, as a source (a replica loading without a temp file): bytes are
 * pushed as they arrive and dropped once read; a read past what arrived throws NeedMoreInput (the
 * loader retries its record after more()), past the end returns 0 (a truncated file), and
 * after fail() throws the failure.
 */
export class StreamSource implements RdbSource {
  readonly size = Infinity;
  /** Bytes the payload announced ($<len>), or 0 when unknown ($EOF:); for loading_total_bytes. */
  expected = 0;
  #chunks: Buffer[] = [];
  /** Index of the first chunk still kept, and the stream position of its first byte. */
  #head = 0;
  #headPos = 0;
  #total = 0;
  #ended = false;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.#chunks.push(b);
    this.#total += b.length;
    this.#wakeUp();
  }

  /** Bytes pushed so far. */
  get received(): number {
    return this.#total;
  }

  /** Every byte has arrived. */
  end(): void {
    this.#ended = true;
    this.#wakeUp();
  }

  /** The payload will not arrive (the link was lost): reads throw `err`. */
  fail(err: Error): void {
    this.#failure = err;
    this.#chunks = [];
    this.#wakeUp();
  }

  /** Resolves once `total` bytes arrived in all, or the end, or a failure. */
  more(total: number): Promise<void> {
    this.#want = total;
    return new Promise((res) => {
      this.#wake = res;
      this.#wakeUp();
    });
  }

  /** The total more() waits for. */
  #want = 0;

  #wakeUp(): void {
    const w = this.#wake;
    if (w === null || (this.#total < this.#want && !this.#ended && this.#failure === null)) return;
    this.#wake = null;
    w();
  }

  read(dst: Buffer, off: number, len: number, pos: number): number {
    if (this.#failure !== null) throw this.#failure;
    const chunks = this.#chunks;
    // Reads go forward: chunks wholly before pos are done with.
    while (this.#head < chunks.length && this.#headPos + chunks[this.#head].length <= pos) {
      this.#headPos += chunks[this.#head].length;
      this.#head++;
    }
    if (this.#head > 64) {
      chunks.splice(0, this.#head);
      this.#head = 0;
    }
    if (pos >= this.#total) {
      if (this.#ended) return 0;
      throw new NeedMoreInput();
    }
    let n = 0;
    let k = this.#head;
    let at = pos - this.#headPos;
    while (n < len && k < chunks.length) {
      const c = chunks[k];
      const m = Math.min(len - n, c.length - at);
      c.copy(dst, off + n, at, at + m);
      n += m;
      k++;
      at = 0;
    }
    return n;
  }
}

/**
 * Runs a loader's steps (each yields the bytes loaded so far) in slices of LOAD_SLICE_MS, the
 * event loop serving clients -LOADING in between, with srv.loading reporting the progress and
 * a log line every 5 s. With key-load-delay set, one step per that many microseconds.
 */
export async function driveLoad<T>(
  srv: Server,
  steps: Generator<number, T>,
  totalBytes: number,
  what: string,
  more?: () => Promise<void>,
): Promise<T> {
  const delayUs = srv.config.getNumber('key-load-delay');
  const progress: LoadingProgress = { startedAt: srv.clock.now(), totalBytes, loadedBytes: 0 };
  srv.loading = progress;
  try {
    let sliceStart = performance.now();
    let lastLog = sliceStart;
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
      if (r.value === NEED_MORE) {
        // A streaming load waits for the source (NEED_MORE is only yielded by one).
        if (more === undefined) throw new Error('driveLoad: a loader waits for input no source will send');
        await more();
        sliceStart = performance.now();
        continue;
      }
      progress.loadedBytes = r.value;
      const t = performance.now();
      if (t - lastLog >= 5000) {
        lastLog = t;
        srv.log.notice(`Loading ${what}: ${((r.value / Math.max(1, totalBytes)) * 100).toFixed(2)}%`);
      }
      if (delayUs > 0) {
        await new Promise((res) => setTimeout(res, Math.max(1, Math.round(delayUs / 1000))));
        sliceStart = performance.now();
      } else if (t - sliceStart >= LOAD_SLICE_MS) {
        await new Promise((res) => setImmediate(res));
        sliceStart = performance.now();
      }
    }
  } finally {
    srv.loading = null;
  }
}

/**
 * Startup loading (loadDataFromDisk), in slices (loadRdbFileAsync): the node already listens.
 * Resolves with null when there is no file (an empty start).
 */
export async function loadDataFromDiskAsync(srv: Server): Promise<LoadResult | null> {
  const path = rdbPath(srv);
  if (!existsSync(path)) return null;
  const t0 = performance.now();
  const result = await loadRdbFileAsync(srv, path);
  srv.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  if (result.repl !== null) startupReplInfo.set(srv, result.repl);
  return result;
}

/** The replication position of the RDB loaded at start, until taken. */
const startupReplInfo = new WeakMap<Server, RdbReplInfo>();

/**
 * The replication position recorded in the RDB file the node loaded at start (null when it had
 * none, or when it was already taken): replication/replica.ts resumes that history.
 */
export function takeStartupReplInfo(srv: Server): RdbReplInfo | null {
  const info = startupReplInfo.get(srv) ?? null;
  startupReplInfo.delete(srv);
  return info;
}

