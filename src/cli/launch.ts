// The `shoal server` launcher: sizes V8's heap from maxmemory and the memory the machine (or the
// container) gives us, and re-executes Node once with --max-old-space-size when the running
// process's limit is too small.
//
// Why: Node's default old-space limit (a fraction of physical memory, at most ~4 GB) has nothing
// to do with maxmemory. Values live off the JS heap (ArrayBuffer arenas), but client buffers,
// command state and aggregate types (hashes, lists, sets, zsets as JS objects) live on it, so a
// dataset that fits maxmemory could still end in "JavaScript heap out of memory". The heap limit
// can only be set when V8 starts, hence the re-exec. maxmemory bounds the aggregates by their
// estimated heap bytes (src/server/memory-account.ts), so 2 * maxmemory leaves room for the
// garbage the collector has not reclaimed yet and for the estimates' error; a node started with
// --maxmemory 64mb stays within its limit under a write load twice that (see
// test/integration/maxmemory.test.ts).
//
// Heap policy (old-space size, in MB; "memory" = min(os.totalmem(), cgroup memory limit)):
//   SHOAL_HEAP_MB=N set                      -> N, always (re-exec unless already running with N)
//   --max-old-space-size=N in NODE_OPTIONS
//     or on node's own command line          -> N, run in-process (Node already applied it)
//   maxmemory M > 0                          -> clamp(2*M + 256 MB, 512 MB, 75% of memory)
//   maxmemory 0                              -> 1 GB, at most 75% of memory
// The 75% cap wins over the floors, so a small container never gets a heap larger than itself.
// Without maxmemory there is no dataset size to plan for; the keyspace lives off the heap, so
// Node's default limit (about 4 GB here) serves and the node runs in one process, without the
// launcher's extra ~45 MB of RSS.
// For the policy rows the result is a minimum: when the running process's heap_size_limit is
// already at least that (Node's default often is, for small maxmemory), the node runs in-process.
//
// Re-exec: the launcher spawns `node --max-old-space-size=N <execArgv> main.js server <args>`
// with stdio inherited plus an IPC channel and SHOAL_LAUNCHED=1 (a launched process never
// re-executes), forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2, and exits with
// the child's exit code or re-raises the signal that killed it. SIGINT and SIGTERM travel as IPC
// messages rather than signals (see ForwardedSignal); the child exits when the channel closes,
// so a SIGKILLed launcher does not leave an orphan node behind (main.ts does the child side).

import { spawn, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { posix } from 'node:path';
import v8 from 'node:v8';

const MB = 1024 * 1024;

/** Set to '1' in the environment of a launched node: it never re-executes. */
export const LAUNCHED_ENV = 'SHOAL_LAUNCHED';
/** Explicit heap size in MB; overrides both the policy and a --max-old-space-size flag. */
export const HEAP_ENV = 'SHOAL_HEAP_MB';

/** Policy constants (MB and fractions of memory); see the file header. */
export const HEAP_POLICY = {
  baseMb: 256,
  floorMb: 512,
  capFraction: 0.75,
  unlimitedFloorMb: 1024,
} as const;

/** A bad SHOAL_HEAP_MB; `message` is the text to print before exiting 1. */
export class HeapConfigError extends Error {}

// ---------------------------------------------------------------------------------------------
// Memory available to the process

export interface MemoryInfo {
  /** os.totalmem() in MB. */
  readonly totalMb: number;
  /** The cgroup memory limit in MB, or null when there is none (or it is not readable). */
  readonly cgroupMb: number | null;
  /** What the policy sizes against: the smaller of the two. */
  readonly availableMb: number;
}

/** Reads a whole file as text, or null when it cannot be read. */
export type ReadText = (path: string) => string | null;

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

// A cgroup v1 limit of "unlimited" reads as a huge page-aligned number (2^63 - 4096 on x86-64);
// anything this large means no limit.
const UNLIMITED_BYTES = 2 ** 60;

/** Parses memory.max / memory.limit_in_bytes; null for "max", garbage or effectively unlimited. */
function parseLimit(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n > 0 && n < UNLIMITED_BYTES ? n : null;
}

/**
 * The memory limit of this process's cgroup in bytes, or null. Looks at cgroup v2 (memory.max,
 * also under the hybrid layout's /sys/fs/cgroup/unified) and v1 (memory.limit_in_bytes), both at
 * the path /proc/self/cgroup names and at the mount root (a container with its own cgroup
 * namespace, or a v1 container whose mount root is its own cgroup). The smallest limit found wins.
 * `read` is injectable for tests.
 */
export function cgroupMemoryLimit(read: ReadText = readTextOrNull): number | null {
  let v2Path = '/';
  let v1Path = '/';
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [id, controllers, path] = line.split(':', 3);
    if (path === undefined) continue;
    if (id === '0' && controllers === '') v2Path = path;
    else if ((controllers ?? '').split(',').includes('memory')) v1Path = path;
  }
  const candidates = [
    posix.join('/sys/fs/cgroup', v2Path, 'memory.max'),
    '/sys/fs/cgroup/memory.max',
    posix.join('/sys/fs/cgroup/unified', v2Path, 'memory.max'),
    posix.join('/sys/fs/cgroup/memory', v1Path, 'memory.limit_in_bytes'),
    '/sys/fs/cgroup/memory/memory.limit_in_bytes',
  ];
  let limit: number | null = null;
  for (const file of new Set(candidates)) {
    const n = parseLimit(read(file));
    if (n !== null && (limit === null || n < limit)) limit = n;
  }
  return limit;
}

