// The AOF in a running node (src/server/persistence/aof/feed.ts): writes reach the INCR file
// through the effect stream, a restart replays them, BGREWRITEAOF replaces the files with a new
// BASE from a fork-less snapshot, CONFIG SET appendonly turns it on and off at runtime, and
// INFO persistence reports it as Redis does. Crashes (kill -9) are in
// test/integration/persistence-crash.test.ts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/redis.js';
import { startServer } from '../helpers/node.js';
import { aofOf } from '../../src/server/persistence/aof/startup.js';
import { until } from '../helpers/poll.js';

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1].trim();
}

describe('AOF', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-aof-wire-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes every effect to the INCR file and replays it on restart (appendfsync always)', async () => {
    const dir = mkdtempSync(join(root, 'a-'));
    const config = { dir, appendonly: 'yes', appendfsync: 'always' };
    let node = await startServer({ config });
    let r = new Redis({ port: node.port });
    try {
      await r.set('s', 'v', 'EX', 1000);
      await r.incrbyfloat('f', 1.25);
      await r.rpush('l', 'a', 'b', 'c');
      await r.hset('h', 'x', '1');
      await r.multi().sadd('t', '1', '2').zadd('z', 2, 'm').exec();
      await r.select(3);
      await r.set('in3', 'yes');
      // Under always, a write is acknowledged only once it is on disk.
      const w = aofOf(node.server).writer;
      assert.ok(w !== null);
      assert.equal(w.syncedOffset, w.appendedOffset);
      const info = await r.info('persistence');
      assert.equal(field(info, 'aof_enabled'), '1');
      assert.equal(field(info, 'aof_last_write_status'), 'ok');
      assert.ok(Number(field(info, 'aof_current_size')) > 0);
      const ttl = await r.select(0).then(() => r.pttl('s'));
      r.disconnect();
      await node.close();
      const files = readdirSync(join(dir, 'appendonlydir')).sort();
      assert.deepEqual(files, ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
      const incr = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
      assert.match(incr, /SET\r\n\$1\r\ns\r\n\$1\r\nv\r\n\$4\r\nPXAT\r\n/);
      assert.match(incr, /\r\nKEEPTTL\r\n/); // INCRBYFLOAT as SET ... KEEPTTL
      assert.match(incr, /\r\nMULTI\r\n[^]*\r\nEXEC\r\n/);
      node = await startServer({ config });
      r = new Redis({ port: node.port });
      assert.equal(await r.get('s'), 'v');
      const ttl2 = await r.pttl('s');
      assert.ok(ttl2 <= ttl && ttl2 > ttl - 5000, `ttl ${ttl2} after ${ttl}`);
      assert.equal(await r.get('f'), '1.25');
      assert.deepEqual(await r.lrange('l', 0, -1), ['a', 'b', 'c']);
      assert.deepEqual(await r.hgetall('h'), { x: '1' });
      assert.deepEqual((await r.smembers('t')).sort(), ['1', '2']);
      assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['m', '2']);
      await r.select(3);
      assert.equal(await r.get('in3'), 'yes');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('BGREWRITEAOF writes a new BASE, starts a new INCR and keeps writes made during it', async () => {
    const dir = mkdtempSync(join(root, 'b-'));
    const config = { dir, appendonly: 'yes', 'rdb-key-save-delay': '200' };
    let node = await startServer({ config });
    let r = new Redis({ port: node.port });
    try {
      const p = r.pipeline();
      for (let i = 0; i < 3000; i++) p.set(`k${i}`, `v${i}`);
      await p.exec();
      assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
      await assert.rejects(r.bgrewriteaof(), /^ReplyError: ERR Background append only file rewriting already in progress$/);
      // SAVE runs beside it (Redis refuses SAVE only beside an RDB child).
      assert.equal(await r.save(), 'OK');
      assert.ok(statSync(join(dir, 'dump.rdb')).size > 3000 * 6);
      assert.equal(field(await r.info('persistence'), 'rdb_saves'), '1');
      assert.equal(await r.call('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
      await assert.rejects(r.bgsave(), /Another child process is active/);
      assert.equal(field(await r.info('persistence'), 'aof_rewrite_in_progress'), '1');
      assert.equal(field(await r.info('persistence'), 'aof_rewrites'), '1'); // counted at the start, as Redis's
      // Changes made while the snapshot is written: overwrite, delete, create.
      await r.set('k1', 'changed');
      await r.del('k2');
      await r.set('during', '1');
      await until(async () => field(await r.info('persistence'), 'aof_rewrite_in_progress') === '0');
      const info = await r.info('persistence');
      assert.equal(field(info, 'aof_last_bgrewrite_status'), 'ok');
      assert.equal(field(info, 'aof_rewrites'), '1');
      const manifest = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
      assert.equal(manifest, 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
      await until(async () => field(await r.info('persistence'), 'rdb_saves') === '2'); // SAVE, then the scheduled BGSAVE
      r.disconnect();
      await node.close();
      node = await startServer({ config: { dir, appendonly: 'yes' } });
      r = new Redis({ port: node.port });
      assert.equal(await r.dbsize(), 3000);
      assert.equal(await r.get('k1'), 'changed');
      assert.equal(await r.get('k2'), null);
      assert.equal(await r.get('during'), '1');
      assert.equal(await r.get('k2999'), 'v2999');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('FLUSHALL during BGREWRITEAOF: the new BASE holds the data as of the rewrite, the INCR the flush', async () => {
    const dir = mkdtempSync(join(root, 'f-'));
    const config = { dir, appendonly: 'yes', 'rdb-key-save-delay': '300' };
    let node = await startServer({ config });
    let r = new Redis({ port: node.port });
    const other = mkdtempSync(join(root, 'f-base-'));
    try {
      const p = r.pipeline();
      for (let i = 0; i < 1500; i++) p.set(`k${i}`, `v${i}`);
      p.select(5);
      for (let i = 0; i < 500; i++) p.set(`five${i}`, `w${i}`);
      p.rpush('five:list', 'a', 'b');
      await p.exec();
      await r.select(0);
      assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
      // Its snapshot starts once the new INCR file is open (writes before go to the old one).
      await until(async () => field(await r.info('persistence'), 'current_save_keys_total') === '2001', { what: 'the walk started' });
      assert.equal(await r.flushall(), 'OK');
      await r.set('after', '1');
      await until(async () => field(await r.info('persistence'), 'aof_rewrite_in_progress') === '0', { ms: 20_000 });
      assert.equal(field(await r.info('persistence'), 'aof_last_bgrewrite_status'), 'ok');
      r.disconnect();
      await node.close();
      // The BASE alone, loaded as an RDB file: every key as of the rewrite's start (FLUSHALL
      // did not abandon the rewrite, as it abandons a BGSAVE).
      copyFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.rdb'), join(other, 'dump.rdb'));
      node = await startServer({ config: { dir: other, save: '' } });
      r = new Redis({ port: node.port });
      assert.equal(await r.dbsize(), 1500);
      assert.equal(await r.get('k1499'), 'v1499');
      await r.select(5);
      assert.equal(await r.dbsize(), 501);
      assert.deepEqual(await r.lrange('five:list', 0, -1), ['a', 'b']);
      r.disconnect();
      await node.close();
      // BASE and INCR: the flush, then what followed it.
      node = await startServer({ config: { dir, appendonly: 'yes' } });
      r = new Redis({ port: node.port });
      assert.equal(await r.dbsize(), 1);
      assert.equal(await r.get('after'), '1');
      await r.select(5);
      assert.equal(await r.dbsize(), 0);
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('with aof-use-rdb-preamble no, strings changed during the rewrite go to the BASE as they were, in their database', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', 'rdb-key-save-delay': '300' };
    let node = await startServer({ config });
    let r = new Redis({ port: node.port });
    try {
      for (const db of [0, 3]) {
        await r.select(db);
        const p = r.pipeline();
        for (let i = 0; i < 800; i++) p.set(`s${i}`, `db${db}-${i}`);
        p.set('ttl', 'old', 'PX', 3_600_000);
        await p.exec();
      }
      assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
      await until(async () => field(await r.info('persistence'), 'current_save_keys_total') === '1602', { what: 'the walk started' });
      // Writes to keys the walk has not reached: each is captured (copied aside) first.
      for (const db of [3, 0]) {
        await r.select(db);
        for (let i = 0; i < 800; i += 7) await r.set(`s${i}`, `new-${db}-${i}`);
        await r.del('s1');
        await r.set('ttl', 'new', 'KEEPTTL');
      }
      await until(async () => field(await r.info('persistence'), 'aof_rewrite_in_progress') === '0', { ms: 20_000 });
      const base = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1');
      // The BASE holds the old values (the new ones are in the INCR).
      assert.ok(base.includes('$6\r\ndb3-14\r\n') && !base.includes('new-3-14'), 'old value of s14 in database 3');
      r.disconnect();
      await node.close();
      node = await startServer({ config: { dir, appendonly: 'yes' } });
      r = new Redis({ port: node.port });
      for (const db of [0, 3]) {
        await r.select(db);
        assert.equal(await r.dbsize(), 800, `database ${db}`);
        const keys = Array.from({ length: 800 }, (_, i) => `s${i}`);
        const want = keys.map((_, i) => (i === 1 ? null : i % 7 === 0 ? `new-${db}-${i}` : `db${db}-${i}`));
        assert.deepEqual(await r.mget(keys), want, `database ${db}`);
        assert.equal(await r.get('ttl'), 'new');
        const ttl = await r.pttl('ttl');
        assert.ok(ttl > 3_500_000 && ttl <= 3_600_000, `ttl ${ttl}`);
      }
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('with aof-use-rdb-preamble no the rewritten BASE is commands', async () => {
    const dir = mkdtempSync(join(root, 'p-'));
    const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' };
    let node = await startServer({ config });
    let r = new Redis({ port: node.port });
    try {
      await r.set('s', 'v', 'PX', 3_600_000);
      await r.rpush('l', ...Array.from({ length: 150 }, (_, i) => `e${i}`));
      await r.sadd('t', '1', '2', 'x');
      await r.zadd('z', 1.5, 'a', -2, 'b');
      await r.hset('h', 'f', 'v', 'g', 'w');
      await r.select(2);
      await r.set('in2', 'x');
      await r.select(0);
      const pexpire = await r.pexpiretime('s');
      assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
      await until(async () => field(await r.info('persistence'), 'aof_rewrite_in_progress') === '0');
      const manifest = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
      assert.match(manifest, /^file appendonly\.aof\.2\.base\.aof seq 2 type b\n/);
      const base = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1');
      assert.ok(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'), base.slice(0, 40));
      assert.match(base, new RegExp(`\\*3\r\n\\$9\r\nPEXPIREAT\r\n\\$1\r\ns\r\n\\$13\r\n${pexpire}\r\n`));
      assert.equal(base.split('RPUSH').length - 1, 3); // 150 elements, 64 a command
      r.disconnect();
      await node.close();
      node = await startServer({ config });
      r = new Redis({ port: node.port });
      assert.equal(await r.pexpiretime('s'), pexpire);
      assert.equal(await r.llen('l'), 150);
      assert.equal(await r.lindex('l', 149), 'e149');
      assert.deepEqual((await r.smembers('t')).sort(), ['1', '2', 'x']);
      assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['b', '-2', 'a', '1.5']);
      assert.deepEqual(await r.hgetall('h'), { f: 'v', g: 'w' });
      await r.select(2);
      assert.equal(await r.get('in2'), 'x');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('CONFIG SET appendonly yes creates the AOF from the dataset; no stops it', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    let node = await startServer({ config: { dir } });
    let r = new Redis({ port: node.port });
    try {
      await r.set('before', '1');
      assert.equal(field(await r.info('persistence'), 'aof_enabled'), '0');
      assert.equal(await r.config('SET', 'appendonly', 'yes'), 'OK');
      await r.set('after', '2');
      await until(async () => field(await r.info('persistence'), 'aof_rewrite_in_progress') === '0' && existsSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest')));
      await r.set('later', '3');
      assert.equal(field(await r.info('persistence'), 'aof_enabled'), '1');
      r.disconnect();
      await node.close();
      node = await startServer({ config: { dir, appendonly: 'yes' } });
      r = new Redis({ port: node.port });
      assert.deepEqual(await r.mget('before', 'after', 'later'), ['1', '2', '3']);
      assert.equal(await r.config('SET', 'appendonly', 'no'), 'OK');
      await r.set('off', '1');
      r.disconnect();
      await node.close();
      node = await startServer({ config: { dir, appendonly: 'yes' } });
      r = new Redis({ port: node.port });
      assert.equal(await r.get('off'), null);
      assert.equal(await r.get('later'), '3');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('replays in slices: clients get -LOADING meanwhile', async () => {
    const dir = mkdtempSync(join(root, 'd-'));
    let node = await startServer({ config: { dir, appendonly: 'yes' } });
    const w = new Redis({ port: node.port });
    const p = w.pipeline();
    for (let i = 0; i < 20000; i++) p.set(`k${i}`, `${i}`);
    await p.exec();
    w.disconnect();
    await node.close();
    const port = await freePort();
    // A pause of 20 ms after each step of 1024 commands: the replay takes about half a second.
    const starting = startServer({ port, config: { dir, appendonly: 'yes', 'key-load-delay': '20000' } });
    const r = new Redis({ port, retryStrategy: () => 10, maxRetriesPerRequest: 100, enableReadyCheck: false });
    try {
      await until(async () => (await r.info('persistence').catch(() => '')).includes('loading:1'));
      await assert.rejects(r.ping(), /^ReplyError: LOADING Redis is loading the dataset in memory$/);
      assert.ok(Number(field(await r.info('persistence'), 'loading_total_bytes')) > 20000 * 20);
      node = await starting;
      assert.equal(await r.dbsize(), 20000);
      assert.equal(await r.get('k19999'), '19999');
    } finally {
      r.disconnect();
      await starting.then((n) => n.close()).catch(() => undefined);
    }
  });
});
