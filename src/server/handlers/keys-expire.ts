// Key expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL, PTTL,
// EXPIRETIME, PEXPIRETIME and PERSIST.
//
// Times are int64 milliseconds in Redis. An entry's expiry is a JS number, exact up to 2^53 ms
// (year 287396); for absolute times beyond that (PEXPIREAT k 9223372036854775807 is legal)
// the exact int64 is kept on the side in Store.exactExpire, so TTL/PEXPIRETIME and GT/LT
// comparisons reply exactly what Redis replies.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { NONE, type Database } from '../keyspace/database.js';
import { NO_EXPIRY } from '../keyspace/entry.js';
import { Err, sanitizeErrorText } from '../../lib/errors.js';
import { parseI64 } from '../../lib/numbers.js';
import { lowerArg } from './util.js';


const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
/** C's LLONG_MAX / 1000 and LLONG_MIN / 1000 (truncating division). */
const SEC_MAX = I64_MAX / 1000n;
const SEC_MIN = I64_MIN / 1000n;

// ---------------------------------------------------------------------------------------
// Exact expiry times

/** Entry e's absolute expiry in ms as an exact int64, or -1n when it has none. */
export function expireOf(db: Database, e: number): bigint {
  const at = db.expireAt(e);
  if (at === NO_EXPIRY) return -1n;
  if (at <= Number.MAX_SAFE_INTEGER) return BigInt(at);
  const x = db.store.exactExpire.get(e);
  // Only trust the side value if nobody changed the expiry behind our back.
  return x !== undefined && Number(x) === at ? x : BigInt(at);
}

/** Sets the expiry of entry e to the exact int64 `at` (ms, > 0). */
export function setExpireExact(db: Database, e: number, at: bigint): void {
  const n = Number(at);
  if (n > Number.MAX_SAFE_INTEGER) db.store.exactExpire.set(e, at);
  else db.store.exactExpire.delete(e);
  db.setExpire(e, n);
}

// ---------------------------------------------------------------------------------------
// EXPIRE family

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/**
 * Shared body of EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT. `name` is the command name used in the
 * "invalid expire time" error; `unitSeconds` scales the argument; `relative` adds the
 * command's time. Validation order is Redis's: options, then the integer, then overflow,
 * then the key. A time not in the future deletes the key (reply 1) instead of setting a TTL.
 */
