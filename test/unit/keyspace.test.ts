// Unit tests for the keyspace: Database storage and its expires index, lazy expiry (Redis's
// "now > expireAt" rule), SCAN and random sampling, Keyspace access accounting, and the
// active expire cycle (reclaiming keys nobody reads, bounded by its time limit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, startServer } from '../helpers/node.js';
import { until } from '../helpers/poll.js';
import { Database, NONE, hashVisited } from '../../src/server/keyspace/database.js';
import { hashBytes } from '../../src/server/keyspace/hash.js';
import { NO_EXPIRY } from '../../src/server/keyspace/entry.js';
import { Keyspace, lruClock } from '../../src/server/keyspace/keyspace.js';
import { activeExpireCycle, newExpireCycleState } from '../../src/server/keyspace/expire.js';
import { LFU_INIT_VAL } from '../../src/server/keyspace/lfu.js';
import { stringMeta } from '../../src/server/keyspace/store.js';
import { keyHashSlotLatin1 } from '../../src/protocol/slot.js';
import { createRng } from '../../src/lib/rng.js';

const T0 = 1_700_000_000_000;
const K = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Stores key = value (replacing it) with an optional expiry; returns the handle. */
function set(db: Database, key: string, value: string, expireAt = NO_EXPIRY): number {
  const old = db.find(K(key));
  if (old !== NONE) db.delete(old);
  return db.addString(K(key), K(value), stringMeta(0, 0), expireAt);
}

/**
 * n keys of partition 7 whose hashes lie in its first 1/256: in any table of up to 256 buckets
 * they all have home bucket 0.
 */
function collidingKeys(n: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < n; i++) {
    const b = K(`c${i}`);
    const h = hashBytes(b, 0, b.length);
    if (h >>> 24 === 7 && (h & 0xffffff) < 1 << 16) keys.push(`c${i}`);
  }
  return keys;
}

function newDb(expired: string[] = [], expiry = { deleteOnAccess: true }): Database {
  const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0), slotIndex: true, onExpired: (d, id) => expired.push(d.key(id).toString('latin1')) });
  ks.expiry.deleteOnAccess = expiry.deleteOnAccess;
  return ks.dbs[0];
}

