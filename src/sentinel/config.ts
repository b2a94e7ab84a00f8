// The sentinel's lines of its config file: `sentinel monitor`, `sentinel known-replica`, the
// epochs, ... Read in Redis's three passes (the sentinel-wide settings, then the monitors,
// then the rest, so a master's options may come before its monitor line), and written back
// whole by every flush (rewriteConfigSentinelOption), in Redis's order.

import { parseStrictInt, reprString } from '../server/config/values.js';
import { DEFAULT_PARALLEL_SYNCS, SRI } from './instance.js';
import { isExecutable } from '../lib/files.js';
import type { Sentinel } from './sentinel.js';
import { timing } from './timing.js';

const PRE_MONITOR = new Set([
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'sentinel-user',
  'sentinel-pass',
  'current-epoch',
  'myid',
  'resolve-hostnames',
  'announce-hostnames',
]);

/** A `sentinel ...` line read from the config file (its arguments after "sentinel"). */
export interface SentinelDirective {
  args: readonly string[];
  lineNo: number;
  line: string;
}

/** A config error with Redis's reason text and the directive it is about. */
export class SentinelConfigError extends Error {
  constructor(
    message: string,
    readonly directive: SentinelDirective,
  ) {
    super(message);
  }
}

/** An integer value (string2ll's grammar), or NaN. */
function int(v: string | undefined): number {
  const n = parseStrictInt(v ?? '');
  return n === null ? NaN : Number(n);
}

function yesNo(v: string | undefined, opt: string): boolean {
  const l = v?.toLowerCase();
  if (l === 'yes') return true;
  if (l === 'no') return false;
  throw new Error(`Please specify yes or no for the ${opt} option.`);
}

/** Applies the `sentinel ...` directives (their arguments after "sentinel"). */
export function applySentinelDirectives(s: Sentinel, directives: readonly SentinelDirective[]): void {
  const first = (d: SentinelDirective): string => (d.args[0] ?? '').toLowerCase();
  const passes = [
    directives.filter((d) => PRE_MONITOR.has(first(d))),
    directives.filter((d) => first(d) === 'monitor'),
    directives.filter((d) => !PRE_MONITOR.has(first(d)) && first(d) !== 'monitor'),
  ];
  for (const pass of passes) {
    for (const d of pass) {
      try {
        applyOne(s, d.args);
      } catch (err) {
        throw new SentinelConfigError((err as Error).message, d);
      }
    }
  }
}

function applyOne(s: Sentinel, a: readonly string[]): void {
  const name = (a[0] ?? '').toLowerCase();
  const argc = a.length;
  const master = (): NonNullable<ReturnType<typeof s.masters.get>> => {
    const m = s.masters.get(a[1] ?? '');
    if (m === undefined) throw new Error('No such master with specified name.');
    return m;
  };
  const positive = (v: string | undefined, zeroOk = false): number => {
    const n = int(v);
    if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new Error(zeroOk ? 'negative time parameter.' : 'negative or zero time parameter.');
    return n;
  };
  const st = s.settings;
  if (name === 'monitor' && argc === 5) {
    const quorum = int(a[4]);
    if (!(quorum > 0)) throw new Error('Quorum must be 1 or greater.');
    s.createMaster(a[1] ?? '', a[2] ?? '', int(a[3]), quorum);
  } else if (name === 'down-after-milliseconds' && argc === 3) {
    const m = master();
    m.downAfterPeriod = positive(a[2]);
    for (const r of m.slaves.values()) r.downAfterPeriod = m.downAfterPeriod;
    for (const r of m.sentinels.values()) r.downAfterPeriod = m.downAfterPeriod;
  } else if (name === 'failover-timeout' && argc === 3) {
    master().failoverTimeout = positive(a[2]);
  } else if (name === 'parallel-syncs' && argc === 3) {
    const n = int(a[2]);
    if (!Number.isFinite(n)) throw new Error('Unrecognized sentinel configuration statement.');
    master().parallelSyncs = n;
  } else if (name === 'notification-script' && argc === 3) {
    if (!isExecutable(a[2] ?? '')) throw new Error('Notification script seems non existing or non executable.');
    master().notificationScript = a[2] ?? '';
  } else if (name === 'client-reconfig-script' && argc === 3) {
    if (!isExecutable(a[2] ?? '')) throw new Error('Client reconfiguration script seems non existing or non executable.');
    master().clientReconfigScript = a[2] ?? '';
  } else if (name === 'auth-pass' && argc === 3) {
    master().authPass = a[2] ?? '';
  } else if (name === 'auth-user' && argc === 3) {
    master().authUser = a[2] ?? '';
  } else if (name === 'current-epoch' && argc === 2) {
    const e = int(a[1]);
    if (e > s.currentEpoch) s.currentEpoch = e;
  } else if (name === 'myid' && argc === 2) {
    if ((a[1] ?? '').length !== 40) throw new Error('Malformed Sentinel id in myid option.');
    s.myid = a[1] ?? '';
  } else if (name === 'config-epoch' && argc === 3) {
    const m = master();
    m.configEpoch = int(a[2]);
    if (m.configEpoch > s.currentEpoch) s.currentEpoch = m.configEpoch;
  } else if (name === 'leader-epoch' && argc === 3) {
    master().leaderEpoch = int(a[2]);
  } else if ((name === 'known-replica' || name === 'known-slave') && argc === 4) {
    const m = master();
    if (s.addSlave(m, a[2] ?? '', int(a[3])) === null) throw new Error('Duplicate hostname and port for replica.');
  } else if (name === 'known-sentinel' && (argc === 4 || argc === 5)) {
    if (argc === 5) {
      const m = master();
      if (s.addSentinel(m, a[2] ?? '', int(a[3]), a[4] ?? '') === null) throw new Error('Duplicate runid for sentinel.');
    }
  } else if (name === 'rename-command' && argc === 4) {
    const m = master();
    const from = (a[2] ?? '').toLowerCase();
    if (m.renamedCommands.has(from)) throw new Error('Same command renamed multiple times with rename-command.');
    m.renamedCommands.set(from, a[3] ?? '');
  } else if (name === 'announce-ip' && argc === 2) {
    st.announceIp = a[1] ?? '';
  } else if (name === 'announce-port' && argc === 2) {
    st.announcePort = int(a[1]);
  } else if (name === 'deny-scripts-reconfig' && argc === 2) {
    st.denyScriptsReconfig = yesNo(a[1], 'deny-scripts-reconfig');
  } else if (name === 'resolve-hostnames' && argc === 2) {
    st.resolveHostnames = yesNo(a[1], 'resolve-hostnames');
  } else if (name === 'announce-hostnames' && argc === 2) {
    st.announceHostnames = yesNo(a[1], 'announce-hostnames');
  } else if (name === 'sentinel-user' && argc === 2) {
    st.sentinelUser = a[1] ?? '';
  } else if (name === 'sentinel-pass' && argc === 2) {
    st.sentinelPass = a[1] ?? '';
  } else if (name === 'master-reboot-down-after-period' && argc === 3) {
    master().masterRebootDownAfterPeriod = positive(a[2], true);
  } else {
    throw new Error('Unrecognized sentinel configuration statement.');
  }
}

