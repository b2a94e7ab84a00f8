// The Map model behind the storage engine's model-based test (test/unit/engine-model.test.ts):
// per-database maps of key -> {value, expiry, handle}, the checks that compare a Keyspace with
// it, the end-of-run teardown that requires the arena to be back to zero, deterministic value
// bytes, and bulk key generators (including keys that all land in one index partition).

import assert from 'node:assert/strict';
import { FakeClock } from '../../src/lib/clock.js';
import { SLOT_COUNT, keyHashSlot } from '../../src/protocol/slot.js';
import { MAX_CLASS_SIZE, SEG_SIZE } from '../../src/server/keyspace/arena.js';
import { NONE, type Database } from '../../src/server/keyspace/database.js';
import { NO_EXPIRY, VType } from '../../src/server/keyspace/entry.js';
import { hashBytes } from '../../src/server/keyspace/hash.js';
import { Keyspace } from '../../src/server/keyspace/keyspace.js';
import { stringMeta } from '../../src/server/keyspace/store.js';

export const T0 = 1_700_000_000_000;
export const MB = 1024 * 1024;
/** Empty segments the arena keeps for reuse (arena.ts POOL_RESERVE). */
const POOL_RESERVE = 8;

// ---------------------------------------------------------------------------------------------
// Deterministic bytes

/** mulberry32: a small seeded PRNG giving uniform numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2 MB of pseudo-random bytes; a value is a window of it, so misplaced copies show up. */
const NOISE: Buffer = (() => {
  const b = Buffer.allocUnsafe(2 * MB + 64);
  const r = prng(12345);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.floor(r() * 4294967296), i);
  return b;
})();

/** A fresh copy of n bytes of noise starting at src (0 <= src < 1 MB). */
export function bytes(n: number, src: number): Buffer {
  return Buffer.from(NOISE.subarray(src, src + n));
}

export const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A key for messages: JSON if printable ASCII, else hex; long keys cut to 48 bytes. */
export function show(k: Uint8Array): string {
  const b = Buffer.from(k.buffer, k.byteOffset, Math.min(k.length, 48));
  const more = k.length > 48 ? `...(${k.length} B)` : '';
  const text = b.toString('latin1');
  return (/^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `hex:${b.toString('hex')}`) + more;
}

/** Asserts equal bytes without dumping megabytes on failure. */
export function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (Buffer.compare(actual, expected) === 0) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  assert.fail(`${what}: length ${actual.length} vs expected ${expected.length}, first difference at byte ${i}`);
}

// ---------------------------------------------------------------------------------------------
// Model and the engine under test

export interface Rec {
  key: Buffer;
  value: Buffer;
  exp: number;
  /** The handle the engine gave the key when it was created (must stay valid until deleted). */
  id: number;
}

export class Model {
  readonly dbs: Map<string, Rec>[] = [new Map(), new Map()];
  now = T0;
  /** "db:hexkey" of every key the engine must have reported expired, in order. */
  readonly expired: string[] = [];
  hits = 0;
  misses = 0;
  /** Steps run so far (sparser checks are scheduled by it, so a replay checks the same steps). */
  steps = 0;

  total(): number {
    return this.dbs[0].size + this.dbs[1].size;
  }
}

export interface Real {
  ks: Keyspace;
  clock: FakeClock;
  expired: string[];
}

/** A fresh model and engine; `slotIndex` turns on the per-slot key lists (cluster mode). */
export function setup(slotIndex: boolean): { model: Model; real: Real } {
  const expired: string[] = [];
  const clock = new FakeClock(T0);
  const ks = new Keyspace({
    databases: 2,
    clock,
    slotIndex,
    onExpired: (d, id) => expired.push(`${d.id}:${d.key(id).toString('hex')}`),
  });
  return { model: new Model(), real: { ks, clock, expired } };
}

export const hexOf = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.length).toString('hex');

/**
 * Checks the engine against the model: counts always; with `full` also every key's handle,
 * bytes, expiry, slot and volatile-set membership; with `allSlots` also every slot's count.
 */
