// The memory accounting behind maxmemory: each aggregate value class keeps an O(1) `bytes`
// estimate current through every mutator (checked against the same formula recomputed from the
// contents after random operation sequences), and the Store's running total of aggregate bytes
// (touched ids re-read, destroy / restring / reset subtracting) equals the sum over every object.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HashValue } from '../../src/server/keyspace/types/hash.js';
import { ListValue } from '../../src/server/keyspace/types/list.js';
import { SetValue } from '../../src/server/keyspace/types/set.js';
import { ZSetValue, ZADD_INCR, ZADD_NX } from '../../src/server/keyspace/types/zset.js';
import { LEX_MAX, LEX_MIN } from '../../src/server/keyspace/types/skiplist.js';
import {
  DICT_ENTRY_BYTES,
  HASH_HT_BASE,
  HASH_LP_BASE,
  HASH_LP_FIELD,
  INTSET_BASE,
  LIST_BASE,
  SET_HT_BASE,
  ZSET_LP_BASE,
  ZSET_LP_MEMBER,
  ZSET_SL_BASE,
  ZSET_SL_MEMBER,
  stringBytes,
} from '../../src/server/keyspace/types/heap-cost.js';
import { Store, stringMeta } from '../../src/server/keyspace/store.js';
import { VType } from '../../src/server/keyspace/entry.js';

const str = fc.oneof(
  fc.constantFrom('', 'a', 'ab', '1', '42', '-7', '\0\r\n', '\xff'.repeat(9)),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -70000, max: 70000 }).map(String),
);
const sumStrings = (xs: Iterable<string>): number => {
  let n = 0;
  for (const s of xs) n += stringBytes(s.length);
  return n;
};

describe('heap-cost: stringBytes', () => {
  it('models V8 sequential one-byte strings: a 16-byte header, 8-byte aligned', () => {
    assert.equal(stringBytes(0), 16);
    assert.equal(stringBytes(8), 24);
    assert.equal(stringBytes(9), 32);
    assert.equal(stringBytes(17), 40);
    assert.equal(stringBytes(100), 120);
  });
});

