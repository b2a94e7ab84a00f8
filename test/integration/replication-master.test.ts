// A real redis-server 7.0 replica following a Shoal master: full sync (diskless and through
// the disk), the live stream (every type, MULTI/EXEC, SELECT, expiries, server-side
// deletions), a partial resync after the link drops, a write load during the full sync, WAIT,
// min-replicas-to-write, INFO replication and ROLE. Each ends with the replica's dataset equal
// to the master's, expiry times included.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';
import { until } from '../helpers/poll.js';
import { assertSameData, caughtUp, infoField } from '../helpers/replication.js';

const DBS = [0, 1, 3];


async function populate(r: Redis, n: number, prefix = 'k'): Promise<void> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) {
    p.set(`${prefix}:s:${i}`, `v${i}`);
    if (i % 10 === 0) p.hset(`${prefix}:h:${i}`, 'a', String(i), 'b', 'x'.repeat(i % 50));
    if (i % 10 === 1) p.rpush(`${prefix}:l:${i}`, 'a', 'b', String(i));
    if (i % 10 === 2) p.sadd(`${prefix}:set:${i}`, 'm1', 'm2', String(i));
    if (i % 10 === 3) p.zadd(`${prefix}:z:${i}`, i, 'a', -i, 'b');
    if (i % 10 === 4) p.set(`${prefix}:ttl:${i}`, 'v', 'PX', 3_600_000 + i);
  }
  await p.exec();
  await r.select(1);
  await r.set('db1', 'one');
  await r.select(3);
  await r.zadd('db3z', 1, 'x');
  await r.select(0);
}

/** The stream: every kind of write the effect stream rewrites, in several databases. */
async function writes(r: Redis, t: string): Promise<void> {
  await r.set(`${t}:str`, 'a');
  await r.append(`${t}:str`, 'b');
  await r.incr(`${t}:n`);
  await r.incrbyfloat(`${t}:f`, 1.5);
  await r.set(`${t}:ex`, 'v', 'EX', 1000);
  await r.expire(`${t}:str`, 5000);
  await r.hset(`${t}:h`, 'f', '1');
  await r.hincrbyfloat(`${t}:h`, 'g', 2.25);
  await r.lpush(`${t}:l`, 'x', 'y', 'z');
  await r.lpop(`${t}:l`);
  await r.sadd(`${t}:s`, 'a', 'b', 'c', 'd');
  await r.spop(`${t}:s`);
  await r.zadd(`${t}:z`, 1, 'a', 2, 'b');
  await r.zincrby(`${t}:z`, 5, 'a');
  await r.set(`${t}:src`, 'moved');
  await r.rename(`${t}:src`, `${t}:renamed`);
  await r.multi().set(`${t}:m1`, '1').incr(`${t}:m2`).lpush(`${t}:ml`, 'q').exec();
  await r.select(1);
  await r.set(`${t}:db1`, 'x');
  await r.move(`${t}:db1`, 3);
  await r.select(0);
  await r.copy(`${t}:h`, `${t}:hcopy`);
  await r.set(`${t}:gd`, '1');
  await r.getdel(`${t}:gd`);
  await r.setrange(`${t}:str`, 1, 'ZZ');
  await r.del(`${t}:n`);
}

