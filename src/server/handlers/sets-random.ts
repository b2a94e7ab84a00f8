// Random picks from a set: SPOP and SRANDMEMBER, with Redis 7.0's strategies where they are
// observable. SPOP with a count that leaves few members builds the remainder as a new set
// (which may change the encoding back to intset, as in Redis), and SPOP of the whole set
// replies through a union (an intset-shaped result comes back in ascending order); SRANDMEMBER
// of the whole set replies the set in its own order. Picks use the server's seeded RNG.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { SetValue } from '../keyspace/types/set.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { maxIntsetEntries, replyMembers } from './sets-common.js';
import { WRONG_TYPE, aggregateOf, lookupReadOfType, lookupWriteOfType } from './typed.js';

/** SPOP builds the remainder as a new set when remaining * this <= count (SPOP_MOVE_STRATEGY_MUL). */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SRANDMEMBER samples by removal when count * this > size (SRANDMEMBER_SUB_STRATEGY_MUL). */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;
/**
 * Most elements one SRANDMEMBER reply with repetitions may hold. Redis has no bound (a huge
 * negative count runs until the client's output buffer limit or memory runs out); Shoal
 * refuses such a reply instead of building a buffer it cannot hold.
 */
const MAX_REPEAT_REPLY = 1 << 24;

// ---------------------------------------------------------------------------------------
// SPOP

/** SPOP key [count]. */
function spopCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 3) return spopWithCount(c, argv);
  if (argv.length > 3) return void c.w.error(Err.syntax);
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.nil();
  const s = aggregateOf<SetValue>(c, e);
  const m = s.removeAt(c.srv.rng.int(s.size));
  notifyKeyspaceEvent(c, NOTIFY.set, 'spop', key, c.db.id);
  // Propagates as SREM key <member>: the random choice travels as its outcome.
  if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.srem, key, Buffer.from(m, 'latin1')]);
  c.w.bulkLatin1(m);
  if (s.size === 0) {
    c.db.delete(e);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
  }
  signalModifiedKey(c, c.db, key);
  c.srv.dirty++;
}

/**
 * SPOP key count: count is checked first (any non-integer or negative value is "must be
 * positive"), then the key. Three cases as in Redis: the whole set (replied as SUNION of the
 * key would, key deleted), few members taken (random removals), or most taken (the members to
 * keep move to a new set that replaces the old one; the old one's members are the reply).
 */
function spopWithCount(c: Client, argv: Buffer[]): void {
  const v = parseIntArg(argv[2]);
  if (v === null || v < 0) return void c.w.error(Err.mustBePositive);
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE || v === 0) return void c.w.set(0);
  const s = aggregateOf<SetValue>(c, e);
  const size = s.size;
  notifyKeyspaceEvent(c, NOTIFY.set, 'spop', key, c.db.id);

  if (v >= size) {
    c.srv.dirty += size;
    // Redis answers with SUNION of the key: a second (read) lookup, and a fresh result set.
    lookupReadOfType(c, key, VType.Set);
    const all = SetValue.intset();
    const max = maxIntsetEntries(c);
    for (let i = 0; i < size; i++) all.add(s.memberAt(i), max);
    replyMembers(c, all);
    c.db.delete(e);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
    // Propagates as DEL key (Redis 7.0 writes DEL here whatever lazyfree-lazy-server-del says).
    if (c.srv.propagation.active) c.srv.propagation.rewrite([PropName.del, key]);
    signalModifiedKey(c, c.db, key);
    return;
  }

  const count = Number(v);
  c.srv.dirty += count;
  const rng = c.srv.rng;
  c.w.set(count);
  let remaining = size - count;
  // Each member taken propagates as its own SREM key <member> (one execution unit: MULTI/EXEC
  // around them), and the SPOP itself not at all, as Redis 7.0 spopWithCountCommand.
  const prop = c.srv.propagation;
  const propagate = prop.active;
  if (propagate) prop.prevent();
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let n = 0; n < count; n++) {
      const m = s.removeAt(rng.int(s.size));
      c.w.bulkLatin1(m);
      if (propagate) prop.also(c.db.id, [PropName.srem, key, Buffer.from(m, 'latin1')]);
    }
  } else {
    const max = maxIntsetEntries(c);
    let kept: SetValue | null = null;
    for (; remaining > 0; remaining--) {
      const m = s.removeAt(rng.int(s.size));
      if (kept === null) kept = SetValue.forMember(m);
      kept.add(m, max);
    }
    for (let i = 0; i < s.size; i++) {
      c.w.bulkLatin1(s.memberAt(i));
      if (propagate) prop.also(c.db.id, [PropName.srem, key, Buffer.from(s.memberAt(i), 'latin1')]);
    }
    s.adopt(kept as SetValue);
  }
  signalModifiedKey(c, c.db, key);
}

// ---------------------------------------------------------------------------------------
// SRANDMEMBER

/** SRANDMEMBER key [count]. */
function srandmemberCommand(c: Client, argv: Buffer[]): void {
  if (argv.length === 3) return srandmemberWithCount(c, argv);
  if (argv.length > 3) return void c.w.error(Err.syntax);
  const e = lookupReadOfType(c, argv[1], VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.nil();
  const s = aggregateOf<SetValue>(c, e);
  c.w.bulkLatin1(s.memberAt(c.srv.rng.int(s.size)));
}

/**
 * SRANDMEMBER key count, an array reply: count in [-LONG_MAX, LONG_MAX] (checked before the
 * key); a negative count draws |count| members with repetition; a positive one distinct
 * members, the whole set (in its order) when count >= size.
 */
function srandmemberWithCount(c: Client, argv: Buffer[]): void {
  const v = parseIntArg(argv[2]);
  if (v === null) return void c.w.error(Err.notInteger);
  if (v === -(2n ** 63n)) return void c.w.error(Err.longRange);
  const uniq = v >= 0;
  const e = lookupReadOfType(c, argv[1], VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE || v === 0) return void c.w.array(0);
  const s = aggregateOf<SetValue>(c, e);
  const size = s.size;
  const rng = c.srv.rng;
  const abs = typeof v === 'bigint' ? (v < 0n ? -v : v) : Math.abs(v);

  if (!uniq || abs === 1) {
    if (abs > MAX_REPEAT_REPLY) return void c.w.error(Err.outOfRange);
    const count = Number(abs);
    c.w.array(count);
    for (let n = 0; n < count; n++) c.w.bulkLatin1(s.memberAt(rng.int(size)));
    return;
  }
  if (abs >= size) {
    c.w.array(size);
    for (let i = 0; i < size; i++) c.w.bulkLatin1(s.memberAt(i));
    return;
  }
  const count = Number(abs);
  c.w.array(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: copy it and drop random members until count are left.
    const all: string[] = [];
    for (let i = 0; i < size; i++) all.push(s.memberAt(i));
    for (let n = size; n > count; n--) {
      const i = rng.int(n);
      all[i] = all[n - 1];
    }
    for (let i = 0; i < count; i++) c.w.bulkLatin1(all[i]);
    return;
  }
  // A small sample: draw until count distinct positions are found.
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(size));
  for (const i of picked) c.w.bulkLatin1(s.memberAt(i));
}

export const randomHandlers: Record<string, Handler> = {
  spop: spopCommand,
  srandmember: srandmemberCommand,
};
