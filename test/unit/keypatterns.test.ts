// Unit tests for per-key-pattern statistics (src/server/analytics/keypatterns.ts): pattern
// parsing and classification (first match wins, prefixes vs globs) against a reference model,
// exact key counts kept by the index observer through adds, deletes, renames, moves, swaps and
// flushes — including while the incremental recount after a change of the list is under way
// and partitions grow and shrink — hit/miss counting with CONFIG RESETSTAT noticed, and the
// memory sweep.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../src/index.js';
import { createRng } from '../../src/lib/rng.js';
import { globMatch } from '../../src/lib/glob.js';
import { KeyPatternStats, MAX_PATTERNS, PatternSet, parsePatterns } from '../../src/server/analytics/keypatterns.js';
import { NONE, type Database } from '../../src/server/keyspace/database.js';
import { hashBytes } from '../../src/server/keyspace/hash.js';
import { NO_EXPIRY } from '../../src/server/keyspace/entry.js';
import { Keyspace } from '../../src/server/keyspace/keyspace.js';
import { stringMeta } from '../../src/server/keyspace/store.js';

const T0 = 1_700_000_000_000;
const K = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The reference rule: the first pattern that matches (literal = prefix, else whole-key glob). */
function modelClass(patterns: readonly string[], key: Buffer): number {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (!/[*?[\\]/.test(p)) {
      if (key.subarray(0, Buffer.byteLength(p)).equals(Buffer.from(p)) && key.length >= Buffer.byteLength(p)) return i;
    } else if (globMatch(Buffer.from(p), key)) {
      return i;
    }
  }
  return patterns.length;
}

function cls(set: PatternSet, key: string): number {
  const b = K(key);
  return set.classify(b, 0, b.length);
}

describe('pattern lists', () => {
  it('parses words, refuses commas, control characters, duplicates and overlong lists', () => {
    assert.equal(parsePatterns(''), null);
    assert.equal(parsePatterns('   '), null);
    assert.deepEqual(parsePatterns(' session:  user:*:cart ')?.patterns, ['session:', 'user:*:cart']);
    assert.throws(() => parsePatterns('a,b'), /invalid character/);
    assert.throws(() => parsePatterns('a\x01'), /invalid character/);
    assert.throws(() => parsePatterns('a: b: a:'), /duplicate pattern 'a:'/);
    const many = Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `p${i}:`).join(' ');
    assert.throws(() => parsePatterns(many), /at most/);
  });

  it('classifies by the first pattern that matches: prefixes, trailing-star prefixes, globs', () => {
    const set = new PatternSet(['session:admin:', 'session:', 'user:*:cart', 'cfg*', 'h?llo']);
    assert.equal(cls(set, 'session:admin:1'), 0);
    assert.equal(cls(set, 'session:1'), 1);
    assert.equal(cls(set, 'session:'), 1);
    assert.equal(cls(set, 'session'), 5);
    assert.equal(cls(set, 'user:42:cart'), 2);
    assert.equal(cls(set, 'user:42:cart:x'), 5); // a glob matches the whole key
    assert.equal(cls(set, 'cfg'), 3);
    assert.equal(cls(set, 'cfg:x'), 3);
    assert.equal(cls(set, 'hello'), 4);
    assert.equal(cls(set, ''), 5);
    assert.equal(set.isPrefix(3), true);
    assert.equal(set.isPrefix(2), false);
  });

  it('classifies keys inside a larger buffer (index records) the same way', () => {
    const set = new PatternSet(['ab', 'x*z']);
    const rec = Buffer.from('##abc##xyz##');
    assert.equal(set.classify(rec, 2, 3), 0);
    assert.equal(set.classify(rec, 7, 3), 1);
    assert.equal(set.classify(new Uint8Array(rec), 7, 3), 1);
    assert.equal(set.classify(rec, 7, 2), 2);
  });

  it('agrees with the reference rule on random patterns and keys', () => {
    const alpha = fc.constantFrom('a', 'b', ':', '*', '?', '[', ']', '\\');
    const word = fc.array(alpha, { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 5 }), fc.array(fc.array(fc.constantFrom('a', 'b', ':'), { maxLength: 6 }).map((a) => a.join('')), { maxLength: 20 }), (pats, keys) => {
        const set = new PatternSet(pats);
        for (const k of keys) assert.equal(cls(set, k), modelClass(pats, K(k)), `${JSON.stringify(pats)} ${k}`);
      }),
      { numRuns: 300 },
    );
  });
});

// -----------------------------------------------------------------------------------------

function newKeyspace(): Keyspace {
  return new Keyspace({ databases: 3, clock: new FakeClock(T0) });
}

function add(db: Database, key: string, value = 'v', expireAt = NO_EXPIRY): void {
  if (db.find(K(key)) !== NONE) return;
  db.addString(K(key), K(value), stringMeta(0, 0), expireAt);
}

