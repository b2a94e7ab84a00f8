// Wire tests for the hash commands with real clients (ioredis, node-redis in RESP3) and raw
// RESP: typed replies, pipelines, HSCAN streams, and the properties of HRANDFIELD's random
// choices that the oracle cannot compare (membership, distinctness, repeatability by seed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { createRng } from '../../src/lib/rng.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Logger } from '../../src/server/observability/logger.js';
import { Server } from '../../src/server/server.js';
import { RawClient, parseReply } from '../helpers/raw-client.js';

/** A hash of n fields f<i> -> v<i> written in one pipeline; returns the model. */
async function makeHash(io: Redis, key: string, n: number): Promise<Map<string, string>> {
  const model = new Map<string, string>();
  const p = io.pipeline();
  p.del(key);
  for (let i = 0; i < n; i++) {
    p.hset(key, `f${i}`, `v${i}`);
    model.set(`f${i}`, `v${i}`);
  }
  await p.exec();
  return model;
}

describe('hashes over the wire', () => {
  let node: RunningServer;
  let io: Redis;
  let raw: RawClient;

  before(async () => {
    node = await startServer();
    io = new Redis({ port: node.port, lazyConnect: false });
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    io.disconnect();
    await raw.close();
    await node.close();
  });

  it('ioredis: object HSET, HGETALL as an object, HMGET, counters, pipelines', async () => {
    assert.equal(await io.hset('user:1', { name: 'ada', born: '1815', empty: '' }), 3);
    assert.deepEqual(await io.hgetall('user:1'), { name: 'ada', born: '1815', empty: '' });
    assert.deepEqual(await io.hmget('user:1', 'name', 'nope', 'born'), ['ada', null, '1815']);
    assert.equal(await io.hincrby('user:1', 'born', 10), 1825);
    assert.equal(await io.hincrbyfloat('user:1', 'score', '0.1'), '0.1');
    assert.equal(await io.hincrbyfloat('user:1', 'score', '0.2'), '0.3');
    assert.deepEqual(await io.hkeys('user:1'), ['name', 'born', 'empty', 'score']);
    assert.deepEqual(await io.hvals('user:1'), ['ada', '1825', '', '0.3']);
    assert.equal(await io.hstrlen('user:1', 'name'), 3);
    assert.equal(await io.hexists('user:1', 'empty'), 1);
    assert.equal(await io.hsetnx('user:1', 'name', 'x'), 0);
    assert.equal(await io.hmset('user:1', 'a', '1', 'b', '2'), 'OK');
    assert.equal(await io.hdel('user:1', 'a', 'b', 'zz'), 2);
    const res = await io
      .pipeline()
      .hset('p', 'a', '1')
      .hincrby('p', 'a', 'x' as unknown as number)
      .hget('p', 'a')
      .hlen('p')
      .exec();
    assert.ok(res !== null);
    assert.deepEqual(res.map(([err, v]) => (err === null ? v : 'error')), [1, 'error', '1', 1]);
    assert.match(String(res[1][0]), /ERR value is not an integer or out of range/);
    await assert.rejects(io.hincrby('user:1', 'name', 1), /ERR hash value is not an integer/);
    await assert.rejects(io.hincrbyfloat('user:1', 'name', 1), /ERR hash value is not a float/);
  });

  it('binary-safe fields and values round-trip', async () => {
    const field = Buffer.from([0, 255, 13, 10, 0x80]);
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await io.hset('bin', field, value), 1);
    assert.deepEqual(await io.hgetBuffer('bin', field), value);
    const all = await io.hgetallBuffer('bin');
    assert.deepEqual(Object.keys(all).length, 1);
    assert.equal(await io.hstrlen('bin', field), 256);
  });

  it('node-redis in RESP3: HGETALL map, HRANDFIELD pairs', async () => {
    const nr = createClient({ socket: { port: node.port }, RESP: 3 });
    await nr.connect();
    try {
      await nr.hSet('r3', { a: '1', b: '2', c: '3' });
      const all = await nr.sendCommand(['HGETALL', 'r3']);
      assert.ok(all instanceof Map || (typeof all === 'object' && all !== null && !Array.isArray(all)), 'a RESP3 map');
      const entries = all instanceof Map ? [...all.entries()].map(([k, v]) => [String(k), String(v)]) : Object.entries(all as unknown as Record<string, string>);
      assert.deepEqual(entries, [['a', '1'], ['b', '2'], ['c', '3']]);
      const pairs = (await nr.sendCommand(['HRANDFIELD', 'r3', '-5', 'WITHVALUES'])) as unknown[];
      assert.equal(pairs.length, 5);
      for (const p of pairs) {
        assert.ok(Array.isArray(p) && p.length === 2, 'each pick is a [field, value] pair');
        assert.equal(String(p[1]), String(p[0]) === 'a' ? '1' : String(p[0]) === 'b' ? '2' : '3');
      }
      assert.equal(await nr.sendCommand(['HRANDFIELD', 'missing']), null);
      assert.deepEqual(await nr.sendCommand(['HRANDFIELD', 'missing', '3', 'WITHVALUES']), []);
    } finally {
      nr.destroy();
    }
  });

  for (const n of [20, 1000]) {
    it(`HRANDFIELD on ${n} fields: positive counts distinct, negative counts exact, values match`, async () => {
      const model = await makeHash(io, 'rf', n);
      assert.equal(await io.object('ENCODING', 'rf'), n > 512 ? 'hashtable' : 'listpack');
      for (const count of [1, 2, Math.floor(n / 4), Math.floor(n / 2), n - 1, n, n + 5]) {
        const got = (await io.call('HRANDFIELD', 'rf', String(count))) as string[];
        assert.equal(got.length, Math.min(count, n));
        assert.equal(new Set(got).size, got.length, `count ${count}: distinct`);
        for (const f of got) assert.ok(model.has(f));
      }
      for (const count of [1, 3, n, 3 * n]) {
        const got = (await io.call('HRANDFIELD', 'rf', String(-count), 'WITHVALUES')) as string[];
        assert.equal(got.length, 2 * count);
        for (let i = 0; i < got.length; i += 2) assert.equal(model.get(got[i]), got[i + 1]);
      }
      const one = (await io.call('HRANDFIELD', 'rf')) as string;
      assert.ok(model.has(one));
      // Every field turns up eventually (a bounded number of draws; failure odds ~ n * e^-40).
      const seen = new Set<string>();
      for (let round = 0; round < 40 && seen.size < n; round++) {
        for (const f of (await io.call('HRANDFIELD', 'rf', String(-n))) as string[]) seen.add(f);
      }
      assert.equal(seen.size, n, 'all fields reachable');
    });
  }

  it('HRANDFIELD refuses a repeated-pick reply too large to buffer', async () => {
    await makeHash(io, 'huge', 3);
    assert.equal(
      (await raw.call('HRANDFIELD', 'huge', '-100000000000')).toString('latin1'),
      '-ERR value is out of range\r\n',
    );
    assert.equal((await raw.call('PING')).toString('latin1'), '+PONG\r\n');
  });

  it('HSCAN via ioredis hscanStream visits every field of a hashtable, with MATCH', async () => {
    const model = await makeHash(io, 'sc', 1500);
    const seen = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      const s = io.hscanStream('sc', { count: 37 });
      s.on('data', (items: string[]) => {
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      });
      s.on('end', resolve);
      s.on('error', reject);
    });
    assert.deepEqual(seen, model);
    const matched = new Set<string>();
    let cursor = '0';
    for (let calls = 0; calls < 10_000; calls++) {
      const [next, items] = (await io.hscan('sc', cursor, 'MATCH', 'f1?', 'COUNT', '100')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) matched.add(items[i]);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.deepEqual([...matched].sort(), Array.from({ length: 10 }, (_, i) => `f1${i}`).sort());
  });

  it('HSCAN keeps its guarantee while the hash changes between calls', async () => {
    await makeHash(io, 'mut', 800);
    const stable = new Set(Array.from({ length: 800 }, (_, i) => `f${i}`));
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const v = parseReply(await raw.call('HSCAN', 'mut', cursor, 'COUNT', '25'));
      assert.ok(Array.isArray(v) && Array.isArray(v[1]));
      const items = v[1] as string[];
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
      cursor = String(v[0]);
      // Churn: delete one old field, add two new ones.
      const victim = `f${(calls * 7) % 800}`;
      await io.hdel('mut', victim);
      stable.delete(victim);
      await io.hset('mut', `new${calls}a`, 'x', `new${calls}b`, 'y');
      calls++;
      assert.ok(calls < 10_000);
    } while (cursor !== '0');
    for (const f of stable) assert.ok(seen.has(f), `missed ${f}`);
  });

  it('the emptied hash is gone: EXISTS 0, and a new HSET starts a fresh listpack', async () => {
    await makeHash(io, 'gone', 600);
    assert.equal(await io.object('ENCODING', 'gone'), 'hashtable');
    const fields = Array.from({ length: 600 }, (_, i) => `f${i}`);
    assert.equal(await io.hdel('gone', ...fields, 'extra'), 600);
    assert.equal(await io.exists('gone'), 0);
    await io.hset('gone', 'a', '1');
    assert.equal(await io.object('ENCODING', 'gone'), 'listpack');
  });
});

