// The commands of a sentinel: its command table (Redis 7.0's commands flagged SENTINEL), and
// SENTINEL's subcommands with Redis's replies and error texts. INFO, ROLE and PUBLISH are the
// sentinel's own forms: INFO's sections are server, clients, cpu, stats and sentinel; ROLE is
// ["sentinel", [masters]]; PUBLISH takes only hellos.

import net from 'node:net';
import type { CommandSpec } from '../commands/types.js';
import { allSpecs } from '../commands/index.js';
import type { Handler } from '../server/command-table.js';
import { allHandlers } from '../server/handlers/index.js';
import { buildInfo } from '../server/observability/info.js';
import type { Client } from '../server/network/client.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { compileGlob } from '../lib/glob.js';
import { Err } from '../lib/errors.js';
import { parseSafeInt } from '../lib/numbers.js';
import { Instance, SRI } from './instance.js';
import { HELLO_CHANNEL } from './link.js';
import { isExecutable } from '../lib/files.js';
import type { Sentinel } from './sentinel.js';
import { timing } from './timing.js';

/** The data node's commands a sentinel also runs (their specs and handlers as they are). */
const SHARED = ['auth', 'client', 'command', 'hello', 'ping', 'shutdown', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe'];
/** Commands whose sentinel form replaces the data node's. */
const OWN = ['info', 'role', 'publish'];

function sub(name: string, arity: number, summary: string, flags: CommandSpec['flags'] = ['admin', 'sentinel', 'only_sentinel']): CommandSpec {
  return { name: `sentinel|${name}`, arity, flags, firstKey: 0, lastKey: 0, step: 0, acl: ['admin', 'slow', 'dangerous'], doc: { summary, since: '2.8.4', group: 'sentinel' } };
}

const SENTINEL_SPEC: CommandSpec = {
  name: 'sentinel',
  arity: -2,
  flags: [],
  firstKey: 0,
  lastKey: 0,
  step: 0,
  acl: ['slow'],
  doc: { summary: 'A container for Redis Sentinel commands', since: '2.8.4', group: 'sentinel' },
  subcommands: [
    sub('ckquorum', 3, 'Check for a Redis Sentinel quorum'),
    sub('config', -4, 'Configure Redis Sentinel'),
    sub('debug', -2, 'List or update the current configurable parameters'),
    sub('failover', 3, 'Force a failover'),
    sub('flushconfig', 2, 'Rewrite configuration file'),
    sub('get-master-addr-by-name', 3, 'Get port and address of a master'),
    sub('help', 2, 'Show helpful text about the different subcommands', ['loading', 'stale', 'sentinel', 'only_sentinel']),
    sub('info-cache', -3, 'Get cached INFO from the instances in the deployment'),
    sub('is-master-down-by-addr', 6, 'Check if a master is down'),
    sub('master', 3, 'Shows the state of a master'),
    sub('masters', 2, 'List the monitored masters'),
    sub('monitor', 6, 'Start monitoring'),
    sub('myid', 2, 'Get the Sentinel instance ID'),
    sub('pending-scripts', 2, 'Get information about pending scripts'),
    sub('remove', 3, 'Stop monitoring'),
    sub('replicas', 3, 'List the monitored replicas'),
    sub('reset', 3, 'Reset masters by name pattern'),
    sub('sentinels', 3, 'List the Sentinel instances'),
    sub('set', -3, 'Change the configuration of a monitored master'),
    sub('simulate-failure', -3, 'Simulate failover scenarios'),
    sub('slaves', 3, 'List the monitored replicas'),
  ],
};

/** The sentinel's command specs (built on first use: the modules they come from import the server). */
export function sentinelSpecs(): CommandSpec[] {
  return [...allSpecs.filter((s) => SHARED.includes(s.name) || OWN.includes(s.name)), SENTINEL_SPEC];
}

function of(c: Client): Sentinel {
  const s = c.srv.sentinel;
  if (s === null) throw new Error('a sentinel command outside sentinel mode');
  return s;
}

function writeInstance(w: ReplyWriter, ri: Instance, now: number): void {
  const f = ri.fields(now);
  w.map(f.length);
  for (const [k, v] of f) {
    w.bulkString(k);
    w.bulkString(v);
  }
}

function masterOrError(c: Client, name: Buffer | undefined): Instance | null {
  const m = of(c).masters.get(name?.toString() ?? '');
  if (m === undefined) c.w.error(Err.sentinelNoSuchMaster);
  return m ?? null;
}

/** An integer argument (Redis's string2ll, within the safe range), or null. */
function intArg(b: Buffer | undefined): number | null {
  return b === undefined ? null : parseSafeInt(b);
}

function saved(c: Client, s: Sentinel): boolean {
  if (s.saveConfig()) return true;
  c.w.error(Err.sentinelSaveFailed);
  return false;
}

const HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum needed',
  '    to failover a master and the majority needed to authorize the failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  '    Check if the master specified by ip:port is down from current Sentinel\'s',
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  '    Remove master from Sentinel\'s monitor list.',
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Print this help.',
];

