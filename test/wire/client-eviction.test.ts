// Client eviction (maxmemory-clients, src/server/client-eviction.ts) through real sockets: a
// client whose query buffer or unread output takes the clients past the limit is closed and
// counted in evicted_clients, the largest first; CLIENT NO-EVICT exempts a client; the limit may
// be a percent of maxmemory (none without it); lowering it evicts at once; CONFIG RESETSTAT
// zeroes the count. The cases follow Redis 7.0's tests/unit/client-eviction.tcl.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';

const MB = 1024 * 1024;

/** A raw connection that counts what it receives and whether the server closed it. */
interface Peer {
  socket: net.Socket;
  received: () => number;
  closed: () => boolean;
}

function connect(port: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closed: () => closed }));
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

/** Sends a command whose last argument is announced at `total` bytes but only `sent` arrive. */
function partialArgument(peer: Peer, total: number, sent: number): void {
  peer.socket.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${total}\r\n`);
  peer.socket.write(Buffer.alloc(sent, 'x'));
}

describe('client eviction (maxmemory-clients)', () => {
  let node: RunningServer;
  let io: Redis;
  const peers: Peer[] = [];

  const stat = async (name: string): Promise<number> => {
    const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(await io.info('stats'));
    assert.ok(m !== null, `INFO has ${name}`);
    return Number(m[1]);
  };
  const open = async (): Promise<Peer> => {
    const p = await connect(node.port);
    peers.push(p);
    return p;
  };
  /** Waits until the server holds at least `bytes` of the peer's input. */
  const buffered = (bytes: number): Promise<void> =>
    until(() => [...node.server.clients.values()].some((c) => c.parser.pendingBytes >= bytes), { what: `${bytes} bytes buffered` });

  before(async () => {
    node = await startServer();
    io = new Redis({ port: node.port, lazyConnect: false });
    // The test's own client must survive every eviction.
    await io.call('CLIENT', 'NO-EVICT', 'on');
  });
  after(async () => {
    for (const p of peers) p.socket.destroy();
    io.disconnect();
    await node.close();
  });
  beforeEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy();
    await io.config('SET', 'maxmemory-clients', '0');
    await io.config('SET', 'maxmemory', '0');
    await io.config('RESETSTAT');
  });

  it('evicts a client whose query buffer takes the clients past the limit, and counts it', async () => {
    await io.config('SET', 'maxmemory-clients', '2mb');
    const small = await open();
    const big = await open();
    partialArgument(big, 10 * MB, 3 * MB);
    await until(() => big.closed(), { what: 'the big client closed' });
    assert.equal(small.closed(), false, 'the small client stays');
    assert.equal(await stat('evicted_clients'), 1);
    assert.equal(await io.ping(), 'PONG');
  });

  it('a big argument counts at its announced length, as Redis sizes its query buffer', async () => {
    await io.config('SET', 'maxmemory-clients', '4mb');
    const big = await open();
    partialArgument(big, 10 * MB, 64 * 1024);
    await until(() => big.closed(), { what: 'the client announcing 10 MB closed' });
    assert.equal(await stat('evicted_clients'), 1);
  });

  it('CLIENT NO-EVICT on exempts a client', async () => {
    await io.config('SET', 'maxmemory-clients', '2mb');
    const big = await open();
    big.socket.write('*3\r\n$6\r\nCLIENT\r\n$8\r\nNO-EVICT\r\n$2\r\non\r\n');
    await until(() => big.received() >= 5, { what: '+OK to CLIENT NO-EVICT' });
    partialArgument(big, 10 * MB, 3 * MB);
    await buffered(3 * MB);
    // A later check (the cron's, ten a second) must not evict it either.
    const loops = node.server.cronLoops;
    await until(() => node.server.cronLoops >= loops + 3, { what: 'three cron ticks' });
    assert.equal(big.closed(), false);
    assert.equal(await stat('evicted_clients'), 0);
  });

  it('evicts a client that does not read its replies, by the output its socket holds', async () => {
    await io.set('big', 'v'.repeat(MB));
    await io.config('SET', 'maxmemory-clients', '8mb');
    const reader = await open();
    reader.socket.pause();
    // 64 MB of replies: more than the kernel's socket buffers take, the rest waits in the server.
    const gets = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(64));
    reader.socket.write(gets);
    // A paused socket sees no close: the count first, then the close once it reads again.
    await until(async () => (await stat('evicted_clients')) === 1, { what: 'evicted_clients 1' });
    reader.socket.resume();
    await until(() => reader.closed(), { what: 'the non-reading client closed' });
    assert.ok(reader.received() < 64 * MB, `${reader.received()} bytes of replies arrived: the rest was dropped`);
  });

  it('evicts the largest clients first, only as many as it takes', async () => {
    await io.config('SET', 'maxmemory-clients', '5mb');
    const a = await open();
    const b = await open();
    const c = await open();
    // Announced at what is sent, plus one byte: a big argument counts at its announced length.
    partialArgument(a, MB + 1, MB);
    partialArgument(b, 2 * MB + 1, 2 * MB);
    await buffered(2 * MB);
    await until(
      () => [...node.server.clients.values()].filter((x) => x.parser.pendingBytes >= MB).length === 2,
      { what: 'both partial arguments buffered' },
    );
    assert.equal(a.closed() || b.closed(), false, 'under the limit nothing goes');
    partialArgument(c, 3 * MB + 1, 3 * MB);
    await until(() => c.closed(), { what: 'the largest client closed' });
    // 3 MB gone leaves 3 MB and change: under 5 MB, so the others stay.
    const ticks = node.server.cronLoops;
    await until(() => node.server.cronLoops >= ticks + 2, { what: 'two cron ticks' });
    assert.equal(a.closed(), false);
    assert.equal(b.closed(), false);
    assert.equal(await stat('evicted_clients'), 1);
  });

  it('a percent of maxmemory, none without maxmemory; lowering the limit evicts at once', async () => {
    await io.config('SET', 'maxmemory-clients', '2%');
    const big = await open();
    partialArgument(big, 10 * MB, 3 * MB);
    await buffered(3 * MB);
    const ticks = node.server.cronLoops;
    await until(() => node.server.cronLoops >= ticks + 2, { what: 'two cron ticks' });
    assert.equal(big.closed(), false, '2 % of no maxmemory is no limit');
    await io.config('SET', 'maxmemory', '100mb'); // 2 % is now 2 MB
    await until(() => big.closed(), { what: 'the client closed once the limit applied' });
    assert.equal(await stat('evicted_clients'), 1);
    await io.config('RESETSTAT');
    assert.equal(await stat('evicted_clients'), 0);
  });
});
