// Sorted-set command handlers (Redis t_zset.c): ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE,
// ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, the ZREMRANGEBY* family, ZRANDMEMBER and ZSCAN. The other
// commands live next door and are merged into zsetsHandlers here:
//   zsets-range.ts   ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX
//   zsets-setops.ts  ZUNION, ZINTER, ZDIFF, their STORE variants, ZINTERCARD
//   zsets-pop.ts     ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP
//
// Argument errors come before the key look-up wherever Redis parses first (scores, ranges),
// so the order of errors (syntax, float, WRONGTYPE) matches Redis's.

import { Err } from '../../lib/errors.js';
import { formatDouble, parseDouble, parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { VType } from '../keyspace/entry.js';
import {
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_OUT_ADDED,
  ZADD_OUT_NAN,
  ZADD_OUT_NOP,
  ZADD_OUT_UPDATED,
  ZADD_XX,
  ZSetValue,
  listpackScoreText,
} from '../keyspace/types/zset.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalKeyAsReady, signalModifiedKey } from '../signals.js';
import { cursorPosition, parseElementScanOptions, parseScanCursor, replyScan } from './keys-iter.js';
import { addAggregate } from './typed.js';
import { isKeyword } from './util.js';
import {
  LONG_MAX,
  longArg,
  parseLexRange,
  parseScoreRange,
  readZSet,
  replyEntriesHeader,
  replyEntry,
  writeZSet,
  zsetLimits,
} from './zsets-common.js';
import { popHandlers } from './zsets-pop.js';
import { rangeHandlers } from './zsets-range.js';
import { setopHandlers } from './zsets-setops.js';

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

/**
 * zaddGenericCommand: options, then an even, non-empty list of score/member pairs, option
 * conflicts, every score parsed before anything is written (the command is all or nothing),
 * then the key. INCR replies the new score, or nil when a condition skipped the member.
 */
function zaddGeneric(c: Client, argv: Buffer[], incrOnly: boolean): void {
  let flags = incrOnly ? ZADD_INCR : 0;
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const a = argv[idx];
    if (isKeyword(a, 'nx')) flags |= ZADD_NX;
    else if (isKeyword(a, 'xx')) flags |= ZADD_XX;
    else if (isKeyword(a, 'ch')) ch = true;
    else if (isKeyword(a, 'incr')) flags |= ZADD_INCR;
    else if (isKeyword(a, 'gt')) flags |= ZADD_GT;
    else if (isKeyword(a, 'lt')) flags |= ZADD_LT;
    else break;
  }
  const rest = argv.length - idx;
  if (rest === 0 || rest % 2 !== 0) return void c.w.error(Err.syntax);
  const pairs = rest / 2;
  const incr = (flags & ZADD_INCR) !== 0;
  const nx = (flags & ZADD_NX) !== 0;
  if (nx && (flags & ZADD_XX) !== 0) return void c.w.error(Err.zaddXxAndNx);
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  if ((gt && nx) || (lt && nx) || (gt && lt)) return void c.w.error(Err.zaddGtLtNx);
  if (incr && pairs > 1) return void c.w.error(Err.zaddIncrSinglePair);
  const scores = new Array<number>(pairs);
  for (let j = 0; j < pairs; j++) {
    const s = parseDouble(argv[idx + j * 2]);
    if (s === null) return void c.w.error(Err.notFloat);
    scores[j] = s;
  }

  const key = argv[1];
  const found = writeZSet(c, key);
  if (found === undefined) return;
  const limits = zsetLimits(c);
  let z: ZSetValue;
  if (found === null) {
    if ((flags & ZADD_XX) !== 0) {
      if (incr) c.w.nil();
      else c.w.integer(0);
      return;
    }
    const first = argv[idx + 1].length;
    z = ZSetValue.create(limits.maxEntries !== 0 && first <= limits.maxValue);
    addAggregate(c, key, VType.ZSet, z);
  } else {
    z = found.z;
  }

  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let failed = false;
  for (let j = 0; j < pairs; j++) {
    const r = z.add(argv[idx + 1 + j * 2].toString('latin1'), scores[j], flags, limits);
    if ((r.flags & ZADD_OUT_NAN) !== 0) {
      failed = true;
      break;
    }
    if ((r.flags & ZADD_OUT_ADDED) !== 0) added++;
    if ((r.flags & ZADD_OUT_UPDATED) !== 0) updated++;
    if ((r.flags & ZADD_OUT_NOP) === 0) processed++;
    score = r.score;
  }
  c.srv.dirty += added + updated;
  if (failed) c.w.error(Err.scoreNaN);
  else if (!incr) c.w.integer(ch ? added + updated : added);
  else if (processed > 0) c.w.double(score);
  else c.w.nil();
  if (added > 0 || updated > 0) {
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.zset, incr ? 'zincr' : 'zadd', key, c.db.id);
  }
  // Propagated as is (the scores are absolute; INCR is replayed as an increment, like Redis).
  if (added > 0) signalKeyAsReady(c, c.db, key, VType.ZSet);
}

