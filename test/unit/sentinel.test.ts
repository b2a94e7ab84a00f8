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
import { InstanceLink, type LinkOptions } from '../../src/sentinel/link.js';
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
  const link = new InstanceLink({ host: '127.0.0.1', port, pubsub: false, clientName: 'x', now: () => s.now }, s.now);
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

// ---------------------------------------------------------------------------------------------
// The timer's state machine, step by step on a fake clock, against scripted instances: links
// that answer from a model of the nodes (role, master, offset) and of two peer sentinels.

interface NodeModel {
  alive: boolean;
  role: 'master' | 'slave';
  masterPort: number;
  offset: number;
  runid: string;
  priority: number;
}

class ScriptedLink extends InstanceLink {
  readonly due: (() => void)[] = [];
  constructor(
    opts: LinkOptions,
    now: number,
    readonly answer: (args: string[]) => unknown,
  ) {
    super(opts, now);
  }
  override connect(now: number): void {
    this.lastReconnTime = now;
    this.ccConnTime = now;
    this.disconnected = false;
  }
  override close(): void {
    this.disconnected = true;
    this.pendingCommands = 0;
    this.due.length = 0;
  }
  override closePubsub(): void {}
  override get localAddress(): string {
    return '127.0.0.1';
  }
  override send(args: (string | number)[], done?: (err: Error | null, reply: unknown) => void): boolean {
    if (this.disconnected) return false;
    this.pendingCommands++;
    const r = this.answer(args.map(String));
    // No reply (a node that does not answer): the command stays pending.
    if (r === undefined) return true;
    this.due.push(() => {
      this.pendingCommands--;
      if (r instanceof Error) done?.(r, null);
      else done?.(null, r);
    });
    return true;
  }
}

function world(): { s: Sentinel; clock: FakeClock; nodes: Map<number, NodeModel>; events: string[]; sent: string[]; step: (n: number) => void; peerVote: { runid: string | null } } {
  const clock = new FakeClock(T0);
  const s = sentinel(clock);
  s.flushConfig = () => undefined;
  const events: string[] = [];
  const orig = s.event.bind(s);
  s.event = (level, type, ri, msg) => {
    events.push(`${type} ${ri !== null && msg.startsWith('%@') ? ri.details() + msg.slice(2) : msg}`);
    orig(level, type, ri, msg);
  };
  s.srv.log.setFile('/dev/null');
  const nodes = new Map<number, NodeModel>([
    [7000, { alive: true, role: 'master', masterPort: 0, offset: 1000, runid: '0'.repeat(40), priority: 100 }],
    [7001, { alive: true, role: 'slave', masterPort: 7000, offset: 900, runid: '1'.repeat(40), priority: 100 }],
    [7002, { alive: true, role: 'slave', masterPort: 7000, offset: 950, runid: '2'.repeat(40), priority: 100 }],
  ]);
  const sent: string[] = [];
  // The peers answer is-master-down-by-addr with "down" and vote for `peerVote.runid` (or for
  // whoever asks, when null).
  const peerVote = { runid: null as string | null };
  const info = (port: number): string => {
    const n = nodes.get(port) as NodeModel;
    const lines = [`run_id:${n.runid}`, `role:${n.role}`];
    if (n.role === 'master') {
      let i = 0;
      for (const [p, r] of nodes) if (r.alive && r.role === 'slave' && r.masterPort === port) lines.push(`slave${i++}:ip=127.0.0.1,port=${p},state=online,offset=${r.offset},lag=0`);
    } else {
      const up = (nodes.get(n.masterPort)?.alive ?? false) && nodes.get(n.masterPort)?.role === 'master';
      lines.push(`master_host:127.0.0.1`, `master_port:${n.masterPort}`, `master_link_status:${up ? 'up' : 'down'}`);
      if (!up) lines.push('master_link_down_since_seconds:1');
      lines.push(`slave_repl_offset:${n.offset}`, `slave_priority:${n.priority}`);
    }
    return lines.join('\r\n') + '\r\n';
  };
  const links: ScriptedLink[] = [];
  s.newLink = (opts, now) => {
    const port = opts.port;
    const link = new ScriptedLink(opts, now, (args) => {
      const cmd = args[0]?.toUpperCase();
      sent.push(`${port} ${args.join(' ')}`);
      if (port >= 26000) {
        if (cmd === 'PING') return 'PONG';
        if (cmd === 'PUBLISH') return 1;
        if (cmd === 'SENTINEL' && args[1] === 'is-master-down-by-addr') {
          const asker = args[5] as string;
          const epoch = Number(args[4]);
          return [1, asker === '*' ? '*' : (peerVote.runid ?? asker), asker === '*' ? 0 : epoch];
        }
        return new Error('ERR unknown');
      }
      const n = nodes.get(port) as NodeModel;
      if (!n.alive) return undefined;
      if (cmd === 'PING') return 'PONG';
      if (cmd === 'INFO') return info(port);
      if (cmd === 'SLAVEOF') {
        if (args[1] === 'NO') n.role = 'master';
        else {
          n.role = 'slave';
          n.masterPort = Number(args[2]);
        }
        return 'QUEUED';
      }
      return 'OK';
    });
    links.push(link);
    return link;
  };
  const step = (n: number): void => {
    for (let i = 0; i < n; i++) {
      clock.advance(100);
      s.timer();
      for (const l of links) l.due.splice(0).forEach((f) => f());
    }
  };
  const m = s.createMaster('grp', '127.0.0.1', 7000, 2);
  m.downAfterPeriod = 1000;
  m.failoverTimeout = 10_000;
  s.addSentinel(m, '127.0.0.1', 26380, 'a'.repeat(40));
  s.addSentinel(m, '127.0.0.1', 26381, 'b'.repeat(40));
  return { s, clock, nodes, events, sent, step, peerVote };
}

