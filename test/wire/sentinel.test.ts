// A sentinel in-process (startSentinel, what `shoal sentinel` runs): its command table and
// replies, the votes it casts, the hellos it reads, the state it writes to its config file and
// reads back, and its watch of real Shoal nodes (a master and its replica in-process; a master
// that never answers, which it takes down and tries to fail over). The failovers of real
// processes are in test/integration/sentinel.test.ts.

import { strict as assert } from 'node:assert';
import { after, before, describe, it, type TestContext } from 'node:test';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dns from 'node:dns/promises';
import { Redis } from 'ioredis';
import { startSentinel, type RunningServer } from '../../src/index.js';
import { startServer } from '../helpers/node.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/poll.js';
import { freePort } from '../helpers/redis.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function confFile(lines: string[]): string {
  const d = mkdtempSync(path.join(tmpdir(), 'shoal-sentinel-'));
  dirs.push(d);
  const f = path.join(d, 'sentinel.conf');
  writeFileSync(f, [`dir ${d}`, ...lines, ''].join('\n'));
  return f;
}

/** A SENTINEL MASTER / REPLICAS entry (flat field/value array) as an object. */
function fields(a: unknown): Record<string, string> {
  const arr = (a ?? []) as string[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < arr.length; i += 2) o[arr[i] as string] = arr[i + 1] as string;
  return o;
}

/** Collects the events a sentinel publishes (every channel). */
async function events(port: number): Promise<{ seen: string[]; close: () => void }> {
  const sub = new Redis({ port, lazyConnect: true });
  await sub.connect();
  const seen: string[] = [];
  sub.on('pmessage', (_p: string, ch: string, msg: string) => seen.push(`${ch} ${msg}`));
  await sub.psubscribe('*');
  return { seen, close: () => sub.disconnect() };
}

