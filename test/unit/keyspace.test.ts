// Unit tests for the keyspace: Database storage and its expires index, lazy expiry (Redis's
// "now > expireAt" rule), SCAN and random sampling, Keyspace access accounting, and the
// active expire cycle (reclaiming keys nobody reads, bounded by its time limit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, startServer } from '../../src/index.js';
import { Database } from '../../src/server/keyspace/database.js';
import { Entry, NO_EXPIRY, VType } from '../../src/server/keyspace/entry.js';
import { Keyspace, lruClock } from '../../src/server/keyspace/keyspace.js';
import { activeExpireCycle, newExpireCycleState } from '../../src/server/keyspace/expire.js';
import { LFU_INIT_VAL } from '../../src/server/keyspace/lfu.js';
import { keyHashSlotLatin1 } from '../../src/protocol/slot.js';

const T0 = 1_700_000_000_000;

function str(value: string, expireAt = NO_EXPIRY): Entry {
  const e = new Entry(VType.String, Buffer.from(value), 0);
  e.expireAt = expireAt;
  return e;
}

function newDb(expired: string[] = [], expiry = { deleteOnAccess: true }): Database {
  return new Database(0, (_db, key) => expired.push(key), expiry);
}

describe('Database', () => {
  it('set / peek / delete keep size, per-slot counts and the expires index in step', () => {
    const db = newDb();
    assert.equal(db.set('a', str('1')), undefined);
    db.set('b', str('2', T0 + 10));
    assert.equal(db.size, 2);
    assert.equal(db.expiresSize, 1);
    assert.equal(db.countInSlot(keyHashSlotLatin1('a')), 1);
    // Replacing a volatile entry with a persistent one drops the TTL from the index.
    const old = db.set('b', str('3'));
    assert.equal(old?.expireAt, T0 + 10);
    assert.equal(db.size, 2);
    assert.equal(db.expiresSize, 0);
    const a = db.peek('a') as Entry;
    db.setExpire('a', a, T0 + 5);
    assert.equal(db.expiresSize, 1);
    assert.equal(db.delete('a'), a);
    assert.equal(db.delete('a'), undefined);
    assert.equal(db.expiresSize, 0);
    assert.equal(db.size, 1);
    assert.equal(db.countInSlot(keyHashSlotLatin1('a')), 0);
    db.clear();
    assert.equal(db.size, 0);
    assert.equal(db.peek('b'), undefined);
  });

  it('lookup expires lazily once now > expireAt, reporting the key', () => {
    const expired: string[] = [];
    const db = newDb(expired);
    db.set('k', str('v', T0 + 100));
    assert.ok(db.lookup('k', T0 + 100), 'alive at its expiry millisecond');
    assert.deepEqual(expired, []);
    assert.equal(db.lookup('k', T0 + 101), undefined);
    assert.deepEqual(expired, ['k']);
    assert.equal(db.size, 0);
    assert.equal(db.expiresSize, 0);
  });

  it('with deleteOnExpire off an expired key reads as missing but stays', () => {
    const expired: string[] = [];
    const db = newDb(expired, { deleteOnAccess: false });
    db.set('k', str('v', T0));
    assert.equal(db.lookup('k', T0 + 1), undefined);
    assert.equal(db.size, 1);
    assert.deepEqual(expired, []);
  });

  it('scan visits every key once across cursors and ends at 0', () => {
    const db = newDb();
    for (let i = 0; i < 500; i++) db.set(`k${i}`, str('v'));
    const seen: string[] = [];
    let cursor = 0;
    let steps = 0;
    do {
      cursor = db.scan(cursor, 10, (k) => seen.push(k));
      steps++;
    } while (cursor !== 0);
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    assert.ok(steps > 10);
    assert.equal(newDb().scan(0, 10, () => assert.fail('empty db')), 0);
  });

  it('randomKey covers the keys and is undefined when empty', () => {
    const db = newDb();
    assert.equal(db.randomKey(0.5), undefined);
    for (let i = 0; i < 10; i++) db.set(`k${i}`, str('v'));
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(db.randomKey((i + 0.5) / 10) as string);
    assert.equal(seen.size, 10, 'evenly spaced draws hit every key once');
    assert.ok(db.randomKey(0.999999));
  });

  it('swapWith exchanges contents, ids stay', () => {
    const a = newDb();
    const b = new Database(1, () => {}, { deleteOnAccess: true });
    a.set('x', str('1', T0));
    a.swapWith(b);
    assert.equal(a.size, 0);
    assert.equal(b.size, 1);
    assert.equal(b.expiresSize, 1);
    assert.equal(a.id, 0);
    assert.equal(b.id, 1);
  });
});

