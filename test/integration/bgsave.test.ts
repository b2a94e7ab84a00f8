// BGSAVE is a point-in-time snapshot taken while serving (src/server/persistence/snapshot.ts):
// the file it writes holds exactly the dataset as of the moment BGSAVE ran, whatever clients
// change, delete, expire and evict while the walk goes on.
//
// The test keeps the dataset at that instant as its log: it builds a dataset of every type
// over several databases, reads it all back through the commands (the expected state), gives
// some keys a TTL that ends mid-walk, then sends BGSAVE followed, on the same connection, by
// a storm of writes of every kind — overwrites, deletes, appends, element changes, expiry
// changes, RENAME, MOVE, COPY into another database, SWAPDB, FLUSHDB, a blocked client served
// into an existing key, evictions forced by a lowered maxmemory, keys created — until the save
// ends. The file is then loaded by a second node whose clock stands before every expiry, and
// read back the same way: it must equal the expected state key for key, expiries included.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createRng } from '../../src/lib/rng.js';
import { until } from '../helpers/poll.js';

type Dump = Map<string, string>;

/** Every key of every database as "db key" -> "type value expiry", through the commands. */
async function dumpAll(r: Redis, dbs: number): Promise<Dump> {
  const out: Dump = new Map();
  for (let db = 0; db < dbs; db++) {
    await r.select(db);
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const p = r.pipeline();
    for (const k of keys) {
      p.type(k);
      p.pexpiretime(k);
    }
    const meta = (await p.exec()) ?? [];
    const q = r.pipeline();
    keys.forEach((k, i) => {
      const type = meta[2 * i][1] as string;
      if (type === 'string') q.get(k);
      else if (type === 'hash') q.hgetall(k);
      else if (type === 'list') q.lrange(k, 0, -1);
      else if (type === 'set') q.smembers(k);
      else if (type === 'zset') q.zrange(k, 0, -1, 'WITHSCORES');
      else q.echo(`unexpected type ${type}`);
    });
    const values = (await q.exec()) ?? [];
    keys.forEach((k, i) => {
      const type = meta[2 * i][1] as string;
      let v = values[i][1];
      if (type === 'set') v = [...(v as string[])].sort();
      if (type === 'hash') v = Object.entries(v as Record<string, string>).sort();
      out.set(`${db} ${k}`, `${type} ${JSON.stringify(v)} ${String(meta[2 * i + 1][1])}`);
    });
  }
  await r.select(0);
  return out;
}

/** Differences between two dumps, at most 10 (an empty list when equal). */
function diff(expected: Dump, actual: Dump): string[] {
  const out: string[] = [];
  for (const [k, v] of expected) {
    if (actual.get(k) !== v) out.push(`${k}: expected ${v.slice(0, 200)}, got ${String(actual.get(k)).slice(0, 200)}`);
  }
  for (const k of actual.keys()) if (!expected.has(k)) out.push(`${k}: not expected, got ${String(actual.get(k)).slice(0, 200)}`);
  return out.slice(0, 10);
}

const DBS = 4;

/** Builds the dataset: strings, hashes, lists, sets and sorted sets, small and large, some with a TTL. */
async function populate(r: Redis, keys: number, seed: number): Promise<void> {
  const rng = createRng(seed);
  for (let db = 0; db < DBS; db++) {
    await r.select(db);
    const n = db === 0 ? keys : Math.floor(keys / 10);
    let p = r.pipeline();
    for (let i = 0; i < n; i++) {
      const kind = i % 6;
      if (kind === 0 || kind === 5) p.set(`s:${i}`, `v${i}:${'x'.repeat(rng.int(40))}`);
      else if (kind === 1) p.hset(`h:${i}`, ...Array.from({ length: 1 + rng.int(i % 60 === 1 ? 300 : 8) }, (_, j) => [`f${j}`, `${i * j}`]).flat());
      else if (kind === 2) p.rpush(`l:${i}`, ...Array.from({ length: 1 + rng.int(i % 60 === 2 ? 500 : 6) }, (_, j) => `e${j}`));
      else if (kind === 3) p.sadd(`t:${i}`, ...Array.from({ length: 1 + rng.int(i % 60 === 3 ? 400 : 6) }, (_, j) => (i % 2 === 0 ? `${j}` : `m${j}`)));
      else p.zadd(`z:${i}`, ...Array.from({ length: 1 + rng.int(i % 60 === 4 ? 300 : 6) }, (_, j) => [j * 1.5, `m${j}`]).flat());
      if (i % 7 === 0) p.expire(kind === 0 || kind === 5 ? `s:${i}` : `${'shltz'[kind]}:${i}`, 3600 + i);
      if (i % 1000 === 999) {
        await p.exec();
        p = r.pipeline();
      }
    }
    await p.exec();
  }
  await r.select(0);
  await r.rpush('l:bmove-dst', 'a', 'b');
}

