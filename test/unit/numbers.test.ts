// Unit tests for src/lib/numbers.ts; expected values confirmed against
// redis-server 7.0 (INCRBY, ZADD/ZSCORE, INCRBYFLOAT) and C printf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseI64, parseSafeInt, parseIntArg, parseDouble, parseLongDouble,
  formatDouble, formatDoubleResp3, formatLongDouble, writeIntAscii, intLen,
} from '../../src/lib/numbers.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('parseI64 follows string2ll', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n], ['1', 1n], ['-1', -1n], ['123', 123n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['12345678901234567', 12345678901234567n],
  ];
  for (const [s, v] of ok) assert.equal(parseI64(b(s)), v, s);
  const bad = ['', '-', '+1', ' 1', '1 ', '-0', '00', '007', '1.0', '1e3', 'abc',
    '9223372036854775808', '-9223372036854775809', '99999999999999999999', '0x10'];
  for (const s of bad) assert.equal(parseI64(b(s)), null, s);
  assert.equal(parseI64(b('xx-42yy'), 2, 5), -42n);
});

test('parseSafeInt and parseIntArg', () => {
  assert.equal(parseSafeInt(b('42')), 42);
  assert.equal(parseSafeInt(b('-9007199254740991')), -9007199254740991);
  assert.equal(parseSafeInt(b('9007199254740991')), 9007199254740991);
  assert.equal(parseSafeInt(b('9007199254740992')), null);
  assert.equal(parseSafeInt(b('9223372036854775807')), null);
  assert.equal(parseSafeInt(b('007')), null);
  assert.equal(parseSafeInt(b('-0')), null);
  assert.equal(parseSafeInt(b('')), null);
  assert.equal(parseSafeInt(b('a12b'), 1, 3), 12);
  assert.equal(parseIntArg(b('17')), 17);
  assert.equal(parseIntArg(b('9007199254740993')), 9007199254740993n);
  assert.equal(parseIntArg(b('-9223372036854775808')), -9223372036854775808n);
  assert.equal(parseIntArg(b('9223372036854775808')), null);
  assert.equal(parseIntArg(b('1.5')), null);
});

test('parseDouble follows string2d (ZADD)', () => {
  const ok: Array<[string, number]> = [
    ['1', 1], ['-1.5', -1.5], ['+.5', 0.5], ['1.', 1], ['.5', 0.5], ['1e5', 1e5],
    ['1E+5', 1e5], ['0x10', 16], ['0X1F', 31], ['0x1.8p1', 3], ['0x.8', 0.5],
    ['inf', Infinity], ['-inf', -Infinity], ['+INF', Infinity], ['Infinity', Infinity],
    ['1e-310', 1e-310], ['3e-324', 5e-324], ['0e-400', 0], ['0x1p-1074', 5e-324],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ];
  for (const [s, v] of ok) assert.equal(parseDouble(b(s)), v, s);
  const bad = ['', ' 1', '1 ', 'nan', '-nan', 'NaN', 'nan(1)', '1e400', '-1e400', '1e-400',
    '2e-324', '0x1p-1080', '0x1p1024', '1e', '1e+', 'e5', '.', '-', '+', '0x', '0x.', '0x1p',
    'infinit', 'infx', '1..2', '--1', '1_0', '1,5', '\t1', '1\n', '1\x002'];
  for (const s of bad) assert.equal(parseDouble(b(s)), null, JSON.stringify(s));
  assert.ok(Object.is(parseDouble(b('-0')), -0));
});

