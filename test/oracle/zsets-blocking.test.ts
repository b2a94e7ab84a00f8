// Oracle tests for the blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP): immediate
// service, blocking until a write gives a key members (ZADD, ZINCRBY, the STORE commands),
// first blocked first served, timeouts, MULTI/EXEC, wrong types, argument errors — mostly the
// cases of Redis's tests/unit/type/zset.tcl. A blocked client is sent its command with
// `replies: 0`; the script waits until INFO reports it blocked, and reads its reply later.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

/** Sends cmd on conn without reading: the client blocks. */
const block = (conn: number, ...cmd: string[]): Step => ({ cmd, conn, replies: 0, note: 'blocks' });

/** Waits until n clients are blocked. */
const blocked = (n: number): Step => ({ poll: ['INFO', 'clients'], until: new RegExp(`blocked_clients:${n}\r\n`) });

/** Reads the next pending reply of conn without sending anything. */
const next = (conn: number, extra: Record<string, unknown> = {}): Step => ({ cmd: '', conn, ...extra }) as Step;

/** The three pop forms of zset.tcl's helpers, blocking on one key with a timeout. */
function bzpop(pop: string, key: string, timeout: string): string[] {
  if (pop === 'BZMPOP_MIN') return ['BZMPOP', timeout, '1', key, 'MIN', 'COUNT', '1'];
  if (pop === 'BZMPOP_MAX') return ['BZMPOP', timeout, '1', key, 'MAX', 'COUNT', '1'];
  return [pop, key, timeout];
}

function bzpop2(pop: string, k1: string, k2: string, timeout: string): string[] {
  if (pop.startsWith('BZMPOP')) return ['BZMPOP', timeout, '2', k1, k2, pop.endsWith('MIN') ? 'MIN' : 'MAX'];
  return [pop, k1, k2, timeout];
}

