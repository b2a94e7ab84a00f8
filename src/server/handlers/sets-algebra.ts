// Set algebra over several keys: SMEMBERS (Redis 7.0 serves it with SINTER of one key),
// SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.
//
// Every source key is read with a read lookup (hit/miss statistics), the STORE forms included,
// in argument order, stopping at the first key of another type (WRONGTYPE). Results are built
// as Redis builds them — a new set that starts as an intset and converts when a member is not
// an integer or the size passes set-max-intset-entries — so a stored result has Redis's
// encoding and a replied result Redis's order when it is an intset. The *STORE forms replace
// the destination whatever it held (setKey: TTL dropped) or delete it when the result is empty.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { SetValue } from '../keyspace/types/set.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { maxIntsetEntries, replyMembers } from './sets-common.js';
import { WRONG_TYPE, aggregateOf, lookupReadOfType, setAggregate } from './typed.js';
import { isKeyword } from './util.js';

/**
 * Reads the source sets of keys in order: an array with null for a missing key, or undefined
 * after WRONGTYPE was replied (later keys are not looked up).
 */
function readSources(c: Client, keys: readonly Buffer[]): (SetValue | null)[] | undefined {
  const sets: (SetValue | null)[] = [];
  for (const key of keys) {
    const e = lookupReadOfType(c, key, VType.Set);
    if (e === WRONG_TYPE) return undefined;
    sets.push(e === NONE ? null : aggregateOf<SetValue>(c, e));
  }
  return sets;
}

/**
 * The end of every *STORE: a non-empty result replaces dst (event `event`), an empty one
 * deletes it (a 'del' event only if it existed). Replies the result's size.
 */
function finishStore(c: Client, dst: Buffer, result: SetValue, event: string): void {
  if (result.size > 0) {
    setAggregate(c, dst, VType.Set, result);
    c.w.integer(result.size);
    notifyKeyspaceEvent(c, NOTIFY.set, event, dst, c.db.id);
    c.srv.dirty++;
    return;
  }
  c.w.integer(0);
  if (c.db.deleteKey(dst)) {
    c.srv.dirty++;
    signalModifiedKey(c, c.db, dst);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', dst, c.db.id);
  }
}

// ---------------------------------------------------------------------------------------
// Intersection

/** What sinterGeneric produces: a reply (SINTER, SMEMBERS), a count (SINTERCARD) or a store. */
type InterMode = { kind: 'reply' } | { kind: 'card'; limit: number } | { kind: 'store'; dst: Buffer };

/**
 * sinterGenericCommand: every key is looked up (a missing one makes the result empty, but the
 * later keys are still looked up and type-checked); then the members of the smallest set, in
 * its order, that every other set holds.
 */
function sinterGeneric(c: Client, keys: readonly Buffer[], mode: InterMode): void {
  const found = readSources(c, keys);
  if (found === undefined) return;
  if (found.includes(null)) {
    if (mode.kind === 'store') {
      if (c.db.deleteKey(mode.dst)) {
        signalModifiedKey(c, c.db, mode.dst);
        notifyKeyspaceEvent(c, NOTIFY.generic, 'del', mode.dst, c.db.id);
        c.srv.dirty++;
      }
      c.w.integer(0);
    } else if (mode.kind === 'card') {
      c.w.integer(0);
    } else {
      c.w.set(0);
    }
    return;
  }
  // Smallest first (a stable sort: equal sizes keep the argument order).
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0];
  const isInAll = (m: string): boolean => {
    for (let j = 1; j < sets.length; j++) if (sets[j] !== first && !sets[j].has(m)) return false;
    return true;
  };
  const n = first.size;
  if (mode.kind === 'card') {
    let card = 0;
    for (let i = 0; i < n; i++) {
      if (!isInAll(first.memberAt(i))) continue;
      card++;
      if (mode.limit > 0 && card >= mode.limit) break;
    }
    c.w.integer(card);
    return;
  }
  if (mode.kind === 'reply') {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const m = first.memberAt(i);
      if (isInAll(m)) out.push(m);
    }
    c.w.set(out.length);
    for (const m of out) c.w.bulkLatin1(m);
    return;
  }
  const result = SetValue.intset();
  const max = maxIntsetEntries(c);
  for (let i = 0; i < n; i++) {
    const m = first.memberAt(i);
    if (isInAll(m)) result.add(m, max);
  }
  finishStore(c, mode.dst, result, 'sinterstore');
}

