// Transactions and pipelines through real clients: ioredis (multi/exec, watch, pipeline) and
// node-redis v5 (multi().exec(), WATCH with WatchError, execAsPipeline), RESP2 and RESP3.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient, WatchError } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';

describe('transactions through clients', () => {
  let node: RunningServer;
  let io: Redis;
  let io2: Redis;
  before(async () => {
    node = await startServer({ port: 0 });
    io = new Redis({ port: node.port, lazyConnect: false });
    io2 = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    io.disconnect();
    io2.disconnect();
    await node.close();
  });

  it('ioredis multi/exec returns [err, result] pairs, runtime errors in place', async () => {
    await io.set('t:s', 'text');
    const res = await io.multi().set('t:a', '1').incr('t:a').incr('t:s').get('t:a').exec();
    assert.ok(res !== null);
    assert.deepEqual(res[0], [null, 'OK']);
    assert.deepEqual(res[1], [null, 2]);
    assert.match(String(res[2][0]), /not an integer/);
    assert.deepEqual(res[3], [null, '2']);
  });

  it('ioredis: a queueing error aborts EXEC with EXECABORT', async () => {
    const m = io.multi();
    m.set('t:abort', '1');
    m.call('NO-SUCH-COMMAND');
    await assert.rejects(m.exec(), /EXECABORT/);
    assert.equal(await io.exists('t:abort'), 0);
  });

  it('ioredis WATCH: a concurrent write makes exec() resolve to null', async () => {
    await io.set('t:w', '1');
    await io.watch('t:w');
    await io2.set('t:w', '2');
    assert.equal(await io.multi().incr('t:w').exec(), null);
    assert.equal(await io.get('t:w'), '2');
    await io.watch('t:w');
    assert.deepEqual(await io.multi().incr('t:w').exec(), [[null, 3]]);
  });

  it('ioredis optimistic-lock retry loop converges under competing increments', async () => {
    await io.set('t:ctr', '0');
    const worker = async (cl: Redis, n: number): Promise<number> => {
      let retries = 0;
      for (let i = 0; i < n; i++) {
        for (let attempt = 0; attempt < 1000; attempt++) {
          await cl.watch('t:ctr');
          const v = Number(await cl.get('t:ctr'));
          const r = await cl.multi().set('t:ctr', String(v + 1)).exec();
          if (r !== null) break;
          retries++;
        }
      }
      return retries;
    };
    await Promise.all([worker(io, 50), worker(io2, 50)]);
    assert.equal(await io.get('t:ctr'), '100');
  });

  it('ioredis pipeline of 1000 commands keeps order', async () => {
    const p = io.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`t:p${i}`, String(i));
    for (let i = 0; i < 1000; i++) p.get(`t:p${i}`);
    const res = (await p.exec()) ?? [];
    assert.equal(res.length, 2000);
    for (let i = 0; i < 1000; i++) assert.deepEqual(res[1000 + i], [null, String(i)]);
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis (RESP${RESP}) multi, WatchError, execAsPipeline`, async () => {
      const a = createClient({ socket: { port: node.port }, RESP });
      const b = createClient({ socket: { port: node.port }, RESP });
      await a.connect();
      await b.connect();
      try {
        const k = `nr${RESP}:k`;
        const res = await a.multi().set(k, '5').incrBy(k, 3).get(k).exec();
        assert.deepEqual(res, ['OK', 8, '8']);

        // WATCH on the client's own connection: a write by another client breaks it.
        await a.watch(k);
        await b.set(k, 'changed');
        await assert.rejects(a.multi().incr(k).exec(), WatchError);
        assert.equal(await a.get(k), 'changed');

        const piped = await a.multi().set(`${k}:p`, 'x').get(`${k}:p`).execAsPipeline();
        assert.deepEqual(piped, ['OK', 'x']);
      } finally {
        a.destroy();
        b.destroy();
      }
    });
  }
});
