// Markdown for the replication benchmark: the lag table (probe write on the master -> keyspace
// event on the replica, percentiles over every probe of every run of a pair), the fullsync table
// (time for a fresh replica to hold every key, with its phases) and the throughput table (SET
// rps with 0 / 1 / 2 replicas as a ratio of none), each with the issue's goal and whether this
// run met it, set beside redis-server measured in the same run.

import { percentile } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { med, spread } from '../persistence/report.js';
import type { FullsyncResult, SyncRun } from './fullsync.js';
import type { LagResult, LagRun } from './lag.js';
import type { PairName, Side } from './nodes.js';
import type { ThroughputResult } from './throughput.js';
import type { ApplyResult, ApplyRun } from './apply.js';

/** The issue's goals for Shoal. */
export const GOALS = { lagP99Ms: 10, twoReplicaShare: 0.9 } as const;

const MB = 2 ** 20;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || !(b > 0) ? null : a / b);
const fmtR = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
const ms2 = (x: number): string => x.toFixed(2);
const secs = (x: number): string => (x / 1000).toFixed(2);
const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'met' : '**not met**');

/** "p50 / p99 / max" of the samples, or '–'. */
function pcts(xs: readonly number[], fmt: (x: number) => string): string {
  if (xs.length === 0) return '–';
  const s = [...xs].sort((a, b) => a - b);
  return `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 99))} / ${fmt(s[s.length - 1] ?? NaN)}`;
}

// ---------------------------------------------------------------------------------------------
// Lag

const okLag = (r: LagResult, pair: PairName): LagRun[] => r.runs.filter((x) => x.pair === pair && x.failure === null);

/** p99 of arrival − ack over every probe of a pair's successful runs, or null. */
export function lagP99(r: LagResult, pair: PairName): number | null {
  const all = okLag(r, pair).flatMap((x) => x.lagAck).sort((a, b) => a - b);
  return all.length === 0 ? null : percentile(all, 99);
}

export function lagGoalMet(r: LagResult): boolean | null {
  const p = lagP99(r, 'shoal/shoal');
  return p === null ? null : p < GOALS.lagP99Ms;
}

