// List command handlers on one key: LPUSH RPUSH LPUSHX RPUSHX, LPOP RPOP (with count), LLEN,
// LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM and LPOS. Moves between lists, LMPOP and the
// blocking commands live in lists-move.ts; their records are merged into listsHandlers.
//
// Argument-checking order follows Redis 7.0's t_list.c exactly, since it decides which error a
// client sees: LRANGE, LTRIM, LREM, LPOP and LPOS parse their numbers before looking the key
// up; LINDEX and LSET look the key up (missing key, WRONGTYPE) before parsing the index.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { ListValue } from '../keyspace/types/list.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalKeyAsReady, signalModifiedKey } from '../signals.js';
import {
  HEAD,
  LONG_MIN,
  TAIL,
  elementsRemoved,
  longArg,
  longAtLeast,
  newList,
  popEnd,
  replyRange,
  type Where,
} from './lists-common.js';
import { moveHandlers } from './lists-move.js';
import { WRONG_TYPE, addAggregate, aggregateOf, lookupReadOfType, lookupWriteOfType } from './typed.js';
import { isKeyword } from './util.js';

// ---------------------------------------------------------------------------------------------
// Pushes

/**
 * LPUSH/RPUSH (xx false) and LPUSHX/RPUSHX (xx: only onto an existing list). Replies the new
 * length (0 for a missing key under xx).
 */
function pushGeneric(c: Client, argv: Buffer[], where: Where, xx: boolean): void {
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  let list: ListValue;
  if (e === NONE) {
    if (xx) return void c.w.integer(0);
    list = newList(c);
    addAggregate(c, key, VType.List, list);
  } else {
    list = aggregateOf<ListValue>(c, e);
  }
  for (let j = 2; j < argv.length; j++) {
    const s = argv[j].toString('latin1');
    if (where === HEAD) list.pushHead(s);
    else list.pushTail(s);
  }
  c.srv.dirty += argv.length - 2;
  c.w.integer(list.length);
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.list, where === HEAD ? 'lpush' : 'rpush', key, c.db.id);
  signalKeyAsReady(c, c.db, key, VType.List);
}

// ---------------------------------------------------------------------------------------------
// Pops

/**
 * LPOP/RPOP key [count]. Without count: the element or nil. With count: an array of up to
 * count elements in pop order, an empty array for count 0, a null array for a missing key.
 */
function popGeneric(c: Client, argv: Buffer[], where: Where): void {
  if (argv.length > 3) return void c.w.error(Err.wrongArity(where === HEAD ? 'lpop' : 'rpop'));
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = longAtLeast(c, argv[2], 0, Err.mustBePositive);
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void (hasCount ? c.w.nilArray() : c.w.nil());
  if (hasCount && count === 0) return void c.w.array(0);
  const list = aggregateOf<ListValue>(c, e);
  if (!hasCount) {
    c.w.bulkLatin1(popEnd(list, where));
    elementsRemoved(c, key, where, e, list, 1);
    return;
  }
  const n = Math.min(count, list.length);
  c.w.array(n);
  for (let j = 0; j < n; j++) c.w.bulkLatin1(popEnd(list, where));
  elementsRemoved(c, key, where, e, list, n);
}

// ---------------------------------------------------------------------------------------------
// Reads

const llenCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.List);
  if (e === WRONG_TYPE) return;
  c.w.integer(e === NONE ? 0 : aggregateOf<ListValue>(c, e).length);
};

/**
 * Clamps Redis's inclusive range [start, end] (negative from the end) to [0, len-1]; null when
 * the range is empty.
 */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  return [start, Math.min(end, len - 1)];
}

