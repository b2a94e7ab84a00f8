// Oracle tests for maxmemory where the replies are deterministic: the OOM error of denyoom
// commands (noeviction, or nothing left to evict), its effects on MULTI / EXEC, CONFIG SET /
// GET of the eviction parameters, eviction down to nothing under maxmemory 1 (every key, or
// only the volatile ones), the "evicted" keyspace event, WATCH broken by an eviction, OBJECT
// FREQ / IDLETIME under each policy, and the INFO fields. Replies byte for byte against
// redis-server 7.0.
//
// "maxmemory 1" puts both servers over the limit whatever their real usage, so the outcome
// does not depend on how either counts its memory. Eviction amounts under a realistic limit
// are covered by test/wire/eviction.test.ts.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const RESET: Step[] = [
  ['CONFIG', 'SET', 'maxmemory', '0'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
];
const INFO_LINE = (name: string) => (raw: string): string => new RegExp(`^${name}:.*$`, 'm').exec(raw)?.[0] ?? `(no ${name})`;

withOracle('oracle: maxmemory', (o) => {
  it('CONFIG SET / GET of the eviction parameters and their errors', () =>
    o.compare([
      { cmd: ['CONFIG', 'GET', 'maxmemory*'], sort: true },
      ['CONFIG', 'GET', 'lazyfree-lazy-eviction'],
      ...['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'].flatMap(
        (p): Step[] => [['CONFIG', 'SET', 'maxmemory-policy', p.toUpperCase()], ['CONFIG', 'GET', 'maxmemory-policy']],
      ),
      ['CONFIG', 'SET', 'maxmemory-policy', 'lru'],
      ['CONFIG', 'SET', 'maxmemory-policy', ''],
      ['CONFIG', 'SET', 'maxmemory-samples', '0'],
      ['CONFIG', 'SET', 'maxmemory-samples', '10'],
      ['CONFIG', 'GET', 'maxmemory-samples'],
      ['CONFIG', 'SET', 'maxmemory-samples', '5'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '101'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '-1'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '100'],
      ['CONFIG', 'GET', 'maxmemory-eviction-tenacity'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '10'],
      ['CONFIG', 'SET', 'lazyfree-lazy-eviction', 'yes'],
      ['CONFIG', 'GET', 'lazyfree-lazy-eviction'],
      ['CONFIG', 'SET', 'lazyfree-lazy-eviction', 'no'],
      ['CONFIG', 'SET', 'maxmemory', '-1'],
      ['CONFIG', 'SET', 'maxmemory', '10xb'],
      ['CONFIG', 'SET', 'maxmemory', '100mb'],
      ['CONFIG', 'GET', 'maxmemory'],
      { cmd: ['INFO', 'memory'], normalize: INFO_LINE('maxmemory') },
      { cmd: ['INFO', 'memory'], normalize: INFO_LINE('maxmemory_human') },
      { cmd: ['INFO', 'memory'], normalize: INFO_LINE('maxmemory_policy') },
      ...RESET,
    ]));

  it('noeviction over the limit: denyoom commands answer OOM, the others run', () =>
    o.compare([
      ...RESET,
      ['SET', 'a', '1'],
      ['RPUSH', 'l', 'x', 'y'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'b', '2'],
      ['SET', 'a', '2'],
      ['INCR', 'a'],
      ['APPEND', 'a', 'x'],
      ['SETRANGE', 'a', '0', 'x'],
      ['SETBIT', 'bits', '1', '1'],
      ['MSET', 'x', '1', 'y', '2'],
      ['LPUSH', 'l', 'z'],
      ['LINSERT', 'l', 'BEFORE', 'x', 'w'],
      ['HSET', 'h', 'f', 'v'],
      ['SADD', 's', 'm'],
      ['ZADD', 'z', '1', 'm'],
      ['COPY', 'a', 'a2'],
      ['SORT', 'l', 'ALPHA', 'STORE', 'dst'],
      ['GET', 'a'],
      ['LRANGE', 'l', '0', '-1'],
      ['EXPIRE', 'a', '100'],
      ['PERSIST', 'a'],
      ['RENAME', 'a', 'a3'],
      ['LPOP', 'l'],
      ['DEL', 'a3'],
      ['DBSIZE'],
      ['PING'],
      ['ECHO', 'x'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['SET', 'b', '2'],
      ['CLIENT', 'NO-EVICT', 'off'],
      { cmd: ['INFO', 'errorstats'], normalize: INFO_LINE('errorstat_OOM') },
      { cmd: ['INFO', 'commandstats'], normalize: (raw: string) => (/^cmdstat_set:.*$/m.exec(raw)?.[0] ?? '').replace(/usec=\d+,usec_per_call=[\d.]+,/, '') },
      { cmd: ['INFO', 'stats'], normalize: INFO_LINE('evicted_keys') },
      { cmd: ['INFO', 'stats'], match: /\r\ntotal_eviction_exceeded_time:\d+\r\ncurrent_eviction_exceeded_time:\d+\r\n/ },
      ...RESET,
      ['SET', 'b', '2'],
    ]));

  it('over the limit inside MULTI: anything queued is refused, EXEC then aborts', () =>
    o.compare([
      ...RESET,
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['MULTI'],
      ['GET', 'a'],
      ['PING'],
      ['SET', 'a', '1'],
      ['EXEC'],
      ['MULTI'],
      ['DISCARD'],
      ['MULTI'],
      ['MULTI'],
      ['WATCH', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['EXEC'],
      ...RESET,
    ]));

  it('EXEC of a queue holding a denyoom command aborts once memory went over the limit', () =>
    o.compare([
      ...RESET,
      ['MULTI'],
      ['SET', 'a', '1'],
      ['GET', 'a'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '1'], conn: 1 },
      ['EXEC'],
      ['GET', 'a'],
      ['MULTI'],
      ['GET', 'a'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '0'], conn: 1 },
      ['EXEC'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '1'], conn: 1 },
      ['MULTI'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '0'], conn: 1 },
      ['GET', 'a'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '1'], conn: 1 },
      ['EXEC'],
      ['EXEC'],
      ...RESET,
    ]));

  it('allkeys policies evict every key, in every database, then answer OOM', async () => {
    for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
      await o.compare([
        ...RESET,
        ['MSET', 'a', '1', 'b', '2', 'c', '3'],
        ['SET', 'e', 'x', 'EX', '100'],
        ['HSET', 'h', 'f', 'v'],
        ['RPUSH', 'l', '1', '2'],
        ['SADD', 's', 'a', 'b'],
        ['ZADD', 'z', '1', 'a'],
        ['SELECT', '9'],
        ['SET', 'in9', 'v'],
        ['SELECT', '0'],
        ['CONFIG', 'SET', 'maxmemory-policy', policy],
        ['CONFIG', 'SET', 'maxmemory', '1'],
        ['DBSIZE'],
        ['SELECT', '9'],
        ['DBSIZE'],
        ['SELECT', '0'],
        ['EXISTS', 'a', 'b', 'c', 'e', 'h', 'l', 's', 'z'],
        ['SET', 'new', 'v'],
        ['GET', 'new'],
        { cmd: ['INFO', 'stats'], normalize: INFO_LINE('evicted_keys'), note: policy },
        { cmd: ['INFO', 'keyspace'] },
        ...RESET,
      ]);
    }
  });

  it('volatile policies evict only keys with a TTL, then answer OOM', async () => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      await o.compare([
        ...RESET,
        ['SET', 'p1', '1'],
        ['HSET', 'p2', 'f', 'v'],
        ['SET', 'v1', 'x', 'EX', '100'],
        ['SET', 'v2', 'x', 'PX', '500000'],
        ['RPUSH', 'v3', 'a'],
        ['EXPIRE', 'v3', '1000'],
        ['CONFIG', 'SET', 'maxmemory-policy', policy],
        ['CONFIG', 'SET', 'maxmemory', '1'],
        ['DBSIZE'],
        ['EXISTS', 'p1', 'p2'],
        ['EXISTS', 'v1', 'v2', 'v3'],
        ['SET', 'v4', 'x', 'EX', '10'],
        ['DEL', 'p1'],
        ['DBSIZE'],
        { cmd: ['INFO', 'stats'], normalize: INFO_LINE('evicted_keys'), note: policy },
        ...RESET,
      ]);
    }
  });

  it('an eviction raises the "evicted" keyspace event and breaks WATCH', () =>
    o.compare([
      ...RESET,
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEe'],
      { cmd: ['SUBSCRIBE', '__keyevent@0__:evicted', '__keyspace@0__:gone'], conn: 1, replies: 2 },
      ['SET', 'gone', 'v'],
      ['WATCH', 'gone'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      { cmd: ['CONFIG', 'SET', 'maxmemory', '1'], conn: 2 },
      { cmd: ['DBSIZE'], conn: 2 },
      { cmd: 'PING\r\n', conn: 1, replies: 3 },
      { cmd: ['CONFIG', 'SET', 'maxmemory', '0'], conn: 2 },
      ['MULTI'],
      ['SET', 'x', '1'],
      ['EXEC'],
      ['EXISTS', 'x'],
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ...RESET,
    ]));

  it('OBJECT FREQ and IDLETIME under each policy', async () => {
    for (const policy of ['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-random', 'volatile-ttl']) {
      await o.compare([
        ['CONFIG', 'SET', 'maxmemory-policy', policy],
        ['SET', 'k', 'v'],
        ['OBJECT', 'IDLETIME', 'k'],
        ['OBJECT', 'FREQ', 'k'],
        ['OBJECT', 'FREQ', 'nokey'],
      ]);
    }
    for (const policy of ['allkeys-lfu', 'volatile-lfu']) {
      await o.compare([
        ['CONFIG', 'SET', 'maxmemory-policy', policy],
        ['SET', 'k', 'v'],
        ['OBJECT', 'FREQ', 'k'],
        ['OBJECT', 'IDLETIME', 'k'],
        ['HSET', 'h', 'f', 'v'],
        ['OBJECT', 'FREQ', 'h'],
      ]);
    }
    await o.compare(RESET);
  });

  it('INFO: the eviction fields in Redis order', () =>
    o.compare([
      { cmd: ['INFO', 'stats'], match: /\r\nexpire_cycle_cpu_milliseconds:\d+\r\nevicted_keys:\d+\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:\d+\r\ncurrent_eviction_exceeded_time:\d+\r\nkeyspace_hits:/ },
      { cmd: ['INFO', 'memory'], match: /\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n/ },
      { cmd: ['INFO', 'memory'], match: /\r\nmem_fragmentation_bytes:-?\d+\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n/ },
    ]));
});

withOracle('oracle: maxmemory from the configuration', { config: { maxmemory: '1', 'maxmemory-policy': 'volatile-ttl' } }, (o) => {
  it('a node started over its limit refuses writes from the first command', () =>
    o.compare(
      [
        ['SET', 'a', '1'],
        ['GET', 'a'],
        ['CONFIG', 'GET', 'maxmemory'],
        ['CONFIG', 'GET', 'maxmemory-policy'],
        ['CONFIG', 'SET', 'maxmemory', '0'],
        ['SET', 'a', '1', 'EX', '100'],
        ['SET', 'b', '1'],
        ['CONFIG', 'SET', 'maxmemory', '1'],
        ['EXISTS', 'a', 'b'],
        ['CONFIG', 'SET', 'maxmemory', '0'],
      ],
      { flush: true },
    ));
});
