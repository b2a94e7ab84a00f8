// The replication benchmark's fullsync scenario: how long a new replica takes to hold a copy of
// a master with N keys (10 B keys, 100 B values), with a diskless sync (the master streams its
// snapshot to the socket: repl-diskless-sync yes) and through a file (no), for Shoal -> Shoal
// and redis-server -> redis-server.
//
// One master per side stays up, loaded once through the persistence benchmark's preload (the
// same SET bytes to both). Each sync is a fresh replica process with an empty --dir, started as a
// plain server; the clock starts when REPLICAOF is sent to it, and the sync is done when its
// INFO replication says master_link_status:up and its DBSIZE equals the master's (polled every
// 20 ms). The replica's log lines give the phases: REPLICAOF -> "Full resync from master"
// (handshake, and the master starting its snapshot), -> "Flushing old data" (payload received),
// -> "Finished with success" (loaded). A spot check compares 100 keys spread over the key range
// with the values the loader wrote. Syncs alternate the sides within each mode and repetition.

import { performance } from 'node:perf_hooks';
import { sleep } from '../lib.js';
import { ENGINE_KEYS, keyName, valueFor } from '../engine/dataset.js';
import { request } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, exited, sampleMemory, stop } from '../persistence/servers.js';
import { preload } from '../persistence/snapshot.js';
import { dbsizeOf, expectReply, log, replInfo, startMaster, startReplica, stopAll, type NodeContext, type PServer, type Side } from './nodes.js';

/**
 * diskless: the master streams the payload (repl-diskless-sync yes), the replica writes it to a
 * temp file and loads that; disk: the master saves an RDB file first; diskless-load: as diskless,
 * and the replica loads from the socket (repl-diskless-load on-empty-db: a fresh replica is empty).
 */
export const SYNC_MODES = ['diskless', 'disk', 'diskless-load'] as const;
/** The modes run unless --modes says otherwise. */
export const DEFAULT_SYNC_MODES: readonly SyncMode[] = ['diskless', 'disk'];
export type SyncMode = (typeof SYNC_MODES)[number];

export interface FullsyncOptions {
  ctx: NodeContext;
  sides: readonly Side[];
  modes: readonly SyncMode[];
  keys: number;
  value: number;
  reps: number;
  /** Longest a sync may take (ms). */
  deadlineMs: number;
  minFreeBytes: number;
}

export interface SyncRun {
  side: Side;
  mode: SyncMode;
  rep: number;
  /** REPLICAOF sent -> master_link_status:up, and -> DBSIZE equal to the master's (ms). */
  upMs: number | null;
  allKeysMs: number | null;
  /** From REPLICAOF to the replica's log lines (ms; null when the line was not seen). */
  resyncMs: number | null;
  receivedMs: number | null;
  loadedMs: number | null;
  /** Replica RSS (serving process) once in sync. */
  replicaRss: number | null;
  spotCheck: string | null;
  failure: string | null;
}

export interface FullsyncResult {
  opts: Omit<FullsyncOptions, 'ctx' | 'minFreeBytes'>;
  preloadMs: Map<Side, number>;
  masterDbsize: Map<Side, number>;
  runs: SyncRun[];
  setupFailures: Map<Side, string>;
}

const POLL_MS = 20;
const SPOT_KEYS = 100;

/** Compares SPOT_KEYS keys spread over [0, keys) on the replica with their loaded values. */
async function spotCheck(replica: PServer, keys: number, value: number): Promise<string | null> {
  const step = Math.max(1, Math.floor(keys / SPOT_KEYS));
  for (let i = 0; i < keys; i += step) {
    const got = await request(replica.port, ['GET', keyName(ENGINE_KEYS, i)], 10_000);
    if (got !== valueFor(i, value).toString('latin1')) return `key ${keyName(ENGINE_KEYS, i)}: got ${JSON.stringify(got.slice(0, 40))}`;
  }
  return null;
}

/** Timestamps of the replica's sync log lines, relative to `t0` (set when REPLICAOF is sent). */
class SyncLog {
  t0 = 0;
  resync: number | null = null;
  received: number | null = null;
  loaded: number | null = null;
  #partial = '';

