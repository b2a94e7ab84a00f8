// Markdown for the types benchmark: the memory tables (per shape: RSS and used_memory per key
// for both servers and their ratio; load time, peak RSS, Shoal's V8 heap split and GC pauses)
// and the throughput table (per redis-benchmark test and pipeline depth: median rps, spread,
// latency, ratio), with the GC Shoal did during each pass.

import { median } from '../lib.js';
import type { GcSummary } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import type { MemorySample, ShapeResult } from './memory.js';
import { summarizeTest, type TestSummary, type ThroughputResult } from './throughput.js';
import type { Side } from './servers.js';

// ---------------------------------------------------------------------------------------------
// Formatting

const fmtB = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(1));
const fmtMs = (x: number): string => x.toFixed(3);
const fmtRatio = (a: number | null, b: number | null): string => (a === null || b === null || !(b > 0) ? 'n/a' : (a / b).toFixed(2));
/** Text for a markdown table cell: no pipes or newlines. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Median of the non-null values, or null when there are none. */
function med(xs: ReadonlyArray<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? null : median(v);
}

/** "median" or, over several values, "median (min–max)". */
function withSpread(xs: ReadonlyArray<number | null>, fmt: (x: number) => string): string {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return '–';
  const m = median(v);
  if (v.length === 1) return fmt(m);
  return `${fmt(m)} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
}

// ---------------------------------------------------------------------------------------------
// Memory

function okSamples(r: ShapeResult, side: Side): MemorySample[] {
  return r.samples.filter((s) => s.side === side && s.failure === null && s.after !== null);
}

interface PerKey {
  rss: Array<number | null>;
  net: Array<number | null>;
  used: Array<number | null>;
  usedNet: Array<number | null>;
  loadS: Array<number | null>;
  peakMb: Array<number | null>;
  heapNet: Array<number | null>;
  extNet: Array<number | null>;
}

function perKey(samples: readonly MemorySample[], keys: number): PerKey {
  const k = (f: (s: MemorySample) => number | null): Array<number | null> => samples.map(f);
  return {
    rss: k((s) => (s.after !== null ? s.after.rss / keys : null)),
    net: k((s) => (s.after !== null && s.baseline !== null ? (s.after.rss - s.baseline.rss) / keys : null)),
    used: k((s) => (s.usedAfter !== null ? s.usedAfter / keys : null)),
    usedNet: k((s) => (s.usedAfter !== null && s.usedBefore !== null ? (s.usedAfter - s.usedBefore) / keys : null)),
    loadS: k((s) => (s.loadMs !== null ? s.loadMs / 1000 : null)),
    peakMb: k((s) => (s.after !== null ? s.after.peak / 2 ** 20 : null)),
    heapNet: k((s) => (s.heapAfter !== null && s.heapBefore !== null ? (s.heapAfter.heapUsed - s.heapBefore.heapUsed) / keys : null)),
    extNet: k((s) => (s.heapAfter !== null && s.heapBefore !== null ? (s.heapAfter.external - s.heapBefore.external) / keys : null)),
  };
}

function encodings(samples: readonly MemorySample[]): string {
  const set = [...new Set(samples.map((s) => s.encoding).filter((e): e is string => e !== null))];
  return set.length === 0 ? '–' : set.join('/');
}

/** GC over the reps: median count and total, the longest pause of all, kinds summed. */
function gcCells(samples: readonly MemorySample[], loadMs: Array<number | null>): string[] {
  const gs = samples.map((s) => s.gcLoad).filter((g): g is GcSummary => g !== null);
  if (gs.length === 0) return ['–', '–', '–', '–'];
  const pct = gs.map((g, i) => {
    const ms = loadMs[i] ?? null;
    return ms !== null && ms > 0 ? (100 * g.totalMs) / ms : null;
  });
  const kinds = new Map<string, { count: number; maxMs: number }>();
  for (const g of gs) {
    for (const [k, v] of g.byKind) {
      const t = kinds.get(k) ?? { count: 0, maxMs: 0 };
      t.count += v.count;
      t.maxMs = Math.max(t.maxMs, v.maxMs);
      kinds.set(k, t);
    }
  }
  const per = gs.length > 1 ? ` (${gs.length} loads)` : '';
  return [
    withSpread(gs.map((g) => g.count), (x) => fmtInt(x)),
    `**${fmtMs(Math.max(...gs.map((g) => g.maxMs)))}**`,
    `${withSpread(gs.map((g) => g.totalMs), (x) => fmtInt(x))} (${withSpread(pct, (x) => x.toFixed(0))} %)`,
    [...kinds].map(([k, v]) => `${k} ×${v.count} (max ${v.maxMs.toFixed(1)})`).join(', ') + per,
  ];
}

export function renderMemory(results: readonly ShapeResult[], reps: number): string {
  if (results.length === 0) return '';
  const keys = results[0]?.keys ?? 0;
  const lines = [
    `### memory: ${fmtInt(keys)} keys per shape (keys 10 B), ${reps} fresh start(s) per server and shape`,
    '',
    'Per key, after the load and a settle. "net" subtracts the empty server (node starts at ~50 MB, redis-server at ~10 MB).' +
      (reps > 1 ? ' Cells: median (min–max) over the starts.' : ''),
    '',
    '| shape | encoding redis / shoal | redis RSS/key B | shoal RSS/key B | shoal/redis RSS | redis net RSS/key B | shoal net RSS/key B | shoal/redis net | redis used_memory/key B | shoal used_memory/key B | shoal/redis used |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const rs = okSamples(r, 'redis');
    const ss = okSamples(r, 'shoal');
    const a = perKey(rs, r.keys);
    const b = perKey(ss, r.keys);
    lines.push(
      `| ${r.shape.name} | ${encodings(rs)} / ${encodings(ss)} | ${withSpread(a.rss, (x) => x.toFixed(1))} | ${withSpread(b.rss, (x) => x.toFixed(1))} | ` +
        `**${fmtRatio(med(b.rss), med(a.rss))}** | ${withSpread(a.net, (x) => x.toFixed(1))} | ${withSpread(b.net, (x) => x.toFixed(1))} | ` +
        `${fmtRatio(med(b.net), med(a.net))} | ${fmtB(med(a.used))} | ${fmtB(med(b.used))} | ${fmtRatio(med(b.used), med(a.used))} |`,
    );
  }
  lines.push(
    '',
    'Load (one pipelined connection, the same bytes to both), peak RSS (VmHWM), and where Shoal\'s memory is: V8 heap in use and ' +
      'external (arena) bytes per key, net of the empty server (MEMORY MALLOC-STATS), and its --trace-gc collections during the load.',
    '',
    '| shape | redis load s | shoal load s | shoal/redis load time | peak RSS MB redis / shoal | shoal V8 heap/key B | shoal external/key B | shoal GCs in load | longest GC pause ms | GC total ms (% of load) | collections (max ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of results) {
    const rs = okSamples(r, 'redis');
    const ss = okSamples(r, 'shoal');
    const a = perKey(rs, r.keys);
    const b = perKey(ss, r.keys);
    const gc = gcCells(ss, ss.map((s) => s.loadMs));
    const peaks = `${withSpread(a.peakMb, (x) => x.toFixed(0))} / ${withSpread(b.peakMb, (x) => x.toFixed(0))}`;
    lines.push(
      `| ${r.shape.name} | ${withSpread(a.loadS, (x) => x.toFixed(2))} | ${withSpread(b.loadS, (x) => x.toFixed(2))} | ${fmtRatio(med(b.loadS), med(a.loadS))} | ` +
        `${peaks} | ${fmtB(med(b.heapNet))} | ${fmtB(med(b.extNet))} | ${gc.join(' | ')} |`,
    );
  }
  lines.push('', 'Shapes (key *i* is `k` + *i* in 9 digits; every element differs from key to key):', '');
  for (const r of results) {
    lines.push(`- \`${r.shape.name}\`: ${r.shape.title}; Redis 7.0 encoding ${r.shape.redisEncoding}; key 0: \`${cell(r.example)}\``);
  }
  const settle = results.flatMap((r) => r.samples).map((s) => s.gcSettle).filter((g): g is GcSummary => g !== null && g.count > 0);
  if (settle.length > 0) {
    lines.push(`- Shoal collected ${settle.reduce((n, g) => n + g.count, 0)} more times during the settles after the loads (longest ${fmtMs(Math.max(...settle.map((g) => g.maxMs)))} ms); RSS was sampled after them`);
  }
  for (const r of results) {
    for (const s of r.samples) if (s.failure !== null) lines.push(`- **${r.shape.name}, ${s.side}, start ${s.rep} failed:** ${cell(s.failure)}`);
    const bad = r.samples.filter((s) => s.encoding !== null && s.side === 'redis' && s.encoding !== r.shape.redisEncoding);
    for (const s of bad) lines.push(`- ${r.shape.name}: redis reported encoding ${s.encoding ?? '?'} (expected ${r.shape.redisEncoding}): a non-default configuration?`);
  }
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Throughput

