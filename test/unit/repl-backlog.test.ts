// The replication backlog ring: offsets as Redis numbers them, wrap-around, what a partial
// resync can be served from, and resizing that keeps the newest history.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Backlog } from '../../src/server/replication/backlog.js';

const bytes = (from: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

test('offsets: the first byte held and the end follow what was appended', () => {
  const b = new Backlog(16 * 1024, 100);
  assert.equal(b.histlen, 0);
  assert.equal(b.firstOffset, 101);
  assert.ok(b.holds(101));
  assert.deepEqual(b.readFrom(101), []);
  b.append(bytes(0, 10));
  assert.equal(b.end, 110);
  assert.equal(b.firstOffset, 101);
  assert.ok(b.holds(101) && b.holds(111) && !b.holds(100) && !b.holds(112));
  assert.deepEqual(Buffer.concat(b.readFrom(105)), bytes(4, 6));
});

test('wraps around and keeps exactly the last size bytes', () => {
  const size = 16 * 1024;
  const b = new Backlog(size, 0);
  let fed = 0;
  for (let i = 0; i < 50; i++) {
    const n = 700 + i * 37;
    b.append(bytes(fed, n));
    fed += n;
  }
  assert.equal(b.end, fed);
  assert.equal(b.histlen, size);
  assert.equal(b.firstOffset, fed - size + 1);
  assert.ok(!b.holds(fed - size));
  assert.deepEqual(Buffer.concat(b.readFrom(fed - size + 1)), bytes(fed - size, size));
  assert.deepEqual(Buffer.concat(b.readFrom(fed - 99)), bytes(fed - 100, 100));
  // An append larger than the ring keeps its tail.
  b.append(bytes(fed, size * 2 + 5));
  fed += size * 2 + 5;
  assert.deepEqual(Buffer.concat(b.readFrom(fed - size + 1)), bytes(fed - size, size));
  // A slice of a bigger buffer.
  const big = bytes(fed, 300);
  b.append(Buffer.concat([Buffer.alloc(10), big, Buffer.alloc(10)]), 10, 310);
  fed += 300;
  assert.deepEqual(Buffer.concat(b.readFrom(fed - 299)), big);
});

test('resize keeps the newest history that fits', () => {
  const b = new Backlog(64 * 1024, 0);
  b.append(bytes(0, 40_000));
  b.resize(16 * 1024);
  assert.equal(b.histlen, 16 * 1024);
  assert.equal(b.end, 40_000);
  assert.deepEqual(Buffer.concat(b.readFrom(40_000 - 16 * 1024 + 1)), bytes(40_000 - 16 * 1024, 16 * 1024));
  b.resize(128 * 1024);
  b.append(bytes(40_000, 1000));
  assert.deepEqual(Buffer.concat(b.readFrom(40_000 - 16 * 1024 + 1)), bytes(40_000 - 16 * 1024, 16 * 1024 + 1000));
});
