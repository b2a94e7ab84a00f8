// Unit tests for src/lib/glob.ts (Redis stringmatchlen semantics; expected
// values confirmed against redis-server 7.0 KEYS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, globMatchString, compileGlob } from '../../src/lib/glob.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const m = (p: string, s: string, nocase = false): boolean => globMatch(b(p), b(s), nocase);

test('literals, * and ?', () => {
  assert.equal(m('abc', 'abc'), true);
  assert.equal(m('abc', 'abd'), false);
  assert.equal(m('', ''), true);
  assert.equal(m('*', 'anything'), true);
  assert.equal(m('*', ''), false); // Redis quirk: subject must be non-empty
  assert.equal(m('**', ''), false);
  assert.equal(m('a*', 'a'), true);
  assert.equal(m('a*b', 'axxxb'), true);
  assert.equal(m('a*b', 'axxxc'), false);
  assert.equal(m('*b*', 'abc'), true);
  assert.equal(m('h?llo', 'hello'), true);
  assert.equal(m('h?llo', 'hllo'), false);
  assert.equal(m('?', ''), false);
  assert.equal(m('a**', 'a'), true);
});

test('bracket sets and ranges', () => {
  assert.equal(m('h[ae]llo', 'hallo'), true);
  assert.equal(m('h[ae]llo', 'hillo'), false);
  assert.equal(m('h[^e]llo', 'hallo'), true);
  assert.equal(m('h[^e]llo', 'hello'), false);
  assert.equal(m('h[a-b]llo', 'hbllo'), true);
  assert.equal(m('ab[c-a]', 'abc'), true); // reversed range
  assert.equal(m('[\\]]', ']'), true);
  assert.equal(m('[a\\-z]', '-'), true);
  assert.equal(m('[a\\-z]', 'b'), false);
  assert.equal(m('[a-]', '-'), false); // "a-]" is the range ]..a, set unterminated
  assert.equal(m('[a-]', ']'), true);
  assert.equal(m('[a-]', '_'), true);
});

test('unterminated brackets consume the rest of the pattern', () => {
  assert.equal(m('a[bc', 'abc'), false);
  assert.equal(m('a[bc', 'ab'), true);
  assert.equal(m('a[', 'a['), false);
  assert.equal(m('ab[^', 'abc'), true);
  assert.equal(m('a[^', 'a['), true);
});

test('signed-char ranges like Redis on x86', () => {
  assert.equal(m('[a-\xff]', 'b'), false);
  assert.equal(m('[a-\xff]', '\xff'), true);
  assert.equal(m('[a-\xff]', '\x00'), true);
  assert.equal(m('[\x80-\xff]', '\x80'), true);
  assert.equal(m('[\x80-\xff]', '\xff'), true);
});

test('escapes', () => {
  assert.equal(m('a\\*b', 'a*b'), true);
  assert.equal(m('a\\*b', 'axb'), false);
  assert.equal(m('a\\', 'a\\'), true); // trailing lone backslash is literal
  assert.equal(m('\\?', '?'), true);
  assert.equal(m('\\?', 'x'), false);
});

test('nocase', () => {
  assert.equal(m('HeLLo', 'hello', true), true);
  assert.equal(m('HeLLo', 'hello', false), false);
  assert.equal(m('[A-C]x', 'bX', true), true);
  assert.equal(m('[\\A]', 'a', true), false); // escaped set char is case-sensitive
  assert.equal(m('h[E]llo', 'hello', true), true);
  assert.equal(globMatchString('MAXMEMORY*', 'maxmemory-policy', true), true);
  assert.equal(globMatchString('save', 'Save'), false);
});

test('binary safe', () => {
  const p = Buffer.from([0x00, 0x2a, 0xfe]);
  assert.equal(globMatch(p, Buffer.from([0x00, 1, 2, 0xfe])), true);
  assert.equal(globMatch(p, Buffer.from([0x01, 0xfe])), false);
});

test('no exponential blow-up', () => {
  const subject = b('a'.repeat(50000));
  const start = Date.now();
  assert.equal(m('a*a*a*a*a*a*a*a*a*a*b', subject.toString('latin1')), false);
  assert.equal(globMatch(b('*a*a*a*a*a*a*a*a*a*a*a*a*b*'), subject), false);
  assert.ok(Date.now() - start < 2000);
});

test('compileGlob agrees with globMatch', () => {
  const pats = ['*', 'abc', 'a*', '*c', 'a?c', '[ab]*', 'ABC', '', '\\a', 'ab*', 'AB*', 'abc*', '\\**', 'a?*', 'a**', '__keyspace@0__:k*'];
  const subs = ['', 'abc', 'ABC', 'a', 'ac', 'bcc', 'xyz', 'ab', 'abcd', 'ABx', '*x', '__keyspace@0__:k', '__keyspace@0__:key:1', '__keyspace@1__:k'];
  for (const p of pats) {
    for (const nocase of [false, true]) {
      const f = compileGlob(b(p), nocase);
      for (const s of subs) assert.equal(f(b(s)), m(p, s, nocase), `${p} ${s} ${nocase}`);
    }
  }
});