test('parseLongDouble follows string2ld (INCRBYFLOAT)', () => {
  const ok: Array<[string, number]> = [
    ['1e5', 1e5], ['0x10', 16], ['1.', 1], ['.5', 0.5], ['5.0e3', 5000], ['+1', 1],
    ['00012', 12], ['1e0001', 10], ['0x1p3', 8], ['inf', Infinity], ['-Infinity', -Infinity],
    ['1e400', Infinity], ['1e-400', 0], ['1e-4940', 0], ['1e4932', Infinity],
  ];
  for (const [s, v] of ok) assert.equal(parseLongDouble(b(s)), v, s);
  const bad = ['', ' 1', '1 ', 'nan', 'nan(123)', '-nan', '1e5000', '-1e5000', '1e-5000',
    '1e4933', '0x1p20000', '0x1p16384', '0x1p-16446', '1e', '0x', '1,5', '1\x00', '1\x002'];
  for (const s of bad) assert.equal(parseLongDouble(b(s)), null, JSON.stringify(s));
  assert.equal(parseLongDouble(b('1.' + '0'.repeat(5117))), 1); // 5119 bytes
  assert.equal(parseLongDouble(b('1.' + '0'.repeat(5118))), null); // 5120 bytes
});

test('formatDouble is %.17g', () => {
  const cases: Array<[number, string]> = [
    [1.1, '1.1000000000000001'], [1, '1'], [-1, '-1'], [Infinity, 'inf'], [-Infinity, '-inf'],
    [1e20, '1e+20'], [1e17, '1e+17'], [1e16, '10000000000000000'], [0.0001, '0.0001'],
    [1e-5, '1.0000000000000001e-05'], [0, '0'], [-0, '-0'], [0.5, '0.5'], [3.14, '3.1400000000000001'],
    [1e-310, '9.9999999999999694e-311'], [5e-324, '4.9406564584124654e-324'],
    [8.98846567431158e307, '8.9884656743115795e+307'], [123456789012345680000, '1.2345678901234568e+20'],
    [1125899906842624.25, '1125899906842624.2'], [1125899906842624.75, '1125899906842624.8'],
    [NaN, 'nan'], [1.5e300, '1.5000000000000001e+300'], [-2.5e-7, '-2.4999999999999999e-07'],
  ];
  for (const [d, s] of cases) assert.equal(formatDouble(d), s, String(d));
  assert.equal(formatDoubleResp3(1.1), '1.1000000000000001');
  // Integers up to 2^53 take a shortcut: the digits must be the exact value's.
  for (const d of [1, -1, 7, 100, 123456789, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1e15, 999999999999999, 2 ** 53 + 2, 1e16, 1e17]) {
    assert.equal(formatDouble(d), d < 1e17 ? BigInt(d).toString() : '1e+17', String(d));
  }
  assert.equal(formatDoubleResp3(-Infinity), '-inf');
  assert.equal(formatDoubleResp3(NaN), 'nan');
});

test('formatLongDouble matches INCRBYFLOAT output where doubles suffice', () => {
  const cases: Array<[number, string]> = [
    [10.6, '10.6'], [3000, '3000'], [5000, '5000'], [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'], [-0, '0'], [0, '0'], [1e-18, '0'], [6e-18, '0.00000000000000001'],
    [1.23456789e-12, '0.00000000000123457'], [2.5e-17, '0.00000000000000002'], [1.5e-17, '0.00000000000000002'],
    [1e17, '100000000000000000'], [0.1, '0.1'], [-1.5, '-1.5'], [12, '12'],
    [0.30000000000000004, '0.30000000000000004'], [100001, '100001'], [1.5, '1.5'],
  ];
  for (const [d, s] of cases) assert.equal(formatLongDouble(d), s, String(d));
  // Round trip: what we print parses back to the same double.
  for (const d of [0.1, 1 / 3, 123.456, 1e15 + 0.5, 98765.4321]) {
    assert.equal(parseLongDouble(b(formatLongDouble(d))), d);
  }
});

test('writeIntAscii / intLen', () => {
  const out = Buffer.alloc(64);
  for (const n of [0, 7, -7, 10, 99, -100, 123456789, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
    assert.equal(intLen(n), String(n).length, String(n));
    const end = writeIntAscii(out, 3, n);
    assert.equal(end, 3 + String(n).length);
    assert.equal(out.toString('latin1', 3, end), String(n));
  }
});
