// The packed form of small aggregates (keyspace/types/packed.ts): every value class round-trips
// through its bytes with nothing observable changed (elements, order, encoding, MEMORY USAGE,
// heap estimate), sizes are exact, and the store packs, unpacks and repacks as its contract says.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HashValue, packedFound } from '../../src/server/keyspace/types/hash.js';
import { ListValue } from '../../src/server/keyspace/types/list.js';
import { SetValue } from '../../src/server/keyspace/types/set.js';
import { ZSetValue } from '../../src/server/keyspace/types/zset.js';
import { aggregateCodec } from '../../src/server/keyspace/types/codec.js';
import { PACK_MAX_ELEMENTS, reader } from '../../src/server/keyspace/types/packed.js';
import { Store } from '../../src/server/keyspace/store.js';
import { VType } from '../../src/server/keyspace/entry.js';

/** Binary-safe latin1 strings: every byte value, empty, and lengths across the 1-byte varint edge. */
const str = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 140 }).map((a) => String.fromCharCode(...a)),
  fc.integer().map(String),
);
const BIG = { maxEntries: 1000, maxValue: 1000 };

/** Packs v at a non-zero offset, checks the size is exact, and unpacks it. */
function roundTrip<T>(type: number, v: T): T {
  const size = aggregateCodec.packedSize(v);
  assert.ok(size > 0, 'packable');
  const b = Buffer.alloc(size + 7, 0xee);
  aggregateCodec.pack(v, b, 3);
  assert.equal(b[size + 3], 0xee, 'writes no more than packedSize bytes');
  const out = aggregateCodec.unpack(type, b, 3) as T;
  return out;
}

function hashPairs(h: HashValue): string[][] {
  return Array.from({ length: h.size }, (_, i) => [h.fieldAt(i), h.valueAt(i)]);
}

function zsetPairs(z: ZSetValue): [string, number][] {
  const out: [string, number][] = [];
  z.walk(0, false, (m, s) => {
    out.push([m, s]);
    return true;
  });
  return out;
}

