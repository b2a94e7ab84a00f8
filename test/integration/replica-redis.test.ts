// A Shoal replica following a real redis-server 7.0 master: full sync (disk-based and diskless)
// of a dataset of every type with TTLs in several databases, then a stream of writes (MULTI/EXEC,
// EXPIRE, DEL, SELECT, commands Redis propagates as their effects), with both datasets compared
// key by key (type, value, exact PEXPIRETIME); a partial resync after the master kills the link
// (sync_partial_ok grows, the writes made meanwhile arrive); a restart of the replica from its
// saved RDB resyncing partially; full syncs without a temp file (repl-diskless-load swapdb, also
// serving the old dataset during a resync of the same history, and on-empty-db loading as the
// payload arrives);
// expiry as a replica sees it; REPLICAOF NO ONE.

import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';
import { assertSameData, caughtUp } from '../helpers/replication.js';
import { datasetDiff, datasetOf } from '../helpers/dataset.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

const DBS = [0, 1, 5, 15];
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

async function populate(r: Redis): Promise<void> {
  await r.select(0);
  await r.set('str', 'hello');
  await r.set('int', '12345');
  await r.set(Buffer.from([0, 1, 255, 13, 10]), Buffer.from([255, 0, 7]));
  await r.set('big', 'x'.repeat(200_000));
  await r.set('ttl', 'v', 'PX', 3_600_000);
  await r.rpush('list', 'a', '1', 'x'.repeat(300));
  await r.rpush('longlist', ...range(3000, (i) => 'element-' + i));
  await r.sadd('intset', '1', '2', '-70000');
  await r.sadd('set', ...range(600, (i) => 'm' + i));
  await r.zadd('zlp', 1, 'a', 2.5, 'b', '-inf', 'c');
  await r.zadd('zsl', ...range(400, (i) => [i / 3, 'member-' + i]).flat());
  await r.hset('hlp', 'f1', 'v1', 'n', '42');
  await r.hset('hht', ...range(700, (i) => ['field' + i, 'value' + i]).flat());
  await r.expire('hht', 7200);
  for (let i = 0; i < 2000; i++) await r.set('k' + i, 'v' + i);
  await r.select(1);
  await r.set('db1', 'one');
  await r.zadd('z', 1, 'x');
  await r.select(5);
  await r.set('db5', 'five', 'EX', 10_000);
  await r.rpush('l5', 'p', 'q');
  await r.select(15);
  await r.hset('h15', 'a', 'b');
  await r.select(0);
}

/** Writes of every kind, in several databases, inside and outside transactions. */
async function writes(r: Redis, tag: string): Promise<void> {
  await r.select(0);
  await r.set(`w:${tag}`, '1');
  await r.incrbyfloat('float', '1.5');
  await r.multi().incr(`ctr:${tag}`).lpush('list', tag).sadd('set', tag).exec();
  await r.expire('str', 5000);
  await r.pexpire('int', 123456);
  await r.del('k1', 'k2', 'k3');
  await r.spop('set');
  await r.hincrby('hlp', 'n', 3);
  await r.zincrby('zlp', 2, 'a');
  await r.setex(`sx:${tag}`, 100, 'v');
  await r.select(1);
  await r.set(`db1:${tag}`, 'x');
  await r.multi().select(5).rpush('l5', tag).select(15).hset('h15', tag, '1').exec();
  await r.select(5);
  await r.lpop('l5');
  await r.select(0);
  await r.getex('ttl', 'PX', 999_999);
  await r.persist(`sx:${tag}`);
}

async function infoOf(r: Redis, section: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await r.info(section)).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}


