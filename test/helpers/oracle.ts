// Differential ("oracle") testing: run the same script against Shoal and a real redis-server and
// assert the raw reply bytes are identical.
//
//   withOracle('strings', (o) => {
//     it('SET/GET', () => o.compare([
//       ['SET', 'k', 'v'],
//       ['GET', 'k'],
//       { cmd: ['TTL', 'k'], approx: true },
//     ]));
//   });
//
// Script steps:
//   ['CMD', 'arg', Buffer]          sent as a RESP multibulk; one reply read from each side
//   'RAW BYTES\r\n'                 sent verbatim (inline commands, malformed protocol, pipelines)
//   { cmd, ...modifiers }           see StepOptions
//   { pause: ms }                   wait (e.g. for a key to expire)
//   { scan: [...args], conn? }      full SCAN iteration on both sides; compares the sorted union of keys
//   { poll: [...], until: /re/ }    repeat a command on each side until its raw reply matches (a
//                                   condition that takes time, e.g. active expiry), with a deadline
//
// Replies are read in lockstep from both sides (reply count per step: `replies`, default 1). At the
// end, every connection still open gets an ECHO marker that must come back next, so replies a script
// did not read (or a server sent in excess) fail the test.
//
// Set ORACLE_SELF_TEST=1 to make withOracle start two real redis-servers instead of Shoal: it
// validates the harness and the scripts themselves (everything must pass in that mode).
// Set ORACLE_TRACE=1 to print every step with Redis's reply (to review what a script exercises).

import { AssertionError } from 'node:assert';
import { after, before, describe } from 'node:test';
import {
  RawClient,
  encodeCommand,
  escapeBytes,
  formatReply,
  parseReply,
  splitAggregate,
  type Arg,
  type RespValue,
} from './raw-client.js';
import { requireRedis, startRedis, type RedisInstance } from './redis.js';

export type Command = readonly Arg[] | string;

export interface StepOptions {
  /** The command (array -> multibulk) or raw bytes to send verbatim. */
  cmd: Command;
  /** Compare the top-level elements of an aggregate reply as a multiset (order-insensitive). */
  sort?: boolean;
  /** Integers anywhere in the reply may differ by ±1 (or by the given tolerance), e.g. TTL. */
  approx?: boolean | number;
  /** Send and read the reply, but don't compare it. */
  ignore?: boolean;
  /** Both raw replies (as latin1 text, CRLFs included) must match this regex instead of being equal. */
  match?: RegExp;
  /** Applied to both raw replies (latin1 text) before comparing them byte for byte. */
  normalize?: (raw: string) => string;
  /** Replies to read for this step (default 1; 0 for input that must produce no reply). */
  replies?: number;
  /** After the replies, both servers must close the connection. */
  closes?: boolean;
  /** Which connection to use (default 0); further connections are opened on first use. */
  conn?: number;
  /** Send the bytes in chunks of this size, pausing between writes (forces split reads). */
  split?: number;
  /** Reply read timeout for this step. */
  timeoutMs?: number;
  /** Shown in failure messages. */
  note?: string;
  /** This leaves the connection mid-command (or with replies off): skip its end-of-script sync check. */
  partial?: boolean;
}

export interface PauseStep {
  pause: number;
}

export interface ScanStep {
  /** Arguments after the cursor, e.g. ['MATCH', 'a*', 'COUNT', '3']. */
  scan: readonly Arg[];
  conn?: number;
  note?: string;
}

/** Repeats `poll` on each side until its raw reply (latin1) matches `until`, or fails at the deadline. */
export interface PollStep {
  poll: readonly Arg[];
  until: RegExp;
  /** Deadline per side (default 5000 ms). */
  timeoutMs?: number;
  conn?: number;
}

export type Step = Command | StepOptions | PauseStep | ScanStep | PollStep;