/** Key counts by class over every database, computed by walking the indexes. */
function brute(ks: Keyspace, set: PatternSet): number[] {
  const out = new Array<number>(set.size + 1).fill(0);
  for (const db of ks.dbs) db.forEach((id) => void out[cls(set, db.key(id).toString('latin1'))]++);
  return out;
}

describe('key counts', () => {
  it('follow adds, deletes, renames, moves, swaps and flushes exactly', () => {
    const ks = newKeyspace();
    const stats = new KeyPatternStats(ks);
    stats.configure('s: u:*:c');
    const set = stats.patterns as PatternSet;
    const [d0, d1, d2] = ks.dbs;
    add(d0, 's:1');
    add(d0, 's:2');
    add(d0, 'u:1:c');
    add(d1, 'zz');
    assert.deepEqual(stats.snapshot().keys, [2, 1, 1]);
    d0.delete(d0.find(K('s:1')));
    d0.rename(d0.find(K('s:2')), K('u:2:c'));
    assert.deepEqual(stats.snapshot().keys, [0, 2, 1]);
    d0.moveTo(d0.find(K('u:1:c')), d2);
    d1.swapWith(d2);
    assert.deepEqual(stats.snapshot().keys, brute(ks, set));
    ks.flushDb(ks.dbs[1], false);
    assert.deepEqual(stats.snapshot().keys, [0, 1, 1]);
    ks.flushAll();
    assert.deepEqual(stats.snapshot().keys, [0, 0, 0]);
    stats.configure('');
    assert.equal(stats.enabled, false);
    for (const db of ks.dbs) assert.equal(db.indexObserver, null);
  });

  it('stay exact while a recount after a change of the list runs under random writes', () => {
    // Small scan steps stop the walk inside partitions; a phase of mostly deletes shrinks
    // partition tables under the walk (scan then revisits buckets), a phase of mostly adds
    // grows them, and renames, moves, swaps and flushes happen throughout.
    for (const seed of [1, 2, 3, 4]) {
      const rng = createRng(seed);
      const ks = newKeyspace();
      const stats = new KeyPatternStats(ks);
      stats.recountPerTick = 2 + seed;
      stats.scanStep = 1 + (seed % 2);
      stats.samplePerTick = 0; // the memory sweep is not under test here
      const names = ['a:', 'b:', 'c:x', 'd', 'e:'];
      const randomKey = (): string => `${names[rng.int(names.length)]}${rng.int(20000)}`;
      for (let i = 0; i < 8000; i++) add(ks.dbs[0], randomKey());
      for (let i = 0; i < 1000; i++) add(ks.dbs[1], randomKey());
      stats.configure('a: b:* c:?1* e:');
      let set = stats.patterns as PatternSet;
      assert.equal(stats.recounting, true, 'the first step does not count 9000 keys');
      let checks = 0;
      for (let step = 0; step < 12000; step++) {
        const db = step < 7000 && rng.next() < 0.9 ? ks.dbs[0] : ks.dbs[rng.int(3)];
        const r = rng.next();
        const addShare = step < 7000 ? 0.02 : 0.6;
        if (r < addShare) {
          add(db, randomKey());
        } else if (r < 0.8) {
          const e = db.randomEntry(() => rng.next());
          if (e !== NONE) db.delete(e);
        } else if (r < 0.9) {
          const e = db.randomEntry(() => rng.next());
          const to = K(randomKey());
          if (e !== NONE && db.find(to) === NONE) db.rename(e, to);
        } else if (r < 0.998) {
          const e = db.randomEntry(() => rng.next());
          const dst = ks.dbs[rng.int(3)];
          if (e !== NONE && dst !== db && dst.find(db.key(e)) === NONE) db.moveTo(e, dst);
        } else if (r < 0.9995) {
          ks.dbs[0].swapWith(ks.dbs[1 + rng.int(2)]);
        } else {
          ks.flushDb(ks.dbs[2], false);
        }
        stats.cron();
        if (step === 8000) {
          // Change the list again while keys keep changing.
          stats.configure('e: d a:1*');
          set = stats.patterns as PatternSet;
        }
        if (!stats.recounting && step % 250 === 0) {
          assert.deepEqual(stats.snapshot().keys, brute(ks, set), `seed ${seed} step ${step}`);
          checks++;
        }
      }
      for (let i = 0; i < 100000 && stats.recounting; i++) stats.cron();
      assert.equal(stats.recounting, false);
      assert.deepEqual(stats.snapshot().keys, brute(ks, set), `seed ${seed} at the end`);
      assert.ok(checks > 0);
    }
  });

  it('count each key once when the walked partition shrinks under the walk', () => {
    // The walk stops inside partition 0; deleting most of that partition's keys shrinks its
    // table, after which Database.scan revisits buckets the walk had passed. Tried at many
    // stopping points, keeping a few keys each time (some of them already counted).
    const part0: string[] = [];
    for (let i = 0; part0.length < 100; i++) if (hashBytes(K(`k:${i}`), 0, K(`k:${i}`).length) >>> 24 === 0) part0.push(`k:${i}`);
    for (let ticks = 2; ticks <= 80; ticks += 3) {
      const ks = newKeyspace();
      const db = ks.dbs[0];
      for (const k of part0) add(db, k);
      for (let i = 0; i < 2000; i++) add(db, `x:${i}`);
      const stats = new KeyPatternStats(ks);
      stats.recountPerTick = 1;
      stats.scanStep = 1;
      stats.samplePerTick = 0;
      stats.configure('k:1 k:');
      for (let t = 0; t < ticks; t++) stats.cron();
      assert.equal(stats.recounting, true);
      const rng = createRng(ticks);
      const keep = new Set<string>();
      while (keep.size < 3) keep.add(part0[rng.int(part0.length)]);
      for (const k of part0) if (!keep.has(k)) db.delete(db.find(K(k)));
      stats.recountPerTick = 1_000_000;
      stats.cron();
      assert.equal(stats.recounting, false);
      assert.deepEqual(stats.snapshot().keys, brute(ks, stats.patterns as PatternSet), `stopped after ${ticks} ticks`);
    }
  });

  it('count a keyspace within one budget at once (no tick needed)', () => {
    const ks = newKeyspace();
    for (let i = 0; i < 500; i++) add(ks.dbs[i % 3], `k${i % 7}:${i}`);
    const stats = new KeyPatternStats(ks);
    stats.configure('k1: k2:');
    assert.equal(stats.recounting, false);
    assert.deepEqual(stats.snapshot().keys, brute(ks, stats.patterns as PatternSet));
  });
});