describe('Database', () => {
  it('add / find / delete keep size, per-slot counts and the expires index in step', () => {
    const db = newDb();
    const a = set(db, 'a', '1');
    set(db, 'b', '2', T0 + 10);
    assert.equal(db.size, 2);
    assert.equal(db.expiresSize, 1);
    assert.equal(db.countInSlot(keyHashSlotLatin1('a')), 1);
    assert.deepEqual(db.slotEntries(keyHashSlotLatin1('a')), [a]);
    // Clearing a TTL drops the key from the expires index.
    db.setExpire(db.find(K('b')), NO_EXPIRY);
    assert.equal(db.size, 2);
    assert.equal(db.expiresSize, 0);
    db.setExpire(a, T0 + 5);
    assert.equal(db.expiresSize, 1);
    assert.equal(db.find(K('a')), a);
    assert.equal(db.value(a).toString(), '1');
    assert.equal(db.deleteKey(K('a')), true);
    assert.equal(db.deleteKey(K('a')), false);
    assert.equal(db.expiresSize, 0);
    assert.equal(db.size, 1);
    assert.equal(db.countInSlot(keyHashSlotLatin1('a')), 0);
    assert.deepEqual(db.slotEntries(keyHashSlotLatin1('a')), []);
    db.clear();
    assert.equal(db.size, 0);
    assert.equal(db.find(K('b')), NONE);
    assert.equal(db.store.count, 0, 'clear frees the entries');
  });

  it('a TTL given to a key without one keeps its key and value, whether the record shifts in its slot or moves', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0), slotIndex: true, onExpired: () => {} });
    const [db, other] = ks.dbs;
    const store = db.store;
    // Value lengths around the 8-byte slot sizes: some records have 4 spare bytes, some none.
    const cases: Array<{ key: string; value: string; id: number }> = [];
    for (let n = 0; n <= 40; n++) {
      for (const kl of [0, 1, 10, 63, 64, 200]) {
        const key = `k${n}:` + 'x'.repeat(kl);
        const value = 'v'.repeat(n) + (n > 0 ? String(n % 10) : '');
        const id = set(db, key, value);
        cases.push({ key, value, id });
      }
    }
    let shifted = 0;
    let moved = 0;
    for (const [i, c] of cases.entries()) {
      const before = store.addrOf(c.id);
      db.setExpire(c.id, T0 + 1000 + i);
      if (store.addrOf(c.id) === before) shifted++;
      else moved++;
    }
    assert.ok(shifted > 0 && moved > 0, `both paths taken (shifted ${shifted}, moved ${moved})`);
    for (const [i, c] of cases.entries()) {
      const id = db.find(K(c.key));
      assert.equal(id, c.id, c.key);
      assert.equal(db.value(id).toString('latin1'), c.value, c.key);
      assert.equal(db.key(id).toString('latin1'), c.key);
      assert.equal(db.expireAt(id), T0 + 1000 + i);
    }
    assert.equal(db.expiresSize, cases.length);
    // Growing a value, clearing and setting TTLs again keep the word and the expires index right.
    for (const [i, c] of cases.entries()) {
      if (i % 3 === 0) db.setExpire(c.id, NO_EXPIRY);
      if (i % 2 === 0) {
        c.value += 'grown'.repeat(i % 7);
        store.writeValue(c.id, K(c.value));
      }
      if (i % 3 === 0 && i % 2 === 0) db.setExpire(c.id, T0 + 5);
    }
    for (const [i, c] of cases.entries()) {
      assert.equal(db.value(c.id).toString('latin1'), c.value, c.key);
      const want = i % 3 !== 0 ? T0 + 1000 + i : i % 2 === 0 ? T0 + 5 : NO_EXPIRY;
      assert.equal(db.expireAt(c.id), want, c.key);
    }
    // RENAME and MOVE carry the TTL; deleting drops every volatile entry.
    const r = cases[7];
    db.rename(r.id, K('renamed'));
    assert.equal(db.expireAt(db.find(K('renamed'))), T0 + 1000 + 7);
    const m = cases[8];
    db.moveTo(m.id, other);
    assert.equal(other.expireAt(other.find(K(m.key))), T0 + 1000 + 8);
    assert.equal(other.value(m.id).toString('latin1'), m.value);
    assert.equal(other.expiresSize, 1);
    for (const c of cases) if (c !== r && c !== m) db.deleteKey(K(c.key));
    db.deleteKey(K('renamed'));
    other.deleteKey(K(m.key));
    assert.equal(db.expiresSize + other.expiresSize, 0);
    assert.equal(store.count, 0);
  });

  it('binary keys, the empty key and long keys are distinct and exact', () => {
    const db = newDb();
    const keys = ['', '\x00', '\x00\x00', 'a\r\nb', 'x'.repeat(300), 'x'.repeat(301), '{t}1', '{t}2', '\xff\xfe'];
    keys.forEach((k, i) => set(db, k, `v${i}`));
    assert.equal(db.size, keys.length);
    keys.forEach((k, i) => assert.equal(db.value(db.find(K(k))).toString(), `v${i}`, JSON.stringify(k)));
    assert.equal(db.countInSlot(keyHashSlotLatin1('{t}1')), 2, 'hash tags share a slot');
  });

  it('the index grows past many resizes and shrinks back; values stay intact', () => {
    const db = newDb();
    const n = 50_000;
    for (let i = 0; i < n; i++) set(db, `key:${i}`, `value:${i}`);
    assert.equal(db.size, n);
    for (let i = 0; i < n; i += 997) assert.equal(db.value(db.find(K(`key:${i}`))).toString(), `value:${i}`);
    const grown = db.indexTables().bytes;
    for (let i = 0; i < n - 10; i++) assert.equal(db.deleteKey(K(`key:${i}`)), true);
    assert.equal(db.size, 10);
    assert.ok(db.indexTables().bytes < grown / 4, 'partitions shrink');
    for (let i = n - 10; i < n; i++) assert.equal(db.value(db.find(K(`key:${i}`))).toString(), `value:${i}`);
  });

  it('lookup expires lazily once now > expireAt, reporting the key', () => {
    const expired: string[] = [];
    const db = newDb(expired);
    set(db, 'k', 'v', T0 + 100);
    assert.notEqual(db.lookup(K('k'), T0 + 100), NONE, 'alive at its expiry millisecond');
    assert.deepEqual(expired, []);
    assert.equal(db.lookup(K('k'), T0 + 101), NONE);
    assert.deepEqual(expired, ['k']);
    assert.equal(db.size, 0);
    assert.equal(db.expiresSize, 0);
  });

  it('with deleteOnExpire off an expired key reads as missing but stays', () => {
    const expired: string[] = [];
    const db = newDb(expired, { deleteOnAccess: false });
    set(db, 'k', 'v', T0);
    assert.equal(db.lookup(K('k'), T0 + 1), NONE);
    assert.equal(db.size, 1);
    assert.deepEqual(expired, []);
  });

  it('keys sharing one home bucket: displacements past the saturated field stay exact', () => {
    // In a table of up to 256 buckets these share home bucket 0, displaced 0..39, past the
    // field's 31 (saturated).
    const keys = collidingKeys(40);
    const db = newDb();
    keys.forEach((k, i) => set(db, k, `v${i}`));
    const scanAll = (): string[] => {
      const seen: string[] = [];
      let cursor = 0;
      do cursor = db.scan(cursor, 1, (e) => seen.push(db.key(e).toString('latin1')));
      while (cursor !== 0);
      return seen.sort();
    };
    assert.deepEqual(scanAll(), [...keys].sort());
    const rng = createRng(7);
    const order = [...keys].sort(() => rng.next() - 0.5);
    const left = new Set(keys);
    for (const k of order) {
      assert.equal(db.deleteKey(K(k)), true, k);
      left.delete(k);
      assert.equal(db.find(K(k)), NONE, k);
      for (const r of left) assert.equal(db.value(db.find(K(r))).toString(), `v${keys.indexOf(r)}`, `${r} after deleting ${k}`);
      assert.deepEqual(scanAll(), [...left].sort());
    }
    assert.equal(db.size, 0);
  });

  it('reserve sizes the partitions so the keys it was told of grow no table', () => {
    const db = newDb();
    db.reserve(100_000);
    const reserved = db.indexTables();
    assert.equal(reserved.count, 256);
    for (let i = 0; i < 100_000; i++) set(db, `r${i}`, '');
    assert.deepEqual(db.indexTables(), reserved, 'no partition grew');
    for (let i = 0; i < 100_000; i += 999) assert.equal(db.value(db.find(K(`r${i}`))).toString(), '');
    // Room for the share and four standard deviations at each partition's growth load (0.74-0.86),
    // rounded up to an arena slot, not to the next rung of the doubling ladder: about
    // 4 / 0.8 * (1 + 4 / sqrt(390)) = 6.0 bytes a key.
    const perKey = reserved.bytes / 100_000;
    assert.ok(perKey <= 6.6, `${perKey.toFixed(2)} bytes a key`);
    // A small hint reserves nothing; larger partitions are left as they are.
    const small = newDb();
    small.reserve(1000);
    assert.equal(small.indexTables().count, 0);
    db.reserve(10);
    assert.deepEqual(db.indexTables(), reserved);
    // A hint past 16M keys (a lying RESIZEDB, DEBUG POPULATE 1e11) reserves as much as 16M.
    const capped = newDb();
    capped.reserve(1 << 24);
    const atCap = capped.indexTables();
    const huge = newDb();
    huge.reserve(1e11);
    assert.deepEqual(huge.indexTables(), atCap);
  });

  it('a partition built for few entries takes ids the store grew to later', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    const [db0, db1] = ks.dbs;
    // Room for ~100 keys a partition (about 200 buckets), so the keys below grow no table and
    // the later ids widen the words in place, saturated displacements included: 40 keys share
    // one home bucket.
    db0.reserve(25_600);
    const colliding = collidingKeys(41);
    const early = [...colliding.slice(0, 40)];
    for (let i = 0; i < 1000; i++) early.push(`early${i}`);
    early.forEach((k, i) => set(db0, k, `e${i}`));
    const reserved = db0.indexTables();
    // 140K keys elsewhere take the store past 2^17 entries: later ids need a wider field.
    for (let i = 0; i < 140_000; i++) set(db1, `bulk${i}`, '');
    const lateKeys = [colliding[40]];
    for (let i = 0; i < 1000; i++) lateKeys.push(`late${i}`);
    const late = lateKeys.map((k, i) => set(db0, k, `l${i}`));
    assert.ok(Math.min(...late) >= 1 << 17, 'ids past 2^17');
    assert.deepEqual(db0.indexTables(), reserved, 'no table of db0 was rebuilt');
    early.forEach((k, i) => assert.equal(db0.value(db0.find(K(k))).toString(), `e${i}`, k));
    lateKeys.forEach((k, i) => assert.equal(db0.find(K(k)), late[i], k));
    let seen = 0;
    let cursor = 0;
    do cursor = db0.scan(cursor, 10, () => void seen++);
    while (cursor !== 0);
    assert.equal(seen, early.length + lateKeys.length);
    // Deleting shifts words back across the saturated ones.
    for (let i = 0; i < lateKeys.length; i += 2) assert.equal(db0.deleteKey(K(lateKeys[i])), true);
    for (let i = 0; i < 40; i += 3) assert.equal(db0.deleteKey(K(early[i])), true);
    for (let i = 1; i < lateKeys.length; i += 2) assert.equal(db0.find(K(lateKeys[i])), late[i], lateKeys[i]);
    early.forEach((k, i) => assert.equal(db0.find(K(k)) === NONE, i < 40 && i % 3 === 0, k));
    assert.equal(db1.size, 140_000);
  });

  it('scan visits every key once across cursors and ends at 0', () => {
    const db = newDb();
    for (let i = 0; i < 500; i++) set(db, `k${i}`, 'v');
    const seen: string[] = [];
    let cursor = 0;
    let steps = 0;
    do {
      cursor = db.scan(cursor, 10, (e) => seen.push(db.key(e).toString()));
      steps++;
    } while (cursor !== 0);
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    assert.ok(steps > 10);
    assert.equal(newDb().scan(0, 10, () => assert.fail('empty db')), 0);
  });

  it('scan returns every key present throughout while the index grows and shrinks between calls', () => {
    const db = newDb();
    for (let i = 0; i < 2000; i++) set(db, `stay${i}`, 'v');
    const seen = new Set<string>();
    let cursor = 0;
    let step = 0;
    do {
      cursor = db.scan(cursor, 20, (e) => void seen.add(db.key(e).toString()));
      // Grow hard for a while, then shrink below the starting size.
      if (step < 40) for (let j = 0; j < 500; j++) set(db, `tmp${step}:${j}`, 'v');
      else if (step === 40) for (let s = 0; s < 40; s++) for (let j = 0; j < 500; j++) db.deleteKey(K(`tmp${s}:${j}`));
      step++;
    } while (cursor !== 0 && step < 100_000);
    for (let i = 0; i < 2000; i++) assert.ok(seen.has(`stay${i}`), `stay${i} returned`);
  });

  it('after each scan step, a key was visited exactly when hashVisited says so', () => {
    const db = newDb();
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) keys.push(`h${i}`);
    for (const k of keys) set(db, k, 'v');
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    do {
      cursor = db.scan(cursor, 7, (e) => void seen.add(db.key(e).toString()));
      steps++;
      if (cursor === 0) break;
      for (const k of keys) {
        const b = K(k);
        assert.equal(seen.has(k), hashVisited(hashBytes(b, 0, b.length), cursor), `${k} at cursor ${cursor}`);
      }
    } while (steps < 10_000);
    assert.equal(seen.size, keys.length);
  });

  it('the index costs 5-7.25 bytes a key at any size (power-of-two tables of 8-byte buckets: 10.7-21)', () => {
    const db = newDb();
    let n = 0;
    // Tables half as big again at each rung, whose partitions grow at loads spread over
    // 0.74-0.86 (5.6-6.9 bytes a key from 5K to 400K keys), among them key counts where one
    // power-of-two table for the whole database was at the bottom of its sawtooth (load ~0.38).
    for (const target of [10_000, 25_000, 38_000, 50_000, 73_000, 99_000, 150_000, 200_000]) {
      for (; n < target; n++) set(db, `s${n}`, '');
      // A partition moving to its larger table holds both for a while (Database#grow).
      const moving = db.indexTables().bytes / n;
      assert.ok(moving <= 9, `${moving.toFixed(2)} bytes a key at ${n} keys, partitions moving`);
      db.moveSome(Infinity);
      const perKey = db.indexTables().bytes / n;
      assert.ok(perKey >= 5 && perKey <= 7.25, `${perKey.toFixed(2)} bytes a key at ${n} keys`);
    }
    // Deleting most keys shrinks the tables back within bounds (under 20 % full: rebuilt at 64 %).
    for (let i = 0; i < 190_000; i++) db.deleteKey(K(`s${i}`));
    const perKey = db.indexTables().bytes / db.size;
    assert.ok(perKey <= 4 / 0.2, `${perKey.toFixed(2)} bytes a key after deletes`);
  });

  it('randomEntry returns present keys, covers them, and is NONE when empty', () => {
    const db = newDb();
    const rng = createRng(42);
    const rand = (): number => rng.next();
    assert.equal(db.randomEntry(rand), NONE);
    for (let i = 0; i < 10; i++) set(db, `k${i}`, 'v');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(db.key(db.randomEntry(rand)).toString());
    assert.equal(seen.size, 10, 'every key drawn');
  });

  it('randomVolatile draws only keys with a TTL, and all of them', () => {
    const db = newDb();
    const rng = createRng(7);
    const rand = (): number => rng.next();
    assert.equal(db.randomVolatile(rand), NONE);
    for (let i = 0; i < 20; i++) set(db, `k${i}`, 'v', i % 4 === 0 ? T0 + 1000 : NO_EXPIRY);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(db.key(db.randomVolatile(rand)).toString());
    assert.deepEqual([...seen].sort(), ['k0', 'k12', 'k16', 'k4', 'k8']);
  });

  it('swapWith exchanges contents, ids stay', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    const [a2, b] = ks.dbs;
    set(a2, 'x', '1', T0);
    a2.swapWith(b);
    assert.equal(a2.size, 0);
    assert.equal(b.size, 1);
    assert.equal(b.expiresSize, 1);
    assert.equal(a2.id, 0);
    assert.equal(b.id, 1);
    assert.equal(b.value(b.find(K('x'))).toString(), '1');
  });
});

