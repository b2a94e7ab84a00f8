// Shared harness for the benchmarks in bench/: spawning redis-server and Shoal on loopback ports,
// tracking every child by PID so nothing outlives the run, one-shot RESP commands, and the
// machine/version lines and newest-first results files that every report uses.
//
// Used by bench/run.ts (server core) and bench/engine.ts (storage engine). Everything here talks to
// servers over the wire only, so it measures whatever engine the server runs.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable } from '../src/lib/files.js';
import { performance } from 'node:perf_hooks';
import { memTotal, parseTraceGcLine, type GcEvent } from './engine/measure.js';

// ---------------------------------------------------------------------------------------------
// Constants

export const STARTUP_DEADLINE_MS = 20_000;
const PING_INTERVAL_MS = 100;
export const COMMAND_TIMEOUT_MS = 5_000;
const KILL_GRACE_MS = 3_000;

/**
 * The package root: lib.ts's ROOT or the nearest ancestor of it holding bin/shoal.js. That is
 * ROOT itself for the standard build (dist/bench/), and still the package when the benchmark
 * was compiled to another --outDir.
 */
export function packageRoot(): string {
  for (let dir = ROOT, i = 0; i < 8; i++, dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bin', 'shoal.js'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return ROOT;
}

/** A started server being followed (followServer). */
export interface Running {
  side: 'redis' | 'shoal';
  server: Server;
  /** Tail of stderr alone: where a fatal error lands, even when stdout carries --trace-gc lines. */
  stderrTail: () => string;
  /** --trace-gc events with their arrival time (performance.now()); empty without tracing. */
  gc: Array<GcEvent & { at: number }>;
}

/**
 * Follows a server just started: keeps the tail of its stderr, collects its --trace-gc
 * events from stdout when traceGc, logs `started`, and waits for it to answer PING (killing
 * it if it never does).
 */
export async function followServer(side: 'redis' | 'shoal', server: Server, traceGc: boolean, started: string): Promise<Running> {
  const run: Running = { side, server, stderrTail: () => '', gc: [] };
  let errTail = '';
  server.child.stderr?.on('data', (c: Buffer) => {
    errTail = (errTail + c.toString('utf8')).slice(-16_384);
  });
  run.stderrTail = () => errTail;
  if (traceGc) {
    let partial = '';
    server.child.stdout?.on('data', (c: Buffer) => {
      const at = performance.now();
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const e = parseTraceGcLine(line);
        if (e !== null) run.gc.push({ ...e, at });
      }
    });
  }
  log(started);
  try {
    await waitForPing(server);
  } catch (e) {
    await killPid(server.pid);
    throw e;
  }
  return run;
}

/** A progress or error line on stderr (reports go to stdout). */
export function log(msg: string): void {
  process.stderr.write(msg + '\n');
}

/**
 * Runs a benchmark's main(): its result is the exit code; SIGINT / SIGTERM and an uncaught
 * failure stop every server it started (killAll), and so does the process's exit.
 */
export function runBench(prefix: string, main: () => Promise<number>): void {
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${prefix}: ${sig}, stopping servers`);
      void killAll().finally(() => process.exit(130));
    });
  }
  process.on('exit', killAllSync);
  main().then(
    (code) => {
      process.exitCode = code;
    },
    async (e: unknown) => {
      log(`${prefix}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      await killAll();
      process.exitCode = 1;
    },
  );
}

/** The package root (this file runs from dist/bench/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------
// Process tracking: everything we spawn is registered here and killed by PID on the way out.

export const live = new Map<number, { child: ChildProcess; label: string }>();

export function track(child: ChildProcess, label: string): number {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${label}`);
  live.set(pid, { child, label });
  child.once('exit', () => live.delete(pid));
  return pid;
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  // Children run in their own process group (detached), whose id is their PID: signal the group
  // so helpers they may have forked go too, and fall back to the PID alone.
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // no such group: try the process itself
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export async function killPid(pid: number): Promise<void> {
  const entry = live.get(pid);
  if (entry === undefined) return;
  signalPid(pid, 'SIGTERM');
  if (await waitExit(entry.child, KILL_GRACE_MS)) return;
  signalPid(pid, 'SIGKILL');
  await waitExit(entry.child, KILL_GRACE_MS);
}

export async function killAll(): Promise<void> {
  await Promise.all([...live.keys()].map((pid) => killPid(pid)));
}

/** Temporary directories to remove on the way out. */
export const tempDirs = new Set<string>();

