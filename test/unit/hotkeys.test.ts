// Unit tests of the hot-key sketch (src/server/analytics/hotkeys.ts): Count-Min estimates
// never under-count (with and without aging), the top-K heap finds the true hottest keys of
// a Zipf stream, aging turns counts into rates, and reset / resize / database filters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ADMIT_MARGIN, HotKeySketch } from '../../src/server/analytics/hotkeys.js';
import { createRng, type Rng } from '../../src/lib/rng.js';

const T0 = 1_700_000_000_000;
const key = (i: number): Buffer => Buffer.from(`key:${i}`);

/** Zipf(s) sampler over ranks 0..n-1 (rank 0 the most frequent). */
function zipf(n: number, s: number, rng: Rng): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  return () => {
    const u = rng.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * Whether `found` is a valid top-n of `counts`: n keys, every one counted at least as often
 * as the n-th most counted key, which allows any choice among keys tied at the boundary.
 */
/**
 * found is n distinct keys, each counted at least as often as the true n-th key, or (with
 * `margin`) at least (1 - margin) times as often.
 */
function isTopN(found: string[], counts: Map<string, number>, n: number, margin = 0): boolean {
  const sorted = [...counts.values()].sort((a, b) => b - a);
  const nth = sorted[n - 1];
  if (found.length !== Math.min(n, counts.size)) return false;
  if (new Set(found).size !== found.length) return false;
  return found.every((k) => (counts.get(k) ?? 0) >= nth * (1 - margin));
}

describe('HotKeySketch estimates', () => {
  it('never under-count, also with collisions forced by a tiny sketch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 60 })), { maxLength: 600 }),
        fc.integer({ min: 1, max: 8 }),
        (stream, topK) => {
          const s = new HotKeySketch({ now: T0, topK, widthBits: 3 });
          const truth = new Map<string, number>();
          for (const [db, k] of stream) {
            s.record(db, key(k), T0);
            truth.set(`${db}:${k}`, (truth.get(`${db}:${k}`) ?? 0) + 1);
          }
          for (const [id, n] of truth) {
            const [db, k] = id.split(':').map(Number);
            const e = s.estimate(db, key(k), T0);
            if (e.total < n || e.weight < n) return false;
          }
          // Reported entries too: unique, sorted hottest first, at most K.
          const top = s.top(1000, -1, T0);
          const ids = top.map((t) => `${t.db}:${t.key}`);
          return (
            top.length <= topK &&
            new Set(ids).size === ids.length &&
            top.every((t, i) => i === 0 || top[i - 1].weight >= t.weight) &&
            top.every((t) => t.total >= (truth.get(`${t.db}:${t.key.slice(4)}`) ?? 0))
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never under-count the decayed count when time passes (aging halves both sides)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })), { maxLength: 400 }),
        (stream) => {
          const half = 1000;
          const s = new HotKeySketch({ now: T0, halfLifeMs: half, widthBits: 4 });
          // The true decayed count of every key, halved at the same period boundaries.
          const truth = new Map<number, number>();
          let now = T0;
          let periodStart = T0;
          for (const [k, dt] of stream) {
            now += dt;
            while (now - periodStart >= half) {
              periodStart += half;
              for (const [x, c] of truth) truth.set(x, c / 2);
            }
            s.record(0, key(k), now);
            truth.set(k, (truth.get(k) ?? 0) + 1);
          }
          for (const [k, c] of truth) {
            if (s.estimate(0, key(k), now).weight < c) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts each database separately', () => {
    const s = new HotKeySketch({ now: T0 });
    for (let i = 0; i < 5; i++) s.record(0, key(1), T0);
    for (let i = 0; i < 3; i++) s.record(7, key(1), T0);
    assert.equal(s.estimate(0, key(1), T0).total, 5);
    assert.equal(s.estimate(7, key(1), T0).total, 3);
    assert.deepEqual(s.top(10, 7, T0).map((t) => [t.db, t.key, t.total]), [[7, 'key:1', 3]]);
    assert.deepEqual(s.top(10, 0, T0).map((t) => [t.db, t.key, t.total]), [[0, 'key:1', 5]]);
    assert.equal(s.top(10, -1, T0).length, 2);
    assert.deepEqual(s.top(10, 3, T0), []);
  });

  it('copies keys: a reused input buffer does not change what is reported', () => {
    const s = new HotKeySketch({ now: T0 });
    const buf = Buffer.from('aaaa');
    s.record(0, buf, T0);
    buf.write('bbbb');
    assert.deepEqual(s.top(10, 0, T0).map((t) => t.key), ['aaaa']);
    // Binary keys are kept byte for byte (latin1: one char per byte).
    const bin = Buffer.from([0, 255, 13, 10]);
    s.record(0, bin, T0);
    s.record(0, bin, T0);
    assert.equal(Buffer.from(s.top(1, 0, T0)[0].key, 'latin1').compare(bin), 0);
  });
});

