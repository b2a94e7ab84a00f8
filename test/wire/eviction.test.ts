// maxmemory through real clients: the limit is honoured under every policy (the cases of Redis's
// tests/unit/maxmemory.tcl), volatile-* policies touch only keys with a TTL, volatile-ttl takes
// the nearest expiry first, allkeys-lru keeps recently read keys and allkeys-lfu frequently
// read ones, noeviction answers OOM and keeps everything, aggregates are accounted and evicted,
// evictions raise "evicted" events and break WATCH, CONFIG SET maxmemory shrinks the dataset
// on its own (the eviction timer), and nothing is evicted while clients are paused.
//
// Limits are a few hundred KB above the node's accounted usage (INFO used_memory), which moves
// only when data does, so the tests stay small and deterministic.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { evictionTimeLimitUs } from '../../src/server/evict.js';

const T0 = 1_700_000_000_000;
const POLICIES = ['allkeys-random', 'allkeys-lru', 'allkeys-lfu', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'];

/** One INFO field as a number. */
async function infoField(io: Redis, section: string, name: string): Promise<number> {
  const text = await io.info(section);
  const m = new RegExp(`^${name}:(-?\\d+)`, 'm').exec(text);
  assert.ok(m !== null, `INFO ${section} has ${name}`);
  return Number(m[1]);
}

const usedMemory = (io: Redis): Promise<number> => infoField(io, 'memory', 'used_memory');
const evictedKeys = (io: Redis): Promise<number> => infoField(io, 'stats', 'evicted_keys');

/** A deterministic pseudo-random key, as the Tcl suite's randomKey. */
function randomKey(rnd: () => number): string {
  return `key:${Math.floor(rnd() * 1e9)}`;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('maxmemory eviction', () => {
  const clock = new FakeClock(T0);
  let node: RunningServer;
  let io: Redis;
  before(async () => {
    node = await startServer({ port: 0, clock });
    io = new Redis({ port: node.port, lazyConnect: false, maxRetriesPerRequest: 0 });
  });
  after(async () => {
    io.disconnect();
    await node.close();
  });
  beforeEach(async () => {
    await io.config('SET', 'maxmemory', '0');
    await io.config('SET', 'maxmemory-policy', 'noeviction');
    await io.config('SET', 'maxmemory-samples', '5');
    await io.config('SET', 'maxmemory-eviction-tenacity', '10');
    await io.flushall();
  });

  /** Sets maxmemory to the current usage plus `extra` bytes under `policy`; returns the limit. */
  async function limitAbove(extra: number, policy: string): Promise<number> {
    const limit = (await usedMemory(io)) + extra;
    await io.config('SET', 'maxmemory-policy', policy);
    await io.config('SET', 'maxmemory', String(limit));
    return limit;
  }

  for (const policy of POLICIES) {
    it(`the memory limit is honoured (${policy})`, async () => {
      const rnd = lcg(7);
      const limit = await limitAbove(100 * 1024, policy);
      let numkeys = 0;
      // Add keys until the limit is almost reached.
      for (;;) {
        const p = io.pipeline();
        for (let i = 0; i < 20; i++) p.setex(randomKey(rnd), 10000, 'x');
        await p.exec();
        numkeys += 20;
        if ((await usedMemory(io)) + 4096 > limit) break;
        assert.ok(numkeys < 100_000, 'the limit is reached');
      }
      assert.ok(numkeys > 10);
      // As many again: evictions keep the node under the limit.
      for (let j = 0; j < numkeys; j += 20) {
        const p = io.pipeline();
        for (let i = 0; i < 20; i++) p.setex(randomKey(rnd), 10000, 'x');
        await p.exec();
      }
      assert.ok((await usedMemory(io)) < limit + 4096);
      assert.ok((await evictedKeys(io)) > 0);
      assert.ok((await io.dbsize()) < 2 * numkeys);
    });
  }

  for (const policy of ['allkeys-random', 'allkeys-lru', 'volatile-lru', 'volatile-random', 'volatile-ttl']) {
    it(`only allkeys-* remove keys without a TTL (${policy})`, async () => {
      const rnd = lcg(11);
      const limit = await limitAbove(100 * 1024, policy);
      let numkeys = 0;
      for (;;) {
        const p = io.pipeline();
        for (let i = 0; i < 20; i++) p.set(randomKey(rnd), 'x');
        await p.exec();
        numkeys += 20;
        if ((await usedMemory(io)) + 4096 > limit) break;
        assert.ok(numkeys < 100_000, 'the limit is reached');
      }
      let oom = false;
      for (let j = 0; j < numkeys; j++) {
        try {
          await io.set(randomKey(rnd), 'x');
        } catch (err) {
          if (/used memory/.test(String(err))) oom = true;
        }
      }
      if (policy.startsWith('allkeys-')) assert.ok((await usedMemory(io)) < limit + 4096);
      else assert.ok(oom, 'volatile policies with no volatile keys answer OOM');
    });
  }

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`${policy} removes only volatile keys`, async () => {
      const limit = await limitAbove(100 * 1024, policy);
      let numkeys = 0;
      for (;;) {
        // Odd keys are volatile, even keys are not.
        if (numkeys % 2) await io.setex(`key:${numkeys}`, 10000, 'x');
        else await io.set(`key:${numkeys}`, 'x');
        if ((await usedMemory(io)) + 4096 > limit) break;
        numkeys++;
        assert.ok(numkeys < 100_000, 'the limit is reached');
      }
      for (let j = 0; j < numkeys; j++) await io.setex(`foo:${j}`, 10000, 'x').catch(() => undefined);
      assert.ok((await usedMemory(io)) < limit + 4096);
      for (let j = 0; j < numkeys; j += 2) assert.equal(await io.exists(`key:${j}`), 1, `key:${j} has no TTL and stays`);
      assert.ok((await evictedKeys(io)) > 0);
    });
  }

  it('volatile-ttl evicts the nearest expiry first (exactly when every key is sampled)', async () => {
    const value = 'v'.repeat(1000);
    for (const samples of ['1000', '5']) {
      await io.flushall();
      await io.config('SET', 'maxmemory', '0');
      const before = await evictedKeys(io);
      const p = io.pipeline();
      for (let i = 0; i < 300; i++) p.set(`t:${i}`, value, 'EX', 10_000 + i);
      for (let i = 0; i < 50; i++) p.set(`plain:${i}`, value);
      await p.exec();
      await io.config('SET', 'maxmemory-samples', samples);
      await limitAbove(-60 * 1024, 'volatile-ttl');
      await io.ping();
      const evicted = (await evictedKeys(io)) - before;
      assert.ok(evicted >= 40 && evicted < 300, `${evicted} keys evicted`);
      const gone: number[] = [];
      for (let i = 0; i < 300; i++) if ((await io.exists(`t:${i}`)) === 0) gone.push(i);
      assert.equal(gone.length, evicted);
      for (let i = 0; i < 50; i++) assert.equal(await io.exists(`plain:${i}`), 1);
      if (samples === '1000') {
        assert.deepEqual(gone, Array.from({ length: evicted }, (_, i) => i), 'the shortest TTLs, in order');
      } else {
        // Sampled: not exact, but far nearer than a random pick (mean index 149.5).
        const mean = gone.reduce((a, b) => a + b, 0) / gone.length;
        assert.ok(mean < 100, `mean index of evicted keys ${mean}`);
      }
    }
  });

  it('allkeys-lru keeps the keys read recently', async () => {
    const value = 'v'.repeat(1000);
    for (const samples of ['1000', '5']) {
      await io.flushall();
      await io.config('SET', 'maxmemory', '0');
      const p = io.pipeline();
      for (let i = 0; i < 200; i++) p.set(`k:${i}`, value);
      await p.exec();
      clock.advance(100_000);
      const reads = io.pipeline();
      for (let i = 0; i < 200; i += 2) reads.get(`k:${i}`); // even keys are hot
      await reads.exec();
      clock.advance(10_000);
      await io.config('SET', 'maxmemory-samples', samples);
      await limitAbove(-60 * 1024, 'allkeys-lru');
      await io.ping();
      let hotKept = 0;
      let coldKept = 0;
      for (let i = 0; i < 200; i++) {
        if ((await io.exists(`k:${i}`)) === 1) {
          if (i % 2 === 0) hotKept++;
          else coldKept++;
        }
      }
      assert.ok(coldKept < 60, `${coldKept} cold keys kept: enough was evicted`);
      if (samples === '1000') assert.equal(hotKept, 100, 'every recently read key stays');
      else assert.ok(hotKept >= 95, `${hotKept} of 100 recently read keys stay`);
    }
  });

  it('allkeys-lfu keeps the keys read often; OBJECT FREQ shows the counters', async () => {
    const value = 'v'.repeat(1000);
    await io.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    for (const samples of ['1000', '5']) {
      await io.flushall();
      await io.config('SET', 'maxmemory', '0');
      const p = io.pipeline();
      for (let i = 0; i < 200; i++) p.set(`k:${i}`, value);
      await p.exec();
      const reads = io.pipeline();
      for (let n = 0; n < 10; n++) for (let i = 0; i < 200; i += 2) reads.get(`k:${i}`);
      await reads.exec();
      // A new key starts at 5 (LFU_INIT_VAL); the first access of a counter at 5 always counts.
      assert.equal(await io.object('FREQ', 'k:1'), 5);
      assert.ok(((await io.object('FREQ', 'k:0')) as number) > 5);
      await io.config('SET', 'maxmemory-samples', samples);
      await limitAbove(-60 * 1024, 'allkeys-lfu');
      await io.ping();
      let hotKept = 0;
      let coldKept = 0;
      for (let i = 0; i < 200; i++) {
        if ((await io.exists(`k:${i}`)) === 1) {
          if (i % 2 === 0) hotKept++;
          else coldKept++;
        }
      }
      assert.ok(coldKept < 60, `${coldKept} cold keys kept`);
      if (samples === '1000') assert.equal(hotKept, 100);
      else assert.ok(hotKept >= 95, `${hotKept} of 100 frequently read keys stay`);
    }
  });

  it('noeviction answers OOM to writes that grow memory and keeps everything', async () => {
    const evictedBefore = await evictedKeys(io);
    const limit = await limitAbove(64 * 1024, 'noeviction');
    const value = 'v'.repeat(500);
    let written = 0;
    let oom: unknown = null;
    for (let i = 0; i < 10_000 && oom === null; i++) {
      try {
        await io.set(`n:${i}`, value);
        written++;
      } catch (err) {
        oom = err;
      }
    }
    assert.match(String(oom), /^ReplyError: OOM command not allowed when used memory > 'maxmemory'\.$/);
    assert.equal(await io.dbsize(), written);
    assert.equal(await evictedKeys(io), evictedBefore);
    assert.equal(await io.get('n:0'), value, 'reads still work');
    await assert.rejects(io.hset('h', 'f', 'v'), /OOM/);
    await assert.rejects(io.lpush('l', 'x'), /OOM/);
    assert.equal(await io.del('n:0'), 1, 'DEL is allowed (it frees memory)');
    assert.ok((await usedMemory(io)) <= limit + 1024);
    // The episode over the limit lasts until a check finds memory within a (non-zero) limit;
    // with maxmemory 0 nothing checks, and Redis keeps counting too.
    await io.config('SET', 'maxmemory', '1gb');
    assert.equal(await io.set('after', 'x'), 'OK');
    assert.equal(await infoField(io, 'stats', 'current_eviction_exceeded_time'), 0);
    assert.ok((await infoField(io, 'stats', 'total_eviction_exceeded_time')) >= 0);
  });

  it('aggregates are accounted (exactly back after DEL) and evicted like strings', async () => {
    for (const limited of [false, true]) {
      if (limited) await limitAbove(64 * 1024 * 1024, 'allkeys-random');
      const base = await usedMemory(io);
      const field = 'f'.repeat(20);
      const value = 'v'.repeat(100);
      const p = io.pipeline();
      for (let i = 0; i < 1000; i++) {
        p.hset('hash', `${field}${i}`, value);
        p.rpush('list', value);
        p.sadd('set', `${value}${i}`);
        p.zadd('zset', i, `${value}${i}`);
      }
      await p.exec();
      const grown = (await usedMemory(io)) - base;
      // 4000 elements of about 100 bytes, plus their heap overhead.
      assert.ok(grown > 4000 * 100 && grown < 4000 * 600, `aggregates add ${grown} bytes`);
      assert.equal(await io.object('ENCODING', 'hash'), 'hashtable');
      // Shrinking a hash frees its share; deleting everything returns to the baseline exactly.
      const full = await usedMemory(io);
      for (let i = 0; i < 500; i++) await io.hdel('hash', `${field}${i}`);
      assert.ok((await usedMemory(io)) < full - 500 * 100);
      await io.set('list', 'now a string'); // an aggregate replaced by a string
      await io.del('hash', 'list', 'set', 'zset');
      assert.equal(await usedMemory(io), base, `limited=${limited}`);
    }
    // Evicted: fill with hashes past a small limit.
    await io.config('SET', 'maxmemory', '0');
    const limit = await limitAbove(300 * 1024, 'allkeys-random');
    for (let k = 0; k < 40; k++) {
      const p = io.pipeline();
      for (let i = 0; i < 100; i++) p.hset(`h:${k}`, `field:${i}`, 'v'.repeat(100));
      await p.exec();
    }
    assert.ok((await evictedKeys(io)) > 0);
    assert.ok((await io.dbsize()) < 40);
    assert.ok((await usedMemory(io)) <= limit);
  });

  it('evictions raise "evicted" keyspace events, one per key', async () => {
    // No ready check: ioredis's INFO could follow the SUBSCRIBE on a slow machine, be refused in
    // subscriber mode, and the reconnect lose the events (seen once in CI).
    const sub = new Redis({ port: node.port, lazyConnect: false, enableReadyCheck: false });
    try {
      await io.config('SET', 'notify-keyspace-events', 'Ee');
      const got: string[] = [];
      sub.on('message', (_channel: string, key: string) => got.push(key));
      await sub.subscribe('__keyevent@0__:evicted');
      const p = io.pipeline();
      for (let i = 0; i < 100; i++) p.set(`e:${i}`, 'v'.repeat(1000));
      await p.exec();
      const before = await evictedKeys(io);
      await limitAbove(-30 * 1024, 'allkeys-random');
      await io.ping();
      const evicted = (await evictedKeys(io)) - before;
      assert.ok(evicted > 0);
      await sub.ping(); // messages published before this reply arrive before it
      for (let i = 0; i < 50 && got.length < evicted; i++) await new Promise((r) => setImmediate(r));
      assert.equal(got.length, evicted);
      for (const k of got) assert.equal(await io.exists(k), 0, `${k} is gone`);
    } finally {
      await io.config('SET', 'notify-keyspace-events', '');
      sub.disconnect();
    }
  });

  it('an evicted key breaks WATCH', async () => {
    await io.set('w', 'v'.repeat(1000));
    await io.watch('w');
    await limitAbove(-512, 'allkeys-lru'); // the only key must go
    const res = await io.multi().get('w').exec();
    assert.equal(res, null);
    assert.equal(await io.exists('w'), 0);
  });

  it('CONFIG SET maxmemory below the usage evicts on its own, in slices (the eviction timer)', async () => {
    const p = io.pipeline();
    for (let i = 0; i < 2000; i++) p.set(`s:${i}`, 'v'.repeat(500));
    await p.exec();
    // Tenacity 0: no time budget at all, so every call evicts 16 keys and leaves the rest to
    // the timer.
    await io.config('SET', 'maxmemory-eviction-tenacity', '0');
    const srv = node.server;
    const target = srv.memory.used() - 500 * 1024;
    await io.config('SET', 'maxmemory-policy', 'allkeys-random');
    await io.config('SET', 'maxmemory', String(target));
    // No command is sent meanwhile: only the timer can evict.
    const deadline = Date.now() + 10_000;
    while (srv.memory.used() > target && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.ok(srv.memory.used() <= target, 'evicted down to the new limit without any command');
    assert.ok(srv.evictor.evictedKeys > 16, 'more than one slice');
    assert.equal(srv.evictor.timerRunning, false, 'the timer stops once under the limit');
    assert.ok((await io.dbsize()) < 2000);
  });

  it('CONFIG RESETSTAT zeroes evicted_keys', async () => {
    await io.set('r', 'v'.repeat(1000));
    await limitAbove(-512, 'allkeys-lru');
    await io.set('r2', 'x');
    assert.ok((await evictedKeys(io)) > 0);
    await io.config('RESETSTAT');
    assert.equal(await evictedKeys(io), 0);
  });

  it('lazyfree-lazy-eviction yes evicts the same way', async () => {
    await io.config('SET', 'lazyfree-lazy-eviction', 'yes');
    try {
      const limit = await limitAbove(100 * 1024, 'allkeys-lru');
      const p = io.pipeline();
      for (let i = 0; i < 1000; i++) p.set(`z:${i}`, 'v'.repeat(500));
      await p.exec();
      assert.ok((await usedMemory(io)) <= limit);
      assert.ok((await evictedKeys(io)) > 0);
    } finally {
      await io.config('SET', 'lazyfree-lazy-eviction', 'no');
    }
  });

  it('nothing is evicted while clients are paused', async () => {
    const p = io.pipeline();
    for (let i = 0; i < 100; i++) p.set(`pz:${i}`, 'v'.repeat(1000));
    await p.exec();
    const before = await evictedKeys(io);
    await io.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    try {
      await limitAbove(-30 * 1024, 'allkeys-random');
      assert.equal(await io.dbsize(), 100);
      assert.equal(await io.get('pz:1'), 'v'.repeat(1000).slice(0, 1000));
      assert.equal(await evictedKeys(io), before);
    } finally {
      await io.call('CLIENT', 'UNPAUSE');
    }
    await io.ping();
    assert.ok((await io.dbsize()) < 100);
  });

  it('INFO: used_memory moves only with data; peak, dataset and fragmentation follow it', async () => {
    const a = await usedMemory(io);
    const b = await usedMemory(io);
    assert.equal(a, b, 'no drift between two INFO calls');
    await io.set('big', 'x'.repeat(100_000));
    const c = await usedMemory(io);
    assert.ok(c - a >= 100_000 && c - a < 110_000, `a 100 KB value adds ${c - a}`);
    const text = await io.info('memory');
    const get = (k: string): number => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1]);
    assert.ok(get('used_memory_peak') >= get('used_memory'));
    assert.equal(get('used_memory_overhead') + get('used_memory_dataset'), get('used_memory'));
    assert.ok(get('used_memory_startup') <= get('used_memory'));
    assert.equal(get('mem_fragmentation_ratio'), Number((get('used_memory_rss') / get('used_memory')).toFixed(2)));
    await io.del('big');
    assert.equal(await usedMemory(io), a);
  });

  it('the time budget follows maxmemory-eviction-tenacity as Redis computes it', () => {
    assert.equal(evictionTimeLimitUs(0), 0);
    assert.equal(evictionTimeLimitUs(10), 500);
    assert.equal(evictionTimeLimitUs(11), 575);
    assert.equal(evictionTimeLimitUs(99), Math.floor(500 * 1.15 ** 89));
    assert.equal(evictionTimeLimitUs(100), Infinity);
  });
});
