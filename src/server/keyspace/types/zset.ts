// ZSetValue: the value object of a sorted-set key, in Redis 7.0's two encodings.
//
//  - "listpack": two parallel arrays (members, scores) kept in the sorted order Redis's listpack
//    keeps: ascending score, ties by member bytes. Look-ups are linear and inserts shift the
//    arrays, as in Redis. A listpack stores an integral score within +-2^62 as an integer
//    (double2ll), so -0 comes back as 0 and ZSCAN prints such scores as plain integers
//    ("1000000000000000000", not "1e+18"); both are modelled here.
//  - "skiplist": a SkipList ordered by (score, member) for ranks and ranges, plus a DenseDict
//    member -> score for O(1) score look-ups, uniform random members and the ZSCAN cursor.
//
// Conversion follows t_zset.c: listpack -> skiplist when an insert would take the size past
// zset-max-listpack-entries or the new member is longer than zset-max-listpack-value
// (zsetAdd); skiplist -> listpack only for freshly built results that fit
// (convertToListpackIfNeeded, zsetConvertToListpackIfNeeded). The thresholds come from the
// caller (ZSetLimits): storage knows no configuration.
//
// Positions are 0-based ranks in ascending order throughout this API. Elements are latin1
// strings (one char per byte): binary safe, and they never alias the caller's buffers.

import { formatDouble } from '../../../lib/numbers.js';
import { DenseDict } from './dict.js';
import {
  SkipList,
  compareEntries,
  lexGteMin,
  lexLteMax,
  lexRangeEmpty,
  scoreGteMin,
  scoreLteMax,
  scoreRangeEmpty,
  type LexRange,
  type ScoreRange,
  NIL,
  type SkipNode,
} from './skiplist.js';
import { dictTableSize, jemallocSize, listpackEntryBytes, lpBacklen, lpIntBody, lpStringBody, sdsAllocBytes } from './alloc-model.js';
import { ZSET_LP_BASE, ZSET_LP_MEMBER, ZSET_SL_BASE, ZSET_SL_MEMBER, stringBytes } from './heap-cost.js';
import { PACK_MAX_BYTES, PACK_MAX_ELEMENTS, packedScoreSize, packedStringSize, reader, varintSize, writePackedScore, writePackedString, writeVarint } from './packed.js';

export type { LexRange, ScoreRange } from './skiplist.js';
export { LEX_MAX, LEX_MIN } from './skiplist.js';

/** The encoding thresholds in force when a sorted set is written (zset-max-listpack-*). */
export interface ZSetLimits {
  /** zset-max-listpack-entries: most members a listpack sorted set holds. */
  readonly maxEntries: number;
  /** zset-max-listpack-value: longest member (bytes) a listpack sorted set holds. */
  readonly maxValue: number;
}

/** Input flags of add() (Redis ZADD_IN_*). */
export const ZADD_INCR = 1;
export const ZADD_NX = 2;
export const ZADD_XX = 4;
export const ZADD_GT = 8;
export const ZADD_LT = 16;

/** Output flags of add() (Redis ZADD_OUT_*). */
export const ZADD_OUT_NAN = 1;
export const ZADD_OUT_ADDED = 2;
export const ZADD_OUT_UPDATED = 4;
export const ZADD_OUT_NOP = 8;

/** What add() did: ZADD_OUT_* flags and the member's resulting score (when not NOP/NAN). */
export interface AddResult {
  flags: number;
  score: number;
}

/** Largest magnitude a listpack stores as an integer score (double2ll: LLONG_MAX / 2). */
const LP_INT_LIMIT = 2 ** 62;

/**
 * The text a listpack entry holds for a score, as ZSCAN of a listpack sorted set returns it:
 * an integral score within +-2^62 as a plain integer (-0 as "0"), anything else "%.17g".
 */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= LP_INT_LIMIT) return BigInt(score).toString();
  return formatDouble(score);
}

// ---------------------------------------------------------------------------------------
// MEMORY USAGE model constants (Redis 7.0, 64-bit, jemalloc 5.3)

