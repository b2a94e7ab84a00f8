// String command handlers: GET, the SET family (SET SETNX SETEX PSETEX), GETSET, GETDEL, GETEX,
// MGET, MSET, MSETNX and STRLEN. Counters live in strings-numeric.ts, byte ranges in
// strings-range.ts and LCS in strings-lcs.ts; their records are merged into stringsHandlers.
//
// Expire-time contract (Redis 7.0, getExpireMillisecondsOrReply): the argument must be an
// int64 > 0; seconds are refused if *1000 would overflow; a relative time (EX/PX) is added to
// the command's "now" and refused if the sum overflows int64. Each refusal replies
// "invalid expire time in '<command>' command". An absolute time in the past is accepted by
// SET (the key is stored and expires on its next access, as Redis 7.0 does) while GETEX
// deletes the key at once.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { lcsHandlers } from './strings-lcs.js';
import { numericHandlers } from './strings-numeric.js';
import { rangeHandlers } from './strings-range.js';
import { readString, storeString, WRONG, type StoreOptions } from './strings-store.js';
import { intArg, isKeyword } from './util.js';

// ---------------------------------------------------------------------------------------------
// Option parsing shared by SET and GETEX (Redis parseExtendedStringArgumentsOrReply)

const NX = 1 << 0;
const XX = 1 << 1;
const GET = 1 << 2;
const KEEPTTL = 1 << 3;
const PERSIST = 1 << 4;
const EX = 1 << 5;
const PX = 1 << 6;
const EXAT = 1 << 7;
const PXAT = 1 << 8;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

interface StringOptions {
  flags: number;
  /** The argument of EX/PX/EXAT/PXAT, if one was given. */
  expire: Buffer | null;
}

/**
 * Parses argv[start..] as SET options (forSet) or GETEX options. Options may repeat; an option
 * that conflicts with one already seen (NX/XX, two different expirations, KEEPTTL or PERSIST
 * with an expiration), one not valid for the command, or an expiration without its argument
 * is a syntax error. Returns null after replying the error.
 */
function parseStringOptions(c: Client, argv: Buffer[], start: number, forSet: boolean): StringOptions | null {
  let flags = 0;
  let expire: Buffer | null = null;
  const last = argv.length - 1;
  for (let j = start; j < argv.length; j++) {
    const a = argv[j];
    const hasNext = j < last;
    if (forSet && isKeyword(a, 'nx') && (flags & XX) === 0) flags |= NX;
    else if (forSet && isKeyword(a, 'xx') && (flags & NX) === 0) flags |= XX;
    else if (forSet && isKeyword(a, 'get')) flags |= GET;
    else if (forSet && isKeyword(a, 'keepttl') && (flags & ANY_EXPIRE) === 0) flags |= KEEPTTL;
    else if (!forSet && isKeyword(a, 'persist') && (flags & ANY_EXPIRE) === 0) flags |= PERSIST;
    else if (hasNext && expireOption(a, flags) !== 0) {
      flags |= expireOption(a, flags);
      expire = argv[++j];
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  return { flags, expire };
}

/** The flag of an expiration keyword compatible with `flags` (the same one may repeat), or 0. */
function expireOption(a: Buffer, flags: number): number {
  let f = 0;
  if (isKeyword(a, 'ex')) f = EX;
  else if (isKeyword(a, 'px')) f = PX;
  else if (isKeyword(a, 'exat')) f = EXAT;
  else if (isKeyword(a, 'pxat')) f = PXAT;
  if (f === 0 || (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~f))) !== 0) return 0;
  return f;
}

const I64_MAX = (1n << 63n) - 1n;

/**
 * The absolute expiry (ms) that an EX/PX/EXAT/PXAT argument denotes, by the rules in the file
 * header, or null after replying the error. `cmd` names the command in the error text.
 */
function expireAtOrReply(c: Client, arg: Buffer, flags: number, cmd: string): number | null {
  const v = intArg(c, arg);
  if (v === null) return null;
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > I64_MAX / 1000n)) {
    c.w.error(Err.invalidExpire(cmd));
    return null;
  }
  if (seconds) ms *= 1000n;
  if (relative) ms += BigInt(c.srv.now);
  if (ms > I64_MAX) {
    c.w.error(Err.invalidExpire(cmd));
    return null;
  }
  return Number(ms);
}

// ---------------------------------------------------------------------------------------------
// GET and the SET family

/** GET's reply for key: nil, the value, or WRONGTYPE. Returns false after a WRONGTYPE error. */
function getGenericCommand(c: Client, key: Buffer): boolean {
  const e = readString(c, key);
  if (e === WRONG) return false;
  if (e === NONE) c.w.nil();
  else replyValue(c, e);
  return true;
}

/** Replies the string value of entry e as a bulk string. */
function replyValue(c: Client, e: number): void {
  const store = c.srv.keyspace.store;
  store.locate(e);
  c.w.bulkSlice(store.rb, store.rv, store.rv + store.rvl);
}

