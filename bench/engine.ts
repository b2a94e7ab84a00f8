// Storage-engine benchmark: memory per key, GC pauses and tail latency under overwrite load, and
// big loads read back byte for byte, for Shoal and a real redis-server in the same run.
//
//   npm run bench:engine -- memory --keys 1000000          # RSS and used_memory per key
//   npm run bench:engine -- gc --keys 10000000             # --trace-gc pauses, p99.9 under SET -r N -P 16
//   npm run bench:engine -- load --keys 20000000           # load, then MGET every key and check it
//   npm run bench:engine -- all                            # the issue's targets at their stated sizes
//
// Everything goes over the wire (a raw-RESP loader, redis-benchmark, INFO) plus /proc for RSS, so
// it measures whichever engine the server runs. A server that dies (e.g. out of JS heap) or stalls
// is reported as that side's result, never waited on: every step has a deadline, and every process
// started here is killed by PID on the way out, also on SIGINT/SIGTERM.
//
// Results: a markdown report on stdout, prepended (newest first) to bench/results/engine.md.
// Environment: BENCH_SHOAL_CMD (may say `{nodeflags}` where --trace-gc goes), REDIS_SERVER,
// REDIS_BENCHMARK — see bench/README.md.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  COMMAND_TIMEOUT_MS, ROOT, UsageError, parseOrUsage, commandLine, cpuModel, firstLine, freePort, killAll, killPid, parsePositiveInt, prependResults, runBenchmark, shoalCommand, sleep, startServer, tempDirs, waitExit, redisTools, type Server, eachOption, reportOption, runBench, log, followServer, type Running,
} from './lib.js';
import {
  BENCHMARK_KEYS, ENGINE_KEYS, keyLength, loadKeys, setCommandBytes, verifyKeys,
  type KeyFormat, type PipelineOptions,
} from './engine/dataset.js';
import {
  memAvailable, memTotal, parseBenchmarkText, parseInfoNumbers, request, summarizeGc, treeMemory,
} from './engine/measure.js';
import {
  TARGET_KEYS, fmtInt, renderScenario, renderVerdicts, type GcResult, type GcRun, type LoadResult, type LoadSide,
  type MemoryResult, type MemorySide, type ScenarioResult, type Side,
} from './engine/report.js';

// ---------------------------------------------------------------------------------------------
// Options

