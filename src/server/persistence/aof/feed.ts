// The AOF's place in a running node: the effect stream (propagate.ts) feeds the writer
// (feedAppendOnlyFile), replies wait for the fsync under appendfsync always, writes are refused
// with -MISCONF while the file cannot be written, and BGREWRITEAOF / auto-aof-rewrite /
// CONFIG SET appendonly run the rewrite on the fork-less snapshot (Redis 7.0 aof.c).
//
// Rewrite. The snapshot and the switch to a new INCR file happen at the same point of the
// stream (beginAofRewrite's atSwitch): everything before it is in the old files and in the
// snapshot; everything after it goes to the new INCR. The snapshot becomes the new BASE (RDB
// format under aof-use-rdb-preamble yes, commands under no: aof/rewrite-writer.ts), and the
// manifest then lists the new BASE and the new INCR; the files it replaces become history and
// are deleted.
//
// appendfsync always: Redis fsyncs before it writes any reply of the event-loop turn. Here the
// fsync runs off the loop, so a client whose reply is ready while appended bytes are not yet
// synced is held (its output stays buffered) until the writer reports them synced; the loop
// goes on serving everyone else meanwhile.

import { performance } from 'node:perf_hooks';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Err } from '../../../lib/errors.js';
import type { Client } from '../../network/client.js';
import { encodedSize, encodeOpsAt, type EncodeState, type PropagatedOp } from '../../propagate.js';
import type { Server } from '../../server.js';
import { FileSink } from '../file-sink.js';
import { Snapshot, SnapshotAborted } from '../snapshot.js';
import { snapshotBusy } from '../bgsave.js';
import { abortAofRewrite, aofOf, beginAofRewrite, finishAofRewrite, stopAof } from './startup.js';

/** A node's AOF wiring state. */
interface Feed {
  /** SELECT state of the stream going to the current INCR file. */
  readonly encode: EncodeState;
  /**
   * Clients holding their replies until the AOF is synced, each with the AOF offset its last
   * reply needs synced (the appended offset when that reply was ready).
   */
  readonly held: Map<Client, number>;
  rewrite: { snapshot: Snapshot | null; startedAt: number } | null;
  rewriteScheduled: boolean;
  rewrites: number;
  consecutiveFailures: number;
  lastRewriteOk: boolean;
  lastRewriteMs: number;
  lastCowBytes: number;
  /** Connects or disconnects the stream and the reply hold as a writer exists or not. */
  sync: () => void;
}

const feeds = new WeakMap<Server, Feed>();

/** The AOF wiring of srv (created on first use). */
export function feedOf(srv: Server): Feed {
  let f = feeds.get(srv);
  if (f === undefined) {
    f = {
      encode: { selectedDb: -1 },
      held: new Map(),
      rewrite: null,
      rewriteScheduled: false,
      rewrites: 0,
      consecutiveFailures: 0,
      lastRewriteOk: true,
      lastRewriteMs: -1,
      lastCowBytes: 0,
      sync: () => undefined,
    };
    feeds.set(srv, f);
  }
  return f;
}

/**
 * Connects the AOF to the node once at start: the effect stream into the writer (whenever one
 * is open), the reply hold for appendfsync always, CONFIG SET appendonly, and the final flush
 * when the node closes.
 */
export function attachAof(srv: Server): void {
  const feed = feedOf(srv);
  let batch: readonly PropagatedOp[] = [];
  const encode = (b: Buffer, off: number): void => void encodeOpsAt(batch, feed.encode, b, off);
  const consumer = (ops: readonly PropagatedOp[]): void => {
    const w = aofOf(srv).writer;
    if (w === null) return;
    batch = ops.some((op) => op.replicasOnly === true) ? forTheAof(ops) : ops;
    if (batch.length === 0) return;
    w.appendWith(encodedSize(batch, feed.encode), encode);
    batch = [];
  };
  const hold = (c: Client): boolean => holdForFsync(srv, feed, c);
  let remove: (() => void) | null = null;
  // The stream costs a copy of every write's arguments: connected only while the AOF is on.
  feed.sync = () => {
    const on = aofOf(srv).writer !== null;
    if (on && remove === null) {
      remove = srv.propagation.addConsumer(consumer);
      srv.replyHold = hold;
    } else if (!on && remove !== null) {
      remove();
      remove = null;
      srv.replyHold = null;
    }
  };
  feed.sync();
  srv.config.onChange('appendonly', (v) => {
    if (v === 'yes') startAppendOnly(srv);
    else void stopAof(srv).then(feed.sync);
  });
  srv.beforeClose.push(() => stopAof(srv).then(feed.sync));
}

