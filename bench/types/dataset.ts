// The aggregate shapes of the types benchmark (small hashes, lists, sets, sorted sets: one key
// per command) and the fast loader that writes N keys of one shape over one raw RESP
// connection, checking every reply.
//
// Key i is `k` + i in 9 digits (bench/engine/dataset.ts's ENGINE_KEYS). Every element is a
// fixed-width string stamped with digits derived from i, so all commands of one shape have the
// same length and a batch is one template copied n times with the digits written in place:
// the loader costs far less CPU than the server it feeds, which matters on a 2-core machine
// where both share the CPU. Elements differ from key to key, so neither server can share them.
//
// The pipeline keeps many commands in flight (a window, counted in keys) and writes big chunks,
// as bench/engine/dataset.ts does for SET; every step has a deadline.

import { performance } from 'node:perf_hooks';
import { ENGINE_KEYS, keyName, runPipeline, type PipelineOptions } from '../engine/dataset.js';


// ---------------------------------------------------------------------------------------------
// Shapes

/** One argument of a shape's command: literal text, or a prefix and `width` digits of of(i). */
export type Arg = string | { prefix: string; width: number; of: (i: number) => number };

export interface Shape {
  /** Short name for the command line and the tables, e.g. `hash-2`. */
  name: string;
  /** What a key holds, for the report. */
  title: string;
  /** The command that creates one key, e.g. HSET. */
  command: string;
  /** The arguments after the key, for every key (digit slots make them per-key). */
  args: readonly Arg[];
  /** The integer every command must answer (fields / elements added: the key was new). */
  reply: number;
  /** OBJECT ENCODING Redis 7.0 reports for such a key with the default configuration. */
  redisEncoding: string;
}

/** `letter` + j + 8 digits of i: a 10-byte element unique to key i and position j. */
function elem(letter: string, j: number): Arg {
  return { prefix: `${letter}${j}`, width: 8, of: (i) => i % 1e8 };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, j) => j);
}

/**
 * The shapes measured, in report order. Hash values, list elements, string set members and
 * sorted-set members are 10 bytes; intset members are 5-digit integers (10000..14999, canonical,
 * 16-bit in Redis's intset); sorted-set scores are the integers 1..5.
 */
export const SHAPES: readonly Shape[] = [
  {
    name: 'hash-2',
    title: 'hash, 2 fields (2 B names, 10 B values)',
    command: 'HSET',
    args: range(2).flatMap((j) => [`f${j}`, elem('v', j)]),
    reply: 2,
    redisEncoding: 'listpack',
  },
  {
    name: 'hash-10',
    title: 'hash, 10 fields (2 B names, 10 B values)',
    command: 'HSET',
    args: range(10).flatMap((j) => [`f${j}`, elem('v', j)]),
    reply: 10,
    redisEncoding: 'listpack',
  },
  {
    name: 'list-5',
    title: 'list, 5 elements of 10 B',
    command: 'RPUSH',
    args: range(5).map((j) => elem('e', j)),
    reply: 5,
    redisEncoding: 'quicklist',
  },
  {
    name: 'set-int-5',
    title: 'set, 5 small integers (5 digits)',
    command: 'SADD',
    args: range(5).map((j): Arg => ({ prefix: '', width: 5, of: (i) => 10_000 + (i % 1000) * 5 + j })),
    reply: 5,
    redisEncoding: 'intset',
  },
  {
    name: 'set-str-5',
    title: 'set, 5 strings of 10 B',
    command: 'SADD',
    args: range(5).map((j) => elem('s', j)),
    reply: 5,
    redisEncoding: 'hashtable',
  },
  {
    name: 'zset-5',
    title: 'sorted set, 5 members of 10 B, integer scores',
    command: 'ZADD',
    args: range(5).flatMap((j) => [String(j + 1), elem('m', j)]),
    reply: 5,
    redisEncoding: 'listpack',
  },
];

export function shapeByName(name: string): Shape | undefined {
  return SHAPES.find((s) => s.name === name);
}