describe('sentinel: the failover, step by step', () => {
  it('master down -> +sdown, +odown, elected, the best replica promoted, the other moved, +switch-master', () => {
    const w = world();
    w.step(20);
    const m = w.s.masters.get('grp') as Instance;
    assert.equal(m.slaves.size, 2, 'replicas learned from INFO');
    (w.nodes.get(7000) as NodeModel).alive = false;
    w.step(15);
    assert.ok(w.events.includes('+sdown master grp 127.0.0.1 7000'), w.events.join('\n'));
    w.step(80);
    const types = w.events.map((e) => e.split(' ')[0]);
    const order = ['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+slave-reconf-sent', '+slave-reconf-done', '+failover-end', '+switch-master'];
    let at = -1;
    for (const t of order) {
      const i = types.indexOf(t, at + 1);
      assert.ok(i > at, `${t} after the events before it:\n${w.events.join('\n')}`);
      at = i;
    }
    // 7002 has the larger offset: it is the one promoted, with Redis's transaction.
    assert.ok(w.events.includes('+selected-slave slave 127.0.0.1:7002 127.0.0.1 7002 @ grp 127.0.0.1 7000'));
    const tx = w.sent.filter((l) => l.startsWith('7002 ')).map((l) => l.slice(5));
    const i = tx.indexOf('SLAVEOF NO ONE');
    assert.deepEqual(tx.slice(i - 1, i + 5), ['MULTI', 'SLAVEOF NO ONE', 'CONFIG REWRITE', 'CLIENT KILL TYPE normal', 'CLIENT KILL TYPE pubsub', 'EXEC']);
    assert.ok(w.sent.includes('7001 SLAVEOF 127.0.0.1 7002'));
    assert.ok(w.events.includes('+switch-master grp 127.0.0.1 7000 127.0.0.1 7002'));
    assert.deepEqual([m.ip, m.port], ['127.0.0.1', 7002]);
    assert.deepEqual([...m.slaves.keys()].sort(), ['127.0.0.1:7000', '127.0.0.1:7001']);
    assert.equal(m.configEpoch, w.s.currentEpoch);
    // The old master comes back as a master: after 8 s it is told to follow the new one.
    (w.nodes.get(7000) as NodeModel).alive = true;
    w.step(250);
    assert.ok(w.events.some((e) => e.startsWith('+convert-to-slave slave 127.0.0.1:7000')), w.events.join('\n'));
    assert.equal((w.nodes.get(7000) as NodeModel).role, 'slave');
    assert.equal((w.nodes.get(7000) as NodeModel).masterPort, 7002);
  });

  it('not elected (the peers vote for another sentinel): the attempt ends at the election timeout; when that peer never promotes, a new attempt after twice the failover timeout wins', () => {
    const w = world();
    w.peerVote.runid = 'a'.repeat(40);
    w.step(20);
    (w.nodes.get(7000) as NodeModel).alive = false;
    w.step(150);
    assert.ok(w.events.some((e) => e.startsWith('+try-failover')), w.events.join('\n'));
    assert.ok(w.events.some((e) => e.startsWith('-failover-abort-not-elected')), w.events.join('\n'));
    assert.ok(!w.events.some((e) => e.startsWith('+elected-leader')));
    assert.ok(!w.sent.some((l) => l.includes('SLAVEOF NO ONE')));
    // The peers now vote for whoever asks; nothing happens before 2 x failover-timeout (20 s).
    w.peerVote.runid = null;
    const tries = (): number => w.events.filter((e) => e.startsWith('+try-failover')).length;
    assert.equal(tries(), 1);
    w.step(50);
    assert.equal(tries(), 1, 'no second attempt within 2 x failover-timeout');
    w.step(200);
    assert.equal(tries(), 2);
    assert.ok(w.events.some((e) => e.startsWith('+elected-leader')), w.events.join('\n'));
    w.step(60);
    assert.ok(w.events.includes('+switch-master grp 127.0.0.1 7000 127.0.0.1 7002'), w.events.join('\n'));
  });

  it('a clock jump enters TILT: nothing is acted on for 30 s', () => {
    const w = world();
    w.step(20);
    (w.nodes.get(7000) as NodeModel).alive = false;
    w.clock.advance(3000);
    w.step(100);
    assert.ok(w.events.includes('+tilt #tilt mode entered'), w.events.join('\n'));
    assert.ok(!w.events.some((e) => e.startsWith('+sdown')), 'no SDOWN while in TILT');
    w.step(220);
    assert.ok(w.events.includes('-tilt #tilt mode exited'));
    assert.ok(w.events.some((e) => e.startsWith('+sdown master grp')));
  });
});
