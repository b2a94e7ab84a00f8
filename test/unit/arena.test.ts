// Direct tests of the off-heap slab allocator (src/server/keyspace/arena.ts): slot reuse within
// a size class, segment reuse across classes, the empty-segment reserve, dedicated segments for
// records above the largest class, capacity guarantees, and a seeded property test that writes
// a distinct pattern into every allocation of a long random alloc/free sequence and requires
// every live allocation to keep its bytes and never to overlap another.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Arena, MAX_CLASS_SIZE, SEG_SIZE } from '../../src/server/keyspace/arena.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0xa7e4a;
const MB = 1024 * 1024;
/** Empty segments the arena keeps for reuse (arena.ts POOL_RESERVE). */
const POOL_RESERVE = 8;

/** Segment number of an address (the same buffer object means the same segment). */
const segOf = (a: Arena, addr: number): Buffer => a.buf(addr);

/** 4 MB of seeded pseudo-random bytes; an allocation's pattern is a window of it. */
const NOISE: Buffer = (() => {
  const b = Buffer.allocUnsafe(4 * MB + 64);
  let x = 0x2545f491;
  for (let i = 0; i < b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeInt32LE(x | 0, i);
  }
  return b;
})();

/** Writes `len` bytes of pattern `tag` at addr. */
function fill(a: Arena, addr: number, len: number, tag: number): void {
  const src = (tag * 7919) % MB;
  NOISE.copy(a.buf(addr), a.off(addr), src, src + len);
}

/** True if the `len` bytes at addr still hold pattern `tag`. */
function holds(a: Arena, addr: number, len: number, tag: number): boolean {
  const src = (tag * 7919) % MB;
  const o = a.off(addr);
  return a.buf(addr).compare(NOISE, src, src + len, o, o + len) === 0;
}

