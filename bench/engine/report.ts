// Results of the storage-engine benchmark and their markdown: one table per scenario, the
// issue's targets with a verdict each (met / not met / n/a), newest-first in bench/results/engine.md.

import type { VerifyResult } from './dataset.js';
import type { GcSummary, LatencyReport, TreeMemory } from './measure.js';
import { median } from '../lib.js';

export type Side = 'redis' | 'shoal';

// ---------------------------------------------------------------------------------------------
// Result shapes

/** The sizes the issue's targets are stated at; smaller runs are reported as indicative only. */
export const TARGET_KEYS = { memory: [1_000_000, 10_000_000], gc: 10_000_000, load: 20_000_000 } as const;

export interface MemorySide {
  side: Side;
  /** Null when the side completed; else what went wrong (including a server that died). */
  failure: string | null;
  baseline: TreeMemory | null;
  /** A sample soon after the load (EARLY_SAMPLE_MS), before the settled one; null if not taken. */
  early: TreeMemory | null;
  after: TreeMemory | null;
  usedBefore: number | null;
  usedAfter: number | null;
  loadMs: number | null;
  dbsize: number | null;
}

export interface MemoryResult {
  kind: 'memory';
  keys: number;
  value: number;
  keyBytes: number;
  sides: MemorySide[];
}

export interface GcRun {
  side: Side;
  rep: number;
  latency: LatencyReport | null;
  /** Shoal only: pauses reported during this run's load window. */
  gc: GcSummary | null;
  windowMs: number;
  failure: string | null;
}

export interface GcResult {
  kind: 'gc';
  keys: number;
  value: number;
  requests: number;
  clients: number;
  reps: number;
  preload: Array<{ side: Side; ms: number | null; failure: string | null; after: TreeMemory | null }>;
  runs: GcRun[];
  /** Pauses over all Shoal load windows together. */
  gcAll: GcSummary | null;
  /** False when --trace-gc could not be put on Shoal's command line (BENCH_SHOAL_CMD without {nodeflags}). */
  traceApplied: boolean;
  /** GC lines from processes other than the serving one (a launcher parent), ignored. */
  otherPidLines: number;
  commands: string[];
}

export interface LoadSide {
  side: Side;
  failure: string | null;
  loadMs: number | null;
  dbsize: number | null;
  verify: VerifyResult | null;
  after: TreeMemory | null;
}

export interface LoadResult {
  kind: 'load';
  keys: number;
  value: number;
  batch: number;
  sides: LoadSide[];
}

export type ScenarioResult = MemoryResult | GcResult | LoadResult;