/** Listpack header (total bytes + element count) plus the end byte. */
const LP_OVERHEAD = 7;
/** sizeof(zset) + sizeof(zskiplist) + sizeof(dict). */
const SKIPLIST_STRUCTS = 16 + 32 + 56;
/** The 32-level header node of a zskiplist (24 + 32 * 16 bytes, as jemalloc rounds it). */
const SKIPLIST_HEADER = 640;
const DICT_ENTRY = 24;
const BUCKET_PTR = 8;

/** Listpack bytes of one score entry (integer when double2ll succeeds, else its %.17g text). */
function lpScoreBytes(s: number): number {
  const body = Number.isInteger(s) && Math.abs(s) <= LP_INT_LIMIT ? lpIntBody(s) : lpStringBody(formatDouble(s).length);
  return body + lpBacklen(body);
}

// ---------------------------------------------------------------------------------------

export class ZSetValue {
  /** Listpack encoding: members and scores in sorted order (null when skiplist). */
  #lpM: string[] | null;
  #lpS: number[] | null;
  /** Skiplist encoding (null when listpack). */
  #zsl: SkipList | null = null;
  #dict: DenseDict<number> | null = null;
  /** Heap bytes of the member strings (heap-cost.ts), kept up to date by every mutator. */
  #strBytes = 0;

  private constructor(listpack: boolean) {
    if (listpack) {
      this.#lpM = [];
      this.#lpS = [];
    } else {
      this.#lpM = null;
      this.#lpS = null;
      this.#zsl = new SkipList();
      this.#dict = new DenseDict<number>();
    }
  }

  /** An empty sorted set, listpack- or skiplist-encoded. */
  static create(listpack: boolean): ZSetValue {
    return new ZSetValue(listpack);
  }

  /** OBJECT ENCODING's name. */
  get encoding(): string {
    return this.#lpM !== null ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.#lpM !== null;
  }

  get size(): number {
    return this.#lpM !== null ? this.#lpM.length : (this.#zsl as SkipList).length;
  }

