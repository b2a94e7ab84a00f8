// Shared plumbing of the list handlers (lists.ts, lists-move.ts): argument parsing with the
// list commands' rules, creating a list, and the bookkeeping that follows a pop or a push
// (events, deleting an emptied key, dirty count, waking blocked clients) done once, as Redis's
// listElementsRemoved and lmoveHandlePush do it.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { ListValue } from '../keyspace/types/list.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalKeyAsReady, signalModifiedKey } from '../signals.js';
import { addAggregate } from './typed.js';
import { isKeyword } from './util.js';

/** The end of a list an element is taken from or added to (Redis LIST_HEAD / LIST_TAIL). */
export const HEAD = 0;
export const TAIL = 1;
export type Where = typeof HEAD | typeof TAIL;

/** int64 minimum, which some list arguments treat specially (Redis negates it and overflows). */
export const LONG_MIN = -(2n ** 63n);

/**
 * Redis getLongFromObjectOrReply: an int64 argument as a number (values beyond 2^53 lose
 * precision, which no list position or count can tell apart). Replies `err` and returns null
 * when the argument is not an integer.
 */
export function longArg(c: Client, arg: Buffer, err: string = Err.notInteger): number | null {
  const v = parseIntArg(arg);
  if (v === null) {
    c.w.error(err);
    return null;
  }
  return Number(v);
}

/**
 * Redis getRangeLongFromObjectOrReply(min, LONG_MAX) with a message: an int64 argument >= min,
 * else `err` (for a non-integer too) and null.
 */
export function longAtLeast(c: Client, arg: Buffer, min: number, err: string): number | null {
  const v = parseIntArg(arg);
  if (v === null || v < min) {
    c.w.error(err);
    return null;
  }
  return Number(v);
}

/** LEFT or RIGHT (any case) as HEAD or TAIL; replies a syntax error and returns null otherwise. */
export function whereArg(c: Client, arg: Buffer): Where | null {
  if (isKeyword(arg, 'right')) return TAIL;
  if (isKeyword(arg, 'left')) return HEAD;
  c.w.error(Err.syntax);
  return null;
}

/** A new empty list with the node fill configured now (Redis fixes it when a list is created). */
export function newList(c: Client): ListValue {
  return new ListValue(c.srv.config.getNumber('list-max-listpack-size'));
}

/** Removes one element from the given end (the list is known to be non-empty). */
export function popEnd(list: ListValue, where: Where): string {
  return (where === HEAD ? list.popHead() : list.popTail()) as string;
}

/**
 * Replies the elements [start, end] (already clamped, 0 <= start <= end < length) as an array,
 * from end to start when reverse.
 */
export function replyRange(c: Client, list: ListValue, start: number, end: number, reverse: boolean): void {
  c.w.array(end - start + 1);
  if (reverse) for (let j = end; j >= start; j--) c.w.bulkLatin1(list.at(j));
  else for (let j = start; j <= end; j++) c.w.bulkLatin1(list.at(j));
}

/**
 * After `count` elements were popped from the `where` end of list (entry e at key): the
 * lpop/rpop event, deleting the key with a 'del' event if the list is now empty, the
 * modified-key signal and the dirty count (Redis listElementsRemoved).
 */
export function elementsRemoved(c: Client, key: Buffer, where: Where, e: number, list: ListValue, count: number): void {
  notifyKeyspaceEvent(c, NOTIFY.list, where === HEAD ? 'lpop' : 'rpop', key, c.db.id);
  if (list.length === 0) {
    c.db.delete(e);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
  }
  signalModifiedKey(c, c.db, key);
  c.srv.dirty += count;
}

/**
 * Pops up to count elements from the `where` end of list (entry e at key) and replies
 * [key, [elements in pop order]] (LMPOP, BLMPOP), then does the pop bookkeeping.
 */
export function popRangeWithKey(c: Client, key: Buffer, e: number, list: ListValue, where: Where, count: number): void {
  const n = Math.min(count, list.length);
  c.w.array(2);
  c.w.bulk(key);
  c.w.array(n);
  for (let j = 0; j < n; j++) c.w.bulkLatin1(popEnd(list, where));
  elementsRemoved(c, key, where, e, list, n);
  // Propagates as LPOP / RPOP key <elements popped>, the pop made on the key chosen.
  const prop = c.srv.propagation;
  if (prop.active) prop.rewrite([where === HEAD ? PropName.lpop : PropName.rpop, key, Buffer.from(String(n), 'latin1')]);
}

/**
 * Pushes value onto the `where` end of the list at key (entry e, or NONE to create it) and
 * replies it as a bulk string: the destination side of LMOVE and its relatives (Redis
 * lmoveHandlePush). Raises the lpush/rpush event and wakes clients blocked on key; the dirty
 * count is the pop side's.
 */
export function pushAndReply(c: Client, key: Buffer, e: number, list: ListValue | null, value: string, where: Where): void {
  let dst = list;
  if (e === NONE || dst === null) {
    dst = newList(c);
    addAggregate(c, key, VType.List, dst);
  }
  if (where === HEAD) dst.pushHead(value);
  else dst.pushTail(value);
  signalModifiedKey(c, c.db, key);
  notifyKeyspaceEvent(c, NOTIFY.list, where === HEAD ? 'lpush' : 'rpush', key, c.db.id);
  signalKeyAsReady(c, c.db, key, VType.List);
  c.w.bulkLatin1(value);
}