  constructor(replica: PServer) {
    replica.run.server.child.stdout?.on('data', (c: Buffer) => {
      const at = performance.now();
      const lines = (this.#partial + c.toString('utf8')).split('\n');
      this.#partial = lines.pop() ?? '';
      for (const line of lines) {
        if (this.resync === null && line.includes('Full resync from master')) this.resync = at - this.t0;
        else if (this.received === null && line.includes('MASTER <-> REPLICA sync: Flushing old data')) this.received = at - this.t0;
        else if (this.loaded === null && line.includes('MASTER <-> REPLICA sync: Finished with success')) this.loaded = at - this.t0;
      }
    });
  }
}

/** One sync of a fresh replica from `master`; failures land in the run; the replica is stopped. */
async function syncOnce(o: FullsyncOptions, master: PServer, run: SyncRun, want: number): Promise<void> {
  let replica: PServer;
  try {
    await expectReply(master, ['CONFIG', 'SET', 'repl-diskless-sync', run.mode === 'disk' ? 'no' : 'yes'], '+OK');
    replica = await startReplica(o.ctx, run.side, `fullsync ${run.side}`, null);
    if (run.mode === 'diskless-load') await expectReply(replica, ['CONFIG', 'SET', 'repl-diskless-load', 'on-empty-db'], '+OK');
  } catch (e) {
    run.failure = `setup: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ')}`;
    return;
  }
  const slog = new SyncLog(replica);
  try {
    slog.t0 = performance.now();
    await expectReply(replica, ['REPLICAOF', '127.0.0.1', String(master.port)], '+OK');
    let last = '';
    for (let i = 0; i < 10_000_000; i++) {
      const elapsed = performance.now() - slog.t0;
      if (elapsed > o.deadlineMs) throw new Error(`not in sync after ${Math.round(o.deadlineMs / 1000)} s (${last})`);
      if (exited(replica) || exited(master)) throw new Error('a server exited during the sync');
      try {
        if (run.upMs === null) {
          const ri = await replInfo(replica);
          if (ri.linkUp) run.upMs = performance.now() - slog.t0;
          else last = 'link down';
        }
        if (run.upMs !== null) {
          const n = await dbsizeOf(replica);
          if (n === want) {
            run.allKeysMs = performance.now() - slog.t0;
            break;
          }
          last = `DBSIZE ${n === null ? 'not a number (loading?)' : fmtInt(n)} of ${fmtInt(want)}`;
        }
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
      await sleep(POLL_MS);
    }
    run.resyncMs = slog.resync;
    run.receivedMs = slog.received;
    run.loadedMs = slog.loaded;
    run.replicaRss = sampleMemory(replica, false).serverRss;
    run.spotCheck = await spotCheck(replica, o.keys, o.value);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const death = (await deathNote(replica)) ?? (await deathNote(master));
    run.failure = death !== null ? `${death} — ${msg}` : msg;
  } finally {
    await stop(replica);
  }
}

/** The fullsync scenario: load a master per side, then reps × modes × sides syncs. */
export async function runFullsync(o: FullsyncOptions): Promise<FullsyncResult> {
  const result: FullsyncResult = {
    opts: { sides: o.sides, modes: o.modes, keys: o.keys, value: o.value, reps: o.reps, deadlineMs: o.deadlineMs },
    preloadMs: new Map(), masterDbsize: new Map(), runs: [], setupFailures: new Map(),
  };
  const masters = new Map<Side, PServer>();
  const all: PServer[] = [];
  try {
    for (const side of o.sides) {
      try {
        const m = await startMaster(o.ctx, side, `fullsync ${side}`);
        all.push(m);
        log(`replication: fullsync: loading ${fmtInt(o.keys)} keys × ${o.value} B into the ${side} master`);
        result.preloadMs.set(side, await preload(m, ENGINE_KEYS, o.keys, o.value, o.minFreeBytes));
        const n = await dbsizeOf(m);
        if (n === null) throw new Error('DBSIZE of the master is not a number');
        result.masterDbsize.set(side, n);
        masters.set(side, m);
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ');
        result.setupFailures.set(side, msg);
        log(`replication: fullsync: ${side} master could not be set up: ${msg}`);
      }
    }
    const total = o.reps * o.modes.length * masters.size;
    let k = 0;
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const mode of o.modes) {
        for (const [side, master] of masters) {
          k++;
          const run: SyncRun = {
            side, mode, rep, upMs: null, allKeysMs: null, resyncMs: null, receivedMs: null, loadedMs: null, replicaRss: null, spotCheck: null, failure: null,
          };
          result.runs.push(run);
          if (exited(master)) {
            run.failure = (await deathNote(master)) ?? 'master not running';
            continue;
          }
          await syncOnce(o, master, run, result.masterDbsize.get(side) ?? o.keys);
          const s = (x: number | null): string => (x === null ? '–' : `${(x / 1000).toFixed(2)} s`);
          log(
            `replication: fullsync [${k}/${total}] ${mode.padEnd(8)} ${side.padEnd(5)}: up ${s(run.upMs)}, all keys ${s(run.allKeysMs)} ` +
              `(resync ${s(run.resyncMs)}, received ${s(run.receivedMs)}, loaded ${s(run.loadedMs)})` +
              (run.spotCheck !== null ? `; SPOT CHECK: ${run.spotCheck}` : '') + (run.failure !== null ? `; FAILED: ${run.failure}` : ''),
          );
        }
      }
    }
  } finally {
    await stopAll(all);
  }
  return result;
}
