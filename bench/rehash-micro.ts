// Micro-benchmark: what an index resize pays per key now that bucket words hold no hash
// (Database.#resize, src/server/keyspace/database.ts): every key is hashed again from its record.
// Loads N keys of 13 bytes with 100-byte values, then walks all entries in index order (random
// in memory, as a partition's are) and times, per key:
//   meta      the metadata load alone (record address);
//   touch     + one load of each record, in batches (the loads of a batch overlap);
//   rehash    + decoding the record and hashing its key: what a resize does;
//   no-touch  decoding and hashing with no batched loads first (each record's miss in turn).
// Run: npm run build && node dist/bench/rehash-micro.js [keys, default 1000000] [batch, default 32]
// Pin it (taskset -c 0 node ...) on a machine shared with other work.
import { Keyspace } from '../src/server/keyspace/keyspace.js';
import { stringMeta } from '../src/server/keyspace/store.js';
import { NO_EXPIRY } from '../src/server/keyspace/entry.js';
import { hashBytes } from '../src/server/keyspace/hash.js';
import { systemClock } from '../src/lib/clock.js';

const keys = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 32);
const ks = new Keyspace({ databases: 1, clock: systemClock });
const db = ks.dbs[0];
const value = Buffer.alloc(100, 120);
for (let i = 0; i < keys; i++) db.addString(Buffer.from('k' + String(i).padStart(12, '0')), value, stringMeta(0, 0), NO_EXPIRY);
const ids = new Int32Array(db.size);
let n = 0;
db.forEach((id) => void (ids[n++] = id));
const store = ks.store;
const arena = store.arena;
const addrs = new Int32Array(batch);

type Mode = 'meta' | 'touch' | 'rehash';
function batched(mode: Mode): [number, number] {
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let j = 0; j < n; j += batch) {
    const m = Math.min(batch, n - j);
    for (let q = 0; q < m; q++) addrs[q] = store.addrOf(ids[j + q]);
    if (mode === 'meta') continue;
    for (let q = 0; q < m; q++) sum += arena.buf(addrs[q])[arena.off(addrs[q])];
    if (mode === 'touch') continue;
    for (let q = 0; q < m; q++) {
      store.locate(ids[j + q]);
      sum += hashBytes(store.rb, store.rk, store.rk + store.rkl);
    }
  }
  return [Number(process.hrtime.bigint() - t0) / n, sum];
}

function noTouch(): [number, number] {
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let j = 0; j < n; j++) {
    store.locate(ids[j]);
    sum += hashBytes(store.rb, store.rk, store.rk + store.rkl);
  }
  return [Number(process.hrtime.bigint() - t0) / n, sum];
}

let checksum = 0;
for (let round = 1; round <= 3; round++) {
  const line: string[] = [];
  for (const mode of ['meta', 'touch', 'rehash'] as const) {
    const [ns, sum] = batched(mode);
    checksum += sum;
    line.push(`${mode} ${ns.toFixed(1)}`);
  }
  const [ns, sum] = noTouch();
  checksum += sum;
  line.push(`no-touch ${ns.toFixed(1)}`);
  process.stdout.write(`round ${round}, ${n} keys, batch ${batch}: ns a key: ${line.join(', ')}\n`);
}
process.stdout.write(`checksum ${checksum}\n`);
