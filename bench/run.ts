// Server-core benchmark: Shoal vs a real redis-server, measured side by side in the same run.
//
//   npm run bench                      # full matrix (SET,GET,INCR,MSET × -P 1,16 × with/without -r), 3 reps
//   npm run bench -- --quick           # smoke run: small -n, 1 rep
//   npm run bench -- --tests set,get --pipelines 16 --reps 5 -n 500000 --out /tmp/r.md
//
// Both servers are spawned as child processes on free loopback ports and tracked by PID; every
// redis-benchmark run (`--csv`, 50 clients) alternates redis, shoal, redis, shoal, ... so that
// machine noise hits both sides alike. Both servers run on one CPU and redis-benchmark on another
// (taskset; --no-pin leaves placement to the scheduler, whose choice flips runs between a fast
// and a slow mode on a 2-core machine). Reported: median rps / p50 / p99 per side, rps spread
// (min–max), and the Shoal/Redis ratio of median rps; and each server's own CPU time per
// request (from /proc/<pid>/stat around each run) with the ratio it gives: it leaves out the
// time a server waits for a core that redis-benchmark holds, though a slower machine raises it
// as it lowers rps. The markdown report goes to stdout and is
// prepended (newest first) to bench/results/server-core.md (or --out FILE).
//
// Environment:
//   BENCH_SHOAL_CMD   command line that starts the "shoal" side instead of `node bin/shoal.js server`
//                     (run through /bin/sh with `exec`, so the PID is the server's). `{port}` is
//                     replaced by the chosen port; without it, the standard flags
//                     `--port P --bind 127.0.0.1 --save '' --appendonly no` are appended.
//                     E.g. BENCH_SHOAL_CMD=redis-server validates the harness against itself.
//   REDIS_SERVER, REDIS_BENCHMARK   binaries to use instead of the ones on PATH.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT, killAll, tempDirs, which, freePort, commandLine, startServer, waitForPing, flushAll, assertAlive, shoalCommand, runBenchmark, median, firstLine, cpuModel, prependResults, parsePositiveInt, UsageError, type Server, eachOption, runBench, log, processCpuMs,
  choosePinning, pinningLine, type Pinning,
} from './lib.js';

// ---------------------------------------------------------------------------------------------
// Constants

const ALL_TESTS = ['set', 'get', 'incr', 'mset'] as const;
type TestName = (typeof ALL_TESTS)[number];
const RANDOM_KEYSPACE = 1_000_000;
const DEFAULT_CLIENTS = 50;
const DEFAULT_REPS = 3;
/**
 * Default -n, chosen so one run takes roughly 2–5 s against redis-server on a small machine:
 * unpipelined runs are latency-bound (~40k rps); pipelined ones reach ~0.3–0.7M rps, except MSET
 * (10 keys per request), which is given a quarter of the requests.
 */
const DEFAULT_N_UNPIPELINED = 100_000;
const DEFAULT_N_PIPELINED = 1_000_000;
const DEFAULT_N_PIPELINED_MSET = 250_000;
const QUICK_N_UNPIPELINED = 10_000;
const QUICK_N_PIPELINED = 50_000;
const MAX_REPS = 100;
const RESULTS_HEADER =
  '# Server-core benchmark results\n\n' +
  'Newest first. Written by `npm run bench` (bench/run.ts); see bench/README.md for how to read them.\n' +
  'All figures compare Shoal with a redis-server measured on the same machine in the same run.\n';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  tests: TestName[];
  pipelines: number[];
  reps: number;
  /** Explicit -n for every run, or null for the per-pipeline default. */
  n: number | null;
  clients: number;
  quick: boolean;
  out: string;
  runTimeoutSec: number | null;
  /** Pin servers and redis-benchmark to separate CPUs (default where possible). */
  pin: boolean;
}