const getCommand: Handler = (c, argv) => {
  getGenericCommand(c, argv[1]);
};

/**
 * The one implementation of SET, SETNX, SETEX and PSETEX. Order of checks as Redis: expire
 * time, then (GET) the old value or WRONGTYPE, then the NX/XX condition. With GET the reply is
 * the old value whether or not the condition held. `cmd` names the command in the
 * invalid-expire error; `intReply` makes SETNX reply :1 / :0 instead of +OK / nil.
 * Positional parameters rather than a request object: this is the hottest write path and
 * the object would be one more allocation per SET.
 */
function setGenericCommand(
  c: Client,
  flags: number,
  keyArg: Buffer,
  valueArg: Buffer,
  expire: Buffer | null,
  cmd: string,
  intReply: boolean,
): void {
  let expireAt = NO_EXPIRY;
  if (expire !== null) {
    const at = expireAtOrReply(c, expire, flags, cmd);
    if (at === null) return;
    expireAt = at;
  }
  const key = keyArg;
  if ((flags & GET) !== 0 && !getGenericCommand(c, key)) return;
  const old = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  const found = old !== NONE;
  if (((flags & NX) !== 0 && found) || ((flags & XX) !== 0 && !found)) {
    if ((flags & GET) === 0) {
      if (intReply) c.w.integer(0);
      else c.w.nil();
    }
    return;
  }
  const keepTtl = (flags & KEEPTTL) !== 0;
  storeString(c, key, valueArg, expireAt === NO_EXPIRY && !keepTtl ? NO_OPTS : { expireAt, keepTtl, enc: StrEnc.Auto }, old);
  c.srv.dirty++;
  notifyKeyspaceEvent(c, NOTIFY.string, 'set', key, c.db.id);
  if (expireAt !== NO_EXPIRY) notifyKeyspaceEvent(c, NOTIFY.generic, 'expire', key, c.db.id);
  // Any expiration propagates as SET key value PXAT <ms> (NX/XX/GET dropped: the outcome is
  // known), as Redis 7.0 setGenericCommand; without one the command goes as it came, less its
  // GET options (setCommand).
  if ((expire !== null || (flags & GET) !== 0) && c.srv.propagation.active) {
    const argv = c.currentArgv;
    c.srv.propagation.rewrite(
      expire !== null
        ? [PropName.set, key, valueArg, PropName.pxat, expireText(c, expire, flags, expireAt)]
        : argv.filter((a, j) => j < 3 || !isKeyword(a, 'get')),
    );
  }
  if ((flags & GET) === 0) {
    if (intReply) c.w.integer(1);
    else c.w.ok();
  }
}

/**
 * The absolute expiry (ms) of an EX/PX/EXAT/PXAT argument already accepted by
 * expireAtOrReply (which returned `at`), as decimal text: exact even beyond 2^53.
 */
function expireText(c: Client, arg: Buffer, flags: number, at: number): Buffer {
  if (Number.isSafeInteger(at)) return Buffer.from(String(at), 'latin1');
  let ms = BigInt(arg.toString('latin1'));
  if ((flags & (EX | EXAT)) !== 0) ms *= 1000n;
  if ((flags & (EX | PX)) !== 0) ms += BigInt(c.srv.now);
  return Buffer.from(ms.toString(), 'latin1');
}

/** Plain store options; the same shape as SET's own literal keeps storeString monomorphic. */
const NO_OPTS: StoreOptions = { expireAt: NO_EXPIRY, keepTtl: false, enc: StrEnc.Auto };

const setCommand: Handler = (c, argv) => {
  if (argv.length === 3) {
    setGenericCommand(c, 0, argv[1], argv[2], null, 'set', false);
    return;
  }
  const o = parseStringOptions(c, argv, 3, true);
  if (o === null) return;
  setGenericCommand(c, o.flags, argv[1], argv[2], o.expire, 'set', false);
};

const setnxCommand: Handler = (c, argv) => {
  setGenericCommand(c, NX, argv[1], argv[2], null, 'setnx', true);
};

const setexCommand: Handler = (c, argv) => {
  setGenericCommand(c, EX, argv[1], argv[3], argv[2], 'setex', false);
};

const psetexCommand: Handler = (c, argv) => {
  setGenericCommand(c, PX, argv[1], argv[3], argv[2], 'psetex', false);
};

// ---------------------------------------------------------------------------------------------
// GETSET GETDEL GETEX

/**
 * GETSET: replies the old value (read lookup) and stores the new one, clearing any TTL. As in
 * Redis (getGenericCommand, then setKey's own write lookup) the key is touched twice.
 */
const getsetCommand: Handler = (c, argv) => {
  const key = argv[1];
  if (!getGenericCommand(c, key)) return;
  const old = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  storeString(c, key, argv[2], undefined, old);
  c.srv.dirty++;
  notifyKeyspaceEvent(c, NOTIFY.string, 'set', key, c.db.id);
  // Propagates as SET key value (Redis 7.0 getsetCommand).
  if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.set, key, argv[2]]);
};

