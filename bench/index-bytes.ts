// The index's bytes a key across key counts: loads keys into one database in process and, at
// every 2 % step from `from` to `to` keys, reads the index tables' size (Database.indexTables);
// prints the minimum, mean and maximum bytes a key over the steps, and the figure near 1M keys.
// Weighs a growth step (GROWTH in src/server/keyspace/database.ts) against the rehash cost that
// bench/insert-micro.ts measures.
//
//   npm run build && node dist/bench/index-bytes.js [from, default 400000] [to, default 2000000]
//
// Results: bench/results/engine.md ("index growth step").
import { Keyspace } from '../src/server/keyspace/keyspace.js';
import { stringMeta } from '../src/server/keyspace/store.js';
import { NO_EXPIRY } from '../src/server/keyspace/entry.js';
import { systemClock } from '../src/lib/clock.js';

const from = Number(process.argv[2] ?? 400_000);
const to = Number(process.argv[3] ?? 2_000_000);
if (!(from >= 1 && to >= from)) {
  process.stderr.write('usage: node dist/bench/index-bytes.js [from] [to]\n');
  process.exit(2);
}
const db = new Keyspace({ databases: 1, clock: systemClock }).dbs[0];
const empty = Buffer.alloc(0);
let n = 0;
let min = Infinity;
let max = 0;
let sum = 0;
let steps = 0;
let near1M = '';
for (let target = from; target <= to; target = Math.ceil(target * 1.02)) {
  for (; n < target; n++) db.addString(Buffer.from(`s${n}`), empty, stringMeta(0, 0), NO_EXPIRY);
  const perKey = db.indexTables().bytes / n;
  min = Math.min(min, perKey);
  max = Math.max(max, perKey);
  sum += perKey;
  steps++;
  if (near1M === '' && n >= 1_000_000) near1M = `, ${perKey.toFixed(2)} at ${n} keys`;
}
console.log(`index bytes a key over ${from}-${to} keys (${steps} steps): min ${min.toFixed(2)}, mean ${(sum / steps).toFixed(2)}, max ${max.toFixed(2)}${near1M}`);
