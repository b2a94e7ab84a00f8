// HashValue against a model: Map semantics, listpack order while small, Redis 7.0's one-way
// conversion rules, HSCAN's guarantee, clone independence and the MEMORY USAGE figures.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HashValue, type HashLimits } from '../../src/server/keyspace/types/hash.js';

/** An operation on a hash: set (field, value) or delete field, or a tryConversion. */
type Op = { kind: 'set'; f: string; v: string } | { kind: 'del'; f: string } | { kind: 'try'; len: number };

const fieldArb = fc.oneof(fc.integer({ min: 0, max: 30 }).map((i) => `f${i}`), fc.string({ maxLength: 12 }));
const valueArb = fc.oneof(fc.string({ maxLength: 10 }), fc.integer().map(String), fc.string({ minLength: 10, maxLength: 20 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), f: fieldArb, v: valueArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('del' as const), f: fieldArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('try' as const), len: fc.integer({ min: 0, max: 24 }) }) },
);
const limitsArb: fc.Arbitrary<HashLimits> = fc.record({
  maxEntries: fc.integer({ min: 0, max: 24 }),
  maxValue: fc.integer({ min: 0, max: 24 }),
});

describe('HashValue', () => {
  it('matches a Map model, keeps listpack order, converts one-way at the thresholds', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(opArb, { maxLength: 80 }), (limits, ops) => {
        const h = new HashValue();
        // A JS Map keeps insertion order, updates in place and appends re-added keys: listpack order.
        const m = new Map<string, string>();
        let converted = false;
        for (const op of ops) {
          if (op.kind === 'set') {
            if (op.f.length > limits.maxValue || op.v.length > limits.maxValue) converted = true;
            assert.equal(h.set(op.f, op.v, limits), !m.has(op.f));
            m.set(op.f, op.v);
            if (m.size > limits.maxEntries) converted = true;
          } else if (op.kind === 'del') {
            assert.equal(h.delete(op.f), m.delete(op.f));
          } else {
            h.tryConversion(op.len, limits);
            if (op.len > limits.maxValue) converted = true;
          }
          assert.equal(h.encoding, converted ? 'hashtable' : 'listpack');
          assert.equal(h.isListpack, !converted);
        }
        assert.equal(h.size, m.size);
        for (const [f, v] of m) {
          assert.equal(h.get(f), v);
          assert.ok(h.has(f));
        }
        assert.equal(h.get('\u00ff-absent'), undefined);
        const pairs = Array.from({ length: h.size }, (_, i): [string, string] => [h.fieldAt(i), h.valueAt(i)]);
        if (!converted) assert.deepEqual(pairs, [...m.entries()], 'listpack order is insertion order');
        else assert.deepEqual(new Map(pairs), m);
      }),
    );
  });

  it('scan: a listpack in one step with cursor 0; a hashtable visits every field present throughout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 120 })), { maxLength: 5 }))),
        (initial, steps) => {
          const limits = { maxEntries: 16, maxValue: 64 };
          const h = new HashValue();
          for (let i = 0; i < initial; i++) h.set(`k${i}`, `v${i}`, limits);
          const stable = new Set(Array.from({ length: h.size }, (_, i) => h.fieldAt(i)));
          const seen = new Set<string>();
          let cursor = 0;
          let calls = 0;
          do {
            const [count, changes] = steps[calls % Math.max(1, steps.length)] ?? [10, []];
            const wasListpack = h.isListpack;
            cursor = h.scan(cursor, count, (f, v) => {
              assert.equal(h.get(f), v);
              seen.add(f);
            });
            if (wasListpack) assert.equal(cursor, 0);
            calls++;
            for (const [add, k] of changes) {
              if (add) h.set(`k${k}`, 'x', limits);
              else if (h.delete(`k${k}`)) stable.delete(`k${k}`);
            }
            assert.ok(calls < 10_000, 'scan must terminate');
          } while (cursor !== 0);
          for (const f of stable) assert.ok(seen.has(f), `missed ${f}`);
        },
      ),
    );
  });

  it('a listpack scan ignores the cursor', () => {
    const h = new HashValue();
    h.set('a', '1', { maxEntries: 8, maxValue: 8 });
    h.set('b', '2', { maxEntries: 8, maxValue: 8 });
    const got: string[] = [];
    assert.equal(h.scan(12345, 1, (f, v) => got.push(f, v)), 0);
    assert.deepEqual(got, ['a', '1', 'b', '2']);
  });

  it('clone is deep and keeps encoding and order', () => {
    const limits = { maxEntries: 4, maxValue: 8 };
    for (const n of [3, 10]) {
      const h = new HashValue();
      for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`, limits);
      const c = h.clone();
      assert.equal(c.encoding, h.encoding);
      assert.deepEqual(
        Array.from({ length: c.size }, (_, i) => c.fieldAt(i)),
        Array.from({ length: h.size }, (_, i) => h.fieldAt(i)),
      );
      c.set('f0', 'changed', limits);
      c.delete('f1');
      c.set('new', 'x', limits);
      assert.equal(h.get('f0'), 'v0');
      assert.equal(h.get('f1'), 'v1');
      assert.equal(h.has('new'), false);
      assert.equal(h.size, n);
      assert.equal(c.size, n);
    }
  });

  it('memoryUsage reproduces Redis 7.0 figures (MEMORY USAGE minus key, dict entry and robj)', () => {
    const lim = { maxEntries: 512, maxValue: 64 };
    const h1 = new HashValue();
    h1.set('a', 'b', lim);
    assert.equal(h1.memoryUsage(5), 16); // Redis: 64
    const h2 = new HashValue();
    for (const [f, v] of [['field1', 'value1'], ['f2', '12345'], ['f3', '-7']]) h2.set(f, v, lim);
    assert.equal(h2.memoryUsage(5), 48); // Redis: 96
    const h3 = new HashValue();
    h3.set('x'.repeat(60), 'y'.repeat(60), lim);
    assert.equal(h3.memoryUsage(5), 160); // Redis: 208
    const hb = new HashValue();
    hb.tryConversion(100, lim);
    hb.set('a', 'y'.repeat(100), lim);
    assert.equal(hb.memoryUsage(5), 232); // Redis: 280 (4 buckets, one entry)
    const big = new HashValue();
    for (let i = 100; i < 700; i++) big.set(`field${i}`, `value${i}`, lim);
    assert.equal(big.encoding, 'hashtable');
    assert.equal(big.memoryUsage(5), 41848); // Redis: 41896 (1024 buckets, 56 bytes per entry)
    assert.equal(big.memoryUsage(Infinity), 41848);
  });

  it('memoryUsage follows the dict resizing (grow when full, shrink under 10%)', () => {
    const lim = { maxEntries: 0, maxValue: 64 };
    const h = new HashValue();
    const perEntry = 8 + 8 + 24; // "kNN" / "v" sds (8 bytes each) + dictEntry
    const usage = (buckets: number, n: number): number => 56 + 8 * buckets + perEntry * n;
    h.set('k0', 'v', lim); // converted after the first insert: presized for 1 -> 4 buckets
    assert.equal(h.memoryUsage(Infinity), usage(4, 1));
    for (let i = 1; i < 4; i++) h.set(`k${i}`, 'v', lim);
    assert.equal(h.memoryUsage(Infinity), usage(4, 4));
    h.set('k4', 'v', lim);
    assert.equal(h.memoryUsage(Infinity), usage(8, 5));
    for (let i = 5; i < 64; i++) h.set(`k${i}`, 'v', lim);
    assert.equal(h.memoryUsage(Infinity), usage(64, 64));
    for (let i = 0; i < 57; i++) h.delete(`k${i}`);
    assert.equal(h.memoryUsage(Infinity), usage(64, 7)); // 7/64 is still 10% full
    h.delete('k57');
    assert.equal(h.memoryUsage(Infinity), usage(8, 6)); // 6/64 is not: resized for 6
  });
});
