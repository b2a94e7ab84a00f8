// Fair reading between clients (src/server/network/read-share.ts): while another client is
// active, a client streaming more than one read holds runs at most 16 KB of its commands in one
// event-loop turn (the rest waits, its socket paused, for the next turns); a batch that came in
// one read runs whole, and alone a client keeps libuv's long reads. Through real sockets: a bulk
// pipeline of SETs, with and without another client's recent command, every reply in order and
// every key written, batches of 28 KB, and big values cut by the shares arriving whole. Whether
// the server paused a client's socket is observed by counting Socket.pause calls.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ReadShare } from '../../src/server/network/read-share.js';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/poll.js';

describe('ReadShare', () => {
  it('says whether another client read within the last second', () => {
    const s = new ReadShare();
    const a = {};
    const b = {};
    assert.equal(s.note(a, 0), false, 'the first reader is alone');
    assert.equal(s.note(a, 500), false, 'still alone');
    assert.equal(s.note(b, 600), true, 'a read 100 ms before');
    assert.equal(s.note(a, 700), true);
    assert.equal(s.note(a, 1599), true, "b's read 999 ms before");
    assert.equal(s.note(a, 1600), false, "b's read a second before");
    assert.equal(s.note(b, 2500), true, "a's read 900 ms before");
  });
});

/** SETs of 100-byte values, `n` of them, as one pipelined buffer (about 140 bytes each). */
function bulk(prefix: string, n: number): Buffer {
  const v = 'x'.repeat(100);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `${prefix}${String(i).padStart(9, '0')}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$100\r\n${v}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** SETs of `size`-byte values of varied bytes, `n` of them, as one pipelined buffer. */
function bigBulk(prefix: string, n: number, size: number): { data: Buffer; values: Buffer[] } {
  const parts: Buffer[] = [];
  const values: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const v = Buffer.alloc(size);
    for (let j = 0; j < size; j++) v[j] = (i * 31 + j * 7) & 0xff;
    values.push(v);
    const k = `${prefix}${i}`;
    parts.push(Buffer.from(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${size}\r\n`, 'latin1'), v, Buffer.from('\r\n', 'latin1'));
  }
  return { data: Buffer.concat(parts), values };
}

/** Writes `data` on a new connection and resolves once `n` replies (+OK each) came back. */
function sendBulk(port: number, data: Buffer, n: number): Promise<void> {
  return sendExpect(port, data, Buffer.from('+OK\r\n'.repeat(n), 'latin1'), `${n} × +OK`);
}

/** Writes `data` on a new connection and resolves once exactly the bytes `want` came back. */
function sendExpect(port: number, data: Buffer, want: Buffer, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    let len = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    socket.on('data', (d: Buffer) => {
      got.push(d);
      len += d.length;
      if (len < want.length) return;
      socket.destroy();
      if (Buffer.concat(got).equals(want)) resolve();
      else reject(new Error(`replies other than ${what} (${len} bytes)`));
    });
    socket.on('error', reject);
  });
}

describe('a bulk pipeline shares the turn only with active clients', () => {
  let node: RunningServer;
  let other: RawClient;
  const realPause = net.Socket.prototype.pause;
  let pauses = 0;

  before(async () => {
    node = await startServer({ config: { port: '0' } });
    other = await RawClient.connect(node.port);
    net.Socket.prototype.pause = function (this: net.Socket) {
      pauses++;
      return realPause.call(this);
    };
  });
  after(async () => {
    net.Socket.prototype.pause = realPause;
    await other?.close();
    await node?.close();
  });

  const N = 60_000; // about 8.4 MB

  it('alone: read as it comes, never paused', async () => {
    // The first test on a fresh node: no client has read anything yet (`other` only connected).
    pauses = 0;
    await sendBulk(node.port, bulk('alone:', N), N);
    assert.equal(pauses, 0);
    assert.equal((await other.call('DBSIZE')).toString('latin1'), `:${N}\r\n`);
  });

  it('beside a client that just ran a command: paused at each 16 KB of a turn, every reply in order', async () => {
    assert.equal((await other.call('PING')).toString('latin1'), '+PONG\r\n');
    pauses = 0;
    await sendBulk(node.port, bulk('shared:', N), N);
    assert.ok(pauses > 0, 'the bulk client was paused');
    assert.equal((await other.call('DBSIZE')).toString('latin1'), `:${2 * N}\r\n`);
    assert.equal((await other.call('EXISTS', `shared:${String(N - 1).padStart(9, '0')}`)).toString('latin1'), ':1\r\n');
  });

  it('beside a client that just ran a command: a batch that came in one read (28 KB) runs whole', async () => {
    assert.equal((await other.call('PING')).toString('latin1'), '+PONG\r\n');
    pauses = 0;
    for (let i = 0; i < 3; i++) await sendBulk(node.port, bulk(`batch${i}:`, 200), 200);
    assert.equal(pauses, 0);
  });

  it('beside a client that just ran a command: big values cut by the shares arrive whole', async () => {
    assert.equal((await other.call('PING')).toString('latin1'), '+PONG\r\n');
    const n = 40;
    const { data, values } = bigBulk('big:', n, 100_000 + 1234);
    pauses = 0;
    await sendBulk(node.port, data, n);
    assert.ok(pauses > 0, 'the bulk client was paused');
    for (const i of [0, 17, n - 1]) assert.ok((await other.call('GET', `big:${i}`)).subarray(-values[i].length - 2, -2).equals(values[i]), `big:${i} whole`);
  });

  it('beside a client that pauses writes: a transaction, a blocking pop and counters cut by the shares, replies in order', async () => {
    assert.equal((await other.call('PING')).toString('latin1'), '+PONG\r\n');
    const cmd = (...a: string[]): string => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    const v = 'v'.repeat(100);
    const M = 300; // each run of M commands is over 16 KB: shares end inside it
    let data = '';
    let want = '';
    for (let i = 0; i < 10 * M; i++) (data += cmd('SET', `pre:${i}`, v)), (want += '+OK\r\n');
    data += cmd('MULTI');
    want += '+OK\r\n';
    for (let i = 0; i < M; i++) (data += cmd('SET', `tx:${i}`, v)), (want += '+QUEUED\r\n');
    data += cmd('EXEC');
    want += `*${M}\r\n${'+OK\r\n'.repeat(M)}`;
    data += cmd('BLPOP', 'empty-list', '0.05');
    want += '*-1\r\n';
    for (let i = 1; i <= M; i++) (data += cmd('INCR', 'counter')), (want += `:${i}\r\n`);
    data += cmd('GET', 'counter');
    want += `$${String(M).length}\r\n${M}\r\n`;
    pauses = 0;
    const done = sendExpect(node.port, Buffer.from(data, 'latin1'), Buffer.from(want, 'latin1'), 'the script\'s replies');
    // Writes paused once the script runs (its first share ran): it stops mid-way, then goes on.
    await until(async () => (await other.call('EXISTS', 'pre:0')).toString('latin1') === ':1\r\n', { every: 1, what: 'the script running' });
    assert.equal((await other.call('CLIENT', 'PAUSE', '100', 'WRITE')).toString('latin1'), '+OK\r\n');
    await done;
    assert.ok(pauses > 0, 'the client was paused');
    assert.equal((await other.call('EXISTS', 'pre:0', `pre:${10 * M - 1}`, 'tx:0', `tx:${M - 1}`)).toString('latin1'), ':4\r\n');
  });
});
