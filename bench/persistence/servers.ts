// Servers of the persistence benchmark: redis-server and Shoal started as real processes on
// loopback ports, each with its own scratch --dir (removed when it exits) and the persistence
// flags of the scenario; their log lines about background saves are timestamped as they
// arrive. Also what the scenarios read off them: INFO persistence fields, and memory from
// /proc — VmRSS of the serving process and PSS summed over its process tree, which counts a
// fork child's copy-on-write pages once, as the machine pays for them.
//
// Built on bench/lib.ts (spawn, PID tracking, PING wait, kill by PID).

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  commandLine, followServer, freePort, killPid, log, packageRoot, shoalCommand, startServer, tempDirs, waitExit, type CpuChoice,
  type Running, type Server,
} from '../lib.js';
import { parseInfoNumbers, request, treeMemory } from '../engine/measure.js';

export type Side = 'redis' | 'shoal';

/** What the servers were started with, for the report. */
export interface LaunchLog {
  /** Per side and configuration label, the command line (port and dir generalized). */
  shown: Map<string, string>;
  /** Whether BENCH_SHOAL_CMD replaced the Shoal command. */
  overridden: boolean;
  /** When dist/ had last been compiled, at each Shoal start (more than one: the build changed mid-run). */
  builds: Set<string>;
}

export function newLaunchLog(): LaunchLog {
  return { shown: new Map(), overridden: false, builds: new Set() };
}

/**
 * The report's list of server command lines, one item per configuration, each Shoal line with
 * the build it ran (or a warning that BENCH_SHOAL_CMD replaced it, or that dist/ changed mid-run);
 * `legend` explains the placeholders in the lines.
 */
export function launchLines(launchLog: LaunchLog, legend: string): string[] {
  const builds = [...launchLog.builds].sort();
  const buildNote = launchLog.overridden
    ? ' (**BENCH_SHOAL_CMD override — not necessarily Shoal**)'
    : builds.length === 1
      ? ` (dist/ compiled ${builds[0] ?? ''})`
      : builds.length > 1
        ? ` (**dist/ was recompiled between Shoal starts: builds of ${builds.join(', ')}; samples span different code**)`
        : '';
  const lines = [`- servers (${legend}):`];
  for (const [label, shown] of launchLog.shown) lines.push(`  - ${label}: \`${shown}\`${label.startsWith('shoal') ? buildNote : ''}`);
  return lines;
}

/** A log line of a server, with its arrival time (performance.now()). */
export interface LogLine {
  at: number;
  text: string;
}

/** A running server of the benchmark. */
export interface PServer {
  side: Side;
  run: Running;
  port: number;
  /** The spawned process (a launcher, if Shoal re-executed node, else the server itself). */
  pid: number;
  /** The process that serves (and that a BGSAVE forks from, for redis-server). */
  serverPid: number;
  dir: string;
  /** Lines about saving and the AOF, newest last (bounded). */
  lines: LogLine[];
}

const KEPT_LINES = 400;
const INTERESTING = /saving|saved|CoW|copy-on-write|Snapshot memory|AOF|fsync|Fork/i;

/** When dist/ (what bin/shoal.js runs) was last compiled, or null. */
function shoalBuildTime(): string | null {
  try {
    return statSync(path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js')).mtime.toISOString();
  } catch {
    return null;
  }
}

export interface LaunchSpec {
  redisBin: string;
  side: Side;
  /** Name of the configuration in the report (e.g. `everysec`). */
  label: string;
  /** Flags after the standard ones (`--port P --bind 127.0.0.1 --save '' --appendonly no --dir D`); later flags win. */
  extra: readonly string[];
  /** The benchmark, for progress lines and the scratch directory's name (default `persistence`). */
  prog?: string;
  /** The CPU to run on (taskset); unpinned without. */
  cpu?: CpuChoice;
}

/**
 * Starts one server on a free loopback port with a fresh scratch directory as --dir, and waits
 * until it answers PING (killing it if it does not). The directory is removed when the process
 * exits (and by lib.ts's exit hook).
 */
export async function launch(spec: LaunchSpec, launchLog: LaunchLog): Promise<PServer> {
  const port = await freePort();
  const prog = spec.prog ?? 'persistence';
  const dir = mkdtempSync(path.join(os.tmpdir(), `shoal-bench-${prog === 'persistence' ? 'persist' : prog}-${spec.side}-`));
  tempDirs.add(dir);
  const tail = ['--dir', dir, ...spec.extra];
  let server: Server;
  if (spec.side === 'redis') {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...tail];
    server = startServer('redis', spec.redisBin, args, dir, commandLine(['redis-server', ...args]), port, spec.cpu ?? null);
  } else {
    const cmd = shoalCommand(port);
    launchLog.overridden = cmd.overridden;
    const build = cmd.overridden ? null : shoalBuildTime();
    if (build !== null) launchLog.builds.add(build);
    // An override runs through `/bin/sh -c "exec ..."`: the extra flags join that string.
    const args = cmd.overridden ? [cmd.args[0] ?? '-c', `${cmd.args[1] ?? ''} ${commandLine(tail)}`] : [...cmd.args, ...tail];
    server = startServer('shoal', cmd.file, args, packageRoot(), `${cmd.shown} ${commandLine(tail)}`, port, spec.cpu ?? null);
  }
  server.child.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
  const shown = server.commandLine.replace(`--port ${port}`, '--port P').split(dir).join('<tmpdir>');
  launchLog.shown.set(`${spec.side} (${spec.label})`, shown);
  const lines: LogLine[] = [];
  let partial = '';
  server.child.stdout?.on('data', (c: Buffer) => {
    const at = performance.now();
    const parts = (partial + c.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      if (!INTERESTING.test(text)) continue;
      lines.push({ at, text: text.trim() });
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    }
  });
  const run = await followServer(spec.side, server, false, `${prog}: ${spec.side} (${spec.label}) pid ${server.pid} on :${port}`);
  return { side: spec.side, run, port, pid: server.pid, serverPid: treeMemory(server.pid).serverPid, dir, lines };
}