describe('incremental growth (partitions of Database.moveMinBuckets or more)', () => {
  /** Runs fn with every partition of 8 buckets or more growing incrementally. */
  function withMoves(fn: () => void): void {
    const was = Database.moveMinBuckets;
    Database.moveMinBuckets = 8;
    try {
      fn();
    } finally {
      Database.moveMinBuckets = was;
    }
  }

  it('every key stays found, and absent keys absent, while partitions move; deletes reach both tables', () => {
    withMoves(() => {
      const db = newDb();
      const rng = createRng(7);
      const present = new Map<string, string>();
      let maxMoving = 0;
      let checks = 0;
      for (let i = 0; i < 40_000; i++) {
        const k = `k${i}`;
        set(db, k, `v${i}`);
        present.set(k, `v${i}`);
        // Deletes of older keys (in old tables while their partition moves) and of new ones.
        if (rng.next() < 0.3) {
          const victim = `k${Math.floor(rng.next() * (i + 1))}`;
          assert.equal(db.deleteKey(K(victim)), present.delete(victim), victim);
        }
        maxMoving = Math.max(maxMoving, db.movingPartitions);
        if (i % 4000 === 3999 && db.movingPartitions > 0) {
          checks++;
          for (const [key, v] of present) {
            const id = db.find(K(key));
            assert.notEqual(id, NONE, key);
            assert.equal(db.value(id).toString(), v, key);
          }
          for (let j = 0; j < 2000; j++) assert.equal(db.find(K(`absent${j}`)), NONE);
        }
      }
      assert.ok(maxMoving >= 2, `partitions moved at once: ${maxMoving}`);
      assert.ok(checks >= 5, `checks taken while moving: ${checks}`);
      assert.equal(db.size, present.size);
      let walked = 0;
      db.forEach(() => walked++);
      assert.equal(walked, present.size, 'forEach visits both tables of a moving partition');
      // The cron's share ends every move; the old tables go back to the arena.
      const tables = db.indexTables();
      db.moveSome(Infinity);
      assert.equal(db.movingPartitions, 0);
      assert.ok(db.indexTables().count < tables.count || tables.count === 256, 'old tables freed');
      assert.equal(db.indexTables().count, 256);
      for (const [key, v] of present) assert.equal(db.value(db.find(K(key))).toString(), v, key);
    });
  });

  it('a scan across moves visits a key exactly when hashVisited says so, while keys are added and deleted between steps', () => {
    withMoves(() => {
      const db = newDb();
      const stable: string[] = [];
      for (let i = 0; i < 6_000; i++) {
        set(db, `s${i}`, 'v');
        stable.push(`s${i}`);
      }
      const stableHashes = stable.map((k) => hashBytes(K(k), 0, k.length));
      const seen = new Set<string>();
      let cursor = 0;
      let steps = 0;
      let stepsWhileMoving = 0;
      let extra = 0;
      do {
        if (db.movingPartitions > 0) stepsWhileMoving++;
        cursor = db.scan(cursor, 5, (e) => void seen.add(db.key(e).toString()));
        steps++;
        // Between steps: new keys (partitions keep growing and moving) and deletes of them.
        for (let k = 0; k < 4; k++) set(db, `x${extra++}`, 'v');
        db.deleteKey(K(`x${extra - 3}`));
        if (cursor === 0) break;
        for (let k = 0; k < stable.length; k++) {
          if (seen.has(stable[k]) !== hashVisited(stableHashes[k], cursor)) assert.fail(`${stable[k]} at cursor ${cursor}`);
        }
      } while (steps < 10_000);
      for (const k of stable) assert.ok(seen.has(k), k);
      assert.ok(stepsWhileMoving > steps / 4, `steps taken while partitions moved: ${stepsWhileMoving} of ${steps}`);
    });
  });

  it('a moving partition emptied by deletes returns both tables; random draws end moves first', () => {
    withMoves(() => {
      const db = newDb();
      for (let i = 0; i < 20_000; i++) set(db, `k${i}`, 'v');
      const moving = db.movingPartitions;
      assert.ok(moving > 0);
      const rng = createRng(3);
      for (let i = 0; i < 200; i++) assert.notEqual(db.randomEntry(() => rng.next()), NONE);
      assert.ok(db.movingPartitions < moving, 'a random draw ends the move of the partition it reads');
      for (let i = 20_000; i < 30_000; i++) set(db, `k${i}`, 'v');
      assert.ok(db.movingPartitions > 0);
      for (let i = 0; i < 30_000; i++) assert.equal(db.deleteKey(K(`k${i}`)), true, `k${i}`);
      assert.equal(db.size, 0);
      assert.equal(db.movingPartitions, 0);
      assert.deepEqual(db.indexTables(), { count: 0, bytes: 0 });
    });
  });
});

