// Unit tests for src/lib/clock.ts and src/lib/rng.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, FakeClock } from '../../src/lib/clock.js';
import { createRng } from '../../src/lib/rng.js';

test('systemClock is close to Date.now and monotonic in us', () => {
  const now = systemClock.now();
  assert.ok(Number.isInteger(now));
  assert.ok(Math.abs(now - Date.now()) < 50);
  const a = systemClock.nowUs();
  const b = systemClock.nowUs();
  assert.ok(Number.isInteger(a) && b >= a);
  assert.ok(Math.abs(a / 1000 - Date.now()) < 1000);
});

test('FakeClock set/advance', () => {
  const c = new FakeClock(1000);
  assert.equal(c.now(), 1000);
  assert.equal(c.nowUs(), 1_000_000);
  c.advance(5);
  assert.equal(c.now(), 1005);
  c.advance(0.5);
  assert.equal(c.now(), 1005);
  assert.equal(c.nowUs(), 1_005_500);
  c.set(42);
  assert.equal(c.now(), 42);
  assert.equal(new FakeClock().now(), 0);
});

test('seeded rng is deterministic and in range', () => {
  const a = createRng(123);
  const b = createRng(123);
  const c = createRng(124);
  const sa = Array.from({ length: 10 }, () => a.next());
  const sb = Array.from({ length: 10 }, () => b.next());
  const sc = Array.from({ length: 10 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  for (const x of sa) assert.ok(x >= 0 && x < 1);
  const r = createRng(7);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const k = r.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    counts[k]!++;
  }
  for (const n of counts) assert.ok(n > 9000 && n < 11000, String(counts));
  assert.equal(r.int(1), 0);
  assert.equal(r.int(0), 0);
});

test('unseeded rngs differ', () => {
  const a = createRng();
  const b = createRng();
  assert.notEqual(a.next(), b.next());
});
