// Range reads of sorted sets (Redis zrangeGenericCommand and friends): ZRANGE with BYSCORE /
// BYLEX / REV / LIMIT / WITHSCORES, ZRANGESTORE, and the older ZRANGEBYSCORE,
// ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX (and ZREVRANGE, whose spec is pending). Merged
// into zsetsHandlers by zsets.ts.
//
// One generic function serves them all, as in t_zset.c: the command fixes the range type and
// direction or leaves them to the options; the range is parsed before the key is looked up;
// the result goes to the client (RESP2 flat member/score, RESP3 [member, score] pairs) or,
// for ZRANGESTORE, into a new sorted set built like Redis builds it (listpack first, converted
// as members are added).

import { zsetsSpecs } from '../../commands/zsets.js';
import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { ZSetValue } from '../keyspace/types/zset.js';
import type { LexRange, ScoreRange } from '../keyspace/types/zset.js';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from '../keyspace/types/skiplist.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent } from '../signals.js';
import { isKeyword } from './util.js';
import {
  deleteStoreDst,
  longArg,
  parseLexRange,
  parseScoreRange,
  readZSet,
  replyEntriesHeader,
  replyEntry,
  storeZSet,
  zsetLimits,
} from './zsets-common.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** The selected entries, in reply order. */
interface RangeResult {
  members: string[];
  scores: number[];
}

/** Ranks start..end (Redis semantics: negative from the end, clamped) in the given direction. */
function byRank(z: ZSetValue, start: number, end: number, reverse: boolean, out: RangeResult): void {
  const n = z.size;
  if (start < 0) start = n + start;
  if (end < 0) end = n + end;
  if (start < 0) start = 0;
  if (start > end || start >= n) return;
  if (end >= n) end = n - 1;
  let left = end - start + 1;
  z.walk(reverse ? n - 1 - start : start, reverse, (m, s) => {
    out.members.push(m);
    out.scores.push(s);
    return --left > 0;
  });
}

/**
 * The entries from the first in range (the last, reversed) on, skipping `offset` of them and
 * taking at most `limit` (negative: no limit) while inRange holds. A negative offset selects
 * nothing (Redis's skip loop then runs off the end).
 */
function byInterval(
  z: ZSetValue,
  startRank: number,
  offset: number,
  limit: number,
  reverse: boolean,
  inRange: (m: string, s: number) => boolean,
  out: RangeResult,
): void {
  if (offset > 0 && offset >= z.size) return;
  if (startRank < 0 || offset < 0 || limit === 0) return;
  const from = reverse ? startRank - offset : startRank + offset;
  if (from < 0 || from >= z.size) return;
  let left = limit;
  z.walk(from, reverse, (m, s) => {
    if (!inRange(m, s)) return false;
    out.members.push(m);
    out.scores.push(s);
    return --left !== 0;
  });
}

function byScore(z: ZSetValue, r: ScoreRange, offset: number, limit: number, reverse: boolean, out: RangeResult): void {
  const start = reverse ? z.lastInScore(r) : z.firstInScore(r);
  const inRange = reverse ? (_m: string, s: number) => scoreGteMin(s, r) : (_m: string, s: number) => scoreLteMax(s, r);
  byInterval(z, start, offset, limit, reverse, inRange, out);
}

function byLex(z: ZSetValue, r: LexRange, offset: number, limit: number, reverse: boolean, out: RangeResult): void {
  const start = reverse ? z.lastInLex(r) : z.firstInLex(r);
  const inRange = reverse ? (m: string) => lexGteMin(m, r) : (m: string) => lexLteMax(m, r);
  byInterval(z, start, offset, limit, reverse, inRange, out);
}

/**
 * ZRANGESTORE's ending (zrangeResultFinalizeStore): a non-empty result replaces dst (any
 * type, TTL dropped) and raises "zrangestore"; an empty one deletes dst.
 */
