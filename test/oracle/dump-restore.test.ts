// Oracle tests for DUMP and RESTORE: DUMP payloads of Shoal and redis-server are byte-identical
// for every type in the same encoding (strings, quicklists, intsets, listpacks, skiplists —
// under rdbcompression, list-max-listpack-size and list-compress-depth settings), and payloads
// cross over: each server's payload restored into both gives the same value, encoding and TTL.
// Hashtable encodings are compared through restores only (Redis writes its dict order, which
// is seeded per process).
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import type { Arg } from '../helpers/raw-client.js';

/** The payload of a raw RESP bulk reply ("$<n>\r\n<payload>\r\n"). */
export function bulkOf(raw: Buffer): Buffer {
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.subarray(1, nl).toString('latin1'));
  if (raw[0] !== 0x24 || !(n >= 0)) throw new Error(`not a bulk reply: ${raw.toString('latin1').slice(0, 40)}`);
  return raw.subarray(nl + 2, nl + 2 + n);
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Writes key with `setup`, then compares DUMP byte for byte and the encoding. */
function dumpSteps(key: string, setup: readonly Arg[][]): Step[] {
  return [...setup, ['DUMP', key], ['OBJECT', 'ENCODING', key]];
}

withOracle('oracle: DUMP payloads are byte-identical', (o) => {
  it('strings: raw, integer-encoded, LZF-compressed, binary', () =>
    o.compare([
      ...dumpSteps('a', [['SET', 'a', 'hello']]),
      ...dumpSteps('b', [['SET', 'b', '12345']]),
      ...dumpSteps('c', [['SET', 'c', '-2147483648']]),
      ...dumpSteps('d', [['SET', 'd', '2147483648']]),
      ...dumpSteps('e', [['SET', 'e', '9223372036854775807']]),
      ...dumpSteps('f', [['SET', 'f', 'x'.repeat(100)]]),
      ...dumpSteps('g', [['SET', 'g', 'The quick brown fox jumps over the lazy dog, the quick brown fox']]),
      ...dumpSteps('h', [['SET', 'h', Buffer.from([0, 255, 13, 10, 0, 1, 2])]]),
      ...dumpSteps('i', [['SET', 'i', '']]),
      ...dumpSteps('j', [['SET', 'j', 'abcdefghijklmnopqrstu']]),
      ...dumpSteps('k', [['SET', 'k', '007']]),
      ...dumpSteps('l', [['SET', 'l', '1'], ['INCRBYFLOAT', 'l', '2']]),
      ...dumpSteps('m', [['SET', 'm', 'abc'], ['APPEND', 'm', 'def']]),
      ...dumpSteps('n', [['SET', 'n', 'y'.repeat(20000)]]),
      ['DUMP', 'missing'],
    ]));

  it('lists: one and many quicklist nodes, integers of every width', () =>
    o.compare([
      ...dumpSteps('l1', [['RPUSH', 'l1', 'a', 'b', '1', '-5', '300', '70000', '-9223372036854775808', 'x'.repeat(70)]]),
      ...dumpSteps('l2', [['RPUSH', 'l2', ...range(2000, (i) => 'el' + i)]]),
      ...dumpSteps('l3', [['RPUSH', 'l3', ...range(3000, (i) => String(i * 7919))]]),
      ...dumpSteps('l4', [['RPUSH', 'l4', ...range(300, (i) => 'v'.repeat(i % 400))]]),
      ...dumpSteps('l5', [['LPUSH', 'l5', 'c', 'b', 'a']]),
      ...dumpSteps('l6', [['RPUSH', 'l6', 'x'.repeat(9000), 'y', 'z'.repeat(5000)]]),
    ]));

  for (const fill of ['-1', '-3', '-5', '0', '1', '5', '128']) {
    it(`lists under list-max-listpack-size ${fill}`, () =>
      o.compare([
        ['CONFIG', 'SET', 'list-max-listpack-size', fill],
        ...dumpSteps('l', [['RPUSH', 'l', ...range(400, (i) => 'v'.repeat(i % 50) + i)]]),
        ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
      ]));
  }

  it('lists under list-compress-depth 1 and 2 (interior nodes LZF-compressed)', () =>
    o.compare([
      ['CONFIG', 'SET', 'list-compress-depth', '1'],
      ...dumpSteps('c1', [['RPUSH', 'c1', ...range(3000, (i) => 'value-' + (i % 100))]]),
      ['CONFIG', 'SET', 'list-compress-depth', '2'],
      ...dumpSteps('c2', [['RPUSH', 'c2', ...range(5000, (i) => 'value-' + (i % 10))]]),
      ['CONFIG', 'SET', 'list-compress-depth', '0'],
    ]));

  it('sets: intsets of 16-, 32- and 64-bit members', () =>
    o.compare([
      ...dumpSteps('s1', [['SADD', 's1', ...range(20, String)]]),
      ...dumpSteps('s2', [['SADD', 's2', '1', '100000', '-5']]),
      ...dumpSteps('s3', [['SADD', 's3', '1', '10000000000', '-9223372036854775808']]),
      ...dumpSteps('s4', [['SADD', 's4', ...range(512, (i) => String(i * 3))]]),
      ...dumpSteps('s5', [['SADD', 's5', '1', '2', '100000'], ['SREM', 's5', '100000']]),
    ]));

  it('sorted sets: listpack scores (integers, doubles, infinities) and skiplists', () =>
    o.compare([
      ...dumpSteps('z1', [
        ['ZADD', 'z1', '1', 'a', '2.5', 'b', '-3', 'c', '1e17', 'd', '5e18', 'e', 'inf', 'f', '-inf', 'g', '0.1', '123', '-0', 'h'],
      ]),
      ...dumpSteps('z2', [['ZADD', 'z2', '4611686018427387904', 'p', '4611686018427387905', 'q', '-4611686018427387904', 'r']]),
      ...dumpSteps('z3', [['ZADD', 'z3', ...range(200, (i) => [String(i * 1.5), 'm' + i]).flat()]]),
      ...dumpSteps('z4', [['ZADD', 'z4', '1', 'm'.repeat(65), '2', 'n']]),
      ...dumpSteps('z5', [['ZADD', 'z5', '1', 'a', '2', 'b'], ['ZINCRBY', 'z5', '0.5', 'a']]),
    ]));

  it('hashes: listpacks in insertion order', () =>
    o.compare([
      ...dumpSteps('h1', [['HSET', 'h1', 'f1', 'v1', 'n', '4096', 'big', 'y'.repeat(40)]]),
      ...dumpSteps('h2', [['HSET', 'h2', ...range(100, (i) => ['field' + i, String(i * 1000)]).flat()]]),
      ...dumpSteps('h3', [['HSET', 'h3', 'a', '1', 'b', '2'], ['HSET', 'h3', 'a', 'changed'], ['HDEL', 'h3', 'b']]),
      ...dumpSteps('h4', [['HSET', 'h4', 'n', '1'], ['HINCRBY', 'h4', 'n', '41'], ['HINCRBYFLOAT', 'h4', 'f', '1.5']]),
    ]));

  it('with rdbcompression no', () =>
    o.compare([
      ['CONFIG', 'SET', 'rdbcompression', 'no'],
      ...dumpSteps('a', [['SET', 'a', 'x'.repeat(100)]]),
      ...dumpSteps('l', [['RPUSH', 'l', ...range(300, (i) => 'el' + i)]]),
      ...dumpSteps('h', [['HSET', 'h', ...range(20, (i) => ['f' + i, 'v' + i]).flat()]]),
      ['CONFIG', 'SET', 'rdbcompression', 'yes'],
    ]));

  it('DUMP in RESP3 and argument errors', () =>
    o.compare([
      ['HELLO', '3'],
      ['DUMP', 'missing'],
      ['SET', 'k', 'v'],
      ['DUMP', 'k'],
      ['DUMP'],
      ['DUMP', 'k', 'extra'],
      ['HELLO', '2'],
    ].map((c) => (c[0] === 'HELLO' ? { cmd: c, ignore: true } : c))));
});

