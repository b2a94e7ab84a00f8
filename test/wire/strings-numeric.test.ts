// Wire tests for INCR DECR INCRBY DECRBY INCRBYFLOAT: int64 limits and overflow, what counts as
// an integer, canonical storage, TTL preservation. Texts checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { peekEntry, putEntry, encodingOf, type EntrySnapshot } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const NOT_FLOAT = '-ERR value is not a valid float\r\n';
const OVERFLOW = '-ERR increment or decrement would overflow\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NAN_INF = '-ERR increment would produce NaN or Infinity\r\n';
const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;

describe('strings: counters', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const entry = (key: string): EntrySnapshot | undefined => peekEntry(node.server.keyspace.dbs[0], key);

  before(async () => {
    node = await startServer({ clock });
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('INCR/DECR/INCRBY/DECRBY basics, missing key starts at 0', async () => {
    assert.equal(await r('INCR', 'n:a'), ':1\r\n');
    assert.equal(await r('INCR', 'n:a'), ':2\r\n');
    assert.equal(await r('DECR', 'n:a'), ':1\r\n');
    assert.equal(await r('DECR', 'n:b'), ':-1\r\n');
    assert.equal(await r('INCRBY', 'n:c', '100'), ':100\r\n');
    assert.equal(await r('INCRBY', 'n:c', '-250'), ':-150\r\n');
    assert.equal(await r('DECRBY', 'n:c', '50'), ':-200\r\n');
    assert.equal(await r('DECRBY', 'n:c', '-201'), ':1\r\n');
    assert.equal(await r('GET', 'n:c'), bulk('1'));
    assert.equal(await redis.incrby('n:io', 5), 5);
  });

  it('int64 limits and overflow', async () => {
    await r('SET', 'o:max', I64_MAX);
    assert.equal(await r('INCR', 'o:max'), OVERFLOW);
    assert.equal(await r('GET', 'o:max'), bulk(I64_MAX), 'unchanged after overflow');
    assert.equal(await r('DECR', 'o:max'), ':9223372036854775806\r\n');
    assert.equal(await r('INCRBY', 'o:max', '1'), `:${I64_MAX}\r\n`);
    await r('SET', 'o:min', I64_MIN);
    assert.equal(await r('DECR', 'o:min'), OVERFLOW);
    assert.equal(await r('INCRBY', 'o:min', '-1'), OVERFLOW);
    assert.equal(await r('DECRBY', 'o:min', '1'), OVERFLOW);
    assert.equal(await r('INCRBY', 'o:min', I64_MAX), ':-1\r\n');
    assert.equal(await r('INCRBY', 'o:new', I64_MIN), `:${I64_MIN}\r\n`);
    assert.equal(await r('INCRBY', 'o:new', I64_MAX), ':-1\r\n');
    assert.equal(await r('DECRBY', 'o:x', I64_MIN), '-ERR decrement would overflow\r\n');
    assert.equal(await r('DECRBY', 'o:x', I64_MAX), `:-${I64_MAX}\r\n`);
    assert.equal(await r('INCRBY', 'o:x', '9223372036854775808'), NOT_INT);
    assert.equal(await r('INCRBY', 'o:x', '-9223372036854775809'), NOT_INT);
    // Crossing 2^53 exactly (bigint path).
    await r('SET', 'o:big', '9007199254740991');
    assert.equal(await r('INCR', 'o:big'), ':9007199254740992\r\n');
    assert.equal(await r('INCRBY', 'o:big', '9007199254740993'), ':18014398509481985\r\n');
    assert.equal(await r('GET', 'o:big'), bulk('18014398509481985'));
    assert.equal(await r('DECRBY', 'o:big', '18014398509481986'), ':-1\r\n');
  });

  it('values that are not canonical int64s are refused', async () => {
    for (const v of [' 1', '1 ', '+1', '01', '-0', '1.5', '', 'abc', '1e3', '9223372036854775808', '0x10', '1\0']) {
      await r('SET', 'ni:k', v);
      assert.equal(await r('INCR', 'ni:k'), NOT_INT, JSON.stringify(v));
      assert.equal(await r('GET', 'ni:k'), bulk(v), 'value unchanged');
    }
    for (const inc of ['1.0', ' 1', 'x', '', '+5']) {
      assert.equal(await r('INCRBY', 'ni:j', inc), NOT_INT, JSON.stringify(inc));
      assert.equal(await r('DECRBY', 'ni:j', inc), NOT_INT, JSON.stringify(inc));
    }
    assert.equal(entry('ni:j'), undefined, 'a bad increment creates nothing');
  });

  it('WRONGTYPE on a non-string value', async () => {
    putEntry(node.server.keyspace.dbs[0], 'wt:h', VType.Hash, new Map(), 0);
    for (const cmd of [['INCR'], ['DECR'], ['INCRBY', '1'], ['DECRBY', '1'], ['INCRBYFLOAT', '1']]) {
      assert.equal(await r(cmd[0], 'wt:h', ...cmd.slice(1)), WRONGTYPE, cmd[0]);
    }
    // The increment is parsed before the key is looked at.
    assert.equal(await r('INCRBY', 'wt:h', 'x'), NOT_INT);
  });

  it('results are stored canonically with the int encoding, and keep the TTL', async () => {
    clock.set(T0);
    await r('SET', 'st:k', 'abc');
    assert.equal(await r('APPEND', 'st:k', 'd'), ':4\r\n');
    await r('SET', 'st:k', '10', 'PX', '5000');
    assert.equal(await r('APPEND', 'st:k', '0'), ':3\r\n');
    assert.equal(encodingOf(entry('st:k')), 'raw');
    assert.equal(await r('INCR', 'st:k'), ':101\r\n');
    assert.equal(encodingOf(entry('st:k')), 'int');
    assert.equal(entry('st:k')?.expireAt, T0 + 5000, 'INCR keeps the TTL');
    assert.equal(await r('INCRBYFLOAT', 'st:k', '0.5'), bulk('101.5'));
    assert.equal(entry('st:k')?.expireAt, T0 + 5000, 'INCRBYFLOAT keeps the TTL');
    clock.advance(5001);
    assert.equal(await r('INCR', 'st:k'), ':1\r\n', 'an expired counter restarts from 0');
    assert.equal(entry('st:k')?.expireAt, -1);
    clock.set(T0);
  });

  it('INCRBYFLOAT', async () => {
    assert.equal(await r('INCRBYFLOAT', 'f:a', '1.5'), bulk('1.5'));
    assert.equal(await r('INCRBYFLOAT', 'f:a', '1.5'), bulk('3'));
    assert.equal(await r('INCRBYFLOAT', 'f:a', '-5'), bulk('-2'));
    assert.equal(await r('INCRBYFLOAT', 'f:a', '2'), bulk('0'));
    assert.equal(await r('INCRBYFLOAT', 'f:a', '5.0e3'), bulk('5000'));
    assert.equal(await r('INCRBYFLOAT', 'f:a', '0x10'), bulk('5016'));
    assert.equal(await r('GET', 'f:a'), bulk('5016'));
    await r('SET', 'f:b', '10.50');
    assert.equal(await r('INCRBYFLOAT', 'f:b', '0.1'), bulk('10.6'));
    await r('SET', 'f:c', '1');
    assert.equal(await r('INCRBYFLOAT', 'f:c', '1e-5'), bulk('1.00001'));
    assert.equal(await redis.incrbyfloat('f:io', '2.25'), '2.25');
  });

  it('INCRBYFLOAT computes in x87 long double and prints %.17Lf like Redis', async () => {
    await r('SET', 'ld:a', '0.1');
    assert.equal(await r('INCRBYFLOAT', 'ld:a', '0.2'), bulk('0.3'));
    await r('SET', 'ld:b', '10.6');
    assert.equal(await r('INCRBYFLOAT', 'ld:b', '-5.0e3'), bulk('-4989.39999999999999991'));
    assert.equal(await r('INCRBYFLOAT', 'ld:c', '1e-30'), bulk('0'));
    assert.equal(await r('INCRBYFLOAT', 'ld:d', '-1e-30'), bulk('0'), '-0 is written 0');
    await r('SET', 'ld:e', '1.7e308');
    const sum = await r('INCRBYFLOAT', 'ld:e', '1.7e308');
    assert.match(sum, /^\$309\r\n34000000000000000000627355605039519359054042777938826746608717152640491210241164/);
  });

  it('INCRBYFLOAT errors', async () => {
    for (const v of ['abc', ' 1', '1 ', '', 'nan', '1.2.3']) {
      assert.equal(await r('INCRBYFLOAT', 'fe:new', v), NOT_FLOAT, JSON.stringify(v));
    }
    assert.equal(entry('fe:new'), undefined);
    await r('SET', 'fe:s', 'abc');
    assert.equal(await r('INCRBYFLOAT', 'fe:s', '1'), NOT_FLOAT);
    assert.equal(await r('INCRBYFLOAT', 'fe:new', 'inf'), NAN_INF);
    assert.equal(await r('INCRBYFLOAT', 'fe:new', '-infinity'), NAN_INF);
    // Long double range (not double range) decides overflow.
    await r('SET', 'fe:big', '1e4932');
    assert.equal(await r('INCRBYFLOAT', 'fe:big', '1e4932'), NAN_INF);
    assert.equal(await r('GET', 'fe:big'), bulk('1e4932'), 'unchanged');
  });
});
