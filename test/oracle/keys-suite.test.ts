// Edge cases from Redis's own test suite (tests/unit/keyspace.tcl, scan.tcl, and the generic-key
// parts of other.tcl / introspection-2.tcl), restricted to string values and to what a
// standalone node can check: every reply compared byte for byte with redis-server (sorted where
// Redis leaves the order unspecified). Cases that need time to pass run on a FakeClock instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import { useNode } from '../helpers/node.js';
import { FakeClock } from '../../src/index.js';

/** MSET of key:0..key:(n-1) = value:i, as the Tcl suite's `populate n`. */
function populate(n: number, prefix = 'key:'): string[] {
  const args = ['MSET'];
  for (let i = 0; i < n; i++) args.push(`${prefix}${i}`, `value:${i}`);
  return args;
}

const DEBUG_CONFIG = { config: { 'enable-debug-command': 'yes' } };

withOracle('oracle: keyspace.tcl', DEBUG_CONFIG, (o) => {
  it('DEBUG POPULATE: names, values cut or padded, existing keys kept, argument errors, WATCH', () =>
    o.compare([
      ['SET', 'key:1', 'mine'],
      ['WATCH', 'k:2'],
      ['DEBUG', 'POPULATE', '3'],
      ['DEBUG', 'POPULATE', '3', 'k', '12'],
      ['DEBUG', 'POPULATE', '4', 'k', '3'],
      ['DEBUG', 'POPULATE', '2', 'n', '100'],
      ['DEBUG', 'POPULATE', '2', 'z', '0'],
      ['DEBUG', 'POPULATE', '0'],
      ...['key:0', 'key:1', 'key:2', 'k:0', 'k:2', 'k:3', 'n:1', 'z:1'].flatMap((k): Step[] => [['GET', k], ['OBJECT', 'ENCODING', k], ['TTL', k]]),
      ['DBSIZE'],
      ['MULTI'],
      ['PING'],
      { cmd: ['EXEC'], note: 'WATCH saw k:2 created' },
      ['DEBUG', 'POPULATE', '-1'],
      ['DEBUG', 'POPULATE', 'abc'],
      ['DEBUG', 'POPULATE', '2', 'k', '-3'],
      ['DEBUG', 'POPULATE', '2', 'k', 'x'],
      ['DEBUG', 'POPULATE', '2', 'k', '3', '4'],
      ['DEBUG', 'POPULATE'],
      ['DBSIZE'],
    ]));

  it('DEL against a single item; vararg DEL; untagged multi-key commands', () =>
    o.compare([
      ['SET', 'x', 'foo'],
      ['GET', 'x'],
      ['DEL', 'x'],
      ['GET', 'x'],
      ['SET', 'foo1{t}', 'a'],
      ['SET', 'foo2{t}', 'b'],
      ['SET', 'foo3{t}', 'c'],
      ['DEL', 'foo1{t}', 'foo2{t}', 'foo3{t}', 'foo4{t}'],
      ['MGET', 'foo1{t}', 'foo2{t}', 'foo3{t}'],
      ['MSET', 'foo1', 'a', 'foo2', 'b', 'foo3', 'c'],
      ['MGET', 'foo1', 'foo2', 'foo3', 'foo4'],
      ['DEL', 'foo1', 'foo2', 'foo3', 'foo4'],
    ]));

  it('KEYS with pattern, KEYS *, DBSIZE, KEYS with hashtag, DEL all keys', () => {
    const script: Step[] = [];
    for (const k of ['key_x', 'key_y', 'key_z', 'foo_a', 'foo_b', 'foo_c']) script.push(['SET', k, 'hello']);
    script.push(
      { cmd: ['KEYS', 'foo*'], sort: true },
      { cmd: ['KEYS', '*'], sort: true },
      ['DBSIZE'],
    );
    for (const k of ['{a}x', '{a}y', '{a}z', '{b}a', '{b}b', '{b}c']) script.push(['SET', k, 'hello']);
    script.push(
      { cmd: ['KEYS', '{a}*'], sort: true },
      { cmd: ['KEYS', '*{b}*'], sort: true },
      // "DEL all keys": one DEL per key, then DBSIZE.
      ['DEL', 'key_x', 'key_y', 'key_z', 'foo_a', 'foo_b', 'foo_c'],
      ['DEL', '{a}x', '{a}y', '{a}z', '{b}a', '{b}b', '{b}c'],
      ['DBSIZE'],
    );
    return o.compare(script);
  });

  it('DEL against expired key (active expiry off)', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'keyExpire', 'valExpire', 'PX', '30'],
      ['DBSIZE'],
      { pause: 80 },
      ['DBSIZE'],
      ['DEL', 'keyExpire'],
      ['DBSIZE'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('EXISTS; zero length value; pipelining; non existing command', () =>
    o.compare([
      ['SET', 'newkey', 'test'],
      ['EXISTS', 'newkey'],
      ['DEL', 'newkey'],
      ['EXISTS', 'newkey'],
      ['SET', 'emptykey', ''],
      ['GET', 'emptykey'],
      ['EXISTS', 'emptykey'],
      ['DEL', 'emptykey'],
      ['EXISTS', 'emptykey'],
      { cmd: 'SET k1 xyzk\r\nGET k1\r\nPING\r\n', replies: 3 },
      ['foobaredcommand'],
    ]));

  it('RENAME / RENAMENX: basic, existing target, missing source, same key', () =>
    o.compare([
      ['SET', 'mykey{t}', 'hello'],
      ['RENAME', 'mykey{t}', 'mykey1{t}'],
      ['RENAME', 'mykey1{t}', 'mykey2{t}'],
      ['GET', 'mykey2{t}'],
      ['EXISTS', 'mykey'],
      ['SET', 'mykey{t}', 'a'],
      ['SET', 'mykey2{t}', 'b'],
      ['RENAME', 'mykey2{t}', 'mykey{t}'],
      ['GET', 'mykey{t}'],
      ['EXISTS', 'mykey2{t}'],
      ['DEL', 'mykey{t}'],
      ['DEL', 'mykey2{t}'],
      ['SET', 'mykey{t}', 'foobar'],
      ['RENAMENX', 'mykey{t}', 'mykey2{t}'],
      ['GET', 'mykey2{t}'],
      ['EXISTS', 'mykey{t}'],
      ['SET', 'mykey{t}', 'foo'],
      ['SET', 'mykey2{t}', 'bar'],
      ['RENAMENX', 'mykey{t}', 'mykey2{t}'],
      ['GET', 'mykey{t}'],
      ['GET', 'mykey2{t}'],
      ['RENAME', 'nokey{t}', 'foobar{t}'],
      ['SET', 'mykey', 'foo'],
      ['RENAME', 'mykey', 'mykey'],
      ['SET', 'mykey', 'foo'],
      ['RENAMENX', 'mykey', 'mykey'],
      ['DEL', 'mykey'],
      ['RENAME', 'mykey', 'mykey'],
      ['RENAMENX', 'mykey', 'mykey'],
    ]));

  it('RENAME moves the TTL and does not inherit the target TTL', () =>
    o.compare([
      ['DEL', 'mykey{t}', 'mykey2{t}'],
      ['SET', 'mykey{t}', 'foo'],
      ['EXPIRE', 'mykey{t}', '100'],
      { cmd: ['TTL', 'mykey{t}'], approx: true },
      ['RENAME', 'mykey{t}', 'mykey2{t}'],
      { cmd: ['TTL', 'mykey2{t}'], approx: true },
      ['TTL', 'mykey{t}'],
      ['DEL', 'mykey{t}', 'mykey2{t}'],
      ['SET', 'mykey{t}', 'foo'],
      ['SET', 'mykey2{t}', 'bar'],
      ['EXPIRE', 'mykey2{t}', '100'],
      ['TTL', 'mykey{t}'],
      { cmd: ['TTL', 'mykey2{t}'], approx: true },
      ['RENAME', 'mykey{t}', 'mykey2{t}'],
      ['TTL', 'mykey2{t}'],
      // RENAMENX keeps the TTL too.
      ['SET', 'a{t}', 'v', 'EX', '100'],
      ['RENAMENX', 'a{t}', 'b{t}'],
      { cmd: ['TTL', 'b{t}'], approx: true },
    ]));

  it('DEL all keys again in DB 9 and DB 10', () =>
    o.compare([
      ['SELECT', '9'],
      ['SET', 'a', '1'],
      ['KEYS', '*'],
      ['DEL', 'a'],
      ['DBSIZE'],
      ['SELECT', '10'],
      ['SET', 'b', '1'],
      ['DEL', 'b'],
      ['DBSIZE'],
      ['SELECT', '9'],
    ]));

  it('COPY for string: basic, DB 10, no replace, REPLACE, independence, bad DB', () =>
    o.compare([
      ['SELECT', '9'],
      ['SET', 'mykey{t}', 'foobar'],
      ['COPY', 'mykey{t}', 'mynewkey{t}'],
      ['GET', 'mynewkey{t}'],
      ['DBSIZE'],
      ['COPY', 'mykey{t}', 'mynewkey{t}', 'DB', '10'],
      ['SELECT', '10'],
      ['GET', 'mynewkey{t}'],
      ['DBSIZE'],
      ['SELECT', '9'],
      ['SET', 'mykey2{t}', 'hello'],
      ['COPY', 'mykey2{t}', 'mynewkey{t}', 'DB', '10'],
      ['COPY', 'mykey2{t}', 'mynewkey{t}', 'DB', '10', 'REPLACE'],
      ['SELECT', '10'],
      ['GET', 'mynewkey{t}'],
      ['FLUSHDB'],
      ['SELECT', '9'],
      ['SET', 'mykey{t}', 'foobar'],
      ['COPY', 'mykey{t}', 'mynewkey{t}', 'DB', '10'],
      ['SELECT', '10'],
      ['GET', 'mynewkey{t}'],
      ['SET', 'mynewkey{t}', 'hoge'],
      ['GET', 'mynewkey{t}'],
      ['SELECT', '9'],
      ['GET', 'mykey{t}'],
      ['SELECT', '10'],
      ['FLUSHDB'],
      ['SELECT', '9'],
      ['COPY', 'mykey{t}', 'mynewkey{t}', 'DB', 'notanumber'],
      // Appending to the copy must not change the source (values are independent).
      ['COPY', 'mykey{t}', 'c2{t}'],
      ['APPEND', 'c2{t}', 'xyz'],
      ['GET', 'mykey{t}'],
      ['GET', 'c2{t}'],
      ['SETRANGE', 'mykey{t}', '0', 'Z'],
      ['GET', 'c2{t}'],
    ]));

  it('COPY of a shared integer: refcount, and unshared under an LRU maxmemory policy', () =>
    o.compare([
      ['SET', 'intkey{t}', '1'],
      ['OBJECT', 'REFCOUNT', 'intkey{t}'],
      ['COPY', 'intkey{t}', 'newintkey1{t}'],
      ['OBJECT', 'REFCOUNT', 'newintkey1{t}'],
      ['OBJECT', 'ENCODING', 'newintkey1{t}'],
      ['CONFIG', 'SET', 'maxmemory', '10gb'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      ['COPY', 'intkey{t}', 'newintkey2{t}'],
      ['OBJECT', 'REFCOUNT', 'newintkey2{t}'],
      ['OBJECT', 'ENCODING', 'newintkey2{t}'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ]));

  it('COPY copies the expire metadata, and creates none when there is none', () =>
    o.compare([
      ['SET', 'mykey{t}', 'foobar', 'EX', '100'],
      ['COPY', 'mykey{t}', 'mynewkey{t}', 'REPLACE'],
      { cmd: ['TTL', 'mynewkey{t}'], approx: true },
      ['GET', 'mynewkey{t}'],
      ['SET', 'mykey{t}', 'foobar'],
      ['TTL', 'mykey{t}'],
      ['COPY', 'mykey{t}', 'mynewkey{t}', 'REPLACE'],
      ['TTL', 'mynewkey{t}'],
      ['GET', 'mynewkey{t}'],
    ]));

  it('MOVE: basic, existing target, non-integer DB, expire metadata', () =>
    o.compare([
      ['SELECT', '9'],
      ['SET', 'mykey', 'foobar'],
      ['MOVE', 'mykey', '10'],
      ['EXISTS', 'mykey'],
      ['DBSIZE'],
      ['SELECT', '10'],
      ['GET', 'mykey'],
      ['DBSIZE'],
      ['SELECT', '9'],
      ['SET', 'mykey', 'hello'],
      ['MOVE', 'mykey', '10'],
      ['MOVE', 'mykey', 'notanumber'],
      ['SELECT', '10'],
      ['FLUSHDB'],
      ['SELECT', '9'],
      ['SET', 'mykey', 'foo', 'EX', '100'],
      ['MOVE', 'mykey', '10'],
      ['TTL', 'mykey'],
      ['SELECT', '10'],
      { cmd: ['TTL', 'mykey'], approx: true },
      ['GET', 'mykey'],
      ['FLUSHDB'],
      ['SELECT', '9'],
      ['SET', 'mykey', 'foo'],
      ['MOVE', 'mykey', '10'],
      ['TTL', 'mykey'],
      ['SELECT', '10'],
      ['TTL', 'mykey'],
      ['GET', 'mykey'],
      ['SELECT', '9'],
    ]));

  it('SET/GET keys in different DBs', () =>
    o.compare([
      ['SELECT', '9'],
      ['SET', 'a', 'hello'],
      ['SET', 'b', 'world'],
      ['SELECT', '10'],
      ['SET', 'a', 'foo'],
      ['SET', 'b', 'bared'],
      ['SELECT', '9'],
      ['GET', 'a'],
      ['GET', 'b'],
      ['SELECT', '10'],
      ['GET', 'a'],
      ['GET', 'b'],
      ['SELECT', '9'],
    ]));

  it('RANDOMKEY: two keys, empty DB, deleted key', async () => {
    const draws = 100;
    const script: Step[] = [['SET', 'foo', 'x'], ['SET', 'bar', 'y']];
    for (let i = 0; i < draws; i++) script.push({ cmd: ['RANDOMKEY'], match: /^\$3\r\n(foo|bar)\r\n$/ });
    script.push(['FLUSHDB'], ['RANDOMKEY'], ['SET', 'x', '10'], ['DEL', 'x'], ['RANDOMKEY']);
    const res = await o.run(script);
    const seen = new Set(res.shoal.slice(2, 2 + draws).map((b) => b.toString('latin1')));
    assert.equal(seen.size, 2, 'Shoal RANDOMKEY should return both keys over 100 draws');
  });

  it('KEYS * twice with a long key; long nested-loop patterns', () =>
    o.compare([
      ['SET', 'dlskeriewrioeuwqoirueioqwrueoqwrueqw', 'test'],
      ['KEYS', '*'],
      ['KEYS', '*'],
      ['FLUSHDB'],
      ['SET', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '1'],
      ['KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'],
      ['KEYS', '*?'.repeat(50000)],
      { scan: ['MATCH', '*?'.repeat(50000)] },
      ['SET', 'x'.repeat(200), '1'],
      ['KEYS', '*x'.repeat(150) + 'y'],
    ]));

  it('SWAPDB: basic and unhappy path', () =>
    o.compare([
      ['FLUSHALL'],
      ['SELECT', '0'],
      ['SET', 'swapkey', 'v1'],
      ['SELECT', '1'],
      ['DBSIZE'],
      ['SWAPDB', '0', '1'],
      ['DBSIZE'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['FLUSHALL'],
      ['SWAPDB', '44', '55'],
      ['SWAPDB', '44', 'a'],
      ['SWAPDB', 'a', '55'],
      ['SWAPDB', 'a', 'b'],
      ['SWAPDB', '0', '0'],
      ['SWAPDB', '-1', '0'],
      ['SWAPDB', '0', '16'],
      ['SWAPDB', '1.5', '0'],
      ['SWAPDB', '0', '99999999999'],
    ]));

  it('SWAPDB and FLUSHDB, seen through INFO keyspace', () =>
    o.compare([
      ['FLUSHALL'],
      ['SELECT', '0'],
      ['SET', 'swapkey', 'v1'],
      ['SELECT', '1'],
      ['SET', 'swapkey1', 'v1'],
      ['INFO', 'keyspace'],
      ['SWAPDB', '0', '2'],
      ['SELECT', '0'],
      ['DBSIZE'],
      ['INFO', 'keyspace'],
      ['SELECT', '2'],
      ['FLUSHDB'],
      ['DBSIZE'],
      ['INFO', 'keyspace'],
      ['FLUSHALL'],
      ['INFO', 'keyspace'],
    ]));

  it('SELECT an out of range DB (other.tcl)', () =>
    o.compare([['SELECT', '1000000'], ['SELECT', '-1'], ['SELECT', '16'], ['SELECT', 'x'], ['SELECT', '15'], ['SELECT', '0']]));

  it('OBJECT IDLETIME of a shared integer is the shared object\'s (its clock predates the key)', () =>
    o.compare([
      ['SET', 'own', 'not-shared'],
      ['SET', 'i1', '4321'],
      { pause: 2100 },
      ['SET', 'i2', '4321'],
      ['SET', 'own2', 'not-shared'],
      { cmd: ['OBJECT', 'IDLETIME', 'i2'], approx: 1, note: 'shared "4321": idle since startup or since i1 was read' },
      // Idle times are whole seconds of each server's LRU clock: a key set a moment ago reads
      // 0 or 1 depending on where each clock is in its second.
      { cmd: ['OBJECT', 'IDLETIME', 'own2'], approx: 1, note: 'just set: 0, or 1 across a clock tick' },
      ['GET', 'i1'],
      { cmd: ['OBJECT', 'IDLETIME', 'i2'], approx: 1, note: 'just read: 0, or 1 across a clock tick' },
      ['OBJECT', 'REFCOUNT', 'i2'],
      ['SET', 'big', '12345'],
      ['OBJECT', 'REFCOUNT', 'big'],
    ]));

  it('TOUCH returns the number of existing keys specified (introspection-2.tcl)', () =>
    o.compare([
      ['FLUSHALL'],
      ['SET', 'key1{t}', '1'],
      ['SET', 'key2{t}', '2'],
      ['TOUCH', 'key0{t}', 'key1{t}', 'key2{t}', 'key3{t}'],
      ['TOUCH', 'key1{t}', 'key1{t}'],
    ]));
});

withOracle('oracle: scan.tcl', DEBUG_CONFIG, (o) => {
  it('SCAN basic, COUNT, MATCH', () =>
    o.compare([
      populate(1000),
      { scan: [] },
      { scan: ['COUNT', '5'] },
      { scan: ['MATCH', 'key:1??'] },
      { scan: ['MATCH', 'key:1??', 'COUNT', '1000'] },
    ]));

  it('SCAN TYPE: other types excluded, strings included, all three options together', () =>
    o.compare([
      populate(1000),
      { scan: ['TYPE', 'list'] },
      { scan: ['TYPE', 'string'] },
      { scan: ['TYPE', 'STRING'] },
      { scan: ['TYPE', 'string', 'MATCH', 'key:*', 'COUNT', '10'] },
    ]));

  // TTLs of 5 ms, not 1: Redis 7.0's PEXPIRE deletes a key whose deadline passed before the
  // command ends (checkAlreadyExpired reads the clock again), which for 1 ms happened whenever
  // the millisecond turned during the command (one run in 10-30 on a busy machine).
  it('SCAN unknown type, and expired keys met by SCAN (active expiry off)', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      populate(1000),
      ['SET', 'foo', 'bar'],
      ['PEXPIRE', 'foo', '5'],
      { pause: 25 },
      ['DBSIZE'],
      { scan: ['TYPE', 'string1'] },
      ['DBSIZE'],
      ['INFO', 'keyspace'],
      ['SET', 'foo', 'bar'],
      ['PEXPIRE', 'foo', '5'],
      { pause: 25 },
      { scan: ['COUNT', '10'] },
      ['DBSIZE'],
      ['SET', 'foo', 'bar'],
      ['PEXPIRE', 'foo', '5'],
      { pause: 25 },
      { scan: ['TYPE', 'string', 'COUNT', '10'] },
      ['DBSIZE'],
      ['SET', 'foo', 'bar'],
      ['PEXPIRE', 'foo', '5'],
      { pause: 25 },
      { scan: ['MATCH', 'nomatch*'] },
      ['DBSIZE'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('SCAN MATCH with a hash-tag pattern (implies one slot)', () => {
    const args = ['MSET'];
    for (let j = 0; j < 100; j++) args.push(`{foo}-${j}`, 'foo', `{bar}-${j}`, 'bar', `{boo}-${j}`, 'boo');
    return o.compare([
      args,
      { scan: ['MATCH', '{foo}-*'] },
      { scan: ['MATCH', '{foo}-*', 'COUNT', '1'] },
      { scan: ['MATCH', '*{bar}*'] },
    ]);
  });

  it('SCAN: cursor and option errors', () =>
    o.compare([
      ['SCAN', 'x'],
      ['SCAN', '-1', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'x'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN', '18446744073709551616'],
      ['SCAN', '18446744073709551615'],
      ['SCAN', '0.5'],
      ['SCAN', ' 0'],
    ]));
});

// ---------------------------------------------------------------------------------------
// Cases that need time to pass or a per-iteration write load: Shoal alone, on a FakeClock,
// asserting what the Tcl suite asserts of Redis.

describe('keyspace suite on a FakeClock', () => {
  const T0 = 1_700_000_000_000;
  const clock = new FakeClock(T0);
  const t = useNode({ clock });
  const r = t.r;


  it('SCAN guarantees under write load: every key present throughout is returned', async () => {
    await r('FLUSHALL');
    await r(...populate(100, ''));
    const seen = new Set<string>();
    let cursor = '0';
    let iterations = 0;
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 1000;
    };
    do {
      const reply = (await t.raw.call('SCAN', cursor)).toString('latin1');
      const lines = reply.split('\r\n');
      cursor = lines[2]!;
      for (let i = 5; i < lines.length; i += 2) seen.add(lines[i]!);
      for (let j = 0; j < 10; j++) await r('SET', `addedkey:${rand()}`, 'foo');
      iterations++;
      assert.ok(iterations < 10000, 'SCAN did not terminate');
    } while (cursor !== '0');
    for (let i = 0; i < 100; i++) assert.ok(seen.has(String(i)), `key ${i} missing from SCAN`);
  });

  it('TTL, TYPE and EXISTS do not alter the last access time; TOUCH does', async () => {
    await r('FLUSHALL');
    await r('SET', 'foo', 'bar');
    clock.advance(3000);
    assert.equal(await r('TTL', 'foo'), ':-1\r\n');
    assert.equal(await r('TYPE', 'foo'), '+string\r\n');
    assert.equal(await r('EXISTS', 'foo'), ':1\r\n');
    assert.equal(await r('OBJECT', 'IDLETIME', 'foo'), ':3\r\n');
    assert.equal(await r('TOUCH', 'foo'), ':1\r\n');
    assert.equal(await r('OBJECT', 'IDLETIME', 'foo'), ':0\r\n');
    clock.advance(2000);
    assert.equal(await r('OBJECT', 'IDLETIME', 'foo'), ':2\r\n');
    assert.equal(await r('GET', 'foo'), '$3\r\nbar\r\n');
    assert.equal(await r('OBJECT', 'IDLETIME', 'foo'), ':0\r\n');
  });

  it('shared integers 0..9999 share one access clock (LRU and LFU)', async () => {
    await r('FLUSHALL');
    await r('SET', 'a', '77');
    await r('SET', 'other', '78');
    await r('GET', 'a'); // SET leaves the shared object's clock alone (idle since startup); a read moves it
    await r('GET', 'other');
    clock.advance(5000);
    await r('SET', 'b', '77');
    await r('SET', 'c', 'x77');
    assert.equal(await r('OBJECT', 'IDLETIME', 'b'), ':5\r\n'); // idle since a was read
    assert.equal(await r('OBJECT', 'IDLETIME', 'c'), ':0\r\n');
    assert.equal(await r('GET', 'a'), '$2\r\n77\r\n');
    assert.equal(await r('OBJECT', 'IDLETIME', 'b'), ':0\r\n'); // reading a touched b's object
    assert.equal(await r('OBJECT', 'IDLETIME', 'other'), ':5\r\n');
    // APPEND makes a private raw copy: its own clock from then on.
    await r('APPEND', 'other', '');
    clock.advance(2000);
    await r('GET', 'b');
    assert.equal(await r('OBJECT', 'IDLETIME', 'a'), ':0\r\n');
    assert.equal(await r('OBJECT', 'IDLETIME', 'other'), ':2\r\n');
    // Under an LRU maxmemory policy integers are not shared: each key has its own clock.
    await r('CONFIG', 'SET', 'maxmemory', '1gb');
    await r('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      clock.advance(3000);
      await r('GET', 'a');
      assert.equal(await r('OBJECT', 'REFCOUNT', 'b'), ':1\r\n');
      assert.equal(await r('OBJECT', 'IDLETIME', 'b'), ':3\r\n');
    } finally {
      await r('CONFIG', 'SET', 'maxmemory', '0');
      await r('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
    // LFU: the counter lives on the shared object too.
    await r('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    try {
      await r('SET', 'f1', '4242');
      await r('SET', 'f2', '4242');
      const f0 = Number((await r('OBJECT', 'FREQ', 'f2')).slice(1, -2));
      await r('GET', 'f1');
      await r('GET', 'f1');
      const f1 = Number((await r('OBJECT', 'FREQ', 'f2')).slice(1, -2));
      assert.ok(f1 > f0, `FREQ of f2 should grow when f1 (same shared integer) is read: ${f0} -> ${f1}`);
      await r('SET', 'g', 'hello');
      assert.equal(await r('OBJECT', 'FREQ', 'g'), ':5\r\n'); // LFU_INIT_VAL for a new private object
    } finally {
      await r('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('DEL against an expired key replies 0 and counts it as expired', async () => {
    await r('FLUSHALL');
    t.node.server.activeExpireEnabled = false;
    try {
      const before = t.node.server.keyspace.stats.expiredKeys;
      await r('SETEX', 'keyExpire', '1', 'valExpire');
      clock.advance(1100);
      assert.equal(await r('DBSIZE'), ':1\r\n');
      assert.equal(await r('DEL', 'keyExpire'), ':0\r\n');
      assert.equal(await r('DBSIZE'), ':0\r\n');
      assert.equal(t.node.server.keyspace.stats.expiredKeys - before, 1);
    } finally {
      t.node.server.activeExpireEnabled = true;
    }
  });
});
