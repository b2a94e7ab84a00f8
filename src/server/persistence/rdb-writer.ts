// Writing RDB files (rdbSaveRio / rdbSave): a key-by-key writer into any byte sink, and the
// synchronous SAVE that drives it over the whole keyspace into dir/dbfilename.
//
// File layout, as Redis 7.0 writes it:
//   "REDIS0010"
//   AUX redis-ver, redis-bits, ctime, used-mem, aof-base
//   per non-empty database: SELECTDB <id>, RESIZEDB <keys> <keys with a TTL>, then per key
//     [EXPIRETIME_MS <ms>] [IDLE <seconds> | FREQ <counter>] <type> <key> <value>
//   EOF, then the CRC-64 of everything before it (8 bytes LE; zeros with rdbchecksum no)
//
// IDLE is written under an LRU maxmemory-policy and FREQ under an LFU one, as
// rdbSaveKeyValuePair does; keys whose TTL passed but that were not reclaimed yet are written
// with their expiry (the loader skips them), also as Redis does.
//
// The writer is a walk that can be driven one key at a time: RdbWriter.storeEntry() serializes
// one key straight from the store (capturedString() one copied aside before a write changed it)
// into its buffer and hands full chunks to the sink, so a fork-less snapshot (BGSAVE, AOF
// rewrite, full resync) interleaves it with serving clients (snapshot.ts).
// writeRdbFile() is the synchronous whole-keyspace walk SAVE uses: a temp file, fsync, then an
// atomic rename.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expireOf } from '../handlers/keys-expire.js';
import type { Database } from '../keyspace/database.js';
import { NO_EXPIRY, VType } from '../keyspace/entry.js';
import { lruIdleSeconds, type Keyspace } from '../keyspace/keyspace.js';
import { lfuDecrAndReturn } from '../keyspace/lfu.js';
import type { Server } from '../server.js';
import { replicationSaveInfo } from '../replication/master.js';
import { REDIS_COMPAT_VERSION } from '../server.js';
import { Crc64 } from './crc64.js';
import { accessInfoOf, integersShared, writeOptions, type AccessInfo, type WriteOptions } from './options.js';
import { RDB_VERSION, RdbOp, RdbOutput, RdbType } from './rdb-io.js';
import { rdbTypeOf, writeValueBody } from './serialize.js';
import type { SnapshotFormat } from './snapshot.js';

/** Where the writer's bytes go, in order. */
export type RdbSink = (chunk: Buffer) => void;

export interface RdbWriterOptions extends WriteOptions {
  /** rdbchecksum: write the CRC-64 trailer (else 8 zero bytes, which loaders do not check). */
  readonly checksum: boolean;
  /** Access information written per key (from maxmemory-policy). */
  readonly access: AccessInfo;
}

/** Chunk size handed to the sink. */
const FLUSH_AT = 64 * 1024;

export class RdbWriter {
  readonly #sink: RdbSink;
  readonly #opts: RdbWriterOptions;
  readonly #out: RdbOutput;
  readonly #crc: Crc64 | null;
  #written = 0;
  #keys = 0;

  constructor(sink: RdbSink, opts: RdbWriterOptions) {
    this.#sink = sink;
    this.#opts = opts;
    this.#out = new RdbOutput({ compress: opts.compress }, FLUSH_AT * 2);
    this.#crc = opts.checksum ? new Crc64() : null;
  }

  /** Bytes handed to the sink so far. */
  get bytesWritten(): number {
    return this.#written;
  }

  /** Keys written so far. */
  get keys(): number {
    return this.#keys;
  }

  /** Bytes serialized but not yet handed to the sink. */
  get buffered(): number {
    return this.#out.length;
  }

  /** The magic "REDIS0010" and the aux fields (key/value pairs, in order). */
  header(aux: ReadonlyArray<readonly [string, string]>): void {
    this.#out.bytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
    for (const [k, v] of aux) this.aux(k, v);
  }

  /** An AUX field. */
  aux(key: string, value: string): void {
    this.#out.u8(RdbOp.Aux);
    this.#out.stringLatin1(key);
    this.#out.stringLatin1(value);
  }

