// Oracle tests for the hash commands: every reply must be byte-identical to redis-server 7.0's.
// Small (listpack) hashes are compared unsorted, since Redis answers them in insertion order;
// hashtable replies are compared as multisets. Includes the deterministic cases of Redis's
// tests/unit/type/hash.tcl.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withOracle, type OracleContext, type Step } from '../helpers/oracle.js';
import { RawClient, parseReply, type Arg } from '../helpers/raw-client.js';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const BIN = Buffer.from([0, 13, 10, 255, 0x80, 0]);

/** n HSET steps on key: fields f0.., values v0.. */
function fill(key: string, n: number, from = 0): Step[] {
  const out: Step[] = [];
  for (let i = from; i < from + n; i++) out.push(['HSET', key, `f${i}`, `v${i}`]);
  return out;
}

/** Deterministic pseudo-random generator (LCG) for fuzz scripts. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A random field or value: a small signed integer, or a short/long string (like randomValue). */
function randomValue(rnd: () => number): string {
  const r = rnd();
  if (r < 0.3) return String(Math.floor(rnd() * 1024) - 512);
  if (r < 0.5) return String(Math.floor(rnd() * 2 ** 40) - 2 ** 39);
  const len = r < 0.9 ? Math.floor(rnd() * 12) : 60 + Math.floor(rnd() * 10);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + Math.floor(rnd() * 26));
  return s;
}

/** Full HSCAN iteration on one server: the sorted "field=value" pairs seen. */
async function hscanAll(port: number, key: string, extra: Arg[]): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    const seen = new Set<string>();
    let cursor = '0';
    for (let iter = 0; iter < 100_000; iter++) {
      const v = parseReply(await c.call('HSCAN', key, cursor, ...extra));
      assert.ok(Array.isArray(v) && v.length === 2 && Array.isArray(v[1]), `bad HSCAN reply: ${String(v)}`);
      const items = v[1] as unknown[];
      assert.equal(items.length % 2, 0);
      for (let i = 0; i < items.length; i += 2) seen.add(`${String(items[i])}=${String(items[i + 1])}`);
      cursor = String(v[0]);
      if (cursor === '0') return [...seen].sort();
    }
    throw new Error('HSCAN did not terminate');
  } finally {
    await c.close();
  }
}

/** Runs setup on both servers, then compares full HSCAN iterations of key. */
async function compareHscan(o: OracleContext, setup: Step[], key: string, extra: Arg[]): Promise<void> {
  await o.compare(setup);
  const [a, b] = await Promise.all([hscanAll(o.shoal, key, extra), hscanAll(o.redis, key, extra)]);
  assert.deepEqual(a, b);
}

/** WATCH key on connection 1, run cmd on connection 0, then MULTI/PING/EXEC on connection 1. */
function watched(key: string, cmd: Arg[], ignoreReply = false): Step[] {
  return [
    { cmd: ['WATCH', key], conn: 1 },
    { cmd, ignore: ignoreReply },
    { cmd: ['MULTI'], conn: 1 },
    { cmd: ['PING'], conn: 1 },
    { cmd: ['EXEC'], conn: 1, note: `aborted iff ${cmd.join(' ')} modified ${key}` },
  ];
}

/** rdb_changes_since_last_save from an INFO reply. */
function dirtyOf(raw: Buffer): number {
  const m = /rdb_changes_since_last_save:(\d+)/.exec(raw.toString('latin1'));
  assert.ok(m !== null, 'INFO persistence lacks rdb_changes_since_last_save');
  return Number(m[1]);
}

const resetLimits: Step[] = [
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
];