describe('id fields widened ahead of the ids', () => {
  it('every partition widens once the store can hold ids that need it, before any such id is used', () => {
    const db = newDb();
    // 65,537 keys: the last one takes the store to its second chunk, 131,072 entries, whose
    // ids past 2^17 - 1 need 18-bit fields; every table so far has 17.
    for (let i = 0; i <= 65_536; i++) set(db, `w${i}`, 'v');
    assert.equal(db.minIdBits(), 17);
    // Replacements: the same keys (no partition grows) under reused ids (none past 65,536).
    for (let r = 0; r < 40_000; r++) set(db, `w${r}`, 'v2');
    assert.equal(db.size, 65_537);
    assert.equal(db.minIdBits(), 18, 'every partition widened before any id needed it');
    for (let i = 0; i <= 65_536; i += 97) assert.equal(db.value(db.find(K(`w${i}`))).toString(), i < 40_000 ? 'v2' : 'v', `w${i}`);
  });
});

describe('incremental growth in the server cron', () => {
  it('with activerehashing yes the cron ends moves no write reaches; with no they wait for writes', async () => {
    const was = Database.moveMinBuckets;
    Database.moveMinBuckets = 8;
    const node = await startServer({ clock: new FakeClock(T0), config: { activerehashing: 'no' } });
    try {
      const srv = node.server;
      const db = srv.keyspace.dbs[0];
      for (let i = 0; i < 20_000; i++) set(db, `k${i}`, 'v');
      const moving = db.movingPartitions;
      assert.ok(moving > 0);
      for (let i = 0; i < 5; i++) srv.cron();
      assert.equal(db.movingPartitions, moving, 'activerehashing no: the cron moves nothing');
      srv.config.set('activerehashing', 'yes');
      for (let i = 0; i < 1000 && db.movingPartitions > 0; i++) srv.cron();
      assert.equal(db.movingPartitions, 0);
      for (let i = 0; i < 20_000; i++) assert.notEqual(db.find(K(`k${i}`)), NONE, `k${i}`);
    } finally {
      Database.moveMinBuckets = was;
      await node.close();
    }
  });
});

