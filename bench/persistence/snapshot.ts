// The persistence benchmark's snapshot scenario: how long a BGSAVE of N keys (10 B keys, 100 B
// values by default) takes and how much memory it costs, for redis-server (fork + copy-on-write)
// and Shoal (fork-less walk, principle 6), on an otherwise idle server.
//
// Both servers are loaded with the same keys and stay up; BGSAVEs then alternate redis, shoal,
// redis, shoal, ... One save (watchBgsave) is timed from the BGSAVE reply to the server's
// "Background saving terminated" log line (INFO rdb_last_bgsave_time_sec is whole seconds), and
// sampled every `sampleMs`: VmRSS of the serving process, PSS over its process tree (a fork
// child's private pages counted once), INFO current_cow_peak; afterwards rdb_last_cow_size and
// the size of the file written.

import { performance } from 'node:perf_hooks';
import { sleep } from '../lib.js';
import { ENGINE_KEYS, loadKeys, setCommandBytes } from '../engine/dataset.js';
import { memAvailable, parseInfoNumbers, request } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import {
  QUERY_TIMEOUT_MS, bgsave, dbsize, dirBytes, exited, failureOf, info, launch, log, sampleMemory, stop,
  type LaunchLog, type MemSample, type PServer, type Side,
} from './servers.js';

export interface SnapshotOptions {
  redisBin: string;
  keys: number;
  value: number;
  /** BGSAVEs per side. */
  saves: number;
  sides: readonly Side[];
  settleMs: number;
  sampleMs: number;
  minFreeBytes: number;
}

/** What one BGSAVE cost. Byte figures are null where they could not be read. */
export interface SaveRun {
  side: Side;
  rep: number;
  failure: string | null;
  /** BGSAVE reply to the "Background saving terminated" line (or to INFO showing it ended). */
  durationMs: number | null;
  /** BGSAVE reply to the "DB saved on disk" line: for redis-server, when its child finished. */
  savedMs: number | null;
  before: MemSample | null;
  /** Highest serving-process RSS, tree PSS and save-child RSS seen while the save ran. */
  peakServerRss: number | null;
  peakTreePss: number | null;
  peakChildRss: number | null;
  /** Highest INFO current_cow_peak seen while the save ran. */
  cowPeakSeen: number | null;
  /** INFO rdb_last_cow_size after it. */
  lastCowSize: number | null;
  /** INFO rdb_last_bgsave_time_sec after it. */
  lastBgsaveTimeSec: number | null;
  fileBytes: number | null;
  samples: number;
}

export interface LoadRun {
  side: Side;
  ms: number | null;
  failure: string | null;
  loaded: MemSample | null;
}

export interface SnapshotResult {
  keys: number;
  value: number;
  keyBytes: number;
  loads: LoadRun[];
  saves: SaveRun[];
  sampleMs: number;
  /** Set when the scenario could not run at all. */
  failure: string | null;
}

/** Options of one watched save. */
export interface WatchOptions {
  sampleMs: number;
  /** Sample PSS over the tree (costly on a big process) as well as RSS. */
  pss: boolean;
  deadlineMs: number;
}

/**
 * Runs one BGSAVE on `s` and watches it to the end: samples memory and INFO persistence every
 * `sampleMs` until rdb_bgsave_in_progress is 0. Fills `run` (durations, peaks, INFO figures);
 * throws on a refused BGSAVE, a failed save, a dead server or the deadline.
 */
export async function watchBgsave(s: PServer, run: SaveRun, o: WatchOptions): Promise<void> {
  run.before = sampleMemory(s, o.pss);
  let peakRss = run.before.serverRss;
  let peakPss = run.before.treePss;
  let peakChild = 0;
  let cowPeak = 0;
  const t0 = performance.now();
  if (!(await bgsave(s))) throw new Error('a BGSAVE was already in progress');
  let endPolled: number | null = null;
  for (;;) {
    const tick = performance.now();
    const m = sampleMemory(s, o.pss);
    run.samples++;
    peakRss = Math.max(peakRss, m.serverRss);
    peakPss = Math.max(peakPss, m.treePss);
    peakChild = Math.max(peakChild, m.childRss);
    const p = await info(s, 'persistence');
    cowPeak = Math.max(cowPeak, p.get('current_cow_peak') ?? 0);
    if (p.get('rdb_bgsave_in_progress') === 0) {
      endPolled = performance.now();
      break;
    }
    if (exited(s)) throw new Error('server exited during the save');
    if (tick - t0 > o.deadlineMs) throw new Error(`save still running after ${Math.round(o.deadlineMs / 1000)} s`);
    await sleep(Math.max(1, o.sampleMs - (performance.now() - tick)));
  }
  const text = await request(s.port, ['INFO', 'persistence'], QUERY_TIMEOUT_MS);
  const after = parseInfoNumbers(text);
  const status = /^rdb_last_bgsave_status:(\w+)/m.exec(text)?.[1] ?? '?';
  if (status !== 'ok') throw new Error(`rdb_last_bgsave_status:${status}`);
  const line = (re: RegExp): number | null => s.lines.find((l) => l.at >= t0 && re.test(l.text))?.at ?? null;
  const terminated = line(/Background saving terminated with success/);
  const saved = line(/DB saved on disk/);
  run.durationMs = (terminated ?? endPolled) - t0;
  run.savedMs = saved !== null ? saved - t0 : null;
  run.peakServerRss = peakRss;
  run.peakTreePss = o.pss ? peakPss : null;
  run.peakChildRss = peakChild;
  run.cowPeakSeen = cowPeak;
  run.lastCowSize = after.get('rdb_last_cow_size') ?? null;
  run.lastBgsaveTimeSec = after.get('rdb_last_bgsave_time_sec') ?? null;
  run.fileBytes = dirBytes(s.dir);
}