  /** Estimated heap bytes of the whole value (maxmemory accounting; O(1), see heap-cost.ts). */
  get bytes(): number {
    return this.#lpM !== null
      ? ZSET_LP_BASE + this.#lpM.length * ZSET_LP_MEMBER + this.#strBytes
      : ZSET_SL_BASE + (this.#zsl as SkipList).length * ZSET_SL_MEMBER + this.#strBytes;
  }

  /** The member's score, or undefined. */
  score(member: string): number | undefined {
    if (this.#lpM !== null) {
      const i = this.#lpM.indexOf(member);
      return i < 0 ? undefined : (this.#lpS as number[])[i];
    }
    return (this.#dict as DenseDict<number>).get(member);
  }

  /**
   * Adds member or updates its score, as Redis's zsetAdd: `flags` are ZADD_INCR/NX/XX/GT/LT;
   * the result carries ZADD_OUT_* flags and the resulting score. NaN input, or an increment
   * that produces NaN, gives ZADD_OUT_NAN and changes nothing. A new member may convert a
   * listpack to a skiplist first (limits).
   */
  add(member: string, score: number, flags: number, limits: ZSetLimits): AddResult {
    if (Number.isNaN(score)) return { flags: ZADD_OUT_NAN, score };
    const cur = this.score(member);
    if (cur !== undefined) {
      if ((flags & ZADD_NX) !== 0) return { flags: ZADD_OUT_NOP, score: cur };
      if ((flags & ZADD_INCR) !== 0) {
        score += cur;
        if (Number.isNaN(score)) return { flags: ZADD_OUT_NAN, score };
      }
      if (((flags & ZADD_LT) !== 0 && score >= cur) || ((flags & ZADD_GT) !== 0 && score <= cur)) {
        return { flags: ZADD_OUT_NOP, score: cur };
      }
      // The reply reports the computed score even where a listpack then stores -0 as 0.
      if (score === cur) return { flags: 0, score };
      this.#update(member, cur, score);
      return { flags: ZADD_OUT_UPDATED, score };
    }
    if ((flags & ZADD_XX) !== 0) return { flags: ZADD_OUT_NOP, score };
    if (this.#lpM !== null && (this.#lpM.length + 1 > limits.maxEntries || member.length > limits.maxValue)) {
      this.#toSkiplist();
    }
    this.#insert(member, score);
    return { flags: ZADD_OUT_ADDED, score };
  }

  /** Inserts a member known to be absent (result builders); no conversion. */
  insertNew(member: string, score: number): void {
    this.#insert(member, score);
  }

  /** Removes member; returns whether it was there. */
  remove(member: string): boolean {
    const cur = this.score(member);
    if (cur === undefined) return false;
    this.#remove(member, cur);
    return true;
  }

  #insert(member: string, score: number): void {
    this.#strBytes += stringBytes(member.length);
    if (this.#lpM !== null) {
      const s = normalizeLp(score);
      const i = this.#lowerBound(s, member);
      this.#lpM.splice(i, 0, member);
      (this.#lpS as number[]).splice(i, 0, s);
      return;
    }
    (this.#zsl as SkipList).insert(score, member);
    (this.#dict as DenseDict<number>).set(member, score);
  }

  /**
   * Moves member from score cur to score. The skiplist's dict entry is updated in place, so an
   * update never moves the member in a ZSCAN walk (that could hide it from the scan).
   */
  #update(member: string, cur: number, score: number): void {
    if (this.#lpM !== null) {
      this.#remove(member, cur);
      this.#insert(member, score);
      return;
    }
    (this.#zsl as SkipList).updateScore(cur, member, score);
    (this.#dict as DenseDict<number>).set(member, score);
  }

  #remove(member: string, score: number): void {
    this.#strBytes -= stringBytes(member.length);
    if (this.#lpM !== null) {
      const i = this.#lpM.indexOf(member);
      this.#lpM.splice(i, 1);
      (this.#lpS as number[]).splice(i, 1);
      return;
    }
    (this.#dict as DenseDict<number>).delete(member);
    (this.#zsl as SkipList).delete(score, member);
  }

  /** First listpack index whose (score, member) is not below (score, member). */
  #lowerBound(score: number, member: string): number {
    const ms = this.#lpM as string[];
    const ss = this.#lpS as number[];
    let lo = 0;
    let hi = ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(ss[mid], ms[mid], score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Converts a listpack sorted set to the skiplist encoding (SORT does, as Redis's zsetConvert). */
  convertToSkiplist(): void {
    if (this.isListpack) this.#toSkiplist();
  }

  #toSkiplist(): void {
    const ms = this.#lpM as string[];
    const ss = this.#lpS as number[];
    const zsl = new SkipList();
    const dict = new DenseDict<number>();
    for (let i = 0; i < ms.length; i++) {
      zsl.insert(ss[i], ms[i]);
      dict.set(ms[i], ss[i]);
    }
    this.#lpM = null;
    this.#lpS = null;
    this.#zsl = zsl;
    this.#dict = dict;
  }

  /**
   * Converts a skiplist to a listpack when it fits the limits (Redis
   * zsetConvertToListpackIfNeeded, applied to results of ZUNIONSTORE and friends).
   */
  convertToListpackIfNeeded(limits: ZSetLimits): void {
    if (this.#lpM !== null) return;
    const zsl = this.#zsl as SkipList;
    if (zsl.length > limits.maxEntries) return;
    const ms: string[] = [];
    const ss: number[] = [];
    for (let n = zsl.first; n !== NIL; n = zsl.next(n)) {
      const m = zsl.member(n);
      if (m.length > limits.maxValue) return;
      ms.push(m);
      ss.push(normalizeLp(zsl.score(n)));
    }
    this.#lpM = ms;
    this.#lpS = ss;
    this.#zsl = null;
    this.#dict = null;
  }

  // -------------------------------------------------------------------------------------
  // Ranks and ranges (0-based ranks, ascending)

  /** The member's rank from the lowest (or, reverse, from the highest); -1 when absent. */
  rank(member: string, reverse: boolean): number {
    let r: number;
    if (this.#lpM !== null) {
      r = this.#lpM.indexOf(member);
      if (r < 0) return -1;
    } else {
      const s = (this.#dict as DenseDict<number>).get(member);
      if (s === undefined) return -1;
      r = (this.#zsl as SkipList).rankOf(s, member) - 1;
    }
    return reverse ? this.size - 1 - r : r;
  }

  /**
   * Visits entries from rank `start` (0 <= start < size) towards the highest (or, reverse,
   * the lowest) while visit returns true.
   */
  walk(start: number, reverse: boolean, visit: (member: string, score: number) => boolean): void {
    if (this.#lpM !== null) {
      const ms = this.#lpM;
      const ss = this.#lpS as number[];
      if (reverse) {
        for (let i = start; i >= 0; i--) if (!visit(ms[i], ss[i])) return;
      } else {
        for (let i = start; i < ms.length; i++) if (!visit(ms[i], ss[i])) return;
      }
      return;
    }
    const zsl = this.#zsl as SkipList;
    let n: SkipNode = zsl.nodeAt(start + 1);
    while (n !== NIL && visit(zsl.member(n), zsl.score(n))) n = reverse ? zsl.prev(n) : zsl.next(n);
  }

  /** Rank of the first (lowest) entry whose score is in range, or -1. */
  firstInScore(r: ScoreRange): number {
    if (this.#lpM !== null) {
      const ss = this.#lpS as number[];
      if (scoreRangeEmpty(r)) return -1;
      let lo = 0;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (scoreGteMin(ss[mid], r)) hi = mid;
        else lo = mid + 1;
      }
      return lo < ss.length && scoreLteMax(ss[lo], r) ? lo : -1;
    }
    return this.#nodeRank((this.#zsl as SkipList).firstInScore(r));
  }

  /** Rank of the last (highest) entry whose score is in range, or -1. */
  lastInScore(r: ScoreRange): number {
    if (this.#lpM !== null) {
      const ss = this.#lpS as number[];
      if (scoreRangeEmpty(r)) return -1;
      let lo = 0;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (scoreLteMax(ss[mid], r)) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && scoreGteMin(ss[lo - 1], r) ? lo - 1 : -1;
    }
    return this.#nodeRank((this.#zsl as SkipList).lastInScore(r));
  }

  /**
   * Rank of the first entry whose member is in the lex range, or -1. Lex ranges assume equal
   * scores; with mixed scores the listpack answer is Redis's exactly (zzlFirstInLexRange: the
   * ends are checked first, then a scan from the head); the skiplist's, like Redis's, depends
   * on the list's shape.
   */
  firstInLex(r: LexRange): number {
    if (this.#lpM !== null) {
      const ms = this.#lpM;
      if (!this.#lpAnyInLex(r)) return -1;
      for (let i = 0; i < ms.length; i++) {
        if (lexGteMin(ms[i], r)) return lexLteMax(ms[i], r) ? i : -1;
      }
      return -1;
    }
    return this.#nodeRank((this.#zsl as SkipList).firstInLex(r));
  }

  /** Rank of the last entry whose member is in the lex range, or -1 (zzlLastInLexRange). */
  lastInLex(r: LexRange): number {
    if (this.#lpM !== null) {
      const ms = this.#lpM;
      if (!this.#lpAnyInLex(r)) return -1;
      for (let i = ms.length - 1; i >= 0; i--) {
        if (lexLteMax(ms[i], r)) return lexGteMin(ms[i], r) ? i : -1;
      }
      return -1;
    }
    return this.#nodeRank((this.#zsl as SkipList).lastInLex(r));
  }

  /** zzlIsInLexRange: the range is not empty, the last member is >= min, the first <= max. */
  #lpAnyInLex(r: LexRange): boolean {
    const ms = this.#lpM as string[];
    if (lexRangeEmpty(r) || ms.length === 0) return false;
    return lexGteMin(ms[ms.length - 1], r) && lexLteMax(ms[0], r);
  }

  /**
   * ZLEXCOUNT: a listpack counts forward from the first member in range while members stay
   * <= max; a skiplist subtracts the ranks of the first and last (as Redis does each).
   */
  countInLex(r: LexRange): number {
    const first = this.firstInLex(r);
    if (first < 0) return 0;
    if (this.#lpM !== null) {
      let n = 0;
      for (let i = first; i < this.#lpM.length && lexLteMax(this.#lpM[i], r); i++) n++;
      return n;
    }
    const last = this.lastInLex(r);
    return last < 0 ? this.size - first : last - first + 1;
  }

  #nodeRank(n: SkipNode): number {
    const zsl = this.#zsl as SkipList;
    return n === NIL ? -1 : zsl.rankOf(zsl.score(n), zsl.member(n)) - 1;
  }

  /** Removes ranks start..end (0-based, inclusive, already clamped); returns the count. */
  removeRankRange(start: number, end: number): number {
    if (this.#lpM !== null) {
      for (let i = start; i <= end; i++) this.#strBytes -= stringBytes(this.#lpM[i].length);
      this.#lpM.splice(start, end - start + 1);
      (this.#lpS as number[]).splice(start, end - start + 1);
      return end - start + 1;
    }
    return (this.#zsl as SkipList).deleteRankRange(start + 1, end + 1, this.#forget);
  }

  /** A member removed from the skiplist by a range deletion: out of the dict and the accounting. */
  readonly #forget = (m: string): void => {
    (this.#dict as DenseDict<number>).delete(m);
    this.#strBytes -= stringBytes(m.length);
  };

  /** Removes the entries whose score is in range; returns the count. */
  removeScoreRange(r: ScoreRange): number {
    if (this.#lpM !== null) {
      const first = this.firstInScore(r);
      if (first < 0) return 0;
      return this.removeRankRange(first, this.lastInScore(r));
    }
    return (this.#zsl as SkipList).deleteScoreRange(r, this.#forget);
  }

  /** Removes the entries whose member is in the lex range; returns the count. */
  removeLexRange(r: LexRange): number {
    if (this.#lpM !== null) {
      const first = this.firstInLex(r);
      if (first < 0) return 0;
      let last = first;
      while (last + 1 < this.#lpM.length && lexLteMax(this.#lpM[last + 1], r)) last++;
      return this.removeRankRange(first, last);
    }
    return (this.#zsl as SkipList).deleteLexRange(r, this.#forget);
  }

  /** Removes and returns the lowest (or, max, the highest) entry; the set must not be empty. */
  pop(max: boolean): [string, number] {
    let m: string;
    let s: number;
    if (this.#lpM !== null) {
      const i = max ? this.#lpM.length - 1 : 0;
      m = this.#lpM[i];
      s = (this.#lpS as number[])[i];
    } else {
      const zsl = this.#zsl as SkipList;
      const n = max ? zsl.last : zsl.first;
      m = zsl.member(n);
      s = zsl.score(n);
    }
    this.#remove(m, s);
    return [m, s];
  }

  /** A uniformly random entry, given rnd in [0, 1); the set must not be empty. */
  random(rnd: number): [string, number] {
    if (this.#lpM !== null) {
      const i = Math.floor(rnd * this.#lpM.length);
      return [this.#lpM[i], (this.#lpS as number[])[i]];
    }
    const d = this.#dict as DenseDict<number>;
    const p = d.randomPos(rnd);
    return [d.keyAt(p), d.valueAt(p)];
  }

  /** Every entry from the highest to the lowest (the order Redis's set-operation iterator uses). */
  *descending(): IterableIterator<[string, number]> {
    if (this.#lpM !== null) {
      const ms = this.#lpM;
      const ss = this.#lpS as number[];
      for (let i = ms.length - 1; i >= 0; i--) yield [ms[i], ss[i]];
      return;
    }
    const zsl = this.#zsl as SkipList;
    for (let n = zsl.last; n !== NIL; n = zsl.prev(n)) yield [zsl.member(n), zsl.score(n)];
  }

  /** Every entry from the lowest to the highest. */
  *ascending(): IterableIterator<[string, number]> {
    if (this.#lpM !== null) {
      const ms = this.#lpM;
      const ss = this.#lpS as number[];
      for (let i = 0; i < ms.length; i++) yield [ms[i], ss[i]];
      return;
    }
    const zsl = this.#zsl as SkipList;
    for (let n = zsl.first; n !== NIL; n = zsl.next(n)) yield [zsl.member(n), zsl.score(n)];
  }

  /**
   * One ZSCAN step over the skiplist encoding's dict (DenseDict.scan semantics: cursor 0
   * starts, 0 returned means done). Not for listpacks, which scan whole in one step.
   */
  scanDict(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    return (this.#dict as DenseDict<number>).scan(cursor, count, visit);
  }

  // -------------------------------------------------------------------------------------
  // Packed form (packed.ts): count, then member and score pairs in listpack order

  /** Bytes of the packed form, or -1 when the sorted set stays an object (skiplist, or too big). */
  packedSize(): number {
    const ms = this.#lpM;
    if (ms === null || ms.length > PACK_MAX_ELEMENTS) return -1;
    const ss = this.#lpS as number[];
    let n = varintSize(ms.length);
    for (let i = 0; i < ms.length; i++) n += packedStringSize(ms[i]) + packedScoreSize(ss[i]);
    return n <= PACK_MAX_BYTES ? n : -1;
  }

  /** Writes the packed form (packedSize() bytes) at b[off]. */
  pack(b: Buffer, off: number): void {
    const ms = this.#lpM as string[];
    const ss = this.#lpS as number[];
    off = writeVarint(b, off, ms.length);
    for (let i = 0; i < ms.length; i++) {
      off = writePackedString(b, off, ms[i]);
      off = writePackedScore(b, off, ss[i]);
    }
  }

  /** The sorted set packed at b[off]. */
  static unpack(b: Buffer, off: number): ZSetValue {
    const r = reader.at(b, off);
    const n = r.varint();
    const ms = new Array<string>(n);
    const ss = new Array<number>(n);
    let strBytes = 0;
    for (let i = 0; i < n; i++) {
      const m = r.string();
      ms[i] = m;
      ss[i] = r.score();
      strBytes += stringBytes(m.length);
    }
    const z = new ZSetValue(true);
    z.#lpM = ms;
    z.#lpS = ss;
    z.#strBytes = strBytes;
    return z;
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): ZSetValue {
    const z = new ZSetValue(this.#lpM !== null);
    if (this.#lpM !== null) {
      z.#lpM = this.#lpM.slice();
      z.#lpS = (this.#lpS as number[]).slice();
      z.#strBytes = this.#strBytes;
    } else {
      const zsl = this.#zsl as SkipList;
      for (let n = zsl.last; n !== NIL; n = zsl.prev(n)) z.#insert(zsl.member(n), zsl.score(n));
    }
    return z;
  }

  /**
   * MEMORY USAGE's figure for the value (without the object header): the listpack's
   * allocation, or the skiplist's structures plus the average of `samples` entries (from the
   * lowest) times the size, as Redis's objectComputeSize samples them.
   */
  memoryUsage(samples: number): number {
    if (this.#lpM !== null) {
      let bytes = LP_OVERHEAD;
      const ss = this.#lpS as number[];
      for (let i = 0; i < this.#lpM.length; i++) bytes += listpackEntryBytes(this.#lpM[i]) + lpScoreBytes(ss[i]);
      return jemallocSize(bytes);
    }
    const zsl = this.#zsl as SkipList;
    let total = SKIPLIST_STRUCTS + BUCKET_PTR * dictTableSize(zsl.length) + SKIPLIST_HEADER;
    let sampled = 0;
    let n = 0;
    for (const node of zsl.levels(samples)) {
      sampled += sdsAllocBytes(zsl.member(node).length) + DICT_ENTRY + jemallocSize(24 + 16 * zsl.level(node));
      n++;
    }
    if (n > 0) total += (sampled / n) * zsl.length;
    return Math.floor(total);
  }
}

/** A listpack keeps integral scores as integers: -0 reads back as 0. */
function normalizeLp(score: number): number {
  return score === 0 ? 0 : score;
}
