// Wire tests for Pub/Sub and keyspace notifications through real clients: ioredis's and
// node-redis's subscriber APIs (RESP2 and RESP3), pattern and shard subscriptions, binary
// payloads, pipelined publishing, fan-out, and the registry's bookkeeping when subscribers
// leave. Byte-exact behaviour is checked against redis-server in test/oracle/pubsub.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';

/** Polls `cond` every 5 ms until it holds; fails after `ms`. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Pub/Sub through clients', () => {
  let node: RunningServer;
  let pub: Redis;
  before(async () => {
    node = await startServer();
    pub = new Redis({ port: node.port });
  });
  after(async () => {
    pub.disconnect();
    await node.close();
  });

  it('ioredis: subscribe, message events, unsubscribe', async () => {
    const sub = new Redis({ port: node.port, enableReadyCheck: false });
    try {
      const got: [string, string][] = [];
      sub.on('message', (ch: string, msg: string) => got.push([ch, msg]));
      assert.equal(await sub.subscribe('io:a', 'io:b'), 2);
      assert.equal(await pub.publish('io:a', 'one'), 1);
      assert.equal(await pub.publish('io:b', 'two'), 1);
      assert.equal(await pub.publish('io:c', 'nobody'), 0);
      await waitFor(() => got.length === 2, 'two messages');
      assert.deepEqual(got, [
        ['io:a', 'one'],
        ['io:b', 'two'],
      ]);
      assert.deepEqual(await pub.pubsub('NUMSUB', 'io:a', 'io:b', 'io:c'), ['io:a', 1, 'io:b', 1, 'io:c', 0]);
      await sub.unsubscribe('io:a');
      assert.equal(await pub.publish('io:a', 'gone'), 0);
      await sub.unsubscribe();
      assert.deepEqual(await pub.pubsub('CHANNELS', 'io:*'), []);
    } finally {
      sub.disconnect();
    }
  });

  it('ioredis: psubscribe / pmessage, binary payloads, ssubscribe / smessage', async () => {
    const sub = new Redis({ port: node.port, enableReadyCheck: false });
    try {
      const pm: string[] = [];
      const bin: Buffer[] = [];
      const sm: string[] = [];
      sub.on('pmessage', (pattern: string, ch: string, msg: string) => pm.push(`${pattern} ${ch} ${msg}`));
      sub.on('messageBuffer', (_ch: Buffer, msg: Buffer) => bin.push(msg));
      sub.on('smessage', (ch: string, msg: string) => sm.push(`${ch} ${msg}`));
      await sub.psubscribe('news.*', 'n?ws.art');
      await sub.subscribe('bin');
      await sub.ssubscribe('shard:1');
      assert.equal(await pub.publish('news.art', 'x'), 2);
      assert.equal(await pub.publish('news.tech', 'y'), 1);
      const payload = Buffer.from([0, 13, 10, 255, 1, 2, 3]);
      assert.equal(await pub.publish('bin', payload), 1);
      assert.equal(await pub.spublish('shard:1', 'z'), 1);
      assert.equal(await pub.publish('shard:1', 'not for shard subscribers'), 0);
      await waitFor(() => pm.length === 3 && bin.length === 1 && sm.length === 1, 'all messages');
      assert.deepEqual(pm.sort(), ['n?ws.art news.art x', 'news.* news.art x', 'news.* news.tech y']);
      assert.deepEqual(bin[0], payload);
      assert.deepEqual(sm, ['shard:1 z']);
      assert.equal(await pub.pubsub('NUMPAT'), 2);
    } finally {
      sub.disconnect();
    }
  });

  it('ioredis: a pipeline of publishes arrives complete and in order', async () => {
    const sub = new Redis({ port: node.port, enableReadyCheck: false });
    try {
      const got: string[] = [];
      sub.on('message', (_ch: string, msg: string) => got.push(msg));
      await sub.subscribe('pipe');
      const p = pub.pipeline();
      for (let i = 0; i < 500; i++) p.publish('pipe', String(i));
      const res = await p.exec();
      assert.ok(res !== null && res.every(([err, n]) => err === null && n === 1));
      await waitFor(() => got.length === 500, '500 messages');
      assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => String(i)));
    } finally {
      sub.disconnect();
    }
  });

  it('fan-out: every subscriber of a channel and of matching patterns gets one copy', async () => {
    const subs: RawClient[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const c = await RawClient.connect(node.port);
        subs.push(c);
        if (i % 2 === 0) await c.call('SUBSCRIBE', 'fan');
        else await c.call('PSUBSCRIBE', 'f*');
      }
      assert.equal(await pub.publish('fan', 'hello'), 40);
      for (let i = 0; i < subs.length; i++) {
        const raw = (await subs[i].readReply()).toString('latin1');
        if (i % 2 === 0) assert.equal(raw, '*3\r\n$7\r\nmessage\r\n$3\r\nfan\r\n$5\r\nhello\r\n');
        else assert.equal(raw, '*4\r\n$8\r\npmessage\r\n$2\r\nf*\r\n$3\r\nfan\r\n$5\r\nhello\r\n');
      }
      const info = await pub.info('stats');
      assert.match(info, /pubsub_channels:1\r\npubsub_patterns:1\r\n/);
    } finally {
      await Promise.all(subs.map((c) => c.close()));
    }
    // Disconnected subscribers leave the registry.
    await waitFor(async () => (await pub.publish('fan', 'x')) === 0, 'subscribers gone');
    assert.equal(node.server.pubsub.channelCount, 0);
    assert.equal(node.server.pubsub.patternCount, 0);
  });

  it('node-redis (RESP2): subscribe, pSubscribe, sSubscribe on a dedicated connection', async () => {
    const client = createClient({ socket: { port: node.port } });
    await client.connect();
    const sub = client.duplicate();
    await sub.connect();
    try {
      const got: string[] = [];
      await sub.subscribe('nr:ch', (msg, ch) => got.push(`${ch}=${msg}`));
      await sub.pSubscribe('nr:p*', (msg, ch) => got.push(`p:${ch}=${msg}`));
      await sub.sSubscribe('nr:s', (msg, ch) => got.push(`s:${ch}=${msg}`));
      assert.equal(await client.publish('nr:ch', 'a'), 1);
      assert.equal(await client.publish('nr:pq', 'b'), 1);
      assert.equal(await client.sPublish('nr:s', 'c'), 1);
      await waitFor(() => got.length === 3, 'three messages');
      assert.deepEqual(got, ['nr:ch=a', 'p:nr:pq=b', 's:nr:s=c']);
      assert.deepEqual({ ...(await client.pubSubNumSub(['nr:ch'])) }, { 'nr:ch': 1 });
      assert.equal(await client.pubSubNumPat(), 1);
      assert.deepEqual(await client.pubSubShardChannels(), ['nr:s']);
      await sub.unsubscribe('nr:ch');
      await sub.pUnsubscribe();
      await sub.sUnsubscribe();
      assert.equal(await client.publish('nr:ch', 'gone'), 0);
    } finally {
      sub.destroy();
      client.destroy();
    }
  });

  it('node-redis (RESP3): one connection subscribes and keeps running commands', async () => {
    const client = createClient({ socket: { port: node.port }, RESP: 3 });
    await client.connect();
    try {
      const got: string[] = [];
      await client.subscribe('r3', (msg) => got.push(msg));
      // In RESP3 a subscribed connection may run anything; messages are push frames.
      await client.set('r3:k', 'v');
      assert.equal(await client.get('r3:k'), 'v');
      assert.equal(await client.publish('r3', 'to myself'), 1);
      assert.equal(await pub.publish('r3', 'from outside'), 1);
      await waitFor(() => got.length === 2, 'two messages');
      assert.deepEqual(got, ['to myself', 'from outside']);
      const info = String(await client.sendCommand(['CLIENT', 'INFO']));
      assert.match(info, / flags=P .* sub=1 psub=0 ssub=0 /);
    } finally {
      client.destroy();
    }
  });

  it('keyspace notifications reach ioredis subscribers (including expired keys)', async () => {
    const sub = new Redis({ port: node.port, enableReadyCheck: false });
    try {
      await pub.config('SET', 'notify-keyspace-events', 'KEA');
      const got: string[] = [];
      sub.on('pmessage', (_p: string, ch: string, msg: string) => got.push(`${ch} ${msg}`));
      await sub.psubscribe('__keyevent@0__:*');
      await pub.set('ks:a', '1', 'PX', 30);
      await pub.lpush('ks:l', 'x');
      await pub.del('ks:l');
      await waitFor(() => got.includes('__keyevent@0__:expired ks:a'), 'expired event', 5000);
      assert.deepEqual(got.slice(0, 5), [
        '__keyevent@0__:set ks:a',
        '__keyevent@0__:expire ks:a',
        '__keyevent@0__:lpush ks:l',
        '__keyevent@0__:del ks:l',
        '__keyevent@0__:expired ks:a',
      ]);
    } finally {
      await pub.config('SET', 'notify-keyspace-events', '');
      sub.disconnect();
    }
  });

  it('with notifications off nothing is published, even to a catch-all pattern', async () => {
    const sub = await RawClient.connect(node.port);
    try {
      await sub.call('PSUBSCRIBE', '*');
      await pub.set('quiet', '1');
      await pub.del('quiet');
      assert.equal(await pub.publish('marker', 'm'), 1);
      // The marker is the first thing the subscriber gets.
      assert.equal((await sub.readReply()).toString('latin1'), '*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$6\r\nmarker\r\n$1\r\nm\r\n');
    } finally {
      await sub.close();
    }
  });
});
