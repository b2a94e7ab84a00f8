// One client's PING round trips for as long as a file does not exist (or at most `maxSeconds`):
// the latency another client's load leaves it, every stall included (a sampled client such as
// redis-benchmark -n N stops before a long load ends). One PING in flight at a time, over a raw
// socket. Prints the count, p50, p99, p99.9 and max in ms, and how many took over 2 and 5 ms.
//
//   node dist/bench/ping-probe.js <port> <stop file> [max seconds, default 120]
//
// Used by bench/growth-stalls.sh.

import net from 'node:net';
import fs from 'node:fs';

const port = Number(process.argv[2]);
const stopFile = process.argv[3];
const maxSeconds = Number(process.argv[4] ?? 120);
if (!Number.isInteger(port) || !stopFile || !(maxSeconds > 0)) {
  process.stderr.write('usage: node dist/bench/ping-probe.js <port> <stop file> [max seconds]\n');
  process.exit(2);
}
const rtts: number[] = [];
const deadline = performance.now() + maxSeconds * 1000;
const sock = net.createConnection({ port, host: '127.0.0.1' });
sock.setNoDelay(true);
let sent = 0;
function send(): void {
  if (fs.existsSync(stopFile) || performance.now() > deadline) return finish();
  sent = performance.now();
  sock.write('PING\r\n');
}
sock.on('connect', send);
sock.on('data', (b) => {
  // "+PONG\r\n" (7 bytes) answers each PING; one is in flight at a time.
  if (b.length !== 7) throw new Error(`unexpected reply ${JSON.stringify(b.toString())}`);
  rtts.push(performance.now() - sent);
  send();
});
sock.on('error', (err) => {
  process.stderr.write(`ping-probe: ${err.message}\n`);
  process.exit(1);
});
function finish(): void {
  sock.destroy();
  rtts.sort((a, b) => a - b);
  const q = (f: number): string => (rtts.length === 0 ? '-' : rtts[Math.min(rtts.length - 1, Math.floor(f * rtts.length))].toFixed(2));
  const over = (ms: number): number => rtts.filter((x) => x > ms).length;
  process.stdout.write(
    `pings ${rtts.length} p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${q(1 - 1e-12)} ms; over 2 ms ${over(2)}, over 5 ms ${over(5)}\n`,
  );
}
