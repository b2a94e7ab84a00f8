// Hash command handlers (Redis 7.0 t_hash.c): HSET HMSET HSETNX HGET HMGET HDEL HEXISTS HLEN
// HSTRLEN HKEYS HVALS HGETALL, and the counters HINCRBY HINCRBYFLOAT. HRANDFIELD and HSCAN
// live in hashes-iter.ts; their records are merged into hashesHandlers.
//
// The value object is HashValue (keyspace/types/hash.ts). Writers pass it the encoding
// thresholds in force (hash-max-listpack-entries / -value, cached until CONFIG SET changes
// them), so a change applies to the next write; the conversion is one-way, as in Redis. A write creates the
// key only once it is sure to succeed (Redis creates it first, but every error path it has
// after creation leaves a new key untouched, so the outcome is the same), and a hash emptied by
// HDEL is deleted with a generic 'del' event.

import { Err } from '../../lib/errors.js';
import { parseI64, parseLongDouble } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import type { Config } from '../config/config.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { HashValue, packedFound, type HashLimits } from '../keyspace/types/hash.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { iterHandlers } from './hashes-iter.js';
import { type LongDouble, addLongDouble, formatLongDoubleHuman, longDoubleFromText } from './strings-longdouble.js';
import { WRONG_TYPE, addAggregate, aggregateOf, lookupReadOfType, lookupWriteOfType } from './typed.js';
import { intArg } from './util.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------
// Shared plumbing

/** Thresholds per configuration, read once and dropped when CONFIG SET changes them. */
const limitsCache = new WeakMap<Config, HashLimits>();
const hooked = new WeakSet<Config>();
const LIMIT_PARAMS = ['hash-max-listpack-entries', 'hash-max-listpack-value'] as const;

/**
 * The listpack thresholds in force now (hash-max-listpack-entries / -value, or their ziplist
 * aliases). Parsing them costs more than a small HSET, so they are cached per Config and the
 * cache entry is dropped by a change hook (registered once per Config).
 */
function limitsOf(c: Client): HashLimits {
  const cfg = c.srv.config;
  let limits = limitsCache.get(cfg);
  if (limits === undefined) {
    if (!hooked.has(cfg)) {
      hooked.add(cfg);
      for (const name of LIMIT_PARAMS) cfg.onChange(name, () => limitsCache.delete(cfg));
    }
    limits = { maxEntries: cfg.getNumber(LIMIT_PARAMS[0]), maxValue: cfg.getNumber(LIMIT_PARAMS[1]) };
    limitsCache.set(cfg, limits);
  }
  return limits;
}

/** readHash's result after it replied WRONGTYPE. */
const WRONG = 'wrong';

/** The hash at key for reading: the object, null when missing, or WRONG after replying WRONGTYPE. */
function readHash(c: Client, key: Buffer): HashValue | null | typeof WRONG {
  const e = lookupReadOfType(c, key, VType.Hash);
  if (e === WRONG_TYPE) return WRONG;
  return e === NONE ? null : aggregateOf<HashValue>(c, e);
}

/** Entry of the hash at key for writing: its handle, NONE when missing, or WRONG_TYPE (replied). */
function writeEntry(c: Client, key: Buffer): number {
  return lookupWriteOfType(c, key, VType.Hash);
}

/** The hash of entry e, or a new empty hash stored under key when e is NONE. */
function hashOrCreate(c: Client, key: Buffer, e: number): HashValue {
  if (e !== NONE) return aggregateOf<HashValue>(c, e);
  const h = new HashValue();
  addAggregate(c, key, VType.Hash, h);
  return h;
}

/** Raises the signals of a hash write (Redis: signalModifiedKey + notifyKeyspaceEvent). */
function hashWritten(c: Client, key: Buffer, event: string): void {
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.hash, event, key, c.db.id);
}

const str = (b: Buffer): string => b.toString('latin1');

// ---------------------------------------------------------------------------------------------
// Setters

/**
 * HSET key field value [field value ...] (replies the number of new fields) and its older
 * spelling HMSET (replies OK). An odd number of field/value arguments is an arity error,
 * checked before the key. Conversion to hashtable follows hashTypeTryConversion (any argument
 * longer than hash-max-listpack-value) and then hashTypeSet per pair.
 */
function hsetGeneric(c: Client, argv: Buffer[], isHmset: boolean): void {
  if (argv.length % 2 === 1) return void c.w.error(Err.wrongArity(isHmset ? 'hmset' : 'hset'));
  const key = argv[1];
  const e = writeEntry(c, key);
  if (e === WRONG_TYPE) return;
  const h = hashOrCreate(c, key, e);
  const limits = limitsOf(c);
  let longest = 0;
  for (let i = 2; i < argv.length; i++) if (argv[i].length > longest) longest = argv[i].length;
  h.tryConversion(longest, limits);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(str(argv[i]), str(argv[i + 1]), limits)) created++;
  if (isHmset) c.w.ok();
  else c.w.integer(created);
  hashWritten(c, key, 'hset');
  c.srv.dirty += (argv.length - 2) / 2;
}

