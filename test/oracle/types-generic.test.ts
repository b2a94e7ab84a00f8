// Oracle tests for the generic commands over every value type: TYPE, OBJECT ENCODING,
// EXISTS / DEL / UNLINK, RENAME, COPY (deep: the copy is independent), MOVE, EXPIRE and
// PERSIST, SCAN ... TYPE, WRONGTYPE across types, and keys removed when their last element goes.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

/** One key of every type, small encodings. */
const FILL: Step[] = [
  ['SET', 'str', 'v'],
  ['RPUSH', 'list', 'a', 'b'],
  ['SADD', 'set', 'x', 'y'],
  ['SADD', 'iset', '1', '2'],
  ['ZADD', 'zset', '1', 'a', '2', 'b'],
  ['HSET', 'hash', 'f', 'v', 'g', 'w'],
];
const KEYS = ['str', 'list', 'set', 'iset', 'zset', 'hash'];

withOracle('oracle: generic commands over every type', (o) => {
  it('TYPE and OBJECT ENCODING of each type', () =>
    o.compare([...FILL, ...KEYS.flatMap((k) => [['TYPE', k], ['OBJECT', 'ENCODING', k]] as Step[])]));

  it('encodings past their thresholds', () =>
    o.compare([
      ['HSET', 'bighash', 'f', 'x'.repeat(65)],
      ['OBJECT', 'ENCODING', 'bighash'],
      ['SADD', 'bigset', '1', 'a'],
      ['OBJECT', 'ENCODING', 'bigset'],
      ['ZADD', 'bigz', '1', 'x'.repeat(65)],
      ['OBJECT', 'ENCODING', 'bigz'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      ['SADD', 'is', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 'is'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1'],
      ['HSET', 'h2', 'a', '1', 'b', '2'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '1'],
      ['ZADD', 'z2', '1', 'a', '2', 'b'],
      ['OBJECT', 'ENCODING', 'z2'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ]));

  it('WRONGTYPE from every type-specific command family', () =>
    o.compare([
      ...FILL,
      ['GET', 'list'],
      ['APPEND', 'hash', 'x'],
      ['INCR', 'zset'],
      ['LPUSH', 'str', 'x'],
      ['LRANGE', 'set', '0', '-1'],
      ['SADD', 'list', 'x'],
      ['SMEMBERS', 'hash'],
      ['ZADD', 'set', '1', 'x'],
      ['ZRANGE', 'list', '0', '-1'],
      ['HSET', 'zset', 'f', 'v'],
      ['HGETALL', 'str'],
      ['SETBIT', 'list', '1', '1'],
      ['GETBIT', 'hash', '1'],
      ['BITCOUNT', 'set'],
    ]));

  it('RENAME, COPY and MOVE carry aggregates; a COPY is independent of its source', () =>
    o.compare([
      ...FILL,
      ['RENAME', 'list', 'list2'],
      ['LRANGE', 'list2', '0', '-1'],
      ['EXISTS', 'list'],
      ['COPY', 'hash', 'hash2'],
      ['HSET', 'hash2', 'new', '1'],
      ['HGETALL', 'hash'],
      ['HGETALL', 'hash2'],
      ['COPY', 'zset', 'zset2'],
      ['ZADD', 'zset2', '9', 'c'],
      ['ZRANGE', 'zset', '0', '-1', 'WITHSCORES'],
      ['ZRANGE', 'zset2', '0', '-1', 'WITHSCORES'],
      ['COPY', 'iset', 'iset2'],
      ['SADD', 'iset2', '3'],
      ['SMEMBERS', 'iset'],
      ['SMEMBERS', 'iset2'],
      ['COPY', 'list2', 'list3'],
      ['RPUSH', 'list3', 'c'],
      ['LRANGE', 'list2', '0', '-1'],
      ['LRANGE', 'list3', '0', '-1'],
      ['OBJECT', 'ENCODING', 'list3'],
      ['COPY', 'set', 'str'],
      ['COPY', 'set', 'str', 'REPLACE'],
      ['TYPE', 'str'],
      ['MOVE', 'set', '1'],
      ['SELECT', '1'],
      { cmd: ['SMEMBERS', 'set'], sort: true },
      ['TYPE', 'set'],
      ['SELECT', '0'],
      ['EXISTS', 'set'],
      ['RENAMENX', 'zset', 'hash'],
      ['RENAME', 'zset', 'hash'],
      ['TYPE', 'hash'],
    ]));

  it('TTLs on aggregates; DEL, UNLINK, EXISTS, DBSIZE, SCAN TYPE', () =>
    o.compare([
      ...FILL,
      ['EXPIRE', 'hash', '100'],
      ['TTL', 'hash'],
      ['HSET', 'hash', 'h', '1'],
      ['TTL', 'hash'],
      ['PERSIST', 'hash'],
      ['TTL', 'hash'],
      ['PEXPIRE', 'list', '50'],
      { pause: 120 },
      ['EXISTS', 'list'],
      ['LLEN', 'list'],
      ['DBSIZE'],
      ...['list', 'set', 'zset', 'hash', 'string'].map((t): Step => ({ scan: ['TYPE', t] })),
      ['DEL', 'set', 'zset', 'nokey'],
      ['UNLINK', 'hash', 'iset'],
      ['EXISTS', 'set', 'zset', 'hash', 'iset', 'str'],
      ['DBSIZE'],
    ]));

  it('a key goes when its last element goes', () =>
    o.compare([
      ['RPUSH', 'l', 'a'],
      ['LPOP', 'l'],
      ['EXISTS', 'l'],
      ['SADD', 's', 'a'],
      ['SREM', 's', 'a'],
      ['EXISTS', 's'],
      ['SADD', 's', '1'],
      ['SPOP', 's'],
      ['EXISTS', 's'],
      ['ZADD', 'z', '1', 'a'],
      ['ZREM', 'z', 'a'],
      ['EXISTS', 'z'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['ZREMRANGEBYSCORE', 'z', '-inf', '+inf'],
      ['EXISTS', 'z'],
      ['HSET', 'h', 'f', 'v'],
      ['HDEL', 'h', 'f'],
      ['EXISTS', 'h'],
      ['RPUSH', 'l', 'a', 'b'],
      ['LTRIM', 'l', '5', '10'],
      ['EXISTS', 'l'],
      ['RPUSH', 'src', 'x'],
      ['RPOPLPUSH', 'src', 'dst'],
      ['EXISTS', 'src'],
      ['SADD', 'a', '1'],
      ['SMOVE', 'a', 'b', '1'],
      ['EXISTS', 'a'],
      ['SADD', 'x1', 'a'],
      ['SINTERSTORE', 'x2', 'x1', 'nokey'],
      ['EXISTS', 'x2'],
    ]));
});
