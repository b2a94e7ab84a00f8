// The types benchmark's memory scenario: for each aggregate shape, a fresh redis-server and a
// fresh Shoal (under --trace-gc), one at a time so they never compete for RAM; each is sampled
// empty, loaded with N keys of the shape, checked (every reply, DBSIZE, OBJECT ENCODING),
// sampled again after a settle, and stopped. Repetitions alternate redis, shoal, redis, ...

import { performance } from 'node:perf_hooks';
import { sleep } from '../lib.js';
import { ENGINE_KEYS, keyName } from '../engine/dataset.js';
import { memAvailable, summarizeGc, treeMemory, type GcSummary, type TreeMemory } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { argsFor, commandBytes, loadShape, type Shape } from './dataset.js';
import {
  dbsize, exited, failureOf, gcBetween, launch, log, objectEncoding, shoalHeap, stop, usedMemory,
  type HeapSplit, type LaunchLog, type Running, type Side,
} from './servers.js';

export interface MemoryOptions {
  redisBin: string;
  keys: number;
  reps: number;
  sides: readonly Side[];
  settleMs: number;
  minFreeBytes: number;
  /** Commands per socket write, or null for about 2 MB. */
  chunk: number | null;
  /** Most commands in flight, or null for about 16 MB of them. */
  window: number | null;
}

/** One load of one shape into one fresh server. */
export interface MemorySample {
  side: Side;
  rep: number;
  /** Null when the sample completed; else what went wrong (including a server that died). */
  failure: string | null;
  baseline: TreeMemory | null;
  after: TreeMemory | null;
  usedBefore: number | null;
  usedAfter: number | null;
  /** Shoal only: V8 heap in use and external bytes, empty and loaded. */
  heapBefore: HeapSplit | null;
  heapAfter: HeapSplit | null;
  loadMs: number | null;
  /** OBJECT ENCODING of the first key. */
  encoding: string | null;
  /** Shoal only: collections during the load, and during the settle that followed it. */
  gcLoad: GcSummary | null;
  gcSettle: GcSummary | null;
}

export interface ShapeResult {
  shape: Shape;
  keys: number;
  /** The command that created key 0 (the others differ only in digits). */
  example: string;
  samples: MemorySample[];
}

const STALL_MS = 60_000;

/** Loads one shape into a fresh server of `side` and measures it; failures land in the sample. */
async function sampleOnce(o: MemoryOptions, shape: Shape, side: Side, rep: number, launchLog: LaunchLog): Promise<MemorySample> {
  const s: MemorySample = {
    side, rep, failure: null, baseline: null, after: null, usedBefore: null, usedAfter: null,
    heapBefore: null, heapAfter: null, loadMs: null, encoding: null, gcLoad: null, gcSettle: null,
  };
  let run: Running;
  try {
    run = await launch(o.redisBin, side, side === 'shoal', launchLog);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    s.failure = `did not start: ${msg.split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' / ').slice(0, 600)}`;
    log(`types: ${s.failure}`);
    return s;
  }
  try {
    await sleep(o.settleMs);
    s.baseline = treeMemory(run.server.pid);
    const serverPid = s.baseline.serverPid;
    s.usedBefore = await usedMemory(run);
    if (side === 'shoal') s.heapBefore = await shoalHeap(run);
    const bytes = commandBytes(shape);
    const chunk = o.chunk ?? Math.max(64, Math.min(10_000, Math.floor((2 * 2 ** 20) / bytes)));
    const window = Math.max(chunk, o.window ?? Math.floor((16 * 2 ** 20) / bytes));
    log(`types: loading ${fmtInt(o.keys)} × ${shape.name} into ${side} (rep ${rep})`);
    const started = performance.now();
    const res = await loadShape(shape, o.keys, {
      port: run.server.port,
      chunk,
      window,
      stallMs: STALL_MS,
      deadlineMs: 120_000 + o.keys * 0.2,
      check: () => {
        if (exited(run)) return `${side} exited`;
        const avail = memAvailable();
        if (avail < o.minFreeBytes) {
          return `machine memory low: MemAvailable ${Math.round(avail / 2 ** 20)} MB < --min-free ${Math.round(o.minFreeBytes / 2 ** 20)} MB`;
        }
        return null;
      },
      progress: (done, total) => {
        const secs = (performance.now() - started) / 1000;
        log(`types:   ${side} ${shape.name}: ${fmtInt(done)} / ${fmtInt(total)} keys (${fmtInt(done / secs)} keys/s), RSS ${fmtInt(treeMemory(run.server.pid).rss / 2 ** 20)} MB`);
      },
    });
    if (res.unexpected > 0) throw new Error(`${fmtInt(res.unexpected)} unexpected replies (want :${shape.reply}), first: ${res.firstUnexpected ?? '?'}`);
    s.loadMs = res.ms;
    if (side === 'shoal') s.gcLoad = summarizeGc(gcBetween(run, serverPid, res.t0, res.t1));
    const n = await dbsize(run);
    if (n !== o.keys) throw new Error(`DBSIZE ${n} after loading ${o.keys} keys`);
    s.encoding = await objectEncoding(run, keyName(ENGINE_KEYS, 0));
    const settleFrom = performance.now();
    await sleep(o.settleMs);
    if (exited(run)) throw new Error('server exited after the load');
    s.after = treeMemory(run.server.pid);
    s.usedAfter = await usedMemory(run);
    if (side === 'shoal') {
      s.heapAfter = await shoalHeap(run);
      s.gcSettle = summarizeGc(gcBetween(run, serverPid, settleFrom, performance.now()));
    }
    log(
      `types: ${side} ${shape.name}: loaded in ${(res.ms / 1000).toFixed(1)} s, RSS ${fmtInt(s.after.rss / 2 ** 20)} MB = ${(s.after.rss / o.keys).toFixed(1)} B/key` +
        (s.gcLoad !== null ? `; ${s.gcLoad.count} GCs during the load, longest ${s.gcLoad.maxMs.toFixed(1)} ms, total ${fmtInt(s.gcLoad.totalMs)} ms` : ''),
    );
  } catch (e) {
    s.failure = await failureOf(run, `memory ${shape.name}`, e);
    log(`types: ${s.failure}`);
  } finally {
    await stop(run);
  }
  return s;
}

/** The memory scenario for every shape: `reps` alternating samples per side. */
export async function runMemory(o: MemoryOptions, shapes: readonly Shape[], launchLog: LaunchLog): Promise<ShapeResult[]> {
  const results: ShapeResult[] = [];
  for (const shape of shapes) {
    log(`types: === memory: ${fmtInt(o.keys)} keys × ${shape.name} ===`);
    const r: ShapeResult = { shape, keys: o.keys, example: [shape.command, ...argsFor(shape, 0)].join(' '), samples: [] };
    results.push(r);
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const side of o.sides) r.samples.push(await sampleOnce(o, shape, side, rep, launchLog));
    }
  }
  return results;
}
