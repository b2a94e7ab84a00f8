// ZSetValue and SkipList against a simple model (a Map of member -> score, sorted on demand by
// score then member bytes): random operation sequences in both encodings and across
// conversions, plus the contracts that the command handlers rely on (ranks, range ends,
// range removals, pops, the ZSCAN cursor, clones, the listpack's -0 and MEMORY USAGE shape).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NIL, SkipList, LEX_MAX, LEX_MIN, type LexRange, type LexValue, type ScoreRange } from '../../src/server/keyspace/types/skiplist.js';
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
} from '../../src/server/keyspace/types/zset.js';

type Model = Map<string, number>;

function sorted(m: Model): [string, number][] {
  return [...m].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function contents(z: ZSetValue): [string, number][] {
  return [...z.ascending()];
}

const member = fc.constantFrom('a', 'b', 'c', 'ab', 'abc', '', '\0', '\xff', 'zz', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6');
const score = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, -0.5, Infinity, -Infinity, 1e300, -0),
);
const flags = fc.constantFrom(0, ZADD_NX, ZADD_XX, ZADD_GT, ZADD_LT, ZADD_XX | ZADD_GT, ZADD_XX | ZADD_LT, ZADD_INCR, ZADD_INCR | ZADD_XX, ZADD_INCR | ZADD_NX);
const limits = fc.record({ maxEntries: fc.integer({ min: 0, max: 8 }), maxValue: fc.integer({ min: 0, max: 3 }) });

type Op =
  | { t: 'add'; m: string; s: number; f: number }
  | { t: 'rem'; m: string }
  | { t: 'remRank'; a: number; b: number }
  | { t: 'remScore'; r: ScoreRange }
  | { t: 'pop'; max: boolean };

const scoreRange = fc.record({ min: score, max: score, minex: fc.boolean(), maxex: fc.boolean() });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('add' as const), m: member, s: score, f: flags }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rem' as const), m: member }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('remRank' as const), a: fc.integer({ min: 0, max: 10 }), b: fc.integer({ min: 0, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('remScore' as const), r: scoreRange }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('pop' as const), max: fc.boolean() }) },
);

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
}

/** Applies op to the model as Redis's zsetAdd & co. define it; returns the expected add result. */
function applyModel(m: Model, o: Op, listpack: boolean): { flags: number; score?: number } | number | [string, number] | null {
  switch (o.t) {
    case 'add': {
      const cur = m.get(o.m);
      let s = o.s;
      if (cur !== undefined) {
        if (o.f & ZADD_NX) return { flags: ZADD_OUT_NOP };
        if (o.f & ZADD_INCR) {
          s += cur;
          if (Number.isNaN(s)) return { flags: ZADD_OUT_NAN };
        }
        if ((o.f & ZADD_LT && s >= cur) || (o.f & ZADD_GT && s <= cur)) return { flags: ZADD_OUT_NOP };
        if (s === cur) return { flags: 0, score: s };
        m.set(o.m, listpack && s === 0 ? 0 : s);
        return { flags: ZADD_OUT_UPDATED, score: s };
      }
      if (o.f & ZADD_XX) return { flags: ZADD_OUT_NOP };
      m.set(o.m, listpack && s === 0 ? 0 : s);
      return { flags: ZADD_OUT_ADDED, score: s };
    }
    case 'rem':
      return m.delete(o.m) ? 1 : 0;
    case 'remRank': {
      const all = sorted(m);
      const a = Math.min(o.a, o.b);
      const b = Math.min(Math.max(o.a, o.b), all.length - 1);
      if (a > b) return 0;
      for (let i = a; i <= b; i++) m.delete(all[i][0]);
      return b - a + 1;
    }
    case 'remScore': {
      let n = 0;
      for (const [k, s] of sorted(m)) if (inScore(s, o.r)) n += m.delete(k) ? 1 : 0;
      return n;
    }
    case 'pop': {
      const all = sorted(m);
      if (all.length === 0) return null;
      const e = o.max ? all[all.length - 1] : all[0];
      m.delete(e[0]);
      return e;
    }
  }
}

