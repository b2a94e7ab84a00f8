// Deterministic keyspaces for the storage-engine benchmark, and the fast loader and verifier that
// write and read them back over one raw RESP connection.
//
// Key i is `prefix + i` zero-padded to a fixed width; its value is exactly `size` bytes of the
// 10-byte pattern `v` + i (9 digits, mod 1e9) repeated, e.g. size 25, i 42:
// `v000000042v000000042v0000`. Every value is thus checkable from its index alone, and all
// commands of one kind have the same length, so a batch is one template stamped with digits.
//
// Both loops run on one socket with many commands in flight (a window, counted in keys) and
// big writes (a chunk of up to 10k commands per write), which is what it takes for a Node client
// to keep a single-threaded server busy: tens of millions of keys in well under a minute.

import net from 'node:net';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------
// Keys and values

export interface KeyFormat {
  prefix: string;
  /** Digits after the prefix (zero-padded). */
  width: number;
}

/** The benchmark's own keys: `k000000042`, 10 bytes, room for 1e9 keys. */
export const ENGINE_KEYS: KeyFormat = { prefix: 'k', width: 9 };
/** redis-benchmark's `-r` keys (`key:__rand_int__`, 12 digits), so its SETs overwrite what we loaded. */
export const BENCHMARK_KEYS: KeyFormat = { prefix: 'key:', width: 12 };

const PATTERN_LEN = 10;
const PATTERN_DIGITS = 9;
const CH_V = 0x76; // 'v'
const CH_0 = 0x30;
const CR = 0x0d;
const LF = 0x0a;

export function keyLength(fmt: KeyFormat): number {
  return Buffer.byteLength(fmt.prefix) + fmt.width;
}

export function keyName(fmt: KeyFormat, i: number): string {
  return fmt.prefix + String(i).padStart(fmt.width, '0');
}

/** Writes `n` as exactly `width` decimal digits (zero-padded; high digits dropped) at `off`. */
function writeDigits(buf: Buffer, off: number, width: number, n: number): void {
  for (let p = off + width - 1; p >= off; p--) {
    buf[p] = CH_0 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** Writes the `size`-byte value of key `i` at `off`. */
function writeValue(buf: Buffer, off: number, i: number, size: number, scratch: Buffer): void {
  if (size < PATTERN_LEN) {
    scratch[0] = CH_V;
    writeDigits(scratch, 1, PATTERN_DIGITS, i % 1e9);
    scratch.copy(buf, off, 0, size);
    return;
  }
  buf[off] = CH_V;
  writeDigits(buf, off + 1, PATTERN_DIGITS, i % 1e9);
  // Double the filled prefix until the value is full: log2(size/10) native copies.
  for (let len = PATTERN_LEN; len < size; ) {
    const n = Math.min(len, size - len);
    buf.copyWithin(off + len, off, off + n);
    len += n;
  }
}

/** The value of key `i` (for tests and error messages; the loops stamp values in place). */
export function valueFor(i: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  writeValue(buf, 0, i, size, Buffer.alloc(PATTERN_LEN));
  return buf;
}

/**
 * Whether `buf[off, off+size)` is the value of key `i`. Checks the first 10 bytes, then that the
 * rest repeats them with period 10 (one native compare of the value against itself shifted).
 */
function valueMatches(buf: Buffer, off: number, i: number, size: number, scratch: Buffer): boolean {
  scratch[0] = CH_V;
  writeDigits(scratch, 1, PATTERN_DIGITS, i % 1e9);
  const head = Math.min(size, PATTERN_LEN);
  for (let k = 0; k < head; k++) if (buf[off + k] !== scratch[k]) return false;
  if (size <= PATTERN_LEN) return true;
  return buf.compare(buf, off, off + size - PATTERN_LEN, off + PATTERN_LEN, off + size) === 0;
}

// ---------------------------------------------------------------------------------------------
// Pipeline driver

/** Why a load or read-back stopped early; `done` keys had been answered. */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly done: number,
  ) {
    super(message);
  }
}