const SCENARIOS = ['memory', 'gc', 'load', 'all'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const DEFAULT_VALUE = 100;
const BIG_VALUE = 1024;
const DEFAULT_GC_REQUESTS = 2_000_000;
const DEFAULT_REPS = 3;
const DEFAULT_CLIENTS = 50;
const DEFAULT_BATCH = 100;
/**
 * Wait before each memory sample. Long enough for both servers to reach the state they stay in
 * at rest: Shoal gives its young generation back after 6 s of quiet (src/cli/heap-tuning.ts),
 * and jemalloc purges Redis's dirty pages over its 10 s decay time. A sample EARLY_SAMPLE_MS
 * after the load is reported beside the settled one.
 */
const DEFAULT_SETTLE_MS = 10_000;
const EARLY_SAMPLE_MS = 2000;
const DEFAULT_MIN_FREE_MB = 1024;
const MAX_KEYS = 999_999_999;
const STALL_MS = 60_000;
const RESULTS_HEADER =
  '# Storage-engine benchmark results\n\n' +
  'Newest first. Written by `npm run bench:engine` (bench/engine.ts); see bench/README.md for how to read them.\n' +
  'Every figure compares Shoal with a redis-server measured on the same machine in the same run.\n';

interface Options {
  scenario: ScenarioName;
  keys: number | null;
  value: number | null;
  requests: number;
  reps: number;
  clients: number;
  batch: number;
  chunk: number | null;
  window: number | null;
  settleMs: number;
  sides: Side[];
  minFreeBytes: number;
  out: string | null;
  /** Free text for the report, e.g. which engine the build had. */
  note: string | null;
}

const USAGE = `Usage: node dist/bench/engine.js <memory|gc|load|all> [options]
  memory   load N keys into each server (one at a time); RSS and used_memory per key, empty vs loaded
  gc       preload N keys into both; alternate redis-benchmark -t set -r N -P 16 runs; Shoal runs under
           node --trace-gc: GC pauses during the runs, p99.9 latency of both sides
  load     load N keys, read every one back with MGET and check it byte for byte
  all      the issue's targets: memory at N/10 and N keys (100 B) and N/10 keys (1 KB), gc at N, load at 2N
Options:
  --keys N          keys (default: memory ${fmtInt(TARGET_KEYS.memory[1])}, gc ${fmtInt(TARGET_KEYS.gc)}, load ${fmtInt(TARGET_KEYS.load)}; all: N = ${fmtInt(TARGET_KEYS.gc)})
  --value BYTES     value size (default ${DEFAULT_VALUE}; in 'all' it replaces the ${DEFAULT_VALUE} B runs, the 1 KB run stays)
  -n N              gc: requests per redis-benchmark run (default ${fmtInt(DEFAULT_GC_REQUESTS)})
  --reps N          gc: runs per server, alternating (default ${DEFAULT_REPS})
  -c N              gc: redis-benchmark clients (default ${DEFAULT_CLIENTS})
  --batch N         load: keys per MGET when reading back (default ${DEFAULT_BATCH})
  --chunk N         commands per socket write (default: up to 10,000, about 2 MB)
  --window N        most keys in flight on the loader's connection (default: about 16 MB of commands)
  --settle MS       wait before each memory sample, empty and loaded (default ${DEFAULT_SETTLE_MS})
  --sides LIST      redis,shoal (default both; ratios and most verdicts need both)
  --min-free MB     abort a load when the machine's MemAvailable drops below this (default ${DEFAULT_MIN_FREE_MB})
  --out FILE        results file to prepend to (default bench/results/engine.md)
  --no-save         print the report only
  --note TEXT       a line for the report, e.g. which engine or branch was measured
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
    keys: null,
    value: null,
    requests: DEFAULT_GC_REQUESTS,
    reps: DEFAULT_REPS,
    clients: DEFAULT_CLIENTS,
    batch: DEFAULT_BATCH,
    chunk: null,
    window: null,
    settleMs: DEFAULT_SETTLE_MS,
    sides: ['redis', 'shoal'],
    minFreeBytes: DEFAULT_MIN_FREE_MB * 2 ** 20,
    out: path.join(ROOT, 'bench', 'results', 'engine.md'),
    note: null,
  };
  eachOption(rest, USAGE, (arg, take) => {
    switch (arg) {
      case '--keys':
        opts.keys = parsePositiveInt(arg, take(), MAX_KEYS);
        break;
      case '--value':
        opts.value = parsePositiveInt(arg, take(), 64 * 2 ** 20);
        break;
      case '-n':
        opts.requests = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--reps':
        opts.reps = parsePositiveInt(arg, take(), 100);
        break;
      case '-c':
        opts.clients = parsePositiveInt(arg, take(), 10_000);
        break;
      case '--batch':
        opts.batch = parsePositiveInt(arg, take(), 100_000);
        break;
      case '--chunk':
        opts.chunk = parsePositiveInt(arg, take(), 1_000_000);
        break;
      case '--window':
        opts.window = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--settle':
        opts.settleMs = parsePositiveInt(arg, take(), 600_000);
        break;
      case '--min-free':
        opts.minFreeBytes = parsePositiveInt(arg, take(), 1_000_000) * 2 ** 20;
        break;
      case '--sides': {
        const list = (take() ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        const sides: Side[] = [];
        for (const s of list) {
          if (s !== 'redis' && s !== 'shoal') throw new UsageError(`unknown side '${s}' (redis, shoal)`);
          if (!sides.includes(s)) sides.push(s);
        }
        if (sides.length === 0) throw new UsageError('--sides needs redis, shoal or both');
        opts.sides = sides;
        break;
      }
      default:
        return reportOption(arg, take, opts);
    }
    return true;
  });
  return opts;
}

/** One scenario at one size: what `all` expands to, and what a single scenario is. */
type Job =
  | { kind: 'memory'; keys: number; value: number }
  | { kind: 'gc'; keys: number; value: number }
  | { kind: 'load'; keys: number; value: number };

function jobsFor(opts: Options): Job[] {
  const value = opts.value ?? DEFAULT_VALUE;
  switch (opts.scenario) {
    case 'memory':
      return [{ kind: 'memory', keys: opts.keys ?? TARGET_KEYS.memory[1], value }];
    case 'gc':
      return [{ kind: 'gc', keys: opts.keys ?? TARGET_KEYS.gc, value }];
    case 'load':
      return [{ kind: 'load', keys: opts.keys ?? TARGET_KEYS.load, value }];
    case 'all': {
      const n = opts.keys ?? TARGET_KEYS.gc;
      const tenth = Math.max(1, Math.floor(n / 10));
      return [
        { kind: 'memory', keys: tenth, value },
        { kind: 'memory', keys: n, value },
        { kind: 'memory', keys: tenth, value: BIG_VALUE },
        { kind: 'gc', keys: n, value },
        { kind: 'load', keys: Math.min(MAX_KEYS, 2 * n), value },
      ];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

interface Context {
  opts: Options;
  redisBin: string;
  redisBenchmarkBin: string;
  /** Command lines shown in the report, per side (the last one started). */
  shown: Partial<Record<Side, string>>;
  traceApplied: boolean;
  overridden: boolean;
}


/** Starts one server on a free port and waits for PING. `traceGc` adds --trace-gc to Shoal's node. */
async function launch(ctx: Context, side: Side, traceGc: boolean): Promise<Running> {
  const port = await freePort();
  let server: Server;
  if (side === 'redis') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-engine-redis-'));
    tempDirs.add(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    server = startServer('redis', ctx.redisBin, args, dir, commandLine(['redis-server', ...args]), port);
    server.child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    });
  } else {
    const cmd = shoalCommand(port, traceGc ? ['--trace-gc'] : []);
    if (traceGc) ctx.traceApplied = cmd.nodeFlagsApplied;
    ctx.overridden = cmd.overridden;
    server = startServer('shoal', cmd.file, cmd.args, ROOT, cmd.shown, port);
  }
  // Shown with the port (and Redis's scratch dir) generalized: they change with every start.
  ctx.shown[side] = server.commandLine.replace(`--port ${port}`, '--port P').replace(/--dir \S+/, '--dir <tmpdir>');
  return followServer(side, server, traceGc, `engine: ${side} pid ${server.pid} on :${port}`);
}

/** launch(), but a server that will not start becomes that side's failure (via `report`) and null. */
async function launchOrReport(ctx: Context, side: Side, traceGc: boolean, report: (failure: string) => void): Promise<Running | null> {
  try {
    return await launch(ctx, side, traceGc);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const failure = msg.split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' / ').slice(0, 600);
    report(`did not start: ${failure}`);
    log(`engine: ${side} did not start: ${msg}`);
    return null;
  }
}

async function stop(run: Running): Promise<void> {
  await killPid(run.server.pid);
}

function exited(run: Running): boolean {
  return run.server.child.exitCode !== null || run.server.child.signalCode !== null;
}

/**
 * If the server has died (waiting up to 3 s for the exit to be noticed), a one-line account of it:
 * exit code or signal and the telling lines of its stderr (e.g. V8's "heap out of memory"). Null if
 * it is still running.
 */
async function deathNote(run: Running): Promise<string | null> {
  await waitExit(run.server.child, 3000);
  if (!exited(run)) return null;
  const c = run.server.child;
  const how = c.signalCode !== null ? `killed by ${c.signalCode}` : `exited with code ${String(c.exitCode)}`;
  // Native stack frames ("1: 0xb78db3 node::OOMErrorHandler...") say nothing a reader needs.
  const lines = run.stderrTail().split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\d+: 0x[0-9a-f]+ /.test(l));
  const telling = lines.filter((l) => /fatal|out of memory|error|killed|abort/i.test(l));
  const shown = (telling.length > 0 ? telling : lines).slice(-3).join(' / ');
  return `${run.side} died (${how})${shown !== '' ? `: ${shown.slice(0, 400)}` : ''}`;
}

/** Turns an error from a step into a failure line, naming a dead server if that is the cause. */
async function failureOf(run: Running, step: string, e: unknown): Promise<string> {
  const msg = e instanceof Error ? e.message : String(e);
  const death = await deathNote(run);
  return death !== null ? `${death} — during ${step}: ${msg}` : `${step}: ${msg}`;
}

function pipelineOptions(ctx: Context, run: Running, keys: number, cmdBytes: number, what: string): PipelineOptions {
  const chunk = ctx.opts.chunk ?? Math.max(64, Math.min(10_000, Math.floor((2 * 2 ** 20) / cmdBytes)));
  const window = Math.max(chunk, ctx.opts.window ?? Math.floor((16 * 2 ** 20) / cmdBytes));
  const t0 = performance.now();
  return {
    port: run.server.port,
    chunk,
    window,
    stallMs: STALL_MS,
    deadlineMs: 120_000 + keys * 0.05,
    check: () => {
      if (exited(run)) return `${run.side} exited`;
      const avail = memAvailable();
      if (avail < ctx.opts.minFreeBytes) {
        return `machine memory low: MemAvailable ${Math.round(avail / 2 ** 20)} MB < --min-free ${Math.round(ctx.opts.minFreeBytes / 2 ** 20)} MB`;
      }
      return null;
    },
    progress: (done, total) => {
      const secs = (performance.now() - t0) / 1000;
      log(`engine:   ${run.side} ${what}: ${fmtInt(done)} / ${fmtInt(total)} keys (${fmtInt(done / secs)} keys/s), RSS ${fmtInt(treeMemory(run.server.pid).rss / 2 ** 20)} MB`);
    },
  };
}

/** Loads `keys` keys; returns the elapsed ms. Throws on error replies or a stopped pipeline. */
async function load(ctx: Context, run: Running, fmt: KeyFormat, keys: number, value: number): Promise<number> {
  const spec = { keys: fmt, count: keys, valueSize: value };
  log(`engine: loading ${fmtInt(keys)} keys × ${value} B into ${run.side}`);
  const res = await loadKeys(spec, pipelineOptions(ctx, run, keys, setCommandBytes(spec), 'load'));
  if (res.errorReplies > 0) throw new Error(`${fmtInt(res.errorReplies)} error replies, first: ${res.firstError ?? '?'}`);
  log(`engine: ${run.side} loaded in ${(res.ms / 1000).toFixed(1)} s (${fmtInt((keys * 1000) / res.ms)} keys/s)`);
  return res.ms;
}

async function dbsize(run: Running): Promise<number> {
  const reply = await request(run.server.port, ['DBSIZE'], COMMAND_TIMEOUT_MS * 6);
  const n = /^:(\d+)$/.exec(reply);
  if (n?.[1] === undefined) throw new Error(`DBSIZE replied ${JSON.stringify(reply)}`);
  return Number(n[1]);
}

async function usedMemory(run: Running): Promise<number | null> {
  try {
    return parseInfoNumbers(await request(run.server.port, ['INFO', 'memory'], COMMAND_TIMEOUT_MS * 6)).get('used_memory') ?? null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** memory: each side alone (so the two never compete for RAM): empty sample, load, settle, sample. */
async function runMemory(ctx: Context, job: Job): Promise<MemoryResult> {
  const result: MemoryResult = { kind: 'memory', keys: job.keys, value: job.value, keyBytes: keyLength(ENGINE_KEYS), sides: [] };
  for (const side of ctx.opts.sides) {
    const m: MemorySide = { side, failure: null, baseline: null, early: null, after: null, usedBefore: null, usedAfter: null, loadMs: null, dbsize: null };
    result.sides.push(m);
    const run = await launchOrReport(ctx, side, false, (f) => (m.failure = f));
    if (run === null) continue;
    try {
      await sleep(ctx.opts.settleMs);
      m.baseline = treeMemory(run.server.pid);
      m.usedBefore = await usedMemory(run);
      m.loadMs = await load(ctx, run, ENGINE_KEYS, job.keys, job.value);
      m.dbsize = await dbsize(run);
      if (m.dbsize !== job.keys) throw new Error(`DBSIZE ${m.dbsize} after loading ${job.keys} keys`);
      const early = Math.min(EARLY_SAMPLE_MS, ctx.opts.settleMs);
      await sleep(early);
      if (early < ctx.opts.settleMs) {
        m.early = treeMemory(run.server.pid);
        await sleep(ctx.opts.settleMs - early);
      }
      if (exited(run)) throw new Error('server exited after the load');
      m.after = treeMemory(run.server.pid);
      m.usedAfter = await usedMemory(run);
      log(`engine: ${side} RSS ${fmtInt(m.after.rss / 2 ** 20)} MB = ${(m.after.rss / job.keys).toFixed(1)} B/key`);
    } catch (e) {
      m.failure = await failureOf(run, 'memory', e);
      log(`engine: ${m.failure}`);
    } finally {
      await stop(run);
    }
  }
  return result;
}

/**
 * gc: both servers up, preloaded with redis-benchmark's own key names so that its -r SETs
 * overwrite resident keys; then alternate runs. Shoal's GC pauses count only when their trace
 * line arrived during one of its runs (trace lines are flushed as they are printed).
 */
async function runGc(ctx: Context, job: Job): Promise<GcResult> {
  const o = ctx.opts;
  const result: GcResult = {
    kind: 'gc', keys: job.keys, value: job.value, requests: o.requests, clients: o.clients, reps: o.reps,
    preload: [], runs: [], gcAll: null, traceApplied: true, otherPidLines: 0, commands: [],
  };
  const runs: Running[] = [];
  try {
    const ok: Running[] = [];
    for (const side of o.sides) {
      const p: GcResult['preload'][number] = { side, ms: null, failure: null, after: null };
      result.preload.push(p);
      const run = await launchOrReport(ctx, side, side === 'shoal', (f) => (p.failure = f));
      if (run === null) continue;
      runs.push(run);
      try {
        p.ms = await load(ctx, run, BENCHMARK_KEYS, job.keys, job.value);
        const n = await dbsize(run);
        if (n !== job.keys) throw new Error(`DBSIZE ${n} after loading ${job.keys} keys`);
        ok.push(run);
      } catch (e) {
        p.failure = await failureOf(run, 'preload', e);
        log(`engine: ${p.failure}`);
        await stop(run);
      }
    }
    await sleep(o.settleMs);
    for (const run of ok) {
      const p = result.preload.find((x) => x.side === run.side);
      if (p !== undefined) p.after = treeMemory(run.server.pid);
    }
    const shoal = ok.find((r) => r.side === 'shoal');
    const serverPid = shoal !== undefined ? treeMemory(shoal.server.pid).serverPid : 0;
    const windows: Array<[number, number]> = [];
    const alive = new Set(ok);
    const benchmarkArgs = (port: number): string[] => [
      '-h', '127.0.0.1', '-p', String(port), '-c', String(o.clients), '-n', String(o.requests),
      '-P', '16', '-t', 'set', '-r', String(job.keys), '-d', String(job.value), '--precision', '3',
    ];
    for (const run of ok) result.commands.push(`${commandLine(['redis-benchmark', ...benchmarkArgs(run.server.port)])}   # ${run.side}`);
    const timeoutMs = (60 + Math.ceil(o.requests / 10_000)) * 1000;
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const run of ok) {
        if (!alive.has(run)) continue;
        const r: GcRun = { side: run.side, rep, latency: null, gc: null, windowMs: 0, failure: null };
        result.runs.push(r);
        const t0 = performance.now();
        try {
          const out = await runBenchmark(ctx.redisBenchmarkBin, benchmarkArgs(run.server.port), timeoutMs);
          const t1 = performance.now();
          if (exited(run)) throw new Error('server exited during the run');
          r.latency = parseBenchmarkText(out);
          r.windowMs = t1 - t0;
          if (run.side === 'shoal') {
            // Lines travel through a pipe: allow them a moment to arrive before cutting the window.
            await sleep(50);
            const inWindow = run.gc.filter((e) => e.at >= t0 && e.at <= t1 + 50);
            const mine = inWindow.filter((e) => serverPid === 0 || e.pid === serverPid);
            result.otherPidLines += inWindow.length - mine.length;
            r.gc = summarizeGc(mine);
            windows.push([t0, t1 + 50]);
          }
          log(
            `engine: gc run ${rep} ${run.side.padEnd(5)}: ${fmtInt(r.latency.rps)} rps, p99 ${r.latency.p99Ms} ms, p99.9 ${r.latency.p999Ms} ms` +
              (r.gc !== null ? `; ${r.gc.count} GCs, max pause ${r.gc.maxMs.toFixed(2)} ms` : ''),
          );
        } catch (e) {
          r.failure = await failureOf(run, `redis-benchmark run ${rep}`, e);
          log(`engine: ${r.failure}`);
          if (exited(run)) alive.delete(run);
        }
      }
    }
    result.traceApplied = ctx.traceApplied;
    if (shoal !== undefined && result.traceApplied) {
      const all = shoal.gc.filter((e) => (serverPid === 0 || e.pid === serverPid) && windows.some(([a, b]) => e.at >= a && e.at <= b));
      result.gcAll = summarizeGc(all);
    }
  } finally {
    for (const run of runs) await stop(run);
  }
  return result;
}