const USAGE = `Usage: node dist/bench/run.js [options]
  --tests set,get,incr,mset   tests to run (default: all four)
  --pipelines 1,16            pipeline depths, redis-benchmark -P (default: 1,16)
  --reps N                    repetitions per configuration and side (default: ${DEFAULT_REPS})
  -n N                        requests per run, all tests (default: ${DEFAULT_N_UNPIPELINED} at -P 1; pipelined
                              ${DEFAULT_N_PIPELINED}, MSET ${DEFAULT_N_PIPELINED_MSET})
  -c N                        parallel clients (default: ${DEFAULT_CLIENTS})
  --quick                     smoke run: -n ${QUICK_N_UNPIPELINED}/${QUICK_N_PIPELINED}, 1 rep (explicit -n/--reps still win)
  --out FILE                  results file to prepend to (default: bench/results/server-core.md)
  --run-timeout SEC           abort if one redis-benchmark run takes longer (default: scaled from -n)
  --no-pin                    let the scheduler place the processes (default: servers on the first
                              allowed CPU, redis-benchmark on the second, with taskset)
Environment: BENCH_SHOAL_CMD, REDIS_SERVER, REDIS_BENCHMARK (see bench/README.md).`;

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    tests: [...ALL_TESTS],
    pipelines: [1, 16],
    reps: DEFAULT_REPS,
    n: null,
    clients: DEFAULT_CLIENTS,
    quick: false,
    out: path.join(ROOT, 'bench', 'results', 'server-core.md'),
    runTimeoutSec: null,
    pin: true,
  };
  let repsGiven = false;
  eachOption(argv, USAGE, (arg, takeValue) => {
    switch (arg) {
      case '--tests': {
        const list = (takeValue() ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
        if (list.length === 0) throw new UsageError('--tests needs a comma-separated list');
        const tests: TestName[] = [];
        for (const t of list) {
          const known = ALL_TESTS.find((k) => k === t);
          if (known === undefined) throw new UsageError(`unknown test '${t}' (known: ${ALL_TESTS.join(', ')})`);
          if (!tests.includes(known)) tests.push(known);
        }
        opts.tests = tests;
        break;
      }
      case '--pipelines': {
        const list = (takeValue() ?? '').split(',').filter((s) => s.trim() !== '');
        if (list.length === 0) throw new UsageError('--pipelines needs a comma-separated list');
        opts.pipelines = [...new Set(list.map((s) => parsePositiveInt('--pipelines', s.trim(), 10_000)))];
        break;
      }
      case '--reps':
        opts.reps = parsePositiveInt('--reps', takeValue(), MAX_REPS);
        repsGiven = true;
        break;
      case '-n':
        opts.n = parsePositiveInt('-n', takeValue(), 1_000_000_000);
        break;
      case '-c':
        opts.clients = parsePositiveInt('-c', takeValue(), 10_000);
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--no-pin':
        opts.pin = false;
        break;
      case '--out': {
        const v = takeValue();
        if (v === undefined || v === '') throw new UsageError('--out needs a file name');
        opts.out = path.resolve(v);
        break;
      }
      case '--run-timeout':
        opts.runTimeoutSec = parsePositiveInt('--run-timeout', takeValue(), 86_400);
        break;
      default:
        return false;
    }
    return true;
  });
  if (opts.quick && !repsGiven) opts.reps = 1;
  return opts;
}

function requestsFor(opts: Options, test: TestName, pipeline: number): number {
  if (opts.n !== null) return opts.n;
  if (opts.quick) return pipeline > 1 ? QUICK_N_PIPELINED : QUICK_N_UNPIPELINED;
  if (pipeline <= 1) return DEFAULT_N_UNPIPELINED;
  return test === 'mset' ? DEFAULT_N_PIPELINED_MSET : DEFAULT_N_PIPELINED;
}


// ---------------------------------------------------------------------------------------------
// redis-benchmark

interface Sample {
  rps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The server's CPU time per request during the run (µs), or null without /proc. */
  cpuUs: number | null;
}