export interface PipelineOptions {
  port: number;
  /** Keys per write (rounded for MGET batches). */
  chunk: number;
  /** Most keys sent but not yet answered. */
  window: number;
  /** Fail when no reply byte arrives for this long. */
  stallMs: number;
  /** Fail when the whole run takes longer. */
  deadlineMs: number;
  /** Polled about once a second; a non-null reason aborts the run (server died, memory low...). */
  check?: () => string | null;
  /** Progress callback, about once every 5 s. */
  progress?: (done: number, total: number) => void;
}

export interface PipelineJob {
  total: number;
  /** Builds the request bytes for keys [start, start+n). */
  build(start: number, n: number): Buffer;
  /** Consumes reply bytes; returns how many more keys are now fully answered. */
  consume(data: Buffer): number;
}

/**
 * Sends `job` over one connection with at most `window` keys in flight and resolves with the
 * elapsed milliseconds once every key is answered. Rejects with a PipelineError on a closed or
 * failed connection, a stall, the deadline, or a reason from `check`; the socket is always closed.
 */
export function runPipeline(job: PipelineJob, opts: PipelineOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let sent = 0;
    let done = 0;
    let blocked = false;
    let finished = false;
    let lastProgress = t0;
    let lastReport = t0;
    const sock = net.createConnection({ host: '127.0.0.1', port: opts.port });
    sock.setNoDelay(true);
    const finish = (err: Error | null): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      sock.destroy();
      if (err !== null) reject(err);
      else resolve(performance.now() - t0);
    };
    const fail = (msg: string): void => finish(new PipelineError(`${msg} (${done} of ${job.total} keys answered)`, done));
    const pump = (): void => {
      while (!finished && !blocked && sent < job.total && sent - done < opts.window) {
        const n = Math.min(opts.chunk, job.total - sent);
        const buf = job.build(sent, n);
        sent += n;
        if (!sock.write(buf)) {
          blocked = true;
          sock.once('drain', () => {
            blocked = false;
            pump();
          });
        }
      }
    };
    sock.on('connect', pump);
    sock.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        done += job.consume(chunk);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
        return;
      }
      lastProgress = performance.now();
      if (done > sent) fail('more replies than commands (protocol desync)');
      else if (done >= job.total) finish(null);
      else pump();
    });
    sock.on('error', (e) => fail(`connection error: ${e.message}`));
    sock.on('close', () => fail('connection closed by the server'));
    const timer = setInterval(() => {
      const now = performance.now();
      if (now - lastProgress > opts.stallMs) return fail(`no reply for ${Math.round(opts.stallMs / 1000)} s`);
      if (now - t0 > opts.deadlineMs) return fail(`deadline of ${Math.round(opts.deadlineMs / 1000)} s passed`);
      const reason = opts.check?.() ?? null;
      if (reason !== null) return fail(reason);
      if (opts.progress !== undefined && now - lastReport >= 5000) {
        lastReport = now;
        opts.progress(done, job.total);
      }
    }, 1000);
  });
}

// ---------------------------------------------------------------------------------------------
// Loader: SET key value, replies counted by line

export interface LoadSpec {
  keys: KeyFormat;
  count: number;
  valueSize: number;
}

export interface LoadResult {
  ms: number;
  /** Replies that were not simple strings (+OK): error replies. */
  errorReplies: number;
  firstError: string | null;
}

/** Bytes of one SET command of `spec` (for sizing chunks and windows). */
export function setCommandBytes(spec: Pick<LoadSpec, 'keys' | 'valueSize'>): number {
  return setTemplate(spec).buf.length;
}

function setTemplate(spec: Pick<LoadSpec, 'keys' | 'valueSize'>): { buf: Buffer; keyDigits: number; value: number } {
  const klen = keyLength(spec.keys);
  const head = `*3\r\n$3\r\nSET\r\n$${klen}\r\n${spec.keys.prefix}`;
  const mid = `\r\n$${spec.valueSize}\r\n`;
  const buf = Buffer.alloc(Buffer.byteLength(head) + spec.keys.width + Buffer.byteLength(mid) + spec.valueSize + 2);
  let off = buf.write(head);
  const keyDigits = off;
  off += spec.keys.width;
  off += buf.write(mid, off);
  const value = off;
  buf[off + spec.valueSize] = CR;
  buf[off + spec.valueSize + 1] = LF;
  return { buf, keyDigits, value };
}