withOracle('oracle: blocking sorted sets', (o) => {
  for (const [popmin, popmax] of [['BZPOPMIN', 'BZPOPMAX'], ['BZMPOP_MIN', 'BZMPOP_MAX']]) {
    it(`${popmin}/${popmax} serve at once from existing sorted sets`, () =>
      o.compare([
        ['ZADD', 'zset', '0', 'a', '1', 'b', '2', 'c', '3', 'd'],
        bzpop(popmin, 'zset', '5'),
        bzpop(popmax, 'zset', '5'),
        bzpop(popmin, 'zset', '5'),
        bzpop(popmax, 'zset', '5'),
        ['EXISTS', 'zset'],
        ['ZADD', 'z1', '0', 'a', '1', 'b', '2', 'c'],
        ['ZADD', 'z2', '3', 'd', '4', 'e', '5', 'f'],
        bzpop2(popmin, 'z1', 'z2', '5'),
        bzpop2(popmax, 'z1', 'z2', '5'),
        ['ZCARD', 'z1'],
        ['ZCARD', 'z2'],
        bzpop2(popmax, 'z2', 'z1', '5'),
        bzpop2(popmin, 'z2', 'z1', '5'),
        ['DEL', 'z1'],
        bzpop2(popmax, 'z1', 'z2', '5'),
        ['EXISTS', 'z2'],
        { cmd: ['HELLO', '3'], ignore: true },
        ['ZADD', 'zset', '0', 'a', '1', 'b', '2', 'c', '3', 'd'],
        bzpop(popmin, 'zset', '5'),
        bzpop(popmax, 'zset', '5'),
        bzpop2(popmin, 'zset', 'zset', '5'),
        { cmd: ['HELLO', '2'], ignore: true },
      ]));

    it(`${popmin}: ZADD + DEL (+ SET) in MULTI does not wake the client`, () =>
      o.compare([
        block(1, ...bzpop(popmin, 'zset', '0')),
        blocked(1),
        ['MULTI'],
        ['ZADD', 'zset', '0', 'foo'],
        ['DEL', 'zset'],
        ['EXEC'],
        ['DEL', 'zset'],
        ['ZADD', 'zset', '1', 'bar'],
        next(1),
        block(1, ...bzpop(popmin, 'zset', '0')),
        blocked(1),
        ['MULTI'],
        ['ZADD', 'zset', '0', 'foo'],
        ['DEL', 'zset'],
        ['SET', 'zset', 'foo'],
        ['EXEC'],
        { poll: ['INFO', 'clients'], until: /blocked_clients:1\r\n/ },
        ['DEL', 'zset'],
        ['ZADD', 'zset', '1', 'bar'],
        next(1),
      ]));

    it(`${popmin}: MULTI/EXEC is isolated; variadic ZADD; zero timeout`, () =>
      o.compare([
        block(1, ...bzpop(popmin, 'zset', '0')),
        blocked(1),
        ['MULTI'],
        ['ZADD', 'zset', '0', 'a'],
        ['ZADD', 'zset', '1', 'b'],
        ['ZADD', 'zset', '2', 'c'],
        ['EXEC'],
        next(1),
        ['ZRANGE', 'zset', '0', '-1'],
        ['DEL', 'zset'],
        block(1, ...bzpop(popmin, 'zset', '0')),
        blocked(1),
        ['ZADD', 'zset', '-1', 'foo', '1', 'bar'],
        next(1),
        ['ZRANGE', 'zset', '0', '-1'],
        ['DEL', 'zset'],
        block(1, ...bzpop(popmin, 'zset', '0')),
        blocked(1),
        { pause: 50 },
        ['ZADD', 'zset', '0', 'foo'],
        next(1),
      ]));
  }

  it('BZPOPMIN with the same key several times', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'z1', 'z2', 'z2', 'z1', '0'),
      blocked(1),
      ['ZADD', 'z1', '0', 'a'],
      next(1),
      block(1, 'BZPOPMIN', 'z1', 'z2', 'z2', 'z1', '0'),
      blocked(1),
      ['ZADD', 'z2', '1', 'b'],
      next(1),
      ['ZADD', 'z1', '0', 'a'],
      ['ZADD', 'z2', '1', 'b'],
      { cmd: ['BZPOPMIN', 'z1', 'z2', 'z2', 'z1', '0'], conn: 1 },
      { cmd: ['BZPOPMIN', 'z1', 'z2', 'z2', 'z1', '0'], conn: 1 },
    ]));

  it('timeouts reply a null array (RESP2 and RESP3)', () =>
    o.compare([
      ['BZPOPMIN', 'zset', '0.01'],
      ['BZPOPMAX', 'zset', '0.01'],
      ['BZMPOP', '0.01', '1', 'zset', 'MIN'],
      ['BZMPOP', '0.01', '2', 'zset', 'zset2', 'MAX'],
      ['ZADD', 'zset2', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
      ['BZPOPMIN', 'zset1', 'zset2', '0.1'],
      ['BZMPOP', '0.1', '2', 'zset2', 'zset4', 'MIN'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['BZPOPMIN', 'zset', '0.01'],
      ['BZMPOP', '0.01', '1', 'zset', 'MAX', 'COUNT', '3'],
      ['BZPOPMIN', 'zset1', 'zset2', '0.1'],
      { cmd: ['HELLO', '2'], ignore: true },
    ]));

  it('blocking paths in RESP2 and RESP3 (readraw cases)', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'zset', '5'),
      blocked(1),
      ['ZADD', 'zset', '1', 'a'],
      next(1),
      block(1, 'BZMPOP', '5', '2', 'zset', 'zset2', 'MAX', 'COUNT', '2'),
      blocked(1),
      ['ZADD', 'zset2', '1', 'a', '2', 'b', '3', 'c'],
      next(1),
      { cmd: ['HELLO', '3'], conn: 1, ignore: true },
      block(1, 'BZPOPMAX', 'zset3', '5'),
      blocked(1),
      ['ZADD', 'zset3', '1.5', 'a', '7', 'b'],
      next(1),
      block(1, 'BZMPOP', '5', '1', 'zset4', 'MIN', 'COUNT', '10'),
      blocked(1),
      ['ZADD', 'zset4', '1', 'a', '2', 'b'],
      next(1),
    ]));

  it('BZMPOP with several blocked clients: first blocked, first served', () =>
    o.compare([
      block(1, 'BZMPOP', '0', '2', 'myzset', 'myzset2', 'min', 'count', '1'),
      blocked(1),
      block(2, 'BZMPOP', '0', '2', 'myzset', 'myzset2', 'max', 'count', '10'),
      blocked(2),
      block(3, 'BZMPOP', '0', '2', 'myzset', 'myzset2', 'min', 'count', '10'),
      blocked(3),
      block(4, 'BZMPOP', '0', '2', 'myzset', 'myzset2', 'max', 'count', '1'),
      blocked(4),
      ['MULTI'],
      ['ZADD', 'myzset', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
      ['ZADD', 'myzset2', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
      ['EXEC'],
      next(1),
      next(2),
      next(3),
      blocked(1),
      ['ZADD', 'myzset2', '1', 'a', '2', 'b', '3', 'c'],
      next(4),
      ['ZRANGE', 'myzset2', '0', '-1'],
    ]));

  it('a waited key holding another type when served is skipped, not an error', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'a', 'b', '0'),
      blocked(1),
      ['MULTI'],
      ['ZADD', 'a', '1', 'x'],
      ['DEL', 'a'],
      ['SET', 'a', 'str'],
      ['ZADD', 'b', '2', 'y'],
      ['EXEC'],
      next(1),
      ['DEL', 'a'],
      block(1, 'BZMPOP', '0', '2', 'a', 'c', 'MAX', 'COUNT', '5'),
      blocked(1),
      ['MULTI'],
      ['DEL', 'a'],
      ['ZADD', 'a', '1', 'x'],
      ['SET', 'a', 'str'],
      ['ZADD', 'c', '1', 'p', '2', 'q'],
      ['EXEC'],
      next(1),
      ['DEL', 'a', 'c'],
      block(1, 'BZPOPMAX', 'a', '0'),
      blocked(1),
      ['LPUSH', 'a', 'x'],
      blocked(1),
      ['DEL', 'a'],
      ['ZADD', 'a', '1', 'm'],
      next(1),
    ]));

  // Redis serves a blocked client from the ready key itself, in the order keys became ready,
  // not from its first waited key in argument order.
  it('keys made ready in one transaction: served from the one that got members first', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'k1', 'k2', '0'),
      blocked(1),
      ['MULTI'],
      ['ZADD', 'k2', '2', 'two'],
      ['ZADD', 'k1', '1', 'one'],
      ['EXEC'],
      next(1),
      ['ZRANGE', 'k1', '0', '-1'],
      ['ZRANGE', 'k2', '0', '-1'],
    ]));

  it('two clients on one key: one member serves only the first', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'k', '0'),
      blocked(1),
      block(2, 'BZPOPMAX', 'k', 'other', '0'),
      blocked(2),
      ['ZADD', 'k', '1', 'a'],
      next(1),
      blocked(1),
      ['ZADD', 'other', '5', 'x'],
      next(2),
      ['EXISTS', 'k', 'other'],
    ]));

  it('BZMPOP is not woken by writes to its non-key arguments', () =>
    o.compare([
      block(1, 'BZMPOP', '0', '1', 'myzset', 'min', 'count', '10'),
      blocked(1),
      block(2, 'BZMPOP', '0', '2', 'myzset2', 'myzset3', 'max', 'count', '10'),
      blocked(2),
      ['ZADD', '0', '100', 'timeout_value'],
      ['ZADD', '1', '200', 'numkeys_value'],
      ['ZADD', 'min', '300', 'min_token'],
      ['ZADD', 'max', '400', 'max_token'],
      ['ZADD', 'count', '500', 'count_token'],
      ['ZADD', '10', '600', 'count_value'],
      blocked(2),
      ['ZADD', 'myzset', '1', 'zset'],
      ['ZADD', 'myzset3', '1', 'zset3'],
      next(1),
      next(2),
    ]));

  it('woken by ZINCRBY, ZADD INCR, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE', () =>
    o.compare([
      ['ZADD', 'src', '1', 'a', '2', 'b', '3', 'c'],
      block(1, 'BZPOPMIN', 'd1', '0'),
      blocked(1),
      ['ZINCRBY', 'd1', '5', 'm'],
      next(1),
      block(1, 'BZPOPMAX', 'd2', '0'),
      blocked(1),
      ['ZADD', 'd2', 'INCR', '7', 'm'],
      next(1),
      block(1, 'BZMPOP', '0', '1', 'd3', 'MAX', 'COUNT', '2'),
      blocked(1),
      ['ZUNIONSTORE', 'd3', '1', 'src'],
      next(1),
      block(1, 'BZPOPMIN', 'd4', '0'),
      blocked(1),
      ['ZINTERSTORE', 'd4', '2', 'src', 'src'],
      next(1),
      block(1, 'BZPOPMIN', 'd5', '0'),
      blocked(1),
      ['ZDIFFSTORE', 'd5', '1', 'src'],
      next(1),
      block(1, 'BZPOPMAX', 'd6', '0'),
      blocked(1),
      ['ZRANGESTORE', 'd6', 'src', '0', '0'],
      next(1),
      ['EXISTS', 'd6'],
      block(1, 'BZPOPMAX', 'd7', '0'),
      blocked(1),
      ['ZADD', 'd7', 'XX', '1', 'a'],
      ['ZUNIONSTORE', 'd7', '1', 'nokey'],
      ['ZRANGESTORE', 'd7', 'src', '5', '6'],
      ['ZADD', 'd7', 'NX', '1', 'a'],
      next(1),
    ]));

  it('inside MULTI a blocking pop with nothing to pop replies a null array', () =>
    o.compare([
      ['MULTI'],
      ['BZPOPMIN', 'nokey', '0'],
      ['BZMPOP', '0', '1', 'nokey', 'MIN'],
      ['ZADD', 'k', '1', 'a'],
      ['BZPOPMAX', 'k', '0'],
      ['EXEC'],
    ]));

  it('wrong types and argument errors (zset.tcl)', () =>
    o.compare([
      ['SET', 'foo', 'bar'],
      ['BZPOPMIN', 'foo', '1'],
      ['BZPOPMAX', 'foo', '1'],
      ['BZMPOP', '1', '1', 'foo', 'min'],
      ['BZMPOP', '1', '1', 'foo', 'max'],
      ['BZMPOP', '1', '1', 'foo', 'min', 'count', '10'],
      ['BZMPOP', '1', '2', 'nofoo', 'foo', 'min'],
      ['BZMPOP', '1', '2', 'foo', 'nofoo', 'max', 'count', '1'],
      ['BZPOPMIN', 'nofoo', 'foo', '1'],
      ['BZPOPMIN', 'zset', '-1'],
      ['BZPOPMIN', 'zset', 'x'],
      ['BZPOPMIN', 'foo', 'x'],
      ['BZPOPMIN', 'zset', '0x10', 'bad'],
      ['BZMPOP', '0', '0', 'myzset', 'MIN'],
      ['BZMPOP', '1', 'a', 'myzset', 'MIN'],
      ['BZMPOP', '1', '-1', 'myzset', 'MAX'],
      ['BZMPOP', '1', '1', 'myzset', 'bad_where'],
      ['BZMPOP', '1', '1', 'myzset', 'MIN', 'bar_arg'],
      ['BZMPOP', '1', '1', 'myzset', 'MAX', 'MIN'],
      ['BZMPOP', '1', '1', 'myzset', 'COUNT'],
      ['BZMPOP', '1', '1', 'myzset', 'MIN', 'COUNT', '1', 'COUNT', '2'],
      ['BZMPOP', '1', '2', 'myzset', 'myzset2', 'bad_arg'],
      ['BZMPOP', '1', '1', 'myzset', 'MIN', 'COUNT', '0'],
      ['BZMPOP', '1', '1', 'myzset', 'MAX', 'COUNT', 'a'],
      ['BZMPOP', '1', '1', 'myzset', 'MIN', 'COUNT', '-1'],
      ['BZMPOP', '1', '2', 'myzset', 'myzset2', 'MAX', 'COUNT', '-1'],
      ['BZMPOP', 'x', '1', 'myzset', 'MIN'],
      ['BZMPOP', '-1', '1', 'myzset', 'MIN'],
      ['BZMPOP', 'x', '1', 'myzset', 'MIN', 'COUNT', '0'],
      ['BZMPOP', 'x', '1', 'foo', 'MIN'],
    ]));

  it('a blocked client times out with a null array', () =>
    o.compare([
      block(1, 'BZPOPMIN', 'never', '0.2'),
      blocked(1),
      next(1, { timeoutMs: 3000 }),
      block(1, 'BZMPOP', '0.2', '1', 'never', 'MAX'),
      blocked(1),
      next(1, { timeoutMs: 3000 }),
      ['EXISTS', 'never'],
    ]));
});