function spread(s: TestSummary): string {
  if (s.n < 2) return '–';
  const pct = s.rps > 0 ? ((s.rpsMax - s.rpsMin) / s.rps) * 100 : 0;
  return `${fmtInt(s.rpsMin)}–${fmtInt(s.rpsMax)} (${pct.toFixed(0)}%)`;
}

/** The widest rps spread (as % of the median) of one side over the table, for the noise note. */
export function widestSpread(r: ThroughputResult, side: Side): number {
  let w = 0;
  for (const [pi, pass] of r.passes.entries()) {
    for (const t of pass.tests) {
      const s = summarizeTest(r, pi, side, t);
      if (s !== null && s.n > 1 && s.rps > 0) w = Math.max(w, ((s.rpsMax - s.rpsMin) / s.rps) * 100);
    }
  }
  return w;
}

export function renderThroughput(r: ThroughputResult): string {
  const lines = [
    `### throughput: redis-benchmark type tests, ${r.clients} clients, ${r.reps} invocation(s) per side and pass, alternating`,
    '',
  ];
  if (r.failure !== null) {
    lines.push(`**Not run:** ${cell(r.failure)}`, '');
    return lines.join('\n');
  }
  lines.push(
    'rps, p50, p99: medians over the invocations; spread: min–max rps (width as % of the median); shoal/redis: ratio of median rps. ' +
      'FLUSHALL before every invocation; within one, the tests run in redis-benchmark\'s order, so LPOP/RPOP pop what LPUSH/RPUSH pushed. ' +
      'Without -r, SADD/HSET/ZADD write one member and most SPOP/ZPOPMIN find the key empty; with -r they use random members ' +
      '(about 0.63 × n distinct, hashtable/skiplist encodings).',
    '',
    '| test | -P | -r | n | redis rps | redis spread | redis p50 ms | redis p99 ms | shoal rps | shoal spread | shoal p50 ms | shoal p99 ms | shoal/redis |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [pi, pass] of r.passes.entries()) {
    for (const t of pass.tests) {
      const a = summarizeTest(r, pi, 'redis', t);
      const b = summarizeTest(r, pi, 'shoal', t);
      const side = (s: TestSummary | null): string => (s === null ? '– | – | – | –' : `${fmtInt(s.rps)} | ${spread(s)} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)}`);
      lines.push(
        `| ${t.toUpperCase()} | ${pass.pipeline} | ${pass.random === null ? 'no' : fmtInt(pass.random)} | ${fmtInt(pass.n)} | ${side(a)} | ${side(b)} | ` +
          `**${fmtRatio(b?.rps ?? null, a?.rps ?? null)}** |`,
      );
    }
  }
  lines.push('');
  for (const [pi, pass] of r.passes.entries()) {
    const invs = r.invocations.filter((i) => i.pass === pi && i.side === 'shoal' && i.gc !== null);
    if (invs.length === 0) continue;
    const gs = invs.map((i) => i.gc as GcSummary);
    const total = gs.reduce((n, g) => n + g.totalMs, 0);
    const wall = invs.reduce((n, i) => n + i.wallMs, 0);
    const kinds = new Map<string, { count: number; maxMs: number }>();
    for (const g of gs) {
      for (const [k, v] of g.byKind) {
        const x = kinds.get(k) ?? { count: 0, maxMs: 0 };
        x.count += v.count;
        x.maxMs = Math.max(x.maxMs, v.maxMs);
        kinds.set(k, x);
      }
    }
    lines.push(
      `- Shoal GC, -P ${pass.pipeline}${pass.random !== null ? ` -r ${fmtInt(pass.random)}` : ''} (${invs.length} invocations, ${(wall / 1000).toFixed(0)} s): ` +
        `${fmtInt(gs.reduce((n, g) => n + g.count, 0))} collections, longest pause **${fmtMs(Math.max(...gs.map((g) => g.maxMs)))} ms**, ` +
        `total ${fmtInt(total)} ms (${wall > 0 ? ((100 * total) / wall).toFixed(1) : '–'} % of the wall time); ` +
        [...kinds].map(([k, v]) => `${k} ×${v.count} (max ${v.maxMs.toFixed(1)} ms)`).join(', '),
    );
  }
  for (const i of r.invocations) {
    if (i.failure !== null) lines.push(`- **${i.side}, pass ${i.pass + 1}, invocation ${i.rep} failed:** ${cell(i.failure)}`);
  }
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}
