// A group of real processes for one describe block of a failover test: Shoal nodes and
// sentinels started as processes, scratch directories, reconnecting ioredis clients and other
// children (a redis-server sentinel), all stopped and removed after the block.
//
//   const g = useProcessGroup();
//   const master = await g.shoal(g.tmp(), []);
//   await g.waitFor(async () => ..., 'what is awaited');   // a timeout carries every log

import { type ChildProcess } from 'node:child_process';
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startShoalProcess, type ShoalProcess } from './shoal-process.js';
import { until } from './poll.js';

export interface ProcessGroup {
  /** A new scratch directory, removed after the block. */
  tmp(): string;
  /** A client that reconnects (failovers end with CLIENT KILL; killed nodes come back). */
  client(port: number): Redis;
  /** Disconnects this client after the block too. */
  keep(c: Redis): Redis;
  /** A Shoal node (no save points, no diskless-sync delay) in `dir`, on `port` or a free one. */
  shoal(dir: string, args: string[], port?: number): Promise<ShoalProcess>;
  /** A Shoal sentinel on `dir`/sentinel.conf. */
  sentinel(dir: string, port?: number): Promise<ShoalProcess>;
  /** Another child (a redis-server), SIGKILLed after the block; its output goes in timeouts' logs. */
  adopt(label: string, child: ChildProcess): { output(): string };
  /** until(), polling every 100 ms, a throwing condition counting as false; a timeout carries every log. */
  waitFor(cond: () => Promise<boolean>, what: string, ms?: number): Promise<void>;
}

export function useProcessGroup(): ProcessGroup {
  const dirs: string[] = [];
  const procs: ShoalProcess[] = [];
  const clients: Redis[] = [];
  const others: { label: string; child: ChildProcess; out: string }[] = [];
  after(async () => {
    for (const c of clients) c.disconnect();
    for (const o of others) {
      if (o.child.exitCode !== null || o.child.signalCode !== null) continue;
      const gone = new Promise((r) => o.child.once('exit', r));
      o.child.kill('SIGKILL');
      await gone;
    }
    for (const p of procs) await p.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const g: ProcessGroup = {
    tmp: () => {
      const d = mkdtempSync(path.join(tmpdir(), 'shoal-group-'));
      dirs.push(d);
      return d;
    },
    client: (port) => {
      const c = new Redis({ port, maxRetriesPerRequest: 5, retryStrategy: () => 50 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    keep: (c) => {
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    shoal: async (dir, args, port) => {
      const p = await startShoalProcess({ dir, port, args: ['--save', '', '--repl-diskless-sync-delay', '0', ...args] });
      procs.push(p);
      return p;
    },
    sentinel: async (dir, port) => {
      const p = await startShoalProcess({ dir, port, sentinel: { configFile: path.join(dir, 'sentinel.conf') } });
      procs.push(p);
      return p;
    },
    adopt: (label, child) => {
      const o = { label, child, out: '' };
      child.stdout?.on('data', (d: Buffer) => (o.out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (o.out += d.toString()));
      others.push(o);
      return { output: () => o.out };
    },
    waitFor: async (cond, what, ms = 40_000) => {
      try {
        await until(
          async () => {
            try {
              return await cond();
            } catch {
              return false;
            }
          },
          { what, ms, every: 100 },
        );
      } catch (err) {
        const logs = [
          ...procs.map((p) => `--- process on port ${p.port} ---\n${p.output()}`),
          ...others.map((o) => `--- ${o.label} ---\n${o.out}`),
        ].join('\n');
        throw new Error(`${(err as Error).message}\n${logs}`);
      }
    },
  };
  return g;
}
