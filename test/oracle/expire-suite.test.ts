// Edge cases from Redis's own tests/unit/expire.tcl (7.0), string values only: every reply
// compared byte for byte with redis-server (TTLs within ±1 where wall time moves between the two
// servers). Cases that need seconds to pass, or active expiry, run on a FakeClock instead and
// assert what the Tcl suite asserts of Redis. Skipped: AOF / DEBUG LOADAOF / replication-stream
// cases (propagation is a later stage) and aggregate types (LPUSH on an expiring key).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import { useNode } from '../helpers/node.js';
import { FakeClock } from '../../src/index.js';

const nowS = (): number => Math.floor(Date.now() / 1000);

withOracle('oracle: expire.tcl', { config: { 'enable-debug-command': 'yes' } }, (o) => {
  it('EXPIRE - set timeouts multiple times; key still readable', () =>
    o.compare([
      ['SET', 'x', 'foobar'],
      ['EXPIRE', 'x', '5'],
      { cmd: ['TTL', 'x'], approx: true },
      ['EXPIRE', 'x', '10'],
      { cmd: ['TTL', 'x'], approx: true },
      ['EXPIRE', 'x', '2'],
      ['GET', 'x'],
    ]));

  it('EXPIREAT - check for EXPIRE alike behavior; SETEX', () =>
    o.compare([
      ['SET', 'x', 'foo'],
      ['EXPIREAT', 'x', String(nowS() + 15)],
      { cmd: ['TTL', 'x'], approx: true },
      ['SETEX', 'x', '12', 'test'],
      { cmd: ['TTL', 'x'], approx: true },
      ['GET', 'x'],
      ['SETEX', 'y', '1', 'foo'],
      ['GET', 'y'],
      ['SETEX', 'z', '-10', 'foo'],
      ['SETEX', 'z', '0', 'foo'],
      ['PSETEX', 'z', '-10', 'foo'],
      ['EXISTS', 'z'],
    ]));

  it('PERSIST can undo an EXPIRE; returns 0 for missing or non volatile keys; one key only', () =>
    o.compare([
      ['SET', 'x', 'foo'],
      ['EXPIRE', 'x', '50'],
      { cmd: ['TTL', 'x'], approx: true },
      ['PERSIST', 'x'],
      ['TTL', 'x'],
      ['GET', 'x'],
      ['SET', 'x', 'foo'],
      ['PERSIST', 'foo'],
      ['PERSIST', 'nokeyatall'],
      ['PERSIST', 'x'],
      // Newer Redis accepts several keys; 7.0's PERSIST takes exactly one.
      ['PERSIST', 'x{t}', 'y{t}'],
    ]));

  it('TTL / PTTL in range after SETEX', () =>
    o.compare([
      ['SETEX', 'x', '10', 'somevalue'],
      { cmd: ['TTL', 'x'], approx: true },
      ['DEL', 'x'],
      ['SETEX', 'x', '1', 'somevalue'],
      { cmd: ['PTTL', 'x'], approx: 100 },
    ]));

  it('TTL / PTTL / EXPIRETIME / PEXPIRETIME return -1 without expire and -2 for missing keys', () =>
    o.compare([
      ['SET', 'x', 'hello'],
      ['TTL', 'x'],
      ['PTTL', 'x'],
      ['EXPIRETIME', 'x'],
      ['PEXPIRETIME', 'x'],
      ['DEL', 'x'],
      ['TTL', 'x'],
      ['PTTL', 'x'],
      ['EXPIRETIME', 'x'],
      ['PEXPIRETIME', 'x'],
    ]));

  it('EXPIRETIME / PEXPIRETIME return the absolute time set with EXAT / PXAT', () => {
    const s = String(nowS() + 100);
    const ms = String(Date.now() + 100000);
    return o.compare([
      ['SET', 'x', 'somevalue', 'EXAT', s],
      ['EXPIRETIME', 'x'],
      ['PEXPIRETIME', 'x'],
      ['SET', 'x', 'somevalue', 'PXAT', ms],
      ['PEXPIRETIME', 'x'],
      ['EXPIRETIME', 'x'],
      ['EXPIREAT', 'x', s],
      ['PEXPIRETIME', 'x'],
      ['PEXPIREAT', 'x', ms],
      ['EXPIRETIME', 'x'],
      // Rounding of EXPIRETIME for sub-second parts: 1499 ms and 1500 ms past a second.
      ['PEXPIREAT', 'x', String((nowS() + 100) * 1000 + 499)],
      ['EXPIRETIME', 'x'],
      ['PEXPIREAT', 'x', String((nowS() + 100) * 1000 + 500)],
      ['EXPIRETIME', 'x'],
    ]);
  });

  it('Redis should lazy expire keys (active expiry off)', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['PSETEX', 'key1{t}', '30', 'a'],
      ['PSETEX', 'key2{t}', '30', 'a'],
      ['PSETEX', 'key3{t}', '30', 'a'],
      ['DBSIZE'],
      { pause: 80 },
      ['DBSIZE'],
      ['MGET', 'key1{t}', 'key2{t}', 'key3{t}'],
      ['DBSIZE'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('EXPIRE should not resurrect keys (issue #1026)', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'foo', 'bar'],
      ['PEXPIRE', 'foo', '30'],
      { pause: 80 },
      ['EXPIRE', 'foo', '10'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['EXISTS', 'foo'],
      // The same for every command of the family and every option.
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'a', '1', 'PX', '30'],
      ['SET', 'b', '1', 'PX', '30'],
      ['SET', 'c', '1', 'PX', '30'],
      ['SET', 'd', '1', 'PX', '30'],
      ['SET', 'e', '1', 'PX', '30'],
      { pause: 80 },
      ['PEXPIRE', 'a', '10000'],
      ['EXPIREAT', 'b', String(nowS() + 100)],
      ['PEXPIREAT', 'c', String(Date.now() + 100000)],
      ['EXPIRE', 'd', '100', 'LT'],
      ['PERSIST', 'e'],
      ['DBSIZE'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('5 keys in, 5 keys out', () =>
    o.compare([
      ['SET', 'a', 'c'],
      ['EXPIRE', 'a', '5'],
      ['SET', 't', 'c'],
      ['SET', 'e', 'c'],
      ['SET', 's', 'c'],
      ['SET', 'foo', 'b'],
      { cmd: ['KEYS', '*'], sort: true },
      ['DEL', 'a'],
    ]));

  it('invalid and overflowing times: empty string, big integers, big negative', () =>
    o.compare([
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', ''],
      ['SET', 'foo', 'bar', 'EX', '10000000000000000'],
      ['SET', 'foo', 'bar', 'EX', '-9999999999999999'],
      ['SET', 'foo', 'bar'],
      ['GETEX', 'foo', 'EX', '10000000000000000'],
      ['GETEX', 'foo', 'EX', '-9999999999999999'],
      ['EXPIRE', 'foo', '10000000000000000'],
      ['PEXPIRE', 'foo', '9223372036854770000'],
      ['EXPIRE', 'foo', '-9999999999999999'],
      ['TTL', 'foo'],
      ['PEXPIREAT', 'foo', '9223372036854770000'],
      ['PEXPIRETIME', 'foo'],
      ['EXPIRETIME', 'foo'],
      ['SET', 'foo', 'bar'],
      ['PEXPIREAT', 'foo', '-9223372036854770000'],
      ['TTL', 'foo'],
      // Around the limits of the seconds forms.
      ['SET', 'foo', 'bar'],
      ['EXPIREAT', 'foo', '9223372036854775'],
      ['EXPIRETIME', 'foo'],
      ['EXPIREAT', 'foo', '9223372036854776'],
      ['EXPIREAT', 'foo', '-9223372036854775'],
      ['EXISTS', 'foo'],
      ['SET', 'foo', 'bar'],
      ['EXPIREAT', 'foo', '-9223372036854776'],
      ['EXPIRE', 'foo', ' 1'],
      ['EXPIRE', 'foo', '1.5'],
      ['EXPIRE', 'foo', '+1'],
      ['EXPIRE', 'foo', '01'],
      ['TTL', 'foo'],
    ]));

  it('SET removes the expire; KEEPTTL keeps it; GETEX PERSIST removes it', () =>
    o.compare([
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['SET', 'foo', 'bar'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['SET', 'foo', 'bar', 'KEEPTTL'],
      { cmd: ['TTL', 'foo'], approx: true },
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['GETEX', 'foo', 'PERSIST'],
      ['TTL', 'foo'],
    ]));

  it('EXPIRE NX / XX / GT / LT on keys with and without a TTL', () => {
    const script: Step[] = [];
    const withTtl = (...cmd: string[]): void => {
      // The pause makes "EXPIRE foo 100 GT/LT" deterministic: the new expiry is then later
      // than the one SET gave (otherwise the answer depends on whether a millisecond passed).
      // A tolerance of a few seconds: the two servers answer the same step at slightly
      // different times on a loaded machine.
      script.push(['SET', 'foo', 'bar', 'EX', '100'], { pause: 5 }, cmd, { cmd: ['TTL', 'foo'], approx: 3 });
    };
    const noTtl = (...cmd: string[]): void => {
      script.push(['SET', 'foo', 'bar'], cmd, { cmd: ['TTL', 'foo'], approx: 3 });
    };
    withTtl('EXPIRE', 'foo', '200', 'NX');
    noTtl('EXPIRE', 'foo', '200', 'NX');
    withTtl('EXPIRE', 'foo', '200', 'XX');
    noTtl('EXPIRE', 'foo', '200', 'XX');
    withTtl('EXPIRE', 'foo', '200', 'GT');
    withTtl('EXPIRE', 'foo', '50', 'GT');
    withTtl('EXPIRE', 'foo', '100', 'GT');
    noTtl('EXPIRE', 'foo', '200', 'GT');
    withTtl('EXPIRE', 'foo', '50', 'LT');
    withTtl('EXPIRE', 'foo', '200', 'LT');
    withTtl('EXPIRE', 'foo', '100', 'LT');
    noTtl('EXPIRE', 'foo', '200', 'LT');
    withTtl('EXPIRE', 'foo', '50', 'LT', 'XX');
    noTtl('EXPIRE', 'foo', '200', 'LT', 'XX');
    withTtl('EXPIRE', 'foo', '200', 'XX', 'GT');
    noTtl('EXPIRE', 'foo', '200', 'GT', 'XX');
    withTtl('EXPIRE', 'foo', '200', 'nx', 'nx');
    withTtl('PEXPIRE', 'foo', '200000', 'gt');
    withTtl('PEXPIREAT', 'foo', String(Date.now() + 50000), 'LT');
    withTtl('EXPIREAT', 'foo', String(nowS() + 200), 'GT');
    // Options on a key that does not exist.
    script.push(['DEL', 'none'], ['EXPIRE', 'none', '100', 'NX'], ['EXPIRE', 'none', '100', 'XX'],
      ['EXPIRE', 'none', '100', 'GT'], ['EXPIRE', 'none', '100', 'LT'], ['EXISTS', 'none']);
    return o.compare(script);
  });

  it('EXPIRE with conflicting and unsupported options', () =>
    o.compare([
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', '200', 'LT', 'GT'],
      ['EXPIRE', 'foo', '200', 'NX', 'GT'],
      ['EXPIRE', 'foo', '200', 'NX', 'LT'],
      ['EXPIRE', 'foo', '200', 'NX', 'XX'],
      ['EXPIRE', 'foo', '200', 'XX', 'NX'],
      ['EXPIRE', 'foo', '200', 'AB'],
      ['EXPIRE', 'foo', '200', 'XX', 'AB'],
      ['EXPIRE', 'foo', '200', 'AB', 'NX', 'GT'],
      ['EXPIRE', 'foo', 'abc', 'AB'],
      ['EXPIRE', 'foo', 'abc', 'NX', 'XX'],
      ['EXPIRE', 'missing', '200', 'NX', 'XX'],
      ['PEXPIREAT', 'foo', '1', 'GT', 'LT'],
      ['EXPIRE', 'foo', '200', 'NXX'],
      ['EXPIRE', 'foo', '200', ''],
      ['TTL', 'foo'],
    ]));

  it('EXPIRE with negative expiry, with LT, on volatile and non volatile keys', () =>
    o.compare([
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['EXPIRE', 'foo', '-10', 'LT'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', '-10', 'LT'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', '-10', 'GT'],
      ['TTL', 'foo'],
      ['EXPIRE', 'foo', '-10', 'NX'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar', 'EX', '100'],
      ['EXPIRE', 'foo', '-10', 'GT'],
      ['TTL', 'foo'],
      ['EXPIRE', 'foo', '0', 'XX'],
      ['TTL', 'foo'],
      ['SET', 'foo', 'bar'],
      ['PEXPIREAT', 'foo', '0'],
      ['EXISTS', 'foo'],
      ['SET', 'foo', 'bar'],
      ['EXPIREAT', 'foo', String(nowS() - 100)],
      ['EXISTS', 'foo'],
    ]));

  it('expired keys, lazily or actively reclaimed, are not counted as changes (rdb_changes_since_last_save)', async () => {
    // The counter's absolute value depends on what earlier tests left to expire (timing), so
    // the comparison is of its increments from a baseline taken after FLUSHALL.
    const info = { cmd: ['INFO', 'persistence'], ignore: true };
    const result = await o.run([
      ['CONFIG', 'SET', 'save', ''],
      ['FLUSHALL'],
      info,
      ['SET', 'x', '1', 'PX', '1'],
      ['SET', 'y', '1', 'PX', '1'],
      { poll: ['DBSIZE'], until: /^:0\r\n$/ }, // active expiry reclaims them (hz 10)
      info,
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'z', '1', 'PX', '1'],
      { pause: 20 },
      ['EXISTS', 'z'],
      ['DEL', 'z'],
      info,
      ['SET', 'z', '1'],
      ['EXPIRE', 'z', '-1'], // deleting through EXPIRE is a change
      info,
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]);
    const deltas = (replies: Buffer[]): number[] => {
      const values = replies
        .map((r) => /rdb_changes_since_last_save:(\d+)/.exec(r.toString('latin1'))?.[1])
        .filter((v): v is string => v !== undefined)
        .map(Number);
      return values.map((v) => v - values[0]!);
    };
    // Two SETs; the expired z is not a change, nor is DEL of a key already gone; SET and the
    // deleting EXPIRE are.
    assert.deepEqual(deltas(result.redis), [0, 2, 3, 5]);
    assert.deepEqual(deltas(result.shoal), [0, 2, 3, 5]);
  });

  it('expiry statistics: expired_keys is not bumped by EXPIRE in the past', () =>
    o.compare([
      ['CONFIG', 'RESETSTAT'],
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', '-1'],
      { cmd: ['INFO', 'stats'], normalize: (s: string) => /expired_keys:\d+/.exec(s)?.[0] ?? s },
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'bar', 'x', 'PX', '20'],
      { pause: 60 },
      ['GET', 'bar'],
      { cmd: ['INFO', 'stats'], normalize: (s: string) => /expired_keys:\d+/.exec(s)?.[0] ?? s },
      { cmd: ['INFO', 'stats'], normalize: (s: string) => /keyspace_hits:\d+\r\nkeyspace_misses:\d+/.exec(s)?.[0] ?? s },
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));
});

// ---------------------------------------------------------------------------------------
// Cases that need time to pass: Shoal alone on a FakeClock, asserting the Tcl suite's results.

describe('expire suite on a FakeClock', () => {
  const T0 = 1_700_000_000_123;
  const clock = new FakeClock(T0);
  const t = useNode({ clock });
  const r = t.r;

  beforeEach(async () => {
    t.node.server.activeExpireEnabled = false; // only where a test drives the cron itself
    clock.set(T0);
    assert.equal(await r('FLUSHALL'), '+OK\r\n');
  });

  it('EXPIRE - after 2.1 seconds the key is gone', async () => {
    await r('SET', 'x', 'foobar');
    assert.equal(await r('EXPIRE', 'x', '5'), ':1\r\n');
    assert.equal(await r('TTL', 'x'), ':5\r\n');
    assert.equal(await r('EXPIRE', 'x', '10'), ':1\r\n');
    assert.equal(await r('TTL', 'x'), ':10\r\n');
    assert.equal(await r('EXPIRE', 'x', '2'), ':1\r\n');
    assert.equal(await r('GET', 'x'), '$6\r\nfoobar\r\n');
    clock.advance(2100);
    assert.equal(await r('GET', 'x'), '$-1\r\n');
    assert.equal(await r('EXISTS', 'x'), ':0\r\n');
  });

  it('SETEX - wait for the key to expire; precision is the millisecond', async () => {
    await r('SETEX', 'y', '1', 'foo');
    clock.advance(900);
    assert.equal(await r('GET', 'y'), '$3\r\nfoo\r\n');
    clock.advance(100); // exactly at the expire time the key is still alive
    assert.equal(await r('GET', 'y'), '$3\r\nfoo\r\n');
    assert.equal(await r('PTTL', 'y'), ':0\r\n');
    assert.equal(await r('TTL', 'y'), ':0\r\n');
    clock.advance(1);
    assert.equal(await r('GET', 'y'), '$-1\r\n');
  });

  it('PEXPIRE / PSETEX / PEXPIREAT can set sub-second expires', async () => {
    await r('PSETEX', 'x', '100', 'somevalue');
    clock.advance(80);
    assert.equal(await r('GET', 'x'), '$9\r\nsomevalue\r\n');
    clock.advance(120);
    assert.equal(await r('GET', 'x'), '$-1\r\n');

    await r('SET', 'x', 'somevalue');
    await r('PEXPIRE', 'x', '100');
    clock.advance(80);
    assert.equal(await r('GET', 'x'), '$9\r\nsomevalue\r\n');
    clock.advance(120);
    assert.equal(await r('GET', 'x'), '$-1\r\n');

    await r('SET', 'x', 'somevalue');
    const time = (await r('TIME')).split('\r\n');
    const ms = Number(time[2]) * 1000 + Math.floor(Number(time[4]) / 1000);
    assert.equal(ms, clock.now());
    await r('PEXPIREAT', 'x', String(ms + 200));
    clock.advance(20);
    assert.equal(await r('GET', 'x'), '$9\r\nsomevalue\r\n');
    clock.advance(220);
    assert.equal(await r('GET', 'x'), '$-1\r\n');
  });

  it('TTL rounds to the nearest second; PTTL counts down', async () => {
    await r('SETEX', 'x', '10', 'v');
    clock.advance(1499);
    assert.equal(await r('TTL', 'x'), ':9\r\n'); // 8501 ms left
    assert.equal(await r('PTTL', 'x'), ':8501\r\n');
    clock.advance(2);
    assert.equal(await r('TTL', 'x'), ':8\r\n'); // 8499 ms left
    assert.equal(await r('EXPIRETIME', 'x'), `:${Math.floor((T0 + 10000 + 500) / 1000)}\r\n`);
    assert.equal(await r('PEXPIRETIME', 'x'), `:${T0 + 10000}\r\n`);
  });

  it('Redis should actively expire keys incrementally', async () => {
    await r('PSETEX', 'key1', '500', 'a');
    await r('PSETEX', 'key2', '500', 'a');
    await r('PSETEX', 'key3', '500', 'a');
    await r('SET', 'keep', 'a');
    assert.equal(await r('DBSIZE'), ':4\r\n');
    clock.advance(501);
    t.node.server.activeExpireEnabled = true;
    for (let i = 0; i < 20 && (await r('DBSIZE')) !== ':1\r\n'; i++) t.node.server.cron();
    assert.equal(await r('DBSIZE'), ':1\r\n');
    assert.equal(await r('EXISTS', 'keep'), ':1\r\n');
  });

  it('Redis should lazy expire keys; EXPIRE does not resurrect them', async () => {
    await r('PSETEX', 'key1{t}', '500', 'a');
    await r('PSETEX', 'key2{t}', '500', 'a');
    await r('PSETEX', 'key3{t}', '500', 'a');
    assert.equal(await r('DBSIZE'), ':3\r\n');
    clock.advance(1000);
    t.node.server.cron(); // active expiry is off: the cron must not reclaim them
    assert.equal(await r('DBSIZE'), ':3\r\n');
    assert.equal(await r('MGET', 'key1{t}', 'key2{t}', 'key3{t}'), '*3\r\n$-1\r\n$-1\r\n$-1\r\n');
    assert.equal(await r('DBSIZE'), ':0\r\n');

    await r('SET', 'foo', 'bar');
    await r('PEXPIRE', 'foo', '500');
    clock.advance(1000);
    assert.equal(await r('EXPIRE', 'foo', '10'), ':0\r\n');
    assert.equal(await r('EXISTS', 'foo'), ':0\r\n');
  });

  it('RENAME keeps the absolute expire time', async () => {
    await r('SET', 'a', 'v', 'PX', '1000');
    clock.advance(400);
    await r('RENAME', 'a', 'b');
    assert.equal(await r('PTTL', 'b'), ':600\r\n');
    clock.advance(601);
    assert.equal(await r('GET', 'b'), '$-1\r\n');
  });
});