export interface Verdict {
  target: string;
  measured: string;
  verdict: 'met' | 'not met' | 'n/a';
  note: string;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const fmtInt = (x: number): string => intFmt.format(Math.round(x));
const fmtMb = (bytes: number | null | undefined): string => (bytes === null || bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(1));
const fmtB = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(1));
const fmtMs = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
const fmtS = (ms: number | null): string => (ms === null ? '–' : (ms / 1000).toFixed(1));
const fmtRate = (n: number, ms: number | null): string => (ms === null || ms <= 0 ? '–' : fmtInt((n * 1000) / ms));
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || !(b > 0) ? null : a / b);
const fmtRatio = (r: number | null): string => (r === null ? 'n/a' : r.toFixed(2));
const fmtSize = (bytes: number): string => (bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} B`);
/** Text for a markdown table cell: no pipes or newlines. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function sizeNote(keys: number, targets: readonly number[]): string {
  return targets.includes(keys) ? '' : ` (at ${fmtInt(keys)} keys; the target is stated at ${targets.map(fmtInt).join(' / ')}: indicative only)`;
}

// ---------------------------------------------------------------------------------------------
// Memory

function perKey(m: MemorySide, keys: number): { rss: number | null; net: number | null; used: number | null; usedNet: number | null } {
  const rss = m.after !== null ? m.after.rss / keys : null;
  const net = m.after !== null && m.baseline !== null ? (m.after.rss - m.baseline.rss) / keys : null;
  const used = m.usedAfter !== null ? m.usedAfter / keys : null;
  const usedNet = m.usedAfter !== null && m.usedBefore !== null ? (m.usedAfter - m.usedBefore) / keys : null;
  return { rss, net, used, usedNet };
}

function renderMemory(r: MemoryResult): string {
  const lines = [
    `### memory: ${fmtInt(r.keys)} keys × ${fmtSize(r.value)} values (keys ${r.keyBytes} B)`,
    '',
    '| server | load s | keys/s | DBSIZE | RSS empty MB | RSS 2 s after load MB | RSS loaded MB | peak RSS MB | RSS/key B | (RSS − empty)/key B | used_memory MB | used_memory/key B | (used − empty)/key B |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of r.sides) {
    const k = perKey(s, r.keys);
    lines.push(
      `| ${s.side} | ${fmtS(s.loadMs)} | ${fmtRate(r.keys, s.loadMs)} | ${s.dbsize === null ? '–' : fmtInt(s.dbsize)} | ` +
        `${fmtMb(s.baseline?.rss)} | ${fmtMb(s.early?.rss)} | ${fmtMb(s.after?.rss)} | ${fmtMb(s.after?.peak)} | **${fmtB(k.rss)}** | ${fmtB(k.net)} | ` +
        `${fmtMb(s.usedAfter)} | ${fmtB(k.used)} | ${fmtB(k.usedNet)} |`,
    );
  }
  lines.push('');
  for (const s of r.sides) {
    if (s.failure !== null) lines.push(`- **${s.side} failed:** ${s.failure}`);
    if (s.after !== null && s.after.pids.length > 1) {
      lines.push(`- ${s.side}: ${s.after.pids.length} processes (serving pid ${s.after.serverPid}, ${fmtMb(s.after.serverRss)} MB of the RSS); RSS columns sum them`);
    }
  }
  const redis = r.sides.find((s) => s.side === 'redis');
  const shoal = r.sides.find((s) => s.side === 'shoal');
  if (redis !== undefined && shoal !== undefined) {
    const a = perKey(shoal, r.keys);
    const b = perKey(redis, r.keys);
    lines.push(
      `- shoal/redis: RSS per key **${fmtRatio(ratio(a.rss, b.rss))}**, net of the empty server ${fmtRatio(ratio(a.net, b.net))}, ` +
        `used_memory per key ${fmtRatio(ratio(a.used, b.used))}` +
        (shoal.early !== null && redis.early !== null ? `; 2 s after the load, RSS per key ${fmtRatio(ratio(shoal.early.rss, redis.early.rss))}` : ''),
    );
  }
  lines.push('');
  return lines.join('\n');
}

function memoryVerdict(r: MemoryResult): Verdict {
  const target = `memory, ${fmtInt(r.keys)} keys × ${fmtSize(r.value)}: Shoal RSS/key ≤ Redis RSS/key`;
  const redis = r.sides.find((s) => s.side === 'redis');
  const shoal = r.sides.find((s) => s.side === 'shoal');
  const note = sizeNote(r.keys, TARGET_KEYS.memory).trim();
  if (shoal?.failure != null) return { target, measured: `Shoal failed: ${shoal.failure}`, verdict: 'not met', note };
  if (redis === undefined || shoal === undefined || redis.failure !== null) {
    return { target, measured: 'needs both servers', verdict: 'n/a', note };
  }
  const a = perKey(shoal, r.keys).rss;
  const b = perKey(redis, r.keys).rss;
  if (a === null || b === null) return { target, measured: 'no RSS sample', verdict: 'n/a', note };
  const alone = shoal.after !== null && shoal.after.pids.length > 1 ? `; serving process alone ${(shoal.after.serverRss / r.keys).toFixed(1)} B/key` : '';
  return {
    target,
    measured: `Shoal ${a.toFixed(1)} B/key vs Redis ${b.toFixed(1)} B/key (ratio ${(a / b).toFixed(2)}${alone})`,
    verdict: a <= b ? 'met' : 'not met',
    note,
  };
}

// ---------------------------------------------------------------------------------------------
// GC and tail latency

function sideLatency(r: GcResult, side: Side): { p999: number; min: number; max: number; p99: number; rps: number; n: number } | null {
  const reps = r.runs.filter((x) => x.side === side && x.latency !== null).map((x) => x.latency as LatencyReport);
  if (reps.length === 0) return null;
  const p999 = reps.map((x) => x.p999Ms);
  return {
    p999: median(p999),
    min: Math.min(...p999),
    max: Math.max(...p999),
    p99: median(reps.map((x) => x.p99Ms)),
    rps: median(reps.map((x) => x.rps)),
    n: reps.length,
  };
}