/** Memory the policy sizes against: os.totalmem() capped by the cgroup limit. */
export function systemMemory(totalBytes = os.totalmem(), cgroupBytes = cgroupMemoryLimit()): MemoryInfo {
  const totalMb = Math.floor(totalBytes / MB);
  const cgroupMb = cgroupBytes === null ? null : Math.floor(cgroupBytes / MB);
  return { totalMb, cgroupMb, availableMb: cgroupMb === null ? totalMb : Math.min(totalMb, cgroupMb) };
}

// ---------------------------------------------------------------------------------------------
// Policy

/** The policy's old-space size in MB for maxmemory `maxmemoryBytes` (0 = none). */
export function policyHeapMb(maxmemoryBytes: number, availableMb: number): number {
  const p = HEAP_POLICY;
  const cap = Math.max(1, Math.floor(availableMb * p.capFraction));
  const want =
    maxmemoryBytes > 0
      ? Math.max(Math.ceil((2 * maxmemoryBytes) / MB) + p.baseMb, p.floorMb)
      : p.unlimitedFloorMb;
  return Math.min(want, cap);
}

const OLD_SPACE_FLAG = /^--max[-_]old[-_]space[-_]size=(\d+)$/;

/**
 * The --max-old-space-size value (MB) among node options, or null. The last one wins, as in V8;
 * pass NODE_OPTIONS' words before process.execArgv, since Node applies the command line last.
 * (V8 accepts only the `=` form of this flag.)
 */
export function oldSpaceFlag(args: readonly string[]): number | null {
  let found: number | null = null;
  for (const a of args) {
    const m = OLD_SPACE_FLAG.exec(a);
    if (m?.[1] !== undefined) found = Number(m[1]);
  }
  return found;
}

export type HeapSource = 'policy' | 'env' | 'node-flag';

export interface HeapPlan {
  /** Old-space size in MB: exact for 'env' and 'node-flag', a minimum for 'policy'. */
  readonly heapMb: number;
  readonly source: HeapSource;
  /** What the policy alone would choose (for the warning when an override is below it). */
  readonly policyMb: number;
  /** maxmemory in bytes (0 = none). */
  readonly maxmemory: number;
  readonly memory: MemoryInfo;
  /** True when this process must re-execute Node with --max-old-space-size=heapMb. */
  readonly relaunch: boolean;
}

export interface PlanInputs {
  /** maxmemory in bytes, from the same config the node will run with. */
  readonly maxmemory: number;
  readonly memory: MemoryInfo;
  /** SHOAL_HEAP_MB, SHOAL_LAUNCHED and NODE_OPTIONS are read from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** process.execArgv: node's own command-line options. */
  readonly execArgv: readonly string[];
  /** v8.getHeapStatistics().heap_size_limit of the running process. */
  readonly heapLimitBytes: number;
}

/**
 * Decides the heap size and whether to re-execute (see the policy in the file header). A launched
 * process (SHOAL_LAUNCHED=1) never re-executes and ignores --max-old-space-size in its execArgv,
 * which is the launcher's own; it reaches the same plan as its launcher did. Throws
 * HeapConfigError when SHOAL_HEAP_MB is not a positive integer.
 */
