// Replication benchmark: what replication costs Shoal and how far its replicas trail, beside
// redis-server 7.0 in the same run (issue "A benchmark in bench/").
//
//   npm run bench:replication                          # the three scenarios at the defaults (~6 min)
//   npm run bench:replication -- lag --reps 5          # replication lag under SET load
//   npm run bench:replication -- fullsync --keys 1000000 --modes diskless,disk
//   npm run bench:replication -- throughput --pipelines 16
//   npm run bench:replication -- apply --reps 5             # a replica's apply rate, ~1 min
//   node dist/bench/replication.js --help              # every option, once built
//
// Scenarios (bench/replication/*.ts):
//   lag         a master and one replica (pairs: redis/redis, shoal/shoal, shoal/redis; also
//               redis/shoal on request); redis-benchmark SET -P 16 on the master while a probe
//               writes SET probe:<i> every 10 ms and times the replica's keyspace event
//               (goal for Shoal -> Shoal: p99 < 10 ms); INFO lag_bytes / lag_ms sampled;
//   fullsync    a fresh replica of a master with 1M keys: REPLICAOF -> link up with every key,
//               diskless and disk, Shoal -> Shoal and redis -> redis;
//   throughput  master SET rps with 0, 1 and 2 replicas, at -P 16 and -P 1, as a ratio of none
//               (goal for Shoal: 2 replicas >= 0.9 x none);
//   apply       how fast a fresh replica applies 1M SETs a scripted master streams to it as fast
//               as it reads (SET/s and CPU µs per SET), the capacity the lag depends on.
// Servers are real processes (bin/shoal.js server, redis-server) on 127.0.0.1 with a scratch
// --dir each; every wait has a deadline; every process started here is killed by PID on the way
// out, also on SIGINT/SIGTERM. The machine is shared and has 2 cores: runs are short and one
// load runs at a time. Masters and redis-benchmark run on one CPU, replicas on the other
// (taskset; --no-pin leaves it to the scheduler): as on separate machines, a replica takes no
// CPU from its master, so the figures measure what replication costs the master rather than
// four processes contending for two cores. The load generator shares the master's core with
// or without replicas, so the ratios compare like with like.
//
// Results: a markdown report on stdout, prepended (newest first) to bench/results/replication.md.
// Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK — see bench/README.md.

import path from 'node:path';
import {
  UsageError, runHeaderLines, tookLine, type RunFacts, eachOption, log, packageRoot, parseList, parseOrUsage, parsePositiveInt, prependResults, redisTools, loadOption,
  runBench, uptimeLine, choosePinning, pinningLine, type Pinning,
} from './lib.js';
import { fmtInt } from './engine/report.js';
import { launchLines, newLaunchLog, type LaunchLog, type Side } from './persistence/servers.js';
import { DEFAULT_SYNC_MODES, SYNC_MODES, runFullsync, type FullsyncResult, type SyncMode } from './replication/fullsync.js';
import { runLag, type LagResult } from './replication/lag.js';
import { PAIRS, type PairName } from './replication/nodes.js';
import { GOALS, applyShare, lagGoalMet, lagP99, renderApply, renderFullsync, renderLag, renderThroughput, replicaShare } from './replication/report.js';
import { runThroughput, type ThroughputResult } from './replication/throughput.js';
import { runApply, type ApplyResult } from './replication/apply.js';

// ---------------------------------------------------------------------------------------------
// Options

