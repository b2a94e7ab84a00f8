// The propagation stream against Redis 7.0's own: a real redis-server runs with the AOF on
// (multi-part, RDB preamble), and its appendonlydir/*.incr.aof — exactly what Redis
// propagates — must equal, byte for byte, the stream a recording consumer encodes (encodeOps)
// from a Shoal node that ran the same script. Absolute times computed from "now" (PXAT and
// PEXPIREAT values) may differ by a few milliseconds between the two servers and are compared
// within a tolerance; the members SPOP chooses at random are masked (the number of SREMs, the
// key and the MULTI/EXEC framing still count). Replies are compared too.
//
// Covered: the expiry rewrites (SET EX/PX/EXAT/PXAT, SETEX, PSETEX, EXPIRE family, GETEX,
// expirations in the past as DEL/UNLINK), GETDEL, INCRBYFLOAT, HINCRBYFLOAT, SPOP, the pops of
// blocking and multi-key commands (served at once and served later), MULTI/EXEC framing and
// SELECT, lazy and active expiry, eviction, FLUSHDB/FLUSHALL/SWAPDB/MOVE/COPY/RENAME, and writes
// that change nothing, RESTORE's TTL (made absolute, with ABSTTL).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startServer, type RunningServer } from '../helpers/node.js';
import { encodeCommands, parseCommands, recordStream } from '../helpers/propagation.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

/** Largest difference accepted between the two servers' absolute times (ms). */
const TIME_TOLERANCE_MS = 10_000;
const DEADLINE_MS = 10_000;

type Step =
  /** A command on connection 0; its replies must match. */
  | readonly Arg[]
  | {
      /** A command; `anyReply` skips the reply comparison (random choices). */
      cmd: readonly Arg[];
      conn?: number;
      anyReply?: boolean;
    }
  /** Sent on `conn` without reading (a command that blocks); read later with { read }. */
  | { send: readonly string[]; conn: number }
  | { read: number }
  /** Wait until INFO clients shows this many blocked clients. */
  | { blocked: number }
  /** Poll PTTL key until -2 (the lookup itself expires the key, lazily). */
  | { expired: string }
  /** Poll DBSIZE until it is n, without touching keys (active expiry, eviction timer). */
  | { dbsize: number }
  /** Wait until this many milliseconds have passed (a TTL running out untouched). */
  | { wait: number };

interface Pair {
  redis: RawClient;
  shoal: RawClient;
}

interface Options {
  /** Mask the member of every SREM (SPOP's random choice). */
  maskSrem?: boolean;
}

