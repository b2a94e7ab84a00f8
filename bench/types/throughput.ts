// The types benchmark's throughput scenario: redis-benchmark's built-in tests for lists, sets,
// hashes and sorted sets against redis-server and Shoal (under --trace-gc), both up for the
// whole scenario. Each invocation runs every selected test (`-t lpush,rpush,...`) exactly as a
// user would, so the pop tests pop what the push tests pushed; FLUSHALL precedes every
// invocation, so each starts from the same empty state on both sides, and invocations
// alternate redis, shoal, redis, shoal, ... (`reps` each).
//
// Passes per pipeline depth: every test without -r (redis-benchmark's default: SADD, HSET and
// ZADD then hit one member), then, with `random` > 0, the tests -r changes (random members, so
// the set, hash and sorted set grow to about a million elements) with `-r random`.

import { performance } from 'node:perf_hooks';
import { commandLine, flushAll, median, runBenchmark } from '../lib.js';
import { parseBenchmarkText, summarizeGc, treeMemory, type GcSummary, type LatencyReport } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, exited, gcBetween, launch, log, stop, type LaunchLog, type Running, type Side } from './servers.js';

/** redis-benchmark's type tests, in the order it runs them. */
export const TYPE_TESTS = ['lpush', 'rpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_300'] as const;
export type TypeTest = (typeof TYPE_TESTS)[number];

/** Tests whose commands -r changes (random members), or that pop what those built. */
export const RANDOM_TESTS: ReadonlySet<TypeTest> = new Set<TypeTest>(['sadd', 'hset', 'spop', 'zadd', 'zpopmin']);

export const DEFAULT_N_UNPIPELINED = 100_000;
export const DEFAULT_N_PIPELINED = 1_000_000;

export interface ThroughputOptions {
  redisBin: string;
  benchmarkBin: string;
  tests: readonly TypeTest[];
  pipelines: readonly number[];
  reps: number;
  /** Requests per test, or null for the default of the pipeline depth. */
  n: number | null;
  clients: number;
  /** -r of the random pass; 0 skips that pass. */
  random: number;
  /** Per-invocation timeout in seconds, or null for one scaled from the requests. */
  runTimeoutSec: number | null;
}

export interface Pass {
  pipeline: number;
  random: number | null;
  tests: TypeTest[];
  n: number;
}

export interface Invocation {
  pass: number;
  side: Side;
  rep: number;
  /** Per test, the figures of its section of the report (absent when the invocation failed). */
  tests: Map<TypeTest, LatencyReport>;
  /** Shoal only: collections during the invocation. */
  gc: GcSummary | null;
  wallMs: number;
  failure: string | null;
}

export interface ThroughputResult {
  clients: number;
  reps: number;
  passes: Pass[];
  invocations: Invocation[];
  /** The redis-benchmark command lines, one per pass and side. */
  commands: string[];
  /** Set when the scenario could not run at all (a server that would not start). */
  failure: string | null;
}

/** The "====== NAME ======" title redis-benchmark gives a test's section. */
function sectionTitle(test: TypeTest): string {
  const m = /^lrange_(\d+)$/.exec(test);
  return m?.[1] !== undefined ? `LRANGE_${m[1]} (first ${m[1]} elements)` : test.toUpperCase();
}

/**
 * Splits redis-benchmark's plain report of a multi-test run into its sections and parses each
 * selected test's (the LPUSH that fills the list before LRANGE has a section of its own, which
 * is skipped). Throws if a test's section is missing or unreadable.
 */
