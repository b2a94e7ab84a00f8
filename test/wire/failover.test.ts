// FAILOVER between Shoal nodes over real connections: the master holds writes until a replica
// has the whole stream, turns into a replica of it with PSYNC ... FAILOVER, and that replica
// promotes itself and continues the history partially; the held writes then get -READONLY.
// Also TO a named replica, TIMEOUT without a caught-up replica (abort; with FORCE, on to the
// named one anyway), ABORT, and the errors
// Redis 7.0 gives (the same texts, checked against redis-server in test/oracle/failover).
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';
import { assertSameData, caughtUp, infoField } from '../helpers/replication.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

async function node(config: Record<string, string> = {}): Promise<{ n: RunningServer; c: Redis; port: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-failover-'));
  const n = await startServer({ config: { dir, 'repl-diskless-sync-delay': '0', ...config } });
  const c = new Redis({ port: n.port, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  cleanups.push(async () => {
    c.disconnect();
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { n, c, port: n.port };
}

const role = (c: Redis): Promise<string> => infoField(c, 'replication', 'role');
const failoverState = (c: Redis): Promise<string> => infoField(c, 'replication', 'master_failover_state');

/** A master with two replicas in sync, holding a few keys. */
async function trio(): Promise<{ m: Awaited<ReturnType<typeof node>>; r1: Awaited<ReturnType<typeof node>>; r2: Awaited<ReturnType<typeof node>> }> {
  const m = await node();
  const r1 = await node();
  const r2 = await node();
  for (let i = 0; i < 50; i++) await m.c.set(`k${i}`, `v${i}`);
  await m.c.select(3);
  await m.c.hset('h', 'f', 'x');
  await m.c.select(0);
  await r1.c.replicaof('127.0.0.1', String(m.port));
  await r2.c.replicaof('127.0.0.1', String(m.port));
  await caughtUp(m.c, r1.c);
  await caughtUp(m.c, r2.c);
  return { m, r1, r2 };
}

describe('FAILOVER', () => {
  it('hands the master role to the named replica, which continues the history partially', async () => {
    const { m, r1, r2 } = await trio();
    const replid = await infoField(m.c, 'replication', 'master_replid');
    const offset = Number(await infoField(m.c, 'replication', 'master_repl_offset'));
    assert.equal(await m.c.call('FAILOVER', 'TO', '127.0.0.1', String(r2.port)), 'OK');
    await until(async () => (await role(r2.c)) === 'master', { what: 'the target promoted' });
    await until(async () => (await failoverState(m.c)) === 'no-failover' && (await role(m.c)) === 'slave', { what: 'the old master a replica' });
    assert.equal(await infoField(m.c, 'replication', 'master_port'), String(r2.port));
    // The target took the old history as its previous one: the old master continued partially.
    assert.equal(await infoField(r2.c, 'replication', 'master_replid2'), replid);
    assert.ok(Number(await infoField(r2.c, 'replication', 'second_repl_offset')) > offset);
    assert.equal(await infoField(r2.c, 'stats', 'sync_partial_ok'), '1');
    assert.equal(await infoField(r2.c, 'stats', 'sync_full'), '0');
    await until(async () => (await infoField(m.c, 'replication', 'master_link_status')) === 'up', { what: 'the old master linked' });
    // Writes go to the new master and reach the old one.
    await r2.c.set('after', '1');
    await assertSameData(r2.c, m.c, [0, 3]);
    assert.equal(await m.c.get('after'), '1');
    await assert.rejects(m.c.set('x', '1'), /READONLY/);
    // The other replica still follows the old master, now a replica itself (a chain).
    await until(async () => (await r1.c.get('after')) === '1', { what: 'the other replica through the chain' });
  });

  it('holds writes until a replica has the whole stream, then answers them -READONLY', async () => {
    const { m, r1, r2 } = await trio();
    const writer = new Redis({ port: m.port, maxRetriesPerRequest: 1 });
    writer.on('error', () => undefined);
    cleanups.push(async () => void writer.disconnect());
    assert.equal(await m.c.call('FAILOVER'), 'OK');
    // A write sent while the master waits for a replica is held; once the roles have changed
    // it is refused.
    const held = writer.set('during', '1').then(
      () => 'ok',
      (e: Error) => e.message,
    );
    await until(async () => (await role(m.c)) === 'slave', { what: 'the old master a replica' });
    assert.match(await held, /^READONLY/);
    // The target: the first replica that acknowledged the whole stream.
    const port = await infoField(m.c, 'replication', 'master_port');
    const target = port === String(r1.port) ? r1 : r2;
    assert.equal(port, String(target.port));
    await until(async () => (await role(target.c)) === 'master', { what: 'the target promoted' });
    assert.equal(await target.c.get('during'), null);
    assert.equal(await m.c.get('during'), null);
  });

  it('aborts at its TIMEOUT when no replica catches up, and on FAILOVER ABORT', async () => {
    const { m, r1, r2 } = await trio();
    // Replicas whose master client is held by CLIENT PAUSE WRITE apply nothing more, so their
    // acknowledged offset stays behind the master's after one more write.
    await r1.c.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await r2.c.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await m.c.set('moved', '1');
    assert.equal(await m.c.call('FAILOVER', 'TIMEOUT', '200'), 'OK');
    await until(async () => (await failoverState(m.c)) === 'no-failover', { what: 'the timeout' });
    assert.equal(await role(m.c), 'master');
    assert.equal(await m.c.set('writable', '1'), 'OK');
    // ABORT while waiting releases the held writes on the master.
    assert.equal(await m.c.call('FAILOVER', 'TIMEOUT', '60000'), 'OK');
    assert.equal(await failoverState(m.c), 'waiting-for-sync');
    const writer = new Redis({ port: m.port, maxRetriesPerRequest: 1 });
    writer.on('error', () => undefined);
    cleanups.push(async () => void writer.disconnect());
    const held = writer.set('held', '1');
    await until(async () => /blocked_clients:1/.test(await m.c.info('clients')), { what: 'the write held' });
    assert.equal(await m.c.call('FAILOVER', 'ABORT'), 'OK');
    assert.equal(await held, 'OK');
    assert.equal(await role(m.c), 'master');
    assert.equal(await failoverState(m.c), 'no-failover');
    await assert.rejects(m.c.call('FAILOVER', 'ABORT'), /ERR No failover in progress\./);
    await r1.c.call('CLIENT', 'UNPAUSE');
    await r2.c.call('CLIENT', 'UNPAUSE');
    await assertSameData(m.c, r1.c, [0, 3]);
  });

  it('with FORCE goes on to the named replica at its TIMEOUT, even behind: the old master then takes its data', async () => {
    const { m, r1 } = await trio();
    // r1 applies nothing more (its master client held by CLIENT PAUSE WRITE).
    await r1.c.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await m.c.set('lost', '1');
    assert.equal(await m.c.call('FAILOVER', 'TO', '127.0.0.1', String(r1.port), 'TIMEOUT', '300', 'FORCE'), 'OK');
    await until(async () => (await role(r1.c)) === 'master', { what: 'the target promoted at the timeout' });
    await until(
      async () => (await role(m.c)) === 'slave' && (await failoverState(m.c)) === 'no-failover' && (await infoField(m.c, 'replication', 'master_link_status')) === 'up',
      { what: 'the old master following the target' },
    );
    await r1.c.call('CLIENT', 'UNPAUSE');
    // The target could not continue a history it had not reached: a full sync of its data.
    await r1.c.set('after', '1');
    await assertSameData(r1.c, m.c, [0, 3]);
    assert.equal(await m.c.get('lost'), null);
    assert.equal(await m.c.get('after'), '1');
  });

  it('refuses what Redis refuses', async () => {
    const lone = await node();
    await assert.rejects(lone.c.call('FAILOVER'), /^ReplyError: ERR FAILOVER requires connected replicas\.$/);
    await assert.rejects(lone.c.call('FAILOVER', 'TIMEOUT', '0'), /ERR FAILOVER timeout must be greater than 0/);
    await assert.rejects(lone.c.call('FAILOVER', 'TIMEOUT', 'x'), /ERR value is not an integer or out of range/);
    await assert.rejects(lone.c.call('FAILOVER', 'TO', 'h'), /ERR syntax error/);
    await assert.rejects(lone.c.call('FAILOVER', 'FORCE', 'FORCE'), /ERR syntax error/);
    await assert.rejects(lone.c.call('FAILOVER', 'ABORT', 'TIMEOUT', '5'), /ERR syntax error/);
    const { m, r1 } = await trio();
    await assert.rejects(m.c.call('FAILOVER', 'FORCE'), /ERR FAILOVER with force option requires both a timeout and target HOST and IP\./);
    await assert.rejects(m.c.call('FAILOVER', 'TO', '127.0.0.1', '1', 'TIMEOUT', '10'), /ERR FAILOVER target HOST and PORT is not a replica\./);
    await assert.rejects(r1.c.call('FAILOVER'), /ERR FAILOVER is not valid when server is a replica\./);
    // While one runs: no second one, no REPLICAOF, no new replica.
    await r1.c.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await m.c.set('moved', '1');
    assert.equal(await m.c.call('FAILOVER', 'TO', '127.0.0.1', String(r1.port), 'TIMEOUT', '60000'), 'OK');
    await assert.rejects(m.c.call('FAILOVER'), /ERR FAILOVER already in progress\./);
    await assert.rejects(m.c.call('REPLICAOF', '127.0.0.1', '1'), /ERR REPLICAOF not allowed while failing over\./);
    await assert.rejects(m.c.call('PSYNC', '?', '-1'), /NOMASTERLINK Can't SYNC while failing over/);
    assert.equal(await m.c.call('FAILOVER', 'ABORT'), 'OK');
    await r1.c.call('CLIENT', 'UNPAUSE');
  });

  it('a replica refuses PSYNC ... FAILOVER for another history', async () => {
    const { r1 } = await trio();
    await assert.rejects(r1.c.call('PSYNC', '0123456789012345678901234567890123456789', '1', 'FAILOVER'), /ERR PSYNC FAILOVER replid must match my replid\./);
    assert.equal(await role(r1.c), 'slave');
  });
});
