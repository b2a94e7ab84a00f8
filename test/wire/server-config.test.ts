// Wire tests for CONFIG GET / SET / RESETSTAT / REWRITE / HELP: reply shapes and error texts
// (checked against redis-server 7.0.15) and the live effect of settings (maxclients, timeout,
// slowlog thresholds), CONFIG REWRITE on a real config file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, Server, startServer, type RunningServer } from '../helpers/node.js';
import { loadConfig } from '../../src/server/config/load.js';
import { RawClient, parseReply, type Arg } from '../helpers/raw-client.js';
import { startFromConfigFile, type ConfigFileNode } from '../helpers/config-file.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

describe('CONFIG', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('HELP lists the subcommands as status lines', async () => {
    assert.equal(await r('CONFIG', 'HELP'), `*${CONFIG_HELP.length}\r\n` + CONFIG_HELP.map((l) => `+${l}\r\n`).join(''));
  });

  it('GET takes several patterns, lists each parameter once, and is a map in RESP3', async () => {
    assert.equal(await r('CONFIG', 'GET', 'maxclients'), '*2\r\n' + bulk('maxclients') + bulk('10000'));
    assert.equal(await r('CONFIG', 'GET', 'nosuchparam'), '*0\r\n');
    const got = parseReply(await raw.call('CONFIG', 'GET', 'maxmemory', 'MAXCLIENTS', 'max*')) as string[];
    const pairs = new Map<string, string>();
    for (let i = 0; i < got.length; i += 2) {
      assert.equal(pairs.has(got[i].toLowerCase()), false, `${got[i]} listed twice`);
      pairs.set(got[i].toLowerCase(), got[i + 1]);
    }
    assert.deepEqual([...pairs.keys()].sort(), [
      'maxclients', 'maxmemory', 'maxmemory-clients', 'maxmemory-eviction-tenacity', 'maxmemory-policy', 'maxmemory-samples',
    ]);
    assert.equal(pairs.get('maxmemory-policy'), 'noeviction');
    const c3 = await RawClient.connect(node.port);
    try {
      await c3.call('HELLO', '3');
      assert.equal((await c3.call('CONFIG', 'GET', 'hz')).toString(), '%1\r\n' + bulk('hz') + bulk('10'));
    } finally {
      await c3.close();
    }
  });

  it('SET replies Redis error texts and applies several pairs atomically', async () => {
    assert.equal(await r('CONFIG', 'SET', 'foo', 'bar'), "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n");
    assert.equal(await r('CONFIG', 'SET', 'maxmemory', '1', 'x'), '-ERR syntax error\r\n');
    assert.equal(await r('CONFIG', 'SET', 'maxclients'), "-ERR wrong number of arguments for 'config|set' command\r\n");
    assert.equal(
      await r('CONFIG', 'SET', 'maxclients', 'abc'),
      "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n",
    );
    assert.equal(
      await r('CONFIG', 'SET', 'maxmemory', '10', 'maxmemory', '20'),
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n",
    );
    assert.equal(
      await r('CONFIG', 'SET', 'daemonize', 'yes'),
      "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config\r\n",
    );
    // Atomic: the valid first pair is not applied when the second fails.
    assert.match(await r('CONFIG', 'SET', 'maxmemory', '5mb', 'maxclients', 'abc'), /^-ERR CONFIG SET failed/);
    assert.equal(await r('CONFIG', 'GET', 'maxmemory'), '*2\r\n' + bulk('maxmemory') + bulk('0'));
    assert.equal(await r('CONFIG', 'SET', 'maxmemory', '5mb', 'maxmemory-policy', 'allkeys-lru'), '+OK\r\n');
    assert.equal(await r('CONFIG', 'GET', 'maxmemory'), '*2\r\n' + bulk('maxmemory') + bulk('5242880'));
    assert.equal(await r('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'), '+OK\r\n');
  });

  it('REWRITE without a config file fails', async () => {
    assert.equal(await r('CONFIG', 'REWRITE'), '-ERR The server is running without a config file\r\n');
  });

  it('maxclients applies to new connections at once', async () => {
    assert.equal(await r('CONFIG', 'SET', 'maxclients', String(node.server.clients.size)), '+OK\r\n');
    const extra = await RawClient.connect(node.port);
    try {
      assert.equal((await extra.readReply()).toString(), '-ERR max number of clients reached\r\n');
      await extra.waitClose();
    } finally {
      await extra.close();
    }
    assert.match(String(await redis.info('stats')), /rejected_connections:1\r\n/);
    assert.equal(await r('CONFIG', 'SET', 'maxclients', '10000'), '+OK\r\n');
    const ok = await RawClient.connect(node.port);
    assert.equal((await ok.call('PING')).toString(), '+PONG\r\n');
    await ok.close();
  });

  it('hz and slowlog-max-len take effect live', async () => {
    assert.equal(await r('CONFIG', 'SET', 'hz', '1000'), '+OK\r\n');
    assert.match(String(await redis.info('server')), /\r\nhz:500\r\nconfigured_hz:500\r\n/);
    assert.equal(await r('CONFIG', 'SET', 'hz', '10'), '+OK\r\n');
    await r('SLOWLOG', 'RESET');
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    for (let i = 0; i < 5; i++) await r('PING');
    assert.equal(await r('CONFIG', 'SET', 'slowlog-max-len', '2'), '+OK\r\n');
    assert.equal(await r('SLOWLOG', 'LEN'), ':2\r\n');
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128');
  });
});

