// Wire tests for HOTKEYS (Shoal extension) and the hotkeys-tracking / hotkeys-top-k knobs:
// a Zipf load through a real client finds the 10 hottest keys; reply shapes in RESP2 and
// RESP3 (raw bytes, ioredis, node-redis); errors; databases; every maxmemory-policy.
// No oracle: Redis has no such command. The node runs on a fake clock, so no aging happens
// while a test runs and the ranking is by plain counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { createRng, type Rng } from '../../src/lib/rng.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

const T0 = 1_700_000_000_000;
const OFF = '-ERR hot key tracking is off; turn it on with CONFIG SET hotkeys-tracking yes\r\n';

/** Zipf(1) sampler over ranks 0..n-1. */
function zipf(n: number, rng: Rng): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const u = rng.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

type Entry = [string, string, number];

function asEntries(v: unknown): Entry[] {
  assert.ok(Array.isArray(v), `not an array: ${String(v)}`);
  for (const e of v) {
    assert.ok(Array.isArray(e) && e.length === 3, `bad entry: ${JSON.stringify(e)}`);
    assert.equal(typeof e[0], 'string');
    assert.match(String(e[1]), /^\d+\.\d\d$/);
    assert.equal(typeof e[2], 'number');
  }
  return v as Entry[];
}

