// SkipList: the ordered half of the "skiplist" sorted-set encoding (the other half is a DenseDict
// member -> score, see zset.ts). Nodes are ordered by (score, member bytes) exactly as Redis's
// zskiplist orders them: ascending score, ties broken by memcmp of the members (a shorter member
// that is a prefix of a longer one sorts first). Members are latin1 strings, so JS string
// comparison is that byte comparison.
//
// Every forward link carries a span (how many level-0 steps it jumps), which gives O(log n)
// rank look-ups in both directions (ZRANK, ZRANGE by index, ZCOUNT). The backward link at
// level 0 makes reverse walks (ZREVRANGE, ZPOPMAX) O(1) per step.
//
// Score ranges and lex ranges use the same inclusive/exclusive rules as t_zset.c
// (zslValueGteMin / zslLexValueGteMin ...), exported here so the listpack encoding shares them.

/** Highest node level (Redis ZSKIPLIST_MAXLEVEL). */
export const SKIPLIST_MAXLEVEL = 32;
/** Probability of growing one more level (Redis ZSKIPLIST_P). */
const SKIPLIST_P = 0.25;

/** A score interval; minex/maxex make an end exclusive ("(1.5"). */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** The lex range ends "-" (before every string) and "+" (after every string). */
export const LEX_MIN: unique symbol = Symbol('lex-min');
export const LEX_MAX: unique symbol = Symbol('lex-max');
export type LexValue = string | typeof LEX_MIN | typeof LEX_MAX;