const SCENARIOS = ['lag', 'fullsync', 'throughput', 'apply', 'all'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const DEFAULTS = {
  lagN: 1_000_000,
  lagPipeline: 16,
  probeMs: 10,
  infoMs: 100,
  drainMs: 10_000,
  keys: 1_000_000,
  value: 100,
  random: 1_000_000,
  tpN: 1_000_000,
  tpN1: 100_000,
  applyN: 1_000_000,
  applyParts: 2,
  clients: 50,
  reps: 3,
  syncTimeoutSec: 300,
  minFreeMb: 1024,
} as const;

const RESULTS_HEADER =
  '# Replication benchmark results\n\n' +
  'Newest first. Written by `npm run bench:replication` (bench/replication.ts; its header says how to run it).\n' +
  'Every figure is set beside a redis-server measured on the same machine in the same run.\n';

interface Options {
  scenario: ScenarioName;
  pairs: PairName[];
  sides: Side[];
  lagN: number;
  lagPipeline: number;
  probeMs: number;
  infoMs: number;
  drainMs: number;
  keys: number;
  modes: SyncMode[];
  value: number;
  random: number;
  tpN: number;
  tpN1: number;
  applyN: number;
  applyParts: number;
  pipelines: number[];
  counts: number[];
  clients: number;
  reps: number;
  syncTimeoutSec: number;
  minFreeBytes: number;
  runTimeoutSec: number | null;
  out: string | null;
  note: string | null;
  pin: boolean;
  realtime: boolean;
}

const USAGE = `Usage: node dist/bench/replication.js [lag|fullsync|throughput|all] [options]   (default: all)
  lag         replication lag under redis-benchmark SET load: probe write on the master -> keyspace event on the replica
  fullsync    REPLICAOF -> every key on a fresh replica of a loaded master, diskless and disk
  throughput  master SET rps with 0, 1 and 2 replicas attached, as a ratio of none
  apply       a fresh replica's apply rate: a scripted master streams SETs as fast as the replica reads them
  all         the four
Options:
  --pairs LIST       lag: master/replica kinds, from ${PAIRS.join(',')} (default redis/redis,shoal/shoal,shoal/redis)
  --sides LIST       fullsync/throughput/apply: redis,shoal (default both; ratios against redis need both)
  -n N               lag: redis-benchmark requests per run (default ${fmtInt(DEFAULTS.lagN)})
  --pipeline P       lag: redis-benchmark -P (default ${DEFAULTS.lagPipeline})
  --probe MS         lag: probe period (default ${DEFAULTS.probeMs})
  --info MS          lag: INFO replication sampling period on the master (default ${DEFAULTS.infoMs})
  --drain MS         lag: longest wait after the load for probes in flight (default ${fmtInt(DEFAULTS.drainMs)})
  --keys N           fullsync: keys on the master (default ${fmtInt(DEFAULTS.keys)})
  --modes LIST       fullsync: from ${SYNC_MODES.join(',')} (default ${DEFAULT_SYNC_MODES.join(',')})
  --sync-timeout SEC fullsync: longest a sync may take (default ${DEFAULTS.syncTimeoutSec})
  --tp-n N           throughput: requests per pipelined invocation (default ${fmtInt(DEFAULTS.tpN)})
  --tp-n1 N          throughput: requests per -P 1 invocation (default ${fmtInt(DEFAULTS.tpN1)})
  --pipelines LIST   throughput: -P depths (default 16,1)
  --replicas LIST    throughput: replica counts (default 0,1,2; ratios need 0)
  --apply-n N        apply: SETs in the stream (default ${fmtInt(DEFAULTS.applyN)})
  --parts N          apply: parts the stream is sent and timed in (default ${DEFAULTS.applyParts})
  --value B          value bytes everywhere (default ${DEFAULTS.value})
  --random N         lag/throughput/apply: key names drawn from (redis-benchmark -r, default ${fmtInt(DEFAULTS.random)})
  -c N               lag/throughput: clients (default ${DEFAULTS.clients})
  --reps N           runs per pair / syncs per side and mode / invocations per cell, alternating (default ${DEFAULTS.reps})
  --min-free MB      fullsync: abort the load when MemAvailable drops below this (default ${DEFAULTS.minFreeMb})
  --run-timeout SEC  stop a redis-benchmark invocation that takes longer (default scaled from -n)
  --out FILE         results file to prepend to (default bench/results/replication.md)
  --no-save          print the report only
  --note TEXT        a line for the report, e.g. which build was measured
  --no-pin           let the scheduler place the processes (default: masters and redis-benchmark on the
                     first allowed CPU, replicas on the second, with taskset)
  --no-rt            lag: keep this process at normal priority during the loads (default: its event loop,
                     which times the probes, runs at SCHED_FIFO 20 with chrt, so that its own late
                     wake-ups on the saturated cores do not count as replication lag)
Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK (see bench/README.md).`;

function intList(flag: string, raw: string | undefined, min: number, max: number): number[] {
  const list = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`${flag} needs a comma-separated list`);
  return [...new Set(list.map((s) => (s === '0' && min === 0 ? 0 : parsePositiveInt(flag, s, max))))];
}

