// Sentinel failover benchmark: how long a group is without a writable master after its master
// is killed (kill -9), with three Shoal sentinels over Shoal nodes beside three redis-server
// sentinels over redis-server nodes, in the same run, alternating.
//
//   node dist/bench/sentinel.js                       # 3 runs each, down-after 1000 ms
//   node dist/bench/sentinel.js --reps 5 --down-after 3000
//   node dist/bench/sentinel.js --no-save             # print only, no bench/results entry
//
// Each run: a master and two replicas (real processes, no persistence), three sentinels with
// quorum 2 (down-after-milliseconds as given, failover-timeout 10 s); once every sentinel knows
// both replicas and both other sentinels, an ioredis client that finds the master through the
// sentinels writes a key every 10 ms; the master is killed with SIGKILL. Measured from the
// kill: the first +switch-master a sentinel publishes, and the first write the client gets
// through afterwards (on the new master). The detection part is down-after-milliseconds by
// design; the rest is the election, the promotion and the client finding the new master.
//
// Results: a markdown report on stdout, prepended to bench/results/sentinel.md.
// Every process started here is killed by PID on the way out, also on SIGINT / SIGTERM.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ROOT, commandLine, freePort, killPid, log, median, prependResults, runBench, signalPid, sleep, startServer, waitForPing, which, type Server } from './lib.js';

type Side = 'shoal' | 'redis';

