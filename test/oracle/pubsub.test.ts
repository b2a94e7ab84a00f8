// Oracle tests for Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH PUBSUB, the RESP2 subscribed-mode rules, RESP3 push frames, and the client
// introspection of subscribers. Ports the cases of Redis's tests/unit/pubsub.tcl and
// pubsubshard.tcl that need no cluster. Replies byte for byte.
//
// Messages reach a subscriber while the script talks on another connection; the script reads
// them by sending the subscriber a PING and reading the messages queued before its reply.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const SUB = 1;
const SUB2 = 2;

/** The subscriber `conn` reads `n` pending messages (then the PING reply). */
const drain = (conn: number, n: number): Step => ({ cmd: ['PING'], conn, replies: n + 1 });

/** A CLIENT LIST / INFO reply reduced to the fields Redis and Shoal must agree on. */
function clientFields(raw: string): string {
  const out: string[] = [];
  for (const line of raw.split('\n')) {
    const m = /flags=(\S+) db=\d+ sub=(\d+) psub=(\d+) ssub=(\d+) multi=(-?\d+)/.exec(line);
    if (m !== null) out.push(m.slice(1).join(' '));
  }
  return out.sort().join('|');
}

/** The pubsub_* lines of INFO stats. */
function pubsubStats(raw: string): string {
  return raw.split('\r\n').filter((l) => l.startsWith('pubsub')).join(',');
}

