// Markdown for the hit-rate simulator: one table per workload (rows: eviction policy; columns:
// for each cache size, the exact-LRU reference, Belady's OPT, Redis and Shoal), the keys each
// server actually kept, and the calibration that sized maxmemory.

import { hitRate, type CacheCount } from './reference.js';
import type { Calibration, CellResult } from './runner.js';
import type { Side } from './servers.js';
import type { Trace } from './workload.js';

export interface WorkloadResult {
  trace: Trace;
  /** Reference counts per cache-size index (same order as the sizes). */
  lru: CacheCount[];
  opt: CacheCount[];
}

export interface SideResult {
  side: Side;
  /** Cells by key: cellKey(workload, policy, size index). */
  cells: Map<string, CellResult>;
  /** Calibrations by key `${mode}|${size index}`. */
  calibrations: Map<string, Calibration>;
  /** Why the side stopped early, if it did. */
  failure: string | null;
}

export function cellKey(workload: string, policy: string, sizeIndex: number): string {
  return `${workload}|${policy}|${sizeIndex}`;
}

export interface ReportInput {
  workloads: readonly WorkloadResult[];
  policies: readonly string[];
  /** Cache sizes as fractions of the keyspace. */
  sizes: readonly number[];
  /** Keys that fit at each size (round(fraction × N), at least 1). */
  sizeKeys: readonly number[];
  sides: readonly SideResult[];
  /** Whether Shoal was asked for (its column says "not run" otherwise). */
  shoalRun: boolean;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtPct(fraction: number): string {
  const p = fraction * 100;
  return `${Number.isInteger(p) ? p.toFixed(0) : p.toPrecision(3).replace(/\.?0+$/, '')} %`;
}

function rate(c: CacheCount | undefined): string {
  if (c === undefined) return '–';
  const r = hitRate(c);
  return Number.isNaN(r) ? '–' : r.toFixed(2);
}

/** What a server cell shows: its hit rate, or why there is none. */
function serverCell(cell: CellResult | undefined, ran: boolean): string {
  if (!ran) return 'not run';
  if (cell === undefined) return '–';
  if (cell.verdict === 'no-eviction') return 'no eviction';
  if (cell.verdict === 'oom') return 'OOM';
  if (cell.verdict === 'failed' || cell.replay === null) return 'failed';
  return rate(cell.replay);
}

function sideOf(input: ReportInput, side: Side): SideResult | undefined {
  return input.sides.find((s) => s.side === side);
}

/** The hit-rate table of one workload. */
export function renderWorkload(input: ReportInput, w: WorkloadResult): string {
  const name = w.trace.spec.name;
  const redis = sideOf(input, 'redis');
  const shoal = sideOf(input, 'shoal');
  const head = ['policy'];
  const align = ['---'];
  for (const f of input.sizes) {
    const p = fmtPct(f);
    head.push(`${p} LRU ref`, `${p} OPT ref`, `${p} Redis`, `${p} Shoal`);
    align.push('---:', '---:', '---:', '---:');
  }
  const rows = [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const policy of input.policies) {
    const cells = [policy];
    input.sizes.forEach((_, i) => {
      cells.push(
        rate(w.lru[i]),
        rate(w.opt[i]),
        serverCell(redis?.cells.get(cellKey(name, policy, i)), redis !== undefined),
        serverCell(shoal?.cells.get(cellKey(name, policy, i)), input.shoalRun && shoal !== undefined),
      );
    });
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return `### ${name}: ${describeWorkload(w.trace)}\n\nHit rate in % of the counted requests.\n\n${rows.join('\n')}\n`;
}

export function describeWorkload(t: Trace): string {
  const s = t.spec;
  const zipf = `Zipf s = ${s.s} over ${fmtInt(t.keys)} keys`;
  if (s.scanFraction <= 0) return zipf;
  const share = t.ids.length === 0 ? 0 : (100 * t.scanRequests) / t.ids.length;
  return (
    `${zipf}, polluted by scans: ${share.toFixed(1)} % of the requests are sequential runs of ${fmtInt(s.scanLength)} ` +
    `cold keys, each requested once (${fmtInt(t.scanRequests)} cold keys)`
  );
}

/** Per side: keys kept after each run (DBSIZE) against the keys that should fit, evictions, rate. */
export function renderKept(input: ReportInput): string {
  const out: string[] = [];
  for (const s of input.sides) {
    const head = ['workload', 'policy'];
    const align = ['---', '---'];
    for (const f of input.sizes) {
      head.push(`${fmtPct(f)} kept / fit`, `${fmtPct(f)} evicted`);
      align.push('---:', '---:');
    }
    head.push('requests/s');
    align.push('---:');
    const rows = [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
    const notes: string[] = [];
    for (const w of input.workloads) {
      const name = w.trace.spec.name;
      for (const policy of input.policies) {
        const cells = [name, policy];
        let reqs = 0;
        let ms = 0;
        input.sizes.forEach((_, i) => {
          const c = s.cells.get(cellKey(name, policy, i));
          cells.push(
            c?.dbsize != null ? `${fmtInt(c.dbsize)} / ${fmtInt(c.targetKeys)}` : '–',
            c?.evicted != null ? fmtInt(c.evicted) : '–',
          );
          if (c?.replay != null) {
            reqs += w.trace.ids.length;
            ms += c.replay.ms;
          }
          if (c?.note != null) notes.push(`- ${name}, ${policy}, ${fmtPct(input.sizes[i] ?? 0)}: ${c.note}`);
        });
        cells.push(ms > 0 ? fmtInt((reqs * 1000) / ms) : '–');
        rows.push(`| ${cells.join(' | ')} |`);
      }
    }
    out.push(
      `<details><summary>${s.side}: keys kept after each run (DBSIZE) / keys that fit, evictions, replay speed</summary>\n\n` +
        `${rows.join('\n')}\n${notes.length > 0 ? '\n' + notes.join('\n') + '\n' : ''}\n</details>\n`,
    );
  }
  return out.join('\n');
}

/** The calibrations: bytes per key measured at each cache size, per side and TTL mode. */
export function renderCalibration(input: ReportInput): string {
  const rows = ['| server | keys | TTL | used_memory empty | used_memory loaded | bytes/key |', '| --- | ---: | --- | ---: | ---: | ---: |'];
  for (const s of input.sides) {
    for (const [key, c] of s.calibrations) {
      const mode = key.split('|')[0] === 'volatile' ? 'yes' : 'no';
      rows.push(`| ${s.side} | ${fmtInt(c.keys)} | ${mode} | ${fmtInt(c.emptyUsed)} | ${fmtInt(c.loadedUsed)} | ${c.bytesPerKey.toFixed(1)}${c.reliable ? '' : ' (nominal: used_memory grew by less than the data)'} |`);
    }
  }
  const tuning: string[] = [];
  for (const s of input.sides) {
    const moves: number[] = [];
    for (const c of s.cells.values()) if (c.maxmemory > 0) moves.push((100 * (c.tunedMaxmemory - c.maxmemory)) / c.maxmemory);
    if (moves.length === 0) continue;
    moves.sort((a, b) => Math.abs(a) - Math.abs(b));
    const med = moves[Math.floor(moves.length / 2)] ?? 0;
    const max = moves[moves.length - 1] ?? 0;
    tuning.push(`- ${s.side}: the warm-up's tuning moved maxmemory by ${med.toFixed(2)} % (median) and ${max.toFixed(2)} % at most, over ${moves.length} runs`);
  }
  return (
    `<details><summary>maxmemory calibration</summary>\n\n${rows.join('\n')}\n\n` +
    'bytes/key is measured with at least 1,000 keys; each run starts from maxmemory = empty used_memory + keys × bytes/key ' +
    'and corrects it ten times during the warm-up by (keys that fit − DBSIZE) × bytes/key × 0.8 (bench/hitrate/runner.ts).\n' +
    `${tuning.length > 0 ? '\n' + tuning.join('\n') + '\n' : ''}\n</details>\n`
  );
}