/** One random write from the storm (db 0 unless it says otherwise). */
function stormOp(p: ReturnType<Redis['pipeline']>, rng: ReturnType<typeof createRng>, keys: number, n: number): void {
  const i = rng.int(keys);
  const op = rng.int(22);
  const s = `s:${i - (i % 6)}`;
  const h = `h:${i - (i % 6) + 1}`;
  const l = `l:${i - (i % 6) + 2}`;
  const t = `t:${i - (i % 6) + 3}`;
  const z = `z:${i - (i % 6) + 4}`;
  switch (op) {
    case 0: p.set(s, `over${n}`); break;
    case 1: p.del(s, h); break;
    case 2: p.append(s, 'tail'); break;
    case 3: p.hset(h, 'f0', `n${n}`, `nf${n}`, '1'); break;
    case 4: p.hdel(h, 'f1'); break;
    case 5: p.lpush(l, `p${n}`); p.rpop(l); p.rpop(l); break;
    case 6: p.sadd(t, `a${n}`); p.srem(t, '1', 'm1'); break;
    case 7: p.zadd(z, n, `zz${n}`); p.zrem(z, 'm0'); break;
    case 8: p.expire(s, 10 + n); p.persist(z); break;
    case 9: p.rename(s, `renamed:${n}`); break;
    case 10: p.move(h, 1); break;
    case 11: p.copy(l, `l:${i - (i % 6) + 2}`, 'DB', 2, 'REPLACE'); break;
    case 12: p.spop(t); p.zpopmin(z); break;
    case 13: p.lmove(l, `l:${(i + 6) - ((i + 6) % 6) + 2}`, 'LEFT', 'RIGHT'); break;
    case 14: p.smove(t, `t:${(i + 6) - ((i + 6) % 6) + 3}`, '0'); break;
    case 15: p.sinterstore(t, t, `t:${(i + 12) - ((i + 12) % 6) + 3}`); break;
    case 16: p.set(`new:${n}`, 'x'.repeat(1000)); break;
    case 17: p.getdel(s); p.unlink(z); break;
    case 18: p.setrange(s, 2, 'RANGE'); p.incr(`ctr:${i % 10}`); break;
    case 19: p.pexpire(h, 0); break;
    case 20: p.restore(s, 0, DUMPED as Buffer, 'REPLACE'); break;
    default: p.sort(l, 'ALPHA', 'STORE', z); break;
  }
}

/** A DUMP payload (a small list) RESTOREd over keys by the storm. */
let DUMPED: Buffer | null = null;

describe('BGSAVE: point-in-time snapshot while serving', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-bgsave-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const { delayUs, keys } of [
    { delayUs: 40, keys: 12000 },
    { delayUs: 0, keys: 60000 },
  ]) {
    it(`the file holds the dataset as of BGSAVE under a write storm (${keys} keys, rdb-key-save-delay ${delayUs})`, async () => {
      const sub = mkdtempSync(join(dir, 'run-'));
      const a = await startServer({ config: { save: '', dir: sub, 'rdb-key-save-delay': String(delayUs), 'hz': '100' } });
      const r = new Redis({ port: a.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      const blocked = new Redis({ port: a.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      let b: RunningServer | null = null;
      try {
        await r.connect();
        await blocked.connect();
        await populate(r, keys, 7);
        DUMPED = await r.dumpBuffer('l:bmove-dst');
        const expected = await dumpAll(r, DBS);
        // A client blocked before the save, served by the storm into an existing list.
        const served = blocked.blmove('bmove-src', 'l:bmove-dst', 'LEFT', 'LEFT', 0);
        await until(async () => (await r.info('clients')).includes('blocked_clients:1'));
        const used = Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1]);
        const rng = createRng(11);
        // Keys whose TTL ends while the walk runs, then BGSAVE, then at once the first storm
        // batch: same connection, same read.
        const p = r.pipeline();
        const soon = Date.now() + 100;
        for (let i = 0; i < 300; i++) {
          p.set(`soon:${i}`, `${i}`, 'PXAT', soon + i);
          expected.set(`0 soon:${i}`, `string ${JSON.stringify(String(i))} ${soon + i}`);
        }
        p.bgsave();
        p.config('SET', 'maxmemory-policy', 'allkeys-random');
        p.config('SET', 'maxmemory', String(used - 256 * 1024));
        for (let n = 0; n < 300; n++) stormOp(p, rng, keys, n);
        p.lpush('bmove-src', 'served');
        p.swapdb(2, 3);
        p.select(3);
        p.flushdb();
        p.select(1);
        p.del('s:0', 'h:1');
        p.select(0);
        const first = (await p.exec()) ?? [];
        assert.equal(first[300][1], 'Background saving started');
        assert.equal(await served, 'served');
        let n = 300;
        const deadline = Date.now() + 60_000;
        while ((await r.info('persistence')).includes('rdb_bgsave_in_progress:1')) {
          assert.ok(Date.now() < deadline, 'BGSAVE did not finish in 60 s');
          const q = r.pipeline();
          for (let j = 0; j < 200; j++) stormOp(q, rng, keys, n++);
          for (let j = 0; j < 20; j++) q.get(`soon:${rng.int(300)}`); // lazy expiry
          await q.exec();
        }
        const info = await r.info('persistence');
        assert.match(info, /rdb_last_bgsave_status:ok/);
        assert.match(info, /rdb_saves:1\r\n/);
        const stats = await r.info('stats');
        // The storm did evict and expire keys of the snapshot while it was written.
        assert.ok(Number(/evicted_keys:(\d+)/.exec(stats)?.[1]) > 0, 'no key was evicted during the save');
        assert.ok(Number(/expired_keys:(\d+)/.exec(stats)?.[1]) > 0, 'no key expired during the save');
        assert.ok(n > 300, 'the storm ran only before the walk');
        assert.deepEqual(readdirSync(sub).filter((f) => f.startsWith('temp-')), [], 'temp file left behind');
        assert.ok(statSync(join(sub, 'dump.rdb')).size > 0);

        // A node whose clock stands before every expiry loads the file.
        b = await startServer({ config: { save: '', dir: sub }, clock: new FakeClock(1_000_000) });
        const rb = new Redis({ port: b.port, lazyConnect: true, maxRetriesPerRequest: 0 });
        try {
          await rb.connect();
          const actual = await dumpAll(rb, DBS);
          assert.deepEqual(diff(expected, actual), []);
          assert.equal(actual.size, expected.size);
        } finally {
          rb.disconnect();
        }
      } finally {
        r.disconnect();
        blocked.disconnect();
        await a.close();
        await b?.close();
      }
    });
  }
});
