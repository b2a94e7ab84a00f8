// Default TTL (Shoal extension) through a real client, with a fake clock: which writes get the
// default TTL and which keep what they have, per-prefix overrides (longest prefix wins, none),
// the default_ttl_applied counter at the end of INFO stats only while the feature is on, keys
// really expiring, no "expire" keyspace event, CONFIG SET validation and CONFIG REWRITE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, Server, startServer, type RunningServer } from '../helpers/node.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Logger } from '../../src/server/observability/logger.js';
import { startFromConfigFile, type ConfigFileNode } from '../helpers/config-file.js';

const T0 = 1_700_000_000_000;

describe('default TTL', () => {
  const clock = new FakeClock(T0);
  let node: RunningServer;
  let io: Redis;
  let sub: Redis;

  /** default_ttl_applied from INFO stats, or null when the line is absent. */
  const applied = async (): Promise<number | null> => {
    const text = await io.info('stats');
    const m = /\r\ndefault_ttl_applied:(\d+)\r\n$/.exec(text);
    return m === null ? null : Number(m[1]);
  };

  before(async () => {
    node = await startServer({ clock });
    io = new Redis({ port: node.port, lazyConnect: false, maxRetriesPerRequest: 0 });
    sub = new Redis({ port: node.port, lazyConnect: false, enableReadyCheck: false });
  });
  after(async () => {
    io.disconnect();
    sub.disconnect();
    await node.close();
  });
  beforeEach(async () => {
    await io.config('SET', 'default-ttl', '0', 'default-ttl-overrides', '');
    await io.config('SET', 'notify-keyspace-events', '');
    await io.flushall();
    await io.config('RESETSTAT'); // zeroes default_ttl_applied with the other counters
  });

  it('is off by default: no TTL given, INFO stats ends as Redis', async () => {
    assert.deepEqual(await io.config('GET', 'default-ttl*'), ['default-ttl', '0', 'default-ttl-overrides', '']);
    await io.set('a', '1');
    await io.hset('h', 'f', 'v');
    assert.equal(await io.ttl('a'), -1);
    assert.equal(await io.ttl('h'), -1);
    assert.equal(await applied(), null);
    assert.match(await io.info('stats'), /\r\nreply_buffer_expands:\d+\r\n$/);
  });

  it('applies to keys created without a TTL by every kind of write', async () => {
    await io.config('SET', 'default-ttl', '100');
    await io.set('s', 'v');
    await io.setnx('nx', 'v');
    await io.mset('m1', 'v', 'm2', 'v');
    await io.msetnx('mn', 'v');
    await io.incr('counter');
    await io.incrbyfloat('float', '1.5');
    await io.append('app', 'x');
    await io.setrange('range', 3, 'x');
    await io.setbit('bits', 7, 1);
    await io.hset('hash', 'f', 'v');
    await io.lpush('list', 'x');
    await io.sadd('set', 'x');
    await io.zadd('zset', 1, 'x');
    await io.sadd('src1', 'a', 'b');
    await io.sunionstore('dst', 'src1');
    await io.set('kt', 'v', 'KEEPTTL'); // a new key has no TTL to keep
    const keys = ['s', 'nx', 'm1', 'm2', 'mn', 'counter', 'float', 'app', 'range', 'bits', 'hash', 'list', 'set', 'zset', 'src1', 'dst', 'kt'];
    for (const k of keys) assert.equal(await io.ttl(k), 100, k);
    assert.equal(await applied(), keys.length);
    await io.set('ex', 'v', 'EX', 5);
    await io.set('px', 'v', 'PX', 7000);
    assert.equal(await io.ttl('ex'), 5, 'an explicit TTL wins');
    assert.equal(await io.ttl('px'), 7);
    assert.equal(await applied(), keys.length);
  });

  it('applies to values replaced the way that clears a TTL, not to writes that keep it', async () => {
    // Keys written while the feature is off have no TTL.
    await io.set('str', 'v');
    await io.set('str2', 'v');
    await io.set('num', '1');
    await io.set('str-ttl', 'v', 'EX', 50);
    await io.hset('hash', 'f', 'v');
    await io.lpush('list', 'x');
    await io.sadd('a', 'x');
    await io.sadd('dst', 'old');
    await io.set('rename-me', 'v');
    await io.set('move-me', 'v');
    await io.config('SET', 'default-ttl', '100');
    clock.advance(10_000);
    await io.set('str', 'new'); // SET replaces the value and clears the TTL
    await io.getset('str2', 'new');
    await io.sunionstore('dst', 'a'); // *STORE over an existing key
    assert.equal(await io.ttl('str'), 100);
    assert.equal(await io.ttl('str2'), 100);
    assert.equal(await io.ttl('dst'), 100);
    await io.set('str-ttl', 'v2', 'KEEPTTL');
    assert.equal(await io.ttl('str-ttl'), 40, 'KEEPTTL keeps the TTL');
    await io.set('str', 'v3', 'KEEPTTL');
    assert.equal(await io.ttl('str'), 100);
    // Writes that keep the TTL of an existing key leave "no TTL" alone.
    await io.incr('num');
    await io.append('num', '0');
    await io.hset('hash', 'g', 'w');
    await io.lpush('list', 'y');
    await io.sadd('a', 'y');
    for (const k of ['num', 'hash', 'list', 'a']) assert.equal(await io.ttl(k), -1, k);
    // RENAME and MOVE carry the key's state; PERSIST removes a default TTL for good.
    await io.rename('rename-me', 'renamed');
    assert.equal(await io.ttl('renamed'), -1);
    await io.move('move-me', 1);
    await io.select(1);
    assert.equal(await io.ttl('move-me'), -1);
    await io.select(0);
    await io.persist('str');
    assert.equal(await io.ttl('str'), -1);
    await io.rename('str', 'str-renamed');
    assert.equal(await io.ttl('str-renamed'), -1);
    // COPY makes a new key: the default, unless the source has a TTL to copy.
    await io.copy('num', 'num-copy');
    await io.copy('str-ttl', 'str-ttl-copy');
    assert.equal(await io.ttl('num-copy'), 100);
    assert.equal(await io.ttl('str-ttl-copy'), 40);
    // SET, GETSET, SUNIONSTORE and both COPYs: COPY adds the key with the default and then
    // puts the source's TTL over it, so a copy of a key with a TTL counts as well.
    assert.equal(await applied(), 5);
  });

  it('honours per-prefix overrides: longest prefix wins, none / 0 means no TTL', async () => {
    await io.config('SET', 'default-ttl', '100', 'default-ttl-overrides', 'session: 1800 session:admin: none config: 0 s 7');
    assert.deepEqual(await io.config('GET', 'default-ttl-overrides'), ['default-ttl-overrides', 'session: 1800 session:admin: none config: 0 s 7']);
    await io.mset('session:1', 'v', 'session:admin:1', 'v', 'config:x', 'v', 'sx', 'v', 'other', 'v');
    assert.equal(await io.ttl('session:1'), 1800);
    assert.equal(await io.ttl('session:admin:1'), -1);
    assert.equal(await io.ttl('config:x'), -1);
    assert.equal(await io.ttl('sx'), 7);
    assert.equal(await io.ttl('other'), 100);
    assert.equal(await applied(), 3);
    // Overrides alone turn the feature on.
    await io.config('SET', 'default-ttl', '0', 'default-ttl-overrides', 'tmp: 60');
    await io.set('tmp:1', 'v');
    await io.set('keep', 'v');
    assert.equal(await io.ttl('tmp:1'), 60);
    assert.equal(await io.ttl('keep'), -1);
    assert.equal(await applied(), 4);
    // Overrides that give no TTL to anything leave it off.
    await io.config('SET', 'default-ttl-overrides', 'tmp: none');
    assert.equal(await applied(), null);
  });

  it('keys with a default TTL expire, and no "expire" event is raised for it', async () => {
    await io.config('SET', 'notify-keyspace-events', 'Eg$');
    const events: string[] = [];
    await sub.subscribe('__keyevent@0__:set', '__keyevent@0__:expire');
    sub.on('message', (channel: string, key: string) => events.push(`${channel.slice(channel.lastIndexOf(':') + 1)} ${key}`));
    await io.config('SET', 'default-ttl', '10');
    await io.set('d', 'v');
    await io.set('e', 'v', 'EX', 20); // the last event to wait for
    for (let i = 0; i < 200 && events.length < 3; i++) await io.ping();
    assert.deepEqual(events, ['set d', 'set e', 'expire e']);
    await sub.unsubscribe();
    clock.advance(10_001);
    assert.equal(await io.get('d'), null);
    assert.equal(await io.get('e'), 'v');
  });

  it('applies CONFIG SET to keys written from then on, and refuses invalid values', async () => {
    await io.config('SET', 'default-ttl', '100');
    await io.set('a', 'v');
    await io.config('SET', 'default-ttl', '200');
    await io.set('b', 'v');
    assert.equal(await io.ttl('a'), 100);
    assert.equal(await io.ttl('b'), 200);
    await assert.rejects(io.config('SET', 'default-ttl', '-1'), /ERR CONFIG SET failed \(possibly related to argument 'default-ttl'\)/);
    await assert.rejects(io.config('SET', 'default-ttl-overrides', 'a:'), /ERR CONFIG SET failed \(possibly related to argument 'default-ttl-overrides'\) - expected <prefix> <seconds> pairs/);
    await assert.rejects(io.config('SET', 'default-ttl-overrides', 'a: soon'), /invalid TTL 'soon' for prefix 'a:'/);
    assert.deepEqual(await io.config('GET', 'default-ttl*'), ['default-ttl', '200', 'default-ttl-overrides', '']);
    await io.config('SET', 'default-ttl', '0');
    await io.set('c', 'v');
    assert.equal(await io.ttl('c'), -1);
    assert.equal(await applied(), null);
  });
});