/**
 * SETs keys 0..count-1 with their values. Resolves when every reply has arrived, with the count
 * of error replies (and the first one's text); rejects with a PipelineError if the run stops.
 */
export async function loadKeys(spec: LoadSpec, opts: PipelineOptions): Promise<LoadResult> {
  const tpl = setTemplate(spec);
  const L = tpl.buf.length;
  const scratch = Buffer.alloc(PATTERN_LEN);
  let errorReplies = 0;
  let firstError: string | null = null;
  let atLineStart = true;
  let inError = false;
  let errorText = '';
  const job: PipelineJob = {
    total: spec.count,
    build(start, n) {
      const buf = Buffer.allocUnsafe(n * L);
      buf.fill(tpl.buf);
      for (let j = 0, base = 0; j < n; j++, base += L) {
        writeDigits(buf, base + tpl.keyDigits, spec.keys.width, start + j);
        writeValue(buf, base + tpl.value, start + j, spec.valueSize, scratch);
      }
      return buf;
    },
    consume(d) {
      let count = 0;
      let pos = 0;
      const len = d.length;
      while (pos < len) {
        // Fast path: whole "+OK\r\n" replies.
        if (atLineStart) {
          while (pos + 5 <= len && d[pos] === 0x2b && d[pos + 1] === 0x4f && d[pos + 2] === 0x4b && d[pos + 3] === CR && d[pos + 4] === LF) {
            count++;
            pos += 5;
          }
          if (pos >= len) break;
          if (d[pos] !== 0x2b) {
            inError = true;
            errorText = '';
          }
          atLineStart = false;
        }
        const nl = d.indexOf(LF, pos);
        const end = nl < 0 ? len : nl + 1;
        if (inError && errorText.length < 200) errorText += d.toString('latin1', pos, end);
        pos = end;
        if (nl < 0) break;
        count++;
        atLineStart = true;
        if (inError) {
          errorReplies++;
          firstError ??= errorText.trim();
          inError = false;
        }
      }
      return count;
    },
  };
  const ms = await runPipeline(job, opts);
  return { ms, errorReplies, firstError };
}

// ---------------------------------------------------------------------------------------------
// Verifier: MGET in batches, every value checked byte for byte

export interface VerifySpec extends LoadSpec {
  /** Keys per MGET. */
  batch: number;
}

export interface Mismatch {
  key: string;
  problem: string;
}

export interface VerifyResult {
  ms: number;
  /** Keys whose value came back byte-for-byte right. */
  matched: number;
  /** Keys that came back nil. */
  missing: number;
  /** Keys with a value of the wrong length or content. */
  wrong: number;
  /** Keys covered by an MGET that returned an error reply. */
  errored: number;
  /** The first few mismatches, for the report. */
  examples: Mismatch[];
}

const MAX_EXAMPLES = 5;

function mgetTemplate(keys: KeyFormat, n: number): { buf: Buffer; digits: number[] } {
  const klen = keyLength(keys);
  const parts = [`*${n + 1}\r\n$4\r\nMGET\r\n`];
  const digits: number[] = [];
  let off = Buffer.byteLength(parts[0] ?? '');
  const keyHead = `$${klen}\r\n${keys.prefix}`;
  for (let j = 0; j < n; j++) {
    digits.push(off + Buffer.byteLength(keyHead));
    parts.push(`${keyHead}${'0'.repeat(keys.width)}\r\n`);
    off += Buffer.byteLength(keyHead) + keys.width + 2;
  }
  return { buf: Buffer.from(parts.join('')), digits };
}

