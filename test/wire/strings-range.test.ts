// Wire tests for APPEND, SETRANGE, GETRANGE, SUBSTR and LCS (RESP2 and RESP3 reply shapes).
// Texts and reply bytes checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, startServer, type RunningServer } from '../helpers/node.js';
import { VType } from '../../src/server/keyspace/entry.js';
import { RawClient, parseReply, type Arg } from '../helpers/raw-client.js';
import { peekEntry, putEntry, encodingOf, type EntrySnapshot } from '../helpers/keyspace.js';

const T0 = 1_700_000_000_000;
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const TOO_BIG = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const EMPTY_BULK = '$0\r\n\r\n';
const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;

describe('strings: ranges and LCS', () => {
  let node: RunningServer;
  let raw: RawClient;
  let redis: Redis;
  const clock = new FakeClock(T0);
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const entry = (key: string): EntrySnapshot | undefined => peekEntry(node.server.keyspace.dbs[0], key);

  before(async () => {
    // The smallest allowed proto-max-bulk-len (1mb) keeps the limit tests cheap.
    node = await startServer({ clock, config: { 'proto-max-bulk-len': '1mb' } });
    raw = await RawClient.connect(node.port);
    redis = new Redis({ port: node.port, lazyConnect: false });
    putEntry(node.server.keyspace.dbs[0], 'hash', VType.Hash, new Map(), 0);
  });
  after(async () => {
    redis.disconnect();
    await raw.close();
    await node.close();
  });

  it('APPEND creates, appends, reports the length and makes the value raw', async () => {
    assert.equal(await r('APPEND', 'ap:k', 'hello'), ':5\r\n');
    assert.equal(encodingOf(entry('ap:k')), 'embstr', 'a created value is not raw');
    assert.equal(await r('APPEND', 'ap:k', ' world'), ':11\r\n');
    assert.equal(await r('GET', 'ap:k'), bulk('hello world'));
    assert.equal(encodingOf(entry('ap:k')), 'raw');
    assert.equal(await r('APPEND', 'ap:k', ''), ':11\r\n');
    assert.equal(await r('APPEND', 'ap:n', '123'), ':3\r\n');
    assert.equal(encodingOf(entry('ap:n')), 'int');
    assert.equal(await r('APPEND', 'ap:n', '4'), ':4\r\n');
    assert.equal(encodingOf(entry('ap:n')), 'raw');
    assert.equal(await r('APPEND', 'hash', 'x'), WRONGTYPE);
  });

  it('APPEND keeps the TTL and is binary safe', async () => {
    clock.set(T0);
    await r('SET', 'apt:k', Buffer.from([0, 1]), 'PX', '1000');
    assert.equal(await r('APPEND', 'apt:k', Buffer.from([13, 10, 255])), ':5\r\n');
    assert.deepEqual(await redis.getBuffer('apt:k'), Buffer.from([0, 1, 13, 10, 255]));
    assert.equal(entry('apt:k')?.expireAt, T0 + 1000);
  });

  it('many APPENDs accumulate correctly (in-place growth)', async () => {
    let expect = '';
    for (let i = 0; i < 300; i++) {
      const piece = `<${i}>`;
      expect += piece;
      await raw.command('APPEND', 'apm:k', piece);
    }
    const replies = await raw.readAll(300);
    assert.equal(replies[299].toString(), `:${expect.length}\r\n`);
    assert.equal(await r('GET', 'apm:k'), bulk(expect));
  });

  it('APPEND/SETRANGE never modify a buffer another key shares', async () => {
    await r('SET', 'sh:a', 'base');
    // Simulate a command that made two keys share one Buffer (as a COPY might).
    const db = node.server.keyspace.dbs[0];
    const a = entry('sh:a') as EntrySnapshot;
    putEntry(db, 'sh:b', VType.String, a.value, 0);
    assert.equal(await r('APPEND', 'sh:a', '+more'), ':9\r\n');
    assert.equal(await r('SETRANGE', 'sh:a', '0', 'B'), ':9\r\n');
    assert.equal(await r('GET', 'sh:b'), bulk('base'));
    assert.equal(await r('GET', 'sh:a'), bulk('Base+more'));
    // And after growth, a view handed to another key stays unchanged by later appends.
    putEntry(db, 'sh:c', VType.String, (entry('sh:a') as EntrySnapshot).value, 0);
    assert.equal(await r('APPEND', 'sh:a', '!'), ':10\r\n');
    assert.equal(await r('APPEND', 'sh:c', '?'), ':10\r\n');
    assert.equal(await r('GET', 'sh:a'), bulk('Base+more!'));
    assert.equal(await r('GET', 'sh:c'), bulk('Base+more?'));
  });

  it('APPEND beyond proto-max-bulk-len is refused', async () => {
    const half = Buffer.alloc(600_000, 0x61);
    assert.equal(await redis.set('apl:k', half), 'OK');
    assert.equal(await r('APPEND', 'apl:k', half), TOO_BIG);
    assert.equal(await r('STRLEN', 'apl:k'), ':600000\r\n');
    assert.equal(await r('APPEND', 'apl:k', Buffer.alloc(1024 * 1024 - 600_000, 0x62)), ':1048576\r\n');
    assert.equal(await r('APPEND', 'apl:k', 'x'), TOO_BIG);
  });

  it('SETRANGE: overwrite, extend, zero padding, new keys', async () => {
    await r('SET', 'sr:k', 'Hello World');
    assert.equal(await r('SETRANGE', 'sr:k', '6', 'Redis'), ':11\r\n');
    assert.equal(await r('GET', 'sr:k'), bulk('Hello Redis'));
    assert.equal(encodingOf(entry('sr:k')), 'raw');
    assert.equal(await r('SETRANGE', 'sr:k', '13', '!'), ':14\r\n');
    assert.equal(await r('GET', 'sr:k'), bulk('Hello Redis\0\0!'));
    assert.equal(await r('SETRANGE', 'sr:new', '3', 'ab'), ':5\r\n');
    assert.equal(await r('GET', 'sr:new'), bulk('\0\0\0ab'));
    assert.equal(encodingOf(entry('sr:new')), 'raw');
    assert.equal(await r('SETRANGE', 'sr:n', '0', '12'), ':2\r\n');
    assert.equal(encodingOf(entry('sr:n')), 'raw', 'SETRANGE creates raw even for digits');
    assert.equal(await r('SETRANGE', 'sr:k', '0', Buffer.from([0xff])), ':14\r\n');
    assert.deepEqual(((await redis.getBuffer('sr:k')) as Buffer).subarray(0, 2), Buffer.from([0xff, 0x65]));
  });

  it('SETRANGE empty value, errors and limits', async () => {
    assert.equal(await r('SETRANGE', 'sre:none', '5', ''), ':0\r\n');
    assert.equal(entry('sre:none'), undefined, 'empty value creates no key');
    await r('SET', 'sre:k', 'abc');
    assert.equal(await r('SETRANGE', 'sre:k', '100', ''), ':3\r\n');
    assert.equal(await r('SETRANGE', 'sre:k', '-1', 'x'), '-ERR offset is out of range\r\n');
    assert.equal(await r('SETRANGE', 'sre:k', 'x', 'x'), NOT_INT);
    assert.equal(await r('SETRANGE', 'sre:k', '9223372036854775808', 'x'), NOT_INT);
    assert.equal(await r('SETRANGE', 'sre:k', '9223372036854775807', 'x'), TOO_BIG);
    assert.equal(await r('SETRANGE', 'sre:k', '1048576', 'x'), TOO_BIG);
    assert.equal(await r('SETRANGE', 'sre:none', '1048576', 'x'), TOO_BIG);
    assert.equal(entry('sre:none'), undefined);
    assert.equal(await r('SETRANGE', 'sre:none', '1048575', 'x'), ':1048576\r\n');
    assert.equal(await r('SETRANGE', 'hash', '0', 'x'), WRONGTYPE);
    assert.equal(await r('SETRANGE', 'hash', '-1', 'x'), '-ERR offset is out of range\r\n');
    assert.equal(await r('GET', 'sre:k'), bulk('abc'));
  });

  it('SETRANGE keeps the TTL', async () => {
    clock.set(T0);
    await r('SET', 'srt:k', 'abc', 'EX', '9');
    assert.equal(await r('SETRANGE', 'srt:k', '1', 'X'), ':3\r\n');
    assert.equal(entry('srt:k')?.expireAt, T0 + 9000);
  });

  it('GETRANGE and SUBSTR', async () => {
    await r('SET', 'gr:k', 'This is a string');
    const cases: [string, string, string][] = [
      ['0', '3', 'This'], ['-3', '-1', 'ing'], ['0', '-1', 'This is a string'], ['10', '100', 'string'],
      ['5', '3', ''], ['-1', '-5', ''], ['-100', '2', 'Thi'], ['-100', '-100', 'T'], ['100', '200', ''],
      ['0', '0', 'T'], ['15', '15', 'g'], ['16', '16', ''], ['-5', '-100', ''], ['3', '-100', ''],
      ['-9223372036854775808', '9223372036854775807', 'This is a string'],
      ['9223372036854775807', '-9223372036854775808', ''],
    ];
    for (const [s, e, want] of cases) {
      assert.equal(await r('GETRANGE', 'gr:k', s, e), bulk(want), `${s} ${e}`);
      assert.equal(await r('SUBSTR', 'gr:k', s, e), bulk(want), `SUBSTR ${s} ${e}`);
    }
    assert.equal(await r('GETRANGE', 'gr:none', '0', '-1'), EMPTY_BULK);
    await r('SET', 'gr:e', '');
    assert.equal(await r('GETRANGE', 'gr:e', '0', '-1'), EMPTY_BULK);
    await r('SET', 'gr:n', '12345');
    assert.equal(await r('GETRANGE', 'gr:n', '1', '2'), bulk('23'));
    assert.equal(await r('GETRANGE', 'gr:k', 'x', '1'), NOT_INT);
    assert.equal(await r('GETRANGE', 'gr:k', '0', '9223372036854775808'), NOT_INT);
    assert.equal(await r('GETRANGE', 'hash', '0', '1'), WRONGTYPE);
    assert.equal(await r('GETRANGE', 'hash', 'x', '1'), NOT_INT, 'indexes are parsed first');
    await r('SET', 'gr:b', Buffer.from([0, 255, 13, 10]));
    assert.deepEqual(await redis.getrangeBuffer('gr:b', 1, 2), Buffer.from([255, 13]));
  });

  // -------------------------------------------------------------------------------------------
  // LCS

  it('LCS: subsequence, LEN, missing keys', async () => {
    await r('MSET', 'l:a', 'ohmytext', 'l:b', 'mynewtext');
    assert.equal(await r('LCS', 'l:a', 'l:b'), bulk('mytext'));
    assert.equal(await r('LCS', 'l:a', 'l:b', 'LEN'), ':6\r\n');
    assert.equal(await r('LCS', 'l:a', 'l:none'), EMPTY_BULK);
    assert.equal(await r('LCS', 'l:none', 'l:none2', 'len'), ':0\r\n');
    await r('MSET', 'l:x', 'abc', 'l:y', 'xyz');
    assert.equal(await r('LCS', 'l:x', 'l:y'), EMPTY_BULK);
    assert.equal(await r('LCS', 'l:a', 'l:a'), bulk('ohmytext'));
    await r('MSET', 'l:bin1', Buffer.from([0, 1, 2, 255]), 'l:bin2', Buffer.from([1, 9, 255]));
    assert.deepEqual(await redis.callBuffer('LCS', 'l:bin1', 'l:bin2'), Buffer.from([1, 255]));
  });

  it('LCS IDX (RESP2): ranges from the end, MINMATCHLEN, WITHMATCHLEN', async () => {
    await r('MSET', 'l:a', 'ohmytext', 'l:b', 'mynewtext');
    assert.equal(
      await r('LCS', 'l:a', 'l:b', 'IDX'),
      '*4\r\n$7\r\nmatches\r\n*2\r\n' +
        '*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n' +
        '*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n' +
        '$3\r\nlen\r\n:6\r\n',
    );
    assert.equal(
      await r('LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'),
      '*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n',
    );
    assert.equal(
      await r('LCS', 'l:a', 'l:b', 'idx', 'withmatchlen', 'minmatchlen', '-5'),
      '*4\r\n$7\r\nmatches\r\n*2\r\n' +
        '*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n' +
        '*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n' +
        '$3\r\nlen\r\n:6\r\n',
    );
    assert.equal(
      await r('LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '9223372036854775807'),
      '*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:6\r\n',
    );
    assert.equal(await r('LCS', 'l:a', 'l:none', 'IDX'), '*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n');
  });

  it('LCS IDX (RESP3): a map reply', async () => {
    const c3 = await RawClient.connect(node.port);
    try {
      await c3.call('HELLO', '3');
      const reply = await c3.call('LCS', 'l:a', 'l:b', 'IDX', 'WITHMATCHLEN');
      assert.equal(
        reply.toString('latin1'),
        '%2\r\n$7\r\nmatches\r\n*2\r\n' +
          '*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n' +
          '*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n' +
          '$3\r\nlen\r\n:6\r\n',
      );
      const parsed = parseReply(reply) as Map<unknown, unknown>;
      assert.equal(parsed.get('len'), 6);
      assert.equal((await c3.call('LCS', 'l:a', 'l:b', 'LEN')).toString(), ':6\r\n');
    } finally {
      await c3.close();
    }
  });

  it('LCS errors', async () => {
    assert.equal(await r('LCS', 'l:a', 'hash'), '-ERR The specified keys must contain string values\r\n');
    assert.equal(await r('LCS', 'hash', 'l:a', 'BOGUS'), '-ERR The specified keys must contain string values\r\n');
    assert.equal(await r('LCS', 'l:a', 'l:b', 'BOGUS'), SYNTAX);
    assert.equal(await r('LCS', 'l:a', 'l:b', 'MINMATCHLEN'), SYNTAX);
    assert.equal(await r('LCS', 'l:a', 'l:b', 'MINMATCHLEN', 'x'), NOT_INT);
    assert.equal(await r('LCS', 'l:a', 'l:b', 'LEN', 'IDX'), '-ERR If you want both the length and indexes, please just use IDX.\r\n');
  });

  it('LCS refuses a table larger than proto-max-bulk-len', async () => {
    // (601 * 601 * 4) bytes > 1mb; (500 * 500 * 4) bytes < 1mb.
    await r('MSET', 'll:a', 'a'.repeat(600), 'll:b', 'b'.repeat(600), 'll:c', 'a'.repeat(499));
    assert.equal(
      await r('LCS', 'll:a', 'll:b', 'LEN'),
      '-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n',
    );
    assert.equal(await r('LCS', 'll:a', 'll:b', 'LEN', 'IDX'), '-ERR If you want both the length and indexes, please just use IDX.\r\n');
    assert.equal(await r('LCS', 'll:c', 'll:c', 'LEN'), ':499\r\n');
  });

  it('LCS agrees with a brute-force reference on random strings', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const gen = (): string => Array.from({ length: rand(25) }, () => 'abc'[rand(3)]).join('');
    for (let t = 0; t < 40; t++) {
      const a = gen();
      const b = gen();
      await r('MSET', 'lr:a', a, 'lr:b', b);
      const seq = (await redis.call('LCS', 'lr:a', 'lr:b')) as string;
      assert.equal(seq.length, lcsLength(a, b), `${a} / ${b}`);
      assert.ok(isSubsequence(seq, a) && isSubsequence(seq, b), `${seq} in ${a} / ${b}`);
      // IDX ranges must be equal substrings of a and b, disjoint, descending, summing to len.
      const idx = (await redis.call('LCS', 'lr:a', 'lr:b', 'IDX')) as [string, [[number, number], [number, number]][], string, number];
      let sum = 0;
      let lastA = Infinity;
      for (const [[a0, a1], [b0, b1]] of idx[1]) {
        assert.equal(a.slice(a0, a1 + 1), b.slice(b0, b1 + 1));
        assert.ok(a1 < lastA);
        lastA = a0;
        sum += a1 - a0 + 1;
      }
      assert.equal(sum, idx[3]);
      assert.equal(idx[3], seq.length);
    }
  });
});

/** LCS length by the textbook recurrence (independent of the server's code). */
function lcsLength(a: string, b: string): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = [0];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  return prev[b.length];
}

function isSubsequence(s: string, of: string): boolean {
  let k = 0;
  for (const ch of of) if (k < s.length && s[k] === ch) k++;
  return k === s.length;
}