/** Last-resort synchronous cleanup (process 'exit' cannot await). */
export function killAllSync(): void {
  for (const pid of live.keys()) signalPid(pid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/**
 * redis-server and redis-benchmark (from PATH, or REDIS_SERVER / REDIS_BENCHMARK), or null after
 * telling the user on stderr what is missing; `prog` names the calling script in that message.
 */
export function redisTools(prog: string): { server: string; benchmark: string } | null {
  const server = which('redis-server', 'REDIS_SERVER');
  const benchmark = which('redis-benchmark', 'REDIS_BENCHMARK');
  if (server !== null && benchmark !== null) return { server, benchmark };
  process.stderr.write(
    `${prog}: redis-server and redis-benchmark 7.0 are needed on PATH (Debian: apt-get install redis-server redis-tools),\n` +
      `${' '.repeat(prog.length)}  or REDIS_SERVER / REDIS_BENCHMARK pointing at them.\n`,
  );
  return null;
}

/**
 * Puts this process's main thread (its event loop) at real-time priority (SCHED_FIFO 20, with
 * chrt) or back to the normal policy. A harness that times events on a saturated machine wakes
 * late now and then at normal priority, and that lateness lands in its figures; at a real-time
 * priority it runs as soon as its socket is readable. Processes spawned while it is on inherit
 * the policy: spawn them before. Returns null, or why it could not (no chrt, not permitted).
 */
export function setRealtime(on: boolean): string | null {
  const chrt = which('chrt', 'CHRT');
  if (chrt === null) return 'chrt not found';
  try {
    execFileSync(chrt, on ? ['-f', '-p', '20', String(process.pid)] : ['-o', '-p', '0', String(process.pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: COMMAND_TIMEOUT_MS,
    });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message?: string };
    return (err.stderr?.toString().trim() || err.message || String(e)).split('\n')[0] ?? 'chrt failed';
  }
}

export function which(name: string, envVar: string): string | null {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.includes(path.sep)) return isExecutable(fromEnv) ? fromEnv : null;
    name = fromEnv;
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const full = path.join(dir, name);
    if (isExecutable(full)) return full;
  }
  return null;
}


export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Quotes an argv element for display as a POSIX shell word. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

/** Sends one RESP command on a fresh connection and resolves with the first reply line. */
export function sendCommand(port: number, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let settled = false;
    const sock = net.createConnection({ host: '127.0.0.1', port });
    const finish = (err: Error | null, line?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err !== null) reject(err);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => finish(new Error(`timeout waiting for ${args[0] ?? ''} reply`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => {
      let req = `*${args.length}\r\n`;
      for (const a of args) req += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      sock.write(req);
    });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const end = buf.indexOf('\r\n');
      if (end >= 0) finish(null, buf.slice(0, end));
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error('connection closed before a reply')));
  });
}

// ---------------------------------------------------------------------------------------------
// Servers

export interface Server {
  label: 'redis' | 'shoal';
  port: number;
  pid: number;
  child: ChildProcess;
  commandLine: string;
  /** Tail of the server's stdout+stderr, for error messages. */
  output: () => string;
}

export function captureTail(child: ChildProcess, limit = 8192): () => string {
  let tail = '';
  const add = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail;
}