/** Parses a decimal integer (optionally negative) from buf[start, end). */
function parseIntAscii(buf: Buffer, start: number, end: number): number {
  let neg = false;
  let p = start;
  if (buf[p] === 0x2d) {
    neg = true;
    p++;
  }
  if (p >= end) return NaN;
  let v = 0;
  for (; p < end; p++) {
    const c = (buf[p] ?? 0) - CH_0;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/**
 * Reads keys 0..count-1 back with MGETs of `batch` keys and checks every value. Resolves with the
 * tallies (mismatches do not stop the run); rejects with a PipelineError if the run stops, or on a
 * reply that is not an MGET reply at all (protocol desync).
 */
export async function verifyKeys(spec: VerifySpec, opts: PipelineOptions): Promise<VerifyResult> {
  const B = spec.batch;
  const full = mgetTemplate(spec.keys, B);
  const chunk = Math.max(B, Math.floor(opts.chunk / B) * B);
  const scratch = Buffer.alloc(PATTERN_LEN);
  const res: VerifyResult = { ms: 0, matched: 0, missing: 0, wrong: 0, errored: 0, examples: [] };
  const note = (i: number, problem: string): void => {
    if (res.examples.length < MAX_EXAMPLES) res.examples.push({ key: keyName(spec.keys, i), problem });
  };
  let next = 0; // index of the next key whose reply is expected
  let inArray = 0; // elements still expected in the current MGET reply
  let pending: Buffer | null = null;
  const job: PipelineJob = {
    total: spec.count,
    build(start, n) {
      const parts: Buffer[] = [];
      for (let s = start; s < start + n; s += B) {
        const m = Math.min(B, start + n - s);
        const tpl = m === B ? full : mgetTemplate(spec.keys, m);
        const buf = Buffer.from(tpl.buf);
        for (let j = 0; j < m; j++) writeDigits(buf, tpl.digits[j] ?? 0, spec.keys.width, s + j);
        parts.push(buf);
      }
      return parts.length === 1 ? (parts[0] ?? Buffer.alloc(0)) : Buffer.concat(parts);
    },
    consume(chunkIn) {
      const d: Buffer = pending === null ? chunkIn : Buffer.concat([pending, chunkIn]);
      pending = null;
      const len = d.length;
      const before = next;
      let pos = 0;
      while (pos < len) {
        if (inArray === 0) {
          const nl = d.indexOf(LF, pos);
          if (nl < 0) break;
          const expected = Math.min(B, spec.count - next);
          if (d[pos] === 0x2a) {
            const n = parseIntAscii(d, pos + 1, nl - 1);
            if (n !== expected) throw new Error(`MGET of ${expected} keys at ${keyName(spec.keys, next)} returned ${n} elements`);
            inArray = n;
          } else if (d[pos] === 0x2d) {
            const text = d.toString('latin1', pos, Math.min(nl, pos + 200)).trim();
            res.errored += expected;
            note(next, `MGET error reply: ${text}`);
            next += expected;
          } else {
            throw new Error(`unexpected reply ${JSON.stringify(d.toString('latin1', pos, Math.min(nl, pos + 60)))} to MGET`);
          }
          pos = nl + 1;
          continue;
        }
        if (d[pos] !== 0x24) throw new Error(`unexpected MGET element ${JSON.stringify(d.toString('latin1', pos, Math.min(len, pos + 60)))}`);
        const nl = d.indexOf(LF, pos);
        if (nl < 0) break;
        const vlen = parseIntAscii(d, pos + 1, nl - 1);
        if (vlen === -1) {
          res.missing++;
          note(next, 'missing (nil)');
          pos = nl + 1;
        } else {
          if (!(vlen >= 0)) throw new Error(`bad bulk length in MGET reply: ${d.toString('latin1', pos, nl)}`);
          const start = nl + 1;
          if (start + vlen + 2 > len) break;
          if (vlen !== spec.valueSize) {
            res.wrong++;
            note(next, `length ${vlen}, expected ${spec.valueSize}`);
          } else if (!valueMatches(d, start, next, vlen, scratch)) {
            res.wrong++;
            note(next, `wrong bytes: ${JSON.stringify(d.toString('latin1', start, start + Math.min(vlen, 40)))}`);
          } else {
            res.matched++;
          }
          pos = start + vlen + 2;
        }
        next++;
        inArray--;
      }
      if (pos < len) pending = Buffer.from(d.subarray(pos));
      return next - before;
    },
  };
  res.ms = await runPipeline(job, { ...opts, chunk });
  return res;
}