export function parseSections(out: string, tests: readonly TypeTest[]): Map<TypeTest, LatencyReport> {
  const res = new Map<TypeTest, LatencyReport>();
  for (const t of tests) {
    const head = `====== ${sectionTitle(t)} ======`;
    const at = out.indexOf(head);
    if (at < 0) throw new Error(`no "${head}" section in redis-benchmark output`);
    const next = out.indexOf('====== ', at + head.length);
    try {
      res.set(t, parseBenchmarkText(out.slice(at + head.length, next < 0 ? out.length : next)));
    } catch (e) {
      throw new Error(`${t}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return res;
}

function passesOf(o: ThroughputOptions): Pass[] {
  const passes: Pass[] = [];
  for (const pipeline of o.pipelines) {
    const n = o.n ?? (pipeline > 1 ? DEFAULT_N_PIPELINED : DEFAULT_N_UNPIPELINED);
    passes.push({ pipeline, random: null, tests: [...o.tests], n });
    const randomTests = o.tests.filter((t) => RANDOM_TESTS.has(t));
    if (o.random > 0 && randomTests.length > 0) passes.push({ pipeline, random: o.random, tests: randomTests, n });
  }
  return passes;
}

function benchmarkArgs(port: number, pass: Pass, clients: number): string[] {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(pass.n), '-P', String(pass.pipeline), '-t', pass.tests.join(',')];
  if (pass.random !== null) args.push('-r', String(pass.random));
  return args;
}

/** Runs every pass; a side that dies has its remaining invocations recorded as failures. */
export async function runThroughput(o: ThroughputOptions, sides: readonly Side[], launchLog: LaunchLog): Promise<ThroughputResult> {
  const result: ThroughputResult = { clients: o.clients, reps: o.reps, passes: passesOf(o), invocations: [], commands: [], failure: null };
  const runs: Running[] = [];
  try {
    for (const side of sides) runs.push(await launch(o.redisBin, side, side === 'shoal', launchLog));
  } catch (e) {
    result.failure = `a server did not start: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    for (const r of runs) await stop(r);
    return result;
  }
  const dead = new Map<Side, string>();
  try {
    const serverPid = new Map(runs.map((r) => [r.side, treeMemory(r.server.pid).serverPid]));
    const total = result.passes.length * o.reps * runs.length;
    let done = 0;
    for (const [pi, pass] of result.passes.entries()) {
      for (const r of runs) result.commands.push(`${commandLine(['redis-benchmark', ...benchmarkArgs(r.server.port, pass, o.clients)])}   # ${r.side}`);
      const timeoutMs = (o.runTimeoutSec ?? 120 + Math.ceil((pass.n * pass.tests.length) / 2000)) * 1000;
      for (let rep = 1; rep <= o.reps; rep++) {
        for (const r of runs) {
          done++;
          const inv: Invocation = { pass: pi, side: r.side, rep, tests: new Map(), gc: null, wallMs: 0, failure: null };
          result.invocations.push(inv);
          const gone = dead.get(r.side);
          if (gone !== undefined) {
            inv.failure = gone;
            continue;
          }
          const t0 = performance.now();
          try {
            await flushAll(r.server);
            const out = await runBenchmark(o.benchmarkBin, benchmarkArgs(r.server.port, pass, o.clients), timeoutMs);
            const t1 = performance.now();
            if (exited(r)) throw new Error('server exited during the run');
            inv.wallMs = t1 - t0;
            inv.tests = parseSections(out, pass.tests);
            if (r.side === 'shoal') inv.gc = summarizeGc(gcBetween(r, serverPid.get('shoal') ?? 0, t0, t1));
            const figures = pass.tests.map((t) => `${t} ${fmtInt(inv.tests.get(t)?.rps ?? 0)}`).join(', ');
            log(
              `types: [${done}/${total}] -P ${pass.pipeline}${pass.random !== null ? ` -r ${pass.random}` : ''} rep ${rep} ${r.side.padEnd(5)}: ${figures}` +
                (inv.gc !== null ? `; ${inv.gc.count} GCs, longest ${inv.gc.maxMs.toFixed(1)} ms` : ''),
            );
          } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            const death = await deathNote(r);
            inv.failure = death !== null ? `${death} — during -P ${pass.pipeline} rep ${rep}: ${msg}` : msg;
            if (death !== null) dead.set(r.side, death);
            log(`types: ${inv.failure}`);
          }
        }
      }
    }
  } finally {
    for (const r of runs) await stop(r);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Summaries for the report

export interface TestSummary {
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  /** Invocations that produced this test's figures. */
  n: number;
}

/** Medians (and the rps range) of one test over one side's successful invocations of a pass. */
export function summarizeTest(r: ThroughputResult, pass: number, side: Side, test: TypeTest): TestSummary | null {
  const xs = r.invocations
    .filter((i) => i.pass === pass && i.side === side)
    .map((i) => i.tests.get(test))
    .filter((x): x is LatencyReport => x !== undefined);
  if (xs.length === 0) return null;
  const rps = xs.map((x) => x.rps);
  return {
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50: median(xs.map((x) => x.p50Ms)),
    p99: median(xs.map((x) => x.p99Ms)),
    n: xs.length,
  };
}
