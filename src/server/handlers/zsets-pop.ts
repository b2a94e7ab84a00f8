// Popping the lowest or highest members (Redis genericZpopCommand and its callers): ZPOPMIN,
// ZPOPMAX, ZMPOP, and the blocking BZPOPMIN, BZPOPMAX, BZMPOP. Merged into zsetsHandlers by
// zsets.ts.
//
// Reply shapes, as Redis 7.0 sends them:
//   ZPOPMIN/ZPOPMAX key          [member, score] (flat, both protocols)
//   ZPOPMIN/ZPOPMAX key count    RESP2 flat [m, s, m, s...]; RESP3 [[m, s], ...]
//   BZPOPMIN/BZPOPMAX            [key, member, score] (flat, both protocols)
//   ZMPOP/BZMPOP                 [key, [[m, s], ...]] (both protocols); nothing: null array
// The blocking commands try at once; when no key has members they block through
// blockForKeys and are re-run with the same arguments when a key gets members.

import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { ZSetValue } from '../keyspace/types/zset.js';
import { blockForKeys, keysToServe, parseBlockTimeout } from '../blocking.js';
import type { Client } from '../network/client.js';
import { PropName } from '../propagate.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import { aggregateOf } from './typed.js';
import { isKeyword } from './util.js';
import { LONG_MAX, deleteEmptied, rangeLongArg, writeZSet } from './zsets-common.js';

interface PopShape {
  /** Pop from the highest end. */
  max: boolean;
  /** Put the key name in the reply (the multi-key commands). */
  emitKey: boolean;
  /** Members to pop, or -1 for the single-pop form. */
  count: number;
  /** Entries as [member, score] arrays. */
  nested: boolean;
  /** Reply a null array (not an empty one) when no key has members. */
  nilWhenEmpty: boolean;
}

/**
 * genericZpopCommand: pops from the first of keys that exists (a WRONGTYPE on the way stops
 * everything). Raises zpopmin/zpopmax once, deletes the key with a "del" event when emptied,
 * and counts one dirty change per member.
 */
function zpopGeneric(c: Client, keys: readonly Buffer[], p: PopShape): void {
  let key: Buffer | null = null;
  let found: { z: ZSetValue; e: number } | null = null;
  for (const k of keys) {
    const f = writeZSet(c, k);
    if (f === undefined) return;
    if (f === null) continue;
    key = k;
    found = f;
    break;
  }
  if (found === null || key === null) return void (p.nilWhenEmpty ? c.w.nilArray() : c.w.array(0));
  if (p.count === 0) return void c.w.array(0);
  const z = found.z;
  const n = Math.min(p.count === -1 ? 1 : p.count, z.size);
  if (!p.nested && !p.emitKey) {
    c.w.array(n * 2);
  } else if (p.nested && !p.emitKey) {
    c.w.array(n);
  } else if (!p.nested) {
    c.w.array(n * 2 + 1);
    c.w.bulk(key);
  } else {
    c.w.array(2);
    c.w.bulk(key);
    c.w.array(n);
  }
  for (let i = 0; i < n; i++) {
    const [m, s] = z.pop(p.max);
    c.srv.dirty++;
    if (i === 0) {
      notifyKeyspaceEvent(c, NOTIFY.zset, p.max ? 'zpopmax' : 'zpopmin', key, c.db.id);
      signalModifiedKey(c, c.db, key);
    }
    if (p.nested) c.w.array(2);
    c.w.bulkLatin1(m);
    c.w.double(s);
  }
  if (z.size === 0) deleteEmptied(c, key, found.e);
  // The multi-key forms propagate as the pop they made on the key they chose: BZPOPMIN/MAX
  // as ZPOPMIN/MAX key, ZMPOP and BZMPOP as ZPOPMIN/MAX key <members popped>. ZPOPMIN/MAX go
  // as they came.
  const prop = c.srv.propagation;
  if (p.emitKey && prop.active) {
    const name = p.max ? PropName.zpopmax : PropName.zpopmin;
    prop.rewrite(p.count === -1 ? [name, key] : [name, key, Buffer.from(String(n), 'latin1')]);
  }
}