const zaddCommand: Handler = (c, argv) => zaddGeneric(c, argv, false);
const zincrbyCommand: Handler = (c, argv) => zaddGeneric(c, argv, true);

// ---------------------------------------------------------------------------------------------
// ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK

/** ZREM key member...: removes what exists; the key goes once empty (later members ignored). */
const zremCommand: Handler = (c, argv) => {
  const key = argv[1];
  const found = writeZSet(c, key);
  if (found === undefined) return;
  if (found === null) return void c.w.integer(0);
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (found.z.remove(argv[j].toString('latin1'))) deleted++;
    if (found.z.size === 0) {
      c.db.delete(found.e);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    notifyKeyspaceEvent(c, NOTIFY.zset, 'zrem', key, c.db.id);
    if (keyRemoved) notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
    signalModifiedKey(c, c.db, key);
    c.srv.dirty += deleted;
  }
  c.w.integer(deleted);
};

const zcardCommand: Handler = (c, argv) => {
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  c.w.integer(z === null ? 0 : z.size);
};

const zscoreCommand: Handler = (c, argv) => {
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  const s = z === null ? undefined : z.score(argv[2].toString('latin1'));
  if (s === undefined) c.w.nil();
  else c.w.double(s);
};

/** ZMSCORE key member...: a missing key is an empty set (every score nil). */
const zmscoreCommand: Handler = (c, argv) => {
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(argv[j].toString('latin1'));
    if (s === undefined) c.w.nil();
    else c.w.double(s);
  }
};

function zrankGeneric(c: Client, argv: Buffer[], reverse: boolean): void {
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  const r = z === null ? -1 : z.rank(argv[2].toString('latin1'), reverse);
  if (r < 0) c.w.nil();
  else c.w.integer(r);
}

// ---------------------------------------------------------------------------------------------
// ZCOUNT, ZLEXCOUNT

const zcountCommand: Handler = (c, argv) => {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) return void c.w.error(Err.minMaxNotFloat);
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  const first = z === null ? -1 : z.firstInScore(range);
  c.w.integer(first < 0 || z === null ? 0 : z.lastInScore(range) - first + 1);
};

const zlexcountCommand: Handler = (c, argv) => {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) return void c.w.error(Err.minMaxNotLex);
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  c.w.integer(z === null ? 0 : z.countInLex(range));
};

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX

type RemoveBy = 'rank' | 'score' | 'lex';

/** zremrangeGenericCommand: parse the range, then the key; the key goes when emptied. */
function zremrangeGeneric(c: Client, argv: Buffer[], by: RemoveBy): void {
  const key = argv[1];
  let remove: (z: ZSetValue) => number;
  if (by === 'rank') {
    const start = longArg(c, argv[2]);
    if (start === null) return;
    const end = longArg(c, argv[3]);
    if (end === null) return;
    remove = (z) => {
      const n = z.size;
      let s = start < 0 ? n + start : start;
      let e = end < 0 ? n + end : end;
      if (s < 0) s = 0;
      if (s > e || s >= n) return 0;
      if (e >= n) e = n - 1;
      return z.removeRankRange(s, e);
    };
  } else if (by === 'score') {
    const range = parseScoreRange(argv[2], argv[3]);
    if (range === null) return void c.w.error(Err.minMaxNotFloat);
    remove = (z) => z.removeScoreRange(range);
  } else {
    const range = parseLexRange(argv[2], argv[3]);
    if (range === null) return void c.w.error(Err.minMaxNotLex);
    remove = (z) => z.removeLexRange(range);
  }
  const found = writeZSet(c, key);
  if (found === undefined) return;
  if (found === null) return void c.w.integer(0);
  const deleted = remove(found.z);
  const emptied = found.z.size === 0;
  if (emptied) c.db.delete(found.e);
  if (deleted > 0) {
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.zset, `zremrangeby${by}`, key, c.db.id);
    if (emptied) notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
  }
  c.srv.dirty += deleted;
  c.w.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

/** Most entries a negative-count ZRANDMEMBER builds (Redis would exhaust memory past it). */
const MAX_REPEAT_REPLY = 1 << 24;
const WITHSCORES_MAX = LONG_MAX / 2n;

/**
 * ZRANDMEMBER key count [WITHSCORES] (zrandmemberWithCountCommand): a negative count picks
 * with repetition, in random order; a positive one distinct members: the whole set (highest
 * first, the order Redis's iterator gives) when count >= size, else a random subset.
 */
