// RESP reply encoder for one connection: RESP2 and RESP3 from the same calls.
//
// Replies are encoded straight into one growable output buffer; the connection flushes it
// with a single socket write at the end of each event-loop turn in which it ran commands, so a
// pipeline of N commands costs one write. Nothing is allocated per reply: integers and lengths
// are written digit by digit, and common replies are copied from static buffers. Buffers come
// from a small free list; a buffer is returned to it only when the socket took the whole write
// synchronously (then the kernel has the bytes and Node no longer references the buffer),
// otherwise the stream keeps it.
//
// Type mapping for RESP2 (what Redis does): null -> $-1 (or *-1 for null arrays), map -> flat
// array of 2n, set -> array, double -> bulk string, boolean -> integer, verbatim -> bulk,
// push -> array.

import type { Socket } from 'node:net';
import { formatDouble } from '../lib/numbers.js';
import { copyBytes } from '../lib/bytes.js';

const INITIAL = 16 * 1024;
const POOL_MAX = 256;
const pool: Buffer[] = [];
/**
 * Reply buffers larger than INITIAL (large values) come back here once the socket has written
 * them, up to BIG_POOL_BYTES in all: a fresh multi-megabyte buffer per reply cost more in page
 * faults than copying the value into it.
 */
const bigPool: Buffer[] = [];
const BIG_POOL_BYTES = 64 * 1024 * 1024;
let bigPoolBytes = 0;

/** A buffer of at least n bytes (n > INITIAL): a pooled one that fits, else a new one. */
function takeBig(n: number): Buffer {
  for (let i = 0; i < bigPool.length; i++) {
    const b = bigPool[i];
    if (b.length >= n) {
      bigPool[i] = bigPool[bigPool.length - 1];
      bigPool.pop();
      bigPoolBytes -= b.length;
      return b;
    }
  }
  let size = INITIAL * 2;
  while (size < n) size *= 2;
  return Buffer.allocUnsafeSlow(size);
}

/** Returns a written big buffer to the pool (the smallest go first when it is full). */
function releaseBig(b: Buffer): void {
  if (b.length > BIG_POOL_BYTES) return;
  while (bigPoolBytes + b.length > BIG_POOL_BYTES && bigPool.length > 0) {
    let k = 0;
    for (let i = 1; i < bigPool.length; i++) if (bigPool[i].length < bigPool[k].length) k = i;
    bigPoolBytes -= bigPool[k].length;
    bigPool[k] = bigPool[bigPool.length - 1];
    bigPool.pop();
  }
  bigPool.push(b);
  bigPoolBytes += b.length;
}

const CRLF = 0x0a0d; // "\r\n" little-endian for writeUInt16LE
const S_OK = Buffer.from('+OK\r\n');
const S_PONG = Buffer.from('+PONG\r\n');
const S_NULL2 = Buffer.from('$-1\r\n');
const S_NULLARR2 = Buffer.from('*-1\r\n');
const S_NULL3 = Buffer.from('_\r\n');
const S_ZERO = Buffer.from(':0\r\n');
const S_ONE = Buffer.from(':1\r\n');
const S_EMPTYARR = Buffer.from('*0\r\n');

/** Longest latin1 string bulkLatin1 copies with a JS loop rather than Buffer.write. */
const SHORT_LATIN1 = 32;

export class ReplyWriter {
  #buf: Buffer | null = null;
  #len = 0;
  /** Protocol version: 2 or 3 (HELLO switches it). */
  resp: 2 | 3 = 2;
  /** Called for every error reply (error statistics, failed_calls). */
  onError: ((text: string) => void) | null = null;

  /** Bytes encoded and not yet flushed. */
  get length(): number {
    return this.#len;
  }

