// Pipelining through real sockets: many clients sending pipelines cut at random byte
// boundaries, interleaved, with values up to 100 KB. Every reply must come back in order and
// intact; this exercises the shared read buffer (partial commands copied out between reads).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, encodeCommand } from '../helpers/raw-client.js';
import { createRng } from '../../src/lib/rng.js';


describe('pipelining', () => {
  let node: RunningServer;
  before(async () => {
    node = await startServer();
  });
  after(async () => {
    await node.close();
  });

  it('answers interleaved, randomly fragmented pipelines from several clients', async () => {
    const rand = createRng(7);
    const clients = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(node.port)));
    const expected: Buffer[][] = clients.map(() => []);
    const streams: Buffer[] = clients.map((_, ci) => {
      const parts: Buffer[] = [];
      for (let i = 0; i < 120; i++) {
        const key = `c${ci}:k${i % 17}`;
        const size = rand.next() < 0.05 ? 40_000 + rand.int(60_000) : rand.int(50);
        const value = Buffer.alloc(size, 97 + ((ci + i) % 26));
        parts.push(encodeCommand(['SET', key, value]), encodeCommand(['GET', key]));
        expected[ci].push(Buffer.from('+OK\r\n'), Buffer.concat([Buffer.from(`$${size}\r\n`), value, Buffer.from('\r\n')]));
      }
      return Buffer.concat(parts);
    });
    // Send every stream in random pieces, clients taking turns.
    const offsets = streams.map(() => 0);
    while (offsets.some((o, i) => o < streams[i].length)) {
      for (let ci = 0; ci < clients.length; ci++) {
        const o = offsets[ci];
        if (o >= streams[ci].length) continue;
        const n = 1 + rand.int(9000);
        await clients[ci].send(streams[ci].subarray(o, o + n));
        offsets[ci] = o + n;
      }
    }
    for (let ci = 0; ci < clients.length; ci++) {
      const got = await clients[ci].readAll(expected[ci].length, 20000);
      for (let i = 0; i < got.length; i++) assert.ok(got[i].equals(expected[ci][i]), `client ${ci} reply ${i}`);
      await clients[ci].close();
    }
  });

  it('executes every command of one write and replies in one go', async () => {
    const c = await RawClient.connect(node.port);
    const n = 500;
    const cmds = [];
    for (let i = 0; i < n; i++) cmds.push(encodeCommand(['INCR', 'pipelined:counter']));
    await c.send(Buffer.concat(cmds));
    const replies = await c.readAll(n);
    assert.equal(replies[n - 1].toString(), `:${n}\r\n`);
    await c.close();
  });
});