withOracle('oracle: pubsub.tcl', (o) => {
  it('PUBLISH/SUBSCRIBE basics', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'chan1', 'chan2'], conn: SUB, replies: 2 },
      ['PUBLISH', 'chan1', 'hello'],
      ['PUBLISH', 'chan2', 'world'],
      drain(SUB, 2),
      { cmd: ['UNSUBSCRIBE', 'chan1'], conn: SUB },
      ['PUBLISH', 'chan1', 'hello'],
      ['PUBLISH', 'chan2', 'world'],
      drain(SUB, 1),
      { cmd: ['UNSUBSCRIBE', 'chan2'], conn: SUB },
      ['PUBLISH', 'chan1', 'hello'],
      ['PUBLISH', 'chan2', 'world'],
      // Out of Pub/Sub mode: an ordinary PING again.
      { cmd: ['PING'], conn: SUB },
    ]));

  it('PUBLISH/SUBSCRIBE with two clients', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'chan1'], conn: SUB },
      { cmd: ['SUBSCRIBE', 'chan1'], conn: SUB2 },
      ['PUBLISH', 'chan1', 'hello'],
      drain(SUB, 1),
      drain(SUB2, 1),
      ['PUBSUB', 'NUMSUB', 'chan1', 'nope'],
    ]));

  it('PUBLISH/SUBSCRIBE after UNSUBSCRIBE without arguments', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'chan1', 'chan2', 'chan3'], conn: SUB, replies: 3 },
      // One confirmation per channel, in an unspecified order, counting down to 0.
      { cmd: ['UNSUBSCRIBE'], conn: SUB, replies: 3, match: /^\*3\r\n\$11\r\nunsubscribe\r\n\$5\r\nchan[123]\r\n:[012]\r\n$/ },
      ['PUBLISH', 'chan1', 'hello'],
      ['PUBLISH', 'chan2', 'hello'],
      ['PUBLISH', 'chan3', 'hello'],
      { cmd: ['GET', 'x'], conn: SUB },
    ]));

  it('SUBSCRIBE to one channel more than once', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'chan1', 'chan1', 'chan1'], conn: SUB, replies: 3 },
      ['PUBLISH', 'chan1', 'hello'],
      drain(SUB, 1),
    ]));

  it('UNSUBSCRIBE / PUNSUBSCRIBE from names not subscribed', () =>
    o.compare([
      { cmd: ['UNSUBSCRIBE', 'foo', 'bar', 'quux'], conn: SUB, replies: 3 },
      { cmd: ['PUNSUBSCRIBE', 'foo.*', 'bar.*', 'quux.*'], conn: SUB, replies: 3 },
      { cmd: ['SUNSUBSCRIBE', 'foo', 'bar'], conn: SUB, replies: 2 },
      // Never subscribed: still not in Pub/Sub mode.
      { cmd: ['GET', 'x'], conn: SUB },
    ]));

  it('PUBLISH/PSUBSCRIBE basics', () =>
    o.compare([
      { cmd: ['PSUBSCRIBE', 'foo.*', 'bar.*'], conn: SUB, replies: 2 },
      ['PUBLISH', 'foo.1', 'hello'],
      ['PUBLISH', 'bar.1', 'hello'],
      ['PUBLISH', 'foo1', 'hello'],
      ['PUBLISH', 'barfoo.1', 'hello'],
      ['PUBLISH', 'qux.1', 'hello'],
      drain(SUB, 2),
      { cmd: ['PUNSUBSCRIBE', 'foo.*'], conn: SUB },
      ['PUBLISH', 'foo.1', 'hello'],
      ['PUBLISH', 'bar.1', 'hello'],
      drain(SUB, 1),
      { cmd: ['PUNSUBSCRIBE', 'bar.*'], conn: SUB },
      ['PUBLISH', 'foo.1', 'hello'],
      ['PUBLISH', 'bar.1', 'hello'],
      { cmd: ['PING'], conn: SUB },
    ]));

  it('PUBLISH/PSUBSCRIBE with two clients; NUMPAT counts distinct patterns', () =>
    o.compare([
      { cmd: ['PSUBSCRIBE', 'chan.*'], conn: SUB },
      { cmd: ['PSUBSCRIBE', 'chan.*'], conn: SUB2 },
      ['PUBSUB', 'NUMPAT'],
      ['PUBLISH', 'chan.foo', 'hello'],
      drain(SUB, 1),
      drain(SUB2, 1),
      { cmd: ['PUNSUBSCRIBE'], conn: SUB },
      ['PUBSUB', 'NUMPAT'],
      { cmd: ['PUNSUBSCRIBE'], conn: SUB2 },
      ['PUBSUB', 'NUMPAT'],
    ]));

  it('PUBLISH/PSUBSCRIBE after PUNSUBSCRIBE without arguments', () =>
    o.compare([
      { cmd: ['PSUBSCRIBE', 'chan1.*', 'chan2.*', 'chan3.*'], conn: SUB, replies: 3 },
      { cmd: ['PUNSUBSCRIBE'], conn: SUB, replies: 3, match: /^\*3\r\n\$12\r\npunsubscribe\r\n\$7\r\nchan[123]\.\*\r\n:[012]\r\n$/ },
      ['PUBLISH', 'chan1.hi', 'hello'],
      ['PUBLISH', 'chan2.hi', 'hello'],
      ['PUBLISH', 'chan3.hi', 'hello'],
    ]));

  it('Mix SUBSCRIBE and PSUBSCRIBE: one delivery per channel and per matching pattern', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'foo.bar'], conn: SUB },
      { cmd: ['PSUBSCRIBE', 'foo.*'], conn: SUB },
      { cmd: ['PSUBSCRIBE', 'f*'], conn: SUB2 },
      ['PUBLISH', 'foo.bar', 'hello'],
      drain(SUB, 2),
      drain(SUB2, 1),
      // Counts: channels + patterns of that client.
      { cmd: ['UNSUBSCRIBE', 'foo.bar'], conn: SUB },
      { cmd: ['PUNSUBSCRIBE', 'foo.*'], conn: SUB },
    ]));

  it('PUNSUBSCRIBE and UNSUBSCRIBE always reply (a null name when subscribed to nothing)', () =>
    o.compare([['PUNSUBSCRIBE'], ['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['UNSUBSCRIBE'], ['SUNSUBSCRIBE']]));

  it('pattern syntax: ?, sets, ranges, escapes; binary channels and messages', () =>
    o.compare([
      { cmd: ['PSUBSCRIBE', 'h?llo', 'x[ab]y', 'r[a-c]*', 'lit\\*', 'n[^0-9]'], conn: SUB, replies: 5 },
      ['PUBLISH', 'hello', '1'],
      ['PUBLISH', 'hllo', '2'],
      ['PUBLISH', 'xby', '3'],
      ['PUBLISH', 'xcy', '4'],
      ['PUBLISH', 'rbzz', '5'],
      ['PUBLISH', 'lit*', '6'],
      ['PUBLISH', 'litx', '7'],
      ['PUBLISH', 'nx', '8'],
      ['PUBLISH', 'n5', '9'],
      drain(SUB, 5),
      { cmd: ['SUBSCRIBE', Buffer.from('bin\0\r\nchan')], conn: SUB2 },
      ['PUBLISH', Buffer.from('bin\0\r\nchan'), Buffer.from('pay\r\n\0load')],
      ['PUBLISH', 'bin', 'x'],
      drain(SUB2, 1),
      ['PUBSUB', 'CHANNELS'],
    ]));

  it('empty channel name and empty message; "*" does not match the empty channel', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', ''], conn: SUB },
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB2 },
      ['PUBLISH', '', ''],
      ['PUBLISH', 'a', ''],
      drain(SUB, 1),
      drain(SUB2, 1),
    ]));
});

