// Replication as a client sees it, Shoal beside redis-server 7.0 in the same states: a master
// with one online replica, and that replica. INFO replication lists the same fields in the
// same order with the same structural values; ROLE has the same shape; the replica refuses
// writes with the same -READONLY, keeps writes local under replica-read-only no, answers
// -MASTERDOWN under replica-serve-stale-data no while its link is down, refuses WAIT; REPLICAOF
// answers and errors byte for byte.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RawClient } from '../helpers/raw-client.js';
import { startServer, type RunningServer } from '../helpers/node.js';
import { freePort, requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';
import { until } from '../helpers/poll.js';

const text = (b: Buffer): string => b.toString('latin1');

/** INFO replication as [name, value] pairs, in order. */
async function replInfo(c: RawClient): Promise<Array<[string, string]>> {
  const body = text(await c.call('INFO', 'replication'));
  return body
    .split('\r\n')
    .filter((l) => l.includes(':'))
    .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]);
}

/** Field names, with slaveN lines' own field names (Shoal's two extra ones left out). */
function shape(fields: Array<[string, string]>): string[] {
  return fields.map(([k, v]) =>
    /^slave\d+$/.test(k)
      ? `${k}{${v
          .split(',')
          .map((p) => p.split('=')[0])
          .filter((n) => n !== 'lag_bytes' && n !== 'lag_ms')
          .join(',')}}`
      : k,
  );
}

const STRUCTURAL = [
  'role', 'connected_slaves', 'master_host', 'master_link_status', 'master_sync_in_progress', 'slave_priority',
  'slave_read_only', 'replica_announced', 'master_failover_state', 'second_repl_offset', 'repl_backlog_active',
  'repl_backlog_size', 'master_replid2',
];

interface Pair {
  master: RawClient;
  replica: RawClient;
  masterPort: number;
}

