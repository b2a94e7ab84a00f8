// Micro-benchmark: the per-value steps of writing and reading an RDB's strings, on the values of
// the full-sync benchmark (bench/replication/fullsync.ts: 100 B, a 10-byte pattern repeated) and
// of DEBUG POPULATE (`value:<j>` zero-padded to 100 B): LZF compression and decompression into a
// reused buffer, as the writer and loader call them, and CRC-64 over a 32 MB buffer.
// Run: npm run build && node dist/bench/rdb-micro.js [values per round, default 1000000] [rounds, default 3]
import { valueFor } from './engine/dataset.js';
import { lzfCompress, lzfCompressInto, lzfDecompressInto } from '../src/server/persistence/lzf.js';
import { Crc64 } from '../src/server/persistence/crc64.js';

const n = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const SIZE = 100;
const DISTINCT = 4096;

function populateValue(j: number): Buffer {
  const v = Buffer.alloc(SIZE);
  v.write(`value:${j}`, 'latin1');
  return v;
}

let sink = 0;
const out = Buffer.allocUnsafe(2 * SIZE);
for (const [shape, make] of [['pattern', (j: number) => valueFor(j, SIZE)], ['populate', populateValue]] as const) {
  const values = Array.from({ length: DISTINCT }, (_, j) => make(j * 7919));
  const packed = values.map((v) => {
    const z = lzfCompress(v, 0, v.length, v.length - 4);
    if (z === null) throw new Error('incompressible');
    return Buffer.from(z);
  });
  for (let r = 0; r < rounds; r++) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const v = values[i & (DISTINCT - 1)];
      sink += lzfCompressInto(v, 0, SIZE, out, SIZE - 4);
    }
    const c = Number(process.hrtime.bigint() - t0) / n;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const z = packed[i & (DISTINCT - 1)];
      sink += lzfDecompressInto(z, 0, z.length, out, SIZE) ? 1 : 0;
    }
    const d = Number(process.hrtime.bigint() - t0) / n;
    process.stdout.write(`${shape}: compress ${c.toFixed(0)} ns, decompress ${d.toFixed(0)} ns a ${SIZE} B value (${packed[0].length} B packed)\n`);
  }
}
const big = Buffer.allocUnsafe(32 * 2 ** 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
for (let r = 0; r < rounds; r++) {
  const crc = new Crc64();
  const t0 = process.hrtime.bigint();
  // In 64 KB pieces at odd offsets, as the loader and the writer feed it.
  for (let off = 0; off < big.length; off += 65_537) crc.update(big, off, Math.min(big.length, off + 65_537));
  const ns = Number(process.hrtime.bigint() - t0) / big.length;
  process.stdout.write(`crc64: ${ns.toFixed(2)} ns a byte (${crc.value.toString(16)})\n`);
}
if (sink === 0) process.stdout.write('\n');
