// RDB files between Shoal and redis-server 7.0, both ways: a dump.rdb written by Shoal's SAVE
// passes redis-check-rdb and loads in redis-server with every key identical (type, value,
// encoding, TTL); a dump.rdb written by redis-server (every encoding, small and big values,
// expiries, several databases, LRU/LFU information) loads in Shoal at startup with identical
// data. Also: corrupt files stop the start with file, offset and reason; `save ""` still
// loads; keys already expired are not loaded; SAVE failures answer -ERR.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { FakeClock } from '../../src/lib/clock.js';
import { findRedisServer, requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

const DBS = [0, 1, 5];
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Keys of every type and encoding, small and big, with and without TTL, in several databases. */
async function populate(r: Redis): Promise<void> {
  await r.select(0);
  await r.set('str', 'hello');
  await r.set('int', '12345');
  await r.set('bigint', '-9223372036854775808');
  await r.set('compressible', 'abc'.repeat(400));
  await r.set(Buffer.from([0, 1, 255, 13, 10]), Buffer.from([255, 0, 7]));
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  await r.set('big', big);
  await r.set('ttl', 'v', 'PX', 3_600_000);
  await r.rpush('list', 'a', '1', 'x'.repeat(300));
  await r.rpush('longlist', ...range(5000, (i) => 'element-' + i));
  await r.lpush('lpushed', ...range(2000, (i) => String(i)));
  await r.sadd('intset', '1', '2', '-70000');
  await r.sadd('intset64', '1', '9223372036854775807');
  await r.sadd('set', ...range(1000, (i) => 'm' + i));
  await r.sadd('smallset', 'a', 'b');
  await r.zadd('zlp', 1, 'a', 2.5, 'b', '-inf', 'c', '1e17', 'd');
  await r.zadd('zsl', ...range(500, (i) => [i / 3, 'member-' + i]).flat());
  await r.hset('hlp', 'f1', 'v1', 'n', '42');
  await r.hset('hht', ...range(1000, (i) => ['field' + i, 'value' + i]).flat());
  await r.hset('hlong', 'f', 'y'.repeat(100));
  await r.expire('hht', 7200);
  await r.select(1);
  await r.set('db1', 'one');
  await r.zadd('z', 1, 'x');
  await r.select(5);
  await r.set('db5', 'five', 'EX', 10_000);
  await r.rpush('l5', 'p', 'q');
  await r.select(0);
}

type Snapshot = Record<string, { type: string; enc: string; ttl: number; value: string }>;

/** Every key of the databases: type, encoding, PTTL and value (hex, order-normalized where unordered). */
async function snapshot(r: Redis): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const db of DBS) {
    await r.select(db);
    const keys: Buffer[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      keys.push(...batch);
    } while (cursor !== '0');
    for (const k of keys) {
      const type = await r.type(k);
      const hexes = (a: Buffer[]): string[] => a.map((b) => b.toString('hex'));
      let value: string[];
      if (type === 'string') value = [(await r.getBuffer(k))?.toString('hex') ?? ''];
      else if (type === 'list') value = hexes(await r.lrangeBuffer(k, 0, -1));
      else if (type === 'set') value = hexes(await r.smembersBuffer(k)).sort();
      else if (type === 'zset') value = hexes(await r.zrangeBuffer(k, 0, -1, 'WITHSCORES'));
      else {
        const flat = hexes((await r.callBuffer('HGETALL', k)) as Buffer[]);
        value = range(flat.length / 2, (i) => flat[2 * i] + '=' + flat[2 * i + 1]).sort();
      }
      const enc = String(await r.object('ENCODING', k));
      const ttl = await r.pttl(k);
      out[`${db}:${k.toString('hex')}`] = { type, enc, ttl, value: value.join(',') };
    }
  }
  await r.select(0);
  return out;
}

/** Asserts two snapshots hold the same keys and values, TTLs within `slackMs`. */
function assertSameData(a: Snapshot, b: Snapshot, slackMs = 5000): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    assert.equal(x.type, y.type, k);
    assert.equal(x.enc, y.enc, `encoding of ${k}`);
    assert.ok(x.value === y.value, `value of ${k}`);
    if (x.ttl < 0 || y.ttl < 0) assert.equal(x.ttl, y.ttl, `ttl of ${k}`);
    else assert.ok(Math.abs(x.ttl - y.ttl) <= slackMs, `ttl of ${k}: ${x.ttl} vs ${y.ttl}`);
  }
}