function applyValue(z: ZSetValue, o: Op, lim: { maxEntries: number; maxValue: number }): ReturnType<typeof applyModel> {
  switch (o.t) {
    case 'add': {
      const r = z.add(o.m, o.s, o.f, lim);
      return r.flags & (ZADD_OUT_NOP | ZADD_OUT_NAN) ? { flags: r.flags } : { flags: r.flags, score: r.score };
    }
    case 'rem':
      return z.remove(o.m) ? 1 : 0;
    case 'remRank': {
      const a = Math.min(o.a, o.b);
      const b = Math.min(Math.max(o.a, o.b), z.size - 1);
      return a > b ? 0 : z.removeRankRange(a, b);
    }
    case 'remScore':
      return z.removeScoreRange(o.r);
    case 'pop':
      return z.size === 0 ? null : z.pop(o.max);
  }
}

describe('ZSetValue', () => {
  it('matches the model under random writes, in both encodings and across conversions', () => {
    fc.assert(
      fc.property(fc.boolean(), limits, fc.array(op, { maxLength: 60 }), (startListpack, lim, ops) => {
        const z = ZSetValue.create(startListpack);
        const m: Model = new Map();
        for (const o of ops) {
          const wasListpack = z.isListpack;
          const want = applyModel(m, o, o.t === 'add' && wasListpack && (m.has(o.m) || (m.size + 1 <= lim.maxEntries && o.m.length <= lim.maxValue)));
          const got = applyValue(z, o, lim);
          assert.deepEqual(got, want, JSON.stringify(o));
          if (!wasListpack) assert.equal(z.isListpack, false, 'conversion is one-way');
          assert.equal(z.size, m.size);
        }
        const want = sorted(m);
        assert.deepEqual(contents(z).map(([k]) => k), want.map(([k]) => k));
        for (const [k, s] of want) assert.ok(Object.is(z.score(k), s) || (s === 0 && z.score(k) === 0), `${k}`);
        assert.deepEqual([...z.descending()].map(([k]) => k), want.map(([k]) => k).reverse());
        want.forEach(([k], i) => {
          assert.equal(z.rank(k, false), i);
          assert.equal(z.rank(k, true), want.length - 1 - i);
        });
        assert.equal(z.rank('nope!', false), -1);
      }),
      { numRuns: 300 },
    );
  });

  it('score range ends, counts and walks agree with a scan of the sorted model', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(member, score), { maxLength: 14 }), fc.array(scoreRange, { maxLength: 8 }), (lp, adds, ranges) => {
        const z = ZSetValue.create(lp);
        const m: Model = new Map();
        for (const [k, s] of adds) {
          z.add(k, s, 0, { maxEntries: 1000, maxValue: 1000 });
          m.set(k, lp && s === 0 ? 0 : s);
        }
        const all = sorted(m);
        for (const r of ranges) {
          const idx = all.map(([, s], i) => (inScore(s, r) ? i : -1)).filter((i) => i >= 0);
          assert.equal(z.firstInScore(r), idx.length > 0 ? idx[0] : -1);
          assert.equal(z.lastInScore(r), idx.length > 0 ? idx[idx.length - 1] : -1);
          if (idx.length > 0) {
            const seen: string[] = [];
            z.walk(idx[0], false, (k, s) => (inScore(s, r) ? (seen.push(k), true) : false));
            assert.deepEqual(seen, idx.map((i) => all[i][0]));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lex ranges on equal scores: ends, counts and removals', () => {
    const bound: fc.Arbitrary<{ v: LexValue; ex: boolean }> = fc.oneof(
      fc.constant({ v: LEX_MIN as LexValue, ex: true }),
      fc.constant({ v: LEX_MAX as LexValue, ex: true }),
      fc.record({ v: member as fc.Arbitrary<LexValue>, ex: fc.boolean() }),
    );
    const cmp = (a: string, b: LexValue): number =>
      b === LEX_MIN ? 1 : b === LEX_MAX ? -1 : a < b ? -1 : a > b ? 1 : 0;
    fc.assert(
      fc.property(fc.boolean(), fc.uniqueArray(member), bound, bound, (lp, members, lo, hi) => {
        const z = ZSetValue.create(lp);
        for (const k of members) z.add(k, 0, 0, { maxEntries: 1000, maxValue: 1000 });
        const r: LexRange = { min: lo.v, max: hi.v, minex: lo.ex, maxex: hi.ex };
        const inR = (k: string): boolean => (r.minex ? cmp(k, r.min) > 0 : cmp(k, r.min) >= 0) && (r.maxex ? cmp(k, r.max) < 0 : cmp(k, r.max) <= 0);
        const all = [...members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const want = all.filter(inR);
        const first = z.firstInLex(r);
        assert.equal(first, want.length > 0 ? all.indexOf(want[0]) : -1);
        assert.equal(z.lastInLex(r), want.length > 0 ? all.indexOf(want[want.length - 1]) : -1);
        assert.equal(z.countInLex(r), want.length);
        assert.equal(z.removeLexRange(r), want.length);
        assert.deepEqual(contents(z).map(([k]) => k), all.filter((k) => !inR(k)));
      }),
      { numRuns: 300 },
    );
  });

  it('ZSCAN over the skiplist dict visits every member present throughout, even as scores change', () => {
    const lim = { maxEntries: 0, maxValue: 0 };
    const z = ZSetValue.create(false);
    for (let i = 0; i < 200; i++) z.add(`m${i}`, i, 0, lim);
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    do {
      cursor = z.scanDict(cursor, 7, (k, s) => {
        seen.add(k);
        assert.equal(z.score(k), s);
      });
      z.remove(`m${199 - steps}`);
      z.add(`new${steps}`, 1000, 0, lim);
      for (let j = 0; j < 5; j++) z.add(`m${(steps * 7 + j * 13) % 100}`, 1, ZADD_INCR, lim);
      steps++;
    } while (cursor !== 0 && steps < 1000);
    for (let i = 0; i < 100; i++) assert.ok(seen.has(`m${i}`), `m${i} missed`);
  });

  it('convertToListpackIfNeeded converts only what fits; clone is deep and keeps the encoding', () => {
    const z = ZSetValue.create(false);
    for (const [k, s] of [['a', 2], ['b', 1], ['c', -0]] as const) z.insertNew(k, s);
    z.convertToListpackIfNeeded({ maxEntries: 2, maxValue: 64 });
    assert.equal(z.encoding, 'skiplist');
    z.convertToListpackIfNeeded({ maxEntries: 3, maxValue: 0 });
    assert.equal(z.encoding, 'skiplist');
    const copy = z.clone();
    assert.equal(copy.encoding, 'skiplist');
    assert.ok(Object.is(copy.score('c'), -0), 'a skiplist keeps -0');
    z.convertToListpackIfNeeded({ maxEntries: 3, maxValue: 1 });
    assert.equal(z.encoding, 'listpack');
    assert.ok(Object.is(z.score('c'), 0), 'a listpack stores -0 as the integer 0');
    assert.deepEqual(contents(z), [['c', 0], ['b', 1], ['a', 2]]);
    const lcopy = z.clone();
    lcopy.add('d', 9, 0, { maxEntries: 128, maxValue: 64 });
    assert.equal(z.size, 3);
    assert.equal(lcopy.size, 4);
    assert.equal(lcopy.encoding, 'listpack');
    assert.equal(copy.size, 3);
  });

  it('listpackScoreText: integers within 2^62 in full, the rest as %.17g', () => {
    assert.equal(listpackScoreText(1e18), '1000000000000000000');
    assert.equal(listpackScoreText(-0), '0');
    assert.equal(listpackScoreText(2 ** 62), '4611686018427387904');
    assert.equal(listpackScoreText(2 ** 63), '9.2233720368547758e+18');
    assert.equal(listpackScoreText(1.5), '1.5');
    assert.equal(listpackScoreText(-Infinity), '-inf');
  });

  it('memoryUsage grows with the contents in both encodings', () => {
    const lp = ZSetValue.create(true);
    const sl = ZSetValue.create(false);
    const before = [lp.memoryUsage(5), sl.memoryUsage(5)];
    for (let i = 0; i < 50; i++) {
      lp.add(`member:${i}`, i / 3, 0, { maxEntries: 1000, maxValue: 1000 });
      sl.add(`member:${i}`, i / 3, 0, { maxEntries: 0, maxValue: 0 });
    }
    assert.ok(lp.memoryUsage(5) > before[0] + 50 * 10);
    assert.ok(sl.memoryUsage(5) > before[1] + 50 * 40);
    assert.ok(sl.memoryUsage(Infinity) > 0);
  });
});

/**
 * The list holds exactly the model's entries in (score, member) order, forwards and backwards,
 * with every rank right both ways. Returns the model sorted.
 */
function assertListMatches(sl: SkipList, m: Model): Array<[string, number]> {
  const want = sorted(m);
  assert.equal(sl.length, want.length);
  const fwd: string[] = [];
  for (let n = sl.first; n !== NIL; n = sl.next(n)) fwd.push(sl.member(n));
  assert.deepEqual(fwd, want.map(([k]) => k));
  const back: string[] = [];
  for (let n = sl.last; n !== NIL; n = sl.prev(n)) back.push(sl.member(n));
  assert.deepEqual(back, fwd.slice().reverse());
  want.forEach(([k, s], i) => {
    assert.equal(sl.rankOf(s, k), i + 1);
    assert.equal(sl.member(sl.nodeAt(i + 1)), k);
    assert.equal(sl.score(sl.nodeAt(i + 1)), s);
  });
  return want;
}

describe('SkipList', () => {
  it('keeps (score, member) order, spans and back links under random inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -3, max: 3 })), { maxLength: 150 }), (ops) => {
        const sl = new SkipList();
        const m: Model = new Map();
        for (const [ins, k, s] of ops) {
          const key = `k${k}`;
          const cur = m.get(key);
          if (ins && cur === undefined) {
            sl.insert(s, key);
            m.set(key, s);
          } else if (!ins && cur !== undefined) {
            assert.equal(sl.delete(cur, key), true);
            m.delete(key);
          } else if (!ins) {
            assert.equal(sl.delete(s, key), false);
          }
        }
        const want = assertListMatches(sl, m);
        assert.equal(sl.nodeAt(0), NIL);
        assert.equal(sl.nodeAt(want.length + 1), NIL);
      }),
      { numRuns: 200 },
    );
  });

  it('gives its pool back once mostly empty, with order, spans, links and ranks intact', () => {
    const sl = new SkipList();
    const m: Model = new Map();
    const check = (): void => void assertListMatches(sl, m);
    const add = (i: number): void => {
      const k = `m${String(i).padStart(5, '0')}`;
      sl.insert(i % 97, k);
      m.set(k, i % 97);
    };
    for (let i = 0; i < 5000; i++) add(i);
    const full = sl.poolWords;
    // Deletions of every kind take it under a quarter used.
    for (let i = 0; i < 5000; i += 2) {
      const k = `m${String(i).padStart(5, '0')}`;
      assert.equal(sl.delete(i % 97, k), true);
      m.delete(k);
    }
    check();
    const drop = (k: string): void => void m.delete(k);
    sl.deleteScoreRange({ min: 0, max: 80, minex: false, maxex: false }, drop);
    sl.deleteRankRange(1, 100, drop);
    sl.deleteRankRange(sl.length - 99, sl.length, drop);
    assert.ok(sl.length > 100, `${sl.length} left`);
    check();
    assert.ok(sl.poolWords * 4 <= full, `pool ${sl.poolWords} words after shrinking from ${full}`);
    // It keeps working and growing after the rebuild.
    for (let i = 5000; i < 6000; i++) add(i);
    check();
  });

  it('range deletions remove exactly the ranks asked for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 45 }), fc.integer({ min: 0, max: 10 }), (n, start, len) => {
        const sl = new SkipList();
        for (let i = 0; i < n; i++) sl.insert(i % 4, `m${String(i).padStart(2, '0')}`);
        const before: string[] = [];
        for (let x = sl.first; x !== NIL; x = sl.next(x)) before.push(sl.member(x));
        const removed: string[] = [];
        const count = sl.deleteRankRange(start, start + len, (m) => removed.push(m));
        assert.deepEqual(removed, before.slice(start - 1, start + len));
        assert.equal(count, removed.length);
        assert.equal(sl.length, n - count);
        const r: ScoreRange = { min: 1, max: 2, minex: false, maxex: true };
        const inRange = before.filter((m) => !removed.includes(m)).filter((m) => Number(m.slice(1)) % 4 === 1);
        const gone: string[] = [];
        sl.deleteScoreRange(r, (m) => gone.push(m));
        assert.deepEqual(gone, inRange);
      }),
      { numRuns: 200 },
    );
  });
});
