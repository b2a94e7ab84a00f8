// Oracle tests for the keyspace commands: every reply must be byte-identical to redis-server's.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const FAR_S = '4102444800'; // 2100-01-01
const FAR_MS = '4102444800000';
const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';

/** MSET of n keys named prefix0..prefix(n-1). */
function msetMany(prefix: string, n: number): string[] {
  const args = ['MSET'];
  for (let i = 0; i < n; i++) args.push(`${prefix}${i}`, `v${i}`);
  return args;
}

withOracle('oracle: keys', (o) => {
  it('DEL / UNLINK: counts, missing keys, repeated keys', () =>
    o.compare([
      ['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['DEL', 'a'],
      ['DEL', 'a'],
      ['DEL', 'b', 'c', 'missing'],
      ['DEL', 'd', 'd', 'd'],
      ['DBSIZE'],
      ['MSET', 'x', '1', 'y', '2'],
      ['UNLINK', 'x', 'y', 'z', 'x'],
      ['UNLINK', 'x'],
      ['DBSIZE'],
      ['DEL'],
      ['UNLINK'],
      ['SET', 'ttl', 'v', 'PX', '20'],
      { pause: 80 },
      ['DEL', 'ttl'],
    ]));

  it('EXISTS counts repeated keys; TYPE', () =>
    o.compare([
      ['EXISTS', 'a'],
      ['SET', 'a', '1'],
      ['EXISTS', 'a'],
      ['EXISTS', 'a', 'a', 'a'],
      ['EXISTS', 'a', 'b', 'a', 'b'],
      ['EXISTS'],
      ['TYPE', 'a'],
      ['TYPE', 'missing'],
      ['SET', 'n', '12345'],
      ['TYPE', 'n'],
      ['TYPE'],
      ['TYPE', 'a', 'b'],
    ]));

  it('RENAME / RENAMENX', () =>
    o.compare([
      ['RENAME', 'missing', 'x'],
      ['RENAMENX', 'missing', 'x'],
      ['RENAME', 'missing', 'missing'],
      ['RENAMENX', 'missing', 'missing'],
      ['SET', 'a', '1'],
      ['RENAME', 'a', 'b'],
      ['GET', 'a'],
      ['GET', 'b'],
      ['RENAME', 'b', 'b'],
      ['RENAMENX', 'b', 'b'],
      ['GET', 'b'],
      ['SET', 'c', '3'],
      ['RENAMENX', 'b', 'c'],
      ['RENAMENX', 'b', 'd'],
      ['MGET', 'b', 'c', 'd'],
      ['RENAME', 'd', 'c'],
      ['MGET', 'c', 'd'],
      ['SET', 't', 'v', 'EX', '1000'],
      ['RENAME', 't', 't2'],
      { cmd: ['TTL', 't2'], approx: true },
      ['SET', 'plain', 'p'],
      ['SET', 'withttl', 'w', 'EX', '1000'],
      ['RENAME', 'plain', 'withttl'],
      ['TTL', 'withttl'],
      ['GET', 'withttl'],
      ['RENAME', 'a'],
      ['RENAMENX', 'a', 'b', 'c'],
      ['DBSIZE'],
    ]));

  it('KEYS glob patterns', () => {
    const keys = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'hillo', 'h*llo', 'h?llo', 'h[a]llo', 'h\\llo',
      'foo', 'foo:bar', 'foo:baz:1', 'FOO', 'a', 'b', 'c', 'ab', 'abc', '', 'x y', 'new\nline'];
    const script: Step[] = [['MSET', ...keys.flatMap((k) => [k, 'v'])]];
    const patterns = ['*', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[!e]llo', 'h\\*llo', 'h\\?llo',
      'h\\[a\\]llo', 'h\\\\llo', 'foo*', 'foo:*', 'foo:*:*', 'FOO', 'foo', '[a-c]', '[c-a]', '?', '??', '???',
      'a*', '*c', '*b*', '', 'x y', 'new\nline', 'new?line', '[', 'h[', 'h[a', '[]', '*[', '**', 'h*l*o', 'nomatch*',
      '[^a-b]', 'a\\', '\\a', 'ab[c'];
    for (const p of patterns) script.push({ cmd: ['KEYS', p], sort: true });
    script.push(['KEYS'], ['KEYS', '*', 'x']);
    return o.compare(script);
  });

  it('KEYS skips expired keys; binary keys', () =>
    o.compare([
      ['MSET', 'k1', 'v', 'k2', 'v'],
      ['SET', 'k3', 'v', 'PX', '20'],
      ['SET', Buffer.from([0x6b, 0x00, 0xff]), 'v'],
      { pause: 80 },
      { cmd: ['KEYS', 'k*'], sort: true },
      { cmd: ['KEYS', Buffer.from([0x6b, 0x00, 0x2a])], sort: true },
      { cmd: ['KEYS', '*'], sort: true },
    ]));

  it('SCAN full iteration with MATCH / COUNT / TYPE', () =>
    o.compare([
      msetMany('key:', 300),
      msetMany('other:', 50),
      { scan: [] },
      { scan: ['COUNT', '1'] },
      { scan: ['COUNT', '7'] },
      { scan: ['COUNT', '1000'] },
      { scan: ['MATCH', 'key:1*'] },
      { scan: ['MATCH', 'other:?', 'COUNT', '3'] },
      { scan: ['MATCH', 'nothing*'] },
      { scan: ['match', '*:4?'] },
      { scan: ['TYPE', 'string'] },
      { scan: ['TYPE', 'STRING', 'MATCH', 'other:*'] },
      { scan: ['TYPE', 'list'] },
      { scan: ['TYPE', 'hash', 'COUNT', '50'] },
      { scan: ['COUNT', '5', 'MATCH', 'key:2*', 'TYPE', 'string'] },
      { scan: ['COUNT', '5', 'COUNT', '10'] },
      { scan: ['MATCH', 'x', 'MATCH', 'other:1'] },
      ['DBSIZE'],
    ]));

  it('SCAN on empty and tiny databases, expired keys', () =>
    o.compare([
      ['SCAN', '0'],
      ['SCAN', '0', 'MATCH', '*', 'COUNT', '100'],
      ['SET', 'only', 'v'],
      ['SCAN', '0'],
      ['SCAN', '0', 'MATCH', 'o*'],
      ['SCAN', '0', 'MATCH', 'x*'],
      ['SET', 'gone', 'v', 'PX', '20'],
      { pause: 80 },
      { scan: [] },
      { scan: ['MATCH', 'g*'] },
    ]));

  it('SCAN errors', () =>
    o.compare([
      ['SET', 'k', 'v'],
      ['SCAN', 'abc'],
      ['SCAN', ''],
      ['SCAN', ' 0'],
      ['SCAN', '0 '],
      ['SCAN', '1.5'],
      ['SCAN', '0x10'],
      ['SCAN', '99999999999999999999999'],
      ['SCAN', '0', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'abc'],
      ['SCAN', '0', 'COUNT'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN', '0', 'MATCH', '*', 'extra'],
      ['SCAN'],
    ]));

  it('RANDOMKEY on empty, one-key and expired databases', () =>
    o.compare([
      ['RANDOMKEY'],
      ['SET', 'only', 'v'],
      ['RANDOMKEY'],
      ['RANDOMKEY'],
      ['DEL', 'only'],
      ['RANDOMKEY'],
      ['SET', Buffer.from([0, 1, 2, 13, 10]), 'v'],
      ['RANDOMKEY'],
      ['FLUSHDB'],
      ['SET', 'exp', 'v', 'PX', '20'],
      { pause: 80 },
      ['RANDOMKEY'],
      ['RANDOMKEY', 'x'],
    ]));

  it('DBSIZE / FLUSHDB / FLUSHALL with SYNC and ASYNC', () =>
    o.compare([
      ['DBSIZE'],
      ['MSET', 'a', '1', 'b', '2'],
      ['DBSIZE'],
      ['FLUSHDB'],
      ['DBSIZE'],
      ['MSET', 'a', '1', 'b', '2'],
      ['FLUSHDB', 'ASYNC'],
      ['DBSIZE'],
      ['MSET', 'a', '1'],
      ['FLUSHDB', 'sync'],
      ['DBSIZE'],
      ['SET', 'a', '1'],
      ['SELECT', '1'],
      ['SET', 'b', '1'],
      ['FLUSHDB'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['SELECT', '1'],
      ['SET', 'b', '1'],
      ['FLUSHALL', 'ASYNC'],
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['SET', 'c', '1'],
      ['FLUSHALL', 'SYNC'],
      ['DBSIZE'],
      ['FLUSHALL', 'foo'],
      ['FLUSHDB', 'foo'],
      ['FLUSHALL', 'SYNC', 'ASYNC'],
      ['FLUSHDB', 'ASYNC', 'x'],
      ['DBSIZE', 'x'],
    ]));

  it('EXPIRE / PEXPIRE / TTL / PTTL / PERSIST basics', () =>
    o.compare([
      ['EXPIRE', 'missing', '100'],
      ['PEXPIRE', 'missing', '100'],
      ['TTL', 'missing'],
      ['PTTL', 'missing'],
      ['PERSIST', 'missing'],
      ['SET', 'k', 'v'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['PERSIST', 'k'],
      ['EXPIRE', 'k', '100'],
      { cmd: ['TTL', 'k'], approx: true },
      { cmd: ['PTTL', 'k'], approx: 1000 },
      ['PEXPIRE', 'k', '50000'],
      { cmd: ['TTL', 'k'], approx: true },
      ['PERSIST', 'k'],
      ['TTL', 'k'],
      ['PERSIST', 'k'],
      ['expire', 'k', '10'],
      ['SET', 'k', 'new'],
      ['TTL', 'k'],
      ['PEXPIRE', 'k', '30'],
      ['GET', 'k'],
      { pause: 120 },
      ['TTL', 'k'],
      ['GET', 'k'],
      ['EXISTS', 'k'],
    ]));

  it('EXPIRE family: zero, negative and past times delete the key', () =>
    o.compare([
      ['MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1', 'e', '1', 'f', '1'],
      ['EXPIRE', 'a', '0'],
      ['EXPIRE', 'b', '-1'],
      ['PEXPIRE', 'c', '-1000'],
      ['EXPIREAT', 'd', '1'],
      ['PEXPIREAT', 'e', '1'],
      ['EXPIREAT', 'f', '-100'],
      ['MGET', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['DBSIZE'],
      ['EXPIRE', 'a', '-1'],
      ['EXPIREAT', 'a', '0'],
      ['SET', 'g', '1'],
      ['EXPIRE', 'g', I64_MIN],
      ['EXISTS', 'g'],
    ]));

  it('EXPIREAT / PEXPIREAT / EXPIRETIME / PEXPIRETIME', () =>
    o.compare([
      ['EXPIRETIME', 'missing'],
      ['PEXPIRETIME', 'missing'],
      ['SET', 'k', 'v'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['EXPIREAT', 'k', FAR_S],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4102444800123'],
      ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4102444800999'],
      ['EXPIRETIME', 'k'],
      ['EXPIREAT', 'missing', FAR_S],
      ['PEXPIREAT', 'missing', FAR_MS],
      ['PERSIST', 'k'],
      ['PEXPIRETIME', 'k'],
      ['EXPIRETIME'],
      ['PEXPIRETIME', 'k', 'x'],
    ]));

  it('EXPIRE NX / XX / GT / LT semantics', () =>
    o.compare([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'XX'],
      ['EXPIRE', 'k', '100', 'GT'],
      ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'LT'],
      { cmd: ['TTL', 'k'], approx: true },
      ['EXPIRE', 'k', '200', 'NX'],
      ['EXPIRE', 'k', '200', 'XX'],
      { cmd: ['TTL', 'k'], approx: true },
      ['EXPIRE', 'k', '100', 'GT'],
      ['EXPIRE', 'k', '300', 'GT'],
      { cmd: ['TTL', 'k'], approx: true },
      ['EXPIRE', 'k', '400', 'LT'],
      ['EXPIRE', 'k', '50', 'LT'],
      { cmd: ['TTL', 'k'], approx: true },
      ['PEXPIRE', 'k', '10000000', 'gt'],
      ['PEXPIRE', 'k', '1000', 'lt'],
      { cmd: ['TTL', 'k'], approx: true },
      ['EXPIREAT', 'k', FAR_S, 'NX'],
      ['EXPIREAT', 'k', FAR_S, 'XX'],
      ['EXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', FAR_MS, 'GT'],
      ['PEXPIREAT', 'k', '4102444800001', 'GT'],
      ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4102444700000', 'LT'],
      ['PEXPIRETIME', 'k'],
      ['EXPIRE', 'k', '-1', 'GT'],
      ['EXISTS', 'k'],
      ['EXPIRE', 'k', '-1', 'LT'],
      ['EXISTS', 'k'],
      ['SET', 'p', 'v'],
      ['EXPIRE', 'p', '-1', 'XX'],
      ['EXISTS', 'p'],
      ['EXPIRE', 'p', '-1', 'NX'],
      ['EXISTS', 'p'],
      ['EXPIRE', 'missing', '10', 'NX'],
      ['EXPIRE', 'missing', '10', 'LT'],
      ['SET', 'q', 'v', 'EX', '100'],
      ['EXPIRE', 'q', '100', 'NX', 'NX'],
      ['EXPIRE', 'q', '200', 'XX', 'GT'],
      { cmd: ['TTL', 'q'], approx: true },
      ['EXPIRE', 'q', '300', 'GT', 'XX'],
      { cmd: ['TTL', 'q'], approx: true },
    ]));

  it('EXPIRE family: incompatible and unknown options', () =>
    o.compare([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'NX', 'XX'],
      ['EXPIRE', 'k', '100', 'XX', 'NX'],
      ['EXPIRE', 'k', '100', 'NX', 'GT'],
      ['EXPIRE', 'k', '100', 'LT', 'NX'],
      ['EXPIRE', 'k', '100', 'GT', 'LT'],
      ['EXPIRE', 'k', '100', 'LT', 'GT'],
      ['PEXPIRE', 'k', '100', 'NX', 'XX'],
      ['EXPIREAT', 'k', FAR_S, 'GT', 'LT'],
      ['PEXPIREAT', 'k', FAR_MS, 'NX', 'LT'],
      ['EXPIRE', 'k', '100', 'FOO'],
      ['EXPIRE', 'k', '100', 'NX', 'FOO'],
      ['PEXPIRE', 'k', '100', 'KEEPTTL'],
      ['EXPIRE', 'k', '100', ''],
      ['EXPIRE', 'missing', '100', 'NX', 'XX'],
      ['EXPIRE', 'missing', '100', 'BAR'],
      ['TTL', 'k'],
    ]));

  it('EXPIRE family: non-integer and overflowing times', () =>
    o.compare([
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', 'abc'],
      ['EXPIRE', 'k', '1.5'],
      ['EXPIRE', 'k', ''],
      ['EXPIRE', 'k', ' 10'],
      ['EXPIRE', 'k', '10 '],
      ['EXPIRE', 'k', '+10'],
      ['EXPIRE', 'k', '9223372036854775808'],
      ['EXPIRE', 'k', I64_MAX],
      ['EXPIRE', 'k', '9223372036854775'],
      ['EXPIRE', 'k', '9223372036854776'],
      ['PEXPIRE', 'k', I64_MAX],
      ['PEXPIRE', 'k', '9223372036854775000'],
      ['EXPIREAT', 'k', I64_MAX],
      ['EXPIREAT', 'k', '9223372036854775'],
      ['PEXPIREAT', 'k', I64_MAX],
      ['PEXPIREAT', 'k', '1.5'],
      ['EXPIRE', 'missing', I64_MAX],
      ['EXPIRE', 'missing', 'abc'],
      ['EXPIRE', 'k', I64_MIN],
      ['EXISTS', 'k'],
      ['SET', 'k', 'v'],
      ['PEXPIRE', 'k', I64_MIN],
      ['EXISTS', 'k'],
      ['SET', 'k', 'v'],
      ['PEXPIREAT', 'k', I64_MIN],
      ['EXISTS', 'k'],
      ['TTL', 'k'],
    ]));

  it('TTL/PTTL/EXPIRE arity', () =>
    o.compare([
      ['EXPIRE', 'k'],
      ['PEXPIRE'],
      ['EXPIREAT', 'k'],
      ['PEXPIREAT', 'k'],
      ['TTL'],
      ['TTL', 'a', 'b'],
      ['PTTL'],
      ['PERSIST'],
      ['PERSIST', 'a', 'b'],
      ['EXPIRETIME'],
    ]));

  it('TOUCH', () =>
    o.compare([
      ['TOUCH', 'a'],
      ['MSET', 'a', '1', 'b', '2'],
      ['TOUCH', 'a'],
      ['TOUCH', 'a', 'b', 'c'],
      ['TOUCH', 'a', 'a', 'a'],
      ['TOUCH'],
    ]));

  it('COPY: same db, DB n, REPLACE, TTL, errors', () =>
    o.compare([
      ['COPY', 'missing', 'dst'],
      ['SET', 'src', 'hello'],
      ['COPY', 'src', 'dst'],
      ['MGET', 'src', 'dst'],
      ['SET', 'dst', 'other'],
      ['COPY', 'src', 'dst'],
      ['GET', 'dst'],
      ['COPY', 'src', 'dst', 'REPLACE'],
      ['GET', 'dst'],
      ['COPY', 'src', 'src'],
      ['COPY', 'src', 'src', 'REPLACE'],
      ['COPY', 'src', 'src', 'DB', '0'],
      ['COPY', 'src', 'src', 'DB', '1'],
      ['COPY', 'src', 'd1', 'DB', '1'],
      ['COPY', 'src', 'd1', 'DB', '1'],
      ['COPY', 'src', 'd1', 'db', '1', 'replace'],
      ['SELECT', '1'],
      ['GET', 'd1'],
      ['GET', 'src'],
      ['SELECT', '0'],
      ['SET', 't', 'v', 'EX', '1000'],
      ['COPY', 't', 't2'],
      { cmd: ['TTL', 't2'], approx: true },
      ['SET', 'n', '123'],
      ['COPY', 'n', 'n2'],
      ['OBJECT', 'ENCODING', 'n2'],
      ['COPY', 'src', 'x', 'DB', '16'],
      ['COPY', 'src', 'x', 'DB', '-1'],
      ['COPY', 'src', 'x', 'DB', 'abc'],
      ['COPY', 'src', 'x', 'DB'],
      ['COPY', 'src', 'x', 'FOO'],
      ['COPY', 'src', 'x', 'REPLACE', 'FOO'],
      ['COPY', 'src', 'x', 'REPLACE', 'REPLACE'],
      ['COPY', 'missing', 'x', 'DB', '99'],
      ['COPY', 'src'],
      ['EXISTS', 'x'],
    ]));

  it('MOVE between databases', () =>
    o.compare([
      ['MOVE', 'missing', '1'],
      ['SET', 'k', 'v'],
      ['MOVE', 'k', '1'],
      ['EXISTS', 'k'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['SET', 'k2', 'in1'],
      ['SELECT', '0'],
      ['SET', 'k2', 'in0'],
      ['MOVE', 'k2', '1'],
      ['GET', 'k2'],
      ['SET', 't', 'v', 'EX', '1000'],
      ['MOVE', 't', '2'],
      ['SELECT', '2'],
      { cmd: ['TTL', 't'], approx: true },
      ['SELECT', '0'],
      ['SET', 'z', 'v'],
      ['MOVE', 'z', '0'],
      ['MOVE', 'missing', '0'],
      ['MOVE', 'z', '16'],
      ['MOVE', 'z', '-1'],
      ['MOVE', 'z', 'abc'],
      ['MOVE', 'z', '1.5'],
      ['MOVE', 'z'],
      ['MOVE', 'z', '1', '2'],
      ['EXISTS', 'z'],
    ]));

  it('SELECT and out-of-range databases', () =>
    o.compare([
      ['SET', 'k', 'db0'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['SET', 'k', 'db1'],
      ['SELECT', '15'],
      ['DBSIZE'],
      ['SELECT', '16'],
      ['SELECT', '-1'],
      ['SELECT', 'abc'],
      ['SELECT', '1.5'],
      ['SELECT', ''],
      ['SELECT', I64_MAX],
      ['SELECT', '0'],
      ['GET', 'k'],
      { cmd: ['GET', 'k'], conn: 1, note: 'new connection starts in db 0' },
      ['SELECT'],
      ['SELECT', '1', '2'],
    ]));

  it('SWAPDB, visible from other connections', () =>
    o.compare([
      ['SET', 'k', 'zero'],
      ['SELECT', '1'],
      ['SET', 'k', 'one'],
      ['SET', 'only1', 'x'],
      { cmd: ['SELECT', '1'], conn: 1 },
      { cmd: ['GET', 'k'], conn: 1 },
      ['SWAPDB', '0', '1'],
      ['GET', 'k'],
      { cmd: ['GET', 'k'], conn: 1 },
      { cmd: ['EXISTS', 'only1'], conn: 1 },
      ['DBSIZE'],
      ['SWAPDB', '1', '0'],
      ['GET', 'k'],
      ['SWAPDB', '0', '0'],
      ['GET', 'k'],
      ['SWAPDB', '0', '16'],
      ['SWAPDB', '16', '0'],
      ['SWAPDB', '-1', '0'],
      ['SWAPDB', 'a', '0'],
      ['SWAPDB', '0', 'b'],
      ['SWAPDB', '0'],
      ['SWAPDB', '0', '1', '2'],
      ['SET', 't', 'v', 'EX', '1000'],
      ['SWAPDB', '1', '3'],
      ['SELECT', '3'],
      { cmd: ['TTL', 't'], approx: true },
    ]));

  it('OBJECT ENCODING: int / embstr / raw boundaries', () => {
    const script: Step[] = [];
    const values: (string | Buffer)[] = ['0', '1', '-1', '123', '9999', '10000', '12345678', I64_MAX, I64_MIN,
      '9223372036854775808', '01', '+1', ' 1', '1 ', '-0', '1.5', '', 'abc', 'x'.repeat(43), 'x'.repeat(44),
      'x'.repeat(45), 'x'.repeat(100), '1'.repeat(20), '1'.repeat(19), Buffer.from([0, 1, 2])];
    values.forEach((v, i) => script.push(['SET', `k${i}`, v], ['OBJECT', 'ENCODING', `k${i}`]));
    script.push(
      ['OBJECT', 'ENCODING', 'missing'],
      ['SET', 'a', 'x'.repeat(10)],
      ['APPEND', 'a', 'y'],
      ['OBJECT', 'ENCODING', 'a'],
      ['SET', 'n', '12'],
      ['APPEND', 'n', '3'],
      ['OBJECT', 'ENCODING', 'n'],
      ['APPEND', 'new', 'short'],
      ['OBJECT', 'ENCODING', 'new'],
      ['SET', 'r', 'abc'],
      ['SETRANGE', 'r', '1', 'Z'],
      ['OBJECT', 'ENCODING', 'r'],
      ['SETRANGE', 'sr', '0', '12'],
      ['OBJECT', 'ENCODING', 'sr'],
      ['SET', 'i', '10'],
      ['INCR', 'i'],
      ['OBJECT', 'ENCODING', 'i'],
      ['INCRBY', 'i', '100000'],
      ['OBJECT', 'ENCODING', 'i'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['OBJECT', 'ENCODING', 'f'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['OBJECT', 'ENCODING', 'f'],
      ['SET', 'e', 'x'.repeat(44), 'EX', '100'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SET', 'ie', '42', 'EX', '100'],
      ['OBJECT', 'ENCODING', 'ie'],
      ['MSET', 'm1', '5', 'm2', 'x'.repeat(45)],
      ['OBJECT', 'ENCODING', 'm1'],
      ['OBJECT', 'ENCODING', 'm2'],
      ['GETSET', 'g', '77'],
      ['OBJECT', 'ENCODING', 'g'],
      ['SETEX', 'se', '100', '77'],
      ['OBJECT', 'ENCODING', 'se'],
      ['RENAME', 'm1', 'm3'],
      ['OBJECT', 'ENCODING', 'm3'],
      ['object', 'encoding', 'm2'],
    );
    return o.compare(script);
  });

  it('OBJECT REFCOUNT / IDLETIME / FREQ / HELP / errors', () =>
    o.compare([
      ['SET', 'small', '100'],
      ['SET', 'big', '100000'],
      ['SET', 's', 'hello'],
      ['OBJECT', 'REFCOUNT', 'small'],
      ['OBJECT', 'REFCOUNT', 'big'],
      ['OBJECT', 'REFCOUNT', 's'],
      ['OBJECT', 'REFCOUNT', 'missing'],
      { cmd: ['OBJECT', 'IDLETIME', 's'], approx: true },
      ['OBJECT', 'IDLETIME', 'missing'],
      ['OBJECT', 'FREQ', 's'],
      ['OBJECT', 'FREQ', 'missing'],
      ['OBJECT', 'HELP'],
      ['OBJECT', 'help'],
      ['OBJECT', 'HELP', 'extra'],
      ['OBJECT', 'FOO'],
      ['OBJECT', 'FOO', 'k'],
      ['OBJECT'],
      ['OBJECT', 'ENCODING'],
      ['OBJECT', 'ENCODING', 'a', 'b'],
      ['OBJECT', 'REFCOUNT'],
      ['OBJECT', 'IDLETIME'],
      ['OBJECT', 'FREQ'],
    ]));
});