describe('packed aggregates: round trips', () => {
  it('hash: fields, values, order, MEMORY USAGE and heap estimate survive', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(str, str), { maxLength: PACK_MAX_ELEMENTS / 2 }), (pairs) => {
        const h = new HashValue();
        for (const [f, v] of pairs) h.set(f, v, BIG);
        if (h.packedSize() < 0) return; // past PACK_MAX_BYTES
        const u = roundTrip(VType.Hash, h);
        assert.ok(u instanceof HashValue);
        assert.deepEqual(hashPairs(u), hashPairs(h));
        assert.equal(u.encoding, 'listpack');
        assert.equal(u.memoryUsage(5), h.memoryUsage(5));
        assert.equal(u.bytes, h.bytes);
      }),
    );
  });

  it('small hashtable hash: pairs in dense order, buckets, MEMORY USAGE and HSCAN cursors survive', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(str, str), { minLength: 1, maxLength: PACK_MAX_ELEMENTS / 2 }), fc.array(fc.nat(), { maxLength: 10 }), (pairs, dels) => {
        const h = new HashValue();
        h.set('long', 'x'.repeat(65), { maxEntries: 128, maxValue: 64 });
        for (const [f, v] of pairs) h.set(f, v, BIG);
        for (const d of dels) if (h.size > 1) h.delete(h.fieldAt(d % h.size));
        assert.equal(h.encoding, 'hashtable');
        if (h.packedSize() < 0) return;
        const u = roundTrip(VType.Hash, h);
        assert.equal(u.encoding, 'hashtable');
        assert.deepEqual(hashPairs(u), hashPairs(h));
        assert.equal(u.memoryUsage(5), h.memoryUsage(5));
        assert.equal(u.bytes, h.bytes);
        const restA: string[] = [];
        const restB: string[] = [];
        const cur = h.scan(0, 2, () => {});
        let a = cur;
        let b = cur;
        while (a !== 0) a = h.scan(a, 2, (f, v) => restA.push(f, v));
        while (b !== 0) b = u.scan(b, 2, (f, v) => restB.push(f, v));
        assert.deepEqual(restB, restA);
      }),
    );
  });

  it('packedFind reads the value of a field where it is packed, for both hash forms', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(str, str), { maxLength: PACK_MAX_ELEMENTS / 2 }), fc.boolean(), str, (pairs, table, probe) => {
        const h = new HashValue();
        if (table) h.set('long', 'x'.repeat(65), { maxEntries: 128, maxValue: 64 });
        for (const [f, v] of pairs) h.set(f, v, BIG);
        if (h.packedSize() < 0) return;
        const b = Buffer.alloc(h.packedSize() + 5);
        h.pack(b, 5);
        for (const f of [...pairs.map(([k]) => k), probe]) {
          const p = HashValue.packedFind(b, 5, Buffer.from(f, 'latin1'));
          const want = h.get(f);
          if (want === undefined) assert.equal(p, -1);
          else assert.equal(b.toString('latin1', p, p + packedFound.len), want);
        }
      }),
    );
  });

  it('list: elements, creation fill and MEMORY USAGE survive; the unpacked list still grows and shrinks', () => {
    fc.assert(
      fc.property(fc.array(str, { maxLength: PACK_MAX_ELEMENTS }), fc.constantFrom(-1, -2, -5, 1, 7, 128, 100000), (els, fill) => {
        const l = new ListValue(fill);
        for (const s of els) l.pushTail(s);
        if (l.packedSize() < 0) return;
        const u = roundTrip(VType.List, l);
        assert.deepEqual(u.toArray(), els);
        assert.equal(u.memoryUsage(5), l.memoryUsage(5));
        assert.equal(u.bytes, l.bytes);
        u.pushHead('h');
        u.pushTail('t');
        assert.deepEqual(u.toArray(), ['h', ...els, 't']);
        assert.equal(u.popHead(), 'h');
      }),
    );
  });

  it('intset: members of every width, the intset width and MEMORY USAGE survive', () => {
    const int64 = fc.oneof(
      fc.integer({ min: -40000, max: 40000 }).map(BigInt),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, -32768n, 32767n, -2147483648n, 2147483647n, 2147483648n),
    );
    fc.assert(
      fc.property(fc.array(int64, { maxLength: 200 }), (vals) => {
        const s = SetValue.intset();
        for (const v of vals) s.add(String(v), 512);
        const u = roundTrip(VType.Set, s);
        assert.equal(u.encoding, 'intset');
        assert.deepEqual(Array.from({ length: u.size }, (_, i) => u.memberAt(i)), Array.from({ length: s.size }, (_, i) => s.memberAt(i)));
        assert.equal(u.memoryUsage(5), s.memoryUsage(5));
        u.add('-1', 512);
        assert.ok(u.has('-1'));
      }),
    );
  });

  it('small hashtable set: members in dense order, buckets and MEMORY USAGE survive; an SSCAN cursor stays valid', () => {
    fc.assert(
      fc.property(fc.array(str, { minLength: 1, maxLength: PACK_MAX_ELEMENTS }), fc.array(fc.nat(), { maxLength: 20 }), (members, dels) => {
        const s = SetValue.forMember('not-an-int');
        s.add('not-an-int', 512);
        for (const m of members) s.add(m, 512);
        for (const d of dels) if (s.size > 1) s.delete(s.memberAt(d % s.size));
        if (s.packedSize() < 0) return;
        const u = roundTrip(VType.Set, s);
        assert.equal(u.encoding, 'hashtable');
        const order = (v: SetValue): string[] => Array.from({ length: v.size }, (_, i) => v.memberAt(i));
        assert.deepEqual(order(u), order(s));
        assert.equal(u.memoryUsage(5), s.memoryUsage(5));
        assert.equal(u.bytes, s.bytes);
        // A cursor from the original continues on the unpacked copy exactly as on the original.
        const seen: string[] = [];
        const cur = s.scan(0, 3, (m) => seen.push(m));
        const restA: string[] = [];
        const restB: string[] = [];
        let a = cur;
        let b = cur;
        while (a !== 0) a = s.scan(a, 3, (m) => restA.push(m));
        while (b !== 0) b = u.scan(b, 3, (m) => restB.push(m));
        assert.deepEqual(restB, restA);
      }),
    );
  });

  it('skiplist sorted sets, hashtable hashes and big values are not packed', () => {
    const s = SetValue.forMember('a');
    for (let i = 0; i <= PACK_MAX_ELEMENTS; i++) s.add(`m${i}`, 512);
    assert.equal(aggregateCodec.packedSize(s), -1);
    const z = ZSetValue.create(false);
    z.add('a', 1, 0, BIG);
    assert.equal(aggregateCodec.packedSize(z), -1);
    const h = new HashValue();
    for (let i = 0; i <= PACK_MAX_ELEMENTS / 2; i++) h.set(`f${i}`, 'v', { maxEntries: 0, maxValue: 64 });
    assert.equal(h.encoding, 'hashtable');
    assert.equal(aggregateCodec.packedSize(h), -1);
    const big = new ListValue();
    for (let i = 0; i <= PACK_MAX_ELEMENTS; i++) big.pushTail('x');
    assert.equal(aggregateCodec.packedSize(big), -1);
  });

  it('sorted set: members, exact scores (-0, fractions, infinities, past 2^32) and order survive', () => {
    const score = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true }),
      fc.constantFrom(-0, 0.5, Infinity, -Infinity, 2 ** 32, -(2 ** 32), 2 ** 32 + 1, 2 ** 40, 2 ** 53, 1e300, 5e-324),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(str, score), { maxLength: PACK_MAX_ELEMENTS }), (pairs) => {
        const z = ZSetValue.create(true);
        for (const [m, s] of pairs) z.add(m, s, 0, BIG);
        if (z.packedSize() < 0) return;
        const u = roundTrip(VType.ZSet, z);
        const a = zsetPairs(u);
        const b = zsetPairs(z);
        assert.equal(a.length, b.length);
        for (let i = 0; i < a.length; i++) {
          assert.equal(a[i][0], b[i][0]);
          assert.ok(Object.is(a[i][1], b[i][1]), `score ${b[i][1]} came back as ${a[i][1]}`);
        }
        assert.equal(u.memoryUsage(5), z.memoryUsage(5));
        assert.equal(u.bytes, z.bytes);
      }),
    );
  });

  it('the reader consumes exactly what was written', () => {
    const h = new HashValue();
    h.set('x'.repeat(200), 'y', BIG);
    const size = h.packedSize();
    const b = Buffer.alloc(size);
    h.pack(b, 0);
    HashValue.unpack(b, 0);
    assert.equal(reader.p, size);
  });
});