const hsetCommand: Handler = (c, argv) => hsetGeneric(c, argv, false);
const hmsetCommand: Handler = (c, argv) => hsetGeneric(c, argv, true);

/** HSETNX key field value: 1 if the field was set, 0 if it existed (nothing changes then). */
const hsetnxCommand: Handler = (c, argv) => {
  const key = argv[1];
  const e = writeEntry(c, key);
  if (e === WRONG_TYPE) return;
  const field = str(argv[2]);
  if (e !== NONE && aggregateOf<HashValue>(c, e).has(field)) return void c.w.integer(0);
  const h = hashOrCreate(c, key, e);
  const limits = limitsOf(c);
  h.tryConversion(Math.max(argv[2].length, argv[3].length), limits);
  h.set(field, str(argv[3]), limits);
  c.w.integer(1);
  hashWritten(c, key, 'hset');
  c.srv.dirty++;
};

// ---------------------------------------------------------------------------------------------
// Getters

/** HGET key field: the value, or nil. */
/**
 * For reads of single fields: true when entry e is a packed hash, with the store's record
 * fields (rb, rv) left on it for HashValue.packedFind. A small hash is then read where it is
 * packed: no value object, no strings.
 */
function locatePacked(c: Client, e: number): boolean {
  const store = c.db.store;
  if (!store.isPacked(e)) return false;
  store.locate(e);
  return true;
}

const hgetCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.Hash);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.nil();
  if (locatePacked(c, e)) {
    const store = c.db.store;
    const p = HashValue.packedFind(store.rb, store.rv, argv[2]);
    if (p < 0) c.w.nil();
    else c.w.bulkSlice(store.rb, p, p + packedFound.len);
    return;
  }
  const v = aggregateOf<HashValue>(c, e).get(str(argv[2]));
  if (v === undefined) c.w.nil();
  else c.w.bulkLatin1(v);
};

/** HMGET key field [field ...]: a value or nil per field (all nil for a missing key). */
const hmgetCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.Hash);
  if (e === WRONG_TYPE) return;
  if (e !== NONE && locatePacked(c, e)) {
    const store = c.db.store; // replies do not touch the store: rb/rv stay valid
    c.w.array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      const p = HashValue.packedFind(store.rb, store.rv, argv[i]);
      if (p < 0) c.w.nil();
      else c.w.bulkSlice(store.rb, p, p + packedFound.len);
    }
    return;
  }
  const h = e === NONE ? null : aggregateOf<HashValue>(c, e);
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h === null ? undefined : h.get(str(argv[i]));
    if (v === undefined) c.w.nil();
    else c.w.bulkLatin1(v);
  }
};

/** HEXISTS key field: 1 or 0. */
const hexistsCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.Hash);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  if (locatePacked(c, e)) return void c.w.integer(HashValue.packedFind(c.db.store.rb, c.db.store.rv, argv[2]) < 0 ? 0 : 1);
  c.w.integer(aggregateOf<HashValue>(c, e).has(str(argv[2])) ? 1 : 0);
};

/** HLEN key: the number of fields (0 for a missing key). */
const hlenCommand: Handler = (c, argv) => {
  const h = readHash(c, argv[1]);
  if (h === WRONG) return;
  c.w.integer(h === null ? 0 : h.size);
};

/** HSTRLEN key field: the length of the value (0 if the key or field is missing). */
const hstrlenCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.Hash);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  if (locatePacked(c, e)) return void c.w.integer(HashValue.packedFind(c.db.store.rb, c.db.store.rv, argv[2]) < 0 ? 0 : packedFound.len);
  const v = aggregateOf<HashValue>(c, e).get(str(argv[2]));
  c.w.integer(v === undefined ? 0 : v.length);
};

const KEYS = 1;
const VALUES = 2;

/**
 * HKEYS / HVALS / HGETALL (Redis genericHgetallCommand): every field and/or value in the
 * hash's iteration order. HGETALL is a map (a flat array in RESP2), the others arrays; a
 * missing key is the empty map / empty array.
 */
function getallGeneric(c: Client, argv: Buffer[], what: number): void {
  const h = readHash(c, argv[1]);
  if (h === WRONG) return;
  const n = h === null ? 0 : h.size;
  if (what === (KEYS | VALUES)) c.w.map(n);
  else c.w.array(n);
  if (h === null) return;
  for (let i = 0; i < n; i++) {
    if ((what & KEYS) !== 0) c.w.bulkLatin1(h.fieldAt(i));
    if ((what & VALUES) !== 0) c.w.bulkLatin1(h.valueAt(i));
  }
}

// ---------------------------------------------------------------------------------------------
// HDEL

