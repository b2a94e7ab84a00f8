// Oracle tests drawn from the edge cases of Redis's own test suite (tests/unit/protocol.tcl and
// tests/unit/auth.tcl): request framing errors, protocol desync, RESP3 types via DEBUG PROTOCOL,
// large argument counts, AUTH/requirepass (binary passwords, pre-auth request limits), the
// query buffer limit and maxclients. Cases needing modules, scripting, blocking commands or
// replication are left out.
import { it } from 'node:test';
import { encodeCommand } from '../helpers/raw-client.js';
import { withOracle, type Step } from '../helpers/oracle.js';

/** A protocol error on its own connection: the error reply must match and both servers must close. */
function protocolError(conn: number, bytes: string, note?: string): Step {
  const s: Step = { cmd: bytes, conn, closes: true };
  if (note !== undefined) s.note = note;
  return s;
}

withOracle('oracle suite: protocol.tcl', { config: { 'enable-debug-command': 'yes' } }, (o) => {
  it('empty query and negative multibulk lengths are ignored', () =>
    o.compare([
      { cmd: '\r\n', replies: 0 },
      ['PING'],
      { cmd: '*-10\r\n', replies: 0, conn: 1 },
      { cmd: ['PING'], conn: 1 },
    ]));

  it('framing errors: counts, headers and lengths', () =>
    o.compare([
      protocolError(0, '*3000000000\r\n', 'multibulk count above INT_MAX'),
      protocolError(1, '*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n', "wrong payload header: expected '$'"),
      protocolError(2, '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n', 'negative bulk length'),
      protocolError(3, '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n', 'bulk length above proto-max-bulk-len'),
      protocolError(4, '*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n', 'non-number bulk length'),
      protocolError(5, '*1\r\nfoo\r\n', 'multibulk not followed by bulk arguments'),
    ]));

  it('a large multibulk count is accepted and waits for its arguments', () =>
    o.compare([
      { cmd: '*20000000\r\n', replies: 0, partial: true, note: 'below INT_MAX: not an error' },
      { cmd: ['PING'], conn: 1 },
    ]));

  it('generic wrong number of arguments', () => o.compare([['PING', 'x', 'y', 'z'], ['GET'], ['SET', 'k']]));

  it('protocol desync: garbage after a bad header ends in a protocol error', () => {
    // As in Redis's regression test: a NUL (inline), "*\0" or "$\0" followed by a long run
    // of bytes without a line end must end with a protocol error, not a hang.
    const junk = 'payload'.repeat(10_000);
    return o.compare([
      protocolError(0, '\x00' + junk, 'inline request too big'),
      protocolError(1, '*\x00' + junk, 'multibulk count string too big'),
      protocolError(2, '$\x00' + junk, 'inline request starting with $'),
      protocolError(3, '*1\r\n$\x00' + junk, 'bulk count string too big'),
    ]);
  });

  it('a command with many arguments', () => {
    const args: string[] = ['MSET'];
    for (let i = 0; i < 10_000; i++) args.push('k', 'v');
    args.push('{k}2', 'v2');
    return o.compare([args, ['GET', '{k}2'], ['GET', 'k'], ['DBSIZE']]);
  });

  it('DEBUG PROTOCOL replies every RESP type in RESP2', () =>
    o.compare([
      ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false'].map(
        (t): Step => ['DEBUG', 'PROTOCOL', t],
      ),
      ['DEBUG', 'PROTOCOL', 'foo'],
      ['DEBUG', 'PROTOCOL', 'BIGNUM'],
      ['DEBUG', 'PROTOCOL'],
      ['DEBUG', 'PROTOCOL', 'string', 'x'],
    ]));

  it('DEBUG PROTOCOL replies every RESP type in RESP3', () =>
    o.compare([
      { cmd: ['HELLO', '3'], ignore: true },
      ...['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'verbatim', 'true', 'false'].map(
        (t): Step => ['DEBUG', 'PROTOCOL', t],
      ),
      { cmd: ['DEBUG', 'PROTOCOL', 'push'], replies: 2, note: 'a push message, then the reply' },
      ['DEBUG', 'PROTOCOL', 'foo'],
      { cmd: ['HELLO', '2'], ignore: true },
      ['DEBUG', 'PROTOCOL', 'true'],
      ['DEBUG', 'PROTOCOL', 'attrib'],
    ]));

  it('inline and multibulk DEBUG PROTOCOL agree', () =>
    o.compare([{ cmd: 'DEBUG PROTOCOL map\r\nDEBUG protocol Set\r\n', replies: 2 }]));
});

