// DenseDict: Map semantics, uniform positions, and the SCAN guarantee under concurrent change.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DenseDict } from '../../src/server/keyspace/types/dict.js';

describe('DenseDict', () => {
  it('behaves as a Map under random set/delete', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer())), (ops) => {
        const d = new DenseDict<number>();
        const m = new Map<string, number>();
        for (const [isSet, k, v] of ops) {
          const key = `k${k}`;
          if (isSet) assert.equal(d.set(key, v), !m.has(key)), m.set(key, v);
          else assert.equal(d.delete(key), m.delete(key));
        }
        assert.equal(d.size, m.size);
        for (const [k, v] of m) assert.equal(d.get(k), v);
        assert.deepEqual(new Map(d.entries()), m);
        for (let i = 0; i < d.size; i++) assert.equal(m.get(d.keyAt(i)), d.valueAt(i));
      }),
    );
  });

  it('SCAN returns every element present throughout, whatever changes between steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 7 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 90 })), { maxLength: 6 }))),
        (initial, steps) => {
          const d = new DenseDict<null>();
          for (let i = 0; i < initial; i++) d.set(`k${i}`, null);
          const stable = new Set(d.keys());
          const seen = new Set<string>();
          let cursor = 0;
          let first = true;
          let step = 0;
          while (first || cursor !== 0) {
            first = false;
            const [count, changes] = steps[step++ % Math.max(1, steps.length)] ?? [10, []];
            cursor = d.scan(cursor, count, (k) => seen.add(k));
            for (const [add, k] of changes) {
              const key = `k${k}`;
              if (add) d.set(key, null);
              else if (d.delete(key)) stable.delete(key);
            }
          }
          for (const k of stable) assert.ok(seen.has(k), `missed ${k}`);
        },
      ),
    );
  });

  it('clone is independent of the original', () => {
    const d = new DenseDict<number[]>();
    d.set('a', [1]);
    const c = d.clone((v) => v.slice());
    c.get('a')!.push(2);
    c.set('b', []);
    assert.deepEqual(d.get('a'), [1]);
    assert.equal(d.size, 1);
    assert.equal(c.size, 2);
  });
});
