// Index growth stalls: loads N keys (10-byte keys, 100-byte values) into one database in
// process, timing every insert, and prints the longest one, how many took over 1 ms, and the
// slowest windows of 20K inserts (resizes that come together, all partitions at one key count,
// show there rather than in any one insert). An insert that makes its index partition grow pays
// for the rebuild of that partition.
//
//   npm run build && node --max-old-space-size=4096 dist/bench/index-growth.js 10000000
//
// Results: bench/results/engine.md ("index growth" sections).

import { systemClock } from '../src/lib/clock.js';
import { Keyspace } from '../src/server/keyspace/keyspace.js';
import { NO_EXPIRY } from '../src/server/keyspace/entry.js';
import { stringMeta } from '../src/server/keyspace/store.js';

const n = Number(process.argv[2] ?? 10_000_000);
if (!Number.isInteger(n) || n < 1) {
  process.stderr.write('usage: node dist/bench/index-growth.js <keys>\n');
  process.exit(2);
}
const ks = new Keyspace({ databases: 1, clock: systemClock });
const db = ks.dbs[0];
const value = Buffer.alloc(100, 0x78);
const key = Buffer.alloc(10, 0x6b);
let longest = 0;
let longestAt = 0;
let overOneMs = 0;
const WINDOW = 20_000;
const windows: Array<[number, number]> = [];
let windowMs = 0;
const started = performance.now();
for (let i = 0; i < n; i++) {
  key.write(String(i).padStart(9, '0'), 1, 'latin1');
  const t = performance.now();
  db.addString(key, value, stringMeta(0, 0), NO_EXPIRY);
  const d = performance.now() - t;
  if (d > longest) {
    longest = d;
    longestAt = i;
  }
  if (d > 1) overOneMs++;
  windowMs += d;
  if ((i + 1) % WINDOW === 0) {
    windows.push([i + 1, windowMs]);
    windowMs = 0;
  }
}
const slowest = windows
  .sort((a, b) => b[1] - a[1])
  .slice(0, 3)
  .map(([end, ms]) => `${ms.toFixed(0)} ms up to key ${end}`);
const secs = (performance.now() - started) / 1000;
process.stdout.write(
  `${n} keys in ${secs.toFixed(1)} s: longest insert ${longest.toFixed(2)} ms (key ${longestAt}), ${overOneMs} inserts over 1 ms, index ${(db.indexTables().bytes / n).toFixed(1)} B/key; slowest ${WINDOW}-insert windows: ${slowest.join(', ')}\n`,
);
