// Micro-benchmark: a lookup on a large keyspace with and without reading the keys ahead, as the
// server does for a pipelined batch (Database.prefetch, src/server/keyspace/database.ts). Loads
// N keys of 16 bytes, then finds random ones in batches of 16 whose keys sit side by side in one
// buffer, as in a read from a client; "prefetch" runs Database.prefetch over each batch first.
// Run: npm run build && node dist/bench/prefetch-micro.js [keys, default 1000000] [lookups, default 2000000] [rounds, default 4]
// Pin it (taskset -c 0 node ...) on a machine shared with other work.
import { Keyspace } from '../src/server/keyspace/keyspace.js';
import { stringMeta } from '../src/server/keyspace/store.js';
import { NO_EXPIRY } from '../src/server/keyspace/entry.js';
import { systemClock } from '../src/lib/clock.js';

const keys = Number(process.argv[2] ?? 1_000_000);
const lookups = Number(process.argv[3] ?? 2_000_000);
const rounds = Number(process.argv[4] ?? 4);
const BATCH = 16;
const KEY_LEN = 16;

const ks = new Keyspace({ databases: 1, clock: systemClock });
const db = ks.dbs[0];
const keyOf = (i: number): Buffer => Buffer.from('key:' + String(i).padStart(12, '0'));
const value = Buffer.from('xxx');
for (let i = 0; i < keys; i++) db.addString(keyOf(i), value, stringMeta(0, 0), NO_EXPIRY);
const n = lookups - (lookups % BATCH);
const input = Buffer.alloc(n * KEY_LEN);
for (let i = 0; i < n; i++) keyOf(Math.floor(Math.random() * keys)).copy(input, i * KEY_LEN);
const views: Buffer[] = [];
for (let i = 0; i < n; i++) views.push(input.subarray(i * KEY_LEN, (i + 1) * KEY_LEN));
const offs = new Int32Array(BATCH);
const lens = new Int32Array(BATCH).fill(KEY_LEN);
let sink = 0;

function run(prefetch: boolean): number {
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += BATCH) {
    if (prefetch) {
      for (let k = 0; k < BATCH; k++) offs[k] = (i + k) * KEY_LEN;
      sink += db.prefetch(input, offs, lens, BATCH);
    }
    for (let k = i; k < i + BATCH; k++) {
      const id = db.find(views[k]);
      if (id >= 0) {
        hits++;
        sink += db.value(id)[0];
      }
    }
  }
  if (hits !== n) throw new Error(`expected ${n} hits, got ${hits}`);
  return Number(process.hrtime.bigint() - t0) / n;
}

process.stdout.write(`${keys} keys, ${n} lookups in batches of ${BATCH}\n`);
for (let r = 0; r < rounds; r++) {
  const plain = run(false);
  const ahead = run(true);
  process.stdout.write(`find: ${plain.toFixed(1)} ns a lookup; prefetch + find: ${ahead.toFixed(1)} ns\n`);
}
process.stdout.write(`(checksum ${sink}: the reads are used)\n`);
