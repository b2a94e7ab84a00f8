// Reply writer: RESP2 and RESP3 encodings of every reply type.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../src/protocol/reply-writer.js';

function enc(resp: 2 | 3, f: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter();
  w.resp = resp;
  f(w);
  return w.take().toString('latin1');
}

/** Every byte value 0..255 as a latin1 string. */
const LATIN1 = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

describe('reply writer', () => {
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['simple', (w) => w.simple('QUEUED'), '+QUEUED\r\n', '+QUEUED\r\n'],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['integer 0', (w) => w.integer(0), ':0\r\n', ':0\r\n'],
    ['integer negative', (w) => w.integer(-1234567), ':-1234567\r\n', ':-1234567\r\n'],
    ['integer big', (w) => w.integer(9007199254740991), ':9007199254740991\r\n', ':9007199254740991\r\n'],
    ['integer bigint', (w) => w.integer(-(2n ** 63n)), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['bulk', (w) => w.bulk(Buffer.from('a\r\nb')), '$4\r\na\r\nb\r\n', '$4\r\na\r\nb\r\n'],
    ['empty bulk', (w) => w.bulk(Buffer.alloc(0)), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['bulk utf8', (w) => w.bulkString('é'), '$2\r\n\xc3\xa9\r\n', '$2\r\n\xc3\xa9\r\n'],
    ['bulk latin1 key', (w) => w.bulkLatin1('\xff\x00'), '$2\r\n\xff\x00\r\n', '$2\r\n\xff\x00\r\n'],
    ['bulk latin1 empty', (w) => w.bulkLatin1(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['bulk latin1 32 bytes (loop)', (w) => w.bulkLatin1(LATIN1.slice(224)), `$32\r\n${LATIN1.slice(224)}\r\n`, `$32\r\n${LATIN1.slice(224)}\r\n`],
    ['bulk latin1 every byte (Buffer.write)', (w) => w.bulkLatin1(LATIN1), `$256\r\n${LATIN1}\r\n`, `$256\r\n${LATIN1}\r\n`],
    ['nil', (w) => w.nil(), '$-1\r\n', '_\r\n'],
    ['nil array', (w) => w.nilArray(), '*-1\r\n', '_\r\n'],
    ['array', (w) => w.array(12), '*12\r\n', '*12\r\n'],
    ['map', (w) => w.map(2), '*4\r\n', '%2\r\n'],
    ['set', (w) => w.set(3), '*3\r\n', '~3\r\n'],
    ['push', (w) => w.push(3), '*3\r\n', '>3\r\n'],
    ['double', (w) => w.double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double inf', (w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['bool', (w) => w.bool(true), ':1\r\n', '#t\r\n'],
    ['verbatim', (w) => w.verbatim('hi'), '$2\r\nhi\r\n', '=6\r\ntxt:hi\r\n'],
  ];
  for (const [name, f, r2, r3] of cases) {
    it(name, () => {
      assert.equal(enc(2, f), r2);
      assert.equal(enc(3, f), r3);
    });
  }

  it('grows past its initial buffer and keeps earlier replies intact', () => {
    const w = new ReplyWriter();
    const big = Buffer.alloc(100_000, 'x');
    w.simple('first');
    w.bulk(big);
    w.integer(42);
    const out = w.take();
    assert.equal(out.length, 8 + 9 + 100_000 + 2 + 5);
    assert.equal(out.subarray(0, 8).toString(), '+first\r\n');
    assert.equal(out.subarray(out.length - 5).toString(), ':42\r\n');
  });

  it('truncate drops replies after a mark', () => {
    const w = new ReplyWriter();
    w.ok();
    const mark = w.length;
    w.integer(5);
    w.truncate(mark);
    assert.equal(w.take().toString(), '+OK\r\n');
  });

  it('reports errors to its hook', () => {
    const w = new ReplyWriter();
    const seen: string[] = [];
    w.onError = (t) => seen.push(t);
    w.error('WRONGTYPE x');
    assert.deepEqual(seen, ['WRONGTYPE x']);
  });
});
