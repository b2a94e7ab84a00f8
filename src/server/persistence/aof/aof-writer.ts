// The AOF writer: appends the bytes of the effect stream to the current INCR file without ever
// making the event loop wait on the disk (flushAppendOnlyFile, made asynchronous).
//
// Bytes handed to append() collect in a buffer (Redis's aof_buf). Once per event-loop turn —
// the place of Redis's beforeSleep — the whole buffer goes to the file in one asynchronous
// write (the libuv thread pool), one batch in flight at a time; what arrives meanwhile forms the
// next batch. Offsets count the bytes of the whole AOF (BASE + INCRs), as aof_current_size:
//   appended  every byte accepted           written  on the file (write(2) returned)
//   synced    covered by a completed fsync
//
// appendfsync:
//   no        never fsync (the kernel decides)
//   everysec  after a write, at most once per second (unixtime > last fsync), an fsync in the
//             background. While it runs, writes are postponed (on Linux a write would block
//             behind it anyway) — for up to 2 seconds; then the buffer is written regardless,
//             aof_delayed_fsync counts it and the notice "Asynchronous AOF fsync is taking too
//             long" is logged. With nothing to write, a pending fsync still happens within a
//             second of the last write (the cron calls flush()).
//   always    each batch is written, then fsynced, before the next; onSynced(offset) calls back
//             once the bytes up to offset are on disk, so replies can wait for it.
//
// Errors: a failed or short write keeps the unwritten bytes for a retry (on the next batch and
// every cron tick) and sets lastWriteStatus 'err' (aof_last_write_status), logged at most every
// 30 s; a short write is cut back off the file with ftruncate when possible; the next good
// write logs "AOF write error looks solved". A failed background fsync sets the same status
// (aof_bio_fsync_status). Refusing writes meanwhile (MISCONF) is the dispatch gate's business:
// writeError() gives the text. Under always, a write or fsync error is fatal in Redis (it
// exits): the writer logs Redis's line and calls onFatal.

import { closeSync, constants as fsc, fdatasync, fstatSync, ftruncate, open, openSync, write, close as fsClose } from 'node:fs';
import type { Logger } from '../../observability/logger.js';
import { strerror } from './manifest.js';

/** Smallest buffer appendWith() writes into. */
const STAGE_BYTES = 256 * 1024;

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** The file calls the writer makes (node:fs through the thread pool; tests inject faults). */
export interface AofFileOps {
  /** Opens for appending (O_WRONLY|O_APPEND|O_CREAT, 0644); `truncate` empties the file. */
  open(path: string, truncate: boolean): Promise<number>;
  write(fd: number, buf: Buffer, off: number, len: number): Promise<number>;
  /** fdatasync (redis_fsync on Linux). */
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, len: number): Promise<void>;
  close(fd: number): Promise<void>;
}

const cb =
  <T>(resolve: (v: T) => void, reject: (e: unknown) => void) =>
  (err: NodeJS.ErrnoException | null, v: T): void =>
    err ? reject(err) : resolve(v);

export const nodeFileOps: AofFileOps = {
  open: (path, truncate) =>
    new Promise((res, rej) =>
      open(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | (truncate ? fsc.O_TRUNC : 0), 0o644, cb(res, rej)),
    ),
  write: (fd, buf, off, len) => new Promise((res, rej) => write(fd, buf, off, len, null, cb(res, rej))),
  fsync: (fd) => new Promise((res, rej) => fdatasync(fd, (e) => (e ? rej(e) : res()))),
  ftruncate: (fd, len) => new Promise((res, rej) => ftruncate(fd, len, (e) => (e ? rej(e) : res()))),
  close: (fd) => new Promise((res, rej) => fsClose(fd, (e) => (e ? rej(e) : res()))),
};

