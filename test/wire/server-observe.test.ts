// Wire tests for SLOWLOG and LATENCY: entry shapes, counts, resets, HELP texts, DOCTOR
// reports, error texts (checked against redis-server 7.0.15).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, parseReply, type Arg, type RespValue } from '../helpers/raw-client.js';

const T0 = 1_700_000_000_000;
const COUNT_ERR = '-ERR count should be greater than or equal to -1\r\n';
const helpReply = (lines: string[]): string => `*${lines.length}\r\n` + lines.map((l) => `+${l}\r\n`).join('');
const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];
const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];
const DOCTOR_DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const DOCTOR_NONE =
  'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';

describe('SLOWLOG and LATENCY', () => {
  const clock = new FakeClock(T0);
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const v = async (...args: Arg[]): Promise<RespValue> => parseReply(await raw.call(...args));

  before(async () => {
    node = await startServer({ clock });
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
    await redis.ping(); // ioredis's connect-time INFO must not land in the slow log tests
    await raw.call('CLIENT', 'SETNAME', 'tester');
    // Logging is off between the steps that turn it on: on a loaded machine any command may
    // take longer than the default 10 ms and land in the log.
    await raw.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('HELP texts', async () => {
    assert.equal(await r('SLOWLOG', 'HELP'), helpReply(SLOWLOG_HELP));
    assert.equal(await r('LATENCY', 'HELP'), helpReply(LATENCY_HELP));
  });

  it('SLOWLOG logs commands slower than slowlog-log-slower-than, newest first', async () => {
    assert.equal(await r('SLOWLOG', 'RESET'), '+OK\r\n');
    assert.equal(await r('SLOWLOG', 'GET'), '*0\r\n');
    assert.equal(await r('CONFIG', 'SET', 'slowlog-log-slower-than', '0'), '+OK\r\n');
    await r('SET', 'sl:k', 'v');
    await r('GET', 'sl:k');
    const entries = (await v('SLOWLOG', 'GET', '2')) as RespValue[][];
    assert.equal(entries.length, 2);
    const [newest, older] = entries;
    assert.deepEqual(newest[3], ['GET', 'sl:k']);
    assert.deepEqual(older[3], ['SET', 'sl:k', 'v']);
    assert.equal(newest[0], (older[0] as number) + 1, 'ids increase');
    assert.equal(newest[1], Math.floor(T0 / 1000), 'unix time in seconds');
    assert.equal(typeof newest[2], 'number');
    assert.match(String(newest[4]), /^127\.0\.0\.1:\d+$/);
    assert.equal(newest[5], 'tester');
    // The CONFIG SET that enabled logging is logged too (the threshold applies after it ran).
    assert.deepEqual(((await v('SLOWLOG', 'GET', '-1')) as RespValue[][]).map((e) => (e[3] as string[])[0]), [
      'SLOWLOG', 'GET', 'SET', 'CONFIG',
    ]);
    assert.equal(await r('SLOWLOG', 'LEN'), ':5\r\n');
    assert.equal(((await v('SLOWLOG', 'GET')) as RespValue[]).length, 6);
    assert.equal(await r('SLOWLOG', 'GET', '0'), '*0\r\n');
    assert.equal(await r('CONFIG', 'SET', 'slowlog-log-slower-than', '-1'), '+OK\r\n');
    await r('PING');
    assert.equal(await r('SLOWLOG', 'LEN'), ':8\r\n', 'nothing logged once disabled');
    assert.equal(await r('SLOWLOG', 'RESET'), '+OK\r\n');
    assert.equal(await r('SLOWLOG', 'LEN'), ':0\r\n');
    assert.equal(await r('CONFIG', 'SET', 'slowlog-log-slower-than', '-1'), '+OK\r\n');
  });

  it('SLOWLOG GET count errors and defaults', async () => {
    assert.equal(await r('SLOWLOG', 'GET', '-2'), COUNT_ERR);
    assert.equal(await r('SLOWLOG', 'GET', 'abc'), COUNT_ERR);
    assert.equal(await r('SLOWLOG', 'GET', '1.5'), COUNT_ERR);
    assert.equal(await r('SLOWLOG', 'GET', '99999999999999999999'), COUNT_ERR);
    assert.equal(await r('SLOWLOG', 'get', '1', 'x'), "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n");
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    for (let i = 0; i < 12; i++) await r('PING');
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    assert.equal(((await v('SLOWLOG', 'GET')) as RespValue[]).length, 10, 'default count is 10');
    assert.equal(((await v('SLOWLOG', 'GET', '-1')) as RespValue[]).length, 13);
    assert.equal(((await v('SLOWLOG', 'GET', '100')) as RespValue[]).length, 13);
    await r('SLOWLOG', 'RESET');
  });

  it('SLOWLOG trims long argument lists and arguments, redacts secrets', async () => {
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
    await r('DEL', ...many);
    await r('SET', 'sl:long', 'x'.repeat(200));
    await r('CONFIG', 'SET', 'requirepass', '', 'maxmemory', '0');
    await r('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    const entries = (await v('SLOWLOG', 'GET', '-1')) as RespValue[][];
    const byCmd = (name: string): string[] => entries.map((e) => e[3] as string[]).find((a) => a[0] === name && a[2] !== 'slowlog-log-slower-than') ?? [];
    const del = byCmd('DEL');
    assert.equal(del.length, 32);
    assert.equal(del[30], 'a29');
    assert.equal(del[31], '... (10 more arguments)');
    assert.equal(byCmd('SET')[2], 'x'.repeat(128) + '... (72 more bytes)');
    assert.deepEqual(byCmd('CONFIG'), ['CONFIG', 'SET', 'requirepass', '(redacted)', 'maxmemory', '0']);
    await r('SLOWLOG', 'RESET');
  });

  it('LATENCY with monitoring disabled and with no events', async () => {
    assert.equal(await r('LATENCY', 'LATEST'), '*0\r\n');
    assert.equal(await r('LATENCY', 'HISTORY', 'command'), '*0\r\n');
    assert.equal(await r('LATENCY', 'RESET'), ':0\r\n');
    assert.equal(parseReply(await raw.call('LATENCY', 'DOCTOR')), DOCTOR_DISABLED);
    assert.equal(String(await redis.call('latency', 'doctor')), DOCTOR_DISABLED);
    await r('CONFIG', 'SET', 'latency-monitor-threshold', '100');
    assert.equal(parseReply(await raw.call('LATENCY', 'DOCTOR')), DOCTOR_NONE);
    const c3 = await RawClient.connect(node.port);
    try {
      await c3.call('HELLO', '3');
      const doc = (await c3.call('LATENCY', 'DOCTOR')).toString();
      assert.equal(doc, `=${Buffer.byteLength(DOCTOR_NONE) + 4}\r\ntxt:${DOCTOR_NONE}\r\n`);
    } finally {
      await c3.close();
    }
  });

  it('LATENCY LATEST / HISTORY / RESET / DOCTOR report recorded events', async () => {
    const mon = node.server.latency;
    const t = Math.floor(T0 / 1000);
    mon.maybeAdd('command', 250, 100, T0);
    mon.maybeAdd('command', 120, 100, T0 + 1000);
    mon.maybeAdd('expire-cycle', 300, 100, T0);
    mon.maybeAdd('command', 50, 100, T0 + 2000); // below the threshold: ignored
    assert.deepEqual(await v('LATENCY', 'LATEST'), [
      ['command', t + 1, 120, 250],
      ['expire-cycle', t, 300, 300],
    ]);
    assert.deepEqual(await v('LATENCY', 'HISTORY', 'command'), [
      [t, 250],
      [t + 1, 120],
    ]);
    const doc = String(parseReply(await raw.call('LATENCY', 'DOCTOR')));
    assert.match(doc, /^Dave, I have observed latency spikes in this Redis instance\./);
    assert.match(doc, /\n1\. command: 2 latency spikes \(average 185ms, mean deviation 65ms, period 1\.00 sec\)\. Worst all time event 250ms\.\n/);
    assert.match(doc, /\n2\. expire-cycle: 1 latency spikes \(average 300ms, mean deviation 0ms, period 1\.00 sec\)\. Worst all time event 300ms\.\n/);
    assert.match(doc, /I have a few advices for you:\n\n- /);
    assert.equal(await r('LATENCY', 'RESET', 'command', 'nosuch'), ':1\r\n');
    assert.deepEqual(await v('LATENCY', 'LATEST'), [['expire-cycle', t, 300, 300]]);
    assert.equal(await r('LATENCY', 'RESET'), ':1\r\n');
    assert.equal(await r('LATENCY', 'LATEST'), '*0\r\n');
    await r('CONFIG', 'SET', 'latency-monitor-threshold', '0');
  });

  it('a slow command is recorded as a "command" latency event', async () => {
    await r('CONFIG', 'SET', 'latency-monitor-threshold', '1');
    // CONFIG SET is not a fast command; make one take >= 1 ms by spinning in a change hook.
    const off = node.server.config.onChange('lfu-decay-time', () => {
      const end = performance.now() + 5;
      while (performance.now() < end);
    });
    try {
      await r('CONFIG', 'SET', 'lfu-decay-time', '2');
    } finally {
      off();
    }
    const latest = (await v('LATENCY', 'LATEST')) as RespValue[][];
    assert.equal(latest.length, 1);
    assert.equal(latest[0][0], 'command');
    assert.ok((latest[0][2] as number) >= 1);
    await r('CONFIG', 'SET', 'latency-monitor-threshold', '0', 'lfu-decay-time', '1');
    await r('LATENCY', 'RESET');
  });
});
