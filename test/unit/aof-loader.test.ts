// The AOF loader (persistence/aof/aof-loader.ts) on files built here: commands of several types,
// MULTI/EXEC, SELECT, replay-time expiry semantics, torn tails cut at every byte (dropped under
// aof-load-truncated yes, refused under no), corrupt middles refused with file and offset, an
// RDB preamble, and a fuzz of random corruption that must never crash or hang the loader.
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config/load.js';
import { Server } from '../../src/server/server.js';
import { Logger } from '../../src/server/observability/logger.js';
import { AofLoadError, loadAppendOnlyFiles } from '../../src/server/persistence/aof/aof-loader.js';
import { AofManifest } from '../../src/server/persistence/aof/manifest.js';
import { RdbWriter, writeKeyspace, writerOptions } from '../../src/server/persistence/rdb-writer.js';
import { NONE } from '../../src/server/keyspace/database.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'shoal-aofl-'));
  dirs.push(d);
  return d;
};

function node(extra: string[] = []): { srv: Server; logs: string[] } {
  const { config } = loadConfig(['--port', '0', '--loglevel', 'debug', '--logfile', '/dev/null', ...extra]);
  const log = new Logger();
  const logs: string[] = [];
  log.sink = (l) => logs.push(l);
  const srv = new Server({ config, log });
  return { srv, logs };
}

/** A command as the AOF holds it. */
const cmd = (...args: Array<string | Buffer>): Buffer => {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
};

/** Writes files into a fresh AOF dir; returns the manifest listing them (first BASE when `base`). */
function files(list: Array<[string, Buffer]>, base = false): { dir: string; am: AofManifest } {
  const dir = tmp();
  const am = new AofManifest();
  list.forEach(([name, data], i) => {
    writeFileSync(path.join(dir, name), data);
    if (i === 0 && base) am.base = { name, seq: 1, type: 'b' };
    else am.incrs.push({ name, seq: i + 1, type: 'i' });
  });
  return { dir, am };
}

const opts = (dir: string, loadTruncated = true) => ({ dir, appendfilename: 'appendonly.aof', loadTruncated });

function get(srv: Server, db: number, key: string): string | null {
  const d = srv.keyspace.dbs[db];
  const id = d.find(Buffer.from(key));
  if (id === NONE) return null;
  return Buffer.from(d.store.valueView(id) as Uint8Array).toString();
}

const FAR = String(Date.now() + 3_600_000);
const PAST = String(Date.now() - 3_600_000);
const script = Buffer.concat([
  cmd('SELECT', '0'),
  cmd('SET', 'a', '1'),
  cmd('INCR', 'a'),
  cmd('RPUSH', 'l', 'x', 'y'),
  cmd('HSET', 'h', 'f', 'v'),
  cmd('SADD', 's', 'm1', 'm2'),
  cmd('ZADD', 'z', '1', 'one'),
  cmd('SET', 't', 'v', 'PXAT', FAR),
  cmd('MULTI'),
  cmd('SET', 'm', '1'),
  cmd('INCRBY', 'm', '41'),
  cmd('EXEC'),
  cmd('SELECT', '3'),
  cmd('SET', 'db3', 'three'),
]);

