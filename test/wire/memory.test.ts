// Wire tests for MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP. The USAGE figures
// and every error text were checked against redis-server 7.0.15 (jemalloc 5.3, 64-bit); the
// process-level figures of STATS are only checked for shape and consistency.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../src/index.js';
import { jemallocSize } from '../../src/server/keyspace/types/alloc-model.js';
import { useNode } from '../helpers/node.js';
import { parseReply, type Arg, type RespValue } from '../helpers/raw-client.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const int = (n: number): string => `:${n}\r\n`;

describe('MEMORY', () => {
  const clock = new FakeClock(T0);
  const t = useNode({ clock });
  const r = t.r;
  const v = async (...args: Arg[]): Promise<RespValue> => parseReply(await t.raw.call(...args));

  beforeEach(async () => {
    assert.equal(await r('FLUSHALL'), OK);
  });

  it('rounds allocations to jemalloc size classes', () => {
    const cases: [number, number][] = [[1, 8], [8, 8], [9, 16], [21, 32], [33, 48], [128, 128], [129, 160],
      [259, 320], [506, 512], [1006, 1024], [5006, 5120], [40006, 40960], [100006, 114688]];
    for (const [n, size] of cases) assert.equal(jemallocSize(n), size, `jemallocSize(${n})`);
  });

  it('USAGE of strings matches Redis 7.0 for int, embstr and raw values', async () => {
    const values: [string, number][] = [
      ['a', 64], ['x'.repeat(12), 64], ['x'.repeat(13), 80], ['x'.repeat(28), 80], ['x'.repeat(29), 96],
      ['x'.repeat(44), 96], ['x'.repeat(45), 112], ['x'.repeat(100), 160], ['x'.repeat(500), 560],
      ['x'.repeat(1000), 1072], ['x'.repeat(5000), 5168], ['x'.repeat(40000), 41008],
      ['x'.repeat(100000), 114736], ['0', 48], ['12345', 48], ['-1', 48], ['123456789012', 48],
      ['12345678901234567890', 80], ['007', 64], ['1.5', 64],
    ];
    for (const [value, bytes] of values) {
      assert.equal(await r('SET', 'v', value), OK);
      assert.equal(await r('MEMORY', 'USAGE', 'v'), int(bytes), `value of ${value.length} bytes (${value.slice(0, 12)})`);
    }
  });

  it('USAGE counts the key: 1-byte sds header under 32 bytes, bigger headers after', async () => {
    const keys: [number, number][] = [[1, 64], [13, 72], [29, 88], [31, 104], [32, 104], [255, 376], [256, 376]];
    for (const [len, bytes] of keys) {
      const k = 'k'.repeat(len);
      await r('SET', k, 'v');
      assert.equal(await r('MEMORY', 'USAGE', k), int(bytes), `key of ${len} bytes`);
    }
  });

  it('USAGE of grown values counts their spare capacity, as Redis counts sds free space', async () => {
    await r('SET', 'ap', 'x'.repeat(50));
    await r('APPEND', 'ap', 'y'.repeat(10));
    assert.equal(await r('MEMORY', 'USAGE', 'ap'), int(176));
    await r('APPEND', 'ap', 'z'.repeat(100));
    assert.equal(await r('MEMORY', 'USAGE', 'ap'), int(432));
    await r('SETRANGE', 'sr', '100', 'x');
    assert.equal(await r('MEMORY', 'USAGE', 'sr'), int(160));
    await r('INCRBYFLOAT', 'f', '1.5');
    assert.equal(await r('MEMORY', 'USAGE', 'f'), int(64));
  });

  it('USAGE ignores the TTL, and neither counts as a hit nor touches the key', async () => {
    await r('SET', 'e', 'v', 'PX', '100000');
    await r('SET', 'plain', 'v');
    assert.equal(await r('OBJECT', 'IDLETIME', 'plain'), int(0));
    assert.equal(await r('CONFIG', 'RESETSTAT'), OK);
    clock.advance(20_000);
    assert.equal(await r('MEMORY', 'USAGE', 'e'), int(64));
    assert.equal(await r('MEMORY', 'USAGE', 'plain'), int(64));
    assert.equal(await r('MEMORY', 'USAGE', 'nokey'), NIL);
    const stats = await r('INFO', 'stats');
    assert.match(stats, /keyspace_hits:0\r\n/);
    assert.match(stats, /keyspace_misses:0\r\n/);
    assert.equal(await r('OBJECT', 'IDLETIME', 'plain'), int(20));
  });

  it('USAGE SAMPLES: parsed before the key is looked up, with Redis texts', async () => {
    await r('SET', 'k', 'v');
    assert.equal(await r('MEMORY', 'USAGE', 'k', 'SAMPLES', '0'), int(64));
    assert.equal(await r('memory', 'usage', 'k', 'samples', '5', 'SAMPLES', '3'), int(64));
    assert.equal(await r('MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'), NOT_INT);
    assert.equal(await r('MEMORY', 'USAGE', 'nokey', 'SAMPLES', '99999999999999999999'), NOT_INT);
    assert.equal(await r('MEMORY', 'USAGE', 'nokey', 'SAMPLES', '-1'), SYNTAX);
    assert.equal(await r('MEMORY', 'USAGE', 'k', 'SAMPLES'), SYNTAX);
    assert.equal(await r('MEMORY', 'USAGE', 'k', 'bogus'), SYNTAX);
    assert.equal(await r('MEMORY', 'USAGE'), "-ERR wrong number of arguments for 'memory|usage' command\r\n");
    assert.equal(await r('MEMORY'), "-ERR wrong number of arguments for 'memory' command\r\n");
    assert.equal(await r('MEMORY', 'nope'), "-ERR unknown subcommand 'nope'. Try MEMORY HELP.\r\n");
  });

  it('HELP, PURGE', async () => {
    const help = await r('MEMORY', 'HELP');
    assert.ok(help.startsWith('*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n'));
    assert.ok(help.includes('+USAGE <key> [SAMPLES <count>]\r\n+    Return memory in bytes used by <key> and its value. Nested values are\r\n'));
    assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
    assert.equal(await r('MEMORY', 'PURGE'), OK);
    assert.equal(await r('MEMORY', 'PURGE', 'x'), "-ERR wrong number of arguments for 'memory|purge' command\r\n");
  });

  it("PURGE gives the arena's pooled empty segments back", async () => {
    const arena = t.node.server.keyspace.store.arena;
    const keys: string[] = [];
    for (let i = 0; i < 12000; i++) keys.push(`pg:${i}`);
    for (let i = 0; i < keys.length; i += 1000) {
      const args: string[] = [];
      for (const k of keys.slice(i, i + 1000)) args.push(k, 'x'.repeat(1000));
      assert.equal(await r('MSET', ...args), OK);
    }
    for (let i = 0; i < keys.length; i += 1000) assert.equal(await r('DEL', ...keys.slice(i, i + 1000)), int(1000));
    // Emptied segments wait in the arena's pool (up to 8 of 1 MB) for the next records.
    assert.ok(arena.sharedBytes >= 4 * 1024 * 1024, `${arena.sharedBytes} bytes of segments held after the deletes`);
    const held = arena.sharedBytes;
    assert.equal(await r('MEMORY', 'PURGE'), OK);
    assert.ok(arena.sharedBytes < held - 4 * 1024 * 1024, `${arena.sharedBytes} bytes of segments held after PURGE, ${held} before`);
    const stats = await r('MEMORY', 'MALLOC-STATS');
    assert.match(stats, new RegExp(`Arena: shared_segments=${arena.sharedBytes} reserved=${arena.reservedBytes}`));
  });

  it('STATS: the fields in Redis order, a db.N map per non-empty database', async () => {
    await r('MSET', 'a', '1', 'b', '2', 'c', '3');
    await r('EXPIRE', 'a', '100');
    await r('SELECT', '3');
    await r('SET', 'x', 'y');
    await r('SELECT', '0');
    const reply = await v('MEMORY', 'STATS');
    assert.ok(Array.isArray(reply));
    const names = reply.filter((_, i) => i % 2 === 0);
    assert.deepEqual(names, [
      'peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves',
      'clients.normal', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches', 'db.0', 'db.3',
      'overhead.total', 'keys.count', 'keys.bytes-per-key', 'dataset.bytes', 'dataset.percentage',
      'peak.percentage', 'allocator.allocated', 'allocator.active', 'allocator.resident',
      'allocator-fragmentation.ratio', 'allocator-fragmentation.bytes', 'allocator-rss.ratio',
      'allocator-rss.bytes', 'rss-overhead.ratio', 'rss-overhead.bytes', 'fragmentation', 'fragmentation.bytes',
    ]);
    const get = (name: string): RespValue => reply[reply.indexOf(name) + 1];
    // 3 keys, 1 expiring: 4 buckets of 8 bytes + 40 per key; 4 buckets + 24 per expiring key.
    assert.deepEqual(get('db.0'), ['overhead.hashtable.main', 152, 'overhead.hashtable.expires', 56, 'overhead.hashtable.slot-to-keys', 0]);
    assert.equal(get('keys.count'), 4);
    const total = get('total.allocated') as number;
    assert.ok(total > 0 && (get('peak.allocated') as number) >= total);
    assert.equal((get('overhead.total') as number) + (get('dataset.bytes') as number), total);
    // Ratios are doubles: bulk strings in RESP2.
    assert.match(String(get('peak.percentage')), /^\d+(\.\d+)?$/);
  });

  it('STATS in RESP3: a map with nested maps and doubles', async () => {
    await r('SET', 'a', '1');
    assert.match(await r('HELLO', '3'), /^%7\r\n/);
    const text = await r('MEMORY', 'STATS');
    assert.match(text, /^%28\r\n\$14\r\npeak\.allocated\r\n:\d+\r\n/);
    assert.match(text, /\$4\r\ndb\.0\r\n%3\r\n\$23\r\noverhead\.hashtable\.main\r\n:\d+\r\n/);
    assert.match(text, /\$18\r\ndataset\.percentage\r\n,[\d.e+-]+\r\n/);
    assert.match(text, /\$13\r\nfragmentation\r\n,[\d.e+-]+\r\n\$19\r\nfragmentation\.bytes\r\n:-?\d+\r\n$/);
    assert.equal(await r('HELLO', '2').then((s) => s.startsWith('*14\r\n')), true);
  });

  it('DOCTOR and MALLOC-STATS: text, verbatim in RESP3', async () => {
    const doctor = await v('MEMORY', 'DOCTOR');
    assert.equal(typeof doctor, 'string');
    assert.match(doctor as string, /^(Hi Sam|Sam, I detected)/);
    const stats = await v('MEMORY', 'MALLOC-STATS');
    assert.match(stats as string, /^___ Begin V8 heap statistics ___\n[\s\S]*--- End V8 heap statistics ---\n$/);
    await r('HELLO', '3');
    assert.match(await r('MEMORY', 'DOCTOR'), /^=\d+\r\ntxt:(Hi Sam|Sam, I detected)/);
    assert.match(await r('MEMORY', 'MALLOC-STATS'), /^=\d+\r\ntxt:___ Begin V8 heap statistics ___\n/);
    await r('HELLO', '2');
  });
});
