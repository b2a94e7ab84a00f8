// Wire tests for GET, the SET family (SET SETNX SETEX PSETEX), GETSET, GETDEL, GETEX, MGET,
// MSET, MSETNX and STRLEN: replies compared byte for byte (texts checked against redis-server
// 7.0.15), TTLs inspected in the keyspace and moved with a FakeClock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { NO_EXPIRY, VType } from '../../src/server/keyspace/entry.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { peekEntry, putEntry, encodingOf, type EntrySnapshot } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NIL = '$-1\r\n';
const OK = '+OK\r\n';
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const invalidExpire = (cmd: string): string => `-ERR invalid expire time in '${cmd}' command\r\n`;

describe('strings: GET/SET family', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  /** Sends a command, returns the raw reply as latin1 text. */
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const entry = (key: string): EntrySnapshot | undefined => peekEntry(node.server.keyspace.dbs[0], key);
  const expireAt = (key: string): number | undefined => entry(key)?.expireAt;
  /** Stores a value of a non-string type under key (other types arrive in later stages). */
  const plantNonString = (key: string): void => {
    putEntry(node.server.keyspace.dbs[0], key, VType.Hash, new Map(), 0);
  };

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

  it('GET/SET basics, overwrite, empty value and key, case-insensitive names', async () => {
    assert.equal(await r('GET', 'g:k'), NIL);
    assert.equal(await r('SET', 'g:k', 'v'), OK);
    assert.equal(await r('GET', 'g:k'), bulk('v'));
    assert.equal(await r('set', 'g:k', 'v2'), OK);
    assert.equal(await r('gEt', 'g:k'), bulk('v2'));
    assert.equal(await r('SET', 'g:empty', ''), OK);
    assert.equal(await r('GET', 'g:empty'), '$0\r\n\r\n');
    assert.equal(await r('SET', '', 'empty-key'), OK);
    assert.equal(await r('GET', ''), bulk('empty-key'));
    assert.equal(await redis.call('set', 'g:io', 'x'), 'OK');
    assert.equal(await redis.get('g:io'), 'x');
  });

  it('binary-safe keys and values, and values are copied out of the network buffer', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const key = Buffer.from([0, 13, 10, 255]);
    assert.equal(await r('SET', key, all), OK);
    // Pipeline more traffic through the same socket so a retained argv view would be overwritten.
    await raw.send(Buffer.concat(Array.from({ length: 50 }, () => Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\njunk\r\n$256\r\n' + 'z'.repeat(256) + '\r\n'))));
    await raw.readAll(50);
    const got = await redis.getBuffer(key);
    assert.deepEqual(got, all);
    assert.equal(await r('STRLEN', key), ':256\r\n');
  });

  it('GET and STRLEN on a non-string reply WRONGTYPE; MGET reads it as nil', async () => {
    plantNonString('g:hash');
    assert.equal(await r('GET', 'g:hash'), WRONGTYPE);
    assert.equal(await r('STRLEN', 'g:hash'), WRONGTYPE);
    assert.equal(await r('GETDEL', 'g:hash'), WRONGTYPE);
    assert.equal(await r('GETEX', 'g:hash', 'PERSIST'), WRONGTYPE);
    assert.equal(await r('GETSET', 'g:hash', 'x'), WRONGTYPE);
    assert.equal(await r('SET', 'g:hash', 'x', 'GET'), WRONGTYPE);
    assert.equal(entry('g:hash')?.type, VType.Hash, 'SET GET on the wrong type must not overwrite');
    assert.equal(await r('SET', 'g:s1', 'one'), OK);
    assert.equal(await r('MGET', 'g:s1', 'g:hash', 'g:none'), `*3\r\n${bulk('one')}${NIL}${NIL}`);
    assert.equal(await r('SET', 'g:hash', 'plain'), OK, 'plain SET overwrites any type');
    assert.equal(await r('GET', 'g:hash'), bulk('plain'));
  });

  it('SET NX / XX', async () => {
    assert.equal(await r('SET', 'nx:k', 'v', 'XX'), NIL);
    assert.equal(await r('GET', 'nx:k'), NIL);
    assert.equal(await r('SET', 'nx:k', 'v', 'NX'), OK);
    assert.equal(await r('SET', 'nx:k', 'w', 'nx'), NIL);
    assert.equal(await r('GET', 'nx:k'), bulk('v'));
    assert.equal(await r('SET', 'nx:k', 'w', 'xx'), OK);
    assert.equal(await r('GET', 'nx:k'), bulk('w'));
    assert.equal(await r('SET', 'nx:k', 'w', 'NX', 'NX'), NIL, 'repeating an option is allowed');
  });

  it('SET GET, alone and with NX/XX (7.0 allows NX GET)', async () => {
    assert.equal(await r('SET', 'sg:k', 'v1', 'GET'), NIL);
    assert.equal(await r('SET', 'sg:k', 'v2', 'GET'), bulk('v1'));
    assert.equal(await r('SET', 'sg:k', 'v3', 'NX', 'GET'), bulk('v2'));
    assert.equal(await r('GET', 'sg:k'), bulk('v2'), 'NX failed: value unchanged');
    assert.equal(await r('SET', 'sg:new', 'n', 'GET', 'NX'), NIL);
    assert.equal(await r('GET', 'sg:new'), bulk('n'));
    assert.equal(await r('SET', 'sg:k', 'v4', 'XX', 'GET'), bulk('v2'));
    assert.equal(await r('SET', 'sg:none', 'x', 'XX', 'GET'), NIL);
    assert.equal(await r('GET', 'sg:none'), NIL);
    assert.equal(await r('SET', 'sg:k', 'v5', 'get', 'get'), bulk('v4'));
  });

  it('SET option conflicts and malformed options are syntax errors', async () => {
    for (const opts of [
      ['NX', 'XX'], ['XX', 'NX'], ['EX', '10', 'PX', '100'], ['PX', '100', 'EX', '10'],
      ['EX', '10', 'KEEPTTL'], ['KEEPTTL', 'EX', '10'], ['PXAT', '1', 'KEEPTTL'], ['EXAT', '1', 'PXAT', '1'],
      ['EX'], ['PX'], ['EXAT'], ['PXAT'], ['PERSIST'], ['FOO'], ['NXX'], ['EX', '10', 'EXTRA'],
    ]) {
      assert.equal(await r('SET', 'so:k', 'v', ...opts), SYNTAX, opts.join(' '));
    }
    assert.equal(await r('GET', 'so:k'), NIL);
    // The same expiration repeated is accepted; the last value wins.
    assert.equal(await r('SET', 'so:k', 'v', 'EX', '10', 'EX', '20'), OK);
    assert.equal(expireAt('so:k'), T0 + 20_000);
    // Syntax errors come before the expire-time check.
    assert.equal(await r('SET', 'so:k', 'v', 'EX', '0', 'BOGUS'), SYNTAX);
  });

  it('SET EX/PX/EXAT/PXAT set absolute expiries from the command time', async () => {
    clock.set(T0);
    assert.equal(await r('SET', 'ex:a', 'v', 'EX', '100'), OK);
    assert.equal(expireAt('ex:a'), T0 + 100_000);
    assert.equal(await r('SET', 'ex:b', 'v', 'px', '1500'), OK);
    assert.equal(expireAt('ex:b'), T0 + 1500);
    assert.equal(await r('SET', 'ex:c', 'v', 'EXAT', String(T0 / 1000 + 50)), OK);
    assert.equal(expireAt('ex:c'), T0 + 50_000);
    assert.equal(await r('SET', 'ex:d', 'v', 'PXAT', String(T0 + 7)), OK);
    assert.equal(expireAt('ex:d'), T0 + 7);
    clock.advance(7);
    assert.equal(await r('GET', 'ex:d'), bulk('v'), 'still there at its PXAT (expired once now > PXAT)');
    clock.advance(1);
    assert.equal(await r('GET', 'ex:d'), NIL, 'expired after its PXAT');
    assert.equal(await r('GET', 'ex:b'), bulk('v'));
    clock.advance(1493);
    assert.equal(await r('GET', 'ex:b'), NIL);
    clock.set(T0);
  });

  it('SET invalid expire times, per command name', async () => {
    for (const [opt, v] of [
      ['EX', '0'], ['EX', '-1'], ['PX', '0'], ['PX', '-5'], ['EXAT', '0'], ['PXAT', '-1'],
      ['EX', '9223372036854776'], // *1000 overflows
      ['EX', '9223372036854775'], // *1000 fits, + now overflows
      ['PX', '9223372036854775000'], ['PX', '9223372036854775807'],
    ]) {
      assert.equal(await r('SET', 'ie:k', 'v', opt, v), invalidExpire('set'), `${opt} ${v}`);
    }
    assert.equal(await r('SET', 'ie:k', 'v', 'EX', 'abc'), NOT_INT);
    assert.equal(await r('SET', 'ie:k', 'v', 'EX', '1.5'), NOT_INT);
    assert.equal(await r('SET', 'ie:k', 'v', 'EX', '99999999999999999999'), NOT_INT);
    assert.equal(await r('GET', 'ie:k'), NIL, 'nothing stored on an expire error');
    // Absolute times at the int64 limit are accepted.
    assert.equal(await r('SET', 'ie:k', 'v', 'PXAT', '9223372036854775807'), OK);
    assert.equal(await r('SET', 'ie:k', 'v', 'EXAT', '9223372036854775'), OK);
    assert.equal(await r('SETEX', 'ie:k', '0', 'v'), invalidExpire('setex'));
    assert.equal(await r('SETEX', 'ie:k', '9223372036854776', 'v'), invalidExpire('setex'));
    assert.equal(await r('SETEX', 'ie:k', 'x', 'v'), NOT_INT);
    assert.equal(await r('PSETEX', 'ie:k', '-1', 'v'), invalidExpire('psetex'));
    assert.equal(await r('PSETEX', 'ie:k', '9223372036854775807', 'v'), invalidExpire('psetex'));
    // The expire time is checked before SET GET looks at the old value (even of the wrong type).
    plantNonString('ie:h');
    assert.equal(await r('SET', 'ie:h', 'v', 'GET', 'EX', '0'), invalidExpire('set'));
  });

  it('SET EXAT/PXAT in the past stores the key, which then reads as expired (as Redis 7.0)', async () => {
    clock.set(T0);
    const ks = node.server.keyspace;
    const expiredBefore = ks.stats.expiredKeys;
    // The active expiry cycle would delete the keys before the test looks at them.
    node.server.activeExpireEnabled = false;
    try {
      assert.equal(await r('SET', 'past:k', 'v', 'PXAT', '1'), OK);
      assert.equal(expireAt('past:k'), 1);
      assert.equal(await r('SET', 'past:k2', 'v', 'EXAT', String(T0 / 1000 - 1), 'GET'), NIL);
      assert.equal(await r('GET', 'past:k'), NIL);
      assert.equal(await r('GET', 'past:k2'), NIL);
      assert.equal(entry('past:k'), undefined);
      assert.equal(ks.stats.expiredKeys, expiredBefore + 2);
    } finally {
      node.server.activeExpireEnabled = true;
    }
  });

  it('plain SET clears the TTL; KEEPTTL keeps it; NX/XX failures keep it', async () => {
    clock.set(T0);
    assert.equal(await r('SET', 'kt:k', 'v', 'EX', '100'), OK);
    assert.equal(await r('SET', 'kt:k', 'v2', 'KEEPTTL'), OK);
    assert.equal(expireAt('kt:k'), T0 + 100_000);
    assert.equal(await r('SET', 'kt:k', 'v3', 'NX', 'EX', '5'), NIL);
    assert.equal(expireAt('kt:k'), T0 + 100_000);
    assert.equal(await r('SET', 'kt:k', 'v4', 'XX', 'keepttl', 'GET'), bulk('v2'));
    assert.equal(expireAt('kt:k'), T0 + 100_000);
    assert.equal(await r('SET', 'kt:k', 'v5'), OK);
    assert.equal(expireAt('kt:k'), NO_EXPIRY);
    assert.equal(await r('SET', 'kt:new', 'v', 'KEEPTTL'), OK);
    assert.equal(expireAt('kt:new'), NO_EXPIRY);
    assert.equal(await r('SET', 'kt:k', 'v6', 'EX', '3'), OK);
    assert.equal(await r('SET', 'kt:k', 'v7', 'PX', '9000'), OK, 'a new expiry replaces the old one');
    assert.equal(expireAt('kt:k'), T0 + 9000);
  });

  it('SETNX, SETEX, PSETEX', async () => {
    clock.set(T0);
    assert.equal(await r('SETNX', 'sn:k', 'a'), ':1\r\n');
    assert.equal(await r('SETNX', 'sn:k', 'b'), ':0\r\n');
    assert.equal(await r('GET', 'sn:k'), bulk('a'));
    assert.equal(await r('SETEX', 'sn:e', '10', 'val'), OK);
    assert.equal(await r('GET', 'sn:e'), bulk('val'));
    assert.equal(expireAt('sn:e'), T0 + 10_000);
    assert.equal(await r('PSETEX', 'sn:p', '250', 'pv'), OK);
    assert.equal(expireAt('sn:p'), T0 + 250);
    assert.equal(await r('SETEX', 'sn:k', '5', 'over'), OK, 'SETEX overwrites');
    assert.equal(await r('GET', 'sn:k'), bulk('over'));
    clock.advance(251);
    assert.equal(await r('GET', 'sn:p'), NIL);
    assert.equal(await r('SETNX', 'sn:p', 'again'), ':1\r\n', 'an expired key counts as missing');
    clock.set(T0);
  });

  it('GETSET returns the old value and clears the TTL', async () => {
    clock.set(T0);
    assert.equal(await r('GETSET', 'gs:k', 'a'), NIL);
    assert.equal(await r('SET', 'gs:k', 'b', 'EX', '100'), OK);
    assert.equal(await r('GETSET', 'gs:k', 'c'), bulk('b'));
    assert.equal(await r('GET', 'gs:k'), bulk('c'));
    assert.equal(expireAt('gs:k'), NO_EXPIRY);
  });

  it('GETDEL', async () => {
    assert.equal(await r('GETDEL', 'gd:k'), NIL);
    assert.equal(await r('SET', 'gd:k', 'v', 'EX', '100'), OK);
    assert.equal(await r('GETDEL', 'gd:k'), bulk('v'));
    assert.equal(entry('gd:k'), undefined);
    assert.equal(await r('GETDEL', 'gd:k'), NIL);
  });

  it('GETEX: no option, EX/PX/EXAT/PXAT, PERSIST', async () => {
    clock.set(T0);
    assert.equal(await r('GETEX', 'gx:none'), NIL);
    assert.equal(await r('GETEX', 'gx:none', 'EX', '0'), NIL, 'missing key wins over a bad expire');
    assert.equal(await r('SET', 'gx:k', 'v'), OK);
    assert.equal(await r('GETEX', 'gx:k'), bulk('v'));
    assert.equal(expireAt('gx:k'), NO_EXPIRY);
    assert.equal(await r('GETEX', 'gx:k', 'EX', '100'), bulk('v'));
    assert.equal(expireAt('gx:k'), T0 + 100_000);
    assert.equal(await r('GETEX', 'gx:k', 'px', '500'), bulk('v'));
    assert.equal(expireAt('gx:k'), T0 + 500);
    assert.equal(await r('GETEX', 'gx:k', 'EXAT', String(T0 / 1000 + 60)), bulk('v'));
    assert.equal(expireAt('gx:k'), T0 + 60_000);
    assert.equal(await r('GETEX', 'gx:k', 'PXAT', String(T0 + 61_000)), bulk('v'));
    assert.equal(expireAt('gx:k'), T0 + 61_000);
    assert.equal(await r('GETEX', 'gx:k'), bulk('v'), 'no option keeps the TTL');
    assert.equal(expireAt('gx:k'), T0 + 61_000);
    assert.equal(await r('GETEX', 'gx:k', 'PERSIST'), bulk('v'));
    assert.equal(expireAt('gx:k'), NO_EXPIRY);
    const dirty = node.server.dirty;
    assert.equal(await r('GETEX', 'gx:k', 'PERSIST'), bulk('v'));
    assert.equal(node.server.dirty, dirty, 'PERSIST on a key without TTL changes nothing');
  });

  it('GETEX EXAT/PXAT in the past deletes the key after replying its value', async () => {
    clock.set(T0);
    assert.equal(await r('SET', 'gxp:k', 'v'), OK);
    assert.equal(await r('GETEX', 'gxp:k', 'PXAT', String(T0)), bulk('v'));
    assert.equal(entry('gxp:k'), undefined);
    assert.equal(await r('SET', 'gxp:k', 'w'), OK);
    assert.equal(await r('GETEX', 'gxp:k', 'EXAT', '1'), bulk('w'));
    assert.equal(entry('gxp:k'), undefined);
  });

  it('GETEX errors: syntax, option conflicts, invalid expire, not an integer', async () => {
    assert.equal(await r('SET', 'gxe:k', 'v'), OK);
    for (const opts of [
      ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX'], ['PERSIST', 'EX', '1'], ['EX', '1', 'PERSIST'],
      ['EX', '1', 'PX', '1'], ['BOGUS'],
    ]) {
      assert.equal(await r('GETEX', 'gxe:k', ...opts), SYNTAX, opts.join(' '));
    }
    assert.equal(await r('GETEX', 'gxe:k', 'EX', '0'), invalidExpire('getex'));
    assert.equal(await r('GETEX', 'gxe:k', 'PXAT', '-3'), invalidExpire('getex'));
    assert.equal(await r('GETEX', 'gxe:k', 'EX', '9223372036854775'), invalidExpire('getex'));
    assert.equal(await r('GETEX', 'gxe:k', 'PX', 'nan'), NOT_INT);
    assert.equal(await r('GETEX', 'gxe:k', 'PERSIST', 'PERSIST'), bulk('v'));
    assert.equal(expireAt('gxe:k'), NO_EXPIRY);
  });

  it('MGET, MSET, MSETNX', async () => {
    clock.set(T0);
    assert.equal(await r('MSET', 'm:a', '1', 'm:b', '2', 'm:a', '3'), OK);
    assert.equal(await r('MGET', 'm:a', 'm:b', 'm:c'), `*3\r\n${bulk('3')}${bulk('2')}${NIL}`);
    assert.equal(await r('MSET', 'm:a'), "-ERR wrong number of arguments for 'mset' command\r\n");
    assert.equal(await r('MSET', 'm:a', 'b', 'c'), "-ERR wrong number of arguments for 'mset' command\r\n");
    assert.equal(await r('MSETNX', 'm:a', 'b', 'c'), "-ERR wrong number of arguments for 'msetnx' command\r\n");
    assert.equal(await r('SET', 'm:t', 'v', 'EX', '100'), OK);
    assert.equal(await r('MSET', 'm:t', 'w'), OK);
    assert.equal(expireAt('m:t'), NO_EXPIRY, 'MSET clears TTLs');
    assert.equal(await r('MSETNX', 'm:x', '1', 'm:a', '9'), ':0\r\n');
    assert.equal(await r('MGET', 'm:x', 'm:a'), `*2\r\n${NIL}${bulk('3')}`, 'MSETNX is all or nothing');
    assert.equal(await r('MSETNX', 'm:x', '1', 'm:y', '2'), ':1\r\n');
    assert.equal(await r('MGET', 'm:x', 'm:y'), `*2\r\n${bulk('1')}${bulk('2')}`);
    const dirty = node.server.dirty;
    assert.equal(await r('MSET', 'm:p', '1', 'm:q', '2', 'm:r', '3'), OK);
    assert.equal(node.server.dirty, dirty + 3);
    assert.deepEqual(await redis.mget('m:p', 'nope', 'm:r'), ['1', null, '3']);
  });

  it('STRLEN', async () => {
    assert.equal(await r('STRLEN', 'sl:none'), ':0\r\n');
    assert.equal(await r('SET', 'sl:k', 'héllo'), OK);
    assert.equal(await r('STRLEN', 'sl:k'), ':6\r\n');
    assert.equal(await r('SET', 'sl:n', '12345'), OK);
    assert.equal(await r('STRLEN', 'sl:n'), ':5\r\n');
  });

  it('keyspace hits and misses are counted by reads only', async () => {
    const st = node.server.keyspace.stats;
    assert.equal(await r('SET', 'hm:a', '1'), OK);
    let h = st.keyspaceHits;
    let m = st.keyspaceMisses;
    await r('GET', 'hm:a');
    await r('GET', 'hm:none');
    assert.deepEqual([st.keyspaceHits - h, st.keyspaceMisses - m], [1, 1]);
    h = st.keyspaceHits;
    m = st.keyspaceMisses;
    await r('MGET', 'hm:a', 'hm:none', 'hm:a');
    await r('STRLEN', 'hm:a');
    assert.deepEqual([st.keyspaceHits - h, st.keyspaceMisses - m], [3, 1]);
    h = st.keyspaceHits;
    m = st.keyspaceMisses;
    await r('SET', 'hm:a', '2');
    await r('SET', 'hm:b', '2', 'NX');
    await r('INCR', 'hm:a');
    await r('APPEND', 'hm:a', 'x');
    await r('MSETNX', 'hm:c', '1');
    assert.deepEqual([st.keyspaceHits - h, st.keyspaceMisses - m], [0, 0], 'writes do not count');
    await r('SET', 'hm:a', '3', 'GET');
    await r('SET', 'hm:zz', '3', 'GET');
    await r('GETSET', 'hm:a', '4');
    await r('GETDEL', 'hm:none');
    assert.deepEqual([st.keyspaceHits - h, st.keyspaceMisses - m], [2, 2]);
  });

  it('dirty counts one change per modified key', async () => {
    const d0 = node.server.dirty;
    await r('SET', 'dt:a', '1');
    await r('SET', 'dt:a', '1', 'NX');
    await r('SETNX', 'dt:a', '1');
    await r('GETDEL', 'dt:none');
    await r('GETDEL', 'dt:a');
    assert.equal(node.server.dirty, d0 + 2);
  });

  it('SET stores values with the auto encoding (int / embstr / raw)', async () => {
    await r('SET', 'enc:i', '12345');
    await r('SET', 'enc:e', 'hello');
    await r('SET', 'enc:r', 'x'.repeat(45));
    assert.deepEqual(['enc:i', 'enc:e', 'enc:r'].map((k) => encodingOf(entry(k))), ['int', 'embstr', 'raw']);
  });

  it('large values round-trip', async () => {
    const big = Buffer.alloc(1_000_000, 0x61);
    big[500_000] = 0;
    assert.equal(await redis.set('big:k', big), 'OK');
    assert.deepEqual(await redis.getBuffer('big:k'), big);
    assert.equal(await r('STRLEN', 'big:k'), ':1000000\r\n');
  });

  it('RESP3: nil replies are _', async () => {
    const c3 = await RawClient.connect(node.port);
    await c3.call('HELLO', '3');
    assert.equal((await c3.call('GET', 'r3:none')).toString(), '_\r\n');
    assert.equal((await c3.call('SET', 'r3:k', 'v', 'XX')).toString(), '_\r\n');
    assert.equal((await c3.call('MGET', 'r3:none')).toString(), '*1\r\n_\r\n');
    assert.equal((await c3.call('GETEX', 'r3:none')).toString(), '_\r\n');
    await c3.close();
  });
});
