// Oracle tests for the list commands: every reply must be byte-identical to redis-server 7.0's.
// Covers each command and option, every error text and the order in which arguments are checked,
// WRONGTYPE, arity, RESP3, binary elements, keys removed when emptied, encodings and config
// knobs, MEMORY USAGE, the dirty count, and the cases of Redis's tests/unit/type/list.tcl that
// need neither DEBUG nor replication. The blocking commands are in lists-blocking.test.ts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const LARGE = 'x'.repeat(5000);

/** Switches the connection to RESP3 (the reply carries the connection id, which differs). */
const HELLO3: Step = { cmd: ['HELLO', '3'], match: /^%7\r\n/ };

/** RPUSH key e1 e2 ... as one step. */
const rpush = (key: string, ...els: (string | Buffer)[]): Step => ['RPUSH', key, ...els];

withOracle('oracle: lists', (o) => {
  it('LPUSH, RPUSH, LLEN, LINDEX, LPOP, RPOP basics (list.tcl)', () =>
    o.compare([
      ['LPUSH', 'l1', 'aa'],
      ['RPUSH', 'l1', 'bb'],
      ['RPUSH', 'l1', 'cc'],
      ['LLEN', 'l1'],
      ['LINDEX', 'l1', '0'],
      ['LINDEX', 'l1', '1'],
      ['LINDEX', 'l1', '2'],
      ['LINDEX', 'l1', '3'],
      ['RPOP', 'l1'],
      ['LPOP', 'l1'],
      ['OBJECT', 'ENCODING', 'l1'],
      ['TYPE', 'l1'],
      ['RPUSH', 'l2', LARGE],
      ['LPUSH', 'l2', 'b'],
      ['LPUSH', 'l2', 'c'],
      ['LRANGE', 'l2', '0', '-1'],
      ['RPOP', 'l2'],
      ['LPOP', 'l2'],
      ['LPOP', 'l2'],
      ['EXISTS', 'l2'],
      ['LPOP', 'l2'],
      ['RPOP', 'nosuch'],
      ['LLEN', 'nosuch'],
    ]));

  it('variadic pushes, LPUSHX/RPUSHX, DEL', () =>
    o.compare([
      ['LPUSH', 'l', 'a', 'b', 'c', 'd'],
      ['RPUSH', 'l', '0', '1', '2', '3'],
      ['LRANGE', 'l', '0', '-1'],
      ['DEL', 'l'],
      ['EXISTS', 'l'],
      ['LPUSHX', 'x', 'a'],
      ['RPUSHX', 'x', 'a', 'b'],
      ['EXISTS', 'x'],
      rpush('x', LARGE, 'c'),
      ['RPUSHX', 'x', 'd'],
      ['LPUSHX', 'x', 'a'],
      ['RPUSHX', 'x', '42', 'x'],
      ['LPUSHX', 'x', 'y3', 'y2', 'y1'],
      ['LRANGE', 'x', '0', '-1'],
      ['lpush', 'lower', 'v'],
      ['lRaNgE', 'lower', '0', '-1'],
    ]));

  it('binary-safe elements and keys (NUL, CRLF, every byte, empty, protocol-looking)', () =>
    o.compare([
      rpush('bin', ALL_BYTES, Buffer.from([0]), Buffer.from('\r\n'), '', '$3\r\n*1\r\n', 'héllo ☃'),
      ['LRANGE', 'bin', '0', '-1'],
      ['LPOS', 'bin', Buffer.from([0])],
      ['LPOS', 'bin', ''],
      ['LINSERT', 'bin', 'BEFORE', Buffer.from('\r\n'), Buffer.from([0xff, 0])],
      ['LREM', 'bin', '0', ''],
      ['LSET', 'bin', '0', Buffer.from([13, 10, 0])],
      ['LINDEX', 'bin', '0'],
      ['LRANGE', 'bin', '0', '-1'],
      ['RPUSH', Buffer.from([0, 13, 10, 255]), 'v'],
      ['LPOP', Buffer.from([0, 13, 10, 255])],
      ['LMPOP', '1', 'bin', 'RIGHT', 'COUNT', '2'],
      ['BLPOP', 'bin', '0'],
    ]));

  it('integer-looking elements are kept verbatim', () =>
    o.compare([
      rpush('n', '1', '01', '-0', '+1', ' 1', '1.0', I64_MAX, I64_MIN, '9223372036854775808', '-1', '0', '1e3'),
      ['LRANGE', 'n', '0', '-1'],
      ['LREM', 'n', '0', '1'],
      ['LPOS', 'n', '01'],
      ['LPOS', 'n', I64_MIN],
      ['LRANGE', 'n', '0', '-1'],
    ]));

  it('LPOP/RPOP with count (RESP2 and RESP3)', () =>
    o.compare([
      rpush('l', 'a', 'b', 'c', 'd', 'e'),
      ['LPOP', 'l', '0'],
      ['LPOP', 'l', '2'],
      ['RPOP', 'l', '2'],
      ['RPOP', 'l', '5'],
      ['EXISTS', 'l'],
      ['LPOP', 'l', '1'],
      ['LPOP', 'l', '0'],
      ['LPOP', 'l'],
      ['LPOP', 'l', '-1'],
      ['LPOP', 'l', 'x'],
      ['LPOP', 'l', I64_MAX],
      ['LPOP', 'l', '9223372036854775808'],
      ['LPOP', 'l', '1', '2'],
      ['RPOP', 'l', '1', '2', '3'],
      rpush('l', 'a', 'b', 'c'),
      ['RPOP', 'l', I64_MAX],
      HELLO3,
      ['LPOP', 'l', '1'],
      ['LPOP', 'l'],
      ['LPOP', 'l', '0'],
      rpush('l', 'a', 'b', 'c'),
      ['LPOP', 'l', '0'],
      ['RPOP', 'l', '2'],
      ['RPOP', 'l'],
      ['LINDEX', 'l', '0'],
      ['LPOS', 'l', 'z'],
      ['LMPOP', '1', 'l', 'LEFT'],
      { cmd: ['HELLO', '2'], match: /^\*14\r\n/ },
    ]));

  it('LRANGE indexes (list.tcl basics, inverted, out of range, int64 extremes)', () =>
    o.compare([
      rpush('l', LARGE, '1', '2', '3', '4', '5', '6', '7', '8', '9'),
      ['LRANGE', 'l', '1', '-2'],
      ['LRANGE', 'l', '-3', '-1'],
      ['LRANGE', 'l', '4', '4'],
      ['LRANGE', 'l', '6', '2'],
      ['LRANGE', 'l', '-1000', '1000'],
      ['LRANGE', 'l', '0', '-10'],
      ['LRANGE', 'l', '0', '-11'],
      ['LRANGE', 'l', '10', '20'],
      ['LRANGE', 'l', '9', '100'],
      ['LRANGE', 'l', I64_MIN, I64_MAX],
      ['LRANGE', 'l', I64_MAX, I64_MIN],
      ['LRANGE', 'l', '-2', I64_MAX],
      ['LRANGE', 'l', '0', '9223372036854775808'],
      ['LRANGE', 'l', 'x', '1'],
      ['LRANGE', 'l', '0', '1.5'],
      ['LRANGE', 'l', ' 1', '2'],
      ['LRANGE', 'nosuch', '0', '-1'],
      ['LRANGE', 'nosuch', 'x', '1'],
    ]));

  it('LINDEX and LSET (negative, out of range, errors)', () =>
    o.compare([
      rpush('l', '99', '98', LARGE, '96', '95'),
      ['LINDEX', 'l', '-1'],
      ['LINDEX', 'l', '-5'],
      ['LINDEX', 'l', '-6'],
      ['LINDEX', 'l', '5'],
      ['LINDEX', 'l', I64_MIN],
      ['LINDEX', 'l', I64_MAX],
      ['LINDEX', 'l', 'x'],
      ['LINDEX', 'nosuch', 'x'],
      ['LSET', 'l', '1', 'foo'],
      ['LSET', 'l', '-1', 'bar'],
      ['LRANGE', 'l', '0', '-1'],
      ['LSET', 'l', '10', 'foo'],
      ['LSET', 'l', '-6', 'foo'],
      ['LSET', 'l', I64_MIN, 'foo'],
      ['LSET', 'l', 'x', 'foo'],
      ['LSET', 'nosuch', '10', 'foo'],
      ['LSET', 'nosuch', 'x', 'foo'],
      ['EXISTS', 'nosuch'],
    ]));

  it('LINSERT (list.tcl) and its errors', () =>
    o.compare([
      rpush('l', 'a', LARGE, 'c', 'd'),
      ['LINSERT', 'l', 'before', 'c', 'zz'],
      ['LINSERT', 'l', 'AFTER', 'c', 'yy'],
      ['LINSERT', 'l', 'after', 'd', 'dd'],
      ['LINSERT', 'l', 'after', 'bad', 'ddd'],
      ['LINSERT', 'l', 'BEFORE', 'a', 'aa'],
      ['LINSERT', 'l', 'before', 'bad', 'aaa'],
      ['LINSERT', 'l', 'before', 'aa', '42'],
      ['LRANGE', 'l', '0', '-1'],
      rpush('dup', 'p', 'x', 'p'),
      ['LINSERT', 'dup', 'AFTER', 'p', 'q'],
      ['LRANGE', 'dup', '0', '-1'],
      ['LINSERT', 'l', 'aft3r', 'aa', '42'],
      ['LINSERT', 'nosuch', 'aft3r', 'aa', '42'],
      ['LINSERT', 'nosuch', 'before', 'aa', '42'],
      ['EXISTS', 'nosuch'],
    ]));

  it('LREM (list.tcl), extreme counts, key removed when emptied', () =>
    o.compare([
      rpush('l', LARGE, 'foo', 'bar', 'foobar', 'foobared', 'zap', 'bar', 'test', 'foo'),
      ['LREM', 'l', '0', 'bar'],
      ['LRANGE', 'l', '0', '-1'],
      ['LREM', 'l', '1', 'foo'],
      ['LREM', 'l', '1', 'nosuchelement'],
      ['LRANGE', 'l', '0', '-1'],
      ['DEL', 'l'],
      rpush('l', LARGE, 'foo', 'bar', 'foobar', 'foobared', 'zap', 'bar', 'test', 'foo', 'foo'),
      ['LREM', 'l', '-1', 'bar'],
      ['LRANGE', 'l', '0', '-1'],
      ['LREM', 'l', '-2', 'foo'],
      ['LRANGE', 'l', '0', '-1'],
      rpush('o', LARGE, '1', '2', '3'),
      ['LREM', 'o', '1', '2'],
      ['LLEN', 'o'],
      rpush('m', 'a', 'b', 'a', 'c', 'a', 'a'),
      ['LREM', 'm', I64_MIN, 'a'],
      ['LRANGE', 'm', '0', '-1'],
      rpush('m', 'a', 'b', 'a'),
      ['LREM', 'm', I64_MAX, 'a'],
      ['LRANGE', 'm', '0', '-1'],
      ['LREM', 'm', '-9223372036854775807', 'b'],
      ['LREM', 'm', '0', 'c'],
      ['EXISTS', 'm'],
      ['LREM', 'm', 'x', 'a'],
      ['LREM', 'm', '1', 'a'],
    ]));

  it('LTRIM (list.tcl basics, out of range, emptied key)', () => {
    const trims: [string, string][] = [
      ['0', '0'], ['0', '1'], ['0', '2'], ['1', '2'], ['1', '-1'], ['1', '-2'], ['-2', '-1'],
      ['-1', '-1'], ['-5', '-1'], ['-10', '10'], ['0', '5'], ['0', '10'], ['0', '-5'], ['0', '-6'],
      ['3', '1'], ['5', '10'], [I64_MIN, I64_MAX], [I64_MAX, I64_MAX],
    ];
    const script: Step[] = [];
    for (const [a, b] of trims) {
      script.push(['DEL', 't'], rpush('t', '1', '2', '3', '4', LARGE), ['LTRIM', 't', a, b], ['LRANGE', 't', '0', '-1'], ['EXISTS', 't']);
    }
    script.push(['LTRIM', 'nosuch', '0', '1'], ['LTRIM', 'nosuch', 'x', '1'], ['LTRIM', 't', '0', 'x'], ['EXISTS', 'nosuch']);
    return o.compare(script);
  });

  it('LPOS (list.tcl: RANK, COUNT, MAXLEN) and its errors', () =>
    o.compare([
      rpush('l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c'),
      ['LPOS', 'l', 'a'],
      ['LPOS', 'l', 'c'],
      ['LPOS', 'l', 'c', 'RANK', '1'],
      ['LPOS', 'l', 'c', 'RANK', '2'],
      ['LPOS', 'l', 'c', 'RANK', '4'],
      ['LPOS', 'l', 'c', 'RANK', '-1'],
      ['LPOS', 'l', 'c', 'RANK', '-2'],
      ['LPOS', 'l', 'c', 'COUNT', '0'],
      ['LPOS', 'l', 'c', 'COUNT', '1'],
      ['LPOS', 'l', 'c', 'COUNT', '2'],
      ['LPOS', 'l', 'c', 'COUNT', '100'],
      ['LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '2'],
      ['LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1'],
      ['LPOS', 'nosuch', 'c', 'COUNT', '0', 'RANK', '2'],
      ['LPOS', 'nosuch', 'c'],
      ['LPOS', 'l', 'x', 'COUNT', '2', 'RANK', '-1'],
      ['LPOS', 'l', 'x', 'RANK', '-1'],
      ['LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '1'],
      ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '1'],
      ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3'],
      ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3', 'RANK', '-1'],
      ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7', 'RANK', '2'],
      ['LPOS', 'l', 'c', 'MAXLEN', '2'],
      ['LPOS', 'l', 'c', 'MAXLEN', '0'],
      ['lpos', 'l', 'c', 'rank', '2', 'count', '1', 'rank', '3'],
      ['LPOS', 'l', 'c', 'RANK', I64_MAX],
      ['LPOS', 'l', 'c', 'RANK', '-9223372036854775807'],
      ['LPOS', 'l', 'c', 'RANK', I64_MIN],
      ['LPOS', 'l', 'c', 'RANK', I64_MIN, 'COUNT', '1'],
      ['LPOS', 'l', 'c', 'RANK', I64_MIN, 'COUNT', '0', 'MAXLEN', '2'],
      ['LPOS', 'l', 'c', 'RANK', '0'],
      ['LPOS', 'l', 'c', 'RANK', 'x'],
      ['LPOS', 'l', 'c', 'RANK', '9223372036854775808'],
      ['LPOS', 'l', 'c', 'COUNT', '-1'],
      ['LPOS', 'l', 'c', 'COUNT', 'x'],
      ['LPOS', 'l', 'c', 'MAXLEN', '-1'],
      ['LPOS', 'l', 'c', 'MAXLEN', 'x'],
      ['LPOS', 'l', 'c', 'RANK'],
      ['LPOS', 'l', 'c', 'FIRST', '1'],
      ['LPOS', 'l', 'c', 'COUNT', '1', 'bogus'],
      ['LPOS', 'nosuch', 'c', 'RANK', '0'],
      HELLO3,
      ['LPOS', 'l', 'zz'],
      ['LPOS', 'l', 'zz', 'COUNT', '0'],
      ['LPOS', 'nosuch', 'zz', 'COUNT', '0'],
      { cmd: ['HELLO', '2'], match: /^\*14\r\n/ },
    ]));

  it('LMOVE in all four directions, rotation, RPOPLPUSH (list.tcl)', () =>
    o.compare([
      rpush('s', 'a', 'b', 'c', 'd', 'e'),
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['LMOVE', 's', 'd', 'LEFT', 'RIGHT'],
      ['LMOVE', 's', 'd', 'right', 'left'],
      ['LMOVE', 's', 'd', 'Right', 'Right'],
      ['LRANGE', 's', '0', '-1'],
      ['LRANGE', 'd', '0', '-1'],
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['EXISTS', 's'],
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['LMOVE', 'd', 'd', 'LEFT', 'RIGHT'],
      ['LMOVE', 'd', 'd', 'RIGHT', 'LEFT'],
      ['LMOVE', 'd', 'd', 'LEFT', 'LEFT'],
      ['LRANGE', 'd', '0', '-1'],
      rpush('one', 'x'),
      ['LMOVE', 'one', 'one', 'LEFT', 'RIGHT'],
      ['LRANGE', 'one', '0', '-1'],
      ['RPOPLPUSH', 'one', 'one'],
      ['EXISTS', 'one'],
      ['LMOVE', 's', 'd', 'MIDDLE', 'LEFT'],
      ['LMOVE', 's', 'd', 'LEFT', 'MIDDLE'],
      ['LMOVE', 'nosuch', 'd', 'LEFT', 'up'],
      ['LMOVE', 'nosuch', 'd', 'LEFT', 'LEFT'],
      ['EXISTS', 'nosuch'],
      ['DEL', 'd'],
      rpush('m1', 'a', LARGE, 'c', 'd'),
      ['RPOPLPUSH', 'm1', 'm2'],
      ['RPOPLPUSH', 'm1', 'm2'],
      ['LRANGE', 'm1', '0', '-1'],
      ['LRANGE', 'm2', '0', '-1'],
      ['OBJECT', 'ENCODING', 'm2'],
      ['RPOPLPUSH', 'm1', 'm1'],
      ['LRANGE', 'm1', '0', '-1'],
      ['RPOPLPUSH', 'nosuch', 'dst'],
      ['EXISTS', 'nosuch', 'dst'],
    ]));

  it('LMOVE / RPOPLPUSH against other types change nothing', () =>
    o.compare([
      ['SET', 'str', 'x'],
      rpush('src', 'a', 'b', 'c', 'd'),
      ['RPOPLPUSH', 'str', 'dst'],
      ['TYPE', 'str'],
      ['EXISTS', 'dst'],
      ['RPOPLPUSH', 'src', 'str'],
      ['LMOVE', 'src', 'str', 'LEFT', 'RIGHT'],
      ['TYPE', 'str'],
      ['LRANGE', 'src', '0', '-1'],
      ['LMOVE', 'str', 'src', 'LEFT', 'RIGHT'],
      ['LMOVE', 'nosuch', 'str', 'LEFT', 'RIGHT'],
      ['LMOVE', 'str', 'src', 'UP', 'RIGHT'],
    ]));

  it('LMPOP: directions, COUNT, errors in Redis order, RESP3', () =>
    o.compare([
      rpush('a', '1', '2', '3', '4', '5'),
      rpush('b', 'x', 'y'),
      ['LMPOP', '2', 'nosuch', 'a', 'LEFT'],
      ['LMPOP', '2', 'nosuch', 'a', 'RIGHT', 'COUNT', '2'],
      ['LMPOP', '3', 'a', 'b', 'nosuch', 'left', 'count', '10'],
      ['EXISTS', 'a'],
      ['LMPOP', '3', 'a', 'b', 'nosuch', 'RIGHT', 'COUNT', I64_MAX],
      ['LMPOP', '2', 'a', 'b', 'LEFT'],
      ['LMPOP', '1', 'nosuch', 'LEFT', 'COUNT', '1'],
      rpush('a', '1', '2'),
      ['LMPOP', '0', 'a', 'LEFT'],
      ['LMPOP', '-1', 'a', 'LEFT'],
      ['LMPOP', 'x', 'a', 'LEFT'],
      ['LMPOP', I64_MAX, 'a', 'LEFT'],
      ['LMPOP', '9223372036854775808', 'a', 'LEFT'],
      ['LMPOP', '2', 'a', 'LEFT'],
      ['LMPOP', '3', 'a', 'LEFT'],
      ['LMPOP', '1', 'a', 'MIDDLE'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '-1'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
      ['LMPOP', '1', 'a', 'LEFT', 'BOGUS'],
      ['LMPOP', '1', 'a'],
      ['LMPOP', '1'],
      ['LRANGE', 'a', '0', '-1'],
      ['SET', 'str', 'v'],
      ['LMPOP', '2', 'nosuch', 'str', 'LEFT'],
      ['LMPOP', '2', 'a', 'str', 'LEFT'],
      ['LMPOP', '2', 'str', 'a', 'LEFT', 'COUNT', '0'],
      HELLO3,
      ['LMPOP', '1', 'a', 'RIGHT', 'COUNT', '5'],
      ['LMPOP', '1', 'a', 'RIGHT'],
      { cmd: ['HELLO', '2'], match: /^\*14\r\n/ },
    ]));

  it('WRONGTYPE from every list command, and which errors come first', () =>
    o.compare([
      ['SET', 's', 'v'],
      ['LPUSH', 's', 'a'],
      ['RPUSH', 's', 'a'],
      ['LPUSHX', 's', 'a'],
      ['RPUSHX', 's', 'a'],
      ['LPOP', 's'],
      ['RPOP', 's'],
      ['LPOP', 's', '0'],
      ['LPOP', 's', 'x'],
      ['LLEN', 's'],
      ['LRANGE', 's', '0', '-1'],
      ['LRANGE', 's', 'x', '-1'],
      ['LINDEX', 's', '0'],
      ['LINDEX', 's', 'x'],
      ['LSET', 's', '0', 'a'],
      ['LSET', 's', 'x', 'a'],
      ['LINSERT', 's', 'BEFORE', 'a', 'b'],
      ['LINSERT', 's', 'BAD', 'a', 'b'],
      ['LREM', 's', '0', 'a'],
      ['LREM', 's', 'x', 'a'],
      ['LTRIM', 's', '0', '1'],
      ['LTRIM', 's', '0', 'x'],
      ['LPOS', 's', 'a'],
      ['LPOS', 's', 'a', 'RANK', '0'],
      ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 's', 'd'],
      ['LMPOP', '1', 's', 'LEFT'],
      ['BLPOP', 's', '0'],
      ['BRPOP', 's', '0'],
      ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 's', 'd', '0'],
      ['BLMPOP', '0', '1', 's', 'LEFT'],
      ['GET', 's'],
      ['HSET', 'h', 'f', 'v'],
      ['LPUSH', 'h', 'a'],
      ['LRANGE', 'h', '0', '-1'],
      ['RPUSH', 'l', 'a'],
      ['GET', 'l'],
      ['HGET', 'l', 'f'],
    ]));

  it('arity errors', () =>
    o.compare([
      ['LPUSH', 'l'],
      ['RPUSH'],
      ['LPUSHX', 'l'],
      ['RPUSHX', 'l'],
      ['LPOP'],
      ['RPOP'],
      ['LLEN'],
      ['LLEN', 'a', 'b'],
      ['LRANGE', 'l', '0'],
      ['LINDEX', 'l'],
      ['LSET', 'l', '0'],
      ['LINSERT', 'l', 'BEFORE', 'a'],
      ['LREM', 'l', '0'],
      ['LTRIM', 'l', '0'],
      ['LPOS', 'l'],
      ['LMOVE', 'a', 'b', 'LEFT'],
      ['RPOPLPUSH', 'a'],
      ['LMPOP', '1'],
      ['BLPOP', 'l'],
      ['BRPOP', 'l'],
      ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT'],
      ['BRPOPLPUSH', 'a', 'b'],
      ['BLMPOP', '0', '1'],
    ]));

  it('OBJECT ENCODING is always quicklist; fill and compression knobs are accepted', () =>
    o.compare([
      ['RPUSH', 'small', 'a'],
      ['OBJECT', 'ENCODING', 'small'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '4'],
      ['CONFIG', 'GET', 'list-max-listpack-size'],
      ['CONFIG', 'GET', 'list-max-ziplist-size'],
      ['RPUSH', 'four', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ['OBJECT', 'ENCODING', 'four'],
      ['LRANGE', 'four', '2', '6'],
      ['CONFIG', 'SET', 'list-max-ziplist-size', '-5'],
      ['CONFIG', 'GET', 'list-max-listpack-size'],
      ['CONFIG', 'SET', 'list-compress-depth', '1'],
      ['CONFIG', 'GET', 'list-compress-depth'],
      ['RPUSH', 'c', ...Array.from({ length: 300 }, (_, i) => `element-${i}`)],
      ['LINDEX', 'c', '150'],
      ['LRANGE', 'c', '-3', '-1'],
      ['OBJECT', 'ENCODING', 'c'],
      ['CONFIG', 'SET', 'list-compress-depth', '0'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
    ]));

  it('MEMORY USAGE of lists (quicklist model)', () => {
    const els = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
    const script: Step[] = [
      ['RPUSH', 'one', 'a'],
      ['MEMORY', 'USAGE', 'one'],
      ['RPUSH', 'one', 'b', 'c'],
      ['MEMORY', 'USAGE', 'one'],
      ['RPUSH', 'int', '12345', '-7', '100000', '5000000000'],
      ['MEMORY', 'USAGE', 'int'],
      ['RPUSH', 'big', 'a'.repeat(108)],
      ['MEMORY', 'USAGE', 'big'],
      ['RPUSH', 'huge', 'z'.repeat(20000)],
      ['MEMORY', 'USAGE', 'huge'],
      ['RPUSH', 'many', ...els(2000, (i) => `element-${i}`)],
      ['MEMORY', 'USAGE', 'many'],
      ['MEMORY', 'USAGE', 'many', 'SAMPLES', '0'],
      ['MEMORY', 'USAGE', 'many', 'SAMPLES', '1'],
      ['RPUSH', 'nums', ...els(5000, (i) => String(i * 1000003 - 2 ** 31))],
      ['MEMORY', 'USAGE', 'nums'],
      ['RPUSH', 'grow', ...els(300, (i) => 'x'.repeat(i))],
      ['MEMORY', 'USAGE', 'grow'],
      ['MEMORY', 'USAGE', 'grow', 'SAMPLES', '0'],
      ['RPUSH', 'wide', ...els(100, (i) => 'y'.repeat(i * 50))],
      ['MEMORY', 'USAGE', 'wide'],
      ['MEMORY', 'USAGE', 'wide', 'SAMPLES', '0'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '5'],
      ['RPUSH', 'fill5', ...els(23, (i) => String(i))],
      ['MEMORY', 'USAGE', 'fill5'],
      ['MEMORY', 'USAGE', 'fill5', 'SAMPLES', '0'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-1'],
      ['RPUSH', 'fillm1', ...els(1000, (i) => `v${i}`)],
      ['MEMORY', 'USAGE', 'fillm1', 'SAMPLES', '0'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
      ['MEMORY', 'USAGE', 'fill5', 'SAMPLES', '0'],
    ];
    return o.compare(script);
  });

  it('emptied lists are removed; COPY and RENAME carry lists', () =>
    o.compare([
      rpush('l', 'a', 'b', 'c'),
      ['COPY', 'l', 'c1'],
      ['RPUSH', 'c1', 'd'],
      ['LRANGE', 'l', '0', '-1'],
      ['LRANGE', 'c1', '0', '-1'],
      ['OBJECT', 'ENCODING', 'c1'],
      ['RENAME', 'c1', 'c2'],
      ['LRANGE', 'c2', '0', '-1'],
      ['LPOP', 'l', '3'],
      ['EXISTS', 'l'],
      rpush('l', 'a', 'b'),
      ['LREM', 'l', '0', 'a'],
      ['LREM', 'l', '0', 'b'],
      ['EXISTS', 'l'],
      rpush('l', 'a', 'b'),
      ['LTRIM', 'l', '2', '1'],
      ['EXISTS', 'l'],
      rpush('l', 'a'),
      ['RPOPLPUSH', 'l', 'other'],
      ['EXISTS', 'l'],
      ['LMPOP', '1', 'other', 'LEFT', 'COUNT', '5'],
      ['EXISTS', 'other'],
      rpush('l', 'a'),
      ['BRPOP', 'l', '0'],
      ['EXISTS', 'l'],
      ['DBSIZE'],
      ['RPUSH', 'l', 'x'],
      ['EXPIRE', 'l', '100'],
      ['LPUSH', 'l', 'y'],
      ['TTL', 'l'],
    ]));

  it('Mass RPOP/LPOP and LINDEX consistency (list.tcl, 500 elements)', () => {
    const script: Step[] = [['RPUSH', 'n', ...Array.from({ length: 500 }, (_, i) => String(i))]];
    for (let i = 0; i < 500; i += 37) script.push(['LINDEX', 'n', String(i)], ['LINDEX', 'n', String(-i - 1)]);
    for (let i = 0; i < 60; i++) script.push(['LPOP', 'n'], ['RPOP', 'n']);
    script.push(['LLEN', 'n'], ['LRANGE', 'n', '100', '110'], ['LINSERT', 'n', 'AFTER', '200', 'mid'], ['LPOS', 'n', 'mid']);
    script.push(['LREM', 'n', '0', '250'], ['LRANGE', 'n', '130', '135']);
    return o.compare(script);
  });

  it('dirty count (rdb_changes_since_last_save) per command matches Redis', async () => {
    const changes: Step = { cmd: ['INFO', 'persistence'], ignore: true };
    const ops: Step[] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c'],
      ['LPUSH', 'l', 'x'],
      ['LPUSHX', 'nosuch', 'x'],
      ['LPOP', 'l'],
      ['RPOP', 'l', '2'],
      ['LPOP', 'l', '0'],
      ['LSET', 'l', '0', 'z'],
      ['LINSERT', 'l', 'BEFORE', 'z', 'y'],
      ['LINSERT', 'l', 'BEFORE', 'nope', 'y'],
      ['LREM', 'l', '0', 'b'],
      ['RPUSH', 'l', '1', '2', '3', '4'],
      ['LTRIM', 'l', '1', '-2'],
      ['LTRIM', 'l', '0', '-1'],
      ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'],
      ['LMPOP', '2', 'nosuch', 'l', 'LEFT', 'COUNT', '2'],
      ['BLPOP', 'm', '0'],
      ['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '9'],
    ];
    const script: Step[] = [];
    for (const op of ops) script.push(changes, op, changes);
    const r = await o.run(script);
    const dirty = (raw: Buffer): number => Number(/rdb_changes_since_last_save:(\d+)/.exec(raw.toString('latin1'))?.[1]);
    for (let i = 0; i < ops.length; i++) {
      const d = (side: Buffer[]): number => dirty(side[3 * i + 2]) - dirty(side[3 * i]);
      assert.equal(d(r.shoal), d(r.redis), `dirty delta of ${JSON.stringify(ops[i])}`);
    }
  });
});