export function planHeap(inp: PlanInputs): HeapPlan {
  const launched = inp.env[LAUNCHED_ENV] === '1';
  const policyMb = policyHeapMb(inp.maxmemory, inp.memory.availableMb);
  const nodeOptions = (inp.env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((w) => w !== '');
  const flagMb = oldSpaceFlag([...nodeOptions, ...(launched ? [] : inp.execArgv)]);
  const base = { policyMb, maxmemory: inp.maxmemory, memory: inp.memory };

  const envRaw = (inp.env[HEAP_ENV] ?? '').trim();
  if (envRaw !== '') {
    const n = /^\d+$/.test(envRaw) ? Number(envRaw) : NaN;
    if (!(n > 0 && Number.isSafeInteger(n))) {
      throw new HeapConfigError(`shoal: ${HEAP_ENV} must be a positive whole number of megabytes, got '${envRaw}'`);
    }
    return { ...base, heapMb: n, source: 'env', relaunch: !launched && flagMb !== n };
  }
  if (flagMb !== null) return { ...base, heapMb: flagMb, source: 'node-flag', relaunch: false };
  return { ...base, heapMb: policyMb, source: 'policy', relaunch: !launched && inp.heapLimitBytes < policyMb * MB };
}

/** planHeap for this process: its env, execArgv, heap limit and the machine's memory. */
export function planHeapForProcess(maxmemory: number): HeapPlan {
  return planHeap({
    maxmemory,
    memory: systemMemory(),
    env: process.env,
    execArgv: process.execArgv,
    heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
  });
}

/**
 * The startup log line, e.g.
 *   Heap limit 12100 MB (maxmemory 0, system memory 24105 MB; policy minimum 12052 MB)
 * The first figure is what V8 reports (heap_size_limit: old space plus young generation), so it
 * is the limit actually in force, whatever asked for it.
 */
export function heapLogLine(plan: HeapPlan, heapLimitBytes: number): string {
  const mem = plan.memory;
  const cgroup = mem.cgroupMb !== null && mem.cgroupMb < mem.totalMb ? `, cgroup limit ${mem.cgroupMb} MB` : '';
  const why =
    plan.source === 'env'
      ? `${HEAP_ENV}=${plan.heapMb}`
      : plan.source === 'node-flag'
        ? `--max-old-space-size=${plan.heapMb}`
        : `policy minimum ${plan.heapMb} MB`;
  const maxmemory = plan.maxmemory > 0 ? humanBytes(plan.maxmemory) : '0';
  return `Heap limit ${Math.floor(heapLimitBytes / MB)} MB (maxmemory ${maxmemory}, system memory ${mem.totalMb} MB${cgroup}; ${why})`;
}

/**
 * Bytes as INFO's maxmemory_human shows them (Redis's bytesToHuman): "512B", "100.00M", "2.50G".
 * Not imported from the server's INFO code: the launcher does not load the server modules.
 */
function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of ['K', 'M', 'G', 'T']) {
    if (d < 1024) return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${d.toFixed(2)}P`;
}

/** A warning when an explicit heap size is below the policy's, else null. */
export function heapWarning(plan: HeapPlan): string | null {
  if (plan.source === 'policy' || plan.heapMb >= plan.policyMb) return null;
  const by = plan.source === 'env' ? HEAP_ENV : '--max-old-space-size';
  return (
    `The heap size set by ${by} (${plan.heapMb} MB) is below the ${plan.policyMb} MB the heap policy ` +
    `gives for this maxmemory and memory: a large dataset may exhaust the JavaScript heap`
  );
}

// ---------------------------------------------------------------------------------------------
// Re-exec

/**
 * SIGINT or SIGTERM forwarded by the launcher over the IPC channel. Not sent as a signal because
 * one SIGINT/SIGTERM often reaches both processes (Ctrl-C signals the terminal's whole process
 * group; systemd signals every process of the unit): as a message the child can tell the copy
 * from a second, insisting signal.
 */
export interface ForwardedSignal {
  readonly type: 'shoal:signal';
  readonly signal: 'SIGINT' | 'SIGTERM';
}

export function isForwardedSignal(m: unknown): m is ForwardedSignal {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { type?: unknown; signal?: unknown };
  return r.type === 'shoal:signal' && (r.signal === 'SIGINT' || r.signal === 'SIGTERM');
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface RelaunchOptions {
  /** --max-old-space-size for the child, MB. */
  readonly heapMb: number;
  /** The script that runs the CLI (main.js). */
  readonly mainScript: string;
  /** Arguments after `server`, unchanged. */
  readonly args: readonly string[];
  /** Config text the launcher already read from stdin ('-'): replayed on the child's stdin. */
  readonly stdinText?: string;
}

/**
 * Runs the node in a child process with the given heap size and stays in front of it: forwards
 * signals, then exits with the child's exit code, or dies of the signal that killed the child.
 * Never resolves (the process exits).
 */
export function relaunch(opts: RelaunchOptions): Promise<never> {
  const argv = [`--max-old-space-size=${opts.heapMb}`, ...process.execArgv, opts.mainScript, 'server', ...opts.args];
  const stdio: StdioOptions = [opts.stdinText === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit', 'ipc'];
  const child = spawn(process.execPath, argv, { stdio, env: { ...process.env, [LAUNCHED_ENV]: '1' } });
  if (opts.stdinText !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => {
      // the child exited before reading its config; its exit status tells the story
    });
    child.stdin.end(opts.stdinText);
  }

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = (sig: NodeJS.Signals): void => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED) {
    const h = (): void => {
      if (!running()) return;
      if ((sig === 'SIGINT' || sig === 'SIGTERM') && child.connected) {
        const msg: ForwardedSignal = { type: 'shoal:signal', signal: sig };
        child.send(msg, (err) => {
          if (err) kill(sig);
        });
      } else {
        kill(sig);
      }
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  const stopForwarding = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };

  return new Promise<never>(() => {
    child.once('error', (err) => {
      stopForwarding();
      process.stderr.write(`shoal: could not start the node: ${err.message}\n`);
      process.exit(1);
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      if (signal === null) process.exit(code ?? 1);
      // Die the way the child died, so a supervisor sees the same status. If the signal does
      // not end this process (ignored, or a stop signal), fall back to the shell's convention.
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128 + (os.constants.signals[signal] ?? 0)), 100);
    });
  });
}
