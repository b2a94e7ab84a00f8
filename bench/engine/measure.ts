// What the storage-engine benchmark reads off the machine and the tools: a server's resident
// memory from /proc, INFO fields over the wire, GC pauses from `node --trace-gc` output, and
// latency percentiles from redis-benchmark's text report.

import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

// ---------------------------------------------------------------------------------------------
// Process memory (Linux /proc)

/** Direct children of `pid` (all its threads), or [] if /proc does not say. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  let sawChildrenFile = false;
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      sawChildrenFile = true;
      for (const s of text.trim().split(/\s+/)) if (s !== '') out.push(Number(s));
    } catch {
      // thread gone, or a kernel without CONFIG_PROC_CHILDREN
    }
  }
  if (sawChildrenFile) return out;
  // Fallback: scan every process's parent id.
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TreeMemory {
  /** Sum of VmRSS over the spawned process and all its descendants, bytes. */
  rss: number;
  /** Sum of VmHWM (peak RSS) over the same processes, bytes. */
  peak: number;
  /** VmRSS of the server process alone (the deepest descendant; the spawned one if it has none). */
  serverRss: number;
  /** The process actually serving: differs from the spawned PID when a launcher re-execs node. */
  serverPid: number;
  pids: number[];
}

/**
 * Resident memory of a spawned server and everything under it. A launcher that re-execs node
 * (to size its heap) leaves a small parent process alive; its RSS is part of what the deployment
 * costs, so `rss` sums the tree, and `serverRss` isolates the serving process.
 */
export function treeMemory(rootPid: number): TreeMemory {
  const pids: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && pids.length < 64) {
    const pid = queue.shift() ?? 0;
    pids.push(pid);
    queue.push(...childrenOf(pid));
  }
  let serverPid = rootPid;
  for (let kids = childrenOf(serverPid); kids.length > 0; kids = childrenOf(serverPid)) {
    serverPid = kids.reduce((a, b) => (statusKb(b, 'VmRSS') > statusKb(a, 'VmRSS') ? b : a));
  }
  let rss = 0;
  let peak = 0;
  for (const pid of pids) {
    rss += statusKb(pid, 'VmRSS') * 1024;
    peak += statusKb(pid, 'VmHWM') * 1024;
  }
  return { rss, peak, serverRss: statusKb(serverPid, 'VmRSS') * 1024, serverPid, pids };
}

/** MemAvailable from /proc/meminfo in bytes, or Infinity where unknown. */
export function memAvailable(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) * 1024 : Infinity;
  } catch {
    return Infinity;
  }
}

export function memTotal(): number {
  try {
    const m = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// One full RESP reply (for INFO and DBSIZE)

/**
 * Sends one command on a fresh connection and resolves with its reply as text: the payload of a
 * bulk string, the line of a simple string/error/integer (with its type byte). Rejects on
 * timeout or a closed connection.
 */
export function request(port: number, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const sock = net.createConnection({ host: '127.0.0.1', port });
    const finish = (err: Error | null, reply?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err !== null) reject(err);
      else resolve(reply ?? '');
    };
    const timer = setTimeout(() => finish(new Error(`timeout waiting for the ${args[0] ?? ''} reply`)), timeoutMs);
    sock.on('connect', () => {
      let req = `*${args.length}\r\n`;
      for (const a of args) req += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      sock.write(req);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.toString('utf8', 0, nl);
      if (line[0] !== '$') return finish(null, line);
      const len = Number(line.slice(1));
      if (len < 0) return finish(null, '');
      if (buf.length >= nl + 2 + len + 2) finish(null, buf.toString('utf8', nl + 2, nl + 2 + len));
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error('connection closed before a reply')));
  });
}

