// Commands that work across databases or on a whole database: COPY, MOVE, SWAPDB, FLUSHDB,
// FLUSHALL and DBSIZE.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { NONE, type Database } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import { stringMeta } from '../keyspace/store.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { isKeyword } from './util.js';
import { NOTIFY, notifyKeyspaceEvent, signalFlushedDb, signalKeyAsReady, signalModifiedKey, signalSwappedDb } from '../signals.js';
import { expireOf, setExpireExact } from './keys-expire.js';
import { savePoints } from '../persistence/bgsave.js';
import { writeRdbFile } from '../persistence/rdb-writer.js';


const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * A DB index argument read as Redis's getIntFromObjectOrReply does, then checked against the
 * configured databases. Replies the error and returns null on failure. `badInt` replaces
 * both integer errors when given (SWAPDB's "invalid first DB index").
 */
function dbArg(c: Client, arg: Buffer, badInt?: string): Database | null {
  const v = parseIntArg(arg);
  if (v === null) {
    c.w.error(badInt ?? Err.notInteger);
    return null;
  }
  if (typeof v === 'bigint' || v < INT_MIN || v > INT_MAX) {
    c.w.error(badInt ?? Err.intRange);
    return null;
  }
  const db = c.srv.keyspace.dbs[v];
  if (v < 0 || db === undefined) {
    c.w.error(Err.dbIndexOutOfRange);
    return null;
  }
  return db;
}

/** A value that knows how to deep-copy itself (aggregate types implement this for COPY). */
interface Cloneable {
  clone(): unknown;
}

function isCloneable(v: unknown): v is Cloneable {
  return typeof v === 'object' && v !== null && typeof (v as { clone?: unknown }).clone === 'function';
}

/**
 * Adds key to dstDb holding a deep copy of entry e's value (COPY) and returns the new entry:
 * a fresh object, so its access clock starts now and a small integer string is no longer a
 * shared object. The TTL is not copied.
 */
function duplicateEntry(c: Client, src: Database, e: number, dstDb: Database, key: Buffer): number {
  const clock = c.srv.keyspace.initialLru(c.srv.now);
  const type = src.type(e);
  if (type === VType.String) {
    const enc = src.enc(e) === StrEnc.Raw ? StrEnc.Raw : StrEnc.Unshared;
    // The view stays valid: adding a record never moves existing ones.
    return dstDb.addString(key, src.value(e), stringMeta(enc, clock), NO_EXPIRY);
  }
  const obj = src.store.object(e);
  let value: unknown;
  if (isCloneable(obj)) value = obj.clone();
  else value = structuredClone(obj); // plain data; aggregates should implement clone()
  return dstDb.addObject(key, type, value, clock);
}

// ---------------------------------------------------------------------------------------
// COPY and MOVE

/**
 * COPY source destination [DB destination-db] [REPLACE]. Options are parsed left to right
 * (the last DB wins); then the DB range, then "same object", then the keys. The source is
 * read as a read (statistics, access clock); the copy keeps the source's TTL.
 */
function copyCommand(c: Client, argv: Buffer[]): void {
  let dstDb = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isKeyword(argv[i], 'replace')) {
      replace = true;
    } else if (isKeyword(argv[i], 'db') && i + 1 < argv.length) {
      const db = dbArg(c, argv[++i]);
      if (db === null) return;
      dstDb = db;
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  const src = argv[1];
  const dst = argv[2];
  if (dstDb === c.db && src.equals(dst)) return void c.w.error(Err.sameObject);

  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const e = ks.lookupRead(c.db, src, now, c.noTouch);
  if (e === NONE) return void c.w.integer(0);
  const old = ks.lookupWrite(dstDb, dst, now, c.noTouch);
  if (old !== NONE) {
    if (!replace) return void c.w.integer(0);
    dstDb.delete(old);
  }
  const copy = duplicateEntry(c, c.db, e, dstDb, dst);
  if (c.db.expireAt(e) !== NO_EXPIRY) setExpireExact(dstDb, copy, expireOf(c.db, e));
  signalKeyAsReady(c, dstDb, dst, dstDb.type(copy));
  signalModifiedKey(c, dstDb, dst);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'copy_to', dst, dstDb.id);
  c.srv.dirty++;
  c.w.integer(1);
}

