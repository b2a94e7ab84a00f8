// Byte-range commands on string values: APPEND, SETRANGE, GETRANGE and SUBSTR.
//
// Growing values. APPEND and SETRANGE modify a value the way Redis modifies an sds: in place,
// with spare capacity so a run of appends costs amortised O(1) per byte. A stored Buffer may
// however be shared (a SET value, a buffer another command kept), so it is only written to
// when these handlers allocated it themselves for this very entry: `owned` maps such a value
// (a view starting at offset 0 of its own ArrayBuffer, whose byteLength is the capacity) to
// the entry that owns it. Anything else is copied into a fresh owned buffer first.
//   Writing past the end of the current view is invisible to every older view of the same
// buffer (they are all shorter); writing inside it (SETRANGE) is only done for the owner.
// Contract for other code: a command that duplicates a string entry (COPY, RESTORE of a
// DUMP taken from memory...) must give the copy its own Buffer, as Redis duplicates the
// object, never the same Buffer object.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { type Entry, StrEnc } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { EMPTY, readString, storeString, writeString } from './strings-store.js';
import { intArg, keyOf, ownBytes } from './util.js';

/** Values allocated here, mapped to the only entry allowed to write into them. */
const owned = new WeakMap<Buffer, Entry>();

/** sds-like growth: double small strings, add 1 MB to large ones. */
const GROW_LINEAR = 1024 * 1024;

/**
 * Makes e's value `newLen` bytes long (newLen >= current length) and writable in place, keeping
 * its bytes; bytes past the old length are zero. Returns the new value, already stored in e.
 */
function growValue(e: Entry, newLen: number): Buffer {
  const cur = e.value as Buffer;
  const oldLen = cur.length;
  let out: Buffer;
  if (owned.get(cur) === e && cur.buffer.byteLength >= newLen) {
    out = Buffer.from(cur.buffer, 0, newLen);
    owned.delete(cur);
  } else {
    const cap = newLen < GROW_LINEAR ? Math.max(newLen * 2, 16) : newLen + GROW_LINEAR;
    out = Buffer.from(Buffer.allocUnsafeSlow(cap).buffer, 0, newLen);
    cur.copy(out, 0, 0, oldLen);
  }
  if (newLen > oldLen) out.fill(0, oldLen, newLen);
  owned.set(out, e);
  e.value = out;
  e.enc = StrEnc.Raw;
  return out;
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
  const key = keyOf(argv[1]);
  const add = argv[2];
  const e = writeString(c, key);
  if (e === null) return;
  let len: number;
  if (e === undefined) {
    storeString(c, key, ownBytes(add));
    len = add.length;
  } else {
    const oldLen = (e.value as Buffer).length;
    if (!checkStringLength(c, oldLen + add.length)) return;
    const out = growValue(e, oldLen + add.length);
    add.copy(out, oldLen);
    len = out.length;
  }
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
  const key = keyOf(argv[1]);
  const e = writeString(c, key);
  if (e === null) return;
  if (e === undefined) {
    if (value.length === 0) {
      c.w.integer(0);
      return;
    }
    if (!checkStringLength(c, BigInt(offset) + BigInt(value.length))) return;
    const start = Number(offset);
    const buf = Buffer.alloc(start + value.length);
    value.copy(buf, start);
    const ne = storeString(c, key, buf, { enc: StrEnc.Raw });
    owned.set(buf, ne);
    c.srv.dirty++;
    c.w.integer(buf.length);
    return;
  }
  const cur = e.value as Buffer;
  if (value.length === 0) {
    c.w.integer(cur.length);
    return;
  }
  if (!checkStringLength(c, BigInt(offset) + BigInt(value.length))) return;
  const start = Number(offset);
  const out = growValue(e, Math.max(cur.length, start + value.length));
  value.copy(out, start);
  c.srv.dirty++;
  c.w.integer(out.length);
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
  const e = readString(c, keyOf(argv[1]));
  if (e === null) return;
  const v = e === undefined ? EMPTY : (e.value as Buffer);
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
