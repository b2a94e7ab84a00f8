// The replication benchmark's throughput scenario: a master's SET throughput with 0, 1 and 2
// replicas attached (the goal for Shoal: with 2 replicas at least 0.9 of its throughput with
// none), beside the same ratios for redis-server.
//
// Every cell (repetition × replica count × side) starts a fresh master and its replicas (the
// same kind), so no cell inherits a dataset or a replication backlog from another (a master
// that once had replicas keeps feeding its backlog); the replicas are in sync before the load
// starts. In a cell, redis-benchmark runs once per pipeline depth, FLUSHALL and a resync wait
// in between. After each load the harness also records how long the replicas took to apply
// the master's whole stream (catch-up): a master that outruns its replicas shows it there,
// not in its rps. Order: per repetition, per replica count, redis then shoal.

import { performance } from 'node:perf_hooks';
import { commandLine, runBenchmark, setLoadArgs, setLoadRequests, type SetLoad } from '../lib.js';
import { parseBenchmarkText, type LatencyReport } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, exited } from '../persistence/servers.js';
import { expectReply, log, startMaster, startReplica, stopAll, waitInSync, type NodeContext, type PServer, type Side } from './nodes.js';

export interface ThroughputOptions extends SetLoad {
  ctx: NodeContext;
  benchmarkBin: string;
  sides: readonly Side[];
  /** Replica counts (0 is the baseline of the ratios). */
  counts: readonly number[];
  pipelines: readonly number[];
  reps: number;
  runTimeoutSec: number | null;
}

export interface ThroughputRun {
  side: Side;
  replicas: number;
  pipeline: number;
  rep: number;
  latency: LatencyReport | null;
  /** From the end of the load until every replica had applied the whole stream (ms). */
  catchUpMs: number | null;
  failure: string | null;
}

export interface ThroughputResult {
  opts: Omit<ThroughputOptions, 'ctx' | 'benchmarkBin' | 'runTimeoutSec'>;
  runs: ThroughputRun[];
  commands: string[];
}

const SYNC_MS = 120_000;


/** One cell: a fresh master with `count` replicas, one invocation per pipeline depth. */
async function cell(o: ThroughputOptions, side: Side, count: number, rep: number, runs: ThroughputRun[]): Promise<void> {
  const cellRuns = o.pipelines.map((pipeline): ThroughputRun => ({ side, replicas: count, pipeline, rep, latency: null, catchUpMs: null, failure: null }));
  runs.push(...cellRuns);
  const servers: PServer[] = [];
  let master: PServer;
  const replicas: PServer[] = [];
  try {
    master = await startMaster(o.ctx, side, `throughput ${side}`);
    servers.push(master);
    for (let i = 0; i < count; i++) {
      const r = await startReplica(o.ctx, side, `throughput ${side}`, master);
      servers.push(r);
      replicas.push(r);
    }
    await waitInSync(master, replicas, SYNC_MS);
  } catch (e) {
    const msg = `setup: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    for (const r of cellRuns) r.failure = msg;
    await stopAll(servers);
    return;
  }
  try {
    for (const run of cellRuns) {
      try {
        await expectReply(master, ['FLUSHALL'], '+OK');
        await waitInSync(master, replicas, SYNC_MS);
        const n = setLoadRequests(o, run.pipeline);
        const timeoutMs = (o.runTimeoutSec ?? 120 + Math.ceil(n / 1000)) * 1000;
        const out = await runBenchmark(o.benchmarkBin, setLoadArgs(master.port, o, run.pipeline), timeoutMs, { pinning: o.ctx.pinning, role: 'server' });
        const end = performance.now();
        run.latency = parseBenchmarkText(out.slice(Math.max(0, out.indexOf('====== SET ======'))));
        await waitInSync(master, replicas, SYNC_MS);
        run.catchUpMs = performance.now() - end;
        if (servers.some((s) => exited(s))) throw new Error('a server exited during the run');
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        let death: string | null = null;
        for (const s of servers) death ??= await deathNote(s);
        run.failure = death !== null ? `${death} — ${msg}` : msg;
      }
      log(
        `replication: throughput rep ${rep} ${side.padEnd(5)} ${count} replica(s) -P ${String(run.pipeline).padEnd(2)}: ` +
          `SET ${fmtInt(run.latency?.rps ?? 0)} rps, catch-up ${run.catchUpMs === null ? '–' : `${fmtInt(run.catchUpMs)} ms`}` +
          (run.failure !== null ? `; FAILED: ${run.failure}` : ''),
      );
    }
  } finally {
    await stopAll(servers);
  }
}

/** The throughput scenario: reps × replica counts × sides cells. */
export async function runThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const result: ThroughputResult = {
    opts: {
      sides: o.sides, counts: o.counts, pipelines: o.pipelines, nPipelined: o.nPipelined, nUnpipelined: o.nUnpipelined,
      clients: o.clients, random: o.random, value: o.value, reps: o.reps,
    },
    runs: [],
    commands: o.pipelines.map((p) => `${commandLine(['redis-benchmark', ...setLoadArgs(0, o, p)]).replace('-p 0', '-p M')}   # on the master, both sides, every replica count`),
  };
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const count of o.counts) {
      for (const side of o.sides) await cell(o, side, count, rep, result.runs);
    }
  }
  return result;
}
