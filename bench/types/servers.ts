// Starting, watching and stopping the two servers of the types benchmark: redis-server in a
// scratch directory, and Shoal (optionally under `node --trace-gc`, whose lines are parsed and
// timestamped as they arrive, so a scenario can count the collections that fell inside its
// load or benchmark window). Built on bench/lib.ts (spawn, PID tracking, PING wait) and
// bench/engine/measure.ts (the --trace-gc parser, INFO, /proc memory).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandLine, followServer, freePort, killPid, shoalCommand, startServer, tempDirs, waitExit, type Running, type Server, log, packageRoot } from '../lib.js';
import { parseInfoNumbers, request, type GcEvent } from '../engine/measure.js';

export { log, packageRoot, type Running };

export type Side = 'redis' | 'shoal';


/** What the servers were started with, for the report (ports generalized to P). */
export interface LaunchLog {
  shown: Partial<Record<Side, string>>;
  /** Whether BENCH_SHOAL_CMD replaced the Shoal command. */
  overridden: boolean;
  /** False when --trace-gc was asked for but an override without {nodeflags} dropped it. */
  traceApplied: boolean;
  /**
   * When dist/ (what bin/shoal.js runs) had last been compiled, at each Shoal start: more than
   * one value means the build changed between starts, so the samples measured different code.
   */
  builds: Set<string>;
}

/** When dist/ was last compiled (the mtime of its CLI entry point), or null if there is none. */
function shoalBuildTime(): string | null {
  try {
    return statSync(path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js')).mtime.toISOString();
  } catch {
    return null;
  }
}


/**
 * Starts one server on a free loopback port and waits until it answers PING. Shoal runs from the
 * package root (bin/shoal.js, i.e. the build in dist/), with `--trace-gc` when `traceGc`.
 * Rejects (after killing it) if it does not come up within the PING deadline.
 */
export async function launch(redisBin: string, side: Side, traceGc: boolean, launchLog: LaunchLog): Promise<Running> {
  const port = await freePort();
  let server: Server;
  if (side === 'redis') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-types-redis-'));
    tempDirs.add(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    server = startServer('redis', redisBin, args, dir, commandLine(['redis-server', ...args]), port);
    server.child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    });
  } else {
    const cmd = shoalCommand(port, traceGc ? ['--trace-gc'] : []);
    if (traceGc && !cmd.nodeFlagsApplied) launchLog.traceApplied = false;
    launchLog.overridden = cmd.overridden;
    const build = cmd.overridden ? null : shoalBuildTime();
    if (build !== null) launchLog.builds.add(build);
    server = startServer('shoal', cmd.file, cmd.args, packageRoot(), cmd.shown, port);
  }
  launchLog.shown[side] = server.commandLine.replace(`--port ${port}`, '--port P').replace(/--dir \S+/, '--dir <tmpdir>');
  return followServer(side, server, traceGc, `types: ${side} pid ${server.pid} on :${port}`);
}

export async function stop(run: Running): Promise<void> {
  await killPid(run.server.pid);
}

export function exited(run: Running): boolean {
  return run.server.child.exitCode !== null || run.server.child.signalCode !== null;
}

/**
 * If the server has died (waiting up to 3 s for the exit to be noticed), a one-line account of
 * it: exit code or signal and the telling lines of its stderr. Null while it still runs.
 */
export async function deathNote(run: Running): Promise<string | null> {
  await waitExit(run.server.child, 3000);
  if (!exited(run)) return null;
  const c = run.server.child;
  const how = c.signalCode !== null ? `killed by ${c.signalCode}` : `exited with code ${String(c.exitCode)}`;
  const lines = run.stderrTail().split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\d+: 0x[0-9a-f]+ /.test(l));
  const telling = lines.filter((l) => /fatal|out of memory|error|killed|abort/i.test(l));
  const shown = (telling.length > 0 ? telling : lines).slice(-3).join(' / ');
  return `${run.side} died (${how})${shown !== '' ? `: ${shown.slice(0, 400)}` : ''}`;
}

/** Turns an error from a step into a failure line, naming a dead server if that is the cause. */
export async function failureOf(run: Running, step: string, e: unknown): Promise<string> {
  const msg = e instanceof Error ? e.message : String(e);
  const death = await deathNote(run);
  return death !== null ? `${death} — during ${step}: ${msg}` : `${step}: ${msg}`;
}

/** GC events of the serving process that arrived in [t0, t1] (plus 50 ms for the pipe). */
export function gcBetween(run: Running, serverPid: number, t0: number, t1: number): GcEvent[] {
  return run.gc.filter((e) => e.at >= t0 && e.at <= t1 + 50 && (serverPid === 0 || e.pid === serverPid));
}

// ---------------------------------------------------------------------------------------------
// Wire queries

const QUERY_TIMEOUT_MS = 30_000;

export async function dbsize(run: Running): Promise<number> {
  const reply = await request(run.server.port, ['DBSIZE'], QUERY_TIMEOUT_MS);
  const n = /^:(\d+)$/.exec(reply);
  if (n?.[1] === undefined) throw new Error(`DBSIZE replied ${JSON.stringify(reply)}`);
  return Number(n[1]);
}

export async function usedMemory(run: Running): Promise<number | null> {
  try {
    return parseInfoNumbers(await request(run.server.port, ['INFO', 'memory'], QUERY_TIMEOUT_MS)).get('used_memory') ?? null;
  } catch {
    return null;
  }
}

/** OBJECT ENCODING of `key`, or the reply line when it is not a bulk string (e.g. an error). */
export async function objectEncoding(run: Running, key: string): Promise<string> {
  try {
    return await request(run.server.port, ['OBJECT', 'ENCODING', key], QUERY_TIMEOUT_MS);
  } catch (e) {
    return `? (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** Shoal's V8 heap in use and its external (off-heap) bytes, from MEMORY MALLOC-STATS. */
export interface HeapSplit {
  heapUsed: number;
  external: number;
}

export async function shoalHeap(run: Running): Promise<HeapSplit | null> {
  try {
    const text = await request(run.server.port, ['MEMORY', 'MALLOC-STATS'], QUERY_TIMEOUT_MS);
    const used = /^used_heap_size: (\d+)$/m.exec(text);
    const ext = /external=(\d+)/.exec(text);
    if (used?.[1] === undefined || ext?.[1] === undefined) return null;
    return { heapUsed: Number(used[1]), external: Number(ext[1]) };
  } catch {
    return null;
  }
}