describe('Shoal replica of redis-server 7.0', { skip: requireRedis() }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'shoal-repl-'));
    cleanups.push(async () => rmSync(d, { recursive: true, force: true }));
    return d;
  };
  const redisMaster = async (diskless: boolean, extra: string[] = []): Promise<{ inst: RedisInstance; c: Redis }> => {
    const inst = await startRedis([
      '--dir', tmp(),
      '--repl-diskless-sync', diskless ? 'yes' : 'no',
      '--repl-diskless-sync-delay', '0',
      '--enable-debug-command', 'local',
      ...extra,
    ]);
    if (inst === null) throw new Error('redis-server missing');
    const c = new Redis({ port: inst.port, maxRetriesPerRequest: 1 });
    cleanups.push(async () => {
      c.disconnect();
      await inst.stop();
    });
    return { inst, c };
  };
  const shoal = async (config: Record<string, string> = {}): Promise<{ n: RunningServer; c: Redis }> => {
    const n = await startServer({ config: { dir: tmp(), ...config } });
    const c = new Redis({ port: n.port, maxRetriesPerRequest: 1 });
    cleanups.push(async () => {
      c.disconnect();
      await n.close();
    });
    return { n, c };
  };

  before(() => undefined);
  after(async () => {
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
  });

  for (const diskless of [false, true]) {
    it(`full sync (${diskless ? 'diskless' : 'disk'}), the stream, then a partial resync`, async () => {
      const m = await redisMaster(diskless);
      await populate(m.c);
      const s = await shoal();
      assert.equal(await s.c.replicaof('127.0.0.1', String(m.inst.port)), 'OK');
      await assertSameData(m.c, s.c, DBS);
      const before = await infoOf(m.c, 'stats');

      await writes(m.c, 'one');
      await assertSameData(m.c, s.c, DBS);
      const si = await infoOf(s.c, 'replication');
      const mi = await infoOf(m.c, 'replication');
      assert.equal(si['role'], 'slave');
      assert.equal(si['master_sync_in_progress'], '0');
      assert.equal(si['master_replid'], mi['master_replid']);
      assert.equal(si['slave_repl_offset'], mi['master_repl_offset']);

      // The master drops the link; writes made meanwhile come with the partial resync.
      await m.c.client('KILL', 'TYPE', 'replica');
      await writes(m.c, 'two');
      await until(async () => Number((await infoOf(m.c, 'stats'))['sync_partial_ok']) > Number(before['sync_partial_ok']), {
        what: 'a partial resync on the master',
      });
      await caughtUp(m.c, s.c);
      assert.equal((await infoOf(m.c, 'stats'))['sync_full'], before['sync_full']);
      await assertSameData(m.c, s.c, DBS);
    });
  }

  it('a master without PSYNC (renamed away): the replica falls back to SYNC, then follows the stream', async () => {
    const m = await redisMaster(true, ['--rename-command', 'PSYNC', '']);
    await populate(m.c);
    const s = await shoal();
    assert.equal(await s.c.replicaof('127.0.0.1', String(m.inst.port)), 'OK');
    // Offsets cannot say when it caught up (a SYNC stream has none: the replica counts from
    // -1, the master from its backlog's start), so the datasets are compared until they match.
    const same = async (): Promise<void> =>
      until(async () => datasetDiff(await datasetOf(m.c, DBS), await datasetOf(s.c, DBS)).length === 0, { what: 'the same data on both', ms: 30_000 });
    await same();
    await writes(m.c, 'sync');
    await same();
    const si = await infoOf(s.c, 'replication');
    assert.equal(si['master_link_status'], 'up');
    assert.equal(si['master_replid'], '0'.repeat(40), 'no history to continue, as a Redis replica after SYNC');
  });

  for (const mode of ['swapdb', 'on-empty-db'] as const) {
    it(`repl-diskless-load ${mode}: ${mode === 'swapdb' ? 'a replica holding data of its own loads the payload from memory' : 'an empty replica loads the payload as it arrives'}`, async () => {
      const m = await redisMaster(true);
      await populate(m.c);
      const s = await shoal({ 'repl-diskless-load': mode });
      if (mode === 'swapdb') {
        await s.c.set('mine', 'replaced by the sync');
        await s.c.set('str', 'also replaced');
      }
      assert.equal(await s.c.replicaof('127.0.0.1', String(m.inst.port)), 'OK');
      await assertSameData(m.c, s.c, DBS);
      assert.equal(await s.c.get('mine'), null);
      await writes(m.c, mode);
      await assertSameData(m.c, s.c, DBS);
    });
  }

  it('repl-diskless-load swapdb: a full resync of the same history (the backlog overflowed) serves the old dataset while the new one loads', async () => {
    const m = await redisMaster(true);
    await m.c.config('SET', 'repl-backlog-size', '16384');
    for (let i = 0; i < 200; i++) await m.c.set(`a:${i}`, String(i));
    const s = await shoal({ 'repl-diskless-load': 'swapdb' });
    await s.c.replicaof('127.0.0.1', String(m.inst.port));
    await caughtUp(m.c, s.c);
    const fullBefore = Number((await infoOf(m.c, 'stats'))['sync_full']);
    // 5 ms a key: a load of a second or more.
    await s.c.config('SET', 'key-load-delay', '5000');
    // The link drops and more than the backlog is written before the replica is back.
    await m.c.client('KILL', 'TYPE', 'replica');
    await m.c.set('filler', 'x'.repeat(100_000));
    await m.c.del('a:0');
    await until(async () => (await infoOf(s.c, 'persistence'))['async_loading'] === '1', { what: 'async_loading:1' });
    // Served meanwhile: the dataset as it was before the link dropped.
    assert.equal((await infoOf(s.c, 'persistence'))['loading'], '0');
    assert.equal(await s.c.get('a:0'), '0');
    assert.equal(await s.c.exists('filler'), 0);
    await assert.rejects(s.c.bgsave(), /LOADING/);
    await caughtUp(m.c, s.c);
    assert.equal(Number((await infoOf(m.c, 'stats'))['sync_full']), fullBefore + 1);
    assert.equal((await infoOf(s.c, 'persistence'))['async_loading'], '0');
    assert.equal(await s.c.get('a:0'), null);
    await assertSameData(m.c, s.c, [0]);
  });

  it('expired keys: missing to reads, counted until the master DEL, which then arrives', async () => {
    const m = await redisMaster(false);
    const s = await shoal();
    await s.c.replicaof('127.0.0.1', String(m.inst.port));
    await caughtUp(m.c, s.c);
    await m.c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await m.c.set('e', 'v', 'PX', 150);
    await m.c.set('keep', '1');
    await caughtUp(m.c, s.c);
    assert.equal(await s.c.get('e'), 'v');
    await until(async () => (await s.c.get('e')) === null, { what: 'e to expire logically' });
    assert.equal(await s.c.exists('e'), 0);
    assert.equal(await s.c.dbsize(), 2); // still there until the master's DEL
    assert.equal(await m.c.get('e'), null); // the master expires it lazily: DEL goes out
    await until(async () => (await s.c.dbsize()) === 1, { what: 'the DEL from the master' });
  });

  it('a restarted replica resumes from its saved RDB with a partial resync', async () => {
    const m = await redisMaster(false);
    await m.c.set('a', '1');
    const dir = tmp();
    const first = await startServer({ config: { dir } });
    const fc = new Redis({ port: first.port, maxRetriesPerRequest: 1 });
    await fc.replicaof('127.0.0.1', String(m.inst.port));
    await caughtUp(m.c, fc);
    await m.c.set('b', '2');
    await caughtUp(m.c, fc);
    assert.equal(await fc.save(), 'OK'); // records repl-id / repl-offset at the current offset
    fc.disconnect();
    await first.close();
    await m.c.set('c', '3'); // while the replica is away
    const ok0 = Number((await infoOf(m.c, 'stats'))['sync_partial_ok']);
    const s = await shoal({ dir, replicaof: `127.0.0.1 ${m.inst.port}` });
    await caughtUp(m.c, s.c);
    assert.equal(Number((await infoOf(m.c, 'stats'))['sync_partial_ok']), ok0 + 1);
    assert.deepEqual(await s.c.mget('a', 'b', 'c'), ['1', '2', '3']);
  });

  it('REPLICAOF NO ONE: a master again, its data kept, writes accepted', async () => {
    const m = await redisMaster(true);
    await populate(m.c);
    const s = await shoal();
    await s.c.replicaof('127.0.0.1', String(m.inst.port));
    await caughtUp(m.c, s.c);
    const id = (await infoOf(s.c, 'replication'))['master_replid'];
    assert.equal(await s.c.replicaof('NO', 'ONE'), 'OK');
    const i = await infoOf(s.c, 'replication');
    assert.equal(i['role'], 'master');
    assert.equal(i['master_replid2'], id);
    assert.equal(await s.c.set('mine', '1'), 'OK');
    assert.equal(await s.c.get('str'), 'hello');
    await m.c.set('later', 'x');
    assert.equal(await s.c.get('later'), null);
    await until(async () => Number((await infoOf(m.c, 'replication'))['connected_slaves']) === 0, { what: 'the master to see the replica go' });
  });
});
