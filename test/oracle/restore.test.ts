// Oracle tests for RESTORE: every option (REPLACE, ABSTTL, IDLETIME, FREQ) and every error in
// Redis's order, ttls in the past, keyspace events, payloads of the encodings older versions
// wrote (ziplist, zipmap, quicklist v1, the plain types with text doubles) built by hand from
// the format, conversions decided by the configuration at restore time, and corrupt payloads
// under sanitize-dump-payload yes. Replies are compared byte for byte with redis-server's.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import { payload, rdbBinDouble, rdbLen, rdbRaw, rdbStr, rdbTextDouble, refooter, ziplist, zipmap } from '../helpers/rdb-build.js';
import { ListpackBuilder, buildIntset } from '../../src/server/persistence/listpack.js';
import { RdbType } from '../../src/server/persistence/rdb-io.js';

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** A valid string payload ("v"), built by hand (type 0, the string, version 10, CRC). */
const STR = payload(RdbType.String, rdbStr('v'));

/** A listpack blob of the elements. */
function listpack(elements: readonly string[]): Buffer {
  const lp = new ListpackBuilder();
  for (const s of elements) lp.append(s);
  return lp.finish();
}

/** Restores payload p as key, then the reads. */
function restoreAndRead(key: string, p: Buffer, reads: readonly Step[]): Step[] {
  return [['RESTORE', key, '0', p], ...reads, ['OBJECT', 'ENCODING', key]];
}

