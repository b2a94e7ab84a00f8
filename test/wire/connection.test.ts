// Wire tests for the connection commands: PING ECHO QUIT RESET SELECT HELLO AUTH, through raw
// RESP (byte-exact, texts checked against redis-server 7.0.15), ioredis and node-redis (RESP3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

const OK = '+OK\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const NOAUTH = '-NOAUTH Authentication required.\r\n';
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** The exact HELLO reply for a client id, in the protocol the reply is encoded in. */
function hello(proto: 2 | 3, id: number): string {
  const kv = [
    ['server', 'redis'],
    ['version', '7.0.15'],
  ]
    .map(([k, v]) => bulk(k) + bulk(v))
    .join('');
  const body =
    kv + bulk('proto') + `:${proto}\r\n` + bulk('id') + `:${id}\r\n` + bulk('mode') + bulk('standalone') +
    bulk('role') + bulk('master') + bulk('modules') + '*0\r\n';
  return (proto === 3 ? '%7\r\n' : '*14\r\n') + body;
}

describe('connection commands', () => {
  let node: RunningServer;
  let raw: RawClient;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    await raw.close();
    await node.close();
  });

  it('PING and ECHO', async () => {
    assert.equal(await r('PING'), '+PONG\r\n');
    assert.equal(await r('PING', 'hi there'), bulk('hi there'));
    assert.equal(await r('PING', 'a', 'b'), "-ERR wrong number of arguments for 'ping' command\r\n");
    assert.equal(await r('ECHO', Buffer.from([0, 13, 10, 255])), '$4\r\n\x00\r\n\xff\r\n');
    assert.equal(await r('ECHO'), "-ERR wrong number of arguments for 'echo' command\r\n");
  });

  it('SELECT switches database and rejects bad indexes with Redis texts', async () => {
    assert.equal(await r('SET', 'k', 'db0'), OK);
    assert.equal(await r('SELECT', '5'), OK);
    assert.equal(await r('GET', 'k'), '$-1\r\n');
    assert.equal(await r('SET', 'k', 'db5'), OK);
    assert.equal(node.server.keyspace.dbs[5].size, 1);
    assert.equal(await r('SELECT', '16'), '-ERR DB index is out of range\r\n');
    assert.equal(await r('SELECT', '-1'), '-ERR DB index is out of range\r\n');
    assert.equal(await r('SELECT', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await r('SELECT', '1.5'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(
      await r('SELECT', '9999999999'),
      '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    );
    assert.equal(await r('GET', 'k'), bulk('db5'));
    assert.equal(await r('SELECT', '0'), OK);
    assert.equal(await r('GET', 'k'), bulk('db0'));
  });

  it('HELLO replies the map in the new protocol and switches the connection', async () => {
    const c = await RawClient.connect(node.port);
    try {
      const id = Number((await c.call('CLIENT', 'ID')).toString().slice(1, -2));
      assert.equal((await c.call('HELLO')).toString(), hello(2, id));
      assert.equal((await c.call('HELLO', '3')).toString(), hello(3, id));
      // Now in RESP3: nulls are '_'.
      assert.equal((await c.call('GET', 'missing-key')).toString(), '_\r\n');
      assert.equal((await c.call('HELLO', '2', 'SETNAME', 'conn1')).toString(), hello(2, id));
      assert.equal((await c.call('CLIENT', 'GETNAME')).toString(), bulk('conn1'));
      assert.equal((await c.call('GET', 'missing-key')).toString(), '$-1\r\n');
    } finally {
      await c.close();
    }
  });

  it('HELLO errors', async () => {
    assert.equal(await r('HELLO', '1'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await r('HELLO', '4', 'FOO'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await r('HELLO', 'x'), '-ERR Protocol version is not an integer or out of range\r\n');
    assert.equal(await r('HELLO', '3', 'AUTH'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assert.equal(await r('HELLO', '3', 'SETNAME'), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    assert.equal(await r('HELLO', '3', 'FOO'), "-ERR Syntax error in HELLO option 'FOO'\r\n");
    assert.equal(
      await r('HELLO', '3', 'SETNAME', 'a b'),
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    assert.equal(await r('HELLO', '3', 'AUTH', 'nobody', 'x'), WRONGPASS);
    // None of the failures switched the protocol.
    assert.equal(await r('GET', 'missing-key'), '$-1\r\n');
  });

  it('AUTH without a configured password', async () => {
    assert.equal(
      await r('AUTH', 'x'),
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    assert.equal(await r('AUTH', 'default', 'anything'), OK); // the default user is nopass
    assert.equal(await r('AUTH', 'someone', 'x'), WRONGPASS);
    assert.equal(await r('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
  });

  it('QUIT replies OK and closes the connection', async () => {
    const c = await RawClient.connect(node.port);
    await c.send('*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    assert.equal((await c.readReply()).toString(), OK);
    await c.waitClose();
    assert.equal(c.pending.length, 0, 'nothing is processed after QUIT');
  });

  it('RESET restores the connection state', async () => {
    const c = await RawClient.connect(node.port);
    try {
      for (const cmd of [['SELECT', '3'], ['CLIENT', 'SETNAME', 'x'], ['CLIENT', 'NO-TOUCH', 'on']]) {
        assert.equal((await c.call(...cmd)).toString(), OK);
      }
      await c.call('HELLO', '3');
      assert.equal((await c.call('RESET')).toString(), '+RESET\r\n');
      const info = (await c.call('CLIENT', 'INFO')).toString();
      assert.match(info, /^\$\d+\r\nid=\d+ .* name= .* flags=N db=0 .* resp=2\n\r\n$/);
      assert.equal((await c.call('RESET', 'x')).toString(), "-ERR wrong number of arguments for 'reset' command\r\n");
    } finally {
      await c.close();
    }
  });

  it('node-redis speaks RESP3 end to end (HELLO 3 on connect)', async () => {
    const client = createClient({ socket: { port: node.port }, RESP: 3 });
    await client.connect();
    try {
      assert.equal(await client.ping(), 'PONG');
      await client.set('nr:k', 'v');
      assert.equal(await client.get('nr:k'), 'v');
      assert.equal(await client.get('nr:missing'), null);
      const info = await client.sendCommand(['CLIENT', 'INFO']);
      assert.match(String(info), /resp=3\n$/);
      const h = await client.sendCommand(['HELLO', '3']);
      assert.ok(h instanceof Map || (typeof h === 'object' && h !== null), 'HELLO 3 decodes as a map');
    } finally {
      client.destroy();
    }
  });

  it('ioredis works with the connection commands', async () => {
    const redis = new Redis({ port: node.port, lazyConnect: false, db: 2, connectionName: 'io' });
    try {
      assert.equal(await redis.ping(), 'PONG');
      assert.equal(await redis.echo('hey'), 'hey');
      await redis.set('io:k', 'v');
      assert.equal(node.server.keyspace.dbs[2].size, 1);
      assert.equal(await redis.client('GETNAME'), 'io');
    } finally {
      redis.disconnect();
    }
  });
});

describe('connection commands with requirepass', () => {
  let node: RunningServer;

  before(async () => {
    node = await startServer({ config: { requirepass: 'pw' } });
  });
  after(async () => {
    await node.close();
  });

  it('NOAUTH before AUTH; AUTH password and AUTH default password', async () => {
    const c = await RawClient.connect(node.port);
    try {
      assert.equal((await c.call('PING')).toString(), NOAUTH);
      assert.equal((await c.call('GET', 'k')).toString(), NOAUTH);
      assert.equal((await c.call('AUTH', 'wrong')).toString(), WRONGPASS);
      assert.equal((await c.call('AUTH', 'default', 'wrong')).toString(), WRONGPASS);
      assert.equal((await c.call('AUTH', 'other', 'pw')).toString(), WRONGPASS);
      assert.equal((await c.call('PING')).toString(), NOAUTH);
      assert.equal((await c.call('AUTH', 'pw')).toString(), OK);
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
      // A failed AUTH later does not log the connection out.
      assert.equal((await c.call('AUTH', 'wrong')).toString(), WRONGPASS);
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
      // RESET goes back to unauthenticated.
      assert.equal((await c.call('RESET')).toString(), '+RESET\r\n');
      assert.equal((await c.call('PING')).toString(), NOAUTH);
      assert.equal((await c.call('AUTH', 'default', 'pw')).toString(), OK);
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    } finally {
      await c.close();
    }
  });

  it('HELLO must authenticate first, or carry AUTH', async () => {
    const c = await RawClient.connect(node.port);
    try {
      const needAuth =
        '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n';
      assert.equal((await c.call('HELLO')).toString(), needAuth);
      assert.equal((await c.call('HELLO', '3', 'SETNAME', 'x')).toString(), needAuth);
      assert.equal((await c.call('HELLO', '3', 'AUTH', 'default', 'bad')).toString(), WRONGPASS);
      // AUTH succeeds even though the name is then rejected.
      assert.equal(
        (await c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'a b')).toString(),
        '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
      );
      assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
      const reply = (await c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'ok')).toString();
      assert.match(reply, /^%7\r\n/);
      assert.equal((await c.call('CLIENT', 'GETNAME')).toString(), bulk('ok'));
    } finally {
      await c.close();
    }
  });

  it('ioredis and node-redis authenticate with the password', async () => {
    const io = new Redis({ port: node.port, password: 'pw', lazyConnect: false });
    const nr = createClient({ socket: { port: node.port }, password: 'pw', RESP: 3 });
    await nr.connect();
    try {
      assert.equal(await io.set('a', '1'), 'OK');
      assert.equal(await nr.get('a'), '1');
    } finally {
      io.disconnect();
      nr.destroy();
    }
    const bad = new Redis({ port: node.port, password: 'nope', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const errors: string[] = [];
    bad.on('error', (e: Error) => errors.push(e.message));
    await assert.rejects(bad.connect());
    bad.disconnect();
    assert.ok(errors.some((m) => m.includes('WRONGPASS')), `ioredis saw WRONGPASS: ${errors.join('; ')}`);
  });
});
