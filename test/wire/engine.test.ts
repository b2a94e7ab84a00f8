// Wire tests of the storage engine's edges as a client sees them: values at the arena's size
// class boundaries and past its slab limit, binary and very long keys, overwrites that change
// a record's size, SCAN while the index grows, and FLUSHDB ASYNC.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { MAX_CLASS_SIZE } from '../../src/server/keyspace/arena.js';

/** A value of n bytes whose content depends on seed and position (a shifted copy differs). */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

describe('storage engine through the wire', () => {
  let node: RunningServer;
  let redis: Redis;

  before(async () => {
    node = await startServer({ port: 0 });
    redis = new Redis({ port: node.port, lazyConnect: true });
    await redis.connect();
  });
  after(async () => {
    redis.disconnect();
    await node.close();
  });

  it('values at size-class boundaries and past the slab limit round-trip, with overwrites across them', async () => {
    const sizes = [0, 1, 7, 8, 44, 45, 120, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 16384];
    for (const d of [-9, -1, 0, 1, 9]) sizes.push(MAX_CLASS_SIZE + d);
    sizes.push(1024 * 1024, 3 * 1024 * 1024 + 5);
    for (const [i, n] of sizes.entries()) {
      const v = pattern(n, i);
      assert.equal(await redis.set(`v:${n}`, v), 'OK');
      assert.ok((await redis.getBuffer(`v:${n}`))?.equals(v), `value of ${n} bytes`);
      assert.equal(await redis.strlen(`v:${n}`), n);
    }
    // One key rewritten through every size, up and down: in place, moved, slab and dedicated.
    const order = [...sizes, ...sizes.slice().reverse()];
    for (const [i, n] of order.entries()) {
      const v = pattern(n, 100 + i);
      await redis.set('walk', v);
      assert.ok((await redis.getBuffer('walk'))?.equals(v), `walk step ${i} (${n} bytes)`);
    }
  });

  it('APPEND and SETRANGE grow a value across class boundaries and past the slab limit', async () => {
    let model = Buffer.alloc(0);
    await redis.del('grow');
    for (let i = 0; model.length < MAX_CLASS_SIZE * 2; i++) {
      const add = pattern(97 + i * 37, i);
      model = Buffer.concat([model, add]);
      assert.equal(await redis.append('grow', add), model.length);
    }
    assert.ok((await redis.getBuffer('grow'))?.equals(model));
    const patch = pattern(5000, 9);
    const at = model.length - 100;
    await redis.setrange('grow', at, patch);
    const expected = Buffer.concat([model.subarray(0, at), patch]);
    assert.ok((await redis.getBuffer('grow'))?.equals(expected));
    assert.ok((await redis.getrangeBuffer('grow', 1000, 1999)).equals(expected.subarray(1000, 2000)));
  });

  it('binary, empty and 100 KB keys are distinct keys that keep their values through RENAME and MOVE', async () => {
    const keys = [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 0]), Buffer.from('a\r\nb'), pattern(100 * 1024, 3)];
    for (const [i, k] of keys.entries()) await redis.set(k, `value ${i}`);
    for (const [i, k] of keys.entries()) assert.equal(await redis.get(k), `value ${i}`);
    const big = keys[4];
    await redis.rename(big, 'renamed-from-big');
    assert.equal(await redis.exists(big), 0);
    assert.equal(await redis.get('renamed-from-big'), 'value 4');
    await redis.rename('renamed-from-big', big);
    assert.equal(await redis.move(big, 3), 1);
    await redis.select(3);
    assert.equal(await redis.get(big), 'value 4');
    await redis.select(0);
    for (const k of keys.slice(0, 4)) await redis.del(k);
  });

  it('SCAN returns every key present throughout while the index grows tenfold between calls', async () => {
    await redis.flushdb();
    const stable = 2000;
    const pipe = redis.pipeline();
    for (let i = 0; i < stable; i++) pipe.set(`stable:${i}`, 'v');
    await pipe.exec();
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 50);
      for (const k of batch) seen.add(k);
      cursor = next;
      if (step < 20) {
        const grow = redis.pipeline();
        for (let j = 0; j < 1000; j++) grow.set(`new:${step}:${j}`, 'v');
        await grow.exec();
      }
      step++;
    } while (cursor !== '0' && step < 100_000);
    for (let i = 0; i < stable; i++) assert.ok(seen.has(`stable:${i}`), `stable:${i}`);
    const rk = await redis.randomkey();
    assert.ok(rk !== null && (await redis.exists(rk)) === 1);
  });

  it('FLUSHDB ASYNC empties a large database at once and frees it in the background', async () => {
    await redis.flushall();
    await redis.set('elsewhere', 'kept'); // db 0 keeps a key, so db 5's flush cannot drop the whole store
    await redis.select(5);
    const n = 100_000;
    for (let base = 0; base < n; base += 10_000) {
      const pipe = redis.pipeline();
      for (let i = base; i < base + 10_000; i++) pipe.set(`k:${i}`, 'value');
      await pipe.exec();
    }
    assert.equal(await redis.dbsize(), n);
    assert.equal(await redis.flushdb('ASYNC'), 'OK');
    assert.equal(await redis.dbsize(), 0);
    assert.equal(await redis.get('k:1'), null);
    const deadline = Date.now() + 10_000;
    let info = '';
    do {
      info = await redis.info('memory');
    } while (!info.includes('lazyfree_pending_objects:0\r') && Date.now() < deadline);
    assert.match(info, /lazyfree_pending_objects:0\r/);
    assert.match(info, new RegExp(`lazyfreed_objects:${n}\\r`));
    await redis.select(0);
    assert.equal(await redis.get('elsewhere'), 'kept');
  });
});