/** Splits one CSV line, honouring double-quoted fields with "" escapes. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(cur);
      cur = '';
    } else cur += ch ?? '';
  }
  fields.push(cur);
  return fields;
}

/** Parses redis-benchmark 7.0 `--csv` output (header row + one row per test); returns the row for `test`. */
function parseBenchmarkCsv(text: string, test: TestName): Sample {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('"'));
  const headerIdx = lines.findIndex((l) => splitCsvLine(l)[0] === 'test');
  if (headerIdx < 0) throw new Error('no CSV header in redis-benchmark output (is it redis-benchmark >= 7.0?)');
  const header = splitCsvLine(lines[headerIdx] ?? '');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark CSV lacks column '${name}' (header: ${header.join(',')})`);
    return i;
  };
  const cols = {
    rps: col('rps'),
    avg: col('avg_latency_ms'),
    p50: col('p50_latency_ms'),
    p99: col('p99_latency_ms'),
    max: col('max_latency_ms'),
  };
  const want = test.toUpperCase();
  for (const line of lines.slice(headerIdx + 1)) {
    const f = splitCsvLine(line);
    const name = (f[0] ?? '').toUpperCase();
    // MSET is reported as "MSET (10 keys)".
    if (name !== want && !name.startsWith(want + ' ')) continue;
    const num = (i: number): number => {
      const v = Number(f[i]);
      if (!Number.isFinite(v)) throw new Error(`bad number ${JSON.stringify(f[i])} in CSV row: ${line}`);
      return v;
    };
    return { rps: num(cols.rps), avgMs: num(cols.avg), p50Ms: num(cols.p50), p99Ms: num(cols.p99), maxMs: num(cols.max), cpuUs: null };
  }
  throw new Error(`no '${want}' row in redis-benchmark output`);
}

interface Config {
  test: TestName;
  pipeline: number;
  random: boolean;
  n: number;
}

function benchmarkArgs(port: number, cfg: Config, clients: number): string[] {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(cfg.n), '-P', String(cfg.pipeline), '-t', cfg.test];
  if (cfg.random) args.push('-r', String(RANDOM_KEYSPACE));
  args.push('--csv');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Statistics and report

interface SideSummary {
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  /** Median CPU µs per request, or null. */
  cpuUs: number | null;
}

function summarize(samples: readonly Sample[]): SideSummary {
  const rps = samples.map((s) => s.rps);
  return {
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50: median(samples.map((s) => s.p50Ms)),
    p99: median(samples.map((s) => s.p99Ms)),
    cpuUs: samples.every((s) => s.cpuUs !== null) ? median(samples.map((s) => s.cpuUs as number)) : null,
  };
}

interface Row {
  cfg: Config;
  redis: SideSummary;
  shoal: SideSummary;
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function fmtRps(x: number): string {
  return intFmt.format(Math.round(x));
}

function fmtSpread(s: SideSummary, reps: number): string {
  if (reps < 2) return '–';
  const pct = s.rps > 0 ? ((s.rpsMax - s.rpsMin) / s.rps) * 100 : 0;
  return `${fmtRps(s.rpsMin)}–${fmtRps(s.rpsMax)} (${pct.toFixed(0)}%)`;
}

function fmtMs(x: number): string {
  return x.toFixed(3);
}

function renderTable(rows: readonly Row[], reps: number): string {
  const head =
    '| test | -P | -r | n | redis rps | redis spread | redis p50 ms | redis p99 ms | shoal rps | shoal spread | shoal p50 ms | shoal p99 ms | shoal/redis | redis CPU µs/req | shoal CPU µs/req | shoal/redis by CPU |\n' +
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  const body = rows
    .map((r) => {
      const ratio = r.redis.rps > 0 ? (r.shoal.rps / r.redis.rps).toFixed(2) : 'n/a';
      const rc = r.redis.cpuUs;
      const sc = r.shoal.cpuUs;
      const cpuRatio = rc !== null && sc !== null && sc > 0 ? (rc / sc).toFixed(2) : 'n/a';
      const us = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
      return `| ${r.cfg.test.toUpperCase()} | ${r.cfg.pipeline} | ${r.cfg.random ? String(RANDOM_KEYSPACE) : 'no'} | ${fmtRps(r.cfg.n)} | ` +
        `${fmtRps(r.redis.rps)} | ${fmtSpread(r.redis, reps)} | ${fmtMs(r.redis.p50)} | ${fmtMs(r.redis.p99)} | ` +
        `${fmtRps(r.shoal.rps)} | ${fmtSpread(r.shoal, reps)} | ${fmtMs(r.shoal.p50)} | ${fmtMs(r.shoal.p99)} | **${ratio}** | ` +
        `${us(rc)} | ${us(sc)} | **${cpuRatio}** |`;
    })
    .join('\n');
  return head + body + '\n';
}

interface ReportInput {
  opts: Options;
  started: Date;
  finished: Date;
  redisServerBin: string;
  redisBenchmarkBin: string;
  redis: Server;
  shoal: Server;
  shoalOverridden: boolean;
  commands: string[];
  rows: Row[];
  pinning: Pinning | null;
  pinWhy: string;
}

function renderReport(r: ReportInput): string {
  const secs = Math.round((r.finished.getTime() - r.started.getTime()) / 1000);
  const fullMatrix =
    r.opts.n === null && r.opts.clients === DEFAULT_CLIENTS && r.opts.tests.length === ALL_TESTS.length &&
    r.opts.pipelines.join(',') === '1,16';
  const mode = r.opts.quick ? 'quick (smoke — not for comparison)' : fullMatrix ? 'full' : 'custom';
  const lines = [
    `## ${r.started.toISOString()} — ${mode}`,
    '',
    `- machine: ${cpuModel()}, ${os.cpus().length} logical cores, ${os.platform()} ${os.release()}`,
    `- node ${process.version}; ${firstLine(r.redisServerBin, ['--version'])}; ${firstLine(r.redisBenchmarkBin, ['--version'])}`,
    `- redis side: \`${r.redis.commandLine}\``,
    `- shoal side: \`${r.shoal.commandLine}\`` + (r.shoalOverridden ? ' (**BENCH_SHOAL_CMD override — not necessarily Shoal**)' : ''),
    pinningLine(r.pinning, r.pinWhy),
    `- ${r.opts.clients} clients, ${r.opts.reps} rep(s) per side, runs alternating redis/shoal, FLUSHALL on both before each configuration; took ${secs} s`,
    '- rps, p50, p99: medians over the reps; spread: min–max rps (and its width as % of the median); shoal/redis: ratio of median rps',
    "- CPU µs/req: the server's own CPU time (user + system, all threads, /proc/<pid>/stat) during a run ÷ its requests, median over the reps; shoal/redis by CPU: Redis's ÷ Shoal's (1.00 = as efficient per request, above 1 = Shoal spends less); it leaves out time spent waiting for a core",
    '',
    renderTable(r.rows, r.opts.reps),
    '<details><summary>redis-benchmark command lines</summary>',
    '',
    '```',
    ...r.commands,
    '```',
    '',
    '</details>',
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main


