// Oracle tests for connection / introspection commands. Replies that legitimately differ between
// two servers (ids, ports, versions, timings) are checked with `match` regexes instead of bytes.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

/** The HELLO reply (RESP2 array or RESP3 map) with variable server/version/id values. */
function helloRe(proto: 2 | 3, replyProto: 2 | 3 = proto): RegExp {
  const head = replyProto === 3 ? '%7' : '\\*14';
  const any = '\\$\\d+\\r\\n[^\\r\\n]+\\r\\n';
  return new RegExp(
    `^${head}\\r\\n\\$6\\r\\nserver\\r\\n${any}\\$7\\r\\nversion\\r\\n${any}` +
      `\\$5\\r\\nproto\\r\\n:${proto}\\r\\n\\$2\\r\\nid\\r\\n:\\d+\\r\\n` +
      '\\$4\\r\\nmode\\r\\n\\$10\\r\\nstandalone\\r\\n\\$4\\r\\nrole\\r\\n\\$6\\r\\nmaster\\r\\n' +
      '\\$7\\r\\nmodules\\r\\n\\*0\\r\\n$',
  );
}

/** One CLIENT INFO / CLIENT LIST line, Redis 7.0 field layout. */
function clientLine(f: { name: string; cmd: string; db?: number | string; resp?: 2 | 3 }): string {
  const n = '\\d+';
  return (
    `id=${n} addr=127\\.0\\.0\\.1:${n} laddr=127\\.0\\.0\\.1:${n} fd=${n} name=${f.name} age=${n} idle=${n} ` +
    `flags=N db=${f.db ?? 0} sub=0 psub=0 ssub=0 multi=-1 qbuf=${n} qbuf-free=${n} argv-mem=${n} multi-mem=0 ` +
    `rbs=${n} rbp=${n} obl=0 oll=0 omem=0 tot-mem=${n} events=r cmd=${f.cmd.replace(/\|/g, '\\|')} ` +
    `user=default redir=-1 resp=${f.resp ?? 2}\\n`
  );
}

const INT = /^:\d+\r\n$/;