export function verify(m: Model, r: Real, full: boolean, allSlots = full): void {
  const ks = r.ks;
  assert.deepEqual(r.expired, m.expired, 'keys reported expired');
  assert.equal(ks.stats.expiredKeys, m.expired.length, 'expired_keys stat');
  assert.equal(ks.stats.keyspaceHits, m.hits, 'keyspace hits');
  assert.equal(ks.stats.keyspaceMisses, m.misses, 'keyspace misses');
  for (let d = 0; d < 2; d++) {
    const db = ks.dbs[d];
    const map = m.dbs[d];
    assert.equal(db.size, map.size, `db${d} size`);
    let volatile = 0;
    for (const rec of map.values()) if (rec.exp !== NO_EXPIRY) volatile++;
    assert.equal(db.expiresSize, volatile, `db${d} expiresSize`);
    if (full) verifyDb(db, map, allSlots);
  }
  const total = m.total();
  assert.equal(ks.store.count, total, 'store.count');
  // The arena holds the records and the index partitions' tables.
  const tables = ks.dbs.map((db) => db.indexTables());
  const tableCount = tables.reduce((n, t) => n + t.count, 0);
  const tableBytes = tables.reduce((n, t) => n + t.bytes, 0);
  assert.equal(ks.store.arena.records, total + tableCount, 'arena.records equals live entries plus index tables');
  if (full) {
    let used = tableBytes;
    for (let d = 0; d < 2; d++) for (const rec of m.dbs[d].values()) used += ks.store.recordBytes(rec.id);
    assert.equal(ks.store.arena.usedBytes, used, 'arena.usedBytes equals the record slots plus the index tables');
    assert.ok(ks.store.arena.reservedBytes >= used, 'reservedBytes >= usedBytes');
  }
}

export function verifyDb(db: Database, map: Map<string, Rec>, allSlots: boolean): void {
  const seen = new Set<string>();
  db.forEach((id) => {
    const hex = db.key(id).toString('hex');
    assert.ok(!seen.has(hex), `forEach visited ${hex} twice`);
    seen.add(hex);
    assert.ok(map.has(hex), `db${db.id}: forEach visited ${hex}, absent from the model`);
  });
  assert.equal(seen.size, map.size, `db${db.id}: forEach count`);
  const slots = new Map<number, number[]>();
  for (const rec of map.values()) {
    const id = db.find(rec.key);
    const what = (): string => `db${db.id} key ${show(rec.key)}`;
    if (id !== rec.id) assert.fail(`${what()}: handle ${id}, expected ${rec.id}`);
    if (db.type(id) !== VType.String) assert.fail(`${what()}: type ${db.type(id)}`);
    if (!db.key(id).equals(rec.key)) sameBytes(db.key(id), rec.key, `${what()}: key bytes`);
    if (!db.value(id).equals(rec.value)) sameBytes(db.value(id), rec.value, `${what()}: value`);
    if (db.expireAt(id) !== rec.exp) assert.fail(`${what()}: expireAt ${db.expireAt(id)}, expected ${rec.exp}`);
    const s = keyHashSlot(rec.key);
    const list = slots.get(s);
    if (list) list.push(id);
    else slots.set(s, [id]);
  }
  // Slot counts and lists. With the slot index: every slot's count (when allSlots) and every
  // occupied slot's list. Without it counts read 0 and slotEntries walks the whole index, so
  // only a few slots are listed.
  const slotted = db.store.slotLinks;
  if (allSlots) {
    for (let s = 0; s < SLOT_COUNT; s++) {
      const want = slotted ? (slots.get(s)?.length ?? 0) : 0;
      if (db.countInSlot(s) !== want) assert.fail(`db${db.id} slot ${s}: count ${db.countInSlot(s)}, expected ${want}`);
    }
  }
  let listed = 0;
  for (const [s, ids] of slots) {
    if (!slotted && listed++ === 3) break;
    assert.deepEqual(db.slotEntries(s).sort(), ids.sort(), `db${db.id} slot ${s} list`);
  }
  // The volatile set holds exactly the keys with a TTL.
  const vol: number[] = [];
  for (let i = 0; i < db.expiresSize; i++) vol.push(db.volatileEntry(i));
  const wantVol = [...map.values()].filter((r) => r.exp !== NO_EXPIRY).map((r) => r.id);
  assert.deepEqual(vol.sort(), wantVol.sort(), `db${db.id}: volatile set`);
}

