// Wire tests for the generic key commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX COPY
// MOVE SWAPDB FLUSHDB FLUSHALL DBSIZE. Replies are compared byte for byte (texts checked
// against redis-server 7.0.15); dirty counters and keyspace statistics are read from the node.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { NO_EXPIRY, StrEnc, VType } from '../../src/server/keyspace/entry.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { peekEntry, putEntry } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const INT_RANGE = '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n';
const DB_RANGE = '-ERR DB index is out of range\r\n';
const SAME = '-ERR source and destination objects are the same\r\n';
const NO_SUCH_KEY = '-ERR no such key\r\n';
const int = (n: number): string => `:${n}\r\n`;
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;

describe('keys: generic commands', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const db = (i: number) => node.server.keyspace.dbs[i];
  const stats = () => node.server.keyspace.stats;

  before(async () => {
    node = await startServer({ clock });
    // Lazy expiry only: the cron (real timers) must not reclaim keys behind the fake clock.
    node.server.activeExpireEnabled = false;
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });
  beforeEach(async () => {
    assert.equal(await r('FLUSHALL'), OK);
  });

  it('DEL / UNLINK count existing keys once, dirty grows by the count', async () => {
    await r('MSET', 'a', '1', 'b', '2', 'c', '3');
    const d0 = node.server.dirty;
    assert.equal(await r('DEL', 'a', 'a', 'missing'), int(1));
    assert.equal(node.server.dirty - d0, 1);
    assert.equal(await r('UNLINK', 'b', 'c', 'b'), int(2));
    assert.equal(node.server.dirty - d0, 3);
    assert.equal(await r('DEL', 'a'), int(0));
    assert.equal(node.server.dirty - d0, 3);
    assert.equal(db(0).size, 0);
    assert.equal(await redis.del('nothing'), 0);
  });

  it('DEL of an expired key replies 0 and counts it as expired, not deleted', async () => {
    await r('SET', 'e', 'v', 'PX', '100');
    clock.advance(101);
    const expired0 = stats().expiredKeys;
    assert.equal(await r('DEL', 'e'), int(0));
    assert.equal(stats().expiredKeys - expired0, 1);
    assert.equal(db(0).size, 0);
  });

  it('EXISTS counts repeats and misses; TYPE; both count hits/misses without touching', async () => {
    await r('SET', 'a', '1');
    putEntry(db(0), 'h', VType.Hash, new Map(), 0);
    const { keyspaceHits: h0, keyspaceMisses: m0 } = stats();
    assert.equal(await r('EXISTS', 'a', 'a', 'nope', 'h'), int(3));
    assert.equal(stats().keyspaceHits - h0, 3);
    assert.equal(stats().keyspaceMisses - m0, 1);
    assert.equal(await r('TYPE', 'a'), '+string\r\n');
    assert.equal(await r('TYPE', 'h'), '+hash\r\n');
    assert.equal(await r('TYPE', 'nope'), '+none\r\n');
    // No touch: the access clock of 'h' (0) did not move.
    assert.equal(peekEntry(db(0), 'h')?.lru, 0);
  });

  it('TOUCH counts existing keys and updates their access clock', async () => {
    putEntry(db(0), 'old', VType.String, Buffer.from('v'), 0);
    assert.equal(await r('TOUCH', 'old', 'old', 'missing'), int(2));
    assert.notEqual(peekEntry(db(0), 'old')?.lru, 0);
    assert.equal(await r('TOUCH', 'missing'), int(0));
  });

  it('RENAME moves value and TTL, overwrites the destination, errors on a missing source', async () => {
    const t = clock.now();
    await r('SET', 's', 'v', 'PX', '5000');
    await r('SET', 'd', 'old');
    const d0 = node.server.dirty;
    assert.equal(await r('RENAME', 's', 'd'), OK);
    assert.equal(node.server.dirty - d0, 1);
    assert.equal(await r('GET', 'd'), bulk('v'));
    assert.equal(await r('EXISTS', 's'), int(0));
    assert.equal(peekEntry(db(0), 'd')?.expireAt, t + 5000);
    assert.equal(db(0).expiresSize, 1);
    assert.equal(await r('RENAME', 's', 'x'), NO_SUCH_KEY);
    assert.equal(await r('RENAME', 's', 's'), NO_SUCH_KEY);
    assert.equal(await r('RENAME', 'd', 'd'), OK);
    assert.equal(node.server.dirty - d0, 1, 'renaming onto itself changes nothing');
    // A TTL-less source replaces a destination with a TTL: the result has no TTL.
    await r('SET', 'p', 'plain');
    assert.equal(await r('RENAME', 'p', 'd'), OK);
    assert.equal(peekEntry(db(0), 'd')?.expireAt, NO_EXPIRY);
    assert.equal(db(0).expiresSize, 0);
  });

  it('RENAMENX refuses an existing destination', async () => {
    await r('MSET', 'a', '1', 'b', '2');
    assert.equal(await r('RENAMENX', 'a', 'b'), int(0));
    assert.equal(await r('RENAMENX', 'a', 'a'), int(0));
    assert.equal(await r('RENAMENX', 'a', 'c'), int(1));
    assert.equal(await r('GET', 'c'), bulk('1'));
    assert.equal(await r('RENAMENX', 'missing', 'z'), NO_SUCH_KEY);
    // An expired destination does not count as existing.
    await r('SET', 'gone', 'x', 'PX', '10');
    clock.advance(11);
    assert.equal(await r('RENAMENX', 'c', 'gone'), int(1));
  });

  it('COPY: same db, other db, REPLACE, TTL, errors in Redis order', async () => {
    const t = clock.now();
    await r('SET', 'x', 'hello', 'PX', '7000');
    const d0 = node.server.dirty;
    assert.equal(await r('COPY', 'x', 'y'), int(1));
    assert.equal(await r('GET', 'y'), bulk('hello'));
    assert.equal(peekEntry(db(0), 'y')?.expireAt, t + 7000);
    assert.equal(await r('COPY', 'x', 'y'), int(0));
    assert.equal(await r('COPY', 'x', 'y', 'REPLACE'), int(1));
    assert.equal(await r('COPY', 'x', 'y', 'db', '2', 'DB', '3'), int(1), 'the last DB option wins');
    assert.equal(peekEntry(db(3), 'y')?.expireAt, t + 7000);
    assert.equal(db(2).size, 0);
    assert.equal(node.server.dirty - d0, 3);
    assert.equal(await r('SETRANGE', 'x', '0', 'J'), int(5));
    assert.equal(await r('GET', 'y'), bulk('hello'), 'a write to the source leaves the copy alone');
    assert.equal(await r('COPY', 'missing', 'y'), int(0));
    assert.equal(await r('COPY', 'x', 'x'), SAME);
    assert.equal(await r('COPY', 'missing', 'missing'), SAME);
    assert.equal(await r('COPY', 'x', 'x', 'DB', '1'), int(1));
    assert.equal(await r('COPY', 'x', 'y', 'DB', '16'), DB_RANGE);
    assert.equal(await r('COPY', 'missing', 'missing', 'DB', '99'), DB_RANGE);
    assert.equal(await r('COPY', 'x', 'y', 'DB', '-1'), DB_RANGE);
    assert.equal(await r('COPY', 'x', 'y', 'DB', 'abc'), NOT_INT);
    assert.equal(await r('COPY', 'x', 'y', 'DB', '4294967296'), INT_RANGE);
    assert.equal(await r('COPY', 'x', 'y', 'DB'), SYNTAX);
    assert.equal(await r('COPY', 'x', 'y', 'REPLACE', 'foo'), SYNTAX);
  });

  it('COPY of a small integer gives an unshared object; raw strings stay raw', async () => {
    await r('SET', 'n', '5');
    await r('COPY', 'n', 'm');
    assert.equal(peekEntry(db(0), 'm')?.enc, StrEnc.Unshared);
    assert.equal(await r('OBJECT', 'REFCOUNT', 'n'), int(2147483647));
    assert.equal(await r('OBJECT', 'REFCOUNT', 'm'), int(1));
    assert.equal(await r('OBJECT', 'ENCODING', 'm'), bulk('int'));
    await r('SET', 'a', 'x');
    await r('APPEND', 'a', 'y');
    await r('COPY', 'a', 'b');
    assert.equal(await r('OBJECT', 'ENCODING', 'b'), bulk('raw'));
  });

  it('MOVE: moves value and TTL, refuses an existing target, errors in Redis order', async () => {
    const t = clock.now();
    await r('SET', 'k', 'v', 'PX', '9000');
    const d0 = node.server.dirty;
    assert.equal(await r('MOVE', 'k', '1'), int(1));
    assert.equal(node.server.dirty - d0, 1);
    assert.equal(db(0).size, 0);
    assert.equal(peekEntry(db(1), 'k')?.expireAt, t + 9000);
    assert.equal(db(1).expiresSize, 1);
    assert.equal(db(0).expiresSize, 0);
    assert.equal(await r('MOVE', 'k', '1'), int(0));
    await r('SET', 'k', 'other');
    assert.equal(await r('MOVE', 'k', '1'), int(0), 'target db already holds k');
    assert.equal(await r('MOVE', 'missing', '1'), int(0));
    assert.equal(await r('MOVE', 'missing', '0'), SAME);
    assert.equal(await r('MOVE', 'k', '16'), DB_RANGE);
    assert.equal(await r('MOVE', 'k', '-1'), DB_RANGE);
    assert.equal(await r('MOVE', 'k', '2147483648'), INT_RANGE);
    assert.equal(await r('MOVE', 'k', '99999999999999999999'), NOT_INT);
    assert.equal(await r('MOVE', 'k', '1.5'), NOT_INT);
  });

  it('SWAPDB swaps contents under the connections, errors name the bad argument', async () => {
    await r('SET', 'in0', 'a');
    putEntry(db(1), 'in1', VType.String, Buffer.from('b'), 0);
    const d0 = node.server.dirty;
    assert.equal(await r('SWAPDB', '0', '1'), OK);
    assert.equal(await r('GET', 'in1'), bulk('b'), 'this connection (db 0) sees db 1 contents');
    assert.equal(await r('EXISTS', 'in0'), int(0));
    assert.ok(peekEntry(db(1), 'in0'));
    assert.equal(await r('SWAPDB', '0', '0'), OK);
    assert.equal(node.server.dirty - d0, 2);
    assert.equal(await r('SWAPDB', 'a', '0'), '-ERR invalid first DB index\r\n');
    assert.equal(await r('SWAPDB', '0', 'a'), '-ERR invalid second DB index\r\n');
    assert.equal(await r('SWAPDB', '16', 'a'), '-ERR invalid second DB index\r\n');
    assert.equal(await r('SWAPDB', '4294967296', '0'), '-ERR invalid first DB index\r\n');
    assert.equal(await r('SWAPDB', '0', '16'), DB_RANGE);
    assert.equal(await r('SWAPDB', '-1', '0'), DB_RANGE);
  });

  it('FLUSHDB / FLUSHALL: options, syntax errors, dirty += keys removed; DBSIZE', async () => {
    await r('MSET', 'a', '1', 'b', '2', 'c', '3');
    putEntry(db(4), 'x', VType.String, Buffer.from('1'), 0);
    assert.equal(await r('DBSIZE'), int(3));
    assert.equal(await r('FLUSHDB', 'foo'), SYNTAX);
    assert.equal(await r('FLUSHDB', 'SYNC', 'x'), SYNTAX);
    assert.equal(await r('FLUSHALL', 'foo'), SYNTAX);
    const d0 = node.server.dirty;
    assert.equal(await r('FLUSHDB', 'async'), OK);
    assert.equal(node.server.dirty - d0, 3);
    assert.equal(await r('DBSIZE'), int(0));
    assert.equal(db(4).size, 1, 'FLUSHDB leaves other databases alone');
    assert.equal(await r('FLUSHDB', 'SYNC'), OK);
    assert.equal(node.server.dirty - d0, 3, 'flushing an empty db changes nothing');
    assert.equal(await r('FLUSHALL', 'Async'), OK);
    assert.equal(db(4).size, 0);
    assert.equal(node.server.dirty - d0, 4);
    assert.equal(await redis.dbsize(), 0);
  });

  it('DBSIZE counts expired keys not yet reclaimed, like Redis', async () => {
    await r('SET', 'e', 'v', 'PX', '10');
    clock.advance(11);
    assert.equal(await r('DBSIZE'), int(1));
    assert.equal(await r('EXISTS', 'e'), int(0));
    assert.equal(await r('DBSIZE'), int(0));
  });
});