function parseArgs(argv: readonly string[]): Options {
  let rest = argv;
  let scenario: ScenarioName = 'all';
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    const known = SCENARIOS.find((s) => s === first);
    if (known === undefined) throw new UsageError(`unknown scenario '${first}'`);
    scenario = known;
    rest = argv.slice(1);
  }
  const opts: Options = {
    scenario,
    pairs: ['redis/redis', 'shoal/shoal', 'shoal/redis'],
    sides: ['redis', 'shoal'],
    lagN: DEFAULTS.lagN,
    lagPipeline: DEFAULTS.lagPipeline,
    probeMs: DEFAULTS.probeMs,
    infoMs: DEFAULTS.infoMs,
    drainMs: DEFAULTS.drainMs,
    keys: DEFAULTS.keys,
    modes: [...DEFAULT_SYNC_MODES],
    value: DEFAULTS.value,
    random: DEFAULTS.random,
    tpN: DEFAULTS.tpN,
    tpN1: DEFAULTS.tpN1,
    applyN: DEFAULTS.applyN,
    applyParts: DEFAULTS.applyParts,
    pipelines: [16, 1],
    counts: [0, 1, 2],
    clients: DEFAULTS.clients,
    reps: DEFAULTS.reps,
    syncTimeoutSec: DEFAULTS.syncTimeoutSec,
    minFreeBytes: DEFAULTS.minFreeMb * 2 ** 20,
    runTimeoutSec: null,
    out: path.join(packageRoot(), 'bench', 'results', 'replication.md'),
    note: null,
    pin: true,
    realtime: true,
  };
  eachOption(rest, USAGE, (arg, take) => {
    switch (arg) {
      case '--pairs':
        opts.pairs = parseList(arg, take(), PAIRS);
        break;
      case '--sides':
        opts.sides = parseList(arg, take(), ['redis', 'shoal'] as const);
        break;
      case '-n':
        opts.lagN = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--pipeline':
        opts.lagPipeline = parsePositiveInt(arg, take(), 10_000);
        break;
      case '--probe':
        opts.probeMs = parsePositiveInt(arg, take(), 10_000);
        break;
      case '--info':
        opts.infoMs = parsePositiveInt(arg, take(), 60_000);
        break;
      case '--drain':
        opts.drainMs = parsePositiveInt(arg, take(), 600_000);
        break;
      case '--keys':
        opts.keys = parsePositiveInt(arg, take(), 999_999_999);
        break;
      case '--modes':
        opts.modes = parseList(arg, take(), SYNC_MODES);
        break;
      case '--sync-timeout':
        opts.syncTimeoutSec = parsePositiveInt(arg, take(), 86_400);
        break;
      case '--tp-n':
        opts.tpN = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--tp-n1':
        opts.tpN1 = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--pipelines':
        opts.pipelines = intList(arg, take(), 1, 10_000);
        break;
      case '--replicas':
        opts.counts = intList(arg, take(), 0, 8);
        break;
      case '--apply-n':
        opts.applyN = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--parts':
        opts.applyParts = parsePositiveInt(arg, take(), 100);
        break;
      case '--value':
        opts.value = parsePositiveInt(arg, take(), 64 * 2 ** 20);
        break;
      case '--random':
        opts.random = parsePositiveInt(arg, take(), 999_999_999);
        break;
      case '--no-pin':
        opts.pin = false;
        break;
      case '--no-rt':
        opts.realtime = false;
        break;
      default:
        return loadOption(arg, take, opts);
    }
    return true;
  });
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Report header

interface HeaderInput extends RunFacts {
  opts: Options;
  pinning: Pinning | null;
  pinWhy: string;
  launchLog: LaunchLog;
  lag: LagResult | null;
  fullsync: FullsyncResult | null;
  throughput: ThroughputResult | null;
  apply: ApplyResult | null;
}

/** The issue's goals with this run's figures, one line each. */
function summary(h: HeaderInput): string[] {
  const out: string[] = [];
  if (h.lag !== null && h.lag.opts.pairs.includes('shoal/shoal')) {
    const p = lagP99(h.lag, 'shoal/shoal');
    const met = lagGoalMet(h.lag);
    const r = h.lag.opts.pairs.includes('redis/redis') ? lagP99(h.lag, 'redis/redis') : null;
    out.push(
      `- goal: Shoal → Shoal replication lag p99 < ${GOALS.lagP99Ms} ms on loopback under SET -P ${h.lag.opts.pipeline} load: ` +
        `${p === null ? 'n/a' : `${p.toFixed(2)} ms`} (${met === null ? 'n/a' : met ? 'met' : '**not met**'}) (redis → redis ${r === null ? 'n/a' : `${r.toFixed(2)} ms`})`,
    );
  }
  if (h.throughput !== null && h.throughput.opts.counts.includes(0) && h.throughput.opts.counts.includes(2) && h.throughput.opts.sides.includes('shoal')) {
    const t = h.throughput;
    const parts = t.opts.pipelines.map((p) => {
      const s = replicaShare(t, 'shoal', 2, p);
      const r = replicaShare(t, 'redis', 2, p);
      return `-P ${p} ${s === null ? 'n/a' : s.toFixed(2)}${s !== null && s >= GOALS.twoReplicaShare ? ' (met)' : ' (**not met**)'} (redis-server ${r === null ? 'n/a' : r.toFixed(2)})`;
    });
    out.push(`- goal: Shoal master SET throughput with 2 replicas ≥ ${GOALS.twoReplicaShare} × with none: ${parts.join('; ')}`);
  }
  if (h.apply !== null && h.apply.opts.sides.includes('shoal') && h.apply.opts.sides.includes('redis')) {
    const s = applyShare(h.apply);
    out.push(`- a fresh replica's apply rate, shoal/redis: ${s === null ? 'n/a' : s.toFixed(2)} (what the lag depends on: see the apply table)`);
  }
  return out;
}