export function renderLag(r: LagResult): string {
  const o = r.opts;
  const lines = [
    `### lag: \`SET probe:<i> x\` on the master every ${o.probeMs} ms, its keyspace event on the replica, during redis-benchmark SET ` +
      `(-P ${o.pipeline}, -c ${o.clients}, -r ${fmtInt(o.random)}, -d ${o.value}, -n ${fmtInt(o.n)}) on the master; ${o.reps} run(s) per pair, alternating`,
    '',
    '| pair (master → replica) | runs ok | probes arrived / sent | **arrival − ack** ms p50 / p99 / max | arrival − send ms p50 / p99 / max | ' +
      'per-run p99 (arrival − ack) ms | probe SET round trip ms p50 / p99 | load SET rps | catch-up after the load ms | ' +
      'master INFO lag_bytes p50 / max | lag_ms p50 / max | acked-offset gap KB p50 / max | INFO samples |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const pair of o.pairs) {
    const failed = r.setupFailures.get(pair);
    if (failed !== undefined) {
      lines.push(`| ${pair} | 0 | – | not set up: ${cell(failed)} | | | | | | | | | |`);
      continue;
    }
    const ok = okLag(r, pair);
    const all = r.runs.filter((x) => x.pair === pair);
    const sum = (f: (x: LagRun) => number): number => all.reduce((a, x) => a + f(x), 0);
    const perRunP99 = ok.map((x) => (x.lagAck.length === 0 ? null : percentile([...x.lagAck].sort((a, b) => a - b), 99)));
    const flat = (f: (x: LagRun) => number[]): number[] => ok.flatMap(f);
    const p50max = (xs: number[], fmt: (x: number) => string): string => {
      if (xs.length === 0) return '–';
      const s = [...xs].sort((a, b) => a - b);
      return `${fmt(percentile(s, 50))} / ${fmt(s[s.length - 1] ?? NaN)}`;
    };
    const rttS = flat((x) => x.rtt).sort((a, b) => a - b);
    const shoalMaster = pair.startsWith('shoal/');
    const goal = pair === 'shoal/shoal' ? ` (goal p99 < ${GOALS.lagP99Ms} ms: ${verdict(lagGoalMet(r))})` : '';
    lines.push(
      `| ${pair} | ${ok.length}/${all.length} | ${fmtInt(sum((x) => x.arrived))} / ${fmtInt(sum((x) => x.sent))} | ` +
        `**${pcts(flat((x) => x.lagAck), ms2)}**${goal} | ${pcts(flat((x) => x.lagSend), ms2)} | ${spread(perRunP99, ms2)} | ` +
        `${rttS.length === 0 ? '–' : `${ms2(percentile(rttS, 50))} / ${ms2(percentile(rttS, 99))}`} | ` +
        `${spread(ok.map((x) => x.load?.rps ?? null), fmtInt)} | ${spread(ok.map((x) => x.catchUpMs), fmtInt)} | ` +
        `${shoalMaster ? p50max(flat((x) => x.infoLagBytes), fmtInt) : 'n/a'} | ${shoalMaster ? p50max(flat((x) => x.infoLagMs), fmtInt) : 'n/a'} | ` +
        `${p50max(flat((x) => x.infoGap), (x) => (x / 1024).toFixed(0))} | ${fmtInt(sum((x) => x.infoGap.length))} |`,
    );
  }
  const p = (pair: PairName): number | null => (o.pairs.includes(pair) ? lagP99(r, pair) : null);
  lines.push(
    '',
    `- shoal/shoal vs redis/redis, p99 arrival − ack: ${fmtR(p('shoal/shoal'))} ms vs ${fmtR(p('redis/redis'))} ms`,
    '',
    r.opts.realtime && r.realtimeFailure === null
      ? '- the harness (probe writer, subscriber, INFO sampler: one event loop) ran at real-time priority (SCHED_FIFO 20, `chrt`) from the start of each load until the replica caught up, so its own wake-ups were not late on the saturated cores'
      : `- the harness ran at normal priority (${r.opts.realtime ? r.realtimeFailure : '--no-rt'}): on saturated cores its own late wake-ups count as lag, for either server`,
    '',
    '*arrival − ack*: when the replica\'s `__keyspace@0__:probe:<i>` event reached the subscriber, minus when the master\'s +OK for ' +
      '`SET probe:<i>` reached the probe (both read by this process; it can be negative when the event beats the reply). ' +
      '*arrival − send* counts the master\'s own queueing under the load too. Percentiles are over every probe of every successful run of the pair; ' +
      'probes that never arrived (within the drain wait after the load) are the difference between arrived and sent. ' +
      'The replica has `notify-keyspace-events K$`; the subscriber uses PSUBSCRIBE `__keyspace@0__:probe:*`. ' +
      '*catch-up*: from the end of the load until the replica\'s slave_repl_offset reached the master\'s master_repl_offset. ' +
      '*lag_bytes / lag_ms*: the fields Shoal adds to each slaveN line of INFO replication (a redis-server master has none), sampled on the master ' +
      'during the load; *acked-offset gap*: master_repl_offset − the slave0 line\'s offset. Both count only what the replica acknowledged, and ' +
      'replicas acknowledge once a second, so they measure the ack period more than the lag. Pairs run one at a time; the idle pairs stay up.',
  );
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **${x.pair}, run ${x.rep} failed:** ${cell(x.failure)}`);
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Fullsync

const okSyncs = (r: FullsyncResult, side: Side, mode: string): SyncRun[] => r.runs.filter((x) => x.side === side && x.mode === mode && x.failure === null);

export function renderFullsync(r: FullsyncResult): string {
  const o = r.opts;
  const lines = [
    `### fullsync: a fresh replica of a master holding ${fmtInt(o.keys)} keys (10 B keys, ${o.value} B values), ${o.reps} sync(s) per side and mode, alternating`,
    '',
    '| mode | side | syncs ok | **REPLICAOF → link up, every key** s | → master_link_status:up s | → "Full resync from master" s | → payload received s | → "Finished with success" s | replica RSS MB | master load s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const mode of o.modes) {
    for (const side of o.sides) {
      const failed = r.setupFailures.get(side);
      if (failed !== undefined) {
        lines.push(`| ${mode} | ${side} | 0 | master not set up: ${cell(failed)} | | | | | | |`);
        continue;
      }
      const ok = okSyncs(r, side, mode);
      const all = r.runs.filter((x) => x.side === side && x.mode === mode);
      lines.push(
        `| ${mode} | ${side} | ${ok.length}/${all.length} | **${spread(ok.map((x) => x.allKeysMs), secs)}** | ${spread(ok.map((x) => x.upMs), secs)} | ` +
          `${spread(ok.map((x) => x.resyncMs), secs)} | ${spread(ok.map((x) => x.receivedMs), secs)} | ${spread(ok.map((x) => x.loadedMs), secs)} | ` +
          `${spread(ok.map((x) => x.replicaRss), (x) => (x / MB).toFixed(0))} | ${secs(r.preloadMs.get(side) ?? NaN)} |`,
      );
    }
  }
  lines.push('');
  for (const mode of o.modes) {
    const t = (side: Side): number | null => med(okSyncs(r, side, mode).map((x) => x.allKeysMs));
    lines.push(`- ${mode}: shoal/redis full sync time **${fmtR(ratio(t('shoal'), t('redis')))}**`);
  }
  lines.push(
    '',
    'Cells: median (min–max) over the syncs. The clock starts when REPLICAOF is sent to a fresh replica process (an empty --dir, started ' +
      'without --replicaof); *every key*: master_link_status:up and DBSIZE equal to the master\'s, polled every 20 ms. The phase columns are ' +
      'the arrival times of the replica\'s log lines. *diskless*: the master has `repl-diskless-sync yes`, *disk*: `no` (it saves an RDB file ' +
      'first, then sends it); `repl-diskless-sync-delay 0` for both; both replicas load through a temp file (repl-diskless-load disabled), ' +
      'except in *diskless-load*: a diskless master, and the replica loads from the socket (`repl-diskless-load on-empty-db`; Redis parses it ' +
      'as it arrives, Shoal keeps it in memory and loads it once whole; Redis logs no "Flushing old data" then, so its payload column is empty). ' +
      'After each sync 100 keys spread over the range are read back from the replica and compared with the loaded values.',
  );
  for (const x of r.runs) {
    if (x.failure !== null) lines.push(`- **${x.side}, ${x.mode}, sync ${x.rep} failed:** ${cell(x.failure)}`);
    else if (x.spotCheck !== null) lines.push(`- **${x.side}, ${x.mode}, sync ${x.rep}: wrong data on the replica:** ${cell(x.spotCheck)}`);
  }
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Throughput

