// The wire side of the hit-rate simulator: one RESP2 connection that replays a trace against a
// server the way a look-aside cache client does (GET k; on a miss, SET k <value>), pipelined, and
// counts hits from the GET replies; plus the few plain commands the harness needs (CONFIG SET,
// FLUSHALL, INFO, DBSIZE) on the same connection, so that the client buffers measured while
// calibrating are the ones present while replaying.
//
// Pipelining: requests go in batches of B GETs. The SETs for the misses of batch i are written in
// front of the GETs of batch i+1, in the same write, so the server sees them in trace order and a
// batch costs one round trip. Within a batch, a key requested again after it missed would have
// been SET in between by a sequential client, so such repeats count as hits (their GETs are still
// sent, so the server records the accesses), and the key is SET once. A batch is thus replayed as
// a sequential client would, except that up to B-1 GETs of a batch run before the SETs that
// precede them in the trace — immaterial for eviction order at B << cache size.

import net from 'node:net';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------
// Keys and commands

/** Key id i is `h` + i in 9 digits (10 bytes). */
export const KEY_PREFIX = 'h';
export const KEY_DIGITS = 9;
export const MAX_KEY_ID = 999_999_999;

export function keyName(id: number): string {
  return KEY_PREFIX + String(id).padStart(KEY_DIGITS, '0');
}

const CH_0 = 0x30;

/** Writes id as exactly KEY_DIGITS digits at `off`. */
function writeDigits(buf: Buffer, off: number, id: number): void {
  for (let p = off + KEY_DIGITS - 1; p >= off; p--) {
    buf[p] = CH_0 + (id % 10);
    id = Math.floor(id / 10);
  }
}

function encode(args: readonly string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

/** A command for one key: a fixed template with the key's digits at `digitsAt`. */
interface Template {
  bytes: Buffer;
  digitsAt: number;
}

function template(args: readonly string[]): Template {
  const placeholder = keyName(0);
  const bytes = encode(args.map((a) => (a === '{key}' ? placeholder : a)));
  const digitsAt = bytes.indexOf(placeholder, 0, 'latin1') + KEY_PREFIX.length;
  return { bytes, digitsAt };
}

export interface CommandShape {
  /** Bytes of each value SET on a miss. */
  valueSize: number;
  /** SET with EX this many seconds (the volatile-* rows), or null for no TTL. */
  ttlSeconds: number | null;
}

function setTemplate(shape: CommandShape): Template {
  const value = 'v'.repeat(shape.valueSize);
  const args = ['SET', '{key}', value];
  if (shape.ttlSeconds !== null) args.push('EX', String(shape.ttlSeconds));
  return template(args);
}

// ---------------------------------------------------------------------------------------------
// Connection

const KIND_SIMPLE = 1;
const KIND_ERROR = 2;
const KIND_NIL = 3;
const KIND_BULK = 4;
const KIND_INT = 5;

/** Replies of one round trip: a kind per reply, and texts when asked for (or for errors). */
interface Replies {
  kinds: Uint8Array;
  /** Text of each reply when `keepText`; error texts always (others undefined). */
  texts: Array<string | undefined>;
}

interface Pending {
  expected: number;
  got: number;
  keepText: boolean;
  replies: Replies;
  resolve: (r: Replies) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One RESP2 connection with at most one round trip in flight: write a buffer holding `expected`
 * commands, resolve with their replies. Understands the reply types GET, SET, CONFIG, INFO and
 * DBSIZE produce (simple, error, integer, bulk, null bulk); anything else fails the round trip.
 * A round trip with no reply byte for `stallMs` fails too.
 */
export class RespConnection {
  #sock: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: Pending | null = null;
  #closed: Error | null = null;
  readonly stallMs: number;

  private constructor(sock: net.Socket, stallMs: number) {
    this.#sock = sock;
    this.stallMs = stallMs;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.#onData(chunk));
    sock.on('error', (e) => this.#fail(e));
    sock.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects to 127.0.0.1:port. */
  static open(port: number, stallMs: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host: '127.0.0.1', port });
      const onError = (e: Error): void => reject(e);
      sock.once('error', onError);
      sock.once('connect', () => {
        sock.off('error', onError);
        resolve(new RespConnection(sock, stallMs));
      });
    });
  }

  close(): void {
    this.#closed ??= new Error('connection closed');
    this.#sock.destroy();
  }

  /** Writes `bytes` (holding `expected` commands) and resolves with the replies. */
  roundTrip(bytes: Buffer, expected: number, keepText = false): Promise<Replies> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    if (this.#pending !== null) return Promise.reject(new Error('a round trip is already in flight'));
    return new Promise((resolve, reject) => {
      const replies: Replies = { kinds: new Uint8Array(expected), texts: [] };
      const timer = setTimeout(() => this.#fail(new Error(`no reply for ${this.stallMs} ms`)), this.stallMs);
      this.#pending = { expected, got: 0, keepText, replies, resolve, reject, timer };
      this.#sock.write(bytes);
      if (expected === 0) this.#settle();
    });
  }

  /** One command; resolves with its reply as text (bulk payload, or the line with its type byte). */
  async command(args: readonly string[]): Promise<string> {
    const r = await this.roundTrip(encode(args), 1, true);
    const kind = r.kinds[0];
    const text = r.texts[0] ?? '';
    if (kind === KIND_ERROR) return '-' + text;
    if (kind === KIND_SIMPLE) return '+' + text;
    if (kind === KIND_INT) return ':' + text;
    return text;
  }

  /** One command that must not fail: its reply, or an error naming the command and the reply. */
  async ok(args: readonly string[]): Promise<string> {
    const reply = await this.command(args);
    if (reply.startsWith('-')) throw new Error(`${args.join(' ').slice(0, 80)} replied ${reply}`);
    return reply;
  }

  #fail(e: Error): void {
    this.#closed ??= e;
    const p = this.#pending;
    if (p === null) return;
    this.#pending = null;
    clearTimeout(p.timer);
    p.reject(e);
  }

  #settle(): void {
    const p = this.#pending;
    if (p === null) return;
    this.#pending = null;
    clearTimeout(p.timer);
    p.resolve(p.replies);
  }

  #onData(chunk: Buffer): void {
    const p = this.#pending;
    if (p === null) return; // nothing asked: unsolicited bytes are dropped
    p.timer.refresh();
    const buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    let off = 0;
    while (p.got < p.expected) {
      const nl = buf.indexOf(0x0a, off);
      if (nl < 0) break;
      const type = buf[off];
      const lineEnd = nl - 1; // the \r
      let kind: number;
      let text: string | undefined;
      let next = nl + 1;
      if (type === 0x24) {
        // $len
        const len = Number(buf.toString('latin1', off + 1, lineEnd));
        if (len < 0) {
          kind = KIND_NIL;
        } else {
          if (buf.length < nl + 1 + len + 2) break;
          kind = KIND_BULK;
          if (p.keepText) text = buf.toString('utf8', nl + 1, nl + 1 + len);
          next = nl + 1 + len + 2;
        }
      } else if (type === 0x2b || type === 0x2d || type === 0x3a) {
        kind = type === 0x2b ? KIND_SIMPLE : type === 0x2d ? KIND_ERROR : KIND_INT;
        if (p.keepText || kind === KIND_ERROR) text = buf.toString('utf8', off + 1, lineEnd);
      } else {
        this.#buf = Buffer.alloc(0);
        this.#fail(new Error(`unexpected reply type ${JSON.stringify(String.fromCharCode(type ?? 0))}`));
        return;
      }
      p.replies.kinds[p.got] = kind;
      if (text !== undefined) p.replies.texts[p.got] = text;
      p.got++;
      off = next;
    }
    this.#buf = off >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
    if (p.got === p.expected) this.#settle();
  }
}

