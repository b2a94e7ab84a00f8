// Micro-benchmark: inserting new keys into one database in process, the index's growth included
// (a fresh-key load: every partition climbs its ladder of sizes, each resize rehashing its keys
// from their records). Prints the best of `rounds` fresh loads. To weigh a growth policy, change
// GROWTH or GROW_LOAD in src/server/keyspace/database.ts, rebuild and rerun, pinned, alternating.
// Run: npm run build && taskset -c 1 node dist/bench/insert-micro.js [keys, default 632000] [rounds, default 3]
// (632,000: the distinct keys of redis-benchmark -r 1000000 -n 1000000.)
import { Keyspace } from '../src/server/keyspace/keyspace.js';
import { stringMeta } from '../src/server/keyspace/store.js';
import { NO_EXPIRY } from '../src/server/keyspace/entry.js';
import { systemClock } from '../src/lib/clock.js';

const n = Number(process.argv[2] ?? 632_000);
const rounds = Number(process.argv[3] ?? 3);
const keys: Buffer[] = [];
for (let i = 0; i < n; i++) keys.push(Buffer.from(`key:${String(i * 7919 + 13).padStart(12, '0')}`));
const value = Buffer.alloc(100, 120);
let best = Infinity;
for (let r = 0; r < rounds; r++) {
  const ks = new Keyspace({ databases: 1, clock: systemClock });
  const db = ks.dbs[0];
  const t0 = process.hrtime.bigint();
  for (const k of keys) db.addString(k, value, stringMeta(0, 0), NO_EXPIRY);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  if (db.size !== n) throw new Error(`${db.size} keys, not ${n}`);
}
console.log(`inserted ${n} new keys: best of ${rounds} ${best.toFixed(0)} ms (${((best * 1e6) / n).toFixed(0)} ns a key)`);
