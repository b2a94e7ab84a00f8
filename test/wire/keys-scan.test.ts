// Wire tests for KEYS, SCAN (MATCH COUNT TYPE, cursor parsing) and RANDOMKEY, including how
// each treats keys whose TTL has passed. Error texts checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { parseScanCursor } from '../../src/server/handlers/keys-iter.js';
import { RawClient, parseReply, type Arg, type RespValue } from '../helpers/raw-client.js';
import { putEntry } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const BAD_CURSOR = '-ERR invalid cursor\r\n';

describe('keys: KEYS, SCAN, RANDOMKEY', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const v = async (...args: Arg[]): Promise<RespValue> => parseReply(await raw.call(...args));
  const db0 = () => node.server.keyspace.dbs[0];
  const sorted = (x: RespValue): string[] => (x as string[]).slice().sort();

  /** Runs a full SCAN iteration; returns every key seen (with repeats) and the cursors. */
  async function scanAll(...opts: string[]): Promise<{ keys: string[]; cursors: string[] }> {
    const keys: string[] = [];
    const cursors: string[] = [];
    let cursor = '0';
    for (let guard = 0; guard < 100_000; guard++) {
      const [next, batch] = (await v('SCAN', cursor, ...opts)) as [string, string[]];
      keys.push(...batch);
      cursors.push(next);
      cursor = next;
      if (cursor === '0') return { keys, cursors };
    }
    throw new Error('SCAN did not terminate');
  }
  /** Runs a full SCAN iteration; returns the keys of each step. */
  async function scanSteps(...opts: string[]): Promise<string[][]> {
    const steps: string[][] = [];
    let cursor = '0';
    for (let guard = 0; guard < 100_000; guard++) {
      const [next, batch] = (await v('SCAN', cursor, ...opts)) as [string, string[]];
      steps.push(batch);
      cursor = next;
      if (cursor === '0') return steps;
    }
    throw new Error('SCAN did not terminate');
  }


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
    assert.equal(await r('FLUSHALL'), OK);
  });

  it('KEYS: glob patterns, "*" matches the empty key, binary keys', async () => {
    await r('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'world', '4', '', '5');
    await r('SET', Buffer.from([0xff, 0x00, 0x41]), 'bin');
    assert.deepEqual(sorted(await v('KEYS', 'h?llo')), ['hallo', 'hello', 'hxllo']);
    assert.deepEqual(sorted(await v('KEYS', 'h[ae]llo')), ['hallo', 'hello']);
    assert.deepEqual(sorted(await v('KEYS', 'h[^e]llo')), ['hallo', 'hxllo']);
    assert.deepEqual(await v('KEYS', 'nomatch*'), []);
    assert.equal(((await v('KEYS', '*')) as unknown[]).length, 6);
    assert.equal(((await v('KEYS', '**')) as unknown[]).length, 5, '"**" does not match the empty key');
    const bin = (await raw.call('KEYS', Buffer.from([0xff, 0x2a]))).toString('latin1');
    assert.equal(bin, '*1\r\n$3\r\n\xff\x00A\r\n');
    assert.deepEqual(sorted(await redis.keys('w*')), ['world']);
  });

  it('KEYS skips expired keys without reclaiming them', async () => {
    await r('MSET', 'a', '1', 'b', '2');
    await r('SET', 'gone', 'x', 'PX', '10');
    clock.advance(11);
    assert.deepEqual(sorted(await v('KEYS', '*')), ['a', 'b']);
    assert.equal(await r('DBSIZE'), ':3\r\n');
  });

  it('SCAN returns every key exactly once over a full iteration, in bounded steps', async () => {
    const n = 1000;
    const args: string[] = ['MSET'];
    for (let i = 0; i < n; i++) args.push(`key:${i}`, String(i));
    await r(...args);
    const { keys, cursors } = await scanAll('COUNT', '7');
    assert.equal(keys.length, n);
    assert.equal(new Set(keys).size, n);
    assert.ok(cursors.length > 1, 'COUNT limits each step');
    for (const c of cursors) assert.match(c, /^(0|[1-9][0-9]*)$/);
    assert.equal(new Set(cursors.slice(0, -1)).size, cursors.length - 1, 'no cursor repeats');
    // COUNT counts keys, as Redis's: every step but the last returns at least that many.
    const steps = await scanSteps('COUNT', '7');
    for (const batch of steps.slice(0, -1)) assert.ok(batch.length >= 7, `a step returned ${batch.length} keys`);
    assert.ok(steps.length <= Math.ceil(n / 7) + 1, `${steps.length} steps`);
    // A cursor beyond any the server hands out ends the iteration, at once (also just past the
    // largest one: 2^32).
    assert.deepEqual(await v('SCAN', '18446744073709551615'), ['0', []]);
    assert.deepEqual(await v('SCAN', '4294967296'), ['0', []]);
    assert.deepEqual(await v('SCAN', '1099511627775'), ['0', []]);
  });

  it('SCAN keeps returning keys present throughout while others are added and removed', async () => {
    const args: string[] = ['MSET'];
    for (let i = 0; i < 300; i++) args.push(`stable:${i}`, 'v');
    await r(...args);
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    do {
      const [next, batch] = (await v('SCAN', cursor, 'COUNT', '5')) as [string, string[]];
      for (const k of batch) seen.add(k);
      await r('SET', `churn:${step}`, 'v');
      await r('DEL', `churn:${step - 3}`);
      step++;
      cursor = next;
    } while (cursor !== '0');
    for (let i = 0; i < 300; i++) assert.ok(seen.has(`stable:${i}`), `stable:${i} returned`);
  });

  it('SCAN MATCH and TYPE filters (TYPE case-insensitive, unknown types match nothing)', async () => {
    await r('MSET', 'user:1', 'a', 'user:2', 'b', 'item:1', 'c');
    putEntry(db0(), 'user:h', VType.Hash, new Map(), 0);
    assert.deepEqual((await scanAll('MATCH', 'user:*')).keys.sort(), ['user:1', 'user:2', 'user:h']);
    assert.deepEqual((await scanAll('MATCH', 'user:*', 'TYPE', 'STRING')).keys.sort(), ['user:1', 'user:2']);
    assert.deepEqual((await scanAll('TYPE', 'hash')).keys, ['user:h']);
    assert.deepEqual((await scanAll('TYPE', 'nosuchtype')).keys, []);
    assert.deepEqual((await scanAll('MATCH', 'x*', 'MATCH', 'item*')).keys, ['item:1'], 'last MATCH wins');
    const hits0 = node.server.keyspace.stats.keyspaceHits;
    await scanAll('MATCH', 'user:*', 'TYPE', 'string');
    assert.equal(node.server.keyspace.stats.keyspaceHits - hits0, 3, 'TYPE looks candidates up as reads');
  });

  it('SCAN argument errors', async () => {
    await r('SET', 'a', '1');
    for (const c of ['abc', '1.5', ' 5', '+', '-', '0x10', '18446744073709551616', '-18446744073709551616']) {
      assert.equal(await r('SCAN', c), BAD_CURSOR, `cursor ${JSON.stringify(c)}`);
    }
    assert.equal(await r('SCAN', 'abc', 'FOO'), BAD_CURSOR, 'the cursor is checked first');
    assert.equal(await r('SCAN', '0', 'COUNT', '0'), SYNTAX);
    assert.equal(await r('SCAN', '0', 'COUNT', '-1'), SYNTAX);
    assert.equal(await r('SCAN', '0', 'COUNT', 'abc'), NOT_INT);
    assert.equal(await r('SCAN', '0', 'COUNT', '9223372036854775808'), NOT_INT);
    assert.equal(await r('SCAN', '0', 'COUNT'), SYNTAX);
    assert.equal(await r('SCAN', '0', 'MATCH'), SYNTAX);
    assert.equal(await r('SCAN', '0', 'FOO', 'bar'), SYNTAX);
    assert.deepEqual(await v('SCAN', '0', 'count', '9223372036854775807'), ['0', ['a']]);
    assert.deepEqual(await v('SCAN', ''), ['0', ['a']], 'an empty cursor reads as 0');
  });

  it('cursor parsing follows strtoul', () => {
    const p = (s: string) => parseScanCursor(Buffer.from(s));
    assert.equal(p('0'), 0n);
    assert.equal(p(''), 0n);
    assert.equal(p('+5'), 5n);
    assert.equal(p('05'), 5n);
    assert.equal(p('-1'), 18446744073709551615n);
    assert.equal(p('-0'), 0n);
    assert.equal(p('-18446744073709551615'), 1n);
    assert.equal(p('18446744073709551615'), 18446744073709551615n);
    assert.equal(p('18446744073709551616'), null);
    assert.equal(p(' 1'), null);
    assert.equal(p('1 '), null);
  });

  it('SCAN skips and reclaims expired keys; with TYPE an expired key reads as "none"', async () => {
    await r('MSET', 'live', '1', 'other', '2');
    await r('SET', 'gone1', 'x', 'PX', '10');
    await r('SET', 'gone2', 'x', 'PX', '10');
    clock.advance(11);
    const expired0 = node.server.keyspace.stats.expiredKeys;
    // Keys filtered out by MATCH are not examined.
    assert.deepEqual((await scanAll('MATCH', 'live')).keys, ['live']);
    assert.equal(db0().size, 4);
    // Redis 7.0 quirk: the TYPE lookup deletes the key and names it "none".
    assert.deepEqual((await scanAll('MATCH', 'gone1', 'TYPE', 'none')).keys, ['gone1']);
    assert.equal(db0().size, 3);
    assert.deepEqual((await scanAll()).keys.sort(), ['live', 'other']);
    assert.equal(db0().size, 2);
    assert.equal(node.server.keyspace.stats.expiredKeys - expired0, 2);
  });

  it('RANDOMKEY: nil when empty, a live key otherwise, reclaiming expired keys it draws', async () => {
    assert.equal(await r('RANDOMKEY'), '$-1\r\n');
    await r('SET', 'live', 'v');
    for (let i = 0; i < 20; i++) await r('SET', `gone:${i}`, 'x', 'PX', '10');
    clock.advance(11);
    for (let i = 0; i < 10; i++) assert.equal(await r('RANDOMKEY'), '$4\r\nlive\r\n');
    assert.ok(db0().size < 21, 'expired keys drawn were deleted');
    await r('DEL', 'live');
    assert.equal(await r('RANDOMKEY'), '$-1\r\n', 'only expired keys left: all reclaimed, then nil');
    assert.equal(db0().size, 0);
  });

  it('RANDOMKEY draws different keys', async () => {
    const args: string[] = ['MSET'];
    for (let i = 0; i < 50; i++) args.push(`k${i}`, 'v');
    await r(...args);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await redis.randomkey()) as string);
    assert.ok(seen.size > 5, `saw ${seen.size} distinct keys`);
    for (const k of seen) assert.match(k, /^k\d+$/);
  });

  it('RESP3: nil replies are "_", SCAN is a plain array', async () => {
    const c3 = await RawClient.connect(node.port);
    try {
      await c3.call('HELLO', '3');
      assert.equal((await c3.call('RANDOMKEY')).toString(), '_\r\n');
      await c3.call('SET', 'a', '1');
      assert.equal((await c3.call('SCAN', '0')).toString(), '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n');
      assert.equal((await c3.call('OBJECT', 'ENCODING', 'missing')).toString(), '_\r\n');
    } finally {
      await c3.close();
    }
  });
});
