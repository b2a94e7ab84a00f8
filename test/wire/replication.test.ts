// The master side of replication on the wire, byte for byte as a replica sees it: REPLCONF,
// PSYNC's +FULLRESYNC and the EOF-marked diskless payload, the stream that follows (SELECT,
// rewritten commands, PUBLISH, PING), +CONTINUE from the backlog, WAIT, min-replicas-to-write,
// ROLE and INFO replication.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { RawClient, encodeCommand } from '../helpers/raw-client.js';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';

const text = (b: Buffer): string => b.toString('latin1');

/** Field `name` of INFO replication. */
async function replInfo(c: RawClient, name: string): Promise<string> {
  const body = text(await c.call('INFO', 'replication'));
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(body);
  return m === null ? '' : m[1];
}

/**
 * Acts as a replica with capa eof on connection r: PSYNC ? -1, then reads the +FULLRESYNC line
 * and the whole EOF-marked payload. Returns the offset the stream starts at.
 */
async function fullSyncAsReplica(r: RawClient): Promise<string> {
  await r.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
  await r.command('PSYNC', '?', '-1');
  const offset = /^\+FULLRESYNC [0-9a-f]{40} (\d+)\r\n$/.exec(text(await r.readThrough('\r\n')))?.[1];
  assert.ok(offset !== undefined);
  const mark = /^\$EOF:([0-9a-f]{40})\r\n$/.exec(text(await r.readThrough('\r\n')))?.[1];
  assert.ok(mark !== undefined);
  await r.readThrough(mark);
  return offset;
}