const lrangeCommand: Handler = (c, argv) => {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const e = lookupReadOfType(c, argv[1], VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.array(0);
  const list = aggregateOf<ListValue>(c, e);
  const r = clampRange(start, end, list.length);
  if (r === null) return void c.w.array(0);
  replyRange(c, list, r[0], r[1], false);
};

/** The position of Redis index i (negative from the end) in a list of len, or -1 if outside. */
function position(i: number, len: number): number {
  const p = i < 0 ? len + i : i;
  return p >= 0 && p < len ? p : -1;
}

const lindexCommand: Handler = (c, argv) => {
  const e = lookupReadOfType(c, argv[1], VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.nil();
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const list = aggregateOf<ListValue>(c, e);
  const p = position(index, list.length);
  if (p < 0) c.w.nil();
  else c.w.bulkLatin1(list.at(p));
};

// ---------------------------------------------------------------------------------------------
// Changes in place

const lsetCommand: Handler = (c, argv) => {
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.error(Err.noSuchKey);
  const index = longArg(c, argv[2]);
  if (index === null) return;
  const list = aggregateOf<ListValue>(c, e);
  const p = position(index, list.length);
  if (p < 0) return void c.w.error(Err.indexOutOfRange);
  list.set(p, argv[3].toString('latin1'));
  c.w.ok();
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.list, 'lset', key, c.db.id);
  c.srv.dirty++;
};

/** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
const linsertCommand: Handler = (c, argv) => {
  let after: boolean;
  if (isKeyword(argv[2], 'after')) after = true;
  else if (isKeyword(argv[2], 'before')) after = false;
  else return void c.w.error(Err.syntax);
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  const list = aggregateOf<ListValue>(c, e);
  const p = list.indexOf(argv[3].toString('latin1'));
  if (p < 0) return void c.w.integer(-1);
  list.insert(after ? p + 1 : p, argv[4].toString('latin1'));
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.list, 'linsert', key, c.db.id);
  c.srv.dirty++;
  c.w.integer(list.length);
};

/**
 * LREM key count element: removes count matches from the head (count > 0), -count from the
 * tail (count < 0) or all (0). Like Redis, -2^63 (whose negation overflows) removes all.
 */
const lremCommand: Handler = (c, argv) => {
  const count = longArg(c, argv[2]);
  if (count === null) return;
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  const list = aggregateOf<ListValue>(c, e);
  const fromTail = count < 0;
  const limit = count === Number(LONG_MIN) ? 0 : Math.abs(count);
  const removed = list.remove(argv[3].toString('latin1'), limit, fromTail);
  if (removed > 0) {
    c.srv.dirty += removed;
    notifyKeyspaceEvent(c, NOTIFY.list, 'lrem', key, c.db.id);
    if (list.length === 0) {
      c.db.delete(e);
      notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
    }
    signalModifiedKey(c, c.db, key);
  }
  c.w.integer(removed);
};

/** LTRIM key start stop: keeps [start, stop]; an empty range deletes the key. Always +OK. */
const ltrimCommand: Handler = (c, argv) => {
  const start = longArg(c, argv[2]);
  if (start === null) return;
  const end = longArg(c, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.ok();
  const list = aggregateOf<ListValue>(c, e);
  const len = list.length;
  const r = clampRange(start, end, len);
  const ltrim = r === null ? len : r[0];
  const rtrim = r === null ? 0 : len - r[1] - 1;
  list.trim(ltrim, rtrim);
  notifyKeyspaceEvent(c, NOTIFY.list, 'ltrim', key, c.db.id);
  if (list.length === 0) {
    c.db.delete(e);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
  }
  signalModifiedKey(c, c.db, key);
  c.srv.dirty += ltrim + rtrim;
  c.w.ok();
};

// ---------------------------------------------------------------------------------------------
// LPOS

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Options are parsed (and may
 * repeat, the last winning) before the key is looked up. Without COUNT: the index of the
 * rank-th match or nil; with COUNT: an array of up to num-matches indexes (0 = all) starting at
 * the rank-th match. A negative rank searches from the tail. RANK -2^63 behaves as in Redis
 * 7.0, whose negation of it overflows: every match counts from the first one on, and COUNT
 * never stops the scan.
 */
const lposCommand: Handler = (c, argv) => {
  let rank = 1;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  let rankMin = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = j < argv.length - 1;
    if (isKeyword(opt, 'rank') && more) {
      const r = longArg(c, argv[++j]);
      if (r === null) return;
      if (r === 0) return void c.w.error(Err.rankZero);
      rank = r;
      rankMin = parseIntArg(argv[j]) === LONG_MIN;
    } else if (isKeyword(opt, 'count') && more) {
      const n = longAtLeast(c, argv[++j], 0, Err.countNegative);
      if (n === null) return;
      count = n;
    } else if (isKeyword(opt, 'maxlen') && more) {
      const n = longAtLeast(c, argv[++j], 0, Err.maxlenNegative);
      if (n === null) return;
      maxlen = n;
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  const fromTail = rank < 0;
  if (rankMin) {
    rank = 1;
    if (count > 0) count = 0;
  } else if (rank < 0) {
    rank = -rank;
  }
  const e = lookupReadOfType(c, argv[1], VType.List);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void (count !== -1 ? c.w.array(0) : c.w.nil());
  const list = aggregateOf<ListValue>(c, e);
  const ele = argv[2].toString('latin1');
  const len = list.length;
  const scan = maxlen === 0 ? len : Math.min(maxlen, len);
  const found: number[] = [];
  let matches = 0;
  for (let i = 0; i < scan; i++) {
    const p = fromTail ? len - 1 - i : i;
    if (list.at(p) !== ele) continue;
    matches++;
    if (matches < rank) continue;
    found.push(p);
    if (count === -1 || (count > 0 && found.length >= count)) break;
  }
  if (count === -1) {
    if (found.length > 0) c.w.integer(found[0]);
    else c.w.nil();
    return;
  }
  c.w.array(found.length);
  for (const p of found) c.w.integer(p);
};

// ---------------------------------------------------------------------------------------------

export const listsHandlers: Record<string, Handler> = {
  lpush: (c, argv) => pushGeneric(c, argv, HEAD, false),
  rpush: (c, argv) => pushGeneric(c, argv, TAIL, false),
  lpushx: (c, argv) => pushGeneric(c, argv, HEAD, true),
  rpushx: (c, argv) => pushGeneric(c, argv, TAIL, true),
  lpop: (c, argv) => popGeneric(c, argv, HEAD),
  rpop: (c, argv) => popGeneric(c, argv, TAIL),
  llen: llenCommand,
  lrange: lrangeCommand,
  lindex: lindexCommand,
  lset: lsetCommand,
  linsert: linsertCommand,
  lrem: lremCommand,
  ltrim: ltrimCommand,
  lpos: lposCommand,
  ...moveHandlers,
};
