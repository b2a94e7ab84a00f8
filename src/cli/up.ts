// `shoal up`: a local playground on one machine — a master, its replicas and sentinels, each a
// real `shoal` process with its own directory and log under one root. It stays in the
// foreground, prints where everything is and every failover the sentinels make, and stops them
// all on Ctrl-C (SIGINT) or SIGTERM. Kill the master (kill -9 <pid>) to watch a failover.
//
//   shoal up                                   master 7000, replicas 7001-7002, sentinels 26379-26381
//   shoal up --port 8000 --replicas 1 --sentinels 3 --dir /tmp/play --down-after 2000

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface UpOptions {
  port: number;
  replicas: number;
  sentinels: number;
  sentinelPort: number;
  dir: string;
  downAfter: number;
  name: string;
}

export const UP_USAGE = `Usage: shoal up [--port 7000] [--replicas 2] [--sentinels 3] [--sentinel-port 26379]
                [--down-after 5000] [--name shoal] [--dir ./shoal-up]
  A master on --port, replicas on the next ports, sentinels (quorum: a majority) from
  --sentinel-port, each a process with its directory and log under --dir. Ctrl-C stops them.
  The nodes keep no data on disk: every start is a fresh playground.
`;

function parse(args: string[]): UpOptions {
  const o: UpOptions = { port: 7000, replicas: 2, sentinels: 3, sentinelPort: 26379, dir: path.resolve('shoal-up'), downAfter: 5000, name: 'shoal' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${a} needs a value`);
    i++;
    const n = Number(v);
    const int = (min: number, max: number): number => {
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${a} must be an integer from ${min} to ${max}`);
      return n;
    };
    if (a === '--port') o.port = int(1, 65535);
    else if (a === '--replicas') o.replicas = int(0, 16);
    else if (a === '--sentinels') o.sentinels = int(0, 9);
    else if (a === '--sentinel-port') o.sentinelPort = int(1, 65535);
    else if (a === '--down-after') o.downAfter = int(1, 3_600_000);
    else if (a === '--name') o.name = v;
    else if (a === '--dir') o.dir = path.resolve(v);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Resolves once something answers on 127.0.0.1:port (a TCP connect), or rejects after ms. */
function waitForPort(port: number, ms: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (exited()) reject(new Error(`the process for port ${port} exited`));
        else if (Date.now() > deadline) reject(new Error(`nothing answers on port ${port} after ${ms} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

interface Member {
  role: string;
  port: number;
  dir: string;
  child: ChildProcess;
}

export async function up(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(UP_USAGE);
    return 0;
  }
  let o: UpOptions;
  try {
    o = parse(args);
  } catch (err) {
    process.stderr.write(`shoal up: ${(err as Error).message}\n\n${UP_USAGE}`);
    return 2;
  }
  const members: Member[] = [];
  let stopping = false;
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const start = (role: string, port: number, argv: string[]): Member => {
    const dir = path.join(o.dir, `${role}-${port}`);
    mkdirSync(dir, { recursive: true });
    const child = spawn(process.execPath, [MAIN, ...argv, '--dir', dir, '--logfile', path.join(dir, 'shoal.log')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SHOAL_LAUNCHED: '1' },
    });
    const m: Member = { role, port, dir, child };
    members.push(m);
    child.once('exit', (code, signal) => {
      if (!stopping) say(`${role} on port ${port} (pid ${child.pid}) exited (${signal ?? `code ${code}`}); log: ${path.join(dir, 'shoal.log')}`);
    });
    return m;
  };
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
            const t = setTimeout(() => m.child.kill('SIGKILL'), 10_000);
            m.child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            m.child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    mkdirSync(o.dir, { recursive: true });
    // No persistence: each start is a fresh playground (a node reloading an old dataset beside
    // replicas promoted since would be a surprise).
    const node = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const master = start('master', o.port, ['server', '--port', String(o.port), ...node]);
    await waitForPort(o.port, 20_000, () => master.child.exitCode !== null);
    for (let i = 1; i <= o.replicas; i++) {
      const port = o.port + i;
      const r = start('replica', port, ['server', '--port', String(port), ...node, '--replicaof', '127.0.0.1', String(o.port)]);
      await waitForPort(port, 20_000, () => r.child.exitCode !== null);
    }
    const quorum = Math.floor(o.sentinels / 2) + 1;
    for (let i = 0; i < o.sentinels; i++) {
      const port = o.sentinelPort + i;
      const dir = path.join(o.dir, `sentinel-${port}`);
      mkdirSync(dir, { recursive: true });
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [`port ${port}`, 'bind 127.0.0.1', `sentinel monitor ${o.name} 127.0.0.1 ${o.port} ${quorum}`, `sentinel down-after-milliseconds ${o.name} ${o.downAfter}`, ''].join('\n'),
      );
      const s = start('sentinel', port, ['sentinel', conf]);
      await waitForPort(port, 20_000, () => s.child.exitCode !== null);
    }
  } catch (err) {
    process.stderr.write(`shoal up: ${(err as Error).message}\n`);
    await stopAll();
    return 1;
  }
  say(`Shoal playground in ${o.dir}:`);
  for (const m of members) say(`  ${m.role.padEnd(8)} 127.0.0.1:${m.port}  pid ${m.child.pid}  log ${path.join(m.dir, 'shoal.log')}`);
  if (o.sentinels > 0) {
    say(`The master's address: redis-cli -p ${o.sentinelPort} sentinel get-master-addr-by-name ${o.name}`);
    say(`Kill the master (kill -9 ${members[0]?.child.pid}) and watch the sentinels fail it over. Ctrl-C stops everything.`);
  }
  const watcher = o.sentinels > 0 ? await watchSwitches(o.sentinelPort, say) : null;
  await new Promise<void>((resolve) => {
    const stop = (sig: string): void => {
      if (stopping) return;
      say(`${sig}: stopping the playground...`);
      void stopAll().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  watcher?.disconnect();
  say('Stopped.');
  return 0;
}

/** Prints every +switch-master the first sentinel publishes; returns the subscription. */
async function watchSwitches(port: number, say: (line: string) => void): Promise<{ disconnect(): void }> {
  const { Redis } = await import('ioredis');
  const sub = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 1000 });
  sub.on('error', () => undefined);
  sub.on('message', (_ch: string, msg: string) => {
    const [name, , , ip, p] = msg.split(' ');
    say(`failover: the master of ${name} is now ${ip}:${p}`);
  });
  await sub.subscribe('+switch-master').catch(() => undefined);
  return sub;
}
