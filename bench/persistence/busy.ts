// The persistence benchmark's busy scenario: redis-benchmark throughput while snapshots run
// back to back, as a ratio of the throughput of the same server without them (the goal
// for Shoal: at least 0.9), beside the same ratio for redis-server.
//
// Both servers are up for the whole scenario, preloaded with the keys redis-benchmark's -r
// draws (`key:` + 12 digits, `value` bytes each), so its SETs overwrite keys the snapshot still
// owes (Shoal then writes them ahead of the change; redis-server copies their pages) and its
// GETs hit. Invocations alternate quiet / saving and redis / shoal within each repetition.
// While an invocation runs in the saving condition, a BgsaveLoop polls INFO persistence every
// POLL_MS and starts a BGSAVE whenever none is in progress; it also samples memory.

import { performance } from 'node:perf_hooks';
import { commandLine, runBenchmark, sleep } from '../lib.js';
import { BENCHMARK_KEYS } from '../engine/dataset.js';
import { parseBenchmarkText, type LatencyReport } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { preload } from './snapshot.js';
import { bgsave, deathNote, exited, info, launch, log, sampleMemory, stop, type LaunchLog, type PServer, type Side } from './servers.js';

export interface BusyOptions {
  redisBin: string;
  benchmarkBin: string;
  /** Keys preloaded and redis-benchmark's -r. */
  random: number;
  value: number;
  /** Requests per test (SET, then GET). */
  n: number;
  pipeline: number;
  clients: number;
  reps: number;
  sides: readonly Side[];
  minFreeBytes: number;
  runTimeoutSec: number | null;
}

export type Condition = 'quiet' | 'saving';
export const CONDITIONS: readonly Condition[] = ['quiet', 'saving'];
export const BUSY_TESTS = ['SET', 'GET'] as const;
export type BusyTest = (typeof BUSY_TESTS)[number];

export interface BusyRun {
  side: Side;
  rep: number;
  cond: Condition;
  tests: Map<BusyTest, LatencyReport>;
  wallMs: number;
  /** Saving condition: BGSAVEs started during the invocation (each ran to its end). */
  savesStarted: number;
  /** Saving condition: share of the loop's polls that found a save in progress. */
  savingShare: number | null;
  /** Saving condition: highest INFO current_cow_peak, and rdb_last_cow_size after a save. */
  cowPeak: number | null;
  lastCowMax: number | null;
  /** Serving-process RSS before the invocation and the highest seen during it. */
  rssBefore: number | null;
  rssPeak: number | null;
  failure: string | null;
}

export interface BusyResult {
  opts: Omit<BusyOptions, 'redisBin' | 'benchmarkBin' | 'sides' | 'minFreeBytes' | 'runTimeoutSec'>;
  preloadMs: Map<Side, number>;
  runs: BusyRun[];
  commands: string[];
  failure: string | null;
}

const POLL_MS = 20;
/** Longest wait for the save in progress when an invocation ends. */
const DRAIN_MS = 600_000;

/**
 * Keeps `s` saving: whenever INFO says no BGSAVE is in progress, starts one. stop() ends the
 * loop and waits (bounded) for the save in progress to end, so the next invocation starts quiet.
 */
class BgsaveLoop {
  readonly #s: PServer;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #error: Error | null = null;
  started = 0;
  polls = 0;
  busyPolls = 0;
  cowPeak = 0;
  lastCowMax = 0;
  rssPeak = 0;

  constructor(s: PServer) {
    this.#s = s;
  }