/**
 * A unit without its records for replicas only (PUBLISH); nothing if only the MULTI/EXEC
 * around them would remain.
 */
function forTheAof(ops: readonly PropagatedOp[]): readonly PropagatedOp[] {
  const kept = ops.filter((op) => op.replicasOnly !== true);
  return kept.length === 2 && ops.length > 2 ? [] : kept;
}

/**
 * Whether c's output must wait for the AOF's fsync (see the file header). Every reply in c's
 * buffer was produced by now, so the bytes appended so far are what it needs synced; a client
 * already held just raises its target (only its own new replies move it: other clients' writes
 * never starve it).
 */
function holdForFsync(srv: Server, feed: Feed, c: Client): boolean {
  const w = aofOf(srv).writer;
  if (w === null || w.policy !== 'always' || w.closed) return false;
  const target = w.appendedOffset;
  if (feed.held.has(c)) {
    feed.held.set(c, target);
    return true;
  }
  if (w.syncedOffset >= target) return false;
  feed.held.set(c, target);
  const check = (): void => {
    const t = feed.held.get(c);
    if (t === undefined) return;
    if (w.closed || w.syncedOffset >= t) {
      feed.held.delete(c);
      c.flush(true);
    } else {
      w.onSynced(t, check);
    }
  };
  w.onSynced(target, check);
  return true;
}

/** -MISCONF text while the AOF cannot be written, else null (writeCommandsDeniedByDiskError). */
export function aofWriteDenied(srv: Server): string | null {
  const w = aofOf(srv).writer;
  if (w === null) return null;
  const err = w.writeError();
  return err === null ? null : Err.misconfAof(err);
}

/** Whether an AOF rewrite runs (its snapshot or its file steps). */
export function aofRewriting(srv: Server): boolean {
  return feedOf(srv).rewrite !== null;
}

/**
 * BGREWRITEAOF (rewriteAppendOnlyFileBackground). Returns null when started, 'busy' when a
 * snapshot already runs (the caller schedules), or the failure (logged).
 */
