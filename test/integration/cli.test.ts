// Multi-process tests: `shoal server` started as a real process the way the README starts it,
// driven by the real redis-cli (with arguments and interactively) and redis-benchmark, then
// stopped with a real signal. Needs redis-tools (redis-cli, redis-benchmark): required in CI,
// skipped with a visible message elsewhere.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPing } from '../helpers/redis.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const shoalBin = join(root, 'bin', 'shoal.js');

function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}
const toolsMissing = !haveTool('redis-cli') || !haveTool('redis-benchmark');
if (toolsMissing && process.env.CI) throw new Error('redis-cli / redis-benchmark missing: required in CI');
const skip = toolsMissing ? 'redis-tools not installed: CLI integration tests skipped' : false;

interface Node {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startNode(args: string[]): Promise<Node> {
  const port = await freePort();
  const proc = spawn(process.execPath, [shoalBin, 'server', ...args, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  await waitForPing(port, { deadlineMs: 15000, exited: () => proc.exitCode !== null });
  return { proc, port, output: () => out, exited };
}

function cli(port: number, args: string[], input?: string): string {
  const r = spawnSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'utf8', timeout: 20000 });
  if (r.error) throw r.error;
  return r.stdout;
}

describe('shoal server as a process', { skip }, () => {
  let node: Node;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
    node = await startNode(['--save', '', '--loglevel', 'notice']);
  });

  after(async () => {
    if (node && node.proc.exitCode === null) {
      node.proc.kill('SIGKILL');
      await node.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers redis-cli given arguments', () => {
    assert.equal(cli(node.port, ['set', 'greeting', 'hello', 'EX', '100']).trim(), 'OK');
    assert.equal(cli(node.port, ['get', 'greeting']).trim(), 'hello');
    assert.equal(cli(node.port, ['incrby', 'counter', '5']).trim(), '5');
    assert.match(cli(node.port, ['ttl', 'greeting']).trim(), /^(99|100)$/);
    assert.match(cli(node.port, ['info', 'keyspace']), /db0:keys=2,expires=1/);
    assert.equal(cli(node.port, ['nosuchcmd', 'x']).trim(), "ERR unknown command 'nosuchcmd', with args beginning with: 'x'");
  });

  it('answers redis-cli used interactively (commands on stdin)', () => {
    const out = cli(node.port, [], 'set inter "a b"\nget inter\nstrlen inter\nping\n');
    assert.deepEqual(out.trim().split('\n'), ['OK', 'a b', '3', 'PONG']);
  });

  it('supports redis-cli --scan and -n (database selection)', () => {
    cli(node.port, ['-n', '3', 'mset', 'scan:1', 'a', 'scan:2', 'b', 'other', 'c']);
    const keys = cli(node.port, ['-n', '3', '--scan', '--pattern', 'scan:*']).trim().split('\n').sort();
    assert.deepEqual(keys, ['scan:1', 'scan:2']);
  });

  it('serves redis-benchmark, and the dataset is what the benchmark wrote', () => {
    cli(node.port, ['flushall']);
    const r = spawnSync(
      'redis-benchmark',
      ['-p', String(node.port), '-t', 'set,get,incr,mset', '-n', '20000', '-c', '20', '-P', '8', '-r', '1000', '--csv'],
      { encoding: 'utf8', timeout: 120000 },
    );
    assert.equal(r.status, 0, r.stderr);
    for (const t of ['SET', 'GET', 'INCR', 'MSET']) assert.match(r.stdout, new RegExp(`"${t}[^"]*","[0-9.]+"`));
    // -r 1000 writes keys key:000000000000 .. key:000000000999 and counter:* — never more.
    const dbsize = Number(cli(node.port, ['dbsize']).trim());
    assert.ok(dbsize > 0 && dbsize <= 2001, `dbsize ${dbsize}`);
    assert.equal(cli(node.port, ['exists', 'key:__rand_int__']).trim(), '0');
  });

  it('shuts down cleanly on SIGTERM and logs it', async () => {
    node.proc.kill('SIGTERM');
    const code = await node.exited;
    assert.equal(code, 0);
    assert.match(node.output(), /Received SIGTERM scheduling shutdown/);
    assert.match(node.output(), /ready to exit, bye bye/);
  });
});

describe('shoal server configuration from a file and flags', { skip }, () => {
  it('reads a redis.conf-style file, lets flags override it, and rewrites it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-conf-'));
    const conf = join(dir, 'shoal.conf');
    writeFileSync(conf, '# test config\ndatabases 4\nmaxclients 77\nrequirepass "s3cret"\nsave ""\n');
    const node = await startNode([conf, '--maxclients', '88']);
    try {
      assert.match(cli(node.port, ['get', 'x']), /NOAUTH Authentication required/);
      const auth = ['-a', 's3cret', '--no-auth-warning'];
      assert.deepEqual(cli(node.port, [...auth, 'config', 'get', 'maxclients']).trim().split('\n'), ['maxclients', '88']);
      assert.deepEqual(cli(node.port, [...auth, 'config', 'get', 'databases']).trim().split('\n'), ['databases', '4']);
      assert.match(cli(node.port, [...auth, 'select', '4']), /ERR DB index is out of range/);
      assert.equal(cli(node.port, [...auth, 'config', 'set', 'maxclients', '99']).trim(), 'OK');
      assert.equal(cli(node.port, [...auth, 'config', 'rewrite']).trim(), 'OK');
      const text = readFileSync(conf, 'utf8');
      assert.match(text, /^maxclients 99$/m);
      assert.match(text, /^# test config$/m);
    } finally {
      node.proc.kill('SIGTERM');
      await node.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad config file with the line and the reason, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-conf-'));
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, 'port 6390\nmaxmemory lots\n');
    try {
      const r = spawnSync(process.execPath, [shoalBin, 'server', conf], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /FATAL CONFIG FILE ERROR/);
      assert.match(r.stderr, /line 2/);
      assert.match(r.stderr, /maxmemory lots/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