describe('replication against redis-server', { skip: requireRedis() }, () => {
  let dir: string;
  const redis: RedisInstance[] = [];
  const shoal: RunningServer[] = [];
  const clients: RawClient[] = [];
  const sides: Record<'shoal' | 'redis', Pair> = {} as Record<'shoal' | 'redis', Pair>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoal-repl-oracle-'));
    const rm = await startRedis(['--dir', mkdtempSync(path.join(dir, 'rm-')), '--repl-diskless-sync-delay', '0']);
    assert.ok(rm !== null);
    redis.push(rm);
    const rr = await startRedis(['--dir', mkdtempSync(path.join(dir, 'rr-')), '--replicaof', '127.0.0.1', String(rm.port)]);
    assert.ok(rr !== null);
    redis.push(rr);
    const sm = await startServer({ config: { port: '0', dir: mkdtempSync(path.join(dir, 'sm-')), 'repl-diskless-sync-delay': '0' } });
    shoal.push(sm);
    const sr = await startServer({ config: { port: '0', dir: mkdtempSync(path.join(dir, 'sr-')), replicaof: `127.0.0.1 ${sm.port}` } });
    shoal.push(sr);
    for (const [name, m, r] of [
      ['redis', rm.port, rr.port],
      ['shoal', sm.port, sr.port],
    ] as const) {
      const master = await RawClient.connect(m);
      const replica = await RawClient.connect(r);
      clients.push(master, replica);
      sides[name] = { master, replica, masterPort: m };
    }
    for (const p of Object.values(sides)) {
      await until(async () => (await replInfo(p.master)).some(([k, v]) => k === 'slave0' && v.includes('state=online')), {
        what: 'a replica online',
        ms: 20_000,
      });
      await p.master.call('SET', 'k', 'v');
      await until(async () => text(await p.replica.call('GET', 'k')) === '$1\r\nv\r\n', { what: 'the stream', ms: 20_000 });
    }
  });
  after(async () => {
    for (const c of clients) await c.close();
    for (const s of shoal) await s.close();
    for (const r of redis) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs f on both sides; returns [shoal, redis]. */
  async function both<T>(f: (p: Pair) => Promise<T>): Promise<[T, T]> {
    return [await f(sides.shoal), await f(sides.redis)];
  }

  it('INFO replication: the same fields in the same order, on the master and on the replica', async () => {
    for (const which of ['master', 'replica'] as const) {
      const [s, r] = await both((p) => replInfo(p[which]));
      assert.deepEqual(shape(s), shape(r), which);
      for (const name of STRUCTURAL) {
        const sv = s.find(([k]) => k === name)?.[1];
        const rv = r.find(([k]) => k === name)?.[1];
        assert.equal(sv, rv, `${which} ${name}`);
      }
    }
  });

  it('ROLE: the same shape on both', async () => {
    const [sm, rm] = await both(async (p) => text(await p.master.call('ROLE')).replace(/\d+/g, 'N').replace(/127\.0\.0\.1/g, 'IP'));
    assert.equal(sm, rm);
    const [sr, rr] = await both(async (p) => text(await p.replica.call('ROLE')).replace(/:\d+/g, ':N'));
    assert.equal(sr.replace(/\$\d+\r\n\d+\r\n/, ''), rr.replace(/\$\d+\r\n\d+\r\n/, ''));
  });

  it('WAIT blocks as a blocked client: counted in INFO clients, released by CLIENT UNBLOCK', async () => {
    const [s, r] = await both(async (p) => {
      const port = p.masterPort;
      const out: string[] = [];
      for (const [timeout, reason] of [['0', 'TIMEOUT'], ['5000', 'ERROR']]) {
        const w = await RawClient.connect(port);
        clients.push(w);
        const id = text(await w.call('CLIENT', 'ID')).slice(1, -2);
        await w.command('WAIT', '2', timeout); // one replica: never enough
        await until(async () => /blocked_clients:1\r\n/.test(text(await p.master.call('INFO', 'clients'))), { what: 'WAIT blocked' });
        // The replica's answer to WAIT's GETACK is in before the unblock (the reply counts it).
        await until(
          async () => {
            const repl = text(await p.master.call('INFO', 'replication'));
            return /slave0:.*offset=(\d+)/.exec(repl)?.[1] === /master_repl_offset:(\d+)/.exec(repl)?.[1];
          },
          { what: 'the replica acknowledged' },
        );
        const info = text(await p.master.call('INFO', 'clients'));
        out.push(/clients_in_timeout_table:\d+/.exec(info)?.[0] ?? '');
        out.push(text(await p.master.call('CLIENT', 'UNBLOCK', id, reason)));
        out.push(text(await w.readReply()));
        out.push(text(await p.master.call('CLIENT', 'UNBLOCK', id)));
      }
      return out;
    });
    assert.deepEqual(s, r);
    assert.deepEqual(s.slice(1, 4), [':1\r\n', ':1\r\n', ':0\r\n']); // released with the ack count; then not blocked
  });

  it('a read-only replica refuses writes, serves reads, refuses WAIT', async () => {
    for (const cmd of [['SET', 'x', '1'], ['DEL', 'k'], ['INCR', 'n'], ['GET', 'k'], ['WAIT', '1', '0'], ['EXISTS', 'k']]) {
      const [s, r] = await both(async (p) => text(await p.replica.call(...cmd)));
      assert.equal(s, r, cmd.join(' '));
    }
    const [s, r] = await both(async (p) => {
      await p.replica.call('MULTI');
      const queued = text(await p.replica.call('SET', 'x', '1'));
      return queued + text(await p.replica.call('EXEC'));
    });
    assert.equal(s, r);
  });

  it('replica-read-only no: writes stay local, the master never sees them', async () => {
    const [s, r] = await both(async (p) => {
      await p.replica.call('CONFIG', 'SET', 'replica-read-only', 'no');
      const out = text(await p.replica.call('SET', 'local', '1')) + text(await p.replica.call('GET', 'local'));
      await p.master.call('SET', 'after-local', '1');
      await until(async () => text(await p.replica.call('GET', 'after-local')) === '$1\r\n1\r\n', { what: 'the stream' });
      const onMaster = text(await p.master.call('EXISTS', 'local'));
      await p.replica.call('CONFIG', 'SET', 'replica-read-only', 'yes');
      return out + onMaster;
    });
    assert.equal(s, '+OK\r\n$1\r\n1\r\n:0\r\n');
    assert.equal(s, r);
  });

  it('a diskless full sync in progress is an RDB save: INFO persistence, BGSAVE and BGSAVE SCHEDULE', async () => {
    const persistence = async (c: RawClient, name: string): Promise<string> =>
      new RegExp(`^${name}:(.*)\r$`, 'm').exec(text(await c.call('INFO', 'persistence')))?.[1] ?? '?';
    const seen = await both(async (p) => {
      const args: string[] = ['MSET'];
      for (let i = 0; i < 2000; i++) args.push(`dl:${i}`, 'x');
      assert.equal(text(await p.master.call('SELECT', '7')), '+OK\r\n');
      assert.equal(text(await p.master.call(...args)), '+OK\r\n');
      assert.equal(text(await p.master.call('CONFIG', 'SET', 'rdb-key-save-delay', '2000')), '+OK\r\n');
      const r = await RawClient.connect(p.masterPort);
      try {
        assert.equal(text(await r.call('REPLCONF', 'capa', 'eof')), '+OK\r\n');
        await r.command('PSYNC', '?', '-1');
        assert.match(text(await r.readThrough('\r\n')), /^\+FULLRESYNC /);
        await until(async () => (await persistence(p.master, 'current_save_keys_total')) !== '0', { what: 'the walk' });
        return [
          await persistence(p.master, 'rdb_bgsave_in_progress'),
          (await persistence(p.master, 'rdb_current_bgsave_time_sec')) === '-1' ? 'no save time' : 'a save time',
          text(await p.master.call('BGSAVE')),
          text(await p.master.call('BGSAVE', 'SCHEDULE')),
        ];
      } finally {
        await r.close();
        assert.equal(text(await p.master.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')), '+OK\r\n');
        await until(async () => (await persistence(p.master, 'rdb_bgsave_in_progress')) === '0', { what: 'the sync abandoned', ms: 20_000 });
        assert.equal(text(await p.master.call('FLUSHDB')), '+OK\r\n');
        assert.equal(text(await p.master.call('SELECT', '0')), '+OK\r\n');
      }
    });
    assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(seen[0], ['1', 'a save time', '-ERR Background save already in progress\r\n', '-ERR Background save already in progress\r\n']);
  });

  it('INFO replication of a replica in a full sync with an EOF-marked payload: no size, bytes read, left negative', async () => {
    const field = (body: string, name: string): string => new RegExp(`^${name}:(.*)\r$`, 'm').exec(body)?.[1] ?? '?';
    const sync = (body: string): string[] =>
      ['master_sync_in_progress', 'master_sync_total_bytes', 'master_sync_read_bytes', 'master_sync_left_bytes', 'master_sync_perc'].map((n) => field(body, n));
    const seen = await both(async (p) => {
      // Values LZF cannot shrink, so that both masters' output buffers (Redis's child 16 KB,
      // Shoal's writer 64 KB) fill and go out long before the 5 s walk ends.
      const args: string[] = ['MSET'];
      for (let i = 0; i < 10_000; i++) args.push(`fs:${i}`, randomBytes(50).toString('hex'));
      assert.equal(text(await p.master.call('SELECT', '7')), '+OK\r\n');
      assert.equal(text(await p.master.call(...args)), '+OK\r\n');
      assert.equal(text(await p.master.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '1')), '+OK\r\n');
      assert.equal(text(await p.master.call('CONFIG', 'SET', 'rdb-key-save-delay', '500')), '+OK\r\n');
      const isShoal = p === sides.shoal;
      const sub = mkdtempSync(path.join(dir, 'fs-'));
      const node = isShoal
        ? await startServer({ config: { port: '0', dir: sub, replicaof: `127.0.0.1 ${p.masterPort}` } })
        : await startRedis(['--dir', sub, '--replicaof', '127.0.0.1', String(p.masterPort)]);
      assert.ok(node !== null);
      const c = await RawClient.connect(node.port);
      try {
        // (Before the payload's first bytes the two differ by design: Redis's $EOF: header
        // leaves with the first buffer of its child's output, Shoal's at once.)
        // The master waits 1 s (repl-diskless-sync-delay) before it starts.
        // Payload bytes arriving (EOF-marked: no size).
        let during: string[] = [];
        await until(
          async () => {
            during = sync(text(await c.call('INFO', 'replication')));
            return Number(during[2]) > 0;
          },
          { what: 'payload bytes', ms: 10_000, every: 20 },
        );
        return [during[0], during[1], Number(during[3]) === -Number(during[2]) ? 'left = -read' : `left ${during[3]}`, during[4]];
      } finally {
        await c.close();
        if (isShoal) await (node as RunningServer).close();
        else await (node as RedisInstance).stop();
        assert.equal(text(await p.master.call('CONFIG', 'SET', 'rdb-key-save-delay', '0')), '+OK\r\n');
        assert.equal(text(await p.master.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0')), '+OK\r\n');
        await until(async () => field(text(await p.master.call('INFO', 'persistence')), 'rdb_bgsave_in_progress') === '0', { what: 'the sync over', ms: 20_000 });
        assert.equal(text(await p.master.call('FLUSHDB')), '+OK\r\n');
        assert.equal(text(await p.master.call('SELECT', '0')), '+OK\r\n');
      }
    });
    assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(seen[0], ['1', '0', 'left = -read', '0.00']);
  });

  it('SAVE counts in rdb_saves', async () => {
    const saves = async (c: RawClient): Promise<number> => Number(/^rdb_saves:(\d+)\r$/m.exec(text(await c.call('INFO', 'persistence')))?.[1]);
    const [s, r] = await both(async (p) => {
      const before = await saves(p.master);
      assert.equal(text(await p.master.call('SAVE')), '+OK\r\n');
      return (await saves(p.master)) - before;
    });
    assert.equal(s, r);
    assert.equal(s, 1);
  });

  it('REPLICAOF replies and errors', async () => {
    const port = String(await freePort());
    for (const cmd of [
      ['REPLICAOF', '127.0.0.1', 'notaport'],
      ['REPLICAOF', 'NO', 'TWO'],
      ['SLAVEOF', '127.0.0.1', '-1'],
      ['REPLICAOF', '127.0.0.1', '65536'],
      ['REPLICAOF', '127.0.0.1', '1.5'],
      ['REPLICAOF', '127.0.0.1'],
    ]) {
      const [s, r] = await both(async (p) => text(await p.replica.call(...cmd)));
      assert.equal(s, r, cmd.join(' '));
    }
    const [s, r] = await both(async (p) => text(await p.replica.call('REPLICAOF', '127.0.0.1', String(p.masterPort))));
    assert.equal(s, r);
    assert.equal(s, '+OK Already connected to specified master\r\n');
    // The link down, with replica-serve-stale-data no: -MASTERDOWN for data, INFO still served.
    const [s2, r2] = await both(async (p) => {
      await p.replica.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
      const moved = text(await p.replica.call('REPLICAOF', '127.0.0.1', port));
      await until(async () => (await replInfo(p.replica)).some(([k, v]) => k === 'master_link_status' && v === 'down'), { what: 'the link down' });
      const get = text(await p.replica.call('GET', 'k'));
      const ping = text(await p.replica.call('PING'));
      const role = (await replInfo(p.replica)).find(([k]) => k === 'role')?.[1];
      await p.replica.call('CONFIG', 'SET', 'replica-serve-stale-data', 'yes');
      const stale = text(await p.replica.call('GET', 'k'));
      const promoted = text(await p.replica.call('REPLICAOF', 'NO', 'ONE'));
      const write = text(await p.replica.call('SET', 'k', 'mine'));
      return [moved, get, ping, role, stale, promoted, write].join('|');
    });
    assert.equal(s2, r2);
  });
});
