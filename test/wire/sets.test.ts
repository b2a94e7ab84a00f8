// Wire tests for the set commands with real clients (ioredis, node-redis in RESP3) and raw
// RESP: typed replies, pipelines, SSCAN over a changing set, the properties of SPOP's and
// SRANDMEMBER's random choices that the oracle cannot compare (sizes, membership,
// distinctness, repeatability by seed), and what a command leaves behind besides its reply:
// server.dirty (rdb_changes_since_last_save) and the keyspace events it raises, both checked
// against what redis-server 7.0.15 does for the same commands.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { createRng } from '../../src/lib/rng.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Logger } from '../../src/server/observability/logger.js';
import { Server } from '../../src/server/server.js';
import { NOTIFY } from '../../src/server/signals.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

const INT_MEMBERS = Array.from({ length: 50 }, (_, i) => String(i));
const STR_MEMBERS = Array.from({ length: 700 }, (_, i) => `m:${i}`);

describe('sets over the wire', () => {
  let node: RunningServer;
  let io: Redis;
  let raw: RawClient;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');

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
  beforeEach(async () => {
    await io.flushall();
  });

  it('ioredis: typed replies and a pipeline', async () => {
    assert.equal(await io.sadd('s', 'a', 'b', 'c', 'a'), 3);
    assert.equal(await io.scard('s'), 3);
    assert.equal(await io.sismember('s', 'a'), 1);
    assert.deepEqual(await io.smismember('s', 'a', 'x', 'c'), [1, 0, 1]);
    assert.deepEqual((await io.smembers('s')).sort(), ['a', 'b', 'c']);
    assert.equal(await io.srem('s', 'a', 'zz'), 1);
    assert.equal(await io.smove('s', 'd', 'b'), 1);
    assert.deepEqual(await io.smembers('d'), ['b']);
    assert.equal(await io.spop('nope'), null);
    assert.equal(await io.srandmember('nope'), null);
    assert.deepEqual(await io.spop('nope', 3), []);
    await io.sadd('n', '3', '1', '2');
    assert.deepEqual(await io.smembers('n'), ['1', '2', '3'], 'an intset answers in ascending order');
    assert.deepEqual(await io.sinter('n', 'n'), ['1', '2', '3']);
    assert.equal(await io.call('SINTERCARD', '2', 'n', 'n', 'LIMIT', '2'), 2);
    assert.equal(await io.sunionstore('u', 'n', 'd'), 4);
    assert.equal(await io.object('ENCODING', 'u'), 'hashtable');
    assert.equal(await io.sdiffstore('df', 'n', 'u'), 0);
    assert.equal(await io.exists('df'), 0);
    const res = await io.pipeline().sadd('p', '1').sadd('p', 'x').set('str', 'v').sadd('str', 'a').scard('p').exec();
    assert.ok(res !== null);
    assert.deepEqual(res.map(([err, v]) => (err === null ? v : 'error')), [1, 1, 'OK', 'error', 2]);
    assert.match(String(res[3][0]), /^ReplyError: WRONGTYPE/);
  });

  it('binary-safe members round-trip', async () => {
    const m = Buffer.from([0, 255, 13, 10, 0x80]);
    assert.equal(await io.sadd('bin', m, Buffer.alloc(0)), 2);
    const got = await io.smembersBuffer('bin');
    assert.equal(got.length, 2);
    assert.ok(got.some((b) => b.equals(m)));
    assert.ok(got.some((b) => b.length === 0));
    assert.deepEqual(await io.spopBuffer('bin', 5).then((l) => l.length), 2);
  });

  it('node-redis in RESP3: sets come back as sets, SRANDMEMBER with a count as an array', async () => {
    const nr = createClient({ socket: { port: node.port }, RESP: 3 });
    await nr.connect();
    try {
      await nr.sAdd('r3', ['1', '2', '3']);
      const members = await nr.sendCommand(['SMEMBERS', 'r3']);
      const asList = members instanceof Set ? [...members].map(String) : (members as unknown as unknown[]).map(String);
      assert.deepEqual(asList, ['1', '2', '3']);
      const rand = await nr.sendCommand(['SRANDMEMBER', 'r3', '-4']);
      assert.ok(Array.isArray(rand), 'an array: repetitions are allowed');
      assert.equal(rand.length, 4);
      assert.equal(await nr.sendCommand(['SPOP', 'missing']), null);
      assert.equal(await nr.sIsMember('r3', '2'), 1);
      assert.equal(await nr.sCard('r3'), 3);
    } finally {
      nr.destroy();
    }
  });

  it('SSCAN over a hashtable returns every member present throughout, while the set changes', async () => {
    await io.sadd('big', ...STR_MEMBERS);
    assert.equal(await io.object('ENCODING', 'big'), 'hashtable');
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const [next, items] = await io.sscan('big', cursor, 'COUNT', 7);
      for (const m of items) seen.add(m);
      cursor = next;
      // Churn that must not hide the stable members m:0..m:349.
      await io.srem('big', `m:${699 - step}`);
      await io.sadd('big', `new:${step}`);
      step++;
      if (cursor === '0') break;
    }
    assert.equal(cursor, '0');
    for (let i = 0; i < 350; i++) assert.ok(seen.has(`m:${i}`), `m:${i} missed`);
    const [c2, ints] = await io.sscan('n-none', '0');
    assert.deepEqual([c2, ints], ['0', []]);
    await io.sadd('ints', ...INT_MEMBERS);
    const [c3, all] = await io.sscan('ints', '0', 'MATCH', '1*', 'COUNT', 1);
    assert.equal(c3, '0');
    assert.deepEqual(all, ['1', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
  });

  for (const [label, members] of [['intset', INT_MEMBERS], ['hashtable', STR_MEMBERS]] as const) {
    it(`SRANDMEMBER on a ${label}: distinct for positive counts, exact sizes, only members`, async () => {
      await io.sadd('rs', ...members);
      assert.equal(await io.object('ENCODING', 'rs'), label);
      const n = members.length;
      const model = new Set<string>(members);
      for (const count of [1, 2, Math.floor(n / 4), Math.floor(n / 2), n - 1, n, n + 5]) {
        const got = (await io.srandmember('rs', count)) as string[];
        assert.equal(got.length, Math.min(count, n));
        assert.equal(new Set(got).size, got.length, `count ${count}: distinct`);
        for (const m of got) assert.ok(model.has(m));
      }
      for (const count of [1, 3, n, 3 * n]) {
        const got = (await io.srandmember('rs', -count)) as string[];
        assert.equal(got.length, count);
        for (const m of got) assert.ok(model.has(m));
      }
      // Eventually every member is drawn (bounded: 1000 draws of 10 for at most 700 members).
      const drawn = new Set<string>();
      for (let i = 0; i < 1000 && drawn.size < n; i++) for (const m of (await io.srandmember('rs', -10)) as string[]) drawn.add(m);
      assert.equal(drawn.size, n);
      assert.equal(await io.scard('rs'), n, 'SRANDMEMBER changes nothing');
    });

    it(`SPOP with counts on a ${label}: the popped and the rest partition the set`, async () => {
      for (const count of [1, 2, 3, Math.floor(members.length / 2), members.length - 2, members.length - 1]) {
        await io.del('sp');
        await io.sadd('sp', ...members);
        const popped = (await io.spop('sp', count)) as string[];
        const rest = await io.smembers('sp');
        assert.equal(popped.length, count);
        assert.equal(new Set(popped).size, count);
        assert.equal(rest.length, members.length - count);
        assert.deepEqual([...popped, ...rest].sort(), [...members].sort(), `count ${count}`);
      }
      await io.del('sp');
      await io.sadd('sp', ...members);
      const singles = new Set<string>();
      for (let i = 0; i < members.length; i++) singles.add((await io.spop('sp')) as string);
      assert.equal(singles.size, members.length);
      assert.equal(await io.exists('sp'), 0);
    });
  }

  it('SRANDMEMBER refuses a repeated sample beyond 2^24 members (Redis would exhaust memory)', async () => {
    await io.sadd('one', 'x');
    assert.equal(await r('SRANDMEMBER', 'one', '-16777217'), '-ERR value is out of range\r\n');
    assert.equal(await r('SRANDMEMBER', 'one', '-1000000000000'), '-ERR value is out of range\r\n');
    assert.equal(await r('SRANDMEMBER', 'one', '-3'), '*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n');
    assert.equal(await r('SRANDMEMBER', 'missing', '-1000000000000'), '*0\r\n');
  });

  it('rdb_changes_since_last_save (server.dirty) as Redis 7.0.15 counts it', async () => {
    const srv = node.server;
    const delta = async (...args: Arg[]): Promise<number> => {
      const before = srv.dirty;
      await raw.call(...args);
      return srv.dirty - before;
    };
    assert.equal(await delta('SADD', 's', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'), 10);
    assert.equal(await delta('SADD', 's', '1', '11'), 1);
    assert.equal(await delta('SPOP', 's', '3'), 3);
    assert.equal(await delta('SPOP', 's', '100'), 8, 'the whole set: its size');
    assert.equal(await delta('SPOP', 's', '0'), 0);
    assert.equal(await delta('SADD', 'a', '1', '2', '3'), 3);
    assert.equal(await delta('SADD', 'b', '3', '4'), 2);
    assert.equal(await delta('SINTERSTORE', 'd', 'a', 'b'), 1);
    assert.equal(await delta('SINTERSTORE', 'd', 'a', 'nokey'), 1, 'the destination deleted');
    assert.equal(await delta('SINTERSTORE', 'd', 'a', 'nokey'), 0);
    assert.equal(await delta('SUNIONSTORE', 'd', 'a', 'b'), 1);
    assert.equal(await delta('SDIFFSTORE', 'd', 'a', 'a'), 1);
    assert.equal(await delta('SDIFFSTORE', 'd', 'a', 'a'), 0);
    assert.equal(await delta('SMOVE', 'a', 'b', '3'), 1, 'already in the destination');
    assert.equal(await delta('SMOVE', 'a', 'b', '2'), 2);
    assert.equal(await delta('SMOVE', 'a', 'b', 'nope'), 0);
    assert.equal(await delta('SPOP', 'b'), 1);
    assert.equal(await delta('SREM', 'b', 'x', 'y'), 0);
    assert.equal(await delta('SREM', 'b', '2', '3', '4', '1'), 2);
    assert.equal(await delta('SRANDMEMBER', 'a', '5'), 0);
  });
});

describe('sets: keyspace events', () => {
  let node: RunningServer;
  let raw: RawClient;
  const events: string[] = [];

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
    const notifier = node.server.notifier;
    notifier.flags = NOTIFY.keyevent | NOTIFY.set | NOTIFY.generic;
    notifier.notify = (event: string, key: Uint8Array): void => {
      events.push(`${event}:${Buffer.from(key).toString('latin1')}`);
    };
  });
  after(async () => {
    await raw.close();
    await node.close();
  });

  /** Runs the command and returns the events it raised. */
  const eventsOf = async (...args: Arg[]): Promise<string[]> => {
    events.length = 0;
    await raw.call(...args);
    return events.slice();
  };

  it('each write raises Redis 7.0 events, in Redis order, and only when it changes something', async () => {
    assert.deepEqual(await eventsOf('SADD', 's', 'a', 'b', 'c'), ['sadd:s']);
    assert.deepEqual(await eventsOf('SADD', 's', 'a'), []);
    assert.deepEqual(await eventsOf('SREM', 's', 'zz'), []);
    assert.deepEqual(await eventsOf('SREM', 's', 'a'), ['srem:s']);
    assert.deepEqual(await eventsOf('SMOVE', 's', 't', 'b'), ['srem:s', 'sadd:t']);
    assert.deepEqual(await eventsOf('SMOVE', 's', 't', 'c'), ['srem:s', 'del:s', 'sadd:t']);
    assert.deepEqual(await eventsOf('SADD', 's', 'b'), ['sadd:s']);
    assert.deepEqual(await eventsOf('SMOVE', 's', 't', 'b'), ['srem:s', 'del:s'], 'already in the destination');
    assert.deepEqual(await eventsOf('SMOVE', 't', 't', 'b'), []);
    assert.deepEqual(await eventsOf('SPOP', 't'), ['spop:t']);
    assert.deepEqual(await eventsOf('SPOP', 't', '0'), []);
    assert.deepEqual(await eventsOf('SPOP', 't', '1'), ['spop:t', 'del:t'], 'the whole set');
    assert.deepEqual(await eventsOf('SPOP', 't'), []);
    assert.deepEqual(await eventsOf('SADD', 't', 'x'), ['sadd:t']);
    assert.deepEqual(await eventsOf('SPOP', 't'), ['spop:t', 'del:t']);
    assert.deepEqual(await eventsOf('SADD', 'u', '1', '2'), ['sadd:u']);
    assert.deepEqual(await eventsOf('SPOP', 'u', '5'), ['spop:u', 'del:u']);
    assert.deepEqual(await eventsOf('SADD', 'v', '1', '2'), ['sadd:v']);
    assert.deepEqual(await eventsOf('SREM', 'v', '1', '2'), ['srem:v', 'del:v']);
    await raw.call('SADD', 'a', '1', '2');
    await raw.call('SADD', 'b', '2', '3');
    assert.deepEqual(await eventsOf('SINTERSTORE', 'd', 'a', 'b'), ['sinterstore:d']);
    assert.deepEqual(await eventsOf('SUNIONSTORE', 'd', 'a', 'b'), ['sunionstore:d']);
    assert.deepEqual(await eventsOf('SDIFFSTORE', 'd', 'a', 'b'), ['sdiffstore:d']);
    assert.deepEqual(await eventsOf('SDIFFSTORE', 'd', 'a', 'a'), ['del:d']);
    assert.deepEqual(await eventsOf('SDIFFSTORE', 'd', 'a', 'a'), []);
    await raw.call('SADD', 'd', 'x');
    assert.deepEqual(await eventsOf('SINTERSTORE', 'd', 'a', 'nokey'), ['del:d']);
    assert.deepEqual(await eventsOf('SINTER', 'a', 'b'), []);
  });
});

describe('sets: random choices follow the injected RNG', () => {
  /** Starts a node whose RNG is seeded with `seed`, runs the draws, returns their replies. */
  async function drawsWithSeed(seed: number): Promise<string[]> {
    const { config } = loadConfig(['--port', '0', '--bind', '127.0.0.1', '--loglevel', 'warning']);
    const srv = new Server({ config, log: new Logger(), ephemeralPort: true, rng: createRng(seed) });
    await srv.start();
    const c = await RawClient.connect(srv.tcpPort);
    try {
      await c.call('SADD', 'i', ...INT_MEMBERS);
      await c.call('SADD', 'h', ...STR_MEMBERS);
      const out: string[] = [];
      for (const args of [['SRANDMEMBER', 'i'], ['SRANDMEMBER', 'i', '-10'], ['SRANDMEMBER', 'h', '20'], ['SRANDMEMBER', 'h', '500'], ['SPOP', 'i', '3'], ['SPOP', 'h']]) {
        out.push((await c.call(...args)).toString('latin1'));
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
