// Micro-benchmark: the cost of one argument view, as the request parser makes one per argument
// (three per SET). buf.subarray() against argView() (src/protocol/request-parser.ts: `new` of a
// Uint8Array subclass whose prototype chain goes through Buffer.prototype), over the input's
// ArrayBuffer and offset read once, as the parser keeps them.
// Run: npm run build && node dist/bench/view-micro.js [views per round, default 5000000] [rounds, default 3]
import { argView } from '../src/protocol/request-parser.js';

const n = Number(process.argv[2] ?? 5_000_000);
const rounds = Number(process.argv[3] ?? 3);
const buf = Buffer.allocUnsafeSlow(64 * 1024).fill(65);
let sink = 0;

function viaSubarray(count: number): void {
  for (let i = 0; i < count; i++) sink += buf.subarray(i & 1023, (i & 1023) + 10).length;
}

const ab = buf.buffer as ArrayBuffer;
const base = buf.byteOffset;

function viaArgView(count: number): void {
  for (let i = 0; i < count; i++) sink += argView(ab, base + (i & 1023), 10).length;
}

for (let r = 0; r < rounds; r++) {
  for (const [name, f] of [['buf.subarray', viaSubarray], ['argView', viaArgView]] as const) {
    const t0 = process.hrtime.bigint();
    f(n);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    process.stdout.write(`${name}: ${ns.toFixed(1)} ns a view\n`);
  }
}
if (sink === 0) process.stdout.write('(nothing viewed)\n');
