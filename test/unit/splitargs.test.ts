// Unit tests for src/lib/splitargs.ts (sdssplitargs semantics; quoting cases
// confirmed against redis-server 7.0 inline commands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgs } from '../../src/lib/splitargs.js';

const split = (s: string): string[] | null => {
  const r = splitArgs(Buffer.from(s, 'latin1'));
  return r === null ? null : r.map((x) => x.toString('latin1'));
};

test('plain whitespace separation', () => {
  assert.deepEqual(split(''), []);
  assert.deepEqual(split('   \t  '), []);
  assert.deepEqual(split('set k v'), ['set', 'k', 'v']);
  assert.deepEqual(split('  a \t b\r\n'), ['a', 'b']);
  assert.deepEqual(split('a\vb'), ['a\vb']); // \v does not end a bare argument
  assert.deepEqual(split('\va'), ['a']); // but is skipped between arguments
  assert.deepEqual(split('a\x00 b'), ['a']); // C string: stops at NUL
});

test('double quotes and escapes', () => {
  assert.deepEqual(split('"a\\x41\\n" x'), ['aA\n', 'x']);
  assert.deepEqual(split('"\\r\\t\\b\\a"'), ['\r\t\b\x07']);
  assert.deepEqual(split('"\\q\\\\\\""'), ['q\\"']);
  assert.deepEqual(split('"\\x4"'), ['x4']);
  assert.deepEqual(split('"\\xzz\\xFf"'), ['xzz\xff']);
  assert.deepEqual(split('"a b" c'), ['a b', 'c']);
  assert.deepEqual(split('""'), ['']);
  assert.deepEqual(split('ab"cd"'), ['abcd']); // quote may start mid-argument
  assert.deepEqual(split('"x"\v'), ['x']);
});

test('single quotes', () => {
  assert.deepEqual(split("'it\\'s'"), ["it's"]);
  assert.deepEqual(split("'a\\nb'"), ['a\\nb']);
  assert.deepEqual(split("'a\"b' c"), ['a"b', 'c']);
});

test('unbalanced quotes', () => {
  assert.equal(split('"abc'), null);
  assert.equal(split("'abc"), null);
  assert.equal(split('"a"b'), null);
  assert.equal(split("'a'b"), null);
  assert.equal(split('"\\'), null);
  assert.equal(split('"a\x00" b'), null);
});