describe('replication, master side, on the wire', () => {
  let node: RunningServer;
  let c: RawClient;
  const open: RawClient[] = [];

  let dir: string;

  before(async () => {
    // SYNC without capa eof goes through a BGSAVE into dir.
    dir = mkdtempSync(path.join(tmpdir(), 'shoal-repl-wire-'));
    node = await startServer({ config: { port: '0', dir, 'repl-diskless-sync-delay': '0', 'repl-ping-replica-period': '1' } });
    c = await RawClient.connect(node.port);
    open.push(c);
  });
  after(async () => {
    for (const x of open) await x.close();
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(): Promise<RawClient> {
    const x = await RawClient.connect(node.port);
    open.push(x);
    return x;
  }

  it('a fresh master: ROLE, INFO replication, WAIT without replicas', async () => {
    assert.equal(text(await c.call('ROLE')), '*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n');
    assert.equal(await replInfo(c, 'role'), 'master');
    assert.equal(await replInfo(c, 'connected_slaves'), '0');
    assert.equal(await replInfo(c, 'repl_backlog_active'), '0');
    assert.match(await replInfo(c, 'master_replid'), /^[0-9a-f]{40}$/);
    assert.equal(text(await c.call('WAIT', '0', '0')), ':0\r\n');
    assert.equal(text(await c.call('WAIT', '1', '20')), ':0\r\n');
    assert.equal(text(await c.call('WAIT', '1', '-1')), '-ERR timeout is negative\r\n');
    assert.equal(text(await c.call('WAIT', 'x', '1')), '-ERR value is not an integer or out of range\r\n');
    assert.equal(text(await c.call('WAIT', '1', 'x')), '-ERR timeout is not an integer or out of range\r\n');
  });

  it('REPLCONF options, errors, and ACK / GETACK from a non-replica (no reply)', async () => {
    const x = await connect();
    assert.equal(text(await x.call('REPLCONF', 'listening-port', '6390')), '+OK\r\n');
    assert.equal(text(await x.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'unknown')), '+OK\r\n');
    assert.equal(text(await x.call('REPLCONF', 'ip-address', '10.1.2.3')), '+OK\r\n');
    assert.equal(text(await x.call('REPLCONF', 'ip-address', 'h'.repeat(256))), '-ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes\r\n');
    assert.equal(text(await x.call('REPLCONF', 'listening-port', 'x')), '-ERR value is not an integer or out of range\r\n');
    assert.equal(text(await x.call('REPLCONF', 'nope', '1')), '-ERR Unrecognized REPLCONF option: nope\r\n');
    assert.equal(text(await x.call('REPLCONF', 'capa')), '-ERR syntax error\r\n');
    await x.command('REPLCONF', 'ACK', '10');
    await x.command('REPLCONF', 'GETACK', '*');
    assert.equal(text(await x.call('PING')), '+PONG\r\n');
  });

  it('PSYNC ? -1: +FULLRESYNC, the diskless payload, then the stream', async () => {
    await c.call('SET', 'before', '1');
    await c.call('SELECT', '2');
    await c.call('HSET', 'h2', 'f', 'v');
    await c.call('SELECT', '0');
    const r = await connect();
    assert.equal(text(await r.call('REPLCONF', 'listening-port', '7777')), '+OK\r\n');
    assert.equal(text(await r.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')), '+OK\r\n');
    await r.command('PSYNC', '?', '-1');
    const head = text(await r.readThrough('\r\n'));
    const m = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n$/.exec(head);
    assert.ok(m !== null, head);
    const [, replId, offset] = m;
    assert.equal(replId, await replInfo(c, 'master_replid'));
    // The offset the sync starts from; the cron's PINGs (14 bytes each, every second here) may
    // have moved the master's since.
    const since = Number(await replInfo(c, 'master_repl_offset')) - Number(offset);
    assert.ok(since >= 0 && since % 14 === 0, `master_repl_offset moved ${since} bytes past ${offset}`);
    const eofLine = text(await r.readThrough('\r\n'));
    const em = /^\$EOF:([0-9a-f]{40})\r\n$/.exec(eofLine);
    assert.ok(em !== null, eofLine);
    const payload = await r.readThrough(em[1]);
    assert.equal(text(payload.subarray(0, 9)), 'REDIS0010');
    // The RDB records where the stream starts (repl-id, repl-offset aux fields).
    assert.ok(payload.includes(Buffer.from(replId)), 'repl-id in the payload');
    assert.ok(payload.includes(Buffer.from('before')) && payload.includes(Buffer.from('h2')));
    await until(async () => (await replInfo(c, 'slave0')).includes('state=online'), { what: 'the replica online' });
    assert.match(await replInfo(c, 'slave0'), /^ip=127\.0\.0\.1,port=7777,state=online,offset=\d+,lag=\d+,lag_bytes=\d+,lag_ms=\d+$/);
    // Nothing follows the EOF mark until the replica's first ACK (it has loaded the payload).
    await c.call('SET', 'k', 'v', 'EX', '100');
    await c.call('PING');
    assert.equal(r.pending.length, 0);
    await r.command('REPLCONF', 'ACK', offset);
    // The stream: SELECT first, then each write as propagated (SET EX -> PXAT).
    const select = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n';
    const got = text(await r.readThrough('PXAT\r\n'));
    assert.ok(got.startsWith(select) || got.startsWith(`*1\r\n$4\r\nPING\r\n${select}`), got);
    assert.match(text(await r.readThrough('\r\n')), /^\$13\r\n$/);
    await r.readThrough('\r\n');
    // PUBLISH goes to replicas.
    await c.call('PUBLISH', 'chan', 'hello');
    const pub = text(await r.readThrough('hello\r\n'));
    assert.ok(pub.endsWith('*3\r\n$7\r\nPUBLISH\r\n$4\r\nchan\r\n$5\r\nhello\r\n'), pub);
    // ACKs move the replica's offset; WAIT sees it.
    const total = await replInfo(c, 'master_repl_offset');
    await r.command('REPLCONF', 'ACK', total);
    await until(async () => (await replInfo(c, 'slave0')).includes(`offset=${total},`), { what: 'the ACK' });
    assert.equal(text(await c.call('WAIT', '1', '1000')), ':1\r\n');
    // The master's own offset is `total` unless the cron has PINGed the replicas since (14 bytes
    // each, every second here); the replica's is the offset it acknowledged.
    const role = text(await c.call('ROLE'));
    const rm = /^\*3\r\n\$6\r\nmaster\r\n:(\d+)\r\n\*1\r\n\*3\r\n\$9\r\n127\.0\.0\.1\r\n\$4\r\n7777\r\n\$(\d+)\r\n(\d+)\r\n$/.exec(role);
    assert.ok(rm !== null, role);
    const pinged = Number(rm[1]) - Number(total);
    assert.ok(pinged >= 0 && pinged % 14 === 0, `master offset ${rm[1]} vs ${total}`);
    assert.equal(rm[3], total);
    assert.equal(Number(rm[2]), total.length);
    // A second PSYNC from a replica is ignored; its other commands get no reply either.
    await r.command('PSYNC', '?', '-1');
    await r.command('PING');
    // WAIT for more replicas than acknowledge blocks until the timeout and sends GETACK.
    await c.call('SET', 'w', '1');
    const waited = c.call('WAIT', '2', '100');
    await r.readThrough('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');
    assert.equal(text(await waited), ':0\r\n');
    await r.close();
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'the replica gone' });
  });

  it('PSYNC <id> <offset> continues from the backlog; a wrong id or offset gets a full sync', async () => {
    const replId = await replInfo(c, 'master_replid');
    const from = Number(await replInfo(c, 'master_repl_offset')) + 1;
    await c.call('SET', 'gap', 'filled');
    const r = await connect();
    await r.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    await r.command('PSYNC', replId, String(from));
    assert.equal(text(await r.readThrough('\r\n')), `+CONTINUE ${replId}\r\n`);
    const rest = text(await r.readThrough('filled\r\n'));
    assert.ok(rest.endsWith('*3\r\n$3\r\nSET\r\n$3\r\ngap\r\n$6\r\nfilled\r\n'), rest);
    await r.close();
    // Without capa psync2: +CONTINUE alone.
    const old = await connect();
    await old.command('PSYNC', replId, String(from));
    assert.equal(text(await old.readThrough('\r\n')), '+CONTINUE\r\n');
    await old.close();
    // An offset past the end, or an unknown ID: a full resync.
    for (const [id, off] of [
      [replId, String(Number(await replInfo(c, 'master_repl_offset')) + 100)],
      ['f'.repeat(40), '1'],
    ]) {
      const f = await connect();
      await f.call('REPLCONF', 'capa', 'eof');
      await f.command('PSYNC', id, off);
      assert.match(text(await f.readThrough('\r\n')), /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n$/);
      await f.readThrough('\r\n');
      await f.close();
    }
  });

  it('a pipelined batch reaches the stream and the backlog as its writes, in order, byte for byte', async () => {
    const r = await connect();
    const offset = await fullSyncAsReplica(r);
    const replId = await replInfo(c, 'master_replid'); // a first replica's sync may change it
    await r.command('REPLCONF', 'ACK', offset);
    await c.call('SELECT', '0');
    await c.call('SET', 'batch:mark', 'start');
    const mark = '*3\r\n$3\r\nSET\r\n$10\r\nbatch:mark\r\n$5\r\nstart\r\n';
    await r.readThrough(mark);
    const from = Number(await replInfo(c, 'master_repl_offset')) + 1;
    // One write: writes back to back, a read among them, a rewritten write (SET EX -> PXAT), a
    // write that changes nothing (DEL of a missing key), a command cut where the read ends.
    const cmds = [
      ['SET', 'batch:a', '1'],
      ['SET', 'batch:b', 'x'.repeat(100)],
      ['GET', 'batch:a'],
      ['INCR', 'batch:n'],
      ['SET', 'batch:t', 'v', 'EX', '100'],
      ['APPEND', 'batch:b', 'y'],
      ['DEL', 'batch:none'],
      ['RPUSH', 'batch:l', 'p', 'q'],
      ['SET', 'batch:last', 'end'],
    ];
    const wire = Buffer.concat(cmds.map((a) => encodeCommand(a)));
    const cut = wire.length - 7;
    await c.send(wire.subarray(0, cut));
    await c.readAll(cmds.length - 1); // the commands before the cut ran: the rest comes in another read
    await c.send(wire.subarray(cut));
    assert.equal(text(await c.readReply()), '+OK\r\n');
    const enc = (i: number): string => text(encodeCommand(cmds[i] as string[]));
    const got = text(await r.readThrough(enc(8)));
    const pxat = /^\*5\r\n\$3\r\nSET\r\n\$7\r\nbatch:t\r\n\$1\r\nv\r\n\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n/;
    const rest = got.slice(enc(0).length + enc(1).length + enc(3).length);
    assert.equal(got.slice(0, enc(0).length + enc(1).length + enc(3).length), enc(0) + enc(1) + enc(3));
    const t = pxat.exec(rest)?.[0];
    assert.ok(t !== undefined, rest);
    assert.equal(rest.slice(t.length), enc(5) + enc(7) + enc(8));
    // Two clients' batches read in one event-loop turn (into the same read buffer, one after
    // the other): each reaches the stream whole.
    const c2 = await connect();
    const batch = (who: string): Buffer =>
      Buffer.concat(Array.from({ length: 20 }, (_, i) => encodeCommand(['SET', `batch:${who}:${i}`, `${who}`.repeat(50 + i)])));
    const b1 = batch('p');
    const b2 = batch('q');
    await Promise.all([c.send(b1), c2.send(b2)]);
    await c.readAll(20);
    await c2.readAll(20);
    const pLast = text(encodeCommand(['SET', 'batch:p:19', 'p'.repeat(69)]));
    const both = text(await r.readThrough(text(encodeCommand(['SET', 'batch:q:19', 'q'.repeat(69)]))));
    const seen = both.includes(pLast) ? both : both + text(await r.readThrough(pLast));
    assert.ok(seen.includes(text(b1)) && seen.includes(text(b2)), seen.slice(0, 300));
    await c2.close();
    // The backlog holds the same bytes.
    const p = await connect();
    await p.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    await p.command('PSYNC', replId, String(from));
    assert.equal(text(await p.readThrough('\r\n')), `+CONTINUE ${replId}\r\n`);
    assert.equal(text(await p.readThrough(enc(8))), got);
    const again = text(await p.readThrough(text(encodeCommand(['SET', 'batch:q:19', 'q'.repeat(69)]))));
    assert.equal(again, both);
    await p.close();
    await r.close();
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'the replicas gone' });
  });

  it('CONFIG SET repl-backlog-size keeps the newest history that fits: PSYNC continues from within it, not before', async () => {
    const replId = await replInfo(c, 'master_replid');
    const before = await replInfo(c, 'repl_backlog_size');
    // 40 KB of stream, then a backlog of 16 KB (the least): the last 16 KB stay.
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 40; i++) await c.call('SET', `bl:${i}`, value);
    const end = Number(await replInfo(c, 'master_repl_offset'));
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-backlog-size', '16kb')), '+OK\r\n');
    assert.equal(await replInfo(c, 'repl_backlog_size'), '16384');
    assert.equal(await replInfo(c, 'repl_backlog_histlen'), '16384');
    const info = text(await c.call('INFO', 'replication'));
    const num = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
    assert.equal(num('repl_backlog_first_byte_offset'), num('master_repl_offset') - 16384 + 1);
    // The last SET's bytes (1 KB and its header) are held: PSYNC continues with exactly them.
    const last = encodeCommand(['SET', 'bl:39', value]);
    const r = await connect();
    await r.call('REPLCONF', 'capa', 'psync2');
    await r.command('PSYNC', replId, String(end - last.length + 1));
    assert.equal(text(await r.readThrough('\r\n')), `+CONTINUE ${replId}\r\n`);
    await until(() => r.pending.length >= last.length, { what: 'the held bytes' });
    assert.ok(Buffer.from(r.pending.subarray(0, last.length)).equals(last));
    await r.close();
    // An offset before the kept history: a full resync.
    const f = await connect();
    await f.call('REPLCONF', 'capa', 'eof');
    await f.command('PSYNC', replId, String(end - 20_000));
    assert.match(text(await f.readThrough('\r\n')), /^\+FULLRESYNC /);
    await f.close();
    // Growing it again keeps what is held.
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-backlog-size', before)), '+OK\r\n');
    assert.equal(await replInfo(c, 'repl_backlog_size'), before);
    assert.equal(await replInfo(c, 'repl_backlog_histlen'), '16384');
  });

  it('SYNC: the payload without +FULLRESYNC, through the disk when the replica has no capa eof', async () => {
    const r = await connect();
    await r.command('SYNC');
    const first = text(await r.readThrough('\r\n', 10_000));
    // Newlines may come first (keepalives while the BGSAVE runs), then $<size>.
    assert.match(first.replace(/^\n+/, ''), /^\$\d+\r\n$/);
    const size = Number(first.replace(/^\n+/, '').slice(1, -2));
    await until(() => r.pending.length >= size, { what: 'the whole RDB' });
    assert.equal(text(r.pending.subarray(0, 9)), 'REDIS0010');
    await r.close();
  });

  it('a replica asking while a disk BGSAVE runs for another joins it: the same offset, file and stream', async () => {
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-diskless-sync', 'no')), '+OK\r\n');
    // Enough keys that the BGSAVE still runs when the second replica asks (in a database of
    // their own, emptied at the end: later tests read database 0).
    assert.equal(text(await c.call('SELECT', '9')), '+OK\r\n');
    const pairs: string[] = [];
    for (let i = 0; i < 1000; i++) pairs.push(`join:${i}`, 'x'.repeat(50));
    for (let b = 0; b < 200; b++) await c.send(encodeCommand(['MSET', ...pairs.map((p, j) => (j % 2 === 0 ? `${p}:${b}` : p))]));
    for (let b = 0; b < 200; b++) assert.equal(text(await c.readReply()), '+OK\r\n');
    const savesBefore = Number(/rdb_saves:(\d+)/.exec(text(await c.call('INFO', 'persistence')))?.[1]);
    const r1 = await connect();
    const r2 = await connect();
    for (const r of [r1, r2]) assert.equal(text(await r.call('REPLCONF', 'capa', 'psync2')), '+OK\r\n');
    await r1.command('PSYNC', '?', '-1');
    const line1 = text(await r1.readThrough('\r\n'));
    assert.match(line1, /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n$/);
    assert.match(text(await c.call('INFO', 'persistence')), /rdb_bgsave_in_progress:1/);
    await r2.command('PSYNC', '?', '-1');
    assert.equal(text(await r2.readThrough('\r\n')), line1);
    assert.equal(text(await c.call('SET', 'join:after', 'yes')), '+OK\r\n');
    // Each gets newlines while the BGSAVE runs, then $<size> and the same file, then the stream.
    const payloads: Buffer[] = [];
    for (const r of [r1, r2]) {
      const head = text(await r.readThrough('\r\n', 30_000)).replace(/^\n+/, '');
      assert.match(head, /^\$\d+\r\n$/);
      const size = Number(head.slice(1, -2));
      await until(() => r.pending.length >= size, { what: 'the whole RDB', ms: 30_000 });
      payloads.push(Buffer.from(r.pending.subarray(0, size)));
      await r.readThrough('join:after');
    }
    assert.ok(payloads[0].equals(payloads[1]));
    assert.equal(Number(/rdb_saves:(\d+)/.exec(text(await c.call('INFO', 'persistence')))?.[1]), savesBefore + 1);
    await r1.close();
    await r2.close();
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-diskless-sync', 'yes')), '+OK\r\n');
    assert.equal(text(await c.call('FLUSHDB')), '+OK\r\n');
    assert.equal(text(await c.call('SELECT', '0')), '+OK\r\n');
  });

  it('a replica loading its payload is not timed out; once it acknowledged, silence past repl-timeout drops it', async () => {
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'no replica left' });
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-timeout', '1')), '+OK\r\n');
    const r = await connect();
    const offset = await fullSyncAsReplica(r);
    // Three cron seconds without an ACK: still connected (it is loading).
    const loops = async (): Promise<number> => Number(/^lag=(\d+)/m.exec((await replInfo(c, 'slave0')).replace(/,/g, '\n'))?.[1] ?? -1);
    await until(async () => (await loops()) >= 3, { what: 'three seconds without an ACK', ms: 10_000, every: 100 });
    assert.equal(await replInfo(c, 'connected_slaves'), '1');
    // Its first ACK: the stream starts; then silence: dropped after repl-timeout.
    await r.command('REPLCONF', 'ACK', offset);
    await c.call('SET', 'after-load', '1');
    await r.readThrough('after-load');
    await r.waitClose(10_000);
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'the silent replica dropped' });
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-timeout', '60')), '+OK\r\n');
  });

  it('a replica that stops reading its payload is dropped after repl-timeout', async () => {
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'no replica left' });
    // A payload far bigger than what the sockets and the snapshot's queue hold (values that
    // LZF cannot shrink).
    const big = randomBytes(500).toString('hex');
    for (let i = 0; i < 40; i++) {
      const batch = Array.from({ length: 1000 }, (_, j) => ['SET', `big:${i}:${j}`, big]);
      await c.send(Buffer.concat(batch.map((a) => encodeCommand(a))));
      await c.readAll(batch.length, 20_000);
    }
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-timeout', '1')), '+OK\r\n');
    const sock = net.connect({ port: node.port, host: '127.0.0.1' });
    await new Promise((res) => sock.once('connect', res));
    sock.write(encodeCommand(['REPLCONF', 'capa', 'eof']));
    await new Promise((res) => sock.once('data', res)); // +OK
    sock.write(encodeCommand(['PSYNC', '?', '-1']));
    let got = 0;
    let closed = false;
    sock.once('close', () => (closed = true));
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      got += d.length;
      sock.pause(); // reads one chunk, then not until the end
    });
    await until(async () => (await replInfo(c, 'slave0')).includes('state=wait_bgsave'), { what: 'the sync started' });
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'the stuck replica dropped', ms: 15_000 });
    assert.ok(got > 0 && got < 40_000_000, `read ${got} bytes before the drop`);
    // The master closed the connection itself (not waiting for its output to drain).
    sock.removeAllListeners('data');
    sock.resume();
    await until(() => closed, { what: 'the connection closed' });
    assert.equal(text(await c.call('CONFIG', 'SET', 'repl-timeout', '60')), '+OK\r\n');
    assert.equal(text(await c.call('SET', 'still', 'serving')), '+OK\r\n');
  });

  it('min-replicas-to-write refuses writes and queued writes with -NOREPLICAS', async () => {
    await until(async () => (await replInfo(c, 'connected_slaves')) === '0', { what: 'no replica left' });
    assert.equal(text(await c.call('CONFIG', 'SET', 'min-replicas-to-write', '1')), '+OK\r\n');
    assert.equal(text(await c.call('SET', 'x', '1')), '-NOREPLICAS Not enough good replicas to write.\r\n');
    assert.equal(text(await c.call('GET', 'gap')), '$6\r\nfilled\r\n');
    assert.equal(await replInfo(c, 'min_slaves_good_slaves'), '0');
    await c.call('MULTI');
    assert.equal(text(await c.call('SET', 'x', '1')), '-NOREPLICAS Not enough good replicas to write.\r\n');
    assert.equal(text(await c.call('EXEC')), '-EXECABORT Transaction discarded because of previous errors.\r\n');
    assert.equal(text(await c.call('CONFIG', 'SET', 'min-replicas-to-write', '0')), '+OK\r\n');
    assert.equal(text(await c.call('SET', 'x', '1')), '+OK\r\n');
  });
});

