// List commands that take from one list and may give to another, or choose among several
// keys: LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.
//
// A blocking command first tries to serve at once, exactly as its non-blocking form. When no
// key has elements it calls blockForKeys (src/server/blocking.ts) and returns without replying;
// the blocking layer re-runs it with the same argv once a key it waits on gets elements, and
// replies the timeout reply when the deadline passes. Redis 7.0 answers a timed-out (or
// CLIENT UNBLOCKed) list command with a null array whatever the command, BLMOVE and
// BRPOPLPUSH included; where a client cannot block (MULTI/EXEC) BLPOP, BRPOP and BLMPOP reply
// a null array at once but BLMOVE and BRPOPLPUSH a nil.

import { Err } from '../../lib/errors.js';
import { blockForKeys, keysToServe, parseBlockTimeout } from '../blocking.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { ListValue } from '../keyspace/types/list.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import {
  HEAD,
  TAIL,
  elementsRemoved,
  longAtLeast,
  popEnd,
  popRangeWithKey,
  pushAndReply,
  whereArg,
  type Where,
} from './lists-common.js';
import { WRONG_TYPE, aggregateOf, lookupWriteOfType } from './typed.js';
import { isKeyword } from './util.js';

// ---------------------------------------------------------------------------------------------
// LMOVE family

/**
 * Write lookup of a key a blocking command takes from. A key of another type is WRONGTYPE when
 * the command first runs; when a blocked client is re-run (c.blocked is set) it counts as
 * missing instead, because Redis 7.0 serves blocked clients only from keys holding a list and
 * leaves them blocked otherwise (e.g. after MULTI; LPUSH k; DEL k; SET k; EXEC).
 */
function lookupBlockingKey(c: Client, key: Buffer): number {
  if (c.blocked === null) return lookupWriteOfType(c, key, VType.List);
  const e = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  return e !== NONE && c.db.type(e) !== VType.List ? NONE : e;
}

/**
 * Moves one element from the `from` end of the list at src (entry se, non-empty, already
 * type-checked) to the `to` end of the list at dst, creating it, and replies the element.
 * WRONGTYPE (and no change) when dst holds another type. src and dst may be the same key
 * (a rotation): the destination is looked up before the pop, so a one-element list is never
 * deleted in between. Events: the push on dst first, then the pop on src (Redis order).
 */
function moveOne(c: Client, argv: Buffer[], se: number, from: Where, to: Where): void {
  const src = argv[1];
  const dst = argv[2];
  const de = lookupWriteOfType(c, dst, VType.List);
  if (de === WRONG_TYPE) return;
  const slist = aggregateOf<ListValue>(c, se);
  const dlist = de === NONE ? null : aggregateOf<ListValue>(c, de);
  const value = popEnd(slist, from);
  pushAndReply(c, dst, de, dlist, value, to);
  elementsRemoved(c, src, from, se, slist, 1);
}

/** LMOVE / RPOPLPUSH once the ends are parsed: nil for a missing source. */
function lmoveGeneric(c: Client, argv: Buffer[], from: Where, to: Where): void {
  const se = lookupWriteOfType(c, argv[1], VType.List);
  if (se === WRONG_TYPE) return;
  if (se === NONE) return void c.w.nil();
  moveOne(c, argv, se, from, to);
}

const lmoveCommand: Handler = (c, argv) => {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  lmoveGeneric(c, argv, from, to);
};

/**
 * BLMOVE / BRPOPLPUSH once the arguments are parsed: a source of another type is WRONGTYPE
 * (the destination is only checked when there is something to move); a missing source blocks
 * on it alone. Redis 7.0 replies a nil where it cannot block (MULTI/EXEC) but a null array
 * when the wait times out (or CLIENT UNBLOCK ends it), as for every blocked list command.
 */
function blmoveGeneric(c: Client, argv: Buffer[], from: Where, to: Where, deadline: number): void {
  const se = lookupBlockingKey(c, argv[1]);
  if (se === WRONG_TYPE) return;
  if (se !== NONE) {
    // Propagates as the non-blocking form: RPOPLPUSH src dst, or LMOVE src dst with the
    // client's own LEFT/RIGHT words — spelled "left"/"right" by Redis 7.0 when a blocked
    // client is served later.
    const prop = c.srv.propagation;
    if (prop.active) {
      if (argv.length === 4) prop.rewrite([PropName.rpoplpush, argv[1], argv[2]]);
      else if (c.blocked === null) prop.rewrite([PropName.lmove, argv[1], argv[2], argv[3], argv[4]]);
      else prop.rewrite([PropName.lmove, argv[1], argv[2], whereWord(from), whereWord(to)]);
    }
    return moveOne(c, argv, se, from, to);
  }
  if (c.inExec) return void c.w.nil();
  blockForKeys(c, [argv[1]], deadline, 'nilArray');
}