describe('CONFIG SET timeout closes idle clients (server cron, fake clock)', () => {
  const clock = new FakeClock(1_700_000_000_000);
  let node: RunningServer;

  before(async () => {
    node = await startServer({ clock });
  });
  after(async () => {
    await node.close();
  });

  it('closes a client idle for longer than timeout seconds', async () => {
    const admin = await RawClient.connect(node.port);
    const idle = await RawClient.connect(node.port);
    try {
      assert.equal((await admin.call('CONFIG', 'SET', 'timeout', '1')).toString(), '+OK\r\n');
      assert.equal((await idle.call('PING')).toString(), '+PONG\r\n');
      clock.advance(500);
      node.server.cron();
      assert.equal((await idle.call('PING')).toString(), '+PONG\r\n', 'idle for 0.5 s: kept');
      clock.advance(1500);
      node.server.cron();
      await idle.waitClose();
      assert.equal(idle.isClosed, true);
    } finally {
      await idle.close();
      await admin.close();
    }
    // timeout 0 disables the check.
    const c = await RawClient.connect(node.port);
    try {
      assert.equal((await c.call('CONFIG', 'SET', 'timeout', '0')).toString(), '+OK\r\n');
      clock.advance(60_000);
      node.server.cron();
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    } finally {
      await c.close();
    }
  });
});

describe('CONFIG REWRITE', () => {
  let node: ConfigFileNode;
  let file: string;
  let server: Server;

  before(async () => {
    node = await startFromConfigFile('maxmemory 1mb\nhz 20\n', '# my settings\n');
    ({ file, server } = node);
  });
  after(() => node.close());

  it('writes the live configuration back to the file the server started with', async () => {
    const c = await RawClient.connect(server.tcpPort);
    try {
      assert.match(String(parseReply(await c.call('INFO', 'server'))), new RegExp(`\r\nconfig_file:${file}\r\n`));
      assert.equal((await c.call('CONFIG', 'SET', 'maxmemory', '2mb', 'maxmemory-policy', 'allkeys-lru', 'hz', '10')).toString(), '+OK\r\n');
      assert.equal((await c.call('CONFIG', 'REWRITE')).toString(), '+OK\r\n');
    } finally {
      await c.close();
    }
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# my settings$/m, 'comments are kept');
    assert.match(text, /^maxmemory 2mb$/m);
    assert.match(text, /^maxmemory-policy allkeys-lru$/m);
    assert.match(text, /^hz 10$/m, 'a line already in the file is updated in place, even to the default');
    assert.doesNotMatch(text, /^maxmemory 1mb$/m);
    // The rewritten file loads back to the same values.
    const again = loadConfig([file]).config;
    assert.equal(again.getString('maxmemory'), '2097152');
    assert.equal(again.getString('maxmemory-policy'), 'allkeys-lru');
  });
});