withOracle('oracle: Pub/Sub mode rules', (o) => {
  it('RESP2: only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET are allowed', () =>
    o.compare([
      ['SUBSCRIBE', 'a'],
      ['GET', 'x'],
      ['SET', 'x', '1'],
      ['CLIENT', 'LIST'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['PUBLISH', 'a', 'b'],
      ['PUBSUB', 'CHANNELS'],
      ['HELLO', '2'],
      ['NOSUCHCOMMAND'],
      ['GET'],
      ['PING'],
      ['PING', 'hi'],
      ['PING', 'a', 'b'],
      ['SUBSCRIBE'],
      ['PSUBSCRIBE', 'p*'],
      ['SSUBSCRIBE', 's'],
      { cmd: ['UNSUBSCRIBE', 'a', 'b'], replies: 2 },
      ['PUNSUBSCRIBE'],
      // Still in Pub/Sub mode: a shard channel is left (the flag counts every kind).
      ['GET', 'x'],
      ['SUNSUBSCRIBE'],
      ['GET', 'x'],
    ]));

  it('RESP2: MULTI is refused; EXEC is refused as EXECABORT', () =>
    o.compare([
      ['SUBSCRIBE', 'q'],
      ['MULTI'],
      ['EXEC'],
      ['DISCARD'],
      ['UNSUBSCRIBE'],
      ['EXEC'],
    ]));

  it('QUIT closes a subscriber; RESET leaves Pub/Sub mode silently', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'a', 'b'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'x*'], conn: SUB },
      { cmd: ['SSUBSCRIBE', 's'], conn: SUB },
      { cmd: ['RESET'], conn: SUB },
      { cmd: ['GET', 'x'], conn: SUB },
      ['PUBLISH', 'a', 'gone'],
      ['PUBSUB', 'NUMPAT'],
      ['PUBSUB', 'SHARDNUMSUB', 's'],
      { cmd: ['SUBSCRIBE', 'a'], conn: SUB2 },
      { cmd: ['QUIT'], conn: SUB2, closes: true },
      { poll: ['PUBSUB', 'NUMSUB', 'a'], until: /:0\r\n$/ },
    ]));

  it('SUBSCRIBE and PSUBSCRIBE inside MULTI work; SSUBSCRIBE is refused there', () =>
    o.compare([
      ['MULTI'],
      ['SUBSCRIBE', 'a'],
      ['SSUBSCRIBE', 'b'],
      ['PSUBSCRIBE', 'c*'],
      ['EXEC'],
      ['GET', 'x'],
      ['PUNSUBSCRIBE'],
      ['UNSUBSCRIBE'],
      ['GET', 'x'],
    ]));

  it('RESP3: confirmations and messages are push frames; every command is allowed', () =>
    o.compare([
      { cmd: ['HELLO', '3'], conn: SUB, ignore: true },
      { cmd: ['SUBSCRIBE', 'a', 'b'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'p*'], conn: SUB },
      { cmd: ['SSUBSCRIBE', 's'], conn: SUB },
      { cmd: ['GET', 'x'], conn: SUB },
      { cmd: ['PING'], conn: SUB },
      ['PUBLISH', 'a', 'hi'],
      ['PUBLISH', 'pq', 'x'],
      ['SPUBLISH', 's', 'shard'],
      { cmd: ['SET', 'k', 'v'], conn: SUB, replies: 4 },
      // Publishing to itself: the push precedes the reply.
      { cmd: ['PUBLISH', 'b', 'self'], conn: SUB, replies: 2 },
      { cmd: ['UNSUBSCRIBE'], conn: SUB, replies: 2, match: /^>3\r\n\$11\r\nunsubscribe\r\n\$1\r\n[ab]\r\n:[12]\r\n$/ },
      { cmd: ['PUNSUBSCRIBE'], conn: SUB },
      { cmd: ['SUNSUBSCRIBE'], conn: SUB },
      { cmd: ['UNSUBSCRIBE'], conn: SUB },
      { cmd: ['PUNSUBSCRIBE', 'none'], conn: SUB },
      // A RESP2 subscriber of the same channel gets arrays.
      { cmd: ['SUBSCRIBE', 'a'], conn: SUB2 },
      { cmd: ['HELLO', '3'], conn: SUB, ignore: true },
      { cmd: ['SUBSCRIBE', 'a'], conn: SUB },
      ['PUBLISH', 'a', 'both'],
      drain(SUB, 1),
      drain(SUB2, 1),
      // Switching a subscribed RESP3 connection back to RESP2 restricts it again.
      { cmd: ['HELLO', '2'], conn: SUB, ignore: true },
      { cmd: ['GET', 'x'], conn: SUB },
    ]));

  it('CLIENT REPLY OFF / SKIP do not suppress subscription replies and messages', () =>
    o.compare([
      { cmd: ['CLIENT', 'REPLY', 'OFF'], conn: SUB, replies: 0 },
      { cmd: ['SUBSCRIBE', 'a'], conn: SUB },
      ['PUBLISH', 'a', 'm1'],
      // The rejected CLIENT REPLY ON gets no reply (replies are off), the message comes.
      { cmd: ['CLIENT', 'REPLY', 'ON'], conn: SUB, replies: 0 },
      { cmd: ['HELLO', '3'], conn: SUB2, ignore: true },
      { cmd: ['SUBSCRIBE', 'a'], conn: SUB2 },
      { cmd: ['CLIENT', 'REPLY', 'OFF'], conn: SUB2, replies: 0 },
      ['PUBLISH', 'a', 'm2'],
      { cmd: ['PUBLISH', 'a', 'self'], conn: SUB2, replies: 2 },
      { cmd: ['CLIENT', 'REPLY', 'SKIP'], conn: SUB2, replies: 0 },
      { cmd: ['PUBLISH', 'a', 'skip'], conn: SUB2, replies: 1 },
      { cmd: ['CLIENT', 'REPLY', 'ON'], conn: SUB2 },
      // SUB has m1, m2, self and skip queued, then the confirmation.
      { cmd: ['PUNSUBSCRIBE'], conn: SUB, replies: 5 },
      { cmd: ['RESET'], conn: SUB },
    ]));
});