const blmoveCommand: Handler = (c, argv) => {
  const from = whereArg(c, argv[3]);
  if (from === null) return;
  const to = whereArg(c, argv[4]);
  if (to === null) return;
  const deadline = parseBlockTimeout(c, argv[5]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, from, to, deadline);
};

const brpoplpushCommand: Handler = (c, argv) => {
  const deadline = parseBlockTimeout(c, argv[3]);
  if (deadline === null) return;
  blmoveGeneric(c, argv, TAIL, HEAD, deadline);
};

// ---------------------------------------------------------------------------------------------
// Pops from the first non-empty of several keys

/** Redis's shared "left" / "right" for an end of a list. */
function whereWord(w: Where): Buffer {
  return w === HEAD ? PropName.left : PropName.right;
}

/**
 * BLPOP/BRPOP (count -1: reply [key, element]) and BLMPOP (count >= 1: reply [key, [elements]])
 * over keys, in argument order. A key of another type met before a non-empty list is
 * WRONGTYPE. When every key is missing the client blocks on all of them (a null array on
 * timeout).
 */
function blockingPop(c: Client, keys: Buffer[], where: Where, timeoutArg: Buffer, count: number): void {
  const deadline = parseBlockTimeout(c, timeoutArg);
  if (deadline === null) return;
  for (const key of keysToServe(c, keys)) {
    const e = lookupBlockingKey(c, key);
    if (e === WRONG_TYPE) return;
    if (e === NONE) continue;
    const list = aggregateOf<ListValue>(c, e);
    if (count !== -1) return popRangeWithKey(c, key, e, list, where, count);
    // BLPOP / BRPOP propagate as LPOP / RPOP key.
    const prop = c.srv.propagation;
    if (prop.active) prop.rewrite([where === HEAD ? PropName.lpop : PropName.rpop, key]);
    c.w.array(2);
    c.w.bulk(key);
    c.w.bulkLatin1(popEnd(list, where));
    elementsRemoved(c, key, where, e, list, 1);
    return;
  }
  blockForKeys(c, keys, deadline, 'nilArray');
}

/** LMPOP over keys: [key, [elements]] from the first non-empty list, else a null array. */
function mpop(c: Client, keys: Buffer[], where: Where, count: number): void {
  for (const key of keys) {
    const e = lookupWriteOfType(c, key, VType.List);
    if (e === WRONG_TYPE) return;
    if (e === NONE) continue;
    return popRangeWithKey(c, key, e, aggregateOf<ListValue>(c, e), where, count);
  }
  c.w.nilArray();
}

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] (numkeysIdx 1) and BLMPOP timeout
 * numkeys ... (numkeysIdx 2, timeout parsed last, as Redis does). numkeys must be >= 1 and
 * leave room for the direction; COUNT may appear once and must be >= 1.
 */
function lmpopGeneric(c: Client, argv: Buffer[], numkeysIdx: number, block: boolean): void {
  const numkeys = longAtLeast(c, argv[numkeysIdx], 1, Err.numkeysPositive);
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return void c.w.error(Err.syntax);
  const where = whereArg(c, argv[whereIdx]);
  if (where === null) return;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j], 'count') && j < argv.length - 1) {
      const n = longAtLeast(c, argv[++j], 1, Err.countPositive);
      if (n === null) return;
      count = n;
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) blockingPop(c, keys, where, argv[1], count);
  else mpop(c, keys, where, count);
}

// ---------------------------------------------------------------------------------------------

export const moveHandlers: Record<string, Handler> = {
  lmove: lmoveCommand,
  rpoplpush: (c, argv) => lmoveGeneric(c, argv, TAIL, HEAD),
  lmpop: (c, argv) => lmpopGeneric(c, argv, 1, false),
  blpop: (c, argv) => blockingPop(c, argv.slice(1, -1), HEAD, argv[argv.length - 1], -1),
  brpop: (c, argv) => blockingPop(c, argv.slice(1, -1), TAIL, argv[argv.length - 1], -1),
  blmove: blmoveCommand,
  brpoplpush: brpoplpushCommand,
  blmpop: (c, argv) => lmpopGeneric(c, argv, 2, true),
};