/** Numeric fields of an INFO reply (`name:value` lines whose value is a number). */
export function parseInfoNumbers(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z_0-9]+):(-?[\d.]+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], Number(m[2]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// --trace-gc

export interface GcEvent {
  /** PID in the `[pid:isolate]` prefix. */
  pid: number;
  /** Milliseconds since the isolate started, as printed. */
  isolateMs: number;
  /** Scavenge, Mark-Compact, Mark-Compact (reduce), Minor Mark-Sweep, ... */
  kind: string;
  /** The main-thread pause of the collection itself. */
  pauseMs: number;
  /** For a Mark-Compact finishing incremental marking: the longest marking step before it. */
  biggestStepMs: number;
}

// [1234:0x55d0c0]    5678 ms: Mark-Compact 100.1 (120.2) -> 80.3 (110.0) MB, 12.34 / 0.05 ms  (+ 5.2 ms in 30 steps
//   since start of marking, biggest step 1.2 ms, walltime since start of marking 50 ms) (average mu = ...) ...
// Newer V8s insert "pooled: N MB, " before the times.
const GC_LINE = /^\[(\d+):0x[0-9a-f]+\]\s+(\d+) ms: (.+?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ ([\d.]+) ms/;
const BIGGEST_STEP = /biggest step ([\d.]+) ms/;

/** Parses one `--trace-gc` line, or returns null for any other line. */
export function parseTraceGcLine(line: string): GcEvent | null {
  const m = GC_LINE.exec(line);
  if (m === null) return null;
  const step = BIGGEST_STEP.exec(line);
  return {
    pid: Number(m[1]),
    isolateMs: Number(m[2]),
    kind: m[3] ?? '?',
    pauseMs: Number(m[4]),
    biggestStepMs: step?.[1] !== undefined ? Number(step[1]) : 0,
  };
}

export interface GcSummary {
  count: number;
  maxMs: number;
  p99Ms: number;
  totalMs: number;
  /** Largest incremental-marking step seen (each is a separate, short main-thread pause). */
  maxStepMs: number;
  /** Per collector kind: count and longest pause. */
  byKind: Map<string, { count: number; maxMs: number }>;
}

/** Nearest-rank percentile (q in 0..100) of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? NaN;
}

export function summarizeGc(events: readonly GcEvent[]): GcSummary {
  const pauses = events.map((e) => e.pauseMs).sort((a, b) => a - b);
  const byKind = new Map<string, { count: number; maxMs: number }>();
  let maxStepMs = 0;
  for (const e of events) {
    const k = byKind.get(e.kind) ?? { count: 0, maxMs: 0 };
    k.count++;
    k.maxMs = Math.max(k.maxMs, e.pauseMs);
    byKind.set(e.kind, k);
    maxStepMs = Math.max(maxStepMs, e.biggestStepMs);
  }
  return {
    count: events.length,
    maxMs: pauses.length > 0 ? (pauses[pauses.length - 1] ?? 0) : 0,
    p99Ms: pauses.length > 0 ? percentile(pauses, 99) : 0,
    totalMs: pauses.reduce((a, b) => a + b, 0),
    maxStepMs,
    byKind,
  };
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark text report

export interface LatencyReport {
  rps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  /** First "Latency by percentile distribution" row at or above 99.9 %. */
  p999Ms: number;
  maxMs: number;
}

/**
 * Parses redis-benchmark 7's plain (non-CSV) report for a single test: the percentile
 * distribution (`99.902% <= 8.975 milliseconds (cumulative count 199808)`) and the summary
 * (`throughput summary: N requests per second`, then avg/min/p50/p95/p99/max).
 */
export function parseBenchmarkText(text: string): LatencyReport {
  const clean = text.replace(/\r/g, '\n');
  const start = clean.indexOf('Latency by percentile distribution:');
  if (start < 0) throw new Error('no "Latency by percentile distribution" in redis-benchmark output');
  const rows: Array<{ pct: number; ms: number }> = [];
  for (const line of clean.slice(start).split('\n').slice(1)) {
    const m = /^\s*([\d.]+)% <= ([\d.]+) milliseconds/.exec(line);
    if (m === null) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push({ pct: Number(m[1]), ms: Number(m[2]) });
  }
  const at = (q: number): number => rows.find((r) => r.pct >= q)?.ms ?? NaN;
  const rps = /throughput summary: ([\d.]+) requests per second/.exec(clean);
  const summary = /latency summary \(msec\):\s*\n\s*avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(clean);
  if (rps?.[1] === undefined || summary === null) throw new Error('no summary in redis-benchmark output');
  return {
    rps: Number(rps[1]),
    avgMs: Number(summary[1]),
    p50Ms: Number(summary[3]),
    p99Ms: Number(summary[5]),
    p999Ms: at(99.9),
    maxMs: Number(summary[6]),
  };
}
