// A `shoal server` process started with --maxmemory 64mb (and the 512 MB heap the launcher
// sizes for it) under a sustained write load of twice that (redis-benchmark SETs of 1 KB
// values, then pipelined HSETs into many hashes): the
// accounted memory (INFO used_memory, and its peak) never passes maxmemory by more than
// MARGIN, keys are evicted, and the process survives and keeps answering.
//
// MARGIN: eviction runs before every command, so the overshoot is what one command adds before
// the next check (a record, an index partition growing, a metadata chunk of 64K entries:
// 768 KB). Measured on a 2-core machine: peak 2-17 KB over the limit (1 KB and 100 B values,
// -P 16 -c 50); 1 MB allows for a metadata chunk landing on the last command.
//
// Needs redis-benchmark (redis-tools): required in CI, skipped with a visible message elsewhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, waitForPing } from '../helpers/redis.js';

/** The compiled CLI entry point beside this compiled test (dist/ or any other output dir). */
const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

const MB = 1024 * 1024;
const MAXMEMORY = 64 * MB;
const MARGIN = 1 * MB;

const missing = spawnSync('sh', ['-c', 'command -v redis-benchmark']).status !== 0;
if (missing && process.env.CI) throw new Error('redis-benchmark missing: required in CI');
const skip = missing ? 'redis-benchmark not installed: maxmemory load test skipped' : false;

async function info(io: Redis, section: string, name: string): Promise<number> {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(await io.info(section));
  assert.ok(m !== null, `INFO ${section} has ${name}`);
  return Number(m[1]);
}

describe('shoal server --maxmemory 64mb under twice that much writing', { skip }, () => {
  let proc: ChildProcess;
  let port: number;
  let exited: Promise<unknown>;
  let io: Redis;

  before(async () => {
    port = await freePort();
    proc = spawn(
      process.execPath,
      // The heap the launcher's policy gives maxmemory 64mb (max(2 * 64 + 256, 512) MB).
      ['--max-old-space-size=512', mainJs, 'server', '--port', String(port), '--save', '', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    exited = new Promise((r) => proc.on('exit', r));
    await waitForPing(port, { deadlineMs: 15000, exited: () => proc.exitCode !== null });
    io = new Redis({ port, lazyConnect: false });
  });

  after(async () => {
    io?.disconnect();
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });

  /** Polls used_memory every 50 ms until `done` resolves; returns the highest value seen. */
  async function watchUsed(done: Promise<unknown>): Promise<number> {
    let finished = false;
    void done.finally(() => (finished = true));
    let max = 0;
    for (let i = 0; i < 20_000 && !finished; i++) {
      max = Math.max(max, await info(io, 'memory', 'used_memory'));
      await new Promise((r) => setTimeout(r, 50));
    }
    return max;
  }

  it('redis-benchmark SETs of 128 MB: used_memory stays within maxmemory + margin', async (t) => {
    assert.equal(await info(io, 'memory', 'maxmemory'), MAXMEMORY);
    const bench = new Promise<number | null>((resolve, reject) => {
      const b = spawn('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', '130000', '-d', '1000', '-r', '100000000', '-P', '16', '-q'], {
        stdio: 'ignore',
      });
      const timer = setTimeout(() => b.kill('SIGKILL'), 120_000);
      b.on('error', reject);
      b.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const maxSeen = await watchUsed(bench);
    assert.equal(await bench, 0, 'redis-benchmark finished');
    const used = await info(io, 'memory', 'used_memory');
    const peak = await info(io, 'memory', 'used_memory_peak');
    t.diagnostic(`peak ${peak - MAXMEMORY} bytes over maxmemory; highest polled ${maxSeen - MAXMEMORY}`);
    assert.ok(maxSeen <= MAXMEMORY + MARGIN, `used_memory seen during the load: ${maxSeen}`);
    assert.ok(used <= MAXMEMORY + MARGIN, `used_memory after the load: ${used}`);
    assert.ok(peak <= MAXMEMORY + MARGIN, `used_memory_peak: ${peak} (${peak - MAXMEMORY} over)`);
    assert.ok(used > MAXMEMORY / 2, 'the dataset fills the limit rather than being emptied');
    assert.ok((await info(io, 'stats', 'evicted_keys')) > 30_000);
    const keys = await io.dbsize();
    assert.ok(keys > 20_000 && keys < 130_000, `${keys} keys kept`);
    assert.equal(await io.ping(), 'PONG');
    assert.equal(proc.exitCode, null, 'the process is alive');
  });

  it('pipelined HSETs of 128 MB into many hashes: aggregates are accounted and evicted', async (t) => {
    await io.flushall();
    const value = 'v'.repeat(1000);
    const writes = (async () => {
      for (let k = 0; k < 640; k++) {
        const p = io.pipeline();
        for (let f = 0; f < 200; f++) p.hset(`hash:${k}`, `field:${f}`, value);
        await p.exec();
      }
    })();
    const maxSeen = await watchUsed(writes);
    await writes;
    const peak = await info(io, 'memory', 'used_memory_peak');
    const used = await info(io, 'memory', 'used_memory');
    t.diagnostic(`peak ${peak - MAXMEMORY} bytes over maxmemory; highest polled ${maxSeen - MAXMEMORY}`);
    assert.ok(maxSeen <= MAXMEMORY + MARGIN, `used_memory seen during the load: ${maxSeen}`);
    assert.ok(peak <= MAXMEMORY + MARGIN, `used_memory_peak: ${peak}`);
    assert.ok(used > MAXMEMORY / 2);
    const keys = await io.dbsize();
    assert.ok(keys > 100 && keys < 640, `${keys} hashes kept of 640`);
    assert.equal(await io.hlen('hash:639'), 200, 'the most recent hash is whole');
    assert.equal(proc.exitCode, null, 'the process is alive');
  });
});