/** `cpu`: where to run it (taskset), or null to leave it to the scheduler. */
export function startServer(
  label: Server['label'], file: string, args: readonly string[], cwd: string, shown: string, port: number, cpu: CpuChoice | null = null,
): Server {
  const run = onCpu(cpu, file, args);
  const child = spawn(run.file, run.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = captureTail(child);
  child.on('error', () => {
    // reported through waitForPing (the process never answers)
  });
  const pid = track(child, label);
  return { label, port, pid, child, commandLine: shown, output };
}

export async function waitForPing(server: Server): Promise<void> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `${server.label} exited during startup (code ${String(server.child.exitCode)}, signal ${String(server.child.signalCode)})\n` +
          `command: ${server.commandLine}\noutput:\n${server.output()}`,
      );
    }
    try {
      const reply = await sendCommand(server.port, ['PING'], Math.min(1000, Math.max(1, deadline - Date.now())));
      if (reply === '+PONG') return;
      lastError = `unexpected reply ${JSON.stringify(reply)}`;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    await sleep(PING_INTERVAL_MS);
  }
  throw new Error(
    `${server.label} did not answer PING within ${STARTUP_DEADLINE_MS} ms (last: ${lastError})\n` +
      `command: ${server.commandLine}\noutput:\n${server.output()}`,
  );
}

export async function flushAll(server: Server): Promise<void> {
  const reply = await sendCommand(server.port, ['FLUSHALL'], COMMAND_TIMEOUT_MS);
  if (reply !== '+OK') throw new Error(`FLUSHALL on ${server.label} replied ${JSON.stringify(reply)}`);
}

export function assertAlive(server: Server): void {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(
      `${server.label} (pid ${server.pid}) died (code ${String(server.child.exitCode)}, signal ${String(server.child.signalCode)})\n` +
        `output:\n${server.output()}`,
    );
  }
}

/** How to start the Shoal side; `shown` is the command line for reports. */
export interface ShoalCommand {
  file: string;
  args: string[];
  shown: string;
  /** True when BENCH_SHOAL_CMD replaced the standard command (so it may not be Shoal at all). */
  overridden: boolean;
  /** Whether `nodeFlags` made it onto the command line (an override must say `{nodeflags}`). */
  nodeFlagsApplied: boolean;
}

/**
 * The argv that starts Shoal: BENCH_SHOAL_CMD through /bin/sh (exec'd), else bin/shoal.js.
 * `nodeFlags` (e.g. `--trace-gc`) go between `node` and the script; in an override they replace
 * `{nodeflags}`, and are dropped if it has none.
 */
