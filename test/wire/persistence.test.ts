// Wire tests for persistence through real clients: DUMP/RESTORE of binary payloads with ioredis
// and node-redis (pipelined, RESP2 and RESP3), and a restart cycle — SAVE, close, start a new
// node on the same dir — that brings every key back with its type, value, encoding and TTL.
// These need no redis-server.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';

describe('persistence over the wire', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-wire-rdb-'));
  const nodes: RunningServer[] = [];
  after(async () => {
    for (const n of nodes) await n.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (): Promise<RunningServer> => {
    const n = await startServer({ config: { dir } });
    nodes.push(n);
    return n;
  };

  it('ioredis: pipelined DUMP / RESTORE of binary values, REPLACE and TTL', async () => {
    const node = await start();
    const r = new Redis({ port: node.port });
    try {
      const bin = Buffer.from([0, 1, 2, 255, 13, 10, 0]);
      await r.pipeline().set('s', bin).rpush('l', bin, 'x').hset('h', bin, bin).exec();
      const [[, ps], [, pl], [, ph]] = (await r.pipeline().dumpBuffer('s').dumpBuffer('l').dumpBuffer('h').exec()) as [
        [null, Buffer],
        [null, Buffer],
        [null, Buffer],
      ];
      await r.pipeline().restore('s2', 0, ps).restore('l2', 60000, pl).restore('h2', 0, ph).exec();
      assert.deepEqual(await r.getBuffer('s2'), bin);
      assert.deepEqual(await r.lrangeBuffer('l2', 0, -1), [bin, Buffer.from('x')]);
      assert.deepEqual(await r.hgetBuffer('h2', bin), bin);
      const ttl = await r.pttl('l2');
      assert.ok(ttl > 59000 && ttl <= 60000, String(ttl));
      await assert.rejects(r.restore('s2', 0, ps), /BUSYKEY Target key name already exists/);
      assert.equal(await r.restore('s2', 0, pl, 'REPLACE'), 'OK');
      assert.equal(await r.type('s2'), 'list');
      assert.equal(await r.dumpBuffer('missing'), null);
    } finally {
      r.disconnect();
    }
  });

  it('node-redis (RESP3): DUMP returns the payload as bytes, RESTORE takes it back', async () => {
    const node = await start();
    const c = createClient({ socket: { port: node.port }, RESP: 3 }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    await c.connect();
    try {
      await c.zAdd('z', [
        { score: 1.5, value: 'a' },
        { score: -2, value: 'b' },
      ]);
      const p = await c.dump('z');
      assert.ok(Buffer.isBuffer(p));
      assert.equal(await c.restore('z2', 0, p), 'OK');
      assert.deepEqual(
        (await c.zRangeWithScores('z2', 0, -1)).map((e) => [String(e.value), e.score]),
        [['b', -2], ['a', 1.5]],
      );
      assert.equal(await c.dump('missing'), null);
    } finally {
      await c.quit();
    }
  });

  it('SAVE, then a new node on the same dir has every key back', async () => {
    const first = await start();
    const r = new Redis({ port: first.port });
    const expected: Record<string, unknown> = {};
    try {
      await r.flushall();
      await r.set('str', 'v');
      await r.set('num', '42');
      await r.rpush('list', ...Array.from({ length: 3000 }, (_, i) => 'e' + i));
      await r.sadd('ints', 1, 2, 3);
      await r.sadd('set', ...Array.from({ length: 600 }, (_, i) => 'm' + i));
      await r.zadd('z', 1, 'a', 2, 'b');
      await r.zadd('zbig', ...Array.from({ length: 200 }, (_, i) => [i, 'm' + i]).flat());
      await r.hset('h', 'f', 'v');
      await r.hset('hbig', ...Array.from({ length: 200 }, (_, i) => ['f' + i, 'v' + i]).flat());
      await r.set('ttl', 'v', 'EX', 1000);
      await r.select(9);
      await r.set('nine', '9');
      await r.select(0);
      for (const k of ['str', 'num', 'list', 'ints', 'set', 'z', 'zbig', 'h', 'hbig']) {
        expected[k] = [await r.type(k), await r.object('ENCODING', k), await r.dump(k)];
      }
      const before = await r.lastsave();
      assert.equal(await r.save(), 'OK');
      assert.ok((await r.lastsave()) >= before);
      assert.deepEqual(readdirSync(dir).sort(), ['dump.rdb'], 'the temp file was renamed away');
      const info = await r.info('persistence');
      assert.match(info, /\r\nrdb_changes_since_last_save:0\r\n/);
      assert.match(info, new RegExp(`\\r\\nrdb_last_save_time:${await r.lastsave()}\\r\\nrdb_last_bgsave_status:ok\\r\\n`));
    } finally {
      r.disconnect();
    }
    const second = await start();
    const r2 = new Redis({ port: second.port });
    try {
      for (const [k, v] of Object.entries(expected)) {
        assert.deepEqual([await r2.type(k), await r2.object('ENCODING', k), await r2.dump(k)], v, k);
      }
      const ttl = await r2.ttl('ttl');
      assert.ok(ttl > 990 && ttl <= 1000, String(ttl));
      await r2.select(9);
      assert.equal(await r2.get('nine'), '9');
      // 10 keys in db 0, 1 in db 9: what the last load found.
      assert.match(await r2.info('persistence'), /\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:11\r\n/);
    } finally {
      r2.disconnect();
    }
  });
});
