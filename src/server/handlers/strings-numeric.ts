// Counter commands on string values: INCR DECR INCRBY DECRBY (one int64 routine, incrDecr)
// and INCRBYFLOAT (exact long double math in strings-longdouble.ts). Results are stored as their canonical decimal text with the "auto"
// encoding (so OBJECT ENCODING says "int" as Redis does) and the key keeps its TTL.

import { Err } from '../../lib/errors.js';
import { intLen, parseI64, parseLongDouble, parseSafeInt, writeIntAscii } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc } from '../keyspace/entry.js';
import { stringMeta } from '../keyspace/store.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { type LongDouble, addLongDouble, formatLongDoubleHuman, longDoubleFromText } from './strings-longdouble.js';
import { WRONG, writeString } from './strings-store.js';
import { intArg } from './util.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

/**
 * Makes room for a `len`-byte value under key: the existing entry e (TTL and access clock
 * kept) or a new key when e is NONE. On return store.rb / store.rv point at the value bytes,
 * which the caller writes. Raises the modification signals with keyspace event `event`.
 */
function numberSpace(c: Client, key: Buffer, e: number, len: number, enc: StrEnc, event: string): void {
  const ks = c.srv.keyspace;
  if (e !== NONE) {
    ks.store.restring(e, enc, -1);
    ks.store.resizeValue(e, len);
  } else {
    c.db.addSpace(key, len, stringMeta(enc, ks.initialLru(c.srv.now)), NO_EXPIRY);
  }
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.string, event, key, c.db.id);
  c.srv.dirty++;
}

/**
 * Adds `incr` (an int64) to the integer stored at key (0 if missing). Replies the new value,
 * WRONGTYPE, "not an integer" when the stored text is not a canonical int64 (spaces, "+1",
 * "1.5", ""), or the overflow error when the sum leaves int64. Safe integers stay on the fast
 * number path; anything larger is computed exactly with bigint.
 */
function incrDecr(c: Client, key: Buffer, incr: number | bigint): void {
  const e = writeString(c, key);
  if (e === WRONG) return;
  const store = c.srv.keyspace.store;
  let cur: number | bigint = 0;
  if (e !== NONE) {
    store.locate(e);
    const n = parseSafeInt(store.rb, store.rv, store.rv + store.rvl);
    const parsed = n !== null ? n : parseI64(c.db.value(e));
    if (parsed === null) {
      c.w.error(Err.notInteger);
      return;
    }
    cur = parsed;
  }
  let result: number | bigint;
  if (typeof cur === 'number' && typeof incr === 'number' && Number.isSafeInteger(cur + incr)) {
    result = cur + incr;
  } else {
    const sum = BigInt(cur) + BigInt(incr);
    if (sum < I64_MIN || sum > I64_MAX) {
      c.w.error(Err.overflow);
      return;
    }
    result = sum;
  }
  if (typeof result === 'number') {
    numberSpace(c, key, e, intLen(result), StrEnc.Auto, 'incrby');
    writeIntAscii(store.rb, store.rv, result);
  } else {
    const text = String(result);
    numberSpace(c, key, e, text.length, StrEnc.Auto, 'incrby');
    store.rb.write(text, store.rv, 'latin1');
  }
  c.w.integer(result);
}

const incrCommand: Handler = (c, argv) => incrDecr(c, argv[1], 1);
const decrCommand: Handler = (c, argv) => incrDecr(c, argv[1], -1);

const incrbyCommand: Handler = (c, argv) => {
  const incr = intArg(c, argv[2]);
  if (incr !== null) incrDecr(c, argv[1], incr);
};

/** DECRBY: the decrement is negated, so int64's minimum has no counterpart and is refused. */
const decrbyCommand: Handler = (c, argv) => {
  const decr = intArg(c, argv[2]);
  if (decr === null) return;
  if (decr === I64_MIN) {
    c.w.error(Err.decrOverflow);
    return;
  }
  // (narrowed per type: TypeScript has no unary minus on number | bigint)
  incrDecr(c, argv[1], typeof decr === 'bigint' ? -decr : -decr);
};

/** A float argument or stored value: null if string2ld refuses it, else its exact value or 'inf'. */
function longDoubleArg(b: Buffer): LongDouble | 'inf' | null {
  const d = parseLongDouble(b);
  if (d === null) return null;
  const text = b.toString('latin1');
  // parseLongDouble also answers Infinity for finite values beyond double range ("1e400").
  if (!Number.isFinite(d) && /^[+-]?inf/i.test(text)) return 'inf';
  return longDoubleFromText(text) ?? 'inf';
}

/**
 * INCRBYFLOAT: the stored value (0 if missing) and the increment are parsed as Redis's long
 * doubles (refusing with "not a valid float"), added in exact x87 long double arithmetic
 * (strings-longdouble.ts), refused if infinite, and stored in INCRBYFLOAT's "%.17Lf" form.
 * The TTL is kept.
 */
const incrbyfloatCommand: Handler = (c, argv) => {
  const key = argv[1];
  const e = writeString(c, key);
  if (e === WRONG) return;
  const cur = e === NONE ? ZERO : longDoubleArg(c.db.value(e));
  const incr = cur === null ? null : longDoubleArg(argv[2]);
  if (cur === null || incr === null) {
    c.w.error(Err.notFloat);
    return;
  }
  const sum = cur === 'inf' || incr === 'inf' ? null : addLongDouble(cur, incr);
  if (sum === null) {
    c.w.error(Err.incrNanOrInf);
    return;
  }
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  // Redis stores this as embstr/raw, never "int", even when the result is integral ("3").
  const store = c.srv.keyspace.store;
  numberSpace(c, key, e, text.length, StrEnc.NoInt, 'incrbyfloat');
  store.rb.set(text, store.rv);
  // Propagates as SET key <text> KEEPTTL: a replica or a replay never redoes the float math.
  if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.set, key, text, PropName.keepttl]);
  c.w.bulk(text);
};

export const numericHandlers: Record<string, Handler> = {
  incr: incrCommand,
  decr: decrCommand,
  incrby: incrbyCommand,
  decrby: decrbyCommand,
  incrbyfloat: incrbyfloatCommand,
};
