// Wire tests for OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP, with a FakeClock for the
// access clocks. Texts checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../src/index.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { useNode } from '../helpers/node.js';
import { putEntry } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const SHARED = ':2147483647\r\n';
const int = (n: number): string => `:${n}\r\n`;
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const FREQ_ERR =
  '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n';
const IDLE_ERR =
  '-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n';

describe('keys: OBJECT', () => {
  const clock = new FakeClock(T0);
  const t = useNode({ clock });
  const r = t.r;

  beforeEach(async () => {
    assert.equal(await r('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'), OK);
    assert.equal(await r('CONFIG', 'SET', 'maxmemory', '0'), OK);
    assert.equal(await r('FLUSHALL'), OK);
  });

  it('HELP lists the subcommands as status lines', async () => {
    const help = await r('OBJECT', 'HELP');
    assert.ok(help.startsWith('*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n'));
    assert.ok(help.includes('+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n'));
    assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
    assert.equal(await r('OBJECT', 'HELP', 'x'), "-ERR wrong number of arguments for 'object|help' command\r\n");
    assert.equal(await r('OBJECT', 'foo'), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  });

  it('ENCODING of strings: int, embstr, raw; nil for a missing key', async () => {
    await r('MSET', 'i', '12345', 'e', 'hello', 'r', 'x'.repeat(45), 'e44', 'y'.repeat(44), 'notint', '012');
    assert.equal(await r('OBJECT', 'ENCODING', 'i'), bulk('int'));
    assert.equal(await r('OBJECT', 'ENCODING', 'e'), bulk('embstr'));
    assert.equal(await r('OBJECT', 'ENCODING', 'e44'), bulk('embstr'));
    assert.equal(await r('OBJECT', 'ENCODING', 'r'), bulk('raw'));
    assert.equal(await r('OBJECT', 'ENCODING', 'notint'), bulk('embstr'));
    assert.equal(await r('object', 'encoding', 'missing'), NIL);
    putEntry(t.node.server.keyspace.dbs[0], 'h', VType.Hash, { encoding: 'listpack' }, 0);
    assert.equal(await r('OBJECT', 'ENCODING', 'h'), bulk('listpack'));
  });

  it('REFCOUNT: shared integers 0..9999 unless maxmemory with an LRU/LFU policy', async () => {
    await r('MSET', 'zero', '0', 'five', '5', 'max', '9999', 'big', '10000', 'neg', '-1', 's', 'str');
    assert.equal(await r('OBJECT', 'REFCOUNT', 'zero'), SHARED);
    assert.equal(await r('OBJECT', 'REFCOUNT', 'five'), SHARED);
    assert.equal(await r('OBJECT', 'REFCOUNT', 'max'), SHARED);
    assert.equal(await r('OBJECT', 'REFCOUNT', 'big'), int(1));
    assert.equal(await r('OBJECT', 'REFCOUNT', 'neg'), int(1));
    assert.equal(await r('OBJECT', 'REFCOUNT', 's'), int(1));
    assert.equal(await r('OBJECT', 'REFCOUNT', 'missing'), NIL);
    await r('CONFIG', 'SET', 'maxmemory', '1000000000');
    assert.equal(await r('OBJECT', 'REFCOUNT', 'five'), SHARED, 'noeviction still shares');
    await r('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await r('SET', 'five', '5');
    assert.equal(await r('OBJECT', 'REFCOUNT', 'five'), int(1));
  });

  it('IDLETIME follows the LRU clock in seconds; reads that do not touch leave it alone', async () => {
    await r('SET', 'k', 'v');
    clock.advance(5_000);
    assert.equal(await r('OBJECT', 'IDLETIME', 'k'), int(5));
    await r('TYPE', 'k');
    await r('EXISTS', 'k');
    await r('TTL', 'k');
    assert.equal(await r('OBJECT', 'IDLETIME', 'k'), int(5));
    await r('GET', 'k');
    assert.equal(await r('OBJECT', 'IDLETIME', 'k'), int(0));
    clock.advance(3_000);
    await r('TOUCH', 'k');
    assert.equal(await r('OBJECT', 'IDLETIME', 'k'), int(0));
    assert.equal(await r('OBJECT', 'IDLETIME', 'missing'), NIL);
    assert.equal(await r('OBJECT', 'FREQ', 'k'), FREQ_ERR);
    assert.equal(await r('OBJECT', 'FREQ', 'missing'), NIL, 'a missing key is nil before the policy check');
  });

  it('FREQ under an LFU policy; IDLETIME then errors', async () => {
    await r('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await r('SET', 'k', 'v');
    assert.equal(await r('OBJECT', 'FREQ', 'k'), int(5), 'new keys start at LFU_INIT_VAL');
    assert.equal(await r('OBJECT', 'IDLETIME', 'k'), IDLE_ERR);
    assert.equal(await r('OBJECT', 'IDLETIME', 'missing'), NIL);
    // The counter decays by one per lfu-decay-time minute without access.
    clock.advance(3 * 60_000);
    assert.equal(await r('OBJECT', 'FREQ', 'k'), int(2));
  });

  it('OBJECT lookups count keyspace hits and misses', async () => {
    await r('SET', 'k', 'v');
    const s = t.node.server.keyspace.stats;
    const h0 = s.keyspaceHits;
    const m0 = s.keyspaceMisses;
    await r('OBJECT', 'ENCODING', 'k');
    await r('OBJECT', 'REFCOUNT', 'missing');
    assert.equal(s.keyspaceHits - h0, 1);
    assert.equal(s.keyspaceMisses - m0, 1);
  });
});
