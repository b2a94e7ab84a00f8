// Wire tests for the COMMAND container (COUNT INFO DOCS GETKEYS GETKEYSANDFLAGS LIST HELP)
// and for getKeysFromCommand, the key-spec walker cluster routing and the proxy reuse. Exact
// bytes below were captured from redis-server 7.0.15 for the same commands.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { getKeysFromCommand } from '../../src/server/handlers/command.js';
import { parseReply, RawClient, type Arg } from '../helpers/raw-client.js';

const GET_INFO_2 =
  '*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n' +
  '*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n' +
  '*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n' +
  '$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n';
const GET_INFO_3 =
  '*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n' +
  '~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n' +
  '%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n' +
  '$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n';
const SET_NOTES = '$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n';
const SUBSTR_DOCS_3 =
  '%1\r\n$6\r\nsubstr\r\n%8\r\n$7\r\nsummary\r\n$45\r\nGet a substring of the string stored at a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n' +
  '$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$231\r\nO(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.\r\n' +
  '$9\r\ndoc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n2.0.0\r\n$11\r\nreplaced_by\r\n$10\r\n`GETRANGE`\r\n' +
  '$9\r\narguments\r\n*3\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n' +
  '%2\r\n$4\r\nname\r\n$5\r\nstart\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%2\r\n$4\r\nname\r\n$3\r\nend\r\n$4\r\ntype\r\n$7\r\ninteger\r\n';
const SET_DOCS_2_HEAD =
  '*2\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n' +
  '$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n2.6.12\r\n';
const SET_DOCS_2_ARGS =
  '$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n' +
  '*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n' +
  '*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n*1\r\n+optional\r\n';
const KILL_DEPRECATED_ARG =
  '*6\r\n$4\r\nname\r\n$7\r\nip:port\r\n$4\r\ntype\r\n$6\r\nstring\r\n$16\r\ndeprecated_since\r\n$6\r\n2.8.12\r\n';

