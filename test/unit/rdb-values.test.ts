// Values through the RDB format (src/server/persistence): every type and encoding round-trips
// through a DUMP payload with Redis's loader rules deciding the encoding it comes back in;
// hand-built payloads of the older encodings decode; and random corruption of payloads and of
// whole files (their CRC recomputed, so the parsers see the damage) never produces anything
// but the loader's own error — no other exception, no hang.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../src/server/config/load.js';
import { Server } from '../../src/server/server.js';
import { Logger } from '../../src/server/observability/logger.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { HashValue } from '../../src/server/keyspace/types/hash.js';
import { ListValue } from '../../src/server/keyspace/types/list.js';
import { SetValue } from '../../src/server/keyspace/types/set.js';
import { ZSetValue } from '../../src/server/keyspace/types/zset.js';
import type { LoadLimits, LoadedValue } from '../../src/server/persistence/deserialize.js';
import { decodeDumpPayload, dumpPayload } from '../../src/server/persistence/payload.js';
import { RdbError, RdbInput, RdbType } from '../../src/server/persistence/rdb-io.js';
import { loadRdb } from '../../src/server/persistence/rdb-loader.js';
import { RdbWriter, writeKeyspace, writerOptions } from '../../src/server/persistence/rdb-writer.js';
import type { WriteOptions } from '../../src/server/persistence/options.js';
import { payload, rdbBinDouble, rdbFile, rdbLen, rdbRaw, rdbStr, rdbTextDouble, refooter, ziplist, zipmap } from '../helpers/rdb-build.js';
import { putEntry } from '../helpers/keyspace.js';

const LIMITS: LoadLimits = { hashMaxEntries: 8, hashMaxValue: 16, zsetMaxEntries: 8, zsetMaxValue: 16, setMaxIntset: 8, listFill: 3 };
const WRITE: WriteOptions = { compress: true, listFill: 3, listCompressDepth: 1 };

const element = fc.oneof(
  fc.constantFrom('', 'a', 'b', 'c', '0', '1', '-1', '12', '300', '70000', '9223372036854775807', 'x'.repeat(20)),
  fc.string({ maxLength: 24 }),
  fc.integer({ min: -100000, max: 100000 }).map(String),
);
const score = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true }), fc.constantFrom(Infinity, -Infinity, 2 ** 62, 2 ** 63, 0.1));

function roundTrip(type: number, value: unknown): LoadedValue {
  const r = decodeDumpPayload(dumpPayload(type, value, WRITE), LIMITS);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.value.type, type);
  return r.value;
}

function hashPairs(h: HashValue): string[] {
  const out: string[] = [];
  for (let i = 0; i < h.size; i++) out.push(h.fieldAt(i) + '=' + h.valueAt(i));
  return h.isListpack ? out : out.sort();
}

function members(s: SetValue): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.size; i++) out.push(s.memberAt(i));
  return out.sort();
}

