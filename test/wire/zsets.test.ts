// Wire tests for the sorted-set commands with real clients (ioredis, node-redis in RESP3) and
// raw RESP: typed replies, pipelines, ZSCAN over a changing skiplist, the properties of
// ZRANDMEMBER's random choices that the oracle cannot compare (sizes, membership,
// distinctness, coverage), blocking pops from several clients, and what a command leaves
// behind besides its reply: server.dirty (rdb_changes_since_last_save) and the keyspace events
// it raises, both checked against what redis-server 7.0.15 does for the same commands.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { NOTIFY } from '../../src/server/signals.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

describe('sorted sets over the wire', () => {
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
    assert.equal(await io.zadd('z', 1, 'a', 2, 'b', 3.5, 'c'), 3);
    assert.equal(await io.zcard('z'), 3);
    assert.equal(await io.zscore('z', 'c'), '3.5');
    assert.equal(await io.zscore('z', 'nope'), null);
    assert.deepEqual(await io.zmscore('z', 'a', 'nope', 'b'), ['1', null, '2']);
    assert.equal(await io.zrank('z', 'b'), 1);
    assert.equal(await io.zrevrank('z', 'b'), 1);
    assert.equal(await io.zrank('z', 'nope'), null);
    assert.deepEqual(await io.zrange('z', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2', 'c', '3.5']);
    assert.deepEqual(await io.zrangebyscore('z', '(1', '+inf'), ['b', 'c']);
    assert.deepEqual(await io.zrevrangebyscore('z', '+inf', '-inf', 'LIMIT', 0, 1), ['c']);
    assert.equal(await io.zincrby('z', 0.25, 'c'), '3.75');
    assert.equal(await io.zadd('z', 'XX', 'INCR', 1, 'nope'), null);
    assert.equal(await io.zcount('z', 2, 4), 2);
    assert.deepEqual(await io.zpopmin('z'), ['a', '1']);
    assert.deepEqual(await io.zpopmax('z', 5), ['c', '3.75', 'b', '2']);
    assert.equal(await io.exists('z'), 0);
    const res = await io.pipeline().zadd('p', 1, 'x').zadd('p', 'NX', 'XX', 1, 'y').set('s', 'v').zadd('s', 1, 'a').zcard('p').exec();
    assert.ok(res !== null);
    assert.deepEqual(res.map(([err, v]) => (err === null ? v : 'error')), [1, 'error', 'OK', 'error', 1]);
    assert.match(String(res[1][0]), /XX and NX options at the same time are not compatible/);
    assert.match(String(res[3][0]), /^ReplyError: WRONGTYPE/);
  });

  it('binary-safe members round-trip', async () => {
    const m = Buffer.from([0, 255, 13, 10, 0x80]);
    assert.equal(await io.zadd('bin', 1, m, 2, Buffer.alloc(0)), 2);
    const got = await io.zrangeBuffer('bin', 0, -1);
    assert.equal(got.length, 2);
    assert.ok(got[0].equals(m));
    assert.equal(got[1].length, 0);
    assert.equal(await io.zscore('bin', m), '1');
  });

  it('node-redis in RESP3: scores are doubles, WITHSCORES pairs are nested arrays', async () => {
    const nr = createClient({ socket: { port: node.port }, RESP: 3 });
    await nr.connect();
    try {
      await nr.sendCommand(['ZADD', 'r3', '1', 'a', '2.5', 'b']);
      assert.equal(await nr.sendCommand(['ZSCORE', 'r3', 'b']), 2.5);
      assert.equal(await nr.sendCommand(['ZSCORE', 'r3', 'nope']), null);
      assert.deepEqual(await nr.sendCommand(['ZRANGE', 'r3', '0', '-1', 'WITHSCORES']), [['a', 1], ['b', 2.5]]);
      assert.deepEqual(await nr.sendCommand(['ZPOPMIN', 'r3', '1']), [['a', 1]]);
      assert.deepEqual(await nr.sendCommand(['ZPOPMIN', 'r3']), ['b', 2.5]);
      assert.equal(await nr.sendCommand(['ZMPOP', '1', 'r3', 'MIN']), null);
      assert.deepEqual(await nr.sendCommand(['ZMSCORE', 'r3', 'a']), [null]);
    } finally {
      nr.destroy();
    }
  });

  it('ZSCAN over a skiplist returns every member present throughout, with its score, while the set changes', async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 600; i++) args.push(i / 8, `m:${i}`);
    await io.zadd('big', ...args);
    assert.equal(await io.object('ENCODING', 'big'), 'skiplist');
    const seen = new Map<string, string>();
    let cursor = '0';
    let step = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const [next, items] = await io.zscan('big', cursor, 'COUNT', 9);
      assert.equal(items.length % 2, 0);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      // Churn that must not hide the stable members m:0..m:299.
      await io.zrem('big', `m:${599 - step}`);
      await io.zadd('big', 1000 + step, `new:${step}`);
      step++;
      if (cursor === '0') break;
    }
    assert.equal(cursor, '0');
    for (let i = 0; i < 300; i++) assert.equal(seen.get(`m:${i}`), String(i / 8), `m:${i}`);
    const [c2, matched] = await io.zscan('big', '0', 'MATCH', 'm:1?', 'COUNT', 10_000);
    assert.equal(c2, '0');
    assert.deepEqual(matched.filter((_, i) => i % 2 === 0).sort(), Array.from({ length: 10 }, (_, i) => `m:1${i}`));
  });

  for (const [label, n] of [['listpack', 20], ['skiplist', 300]] as const) {
    it(`ZRANDMEMBER on a ${label}: distinct for positive counts, exact sizes, only members`, async () => {
      const args: (string | number)[] = [];
      for (let i = 0; i < n; i++) args.push(i, `e${i}`);
      await io.zadd('rz', ...args);
      assert.equal(await io.object('ENCODING', 'rz'), label);
      for (const count of [1, 2, Math.floor(n / 4), Math.floor(n / 2), n - 1, n, n + 5]) {
        const got = (await io.zrandmember('rz', count)) as string[];
        assert.equal(got.length, Math.min(count, n));
        assert.equal(new Set(got).size, got.length, `count ${count}: distinct`);
        for (const m of got) assert.match(m, /^e\d+$/);
        const ws = (await io.zrandmember('rz', count, 'WITHSCORES')) as string[];
        for (let i = 0; i < ws.length; i += 2) assert.equal(`e${ws[i + 1]}`, ws[i], 'the score belongs to the member');
      }
      for (const count of [1, 3, n, 3 * n]) {
        const got = (await io.zrandmember('rz', -count)) as string[];
        assert.equal(got.length, count);
      }
      const drawn = new Set<string>();
      for (let i = 0; i < 1000 && drawn.size < n; i++) for (const m of (await io.zrandmember('rz', -10)) as string[]) drawn.add(m);
      assert.equal(drawn.size, n, 'eventually every member is drawn');
      assert.equal(await io.zcard('rz'), n, 'ZRANDMEMBER changes nothing');
    });
  }

  it('ZRANDMEMBER refuses a repeated sample beyond 2^24 members (Redis would exhaust memory)', async () => {
    await io.zadd('one', 1, 'x');
    assert.equal(await r('ZRANDMEMBER', 'one', '-16777217'), '-ERR value is out of range\r\n');
    assert.equal(await r('ZRANDMEMBER', 'one', '-3'), '*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n');
    assert.equal(await r('ZRANDMEMBER', 'missing', '-1000000000000'), '*0\r\n');
  });

  it('blocking pops: several clients served in order, timeouts, a pipeline behind a blocked pop', async () => {
    const c1 = new Redis({ port: node.port, lazyConnect: false });
    const c2 = new Redis({ port: node.port, lazyConnect: false });
    try {
      const waitBlocked = async (n: number): Promise<void> => {
        for (let i = 0; i < 500 && node.server.blocking.blockedClients < n; i++) await new Promise((res) => setTimeout(res, 5));
      };
      // c1 must block first (first blocked, first served): wait for it before sending c2's.
      const p1 = c1.bzpopmin('q', 0);
      await waitBlocked(1);
      const p2 = c2.bzmpop(0, 2, 'q', 'q2', 'MAX', 'COUNT', 10);
      await waitBlocked(2);
      assert.equal(node.server.blocking.blockedClients, 2);
      await io.zadd('q', 1, 'a', 2, 'b', 3, 'c');
      assert.deepEqual(await p1, ['q', 'a', '1']);
      assert.deepEqual(await p2, ['q', [['c', '3'], ['b', '2']]]);
      assert.equal(await io.exists('q'), 0);
      assert.equal(await c1.bzpopmax('none', 0.05), null);
      const [popped, after] = await Promise.all([c1.bzpopmin('later', 0), (async () => {
        for (let i = 0; i < 500 && node.server.blocking.blockedClients < 1; i++) await new Promise((res) => setTimeout(res, 5));
        await io.zadd('later', 5, 'x');
        return c1.zcard('later');
      })()]);
      assert.deepEqual(popped, ['later', 'x', '5']);
      assert.equal(after, 0, 'the command queued behind the blocked pop ran after it');
    } finally {
      c1.disconnect();
      c2.disconnect();
    }
  });

  it('rdb_changes_since_last_save (server.dirty) as Redis 7.0.15 counts it', async () => {
    const srv = node.server;
    const delta = async (...args: Arg[]): Promise<number> => {
      const before = srv.dirty;
      await raw.call(...args);
      return srv.dirty - before;
    };
    const cases: [string, number][] = [
      ['zadd z 1 a 2 b 3 c', 3], ['zadd z 1 a', 0], ['zadd z ch 5 a 6 b 7 d', 3], ['zadd z incr 1 a', 1],
      ['zincrby z 0 a', 0], ['zrem z nope a b', 2], ['zremrangebyrank z 0 0', 1], ['zadd z 1 x 2 y 3 w', 3],
      ['zremrangebyscore z 1 2', 2], ['zremrangebylex z - +', 2], ['zadd z 1 a 2 b 3 c', 3], ['zpopmin z', 1],
      ['zpopmax z 5', 2], ['zadd s1 1 a 2 b', 2], ['zunionstore d 1 s1', 1], ['zinterstore d 2 s1 nokey', 1],
      ['zinterstore d 2 s1 nokey', 0], ['zdiffstore d 1 s1', 1], ['zrangestore d2 s1 0 1', 1],
      ['zrangestore d2 s1 5 6', 1], ['zmpop 1 s1 min count 5', 2], ['zadd n 1 a', 1], ['zadd n incr inf a', 1],
      ['zadd n incr -inf a', 0], ['zrangestore d3 nokey 0 1', 0], ['zunionstore d 1 nokey', 1],
      ['zrandmember n', 0], ['zscan n 0', 0],
    ];
    for (const [cmd, want] of cases) assert.equal(await delta(...cmd.split(' ')), want, cmd);
  });
});