describe('HotKeySketch top-K', () => {
  it('finds the true top 10 of a Zipf stream (50k accesses over 10k keys)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.constantFrom(0.8, 1, 1.2), (seed, exponent) => {
        const { stream } = zipfStream(seed, exponent);
        const s = new HotKeySketch({ now: T0 });
        const counts = new Map<string, number>();
        for (const k of stream) {
          s.record(0, Buffer.from(k), T0);
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        // The key hash is seeded per process, so estimates differ from run to run. Near the
        // 10th rank a Zipf stream has keys within a few percent of each other, and a key
        // enters the full heap only past ADMIT_MARGIN: one of those may stand in for another.
        return isTopN(s.top(10, 0, T0).map((t) => t.key), counts, 10, ADMIT_MARGIN);
      }),
      { numRuns: 12 },
    );
  });

  it('finds the top 10 by recent traffic of a Zipf stream spread over 50 s (five halvings)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const { stream } = zipfStream(seed, 1);
        const half = 10_000;
        const s = new HotKeySketch({ now: T0, halfLifeMs: half });
        // The true decayed counts, halved at the sketch's period boundaries.
        const decayed = new Map<string, number>();
        let now = T0;
        let periodStart = T0;
        for (let i = 0; i < stream.length; i++) {
          if (i % 100 === 0 && i > 0) now += 100; // 1000 accesses a second
          while (now - periodStart >= half) {
            periodStart += half;
            for (const [x, c] of decayed) decayed.set(x, c / 2);
          }
          s.record(0, Buffer.from(stream[i]), now);
          decayed.set(stream[i], (decayed.get(stream[i]) ?? 0) + 1);
        }
        return isTopN(s.top(10, 0, now).map((t) => t.key), decayed, 10);
      }),
      { numRuns: 12 },
    );
  });

  it('ranks by recent traffic: a key that cooled down drops below one that heated up', () => {
    const s = new HotKeySketch({ now: T0, halfLifeMs: 1000 });
    for (let i = 0; i < 1000; i++) s.record(0, key(1), T0 + i); // 1000 accesses in the first second
    for (let i = 0; i < 300; i++) s.record(0, key(2), T0 + 5000 + i); // 300, five seconds later
    const top = s.top(2, 0, T0 + 5300);
    assert.deepEqual(top.map((t) => t.key), ['key:2', 'key:1']);
    // Totals are not decayed.
    assert.deepEqual(top.map((t) => t.total), [300, 1000]);
  });

  it('keeps only K keys, the hottest ones, through churn', () => {
    const s = new HotKeySketch({ now: T0, topK: 4 });
    // Keys 0..3 get 100 accesses each, interleaved with 5000 single accesses to other keys.
    let n = 1000;
    for (let round = 0; round < 100; round++) {
      for (let k = 0; k < 4; k++) s.record(0, key(k), T0);
      for (let j = 0; j < 50; j++) s.record(0, key(n++), T0);
    }
    assert.deepEqual(s.top(10, 0, T0).map((t) => t.key).sort(), ['key:0', 'key:1', 'key:2', 'key:3']);
    assert.equal(s.accesses, 5400);
  });

  it('resize keeps the hottest keys; reset forgets everything', () => {
    const s = new HotKeySketch({ now: T0, topK: 8 });
    for (let k = 0; k < 8; k++) for (let i = 0; i <= k; i++) s.record(0, key(k), T0);
    s.resize(3);
    assert.equal(s.topK, 3);
    assert.deepEqual(s.top(10, 0, T0).map((t) => t.key), ['key:7', 'key:6', 'key:5']);
    s.record(0, key(1), T0); // 3 accesses now: not above the minimum (6), stays out
    assert.deepEqual(s.top(10, 0, T0).map((t) => t.key), ['key:7', 'key:6', 'key:5']);
    s.resize(16);
    for (let i = 0; i < 20; i++) s.record(0, key(0), T0);
    assert.deepEqual(s.top(2, 0, T0).map((t) => [t.key, t.total]), [['key:0', 21], ['key:7', 8]]);
    s.reset(T0 + 10);
    assert.deepEqual(s.top(10, -1, T0 + 10), []);
    assert.equal(s.estimate(0, key(0), T0 + 10).total, 0);
    assert.equal(s.accesses, 0);
    assert.equal(s.startedAt, T0 + 10);
  });
});

describe('HotKeySketch rates', () => {
  it('estimates a steady rate, before and after halvings', () => {
    const s = new HotKeySketch({ now: T0, halfLifeMs: 10_000 });
    // 200 accesses a second (one every 5 ms) for 3 s, then for 60 s in all.
    let t = T0;
    for (; t < T0 + 3000; t += 5) s.record(0, key(1), t);
    const early = s.top(1, 0, t)[0];
    assert.ok(Math.abs(early.rate - 200) < 2, `rate after 3 s: ${early.rate}`);
    for (; t < T0 + 60_000; t += 5) s.record(0, key(1), t);
    const late = s.top(1, 0, t)[0];
    assert.ok(Math.abs(late.rate - 200) < 2, `rate after 60 s: ${late.rate}`);
    assert.equal(late.total, 12_000);
    // Silence: the rate decays (weighted towards recent traffic), the total stays.
    const quiet = s.top(1, 0, t + 30_000)[0];
    assert.ok(quiet.rate < 60 && quiet.rate > 0, `rate after 30 s of silence: ${quiet.rate}`);
    assert.equal(quiet.total, 12_000);
    // After many half-lives nothing is hot any more, but keys stay listed with their totals.
    const cold = s.top(1, 0, t + 3_600_000)[0];
    assert.equal(cold.rate, 0);
    assert.equal(cold.total, 12_000);
  });

  it('tolerates a clock that goes backwards (no halving, no negative window)', () => {
    const s = new HotKeySketch({ now: T0, halfLifeMs: 1000 });
    s.record(0, key(1), T0 + 500);
    s.record(0, key(1), T0 - 5000);
    const e = s.top(1, 0, T0 - 5000)[0];
    assert.equal(e.weight, 2);
    assert.ok(Number.isFinite(e.rate) && e.rate > 0);
  });
});

/** 50k accesses over 10k keys, Zipf-distributed; key names shuffled relative to ranks. */
function zipfStream(seed: number, exponent: number): { stream: string[] } {
  const rng = createRng(seed);
  const next = zipf(10_000, exponent, rng);
  const perm = Array.from({ length: 10_000 }, (_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const stream: string[] = [];
  for (let i = 0; i < 50_000; i++) stream.push(`key:${perm[next()]}`);
  return { stream };
}