describe('AOF loader', () => {
  it('replays commands of every kind, MULTI/EXEC and SELECT', () => {
    const { srv, logs } = node();
    const { dir, am } = files([['appendonly.aof.1.incr.aof', script]]);
    const r = loadAppendOnlyFiles(srv, am, opts(dir));
    assert.equal(r.status, 'ok');
    assert.equal(r.commands, 14);
    assert.equal(r.totalSize, script.length);
    assert.equal(get(srv, 0, 'a'), '2');
    assert.equal(get(srv, 0, 'm'), '42');
    assert.equal(get(srv, 3, 'db3'), 'three');
    assert.equal(srv.keyspace.dbs[0].size, 7);
    assert.equal(srv.dirty > 0, true, 'the replay counts as changes (Redis keeps them)');
    assert.equal(srv.stats.totalCommandsProcessed, 0, 'not counted as processed commands');
    assert.ok(logs.some((l) => l.includes('DB loaded from incr file appendonly.aof.1.incr.aof')));
  });

  it('replays as Redis does while loading: a passed TTL does not expire a key under later commands', () => {
    const { srv } = node();
    const { dir, am } = files([
      ['appendonly.aof.1.incr.aof', Buffer.concat([cmd('INCR', 'k'), cmd('PEXPIREAT', 'k', PAST), cmd('INCR', 'k'), cmd('SET', 'p', 'v', 'PXAT', PAST), cmd('APPEND', 'p', 'w')])],
    ]);
    loadAppendOnlyFiles(srv, am, opts(dir));
    const db = srv.keyspace.dbs[0];
    // Both keys are there with their (passed) TTLs, as in Redis: they expire on access / the cycle.
    assert.equal(get(srv, 0, 'k'), '2');
    assert.equal(get(srv, 0, 'p'), 'vw');
    assert.equal(db.expiresSize, 2);
    assert.equal(db.lookup(Buffer.from('k'), Date.now()), NONE, 'expired now');
    assert.equal(srv.now <= Date.now() && srv.now > Date.now() - 60_000, true, 'the real time is back');
  });

  it('drops a torn tail at every byte of the last command (aof-load-truncated yes) and truncates the file', () => {
    const head = Buffer.concat([cmd('SET', 'a', '1'), cmd('SET', 'b', '2')]);
    const last = cmd('SET', 'c', '3');
    for (let cut = 1; cut < last.length; cut++) {
      const { srv, logs } = node();
      const data = Buffer.concat([head, last.subarray(0, cut)]);
      const { dir, am } = files([['appendonly.aof.1.incr.aof', data]]);
      const r = loadAppendOnlyFiles(srv, am, opts(dir));
      assert.equal(r.status, 'truncated', `cut ${cut}`);
      assert.deepEqual(r.truncated, { file: 'appendonly.aof.1.incr.aof', offset: head.length });
      assert.equal(get(srv, 0, 'b'), '2');
      assert.equal(get(srv, 0, 'c'), null);
      assert.equal(statSync(path.join(dir, 'appendonly.aof.1.incr.aof')).size, head.length);
      assert.ok(logs.some((l) => l.includes('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!')));
      assert.ok(logs.some((l) => l.includes(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${head.length} !!!`)));
      assert.ok(logs.some((l) => l.includes('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled')));
    }
  });

  it('refuses a torn tail with aof-load-truncated no, leaving nothing loaded', () => {
    const data = Buffer.concat([cmd('SET', 'a', '1'), cmd('SET', 'c', '3').subarray(0, 9)]);
    const { srv, logs } = node();
    const { dir, am } = files([['appendonly.aof.1.incr.aof', data]]);
    assert.throws(() => loadAppendOnlyFiles(srv, am, opts(dir, false)), (e: unknown) => {
      assert.ok(e instanceof AofLoadError);
      assert.equal(e.reason, 'Unexpected end of file reading the append only file');
      return true;
    });
    assert.equal(srv.keyspace.dbs[0].size, 0, 'no partial dataset');
    assert.ok(logs.some((l) => l.includes("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup")));
    assert.equal(statSync(path.join(dir, 'appendonly.aof.1.incr.aof')).size, data.length, 'file untouched');
  });

  it('reverts an unfinished MULTI at the end; refuses a torn file that is not the last', () => {
    const { srv, logs } = node();
    const first = Buffer.concat([cmd('SET', 'a', '1'), cmd('MULTI'), cmd('SET', 'b', '2')]);
    const { dir, am } = files([['appendonly.aof.1.incr.aof', first]]);
    const r = loadAppendOnlyFiles(srv, am, opts(dir));
    assert.equal(r.status, 'truncated');
    assert.equal(get(srv, 0, 'b'), null);
    assert.equal(statSync(path.join(dir, 'appendonly.aof.1.incr.aof')).size, cmd('SET', 'a', '1').length);
    assert.ok(logs.some((l) => l.includes('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof')));

    const two = node();
    const f = files([
      ['appendonly.aof.1.incr.aof', Buffer.concat([cmd('SET', 'a', '1'), cmd('SET', 'x', 'y').subarray(0, 5)])],
      ['appendonly.aof.2.incr.aof', cmd('SET', 'b', '2')],
    ]);
    assert.throws(() => loadAppendOnlyFiles(two.srv, f.am, opts(f.dir)), /the truncated file is not the last file/);
    assert.ok(two.logs.some((l) => l.includes('Fatal error: the truncated file is not the last file')));
    assert.equal(two.srv.keyspace.dbs[0].size, 0);
  });

  it('refuses bad format and unknown commands with file and offset', () => {
    const good = cmd('SET', 'a', '1');
    const cases: Array<[Buffer, RegExp, number]> = [
      [Buffer.concat([good, Buffer.from('+OK\r\n'), good]), /Bad file format reading the append only file/, good.length],
      [Buffer.concat([good, Buffer.from('*2\r\n:3\r\n'), good]), /Bad file format/, good.length + 4],
      [Buffer.concat([good, Buffer.from('*0\r\n'), good]), /Bad file format/, good.length],
      [Buffer.concat([good, cmd('NOSUCHCMD', 'x'), good]), /Unknown command 'NOSUCHCMD'/, good.length],
      [Buffer.concat([good, cmd('GET'), good]), /Wrong number of arguments for 'get'/, good.length],
    ];
    for (const [data, re, offset] of cases) {
      const { srv } = node();
      const { dir, am } = files([['appendonly.aof.1.incr.aof', data]]);
      assert.throws(() => loadAppendOnlyFiles(srv, am, opts(dir)), (e: unknown) => {
        assert.ok(e instanceof AofLoadError);
        assert.match(e.message, re);
        assert.equal(e.offset, offset);
        assert.match(e.file, /appendonly\.aof\.1\.incr\.aof$/);
        return true;
      });
      assert.equal(srv.keyspace.dbs[0].size, 0);
    }
  });

  it('loads an RDB BASE (keeping keys whose TTL passed) then the INCRs; a corrupt RDB is refused', () => {
    const src = node();
    const { dir: sdir, am: sam } = files([
      ['x.aof', Buffer.concat([cmd('SET', 'base', 'b'), cmd('SET', 'gone', 'g', 'PXAT', PAST), cmd('RPUSH', 'list', 'a')])],
    ]);
    loadAppendOnlyFiles(src.srv, sam, opts(sdir));
    const chunks: Buffer[] = [];
    writeKeyspace(src.srv, new RdbWriter((c) => chunks.push(Buffer.from(c)), writerOptions(src.srv)));
    const rdb = Buffer.concat(chunks);
    const { srv, logs } = node();
    const { dir, am } = files(
      [
        ['appendonly.aof.1.base.rdb', rdb],
        ['appendonly.aof.1.incr.aof', Buffer.concat([cmd('RPUSH', 'list', 'b'), cmd('APPEND', 'gone', '+')])],
      ],
      true,
    );
    const r = loadAppendOnlyFiles(srv, am, opts(dir));
    assert.equal(r.status, 'ok');
    assert.equal(r.baseSize, rdb.length);
    assert.equal(get(srv, 0, 'base'), 'b');
    assert.equal(get(srv, 0, 'gone'), 'g+', 'an expired BASE key is kept for the INCR commands, as Redis does');
    assert.ok(logs.some((l) => l.includes('Reading RDB base file on AOF loading...')));

    const bad = Buffer.from(rdb);
    bad[bad.length - 12] ^= 0xff;
    const c = node();
    const f = files([['appendonly.aof.1.base.rdb', bad]], true);
    assert.throws(() => loadAppendOnlyFiles(c.srv, f.am, opts(f.dir)), AofLoadError);
    assert.ok(c.logs.some((l) => l.includes('Error reading the RDB base file appendonly.aof.1.base.rdb, AOF loading aborted')));
    assert.equal(c.srv.keyspace.dbs[0].size, 0);
  });

  it('fuzz: random corruption never crashes or hangs the loader', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    for (let round = 0; round < 300 && Date.now() - t0 < 20_000; round++) {
      const data = Buffer.from(script);
      const flips = 1 + rand(4);
      for (let i = 0; i < flips; i++) {
        const at = rand(data.length);
        data[at] = rand(3) === 0 ? [0x2a, 0x24, 0x0d, 0x0a, 0x30, 0x39][rand(6)] : rand(256);
      }
      const cut = rand(4) === 0 ? rand(data.length) : data.length;
      const { srv } = node();
      const { dir, am } = files([['appendonly.aof.1.incr.aof', data.subarray(0, cut)]]);
      let outcome: string;
      try {
        outcome = loadAppendOnlyFiles(srv, am, opts(dir, rand(2) === 0)).status;
      } catch (e) {
        assert.ok(e instanceof AofLoadError, `round ${round}: ${(e as Error).stack}`);
        assert.equal(srv.keyspace.dbs.reduce((n, d) => n + d.size, 0), 0, 'a refused load leaves nothing');
        outcome = 'refused';
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      // The file left behind is never longer than what was given.
      assert.ok(readFileSync(path.join(dir, 'appendonly.aof.1.incr.aof')).length <= cut);
    }
    assert.ok((outcomes.get('refused') ?? 0) > 0, JSON.stringify([...outcomes]));
  });
});
