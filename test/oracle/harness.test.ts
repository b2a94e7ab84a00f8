// Tests of the oracle harness itself: the RESP reader/parser, and that compareScript really fails
// on differences (pointing both sides at the SAME redis-server makes stateful replies differ).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient, ReplyError, encodeCommand, formatReply, parseReply, replyEnd } from '../helpers/raw-client.js';
import { approxEqual, compareScript, sortedEqual } from '../helpers/oracle.js';
import { requireRedis, startRedis, type RedisInstance } from '../helpers/redis.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('raw-client: RESP framing and parsing', () => {
  it('replyEnd finds the end of exactly one reply of every RESP2/RESP3 type', () => {
    const cases = [
      '+OK\r\n', '-ERR x\r\n', ':-12\r\n', '$3\r\na\r\n\r\n', '$-1\r\n', '$0\r\n\r\n', '*-1\r\n', '*0\r\n',
      '*2\r\n$1\r\na\r\n*1\r\n:1\r\n', '_\r\n', ',3.14\r\n', '#t\r\n', '!5\r\nERR x\r\n', '=7\r\ntxt:abc\r\n',
      '(12345678901234567890\r\n', '%1\r\n+k\r\n*1\r\n_\r\n', '~2\r\n:1\r\n:2\r\n', '>2\r\n+message\r\n+x\r\n',
      '|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n',
    ];
    for (const c of cases) {
      const buf = b(c + '+NEXT\r\n');
      assert.equal(replyEnd(buf), c.length, c);
      for (let i = 0; i < c.length; i++) assert.equal(replyEnd(b(c.slice(0, i))), -1, `prefix ${i} of ${c}`);
    }
    assert.throws(() => replyEnd(b('?x\r\n')));
    assert.throws(() => replyEnd(b('$1\r\nabc\r\n')));
  });

  it('parseReply maps replies to JS values', () => {
    assert.equal(parseReply(b('+OK\r\n')), 'OK');
    const err = parseReply(b('-ERR bad\r\n'));
    assert.ok(err instanceof ReplyError);
    assert.equal(err.message, 'ERR bad');
    assert.equal(parseReply(b(':42\r\n')), 42);
    assert.equal(parseReply(b(':9223372036854775807\r\n')), 9223372036854775807n);
    assert.equal(parseReply(b('$-1\r\n')), null);
    assert.equal(parseReply(b('_\r\n')), null);
    assert.deepEqual(parseReply(b('*3\r\n$1\r\na\r\n$-1\r\n:1\r\n')), ['a', null, 1]);
    assert.deepEqual(parseReply(b('%1\r\n+k\r\n#f\r\n')), new Map([['k', false]]));
    assert.equal(parseReply(b(',inf\r\n')), Infinity);
    assert.equal(parseReply(b('=7\r\ntxt:abc\r\n')), 'abc');
    assert.deepEqual(parseReply(b('$2\r\n\xff\x00\r\n')), Buffer.from([0xff, 0]));
    assert.equal(parseReply(b('|1\r\n+a\r\n+b\r\n:5\r\n')), 5);
    assert.throws(() => parseReply(b('+OK\r\n+OK\r\n')));
  });

  it('formatReply is readable and escapes bytes', () => {
    assert.equal(formatReply(b('$-1\r\n')), '(nil)');
    assert.equal(formatReply(b('-ERR x\r\n')), '(error) ERR x');
    assert.equal(formatReply(b('$3\r\na\r\n\r\n')), '"a\\r\\n"');
    assert.equal(formatReply(b('*2\r\n:1\r\n*1\r\n+x\r\n')), '1) (integer) 1\n2) 1) +x');
    assert.equal(formatReply(b('*0\r\n')), '(empty)');
    assert.match(formatReply(b('junk')), /unparsable/);
  });

  it('sortedEqual / approxEqual', () => {
    assert.ok(sortedEqual(b('*2\r\n+a\r\n+b\r\n'), b('*2\r\n+b\r\n+a\r\n')));
    assert.ok(!sortedEqual(b('*2\r\n+a\r\n+b\r\n'), b('*2\r\n+a\r\n+a\r\n')));
    assert.ok(!sortedEqual(b('*1\r\n+a\r\n'), b('*2\r\n+a\r\n+a\r\n')));
    assert.ok(!sortedEqual(b('+a\r\n'), b('+b\r\n')));
    assert.ok(approxEqual(b(':100\r\n'), b(':99\r\n'), 1));
    assert.ok(!approxEqual(b(':100\r\n'), b(':98\r\n'), 1));
    assert.ok(approxEqual(b('*2\r\n:5\r\n+x\r\n'), b('*2\r\n:6\r\n+x\r\n'), 1));
    assert.ok(!approxEqual(b('*2\r\n:5\r\n+x\r\n'), b('*2\r\n:5\r\n+y\r\n'), 1));
    assert.ok(!approxEqual(b(':5\r\n'), b('$1\r\n5\r\n'), 1));
  });

  it('encodeCommand builds a multibulk request', () => {
    assert.equal(encodeCommand(['SET', 'k', Buffer.from([0])]).toString('latin1'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n\x00\r\n');
  });
});