withOracle('oracle: RESTORE options and errors', (o) => {
  it('errors in Redis order: syntax, BUSYKEY, ttl, payload footer, data format', () =>
    o.compare([
      ['SET', 'taken', 'x'],
      ['RESTORE', 'k', '0', STR, 'NOPE'],
      ['RESTORE', 'k', '0', STR, 'IDLETIME'],
      ['RESTORE', 'k', '0', STR, 'FREQ'],
      ['RESTORE', 'k', '0', STR, 'IDLETIME', 'x'],
      ['RESTORE', 'k', '0', STR, 'IDLETIME', '-1'],
      ['RESTORE', 'k', '0', STR, 'FREQ', '256'],
      ['RESTORE', 'k', '0', STR, 'FREQ', '-1'],
      ['RESTORE', 'k', '0', STR, 'FREQ', '1.5'],
      ['RESTORE', 'k', '0', STR, 'IDLETIME', '1', 'FREQ', '1'],
      ['RESTORE', 'k', '0', STR, 'FREQ', '1', 'IDLETIME', '1'],
      ['RESTORE', 'taken', '0', STR],
      ['RESTORE', 'taken', 'notanumber', STR],
      ['RESTORE', 'taken', '0', 'garbage', 'NOPE'],
      ['RESTORE', 'k', 'notanumber', STR],
      ['RESTORE', 'k', '-1', STR],
      ['RESTORE', 'k', '99999999999999999999', STR],
      ['RESTORE', 'k', '0', 'short'],
      ['RESTORE', 'k', '0', ''],
      ['RESTORE', 'k', '0', payload(RdbType.String, rdbStr('v'), 11)],
      ['RESTORE', 'k', '0', Buffer.concat([STR.subarray(0, STR.length - 1), Buffer.from([STR[STR.length - 1] ^ 1])])],
      ['RESTORE', 'k', '0', payload(RdbType.String, Buffer.from([0x05, 0x61]))],
      ['RESTORE', 'k', '0', payload(8, rdbStr('v'))],
      ['RESTORE', 'k', '0', payload(200, rdbStr('v'))],
      ['RESTORE', 'k', '0', payload(RdbType.Set, rdbLen(0))],
      ['RESTORE', 'k', '0', payload(RdbType.HashListpack, rdbRaw(listpack([])))],
      ['RESTORE', 'k', '0', payload(RdbType.String, rdbStr('v'), 1)],
      ['GET', 'k'],
      ['RESTORE', 'taken', '0', 'garbage-payload', 'REPLACE'],
      ['RESTORE', 'taken', '0', payload(RdbType.Set, rdbLen(0)), 'REPLACE'],
      ['GET', 'taken'],
      ['SET', 'expiring', 'x', 'PX', '1'],
      { pause: 20 },
      ['RESTORE', 'expiring', '0', STR],
      ['GET', 'expiring'],
      ['RESTORE'],
      ['RESTORE', 'k', '0'],
      ['EXISTS', 'k', 'taken'],
    ]));

  it('SAVE and LASTSAVE without saving: arity, MULTI refusal, reply shape; COMMAND INFO / DOCS', () =>
    o.compare([
      ['SAVE', 'x'],
      ['LASTSAVE', 'x'],
      { cmd: ['LASTSAVE'], match: /^:\d+\r\n$/ },
      ['MULTI'],
      ['SAVE'],
      ['EXEC'],
      ['COMMAND', 'INFO', 'dump', 'restore', 'lastsave'],
      ['COMMAND', 'DOCS', 'dump', 'restore', 'save', 'lastsave'],
      ['COMMAND', 'GETKEYS', 'RESTORE', 'k', '0', 'payload', 'REPLACE'],
    ]));

  it('REPLACE, ABSTTL and ttls (relative, absolute, past)', () =>
    o.compare([
      ['SET', 'k', 'old'],
      ['RESTORE', 'k', '0', STR, 'REPLACE'],
      ['GET', 'k'],
      ['TTL', 'k'],
      ['RESTORE', 'k', '100000', STR, 'replace'],
      { cmd: ['PTTL', 'k'], approx: 50 },
      ['RESTORE', 't', '4102444800000', STR, 'ABSTTL'],
      ['PEXPIRETIME', 't'],
      ['RESTORE', 'm', '9223372036854775807', STR, 'ABSTTL'],
      ['PEXPIRETIME', 'm'],
      ['RESTORE', 'past', '1', STR, 'ABSTTL'],
      ['EXISTS', 'past'],
      ['SET', 'gone', 'x'],
      ['RESTORE', 'gone', '1000', STR, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 'gone'],
      ['RESTORE', 'wrap', '9223372036854775807', STR],
      ['EXISTS', 'wrap'],
      ['RESTORE', 'absttl0', '0', STR, 'ABSTTL', 'ABSTTL', 'REPLACE', 'REPLACE'],
      ['TTL', 'absttl0'],
      ['HSET', 'h', 'f', 'v'],
      ['RESTORE', 'h', '0', STR, 'REPLACE'],
      ['TYPE', 'h'],
    ]));

  it('IDLETIME sets OBJECT IDLETIME; small integers share their clock', () =>
    o.compare([
      ['RESTORE', 'idle', '0', STR, 'IDLETIME', '1000'],
      { cmd: ['OBJECT', 'IDLETIME', 'idle'], approx: 2 },
      ['RESTORE', 'huge', '0', STR, 'IDLETIME', '999999999'],
      { cmd: ['OBJECT', 'IDLETIME', 'huge'], match: /^:\d+\r\n$/ },
      ['RESTORE', 'five', '0', payload(RdbType.String, rdbStr('5')), 'IDLETIME', '50'],
      { cmd: ['OBJECT', 'IDLETIME', 'five'], approx: 2 },
      ['RESTORE', 'plain', '0', STR],
      { cmd: ['OBJECT', 'IDLETIME', 'plain'], approx: 2 },
      ['RESTORE', 'f', '0', STR, 'FREQ', '100'],
      ['OBJECT', 'FREQ', 'f'],
    ]));

  it('FREQ sets OBJECT FREQ under an LFU policy, IDLETIME is then ignored', () =>
    o.compare([
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
      ['RESTORE', 'f', '0', STR, 'FREQ', '100'],
      ['OBJECT', 'FREQ', 'f'],
      ['RESTORE', 'g', '0', STR, 'IDLETIME', '100'],
      ['OBJECT', 'FREQ', 'g'],
      ['RESTORE', 'h', '0', STR],
      ['OBJECT', 'FREQ', 'h'],
      ['OBJECT', 'IDLETIME', 'h'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ]));

  it('a restored list or sorted set serves clients blocked on its key', () =>
    o.compare([
      { cmd: ['BLPOP', 'bl', '0'], conn: 1, replies: 0, note: 'blocks' },
      { cmd: ['BZPOPMIN', 'bz', '0'], conn: 2, replies: 0, note: 'blocks' },
      { poll: ['INFO', 'clients'], until: /blocked_clients:2\r\n/ },
      ['RESTORE', 'bl', '0', payload(RdbType.ListQuicklist2, Buffer.concat([rdbLen(1), rdbLen(2), rdbRaw(listpack(['a', 'b']))]))],
      ['RESTORE', 'bz', '0', payload(RdbType.ZSetListpack, rdbRaw(listpack(['m', '1'])))],
      { cmd: '', conn: 1 },
      { cmd: '', conn: 2 },
      ['LRANGE', 'bl', '0', '-1'],
      ['EXISTS', 'bz'],
    ]));

  it('keyspace events: restore, and del when REPLACE meets a past ttl', () =>
    o.compare([
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      { cmd: ['PSUBSCRIBE', '__key*__:*'], conn: 1 },
      ['RESTORE', 'k', '0', STR],
      { cmd: '', conn: 1, replies: 2, timeoutMs: 4000 },
      ['RESTORE', 'k', '1', STR, 'ABSTTL', 'REPLACE'],
      { cmd: '', conn: 1, replies: 2, timeoutMs: 4000 },
      ['RESTORE', 'n', '1', STR, 'ABSTTL'],
      ['SET', 'after', 'x'],
      { cmd: '', conn: 1, replies: 2, timeoutMs: 4000 },
      { cmd: ['PUNSUBSCRIBE'], conn: 1 },
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    ]));
});

withOracle('oracle: RESTORE of every encoding', (o) => {
  it('plain types: LIST (1), SET (2), ZSET (3) with text doubles, HASH (4), ZSET_2 (5)', () =>
    o.compare([
      ...restoreAndRead('l', payload(RdbType.List, Buffer.concat([rdbLen(3), rdbStr('a'), rdbStr('12'), rdbStr('x'.repeat(100), true)])), [
        ['LRANGE', 'l', '0', '-1'],
      ]),
      ...restoreAndRead('si', payload(RdbType.Set, Buffer.concat([rdbLen(3), rdbStr('3'), rdbStr('-1'), rdbStr('2')])), [['SMEMBERS', 'si']]),
      ...restoreAndRead('sh', payload(RdbType.Set, Buffer.concat([rdbLen(3), rdbStr('3'), rdbStr('x'), rdbStr('2')])), [
        { cmd: ['SMEMBERS', 'sh'], sort: true },
      ]),
      ...restoreAndRead(
        'z',
        payload(RdbType.ZSet, Buffer.concat([rdbLen(3), rdbStr('a'), rdbTextDouble(1.5), rdbStr('b'), rdbTextDouble(-Infinity), rdbStr('c'), rdbTextDouble(3)])),
        [['ZRANGE', 'z', '0', '-1', 'WITHSCORES']],
      ),
      ...restoreAndRead('z2', payload(RdbType.ZSet2, Buffer.concat([rdbLen(2), rdbStr('b'), rdbBinDouble(2), rdbStr('a'), rdbBinDouble(0.1)])), [
        ['ZRANGE', 'z2', '0', '-1', 'WITHSCORES'],
      ]),
      ...restoreAndRead('z3', payload(RdbType.ZSet2, Buffer.concat([rdbLen(1), rdbStr('m'.repeat(65)), rdbBinDouble(1)])), [['ZCARD', 'z3']]),
      ...restoreAndRead('h', payload(RdbType.Hash, Buffer.concat([rdbLen(2), rdbStr('f'), rdbStr('v'), rdbStr('g'), rdbStr('w')])), [
        ['HGETALL', 'h'],
      ]),
      ...restoreAndRead('hl', payload(RdbType.Hash, Buffer.concat([rdbLen(2), rdbStr('f'), rdbStr('v'), rdbStr('g'), rdbStr('w'.repeat(65))])), [
        { cmd: ['HGETALL', 'hl'], sort: true },
      ]),
    ]));

  it('ziplist and zipmap encodings: LIST_ZIPLIST, HASH_ZIPMAP, ZSET_ZIPLIST, HASH_ZIPLIST, LIST_QUICKLIST', () =>
    o.compare([
      ...restoreAndRead('lz', payload(RdbType.ListZiplist, rdbRaw(ziplist(['a', '1', '-300', '100000', 'x'.repeat(300), '9223372036854775807']))), [
        ['LRANGE', 'lz', '0', '-1'],
      ]),
      ...restoreAndRead('hm', payload(RdbType.HashZipmap, rdbRaw(zipmap([['name', 'shoal'], ['n', '1']], 2))), [['HGETALL', 'hm']]),
      ...restoreAndRead('hmb', payload(RdbType.HashZipmap, rdbRaw(zipmap([['name', 'v'.repeat(100)]]))), [['HGETALL', 'hmb']]),
      ...restoreAndRead('zz', payload(RdbType.ZSetZiplist, rdbRaw(ziplist(['c', '-inf', 'a', '1', 'b', '2.5']))), [
        ['ZRANGE', 'zz', '0', '-1', 'WITHSCORES'],
      ]),
      ...restoreAndRead('hz', payload(RdbType.HashZiplist, rdbRaw(ziplist(['f', 'v', 'g', '12', 'long', 'x'.repeat(100)]))), [
        ['HGETALL', 'hz'],
      ]),
      ...restoreAndRead(
        'q1',
        payload(RdbType.ListQuicklist, Buffer.concat([rdbLen(3), rdbRaw(ziplist(['a', 'b'])), rdbRaw(ziplist([])), rdbRaw(ziplist(['c', '7']))])),
        [['LRANGE', 'q1', '0', '-1']],
      ),
      ...restoreAndRead('q2', payload(RdbType.ListQuicklist2, Buffer.concat([rdbLen(2), rdbLen(2), rdbRaw(listpack(['a', '1'])), rdbLen(1), rdbRaw('plain')])), [
        ['LRANGE', 'q2', '0', '-1'],
      ]),
      ...restoreAndRead('si', payload(RdbType.SetIntset, rdbRaw(buildIntset([-5n, 1n, 70000n], 8))), [['SMEMBERS', 'si']]),
      ...restoreAndRead('hl', payload(RdbType.HashListpack, rdbRaw(listpack(['f', 'v'.repeat(100)]))), [['HGETALL', 'hl']]),
      ...restoreAndRead('zl', payload(RdbType.ZSetListpack, rdbRaw(listpack(['b', '2', 'a', '1']))), [['ZSCORE', 'zl', 'a']]),
    ]));

  it('conversions decided by the configuration at restore time', async () => {
    const lpHash = payload(RdbType.HashListpack, rdbRaw(listpack(range(20, (i) => 'x' + i))));
    const lpZset = payload(RdbType.ZSetListpack, rdbRaw(listpack(range(10, (i) => (i % 2 === 0 ? 'm' + i : String(i))))));
    const intset = payload(RdbType.SetIntset, rdbRaw(buildIntset(range(10, String).map(BigInt), 2)));
    const zset2 = payload(RdbType.ZSet2, Buffer.concat([rdbLen(3), rdbStr('c'), rdbBinDouble(3), rdbStr('b'), rdbBinDouble(2), rdbStr('a'), rdbBinDouble(1)]));
    const set2 = payload(RdbType.Set, Buffer.concat([rdbLen(6), ...range(6, (i) => rdbStr(String(i)))]));
    const hash4 = payload(RdbType.Hash, Buffer.concat([rdbLen(6), ...range(12, (i) => rdbStr('f' + i))]));
    await o.compare([
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '5'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '4'],
      ...restoreAndRead('h', lpHash, [['HLEN', 'h']]),
      ...restoreAndRead('z', lpZset, [['ZRANGE', 'z', '0', '-1', 'WITHSCORES']]),
      ...restoreAndRead('s', intset, [{ cmd: ['SMEMBERS', 's'], sort: true }]),
      ...restoreAndRead('z2', zset2, [['ZRANGE', 'z2', '0', '-1']]),
      ...restoreAndRead('s2', set2, [{ cmd: ['SMEMBERS', 's2'], sort: true }]),
      ...restoreAndRead('h4', hash4, [{ cmd: ['HGETALL', 'h4'], sort: true }]),
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'zset-max-listpack-value', '1'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
      ...restoreAndRead('z3', zset2, [['ZCARD', 'z3']]),
      ...restoreAndRead('z4', lpZset, [['ZCARD', 'z4']]),
      ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
    ]);
  });
});