export interface ScriptOptions {
  /** Send FLUSHALL on connection 0 first (default true). */
  flush?: boolean;
  /** AUTH with this password on each new connection before anything else. */
  auth?: string;
  /** Hosts of the two servers (default 127.0.0.1). */
  shoalHost?: string;
  redisHost?: string;
  /** Default per-reply read timeout (ms). */
  timeoutMs?: number;
}

export interface ScriptResult {
  /** Raw replies per step (flattened: a step with replies: n contributes n entries). */
  shoal: Buffer[];
  redis: Buffer[];
}

/** ORACLE_TRACE=1 prints every step with Redis's reply to stderr (to review what a script exercises). */
const trace = (): boolean => (process.env['ORACLE_TRACE'] ?? '') !== '';

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function describeCommand(cmd: Command): string {
  if (typeof cmd === 'string') return `raw "${escapeBytes(Buffer.from(cmd, 'utf8'), 300)}"`;
  return cmd
    .map((a) => {
      const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
      const s = escapeBytes(b, 120);
      return /^[A-Za-z0-9|._:*?+-]+$/.test(s) ? s : `"${s}"`;
    })
    .join(' ');
}

function isPause(s: Step): s is PauseStep {
  return typeof s === 'object' && !Array.isArray(s) && 'pause' in s;
}
function isPoll(s: Step): s is PollStep {
  return typeof s === 'object' && !Array.isArray(s) && 'poll' in s;
}

/** Polls one side every 10 ms until the reply matches; returns the matching reply. */
async function pollSide(side: Side, name: string, step: PollStep, where: string): Promise<Buffer> {
  const conn = step.conn ?? 0;
  const deadline = Date.now() + (step.timeoutMs ?? 5000);
  let last = '';
  for (;;) {
    await side.send(conn, step.poll, undefined);
    const out = await side.read(conn, undefined);
    if (!out.ok) throw new Error(`${where} (${describeCommand(step.poll)}): ${name}: ${out.error}`);
    last = out.raw.toString('latin1');
    if (step.until.test(last)) return out.raw;
    if (Date.now() > deadline) {
      throw new Error(`${where} (${describeCommand(step.poll)}): ${name} never replied ${step.until}; last: ${JSON.stringify(last)}`);
    }
    await delay(10);
  }
}

function isScan(s: Step): s is ScanStep {
  return typeof s === 'object' && !Array.isArray(s) && 'scan' in s;
}
function toOptions(s: Command | StepOptions): StepOptions {
  if (typeof s === 'string' || Array.isArray(s)) return { cmd: s as Command };
  return s as StepOptions;
}

type Outcome = { ok: true; raw: Buffer } | { ok: false; error: string };

function showOutcome(o: Outcome): string {
  return o.ok ? formatReply(o.raw) : `(no reply: ${o.error})`;
}

function indentLines(s: string, pad: string): string {
  return s.split('\n').join('\n' + pad);
}

function mismatch(where: string, what: string, shoal: Outcome, redis: Outcome): AssertionError {
  const lines = [
    `oracle mismatch at ${where}${what ? ` (${what})` : ''}`,
    `  shoal: ${indentLines(showOutcome(shoal), '         ')}`,
    `  redis: ${indentLines(showOutcome(redis), '         ')}`,
  ];
  if (shoal.ok) lines.push(`  shoal raw: "${escapeBytes(shoal.raw, 600)}"`);
  if (redis.ok) lines.push(`  redis raw: "${escapeBytes(redis.raw, 600)}"`);
  const actual = shoal.ok ? escapeBytes(shoal.raw) : `(no reply: ${shoal.error})`;
  const expected = redis.ok ? escapeBytes(redis.raw) : `(no reply: ${redis.error})`;
  // (With equal actual/expected and operator strictEqual, Node would replace the message.)
  return new AssertionError({ message: lines.join('\n'), actual, expected, operator: actual === expected ? 'fail' : 'strictEqual' });
}

