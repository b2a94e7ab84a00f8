// Wire tests for EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
// PEXPIRETIME and PERSIST, driven by a FakeClock. Error texts checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { NO_EXPIRY } from '../../src/server/keyspace/entry.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { peekEntry } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const NX_COMPAT = '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n';
const GT_LT_COMPAT = '-ERR GT and LT options at the same time are not compatible\r\n';
const invalid = (cmd: string): string => `-ERR invalid expire time in '${cmd}' command\r\n`;
const int = (n: number | bigint): string => `:${n}\r\n`;

describe('keys: expiry commands', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const db0 = () => node.server.keyspace.dbs[0];

  before(async () => {
    node = await startServer({ clock });
    node.server.activeExpireEnabled = false; // lazy expiry only; the cron runs on real timers
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });
  beforeEach(async () => {
    clock.set(T0);
    assert.equal(await r('FLUSHALL'), OK);
  });

  it('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT set absolute times from the command time', async () => {
    await r('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const d0 = node.server.dirty;
    assert.equal(await r('EXPIRE', 'a', '100'), int(1));
    assert.equal(await r('PEXPIRE', 'b', '1500'), int(1));
    assert.equal(await r('EXPIREAT', 'c', String(T0 / 1000 + 50)), int(1));
    assert.equal(await r('PEXPIREAT', 'd', String(T0 + 777)), int(1));
    assert.equal(node.server.dirty - d0, 4);
    assert.equal(peekEntry(db0(), 'a')?.expireAt, T0 + 100_000);
    assert.equal(peekEntry(db0(), 'b')?.expireAt, T0 + 1500);
    assert.equal(peekEntry(db0(), 'c')?.expireAt, T0 + 50_000);
    assert.equal(peekEntry(db0(), 'd')?.expireAt, T0 + 777);
    assert.equal(db0().expiresSize, 4);
    assert.equal(await r('EXPIRE', 'missing', '10'), int(0));
    assert.equal(await redis.expire('a', 200), 1);
  });

  it('TTL rounds to the nearest second; PTTL, EXPIRETIME, PEXPIRETIME; -1 and -2', async () => {
    await r('SET', 'k', 'v');
    await r('SET', 'p', 'v');
    assert.equal(await r('PEXPIRE', 'k', '1500'), int(1));
    assert.equal(await r('TTL', 'k'), int(2));
    assert.equal(await r('PEXPIRE', 'k', '1499'), int(1));
    assert.equal(await r('TTL', 'k'), int(1));
    assert.equal(await r('PTTL', 'k'), int(1499));
    assert.equal(await r('PEXPIRETIME', 'k'), int(T0 + 1499));
    assert.equal(await r('PEXPIREAT', 'k', String(T0 + 10_700)), int(1));
    assert.equal(await r('EXPIRETIME', 'k'), int(T0 / 1000 + 11));
    clock.advance(10_000);
    assert.equal(await r('PTTL', 'k'), int(700));
    assert.equal(await r('TTL', 'k'), int(1));
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      assert.equal(await r(cmd, 'p'), int(-1), `${cmd} without TTL`);
      assert.equal(await r(cmd, 'missing'), int(-2), `${cmd} of a missing key`);
    }
  });

  it('a key lives through its expiry millisecond and is gone one ms later', async () => {
    await r('SET', 'k', 'v');
    await r('PEXPIRE', 'k', '100');
    clock.advance(100);
    assert.equal(await r('PTTL', 'k'), int(0));
    assert.equal(await r('EXISTS', 'k'), int(1));
    clock.advance(1);
    assert.equal(await r('PTTL', 'k'), int(-2));
    assert.equal(await r('EXPIRE', 'k', '10'), int(0));
  });

  it('a time not in the future deletes the key, replies 1 and counts as a change', async () => {
    await r('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const e0 = node.server.keyspace.stats.expiredKeys;
    const d0 = node.server.dirty;
    assert.equal(await r('EXPIRE', 'a', '0'), int(1));
    assert.equal(await r('PEXPIRE', 'b', '-5'), int(1));
    assert.equal(await r('PEXPIREAT', 'c', String(T0)), int(1), 'now itself is already past');
    assert.equal(await r('EXPIREAT', 'd', '1'), int(1));
    assert.equal(node.server.dirty - d0, 4);
    assert.equal(db0().size, 0);
    assert.equal(db0().expiresSize, 0);
    assert.equal(node.server.keyspace.stats.expiredKeys, e0, 'a deletion, not an expiry');
    assert.equal(await r('EXPIRE', 'a', '-1'), int(0));
  });

  it('NX / XX / GT / LT conditions; no TTL counts as infinite', async () => {
    await r('SET', 'k', 'v');
    assert.equal(await r('EXPIRE', 'k', '100', 'XX'), int(0));
    assert.equal(await r('EXPIRE', 'k', '100', 'GT'), int(0), 'nothing beats an infinite TTL');
    assert.equal(await r('EXPIRE', 'k', '100', 'nx'), int(1));
    assert.equal(await r('EXPIRE', 'k', '200', 'NX'), int(0));
    assert.equal(await r('EXPIRE', 'k', '50', 'GT'), int(0));
    assert.equal(await r('EXPIRE', 'k', '100', 'GT'), int(0), 'equal is not greater');
    assert.equal(await r('EXPIRE', 'k', '500', 'gt'), int(1));
    assert.equal(await r('EXPIRE', 'k', '600', 'LT'), int(0));
    assert.equal(await r('EXPIRE', 'k', '60', 'LT', 'XX'), int(1));
    assert.equal(await r('TTL', 'k'), int(60));
    assert.equal(await r('PERSIST', 'k'), int(1));
    assert.equal(await r('EXPIRE', 'k', '60', 'LT'), int(1), 'anything is less than infinite');
    assert.equal(await r('EXPIRE', 'k', '-1', 'GT'), int(0));
    assert.equal(await r('EXISTS', 'k'), int(1));
    assert.equal(await r('EXPIRE', 'k', '-1', 'LT'), int(1));
    assert.equal(await r('EXISTS', 'k'), int(0));
  });

  it('option errors: unknown options first, then incompatible pairs, then the number', async () => {
    await r('SET', 'k', 'v');
    assert.equal(await r('EXPIRE', 'k', '10', 'FOO'), '-ERR Unsupported option FOO\r\n');
    assert.equal(await r('EXPIRE', 'k', 'abc', 'NX', 'XX', 'FOO'), '-ERR Unsupported option FOO\r\n');
    assert.equal(await r('EXPIRE', 'k', '10', 'a\r\nb'), '-ERR Unsupported option a  b\r\n');
    assert.equal(await r('EXPIRE', 'k', 'abc', 'NX', 'XX'), NX_COMPAT);
    assert.equal(await r('PEXPIRE', 'k', '10', 'XX', 'NX'), NX_COMPAT);
    assert.equal(await r('EXPIREAT', 'k', '10', 'NX', 'GT'), NX_COMPAT);
    assert.equal(await r('PEXPIREAT', 'k', '10', 'LT', 'GT', 'NX'), NX_COMPAT);
    assert.equal(await r('EXPIRE', 'k', '10', 'GT', 'LT'), GT_LT_COMPAT);
    assert.equal(await r('EXPIRE', 'k', '10', 'NX', 'NX'), int(1), 'a repeated option is fine');
    assert.equal(await r('EXPIRE', 'k', 'abc'), NOT_INT);
    assert.equal(await r('EXPIRE', 'k', '1.5'), NOT_INT);
    assert.equal(await r('EXPIRE', 'k', '9223372036854775808'), NOT_INT);
  });

  it('overflow checks per unit and base time', async () => {
    await r('SET', 'k', 'v');
    assert.equal(await r('EXPIRE', 'k', '9223372036854775807'), invalid('expire'));
    assert.equal(await r('EXPIRE', 'k', '9223372036854775'), invalid('expire'), 'fits *1000 but not + now');
    assert.equal(await r('EXPIRE', 'k', '-9223372036854775808'), invalid('expire'));
    assert.equal(await r('PEXPIRE', 'k', '9223372036854775807'), invalid('pexpire'));
    assert.equal(await r('EXPIREAT', 'k', '9223372036854775807'), invalid('expireat'));
    assert.equal(await r('expire', 'missing', '9223372036854775807'), invalid('expire'), 'checked before the key');
    assert.equal(await r('EXPIREAT', 'k', '9223372036854775'), int(1), 'fits without a base time');
    assert.equal(await r('PEXPIRETIME', 'k'), int(9223372036854775000n));
  });

  it('expiry times beyond 2^53 ms are kept exactly', async () => {
    await r('SET', 'k', 'v');
    assert.equal(await r('PEXPIREAT', 'k', '9223372036854775807'), int(1));
    assert.equal(await r('PEXPIRETIME', 'k'), int(9223372036854775807n));
    assert.equal(await r('EXPIRETIME', 'k'), int(9223372036854776n));
    assert.equal(await r('PTTL', 'k'), int(9223372036854775807n - BigInt(T0)));
    assert.equal(await r('PEXPIREAT', 'k', '9223372036854775806', 'GT'), int(0), 'compared exactly');
    assert.equal(await r('PEXPIREAT', 'k', '9223372036854775806', 'LT'), int(1));
    assert.equal(await r('PEXPIRETIME', 'k'), int(9223372036854775806n));
    assert.equal(await r('COPY', 'k', 'k2'), int(1));
    assert.equal(await r('PEXPIRETIME', 'k2'), int(9223372036854775806n));
    assert.equal(await r('RENAME', 'k2', 'k3'), OK);
    assert.equal(await r('PEXPIRETIME', 'k3'), int(9223372036854775806n));
  });

  it('PERSIST removes a TTL once; dirty only when it did', async () => {
    await r('SET', 'k', 'v', 'EX', '10');
    await r('SET', 'p', 'v');
    const d0 = node.server.dirty;
    assert.equal(await r('PERSIST', 'k'), int(1));
    assert.equal(await r('PERSIST', 'k'), int(0));
    assert.equal(await r('PERSIST', 'p'), int(0));
    assert.equal(await r('PERSIST', 'missing'), int(0));
    assert.equal(node.server.dirty - d0, 1);
    assert.equal(peekEntry(db0(), 'k')?.expireAt, NO_EXPIRY);
    assert.equal(db0().expiresSize, 0);
    clock.advance(20_000);
    assert.equal(await r('EXISTS', 'k'), int(1));
  });

  it('a rejected condition changes nothing', async () => {
    await r('SET', 'k', 'v', 'PX', '1000');
    const d0 = node.server.dirty;
    assert.equal(await r('PEXPIRE', 'k', '500', 'GT'), int(0));
    assert.equal(await r('PEXPIRE', 'k', '5000', 'NX'), int(0));
    assert.equal(node.server.dirty, d0);
    assert.equal(await r('PTTL', 'k'), int(1000));
  });
});