describe('values round-trip through DUMP payloads', () => {
  it('lists (several nodes, compressed interior nodes)', () => {
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 60 }), (els) => {
        const l = new ListValue(3);
        for (const s of els) l.pushTail(s);
        const back = roundTrip(VType.List, l).value as ListValue;
        assert.deepEqual(back.toArray(), els);
      }),
    );
  });

  it('hashes, in the encoding Redis loading would give', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(element, element), { minLength: 1, maxLength: 20 }), (pairs) => {
        const h = new HashValue();
        for (const [f, v] of pairs) h.set(f, v, { maxEntries: LIMITS.hashMaxEntries, maxValue: LIMITS.hashMaxValue });
        const back = roundTrip(VType.Hash, h).value as HashValue;
        // A listpack keeps its order; a hashtable has none to keep (Redis's is seeded per
        // process), and loading one that fits a listpack may order it either way.
        if (h.isListpack) assert.deepEqual(hashPairs(back), hashPairs(h));
        else assert.deepEqual(hashPairs(back).sort(), hashPairs(h).sort());
        let long = false;
        for (let i = 0; i < h.size; i++) long ||= h.fieldAt(i).length > 16 || h.valueAt(i).length > 16;
        assert.equal(back.isListpack, h.size <= LIMITS.hashMaxEntries && !long);
      }),
    );
  });

  it('sets: intset or hashtable by Redis rules', () => {
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 20 }), (els) => {
        const s = SetValue.forMember(els[0]);
        for (const m of els) s.add(m, LIMITS.setMaxIntset);
        const back = roundTrip(VType.Set, s).value as SetValue;
        assert.deepEqual(members(back), members(s));
        const allInts = members(s).every((m) => /^(0|-?[1-9][0-9]*)$/.test(m) && BigInt(m) < 2n ** 63n && BigInt(m) >= -(2n ** 63n));
        assert.equal(back.isIntset, allInts && s.size <= LIMITS.setMaxIntset);
      }),
    );
  });

  it('sorted sets: listpack or skiplist by Redis rules, scores exact', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(element, score), { minLength: 1, maxLength: 20 }), (pairs) => {
        const z = ZSetValue.create(true);
        for (const [m, sc] of pairs) z.add(m, sc, 0, { maxEntries: LIMITS.zsetMaxEntries, maxValue: LIMITS.zsetMaxValue });
        const back = roundTrip(VType.ZSet, z).value as ZSetValue;
        assert.deepEqual([...back.ascending()], [...z.ascending()]);
        assert.equal(back.isListpack, z.isListpack);
      }),
    );
  });

  it('strings, binary-safe', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        // The loaded bytes may be a view of the payload or of the reader's LZF area: a Buffer to
        // every reader (Buffer.prototype), compared by content.
        const back = roundTrip(VType.String, Buffer.from(b)).value as Buffer;
        assert.ok(Buffer.isBuffer(back));
        assert.deepEqual(Buffer.from(back), Buffer.from(b));
      }),
    );
  });
});