/** Compares two replies, letting integers differ by up to `tol`. */
export function approxEqual(a: Buffer, b: Buffer, tol: number): boolean {
  if (a.equals(b)) return true;
  if (a[0] === 0x3a && b[0] === 0x3a) {
    const x = BigInt(a.toString('latin1', 1, a.length - 2));
    const y = BigInt(b.toString('latin1', 1, b.length - 2));
    const d = x > y ? x - y : y - x;
    return d <= BigInt(tol);
  }
  const sa = splitAggregate(a);
  const sb = splitAggregate(b);
  if (sa === null || sb === null || !sa.header.equals(sb.header)) return false;
  return sa.elements.every((e, i) => approxEqual(e, sb.elements[i]!, tol));
}

/** Compares two replies, top-level aggregate elements as a multiset. */
export function sortedEqual(a: Buffer, b: Buffer): boolean {
  const sa = splitAggregate(a);
  const sb = splitAggregate(b);
  if (sa === null || sb === null) return a.equals(b);
  if (!sa.header.equals(sb.header)) return false;
  const ea = [...sa.elements].sort(Buffer.compare);
  const eb = [...sb.elements].sort(Buffer.compare);
  return ea.every((e, i) => e.equals(eb[i]!));
}

class Side {
  readonly conns = new Map<number, RawClient>();
  constructor(
    readonly name: 'shoal' | 'redis',
    readonly port: number,
    readonly host: string,
    private readonly auth: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async conn(i: number): Promise<RawClient> {
    let c = this.conns.get(i);
    if (c === undefined) {
      c = await RawClient.connect(this.port, this.host);
      this.conns.set(i, c);
      if (this.auth !== undefined) {
        const r = await c.call('AUTH', this.auth);
        if (r.toString('latin1') !== '+OK\r\n') {
          throw new Error(`${this.name}: AUTH failed: ${formatReply(r)}`);
        }
      }
    }
    return c;
  }

  async send(conn: number, cmd: Command, split: number | undefined): Promise<void> {
    const c = await this.conn(conn);
    if (typeof cmd !== 'string' && split === undefined) {
      await c.command(...cmd);
      return;
    }
    const bytes = typeof cmd === 'string' ? Buffer.from(cmd, 'utf8') : encodeArgs(cmd);
    if (split === undefined) {
      await c.send(bytes);
      return;
    }
    for (let i = 0; i < bytes.length; i += split) {
      await c.send(bytes.subarray(i, i + split));
      await delay(2);
    }
  }

  async read(conn: number, timeoutMs: number | undefined): Promise<Outcome> {
    try {
      const c = await this.conn(conn);
      return { ok: true, raw: await c.readReply(timeoutMs ?? this.timeoutMs) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.conns.values()].map((c) => c.close()));
  }
}

const encodeArgs = encodeCommand;

async function runScan(shoal: Side, redis: Side, step: ScanStep, where: string): Promise<void> {
  const conn = step.conn ?? 0;
  const collect = async (side: Side): Promise<Outcome> => {
    const keys = new Set<string>();
    let cursor = '0';
    for (let iter = 0; ; iter++) {
      if (iter > 100_000) return { ok: false, error: 'SCAN did not terminate' };
      await side.send(conn, ['SCAN', cursor, ...step.scan], undefined);
      const r = await side.read(conn, undefined);
      if (!r.ok) return r;
      const v: RespValue = parseReply(r.raw);
      if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Array.isArray(v[1])) {
        return r; // an error or malformed reply: compared as is
      }
      for (const k of v[1]) keys.add(Buffer.isBuffer(k) ? `0x${k.toString('hex')}` : String(k));
      cursor = v[0];
      if (cursor === '0') break;
    }
    const sorted = [...keys].sort();
    return { ok: true, raw: encodeArgs(sorted) };
  };
  const [a, b] = await Promise.all([collect(shoal), collect(redis)]);
  const what = `SCAN <cursor> ${describeCommand(step.scan)} -> sorted union of keys${step.note ? `; ${step.note}` : ''}`;
  if (!a.ok || !b.ok || !a.raw.equals(b.raw)) throw mismatch(where, what, a, b);
}