describe('a redis-server replica of a Shoal master', { skip: requireRedis() }, () => {
  let dir: string;
  let master: RunningServer;
  let m: Redis;
  const replicas: RedisInstance[] = [];
  const clients: Redis[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoal-repl-master-'));
    master = await startServer({ config: { port: '0', dir, 'repl-diskless-sync-delay': '0', 'repl-ping-replica-period': '1' } });
    m = new Redis({ port: master.port, lazyConnect: true });
    await m.connect();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    m?.disconnect();
    for (const r of replicas) await r.stop();
    await master?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a redis-server replica of the master (own dir); returns a client to it. */
  async function replica(): Promise<{ inst: RedisInstance; r: Redis }> {
    const rdir = mkdtempSync(path.join(dir, 'replica-'));
    const inst = await startRedis(['--dir', rdir, '--replicaof', '127.0.0.1', String(master.port), '--repl-timeout', '5']);
    assert.ok(inst !== null);
    replicas.push(inst);
    const r = new Redis({ port: inst.port, lazyConnect: true });
    await r.connect();
    clients.push(r);
    return { inst, r };
  }

  const synced = (r: Redis): Promise<void> => caughtUp(m, r);
  const assertSame = (r: Redis): Promise<void> => assertSameData(m, r, DBS);

  it('full-syncs disklessly, then follows the stream', async () => {
    await populate(m, 2000);
    const { r } = await replica();
    await synced(r);
    assert.equal(await infoField(m, 'stats', 'sync_full'), '1');
    assert.equal(await infoField(r, 'keyspace', 'db0').then((s) => s.split(',')[0]), `keys=${await m.dbsize()}`);
    await writes(m, 'w1');
    await assertSame(r);
    // A short-lived key expires on the master, which sends the DEL.
    await m.set('w:short', 'gone soon', 'PX', 50);
    await until(async () => (await m.exists('w:short')) === 0 && (await r.exists('w:short')) === 0, { what: 'w:short gone on both' });
    await assertSame(r);
    // INFO and ROLE list the replica, online.
    const line = await infoField(m, 'replication', 'slave0');
    assert.match(line, /^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+,lag_bytes=\d+,lag_ms=\d+$/);
    const role = (await m.call('ROLE')) as [string, number, string[][]];
    assert.equal(role[0], 'master');
    assert.equal(role[2].length, 1);
    assert.equal(role[2][0][0], '127.0.0.1');
    assert.equal(await infoField(m, 'replication', 'repl_backlog_active'), '1');
  });

  it('resumes with a partial resync after the link drops', async () => {
    const r = clients[0];
    const okBefore = Number(await infoField(m, 'stats', 'sync_partial_ok'));
    await m.client('KILL', 'TYPE', 'replica');
    await writes(m, 'w2');
    await m.set('after-drop', '1');
    await until(async () => Number(await infoField(m, 'stats', 'sync_partial_ok')) === okBefore + 1, { what: 'a partial resync' });
    assert.equal(await infoField(m, 'stats', 'sync_full'), '1');
    await assertSame(r);
  });

  it('WAIT counts the replicas that acknowledged the write', async () => {
    await m.set('waited', '1');
    assert.equal(await m.call('WAIT', '1', '5000'), 1);
    assert.equal(await m.call('WAIT', '2', '100'), 1);
  });

  it('full-syncs through the disk, during a write load, with two replicas', async () => {
    await m.config('SET', 'repl-diskless-sync', 'no');
    await m.config('SET', 'rdb-key-save-delay', '20');
    const writer = new Redis({ port: master.port });
    clients.push(writer);
    let stop = false;
    let n = 0;
    const load = (async () => {
      while (!stop && n < 20_000) {
        const p = writer.pipeline();
        for (let i = 0; i < 20; i++, n++) {
          p.set(`load:${n % 500}`, String(n));
          p.incr('load:count');
          if (n % 7 === 0) p.del(`k:s:${n % 2000}`);
          if (n % 11 === 0) p.hset(`k:h:${(n % 200) * 10}`, 'load', String(n));
        }
        await p.exec();
      }
    })();
    const { r } = await replica();
    await until(async () => (await infoField(r, 'replication', 'master_link_status')) === 'up', { what: 'the disk sync', ms: 30_000 });
    stop = true;
    await load;
    await m.config('SET', 'rdb-key-save-delay', '0');
    assert.ok(n > 0);
    await assertSame(r);
    await assertSame(clients[0]);
    await m.config('SET', 'repl-diskless-sync', 'yes');
  });

  it('refuses writes with -NOREPLICAS when too few good replicas remain', async () => {
    await m.config('SET', 'min-replicas-to-write', '2');
    await m.config('SET', 'min-replicas-max-lag', '10');
    assert.equal(await m.set('fenced', '1'), 'OK');
    assert.equal(await infoField(m, 'replication', 'min_slaves_good_slaves'), '2');
    const last = replicas.pop() as RedisInstance;
    (clients.pop() as Redis).disconnect();
    await last.stop();
    await until(async () => (await infoField(m, 'replication', 'connected_slaves')) === '1', { what: 'the replica gone' });
    await assert.rejects(m.set('fenced', '2'), /NOREPLICAS Not enough good replicas to write\./);
    assert.equal(await m.get('fenced'), '1');
    await m.config('SET', 'min-replicas-to-write', '0');
    assert.equal(await m.set('fenced', '3'), 'OK');
    await assertSame(clients[0]);
  });
});