const replicas: Handler = (c, argv) => {
  const m = masterOrError(c, argv[2]);
  if (m === null) return;
  const now = of(c).now;
  const list = [...m.slaves.values()].filter((s) => s.replicaAnnounced);
  c.w.array(list.length);
  for (const s of list) writeInstance(c.w, s, now);
};

/** CONFIG GET / SET's parameters: [name, get, set (throws "invalid value")]. */
function configParams(s: Sentinel): [string, () => string | number, (v: string) => void][] {
  const st = s.settings;
  const yesNo = (v: string): boolean => {
    const l = v.toLowerCase();
    if (l !== 'yes' && l !== 'no') throw new Error('invalid');
    return l === 'yes';
  };
  // The links are made again, with the new credentials.
  const dropSentinelLinks = (): void => {
    for (const m of s.masters.values()) for (const p of m.sentinels.values()) s.dropLink(p);
  };
  return [
    ['resolve-hostnames', () => (st.resolveHostnames ? 'yes' : 'no'), (v) => (st.resolveHostnames = yesNo(v))],
    ['announce-hostnames', () => (st.announceHostnames ? 'yes' : 'no'), (v) => (st.announceHostnames = yesNo(v))],
    ['announce-ip', () => st.announceIp, (v) => (st.announceIp = v)],
    [
      'announce-port',
      () => st.announcePort,
      (v) => {
        const n = /^\d+$/.test(v) ? Number(v) : -1;
        if (n < 0 || n > 65535) throw new Error('invalid');
        st.announcePort = n;
      },
    ],
    [
      'sentinel-user',
      () => st.sentinelUser,
      (v) => {
        st.sentinelUser = v;
        dropSentinelLinks();
      },
    ],
    [
      'sentinel-pass',
      () => st.sentinelPass,
      (v) => {
        st.sentinelPass = v;
        dropSentinelLinks();
      },
    ],
  ];
}