describe('Database.prefetch', () => {
  it('reads ahead present, missing and keyless entries and changes nothing', () => {
    const db = newDb();
    const keys: string[] = [];
    for (let i = 0; i < 200; i++) keys.push(`key:${i}`);
    // An empty database: nothing to read.
    const input = Buffer.from(keys.join(''));
    const offs = new Int32Array(100);
    const lens = new Int32Array(100);
    let o = 0;
    for (let k = 0; k < 100; k++) {
      offs[k] = k % 7 === 3 ? -1 : o;
      lens[k] = keys[k].length;
      o += keys[k].length;
    }
    assert.equal(db.prefetch(input, offs, lens, 100), 0);
    // Half the keys present, one of them with a value of its own buffer (past the slab sizes).
    const ids = new Map<string, number>();
    for (let i = 0; i < 200; i += 2) ids.set(keys[i], set(db, keys[i], i === 10 ? 'x'.repeat(70_000) : `v${i}`));
    const before = db.store.count;
    assert.ok(db.prefetch(input, offs, lens, 100) > 0);
    assert.equal(db.store.count, before);
    assert.equal(db.size, 100);
    for (const k of keys) assert.equal(db.find(K(k)), ids.get(k) ?? NONE, k);
    assert.equal(db.value(ids.get('key:10') as number).length, 70_000);
  });
});