  /** Drops everything after `mark` (used for CLIENT REPLY OFF/SKIP). */
  truncate(mark: number): void {
    if (mark < this.#len) this.#len = mark;
  }

  #ensure(n: number): Buffer {
    let buf = this.#buf;
    if (buf === null) {
      buf = n <= INITIAL ? pool.pop() ?? Buffer.allocUnsafeSlow(INITIAL) : takeBig(n);
      this.#buf = buf;
    } else if (this.#len + n > buf.length) {
      const grown = takeBig(Math.max(buf.length * 2, this.#len + n));
      buf.copy(grown, 0, 0, this.#len);
      if (buf.length === INITIAL) {
        if (pool.length < POOL_MAX) pool.push(buf);
      } else {
        releaseBig(buf); // not written yet: nothing refers to it but this writer
      }
      buf = grown;
      this.#buf = buf;
    }
    return buf;
  }

  /**
   * Writes the pending bytes to the socket in one write. Returns the number of bytes written.
   * The caller checks socket.writableLength for backpressure (output buffer limits).
   */
  flush(socket: Socket): number {
    const n = this.#len;
    if (n === 0) return 0;
    const buf = this.#buf as Buffer;
    this.#len = 0;
    this.#buf = null;
    if (buf.length > INITIAL) {
      // Large: back to the big pool when the socket is done with it.
      socket.write(buf.subarray(0, n), () => releaseBig(buf));
      return n;
    }
    socket.write(buf.subarray(0, n));
    // The write completed synchronously iff nothing is queued: only then is buf free again.
    if (socket.writableLength === 0 && pool.length < POOL_MAX) pool.push(buf);
    return n;
  }

  /** Takes the pending bytes as a standalone Buffer (for non-socket consumers and tests). */
  take(): Buffer {
    const out = Buffer.from((this.#buf ?? Buffer.alloc(0)).subarray(0, this.#len));
    this.#len = 0;
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Primitives

  raw(data: Buffer): void {
    const n = data.length;
    const buf = this.#ensure(n);
    const o = this.#len;
    // Constant replies (+OK, :1, $-1) are a few bytes: copyBytes loops over them, where
    // Buffer.copy's argument checks cost three times as much.
    copyBytes(buf, o, data);
    this.#len = o + n;
  }

  #ascii(s: string): void {
    const buf = this.#ensure(s.length);
    this.#len += buf.write(s, this.#len, 'latin1');
  }

  /** Writes `<prefix><n>\r\n` for a non-negative or negative safe integer, without allocating. */
  #header(prefix: number, n: number): void {
    const buf = this.#ensure(24);
    let p = this.#len;
    buf[p++] = prefix;
    if (n < 0) {
      buf[p++] = 45;
      n = -n;
    }
    if (n < 10) {
      buf[p++] = 48 + n;
    } else {
      let digits = 1;
      for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
      let q = p + digits - 1;
      for (let t = n; q >= p; t = Math.floor(t / 10)) buf[q--] = 48 + (t % 10);
      p += digits;
    }
    buf.writeUInt16LE(CRLF, p);
    this.#len = p + 2;
  }

  // ---------------------------------------------------------------------------------------
  // Replies

  ok(): void {
    this.raw(S_OK);
  }

  pong(): void {
    this.raw(S_PONG);
  }

  /** `+text` — text must not contain CR or LF. */
  simple(text: string): void {
    const buf = this.#ensure(Buffer.byteLength(text) + 3);
    buf[this.#len++] = 43;
    this.#len += buf.write(text, this.#len);
    buf.writeUInt16LE(CRLF, this.#len);
    this.#len += 2;
  }

  /** `-text` — text is the full error, prefix included ("ERR ...", "WRONGTYPE ..."). */
  error(text: string): void {
    this.#error(text, 'utf8');
  }

  /** Like error(), with text held as latin1 (one char per byte) so echoed bytes go out unchanged. */
  errorLatin1(text: string): void {
    this.#error(text, 'latin1');
  }

  #error(text: string, encoding: 'utf8' | 'latin1'): void {
    if (this.onError !== null) this.onError(text);
    const buf = this.#ensure(Buffer.byteLength(text, encoding) + 3);
    buf[this.#len++] = 45;
    this.#len += buf.write(text, this.#len, encoding);
    buf.writeUInt16LE(CRLF, this.#len);
    this.#len += 2;
  }

  integer(n: number | bigint): void {
    if (typeof n === 'bigint') {
      this.#ascii(`:${n}\r\n`);
    } else if (n === 0) {
      this.raw(S_ZERO);
    } else if (n === 1) {
      this.raw(S_ONE);
    } else {
      this.#header(58, n);
    }
  }

  /** Bulk string from bytes. */
  bulk(data: Buffer): void {
    const n = data.length;
    this.#header(36, n);
    const buf = this.#ensure(n + 2);
    const o = this.#len;
    copyBytes(buf, o, data);
    buf.writeUInt16LE(CRLF, o + n);
    this.#len = o + n + 2;
  }

  /** Bulk string from src[start, end) (copied: no view of src is kept). */
  bulkSlice(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#header(36, n);
    const buf = this.#ensure(n + 2);
    const at = this.#len;
    if (n <= 64) {
      // A byte loop beats allocating the view that set()/copy() need for short values.
      for (let i = 0; i < n; i++) buf[at + i] = src[start + i];
    } else {
      buf.set(src.subarray(start, end), at);
    }
    buf.writeUInt16LE(CRLF, at + n);
    this.#len = at + n + 2;
  }

  /** Bulk string from a JS string, UTF-8 encoded. */
  bulkString(s: string): void {
    const n = Buffer.byteLength(s);
    this.#header(36, n);
    const buf = this.#ensure(n + 2);
    this.#len += buf.write(s, this.#len);
    buf.writeUInt16LE(CRLF, this.#len);
    this.#len += 2;
  }

  /**
   * Bulk string from a latin1 (byte-per-char) string, as aggregate elements are held. Short
   * strings are copied char by char: Buffer.write is a native call per element, which costs
   * more than the copy for the small elements of LRANGE, SMEMBERS or HGETALL replies.
   */
  bulkLatin1(s: string): void {
    const n = s.length;
    this.#header(36, n);
    const buf = this.#ensure(n + 2);
    const at = this.#len;
    if (n <= SHORT_LATIN1) {
      for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    } else {
      buf.write(s, at, 'latin1');
    }
    buf.writeUInt16LE(CRLF, at + n);
    this.#len = at + n + 2;
  }

  /** Null bulk string (RESP2 `$-1`, RESP3 `_`). */
  nil(): void {
    this.raw(this.resp === 3 ? S_NULL3 : S_NULL2);
  }

  /** Null array (RESP2 `*-1`, RESP3 `_`). */
  nilArray(): void {
    this.raw(this.resp === 3 ? S_NULL3 : S_NULLARR2);
  }

  array(n: number): void {
    if (n === 0) this.raw(S_EMPTYARR);
    else this.#header(42, n);
  }

  /** A map of n key/value pairs (RESP2: an array of 2n). */
  map(n: number): void {
    if (this.resp === 3) this.#header(37, n);
    else this.array(n * 2);
  }

  /** A set of n elements (RESP2: an array). */
  set(n: number): void {
    if (this.resp === 3) this.#header(126, n);
    else this.array(n);
  }

  /** A push message of n elements (RESP2: an array). */
  push(n: number): void {
    if (this.resp === 3) this.#header(62, n);
    else this.array(n);
  }

  /** A double (RESP3 `,`; RESP2 bulk string), formatted as Redis 7.0 does (%.17g). */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.#ascii(`,${s}\r\n`);
    else this.bulkString(s);
  }

  /** A big number given as its decimal digits (RESP3 `(`; RESP2 bulk string). */
  bigNumber(digits: string): void {
    if (this.resp === 3) this.#ascii(`(${digits}\r\n`);
    else this.bulkString(digits);
  }

  /**
   * An attribute map of n pairs preceding the next reply (RESP3 `|`). RESP2 has no
   * attributes: the caller must not write the pairs then (check resp first).
   */
  attribute(n: number): void {
    if (this.resp === 3) this.#header(124, n);
  }

  /** A boolean (RESP3 `#t`/`#f`; RESP2 `:1`/`:0`). */
  bool(b: boolean): void {
    if (this.resp === 3) this.#ascii(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? S_ONE : S_ZERO);
  }

  /** Verbatim text (RESP3 `=` with a 3-letter format; RESP2 bulk string). */
  verbatim(text: string, format = 'txt'): void {
    if (this.resp === 3) {
      const n = Buffer.byteLength(text) + 4;
      this.#header(61, n);
      const buf = this.#ensure(n + 2);
      this.#len += buf.write(`${format}:${text}`, this.#len);
      buf.writeUInt16LE(CRLF, this.#len);
      this.#len += 2;
    } else {
      this.bulkString(text);
    }
  }

  /** An array of bulk strings from JS strings. */
  stringArray(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulkString(s);
  }
}
