// Oracle tests for the bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO): every reply must be byte-identical to redis-server 7.0's. Includes the cases of
// Redis's own suites (tests/unit/bitops.tcl, tests/unit/bitfield.tcl) that need no replication
// or large memory, scaled down, with random loops on fixed seeds; error texts and the order in
// which Redis checks arguments, key and type; RESP3; dirty and hit/miss counters; and a seeded
// differential fuzz over random strings, ranges and field operations (BITMAPS_FUZZ_SEEDS=1,2,...
// runs more seeds).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createRng, type Rng } from '../../src/lib/rng.js';
import { withOracle, type OracleContext, type Step } from '../helpers/oracle.js';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const b = (...v: number[]): Buffer => Buffer.from(v);
/** Seeds of the differential fuzz; BITMAPS_FUZZ_SEEDS=1,2,... runs more. */
const FUZZ_SEEDS = (process.env['BITMAPS_FUZZ_SEEDS'] ?? '31').split(',').map(Number);

/** Random bytes, biased towards 0x00 / 0xff runs so first-bit scans have work to do. */
function randomBytes(r: Rng, len: number): Buffer {
  const out = Buffer.alloc(len);
  const mode = r.int(4);
  for (let i = 0; i < len; i++) {
    if (mode === 0) out[i] = r.int(256);
    else if (mode === 1) out[i] = r.int(20) === 0 ? r.int(256) : 0;
    else if (mode === 2) out[i] = r.int(20) === 0 ? r.int(256) : 0xff;
    else out[i] = r.int(2) === 0 ? 0 : 0xff;
  }
  return out;
}

/** A random index argument around a string of len units (negative, in range, past the end, huge). */
function randomIndex(r: Rng, len: number): string {
  switch (r.int(8)) {
    case 0:
      return String(-r.int(len + 3) - 1);
    case 1:
      return String(len + r.int(5));
    case 2:
      return [I64_MAX, I64_MIN, '-9007199254740993', '9007199254740993'][r.int(4)];
    default:
      return String(r.int(len + 1));
  }
}

/**
 * Runs script on both servers with INFO persistence after each marked step and asserts that
 * rdb_changes_since_last_save moved by the same amount on both (absolute values depend on what
 * earlier tests did).
 */
async function compareDirty(o: OracleContext, steps: Step[]): Promise<void> {
  const info: Step = { cmd: ['INFO', 'persistence'], ignore: true };
  const script: Step[] = [info];
  for (const s of steps) script.push(s, info);
  const res = await o.run(script);
  const changes = (raw: Buffer[]): number[] =>
    raw
      .filter((x) => x.includes('rdb_changes_since_last_save'))
      .map((x) => Number(/rdb_changes_since_last_save:(\d+)/.exec(x.toString('latin1'))?.[1]));
  const deltas = (v: number[]): number[] => v.slice(1).map((x, i) => x - v[i]);
  assert.deepEqual(deltas(changes(res.shoal)), deltas(changes(res.redis)));
}

