// Unit tests for the default TTL policy (src/server/analytics/default-ttl.ts): parsing of TTLs
// and of the override list, longest-prefix-wins resolution, the databases' hook installed only
// while the policy gives some key a TTL, and the count of keys it was applied to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../src/index.js';
import { DefaultTtl, MAX_TTL_SECONDS, parseOverrides, parseTtlSeconds } from '../../src/server/analytics/default-ttl.js';
import { NO_EXPIRY, VType } from '../../src/server/keyspace/entry.js';
import { Keyspace } from '../../src/server/keyspace/keyspace.js';
import { stringMeta } from '../../src/server/keyspace/store.js';

const T0 = 1_700_000_000_000;
const K = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parsing', () => {
  it('reads TTLs as plain decimals or none', () => {
    assert.equal(parseTtlSeconds('0'), 0);
    assert.equal(parseTtlSeconds('none'), 0);
    assert.equal(parseTtlSeconds('NONE'), 0);
    assert.equal(parseTtlSeconds('1800'), 1800);
    assert.equal(parseTtlSeconds(String(MAX_TTL_SECONDS)), MAX_TTL_SECONDS);
    for (const bad of ['', '-1', '+5', '01', '1.5', '1e3', 'abc', String(MAX_TTL_SECONDS + 1), '99999999999']) {
      assert.equal(parseTtlSeconds(bad), null, bad);
    }
  });

  it('reads override pairs, longest prefix first, and refuses malformed lists', () => {
    const list = parseOverrides(' session: 1800  s: 5 session:admin: none config: 0 ');
    assert.deepEqual(
      list.map((o) => [o.prefix.toString(), o.seconds]),
      [['session:admin:', 0], ['session:', 1800], ['config:', 0], ['s:', 5]],
    );
    assert.deepEqual(parseOverrides(''), []);
    assert.throws(() => parseOverrides('session:'), /pairs/);
    assert.throws(() => parseOverrides('a: 1 b:'), /pairs/);
    assert.throws(() => parseOverrides('a: -1'), /invalid TTL '-1' for prefix 'a:'/);
    assert.throws(() => parseOverrides('a: 1 a: 2'), /duplicate prefix 'a:'/);
  });
});

describe('policy', () => {
  it('resolves the longest matching prefix, else the default', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    const ttl = new DefaultTtl(ks, () => T0);
    ttl.configure(100, 'session: 1800 session:admin: none s 7');
    assert.equal(ttl.secondsFor(K('session:1')), 1800);
    assert.equal(ttl.secondsFor(K('session:admin:1')), 0);
    assert.equal(ttl.secondsFor(K('session:admin')), 1800);
    assert.equal(ttl.secondsFor(K('sx')), 7);
    assert.equal(ttl.secondsFor(K('x')), 100);
    assert.equal(ttl.secondsFor(K('')), 100);
  });

  it('matches the model "longest prefix that is a prefix of the key" on random lists', () => {
    const part = fc.array(fc.constantFrom('a', 'b', ':'), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(part, fc.integer({ min: 0, max: 50 })), { selector: (t) => t[0], maxLength: 6 }),
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.array(fc.constantFrom('a', 'b', ':'), { maxLength: 6 }).map((a) => a.join('')), { maxLength: 10 }),
        (pairs, def, keys) => {
          const ks = new Keyspace({ databases: 1, clock: new FakeClock(T0) });
          const ttl = new DefaultTtl(ks, () => T0);
          ttl.configure(def, pairs.map(([p, s]) => `${p} ${s}`).join(' '));
          for (const k of keys) {
            let best: [string, number] | null = null;
            for (const [p, s] of pairs) if (k.startsWith(p) && (best === null || p.length > best[0].length)) best = [p, s];
            assert.equal(ttl.secondsFor(K(k)), best === null ? def : best[1]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('installs the hook only while some key would get a TTL, and counts applications', () => {
    const ks = new Keyspace({ databases: 2, clock: new FakeClock(T0) });
    let now = T0;
    const ttl = new DefaultTtl(ks, () => now);
    ttl.configure(0, '');
    assert.equal(ttl.enabled, false);
    assert.equal(ks.dbs[1].defaultExpiry, null);
    ttl.configure(0, 'a: none');
    assert.equal(ttl.enabled, false);
    assert.equal(ks.dbs[0].defaultExpiry, null);
    ttl.configure(0, 'a: 10 b: none');
    assert.equal(ttl.enabled, true);
    const db = ks.dbs[1];
    assert.equal(db.defaultExpiry, ttl.hook);
    now = T0 + 500;
    const a = db.addString(K('a:1'), K('v'), stringMeta(0, 0), NO_EXPIRY);
    const b = db.addString(K('b:1'), K('v'), stringMeta(0, 0), NO_EXPIRY);
    const c = db.addString(K('a:2'), K('v'), stringMeta(0, 0), T0 + 3);
    const d = db.addObject(K('a:3'), VType.Hash, { bytes: 0 }, 0);
    assert.equal(db.expireAt(a), T0 + 500 + 10_000);
    assert.equal(db.expireAt(b), NO_EXPIRY);
    assert.equal(db.expireAt(c), T0 + 3, 'an explicit TTL wins');
    assert.equal(db.expireAt(d), T0 + 500 + 10_000);
    assert.equal(ttl.applied, 2);
    // A rename carries the key's state: no new default.
    ttl.configure(60, '');
    db.rename(b, K('c:1'));
    assert.equal(db.expireAt(b), NO_EXPIRY);
    assert.throws(() => ttl.configure(5, 'x'), /pairs/);
    assert.equal(ttl.secondsFor(K('zz')), 60, 'a refused configuration changes nothing');
    ttl.configure(0, '');
    assert.equal(db.defaultExpiry, null);
  });
});
