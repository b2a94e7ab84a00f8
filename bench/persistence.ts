// Persistence benchmark: what BGSAVE and the AOF cost Shoal, beside a real redis-server in the
// same run (issue "A benchmark in bench/").
//
//   npm run bench:persistence                          # all three scenarios at 1M keys (~10 min)
//   npm run bench:persistence -- snapshot --keys 10000000   # BGSAVE of 10M keys (minutes, ~3 GB per server)
//   npm run bench:persistence -- busy --reps 5         # throughput while snapshots loop
//   npm run bench:persistence -- aof --pipelines 16    # appendfsync everysec / always vs none
//   node dist/bench/persistence.js --help              # every option, once built
//
// Scenarios (bench/persistence/*.ts):
//   snapshot  time and extra memory of a BGSAVE of N keys (10 B keys, 100 B values) on an idle
//             server: duration from the log lines, RSS / PSS sampled from /proc every 50 ms,
//             INFO current_cow_peak and rdb_last_cow_size;
//   busy      redis-benchmark SET/GET -P 16 while BGSAVEs run back to back, as a ratio of the
//             same without them (goal for Shoal: >= 0.9);
//   aof       redis-benchmark SET at -P 1 and -P 16 with appendfsync everysec (goal for Shoal:
//             >= 0.9 of no persistence) and always (information).
// Servers are real processes (bin/shoal.js server, redis-server) on 127.0.0.1 with a scratch
// --dir each; every step has a deadline; every process started here is killed by PID on the
// way out, also on SIGINT/SIGTERM.
//
// Results: a markdown report on stdout, prepended (newest first) to bench/results/persistence.md.
// Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK — see bench/README.md.

import path from 'node:path';
import {
  UsageError, runHeaderLines, tookLine, type RunFacts, parseList, parseOrUsage, eachOption, log, packageRoot, parsePositiveInt, prependResults, redisTools,
  loadOption, runBench, uptimeLine,
} from './lib.js';
import { fmtInt } from './engine/report.js';
import { AOF_MODES, runAof, type AofMode, type AofResult } from './persistence/aof.js';
import { BUSY_TESTS, runBusy, type BusyResult } from './persistence/busy.js';
import { GOALS, aofShare, busyShare, renderAof, renderBusy, renderSnapshot } from './persistence/report.js';
import { launchLines, newLaunchLog, type LaunchLog, type Side } from './persistence/servers.js';
import { runSnapshot, type SnapshotResult } from './persistence/snapshot.js';

// ---------------------------------------------------------------------------------------------
// Options