describe('SHUTDOWN waits for lagging replicas (shutdown-timeout)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A node with one online replica (a raw connection) that acknowledged its full sync. */
  async function withReplica(config: Record<string, string> = {}): Promise<{ node: RunningServer; c: RawClient; r: RawClient }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'shoal-repl-shutdown-'));
    dirs.push(dir);
    const node = await startServer({ config: { port: '0', dir, save: '', 'repl-diskless-sync-delay': '0', ...config } });
    const c = await RawClient.connect(node.port);
    const r = await RawClient.connect(node.port);
    const offset = await fullSyncAsReplica(r);
    await r.command('REPLCONF', 'ACK', offset);
    await until(async () => /state=online/.test(await replInfo(c, 'slave0')), { what: 'the replica online' });
    return { node, c, r };
  }

  it('holds writes without replying until the replica acknowledges, then closes; ABORT cancels the wait', async () => {
    const { node, c, r } = await withReplica();
    try {
      assert.equal(text(await c.call('SET', 'k', '1')), '+OK\r\n');
      await r.readThrough('k');
      // A shutdown that is aborted: its caller gets an error, the held write goes through.
      const s1 = await RawClient.connect(node.port);
      await s1.command('SHUTDOWN');
      await r.readThrough('GETACK');
      const w = await RawClient.connect(node.port);
      await w.command('SET', 'held', '1');
      assert.equal(text(await c.call('GET', 'held')), '$-1\r\n'); // reads go on, the write waits
      assert.equal(text(await c.call('CLIENT', 'UNPAUSE')), '+OK\r\n'); // does not lift it
      assert.equal(text(await c.call('GET', 'held')), '$-1\r\n');
      assert.equal(text(await c.call('SHUTDOWN', 'ABORT')), '+OK\r\n');
      assert.equal(text(await s1.readReply()), '-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
      assert.equal(text(await w.readReply()), '+OK\r\n');
      assert.equal(text(await c.call('SHUTDOWN', 'ABORT')), '-ERR No shutdown in progress.\r\n');
      await Promise.all([s1.close(), w.close()]);
      // A shutdown that completes once the replica has acknowledged everything.
      await r.readThrough('held');
      const target = await replInfo(c, 'master_repl_offset');
      const s2 = await RawClient.connect(node.port);
      await s2.command('SHUTDOWN', 'NOSAVE');
      await r.readThrough('GETACK');
      assert.equal(text(await c.call('PING')), '+PONG\r\n'); // still up, waiting
      await r.command('REPLCONF', 'ACK', target);
      await s2.waitClose(10_000);
      await c.waitClose(10_000);
    } finally {
      await node.close();
    }
  });

  it('a SHUTDOWN during the wait joins it, even with NOW; INFO shows the time left; no GETACK under CLIENT PAUSE', async () => {
    const { node, c, r } = await withReplica();
    try {
      assert.equal(text(await c.call('SET', 'k', '1')), '+OK\r\n');
      await r.readThrough('k');
      // Clients paused already: the shutdown asks for no ACK (that would move the offset).
      assert.equal(text(await c.call('CLIENT', 'PAUSE', '60000', 'WRITE')), '+OK\r\n');
      const before = await replInfo(c, 'master_repl_offset');
      const s1 = await RawClient.connect(node.port);
      await s1.command('SHUTDOWN');
      await until(async () => /shutdown_in_milliseconds:\d+\r\n/.test(text(await c.call('INFO', 'server'))), { what: 'the wait in INFO' });
      assert.equal(await replInfo(c, 'master_repl_offset'), before);
      const s2 = await RawClient.connect(node.port);
      await s2.command('SHUTDOWN', 'NOW');
      await until(async () => /blocked_clients:2\r\n/.test(text(await c.call('INFO', 'clients'))), { what: 'both callers waiting' });
      assert.equal(text(await c.call('SHUTDOWN', 'ABORT')), '+OK\r\n');
      const err = '-ERR Errors trying to SHUTDOWN. Check logs.\r\n';
      assert.equal(text(await s1.readReply()), err);
      assert.equal(text(await s2.readReply()), err);
      assert.doesNotMatch(text(await c.call('INFO', 'server')), /shutdown_in_milliseconds/);
      assert.equal(text(await c.call('CLIENT', 'UNPAUSE')), '+OK\r\n');
      await Promise.all([s1.close(), s2.close(), c.close(), r.close()]);
    } finally {
      await node.close();
    }
  });

  it('past shutdown-timeout it closes anyway and logs the lagging replica; NOW does not wait', async () => {
    const { node, c, r } = await withReplica({ 'shutdown-timeout': '1' });
    const lines: string[] = [];
    node.server.log.sink = (line) => void lines.push(line);
    try {
      assert.equal(text(await c.call('SET', 'k', '1')), '+OK\r\n');
      await r.readThrough('k');
      await c.command('SHUTDOWN', 'NOSAVE');
      await c.waitClose(10_000);
      assert.ok(lines.some((l) => /Lagging replica 127\.0\.0\.1:\d+ reported offset \d+ behind master, lag=\d+, state=online\./.test(l)), lines.join(''));
    } finally {
      await node.close();
    }
    // NOW: no wait, although the replica never acknowledges and the timeout is a minute.
    const second = await withReplica({ 'shutdown-timeout': '60' });
    try {
      assert.equal(text(await second.c.call('SET', 'k', '1')), '+OK\r\n');
      await second.c.command('SHUTDOWN', 'NOW', 'NOSAVE');
      await second.c.waitClose(10_000);
    } finally {
      await second.node.close();
    }
  });
});