function renderGc(r: GcResult): string {
  const lines = [
    `### gc: ${fmtInt(r.keys)} keys × ${fmtSize(r.value)} resident, SET -r ${fmtInt(r.keys)} -P 16 -c ${r.clients}, ${fmtInt(r.requests)} requests per run`,
    '',
  ];
  for (const p of r.preload) {
    lines.push(
      `- preload ${p.side}: ${p.failure !== null ? `**failed:** ${p.failure}` : `${fmtS(p.ms)} s (${fmtRate(r.keys, p.ms)} keys/s), RSS ${fmtMb(p.after?.rss)} MB`}`,
    );
  }
  lines.push(
    '',
    '| run | server | rps | p50 ms | p99 ms | p99.9 ms | max ms | GCs | max GC pause ms | p99 GC pause ms | GC time % |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const x of r.runs) {
    const l = x.latency;
    const g = x.gc;
    const gcCols =
      x.side === 'shoal' && g !== null
        ? `${g.count} | ${fmtMs(g.maxMs)} | ${fmtMs(g.p99Ms)} | ${x.windowMs > 0 ? ((100 * g.totalMs) / x.windowMs).toFixed(1) : '–'}`
        : '– | – | – | –';
    lines.push(
      `| ${x.rep} | ${x.side} | ${l === null ? '–' : fmtInt(l.rps)} | ${fmtMs(l?.p50Ms)} | ${fmtMs(l?.p99Ms)} | ${fmtMs(l?.p999Ms)} | ${fmtMs(l?.maxMs)} | ${gcCols} |`,
    );
  }
  lines.push('');
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **run ${x.rep} ${x.side} failed:** ${x.failure}`);
  const rl = sideLatency(r, 'redis');
  const sl = sideLatency(r, 'shoal');
  for (const [name, s] of [['redis', rl], ['shoal', sl]] as const) {
    if (s !== null) {
      lines.push(`- ${name}: p99.9 median ${fmtMs(s.p999)} ms (spread ${fmtMs(s.min)}–${fmtMs(s.max)} over ${s.n} runs), p99 ${fmtMs(s.p99)} ms, ${fmtInt(s.rps)} rps`);
    }
  }
  if (rl !== null && sl !== null) lines.push(`- shoal/redis p99.9: **${fmtRatio(ratio(sl.p999, rl.p999))}**`);
  if (!r.traceApplied) lines.push('- GC pauses: n/a (BENCH_SHOAL_CMD has no `{nodeflags}`, so --trace-gc was not applied)');
  else if (r.gcAll !== null) {
    const g = r.gcAll;
    const kinds = [...g.byKind].map(([k, v]) => `${k} ×${v.count} (max ${fmtMs(v.maxMs)} ms)`).join(', ');
    lines.push(
      `- Shoal GC during the load windows: ${g.count} collections, max pause **${fmtMs(g.maxMs)} ms**, p99 ${fmtMs(g.p99Ms)} ms, ` +
        `total ${fmtMs(g.totalMs)} ms; largest incremental-marking step ${fmtMs(g.maxStepMs)} ms` + (kinds !== '' ? `; ${kinds}` : ''),
    );
  }
  if (r.otherPidLines > 0) lines.push(`- ${r.otherPidLines} trace-gc lines from a launcher process were ignored (only the serving process counts)`);
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}

function gcVerdicts(r: GcResult): Verdict[] {
  const note = sizeNote(r.keys, [TARGET_KEYS.gc]).trim();
  const shoalFailed = [...r.preload, ...r.runs].find((x) => x.side === 'shoal' && x.failure !== null)?.failure ?? null;
  const pauseTarget = `GC, ${fmtInt(r.keys)} keys under SET -r ${fmtInt(r.keys)} -P 16: longest --trace-gc pause < 10 ms`;
  const latTarget = `tail latency, same load: Shoal p99.9 ≤ 2 × Redis p99.9`;
  let pause: Verdict;
  if (shoalFailed !== null) pause = { target: pauseTarget, measured: `Shoal failed: ${shoalFailed}`, verdict: 'not met', note };
  else if (!r.traceApplied || r.gcAll === null) pause = { target: pauseTarget, measured: 'no --trace-gc output', verdict: 'n/a', note };
  else if (r.gcAll.count === 0) pause = { target: pauseTarget, measured: 'no GC lines during the load windows', verdict: 'n/a', note };
  else {
    const worst = Math.max(r.gcAll.maxMs, r.gcAll.maxStepMs);
    pause = {
      target: pauseTarget,
      measured: `max ${fmtMs(r.gcAll.maxMs)} ms over ${r.gcAll.count} collections (p99 ${fmtMs(r.gcAll.p99Ms)} ms; largest marking step ${fmtMs(r.gcAll.maxStepMs)} ms)`,
      verdict: worst < 10 ? 'met' : 'not met',
      note,
    };
  }
  const rl = sideLatency(r, 'redis');
  const sl = sideLatency(r, 'shoal');
  let lat: Verdict;
  if (shoalFailed !== null) lat = { target: latTarget, measured: `Shoal failed: ${shoalFailed}`, verdict: 'not met', note };
  else if (rl === null || sl === null) lat = { target: latTarget, measured: 'needs both servers', verdict: 'n/a', note };
  else {
    const q = sl.p999 / rl.p999;
    lat = {
      target: latTarget,
      measured: `Shoal ${fmtMs(sl.p999)} ms vs Redis ${fmtMs(rl.p999)} ms (ratio ${q.toFixed(2)}; medians of ${sl.n}/${rl.n} runs)`,
      verdict: q <= 2 ? 'met' : 'not met',
      note,
    };
  }
  return [pause, lat];
}

// ---------------------------------------------------------------------------------------------
// Load and read back

function renderLoad(r: LoadResult): string {
  const lines = [
    `### load: ${fmtInt(r.keys)} keys × ${fmtSize(r.value)}, read back with MGET × ${r.batch}`,
    '',
    '| server | load s | load keys/s | DBSIZE | read s | read keys/s | matched | missing | wrong | error replies | RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of r.sides) {
    const v = s.verify;
    lines.push(
      `| ${s.side} | ${fmtS(s.loadMs)} | ${fmtRate(r.keys, s.loadMs)} | ${s.dbsize === null ? '–' : fmtInt(s.dbsize)} | ` +
        `${fmtS(v?.ms ?? null)} | ${fmtRate(r.keys, v?.ms ?? null)} | ${v === null ? '–' : fmtInt(v.matched)} | ${v === null ? '–' : fmtInt(v.missing)} | ` +
        `${v === null ? '–' : fmtInt(v.wrong)} | ${v === null ? '–' : fmtInt(v.errored)} | ${fmtMb(s.after?.rss)} |`,
    );
  }
  lines.push('');
  for (const s of r.sides) {
    if (s.failure !== null) lines.push(`- **${s.side} failed:** ${s.failure}`);
    for (const ex of s.verify?.examples ?? []) lines.push(`- ${s.side} mismatch: \`${ex.key}\` ${ex.problem}`);
  }
  lines.push('');
  return lines.join('\n');
}