describe('sentinel commands', () => {
  let s: RunningServer;
  let c: Redis;
  let raw: RawClient;
  let file: string;
  // A master address nothing listens on: the sentinel keeps trying it.
  let deadPort: number;
  before(async () => {
    deadPort = await freePort();
    file = confFile([`sentinel monitor m1 127.0.0.1 ${deadPort} 2`, 'sentinel down-after-milliseconds m1 60000']);
    s = await startSentinel({ configFile: file });
    c = new Redis({ port: s.port });
    raw = await RawClient.connect(s.port);
  });
  after(async () => {
    c.disconnect();
    await raw.close();
    await s.close();
  });

  it('ROLE, MYID, INFO and HELLO are the sentinel forms; data commands are unknown', async () => {
    assert.deepEqual(await c.call('ROLE'), ['sentinel', ['m1']]);
    const id = (await c.call('SENTINEL', 'MYID')) as string;
    assert.match(id, /^[0-9a-f]{40}$/);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^sentinel myid ${id}$`, 'm'), 'the new id is saved');
    const info = (await c.call('INFO')) as string;
    const titles = info.split('\r\n').filter((l) => l.startsWith('# '));
    assert.deepEqual(titles, ['# Server', '# Clients', '# Stats', '# CPU', '# Sentinel']);
    assert.match(info, /redis_mode:sentinel\r\n/);
    assert.match(info, /sentinel_masters:1\r\nsentinel_tilt:0\r\nsentinel_tilt_since_seconds:-1\r\n/);
    assert.match(info, new RegExp(`master0:name=m1,status=ok,address=127\\.0\\.0\\.1:${deadPort},slaves=0,sentinels=1\\r\\n`));
    assert.deepEqual(((await c.call('INFO', 'keyspace', 'sentinel')) as string).split('\r\n')[0], '# Sentinel');
    const hello = (await c.call('HELLO', '2')) as unknown[];
    assert.equal(hello[hello.indexOf('mode') + 1], 'sentinel');
    assert.equal(await raw.call('GET', 'k').then(String), "-ERR unknown command 'GET', with args beginning with: 'k' \r\n");
    assert.equal(await raw.call('SENTINEL', 'NOPE').then(String), "-ERR unknown subcommand 'NOPE'. Try SENTINEL HELP.\r\n");
    assert.equal(await raw.call('SENTINEL', 'MASTER').then(String), "-ERR wrong number of arguments for 'sentinel|master' command\r\n");
    assert.equal(await raw.call('PUBLISH', 'ch', 'x').then(String), '-ERR Only HELLO messages are accepted by Sentinel instances.\r\n');
  });

  it('MASTER, MASTERS, GET-MASTER-ADDR-BY-NAME and the unknown-master errors', async () => {
    const m = fields(await c.call('SENTINEL', 'MASTER', 'm1'));
    assert.deepEqual(Object.keys(m).slice(0, 7), ['name', 'ip', 'port', 'runid', 'flags', 'link-pending-commands', 'link-refcount']);
    assert.equal(m.name, 'm1');
    assert.equal(m.port, String(deadPort));
    assert.equal(m.quorum, '2');
    assert.equal(m['down-after-milliseconds'], '60000');
    assert.equal(m['failover-timeout'], '180000');
    assert.match(m.flags ?? '', /^master(,disconnected)?$/);
    assert.equal(((await c.call('SENTINEL', 'MASTERS')) as unknown[]).length, 1);
    assert.equal(await raw.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm1').then(String), `*2\r\n$9\r\n127.0.0.1\r\n$${String(deadPort).length}\r\n${deadPort}\r\n`);
    assert.equal(await raw.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nope').then(String), '*-1\r\n');
    for (const sub of ['MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'FAILOVER', 'REMOVE', 'CKQUORUM']) {
      assert.equal(await raw.call('SENTINEL', sub, 'nope').then(String), '-ERR No such master with that name\r\n', sub);
    }
    assert.equal(await raw.call('SENTINEL', 'FAILOVER', 'm1').then(String), '-NOGOODSLAVE No suitable replica to promote\r\n');
    assert.equal(
      await raw.call('SENTINEL', 'CKQUORUM', 'm1').then(String),
      '-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master\r\n',
    );
  });

  it('MONITOR checks its arguments as Redis; MONITOR, SET and REMOVE are saved to the file', async () => {
    const errs: [string[], string][] = [
      [['m2', '127.0.0.1', '7000', 'x'], '-ERR Invalid quorum'],
      [['m2', '127.0.0.1', 'x', '1'], '-ERR Invalid port'],
      [['m2', '127.0.0.1', '7000', '0'], '-ERR Quorum must be 1 or greater.'],
      [['m2', 'not-an-ip', '7000', '1'], '-ERR Invalid IP address or hostname specified'],
      [['m1', '127.0.0.1', '7000', '1'], '-ERR Duplicate master name.'],
      [['m2', '127.0.0.1', '70000', '1'], '-ERR Invalid port number.'],
    ];
    for (const [args, reply] of errs) assert.equal(await raw.call('SENTINEL', 'MONITOR', ...args).then(String), `${reply}\r\n`, args.join(' '));
    assert.equal(await c.call('SENTINEL', 'MONITOR', 'm2', '127.0.0.1', '7000', '1'), 'OK');
    assert.equal(await c.call('SENTINEL', 'SET', 'm2', 'down-after-milliseconds', '1234', 'parallel-syncs', '3'), 'OK');
    assert.equal(
      await raw.call('SENTINEL', 'SET', 'm2', 'failover-timeout', '-1').then(String),
      "-ERR Invalid argument '-1' for SENTINEL SET 'failover-timeout'\r\n",
    );
    assert.equal(await raw.call('SENTINEL', 'SET', 'm2', 'bogus', '1').then(String), "-ERR Unknown option or number of arguments for SENTINEL SET 'bogus'\r\n");
    const conf = readFileSync(file, 'utf8');
    assert.match(conf, /^sentinel monitor m2 127\.0\.0\.1 7000 1$/m);
    assert.match(conf, /^sentinel down-after-milliseconds m2 1234$/m);
    assert.match(conf, /^sentinel parallel-syncs m2 3$/m);
    assert.doesNotMatch(conf, /^save /m, 'a sentinel saves no dataset');
    assert.doesNotMatch(conf, /\n\n\n/);
    assert.equal(await c.call('SENTINEL', 'REMOVE', 'm2'), 'OK');
    assert.doesNotMatch(readFileSync(file, 'utf8'), /m2/);
    assert.deepEqual(await c.call('ROLE'), ['sentinel', ['m1']]);
  });

  it('CONFIG GET / SET, DEBUG, SIMULATE-FAILURE and HELP', async () => {
    assert.deepEqual(await c.call('SENTINEL', 'CONFIG', 'GET', 'announce-*'), ['announce-hostnames', 'no', 'announce-ip', '', 'announce-port', '0']);
    assert.equal(await c.call('SENTINEL', 'CONFIG', 'SET', 'announce-port', '26999'), 'OK');
    assert.match(readFileSync(file, 'utf8'), /^sentinel announce-port 26999$/m);
    assert.equal(await c.call('SENTINEL', 'CONFIG', 'SET', 'announce-port', '0'), 'OK');
    assert.equal(await raw.call('SENTINEL', 'CONFIG', 'SET', 'announce-port', 'x').then(String), "-ERR Invalid value 'x' to SENTINEL CONFIG SET 'announce-port'\r\n");
    assert.equal(await raw.call('SENTINEL', 'CONFIG', 'SET', 'nope', 'x').then(String), "-ERR Invalid argument 'nope' to SENTINEL CONFIG SET\r\n");
    const dbg = (await c.call('SENTINEL', 'DEBUG')) as unknown[];
    assert.equal(dbg[dbg.indexOf('PING-PERIOD') + 1], 1000);
    assert.equal(await raw.call('SENTINEL', 'DEBUG', 'ping-period', '0').then(String), "-ERR Invalid argument '0' for SENTINEL DEBUG 'ping-period'\r\n");
    assert.deepEqual(await c.call('SENTINEL', 'SIMULATE-FAILURE', 'HELP'), ['crash-after-election', 'crash-after-promotion']);
    assert.equal(await raw.call('SENTINEL', 'SIMULATE-FAILURE', 'x').then(String), '-ERR Unknown failure simulation specified\r\n');
    const help = (await c.call('SENTINEL', 'HELP')) as string[];
    assert.match(help[0] ?? '', /^SENTINEL <subcommand>/);
  });

  it('IS-MASTER-DOWN-BY-ADDR: one vote an epoch, first come first served; the epochs are saved', async () => {
    const sub = await events(s.port);
    try {
      const a = 'a'.repeat(40);
      const b = 'b'.repeat(40);
      const ask = (epoch: number, runid: string, port = deadPort): Promise<unknown> =>
        c.call('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(port), String(epoch), runid);
      assert.deepEqual(await ask(5, '*'), [0, '*', 0], 'no vote asked');
      assert.deepEqual(await ask(5, a), [0, a, 5]);
      assert.deepEqual(await ask(5, b), [0, a, 5], 'the vote of epoch 5 is taken');
      assert.deepEqual(await ask(4, b), [0, a, 5], 'an older epoch changes nothing');
      assert.deepEqual(await ask(6, b), [0, b, 6]);
      assert.deepEqual(await ask(9, a, deadPort + 1), [0, '*', 0], 'an address not monitored');
      assert.equal(
        await raw.call('SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '1', '*').then(String),
        '-ERR value is not an integer or out of range\r\n',
      );
      const conf = readFileSync(file, 'utf8');
      assert.match(conf, /^sentinel leader-epoch m1 6$/m);
      assert.match(conf, /^sentinel current-epoch 6$/m, 'the epochs of votes are adopted; epoch 9 was for an address not monitored');
      await until(() => sub.seen.includes(`+vote-for-leader ${b} 6`), { what: 'the vote event' });
      assert.ok(sub.seen.includes('+new-epoch 6'), sub.seen.join('\n'));
    } finally {
      sub.close();
    }
  });

  it('hellos: a new sentinel is added; a greater config epoch with another address switches the master', async () => {
    const sub = await events(s.port);
    try {
      const peer = 'c'.repeat(40);
      const newPort = deadPort + 7;
      const hello = (epoch: number, mport: number, cfgEpoch: number): Promise<unknown> =>
        c.call('PUBLISH', '__sentinel__:hello', `127.0.0.1,26999,${peer},${epoch},m1,127.0.0.1,${mport},${cfgEpoch}`);
      assert.equal(await hello(10, deadPort, 0), 1);
      const peers = ((await c.call('SENTINEL', 'SENTINELS', 'm1')) as unknown[]).map(fields);
      assert.equal(peers.length, 1);
      assert.equal(peers[0]?.name, peer);
      assert.equal(peers[0]?.port, '26999');
      assert.match(readFileSync(file, 'utf8'), new RegExp(`^sentinel known-sentinel m1 127\\.0\\.0\\.1 26999 ${peer}$`, 'm'));
      assert.match(readFileSync(file, 'utf8'), /^sentinel current-epoch 10$/m);
      // A newer configuration: the master is now on newPort, the old address one of its replicas.
      await hello(10, newPort, 3);
      assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm1'), ['127.0.0.1', String(newPort)]);
      const reps = ((await c.call('SENTINEL', 'REPLICAS', 'm1')) as unknown[]).map(fields);
      assert.deepEqual(reps.map((r) => r.name), [`127.0.0.1:${deadPort}`]);
      // An older configuration changes nothing.
      await hello(10, deadPort + 9, 2);
      assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm1'), ['127.0.0.1', String(newPort)]);
      const conf = readFileSync(file, 'utf8');
      assert.match(conf, new RegExp(`^sentinel monitor m1 127\\.0\\.0\\.1 ${newPort} 2$`, 'm'));
      assert.match(conf, /^sentinel config-epoch m1 3$/m);
      assert.match(conf, new RegExp(`^sentinel known-replica m1 127\\.0\\.0\\.1 ${deadPort}$`, 'm'));
      await until(() => sub.seen.some((e) => e.startsWith('+switch-master')), { what: 'the switch event' });
      assert.ok(sub.seen.includes(`+switch-master m1 127.0.0.1 ${deadPort} 127.0.0.1 ${newPort}`), sub.seen.join('\n'));
      assert.ok(sub.seen.includes(`+config-update-from sentinel ${peer} 127.0.0.1 26999 @ m1 127.0.0.1 ${deadPort}`), sub.seen.join('\n'));
    } finally {
      sub.close();
    }
  });

  it('a sentinel started from the file it wrote resumes its id, epochs, masters and peers', async () => {
    const id = await c.call('SENTINEL', 'MYID');
    const copy = confFile([]);
    writeFileSync(copy, readFileSync(file, 'utf8'));
    const again = await startSentinel({ configFile: copy });
    const c2 = new Redis({ port: again.port });
    try {
      assert.equal(await c2.call('SENTINEL', 'MYID'), id);
      const m = fields(await c2.call('SENTINEL', 'MASTER', 'm1'));
      assert.equal(m['config-epoch'], '3');
      assert.equal(m['num-other-sentinels'], '1');
      assert.equal(m['num-slaves'], '1');
      assert.deepEqual(await c2.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm1'), await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm1'));
      assert.match((await c2.call('INFO', 'sentinel')) as string, /sentinel_masters:1/);
    } finally {
      c2.disconnect();
      await again.close();
    }
  });
});

/** An executable shell script that appends its arguments, one run a line, to `out`. */
function recorder(dir: string, out: string, exit = 0): string {
  const f = path.join(dir, `${path.basename(out, '.txt')}-${exit}.sh`);
  writeFileSync(f, `#!/bin/sh\necho "$@" >> '${out}'\nexit ${exit}\n`);
  chmodSync(f, 0o755);
  return f;
}

describe('sentinel scripts', () => {
  it('notification-script runs for warning events; a failing one is reported; client-reconfig-script on a switch', async () => {
    const dead = await freePort();
    const dir = path.dirname(confFile([]));
    const notes = path.join(dir, 'notes.txt');
    const moves = path.join(dir, 'moves.txt');
    const f = confFile([
      `sentinel monitor gone 127.0.0.1 ${dead} 1`,
      'sentinel down-after-milliseconds gone 300',
      `sentinel notification-script gone ${recorder(dir, notes)}`,
      `sentinel monitor other 127.0.0.1 ${dead + 1} 2`,
      `sentinel client-reconfig-script other ${recorder(dir, moves)}`,
      `sentinel notification-script other ${recorder(dir, path.join(dir, 'failed.txt'), 2)}`,
      `sentinel monitor again 127.0.0.1 ${dead + 3} 2`,
      `sentinel notification-script again ${recorder(dir, path.join(dir, 'again.txt'), 1)}`,
    ]);
    const s = await startSentinel({ configFile: f });
    const sub = await events(s.port);
    const c = new Redis({ port: s.port });
    try {
      await until(() => existsSync(notes) && readFileSync(notes, 'utf8').includes('+sdown'), { what: 'the notification script', ms: 15_000 });
      assert.match(readFileSync(notes, 'utf8'), new RegExp(`^\\+sdown master gone 127\\.0\\.0\\.1 ${dead}$`, 'm'));
      // A hello with a newer configuration moves "other": its client-reconfig-script runs as an
      // observer's, and its notification script, which exits 2, is reported.
      await c.call('PUBLISH', '__sentinel__:hello', `127.0.0.1,26999,${'d'.repeat(40)},1,other,127.0.0.1,${dead + 2},1`);
      await until(() => existsSync(moves), { what: 'the client-reconfig script' });
      assert.equal(readFileSync(moves, 'utf8'), `other observer start 127.0.0.1 ${dead + 1} 127.0.0.1 ${dead + 2}\n`);
      await until(() => sub.seen.some((e) => e.startsWith('-script-error ')), { what: 'the script error' });
      assert.ok(sub.seen.some((e) => /^-script-error \S+failed-2\.sh 0 2$/.test(e)), sub.seen.join('\n'));
      const info = (await c.call('INFO', 'sentinel')) as string;
      assert.match(info, /sentinel_running_scripts:\d+\r\nsentinel_scripts_queue_length:\d+\r\n/);
      // A script that exits 1 waits for its retry, 30 s after its first run.
      const again = path.join(dir, 'again-1.sh');
      await until(async () => ((await c.call('SENTINEL', 'PENDING-SCRIPTS')) as unknown[][]).some((j) => fields(j).flags === 'scheduled'), {
        what: 'the script to retry',
      });
      const job = ((await c.call('SENTINEL', 'PENDING-SCRIPTS')) as unknown[][]).find((j) => fields(j).flags === 'scheduled') as unknown[];
      assert.deepEqual(job[1], [again, '+monitor', `master again 127.0.0.1 ${dead + 3} quorum 2`]);
      assert.equal(fields(job)['retry-num'], '1');
      assert.equal(fields(job).pid, '0');
      const delay = Number(fields(job)['run-delay']);
      assert.ok(delay > 20_000 && delay <= 30_000, `run-delay ${delay}`);
      const m = fields(await c.call('SENTINEL', 'MASTER', 'gone'));
      assert.equal(m['notification-script'], path.join(dir, 'notes-0.sh'));
      // Changing a script's path at run time is refused by default (deny-scripts-reconfig).
      await assert.rejects(c.call('SENTINEL', 'SET', 'gone', 'notification-script', '/bin/true'), /Reconfiguration of scripts path is denied/);
    } finally {
      c.disconnect();
      sub.close();
      await s.close();
    }
  });

  it('with deny-scripts-reconfig no, SET takes an executable script and refuses another path', async () => {
    const f = confFile(['sentinel deny-scripts-reconfig no', 'sentinel monitor m 127.0.0.1 1 1']);
    const s = await startSentinel({ configFile: f });
    const raw = await RawClient.connect(s.port);
    try {
      assert.equal(
        await raw.call('SENTINEL', 'SET', 'm', 'notification-script', '/nonexistent/x').then(String),
        '-ERR Notification script seems non existing or non executable\r\n',
      );
      assert.equal(await raw.call('SENTINEL', 'SET', 'm', 'client-reconfig-script', '/bin/true').then(String), '+OK\r\n');
      assert.match(readFileSync(f, 'utf8'), /^sentinel client-reconfig-script m \/bin\/true$/m);
      assert.match(readFileSync(f, 'utf8'), /^sentinel deny-scripts-reconfig no$/m);
    } finally {
      await raw.close();
      await s.close();
    }
  });
});

/**
 * A Shoal master and its replica in-process, in a directory of their own (a replica saves the
 * payload of its full sync as dump.rdb in its dir), and a sentinel started on `lines(master
 * port)` with an ioredis client and a raw connection to it; all closed after the test.
 */
async function watchedPair(
  t: TestContext,
  o: { host?: string; node?: Record<string, string>; masterHost?: string; lines: (masterPort: number) => string[]; password?: string },
): Promise<{ master: RunningServer; replica: RunningServer; s: RunningServer; c: Redis; raw: RawClient; file: string }> {
  const dir = path.dirname(confFile([]));
  const master = await startServer({ host: o.host, config: { dir, ...o.node } });
  t.after(() => master.close());
  const replica = await startServer({ host: o.host, config: { dir, ...o.node, replicaof: `${o.masterHost ?? '127.0.0.1'} ${master.port}` } });
  t.after(() => replica.close());
  const file = confFile(o.lines(master.port));
  const s = await startSentinel({ configFile: file });
  t.after(() => s.close());
  const c = new Redis({ port: s.port, password: o.password });
  t.after(() => c.disconnect());
  const raw = await RawClient.connect(s.port);
  t.after(() => raw.close());
  return { master, replica, s, c, raw, file };
}

describe('sentinel hostnames', () => {
  it('MONITOR takes a hostname only with resolve-hostnames; it is shown as its IP, or as given with announce-hostnames', async (t) => {
    const lh = (await dns.lookup('localhost')).address;
    const { master, c, raw } = await watchedPair(t, { host: lh, masterHost: 'localhost', lines: () => [] });
    assert.equal(await raw.call('SENTINEL', 'MONITOR', 'h', 'localhost', String(master.port), '1').then(String), '-ERR Invalid IP address or hostname specified\r\n');
    assert.equal(await c.call('SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'yes'), 'OK');
    assert.equal(await raw.call('SENTINEL', 'MONITOR', 'x', 'no-such-host.invalid', '7000', '1').then(String), "-ERR Can't resolve instance hostname.\r\n");
    assert.equal(await c.call('SENTINEL', 'MONITOR', 'h', 'localhost', String(master.port), '1'), 'OK');
    assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'h'), [lh, String(master.port)]);
    await until(async () => fields(((await c.call('SENTINEL', 'REPLICAS', 'h')) as unknown[])[0])['master-link-status'] === 'ok', {
      what: 'the replica of the master named by its hostname',
      ms: 15_000,
    });
    // The replica reports master_host "localhost": the sentinel knows that is its master.
    const r = fields(((await c.call('SENTINEL', 'REPLICAS', 'h')) as unknown[])[0]);
    assert.equal(r['master-host'], 'localhost');
    assert.equal(fields(await c.call('SENTINEL', 'MASTER', 'h')).flags, 'master');
    assert.equal(await c.call('SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'yes'), 'OK');
    assert.deepEqual(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'h'), ['localhost', String(master.port)]);
    assert.equal(fields(await c.call('SENTINEL', 'MASTER', 'h')).ip, 'localhost');
  });

  it('a config file names masters by hostname with resolve-hostnames yes; one that does not resolve stops the start', async () => {
    const ok = confFile(['sentinel resolve-hostnames yes', 'sentinel monitor h localhost 7000 1']);
    const s = await startSentinel({ configFile: ok });
    const c = new Redis({ port: s.port });
    try {
      assert.deepEqual(await c.call('ROLE'), ['sentinel', ['h']]);
    } finally {
      c.disconnect();
      await s.close();
    }
    await assert.rejects(startSentinel({ configFile: confFile(['sentinel monitor h localhost 7000 1']) }), /Can't resolve instance hostname\.$/);
    await assert.rejects(
      startSentinel({ configFile: confFile(['sentinel resolve-hostnames yes', 'sentinel monitor h no-such-host.invalid 7000 1']) }),
      /Can't resolve instance hostname\.$/,
    );
  });
});

describe('sentinel config file errors', () => {
  it('refuses a bad sentinel line with the fatal error naming the line', async () => {
    const cases: [string[], string][] = [
      [['sentinel monitor m 127.0.0.1 6379 0'], 'Quorum must be 1 or greater.'],
      [['sentinel down-after-milliseconds nope 100'], 'No such master with specified name.'],
      [['sentinel monitor m 127.0.0.1 6379 1', 'sentinel down-after-milliseconds m 0'], 'negative or zero time parameter.'],
      [['sentinel bogus'], 'Unrecognized sentinel configuration statement.'],
      [['sentinel myid abc'], 'Malformed Sentinel id in myid option.'],
      [['sentinel monitor m 127.0.0.1 6379 1', 'sentinel notification-script m /nonexistent/x'], 'Notification script seems non existing or non executable.'],
      [['sentinel monitor m 127.0.0.1 6379 1', 'sentinel monitor m 127.0.0.1 6380 1'], 'Duplicate master name.'],
    ];
    for (const [lines, reason] of cases) {
      const f = confFile(lines);
      await assert.rejects(startSentinel({ configFile: f }), (err: Error) => {
        assert.match(err.message, /\*\*\* FATAL CONFIG FILE ERROR/);
        assert.match(err.message, /Reading the configuration file, at line \d+\n>>> 'sentinel /);
        assert.ok(err.message.endsWith(reason), `${err.message} ends with ${reason}`);
        return true;
      });
    }
  });
});

describe('a sentinel watching Shoal nodes', () => {
  it('learns the replica from the master INFO and reports its link', async (t) => {
    const { master, replica, c, file: f } = await watchedPair(t, { lines: (port) => [`sentinel monitor grp 127.0.0.1 ${port} 1`] });
    await until(async () => ((await c.call('SENTINEL', 'REPLICAS', 'grp')) as unknown[]).length === 1, { what: 'the replica', ms: 15_000 });
    await until(async () => fields(((await c.call('SENTINEL', 'REPLICAS', 'grp')) as unknown[])[0])['master-link-status'] === 'ok', {
      what: 'the replica INFO',
      ms: 15_000,
    });
    const r = fields(((await c.call('SENTINEL', 'REPLICAS', 'grp')) as unknown[])[0]);
    assert.equal(r.name, `127.0.0.1:${replica.port}`);
    assert.equal(r['master-port'], String(master.port));
    assert.equal(r['role-reported'], 'slave');
    assert.match(r.flags ?? '', /^slave$/);
    assert.match(r.runid ?? '', /^[0-9a-f]{40}$/);
    const m = fields(await c.call('SENTINEL', 'MASTER', 'grp'));
    assert.equal(m.runid, master.server.runId);
    assert.equal(m.flags, 'master');
    assert.match(readFileSync(f, 'utf8'), new RegExp(`^sentinel known-replica grp 127\\.0\\.0\\.1 ${replica.port}$`, 'm'));
    // Its connections are named as Redis's sentinel names them.
    const list = [...master.server.clients.values()].map((x) => String(x.name));
    assert.ok(list.some((n) => /^sentinel-[0-9a-f]{8}-cmd$/.test(n)), list.join(','));
    assert.ok(list.some((n) => /^sentinel-[0-9a-f]{8}-pubsub$/.test(n)), list.join(','));
  });

  it('authenticates with auth-pass to nodes that require a password, and asks its own clients for requirepass', async (t) => {
    const { c, raw, file: f } = await watchedPair(t, {
      node: { requirepass: 'pw', masterauth: 'pw' },
      lines: (port) => ['requirepass spw', `sentinel monitor grp 127.0.0.1 ${port} 1`, 'sentinel auth-pass grp pw'],
      password: 'spw',
    });
    assert.match(String(await raw.call('SENTINEL', 'MASTERS')), /^-NOAUTH /);
    await until(async () => fields(((await c.call('SENTINEL', 'REPLICAS', 'grp')) as unknown[])[0])['master-link-status'] === 'ok', {
      what: 'the replica, read with the password',
      ms: 15_000,
    });
    const m = fields(await c.call('SENTINEL', 'MASTER', 'grp'));
    assert.equal(m.flags, 'master');
    assert.match(readFileSync(f, 'utf8'), /^sentinel auth-pass grp pw$/m);
  });

  it('reaches a peer sentinel that requires a password once CONFIG SET sentinel-pass gives it', async () => {
    const dead = await freePort();
    const b = await startSentinel({ configFile: confFile(['requirepass pw', `sentinel monitor grp 127.0.0.1 ${dead} 2`]) });
    const a = await startSentinel({ configFile: confFile([`sentinel monitor grp 127.0.0.1 ${dead} 2`, 'sentinel down-after-milliseconds grp 300']) });
    const c = new Redis({ port: a.port });
    const bid = b.server.sentinel?.myid as string;
    const peerFlags = async (): Promise<string> => fields(((await c.call('SENTINEL', 'SENTINELS', 'grp')) as unknown[])[0]).flags ?? '';
    try {
      // A learns of B from a hello; without the password B answers its PINGs with -NOAUTH.
      await c.call('PUBLISH', '__sentinel__:hello', `127.0.0.1,${b.port},${bid},0,grp,127.0.0.1,${dead},0`);
      await until(async () => (await peerFlags()).includes('s_down'), { what: 'the peer down without the password', ms: 15_000 });
      assert.equal(await c.call('SENTINEL', 'CONFIG', 'SET', 'sentinel-pass', 'pw'), 'OK');
      await until(async () => (await peerFlags()) === 'sentinel', { what: 'the peer reached with the password', ms: 15_000 });
    } finally {
      c.disconnect();
      await a.close();
      await b.close();
    }
  });

  it('shares one link to a peer sentinel between the masters both watch', async () => {
    const dead = await freePort();
    const both = [`sentinel monitor m1 127.0.0.1 ${dead} 2`, `sentinel monitor m2 127.0.0.1 ${dead + 1} 2`];
    const b = await startSentinel({ configFile: confFile(both) });
    const a = await startSentinel({ configFile: confFile(both) });
    const c = new Redis({ port: a.port });
    const bid = b.server.sentinel?.myid as string;
    const aid = a.server.sentinel?.myid as string;
    const peer = async (m: string): Promise<Record<string, string>> => fields(((await c.call('SENTINEL', 'SENTINELS', m)) as unknown[])[0]);
    const linksToB = (): number => [...b.server.clients.values()].filter((x) => x.name === `sentinel-${aid.slice(0, 8)}-cmd`).length;
    try {
      for (const [m, port] of [['m1', dead], ['m2', dead + 1]] as const) {
        await c.call('PUBLISH', '__sentinel__:hello', `127.0.0.1,${b.port},${bid},0,${m},127.0.0.1,${port},0`);
      }
      await until(async () => (await peer('m1'))['link-refcount'] === '2' && (await peer('m2'))['link-refcount'] === '2', { what: 'the link shared' });
      await until(() => linksToB() === 1, { what: "one connection to the peer" });
      await until(async () => (await peer('m2')).flags === 'sentinel', { what: 'the peer answering' });
      assert.equal(await c.call('SENTINEL', 'REMOVE', 'm2'), 'OK');
      const p1 = await peer('m1');
      assert.equal(p1['link-refcount'], '1');
      assert.equal(p1.flags, 'sentinel', 'the link m1 still uses stays open');
      assert.equal(linksToB(), 1);
    } finally {
      c.disconnect();
      await a.close();
      await b.close();
    }
  });

  it('a peer sentinel that moved (same runid, another address) moves in every master', async () => {
    const dead = await freePort();
    const a = await startSentinel({ configFile: confFile([`sentinel monitor m1 127.0.0.1 ${dead} 2`, `sentinel monitor m2 127.0.0.1 ${dead + 1} 2`]) });
    const c = new Redis({ port: a.port });
    const sub = await events(a.port);
    const x = 'e'.repeat(40);
    const hello = (m: string, mport: number, port: number): Promise<unknown> =>
      c.call('PUBLISH', '__sentinel__:hello', `127.0.0.1,${port},${x},0,${m},127.0.0.1,${mport},0`);
    const peerPort = async (m: string): Promise<string | undefined> => fields(((await c.call('SENTINEL', 'SENTINELS', m)) as unknown[])[0]).port;
    try {
      await hello('m1', dead, 26001);
      await hello('m2', dead + 1, 26001);
      assert.deepEqual([await peerPort('m1'), await peerPort('m2')], ['26001', '26001'], 'one peer, known in both masters');
      await hello('m1', dead, 26002);
      assert.deepEqual([await peerPort('m1'), await peerPort('m2')], ['26002', '26002']);
      await until(() => sub.seen.some((e) => e.startsWith('+sentinel-address-update')), { what: 'the address update event' });
      assert.ok(sub.seen.includes(`+sentinel-address-switch master m1 127.0.0.1 ${dead} ip 127.0.0.1 port 26002 for ${x}`), sub.seen.join('\n'));
      assert.ok(sub.seen.includes(`+sentinel-address-update sentinel ${x} 127.0.0.1 26002 @ m1 127.0.0.1 ${dead} 1 additional matching instances`), sub.seen.join('\n'));
    } finally {
      sub.close();
      c.disconnect();
      await a.close();
    }
  });

  it('takes an unreachable master down (+sdown, +odown with quorum 1) and finds no replica to promote', async () => {
    const dead = await freePort();
    const f = confFile([`sentinel monitor gone 127.0.0.1 ${dead} 1`, 'sentinel down-after-milliseconds gone 300']);
    const s = await startSentinel({ configFile: f });
    const sub = await events(s.port);
    try {
      await until(() => sub.seen.some((e) => e.startsWith('-failover-abort-no-good-slave')), { what: 'the failover attempt', ms: 15_000 });
      const order = ['+sdown', '+odown', '+new-epoch', '+try-failover', '+vote-for-leader', '+elected-leader', '+failover-state-select-slave', '-failover-abort-no-good-slave'];
      const firsts = order.map((t) => sub.seen.findIndex((e) => e.startsWith(`${t} `)));
      assert.ok(firsts.every((x, i) => x >= 0 && (i === 0 || x > (firsts[i - 1] as number))), sub.seen.join('\n'));
      assert.ok(sub.seen.includes(`+odown master gone 127.0.0.1 ${dead} #quorum 1/1`), sub.seen.join('\n'));
      const c = new Redis({ port: s.port });
      const info = (await c.call('INFO', 'sentinel')) as string;
      c.disconnect();
      assert.match(info, /status=odown/);
    } finally {
      sub.close();
      await s.close();
    }
  });
});
