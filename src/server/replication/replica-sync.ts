// The end of a full sync on the replica (readSyncBulkPayload's second half) and the small
// pieces of the wire the link shares: the payload file is synced and renamed over
// dir/dbfilename, the old dataset is dropped (with what depends on it: a snapshot walking it,
// the AOF, the sub-replicas and the backlog), and the file is loaded in slices.

import { fsync, close as closeFd, rename, unlink, type WriteStream } from 'node:fs';
import type { Server } from '../server.js';
import type { Database } from '../keyspace/database.js';
import { signalFlushedDb } from '../signals.js';
import { loadRdbAsync, loadRdbFileAsync, type LoadResult, type StreamSource } from '../persistence/rdb-loader.js';
import { rdbPath } from '../persistence/rdb-writer.js';
import { aofOf, stopAof } from '../persistence/aof/startup.js';
import { feedOf, startAofRewrite } from '../persistence/aof/feed.js';
import { disconnectReplicas, freeBacklog } from './master.js';

/** `REPLCONF ACK <offset>` as the master expects it. */
export function ackCommand(offset: number): Buffer {
  const o = String(offset);
  return Buffer.from(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${o.length}\r\n${o}\r\n`, 'latin1');
}

/** A command as a RESP array (the handshake's commands). */
export function resp(args: readonly string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

/** strerror-like text for a socket error, as Redis logs it. */
export function errText(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
      return 'No route to host';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "Can't resolve master hostname";
    default:
      return err.message;
  }
}

/**
 * The received payload: its write stream, file descriptor and temp path, or (repl-diskless-load
 * on-empty-db / swapdb) the bytes received, in a StreamSource; `swapdb` loads them beside the
 * current dataset.
 */
export type ReceivedPayload =
  | { readonly file: WriteStream; readonly fd: number; readonly tmpPath: string }
  | { readonly stream: StreamSource; readonly swapdb: boolean };

/** What installSyncedRdb asks of its link. */
export interface InstallHooks {
  /** False once the attempt was cancelled (the link stops caring about the outcome). */
  current(): boolean;
  /** The AOF was stopped: it must be rebuilt once the sync succeeds. */
  aofStopped(): void;
  /**
   * The payload continues the history this node already has (its replication ID is the
   * master's): a swapdb load then serves the old dataset meanwhile (async loading).
   */
  sameHistory: boolean;
}

/**
 * Installs a received payload: ends and fsyncs the file, renames it over dir/dbfilename, then
 * (stopAppendOnly, killRDBChild, replicationAttachToNewMaster, emptyData) drops the old dataset
 * and loads the file in slices, clients getting -LOADING. A payload in a StreamSource, whole
 * (swapdb) or still arriving (on-empty-db: called at its header, the load following the bytes
 * as they come), is loaded the same way, and dir/dbfilename is left as it was (as Redis's
 * diskless load leaves it). With swapdb the payload is loaded into databases aside
 * (swapInDataset). Returns the database the master's stream had selected (repl-stream-db, 0 if
 * absent), or null on a failure (logged as Redis logs it; the old dataset is still there if the
 * failure came before the flush, and always with swapdb).
 */
export async function installSyncedRdb(srv: Server, p: ReceivedPayload, hooks: InstallHooks): Promise<number | null> {
  if ('stream' in p) {
    if (!hooks.current()) return null;
    if (p.swapdb) return swapInDataset(srv, p.stream, hooks);
    return replaceDataset(srv, hooks, () => loadRdbAsync(srv, p.stream, 'the MASTER synchronization payload'), 'socket');
  }
  // Until the rename succeeds, every way out closes the file and removes the temp file.
  const dropTemp = (): null => {
    unlink(p.tmpPath, () => undefined);
    return null;
  };
  try {
    await new Promise<void>((res, rej) => p.file.end((e?: Error | null) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => fsync(p.fd, (e) => (e ? rej(e) : res())));
  } catch (err) {
    srv.log.warning(`Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: ${(err as Error).message}`);
    return dropTemp();
  } finally {
    await new Promise<void>((res) => closeFd(p.fd, () => res()));
  }
  if (!hooks.current()) return dropTemp();
  const path = rdbPath(srv);
  try {
    await new Promise<void>((res, rej) => rename(p.tmpPath, path, (e) => (e ? rej(e) : res())));
  } catch (err) {
    srv.log.warning(
      `Failed trying to rename the temp DB into ${srv.config.getString('dbfilename')} in MASTER <-> REPLICA synchronization: ${(err as Error).message}`,
    );
    return dropTemp();
  }
  if (!hooks.current()) return null;
  return replaceDataset(srv, hooks, () => loadRdbFileAsync(srv, path), 'disk');
}

/**
 * The old dataset out (with what depends on it), then `load` in its place; returns as
 * installSyncedRdb. `from` is where the payload is read (Redis's failure line names it).
 */
async function replaceDataset(
  srv: Server,
  hooks: InstallHooks,
  load: () => Promise<LoadResult>,
  from: 'disk' | 'socket',
): Promise<number | null> {
  // A snapshot walking the old dataset is abandoned.
  if (srv.snapshot !== null) srv.snapshot.abort('Background saving terminated: MASTER <-> REPLICA sync');
  if (!(await stopAofForSync(srv, hooks))) return null;
  // Our sub-replicas must resync with the new history, and nobody may PSYNC into the old one.
  disconnectReplicas(srv);
  freeBacklog(srv);
  srv.log.notice('MASTER <-> REPLICA sync: Flushing old data');
  signalFlushedDb({ srv }, srv.keyspace.dbs);
  srv.keyspace.flushAll();
  srv.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
  try {
    const result = await load();
    return result.repl !== null && result.repl.streamDb >= 0 ? result.repl.streamDb : 0;
  } catch {
    srv.log.warning(`Failed trying to load the MASTER synchronization DB from ${from}, check server logs.`);
    return null;
  }
}

/**
 * repl-diskless-load swapdb (readSyncBulkPayload with a tempDb): the payload is loaded into
 * shadow databases while the old dataset stays, served meanwhile when the payload continues the
 * same history (async loading), else clients get -LOADING. Loaded, it
 * takes the old dataset's place, which is freed in the background; a payload that fails to
 * load (or a sync cancelled meanwhile) is discarded and the old dataset, the sub-replicas and
 * the backlog stay as they were. Returns as installSyncedRdb.
 */
async function swapInDataset(srv: Server, stream: StreamSource, hooks: InstallHooks): Promise<number | null> {
  if (!(await stopAofForSync(srv, hooks))) return null;
  const ks = srv.keyspace;
  const shadow = ks.shadowDbs();
  srv.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
  let result: LoadResult;
  // Redis's async_loading: the same history (a resync from the master this node followed) is
  // served from the old dataset while the new one loads; another one gets -LOADING.
  srv.asyncLoading = hooks.sameHistory;
  try {
    result = await loadRdbAsync(srv, stream, 'the MASTER synchronization payload', shadow);
  } catch {
    srv.log.warning('Failed trying to load the MASTER synchronization DB from socket, check server logs.');
    return discardShadow(srv, shadow);
  } finally {
    srv.asyncLoading = false;
  }
  if (!hooks.current()) return discardShadow(srv, shadow);
  // replicationAttachToNewMaster, then swapMainDbWithTempDb: watched keys are touched and
  // client-side caches flushed as for a FLUSHALL; a snapshot of the old dataset is abandoned.
  disconnectReplicas(srv);
  freeBacklog(srv);
  srv.log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
  if (srv.snapshot !== null) srv.snapshot.abort('Background saving terminated: MASTER <-> REPLICA sync');
  signalFlushedDb({ srv }, ks.dbs);
  ks.installShadow(shadow);
  for (const db of ks.dbs) srv.blocking.signalDbReady(db);
  srv.log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
  return result.repl !== null && result.repl.streamDb >= 0 ? result.repl.streamDb : 0;
}

/**
 * stopAppendOnly before a sync's load: the AOF restarts from a rewrite once the new dataset is
 * in (restartAOFAfterSYNC). False if the attempt was cancelled meanwhile.
 */
async function stopAofForSync(srv: Server, hooks: InstallHooks): Promise<boolean> {
  if (aofOf(srv).writer === null) return true;
  await stopAof(srv);
  feedOf(srv).sync();
  hooks.aofStopped();
  return hooks.current();
}

/** A swapdb load that failed or was cancelled: what it loaded goes, the old dataset stays. */
function discardShadow(srv: Server, shadow: Database[]): null {
  srv.keyspace.dropShadow(shadow);
  srv.log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
  return null;
}

/** restartAOFAfterSYNC: the AOF comes back through a rewrite of the new dataset. */
export function restartAofAfterSync(srv: Server, link: { aofStopped: boolean }): void {
  if (!link.aofStopped) return;
  link.aofStopped = false;
  if (!srv.config.getBool('appendonly') || aofOf(srv).writer !== null) return;
  if (startAofRewrite(srv) === 'busy') feedOf(srv).rewriteScheduled = true;
}
