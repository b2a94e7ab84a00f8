// Multi-process tests of `shoal bigkeys` and `shoal hotkeys`: the survey commands run as
// processes against `shoal server` (also a process) and against a real redis-server
// (required in CI, skipped with a visible message elsewhere).
//
// Both are started from the compiled CLI next to this test (<build>/src/cli/main.js, what
// bin/shoal.js loads from dist/), so the test exercises the build it belongs to.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, requireRedis, startRedis, waitForPing, type RedisInstance } from '../helpers/redis.js';

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `shoal <args>` to completion (killed after 60 s). */
function shoal(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The same data set on any node: sizes chosen so every type has a clear biggest key. */
async function populate(port: number): Promise<void> {
  const r = new Redis({ port, lazyConnect: true });
  await r.connect();
  try {
    const p = r.pipeline();
    for (let i = 0; i < 300; i++) p.set(`str:${i}`, 'x'.repeat(i % 50));
    p.set('str:big', 'y'.repeat(1000));
    p.set(Buffer.from('bin\x00\r\nkey', 'latin1'), 'z'.repeat(10));
    p.rpush('list:a', 'a', 'b', 'c');
    p.rpush('list:big', ...Array.from({ length: 40 }, (_, i) => `e${i}`));
    p.sadd('set:big', ...Array.from({ length: 25 }, (_, i) => `m${i}`));
    p.hset('hash:big', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'v'])));
    p.zadd('zset:big', ...Array.from({ length: 7 }, (_, i) => [i, `z${i}`]).flat());
    p.select(2);
    p.set('db2:only', 'abc');
    await p.exec();
  } finally {
    r.disconnect();
  }
}

/** GETs: hot:1 50 times, hot:2 30 times, hot:3 10 times, cold:0..99 once each. */
async function hotLoad(port: number): Promise<void> {
  const r = new Redis({ port, lazyConnect: true });
  await r.connect();
  try {
    const p = r.pipeline();
    for (let i = 0; i < 100; i++) p.set(`cold:${i}`, 'c');
    for (const k of ['hot:1', 'hot:2', 'hot:3']) p.set(k, 'h');
    await p.exec();
    const q = r.pipeline();
    for (let i = 0; i < 100; i++) q.get(`cold:${i}`);
    for (const [k, n] of [['hot:1', 50], ['hot:2', 30], ['hot:3', 10]] as const) for (let i = 0; i < n; i++) q.get(k);
    await q.exec();
  } finally {
    r.disconnect();
  }
}