const handlers: Record<string, Handler> = {
  'sentinel|masters': (c) => {
    const s = of(c);
    c.w.array(s.masters.size);
    for (const m of s.masters.values()) writeInstance(c.w, m, s.now);
  },
  'sentinel|master': (c, argv) => {
    const m = masterOrError(c, argv[2]);
    if (m !== null) writeInstance(c.w, m, of(c).now);
  },
  'sentinel|replicas': replicas,
  'sentinel|slaves': replicas,
  'sentinel|sentinels': (c, argv) => {
    const m = masterOrError(c, argv[2]);
    if (m === null) return;
    const now = of(c).now;
    c.w.array(m.sentinels.size);
    for (const s of m.sentinels.values()) writeInstance(c.w, s, now);
  },
  'sentinel|get-master-addr-by-name': (c, argv) => {
    const s = of(c);
    const m = s.masters.get(argv[2]?.toString() ?? '');
    if (m === undefined) return c.w.nilArray();
    const a = s.currentMasterAddr(m);
    c.w.array(2);
    c.w.bulkString(a.ip);
    c.w.bulkString(String(a.port));
  },
  'sentinel|is-master-down-by-addr': (c, argv) => {
    const s = of(c);
    const port = intArg(argv[3]);
    const epoch = intArg(argv[4]);
    if (port === null || epoch === null) return c.w.error(Err.notInteger);
    const m = s.masterByAddr(argv[2]?.toString() ?? '', port);
    const runid = argv[5]?.toString() ?? '*';
    const down = !s.tilt && m !== undefined && m.is(SRI.sDown) && m.is(SRI.master);
    let leader: string | null = null;
    let leaderEpoch = 0;
    if (m !== undefined && m.is(SRI.master) && runid !== '*') {
      const v = s.voteLeader(m, epoch, runid);
      leader = v.leader;
      leaderEpoch = v.epoch;
    }
    c.w.array(3);
    c.w.integer(down ? 1 : 0);
    c.w.bulkString(leader ?? '*');
    c.w.integer(leaderEpoch);
  },
  'sentinel|reset': (c, argv) => {
    const s = of(c);
    const match = compileGlob(argv[2] ?? Buffer.alloc(0), false);
    let n = 0;
    for (const m of s.masters.values()) {
      if (!match(Buffer.from(m.name))) continue;
      s.resetMaster(m, false);
      s.event('warning', '+reset-master', m, '%@');
      n++;
    }
    if (n > 0) s.saveConfig();
    c.w.integer(n);
  },
  'sentinel|failover': (c, argv) => {
    const s = of(c);
    const m = masterOrError(c, argv[2]);
    if (m === null) return;
    if (m.is(SRI.failoverInProgress)) return c.w.error(Err.sentinelFailoverInProgress);
    if (s.selectSlave(m) === null) return c.w.error(Err.sentinelNoGoodSlave);
    s.srv.log.warning(`Executing user requested FAILOVER of '${m.name}'`);
    s.startFailover(m);
    m.flags |= SRI.forceFailover;
    c.w.ok();
  },
  'sentinel|ckquorum': (c, argv) => {
    const m = masterOrError(c, argv[2]);
    if (m === null) return;
    let usable = 1;
    for (const p of m.sentinels.values()) if (!p.is(SRI.sDown | SRI.oDown)) usable++;
    const voters = m.sentinels.size + 1;
    const noQuorum = usable < m.quorum;
    const noAuth = usable < Math.floor(voters / 2) + 1;
    if (!noQuorum && !noAuth) {
      c.w.simple(`OK ${usable} usable Sentinels. Quorum and failover authorization can be reached`);
      return;
    }
    c.w.error(Err.sentinelNoQuorum(usable, noQuorum, noAuth));
  },
  'sentinel|flushconfig': (c) => {
    if (saved(c, of(c))) c.w.ok();
  },
  'sentinel|monitor': (c, argv) => {
    const s = of(c);
    const quorum = intArg(argv[5]);
    if (quorum === null) return c.w.error(Err.sentinelInvalidQuorum);
    const port = intArg(argv[4]);
    if (port === null) return c.w.error(Err.sentinelInvalidPort);
    if (quorum <= 0) return c.w.error(Err.sentinelQuorumMin);
    const ip = argv[3]?.toString() ?? '';
    const name = argv[2]?.toString() ?? '';
    const create = (): void => {
      let m: Instance;
      try {
        m = s.createMaster(name, ip, port, quorum);
      } catch (err) {
        return c.w.error(Err.sentinelMonitorRefused((err as Error).message));
      }
      if (!saved(c, s)) return;
      s.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
      c.w.ok();
    };
    if (net.isIP(ip) !== 0) return create();
    // A hostname: only with resolve-hostnames, and once looked up (the client waits).
    if (!s.settings.resolveHostnames || !/^[A-Za-z0-9.-]+$/.test(ip)) return c.w.error(Err.sentinelInvalidIp);
    c.suspended = true;
    void s.lookup(ip).then(() => {
      c.suspended = false;
      if (c.closed) return;
      create();
      c.flush();
      c.processInput();
    });
  },
  'sentinel|remove': (c, argv) => {
    const s = of(c);
    const m = masterOrError(c, argv[2]);
    if (m === null) return;
    s.event('warning', '-monitor', m, '%@');
    s.removeMaster(m.name);
    if (saved(c, s)) c.w.ok();
  },
  'sentinel|myid': (c) => c.w.bulkString(of(c).myid),
  'sentinel|set': (c, argv) => {
    const s = of(c);
    const m = masterOrError(c, argv[2]);
    if (m === null) return;
    const applied: string[] = [];
    for (let i = 3; i < argv.length; i += 2) {
      const opt = argv[i]?.toString() ?? '';
      const lower = opt.toLowerCase();
      const val = argv[i + 1]?.toString();
      const badValue = (): void => c.w.error(Err.sentinelSetInvalid(String(val), opt));
      if (val === undefined) return c.w.error(Err.sentinelSetUnknown(opt));
      const n = intArg(argv[i + 1]);
      if (lower === 'down-after-milliseconds') {
        if (n === null || n <= 0) return badValue();
        m.downAfterPeriod = n;
        for (const r of m.slaves.values()) r.downAfterPeriod = n;
        for (const r of m.sentinels.values()) r.downAfterPeriod = n;
      } else if (lower === 'failover-timeout') {
        if (n === null || n <= 0) return badValue();
        m.failoverTimeout = n;
      } else if (lower === 'parallel-syncs') {
        if (n === null || n <= 0) return badValue();
        m.parallelSyncs = n;
      } else if (lower === 'quorum') {
        if (n === null || n <= 0) return badValue();
        m.quorum = n;
      } else if (lower === 'master-reboot-down-after-period') {
        if (n === null || n < 0) return badValue();
        m.masterRebootDownAfterPeriod = n;
      } else if (lower === 'auth-pass' || lower === 'auth-user') {
        if (lower === 'auth-pass') m.authPass = val === '' ? null : val;
        else m.authUser = val === '' ? null : val;
        s.dropLink(m);
        for (const r of m.slaves.values()) s.dropLink(r);
      } else if (lower === 'notification-script' || lower === 'client-reconfig-script') {
        if (s.settings.denyScriptsReconfig) return c.w.error(Err.sentinelScriptsDenied);
        const notification = lower === 'notification-script';
        if (val !== '' && !isExecutable(val)) return c.w.error(Err.sentinelScriptNotExecutable(notification));
        if (notification) m.notificationScript = val === '' ? null : val;
        else m.clientReconfigScript = val === '' ? null : val;
      } else if (lower === 'rename-command') {
        const to = argv[i + 2]?.toString();
        if (to === undefined) return c.w.error(Err.sentinelSetUnknown(opt));
        m.renamedCommands.set(val.toLowerCase(), to);
        applied.push(`${opt} ${val} ${to}`);
        i++;
        continue;
      } else {
        return c.w.error(Err.sentinelSetUnknown(opt));
      }
      applied.push(`${opt} ${lower === 'auth-pass' ? '******' : val}`);
    }
    if (!saved(c, s)) return;
    for (const a of applied) s.event('warning', '+set', m, `%@ ${a}`);
    c.w.ok();
  },
  'sentinel|config': (c, argv) => {
    const s = of(c);
    const op = argv[2]?.toString().toLowerCase();
    const params = configParams(s);
    if (op === 'get' && argv.length === 4) {
      const match = compileGlob(argv[3] ?? Buffer.alloc(0), true);
      const hits = params.filter(([name]) => match(Buffer.from(name)));
      c.w.map(hits.length);
      for (const [name, get] of hits) {
        c.w.bulkString(name);
        const v = get();
        c.w.bulkString(String(v));
      }
      return;
    }
    if (op === 'set' && argv.length === 5) {
      const name = argv[3]?.toString() ?? '';
      const value = argv[4]?.toString() ?? '';
      const p = params.find(([n]) => n === name.toLowerCase());
      if (p === undefined) return c.w.error(Err.sentinelConfigSetInvalidName(name));
      try {
        p[2](value);
      } catch {
        return c.w.error(Err.sentinelConfigSetInvalidValue(value, name));
      }
      if (saved(c, s)) c.w.ok();
      return;
    }
    c.w.error(Err.sentinelConfigUsage);
  },
  'sentinel|info-cache': (c, argv) => {
    const s = of(c);
    const names = argv.slice(2).map((b) => b.toString());
    const list = [...s.masters.values()].filter((m) => names.length === 0 || names.includes(m.name));
    const now = s.now;
    c.w.array(list.length * 2);
    for (const m of list) {
      c.w.bulkString(m.name);
      const all = [m, ...m.slaves.values()];
      c.w.array(all.length);
      for (const ri of all) {
        c.w.array(2);
        c.w.integer(ri.infoRefresh === 0 ? 0 : now - ri.infoRefresh);
        if (ri.info === null) c.w.nil();
        else c.w.bulkString(ri.info);
      }
    }
  },
  'sentinel|simulate-failure': (c, argv) => {
    const s = of(c);
    let flags = 0;
    for (const a of argv.slice(2)) {
      const o = a.toString().toLowerCase();
      if (o === 'crash-after-election') flags |= 1;
      else if (o === 'crash-after-promotion') flags |= 2;
      else if (o === 'help') {
        c.w.stringArray(['crash-after-election', 'crash-after-promotion']);
        return;
      } else return c.w.error(Err.sentinelUnknownSimulation);
    }
    s.simulateFailure = flags;
    c.w.ok();
  },
  'sentinel|debug': (c, argv) => {
    const keys = Object.keys(timing) as (keyof typeof timing)[];
    if (argv.length === 2) {
      c.w.map(keys.length);
      for (const k of keys) {
        c.w.bulkString(k.toUpperCase());
        c.w.integer(timing[k]);
      }
      return;
    }
    const changes: [keyof typeof timing, number][] = [];
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]?.toString() ?? '';
      const k = keys.find((x) => x === opt.toLowerCase());
      if (k === undefined || argv[i + 1] === undefined) return c.w.error(Err.sentinelDebugUnknown(opt));
      const n = intArg(argv[i + 1]);
      if (n === null || n <= 0) return c.w.error(Err.sentinelDebugInvalid(String(argv[i + 1]?.toString()), opt));
      changes.push([k, n]);
    }
    for (const [k, n] of changes) timing[k] = n;
    c.w.ok();
  },
  'sentinel|pending-scripts': (c) => {
    const s = of(c);
    const now = s.now;
    c.w.array(s.scripts.jobs.length);
    for (const j of s.scripts.jobs) {
      const running = j.child !== null;
      c.w.map(5);
      c.w.bulkString('argv');
      c.w.stringArray(j.argv);
      c.w.bulkString('flags');
      c.w.bulkString(running ? 'running' : 'scheduled');
      c.w.bulkString('pid');
      c.w.bulkString(String(j.pid));
      c.w.bulkString(running ? 'run-time' : 'run-delay');
      c.w.bulkString(String(running ? now - j.startTime : Math.max(0, j.startTime - now)));
      c.w.bulkString('retry-num');
      c.w.bulkString(String(j.retryNum));
    }
  },
  'sentinel|help': (c) => {
    c.w.array(HELP.length);
    for (const l of HELP) c.w.simple(l);
  },
  info: (c, argv) => {
    const s = of(c);
    const asked = argv.slice(1).map((a) => a.toString().toLowerCase());
    const all = ['server', 'clients', 'cpu', 'stats', 'sentinel'];
    const wanted = asked.length === 0 || asked.some((a) => a === 'default' || a === 'all' || a === 'everything') ? all : all.filter((n) => asked.includes(n));
    const base = buildInfo(c.srv, new Set(wanted.filter((n) => n !== 'sentinel')));
    if (!wanted.includes('sentinel')) return c.w.verbatim(base);
    let text = '# Sentinel\r\n';
    text += `sentinel_masters:${s.masters.size}\r\n`;
    text += `sentinel_tilt:${s.tilt ? 1 : 0}\r\n`;
    text += `sentinel_tilt_since_seconds:${s.tilt ? Math.floor((s.now - s.tiltStartTime) / 1000) : -1}\r\n`;
    text += `sentinel_running_scripts:${s.scripts.running}\r\n`;
    text += `sentinel_scripts_queue_length:${s.scripts.queued}\r\n`;
    text += `sentinel_simulate_failure_flags:${s.simulateFailure}\r\n`;
    let i = 0;
    for (const m of s.masters.values()) {
      const status = m.is(SRI.oDown) ? 'odown' : m.is(SRI.sDown) ? 'sdown' : 'ok';
      text += `master${i++}:name=${m.name},status=${status},address=${m.ip}:${m.port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}\r\n`;
    }
    c.w.verbatim(base === '' ? text : `${base}\r\n${text}`);
  },
  role: (c) => {
    const s = of(c);
    c.w.array(2);
    c.w.bulkString('sentinel');
    c.w.stringArray([...s.masters.keys()]);
  },
  publish: (c, argv) => {
    if (argv[1]?.toString() !== HELLO_CHANNEL) return c.w.error(Err.sentinelHelloOnly);
    of(c).processHello(argv[2]?.toString() ?? '');
    c.w.integer(1);
  },
};

/** The sentinel's handlers: the shared ones as the data node has them, and its own. */
export function sentinelHandlers(): Record<string, Handler> {
  return {
    ...Object.fromEntries(Object.entries(allHandlers).filter(([name]) => SHARED.includes(name.split('|')[0] ?? ''))),
    ...handlers,
  };
}