describe('hand-built payloads of every type id', () => {
  const decode = (p: Buffer): LoadedValue => {
    const r = decodeDumpPayload(p, LIMITS);
    assert.ok(r.ok, r.ok ? '' : `${r.why}: ${r.reason}`);
    return r.value;
  };
  const refused = (p: Buffer, why: string): void => {
    const r = decodeDumpPayload(p, LIMITS);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.why, why, r.reason);
  };

  it('LIST (1), LIST_ZIPLIST (10), LIST_QUICKLIST (14) with empty nodes skipped', () => {
    const els = ['a', '1', 'x'.repeat(70), '-9'];
    assert.deepEqual((decode(payload(RdbType.List, Buffer.concat([rdbLen(4), ...els.map((s) => rdbStr(s))]))).value as ListValue).toArray(), els);
    assert.deepEqual((decode(payload(RdbType.ListZiplist, rdbRaw(ziplist(els)))).value as ListValue).toArray(), els);
    const ql = Buffer.concat([rdbLen(3), rdbRaw(ziplist(els.slice(0, 2))), rdbRaw(ziplist([])), rdbRaw(ziplist(els.slice(2)))]);
    assert.deepEqual((decode(payload(RdbType.ListQuicklist, ql)).value as ListValue).toArray(), els);
    refused(payload(RdbType.ListZiplist, rdbRaw(ziplist([]))), 'format');
    refused(payload(RdbType.ListQuicklist, Buffer.concat([rdbLen(1), rdbRaw(ziplist([]))])), 'format');
    refused(payload(RdbType.List, rdbLen(0)), 'format');
  });

  it('LIST_QUICKLIST_2 plain nodes; unknown containers refused', () => {
    const ql = Buffer.concat([rdbLen(1), rdbLen(1), rdbRaw('plain element')]);
    assert.deepEqual((decode(payload(RdbType.ListQuicklist2, ql)).value as ListValue).toArray(), ['plain element']);
    refused(payload(RdbType.ListQuicklist2, Buffer.concat([rdbLen(1), rdbLen(3), rdbRaw('x')])), 'format');
  });

  it('SET (2): intset until a non-integer or the limit, duplicates refused', () => {
    const set = (ms: string[]): Buffer => payload(RdbType.Set, Buffer.concat([rdbLen(ms.length), ...ms.map((m) => rdbStr(m))]));
    assert.equal((decode(set(['3', '1', '2'])).value as SetValue).isIntset, true);
    assert.equal((decode(set(['3', 'a'])).value as SetValue).isIntset, false);
    assert.equal((decode(set(Array.from({ length: 9 }, (_, i) => String(i)))).value as SetValue).isIntset, false);
    refused(set(['1', '1']), 'format');
    refused(set(['a', 'a']), 'format');
  });

  it('ZSET (3, text doubles) and ZSET_2 (5): converted to listpack when small; NaN and duplicates refused', () => {
    const z3 = payload(RdbType.ZSet, Buffer.concat([rdbLen(3), rdbStr('a'), rdbTextDouble(1.5), rdbStr('b'), rdbTextDouble(-Infinity), rdbStr('c'), rdbTextDouble(3)]));
    const v = decode(z3).value as ZSetValue;
    assert.equal(v.isListpack, true);
    assert.deepEqual([...v.ascending()], [['b', -Infinity], ['a', 1.5], ['c', 3]]);
    const long = payload(RdbType.ZSet2, Buffer.concat([rdbLen(1), rdbStr('m'.repeat(17)), rdbBinDouble(1)]));
    assert.equal((decode(long).value as ZSetValue).isListpack, false);
    refused(payload(RdbType.ZSet, Buffer.concat([rdbLen(1), rdbStr('a'), rdbTextDouble(NaN)])), 'format');
    refused(payload(RdbType.ZSet2, Buffer.concat([rdbLen(2), rdbStr('a'), rdbBinDouble(1), rdbStr('a'), rdbBinDouble(2)])), 'format');
  });

  it('HASH (4): listpack until a long value; duplicates refused', () => {
    const h = (pairs: string[]): Buffer => payload(RdbType.Hash, Buffer.concat([rdbLen(pairs.length / 2), ...pairs.map((s) => rdbStr(s))]));
    assert.equal((decode(h(['f', 'v', 'g', 'w'])).value as HashValue).isListpack, true);
    assert.equal((decode(h(['f', 'v'.repeat(17)])).value as HashValue).isListpack, false);
    refused(h(['f', 'v', 'f', 'w']), 'format');
  });

  it('HASH_ZIPMAP (9), HASH_ZIPLIST (13), ZSET_ZIPLIST (12)', () => {
    const zm = decode(payload(RdbType.HashZipmap, rdbRaw(zipmap([['a', '1'], ['b', 'two']], 2)))).value as HashValue;
    assert.deepEqual(hashPairs(zm), ['a=1', 'b=two']);
    refused(payload(RdbType.HashZipmap, rdbRaw(zipmap([['a', '1'], ['a', '2']]))), 'format');
    const hz = decode(payload(RdbType.HashZiplist, rdbRaw(ziplist(['f', 'v'.repeat(40)])))).value as HashValue;
    assert.equal(hz.isListpack, true, 'a loaded ziplist stays compact whatever its value lengths');
    refused(payload(RdbType.HashZiplist, rdbRaw(ziplist(['f', 'v', 'g']))), 'format');
    refused(payload(RdbType.HashZiplist, rdbRaw(ziplist(['f', 'v', 'f', 'w']))), 'format');
    const zz = decode(payload(RdbType.ZSetZiplist, rdbRaw(ziplist(['a', '2', 'b', '1.5'])))).value as ZSetValue;
    assert.deepEqual([...zz.ascending()], [['b', 1.5], ['a', 2]]);
    refused(payload(RdbType.ZSetZiplist, rdbRaw(ziplist(['a', 'nope']))), 'format');
  });

  it('refuses streams and modules as unsupported, unknown type ids as malformed', () => {
    refused(payload(RdbType.StreamListpacks2, rdbLen(0)), 'unsupported');
    refused(payload(RdbType.Module2, rdbLen(1)), 'unsupported');
    refused(payload(8, rdbLen(0)), 'format');
    refused(payload(20, rdbLen(0)), 'format');
  });

  it('checks the footer: version above 10, bad CRC, too short', () => {
    refused(payload(RdbType.String, rdbStr('v'), 11), 'checksum');
    const p = payload(RdbType.String, rdbStr('v'));
    p[p.length - 1] ^= 1;
    refused(p, 'checksum');
    refused(Buffer.alloc(9), 'checksum');
    assert.equal(decode(payload(RdbType.String, rdbStr('v'), 9)).type, VType.String);
  });
});

