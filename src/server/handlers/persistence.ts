// Persistence commands: DUMP and RESTORE (a value's RDB serialization, cluster.c), SAVE and
// LASTSAVE (rdb.c). The formats live in src/server/persistence/.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import type { Client } from '../network/client.js';
import { integersShared, loadLimits, writeOptions } from '../persistence/options.js';
import { decodeDumpPayload, dumpEntry } from '../persistence/payload.js';
import { addDecoded, loadedClock } from '../persistence/rdb-loader.js';
import { writeRdbFile } from '../persistence/rdb-writer.js';
import { PropName } from '../propagate.js';
import { rdbSnapshotStartedAt, snapshotBusy, startBgsave } from '../persistence/bgsave.js';
import { aofRewriting, feedOf, startAofRewrite } from '../persistence/aof/feed.js';
import { NOTIFY, notifyKeyspaceEvent, signalKeyAsReady, signalModifiedKey } from '../signals.js';
import { setExpireExact } from './keys-expire.js';
import { intArg, isKeyword } from './util.js';


/** DUMP key: the value's serialization, or nil for a missing key. */
const dumpCommand: Handler = (c, argv) => {
  const srv = c.srv;
  const e = srv.keyspace.lookupRead(c.db, argv[1], srv.now, c.noTouch);
  if (e === NONE) return void c.w.nil();
  c.w.bulk(dumpEntry(c.db.store, e, writeOptions(srv.config)));
};

/** Options of RESTORE after the payload. */
interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  /** IDLETIME seconds, or -1. */
  idle: number;
  /** FREQ counter, or -1. */
  freq: number;
}

/**
 * Parses RESTORE's options as restoreCommand does (left to right; IDLETIME and FREQ exclude
 * each other, the second one being a syntax error). Replies the error and returns null on
 * failure.
 */
function restoreOptions(c: Client, argv: Buffer[]): RestoreOptions | null {
  const o: RestoreOptions = { replace: false, absttl: false, idle: -1, freq: -1 };
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isKeyword(argv[j], 'replace')) {
      o.replace = true;
    } else if (isKeyword(argv[j], 'absttl')) {
      o.absttl = true;
    } else if (isKeyword(argv[j], 'idletime') && more >= 1 && o.freq === -1) {
      const v = intArg(c, argv[j + 1]);
      if (v === null) return null;
      if (v < 0) {
        c.w.error(Err.invalidIdle);
        return null;
      }
      // Idle times past the clock's range all read as "very old".
      o.idle = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
      j++;
    } else if (isKeyword(argv[j], 'freq') && more >= 1 && o.idle === -1) {
      const v = intArg(c, argv[j + 1]);
      if (v === null) return null;
      if (v < 0 || v > 255) {
        c.w.error(Err.invalidFreq);
        return null;
      }
      o.freq = Number(v);
      j++;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  return o;
}

/**
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency].
 * Checks in Redis's order: options, existing key (BUSYKEY), ttl, payload footer, value. A ttl
 * already in the past creates nothing (deleting the old key under REPLACE).
 */
const restoreCommand: Handler = (c, argv) => {
  const opts = restoreOptions(c, argv);
  if (opts === null) return;
  const srv = c.srv;
  const ks = srv.keyspace;
  const db = c.db;
  const key = argv[1];
  const now = srv.now;
  if (!opts.replace && ks.lookupWrite(db, key, now, c.noTouch) !== NONE) return void c.w.error(Err.busyKey);
  const ttl = intArg(c, argv[2]);
  if (ttl === null) return;
  if (ttl < 0) return void c.w.error(Err.invalidTtl);
  const decoded = decodeDumpPayload(argv[3], loadLimits(srv.config));
  if (!decoded.ok) {
    if (decoded.why === 'checksum') return void c.w.error(Err.dumpPayloadWrong);
    if (decoded.why === 'unsupported') return void c.w.error(Err.badDataFormatOf(decoded.reason));
    return void c.w.error(Err.badDataFormat);
  }
  let deleted = false;
  if (opts.replace) {
    // dbDelete: the entry goes even if its TTL has passed unnoticed.
    const old = db.find(key);
    if (old !== NONE) {
      db.delete(old);
      deleted = true;
    }
  }
  // ttl + now in int64 arithmetic, wrapping as C does.
  let at = BigInt(ttl);
  if (at !== 0n && !opts.absttl) at = BigInt.asIntN(64, at + BigInt(now));
  if (at !== 0n && at <= BigInt(now)) {
    if (deleted) {
      // Propagated as the deletion it was.
      if (srv.propagation.active) {
        srv.propagation.rewrite([srv.config.getBool('lazyfree-lazy-server-del') ? PropName.unlink : PropName.del, key]);
      }
      signalModifiedKey(c, db, key);
      notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, db.id);
      srv.dirty++;
    }
    return void c.w.ok();
  }
  const v = decoded.value;
  const clock = loadedClock(ks, now, opts.freq, opts.idle);
  const accessGiven = ks.accessPolicy === 'lfu' ? opts.freq >= 0 : opts.idle >= 0;
  const e = addDecoded(ks, db, key, v, clock, accessGiven && integersShared(srv.config));
  if (at !== 0n) setExpireExact(db, e, at);
  // A relative ttl is propagated as the absolute time it gave, with ABSTTL.
  if (at !== 0n && !opts.absttl && srv.propagation.active) {
    srv.propagation.rewrite([...argv.slice(0, 2), Buffer.from(String(at), 'latin1'), ...argv.slice(3), PropName.absttl]);
  }
  signalKeyAsReady(c, db, key, v.type);
  signalModifiedKey(c, db, key);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'restore', key, db.id);
  c.w.ok();
  srv.dirty++;
};