/** Runs `script` on a fresh Redis (AOF on) and a fresh Shoal node, then compares the streams. */
async function compareStreams(script: readonly Step[], opts: Options = {}): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-prop-'));
  let redis: RedisInstance | null = null;
  let node: RunningServer | null = null;
  const conns: Pair[] = [];
  try {
    redis = await startRedis([
      '--appendonly', 'yes',
      // Not everysec: while its background fsync runs, Redis postpones writing the AOF buffer
      // (up to 2 s) yet still sends the replies, so the file could lag the last reply.
      '--appendfsync', 'no',
      '--dir', dir,
      '--aof-use-rdb-preamble', 'yes',
      '--enable-debug-command', 'yes',
    ]);
    if (redis === null) throw new Error('redis-server not available');
    // No save points, and its own directory: nothing loaded at start, nothing written elsewhere.
    node = await startServer({ config: { 'enable-debug-command': 'yes', save: '', dir } });
    const rec = recordStream(node.server);
    const r = redis;
    const n = node;
    const conn = async (i: number): Promise<Pair> => {
      while (conns.length <= i) conns.push({ redis: await RawClient.connect(r.port), shoal: await RawClient.connect(n.port) });
      return conns[i];
    };
    for (const [index, step] of script.entries()) {
      const where = `step ${index} ${JSON.stringify(step)}`;
      if (isCommand(step) || 'cmd' in step) {
        const s = isCommand(step) ? { cmd: step, conn: 0, anyReply: false } : step;
        const p = await conn(s.conn ?? 0);
        const [a, b] = await Promise.all([p.redis.call(...s.cmd), p.shoal.call(...s.cmd)]);
        if (s.anyReply !== true) assert.equal(b.toString('latin1'), a.toString('latin1'), where);
      } else if ('send' in step) {
        const p = await conn(step.conn);
        await Promise.all([p.redis.command(...step.send), p.shoal.command(...step.send)]);
      } else if ('read' in step) {
        const p = await conn(step.read);
        const [a, b] = await Promise.all([p.redis.readReply(), p.shoal.readReply()]);
        assert.equal(b.toString('latin1'), a.toString('latin1'), where);
      } else if ('blocked' in step) {
        const p = await conn(0);
        const re = new RegExp(`blocked_clients:${step.blocked}\r\n`);
        await Promise.all([pollUntil(p.redis, ['INFO', 'clients'], re, where), pollUntil(p.shoal, ['INFO', 'clients'], re, where)]);
      } else if ('expired' in step) {
        const p = await conn(0);
        const cmd = ['PTTL', step.expired];
        await Promise.all([pollUntil(p.redis, cmd, /^:-2\r\n$/, where), pollUntil(p.shoal, cmd, /^:-2\r\n$/, where)]);
      } else if ('dbsize' in step) {
        const p = await conn(0);
        const re = new RegExp(`^:${step.dbsize}\r\n$`);
        await Promise.all([pollUntil(p.redis, ['DBSIZE'], re, where), pollUntil(p.shoal, ['DBSIZE'], re, where)]);
      } else {
        const until = Date.now() + step.wait;
        for (let i = 0; i < 1000 && Date.now() <= until; i++) await new Promise((res) => setTimeout(res, 1));
      }
    }
    // With appendfsync no, Redis writes its AOF buffer before it sends the replies of the same
    // event-loop turn, so every record of the script is in the file once its last reply has
    // arrived.
    const aofDir = path.join(dir, 'appendonlydir');
    const incr = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
    assert.ok(incr !== undefined, 'Redis wrote an incremental AOF file');
    const theirs = parseCommands(readFileSync(path.join(aofDir, incr)));
    const ours = parseCommands(rec.bytes());
    // The recorder's bytes are exactly the canonical encoding of what they parse to.
    assert.deepEqual(encodeCommands(ours), rec.bytes());
    normalize(theirs, ours, opts);
    assert.equal(readable(encodeCommands(ours)), readable(encodeCommands(theirs)));
  } finally {
    for (const p of conns) await Promise.all([p.redis.close(), p.shoal.close()]);
    await node?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function isCommand(step: Step): step is readonly Arg[] {
  return Array.isArray(step);
}

/** Repeats cmd on one connection until its raw reply matches, within the deadline. */
async function pollUntil(c: RawClient, cmd: readonly string[], re: RegExp, where: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let last = '';
  for (let i = 0; i < 10_000; i++) {
    last = (await c.call(...cmd)).toString('latin1');
    if (re.test(last)) return;
    if (Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 5));
  }
  assert.fail(`${where}: ${cmd.join(' ')} never matched ${re}; last ${JSON.stringify(last)}`);
}

/**
 * Makes the two streams comparable: an absolute time in ours within the tolerance of the one
 * at the same place in theirs takes its value (PXAT's argument, PEXPIREAT's time, the TTL of
 * a RESTORE ... ABSTTL); SREM
 * members are masked on request.
 */
function normalize(theirs: Buffer[][], ours: Buffer[][], opts: Options): void {
  for (let i = 0; i < Math.min(theirs.length, ours.length); i++) {
    const a = theirs[i];
    const b = ours[i];
    if (a.length !== b.length) continue;
    const name = b[0].toString('latin1').toUpperCase();
    for (let j = 1; j < b.length; j++) {
      const isTime =
        (name === 'SET' && b[j - 1].toString('latin1').toUpperCase() === 'PXAT') ||
        (name === 'PEXPIREAT' && j === 2) ||
        (name === 'RESTORE' && j === 2 && b[b.length - 1].toString('latin1').toUpperCase() === 'ABSTTL');
      if (!isTime) continue;
      const x = Number(a[j].toString('latin1'));
      const y = Number(b[j].toString('latin1'));
      if (Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= TIME_TOLERANCE_MS) b[j] = a[j];
    }
  }
  if (opts.maskSrem === true) {
    for (const cmds of [theirs, ours]) {
      for (const c of cmds) if (c[0].toString('latin1').toUpperCase() === 'SREM') c[2] = Buffer.from('?');
    }
  }
}