function finishStore(c: Client, dst: Buffer, res: RangeResult): void {
  const n = res.members.length;
  if (n === 0) {
    c.w.integer(0);
    deleteStoreDst(c, dst);
    return;
  }
  const limits = zsetLimits(c);
  const z = ZSetValue.create(true);
  for (let i = 0; i < n; i++) z.add(res.members[i], res.scores[i], 0, limits);
  storeZSet(c, dst, z);
  c.w.integer(n);
  notifyKeyspaceEvent(c, NOTIFY.zset, 'zrangestore', dst, c.db.id);
  c.srv.dirty++;
}

/**
 * zrangeGenericCommand. argv[keyIdx] is the source key, followed by min, max and options;
 * `dst` is ZRANGESTORE's destination (null for replies to the client). Options: WITHSCORES
 * (not with dst), LIMIT offset count, and — when the command leaves them open — REV, BYSCORE,
 * BYLEX. Conflicts (LIMIT with a rank range, WITHSCORES with BYLEX) are errors, then the range
 * is parsed (reversed ranges give max first), then the key is looked up.
 */
function zrangeGeneric(c: Client, argv: Buffer[], keyIdx: number, dst: Buffer | null, type: RangeType, dir: Direction): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIdx + 3; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (dst === null && isKeyword(a, 'withscores')) {
      withScores = true;
    } else if (isKeyword(a, 'limit') && left >= 2) {
      const o = longArg(c, argv[j + 1]);
      if (o === null) return;
      const l = longArg(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === 'auto' && isKeyword(a, 'rev')) {
      dir = 'reverse';
    } else if (type === 'auto' && isKeyword(a, 'bylex')) {
      type = 'lex';
    } else if (type === 'auto' && isKeyword(a, 'byscore')) {
      type = 'score';
    } else {
      return void c.w.error(Err.syntax);
    }
  }
  const reverse = dir === 'reverse';
  if (type === 'auto') type = 'rank';
  // Redis compares with its "no limit" default, so an explicit LIMIT x -1 passes.
  if (limit !== -1 && type === 'rank') return void c.w.error(Err.limitNeedsBy);
  if (withScores && type === 'lex') return void c.w.error(Err.withscoresBylex);
  let minArg = argv[keyIdx + 1];
  let maxArg = argv[keyIdx + 2];
  if (reverse && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];

  let select: (z: ZSetValue, out: RangeResult) => void;
  if (type === 'rank') {
    const start = longArg(c, minArg);
    if (start === null) return;
    const end = longArg(c, maxArg);
    if (end === null) return;
    select = (z, out) => byRank(z, start, end, reverse, out);
  } else if (type === 'score') {
    const r = parseScoreRange(minArg, maxArg);
    if (r === null) return void c.w.error(Err.minMaxNotFloat);
    select = (z, out) => byScore(z, r, offset, limit, reverse, out);
  } else {
    const r = parseLexRange(minArg, maxArg);
    if (r === null) return void c.w.error(Err.minMaxNotLex);
    select = (z, out) => byLex(z, r, offset, limit, reverse, out);
  }

  const z = readZSet(c, argv[keyIdx]);
  if (z === undefined) return;
  const res: RangeResult = { members: [], scores: [] };
  if (z !== null) select(z, res);
  if (dst !== null) return finishStore(c, dst, res);
  const n = res.members.length;
  replyEntriesHeader(c, n, withScores);
  for (let i = 0; i < n; i++) replyEntry(c, res.members[i], res.scores[i], withScores);
}

/** ZREVRANGE key start stop [WITHSCORES]: a rank range from the highest. */
const zrevrangeCommand: Handler = (c, argv) => zrangeGeneric(c, argv, 1, null, 'rank', 'reverse');

export const rangeHandlers: Record<string, Handler> = {
  zrange: (c, argv) => zrangeGeneric(c, argv, 1, null, 'auto', 'auto'),
  zrangestore: (c, argv) => zrangeGeneric(c, argv, 2, argv[1], 'auto', 'auto'),
  zrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'forward'),
  zrevrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'reverse'),
  zrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'forward'),
  zrevrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'reverse'),
  // ZREVRANGE exists in Redis 7.0 but its spec is not in src/commands/zsets.ts yet; the
  // handler registers itself once the spec is there (the command table refuses a handler
  // without a spec).
  ...(zsetsSpecs.some((s) => s.name === 'zrevrange') ? { zrevrange: zrevrangeCommand } : {}),
};
