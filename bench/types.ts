// Aggregate-types benchmark: memory per key of small hashes, lists, sets and sorted sets, and
// redis-benchmark's type tests, for Shoal and a real redis-server in the same run.
//
//   npm run bench:types -- memory --keys 1000000        # 6 shapes × 1M keys: RSS, used_memory, load, GC
//   npm run bench:types -- throughput                   # -t lpush,...,lrange_300 at -P 1 and 16, 3 reps
//   npm run bench:types -- all                          # both
//
// Everything goes over the wire (a raw-RESP loader, redis-benchmark, INFO, MEMORY MALLOC-STATS)
// plus /proc for RSS, so it measures whatever the server build holds. Shoal runs under
// `node --trace-gc` in both scenarios. Every step has a deadline; every process started here
// is killed by PID on the way out, also on SIGINT/SIGTERM.
//
// Results: a markdown report on stdout, prepended (newest first) to bench/results/types.md.
// Environment: BENCH_SHOAL_CMD (with `{nodeflags}` where --trace-gc goes), REDIS_SERVER,
// REDIS_BENCHMARK — see bench/README.md.

import os from 'node:os';
import path from 'node:path';
import {
  UsageError, parseList, parseOrUsage, commandLine, cpuModel, firstLine, parsePositiveInt, prependResults, redisTools, eachOption, loadOption, runBench,
} from './lib.js';
import { memTotal } from './engine/measure.js';
import { fmtInt } from './engine/report.js';
import { SHAPES, shapeByName, type Shape } from './types/dataset.js';
import { runMemory, type ShapeResult } from './types/memory.js';
import { renderMemory, renderThroughput, widestSpread } from './types/report.js';
import { log, packageRoot, type LaunchLog, type Side } from './types/servers.js';
import {
  DEFAULT_N_PIPELINED, DEFAULT_N_UNPIPELINED, TYPE_TESTS, runThroughput, type ThroughputResult, type TypeTest,
} from './types/throughput.js';

// ---------------------------------------------------------------------------------------------
// Options

