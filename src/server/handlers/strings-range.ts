// Byte-range commands on string values: APPEND, SETRANGE, GETRANGE and SUBSTR.
//
// Growing values. APPEND and SETRANGE modify a value the way Redis modifies an sds: in place,
// with spare capacity so a run of appends costs amortised O(1) per byte (Store.growValue).

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc } from '../keyspace/entry.js';
import { stringMeta } from '../keyspace/store.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { EMPTY, readString, storeString, WRONG, writeString } from './strings-store.js';
import { intArg } from './util.js';

/**
 * Makes e's value `newLen` bytes long (newLen >= current length), keeping its bytes and
 * zero-filling the rest, and marks it raw. On return store.rb / store.rv point at the value.
 */
function growValue(c: Client, e: number, newLen: number): void {
  const store = c.srv.keyspace.store;
  const oldLen = store.valueLength(e);
  store.growValue(e, newLen);
  if (newLen > oldLen) store.rb.fill(0, store.rv + oldLen, store.rv + newLen);
  store.restring(e, StrEnc.Raw, -1);
}

/** Refuses (replying the error) a resulting length above proto-max-bulk-len. */
function checkStringLength(c: Client, total: number | bigint): boolean {
  if (total > c.srv.limits.protoMaxBulkLen) {
    c.w.error(Err.stringTooLong);
    return false;
  }
  return true;
}

/**
 * APPEND: creates the key with the argument as its value, or appends to the existing string
 * (refused past proto-max-bulk-len) and marks it raw. Replies the new length.
 */
const appendCommand: Handler = (c, argv) => {
  const key = argv[1];
  const add = argv[2];
  const e = writeString(c, key);
  if (e === WRONG) return;
  let len: number;
  if (e === NONE) {
    storeString(c, key, add, undefined, NONE);
    len = add.length;
  } else {
    const oldLen = c.srv.keyspace.store.valueLength(e);
    if (!checkStringLength(c, oldLen + add.length)) return;
    len = oldLen + add.length;
    growValue(c, e, len);
    const store = c.srv.keyspace.store;
    store.rb.set(add, store.rv + oldLen);
    signalModifiedKey(c, c.db, key);
  }
  notifyKeyspaceEvent(c, NOTIFY.string, 'append', key, c.db.id);
  c.srv.dirty++;
  c.w.integer(len);
};

/**
 * SETRANGE key offset value: overwrites from offset, zero-padding a gap, creating the key if
 * needed (raw encoding). An empty value changes nothing and replies the current length (0 for
 * a missing key, which is not created). Replies the new length.
 */
const setrangeCommand: Handler = (c, argv) => {
  const offset = intArg(c, argv[2]);
  if (offset === null) return;
  if (offset < 0) {
    c.w.error(Err.offsetOutOfRange);
    return;
  }
  const value = argv[3];
  const key = argv[1];
  const e = writeString(c, key);
  if (e === WRONG) return;
  const store = c.srv.keyspace.store;
  if (e === NONE) {
    if (value.length === 0) {
      c.w.integer(0);
      return;
    }
    if (!checkStringLength(c, BigInt(offset) + BigInt(value.length))) return;
    const start = Number(offset);
    const len = start + value.length;
    c.db.addSpace(key, len, stringMeta(StrEnc.Raw, c.srv.keyspace.initialLru(c.srv.now)), NO_EXPIRY);
    store.rb.fill(0, store.rv, store.rv + start);
    store.rb.set(value, store.rv + start);
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.string, 'setrange', key, c.db.id);
    c.srv.dirty++;
    c.w.integer(len);
    return;
  }
  const curLen = store.valueLength(e);
  if (value.length === 0) {
    c.w.integer(curLen);
    return;
  }
  if (!checkStringLength(c, BigInt(offset) + BigInt(value.length))) return;
  const start = Number(offset);
  const len = Math.max(curLen, start + value.length);
  growValue(c, e, len);
  store.rb.set(value, store.rv + start);
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.string, 'setrange', key, c.db.id);
  c.srv.dirty++;
  c.w.integer(len);
};

/** A clamp of an int64 argument to a safe number that keeps its order against any length. */
function toSafe(v: number | bigint): number {
  if (typeof v === 'number') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/**
 * GETRANGE / SUBSTR key start end: the bytes from start to end inclusive, negative indexes
 * counting from the end, clamped to the string; empty when the range is empty, when both
 * indexes are negative with start > end, or when the key is missing.
 */
const getrangeCommand: Handler = (c, argv) => {
  const s = intArg(c, argv[2]);
  if (s === null) return;
  const t = intArg(c, argv[3]);
  if (t === null) return;
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  const v = e === NONE ? EMPTY : c.db.value(e);
  if (s < 0 && t < 0 && s > t) {
    c.w.bulk(EMPTY);
    return;
  }
  const len = v.length;
  let start = toSafe(s);
  let end = toSafe(t);
  if (start < 0) start = Math.max(len + start, 0);
  if (end < 0) end = Math.max(len + end, 0);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.w.bulk(EMPTY);
  else c.w.bulk(v.subarray(start, end + 1));
};

export const rangeHandlers: Record<string, Handler> = {
  append: appendCommand,
  setrange: setrangeCommand,
  getrange: getrangeCommand,
  substr: getrangeCommand,
};
