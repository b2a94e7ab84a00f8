// Commands that work across databases or on a whole database: COPY, MOVE, SWAPDB, FLUSHDB,
// FLUSHALL and DBSIZE.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import type { Database } from '../keyspace/database.js';
import { Entry, NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { isKeyword, keyOf } from './util.js';
import { expireOf, setExpireExact } from './keys-expire.js';


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
 * A new entry holding a deep copy of e's value (COPY): a fresh object, so its access clock
 * starts now and a small integer string is no longer a shared object. The TTL is not copied.
 */
function duplicateEntry(c: Client, e: Entry): Entry {
  let value: unknown;
  if (Buffer.isBuffer(e.value)) value = Buffer.from(e.value);
  else if (isCloneable(e.value)) value = e.value.clone();
  else value = structuredClone(e.value); // plain data; aggregates should implement clone()
  const copy = new Entry(e.type, value, c.srv.keyspace.initialLru(c.srv.now));
  if (e.type === VType.String) copy.enc = e.enc === StrEnc.Raw ? StrEnc.Raw : StrEnc.Unshared;
  else copy.enc = e.enc;
  return copy;
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
  const src = keyOf(argv[1]);
  const dst = keyOf(argv[2]);
  if (dstDb === c.db && src === dst) return void c.w.error(Err.sameObject);

  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const e = ks.lookupRead(c.db, src, now, c.noTouch);
  if (e === undefined) return void c.w.integer(0);
  if (ks.lookupWrite(dstDb, dst, now, c.noTouch) !== undefined) {
    if (!replace) return void c.w.integer(0);
    dstDb.delete(dst);
  }
  const copy = duplicateEntry(c, e);
  dstDb.set(dst, copy);
  if (e.expireAt !== NO_EXPIRY) setExpireExact(dstDb, dst, copy, expireOf(e));
  c.srv.dirty++;
  c.w.integer(1);
}

/** MOVE key db: moves the entry (value, TTL, access clock) unless db already holds key. */
function moveCommand(c: Client, argv: Buffer[]): void {
  const dstDb = dbArg(c, argv[2]);
  if (dstDb === null) return;
  if (dstDb === c.db) return void c.w.error(Err.sameObject);
  const key = keyOf(argv[1]);
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const e = ks.lookupWrite(c.db, key, now, c.noTouch);
  if (e === undefined) return void c.w.integer(0);
  if (ks.lookupWrite(dstDb, key, now, c.noTouch) !== undefined) return void c.w.integer(0);
  c.db.delete(key);
  dstDb.set(key, e);
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
  if (a !== b) dbs[a].swapWith(dbs[b]);
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

/** FLUSHDB [ASYNC|SYNC]: both modes free synchronously here; the reply is the same. */
function flushdbCommand(c: Client, argv: Buffer[]): void {
  if (!flushArgsOk(c, argv)) return;
  const removed = c.db.size;
  c.db.clear();
  c.srv.dirty += removed;
  c.w.ok();
}

function flushallCommand(c: Client, argv: Buffer[]): void {
  if (!flushArgsOk(c, argv)) return;
  c.srv.dirty += c.srv.keyspace.flushAll();
  // persistence: Redis also saves an empty RDB here when save points are configured, and
  // always propagates FLUSHALL even when nothing was removed.
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