/**
 * HDEL key field [field ...]: the number of fields removed. When the hash becomes empty the
 * key is deleted at once (later fields are not looked at, as in Redis) and a generic 'del'
 * event follows the 'hdel' one.
 */
const hdelCommand: Handler = (c, argv) => {
  const key = argv[1];
  const e = writeEntry(c, key);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  const h = aggregateOf<HashValue>(c, e);
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!h.delete(str(argv[i]))) continue;
    deleted++;
    if (h.size === 0) {
      c.db.delete(e);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    hashWritten(c, key, 'hdel');
    if (keyRemoved) notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
    c.srv.dirty += deleted;
  }
  c.w.integer(deleted);
};

// ---------------------------------------------------------------------------------------------
// Counters

/**
 * HINCRBY key field increment: adds an int64 to the field's value (0 if missing). Errors, in
 * Redis's order: a bad increment, WRONGTYPE, a stored value that is not a canonical int64
 * ("hash value is not an integer"), int64 overflow.
 */
const hincrbyCommand: Handler = (c, argv) => {
  const incr = intArg(c, argv[3]);
  if (incr === null) return;
  const key = argv[1];
  const e = writeEntry(c, key);
  if (e === WRONG_TYPE) return;
  const field = str(argv[2]);
  const old = e === NONE ? undefined : aggregateOf<HashValue>(c, e).get(field);
  let cur = 0n;
  if (old !== undefined) {
    const parsed = parseI64(Buffer.from(old, 'latin1'));
    if (parsed === null) return void c.w.error(Err.hashNotInteger);
    cur = parsed;
  }
  const sum = cur + BigInt(incr);
  if (sum < I64_MIN || sum > I64_MAX) return void c.w.error(Err.overflow);
  hashOrCreate(c, key, e).set(field, String(sum), limitsOf(c));
  c.w.integer(sum >= -BigInt(Number.MAX_SAFE_INTEGER) && sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum);
  hashWritten(c, key, 'hincrby');
  c.srv.dirty++;
};

/** A long double operand as string2ld reads it: null if refused, 'inf' if infinite. */
function longDoubleOf(b: Buffer): LongDouble | 'inf' | null {
  const d = parseLongDouble(b);
  if (d === null) return null;
  const text = b.toString('latin1');
  // parseLongDouble also answers Infinity for finite values beyond double range ("1e400").
  if (!Number.isFinite(d) && /^[+-]?inf/i.test(text)) return 'inf';
  return longDoubleFromText(text) ?? 'inf';
}

/**
 * HINCRBYFLOAT key field increment: long double addition (exact x87 arithmetic, as
 * INCRBYFLOAT), stored and replied in "%.17Lf" human form. Errors, in Redis's order: an
 * increment that is not a float, an infinite increment ("value is NaN or Infinity"),
 * WRONGTYPE, a stored value that is not a float, an infinite result.
 */
const hincrbyfloatCommand: Handler = (c, argv) => {
  const incr = longDoubleOf(argv[3]);
  if (incr === null) return void c.w.error(Err.notFloat);
  if (incr === 'inf') return void c.w.error(Err.nanOrInfinity);
  const key = argv[1];
  const e = writeEntry(c, key);
  if (e === WRONG_TYPE) return;
  const field = str(argv[2]);
  const old = e === NONE ? undefined : aggregateOf<HashValue>(c, e).get(field);
  let cur: LongDouble | 'inf' = { neg: false, m: 0n, e: 0 };
  if (old !== undefined) {
    const parsed = longDoubleOf(Buffer.from(old, 'latin1'));
    if (parsed === null) return void c.w.error(Err.hashNotFloat);
    cur = parsed;
  }
  const sum = cur === 'inf' ? null : addLongDouble(cur, incr);
  if (sum === null) return void c.w.error(Err.incrNanOrInf);
  const text = formatLongDoubleHuman(sum);
  hashOrCreate(c, key, e).set(field, text, limitsOf(c));
  c.w.bulkLatin1(text);
  hashWritten(c, key, 'hincrbyfloat');
  c.srv.dirty++;
  // Propagates as HSET key field <text>, so replicas and the AOF never redo the float math.
  if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.hset, key, argv[2], Buffer.from(text, 'latin1')]);
};

export const hashesHandlers: Record<string, Handler> = {
  hset: hsetCommand,
  hmset: hmsetCommand,
  hsetnx: hsetnxCommand,
  hget: hgetCommand,
  hmget: hmgetCommand,
  hdel: hdelCommand,
  hexists: hexistsCommand,
  hlen: hlenCommand,
  hstrlen: hstrlenCommand,
  hkeys: (c, argv) => getallGeneric(c, argv, KEYS),
  hvals: (c, argv) => getallGeneric(c, argv, VALUES),
  hgetall: (c, argv) => getallGeneric(c, argv, KEYS | VALUES),
  hincrby: hincrbyCommand,
  hincrbyfloat: hincrbyfloatCommand,
  ...iterHandlers,
};