async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      log(`bench: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }

  const redisServerBin = which('redis-server', 'REDIS_SERVER');
  const redisBenchmarkBin = which('redis-benchmark', 'REDIS_BENCHMARK');
  const missing = [redisServerBin === null ? 'redis-server' : '', redisBenchmarkBin === null ? 'redis-benchmark' : ''].filter((s) => s !== '');
  if (redisServerBin === null || redisBenchmarkBin === null) {
    log(`bench: ${missing.join(' and ')} not found on PATH. Install Redis 7.0 (Debian: apt-get install redis-server redis-tools)`);
    log('       or point REDIS_SERVER / REDIS_BENCHMARK at the binaries.');
    return 1;
  }
  const [redisPort, shoalPort] = await (async (): Promise<[number, number]> => {
    const a = await freePort();
    for (let i = 0; i < 20; i++) {
      const b = await freePort();
      if (b !== a) return [a, b];
    }
    throw new Error('could not find two distinct free ports');
  })();
  const shoalCmd = shoalCommand(shoalPort);
  if (!shoalCmd.overridden && !existsSync(path.join(ROOT, 'bin', 'shoal.js'))) {
    log(`bench: ${path.join(ROOT, 'bin', 'shoal.js')} not found. Build/add the Shoal CLI, or set BENCH_SHOAL_CMD`);
    log("       (e.g. BENCH_SHOAL_CMD=redis-server to validate the harness against a second redis-server).");
    return 1;
  }

  const { pinning, why } = choosePinning(opts.pin);
  const started = new Date();
  const redisDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-redis-'));
  tempDirs.add(redisDir);
  try {
    const redisArgs = ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir];
    const onServerCpu = { pinning, role: 'server' } as const;
    const redis = startServer('redis', redisServerBin, redisArgs, redisDir, commandLine(['redis-server', ...redisArgs]), redisPort, onServerCpu);
    const shoal = startServer('shoal', shoalCmd.file, shoalCmd.args, ROOT, shoalCmd.shown, shoalPort, onServerCpu);
    log(`bench: redis-server pid ${redis.pid} on :${redisPort}; shoal pid ${shoal.pid} on :${shoalPort}`);
    await Promise.all([waitForPing(redis), waitForPing(shoal)]);

    const configs: Config[] = [];
    for (const pipeline of opts.pipelines) {
      for (const random of [false, true]) {
        for (const test of opts.tests) configs.push({ test, pipeline, random, n: requestsFor(opts, test, pipeline) });
      }
    }
    const commands: string[] = [];
    const rows: Row[] = [];
    const total = configs.length * opts.reps * 2;
    let done = 0;
    for (const cfg of configs) {
      await Promise.all([flushAll(redis), flushAll(shoal)]);
      const samples: Record<Server['label'], Sample[]> = { redis: [], shoal: [] };
      for (const server of [redis, shoal]) commands.push(commandLine(['redis-benchmark', ...benchmarkArgs(server.port, cfg, opts.clients)]) + `   # ${server.label}`);
      const timeoutMs = (opts.runTimeoutSec ?? 60 + Math.ceil(cfg.n / 2000)) * 1000;
      for (let rep = 0; rep < opts.reps; rep++) {
        for (const server of [redis, shoal]) {
          assertAlive(server);
          const cpu0 = processCpuMs(server.pid);
          const out = await runBenchmark(redisBenchmarkBin, benchmarkArgs(server.port, cfg, opts.clients), timeoutMs, { pinning, role: 'load' });
          const cpu1 = processCpuMs(server.pid);
          const s = parseBenchmarkCsv(out, cfg.test);
          s.cpuUs = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1000) / cfg.n : null;
          samples[server.label].push(s);
          done++;
          log(
            `[${done}/${total}] ${cfg.test.toUpperCase()} -P ${cfg.pipeline}${cfg.random ? ' -r' : '   '} rep ${rep + 1} ${server.label.padEnd(5)}: ` +
              `${fmtRps(s.rps)} rps, p50 ${fmtMs(s.p50Ms)} ms, p99 ${fmtMs(s.p99Ms)} ms`,
          );
        }
      }
      assertAlive(shoal);
      rows.push({ cfg, redis: summarize(samples.redis), shoal: summarize(samples.shoal) });
    }

    const report = renderReport({
      opts, started, finished: new Date(), redisServerBin, redisBenchmarkBin, redis, shoal,
      shoalOverridden: shoalCmd.overridden, commands, rows, pinning, pinWhy: why,
    });
    process.stdout.write(report);
    prependResults(opts.out, RESULTS_HEADER, report);
    log(`bench: results prepended to ${opts.out}`);
    return 0;
  } finally {
    await killAll();
    rmSync(redisDir, { recursive: true, force: true });
    tempDirs.delete(redisDir);
  }
}

runBench('bench', main);