describe('Keyspace', () => {
  it('lookupRead counts hits and misses and touches; lookupWrite does neither count', () => {
    const clock = new FakeClock(T0);
    const ks = new Keyspace({ databases: 2, clock });
    const db = ks.dbs[0];
    db.set('k', str('v'));
    assert.ok(ks.lookupRead(db, 'k', T0));
    assert.equal(ks.lookupRead(db, 'nope', T0), undefined);
    assert.equal(ks.stats.keyspaceHits, 1);
    assert.equal(ks.stats.keyspaceMisses, 1);
    assert.equal(db.peek('k')?.lru, lruClock(T0));
    ks.lookupRead(db, 'k', T0 + 5000, true);
    assert.equal(db.peek('k')?.lru, lruClock(T0), 'noTouch keeps the access clock');
    ks.lookupWrite(db, 'k', T0 + 9000);
    ks.lookupWrite(db, 'nope', T0 + 9000);
    assert.equal(ks.stats.keyspaceHits, 2);
    assert.equal(ks.stats.keyspaceMisses, 1);
    assert.equal(db.peek('k')?.lru, lruClock(T0 + 9000));
  });

  it('counts expired keys and reports them to the owner', () => {
    const reported: string[] = [];
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0), onExpired: (_d, k) => reported.push(k) });
    ks.dbs[0].set('k', str('v', T0));
    assert.equal(ks.lookupRead(ks.dbs[0], 'k', T0 + 1), undefined);
    assert.equal(ks.stats.expiredKeys, 1);
    assert.deepEqual(reported, ['k']);
  });

  it('LFU policy: new keys start at LFU_INIT_VAL', () => {
    const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0) });
    ks.accessPolicy = 'lfu';
    assert.equal(ks.initialLru(T0) & 0xff, LFU_INIT_VAL);
  });

  it('flushAll empties every database and returns the number of keys removed', () => {
    const ks = new Keyspace({ databases: 3, clock: new FakeClock(T0) });
    ks.dbs[0].set('a', str('1'));
    ks.dbs[2].set('b', str('2', T0 + 1));
    assert.deepEqual(ks.totals(), { keys: 2, expires: 1 });
    assert.equal(ks.flushAll(), 2);
    assert.deepEqual(ks.totals(), { keys: 0, expires: 0 });
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
        db.set(`k${i}`, str('v', soon ? T0 + 1000 : T0 + 3_600_000));
      }
      db.set('persistent', str('v'));
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
      assert.ok(db.peek('persistent'));
      // Nothing past its TTL remains anywhere.
      for (const [, e] of db.entries()) assert.ok(e.expireAt === NO_EXPIRY || e.expireAt >= clock.now());
    } finally {
      await node.close();
    }
  });

  it('one cycle stops at its time limit and the next one continues', () => {
    const clock = new FakeClock(T0);
    const ks = new Keyspace({ databases: 1, clock });
    const db = ks.dbs[0];
    for (let i = 0; i < 10_000; i++) db.set(`k${i}`, str('v', T0));
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
    ks.dbs[0].set('k', str('v', T0));
    const state = newExpireCycleState();
    assert.equal(activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0, elapsed: () => 0 }), 0);
    assert.equal(activeExpireCycle(ks, state, { hz: 10, effort: 1, now: T0 + 1, elapsed: () => 0 }), 1);
  });
});