function renderHeader(h: HeaderInput): string {
  const o = h.opts;
  const reduced = o.reps < DEFAULTS.reps || ((o.scenario === 'fullsync' || o.scenario === 'all') && o.keys < DEFAULTS.keys);
  const lines = [
    ...runHeaderLines(h, 'dist/bench/replication.js', o.scenario, reduced, o.note),
    pinningLine(h.pinning, h.pinWhy, { server: 'masters and redis-benchmark', load: 'replicas' }),
    ...launchLines(h.launchLog, 'P: a free port; M: the master\'s port; <tmpdir>: a fresh directory per server'),
    ...summary(h),
    tookLine(h),
    '',
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opts = parseOrUsage('bench:replication', USAGE, parseArgs, argv);
  if (opts === null) return 2;
  const tools = redisTools('bench:replication');
  if (tools === null) return 1;
  const launchLog = newLaunchLog();
  const { pinning, why } = choosePinning(opts.pin);
  const ctx = { redisBin: tools.server, launchLog, pinning };
  const started = new Date();
  const uptimeAtStart = uptimeLine();
  const run = (s: ScenarioName): boolean => opts.scenario === s || opts.scenario === 'all';
  let lag: LagResult | null = null;
  let fullsync: FullsyncResult | null = null;
  let throughput: ThroughputResult | null = null;
  let apply: ApplyResult | null = null;
  if (run('lag')) {
    log('replication: === lag ===');
    lag = await runLag({
      ctx, benchmarkBin: tools.benchmark, pairs: opts.pairs, n: opts.lagN, pipeline: opts.lagPipeline, clients: opts.clients, random: opts.random,
      value: opts.value, reps: opts.reps, probeMs: opts.probeMs, infoMs: opts.infoMs, drainMs: opts.drainMs, runTimeoutSec: opts.runTimeoutSec,
      realtime: opts.realtime,
    });
  }
  if (run('fullsync')) {
    log(`replication: === fullsync: ${fmtInt(opts.keys)} keys ===`);
    fullsync = await runFullsync({
      ctx, sides: opts.sides, modes: opts.modes, keys: opts.keys, value: opts.value, reps: opts.reps,
      deadlineMs: opts.syncTimeoutSec * 1000, minFreeBytes: opts.minFreeBytes,
    });
  }
  if (run('throughput')) {
    log('replication: === throughput ===');
    throughput = await runThroughput({
      ctx, benchmarkBin: tools.benchmark, sides: opts.sides, counts: opts.counts, pipelines: opts.pipelines, nPipelined: opts.tpN,
      nUnpipelined: opts.tpN1, clients: opts.clients, random: opts.random, value: opts.value, reps: opts.reps, runTimeoutSec: opts.runTimeoutSec,
    });
  }
  if (run('apply')) {
    log('replication: === apply ===');
    apply = await runApply({ ctx, sides: opts.sides, n: opts.applyN, parts: opts.applyParts, random: opts.random, value: opts.value, reps: opts.reps });
  }
  const header = renderHeader({
    opts, argv, redisBin: tools.server, benchmarkBin: tools.benchmark, launchLog, started, finished: new Date(),
    uptimeAtStart, uptimeAtEnd: uptimeLine(), lag, fullsync, throughput, apply, pinning, pinWhy: why,
  });
  const sections = [
    lag !== null ? renderLag(lag) : '',
    fullsync !== null ? renderFullsync(fullsync) : '',
    throughput !== null ? renderThroughput(throughput) : '',
    apply !== null ? renderApply(apply) : '',
  ].filter((s) => s !== '');
  const report = header + sections.join('\n');
  process.stdout.write(report);
  if (opts.out !== null) {
    prependResults(opts.out, RESULTS_HEADER, report);
    log(`bench:replication: results prepended to ${opts.out}`);
  }
  const failed =
    (lag !== null && (lag.setupFailures.size > 0 || lag.runs.some((r) => r.failure !== null))) ||
    (fullsync !== null && (fullsync.setupFailures.size > 0 || fullsync.runs.some((r) => r.failure !== null || r.spotCheck !== null))) ||
    (throughput !== null && throughput.runs.some((r) => r.failure !== null)) ||
    (apply !== null && apply.runs.some((r) => r.failure !== null));
  return failed ? 1 : 0;
}

runBench('bench:replication', main);
