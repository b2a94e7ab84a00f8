// A Shoal node as a real operating-system process, for tests that crash it (SIGKILL), stop it
// with a signal or watch it refuse to start.
//
//   const n = await startShoalProcess({ dir, args: ['--appendonly', 'yes'] });
//   ... n.port ...; n.kill();  await n.exited;        // kill -9
//   const bad = await startShoalProcess({ dir, args, expectExit: true });   // a start that fails
//
// The node runs the `shoal server` entry point of the same build as the test (src/cli/main.js
// beside test/ in the output directory; bin/shoal.js imports exactly that from dist/), with
// SHOAL_LAUNCHED=1 so the launcher never re-executes Node: the process spawned is the node and
// its pid is the pid the node logs ("pid=N, just started"), which start() checks. Every process
// started here is SIGKILLed when the test process exits, if it still runs.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPing } from './redis.js';

/** `<build>/src/cli/main.js` for a test file compiled to `<build>/test/helpers/`. */
export const SHOAL_MAIN = join(fileURLToPath(import.meta.url), '..', '..', '..', 'src', 'cli', 'main.js');

export interface ShoalProcess {
  /** The node's pid (the spawned process itself; equal to the pid it logged). */
  readonly pid: number;
  readonly port: number;
  readonly proc: ChildProcess;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (kill -9), unless it has already exited. */
  kill(): void;
  /** SIGTERM, then waits for the exit (SIGKILL after `deadlineMs`); resolves with the exit. */
  stop(deadlineMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ShoalProcessOptions {
  /** The node's `dir` (--dir). */
  readonly dir: string;
  /** More `--name value` flags; `--port`, `--bind` and `--dir` are set here. */
  readonly args?: readonly string[];
  /** The port to listen on (a node restarted where it was); default a free one. */
  readonly port?: number;
  /** The start is expected to fail: resolve once the process exits instead of waiting for PING. */
  readonly expectExit?: boolean;
  /** How long to wait for PING (or for the exit). Default 15 s. */
  readonly deadlineMs?: number;
  /** `shoal sentinel <configFile>` instead of `shoal server`. */
  readonly sentinel?: { configFile: string };
}

const live = new Set<ChildProcess>();
let hooked = false;
function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
}

/**
 * Spawns `shoal server --port <free> --bind 127.0.0.1 --dir <dir> <args>` and resolves once it
 * answers PING (or, with expectExit, once it has exited: check `exited`). Rejects, with the
 * node's output, when it exits or stays silent before the deadline.
 */
export async function startShoalProcess(opts: ShoalProcessOptions): Promise<ShoalProcess> {
  const port = opts.port ?? (await freePort());
  const mode = opts.sentinel !== undefined ? ['sentinel', opts.sentinel.configFile] : ['server'];
  const argv = [SHOAL_MAIN, ...mode, '--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir, ...(opts.args ?? [])];
  const env: NodeJS.ProcessEnv = { ...process.env, SHOAL_LAUNCHED: '1' };
  delete env['SHOAL_HEAP_MB'];
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  if (proc.pid === undefined) throw new Error('could not spawn the node');
  const pid = proc.pid;
  track(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  const gone = (): boolean => proc.exitCode !== null || proc.signalCode !== null;
  const deadlineMs = opts.deadlineMs ?? 15_000;
  const node: ShoalProcess = {
    pid,
    port,
    proc,
    output: () => out,
    exited,
    kill: () => {
      if (!gone()) process.kill(pid, 'SIGKILL');
    },
    stop: async (stopDeadlineMs = 10_000) => {
      if (!gone()) process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => node.kill(), stopDeadlineMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
  if (opts.expectExit === true) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), deadlineMs)));
    const r = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (r === 'late') {
      node.kill();
      throw new Error(`the node did not exit within ${deadlineMs} ms:\n${out}`);
    }
    return node;
  }
  try {
    await waitForPing(port, { deadlineMs, exited: gone });
  } catch (err) {
    node.kill();
    await exited;
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  // The pid line was written before the listener opened, but the pipe may deliver it later.
  const lineDeadline = Date.now() + 2000;
  while (!/pid=\d+, just started/.test(out) && Date.now() < lineDeadline && !gone()) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const logged = /pid=(\d+), just started/.exec(out);
  if (logged === null || Number(logged[1]) !== pid) {
    node.kill();
    throw new Error(`the node's pid line does not name the spawned process ${pid}:\n${out}`);
  }
  return node;
}
