// BGSAVE, save points, SHUTDOWN's final save and FLUSHALL's reset, as Redis 7.0 behaves
// (replies, INFO persistence, files on disk). The consistency of the snapshot under writes is
// shown in test/integration/bgsave.test.ts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/redis.js';
import { startServer } from '../helpers/node.js';
import { FakeClock } from '../../src/lib/clock.js';
import { until } from '../helpers/poll.js';

function field(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return m[1].trim();
}

async function fill(r: Redis, n: number): Promise<void> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.set(`k${i}`, `v${i}`);
  await p.exec();
}

const saving = async (r: Redis): Promise<boolean> => field(await r.info('persistence'), 'rdb_bgsave_in_progress') === '1';

/** Starts a node on `config` (loading what its dir holds), runs check against it, then stops it. */
async function reloaded(config: Record<string, string>, check: (r: Redis) => Promise<void>): Promise<void> {
  const node = await startServer({ config });
  const r = new Redis({ port: node.port });
  try {
    await check(r);
  } finally {
    r.disconnect();
    await node.close();
  }
}

describe('BGSAVE', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-bgsave-wire-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('replies, reports progress in INFO and writes dir/dbfilename', async () => {
    const dir = mkdtempSync(join(root, 'a-'));
    // 2000 keys at 500 µs each: the save lasts about a second.
    const node = await startServer({ config: { save: '', dir, dbfilename: 'snap.rdb', 'rdb-key-save-delay': '500' } });
    const r = new Redis({ port: node.port });
    try {
      await fill(r, 2000);
      const before = Number(await r.lastsave());
      assert.equal(await r.bgsave(), 'Background saving started');
      let info = await r.info('persistence');
      assert.equal(field(info, 'rdb_bgsave_in_progress'), '1');
      assert.equal(field(info, 'current_save_keys_total'), '2000');
      assert.equal(field(info, 'rdb_current_bgsave_time_sec'), '0');
      await assert.rejects(r.bgsave(), /^ReplyError: ERR Background save already in progress$/);
      await assert.rejects(r.save(), /^ReplyError: ERR Background save already in progress$/);
      await assert.rejects(r.call('BGSAVE', 'NOW'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('BGSAVE', 'SCHEDULE', 'x'), /^ReplyError: ERR syntax error$/);
      await r.set('late', '1'); // a change made during the save stays unsaved
      await until(async () => !(await saving(r)));
      info = await r.info('persistence');
      assert.equal(field(info, 'rdb_last_bgsave_status'), 'ok');
      assert.equal(field(info, 'rdb_saves'), '1');
      assert.equal(field(info, 'rdb_changes_since_last_save'), '1');
      assert.equal(field(info, 'rdb_current_bgsave_time_sec'), '-1');
      assert.ok(Number(await r.lastsave()) >= before);
      assert.ok(statSync(join(dir, 'snap.rdb')).size > 2000 * 6);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('temp-')), []);
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('inside MULTI it is scheduled, then runs', async () => {
    const dir = mkdtempSync(join(root, 'b-'));
    const node = await startServer({ config: { save: '', dir, hz: '100' } });
    const r = new Redis({ port: node.port });
    try {
      await r.set('a', '1');
      const res = await r.multi().bgsave().exec();
      assert.deepEqual(res, [[null, 'Background saving scheduled']]);
      await until(async () => existsSync(join(dir, 'dump.rdb')));
      await until(async () => field(await r.info('persistence'), 'rdb_saves') === '1');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('FLUSHALL abandons a BGSAVE in progress without an error status, and saves with save points', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    const node = await startServer({ config: { save: '', dir, 'rdb-key-save-delay': '1000' } });
    const r = new Redis({ port: node.port });
    try {
      await fill(r, 3000);
      assert.equal(await r.bgsave(), 'Background saving started');
      assert.equal(await r.flushall(), 'OK');
      await until(async () => !(await saving(r)));
      const info = await r.info('persistence');
      assert.equal(field(info, 'rdb_last_bgsave_status'), 'ok');
      assert.deepEqual(readdirSync(dir), []); // temp file removed, nothing saved (no save points)
      assert.equal(field(info, 'rdb_changes_since_last_save'), '6000'); // 3000 SETs, 3000 keys removed
      // With save points FLUSHALL saves the empty dataset: no change is left unsaved.
      await r.config('SET', 'save', '3600 1');
      await r.set('x', '1');
      assert.equal(await r.flushall(), 'OK');
      assert.ok(existsSync(join(dir, 'dump.rdb')));
      assert.equal(field(await r.info('persistence'), 'rdb_changes_since_last_save'), '0');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('a snapshot abandoned halfway (its diskless replica left) leaves every key readable and the next BGSAVE whole', async () => {
    const dir = mkdtempSync(join(root, 'g-'));
    const config = { save: '', dir, 'repl-diskless-sync': 'yes', 'repl-diskless-sync-delay': '0' };
    const node = await startServer({ config: { ...config, 'rdb-key-save-delay': '500' } });
    const r = new Redis({ port: node.port });
    try {
      await fill(r, 3000);
      // A replica that takes part of the payload and leaves: the walk is abandoned with most
      // keys unvisited, in the epoch the snapshot flipped to.
      const sock = net.connect({ port: node.port, host: '127.0.0.1' });
      sock.on('error', () => undefined);
      await new Promise((res) => sock.once('connect', res));
      sock.write('*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n');
      await new Promise((res) => sock.once('data', res)); // +OK
      sock.write('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
      let got = 0;
      sock.on('data', (d: Buffer) => void (got += d.length));
      await until(() => got > 0, { what: 'the +FULLRESYNC line' });
      assert.equal(field(await r.info('persistence'), 'current_save_keys_total'), '3000'); // the walk is on
      sock.destroy();
      await until(async () => field(await r.info('replication'), 'connected_slaves') === '0', { what: 'the replica gone' });
      await r.config('SET', 'rdb-key-save-delay', '0');
      assert.equal(field(await r.info('persistence'), 'rdb_bgsave_in_progress'), '0');
      const values = await r.mget(Array.from({ length: 3000 }, (_, i) => `k${i}`));
      assert.deepEqual(values, Array.from({ length: 3000 }, (_, i) => `v${i}`));
      await fill(r, 6000); // new keys grow the index, which reads every record
      assert.equal(await r.bgsave(), 'Background saving started');
      await until(async () => !(await saving(r)));
      assert.equal(field(await r.info('persistence'), 'rdb_last_bgsave_status'), 'ok');
      await reloaded(config, async (r2) => {
        assert.equal(await r2.dbsize(), 6000);
        assert.deepEqual(await r2.mget(Array.from({ length: 6000 }, (_, i) => `k${i}`)), Array.from({ length: 6000 }, (_, i) => `v${i}`));
      });
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('SWAPDB, FLUSHDB and FLUSHDB ASYNC during a BGSAVE: the file holds every database as of its start', async () => {
    const dir = mkdtempSync(join(root, 'h-'));
    const node = await startServer({ config: { save: '', dir, 'rdb-key-save-delay': '300' } });
    const r = new Redis({ port: node.port });
    try {
      // Strings (captured raw) and aggregates (serialized at once) in databases 0-3.
      for (const [db, prefix, n] of [[0, 'a', 700], [1, 'b', 500], [2, 'c', 400], [3, 'd', 300]] as const) {
        await r.select(db);
        const p = r.pipeline();
        for (let i = 0; i < n; i++) p.set(`${prefix}${i}`, `${prefix}-value-${i}`);
        p.rpush(`${prefix}:list`, 'x', 'y', 'z');
        p.hset(`${prefix}:hash`, 'f', prefix);
        await p.exec();
      }
      assert.equal(await r.bgsave(), 'Background saving started');
      await r.select(0);
      assert.equal(await r.swapdb(0, 1), 'OK');
      await r.select(2);
      assert.equal(await r.flushdb(), 'OK');
      await r.select(3);
      assert.equal(await r.flushdb('ASYNC'), 'OK');
      await r.set('d-after', '1');
      assert.equal(field(await r.info('persistence'), 'rdb_bgsave_in_progress'), '1');
      await until(async () => !(await saving(r)), { ms: 20_000 });
      assert.equal(field(await r.info('persistence'), 'rdb_last_bgsave_status'), 'ok');
      await reloaded({ save: '', dir }, async (r2) => {
        for (const [db, prefix, n] of [[0, 'a', 700], [1, 'b', 500], [2, 'c', 400], [3, 'd', 300]] as const) {
          await r2.select(db);
          assert.equal(await r2.dbsize(), n + 2, `database ${db}`);
          const keys = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
          assert.deepEqual(await r2.mget(keys), keys.map((_, i) => `${prefix}-value-${i}`), `database ${db}`);
          assert.deepEqual(await r2.lrange(`${prefix}:list`, 0, -1), ['x', 'y', 'z']);
          assert.deepEqual(await r2.hgetall(`${prefix}:hash`), { f: prefix });
        }
      });
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('a BGSAVE that cannot create its file answers -ERR and sets rdb_last_bgsave_status:err', async () => {
    const dir = mkdtempSync(join(root, 'd-'));
    const node = await startServer({ config: { save: '', dir } });
    const r = new Redis({ port: node.port });
    try {
      await r.set('a', '1');
      rmSync(dir, { recursive: true, force: true }); // the directory is gone: the temp file cannot be created
      await assert.rejects(r.bgsave(), /^ReplyError: ERR$/);
      assert.equal(field(await r.info('persistence'), 'rdb_last_bgsave_status'), 'err');
    } finally {
      r.disconnect();
      await node.close();
    }
  });

  it('save points start a BGSAVE once enough changes are older than their seconds', async () => {
    const dir = mkdtempSync(join(root, 'e-'));
    const clock = new FakeClock(Date.now());
    const node = await startServer({ config: { save: '100 3', dir, hz: '1' }, clock });
    const r = new Redis({ port: node.port });
    try {
      await r.mset('a', '1', 'b', '2');
      clock.advance(101_000);
      node.server.cron();
      assert.equal(field(await r.info('persistence'), 'rdb_bgsave_in_progress'), '0'); // 2 changes < 3
      await r.set('c', '3');
      node.server.cron();
      await until(async () => existsSync(join(dir, 'dump.rdb')));
      await until(async () => field(await r.info('persistence'), 'rdb_changes_since_last_save') === '0');
    } finally {
      r.disconnect();
      await node.close();
    }
  });
});

describe('SHUTDOWN and the final save', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-shutdown-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('SHUTDOWN SAVE writes the dataset; NOSAVE does not; default saves with save points', async () => {
    for (const [args, config, saved] of [
      [['SAVE'], { save: '' }, true],
      [['NOSAVE'], { save: '3600 1' }, false],
      [[], { save: '3600 1' }, true],
      [[], { save: '' }, false],
    ] as const) {
      const dir = mkdtempSync(join(root, 's-'));
      const node = await startServer({ config: { ...config, dir } });
      const r = new Redis({ port: node.port, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
      try {
        await r.connect();
        await r.set('k', 'v');
        await r.call('SHUTDOWN', ...args).catch(() => undefined);
        assert.equal(node.server.shuttingDown, true);
        await node.server.closed;
      } finally {
        r.disconnect();
        await node.close();
      }
      assert.equal(existsSync(join(dir, 'dump.rdb')), saved, `SHUTDOWN ${args.join(' ')} with save '${config.save}'`);
    }
  });

  it('a failed final save refuses SHUTDOWN, and FORCE exits anyway', async () => {
    const dir = mkdtempSync(join(root, 'f-'));
    const node = await startServer({ config: { save: '', dir } });
    const r = new Redis({ port: node.port, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    try {
      await r.connect();
      rmSync(dir, { recursive: true, force: true });
      await assert.rejects(r.call('SHUTDOWN', 'SAVE'), /^ReplyError: ERR Errors trying to SHUTDOWN\. Check logs\.$/);
      assert.equal(await r.ping(), 'PONG');
      await r.call('SHUTDOWN', 'SAVE', 'FORCE').catch(() => undefined);
      assert.equal(node.server.shuttingDown, true);
      await node.server.closed;
    } finally {
      r.disconnect();
      await node.close();
    }
  });
});

describe('loading at start', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'shoal-loading-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('answers -LOADING while the dataset loads, INFO reports the progress, then serves it', async () => {
    const dir = mkdtempSync(join(root, 'l-'));
    const first = await startServer({ config: { dir } });
    const w = new Redis({ port: first.port });
    await fill(w, 600);
    await w.save();
    w.disconnect();
    await first.close();
    const port = await freePort();
    // 2 ms a key: the load lasts over a second, in slices between which clients are served.
    const starting = startServer({ port, config: { dir, 'key-load-delay': '2000' } });
    // No ready check: ioredis would wait for the load to end before sending anything.
    const r = new Redis({ port, retryStrategy: () => 20, maxRetriesPerRequest: 50, enableReadyCheck: false });
    try {
      await until(async () => (await r.info('persistence').catch(() => '')).includes('loading:1'));
      const info = await r.info('persistence');
      assert.ok(Number(field(info, 'loading_total_bytes')) > 0);
      assert.match(field(info, 'loading_loaded_perc'), /^\d+\.\d\d$/);
      await assert.rejects(r.ping(), /^ReplyError: LOADING Redis is loading the dataset in memory$/);
      await assert.rejects(r.get('k1'), /^ReplyError: LOADING Redis is loading the dataset in memory$/);
      const node = await starting;
      try {
        assert.equal(await r.ping(), 'PONG');
        assert.equal(await r.dbsize(), 600);
        assert.equal(field(await r.info('persistence'), 'loading'), '0');
        assert.equal(field(await r.info('persistence'), 'rdb_last_load_keys_loaded'), '600');
      } finally {
        await node.close();
      }
    } finally {
      r.disconnect();
      await starting.then((n) => n.close()).catch(() => undefined);
    }
  });
});
