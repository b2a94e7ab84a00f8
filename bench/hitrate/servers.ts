// Starting and stopping the servers of the hit-rate simulator: redis-server in a scratch
// directory, and (behind --shoal) a Shoal node, each on a free loopback port, tracked by PID
// through bench/lib.ts so that nothing outlives the run.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandLine, freePort, killPid, shoalCommand, startServer, tempDirs, waitForPing, type Server, log, packageRoot } from '../lib.js';

export { log, packageRoot };

export type Side = 'redis' | 'shoal';



export interface Launched {
  side: Side;
  server: Server;
  /** Command line for the report, the port generalized to P and the scratch dir to <tmpdir>. */
  shown: string;
  /** True when BENCH_SHOAL_CMD replaced the Shoal command. */
  overridden: boolean;
}

/**
 * Starts one server on a free loopback port (no persistence) and waits until it answers PING.
 * Shoal is bin/shoal.js of the package (i.e. the build in dist/), or BENCH_SHOAL_CMD. Rejects,
 * after killing it, if it does not come up within the PING deadline.
 */
export async function launch(side: Side, redisBin: string): Promise<Launched> {
  const port = await freePort();
  let server: Server;
  let overridden = false;
  if (side === 'redis') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-hitrate-redis-'));
    tempDirs.add(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    server = startServer('redis', redisBin, args, dir, commandLine(['redis-server', ...args]), port);
    server.child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    });
  } else {
    const cmd = shoalCommand(port);
    overridden = cmd.overridden;
    server = startServer('shoal', cmd.file, cmd.args, packageRoot(), cmd.shown, port);
  }
  const shown = server.commandLine.replace(`--port ${port}`, '--port P').replace(/--dir \S+/, '--dir <tmpdir>');
  log(`hitrate: ${side} pid ${server.pid} on :${port}`);
  try {
    await waitForPing(server);
  } catch (e) {
    await killPid(server.pid);
    throw e;
  }
  return { side, server, shown, overridden };
}

export async function stop(l: Launched): Promise<void> {
  await killPid(l.server.pid);
}

export function exited(l: Launched): boolean {
  return l.server.child.exitCode !== null || l.server.child.signalCode !== null;
}