describe('Arena', () => {
  it('hands a freed slot out again within its size class', () => {
    const a = new Arena();
    const x = a.alloc(100);
    const y = a.alloc(100);
    assert.notEqual(x, y);
    assert.equal(a.records, 2);
    assert.equal(a.usedBytes, 2 * a.capacity(x));
    a.free(x);
    assert.equal(a.records, 1);
    // 97..104 bytes share the 104-byte class: the freed slot is the next one handed out.
    const z = a.alloc(97);
    assert.equal(z, x);
    assert.equal(a.capacity(z), 104);
    a.free(y);
    a.free(z);
    assert.equal(a.records, 0);
    assert.equal(a.usedBytes, 0);
  });

  it('capacity is at least the request, at most 1/16 over it, and matches capacityFor', () => {
    const a = new Arena();
    const sizes: number[] = [];
    for (let n = 1; n <= 4200; n++) sizes.push(n);
    for (let n = 4200; n <= MAX_CLASS_SIZE; n += 97) sizes.push(n);
    for (const e of [256, 1024, 4096, 16384, MAX_CLASS_SIZE]) {
      for (let d = -9; d <= 9; d++) if (e + d <= MAX_CLASS_SIZE) sizes.push(e + d);
    }
    for (const n of sizes) {
      const addr = a.alloc(n);
      const cap = a.capacity(addr);
      assert.ok(cap >= n, `capacity ${cap} < ${n}`);
      assert.ok(cap - n <= Math.max(7, n / 16), `capacity ${cap} wastes too much for ${n}`);
      assert.equal(cap, Arena.capacityFor(n), `capacityFor(${n})`);
      assert.equal(a.off(addr) % 8, 0, 'slots are 8-byte aligned');
      assert.ok(a.off(addr) + cap <= a.buf(addr).length, 'slot lies inside its segment');
      a.free(addr);
    }
    assert.equal(a.records, 0);
    assert.equal(a.usedBytes, 0);
  });

  it('gives records above the largest class a buffer of their own, returned on free', () => {
    const a = new Arena();
    const small = a.alloc(64);
    fill(a, small, 64, 99);
    const reserved = a.reservedBytes;
    for (const n of [MAX_CLASS_SIZE + 1, MAX_CLASS_SIZE + 8, MB - 3, MB, 3 * MB + 5]) {
      const addr = a.alloc(n);
      const cap = a.capacity(addr);
      assert.ok(cap >= n && cap < n + 8, `capacity ${cap} for ${n}`);
      assert.equal(cap, Arena.capacityFor(n), `capacityFor(${n})`);
      assert.equal(a.off(addr), 0);
      assert.equal(a.buf(addr).length, cap);
      assert.deepEqual(a.segmentCounts(), { slab: 1, huge: 1, pooled: 0 });
      assert.equal(a.reservedBytes, reserved + cap);
      assert.equal(a.usedBytes, a.capacity(small) + cap);
      fill(a, addr, cap, n);
      assert.ok(holds(a, addr, cap, n));
      assert.ok(holds(a, small, 64, 99), 'the slab record is untouched');
      a.free(addr);
      assert.deepEqual(a.segmentCounts(), { slab: 1, huge: 0, pooled: 0 });
      assert.equal(a.reservedBytes, reserved);
    }
    a.free(small);
    assert.equal(a.records, 0);
  });

  it('holds more records above 64 KB than there are slab segment numbers', () => {
    // Regression: dedicated segments once took slab segment numbers (2^15 of them), so the
    // 32 769th record above 64 KB failed with "arena address space exhausted" at 2 GB.
    const a = new Arena();
    const n = 33_000;
    const addrs: number[] = [];
    // Never written: address space only, no resident memory.
    for (let i = 0; i < n; i++) addrs.push(a.alloc(MAX_CLASS_SIZE + 1));
    const small = a.alloc(100);
    assert.equal(a.segmentCounts().huge, n);
    assert.equal(a.records, n + 1);
    for (const x of addrs) a.free(x);
    a.free(small);
    assert.equal(a.records, 0);
    assert.equal(a.usedBytes, 0);
    assert.equal(a.segmentCounts().huge, 0);
  });

  it('reuses an emptied segment for another size class', () => {
    const a = new Arena();
    const x = a.alloc(1000);
    const seg = segOf(a, x);
    assert.equal(a.reservedBytes, SEG_SIZE);
    a.free(x);
    assert.deepEqual(a.segmentCounts(), { slab: 0, huge: 0, pooled: 1 });
    assert.equal(a.reservedBytes, SEG_SIZE, 'the empty segment is kept in the pool');
    const y = a.alloc(40);
    assert.equal(a.capacity(y), 40);
    assert.equal(segOf(a, y), seg, 'the 40-byte class took the pooled segment');
    assert.equal(a.reservedBytes, SEG_SIZE);
    assert.deepEqual(a.segmentCounts(), { slab: 1, huge: 0, pooled: 0 });
  });

  it('keeps a small reserve of empty segments and returns the rest to the system', () => {
    const a = new Arena();
    // 16 slots of 64 KB fill a segment exactly: 12 segments.
    const addrs: number[] = [];
    for (let i = 0; i < 12 * 16; i++) addrs.push(a.alloc(MAX_CLASS_SIZE));
    assert.deepEqual(a.segmentCounts(), { slab: 12, huge: 0, pooled: 0 });
    assert.equal(a.reservedBytes, 12 * SEG_SIZE);
    for (const x of addrs) a.free(x);
    assert.deepEqual(a.segmentCounts(), { slab: 0, huge: 0, pooled: POOL_RESERVE });
    assert.equal(a.reservedBytes, POOL_RESERVE * SEG_SIZE);
    assert.equal(a.usedBytes, 0);
    // Allocating again takes pooled segments before new ones.
    const again: number[] = [];
    for (let i = 0; i < POOL_RESERVE * 16; i++) again.push(a.alloc(MAX_CLASS_SIZE - 100));
    assert.equal(a.reservedBytes, POOL_RESERVE * SEG_SIZE);
    assert.deepEqual(a.segmentCounts(), { slab: POOL_RESERVE, huge: 0, pooled: 0 });
  });

  it('a full segment takes freed slots again before a new segment is opened', () => {
    const a = new Arena();
    // 1088-byte slots: 963 fit in a segment, leaving a tail too small for another.
    const per = Math.floor(SEG_SIZE / 1088);
    const first: number[] = [];
    for (let i = 0; i < per; i++) first.push(a.alloc(1088));
    assert.ok(first.every((x) => segOf(a, x) === segOf(a, first[0])), 'one segment holds them all');
    const next = a.alloc(1088);
    assert.notEqual(segOf(a, next), segOf(a, first[0]), 'a full segment opens a new one');
    assert.equal(a.reservedBytes, 2 * SEG_SIZE);
    // Freeing from the full segment makes its slots available again, most recent first.
    a.free(first[10]);
    a.free(first[500]);
    assert.equal(a.alloc(1088), first[500]);
    assert.equal(a.alloc(1088), first[10]);
    // Partly freed, refilled, emptied: its list links stay sound (the other segment keeps working).
    a.free(first[7]);
    for (const x of first) if (x !== first[7]) a.free(x);
    assert.deepEqual(a.segmentCounts(), { slab: 1, huge: 0, pooled: 1 });
    const more: number[] = [];
    for (let i = 0; i < 2 * per; i++) more.push(a.alloc(1088));
    const live = [next, ...more];
    assert.equal(new Set(live).size, live.length, 'no slot handed out twice');
    live.forEach((x, i) => fill(a, x, 1088, i + 1));
    live.forEach((x, i) => assert.ok(holds(a, x, 1088, i + 1), `slot ${i} intact`));
    assert.equal(a.records, live.length);
  });

  it('reset drops everything and the arena works afterwards', () => {
    const a = new Arena();
    for (let i = 0; i < 100; i++) a.alloc(i * 37 + 1);
    a.alloc(2 * MB);
    a.reset();
    assert.deepEqual(a.segmentCounts(), { slab: 0, huge: 0, pooled: 0 });
    assert.equal(a.records, 0);
    assert.equal(a.usedBytes, 0);
    assert.equal(a.reservedBytes, 0);
    const x = a.alloc(500);
    const y = a.alloc(MAX_CLASS_SIZE + 1);
    const z = a.alloc(500);
    fill(a, x, 500, 1);
    fill(a, y, MAX_CLASS_SIZE + 1, 2);
    fill(a, z, 500, 3);
    assert.ok(holds(a, x, 500, 1) && holds(a, y, MAX_CLASS_SIZE + 1, 2) && holds(a, z, 500, 3));
    assert.equal(a.records, 3);
  });

  it('interleaved allocations keep their bytes and never overlap (property)', () => {
    const sizeArb = fc.oneof(
      { weight: 30, arbitrary: fc.integer({ min: 1, max: 300 }) },
      {
        weight: 10,
        arbitrary: fc
          .tuple(fc.constantFrom(8, 128, 256, 1024, 4096, 16384, MAX_CLASS_SIZE), fc.integer({ min: -9, max: 9 }))
          .map(([e, d]) => Math.max(1, e + d)),
      },
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 200_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: MB - 8, max: MB + 8 }) },
    );
    // An op allocates, or frees the live allocation at (index modulo the live count).
    const opArb = fc.oneof(
      { weight: 3, arbitrary: sizeArb.map((size) => ({ size })) },
      { weight: 2, arbitrary: fc.nat().map((free) => ({ free })) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 400 }), (ops) => {
        const a = new Arena();
        const live: { addr: number; size: number; tag: number }[] = [];
        let tag = 0;
        const check = (): void => {
          let used = 0;
          let huge = 0;
          for (const x of live) {
            assert.ok(holds(a, x.addr, x.size, x.tag), `allocation of ${x.size} B lost its bytes`);
            used += a.capacity(x.addr);
            if (x.size > MAX_CLASS_SIZE) huge++;
          }
          assert.equal(a.records, live.length);
          assert.equal(a.usedBytes, used);
          assert.ok(a.reservedBytes >= used);
          assert.equal(a.segmentCounts().huge, huge);
          // No two live slots overlap: sort by segment and offset, compare neighbours.
          const bySeg = new Map<Buffer, { off: number; end: number }[]>();
          for (const x of live) {
            const list = bySeg.get(a.buf(x.addr)) ?? [];
            list.push({ off: a.off(x.addr), end: a.off(x.addr) + a.capacity(x.addr) });
            bySeg.set(a.buf(x.addr), list);
          }
          for (const list of bySeg.values()) {
            list.sort((p, q) => p.off - q.off);
            for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].end <= list[i].off, 'slots overlap');
          }
        };
        ops.forEach((op, i) => {
          if ('size' in op) {
            const addr = a.alloc(op.size);
            assert.ok(a.capacity(addr) >= op.size);
            // Fill the whole slot, so a neighbour handed out too close gets overwritten.
            live.push({ addr, size: a.capacity(addr), tag: ++tag });
            fill(a, addr, a.capacity(addr), tag);
          } else if (live.length > 0) {
            const [x] = live.splice(op.free % live.length, 1);
            a.free(x.addr);
          }
          if (i % 50 === 0) check();
        });
        check();
        for (const x of live) a.free(x.addr);
        assert.equal(a.records, 0);
        assert.equal(a.usedBytes, 0);
        const segs = a.segmentCounts();
        assert.equal(segs.slab, 0);
        assert.equal(segs.huge, 0);
        assert.ok(segs.pooled <= POOL_RESERVE);
        assert.equal(a.reservedBytes, segs.pooled * SEG_SIZE);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
