// Listeners: CONFIG SET port re-binds live (new port first, then the old one closes) while
// existing connections stay; a port that cannot be bound keeps the old listener.
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
    await until(() => canConnect(newPort));
    await until(async () => !(await canConnect(oldPort)));
    assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
    const c2 = await RawClient.connect(newPort);
    assert.equal((await c2.call('CONFIG', 'GET', 'port')).toString(), `*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`);
    await c.close();
    await c2.close();
    await node.close();
  });

  it('keeps the old listener when the new port is taken', async () => {
    const node = await startServer();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const c = await RawClient.connect(node.port);
    assert.equal((await c.call('CONFIG', 'SET', 'port', String(taken))).toString(), '+OK\r\n');
    // The failed re-bind puts the configuration back to the port really listened on.
    await until(async () => (await c.call('CONFIG', 'GET', 'port')).toString().endsWith(`${node.port}\r\n`));
    assert.equal(await canConnect(node.port), true);
    await c.close();
    blocker.close();
    await node.close();
  });
});
