// A snapshot's file on disk, written without the event loop waiting on it: bytes queue in
// memory and go out through the runtime's thread pool (fs.writev), one batch at a time; the
// file is created under a temporary name, synced and renamed over its target only when
// complete, as rdbSave does (temp file, fsync, rename, then a sync of the directory so the
// rename itself survives a crash). With incremental sync on (rdb-save-incremental-fsync, the
// default) the data is also synced every INCREMENTAL_SYNC bytes, as Redis's rio autosync does,
// so the final sync does not flush a whole dataset at once.

import { close, fdatasync, fsync, open, rename, unlink, writev } from 'node:fs';
import { dirname } from 'node:path';
import type { SnapshotSink } from './snapshot.js';

/** Redis's REDIS_AUTOSYNC_BYTES. */
const INCREMENTAL_SYNC = 4 * 1024 * 1024;
/** Buffers per writev call (IOV_MAX is 1024 on Linux). */
const MAX_IOV = 512;

function call<T>(f: (cb: (err: NodeJS.ErrnoException | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));
}

export class FileSink implements SnapshotSink {
  readonly path: string;
  readonly tmp: string;
  onDrain: (() => void) | null = null;
  #fd: number;
  #queue: Buffer[] = [];
  #pending = 0;
  #busy = false;
  #error: Error | null = null;
  #sinceSync = 0;
  readonly #incremental: boolean;
  /** Waiters for an empty queue (end()). */
  #idle: Array<() => void> = [];
  #closed = false;

  /**
   * Opens tmp for writing (synchronously: creating a file is quick, and an error here is the
   * caller's to report before anything starts). `path` is where end() puts the finished file.
   */
  constructor(fd: number, tmp: string, path: string, incrementalSync: boolean) {
    this.#fd = fd;
    this.tmp = tmp;
    this.path = path;
    this.#incremental = incrementalSync;
  }

  get pending(): number {
    return this.#pending;
  }

  get error(): Error | null {
    return this.#error;
  }

  write(chunk: Buffer): void {
    if (this.#error !== null || this.#closed) return;
    this.#queue.push(chunk);
    this.#pending += chunk.length;
    if (!this.#busy) this.#pump();
  }

  #pump(): void {
    if (this.#queue.length === 0 || this.#error !== null) {
      this.#busy = false;
      const idle = this.#idle;
      this.#idle = [];
      for (const f of idle) f();
      if (this.onDrain !== null && this.#error === null) this.onDrain();
      return;
    }
    this.#busy = true;
    const batch = this.#queue.length <= MAX_IOV ? this.#queue : this.#queue.slice(0, MAX_IOV);
    this.#queue = this.#queue.length <= MAX_IOV ? [] : this.#queue.slice(MAX_IOV);
    let size = 0;
    for (const b of batch) size += b.length;
    writev(this.#fd, batch, (err, written) => {
      if (err) return this.#failed(err);
      if (written < size) {
        // A short write: what is left goes first in the next batch.
        let skip = written;
        const rest: Buffer[] = [];
        for (const b of batch) {
          if (skip >= b.length) {
            skip -= b.length;
            continue;
          }
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
        this.#queue = rest.concat(this.#queue);
      }
      this.#pending -= written;
      this.#sinceSync += written;
      if (this.#incremental && this.#sinceSync >= INCREMENTAL_SYNC) {
        this.#sinceSync = 0;
        fdatasync(this.#fd, (e) => (e ? this.#failed(e) : this.#pump()));
        return;
      }
      this.#pump();
    });
  }

  #failed(err: Error): void {
    this.#error = err;
    this.#queue = [];
    this.#pending = 0;
    this.#busy = false;
    const idle = this.#idle;
    this.#idle = [];
    for (const f of idle) f();
  }

  #drained(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async end(): Promise<void> {
    await this.#drained();
    if (this.#error !== null) {
      await this.discard();
      throw this.#error;
    }
    const fd = this.#fd;
    try {
      await call<void>((cb) => fsync(fd, cb));
      this.#closed = true;
      await call<void>((cb) => close(fd, cb));
      await call<void>((cb) => rename(this.tmp, this.path, cb));
      await syncDir(dirname(this.path));
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  async discard(): Promise<void> {
    this.#error ??= new Error('discarded');
    await this.#drained();
    if (!this.#closed) {
      this.#closed = true;
      await call<void>((cb) => close(this.#fd, cb)).catch(() => undefined);
    }
    await call<void>((cb) => unlink(this.tmp, cb)).catch(() => undefined);
  }
}

/** Syncs a directory, so a rename in it is durable (fsyncFileDir). */
async function syncDir(dir: string): Promise<void> {
  const fd = await call<number>((cb) => open(dir, 'r', cb));
  try {
    await call<void>((cb) => fsync(fd, cb));
  } finally {
    await call<void>((cb) => close(fd, cb)).catch(() => undefined);
  }
}
