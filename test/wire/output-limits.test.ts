// Wire tests for client-output-buffer-limit: a subscriber that stops reading is disconnected at
// its class's hard limit while the node's buffered output stays bounded; the soft limit closes
// a client that stays above it for longer than its seconds (time driven by a FakeClock); the
// normal class is unlimited by default and limited when configured. The log lines follow
// Redis's wording.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A connection that subscribes to `channel` and then stops reading (socket.pause()). */
async function stalledSubscriber(port: number, channel: string): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.on('error', () => {}); // the server resets it
  let got = '';
  const confirmed = new Promise<void>((resolve) => {
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (got.endsWith(':1\r\n')) {
        s.off('data', onData);
        resolve();
      }
    };
    s.on('data', onData);
  });
  s.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
  await confirmed;
  s.pause();
  return s;
}

/** Output the node holds for its clients: reply buffers plus what sockets have not taken. */
function bufferedOutput(node: RunningServer): number {
  let n = 0;
  for (const c of node.server.clients.values()) n += c.w.length + c.socket.writableLength;
  return n;
}

describe('client-output-buffer-limit', () => {
  let node: RunningServer;
  const clock = new FakeClock(Date.now());
  const logged: string[] = [];
  const sockets: net.Socket[] = [];
  before(async () => {
    node = await startServer({ clock });
    node.server.log.sink = (line) => logged.push(line);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    const c = await RawClient.connect(node.port);
    await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
    await c.close();
    logged.length = 0;
  });
  after(async () => {
    await node.close();
  });

  it('a subscriber that stops reading is dropped at the pubsub hard limit; memory stays bounded', async () => {
    const pub = await RawClient.connect(node.port);
    try {
      const LIMIT = 2 * 1024 * 1024;
      const MSG = 256 * 1024;
      assert.equal((await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', `pubsub ${LIMIT} 0 0`)).toString(), '+OK\r\n');
      sockets.push(await stalledSubscriber(node.port, 'firehose'));
      const payload = Buffer.alloc(MSG, 0x61);
      let maxBuffered = 0;
      let sent = 0;
      // At most 400 MB; the subscriber must be gone long before.
      for (; sent < 1600; sent++) {
        const n = (await pub.call('PUBLISH', 'firehose', payload)).toString('latin1');
        maxBuffered = Math.max(maxBuffered, bufferedOutput(node));
        if (n === ':0\r\n') break;
      }
      assert.ok(sent < 1600, 'the stalled subscriber was disconnected');
      // The node never held more than the limit plus the message that crossed it (the kernel's
      // socket buffers, outside the process, absorb the first few MB).
      assert.ok(maxBuffered <= LIMIT + 2 * MSG, `buffered ${maxBuffered} bytes`);
      assert.equal((await pub.call('PUBSUB', 'NUMSUB', 'firehose')).toString(), '*2\r\n$8\r\nfirehose\r\n:0\r\n');
      assert.equal(bufferedOutput(node), 0);
      const line = logged.find((l) => l.includes('for overcoming of output buffer limits'));
      assert.ok(line !== undefined, 'logged');
      assert.match(line, /# Client id=\d+ addr=127\.0\.0\.1:\d+ .* flags=P .* sub=1 psub=0 ssub=0 .* scheduled to be closed ASAP for overcoming of output buffer limits\.\n$/);
      // The publisher is a normal client: unaffected.
      assert.equal((await pub.call('PING')).toString(), '+PONG\r\n');
    } finally {
      await pub.close();
    }
  });

  it('pattern subscribers and keyspace notifications count against the limit too', async () => {
    const pub = await RawClient.connect(node.port);
    try {
      await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 0 0');
      await pub.call('CONFIG', 'SET', 'notify-keyspace-events', 'KA');
      const s = net.connect(node.port, '127.0.0.1');
      sockets.push(s);
      s.on('error', () => {});
      await new Promise<void>((resolve) => s.once('connect', resolve));
      s.write('PSUBSCRIBE __keyspace@0__:*\r\n');
      await waitFor(() => node.server.pubsub.patternCount === 1, 'pattern subscription');
      s.pause();
      // Each SET of a long key name publishes it on the keyspace channel.
      const longKey = 'k'.repeat(64 * 1024);
      for (let i = 0; i < 4000 && node.server.pubsub.patternCount === 1; i++) {
        await pub.call('SET', `${longKey}${i}`, 'v');
      }
      await waitFor(() => node.server.pubsub.patternCount === 0, 'subscriber dropped');
      assert.ok(logged.some((l) => /flags=P .* psub=1 .*scheduled to be closed ASAP/.test(l)));
    } finally {
      await pub.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      await pub.call('FLUSHALL');
      await pub.close();
    }
  });

  it('the soft limit closes a client only after staying above it for longer than its seconds', async () => {
    const pub = await RawClient.connect(node.port);
    try {
      await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 5');
      sockets.push(await stalledSubscriber(node.port, 'slow'));
      const payload = Buffer.alloc(128 * 1024, 0x62);
      const sub = (): number => node.server.pubsub.subscriberCount(false, Buffer.from('slow'));
      // Fill until the node itself holds more than the soft limit for the subscriber.
      for (let i = 0; i < 800 && bufferedOutput(node) < 512 * 1024; i++) await pub.call('PUBLISH', 'slow', payload);
      assert.ok(bufferedOutput(node) >= 256 * 1024, 'above the soft limit');
      await pub.call('PUBLISH', 'slow', payload);
      // Above the soft limit, but not for long enough: still subscribed.
      clock.advance(5000);
      node.server.cron();
      await pub.call('PUBLISH', 'slow', payload);
      assert.equal(sub(), 1);
      // More than 5 s above it: the cron closes it at once.
      clock.advance(1500);
      node.server.cron();
      assert.equal(sub(), 0);
      assert.ok(logged.some((l) => /# Client id=\d+ .* closed for overcoming of output buffer limits\.\n$/.test(l)));
    } finally {
      await pub.close();
    }
  });

  it('normal clients are unlimited by default and limited when configured', async () => {
    const w = await RawClient.connect(node.port);
    try {
      await w.call('SET', 'big', Buffer.alloc(512 * 1024, 0x63));
      const reader = (): Promise<net.Socket> =>
        new Promise((resolve, reject) => {
          const s = net.connect(node.port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
      const named = (name: string): boolean => [...node.server.clients.values()].some((c) => c.name === name);
      // Default (normal 0 0 0): 40 MB of replies wait for a client that does not read.
      const patient = await reader();
      sockets.push(patient);
      patient.on('error', () => {});
      patient.pause();
      patient.write('CLIENT SETNAME patient\r\n' + 'GET big\r\n'.repeat(80));
      await waitFor(() => bufferedOutput(node) > 4 * 1024 * 1024, 'replies queued');
      assert.ok(named('patient'));
      patient.destroy();
      await waitFor(() => !named('patient'), 'patient client gone');

      await w.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 0 0');
      const greedy = await reader();
      sockets.push(greedy);
      greedy.on('error', () => {});
      greedy.pause();
      greedy.write('CLIENT SETNAME greedy\r\n');
      await waitFor(() => named('greedy'), 'greedy client named');
      for (let i = 0; i < 40 && named('greedy'); i++) {
        greedy.write('GET big\r\n'.repeat(4));
        await new Promise((r) => setTimeout(r, 20));
      }
      await waitFor(() => !named('greedy'), 'greedy client closed');
      assert.ok(logged.some((l) => /flags=N .*scheduled to be closed ASAP for overcoming of output buffer limits/.test(l)));
      assert.equal(bufferedOutput(node), 0);
    } finally {
      await w.call('DEL', 'big');
      await w.close();
    }
  });
});