const SCENARIOS = ['snapshot', 'busy', 'aof', 'all'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const DEFAULTS = {
  keys: 1_000_000,
  value: 100,
  saves: 3,
  random: 1_000_000,
  busyN: 1_000_000,
  busyPipeline: 16,
  aofN: 1_000_000,
  aofN1: 100_000,
  clients: 50,
  reps: 3,
  settleMs: 2000,
  sampleMs: 50,
  minFreeMb: 1024,
} as const;

const RESULTS_HEADER =
  '# Persistence benchmark results\n\n' +
  'Newest first. Written by `npm run bench:persistence` (bench/persistence.ts; its header says how to run it).\n' +
  'Every figure is set beside a redis-server measured on the same machine in the same run.\n';

interface Options {
  scenario: ScenarioName;
  keys: number;
  value: number;
  saves: number;
  random: number;
  busyN: number;
  busyPipeline: number;
  aofN: number;
  aofN1: number;
  pipelines: number[];
  modes: AofMode[];
  clients: number;
  reps: number;
  sides: Side[];
  settleMs: number;
  sampleMs: number;
  minFreeBytes: number;
  runTimeoutSec: number | null;
  out: string | null;
  note: string | null;
}

const USAGE = `Usage: node dist/bench/persistence.js [snapshot|busy|aof|all] [options]   (default: all)
  snapshot   BGSAVE of N keys on an idle server: duration, RSS / PSS peak over the save, INFO cow figures
  busy       redis-benchmark -t set,get while BGSAVEs loop, vs without them
  aof        redis-benchmark -t set with appendfsync everysec and always, vs appendonly no
  all        the three
Options:
  --keys N           snapshot: keys (default ${fmtInt(DEFAULTS.keys)}; 10,000,000 takes minutes and ~3 GB per server)
  --value B          value bytes everywhere (default ${DEFAULTS.value})
  --saves N          snapshot: BGSAVEs per side, alternating (default ${DEFAULTS.saves})
  --random N         busy/aof: redis-benchmark -r, and keys preloaded for busy (default ${fmtInt(DEFAULTS.random)})
  -n N               busy: requests per test (default ${fmtInt(DEFAULTS.busyN)})
  --pipeline P       busy: -P (default ${DEFAULTS.busyPipeline})
  --aof-n N          aof: requests per pipelined invocation (default ${fmtInt(DEFAULTS.aofN)})
  --aof-n1 N         aof: requests per -P 1 invocation (default ${fmtInt(DEFAULTS.aofN1)})
  --pipelines LIST   aof: -P depths (default 1,16)
  --modes LIST       aof: ${AOF_MODES.join(',')} (default all; ratios need none)
  -c N               busy/aof: clients (default ${DEFAULTS.clients})
  --reps N           busy/aof: invocations per side and cell, alternating (default ${DEFAULTS.reps})
  --sides LIST       redis,shoal (default both; ratios against redis need both)
  --settle MS        snapshot: wait after loading (default ${DEFAULTS.settleMs})
  --sample MS        snapshot: memory / INFO sampling period during a save (default ${DEFAULTS.sampleMs})
  --min-free MB      abort a load when MemAvailable drops below this (default ${DEFAULTS.minFreeMb})
  --run-timeout SEC  busy/aof: stop a redis-benchmark invocation that takes longer (default scaled from -n)
  --out FILE         results file to prepend to (default bench/results/persistence.md)
  --no-save          print the report only
  --note TEXT        a line for the report, e.g. which build was measured
Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK (see bench/README.md).`;

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
    keys: DEFAULTS.keys,
    value: DEFAULTS.value,
    saves: DEFAULTS.saves,
    random: DEFAULTS.random,
    busyN: DEFAULTS.busyN,
    busyPipeline: DEFAULTS.busyPipeline,
    aofN: DEFAULTS.aofN,
    aofN1: DEFAULTS.aofN1,
    pipelines: [1, 16],
    modes: [...AOF_MODES],
    clients: DEFAULTS.clients,
    reps: DEFAULTS.reps,
    sides: ['redis', 'shoal'],
    settleMs: DEFAULTS.settleMs,
    sampleMs: DEFAULTS.sampleMs,
    minFreeBytes: DEFAULTS.minFreeMb * 2 ** 20,
    runTimeoutSec: null,
    out: path.join(packageRoot(), 'bench', 'results', 'persistence.md'),
    note: null,
  };
  eachOption(rest, USAGE, (arg, take) => {
    switch (arg) {
      case '--keys':
        opts.keys = parsePositiveInt(arg, take(), 999_999_999);
        break;
      case '--value':
        opts.value = parsePositiveInt(arg, take(), 64 * 2 ** 20);
        break;
      case '--saves':
        opts.saves = parsePositiveInt(arg, take(), 100);
        break;
      case '--random':
        opts.random = parsePositiveInt(arg, take(), 999_999_999);
        break;
      case '-n':
        opts.busyN = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--pipeline':
        opts.busyPipeline = parsePositiveInt(arg, take(), 10_000);
        break;
      case '--aof-n':
        opts.aofN = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--aof-n1':
        opts.aofN1 = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--pipelines': {
        const list = (take() ?? '').split(',').filter((s) => s.trim() !== '');
        if (list.length === 0) throw new UsageError('--pipelines needs a comma-separated list');
        opts.pipelines = [...new Set(list.map((s) => parsePositiveInt(arg, s.trim(), 10_000)))];
        break;
      }
      case '--modes':
        opts.modes = parseList(arg, take(), AOF_MODES);
        break;
      case '--sides':
        opts.sides = parseList(arg, take(), ['redis', 'shoal'] as const);
        break;
      case '--settle':
        opts.settleMs = parsePositiveInt(arg, take(), 600_000);
        break;
      case '--sample':
        opts.sampleMs = parsePositiveInt(arg, take(), 10_000);
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
  launchLog: LaunchLog;
  snapshot: SnapshotResult | null;
  busy: BusyResult | null;
  aof: AofResult | null;
}

/** The goals of the issue with this run's figures, one line each. */
function summary(h: HeaderInput): string[] {
  const out: string[] = [];
  const both = h.opts.sides.includes('shoal');
  if (!both) return out;
  if (h.busy !== null && h.busy.failure === null) {
    const parts = BUSY_TESTS.map((t) => {
      const s = busyShare(h.busy as BusyResult, 'shoal', t);
      const r = busyShare(h.busy as BusyResult, 'redis', t);
      return `${t} ${s === null ? 'n/a' : s.toFixed(2)}${s !== null && s >= GOALS.savingShare ? ' (met)' : ' (**not met**)'} (redis-server ${r === null ? 'n/a' : r.toFixed(2)})`;
    });
    out.push(`- goal: Shoal throughput while snapshotting ≥ ${GOALS.savingShare} × without: ${parts.join('; ')}`);
  }
  if (h.aof !== null && h.aof.opts.modes.includes('everysec') && h.aof.opts.modes.includes('none')) {
    const parts = h.aof.opts.pipelines.map((p) => {
      const s = aofShare(h.aof as AofResult, 'shoal', 'everysec', p);
      const r = aofShare(h.aof as AofResult, 'redis', 'everysec', p);
      return `-P ${p} ${s === null ? 'n/a' : s.toFixed(2)}${s !== null && s >= GOALS.everysecShare ? ' (met)' : ' (**not met**)'} (redis-server ${r === null ? 'n/a' : r.toFixed(2)})`;
    });
    out.push(`- goal: Shoal SET throughput with appendfsync everysec ≥ ${GOALS.everysecShare} × appendonly no: ${parts.join('; ')}`);
  }
  return out;
}

function renderHeader(h: HeaderInput): string {
  const o = h.opts;
  const reduced = ((o.scenario === 'snapshot' || o.scenario === 'all') && o.keys < DEFAULTS.keys) || o.reps < DEFAULTS.reps;
  const lines = [
    ...runHeaderLines(h, 'dist/bench/persistence.js', o.scenario, reduced, o.note),
    ...launchLines(h.launchLog, 'P: a free port; <tmpdir>: a fresh directory per server'),
  ];
  lines.push(...summary(h), tookLine(h), '', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opts = parseOrUsage('bench:persistence', USAGE, parseArgs, argv);
  if (opts === null) return 2;
  const tools = redisTools('bench:persistence');
  if (tools === null) return 1;
  const launchLog = newLaunchLog();
  const started = new Date();
  const uptimeAtStart = uptimeLine();
  const run = (s: ScenarioName): boolean => opts.scenario === s || opts.scenario === 'all';
  let snapshot: SnapshotResult | null = null;
  let busy: BusyResult | null = null;
  let aof: AofResult | null = null;
  if (run('snapshot')) {
    log(`persistence: === snapshot: ${fmtInt(opts.keys)} keys ===`);
    snapshot = await runSnapshot(
      { redisBin: tools.server, keys: opts.keys, value: opts.value, saves: opts.saves, sides: opts.sides, settleMs: opts.settleMs, sampleMs: opts.sampleMs, minFreeBytes: opts.minFreeBytes },
      launchLog,
    );
  }
  if (run('busy')) {
    log('persistence: === busy ===');
    busy = await runBusy(
      {
        redisBin: tools.server, benchmarkBin: tools.benchmark, random: opts.random, value: opts.value, n: opts.busyN, pipeline: opts.busyPipeline,
        clients: opts.clients, reps: opts.reps, sides: opts.sides, minFreeBytes: opts.minFreeBytes, runTimeoutSec: opts.runTimeoutSec,
      },
      launchLog,
    );
  }
  if (run('aof')) {
    log('persistence: === aof ===');
    aof = await runAof(
      {
        redisBin: tools.server, benchmarkBin: tools.benchmark, pipelines: opts.pipelines, modes: opts.modes, nUnpipelined: opts.aofN1,
        nPipelined: opts.aofN, random: opts.random, value: opts.value, clients: opts.clients, reps: opts.reps, sides: opts.sides,
        runTimeoutSec: opts.runTimeoutSec,
      },
      launchLog,
    );
  }
  const header = renderHeader({
    opts, argv, redisBin: tools.server, benchmarkBin: tools.benchmark, launchLog, started, finished: new Date(),
    uptimeAtStart, uptimeAtEnd: uptimeLine(), snapshot, busy, aof,
  });
  const sections = [
    snapshot !== null ? renderSnapshot(snapshot, opts.sides) : '',
    busy !== null ? renderBusy(busy, opts.sides) : '',
    aof !== null ? renderAof(aof, opts.sides) : '',
  ].filter((s) => s !== '');
  const report = header + sections.join('\n');
  process.stdout.write(report);
  if (opts.out !== null) {
    prependResults(opts.out, RESULTS_HEADER, report);
    log(`bench:persistence: results prepended to ${opts.out}`);
  }
  const failed =
    (snapshot !== null && (snapshot.failure !== null || snapshot.loads.some((l) => l.failure !== null) || snapshot.saves.some((s) => s.failure !== null))) ||
    (busy !== null && (busy.failure !== null || busy.runs.some((r) => r.failure !== null))) ||
    (aof !== null && aof.runs.some((r) => r.failure !== null));
  return failed ? 1 : 0;
}

runBench('bench:persistence', main);