describe('COMMAND', () => {
  let node: RunningServer;
  let raw: RawClient;
  let raw3: RawClient;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const r3 = async (...args: Arg[]): Promise<string> => (await raw3.call(...args)).toString('latin1');

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
    raw3 = await RawClient.connect(node.port);
    await raw3.call('HELLO', '3');
  });
  after(async () => {
    await raw.close();
    await raw3.close();
    await node.close();
  });

  it('COUNT and bare COMMAND cover every top-level command', async () => {
    const count = node.server.commands.size;
    assert.equal(await r('COMMAND', 'COUNT'), `:${count}\r\n`);
    const all = parseReply(await raw.call('COMMAND'));
    assert.ok(Array.isArray(all));
    assert.equal(all.length, count);
    const names = all.map((e) => (Array.isArray(e) ? e[0] : null));
    assert.ok(names.includes('get') && names.includes('client') && names.includes('command'));
    assert.equal(await r('COMMAND', 'COUNT', 'x'), "-ERR wrong number of arguments for 'command|count' command\r\n");
    assert.equal(await r('COMMAND', 'FOO'), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
  });

  it('INFO matches Redis byte for byte in RESP2 and RESP3', async () => {
    assert.equal(await r('COMMAND', 'INFO', 'get'), '*1\r\n' + GET_INFO_2);
    assert.equal(await r3('COMMAND', 'INFO', 'get'), '*1\r\n' + GET_INFO_3);
    const two = await r('COMMAND', 'INFO', 'get', 'set', 'nosuch');
    assert.ok(two.startsWith('*3\r\n' + GET_INFO_2 + '*10\r\n$3\r\nset\r\n:-3\r\n'));
    assert.ok(two.includes('*8\r\n' + SET_NOTES + '$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n'));
    assert.ok(two.endsWith('$-1\r\n'));
    assert.ok((await r3('COMMAND', 'INFO', 'nosuch')).endsWith('_\r\n'));
    // Subcommands by full name, case-insensitively; a container lists its subcommands.
    assert.match(await r('COMMAND', 'INFO', 'CONFIG|GET'), /^\*1\r\n\*10\r\n\$10\r\nconfig\|get\r\n:-3\r\n\*4\r\n\+admin\r\n/);
    assert.equal(await r('COMMAND', 'INFO', 'config|get|x'), '*1\r\n$-1\r\n');
    assert.equal(await r('COMMAND', 'INFO', 'get|x'), '*1\r\n$-1\r\n');
    const client = parseReply(await raw.call('COMMAND', 'INFO', 'client'));
    assert.ok(Array.isArray(client) && Array.isArray(client[0]));
    const subs = client[0][9];
    assert.ok(Array.isArray(subs) && subs.length === node.server.commands.lookup('client')?.subcommands?.size);
    // COMMAND INFO without names = COMMAND.
    assert.equal(await r('COMMAND', 'INFO'), await r('COMMAND'));
  });

  it('DOCS matches Redis field order (RESP2 arrays, RESP3 maps and sets)', async () => {
    const set = await r('COMMAND', 'DOCS', 'set');
    assert.ok(set.startsWith(SET_DOCS_2_HEAD), set.slice(0, 300));
    assert.ok(set.includes(SET_DOCS_2_ARGS));
    assert.equal(await r3('COMMAND', 'DOCS', 'substr', 'nosuch'), SUBSTR_DOCS_3);
    assert.ok((await r('COMMAND', 'DOCS', 'client|kill')).includes(KILL_DEPRECATED_ARG));
    const config = await r3('COMMAND', 'DOCS', 'config');
    assert.match(config, /^%1\r\n\$6\r\nconfig\r\n%5\r\n.*\$11\r\nsubcommands\r\n%\d+\r\n/s);
    const all = parseReply(await raw3.call('COMMAND', 'DOCS'));
    assert.ok(all instanceof Map);
    assert.equal(all.size, node.server.commands.size);
    assert.equal(await r('COMMAND', 'DOCS', 'nosuch'), '*0\r\n');
  });

  it('GETKEYS and GETKEYSANDFLAGS', async () => {
    assert.equal(await r('COMMAND', 'GETKEYS', 'set', 'a', 'b'), '*1\r\n$1\r\na\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'), '*2\r\n$1\r\na\r\n$1\r\nc\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'GET', 'GET'), '*1\r\n$3\r\nGET\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'object', 'encoding', 'k'), '*1\r\n$1\r\nk\r\n');
    assert.equal(
      await r('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'),
      '*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n',
    );
    assert.equal(
      await r('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'GET'),
      '*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n',
    );
    assert.equal(
      await r3('COMMAND', 'GETKEYSANDFLAGS', 'rename', 'a', 'b'),
      '*2\r\n*2\r\n$1\r\na\r\n~3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n~2\r\n+OW\r\n+update\r\n',
    );
    assert.equal(await r('COMMAND', 'GETKEYS', 'nosuch', 'a'), '-ERR Invalid command specified\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'config', 'foo'), '-ERR Invalid command specified\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'ping', 'x'), '-ERR The command has no key arguments\r\n');
    assert.equal(await r('COMMAND', 'GETKEYS', 'config', 'get', 'x'), '-ERR The command has no key arguments\r\n');
    assert.equal(
      await r('COMMAND', 'GETKEYS', 'get', 'a', 'b'),
      '-ERR Invalid number of arguments specified for command\r\n',
    );
    assert.equal(await r('COMMAND', 'GETKEYS', 'get'), "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  });

  it('LIST with and without FILTERBY', async () => {
    const all = parseReply(await raw.call('COMMAND', 'LIST'));
    assert.ok(Array.isArray(all));
    assert.equal(all.length, [...node.server.commands.all()].length);
    assert.ok(all.includes('config|get') && all.includes('client|list'));
    assert.equal(await r('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'G?T'), '*1\r\n$3\r\nget\r\n');
    const cfg = parseReply(await raw.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'));
    assert.ok(Array.isArray(cfg) && cfg.includes('config') && cfg.includes('config|set'));
    const conn = parseReply(await raw.call('COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'CONNECTION'));
    assert.ok(Array.isArray(conn) && conn.includes('ping') && conn.includes('client|id') && !conn.includes('client'));
    assert.equal(await r('COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'nosuch'), '*0\r\n');
    assert.equal(await r('COMMAND', 'LIST', 'FILTERBY', 'module', 'x'), '*0\r\n');
    assert.equal(await r('COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'), '-ERR syntax error\r\n');
    assert.equal(await r('COMMAND', 'LIST', 'FILTERBY'), '-ERR syntax error\r\n');
    assert.equal(await r('COMMAND', 'LIST', 'x'), '-ERR syntax error\r\n');
  });

  it('HELP', async () => {
    const help = await r('COMMAND', 'HELP');
    assert.match(help, /^\*21\r\n\+COMMAND <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n\+\(no subcommand\)\r\n/);
    assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
  });

  it('clients consume COMMAND: ioredis and node-redis (RESP3)', async () => {
    const io = new Redis({ port: node.port, lazyConnect: false });
    const nr = createClient({ socket: { port: node.port }, RESP: 3 });
    await nr.connect();
    try {
      const info = (await io.command('INFO', 'get')) as unknown[][];
      assert.equal(info[0][0], 'get');
      assert.equal(info[0][1], 2);
      assert.equal(await io.command('COUNT'), node.server.commands.size);
      const keys = await nr.sendCommand(['COMMAND', 'GETKEYS', 'mset', 'x', '1', 'y', '2']);
      assert.deepEqual(keys, ['x', 'y']);
      const docs = await nr.sendCommand(['COMMAND', 'DOCS', 'get']);
      assert.ok(docs instanceof Map || (typeof docs === 'object' && docs !== null));
    } finally {
      io.disconnect();
      nr.destroy();
    }
  });

  it('getKeysFromCommand returns key positions from the key specs', () => {
    const t = node.server.commands;
    const argv = (...a: string[]): Buffer[] => a.map((s) => Buffer.from(s));
    const cmd = (name: string) => {
      const c = t.lookupFullName(name);
      assert.ok(c, name);
      return c;
    };
    assert.deepEqual(getKeysFromCommand(cmd('get'), argv('get', 'k')), [1]);
    assert.deepEqual(getKeysFromCommand(cmd('mset'), argv('mset', 'a', '1', 'b', '2')), [1, 3]);
    assert.deepEqual(getKeysFromCommand(cmd('del'), argv('del', 'a', 'b', 'c')), [1, 2, 3]);
    assert.deepEqual(getKeysFromCommand(cmd('rename'), argv('rename', 'a', 'b')), [1, 2]);
    assert.deepEqual(getKeysFromCommand(cmd('object|encoding'), argv('object', 'encoding', 'k')), [2]);
    assert.deepEqual(getKeysFromCommand(cmd('ping'), argv('ping')), []);
    assert.equal(getKeysFromCommand(cmd('get'), argv('get')), null);
  });
});