describe('Keyspace', () => {
  it('lookupRead counts hits and misses and touches; lookupWrite does neither count', () => {
    const clock = new FakeClock(T0);
    const ks = new Keyspace({ databases: 2, clock });
    const db = ks.dbs[0];
    const k = set(db, 'k', 'v');
    assert.equal(ks.lookupRead(db, K('k'), T0), k);
    assert.equal(ks.lookupRead(db, K('nope'), T0), NONE);
    assert.equal(ks.stats.keyspaceHits, 1);
    assert.equal(ks.stats.keyspaceMisses, 1);
    assert.equal(ks.store.clock(k), lruClock(T0));
    ks.lookupRead(db, K('k'), T0 + 5000, true);
    assert.equal(ks.store.clock(k), lruClock(T0), 'noTouch keeps the access clock');
    ks.lookupWrite(db, K('k'), T0 + 9000);
    ks.lookupWrite(db, K('nope'), T0 + 9000);
    assert.equal(ks.stats.keyspaceHits, 2);
    assert.equal(ks.stats.keyspaceMisses, 1);
    assert.equal(ks.store.clock(k), lruClock(T0 + 9000));
  });

  it('counts expired keys and reports them to the owner', () => {
    const reported: string[] = [];
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0), onExpired: (d, id) => reported.push(d.key(id).toString()) });
    set(ks.dbs[0], 'k', 'v', T0);
    assert.equal(ks.lookupRead(ks.dbs[0], K('k'), T0 + 1), NONE);
    assert.equal(ks.stats.expiredKeys, 1);
    assert.deepEqual(reported, ['k']);
  });

  it('LFU policy: new keys start at LFU_INIT_VAL', () => {
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0) });
    ks.accessPolicy = 'lfu';
    assert.equal(ks.initialLru(T0) & 0xff, LFU_INIT_VAL);
  });

  it('shadow databases: loaded aside, installed in place of the old contents (freed), or dropped; the store ends as it began', async () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    const listeners = ks.store.resetListeners.length;
    const side = ks.store.sideBytes;
    set(ks.dbs[0], 'old', '1', T0 + 10);
    set(ks.dbs[1], 'old1', '1');
    const replaced: number[] = [];
    ks.dbs[0].indexObserver = { linked: () => {}, unlinked: () => {}, emptied: () => {}, swapped: () => {}, replaced: (db) => replaced.push(db.id) };
    // Dropped: the node's databases never saw the shadow's keys.
    let shadow = ks.shadowDbs();
    set(shadow[0], 'new', '2');
    assert.equal(ks.dbs[0].find(K('new')), NONE);
    ks.dropShadow(shadow);
    assert.equal(ks.store.count, 2);
    assert.equal(ks.store.resetListeners.length, listeners);
    assert.equal(ks.dbs[0].find(K('old')) !== NONE, true);
    // Installed: the shadow's contents (TTLs included) in place, the old ones freed.
    shadow = ks.shadowDbs();
    set(shadow[0], 'new', '2', T0 + 20);
    set(shadow[0], 'new2', '3');
    ks.installShadow(shadow);
    assert.deepEqual(replaced, [0]);
    assert.equal(ks.dbs[0].size, 2);
    assert.equal(ks.dbs[0].expiresSize, 1);
    assert.equal(ks.dbs[0].find(K('old')), NONE);
    assert.equal(ks.dbs[0].value(ks.dbs[0].find(K('new'))).toString(), '2');
    assert.equal(ks.dbs[1].size, 0);
    assert.equal(ks.store.count, 2, 'the old keys were freed');
    assert.equal(ks.store.resetListeners.length, listeners);
    // FLUSHALL while a shadow loads (a writable replica's client, during async loading)
    // empties the node's databases only, and keys FLUSHDB ASYNC left to free are still freed.
    shadow = ks.shadowDbs();
    set(shadow[1], 'loading', 'x');
    for (let i = 0; i < 70_000; i++) set(ks.dbs[1], `lazy:${i}`, 'v');
    assert.equal(ks.flushDb(ks.dbs[1], true), 70_000);
    assert.equal(ks.stats.lazyfreePendingObjects, 70_000);
    assert.equal(ks.flushAll(), 2);
    assert.equal(ks.dbs[0].size, 0);
    assert.equal(shadow[1].value(shadow[1].find(K('loading'))).toString(), 'x');
    await until(() => ks.stats.lazyfreePendingObjects === 0, { what: 'the lazy free to finish' });
    assert.equal(ks.store.count, 1, 'the detached keys were freed, the shadow key kept');
    ks.installShadow(shadow);
    assert.equal(ks.dbs[1].size, 1);
    assert.equal(ks.store.count, 1);
    // A store reset no longer reaches the ended shadows; the node's databases still answer.
    ks.flushAll();
    assert.equal(ks.dbs[0].size, 0);
    assert.equal(ks.store.sideBytes, side);
  });

  it('flushAll empties every database and returns the number of keys removed', () => {
    const ks = new Keyspace({ databases: 3, clock: new FakeClock(T0) });
    set(ks.dbs[0], 'a', '1');
    set(ks.dbs[2], 'b', '2', T0 + 1);
    assert.deepEqual(ks.totals(), { keys: 2, expires: 1 });
    assert.equal(ks.flushAll(), 2);
    assert.deepEqual(ks.totals(), { keys: 0, expires: 0 });
    assert.equal(ks.store.arena.usedBytes, 0);
    set(ks.dbs[1], 'c', '3');
    assert.equal(ks.dbs[1].value(ks.dbs[1].find(K('c'))).toString(), '3', 'usable after a flush');
  });
});