function loadVerdict(r: LoadResult): Verdict {
  const target = `${fmtInt(r.keys)}-key load succeeds and every key reads back`;
  const note = sizeNote(r.keys, [TARGET_KEYS.load]).trim();
  const shoal = r.sides.find((s) => s.side === 'shoal');
  if (shoal === undefined) return { target, measured: 'Shoal not run', verdict: 'n/a', note };
  if (shoal.failure !== null) return { target, measured: `Shoal failed: ${shoal.failure}`, verdict: 'not met', note };
  const v = shoal.verify;
  if (v === null) return { target, measured: 'no read-back', verdict: 'not met', note };
  const bad = v.missing + v.wrong + v.errored;
  return {
    target,
    measured: `DBSIZE ${fmtInt(shoal.dbsize ?? 0)}; ${fmtInt(v.matched)} matched, ${fmtInt(bad)} mismatched; load ${fmtRate(r.keys, shoal.loadMs)} keys/s, read ${fmtRate(r.keys, v.ms)} keys/s`,
    verdict: bad === 0 && shoal.dbsize === r.keys && v.matched === r.keys ? 'met' : 'not met',
    note,
  };
}

// ---------------------------------------------------------------------------------------------
// Whole report

export function renderScenario(r: ScenarioResult): string {
  switch (r.kind) {
    case 'memory':
      return renderMemory(r);
    case 'gc':
      return renderGc(r);
    case 'load':
      return renderLoad(r);
  }
}

export function verdictsOf(r: ScenarioResult): Verdict[] {
  switch (r.kind) {
    case 'memory':
      return [memoryVerdict(r)];
    case 'gc':
      return gcVerdicts(r);
    case 'load':
      return [loadVerdict(r)];
  }
}

export function renderVerdicts(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap(verdictsOf);
  const lines = ['### Verdicts', '', '| target | measured | verdict |', '| --- | --- | --- |'];
  for (const v of rows) {
    const verdict = v.verdict === 'met' ? '**met**' : v.verdict === 'not met' ? '**not met**' : 'n/a';
    lines.push(`| ${cell(v.target)} | ${cell(v.measured)}${v.note !== '' ? ` ${cell(v.note)}` : ''} | ${verdict} |`);
  }
  lines.push('');
  return lines.join('\n');
}