function zrandmemberWithCount(c: Client, key: Buffer, l: number, withScores: boolean): void {
  const z = readZSet(c, key);
  if (z === undefined) return;
  if (z === null || l === 0) return void c.w.array(0);
  const uniq = l > 0;
  const count = Math.abs(l);
  const size = z.size;
  const rng = c.srv.rng;
  if (!uniq || count === 1) {
    if (count > MAX_REPEAT_REPLY) return void c.w.error(Err.outOfRange);
    replyEntriesHeader(c, count, withScores);
    for (let n = 0; n < count; n++) {
      const [m, s] = z.random(rng.next());
      replyEntry(c, m, s, withScores);
    }
    return;
  }
  if (count >= size) {
    replyEntriesHeader(c, size, withScores);
    for (const [m, s] of z.descending()) replyEntry(c, m, s, withScores);
    return;
  }
  // A partial Fisher-Yates shuffle of the ranks picks `count` distinct entries uniformly.
  const picked = new Map<number, number>();
  const ranks: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    const vj = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    ranks.push(vj);
  }
  if (z.isListpack) ranks.sort((a, b) => a - b); // lpRandomPairsUnique keeps listpack order
  replyEntriesHeader(c, count, withScores);
  for (const r of ranks) {
    z.walk(r, false, (m, s) => {
      replyEntry(c, m, s, withScores);
      return false;
    });
  }
}

/**
 * ZRANDMEMBER key [count [WITHSCORES]]: the count (an integer in [-LONG_MAX, LONG_MAX]) and
 * the WITHSCORES token are checked before the key, then the tighter range WITHSCORES needs.
 * Without a count: one random member, or nil.
 */
const zrandmemberCommand: Handler = (c, argv) => {
  if (argv.length >= 3) {
    const l = parseIntArg(argv[2]);
    if (l === null) return void c.w.error(Err.notInteger);
    if (BigInt(l) < -LONG_MAX) return void c.w.error(Err.longRange);
    const withScores = argv.length === 4;
    if (argv.length > 4 || (withScores && !isKeyword(argv[3], 'withscores'))) return void c.w.error(Err.syntax);
    if (withScores && (BigInt(l) < -WITHSCORES_MAX || BigInt(l) > WITHSCORES_MAX)) return void c.w.error(Err.outOfRange);
    zrandmemberWithCount(c, argv[1], Number(l), withScores);
    return;
  }
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  if (z === null) return void c.w.nil();
  c.w.bulkLatin1(z.random(c.srv.rng.next())[0]);
};

// ---------------------------------------------------------------------------------------------
// ZSCAN

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is checked first, then the key
 * (a missing key is an empty scan whatever the options), then the options. A listpack comes
 * back whole with cursor 0 and its scores as the listpack holds them; a skiplist about COUNT
 * members per call, scores as "%.17g". Reply: [cursor, [member, score, ...]] in both protocols.
 */
const zscanCommand: Handler = (c, argv) => {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return void c.w.error(Err.invalidCursor);
  const z = readZSet(c, argv[1]);
  if (z === undefined) return;
  if (z === null) {
    replyScan(c, 0, []);
    return;
  }
  const opts = parseElementScanOptions(c, argv);
  if (opts === null) return;
  const { count, match } = opts;
  const out: string[] = [];
  let next = 0;
  if (z.isListpack) {
    for (const [m, s] of z.ascending()) {
      if (match === null || match(Buffer.from(m, 'latin1'))) out.push(m, listpackScoreText(s));
    }
  } else {
    next = z.scanDict(cursorPosition(cursor), count, (m, s) => {
      if (match === null || match(Buffer.from(m, 'latin1'))) out.push(m, formatDouble(s));
    });
  }
  replyScan(c, next, out);
};

export const zsetsHandlers: Record<string, Handler> = {
  zadd: zaddCommand,
  zincrby: zincrbyCommand,
  zrem: zremCommand,
  zcard: zcardCommand,
  zscore: zscoreCommand,
  zmscore: zmscoreCommand,
  zrank: (c, argv) => zrankGeneric(c, argv, false),
  zrevrank: (c, argv) => zrankGeneric(c, argv, true),
  zcount: zcountCommand,
  zlexcount: zlexcountCommand,
  zremrangebyrank: (c, argv) => zremrangeGeneric(c, argv, 'rank'),
  zremrangebyscore: (c, argv) => zremrangeGeneric(c, argv, 'score'),
  zremrangebylex: (c, argv) => zremrangeGeneric(c, argv, 'lex'),
  zrandmember: zrandmemberCommand,
  zscan: zscanCommand,
  ...rangeHandlers,
  ...setopHandlers,
  ...popHandlers,
};