describe('active expiry', () => {
  it('reclaims keys that are never read again over successive cron cycles', async () => {
    const clock = new FakeClock(T0);
    const node = await startServer({ clock });
    try {
      const srv = node.server;
      const db = srv.keyspace.dbs[0];
      // 2000 keys with a far TTL, 100 that expire soon, spread evenly through the index so
      // each sample is mostly live keys: a cycle stops early, and only the persistent cursor
      // guarantees the stale ones are eventually found.
      let n = 0;
      for (let i = 0; i < 2100; i++) {
        const soon = i % 21 === 0;
        if (soon) n++;
        set(db, `k${i}`, 'v', soon ? T0 + 1000 : T0 + 3_600_000);
      }
      set(db, 'persistent', 'v');
      assert.equal(n, 100);
      clock.advance(1001);
      const before = srv.keyspace.stats.expiredKeys;
      srv.cron();
      const afterOne = srv.keyspace.stats.expiredKeys - before;
      assert.ok(afterOne > 0 && afterOne < 100, `one cycle reclaims only part (${afterOne})`);
      let cycles = 1;
      while (srv.keyspace.stats.expiredKeys - before < 100 && cycles < 1000) {
        srv.cron();
        cycles++;
      }
      assert.equal(srv.keyspace.stats.expiredKeys - before, 100, `all reclaimed after ${cycles} cycles`);
      assert.equal(db.size, 2001);
      assert.equal(db.expiresSize, 2000);
      assert.notEqual(db.find(K('persistent')), NONE);
      // Nothing past its TTL remains anywhere.
      db.forEach((e) => assert.ok(db.expireAt(e) === NO_EXPIRY || db.expireAt(e) >= clock.now()));
    } finally {
      await node.close();
    }
  });

  it('one cycle stops at its time limit and the next one continues', () => {
    const clock = new FakeClock(T0);
    const ks = new Keyspace({ databases: 1, clock });
    const db = ks.dbs[0];
    for (let i = 0; i < 10_000; i++) set(db, `k${i}`, 'v', T0);
    const state = newExpireCycleState();
    // Each clock read advances 10 ms; hz 10 gives a 25 ms budget. The clock is read at the
    // start and every 16 sampling loops, so the cycle stops after 48 loops of 20 keys.
    let t = 0;
    const elapsed = (): number => (t += 10);
    const expired = activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0 + 1, elapsed });
    assert.equal(expired, 48 * 20);
    assert.equal(state.timedOut, true);
    assert.equal(ks.stats.expiredTimeCapReachedCount, 1);
    assert.equal(db.size, 10_000 - 960);
    // A cycle with time to spare finishes the job.
    const rest = activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0 + 1, elapsed: () => 0 });
    assert.equal(rest, 10_000 - 960);
    assert.equal(state.timedOut, false);
    assert.equal(db.size, 0);
    assert.ok(ks.stats.expiredStalePerc > 0);
  });

  it('keys at their expiry millisecond are not reclaimed yet', () => {
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0) });
    set(ks.dbs[0], 'k', 'v', T0);
    const state = newExpireCycleState();
    assert.equal(activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0, elapsed: () => 0 }), 0);
    assert.equal(activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0 + 1, elapsed: () => 0 }), 1);
  });
});