/**
 * Sends the same script to Shoal and to Redis over fresh connections and asserts that every
 * reply is byte-identical (subject to the per-step modifiers). Throws an AssertionError that
 * shows the step, the command and both replies.
 */
export async function compareScript(
  shoalPort: number,
  redisPort: number,
  script: readonly Step[],
  opts: ScriptOptions = {},
): Promise<ScriptResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const shoal = new Side('shoal', shoalPort, opts.shoalHost ?? '127.0.0.1', opts.auth, timeoutMs);
  const redis = new Side('redis', redisPort, opts.redisHost ?? '127.0.0.1', opts.auth, timeoutMs);
  const result: ScriptResult = { shoal: [], redis: [] };
  const partial = new Set<number>();
  try {
    if (opts.flush !== false) {
      for (const side of [shoal, redis]) {
        const c = await side.conn(0);
        const r = await c.call('FLUSHALL');
        if (r.toString('latin1') !== '+OK\r\n') throw new Error(`${side.name}: FLUSHALL failed: ${formatReply(r)}`);
      }
    }
    for (let i = 0; i < script.length; i++) {
      const step = script[i]!;
      if (isPause(step)) {
        await delay(step.pause);
        continue;
      }
      if (isScan(step)) {
        await runScan(shoal, redis, step, `step ${i + 1}`);
        continue;
      }
      if (isPoll(step)) {
        const [a, b] = await Promise.all([
          pollSide(shoal, 'shoal', step, `step ${i + 1}`),
          pollSide(redis, 'redis', step, `step ${i + 1}`),
        ]);
        result.shoal.push(a);
        result.redis.push(b);
        continue;
      }
      const s = toOptions(step);
      const conn = s.conn ?? 0;
      if (s.partial) partial.add(conn);
      const what = describeCommand(s.cmd) + (s.note ? `; ${s.note}` : '') + (conn !== 0 ? ` [conn ${conn}]` : '');
      await Promise.all([shoal.send(conn, s.cmd, s.split), redis.send(conn, s.cmd, s.split)]);
      const n = s.replies ?? 1;
      for (let r = 0; r < n; r++) {
        const where = `step ${i + 1}${n > 1 ? ` reply ${r + 1}/${n}` : ''}`;
        const [a, b] = await Promise.all([shoal.read(conn, s.timeoutMs), redis.read(conn, s.timeoutMs)]);
        if (a.ok) result.shoal.push(a.raw);
        if (b.ok) result.redis.push(b.raw);
        if (!a.ok && !b.ok) {
          throw new Error(`${where} (${what}): neither server replied (script bug?): shoal: ${a.error}; redis: ${b.error}`);
        }
        if (!a.ok || !b.ok) throw mismatch(where, what, a, b);
        if (trace()) {
          const head = r === 0 ? `${where}: ${what}` : where;
          process.stderr.write(`[oracle] ${head}\n    -> ${indentLines(formatReply(b.raw), '       ')}\n`);
        }
        if (s.ignore) continue;
        let same: boolean;
        if (s.match !== undefined) {
          const re = s.match;
          same = re.test(a.raw.toString('latin1')) && re.test(b.raw.toString('latin1'));
          if (!same) {
            throw mismatch(where, `${what}; both must match ${String(re)}`, a, b);
          }
          continue;
        }
        if (s.normalize !== undefined) {
          same = s.normalize(a.raw.toString('latin1')) === s.normalize(b.raw.toString('latin1'));
        } else if (s.sort) {
          same = sortedEqual(a.raw, b.raw);
        } else if (s.approx !== undefined && s.approx !== false) {
          same = approxEqual(a.raw, b.raw, s.approx === true ? 1 : s.approx);
        } else {
          same = a.raw.equals(b.raw);
        }
        if (!same) throw mismatch(where, what, a, b);
      }
      if (s.closes) {
        const closed = async (side: Side): Promise<Outcome> => {
          try {
            const c = await side.conn(conn);
            await c.waitClose(s.timeoutMs ?? timeoutMs);
            return { ok: true, raw: Buffer.from('+(connection closed)\r\n') };
          } catch (err) {
            return { ok: false, error: err instanceof Error ? err.message : String(err) };
          }
        };
        const [a, b] = await Promise.all([closed(shoal), closed(redis)]);
        if (!a.ok || !b.ok) throw mismatch(`step ${i + 1}`, `${what}; both must close the connection`, a, b);
      }
    }
    // Extra replies one side sent beyond the script's are a difference too: on every connection
    // still open (and not left mid-command), send a marker ECHO and require it to be the next reply.
    for (const [i, c] of shoal.conns) {
      const other = redis.conns.get(i);
      if (other === undefined || partial.has(i)) continue;
      if (c.isClosed || other.isClosed) {
        if (c.isClosed !== other.isClosed) {
          throw mismatch(`end of script (conn ${i})`, 'connection closed on one side only',
            c.isClosed ? { ok: false, error: 'closed' } : { ok: true, raw: Buffer.from('+(open)\r\n') },
            other.isClosed ? { ok: false, error: 'closed' } : { ok: true, raw: Buffer.from('+(open)\r\n') });
        }
        continue;
      }
      const marker = `oracle-sync-${i}`;
      const expected = `$${marker.length}\r\n${marker}\r\n`;
      await Promise.all([shoal.send(i, ['ECHO', marker], undefined), redis.send(i, ['ECHO', marker], undefined)]);
      const [a, b] = await Promise.all([shoal.read(i, undefined), redis.read(i, undefined)]);
      const okA = a.ok && a.raw.toString('latin1') === expected;
      const okB = b.ok && b.raw.toString('latin1') === expected;
      // Both refusing the ECHO the same way (e.g. NOAUTH on an unauthenticated connection) is consistent too.
      const sameError = a.ok && b.ok && a.raw[0] === 0x2d && a.raw.equals(b.raw);
      if ((!okA || !okB) && !sameError) {
        throw mismatch(`end of script (conn ${i})`, `extra replies left over; expected the ECHO ${marker} sync reply${okB ? '' : ' (the script reads too few replies?)'}`, a, b);
      }
    }
  } finally {
    await Promise.all([shoal.closeAll(), redis.closeAll()]);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

export interface OraclePorts {
  shoal: number;
  redis: number;
}

export interface OracleContext extends OraclePorts {
  readonly shoalHost: string;
  /** compareScript against the two servers of this block (opts.shoalHost is filled in). */
  compare(script: readonly Step[], opts?: ScriptOptions): Promise<void>;
  /** Same as compare, but resolves with the raw replies of both sides for further assertions. */
  run(script: readonly Step[], opts?: ScriptOptions): Promise<ScriptResult>;
}

export interface OracleOptions {
  /** redis.conf settings for both servers, e.g. { databases: '16', requirepass: 'pw' }. */
  config?: Record<string, string>;
}

interface ServerHandle {
  port: number;
  host: string;
  close(): Promise<void>;
}

type StartServer = (opts?: { port?: number; host?: string; config?: Record<string, string> }) => Promise<ServerHandle>;

/** True when ORACLE_SELF_TEST asks for two redis-servers instead of Shoal. */
export function selfTestMode(): boolean {
  const v = process.env['ORACLE_SELF_TEST'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function configArgs(config: Record<string, string> | undefined): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(config ?? {})) args.push(`--${k}`, v);
  return args;
}

async function startRedisOrThrow(config: Record<string, string> | undefined): Promise<RedisInstance> {
  const r = await startRedis(configArgs(config));
  if (r === null) throw new Error('redis-server not installed');
  return r;
}

async function startShoal(config: Record<string, string> | undefined): Promise<ServerHandle> {
  if (selfTestMode()) {
    const r = await startRedisOrThrow(config);
    return { port: r.port, host: '127.0.0.1', close: () => r.stop() };
  }
  // Resolved at run time so this helper compiles before Shoal's entry point exists.
  const spec = new URL('../../src/index.js', import.meta.url).href;
  const mod = (await import(spec)) as { startServer?: unknown };
  if (typeof mod.startServer !== 'function') throw new Error(`${spec} does not export startServer()`);
  const start = mod.startServer as StartServer;
  // Persistence off, as the redis-server beside it runs (--save ''), unless the test asks.
  const opts = { port: 0, host: '127.0.0.1', config: { save: '', ...config } };
  return start(opts);
}

/**
 * A describe block whose tests compare Shoal against a real redis-server. Both servers start in
 * before() and stop in after(); read o.shoal / o.redis inside tests (they are 0 until then).
 * Skips visibly when redis-server is missing (and fails under CI).
 */
export function withOracle(name: string, fn: (o: OracleContext) => void | Promise<void>): void;
export function withOracle(name: string, opts: OracleOptions, fn: (o: OracleContext) => void | Promise<void>): void;
export function withOracle(
  name: string,
  a: OracleOptions | ((o: OracleContext) => void | Promise<void>),
  b?: (o: OracleContext) => void | Promise<void>,
): void {
  const opts: OracleOptions = typeof a === 'function' ? {} : a;
  const fn = typeof a === 'function' ? a : b;
  if (fn === undefined) throw new TypeError('withOracle: missing body');
  const label = selfTestMode() ? `${name} [self-test: redis vs redis]` : name;
  describe(label, { skip: requireRedis() }, async () => {
    let shoalSrv: ServerHandle | null = null;
    let redisSrv: RedisInstance | null = null;
    const ctx: OracleContext = {
      shoal: 0,
      redis: 0,
      shoalHost: '127.0.0.1',
      run(script, scriptOpts = {}) {
        if (startError !== null) throw startError;
        if (ctx.shoal === 0 || ctx.redis === 0) throw new Error('withOracle: servers not started (read ports inside tests)');
        return compareScript(ctx.shoal, ctx.redis, script, { shoalHost: ctx.shoalHost, ...scriptOpts });
      },
      async compare(script, scriptOpts = {}) {
        await ctx.run(script, scriptOpts);
      },
    };
    // A start failure is reported by every test (a failing before() hook would only mark them cancelled).
    let startError: Error | null = null;
    const describeFailure = (side: string, reason: unknown): Error => {
      const msg = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
      return new Error(`withOracle: ${side} failed to start: ${msg}`);
    };
    before(async () => {
      const [s, r] = await Promise.allSettled([startShoal(opts.config), startRedisOrThrow(opts.config)]);
      if (s.status === 'fulfilled') shoalSrv = s.value;
      if (r.status === 'fulfilled') redisSrv = r.value;
      if (s.status === 'rejected') {
        startError = describeFailure(selfTestMode() ? 'redis-server (self-test, shoal side)' : 'Shoal', s.reason);
        return;
      }
      if (r.status === 'rejected') {
        startError = describeFailure('redis-server', r.reason);
        return;
      }
      ctx.shoal = s.value.port;
      (ctx as { shoalHost: string }).shoalHost = s.value.host;
      ctx.redis = r.value.port;
    });
    after(async () => {
      await Promise.all([shoalSrv?.close(), redisSrv?.stop()]);
    });
    await fn(ctx);
  });
}

/** Convenience: a Buffer from hex or bytes. */
export function bytes(...values: number[]): Buffer {
  return Buffer.from(values);
}