withOracle('oracle: payloads restore across servers', (o) => {
  /** Builds `setup` on both, takes each side's DUMP of key and restores both payloads into both. */
  async function crossRestore(key: string, setup: readonly Arg[][], read: (k: string) => Step[]): Promise<void> {
    const r = await o.run([...setup, { cmd: ['DUMP', key], ignore: true }]);
    const fromShoal = bulkOf(r.shoal[r.shoal.length - 1]);
    const fromRedis = bulkOf(r.redis[r.redis.length - 1]);
    await o.compare(
      [
        ['RESTORE', 'viaShoal', '0', fromShoal],
        ['RESTORE', 'viaRedis', '0', fromRedis],
        ...read('viaShoal'),
        ...read('viaRedis'),
        ['OBJECT', 'ENCODING', 'viaShoal'],
        ['OBJECT', 'ENCODING', 'viaRedis'],
      ],
      { flush: false },
    );
  }

  it('hashtable hashes', () =>
    crossRestore('h', [['HSET', 'h', ...range(300, (i) => ['f' + i, 'v' + i]).flat()]], (k) => [
      { cmd: ['HGETALL', k], sort: true },
      ['HLEN', k],
      ['HGET', k, 'f7'],
    ]));

  it('hashes with long values', () =>
    crossRestore('h', [['HSET', 'h', 'a', '1', 'big', 'x'.repeat(100)]], (k) => [{ cmd: ['HGETALL', k], sort: true }]));

  it('hashtable sets', () =>
    crossRestore('s', [['SADD', 's', ...range(300, (i) => 'm' + i)]], (k) => [{ cmd: ['SMEMBERS', k], sort: true }, ['SCARD', k]]));

  it('sets of integers past set-max-intset-entries', () =>
    crossRestore('s', [['SADD', 's', ...range(600, String)]], (k) => [{ cmd: ['SMEMBERS', k], sort: true }]));

  it('skiplist sorted sets', () =>
    crossRestore('z', [['ZADD', 'z', ...range(300, (i) => [String(i / 7), 'm' + (i % 150) + '-' + i]).flat()]], (k) => [
      ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
    ]));

  it('long lists', () =>
    crossRestore('l', [['RPUSH', 'l', ...range(5000, (i) => 'element-' + i)]], (k) => [['LRANGE', k, '0', '-1'], ['LLEN', k]]));

  it('lists built at the head (node layout differs, elements do not)', () =>
    crossRestore('l', [['LPUSH', 'l', ...range(3000, (i) => 'element-' + i)], ['LINSERT', 'l', 'BEFORE', 'element-1500', 'mid']], (k) => [
      ['LRANGE', k, '0', '-1'],
    ]));

  it('strings with and without compression', () =>
    crossRestore('s', [['SET', 's', 'abc'.repeat(1000)]], (k) => [['GET', k], ['STRLEN', k]]));
});
