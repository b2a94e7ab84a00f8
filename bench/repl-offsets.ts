// How far a replica's applied stream trails its master's, to run by hand beside a load (a
// cross-check of lag-probe.ts that needs no keyspace events): every 10 ms it reads ROLE from the
// master, then from the replica, and converts the difference of their offsets to milliseconds
// at the master's write rate over the previous 200 ms. The replica read comes second, so a
// replica that keeps up reads at or past the master. Start it before the load: a node process
// starting on the replica's CPU takes that CPU for a few hundred milliseconds.
//
//   node dist/bench/repl-offsets.js <master port> <replica port> <seconds>
//   taskset -c 1 node dist/bench/repl-offsets.js 7400 7401 7 & sleep 0.3; taskset -c 0 redis-benchmark -p 7400 ...
// Prints every sample more than 20 ms behind as <ms since start>:<ms behind>, then the count.
import { Redis } from 'ioredis';
import { replicaPairArgs } from './lib.js';

const { masterPort, replicaPort, seconds } = replicaPairArgs('repl-offsets', process.argv.slice(2));
const master = new Redis({ port: masterPort, host: '127.0.0.1' });
const replica = new Redis({ port: replicaPort, host: '127.0.0.1' });
const t0 = performance.now();
const rows: Array<[number, number, number]> = [];
while (performance.now() - t0 < seconds * 1000) {
  const t = performance.now() - t0;
  // ROLE: ["master", offset, replicas] and ["slave", host, port, state, offset].
  const m = (await master.call('ROLE')) as unknown[];
  const r = (await replica.call('ROLE')) as unknown[];
  rows.push([t, Number(m[1]), Number(r[4])]);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const behind: string[] = [];
let worst = 0;
for (const [t, mo, ro] of rows) {
  const from = rows.find(([tt]) => tt > t - 200) as [number, number, number];
  const rate = (mo - from[1]) / Math.max(1, t - from[0]);
  if (rate <= 0) continue;
  const ms = (mo - ro) / rate;
  worst = Math.max(worst, ms);
  if (ms > 20) behind.push(`${t.toFixed(0)}:${ms.toFixed(0)}`);
}
process.stdout.write(`${behind.length > 0 ? behind.join(' ') : 'never more than 20 ms behind'}\n`);
process.stdout.write(`samples ${rows.length}, most behind ${worst.toFixed(0)} ms\n`);
master.disconnect();
replica.disconnect();
