// AOF files between redis-server 7.0 and Shoal: the appendonlydir redis-server writes (BASE as
// RDB preamble or as commands, INCR files after a rewrite, every value type, expiries,
// MULTI/EXEC, several databases) loads in Shoal at startup with identical data; a fresh Shoal
// node under appendonly yes creates the files as 7.0 does, and redis-server loads them; an old
// single-file appendonly.aof is upgraded; torn and corrupt files stop or go on as configured.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { until } from '../helpers/poll.js';
import { startServer, type RunningServer } from '../helpers/node.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

const DBS = [0, 2];
type Snap = Record<string, { type: string; ttl: number; value: string }>;

async function snapshot(r: Redis): Promise<Snap> {
  const out: Snap = {};
  for (const db of DBS) {
    await r.select(db);
    for (const k of await r.keysBuffer('*')) {
      const type = await r.type(k);
      const hex = (a: Buffer[]): string[] => a.map((b) => b.toString('hex'));
      let value: string[];
      if (type === 'string') value = [(await r.getBuffer(k))?.toString('hex') ?? ''];
      else if (type === 'list') value = hex(await r.lrangeBuffer(k, 0, -1));
      else if (type === 'set') value = hex(await r.smembersBuffer(k)).sort();
      else if (type === 'zset') value = hex(await r.zrangeBuffer(k, 0, -1, 'WITHSCORES'));
      else value = hex((await r.callBuffer('HGETALL', k)) as Buffer[]).sort();
      const ttl = await r.pttl(k);
      out[`${db}:${k.toString('hex')}`] = { type, ttl: ttl < 0 ? ttl : Math.round(ttl / 10_000), value: value.join(',') };
    }
  }
  await r.select(0);
  return out;
}

async function populate(r: Redis, tag: string): Promise<void> {
  await r.set(`s${tag}`, 'v');
  await r.set(`n${tag}`, '10');
  await r.incrby(`n${tag}`, 5);
  await r.set(Buffer.from([0, 13, 10, 255]), Buffer.from([1, 2, 3]));
  await r.set(`ttl${tag}`, 'x', 'EX', 500_000);
  await r.rpush(`l${tag}`, 'a', 'b', 'c', ...Array.from({ length: 200 }, (_, i) => `e${i}`));
  await r.lpop(`l${tag}`);
  await r.sadd(`st${tag}`, '1', '2', 'three');
  await r.spop(`st${tag}`);
  await r.zadd(`z${tag}`, 1.5, 'a', 2, 'b', '-inf', 'c');
  await r.hset(`h${tag}`, 'f1', 'v1', 'f2', 'v2');
  await r.hincrbyfloat(`h${tag}`, 'f3', 1.25);
  await r.expire(`h${tag}`, 900_000);
  await r.set(`gone${tag}`, 'x');
  await r.del(`gone${tag}`);
  await r.multi().set(`m${tag}`, '1').incr(`m${tag}`).rpush(`ml${tag}`, 'q').exec();
  await r.select(2);
  await r.set(`db2${tag}`, 'two');
  await r.append(`db2${tag}`, '+');
  await r.select(0);
}

/** Polls INFO persistence until no rewrite runs. */
async function rewriteDone(r: Redis): Promise<void> {
  await until(
    async () => {
      const info = await r.info('persistence');
      return /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info);
    },
    { what: 'the rewrite to finish', every: 20 },
  );
}

