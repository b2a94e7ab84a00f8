// Shoal sentinels (`shoal sentinel`, real processes) watching a group of Shoal nodes (real
// processes): they find the replicas and each other, agree that a master killed with kill -9 is
// down, elect a leader that promotes the best replica and points the other at it, and turn the
// old master into a replica when it comes back. An ioredis client that asks the sentinels for
// the master writes before and after; every write is on every node at the end. Then a master
// cut off with SIGSTOP fences itself (min-replicas-to-write: -NOREPLICAS, then -READONLY once
// the sentinels make it a replica) while a redis-server sentinel has joined the Shoal ones and
// takes part in the vote; a sentinel killed with kill -9 resumes from its config file.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import type { ShoalProcess } from '../helpers/shoal-process.js';
import { useProcessGroup } from '../helpers/process-group.js';
import { assertSameData, caughtUp } from '../helpers/replication.js';
import { findRedisServer, freePort, requireRedis, waitForPing } from '../helpers/redis.js';

const NAME = 'grp';

describe('Shoal sentinels failing Shoal nodes over', { skip: requireRedis() }, () => {
  const g = useProcessGroup();
  const { tmp, client, shoal, waitFor } = g;
  /** A sentinel's file: it monitors the group's master, down after 3 s without a reply. */
  const sentinelConf = (dir: string, masterPort: number): string => {
    const f = path.join(dir, 'sentinel.conf');
    writeFileSync(
      f,
      [`sentinel monitor ${NAME} 127.0.0.1 ${masterPort} 2`, `sentinel down-after-milliseconds ${NAME} 3000`, `sentinel failover-timeout ${NAME} 20000`, ''].join(
        '\n',
      ),
    );
    return f;
  };
  const sentinels: ShoalProcess[] = [];
  const sentinelDirs: string[] = [];
  const asked = new Map<number, Redis>();
  const masterAddr = async (port: number): Promise<string> => {
    let c = asked.get(port);
    if (c === undefined) asked.set(port, (c = client(port)));
    const a = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as string[] | null;
    return a === null ? '' : `${a[0]}:${a[1]}`;
  };
  const allAgree = (ports: number[], addr: string): (() => Promise<boolean>) => async () => {
    for (const p of ports) if ((await masterAddr(p)) !== addr) return false;
    return true;
  };
  let nodes: { master: ShoalProcess; masterDir: string; replicas: ShoalProcess[] };

  it('three sentinels fail a killed master over to the best replica; an ioredis client follows; the old master returns as a replica', async () => {
    const masterDir = tmp();
    const master = await shoal(masterDir, []);
    const replicas = [
      await shoal(tmp(), ['--replicaof', '127.0.0.1', String(master.port)]),
      await shoal(tmp(), ['--replicaof', '127.0.0.1', String(master.port), '--replica-priority', '50']),
    ];
    nodes = { master, masterDir, replicas };
    const mc = client(master.port);
    const rc = replicas.map((r) => client(r.port));
    for (const r of rc) await caughtUp(mc, r);

    for (let i = 0; i < 3; i++) {
      const d = tmp();
      sentinelConf(d, master.port);
      sentinelDirs.push(d);
      sentinels.push(await g.sentinel(d));
    }
    const sports = sentinels.map((s) => s.port);
    // Each finds both replicas (the master's INFO) and the two other sentinels (their hellos).
    await waitFor(async () => {
      for (const p of sports) {
        if (((await client(p).call('SENTINEL', 'REPLICAS', NAME)) as unknown[]).length !== 2) return false;
        if (((await client(p).call('SENTINEL', 'SENTINELS', NAME)) as unknown[]).length !== 2) return false;
      }
      return true;
    }, 'every sentinel to know both replicas and both other sentinels');
    assert.equal(await client(sports[0] as number).call('SENTINEL', 'CKQUORUM', NAME), 'OK 3 usable Sentinels. Quorum and failover authorization can be reached');

    // A client that asks the sentinels where the master is, and one that hears the switch.
    const app = g.keep(new Redis({ sentinels: sports.map((port) => ({ host: '127.0.0.1', port })), name: NAME, maxRetriesPerRequest: 20 }));
    // node-redis's sentinel client too (it reads SENTINEL MASTER, REPLICAS and SENTINELS).
    const nr = createSentinel({ name: NAME, sentinelRootNodes: sports.map((port) => ({ host: '127.0.0.1', port })) });
    nr.on('error', () => undefined);
    await nr.connect();
    await nr.set('nr:before', '1');
    const switches: string[] = [];
    const sub = client(sports[1] as number);
    await sub.subscribe('+switch-master');
    sub.on('message', (_ch: string, msg: string) => switches.push(msg));
    for (let i = 0; i < 50; i++) await app.set(`before:${i}`, String(i));
    await app.rpush('list', 'a', 'b');
    for (const r of rc) await caughtUp(mc, r);

    master.kill();
    await master.exited;
    const [other, promoted] = rc as [Redis, Redis];
    const newAddr = `127.0.0.1:${replicas[1]?.port}`;
    // The replica with the lower replica-priority wins (50 < 100), and all three agree.
    await waitFor(allAgree(sports, newAddr), 'every sentinel to name the priority-50 replica the master');
    await waitFor(async () => ((await promoted.call('ROLE')) as unknown[])[0] === 'master', 'ROLE master on the promoted node');
    await waitFor(async () => {
      const role = (await other.call('ROLE')) as unknown[];
      return role[0] === 'slave' && role[2] === replicas[1]?.port && role[3] === 'connected';
    }, 'the other replica to follow the promoted node');
    for (let i = 0; i < 50; i++) await app.set(`after:${i}`, String(i));
    await app.rpush('list', 'c');
    await waitFor(async () => (await nr.set('nr:after', '1')) === 'OK', 'node-redis to write through the sentinels again');
    await nr.destroy();
    await caughtUp(promoted, other);
    assert.equal(await other.get('nr:before'), '1');
    assert.equal(await other.get('nr:after'), '1');
    await assertSameData(promoted, other, [0]);
    assert.deepEqual(await other.lrange('list', 0, -1), ['a', 'b', 'c']);
    assert.equal(await other.get('before:49'), '49');
    // (The leader names the promoted replica as soon as it is promoted; its +switch-master comes
    // when the other replicas follow it.)
    await waitFor(async () => switches.length > 0, 'the +switch-master event');
    assert.deepEqual(switches, [`${NAME} 127.0.0.1 ${master.port} 127.0.0.1 ${replicas[1]?.port}`]);
    // Each sentinel's file holds the new master and the same configuration epoch.
    const epochs = new Set<string>();
    for (const d of sentinelDirs) {
      const conf = readFileSync(path.join(d, 'sentinel.conf'), 'utf8');
      assert.match(conf, new RegExp(`^sentinel monitor ${NAME} 127\\.0\\.0\\.1 ${replicas[1]?.port} 2$`, 'm'));
      epochs.add(/^sentinel config-epoch grp (\d+)$/m.exec(conf)?.[1] ?? '?');
    }
    assert.equal(epochs.size, 1, [...epochs].join(','));
    assert.notEqual([...epochs][0], '0');
    // Exactly one sentinel led the failover.
    const leaders = sentinels.filter((s) => s.output().includes('+elected-leader'));
    assert.equal(leaders.length, 1, 'one leader');
    assert.match(leaders[0]?.output() ?? '', /\+promoted-slave slave 127\.0\.0\.1:\d+/);
    assert.match(leaders[0]?.output() ?? '', /\+failover-end master grp/);

    // The old master comes back where it was, empty (no save points): the sentinels make it a
    // replica of the new master, which gives it the dataset.
    const back = await shoal(masterDir, [], master.port);
    const bc = client(back.port);
    await waitFor(async () => {
      const role = (await bc.call('ROLE')) as unknown[];
      return role[0] === 'slave' && role[2] === replicas[1]?.port && role[3] === 'connected';
    }, 'the old master to be turned into a replica', 60_000);
    await caughtUp(promoted, bc);
    await assertSameData(promoted, bc, [0]);
    assert.ok(sentinels.some((s) => s.output().includes('+convert-to-slave')));
    nodes = { master: replicas[1] as ShoalProcess, masterDir: '', replicas: [replicas[0] as ShoalProcess, back] };
  });

  it('with a redis-server sentinel among them: a master cut off (SIGSTOP) fences itself, then becomes a replica', async () => {
    const redis = findRedisServer() as string;
    const { master } = nodes;
    const mc = client(master.port);
    // A fourth sentinel, redis-server's own: the Shoal ones learn of it from its hellos.
    const rdir = tmp();
    const rport = await freePort();
    const rconf = sentinelConf(rdir, master.port);
    writeFileSync(rconf, `port ${rport}\nbind 127.0.0.1\ndir ${rdir}\n${readFileSync(rconf, 'utf8')}`);
    const redisSentinel = spawn(redis, [rconf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    g.adopt('redis-server sentinel', redisSentinel);
    await waitForPing(rport, { deadlineMs: 10_000, exited: () => redisSentinel.exitCode !== null });
    const all = [...sentinels.map((s) => s.port), rport];
    await waitFor(async () => {
      for (const p of all) if (((await client(p).call('SENTINEL', 'SENTINELS', NAME)) as unknown[]).length !== 3) return false;
      return true;
    }, 'all four sentinels to know each other');

    // The master refuses writes unless a replica acknowledged within 2 s.
    await mc.config('SET', 'min-replicas-to-write', '1');
    await mc.config('SET', 'min-replicas-max-lag', '2');
    assert.equal(await mc.set('fenced:before', '1'), 'OK');
    for (const r of nodes.replicas) await caughtUp(mc, client(r.port));

    process.kill(master.pid, 'SIGSTOP');
    let resumed = false;
    try {
      const replicaAddrs = nodes.replicas.map((r) => `127.0.0.1:${r.port}`);
      await waitFor(async () => {
        const addr = await masterAddr(all[0] as number);
        return replicaAddrs.includes(addr) && (await allAgree(all, addr)());
      }, 'all four sentinels to agree on a new master');
      const addr = await masterAddr(all[0] as number);
      const next = nodes.replicas.find((r) => `127.0.0.1:${r.port}` === addr) as ShoalProcess;
      const nc = client(next.port);
      await waitFor(async () => ((await nc.call('ROLE')) as unknown[])[0] === 'master', 'ROLE master on the new master');
      process.kill(master.pid, 'SIGCONT');
      resumed = true;
      // Back, the old master has no replica acknowledging it: it refuses writes at once.
      const direct = g.keep(new Redis({ port: master.port, maxRetriesPerRequest: 0, retryStrategy: () => 50 }));
      await assert.rejects(direct.set('fenced:lost', '1'), /NOREPLICAS Not enough good replicas to write/);
      // Then the sentinels make it a replica of the new master: its writes fail as a replica's.
      await waitFor(async () => {
        const role = (await direct.call('ROLE')) as unknown[];
        return role[0] === 'slave' && role[2] === next.port && role[3] === 'connected';
      }, 'the old master to become a replica', 60_000);
      await assert.rejects(direct.set('fenced:lost', '1'), /READONLY/);
      await nc.set('fenced:after', '1');
      await caughtUp(nc, direct);
      await assertSameData(nc, direct, [0]);
      assert.equal(await nc.get('fenced:lost'), null, 'no refused write is anywhere');
      assert.equal(await nc.get('fenced:before'), '1');
    } finally {
      if (!resumed) process.kill(master.pid, 'SIGCONT');
    }
  });

  it('a sentinel killed with kill -9 resumes from its file: the same id, the current master, its peers', async () => {
    const s = sentinels[0] as ShoalProcess;
    const c = client(s.port);
    const id = await c.call('SENTINEL', 'MYID');
    const addr = await masterAddr(s.port);
    const dir = sentinelDirs[0] as string;
    s.kill();
    await s.exited;
    const again = await g.sentinel(dir, s.port);
    sentinels[0] = again;
    const c2 = client(again.port);
    assert.equal(await c2.call('SENTINEL', 'MYID'), id);
    assert.equal(await masterAddr(again.port), addr);
    const peers = (await c2.call('SENTINEL', 'SENTINELS', NAME)) as unknown[];
    assert.equal(peers.length, 3);
    await waitFor(async () => ((await c2.call('SENTINEL', 'REPLICAS', NAME)) as unknown[]).length === 2, 'the replicas it saved');
  });
});
