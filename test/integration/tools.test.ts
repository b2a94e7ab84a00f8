// Multi-process tests: the real redis-cli's tool modes (--pipe mass insertion, --bigkeys,
// --memkeys, --scan, -r repetition, --csv, -3, --rdb, --replica) against `shoal server`
// started as a process.
// Needs redis-cli (redis-tools): required in CI, skipped with a visible message elsewhere.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPing } from '../helpers/redis.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const shoalBin = join(root, 'bin', 'shoal.js');

const cliMissing = spawnSync('sh', ['-c', 'command -v redis-cli']).status !== 0;
if (cliMissing && process.env.CI) throw new Error('redis-cli missing: required in CI');
const skip = cliMissing ? 'redis-cli not installed: redis-cli tool-mode tests skipped' : false;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs redis-cli against port with args (and optional stdin), bounded in time. */
function cli(port: number, args: string[], input?: string | Buffer): Run {
  const r = spawnSync('redis-cli', ['-p', String(port), ...args], { input, encoding: 'utf8', timeout: 30000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** RESP-encoded SET commands for key:0 .. key:n-1, as a mass-insertion file holds them. */
function setProtocol(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `mass:${i}`;
    const v = `value-${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

describe('redis-cli tool modes against shoal server', { skip }, () => {
  let proc: ChildProcess;
  let port: number;
  let exited: Promise<unknown>;

  before(async () => {
    port = await freePort();
    proc = spawn(process.execPath, [shoalBin, 'server', '--port', String(port), '--save', ''], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    exited = new Promise((r) => proc.on('exit', r));
    await waitForPing(port, { deadlineMs: 15000, exited: () => proc.exitCode !== null });
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });

  it('--pipe inserts 10k SETs, reports no errors, and DBSIZE counts them', () => {
    cli(port, ['flushall']);
    // --pipe ends with an ECHO of random bytes and waits for its reply: the whole stream
    // must be answered, in order, for it to exit 0.
    const r = cli(port, ['--pipe'], setProtocol(10000));
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /errors: 0, replies: 10000/);
    assert.equal(cli(port, ['dbsize']).stdout.trim(), '10000');
    assert.equal(cli(port, ['get', 'mass:9999']).stdout.trim(), 'value-9999');
  });

  it('--pipe counts error replies and exits 1', () => {
    const r = cli(port, ['--pipe'], 'SET p 1\r\nINCR p\r\nNOSUCHCMD\r\nINCRBY p x\r\n');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /errors: 2, replies: 4/);
    assert.equal(cli(port, ['get', 'p']).stdout.trim(), '2');
  });

  it('--bigkeys and --memkeys name the biggest string key', () => {
    cli(port, ['flushall']);
    cli(port, ['mset', 'small', 'a', 'medium', 'x'.repeat(40), 'the:biggest', 'y'.repeat(3000), 'num', '12345']);
    const big = cli(port, ['--bigkeys']);
    assert.equal(big.status, 0, big.stderr);
    assert.match(big.stdout, /Biggest string found '"the:biggest"' has 3000 bytes/);
    assert.match(big.stdout, /Sampled 4 keys in the keyspace!/);
    assert.match(big.stdout, /4 strings with 3046 bytes/);
    // --memkeys sizes keys with MEMORY USAGE: same figures as Redis 7.0 (3000-byte raw value:
    // 16-byte object + 3072-byte sds; key 16; dict entry 24).
    const mem = cli(port, ['--memkeys']);
    assert.equal(mem.status, 0, mem.stderr);
    assert.doesNotMatch(mem.stdout + mem.stderr, /MEMORY USAGE on .* failed/);
    assert.match(mem.stdout, /Biggest string found '"the:biggest"' has 3128 bytes/);
  });

  it('--scan --pattern lists exactly the matching keys, also with -n', () => {
    cli(port, ['flushall']);
    cli(port, ['-n', '2', 'mset', 'user:1', 'a', 'user:2', 'b', 'order:1', 'c']);
    const keys = cli(port, ['-n', '2', '--scan', '--pattern', 'user:*']).stdout.trim().split('\n').sort();
    assert.deepEqual(keys, ['user:1', 'user:2']);
    assert.equal(cli(port, ['--scan', '--pattern', 'user:*']).stdout.trim(), '');
  });

  it('-r N -i S repeats a command', () => {
    cli(port, ['del', 'rep']);
    const r = cli(port, ['-r', '5', '-i', '0.01', 'incr', 'rep']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['1', '2', '3', '4', '5']);
  });

  it('--csv and --raw / --no-raw formats', () => {
    cli(port, ['mset', 'c1', 'a b', 'c2', '7']);
    assert.equal(cli(port, ['--csv', 'mget', 'c1', 'c2', 'nokey']).stdout.trim(), '"a b","7",NULL');
    assert.equal(cli(port, ['--raw', 'mget', 'c1', 'c2']).stdout, 'a b\n7\n');
    assert.equal(cli(port, ['--no-raw', 'mget', 'c1', 'nokey']).stdout, '1) "a b"\n2) (nil)\n');
  });

  it('-3 speaks RESP3: maps, and MEMORY STATS nests a map per database', () => {
    cli(port, ['set', 'r3', 'v']);
    const hello = cli(port, ['-3', '--no-raw', 'hello', '3']).stdout;
    assert.match(hello, /^1# "server" => "redis"\n/);
    assert.match(hello, /3# "proto" => \(integer\) 3\n/);
    const stats = cli(port, ['-3', '--no-raw', 'memory', 'stats']).stdout;
    assert.match(stats, /^ 1# "peak\.allocated" => \(integer\) \d+\n/);
    assert.match(stats, /"db\.0" => \n {4}1# "overhead\.hashtable\.main" => \(integer\) \d+\n/);
    assert.match(stats, /"fragmentation" => \(double\) [\d.]+\n/);
    assert.equal(cli(port, ['-3', '--no-raw', 'memory', 'usage', 'r3']).stdout, '(integer) 64\n');
  });

  it('--rdb saves the dataset through a full sync, into a file another node loads', async () => {
    cli(port, ['config', 'set', 'repl-diskless-sync-delay', '0']);
    cli(port, ['set', 'rdb:str', 'hello']);
    cli(port, ['rpush', 'rdb:list', 'a', 'b', 'c']);
    cli(port, ['set', 'rdb:ttl', 'v', 'EX', '1000']);
    const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-rdb-'));
    const r = cli(port, ['--rdb', join(dir, 'snap.rdb')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /Transfer finished with success after \d+ bytes/);
    assert.equal(readFileSync(join(dir, 'snap.rdb')).subarray(0, 5).toString('latin1'), 'REDIS');
    // The file is a dump another node starts from.
    copyFileSync(join(dir, 'snap.rdb'), join(dir, 'dump.rdb'));
    const port2 = await freePort();
    const p2 = spawn(process.execPath, [shoalBin, 'server', '--port', String(port2), '--save', '', '--dir', dir], { stdio: 'ignore' });
    const exited2 = new Promise((res) => p2.on('exit', res));
    try {
      await waitForPing(port2, { deadlineMs: 15000, exited: () => p2.exitCode !== null });
      assert.equal(cli(port2, ['get', 'rdb:str']).stdout, 'hello\n');
      assert.equal(cli(port2, ['lrange', 'rdb:list', '0', '-1']).stdout, 'a\nb\nc\n');
      assert.ok(Number(cli(port2, ['ttl', 'rdb:ttl']).stdout) > 900);
    } finally {
      p2.kill('SIGKILL');
      await exited2;
    }
  });

  it('--replica prints the commands the master propagates after its sync', async () => {
    cli(port, ['config', 'set', 'repl-diskless-sync-delay', '0']);
    const rep = spawn('redis-cli', ['-p', String(port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exitedRep = new Promise((res) => rep.on('exit', res));
    let out = '';
    rep.stdout.on('data', (b: Buffer) => (out += b.toString('latin1')));
    rep.stderr.on('data', (b: Buffer) => (out += b.toString('latin1')));
    const waitFor = async (re: RegExp, what: string): Promise<void> => {
      for (const t0 = Date.now(); !re.test(out); ) {
        if (Date.now() - t0 > 15000) throw new Error(`redis-cli --replica: no ${what} in ${JSON.stringify(out)}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    try {
      // The diskless payload is skipped up to its EOF mark; then the stream is printed.
      await waitFor(/SYNC with master, discarding bytes of bulk transfer until EOF marker\.\.\.\n/, 'sync line');
      await waitFor(/SYNC done after \d+ bytes\. Logging commands from master\.\n/, 'logging line');
      cli(port, ['set', 'replica:k', 'v1']);
      cli(port, ['incr', 'replica:n']);
      await waitFor(/"set","replica:k","v1"\n/, 'SET');
      await waitFor(/"incr","replica:n"\n/, 'INCR');
      // The link shows as a replica of the master while it lasts.
      assert.match(cli(port, ['info', 'replication']).stdout, /connected_slaves:1\r?\n/);
    } finally {
      rep.kill('SIGKILL');
      await exitedRep;
    }
  });
});