/** Opens `path` for appending synchronously (startup only); returns the fd and the file's size. */
export function openForAppendSync(path: string): { fd: number; size: number } {
  const fd = openSync(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o644);
  try {
    return { fd, size: fstatSync(fd).size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

export interface AofWriterOptions {
  readonly fsync: FsyncPolicy;
  readonly log: Logger;
  /** Wall clock in ms (unixtime for the once-a-second rules). */
  readonly now: () => number;
  /** no-appendfsync-on-rewrite while a rewrite runs: skip fsyncs. Default: never. */
  readonly skipFsync?: () => boolean;
  /** Called (once) on an error Redis exits for: a write or fsync failure under always. */
  readonly onFatal?: (reason: string) => void;
  /** File calls; default node:fs. */
  readonly ops?: AofFileOps;
  /** Run the writer's own cron (every 100 ms, unref'd). Default true; tests drive cron(). */
  readonly timer?: boolean;
}

/** The file the writer appends to: its descriptor and size, the AOF's total size. */
export interface AofTarget {
  readonly fd: number;
  /** Size of this INCR file now (aof_last_incr_size). */
  readonly incrSize: number;
  /** Size of all the AOF's files (aof_current_size). */
  readonly currentSize: number;
  /** Size of the BASE (aof_rewrite_base_size, INFO aof_base_size). */
  readonly baseSize: number;
}

/** A waiter for an offset. */
interface Waiter {
  readonly offset: number;
  readonly fn: () => void;
}

/** A switch to a new INCR file, taking effect once the bytes before `boundary` are written. */
interface PendingSwitch {
  readonly fd: number;
  readonly boundary: number;
}

/** Seconds between two logs of a write error (AOF_WRITE_LOG_ERROR_RATE). */
const WRITE_ERROR_LOG_RATE = 30;

export class AofWriter {
  #policy: FsyncPolicy;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #skipFsync: () => boolean;
  readonly #onFatal: (reason: string) => void;
  readonly #ops: AofFileOps;
  #fd: number;
  #pending: Buffer[] = [];
  /** Bytes accepted and not yet handed to a write: #pending's plus the stage's. */
  #pendingLen = 0;
  /** Bytes written in place by appendWith(), after #pending in file order (see #seal). */
  #stage: Buffer = Buffer.alloc(0);
  #stageLen = 0;
  /** Bytes of the batch being written (and fsynced, under always). */
  #inflight = 0;
  #writing = false;
  #fsyncing = false;
  #scheduled = false;
  #closed = false;
  #fatal = false;
  #written: number;
  #synced: number;
  #incrSize: number;
  #lastFsync: number;
  #postponedStart = 0;
  #lastErrorLog = 0;
  #delayedFsync = 0;
  #writeOk = true;
  #writeErr = '';
  #fsyncOk = true;
  #fsyncErr = '';
  #syncWaiters: Waiter[] = [];
  #writeWaiters: Waiter[] = [];
  #switch: PendingSwitch | null = null;
  /** The batch being written, the running everysec fsync, the queue of old files to close. */
  #batch: Promise<boolean> | null = null;
  #fsyncJob: Promise<void> = Promise.resolve();
  #closeJobs: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  /** Size of the BASE (INFO aof_base_size); the rewrite sets it. */
  baseSize: number;

  constructor(target: AofTarget, opts: AofWriterOptions) {
    this.#policy = opts.fsync;
    this.#log = opts.log;
    this.#now = opts.now;
    this.#skipFsync = opts.skipFsync ?? (() => false);
    this.#onFatal = opts.onFatal ?? (() => {});
    this.#ops = opts.ops ?? nodeFileOps;
    this.#fd = target.fd;
    this.#written = target.currentSize;
    this.#synced = target.currentSize;
    this.#incrSize = target.incrSize;
    this.baseSize = target.baseSize;
    this.#lastFsync = this.#unixtime();
    if (opts.timer !== false) {
      this.#timer = setInterval(() => this.cron(), 100);
      this.#timer.unref();
    }
  }

  // -------------------------------------------------------------------------------------------
  // State (INFO persistence, the MISCONF check, reply gating)

  get policy(): FsyncPolicy {
    return this.#policy;
  }
  /** Every byte accepted so far (the offset the next append starts at). */
  get appendedOffset(): number {
    return this.#written + this.#inflight + this.#pendingLen;
  }
  /** Bytes on the file (aof_current_size). */
  get writtenOffset(): number {
    return this.#written;
  }
  /** Bytes covered by a completed fsync. */
  get syncedOffset(): number {
    return this.#synced;
  }
  /** Bytes this writer put in the current INCR file (aof_last_incr_size). */
  get incrSize(): number {
    return this.#incrSize;
  }
  /** INFO aof_current_size. */
  get currentSize(): number {
    return this.#written;
  }
  /** INFO aof_buffer_length: accepted bytes not written yet. */
  get bufferLength(): number {
    return this.#pendingLen + this.#inflight;
  }
  /** INFO aof_pending_bio_fsync: 1 while a background fsync runs. */
  get pendingBioFsync(): number {
    return this.#fsyncing ? 1 : 0;
  }
  /** INFO aof_delayed_fsync. */
  get delayedFsync(): number {
    return this.#delayedFsync;
  }
  /** INFO aof_last_write_status: 'err' after a failed write or background fsync. */
  get lastWriteStatus(): 'ok' | 'err' {
    return this.#writeOk && this.#fsyncOk ? 'ok' : 'err';
  }
  /**
   * The error writes are refused for (the strerror text Redis's MISCONF reply carries:
   * "-MISCONF Errors writing to the AOF file: <text>"), or null while all is well.
   */
  writeError(): string | null {
    if (!this.#writeOk) return this.#writeErr;
    if (!this.#fsyncOk) return this.#fsyncErr;
    return null;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** CONFIG SET appendfsync. */
  setPolicy(p: FsyncPolicy): void {
    this.#policy = p;
    this.#kick();
  }

  /** Sets the AOF's total size after a rewrite replaced the BASE (aof_current_size). */
  resetSizes(currentSize: number, baseSize: number): void {
    const delta = currentSize - this.#written;
    this.#written += delta;
    this.#synced = Math.min(this.#synced + delta, this.#written);
    this.baseSize = baseSize;
  }

  // -------------------------------------------------------------------------------------------
  // Appending and waiting

  /**
   * Accepts bytes for the file (feedAppendOnlyFile's aof_buf). They are written on this
   * event-loop turn's flush. Returns the offset just past them (for onSynced / onWritten).
   * The buffer is kept, not copied: the caller must not reuse it.
   */
  append(buf: Buffer): number {
    if (this.#closed) throw new Error('AOF writer is closed');
    if (buf.length > 0) {
      this.#seal();
      this.#pending.push(buf);
      this.#pendingLen += buf.length;
      this.#kick();
    }
    return this.appendedOffset;
  }

  /**
   * Accepts `n` bytes that `write` puts at b[off] — straight into the writer's buffer, so the
   * effect stream's encoding is the only copy before the disk. Returns the offset past them.
   */
  appendWith(n: number, write: (b: Buffer, off: number) => void): number {
    if (this.#closed) throw new Error('AOF writer is closed');
    if (n === 0) return this.appendedOffset;
    if (this.#stageLen + n > this.#stage.length) {
      this.#seal();
      this.#stage = Buffer.allocUnsafe(Math.max(STAGE_BYTES, n));
    }
    write(this.#stage, this.#stageLen);
    this.#stageLen += n;
    this.#pendingLen += n;
    this.#kick();
    return this.appendedOffset;
  }

  /** Moves the staged bytes to the end of #pending (the stage's buffer goes with them). */
  #seal(): void {
    if (this.#stageLen === 0) return;
    this.#pending.push(this.#stage.subarray(0, this.#stageLen));
    this.#stage = this.#stage.subarray(this.#stageLen);
    this.#stageLen = 0;
  }

  /** Calls fn once the bytes up to `offset` are fsynced (at once if they are). */
  onSynced(offset: number, fn: () => void): void {
    if (offset <= this.#synced) return fn();
    insertWaiter(this.#syncWaiters, { offset, fn });
  }

  /** Calls fn once the bytes up to `offset` are written to the file (at once if they are). */
  onWritten(offset: number, fn: () => void): void {
    if (offset <= this.#written) return fn();
    insertWaiter(this.#writeWaiters, { offset, fn });
  }

  /** A promise form of onSynced. */
  synced(offset = this.appendedOffset): Promise<void> {
    return new Promise((r) => this.onSynced(offset, r));
  }

  /** Resolves once everything accepted so far is written (not necessarily fsynced). */
  drained(): Promise<void> {
    const target = this.appendedOffset;
    return new Promise((r) => this.onWritten(target, r));
  }

  /** The cron (serverCron's AOF part): postponed writes, retries, the once-a-second fsync. */
  cron(): void {
    this.#flush(false);
  }

  // -------------------------------------------------------------------------------------------
  // Switching files and closing

  /**
   * Starts a new INCR file (openNewIncrAofForAppend), for a rewrite: opens `path` (truncated),
   * then runs `commit` (the caller persists the manifest listing it; if it throws, the new file
   * is closed, nothing changes and the error propagates). Then, synchronously, the switch takes
   * place in the byte stream: everything appended before it goes to the old file, everything
   * after to the new one; `atSwitch` runs at that exact moment (the snapshot of the rewrite
   * starts there). The old file is fsynced and closed in the background once its bytes are
   * written.
   */
  async rotate(path: string, commit: () => Promise<void>, atSwitch?: () => void): Promise<void> {
    if (this.#closed) throw new Error('AOF writer is closed');
    if (this.#switch !== null) throw new Error('an INCR file switch is already pending');
    const fd = await this.#ops.open(path, true);
    try {
      await commit();
    } catch (err) {
      await this.#ops.close(fd).catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await this.#ops.close(fd).catch(() => undefined);
      throw new Error('AOF writer is closed');
    }
    this.#switch = { fd, boundary: this.appendedOffset };
    atSwitch?.();
    this.#kick();
  }

  /**
   * Stops the writer (stopAppendOnly, shutdown): writes what is buffered, fsyncs, closes the
   * file. A write error on the way is logged and the rest is dropped (as Redis's forced flush
   * does). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    // Let a batch in flight finish, then write the rest (forced: no postponing).
    for (let guard = 0; guard < 1000; guard++) {
      if (this.#batch !== null) {
        await this.#batch;
        continue;
      }
      if (this.#switch !== null && this.#written === this.#switch.boundary) {
        this.#doSwitch();
        continue;
      }
      if (this.#pendingLen === 0 || this.#fatal || !(await this.#startBatch(true))) break;
    }
    if (this.#switch !== null) {
      // Its bytes could not be written: the new file stays empty.
      await this.#ops.close(this.#switch.fd).catch(() => undefined);
      this.#switch = null;
    }
    await this.#fsyncJob;
    await this.#closeJobs;
    try {
      await this.#ops.fsync(this.#fd);
      this.#synced = this.#written;
      this.#lastFsync = this.#unixtime();
    } catch (err) {
      this.#log.warning(`Fail to fsync the AOF file: ${strerror(err)}`);
    }
    await this.#ops.close(this.#fd).catch(() => undefined);
    this.#pending = [];
    this.#pendingLen = 0;
    this.#stageLen = 0;
    // Waiters for bytes that will never be written are released too (the caller checks state).
    this.#wakeWritten();
    this.#wakeSynced();
    for (const w of this.#syncWaiters.splice(0)) w.fn();
    for (const w of this.#writeWaiters.splice(0)) w.fn();
  }

  // -------------------------------------------------------------------------------------------
  // The flush

  #unixtime(): number {
    return Math.floor(this.#now() / 1000);
  }

  #kick(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush(false);
    });
  }

  /** flushAppendOnlyFile(force) without waiting: starts a batch when one may start. */
  #flush(force: boolean): void {
    if (this.#writing || this.#closed || this.#fatal) return;
    if (this.#switch !== null && this.#written === this.#switch.boundary) this.#doSwitch();
    const now = this.#unixtime();
    if (this.#pendingLen === 0) {
      // Nothing to write, but under everysec the last writes may still need their fsync.
      if (this.#policy === 'everysec' && this.#synced !== this.#written && now > this.#lastFsync && !this.#fsyncing) {
        this.#maybeBackgroundFsync(now);
      }
      return;
    }
    if (this.#policy === 'everysec' && !force && this.#fsyncing) {
      if (this.#postponedStart === 0) {
        this.#postponedStart = now;
        return;
      }
      if (now - this.#postponedStart < 2) return;
      this.#delayedFsync++;
      this.#log.notice(
        'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.',
      );
    }
    void this.#startBatch(force);
  }

  /** Starts #writeBatch, remembering it so close() can wait for it. */
  #startBatch(force: boolean): Promise<boolean> {
    const p = this.#writeBatch(force).finally(() => {
      if (this.#batch === p) this.#batch = null;
    });
    this.#batch = p;
    return p;
  }

  /**
   * Writes the pending bytes (up to a pending switch's boundary) as one batch, then fsyncs per
   * the policy. Resolves true if the batch was written in full.
   */
  async #writeBatch(force: boolean): Promise<boolean> {
    if (this.#pendingLen === 0) return true;
    this.#writing = true;
    this.#postponedStart = 0;
    this.#seal();
    let all = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending, this.#pendingLen);
    let rest: Buffer | null = null;
    const limit = this.#switch === null ? all.length : this.#switch.boundary - this.#written;
    if (limit < all.length) {
      rest = all.subarray(limit);
      all = all.subarray(0, limit);
    }
    this.#pending = rest === null ? [] : [rest];
    this.#pendingLen = rest === null ? 0 : rest.length;
    this.#inflight = all.length;
    const fd = this.#fd;
    let nwritten = 0;
    let error: unknown = null;
    while (nwritten < all.length) {
      try {
        const n = await this.#ops.write(fd, all, nwritten, all.length - nwritten);
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        nwritten += n;
      } catch (err) {
        error = err;
        break;
      }
    }
    let ok = true;
    if (nwritten !== all.length) {
      ok = false;
      nwritten = await this.#writeFailed(fd, all, nwritten, error);
    } else if (!this.#writeOk) {
      this.#log.warning('AOF write error looks solved, Redis can write again.');
      this.#writeOk = true;
    }
    this.#inflight = 0;
    this.#written += nwritten;
    this.#incrSize += nwritten;
    if (!ok) {
      // Keep the unwritten bytes, ahead of anything appended since.
      const left = all.subarray(nwritten);
      this.#pending.unshift(left);
      this.#pendingLen += left.length;
      if (this.#policy === 'always') this.#fail("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
    }
    if (ok && !this.#fatal) await this.#afterWrite();
    this.#writing = false;
    // Woken once the batch is over (its fsync included under always), so a waiter that
    // resumes finds the writer idle.
    this.#wakeWritten();
    if (!this.#closed && (this.#pendingLen > 0 || this.#switch !== null) && ok) setImmediate(() => this.#flush(force));
    return ok;
  }

  /**
   * A failed or short write: logs (rate-limited), records the error, and for a short write
   * cuts the partial bytes off with ftruncate. Returns the bytes that stay written.
   */
  async #writeFailed(fd: number, buf: Buffer, nwritten: number, error: unknown): Promise<number> {
    const now = this.#unixtime();
    const canLog = now - this.#lastErrorLog > WRITE_ERROR_LOG_RATE;
    if (canLog) this.#lastErrorLog = now;
    if (nwritten === 0) {
      if (canLog) this.#log.warning(`Error writing to the AOF file: ${strerror(error)}`);
      this.#writeErr = strerror(error);
    } else {
      if (canLog) this.#log.warning(`Short write while writing to the AOF file: (nwritten=${nwritten}, expected=${buf.length})`);
      try {
        await this.#ops.ftruncate(fd, this.#incrSize);
        nwritten = 0;
      } catch (err) {
        if (canLog) {
          this.#log.warning(
            `Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${strerror(err)}`,
          );
        }
      }
      this.#writeErr = strerror({ code: 'ENOSPC' });
    }
    this.#writeOk = false;
    return nwritten;
  }

  /** The fsync part of flushAppendOnlyFile, after a successful write. */
  async #afterWrite(): Promise<void> {
    if (this.#skipFsync()) return;
    const now = this.#unixtime();
    if (this.#policy === 'always') {
      const target = this.#written;
      try {
        await this.#ops.fsync(this.#fd);
      } catch (err) {
        this.#fail(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(err)}. Exiting...`);
        return;
      }
      this.#synced = Math.max(this.#synced, target);
      this.#lastFsync = now;
      this.#wakeSynced();
    } else if (this.#policy === 'everysec' && now > this.#lastFsync) {
      this.#maybeBackgroundFsync(now);
    }
  }

  /** Starts the background fsync of everysec (aof_background_fsync) unless one runs. */
  #maybeBackgroundFsync(now: number): void {
    if (!this.#fsyncing) this.#backgroundFsync(this.#fd, this.#written);
    this.#lastFsync = now;
  }

  /**
   * fsync of fd off the loop (the bio thread's job); `target` is the offset it covers; with
   * `close`, fd is closed afterwards (aof_background_fsync_and_close). A failure sets
   * aof_bio_fsync_status (logged once per streak); success clears it.
   */
  #backgroundFsync(fd: number, target: number): void {
    this.#fsyncing = true;
    this.#fsyncJob = this.#ops
      .fsync(fd)
      .then(
        () => {
          this.#fsyncOk = true;
          this.#synced = Math.max(this.#synced, target);
        },
        (err: NodeJS.ErrnoException) => this.#bioFsyncFailed(err),
      )
      .then(() => {
        this.#fsyncing = false;
        this.#wakeSynced();
        if (!this.#closed) this.#flush(false);
      });
  }

  /** A background fsync failed (bio.c): aof_bio_fsync_status err, logged once per streak. */
  #bioFsyncFailed(err: NodeJS.ErrnoException): void {
    if (err.code === 'EBADF' || err.code === 'EINVAL') return;
    if (this.#fsyncOk) this.#log.warning(`Fail to fsync the AOF file: ${strerror(err)}`);
    this.#fsyncOk = false;
    this.#fsyncErr = strerror(err);
  }

  /** The new INCR file takes over: the old one is fsynced and closed in the background. */
  #doSwitch(): void {
    const sw = this.#switch as PendingSwitch;
    this.#switch = null;
    const old = this.#fd;
    this.#fd = sw.fd;
    this.#incrSize = 0;
    // The old file is fsynced (unless always did it batch by batch) and closed in the
    // background, on its own queue: it does not count as a pending everysec fsync.
    const target = this.#written;
    const always = this.#policy === 'always';
    this.#closeJobs = this.#closeJobs.then(async () => {
      if (!always) {
        try {
          await this.#ops.fsync(old);
          this.#synced = Math.max(this.#synced, target);
        } catch (err) {
          this.#bioFsyncFailed(err as NodeJS.ErrnoException);
        }
      }
      await this.#ops.close(old).catch(() => undefined);
      this.#wakeSynced();
    });
    this.#lastFsync = this.#unixtime();
  }

  #fail(line: string): void {
    if (this.#fatal) return;
    this.#fatal = true;
    this.#writeOk = false;
    if (this.#writeErr === '') this.#writeErr = line;
    this.#log.warning(line);
    this.#onFatal(line);
  }

  #wakeWritten(): void {
    const ws = this.#writeWaiters;
    let n = 0;
    while (n < ws.length && ws[n].offset <= this.#written) n++;
    for (const w of ws.splice(0, n)) w.fn();
  }

  #wakeSynced(): void {
    const ws = this.#syncWaiters;
    let n = 0;
    while (n < ws.length && ws[n].offset <= this.#synced) n++;
    for (const w of ws.splice(0, n)) w.fn();
  }

}

/** Inserts w keeping the list sorted by offset (appends in the usual, in-order case). */
function insertWaiter(list: Waiter[], w: Waiter): void {
  let i = list.length;
  while (i > 0 && list[i - 1].offset > w.offset) i--;
  list.splice(i, 0, w);
}