describe('hits and misses', () => {
  it('count read lookups only, restart on a list change and after a reset of the global counters', () => {
    const ks = newKeyspace();
    const db = ks.dbs[0];
    add(db, 's:1');
    ks.lookupRead(db, K('s:1'), T0); // before the list: unattributed
    const stats = new KeyPatternStats(ks);
    stats.configure('s:');
    ks.lookupRead(db, K('s:1'), T0);
    ks.lookupRead(db, K('s:2'), T0);
    ks.lookupRead(db, K('x'), T0);
    ks.lookupWrite(db, K('s:1'), T0);
    let s = stats.snapshot();
    assert.deepEqual([s.hits, s.misses, s.baseHits, s.baseMisses], [[1, 0], [1, 1], 1, 0]);
    assert.equal(s.hits[0] + s.hits[1] + s.baseHits, ks.stats.keyspaceHits);
    assert.equal(s.misses[0] + s.misses[1] + s.baseMisses, ks.stats.keyspaceMisses);
    // An expired key reads as a miss, in the same class.
    add(db, 's:old', 'v', T0 + 5);
    ks.lookupRead(db, K('s:old'), T0 + 10);
    assert.equal(stats.snapshot().misses[0], 2);
    // CONFIG RESETSTAT zeroes the global counters; the per-pattern ones follow.
    ks.stats.keyspaceHits = 0;
    ks.stats.keyspaceMisses = 0;
    s = stats.snapshot();
    assert.deepEqual([s.hits, s.misses, s.baseHits, s.baseMisses], [[0, 0], [0, 0], 0, 0]);
    ks.lookupRead(db, K('s:1'), T0);
    assert.deepEqual(stats.snapshot().hits, [1, 0]);
    stats.configure('x s:');
    s = stats.snapshot();
    assert.deepEqual([s.hits, s.baseHits], [[0, 0, 0], 1]);
  });
});

describe('memory sweep', () => {
  it('estimates bytes per pattern from a bounded walk and scales them by the key counts', () => {
    const ks = newKeyspace();
    for (let i = 0; i < 300; i++) add(ks.dbs[0], `big:${i}`, 'x'.repeat(1000));
    for (let i = 0; i < 300; i++) add(ks.dbs[1], `small:${i}`, 'x');
    const stats = new KeyPatternStats(ks);
    stats.samplePerTick = 50;
    stats.configure('big: small:');
    assert.equal(stats.snapshot().memory[0], 0, 'nothing sampled before the first tick');
    stats.cron();
    assert.equal(stats.sweeps, 0);
    for (let i = 0; i < 100 && stats.sweeps === 0; i++) stats.cron();
    assert.equal(stats.sweeps, 1);
    const [big, small, other] = stats.snapshot().memory;
    assert.ok(big > 300 * 1000 && big < 300 * 1200, `big ${big}`);
    assert.ok(small > 0 && small * 10 < big, `small ${small}`);
    assert.equal(other, 0);
    // Scaled by the exact count: deleting half of the big keys halves the estimate at once.
    for (let i = 0; i < 150; i++) ks.dbs[0].delete(ks.dbs[0].find(K(`big:${i}`)));
    assert.equal(stats.snapshot().memory[0], Math.round(big / 2));
  });
});
