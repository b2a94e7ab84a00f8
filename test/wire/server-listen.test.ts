// Listeners: CONFIG SET port re-binds live (new port first, then the old one closes) while
// existing connections stay, and answers once bound; a port or bind that cannot be bound keeps
// the old listener and answers Redis's error, the whole CONFIG SET undone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';
import { freePort } from '../helpers/redis.js';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('listeners', () => {
  it('CONFIG SET port moves the listener and keeps existing connections', async () => {
    const node = await startServer();
    const oldPort = node.port;
    const c = await RawClient.connect(oldPort);
    const newPort = await freePort();
    assert.equal((await c.call('CONFIG', 'SET', 'port', String(newPort))).toString(), '+OK\r\n');
    // The reply comes once the new listener is up, as Redis binds before it answers.
    assert.equal(await canConnect(newPort), true);
    await until(async () => !(await canConnect(oldPort)));
    assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    const c2 = await RawClient.connect(newPort);
    assert.equal((await c2.call('CONFIG', 'GET', 'port')).toString(), `*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`);
    await c.close();
    await c2.close();
    await node.close();
  });

  it('CONFIG SET of port and bind together binds once, to both', async (t) => {
    const node = await startServer();
    t.after(() => node.close());
    const c = await RawClient.connect(node.port);
    t.after(() => c.close());
    const newPort = await freePort();
    // Both change (127.0.0.2 is a loopback address too): two rebinds racing for the new port
    // would fail the second one.
    assert.equal((await c.call('CONFIG', 'SET', 'port', String(newPort), 'bind', '127.0.0.1 127.0.0.2')).toString(), '+OK\r\n');
    assert.equal(await canConnect(newPort), true);
    assert.equal((await c.call('CONFIG', 'GET', 'port')).toString(), `*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`);
    assert.equal((await c.call('CONFIG', 'GET', 'bind')).toString(), '*2\r\n$4\r\nbind\r\n$19\r\n127.0.0.1 127.0.0.2\r\n');
  });

  it('keeps the old listener when the new port is taken, and answers the error Redis gives', async (t) => {
    const node = await startServer();
    t.after(() => node.close());
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    t.after(() => blocker.close());
    const taken = (blocker.address() as net.AddressInfo).port;
    const c = await RawClient.connect(node.port);
    t.after(() => c.close());
    assert.equal(
      (await c.call('CONFIG', 'SET', 'port', String(taken))).toString(),
      "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
    );
    // The configuration is back to the port really listened on, and the whole CONFIG SET is
    // undone, as Redis restores every parameter of a SET whose apply failed.
    assert.ok((await c.call('CONFIG', 'GET', 'port')).toString().endsWith(`${node.port}\r\n`));
    assert.equal(
      (await c.call('CONFIG', 'SET', 'maxmemory', '1000000', 'port', String(taken))).toString(),
      "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
    );
    assert.equal((await c.call('CONFIG', 'GET', 'maxmemory')).toString(), '*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
    assert.equal(await canConnect(node.port), true);
    // Commands sent behind the CONFIG SET are answered after it, in order.
    await c.command('CONFIG', 'SET', 'port', String(taken));
    await c.command('PING');
    assert.match((await c.readReply()).toString(), /^-ERR CONFIG SET failed/);
    assert.equal((await c.readReply()).toString(), '+PONG\r\n');
  });

  it('answers a bind it cannot open with the error Redis gives, and keeps the old bind', async (t) => {
    const node = await startServer();
    t.after(() => node.close());
    const c = await RawClient.connect(node.port);
    t.after(() => c.close());
    const before = (await c.call('CONFIG', 'GET', 'bind')).toString();
    // 192.0.2.1 (TEST-NET-1) is no address of this host: binding it fails.
    assert.equal(
      (await c.call('CONFIG', 'SET', 'bind', '127.0.0.1 192.0.2.1')).toString(),
      "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
    );
    assert.equal((await c.call('CONFIG', 'GET', 'bind')).toString(), before);
    assert.equal(await canConnect(node.port), true);
  });
});
