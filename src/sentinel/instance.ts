// What a sentinel knows of each instance it watches (Redis's sentinelRedisInstance): a master
// it was told to monitor, the replicas that master's INFO lists, and the other sentinels whose
// hellos name it. Times are milliseconds on the sentinel's clock; 0 means "never".

import { isIP } from 'node:net';
import { InstanceLink } from './link.js';
import { timing } from './timing.js';

export const SRI = {
  master: 1 << 0,
  slave: 1 << 1,
  sentinel: 1 << 2,
  sDown: 1 << 3,
  oDown: 1 << 4,
  /** A peer sentinel said the master is down (is-master-down-by-addr). */
  masterDown: 1 << 5,
  failoverInProgress: 1 << 6,
  promoted: 1 << 7,
  reconfSent: 1 << 8,
  reconfInprog: 1 << 9,
  reconfDone: 1 << 10,
  forceFailover: 1 << 11,
  scriptKillSent: 1 << 12,
  masterReboot: 1 << 13,
} as const;

/** Flag names in SENTINEL MASTER's order (Redis's addReplySentinelRedisInstance). */
const FLAG_NAMES: [number, string][] = [
  [SRI.sDown, 's_down'],
  [SRI.oDown, 'o_down'],
  [SRI.master, 'master'],
  [SRI.slave, 'slave'],
  [SRI.sentinel, 'sentinel'],
  [-1, 'disconnected'],
  [SRI.masterDown, 'master_down'],
  [SRI.failoverInProgress, 'failover_in_progress'],
  [SRI.promoted, 'promoted'],
  [SRI.reconfSent, 'reconf_sent'],
  [SRI.reconfInprog, 'reconf_inprog'],
  [SRI.reconfDone, 'reconf_done'],
  [SRI.forceFailover, 'force_failover'],
  [SRI.scriptKillSent, 'script_kill_sent'],
];

export const FailoverState = {
  none: 0,
  waitStart: 1,
  selectSlave: 2,
  sendSlaveofNoone: 3,
  waitPromotion: 4,
  reconfSlaves: 5,
  updateConfig: 6,
} as const;
export type FailoverState = (typeof FailoverState)[keyof typeof FailoverState];
const FAILOVER_STATE_NAMES = ['none', 'wait_start', 'select_slave', 'send_slaveof_noone', 'wait_promotion', 'reconf_slaves', 'update_config'];

export const DEFAULT_PARALLEL_SYNCS = 1;
export const DEFAULT_SLAVE_PRIORITY = 100;