/** The `sentinel ...` lines a flush writes, in Redis's order. */
export function sentinelConfigLines(s: Sentinel): string[] {
  const out: string[] = [`sentinel myid ${s.myid}`];
  const st = s.settings;
  if (!st.denyScriptsReconfig) out.push('sentinel deny-scripts-reconfig no');
  if (st.resolveHostnames) out.push('sentinel resolve-hostnames yes');
  if (st.announceHostnames) out.push('sentinel announce-hostnames yes');
  for (const m of s.masters.values()) {
    const addr = s.currentMasterAddr(m);
    out.push(`sentinel monitor ${m.name} ${addr.ip} ${addr.port} ${m.quorum}`);
    if (m.downAfterPeriod !== timing['default-down-after']) out.push(`sentinel down-after-milliseconds ${m.name} ${m.downAfterPeriod}`);
    if (m.failoverTimeout !== timing['default-failover-timeout']) out.push(`sentinel failover-timeout ${m.name} ${m.failoverTimeout}`);
    if (m.parallelSyncs !== DEFAULT_PARALLEL_SYNCS) out.push(`sentinel parallel-syncs ${m.name} ${m.parallelSyncs}`);
    if (m.notificationScript !== null) out.push(`sentinel notification-script ${m.name} ${m.notificationScript}`);
    if (m.clientReconfigScript !== null) out.push(`sentinel client-reconfig-script ${m.name} ${m.clientReconfigScript}`);
    if (m.authPass !== null) out.push(`sentinel auth-pass ${m.name} ${m.authPass}`);
    if (m.authUser !== null) out.push(`sentinel auth-user ${m.name} ${m.authUser}`);
    if (m.masterRebootDownAfterPeriod !== 0) out.push(`sentinel master-reboot-down-after-period ${m.name} ${m.masterRebootDownAfterPeriod}`);
    out.push(`sentinel config-epoch ${m.name} ${m.configEpoch}`);
    out.push(`sentinel leader-epoch ${m.name} ${m.leaderEpoch}`);
    for (const r of m.slaves.values()) {
      // The promoted replica is the master's address now: the old master's goes in its place.
      const isMaster = r.ip === addr.ip && r.port === addr.port;
      out.push(`sentinel known-replica ${m.name} ${isMaster ? m.ip : r.ip} ${isMaster ? m.port : r.port}`);
    }
    for (const r of m.sentinels.values()) {
      if (r.runid !== null && r.is(SRI.sentinel)) out.push(`sentinel known-sentinel ${m.name} ${r.ip} ${r.port} ${r.runid}`);
    }
    for (const [from, to] of m.renamedCommands) out.push(`sentinel rename-command ${m.name} ${from} ${to}`);
  }
  out.push(`sentinel current-epoch ${s.currentEpoch}`);
  if (st.announceIp !== '') out.push(`sentinel announce-ip ${reprString(st.announceIp)}`);
  if (st.announcePort !== 0) out.push(`sentinel announce-port ${st.announcePort}`);
  if (st.sentinelUser !== '') out.push(`sentinel sentinel-user ${st.sentinelUser}`);
  if (st.sentinelPass !== '') out.push(`sentinel sentinel-pass ${st.sentinelPass}`);
  return out;
}
