// Wire tests for the bitmap commands: ioredis and node-redis (RESP2 and RESP3) reply shapes,
// pipelines, values above the arena's slab size (records of their own) read and written in
// place, BITOP over such values with the destination among its sources, the keyspace fields the
// commands leave behind, and random arguments that must never break the connection.
// Texts and reply bytes checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createRng } from '../../src/lib/rng.js';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { StrEnc, VType } from '../../src/server/keyspace/entry.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { encodingOf, peekEntry, putEntry, type EntrySnapshot } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

/** Bit i of v (bit 0 = MSB of byte 0), 0 past the end. */
const bitAt = (v: Uint8Array, i: number): number => (i >> 3 < v.length ? (v[i >> 3] >> (7 - (i & 7))) & 1 : 0);

describe('bitmaps over the wire', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const entry = (key: string): EntrySnapshot | undefined => peekEntry(node.server.keyspace.dbs[0], key);

  before(async () => {
    node = await startServer({ clock });
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
    putEntry(node.server.keyspace.dbs[0], 'hash', VType.Hash, new Map(), 0);
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('ioredis: typed replies of every command', async () => {
    assert.equal(await redis.setbit('io:a', 7, 1), 0);
    assert.equal(await redis.setbit('io:a', 7, 1), 1);
    assert.equal(await redis.getbit('io:a', 7), 1);
    assert.equal(await redis.getbit('io:a', 6), 0);
    await redis.set('io:s', 'foobar');
    assert.equal(await redis.bitcount('io:s'), 26);
    assert.equal(await redis.bitcount('io:s', 1, 1), 6);
    assert.equal(await redis.bitcount('io:s', 5, 30, 'BIT'), 17);
    assert.equal(await redis.bitpos('io:s', 1), 1);
    assert.equal(await redis.bitpos('io:s', 0, 2, -1, 'BIT'), 3);
    assert.equal(await redis.bitop('NOT', 'io:n', 'io:s'), 6);
    assert.deepEqual(await redis.getBuffer('io:n'), Buffer.from('foobar').map((x) => ~x & 0xff));
    assert.deepEqual(await redis.call('BITFIELD', 'io:f', 'SET', 'i8', 0, -100, 'GET', 'u8', 0, 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', 0, -100), [0, 156, null]);
    assert.deepEqual(await redis.call('BITFIELD_RO', 'io:f', 'GET', 'i8', 0), [-100]);
    await assert.rejects(redis.bitfield('io:f', 'GET', 'u64', 0), /Invalid bitfield type/);
    await assert.rejects(redis.call('BITFIELD_RO', 'io:f', 'SET', 'u8', 0, 1), /BITFIELD_RO only supports the GET subcommand/);
    await assert.rejects(redis.setbit('io:a', 0, 2), /bit is not an integer or out of range/);
    await assert.rejects(redis.getbit('io:a', -1), /bit offset is not an integer or out of range/);
    await assert.rejects(redis.bitpos('io:a', 2), /The bit argument must be 1 or 0/);
    await assert.rejects(redis.bitop('NOT', 'io:n', 'io:a', 'io:s'), /BITOP NOT must be called with a single source key/);
  });

  it('ioredis pipeline: SETBITs build the value byte by byte, then BITCOUNT / BITPOS read it', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 800; i += 3) p.setbit('pipe:k', i, 1);
    p.bitcount('pipe:k');
    p.bitpos('pipe:k', 0);
    p.strlen('pipe:k');
    const res = await p.exec();
    assert.ok(res !== null);
    const tail = res.slice(-3).map(([err, v]) => (err === null ? v : err));
    assert.deepEqual(tail, [267, 1, 100]);
    assert.ok(res.slice(0, -3).every(([err, v]) => err === null && v === 0));
  });

  it('node-redis RESP3: integers, arrays with a null for a refused field, errors', async () => {
    const client = createClient({ socket: { port: node.port }, RESP: 3 });
    await client.connect();
    try {
      assert.equal(await client.sendCommand(['SETBIT', 'nr:k', '3', '1']), 0);
      assert.equal(await client.sendCommand(['BITCOUNT', 'nr:k']), 1);
      assert.deepEqual(await client.sendCommand(['BITFIELD', 'nr:k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '0', '100', 'GET', 'u4', '0']), [null, 1]);
      assert.deepEqual(await client.sendCommand(['BITFIELD', 'nr:k']), []);
      await assert.rejects(client.sendCommand(['BITFIELD', 'nr:k', 'OVERFLOW', 'x']), /Invalid OVERFLOW type specified/);
    } finally {
      await client.quit();
    }
  });

  it('raw RESP: the FAIL null is $-1 in RESP2 and _ in RESP3', async () => {
    const c = await RawClient.connect(node.port);
    try {
      const cmd = ['BITFIELD', 'raw:k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '7', 'SET', 'u2', '0', '3'];
      assert.equal((await c.call(...cmd)).toString('latin1'), '*2\r\n$-1\r\n:0\r\n');
      await c.call('HELLO', '3');
      assert.equal((await c.call(...cmd)).toString('latin1'), '*2\r\n_\r\n:3\r\n');
    } finally {
      await c.close();
    }
  });

  it('keyspace: SETBIT makes a raw value, keeps the TTL, and WRONGTYPE leaves other types alone', async () => {
    clock.set(T0);
    await r('SET', 'ks:n', '12', 'PX', '5000');
    assert.equal(encodingOf(entry('ks:n')), 'int');
    assert.equal(await r('SETBIT', 'ks:n', '0', '0'), ':0\r\n');
    assert.equal(entry('ks:n')?.enc, StrEnc.Raw);
    assert.equal(entry('ks:n')?.expireAt, T0 + 5000);
    assert.deepEqual(entry('ks:n')?.value, Buffer.from('12'));
    for (const cmd of [
      ['SETBIT', 'hash', '0', '1'],
      ['GETBIT', 'hash', '0'],
      ['BITCOUNT', 'hash'],
      ['BITPOS', 'hash', '1'],
      ['BITOP', 'OR', 'ks:d', 'hash'],
      ['BITFIELD', 'hash', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'hash', 'GET', 'u8', '0'],
    ]) {
      assert.equal(await r(...cmd), WRONGTYPE, cmd.join(' '));
    }
    assert.equal(entry('hash')?.type, VType.Hash);
    assert.equal(entry('ks:d'), undefined);
  });

  it('a key that expired reads as missing and is recreated from zeros', async () => {
    clock.set(T0);
    await r('SET', 'exp:k', Buffer.from([0xff, 0xff]), 'PX', '100');
    assert.equal(await r('GETBIT', 'exp:k', '0'), ':1\r\n');
    clock.set(T0 + 200);
    assert.equal(await r('GETBIT', 'exp:k', '0'), ':0\r\n');
    await r('SET', 'exp:k', Buffer.from([0xff, 0xff]), 'PX', '100');
    clock.set(T0 + 400);
    assert.equal(await r('SETBIT', 'exp:k', '3', '1'), ':0\r\n');
    assert.deepEqual(entry('exp:k')?.value, Buffer.from([0x10]));
    assert.equal(entry('exp:k')?.expireAt, -1);
  });

  it('large values: writes in place past 64 KB, BITOP with the destination among the sources', async () => {
    const rng = createRng(1);
    const a = Buffer.alloc(200_000);
    for (let i = 0; i < a.length; i++) a[i] = rng.int(256);
    const bb = Buffer.alloc(150_000);
    for (let i = 0; i < bb.length; i++) bb[i] = rng.int(256);
    await redis.set('big:a', a);
    await redis.set('big:b', bb);
    // Grow big:b through SETBIT at its far end (the record moves), then compare every byte.
    assert.equal(await redis.setbit('big:b', 160_000 * 8 + 5, 1), 0);
    const b2 = Buffer.concat([bb, Buffer.alloc(10_001)]);
    b2[160_000] = 0x04;
    assert.deepEqual(await redis.getBuffer('big:b'), b2);
    assert.equal(await redis.bitop('XOR', 'big:a', 'big:a', 'big:b', 'big:missing'), 200_000);
    const x = Buffer.from(a);
    for (let i = 0; i < b2.length; i++) x[i] ^= b2[i];
    assert.deepEqual(await redis.getBuffer('big:a'), x);
    let ones = 0;
    for (let i = 0; i < x.length * 8; i++) ones += bitAt(x, i);
    assert.equal(await redis.bitcount('big:a'), ones);
    let inRange = 0;
    for (let i = 17; i <= 1_500_000; i++) inRange += bitAt(x, i);
    assert.equal(await redis.call('BITCOUNT', 'big:a', '17', '1500000', 'BIT'), inRange);
    // BITFIELD over the far end grows the value again; reading back matches.
    assert.deepEqual(await redis.call('BITFIELD', 'big:a', 'SET', 'i64', 200_000 * 8 - 3, '-2', 'GET', 'i64', 200_000 * 8 - 3), [
      Number(BigInt.asIntN(64, BigInt(x[199_999] & 7) << 61n)),
      -2,
    ]);
    assert.equal(await redis.strlen('big:a'), 200_008);
    assert.equal(encodingOf(entry('big:a')), 'raw');
  });

  it('random arguments never break the connection or the server', async () => {
    const rng = createRng(42);
    const tokens = [
      '0', '1', '-1', '2', '7', '8', '63', '64', '-9223372036854775808', '9223372036854775807', '99999999999999999999',
      '4294967295', '4294967296', '#0', '#3', '#-1', 'u8', 'i64', 'u63', 'u64', 'i0', 'GET', 'SET', 'INCRBY', 'OVERFLOW',
      'WRAP', 'SAT', 'FAIL', 'BIT', 'BYTE', 'AND', 'OR', 'XOR', 'NOT', 'k1', 'k2', 'hash', '', '\0', 'x\r\ny',
    ];
    const cmds = ['SETBIT', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITOP', 'BITFIELD', 'BITFIELD_RO'];
    const p = redis.pipeline();
    for (let i = 0; i < 1500; i++) {
      const args: string[] = [cmds[rng.int(cmds.length)]];
      const n = rng.int(9);
      args.push(rng.int(3) === 0 ? 'k1' : tokens[rng.int(tokens.length)]);
      for (let j = 0; j < n; j++) args.push(tokens[rng.int(tokens.length)]);
      // Keep values small: a huge offset would allocate up to 512 MB.
      const safe = args.map((a, j) => (j >= 2 && /^#?\d{7,}$/.test(a) && args[0] !== 'BITCOUNT' && args[0] !== 'BITPOS' ? '9' : a));
      p.call(safe[0], ...safe.slice(1));
    }
    const res = await p.exec();
    assert.ok(res !== null && res.length === 1500);
    assert.equal(await redis.ping(), 'PONG');
    assert.equal(await r('PING'), '+PONG\r\n');
  });
});