/** A lex interval ("[a" inclusive, "(a" exclusive, "-" / "+" open ends, which count as exclusive). */
export interface LexRange {
  readonly min: LexValue;
  readonly max: LexValue;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** Redis sdscmplex: byte order of members, with LEX_MIN / LEX_MAX below / above everything. */
export function lexCompare(a: LexValue, b: LexValue): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : 1;
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

export function lexGteMin(v: string, r: LexRange): boolean {
  const c = lexCompare(v, r.min);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(v: string, r: LexRange): boolean {
  const c = lexCompare(v, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when no value can be in the range (min above max, or equal ends with one exclusive). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

export function lexRangeEmpty(r: LexRange): boolean {
  const c = lexCompare(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

/** (score, member) order of the sorted set: negative when (s1, m1) sorts before (s2, m2). */
export function compareEntries(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  if (m1 === m2) return 0;
  return m1 < m2 ? -1 : 1;
}

/** A node handle: its record's offset in the node pool (see SkipList); NIL for none. */
export type SkipNode = number;
/** No node. */
export const NIL = -1;

// A node's record in the pool (Int32Array words; the pool's Float64Array view reads the score):
const R_LEVEL = 0; // level (1..32)
const R_BACK = 1; // backward node, or NIL
const R_SCORE = 2; // words 2-3: the score (float64, 8-byte aligned: records start at even words)
const R_MEMBER = 4; // index of the member string in `#members`
const R_LINKS = 6; // then per level i: forward node (R_LINKS + 2i) and span (R_LINKS + 2i + 1)
/** Words of a record with `level` levels (even, so every record stays 8-byte aligned). */
const recordWords = (level: number): number => R_LINKS + 2 * level;
/** The header's record: the largest level at offset 0. */
const HEADER = 0;

/**
 * Node levels from a deterministic xorshift32 (shared by every list). The shape of a list
 * shows only in MEMORY USAGE's sampled estimate and in lex ranges over members of different
 * scores, where Redis's answers depend on its own random levels too.
 */
let levelSeed = 0x2545f491;
function randomLevel(): number {
  let level = 1;
  for (;;) {
    levelSeed ^= levelSeed << 13;
    levelSeed ^= levelSeed >>> 17;
    levelSeed ^= levelSeed << 5;
    if ((levelSeed >>> 0) / 4294967296 >= SKIPLIST_P || level >= SKIPLIST_MAXLEVEL) return level;
    level++;
  }
}

/** Scratch for the walks (one walk runs at a time): the update vector and the ranks. */
const updateScratch = new Int32Array(SKIPLIST_MAXLEVEL);
const rankScratch = new Float64Array(SKIPLIST_MAXLEVEL);

/**
 * The skiplist. Nodes are records in one Int32Array pool rather than JS objects: a node's
 * level, backward link, score and forward links with their spans sit together, so a step of a
 * walk reads one or two cache lines (as Redis's zskiplistNode), and the garbage collector sees
 * three arrays instead of four objects per member. Node handles are record offsets; freed
 * records are kept on a free list per level and reused; the pool doubles when full, and once
 * deletions leave it under a quarter used it is rebuilt compactly (#maybeShrink), so a sorted
 * set that shrank gives its memory back. Handles are valid until the next deletion method
 * returns (delete, delete*Range): callers must not keep one across those.
 */
export class SkipList {
  #pool = new Int32Array(128);
  #f64 = new Float64Array(this.#pool.buffer);
  /** Words of the pool handed out (the next record starts here). */
  #top = 0;
  /** Words of the records in use (the header included). */
  #live = 0;
  /** Per level: the first free record of that level, chained through R_BACK; NIL if none. */
  readonly #free = new Int32Array(SKIPLIST_MAXLEVEL + 1).fill(NIL);
  readonly #members: string[] = [];
  /** Free member slots (indexes into #members). */
  readonly #freeMembers: number[] = [];
  #tail: SkipNode = NIL;
  #length = 0;
  #level = 1;

  constructor() {
    const h = this.#alloc(SKIPLIST_MAXLEVEL, 0, '');
    if (h !== HEADER) throw new Error('skiplist header must be the first record');
  }

  get length(): number {
    return this.#length;
  }

  /** The lowest (score, member), or NIL when empty. */
  get first(): SkipNode {
    return this.#pool[HEADER + R_LINKS];
  }

  /** The highest (score, member), or NIL when empty. */
  get last(): SkipNode {
    return this.#tail;
  }

  /** The node after n (level 0), or NIL. */
  next(n: SkipNode): SkipNode {
    return this.#pool[n + R_LINKS];
  }

  /** The node before n, or NIL. */
  prev(n: SkipNode): SkipNode {
    return this.#pool[n + R_BACK];
  }

  score(n: SkipNode): number {
    return this.#f64[(n + R_SCORE) >> 1];
  }

  member(n: SkipNode): string {
    return this.#members[this.#pool[n + R_MEMBER]];
  }

  level(n: SkipNode): number {
    return this.#pool[n + R_LEVEL];
  }

  /** The first `limit` nodes from the lowest (MEMORY USAGE samples their sizes). */
  *levels(limit: number): IterableIterator<SkipNode> {
    let x = this.first;
    for (let n = 0; x !== NIL && n < limit; n++, x = this.next(x)) yield x;
  }

  #alloc(level: number, score: number, member: string): SkipNode {
    let n = this.#free[level];
    if (n !== NIL) {
      this.#free[level] = this.#pool[n + R_BACK];
    } else {
      const words = recordWords(level);
      if (this.#top + words > this.#pool.length) {
        const grown = new Int32Array(Math.max(this.#pool.length * 2, this.#top + words));
        grown.set(this.#pool);
        this.#pool = grown;
        this.#f64 = new Float64Array(grown.buffer);
      }
      n = this.#top;
      this.#top += words;
    }
    this.#live += recordWords(level);
    const pool = this.#pool;
    pool[n + R_LEVEL] = level;
    pool[n + R_BACK] = NIL;
    this.#f64[(n + R_SCORE) >> 1] = score;
    const slot = this.#freeMembers.length > 0 ? (this.#freeMembers.pop() as number) : this.#members.length;
    this.#members[slot] = member;
    pool[n + R_MEMBER] = slot;
    for (let i = 0; i < level; i++) {
      pool[n + R_LINKS + 2 * i] = NIL;
      pool[n + R_LINKS + 2 * i + 1] = 0;
    }
    return n;
  }

  #release(n: SkipNode): void {
    const pool = this.#pool;
    const slot = pool[n + R_MEMBER];
    this.#members[slot] = '';
    this.#freeMembers.push(slot);
    const level = pool[n + R_LEVEL];
    pool[n + R_BACK] = this.#free[level];
    this.#free[level] = n;
    this.#live -= recordWords(level);
  }

  /** Words the pool holds (used or not). */
  get poolWords(): number {
    return this.#pool.length;
  }

  /**
   * After deletions: rebuilds the pool compactly once under a quarter of it is in use (and it
   * is bigger than its starting size). Records are copied in list order, links translated,
   * member slots renumbered; free lists start empty. Every node handle changes.
   */
  #maybeShrink(): void {
    const old = this.#pool;
    if (old.length <= 1024 || this.#live * 4 > old.length) return;
    let words = 128;
    while (words < this.#live * 2) words *= 2;
    const pool = new Int32Array(words);
    const f64 = new Float64Array(pool.buffer);
    const oldF64 = this.#f64;
    const map = new Int32Array(this.#top);
    // New offsets, in list order (the header first).
    let top = 0;
    for (let x = HEADER; x !== NIL; x = old[x + R_LINKS]) {
      map[x] = top;
      top += recordWords(old[x + R_LEVEL]);
    }
    const members: string[] = [];
    for (let x = HEADER; x !== NIL; x = old[x + R_LINKS]) {
      const n = map[x];
      const level = old[x + R_LEVEL];
      pool[n + R_LEVEL] = level;
      const back = old[x + R_BACK];
      pool[n + R_BACK] = back === NIL ? NIL : map[back];
      f64[(n + R_SCORE) >> 1] = oldF64[(x + R_SCORE) >> 1];
      pool[n + R_MEMBER] = members.length;
      members.push(this.#members[old[x + R_MEMBER]]);
      for (let i = 0; i < level; i++) {
        const f = old[x + R_LINKS + 2 * i];
        pool[n + R_LINKS + 2 * i] = f === NIL ? NIL : map[f];
        pool[n + R_LINKS + 2 * i + 1] = old[x + R_LINKS + 2 * i + 1];
      }
    }
    this.#pool = pool;
    this.#f64 = f64;
    this.#top = top;
    this.#free.fill(NIL);
    this.#members.length = 0;
    for (const m of members) this.#members.push(m);
    this.#freeMembers.length = 0;
    if (this.#tail !== NIL) this.#tail = map[this.#tail];
  }

  /** (score, member) of node f compared with (score, member): negative when f sorts first. */
  #cmp(f: SkipNode, score: number, member: string): number {
    const fs = this.#f64[(f + R_SCORE) >> 1];
    if (fs < score) return -1;
    if (fs > score) return 1;
    const fm = this.#members[this.#pool[f + R_MEMBER]];
    if (fm === member) return 0;
    return fm < member ? -1 : 1;
  }

  /**
   * Inserts (score, member). The caller guarantees the member is not present (the dict says
   * so) and the score is not NaN. Returns the new node.
   */
  insert(score: number, member: string): SkipNode {
    const update = updateScratch;
    const rank = rankScratch;
    let pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1];
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && this.#cmp(f, score, member) < 0; f = pool[x + R_LINKS + 2 * i]) {
        rank[i] += pool[x + R_LINKS + 2 * i + 1];
        x = f;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rank[i] = 0;
        update[i] = HEADER;
        pool[HEADER + R_LINKS + 2 * i + 1] = this.#length;
      }
      this.#level = level;
    }
    const node = this.#alloc(level, score, member);
    pool = this.#pool; // #alloc may have grown it
    for (let i = 0; i < level; i++) {
      const u = update[i];
      pool[node + R_LINKS + 2 * i] = pool[u + R_LINKS + 2 * i];
      pool[u + R_LINKS + 2 * i] = node;
      pool[node + R_LINKS + 2 * i + 1] = pool[u + R_LINKS + 2 * i + 1] - (rank[0] - rank[i]);
      pool[u + R_LINKS + 2 * i + 1] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.#level; i++) pool[update[i] + R_LINKS + 2 * i + 1]++;
    pool[node + R_BACK] = update[0] === HEADER ? NIL : update[0];
    const next = pool[node + R_LINKS];
    if (next !== NIL) pool[next + R_BACK] = node;
    else this.#tail = node;
    this.#length++;
    return node;
  }

  /** Unlinks and frees x given the rightmost node before it at every level (zslDeleteNode). */
  #unlink(x: SkipNode, update: Int32Array): void {
    const pool = this.#pool;
    for (let i = 0; i < this.#level; i++) {
      const u = update[i];
      if (pool[u + R_LINKS + 2 * i] === x) {
        pool[u + R_LINKS + 2 * i + 1] += pool[x + R_LINKS + 2 * i + 1] - 1;
        pool[u + R_LINKS + 2 * i] = pool[x + R_LINKS + 2 * i];
      } else {
        pool[u + R_LINKS + 2 * i + 1] -= 1;
      }
    }
    const next = pool[x + R_LINKS];
    if (next !== NIL) pool[next + R_BACK] = pool[x + R_BACK];
    else this.#tail = pool[x + R_BACK];
    while (this.#level > 1 && pool[HEADER + R_LINKS + 2 * (this.#level - 1)] === NIL) this.#level--;
    this.#length--;
    this.#release(x);
  }

  /** Fills updateScratch with the last node before (score, member) at each level. */
  #seek(score: number, member: string): Int32Array {
    const update = updateScratch;
    const pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && this.#cmp(f, score, member) < 0; f = pool[x + R_LINKS + 2 * i]) x = f;
      update[i] = x;
    }
    return update;
  }

  /** Removes (score, member); returns whether it was there. */
  delete(score: number, member: string): boolean {
    const update = this.#seek(score, member);
    const x = this.#pool[update[0] + R_LINKS];
    if (x === NIL || this.#cmp(x, score, member) !== 0) return false;
    this.#unlink(x, update);
    this.#maybeShrink();
    return true;
  }

  /**
   * Changes the score of (cur, member) to score, which must differ (zslUpdateScore): in place
   * when the node keeps its position, else removed and inserted again.
   */
  updateScore(cur: number, member: string, score: number): void {
    const update = this.#seek(cur, member);
    const pool = this.#pool;
    const x = pool[update[0] + R_LINKS];
    const back = pool[x + R_BACK];
    const next = pool[x + R_LINKS];
    if ((back === NIL || this.score(back) < score) && (next === NIL || this.score(next) > score)) {
      this.#f64[(x + R_SCORE) >> 1] = score;
      return;
    }
    this.#unlink(x, update);
    this.insert(score, member);
  }

  /** 1-based rank of (score, member), 0 when absent (zslGetRank). */
  rankOf(score: number, member: string): number {
    const pool = this.#pool;
    let rank = 0;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && this.#cmp(f, score, member) <= 0; f = pool[x + R_LINKS + 2 * i]) {
        rank += pool[x + R_LINKS + 2 * i + 1];
        x = f;
      }
      if (x !== HEADER && this.#cmp(x, score, member) === 0) return rank;
    }
    return 0;
  }

  /** The node at 1-based rank, or NIL when out of range (zslGetElementByRank). */
  nodeAt(rank: number): SkipNode {
    const pool = this.#pool;
    let traversed = 0;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && traversed + pool[x + R_LINKS + 2 * i + 1] <= rank; f = pool[x + R_LINKS + 2 * i]) {
        traversed += pool[x + R_LINKS + 2 * i + 1];
        x = f;
      }
      if (traversed === rank) return x === HEADER ? NIL : x;
    }
    return NIL;
  }

  /** First node whose score is in range, or NIL (zslFirstInRange). */
  firstInScore(r: ScoreRange): SkipNode {
    if (!this.#anyInScore(r)) return NIL;
    const pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && !scoreGteMin(this.score(f), r); f = pool[x + R_LINKS + 2 * i]) x = f;
    }
    const n = pool[x + R_LINKS];
    return n !== NIL && scoreLteMax(this.score(n), r) ? n : NIL;
  }

  /** Last node whose score is in range, or NIL (zslLastInRange). */
  lastInScore(r: ScoreRange): SkipNode {
    if (!this.#anyInScore(r)) return NIL;
    const pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && scoreLteMax(this.score(f), r); f = pool[x + R_LINKS + 2 * i]) x = f;
    }
    return x !== HEADER && scoreGteMin(this.score(x), r) ? x : NIL;
  }

  /** First node whose member is in the lex range, or NIL (zslFirstInLexRange). */
  firstInLex(r: LexRange): SkipNode {
    if (!this.#anyInLex(r)) return NIL;
    const pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && !lexGteMin(this.member(f), r); f = pool[x + R_LINKS + 2 * i]) x = f;
    }
    const n = pool[x + R_LINKS];
    return n !== NIL && lexLteMax(this.member(n), r) ? n : NIL;
  }

  /** Last node whose member is in the lex range, or NIL (zslLastInLexRange). */
  lastInLex(r: LexRange): SkipNode {
    if (!this.#anyInLex(r)) return NIL;
    const pool = this.#pool;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = pool[x + R_LINKS + 2 * i]; f !== NIL && lexLteMax(this.member(f), r); f = pool[x + R_LINKS + 2 * i]) x = f;
    }
    return x !== HEADER && lexGteMin(this.member(x), r) ? x : NIL;
  }

  #anyInScore(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r) || this.#tail === NIL) return false;
    return scoreGteMin(this.score(this.#tail), r) && scoreLteMax(this.score(this.first), r);
  }

  #anyInLex(r: LexRange): boolean {
    if (lexRangeEmpty(r) || this.#tail === NIL) return false;
    return lexGteMin(this.member(this.#tail), r) && lexLteMax(this.member(this.first), r);
  }

  /**
   * Starting at the first node for which before(node) is false, removes nodes while
   * inRange(node) holds, calling removed(member) for each. Returns how many went.
   */
  #deleteWhile(before: (n: SkipNode) => boolean, inRange: (n: SkipNode) => boolean, removed: (m: string) => void): number {
    const update = updateScratch;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = this.#pool[x + R_LINKS + 2 * i]; f !== NIL && before(f); f = this.#pool[x + R_LINKS + 2 * i]) x = f;
      update[i] = x;
    }
    let n = this.#pool[x + R_LINKS];
    let count = 0;
    while (n !== NIL && inRange(n)) {
      const next = this.#pool[n + R_LINKS];
      const m = this.member(n);
      this.#unlink(n, update);
      removed(m);
      count++;
      n = next;
    }
    this.#maybeShrink();
    return count;
  }

  /** Removes the nodes whose score is in range (zslDeleteRangeByScore). */
  deleteScoreRange(r: ScoreRange, removed: (m: string) => void): number {
    return this.#deleteWhile((n) => !scoreGteMin(this.score(n), r), (n) => scoreLteMax(this.score(n), r), removed);
  }

  /** Removes the nodes whose member is in the lex range (zslDeleteRangeByLex). */
  deleteLexRange(r: LexRange, removed: (m: string) => void): number {
    return this.#deleteWhile((n) => !lexGteMin(this.member(n), r), (n) => lexLteMax(this.member(n), r), removed);
  }

  /** Removes 1-based ranks start..end inclusive (zslDeleteRangeByRank). */
  deleteRankRange(start: number, end: number, removed: (m: string) => void): number {
    const update = updateScratch;
    let traversed = 0;
    let x = HEADER;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = this.#pool[x + R_LINKS + 2 * i]; f !== NIL && traversed + this.#pool[x + R_LINKS + 2 * i + 1] < start; f = this.#pool[x + R_LINKS + 2 * i]) {
        traversed += this.#pool[x + R_LINKS + 2 * i + 1];
        x = f;
      }
      update[i] = x;
    }
    traversed++;
    let n = this.#pool[x + R_LINKS];
    let count = 0;
    while (n !== NIL && traversed <= end) {
      const next = this.#pool[n + R_LINKS];
      const m = this.member(n);
      this.#unlink(n, update);
      removed(m);
      count++;
      traversed++;
      n = next;
    }
    this.#maybeShrink();
    return count;
  }
}
