// Masters and replicas of the replication benchmark: real redis-server and Shoal processes on
// loopback ports (each with its own scratch --dir, started through the persistence benchmark's
// launch()), INFO replication read off them, and the waits every scenario needs — a replica
// set in sync with its master, a replica's link up — each with a deadline.
//
// A master runs with repl-diskless-sync-delay 0 so a full sync starts at once (Redis's default
// of 5 s would only add a constant wait to both sides). A replica is the same kind of server
// started with `--replicaof 127.0.0.1 <master port>`, or attached later with REPLICAOF.

import { performance } from 'node:perf_hooks';
import { sleep, type Pinning } from '../lib.js';
import { request } from '../engine/measure.js';
import { launch, log, stop, type LaunchLog, type PServer, type Side } from '../persistence/servers.js';

export type { PServer, Side };

/** A master kind and a replica kind, as `master/replica`. */
export const PAIRS = ['redis/redis', 'shoal/shoal', 'shoal/redis', 'redis/shoal'] as const;
export type PairName = (typeof PAIRS)[number];

export function pairSides(p: PairName): { master: Side; replica: Side } {
  const [m, r] = p.split('/');
  return { master: m === 'shoal' ? 'shoal' : 'redis', replica: r === 'shoal' ? 'shoal' : 'redis' };
}

/** What starting a node needs. */
export interface NodeContext {
  redisBin: string;
  launchLog: LaunchLog;
  /**
   * Where processes run: masters (and redis-benchmark, in lag.ts and throughput.ts) on the
   * server CPU, replicas on the other, as replicas on other machines would not take the
   * master's CPU. Null: the scheduler decides.
   */
  pinning: Pinning | null;
}

const PROG = 'replication';
const POLL_MS = 20;
const QUERY_MS = 10_000;

/** The flags of a master: full syncs start without delay, diskless or through a file. */
export function masterFlags(diskless: boolean): string[] {
  return ['--repl-diskless-sync', diskless ? 'yes' : 'no', '--repl-diskless-sync-delay', '0'];
}

/** Starts a master of kind `side` (`label` names its configuration in the report). */
export function startMaster(ctx: NodeContext, side: Side, label: string, diskless = true): Promise<PServer> {
  return launch(
    { redisBin: ctx.redisBin, side, label: `${label}, master`, extra: masterFlags(diskless), prog: PROG, cpu: { pinning: ctx.pinning, role: 'server' } },
    ctx.launchLog,
  );
}

/**
 * Starts a replica of kind `side`: following `master` from its start (`--replicaof`), or, with
 * master null, as a plain server to be attached with REPLICAOF later. The report's command line
 * shows the master's port as M.
 */
export async function startReplica(ctx: NodeContext, side: Side, label: string, master: PServer | null): Promise<PServer> {
  const extra = master === null ? [] : ['--replicaof', '127.0.0.1', String(master.port)];
  const full = `${label}, replica`;
  const s = await launch({ redisBin: ctx.redisBin, side, label: full, extra, prog: PROG, cpu: { pinning: ctx.pinning, role: 'load' } }, ctx.launchLog);
  const key = `${side} (${full})`;
  const shown = ctx.launchLog.shown.get(key);
  if (shown !== undefined && master !== null) ctx.launchLog.shown.set(key, shown.replace(`--replicaof 127.0.0.1 ${master.port}`, '--replicaof 127.0.0.1 M'));
  return s;
}

// ---------------------------------------------------------------------------------------------
// INFO replication

/** One slaveN line of a master's INFO replication. */
export interface ReplicaLine {
  state: string;
  /** Offset the replica acknowledged. */
  offset: number;
  /** Shoal only: stream bytes not acknowledged, and for how long the replica has been behind. */
  lagBytes: number | null;
  lagMs: number | null;
}

export interface ReplInfo {
  role: string;
  masterReplOffset: number;
  connectedSlaves: number;
  slaves: ReplicaLine[];
  /** Replica side: master_link_status is up. */
  linkUp: boolean;
  /** Replica side: slave_repl_offset (the stream it applied), or -1. */
  slaveReplOffset: number;
}

/** Parses an INFO replication reply. */
export function parseReplInfo(text: string): ReplInfo {
  const out: ReplInfo = { role: '', masterReplOffset: -1, connectedSlaves: 0, slaves: [], linkUp: false, slaveReplOffset: -1 };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const k = line.slice(0, colon);
    const v = line.slice(colon + 1);
    if (k === 'role') out.role = v;
    else if (k === 'master_repl_offset') out.masterReplOffset = Number(v);
    else if (k === 'connected_slaves') out.connectedSlaves = Number(v);
    else if (k === 'master_link_status') out.linkUp = v === 'up';
    else if (k === 'slave_repl_offset') out.slaveReplOffset = Number(v);
    else if (/^slave\d+$/.test(k)) {
      const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
      const num = (name: string): number | null => (f.has(name) ? Number(f.get(name)) : null);
      out.slaves.push({ state: f.get('state') ?? '', offset: num('offset') ?? -1, lagBytes: num('lag_bytes'), lagMs: num('lag_ms') });
    }
  }
  return out;
}

export async function replInfo(s: PServer): Promise<ReplInfo> {
  return parseReplInfo(await request(s.port, ['INFO', 'replication'], QUERY_MS));
}

/** Sends a command and checks its reply is `expect` (a simple-string line such as `+OK`). */
export async function expectReply(s: PServer, args: readonly string[], expect: string): Promise<void> {
  const reply = await request(s.port, args, QUERY_MS);
  if (reply !== expect) throw new Error(`${s.side}: ${args.join(' ')} replied ${JSON.stringify(reply)}`);
}

export async function dbsizeOf(s: PServer): Promise<number | null> {
  const m = /^:(\d+)$/.exec(await request(s.port, ['DBSIZE'], QUERY_MS));
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Waits

/**
 * Waits until the master lists exactly `replicas.length` replicas, all online, and every
 * replica's link is up and it has applied the master's whole stream (slave_repl_offset at
 * least the master_repl_offset read just before). Resolves with the time it took (ms); throws
 * after `deadlineMs` naming what was still missing.
 */
export async function waitInSync(master: PServer, replicas: readonly PServer[], deadlineMs: number): Promise<number> {
  const t0 = performance.now();
  let last = '';
  for (let i = 0; performance.now() - t0 < deadlineMs && i < 1_000_000; i++) {
    try {
      const m = await replInfo(master);
      const online = m.slaves.filter((l) => l.state === 'online').length;
      if (m.connectedSlaves !== replicas.length || online !== replicas.length) {
        last = `master lists ${m.connectedSlaves} replicas, ${online} online (want ${replicas.length})`;
      } else {
        let behind = '';
        for (const r of replicas) {
          const ri = await replInfo(r);
          if (!ri.linkUp) behind = `replica :${r.port} link down`;
          else if (ri.slaveReplOffset < m.masterReplOffset) behind = `replica :${r.port} at ${ri.slaveReplOffset} of ${m.masterReplOffset}`;
          if (behind !== '') break;
        }
        if (behind === '') return performance.now() - t0;
        last = behind;
      }
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(POLL_MS);
  }
  throw new Error(`replicas not in sync after ${Math.round(deadlineMs / 1000)} s: ${last}`);
}

/** Stops every server in `list` (by PID, in parallel) and empties the list. */
export async function stopAll(list: PServer[]): Promise<void> {
  await Promise.all(list.map((s) => stop(s)));
  list.length = 0;
}

export { log };
