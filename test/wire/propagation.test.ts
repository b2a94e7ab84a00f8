// The effect-propagation stream through real connections, with a fake clock: a recording
// consumer sees the rewrites Redis 7.0 makes (relative times made absolute, random choices and
// float math replaced by their outcome, blocking forms replaced by the pop they made), one
// batch per execution unit wrapped in MULTI/EXEC when it holds more than one record, the
// database of each record (SELECT in the encoded stream), deletions by lazy and active expiry
// and by eviction, the default TTL's extra PEXPIREAT, and nothing for writes that change
// nothing. The same scripts are compared with a real Redis AOF in test/oracle/propagation.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../src/index.js';
import { encodeOps, type PropagatedOp } from '../../src/server/propagate.js';
import { useNode } from '../helpers/node.js';
import { recordStream, type StreamRecorder } from '../helpers/propagation.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/poll.js';

const T0 = 1_700_000_000_000;

describe('propagation stream', () => {
  const clock = new FakeClock(T0);
  // No save points and a directory of its own: FLUSHALL writes no dump, none is loaded.
  const dir = mkdtempSync(path.join(tmpdir(), 'shoal-prop-wire-'));
  const t = useNode({ clock, config: { save: '', dir } });
  after(() => rmSync(dir, { recursive: true, force: true }));
  let rec: StreamRecorder;

  beforeEach(async () => {
    clock.set(T0);
    await t.r('FLUSHALL');
    await t.r('CONFIG', 'SET', 'lazyfree-lazy-expire', 'no', 'lazyfree-lazy-user-del', 'no', 'default-ttl', '0');
    await t.r('SELECT', '0');
    rec?.stop();
    rec = recordStream(t.node.server);
  });

  /** Runs commands on the raw connection (each reply awaited), then returns the units recorded. */
  const run = async (...cmds: string[][]): Promise<string[][][]> => {
    for (const c of cmds) await t.r(...c);
    return rec.units();
  };

  it('is inactive without a consumer and active with one', () => {
    const prop = t.node.server.propagation;
    assert.equal(prop.active, true);
    rec.stop();
    assert.equal(prop.active, false);
    assert.equal(prop.consumers, 0);
    rec = recordStream(t.node.server);
    assert.equal(prop.active, true);
  });

  it('records nothing while nobody consumes', async () => {
    rec.stop();
    const seen: PropagatedOp[][] = [];
    await t.r('SET', 'a', '1');
    const stop = t.node.server.propagation.addConsumer((ops) => seen.push(ops.map((op) => ({ db: op.db, argv: op.argv.map((a) => Buffer.from(a)) }))));
    await t.r('SET', 'b', '2');
    stop();
    await t.r('SET', 'c', '3');
    assert.deepEqual(
      seen.map((u) => u.map((op) => op.argv.map(String))),
      [[['SET', 'b', '2']]],
    );
    rec = recordStream(t.node.server);
  });

  it("hands each unit to consumers while its arguments are still the request's", async () => {
    // Records may be views of the request: valid during the consumer's call, which encodes or
    // copies them (recordStream does both). Two pipelined requests share one read buffer.
    await Promise.all([t.r('SET', 'key', 'value'), t.r('SET', 'xyz', 'other')]);
    assert.deepEqual(rec.commands(), [['SET', 'key', 'value'], ['SET', 'xyz', 'other']]);
    assert.equal(
      rec.bytes().toString('latin1'),
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*3\r\n$3\r\nSET\r\n$3\r\nxyz\r\n$5\r\nother\r\n',
    );
  });

  it('copies a request received whole as its bytes, and encodes the rest, with the same stream', async () => {
    const seen: boolean[] = [];
    const stop = t.node.server.propagation.addConsumer((ops) => {
      for (const op of ops) seen.push(op.raw !== undefined && op.raw !== null);
    });
    const c = await RawClient.connect(t.node.port);
    try {
      // Whole in one write, pipelined, mixed case, a CRLF in a value; one whose value is not
      // followed by CRLF (accepted, as Redis does, but not copied); one cut in three writes;
      // an inline command; one whose arguments were rewritten (EXPIRE -> PEXPIREAT).
      await c.send('*3\r\n$3\r\nsEt\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$4\r\nSETX\r\n$0\r\n\r\n$0\r\n\r\n*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$4\r\nv\r\nv\r\n');
      assert.match((await c.readReply()).toString(), /^\+OK/);
      assert.match((await c.readReply()).toString(), /^-ERR unknown command 'SETX'/);
      assert.equal((await c.readReply()).toString(), ':1\r\n');
      await c.send('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\nyXY*1\r\n$4\r\nPING\r\n');
      assert.equal((await c.readReply()).toString(), '+OK\r\n');
      assert.equal((await c.readReply()).toString(), '+PONG\r\n');
      // Each piece is read on its own: the next goes once the connection's query buffer moved.
      const id = (await c.call('CLIENT', 'ID')).toString().slice(1, -2);
      const qbuf = async (): Promise<number> => Number(/ qbuf=(\d+) /.exec(await t.r('CLIENT', 'LIST', 'ID', id))?.[1] ?? -1);
      await c.send('*3\r\n$3\r\nSET\r\n$3\r\nb');
      await until(async () => (await qbuf()) > 0, { what: 'the first piece read' });
      const afterFirst = await qbuf();
      await c.send('cd\r\n$2\r\n');
      await until(async () => (await qbuf()) > afterFirst, { what: 'the second piece read' });
      await c.send('22\r\n');
      assert.equal((await c.readReply()).toString(), '+OK\r\n');
      await c.send('set c 3\r\n');
      assert.equal((await c.readReply()).toString(), '+OK\r\n');
      await c.send('*3\r\n$6\r\nEXPIRE\r\n$1\r\nc\r\n$3\r\n100\r\n');
      assert.equal((await c.readReply()).toString(), ':1\r\n');
    } finally {
      await c.close();
      stop();
    }
    assert.deepEqual(seen, [true, true, false, false, false, false]);
    assert.equal(
      rec.bytes().toString('latin1'),
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nsEt\r\n$1\r\na\r\n$1\r\n1\r\n*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$4\r\nv\r\nv\r\n' +
        '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n' +
        '*3\r\n$3\r\nSET\r\n$3\r\nbcd\r\n$2\r\n22\r\n*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\n3\r\n' +
        `*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nc\r\n$13\r\n${T0 + 100_000}\r\n`,
    );
  });

  it('makes expiry times absolute', async () => {
    const at = String(T0 + 100_000);
    const units = await run(
      ['SET', 'a', '1', 'EX', '100'],
      ['set', 'b', '1', 'px', '100000', 'nx', 'get'],
      ['SET', 'c', '1', 'EXAT', String((T0 + 100_000) / 1000)],
      ['SET', 'd', '1', 'PXAT', at, 'XX'], // XX fails: nothing
      ['SET', 'd', '1', 'PXAT', at],
      ['SETEX', 'e', '100', 'v'],
      ['PSETEX', 'f', '100000', 'v'],
      ['EXPIRE', 'a', '100'],
      ['pexpire', 'a', '100000', 'xx'],
      ['EXPIREAT', 'a', String((T0 + 100_000) / 1000), 'GT'], // not greater: nothing
      ['pexpireat', 'a', String(T0 + 200_000), 'gt'],
      ['GETEX', 'b', 'EX', '100'],
      ['GETEX', 'b', 'PXAT', at],
      ['SET', 'huge', 'v', 'PXAT', '9223372036854775807'],
    );
    assert.deepEqual(units, [
      [['SET', 'a', '1', 'PXAT', at]],
      [['SET', 'b', '1', 'PXAT', at]],
      [['SET', 'c', '1', 'PXAT', at]],
      [['SET', 'd', '1', 'PXAT', at]],
      [['SET', 'e', 'v', 'PXAT', at]],
      [['SET', 'f', 'v', 'PXAT', at]],
      [['PEXPIREAT', 'a', at]],
      [['PEXPIREAT', 'a', at, 'xx']],
      [['pexpireat', 'a', String(T0 + 200_000), 'gt']],
      [['PEXPIREAT', 'b', at]],
      [['PEXPIREAT', 'b', at]],
      [['SET', 'huge', 'v', 'PXAT', '9223372036854775807']],
    ]);
  });

  it('turns expirations in the past into deletions, and PERSIST-like options into PERSIST', async () => {
    await run(['SET', 'a', '1'], ['SET', 'b', '1', 'EX', '10'], ['SET', 'c', '1'], ['SET', 'd', '1']);
    rec.clear();
    const units = await run(
      ['EXPIRE', 'a', '-1'],
      ['GETEX', 'b', 'PERSIST'],
      ['GETEX', 'b', 'PERSIST'], // no TTL left: nothing
      ['GETEX', 'b', 'EXAT', '1'],
      ['GETDEL', 'c'],
      ['CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes', 'lazyfree-lazy-user-del', 'yes'],
      ['SET', 'a', '1'],
      ['PEXPIREAT', 'a', '1'],
      ['GETDEL', 'd'],
    );
    assert.deepEqual(units, [
      [['DEL', 'a']],
      [['PERSIST', 'b']],
      [['DEL', 'b']],
      [['DEL', 'c']],
      [['SET', 'a', '1']],
      [['UNLINK', 'a']],
      [['UNLINK', 'd']],
    ]);
  });

  it('replaces float math and random choices by their outcome', async () => {
    const units = await run(
      ['INCRBYFLOAT', 'f', '1.5'],
      ['HINCRBYFLOAT', 'h', 'x', '2.5'],
      ['SADD', 's', 'only'],
      ['SPOP', 's'],
      ['SADD', 's', 'a', 'b'],
      ['SPOP', 's', '5'],
    );
    assert.deepEqual(units, [
      [['SET', 'f', '1.5', 'KEEPTTL']],
      [['HSET', 'h', 'x', '2.5']],
      [['SADD', 's', 'only']],
      [['SREM', 's', 'only']],
      [['SADD', 's', 'a', 'b']],
      [['DEL', 's']],
    ]);
  });

  // 3 of 20: members taken one by one; then 15 of 17: the members to keep move out instead.
  it('propagates SPOP with a count as the SREMs of the members it replied, in one unit', async () => {
    const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await t.r('SADD', 's', ...members);
    for (const count of ['3', '15']) {
      rec.clear();
      const reply = await t.raw.call('SPOP', 's', count);
      const popped = [...reply.toString('latin1').matchAll(/\$\d+\r\n(m\d+)\r\n/g)].map((m) => m[1]);
      assert.equal(popped.length, Number(count));
      const [unit, ...rest] = rec.units();
      assert.equal(rest.length, 0);
      assert.deepEqual(unit, [['MULTI'], ...popped.map((m) => ['SREM', 's', m]), ['EXEC']]);
    }
  });

  it('propagates the pop a blocking or multi-key command made', async () => {
    await run(['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd']);
    rec.clear();
    const units = await run(
      ['BLPOP', 'nol', 'l', '0'],
      ['BRPOP', 'l', '0'],
      ['BLMOVE', 'l', 'd', 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', 'd', 'l', '0'],
      ['LMPOP', '2', 'nol', 'l', 'RIGHT', 'COUNT', '10'],
      ['BZPOPMIN', 'z', '0'],
      ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '2'],
      ['BZMPOP', '0', '1', 'z', 'MIN'],
      ['LPOP', 'l', '0'], // nothing
    );
    assert.deepEqual(units, [
      [['LPOP', 'l']],
      [['RPOP', 'l']],
      [['LMOVE', 'l', 'd', 'LEFT', 'RIGHT']],
      [['RPOPLPUSH', 'd', 'l']],
      [['RPOP', 'l', '3']],
      [['ZPOPMIN', 'z']],
      [['ZPOPMAX', 'z', '2']],
      [['ZPOPMIN', 'z', '1']],
    ]);
  });

  it('serves blocked clients as units of their own, after the command that woke them', async () => {
    const b = await RawClient.connect(t.node.port);
    try {
      const waitBlocked = async (n: number): Promise<void> => {
        for (let i = 0; i < 500; i++) {
          if (t.node.server.blocking.blockedClients === n) return;
          await new Promise((r) => setImmediate(r));
        }
        assert.fail(`never ${n} blocked clients`);
      };
      const served: [string[], string[][]][] = [
        [['BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0'], [['LMOVE', 'src', 'dst', 'right', 'left']]],
        [['BRPOPLPUSH', 'src', 'dst', '0'], [['RPOPLPUSH', 'src', 'dst']]],
        [['BLMPOP', '0', '1', 'src', 'LEFT', 'COUNT', '5'], [['LPOP', 'src', '2']]],
      ];
      for (const [cmd, expected] of served) {
        await t.r('DEL', 'src', 'dst');
        rec.clear();
        await b.command(...cmd);
        await waitBlocked(1);
        await t.r('RPUSH', 'src', 'x', 'y');
        await b.readReply();
        assert.deepEqual(rec.units(), [[['RPUSH', 'src', 'x', 'y']], expected], cmd.join(' '));
      }
      // A blocked client of another database; a transaction that wakes one.
      await t.r('FLUSHALL');
      rec.clear();
      await b.call('SELECT', '3');
      await b.command('BZPOPMAX', 'z', '0');
      await waitBlocked(1);
      await t.r('SELECT', '3');
      await t.r('MULTI');
      await t.r('ZADD', 'z', '1', 'a');
      await t.r('ZADD', 'z', '2', 'b');
      await t.r('EXEC');
      await b.readReply();
      assert.deepEqual(rec.units(), [
        [['MULTI'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', '2', 'b'], ['EXEC']],
        [['ZPOPMAX', 'z']],
      ]);
      assert.deepEqual(rec.batches.flat().map((op) => op.db), [3, 3, 3, 3, 3]);
    } finally {
      await b.close();
    }
  });

  it('wraps a transaction in MULTI/EXEC only when it propagates more than one record', async () => {
    const units = await run(
      ['MULTI'], ['SET', 'a', '1'], ['GET', 'a'], ['EXEC'],
      ['MULTI'], ['GET', 'a'], ['EXEC'],
      ['MULTI'], ['SET', 'a', '2'], ['SELECT', '2'], ['SET', 'b', '3'], ['EXEC'],
      ['SELECT', '0'],
    );
    assert.deepEqual(units, [
      [['SET', 'a', '1']],
      [['MULTI'], ['SET', 'a', '2'], ['SET', 'b', '3'], ['EXEC']],
    ]);
    // MULTI carries the first record's database, EXEC the last one's: one SELECT, inside.
    assert.deepEqual(rec.batches[1].map((op) => op.db), [0, 0, 2, 2]);
    assert.equal(
      rec.bytes().toString('latin1'),
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n' +
        '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n' +
        '*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n3\r\n*1\r\n$4\r\nEXEC\r\n',
    );
  });

  it('records nothing for writes that change nothing', async () => {
    await run(['SET', 'k', 'v'], ['SADD', 's', 'a'], ['RPUSH', 'l', 'x']);
    rec.clear();
    const units = await run(
      ['DEL', 'missing'],
      ['SADD', 's', 'a'],
      ['SREM', 's', 'zzz'],
      ['EXPIRE', 'missing', '10'],
      ['PERSIST', 'k'],
      ['GETEX', 'k', 'PERSIST'],
      ['SET', 'k', 'v', 'NX'],
      ['LPOP', 'missing'],
      ['SPOP', 's', '0'],
      ['RENAMENX', 'k', 'l'],
      ['INCR', 'l'], // WRONGTYPE
      ['HSETNX', 'missing-hash', 'f', 'v'],
      ['HSETNX', 'missing-hash', 'f', 'w'],
    );
    assert.deepEqual(units, [[['HSETNX', 'missing-hash', 'f', 'v']]]);
  });

  // Redis 7.0 grows the string here and propagates nothing, so its replicas and AOF miss the
  // new length (redis/redis#15599, fixed upstream by #15699): Shoal propagates the growth.
  it('propagates a BITFIELD that created or grew its string even when OVERFLOW FAIL refused every write', async () => {
    await run(['SET', 'short', '0']);
    rec.clear();
    const dirty = async (): Promise<number> => Number(/rdb_changes_since_last_save:(\d+)/.exec(String(await t.r('INFO', 'persistence')))?.[1]);
    const before = await dirty();
    const created = ['BITFIELD', 'created', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '300'];
    const grown = ['BITFIELD', 'short', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '10', '100', 'SET', 'u8', '#1', '271'];
    const neither = ['BITFIELD', 'short', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '300'];
    assert.equal(await t.r(...created), '*1\r\n$-1\r\n');
    assert.equal(await t.r(...grown), '*2\r\n$-1\r\n$-1\r\n');
    assert.equal(await t.r(...neither), '*1\r\n$-1\r\n');
    assert.deepEqual(rec.units(), [[created], [grown]]);
    assert.equal(await dirty(), before + 2, 'one change each for the created and the grown string');
    assert.equal(await t.r('STRLEN', 'created'), ':1\r\n');
    assert.equal(await t.r('GET', 'short'), '$2\r\n0\u0000\r\n');
  });

  it('propagates FLUSHDB and FLUSHALL even on empty databases, and database commands as they came', async () => {
    const units = await run(
      ['FLUSHDB'],
      ['FLUSHALL'],
      ['SET', 'a', '1'],
      ['SWAPDB', '0', '1'],
      ['SELECT', '1'],
      ['MOVE', 'a', '2'],
      ['SELECT', '2'],
      ['COPY', 'a', 'b', 'DB', '5'],
      ['RENAME', 'a', 'c'],
      ['FLUSHDB', 'BOGUS'], // a syntax error: nothing
    );
    assert.deepEqual(units, [
      [['FLUSHDB']],
      [['FLUSHALL']],
      [['SET', 'a', '1']],
      [['SWAPDB', '0', '1']],
      [['MOVE', 'a', '2']],
      [['COPY', 'a', 'b', 'DB', '5']],
      [['RENAME', 'a', 'c']],
    ]);
    assert.deepEqual(rec.batches.flat().map((op) => op.db), [0, 0, 0, 0, 1, 2, 2]);
  });

  it('deletes lazily expired keys: alone for a read, in the unit of a write', async () => {
    // The cron's active expiry must not take these keys first (its timer keeps running).
    const srv = t.node.server;
    srv.activeExpireEnabled = false;
    try {
      await run(['SET', 'a', '1', 'PX', '10'], ['SET', 'b', '1', 'PX', '10'], ['SET', 'c', '1', 'PX', '10']);
      clock.advance(20);
      rec.clear();
      await t.r('CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes');
      const units = await run(['GET', 'a'], ['SET', 'b', '2', 'KEEPTTL'], ['MULTI'], ['GET', 'c'], ['EXEC']);
      assert.deepEqual(units, [
        [['UNLINK', 'a']],
        [['MULTI'], ['UNLINK', 'b'], ['SET', 'b', '2', 'KEEPTTL'], ['EXEC']],
        [['UNLINK', 'c']],
      ]);
    } finally {
      srv.activeExpireEnabled = true;
    }
  });

  it('deletes actively expired keys one unit each', async () => {
    for (let i = 0; i < 5; i++) await t.r('SET', `k${i}`, 'v', 'PX', '10');
    await t.r('SET', 'keep', 'v');
    rec.clear();
    clock.advance(20);
    for (let i = 0; i < 20 && rec.batches.length < 5; i++) t.node.server.cron();
    const units = rec.units();
    assert.equal(units.length, 5);
    for (const u of units) assert.equal(u.length, 1);
    assert.deepEqual(units.map((u) => u[0]).sort(), [0, 1, 2, 3, 4].map((i) => ['DEL', `k${i}`]));
  });

  it('deletes evicted keys one unit each, UNLINK under lazyfree-lazy-eviction', async () => {
    const io = t.node.server;
    try {
      await run(['SET', 'a', '1'], ['SET', 'b', '2']);
      rec.clear();
      await t.r('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
      await t.r('CONFIG', 'SET', 'maxmemory', '1');
      const reply = await t.r('SET', 'c', '3');
      assert.match(reply, /^-OOM/);
      await t.r('CONFIG', 'SET', 'maxmemory', '0', 'lazyfree-lazy-eviction', 'yes');
      assert.deepEqual(rec.units().map((u) => u[0]).sort(), [['DEL', 'a'], ['DEL', 'b']]);
      assert.ok(rec.units().every((u) => u.length === 1));
      rec.clear();
      await t.r('SET', 'd', '4');
      await t.r('CONFIG', 'SET', 'maxmemory', '1');
      await t.r('SET', 'c', '3');
      assert.deepEqual(rec.units(), [[['SET', 'd', '4']], [['UNLINK', 'd']]]);
    } finally {
      await t.r('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'lazyfree-lazy-eviction', 'no');
      assert.equal(io.evictor.maxmemory, 0);
    }
  });

  it('follows a write given a default TTL with its PEXPIREAT', async () => {
    await t.r('SET', 'plain', '1');
    await t.r('CONFIG', 'SET', 'default-ttl', '100');
    rec.clear();
    const at = String(T0 + 100_000);
    const units = await run(
      ['SET', 'a', '1'],
      ['SET', 'b', '1', 'EX', '5'],
      ['HSET', 'h', 'f', 'v'],
      ['HSET', 'h', 'g', 'v'], // the key exists: nothing added
      ['COPY', 'b', 'b2'], // the copy takes the source's TTL
      ['COPY', 'plain', 'p2', 'DB', '4'], // a source without TTL: the copy gets the default
    );
    assert.deepEqual(units, [
      [['MULTI'], ['SET', 'a', '1'], ['PEXPIREAT', 'a', at], ['EXEC']],
      [['SET', 'b', '1', 'PXAT', String(T0 + 5000)]],
      [['MULTI'], ['HSET', 'h', 'f', 'v'], ['PEXPIREAT', 'h', at], ['EXEC']],
      [['HSET', 'h', 'g', 'v']],
      [['COPY', 'b', 'b2']],
      [['MULTI'], ['COPY', 'plain', 'p2', 'DB', '4'], ['PEXPIREAT', 'p2', at], ['EXEC']],
    ]);
    assert.deepEqual(rec.batches[5].map((op) => op.db), [0, 0, 4, 4]);
  });
});

describe('encodeOps', () => {
  it('emits SELECT only when the database changes, per consumer state', () => {
    const op = (db: number, ...args: string[]): PropagatedOp => ({ db, argv: args.map((a) => Buffer.from(a)) });
    const state = { selectedDb: 0 };
    const first = encodeOps([op(0, 'SET', 'a', '1'), op(9, 'DEL', 'a')], state);
    assert.equal(first.toString(), '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n');
    assert.equal(state.selectedDb, 9);
    const second = encodeOps([op(9, 'PING'), op(12, 'X', '')], state);
    assert.equal(second.toString(), '*1\r\n$4\r\nPING\r\n*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*2\r\n$1\r\nX\r\n$0\r\n\r\n');
    const bin = encodeOps([{ db: 12, argv: [Buffer.from([0, 13, 10, 255])] }], state);
    assert.deepEqual(bin, Buffer.concat([Buffer.from('*1\r\n$4\r\n'), Buffer.from([0, 13, 10, 255]), Buffer.from('\r\n')]));
  });
});