describe('value classes keep `bytes` current', () => {
  it('HashValue, both encodings and across conversion', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('set' as const), f: str, v: str }),
      fc.record({ k: fc.constant('del' as const), f: str }),
      fc.record({ k: fc.constant('try' as const), n: fc.integer({ min: 0, max: 50 }) }),
    );
    const limits = fc.record({ maxEntries: fc.integer({ min: 0, max: 20 }), maxValue: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(limits, fc.array(op, { maxLength: 60 }), (lim, ops) => {
        const h = new HashValue();
        for (const o of ops) {
          if (o.k === 'set') h.set(o.f, o.v, lim);
          else if (o.k === 'del') h.delete(o.f);
          else h.tryConversion(o.n, lim);
          const strings: string[] = [];
          for (let i = 0; i < h.size; i++) strings.push(h.fieldAt(i), h.valueAt(i));
          const expected = h.isListpack
            ? HASH_LP_BASE + h.size * HASH_LP_FIELD + sumStrings(strings)
            : HASH_HT_BASE + h.size * DICT_ENTRY_BYTES + sumStrings(strings);
          assert.equal(h.bytes, expected);
        }
        assert.equal(h.clone().bytes, h.bytes);
      }),
    );
  });

  it('ListValue: pushes, pops, set, insert, trim, remove', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constantFrom('lpush' as const, 'rpush' as const), s: str }),
      fc.record({ k: fc.constantFrom('lpop' as const, 'rpop' as const) }),
      fc.record({ k: fc.constantFrom('set' as const, 'insert' as const), at: fc.nat(), s: str }),
      fc.record({ k: fc.constant('trim' as const), h: fc.nat(), t: fc.nat() }),
      fc.record({ k: fc.constant('remove' as const), s: str, limit: fc.integer({ min: 0, max: 3 }), tail: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const l = new ListValue();
        for (const o of ops) {
          const n = l.length;
          if (o.k === 'lpush') l.pushHead(o.s);
          else if (o.k === 'rpush') l.pushTail(o.s);
          else if (o.k === 'lpop') l.popHead();
          else if (o.k === 'rpop') l.popTail();
          else if (o.k === 'set' && n > 0) l.set(o.at % n, o.s);
          else if (o.k === 'insert') l.insert(o.at % (n + 1), o.s);
          else if (o.k === 'trim' && n > 0) {
            const h = o.h % (n + 1);
            l.trim(h, o.t % (n - h + 1));
          } else if (o.k === 'remove') l.remove(o.s, o.limit, o.tail);
          // The ring's capacity is private: what is left after the strings is the base plus a
          // power-of-two number of slots that holds every element.
          const slots = (l.bytes - LIST_BASE - sumStrings(l.toArray())) / 8;
          assert.ok(Number.isInteger(slots) && slots >= Math.max(8, l.length), `slots ${slots} for ${l.length}`);
          assert.equal(slots & (slots - 1), 0, 'a power of two');
        }
        assert.equal(l.clone().bytes - LIST_BASE - sumStrings(l.toArray()) >= l.length * 8, true);
      }),
    );
  });

  it('SetValue: intset and hashtable, conversion, removeAt, adopt', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('add' as const), m: str }),
      fc.record({ k: fc.constant('del' as const), m: str }),
      fc.record({ k: fc.constant('removeAt' as const), at: fc.nat() }),
      fc.record({ k: fc.constant('adopt' as const), ms: fc.array(str, { maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.array(op, { maxLength: 60 }), (maxIntset, ops) => {
        let s = SetValue.intset();
        for (const o of ops) {
          if (o.k === 'add') s.add(o.m, maxIntset);
          else if (o.k === 'del') s.delete(o.m);
          else if (o.k === 'removeAt' && s.size > 0) s.removeAt(o.at % s.size);
          else if (o.k === 'adopt') {
            const other = SetValue.intset();
            for (const m of o.ms) other.add(m, maxIntset);
            s = SetValue.intset();
            s.adopt(other);
          }
          const members = Array.from({ length: s.size }, (_, i) => s.memberAt(i));
          if (s.isIntset) {
            const slots = (s.bytes - INTSET_BASE) / 8;
            assert.ok(Number.isInteger(slots) && slots >= s.size);
          } else {
            assert.equal(s.bytes, SET_HT_BASE + s.size * DICT_ENTRY_BYTES + sumStrings(members));
          }
        }
        if (!s.isIntset) assert.equal(s.clone().bytes, s.bytes);
      }),
    );
  });

  it('ZSetValue: adds, updates, removals by member / rank / score / lex, pops, conversions', () => {
    const score = fc.integer({ min: -5, max: 5 });
    const op = fc.oneof(
      fc.record({ k: fc.constant('add' as const), m: str, s: score, f: fc.constantFrom(0, ZADD_NX, ZADD_INCR) }),
      fc.record({ k: fc.constant('rem' as const), m: str }),
      fc.record({ k: fc.constant('rank' as const), a: fc.nat(), b: fc.nat() }),
      fc.record({ k: fc.constant('score' as const), a: score, b: score }),
      fc.record({ k: fc.constant('lex' as const) }),
      fc.record({ k: fc.constant('pop' as const), max: fc.boolean() }),
      fc.record({ k: fc.constantFrom('toSkiplist' as const, 'toListpack' as const) }),
    );
    const limits = fc.record({ maxEntries: fc.integer({ min: 0, max: 10 }), maxValue: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.boolean(), limits, fc.array(op, { maxLength: 60 }), (lp, lim, ops) => {
        const z = ZSetValue.create(lp);
        for (const o of ops) {
          if (o.k === 'add') z.add(o.m, o.s, o.f, lim);
          else if (o.k === 'rem') z.remove(o.m);
          else if (o.k === 'rank' && z.size > 0) {
            const a = o.a % z.size;
            z.removeRankRange(a, a + (o.b % (z.size - a)));
          } else if (o.k === 'score') z.removeScoreRange({ min: Math.min(o.a, o.b), max: Math.max(o.a, o.b), minex: false, maxex: false });
          else if (o.k === 'lex') z.removeLexRange({ min: LEX_MIN, max: LEX_MAX, minex: true, maxex: true });
          else if (o.k === 'pop' && z.size > 0) z.pop(o.max);
          else if (o.k === 'toSkiplist') z.convertToSkiplist();
          else if (o.k === 'toListpack') z.convertToListpackIfNeeded(lim);
          const members = [...z.ascending()].map(([m]) => m);
          const expected = z.isListpack
            ? ZSET_LP_BASE + z.size * ZSET_LP_MEMBER + sumStrings(members)
            : ZSET_SL_BASE + z.size * ZSET_SL_MEMBER + sumStrings(members);
          assert.equal(z.bytes, expected);
        }
        assert.equal(z.clone().bytes, z.bytes);
      }),
    );
  });
});