export function shoalCommand(port: number, nodeFlags: readonly string[] = []): ShoalCommand {
  const override = process.env['BENCH_SHOAL_CMD'];
  const std = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (override !== undefined && override.trim() !== '') {
    const withFlags = override.includes('{nodeflags}')
      ? override.split('{nodeflags}').join(commandLine(nodeFlags)).replace(/ {2,}/g, ' ')
      : override;
    const line = withFlags.includes('{port}')
      ? withFlags.split('{port}').join(String(port))
      : `${withFlags} ${commandLine(std)}`;
    const nodeFlagsApplied = nodeFlags.length === 0 || override.includes('{nodeflags}');
    return { file: '/bin/sh', args: ['-c', `exec ${line}`], shown: line, overridden: true, nodeFlagsApplied };
  }
  const args = [...nodeFlags, path.join('bin', 'shoal.js'), 'server', ...std];
  return { file: process.execPath, args, shown: commandLine(['node', ...args]), overridden: false, nodeFlagsApplied: true };
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark

/**
 * Runs redis-benchmark (tracked like a server, killed after `timeoutMs`) and resolves with its
 * stdout; rejects on a non-zero exit or a timeout.
 */
export function runBenchmark(bin: string, args: readonly string[], timeoutMs: number, cpu: CpuChoice | null = null): Promise<string> {
  return new Promise((resolve, reject) => {
    const run = onCpu(cpu, bin, args);
    const child = spawn(run.file, run.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let pid: number;
    try {
      pid = track(child, 'redis-benchmark');
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-4096);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killPid(pid);
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`redis-benchmark timed out after ${Math.round(timeoutMs / 1000)} s: ${commandLine(['redis-benchmark', ...args])}`));
      else if (code !== 0) reject(new Error(`redis-benchmark exited with ${code ?? signal ?? '?'}: ${err.trim() || out.trim()}`));
      else resolve(out);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics and report helpers

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** A redis-benchmark SET load: requests per invocation pipelined and at -P 1, and its shape. */
export interface SetLoad {
  nPipelined: number;
  nUnpipelined: number;
  clients: number;
  random: number;
  value: number;
}

/** Requests of one invocation of `load` at `pipeline`. */
export function setLoadRequests(load: SetLoad, pipeline: number): number {
  return pipeline > 1 ? load.nPipelined : load.nUnpipelined;
}

/** redis-benchmark's arguments for `load` against 127.0.0.1:port at `pipeline`. */
export function setLoadArgs(port: number, load: SetLoad, pipeline: number): string[] {
  return [
    '-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-P', String(pipeline), '-c', String(load.clients),
    '-r', String(load.random), '-d', String(load.value), '-n', String(setLoadRequests(load, pipeline)),
  ];
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far (all its threads, user + system) in ms, from
 * /proc/<pid>/stat at 10 ms resolution, or that of its thread `tid` alone
 * (/proc/<pid>/task/<tid>/stat; the main thread's tid is the pid); null where /proc does not say.
 */
export function processCpuMs(pid: number, tid: number | null = null): number | null {
  try {
    const stat = readFileSync(tid === null ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// CPU pinning

/**
 * Where a benchmark pins its processes (taskset -c): one CPU for the "server" role, another
 * for the "load" role (what goes where is the benchmark's choice), so no run depends on where
 * the scheduler put them. On the 2-core reference machine redis-server's SET -P 16 -r spread
 * over six runs went from 28 % unpinned to 3 % pinned (bench/results/server-core.md).
 */
export interface Pinning {
  taskset: string;
  server: number;
  load: number;
}

/** A kernel CPU list ("0-3,6,8-9") as numbers, or null if it is not one. */
export function parseCpuList(list: string): number[] | null {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) return null;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) return null;
    for (let c = first; c <= last; c++) cpus.push(c);
  }
  return cpus;
}

/** The CPUs this process may run on (Cpus_allowed_list), or null where /proc does not say. */
export function allowedCpus(): number[] | null {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null || m[1] === undefined ? null : parseCpuList(m[1]);
  } catch {
    return null;
  }
}

/** A process's place: the CPU of `role` in `pinning` (null pinning: the scheduler decides). */
export interface CpuChoice {
  pinning: Pinning | null;
  role: 'server' | 'load';
}

/**
 * Pinning on the first two allowed CPUs when `wanted`, else (or where it cannot be done) null,
 * with the reason for the report.
 */
export function choosePinning(wanted: boolean): { pinning: Pinning | null; why: string } {
  if (!wanted) return { pinning: null, why: '--no-pin' };
  const taskset = which('taskset', 'TASKSET');
  if (taskset === null) return { pinning: null, why: 'taskset not found' };
  const cpus = allowedCpus();
  if (cpus === null || cpus.length < 2 || cpus[0] === undefined || cpus[1] === undefined) {
    return { pinning: null, why: 'fewer than two CPUs allowed' };
  }
  return { pinning: { taskset, server: cpus[0], load: cpus[1] }, why: '' };
}

/** `file args` run where `cpu` says, through taskset (which execs, so the PID is the program's). */
export function onCpu(cpu: CpuChoice | null, file: string, args: readonly string[]): { file: string; args: string[] } {
  const pinning = cpu?.pinning ?? null;
  if (cpu === null || pinning === null) return { file, args: [...args] };
  return { file: pinning.taskset, args: ['-c', String(pinning[cpu.role]), file, ...args] };
}

/** The report line that says how the run was pinned, naming what runs in each role. */
export function pinningLine(pinning: Pinning | null, why: string, roles = { server: 'servers', load: 'redis-benchmark' }): string {
  if (pinning === null) return `- not pinned${why === '' ? '' : ` (${why})`}: the scheduler placed ${roles.server} and ${roles.load}`;
  return `- pinned with taskset: ${roles.server} on CPU ${pinning.server}, ${roles.load} on CPU ${pinning.load}`;
}

export function firstLine(bin: string, args: readonly string[]): string {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1] !== undefined) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** `uptime`'s line (the load on the shared machine), or the load averages if it cannot run. */
export function uptimeLine(): string {
  try {
    return execFileSync('uptime', [], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `load average: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
}

/** What a report's header says about where and how it ran (environmentLines). */
/** What a scenario CLI records of its run for the report header (RunHeader). */
export interface RunFacts {
  argv: readonly string[];
  redisBin: string;
  benchmarkBin: string;
  started: Date;
  finished: Date;
  uptimeAtStart: string;
  uptimeAtEnd: string;
}

/**
 * A report's opening: `## <start> — <scenario>` (marked reduced when asked), then the
 * environment lines of `script`'s run.
 */
export function runHeaderLines(f: RunFacts, script: string, scenario: string, reduced: boolean, note: string | null): string[] {
  return [
    `## ${f.started.toISOString()} — ${scenario}${reduced ? ' (reduced: indicative only)' : ''}`,
    '',
    ...environmentLines({ script, argv: f.argv, redisBin: f.redisBin, benchmarkBin: f.benchmarkBin, uptimeAtStart: f.uptimeAtStart, uptimeAtEnd: f.uptimeAtEnd, note }),
  ];
}

/** `- took N s` for the run. */
export function tookLine(f: RunFacts): string {
  return `- took ${Math.round((f.finished.getTime() - f.started.getTime()) / 1000)} s`;
}

export interface RunEnvironment {
  /** The script as the command line shows it, e.g. `dist/bench/persistence.js`. */
  script: string;
  argv: readonly string[];
  redisBin: string;
  benchmarkBin: string;
  uptimeAtStart: string;
  uptimeAtEnd: string;
  note: string | null;
}

/**
 * The header lines every report starts with: machine (CPU, cores, RAM, kernel), the load at the
 * start and the end, Node / redis-server / redis-benchmark versions, the command line (with
 * BENCH_SHOAL_CMD when set) and the --note, as markdown list items.
 */
export function environmentLines(e: RunEnvironment): string[] {
  const lines = [
    `- machine: ${cpuModel()}, ${os.cpus().length} logical cores, ${(memTotal() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}; ` +
      'shared with other work, which skews every figure',
    `- load: at start \`${e.uptimeAtStart}\`; at the end \`${e.uptimeAtEnd}\``,
    `- node ${process.version}; ${firstLine(e.redisBin, ['--version'])}; ${firstLine(e.benchmarkBin, ['--version'])}`,
    `- command: \`${commandLine(['node', e.script, ...e.argv])}\`` +
      (process.env['BENCH_SHOAL_CMD'] ? ` with \`BENCH_SHOAL_CMD=${commandLine([process.env['BENCH_SHOAL_CMD']])}\`` : ''),
  ];
  if (e.note !== null) lines.push(`- note: ${e.note}`);
  return lines;
}

/**
 * Prepends `entry` to a results file that starts with `header` (newest first): the header stays on
 * top, older entries follow. Creates the file (and its directory) if needed.
 */
export function prependResults(file: string, header: string, entry: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  let rest = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (rest.startsWith(header)) rest = rest.slice(header.length);
  rest = rest.replace(/^\n+/, '');
  writeFileSync(file, `${header}\n${entry}${rest === '' ? '' : '\n' + rest}`);
}

// ---------------------------------------------------------------------------------------------
// Command-line parsing shared by the benchmark scripts

/** A bad command line: the script prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

/**
 * A CLI's options from its arguments: `parse` throws UsageError on a bad one, which is logged
 * with the usage text (the caller then exits with 2 on null); other errors propagate.
 */
export function parseOrUsage<T>(prog: string, usage: string, parse: (argv: string[]) => T, argv = process.argv.slice(2)): T | null {
  try {
    return parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    log(`${prog}: ${e.message}\n\n${usage}`);
    return null;
  }
}

/**
 * The report options the benchmarks share: `--out FILE` (results file to prepend to),
 * `--no-save` (print only) and `--note TEXT`. Returns false for any other option.
 */
export function reportOption(arg: string, take: () => string | undefined, o: { out: string | null; note: string | null }): boolean {
  switch (arg) {
    case '--out': {
      const v = take();
      if (v === undefined || v === '') throw new UsageError('--out needs a file name');
      o.out = path.resolve(v);
      return true;
    }
    case '--no-save':
      o.out = null;
      return true;
    case '--note': {
      const v = take();
      if (v === undefined || v.trim() === '') throw new UsageError('--note needs a text');
      o.note = v.trim().replace(/\s+/g, ' ');
      return true;
    }
    default:
      return false;
  }
}

/**
 * The options every load-driving benchmark takes: -c N (clients), --reps N, --min-free MB,
 * --run-timeout SEC; then reportOption's. For eachOption's handler, as its fallback.
 */
export function loadOption(
  arg: string,
  take: () => string | undefined,
  o: { clients: number; reps: number; minFreeBytes: number; runTimeoutSec: number | null; out: string | null; note: string | null },
): boolean {
  switch (arg) {
    case '-c':
      o.clients = parsePositiveInt(arg, take(), 10_000);
      return true;
    case '--reps':
      o.reps = parsePositiveInt(arg, take(), 100);
      return true;
    case '--min-free':
      o.minFreeBytes = parsePositiveInt(arg, take(), 1_000_000) * 2 ** 20;
      return true;
    case '--run-timeout':
      o.runTimeoutSec = parsePositiveInt(arg, take(), 86_400);
      return true;
    default:
      return reportOption(arg, take, o);
  }
}

/**
 * Walks a benchmark's command-line options: `--name value` or `--name=value` (take() returns
 * the value, consuming the next argument in the first form); --help / -h print `usage` and
 * exit; an option handle() does not know (it returns false) is a UsageError.
 */
export function eachOption(argv: readonly string[], usage: string, handle: (arg: string, take: () => string | undefined) => boolean): void {
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] ?? '';
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage + '\n');
      process.exit(0);
    }
    const take = (): string | undefined => {
      if (value !== undefined) return value;
      i++;
      return argv[i];
    };
    if (!handle(arg, take)) throw new UsageError(`unknown option '${arg}'`);
  }
}

/** A `flag a,b` value: the known names it lists, lower-cased, each once; else a UsageError. */
export function parseList<T extends string>(flag: string, raw: string | undefined, known: readonly T[]): T[] {
  const list = (raw ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`${flag} needs a comma-separated list`);
  const out: T[] = [];
  for (const s of list) {
    const k = known.find((x) => x === s);
    if (k === undefined) throw new UsageError(`${flag}: unknown '${s}' (known: ${known.join(', ')})`);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** A `flag N` value: a whole number from 1 to max, else a UsageError naming the flag. */
export function parsePositiveInt(flag: string, raw: string | undefined, max: number): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`${flag} needs a positive integer`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new UsageError(`${flag} must be between 1 and ${max.toLocaleString('en-US')}`);
  }
  return v;
}

/**
 * The arguments of the by-hand replication probes (lag-probe.ts, repl-offsets.ts): a master
 * port, a replica port and a duration in seconds, each a positive integer; else prints the
 * usage line and exits with 2.
 */
export function replicaPairArgs(script: string, argv: readonly string[]): { masterPort: number; replicaPort: number; seconds: number } {
  const [masterPort, replicaPort, seconds] = argv.map(Number);
  if (argv.length !== 3 || ![masterPort, replicaPort, seconds].every((n) => Number.isInteger(n) && n > 0)) {
    process.stderr.write(`usage: node dist/bench/${script}.js <master port> <replica port> <seconds>\n`);
    process.exit(2);
  }
  return { masterPort, replicaPort, seconds };
}
