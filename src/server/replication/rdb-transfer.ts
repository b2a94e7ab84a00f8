// How a full sync's payload travels to replicas: into their sockets as the snapshot writes it
// (diskless, EOF-marked), or from the RDB file a BGSAVE wrote ($<size> then the file).

import type { Socket } from 'node:net';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { SnapshotSink } from '../persistence/snapshot.js';
import type { ReplicaLink } from './master.js';

/** Size of an EOF mark (RDB_EOF_MARK_SIZE). */
const EOF_MARK_SIZE = 40;

/**
 * The replicas' sockets as one SnapshotSink: each gets `$EOF:<mark>\r\n`, the RDB, and the
 * mark. pending is the largest backlog of any socket, so the snapshot walks at the pace of the
 * slowest replica. A replica that drops is left out; with none left the snapshot is abandoned.
 */
export class ReplicaSocketsSink implements SnapshotSink {
  onDrain: (() => void) | null = null;
  readonly #links: Set<ReplicaLink>;
  readonly #mark: Buffer;
  readonly #noneLeft: () => void;
  #error: Error | null = null;
  /** Set by end(): settles its promise once every socket has drained (or failed). */
  #settle: (() => void) | null = null;
  /** On each socket's 'drain' and 'close' (a replica that leaves may be the one not drained). */
  readonly #check = (): void => {
    if (this.pending !== 0) return;
    if (this.#settle !== null) this.#settle();
    else if (this.onDrain !== null) this.onDrain();
  };

  constructor(links: Set<ReplicaLink>, noneLeft: () => void) {
    this.#links = links;
    this.#noneLeft = noneLeft;
    this.#mark = Buffer.from(randomBytes(EOF_MARK_SIZE / 2).toString('hex'), 'latin1');
    const head = Buffer.concat([Buffer.from('$EOF:', 'latin1'), this.#mark, Buffer.from('\r\n', 'latin1')]);
    for (const link of links) {
      link.client.socket.write(head);
      link.client.socket.on('drain', this.#check).on('close', this.#check);
    }
  }

  write(chunk: Buffer): void {
    let alive = 0;
    for (const link of this.#links) {
      if (link.client.closed) continue;
      link.client.socket.write(chunk);
      alive++;
    }
    if (alive === 0 && this.#error === null) {
      this.#error = new Error('no replica left');
      this.#noneLeft();
    }
  }

  get pending(): number {
    let max = 0;
    for (const link of this.#links) {
      if (!link.client.closed) max = Math.max(max, link.client.socket.writableLength);
    }
    return max;
  }

  get error(): Error | null {
    return this.#error;
  }

  /** Writes the mark; resolves once every replica's socket has taken everything. */
  end(): Promise<void> {
    for (const link of this.#links) if (!link.client.closed) link.client.socket.write(this.#mark);
    return new Promise((resolve, reject) => {
      this.#settle = () => {
        this.#settle = null;
        this.#detach();
        if (this.#error !== null) reject(this.#error);
        else resolve();
      };
      this.#check();
    });
  }

  discard(): Promise<void> {
    this.#detach();
    return Promise.resolve();
  }

  #detach(): void {
    for (const link of this.#links) link.client.socket.off('drain', this.#check).off('close', this.#check);
  }
}

/**
 * Streams the open file `fd` into `socket` at the socket's pace (it pauses while the socket's
 * buffer is full); `gone()` stops it early. The stream closes fd.
 */
export function streamFile(socket: Socket, fd: number, gone: () => boolean, failed: (err: Error) => void, done: () => void): void {
  const stream = createReadStream('', { fd, highWaterMark: 256 * 1024 });
  stream.on('data', (chunk) => {
    if (gone()) {
      stream.destroy();
      return;
    }
    if (!socket.write(chunk)) {
      stream.pause();
      socket.once('drain', () => stream.resume());
    }
  });
  stream.on('error', failed);
  stream.on('end', done);
}
