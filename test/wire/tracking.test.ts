// Wire tests for client tracking: node-redis v5's client-side cache (RESP3, CLIENT TRACKING
// on connect) kept coherent by Shoal's invalidations — a value cached by one client is dropped
// when another client changes or deletes it, when it expires, or on FLUSHALL — plus raw-socket
// checks of BCAST batching, the table bound and the bookkeeping when clients leave.
// Byte-exact replies are checked against redis-server in test/oracle/tracking.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Calls of a command recorded by INFO commandstats. */
async function calls(io: Redis, cmd: string): Promise<number> {
  const info = await io.info('commandstats');
  const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info);
  return m === null ? 0 : Number(m[1]);
}

describe('client tracking through clients', () => {
  let node: RunningServer;
  let io: Redis;
  before(async () => {
    node = await startServer();
    io = new Redis({ port: node.port });
  });
  after(async () => {
    io.disconnect();
    await node.close();
  });

  it('node-redis client-side cache: hits are served locally until another client writes', async () => {
    const client = createClient({ socket: { port: node.port }, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
    await client.connect();
    try {
      const cache = client.clientSideCache;
      assert.ok(cache !== undefined);
      await io.set('csc:a', 'v1');
      const before = await calls(io, 'get');
      assert.equal(await client.get('csc:a'), 'v1');
      assert.equal(await client.get('csc:a'), 'v1');
      assert.equal(await client.get('csc:a'), 'v1');
      // One GET reached the server; the others were cache hits.
      assert.equal((await calls(io, 'get')) - before, 1);
      assert.equal(cache.stats().hitCount, 2);
      assert.equal(cache.size(), 1);

      // Another client changes the key: the cached value is invalidated.
      await io.set('csc:a', 'v2');
      await waitFor(() => cache.size() === 0, 'invalidation after SET');
      assert.equal(await client.get('csc:a'), 'v2');

      // ...or deletes it.
      await io.del('csc:a');
      await waitFor(() => cache.size() === 0, 'invalidation after DEL');
      assert.equal(await client.get('csc:a'), null);

      // Other types: a hash read through the cache, changed elsewhere.
      await io.hset('csc:h', 'f', '1');
      assert.deepEqual({ ...(await client.hGetAll('csc:h')) }, { f: '1' });
      const cached = cache.size();
      await io.hset('csc:h', 'f', '2');
      await waitFor(() => cache.size() === cached - 1, 'invalidation after HSET');
      assert.deepEqual({ ...(await client.hGetAll('csc:h')) }, { f: '2' });
    } finally {
      client.destroy();
    }
  });

  it('node-redis client-side cache: expiry and FLUSHALL invalidate too', async () => {
    const client = createClient({ socket: { port: node.port }, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
    await client.connect();
    try {
      const cache = client.clientSideCache;
      assert.ok(cache !== undefined);
      await io.set('csc:e', 'soon gone', 'PX', 40);
      assert.equal(await client.get('csc:e'), 'soon gone');
      assert.equal(cache.size(), 1);
      // Active expiry deletes it without anyone touching it: the cache hears about it.
      await waitFor(() => cache.size() === 0, 'invalidation on expiry', 5000);
      assert.equal(await client.get('csc:e'), null);

      await io.mset('csc:x', '1', 'csc:y', '2');
      assert.deepEqual(await client.mGet(['csc:x', 'csc:y']), ['1', '2']);
      assert.equal(await client.get('csc:x'), '1');
      assert.ok(cache.size() >= 1);
      await io.flushall();
      await waitFor(() => cache.size() === 0, 'invalidate-all on FLUSHALL');
      assert.equal(await client.get('csc:x'), null);
    } finally {
      client.destroy();
    }
  });

  it('BCAST: keys changed in one pipeline arrive as one sorted message per prefix', async () => {
    const t = await RawClient.connect(node.port);
    const w = await RawClient.connect(node.port);
    try {
      await t.call('HELLO', '3');
      assert.equal((await t.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'cart:')).toString(), '+OK\r\n');
      // One write, so one read and one event-loop turn on the server.
      const pipeline = ['SET user:3 a', 'SET cart:9 b', 'SET user:1 c', 'SET other d', 'SET user:2 e'];
      await w.send(pipeline.map((l) => l + '\r\n').join(''));
      assert.equal((await w.readAll(5)).length, 5);
      const first = (await t.readReply()).toString('latin1');
      const second = (await t.readReply()).toString('latin1');
      assert.equal(first, '>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncart:9\r\n');
      assert.equal(second, '>2\r\n$10\r\ninvalidate\r\n*3\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n$6\r\nuser:3\r\n');
      assert.equal((await t.call('PING')).toString(), '+PONG\r\n');
    } finally {
      await t.close();
      await w.close();
    }
  });

  it('the tracking table stays within tracking-table-max-keys; INFO counts it', async () => {
    await io.flushall(); // empties the table (entries of departed clients included)
    const t = await RawClient.connect(node.port);
    try {
      await t.call('HELLO', '3');
      await t.call('CLIENT', 'TRACKING', 'on');
      const keys = Array.from({ length: 2000 }, (_, i) => `tt:${i}`);
      await t.call('MGET', ...keys);
      assert.match(await io.info('stats'), /tracking_total_keys:2000\r\ntracking_total_items:2000\r\n/);
      await io.config('SET', 'tracking-table-max-keys', '500');
      // Every evicted key is announced to the client that read it.
      const invalidated = new Set<string>();
      while (invalidated.size < 1500) {
        const raw = (await t.readReply()).toString('latin1');
        const m = /^>2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$\d+\r\n(tt:\d+)\r\n$/.exec(raw);
        assert.ok(m !== null, raw);
        invalidated.add(m[1]);
      }
      assert.match(await io.info('stats'), /tracking_total_keys:500\r\n/);
      assert.equal(node.server.tracking.totalKeys, 500);
    } finally {
      await io.config('SET', 'tracking-table-max-keys', '1000000');
      await t.close();
    }
  });

  it('a disconnected tracking client is forgotten; its table entries go with the next change', async () => {
    const t = await RawClient.connect(node.port);
    await t.call('CLIENT', 'TRACKING', 'on', 'BCAST');
    await t.call('HELLO', '3');
    const u = await RawClient.connect(node.port);
    await u.call('CLIENT', 'TRACKING', 'on');
    await u.call('GET', 'gone:k');
    assert.match(await io.info('clients'), /tracking_clients:2\r\n/);
    const flags = await io.client('LIST');
    assert.match(String(flags), /flags=tB .*resp=3/);
    assert.match(String(flags), /flags=t .*resp=2/);
    await t.close();
    await u.close();
    await waitFor(async () => /tracking_clients:0\r\n/.test(await io.info('clients')), 'tracking_clients 0');
    assert.equal(node.server.tracking.totalPrefixes, 0);
    // Entries of departed clients stay until their key changes (as in Redis).
    const keys = node.server.tracking.totalKeys;
    await io.set('gone:k', '1');
    assert.equal(node.server.tracking.totalKeys, keys - 1);
  });
});
