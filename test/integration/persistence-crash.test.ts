// Crash and fault tests for persistence, with real node processes killed by SIGKILL (kill -9)
// and restarted on the same directory:
//   - appendfsync always under a write load from several connections: after kill -9 and a
//     restart, every write that was acknowledged is there;
//   - appendfsync everysec: at most about a second or two of acknowledged writes is lost;
//   - a torn tail on the last INCR file: loaded (and truncated) under aof-load-truncated yes,
//     refused under no, with Redis's log lines;
//   - kill -9 during BGSAVE: the old dump.rdb stays intact and is what the restart loads;
//   - kill -9 during BGREWRITEAOF: the old manifest's files hold every acknowledged write and
//     the rewrite's leftover temp files break nothing;
//   - redis-check-aof on the manifest, and redis-check-rdb on the dump, agree the files are valid.
//
// The load: each connection repeats rounds of INCR cnt:<c>, INCR cnt:all, SET s:<c> <i>,
// HSET h:<c> f<i> <i>, RPUSH l:<c> <i>, several rounds in flight, and counts per command the
// writes it sent and the ones it got the expected reply for. An AOF replays a prefix of the
// write stream, so after a restart each connection's surviving writes must be a prefix of what
// it sent: exactly the first k elements of its list and fields of its hash, the k-th value of
// its string, and the counts of the four commands consistent with their order in a round.
//
// redis-check-aof / redis-check-rdb are required in CI; elsewhere the checks that need them are
// skipped with a visible message.

import { describe, it, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants as fsc, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { findRedisServer, freePort, requireRedis, waitForPing } from '../helpers/redis.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoal-process.js';
import { until } from '../helpers/poll.js';

// ---------------------------------------------------------------------------------------------
// Tools, files, processes

const CI = ((): boolean => {
  const v = process.env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
})();

/** Absolute path of a redis tool (beside redis-server, else on PATH), or null. */
function findTool(name: string): string | null {
  const server = findRedisServer();
  const dirs = [...(server === null ? [] : [dirname(server)]), ...(process.env['PATH'] ?? '').split(delimiter)];
  for (const d of dirs.filter((x) => x !== '')) {
    try {
      accessSync(join(d, name), fsc.X_OK);
      return join(d, name);
    } catch {
      // not here
    }
  }
  return null;
}

const CHECK_AOF = findTool('redis-check-aof');
const CHECK_RDB = findTool('redis-check-rdb');
if (CI && (CHECK_AOF === null || CHECK_RDB === null)) {
  throw new Error('redis-check-aof / redis-check-rdb missing: required in CI (redis-tools / redis-server)');
}
const skipNoCheckAof = CHECK_AOF === null ? 'redis-check-aof not installed: test skipped' : false;
const skipNoCheckRdb = CHECK_RDB === null ? 'redis-check-rdb not installed: test skipped' : false;

/** Runs a check tool; its exit status and its whole output. */
function runTool(bin: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * redis-check-aof on dir/appendonlydir/appendonly.aof.manifest must find every file valid.
 * Without the tool (never in CI: the file fails to load there) the check is skipped and says so.
 */
function assertAofValid(t: TestContext, dir: string): void {
  if (CHECK_AOF === null) {
    t.diagnostic('redis-check-aof not installed: the manifest check is skipped');
    return;
  }
  const r = runTool(CHECK_AOF, [join(dir, 'appendonlydir', 'appendonly.aof.manifest')]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /All AOF files and manifest are valid/, r.out);
}

const dirs: string[] = [];
const nodes: ShoalProcess[] = [];
const clients: Redis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  for (const n of nodes) {
    n.kill();
    await n.exited;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'shoal-crash-'));
  dirs.push(d);
  return d;
}

async function start(dir: string, args: string[], expectExit = false): Promise<ShoalProcess> {
  const n = await startShoalProcess({ dir, args, expectExit });
  nodes.push(n);
  return n;
}

/** kill -9, and wait until the process is gone. */
async function crash(n: ShoalProcess): Promise<void> {
  n.kill();
  const r = await n.exited;
  assert.equal(r.signal, 'SIGKILL', n.output());
}

