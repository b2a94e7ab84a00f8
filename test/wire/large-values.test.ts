// Large values (Shoal extension): string values written at or over large-value-threshold are
// counted in INFO largevalues and logged, at most one line per 10 s; smaller writes and
// aggregates are not; the threshold changes live and 0 turns the feature off.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.js';

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
    node = await startServer({ config: { logfile } });
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
});