export function emptySave(side: Side, rep: number): SaveRun {
  return {
    side, rep, failure: null, durationMs: null, savedMs: null, before: null, peakServerRss: null, peakTreePss: null,
    peakChildRss: null, cowPeakSeen: null, lastCowSize: null, lastBgsaveTimeSec: null, fileBytes: null, samples: 0,
  };
}

const STALL_MS = 60_000;

/** Loads keys 0..count-1 (ENGINE_KEYS, `value`-byte values) into `s`, checking every reply and DBSIZE. */
export async function preload(s: PServer, keys: typeof ENGINE_KEYS, count: number, value: number, minFreeBytes: number): Promise<number> {
  const bytes = setCommandBytes({ keys, valueSize: value });
  const chunk = Math.max(64, Math.min(10_000, Math.floor((2 * 2 ** 20) / bytes)));
  const window = Math.max(chunk, Math.floor((16 * 2 ** 20) / bytes));
  const started = performance.now();
  const res = await loadKeys(
    { keys, count, valueSize: value },
    {
      port: s.port, chunk, window, stallMs: STALL_MS, deadlineMs: 120_000 + count * 0.2,
      check: () => {
        if (exited(s)) return `${s.side} exited`;
        const avail = memAvailable();
        return avail < minFreeBytes ? `machine memory low: MemAvailable ${Math.round(avail / 2 ** 20)} MB` : null;
      },
      progress: (done, total) => {
        const secs = (performance.now() - started) / 1000;
        log(`persistence:   ${s.side}: ${fmtInt(done)} / ${fmtInt(total)} keys (${fmtInt(done / secs)} keys/s)`);
      },
    },
  );
  if (res.errorReplies > 0) throw new Error(`${fmtInt(res.errorReplies)} error replies, first: ${res.firstError ?? '?'}`);
  const n = await dbsize(s);
  if (n < count) throw new Error(`DBSIZE ${n} after loading ${count} keys`);
  return res.ms;
}

/** The snapshot scenario: both sides loaded, then `saves` alternating watched BGSAVEs. */
export async function runSnapshot(o: SnapshotOptions, launchLog: LaunchLog): Promise<SnapshotResult> {
  const result: SnapshotResult = {
    keys: o.keys, value: o.value, keyBytes: ENGINE_KEYS.prefix.length + ENGINE_KEYS.width, loads: [], saves: [], sampleMs: o.sampleMs, failure: null,
  };
  const servers: PServer[] = [];
  try {
    for (const side of o.sides) servers.push(await launch({ redisBin: o.redisBin, side, label: 'snapshot', extra: [] }, launchLog));
  } catch (e) {
    result.failure = `a server did not start: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    for (const s of servers) await stop(s);
    return result;
  }
  try {
    const ready: PServer[] = [];
    for (const s of servers) {
      const load: LoadRun = { side: s.side, ms: null, failure: null, loaded: null };
      result.loads.push(load);
      try {
        log(`persistence: loading ${fmtInt(o.keys)} keys × ${o.value} B into ${s.side}`);
        load.ms = await preload(s, ENGINE_KEYS, o.keys, o.value, o.minFreeBytes);
        await sleep(o.settleMs);
        load.loaded = sampleMemory(s, true);
        log(`persistence: ${s.side} loaded in ${(load.ms / 1000).toFixed(1)} s, RSS ${fmtInt(load.loaded.serverRss / 2 ** 20)} MB`);
        ready.push(s);
      } catch (e) {
        load.failure = await failureOf(s, 'load', e);
        log(`persistence: ${load.failure}`);
      }
    }
    const deadlineMs = 120_000 + o.keys * 0.1;
    for (let rep = 1; rep <= o.saves; rep++) {
      for (const s of ready) {
        const run = emptySave(s.side, rep);
        result.saves.push(run);
        if (exited(s)) {
          run.failure = await failureOf(s, 'bgsave', new Error('not running'));
          continue;
        }
        try {
          await watchBgsave(s, run, { sampleMs: o.sampleMs, pss: true, deadlineMs });
          const mb = (x: number | null): string => (x === null ? '?' : fmtInt(x / 2 ** 20));
          log(
            `persistence: [${rep}/${o.saves}] ${s.side} BGSAVE ${((run.durationMs ?? 0) / 1000).toFixed(2)} s; RSS ${mb(run.before?.serverRss ?? null)} -> peak ${mb(run.peakServerRss)} MB, ` +
              `tree PSS peak +${mb((run.peakTreePss ?? 0) - (run.before?.treePss ?? 0))} MB, rdb_last_cow_size ${mb(run.lastCowSize)} MB`,
          );
        } catch (e) {
          run.failure = await failureOf(s, `bgsave ${rep}`, e);
          log(`persistence: ${run.failure}`);
        }
        await sleep(Math.min(o.settleMs, 1000));
      }
    }
  } finally {
    for (const s of servers) await stop(s);
  }
  return result;
}