describe('AOF files between redis-server and Shoal', { skip: requireRedis() }, () => {
  const dirs: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'shoal-aof-'));
    dirs.push(d);
    return d;
  };
  const redisIn = async (dir: string, extra: string[] = []): Promise<RedisInstance> => {
    // appendfsync always: every write is in the file before its reply. The instance is killed
    // with SIGKILL, and under everysec redis-server may postpone a write while a background
    // fsync runs, so a file could lack the last commands.
    const r = await startRedis(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', ...extra]);
    if (r === null) throw new Error('redis-server missing');
    cleanups.push(() => r.stop());
    return r;
  };
  const shoalIn = async (dir: string, config: Record<string, string> = {}): Promise<RunningServer> => {
    const n = await startServer({ config: { dir, appendonly: 'yes', ...config } });
    cleanups.push(() => n.close());
    return n;
  };
  const client = (port: number): Redis => {
    const c = new Redis({ port, maxRetriesPerRequest: 1 });
    c.on('error', () => {}); // the server is killed on purpose
    cleanups.push(async () => void c.disconnect());
    return c;
  };
  after(async () => {
    for (const f of cleanups.reverse()) await f();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const preamble of ['yes', 'no']) {
    it(`loads redis-server's appendonlydir (aof-use-rdb-preamble ${preamble}, BASE + INCRs after a rewrite)`, async () => {
      const dir = tmp();
      const inst = await redisIn(dir, ['--aof-use-rdb-preamble', preamble]);
      const redis = client(inst.port);
      await populate(redis, 'a');
      await redis.bgrewriteaof();
      await rewriteDone(redis);
      await populate(redis, 'b');
      const expected = await snapshot(redis);
      await inst.stop(); // SIGKILL: every reply was preceded by its write(2)
      const aofdir = path.join(dir, 'appendonlydir');
      const manifest = readFileSync(path.join(aofdir, 'appendonly.aof.manifest'), 'utf8');
      assert.match(manifest, new RegExp(`type b\\n`));
      assert.ok(manifest.includes(preamble === 'yes' ? '.base.rdb' : '.base.aof'), manifest);
      const shoal = client((await shoalIn(dir, { 'aof-use-rdb-preamble': preamble })).port);
      assert.deepEqual(await snapshot(shoal), expected);
    });
  }

  it('a fresh Shoal node creates the files as 7.0 does, and redis-server loads them', async () => {
    for (const preamble of ['yes', 'no']) {
      const dir = tmp();
      const shoal = await shoalIn(dir, { 'aof-use-rdb-preamble': preamble });
      const aofdir = path.join(dir, 'appendonlydir');
      const base = `appendonly.aof.1.base.${preamble === 'yes' ? 'rdb' : 'aof'}`;
      assert.deepEqual(readdirSync(aofdir).sort(), [base, 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest'].sort());
      assert.equal(
        readFileSync(path.join(aofdir, 'appendonly.aof.manifest'), 'utf8'),
        `file ${base} seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n`,
      );
      await shoal.close();
      // Commands appended by hand (the effect stream is wired elsewhere) load in both servers.
      appendFileSync(path.join(aofdir, 'appendonly.aof.1.incr.aof'), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
      const redis = client((await redisIn(dir, ['--aof-use-rdb-preamble', preamble])).port);
      assert.equal(await redis.get('k'), 'v');
    }
  });

  it('upgrades an old single-file appendonly.aof (with an RDB preamble) into the AOF directory', async () => {
    const src = tmp();
    const inst = await redisIn(src, ['--aof-use-rdb-preamble', 'yes']);
    const redis = client(inst.port);
    await populate(redis, 'a');
    await redis.bgrewriteaof();
    await rewriteDone(redis);
    const expected = await snapshot(redis);
    await inst.stop();
    const aofdir = path.join(src, 'appendonlydir');
    const baseName = readdirSync(aofdir).find((f) => f.endsWith('.base.rdb')) as string;
    const incrName = readdirSync(aofdir).find((f) => f.endsWith('.incr.aof')) as string;
    const dir = tmp();
    // An old-style AOF: the RDB preamble followed by commands, in dir/appendonly.aof.
    writeFileSync(path.join(dir, 'appendonly.aof'), Buffer.concat([readFileSync(path.join(aofdir, baseName)), readFileSync(path.join(aofdir, incrName)), Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$1\r\n1\r\n')]));
    const shoal = client((await shoalIn(dir)).port);
    const got = await snapshot(shoal);
    assert.equal(got[`0:${Buffer.from('old').toString('hex')}`]?.value, Buffer.from('1').toString('hex'));
    delete got[`0:${Buffer.from('old').toString('hex')}`];
    assert.deepEqual(got, expected);
    assert.equal(existsSync(path.join(dir, 'appendonly.aof')), false);
    assert.equal(
      readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'utf8'),
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
  });

  it('a torn INCR tail from redis-server is dropped (aof-load-truncated yes) or stops the start (no); a corrupt middle stops it', async () => {
    const dir = tmp();
    const inst = await redisIn(dir);
    const redis = client(inst.port);
    await redis.set('a', '1');
    await redis.set('b', '2');
    await inst.stop();
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const good = readFileSync(incr);
    writeFileSync(incr, Buffer.concat([good, Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1')]));
    await assert.rejects(shoalIn(dir, { 'aof-load-truncated': 'no' }), /Unexpected end of file reading the append only file/);
    const shoal = await shoalIn(dir);
    const c = client(shoal.port);
    assert.equal(await c.get('b'), '2');
    assert.equal(await c.exists('c'), 0);
    await shoal.close();
    assert.equal(statSync(incr).size, good.length, 'truncated to the last complete command');
    const corrupt = Buffer.from(good);
    corrupt[good.indexOf('*3')] = 0x21;
    writeFileSync(incr, corrupt);
    await assert.rejects(shoalIn(dir), (e: Error) => {
      assert.match(e.message, /Bad AOF file .*appendonly\.aof\.1\.incr\.aof: Bad file format reading the append only file \(at offset \d+\)/);
      return true;
    });
  });
});
