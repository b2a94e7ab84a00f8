// Robustness through the wire: random bytes, and random argument vectors for every command in
// the table, never crash or hang the node — after each round another client still gets PONG.
// Bounded: a fixed number of rounds with a seeded generator.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, encodeCommand } from '../helpers/raw-client.js';
import { allSpecs } from '../../src/commands/index.js';
import { createRng } from '../../src/lib/rng.js';


const ATOMS = ['', '0', '1', '-1', '10', '9223372036854775807', '-9223372036854775808', '99999999999999999999',
  '1.5', 'inf', '-inf', 'nan', 'k', 'key', '*', '[', 'NX', 'XX', 'GT', 'LT', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL',
  'GET', 'PERSIST', 'MATCH', 'COUNT', 'TYPE', 'string', 'LEN', 'IDX', 'MINMATCHLEN', 'WITHMATCHLEN', 'DB', 'REPLACE',
  'ASYNC', 'SYNC', 'ON', 'OFF', 'SKIP', 'ID', 'ADDR', 'LADDR', 'SKIPME', 'USER', 'WRITE', 'ALL', 'FILTERBY',
  'ACLCAT', 'PATTERN', 'MODULE', '\x00\xff', 'a b', '\r\n'];
// Commands that would end or stall the node or this connection on purpose, or write files
// (SAVE, BGSAVE: the node's dir is the working directory).
const SKIP = new Set(['shutdown', 'save', 'bgsave', 'debug', 'client|pause', 'client|kill', 'quit', 'monitor', 'client|reply',
  'reset', 'auth', 'hello', 'config|set', 'config|rewrite', 'flushall', 'select', 'swapdb']);

describe('fuzz', () => {
  let node: RunningServer;
  before(async () => {
    node = await startServer();
  });
  after(async () => {
    await node.close();
  });

  async function alive(): Promise<void> {
    const p = await RawClient.connect(node.port);
    assert.equal((await p.call('PING')).toString(), '+PONG\r\n');
    await p.close();
  }

  it('survives random bytes on many connections', async () => {
    const rand = createRng(42);
    for (let round = 0; round < 60; round++) {
      const c = await RawClient.connect(node.port);
      const n = 1 + rand.int(400);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = rand.next() < 0.2 ? [42, 36, 13, 10, 34, 39, 48, 45][rand.int(8)] : rand.int(256);
      await c.send(bytes);
      await c.close();
    }
    await alive();
  });

  it('survives random argument vectors for every command', async () => {
    const rand = createRng(1234);
    const names: string[][] = [];
    for (const s of allSpecs) {
      if (s.subcommands?.length) for (const sub of s.subcommands) names.push(sub.name.split('|'));
      else names.push([s.name]);
    }
    const c = await RawClient.connect(node.port);
    let sent = 0;
    for (let round = 0; round < 8; round++) {
      for (const name of names) {
        if (SKIP.has(name.join('|'))) continue;
        const argv: string[] = [...name];
        const extra = rand.int(6);
        for (let i = 0; i < extra; i++) argv.push(ATOMS[rand.int(ATOMS.length)]);
        await c.send(encodeCommand(argv));
        sent++;
      }
    }
    const replies = await c.readAll(sent, 20000);
    assert.equal(replies.length, sent);
    const internal = replies.filter((r) => r.toString('latin1').startsWith('-ERR internal error'));
    assert.deepEqual(internal.map((r) => r.toString('latin1')), []);
    await c.close();
    await alive();
  });
});