/** MOVE key db: moves the entry (value, TTL, access clock) unless db already holds key. */
function moveCommand(c: Client, argv: Buffer[]): void {
  const dstDb = dbArg(c, argv[2]);
  if (dstDb === null) return;
  if (dstDb === c.db) return void c.w.error(Err.sameObject);
  const key = argv[1];
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const e = ks.lookupWrite(c.db, key, now, c.noTouch);
  if (e === NONE) return void c.w.integer(0);
  if (ks.lookupWrite(dstDb, key, now, c.noTouch) !== NONE) return void c.w.integer(0);
  const srcDb = c.db;
  srcDb.moveTo(e, dstDb);
  ks.store.bump(e);
  signalKeyAsReady(c, dstDb, key, dstDb.type(e));
  signalModifiedKey(c, srcDb, key);
  signalModifiedKey(c, dstDb, key);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'move_from', key, srcDb.id);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'move_to', key, dstDb.id);
  c.srv.dirty++;
  c.w.integer(1);
}

// ---------------------------------------------------------------------------------------
// Whole databases

/**
 * SWAPDB index1 index2: clients keep their selected index and see the other contents.
 * Swapping a database with itself is accepted (and counts as a change, as in Redis).
 */
function swapdbCommand(c: Client, argv: Buffer[]): void {
  const a = parseDbIndex(argv[1]);
  if (a === null) return void c.w.error(Err.invalidFirstDb);
  const b = parseDbIndex(argv[2]);
  if (b === null) return void c.w.error(Err.invalidSecondDb);
  const dbs = c.srv.keyspace.dbs;
  if (a < 0 || a >= dbs.length || b < 0 || b >= dbs.length) return void c.w.error(Err.dbIndexOutOfRange);
  if (a !== b) {
    signalSwappedDb(c, dbs[a], dbs[b], true);
    dbs[a].swapWith(dbs[b]);
    signalSwappedDb(c, dbs[a], dbs[b], false);
  }
  c.srv.dirty++;
  c.w.ok();
}

/** An int32 DB index, or null if the argument is not one. */
function parseDbIndex(arg: Buffer): number | null {
  const v = parseIntArg(arg);
  if (v === null || typeof v === 'bigint' || v < INT_MIN || v > INT_MAX) return null;
  return v;
}

/** [ASYNC|SYNC] of FLUSHDB / FLUSHALL; false after replying a syntax error. */
function flushArgsOk(c: Client, argv: Buffer[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2 && (isKeyword(argv[1], 'async') || isKeyword(argv[1], 'sync'))) return true;
  c.w.error(Err.syntax);
  return false;
}

/**
 * FLUSHDB [ASYNC|SYNC]: ASYNC (or lazyfree-lazy-user-flush yes without SYNC) frees a large
 * database's memory in the background; the keys are gone at once either way.
 */
function flushdbCommand(c: Client, argv: Buffer[]): void {
  if (!flushArgsOk(c, argv)) return;
  const lazy = argv.length === 2 ? isKeyword(argv[1], 'async') : c.srv.config.getBool('lazyfree-lazy-user-flush');
  signalFlushedDb(c, [c.db]);
  c.srv.dirty += c.srv.keyspace.flushDb(c.db, lazy);
  c.w.ok();
}

function flushallCommand(c: Client, argv: Buffer[]): void {
  if (!flushArgsOk(c, argv)) return;
  signalFlushedDb(c, c.srv.keyspace.dbs);
  const srv = c.srv;
  srv.dirty += srv.keyspace.flushAll();
  // As flushAllDataAndResetRDB: a BGSAVE in progress was abandoned before the command ran
  // (persistence/snapshot.ts); with save points configured the empty dataset is saved now,
  // which leaves no unsaved change (FLUSHALL is propagated all the same: propagate.ts).
  if (savePoints(srv).length > 0) {
    try {
      writeRdbFile(srv);
    } catch {
      // logged by writeRdbFile; FLUSHALL itself succeeded
    }
  }
  c.w.ok();
}

function dbsizeCommand(c: Client): void {
  c.w.integer(c.db.size);
}

export const dbHandlers: Record<string, Handler> = {
  copy: copyCommand,
  move: moveCommand,
  swapdb: swapdbCommand,
  flushdb: flushdbCommand,
  flushall: flushallCommand,
  dbsize: dbsizeCommand,
};