describe('hashes: random choices follow the injected RNG', () => {
  /** Starts a node whose RNG is seeded with `seed`, runs the draws, returns their replies. */
  async function drawsWithSeed(seed: number): Promise<string[]> {
    const { config } = loadConfig(['--port', '0', '--bind', '127.0.0.1', '--loglevel', 'warning']);
    const srv = new Server({ config, log: new Logger(), ephemeralPort: true, rng: createRng(seed) });
    await srv.start();
    const c = await RawClient.connect(srv.tcpPort);
    try {
      const fields = Array.from({ length: 50 }, (_, i) => [`f${i}`, `v${i}`]).flat();
      await c.call('HSET', 'small', ...fields);
      await c.call('HSET', 'big', ...fields, ...Array.from({ length: 600 }, (_, i) => [`g${i}`, 'x']).flat());
      const out: string[] = [];
      for (const args of [['small'], ['small', '-10'], ['small', '7', 'WITHVALUES'], ['big', '-10'], ['big', '20'], ['big', '500']]) {
        out.push((await c.call('HRANDFIELD', ...args)).toString('latin1'));
      }
      return out;
    } finally {
      await c.close();
      await srv.close();
    }
  }

  it('the same seed gives the same picks; another seed different ones', async () => {
    const a = await drawsWithSeed(42);
    const b = await drawsWithSeed(42);
    const c = await drawsWithSeed(43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