/** Checks `shoal bigkeys` output for the populate() data set (the same on Shoal and Redis). */
function checkBigkeys(run: Run): void {
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  assert.match(out, /^\n# Scanning the entire keyspace to find biggest keys as well as\n/);
  assert.match(out, /\[\d\d\.\d\d%\] Biggest string found so far '"str:/);
  assert.match(out, /\n-------- summary -------\n\nSampled 307 keys in the keyspace!\n/);
  assert.match(out, /\nBiggest string found '"str:big"' has 1000 bytes\n/);
  assert.match(out, /\nBiggest   list found '"list:big"' has 40 items\n/);
  assert.match(out, /\nBiggest    set found '"set:big"' has 25 members\n/);
  assert.match(out, /\nBiggest   hash found '"hash:big"' has 12 fields\n/);
  assert.match(out, /\nBiggest   zset found '"zset:big"' has 7 members\n/);
  assert.doesNotMatch(out, /Biggest stream found/);
  const strTotal = Array.from({ length: 300 }, (_, i) => i % 50).reduce((a, b) => a + b, 0) + 1000 + 10;
  assert.match(out, new RegExp(`\\n302 strings with ${strTotal} bytes \\(98\\.37% of keys, avg size ${(strTotal / 302).toFixed(2)}\\)\\n`));
  assert.match(out, /\n2 lists with 43 items \(00\.65% of keys, avg size 21\.50\)\n/);
  assert.match(out, /\n0 streams with 0 entries \(00\.00% of keys, avg size 0\.00\)\n/);
  // Progress: plain lines on stderr when it is not a terminal, ending at 100 %.
  assert.match(run.stderr, /\[100\.00%\] 307 of 307 keys scanned\n$/);
}

function checkOtherOptions(name: string, port: () => number): void {
  it(`${name}: bigkeys --memkeys, -n, --pattern, -i`, async () => {
    const mem = await shoal(['bigkeys', '-p', String(port()), '--memkeys', '--memkeys-samples', '5']);
    assert.equal(mem.code, 0, mem.stderr);
    assert.match(mem.stdout, /\nBiggest string found '"str:big"' has \d+ bytes\n/);
    assert.match(mem.stdout, /\nBiggest   list found '"list:big"' has \d+ bytes\n/);
    assert.match(mem.stdout, /\n302 strings with \d+ bytes \(98\.37% of keys/);
    const db2 = await shoal(['bigkeys', '-p', String(port()), '-n', '2', '-i', '0.01']);
    assert.equal(db2.code, 0, db2.stderr);
    assert.match(db2.stdout, /Sampled 1 keys in the keyspace!\nTotal key length in bytes is 8 \(avg len 8\.00\)\n\nBiggest string found '"db2:only"' has 3 bytes\n/);
    const pat = await shoal(['bigkeys', '-p', String(port()), '--pattern', '*:big']);
    assert.equal(pat.code, 0, pat.stderr);
    assert.match(pat.stdout, /Sampled 5 keys in the keyspace!/);
    // Binary key names are printed quoted and escaped, as redis-cli does.
    const bin = await shoal(['bigkeys', '-p', String(port()), '--pattern', 'bin*']);
    assert.match(bin.stdout, /Biggest string found '"bin\\x00\\r\\nkey"' has 10 bytes/);
  });
}

describe('shoal bigkeys / hotkeys against shoal server', () => {
  let proc: ChildProcess;
  let port: number;
  let exited: Promise<unknown>;

  before(async () => {
    port = await freePort();
    proc = spawn(process.execPath, [mainJs, 'server', '--port', String(port), '--save', ''], { stdio: ['ignore', 'ignore', 'inherit'] });
    exited = new Promise((r) => proc.on('exit', r));
    await waitForPing(port, { deadlineMs: 15000, exited: () => proc.exitCode !== null });
    await populate(port);
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });

  it('bigkeys reports the biggest key of each type and the per-type summary', async () => {
    checkBigkeys(await shoal(['bigkeys', '-p', String(port)]));
  });

  checkOtherOptions('shoal', () => port);

  it('hotkeys reads the HOTKEYS tracker when tracking is on', async () => {
    const r = new Redis({ port, lazyConnect: true });
    await r.connect();
    try {
      await r.flushall();
      await r.config('SET', 'hotkeys-tracking', 'yes');
      await r.call('HOTKEYS', 'RESET');
      await hotLoad(port);
      const run = await shoal(['hotkeys', '-p', String(port), '--count', '3']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /# Reading the node's hot-key tracker \(HOTKEYS\)/);
      // Each hot key was SET once and read n times.
      assert.match(
        run.stdout,
        /Tracked hot keys reported: 3\nhot key found with rate: [\d.]+\/s\taccesses: 51\tkeyname: "hot:1"\nhot key found with rate: [\d.]+\/s\taccesses: 31\tkeyname: "hot:2"\nhot key found with rate: [\d.]+\/s\taccesses: 11\tkeyname: "hot:3"\n$/,
      );
      const pat = await shoal(['hotkeys', '-p', String(port), '--pattern', 'hot:[23]']);
      assert.match(pat.stdout, /Tracked hot keys reported: 2\n.*"hot:2"\n.*"hot:3"\n$/);
      // --freq forces the OBJECT FREQ survey, which needs an LFU policy.
      const freq = await shoal(['hotkeys', '-p', String(port), '--freq']);
      assert.equal(freq.code, 1);
      assert.match(freq.stderr, /Error: ERR An LFU maxmemory policy is not selected/);
    } finally {
      await r.config('SET', 'hotkeys-tracking', 'no');
      r.disconnect();
    }
  });

  it('hotkeys falls back to SCAN + OBJECT FREQ when tracking is off (LFU policy)', async () => {
    const r = new Redis({ port, lazyConnect: true });
    await r.connect();
    try {
      await r.flushall();
      // lfu-log-factor 0: every access increments the counter, so counts are exact (5 + n).
      await r.config('SET', 'maxmemory-policy', 'allkeys-lfu', 'lfu-log-factor', '0', 'lfu-decay-time', '0');
      await hotLoad(port);
      const run = await shoal(['hotkeys', '-p', String(port), '--count', '3']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /# HOTKEYS: ERR hot key tracking is off; turn it on with CONFIG SET hotkeys-tracking yes\n# Falling back to SCAN \+ OBJECT FREQ\.\n/);
      checkFreqReport(run);
    } finally {
      await r.config('SET', 'maxmemory-policy', 'noeviction', 'lfu-log-factor', '10', 'lfu-decay-time', '1');
      r.disconnect();
    }
  });

  it('errors: refused connection, bad options, NOAUTH', async () => {
    const dead = await freePort();
    const refused = await shoal(['bigkeys', '-p', String(dead)]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `Could not connect to Redis at 127.0.0.1:${dead}: Connection refused\n`);
    const bad = await shoal(['hotkeys', '--memkeys']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Unrecognized option or bad number of args for: '--memkeys'\n\nUsage: shoal hotkeys/);
    const badDb = await shoal(['bigkeys', '-p', String(port), '-n', '99']);
    assert.equal(badDb.code, 1);
    assert.match(badDb.stderr, /^Error: SELECT 99 failed: ERR DB index is out of range\n$/);
    const help = await shoal(['bigkeys', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: shoal bigkeys \[options\]/);
    const r = new Redis({ port, lazyConnect: true });
    await r.connect();
    try {
      await r.config('SET', 'requirepass', 'sekret');
      const noauth = await shoal(['bigkeys', '-p', String(port)]);
      assert.equal(noauth.code, 1);
      assert.match(noauth.stderr, /NOAUTH Authentication required/);
      const wrong = await shoal(['bigkeys', '-p', String(port), '-a', 'nope']);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /WRONGPASS/);
      const authed = await shoal(['bigkeys', '-p', String(port), '-a', 'sekret']);
      assert.equal(authed.code, 0, authed.stderr);
      const userAuthed = await shoal(['bigkeys', '-p', String(port), '--user', 'default', '-a', 'sekret']);
      assert.equal(userAuthed.code, 0, userAuthed.stderr);
    } finally {
      await r.config('SET', 'requirepass', '');
      r.disconnect();
    }
  });
});

/** The OBJECT FREQ report for hotLoad() with lfu-log-factor 0 (counter = 5 + reads). */
function checkFreqReport(run: Run): void {
  assert.match(run.stdout, /^\n# Scanning the entire keyspace to find hot keys as well as\n/);
  assert.match(run.stdout, /\[\d\d\.\d\d%\] Hot key '"hot:1"' found so far with counter 55\n/);
  assert.match(
    run.stdout,
    /Sampled 103 keys in the keyspace!\nhot key found with counter: 55\tkeyname: "hot:1"\nhot key found with counter: 35\tkeyname: "hot:2"\nhot key found with counter: 15\tkeyname: "hot:3"\n$/,
  );
}

const skipRedis = requireRedis();

describe('shoal bigkeys / hotkeys against redis-server', { skip: skipRedis }, () => {
  let redis: RedisInstance | null = null;
  const port = (): number => (redis as RedisInstance).port;

  before(async () => {
    redis = await startRedis();
    await populate(port());
  });
  after(async () => {
    await redis?.stop();
  });

  it('bigkeys: the same report as against Shoal', async () => {
    checkBigkeys(await shoal(['bigkeys', '-p', String(port())]));
  });

  checkOtherOptions('redis', port);

  it('hotkeys: no HOTKEYS command, so SCAN + OBJECT FREQ; needs an LFU policy', async () => {
    const r = new Redis({ port: port(), lazyConnect: true });
    await r.connect();
    try {
      await r.flushall();
      await hotLoad(port());
      const lru = await shoal(['hotkeys', '-p', String(port())]);
      assert.equal(lru.code, 1);
      assert.doesNotMatch(lru.stderr, /HOTKEYS/);
      assert.match(lru.stderr, /Error: ERR An LFU maxmemory policy is not selected/);
      await r.flushall();
      await r.config('SET', 'maxmemory-policy', 'allkeys-lfu', 'lfu-log-factor', '0', 'lfu-decay-time', '0');
      await hotLoad(port());
      const run = await shoal(['hotkeys', '-p', String(port()), '--count', '3']);
      assert.equal(run.code, 0, run.stderr);
      checkFreqReport(run);
    } finally {
      r.disconnect();
    }
  });
});