withOracle('oracle suite: auth.tcl without a password', (o) => {
  it('AUTH fails if there is no password configured; arity is a syntax error', () =>
    o.compare([['AUTH', 'foo'], ['AUTH', 'a', 'b', 'c'], ['AUTH', 'default', 'x'], ['AUTH', 'other', 'x']]));

  it('binary password set at run time', () =>
    o.compare(
      [
        ['CONFIG', 'SET', 'requirepass', 'abc\x00def'],
        { cmd: ['AUTH', 'abc'], conn: 1 },
        { cmd: ['GET', 'x'], conn: 1 },
        { cmd: ['AUTH', 'abc\x00def'], conn: 1 },
        { cmd: ['GET', 'x'], conn: 1 },
        { cmd: ['AUTH', 'default', 'abc\x00de'], conn: 2 },
        { cmd: ['AUTH', 'default', 'abc\x00def'], conn: 2 },
        ['CONFIG', 'GET', 'requirepass'],
        ['GET', 'x'],
        { cmd: ['PING'], conn: 3, note: 'new connections must authenticate' },
        { cmd: ['HELLO', '3', 'AUTH', 'default', 'abc\x00def'], conn: 3, match: /^%7\r\n/ },
        ['CONFIG', 'SET', 'requirepass', ''],
        { cmd: ['PING'], conn: 4 },
        { cmd: ['AUTH', 'x'], conn: 4 },
      ],
      { flush: false },
    ));
});

withOracle('oracle suite: auth.tcl with requirepass', { config: { requirepass: 'foobar' } }, (o) => {
  it('wrong password, NOAUTH, then AUTH and commands', () =>
    o.compare(
      [
        ['AUTH', 'wrong!'],
        ['SET', 'foo', 'bar'],
        'SET foo bar\r\n',
        ['AUTH', 'foobar'],
        ['SET', 'foo', '100'],
        ['INCR', 'foo'],
        ['AUTH', 'wrong!'],
        ['GET', 'foo'],
        ['DEL', 'foo'],
      ],
      { flush: false },
    ));

  it('unauthenticated multibulk and bulk lengths are limited', () =>
    o.compare(
      [
        protocolError(0, '*100\r\n'),
        protocolError(1, '*1\r\n$100000000\r\n'),
        { cmd: ['HELLO', '3'], conn: 2 },
        { cmd: ['CLIENT', 'ID'], conn: 2 },
        { cmd: ['QUIT'], conn: 2, closes: true, note: 'QUIT needs no authentication' },
      ],
      { flush: false },
    ));

  it('HELLO applies AUTH and SETNAME as it parses them', () =>
    o.compare(
      [
        { cmd: ['HELLO', '3', 'SETNAME', 'x'], conn: 1, note: 'NOAUTH' },
        { cmd: ['HELLO', '2', 'SETNAME', 'bad name'], conn: 1, note: 'the name is checked before NOAUTH' },
        { cmd: ['HELLO', '2', 'SETNAME', 'y', 'AUTH', 'default', 'wrong'], conn: 1 },
        { cmd: ['AUTH', 'foobar'], conn: 1 },
        { cmd: ['CLIENT', 'GETNAME'], conn: 1, note: 'the name was set before WRONGPASS' },
        { cmd: ['HELLO', '3', 'AUTH', 'default', 'foobar', 'BOGUS'], conn: 2 },
        { cmd: ['GET', 'x'], conn: 2, note: 'authenticated before the syntax error, still RESP2' },
        { cmd: ['HELLO', '3', 'SETNAME', 'good', 'SETNAME', 'bad name'], conn: 2 },
        { cmd: ['CLIENT', 'GETNAME'], conn: 2 },
        { cmd: ['HELLO', '3', 'SETNAME', 'n2', 'BOGUS'], conn: 2 },
        { cmd: ['CLIENT', 'GETNAME'], conn: 2 },
      ],
      { flush: false },
    ));

  it('noauth commands and RESET before authentication', () =>
    o.compare(
      [
        ['RESET'],
        ['AUTH', 'foobar'],
        ['RESET'],
        ['GET', 'x'],
        ['HELLO', '2', 'AUTH', 'default', 'foobar', 'SETNAME', 'bad name'],
        ['GET', 'x'],
      ],
      { flush: false },
    ));
});

withOracle('oracle suite: query buffer limit', (o) => {
  it('a client whose query buffer exceeds client-query-buffer-limit is closed', () =>
    o.compare([
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1048576'],
      {
        cmd: encodeCommand(['SET', 'a', 'x'.repeat(1_200_000)]).toString('latin1').slice(0, 1_150_000),
        conn: 1,
        replies: 0,
        closes: true,
        note: 'a partial 1.2 MB argument',
      },
      {
        cmd: 'SET a ' + 'y'.repeat(60_000),
        conn: 2,
        replies: 0,
        partial: true,
        note: 'an incomplete inline line below the inline limit stays open',
      },
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1gb'],
      ['EXISTS', 'a'],
    ]));
});

withOracle('oracle suite: limits.tcl', { config: { maxclients: '10' } }, (o) => {
  it('maxclients refuses connections over the limit', () => {
    const script: Step[] = [];
    for (let i = 0; i < 10; i++) script.push({ cmd: ['PING'], conn: i });
    script.push({ cmd: ['PING'], conn: 10, closes: true, note: 'the 11th connection' });
    script.push({ cmd: ['CONFIG', 'GET', 'maxclients'], conn: 3 });
    return o.compare(script);
  });
});
