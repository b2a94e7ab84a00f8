// `shoal up`, the local playground, as a user runs it: it starts a master, two replicas and three
// sentinels as processes, prints where they are, reports the failover when the master is killed
// (kill -9), and on SIGTERM stops every process it started and exits 0.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SHOAL_MAIN } from '../helpers/shoal-process.js';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/redis.js';

/** True if nothing listens on 127.0.0.1:port (a listen there succeeds). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port with the `n - 1` ports after it free too. */
async function freeRun(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = await freePort();
    if (base + n > 65535) continue;
    let ok = true;
    for (let i = 1; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error('no run of free ports');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shoal up', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-up-'));
  const pids: number[] = [];
  after(() => {
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a master, replicas and sentinels, reports a failover, and stops them all on SIGTERM', async () => {
    const port = await freeRun(3);
    const sport = await freeRun(3);
    const upProc = spawn(
      process.execPath,
      [SHOAL_MAIN, 'up', '--port', String(port), '--sentinel-port', String(sport), '--dir', dir, '--down-after', '2000', '--name', 'play'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    upProc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    upProc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => upProc.once('exit', (code) => r(code)));
    if (upProc.pid !== undefined) pids.push(upProc.pid);
    const wait = async (cond: () => boolean | Promise<boolean>, what: string, ms = 40_000): Promise<void> => {
      try {
        await until(cond, { what, ms, every: 100 });
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- shoal up ---\n${out}`);
      }
    };
    await wait(() => out.includes('Kill the master'), 'the playground to be up');
    const members = [...out.matchAll(/^\s+(master|replica|sentinel)\s+127\.0\.0\.1:(\d+)\s+pid (\d+)/gm)].map((m) => ({ role: m[1], port: Number(m[2]), pid: Number(m[3]) }));
    pids.push(...members.map((m) => m.pid));
    assert.deepEqual(
      members.map((m) => `${m.role}:${m.port}`),
      [`master:${port}`, `replica:${port + 1}`, `replica:${port + 2}`, `sentinel:${sport}`, `sentinel:${sport + 1}`, `sentinel:${sport + 2}`],
    );
    const s = new Redis({ port: sport });
    s.on('error', () => undefined);
    try {
      assert.deepEqual(await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'play'), ['127.0.0.1', String(port)]);
      await wait(async () => ((await s.call('SENTINEL', 'REPLICAS', 'play')) as unknown[]).length === 2, 'the sentinels to find both replicas');
      await wait(async () => ((await s.call('SENTINEL', 'SENTINELS', 'play')) as unknown[]).length === 2, 'the sentinels to find each other');
      process.kill(members[0]?.pid as number, 'SIGKILL');
      await wait(() => /failover: the master of play is now 127\.0\.0\.1:\d+/.test(out), 'the failover report', 60_000);
      const now = /failover: the master of play is now 127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      assert.ok(now === String(port + 1) || now === String(port + 2), out);
      assert.match(out, new RegExp(`master on port ${port} \\(pid \\d+\\) exited \\(SIGKILL\\)`));
    } finally {
      s.disconnect();
    }
    upProc.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /Stopped\./);
    for (const m of members) assert.equal(alive(m.pid), false, `${m.role} ${m.port} stopped`);
  });
});
