// Replication between Shoal processes under faults, each followed by a dataset comparison:
// a write load during a full sync (nothing lost, nothing applied twice; also with the replica
// loading as the payload arrives, and with it loaded aside and swapped in), a chain of replicas,
// kill -9 of a replica and its restart (a partial resync from the RDB it kept), kill -9 of
// the master and a replica moved to the promoted one (PSYNC2: partial), links stopped with
// SIGSTOP past repl-timeout on either side, and a master restarted from its RDB.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoal-process.js';
import { until } from '../helpers/poll.js';
import { assertSameData, caughtUp, infoField } from '../helpers/replication.js';

const DBS = [0, 2];


/**
 * A bounded write load whose effects show loss and duplication: INCRs of counters, RPUSHes
 * of sequence numbers, SETs and DELs, in two databases. Stops at `max` rounds or when told.
 */
function startLoad(port: number, max: number): { stop: () => Promise<number> } {
  const r = new Redis({ port, maxRetriesPerRequest: 0 });
  let stopped = false;
  let rounds = 0;
  const done = (async () => {
    while (!stopped && rounds < max) {
      const p = r.pipeline();
      for (let i = 0; i < 25; i++, rounds++) {
        p.incr(`cnt:${rounds % 10}`);
        p.rpush(`seq:${rounds % 5}`, String(rounds));
        p.set(`val:${rounds % 300}`, String(rounds));
        if (rounds % 13 === 0) p.del(`val:${(rounds * 7) % 300}`);
        if (rounds % 50 === 0) p.select(2).incr('db2:cnt').select(0);
      }
      await p.exec();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      r.disconnect();
      return rounds;
    },
  };
}

describe('replication between Shoal processes, with faults', () => {
  let dir: string;
  const nodes: ShoalProcess[] = [];
  const clients: Redis[] = [];

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoal-repl-faults-'));
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    for (const n of nodes) {
      try {
        process.kill(n.pid, 'SIGCONT');
      } catch {
        // gone
      }
      n.kill();
      await n.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function node(name: string, args: string[] = []): Promise<{ p: ShoalProcess; r: Redis }> {
    const nd = mkdtempSync(path.join(dir, `${name}-`));
    const p = await startShoalProcess({
      dir: nd,
      args: ['--save', '', '--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1', ...args],
    });
    nodes.push(p);
    const r = new Redis({ port: p.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => undefined);
    clients.push(r);
    return { p, r };
  }

  let m: { p: ShoalProcess; r: Redis };
  let a: { p: ShoalProcess; r: Redis };
  let b: { p: ShoalProcess; r: Redis };

  /**
   * A master with 3000 keys and a slow snapshot walk (rdb-key-save-delay), a write load, and a
   * replica (`replicaArgs`) started meanwhile: once it is synced and the load stopped, it must
   * hold exactly the master's data, the counters proving nothing lost or applied twice.
   */
  async function fullSyncUnderLoad(names: [string, string], replicaArgs: string[]): Promise<{ master: typeof m; replica: typeof m }> {
    const master = await node(names[0], ['--rdb-key-save-delay', '30']);
    const fill = master.r.pipeline();
    for (let i = 0; i < 3000; i++) fill.set(`pre:${i}`, String(i));
    await fill.exec();
    const load = startLoad(master.p.port, 40_000);
    const replica = await node(names[1], [...replicaArgs, '--replicaof', '127.0.0.1', String(master.p.port)]);
    await until(async () => (await infoField(replica.r, 'replication', 'master_link_status')) === 'up', { what: 'the full sync', ms: 60_000 });
    const rounds = await load.stop();
    assert.ok(rounds > 0);
    await master.r.config('SET', 'rdb-key-save-delay', '0');
    await assertSameData(master.r, replica.r, DBS);
    let total = 0;
    for (let i = 0; i < 10; i++) total += Number(await replica.r.get(`cnt:${i}`));
    assert.equal(total, rounds);
    return { master, replica };
  }

  it('a full sync during a write load: the replica ends with exactly the master data', async () => {
    ({ master: m, replica: a } = await fullSyncUnderLoad(['master', 'a'], []));
    assert.equal(await m.r.call('WAIT', '1', '5000'), 1);
  });

  it('the same, loaded as the payload arrives (repl-diskless-load on-empty-db)', async () => {
    const { replica } = await fullSyncUnderLoad(['master2', 'streamed'], ['--repl-diskless-load', 'on-empty-db']);
    assert.match(replica.p.output(), /receiving streamed RDB from master with EOF to parser/);
  });

  it('the same, loaded aside and swapped in (repl-diskless-load swapdb)', async () => {
    const { replica } = await fullSyncUnderLoad(['master3', 'swapped'], ['--repl-diskless-load', 'swapdb']);
    assert.match(replica.p.output(), /MASTER <-> REPLICA sync: Swapping active DB with loaded DB/);
  });

  it('a replica of a replica follows the chain with the same offsets', async () => {
    b = await node('b', ['--replicaof', '127.0.0.1', String(a.p.port)]);
    await m.r.set('chained', '1');
    await assertSameData(m.r, b.r, DBS);
    assert.equal(await infoField(b.r, 'replication', 'master_replid'), await infoField(m.r, 'replication', 'master_replid'));
    assert.equal(await infoField(a.r, 'replication', 'connected_slaves'), '1');
  });

  it('kill -9 of a replica: restarted, it resyncs partially from the RDB it kept', async () => {
    const fullBefore = Number(await infoField(a.r, 'stats', 'sync_full'));
    const partialBefore = Number(await infoField(a.r, 'stats', 'sync_partial_ok'));
    const bDir = (/--dir (\S+)/.exec(b.p.proc.spawnargs.join(' ')) ?? [])[1];
    assert.ok(bDir !== undefined);
    b.p.kill();
    await b.p.exited;
    await m.r.set('while-b-down', '1');
    const restarted = await startShoalProcess({
      dir: bDir,
      args: ['--save', '', '--replicaof', '127.0.0.1', String(a.p.port)],
    });
    nodes.push(restarted);
    const rb = new Redis({ port: restarted.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
    rb.on('error', () => undefined);
    clients.push(rb);
    b = { p: restarted, r: rb };
    await assertSameData(m.r, b.r, DBS);
    assert.equal(Number(await infoField(a.r, 'stats', 'sync_partial_ok')), partialBefore + 1, 'a partial resync');
    assert.equal(Number(await infoField(a.r, 'stats', 'sync_full')), fullBefore, 'no full sync');
  });

  it('SIGSTOP of a replica past repl-timeout: the master drops it; resumed, it catches up', async () => {
    await a.r.config('SET', 'repl-timeout', '2');
    process.kill(b.p.pid, 'SIGSTOP');
    await until(async () => (await infoField(a.r, 'replication', 'connected_slaves')) === '0', { what: 'the stopped replica dropped', ms: 15_000 });
    await m.r.set('while-b-stopped', '1');
    process.kill(b.p.pid, 'SIGCONT');
    await assertSameData(m.r, b.r, DBS);
    await a.r.config('SET', 'repl-timeout', '60');
  });

  it('SIGSTOP of the master past the replica\'s repl-timeout: the link drops, then resumes', async () => {
    await a.r.config('SET', 'repl-timeout', '2');
    process.kill(m.p.pid, 'SIGSTOP');
    await until(async () => (await infoField(a.r, 'replication', 'master_link_status')) === 'down', { what: 'the link down', ms: 15_000 });
    process.kill(m.p.pid, 'SIGCONT');
    await m.r.set('after-master-stop', '1');
    await assertSameData(m.r, a.r, DBS);
    await a.r.config('SET', 'repl-timeout', '60');
  });

  it('kill -9 of the master: a replica promoted, another moved to it resyncs partially', async () => {
    // b moves from a to the master itself: same history, so a partial resync there.
    const mPartial = Number(await infoField(m.r, 'stats', 'sync_partial_ok'));
    assert.equal(await b.r.call('REPLICAOF', '127.0.0.1', String(m.p.port)), 'OK');
    await assertSameData(m.r, b.r, DBS);
    assert.equal(Number(await infoField(m.r, 'stats', 'sync_partial_ok')), mPartial + 1);
    await m.r.set('last-from-old-master', '1');
    await caughtUp(m.r, a.r);
    await caughtUp(m.r, b.r);
    const oldId = await infoField(m.r, 'replication', 'master_replid');
    m.p.kill();
    await m.p.exited;
    // Promote a: its old history stays valid as its second ID (PSYNC2).
    assert.equal(await a.r.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await infoField(a.r, 'replication', 'role'), 'master');
    assert.equal(await infoField(a.r, 'replication', 'master_replid2'), oldId);
    await a.r.set('after-promotion', '1');
    const fullBefore = Number(await infoField(a.r, 'stats', 'sync_full'));
    const partialBefore = Number(await infoField(a.r, 'stats', 'sync_partial_ok'));
    assert.equal(await b.r.call('REPLICAOF', '127.0.0.1', String(a.p.port)), 'OK');
    await assertSameData(a.r, b.r, DBS);
    assert.equal(await b.r.get('after-promotion'), '1');
    assert.equal(Number(await infoField(a.r, 'stats', 'sync_full')), fullBefore, 'no full sync');
    assert.equal(Number(await infoField(a.r, 'stats', 'sync_partial_ok')), partialBefore + 1, 'a partial resync');
    assert.equal(await infoField(b.r, 'replication', 'master_replid'), await infoField(a.r, 'replication', 'master_replid'));
  });

  it('a master restarted from its RDB keeps its history: its replica resyncs partially', async () => {
    await a.r.set('before-restart', '1');
    await caughtUp(a.r, b.r);
    const aDir = (/--dir (\S+)/.exec(a.p.proc.spawnargs.join(' ')) ?? [])[1];
    assert.ok(aDir !== undefined);
    const id = await infoField(a.r, 'replication', 'master_replid');
    // SHUTDOWN waits until its replica has acknowledged everything (it may send a GETACK
    // first, which moves the offset): the replica then holds the master's final offset.
    await a.r.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    await a.p.exited;
    const offset = Number(await infoField(b.r, 'replication', 'master_repl_offset'));
    const restarted = await startShoalProcess({ dir: aDir, args: ['--save', '', '--repl-diskless-sync-delay', '0'] });
    nodes.push(restarted);
    const ra = new Redis({ port: restarted.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
    ra.on('error', () => undefined);
    clients.push(ra);
    // Its old ID is now its second one, valid up to where it stopped.
    assert.equal(await infoField(ra, 'replication', 'master_replid2'), id);
    assert.equal(await infoField(ra, 'replication', 'second_repl_offset'), String(offset + 1));
    assert.equal(await ra.get('before-restart'), '1');
    assert.equal(await b.r.call('REPLICAOF', '127.0.0.1', String(restarted.port)), 'OK');
    await ra.set('after-restart', '1');
    await assertSameData(ra, b.r, DBS);
    assert.equal(await infoField(ra, 'stats', 'sync_full'), '0', 'no full sync');
    assert.equal(await infoField(ra, 'stats', 'sync_partial_ok'), '1', 'a partial resync');
  });
});