/** "ip:port", or "[ipv6]:port" (Redis's anetFormatAddr): a replica's name. */
export function formatAddr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export class Instance {
  flags: number;
  /** A master's configured name; a replica's "ip:port"; a sentinel's runid. */
  name: string;
  /** The address as configured or learned: an IP, or a hostname with resolve-hostnames. */
  host: string;
  /** The IP a hostname resolved to (the host itself when it is an IP); null until resolved. */
  resolved: string | null;
  port: number;
  runid: string | null = null;
  configEpoch = 0;
  link: InstanceLink | null = null;
  /** The master this replica or sentinel belongs to (null for masters). */
  readonly master: Instance | null;

  lastPubTime = 0;
  lastHelloTime = 0;
  lastMasterDownReplyTime = 0;
  sDownSinceTime = 0;
  oDownSinceTime = 0;
  downAfterPeriod: number;
  masterRebootDownAfterPeriod = 0;
  masterRebootSinceTime = 0;
  infoRefresh = 0;
  /** The role the instance's INFO reports, and since when. */
  roleReported: 'master' | 'slave';
  roleReportedTime: number;
  slaveConfChangeTime: number;

  // Masters
  readonly sentinels = new Map<string, Instance>();
  readonly slaves = new Map<string, Instance>();
  quorum = 0;
  parallelSyncs = DEFAULT_PARALLEL_SYNCS;
  authPass: string | null = null;
  authUser: string | null = null;
  /** Run for each warning-level event of this master (notification-script). */
  notificationScript: string | null = null;
  /** Run when a failover moves this master (client-reconfig-script). */
  clientReconfigScript: string | null = null;
  /** Commands renamed on the instances (rename-command old new). */
  readonly renamedCommands = new Map<string, string>();

  // Replicas
  masterLinkDownTime = 0;
  slavePriority = DEFAULT_SLAVE_PRIORITY;
  replicaAnnounced = true;
  slaveReconfSentTime = 0;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slaveReplOffset = 0;

  // Failover (masters), votes (sentinels and masters)
  leader: string | null = null;
  leaderEpoch = 0;
  failoverEpoch = 0;
  failoverState: FailoverState = FailoverState.none;
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverTimeout = timing['default-failover-timeout'];
  failoverDelayLogged = 0;
  promotedSlave: Instance | null = null;
  /** The last INFO text (SENTINEL INFO-CACHE). */
  info: string | null = null;

  /** The sentinel-wide settings (announce-hostnames decides how the address is shown). */
  readonly #settings: { readonly announceHostnames: boolean };

  constructor(
    flags: number,
    name: string,
    host: string,
    port: number,
    master: Instance | null,
    now: number,
    settings: { readonly announceHostnames: boolean },
  ) {
    this.flags = flags;
    this.name = name;
    this.host = host;
    this.resolved = isIP(host) !== 0 ? host : null;
    this.#settings = settings;
    this.port = port;
    this.master = master;
    this.downAfterPeriod = master?.downAfterPeriod ?? timing['default-down-after'];
    this.roleReported = (flags & SRI.slave) !== 0 ? 'slave' : 'master';
    this.roleReportedTime = now;
    this.slaveConfChangeTime = now;
  }

  /**
   * The address as the sentinel shows it (replies, events, hellos, SLAVEOF, its file): the
   * hostname with announce-hostnames, else the IP (Redis's announceSentinelAddr).
   */
  get ip(): string {
    return this.#settings.announceHostnames ? this.host : (this.resolved ?? this.host);
  }

  /** Moves the instance to another address (an IP, or a hostname to resolve). */
  set ip(host: string) {
    this.host = host;
    this.resolved = isIP(host) !== 0 ? host : null;
  }

  /** True when `h` (an IP or a hostname, as an INFO or a hello names it) is this instance's address. */
  sameHost(h: string | null): boolean {
    return h !== null && (h === this.host || h === this.resolved);
  }

  is(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  get kind(): 'master' | 'slave' | 'sentinel' {
    return this.is(SRI.master) ? 'master' : this.is(SRI.slave) ? 'slave' : 'sentinel';
  }

  get disconnected(): boolean {
    return this.link === null || this.link.disconnected;
  }

  get failoverStateName(): string {
    return FAILOVER_STATE_NAMES[this.failoverState] ?? 'unknown';
  }

  /** An event's instance details (Redis's "%@"). */
  details(): string {
    const base = `${this.kind} ${this.name} ${this.ip} ${this.port}`;
    const m = this.master;
    return m === null ? base : `${base} @ ${m.name} ${m.ip} ${m.port}`;
  }

  flagsText(): string {
    const out: string[] = [];
    for (const [bit, name] of FLAG_NAMES) {
      if (bit === -1 ? this.disconnected : this.is(bit)) out.push(name);
    }
    return out.join(',');
  }

  /**
   * The field/value pairs of SENTINEL MASTER, REPLICAS and SENTINELS, in Redis's order; every
   * value is sent as a bulk string.
   */
  fields(now: number): [string, string][] {
    const l = this.link;
    const f: [string, string][] = [
      ['name', this.name],
      ['ip', this.ip],
      ['port', String(this.port)],
      ['runid', this.runid ?? ''],
      ['flags', this.flagsText()],
      ['link-pending-commands', String(l?.pendingCommands ?? 0)],
      ['link-refcount', String(l?.refcount ?? 1)],
    ];
    if (this.is(SRI.failoverInProgress)) f.push(['failover-state', this.failoverStateName]);
    f.push(['last-ping-sent', String(l !== null && l.actPingTime !== 0 ? now - l.actPingTime : 0)]);
    f.push(['last-ok-ping-reply', String(now - (l?.lastAvailTime ?? now))]);
    f.push(['last-ping-reply', String(now - (l?.lastPongTime ?? now))]);
    if (this.is(SRI.sDown)) f.push(['s-down-time', String(now - this.sDownSinceTime)]);
    if (this.is(SRI.oDown)) f.push(['o-down-time', String(now - this.oDownSinceTime)]);
    f.push(['down-after-milliseconds', String(this.downAfterPeriod)]);
    if (this.is(SRI.master) || this.is(SRI.slave)) {
      f.push(['info-refresh', String(this.infoRefresh === 0 ? 0 : now - this.infoRefresh)]);
      f.push(['role-reported', this.roleReported]);
      f.push(['role-reported-time', String(now - this.roleReportedTime)]);
    }
    if (this.is(SRI.master)) {
      f.push(['config-epoch', String(this.configEpoch)]);
      f.push(['num-slaves', String(this.slaves.size)]);
      f.push(['num-other-sentinels', String(this.sentinels.size)]);
      f.push(['quorum', String(this.quorum)]);
      f.push(['failover-timeout', String(this.failoverTimeout)]);
      f.push(['parallel-syncs', String(this.parallelSyncs)]);
      if (this.notificationScript !== null) f.push(['notification-script', this.notificationScript]);
      if (this.clientReconfigScript !== null) f.push(['client-reconfig-script', this.clientReconfigScript]);
    }
    if (this.is(SRI.slave)) {
      f.push(['master-link-down-time', String(this.masterLinkDownTime)]);
      f.push(['master-link-status', this.slaveMasterLinkUp ? 'ok' : 'err']);
      f.push(['master-host', this.slaveMasterHost ?? '?']);
      f.push(['master-port', String(this.slaveMasterPort)]);
      f.push(['slave-priority', String(this.slavePriority)]);
      f.push(['slave-repl-offset', String(this.slaveReplOffset)]);
      f.push(['replica-announced', this.replicaAnnounced ? '1' : '0']);
    }
    if (this.is(SRI.sentinel)) {
      f.push(['last-hello-message', String(this.lastHelloTime === 0 ? 0 : now - this.lastHelloTime)]);
      f.push(['voted-leader', this.leader ?? '?']);
      f.push(['voted-leader-epoch', String(this.leaderEpoch)]);
    }
    return f;
  }
}
