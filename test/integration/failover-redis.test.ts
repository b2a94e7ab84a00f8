// FAILOVER across implementations: a redis-server 7.0 master hands over to its Shoal replica
// (which gets Redis's PSYNC <replid> <offset> FAILOVER, promotes itself and continues the
// history partially), and a Shoal master hands over to its redis-server replica (which gets
// Shoal's). Each ends with the roles swapped, the old master following the new one through a
// partial resync, and the same data on both.

import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';
import { assertSameData, caughtUp, infoField } from '../helpers/replication.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

const DBS = [0, 4];

async function populate(r: Redis, tag: string): Promise<void> {
  for (let i = 0; i < 100; i++) await r.set(`${tag}:s${i}`, `v${i}`);
  await r.rpush(`${tag}:list`, 'a', 'b', 'c');
  await r.pexpire(`${tag}:s0`, 600_000);
  await r.select(4);
  await r.hset(`${tag}:h`, 'f', '1', 'g', '2');
  await r.select(0);
}

describe('FAILOVER between redis-server 7.0 and Shoal', { skip: requireRedis() }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'shoal-failover-redis-'));
    cleanups.push(async () => rmSync(d, { recursive: true, force: true }));
    return d;
  };
  const redis = async (): Promise<{ inst: RedisInstance; c: Redis; port: number }> => {
    const inst = await startRedis(['--dir', tmp(), '--repl-diskless-sync-delay', '0']);
    if (inst === null) throw new Error('redis-server missing');
    const c = new Redis({ port: inst.port, maxRetriesPerRequest: 1 });
    c.on('error', () => undefined);
    cleanups.push(async () => {
      c.disconnect();
      await inst.stop();
    });
    return { inst, c, port: inst.port };
  };
  const shoal = async (): Promise<{ n: RunningServer; c: Redis; port: number }> => {
    const n = await startServer({ config: { dir: tmp(), 'repl-diskless-sync-delay': '0' } });
    const c = new Redis({ port: n.port, maxRetriesPerRequest: 1 });
    c.on('error', () => undefined);
    cleanups.push(async () => {
      c.disconnect();
      await n.close();
    });
    return { n, c, port: n.port };
  };
  after(async () => {
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
  });

  /** FAILOVER on `from` (a master with `to` as its replica): the roles swap, partially resynced. */
  async function handOver(from: { c: Redis; port: number }, to: { c: Redis; port: number }): Promise<void> {
    await caughtUp(from.c, to.c);
    const replid = await infoField(from.c, 'replication', 'master_replid');
    const partialBefore = Number(await infoField(to.c, 'stats', 'sync_partial_ok'));
    const fullBefore = Number(await infoField(to.c, 'stats', 'sync_full'));
    assert.equal(await from.c.call('FAILOVER', 'TO', '127.0.0.1', String(to.port)), 'OK');
    await until(async () => (await infoField(to.c, 'replication', 'role')) === 'master', { what: 'the target promoted' });
    await until(
      async () =>
        (await infoField(from.c, 'replication', 'role')) === 'slave' &&
        (await infoField(from.c, 'replication', 'master_failover_state')) === 'no-failover' &&
        (await infoField(from.c, 'replication', 'master_link_status')) === 'up',
      { what: 'the old master following the new one' },
    );
    assert.equal(await infoField(from.c, 'replication', 'master_port'), String(to.port));
    assert.equal(await infoField(to.c, 'replication', 'master_replid2'), replid);
    assert.equal(Number(await infoField(to.c, 'stats', 'sync_partial_ok')), partialBefore + 1);
    assert.equal(Number(await infoField(to.c, 'stats', 'sync_full')), fullBefore);
    await assert.rejects(from.c.set('x', '1'), /READONLY/);
    await to.c.set('after-failover', '1');
    await assertSameData(to.c, from.c, DBS);
  }

  it('a redis-server master hands over to its Shoal replica', async () => {
    const m = await redis();
    const s = await shoal();
    await populate(m.c, 'r');
    assert.equal(await s.c.replicaof('127.0.0.1', String(m.port)), 'OK');
    await handOver(m, s);
  });

  it('a Shoal master hands over to its redis-server replica', async () => {
    const s = await shoal();
    const r = await redis();
    await populate(s.c, 's');
    assert.equal(await r.c.replicaof('127.0.0.1', String(s.port)), 'OK');
    await handOver(s, r);
  });
});