// ---------------------------------------------------------------------------------------------
// Loading (calibration)

/**
 * SETs the keys with ids from..to-1 (values and TTL as `shape`), pipelined in chunks of `chunk`.
 * Throws on the first error reply.
 */
export async function setRange(conn: RespConnection, from: number, to: number, shape: CommandShape, chunk = 1000): Promise<void> {
  const tpl = setTemplate(shape);
  const out = Buffer.alloc(tpl.bytes.length * chunk);
  for (let start = from; start < to; start += chunk) {
    const n = Math.min(chunk, to - start);
    for (let j = 0; j < n; j++) {
      const at = j * tpl.bytes.length;
      tpl.bytes.copy(out, at);
      writeDigits(out, at + tpl.digitsAt, start + j);
    }
    const r = await conn.roundTrip(out.subarray(0, n * tpl.bytes.length), n);
    const bad = r.kinds.indexOf(KIND_ERROR);
    if (bad >= 0) throw new Error(`SET replied -${r.texts[bad] ?? ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Replay

export interface ReplayOptions extends CommandShape {
  ids: Uint32Array;
  /** Largest id + 1. */
  idSpace: number;
  /** Requests before this position are replayed but not counted. */
  warmup: number;
  /** GETs per round trip. */
  batch: number;
  /** Fail when the whole replay takes longer. */
  deadlineMs: number;
  /** Called about every 5 s with the requests done so far. */
  progress?: (done: number) => void;
  /** Pace the replay to at most this many requests per second (null: as fast as the server answers). */
  rate?: number | null;
  /** Called between round trips every `every` requests before position `until` (see replay()). */
  checkpoints?: Checkpoints;
}

export interface Checkpoints {
  every: number;
  until: number;
  /**
   * May use the connection (no round trip is in flight, and every SET the trace asked for so far
   * has been answered). `pos` requests have been replayed; `sofar` counts them.
   */
  run: (pos: number, sofar: ReplayResult) => Promise<void>;
}

export interface ReplayResult {
  /** Requests counted (after the warm-up). */
  counted: number;
  hits: number;
  /** SETs sent (misses, a key missed twice in one batch counting once). */
  sets: number;
  /** SETs answered with an error (e.g. -OOM when the server cannot evict). */
  setErrors: number;
  /** Those of them sent after the warm-up. */
  setErrorsCounted: number;
  firstSetError: string | null;
  /** GETs answered with an error. */
  getErrors: number;
  ms: number;
}

/**
 * Replays `ids` on `conn` as a look-aside cache client: GET each key; SET it after a miss. See
 * the file header for how batches keep the trace's order. Resolves with the hit count of the
 * counted requests; rejects on a stalled or closed connection or past the deadline. With
 * `checkpoints`, the replay pauses between round trips to let the caller inspect or reconfigure
 * the server (e.g. tune maxmemory during the warm-up). With `rate`, it waits between round trips
 * whenever it is ahead of that many requests per second (Redis's LRU clock ticks once a second,
 * so how many requests fall into one tick changes what allkeys-lru can tell apart).
 */
export async function replay(conn: RespConnection, o: ReplayOptions): Promise<ReplayResult> {
  const get = template(['GET', '{key}']);
  const set = setTemplate(o);
  const batch = Math.max(1, o.batch);
  const out = Buffer.alloc(batch * (get.bytes.length + set.bytes.length));
  // Per id: the number (1-based) of the last batch that missed it, to spot repeats in a batch.
  const missedIn = new Int32Array(o.idSpace);
  const missed = new Int32Array(batch);
  let nMissed = 0;
  const res: ReplayResult = { counted: 0, hits: 0, sets: 0, setErrors: 0, setErrorsCounted: 0, firstSetError: null, getErrors: 0, ms: 0 };
  const t0 = performance.now();
  let lastProgress = t0;
  const total = o.ids.length;
  const ck = o.checkpoints;
  let nextCheckpoint = ck !== undefined ? Math.max(1, ck.every) : Infinity;
  let pos = 0;
  for (let b = 1; pos < total || nMissed > 0; b++) {
    let n = Math.min(batch, total - pos);
    if (ck !== undefined && pos >= nextCheckpoint && pos < ck.until) {
      if (nMissed > 0) {
        n = 0; // send the pending SETs alone first, so the checkpoint sees the cache as the trace left it
      } else {
        await ck.run(pos, res);
        while (nextCheckpoint <= pos) nextCheckpoint += Math.max(1, ck.every);
      }
    }
    let at = 0;
    for (let j = 0; j < nMissed; j++) {
      set.bytes.copy(out, at);
      writeDigits(out, at + set.digitsAt, missed[j] ?? 0);
      at += set.bytes.length;
    }
    for (let j = 0; j < n; j++) {
      get.bytes.copy(out, at);
      writeDigits(out, at + get.digitsAt, o.ids[pos + j] ?? 0);
      at += get.bytes.length;
    }
    const sets = nMissed;
    const r = await conn.roundTrip(out.subarray(0, at), sets + n);
    res.sets += sets;
    for (let j = 0; j < sets; j++) {
      if (r.kinds[j] === KIND_ERROR) {
        res.setErrors++;
        if (pos >= o.warmup) res.setErrorsCounted++;
        res.firstSetError ??= r.texts[j] ?? '';
      }
    }
    nMissed = 0;
    for (let j = 0; j < n; j++) {
      const id = o.ids[pos + j] ?? 0;
      const kind = r.kinds[sets + j];
      let hit: boolean;
      if (kind === KIND_BULK) hit = true;
      else if (missedIn[id] === b) hit = true; // missed earlier in this batch: SET before this request
      else {
        hit = false;
        if (kind === KIND_ERROR) res.getErrors++;
        missedIn[id] = b;
        missed[nMissed++] = id;
      }
      if (pos + j >= o.warmup) {
        res.counted++;
        if (hit) res.hits++;
      }
    }
    pos += n;
    let now = performance.now();
    if (o.rate != null && o.rate > 0) {
      const due = t0 + (pos * 1000) / o.rate;
      if (due > now) {
        await new Promise((resolve) => setTimeout(resolve, due - now));
        now = performance.now();
      }
    }
    if (now - t0 > o.deadlineMs) throw new Error(`replay exceeded its deadline of ${Math.round(o.deadlineMs / 1000)} s`);
    if (o.progress !== undefined && now - lastProgress > 5000) {
      lastProgress = now;
      o.progress(pos);
    }
  }
  res.ms = performance.now() - t0;
  return res;
}
