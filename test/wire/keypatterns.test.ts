// INFO keypatterns (Shoal extension) through a real client: per-pattern hits and misses add up
// to INFO stats' keyspace_hits / keyspace_misses after a seeded random mix of commands
// (multi-key reads, expired keys, CONFIG RESETSTAT, a change of the list), exact attribution
// on a known sequence, exact key counts after DEL / EXPIRE / FLUSHDB / RENAME / MOVE / SWAPDB /
// FLUSHALL / eviction, a live CONFIG SET recounting under writes, the memory estimate, the
// section's place in INFO, and CONFIG SET / GET / REWRITE of the parameter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, Server, startServer, type RunningServer } from '../helpers/node.js';
import { createRng } from '../../src/lib/rng.js';
import { globMatch } from '../../src/lib/glob.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Logger } from '../../src/server/observability/logger.js';
import { startFromConfigFile, type ConfigFileNode } from '../helpers/config-file.js';

const T0 = 1_700_000_000_000;

interface Row {
  pattern?: string;
  keys: number;
  hits: number;
  misses: number;
  memory: number;
}

interface Report {
  rows: Row[];
  unattributed: { hits: number; misses: number };
  recounting: number;
  sweeps: number;
}

/** Parses INFO keypatterns: pattern_N lines, then other, then unattributed. */
function parseReport(text: string): Report {
  const rows: Row[] = [];
  let unattributed = { hits: 0, misses: 0 };
  let recounting = -1;
  let sweeps = -1;
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i);
    const value = line.slice(i + 1);
    if (name === 'keypatterns_keys_recounting') recounting = Number(value);
    if (name === 'keypatterns_memory_sweeps') sweeps = Number(value);
    if (!name.startsWith('pattern_') && name !== 'other' && name !== 'unattributed') continue;
    const f = new Map(value.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    if (name === 'unattributed') {
      unattributed = { hits: Number(f.get('hits')), misses: Number(f.get('misses')) };
      continue;
    }
    rows.push({
      pattern: f.get('pattern'),
      keys: Number(f.get('keys')),
      hits: Number(f.get('hits')),
      misses: Number(f.get('misses')),
      memory: Number(f.get('memory')),
    });
  }
  return { rows, unattributed, recounting, sweeps };
}

/** One numeric INFO stats field. */
async function statsField(io: Redis, name: string): Promise<number> {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(await io.info('stats'));
  assert.ok(m !== null, name);
  return Number(m[1]);
}

/** The reference classification: first pattern matching (literal = prefix, else glob). */
function modelClass(patterns: readonly string[], key: Buffer): number {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (!/[*?[\\]/.test(p)) {
      if (key.length >= p.length && key.subarray(0, p.length).toString('latin1') === p) return i;
    } else if (globMatch(Buffer.from(p, 'latin1'), key)) {
      return i;
    }
  }
  return patterns.length;
}

