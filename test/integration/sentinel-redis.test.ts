// Shoal nodes under a real Redis Sentinel (redis-server 7.0 in sentinel mode): the sentinel
// discovers the Shoal replicas from the master's INFO, and when the master is killed (kill -9)
// it promotes one (REPLICAOF NO ONE in its MULTI with CONFIG REWRITE and CLIENT KILL), points
// the other at it, and turns the old master into a replica once it is back on its address. An
// ioredis client that finds the master through the sentinel writes before and after; every
// write is on every node at the end.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { useProcessGroup } from '../helpers/process-group.js';
import { assertSameData, caughtUp } from '../helpers/replication.js';
import { findRedisServer, freePort, requireRedis, waitForPing } from '../helpers/redis.js';

const NAME = 'shoalgroup';

describe('Shoal nodes under a real Redis Sentinel', { skip: requireRedis() }, () => {
  const g = useProcessGroup();
  const { tmp, client, shoal, waitFor } = g;

  it('fails a Shoal master over to a Shoal replica, then brings the old master back as a replica', async () => {
    const masterDir = tmp();
    const master = await shoal(masterDir, []);
    const replicas = [
      await shoal(tmp(), ['--replicaof', '127.0.0.1', String(master.port)]),
      await shoal(tmp(), ['--replicaof', '127.0.0.1', String(master.port), '--replica-priority', '50']),
    ];
    const mc = client(master.port);
    const rc = replicas.map((r) => client(r.port));
    for (const r of rc) await caughtUp(mc, r);

    // The sentinel: quorum 1, the master down after 3 s without a reply. (With 1 s a sentinel
    // sometimes takes the master it has just promoted for down too, before its first PING to
    // it is answered, and fails over again: redis-server groups show it as well, 1 run in 5.)
    const sdir = tmp();
    const sport = await freePort();
    const conf = path.join(sdir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sport}`,
        'bind 127.0.0.1',
        `dir ${sdir}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${NAME} 3000`,
        `sentinel failover-timeout ${NAME} 20000`,
        '',
      ].join('\n'),
    );
    const sentinel = spawn(findRedisServer() as string, [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sentinelLog = g.adopt('redis-server sentinel', sentinel);
    await waitForPing(sport, { deadlineMs: 10_000, exited: () => sentinel.exitCode !== null });
    const sc = client(sport);
    // It learns both replicas from the master's INFO replication.
    await waitFor(async () => ((await sc.call('SENTINEL', 'REPLICAS', NAME)) as unknown[]).length === 2, 'the sentinel to list both replicas');

    // A client that asks the sentinel where the master is.
    const app = g.keep(new Redis({ sentinels: [{ host: '127.0.0.1', port: sport }], name: NAME, maxRetriesPerRequest: 20 }));
    for (let i = 0; i < 50; i++) await app.set(`before:${i}`, String(i));
    await app.rpush('list', 'a', 'b');
    for (const r of rc) await caughtUp(mc, r);

    master.kill();
    await master.exited;
    // The replica with the lower replica-priority wins (50 < 100).
    await waitFor(async () => {
      const addr = (await sc.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as string[];
      return addr[1] === String(replicas[1].port);
    }, 'the sentinel to promote the priority-50 replica');
    const [other, promoted] = rc;
    await waitFor(async () => ((await promoted.call('ROLE')) as unknown[])[0] === 'master', 'ROLE master on the promoted node');
    // The other replica follows the promoted one.
    await waitFor(async () => {
      const role = (await other.call('ROLE')) as unknown[];
      return role[0] === 'slave' && role[2] === replicas[1].port && role[3] === 'connected';
    }, 'the other replica to follow the promoted node');
    // The application's client reaches the new master by itself.
    for (let i = 0; i < 50; i++) await app.set(`after:${i}`, String(i));
    await app.rpush('list', 'c');
    await caughtUp(promoted, other);
    await assertSameData(promoted, other, [0]);
    assert.deepEqual(await other.lrange('list', 0, -1), ['a', 'b', 'c']);
    assert.equal(await other.get('before:49'), '49');

    // The old master comes back where it was, empty (no save points): the sentinel makes it a
    // replica of the new master, which gives it the dataset.
    const back = await shoal(masterDir, [], master.port);
    const bc = client(back.port);
    await waitFor(async () => {
      const role = (await bc.call('ROLE')) as unknown[];
      return role[0] === 'slave' && role[2] === replicas[1].port && role[3] === 'connected';
    }, 'the old master to be turned into a replica', 40_000);
    await caughtUp(promoted, bc);
    await assertSameData(promoted, bc, [0]);
    assert.match(sentinelLog.output(), /\+switch-master shoalgroup 127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
    assert.match(sentinelLog.output(), /\+convert-to-slave/);
  });
});
