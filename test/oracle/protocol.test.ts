// Oracle tests for the wire protocol, sent byte for byte: inline commands, empty requests,
// pipelining, split reads, and protocol errors (error reply, then the server closes the connection).
import { it } from 'node:test';
import { encodeCommand } from '../helpers/raw-client.js';
import { withOracle, type Step } from '../helpers/oracle.js';

/** A protocol error on its own connection: the error reply must match and both servers must close. */
function protocolError(conn: number, bytes: string, note?: string, replies = 1): Step {
  const s: Step = { cmd: bytes, conn, closes: true, replies };
  if (note !== undefined) s.note = note;
  return s;
}

withOracle('oracle: protocol', (o) => {
  it('inline commands', () =>
    o.compare([
      'PING\r\n',
      'PING\n',
      'ping hello\r\n',
      'SET a "b c"\r\n',
      'GET a\r\n',
      "set a 'x\\'y'\r\n",
      'GET a\r\n',
      'SET a "\\x41\\x42\\n\\t\\"q\\\\"\r\n',
      'GET a\r\n',
      'SET a "\\xzz\\a\\b"\r\n',
      'GET a\r\n',
      "SET a 'no \\n escapes'\r\n",
      'GET a\r\n',
      'SET   a     spaced   \r\n',
      'GET a\r\n',
      'SET a ""\r\n',
      'STRLEN a\r\n',
      '"SET" "a" "quoted-cmd"\r\n',
      'GET a\r\n',
      'SET a b\tc\r\n',
      'GET a\r\n',
      { cmd: 'MSET x 1 y 2\r\nMGET x y\r\n', replies: 2 },
      { cmd: 'INCR x\r\nINCR x\r\n', replies: 2 },
      'FOO bar baz\r\n',
      'SET onlykey\r\n',
      `ECHO ${'x'.repeat(60_000)}\r\n`,
      ['GET', 'a'],
    ]));

  it('unbalanced quotes in inline commands close the connection', () =>
    o.compare([
      protocolError(0, 'SET a "b\r\n'),
      protocolError(1, "SET a 'b\r\n"),
      protocolError(2, 'SET a "b"c\r\n', 'closing quote must be followed by a space'),
      protocolError(3, "SET a 'b'c\r\n"),
      protocolError(4, 'PING\r\nECHO "x\r\nPING\r\n', 'earlier commands still answered', 2),
    ]));

  it('empty lines, *0 and *-1 are ignored', () =>
    o.compare([
      { cmd: '\r\n', replies: 0 },
      'PING\r\n',
      { cmd: '\n', replies: 0 },
      { cmd: '   \r\n', replies: 0 },
      { cmd: '*0\r\n', replies: 0 },
      { cmd: '*-1\r\n', replies: 0 },
      { cmd: '*-5\r\n', replies: 0 },
      ['PING'],
      { cmd: '\r\n\r\n*0\r\n\n*-1\r\nPING\r\n', replies: 1 },
      { cmd: '*0\r\n*1\r\n$4\r\nPING\r\n', replies: 1 },
    ]));

  it('multibulk edge cases that are not errors', () =>
    o.compare([
      { cmd: '*1\r\n$4\r\nPINGxx', note: 'the two bytes after a bulk are skipped, not checked' },
      ['PING'],
      { cmd: '*1\r\n$0\r\n\r\n', note: 'empty command name' },
      { cmd: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' },
      { cmd: '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n', note: 'CRLF inside a bulk' },
      ['GET', 'k'],
      { cmd: '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\nPING\r\n', replies: 3, note: 'multibulk and inline mixed' },
    ]));

  it('pipelines of many commands in one write', () => {
    let bulk = '';
    let inline = '';
    const n = 200;
    for (let i = 0; i < n; i++) {
      bulk += encodeCommand(['SET', `k${i}`, `v${i}`]).toString('latin1');
      bulk += encodeCommand(['INCR', 'counter']).toString('latin1');
      inline += `GET k${i}\r\n`;
    }
    return o.compare([
      { cmd: bulk, replies: 2 * n },
      { cmd: inline, replies: n },
      { cmd: 'DBSIZE\r\nGET counter\r\nNOSUCH\r\nPING\r\n', replies: 4 },
      { cmd: encodeCommand(['SET', 'big', 'z'.repeat(200_000)]).toString('latin1') + 'STRLEN big\r\n', replies: 2 },
    ]);
  });

  it('a command split across writes at every byte boundary', () => {
    const cmd = encodeCommand(['SET', 'key', 'value\r\n']).toString('latin1');
    const inline = 'SET ikey "in line"\r\n';
    const script: Step[] = [];
    for (const c of [cmd, inline]) {
      for (let i = 1; i < c.length; i++) {
        script.push({ cmd: c.slice(0, i), replies: 0 }, { pause: 2 }, { cmd: c.slice(i), note: `split at byte ${i}` });
      }
    }
    script.push(['MGET', 'key', 'ikey']);
    return o.compare(script);
  });

  it('commands sent byte by byte', () =>
    o.compare([
      { cmd: ['SET', 'k', 'hello world'], split: 1 },
      { cmd: 'GET k\r\n', split: 1 },
      { cmd: '*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n', split: 1 },
      { cmd: encodeCommand(['SET', 'big', 'y'.repeat(100_000)]).toString('latin1'), split: 997 },
      ['STRLEN', 'big'],
    ]));

  it("protocol error: expected '$'", () =>
    o.compare([
      protocolError(0, '*1\r\nx\r\n'),
      protocolError(1, '*2\r\n$3\r\nGET\r\n:5\r\n'),
      protocolError(2, '*1\r\n+PING\r\n'),
      protocolError(3, '*1\r\n\r\n'),
      protocolError(4, 'PING\r\n*1\r\nx\r\nPING\r\n', 'reply to PING, then the error, nothing after', 2),
    ]));

  it('protocol error: invalid multibulk length', () =>
    o.compare([
      protocolError(0, '*abc\r\n'),
      protocolError(1, '*3000000000\r\n'),
      protocolError(2, '*1x\r\n'),
      protocolError(3, '* 1\r\n'),
      protocolError(4, '*\r\n'),
      protocolError(5, '*99999999999999999999\r\n'),
      protocolError(6, '*02\r\n$4\r\nECHO\r\n$2\r\nhi\r\n', 'leading zero'),
      protocolError(7, '*+1\r\n$4\r\nPING\r\n'),
    ]));

  it('protocol error: invalid bulk length', () =>
    o.compare([
      protocolError(0, '*1\r\n$-5\r\n'),
      protocolError(1, '*1\r\n$abc\r\n'),
      protocolError(2, '*1\r\n$-1\r\n'),
      protocolError(3, '*1\r\n$3000000000\r\n'),
      protocolError(4, '*1\r\n$\r\n'),
      protocolError(5, '*2\r\n$3\r\nGET\r\n$1x\r\n'),
      protocolError(6, '*1\r\n$536870913\r\n', 'larger than proto-max-bulk-len'),
      protocolError(7, '*2\r\n$4\r\nECHO\r\n$05\r\nhello\r\n', 'leading zero'),
      protocolError(8, '*1\r\n$+4\r\nPING\r\n'),
    ]));

  it('protocol error: too big inline request / count strings', () =>
    o.compare([
      protocolError(0, 'A'.repeat(70_000)),
      protocolError(1, `SET k ${'v'.repeat(70_000)}`),
      protocolError(2, `*${'1'.repeat(70_000)}`),
      protocolError(3, `*1\r\n$${'1'.repeat(70_000)}`),
      { cmd: ['EXISTS', 'k'], conn: 4 },
    ]));
});

withOracle('oracle: protocol with requirepass', { config: { requirepass: 'secret' } }, (o) => {
  it('unauthenticated clients get NOAUTH', () =>
    o.compare(
      [
        ['GET', 'k'],
        ['PING'],
        'PING\r\n',
        ['AUTH', 'wrong'],
        ['AUTH', 'default', 'wrong'],
        ['GET', 'k'],
        ['AUTH', 'secret'],
        ['SET', 'k', 'v'],
        ['GET', 'k'],
        ['AUTH', 'default', 'secret'],
        { cmd: ['GET', 'k'], conn: 1 },
        { cmd: ['HELLO', '3'], conn: 1 },
        { cmd: ['HELLO', '3', 'AUTH', 'default', 'wrong'], conn: 1 },
        { cmd: ['HELLO', '2', 'AUTH', 'default', 'secret'], conn: 1, match: /^\*14\r\n/ },
        { cmd: ['GET', 'k'], conn: 1 },
        ['FLUSHALL'],
      ],
      { flush: false },
    ));

  it('unauthenticated multibulk and bulk length limits close the connection', () =>
    o.compare(
      [
        protocolError(0, '*20\r\n'),
        protocolError(1, '*11\r\n'),
        protocolError(2, '*1\r\n$16385\r\n'),
        protocolError(3, '*2\r\n$4\r\nAUTH\r\n$100000\r\n'),
        { cmd: '*10\r\n$4\r\nECHO\r\n', replies: 0, conn: 4, note: '10 is still allowed' },
        { cmd: '$1\r\nx\r\n'.repeat(9), conn: 4, note: 'completes the 10-element request' },
        { cmd: encodeCommand(['AUTH', 'secret']).toString('latin1'), conn: 5 },
        { cmd: '*20\r\n' + '$1\r\nx\r\n'.repeat(20), conn: 5, note: 'authenticated: no limit' },
        { cmd: ['ECHO', 'y'.repeat(20_000)], conn: 5 },
        { cmd: ['AUTH', 'secret'], conn: 6 },
        protocolError(6, '*1\r\nx\r\n', 'authenticated protocol errors still close'),
      ],
      { flush: false },
    ));
});