/** Runs redis-check-rdb on a file; returns its output (throws if the check fails). */
function checkRdb(file: string, scratch: string): string {
  let bin = 'redis-check-rdb';
  const server = findRedisServer();
  if (server !== null && !existsSync(path.join(path.dirname(server), 'redis-check-rdb'))) {
    // redis-server acts as redis-check-rdb when invoked under that name.
    bin = path.join(scratch, 'redis-check-rdb');
    if (!existsSync(bin)) symlinkSync(server, bin);
  } else if (server !== null) {
    bin = path.join(path.dirname(server), 'redis-check-rdb');
  }
  return execFileSync(bin, [file], { encoding: 'utf8' });
}

describe('RDB files between Shoal and redis-server', { skip: requireRedis() }, () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'shoal-rdb-'));
    dirs.push(d);
    return d;
  };
  const redisIn = async (dir: string, extra: string[] = []): Promise<RedisInstance> => {
    const r = await startRedis(['--dir', dir, '--dbfilename', 'dump.rdb', ...extra]);
    if (r === null) throw new Error('redis-server missing');
    cleanups.push(() => r.stop());
    return r;
  };
  const shoalIn = async (dir: string, config: Record<string, string> = {}, clock?: FakeClock): Promise<RunningServer> => {
    const n = await startServer({ config: { dir, dbfilename: 'dump.rdb', ...config }, clock });
    cleanups.push(() => n.close());
    return n;
  };
  const client = (port: number): Redis => {
    const c = new Redis({ port, lazyConnect: false, maxRetriesPerRequest: 1 });
    cleanups.push(async () => void c.disconnect());
    return c;
  };
  let scratch = '';
  before(() => {
    scratch = tmp();
  });
  after(async () => {
    for (const f of cleanups.reverse()) await f();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("Shoal's dump.rdb passes redis-check-rdb and loads in redis-server with identical data", async () => {
    const dir = tmp();
    const shoal = client((await shoalIn(dir)).port);
    await populate(shoal);
    const before = await snapshot(shoal);
    const last = await shoal.lastsave();
    assert.equal(await shoal.save(), 'OK');
    assert.ok((await shoal.lastsave()) >= last);
    assert.match(await shoal.info('persistence'), /rdb_changes_since_last_save:0\r\n/);
    const report = checkRdb(path.join(dir, 'dump.rdb'), scratch);
    assert.match(report, /RDB looks OK/);
    assert.match(report, /Checksum OK/);
    const redis = client((await redisIn(dir)).port);
    assertSameData(await snapshot(redis), before);
  });

  it("redis-server's dump.rdb loads in Shoal at startup with identical data", async () => {
    const dir = tmp();
    const redis = client((await redisIn(dir)).port);
    await populate(redis);
    const before = await snapshot(redis);
    assert.equal(await redis.save(), 'OK');
    const shoal = client((await shoalIn(dir)).port);
    assertSameData(await snapshot(shoal), before);
  });

  it('without checksums both ways (rdbchecksum no writes a zero trailer)', async () => {
    const a = tmp();
    const shoal = client((await shoalIn(a, { rdbchecksum: 'no' })).port);
    await populate(shoal);
    assert.equal(await shoal.save(), 'OK');
    const file = readFileSync(path.join(a, 'dump.rdb'));
    assert.deepEqual(file.subarray(file.length - 8), Buffer.alloc(8));
    const redis = client((await redisIn(a)).port);
    assertSameData(await snapshot(redis), await snapshot(shoal));
    const b = tmp();
    const redis2 = client((await redisIn(b, ['--rdbchecksum', 'no'])).port);
    await populate(redis2);
    assert.equal(await redis2.save(), 'OK');
    const shoal2 = client((await shoalIn(b)).port);
    assertSameData(await snapshot(shoal2), await snapshot(redis2));
  });

  it('carries LRU idle times and LFU counters (IDLE / FREQ opcodes) both ways', async () => {
    const lru = tmp();
    const shoal = client((await shoalIn(lru, { 'maxmemory-policy': 'allkeys-lru' })).port);
    const p = await shoal.dumpBuffer('none');
    assert.equal(p, null);
    await shoal.set('k', 'v');
    const payload = (await shoal.dumpBuffer('k')) as Buffer;
    await shoal.restore('old', 0, payload, 'IDLETIME', 5000);
    assert.equal(await shoal.save(), 'OK');
    assert.match(checkRdb(path.join(lru, 'dump.rdb'), scratch), /RDB looks OK/);
    const redis = client((await redisIn(lru, ['--maxmemory-policy', 'allkeys-lru'])).port);
    const idle = Number(await redis.object('IDLETIME', 'old'));
    assert.ok(idle >= 5000 && idle <= 5010, `idle ${idle}`);

    const lfu = tmp();
    const redis2 = client((await redisIn(lfu, ['--maxmemory-policy', 'allkeys-lfu'])).port);
    await redis2.set('k', 'v');
    await redis2.restore('hot', 0, (await redis2.dumpBuffer('k')) as Buffer, 'FREQ', 77);
    assert.equal(await redis2.save(), 'OK');
    const shoal2 = client((await shoalIn(lfu, { 'maxmemory-policy': 'allkeys-lfu' })).port);
    assert.equal(Number(await shoal2.object('FREQ', 'hot')), 77);
    assert.equal(await shoal2.save(), 'OK');
    const redis3 = client((await redisIn(lfu, ['--maxmemory-policy', 'allkeys-lfu'])).port);
    assert.equal(Number(await redis3.object('FREQ', 'hot')), 77);
  });

  it('skips keys whose TTL passed before loading', async () => {
    const dir = tmp();
    const redis = client((await redisIn(dir)).port);
    await redis.set('short', 'v', 'PX', 60_000);
    await redis.set('long', 'v', 'PX', 3_600_000);
    await redis.set('none', 'v');
    assert.equal(await redis.save(), 'OK');
    const clock = new FakeClock(Date.now() + 120_000);
    const shoal = client((await shoalIn(dir, {}, clock)).port);
    assert.deepEqual((await shoal.keys('*')).sort(), ['long', 'none']);
  });

  it('loads with save "" (it disables saving, not loading)', async () => {
    const dir = tmp();
    const redis = client((await redisIn(dir)).port);
    await redis.set('k', 'v');
    assert.equal(await redis.save(), 'OK');
    const shoal = client((await shoalIn(dir, { save: '' })).port);
    assert.equal(await shoal.get('k'), 'v');
  });

  it('refuses a corrupt or truncated file at startup, naming file, offset and reason', async () => {
    const dir = tmp();
    const redis = client((await redisIn(dir)).port);
    await populate(redis);
    assert.equal(await redis.save(), 'OK');
    const file = path.join(dir, 'dump.rdb');
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[good.length - 3] ^= 0xff;
    writeFileSync(file, flipped);
    await assert.rejects(startServer({ config: { dir, dbfilename: 'dump.rdb' } }), (e: Error) => {
      assert.match(e.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      assert.match(e.message, /RDB CRC error \(at offset \d+\)/);
      return true;
    });
    writeFileSync(file, good.subarray(0, Math.floor(good.length / 2)));
    await assert.rejects(startServer({ config: { dir, dbfilename: 'dump.rdb' } }), /Unexpected EOF reading RDB file \(at offset \d+\)/);
    writeFileSync(file, Buffer.from('NOTREDIS0010'));
    await assert.rejects(startServer({ config: { dir, dbfilename: 'dump.rdb' } }), /Wrong signature/);
  });

  it('SAVE answers -ERR when the file cannot be written, and leaves no temp file', async () => {
    const dir = tmp();
    const shoal = client((await shoalIn(dir)).port);
    await shoal.set('k', 'v');
    rmSync(dir, { recursive: true, force: true });
    await assert.rejects(shoal.save(), /^ReplyError: ERR$/);
    assert.equal(existsSync(dir), false);
  });
});