/** The arguments of key i's command, as text (for the report's example and for tests). */
export function argsFor(shape: Shape, i: number): string[] {
  const out = [keyName(ENGINE_KEYS, i)];
  for (const a of shape.args) out.push(typeof a === 'string' ? a : a.prefix + String(a.of(i) % 10 ** a.width).padStart(a.width, '0'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Command template

interface Slot {
  off: number;
  width: number;
  of: (i: number) => number;
}

interface Template {
  buf: Buffer;
  slots: Slot[];
}

const CH_0 = 0x30;
const LF = 0x0a;

/** Writes `n` as exactly `width` decimal digits (zero-padded; high digits dropped) at `off`. */
function writeDigits(buf: Buffer, off: number, width: number, n: number): void {
  for (let p = off + width - 1; p >= off; p--) {
    buf[p] = CH_0 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** The RESP bytes of one command of `shape`, digits left as zeros, with where each slot goes. */
function template(shape: Shape): Template {
  const args: Arg[] = [shape.command, { prefix: ENGINE_KEYS.prefix, width: ENGINE_KEYS.width, of: (i) => i }, ...shape.args];
  const parts: string[] = [`*${args.length}\r\n`];
  const slots: Slot[] = [];
  let off = Buffer.byteLength(parts[0] ?? '');
  for (const a of args) {
    const text = typeof a === 'string' ? a : a.prefix + '0'.repeat(a.width);
    const head = `$${Buffer.byteLength(text)}\r\n`;
    if (typeof a !== 'string') slots.push({ off: off + head.length + Buffer.byteLength(a.prefix), width: a.width, of: a.of });
    parts.push(head, text, '\r\n');
    off += head.length + Buffer.byteLength(text) + 2;
  }
  return { buf: Buffer.from(parts.join(''), 'latin1'), slots };
}

/** Bytes of one command of `shape` (to size chunks and windows). */
export function commandBytes(shape: Shape): number {
  return template(shape).buf.length;
}

/** The commands for keys [start, start + n) of `shape`, in one buffer. */
export function buildCommands(shape: Shape, start: number, n: number, tpl: Template = template(shape)): Buffer {
  const L = tpl.buf.length;
  const buf = Buffer.allocUnsafe(n * L);
  buf.fill(tpl.buf);
  for (let j = 0, base = 0; j < n; j++, base += L) {
    const i = start + j;
    for (const s of tpl.slots) writeDigits(buf, base + s.off, s.width, s.of(i));
  }
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Loading (through bench/engine/dataset.ts's pipeline driver)

export interface LoadOutcome {
  /** Start and end (performance.now()) of the load: the window GC events are counted in. */
  t0: number;
  t1: number;
  ms: number;
  /** Replies other than the expected integer (errors, or keys that already existed). */
  unexpected: number;
  firstUnexpected: string | null;
}

/**
 * Creates keys 0..count-1 of `shape` over one connection, with at most `window` commands in
 * flight. Resolves once every reply has arrived (counting replies that differ from `:reply`);
 * rejects with a PipelineError on a closed or failed connection, a stall, the deadline, or a
 * reason from `check`. The socket is always closed.
 */
export async function loadShape(shape: Shape, count: number, opts: PipelineOptions): Promise<LoadOutcome> {
  const tpl = template(shape);
  const expected = Buffer.from(`:${shape.reply}\r\n`);
  let unexpected = 0;
  let firstUnexpected: string | null = null;
  let carry: Buffer | null = null;
  /** Counts the complete reply lines in `chunk` (a line cut by the chunk boundary waits in carry). */
  const consume = (chunk: Buffer): number => {
    const d: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    carry = null;
    let pos = 0;
    let lines = 0;
    for (;;) {
      const nl = d.indexOf(LF, pos);
      if (nl < 0) break;
      const len = nl + 1 - pos;
      if (len !== expected.length || d.compare(expected, 0, len, pos, nl + 1) !== 0) {
        unexpected++;
        firstUnexpected ??= d.toString('latin1', pos, Math.min(nl, pos + 200)).trim();
      }
      lines++;
      pos = nl + 1;
    }
    if (pos < d.length) carry = Buffer.from(d.subarray(pos));
    return lines;
  };
  const t0 = performance.now();
  await runPipeline({ total: count, build: (start, n) => buildCommands(shape, start, n, tpl), consume }, opts);
  const t1 = performance.now();
  return { t0, t1, ms: t1 - t0, unexpected, firstUnexpected };
}