function expireGenericCommand(c: Client, argv: Buffer[], name: string, unitSeconds: boolean, relative: boolean): void {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = lowerArg(argv[i]);
    if (opt === 'nx') flags |= NX;
    else if (opt === 'xx') flags |= XX;
    else if (opt === 'gt') flags |= GT;
    else if (opt === 'lt') flags |= LT;
    else {
      c.w.error(sanitizeErrorText(Err.unsupportedOption(argv[i].toString('latin1'))));
      return;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    c.w.error(Err.nxCompat);
    return;
  }
  if (flags & GT && flags & LT) {
    c.w.error(Err.gtLtCompat);
    return;
  }

  let when = parseI64(argv[2]);
  if (when === null) {
    c.w.error(Err.notInteger);
    return;
  }
  if (unitSeconds) {
    if (when > SEC_MAX || when < SEC_MIN) {
      c.w.error(Err.invalidExpire(name));
      return;
    }
    when *= 1000n;
  }
  const now = c.srv.now;
  if (relative) {
    const base = BigInt(now);
    if (when > I64_MAX - base) {
      c.w.error(Err.invalidExpire(name));
      return;
    }
    when += base;
  }

  const e = c.srv.keyspace.lookupWrite(c.db, argv[1], now, c.noTouch);
  if (e === NONE) {
    c.w.integer(0);
    return;
  }
  if (flags !== 0) {
    const current = expireOf(c.db, e);
    if (flags & NX && current !== -1n) return void c.w.integer(0);
    if (flags & XX && current === -1n) return void c.w.integer(0);
    // No TTL counts as an infinite one: GT can never beat it, LT always does.
    if (flags & GT && (current === -1n || when <= current)) return void c.w.integer(0);
    if (flags & LT && current !== -1n && when >= current) return void c.w.integer(0);
  }

  // checkAlreadyExpired: a time already past deletes the key, except on a replica (and while
  // CLIENT PAUSE holds expiry), which waits for its master's DEL: db.deleteOnExpire is off there.
  if (when <= BigInt(now) && c.db.deleteOnExpire) {
    c.db.delete(e);
    signalModifiedKey(c, c.db, argv[1]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', argv[1], c.db.id);
    // Propagates as DEL key, or UNLINK under lazyfree-lazy-expire.
    const prop = c.srv.propagation;
    if (prop.active) prop.rewrite([c.srv.config.getBool('lazyfree-lazy-expire') ? PropName.unlink : PropName.del, argv[1]]);
  } else {
    // The relative and seconds forms propagate as PEXPIREAT key <ms> [options] (Redis 7.0
    // replaces the name and the time and keeps NX/XX/GT/LT); PEXPIREAT goes as it came.
    if (name !== 'pexpireat' && c.srv.propagation.active) {
      const rewritten = argv.slice();
      rewritten[0] = PropName.pexpireat;
      rewritten[2] = Buffer.from(when.toString(), 'latin1');
      c.srv.propagation.rewrite(rewritten);
    }
    setExpireExact(c.db, e, when);
    c.db.store.bump(e);
    signalModifiedKey(c, c.db, argv[1]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'expire', argv[1], c.db.id);
  }
  c.srv.dirty++;
  c.w.integer(1);
}

// ---------------------------------------------------------------------------------------
// TTL family and PERSIST

/**
 * TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 for a missing key, -1 without TTL, else the remaining
 * (or absolute) time in ms or rounded to the nearest second. A TTL already passed but not yet
 * reclaimed cannot be seen: the lookup expires it.
 */
function ttlGenericCommand(c: Client, argv: Buffer[], ms: boolean, absolute: boolean): void {
  const e = c.srv.keyspace.lookupRead(c.db, argv[1], c.srv.now, true);
  if (e === NONE) return void c.w.integer(-2);
  const at = c.db.expireAt(e);
  if (at === NO_EXPIRY) return void c.w.integer(-1);
  if (at <= Number.MAX_SAFE_INTEGER) {
    let t = absolute ? at : at - c.srv.now;
    if (t < 0) t = 0;
    c.w.integer(ms ? t : Math.floor((t + 500) / 1000));
    return;
  }
  let t = absolute ? expireOf(c.db, e) : expireOf(c.db, e) - BigInt(c.srv.now);
  if (t < 0n) t = 0n;
  c.w.integer(ms ? t : (t + 500n) / 1000n);
}

function persistCommand(c: Client, argv: Buffer[]): void {
  const e = c.srv.keyspace.lookupWrite(c.db, argv[1], c.srv.now, c.noTouch);
  if (e === NONE || c.db.expireAt(e) === NO_EXPIRY) return void c.w.integer(0);
  c.db.store.exactExpire.delete(e);
  c.db.setExpire(e, NO_EXPIRY);
  c.db.store.bump(e);
  signalModifiedKey(c, c.db, argv[1]);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'persist', argv[1], c.db.id);
  c.srv.dirty++;
  c.w.integer(1);
}

export const expireHandlers: Record<string, Handler> = {
  expire: (c, argv) => expireGenericCommand(c, argv, 'expire', true, true),
  pexpire: (c, argv) => expireGenericCommand(c, argv, 'pexpire', false, true),
  expireat: (c, argv) => expireGenericCommand(c, argv, 'expireat', true, false),
  pexpireat: (c, argv) => expireGenericCommand(c, argv, 'pexpireat', false, false),
  ttl: (c, argv) => ttlGenericCommand(c, argv, false, false),
  pttl: (c, argv) => ttlGenericCommand(c, argv, true, false),
  expiretime: (c, argv) => ttlGenericCommand(c, argv, false, true),
  pexpiretime: (c, argv) => ttlGenericCommand(c, argv, true, true),
  persist: persistCommand,
};
