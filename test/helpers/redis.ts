// Spawns a real redis-server for oracle tests (the reference implementation Shoal is compared to).
//
//   const redis = await startRedis();          // null when redis-server is not installed (outside CI)
//   ...; await redis?.stop();
//
//   describe('x', { skip: requireRedis() }, () => { ... });   // skips visibly, fails in CI
//
// The binary is taken from $REDIS_SERVER if set, else `redis-server` on PATH.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';

export const REDIS_SKIP_MESSAGE = 'redis-server not installed: oracle tests skipped';

export interface RedisInstance {
  port: number;
  pid: number;
  /** Kills the server by PID and resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

/** Absolute path of the redis-server binary, or null if none is found. */
export function findRedisServer(): string | null {
  const fromEnv = process.env['REDIS_SERVER'];
  const candidates: string[] = [];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.includes(path.sep)) candidates.push(fromEnv);
    else for (const dir of pathDirs()) candidates.push(path.join(dir, fromEnv));
  } else {
    for (const dir of pathDirs()) candidates.push(path.join(dir, 'redis-server'));
  }
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // not here; try the next one
    }
  }
  return null;
}

function pathDirs(): string[] {
  return (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
}

/**
 * For `describe(name, { skip: requireRedis() }, ...)` / `it(name, { skip: requireRedis() }, ...)`:
 * returns false when redis-server is available, else the skip message. Under CI (process.env.CI
 * set) a missing redis-server throws instead, so the suite fails rather than silently skipping.
 */
export function requireRedis(): false | string {
  if (findRedisServer() !== null) return false;
  if (isCI()) {
    throw new Error('redis-server not installed, but oracle tests are mandatory in CI (process.env.CI is set)');
  }
  return REDIS_SKIP_MESSAGE;
}

function isCI(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A TCP port that was free a moment ago (bind port 0 on 127.0.0.1, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Sends PING inline and resolves true iff the reply is +PONG (or -NOAUTH/-LOADING: it is up and answering). */
function pingOnce(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let data = '';
    const sock = net.connect({ port, host });
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.setEncoding('latin1');
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n')) finish(data.startsWith('+PONG') || data.startsWith('-NOAUTH'));
    });
    sock.once('error', () => finish(false));
    sock.once('close', () => finish(false));
  });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Servers still running when the test process exits (crash, unhandled error) are killed with it.
const live = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Polls PING until it answers or the deadline passes; also gives up as soon as the process exits. */
export async function waitForPing(
  port: number,
  opts: { host?: string; deadlineMs?: number; exited?: () => boolean } = {},
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + (opts.deadlineMs ?? 10_000);
  for (;;) {
    if (opts.exited?.()) throw new Error('server process exited before answering PING');
    if (await pingOnce(port, host, 500)) return;
    if (Date.now() > deadline) throw new Error(`server on ${host}:${port} did not answer PING in time`);
    await delay(15);
  }
}

/**
 * Spawns redis-server on 127.0.0.1 with a free port and persistence off. Extra `args` are appended
 * (e.g. ['--databases', '4'] or ['--requirepass', 'pw']). Resolves once it answers PING.
 * Returns null when redis-server is not installed, unless process.env.CI is set (then it throws).
 */
export async function startRedis(args: string[] = []): Promise<RedisInstance | null> {
  const bin = findRedisServer();
  if (bin === null) {
    if (isCI()) throw new Error('redis-server not installed (required in CI)');
    return null;
  }
  let lastErr: unknown;
  // The free port can be taken between probing and binding; retry a few times on that race.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await spawnOn(bin, port, args);
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

async function spawnOn(bin: string, port: number, args: string[]): Promise<RedisInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-oracle-redis-'));
  const argv = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--protected-mode', 'no',
    // A directory of its own: it loads no dump.rdb another process left in a shared one.
    '--dir', dir,
    '--loglevel', 'warning',
    ...args,
  ];
  const child: ChildProcess = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      output += `\nspawn error: ${err.message}`;
      exited = true;
      resolve();
    });
  });
  const pid = child.pid;
  try {
    if (pid === undefined) {
      await exitPromise;
      throw new Error('spawn failed');
    }
    await waitForPing(port, { exited: () => exited });
  } catch (err) {
    if (!exited && pid !== undefined) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    rmSync(dir, { recursive: true, force: true });
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`redis-server failed to start on port ${port}: ${msg}\n${output}`);
  }
  track(pid);
  void exitPromise.then(() => live.delete(pid));
  let stopping: Promise<void> | null = null;
  return {
    port,
    pid,
    stop(): Promise<void> {
      if (stopping !== null) return stopping;
      stopping = (async () => {
        if (!exited) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await exitPromise;
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