describe('INFO keypatterns', () => {
  const clock = new FakeClock(T0);
  let node: RunningServer;
  let srv: Server;
  let io: Redis;
  const PATTERNS = ['session:', 'user:*:cart', 'cfg*'];

  const report = async (): Promise<Report> => parseReport(await io.info('keypatterns'));

  /** Key counts by class, walking every database's index (DBSIZE semantics). */
  const brute = (patterns: readonly string[]): number[] => {
    const out = new Array<number>(patterns.length + 1).fill(0);
    for (const db of srv.keyspace.dbs) db.forEach((id) => void out[modelClass(patterns, db.key(id))]++);
    return out;
  };

  const assertCountsExact = async (patterns: readonly string[], what: string): Promise<void> => {
    const r = await report();
    // Read in the same turn as the reply: the node's own cron (active expiry) cannot run in
    // between, as it could between further round trips.
    const expected = brute(patterns);
    const dbsize = srv.keyspace.totals().keys;
    assert.equal(r.recounting, 0, what);
    assert.deepEqual(r.rows.map((x) => x.keys), expected, what);
    assert.equal(r.rows.reduce((s, x) => s + x.keys, 0), dbsize, `${what}: the counts add up to DBSIZE`);
  };

  const assertSums = async (what: string): Promise<Report> => {
    const r = await report();
    const hits = r.rows.reduce((s, x) => s + x.hits, r.unattributed.hits);
    const misses = r.rows.reduce((s, x) => s + x.misses, r.unattributed.misses);
    assert.equal(hits, await statsField(io, 'keyspace_hits'), `${what}: hits`);
    assert.equal(misses, await statsField(io, 'keyspace_misses'), `${what}: misses`);
    return r;
  };

  before(async () => {
    node = await startServer({ clock });
    srv = node.server;
    io = new Redis({ port: node.port, lazyConnect: false, maxRetriesPerRequest: 0 });
  });
  after(async () => {
    io.disconnect();
    await node.close();
  });
  beforeEach(async () => {
    await io.config('SET', 'keypatterns', '');
    await io.config('SET', 'maxmemory', '0');
    await io.flushall();
    await io.config('RESETSTAT');
    srv.keyPatterns.recountPerTick = 20000;
  });

  it('is off by default, outside default INFO, and in INFO all only while configured', async () => {
    assert.deepEqual(await io.config('GET', 'keypatterns'), ['keypatterns', '']);
    assert.equal(await io.info('keypatterns'), '# Keypatterns\r\n');
    assert.doesNotMatch(await io.info('all'), /# Keypatterns/);
    await io.config('SET', 'keypatterns', PATTERNS.join(' '));
    assert.deepEqual(await io.config('GET', 'keypatterns'), ['keypatterns', PATTERNS.join(' ')]);
    assert.doesNotMatch(await io.info(), /Keypatterns|pattern_0/);
    assert.match(await io.info('all'), /\r\n# Keypatterns\r\nkeypatterns_patterns:3\r\n/);
    assert.match(await io.info('everything'), /# Keyspace\r\n(?:.*\r\n)*\r\n# Keypatterns\r\n/);
    const text = await io.info('keypatterns');
    assert.match(text, /^# Keypatterns\r\nkeypatterns_patterns:3\r\nkeypatterns_exact:keys,hits,misses\r\nkeypatterns_estimated:memory\r\n/);
    assert.match(text, /\r\npattern_0:pattern=session:,keys=0,hits=0,misses=0,hit_rate=0\.00,memory=0\r\n/);
    assert.match(text, /\r\npattern_1:pattern=user:\*:cart,keys=0,/);
    assert.match(text, /\r\nother:keys=0,hits=0,misses=0,hit_rate=0\.00,memory=0\r\nunattributed:hits=0,misses=0\r\n$/);
  });

  it('refuses invalid lists and keeps the current one', async () => {
    await io.config('SET', 'keypatterns', 'a:');
    await assert.rejects(io.config('SET', 'keypatterns', 'b: b:'), /ERR CONFIG SET failed \(possibly related to argument 'keypatterns'\) - duplicate pattern 'b:'/);
    await assert.rejects(io.config('SET', 'keypatterns', 'x,y'), /invalid character/);
    assert.deepEqual(await io.config('GET', 'keypatterns'), ['keypatterns', 'a:']);
    assert.equal(parseReport(await io.info('keypatterns')).rows[0].pattern, 'a:');
  });

  it('attributes every read lookup of a known sequence to its pattern', async () => {
    await io.config('SET', 'keypatterns', PATTERNS.join(' '));
    await io.set('session:1', 'a');
    await io.get('session:1'); // session hit
    await io.get('session:2'); // session miss
    await io.mget('user:1:cart', 'session:1', 'nope'); // user miss, session hit, other miss
    await io.exists('session:1', 'session:9', 'cfg'); // session hit, session miss, cfg miss
    await io.set('session:exp', 'v', 'PX', 10);
    clock.advance(20);
    await io.get('session:exp'); // expired: a session miss
    await io.set('cfg:x', '1'); // writes count nothing
    await io.del('cfg:x');
    const r = await assertSums('known sequence');
    assert.deepEqual(r.rows.map((x) => [x.hits, x.misses]), [[3, 3], [0, 1], [0, 1], [0, 1]]);
    assert.match(await io.info('keypatterns'), /pattern_0:pattern=session:,keys=1,hits=3,misses=3,hit_rate=0\.50,/);
  });

  it('adds up to keyspace_hits / keyspace_misses after a random mix of commands', async () => {
    await io.set('before', '1');
    await io.get('before');
    await io.get('missing-before');
    await io.config('SET', 'keypatterns', PATTERNS.join(' '));
    const rng = createRng(7);
    const key = (): string => {
      const n = rng.int(12);
      switch (rng.int(5)) {
        case 0: return `session:${n}`;
        case 1: return `user:${n}:cart`;
        case 2: return `cfg${n}`;
        case 3: return `user:${n}`;
        default: return `k${n}`;
      }
    };
    for (let round = 0; round < 30; round++) {
      const p = io.pipeline();
      for (let i = 0; i < 40; i++) {
        switch (rng.int(16)) {
          case 0: p.get(key()); break;
          case 1: p.set(key(), 'v'); break;
          case 2: p.set(key(), 'v', 'PX', 1 + rng.int(30)); break;
          case 3: p.mget(key(), key(), key()); break;
          case 4: p.exists(key(), key()); break;
          case 5: p.del(key()); break;
          case 6: p.hset(key(), 'f', 'v'); break;
          case 7: p.hget(key(), 'f'); break;
          case 8: p.lpush(key(), 'x'); break;
          case 9: p.lrange(key(), 0, -1); break;
          case 10: p.sadd(key(), 'm'); break;
          case 11: p.sismember(key(), 'm'); break;
          case 12: p.incr(key()); break;
          case 13: p.type(key()); break;
          case 14: p.copy(key(), key()); break;
          default: p.touch(key(), key()); break;
        }
      }
      await p.exec();
      clock.advance(rng.int(15));
      if (round === 10) {
        await assertSums('round 10');
        await io.config('RESETSTAT');
        const r = await assertSums('after CONFIG RESETSTAT');
        assert.deepEqual(r.unattributed, { hits: 0, misses: 0 });
        assert.ok(r.rows.every((x) => x.hits === 0 && x.misses === 0));
      }
      if (round === 20) {
        await io.config('SET', 'keypatterns', 'k user: session:1*');
        const r = await assertSums('after a change of the list');
        assert.ok(r.unattributed.hits + r.unattributed.misses > 0, 'earlier lookups are unattributed');
      }
    }
    const r = await assertSums('at the end');
    assert.ok(r.rows.filter((x) => x.hits + x.misses > 0).length >= 3, 'several classes were read');
    await assertCountsExact(['k', 'user:', 'session:1*'], 'after the mix');
  });

  it('keeps key counts exact through DEL, EXPIRE, FLUSHDB, RENAME, MOVE, SWAPDB and FLUSHALL', async () => {
    await io.config('SET', 'keypatterns', PATTERNS.join(' '));
    const p = io.pipeline();
    for (let i = 0; i < 300; i++) p.set(`session:${i}`, 'v').set(`user:${i}:cart`, 'v').set(`cfg${i}`, 'v').set(`k${i}`, 'v');
    await p.exec();
    await assertCountsExact(PATTERNS, 'after SET');
    await io.del('session:1', 'session:2', 'k1', 'nope');
    await assertCountsExact(PATTERNS, 'after DEL');
    for (let i = 0; i < 50; i++) await io.pexpire(`user:${i}:cart`, 10);
    for (let i = 0; i < 20; i++) await io.pexpire(`k${i + 100}`, 10);
    clock.advance(100);
    await io.get('user:0:cart'); // lazily expired
    for (let i = 0; i < 50 && srv.keyspace.totals().expires > 0; i++) srv.cron(); // actively expired
    assert.equal(srv.keyspace.totals().expires, 0);
    await assertCountsExact(PATTERNS, 'after expiry');
    await io.rename('session:10', 'user:x:cart');
    await io.rename('k200', 'cfg-renamed');
    await io.rename('cfg201', 'session:5'); // overwrites session:5
    await assertCountsExact(PATTERNS, 'after RENAME');
    await io.move('session:20', 3);
    await io.move('cfg30', 4);
    await io.select(3);
    await io.set('k-in-3', 'v');
    await io.select(0);
    await assertCountsExact(PATTERNS, 'after MOVE');
    await io.swapdb(0, 3);
    await io.swapdb(4, 5);
    await assertCountsExact(PATTERNS, 'after SWAPDB');
    await io.select(3);
    await io.del('session:100', 'session:101');
    await io.flushdb();
    await io.select(0);
    await assertCountsExact(PATTERNS, 'after FLUSHDB');
    await io.set('session:new', 'v');
    await io.flushall();
    await assertCountsExact(PATTERNS, 'after FLUSHALL');
  });

  it('keeps key counts exact under eviction', async () => {
    await io.config('SET', 'keypatterns', PATTERNS.join(' '));
    const used = Number(/^used_memory:(\d+)/m.exec(await io.info('memory'))?.[1]);
    await io.config('SET', 'maxmemory-policy', 'allkeys-random');
    await io.config('SET', 'maxmemory', String(used + 300_000));
    const value = 'x'.repeat(200);
    for (let i = 0; i < 40 && (await statsField(io, 'evicted_keys')) === 0; i++) {
      const p = io.pipeline();
      for (let j = 0; j < 100; j++) p.set(`${['session:', 'cfg', 'k'][j % 3]}${i * 100 + j}`, value);
      await p.exec();
    }
    assert.ok((await statsField(io, 'evicted_keys')) > 0, 'keys were evicted');
    await assertCountsExact(PATTERNS, 'after eviction');
    await io.config('SET', 'maxmemory', '0');
    await io.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('recounts in the background after CONFIG SET, exact under concurrent writes', async () => {
    const p = io.pipeline();
    for (let i = 0; i < 3000; i++) p.set(`${['session:', 'user:', 'cfg', 'k'][i % 4]}${i}`, 'v');
    await p.exec();
    await io.config('SET', 'keypatterns', 'k');
    await assertCountsExact(['k'], 'a small keyspace is counted at once');
    srv.keyPatterns.recountPerTick = 100;
    await io.config('SET', 'keypatterns', 'user: session:');
    assert.equal((await report()).recounting, 1);
    const rng = createRng(3);
    let ticks = 0;
    while ((await report()).recounting === 1 && ticks < 1000) {
      const w = io.pipeline();
      for (let i = 0; i < 10; i++) {
        const k = `${['session:', 'user:', 'cfg', 'k'][rng.int(4)]}${rng.int(4000)}`;
        if (rng.next() < 0.5) w.set(k, 'v');
        else w.del(k);
      }
      if (rng.next() < 0.1) w.rename(`session:${rng.int(3000)}`, `user:r${rng.int(1000)}`);
      await w.exec();
      srv.cron();
      ticks++;
    }
    assert.ok(ticks > 5, 'the recount took several ticks');
    await assertCountsExact(['user:', 'session:'], 'after the recount');
  });

  it('estimates memory per pattern from the background sweep', async () => {
    await io.config('SET', 'keypatterns', 'big: small:');
    const p = io.pipeline();
    for (let i = 0; i < 200; i++) p.set(`big:${i}`, 'x'.repeat(2000)).set(`small:${i}`, 'x');
    for (let i = 0; i < 50; i++) p.hset(`small:h${i}`, 'f', 'v');
    await p.exec();
    // The node's own cron may have completed sweeps of the empty keyspace: wait for a new one.
    const before = (await report()).sweeps;
    for (let i = 0; i < 20 && (await report()).sweeps <= before; i++) srv.cron();
    const r = await report();
    assert.ok(r.sweeps > before);
    const [big, small, other] = r.rows;
    assert.ok(big.memory >= 200 * 2000, `big ${big.memory}`);
    assert.ok(small.memory > 0 && small.memory * 10 < big.memory, `small ${small.memory}`);
    assert.equal(other.memory, 0);
  });
});

describe('keypatterns in the config file', () => {
  let node: ConfigFileNode;
  let file: string;
  let server: Server;

  before(async () => {
    node = await startFromConfigFile('keypatterns session: user:*:cart\n');
    ({ file, server } = node);
  });
  after(() => node.close());

  it('loads a word list, and CONFIG REWRITE writes the live one back', async () => {
    const io = new Redis({ port: server.tcpPort, lazyConnect: false });
    try {
      assert.deepEqual(await io.config('GET', 'keypatterns'), ['keypatterns', 'session: user:*:cart']);
      assert.match(await io.info('keypatterns'), /pattern_1:pattern=user:\*:cart,/);
      await io.config('SET', 'keypatterns', 'a: b:*');
      assert.equal(await io.config('REWRITE'), 'OK');
    } finally {
      io.disconnect();
    }
    assert.match(readFileSync(file, 'utf8'), /^keypatterns "a: b:\*"$/m);
    assert.equal(loadConfig([file]).config.getString('keypatterns'), 'a: b:*');
  });

  it('refuses to start with an invalid list', () => {
    const { config } = loadConfig(['--keypatterns', 'a:', 'a:']);
    assert.throws(() => new Server({ config, log: new Logger() }), /Invalid keypatterns 'a: a:': duplicate pattern 'a:'/);
  });
});
