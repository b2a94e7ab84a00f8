// BGSAVE and the save schedule (rdb.c rdbSaveBackground / backgroundSaveDoneHandler, server.c
// serverCron's save points): a fork-less snapshot (snapshot.ts) of the keyspace into a temp
// file beside dir/dbfilename, renamed over it once complete and synced.
//
// Counters as Redis keeps them: srv.dirty is remembered when a BGSAVE starts and only that
// much is taken off it when it succeeds (writes made meanwhile still count as unsaved);
// LASTSAVE moves to the completion time; a failure sets rdb_last_bgsave_status to err and the
// schedule retries only after CONFIG_BGSAVE_RETRY_DELAY seconds.

import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Server } from '../server.js';
import { Err } from '../../lib/errors.js';
import { aofCron, aofRewriting, aofWriteDenied } from './aof/feed.js';
import { FileSink } from './file-sink.js';
import { fullSyncBusy } from '../replication/master.js';
import { rdbPath } from './rdb-writer.js';
import { Snapshot, SnapshotAborted } from './snapshot.js';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: seconds before a failed BGSAVE is retried by the schedule. */
const RETRY_DELAY_S = 5;

/** The save points of the `save` parameter ("<seconds> <changes> ..."), parsed. */
export function savePoints(srv: Server): Array<{ seconds: number; changes: number }> {
  // A sentinel has no dataset to save.
  if (srv.sentinel !== null) return [];
  const words = srv.config.getString('save').split(/\s+/).filter((w) => w.length > 0);
  const out: Array<{ seconds: number; changes: number }> = [];
  for (let i = 0; i + 1 < words.length; i += 2) out.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
  return out;
}

/**
 * Whether a BGSAVE, an AOF rewrite or a full sync to replicas is running, from its start to
 * its last step (Redis's hasActiveChildProcess): one snapshot at a time.
 */
export function snapshotBusy(srv: Server): boolean {
  return srv.snapshot !== null || srv.persistence.bgsave !== null || aofRewriting(srv) || fullSyncBusy(srv);
}

/**
 * When the RDB snapshot running started (ms), or null: a BGSAVE, or the walk of a diskless full
 * sync, which Redis also runs as an RDB child (child_type RDB: rdb_bgsave_in_progress:1, and
 * BGSAVE answers that a save is already in progress).
 */
export function rdbSnapshotStartedAt(srv: Server): number | null {
  const bg = srv.persistence.bgsave;
  if (bg !== null) return bg.startedAt;
  const snap = srv.snapshot;
  return snap !== null && snap.purpose === 'replication' ? snap.startedAt : null;
}

/**
 * Starts a BGSAVE to dir/dbfilename. Returns null when started, or the reason it could not
 * start (already logged).
 */
export function startBgsave(srv: Server): string | null {
  const state = srv.persistence;
  if (snapshotBusy(srv)) return 'busy';
  const path = rdbPath(srv);
  const tmp = join(dirname(path), `temp-${process.pid}.rdb`);
  state.lastBgsaveTry = srv.clock.now();
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    srv.log.warning(`Failed opening the temp RDB file ${tmp} for saving: ${(err as Error).message}`);
    state.lastSaveOk = false;
    return (err as Error).message;
  }
  let snapshot: Snapshot;
  try {
    snapshot = new Snapshot(srv, new FileSink(fd, tmp, path, srv.config.getBool('rdb-save-incremental-fsync')), 'bgsave');
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  state.rdbSaves++;
  const bg = { snapshot, dirtyBefore: srv.dirty, startedAt: snapshot.startedAt };
  state.bgsave = bg;
  srv.log.notice(`Background saving started by pid ${process.pid}`);
  snapshot.done.then(
    (r) => {
      if (state.bgsave !== bg) return;
      state.bgsave = null;
      srv.log.notice('DB saved on disk');
      srv.log.notice(
        `Snapshot memory: peak ${(r.peakBytes / 1048576).toFixed(0)} MB held for the disk; ${r.keys} keys, ${r.captured} written ahead of a change`,
      );
      srv.log.notice('Background saving terminated with success');
      srv.dirty = Math.max(0, srv.dirty - bg.dirtyBefore);
      state.lastSave = Math.floor(srv.clock.now() / 1000);
      state.lastSaveOk = true;
      state.lastSaveMs = r.ms;
      state.lastCowBytes = r.peakBytes;
      afterBgsave(srv);
    },
    (err: Error) => {
      if (state.bgsave !== bg) return;
      state.bgsave = null;
      state.lastCowBytes = snapshot.peakBytes;
      if (err instanceof SnapshotAborted) {
        // Killed on purpose (FLUSHALL, SHUTDOWN): as Redis's SIGUSR1, not an error.
        srv.log.warning(err.message);
      } else {
        srv.log.warning(`Write error saving DB on disk: ${err.message}`);
        srv.log.warning('Background saving error');
        state.lastSaveOk = false;
      }
      afterBgsave(srv);
    },
  );
  return null;
}

/**
 * The -MISCONF error writes get while the data cannot be persisted (writeCommandsDeniedByDiskError):
 * the last BGSAVE failed with save points set and stop-writes-on-bgsave-error yes, or the AOF
 * cannot be written. Null when writes may go on.
 */
export function diskErrorDenial(srv: Server): string | null {
  if (!srv.persistence.lastSaveOk && srv.config.getBool('stop-writes-on-bgsave-error') && savePoints(srv).length > 0) return Err.misconfRdb;
  return aofWriteDenied(srv);
}

/** A scheduled BGSAVE waits for the snapshot that just ended. */
function afterBgsave(srv: Server): void {
  const state = srv.persistence;
  if (state.bgsaveScheduled && !snapshotBusy(srv)) {
    state.bgsaveScheduled = false;
    startBgsave(srv);
  }
}

/** Stops a BGSAVE in progress (its temp file is removed); no-op without one. */
export function killBgsave(srv: Server, why: string): void {
  const bg = srv.persistence.bgsave;
  if (bg === null) return;
  bg.snapshot.abort(why);
}

/**
 * The cron's persistence step (serverCron): a scheduled BGSAVE once nothing else runs, else
 * the first save point reached ("<changes> changes in <seconds> seconds. Saving...").
 */
export function persistenceCron(srv: Server): void {
  const state = srv.persistence;
  aofCron(srv);
  if (snapshotBusy(srv)) return;
  if (state.bgsaveScheduled) {
    state.bgsaveScheduled = false;
    startBgsave(srv);
    return;
  }
  if (srv.dirty === 0) return;
  const now = srv.clock.now();
  const since = now / 1000 - state.lastSave;
  const mayRetry = state.lastSaveOk || now - state.lastBgsaveTry > RETRY_DELAY_S * 1000;
  for (const p of savePoints(srv)) {
    if (srv.dirty >= p.changes && since > p.seconds && mayRetry) {
      srv.log.notice(`${p.changes} changes in ${p.seconds} seconds. Saving...`);
      startBgsave(srv);
      return;
    }
  }
}
