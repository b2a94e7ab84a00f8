// Wire tests for the CLIENT container: ID SETNAME GETNAME LIST INFO KILL PAUSE UNPAUSE REPLY
// NO-EVICT NO-TOUCH HELP. Texts checked against redis-server 7.0.15.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/node.js';
import { RawClient, type Arg } from '../helpers/raw-client.js';

const OK = '+OK\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** Redis 7.0's CLIENT LIST line layout, field for field. */
const LINE_RE =
  /^id=(\d+) addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name=(\S*) age=\d+ idle=\d+ flags=(\w+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=0 omem=\d+ tot-mem=\d+ events=rw? cmd=(\S+) user=default redir=-1 resp=([23])$/;

/** Parses a CLIENT LIST bulk reply into lines (each checked against the layout). */
function lines(reply: Buffer): RegExpMatchArray[] {
  const s = reply.toString();
  const m = /^\$(\d+)\r\n([\s\S]*)\r\n$/.exec(s);
  assert.ok(m, `bulk reply: ${s}`);
  if (m[2] === '') return [];
  assert.ok(m[2].endsWith('\n'));
  return m[2]
    .slice(0, -1)
    .split('\n')
    .map((l) => {
      const f = LINE_RE.exec(l);
      assert.ok(f, `line layout: ${l}`);
      return f;
    });
}

async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('CLIENT', () => {
  let node: RunningServer;
  let raw: RawClient;
  const r = async (...args: Arg[]): Promise<string> => (await raw.call(...args)).toString('latin1');
  const idOf = async (c: RawClient): Promise<number> => Number((await c.call('CLIENT', 'ID')).toString().slice(1, -2));

  before(async () => {
    node = await startServer();
    raw = await RawClient.connect(node.port);
  });
  after(async () => {
    await raw.close();
    await node.close();
  });

  it('ID, SETNAME, GETNAME', async () => {
    const id = await idOf(raw);
    assert.ok(node.server.clients.has(id));
    assert.equal(await r('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await r('CLIENT', 'SETNAME', 'worker-1'), OK);
    assert.equal(await r('CLIENT', 'GETNAME'), bulk('worker-1'));
    const bad = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
    assert.equal(await r('CLIENT', 'SETNAME', 'a b'), bad);
    assert.equal(await r('CLIENT', 'SETNAME', 'a\nb'), bad);
    assert.equal(await r('CLIENT', 'SETNAME', 'é'), bad);
    assert.equal(await r('CLIENT', 'GETNAME'), bulk('worker-1'));
    assert.equal(await r('CLIENT', 'SETNAME', ''), OK);
    assert.equal(await r('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await r('CLIENT', 'ID', 'x'), "-ERR wrong number of arguments for 'client|id' command\r\n");
    assert.equal(await r('CLIENT', 'FOO'), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
  });

  it('LIST and INFO print Redis 7.0 lines; TYPE and ID filters', async () => {
    const other = await RawClient.connect(node.port);
    try {
      assert.equal((await other.call('CLIENT', 'SETNAME', 'other')).toString(), OK);
      assert.equal((await other.call('SELECT', '4')).toString(), OK);
      const myId = await idOf(raw);
      const otherId = await idOf(other);
      const all = lines(await raw.call('CLIENT', 'LIST'));
      assert.deepEqual(all.map((m) => Number(m[1])), [...node.server.clients.keys()]);
      const mine = all.find((m) => Number(m[1]) === myId);
      const theirs = all.find((m) => Number(m[1]) === otherId);
      assert.equal(mine?.[5], 'client|list');
      assert.equal(theirs?.[2], 'other');
      assert.equal(theirs?.[4], '4');
      assert.equal(theirs?.[5], 'client|id');

      const info = lines(await raw.call('CLIENT', 'INFO'));
      assert.equal(info.length, 1);
      assert.equal(Number(info[0][1]), myId);
      assert.equal(info[0][5], 'client|info');

      assert.equal(lines(await raw.call('CLIENT', 'LIST', 'TYPE', 'normal')).length, all.length);
      assert.equal(await r('CLIENT', 'LIST', 'TYPE', 'replica'), '$0\r\n\r\n');
      assert.equal(await r('CLIENT', 'LIST', 'TYPE', 'PUBSUB'), '$0\r\n\r\n');
      const byId = lines(await raw.call('CLIENT', 'LIST', 'ID', String(otherId), '999999', String(myId)));
      assert.deepEqual(byId.map((m) => Number(m[1])), [otherId, myId]);

      assert.equal(await r('CLIENT', 'LIST', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
      assert.equal(await r('CLIENT', 'LIST', 'ID', 'x'), '-ERR Invalid client ID\r\n');
      assert.equal(await r('CLIENT', 'LIST', 'ID'), SYNTAX);
      assert.equal(await r('CLIENT', 'LIST', 'TYPE', 'normal', 'x'), SYNTAX);

      // RESP3: a verbatim string.
      assert.equal((await other.call('HELLO', '3')).subarray(0, 3).toString(), '%7\r');
      assert.match((await other.call('CLIENT', 'INFO')).toString(), /^=\d+\r\ntxt:id=\d+ .* resp=3\n\r\n$/);
    } finally {
      await other.close();
    }
  });

  it('NO-EVICT and NO-TOUCH set flags e and T', async () => {
    const c = await RawClient.connect(node.port);
    try {
      assert.equal((await c.call('CLIENT', 'NO-EVICT', 'on')).toString(), OK);
      assert.equal((await c.call('CLIENT', 'NO-TOUCH', 'ON')).toString(), OK);
      assert.equal(lines(await c.call('CLIENT', 'INFO'))[0][3], 'eT');
      const client = node.server.clients.get(await idOf(c));
      assert.equal(client?.noTouch, true);
      assert.equal(client?.noEvict, true);
      assert.equal((await c.call('CLIENT', 'NO-TOUCH', 'off')).toString(), OK);
      assert.equal((await c.call('CLIENT', 'NO-EVICT', 'OFF')).toString(), OK);
      assert.equal(lines(await c.call('CLIENT', 'INFO'))[0][3], 'N');
      assert.equal((await c.call('CLIENT', 'NO-EVICT', 'maybe')).toString(), SYNTAX);
      assert.equal((await c.call('CLIENT', 'NO-TOUCH', 'maybe')).toString(), SYNTAX);
    } finally {
      await c.close();
    }
  });

  it('REPLY OFF / SKIP / ON', async () => {
    const c = await RawClient.connect(node.port);
    try {
      // Pipelined: only the marked replies arrive.
      await c.send(
        '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
          '*2\r\n$4\r\nECHO\r\n$7\r\nskipped\r\n' +
          '*2\r\n$4\r\nECHO\r\n$5\r\nfirst\r\n' +
          '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n' +
          '*2\r\n$4\r\nECHO\r\n$3\r\noff\r\n' +
          '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
          '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n' +
          '*2\r\n$4\r\nECHO\r\n$4\r\nlast\r\n',
      );
      assert.deepEqual(
        (await c.readAll(3)).map((b) => b.toString()),
        [bulk('first'), OK, bulk('last')],
      );
      assert.equal((await c.call('CLIENT', 'REPLY', 'maybe')).toString(), SYNTAX);
    } finally {
      await c.close();
    }
  });

  it('KILL: old form, filters, SKIPME, killing itself', async () => {
    const a = await RawClient.connect(node.port);
    const b = await RawClient.connect(node.port);
    const aId = await idOf(a);
    const bId = await idOf(b);
    const aAddr = node.server.clients.get(aId)?.addr ?? '';
    assert.equal(await r('CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client\r\n');
    assert.equal(await r('CLIENT', 'KILL', aAddr), OK);
    await a.waitClose();
    assert.equal(node.server.clients.has(aId), false);

    assert.equal(await r('CLIENT', 'KILL', 'ID', 'x'), '-ERR client-id should be greater than 0\r\n');
    assert.equal(await r('CLIENT', 'KILL', 'ID', '0'), '-ERR client-id should be greater than 0\r\n');
    assert.equal(await r('CLIENT', 'KILL', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
    assert.equal(await r('CLIENT', 'KILL', 'USER', 'nobody'), "-ERR No such user 'nobody'\r\n");
    assert.equal(await r('CLIENT', 'KILL', 'SKIPME', 'maybe'), SYNTAX);
    assert.equal(await r('CLIENT', 'KILL', 'MAXAGE', '1'), SYNTAX);
    assert.equal(await r('CLIENT', 'KILL', 'ID', '1', 'ID'), SYNTAX);
    assert.equal(await r('CLIENT', 'KILL', 'ID', '999999'), ':0\r\n');
    assert.equal(await r('CLIENT', 'KILL', 'TYPE', 'master'), ':0\r\n');
    assert.equal(await r('CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'), ':0\r\n');
    assert.equal(await r('CLIENT', 'KILL', 'ID', String(bId), 'USER', 'default'), ':1\r\n');
    await b.waitClose();

    // SKIPME no: the caller is killed too, after receiving its reply.
    const c = await RawClient.connect(node.port);
    const myId = await idOf(raw);
    const count = node.server.clients.size;
    assert.equal((await c.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes', 'ID', String(myId))).toString(), ':1\r\n');
    await waitFor(() => raw.isClosed, 'raw to be killed');
    raw = await RawClient.connect(node.port);
    assert.equal(node.server.clients.size, count);
    assert.equal((await c.call('CLIENT', 'KILL', 'SKIPME', 'no', 'ID', String(await idOf(c)))).toString(), ':1\r\n');
    await c.waitClose();
  });

  it('PAUSE WRITE holds writes from other clients until UNPAUSE; reads still answer', async () => {
    const writer = new Redis({ port: node.port, lazyConnect: false });
    const reader = new Redis({ port: node.port, lazyConnect: false });
    try {
      await writer.set('p', 'before');
      assert.equal(await r('CLIENT', 'PAUSE', '60000', 'WRITE'), OK);
      let done = false;
      const pending = writer.set('p', 'after').then((v) => {
        done = true;
        return v;
      });
      // GET answers while the SET is held.
      assert.equal(await reader.get('p'), 'before');
      await waitFor(() => node.server.pause.heldCount === 1, 'the SET to be held');
      assert.equal(done, false);
      assert.match(await reader.client('INFO') as string, /flags=N/);
      assert.equal(await r('CLIENT', 'UNPAUSE'), OK);
      assert.equal(await pending, 'OK');
      assert.equal(await reader.get('p'), 'after');
    } finally {
      writer.disconnect();
      reader.disconnect();
    }
  });

  it('PAUSE errors and ALL mode', async () => {
    assert.equal(await r('CLIENT', 'PAUSE', 'x'), '-ERR timeout is not an integer or out of range\r\n');
    assert.equal(await r('CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n');
    assert.equal(await r('CLIENT', 'PAUSE', '10', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    assert.equal(await r('CLIENT', 'PAUSE', 'x', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    assert.equal(
      await r('CLIENT', 'PAUSE', '10', 'ALL', 'x'),
      "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
    );
    const other = await RawClient.connect(node.port);
    try {
      await other.call('SET', 'p', 'v');
      assert.equal(await r('CLIENT', 'PAUSE', '60000'), OK);
      await other.command('GET', 'p');
      await waitFor(() => node.server.pause.heldCount === 1, 'the GET to be held under PAUSE ALL');
      assert.equal(other.pending.length, 0);
      node.server.pause.unpause();
      assert.equal((await other.readReply()).toString(), bulk('v'));
    } finally {
      node.server.pause.unpause();
      await other.close();
    }
  });

  it('HELP lists Redis 7.0 lines plus NO-TOUCH', async () => {
    const help = await r('CLIENT', 'HELP');
    assert.match(help, /^\*50\r\n\+CLIENT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    assert.ok(help.includes('+NO-TOUCH (ON|OFF)\r\n+    Will not touch LRU/LFU stats when this mode is on.\r\n'));
    assert.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
  });
});
