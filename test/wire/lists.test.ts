// Wire tests for the list commands through real clients (ioredis, node-redis) and raw RESP:
// typed replies, pipelines, binary elements, the stored value object, and the blocking
// commands' client-level behaviour — several clients served in the order they blocked, BLMOVE
// chains, timeouts, CLIENT UNBLOCK, a client that disconnects while blocked, pipelined input
// resuming after a blocked command is served. Reply texts were checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { NONE } from '../../src/server/keyspace/database.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { ListValue } from '../../src/server/keyspace/types/list.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

const NULL_ARRAY = '*-1\r\n';
const UNBLOCKED = '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n';

describe('lists over the wire', () => {
  let node: RunningServer;
  let raw: RawClient;
  let io: Redis;
  const extra: Redis[] = [];
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  /** A further ioredis connection, closed after the suite. */
  const client = (): Redis => {
    const c = new Redis({ port: node.port, maxRetriesPerRequest: 0 });
    extra.push(c);
    return c;
  };
  /** Resolves once INFO reports n blocked clients (bounded: fails after 5 s). */
  const blockedClients = async (n: number): Promise<void> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const info = await r('INFO', 'clients');
      if (info.includes(`blocked_clients:${n}\r\n`)) return;
      if (Date.now() > deadline) assert.fail(`expected ${n} blocked clients: ${info}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  };

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
    io = new Redis({ port: node.port });
  });
  after(async () => {
    for (const c of extra) c.disconnect();
    io.disconnect();
    await raw.close();
    await node.close();
  });

  it('ioredis: typed replies of every non-blocking command', async () => {
    assert.equal(await io.rpush('io:l', 'a', 'b', 'c'), 3);
    assert.equal(await io.lpush('io:l', 'z'), 4);
    assert.deepEqual(await io.lrange('io:l', 0, -1), ['z', 'a', 'b', 'c']);
    assert.equal(await io.lindex('io:l', -1), 'c');
    assert.equal(await io.lindex('io:l', 99), null);
    assert.equal(await io.lpos('io:l', 'b'), 2);
    assert.deepEqual(await io.lpos('io:l', 'b', 'COUNT', 0), [2]);
    assert.equal(await io.lpos('io:l', 'nope'), null);
    assert.equal(await io.linsert('io:l', 'BEFORE', 'a', 'y'), 5);
    assert.equal(await io.lset('io:l', 0, 'Z'), 'OK');
    assert.equal(await io.lrem('io:l', 0, 'y'), 1);
    assert.equal(await io.ltrim('io:l', 0, -1), 'OK');
    assert.equal(await io.lmove('io:l', 'io:m', 'LEFT', 'RIGHT'), 'Z');
    assert.equal(await io.rpoplpush('io:l', 'io:m'), 'c');
    assert.deepEqual(await io.lmpop(1, 'io:m', 'LEFT', 'COUNT', 5), ['io:m', ['c', 'Z']]);
    assert.deepEqual(await io.lpop('io:l', 5), ['a', 'b']);
    assert.equal(await io.lpop('io:l', 5), null);
    assert.equal(await io.rpop('io:l'), null);
    assert.equal(await io.exists('io:l', 'io:m'), 0);
    await assert.rejects(io.lset('io:nosuch', 0, 'x'), /ERR no such key/);
  });

  it('node-redis: commands and reply shapes', async () => {
    const nr = createClient({ socket: { port: node.port, host: '127.0.0.1' } });
    await nr.connect();
    try {
      assert.equal(await nr.rPush('nr:l', ['1', '2', '3']), 3);
      assert.deepEqual(await nr.lRange('nr:l', 0, -1), ['1', '2', '3']);
      assert.equal(await nr.lPos('nr:l', '3'), 2);
      assert.deepEqual(await nr.lmPop(['nr:none', 'nr:l'], 'RIGHT', { COUNT: 2 }), ['nr:l', ['3', '2']]);
      assert.deepEqual(await nr.blPop('nr:l', 1), { key: 'nr:l', element: '1' });
      assert.equal(await nr.lLen('nr:l'), 0);
      assert.equal(await nr.lMove('nr:none', 'nr:x', 'LEFT', 'LEFT'), null);
    } finally {
      await nr.quit();
    }
  });

  it('node-redis over RESP3: nulls and nested arrays', async () => {
    const nr = createClient({ socket: { port: node.port, host: '127.0.0.1' }, RESP: 3 });
    await nr.connect();
    try {
      assert.equal(await nr.lPopCount('r3:none', 2), null);
      assert.equal(await nr.lIndex('r3:none', 0), null);
      await nr.rPush('r3:l', ['a', 'b']);
      assert.deepEqual(await nr.lmPop('r3:l', 'LEFT', { COUNT: 5 }), ['r3:l', ['a', 'b']]);
      assert.equal(await nr.lmPop('r3:l', 'LEFT'), null);
      assert.equal(await nr.blPop('r3:none', 0.01), null);
    } finally {
      await nr.quit();
    }
  });

  it('pipelines: many pushes and pops in one write keep their order', async () => {
    const p = io.pipeline();
    for (let i = 0; i < 500; i++) p.rpush('pl:l', `v${i}`);
    for (let i = 0; i < 250; i++) p.lpop('pl:l');
    p.lrange('pl:l', 0, 2);
    p.llen('pl:l');
    const res = await p.exec();
    assert.ok(res !== null);
    assert.equal(res[499][1], 500);
    assert.equal(res[500][1], 'v0');
    assert.equal(res[749][1], 'v249');
    assert.deepEqual(res[750][1], ['v250', 'v251', 'v252']);
    assert.equal(res[751][1], 250);
  });

  it('binary elements survive, and stored elements are copies of the request bytes', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await io.rpush('bin:l', all, Buffer.from('\r\n*1\r\n'), Buffer.alloc(0));
    // The next request reuses the read buffer: stored elements must not alias it.
    await io.rpush('bin:other', Buffer.alloc(300, 0x41));
    const got = await io.lrangeBuffer('bin:l', 0, -1);
    assert.deepEqual(got, [all, Buffer.from('\r\n*1\r\n'), Buffer.alloc(0)]);
    assert.equal(await io.lpos('bin:l', Buffer.alloc(0)), 2);
  });

  it('the key holds a ListValue encoded quicklist, and is removed when emptied', async () => {
    await io.rpush('obj:l', 'a', 'b');
    const db = node.server.keyspace.dbs[0];
    const e = db.find(Buffer.from('obj:l'));
    assert.notEqual(e, NONE);
    assert.equal(db.type(e), VType.List);
    const v = db.store.object(e);
    assert.ok(v instanceof ListValue);
    assert.deepEqual(v.toArray(), ['a', 'b']);
    assert.equal(await io.object('ENCODING', 'obj:l'), 'quicklist');
    await io.lpop('obj:l', 2);
    assert.equal(db.find(Buffer.from('obj:l')), NONE);
  });

  it('blocked clients are served first blocked, first served, one element each', async () => {
    const cs = [client(), client(), client()];
    const waits: Promise<[string, string] | null>[] = [];
    for (let i = 0; i < cs.length; i++) {
      waits.push(cs[i].blpop('fifo:q', 'fifo:other', 0));
      await blockedClients(i + 1); // so the order they block in is defined
    }
    assert.equal(await io.rpush('fifo:q', 'e1', 'e2'), 2);
    assert.deepEqual(await waits[0], ['fifo:q', 'e1']);
    assert.deepEqual(await waits[1], ['fifo:q', 'e2']);
    await blockedClients(1);
    assert.equal(await io.rpush('fifo:other', 'e3'), 1);
    assert.deepEqual(await waits[2], ['fifo:other', 'e3']);
    assert.equal(await io.exists('fifo:q', 'fifo:other'), 0);
  });

  it('a push that wakes a BLMOVE whose destination wakes another client (chain)', async () => {
    const a = client();
    const b = client();
    const c = client();
    const pa = a.blmove('ch:a', 'ch:b', 'LEFT', 'RIGHT', 0);
    await blockedClients(1);
    const pb = b.brpoplpush('ch:b', 'ch:c', 0);
    await blockedClients(2);
    const pc = c.blpop('ch:c', 0);
    await blockedClients(3);
    await io.lpush('ch:a', 'x');
    assert.equal(await pa, 'x');
    assert.equal(await pb, 'x');
    assert.deepEqual(await pc, ['ch:c', 'x']);
    assert.equal(await io.exists('ch:a', 'ch:b', 'ch:c'), 0);
    await blockedClients(0);
  });

  it('timeouts: a null array for BLPOP/BLMPOP/BLMOVE, while the server keeps serving others', async () => {
    const c = client();
    assert.equal(await c.blpop('to:none', 0.05), null);
    assert.equal(await c.blmove('to:none', 'to:d', 'LEFT', 'LEFT', 0.05), null);
    const t = await RawClient.connect(node.port);
    try {
      await t.command('BLMPOP', '0.05', '1', 'to:none', 'LEFT');
      assert.equal((await t.readReply(5000)).toString('latin1'), NULL_ARRAY);
      await t.command('BRPOPLPUSH', 'to:none', 'to:d', '0.05');
      assert.equal((await t.readReply(5000)).toString('latin1'), NULL_ARRAY);
    } finally {
      await t.close();
    }
    assert.equal(await io.exists('to:d'), 0);
  });

  it('CLIENT UNBLOCK releases a blocked list command with its timeout reply or an error', async () => {
    const t = await RawClient.connect(node.port);
    try {
      const id = (await t.call('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      await t.command('BLMOVE', 'ub:none', 'ub:d', 'LEFT', 'LEFT', '0');
      await blockedClients(1);
      assert.equal(await r('CLIENT', 'UNBLOCK', id), ':1\r\n');
      assert.equal((await t.readReply()).toString('latin1'), NULL_ARRAY);
      await t.command('BLPOP', 'ub:none', '0');
      await blockedClients(1);
      assert.equal(await r('CLIENT', 'UNBLOCK', id, 'ERROR'), ':1\r\n');
      assert.equal((await t.readReply()).toString('latin1'), UNBLOCKED);
      assert.equal(await r('CLIENT', 'UNBLOCK', id), ':0\r\n');
      assert.equal((await t.call('PING')).toString('latin1'), '+PONG\r\n');
    } finally {
      await t.close();
    }
  });

  it('a client that disconnects while blocked is forgotten: the element stays in the list', async () => {
    const t = await RawClient.connect(node.port);
    await t.command('BLPOP', 'gone:q', '0');
    await blockedClients(1);
    await t.close();
    await blockedClients(0);
    assert.equal(await r('RPUSH', 'gone:q', 'kept'), ':1\r\n');
    assert.equal(await r('LRANGE', 'gone:q', '0', '-1'), '*1\r\n$4\r\nkept\r\n');
  });

  it('input pipelined behind a blocked command runs once it is served', async () => {
    const t = await RawClient.connect(node.port);
    try {
      await t.send(Buffer.from('*3\r\n$5\r\nBLPOP\r\n$6\r\npipe:q\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$6\r\npipe:q\r\n'));
      await blockedClients(1);
      assert.equal(await r('RPUSH', 'pipe:q', 'a', 'b'), ':2\r\n');
      assert.equal((await t.readReply()).toString('latin1'), '*2\r\n$6\r\npipe:q\r\n$1\r\na\r\n');
      assert.equal((await t.readReply()).toString('latin1'), '+PONG\r\n');
      assert.equal((await t.readReply()).toString('latin1'), ':1\r\n');
    } finally {
      await t.close();
    }
  });

  it('blocking in another database waits on that database only', async () => {
    const t = await RawClient.connect(node.port);
    try {
      assert.equal((await t.call('SELECT', '3')).toString('latin1'), '+OK\r\n');
      await t.command('BLPOP', 'db:q', '0');
      await blockedClients(1);
      assert.equal(await r('RPUSH', 'db:q', 'in-db0'), ':1\r\n');
      assert.equal(await r('SELECT', '3'), '+OK\r\n');
      assert.equal(await r('RPUSH', 'db:q', 'in-db3'), ':1\r\n');
      assert.equal((await t.readReply()).toString('latin1'), '*2\r\n$4\r\ndb:q\r\n$6\r\nin-db3\r\n');
      assert.equal(await r('SELECT', '0'), '+OK\r\n');
      assert.equal(await r('LRANGE', 'db:q', '0', '-1'), '*1\r\n$6\r\nin-db0\r\n');
    } finally {
      await t.close();
    }
  });
});