describe('Store: aggregate accounting', () => {
  /** The figure the running total must equal: every object's bytes, summed afresh. */
  const fullSum = (store: Store): number => {
    let n = 0;
    for (const o of store.objects.values()) n += (o as { bytes: number }).bytes;
    return n;
  };

  it('the running total follows mutations, deletions, type changes, resets and toggling', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('new' as const), s: str }),
      fc.record({ k: fc.constant('mutate' as const), at: fc.nat(), s: str }),
      fc.record({ k: fc.constant('replace' as const), at: fc.nat() }),
      fc.record({ k: fc.constant('destroy' as const), at: fc.nat() }),
      fc.record({ k: fc.constant('restring' as const), at: fc.nat() }),
      fc.record({ k: fc.constant('check' as const) }),
      fc.record({ k: fc.constant('toggle' as const) }),
      fc.record({ k: fc.constant('reset' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const store = new Store();
        store.setAccounting(true);
        const ids: number[] = [];
        let keyNo = 0;
        for (const o of ops) {
          const pick = (at: number): number | undefined => (ids.length === 0 ? undefined : ids[at % ids.length]);
          if (o.k === 'new') {
            const id = store.create(Buffer.from(`k${keyNo++}`), 0, stringMeta(0, 0));
            const l = new ListValue();
            l.pushTail(o.s);
            store.setObject(id, VType.List, l);
            ids.push(id);
          } else if (o.k === 'mutate') {
            const id = pick(o.at);
            if (id === undefined) continue;
            const obj = store.object(id);
            if (obj instanceof ListValue) for (let i = 0; i < 5; i++) obj.pushTail(o.s);
          } else if (o.k === 'replace') {
            const id = pick(o.at);
            if (id !== undefined) store.setObject(id, VType.Set, SetValue.forMember('x'));
          } else if (o.k === 'destroy' || o.k === 'restring') {
            const id = pick(o.at);
            if (id === undefined) continue;
            if (o.k === 'destroy') {
              store.destroy(id);
              ids.splice(ids.indexOf(id), 1);
            } else {
              store.restring(id, 0, -1);
              ids.splice(ids.indexOf(id), 1); // a string now: no object to account
            }
          } else if (o.k === 'toggle') {
            store.setAccounting(!store.accounting);
          } else if (o.k === 'reset') {
            store.reset();
            ids.length = 0;
          }
          if (o.k === 'check' || o.k === 'toggle') assert.equal(store.aggregateBytes(), fullSum(store));
        }
        assert.equal(store.aggregateBytes(), fullSum(store));
      }),
    );
  });

  it('with accounting on, an object changed without being fetched again is not re-read', () => {
    const store = new Store();
    store.setAccounting(true);
    const id = store.create(Buffer.from('k'), 0, stringMeta(0, 0));
    const l = new ListValue();
    store.setObject(id, VType.List, l);
    const before = store.aggregateBytes();
    assert.equal(before, l.bytes);
    // The contract: whoever mutates fetches the object first in the same command.
    (store.object(id) as ListValue).pushTail('x'.repeat(100));
    assert.equal(store.aggregateBytes(), l.bytes);
    assert.ok(l.bytes > before);
    store.destroy(id);
    assert.equal(store.aggregateBytes(), 0);
  });
});
