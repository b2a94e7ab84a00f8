// SetValue against a model: Set semantics, ascending order while an intset, Redis 7.0's one-way
// conversion rules (non-integer member, size past the limit), canonical int64 spellings,
// position-based access (random picks), SSCAN's guarantee, clone independence, adopt, and the
// MEMORY USAGE figures.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SetValue, canonicalInt64 } from '../../src/server/keyspace/types/set.js';

type Op = { kind: 'add'; m: string } | { kind: 'del'; m: string } | { kind: 'removeAt'; r: number };

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

const memberArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -40, max: 40 }).map(String) },
  { weight: 2, arbitrary: fc.bigInt({ min: I64_MIN, max: I64_MAX }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('01', '-0', '+1', ' 1', '', 'a', '9223372036854775808', '1e3') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), m: memberArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('del' as const), m: memberArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeAt' as const), r: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
);

/** Every member of s by position. */
function membersOf(s: SetValue): string[] {
  return Array.from({ length: s.size }, (_, i) => s.memberAt(i));
}

describe('canonicalInt64', () => {
  it('accepts exactly the canonical int64 spellings (Redis string2ll)', () => {
    for (const ok of ['0', '1', '-1', '42', '9223372036854775807', '-9223372036854775808', '100']) {
      assert.equal(canonicalInt64(ok), BigInt(ok), ok);
    }
    for (const bad of ['', '-', '-0', '01', '+1', ' 1', '1 ', '0x1', '1e3', '1.0', '9223372036854775808', '-9223372036854775809', '99999999999999999999', '１']) {
      assert.equal(canonicalInt64(bad), null, JSON.stringify(bad));
    }
  });

  it('round-trips every int64', () => {
    fc.assert(fc.property(fc.bigInt({ min: I64_MIN, max: I64_MAX }), (v) => canonicalInt64(String(v)) === v));
  });
});

describe('SetValue', () => {
  it('matches a Set model, stays sorted while an intset, converts one-way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(opArb, { maxLength: 80 }), (max, ops) => {
        const s = SetValue.intset();
        const model = new Set<string>();
        let converted = false;
        for (const op of ops) {
          if (op.kind === 'add') {
            const isInt = canonicalInt64(op.m) !== null;
            assert.equal(s.add(op.m, max), !model.has(op.m));
            if (!isInt) converted = true;
            model.add(op.m);
            if (model.size > max) converted = true;
          } else if (op.kind === 'del') {
            assert.equal(s.delete(op.m), model.delete(op.m));
          } else if (s.size > 0) {
            const m = s.removeAt(Math.floor(op.r * s.size));
            assert.ok(model.delete(m), `removeAt returned a non-member ${m}`);
          }
          assert.equal(s.encoding, converted ? 'hashtable' : 'intset');
          assert.equal(s.isIntset, !converted);
          assert.equal(s.size, model.size);
        }
        for (const m of model) assert.ok(s.has(m), m);
        assert.equal(s.has('\u00ff-absent'), false);
        const members = membersOf(s);
        assert.deepEqual(new Set(members), model);
        assert.equal(members.length, model.size, 'positions hold each member once');
        if (!converted) {
          const sorted = [...model].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
          assert.deepEqual(members, sorted, 'an intset iterates in ascending order');
        }
      }),
    );
  });

  it('forMember picks the encoding setTypeCreate would', () => {
    assert.equal(SetValue.forMember('12').encoding, 'intset');
    assert.equal(SetValue.forMember('-0').encoding, 'hashtable');
    assert.equal(SetValue.forMember('x').encoding, 'hashtable');
    assert.equal(SetValue.forMember('9223372036854775808').encoding, 'hashtable');
    // With a limit of 0 the first integer still converts it (Redis: the insert passes the limit).
    const z = SetValue.forMember('1');
    assert.ok(z.add('1', 0));
    assert.equal(z.encoding, 'hashtable');
    assert.ok(z.has('1'));
  });

  it('scan: an intset in one step with cursor 0; a hashtable visits every member present throughout', () => {
    const i = SetValue.intset();
    for (const m of ['5', '-1', '3']) i.add(m, 512);
    const seen: string[] = [];
    assert.equal(i.scan(0, 1, (m) => seen.push(m)), 0);
    assert.deepEqual(seen, ['-1', '3', '5']);

    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 7 }), fc.array(fc.boolean(), { maxLength: 40 }), (n, count, churn) => {
        const s = SetValue.intset();
        for (let k = 0; k < n; k++) s.add(`m${k}`, 512);
        const stable = new Set(membersOf(s).filter((_, k) => k % 2 === 0));
        const found = new Set<string>();
        let cursor = 0;
        let step = 0;
        for (let guard = 0; guard < 10_000; guard++) {
          cursor = s.scan(cursor, count, (m) => found.add(m));
          // Between steps, members outside `stable` come and go.
          const flip = churn[step++ % Math.max(churn.length, 1)] ?? false;
          const victim = membersOf(s).find((m) => !stable.has(m));
          if (flip && victim !== undefined) s.delete(victim);
          else s.add(`new${step}`, 512);
          if (cursor === 0) break;
        }
        assert.equal(cursor, 0, 'the scan terminates');
        for (const m of stable) assert.ok(found.has(m), `missed ${m}`);
      }),
    );
  });

  it('clone is deep and keeps the encoding; adopt takes over members and encoding', () => {
    const a = SetValue.intset();
    for (const m of ['1', '2', '3']) a.add(m, 512);
    const b = a.clone();
    b.add('4', 512);
    b.add('x', 512);
    assert.equal(a.size, 3);
    assert.equal(a.encoding, 'intset');
    assert.equal(b.encoding, 'hashtable');
    const c = b.clone();
    c.delete('x');
    assert.ok(b.has('x'));
    assert.equal(c.encoding, 'hashtable');
    a.adopt(c);
    assert.equal(a.encoding, 'hashtable');
    assert.deepEqual(new Set(membersOf(a)), new Set(['1', '2', '3', '4']));
  });

  it('memoryUsage follows Redis 7.0 (intset width grows, dict buckets and sds sizes)', () => {
    const s = SetValue.intset();
    s.add('1', 512);
    assert.equal(s.memoryUsage(5), 16); // 8 + 2, jemalloc 16
    for (const m of ['2', '3', '4']) s.add(m, 512);
    assert.equal(s.memoryUsage(5), 16);
    s.add('100000', 512);
    assert.equal(s.memoryUsage(5), 32); // 8 + 5 * 4
    s.delete('100000');
    assert.equal(s.memoryUsage(5), 32, 'the width never shrinks');
    s.add('5000000000', 512);
    assert.equal(s.memoryUsage(5), 48); // 8 + 5 * 8
    const h = SetValue.forMember('a');
    h.add('a', 512);
    assert.equal(h.memoryUsage(5), 56 + 4 * 8 + 24 + 8);
    for (const m of ['b', 'c', 'd']) h.add(m, 512);
    assert.equal(h.memoryUsage(5), 56 + 4 * 8 + 4 * 32);
    assert.equal(h.memoryUsage(1), 56 + 4 * 8 + 4 * 32, 'sampled average times the size');
  });
});
