// LATENCY monitor: events (e.g. "command", "fast-command", "expire-cycle") whose duration
// exceeded latency-monitor-threshold milliseconds. Per event, the latest sample, the all-time
// max, and a history of up to 160 samples, one per second at most (the max of that second).
// Also: per-command latency histograms (INFO latencystats) and the LATENCY DOCTOR report.

import type { Command } from '../command-table.js';

export interface LatencySample {
  time: number; // unix seconds
  latency: number; // ms
}

export interface LatencyEvent {
  samples: LatencySample[];
  max: number;
}

const HISTORY_LEN = 160;

export class LatencyMonitor {
  events = new Map<string, LatencyEvent>();
  /** Per-command histograms for INFO latencystats (recorded by dispatch's call()). */
  readonly commands = new CommandLatency();

  /** Adds a sample when thresholdMs > 0 and latencyMs >= thresholdMs. */
  maybeAdd(event: string, latencyMs: number, thresholdMs: number, nowMs: number): void {
    if (thresholdMs <= 0 || latencyMs < thresholdMs) return;
    const time = Math.floor(nowMs / 1000);
    const ms = Math.floor(latencyMs);
    let ev = this.events.get(event);
    if (ev === undefined) {
      ev = { samples: [], max: 0 };
      this.events.set(event, ev);
    }
    if (ms > ev.max) ev.max = ms;
    const last = ev.samples[ev.samples.length - 1];
    if (last !== undefined && last.time === time) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    ev.samples.push({ time, latency: ms });
    if (ev.samples.length > HISTORY_LEN) ev.samples.shift();
  }