/** SMEMBERS key: SINTER of one key (a missing key is an empty set reply). */
function smembersCommand(c: Client, argv: Buffer[]): void {
  const e = lookupReadOfType(c, argv[1], VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.set(0);
  replyMembers(c, aggregateOf<SetValue>(c, e));
}

function sinterCommand(c: Client, argv: Buffer[]): void {
  sinterGeneric(c, argv.slice(1), { kind: 'reply' });
}

function sinterstoreCommand(c: Client, argv: Buffer[]): void {
  sinterGeneric(c, argv.slice(2), { kind: 'store', dst: argv[1] });
}

/**
 * SINTERCARD numkeys key [key ...] [LIMIT limit]: numkeys in [1, LONG_MAX] and no more than
 * the arguments left, then the options (LIMIT must be a non-negative integer; 0 = no limit).
 */
function sintercardCommand(c: Client, argv: Buffer[]): void {
  const nk = parseIntArg(argv[1]);
  if (nk === null || nk < 1) return void c.w.error(Err.numkeysPositive);
  if (nk > argv.length - 2) return void c.w.error(Err.numkeysTooMany);
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (isKeyword(argv[j], 'limit') && j + 1 < argv.length) {
      const v = parseIntArg(argv[++j]);
      if (v === null || v < 0) return void c.w.error(Err.limitNegative);
      limit = Number(v);
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  sinterGeneric(c, argv.slice(2, 2 + numkeys), { kind: 'card', limit });
}

// ---------------------------------------------------------------------------------------
// Union and difference

/**
 * sunionDiffGenericCommand. Missing keys are empty sets. The difference uses Redis's two
 * algorithms, chosen by the same estimate, because they can leave a stored result in different
 * encodings: (1) keep each member of the first set no other set has; (2) copy the first set and
 * remove every other set's members (the copy may pass the intset limit on the way and stay a
 * hashtable). A later key naming the same set as the first makes the difference empty.
 */
function sunionDiffGeneric(c: Client, keys: readonly Buffer[], dst: Buffer | null, diff: boolean): void {
  const sets = readSources(c, keys);
  if (sets === undefined) return;
  const first = sets[0];
  let sameSet = false;
  for (let j = 1; j < sets.length; j++) if (sets[j] !== null && sets[j] === first) sameSet = true;

  const result = SetValue.intset();
  const max = maxIntsetEntries(c);
  if (!diff) {
    for (const s of sets) {
      if (s === null) continue;
      for (let i = 0; i < s.size; i++) result.add(s.memberAt(i), max);
    }
  } else if (first !== null && !sameSet) {
    let algoOne = 0;
    let algoTwo = 0;
    for (const s of sets) {
      if (s === null) continue;
      algoOne += first.size;
      algoTwo += s.size;
    }
    algoOne = Math.floor(algoOne / 2);
    if (algoOne <= algoTwo) {
      for (let i = 0; i < first.size; i++) {
        const m = first.memberAt(i);
        let elsewhere = false;
        for (let j = 1; j < sets.length && !elsewhere; j++) elsewhere = sets[j]?.has(m) === true;
        if (!elsewhere) result.add(m, max);
      }
    } else {
      for (let j = 0; j < sets.length; j++) {
        const s = sets[j];
        if (s === null) continue;
        for (let i = 0; i < s.size; i++) {
          if (j === 0) result.add(s.memberAt(i), max);
          else result.delete(s.memberAt(i));
        }
        if (result.size === 0) break;
      }
    }
  }

  if (dst === null) return replyMembers(c, result);
  finishStore(c, dst, result, diff ? 'sdiffstore' : 'sunionstore');
}

export const algebraHandlers: Record<string, Handler> = {
  smembers: smembersCommand,
  sinter: sinterCommand,
  sintercard: sintercardCommand,
  sinterstore: sinterstoreCommand,
  sunion: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, false),
  sunionstore: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], false),
  sdiff: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, true),
  sdiffstore: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], true),
};