interface Options {
  reps: number;
  downAfter: number;
  save: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { reps: 3, downAfter: 1000, save: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} needs a positive integer`);
      return n;
    };
    if (a === '--reps') o.reps = num();
    else if (a === '--down-after') o.downAfter = num();
    else if (a === '--no-save') o.save = false;
    else throw new Error(`unknown option ${a}\nusage: node dist/bench/sentinel.js [--reps N] [--down-after MS] [--no-save]`);
  }
  return o;
}

/** A server or sentinel process (bench/lib.ts startServer, waited for with PING). */
async function start(side: Side, redisServer: string, args: string[], port: number, dir: string): Promise<Server> {
  const [file, argv] = side === 'shoal' ? [process.execPath, [path.join(ROOT, 'bin', 'shoal.js'), ...args]] : [redisServer, args];
  const server = startServer(side, file, argv, dir, commandLine([file, ...argv]), port);
  await waitForPing(server);
  return server;
}

async function until(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface RunResult {
  switchMs: number;
  writableMs: number;
  lostWrites: number;
}

async function oneRun(side: Side, redisServer: string, o: Options): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-sentinel-${side}-`));
  const procs: Server[] = [];
  const clients: Redis[] = [];
  const conn = (port: number): Redis => {
    const c = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  try {
    const node = async (name: string, extra: string[]): Promise<Server> => {
      const port = await freePort();
      const base = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', `${name}.rdb`];
      const p = await start(side, redisServer, side === 'shoal' ? ['server', ...base, ...extra] : [...base, ...extra], port, dir);
      procs.push(p);
      return p;
    };
    const master = await node('master', []);
    const replicas = [await node('r1', ['--replicaof', '127.0.0.1', String(master.port)]), await node('r2', ['--replicaof', '127.0.0.1', String(master.port)])];
    for (const r of replicas) {
      const c = conn(r.port);
      await until(async () => /master_link_status:up/.test(await c.info('replication')), 'the replicas to sync');
    }
    const sentinels: Server[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor grp 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds grp ${o.downAfter}`,
          'sentinel failover-timeout grp 10000',
          '',
        ].join('\n'),
      );
      const args = side === 'shoal' ? ['sentinel', conf] : [conf, '--sentinel'];
      const p = await start(side, redisServer, args, port, dir);
      procs.push(p);
      sentinels.push(p);
    }
    for (const s of sentinels) {
      const c = conn(s.port);
      await until(async () => {
        const reps = (await c.call('SENTINEL', 'REPLICAS', 'grp')) as unknown[];
        const peers = (await c.call('SENTINEL', 'SENTINELS', 'grp')) as unknown[];
        return reps.length === 2 && peers.length === 2;
      }, 'every sentinel to know the group');
    }
    const sub = conn(sentinels[0]?.port as number);
    let switchAt = 0;
    await sub.subscribe('+switch-master');
    sub.on('message', () => {
      if (switchAt === 0) switchAt = performance.now();
    });
    const app = new Redis({
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: 'grp',
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 20,
      sentinelRetryStrategy: () => 20,
    });
    app.on('error', () => undefined);
    clients.push(app);
    await until(async () => (await app.set('probe', 'x')) === 'OK', 'the client to reach the master');

    let killedAt = 0;
    let writableAt = 0;
    let lost = 0;
    let stop = false;
    const writer = (async (): Promise<void> => {
      for (let i = 0; !stop && i < 10_000; i++) {
        const t = performance.now();
        try {
          await Promise.race([app.set(`k${i}`, String(i)), sleep(500).then(() => Promise.reject(new Error('timeout')))]);
          // The old master is dead: a write sent after the kill that succeeds is on the new one.
          if (killedAt !== 0 && t > killedAt && writableAt === 0) writableAt = performance.now();
        } catch {
          if (killedAt !== 0) lost++;
        }
        await sleep(Math.max(0, 10 - (performance.now() - t)));
      }
    })();
    await sleep(300);
    killedAt = performance.now();
    // Its process group: a node re-executed by the launcher goes with it.
    signalPid(master.pid, 'SIGKILL');
    await until(async () => writableAt !== 0 && switchAt !== 0, 'the client to write to the new master', 60_000);
    stop = true;
    await writer;
    return { switchMs: switchAt - killedAt, writableMs: writableAt - killedAt, lostWrites: lost };
  } finally {
    for (const c of clients) c.disconnect();
    for (const p of procs) await killPid(p.pid);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const redisServer = which('redis-server', 'REDIS_SERVER');
  if (redisServer === null) {
    log('sentinel bench: redis-server 7.0 is needed on PATH (Debian: apt-get install redis-server)');
    return 2;
  }
  const started = new Date();
  const results: Record<Side, RunResult[]> = { shoal: [], redis: [] };
  for (let r = 0; r < o.reps; r++) {
    for (const side of r % 2 === 0 ? (['shoal', 'redis'] as const) : (['redis', 'shoal'] as const)) {
      log(`run ${r + 1}/${o.reps}: ${side}`);
      const res = await oneRun(side, redisServer, o);
      log(`  +switch-master after ${res.switchMs.toFixed(0)} ms, writable after ${res.writableMs.toFixed(0)} ms`);
      results[side].push(res);
    }
  }
  const row = (side: Side): string => {
    const rs = results[side];
    const sw = rs.map((x) => x.switchMs);
    const wr = rs.map((x) => x.writableMs);
    const f = (xs: number[]): string => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
    return `| ${side === 'shoal' ? 'Shoal sentinels, Shoal nodes' : 'redis-server sentinels and nodes'} | ${f(sw)} | ${f(wr)} | ${rs.map((x) => x.lostWrites).join(', ')} |`;
  };
  const ratio = median(results.shoal.map((x) => x.writableMs)) / median(results.redis.map((x) => x.writableMs));
  const report = [
    `## ${started.toISOString()} — failover after kill -9 of the master`,
    '',
    `- command: \`node dist/bench/sentinel.js ${process.argv.slice(2).join(' ')}\`; ${o.reps} runs a side, alternating`,
    `- 3 sentinels (quorum 2, down-after-milliseconds ${o.downAfter}, failover-timeout 10000), a master and 2 replicas, on 127.0.0.1`,
    `- ${which('redis-server', 'REDIS_SERVER')}; node ${process.version}`,
    '',
    '| group | +switch-master after the kill, ms: median (min-max) | first write on the new master, ms | writes refused or timed out (per run) |',
    '| --- | --- | --- | --- |',
    row('shoal'),
    row('redis'),
    '',
    `Ratio Shoal / Redis, time to the first write on the new master (medians): ${ratio.toFixed(2)}.`,
    '',
  ].join('\n');
  process.stdout.write(report);
  if (o.save) prependResults(path.join(ROOT, 'bench', 'results', 'sentinel.md'), '# Sentinel failover results (bench/sentinel.ts)\n', report);
  return 0;
}

runBench('sentinel bench', main);