/** load: each side alone: load, DBSIZE, read every key back and check it. */
async function runLoad(ctx: Context, job: Job): Promise<LoadResult> {
  const result: LoadResult = { kind: 'load', keys: job.keys, value: job.value, batch: ctx.opts.batch, sides: [] };
  for (const side of ctx.opts.sides) {
    const s: LoadSide = { side, failure: null, loadMs: null, dbsize: null, verify: null, after: null };
    result.sides.push(s);
    const run = await launchOrReport(ctx, side, false, (f) => (s.failure = f));
    if (run === null) continue;
    try {
      s.loadMs = await load(ctx, run, ENGINE_KEYS, job.keys, job.value);
      s.dbsize = await dbsize(run);
      s.after = treeMemory(run.server.pid);
      log(`engine: reading ${fmtInt(job.keys)} keys back from ${side}`);
      const spec = { keys: ENGINE_KEYS, count: job.keys, valueSize: job.value, batch: ctx.opts.batch };
      // Window sized by reply bytes (the value plus framing), the larger side of a read.
      s.verify = await verifyKeys(spec, pipelineOptions(ctx, run, job.keys, job.value + 16, 'read-back'));
      const bad = s.verify.missing + s.verify.wrong + s.verify.errored;
      log(`engine: ${side} read back in ${(s.verify.ms / 1000).toFixed(1)} s: ${fmtInt(s.verify.matched)} matched, ${fmtInt(bad)} mismatched`);
    } catch (e) {
      s.failure = await failureOf(run, s.loadMs === null ? 'load' : 'read-back', e);
      log(`engine: ${s.failure}`);
    } finally {
      await stop(run);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report and main

interface HeaderInput {
  ctx: Context;
  started: Date;
  finished: Date;
  /** os.loadavg() when the run began. */
  loadAtStart: number[];
  argv: readonly string[];
  jobs: readonly Job[];
}

function renderHeader({ ctx, started, finished, loadAtStart, argv, jobs }: HeaderInput): string {
  const secs = Math.round((finished.getTime() - started.getTime()) / 1000);
  const atTarget = jobs.every((j) =>
    j.kind === 'memory' ? (TARGET_KEYS.memory as readonly number[]).includes(j.keys) : j.keys === TARGET_KEYS[j.kind],
  );
  const lines = [
    `## ${started.toISOString()} — ${ctx.opts.scenario}${atTarget ? '' : ' (reduced sizes: indicative only)'}`,
    '',
    `- machine: ${cpuModel()}, ${os.cpus().length} logical cores, ${(memTotal() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}; ` +
      `load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')} (other work on the machine skews every figure)`,
    `- node ${process.version}; ${firstLine(ctx.redisBin, ['--version'])}; ${firstLine(ctx.redisBenchmarkBin, ['--version'])}`,
    `- command: \`${commandLine(['node', 'dist/bench/engine.js', ...argv])}\`` +
      (process.env['BENCH_SHOAL_CMD'] ? ` with \`BENCH_SHOAL_CMD=${commandLine([process.env['BENCH_SHOAL_CMD']])}\`` : ''),
  ];
  if (ctx.opts.note !== null) lines.push(`- note: ${ctx.opts.note}`);
  if (ctx.shown.redis !== undefined) lines.push(`- redis side: \`${ctx.shown.redis}\``);
  if (ctx.shown.shoal !== undefined) {
    lines.push(`- shoal side: \`${ctx.shown.shoal}\`` + (ctx.overridden ? ' (**BENCH_SHOAL_CMD override — not necessarily Shoal**)' : ''));
  }
  lines.push(
    `- keys \`k\` + 9 digits (10 B; gc: redis-benchmark's \`key:\` + 12 digits); values exactly the stated size, the index repeated; ` +
      `RSS = VmRSS summed over the server's process tree, sampled ${ctx.opts.settleMs} ms after start (empty) and after loading (and ${EARLY_SAMPLE_MS} ms after loading); took ${secs} s`,
    '',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opts = parseOrUsage('bench:engine', USAGE, parseArgs, argv);
  if (opts === null) return 2;
  const tools = redisTools('bench:engine');
  if (tools === null) return 1;
  const redisBin = tools.server;
  const redisBenchmarkBin = tools.benchmark;
  const ctx: Context = { opts, redisBin, redisBenchmarkBin, shown: {}, traceApplied: true, overridden: false };
  const jobs = jobsFor(opts);
  const started = new Date();
  const loadAtStart = os.loadavg();
  const results: ScenarioResult[] = [];
  let aborted: string | null = null;
  for (const job of jobs) {
    log(`engine: === ${job.kind}: ${fmtInt(job.keys)} keys × ${job.value} B ===`);
    try {
      if (job.kind === 'memory') results.push(await runMemory(ctx, job));
      else if (job.kind === 'gc') results.push(await runGc(ctx, job));
      else results.push(await runLoad(ctx, job));
    } catch (e) {
      // Only harness-level trouble gets here (a server that will not start, a broken tool);
      // report what was measured so far.
      aborted = `${job.kind} (${fmtInt(job.keys)} keys): ${e instanceof Error ? e.message : String(e)}`;
      log(`bench:engine: ${aborted}`);
      await killAll();
      break;
    }
  }
  const report =
    renderHeader({ ctx, started, finished: new Date(), loadAtStart, argv, jobs }) +
    results.map(renderScenario).join('\n') +
    (aborted !== null ? `\n**Run aborted:** ${aborted.split('\n').slice(0, 6).join(' / ')}\n` : '') +
    '\n' +
    renderVerdicts(results);
  process.stdout.write(report);
  if (opts.out !== null && results.length > 0) {
    prependResults(opts.out, RESULTS_HEADER, report);
    log(`bench:engine: results prepended to ${opts.out}`);
  }
  return aborted !== null ? 1 : 0;
}

runBench('bench:engine', main);