const SCENARIOS = ['memory', 'throughput', 'all'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const DEFAULT_KEYS = 1_000_000;
const DEFAULT_MEMORY_REPS = 1;
const DEFAULT_REPS = 3;
const DEFAULT_CLIENTS = 50;
const DEFAULT_RANDOM = 1_000_000;
const DEFAULT_SETTLE_MS = 2000;
const DEFAULT_MIN_FREE_MB = 1024;
const RESULTS_HEADER =
  '# Aggregate-types benchmark results\n\n' +
  'Newest first. Written by `npm run bench:types` (bench/types.ts); see bench/README.md for how to read them.\n' +
  'Every figure compares Shoal with a redis-server measured on the same machine in the same run.\n';

interface Options {
  scenario: ScenarioName;
  keys: number;
  shapes: Shape[];
  memReps: number;
  tests: TypeTest[];
  pipelines: number[];
  reps: number;
  n: number | null;
  clients: number;
  random: number;
  settleMs: number;
  sides: Side[];
  minFreeBytes: number;
  chunk: number | null;
  window: number | null;
  runTimeoutSec: number | null;
  out: string | null;
  note: string | null;
}

const USAGE = `Usage: node dist/bench/types.js <memory|throughput|all> [options]
  memory      per shape, a fresh redis-server and a fresh Shoal (one at a time): load N keys of the
              shape, then RSS, used_memory, peak RSS, load time; Shoal's V8 heap split and GC pauses
  throughput  redis-benchmark -t ${TYPE_TESTS.join(',')}
              against both, alternating invocations, at each -P; then the set/hash/zset tests with -r
  all         both
Options:
  --keys N           memory: keys per shape (default ${fmtInt(DEFAULT_KEYS)})
  --shapes LIST      memory: ${SHAPES.map((s) => s.name).join(',')} (default all)
  --mem-reps N       memory: fresh starts per server and shape, alternating (default ${DEFAULT_MEMORY_REPS})
  --tests LIST       throughput: subset of the tests above (default all)
  --pipelines LIST   throughput: -P depths (default 1,16)
  --reps N           throughput: invocations per side and pass, alternating (default ${DEFAULT_REPS})
  -n N               throughput: requests per test (default ${fmtInt(DEFAULT_N_UNPIPELINED)} at -P 1, ${fmtInt(DEFAULT_N_PIPELINED)} pipelined)
  -c N               throughput: clients (default ${DEFAULT_CLIENTS})
  --random N         throughput: -r of the pass over sadd,hset,spop,zadd,zpopmin (default ${fmtInt(DEFAULT_RANDOM)}; 0 skips it)
  --run-timeout SEC  throughput: stop an invocation that takes longer (default scaled from -n)
  --settle MS        memory: wait before each sample, empty and loaded (default ${DEFAULT_SETTLE_MS})
  --sides LIST       redis,shoal (default both; ratios need both)
  --min-free MB      memory: abort a load when MemAvailable drops below this (default ${DEFAULT_MIN_FREE_MB})
  --chunk N          memory: commands per socket write (default: about 2 MB of them, at most 10,000)
  --window N         memory: most commands in flight (default: about 16 MB of them)
  --out FILE         results file to prepend to (default bench/results/types.md)
  --no-save          print the report only
  --note TEXT        a line for the report, e.g. which build was measured
Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK (see bench/README.md).`;

function parseArgs(argv: readonly string[]): Options {
  const [scenario, ...rest] = argv;
  if (scenario === '--help' || scenario === '-h') {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const known = SCENARIOS.find((s) => s === scenario);
  if (known === undefined) throw new UsageError(scenario === undefined ? 'which scenario?' : `unknown scenario '${scenario}'`);
  const opts: Options = {
    scenario: known,
    keys: DEFAULT_KEYS,
    shapes: [...SHAPES],
    memReps: DEFAULT_MEMORY_REPS,
    tests: [...TYPE_TESTS],
    pipelines: [1, 16],
    reps: DEFAULT_REPS,
    n: null,
    clients: DEFAULT_CLIENTS,
    random: DEFAULT_RANDOM,
    settleMs: DEFAULT_SETTLE_MS,
    sides: ['redis', 'shoal'],
    minFreeBytes: DEFAULT_MIN_FREE_MB * 2 ** 20,
    chunk: null,
    window: null,
    runTimeoutSec: null,
    out: path.join(packageRoot(), 'bench', 'results', 'types.md'),
    note: null,
  };
  eachOption(rest, USAGE, (arg, take) => {
    switch (arg) {
      case '--keys':
        opts.keys = parsePositiveInt(arg, take(), 999_999_999);
        break;
      case '--shapes':
        opts.shapes = parseList(arg, take(), SHAPES.map((s) => s.name)).map((n) => shapeByName(n) as Shape);
        break;
      case '--mem-reps':
        opts.memReps = parsePositiveInt(arg, take(), 100);
        break;
      case '--tests':
        opts.tests = parseList(arg, take(), TYPE_TESTS);
        break;
      case '--pipelines': {
        const list = (take() ?? '').split(',').filter((s) => s.trim() !== '');
        if (list.length === 0) throw new UsageError('--pipelines needs a comma-separated list');
        opts.pipelines = [...new Set(list.map((s) => parsePositiveInt(arg, s.trim(), 10_000)))];
        break;
      }
      case '-n':
        opts.n = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--random': {
        const v = take();
        opts.random = v === '0' ? 0 : parsePositiveInt(arg, v, 1_000_000_000);
        break;
      }
      case '--settle':
        opts.settleMs = parsePositiveInt(arg, take(), 600_000);
        break;
      case '--chunk':
        opts.chunk = parsePositiveInt(arg, take(), 1_000_000);
        break;
      case '--window':
        opts.window = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--sides':
        opts.sides = parseList(arg, take(), ['redis', 'shoal'] as const);
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

interface HeaderInput {
  opts: Options;
  argv: readonly string[];
  redisBin: string;
  benchmarkBin: string;
  launchLog: LaunchLog;
  started: Date;
  finished: Date;
  loadAtStart: number[];
  loadAtEnd: number[];
  throughput: ThroughputResult | null;
}

function renderHeader(h: HeaderInput): string {
  const o = h.opts;
  const secs = Math.round((h.finished.getTime() - h.started.getTime()) / 1000);
  const reduced = (o.scenario !== 'throughput' && o.keys < DEFAULT_KEYS) || (o.scenario !== 'memory' && o.reps < DEFAULT_REPS);
  const la = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' / ');
  const lines = [
    `## ${h.started.toISOString()} — ${o.scenario}${reduced ? ' (reduced: indicative only)' : ''}`,
    '',
    `- machine: ${cpuModel()}, ${os.cpus().length} logical cores, ${(memTotal() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}; ` +
      `load average ${la(h.loadAtStart)} at start, ${la(h.loadAtEnd)} at the end (the machine is shared: other work skews every figure)`,
    `- node ${process.version}; ${firstLine(h.redisBin, ['--version'])}; ${firstLine(h.benchmarkBin, ['--version'])}`,
    `- command: \`${commandLine(['node', 'dist/bench/types.js', ...h.argv])}\`` +
      (process.env['BENCH_SHOAL_CMD'] ? ` with \`BENCH_SHOAL_CMD=${commandLine([process.env['BENCH_SHOAL_CMD']])}\`` : ''),
  ];
  if (o.note !== null) lines.push(`- note: ${o.note}`);
  if (h.launchLog.shown.redis !== undefined) lines.push(`- redis side: \`${h.launchLog.shown.redis}\``);
  if (h.launchLog.shown.shoal !== undefined) {
    const builds = [...h.launchLog.builds].sort();
    const buildNote =
      builds.length === 1
        ? ` (dist/ compiled ${builds[0] ?? ''})`
        : builds.length > 1
          ? ` (**dist/ was recompiled between Shoal starts: builds of ${builds.join(', ')}; samples span different code**)`
          : '';
    lines.push(
      `- shoal side: \`${h.launchLog.shown.shoal}\`` + (h.launchLog.overridden ? ' (**BENCH_SHOAL_CMD override — not necessarily Shoal**)' : buildNote),
    );
  }
  if (!h.launchLog.traceApplied) lines.push('- GC figures: n/a (BENCH_SHOAL_CMD has no `{nodeflags}`, so --trace-gc was not applied)');
  if (h.throughput !== null && h.throughput.failure === null && h.throughput.reps < 2) {
    lines.push('- noise: one invocation per side and pass, so no spread was measured: a smoke run, not for comparison');
  } else if (h.throughput !== null && h.throughput.failure === null) {
    lines.push(
      `- noise: the widest rps spread of one test over its invocations was ${widestSpread(h.throughput, 'redis').toFixed(0)} % (redis) and ` +
        `${widestSpread(h.throughput, 'shoal').toFixed(0)} % (shoal); distrust ratios whose gap is smaller than the spread`,
    );
  }
  lines.push(`- took ${secs} s`, '', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opts = parseOrUsage('bench:types', USAGE, parseArgs, argv);
  if (opts === null) return 2;
  const tools = redisTools('bench:types');
  if (tools === null) return 1;
  const redisBin = tools.server;
  const benchmarkBin = tools.benchmark;
  const launchLog: LaunchLog = { shown: {}, overridden: false, traceApplied: true, builds: new Set() };
  const started = new Date();
  const loadAtStart = os.loadavg();
  let memory: ShapeResult[] = [];
  let throughput: ThroughputResult | null = null;
  if (opts.scenario !== 'throughput') {
    memory = await runMemory(
      {
        redisBin, keys: opts.keys, reps: opts.memReps, sides: opts.sides, settleMs: opts.settleMs,
        minFreeBytes: opts.minFreeBytes, chunk: opts.chunk, window: opts.window,
      },
      opts.shapes,
      launchLog,
    );
  }
  if (opts.scenario !== 'memory') {
    log('types: === throughput ===');
    throughput = await runThroughput(
      {
        redisBin, benchmarkBin, tests: opts.tests, pipelines: opts.pipelines, reps: opts.reps, n: opts.n,
        clients: opts.clients, random: opts.random, runTimeoutSec: opts.runTimeoutSec,
      },
      opts.sides,
      launchLog,
    );
  }
  const report =
    renderHeader({ opts, argv, redisBin, benchmarkBin, launchLog, started, finished: new Date(), loadAtStart, loadAtEnd: os.loadavg(), throughput }) +
    renderMemory(memory, opts.memReps) +
    (memory.length > 0 && throughput !== null ? '\n' : '') +
    (throughput !== null ? renderThroughput(throughput) : '');
  process.stdout.write(report);
  if (opts.out !== null) {
    prependResults(opts.out, RESULTS_HEADER, report);
    log(`bench:types: results prepended to ${opts.out}`);
  }
  const failed = memory.some((r) => r.samples.some((s) => s.failure !== null)) || (throughput !== null && (throughput.failure !== null || throughput.invocations.some((i) => i.failure !== null)));
  return failed ? 1 : 0;
}

runBench('bench:types', main);
