// Shoal's library entry point: start a node in-process (tests, embedded use).
//
//   import { startServer } from 'shoal';
//   const node = await startServer({ port: 0 });   // 0 = any free port
//   ... connect any Redis client to node.port ...
//   await node.close();

import { loadConfig } from './server/config/load.js';
import { Server } from './server/server.js';
import { Logger } from './server/observability/logger.js';
import { setUpSentinel } from './sentinel/setup.js';
import type { Clock } from './lib/clock.js';

export interface StartOptions {
  /** TCP port; 0 (the default here) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Any redis.conf directive, e.g. { databases: '16', requirepass: 'secret' }. */
  config?: Record<string, string>;
  /** Injected clock (tests move time instead of sleeping). */
  clock?: Clock;
  /** Log level; default 'warning' (quiet) for embedded nodes. */
  loglevel?: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
}

export interface RunningServer {
  port: number;
  host: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts a node and resolves once it accepts connections. */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const argv = [
    '--port', String(opts.port ?? 0),
    '--bind', opts.host ?? '127.0.0.1',
    '--loglevel', opts.loglevel ?? 'warning',
  ];
  for (const [k, v] of Object.entries(opts.config ?? {})) argv.push(`--${k}`, ...(v === '' ? [''] : v.split(' ')));
  const { config } = loadConfig(argv);
  const server = new Server({ config, clock: opts.clock, log: new Logger(), ephemeralPort: true });
  await server.start();
  return { port: server.tcpPort, host: opts.host ?? '127.0.0.1', server, close: () => server.close() };
}

export interface SentinelStartOptions {
  /** The sentinel's config file: its `sentinel monitor` lines, and where it keeps its state. */
  configFile: string;
  /** TCP port; 0 (the default here) picks a free one. */
  port?: number;
  host?: string;
  /** Log level; default 'warning'. */
  loglevel?: 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
}

/**
 * Starts a sentinel in-process (what `shoal sentinel <file>` runs) and resolves once it accepts
 * connections. The file must exist and be writable; its errors throw with Redis's text.
 */
export async function startSentinel(opts: SentinelStartOptions): Promise<RunningServer> {
  const argv = [opts.configFile, '--port', String(opts.port ?? 0), '--bind', opts.host ?? '127.0.0.1', '--loglevel', opts.loglevel ?? 'warning'];
  const { config, configFile } = loadConfig(argv, { sentinel: true });
  const server = new Server({ config, configFile, log: new Logger(), ephemeralPort: true, sentinel: true });
  const err = await setUpSentinel(server);
  if (err !== null) throw new Error(err);
  await server.start();
  return { port: server.tcpPort, host: opts.host ?? '127.0.0.1', server, close: () => server.close() };
}

export { Server } from './server/server.js';
export { FakeClock, systemClock, type Clock } from './lib/clock.js';