withOracle('oracle: corrupt payloads under sanitize-dump-payload yes', { config: { 'sanitize-dump-payload': 'yes' } }, (o) => {
  it('are refused with Bad data format and create nothing', () => {
    const bad = (type: number, body: Buffer): Buffer => payload(type, body);
    const lp = listpack(['f', 'v', 'g', 'w']);
    const truncatedLp = Buffer.concat([lp.subarray(0, lp.length - 2), Buffer.from([0xff])]);
    const wrongCount = Buffer.from(lp);
    wrongCount.writeUInt16LE(3, 4);
    const badBacklen = Buffer.from(lp);
    badBacklen[8] = 9;
    const steps: Step[] = [
      ['RESTORE', 'k', '0', bad(RdbType.HashListpack, rdbRaw(listpack(['f', 'v', 'f', 'w'])))],
      ['RESTORE', 'k', '0', bad(RdbType.HashListpack, rdbRaw(listpack(['f', 'v', 'g'])))],
      ['RESTORE', 'k', '0', bad(RdbType.HashListpack, rdbRaw(truncatedLp))],
      ['RESTORE', 'k', '0', bad(RdbType.HashListpack, rdbRaw(wrongCount))],
      ['RESTORE', 'k', '0', bad(RdbType.HashListpack, rdbRaw(badBacklen))],
      ['RESTORE', 'k', '0', bad(RdbType.ZSetListpack, rdbRaw(listpack(['a', '1', 'a', '2'])))],
      ['RESTORE', 'k', '0', bad(RdbType.SetIntset, rdbRaw(buildIntset([1n, 1n], 2)))],
      ['RESTORE', 'k', '0', bad(RdbType.SetIntset, rdbRaw(buildIntset([2n, 1n], 2)))],
      ['RESTORE', 'k', '0', bad(RdbType.SetIntset, rdbRaw(buildIntset([], 2)))],
      ['RESTORE', 'k', '0', bad(RdbType.ListQuicklist2, Buffer.concat([rdbLen(1), rdbLen(2), rdbRaw(truncatedLp)]))],
      ['RESTORE', 'k', '0', bad(RdbType.ListQuicklist2, Buffer.concat([rdbLen(1), rdbLen(5), rdbRaw(lp)]))],
      ['RESTORE', 'k', '0', bad(RdbType.HashZiplist, rdbRaw(ziplist(['f', 'v', 'f', 'w'])))],
      ['RESTORE', 'k', '0', bad(RdbType.ZSetZiplist, rdbRaw(ziplist(['a', '1', 'a', '2'])))],
      ['RESTORE', 'k', '0', bad(RdbType.HashZipmap, rdbRaw(zipmap([['a', '1'], ['a', '2']])))],
      ['RESTORE', 'k', '0', bad(RdbType.Hash, Buffer.concat([rdbLen(2), rdbStr('f'), rdbStr('v'), rdbStr('f'), rdbStr('w')]))],
      ['RESTORE', 'k', '0', bad(RdbType.Set, Buffer.concat([rdbLen(2), rdbStr('a'), rdbStr('a')]))],
      ['RESTORE', 'k', '0', bad(RdbType.ZSet2, Buffer.concat([rdbLen(2), rdbStr('a'), rdbBinDouble(1), rdbStr('a'), rdbBinDouble(1)]))],
      ['RESTORE', 'k', '0', bad(RdbType.ZSet2, Buffer.concat([rdbLen(1), rdbStr('a'), rdbBinDouble(NaN)]))],
      ['RESTORE', 'k', '0', bad(RdbType.List, Buffer.concat([rdbLen(3), rdbStr('a')]))],
      ['EXISTS', 'k'],
    ];
    // A payload whose bytes were damaged after its CRC was computed again.
    const damaged = refooter(payload(RdbType.HashListpack, rdbRaw(lp)));
    damaged[3] ^= 0x10;
    const last: Step[] = [['RESTORE', 'k', '0', refooter(damaged)], ['EXISTS', 'k']];
    steps.push(...last);
    return o.compare(steps);
  });

  it('valid payloads still restore', () =>
    o.compare([
      ...restoreAndRead('h', payload(RdbType.HashListpack, rdbRaw(listpack(['f', 'v', 'g', '12']))), [['HGETALL', 'h']]),
      ...restoreAndRead('l', payload(RdbType.ListQuicklist2, Buffer.concat([rdbLen(1), rdbLen(2), rdbRaw(listpack(['a', 'b']))])), [
        ['LRANGE', 'l', '0', '-1'],
      ]),
    ]));
});