withOracle('oracle: connection', (o) => {
  it('PING', () =>
    o.compare([
      ['PING'],
      ['ping'],
      ['PING', 'hello'],
      ['PING', ''],
      ['PING', Buffer.from([0, 13, 10, 255])],
      ['PING', 'a', 'b'],
      ['PING', 'a', 'b', 'c'],
      'PING\r\n',
      'PING hi\r\n',
    ]));

  it('ECHO', () =>
    o.compare([
      ['ECHO', 'hello'],
      ['ECHO', ''],
      ['ECHO', 'a\r\nb'],
      ['ECHO', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
      ['ECHO', 'x'.repeat(20_000)],
      ['ECHO'],
      ['ECHO', 'a', 'b'],
    ]));

  it('SELECT errors keep the current database', () =>
    o.compare([
      ['SET', 'k', '0'],
      ['SELECT', '2'],
      ['SET', 'k', '2'],
      ['SELECT', '16'],
      ['GET', 'k'],
      ['SELECT', '-1'],
      ['SELECT', 'x'],
      ['SELECT', '3.0'],
      ['SELECT', '2147483648'],
      ['SELECT', '99999999999999999999'],
      ['GET', 'k'],
      ['SELECT'],
      ['SELECT', '0'],
      ['GET', 'k'],
    ]));

  it('HELLO 2 / 3 / no version', () =>
    o.compare([
      { cmd: ['HELLO'], match: helloRe(2) },
      { cmd: ['HELLO', '2'], match: helloRe(2) },
      ['GET', 'missing'],
      { cmd: ['HELLO', '3'], match: helloRe(3) },
      ['GET', 'missing'],
      ['PING'],
      { cmd: ['HELLO'], match: helloRe(3) },
      { cmd: ['HELLO', '2'], match: helloRe(2) },
      ['GET', 'missing'],
      { cmd: ['hello', '3'], match: helloRe(3) },
    ]));

  it('HELLO errors: NOPROTO, bad version, bad options', () =>
    o.compare([
      ['HELLO', '4'],
      ['HELLO', '1'],
      ['HELLO', '0'],
      ['HELLO', '-1'],
      ['HELLO', '3000000000'],
      ['HELLO', 'abc'],
      ['HELLO', '3.0'],
      ['HELLO', ''],
      ['HELLO', '3', 'FOO'],
      ['HELLO', '3', 'SETNAME'],
      ['HELLO', '3', 'AUTH'],
      ['HELLO', '3', 'AUTH', 'default'],
      ['HELLO', '3', 'SETNAME', 'bad name'],
      ['HELLO', '3', 'SETNAME', 'a\nb'],
      ['HELLO', '4', 'SETNAME', 'x'],
      ['HELLO', '3', 'AUTH', 'nosuchuser', 'pw'],
      ['CLIENT', 'GETNAME'],
      ['GET', 'missing'],
    ]));

  it('HELLO SETNAME / AUTH', () =>
    o.compare([
      { cmd: ['HELLO', '3', 'SETNAME', 'myname'], match: helloRe(3) },
      ['CLIENT', 'GETNAME'],
      { cmd: ['HELLO', '2', 'SETNAME', 'other'], match: helloRe(2) },
      ['CLIENT', 'GETNAME'],
      { cmd: ['HELLO', '3', 'AUTH', 'default', 'anything'], match: helloRe(3) },
      { cmd: ['HELLO', '2', 'auth', 'default', 'x', 'setname', 'both'], match: helloRe(2) },
      ['CLIENT', 'GETNAME'],
      { cmd: ['HELLO', '2', 'SETNAME', 'a', 'SETNAME', 'b'], match: helloRe(2) },
      ['CLIENT', 'GETNAME'],
    ]));

  it('AUTH without a configured password', () =>
    o.compare([
      ['AUTH', 'secret'],
      ['AUTH', ''],
      ['AUTH', 'default', 'anything'],
      ['AUTH', 'nosuchuser', 'pw'],
      ['AUTH'],
      ['AUTH', 'a', 'b', 'c'],
      ['PING'],
    ]));

  it('CLIENT ID / SETNAME / GETNAME', () =>
    o.compare([
      { cmd: ['CLIENT', 'ID'], match: INT },
      { cmd: ['CLIENT', 'ID'], match: INT, conn: 1 },
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'conn-0'],
      ['CLIENT', 'GETNAME'],
      { cmd: ['CLIENT', 'GETNAME'], conn: 1 },
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'a\nb'],
      ['CLIENT', 'SETNAME', 'a\r'],
      ['CLIENT', 'SETNAME', 'tab\t'],
      ['CLIENT', 'SETNAME', Buffer.from([0x61, 0x00])],
      ['CLIENT', 'SETNAME', 'caf\u00e9'],
      ['CLIENT', 'SETNAME', '~!@#$%^&*()_+{}:"<>?'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'x'.repeat(1000)],
      ['CLIENT', 'GETNAME'],
      ['client', 'setname', 'Lower'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a', 'b'],
      ['CLIENT', 'GETNAME', 'x'],
      ['CLIENT', 'ID', 'x'],
      ['CLIENT'],
    ]));

  it('CLIENT INFO / LIST field layout', () =>
    o.compare([
      { cmd: ['CLIENT', 'INFO'], match: new RegExp(`^\\$\\d+\\r\\n${clientLine({ name: '', cmd: 'client|info' })}\\r\\n$`) },
      ['CLIENT', 'SETNAME', 'alpha'],
      ['SELECT', '3'],
      { cmd: ['CLIENT', 'INFO'], match: new RegExp(`^\\$\\d+\\r\\n${clientLine({ name: 'alpha', cmd: 'client|info', db: 3 })}\\r\\n$`) },
      { cmd: ['CLIENT', 'SETNAME', 'beta'], conn: 1 },
      {
        cmd: ['CLIENT', 'LIST'],
        match: new RegExp(
          `^\\$\\d+\\r\\n(?=(?:.|\\n)*${clientLine({ name: 'alpha', cmd: 'client|list', db: 3 })})` +
            `(?=(?:.|\\n)*${clientLine({ name: 'beta', cmd: 'client|setname' })})` +
            `(?:${clientLine({ name: '[^ ]*', cmd: '[a-z|]+', db: '\\d+' })})+\\r\\n$`,
        ),
      },
      {
        cmd: ['CLIENT', 'LIST', 'TYPE', 'normal'],
        match: new RegExp(`^\\$\\d+\\r\\n(?=(?:.|\\n)*name=alpha )(?=(?:.|\\n)*name=beta )(?:id=\\d+ [^\\n]*\\n)+\\r\\n$`),
      },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'pubsub'], match: /^\$0\r\n\r\n$/ },
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'FOO'],
      ['CLIENT', 'INFO', 'x'],
      { cmd: ['HELLO', '3'], ignore: true, conn: 2 },
      {
        cmd: ['CLIENT', 'INFO'],
        conn: 2,
        match: new RegExp(`^=\\d+\\r\\ntxt:${clientLine({ name: '', cmd: 'client|info', resp: 3 })}\\r\\n$`),
      },
    ]));

  it('CLIENT REPLY OFF / ON / SKIP', () =>
    o.compare([
      { cmd: ['CLIENT', 'REPLY', 'OFF'], replies: 0 },
      { cmd: ['SET', 'k', '1'], replies: 0 },
      { cmd: ['GET', 'k'], replies: 0 },
      { cmd: ['NOSUCHCOMMAND'], replies: 0 },
      { cmd: ['INCR', 'k'], replies: 0 },
      ['CLIENT', 'REPLY', 'ON'],
      ['GET', 'k'],
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 },
      { cmd: ['INCR', 'k'], replies: 0 },
      ['GET', 'k'],
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 },
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0, note: 'skips itself and re-arms SKIP' },
      { cmd: ['GET', 'k'], replies: 0 },
      ['GET', 'k'],
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], replies: 0 },
      { cmd: ['CLIENT', 'REPLY', 'ON'], replies: 1 },
      ['GET', 'k'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'REPLY', 'FOO'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'REPLY', 'ON', 'OFF'],
      ['client', 'reply', 'on'],
      { cmd: 'CLIENT REPLY OFF\r\nSET j 5\r\nCLIENT REPLY ON\r\nGET j\r\n', replies: 2, note: 'pipelined' },
    ]));

  it('unknown command error texts', () =>
    o.compare([
      ['FOO'],
      ['foo'],
      ['FOO', 'a', 'b'],
      ['FOO', ''],
      ['FOO', 'x'.repeat(200)],
      ['FOO', 'y'.repeat(100), 'z'.repeat(100)],
      ['FOO', ...Array.from({ length: 30 }, (_, i) => `arg${i}`)],
      ['FOO', 'a\r\nb', 'c\nd', 'e\rf'],
      ['F\r\nOO', 'x'],
      ['N'.repeat(300)],
      ['N'.repeat(300), 'arg'],
      [''],
      ['', 'x'],
      [Buffer.from([0xff, 0x00, 0x41])],
      ['FOO', Buffer.from([0x00, 0x01])],
      ['GET\r\n'],
      ['GETT', 'k'],
      ["it's", '"quoted"'],
      ['PING'],
    ]));

  it('unknown subcommand and subcommand arity errors', () =>
    o.compare([
      ['CLIENT', 'FOO'],
      ['CLIENT', 'foo', 'bar'],
      ['CLIENT', 'x\r\ny'],
      ['CLIENT', 'x'.repeat(200)],
      ['OBJECT', 'NOPE', 'k'],
      ['COMMAND', 'FOO'],
      ['CONFIG', 'FOO'],
      ['CONFIG', 'GET'],
      ['config', 'get'],
      ['CONFIG'],
      ['CLIENT'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'GETNAME', 'a'],
      ['CLIENT', 'ID', 'a'],
      ['CLIENT', 'INFO', 'a'],
      ['COMMAND', 'COUNT', 'a'],
      ['COMMAND', 'GETKEYS'],
      ['OBJECT', 'ENCODING'],
      ['OBJECT', 'ENCODING', 'a', 'b'],
    ]));

  it('COMMAND COUNT / INFO', () =>
    o.compare([
      { cmd: ['COMMAND', 'COUNT'], match: INT },
      ['COMMAND', 'INFO', 'get'],
      ['COMMAND', 'INFO', 'set'],
      ['COMMAND', 'INFO', 'get', 'set'],
      ['COMMAND', 'INFO', 'GET', 'nosuchcommand', 'SET'],
      ['COMMAND', 'INFO', 'nosuchcommand'],
      ['command', 'info', 'Get'],
    ]));

  it('COMMAND GETKEYS', () =>
    o.compare([
      ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'SET', 'a', 'b', 'EX', '10'],
      ['COMMAND', 'GETKEYS', 'get', 'k'],
      ['COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2'],
      ['COMMAND', 'GETKEYS', 'mget', 'a', 'b', 'c'],
      ['COMMAND', 'GETKEYS', 'del', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'rename', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'copy', 'x', 'y', 'DB', '1'],
      ['COMMAND', 'GETKEYS', 'lcs', 'x', 'y'],
      ['COMMAND', 'GETKEYS', 'expire', 'x', '10'],
      ['COMMAND', 'GETKEYS', 'foo', 'a'],
      ['COMMAND', 'GETKEYS', 'nosuchcmd'],
      ['COMMAND', 'GETKEYS', 'ping'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'],
      ['COMMAND', 'GETKEYS', 'get'],
      ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'set', 'a'],
      ['COMMAND', 'GETKEYS', 'mset', 'a'],
      ['COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b'],
      ['COMMAND', 'GETKEYS', 'dbsize'],
      ['COMMAND', 'GETKEYS'],
    ]));

  it('TIME', () =>
    o.compare([
      { cmd: ['TIME'], match: /^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$/ },
      ['TIME', 'x'],
    ]));

  it('QUIT replies +OK and closes the connection', () =>
    o.compare([
      ['SET', 'k', 'v'],
      { cmd: ['QUIT'], closes: true },
      { cmd: ['GET', 'k'], conn: 1 },
      { cmd: ['quit', 'extra', 'args'], conn: 1, closes: true },
      { cmd: 'QUIT\r\n', conn: 2, closes: true },
    ]));

  it('QUIT inside a pipeline: earlier replies delivered, later commands dropped', () =>
    o.compare([
      { cmd: 'SET a 1\r\nQUIT\r\nSET a 2\r\n', replies: 2, closes: true },
      { cmd: ['GET', 'a'], conn: 1 },
    ]));

  it('RESP3 connection replies', () => {
    const script: Step[] = [
      { cmd: ['HELLO', '3'], match: helloRe(3) },
      ['PING'],
      ['PING', 'x'],
      ['ECHO', 'e'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'r3'],
      ['CLIENT', 'GETNAME'],
      { cmd: ['CLIENT', 'ID'], match: INT },
      ['COMMAND', 'INFO', 'get', 'nosuch'],
      ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
      { cmd: ['TIME'], match: /^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$/ },
      ['FOO'],
    ];
    return o.compare(script);
  });
});
