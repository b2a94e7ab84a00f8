// Oracle tests for SORT and SORT_RO: the cases of Redis's tests/unit/sort.tcl (datasets of
// every encoding sorted by key, by hash field, with LIMIT, GET, STORE, BY nosort) plus the
// parsing and conversion edges (strtod forms, LIMIT clamping, C-string patterns, WRONGTYPE,
// COMMAND GETKEYS). Replies byte for byte.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

/** A deterministic pseudo-random dataset: n elements pushed with cmd, weights all distinct. */
function dataset(n: number, cmd: 'RPUSH' | 'SADD' | 'ZADD'): Step[] {
  const steps: Step[] = [['DEL', 'tosort']];
  let x = 12345;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    let w: string;
    do {
      x = (x * 1103515245 + 12345) % 2147483648;
      w = i % 2 === 0 ? String(x % 1000000) : (x / 2147483648).toFixed(9);
    } while (seen.has(w));
    seen.add(w);
    steps.push(cmd === 'ZADD' ? ['ZADD', 'tosort', String(i), String(i)] : [cmd, 'tosort', String(i)]);
    steps.push(['SET', `weight_${i}`, w], ['HSET', `wobj_${i}`, 'weight', w]);
  }
  return steps;
}

withOracle('oracle: sort.tcl', (o) => {
  for (const [n, cmd, label] of [
    [16, 'RPUSH', 'small list'],
    [300, 'RPUSH', 'list'],
    [16, 'SADD', 'intset'],
    [300, 'SADD', 'hashtable set'],
    [16, 'ZADD', 'listpack sorted set'],
    [200, 'ZADD', 'skiplist sorted set'],
  ] as const) {
    it(`${label}: BY key, BY hash field, LIMIT, GET, DESC, STORE`, () =>
      o.compare([
        ...dataset(n, cmd).map((s) => ({ cmd: s as readonly string[], ignore: true })),
        ['SORT', 'tosort', 'BY', 'weight_*'],
        ['SORT', 'tosort', 'BY', 'weight_*', 'LIMIT', '5', '5'],
        ['SORT', 'tosort', 'BY', 'wobj_*->weight'],
        ['SORT', 'tosort', 'BY', 'wobj_*->weight', 'DESC', 'LIMIT', '0', '7'],
        ['SORT', 'tosort', 'GET', '#', 'GET', 'weight_*', 'GET', 'wobj_*->weight', 'LIMIT', '3', '4'],
        ['SORT', 'tosort'],
        ['SORT', 'tosort', 'DESC'],
        ['SORT', 'tosort', 'ALPHA'],
        ['SORT', 'tosort', 'ALPHA', 'DESC', 'LIMIT', '2', '3'],
        ['SORT', 'tosort', 'BY', 'weight_*', 'ALPHA'],
        ['SORT', 'tosort', 'BY', 'weight_*', 'STORE', 'sort-res'],
        ['LRANGE', 'sort-res', '0', '-1'],
        ['OBJECT', 'ENCODING', 'sort-res'],
        ['SORT_RO', 'tosort', 'BY', 'weight_*', 'LIMIT', '1', '2'],
      ]));
  }

  it('GET # and GET of a constant or missing key', () =>
    o.compare([
      ['RPUSH', 'l', '3', '1', '2'],
      ['SORT', 'l', 'GET', '#'],
      ['SORT', 'l', 'GET', 'foo'],
      ['SORT', 'l', 'GET', 'nokey_*'],
      ['SET', 'v_1', 'one'],
      ['HSET', 'h_2', 'f', 'two'],
      ['SORT', 'l', 'GET', 'v_*', 'GET', 'h_*->f', 'GET', '#'],
      ['SORT', 'l', 'GET', 'h_*->', 'GET', 'v_*->f'],
      ['SET', 'x:a->', '100'],
      ['DEL', 'ml'],
      ['LPUSH', 'ml', 'a'],
      ['SORT', 'ml', 'BY', 'num', 'GET', 'x:*->'],
      ['RPUSH', 'wrongtypes', 'x'],
      ['SORT', 'l', 'GET', 'wrongtypes', 'GET', 'l'],
      ['SORT', 'l', 'STORE', 'dst', 'GET', 'v_*'],
      ['LRANGE', 'dst', '0', '-1'],
    ]));

  it('ALPHA against integers, sorted sets, floats, ties broken by bytes', () =>
    o.compare([
      ['RPUSH', 'mylist', '2', '1', '3', '10'],
      ['SORT', 'mylist', 'ALPHA'],
      ['SORT', 'mylist'],
      ['ZADD', 'zset', '1', 'a', '5', 'b', '2', 'c', '10', 'd', '3', 'e'],
      ['OBJECT', 'ENCODING', 'zset'],
      ['SORT', 'zset', 'ALPHA', 'DESC'],
      ['OBJECT', 'ENCODING', 'zset'],
      ['DEL', 'fl'],
      ['LPUSH', 'fl', '1.1', '5.10', '3.10', '7.44', '2.1', '5.75', '6.12', '0.25', '1.15'],
      ['SORT', 'fl'],
      ['SADD', 'myset', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'l', 'm', 'n', 'aa', 'aaa', 'azz'],
      ['SORT', 'myset', 'BY', 'score:*'],
      ['SORT', 'myset', 'BY', 'score:*', 'DESC'],
      ['SORT', 'myset', 'ALPHA', 'BY', '_', 'STORE', 'mylist2'],
      ['LRANGE', 'mylist2', '0', '-1'],
    ]));

  it('numeric weights parse as strtod; bad ones fail the command', () =>
    o.compare([
      ['RPUSH', 'n', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      ['MSET', 'w_a', '0x10', 'w_b', ' 12', 'w_c', '1e1', 'w_d', '', 'w_e', '-inf', 'w_f', '+Infinity', 'w_g', '.5', 'w_h', '-0'],
      ['SORT', 'n', 'BY', 'w_*'],
      ['SORT', 'n', 'BY', 'w_*', 'DESC'],
      ['SORT', 'n', 'BY', 'w_*', 'GET', 'w_*'],
      ['SET', 'w_a', Buffer.from('7\0junk')],
      ['SORT', 'n', 'BY', 'w_*'],
      ['SET', 'w_a', 'nan'],
      ['SORT', 'n', 'BY', 'w_*'],
      ['SET', 'w_a', '12 '],
      ['SORT', 'n', 'BY', 'w_*'],
      ['SADD', 'bad', '1', '2', '3', '4', 'not-a-double'],
      ['SORT', 'bad'],
      ['SADD', 'good', '1', '2', '3', '4'],
      ['MSET', 'score:1', '10', 'score:2', '20', 'score:3', '30', 'score:4', 'not-a-double'],
      ['SORT', 'good', 'BY', 'score:*'],
      // Out of range (ERANGE) last: Redis 7.0 never clears errno before strtod, so a stale
      // ERANGE makes its next numeric SORT fail too.
      ['SET', 'w_a', '1e400'],
      ['SORT', 'n', 'BY', 'w_*'],
      ['SET', 'w_a', '1e-400'],
      ['SORT', 'n', 'BY', 'w_*'],
    ]));

  it('BY nosort keeps list and sorted set order, with DESC and LIMIT', () =>
    o.compare([
      ['RPUSH', 'l', 'c', 'a', 'b', 'd', 'e'],
      ['SORT', 'l', 'BY', 'nosort'],
      ['SORT', 'l', 'BY', 'nosort', 'DESC'],
      ['SORT', 'l', 'BY', 'nosort', 'LIMIT', '1', '2'],
      ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', 'l', 'BY', 'nosort', 'STORE', 'ls'],
      ['LRANGE', 'ls', '0', '-1'],
      ['ZADD', 'z', '1', 'a', '5', 'b', '2', 'c', '10', 'd', '3', 'e'],
      ['SORT', 'z', 'BY', 'nosort'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC'],
      ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '3'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3'],
      ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '4', '10'],
      ['SORT', 'z', 'BY', 'nosort', 'GET', '#', 'GET', 'x*'],
      ['SADD', 'is', '5', '3', '9', '1'],
      ['SORT', 'is', 'BY', 'nosort'],
      ['SADD', 'hs', 'x', 'y', 'z', 'w'],
      { cmd: ['SORT', 'hs', 'BY', 'nosort'], sort: true },
    ]));

  it('LIMIT clamping and errors', () =>
    o.compare([
      ['RPUSH', 'l', '5', '3', '1', '4', '2'],
      ['SORT', 'l', 'LIMIT', '0', '0'],
      ['SORT', 'l', 'LIMIT', '-5', '2'],
      ['SORT', 'l', 'LIMIT', '3', '-1'],
      ['SORT', 'l', 'LIMIT', '3', '-7'],
      ['SORT', 'l', 'LIMIT', '10', '2'],
      ['SORT', 'l', 'LIMIT', '4', '100'],
      ['SORT', 'l', 'LIMIT', '9223372036854775807', '9223372036854775807'],
      ['SORT', 'l', 'LIMIT', '-9223372036854775808', '2'],
      ['SORT', 'l', 'LIMIT', '1'],
      ['SORT', 'l', 'LIMIT', 'a', '1'],
      ['SORT', 'l', 'LIMIT', '1', '9223372036854775808'],
      ['SORT', 'l', 'LIMIT', '1', '1', 'STORE'],
      ['SORT', 'l', 'BY'],
      ['SORT', 'l', 'NOSUCHOPTION'],
      ['SORT', 'l', 'ASC', 'DESC', 'ASC'],
      ['SORT', 'missing'],
      ['SORT', 'missing', 'STORE', 'l'],
      ['EXISTS', 'l'],
    ]));

  it('STORE: empty results delete the destination, types are overwritten, SORT_RO refuses STORE', () =>
    o.compare([
      ['SORT', 'foo', 'STORE', 'bar'],
      ['LPUSH', 'foo', 'bar'],
      ['SORT', 'foo', 'ALPHA', 'LIMIT', '10', '10', 'STORE', 'zap'],
      ['EXISTS', 'zap'],
      ['SORT', 'emptylist', 'STORE', 'foo'],
      ['EXISTS', 'foo'],
      ['RPUSH', 'src', '2', '1'],
      ['SET', 'dst', 'string', 'EX', '100'],
      ['SORT', 'src', 'STORE', 'dst'],
      ['TYPE', 'dst'],
      ['TTL', 'dst'],
      ['LRANGE', 'dst', '0', '-1'],
      ['SORT_RO', 'src', 'STORE', 'x'],
      ['SORT_RO', 'src', 'DESC'],
      ['SET', 'str', 'x'],
      ['SORT', 'str'],
      ['SORT_RO', 'str'],
      ['HSET', 'h', 'a', '1'],
      ['SORT', 'h'],
      ['SORT', 'str', 'NOSUCH'],
    ]));

  it('COMMAND GETKEYS extracts the sorted key and the last STORE', () =>
    o.compare([
      ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'def'],
      ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'invalid', 'STORE', 'stillbad', 'STORE', 'def'],
      ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'BY', 'store', 'GET', 'store', 'LIMIT', 'store', 'store'],
      ['COMMAND', 'GETKEYS', 'SORT', 'abc'],
      ['COMMAND', 'GETKEYS', 'SORT_RO', 'abc', 'GET', 'x'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'abc', 'STORE', 'def'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'SORT_RO', 'abc'],
      { cmd: ['COMMAND', 'INFO', 'SORT', 'SORT_RO'] },
    ]));

  it('keys built from binary elements and patterns with a NUL', () =>
    o.compare([
      ['RPUSH', 'b', Buffer.from('a\0b'), Buffer.from('a\0a'), 'a'],
      ['SORT', 'b', 'ALPHA'],
      ['SORT', 'b', 'ALPHA', 'DESC'],
      ['SORT', 'b', 'ALPHA', 'STORE', 'bs'],
      ['LRANGE', 'bs', '0', '-1'],
      ['SET', Buffer.from('k_a\0b'), '3'],
      ['SET', 'k_a', '1'],
      ['SORT', 'b', 'BY', 'k_*', 'GET', 'k_*'],
      ['SORT', 'b', 'BY', Buffer.from('nosort\0*')],
      ['SORT', 'b', 'GET', Buffer.from('k_\0*')],
    ]));
});
