// ListValue: the ring-buffer deque behind list keys, checked against a plain array model under
// random operations (growth, wrap-around, shrinking, middle inserts and removals), plus clone
// independence and the MEMORY USAGE model's figures for lists Redis 7.0 was measured on.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ListValue } from '../../src/server/keyspace/types/list.js';
import { listpackEntryBytes } from '../../src/server/keyspace/types/alloc-model.js';

type Op =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'insert'; at: number; v: string }
  | { op: 'set'; at: number; v: string }
  | { op: 'trim'; head: number; tail: number }
  | { op: 'remove'; v: string; limit: number; fromTail: boolean }
  | { op: 'bulkPush'; n: number };

const value = fc.constantFrom('a', 'b', 'c', '', '\0', '\r\n', 'x'.repeat(70));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: value }),
  fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(200), v: value }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(200), v: value }),
  fc.record({ op: fc.constant('trim' as const), head: fc.nat(20), tail: fc.nat(20) }),
  fc.record({ op: fc.constant('remove' as const), v: value, limit: fc.nat(4), fromTail: fc.boolean() }),
  fc.record({ op: fc.constant('bulkPush' as const), n: fc.nat(100) }),
);

/** Applies op to both the list and the model. */
function apply(l: ListValue, m: string[], o: Op): void {
  switch (o.op) {
    case 'pushHead':
      l.pushHead(o.v);
      m.unshift(o.v);
      break;
    case 'pushTail':
      l.pushTail(o.v);
      m.push(o.v);
      break;
    case 'popHead':
      assert.equal(l.popHead(), m.shift());
      break;
    case 'popTail':
      assert.equal(l.popTail(), m.pop());
      break;
    case 'insert': {
      const at = o.at % (m.length + 1);
      l.insert(at, o.v);
      m.splice(at, 0, o.v);
      break;
    }
    case 'set':
      if (m.length === 0) break;
      l.set(o.at % m.length, o.v);
      m[o.at % m.length] = o.v;
      break;
    case 'trim': {
      const head = Math.min(o.head, m.length);
      const tail = Math.min(o.tail, m.length - head);
      l.trim(head, tail);
      m.splice(0, head);
      m.splice(m.length - tail, tail);
      break;
    }
    case 'remove': {
      const idx: number[] = [];
      for (let i = 0; i < m.length; i++) if (m[i] === o.v) idx.push(i);
      if (o.fromTail) idx.reverse();
      const gone = new Set(o.limit === 0 ? idx : idx.slice(0, o.limit));
      assert.equal(l.remove(o.v, o.limit, o.fromTail), gone.size);
      const kept = m.filter((_, i) => !gone.has(i));
      m.length = 0;
      m.push(...kept);
      break;
    }
    case 'bulkPush':
      for (let i = 0; i < o.n; i++) {
        l.pushTail(`n${i}`);
        m.push(`n${i}`);
      }
      break;
  }
}

