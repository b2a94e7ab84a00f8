// The replication backlog: the last repl-backlog-size bytes of the node's replication stream,
// kept so a replica that lost its link can resume from its offset (PSYNC ... CONTINUE) instead
// of a full resync. A ring buffer: `histlen` bytes ending at the stream offset `end`
// (master_repl_offset); its first byte has offset end - histlen + 1, as Redis numbers it.

import { copyBytes } from '../../lib/bytes.js';

export class Backlog {
  #buf: Buffer;
  /** Where the next byte goes in #buf. */
  #idx = 0;
  /** Bytes held (at most the size). */
  #histlen = 0;
  /** Stream offset of the last byte held (master_repl_offset when it was appended). */
  #end: number;

  /** An empty backlog of `size` bytes whose next byte will have offset end + 1. */
  constructor(size: number, end: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(16 * 1024, size));
    this.#end = end;
  }

  get size(): number {
    return this.#buf.length;
  }

  get histlen(): number {
    return this.#histlen;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
  get firstOffset(): number {
    return this.#end - this.#histlen + 1;
  }

  /** The offset of the last byte held. */
  get end(): number {
    return this.#end;
  }

  /** Appends b[start, end) to the history. */
  append(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    this.#end += n;
    const buf = this.#buf;
    const size = buf.length;
    if (n >= size) {
      copyBytes(buf, 0, b, end - size, end);
      this.#idx = 0;
      this.#histlen = size;
      return;
    }
    const first = Math.min(n, size - this.#idx);
    copyBytes(buf, this.#idx, b, start, start + first);
    if (first < n) copyBytes(buf, 0, b, start + first, end);
    this.#idx = (this.#idx + n) % size;
    this.#histlen = Math.min(size, this.#histlen + n);
  }

  /** True if the bytes from offset `from` (inclusive) to the end are all held. */
  holds(from: number): boolean {
    return from >= this.firstOffset && from <= this.#end + 1;
  }

  /**
   * Copies of the bytes from offset `from` to the end (one or two buffers; none when `from` is
   * the next offset). The caller checked holds(from).
   */
  readFrom(from: number): Buffer[] {
    const n = this.#end - from + 1;
    if (n <= 0) return [];
    const buf = this.#buf;
    const size = buf.length;
    let start = (this.#idx - n + size) % size;
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const take = Math.min(left, size - start);
      out.push(Buffer.from(buf.subarray(start, start + take)));
      left -= take;
      start = 0;
    }
    return out;
  }

  /**
   * repl-backlog-size changed at runtime: a new ring of `size` bytes keeping the most recent
   * history that fits (resizeReplicationBacklog).
   */
  resize(size: number): void {
    size = Math.max(16 * 1024, size);
    if (size === this.#buf.length) return;
    const keep = Math.min(this.#histlen, size);
    const kept = Buffer.concat(this.readFrom(this.#end - keep + 1));
    this.#buf = Buffer.allocUnsafe(size);
    kept.copy(this.#buf, 0);
    this.#idx = keep % size;
    this.#histlen = keep;
  }

  /** Bytes of memory held (mem_replication_backlog). */
  get memory(): number {
    return this.#buf.length;
  }
}
