// The sentinel's pure parts, on a sentinel-mode Server that is never started (no links, no
// timer; a fake clock): the choice of the replica to promote, the votes, and its config lines
// read back into the same state.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/lib/clock.js';
import { loadConfig } from '../../src/server/config/load.js';
import { Server } from '../../src/server/server.js';
import { Logger } from '../../src/server/observability/logger.js';
import { Instance, SRI } from '../../src/sentinel/instance.js';
import { InstanceLink } from '../../src/sentinel/link.js';
import type { Sentinel } from '../../src/sentinel/sentinel.js';
import { applySentinelDirectives, sentinelConfigLines } from '../../src/sentinel/config.js';

const T0 = 1_700_000_000_000;

function sentinel(clock = new FakeClock(T0)): Sentinel {
  const { config } = loadConfig(['--loglevel', 'warning'], { sentinel: true });
  const srv = new Server({ config, clock, log: new Logger(), sentinel: true });
  srv.log.setLevel('nothing');
  const s = srv.sentinel;
  assert.ok(s !== null);
  s.myid = 'f'.repeat(40);
  return s;
}

/** A replica that answers and reported INFO just now (a link that is up but has no socket). */
function replica(s: Sentinel, m: Instance, port: number, priority: number, offset: number, runid: string | null): Instance {
  const r = s.addSlave(m, '127.0.0.1', port) as Instance;
  const link = new InstanceLink({ host: '127.0.0.1', port, pubsub: false, clientName: 'x' }, s.now);
  link.disconnected = false;
  r.link = link;
  r.infoRefresh = s.now;
  r.slavePriority = priority;
  r.slaveReplOffset = offset;
  r.runid = runid;
  return r;
}

describe('sentinel: the replica to promote', () => {
  it('by priority, then offset, then runid; never priority 0, down, unreachable or stale', () => {
    const clock = new FakeClock(T0);
    const s = sentinel(clock);
    const m = s.createMaster('m', '127.0.0.1', 7000, 1);
    const pick = (): number | undefined => s.selectSlave(m)?.port;
    assert.equal(pick(), undefined, 'no replicas');
    replica(s, m, 7001, 100, 500, 'b'.repeat(40));
    replica(s, m, 7002, 100, 900, 'c'.repeat(40));
    assert.equal(pick(), 7002, 'the larger offset');
    replica(s, m, 7003, 100, 900, 'a'.repeat(40));
    assert.equal(pick(), 7003, 'same offset: the smaller runid');
    const low = replica(s, m, 7004, 10, 1, null);
    assert.equal(pick(), 7004, 'the lower priority first, whatever its offset');
    low.slavePriority = 0;
    assert.equal(pick(), 7003, 'priority 0 never');
    const top = m.slaves.get('127.0.0.1:7003') as Instance;
    top.flags |= SRI.sDown;
    assert.equal(pick(), 7002, 'not a replica that is down');
    top.flags &= ~SRI.sDown;
    (top.link as InstanceLink).lastAvailTime = s.now - 6000;
    assert.equal(pick(), 7002, 'not one that has not answered a PING for 5 s');
    (top.link as InstanceLink).lastAvailTime = s.now;
    top.masterLinkDownTime = m.downAfterPeriod * 10 + 1;
    assert.equal(pick(), 7002, "not one whose link to the master was down too long");
    top.masterLinkDownTime = 0;
    clock.advance(31_000);
    for (const r of m.slaves.values()) if (r !== top) r.infoRefresh = s.now;
    for (const r of m.slaves.values()) (r.link as InstanceLink).lastAvailTime = s.now;
    assert.equal(pick(), 7002, 'not one whose INFO is older than 30 s');
    // Once the master is down, INFO must be under 5 s old.
    m.flags |= SRI.sDown;
    m.sDownSinceTime = s.now;
    top.infoRefresh = s.now;
    const r2 = m.slaves.get('127.0.0.1:7002') as Instance;
    r2.infoRefresh = s.now - 6000;
    assert.equal(pick(), 7003);
  });
});

describe('sentinel: votes', () => {
  it('one vote an epoch, the first asked; a newer epoch is adopted and saved', () => {
    const s = sentinel();
    let saves = 0;
    s.flushConfig = () => void saves++;
    const m = s.createMaster('m', '127.0.0.1', 7000, 2);
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    assert.deepEqual(s.voteLeader(m, 3, a), { leader: a, epoch: 3 });
    assert.equal(s.currentEpoch, 3);
    assert.deepEqual(s.voteLeader(m, 3, b), { leader: a, epoch: 3 });
    assert.deepEqual(s.voteLeader(m, 2, b), { leader: a, epoch: 3 });
    assert.deepEqual(s.voteLeader(m, 4, b), { leader: b, epoch: 4 });
    assert.ok(saves >= 4, `saved ${saves} times`);
    // A vote for another sentinel delays this one's own failover attempt.
    assert.ok(m.failoverStartTime >= s.now && m.failoverStartTime < s.now + 1000);
  });
});

describe('sentinel: config lines', () => {
  it('read back into the same state', () => {
    const s = sentinel();
    const m = s.createMaster('grp', '127.0.0.1', 7000, 2);
    m.downAfterPeriod = 5000;
    m.failoverTimeout = 60_000;
    m.parallelSyncs = 2;
    m.authPass = 'secret';
    m.configEpoch = 4;
    m.leaderEpoch = 4;
    s.currentEpoch = 5;
    s.addSlave(m, '127.0.0.1', 7001);
    s.addSentinel(m, '127.0.0.1', 26380, 'e'.repeat(40));
    s.settings.announceIp = '10.0.0.1';
    const lines = sentinelConfigLines(s);
    assert.deepEqual(lines, [
      `sentinel myid ${'f'.repeat(40)}`,
      'sentinel monitor grp 127.0.0.1 7000 2',
      'sentinel down-after-milliseconds grp 5000',
      'sentinel failover-timeout grp 60000',
      'sentinel parallel-syncs grp 2',
      'sentinel auth-pass grp secret',
      'sentinel config-epoch grp 4',
      'sentinel leader-epoch grp 4',
      'sentinel known-replica grp 127.0.0.1 7001',
      `sentinel known-sentinel grp 127.0.0.1 26380 ${'e'.repeat(40)}`,
      'sentinel current-epoch 5',
      'sentinel announce-ip "10.0.0.1"',
    ]);
    const again = sentinel();
    again.myid = '';
    // The config file's order need not be the monitor first: the passes sort it out.
    const directives = [...lines].reverse().map((l, i) => {
      const args = l.split(' ').slice(1).map((a) => a.replace(/^"(.*)"$/, '$1'));
      return { args, lineNo: i + 1, line: l };
    });
    applySentinelDirectives(again, directives);
    assert.deepEqual(sentinelConfigLines(again), lines);
  });
});
