// Markdown for the persistence benchmark: the snapshot table (BGSAVE time and extra memory per
// server), the busy table (throughput while snapshots loop, as a ratio of quiet throughput) and
// the AOF table (SET throughput per appendfsync mode, as a ratio of no persistence), each with
// the issue's goal and whether this run met it, and ratios against redis-server from the same run.

import { median } from '../lib.js';
import { fmtInt } from '../engine/report.js';
import { AOF_MODES, type AofMode, type AofResult } from './aof.js';
import { BUSY_TESTS, type BusyResult, type BusyRun, type BusyTest, type Condition } from './busy.js';
import type { SaveRun, SnapshotResult } from './snapshot.js';
import type { Side } from './servers.js';

/** The issue's goals: Shoal keeps this share of its throughput while saving / with everysec. */
export const GOALS = { savingShare: 0.9, everysecShare: 0.9 } as const;

// ---------------------------------------------------------------------------------------------
// Formatting

const MB = 2 ** 20;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || !(b > 0) ? null : a / b);
const fmtR = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));

/** Median of the non-null finite values, or null. */
export function med(xs: ReadonlyArray<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? null : median(v);
}

/** "median" or, over several values, "median (min–max)"; '–' when there are none. */
export function spread(xs: ReadonlyArray<number | null>, fmt: (x: number) => string): string {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return '–';
  const m = median(v);
  return v.length === 1 ? fmt(m) : `${fmt(m)} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
}

const mb = (x: number): string => (x / MB).toFixed(1);
const secs = (x: number): string => (x / 1000).toFixed(2);
const verdict = (x: number | null, goal: number): string => (x === null ? 'n/a' : x >= goal ? 'met' : '**not met**');

// ---------------------------------------------------------------------------------------------
// Snapshot

function okSaves(r: SnapshotResult, side: Side): SaveRun[] {
  return r.saves.filter((s) => s.side === side && s.failure === null);
}

const rssDelta = (s: SaveRun): number | null => (s.peakServerRss !== null && s.before !== null ? s.peakServerRss - s.before.serverRss : null);
const pssDelta = (s: SaveRun): number | null => (s.peakTreePss !== null && s.before !== null ? s.peakTreePss - s.before.treePss : null);

export function renderSnapshot(r: SnapshotResult, sides: readonly Side[]): string {
  const lines = [
    `### snapshot: ${fmtInt(r.keys)} keys (${r.keyBytes} B keys, ${r.value} B values), BGSAVE on an idle server, alternating redis / shoal`,
    '',
  ];
  if (r.failure !== null) return [...lines, `**Not run:** ${cell(r.failure)}`, ''].join('\n');
  lines.push(
    '| side | load s | RSS loaded MB | saves | BGSAVE s | "DB saved on disk" s | RSS peak − before MB | tree PSS peak − before MB | save child peak RSS MB | current_cow_peak MB (max seen) | rdb_last_cow_size MB | rdb_last_bgsave_time_sec | file MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const side of sides) {
    const load = r.loads.find((l) => l.side === side);
    const ss = okSaves(r, side);
    lines.push(
      `| ${side} | ${load?.ms != null ? secs(load.ms) : '–'} | ${load?.loaded != null ? mb(load.loaded.serverRss) : '–'} | ${ss.length} | ` +
        `${spread(ss.map((s) => s.durationMs), secs)} | ${spread(ss.map((s) => s.savedMs), secs)} | ${spread(ss.map(rssDelta), mb)} | ` +
        `${spread(ss.map(pssDelta), mb)} | ${spread(ss.map((s) => s.peakChildRss), mb)} | ${spread(ss.map((s) => s.cowPeakSeen), mb)} | ` +
        `${spread(ss.map((s) => s.lastCowSize), mb)} | ${spread(ss.map((s) => s.lastBgsaveTimeSec), (x) => String(x))} | ${spread(ss.map((s) => s.fileBytes), mb)} |`,
    );
  }
  const a = okSaves(r, 'redis');
  const b = okSaves(r, 'shoal');
  if (a.length > 0 && b.length > 0) {
    const dur = ratio(med(b.map((s) => s.durationMs)), med(a.map((s) => s.durationMs)));
    const extraA = med(a.map(pssDelta));
    const extraB = med(b.map(pssDelta));
    lines.push(
      '',
      `- shoal/redis BGSAVE time: **${fmtR(dur)}**; extra memory during the save (tree PSS peak − before, medians): ` +
        `redis ${extraA === null ? '–' : mb(extraA)} MB, shoal ${extraB === null ? '–' : mb(extraB)} MB` +
        (extraA !== null && extraB !== null ? ` (${fmtR(ratio(extraB, extraA))} × redis's; as % of the loaded RSS: redis ${pct(extraA, r, 'redis')}, shoal ${pct(extraB, r, 'shoal')})` : ''),
    );
  }
  lines.push(
    '',
    'Cells: median (min–max) over the saves. *BGSAVE s*: from the BGSAVE reply to the "Background saving terminated with success" log line ' +
      '(redis-server notices its child\'s exit in serverCron, up to 1/hz = 100 ms later; *"DB saved on disk" s* is when its child finished writing). ' +
      `Memory was sampled every ${r.sampleMs} ms while the save ran. *RSS*: VmRSS of the serving process (for redis-server the parent: ` +
      'with no writes during the save it copies no pages). *tree PSS*: proportional set size summed over the server and its children ' +
      '(/proc/<pid>/smaps_rollup), which counts pages shared by redis-server\'s parent and fork child once, so its rise is what the save ' +
      'costs the machine. *save child peak RSS*: the fork child\'s RSS, mostly pages shared with the parent. *current_cow_peak* / ' +
      '*rdb_last_cow_size*: for redis-server the child\'s private (copied) memory; for Shoal the bytes the snapshot held for the disk ' +
      '(sink queue, writer buffer and keys written ahead of a change). *file*: bytes in --dir after the save (dump.rdb).',
  );
  for (const l of r.loads) if (l.failure !== null) lines.push(`- **${l.side}: load failed:** ${cell(l.failure)}`);
  for (const s of r.saves) if (s.failure !== null) lines.push(`- **${s.side}, save ${s.rep} failed:** ${cell(s.failure)}`);
  lines.push('');
  return lines.join('\n');
}

