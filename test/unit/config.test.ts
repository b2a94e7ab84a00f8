// Unit tests for Config: defaults (checked against a real Redis 7.0.15), value parsing,
// CONFIG SET error texts, atomic multi-set with hook rollback, and CONFIG GET matching.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/server/config/config.js';
import { PARAMS, lookupParam } from '../../src/server/config/schema.js';

const F = (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;

function setError(c: Config, pairs: [string, string][]): string {
  try {
    c.setMany(pairs);
  } catch (e) {
    return (e as Error).message;
  }
  return 'OK';
}

test('defaults match redis 7.0 CONFIG GET', () => {
  const c = new Config();
  const oracle: [string, string][] = [
    ['acl-pubsub-default', 'resetchannels'],
    ['active-defrag-ignore-bytes', '104857600'],
    ['appendfsync', 'everysec'],
    ['appendonly', 'no'],
    ['auto-aof-rewrite-min-size', '67108864'],
    ['bind', '127.0.0.1 -::1'], // Shoal's default: loopback only (Redis's compiled-in default is '* -::*')
    ['client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'],
    ['client-query-buffer-limit', '1073741824'],
    ['daemonize', 'no'],
    ['databases', '16'],
    ['dbfilename', 'dump.rdb'],
    ['hash-max-listpack-entries', '512'],
    ['hash-max-ziplist-value', '64'],
    ['hz', '10'],
    ['latency-tracking-info-percentiles', '50 99 99.9'],
    ['list-max-listpack-size', '-2'],
    ['logfile', ''],
    ['loglevel', 'notice'],
    ['lua-time-limit', '5000'],
    ['maxclients', '10000'],
    ['maxmemory', '0'],
    ['maxmemory-policy', 'noeviction'],
    ['maxmemory-samples', '5'],
    ['notify-keyspace-events', ''],
    ['oom-score-adj-values', '0 200 800'],
    ['port', '6379'],
    ['proc-title-template', '{title} {listen-addr} {server-mode}'],
    ['proto-max-bulk-len', '536870912'],
    ['repl-backlog-size', '1048576'],
    ['save', '3600 1 300 100 60 10000'],
    ['shutdown-on-sigint', 'default'],
    ['slave-read-only', 'yes'],
    ['slowlog-log-slower-than', '10000'],
    ['slowlog-max-len', '128'],
    ['syslog-ident', 'redis'],
    ['tcp-backlog', '511'],
    ['tcp-keepalive', '300'],
    ['timeout', '0'],
    ['unixsocketperm', '0'],
    ['zset-max-listpack-entries', '128'],
  ];
  for (const [k, v] of oracle) assert.equal(c.get(k), v, k);
  assert.equal(c.get('dir'), process.cwd());
});

test('schema covers every 7.0 name (192 incl. aliases) plus hidden ones and Shoal\'s own', () => {
  const visible = PARAMS.filter((p) => !p.hidden && !p.extension);
  const names = visible.length + visible.filter((p) => p.alias !== undefined).length;
  assert.equal(names, 192);
  assert.equal(lookupParam('SLAVEOF')?.name, 'replicaof');
  assert.equal(lookupParam('key-load-delay')?.hidden, true);
  assert.equal(lookupParam('requirepass')?.sensitive, true);
  assert.equal(lookupParam('maxmemory')?.effective, true);
  assert.equal(lookupParam('activedefrag')?.effective, false);
});

test('memory values accept units case-insensitively', () => {
  const c = new Config();
  const cases: [string, string][] = [
    ['10GB', '10737418240'],
    ['5k', '5000'],
    ['5kB', '5120'],
    ['5Kb', '5120'],
    ['2m', '2000000'],
    ['2mb', '2097152'],
    ['1g', '1000000000'],
    ['7b', '7'],
    ['010', '10'],
    ['', '0'],
    ['99999999999999999999gb', '18446744072635809792'],
  ];
  for (const [raw, want] of cases) {
    c.set('maxmemory', raw);
    assert.equal(c.get('maxmemory'), want, raw);
  }
  c.set('maxmemory', '2gb');
  assert.equal(c.getNumber('maxmemory'), 2 * 1024 ** 3);
  for (const bad of ['abc', '-1', '1.5gb', '+5', ' 5', '0x10', '5 ', '10%', '1tb']) {
    assert.equal(setError(c, [['maxmemory', bad]]), F('maxmemory', 'argument must be a memory value'), bad);
  }
  assert.equal(
    setError(c, [['proto-max-bulk-len', '1k']]),
    F('proto-max-bulk-len', 'argument must be between 1048576 and 9223372036854775807 inclusive'),
  );
  assert.equal(
    setError(c, [['repl-backlog-size', '9223372036854775808']]),
    F('repl-backlog-size', 'argument must be between 1 and 9223372036854775807 inclusive'),
  );
});

test('percent memory values', () => {
  const c = new Config();
  c.set('maxmemory-clients', '10%');
  assert.equal(c.get('maxmemory-clients'), '10%');
  assert.equal(c.getNumber('maxmemory-clients'), -10);
  c.set('maxmemory-clients', '0%');
  assert.equal(c.get('maxmemory-clients'), '0');
  assert.equal(
    setError(c, [['maxmemory-clients', '200%']]),
    F('maxmemory-clients', 'percentage argument must be less or equal to 100'),
  );
  assert.equal(
    setError(c, [['maxmemory-clients', '5.5%']]),
    F('maxmemory-clients', 'argument must be a memory or percent value'),
  );
});

test('bool, int, enum parsing and errors', () => {
  const c = new Config();
  c.set('appendonly', 'YES');
  assert.equal(c.get('appendonly'), 'yes');
  assert.equal(c.getBool('appendonly'), true);
  assert.equal(setError(c, [['appendonly', 'maybe']]), F('appendonly', "argument must be 'yes' or 'no'"));
  assert.equal(setError(c, [['appendonly', '']]), F('appendonly', "argument must be 'yes' or 'no'"));
  for (const bad of ['abc', '+5', '010', '-0', '', '5k', '1e3']) {
    assert.equal(setError(c, [['hz', bad]]), F('hz', "argument couldn't be parsed into an integer"), bad);
  }
  assert.equal(setError(c, [['hz', '-1']]), F('hz', 'argument must be between 0 and 2147483647 inclusive'));
  c.set('hz', '0');
  assert.equal(c.get('hz'), '1');
  c.set('hz', '1000');
  assert.equal(c.getNumber('hz'), 500);
  assert.equal(
    setError(c, [['maxclients', '0']]),
    F('maxclients', 'argument must be between 1 and 4294967295 inclusive'),
  );
  assert.equal(
    setError(c, [['slowlog-log-slower-than', '-2']]),
    F('slowlog-log-slower-than', 'argument must be between -1 and 9223372036854775807 inclusive'),
  );
  c.set('maxmemory-policy', 'ALLKEYS-LRU');
  assert.equal(c.get('maxmemory-policy'), 'allkeys-lru');
  assert.equal(
    setError(c, [['loglevel', 'foo']]),
    F('loglevel', 'argument(s) must be one of the following: debug, verbose, notice, warning'),
  );
  c.set('oom-score-adj', 'relative');
  assert.equal(c.get('oom-score-adj'), 'yes');
  c.set('shutdown-on-sigint', 'now save force');
  assert.equal(c.get('shutdown-on-sigint'), 'save now force');
  assert.equal(
    setError(c, [['shutdown-on-sigint', 'save nosave']]),
    F('shutdown-on-sigint', "shutdown options SAVE and NOSAVE can't be used simultaneously"),
  );
});

test('special parameters', () => {
  const c = new Config();
  c.set('save', '100 1 200 2');
  assert.equal(c.get('save'), '100 1 200 2');
  for (const bad of ['abc', '100', '100 1 200', '0 0', '1  1', '1 1 ']) {
    assert.equal(setError(c, [['save', bad]]), F('save', 'Invalid save parameters'), bad);
  }
  c.set('save', '');
  assert.equal(c.get('save'), '');
  c.set('notify-keyspace-events', 'KEA');
  assert.equal(c.get('notify-keyspace-events'), 'AKE');
  c.set('notify-keyspace-events', 'ndmtEKexzhsl$');
  assert.equal(c.get('notify-keyspace-events'), '$lshzxetdnKEm');
  c.set('notify-keyspace-events', 'ndmtEKexzhsl$g');
  assert.equal(c.get('notify-keyspace-events'), 'AKEm');
  assert.equal(
    setError(c, [['notify-keyspace-events', 'Q']]),
    F('notify-keyspace-events', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
  );
  c.set('client-output-buffer-limit', 'normal 1k 2mb 3');
  c.set('client-output-buffer-limit', 'replica 1 2 3 PUBSUB 4 5 6');
  assert.equal(c.get('client-output-buffer-limit'), 'normal 1000 2097152 3 slave 1 2 3 pubsub 4 5 6');
  assert.equal(
    setError(c, [['client-output-buffer-limit', 'normal 1 2']]),
    F('client-output-buffer-limit', 'Wrong number of arguments in buffer limit configuration.'),
  );
  assert.equal(
    setError(c, [['client-output-buffer-limit', 'master 0 0 0']]),
    F('client-output-buffer-limit', 'Invalid client class specified in buffer limit configuration.'),
  );
  assert.equal(
    setError(c, [['client-output-buffer-limit', 'normal a 1 2']]),
    F('client-output-buffer-limit', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'),
  );
  assert.equal(setError(c, [['oom-score-adj-values', '1 2']]), F('oom-score-adj-values', 'wrong number of arguments'));
  assert.equal(
    setError(c, [['oom-score-adj-values', '1 2 x']]),
    F('oom-score-adj-values', 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.'),
  );
  c.set('latency-tracking-info-percentiles', '99.99 1.0');
  assert.equal(c.get('latency-tracking-info-percentiles'), '99.99 1');
  assert.equal(
    setError(c, [['latency-tracking-info-percentiles', '-1']]),
    F('latency-tracking-info-percentiles', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'),
  );
  c.set('bind', '127.0.0.1 ::1');
  assert.equal(c.get('bind'), '127.0.0.1 ::1');
  assert.equal(
    setError(c, [['cluster-announce-hostname', 'a b']]),
    F('cluster-announce-hostname', 'Hostnames may only contain alphanumeric characters, hyphens or dots'),
  );
});

test('CONFIG SET name errors: unknown, immutable, protected, duplicate', () => {
  const c = new Config();
  assert.equal(setError(c, [['nosuch', '1']]), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  assert.equal(setError(c, [['daemonize', 'yes']]), F('daemonize', "can't set immutable config"));
  assert.equal(setError(c, [['databases', '3']]), F('databases', "can't set immutable config"));
  assert.equal(setError(c, [['slaveof', 'a 1']]), F('slaveof', "can't set immutable config"));
  assert.equal(setError(c, [['dir', '/tmp']]), F('dir', "can't set protected config"));
  assert.equal(setError(c, [['hz', '10'], ['hz', '20']]), F('hz', 'duplicate parameter'));
  assert.equal(setError(c, [['hz', '5'], ['HZ', '6']]), F('HZ', 'duplicate parameter'));
  assert.equal(setError(c, [['hz', 'abc'], ['nosuch', '1']]), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  assert.equal(setError(c, [['hz', 'abc'], ['daemonize', 'no']]), F('daemonize', "can't set immutable config"));
  assert.equal(setError(c, [['hz', '1'], ['hz', 'abc']]), F('hz', 'duplicate parameter'));
  c.set('port', '7000');
  assert.equal(c.getNumber('port'), 7000);
  // alias + canonical in one SET is not a duplicate; the last one wins
  c.setMany([['replica-read-only', 'no'], ['slave-read-only', 'yes']]);
  assert.equal(c.get('replica-read-only'), 'yes');
});

test('multi-set is atomic: a bad value changes nothing', () => {
  const c = new Config();
  assert.equal(setError(c, [['hz', '20'], ['maxmemory', 'abc']]), F('maxmemory', 'argument must be a memory value'));
  assert.equal(c.get('hz'), '10');
  assert.equal(c.get('maxmemory'), '0');
});

test('hooks run on change only, and a throwing hook rolls everything back', () => {
  const c = new Config();
  const calls: string[] = [];
  c.onChange('hz', (v) => calls.push(`hz=${v}`));
  c.onChange('slave-read-only', (v) => calls.push(`ro=${v}`));
  c.set('hz', '10');
  assert.deepEqual(calls, []);
  c.set('replica-read-only', 'no');
  assert.deepEqual(calls, ['ro=no']);
  calls.length = 0;
  c.onChange('bind', () => {
    throw new Error('Failed to bind to specified addresses.');
  });
  assert.equal(
    setError(c, [['hz', '20'], ['bind', '10.9.9.9']]),
    F('bind', 'Failed to bind to specified addresses.'),
  );
  assert.deepEqual(calls, ['hz=20', 'hz=10']);
  assert.equal(c.get('hz'), '10');
  assert.equal(c.get('bind'), '127.0.0.1 -::1');
});

test('match: exact names, aliases, globs, hidden', () => {
  const c = new Config();
  assert.deepEqual(c.match('MAXMEMORY'), [['MAXMEMORY', '0']]);
  assert.deepEqual(c.match('slaveof'), [['slaveof', '']]);
  assert.deepEqual(c.match('nosuch'), []);
  assert.deepEqual(c.match('po?t'), [['port', '6379']]);
  assert.deepEqual(c.match('[pq]ort'), [['port', '6379']]);
  const star = c.match('*');
  const extensions = PARAMS.filter((p) => p.extension && !p.hidden).length;
  assert.ok(extensions > 0);
  assert.equal(star.length, 192 + extensions);
  assert.ok(star.some(([n]) => n === 'slave-read-only'));
  assert.ok(!star.some(([n]) => n === 'key-load-delay'));
  assert.deepEqual(c.match('key-load-delay'), [['key-load-delay', '0']]);
  const slaves = c.match('SLAVE*').map(([n]) => n).sort();
  assert.deepEqual(slaves, [
    'slave-announce-ip',
    'slave-announce-port',
    'slave-ignore-maxmemory',
    'slave-lazy-flush',
    'slave-priority',
    'slave-read-only',
    'slave-serve-stale-data',
    'slaveof',
  ]);
  assert.deepEqual(c.matchMany(['PORT', 'port']), [['PORT', '6379']]);
  assert.equal(c.matchMany(['slave*', 'slaveof']).length, 8);
});