/**
 * SAVE: the whole dataset to dir/dbfilename, synchronously. Refused while an RDB snapshot runs
 * (a BGSAVE, a diskless full sync), as Redis refuses it beside an RDB child; beside an AOF
 * rewrite it runs, as in Redis (it only reads the keyspace between two slices of the walk).
 */
const saveCommand: Handler = (c) => {
  const state = c.srv.persistence;
  if (state.saving || rdbSnapshotStartedAt(c.srv) !== null) return void c.w.error(Err.bgsaveInProgress);
  state.saving = true;
  try {
    writeRdbFile(c.srv);
    c.w.ok();
  } catch {
    // writeRdbFile logged the cause.
    c.w.error(Err.bareErr);
  } finally {
    state.saving = false;
  }
};

/**
 * BGSAVE [SCHEDULE]: a fork-less snapshot to dir/dbfilename while serving (persistence/
 * bgsave.ts). While another snapshot walk runs (an AOF rewrite), SCHEDULE — or being inside
 * MULTI — defers it; a BGSAVE already running is an error.
 */
const bgsaveCommand: Handler = (c, argv) => {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && isKeyword(argv[1], 'schedule')) schedule = true;
    else return void c.w.error(Err.syntax);
  }
  const srv = c.srv;
  const state = srv.persistence;
  if (rdbSnapshotStartedAt(srv) !== null) return void c.w.error(Err.bgsaveInProgress);
  if (snapshotBusy(srv) || c.inExec) {
    if (schedule || c.inExec) {
      state.bgsaveScheduled = true;
      return void c.w.simple('Background saving scheduled');
    }
    return void c.w.error(Err.bgsaveChildBusy);
  }
  const failed = startBgsave(srv);
  if (failed !== null) return void c.w.error(Err.bareErr);
  c.w.simple('Background saving started');
};

/**
 * BGREWRITEAOF: rewrites the AOF from a fork-less snapshot (persistence/aof/feed.ts); scheduled
 * while another snapshot runs or inside MULTI.
 */
const bgrewriteaofCommand: Handler = (c) => {
  const srv = c.srv;
  if (aofRewriting(srv)) return void c.w.error(Err.aofRewriteInProgress);
  const feed = feedOf(srv);
  if (snapshotBusy(srv) || c.inExec) {
    feed.rewriteScheduled = true;
    feed.consecutiveFailures = 0;
    return void c.w.simple('Background append only file rewriting scheduled');
  }
  if (startAofRewrite(srv) !== null) return void c.w.error(Err.aofRewriteFailed);
  c.w.simple('Background append only file rewriting started');
};

/** LASTSAVE: Unix time of the last successful save (the start time before any). */
const lastsaveCommand: Handler = (c) => {
  c.w.integer(c.srv.persistence.lastSave);
};

export const persistenceHandlers: Record<string, Handler> = {
  dump: dumpCommand,
  restore: restoreCommand,
  save: saveCommand,
  bgsave: bgsaveCommand,
  bgrewriteaof: bgrewriteaofCommand,
  lastsave: lastsaveCommand,
};