/** Deletes every key, then requires the arena to be back to zero; then FLUSHALL from fresh. */
export function teardown(m: Model, r: Real): void {
  verify(m, r, true);
  const ks = r.ks;
  for (let d = 0; d < 2; d++) {
    const db = ks.dbs[d];
    let i = 0;
    for (const rec of m.dbs[d].values()) {
      if (i++ % 2 === 0) assert.equal(db.deleteKey(rec.key), true);
      else db.delete(db.find(rec.key));
    }
    m.dbs[d].clear();
    assert.equal(db.size, 0);
    assert.equal(db.expiresSize, 0);
    for (let s = 0; s < SLOT_COUNT; s++) if (db.countInSlot(s) !== 0) assert.fail(`db${d} slot ${s} not empty`);
    let visited = 0;
    db.forEach(() => visited++);
    assert.equal(visited, 0);
  }
  const arena = ks.store.arena;
  assert.equal(ks.store.count, 0);
  assert.equal(arena.records, 0, 'no records left');
  assert.equal(arena.usedBytes, 0, 'no used bytes left');
  const segs = arena.segmentCounts();
  assert.equal(segs.slab, 0, 'slab segments released');
  assert.equal(segs.huge, 0, 'dedicated segments released');
  assert.ok(segs.pooled <= POOL_RESERVE, `at most ${POOL_RESERVE} pooled segments (${segs.pooled})`);
  assert.equal(arena.reservedBytes, segs.pooled * SEG_SIZE, 'reservedBytes is the pool only');
  // The emptied engine works again, and FLUSHALL hands every segment back.
  ks.dbs[0].addString(latin1('again'), bytes(3000, 7), stringMeta(0, 0), NO_EXPIRY);
  ks.dbs[1].addString(latin1('again'), bytes(MAX_CLASS_SIZE + 1, 9), stringMeta(0, 0), m.now + 1);
  sameBytes(ks.dbs[1].value(ks.dbs[1].find(latin1('again'))), bytes(MAX_CLASS_SIZE + 1, 9), 'value after reuse');
  assert.equal(ks.flushAll(), 2);
  assert.deepEqual(arena.segmentCounts(), { slab: 0, huge: 0, pooled: 0 });
  assert.equal(arena.reservedBytes, 0);
  assert.equal(arena.records, 0);
}

// ---------------------------------------------------------------------------------------------
// Bulk changes

/**
 * Keys for bulk inserts, distinct per (seed, i): i in 4 bytes, up to 32 random bytes, one in
 * ten behind a "{bN}" hash tag. `hot` keys all fall in one index partition (the one numbered
 * seed & 255, by the hash's top byte, under the hash seed the caller fixed), found by varying a
 * 4-byte suffix; one partition then grows and shrinks a lot, and a SCAN spends all its calls in it.
 */
export function bulkKey(seed: number, i: number, hot: boolean): Buffer {
  const rnd = prng(Math.imul(seed, 7919) + i);
  const len = Math.floor(rnd() * (hot ? 29 : 33));
  let b = Buffer.allocUnsafe(len + 4);
  b.writeUInt32BE(i, 0); // distinct within one batch
  for (let j = 4; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
  if (rnd() < 0.1) b = Buffer.concat([latin1(`{b${i % 5}}`), b]);
  if (!hot) return b;
  // Vary a 4-byte suffix until the key lands in the wanted partition.
  const k = Buffer.concat([b, Buffer.alloc(4)]);
  for (let attempt = 0; ; attempt++) {
    k.writeUInt32LE(attempt, b.length);
    if (hashBytes(k, 0, k.length) >>> 24 === (seed & 255)) return k;
  }
}

/** Inserts n keys (skipping present ones) with small values; some get a TTL. */
export function bulkAdd(m: Model, r: Real, d: number, n: number, seed: number, hot: boolean): void {
  const db = r.ks.dbs[d];
  for (let i = 0; i < n; i++) {
    const key = bulkKey(seed, i, hot);
    const hex = hexOf(key);
    if (m.dbs[d].has(hex)) continue;
    assert.equal(db.find(key), NONE);
    const v = bytes((seed + i) % 61, (seed * 31 + i) % MB);
    const exp = i % 7 === 0 ? m.now + (i % 13) : NO_EXPIRY;
    const id = db.addString(key, v, stringMeta(0, 0), exp);
    m.dbs[d].set(hex, { key, value: v, exp, id });
  }
}

/**
 * Deletes the model's keys at positions p with p % stride === phase (stride 1: all), or with
 * `keep` all but those (keeping one key in `stride`, which makes partitions shrink).
 */
export function bulkDel(m: Model, r: Real, d: number, stride: number, phase: number, keep: boolean): void {
  const db = r.ks.dbs[d];
  const doomed = [...m.dbs[d].values()].filter((_, p) => (p % stride === phase % stride) !== keep);
  for (const rec of doomed) {
    if (rec.id % 2 === 0) assert.equal(db.deleteKey(rec.key), true);
    else db.delete(db.find(rec.key));
    m.dbs[d].delete(hexOf(rec.key));
  }
}