function pct(extra: number, r: SnapshotResult, side: Side): string {
  const rss = r.loads.find((l) => l.side === side)?.loaded?.serverRss ?? 0;
  return rss > 0 ? `${((100 * extra) / rss).toFixed(1)} %` : '–';
}

// ---------------------------------------------------------------------------------------------
// Busy

function busyRuns(r: BusyResult, side: Side, cond: Condition): BusyRun[] {
  return r.runs.filter((x) => x.side === side && x.cond === cond && x.failure === null);
}

function rpsOf(runs: readonly BusyRun[], t: BusyTest): number[] {
  return runs.map((x) => x.tests.get(t)?.rps).filter((x): x is number => x !== undefined);
}

/** Shoal's saving/quiet ratio per test (for the summary), or null without figures. */
export function busyShare(r: BusyResult, side: Side, t: BusyTest): number | null {
  return ratio(med(rpsOf(busyRuns(r, side, 'saving'), t)), med(rpsOf(busyRuns(r, side, 'quiet'), t)));
}

export function renderBusy(r: BusyResult, sides: readonly Side[]): string {
  const o = r.opts;
  const lines = [
    `### busy: redis-benchmark SET and GET while BGSAVEs run back to back, vs quiet (-P ${o.pipeline}, -c ${o.clients}, -r ${fmtInt(o.random)}, ` +
      `-d ${o.value}, -n ${fmtInt(o.n)}), ${o.reps} invocation(s) per side and condition, alternating`,
    '',
  ];
  if (r.failure !== null) return [...lines, `**Not run:** ${cell(r.failure)}`, ''].join('\n');
  const k = (x: number): string => fmtInt(x);
  const ms = (x: number): string => x.toFixed(3);
  lines.push(
    `| test | side | quiet rps | saving rps | **saving/quiet** (goal for shoal ≥ ${GOALS.savingShare}) | quiet p99 ms | saving p99 ms | saves per invocation | time saving % |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const t of BUSY_TESTS) {
    for (const side of sides) {
      const q = busyRuns(r, side, 'quiet');
      const s = busyRuns(r, side, 'saving');
      const share = busyShare(r, side, t);
      const p99 = (runs: BusyRun[]): Array<number | null> => runs.map((x) => x.tests.get(t)?.p99Ms ?? null);
      lines.push(
        `| ${t} | ${side} | ${spread(rpsOf(q, t), k)} | ${spread(rpsOf(s, t), k)} | **${fmtR(share)}**${side === 'shoal' ? ` (${verdict(share, GOALS.savingShare)})` : ''} | ` +
          `${spread(p99(q), ms)} | ${spread(p99(s), ms)} | ${spread(s.map((x) => x.savesStarted), (x) => String(x))} | ` +
          `${spread(s.map((x) => (x.savingShare === null ? null : 100 * x.savingShare)), (x) => x.toFixed(0))} |`,
      );
    }
  }
  lines.push('');
  for (const t of BUSY_TESTS) {
    const parts = (['quiet', 'saving'] as const).map((c) => {
      const rr = ratio(med(rpsOf(busyRuns(r, 'shoal', c), t)), med(rpsOf(busyRuns(r, 'redis', c), t)));
      return `${c} ${fmtR(rr)}`;
    });
    lines.push(`- shoal/redis ${t} rps: ${parts.join(', ')}`);
  }
  for (const side of sides) {
    const s = busyRuns(r, side, 'saving');
    const q = busyRuns(r, side, 'quiet');
    const grow = (runs: BusyRun[]): Array<number | null> => runs.map((x) => (x.rssPeak !== null && x.rssBefore !== null ? x.rssPeak - x.rssBefore : null));
    lines.push(
      `- ${side}, saving: highest current_cow_peak ${spread(s.map((x) => x.cowPeak), mb)} MB, highest rdb_last_cow_size ${spread(s.map((x) => x.lastCowMax), mb)} MB, ` +
        `serving-process RSS peak − before ${spread(grow(s), mb)} MB (quiet: ${spread(grow(q), mb)} MB); preload ${secs(r.preloadMs.get(side) ?? NaN)} s`,
    );
  }
  lines.push(
    '',
    'Cells: median (min–max) over the invocations. *saving*: a loop polls INFO persistence every 20 ms and sends BGSAVE whenever none is in progress, ' +
      'from just before redis-benchmark starts until it ends (the last save is then waited for); *time saving %*: share of those polls that found ' +
      'a save in progress. The keyspace is preloaded with the keys -r draws, so SETs overwrite keys a running snapshot still owes. ' +
      'redis-server\'s fork child competes for the same 2 cores as the server and redis-benchmark.',
  );
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **${x.side}, ${x.cond}, invocation ${x.rep} failed:** ${cell(x.failure)}`);
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// AOF

function aofRps(r: AofResult, side: Side, mode: AofMode, p: number): number[] {
  return r.runs
    .filter((x) => x.side === side && x.mode === mode && x.pipeline === p && x.failure === null && x.latency !== null)
    .map((x) => x.latency?.rps ?? 0);
}

/** A side's median rps in `mode` over its median rps without persistence. */
export function aofShare(r: AofResult, side: Side, mode: AofMode, p: number): number | null {
  return ratio(med(aofRps(r, side, mode, p)), med(aofRps(r, side, 'none', p)));
}

export function renderAof(r: AofResult, sides: readonly Side[]): string {
  const o = r.opts;
  const modes = AOF_MODES.filter((m) => o.modes.includes(m));
  const lines = [
    `### aof: redis-benchmark SET per appendfsync mode (-c ${o.clients}, -r ${fmtInt(o.random)}, -d ${o.value}; -n ${fmtInt(o.nUnpipelined)} at -P 1, ` +
      `${fmtInt(o.nPipelined)} pipelined), a fresh server per invocation, ${o.reps} per cell, alternating`,
    '',
    `| -P | side | ${modes.map((m) => `${m} rps`).join(' | ')} | ${modes.filter((m) => m !== 'none').map((m) => `**${m}/none**`).join(' | ')} | ` +
      `${modes.map((m) => `${m} p99 ms`).join(' | ')} | AOF dir MB (${modes.filter((m) => m !== 'none').join(' / ')}) |`,
    `| ---: | --- | ${modes.map(() => '---:').join(' | ')} | ${modes.filter((m) => m !== 'none').map(() => '---:').join(' | ')} | ${modes.map(() => '---:').join(' | ')} | ---: |`,
  ];
  const k = (x: number): string => fmtInt(x);
  for (const p of o.pipelines) {
    for (const side of sides) {
      const shares = modes.filter((m) => m !== 'none').map((m) => {
        const s = aofShare(r, side, m, p);
        return `**${fmtR(s)}**${side === 'shoal' && m === 'everysec' ? ` (${verdict(s, GOALS.everysecShare)})` : ''}`;
      });
      const p99 = modes.map((m) =>
        spread(r.runs.filter((x) => x.side === side && x.mode === m && x.pipeline === p && x.latency !== null).map((x) => x.latency?.p99Ms ?? null), (x) => x.toFixed(3)),
      );
      const dirs = modes
        .filter((m) => m !== 'none')
        .map((m) => spread(r.runs.filter((x) => x.side === side && x.mode === m && x.pipeline === p).map((x) => x.dirBytes), (x) => (x / MB).toFixed(0)));
      lines.push(`| ${p} | ${side} | ${modes.map((m) => spread(aofRps(r, side, m, p), k)).join(' | ')} | ${shares.join(' | ')} | ${p99.join(' | ')} | ${dirs.join(' / ')} |`);
    }
  }
  lines.push('');
  for (const p of o.pipelines) {
    const parts = modes.map((m) => `${m} ${fmtR(ratio(med(aofRps(r, 'shoal', m, p)), med(aofRps(r, 'redis', m, p))))}`);
    lines.push(`- shoal/redis SET rps at -P ${p}: ${parts.join(', ')}`);
  }
  lines.push(
    '',
    'Cells: median (min–max) over the invocations. *none*: `--appendonly no`; the others `--appendonly yes --appendfsync <mode> ' +
      '--auto-aof-rewrite-percentage 0` (no automatic rewrite during a run). `--save \'\'` everywhere. *AOF dir MB*: bytes in --dir after the run.',
  );
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **${x.side}, ${x.mode}, -P ${x.pipeline}, invocation ${x.rep} failed:** ${cell(x.failure)}`);
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}