  /** SELECTDB and RESIZEDB before a database's keys. */
  selectDb(id: number, keys: number, expires: number): void {
    const out = this.#out;
    out.u8(RdbOp.SelectDb);
    out.len(id);
    out.u8(RdbOp.ResizeDb);
    out.len(keys);
    out.len(expires);
  }

  /**
   * SELECTDB alone: the keys that follow belong to database id. A snapshot written while
   * serving switches databases whenever it writes a key out of the walk's order (the loader
   * takes SELECTDB anywhere, as Redis's does).
   */
  switchDb(id: number): void {
    this.#out.u8(RdbOp.SelectDb);
    this.#out.len(id);
  }

  /**
   * A string key whose bytes were copied aside before a write changed it (a snapshot's
   * capture): expiry (ms, or -1n), the access clock it had, key and value.
   */
  capturedString(key: Uint8Array, value: Uint8Array, expireAt: bigint, clock: number, ctx: EntryContext): void {
    const out = this.#out;
    if (expireAt !== -1n) {
      out.u8(RdbOp.ExpireTimeMs);
      out.msTime(expireAt);
    }
    const access = this.#opts.access;
    if (access === 'lru') {
      out.u8(RdbOp.Idle);
      out.len(lruIdleSeconds(clock, ctx.now));
    } else if (access === 'lfu') {
      out.u8(RdbOp.Freq);
      out.u8(lfuDecrAndReturn(clock, ctx.now, ctx.keyspace.lfuDecayTime));
    }
    out.u8(RdbType.String);
    out.string(key);
    out.string(value);
    this.#keys++;
    if (out.length >= FLUSH_AT) this.#flush();
  }