/** A stream as one command per line, for readable assertion diffs. */
function readable(buf: Buffer): string {
  return parseCommands(buf)
    .map((c) => c.map((a) => JSON.stringify(a.toString('latin1'))).join(' '))
    .join('\n');
}

// Absolute times far in the future, the same on both sides.
const FUTURE_S = String(Math.floor(Date.now() / 1000) + 100_000);
const FUTURE_MS = String(Math.floor(Date.now() / 1000) * 1000 + 200_000_123);

/** DUMP of the string "hello" by redis-server 7.0 (RDB version 10, CRC-64 trailer). */
const HELLO_DUMP = Buffer.from('000568656c6c6f0a006372df76653420' + '0a', 'hex');

describe('propagation stream against the Redis AOF', { skip: requireRedis() }, () => {
  it("makes RESTORE's relative TTL absolute (ABSTTL), and deletes for one already past", () =>
    compareStreams([
      ['RESTORE', 'r1', '0', HELLO_DUMP],
      ['RESTORE', 'r2', '100000', HELLO_DUMP],
      ['RESTORE', 'r3', FUTURE_MS, HELLO_DUMP, 'ABSTTL'],
      ['RESTORE', 'r2', '50000', HELLO_DUMP, 'REPLACE', 'IDLETIME', '10'],
      ['RESTORE', 'r4', '1', HELLO_DUMP, 'ABSTTL'],
      ['SET', 'r5', 'x'],
      ['RESTORE', 'r5', '1', HELLO_DUMP, 'ABSTTL', 'REPLACE'],
      ['RESTORE', 'r1', '0', HELLO_DUMP],
    ]));

  it('makes relative expiry times absolute', () =>
    compareStreams([
      ['SET', 'a', '1'],
      ['SET', 'b', '2', 'EX', '100'],
      ['set', 'b2', 'v', 'px', '100000', 'get'],
      ['SET', 'b3', 'v', 'EXAT', FUTURE_S],
      ['SET', 'b4', 'v', 'PXAT', FUTURE_MS, 'NX', 'GET'],
      ['SET', 'b5', 'v', 'KEEPTTL'],
      ['SET', 'b6', 'v', 'NX', 'GET'],
      ['SET', 'b6', 'w', 'XX', 'GET'],
      ['SET', 'b7', 'v', 'XX'],
      ['SETEX', 'c', '100', 'v'],
      ['PSETEX', 'd', '100000', 'v'],
      ['SETNX', 'd', 'v'],
      ['EXPIRE', 'a', '100'],
      ['PEXPIRE', 'a', '100000', 'XX'],
      ['EXPIREAT', 'a', FUTURE_S, 'GT'],
      ['pexpireat', 'a', FUTURE_MS, 'gt'],
      ['EXPIREAT', 'a', '1000', 'LT'],
      ['EXPIRE', 'missing', '5'],
      ['GETEX', 'c', 'EX', '50'],
      ['GETEX', 'c', 'PX', '50000'],
      ['GETEX', 'c', 'EXAT', FUTURE_S],
      ['GETEX', 'c', 'PXAT', FUTURE_MS],
      ['GETEX', 'c', 'PERSIST'],
      ['GETEX', 'c', 'PERSIST'],
      ['GETEX', 'c'],
      ['GETEX', 'missing', 'EX', '5'],
      ['PERSIST', 'd'],
      ['PERSIST', 'd'],
    ]));

  it('turns expirations in the past into DEL or UNLINK as the lazyfree options say', () =>
    compareStreams([
      ['SET', 'a', '1'],
      ['EXPIRE', 'a', '-1'],
      ['SET', 'a', '1'],
      ['PEXPIREAT', 'a', '1'],
      ['SET', 'b', '1'],
      ['GETEX', 'b', 'EXAT', '1'],
      ['SET', 'c', '1'],
      ['GETDEL', 'c'],
      ['GETDEL', 'c'],
      ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes'],
      ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes'],
      ['SET', 'a', '1'],
      ['EXPIRE', 'a', '0'],
      ['SET', 'b', '1'],
      ['GETEX', 'b', 'PXAT', '1'],
      ['SET', 'c', '1'],
      ['GETDEL', 'c'],
      ['SET', 'd', '1', 'PX', '1'],
      { expired: 'd' },
    ]));

  it('replaces float math and random choices by their outcome', () =>
    compareStreams(
      [
        ['INCRBYFLOAT', 'f', '1.5'],
        ['INCRBYFLOAT', 'f', '0.25'],
        ['SET', 'g', '10', 'EX', '100'],
        ['INCRBYFLOAT', 'g', '-2.5e1'],
        ['HINCRBYFLOAT', 'h', 'x', '2.5'],
        ['HINCRBYFLOAT', 'h', 'x', '1e3'],
        ['SADD', 's', 'only'],
        ['SPOP', 's'],
        ['SADD', 's', 'a', 'b', 'c'],
        { cmd: ['SPOP', 's', '3'], anyReply: true },
        ['SPOP', 's', '3'],
        ['SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
        { cmd: ['SPOP', 's', '2'], anyReply: true },
        { cmd: ['SPOP', 's', '7'], anyReply: true },
        { cmd: ['SPOP', 's'], anyReply: true },
        ['SPOP', 's', '0'],
        ['SCARD', 's'],
      ],
      { maskSrem: true },
    ));

  it('propagates the pop that blocking and multi-key commands made', () =>
    compareStreams([
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['BLPOP', 'nol', 'l', '0'],
      ['BRPOP', 'l', '0'],
      ['BLMOVE', 'l', 'd', 'LEFT', 'RIGHT', '0'],
      ['blmove', 'l', 'd', 'right', 'left', '0'],
      ['BRPOPLPUSH', 'd', 'l', '0'],
      ['LMPOP', '2', 'nol', 'l', 'LEFT', 'COUNT', '2'],
      ['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '10'],
      ['LMPOP', '1', 'd', 'RIGHT'],
      ['LPOP', 'l', '10'],
      ['RPUSH', 'l', 'x'],
      ['LPOP', 'l', '10'],
      ['LMOVE', 'd', 'd', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 'd', 'e'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
      ['BZPOPMIN', 'z', '0'],
      ['BZPOPMAX', 'z', '0'],
      ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '10'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
      ['BZMPOP', '0', '1', 'z', 'MIN'],
      ['ZPOPMIN', 'z', '10'],
      ['ZADD', 'z', '1', 'a'],
      ['zpopmax', 'z'],
      ['ZPOPMIN', 'z', '0'],
    ]));

  it('serves blocked clients as units of their own', () =>
    compareStreams([
      { send: ['BLPOP', 'w1', '0'], conn: 1 },
      { blocked: 1 },
      ['RPUSH', 'w1', 'x', 'y'],
      { read: 1 },
      { send: ['BLMOVE', 'w2', 'd2', 'RIGHT', 'LEFT', '0'], conn: 1 },
      { blocked: 1 },
      ['RPUSH', 'w2', 'x', 'y'],
      { read: 1 },
      { send: ['BRPOPLPUSH', 'w3', 'd3', '0'], conn: 1 },
      { blocked: 1 },
      ['LPUSH', 'w3', 'p', 'q'],
      { read: 1 },
      { send: ['BZPOPMAX', 'w4', '0'], conn: 1 },
      { blocked: 1 },
      ['ZADD', 'w4', '1', 'x', '2', 'y'],
      { read: 1 },
      { send: ['BLMPOP', '0', '2', 'w5', 'w6', 'LEFT', 'COUNT', '3'], conn: 1 },
      { blocked: 1 },
      ['RPUSH', 'w6', 'a', 'b'],
      { read: 1 },
      { send: ['BZMPOP', '0', '1', 'w7', 'MAX', 'COUNT', '2'], conn: 1 },
      { blocked: 1 },
      ['ZADD', 'w7', '1', 'x', '2', 'y', '3', 'z'],
      { read: 1 },
      { cmd: ['SELECT', '3'], conn: 1 },
      { send: ['BRPOP', 'u', '0'], conn: 1 },
      { blocked: 1 },
      ['SELECT', '3'],
      ['MULTI'],
      ['RPUSH', 'u', 'a'],
      ['RPUSH', 'u', 'b'],
      ['EXEC'],
      { read: 1 },
      ['SELECT', '0'],
      ['SET', 'after', '1'],
    ]));

  it('wraps transactions in MULTI/EXEC when they propagate more than one record, with SELECT', () =>
    compareStreams([
      ['MULTI'],
      ['SET', 'm', '1'],
      ['GET', 'm'],
      ['EXEC'],
      ['MULTI'],
      ['GET', 'm'],
      ['EXEC'],
      ['MULTI'],
      ['INCR', 'n'],
      ['INCR', 'n'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'm', '2'],
      ['SELECT', '2'],
      ['SET', 'm2', '2'],
      ['EXPIRE', 'm2', '100'],
      ['EXEC'],
      ['SET', 'in2', 'x'],
      ['MULTI'],
      ['SELECT', '5'],
      ['SET', 'q', '1'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'q', '2'],
      ['DISCARD'],
      ['SELECT', '0'],
      ['MULTI'],
      ['SET', 'm', '3'],
      ['INCR', 'm', 'extra'],
      ['EXEC'],
    ]));

  it('propagates database commands as they came, FLUSHDB and FLUSHALL even when empty', () =>
    compareStreams([
      ['FLUSHDB'],
      ['FLUSHALL'],
      ['SELECT', '4'],
      ['FLUSHDB'],
      ['SELECT', '0'],
      ['SET', 'a', '1'],
      ['SWAPDB', '0', '1'],
      ['SELECT', '1'],
      ['MOVE', 'a', '2'],
      ['MOVE', 'a', '2'],
      ['SELECT', '2'],
      ['COPY', 'a', 'b'],
      ['COPY', 'a', 'b'],
      ['COPY', 'a', 'c', 'DB', '6'],
      ['RENAME', 'a', 'r'],
      ['RENAMENX', 'r', 'b'],
      ['DEL', 'b', 'missing'],
      ['UNLINK', 'r'],
      ['DEL', 'missing'],
      ['FLUSHALL', 'SYNC'],
    ]));

  it('records nothing for writes that change nothing', () =>
    compareStreams([
      ['SET', 'k', 'v'],
      ['SADD', 's', 'a'],
      ['RPUSH', 'l', 'x'],
      ['HSET', 'h', 'f', 'v'],
      ['ZADD', 'z', '1', 'a'],
      ['SADD', 's', 'a'],
      ['SREM', 's', 'zzz'],
      ['HDEL', 'h', 'nope'],
      ['ZADD', 'z', '1', 'a'],
      ['ZREM', 'z', 'nope'],
      ['LREM', 'l', '0', 'nope'],
      ['SET', 'k', 'v', 'NX'],
      ['SET', 'nokey', 'v', 'XX'],
      ['LPOP', 'missing'],
      ['SMOVE', 's', 't', 'nope'],
      ['INCR', 'l'],
      ['HSETNX', 'h', 'f', 'w'],
      ['GETSET', 'k', 'v2'],
    ]));

  it('deletes lazily expired keys, alone for a read and in the unit of a write', () =>
    compareStreams([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'a', '1', 'PX', '1'],
      ['SET', 'b', '1', 'PX', '1'],
      ['SET', 'c', '1', 'PX', '1'],
      ['RPUSH', 'l', 'x'],
      // 5 ms, not 1: Redis 7.0's PEXPIRE deletes (and propagates DEL for) a key whose deadline
      // passed before the command ends, which for 1 ms happens when the millisecond turns.
      ['PEXPIRE', 'l', '5'],
      { wait: 10 },
      ['GET', 'a'],
      ['SET', 'b', '2', 'KEEPTTL'],
      ['MULTI'],
      ['EXISTS', 'c'],
      ['SET', 'x', '1'],
      ['EXEC'],
      ['RPUSH', 'l', 'y'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('deletes actively expired and evicted keys, each on its own', () =>
    compareStreams([
      ['SET', 'a', '1', 'PX', '1'],
      { dbsize: 0 },
      ['SET', 'b', '1'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      { dbsize: 0 },
      ['SET', 'c', '1'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'lazyfree-lazy-eviction', 'yes'],
      ['SET', 'd', '1'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      { dbsize: 0 },
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['SET', 'e', '1'],
    ]));
});
