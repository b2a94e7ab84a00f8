// Sorted-set algebra (Redis zunionInterDiffGenericCommand): ZUNION, ZINTER, ZDIFF, ZUNIONSTORE,
// ZINTERSTORE, ZDIFFSTORE and ZINTERCARD. Merged into zsetsHandlers by zsets.ts.
//
// Inputs may be sorted sets or plain sets (every member scoring 1, in the set's own order). The steps and their error
// order are Redis's: numkeys, the keys (looked up as reads; WRONGTYPE for other types), then
// the options (WEIGHTS, AGGREGATE, WITHSCORES, LIMIT, each only where the command allows it).
// Union and intersection visit the inputs from the smallest to the largest (a stable sort, as
// glibc's merge-sort qsort is), so floating-point sums add up in Redis's order; a weight times
// a score that is NaN (inf * 0) counts as 0, and so does a SUM of +inf and -inf.
//
// Results are built as a skiplist; the STORE variants then convert it to a listpack when it
// fits (zsetConvertToListpackIfNeeded), replace the destination and raise zunionstore /
// zinterstore / zdiffstore, or delete the destination when the result is empty.

import { Err } from '../../lib/errors.js';
import { parseDouble, parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { SetValue } from '../keyspace/types/set.js';
import { ZSetValue } from '../keyspace/types/zset.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent } from '../signals.js';
import { aggregateOf } from './typed.js';
import { isKeyword } from './util.js';
import { deleteStoreDst, longArg, replyEntriesHeader, replyEntry, storeZSet, zsetLimits } from './zsets-common.js';

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: its members with scores, a membership test, and its weight. */
interface Source {
  /** The value object (identity tells a key given twice). Null for a missing key. */
  readonly obj: object | null;
  readonly size: number;
  score(member: string): number | undefined;
  entries(): Iterable<[string, number]>;
  weight: number;
}

const EMPTY: Source = { obj: null, size: 0, score: () => undefined, entries: () => [], weight: 1 };

function zsetSource(z: ZSetValue): Source {
  return { obj: z, size: z.size, score: (m) => z.score(m), entries: () => z.descending(), weight: 1 };
}

/** A plain set as an input: every member scores 1 (its members in the set's own order). */
function setSource(set: SetValue): Source {
  return {
    obj: set,
    size: set.size,
    score: (m) => (set.has(m) ? 1 : undefined),
    entries: function* () {
      for (let i = 0; i < set.size; i++) yield [set.memberAt(i), 1] as [string, number];
    },
    weight: 1,
  };
}

/** zunionInterAggregate. */
function aggregate(target: number, v: number, how: Aggregate): number {
  if (how === 'sum') {
    const s = target + v;
    return Number.isNaN(s) ? 0 : s;
  }
  if (how === 'min') return v < target ? v : target;
  return v > target ? v : target;
}

interface Options {
  op: Op;
  /** Index of numkeys in argv. */
  numkeysIdx: number;
  /** The destination of a STORE variant. */
  dst: Buffer | null;
  /** ZINTERCARD: only count the intersection. */
  cardOnly: boolean;
  /** Command name for the "at least 1 input key" error. */
  name: string;
}

/** Looks up the inputs; null after replying WRONGTYPE. */
function readSources(c: Client, keys: Buffer[]): Source[] | null {
  const out: Source[] = [];
  for (const key of keys) {
    const e = c.srv.keyspace.lookupRead(c.db, key, c.srv.now, c.noTouch);
    if (e === NONE) {
      out.push({ ...EMPTY });
      continue;
    }
    const t = c.db.type(e);
    if (t === VType.ZSet) out.push(zsetSource(aggregateOf<ZSetValue>(c, e)));
    else if (t === VType.Set) out.push(setSource(aggregateOf<SetValue>(c, e)));
    else {
      c.w.error(Err.wrongType);
      return null;
    }
  }
  return out;
}

/** Union of the sources into a skiplist-encoded result. */
function union(src: Source[], how: Aggregate): ZSetValue {
  const acc = new Map<string, number>();
  for (const s of src) {
    if (s.size === 0) continue;
    for (const [m, score] of s.entries()) {
      let v = s.weight * score;
      if (Number.isNaN(v)) v = 0;
      const t = acc.get(m);
      acc.set(m, t === undefined ? v : aggregate(t, v, how));
    }
  }
  const dst = ZSetValue.create(false);
  for (const [m, v] of acc) dst.insertNew(m, v);
  return dst;
}

/**
 * Walks the intersection (src sorted by size, smallest first), calling found(member, score)
 * for each member present everywhere; found returns false to stop early.
 */
function intersect(src: Source[], how: Aggregate, found: (m: string, score: number) => boolean): void {
  const first = src[0];
  if (first.size === 0) return;
  for (const [m, s0] of first.entries()) {
    let score = first.weight * s0;
    if (Number.isNaN(score)) score = 0;
    let j = 1;
    for (; j < src.length; j++) {
      const other = src[j];
      if (other.obj === first.obj) {
        score = aggregate(score, s0 * other.weight, how);
        continue;
      }
      const v = other.score(m);
      if (v === undefined) break;
      score = aggregate(score, v * other.weight, how);
    }
    if (j === src.length && !found(m, score)) return;
  }
}

/** First source minus every other (scores from the first); a key given twice empties it. */
function difference(src: Source[]): ZSetValue {
  const dst = ZSetValue.create(false);
  const first = src[0];
  if (first.size === 0) return dst;
  for (let j = 1; j < src.length; j++) if (src[j].obj === first.obj) return dst;
  for (const [m, s] of first.entries()) {
    let exists = false;
    for (let j = 1; j < src.length && !exists; j++) exists = src[j].score(m) !== undefined;
    if (!exists) dst.insertNew(m, s);
  }
  return dst;
}

/** zunionInterDiffGenericCommand: see the file header for the order of checks. */
function zsetAlgebra(c: Client, argv: Buffer[], o: Options): void {
  const setnum = longArg(c, argv[o.numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) return void c.w.error(Err.atLeastOneKey(o.name));
  if (setnum > argv.length - (o.numkeysIdx + 1)) return void c.w.error(Err.syntax);
  const src = readSources(c, argv.slice(o.numkeysIdx + 1, o.numkeysIdx + 1 + setnum));
  if (src === null) return;

  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  for (let j = o.numkeysIdx + 1 + setnum; j < argv.length; ) {
    const remaining = argv.length - j;
    const a = argv[j];
    if (o.op !== 'diff' && !o.cardOnly && remaining >= setnum + 1 && isKeyword(a, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(argv[j]);
        if (w === null) return void c.w.error(Err.weightNotFloat);
        src[i].weight = w;
      }
    } else if (o.op !== 'diff' && !o.cardOnly && remaining >= 2 && isKeyword(a, 'aggregate')) {
      const v = argv[j + 1];
      if (isKeyword(v, 'sum')) how = 'sum';
      else if (isKeyword(v, 'min')) how = 'min';
      else if (isKeyword(v, 'max')) how = 'max';
      else return void c.w.error(Err.syntax);
      j += 2;
    } else if (o.dst === null && !o.cardOnly && isKeyword(a, 'withscores')) {
      withScores = true;
      j++;
    } else if (o.cardOnly && remaining >= 2 && isKeyword(a, 'limit')) {
      const l = parseIntArg(argv[j + 1]);
      if (l === null || l < 0) return void c.w.error(Err.limitNegative);
      limit = Number(l);
      j += 2;
    } else {
      return void c.w.error(Err.syntax);
    }
  }

  // Smallest first; Array.prototype.sort is stable.
  if (o.op !== 'diff') src.sort((a, b) => a.size - b.size);

  if (o.cardOnly) {
    let n = 0;
    intersect(src, how, () => ++n !== limit);
    return void c.w.integer(n);
  }
  let result: ZSetValue;
  if (o.op === 'union') {
    result = union(src, how);
  } else if (o.op === 'inter') {
    result = ZSetValue.create(false);
    const r = result;
    intersect(src, how, (m, s) => {
      r.insertNew(m, s);
      return true;
    });
  } else {
    result = difference(src);
  }

  if (o.dst !== null) {
    if (result.size === 0) {
      c.w.integer(0);
      deleteStoreDst(c, o.dst);
      return;
    }
    result.convertToListpackIfNeeded(zsetLimits(c));
    storeZSet(c, o.dst, result);
    c.w.integer(result.size);
    notifyKeyspaceEvent(c, NOTIFY.zset, `z${o.op}store`, o.dst, c.db.id);
    c.srv.dirty++;
    return;
  }
  replyEntriesHeader(c, result.size, withScores);
  for (const [m, s] of result.ascending()) replyEntry(c, m, s, withScores);
}

export const setopHandlers: Record<string, Handler> = {
  zunion: (c, argv) => zsetAlgebra(c, argv, { op: 'union', numkeysIdx: 1, dst: null, cardOnly: false, name: 'zunion' }),
  zinter: (c, argv) => zsetAlgebra(c, argv, { op: 'inter', numkeysIdx: 1, dst: null, cardOnly: false, name: 'zinter' }),
  zdiff: (c, argv) => zsetAlgebra(c, argv, { op: 'diff', numkeysIdx: 1, dst: null, cardOnly: false, name: 'zdiff' }),
  zintercard: (c, argv) => zsetAlgebra(c, argv, { op: 'inter', numkeysIdx: 1, dst: null, cardOnly: true, name: 'zintercard' }),
  zunionstore: (c, argv) => zsetAlgebra(c, argv, { op: 'union', numkeysIdx: 2, dst: argv[1], cardOnly: false, name: 'zunionstore' }),
  zinterstore: (c, argv) => zsetAlgebra(c, argv, { op: 'inter', numkeysIdx: 2, dst: argv[1], cardOnly: false, name: 'zinterstore' }),
  zdiffstore: (c, argv) => zsetAlgebra(c, argv, { op: 'diff', numkeysIdx: 2, dst: argv[1], cardOnly: false, name: 'zdiffstore' }),
};
