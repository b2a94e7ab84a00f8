// The persistence benchmark's AOF scenario: redis-benchmark SET throughput with
// `appendonly yes` and appendfsync everysec (the goal for Shoal: at least 0.9 of the
// throughput without persistence) and always (for information), for Shoal and redis-server.
//
// Every invocation gets a fresh server in a fresh --dir, so each starts from an empty dataset
// and an empty AOF, and the modes never share a file. Automatic AOF rewrites are switched off
// (auto-aof-rewrite-percentage 0) so the figures are those of appending and fsyncing alone.
// Order: per pipeline depth and repetition, every mode, and within it redis then shoal, so slow
// drift on the machine touches every cell about equally. After each invocation the size of the
// dir is recorded (a persistence mode that wrote nothing would show there).

import { commandLine, runBenchmark, setLoadArgs, setLoadRequests, type SetLoad } from '../lib.js';
import { parseBenchmarkText, type LatencyReport } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, dirBytes, exited, launch, log, stop, type LaunchLog, type PServer, type Side } from './servers.js';

export const AOF_MODES = ['none', 'everysec', 'always'] as const;
export type AofMode = (typeof AOF_MODES)[number];

export interface AofOptions extends SetLoad {
  redisBin: string;
  benchmarkBin: string;
  pipelines: readonly number[];
  modes: readonly AofMode[];
  reps: number;
  sides: readonly Side[];
  runTimeoutSec: number | null;
}

export interface AofRun {
  side: Side;
  mode: AofMode;
  pipeline: number;
  rep: number;
  latency: LatencyReport | null;
  /** Bytes in the server's dir after the invocation (the AOF directory and its files). */
  dirBytes: number | null;
  failure: string | null;
}

export interface AofResult {
  opts: Omit<AofOptions, 'redisBin' | 'benchmarkBin' | 'sides' | 'runTimeoutSec'>;
  runs: AofRun[];
  commands: string[];
}

/** The persistence flags of a mode (appended after `--appendonly no`: later flags win). */
export function modeFlags(mode: AofMode): string[] {
  if (mode === 'none') return [];
  return ['--appendonly', 'yes', '--appendfsync', mode, '--auto-aof-rewrite-percentage', '0'];
}


/** One invocation on a fresh server; failures land in the run. The server is always stopped. */
async function invoke(o: AofOptions, run: AofRun, launchLog: LaunchLog): Promise<void> {
  let s: PServer;
  try {
    s = await launch({ redisBin: o.redisBin, side: run.side, label: `aof ${run.mode}`, extra: modeFlags(run.mode) }, launchLog);
  } catch (e) {
    run.failure = `did not start: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    return;
  }
  try {
    const n = setLoadRequests(o, run.pipeline);
    const timeoutMs = (o.runTimeoutSec ?? 120 + Math.ceil(n / 1000)) * 1000;
    const out = await runBenchmark(o.benchmarkBin, setLoadArgs(s.port, o, run.pipeline), timeoutMs);
    if (exited(s)) throw new Error('server exited during the run');
    run.latency = parseBenchmarkText(out.slice(Math.max(0, out.indexOf('====== SET ======'))));
    run.dirBytes = dirBytes(s.dir);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const death = await deathNote(s);
    run.failure = death !== null ? `${death} — ${msg}` : msg;
  } finally {
    await stop(s);
  }
}

/** The AOF scenario: per pipeline depth, reps × modes × sides invocations on fresh servers. */
export async function runAof(o: AofOptions, launchLog: LaunchLog): Promise<AofResult> {
  const result: AofResult = {
    opts: {
      pipelines: o.pipelines, modes: o.modes, nUnpipelined: o.nUnpipelined, nPipelined: o.nPipelined, random: o.random,
      value: o.value, clients: o.clients, reps: o.reps,
    },
    runs: [],
    commands: [],
  };
  for (const p of o.pipelines) {
    result.commands.push(`${commandLine(['redis-benchmark', ...setLoadArgs(0, o, p)]).replace('-p 0', '-p P')}   # both sides, every mode`);
  }
  const total = o.pipelines.length * o.reps * o.modes.length * o.sides.length;
  let i = 0;
  for (const pipeline of o.pipelines) {
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const mode of o.modes) {
        for (const side of o.sides) {
          i++;
          const run: AofRun = { side, mode, pipeline, rep, latency: null, dirBytes: null, failure: null };
          result.runs.push(run);
          await invoke(o, run, launchLog);
          if (run.failure !== null) log(`persistence: aof ${side} ${mode} -P ${pipeline} rep ${rep}: ${run.failure}`);
          else {
            log(
              `persistence: aof [${i}/${total}] -P ${pipeline} ${mode.padEnd(8)} ${side.padEnd(5)}: SET ${fmtInt(run.latency?.rps ?? 0)} rps, ` +
                `p99 ${(run.latency?.p99Ms ?? 0).toFixed(3)} ms, dir ${fmtInt((run.dirBytes ?? 0) / 2 ** 20)} MB`,
            );
          }
        }
      }
    }
  }
  return result;
}