function tpRps(r: ThroughputResult, side: Side, count: number, p: number): number[] {
  return r.runs.filter((x) => x.side === side && x.replicas === count && x.pipeline === p && x.failure === null && x.latency !== null).map((x) => x.latency?.rps ?? 0);
}

/** A side's median rps with `count` replicas over its median rps with none. */
export function replicaShare(r: ThroughputResult, side: Side, count: number, p: number): number | null {
  return ratio(med(tpRps(r, side, count, p)), med(tpRps(r, side, 0, p)));
}

export function renderThroughput(r: ThroughputResult): string {
  const o = r.opts;
  const counts = o.counts;
  const others = counts.filter((c) => c !== 0);
  const name = (c: number): string => `${c} replica${c === 1 ? '' : 's'}`;
  const lines = [
    `### throughput: master SET rps with ${counts.join(' / ')} replicas attached (-c ${o.clients}, -r ${fmtInt(o.random)}, -d ${o.value}; ` +
      `-n ${fmtInt(o.nUnpipelined)} at -P 1, ${fmtInt(o.nPipelined)} pipelined), a fresh master and replicas per cell, ${o.reps} per cell, alternating`,
    '',
    `| -P | side | ${counts.map((c) => `${name(c)} rps`).join(' | ')} | ${others.map((c) => `**${c}/0**`).join(' | ')} | ` +
      `${counts.map((c) => `${name(c)} p99 ms`).join(' | ')} | ${others.map((c) => `catch-up ms, ${name(c)}`).join(' | ')} |`,
    `| ---: | --- | ${counts.map(() => '---:').join(' | ')} | ${others.map(() => '---:').join(' | ')} | ${counts.map(() => '---:').join(' | ')} | ${others.map(() => '---:').join(' | ')} |`,
  ];
  for (const p of o.pipelines) {
    for (const side of o.sides) {
      const of = (c: number): typeof r.runs => r.runs.filter((x) => x.side === side && x.replicas === c && x.pipeline === p);
      const shares = others.map((c) => {
        const s = replicaShare(r, side, c, p);
        return `**${fmtR(s)}**${side === 'shoal' && c === 2 ? ` (${verdict(s === null ? null : s >= GOALS.twoReplicaShare)})` : ''}`;
      });
      lines.push(
        `| ${p} | ${side} | ${counts.map((c) => spread(tpRps(r, side, c, p), fmtInt)).join(' | ')} | ${shares.join(' | ')} | ` +
          `${counts.map((c) => spread(of(c).map((x) => x.latency?.p99Ms ?? null), (x) => x.toFixed(3))).join(' | ')} | ` +
          `${others.map((c) => spread(of(c).map((x) => x.catchUpMs), fmtInt)).join(' | ')} |`,
      );
    }
  }
  lines.push('');
  for (const p of o.pipelines) {
    const parts = counts.map((c) => `${name(c)} ${fmtR(ratio(med(tpRps(r, 'shoal', c, p)), med(tpRps(r, 'redis', c, p))))}`);
    lines.push(`- shoal/redis SET rps at -P ${p}: ${parts.join(', ')}`);
  }
  lines.push(
    '',
    'Cells: median (min–max) over the invocations. Every cell is a fresh master (`repl-diskless-sync yes`, `repl-diskless-sync-delay 0`) with ' +
      'its replicas (the same kind, `--replicaof`), in sync (every replica\'s slave_repl_offset at the master\'s offset) before the load, and ' +
      'again after FLUSHALL between the two pipeline depths. *catch-up*: from the end of the load until every replica had applied the ' +
      'master\'s whole stream. Master, replicas and redis-benchmark share the 2 cores, so each replica also takes CPU from its master.',
  );
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **${x.side}, ${x.replicas} replica(s), -P ${x.pipeline}, invocation ${x.rep} failed:** ${cell(x.failure)}`);
  lines.push('', '<details><summary>redis-benchmark command lines</summary>', '', '```', ...r.commands, '```', '', '</details>', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Apply

const okApply = (r: ApplyResult, side: Side): ApplyRun[] => r.runs.filter((x) => x.side === side && x.failure === null);

/** SETs a second of part `p` (-1: the whole stream) in each successful run of a side. */
function applyRates(r: ApplyResult, side: Side, p: number): number[] {
  return okApply(r, side).map((x) => {
    const parts = p < 0 ? x.parts : x.parts.slice(p, p + 1);
    return (parts.reduce((s, q) => s + q.sets, 0) * 1000) / parts.reduce((s, q) => s + q.ms, 0);
  });
}

/** CPU µs a SET (all threads, or the main thread) of part `p` (-1: the whole stream). */
function applyCpu(r: ApplyResult, side: Side, p: number, main: boolean): Array<number | null> {
  return okApply(r, side).map((x) => {
    const parts = p < 0 ? x.parts : x.parts.slice(p, p + 1);
    let cpu = 0;
    for (const q of parts) {
      const c = main ? q.mainCpuMs : q.cpuMs;
      if (c === null) return null;
      cpu += c;
    }
    return (cpu * 1000) / parts.reduce((s, q) => s + q.sets, 0);
  });
}

/** Shoal's whole-stream apply rate as a ratio of redis-server's (medians), or null. */
export function applyShare(r: ApplyResult): number | null {
  return ratio(med(applyRates(r, 'shoal', -1)), med(applyRates(r, 'redis', -1)));
}

export function renderApply(r: ApplyResult): string {
  const o = r.opts;
  const partNames = [...Array(o.parts).keys()].map((p) => `part ${p + 1}`);
  const lines = [
    `### apply: a fresh replica applying a stream of ${fmtInt(o.n)} SETs (-r ${fmtInt(o.random)}, ${o.value}-byte values; ` +
      `${fmtInt(r.streamBytes)} bytes, ${fmtInt(r.distinctKeys)} distinct keys) from a scripted master, in ${o.parts} parts; ${o.reps} run(s) per side, alternating`,
    '',
    `| side | runs ok | **whole stream SET/s** | ${partNames.map((n) => `${n} SET/s`).join(' | ')} | CPU µs / SET, all threads | main thread | ` +
      `${partNames.map((n) => `${n} CPU µs / SET`).join(' | ')} |`,
    `| --- | ---: | ---: | ${partNames.map(() => '---:').join(' | ')} | ---: | ---: | ${partNames.map(() => '---:').join(' | ')} |`,
  ];
  const us = (x: number): string => x.toFixed(2);
  for (const side of o.sides) {
    const runs = r.runs.filter((x) => x.side === side);
    lines.push(
      `| ${side} | ${okApply(r, side).length}/${runs.length} | **${spread(applyRates(r, side, -1), fmtInt)}** | ` +
        `${partNames.map((_, p) => spread(applyRates(r, side, p), fmtInt)).join(' | ')} | ${spread(applyCpu(r, side, -1, false), us)} | ` +
        `${spread(applyCpu(r, side, -1, true), us)} | ${partNames.map((_, p) => spread(applyCpu(r, side, p, false), us)).join(' | ')} |`,
    );
  }
  lines.push('');
  if (o.sides.includes('shoal') && o.sides.includes('redis')) lines.push(`- shoal/redis apply rate, whole stream: **${fmtR(applyShare(r))}**`, '');
  lines.push(
    'Cells: median (min–max) over the runs. The scripted master (in the benchmark\'s process) answers the handshake with an empty payload, ' +
      'then writes each part of the stream as fast as the replica reads it, followed by `REPLCONF GETACK *`; a part ends when the replica ' +
      'acknowledges its last byte. *CPU*: the replica process\'s user + system time over the part (/proc, 10 ms ticks), all its threads ' +
      '(V8\'s compiler and GC helpers included) or its main thread alone. A fresh replica process per run: part 1 includes its start-up ' +
      '(a Shoal replica compiles its hot path meanwhile). Every run checks the replica\'s DBSIZE against the stream\'s distinct keys.',
  );
  for (const x of r.runs) if (x.failure !== null) lines.push(`- **${x.side}, run ${x.rep + 1} failed:** ${cell(x.failure)}`);
  lines.push('');
  return lines.join('\n');
}