withOracle('oracle: shard channels and PUBSUB introspection', (o) => {
  it('SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE; shard channels ignore patterns', () =>
    o.compare([
      { cmd: ['SSUBSCRIBE', 'ch1', 'ch2'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'ch*'], conn: SUB2 },
      ['SPUBLISH', 'ch1', 'hello'],
      ['SPUBLISH', 'ch2', 'world'],
      ['PUBLISH', 'ch1', 'global'],
      drain(SUB, 2),
      drain(SUB2, 1),
      ['PUBSUB', 'SHARDNUMSUB', 'ch1', 'ch2', 'ch3'],
      ['PUBSUB', 'NUMSUB', 'ch1'],
      { cmd: ['SUBSCRIBE', 'ch1'], conn: SUB },
      // The shard count and the global count are separate.
      { cmd: ['SUNSUBSCRIBE', 'ch1'], conn: SUB },
      { cmd: ['SSUBSCRIBE', 'ch3'], conn: SUB },
      { cmd: ['UNSUBSCRIBE', 'ch1'], conn: SUB },
      { cmd: ['SUNSUBSCRIBE'], conn: SUB, replies: 2, match: /^\*3\r\n\$12\r\nsunsubscribe\r\n\$3\r\nch[23]\r\n:[01]\r\n$/ },
      ['SPUBLISH', 'ch2', 'none'],
      { cmd: ['SUNSUBSCRIBE'], conn: SUB },
      { cmd: ['GET', 'x'], conn: SUB },
    ]));

  it('PUBSUB CHANNELS / SHARDCHANNELS with and without a pattern', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'news.tech', 'news.art', 'weather'], conn: SUB, replies: 3 },
      { cmd: ['SUBSCRIBE', 'news.tech', 'other'], conn: SUB2, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'news.*'], conn: SUB2 },
      { cmd: ['SSUBSCRIBE', 'shard.a', 'shard.b'], conn: 3, replies: 2 },
      { cmd: ['PUBSUB', 'CHANNELS'], sort: true },
      { cmd: ['PUBSUB', 'CHANNELS', 'news.*'], sort: true },
      { cmd: ['PUBSUB', 'CHANNELS', 'w*'] },
      { cmd: ['PUBSUB', 'CHANNELS', 'nomatch*'] },
      { cmd: ['PUBSUB', 'SHARDCHANNELS'], sort: true },
      { cmd: ['PUBSUB', 'SHARDCHANNELS', '*.b'] },
      ['PUBSUB', 'NUMSUB', 'news.tech', 'news.art', 'weather', 'other', 'news.*'],
      ['PUBSUB', 'NUMSUB'],
      ['PUBSUB', 'SHARDNUMSUB'],
      ['PUBSUB', 'NUMPAT'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['PUBSUB', 'NUMSUB', 'news.tech'],
      { cmd: ['PUBSUB', 'CHANNELS', 'news.*'], sort: true },
    ]));

  it('PUBSUB HELP and errors; arity errors of every command', () =>
    o.compare([
      ['PUBSUB', 'HELP'],
      ['PUBSUB', 'help'],
      ['PUBSUB'],
      ['PUBSUB', 'FOO'],
      ['PUBSUB', 'CHANNELS', 'a', 'b'],
      ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
      ['PUBSUB', 'NUMPAT', 'x'],
      ['PUBSUB', 'HELP', 'x'],
      ['SUBSCRIBE'],
      ['PSUBSCRIBE'],
      ['SSUBSCRIBE'],
      ['PUBLISH', 'a'],
      ['PUBLISH', 'a', 'b', 'c'],
      ['SPUBLISH', 'a'],
    ]));

  it('INFO stats counts channels, distinct patterns and shard channels', () =>
    o.compare([
      { cmd: ['SUBSCRIBE', 'a', 'b'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'p*', 'q*'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'p*'], conn: SUB2 },
      { cmd: ['SSUBSCRIBE', 's'], conn: SUB2 },
      { cmd: ['INFO', 'stats'], normalize: pubsubStats },
      { cmd: ['RESET'], conn: SUB },
      { cmd: ['INFO', 'stats'], normalize: pubsubStats },
    ]));

  it('CLIENT LIST / INFO: flag P and the sub, psub, ssub counts; TYPE pubsub filters', () =>
    o.compare([
      { cmd: ['HELLO', '3'], conn: SUB, ignore: true },
      { cmd: ['SUBSCRIBE', 'a', 'b'], conn: SUB, replies: 2 },
      { cmd: ['PSUBSCRIBE', 'p*'], conn: SUB },
      { cmd: ['SSUBSCRIBE', 's1', 's2', 's3'], conn: SUB, replies: 3 },
      { cmd: ['CLIENT', 'INFO'], conn: SUB, normalize: clientFields },
      { cmd: ['CLIENT', 'LIST'], normalize: clientFields },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'pubsub'], normalize: clientFields },
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'normal'], normalize: clientFields },
      { cmd: ['SUBSCRIBE', 'x'], conn: SUB2 },
      ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
      { cmd: ['CLIENT', 'LIST', 'TYPE', 'pubsub'], normalize: clientFields },
      { poll: ['PUBSUB', 'NUMSUB', 'a', 'x'], until: /:0\r\n\$1\r\nx\r\n:0\r\n$/ },
    ]));
});