  /** Resets the named events (all when none named); returns how many were reset. */
  reset(names: string[]): number {
    if (names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }
}

// -----------------------------------------------------------------------------------------
// Per-command latency histograms (INFO latencystats)
//
// Redis 7.0 keeps an HDR histogram per command (1 ns .. 1 s, 2 significant digits) and
// reports percentiles of it. This is the same bucketing, so the printed values are the same
// "highest equivalent value" numbers Redis prints (e.g. 1000 ns is reported as 1.003 us):
//  - values below 256 ns have exact buckets; above, each power-of-two range is split into
//    128 buckets, so a bucket is at most 1/128 of its value wide;
//  - a percentile is the upper edge of the bucket holding the ceil-rounded rank.

const HIST_MIN_NS = 1;
const HIST_MAX_NS = 1_000_000_000;
const SUB_HALF_MAG = 7; // log2(128)
const SUB_HALF = 1 << SUB_HALF_MAG;
/** Buckets needed to cover HIST_MAX_NS: (bucketIndex(max) + 2) * 128. */
const HIST_LEN = (bucketOf(HIST_MAX_NS) + 2) << SUB_HALF_MAG;

/** Bucket (power-of-two range) of value v >= 1: 0 for v < 256. */
function bucketOf(v: number): number {
  const x = v < 256 ? 255 : v;
  return 31 - Math.clz32(x) - SUB_HALF_MAG;
}

/** Index of an integer value in [1, 1e9] (fits 31 bits, so shifts are exact). */
function countsIndex(v: number): number {
  const b = bucketOf(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_HALF_MAG) + (sub - SUB_HALF);
}

/** The highest value that falls in the same bucket as counts index i. */
function highestOfIndex(i: number): number {
  let b = (i >> SUB_HALF_MAG) - 1;
  let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  if (b < 0) {
    sub -= SUB_HALF;
    b = 0;
  }
  const lowest = sub * 2 ** b;
  return lowest + 2 ** b - 1;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(HIST_LEN);
  total = 0;

  /** Records one duration in nanoseconds (clamped to [1 ns, 1 s] as Redis does). */
  record(ns: number): void {
    const v = ns < HIST_MIN_NS ? HIST_MIN_NS : ns > HIST_MAX_NS ? HIST_MAX_NS : Math.floor(ns);
    this.counts[countsIndex(v)]++;
    this.total++;
  }

  /** Value (ns) at percentile p (0..100): the upper edge of the bucket of that rank. */
  valueAt(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.floor((Math.min(p, 100) / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < HIST_LEN; i++) {
      seen += this.counts[i];
      if (seen >= rank) return highestOfIndex(i);
    }
    return HIST_MAX_NS;
  }
}

/**
 * Histograms keyed by command (or subcommand). Recording is
 * one array read and one array increment; histograms are allocated on a command's first call.
 */
export class CommandLatency {
  /** latency-tracking: when false nothing is recorded (kept in sync by the server). */
  enabled = true;
  /** Indexed by Command.id: an array read on the hot path instead of a Map lookup. */
  #hist: (LatencyHistogram | undefined)[] = [];

  record(cmd: Command, durationUs: number): void {
    if (!this.enabled) return;
    let h = this.#hist[cmd.id];
    if (h === undefined) {
      h = new LatencyHistogram();
      this.#hist[cmd.id] = h;
    }
    h.record(durationUs * 1000);
  }

  get(cmd: Command): LatencyHistogram | undefined {
    return this.#hist[cmd.id];
  }

  reset(): void {
    this.#hist = [];
  }
}

// -----------------------------------------------------------------------------------------
// LATENCY DOCTOR

export interface DoctorOptions {
  /** latency-monitor-threshold (ms); 0 = monitoring disabled. */
  thresholdMs: number;
  /** slowlog-log-slower-than (us); negative = slow log disabled. */
  slowlogUs: number;
}

/** Statistics of one event's history, as the doctor reports them. */
function analyze(ev: LatencyEvent): { count: number; avg: number; mad: number; period: number } {
  const s = ev.samples;
  const count = s.length;
  let sum = 0;
  for (const x of s) sum += x.latency;
  const avg = count ? sum / count : 0;
  let dev = 0;
  for (const x of s) dev += Math.abs(x.latency - avg);
  const mad = count ? dev / count : 0;
  // Samples are one per second at most, so spikes are never closer than a second apart.
  const span = count > 1 ? s[count - 1].time - s[0].time : 0;
  const period = count > 1 ? Math.max(1, span / (count - 1)) : 1;
  return { count, avg, mad, period };
}

/**
 * A human-readable analysis of the recorded latency events with advice, in the tone of
 * Redis's LATENCY DOCTOR (the disabled and no-spike texts are Redis's own). Lines end "\n".
 */
export function latencyDoctorReport(mon: LatencyMonitor, opts: DoctorOptions): string {
  if (opts.thresholdMs <= 0) {
    return (
      "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. " +
      'You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. ' +
      "If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
    );
  }
  if (mon.events.size === 0) {
    return (
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. ' +
      'I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n'
    );
  }
  let out = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  let n = 0;
  const kinds = new Set<string>();
  for (const [name, ev] of mon.events) {
    const a = analyze(ev);
    out +=
      `${++n}. ${name}: ${a.count} latency spikes (average ${Math.round(a.avg)}ms, mean deviation ` +
      `${Math.round(a.mad)}ms, period ${a.period.toFixed(2)} sec). Worst all time event ${ev.max}ms.\n`;
    kinds.add(name);
  }
  const advice: string[] = [];
  const slowKinds = kinds.has('command') || kinds.has('fast-command');
  if (slowKinds && opts.slowlogUs < 0) {
    advice.push(
      "The Slow Log is disabled. Enable it with 'CONFIG SET slowlog-log-slower-than " +
        `${opts.thresholdMs * 1000}' to see which commands are slow.`,
    );
  } else if (slowKinds && opts.slowlogUs > opts.thresholdMs * 1000) {
    advice.push(
      'Your current Slow Log configuration only logs events that are slower than your configured latency ' +
        `monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${opts.thresholdMs * 1000}'.`,
    );
  }
  if (kinds.has('command')) {
    advice.push(
      'Check your Slow Log (SLOWLOG GET) to find the commands that are too slow to execute: commands with ' +
        'O(N) complexity over large keys (KEYS, SMEMBERS, LRANGE 0 -1, ...) block every other client.',
    );
    advice.push(
      'Deleting, expiring or evicting large objects blocks the server while they are freed. If you often delete ' +
        'very large objects, split them into several smaller ones.',
    );
  }
  if (kinds.has('fast-command')) {
    advice.push(
      'Even O(1) and O(log N) commands were slow: the process did not get the CPU for long periods. This usually ' +
        'means garbage collection pauses, a starved or overloaded host, or other work blocking the event loop.',
    );
  }
  if (kinds.has('expire-cycle')) {
    advice.push(
      'The active expire cycle was slow: many keys with a TTL expire at the same time. Spread expiry times ' +
        '(add a random offset to TTLs) so keys do not all expire in the same second.',
    );
  }
  if (advice.length === 0) {
    return (
      out +
      "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis " +
      'community to get some help, providing this report in your help request.\n'
    );
  }
  out += '\nI have a few advices for you:\n\n';
  for (const a of advice) out += `- ${a}\n`;
  return out;
}