export function startAofRewrite(srv: Server): string | null {
  const feed = feedOf(srv);
  if (snapshotBusy(srv)) return 'busy';
  const rt = aofOf(srv);
  const t0 = performance.now();
  const state: { snapshot: Snapshot | null; startedAt: number } = { snapshot: null, startedAt: srv.clock.now() };
  feed.rewrite = state;
  // aof_rewrites counts rewrites started, as Redis's stat_aof_rewrites (at the fork).
  feed.rewrites++;
  const tmp = join(rt.dir, `temp-rewriteaof-${process.pid}.aof`);
  const done = join(rt.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
  const begin = (): void => {
    const fd = openSync(tmp, 'w');
    const sink = new FileSink(fd, tmp, done, srv.config.getBool('aof-rewrite-incremental-fsync'));
    // aof-use-rdb-preamble no: the BASE is written as commands.
    const snap = new Snapshot(srv, sink, 'aofrewrite', !srv.config.getBool('aof-use-rdb-preamble'));
    state.snapshot = snap;
    // The new INCR file starts without a selected database.
    feed.encode.selectedDb = -1;
    feed.sync();
    srv.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
  };
  const run = async (): Promise<void> => {
    if (rt.writer !== null || srv.config.getBool('appendonly')) await beginAofRewrite(srv, begin);
    else begin(); // AOF off: a new BASE and manifest, no INCR
    const snap = state.snapshot as Snapshot;
    const r = await snap.done;
    await finishAofRewrite(srv, done);
    feed.lastCowBytes = r.peakBytes;
  };
  run().then(
    () => {
      feed.rewrite = null;
      feed.consecutiveFailures = 0;
      feed.lastRewriteOk = true;
      feed.lastRewriteMs = performance.now() - t0;
      srv.log.notice('Background AOF rewrite terminated with success');
      srv.log.notice('Background AOF rewrite finished successfully');
      afterRewrite(srv);
    },
    (err: Error) => {
      feed.rewrite = null;
      feed.lastRewriteMs = performance.now() - t0;
      if (!(err instanceof SnapshotAborted)) {
        feed.lastRewriteOk = false;
        feed.consecutiveFailures++;
        srv.log.warning(`Background AOF rewrite terminated with error: ${err.message}`);
      }
      void abortAofRewrite(srv).then(feedOf(srv).sync);
      afterRewrite(srv);
    },
  );
  return null;
}

function afterRewrite(srv: Server): void {
  const feed = feedOf(srv);
  if (feed.rewriteScheduled && !snapshotBusy(srv)) {
    feed.rewriteScheduled = false;
    startAofRewrite(srv);
  }
}

/** CONFIG SET appendonly yes at runtime (startAppendOnly): a rewrite that turns the AOF on. */
function startAppendOnly(srv: Server): void {
  if (aofOf(srv).writer !== null) return;
  if (snapshotBusy(srv)) {
    feedOf(srv).rewriteScheduled = true;
    return;
  }
  startAofRewrite(srv);
}

/**
 * The cron's AOF step (serverCron): a scheduled rewrite once nothing else runs; else an
 * automatic one when the AOF grew auto-aof-rewrite-percentage over its size after the last
 * rewrite and is at least auto-aof-rewrite-min-size.
 */
export function aofCron(srv: Server): void {
  const feed = feedOf(srv);
  if (snapshotBusy(srv)) return;
  if (feed.rewriteScheduled) {
    feed.rewriteScheduled = false;
    startAofRewrite(srv);
    return;
  }
  const w = aofOf(srv).writer;
  if (w === null || aofOf(srv).waitingRewrite) return;
  const perc = srv.config.getNumber('auto-aof-rewrite-percentage');
  const min = srv.config.getNumber('auto-aof-rewrite-min-size');
  if (perc === 0 || w.currentSize <= min) return;
  const base = w.baseSize > 0 ? w.baseSize : 1;
  const growth = Math.floor(((w.currentSize - base) * 100) / base);
  if (growth >= perc) {
    srv.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
    startAofRewrite(srv);
  }
}

/** INFO persistence's aof_* fields. */
export function aofInfo(srv: Server): Array<[string, string | number]> {
  const feed = feedOf(srv);
  const w = aofOf(srv).writer;
  const nowS = Math.floor(srv.clock.now() / 1000);
  const lines: Array<[string, string | number]> = [
    ['aof_enabled', srv.config.getBool('appendonly') ? 1 : 0],
    ['aof_rewrite_in_progress', feed.rewrite !== null ? 1 : 0],
    ['aof_rewrite_scheduled', feed.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', feed.lastRewriteMs < 0 ? -1 : Math.round(feed.lastRewriteMs / 1000)],
    ['aof_current_rewrite_time_sec', feed.rewrite !== null ? nowS - Math.floor(feed.rewrite.startedAt / 1000) : -1],
    ['aof_last_bgrewrite_status', feed.lastRewriteOk ? 'ok' : 'err'],
    ['aof_rewrites', feed.rewrites],
    ['aof_rewrites_consecutive_failures', feed.consecutiveFailures],
    ['aof_last_write_status', w === null ? 'ok' : w.lastWriteStatus],
    ['aof_last_cow_size', feed.lastCowBytes],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
  if (w !== null && srv.config.getBool('appendonly')) {
    lines.push(
      ['aof_current_size', w.currentSize],
      ['aof_base_size', w.baseSize],
      ['aof_pending_rewrite', feed.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', w.bufferLength],
      ['aof_pending_bio_fsync', w.pendingBioFsync],
      ['aof_delayed_fsync', w.delayedFsync],
    );
  }
  return lines;
}
