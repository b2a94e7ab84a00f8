// Shoal's sentinel (`shoal sentinel`): monitors masters and their replicas, agrees with the
// other sentinels that a master is down, elects a leader by epoch votes, and fails the master
// over to its best replica — Redis Sentinel 7.0's protocol, so Shoal sentinels, redis-sentinel
// processes, Redis and Shoal nodes and every sentinel-aware client work together.
//
// The sentinel is a Server in sentinel mode (its command table is the sentinel's: SENTINEL,
// PING, INFO, ROLE, Pub/Sub, ...). This class holds the state and runs the timer, 10-19 times a
// second as Redis's sentinelTimer, each tick: the tilt check, then for each master, itself, its
// replicas and its sentinels (reconnect, periodic PING / INFO / hello, SDOWN; for masters
// ODOWN, the failover start and its state machine, the votes asked), then the switches of
// failovers that ended.
//
// Events (+sdown, +switch-master, ...) are logged and published on the sentinel's own Pub/Sub,
// channel = the event's name. The state (epochs, votes, known replicas and sentinels, the
// masters' addresses) is written to the config file whenever it changes, as Redis's
// sentinelFlushConfig does, so a restarted sentinel resumes where it stopped.

import { randomBytes } from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Server } from '../server/server.js';
import { FailoverState, Instance, SRI, formatAddr } from './instance.js';
import { HELLO_CHANNEL, InstanceLink, type LinkOptions } from './link.js';
import { ScriptQueue } from './scripts.js';
import { timing } from './timing.js';

const MAX_PENDING_COMMANDS = 100;
const MAX_DESYNC = 1000;
const DEFAULT_HZ = 10;

type Level = 'debug' | 'verbose' | 'notice' | 'warning';

/** The sentinel-wide settings (`sentinel announce-ip` etc.). */
export interface SentinelSettings {
  announceIp: string;
  announcePort: number;
  sentinelUser: string;
  sentinelPass: string;
  resolveHostnames: boolean;
  announceHostnames: boolean;
  denyScriptsReconfig: boolean;
}

export class Sentinel {
  readonly srv: Server;
  myid = '';
  currentEpoch = 0;
  readonly masters = new Map<string, Instance>();
  readonly settings: SentinelSettings = {
    announceIp: '',
    announcePort: 0,
    sentinelUser: '',
    sentinelPass: '',
    resolveHostnames: false,
    announceHostnames: false,
    denyScriptsReconfig: true,
  };
  tilt = false;
  tiltStartTime = 0;
  previousTime: number;
  simulateFailure = 0;
  /** The notification and client-reconfig scripts waiting or running. */
  readonly scripts: ScriptQueue = new ScriptQueue(
    () => this.now,
    (type, msg) => this.event('warning', type, null, msg),
  );
  /** Makes the link to an instance (tests put scripted links in its place). */
  newLink: (opts: LinkOptions, now: number) => InstanceLink = (opts, now) => new InstanceLink(opts, now);
  /** Writes the config file (sentinelFlushConfig); throws on failure. */
  flushConfig: () => void = () => undefined;
  /** Hostnames resolved (resolve-hostnames): name -> IP, as last looked up. */
  readonly dnsCache = new Map<string, string>();
  /** Links to peer sentinels by runid, shared across masters. */
  readonly #peerLinks = new Map<string, InstanceLink>();
  #timer: NodeJS.Timeout | null = null;
  #hz = DEFAULT_HZ;
  #running = false;

  constructor(srv: Server) {
    this.srv = srv;
    this.previousTime = srv.clock.now();
  }

  get now(): number {
    return this.srv.clock.now();
  }