withOracle('oracle: bitmaps', (o) => {
  // -------------------------------------------------------------------------------------------
  // SETBIT / GETBIT

  it('SETBIT / GETBIT basics: creation, previous bit, zero padding, raw encoding', () =>
    o.compare([
      ['SETBIT', 'k', '7', '1'],
      ['GET', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
      ['SETBIT', 'k', '7', '1'],
      ['SETBIT', 'k', '7', '0'],
      ['SETBIT', 'k', '0', '1'],
      ['GET', 'k'],
      ['SETBIT', 'k', '100', '1'],
      ['STRLEN', 'k'],
      ['GET', 'k'],
      ['GETBIT', 'k', '0'],
      ['GETBIT', 'k', '1'],
      ['GETBIT', 'k', '100'],
      ['GETBIT', 'k', '101'],
      ['GETBIT', 'k', '10000'],
      ['GETBIT', 'k', '4294967295'],
      ['GETBIT', 'nokey', '0'],
      ['EXISTS', 'nokey'],
      ['SETBIT', 'z', '0', '0'],
      ['EXISTS', 'z'],
      ['GET', 'z'],
      ['SETBIT', 'z', '15', '0'],
      ['STRLEN', 'z'],
      ['SETBIT', Buffer.from('k\r\n\0'), '9', '1'],
      ['GET', Buffer.from('k\r\n\0')],
      ['setbit', 'lower', '3', '1'],
      ['gEtBiT', 'lower', '3'],
    ]));

  it('SETBIT / GETBIT on existing values: int and embstr become raw, TTL kept, binary', () =>
    o.compare([
      ['SET', 'n', '12'],
      ['GETBIT', 'n', '2'],
      ['GETBIT', 'n', '3'],
      ['OBJECT', 'ENCODING', 'n'],
      ['SETBIT', 'n', '2', '1'],
      ['OBJECT', 'ENCODING', 'n'],
      ['SET', 'n2', '12'],
      ['SETBIT', 'n2', '2', '0'],
      ['OBJECT', 'ENCODING', 'n2'],
      ['GET', 'n2'],
      ['SET', 'e', 'hello'],
      ['SETBIT', 'e', '7', '1'],
      ['GET', 'e'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SET', 't', 'abc', 'EX', '1000'],
      ['SETBIT', 't', '40', '1'],
      { cmd: ['TTL', 't'], approx: true },
      ['GET', 't'],
      ['SET', 'bin', b(0, 13, 10, 255)],
      ['SETBIT', 'bin', '0', '1'],
      ['SETBIT', 'bin', '31', '0'],
      ['GET', 'bin'],
      ['GETBIT', 'bin', '12'],
      ['GETBIT', 'bin', '13'],
    ]));

  it('SETBIT / GETBIT argument errors and the proto-max-bulk-len limit', () =>
    o.compare([
      ['SETBIT', 'k', '-1', '1'],
      ['SETBIT', 'k', 'x', '1'],
      ['SETBIT', 'k', '1.5', '1'],
      ['SETBIT', 'k', '', '1'],
      ['SETBIT', 'k', ' 1', '1'],
      ['SETBIT', 'k', '4294967296', '1'],
      ['SETBIT', 'k', I64_MAX, '1'],
      ['SETBIT', 'k', '99999999999999999999', '1'],
      ['SETBIT', 'k', '0', '2'],
      ['SETBIT', 'k', '0', '-1'],
      ['SETBIT', 'k', '0', 'x'],
      ['SETBIT', 'k', '0', ''],
      ['SETBIT', 'k', '0', I64_MIN],
      ['SETBIT', 'k', '0', '99999999999999999999'],
      ['SETBIT', 'k', '-1', 'x'],
      ['EXISTS', 'k'],
      ['GETBIT', 'k', '-1'],
      ['GETBIT', 'k', 'x'],
      ['GETBIT', 'k', '4294967296'],
      ['SETBIT', 'k'],
      ['SETBIT', 'k', '1'],
      ['SETBIT', 'k', '1', '1', '1'],
      ['GETBIT', 'k'],
      ['GETBIT', 'k', '1', '2'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'],
      ['SETBIT', 'big', '8388608', '1'],
      ['BITFIELD', 'big', 'SET', 'u8', '8388608', '1'],
      ['BITFIELD', 'big', 'GET', 'u8', '#1048576'],
      ['BITFIELD', 'big', 'GET', 'u8', '#1048575'],
      ['SETBIT', 'big', '8388607', '1'],
      ['STRLEN', 'big'],
      ['GETBIT', 'big', '8388607'],
      ['GETBIT', 'big', '8388608'],
      ['BITCOUNT', 'big'],
      ['BITPOS', 'big', '1'],
      ['BITPOS', 'big', '0', '-1'],
      ['BITFIELD', 'big', 'GET', 'i64', '8388600', 'SET', 'i64', '8388607', '-1'],
      ['STRLEN', 'big'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
    ]));

  it('WRONGTYPE for every command, after argument checks where Redis parses first', () =>
    o.compare([
      ['RPUSH', 'list', 'a', 'b'],
      ['SETBIT', 'list', '0', '1'],
      ['SETBIT', 'list', '-1', '1'],
      ['SETBIT', 'list', '0', '5'],
      ['GETBIT', 'list', '0'],
      ['GETBIT', 'list', 'x'],
      ['BITCOUNT', 'list'],
      ['BITCOUNT', 'list', '0', '1'],
      ['BITCOUNT', 'list', '-6', '-7'],
      ['BITCOUNT', 'list', '-6', '-15', 'BIT'],
      ['BITCOUNT', 'list', 'a', 'b'],
      ['BITCOUNT', 'list', '0'],
      ['BITPOS', 'list', '0'],
      ['BITPOS', 'list', '1', '10', '100'],
      ['BITPOS', 'list', 'a'],
      ['BITPOS', 'list', '2'],
      ['BITPOS', 'list', '1', 'a', 'b'],
      ['BITOP', 'AND', 'dest', 'list'],
      ['SET', 's', 'x'],
      ['BITOP', 'XOR', 'dest', 's', 'list', 'missing'],
      ['EXISTS', 'dest'],
      ['BITOP', 'NOT', 'dest', 'list'],
      ['BITFIELD', 'list', 'GET', 'u8', '0'],
      ['BITFIELD', 'list', 'SET', 'u8', '0', '1'],
      ['BITFIELD', 'list', 'GET', 'u8', 'x'],
      ['BITFIELD', 'list'],
      ['BITFIELD_RO', 'list', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'list'],
      ['BITFIELD_RO', 'list', 'SET', 'u8', '0', '1'],
      ['TYPE', 'list'],
      ['LRANGE', 'list', '0', '-1'],
    ]));

  // -------------------------------------------------------------------------------------------
  // BITCOUNT

  it('BITCOUNT: test vectors, ranges in bytes and bits, out-of-range and negative indexes', () =>
    o.compare([
      ['BITCOUNT', 'no-key'],
      ['BITCOUNT', 'no-key', '0', '1000', 'BIT'],
      ...['', '\xaa', '\x00\x00\xff', 'foobar', '123'].flatMap((v): Step[] => [
        ['SET', 'str', Buffer.from(v, 'latin1')],
        ['BITCOUNT', 'str'],
        ['BITCOUNT', 'str', '0', '-1', 'BIT'],
        ['BITCOUNT', 'str', '0', '-1', 'byte'],
      ]),
      ['SET', 'str', 'xxxx'],
      ['BITCOUNT', 'str', '4', '10'],
      ['BITCOUNT', 'str', '32', '87', 'BIT'],
      ['BITCOUNT', 'str', '-6', '-7'],
      ['BITCOUNT', 'str', '-6', '-15', 'BIT'],
      ['DEL', 'str'],
      ['BITCOUNT', 'str', '-6', '-7'],
      ['BITCOUNT', 'str', '-6', '-15', 'BIT'],
      ['SET', 's', 'foobar'],
      ...[
        ['0', '-1'], ['1', '-2'], ['-2', '1'], ['0', '1000'], ['0', '0'], ['1', '1'], ['-1', '-1'],
        ['-100', '-1'], ['-100', '-50'], ['5', '3'], [I64_MIN, I64_MAX], [I64_MAX, I64_MAX],
        [I64_MIN, I64_MIN], ['-9223372036854775807', I64_MIN], ['-9007199254740993', '-9007199254740994'],
      ].flatMap(([s, e]): Step[] => [
        ['BITCOUNT', 's', s, e],
        ['BITCOUNT', 's', s, e, 'BIT'],
      ]),
      ...[
        ['10', '14'], ['3', '14'], ['3', '29'], ['10', '-34'], ['3', '-34'], ['3', '-19'], ['-2', '1'],
        ['0', '1000'], ['5', '30'], ['7', '7'], ['8', '8'], ['0', '7'], ['1', '6'], ['47', '47'], ['46', '100'],
      ].map(([s, e]): Step => ['BITCOUNT', 's', s, e, 'BIT']),
      ['SET', 'str', 'ab'],
      ['BITCOUNT', 'str', '1', '-1'],
      ['SET', 'str', '__PPxxxxxxxxxxxxxxxxRR__'],
      ['BITCOUNT', 'str', '2', '-3'],
      ['SETBIT', 'foo', '0', '1'],
      ['BITCOUNT', 'foo', '0', '4294967296'],
      ['SET', 'n', '-1234567'],
      ['BITCOUNT', 'n'],
      ['BITCOUNT', 'n', '1', '2'],
      ['SET', 'empty', ''],
      ['BITCOUNT', 'empty', '0', '0'],
      ['BITCOUNT', 'empty', '0', '-1', 'BIT'],
    ]));

  it('BITCOUNT argument errors: syntax, non-integers, and the missing key answering 0 first', () =>
    o.compare([
      ['BITCOUNT', 's', '0'],
      ['BITCOUNT', 's', '0', '1', 'hello'],
      ['BITCOUNT', 's', 'a', 'b'],
      ['BITCOUNT', 's', '0', '1', 'hello', 'hello2'],
      ['SET', 's', '1'],
      ['BITCOUNT', 's', '0'],
      ['BITCOUNT', 's', '0', '1', 'hello'],
      ['BITCOUNT', 's', '0', '1', 'hello', 'hello2'],
      ['BITCOUNT', 's', 'a', 'b'],
      ['BITCOUNT', 's', '1', 'x', 'foo'],
      ['BITCOUNT', 's', 'x', '1', 'foo'],
      ['BITCOUNT', 's', '0', '1', Buffer.from('bit\0x')],
      ['BITCOUNT', 's', '0', '1', 'bits'],
      ['BITCOUNT', 's', '0', '1', 'BiT'],
      ['BITCOUNT', 's', '0', '1.0'],
      ['BITCOUNT', 's', '0', '99999999999999999999'],
      ['BITCOUNT'],
    ]));

  it('BITCOUNT over long strings (word-at-a-time counting at every alignment)', () => {
    const r = createRng(11);
    const steps: Step[] = [];
    for (let i = 0; i < 30; i++) {
      steps.push(['SET', 'long', randomBytes(r, 60 + r.int(3000))]);
      steps.push(['BITCOUNT', 'long']);
      for (let k = 0; k < 4; k++) {
        const s = r.int(12);
        steps.push(['BITCOUNT', 'long', String(s), String(-1 - r.int(12))]);
        steps.push(['BITCOUNT', 'long', String(s * 8 + r.int(8)), String(-1 - r.int(100)), 'BIT']);
      }
    }
    return o.compare(steps);
  });

  // -------------------------------------------------------------------------------------------
  // BITPOS

  it('BITPOS: empty and missing keys, short strings, unaligned starts, intervals', () =>
    o.compare([
      ['BITPOS', 'str', '0'],
      ['BITPOS', 'str', '0', '0', '-1', 'BIT'],
      ['BITPOS', 'str', '1'],
      ['BITPOS', 'str', '1', '0', '-1'],
      ['SET', 'str', b(0xff, 0xf0, 0x00)],
      ['BITPOS', 'str', '0'],
      ['BITPOS', 'str', '0', '0', '-1', 'BIT'],
      ['BITPOS', 'str', '0', '1'],
      ['BITPOS', 'str', '0', '1', '-1', 'BIT'],
      ['SET', 'str', b(0x00, 0x0f, 0x00)],
      ['BITPOS', 'str', '1'],
      ['BITPOS', 'str', '1', '0', '-1', 'BIT'],
      ['SET', 'str', b(0x00, 0x0f, 0xff)],
      ['BITPOS', 'str', '1', '1'],
      ['BITPOS', 'str', '1', '1', '-1', 'BIT'],
      ['SET', 'str', b(0x00, 0xff, 0x00)],
      ...[
        ['0', '0', '-1'], ['0', '1', '-1'], ['0', '2', '-1'], ['0', '2', '200'], ['0', '1', '1'],
        ['1', '0', '-1'], ['1', '1', '-1'], ['1', '2', '-1'], ['1', '2', '200'], ['1', '1', '1'],
      ].flatMap(([bit, s, e]): Step[] => [['BITPOS', 'str', bit, s, e]]),
      ...[
        ['0', '0', '-1'], ['0', '8', '-1'], ['0', '16', '-1'], ['0', '16', '200'], ['0', '8', '8'],
        ['1', '0', '-1'], ['1', '8', '-1'], ['1', '16', '-1'], ['1', '16', '200'], ['1', '8', '8'],
      ].map(([bit, s, e]): Step => ['BITPOS', 'str', bit, s, e, 'BIT']),
      ['SET', 'str', b(0xff, 0xff, 0xff)],
      ['BITPOS', 'str', '0'],
      ['BITPOS', 'str', '0', '0'],
      ['BITPOS', 'str', '0', '0', '-1'],
      ['BITPOS', 'str', '0', '0', '-1', 'BIT'],
      ['BITPOS', 'str', '0', '0', '23', 'BIT'],
      ['BITPOS', 'str', '0', '3', '5', 'BIT'],
      ['BITPOS', 'str', '0', '-5'],
      ['BITPOS', 'str', '1', '5', '2'],
      ['BITPOS', 'str', '1', '-1', '-3'],
      ['BITPOS', 'str', '1', I64_MIN, I64_MAX],
      ['BITPOS', 'str', '0', I64_MAX],
      ['SET', 'e', ''],
      ['BITPOS', 'e', '0'],
      ['BITPOS', 'e', '1'],
      ['BITPOS', 'e', '0', '0'],
      ['BITPOS', 'e', '0', '0', '-1', 'BIT'],
      ['SET', 'n', '42'],
      ['BITPOS', 'n', '1'],
      ['BITPOS', 'n', '0', '1'],
    ]));

  it('BITPOS unaligned prefix + full words + remainder, and an all-zero string growing', () => {
    const ones: Step[] = [['SET', 'str', Buffer.concat([Buffer.alloc(27, 0xff), b(0x0f)])]];
    const zeros: Step[] = [['SET', 'str', Buffer.concat([Buffer.alloc(27, 0), b(0xf0)])]];
    for (let s = 0; s <= 8; s++) {
      ones.push(['BITPOS', 'str', '0', String(s)], ['BITPOS', 'str', '0', String(s * 8 + 1), '-1', 'BIT']);
      zeros.push(['BITPOS', 'str', '1', String(s)], ['BITPOS', 'str', '1', String(s * 8 + 1), '-1', 'BIT']);
    }
    const grow: Step[] = [['SET', 'z', '']];
    for (let j = 0; j < 20; j++) grow.push(['BITPOS', 'z', '1'], ['BITPOS', 'z', '1', '0', '-1', 'BIT'], ['APPEND', 'z', b(0)]);
    return o.compare([...ones, ...zeros, ...grow]);
  });

  it('BITPOS argument errors and their order against missing keys and other types', () =>
    o.compare([
      ['BITPOS', 's', '0', '1', 'hello', 'hello2'],
      ['BITPOS', 's', '0', '0', '1', 'hello'],
      ['BITPOS', 's', 'b'],
      ['BITPOS', 's', '0', 'a', 'b'],
      ['BITPOS', 's', '2'],
      ['BITPOS', 's', '-1'],
      ['BITPOS', 's', I64_MAX],
      ['BITPOS', 's', '1', 'x'],
      ['SET', 's', '1'],
      ['BITPOS', 's', '0', '1', 'hello', 'hello2'],
      ['BITPOS', 's', '0', '0', '1', 'hello'],
      ['BITPOS', 's', 'a'],
      ['BITPOS', 's', '0', 'a', 'b'],
      ['BITPOS', 's', '1', '0', 'x', 'foo'],
      ['BITPOS', 's', '1', 'x', '0', 'BIT'],
      ['BITPOS', 's', '1', '0', 'x', 'BIT'],
      ['BITPOS', 's', '1', '0', '1', Buffer.from('byte\0zz')],
      ['BITPOS', 's', '1', '0', '-1', 'bYtE'],
      ['BITPOS', 's', '2', '0', '-1', 'foo'],
      ['BITPOS', 's'],
    ]));

  it('BITPOS / BITCOUNT with one bit flipped in a 10-byte string (suite fuzz, every position)', () => {
    const r = createRng(3);
    const steps: Step[] = [['SETBIT', 'str', '79', '0']];
    const probe = (s1: number, e1: number, s2: number, e2: number, bit: number, unit: string): void => {
      let start = s1 + r.int(e1 - s1 + 1);
      let end = s2 + r.int(e2 - s2 + 1);
      if (start > end) [start, end] = [end, start];
      steps.push(['BITPOS', 'str', String(bit), String(start), String(end), unit]);
      steps.push(['BITCOUNT', 'str', String(start), String(end), unit]);
    };
    for (let bit = 0; bit < 2; bit++) {
      steps.push(['BITOP', 'NOT', 'str', 'str']);
      for (let j = 0; j < 80; j++) {
        steps.push(['SETBIT', 'str', String(j), String(bit)]);
        for (const [curr, end, unit] of [[j >> 3, 10, 'byte'], [j, 80, 'bit']] as const) {
          probe(curr, curr, curr, curr, bit, unit);
          if (curr > 0) probe(0, curr, 0, curr, bit, unit);
          if (curr < end - 1) probe(curr + 1, end, curr + 1, end, bit, unit);
          if (curr > 0 && curr < end - 1) probe(0, curr, curr + 1, end, bit, unit);
        }
        steps.push(['SETBIT', 'str', String(j), String(1 - bit)]);
      }
    }
    return o.compare(steps);
  });

  it('BITPOS fuzz with SETBIT over a 64k-bit string (suite, scaled down)', () => {
    const r = createRng(5);
    const max = 524288;
    const steps: Step[] = [];
    for (let j = 0; j < 150; j++) {
      steps.push(['BITPOS', 'one', '1'], ['BITPOS', 'one', '1', '0', '-1', 'BIT']);
      steps.push(['SETBIT', 'one', String(r.int(max)), '1']);
    }
    steps.push(['SET', 'zero', Buffer.alloc(max / 8, 0xff)]);
    for (let j = 0; j < 150; j++) {
      steps.push(['BITPOS', 'zero', '0'], ['BITPOS', 'zero', '0', '0', '-1', 'BIT']);
      steps.push(['SETBIT', 'zero', String(r.int(max)), '0']);
    }
    steps.push(['BITCOUNT', 'one'], ['BITCOUNT', 'zero'], ['BITCOUNT', 'zero', '100', '-100']);
    return o.compare(steps);
  });

  // -------------------------------------------------------------------------------------------
  // BITOP

  it('BITOP: NOT, single inputs, missing keys, zero padding, dest among the sources', () =>
    o.compare([
      ['SET', 's', ''],
      ['BITOP', 'NOT', 'dest', 's'],
      ['GET', 'dest'],
      ['EXISTS', 'dest'],
      ['SET', 's', b(0xaa, 0x00, 0xff, 0x55)],
      ['BITOP', 'NOT', 'dest', 's'],
      ['GET', 'dest'],
      ['OBJECT', 'ENCODING', 'dest'],
      ['BITOP', 'NOT', 'dest', 's', 's'],
      ['BITOP', 'not', 'dest'],
      ['BITOP', 'NOT', 's', 's'],
      ['GET', 's'],
      ['SET', 'a', b(0x01, 0x02, 0xff)],
      ['BITOP', 'AND', 'res1', 'a'],
      ['BITOP', 'OR', 'res2', 'a'],
      ['BITOP', 'XOR', 'res3', 'a'],
      ['MGET', 'res1', 'res2', 'res3'],
      ['BITOP', 'and', 'res1', 'no-such-key', 'a'],
      ['BITOP', 'Or', 'res2', 'no-such-key', 'a', 'no-such-key'],
      ['BITOP', 'xOR', 'res3', 'no-such-key', 'a'],
      ['MGET', 'res1', 'res2', 'res3'],
      ['SET', 'a', b(0x01, 0x02, 0xff, 0xff)],
      ['SET', 'b', b(0x01, 0x02, 0xff)],
      ['BITOP', 'AND', 'res1', 'a', 'b'],
      ['BITOP', 'OR', 'res2', 'a', 'b'],
      ['BITOP', 'XOR', 'res3', 'a', 'b'],
      ['BITOP', 'AND', 'res4', 'b', 'a'],
      ['MGET', 'res1', 'res2', 'res3', 'res4'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['BITOP', 'XOR', 'dest', 'a', 'b', 'a'],
      ['GET', 'dest'],
      ['OBJECT', 'ENCODING', 'dest'],
      ['SET', 'z', Buffer.alloc(32)],
      ['BITOP', 'OR', 'x', 'z', 'nothing'],
      ['STRLEN', 'x'],
      ['BITOP', 'AND', 'a', 'a', 'b'],
      ['GET', 'a'],
    ]));

  it('BITOP destination: TTL cleared, other types replaced, deleted when every source is empty', () =>
    o.compare([
      ['SET', 'src', 'abc'],
      ['SET', 'dest', 'old', 'EX', '100'],
      ['BITOP', 'OR', 'dest', 'src'],
      ['TTL', 'dest'],
      ['GET', 'dest'],
      ['RPUSH', 'dlist', 'x'],
      ['BITOP', 'OR', 'dlist', 'src'],
      ['TYPE', 'dlist'],
      ['GET', 'dlist'],
      ['BITOP', 'AND', 'dest', 'missing1', 'missing2'],
      ['EXISTS', 'dest'],
      ['BITOP', 'AND', 'dest', 'missing1'],
      ['SET', 'empty', ''],
      ['BITOP', 'XOR', 'dlist', 'empty', 'missing'],
      ['EXISTS', 'dlist'],
      ['RPUSH', 'dlist2', 'x'],
      ['BITOP', 'OR', 'dlist2', 'empty'],
      ['EXISTS', 'dlist2'],
      ['BITOP', 'NOT', 'dest', 'empty'],
      ['EXISTS', 'dest'],
    ]));

  it('BITOP errors: unknown operation, NOT arity, command arity', () =>
    o.compare([
      ['SET', 'a', 'x'],
      ['BITOP', 'NAND', 'dest', 'a'],
      ['BITOP', 'ANDX', 'dest', 'a'],
      ['BITOP', 'DIFF', 'dest', 'a', 'a'],
      ['BITOP', 'ONE', 'dest', 'a'],
      ['BITOP', Buffer.from('and\0'), 'dest', 'a'],
      ['BITOP', '', 'dest', 'a'],
      ['BITOP', 'NOT', 'dest', 'a', 'a'],
      ['BITOP', 'AND', 'dest'],
      ['BITOP', 'AND'],
      ['EXISTS', 'dest'],
    ]));

  it('BITOP fuzzing against random inputs (AND OR XOR NOT)', () => {
    const r = createRng(9);
    const steps: Step[] = [];
    for (const op of ['AND', 'OR', 'XOR', 'NOT']) {
      for (let i = 0; i < 8; i++) {
        const n = op === 'NOT' ? 1 : 1 + r.int(10);
        const keys: string[] = [];
        for (let j = 0; j < n; j++) {
          keys.push(`v${j}`);
          steps.push(['SET', `v${j}`, randomBytes(r, r.int(300))]);
        }
        if (op !== 'NOT' && r.int(3) === 0) keys.push('never-set');
        steps.push(['BITOP', op, 'target', ...keys], ['GET', 'target'], ['STRLEN', 'target']);
      }
    }
    return o.compare(steps);
  });

  // -------------------------------------------------------------------------------------------
  // BITFIELD

  it('BITFIELD suite basics: signed/unsigned SET and GET, #<idx>, INCRBY, chaining', () =>
    o.compare([
      ['BITFIELD', 'bits', 'SET', 'i8', '0', '-100'],
      ['BITFIELD', 'bits', 'SET', 'i8', '0', '101'],
      ['BITFIELD', 'bits', 'GET', 'i8', '0'],
      ['DEL', 'bits'],
      ['BITFIELD', 'bits', 'SET', 'u8', '0', '255'],
      ['BITFIELD', 'bits', 'SET', 'u8', '0', '100'],
      ['BITFIELD', 'bits', 'GET', 'u8', '0'],
      ['DEL', 'bits'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '65'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#1', '66'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#2', '67'],
      ['GET', 'bits'],
      ['OBJECT', 'ENCODING', 'bits'],
      ['DEL', 'bits'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '10'],
      ['BITFIELD', 'bits', 'INCRBY', 'u8', '#0', '100'],
      ['BITFIELD', 'bits', 'INCRBY', 'u8', '#0', '100'],
      ['DEL', 'bits'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '10'],
      ['BITFIELD', 'bits', 'INCRBY', 'u8', '#0', '100', 'INCRBY', 'u8', '#0', '100'],
      ['SET', 'bits', '1'],
      ['BITFIELD', 'bits', 'GET', 'u1', '0'],
      ['OBJECT', 'ENCODING', 'bits'],
      ['DEL', 'mystring'],
      ['BITFIELD', 'mystring', 'SET', 'i8', '0', '10', 'SET', 'i8', '64', '10', 'INCRBY', 'i8', '10', '99900'],
      ['GET', 'mystring'],
      ['BITFIELD', 'mystring', 'GET', 'u4', '0', 'GET', 'i4', '4', 'GET', 'u63', '1', 'GET', 'i64', '3', 'GET', 'i64', '72'],
      ['BITFIELD', 'mystring', 'get', 'u8', '#1', 'Get', 'i64', '#1', 'gEt', 'u2', '#40'],
      ['BITFIELD', 'nokey', 'GET', 'u8', '0', 'GET', 'i64', '1000'],
      ['EXISTS', 'nokey'],
      ['BITFIELD', 'nokey'],
      ['BITFIELD_RO', 'nokey'],
      ['BITFIELD_RO', 'mystring', 'GET', 'i8', '0', 'GET', 'u8', '#8'],
    ]));

  it('BITFIELD overflow: WRAP, SAT, FAIL for signed and unsigned, mode changes mid-command', () =>
    o.compare([
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '100'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '#0', '257'],
      ['BITFIELD', 'bits', 'GET', 'u8', '#0'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'wrap', 'INCRBY', 'u8', '#0', '255'],
      ['BITFIELD', 'bits', 'GET', 'u8', '#0'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '100'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '#0', '257'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'sat', 'INCRBY', 'u8', '#0', '-255'],
      ['BITFIELD', 'bits', 'SET', 'i8', '#0', '100'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '#0', '257'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '#0', '255'],
      ['BITFIELD', 'bits', 'SET', 'u8', '#0', '100'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '#0', '257'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '#0', '-255'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '#0', '-1', 'INCRBY', 'i8', '#0', '1', 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '#0', '-2'],
      ['BITFIELD', 'bits', 'OVERFLOW', 'FAIL', 'SET', 'u4', '0', '16', 'SET', 'u4', '0', '15', 'SET', 'i4', '0', '-9', 'SET', 'i4', '0', '7'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', I64_MIN, 'GET', 'i8', '0'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', I64_MIN, 'SET', 'i64', '8', I64_MIN, 'INCRBY', 'i64', '8', '-1'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'WRAP', 'INCRBY', 'i64', '8', '-1', 'INCRBY', 'i64', '8', I64_MIN, 'INCRBY', 'i64', '8', '1'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'i64', '8', I64_MAX, 'INCRBY', 'i64', '8', '1', 'INCRBY', 'i64', '8', I64_MIN],
      ['BITFIELD', 'sat', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '8', I64_MAX, 'INCRBY', 'u63', '0', I64_MAX, 'INCRBY', 'u63', '0', '1'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '0', I64_MIN, 'INCRBY', 'u63', '0', I64_MAX, 'INCRBY', 'u63', '3', I64_MAX],
      ['BITFIELD', 'sat', 'OVERFLOW', 'WRAP', 'INCRBY', 'u1', '5', '3', 'INCRBY', 'i1', '5', '1', 'INCRBY', 'i1', '5', '-1', 'GET', 'i1', '5'],
      ['GET', 'sat'],
    ]));

  it('BITFIELD argument errors, parsed before the key is looked at; BITFIELD_RO refuses writes', () =>
    o.compare([
      ['BITFIELD', 'k', 'OVERFLOW'],
      ['BITFIELD', 'k', 'OVERFLOW', 'foo'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'GET'],
      ['BITFIELD', 'k', 'GET'],
      ['BITFIELD', 'k', 'GET', 'u8'],
      ['BITFIELD', 'k', 'SET', 'u8', '0'],
      ['BITFIELD', 'k', 'INCRBY', 'u8', '0'],
      ['BITFIELD', 'k', 'foo'],
      ['BITFIELD', 'k', 'GET', 'u8', '0', 'extra'],
      ...['u64', 'i65', 'U8', 'I8', 'i0', 'u0', 'u', 'i', '', '8', 'u-1', 'u 8', 'i08', 'u8x', 'x8'].map(
        (t): Step => ['BITFIELD', 'k', 'GET', t, '0'],
      ),
      ['BITFIELD', 'k', 'GET', Buffer.from('u8\0junk'), '0'],
      ['BITFIELD', 'k', 'GET', 'u8', '-1'],
      ['BITFIELD', 'k', 'GET', 'u8', '#-1'],
      ['BITFIELD', 'k', 'GET', 'u8', '#'],
      ['BITFIELD', 'k', 'GET', 'u8', '##1'],
      ['BITFIELD', 'k', 'GET', 'u8', 'x'],
      ['BITFIELD', 'k', 'GET', 'u8', '4294967296'],
      ['BITFIELD', 'k', 'GET', 'u8', '#536870912'],
      ['BITFIELD', 'k', 'GET', 'i64', '#67108864'],
      ['BITFIELD', 'k', 'GET', 'i64', '#67108863'],
      ['BITFIELD', 'k', 'GET', 'i64', '#144115188075855872'],
      ['BITFIELD', 'k', 'GET', 'i64', '#-144115188075855872'],
      ['BITFIELD', 'k', 'GET', 'i64', '#9223372036854775807'],
      ['BITFIELD', 'wr', 'SET', 'u8', '64', '200'],
      // #n * bits wraps around as int64 (2^64 + 64 -> 64; 8 * (2^61 + 8) -> 64).
      ['BITFIELD', 'wr', 'GET', 'i64', '#288230376151711745', 'GET', 'u8', '#2305843009213693960'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', 'x'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1.5'],
      ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '99999999999999999999'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'OVERFLOW', 'bad'],
      ['EXISTS', 'k'],
      ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'SET', 'u9', '0', 'x'],
      ['BITFIELD_RO', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'k', 'OVERFLOW', 'nope'],
      ['BITFIELD_RO', 'k', 'GET', 'u99', '0'],
      ['EXISTS', 'k'],
      ['BITFIELD'],
      ['BITFIELD_RO'],
    ]));

  it('BITFIELD overflow detection and WRAP fuzzing (suite loops, fixed seed)', () => {
    const r = createRng(17);
    const steps: Step[] = [];
    const clamp = (v: bigint): bigint => (v > 2n ** 63n - 1n ? 2n ** 63n - 1n : v < -(2n ** 63n) ? -(2n ** 63n) : v);
    const u32 = (): bigint => BigInt(r.int(2 ** 32));
    const rand = (range: bigint): bigint => ((u32() << 64n) | (u32() << 32n) | u32()) % range;
    for (let j = 0; j < 250; j++) {
      const bits = 1 + r.int(64);
      const signed = bits === 64 || r.int(2) === 1;
      const range = 2n ** BigInt(bits);
      const min = signed ? -(range / 2n) : 0n;
      const type = `${signed ? 'i' : 'u'}${bits}`;
      const value = clamp(min * 2n + rand(range * 2n));
      const incr = clamp(min * 2n + rand(range * 2n));
      steps.push(['DEL', 'bits']);
      steps.push(['BITFIELD', 'bits', 'OVERFLOW', 'FAIL', 'SET', type, '0', String(value)]);
      steps.push(['BITFIELD', 'bits', 'OVERFLOW', 'FAIL', 'INCRBY', type, '0', String(incr)]);
      steps.push(['DEL', 'bits']);
      steps.push(['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'SET', type, '0', String(value)]);
      steps.push(['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'INCRBY', type, '0', String(incr), 'GET', type, '0']);
      steps.push(['BITFIELD', 'bits', 'OVERFLOW', 'SAT', 'INCRBY', type, '0', String(incr), 'SET', type, '3', String(value)]);
      steps.push(['GET', 'bits']);
    }
    return o.compare(steps);
  });

  it('BITFIELD at unaligned offsets across byte and word boundaries (random fields)', () => {
    const r = createRng(23);
    const steps: Step[] = [['SET', 'f', randomBytes(r, 24)]];
    for (let j = 0; j < 300; j++) {
      const bits = 1 + r.int(64);
      const signed = bits === 64 || r.int(2) === 1;
      const type = `${signed ? 'i' : 'u'}${bits}`;
      const off = String(r.int(220));
      const ow = ['WRAP', 'SAT', 'FAIL'][r.int(3)];
      const v = String(BigInt(r.int(2 ** 32)) * BigInt(r.int(2 ** 32)) - BigInt(r.int(2 ** 32)) * BigInt(2 ** 31));
      const op = r.int(3);
      if (op === 0) steps.push(['BITFIELD', 'f', 'GET', type, off]);
      else if (op === 1) steps.push(['BITFIELD', 'f', 'OVERFLOW', ow, 'SET', type, off, v, 'GET', type, off]);
      else steps.push(['BITFIELD', 'f', 'OVERFLOW', ow, 'INCRBY', type, off, String(r.int(2000) - 1000)]);
      if (j % 20 === 0) steps.push(['GET', 'f'], ['BITFIELD_RO', 'f', 'GET', type, off]);
    }
    steps.push(['GET', 'f'], ['STRLEN', 'f']);
    return o.compare(steps);
  });

  // -------------------------------------------------------------------------------------------
  // Protocol, counters

  it('RESP3: FAIL nil inside the BITFIELD array, integer replies', () =>
    o.compare([
      { cmd: ['HELLO', '3'], ignore: true },
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '5', 'SET', 'u2', '0', '3', 'INCRBY', 'u2', '0', '1', 'GET', 'u2', '0'],
      ['BITFIELD_RO', 'k', 'GET', 'i2', '0'],
      ['BITFIELD', 'k'],
      ['SETBIT', 'k', '1', '0'],
      ['GETBIT', 'k', '0'],
      ['BITCOUNT', 'k'],
      ['BITPOS', 'k', '1'],
      ['BITOP', 'NOT', 'd', 'k'],
      ['GET', 'd'],
      ['BITFIELD', 'k', 'OVERFLOW'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '5'],
    ]));

  it('dirty: SETBIT / BITFIELD count only changes (or growth); BITOP counts its store or delete', () =>
    compareDirty(o, [
      ['SETBIT', 'foo', '0', '0'],
      ['BITFIELD', 'foo2', 'SET', 'i5', '0', '0'],
      ['SETBIT', 'foo', '0', '0'],
      ['BITFIELD', 'foo2', 'SET', 'i5', '0', '0'],
      ['SETBIT', 'foo', '0', '1'],
      ['SETBIT', 'foo', '0', '1'],
      ['SETBIT', 'foo', '0', '0'],
      ['BITFIELD', 'foo2', 'SET', 'i5', '0', '1'],
      ['BITFIELD', 'foo2', 'SET', 'i5', '0', '1'],
      ['BITFIELD', 'foo3', 'INCRBY', 'i5', '0', '1'],
      ['BITFIELD', 'foo3', 'INCRBY', 'i5', '0', '1'],
      ['BITFIELD', 'foo3', 'INCRBY', 'i5', '0', '0'],
      ['SETBIT', 'foo', '90', '0'],
      ['BITFIELD', 'foo2', 'SET', 'i5', '90', '0'],
      ['BITFIELD', 'foo4', 'SET', 'u8', '0', '1', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '0'],
      ['BITFIELD', 'foo4', 'SET', 'u8', '0', '1', 'SET', 'u8', '0', '2', 'SET', 'u8', '8', '0', 'GET', 'u8', '0'],
      ['BITFIELD', 'foo4', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000'],
      ['BITFIELD', 'foo5', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000', 'SET', 'u8', '0', '0'],
      ['BITFIELD', 'foo4', 'GET', 'u8', '0'],
      ['SET', 'src', 'x'],
      ['BITOP', 'AND', 'dst', 'none1', 'none2'],
      ['BITOP', 'AND', 'dst', 'src'],
      ['BITOP', 'AND', 'dst', 'src'],
      ['BITOP', 'AND', 'dst', 'none1'],
      ['BITOP', 'AND', 'dst', 'none1'],
      ['GETBIT', 'foo', '0'],
      ['BITCOUNT', 'foo'],
    ]));

  it('keyspace hits and misses of each command (read lookups only)', () => {
    const stats: Step = {
      cmd: ['INFO', 'stats'],
      normalize: (s: string) => /keyspace_hits:\d+\r\nkeyspace_misses:\d+/.exec(s)?.[0] ?? s,
    };
    return o.compare([
      ['CONFIG', 'RESETSTAT'],
      ['SET', 'a', 'abc'],
      ['SETBIT', 'a', '1', '1'],
      ['SETBIT', 'new', '1', '1'],
      stats,
      ['GETBIT', 'a', '0'],
      ['GETBIT', 'none', '0'],
      ['BITCOUNT', 'a'],
      ['BITCOUNT', 'none'],
      ['BITPOS', 'a', '1'],
      ['BITPOS', 'none', '0'],
      stats,
      ['BITOP', 'OR', 'dst', 'a', 'none', 'new', 'none2'],
      stats,
      ['BITFIELD', 'a', 'GET', 'u8', '0'],
      ['BITFIELD', 'none', 'GET', 'u8', '0'],
      ['BITFIELD', 'a', 'SET', 'u8', '0', '1'],
      ['BITFIELD', 'none3', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD_RO', 'a', 'GET', 'u8', '0'],
      ['BITFIELD', 'none4'],
      stats,
    ]);
  });

  for (const seed of FUZZ_SEEDS) it(`differential fuzz (seed ${seed}): random strings, SETBIT, BITCOUNT/BITPOS ranges, BITFIELD, BITOP`, () => {
    const r = createRng(seed);
    const keys = ['f0', 'f1', 'f2', 'f3'];
    const steps: Step[] = [];
    const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)];
    for (let j = 0; j < 900; j++) {
      const key = pick(keys);
      const len = r.int(200);
      const unit = r.int(2) === 0 ? 'BIT' : 'BYTE';
      const gens: (() => Step[])[] = [
        () => [['SET', key, randomBytes(r, len)]],
        () => [['SETBIT', key, String(r.int(1700)), String(r.int(2))]],
        () => [['GETBIT', key, String(r.int(1700))]],
        () => [['BITCOUNT', key, randomIndex(r, len), randomIndex(r, len)]],
        () => [['BITCOUNT', key, randomIndex(r, len * 8), randomIndex(r, len * 8), 'BIT']],
        () => [['BITPOS', key, String(r.int(2)), randomIndex(r, len)]],
        () => [['BITPOS', key, String(r.int(2)), randomIndex(r, len), randomIndex(r, len)]],
        () => [['BITPOS', key, String(r.int(2)), randomIndex(r, len * 8), randomIndex(r, len * 8), unit]],
        () => {
          const bits = 1 + r.int(63);
          const type = `${pick(['i', 'u'])}${bits}`;
          const incr = String(r.int(1 << 20) - (1 << 19));
          return [['BITFIELD', key, 'OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']), 'INCRBY', type, String(r.int(1600)), incr, 'GET', `i${bits}`, String(r.int(1600))]];
        },
        () => [['BITOP', pick(['AND', 'OR', 'XOR']), pick(keys), key, pick(keys), 'nokey']],
        () => [['BITOP', 'NOT', pick(keys), key], ['GET', key]],
      ];
      steps.push(...pick(gens)());
    }
    for (const k of keys) steps.push(['GET', k], ['OBJECT', 'ENCODING', k]);
    return o.compare(steps);
  });
});
