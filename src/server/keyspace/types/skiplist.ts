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

export class SkipNode {
  readonly member: string;
  score: number;
  backward: SkipNode | null = null;
  /** forward[i] is the next node at level i; span[i] the level-0 steps that link covers. */
  readonly forward: (SkipNode | null)[];
  readonly span: number[];

  constructor(level: number, score: number, member: string) {
    this.member = member;
    this.score = score;
    this.forward = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }

  get level(): number {
    return this.forward.length;
  }
}

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

export class SkipList {
  readonly #header = new SkipNode(SKIPLIST_MAXLEVEL, 0, '');
  #tail: SkipNode | null = null;
  #length = 0;
  #level = 1;

  get length(): number {
    return this.#length;
  }

  /** The lowest (score, member), or null when empty. */
  get first(): SkipNode | null {
    return this.#header.forward[0];
  }

  /** The highest (score, member), or null when empty. */
  get last(): SkipNode | null {
    return this.#tail;
  }

  /** The first `limit` nodes from the lowest (MEMORY USAGE samples their sizes). */
  *levels(limit: number): IterableIterator<SkipNode> {
    let x = this.#header.forward[0];
    for (let n = 0; x !== null && n < limit; n++, x = x.forward[0]) yield x;
  }

  /**
   * Inserts (score, member). The caller guarantees the member is not present (the dict says
   * so) and the score is not NaN. Returns the new node.
   */
  insert(score: number, member: string): SkipNode {
    const update = new Array<SkipNode>(SKIPLIST_MAXLEVEL);
    const rank = new Array<number>(SKIPLIST_MAXLEVEL);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1];
      for (let f = x.forward[i]; f !== null && compareEntries(f.score, f.member, score, member) < 0; f = x.forward[i]) {
        rank[i] += x.span[i];
        x = f;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.#header;
        this.#header.span[i] = this.#length;
      }
      this.#level = level;
    }
    const node = new SkipNode(level, score, member);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.forward[i] = u.forward[i];
      u.forward[i] = node;
      node.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.#level; i++) update[i].span[i]++;
    node.backward = update[0] === this.#header ? null : update[0];
    const next = node.forward[0];
    if (next !== null) next.backward = node;
    else this.#tail = node;
    this.#length++;
    return node;
  }

  /** Unlinks x given the rightmost node before it at every level (zslDeleteNode). */
  #unlink(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.#level; i++) {
      const u = update[i];
      if (u.forward[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.forward[i] = x.forward[i];
      } else {
        u.span[i] -= 1;
      }
    }
    const next = x.forward[0];
    if (next !== null) next.backward = x.backward;
    else this.#tail = x.backward;
    while (this.#level > 1 && this.#header.forward[this.#level - 1] === null) this.#level--;
    this.#length--;
  }

  /** The update vector for (score, member): the last node before it at each level. */
  #seek(score: number, member: string): SkipNode[] {
    const update = new Array<SkipNode>(SKIPLIST_MAXLEVEL);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && compareEntries(f.score, f.member, score, member) < 0; f = x.forward[i]) x = f;
      update[i] = x;
    }
    return update;
  }

  /** Removes (score, member); returns whether it was there. */
  delete(score: number, member: string): boolean {
    const update = this.#seek(score, member);
    const x = update[0].forward[0];
    if (x === null || x.score !== score || x.member !== member) return false;
    this.#unlink(x, update);
    return true;
  }

  /** 1-based rank of (score, member), 0 when absent (zslGetRank). */
  rankOf(score: number, member: string): number {
    let rank = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && compareEntries(f.score, f.member, score, member) <= 0; f = x.forward[i]) {
        rank += x.span[i];
        x = f;
      }
      if (x !== this.#header && x.score === score && x.member === member) return rank;
    }
    return 0;
  }

  /** The node at 1-based rank, or null when out of range (zslGetElementByRank). */
  nodeAt(rank: number): SkipNode | null {
    let traversed = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && traversed + x.span[i] <= rank; f = x.forward[i]) {
        traversed += x.span[i];
        x = f;
      }
      if (traversed === rank) return x === this.#header ? null : x;
    }
    return null;
  }

  /** First node whose score is in range, or null (zslFirstInRange). */
  firstInScore(r: ScoreRange): SkipNode | null {
    if (!this.#anyInScore(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && !scoreGteMin(f.score, r); f = x.forward[i]) x = f;
    }
    const n = x.forward[0];
    return n !== null && scoreLteMax(n.score, r) ? n : null;
  }

  /** Last node whose score is in range, or null (zslLastInRange). */
  lastInScore(r: ScoreRange): SkipNode | null {
    if (!this.#anyInScore(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && scoreLteMax(f.score, r); f = x.forward[i]) x = f;
    }
    return x !== this.#header && scoreGteMin(x.score, r) ? x : null;
  }

  /** First node whose member is in the lex range, or null (zslFirstInLexRange). */
  firstInLex(r: LexRange): SkipNode | null {
    if (!this.#anyInLex(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && !lexGteMin(f.member, r); f = x.forward[i]) x = f;
    }
    const n = x.forward[0];
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  /** Last node whose member is in the lex range, or null (zslLastInLexRange). */
  lastInLex(r: LexRange): SkipNode | null {
    if (!this.#anyInLex(r)) return null;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && lexLteMax(f.member, r); f = x.forward[i]) x = f;
    }
    return x !== this.#header && lexGteMin(x.member, r) ? x : null;
  }

  #anyInScore(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r) || this.#tail === null) return false;
    const first = this.#header.forward[0] as SkipNode;
    return scoreGteMin(this.#tail.score, r) && scoreLteMax(first.score, r);
  }

  #anyInLex(r: LexRange): boolean {
    if (lexRangeEmpty(r) || this.#tail === null) return false;
    const first = this.#header.forward[0] as SkipNode;
    return lexGteMin(this.#tail.member, r) && lexLteMax(first.member, r);
  }

  /**
   * Starting at the first node for which before(node) is false, removes nodes while
   * inRange(node) holds, calling removed(member) for each. Returns how many went.
   */
  #deleteWhile(before: (n: SkipNode) => boolean, inRange: (n: SkipNode) => boolean, removed: (m: string) => void): number {
    const update = new Array<SkipNode>(SKIPLIST_MAXLEVEL);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && before(f); f = x.forward[i]) x = f;
      update[i] = x;
    }
    let n = x.forward[0];
    let count = 0;
    while (n !== null && inRange(n)) {
      const next = n.forward[0];
      this.#unlink(n, update);
      removed(n.member);
      count++;
      n = next;
    }
    return count;
  }

  /** Removes the nodes whose score is in range (zslDeleteRangeByScore). */
  deleteScoreRange(r: ScoreRange, removed: (m: string) => void): number {
    return this.#deleteWhile((n) => !scoreGteMin(n.score, r), (n) => scoreLteMax(n.score, r), removed);
  }

  /** Removes the nodes whose member is in the lex range (zslDeleteRangeByLex). */
  deleteLexRange(r: LexRange, removed: (m: string) => void): number {
    return this.#deleteWhile((n) => !lexGteMin(n.member, r), (n) => lexLteMax(n.member, r), removed);
  }

  /** Removes 1-based ranks start..end inclusive (zslDeleteRangeByRank). */
  deleteRankRange(start: number, end: number, removed: (m: string) => void): number {
    const update = new Array<SkipNode>(SKIPLIST_MAXLEVEL);
    let traversed = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let f = x.forward[i]; f !== null && traversed + x.span[i] < start; f = x.forward[i]) {
        traversed += x.span[i];
        x = f;
      }
      update[i] = x;
    }
    traversed++;
    let n = x.forward[0];
    let count = 0;
    while (n !== null && traversed <= end) {
      const next = n.forward[0];
      this.#unlink(n, update);
      removed(n.member);
      count++;
      traversed++;
      n = next;
    }
    return count;
  }
}