describe('oracle harness against a real redis-server', { skip: requireRedis() }, () => {
  let redis: RedisInstance | null = null;
  const port = (): number => {
    assert.ok(redis !== null);
    return redis.port;
  };
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it('startRedis answers PING; RawClient reads replies, split and pipelined', async () => {
    const c = await RawClient.connect(port());
    await c.send('PI');
    await c.send('NG\r\nECHO "a b"\r\n');
    assert.equal((await c.readReply()).toString(), '+PONG\r\n');
    assert.equal((await c.readReply()).toString(), '$3\r\na b\r\n');
    await c.command('SET', 'x', 'y');
    await c.command('GET', 'x');
    assert.deepEqual((await c.readAll(2)).map((r) => r.toString()), ['+OK\r\n', '$1\r\ny\r\n']);
    await assert.rejects(c.readReply(50), /no complete reply/);
    await c.command('QUIT');
    await c.readReply();
    await c.waitClose(2000);
    assert.ok(c.isClosed);
  });

  it('compareScript passes on identical replies and fails on differing ones', async () => {
    await compareScript(port(), port(), [['SET', 'k', 'v'], ['GET', 'k']]);
    // Same server on both sides: the second INCR sees the first one's effect.
    await assert.rejects(compareScript(port(), port(), [['INCR', 'n']]), (err: Error) => {
      assert.match(err.message, /step 1 \(INCR n\)/);
      // Both sides are written concurrently, so either may have run first.
      assert.match(err.message, /shoal: \(integer\) 1\n {2}redis: \(integer\) 2|shoal: \(integer\) 2\n {2}redis: \(integer\) 1/);
      return true;
    });
    await compareScript(port(), port(), [{ cmd: ['INCR', 'n'], approx: true }]);
    await assert.rejects(compareScript(port(), port(), [{ cmd: ['INCRBY', 'n', '5'], approx: true }]));
    await compareScript(port(), port(), [{ cmd: ['INCR', 'n'], ignore: true }]);
    await compareScript(port(), port(), [{ cmd: ['INCR', 'n'], match: /^:\d+\r\n$/ }]);
    await assert.rejects(compareScript(port(), port(), [{ cmd: ['PING'], match: /^:/ }]), /must match/);
  });

  it('sort compares aggregates as multisets; extra replies are detected', async () => {
    await compareScript(port(), port(), [['MSET', 'a', '1', 'b', '2', 'c', '3'], { cmd: ['KEYS', '*'], sort: true }]);
    await assert.rejects(compareScript(port(), port(), ['PING\r\nPING\r\n']), /extra replies left over/);
  });
});