describe('sorted sets: keyspace events', () => {
  let node: RunningServer;
  let raw: RawClient;
  const events: string[] = [];

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
    const notifier = node.server.notifier;
    notifier.flags = NOTIFY.keyevent | NOTIFY.zset | NOTIFY.generic;
    notifier.notify = (event: string, key: Uint8Array): void => {
      events.push(`${event}:${Buffer.from(key).toString('latin1')}`);
    };
  });
  after(async () => {
    await raw.close();
    await node.close();
  });

  it('each write raises Redis 7.0 events, in Redis order, and only when it changes something', async () => {
    // The sequence and the expected events were recorded from redis-server 7.0.15
    // (notify-keyspace-events Egz).
    const script = [
      'zadd z 1 a 2 b 3 c', 'zadd z 1 a', 'zadd z xx 5 nope', 'zadd z incr 1 a', 'zincrby z 1 a', 'zadd z ch 9 a',
      'zrem z nope', 'zrem z a', 'zremrangebyrank z 0 0', 'zremrangebyscore z 100 200', 'zadd z 1 x 2 y',
      'zremrangebyscore z 1 1', 'zremrangebylex z - +', 'zadd z 1 a 2 b 3 c', 'zpopmin z', 'zpopmax z 5', 'zpopmin z',
      'zadd s1 1 a 2 b', 'zunionstore d 1 s1', 'zinterstore d 2 s1 nokey', 'zinterstore d 2 s1 nokey', 'zdiffstore d 1 s1',
      'zrangestore d2 s1 0 0', 'zrangestore d2 s1 5 6', 'zmpop 1 s1 min count 1', 'bzpopmax s1 0', 'zadd s2 1 a',
      'zrem s2 a b', 'zadd n 1 a', 'zadd n incr nan a', 'zadd n incr 1 a', 'zadd n nx incr 1 a', 'zadd n 1 a',
    ];
    events.length = 0;
    for (const cmd of script) await raw.call(...cmd.split(' '));
    assert.deepEqual(events, [
      'zadd:z', 'zincr:z', 'zincr:z', 'zadd:z', 'zrem:z', 'zremrangebyrank:z', 'zadd:z', 'zremrangebyscore:z',
      'zremrangebylex:z', 'del:z', 'zadd:z', 'zpopmin:z', 'zpopmax:z', 'del:z', 'zadd:s1', 'zunionstore:d', 'del:d',
      'zdiffstore:d', 'zrangestore:d2', 'del:d2', 'zpopmin:s1', 'zpopmax:s1', 'del:s1', 'zadd:s2', 'zrem:s2', 'del:s2',
      'zadd:n', 'zincr:n', 'zadd:n',
    ]);
  });
});
