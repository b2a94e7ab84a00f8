// A replication-lag probe to run by hand beside a load, as a cross-check of the lag scenario of
// bench/replication.ts: every 10 ms it sends `SET probe:<i> x` to the master (without waiting),
// and a subscriber on the replica (notify-keyspace-events K$, PSUBSCRIBE __keyspace@0__:probe:*)
// timestamps each probe's event. Lag = event arrival − the master's acknowledgement, over every
// probe (an event may beat its acknowledgement: negative lag).
//
//   node dist/bench/lag-probe.js <master port> <replica port> <seconds>
//   taskset -c 1 node dist/bench/lag-probe.js 7000 7001 7     # pinned, beside redis-benchmark on the master
// Prints: probes sent / acknowledged / arrived, lag p50 / p99 / max / min in ms; with
// LAG_SERIES=1 also the largest lag of each 250 ms window, to see when the late probes were sent.
// Under load the probe's own wake-ups run late now and then on a saturated machine; run it at a
// real-time priority (`chrt -f 20 node ...`) so that only the servers' lag is measured.
import { Redis } from 'ioredis';
import { replicaPairArgs } from './lib.js';

const { masterPort, replicaPort, seconds } = replicaPairArgs('lag-probe', process.argv.slice(2));
const master = new Redis({ port: masterPort, host: '127.0.0.1' });
const replica = new Redis({ port: replicaPort, host: '127.0.0.1' });
const sub = new Redis({ port: replicaPort, host: '127.0.0.1', enableReadyCheck: false });
await replica.config('SET', 'notify-keyspace-events', 'K$');
const acked = new Map<number, number>();
const arrived = new Map<number, number>();
sub.on('pmessage', (_pattern: string, channel: string) => {
  const i = Number(channel.slice(channel.lastIndexOf(':') + 1));
  if (!arrived.has(i)) arrived.set(i, performance.now());
});
await sub.psubscribe('__keyspace@0__:probe:*');
let sent = 0;
const sentAt: number[] = [];
const end = performance.now() + seconds * 1000;
const timer = setInterval(() => {
  const i = sent++;
  sentAt[i] = performance.now();
  void master.set(`probe:${i}`, 'x').then(() => acked.set(i, performance.now()));
  if (performance.now() > end) clearInterval(timer);
}, 10);
// Then until every probe is acknowledged and has arrived, for at most 1.5 s more.
await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 10));
const drainEnd = performance.now() + 1500;
while ((acked.size < sent || arrived.size < sent) && performance.now() < drainEnd) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const lags: number[] = [];
for (const [i, at] of arrived) {
  const ack = acked.get(i);
  if (ack !== undefined) lags.push(at - ack);
}
lags.sort((a, b) => a - b);
const q = (f: number): string => (lags.length === 0 ? 'n/a' : (lags[Math.min(lags.length - 1, Math.floor(f * lags.length))] as number).toFixed(1));
process.stdout.write(
  `probes ${sent} acknowledged ${acked.size} arrived ${arrived.size}; lag ms p50 ${q(0.5)} p99 ${q(0.99)} max ${q(1)} min ${q(0)}\n`,
);
if (process.env.LAG_SERIES === '1' && sentAt.length > 0) {
  const windows = new Map<number, number>();
  for (const [i, at] of arrived) {
    const ack = acked.get(i);
    if (ack === undefined) continue;
    const w = Math.floor(((sentAt[i] as number) - (sentAt[0] as number)) / 250);
    windows.set(w, Math.max(windows.get(w) ?? -Infinity, at - ack));
  }
  const line = [...windows].sort((a, b) => a[0] - b[0]).map(([w, lag]) => `${(w * 0.25).toFixed(2)}s:${lag.toFixed(0)}`);
  process.stdout.write(`largest lag ms per 250 ms window (from the first probe): ${line.join(' ')}\n`);
}
master.disconnect();
replica.disconnect();
sub.disconnect();