describe('FLUSHDB', () => {
  it('frees a database that holds every key at once, and a shared node key by key', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    for (let i = 0; i < 100; i++) set(ks.dbs[0], `a${i}`, 'v');
    assert.equal(ks.flushDb(ks.dbs[0], false), 100);
    assert.equal(ks.store.count, 0);
    assert.equal(ks.store.arena.usedBytes, 0);
    for (let i = 0; i < 100; i++) set(ks.dbs[0], `a${i}`, 'v');
    set(ks.dbs[1], 'other', 'kept');
    assert.equal(ks.flushDb(ks.dbs[0], false), 100);
    assert.equal(ks.store.count, 1);
    assert.equal(ks.dbs[1].value(ks.dbs[1].find(K('other'))).toString(), 'kept');
  });

  it('ASYNC empties the database at once and frees its memory in later event-loop turns', async () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    const n = 120_000;
    for (let i = 0; i < n; i++) set(ks.dbs[0], `k${i}`, 'value');
    set(ks.dbs[1], 'other', 'kept');
    assert.equal(ks.flushDb(ks.dbs[0], true), n);
    assert.equal(ks.dbs[0].size, 0);
    assert.equal(ks.dbs[0].find(K('k1')), NONE);
    assert.equal(ks.stats.lazyfreePendingObjects, n, 'nothing freed synchronously');
    set(ks.dbs[0], 'k1', 'new'); // usable at once
    const deadline = Date.now() + 10_000;
    while (ks.stats.lazyfreePendingObjects > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(ks.stats.lazyfreePendingObjects, 0);
    assert.equal(ks.stats.lazyfreedObjects, n);
    assert.equal(ks.store.count, 2);
    assert.equal(ks.dbs[0].value(ks.dbs[0].find(K('k1'))).toString(), 'new');
    assert.equal(ks.dbs[1].value(ks.dbs[1].find(K('other'))).toString(), 'kept');
  });
});

describe('snapshot versions', () => {
  it('markAllCurrent gives every entry the epoch and leaves every record address as it was', () => {
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0) });
    const db = ks.dbs[0];
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) ids.push(set(db, `k${i}`, `v${i}`));
    const addrs = ids.map((id) => ks.store.addrOf(id));
    // Both epochs: an abandoned snapshot leaves the store in either one.
    for (const epoch of [1, 0]) {
      ks.store.epoch = epoch;
      assert.ok(ids.every((id) => ks.store.isOld(id)));
      ks.store.markAllCurrent();
      assert.deepEqual(ids.filter((id) => ks.store.isOld(id)), []);
      assert.deepEqual(ids.map((id) => ks.store.addrOf(id)), addrs);
      for (let i = 0; i < 1000; i++) assert.equal(db.value(db.find(K(`k${i}`))).toString(), `v${i}`);
    }
  });
});
