// The replica side of replication against a scripted master (test/helpers/fake-master.ts): the
// handshake Redis 7.0 sends, keepalives, both payload framings (also with stream bytes right
// behind the EOF mark), the offsets of the applied stream (REPLCONF ACK / GETACK, MULTI passed on
// whole), expiry as a replica sees it, partial resyncs after a drop, a timeout, a restart and a
// master ID change, REPLICAOF's replies and REPLICAOF NO ONE.

import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';
import { FakeMaster, streamCommand, type FakeConn } from '../helpers/fake-master.js';
import { RawClient } from '../helpers/raw-client.js';
import { datasetDiff, datasetOf } from '../helpers/dataset.js';
import { rdbFile, rdbLen, rdbRaw } from '../helpers/rdb-build.js';

const ID = 'a'.repeat(40);
const NEWID = 'b'.repeat(40);
const MARK = '0123456789abcdef0123456789abcdef01234567';

/** An RDB as a master sends it: k=v, a key whose TTL has passed, and the replication aux fields. */
function masterRdb(offset: number): Buffer {
  const aux = (k: string, v: string): Buffer => Buffer.concat([Buffer.from([0xfa]), rdbRaw(k), rdbRaw(v)]);
  const past = Buffer.alloc(8);
  past.writeBigInt64LE(BigInt(Date.now() - 60_000));
  return rdbFile(
    Buffer.concat([
      aux('redis-ver', '7.0.15'),
      aux('repl-stream-db', '0'),
      aux('repl-id', ID),
      aux('repl-offset', String(offset)),
      Buffer.from([0xfe]),
      rdbLen(0),
      Buffer.from([0]),
      rdbRaw('k'),
      rdbRaw('v'),
      Buffer.from([0xfc]),
      past,
      Buffer.from([0]),
      rdbRaw('old'),
      rdbRaw('x'),
    ]),
  );
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const f of cleanups.reverse()) await f().catch(() => undefined);
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'shoal-replica-'));
  cleanups.push(async () => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function node(config: Record<string, string> = {}): Promise<{ n: RunningServer; c: Redis }> {
  const n = await startServer({ config: { dir: tmp(), ...config } });
  const c = new Redis({ port: n.port, maxRetriesPerRequest: 1 });
  cleanups.push(async () => {
    c.disconnect();
    await n.close();
  });
  return { n, c };
}

async function fakeMaster(): Promise<FakeMaster> {
  const fm = await FakeMaster.start();
  cleanups.push(() => fm.close());
  return fm;
}

async function info(c: Redis): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await c.info('replication')).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Answers the handshake up to PSYNC; returns PSYNC's arguments. */
async function handshake(conn: FakeConn, port: number): Promise<string[]> {
  assert.deepEqual(await conn.command(), ['PING']);
  conn.send('+PONG\r\n');
  assert.deepEqual(await conn.command(), ['REPLCONF', 'listening-port', String(port)]);
  assert.deepEqual(await conn.command(), ['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
  conn.send('+OK\r\n+OK\r\n');
  const psync = await conn.command();
  assert.equal(psync[0], 'PSYNC');
  return psync;
}

/** A fresh node pointed at a new scripted master, its handshake answered up to PSYNC. */
async function atPsync(): Promise<{ fm: FakeMaster; n: RunningServer; c: Redis; conn: FakeConn }> {
  const fm = await fakeMaster();
  const { n, c } = await node();
  await c.replicaof('127.0.0.1', String(fm.port));
  const conn = await fm.accepted();
  await handshake(conn, n.port);
  return { fm, n, c, conn };
}

/** A full sync with an EOF-marked payload at offset 100; `tail` follows the mark in the same write. */
async function fullSync(conn: FakeConn, port: number, tail: Buffer = Buffer.alloc(0)): Promise<void> {
  await handshake(conn, port);
  conn.send(`+FULLRESYNC ${ID} 100\r\n`);
  conn.send('\n');
  conn.send(Buffer.concat([Buffer.from(`$EOF:${MARK}\r\n`), masterRdb(100), Buffer.from(MARK), tail]));
}

/** A node (with `config`) that completed a full sync with a scripted master (masterRdb's dataset). */
async function syncedReplica(config: Record<string, string> = {}): Promise<{ fm: FakeMaster; n: RunningServer; c: Redis; conn: FakeConn }> {
  const fm = await fakeMaster();
  const { n, c } = await node(config);
  await c.replicaof('127.0.0.1', String(fm.port));
  const conn = await fm.accepted();
  await fullSync(conn, n.port);
  await linkUp(c);
  return { fm, n, c, conn };
}

/**
 * Takes the replica's next connection to the scripted master through the handshake to a full
 * resync, and sends the `$<len>` payload header with the first `head` bytes of `rdb`; resolves
 * once the replica has read them. The caller sends the rest (or breaks the transfer).
 */
async function startPayload(fm: FakeMaster, n: RunningServer, c: Redis, rdb: Buffer, head: number): Promise<FakeConn> {
  const conn = await fm.accepted();
  await handshake(conn, n.port);
  conn.send(`+FULLRESYNC ${ID} 100\r\n`);
  conn.send(Buffer.concat([Buffer.from(`$${rdb.length}\r\n`), rdb.subarray(0, head)]));
  await until(async () => (await info(c))['master_sync_read_bytes'] === String(head), { what: 'the transfer to start' });
  return conn;
}

async function linkUp(c: Redis): Promise<void> {
  await until(async () => (await info(c))['master_link_status'] === 'up', { what: 'master_link_status:up' });
}

async function masterClientLine(c: Redis): Promise<string> {
  const list = (await c.client('LIST')) as string;
  return list.split('\n').find((l) => / flags=M/.test(l)) ?? '';
}

describe('replica link: handshake and full sync', () => {
  it('sends the 7.0 handshake, skips keepalives, loads an EOF payload and applies the stream behind it', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node();
    assert.equal(await c.replicaof('127.0.0.1', String(fm.port)), 'OK');
    const conn = await fm.accepted();
    assert.deepEqual(await conn.command(), ['PING']);
    conn.send('-NOAUTH Authentication required.\r\n'); // accepted: the handshake goes on
    assert.deepEqual(await conn.command(), ['REPLCONF', 'listening-port', String(n.port)]);
    assert.deepEqual(await conn.command(), ['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    conn.send('+OK\r\n+OK\r\n');
    const psync = await conn.command();
    // A master turning replica offers its own history (replicationCacheMasterUsingMyself).
    assert.equal(psync[0], 'PSYNC');
    assert.match(psync[1], /^[0-9a-f]{40}$/);
    assert.equal(psync[2], '1');
    conn.send('\n\n'); // keepalives before the reply
    conn.send(`+FULLRESYNC ${ID} 100\r\n`);
    conn.send('\n');
    const stream = Buffer.concat([streamCommand('SELECT', '0'), streamCommand('SET', 'a', '1')]);
    conn.send(Buffer.concat([Buffer.from(`$EOF:${MARK}\r\n`), masterRdb(100), Buffer.from(MARK), stream]));
    // An EOF payload is acknowledged at once, at the offset of the FULLRESYNC.
    assert.equal(await conn.ack(), 100);
    await linkUp(c);
    assert.equal(await c.get('k'), 'v');
    assert.equal(await c.get('a'), '1');
    // The expired key is kept for the master's DEL: missing to reads, counted by DBSIZE.
    assert.equal(await c.get('old'), null);
    assert.equal(await c.exists('old'), 0);
    assert.equal(await c.dbsize(), 3);
    const i = await info(c);
    assert.equal(i['role'], 'slave');
    assert.equal(i['master_port'], String(fm.port));
    assert.equal(i['master_sync_in_progress'], '0');
    assert.equal(i['master_replid'], ID);
    assert.equal(i['master_repl_offset'], String(100 + stream.length));
    assert.equal(i['slave_repl_offset'], String(100 + stream.length));
    assert.match(await masterClientLine(c), /addr=127\.0\.0\.1:\d+ .* flags=M db=0 /);
    // The payload is dump.rdb now, the temp file gone.
    const dir = n.server.config.getString('dir');
    assert.ok(existsSync(path.join(dir, 'dump.rdb')));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-')), []);
  });

  it('reads a $<len> payload cut in small pieces', async () => {
    const { c, conn } = await atPsync();
    conn.send(`+FULLRESYNC ${ID} 100\r\n`);
    const rdb = masterRdb(100);
    const all = Buffer.concat([Buffer.from('\n\n'), Buffer.from(`$${rdb.length}\r\n`), rdb, streamCommand('SET', 'after', 'yes')]);
    for (let i = 0; i < all.length; i += 7) {
      conn.send(all.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    await linkUp(c);
    await until(async () => (await c.get('after')) === 'yes', { what: 'the stream after the payload' });
    assert.equal(await c.get('k'), 'v');
  });

  it('sends AUTH with masteruser/masterauth and the announced address', async () => {
    const fm = await fakeMaster();
    const { c } = await node({ masterauth: 'pw', masteruser: 'repl', 'replica-announce-ip': '10.0.0.9', 'replica-announce-port': '4321' });
    await c.replicaof('127.0.0.1', String(fm.port));
    const conn = await fm.accepted();
    assert.deepEqual(await conn.command(), ['PING']);
    conn.send('+PONG\r\n');
    assert.deepEqual(await conn.command(), ['AUTH', 'repl', 'pw']);
    assert.deepEqual(await conn.command(), ['REPLCONF', 'listening-port', '4321']);
    assert.deepEqual(await conn.command(), ['REPLCONF', 'ip-address', '10.0.0.9']);
    assert.deepEqual(await conn.command(), ['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    conn.send('+OK\r\n+OK\r\n+OK\r\n+OK\r\n');
    assert.equal((await conn.command())[0], 'PSYNC');
  });

  it('retries later when the master answers -LOADING', async () => {
    const { fm, n, c, conn } = await atPsync();
    conn.send('-LOADING Redis is loading the dataset in memory\r\n');
    const again = await fm.accepted();
    await handshake(again, n.port);
    assert.equal((await info(c))['master_link_status'], 'down');
  });
});

describe('replica link: a master without PSYNC', () => {
  it('falls back to SYNC: the payload without +FULLRESYNC, then the stream, with no history to continue', async () => {
    const { fm, n, c, conn } = await atPsync();
    conn.send("-ERR unknown command 'PSYNC'\r\n");
    assert.deepEqual(await conn.command(), ['SYNC']);
    const rdb = masterRdb(100);
    conn.send(Buffer.concat([Buffer.from(`$${rdb.length}\r\n`), rdb, streamCommand('SET', 'after', 'sync')]));
    await linkUp(c);
    await until(async () => (await c.get('after')) === 'sync', { what: 'the stream after the payload' });
    assert.equal(await c.get('k'), 'v');
    const r = await info(c);
    assert.equal(r['master_sync_in_progress'], '0');
    // No history: offset -1 plus the stream's bytes; after a drop the PSYNC names no real ID
    // (any master answers it with a full sync), and this master's -ERR brings SYNC again.
    const bytes = streamCommand('SET', 'after', 'sync').length;
    assert.equal(Number(r['slave_repl_offset']), -1 + bytes);
    conn.end();
    const again = await fm.accepted();
    assert.deepEqual(await handshake(again, n.port), ['PSYNC', '0'.repeat(40), String(bytes)]);
    again.send("-ERR unknown command 'PSYNC'\r\n");
    assert.deepEqual(await again.command(), ['SYNC']);
  });
});

describe('replica link: the stream', () => {
  it('acknowledges GETACK with the offset before it, passes MULTI on whole, keeps the stream database', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node();
    await c.replicaof('127.0.0.1', String(fm.port));
    const conn = await fm.accepted();
    const first = Buffer.concat([streamCommand('SELECT', '0'), streamCommand('SET', 'a', '1')]);
    await fullSync(conn, n.port, first);
    assert.equal(await conn.ack(), 100);
    await linkUp(c);
    let offset = 100 + first.length;
    const getack = streamCommand('REPLCONF', 'GETACK', '*');
    conn.send(getack);
    assert.equal(await conn.ack(), offset);
    offset += getack.length;
    assert.equal((await info(c))['master_repl_offset'], String(offset));

    // A transaction counts once its EXEC ran.
    const head = Buffer.concat([streamCommand('MULTI'), streamCommand('SET', 't', '1')]);
    conn.send(head);
    await until(async () => / flags=Mx /.test(await masterClientLine(c)), { what: 'the master client in MULTI' });
    assert.equal((await info(c))['master_repl_offset'], String(offset));
    assert.equal(await c.get('t'), null);
    const exec = streamCommand('EXEC');
    conn.send(exec);
    await until(async () => (await c.get('t')) === '1', { what: 'EXEC applied' });
    offset += head.length + exec.length;
    assert.equal((await info(c))['master_repl_offset'], String(offset));

    // SELECT from the master moves its client (and the stream's database, repl-stream-db).
    const sel = Buffer.concat([streamCommand('SELECT', '2'), streamCommand('SET', 'in2', 'x')]);
    conn.send(sel);
    offset += sel.length;
    await until(async () => (await info(c))['master_repl_offset'] === String(offset), { what: 'SELECT applied' });
    assert.match(await masterClientLine(c), / db=2 /);
    assert.equal(await c.dbsize(), 4); // db 0 unchanged: k, old, a, t
    await c.select(2);
    assert.equal(await c.get('in2'), 'x');
    await c.select(0);
    // The once-a-second ACK comes to carry the same offset (earlier ones may be queued).
    let acked = -1;
    for (let k = 0; k < 10 && acked !== offset; k++) acked = await conn.ack();
    assert.equal(acked, offset);
  });

  it('counts each command of a batch in the offset, and passes the batch on whole, even when the link breaks in it', async () => {
    const { n, c, conn } = await syncedReplica();
    let offset = Number((await info(c))['master_repl_offset']);
    // One write, so one batch: each GETACK answers the offset of the commands before it.
    const setA = streamCommand('SET', 'ba', '1');
    const getack = streamCommand('REPLCONF', 'GETACK', '*');
    const setB = streamCommand('SET', 'bb', '2');
    conn.send(Buffer.concat([setA, getack, setB, getack]));
    // ACKs sent before the batch (after the load, once a second) carry the offset before it.
    let ack = await conn.ack();
    for (let k = 0; k < 5 && ack === offset; k++) ack = await conn.ack();
    assert.equal(ack, offset + setA.length);
    assert.equal(await conn.ack(), offset + setA.length + getack.length + setB.length);
    offset += setA.length + setB.length + 2 * getack.length;
    // The backlog ends where the offset does: it holds the whole batch.
    const backlogEnd = (i: Record<string, string>): number =>
      Number(i['repl_backlog_first_byte_offset']) + Number(i['repl_backlog_histlen']) - 1;
    let i = await info(c);
    assert.equal(i['master_repl_offset'], String(offset));
    assert.equal(backlogEnd(i), offset);
    // A command cut between two reads: its pieces go on from both, in order.
    const setD = streamCommand('SET', 'bd', 'four');
    conn.send(setD.subarray(0, 12));
    await until(async () => / qbuf=[1-9]/.test(await masterClientLine(c)), { what: 'the first piece read' });
    conn.send(Buffer.concat([setD.subarray(12), setA]));
    await until(async () => (await c.get('bd')) === 'four', { what: 'SET bd applied' });
    offset += setD.length + setA.length;
    i = await info(c);
    assert.equal(i['master_repl_offset'], String(offset));
    assert.equal(backlogEnd(i), offset);
    // And the backlog holds those bytes: a sub-replica continuing from before them gets them.
    const sub = await RawClient.connect(n.port);
    try {
      await sub.command('PSYNC', i['master_replid'], String(offset - setD.length - setA.length + 1));
      // (No REPLCONF capa psync2 first: +CONTINUE without the ID.)
      const expected = Buffer.concat([Buffer.from('+CONTINUE\r\n'), setD, setA]);
      await until(() => sub.pending.length >= expected.length, { what: 'the backlog from the cut command' });
      assert.deepEqual(sub.pending.subarray(0, expected.length), expected);
    } finally {
      await sub.close();
    }
    // A protocol error after a command closes the link in the middle of the batch: the command
    // that ran before it still counts, and is in the backlog.
    const setC = streamCommand('SET', 'bc', '3');
    conn.send(Buffer.concat([setC, Buffer.from('*1\r\n$x\r\n')]));
    await until(async () => (await c.get('bc')) === '3', { what: 'SET bc applied' });
    await until(async () => conn.closed, { what: 'the link closed on the protocol error' });
    i = await info(c);
    assert.equal(i['master_repl_offset'], String(offset + setC.length));
    assert.equal(backlogEnd(i), offset + setC.length);
  });

  it('applies a stream cut at any place over many reads, and passes exactly its bytes on', async () => {
    const { n, c, conn } = await syncedReplica();
    const start = Number((await info(c))['master_repl_offset']);
    // Commands of many sizes, one with a value larger than a read (64 KB) and than the parser's
    // shared join area, all in one stream sent in pieces of 1 to 700 bytes (a few much larger).
    const values = new Map<string, Buffer>();
    const cmds: Buffer[] = [];
    for (let k = 0; k < 120; k++) {
      const size = k === 60 ? 200_000 : k === 90 ? 70_000 : (k * 37) % 300;
      const v = Buffer.alloc(size, 97 + (k % 26));
      values.set(`cut:${k}`, v);
      cmds.push(streamCommand('SET', `cut:${k}`, v.toString('latin1')));
    }
    const stream = Buffer.concat(cmds);
    let rng = 7;
    for (let at = 0; at < stream.length; ) {
      rng = (rng * 1103515245 + 12345) % 2 ** 31;
      const len = rng % 10 === 0 ? 20_000 + (rng % 50_000) : 1 + (rng % 700);
      conn.send(stream.subarray(at, at + len));
      at += len;
      await new Promise((r) => setTimeout(r, 1));
    }
    await until(async () => Number((await info(c))['master_repl_offset']) === start + stream.length, { what: 'the whole stream applied' });
    for (const [k, v] of values) assert.ok(v.equals((await c.getBuffer(k)) ?? Buffer.alloc(1)), k);
    // A sub-replica continuing from the stream's start gets it byte for byte from the backlog.
    const sub = await RawClient.connect(n.port);
    try {
      await sub.command('PSYNC', (await info(c))['master_replid'], String(start + 1));
      const expected = Buffer.concat([Buffer.from('+CONTINUE\r\n'), stream]);
      await until(() => sub.pending.length >= expected.length, { what: 'the backlog from the stream start' });
      assert.ok(sub.pending.subarray(0, expected.length).equals(expected));
    } finally {
      await sub.close();
    }
  });

  it('expires nothing itself: the master client sees expired keys live, clients see them missing', async () => {
    const { c, conn } = await syncedReplica();
    assert.equal(await c.dbsize(), 2);
    // 'old' expired a minute ago: the master's APPEND still finds "x" (Redis: no expiry while
    // the master client runs), and its PERSIST makes it visible again.
    conn.send(Buffer.concat([streamCommand('SELECT', '0'), streamCommand('APPEND', 'old', 'y')]));
    await until(async () => (await c.dbsize()) === 2 && (await info(c))['master_repl_offset'] !== '100', { what: 'APPEND applied' });
    assert.equal(await c.get('old'), null);
    conn.send(streamCommand('PERSIST', 'old'));
    await until(async () => (await c.get('old')) === 'xy', { what: 'PERSIST applied' });
    // A time already past from the master sets the TTL instead of deleting (checkAlreadyExpired).
    const past = String(Date.now() - 1000);
    conn.send(streamCommand('PEXPIREAT', 'k', past));
    conn.send(streamCommand('SET', 'p', 'v', 'PXAT', past));
    await until(async () => (await c.dbsize()) === 3, { what: 'SET PXAT applied' });
    assert.equal(await c.get('k'), null);
    assert.equal(await c.get('p'), null);
    assert.equal(await c.pttl('k'), -2);
    assert.equal(await c.dbsize(), 3);
    // No active expiry on a replica: the keys stay until the master's DEL.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await c.dbsize(), 3);
    conn.send(streamCommand('DEL', 'k', 'p'));
    await until(async () => (await c.dbsize()) === 1, { what: 'DEL applied' });
  });
});

describe('replica link: failures and writable replicas', () => {
  it('an interrupted transfer leaves the old dataset, removes the temp file and tries again', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node();
    await c.set('mine', '1');
    await c.replicaof('127.0.0.1', String(fm.port));
    const rdb = masterRdb(100);
    const conn = await startPayload(fm, n, c, rdb, 20);
    const i = await info(c);
    assert.equal(i['master_sync_in_progress'], '1');
    assert.equal(i['master_sync_total_bytes'], String(rdb.length));
    assert.equal(i['master_link_status'], 'down');
    conn.end();
    const again = await fm.accepted();
    assert.equal((await info(c))['master_sync_in_progress'], '0');
    assert.equal(await c.get('mine'), '1');
    const dir = n.server.config.getString('dir');
    await until(() => readdirSync(dir).filter((f) => f.startsWith('temp-')).length === 0, { what: 'the temp file removed' });
    // A payload that does not start with '$' is refused as well.
    await handshake(again, n.port);
    again.send(`+FULLRESYNC ${ID} 100\r\n+garbage\r\n`);
    const third = await fm.accepted();
    assert.equal(await c.get('mine'), '1');
    await fullSync(third, n.port);
    await linkUp(c);
    assert.equal(await c.get('mine'), null);
    assert.equal(await c.get('k'), 'v');
  });

  it('repl-diskless-load: on-empty-db loads an empty replica from memory (no temp file, dump.rdb left alone), else to disk; swapdb always from memory', async () => {
    const fm = await fakeMaster();
    const logfile = path.join(tmp(), 'replica.log');
    const { n, c } = await node({ 'repl-diskless-load': 'on-empty-db', logfile, loglevel: 'notice', 'enable-debug-command': 'yes' });
    const dir = n.server.config.getString('dir');
    const temps = (): string[] => readdirSync(dir).filter((f) => f.startsWith('temp-'));
    // Log lines reach the file asynchronously.
    const logged = (re: RegExp): Promise<void> =>
      until(() => existsSync(logfile) && re.test(readFileSync(logfile, 'utf8')), { what: `a log line ${re.source}` });
    // Empty: half a payload arrives, and no temp file holds it.
    await c.replicaof('127.0.0.1', String(fm.port));
    const rdb = masterRdb(100);
    let conn = await startPayload(fm, n, c, rdb, 20);
    assert.deepEqual(temps(), []);
    await logged(new RegExp(`receiving ${rdb.length} bytes from master to parser`));
    conn.send(rdb.subarray(20));
    await linkUp(c);
    assert.equal(await c.get('k'), 'v');
    assert.equal(existsSync(path.join(dir, 'dump.rdb')), false);
    // Not empty: to disk, as disabled does.
    await c.replicaof('NO', 'ONE');
    await c.set('mine', '1');
    await c.replicaof('127.0.0.1', String(fm.port));
    conn = await startPayload(fm, n, c, rdb, 20);
    await until(() => temps().length === 1, { what: 'the temp file' });
    await logged(new RegExp(`receiving ${rdb.length} bytes from master to disk`));
    conn.send(rdb.subarray(20));
    await linkUp(c);
    assert.equal(await c.get('mine'), null);
    assert.equal(existsSync(path.join(dir, 'dump.rdb')), true);
    // swapdb: from memory with a dataset in place, which stays while the payload arrives, when
    // the transfer breaks and when the payload fails to load (loaded aside, as Redis's tempDb,
    // and reported as from the socket); once loaded it takes the old dataset's place.
    await c.replicaof('NO', 'ONE');
    await c.config('SET', 'repl-diskless-load', 'swapdb');
    await c.set('mine', '2');
    // A master again, the node expires the payload's expired key itself (active expiry, on its
    // own time: under load DBSIZE could still count it).
    await until(async () => (await c.dbsize()) === 2, { what: "the payload's expired key to expire" });
    // Enough keys for the old dataset to be freed in the background (from 65536 keys).
    await c.debug('POPULATE', '70000', 'old');
    await c.replicaof('127.0.0.1', String(fm.port));
    conn = await fm.accepted();
    await handshake(conn, n.port);
    conn.send(`+FULLRESYNC ${ID} 100\r\n`);
    conn.send(Buffer.concat([Buffer.from(`$EOF:${MARK}\r\n`), rdb.subarray(0, 30)]));
    await until(async () => (await info(c))['master_sync_read_bytes'] !== '0', { what: 'the transfer to start' });
    assert.deepEqual(temps(), []);
    assert.equal(await c.get('mine'), '2');
    conn.end();
    conn = await fm.accepted();
    assert.equal(await c.get('mine'), '2');
    await handshake(conn, n.port);
    conn.send(`+FULLRESYNC ${ID} 100\r\n`);
    const junk = Buffer.from('REDIS0010' + 'x'.repeat(40));
    conn.send(Buffer.concat([Buffer.from(`$${junk.length}\r\n`), junk]));
    conn = await fm.accepted();
    await logged(/Failed trying to load the MASTER synchronization DB from socket, check server logs\./);
    await logged(/MASTER <-> REPLICA sync: Discarding temporary DB in background/);
    assert.equal(await c.get('mine'), '2');
    assert.equal(await c.dbsize(), 70002);
    await fullSync(conn, n.port);
    await linkUp(c);
    await logged(/MASTER <-> REPLICA sync: Swapping active DB with loaded DB/);
    await logged(/MASTER <-> REPLICA sync: Discarding old DB in background/);
    assert.equal(await c.get('k'), 'v');
    assert.equal(await c.get('mine'), null);
    assert.equal(await c.dbsize(), 2); // k, and the payload's expired key (the master's DEL will follow)
    await until(async () => /\r\nlazyfree_pending_objects:0\r\n/.test(await c.info('memory')), { what: 'the old dataset freed' });
    assert.deepEqual(temps(), []);
  });

  it('repl-diskless-load swapdb from the same history serves the old dataset while the new one loads (async loading)', async () => {
    const fm = await fakeMaster();
    // 40 keys at 25 ms each: a load of about a second.
    const { n, c } = await node({ 'repl-diskless-load': 'swapdb', 'key-load-delay': '25000' });
    await c.replicaof('127.0.0.1', String(fm.port));
    let conn = await fm.accepted();
    await fullSync(conn, n.port);
    await linkUp(c);
    assert.equal(await c.get('k'), 'v');
    // The master comes back without our offset in its backlog: a full sync of the same history.
    conn.end();
    conn = await fm.accepted();
    const psync = await handshake(conn, n.port);
    assert.equal(psync[1], ID);
    const aux = (k: string, v: string): Buffer => Buffer.concat([Buffer.from([0xfa]), rdbRaw(k), rdbRaw(v)]);
    const keys: Buffer[] = [];
    for (let i = 0; i < 40; i++) keys.push(Buffer.from([0]), rdbRaw(`new:${i}`), rdbRaw(String(i)));
    const payload = rdbFile(
      Buffer.concat([aux('repl-stream-db', '0'), aux('repl-id', ID), aux('repl-offset', '200'), Buffer.from([0xfe]), rdbLen(0), ...keys]),
    );
    conn.send(`+FULLRESYNC ${ID} 200\r\n`);
    conn.send(Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload]));
    await until(async () => /\r\nasync_loading:1\r\n/.test(await c.info('persistence')), { what: 'async_loading:1' });
    const p = await c.info('persistence');
    assert.match(p, /\r\nloading:0\r\n/);
    assert.match(p, /\r\nloading_total_bytes:\d+\r\n/);
    // Reads see the old dataset; what no_async_loading flags gets -LOADING.
    assert.equal(await c.get('k'), 'v');
    assert.equal(await c.get('new:0'), null);
    assert.equal(await c.dbsize(), 2);
    await assert.rejects(c.bgsave(), /^ReplyError: LOADING/);
    await assert.rejects(c.replicaof('NO', 'ONE'), /^ReplyError: LOADING/);
    // The master resets the connection mid-load: the load ends all the same, the new dataset
    // and its history are kept, and only then does the link reconnect (one sync at a time).
    conn.socket.resetAndDestroy();
    await until(async () => /\r\nasync_loading:0\r\n/.test(await c.info('persistence')), { what: 'the load to end' });
    assert.equal(await c.get('k'), null);
    assert.equal(await c.get('new:39'), '39');
    assert.equal(await c.dbsize(), 40);
    assert.equal((await info(c))['master_repl_offset'], '200');
    conn = await fm.accepted();
    assert.deepEqual((await handshake(conn, n.port)).slice(1), [ID, '201']);
    conn.send(`+CONTINUE ${ID}\r\n`);
    await linkUp(c);
    assert.equal(await c.dbsize(), 40);
  });

  it('repl-diskless-load on-empty-db loads the payload as it arrives, in pieces cut anywhere ($<len> and $EOF:)', async () => {
    // A payload of every type and encoding, a value larger than the loader's 1 MB window, TTLs
    // and two databases: a source node's RDB file.
    const src = await node({ 'enable-debug-command': 'yes' });
    await src.c.debug('POPULATE', '3000', 'k', '100');
    const big = Buffer.alloc(1_500_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    await src.c.set('big', big);
    await src.c.set('ttl', 'v', 'PX', 3_600_000);
    await src.c.rpush('list', ...Array.from({ length: 500 }, (_, i) => `e${i}`));
    await src.c.hset('hash', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    await src.c.hset('small', 'a', '1');
    await src.c.sadd('ints', '1', '2', '300000');
    await src.c.zadd('z', 1, 'a', 2.5, 'b');
    await src.c.select(3);
    await src.c.set('db3', 'three');
    await src.c.select(0);
    await src.c.save();
    const rdb = readFileSync(path.join(src.n.server.config.getString('dir'), 'dump.rdb'));
    const fm = await fakeMaster();
    const { n, c } = await node({ 'repl-diskless-load': 'on-empty-db' });
    let rng = 11;
    const sendInPieces = async (conn: FakeConn, bytes: Buffer): Promise<void> => {
      for (let at = 0; at < bytes.length; ) {
        rng = (rng * 1103515245 + 12345) % 2 ** 31;
        const len = rng % 8 === 0 ? 1 + (rng % 200_000) : 1 + (rng % 3000);
        conn.send(bytes.subarray(at, at + len));
        at += len;
        if (rng % 4 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    };
    for (const framing of ['len', 'eof'] as const) {
      await c.replicaof('127.0.0.1', String(fm.port));
      const conn = await fm.accepted();
      await handshake(conn, n.port);
      conn.send(`+FULLRESYNC ${ID} 100\r\n`);
      conn.send(framing === 'len' ? `$${rdb.length}\r\n` : `$EOF:${MARK}\r\n`);
      // Loading from the header on: clients get -LOADING while the payload arrives.
      conn.send(rdb.subarray(0, 100));
      await until(async () => /\r\nloading:1\r\n/.test(await c.info('persistence')), { what: 'loading from the first bytes' });
      await assert.rejects(c.get('k:1'), /LOADING/);
      await sendInPieces(conn, Buffer.concat([rdb.subarray(100), framing === 'eof' ? Buffer.from(MARK) : Buffer.alloc(0)]));
      await linkUp(c);
      assert.deepEqual(datasetDiff(await datasetOf(src.c, [0, 3]), await datasetOf(c, [0, 3])), [], framing);
      await c.replicaof('NO', 'ONE');
      await c.flushall();
    }
    // A transfer that breaks off: what was loaded goes, the sync is tried again.
    await c.replicaof('127.0.0.1', String(fm.port));
    let conn = await fm.accepted();
    await handshake(conn, n.port);
    conn.send(`+FULLRESYNC ${ID} 100\r\n$${rdb.length}\r\n`);
    await sendInPieces(conn, rdb.subarray(0, rdb.length >> 1));
    await until(async () => Number((await info(c))['master_sync_read_bytes']) >= rdb.length >> 1, { what: 'half the payload' });
    conn.end();
    conn = await fm.accepted();
    assert.equal(await c.dbsize(), 0);
    await fullSync(conn, n.port);
    await linkUp(c);
    assert.equal(await c.get('k'), 'v');
  });

  it('a payload that fails to load leaves the AOF stopped, its files untouched, until a sync succeeds', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node({ appendonly: 'yes' });
    await c.set('mine', '1');
    const aofUp = async (): Promise<boolean> => /aof_current_size:/.test(await c.info('persistence'));
    await until(aofUp, { what: 'the AOF running' });
    const rewritesBefore = Number(/aof_rewrites:(\d+)/.exec(await c.info('persistence'))?.[1]);
    await c.replicaof('127.0.0.1', String(fm.port));
    const conn = await fm.accepted();
    await handshake(conn, n.port);
    conn.send(`+FULLRESYNC ${ID} 100\r\n`);
    // Framed correctly, but not an RDB file: the transfer ends, the load fails.
    const junk = Buffer.from('REDIS0010' + 'x'.repeat(40));
    conn.send(Buffer.concat([Buffer.from(`$${junk.length}\r\n`), junk]));
    const retry = await fm.accepted(); // the link tries again
    // Stopped, not rewritten: its files still hold the dataset from before the sync.
    assert.equal(await aofUp(), false);
    assert.equal(Number(/aof_rewrites:(\d+)/.exec(await c.info('persistence'))?.[1]), rewritesBefore);
    // A sync that succeeds (by the retry) restarts it, from a rewrite of the new dataset.
    await fullSync(retry, n.port);
    await linkUp(c);
    await until(aofUp, { what: 'the AOF running again after the successful sync' });
    await until(
      async () => {
        const p = await c.info('persistence');
        return Number(/aof_rewrites:(\d+)/.exec(p)?.[1]) > rewritesBefore && /aof_rewrite_in_progress:0/.test(p) && /aof_last_bgrewrite_status:ok/.test(p);
      },
      { what: 'the AOF rebuilt by a rewrite' },
    );
  });

  it('a write on a writable replica deletes the expired key it finds', async () => {
    const { c } = await syncedReplica({ 'replica-read-only': 'no' });
    assert.equal(await c.dbsize(), 2);
    assert.equal(await c.set('old', 'new', 'NX'), 'OK');
    assert.equal(await c.get('old'), 'new');
    assert.equal(await c.pttl('old'), -1);
    assert.equal(await c.dbsize(), 2);
  });

  it('a writable replica expires the keys its own clients gave a TTL, and only those', async () => {
    const { c } = await syncedReplica({ 'replica-read-only': 'no' });
    // From the master: a key with a TTL already past ('old', in the payload) stays until the
    // master's DEL. From a client of the replica: keys with a TTL, in two databases.
    assert.equal(await c.set('mine', 'v', 'PX', '50'), 'OK');
    assert.equal(await c.set('kept', 'v'), 'OK');
    assert.equal(await c.call('SELECT', '3'), 'OK');
    assert.equal(await c.set('mine3', 'v'), 'OK');
    assert.equal(await c.pexpire('mine3', 50), 1);
    assert.equal(await c.call('SELECT', '0'), 'OK');
    const keyspace = async (): Promise<string> => (await c.info('keyspace')).replace(/\r/g, '');
    await until(async () => /^db0:keys=3,/m.test(await keyspace()) && !/^db3:/m.test(await keyspace()), {
      what: 'the local keys expired by the replica',
    });
    assert.match(await c.info('stats'), /expired_keys:2\r/);
    // 'old' (the master's) is still there, only hidden from reads.
    assert.equal(await c.get('old'), null);
    assert.equal(await c.get('kept'), 'v');
  });
});

describe('replica link: drops and partial resyncs', () => {
  it('reconnects with PSYNC <id> <offset+1> after a drop and adopts a new master ID', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node();
    await c.replicaof('127.0.0.1', String(fm.port));
    const conn = await fm.accepted();
    const first = Buffer.concat([streamCommand('SELECT', '1'), streamCommand('SET', 'a', '1')]);
    await fullSync(conn, n.port, first);
    await linkUp(c);
    const offset = 100 + first.length;
    await until(async () => (await info(c))['master_repl_offset'] === String(offset), { what: 'stream applied' });
    conn.end();
    const again = await fm.accepted();
    const psync = await handshake(again, n.port);
    assert.deepEqual(psync, ['PSYNC', ID, String(offset + 1)]);
    const i = await info(c);
    assert.equal(i['master_link_status'], 'down');
    assert.ok(Number(i['master_link_down_since_seconds']) >= 0);
    // +CONTINUE with another ID: the master was promoted; our history continues under it.
    again.send(`+CONTINUE ${NEWID}\r\n`);
    again.send(streamCommand('SET', 'b', '2')); // still in db 1, the cached master's database
    await c.select(1);
    await until(async () => (await c.get('b')) === '2', { what: 'stream after +CONTINUE' });
    const j = await info(c);
    assert.equal(j['master_link_status'], 'up');
    assert.equal(j['master_replid'], NEWID);
    assert.equal(j['master_replid2'], ID);
    assert.equal(j['second_repl_offset'], String(offset + 1));
    assert.equal(await c.get('a'), '1');
  });

  it('drops a silent master after repl-timeout and resumes partially', async () => {
    const { fm, n, conn } = await syncedReplica({ 'repl-timeout': '1' });
    const again = await fm.accepted(10_000);
    assert.ok(conn.closed || (await until(() => conn.closed, { what: 'old link closed' }).then(() => true)));
    assert.deepEqual(await handshake(again, n.port), ['PSYNC', ID, '101']);
  });

  it('CLIENT KILL TYPE master drops the link, and the replica resumes partially', async () => {
    const { fm, n, c, conn } = await syncedReplica();
    assert.match(await masterClientLine(c), / flags=M /);
    assert.equal(await c.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await until(() => conn.closed, { what: 'the old link closed' });
    const again = await fm.accepted(10_000);
    assert.deepEqual(await handshake(again, n.port), ['PSYNC', ID, '101']);
    again.send(`+CONTINUE ${ID}\r\n`);
    again.send(streamCommand('SET', 'after-kill', '1'));
    await until(async () => (await c.get('after-kill')) === '1', { what: 'the stream after +CONTINUE' });
    assert.equal((await info(c))['master_link_status'], 'up');
  });

  it('resumes the history of the RDB it loaded at start', async () => {
    const fm = await fakeMaster();
    const dir = tmp();
    const a = await startServer({ config: { dir } });
    const ca = new Redis({ port: a.port, maxRetriesPerRequest: 1 });
    await ca.replicaof('127.0.0.1', String(fm.port));
    const conn = await fm.accepted();
    await fullSync(conn, a.port);
    await linkUp(ca);
    ca.disconnect();
    await a.close();
    // The same directory, configured as a replica: dump.rdb says repl-id ID, repl-offset 100.
    const { n, c } = await node({ dir, replicaof: `127.0.0.1 ${fm.port}` });
    const next = await fm.accepted();
    assert.deepEqual(await handshake(next, n.port), ['PSYNC', ID, '101']);
    next.send(`+CONTINUE ${ID}\r\n`);
    next.send(streamCommand('SET', 'z', '1'));
    await until(async () => (await c.get('z')) === '1', { what: 'stream after the restart' });
    assert.equal(await c.get('k'), 'v');
  });
});

describe('REPLICAOF', () => {
  it('answers as Redis 7.0 and turns a replica back into a master that continues its history', async () => {
    const fm = await fakeMaster();
    const { n, c } = await node();
    assert.equal(await c.replicaof('NO', 'ONE'), 'OK'); // already a master
    await assert.rejects(c.replicaof('127.0.0.1', 'abc'), /^ReplyError: ERR Invalid master port$/);
    await c.replicaof('127.0.0.1', String(fm.port));
    assert.equal(await c.call('SLAVEOF', '127.0.0.1', String(fm.port)), 'OK Already connected to specified master');
    const role = (await c.role()) as unknown[];
    assert.equal(role[0], 'slave');
    const conn = await fm.accepted();
    const first = Buffer.concat([streamCommand('SELECT', '0'), streamCommand('SET', 'a', '1')]);
    await fullSync(conn, n.port, first);
    await linkUp(c);
    const offset = 100 + first.length;
    await until(async () => (await info(c))['master_repl_offset'] === String(offset), { what: 'stream applied' });
    assert.deepEqual(await c.role(), ['slave', '127.0.0.1', fm.port, 'connected', offset]);
    assert.equal(await c.replicaof('no', 'one'), 'OK');
    const i = await info(c);
    assert.equal(i['role'], 'master');
    assert.equal(i['master_replid2'], ID);
    assert.equal(i['second_repl_offset'], String(offset + 1));
    assert.notEqual(i['master_replid'], ID);
    await until(() => conn.closed, { what: 'the link closed' });
    assert.equal(await c.set('local', '1'), 'OK');
    assert.equal(await c.get('local'), '1');
    assert.equal(await masterClientLine(c), '');
    // Expired keys expire again.
    assert.equal(await c.get('old'), null);
    assert.equal(await c.dbsize(), 3);
  });
});