describe('HOTKEYS', () => {
  let node: RunningServer;
  let redis: Redis;
  let raw: RawClient;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');

  before(async () => {
    node = await startServer({ clock, config: { 'hotkeys-tracking': 'yes' } });
    redis = new Redis({ port: node.port, lazyConnect: true });
    await redis.connect();
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('finds the 10 hottest keys of a Zipf load (50k GETs over 10k keys, ioredis pipelines)', async () => {
    const rng = createRng(20240501);
    const next = zipf(10_000, rng);
    // Key names are shuffled relative to ranks, so hot keys are not the lexically first.
    const perm = Array.from({ length: 10_000 }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    let p = redis.pipeline();
    for (let i = 0; i < 10_000; i++) p.set(`user:${i}`, `v${i}`);
    await p.exec();
    assert.equal(await redis.call('HOTKEYS', 'RESET'), 'OK');
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 50; batch++) {
      p = redis.pipeline();
      for (let i = 0; i < 1000; i++) {
        const k = `user:${perm[next()]}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        p.get(k);
      }
      const res = await p.exec();
      assert.ok(res !== null && res.every(([err]) => err === null));
    }
    const top = asEntries(await redis.call('HOTKEYS', 'COUNT', '10'));
    assert.equal(top.length, 10);
    // The generator's top 10, allowing any choice among keys tied with the 10th.
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const tenth = sorted[9][1];
    const found = top.map((e) => e[0]);
    assert.equal(new Set(found).size, 10);
    for (const k of found) assert.ok((counts.get(k) ?? 0) >= tenth, `${k} (${counts.get(k)}) is not in the top 10 (10th: ${tenth})`);
    const strictlyAbove = sorted.filter(([, n]) => n > tenth).map(([k]) => k);
    for (const k of strictlyAbove) assert.ok(found.includes(k), `${k} missing`);
    // Hottest first; totals are the true counts (each key was GET only, no collisions at this size).
    assert.equal(top[0][0], sorted[0][0]);
    for (let i = 1; i < top.length; i++) assert.ok(top[i - 1][2] >= top[i][2]);
    for (const [k, , total] of top) assert.ok(total >= (counts.get(k) ?? 0) && total <= (counts.get(k) ?? 0) + 2, `${k}: ${total}`);
    // Default COUNT is 10; the heap keeps hotkeys-top-k (32) keys.
    assert.equal(asEntries(await redis.call('HOTKEYS')).length, 10);
    assert.equal(asEntries(await redis.call('HOTKEYS', 'COUNT', '1000')).length, 32);
  });

  it('rates: accesses per second over the decayed window', async () => {
    await r('HOTKEYS', 'RESET');
    for (let i = 0; i < 50; i++) await redis.get('rate:k');
    clock.advance(5000);
    // 50 accesses over 5 s: 10 a second.
    assert.equal(await r('HOTKEYS', 'COUNT', '1'), '*1\r\n*3\r\n$6\r\nrate:k\r\n$5\r\n10.00\r\n:50\r\n');
    clock.advance(20_000);
    const later = asEntries(await redis.call('HOTKEYS', 'COUNT', '1'));
    assert.equal(later[0][0], 'rate:k');
    assert.ok(Number(later[0][1]) < 10, `rate must fall with silence: ${later[0][1]}`);
    assert.equal(later[0][2], 50);
  });

  it('reply shapes: RESP2 bulk rate, RESP3 double; node-redis RESP3 parses numbers', async () => {
    await r('HOTKEYS', 'RESET');
    await r('GET', 'a\r\nb');
    await r('GET', 'a\r\nb');
    await r('GET', 'c');
    clock.advance(1000);
    assert.equal(await r('HOTKEYS'), '*2\r\n*3\r\n$4\r\na\r\nb\r\n$4\r\n2.00\r\n:2\r\n*3\r\n$1\r\nc\r\n$4\r\n1.00\r\n:1\r\n');
    const c3 = await RawClient.connect(node.port);
    try {
      await c3.call('HELLO', '3');
      assert.equal(
        (await c3.call('HOTKEYS')).toString('latin1'),
        '*2\r\n*3\r\n$4\r\na\r\nb\r\n,2.00\r\n:2\r\n*3\r\n$1\r\nc\r\n,1.00\r\n:1\r\n',
      );
      assert.equal((await c3.call('HOTKEYS', 'DB', '5')).toString('latin1'), '*0\r\n');
    } finally {
      await c3.close();
    }
    const nr = createClient({ socket: { port: node.port }, RESP: 3 });
    await nr.connect();
    try {
      assert.deepEqual(await nr.sendCommand(['HOTKEYS', 'COUNT', '1']), [['a\r\nb', 2, 2]]);
    } finally {
      await nr.quit();
    }
  });

  it('counts misses and writes, under every maxmemory-policy', async () => {
    const policies = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'];
    for (const policy of policies) {
      assert.equal(await r('CONFIG', 'SET', 'maxmemory-policy', policy), '+OK\r\n');
      await r('HOTKEYS', 'RESET');
      for (let i = 0; i < 3; i++) await r('GET', 'missing');
      await r('SET', 'w', '1');
      await r('INCR', 'w');
      assert.equal(await r('HOTKEYS'), '*2\r\n*3\r\n$7\r\nmissing\r\n$7\r\n3000.00\r\n:3\r\n*3\r\n$1\r\nw\r\n$7\r\n2000.00\r\n:2\r\n', policy);
    }
    await r('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  });

  it('databases: the selected one by default, DB <index> for another', async () => {
    await r('HOTKEYS', 'RESET');
    await r('SELECT', '3');
    await r('GET', 'in3');
    await r('SELECT', '0');
    await r('GET', 'in0');
    assert.equal(await r('HOTKEYS'), '*1\r\n*3\r\n$3\r\nin0\r\n$7\r\n1000.00\r\n:1\r\n');
    assert.equal(await r('HOTKEYS', 'DB', '3'), '*1\r\n*3\r\n$3\r\nin3\r\n$7\r\n1000.00\r\n:1\r\n');
    await r('SELECT', '3');
    assert.equal(await r('HOTKEYS', 'COUNT', '5'), '*1\r\n*3\r\n$3\r\nin3\r\n$7\r\n1000.00\r\n:1\r\n');
    assert.equal(await r('HOTKEYS', 'DB', '0', 'COUNT', '5'), '*1\r\n*3\r\n$3\r\nin0\r\n$7\r\n1000.00\r\n:1\r\n');
    await r('SELECT', '0');
  });

  it('errors in Redis style', async () => {
    assert.equal(await r('HOTKEYS', 'COUNT'), '-ERR syntax error\r\n');
    assert.equal(await r('HOTKEYS', 'FOO'), '-ERR syntax error\r\n');
    assert.equal(await r('HOTKEYS', 'RESET', 'x'), '-ERR syntax error\r\n');
    assert.equal(await r('HOTKEYS', 'COUNT', '5', 'DB'), '-ERR syntax error\r\n');
    assert.equal(await r('HOTKEYS', 'COUNT', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await r('HOTKEYS', 'COUNT', '1.5'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await r('HOTKEYS', 'COUNT', '0'), '-ERR value is out of range, must be positive\r\n');
    assert.equal(await r('HOTKEYS', 'COUNT', '-3'), '-ERR value is out of range, must be positive\r\n');
    assert.equal(await r('HOTKEYS', 'DB', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await r('HOTKEYS', 'DB', '16'), '-ERR DB index is out of range\r\n');
    assert.equal(await r('HOTKEYS', 'DB', '-1'), '-ERR DB index is out of range\r\n');
    assert.match(await r('HOTKEYS', 'COUNT', '99999999999999999999'), /^-ERR value is not an integer/);
    assert.match(await r('HOTKEYS', 'COUNT', '9223372036854775807'), /^\*/);
  });

  it('hotkeys-tracking no: an error naming the CONFIG SET; on again: a fresh tracker', async () => {
    assert.equal(await r('CONFIG', 'GET', 'hotkeys-tracking'), '*2\r\n$16\r\nhotkeys-tracking\r\n$3\r\nyes\r\n');
    assert.equal(await r('CONFIG', 'SET', 'hotkeys-tracking', 'no'), '+OK\r\n');
    assert.equal(node.server.keyspace.accessObservers.length, 0);
    assert.equal(await r('HOTKEYS'), OFF);
    assert.equal(await r('HOTKEYS', 'COUNT', '3', 'DB', '1'), OFF);
    // Argument errors come first, as Redis checks arguments before state.
    assert.equal(await r('HOTKEYS', 'COUNT', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await r('HOTKEYS', 'RESET'), '+OK\r\n');
    await r('GET', 'untracked');
    assert.equal(await r('CONFIG', 'SET', 'hotkeys-tracking', 'yes'), '+OK\r\n');
    assert.equal(node.server.keyspace.accessObservers.length, 1);
    assert.equal(await r('HOTKEYS'), '*0\r\n');
    await r('GET', 'tracked');
    assert.equal(await r('HOTKEYS'), '*1\r\n*3\r\n$7\r\ntracked\r\n$7\r\n1000.00\r\n:1\r\n');
    // Turning it on twice installs one observer.
    assert.equal(await r('CONFIG', 'SET', 'hotkeys-tracking', 'yes'), '+OK\r\n');
    assert.equal(node.server.keyspace.accessObservers.length, 1);
  });

  it('hotkeys-top-k bounds the keys kept, live', async () => {
    assert.equal(await r('CONFIG', 'GET', 'hotkeys-top-k'), '*2\r\n$13\r\nhotkeys-top-k\r\n$2\r\n32\r\n');
    assert.match(await r('CONFIG', 'SET', 'hotkeys-top-k', '0'), /^-ERR CONFIG SET failed \(possibly related to argument 'hotkeys-top-k'\) - argument must be between 1 and 65536 inclusive/);
    assert.equal(await r('CONFIG', 'SET', 'hotkeys-top-k', '2'), '+OK\r\n');
    await r('HOTKEYS', 'RESET');
    for (let k = 1; k <= 4; k++) for (let i = 0; i < k; i++) await r('GET', `k${k}`);
    assert.deepEqual(asEntries(await redis.call('HOTKEYS', 'COUNT', '10')).map((e) => e[0]), ['k4', 'k3']);
    assert.equal(await r('CONFIG', 'SET', 'hotkeys-top-k', '32'), '+OK\r\n');
    await r('GET', 'k1');
    assert.deepEqual(asEntries(await redis.call('HOTKEYS', 'COUNT', '10')).map((e) => [e[0], e[2]]), [['k4', 4], ['k3', 3], ['k1', 2]]);
  });

  it('COMMAND INFO describes it; it is not a key command', async () => {
    const info = await r('COMMAND', 'INFO', 'hotkeys');
    assert.ok(info.startsWith('*1\r\n*10\r\n$7\r\nhotkeys\r\n:-1\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n'), info);
    assert.equal(await r('COMMAND', 'GETKEYS', 'HOTKEYS', 'COUNT', '3'), '-ERR The command has no key arguments\r\n');
  });
});