  // ---------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts monitoring (sentinelIsRunning): a new id if the config had none, +monitor events. */
  start(): void {
    if (this.myid === '') {
      this.myid = randomBytes(20).toString('hex');
      this.saveConfig();
    }
    this.srv.log.warning(`Sentinel ID is ${this.myid}`);
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
    this.#running = true;
    this.previousTime = this.now;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const m of this.masters.values()) this.#releaseLinks(m);
    this.scripts.killAll();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.timer();
      // Redis changes its hz every run so that sentinels do not act in lockstep.
      this.#hz = DEFAULT_HZ + Math.floor(Math.random() * DEFAULT_HZ);
      this.#schedule();
    }, Math.floor(1000 / this.#hz));
  }

  /**
   * Lets go of an instance's link; the next tick makes a new one (with the current
   * credentials). A link to a peer sentinel is shared by every master that peer watches with
   * this one (Redis's sentinelTryConnectionSharing): it closes when its last user lets go.
   */
  dropLink(ri: Instance): void {
    const link = ri.link;
    if (link === null) return;
    ri.link = null;
    const shared = ri.runid !== null && ri.is(SRI.sentinel) ? this.#peerLinks.get(ri.runid) : undefined;
    if (shared === link) {
      if (--link.refcount > 0) return;
      this.#peerLinks.delete(ri.runid as string);
    }
    link.close();
  }

  /** Lets go of the links of a master, its replicas and, unless kept, its sentinels. */
  #releaseLinks(m: Instance, keepSentinels = false): void {
    this.dropLink(m);
    for (const s of m.slaves.values()) this.dropLink(s);
    if (!keepSentinels) for (const s of m.sentinels.values()) this.dropLink(s);
  }

  /** Writes the config, logging (not throwing) a failure, as sentinelFlushConfig. */
  saveConfig(): boolean {
    try {
      this.flushConfig();
      return true;
    } catch (err) {
      this.srv.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(err as Error).message}`);
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Events

  /**
   * Logs and publishes an event (sentinelEvent). A message starting with "%@" starts with the
   * instance's details; debug events are logged only.
   */
  event(level: Level, type: string, ri: Instance | null, msg: string): void {
    const text = ri !== null && msg.startsWith('%@') ? ri.details() + msg.slice(2) : msg;
    const log = this.srv.log;
    log[level](`${type} ${text}`);
    if (level !== 'debug') this.srv.pubsub.publish(Buffer.from(type), Buffer.from(text), false);
    const script = ri === null ? null : (ri.master ?? ri).notificationScript;
    if (level === 'warning' && script !== null) this.scripts.schedule([script, type, text]);
  }

  /** Runs the master's client-reconfig-script, if it has one, for a move of its address. */
  #clientReconfig(m: Instance, role: 'leader' | 'observer', from: { ip: string; port: number }, to: { ip: string; port: number }): void {
    if (m.clientReconfigScript === null) return;
    this.scripts.schedule([m.clientReconfigScript, m.name, role, 'start', from.ip, String(from.port), to.ip, String(to.port)]);
  }

  // ---------------------------------------------------------------------------------------
  // Masters, replicas, sentinels

  /** Adds a monitored master (SENTINEL MONITOR, `sentinel monitor`); throws with Redis's text. */
  createMaster(name: string, ip: string, port: number, quorum: number): Instance {
    if (quorum <= 0) throw new Error('Quorum must be 1 or greater.');
    if (this.masters.has(name)) throw new Error('Duplicate master name.');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('Invalid port number.');
    // A hostname needs resolve-hostnames, and must resolve (the caller looks it up first).
    if (net.isIP(ip) === 0 && (!this.settings.resolveHostnames || !this.dnsCache.has(ip))) throw new Error("Can't resolve instance hostname.");
    const m = new Instance(SRI.master, name, ip, port, null, this.now, this.settings);
    this.#resolve(m);
    m.quorum = quorum;
    this.masters.set(name, m);
    return m;
  }

  /** A replica of `m` at ip:port, created if new (a +slave event is the caller's). */
  addSlave(m: Instance, ip: string, port: number): Instance | null {
    const name = formatAddr(ip, port);
    if (m.slaves.has(name)) return null;
    const s = new Instance(SRI.slave, name, ip, port, m, this.now, this.settings);
    this.#resolve(s);
    m.slaves.set(name, s);
    return s;
  }

  addSentinel(m: Instance, ip: string, port: number, runid: string): Instance | null {
    if (m.sentinels.has(runid)) return null;
    const s = new Instance(SRI.sentinel, runid, ip, port, m, this.now, this.settings);
    this.#resolve(s);
    s.runid = runid;
    m.sentinels.set(runid, s);
    return s;
  }

  removeMaster(name: string): void {
    const m = this.masters.get(name);
    if (m === undefined) return;
    this.#releaseLinks(m);
    this.masters.delete(name);
  }

  masterByAddr(ip: string, port: number): Instance | undefined {
    for (const m of this.masters.values()) if (m.sameHost(ip) && m.port === port) return m;
    return undefined;
  }

  /** The master's address a client should use: the promoted replica once it is the master. */
  currentMasterAddr(m: Instance): { ip: string; port: number } {
    const p = m.promotedSlave;
    if (m.is(SRI.failoverInProgress) && p !== null && m.failoverState >= FailoverState.reconfSlaves) return { ip: p.ip, port: p.port };
    return { ip: m.ip, port: m.port };
  }

  /**
   * SENTINEL RESET and the switch to a promoted replica (sentinelResetMaster): forgets the
   * replicas (and the sentinels unless kept), closes the links and ends any failover.
   */
  resetMaster(m: Instance, keepSentinels: boolean): void {
    this.#releaseLinks(m, keepSentinels);
    m.slaves.clear();
    if (!keepSentinels) m.sentinels.clear();
    m.flags &= SRI.master;
    m.leader = null;
    m.failoverState = FailoverState.none;
    m.failoverStartTime = 0;
    m.failoverStateChangeTime = 0;
    m.promotedSlave = null;
    m.runid = null;
    m.sDownSinceTime = 0;
    m.oDownSinceTime = 0;
    m.infoRefresh = 0;
    m.info = null;
    m.roleReported = 'master';
    m.roleReportedTime = this.now;
  }

  /** The master moves to ip:port; its replicas and the old address become its replicas. */
  resetMasterAndChangeAddress(m: Instance, ip: string, port: number): void {
    const keep: [string, number][] = [];
    for (const s of m.slaves.values()) if (!(s.sameHost(ip) && s.port === port)) keep.push([s.host, s.port]);
    if (!(m.sameHost(ip) && m.port === port)) keep.push([m.host, m.port]);
    this.resetMaster(m, true);
    m.ip = ip;
    m.port = port;
    this.#resolve(m);
    for (const [sip, sport] of keep) {
      const s = this.addSlave(m, sip, sport);
      if (s !== null) this.event('notice', '+slave', s, '%@');
    }
    this.saveConfig();
  }

  /**
   * Looks a hostname up (asynchronously: Node has no blocking resolver) and records its IP on
   * the instance; the cache answers until then. IPs need nothing.
   */
  #resolve(ri: Instance): void {
    if (net.isIP(ri.host) !== 0) return;
    const host = ri.host;
    const known = this.dnsCache.get(host);
    if (known !== undefined) ri.resolved = known;
    if (!this.settings.resolveHostnames) return;
    void this.lookup(host).then((ip) => {
      if (ip !== null && ri.host === host) ri.resolved = ip;
    });
  }

  /** Resolves a hostname to an IP (cached), or null. */
  async lookup(host: string): Promise<string | null> {
    if (net.isIP(host) !== 0) return host;
    try {
      const { address } = await dns.lookup(host);
      this.dnsCache.set(host, address);
      return address;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------
  // The timer

  /** One tick (sentinelTimer). Public so tests can drive it. */
  timer(): void {
    this.#checkTilt();
    const switches: Instance[] = [];
    for (const m of [...this.masters.values()]) {
      this.#handleInstance(m);
      for (const s of [...m.slaves.values()]) this.#handleInstance(s);
      for (const s of [...m.sentinels.values()]) this.#handleInstance(s);
      if (m.failoverState === FailoverState.updateConfig) switches.push(m);
    }
    for (const m of switches) this.#switchToPromoted(m);
    this.scripts.tick();
  }

  #checkTilt(): void {
    const now = this.now;
    const delta = now - this.previousTime;
    if (delta < 0 || delta > timing['tilt-trigger']) {
      this.tilt = true;
      this.tiltStartTime = now;
      this.event('warning', '+tilt', null, '#tilt mode entered');
    }
    this.previousTime = now;
  }

  #handleInstance(ri: Instance): void {
    this.#reconnect(ri);
    this.#sendPeriodic(ri);
    if (this.tilt) {
      if (this.now - this.tiltStartTime < timing['tilt-period']) return;
      this.tilt = false;
      this.event('warning', '-tilt', null, '#tilt mode exited');
    }
    this.#checkSubjectivelyDown(ri);
    if (ri.is(SRI.master)) {
      this.#checkObjectivelyDown(ri);
      if (this.#startFailoverIfNeeded(ri)) this.#askMasterState(ri, true);
      this.#failoverStateMachine(ri);
      this.#askMasterState(ri, false);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Links and periodic commands

  #credentials(ri: Instance): { username?: string; password?: string } {
    if (ri.is(SRI.sentinel)) {
      const st = this.settings;
      if (st.sentinelPass !== '') return { username: st.sentinelUser || undefined, password: st.sentinelPass };
      const rp = this.srv.config.getString('requirepass');
      return rp !== '' ? { password: rp } : {};
    }
    const m = ri.master ?? ri;
    return m.authPass !== null ? { username: m.authUser ?? undefined, password: m.authPass } : {};
  }

  #reconnect(ri: Instance): void {
    if (ri.port === 0) return;
    const now = this.now;
    if (ri.link === null && ri.is(SRI.sentinel) && ri.runid !== null) {
      // Another master's entry for this peer may have a link to it already.
      const shared = this.#peerLinks.get(ri.runid);
      if (shared !== undefined && shared.host === ri.host && shared.port === ri.port) {
        shared.refcount++;
        ri.link = shared;
      }
    }
    if (ri.link === null) {
      ri.link = this.newLink(
        {
          host: ri.host,
          port: ri.port,
          pubsub: !ri.is(SRI.sentinel),
          clientName: `sentinel-${this.myid.slice(0, 8)}`,
          ...this.#credentials(ri),
          onHello: (msg) => {
            if (!msg.includes(this.myid)) this.processHello(msg);
          },
          onDisconnect: (why) => this.srv.log.debug(`-cmd-link-reconnection ${ri.details()} #${why}`),
          now: () => this.now,
        },
        now,
      );
      ri.link.lastReconnTime = 0;
      if (ri.is(SRI.sentinel) && ri.runid !== null && !this.#peerLinks.has(ri.runid)) this.#peerLinks.set(ri.runid, ri.link);
    }
    const link = ri.link;
    if (!link.disconnected) return;
    if (now - link.lastReconnTime < timing['ping-period']) return;
    this.#resolve(ri);
    link.connect(now);
    this.#sendPing(ri);
  }

  /** The renamed form of a command sent to a master or replica (rename-command); sentinels' are never renamed. */
  #cmd(ri: Instance, name: string): string {
    if (ri.is(SRI.sentinel)) return name;
    const m = ri.master ?? ri;
    return m.renamedCommands.get(name.toLowerCase()) ?? name;
  }

  #sendPing(ri: Instance): boolean {
    const link = ri.link;
    if (link === null) return false;
    const now = this.now;
    const ok = link.send([this.#cmd(ri, 'PING')], (err, reply) => this.#pingReply(ri, link, err, reply));
    if (ok) {
      link.lastPingTime = now;
      if (link.actPingTime === 0) link.actPingTime = now;
    }
    return ok;
  }

  #pingReply(ri: Instance, link: InstanceLink, err: Error | null, reply: unknown): void {
    const now = this.now;
    link.lastPongTime = now;
    const text = err !== null ? err.message : String(reply);
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      link.lastAvailTime = now;
      link.actPingTime = 0;
      if (ri.is(SRI.masterReboot) && text.startsWith('PONG')) ri.flags &= ~SRI.masterReboot;
    } else if (text.startsWith('BUSY') && ri.is(SRI.sDown) && !ri.is(SRI.scriptKillSent)) {
      if (link.send([this.#cmd(ri, 'SCRIPT'), 'KILL'])) ri.flags |= SRI.scriptKillSent;
    }
  }

  #sendPeriodic(ri: Instance): void {
    const link = ri.link;
    if (link === null || link.disconnected) return;
    if (link.pendingCommands >= MAX_PENDING_COMMANDS * link.refcount) return;
    const now = this.now;
    let infoPeriod = timing['info-period'];
    const m = ri.master;
    if (ri.is(SRI.slave) && m !== null && (m.is(SRI.oDown | SRI.failoverInProgress) || ri.masterLinkDownTime !== 0)) infoPeriod = 1000;
    const pingPeriod = Math.min(ri.downAfterPeriod, timing['ping-period']);
    if (!ri.is(SRI.sentinel) && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) {
      link.send([this.#cmd(ri, 'INFO')], (err, reply) => {
        if (err === null && typeof reply === 'string') this.refreshInfo(ri, reply);
      });
    }
    if (now - link.lastPongTime > pingPeriod && now - link.lastPingTime > pingPeriod / 2) this.#sendPing(ri);
    if (now - ri.lastPubTime > timing['publish-period']) this.#sendHello(ri);
  }

  #sendHello(ri: Instance): boolean {
    const link = ri.link;
    if (link === null || link.disconnected) return false;
    const m = ri.master ?? ri;
    const addr = this.currentMasterAddr(m);
    const st = this.settings;
    const ip = st.announceIp !== '' ? st.announceIp : link.localAddress;
    if (ip === null) return false;
    const port = st.announcePort !== 0 ? st.announcePort : this.srv.tcpPort;
    const payload = `${ip},${port},${this.myid},${this.currentEpoch},${m.name},${addr.ip},${addr.port},${m.configEpoch}`;
    return link.send([this.#cmd(ri, 'PUBLISH'), HELLO_CHANNEL, payload], (err) => {
      if (err === null) ri.lastPubTime = this.now;
    });
  }

  /** After a promotion every instance of the master gets a hello right away. */
  #forceHelloUpdate(m: Instance): void {
    const back = timing['publish-period'] + 1;
    m.lastPubTime -= back;
    for (const s of m.slaves.values()) s.lastPubTime -= back;
    for (const s of m.sentinels.values()) s.lastPubTime -= back;
  }

  // ---------------------------------------------------------------------------------------
  // Hello messages

  /** Processes a hello (from the Pub/Sub link, or PUBLISH sent to this sentinel). */
  processHello(hello: string): void {
    const t = hello.split(',');
    if (t.length !== 8) return;
    const [ip, portText, runid, epochText, name, mip, mportText, mepochText] = t as [string, string, string, string, string, string, string, string];
    const m = this.masters.get(name);
    if (m === undefined) return;
    const port = Number(portText);
    const epoch = Number(epochText);
    const mport = Number(mportText);
    const mepoch = Number(mepochText);
    if (![port, epoch, mport, mepoch].every(Number.isSafeInteger)) return;
    // Peers are keyed by runid: one known at another address has moved.
    const known = m.sentinels.get(runid);
    let si = known !== undefined && known.sameHost(ip) && known.port === port ? known : undefined;
    if (si === undefined) {
      const moved = known !== undefined;
      if (moved) {
        this.dropLink(known);
        m.sentinels.delete(runid);
        this.event('notice', '+sentinel-address-switch', m, `%@ ip ${ip} port ${port} for ${runid}`);
      } else {
        for (const s of [...m.sentinels.values()]) {
          if (s.sameHost(ip) && s.port === port) {
            this.event('notice', '+sentinel-invalid-addr', s, '%@');
            for (const mm of this.masters.values()) {
              const gone = mm.sentinels.get(s.name);
              if (gone !== undefined) this.dropLink(gone);
              mm.sentinels.delete(s.name);
            }
          }
        }
      }
      si = this.addSentinel(m, ip, port, runid) as Instance;
      if (!moved) {
        this.event('notice', '+sentinel', si, '%@');
      } else {
        // The other masters' entries for it move too (sentinelUpdateSentinelAddressInAllMasters).
        let updated = 0;
        for (const mm of this.masters.values()) {
          const e = mm.sentinels.get(runid);
          if (mm === m || e === undefined || (e.sameHost(ip) && e.port === port)) continue;
          this.dropLink(e);
          e.ip = ip;
          e.port = port;
          updated++;
        }
        if (updated > 0) this.event('notice', '+sentinel-address-update', si, `%@ ${updated} additional matching instances`);
      }
      this.saveConfig();
    }
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch;
      this.saveConfig();
      this.event('warning', '+new-epoch', m, String(epoch));
    }
    if (m.configEpoch < mepoch) {
      m.configEpoch = mepoch;
      if (mport !== m.port || !m.sameHost(mip)) {
        const oldIp = m.ip;
        const oldPort = m.port;
        this.event('warning', '+config-update-from', si, '%@');
        this.event('warning', '+switch-master', m, `${m.name} ${oldIp} ${oldPort} ${mip} ${mport}`);
        this.resetMasterAndChangeAddress(m, mip, mport);
        this.#clientReconfig(m, 'observer', { ip: oldIp, port: oldPort }, { ip: mip, port: mport });
      } else {
        this.saveConfig();
      }
    }
    si.lastHelloTime = this.now;
  }

  // ---------------------------------------------------------------------------------------
  // INFO

  /** Reads a master's or replica's INFO (sentinelRefreshInstanceInfo). */
  refreshInfo(ri: Instance, info: string): void {
    const now = this.now;
    ri.info = info;
    let role: 'master' | 'slave' | null = null;
    let linkDown = 0;
    for (const raw of info.split('\r\n')) {
      const colon = raw.indexOf(':');
      if (colon < 0) continue;
      const k = raw.slice(0, colon);
      const v = raw.slice(colon + 1);
      if (k === 'run_id' && v.length === 40) {
        if (ri.runid !== null && ri.runid !== v) {
          this.event('notice', '+reboot', ri, '%@');
          if (ri.is(SRI.master) && ri.masterRebootDownAfterPeriod !== 0) {
            ri.flags |= SRI.masterReboot;
            ri.masterRebootSinceTime = now;
          }
        }
        ri.runid = v;
      } else if (ri.is(SRI.master) && /^slave\d+$/.test(k)) {
        const addr = parseSlaveLine(v);
        if (addr !== null) {
          const s = this.addSlave(ri, addr.ip, addr.port);
          if (s !== null) {
            this.event('notice', '+slave', s, '%@');
            this.saveConfig();
          }
        }
      } else if (k === 'master_link_down_since_seconds') {
        linkDown = Number(v) * 1000;
      } else if (k === 'role') {
        role = v === 'master' ? 'master' : v === 'slave' ? 'slave' : null;
      } else if (ri.is(SRI.slave)) {
        if (k === 'master_host') {
          if (ri.slaveMasterHost !== v) {
            ri.slaveMasterHost = v;
            ri.slaveConfChangeTime = now;
          }
        } else if (k === 'master_port') {
          const p = Number(v);
          if (ri.slaveMasterPort !== p) {
            ri.slaveMasterPort = p;
            ri.slaveConfChangeTime = now;
          }
        } else if (k === 'master_link_status') {
          ri.slaveMasterLinkUp = v === 'up';
        } else if (k === 'slave_priority') {
          ri.slavePriority = Number(v);
        } else if (k === 'slave_repl_offset') {
          ri.slaveReplOffset = Number(v);
        } else if (k === 'replica_announced') {
          ri.replicaAnnounced = v !== '0';
        }
      }
    }
    ri.masterLinkDownTime = linkDown;
    ri.infoRefresh = now;
    if (role === null) return;
    if (role !== ri.roleReported) {
      ri.roleReportedTime = now;
      ri.roleReported = role;
      if (role === 'slave') ri.slaveConfChangeTime = now;
      const matches = (role === 'master') === ri.is(SRI.master);
      this.event('verbose', matches ? '+role-change' : '-role-change', ri, `%@ new reported role is ${role}`);
    }
    if (this.tilt) return;
    const m = ri.master;
    // A replica that reports master: the one this failover promoted, or one to put back.
    if (ri.is(SRI.slave) && m !== null && role === 'master') {
      if (ri.is(SRI.promoted) && m.is(SRI.failoverInProgress) && m.failoverState === FailoverState.waitPromotion) {
        m.configEpoch = m.failoverEpoch;
        m.failoverState = FailoverState.reconfSlaves;
        m.failoverStateChangeTime = now;
        this.saveConfig();
        this.event('warning', '+promoted-slave', ri, '%@');
        if ((this.simulateFailure & 2) !== 0) this.#simulatedCrash('after promotion');
        this.event('warning', '+failover-state-reconf-slaves', m, '%@');
        this.#clientReconfig(m, 'leader', m, ri);
        this.#forceHelloUpdate(m);
      } else {
        const wait = timing['publish-period'] * 4;
        if (!ri.is(SRI.promoted) && this.#masterLooksSane(m) && this.#noDownFor(ri, wait) && now - ri.roleReportedTime > wait) {
          if (this.#sendSlaveOf(ri, m.ip, m.port)) this.event('notice', '+convert-to-slave', ri, '%@');
        }
      }
    }
    // A replica following another master than ours.
    if (
      ri.is(SRI.slave) &&
      m !== null &&
      role === 'slave' &&
      (ri.slaveMasterPort !== m.port || !m.sameHost(ri.slaveMasterHost))
    ) {
      const wait = m.failoverTimeout;
      if (this.#masterLooksSane(m) && this.#noDownFor(ri, wait) && now - ri.slaveConfChangeTime > wait) {
        if (this.#sendSlaveOf(ri, m.ip, m.port)) this.event('notice', '+fix-slave-config', ri, '%@');
      }
    }
    // A failover's replicas, moving to the promoted one.
    const p = m?.promotedSlave ?? null;
    if (ri.is(SRI.slave) && role === 'slave' && ri.is(SRI.reconfSent | SRI.reconfInprog) && p !== null) {
      if (ri.is(SRI.reconfSent) && p.sameHost(ri.slaveMasterHost) && ri.slaveMasterPort === p.port) {
        ri.flags = (ri.flags & ~SRI.reconfSent) | SRI.reconfInprog;
        this.event('notice', '+slave-reconf-inprog', ri, '%@');
      }
      if (ri.is(SRI.reconfInprog) && ri.slaveMasterLinkUp) {
        ri.flags = (ri.flags & ~SRI.reconfInprog) | SRI.reconfDone;
        this.event('notice', '+slave-reconf-done', ri, '%@');
      }
    }
  }

  #masterLooksSane(m: Instance): boolean {
    return m.is(SRI.master) && m.roleReported === 'master' && !m.is(SRI.sDown | SRI.oDown) && this.now - m.infoRefresh < timing['info-period'] * 2;
  }

  #noDownFor(ri: Instance, ms: number): boolean {
    const since = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
    return since === 0 || this.now - since > ms;
  }

  #simulatedCrash(when: string): never {
    this.srv.log.warning(`Simulated failure: exiting ${when}`);
    process.exit(99);
  }

  /**
   * Makes an instance a replica of ip:port, or a master (ip null), as Redis does: MULTI,
   * SLAVEOF, CONFIG REWRITE, CLIENT KILL of normal and Pub/Sub clients (so that clients ask
   * the sentinels again), EXEC. Replies are not read.
   */
  #sendSlaveOf(ri: Instance, ip: string | null, port: number): boolean {
    const link = ri.link;
    if (link === null || link.disconnected) return false;
    const target = ip === null ? ['NO', 'ONE'] : [ip, port];
    if (!link.send([this.#cmd(ri, 'MULTI')])) return false;
    link.send([this.#cmd(ri, 'SLAVEOF'), ...target]);
    link.send([this.#cmd(ri, 'CONFIG'), 'REWRITE']);
    link.send([this.#cmd(ri, 'CLIENT'), 'KILL', 'TYPE', 'normal']);
    link.send([this.#cmd(ri, 'CLIENT'), 'KILL', 'TYPE', 'pubsub']);
    link.send([this.#cmd(ri, 'EXEC')]);
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Down states

  #checkSubjectivelyDown(ri: Instance): void {
    const now = this.now;
    const link = ri.link;
    let elapsed = 0;
    if (link !== null && link.actPingTime !== 0) elapsed = now - link.actPingTime;
    else if (link !== null && link.disconnected) elapsed = now - link.lastAvailTime;
    if (link !== null && !link.disconnected) {
      const half = ri.downAfterPeriod / 2;
      const minAge = timing['min-link-reconnect-period'];
      if (now - link.ccConnTime > minAge && link.actPingTime !== 0 && now - link.actPingTime > half && now - link.lastPongTime > half) {
        link.close();
      } else if (link.pc !== null && now - link.pcConnTime > minAge && now - link.pcLastActivity > timing['publish-period'] * 3) {
        link.closePubsub();
      }
    }
    const down =
      elapsed > ri.downAfterPeriod ||
      (ri.is(SRI.master) && ri.roleReported === 'slave' && now - ri.roleReportedTime > ri.downAfterPeriod + timing['info-period'] * 2) ||
      (ri.is(SRI.masterReboot) && now - ri.masterRebootSinceTime > ri.masterRebootDownAfterPeriod);
    if (down) {
      if (!ri.is(SRI.sDown)) {
        this.event('warning', '+sdown', ri, '%@');
        ri.sDownSinceTime = now;
        ri.flags |= SRI.sDown;
      }
    } else if (ri.is(SRI.sDown)) {
      this.event('warning', '-sdown', ri, '%@');
      ri.flags &= ~(SRI.sDown | SRI.scriptKillSent);
    }
  }

  #checkObjectivelyDown(m: Instance): void {
    let votes = 0;
    let odown = false;
    if (m.is(SRI.sDown)) {
      votes = 1;
      for (const s of m.sentinels.values()) if (s.is(SRI.masterDown)) votes++;
      odown = votes >= m.quorum;
    }
    if (odown) {
      if (!m.is(SRI.oDown)) {
        this.event('warning', '+odown', m, `%@ #quorum ${votes}/${m.quorum}`);
        m.flags |= SRI.oDown;
        m.oDownSinceTime = this.now;
      }
    } else if (m.is(SRI.oDown)) {
      this.event('warning', '-odown', m, '%@');
      m.flags &= ~SRI.oDown;
    }
  }

  #askMasterState(m: Instance, forced: boolean): void {
    const now = this.now;
    for (const s of m.sentinels.values()) {
      const elapsed = now - s.lastMasterDownReplyTime;
      if (elapsed > timing['ask-period'] * 5) {
        s.flags &= ~SRI.masterDown;
        s.leader = null;
      }
      if (!m.is(SRI.sDown)) continue;
      if (s.disconnected) continue;
      if (!forced && elapsed < timing['ask-period']) continue;
      const runid = m.failoverState > FailoverState.none ? this.myid : '*';
      s.link?.send([this.#cmd(s, 'SENTINEL'), 'is-master-down-by-addr', m.ip, m.port, this.currentEpoch, runid], (err, reply) => {
        if (err !== null || !Array.isArray(reply) || reply.length !== 3) return;
        const [down, leader, epoch] = reply as unknown[];
        if (typeof down !== 'number' || typeof leader !== 'string' || typeof epoch !== 'number') return;
        s.lastMasterDownReplyTime = this.now;
        if (down === 1) s.flags |= SRI.masterDown;
        else s.flags &= ~SRI.masterDown;
        if (leader !== '*') {
          s.leader = leader;
          s.leaderEpoch = epoch;
        }
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Votes

  /** Casts this sentinel's vote for the epoch (sentinelVoteLeader); returns the vote held. */
  voteLeader(m: Instance, reqEpoch: number, reqRunid: string): { leader: string | null; epoch: number } {
    if (reqEpoch > this.currentEpoch) {
      this.currentEpoch = reqEpoch;
      this.saveConfig();
      this.event('warning', '+new-epoch', m, String(reqEpoch));
    }
    if (m.leaderEpoch < reqEpoch && this.currentEpoch <= reqEpoch) {
      m.leader = reqRunid;
      m.leaderEpoch = this.currentEpoch;
      this.saveConfig();
      this.event('warning', '+vote-for-leader', m, `${m.leader} ${m.leaderEpoch}`);
      if (m.leader !== this.myid) m.failoverStartTime = this.now + Math.floor(Math.random() * MAX_DESYNC);
    }
    return { leader: m.leader, epoch: m.leaderEpoch };
  }

  /** The leader of the epoch, if it has a majority and the quorum (sentinelGetLeader). */
  #getLeader(m: Instance, epoch: number): string | null {
    const counts = new Map<string, number>();
    const voters = m.sentinels.size + 1;
    for (const s of m.sentinels.values()) {
      if (s.leader !== null && s.leaderEpoch === this.currentEpoch) counts.set(s.leader, (counts.get(s.leader) ?? 0) + 1);
    }
    let winner: string | null = null;
    let max = 0;
    for (const [id, n] of counts) {
      if (n > max) {
        max = n;
        winner = id;
      }
    }
    const mine = this.voteLeader(m, epoch, winner ?? this.myid);
    if (mine.leader !== null && mine.epoch === epoch) {
      const n = (counts.get(mine.leader) ?? 0) + 1;
      counts.set(mine.leader, n);
      if (n > max) {
        max = n;
        winner = mine.leader;
      }
    }
    if (winner !== null && (max < Math.floor(voters / 2) + 1 || max < m.quorum)) winner = null;
    return winner;
  }

  // ---------------------------------------------------------------------------------------
  // Failover

  #startFailoverIfNeeded(m: Instance): boolean {
    if (!m.is(SRI.oDown) || m.is(SRI.failoverInProgress)) return false;
    const now = this.now;
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverDelayLogged !== m.failoverStartTime) {
        m.failoverDelayLogged = m.failoverStartTime;
        const at = new Date(m.failoverStartTime + m.failoverTimeout * 2);
        this.srv.log.warning(`Next failover delay: I will not start a failover before ${at.toString()}`);
      }
      return false;
    }
    this.startFailover(m);
    return true;
  }

  /** Starts a failover of m (sentinelStartFailover); SENTINEL FAILOVER then forces it. */
  startFailover(m: Instance): void {
    const now = this.now;
    m.failoverState = FailoverState.waitStart;
    m.flags |= SRI.failoverInProgress;
    m.failoverEpoch = ++this.currentEpoch;
    this.event('warning', '+new-epoch', m, String(this.currentEpoch));
    this.event('warning', '+try-failover', m, '%@');
    m.failoverStartTime = now + Math.floor(Math.random() * MAX_DESYNC);
    m.failoverStateChangeTime = now;
  }

  #failoverStateMachine(m: Instance): void {
    if (!m.is(SRI.failoverInProgress)) return;
    switch (m.failoverState) {
      case FailoverState.waitStart:
        return this.#failoverWaitStart(m);
      case FailoverState.selectSlave:
        return this.#failoverSelectSlave(m);
      case FailoverState.sendSlaveofNoone:
        return this.#failoverSendSlaveofNoone(m);
      case FailoverState.waitPromotion:
        if (this.now - m.failoverStateChangeTime > m.failoverTimeout) {
          this.event('warning', '-failover-abort-slave-timeout', m, '%@');
          this.abortFailover(m);
        }
        return;
      case FailoverState.reconfSlaves:
        return this.#failoverReconfNextSlave(m);
    }
  }

  #failoverWaitStart(m: Instance): void {
    const leader = this.#getLeader(m, m.failoverEpoch);
    const isLeader = leader !== null && leader === this.myid;
    if (!isLeader && !m.is(SRI.forceFailover)) {
      const timeout = Math.min(timing['election-timeout'], m.failoverTimeout);
      if (this.now - m.failoverStartTime > timeout) {
        this.event('warning', '-failover-abort-not-elected', m, '%@');
        this.abortFailover(m);
      }
      return;
    }
    this.event('warning', '+elected-leader', m, '%@');
    if ((this.simulateFailure & 1) !== 0) this.#simulatedCrash('after election');
    m.failoverState = FailoverState.selectSlave;
    m.failoverStateChangeTime = this.now;
    this.event('warning', '+failover-state-select-slave', m, '%@');
  }

  /** The best replica to promote, or null (sentinelSelectSlave). */
  selectSlave(m: Instance): Instance | null {
    const now = this.now;
    let maxDown = 0;
    if (m.is(SRI.sDown)) maxDown += now - m.sDownSinceTime;
    maxDown += m.downAfterPeriod * 10;
    const ping = timing['ping-period'];
    const candidates: Instance[] = [];
    for (const s of m.slaves.values()) {
      if (s.is(SRI.sDown | SRI.oDown) || s.disconnected) continue;
      if (now - (s.link?.lastAvailTime ?? 0) > ping * 5) continue;
      if (s.slavePriority === 0) continue;
      const validity = m.is(SRI.sDown) ? ping * 5 : timing['info-period'] * 3;
      if (now - s.infoRefresh > validity) continue;
      if (s.masterLinkDownTime > maxDown) continue;
      candidates.push(s);
    }
    candidates.sort((a, b) => {
      if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
      if (a.slaveReplOffset !== b.slaveReplOffset) return b.slaveReplOffset - a.slaveReplOffset;
      if (a.runid === null) return b.runid === null ? 0 : 1;
      if (b.runid === null) return -1;
      const x = a.runid.toLowerCase();
      const y = b.runid.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return candidates[0] ?? null;
  }

  #failoverSelectSlave(m: Instance): void {
    const s = this.selectSlave(m);
    if (s === null) {
      this.event('warning', '-failover-abort-no-good-slave', m, '%@');
      this.abortFailover(m);
      return;
    }
    this.event('warning', '+selected-slave', s, '%@');
    s.flags |= SRI.promoted;
    m.promotedSlave = s;
    m.failoverState = FailoverState.sendSlaveofNoone;
    m.failoverStateChangeTime = this.now;
    this.event('notice', '+failover-state-send-slaveof-noone', s, '%@');
  }

  #failoverSendSlaveofNoone(m: Instance): void {
    const s = m.promotedSlave;
    if (s === null) return;
    if (s.disconnected) {
      if (this.now - m.failoverStateChangeTime > m.failoverTimeout) {
        this.event('warning', '-failover-abort-slave-timeout', m, '%@');
        this.abortFailover(m);
      }
      return;
    }
    if (!this.#sendSlaveOf(s, null, 0)) return;
    this.event('notice', '+failover-state-wait-promotion', s, '%@');
    m.failoverState = FailoverState.waitPromotion;
    m.failoverStateChangeTime = this.now;
  }

  #failoverReconfNextSlave(m: Instance): void {
    const p = m.promotedSlave;
    const now = this.now;
    let inProgress = 0;
    for (const s of m.slaves.values()) if (s.is(SRI.reconfSent | SRI.reconfInprog)) inProgress++;
    for (const s of m.slaves.values()) {
      if (inProgress >= m.parallelSyncs) break;
      if (s.is(SRI.promoted | SRI.reconfDone)) continue;
      if (s.is(SRI.reconfSent) && now - s.slaveReconfSentTime > timing['slave-reconf-timeout']) {
        this.event('notice', '-slave-reconf-sent-timeout', s, '%@');
        s.flags = (s.flags & ~SRI.reconfSent) | SRI.reconfDone;
      }
      if (s.is(SRI.reconfSent | SRI.reconfInprog)) continue;
      if (s.disconnected || p === null) continue;
      if (this.#sendSlaveOf(s, p.ip, p.port)) {
        s.flags |= SRI.reconfSent;
        s.slaveReconfSentTime = now;
        this.event('notice', '+slave-reconf-sent', s, '%@');
        inProgress++;
      }
    }
    this.#failoverDetectEnd(m);
  }

  #failoverDetectEnd(m: Instance): void {
    const p = m.promotedSlave;
    if (m.failoverState !== FailoverState.reconfSlaves || p === null || p.is(SRI.sDown)) return;
    let notReconfigured = 0;
    for (const s of m.slaves.values()) {
      if (s.is(SRI.promoted | SRI.reconfDone) || s.is(SRI.sDown)) continue;
      notReconfigured++;
    }
    let timeout = false;
    if (this.now - m.failoverStateChangeTime > m.failoverTimeout) {
      notReconfigured = 0;
      timeout = true;
      this.event('warning', '+failover-end-for-timeout', m, '%@');
    }
    if (notReconfigured === 0) {
      this.event('warning', '+failover-end', m, '%@');
      m.failoverState = FailoverState.updateConfig;
      m.failoverStateChangeTime = this.now;
    }
    if (timeout) {
      for (const s of m.slaves.values()) {
        if (s.is(SRI.reconfDone | SRI.reconfSent | SRI.promoted) || s.disconnected) continue;
        if (this.#sendSlaveOf(s, p.ip, p.port)) {
          this.event('notice', '+slave-reconf-sent-be', s, '%@');
          s.flags |= SRI.reconfSent;
        }
      }
    }
  }

  #switchToPromoted(m: Instance): void {
    const ref = m.promotedSlave ?? m;
    this.event('warning', '+switch-master', m, `${m.name} ${m.ip} ${m.port} ${ref.ip} ${ref.port}`);
    this.resetMasterAndChangeAddress(m, ref.ip, ref.port);
  }

  /** Ends a failover that has not promoted anything yet (sentinelAbortFailover). */
  abortFailover(m: Instance): void {
    m.flags &= ~(SRI.failoverInProgress | SRI.forceFailover);
    m.failoverState = FailoverState.none;
    m.failoverStateChangeTime = this.now;
    if (m.promotedSlave !== null) {
      m.promotedSlave.flags &= ~SRI.promoted;
      m.promotedSlave = null;
    }
  }
}

/** A master INFO's replica line: "ip=..,port=..,..." (or the old "ip,port,state"). */
function parseSlaveLine(v: string): { ip: string; port: number } | null {
  let ip: string | undefined;
  let port: number | undefined;
  if (v.includes('=')) {
    for (const part of v.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const k = part.slice(0, eq);
      if (k === 'ip') ip = part.slice(eq + 1);
      else if (k === 'port') port = Number(part.slice(eq + 1));
    }
  } else {
    const parts = v.split(',');
    ip = parts[0];
    port = Number(parts[1]);
  }
  if (ip === undefined || ip === '' || port === undefined || !Number.isInteger(port) || port <= 0) return null;
  return { ip, port };
}