export async function stop(s: PServer): Promise<void> {
  await killPid(s.pid);
}

export function exited(s: PServer): boolean {
  const c = s.run.server.child;
  return c.exitCode !== null || c.signalCode !== null;
}

/**
 * If the server has died (waiting up to 3 s for the exit to be noticed), a one-line account of
 * it: exit code or signal and the last lines of its stderr. Null while it still runs.
 */
export async function deathNote(s: PServer): Promise<string | null> {
  await waitExit(s.run.server.child, 3000);
  if (!exited(s)) return null;
  const c = s.run.server.child;
  const how = c.signalCode !== null ? `killed by ${c.signalCode}` : `exited with code ${String(c.exitCode)}`;
  const lines = s.run.stderrTail().split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const shown = lines.slice(-3).join(' / ');
  return `${s.side} died (${how})${shown !== '' ? `: ${shown.slice(0, 400)}` : ''}`;
}

/** Turns an error from a step into a failure line, naming a dead server if that is the cause. */
export async function failureOf(s: PServer, step: string, e: unknown): Promise<string> {
  const msg = e instanceof Error ? e.message : String(e);
  const death = await deathNote(s);
  return death !== null ? `${death} — during ${step}: ${msg}` : `${step}: ${msg}`;
}

// ---------------------------------------------------------------------------------------------
// Wire queries

export const QUERY_TIMEOUT_MS = 30_000;

/** INFO <section> as numbers (fields whose value is numeric). */
export async function info(s: PServer, section: string): Promise<Map<string, number>> {
  return parseInfoNumbers(await request(s.port, ['INFO', section], QUERY_TIMEOUT_MS));
}

export async function dbsize(s: PServer): Promise<number> {
  const reply = await request(s.port, ['DBSIZE'], QUERY_TIMEOUT_MS);
  const n = /^:(\d+)$/.exec(reply);
  if (n?.[1] === undefined) throw new Error(`DBSIZE replied ${JSON.stringify(reply)}`);
  return Number(n[1]);
}

/** Sends BGSAVE; resolves with true once it started, false if one was already running. */
export async function bgsave(s: PServer): Promise<boolean> {
  const reply = await request(s.port, ['BGSAVE'], QUERY_TIMEOUT_MS);
  if (reply === '+Background saving started') return true;
  if (/already in progress/i.test(reply)) return false;
  throw new Error(`BGSAVE replied ${JSON.stringify(reply)}`);
}

/** Bytes of the files under `dir` (recursively, at most a few levels). */
export function dirBytes(dir: string, depth = 3): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    try {
      const st = statSync(p);
      if (st.isDirectory()) n += depth > 0 ? dirBytes(p, depth - 1) : 0;
      else n += st.size;
    } catch {
      // removed meanwhile (a temp file renamed)
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Memory (Linux /proc)

function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m?.[1] !== undefined ? Number(m[1]) * 1024 : 0;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** One reading of a server's memory. */
export interface MemSample {
  at: number;
  /** VmRSS of the serving process. */
  serverRss: number;
  /** Sum of PSS (proportional set size) over the spawned process and its descendants. */
  treePss: number;
  /** VmRSS summed over descendants of the serving process (a redis-server save child). */
  childRss: number;
  /** Processes in the tree. */
  procs: number;
}

/**
 * Reads the memory of `s`: the serving process's VmRSS, PSS over the whole tree (from
 * smaps_rollup; with `pss` false it is 0, which is much cheaper on a big process), and the RSS
 * of any process forked by the serving one.
 */
export function sampleMemory(s: Pick<PServer, 'pid' | 'serverPid'>, pss: boolean): MemSample {
  const tree = treeMemory(s.pid);
  let treePss = 0;
  let childRss = 0;
  const serving = new Set<number>([s.serverPid]);
  const above = new Set<number>();
  // Everything listed after the serving process in the breadth-first walk, other than its
  // ancestors, descends from it (the tree is a chain launcher -> server -> save children).
  let past = false;
  for (const pid of tree.pids) {
    if (pid === s.serverPid) past = true;
    else if (!past) above.add(pid);
    if (pss) treePss += kbField(readOr(`/proc/${pid}/smaps_rollup`), 'Pss');
    if (past && !serving.has(pid) && !above.has(pid)) childRss += kbField(readOr(`/proc/${pid}/status`), 'VmRSS');
  }
  return { at: performance.now(), serverRss: kbField(readOr(`/proc/${s.serverPid}/status`), 'VmRSS'), treePss, childRss, procs: tree.pids.length };
}

export { log };