describe('packed aggregates: the store', () => {
  function storeWithHash(fields: number): { st: Store; id: number; h: HashValue } {
    const st = new Store();
    st.codec = aggregateCodec;
    const id = st.create(Buffer.from('k'), 0, 0);
    const h = new HashValue();
    for (let i = 0; i < fields; i++) h.set(`f${i}`, `v${i}`, BIG);
    st.setObject(id, VType.Hash, h);
    return { st, id, h };
  }

  it('a set object is packed at repack; object() unpacks an equal value; the record holds it', () => {
    const { st, id, h } = storeWithHash(3);
    assert.equal(st.isPacked(id), false);
    st.repack(true);
    assert.equal(st.isPacked(id), true);
    assert.equal(st.objects.size, 0);
    assert.equal(st.valueLength(id), h.packedSize());
    assert.equal(st.type(id), VType.Hash);
    const u = st.object(id) as HashValue;
    assert.deepEqual(hashPairs(u), hashPairs(h));
    assert.equal(st.object(id), u, 'the same object for the rest of the command');
    assert.equal(st.isPacked(id), false);
    st.repack(false);
    assert.equal(st.isPacked(id), true);
    assert.equal(st.objects.size, 0);
  });

  it('a write command repacks what it changed; a value that outgrows the limits stays an object', () => {
    const { st, id } = storeWithHash(2);
    st.repack(true);
    (st.object(id) as HashValue).set('new', 'x', BIG);
    st.repack(true);
    assert.equal((st.object(id) as HashValue).get('new'), 'x');
    st.repack(false);
    const h = st.object(id) as HashValue;
    for (let i = 0; i < PACK_MAX_ELEMENTS; i++) h.set(`g${i}`, 'v', BIG);
    st.repack(true);
    assert.equal(st.isPacked(id), false);
    assert.equal(st.valueLength(id), 0, 'the stale bytes are dropped');
    assert.equal(st.object(id), h);
    st.repack(true);
    assert.equal(st.object(id), h, 'still the object');
  });

  it('ids freed or replaced before the repack are skipped', () => {
    const { st, id } = storeWithHash(2);
    st.repack(true);
    st.object(id);
    st.destroy(id);
    const id2 = st.create(Buffer.from('k2'), 0, 0);
    assert.equal(id2, id, 'the id is reused');
    const z = ZSetValue.create(true);
    z.add('m', 1, 0, BIG);
    st.setObject(id2, VType.ZSet, z);
    st.repack(true);
    assert.equal(st.isPacked(id2), true);
    assert.equal(st.type(id2), VType.ZSet);
    assert.deepEqual(zsetPairs(st.object(id2) as ZSetValue), [['m', 1]]);
    // Replacing a packed value with another object drops the old bytes first.
    const l = new ListValue();
    l.pushTail('a');
    st.setObject(id2, VType.List, l);
    st.repack(false);
    assert.deepEqual((st.object(id2) as ListValue).toArray(), ['a']);
  });

  it('with accounting on, a packed aggregate costs no heap estimate', () => {
    const { st, id } = storeWithHash(2);
    st.setAccounting(true);
    st.repack(true);
    assert.equal(st.aggregateBytes(), 0);
    const h = st.object(id) as HashValue;
    assert.equal(st.aggregateBytes(), 0, 'unpacked: its bytes are still the record');
    for (let i = 0; i < PACK_MAX_ELEMENTS; i++) h.set(`g${i}`, 'v', BIG);
    st.repack(true);
    assert.equal(st.isPacked(id), false);
    assert.equal(st.aggregateBytes(), h.bytes, 'an object again once it outgrows the packed form');
  });

  it('readObject decodes a packed value without unpacking the entry', () => {
    const { st, id, h } = storeWithHash(2);
    st.repack(true);
    const r = st.readObject(id) as HashValue;
    assert.deepEqual(hashPairs(r), hashPairs(h));
    assert.equal(st.isPacked(id), true, 'still packed');
    r.set('changed', 'x', BIG);
    assert.equal((st.readObject(id) as HashValue).get('changed'), undefined, 'a private copy');
    const u = st.object(id);
    assert.equal(st.readObject(id), u, 'while unpacked, the live object');
    st.repack(false);
  });

  it('without a codec every aggregate stays an object', () => {
    const st = new Store();
    const id = st.create(Buffer.from('k'), 0, 0);
    st.setObject(id, VType.Hash, new HashValue());
    st.repack(true);
    assert.equal(st.isPacked(id), false);
    assert.equal(st.objects.size, 1);
  });

  it('a command touching many keys finds each one\'s object (the pending index)', () => {
    const st = new Store();
    st.codec = aggregateCodec;
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) {
      const id = st.create(Buffer.from(`k${i}`), 0, 0);
      const l = new ListValue();
      l.pushTail(`e${i}`);
      st.setObject(id, VType.List, l);
      ids.push(id);
    }
    st.repack(true);
    const objs = ids.map((id) => st.object(id));
    for (let round = 0; round < 2; round++) {
      ids.forEach((id, i) => assert.equal(st.object(id), objs[i]));
    }
    (objs[50] as ListValue).pushTail('x');
    st.repack(true);
    assert.deepEqual((st.object(ids[50]) as ListValue).toArray(), ['e50', 'x']);
    assert.deepEqual((st.object(ids[99]) as ListValue).toArray(), ['e99']);
    st.repack(false);
    assert.equal(st.objects.size, 0);
  });
});