/**
 * blockingGenericZpopCommand: the timeout, then the keys in order: the first non-empty sorted
 * set is popped like the non-blocking form (with the key in the reply); if none, the client
 * blocks on all of them and times out with a null array.
 *
 * When the blocking machinery re-runs the command for a client already blocked (a waited key
 * got members), a key holding another type is skipped rather than answered with WRONGTYPE:
 * Redis serves a blocked client only from a ready key that holds a sorted set and otherwise
 * leaves it blocked.
 */
function blockingZpop(c: Client, keys: Buffer[], timeoutArg: Buffer, p: PopShape): void {
  const deadline = parseBlockTimeout(c, timeoutArg);
  if (deadline === null) return;
  const rerun = c.blocked !== null;
  for (const k of keysToServe(c, keys)) {
    const e = c.srv.keyspace.lookupWrite(c.db, k, c.srv.now, c.noTouch);
    if (e === NONE) continue;
    if (c.db.type(e) !== VType.ZSet) {
      if (rerun) continue;
      return void c.w.error(Err.wrongType);
    }
    if (aggregateOf<ZSetValue>(c, e).size === 0) continue;
    zpopGeneric(c, [k], p);
    return;
  }
  blockForKeys(c, keys, deadline, 'nilArray');
}

/** ZPOPMIN / ZPOPMAX key [count]: count >= 0 ("must be positive" otherwise). */
function zpopMinMax(c: Client, argv: Buffer[], max: boolean): void {
  if (argv.length > 3) return void c.w.error(Err.syntax);
  let count = -1;
  if (argv.length === 3) {
    const v = parseIntArg(argv[2]);
    if (v === null || v < 0) return void c.w.error(Err.mustBePositive);
    count = Number(v);
  }
  zpopGeneric(c, [argv[1]], { max, emitKey: false, count, nested: c.w.resp === 3 && count !== -1, nilWhenEmpty: false });
}

/**
 * ZMPOP numkeys key... MIN|MAX [COUNT count] and BZMPOP timeout numkeys ...: numkeys >= 1,
 * the MIN/MAX token right after the keys, COUNT >= 1 at most once; then (BZMPOP) the timeout.
 */
function zmpopGeneric(c: Client, argv: Buffer[], numkeysIdx: number, block: boolean): void {
  const numkeys = rangeLongArg(c, argv[numkeysIdx], 1n, LONG_MAX, Err.numkeysPositive);
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return void c.w.error(Err.syntax);
  let max: boolean;
  if (isKeyword(argv[whereIdx], 'min')) max = false;
  else if (isKeyword(argv[whereIdx], 'max')) max = true;
  else return void c.w.error(Err.syntax);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j], 'count') && j + 1 < argv.length) {
      const v = rangeLongArg(c, argv[++j], 1n, LONG_MAX, Err.countPositive);
      if (v === null) return;
      count = v;
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, numkeysIdx + 1 + numkeys);
  const shape: PopShape = { max, emitKey: true, count, nested: true, nilWhenEmpty: true };
  if (block) blockingZpop(c, keys, argv[1], shape);
  else zpopGeneric(c, keys, shape);
}

/** BZPOPMIN / BZPOPMAX key... timeout. */
function bzpopMinMax(c: Client, argv: Buffer[], max: boolean): void {
  const shape: PopShape = { max, emitKey: true, count: -1, nested: false, nilWhenEmpty: false };
  blockingZpop(c, argv.slice(1, -1), argv[argv.length - 1], shape);
}

export const popHandlers: Record<string, Handler> = {
  zpopmin: (c, argv) => zpopMinMax(c, argv, false),
  zpopmax: (c, argv) => zpopMinMax(c, argv, true),
  zmpop: (c, argv) => zmpopGeneric(c, argv, 1, false),
  bzmpop: (c, argv) => zmpopGeneric(c, argv, 2, true),
  bzpopmin: (c, argv) => bzpopMinMax(c, argv, false),
  bzpopmax: (c, argv) => bzpopMinMax(c, argv, true),
};
