// The AOF's life in a node: loading at start, creating the files a fresh AOF needs, the writer,
// and the file side of turning the AOF on and off and of a rewrite (Redis 7.0's main() order:
// aofLoadManifestFromDisk, loadDataFromDisk, aofOpenIfNeededOnServerStart, aofDelHistoryFiles).
//
//   loadDataOnStart(srv)    what Server.start() calls: the AOF under appendonly yes (and then
//                           opens it for appending), else the RDB as before. No fallback to the
//                           RDB when the AOF does not exist, as in Redis 7.0.
//   aofOf(srv)              the node's AOF state: directory, manifest, writer (null while off)
//   stopAof(srv)            appendonly no: flush, fsync, close (stopAppendOnly)
//   beginAofRewrite / finishAofRewrite / abortAofRewrite
//                           the files of a rewrite (openNewIncrAofForAppend and
//                           backgroundRewriteDoneHandler); the snapshot writes the BASE. A
//                           rewrite that turns the AOF on (appendonly yes at runtime) appends
//                           to temp-<appendfilename>.incr until it is done.
//
// Paths: appenddirname is relative to `dir`, the files live in it; an old single-file AOF
// (dir/appendfilename, no manifest) is moved into it with a one-line manifest, as 7.0 does.

import { performance } from 'node:perf_hooks';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Server } from '../../server.js';
import { driveLoad, loadDataFromDiskAsync } from '../rdb-loader.js';
import { RdbWriter, writeKeyspace, writerOptions } from '../rdb-writer.js';
import { AofRewriteWriter } from './rewrite-writer.js';
import { loadAppendOnlyFilesSteps, runSteps, type AofLoadResult } from './aof-loader.js';
import { AofWriter, nodeFileOps, openForAppendSync, type FsyncPolicy } from './aof-writer.js';
import {
  AofManifest,
  fsyncDirSync,
  loadManifestFile,
  manifestName,
  persistManifest,
  persistManifestSync,
  strerror,
  tempIncrName,
  type ManifestTarget,
} from './manifest.js';

/** A node's AOF. */
export interface AofRuntime {
  /** dir/appenddirname, absolute. */
  readonly dir: string;
  readonly appendfilename: string;
  manifest: AofManifest;
  /** Appending (aof_state on, or a rewrite turning it on); null while the AOF is off. */
  writer: AofWriter | null;
  /** The writer appends to temp-<appendfilename>.incr (AOF_WAIT_REWRITE). */
  waitingRewrite: boolean;
  /** What the start-up load found. */
  lastLoad: AofLoadResult | null;
  /** Called on an error Redis exits for (write/fsync failure under appendfsync always). */
  onFatal: (reason: string) => void;
}

const runtimes = new WeakMap<Server, AofRuntime>();

/** srv's AOF state (created on first use, from the configuration). */
export function aofOf(srv: Server): AofRuntime {
  let rt = runtimes.get(srv);
  if (rt === undefined) {
    const cfg = srv.config;
    rt = {
      dir: resolve(cfg.getString('dir'), cfg.getString('appenddirname')),
      appendfilename: cfg.getString('appendfilename'),
      manifest: new AofManifest(),
      writer: null,
      waitingRewrite: false,
      lastLoad: null,
      onFatal: (reason) => srv.log.warning(`AOF stopped accepting writes: ${reason}`),
    };
    runtimes.set(srv, rt);
  }
  return rt;
}

function target(srv: Server, rt: AofRuntime): ManifestTarget {
  return { dir: rt.dir, appendfilename: rt.appendfilename, warn: (l) => srv.log.warning(l) };
}

/**
 * Start-up loading (loadDataFromDisk): with appendonly yes, the AOF (loadAofFromDisk) and then
 * the files opened for appending (openAofOnStart); else dir/dbfilename. Throws — stopping the
 * start — on a file that cannot be loaded (AofLoadError, AofManifestError, RdbLoadError).
 */
export async function loadDataOnStart(srv: Server): Promise<void> {
  if (!srv.config.getBool('appendonly')) {
    await loadDataFromDiskAsync(srv);
    return;
  }
  await loadAofFromDiskAsync(srv);
  openAofOnStart(srv);
}

/**
 * Reads the manifest (aofLoadManifestFromDisk), upgrades an old single-file AOF, and loads the
 * files (loadAppendOnlyFiles). Returns null when there is no AOF.
 */
export function loadAofFromDisk(srv: Server): AofLoadResult | null {
  return runSteps(loadAofFromDiskSteps(srv));
}