withOracle('oracle: hashes', (o) => {
  it('HSET / HGET / HLEN: insert, update, several pairs, repeated field', () =>
    o.compare([
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'h', 'a', '2'],
      ['HGET', 'h', 'a'],
      ['HSET', 'h', 'b', '2', 'c', '3', 'a', '9'],
      ['HSET', 'h', 'd', '1', 'd', '2'],
      ['HGET', 'h', 'd'],
      ['HLEN', 'h'],
      ['HGETALL', 'h'],
      ['HKEYS', 'h'],
      ['HVALS', 'h'],
      ['HGET', 'h', 'nope'],
      ['HGET', 'nokey', 'a'],
      ['HLEN', 'nokey'],
      ['TYPE', 'h'],
      ['OBJECT', 'ENCODING', 'h'],
      ['hset', 'lower', 'F', 'V'],
      ['hGeT', 'lower', 'F'],
      ['hget', 'lower', 'f'],
    ]));

  it('empty and binary fields and values', () =>
    o.compare([
      ['HSET', 'h', '', ''],
      ['HGET', 'h', ''],
      ['HSTRLEN', 'h', ''],
      ['HEXISTS', 'h', ''],
      ['HSET', 'h', BIN, Buffer.from('a\r\nb\r\n$3\r\n')],
      ['HGET', 'h', BIN],
      ['HSET', 'h', 'utf8 ☃', 'héllo'],
      ['HSTRLEN', 'h', 'utf8 ☃'],
      ['HGETALL', 'h'],
      ['HMGET', 'h', BIN, '', 'utf8 ☃', 'x'],
      ['HDEL', 'h', BIN],
      ['HKEYS', 'h'],
    ]));

  it('listpack order: updates keep their place, deletes close the gap', () =>
    o.compare([
      ['HSET', 'h', 'z', '1', 'y', '2', 'x', '3', 'w', '4'],
      ['HSET', 'h', 'y', 'updated'],
      ['HDEL', 'h', 'x'],
      ['HSET', 'h', 'x', 'back'],
      ['HGETALL', 'h'],
      ['HKEYS', 'h'],
      ['HVALS', 'h'],
      ['HSCAN', 'h', '0'],
    ]));

  it('HMSET and argument-count errors', () =>
    o.compare([
      ['HMSET', 'h', 'a', '1', 'b', '2'],
      ['HGETALL', 'h'],
      ['HMSET', 'h', 'a', '1', 'b'],
      ['HSET', 'h', 'a', '1', 'b'],
      ['HSET', 'h', 'a'],
      ['HMSET', 'h'],
      ['HSET'],
      ['SET', 's', 'x'],
      ['HSET', 's', 'a', '1', 'b'],
      ['HSETNX', 'h', 'a'],
      ['HGET', 'h'],
      ['HMGET', 'h'],
      ['HDEL', 'h'],
      ['HEXISTS', 'h'],
      ['HLEN'],
      ['HLEN', 'h', 'x'],
      ['HSTRLEN', 'h'],
      ['HKEYS'],
      ['HVALS', 'h', 'x'],
      ['HGETALL'],
      ['HINCRBY', 'h', 'a'],
      ['HINCRBYFLOAT', 'h', 'a', '1', '2'],
      ['HRANDFIELD'],
      ['HSCAN', 'h'],
      ['HGETALL', 'h'],
    ]));

  it('HSETNX', () =>
    o.compare([
      ['HSETNX', 'h', 'a', 'foo'],
      ['HGET', 'h', 'a'],
      ['HSETNX', 'h', 'a', 'bar'],
      ['HGET', 'h', 'a'],
      ['HSETNX', 'h', 'b', 'bar'],
      ['HGETALL', 'h'],
      ...fill('big', 600),
      ['HSETNX', 'big', '__123__', 'foo'],
      ['HSETNX', 'big', '__123__', 'bar'],
      ['HGET', 'big', '__123__'],
      ['HLEN', 'big'],
    ]));

  it('HMGET, HEXISTS, HSTRLEN on missing keys and fields (RESP2 and RESP3)', () =>
    o.compare([
      ['HMGET', 'doesntexist', '__123__', '__456__'],
      ['HSET', 'h', 'a', '1'],
      ['HMGET', 'h', '__123__', 'a', '__456__'],
      ['HEXISTS', 'h', 'a'],
      ['HEXISTS', 'h', 'b'],
      ['HEXISTS', 'nokey', 'a'],
      ['HSTRLEN', 'h', 'b'],
      ['HSTRLEN', 'nokey', 'b'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['HMGET', 'doesntexist', '__123__'],
      ['HMGET', 'h', 'a', 'zz'],
      ['HGET', 'h', 'zz'],
      ['HGET', 'h', 'a'],
      ['HGETALL', 'h'],
      ['HGETALL', 'nokey'],
      ['HKEYS', 'nokey'],
      ['HVALS', 'nokey'],
      ['HKEYS', 'h'],
      ['HLEN', 'h'],
    ]));

  it('HSTRLEN corner cases (values stored as integers in a listpack)', () => {
    const vals = [I64_MIN, I64_MAX, '9223372036854775808', '', '0', '-1', 'x', '17179869184', '-0', '007', '1e3'];
    const steps: Step[] = [];
    for (const v of vals) {
      steps.push(['HSET', 'h', 'f', v], ['HSTRLEN', 'h', 'f'], ['HGET', 'h', 'f']);
      steps.push(['HSET', 'big', 'f', v, 'long', 'x'.repeat(100)], ['HSTRLEN', 'big', 'f']);
    }
    return o.compare(steps);
  });

  it('HDEL: return value, several fields, key removed when emptied', () =>
    o.compare([
      ['HDEL', 'nokey', 'a'],
      ['HMSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HDEL', 'h', 'x', 'y'],
      ['HDEL', 'h', 'a', 'c', 'f'],
      ['HGETALL', 'h'],
      ['HMSET', 'h', 'a', '1', 'c', '3'],
      ['HDEL', 'h', 'a', 'a', 'a'],
      ['HDEL', 'h', 'a', 'b', 'c', 'd', 'e'],
      ['EXISTS', 'h'],
      ['TYPE', 'h'],
      ...fill('big', 600),
      ['HDEL', 'big', 'f1', 'f2', 'nope'],
      ['HLEN', 'big'],
      ['HSET', 'one', 'a', '1'],
      ['HDEL', 'one', 'a'],
      ['EXISTS', 'one'],
      ['HSET', 'one', 'b', '2'],
      ['HGETALL', 'one'],
    ]));

  it('WRONGTYPE from every command', () =>
    o.compare([
      ['SET', 's', 'x'],
      ['HSET', 's', 'a', '1'],
      ['HMSET', 's', 'a', '1'],
      ['HSETNX', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a', 'b'],
      ['HDEL', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HGETALL', 's'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '0'],
      ['HRANDFIELD', 's', '3', 'WITHVALUES'],
      ['HSCAN', 's', '0'],
      ['HSCAN', 's', '0', 'COUNT', '0'],
      ['GET', 's'],
      ['HSET', 'h', 'a', '1'],
      ['GET', 'h'],
      ['INCR', 'h'],
    ]));

  it('encoding: listpack up to hash-max-listpack-entries fields, then hashtable for good', () =>
    o.compare([
      ...resetLimits,
      ...fill('h', 512),
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'f0', 'update'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HSET', 'h', 'f512', 'v'],
      ['OBJECT', 'ENCODING', 'h'],
      ['HLEN', 'h'],
      ['HDEL', 'h', 'f1', 'f2', 'f3', 'f4', 'f5'],
      ['OBJECT', 'ENCODING', 'h'],
      { cmd: ['HGETALL', 'h'], sort: true },
      { cmd: ['HKEYS', 'h'], sort: true },
      { cmd: ['HVALS', 'h'], sort: true },
      ['HMSET', 'm', ...Array.from({ length: 513 }, (_, i) => [`k${i}`, 'v']).flat()],
      ['OBJECT', 'ENCODING', 'm'],
      ['HINCRBY', 'n', 'x', '1'],
      ...Array.from({ length: 512 }, (_, i): Step => ['HINCRBY', 'n', `c${i}`, '1']),
      ['OBJECT', 'ENCODING', 'n'],
    ]));

  it('encoding: hash-max-listpack-value applies to fields and values of every writer', () =>
    o.compare([
      ...resetLimits,
      ['HSET', 'v64', 'f', 'x'.repeat(64)],
      ['OBJECT', 'ENCODING', 'v64'],
      ['HSET', 'v65', 'f', 'x'.repeat(65)],
      ['OBJECT', 'ENCODING', 'v65'],
      ['HSET', 'f65', 'k'.repeat(65), 'v'],
      ['OBJECT', 'ENCODING', 'f65'],
      ['HSET', 'late', 'a', '1', 'b', '2'],
      ['HSET', 'late', 'c', '3', 'a', 'y'.repeat(100)],
      ['OBJECT', 'ENCODING', 'late'],
      { cmd: ['HGETALL', 'late'], sort: true },
      ['HSET', 'nx', 'a', '1'],
      ['HSETNX', 'nx', 'a', 'z'.repeat(100)],
      ['OBJECT', 'ENCODING', 'nx'],
      ['HSETNX', 'nx', 'b', 'z'.repeat(100)],
      ['OBJECT', 'ENCODING', 'nx'],
      ['HSET', 'nxf', 'a', '1'],
      ['HSETNX', 'nxf', 'q'.repeat(65), '1'],
      ['OBJECT', 'ENCODING', 'nxf'],
      ['HSET', 'ib', 'a', '1'],
      ['HINCRBY', 'ib', 'i'.repeat(65), '1'],
      ['OBJECT', 'ENCODING', 'ib'],
      ['HSET', 'if', 'a', '1'],
      ['HINCRBYFLOAT', 'if', 'a', '0.5'],
      ['OBJECT', 'ENCODING', 'if'],
      ['HSET', 'kept', 'a', '1', 'b', 'w'.repeat(100)],
      ['HDEL', 'kept', 'b'],
      ['OBJECT', 'ENCODING', 'kept'],
      ['HSET', 'Hash-ziplist-regression', 'k'.repeat(300), 'a'],
      ['HSET', 'Hash-ziplist-regression', 'k'.repeat(300), 'b'],
      ['HGET', 'Hash-ziplist-regression', 'k'.repeat(300)],
    ]));

  it('encoding: CONFIG SET of the thresholds (and the ziplist aliases) applies to the next write', () =>
    o.compare([
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
      ['HSET', 'a', 'f1', '1', 'f2', '2', 'f3', '3', 'f4', '4'],
      ['OBJECT', 'ENCODING', 'a'],
      ['HSET', 'a', 'f5', '5'],
      ['OBJECT', 'ENCODING', 'a'],
      ['HSET', 'b', 'f', '12345678'],
      ['OBJECT', 'ENCODING', 'b'],
      ['HSET', 'b', 'g', '123456789'],
      ['OBJECT', 'ENCODING', 'b'],
      ['HSET', 'c', 'f', '1'],
      ['HINCRBYFLOAT', 'c', 'f', '0.25'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HINCRBYFLOAT', 'c', 'f', '0.125'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HINCRBY', 'c', 'g', '123456789'],
      ['OBJECT', 'ENCODING', 'c'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '0'],
      ['CONFIG', 'GET', 'hash-max-listpack-entries'],
      ['HSET', 'd', 'f', 'v'],
      ['OBJECT', 'ENCODING', 'd'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '10'],
      ['CONFIG', 'SET', 'hash-max-ziplist-value', '0'],
      ['HSET', 'e', '', ''],
      ['OBJECT', 'ENCODING', 'e'],
      ['HSET', 'e', 'x', ''],
      ['OBJECT', 'ENCODING', 'e'],
      ...resetLimits,
    ]));

  it('stress the listpack -> hashtable conversion (hash.tcl)', () => {
    const rnd = lcg(7);
    const steps: Step[] = [['CONFIG', 'SET', 'hash-max-ziplist-entries', '32']];
    for (let j = 0; j < 20; j++) {
      steps.push(['DEL', 'myhash']);
      for (let i = 0; i < 64; i++) steps.push(['HSET', 'myhash', randomValue(rnd), randomValue(rnd)]);
      steps.push(['OBJECT', 'ENCODING', 'myhash'], ['HLEN', 'myhash'], { cmd: ['HGETALL', 'myhash'], sort: true });
    }
    steps.push(...resetLimits);
    return o.compare(steps);
  });

  for (const size of [10, 512]) {
    it(`hash fuzzing - ${size} fields (hash.tcl)`, () => {
      const rnd = lcg(size);
      const steps: Step[] = [];
      const model = new Map<string, string>();
      for (let times = 0; times < 3; times++) {
        steps.push(['DEL', 'hash']);
        model.clear();
        for (let j = 0; j < size; j++) {
          const r = rnd();
          if (r < 0.4) {
            const f = randomValue(rnd);
            const v = randomValue(rnd);
            model.set(f, v);
            steps.push(['HSET', 'hash', f, v]);
          } else if (r < 0.8) {
            const f = String(Math.floor(rnd() * 1024) - 512);
            const v = String(Math.floor(rnd() * 1024) - 512);
            model.set(f, v);
            steps.push(['HSET', 'hash', f, v]);
          } else {
            const f = rnd() < 0.5 ? randomValue(rnd) : String(Math.floor(rnd() * 1024) - 512);
            model.delete(f);
            steps.push(['HDEL', 'hash', f]);
          }
        }
        const fields = [...model.keys()];
        if (fields.length > 0) steps.push(['HMGET', 'hash', ...fields]);
        steps.push(['HLEN', 'hash'], ['OBJECT', 'ENCODING', 'hash'], { cmd: ['HGETALL', 'hash'], sort: true });
      }
      return o.compare(steps);
    });
  }

  it('HINCRBY (hash.tcl cases)', () =>
    o.compare([
      ['HINCRBY', 'htest', 'foo', '2'],
      ['HMSET', 'small', 'a', '1'],
      ...fill('big', 600),
      ['HINCRBY', 'small', 'tmp', '2'],
      ['HGET', 'small', 'tmp'],
      ['HINCRBY', 'big', 'tmp', '2'],
      ['HINCRBY', 'small', 'tmp', '3'],
      ['HINCRBY', 'big', 'tmp', '3'],
      ['HGET', 'big', 'tmp'],
      ['HSET', 'small', 'tmp', '100'],
      ['HSET', 'big', 'tmp', '100'],
      ['HINCRBY', 'small', 'tmp', '2'],
      ['HINCRBY', 'big', 'tmp', '2'],
      ['HSET', 'small', 'tmp', '17179869184'],
      ['HINCRBY', 'small', 'tmp', '1'],
      ['HINCRBY', 'small', 'tmp', '17179869184'],
      ['HSET', 'big', 'tmp', '17179869184'],
      ['HINCRBY', 'big', 'tmp', '17179869184'],
      ['HSET', 'small', 'str', ' 11'],
      ['HINCRBY', 'small', 'str', '1'],
      ['HSET', 'big', 'str', '11 '],
      ['HINCRBY', 'big', 'str', '1'],
      ['HSET', 'small', 'str', '-0'],
      ['HINCRBY', 'small', 'str', '1'],
      ['HSET', 'small', 'str', '+1'],
      ['HINCRBY', 'small', 'str', '1'],
      ['HSET', 'small', 'str', '1.0'],
      ['HINCRBY', 'small', 'str', '1'],
      ['HSET', 'small', 'str', ''],
      ['HINCRBY', 'small', 'str', '1'],
      ['HSET', 'hash', 'n', '-9223372036854775484'],
      ['HINCRBY', 'hash', 'n', '-1'],
      ['HINCRBY', 'hash', 'n', '-10000'],
      ['HSET', 'hash', 'm', I64_MAX],
      ['HINCRBY', 'hash', 'm', '1'],
      ['HINCRBY', 'hash', 'm', I64_MIN],
      ['HINCRBY', 'hash', 'm', I64_MAX],
      ['HINCRBY', 'hash', 'z', I64_MIN],
      ['HINCRBY', 'hash', 'z', '-1'],
      ['HINCRBY', 'hash', 'x', '9223372036854775808'],
      ['HINCRBY', 'hash', 'x', '1.5'],
      ['HINCRBY', 'hash', 'x', 'abc'],
      ['HINCRBY', 'hash', 'x', ''],
      ['HINCRBY', 'hash', 'x', ' 1'],
      ['HINCRBY', 'hash', 'x', '-0'],
      ['HINCRBY', 'hash', 'x', '0'],
      ['HINCRBY', 'hash', 'y', '-5'],
      ['HGETALL', 'hash'],
      ['HINCRBY', 'newkey', 'x', 'bad'],
      ['EXISTS', 'newkey'],
      ['SET', 's', 'x'],
      ['HINCRBY', 's', 'x', 'bad'],
    ]));

  it('HINCRBYFLOAT (hash.tcl cases, long double results, errors)', () =>
    o.compare([
      ['HINCRBYFLOAT', 'htest', 'foo', '2.5'],
      ['HINCRBYFLOAT', 'htest', 'foo', '3.5'],
      ['HSET', 'htest', 'tmp', '100'],
      ['HINCRBYFLOAT', 'htest', 'tmp', '2.5'],
      ['HSET', 'htest', 'tmp', '17179869184'],
      ['HINCRBYFLOAT', 'htest', 'tmp', '1'],
      ['HINCRBYFLOAT', 'htest', 'tmp', '17179869184'],
      ['HINCRBYFLOAT', 'htest', 'a', '0.1'],
      ['HINCRBYFLOAT', 'htest', 'a', '0.2'],
      ['HINCRBYFLOAT', 'htest', 'b', '1e3'],
      ['HINCRBYFLOAT', 'htest', 'b', '-1000'],
      ['HINCRBYFLOAT', 'htest', 'c', '-0'],
      ['HINCRBYFLOAT', 'htest', 'd', '0x10'],
      ['HINCRBYFLOAT', 'htest', 'e', '1.5e-7'],
      ['HINCRBYFLOAT', 'htest', 'e', '-3e-7'],
      ['HINCRBYFLOAT', 'htest', 'f', '1e300'],
      ['HINCRBYFLOAT', 'htest', 'f', '1e300'],
      ['HSET', 'htest', 'g', I64_MAX],
      ['HINCRBYFLOAT', 'htest', 'g', '1'],
      ['OBJECT', 'ENCODING', 'htest'],
      { cmd: ['HGETALL', 'htest'], sort: true },
      ['HSET', 'htest', 'str', ' 11'],
      ['HINCRBYFLOAT', 'htest', 'str', '1'],
      ['HSET', 'htest', 'str', '11 '],
      ['HINCRBYFLOAT', 'htest', 'str', '1'],
      ['HSET', 'htest', 'str', Buffer.from('1\x002')],
      ['HINCRBYFLOAT', 'htest', 'str', '1'],
      ['HSET', 'htest', 'str', 'inf'],
      ['HINCRBYFLOAT', 'htest', 'str', '1'],
      ['HSET', 'htest', 'str', '1e4932'],
      ['HINCRBYFLOAT', 'htest', 'str', '1e4932'],
      ['HINCRBYFLOAT', 'htest', 'x', 'inf'],
      ['HINCRBYFLOAT', 'htest', 'x', '-inf'],
      ['HINCRBYFLOAT', 'htest', 'x', 'nan'],
      ['HINCRBYFLOAT', 'htest', 'x', 'abc'],
      ['HINCRBYFLOAT', 'htest', 'x', ''],
      ['HINCRBYFLOAT', 'htest', 'x', '1e5000'],
      ['HINCRBYFLOAT', 'htest', 'x', ' 1'],
      ['HEXISTS', 'htest', 'x'],
      ['HINCRBYFLOAT', 'nokey', 'x', 'inf'],
      ['EXISTS', 'nokey'],
      ['SET', 's', 'x'],
      ['HINCRBYFLOAT', 's', 'x', 'bad'],
      ['HINCRBYFLOAT', 's', 'x', 'inf'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['HINCRBYFLOAT', 'htest', 'r3', '1.25'],
    ]));

  it('HRANDFIELD: argument errors, before the key is looked at', () =>
    o.compare([
      ['SET', 's', 'x'],
      ['HSET', 'h', 'a', '1'],
      ['HRANDFIELD', 'h', I64_MIN],
      ['HRANDFIELD', 'h', I64_MIN, 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-9223372036854770000', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '9223372036854775808'],
      ['HRANDFIELD', 'h', 'x'],
      ['HRANDFIELD', 'h', '1.5'],
      ['HRANDFIELD', 'h', '-0'],
      ['HRANDFIELD', 'h', '01'],
      ['HRANDFIELD', 'h', '1', 'WITHVALUESX'],
      ['HRANDFIELD', 'h', '1', 'withvalues', 'x'],
      ['HRANDFIELD', 's', 'x'],
      ['HRANDFIELD', 's', '1', 'foo'],
      ['HRANDFIELD', 'nokey', 'x'],
      ['HRANDFIELD', 'h', '4611686018427387903', 'withvalues'],
      ['HRANDFIELD', 'h', '1', 'WiThVaLuEs'],
      ['HRANDFIELD', 'h', I64_MAX],
    ]));

  it('HRANDFIELD: missing key, count 0, single field, whole listpack in order (RESP2 and RESP3)', () =>
    o.compare([
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '1'],
      ['HRANDFIELD', 'nokey', '-1', 'WITHVALUES'],
      ['HSET', 'one', 'a', '1'],
      ['HRANDFIELD', 'one'],
      ['HRANDFIELD', 'one', '0'],
      ['HRANDFIELD', 'one', '0', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '1'],
      ['HRANDFIELD', 'one', '-3'],
      ['HRANDFIELD', 'one', '-3', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '5', 'WITHVALUES'],
      ['HSET', 'h', 'z', '1', 'y', '2', 'x', '3', 'w', '4', 'v', '5'],
      ['HRANDFIELD', 'h', '5'],
      ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
      { cmd: ['HRANDFIELD', 'h'], match: /^\$1\r\n[zyxwv]\r\n$/ },
      { cmd: ['HRANDFIELD', 'h', '-7'], match: /^\*7\r\n(\$1\r\n[zyxwv]\r\n){7}$/ },
      { cmd: ['HRANDFIELD', 'h', '3'], match: /^\*3\r\n(\$1\r\n[zyxwv]\r\n){3}$/ },
      { cmd: ['HRANDFIELD', 'h', '2', 'WITHVALUES'], match: /^\*4\r\n(\$1\r\n[zyxwv]\r\n\$1\r\n[1-5]\r\n){2}$/ },
      { cmd: ['HELLO', '3'], ignore: true },
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '1'],
      ['HRANDFIELD', 'nokey', '1', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '-3', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '1', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '0', 'WITHVALUES'],
      ['HRANDFIELD', 'one', '-2'],
      ['HRANDFIELD', 'h', '5', 'WITHVALUES'],
      { cmd: ['HRANDFIELD', 'h', '-4', 'WITHVALUES'], match: /^\*4\r\n(\*2\r\n\$1\r\n[zyxwv]\r\n\$1\r\n[1-5]\r\n){4}$/ },
      { cmd: ['HRANDFIELD', 'h', '2', 'WITHVALUES'], match: /^\*2\r\n(\*2\r\n\$1\r\n[zyxwv]\r\n\$1\r\n[1-5]\r\n){2}$/ },
    ]));

  it('HRANDFIELD on a hashtable: whole hash when count >= size', () =>
    o.compare([
      ...fill('big', 600),
      { cmd: ['HRANDFIELD', 'big', '600'], sort: true },
      { cmd: ['HRANDFIELD', 'big', '1000', 'WITHVALUES'], match: /^\*1200\r\n/ },
      { cmd: ['HRANDFIELD', 'big', '-1000'], match: /^\*1000\r\n(\$\d+\r\nf\d+\r\n){1000}$/ },
      { cmd: ['HRANDFIELD', 'big', '300'], match: /^\*300\r\n(\$\d+\r\nf\d+\r\n){300}$/ },
      { cmd: ['HRANDFIELD', 'big', '100'], match: /^\*100\r\n(\$\d+\r\nf\d+\r\n){100}$/ },
      { cmd: ['HELLO', '3'], ignore: true },
      { cmd: ['HRANDFIELD', 'big', '600', 'WITHVALUES'], sort: true },
      { cmd: ['HRANDFIELD', 'big', '10', 'WITHVALUES'], match: /^\*10\r\n(\*2\r\n\$\d+\r\nf\d+\r\n\$\d+\r\nv\d+\r\n){10}$/ },
    ]));

  it('HSCAN: errors, missing key, listpack in one call', () =>
    o.compare([
      ['HSCAN', 'nokey', '0'],
      ['HSCAN', 'nokey', '0', 'COUNT', '0'],
      ['HSCAN', 'nokey', 'x'],
      ['SET', 's', 'x'],
      ['HSCAN', 's', '0'],
      ['HSCAN', 's', 'x'],
      ['HSET', 'h', 'a', '1', 'b', '2', 'ab', '3', 'c', '4', '', 'empty'],
      ['HSCAN', 'h', 'x'],
      ['HSCAN', 'h', '-1'],
      ['HSCAN', 'h', '18446744073709551616'],
      ['HSCAN', 'h', '1.5'],
      ['HSCAN', 'h', '0', 'COUNT', '0'],
      ['HSCAN', 'h', '0', 'COUNT', '-1'],
      ['HSCAN', 'h', '0', 'COUNT', 'abc'],
      ['HSCAN', 'h', '0', 'COUNT', '-0'],
      ['HSCAN', 'h', '0', 'COUNT', '01'],
      ['HSCAN', 'h', '+0'],
      ['HSCAN', 'h', '-0'],
      ['HSCAN', 'h', ' 0'],
      ['HSCAN', 'h', '0', 'COUNT'],
      ['HSCAN', 'h', '0', 'MATCH'],
      ['HSCAN', 'h', '0', 'TYPE', 'string'],
      ['HSCAN', 'h', '0', 'NOVALUES'],
      ['HSCAN', 'h', '0', 'FOO', 'bar'],
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'h', '12345'],
      ['HSCAN', 'h', '', 'COUNT', '1'],
      ['HSCAN', 'h', '18446744073709551615'],
      ['HSCAN', 'h', '0', 'MATCH', 'a*'],
      ['HSCAN', 'h', '0', 'MATCH', '*'],
      ['HSCAN', 'h', '0', 'match', '*b', 'count', '1', 'MATCH', 'a*'],
      ['HSCAN', 'h', '0', 'MATCH', 'zzz'],
      ['HSCAN', 'h', '0', 'COUNT', I64_MAX],
      { cmd: ['HELLO', '3'], ignore: true },
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'nokey', '0'],
    ]));

  it('HSCAN: full iteration of a hashtable', () => compareHscan(o, fill('big', 1000), 'big', []));
  it('HSCAN: full iteration with COUNT 1', () => compareHscan(o, fill('big', 700), 'big', ['COUNT', '1']));
  it('HSCAN: full iteration with MATCH', () =>
    compareHscan(o, [...fill('big', 800), ['HSET', 'big', 'long', 'x'.repeat(100)]], 'big', ['MATCH', 'f1*', 'COUNT', '50']));

  it('MEMORY USAGE of listpack hashes and of a presized hashtable', () =>
    o.compare([
      ...resetLimits,
      ['HSET', 'h1', 'a', 'b'],
      ['MEMORY', 'USAGE', 'h1'],
      ['HSET', 'h2', 'field1', 'value1', 'f2', '12345', 'f3', '-7', 'f4', '100000', 'f5', '3000000000', 'f6', I64_MIN],
      ['MEMORY', 'USAGE', 'h2'],
      ['HSET', 'h3', 'x'.repeat(60), 'y'.repeat(60)],
      ['MEMORY', 'USAGE', 'h3'],
      ['HSET', 'h4', 'k', 'z'.repeat(63), 'l', 'z'.repeat(64), 'm', ''],
      ['MEMORY', 'USAGE', 'h4'],
      ...fill('h5', 300),
      ['MEMORY', 'USAGE', 'h5'],
      ['HDEL', 'h5', 'f0', 'f1'],
      ['MEMORY', 'USAGE', 'h5'],
      ['HSET', 'ht', 'a', 'q'.repeat(100), 'b', 'q'.repeat(100), 'c', 'q'.repeat(100), 'd', 'q'.repeat(100)],
      ['OBJECT', 'ENCODING', 'ht'],
      ['MEMORY', 'USAGE', 'ht'],
      ['MEMORY', 'USAGE', 'ht', 'SAMPLES', '0'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '1024'],
      ['HSET', 'h6', 'a', 'p'.repeat(1000)],
      ['MEMORY', 'USAGE', 'h6'],
      ...resetLimits,
    ]));

  it('COPY, RENAME, DEL and TYPE carry hashes with their encoding', () =>
    o.compare([
      ['HSET', 'src', 'a', '1', 'b', '2'],
      ['COPY', 'src', 'dst'],
      ['HSET', 'dst', 'c', '3'],
      ['HDEL', 'src', 'a'],
      ['HGETALL', 'src'],
      ['HGETALL', 'dst'],
      ['OBJECT', 'ENCODING', 'dst'],
      ...fill('big', 600),
      ['COPY', 'big', 'big2'],
      ['HDEL', 'big', 'f1'],
      ['HLEN', 'big2'],
      ['OBJECT', 'ENCODING', 'big2'],
      ['RENAME', 'dst', 'moved'],
      ['HGETALL', 'moved'],
      ['TYPE', 'moved'],
      ['DEL', 'moved', 'big'],
      ['EXISTS', 'moved', 'big', 'big2'],
    ]));
  it('writes break WATCH exactly when they change the hash', () =>
    o.compare([
      ['HSET', 'h', 'a', '1', 'n', '5'],
      ...watched('h', ['HSET', 'h', 'a', '1']),
      ...watched('h', ['HSETNX', 'h', 'a', 'x']),
      ...watched('h', ['HSETNX', 'h', 'b', 'x']),
      ...watched('h', ['HMSET', 'h', 'c', '3']),
      ...watched('h', ['HDEL', 'h', 'nope']),
      ...watched('h', ['HDEL', 'h', 'c']),
      ...watched('h', ['HINCRBY', 'h', 'a', 'x']),
      ...watched('h', ['HINCRBY', 'h', 'b', '1']),
      ...watched('h', ['HINCRBY', 'h', 'n', '1']),
      ...watched('h', ['HINCRBYFLOAT', 'h', 'n', '1.5']),
      ...watched('h', ['HGET', 'h', 'n']),
      ...watched('h', ['HRANDFIELD', 'h', '-2'], true),
      ...watched('h', ['HDEL', 'h', 'a', 'b', 'n']),
      ['EXISTS', 'h'],
    ]));

  it('changes counted as Redis counts them (rdb_changes_since_last_save)', async () => {
    const info: Step = { cmd: ['INFO', 'persistence'], ignore: true };
    const script: Step[] = [
      info,
      ['HSET', 'h', 'a', '1', 'b', '2', 'a', '3'],
      info,
      ['HMSET', 'h', 'c', '1'],
      ['HSETNX', 'h', 'c', '1'],
      ['HSETNX', 'h', 'd', '1'],
      info,
      ['HDEL', 'h', 'a', 'zz', 'b'],
      info,
      ['HINCRBY', 'h', 'n', '1'],
      ['HINCRBYFLOAT', 'h', 'n', '1'],
      ['HINCRBY', 'h', 'n', 'bad'],
      info,
      ['HDEL', 'h', 'c', 'd', 'n', 'x'],
      info,
    ];
    const r = await o.run(script);
    const idx = [0, 2, 6, 8, 12, 14];
    const deltas = (replies: Buffer[]): number[] => idx.slice(1).map((at, i) => dirtyOf(replies[at]) - dirtyOf(replies[idx[i]]));
    assert.deepEqual(deltas(r.shoal), deltas(r.redis));
    assert.deepEqual(deltas(r.redis), [3, 2, 2, 2, 3]);
  });
  it('reads count keyspace hits and misses, writes do not', async () => {
    const info: Step = { cmd: ['INFO', 'stats'], ignore: true };
    const script: Step[] = [
      ['HSET', 'h', 'a', '1'],
      ['SET', 's', 'x'],
      info,
      ['HSET', 'h', 'b', '2'],
      ['HSETNX', 'h', 'a', '1'],
      ['HDEL', 'h', 'zz'],
      ['HDEL', 'nokey', 'zz'],
      ['HINCRBY', 'h', 'n', '1'],
      ['HINCRBYFLOAT', 'nokey2', 'n', '1'],
      ['HSET', 's', 'a', '1'],
      info,
      ['HGET', 'h', 'a'],
      ['HGET', 'nokey', 'a'],
      ['HMGET', 'h', 'a', 'b'],
      ['HMGET', 'nokey', 'a'],
      ['HEXISTS', 'h', 'zz'],
      ['HLEN', 'nokey'],
      ['HSTRLEN', 'h', 'a'],
      ['HKEYS', 'h'],
      ['HVALS', 'nokey'],
      ['HGETALL', 'h'],
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '2'],
      ['HRANDFIELD', 'h', 'bad'],
      ['HSCAN', 'nokey', '0'],
      ['HSCAN', 'h', 'bad'],
      ['HGET', 's', 'a'],
      info,
    ];
    const r = await o.run(script);
    const stat = (raw: Buffer, name: string): number => {
      const m = new RegExp(`${name}:(\\d+)`).exec(raw.toString('latin1'));
      assert.ok(m !== null, name);
      return Number(m[1]);
    };
    const deltas = (replies: Buffer[]): number[][] =>
      [[2, 10], [10, 27]].map(([a, b]) => ['keyspace_hits', 'keyspace_misses'].map((n) => stat(replies[b], n) - stat(replies[a], n)));
    assert.deepEqual(deltas(r.shoal), deltas(r.redis));
    assert.deepEqual(deltas(r.redis), [[0, 0], [7, 7]]);
  });
});