  /** Starts the loop; resolves once the first BGSAVE has started. */
  async start(): Promise<void> {
    if (!(await bgsave(this.#s))) throw new Error('a BGSAVE was already in progress');
    this.started = 1;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopped) {
        const tick = performance.now();
        const p = await info(this.#s, 'persistence');
        this.rssPeak = Math.max(this.rssPeak, sampleMemory(this.#s, false).serverRss);
        this.polls++;
        this.cowPeak = Math.max(this.cowPeak, p.get('current_cow_peak') ?? 0);
        if (p.get('rdb_bgsave_in_progress') === 1) {
          this.busyPolls++;
        } else {
          this.lastCowMax = Math.max(this.lastCowMax, p.get('rdb_last_cow_size') ?? 0);
          if (!this.#stopped && (await bgsave(this.#s))) this.started++;
        }
        await sleep(Math.max(1, POLL_MS - (performance.now() - tick)));
      }
    } catch (e) {
      this.#error = e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Ends the loop and waits for the save in progress; throws what the loop hit, if anything. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    if (this.#error !== null) throw this.#error;
    const deadline = performance.now() + DRAIN_MS;
    while (performance.now() < deadline) {
      const p = await info(this.#s, 'persistence');
      if (p.get('rdb_bgsave_in_progress') === 0) {
        this.lastCowMax = Math.max(this.lastCowMax, p.get('rdb_last_cow_size') ?? 0);
        return;
      }
      await sleep(POLL_MS);
    }
    throw new Error(`the last BGSAVE did not end within ${DRAIN_MS / 1000} s`);
  }
}

/**
 * Splits redis-benchmark's plain report of a multi-test run (`====== SET ======` sections) and
 * parses each wanted test's section. Throws when one is missing or unreadable.
 */
export function parseTests<T extends string>(out: string, tests: readonly T[]): Map<T, LatencyReport> {
  const res = new Map<T, LatencyReport>();
  for (const t of tests) {
    const head = `====== ${t} ======`;
    const at = out.indexOf(head);
    if (at < 0) throw new Error(`no "${head}" section in redis-benchmark output`);
    const next = out.indexOf('====== ', at + head.length);
    res.set(t, parseBenchmarkText(out.slice(at + head.length, next < 0 ? out.length : next)));
  }
  return res;
}

function benchmarkArgs(port: number, o: BusyOptions): string[] {
  return [
    '-h', '127.0.0.1', '-p', String(port), '-t', BUSY_TESTS.map((t) => t.toLowerCase()).join(','), '-P', String(o.pipeline),
    '-c', String(o.clients), '-r', String(o.random), '-d', String(o.value), '-n', String(o.n),
  ];
}

/** One invocation of redis-benchmark against `s` in condition `cond`; failures land in the run. */
async function invoke(s: PServer, o: BusyOptions, run: BusyRun): Promise<void> {
  const timeoutMs = (o.runTimeoutSec ?? 120 + Math.ceil((o.n * BUSY_TESTS.length) / 5000)) * 1000;
  const loop = run.cond === 'saving' ? new BgsaveLoop(s) : null;
  run.rssBefore = sampleMemory(s, false).serverRss;
  const t0 = performance.now();
  try {
    await loop?.start();
    const out = await runBenchmark(o.benchmarkBin, benchmarkArgs(s.port, o), timeoutMs);
    run.wallMs = performance.now() - t0;
    await loop?.stop();
    if (exited(s)) throw new Error('server exited during the run');
    run.tests = parseTests(out, BUSY_TESTS);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const death = await deathNote(s);
    run.failure = death !== null ? `${death} — ${msg}` : msg;
    // Leave no loop behind: stop it even when the benchmark failed.
    await loop?.stop().catch(() => undefined);
  }
  run.rssPeak = Math.max(run.rssBefore, loop?.rssPeak ?? 0, sampleMemory(s, false).serverRss);
  if (loop !== null) {
    run.savesStarted = loop.started;
    run.savingShare = loop.polls > 0 ? loop.busyPolls / loop.polls : null;
    run.cowPeak = loop.cowPeak;
    run.lastCowMax = loop.lastCowMax;
  }
}

/** The busy scenario: preload both sides, then reps × (quiet, saving) × sides invocations. */
export async function runBusy(o: BusyOptions, launchLog: LaunchLog): Promise<BusyResult> {
  const result: BusyResult = {
    opts: { random: o.random, value: o.value, n: o.n, pipeline: o.pipeline, clients: o.clients, reps: o.reps },
    preloadMs: new Map(), runs: [], commands: [], failure: null,
  };
  const servers: PServer[] = [];
  try {
    for (const side of o.sides) servers.push(await launch({ redisBin: o.redisBin, side, label: 'busy', extra: [] }, launchLog));
    for (const s of servers) {
      log(`persistence: busy: preloading ${fmtInt(o.random)} keys × ${o.value} B (redis-benchmark's -r names) into ${s.side}`);
      result.preloadMs.set(s.side, await preload(s, BENCHMARK_KEYS, o.random, o.value, o.minFreeBytes));
    }
  } catch (e) {
    result.failure = `setup failed: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    for (const s of servers) await stop(s);
    return result;
  }
  try {
    result.commands.push(`${commandLine(['redis-benchmark', ...benchmarkArgs(0, o)]).replace('-p 0', '-p P')}   # both sides, both conditions`);
    const total = o.reps * CONDITIONS.length * servers.length;
    let i = 0;
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const cond of CONDITIONS) {
        for (const s of servers) {
          i++;
          const run: BusyRun = {
            side: s.side, rep, cond, tests: new Map(), wallMs: 0, savesStarted: 0, savingShare: null,
            cowPeak: null, lastCowMax: null, rssBefore: null, rssPeak: null, failure: null,
          };
          result.runs.push(run);
          if (exited(s)) {
            run.failure = (await deathNote(s)) ?? 'not running';
            continue;
          }
          await invoke(s, o, run);
          if (run.failure !== null) log(`persistence: busy ${s.side} ${cond} rep ${rep}: ${run.failure}`);
          else {
            log(
              `persistence: busy [${i}/${total}] ${cond.padEnd(6)} ${s.side.padEnd(5)}: ` +
                BUSY_TESTS.map((t) => `${t} ${fmtInt(run.tests.get(t)?.rps ?? 0)}`).join(', ') +
                (cond === 'saving' ? `; ${run.savesStarted} saves, saving ${Math.round((run.savingShare ?? 0) * 100)} % of the time` : ''),
            );
          }
        }
      }
    }
  } finally {
    for (const s of servers) await stop(s);
  }
  return result;
}