  /**
   * One key of db read straight from the store (rdbSaveKeyValuePair): the key and a string's
   * bytes are encoded from the record in place, an aggregate through store.readObject (a
   * read-only decoded copy for packed values). Nothing in the keyspace changes.
   */
  storeEntry(db: Database, id: number, ctx: EntryContext): void {
    const out = this.#out;
    const store = db.store;
    if (db.expireAt(id) !== NO_EXPIRY) {
      out.u8(RdbOp.ExpireTimeMs);
      out.msTime(expireOf(db, id));
    }
    const access = this.#opts.access;
    if (access !== 'none') {
      const clock = ctx.keyspace.accessClock(id, ctx.sharedIntegers);
      if (access === 'lru') {
        out.u8(RdbOp.Idle);
        out.len(lruIdleSeconds(clock, ctx.now));
      } else {
        out.u8(RdbOp.Freq);
        out.u8(lfuDecrAndReturn(clock, ctx.now, ctx.keyspace.lfuDecayTime));
      }
    }
    const type = store.type(id);
    if (type === VType.String && store.compressedCount > 0 && store.isCompressed(id)) {
      const plain = store.valueView(id); // inflated: a compressed large value is saved plain
      store.locate(id);
      out.u8(RdbType.String);
      out.string(store.rb, store.rk, store.rk + store.rkl);
      out.string(plain, 0, plain.length);
    } else if (type === VType.String) {
      store.locate(id);
      out.u8(RdbType.String);
      out.string(store.rb, store.rk, store.rk + store.rkl);
      out.string(store.rb, store.rv, store.rv + store.rvl);
    } else {
      const value = store.readObject(id);
      out.u8(rdbTypeOf(type, value));
      store.locate(id);
      out.string(store.rb, store.rk, store.rk + store.rkl);
      writeValueBody(out, type, value, this.#opts);
    }
    this.#keys++;
    if (out.length >= FLUSH_AT) this.#flush();
  }

  /** EOF and the checksum trailer; flushes everything to the sink. */
  finish(): void {
    this.#out.u8(RdbOp.Eof);
    this.#flush();
    this.#out.bytes(this.#crc === null ? Buffer.alloc(8) : this.#crc.bytes());
    this.#flush();
  }

  #flush(): void {
    if (this.#out.length === 0) return;
    const chunk = this.#out.take();
    if (this.#crc !== null) this.#crc.update(chunk);
    this.#written += chunk.length;
    this.#sink(chunk);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys from the keyspace

/** What reading a key's access information needs: the clock and how access clocks are read. */
export interface EntryContext {
  readonly keyspace: Keyspace;
  readonly now: number;
  /** Whether the integers 0..9999 are shared objects (their access clock is global). */
  readonly sharedIntegers: boolean;
}

/** The writer options a node's configuration asks for. */
export function writerOptions(srv: Server): RdbWriterOptions {
  const cfg = srv.config;
  return {
    ...writeOptions(cfg),
    checksum: cfg.getBool('rdbchecksum'),
    access: accessInfoOf(cfg.getString('maxmemory-policy')),
  };
}

/**
 * The aux fields rdbSaveInfoAuxFields writes (no replication fields: no backlog yet); aof-base
 * is 1 in the base file of an AOF.
 */
export function auxFields(srv: Server, now: number, aofBase = false): Array<[string, string]> {
  const aux: Array<[string, string]> = [
    ['redis-ver', REDIS_COMPAT_VERSION],
    ['redis-bits', '64'],
    ['ctime', String(Math.floor(now / 1000))],
    ['used-mem', String(srv.memory.used())],
  ];
  // Where the dataset stands in the replication history (rdbPopulateSaveInfo): a replica
  // restarted from this file resumes with PSYNC from there. Not in an AOF base.
  const rsi = aofBase ? null : replicationSaveInfo(srv);
  if (rsi !== null) {
    aux.push(['repl-stream-db', String(rsi.db)], ['repl-id', rsi.id], ['repl-offset', String(rsi.offset)]);
  }
  aux.push(['aof-base', aofBase ? '1' : '0']);
  return aux;
}

/**
 * Writes every database of srv through writer (header to trailer), in one synchronous walk;
 * `aofBase`: the file is an AOF's BASE (aux aof-base 1).
 */
export function writeKeyspace(srv: Server, writer: SnapshotFormat, aofBase = false): void {
  const now = srv.clock.now();
  const ctx: EntryContext = { keyspace: srv.keyspace, now, sharedIntegers: integersShared(srv.config) };
  writer.header(auxFields(srv, now, aofBase));
  for (const db of srv.keyspace.dbs) {
    if (db.size === 0) continue;
    writer.selectDb(db.id, db.size, db.expiresSize);
    // In batches whose entries and records are fetched together (Store.prefetchRecords).
    const batch: number[] = [];
    const write = (): void => {
      db.store.prefetchRecords(batch, batch.length);
      for (let k = 0; k < batch.length; k++) writer.storeEntry(db, batch[k], ctx);
      batch.length = 0;
    };
    db.forEach((id) => {
      if (batch.push(id) === SAVE_BATCH) write();
    });
    write();
  }
  writer.finish();
}

/** Keys per prefetched batch of writeKeyspace. */
const SAVE_BATCH = 32;

/** dir/dbfilename of srv's configuration. */
export function rdbPath(srv: Server): string {
  return resolve(srv.config.getString('dir'), srv.config.getString('dbfilename'));
}

/**
 * SAVE: writes the whole keyspace to `path` (default dir/dbfilename) as rdbSave does — into
 * temp-<pid>.rdb beside it, fsync, close, then rename over the target, so the file is replaced
 * atomically and only by a complete dump. On success resets the dirty counter and the last
 * save time; on failure removes the temp file, logs and rethrows.
 */
export function writeRdbFile(srv: Server, path = rdbPath(srv)): { bytes: number; keys: number } {
  const state = srv.persistence;
  const tmp = join(dirname(path), `temp-${process.pid}.rdb`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    const out = fd;
    const writer = new RdbWriter((chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(out, chunk, off, chunk.length - off);
    }, writerOptions(srv));
    writeKeyspace(srv, writer);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    srv.log.notice('DB saved on disk');
    srv.dirty = 0;
    state.lastSave = Math.floor(srv.clock.now() / 1000);
    state.lastSaveOk = true;
    state.rdbSaves++; // rdb_saves counts SAVE too, as Redis's does
    return { bytes: writer.bytesWritten, keys: writer.keys };
  } catch (err) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the write error is what matters
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may not exist
    }
    srv.log.warning(`Write error saving DB on disk: ${(err as Error).message}`);
    throw err;
  }
}