/** A connection that never retries, never resends and never queues while disconnected. */
async function connect(port: number): Promise<Redis> {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on('error', () => {}); // the node is killed on purpose
  clients.push(c);
  await c.connect();
  return c;
}

/** The files a manifest lists, in order, as [name, type]. */
function manifestFiles(dir: string): Array<{ name: string; type: string }> {
  const text = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'utf8');
  const out: Array<{ name: string; type: string }> = [];
  for (const line of text.split('\n')) {
    const m = /^file (\S+) seq \d+ type ([bhi])$/.exec(line);
    if (m !== null) out.push({ name: m[1], type: m[2] });
  }
  return out;
}

function lastIncr(dir: string): string {
  const incrs = manifestFiles(dir).filter((f) => f.type === 'i');
  assert.ok(incrs.length > 0, 'the manifest lists no INCR file');
  return join(dir, 'appendonlydir', incrs[incrs.length - 1].name);
}

/** The messages of log lines (Redis's "pid:R dd Mon yyyy hh:mm:ss.mmm <mark> message") matching re. */
function logMessages(log: string, re: RegExp): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    const m = /^\d+:\w \d+ \w+ \d+ [\d:.]+ [.*#-] (.*)$/.exec(line);
    if (m !== null && re.test(m[1])) out.push(m[1]);
  }
  return out;
}

/**
 * The oracle: redis-server started on a copy of `src` (appendonly yes, plus `args`), its log
 * written to a file. Resolves once it answers PING (started) or has exited, then stops it.
 */
