// Counter commands on string values: INCR DECR INCRBY DECRBY (one int64 routine, incrDecr)
// and INCRBYFLOAT. Results are stored as their canonical decimal text with the "auto"
// encoding (so OBJECT ENCODING says "int" as Redis does) and the key keeps its TTL.

import { Err } from '../../lib/errors.js';
import { formatLongDouble, parseI64, parseLongDouble, parseSafeInt } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { StrEnc } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { E, storeString, writeString } from './strings-store.js';
import { intArg, keyOf } from './util.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Replaces the value of an existing entry (TTL and access clock kept) or stores a new key. */
function putNumber(c: Client, key: string, e: ReturnType<typeof writeString>, text: Buffer): void {
  if (e) {
    e.value = text;
    e.enc = StrEnc.Auto;
  } else {
    storeString(c, key, text);
  }
  c.srv.dirty++;
}

/**
 * Adds `incr` (an int64) to the integer stored at key (0 if missing). Replies the new value,
 * WRONGTYPE, "not an integer" when the stored text is not a canonical int64 (spaces, "+1",
 * "1.5", ""), or the overflow error when the sum leaves int64. Safe integers stay on the fast
 * number path; anything larger is computed exactly with bigint.
 */
function incrDecr(c: Client, keyArg: Buffer, incr: number | bigint): void {
  const key = keyOf(keyArg);
  const e = writeString(c, key);
  if (e === null) return;
  let cur: number | bigint = 0;
  if (e !== undefined) {
    const v = e.value as Buffer;
    const n = parseSafeInt(v);
    const parsed = n !== null ? n : parseI64(v);
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
  putNumber(c, key, e, Buffer.from(String(result), 'latin1'));
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
    c.w.error(E.decrOverflow);
    return;
  }
  incrDecr(c, argv[1], typeof decr === 'bigint' ? -decr : -decr);
};

/**
 * INCRBYFLOAT: the stored value (0 if missing) and the increment are parsed as Redis's long
 * doubles (refusing with "not a valid float"), summed, refused if NaN or infinite, and stored
 * in INCRBYFLOAT's fixed-point form. The TTL is kept.
 */
const incrbyfloatCommand: Handler = (c, argv) => {
  const key = keyOf(argv[1]);
  const e = writeString(c, key);
  if (e === null) return;
  const cur = e === undefined ? 0 : parseLongDouble(e.value as Buffer);
  const incr = cur === null ? null : parseLongDouble(argv[2]);
  if (cur === null || incr === null) {
    c.w.error(Err.notFloat);
    return;
  }
  const sum = cur + incr;
  if (!Number.isFinite(sum)) {
    c.w.error(Err.incrNanOrInf);
    return;
  }
  const text = Buffer.from(formatLongDouble(sum), 'latin1');
  // Redis stores this as embstr/raw, never "int"; StrEnc has no way to say so yet, so an
  // integral result (e.g. "3") reports "int" in OBJECT ENCODING.
  putNumber(c, key, e, text);
  // propagate: as SET key <text> KEEPTTL.
  c.w.bulk(text);
};

export const numericHandlers: Record<string, Handler> = {
  incr: incrCommand,
  decr: decrCommand,
  incrby: incrbyCommand,
  decrby: decrbyCommand,
  incrbyfloat: incrbyfloatCommand,
};
