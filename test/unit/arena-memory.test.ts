// The arena's memory and V8's collector (src/server/keyspace/arena.ts, header): the arena's
// growth starts no full collection (its segments are outside V8's external-memory count), and
// what it drops (at a reset, or segment by segment as records go) is returned by a full
// collection the arena asks for itself. Its own file: it counts the process's collections.

import assert from 'node:assert/strict';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { Arena, RECLAIM_BYTES, RESET_RECLAIM_BYTES, SEG_SIZE } from '../../src/server/keyspace/arena.js';

const MB = 1024 * 1024;
/** Slot size used below: 1 MB segments hold 256 of them. */
const RECORD = 4096;

let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
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

/** Waits (at most 10 s) until process.memoryUsage().arrayBuffers is at or below `bytes`. */
async function arrayBuffersFallTo(bytes: number): Promise<number> {
  let now = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 500 && now > bytes; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = process.memoryUsage().arrayBuffers;
  }
  return now;
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
    const held = process.memoryUsage().arrayBuffers;
    const before = majors;
    // Free whole segments, one after another: each beyond the pool's reserve is dropped.
    for (const addr of addrs) a.free(addr);
    assert.ok(a.reservedBytes <= 8 * SEG_SIZE, `${a.reservedBytes} bytes still reserved`);
    const now = await arrayBuffersFallTo(held - RECLAIM_BYTES + 2 * MB);
    assert.ok(majors > before, 'no full collection followed the drops');
    assert.ok(now <= held - RECLAIM_BYTES + 2 * MB, `arrayBuffers ${now} after the frees, ${held} before`);
  });

  it('a reset returns the dropped segments through the collection it asks for', async () => {
    const a = new Arena();
    grow(a, 2 * RESET_RECLAIM_BYTES);
    const held = process.memoryUsage().arrayBuffers;
    const before = majors;
    a.reset();
    const now = await arrayBuffersFallTo(held - 2 * RESET_RECLAIM_BYTES + 2 * MB);
    assert.ok(majors > before, 'no full collection followed the reset');
    assert.ok(now <= held - 2 * RESET_RECLAIM_BYTES + 2 * MB, `arrayBuffers ${now} after the reset, ${held} before`);
  });
});