const getdelCommand: Handler = (c, argv) => {
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  if (e === NONE) {
    c.w.nil();
    return;
  }
  replyValue(c, e);
  c.db.delete(e);
  signalModifiedKey(c, c.db, argv[1]);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'del', argv[1], c.db.id);
  c.srv.dirty++;
  // Propagates as DEL key (UNLINK under lazyfree-lazy-user-del), as Redis 7.0 does.
  const prop = c.srv.propagation;
  if (prop.active) {
    prop.rewrite([c.srv.config.getBool('lazyfree-lazy-user-del') ? PropName.unlink : PropName.del, argv[1]]);
  }
};

/**
 * GETEX: replies the value, then applies the expiry option. Order as Redis: option syntax,
 * missing key (nil, even with an invalid expire time), WRONGTYPE, expire time. An EXAT/PXAT
 * already in the past deletes the key (not on a replica, which waits for its master's DEL:
 * db.deleteOnExpire is off there).
 */
const getexCommand: Handler = (c, argv) => {
  const o = parseStringOptions(c, argv, 2, false);
  if (o === null) return;
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  if (e === NONE) {
    c.w.nil();
    return;
  }
  let at = NO_EXPIRY;
  if (o.expire !== null) {
    const v = expireAtOrReply(c, o.expire, o.flags, 'getex');
    if (v === null) return;
    at = v;
  }
  replyValue(c, e);
  if ((o.flags & (EXAT | PXAT)) !== 0 && at <= c.srv.now && c.db.deleteOnExpire) {
    c.db.delete(e);
    signalModifiedKey(c, c.db, argv[1]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', argv[1], c.db.id);
    c.srv.dirty++;
    const prop = c.srv.propagation;
    if (prop.active) {
      prop.rewrite([c.srv.config.getBool('lazyfree-lazy-expire') ? PropName.unlink : PropName.del, argv[1]]);
    }
  } else if (o.expire !== null) {
    c.db.setExpire(e, at);
    signalModifiedKey(c, c.db, argv[1]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'expire', argv[1], c.db.id);
    c.srv.dirty++;
    if (c.srv.propagation.active) {
      c.srv.propagation.rewrite([PropName.pexpireat, argv[1], expireText(c, o.expire, o.flags, at)]);
    }
  } else if ((o.flags & PERSIST) !== 0 && c.db.expireAt(e) !== NO_EXPIRY) {
    c.db.setExpire(e, NO_EXPIRY);
    signalModifiedKey(c, c.db, argv[1]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'persist', argv[1], c.db.id);
    c.srv.dirty++;
    if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.persist, argv[1]]);
  }
};

// ---------------------------------------------------------------------------------------------
// MGET MSET MSETNX STRLEN

/** MGET: one reply per key; a missing key or a non-string value reads as nil. */
const mgetCommand: Handler = (c, argv) => {
  const ks = c.srv.keyspace;
  c.w.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const e = ks.lookupRead(c.db, argv[i], c.srv.now, c.noTouch);
    if (e === NONE || c.db.type(e) !== VType.String) c.w.nil();
    else replyValue(c, e);
  }
};

/**
 * MSET / MSETNX: stores every pair (later pairs win for a repeated key), clearing TTLs.
 * MSETNX stores nothing and replies 0 if any key exists. Each store starts with a write lookup
 * (Redis's setKey): it touches the key it replaces, which under an LFU policy is the access
 * counter the new value inherits.
 */
function msetGenericCommand(c: Client, argv: Buffer[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.w.error(Err.wrongArity(nx ? 'msetnx' : 'mset'));
    return;
  }
  const ks = c.srv.keyspace;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (ks.lookupWrite(c.db, argv[j], c.srv.now, c.noTouch) !== NONE) {
        c.w.integer(0);
        return;
      }
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j];
    storeString(c, key, argv[j + 1], NO_OPTS, ks.lookupWrite(c.db, key, c.srv.now, c.noTouch));
    notifyKeyspaceEvent(c, NOTIFY.string, 'set', key, c.db.id);
  }
  c.srv.dirty += (argv.length - 1) / 2;
  if (nx) c.w.integer(1);
  else c.w.ok();
}

const msetCommand: Handler = (c, argv) => msetGenericCommand(c, argv, false);
const msetnxCommand: Handler = (c, argv) => msetGenericCommand(c, argv, true);

const strlenCommand: Handler = (c, argv) => {
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  c.w.integer(e === NONE ? 0 : c.srv.keyspace.store.valueLength(e));
};

export const stringsHandlers: Record<string, Handler> = {
  get: getCommand,
  set: setCommand,
  setnx: setnxCommand,
  setex: setexCommand,
  psetex: psetexCommand,
  getset: getsetCommand,
  getdel: getdelCommand,
  getex: getexCommand,
  mget: mgetCommand,
  mset: msetCommand,
  msetnx: msetnxCommand,
  strlen: strlenCommand,
  ...numericHandlers,
  ...rangeHandlers,
  ...lcsHandlers,
};