/** loadAofFromDisk in slices, clients getting -LOADING in between (driveLoad). */
async function loadAofFromDiskAsync(srv: Server): Promise<AofLoadResult | null> {
  return driveLoad(srv, loadAofFromDiskSteps(srv), 0, 'AOF');
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * loadAofFromDisk as steps (bytes loaded so far); once the manifest is read, the files' total
 * size goes to srv.loading (INFO loading_total_bytes) when a load is being reported.
 */
function* loadAofFromDiskSteps(srv: Server): Generator<number, AofLoadResult | null> {
  const rt = aofOf(srv);
  const log = srv.log;
  const mpath = join(rt.dir, manifestName(rt.appendfilename));
  if (!isDir(rt.dir)) log.debug(`The AOF directory ${rt.dir} doesn't exist`);
  else if (!existsSync(mpath)) log.debug(`The AOF manifest file ${manifestName(rt.appendfilename)} doesn't exist`);
  else rt.manifest = loadManifestFile(mpath, (l) => log.warning(l));
  upgradeIfNeeded(srv, rt);
  const t0 = performance.now();
  if (srv.loading !== null) srv.loading.totalBytes = rt.manifest.loadOrder().reduce((n, f) => n + sizeOf(join(rt.dir, f.name)), 0);
  const result = yield* loadAppendOnlyFilesSteps(srv, rt.manifest, {
    dir: rt.dir,
    appendfilename: rt.appendfilename,
    loadTruncated: srv.config.getBool('aof-load-truncated'),
  });
  rt.lastLoad = result;
  if (result.status === 'not-exist') return null;
  log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  return result;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The 7.0 upgrade (loadAppendOnlyFiles + aofUpgradePrepare): dir/appendfilename exists and the
 * AOF directory does not, or its manifest lists nothing, or lists just that file as BASE without
 * it being there: the manifest gets it as BASE seq 1 and the file moves into the directory.
 */
function upgradeIfNeeded(srv: Server, rt: AofRuntime): void {
  const cfg = srv.config;
  const old = resolve(cfg.getString('dir'), rt.appendfilename);
  if (!existsSync(old)) return;
  const am = rt.manifest;
  const upgrade =
    !isDir(rt.dir) ||
    am.empty ||
    (am.base !== null && am.incrs.length === 0 && am.base.name === rt.appendfilename && !existsSync(join(rt.dir, rt.appendfilename)));
  if (!upgrade) return;
  ensureDir(srv, rt.dir);
  am.base = { name: rt.appendfilename, seq: 1, type: 'b' };
  am.currBaseSeq = 1;
  am.dirty = true;
  persistManifestSync(am, target(srv, rt));
  try {
    renameSync(old, join(rt.dir, rt.appendfilename));
  } catch (err) {
    srv.log.warning(`Error trying to move the old AOF file ${rt.appendfilename} into dir ${cfg.getString('appenddirname')}: ${strerror(err)}`);
    throw err;
  }
  srv.log.notice(
    `Successfully migrated an old-style AOF file (${rt.appendfilename}) into the AOF directory (${cfg.getString('appenddirname')}).`,
  );
}

function ensureDir(srv: Server, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    srv.log.warning(`Can't open or create append-only dir ${dir}: ${strerror(err)}`);
    throw err;
  }
}

/**
 * aofOpenIfNeededOnServerStart + aofDelHistoryFiles: creates the directory; for a fresh AOF
 * (no BASE, no INCR) writes a BASE of the (empty) dataset; opens the last INCR for appending
 * (a new one if there is none); persists the manifest; removes HISTORY files. Starts the writer.
 */
export function openAofOnStart(srv: Server): AofWriter {
  const rt = aofOf(srv);
  const log = srv.log;
  ensureDir(srv, rt.dir);
  const am = rt.manifest;
  const hadIncrs = am.incrs.length > 0;
  if (am.base === null && !hadIncrs) {
    const name = am.newBase(rt.appendfilename, srv.config.getBool('aof-use-rdb-preamble'));
    writeBaseSync(srv, join(rt.dir, name));
    log.notice(`Creating AOF base file ${name} on server start`);
  }
  const incr = am.lastIncr(rt.appendfilename);
  let opened: { fd: number; size: number };
  try {
    opened = openForAppendSync(join(rt.dir, incr));
  } catch (err) {
    log.warning(`Can't open the append-only file ${incr}: ${strerror(err)}`);
    throw err;
  }
  try {
    persistManifestSync(am, target(srv, rt));
  } catch (err) {
    closeSync(opened.fd);
    throw err;
  }
  log.notice(hadIncrs ? `Opening AOF incr file ${incr} on server start` : `Creating AOF incr file ${incr} on server start`);
  const sizes = filesSize(rt);
  const writer = startWriter(srv, rt, { fd: opened.fd, incrSize: opened.size, currentSize: sizes.total, baseSize: sizes.base });
  deleteHistorySync(srv, rt);
  return writer;
}

/** Sizes of the BASE and of all BASE + INCR files on disk. */
function filesSize(rt: AofRuntime): { total: number; base: number } {
  let total = 0;
  let base = 0;
  for (const f of rt.manifest.loadOrder()) {
    let size = 0;
    try {
      size = statSync(join(rt.dir, f.name)).size;
    } catch {
      // listed but missing: counts as empty
    }
    total += size;
    if (f.type === 'b') base = size;
  }
  return { total, base };
}

/** Creates rt's writer on an open file, wired to the configuration (appendfsync live). */
function startWriter(srv: Server, rt: AofRuntime, t: { fd: number; incrSize: number; currentSize: number; baseSize: number }): AofWriter {
  const cfg = srv.config;
  const writer = new AofWriter(t, {
    fsync: cfg.getString('appendfsync') as FsyncPolicy,
    log: srv.log,
    now: () => srv.clock.now(),
    skipFsync: () => cfg.getBool('no-appendfsync-on-rewrite') && srv.snapshot !== null,
    onFatal: (reason) => rt.onFatal(reason),
  });
  rt.writer = writer;
  if (!wired.has(srv)) {
    wired.add(srv);
    cfg.onChange('appendfsync', (v) => aofOf(srv).writer?.setPolicy(v as FsyncPolicy));
  }
  return writer;
}

const wired = new WeakSet<Server>();

/**
 * The BASE of a fresh AOF, synchronously (rewriteAppendOnlyFile at start): an RDB with the
 * aof-base aux field under aof-use-rdb-preamble yes, else commands — for the empty dataset a
 * start has, nothing but the "#TS:" annotation under aof-timestamp-enabled. Written to
 * temp-rewriteaof-<pid>.aof, fsynced, renamed.
 */
function writeBaseSync(srv: Server, path: string): void {
  const cfg = srv.config;
  const tmp = join(resolve(path, '..'), `temp-rewriteaof-${process.pid}.aof`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const out = (chunk: Buffer): void => {
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
    };
    if (cfg.getBool('aof-use-rdb-preamble')) {
      writeKeyspace(srv, new RdbWriter(out, writerOptions(srv)), true);
    } else {
      if (cfg.getBool('aof-timestamp-enabled')) out(Buffer.from(`#TS:${Math.floor(srv.clock.now() / 1000)}\r\n`));
      writeKeyspace(srv, new AofRewriteWriter(out), true);
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    srv.log.warning(`Write error writing append only file on disk: ${strerror(err)}`);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDirSync(resolve(path, '..'));
}

// ---------------------------------------------------------------------------------------------
// History files

/** aofDelHistoryFiles at start (synchronous manifest write). */
function deleteHistorySync(srv: Server, rt: AofRuntime): void {
  const names = takeHistory(srv, rt);
  if (names === null) return;
  for (const n of names) {
    try {
      unlinkSync(join(rt.dir, n));
    } catch {
      // already gone
    }
  }
  persistManifestSync(rt.manifest, target(srv, rt));
}

/**
 * aofDelHistoryFiles while serving: unless aof-disable-auto-gc is on, logs and removes every
 * HISTORY file (in the background), drops them from the manifest and persists it.
 */
export async function deleteHistoryFiles(srv: Server): Promise<void> {
  const rt = aofOf(srv);
  const names = takeHistory(srv, rt);
  if (names === null) return;
  await Promise.all(names.map((n) => unlink(join(rt.dir, n)).catch(() => undefined)));
  await persistManifest(rt.manifest, target(srv, rt));
}

function takeHistory(srv: Server, rt: AofRuntime): string[] | null {
  const am = rt.manifest;
  if (srv.config.getBool('aof-disable-auto-gc') || am.history.length === 0) return null;
  const names = am.history.map((h) => h.name);
  for (const n of names) srv.log.notice(`Removing the history file ${n} in the background`);
  am.history = [];
  am.dirty = true;
  return names;
}

// ---------------------------------------------------------------------------------------------
// Turning the AOF off, and the files of a rewrite

/** appendonly no (stopAppendOnly): writes what is buffered, fsyncs, closes. */
export async function stopAof(srv: Server): Promise<void> {
  const rt = aofOf(srv);
  const w = rt.writer;
  if (w === null) return;
  rt.writer = null;
  await w.close();
  if (rt.waitingRewrite) {
    rt.waitingRewrite = false;
    await unlink(join(rt.dir, tempIncrName(rt.appendfilename))).catch(() => undefined);
  }
}

/**
 * The start of a rewrite (rewriteAppendOnlyFileBackground's file part). AOF on: a new INCR is
 * opened and listed in the manifest, and the writer switches to it; `atSwitch` runs at the exact
 * point of the stream where the switch happens — start the snapshot there. AOF off (appendonly
 * yes at runtime): a writer is opened on temp-<appendfilename>.incr, which collects the writes
 * until finishAofRewrite; `atSwitch` runs once it accepts them. Rejects, with Redis's log line,
 * when the file cannot be opened or the manifest written; nothing changes then.
 */
export async function beginAofRewrite(srv: Server, atSwitch: () => void): Promise<void> {
  const rt = aofOf(srv);
  if (rt.writer !== null && !rt.waitingRewrite) {
    const am = rt.manifest.clone();
    const name = am.newIncr(rt.appendfilename);
    try {
      await rt.writer.rotate(join(rt.dir, name), () => persistManifest(am, target(srv, rt)), () => {
        rt.manifest = am;
        srv.log.notice(`Creating AOF incr file ${name} on background rewrite`);
        atSwitch();
      });
    } catch (err) {
      srv.log.warning(`Can't open the append-only file ${name}: ${strerror(err)}`);
      throw err;
    }
    return;
  }
  if (rt.writer !== null) throw new Error('an AOF rewrite is already collecting into the temp INCR file');
  ensureDir(srv, rt.dir);
  const name = tempIncrName(rt.appendfilename);
  let fd: number;
  try {
    fd = await nodeFileOps.open(join(rt.dir, name), true);
  } catch (err) {
    srv.log.warning(`Can't open the append-only file ${name}: ${strerror(err)}`);
    throw err;
  }
  const sizes = filesSize(rt);
  rt.waitingRewrite = true;
  startWriter(srv, rt, { fd, incrSize: 0, currentSize: sizes.total, baseSize: sizes.base });
  srv.log.notice(`Creating AOF incr file ${name} on background rewrite`);
  atSwitch();
}

/**
 * A rewrite's BASE is complete at `tempBase` (backgroundRewriteDoneHandler's file part): it
 * becomes the new BASE (the old one HISTORY); the temp INCR, when the rewrite turned the AOF on,
 * becomes a new INCR; the INCRs the BASE covers become HISTORY; the manifest is persisted; the
 * sizes reset; HISTORY files removed. Rejects (logged) if a rename or the manifest fails.
 */
export async function finishAofRewrite(srv: Server, tempBase: string): Promise<void> {
  const rt = aofOf(srv);
  const am = rt.manifest.clone();
  const baseName = am.newBase(rt.appendfilename, srv.config.getBool('aof-use-rdb-preamble'));
  const basePath = join(rt.dir, baseName);
  try {
    await rename(tempBase, basePath);
  } catch (err) {
    srv.log.warning(`Error trying to rename the temporary AOF base file ${tempBase} into ${baseName}: ${strerror(err)}`);
    throw err;
  }
  srv.log.notice(`Successfully renamed the temporary AOF base file ${tempBase} into ${baseName}`);
  if (rt.waitingRewrite) {
    const tmpIncr = tempIncrName(rt.appendfilename);
    const incr = am.newIncr(rt.appendfilename);
    try {
      await rename(join(rt.dir, tmpIncr), join(rt.dir, incr));
    } catch (err) {
      srv.log.warning(`Error trying to rename the temporary AOF incr file ${tmpIncr} into ${incr}: ${strerror(err)}`);
      throw err;
    }
    srv.log.notice(`Successfully renamed the temporary AOF incr file ${tmpIncr} into ${incr}`);
  }
  am.markRewrittenIncrsAsHistory(rt.writer !== null);
  await persistManifest(am, target(srv, rt));
  rt.manifest = am;
  rt.waitingRewrite = false;
  // As Redis: the size is the new BASE plus what the writer put in the current INCR, and the
  // base size for INFO (aof_rewrite_base_size) that same total.
  const baseSize = (await stat(basePath)).size;
  if (rt.writer !== null) {
    const current = baseSize + rt.writer.incrSize;
    rt.writer.resetSizes(current, current);
  }
  await deleteHistoryFiles(srv);
}

/** A rewrite that failed: the temp INCR (AOF being turned on) is closed and removed. */
export async function abortAofRewrite(srv: Server): Promise<void> {
  const rt = aofOf(srv);
  if (!rt.waitingRewrite) return;
  srv.log.notice(`Removing the temp incr aof file ${tempIncrName(rt.appendfilename)} in the background`);
  await stopAof(srv);
}
