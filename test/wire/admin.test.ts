// Wire tests for TIME, MONITOR, DEBUG (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, HELP) and SHUTDOWN.
// Texts checked against redis-server 7.0.15 (DEBUG with enable-debug-command yes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { peekEntry } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const OK = '+OK\r\n';
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

describe('admin commands', () => {
  let node: RunningServer;
  let raw: RawClient;
  const clock = new FakeClock(T0 + 123);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');

  before(async () => {
    node = await startServer({ clock, config: { 'enable-debug-command': 'yes' } });
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    await raw.close();
    await node.close();
  });

  it('TIME reads the server clock', async () => {
    assert.equal(await r('TIME'), '*2\r\n' + bulk('1700000000') + bulk('123000'));
    clock.advance(1000);
    assert.equal(await r('TIME'), '*2\r\n' + bulk('1700000001') + bulk('123000'));
    assert.equal(await r('TIME', 'x'), "-ERR wrong number of arguments for 'time' command\r\n");
  });

  it('MONITOR receives the commands of other clients', async () => {
    const mon = await RawClient.connect(node.port);
    const io = new Redis({ port: node.port, lazyConnect: false });
    try {
      await io.ping(); // connected and past ioredis's ready check (INFO) before monitoring starts
      assert.equal((await mon.call('MONITOR')).toString(), OK);
      assert.ok(node.server.monitors.size === 1);
      await io.set('mk', 'a b"c');
      await io.select(2);
      await io.get('mk');
      const lines = (await mon.readAll(3)).map((b) => b.toString());
      const addr = /^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)\r\n$/;
      const parsed = lines.map((l) => {
        const m = addr.exec(l);
        assert.ok(m, l);
        return [m[1], m[2]];
      });
      assert.deepEqual(parsed, [
        ['0', '"set" "mk" "a b\\"c"'],
        ['2', '"select" "2"'], // fed after it ran, as Redis 7.0 (its database is the new one)
        ['2', '"get" "mk"'],
      ]);
      // Admin commands (CONFIG, DEBUG...) are not fed to monitors.
      await io.config('GET', 'maxmemory');
      await io.ping();
      assert.match((await mon.readReply()).toString(), /\] "ping"\r\n$/);
    } finally {
      io.disconnect();
      await mon.close();
    }
    // A closed monitor is unregistered.
    const deadline = Date.now() + 3000;
    while (node.server.monitors.size > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    assert.equal(node.server.monitors.size, 0);
  });

  it('RESET turns MONITOR off', async () => {
    const mon = await RawClient.connect(node.port);
    try {
      assert.equal((await mon.call('MONITOR')).toString(), OK);
      assert.equal(node.server.monitors.size, 1);
      assert.equal((await mon.call('RESET')).toString(), '+RESET\r\n');
      assert.equal(node.server.monitors.size, 0);
    } finally {
      await mon.close();
    }
  });

  it('DEBUG SLEEP blocks the server; SET-ACTIVE-EXPIRE toggles active expiry', async () => {
    const t0 = Date.now();
    assert.equal(await r('DEBUG', 'SLEEP', '0.15'), OK);
    assert.ok(Date.now() - t0 >= 150, 'DEBUG SLEEP 0.15 blocked for 150 ms');
    assert.equal(await r('DEBUG', 'sleep', 'x'), OK); // atof('x') = 0, as in Redis
    assert.equal(await r('DEBUG', 'SLEEP', '-1'), OK);
    assert.equal(await r('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), OK);
    assert.equal(node.server.activeExpireEnabled, false);
    assert.equal(await r('DEBUG', 'set-active-expire', '2'), OK);
    assert.equal(node.server.activeExpireEnabled, true);
  });

  it('DEBUG OBJECT describes a value without touching it', async () => {
    await r('SET', 'e', 'hello');
    await r('SET', 'i', '123');
    // 100 bytes LZF cannot shrink (a compressible value's length is compared with Redis's in
    // the oracle suite), so the RDB length is a 2-byte length prefix + the bytes.
    let seed = 7;
    const noisy = Array.from({ length: 100 }, () => String.fromCharCode(33 + ((seed = (seed * 1103 + 12345) % 65536) % 94))).join('');
    await r('SET', 'big', noisy);
    const re = (enc: string, refcount: number, len: number): RegExp =>
      new RegExp(`^\\+Value at:0x[0-9a-f]+ refcount:${refcount} encoding:${enc} serializedlength:${len} lru:\\d+ lru_seconds_idle:\\d+\\r\\n$`);
    assert.match(await r('DEBUG', 'OBJECT', 'e'), re('embstr', 1, 6));
    assert.match(await r('DEBUG', 'OBJECT', 'i'), re('int', 2147483647, 2));
    assert.match(await r('DEBUG', 'OBJECT', 'big'), re('raw', 1, 102));
    const lru = peekEntry(node.server.keyspace.dbs[0], 'e')?.lru;
    clock.advance(5000);
    assert.match(await r('DEBUG', 'OBJECT', 'e'), /lru_seconds_idle:5\r\n$/);
    assert.equal(peekEntry(node.server.keyspace.dbs[0], 'e')?.lru, lru, 'not touched');
    assert.equal(await r('DEBUG', 'OBJECT', 'nokey'), '-ERR no such key\r\n');
  });

  it('DEBUG HELP and unknown subcommands', async () => {
    const help = await r('DEBUG', 'HELP');
    assert.match(help, /^\*20\r\n\+DEBUG <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    assert.ok(help.includes('+SLEEP <seconds>\r\n+    Stop the server for <seconds>. Decimals allowed.\r\n'));
    const unknown = (s: string) => `-ERR unknown subcommand or wrong number of arguments for '${s}'. Try DEBUG HELP.\r\n`;
    assert.equal(await r('DEBUG', 'foo'), unknown('foo'));
    assert.equal(await r('DEBUG', 'Sleep'), unknown('Sleep'));
    assert.equal(await r('DEBUG', 'object', 'e', 'x'), unknown('object'));
    assert.equal(await r('DEBUG', 'help', 'x'), unknown('help'));
    assert.equal(await r('DEBUG'), "-ERR wrong number of arguments for 'debug' command\r\n");
  });

  it('SHUTDOWN argument errors', async () => {
    assert.equal(await r('SHUTDOWN', 'foo'), '-ERR syntax error\r\n');
    assert.equal(await r('SHUTDOWN', 'NOSAVE', 'SAVE'), '-ERR syntax error\r\n');
    assert.equal(await r('SHUTDOWN', 'ABORT', 'NOW'), '-ERR syntax error\r\n');
    assert.equal(await r('SHUTDOWN', 'abort'), '-ERR No shutdown in progress.\r\n');
    assert.equal(node.server.shuttingDown, false);
  });
});

describe('DEBUG is refused unless enable-debug-command allows it', () => {
  it('default config: no', async () => {
    const node = await startServer();
    const c = await RawClient.connect(node.port);
    try {
      assert.equal(
        (await c.call('DEBUG', 'SLEEP', '0')).toString(),
        '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n',
      );
    } finally {
      await c.close();
      await node.close();
    }
  });

  it('local: allowed from loopback', async () => {
    const node = await startServer({ config: { 'enable-debug-command': 'local' } });
    const c = await RawClient.connect(node.port);
    try {
      assert.equal((await c.call('DEBUG', 'SLEEP', '0')).toString(), OK);
    } finally {
      await c.close();
      await node.close();
    }
  });
});

describe('SHUTDOWN', () => {
  let node: RunningServer;
  before(async () => {
    node = await startServer();
  });
  after(async () => {
    await node.close();
  });

  it('closes every connection without a reply and resolves server.closed', async () => {
    const other = await RawClient.connect(node.port);
    const c = await RawClient.connect(node.port);
    const logged: string[] = [];
    node.server.log.sink = (line) => logged.push(line);
    node.server.log.setLevel('notice');
    await c.command('SHUTDOWN', 'NOSAVE', 'NOW');
    await c.waitClose();
    assert.equal(c.pending.length, 0, 'no reply');
    await other.waitClose();
    await node.server.closed;
    assert.ok(logged.some((l) => l.includes('# User requested shutdown...')), logged.join(''));
    await assert.rejects(RawClient.connect(node.port, '127.0.0.1', 1000));
  });
});