describe('default TTL in the config file', () => {
  let node: ConfigFileNode;
  let file: string;
  let server: Server;

  before(async () => {
    node = await startFromConfigFile('default-ttl 30\ndefault-ttl-overrides session: 1800 config: none\n');
    ({ file, server } = node);
  });
  after(() => node.close());

  it('loads the settings, and CONFIG REWRITE writes the live ones back', async () => {
    const io = new Redis({ port: server.tcpPort, lazyConnect: false });
    try {
      await io.set('session:1', 'v');
      await io.set('x', 'v');
      assert.equal(await io.ttl('session:1'), 1800);
      assert.equal(await io.ttl('x'), 30);
      await io.config('SET', 'default-ttl', '60', 'default-ttl-overrides', 'tmp: 5');
      assert.equal(await io.config('REWRITE'), 'OK');
    } finally {
      io.disconnect();
    }
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^default-ttl 60$/m);
    assert.match(text, /^default-ttl-overrides "tmp: 5"$/m);
    const again = loadConfig([file]).config;
    assert.equal(again.getString('default-ttl'), '60');
    assert.equal(again.getString('default-ttl-overrides'), 'tmp: 5');
  });

  it('refuses to start with invalid overrides', () => {
    const { config } = loadConfig(['--default-ttl-overrides', 'a:', '1', 'a:', '2']);
    assert.throws(() => new Server({ config, log: new Logger() }), /Invalid default-ttl-overrides 'a: 1 a: 2': duplicate prefix 'a:'/);
  });
});
