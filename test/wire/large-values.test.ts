// Large values (Shoal extension): string values written at or over large-value-threshold are
// counted in INFO largevalues and logged, at most one line per 10 s; smaller writes and
// aggregates are not; the threshold changes live and 0 turns the feature off. With
// large-value-compression they are kept deflated, and no command can tell.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';

describe('large values', () => {
  let node: RunningServer;
  let io: Redis;
  let dir: string;
  let logfile: string;

  /** INFO largevalues as a map (empty when the section is absent). */
  const info = async (): Promise<Map<string, string>> => {
    const text = await io.info('largevalues');
    return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':') as [string, string]));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-lv-'));
    logfile = join(dir, 'shoal.log');
    node = await startServer({ config: { logfile, dir, 'enable-debug-command': 'yes' } });
    io = new Redis({ port: node.port, lazyConnect: false, maxRetriesPerRequest: 0 });
  });
  after(async () => {
    io.disconnect();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await io.config('SET', 'large-value-threshold', '1000');
    await io.flushall();
    await io.config('RESETSTAT');
  });

  it('is on by default at 1 MB and reported only once something was written', async () => {
    await io.config('SET', 'large-value-threshold', '1mb');
    assert.deepEqual(await io.config('GET', 'large-value-threshold'), ['large-value-threshold', '1048576']);
    assert.ok(!(await io.info('all')).includes('# Largevalues'), 'not in INFO all before any large write');
    await io.set('small', 'x'.repeat(1000));
    assert.equal((await info()).get('large_values_written'), '0');
    await io.set('big', 'x'.repeat(1024 * 1024));
    const m = await info();
    assert.equal(m.get('large_values_written'), '1');
    assert.equal(m.get('large_value_max_bytes'), String(1024 * 1024));
    assert.ok((await io.info('all')).includes('# Largevalues'));
    assert.ok(!(await io.info()).includes('# Largevalues'), 'never in default INFO');
  });

  it('counts every write that leaves a string at or over the threshold: SET, APPEND, SETRANGE, restore by SET', async () => {
    await io.set('a', 'x'.repeat(999)); // under
    await io.set('b', 'x'.repeat(1000)); // at: 1
    await io.append('a', 'yy'); // grows past: 2
    await io.setrange('c', 1500, 'z'); // creates 1501 bytes: 3
    await io.set('b', 'short'); // shrinks: not counted
    await io.hset('h', 'f', 'x'.repeat(5000)); // aggregates are not string values
    const m = await info();
    assert.equal(m.get('large_values_written'), '3');
    assert.equal(m.get('large_value_max_bytes'), '1501');
    assert.equal(await io.strlen('a'), 1001);
    assert.equal(await io.get('c'), '\0'.repeat(1500) + 'z', 'the value is intact after the report');
  });

  it('logs the key, size and database, then at most one line per 10 s with a count of the rest', async () => {
    // A node of its own: the other tests' writes would already have used the log's 10 s.
    const own = await startServer({ config: { logfile, 'large-value-threshold': '1000' } });
    const c = new Redis({ port: own.port, lazyConnect: false, maxRetriesPerRequest: 0 });
    try {
      const start = readFileSync(logfile, 'utf8').length;
      await c.select(3);
      await c.set('first\nkey', 'x'.repeat(2000));
      for (let i = 0; i < 5; i++) await c.set(`more:${i}`, 'x'.repeat(2000));
      const log = readFileSync(logfile, 'utf8').slice(start);
      const lines = log.split('\n').filter((l) => l.includes('Large value'));
      assert.equal(lines.length, 1, log);
      assert.match(lines[0], /Large value: 2000 bytes written to key "first\\x0akey" in db 3 \(large-value-threshold 1000\)/);
      assert.match(await c.info('largevalues'), /\r\nlarge_value_log_suppressed:5\r\n/);
    } finally {
      c.disconnect();
      await own.close();
    }
  });

  it('0 turns it off; RESETSTAT zeroes the counters', async () => {
    await io.set('x', 'y'.repeat(2000));
    assert.equal((await info()).get('large_values_written'), '1');
    await io.config('RESETSTAT');
    assert.equal((await info()).get('large_values_written'), '0');
    await io.config('SET', 'large-value-threshold', '0');
    await io.set('x', 'y'.repeat(5000));
    const m = await info();
    assert.equal(m.get('large_values_written'), '0');
    assert.equal(m.get('large_value_threshold'), '0');
  });

  describe('compression', () => {
    /** A compressible value: text-like, repeating with variation. */
    const text = (n: number, seed = 1): string => {
      let out = '';
      for (let i = 0; out.length < n; i++) out += `line ${(i * seed) % 977}: the quick brown fox ${i % 13}\n`;
      return out.slice(0, n);
    };
    const used = async (): Promise<number> => Number(/\r\nused_memory:(\d+)\r\n/.exec(await io.info('memory'))?.[1]);
    const compressed = async (): Promise<number> => Number(/\r\nlarge_values_compressed:(\d+)\r\n/.exec(await io.info('largevalues'))?.[1] ?? '0');

    beforeEach(async () => {
      await io.config('SET', 'large-value-compression', 'yes');
    });
    after(async () => {
      await io.config('SET', 'large-value-compression', 'no');
    });

    it('keeps a large compressible value deflated: used_memory grows by a fraction of it', async () => {
      const base = await used();
      const v = text(2_000_000);
      await io.set('big', v);
      assert.equal(await compressed(), 1);
      const grown = (await used()) - base;
      assert.ok(grown < 1_000_000, `a 2 MB text value adds ${grown} bytes`);
      assert.equal(await io.get('big'), v);
      assert.equal(await compressed(), 1, 'reading it left it compressed');
      assert.equal(await io.strlen('big'), 2_000_000);
      assert.equal(await io.getrange('big', 1_000_000, 1_000_099), v.slice(1_000_000, 1_000_100));
      assert.equal(await io.object('ENCODING', 'big'), 'raw');
    });

    it('a compressed value keeps its TTL: read while alive, expired lazily once it passes', async () => {
      const v = text(100_000, 3);
      await io.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      try {
        await io.set('ttl-big', v, 'PX', 400);
        await io.set('kept-big', v, 'EX', 1000);
        assert.equal(await compressed(), 2);
        assert.equal(await io.get('ttl-big'), v);
        const pttl = await io.pttl('ttl-big');
        assert.ok(pttl > 0 && pttl <= 400, `PTTL ${pttl}`);
        const expiredBefore = Number(/\r\nexpired_keys:(\d+)\r\n/.exec(await io.info('stats'))?.[1]);
        // Only a lookup can remove it (active expiry is off): poll with GET.
        await until(async () => (await io.get('ttl-big')) === null, { what: 'the compressed key to expire' });
        assert.equal(Number(/\r\nexpired_keys:(\d+)\r\n/.exec(await io.info('stats'))?.[1]), expiredBefore + 1);
        assert.equal(await io.exists('ttl-big'), 0);
        assert.equal(await io.get('kept-big'), v);
        const ttl = await io.ttl('kept-big');
        assert.ok(ttl > 990 && ttl <= 1000, `TTL ${ttl}`);
      } finally {
        await io.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      }
    });

    it('every command sees the plain value: APPEND, SETRANGE, SETBIT, BITCOUNT, GETDEL, COPY, RENAME, DUMP/RESTORE', async () => {
      const v = text(50_000, 7);
      await io.set('k', v);
      assert.equal(await compressed(), 1);
      assert.equal(await io.append('k', 'tail'), 50_004);
      assert.equal(await io.setrange('k', 10, 'XYZ'), 50_004);
      const want = v.slice(0, 10) + 'XYZ' + v.slice(13) + 'tail';
      assert.equal(await io.get('k'), want);
      assert.equal(await compressed(), 1, 'written values are compressed again');
      await io.copy('k', 'k2');
      await io.rename('k2', 'k3');
      assert.equal(await io.get('k3'), want);
      assert.equal(await compressed(), 2);
      const dump = await io.dumpBuffer('k');
      await io.config('SET', 'large-value-compression', 'no');
      await io.set('plain', want);
      assert.deepEqual(await io.dumpBuffer('plain'), dump, 'DUMP is the plain value');
      await io.config('SET', 'large-value-compression', 'yes');
      await io.restore('k4', 0, dump);
      assert.equal(await io.get('k4'), want);
      await io.setbit('k4', 7, 1);
      assert.equal(await io.bitcount('k4'), await (async () => {
        await io.config('SET', 'large-value-compression', 'no');
        await io.set('plain2', await io.get('k4') ?? '');
        return io.bitcount('plain2');
      })());
      assert.equal(await io.getdel('k3'), want);
      assert.equal(await io.exists('k3'), 0);
    });

    it('incompressible values stay plain; small values are never compressed', async () => {
      const noise = randomBytes(200_000);
      await io.set('noise', noise);
      await io.set('small', 'x'.repeat(999));
      assert.equal(await compressed(), 0);
      assert.deepEqual(await io.getBuffer('noise'), noise);
    });

    it('MULTI/EXEC and a SAVE + restart see the plain value', async () => {
      const v = text(30_000, 3);
      await io.multi().set('m', v).get('m').strlen('m').exec();
      assert.equal(await io.get('m'), v);
      assert.equal(await compressed(), 1);
      assert.equal(await io.save(), 'OK'); // to dir/dump.rdb
      const again = await startServer({ config: { dir } });
      const c = new Redis({ port: again.port, lazyConnect: false, maxRetriesPerRequest: 0 });
      try {
        assert.equal(await c.get('m'), v);
      } finally {
        c.disconnect();
        await again.close();
      }
    });
  });
});