describe('ListValue', () => {
  it('behaves as an array under random operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const l = new ListValue();
        const m: string[] = [];
        for (const o of ops) {
          apply(l, m, o);
          assert.equal(l.length, m.length);
        }
        assert.deepEqual(l.toArray(), m);
        for (let i = 0; i < m.length; i++) assert.equal(l.at(i), m[i]);
        assert.equal(l.indexOf('a'), m.indexOf('a'));
        if (m.length > 0) assert.deepEqual(l.range(1 % m.length, m.length - 1), m.slice(1 % m.length));
      }),
      { numRuns: 300 },
    );
  });

  it('pops return undefined when empty and the ring shrinks back after a drain', () => {
    const l = new ListValue();
    assert.equal(l.popHead(), undefined);
    assert.equal(l.popTail(), undefined);
    for (let i = 0; i < 10_000; i++) l.pushHead(String(i));
    for (let i = 0; i < 9_990; i++) l.popTail();
    assert.deepEqual(l.toArray(), ['9999', '9998', '9997', '9996', '9995', '9994', '9993', '9992', '9991', '9990']);
    l.trim(10, 0);
    assert.equal(l.length, 0);
    assert.deepEqual(l.toArray(), []);
  });

  it('remove() near either end of a long list, from either side, keeps the rest in order', () => {
    for (const [where, fromTail, limit] of [
      [3, false, 2], [3, true, 2], [996, false, 2], [996, true, 2], [500, false, 0], [3, true, 0],
    ] as const) {
      const l = new ListValue();
      const m: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const v = Math.abs(i - where) <= 2 && i % 2 === 1 ? 'hit' : `v${i}`;
        l.pushHead(v); // exercise a wrapped ring
        m.unshift(v);
      }
      const idx = m.flatMap((v, i) => (v === 'hit' ? [i] : []));
      const gone = new Set(limit === 0 ? idx : fromTail ? idx.slice(-limit) : idx.slice(0, limit));
      assert.equal(l.remove('hit', limit, fromTail), gone.size);
      assert.deepEqual(l.toArray(), m.filter((_, i) => !gone.has(i)), `at ${where} fromTail=${fromTail} limit=${limit}`);
    }
  });

  it('clone() is a deep, independent copy', () => {
    const l = new ListValue();
    for (const s of ['a', 'b', 'c']) l.pushTail(s);
    const c = l.clone();
    c.pushTail('d');
    c.set(0, 'z');
    l.popHead();
    assert.deepEqual(l.toArray(), ['b', 'c']);
    assert.deepEqual(c.toArray(), ['z', 'b', 'c', 'd']);
    assert.equal(c.encoding, 'quicklist');
  });

  it('listpack entry sizes: strings by length class, canonical integers by range', () => {
    assert.equal(listpackEntryBytes('a'), 3);
    assert.equal(listpackEntryBytes(''), 2);
    assert.equal(listpackEntryBytes('x'.repeat(63)), 65);
    assert.equal(listpackEntryBytes('x'.repeat(64)), 67);
    assert.equal(listpackEntryBytes('x'.repeat(108)), 111);
    assert.equal(listpackEntryBytes('x'.repeat(200)), 204);
    assert.equal(listpackEntryBytes('x'.repeat(5000)), 5007);
    // Back-length widths switch where lpEncodeBacklen does: a 16,383-byte body takes 3 bytes.
    assert.equal(listpackEntryBytes('x'.repeat(16377)), 16382 + 2);
    assert.equal(listpackEntryBytes('x'.repeat(16378)), 16383 + 3);
    assert.equal(listpackEntryBytes('0'), 2);
    assert.equal(listpackEntryBytes('127'), 2);
    assert.equal(listpackEntryBytes('128'), 3);
    assert.equal(listpackEntryBytes('-4096'), 3);
    assert.equal(listpackEntryBytes('32767'), 4);
    assert.equal(listpackEntryBytes('8388607'), 5);
    assert.equal(listpackEntryBytes('2147483647'), 6);
    assert.equal(listpackEntryBytes('2147483648'), 10);
    assert.equal(listpackEntryBytes('9223372036854775807'), 10);
    assert.equal(listpackEntryBytes('9223372036854775808'), 21, 'beyond int64: a string');
    assert.equal(listpackEntryBytes('01'), 4, 'leading zero: a string');
    assert.equal(listpackEntryBytes('-0'), 4, '"-0": a string');
    assert.equal(listpackEntryBytes('+1'), 4, 'a sign other than "-": a string');
  });

  it("memoryUsage matches Redis 7.0's figures (MEMORY USAGE minus key, dict entry and robj)", () => {
    // MEMORY USAGE in Redis 7.0.15 for a one-byte key: 8 (key) + 24 (dict entry) + 16 (robj) + this.
    const overhead = 48;
    const build = (els: string[], fill = -2): ListValue => {
      const l = new ListValue(fill);
      for (const s of els) l.pushTail(s);
      return l;
    };
    assert.equal(build(['a']).memoryUsage(5) + overhead, 144);
    assert.equal(build(['a', 'b', 'c']).memoryUsage(5) + overhead, 144);
    assert.equal(build(['x'.repeat(108)]).memoryUsage(5) + overhead, 256);
    const many = build(Array.from({ length: 2000 }, (_, i) => `element-${i}`));
    assert.equal(many.memoryUsage(5) + overhead, 27384);
    assert.equal(many.memoryUsage(Infinity) + overhead, 27384);
    const wide = build(Array.from({ length: 100 }, (_, i) => 'y'.repeat(i * 50)));
    assert.equal(wide.memoryUsage(5) + overhead, 329203);
    assert.equal(wide.memoryUsage(Infinity) + overhead, 270016);
    assert.equal(new ListValue().memoryUsage(5), 40, 'an empty quicklist is its header');
  });
});
