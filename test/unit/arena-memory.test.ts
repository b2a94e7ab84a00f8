// The arena's memory and V8's collector (src/server/keyspace/arena.ts, header): the arena's
// growth starts no full collection (its segments are outside V8's external-memory count), and
// what it drops (at a reset, or segment by segment as records go) is returned by a full
// collection the arena asks for itself. Its own file: it counts the process's collections.

import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { Arena, RECLAIM_BYTES, RESET_RECLAIM_BYTES, SEG_SIZE } from '../../src/server/keyspace/arena.js';
import { v8Gc } from '../../src/lib/gc.js';

const MB = 1024 * 1024;
/** Slot size used below: 1 MB segments hold 256 of them. */
const RECORD = 4096;

/** Full collections seen, and those of them asked for through gc() (the arena's request). */
let majors = 0;
let forcedMajors = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const detail = (e as { detail?: { kind?: number; flags?: number } }).detail;
    if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    majors++;
    if (((detail.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) forcedMajors++;
  }
});
observer.observe({ entryTypes: ['gc'] });
after(() => observer.disconnect());

/** Lets pending 'gc' entries reach the observer. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Allocates records until the arena holds `bytes` of segments; touches each record. */
function grow(a: Arena, bytes: number): number[] {
  const addrs: number[] = [];
  while (a.reservedBytes < bytes) {
    const addr = a.alloc(RECORD);
    a.buf(addr).fill(0x5a, a.off(addr), a.off(addr) + 64);
    addrs.push(addr);
  }
  return addrs;
}

/**
 * Two young collections now, so the segments grown so far are promoted to the old generation:
 * a young collection (which runs whenever the test allocates) would free young ones by itself,
 * and the drop tests below must see the arena's own request do it. Young ones: a full
 * collection here would start V8's memory reducer, whose own full collections follow a few
 * seconds later and would free the segments without the request.
 */
function age(): void {
  const gc = v8Gc();
  assert.ok(gc !== null, 'gc() out of reach');
  gc({ type: 'minor' });
  gc({ type: 'minor' });
}

/**
 * Waits (at most 10 s) until a full collection asked for through gc() has run since `before`
 * (a forcedMajors count) and process.memoryUsage().arrayBuffers is at or below `bytes`. Only
 * forced ones count: V8's memory reducer runs full collections of its own some seconds after
 * start, which free dropped segments too.
 */
async function returned(before: number, bytes: number): Promise<{ forced: number; arrayBuffers: number }> {
  let now = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 500 && (forcedMajors <= before || now > bytes); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = process.memoryUsage().arrayBuffers;
  }
  return { forced: forcedMajors - before, arrayBuffers: now };
}

describe('Arena memory and the collector', () => {
  it('grows by 256 MB of records without starting a full collection', async () => {
    await settle();
    const before = majors;
    const a = new Arena();
    grow(a, 256 * MB);
    await settle();
    // Counted as ArrayBuffer memory, 256 MB would pass V8's 64 MB external limit 3-4 times.
    assert.ok(majors - before <= 1, `${majors - before} full collections while the arena grew by 256 MB`);
    a.reset();
  });

  it('segments emptied record by record are returned once RECLAIM_BYTES have gone', async () => {
    const a = new Arena();
    const addrs = grow(a, RECLAIM_BYTES + 16 * MB);
    age();
    await settle();
    const held = process.memoryUsage().arrayBuffers;
    const before = forcedMajors;
    // Free whole segments, one after another: each beyond the pool's reserve is dropped.
    for (const addr of addrs) a.free(addr);
    assert.ok(a.reservedBytes <= 8 * SEG_SIZE, `${a.reservedBytes} bytes still reserved`);
    const target = held - RECLAIM_BYTES + 2 * MB;
    const r = await returned(before, target);
    assert.ok(r.forced > 0, 'no full collection was asked for after the drops');
    assert.ok(r.arrayBuffers <= target, `arrayBuffers ${r.arrayBuffers} after the frees, ${held} before`);
  });

  it('a reset returns the dropped segments through the collection it asks for', async () => {
    const a = new Arena();
    grow(a, 2 * RESET_RECLAIM_BYTES);
    age();
    await settle();
    const held = process.memoryUsage().arrayBuffers;
    const before = forcedMajors;
    a.reset();
    const target = held - 2 * RESET_RECLAIM_BYTES + 2 * MB;
    const r = await returned(before, target);
    assert.ok(r.forced > 0, 'no full collection was asked for after the reset');
    assert.ok(r.arrayBuffers <= target, `arrayBuffers ${r.arrayBuffers} after the reset, ${held} before`);
  });
  it('purge gives the pooled segments back, through a collection it asks for', async () => {
    const a = new Arena();
    const addrs = grow(a, 8 * SEG_SIZE);
    for (const addr of addrs) a.free(addr);
    assert.equal(a.reservedBytes, 8 * SEG_SIZE, 'the emptied segments wait in the pool');
    age();
    await settle();
    const held = process.memoryUsage().arrayBuffers;
    const before = forcedMajors;
    assert.equal(a.purge(), 8 * SEG_SIZE);
    assert.equal(a.reservedBytes, 0);
    assert.equal(a.sharedBytes, 0);
    const target = held - 8 * SEG_SIZE + 2 * MB;
    const r = await returned(before, target);
    assert.ok(r.forced > 0, 'no full collection was asked for by purge');
    assert.ok(r.arrayBuffers <= target, `arrayBuffers ${r.arrayBuffers} after purge, ${held} before`);
    // The arena works on afterwards, taking new segments.
    const addr = a.alloc(100);
    a.buf(addr).fill(1, a.off(addr), a.off(addr) + 100);
    assert.equal(a.sharedBytes, SEG_SIZE);
  });
});
