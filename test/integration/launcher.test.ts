// The `shoal server` launcher (src/cli/launch.ts): the heap policy as pure functions, then
// `bin/shoal.js server` as a real process — the heap limit it logs, the re-exec (node pid !=
// launcher pid), signals forwarded to the node, the node's exit when the launcher is SIGKILLed,
// the SHOAL_HEAP_MB override, config from stdin across the re-exec and the exit status.
// Every process is started here, tracked by pid and SIGKILLed in `after` if still alive.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { freePort, waitForPing } from '../helpers/redis.js';
import {
  cgroupMemoryLimit,
  heapLogLine,
  heapWarning,
  oldSpaceFlag,
  planHeap,
  policyHeapMb,
  systemMemory,
  HeapConfigError,
  type MemoryInfo,
} from '../../src/cli/launch.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const shoalBin = join(root, 'bin', 'shoal.js');
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Policy (pure)

describe('heap policy', () => {
  it('sizes the heap as clamp(2*maxmemory + 256 MB, 512 MB, 75% of memory)', () => {
    assert.equal(policyHeapMb(100 * MB, 24000), 512);
    assert.equal(policyHeapMb(1024 * MB, 24000), 2304);
    assert.equal(policyHeapMb(1024 * MB + 1, 24000), 2305); // rounds up
    assert.equal(policyHeapMb(20 * 1024 * MB, 24000), 18000); // capped at 75%
    assert.equal(policyHeapMb(100 * MB, 400), 300); // the cap wins over the floor
  });

  it('with maxmemory 0 asks for 1 GB (the default limit serves), at most 75%', () => {
    assert.equal(policyHeapMb(0, 24000), 1024);
    assert.equal(policyHeapMb(0, 1500), 1024);
    assert.equal(policyHeapMb(0, 1000), 750);
  });

  it('reads the cgroup limit (v2 and v1, own path and mount root), the smallest wins', () => {
    const fake = (files: Record<string, string>) => (p: string) => files[p] ?? null;
    assert.equal(cgroupMemoryLimit(fake({})), null);
    assert.equal(cgroupMemoryLimit(fake({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/memory.max': 'max\n' })), null);
    assert.equal(
      cgroupMemoryLimit(fake({ '/proc/self/cgroup': '0::/app.slice\n', '/sys/fs/cgroup/app.slice/memory.max': '2147483648\n' })),
      2 * 1024 * MB,
    );
    const v1 = '4:memory:/docker/abc\n0::/\n';
    assert.equal(
      cgroupMemoryLimit(fake({ '/proc/self/cgroup': v1, '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' })),
      null, // v1's "unlimited"
    );
    assert.equal(
      cgroupMemoryLimit(
        fake({
          '/proc/self/cgroup': v1,
          '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(3 * 1024 * MB),
          '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(1024 * MB),
        }),
      ),
      1024 * MB,
    );
    const mem = systemMemory(24 * 1024 * MB, 2 * 1024 * MB);
    assert.deepEqual(mem, { totalMb: 24 * 1024, cgroupMb: 2048, availableMb: 2048 });
    assert.equal(systemMemory(8 * 1024 * MB, null).availableMb, 8192);
  });

  it('finds --max-old-space-size among node options (last wins, either spelling)', () => {
    assert.equal(oldSpaceFlag([]), null);
    assert.equal(oldSpaceFlag(['--inspect', '--max-old-space-size=100', '--max_old_space_size=200']), 200);
    assert.equal(oldSpaceFlag(['--max-old-space-size']), null);
  });

  const memory: MemoryInfo = { totalMb: 24000, cgroupMb: null, availableMb: 24000 };
  const base = { maxmemory: 0, memory, env: {}, execArgv: [], heapLimitBytes: 4144 * MB };

  it('re-executes only when the running limit is below the policy', () => {
    const none = planHeap(base);
    assert.deepEqual([none.source, none.heapMb, none.relaunch], ['policy', 1024, false]);
    const big = planHeap({ ...base, maxmemory: 4096 * MB });
    assert.deepEqual([big.source, big.heapMb, big.relaunch], ['policy', 8448, true]);
    const small = planHeap({ ...base, maxmemory: 100 * MB });
    assert.deepEqual([small.source, small.heapMb, small.relaunch], ['policy', 512, false]);
    assert.equal(planHeap({ ...base, maxmemory: 4096 * MB, heapLimitBytes: 8500 * MB }).relaunch, false);
  });

  it('SHOAL_HEAP_MB wins over everything; a node flag wins over the policy; launched never re-executes', () => {
    const env = planHeap({ ...base, env: { SHOAL_HEAP_MB: '600', NODE_OPTIONS: '--max-old-space-size=900' } });
    assert.deepEqual([env.source, env.heapMb, env.relaunch], ['env', 600, true]);
    const same = planHeap({ ...base, env: { SHOAL_HEAP_MB: '600' }, execArgv: ['--max-old-space-size=600'] });
    assert.equal(same.relaunch, false);
    const flag = planHeap({ ...base, env: { NODE_OPTIONS: '--enable-source-maps --max-old-space-size=900' } });
    assert.deepEqual([flag.source, flag.heapMb, flag.relaunch], ['node-flag', 900, false]);
    const argv = planHeap({ ...base, env: { NODE_OPTIONS: '--max-old-space-size=900' }, execArgv: ['--max-old-space-size=700'] });
    assert.equal(argv.heapMb, 700); // node's command line is applied after NODE_OPTIONS
    // In the launched child, --max-old-space-size in execArgv is the launcher's own.
    const child = planHeap({ ...base, maxmemory: 4096 * MB, env: { SHOAL_LAUNCHED: '1' }, execArgv: ['--max-old-space-size=8448'] });
    assert.deepEqual([child.source, child.heapMb, child.relaunch], ['policy', 8448, false]);
    for (const bad of ['0', '-5', '1.5', 'lots', '12mb']) {
      assert.throws(() => planHeap({ ...base, env: { SHOAL_HEAP_MB: bad } }), HeapConfigError, bad);
    }
  });

  it('formats the startup line and warns when an override is below the policy', () => {
    const plan = planHeap({ ...base, maxmemory: 100 * MB });
    assert.equal(heapLogLine(plan, 4144 * MB), 'Heap limit 4144 MB (maxmemory 100.00M, system memory 24000 MB; policy minimum 512 MB)');
    const cg = planHeap({ ...base, memory: { totalMb: 24000, cgroupMb: 2048, availableMb: 2048 } });
    assert.equal(heapLogLine(cg, 1084 * MB), 'Heap limit 1084 MB (maxmemory 0, system memory 24000 MB, cgroup limit 2048 MB; policy minimum 1024 MB)');
    const low = planHeap({ ...base, env: { SHOAL_HEAP_MB: '600' } });
    assert.match(heapLogLine(low, 648 * MB), /; SHOAL_HEAP_MB=600\)$/);
    assert.match(heapWarning(low) ?? '', /SHOAL_HEAP_MB \(600 MB\) is below the 1024 MB/);
    assert.equal(heapWarning(plan), null);
  });
});

// ---------------------------------------------------------------------------------------------
// The launcher as a process

/** Alive and not a zombie (an orphan's zombie may linger if pid 1 does not reap). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves true once a TCP connect to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

async function until(what: string, cond: () => boolean | Promise<boolean>, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const started = new Set<number>();
after(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

interface Launched {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pid the node logged ("pid=N, just started"): the launcher's own, or its child's. */
  nodePid: number;
  /** Figures from the "Heap limit" line. */
  heapLimitMb: number;
  heapLine: string;
}

interface LaunchOptions {
  env?: Record<string, string>;
  /** Own process group, so the test can signal launcher and node together like a terminal. */
  detached?: boolean;
  /** Written to the launcher's stdin (for `shoal server -`). */
  stdin?: string;
  /** Resolve after exit instead of waiting for PING (for startups that fail). */
  expectExit?: boolean;
}

/** The test's environment minus anything that would steer the heap plan. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['SHOAL_LAUNCHED'];
  if (extra['SHOAL_HEAP_MB'] === undefined) delete env['SHOAL_HEAP_MB'];
  return env;
}

function spawnLauncher(args: string[], opts: LaunchOptions): { proc: ChildProcess; output: () => string; exited: Launched['exited'] } {
  const proc = spawn(process.execPath, [shoalBin, 'server', ...args], {
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: cleanEnv(opts.env),
    detached: opts.detached === true,
  });
  if (proc.pid !== undefined) started.add(proc.pid);
  if (opts.stdin !== undefined) proc.stdin?.end(opts.stdin);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.on('exit', (code, signal) => r({ code, signal })),
  );
  return { proc, output: () => out, exited };
}

async function launch(extraArgs: string[], opts: LaunchOptions = {}): Promise<Launched> {
  const port = await freePort();
  const args = [...extraArgs, '--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  const { proc, output, exited } = spawnLauncher(args, opts);
  await waitForPing(port, { deadlineMs: 8000, exited: () => proc.exitCode !== null || proc.signalCode !== null });
  const pidMatch = /pid=(\d+), just started/.exec(output());
  const heapMatch = /Heap limit (\d+) MB \(.*\)$/m.exec(output());
  assert.ok(pidMatch?.[1] !== undefined && heapMatch?.[1] !== undefined, `startup lines missing:\n${output()}`);
  const nodePid = Number(pidMatch[1]);
  started.add(nodePid);
  return { proc, port, output, exited, nodePid, heapLimitMb: Number(heapMatch[1]), heapLine: heapMatch[0] };
}

const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

// The cases are independent (own ports, own processes), so they run side by side.
describe('shoal server launcher', { concurrency: 3 }, () => {
  it('applies the policy for --maxmemory 100mb, in-process when the default heap is already large enough', async () => {
    const n = await launch(['--maxmemory', '100mb']);
    try {
      const memory = systemMemory();
      const want = policyHeapMb(100 * MB, memory.availableMb);
      assert.match(n.heapLine, new RegExp(`\\(maxmemory 100\\.00M, system memory ${memory.totalMb} MB.*; policy minimum ${want} MB\\)`));
      assert.ok(n.heapLimitMb >= want, n.heapLine);
      // A fresh node with this environment has the same default limit as this test process.
      const reexec = v8.getHeapStatistics().heap_size_limit < want * MB;
      assert.equal(n.nodePid !== n.proc.pid, reexec, `node pid ${n.nodePid}, launcher pid ${n.proc.pid}`);
    } finally {
      n.proc.kill('SIGTERM');
      assert.deepEqual(await n.exited, { code: 0, signal: null });
    }
  });

  it('SHOAL_HEAP_MB re-executes node with that heap; SIGTERM to the launcher stops the node', async () => {
    const n = await launch(['--maxmemory', '100mb'], { env: { SHOAL_HEAP_MB: '600' } });
    assert.notEqual(n.nodePid, n.proc.pid);
    assert.match(n.heapLine, /; SHOAL_HEAP_MB=600\)$/);
    // heap_size_limit is the old space plus the young generation (48 MB by default).
    assert.ok(n.heapLimitMb >= 600 && n.heapLimitMb < 600 + 256, n.heapLine);
    n.proc.kill('SIGTERM');
    assert.deepEqual(await n.exited, { code: 0, signal: null });
    assert.ok(await refused(n.port), 'port still open');
    await until('node exit', () => !alive(n.nodePid));
    assert.equal(count(n.output(), /Received SIGTERM scheduling shutdown/), 1, n.output());
    assert.match(n.output(), /bye bye/);
  });

  it('the node exits soon after the launcher is SIGKILLed', async () => {
    const n = await launch([], { env: { SHOAL_HEAP_MB: '600' } });
    assert.notEqual(n.nodePid, n.proc.pid);
    n.proc.kill('SIGKILL');
    assert.equal((await n.exited).signal, 'SIGKILL');
    await until('node exit after launcher SIGKILL', () => !alive(n.nodePid));
    assert.ok(await refused(n.port), 'port still open');
    assert.match(n.output(), /Launcher process is gone/);
  });

  it('one Ctrl-C to the process group (launcher and node both signalled) is a clean shutdown', async () => {
    const n = await launch([], { env: { SHOAL_HEAP_MB: '600' }, detached: true });
    const pgid = n.proc.pid;
    assert.ok(pgid !== undefined && n.nodePid !== pgid);
    process.kill(-pgid, 'SIGINT');
    assert.deepEqual(await n.exited, { code: 0, signal: null });
    assert.equal(count(n.output(), /Received SIGINT scheduling shutdown/), 1, n.output());
    assert.doesNotMatch(n.output(), /You insist/);
    await until('node exit', () => !alive(n.nodePid));
  });

  it('replays config read from stdin to the re-executed node', async () => {
    const n = await launch(['-'], { env: { SHOAL_HEAP_MB: '600' }, stdin: 'maxmemory 100mb\ndatabases 3\n' });
    assert.notEqual(n.nodePid, n.proc.pid);
    assert.match(n.heapLine, /maxmemory 100\.00M/);
    n.proc.kill('SIGTERM');
    assert.deepEqual(await n.exited, { code: 0, signal: null });
  });

  it("exits with the node's exit status", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const { exited, output } = spawnLauncher(['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
        env: { SHOAL_HEAP_MB: '600' },
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 8000)));
      const r = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      assert.deepEqual(r, { code: 1, signal: null }, output());
      assert.match(output(), /Heap limit \d+ MB .*SHOAL_HEAP_MB=600/);
    } finally {
      blocker.close();
    }
  });

  it('rejects a bad SHOAL_HEAP_MB; version and help never look at it', () => {
    const env = cleanEnv({ SHOAL_HEAP_MB: 'lots' });
    const bad = spawnSync(process.execPath, [shoalBin, 'server', '--port', '0'], { env, encoding: 'utf8', timeout: 8000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /SHOAL_HEAP_MB must be a positive whole number of megabytes, got 'lots'/);
    for (const cmd of [['version'], ['help'], ['server', '--version']]) {
      const r = spawnSync(process.execPath, [shoalBin, ...cmd], { env, encoding: 'utf8', timeout: 8000 });
      assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Shoal|Usage/);
    }
  });
});