describe('fuzz: corrupted payloads', () => {
  const seeds: Buffer[] = (() => {
    const l = new ListValue(2);
    for (let i = 0; i < 12; i++) l.pushTail(i % 3 === 0 ? 'x'.repeat(30) : String(i * 77));
    const h = new HashValue();
    for (let i = 0; i < 6; i++) h.set('f' + i, 'v'.repeat(i), { maxEntries: 8, maxValue: 64 });
    const hh = new HashValue();
    for (let i = 0; i < 12; i++) hh.set('f' + i, 'v' + i, { maxEntries: 8, maxValue: 64 });
    const si = SetValue.intset();
    for (const m of ['1', '-70000', '5', '9']) si.add(m, 8);
    const sh = SetValue.forMember('a');
    for (const m of ['a', 'b', 'cc']) sh.add(m, 8);
    const z = ZSetValue.create(true);
    for (let i = 0; i < 5; i++) z.add('m' + i, i / 3, 0, { maxEntries: 8, maxValue: 64 });
    const zs = ZSetValue.create(false);
    for (let i = 0; i < 10; i++) zs.add('m' + i, i * 1.5, 0, { maxEntries: 8, maxValue: 64 });
    const raw: WriteOptions = { ...WRITE, compress: false };
    return [
      dumpPayload(VType.List, l, raw),
      dumpPayload(VType.Hash, h, raw),
      dumpPayload(VType.Set, si, raw),
      dumpPayload(VType.ZSet, z, raw),
      dumpPayload(VType.List, l, WRITE),
      dumpPayload(VType.Hash, h, WRITE),
      dumpPayload(VType.Hash, hh, WRITE),
      dumpPayload(VType.Set, si, WRITE),
      dumpPayload(VType.Set, sh, WRITE),
      dumpPayload(VType.ZSet, z, WRITE),
      dumpPayload(VType.ZSet, zs, WRITE),
      dumpPayload(VType.String, Buffer.from('y'.repeat(200)), WRITE),
      payload(RdbType.HashZipmap, rdbRaw(zipmap([['a', '1'], ['bb', '22']]))),
      payload(RdbType.ZSetZiplist, rdbRaw(ziplist(['a', '1', 'b', '2']))),
      payload(RdbType.ListQuicklist, Buffer.concat([rdbLen(1), rdbRaw(ziplist(['p', 'q', '300']))])),
    ];
  })();

  /** A mutation: flip, set, delete or insert bytes in the value part (the footer is redone). */
  const mutation = fc.array(
    fc.tuple(fc.constantFrom('flip', 'set', 'delete', 'insert'), fc.nat(), fc.integer({ min: 0, max: 255 })),
    { minLength: 1, maxLength: 4 },
  );

  function mutate(p: Buffer, ops: Array<[string, number, number]>): Buffer {
    let body = Buffer.from(p.subarray(0, p.length - 10));
    for (const [op, at, v] of ops) {
      const i = body.length === 0 ? 0 : at % body.length;
      if (op === 'flip' && body.length > 0) body[i] ^= 1 << (v & 7);
      else if (op === 'set' && body.length > 0) body[i] = v;
      else if (op === 'delete' && body.length > 0) body = Buffer.concat([body.subarray(0, i), body.subarray(i + 1)]);
      else body = Buffer.concat([body.subarray(0, i), Buffer.from([v]), body.subarray(i)]);
    }
    return refooter(Buffer.concat([body, p.subarray(p.length - 10)]));
  }

  it('are refused with "format" or decode to a valid value, never throwing', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), mutation, (k, ops) => {
        const r = decodeDumpPayload(mutate(seeds[k], ops as Array<[string, number, number]>), LIMITS);
        if (!r.ok) assert.ok(r.why === 'format' || r.why === 'unsupported', r.why);
      }),
      { numRuns: 3000 },
    );
  });

  it('are refused as "checksum" when the CRC is not redone', () => {
    for (const p of seeds) {
      const b = Buffer.from(p);
      b[1] ^= 0x40;
      assert.equal(decodeDumpPayload(b, LIMITS).ok, false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Whole files, loaded into an unstarted node

function newServer(extra: string[] = []): Server {
  const { config } = loadConfig(['--port', '0', '--loglevel', 'warning', '--logfile', '/dev/null', ...extra]);
  return new Server({ config, log: new Logger() });
}

function loadInto(srv: Server, file: Buffer, checksum = true): ReturnType<typeof loadRdb> {
  return loadRdb(srv, RdbInput.fromBuffer(file, 0, file.length, checksum), {
    checksum,
    now: srv.clock.now(),
    limits: LIMITS,
    sharedIntegers: true,
  });
}

describe('RDB files', () => {
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  const fresh = (extra: string[] = []): Server => {
    const s = newServer(extra);
    servers.push(s);
    return s;
  };

  /** An RDB image of a node with one key of each kind in two databases. */
  function sampleFile(checksum = true): Buffer {
    const src = fresh(checksum ? [] : ['--rdbchecksum', 'no']);
    const db0 = src.keyspace.dbs[0];
    putEntry(db0, 's', VType.String, Buffer.from('v'));
    const l = new ListValue(3);
    for (let i = 0; i < 10; i++) l.pushTail('e' + i);
    putEntry(db0, 'l', VType.List, l);
    const h = new HashValue();
    h.set('f', 'v', { maxEntries: 128, maxValue: 64 });
    putEntry(src.keyspace.dbs[2], 'h', VType.Hash, h);
    const chunks: Buffer[] = [];
    writeKeyspace(src, new RdbWriter((c) => chunks.push(c), writerOptions(src)));
    return Buffer.concat(chunks);
  }

  it('load what the writer wrote, in every database', () => {
    const dst = fresh();
    const r = loadInto(dst, sampleFile());
    assert.equal(r.keysLoaded, 3);
    assert.equal(dst.keyspace.dbs[0].size, 2);
    assert.equal(dst.keyspace.dbs[2].size, 1);
  });

  it('accept a zero trailer (written with rdbchecksum no) and refuse a wrong one', () => {
    assert.equal(loadInto(fresh(), sampleFile(false)).keysLoaded, 3);
    const bad = sampleFile();
    bad[bad.length - 1] ^= 1;
    assert.throws(() => loadInto(fresh(), bad), (e: unknown) => e instanceof RdbError && e.reason === 'RDB CRC error');
    assert.equal(loadInto(fresh(), bad, false).keysLoaded, 3, 'not checked with rdbchecksum no');
  });

  it('skip expired keys and empty ones, apply the others expiries (milliseconds, and seconds as before 2.6)', () => {
    const now = Date.now();
    const ms = (t: number): Buffer => {
      const b = Buffer.alloc(9);
      b[0] = 252;
      b.writeBigInt64LE(BigInt(t), 1);
      return b;
    };
    const sec = (t: number): Buffer => {
      const b = Buffer.alloc(5);
      b[0] = 253;
      b.writeInt32LE(t, 1);
      return b;
    };
    const inAnHour = Math.floor(now / 1000) + 3600;
    const body = Buffer.concat([
      ms(now - 1000), Buffer.from([0]), rdbStr('gone'), rdbStr('v'),
      ms(now + 100000), Buffer.from([0]), rdbStr('kept'), rdbStr('v'),
      sec(Math.floor(now / 1000) - 10), Buffer.from([0]), rdbStr('gone-s'), rdbStr('v'),
      sec(inAnHour), Buffer.from([0]), rdbStr('kept-s'), rdbStr('v'),
      Buffer.from([RdbType.Set]), rdbStr('empty'), rdbLen(0),
    ]);
    const dst = fresh();
    const r = loadInto(dst, rdbFile(body));
    assert.deepEqual([r.keysLoaded, r.keysExpired, r.emptyKeysSkipped], [2, 2, 1]);
    const db = dst.keyspace.dbs[0];
    assert.equal(db.expireAt(db.find(Buffer.from('kept'))), now + 100000);
    assert.equal(db.expireAt(db.find(Buffer.from('kept-s'))), inAnHour * 1000);
  });

  it('refuse duplicate keys, databases out of range, versions past 10, module aux data', () => {
    const key = Buffer.concat([Buffer.from([0]), rdbStr('k'), rdbStr('v')]);
    assert.throws(() => loadInto(fresh(), rdbFile(Buffer.concat([key, key]))), /duplicated key 'k' in DB 0/);
    assert.throws(() => loadInto(fresh(), rdbFile(Buffer.concat([Buffer.from([254]), rdbLen(16), key]))), /more than 16 databases/);
    assert.throws(() => loadInto(fresh(), rdbFile(key, 11)), /Can't handle RDB format version 11/);
    assert.throws(() => loadInto(fresh(), Buffer.from('RDIS0010')), RdbError);
    // Module "mymodule1" (id = name in 6-bit chars << 10 | version).
    const cs = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'mymodule1') id = (id << 6n) | BigInt(cs.indexOf(ch));
    id = (id << 10n) | 1n;
    const idBytes = Buffer.alloc(9);
    idBytes[0] = 0x81;
    idBytes.writeBigUInt64BE(id, 1);
    const aux = Buffer.concat([Buffer.from([247]), idBytes, rdbLen(2), rdbLen(2)]);
    assert.throws(() => loadInto(fresh(), rdbFile(aux)), /no matching module 'mymodule1'/);
  });

  it('skip function libraries and unknown aux fields; load old versions without a trailer', () => {
    const body = Buffer.concat([
      Buffer.from([250]), rdbStr('some-new-field'), rdbStr('x'),
      Buffer.from([245]), rdbStr('#!lua name=lib\nredis.register_function("f", function() return 1 end)'),
      Buffer.from([0]), rdbStr('k'), rdbStr('v'),
    ]);
    const r = loadInto(fresh(), rdbFile(body));
    assert.deepEqual([r.keysLoaded, r.functionsSkipped], [1, 1]);
    const v4 = Buffer.concat([Buffer.from('REDIS0004'), Buffer.from([0]), rdbStr('k'), rdbStr('v'), Buffer.from([255])]);
    assert.equal(loadInto(fresh(), v4).keysLoaded, 1);
  });

  it('set the access clock from IDLE under LRU and from FREQ under LFU', () => {
    const file = rdbFile(Buffer.concat([Buffer.from([248]), rdbLen(1000), Buffer.from([0]), rdbStr('a'), rdbStr('x'),
      Buffer.from([249, 77]), Buffer.from([0]), rdbStr('b'), rdbStr('y')]));
    const lru = fresh();
    loadInto(lru, file);
    const db = lru.keyspace.dbs[0];
    const clock = Math.floor(lru.clock.now() / 1000) & 0xffffff;
    assert.ok(Math.abs(clock - db.store.clock(db.find(Buffer.from('a'))) - 1000) <= 1);
    const lfu = fresh(['--maxmemory-policy', 'allkeys-lfu']);
    loadInto(lfu, file);
    const db2 = lfu.keyspace.dbs[0];
    assert.equal(db2.store.clock(db2.find(Buffer.from('b'))) & 0xff, 77);
  });

  it('fuzz: corrupted files end in an RdbError or load, never anything else', () => {
    const good = sampleFile();
    const dst = fresh();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.boolean(), (ops, cut) => {
        let b = Buffer.from(good);
        for (const [at, v] of ops) b[at % b.length] = v;
        if (cut) b = b.subarray(0, ops[0][0] % b.length);
        dst.keyspace.flushAll();
        try {
          loadInto(dst, b, false);
        } catch (err) {
          assert.ok(err instanceof RdbError, String(err));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