async function redisOnCopy(src: string, args: string[]): Promise<{ started: boolean; code: number | null; log: string }> {
  const bin = findRedisServer();
  if (bin === null) throw new Error('redis-server missing');
  const dir = tmp();
  cpSync(src, dir, { recursive: true });
  const logfile = join(dir, 'redis.log');
  const port = await freePort();
  const argv = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'];
  const proc = spawn(bin, [...argv, '--daemonize', 'no', '--logfile', logfile, ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let started = false;
  try {
    await waitForPing(port, { deadlineMs: 10_000, exited: () => proc.exitCode !== null || proc.signalCode !== null });
    started = true;
  } catch {
    // exited (or never answered): the log says why
  }
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  const code = await exited;
  return { started, code: started ? null : code, log: existsSync(logfile) ? readFileSync(logfile, 'utf8') : '' };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

// ---------------------------------------------------------------------------------------------
// The write load

const OPS = ['incr', 'set', 'hset', 'rpush'] as const;
type Op = (typeof OPS)[number] | 'incrall';
type Counts = Record<Op, number>;
const zero = (): Counts => ({ incr: 0, incrall: 0, set: 0, hset: 0, rpush: 0 });

interface ConnLog {
  readonly id: number;
  /** Commands issued, per command. */
  readonly sent: Counts;
  /** Commands answered with the expected reply, per command. */
  readonly acked: Counts;
  /** Replies that were not what the command must answer (bugs, not crash effects). */
  readonly wrong: string[];
}

interface Load {
  readonly logs: ConnLog[];
  readonly startedAt: number;
  /** Acknowledged writes so far, all connections. */
  acked(): number;
  /** Asks the workers to stop after their current rounds. */
  stop(): void;
  /** Resolves when every worker has stopped (on stop(), on the first error, or at its caps). */
  readonly done: Promise<void>;
}

const ROUNDS_IN_FLIGHT = 4;
const MAX_ROUNDS = 200_000;
const MAX_LOAD_MS = 15_000;

/**
 * Starts `conns` connections writing rounds (see the file header) until stop(), a failed
 * command (the node died), MAX_ROUNDS rounds or MAX_LOAD_MS.
 */
async function startLoad(port: number, conns: number): Promise<Load> {
  const cs = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  const logs: ConnLog[] = cs.map((_, id) => ({ id, sent: zero(), acked: zero(), wrong: [] }));
  let stopped = false;
  const startedAt = Date.now();
  const worker = async (c: Redis, log: ConnLog): Promise<void> => {
    const expect = (op: Op, p: Promise<unknown>, want: unknown): Promise<boolean> => {
      log.sent[op]++;
      return p.then(
        (v) => {
          if (op === 'incrall' ? typeof v === 'number' : v === want) log.acked[op]++;
          else log.wrong.push(`${op}: got ${String(v)}, want ${String(want)}`);
          return true;
        },
        () => false,
      );
    };
    for (let round = 0; round < MAX_ROUNDS && !stopped && Date.now() - startedAt < MAX_LOAD_MS; round += ROUNDS_IN_FLIGHT) {
      const replies: Array<Promise<boolean>> = [];
      for (let i = round; i < round + ROUNDS_IN_FLIGHT; i++) {
        const s = String(i);
        replies.push(
          expect('incr', c.incr(`cnt:${log.id}`), i + 1),
          expect('incrall', c.incr('cnt:all'), null),
          expect('set', c.set(`s:${log.id}`, s), 'OK'),
          expect('hset', c.hset(`h:${log.id}`, `f${s}`, s), 1),
          expect('rpush', c.rpush(`l:${log.id}`, s), i + 1),
        );
      }
      if (!(await Promise.all(replies)).every((ok) => ok)) return;
    }
  };
  const done = Promise.all(cs.map((c, i) => worker(c, logs[i]))).then(() => undefined);
  const sum = (): number => logs.reduce((n, l) => n + Object.values(l.acked).reduce((a, b) => a + b, 0), 0);
  return { logs, startedAt, acked: sum, stop: () => (stopped = true), done };
}

/** Lets the load run for `ms` (and until it has some acknowledged writes), bounded. */
async function runFor(load: Load, ms: number): Promise<void> {
  await until(() => Date.now() - load.startedAt >= ms && load.acked() >= 100, { what: 'the load to run', ms: ms + 10_000 });
}

interface Survival {
  /** Acknowledged writes missing after the restart, all connections and commands. */
  readonly lost: number;
  readonly acked: number;
  /** Per connection and command: sent, acked, applied. */
  readonly detail: string;
}

/**
 * Reads back what the load wrote and checks, for every connection, that what survived is a
 * prefix of what it sent: the first k list elements and hash fields exactly, the k-th string
 * value, counters within the sent count, and the counts consistent with the order of a round.
 * Nothing that was never sent may appear. Returns the acknowledged writes that are missing.
 */
async function survival(port: number, logs: ConnLog[]): Promise<Survival> {
  const c = await connect(port);
  let lost = 0;
  let acked = 0;
  const detail: string[] = [];
  let incrAll = 0;
  for (const log of logs) {
    assert.deepEqual(log.wrong.slice(0, 5), [], `connection ${log.id} got wrong replies before the crash`);
    const id = log.id;
    const [cnt, s, h, l] = await Promise.all([c.get(`cnt:${id}`), c.get(`s:${id}`), c.hgetall(`h:${id}`), c.lrange(`l:${id}`, 0, -1)]);
    const applied: Counts = zero();
    applied.incr = cnt === null ? 0 : Number(cnt);
    assert.ok(Number.isInteger(applied.incr), `cnt:${id} = ${String(cnt)}`);
    applied.set = s === null ? 0 : Number(s) + 1;
    assert.ok(Number.isInteger(applied.set), `s:${id} = ${String(s)}`);
    applied.hset = Object.keys(h).length;
    for (let i = 0; i < applied.hset; i++) assert.equal(h[`f${i}`], String(i), `h:${id} field f${i} of ${applied.hset}`);
    applied.rpush = l.length;
    assert.deepEqual(l, Array.from({ length: l.length }, (_, i) => String(i)), `l:${id} is not 0..${l.length - 1} in order`);
    for (const op of OPS) {
      assert.ok(applied[op] <= log.sent[op], `connection ${id} ${op}: ${applied[op]} applied but only ${log.sent[op]} sent`);
      lost += Math.max(0, log.acked[op] - applied[op]);
      acked += log.acked[op];
    }
    // A round is INCR, INCR cnt:all, SET, HSET, RPUSH: a prefix of the stream cuts it once.
    const [a, b, d, e] = [applied.incr, applied.set, applied.hset, applied.rpush];
    assert.ok(a >= b && b >= d && d >= e && e >= a - 1, `connection ${id}: not a prefix of its writes: ${a} ${b} ${d} ${e}`);
    detail.push(`#${id} ${OPS.map((op) => `${op} ${log.sent[op]}/${log.acked[op]}/${applied[op]}`).join(' ')}`);
    incrAll += log.acked.incrall;
  }
  const all = Number((await c.get('cnt:all')) ?? '0');
  const sentAll = logs.reduce((n, l) => n + l.sent.incrall, 0);
  assert.ok(all <= sentAll, `cnt:all = ${all} but only ${sentAll} INCRs were sent`);
  lost += Math.max(0, incrAll - all);
  acked += incrAll;
  detail.push(`cnt:all ${sentAll}/${incrAll}/${all}`);
  c.disconnect();
  return { lost, acked, detail: detail.join('; ') };
}

const AOF_ALWAYS = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];

// ---------------------------------------------------------------------------------------------
// The tests

describe('persistence under kill -9', () => {
  it('appendfsync always: no acknowledged write is lost', async (t) => {
    const dir = tmp();
    const n = await start(dir, AOF_ALWAYS);
    const load = await startLoad(n.port, 4);
    await runFor(load, 1500);
    await crash(n); // under load: commands are in flight
    await load.done;
    const again = await start(dir, AOF_ALWAYS);
    const s = await survival(again.port, load.logs);
    assert.ok(s.acked > 0);
    assert.equal(s.lost, 0, `acknowledged writes lost under appendfsync always (sent/acked/applied):\n${s.detail}`);
    t.diagnostic(`sent/acked/applied per connection: ${s.detail}`);
    assertAofValid(t, dir);
    await again.stop();
  });

  it('appendfsync everysec: at most about two seconds of acknowledged writes is lost', async (t) => {
    const dir = tmp();
    const args = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];
    const n = await start(dir, args);
    const load = await startLoad(n.port, 4);
    await runFor(load, 1500);
    const seconds = (Date.now() - load.startedAt) / 1000;
    const rate = load.acked() / seconds;
    await crash(n);
    await load.done;
    const again = await start(dir, args);
    const s = await survival(again.port, load.logs);
    // Redis's promise for everysec: up to two seconds of writes (a second of fsync delay, and
    // writes postponed behind a slow fsync for up to another). 20 writes of slack for a slow run.
    const bound = Math.ceil(rate * 2) + 20;
    assert.ok(s.lost <= bound, `${s.lost} acknowledged writes lost, more than ${bound} (${rate.toFixed(0)} writes/s):\n${s.detail}`);
    t.diagnostic(`${s.lost} of ${s.acked} acknowledged writes lost at ${rate.toFixed(0)} writes/s; sent/acked/applied: ${s.detail}`);
    assertAofValid(t, dir);
    await again.stop();
  });

  const skipTorn = skipNoCheckAof || requireRedis();
  it('a torn tail on the last INCR file: loaded under aof-load-truncated yes, refused under no', { skip: skipTorn }, async (t) => {
    const dir = tmp();
    const n = await start(dir, AOF_ALWAYS);
    const c = await connect(n.port);
    await c.set('k', 'v');
    for (let i = 0; i < 10; i++) await c.incr('n');
    await c.rpush('l', 'a', 'b', 'c');
    await c.hset('h', 'f', 'x');
    c.disconnect();
    assert.deepEqual(await n.stop(), { code: 0, signal: null }, n.output());

    const incr = lastIncr(dir);
    const name = incr.slice(incr.lastIndexOf('/') + 1);
    const whole = statSync(incr).size;
    assert.ok(whole > 0);
    // A SET whose last argument was cut short by the crash.
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nva');
    const torn = statSync(incr).size;
    const broken = runTool(CHECK_AOF as string, [join(dir, 'appendonlydir', 'appendonly.aof.manifest')]);
    assert.notEqual(broken.status, 0, `redis-check-aof accepted a torn AOF:\n${broken.out}`);
    // What redis-server 7.0 does with these very files, and the lines it logs.
    const TORN = /short read|Truncating the AOF|loaded anyway|Unexpected end of file/;
    const redisNo = await redisOnCopy(dir, ['--aof-load-truncated', 'no']);
    assert.ok(!redisNo.started && redisNo.code !== 0, redisNo.log);
    const redisYes = await redisOnCopy(dir, ['--aof-load-truncated', 'yes']);
    assert.ok(redisYes.started, redisYes.log);

    const refused = await start(dir, [...AOF_ALWAYS, '--aof-load-truncated', 'no'], true);
    const exit = await refused.exited;
    assert.ok(exit.code !== 0 && exit.code !== null, `started on a torn AOF with aof-load-truncated no: ${JSON.stringify(exit)}\n${refused.output()}`);
    assert.match(refused.output(), new RegExp(`Unexpected end of file reading the append only file ${name.replace(/\./g, '\\.')}`));
    assert.equal(statSync(incr).size, torn, 'a refused load changed the file');
    // Redis's lines, in its order; Shoal adds one naming the file's full path and the offset.
    const shoalNo = logMessages(refused.output(), TORN).filter((m) => !m.startsWith('Bad AOF file '));
    assert.deepEqual(shoalNo, logMessages(redisNo.log, TORN));
    assert.match(refused.output(), new RegExp(`Bad AOF file ${incr.replace(/\./g, '\\.')}: Unexpected end of file`));

    const loaded = await start(dir, AOF_ALWAYS);
    const out = loaded.output();
    assert.ok(out.includes(`!!! Warning: short read while loading the AOF file ${name}!!!`), out);
    assert.ok(out.includes(`!!! Truncating the AOF ${name} at offset ${whole} !!!`), out);
    assert.ok(out.includes(`AOF ${name} loaded anyway because aof-load-truncated is enabled`), out);
    assert.equal(statSync(incr).size, whole, 'the torn tail was not cut off exactly');
    assert.deepEqual(logMessages(out, TORN), logMessages(redisYes.log, TORN));
    const r = await connect(loaded.port);
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.get('n'), '10');
    assert.deepEqual(await r.lrange('l', 0, -1), ['a', 'b', 'c']);
    assert.equal(await r.hget('h', 'f'), 'x');
    assert.equal(await r.exists('torn'), 0);
    assert.equal(await r.dbsize(), 4);
    // The node appends after the cut: a write now lands on a clean file.
    await r.set('after', 'yes');
    r.disconnect();
    assertAofValid(t, dir);
    await crash(loaded);
    const last = await start(dir, AOF_ALWAYS);
    const r2 = await connect(last.port);
    assert.equal(await r2.get('after'), 'yes');
    assert.equal(await r2.dbsize(), 5);
    r2.disconnect();
    await last.stop();
  });

  it('kill -9 during BGSAVE: the old dump.rdb is intact and is what the restart loads', { skip: skipNoCheckRdb }, async () => {
    const dir = tmp();
    const args = ['--save', '', '--appendonly', 'no'];
    const n = await start(dir, args);
    const c = await connect(n.port);
    const KEYS = 2000;
    const fill = async (prefix: string): Promise<void> => {
      const p = c.pipeline();
      for (let i = 0; i < KEYS; i++) p.set(`key:${i}`, `${prefix}:${i}`);
      await p.exec();
    };
    await fill('old');
    assert.equal(await c.save(), 'OK');
    const dump = join(dir, 'dump.rdb');
    const before = sha(dump);
    await fill('new');
    await c.set('extra', 'new');
    // 2 ms per key: the walk would take about four seconds.
    await c.config('SET', 'rdb-key-save-delay', '2000');
    assert.equal(await c.bgsave(), 'Background saving started');
    const temp = join(dir, `temp-${n.pid}.rdb`);
    await until(() => existsSync(temp), { what: 'the BGSAVE temp file' });
    assert.match(await c.info('persistence'), /rdb_bgsave_in_progress:1/);
    await crash(n);

    assert.equal(sha(dump), before, 'dump.rdb changed although the BGSAVE never finished');
    const check = runTool(CHECK_RDB as string, [dump]);
    assert.equal(check.status, 0, check.out);
    assert.match(check.out, /RDB looks OK!/);
    // The unfinished temp file is not a valid RDB (no EOF, no checksum) and stays a temp file.
    assert.ok(existsSync(temp));
    assert.notEqual(runTool(CHECK_RDB as string, [temp]).status, 0, 'the unfinished temp RDB passes redis-check-rdb');

    const again = await start(dir, args);
    assert.match(again.output(), /DB loaded from disk/);
    const r = await connect(again.port);
    assert.equal(await r.dbsize(), KEYS);
    assert.equal(await r.exists('extra'), 0);
    const values = await r.mget(Array.from({ length: KEYS }, (_, i) => `key:${i}`));
    values.forEach((v, i) => assert.equal(v, `old:${i}`));
    r.disconnect();
    assert.equal(sha(dump), before);
    await again.stop();
  });

  it('kill -9 during BGREWRITEAOF: the old manifest loads with every acknowledged write', { skip: skipNoCheckAof }, async (t) => {
    const dir = tmp();
    const n = await start(dir, AOF_ALWAYS);
    const c = await connect(n.port);
    const KEYS = 2000;
    const p = c.pipeline();
    for (let i = 0; i < KEYS; i++) p.set(`key:${i}`, `v:${i}`);
    await p.exec();
    await c.config('SET', 'rdb-key-save-delay', '2000');
    assert.equal(await c.bgrewriteaof(), 'Background append only file rewriting started');
    const aofdir = join(dir, 'appendonlydir');
    const temp = join(aofdir, `temp-rewriteaof-${n.pid}.aof`);
    await until(() => existsSync(temp), { what: 'the rewrite temp file' });
    // The rewrite switched to a new INCR; the manifest lists it beside the old one.
    assert.equal(manifestFiles(dir).filter((f) => f.type === 'i').length, 2, readFileSync(join(aofdir, 'appendonly.aof.manifest'), 'utf8'));
    const load = await startLoad(n.port, 4);
    await runFor(load, 800);
    assert.match(await c.info('persistence'), /aof_rewrite_in_progress:1/, 'the rewrite ended before the crash');
    await crash(n);
    await load.done;
    assert.ok(existsSync(temp), 'no rewrite temp file left behind');
    const leftovers = readdirSync(aofdir).filter((f) => f.startsWith('temp-'));

    const again = await start(dir, AOF_ALWAYS);
    // The old BASE, then both INCR files: the one before the rewrite and the one it started.
    for (const f of manifestFiles(dir)) assert.match(again.output(), new RegExp(`DB loaded from (base|incr) file ${f.name.replace(/\./g, '\\.')}`));
    const s = await survival(again.port, load.logs);
    assert.equal(s.lost, 0, `acknowledged writes lost (sent/acked/applied):\n${s.detail}`);
    const r = await connect(again.port);
    const values = await r.mget(Array.from({ length: KEYS }, (_, i) => `key:${i}`));
    values.forEach((v, i) => assert.equal(v, `v:${i}`));
    assertAofValid(t, dir);
    const dbsize = await r.dbsize();

    // With the temp files still there, a rewrite completes and its result loads.
    assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
    await until(async () => /aof_rewrite_in_progress:0/.test(await r.info('persistence')), { what: 'the rewrite to finish' });
    assert.match(await r.info('persistence'), /aof_last_bgrewrite_status:ok/);
    r.disconnect();
    assert.deepEqual(await again.stop(), { code: 0, signal: null }, again.output());
    // The new BASE and one INCR; the files the BASE covers are gone.
    const files = manifestFiles(dir);
    assert.deepEqual(files.map((f) => f.type), ['b', 'i'], JSON.stringify(files));
    const present = readdirSync(aofdir);
    for (const f of files) assert.ok(present.includes(f.name), `${f.name} is missing`);
    for (const f of present.filter((x) => x.includes('.incr.') || x.includes('.base.'))) {
      assert.ok(files.some((m) => m.name === f), `${f} left behind`);
    }
    for (const f of leftovers) assert.ok(!files.some((m) => m.name === f), `${f} is listed in the manifest`);
    assertAofValid(t, dir);
    const last = await start(dir, AOF_ALWAYS);
    const s2 = await survival(last.port, load.logs);
    assert.equal(s2.lost, 0, s2.detail);
    const r2 = await connect(last.port);
    assert.equal(await r2.dbsize(), dbsize);
    assert.equal(await r2.get(`key:${KEYS - 1}`), `v:${KEYS - 1}`);
    r2.disconnect();
    await last.stop();
  });
});
