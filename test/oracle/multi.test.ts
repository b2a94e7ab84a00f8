// Oracle tests for MULTI / EXEC / DISCARD / WATCH / UNWATCH: the cases of Redis's own
// tests/unit/multi.tcl that need neither replication, scripts, persistence nor maxmemory, plus
// queueing errors, RESP3 and CLIENT LIST's transaction fields. Replies byte for byte.
import { it } from 'node:test';
import { withOracle } from '../helpers/oracle.js';

const DEBUG = { config: { 'enable-debug-command': 'yes' } };
const WATCHED_EXEC_PONG = [['MULTI'], ['PING'], ['EXEC']];

withOracle('oracle: multi.tcl', DEBUG, (o) => {
  it('MULTI / EXEC basics, DISCARD, empty transaction', () =>
    o.compare([
      ['MULTI'],
      ['INCR', 'foo'],
      ['INCR', 'bar'],
      ['INCR', 'bar'],
      ['EXEC'],
      ['SET', 'foo1', 'bar1'],
      ['MULTI'],
      ['SET', 'foo1', 'bar2'],
      ['DISCARD'],
      ['GET', 'foo1'],
      ['MULTI'],
      ['EXEC'],
    ]));

  it('errors: nested MULTI, WATCH inside MULTI, EXEC / DISCARD without MULTI', () =>
    o.compare([
      ['EXEC'],
      ['DISCARD'],
      ['MULTI'],
      ['MULTI'],
      ['WATCH', 'x'],
      ['SET', 'a', '1'],
      ['EXEC'],
      ['GET', 'a'],
    ]));

  it('EXEC fails (EXECABORT) after a command rejected while queueing', () =>
    o.compare([
      ['MULTI'],
      ['SET', 'foo1', 'bar1'],
      ['NON-EXISTING-COMMAND'],
      ['SET', 'foo2', 'bar2'],
      ['EXEC'],
      ['EXISTS', 'foo1', 'foo2'],
      ['MULTI'],
      ['GET'],
      ['EXEC'],
      ['MULTI'],
      ['CONFIG', 'NOSUCH'],
      ['EXEC'],
      ['MULTI'],
      ['CLIENT'],
      ['EXEC'],
      ['PING'],
    ]));

  it('runtime errors inside EXEC are replied in place and the rest runs', () =>
    o.compare([
      ['SET', 's', 'text'],
      ['MULTI'],
      ['SET', 'foo', 'bar'],
      ['INCR', 's'],
      ['CONFIG', 'SET', 'maxmemory', 'bla'],
      ['SET', 'k', 'v', 'NX', 'XX'],
      ['GET', 'foo'],
      ['EXEC'],
      ['GET', 'foo'],
    ]));

  it('WATCH: unmodified keys, one key of one or of five modified, UNWATCH', () =>
    o.compare([
      ['WATCH', 'x', 'y', 'z'],
      ['WATCH', 'k'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['SET', 'x', '40'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '30'],
      ['WATCH', 'a', 'b', 'x', 'k', 'z'],
      ['SET', 'x', '40'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['UNWATCH'],
      ['SET', 'x', '40'],
      ...WATCHED_EXEC_PONG,
      ['UNWATCH'],
      ['UNWATCH'],
    ]));

  it('a key is no longer watched after EXEC, successful or failed', () =>
    o.compare([
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '40'],
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'x'],
      ['SET', 'x', '50'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '60'],
      ...WATCHED_EXEC_PONG,
    ]));

  it('a write from another client breaks WATCH; a read does not', () =>
    o.compare([
      ['SET', 'w', '1'],
      ['WATCH', 'w'],
      { cmd: ['GET', 'w'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['INCR', 'w'], conn: 1 },
      ['MULTI'],
      ['INCR', 'w'],
      ['EXEC'],
      ['GET', 'w'],
      ['WATCH', 'w'],
      { cmd: ['APPEND', 'w', 'x'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['DEL', 'w'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['SET', 'w', 'again'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['RENAME', 'w', 'w2'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['RENAME', 'w2', 'w'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'w'],
      { cmd: ['SET', 'other', 'x'], conn: 1 },
      ...WATCHED_EXEC_PONG,
    ]));

  it('WATCH sees MSET, SETRANGE, INCRBYFLOAT, GETDEL, COPY, MOVE, PERSIST', () =>
    o.compare([
      ['SET', 'a', '1'],
      ...[
        ['MSET', 'z', '1', 'a', '2'],
        ['SETRANGE', 'a', '0', 'x'],
        ['SET', 'a', '1'],
        ['INCRBYFLOAT', 'a', '1.5'],
        ['GETDEL', 'a'],
        ['COPY', 'z', 'a'],
        ['MOVE', 'a', '3'],
      ].flatMap((write) => [['WATCH', 'a'], { cmd: write, conn: 1 }, ...WATCHED_EXEC_PONG]),
      ['SET', 'p', '1', 'EX', '100'],
      ['WATCH', 'p'],
      { cmd: ['PERSIST', 'p'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['WATCH', 'p'],
      { cmd: ['PERSIST', 'p'], conn: 1 },
      ...WATCHED_EXEC_PONG,
    ]));

  it('EXEC fails on a lazily expired WATCHed key', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'key', '1', 'PX', '50'],
      ['WATCH', 'key'],
      { pause: 120 },
      ['MULTI'],
      ['INCR', 'key'],
      ['EXEC'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('WATCH of a stale key: overwriting, deleting or flushing it does not fail EXEC', () =>
    o.compare([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'x', 'foo', 'PX', '1'],
      { pause: 5 },
      ['WATCH', 'x'],
      ['SET', 'x', 'bar'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', 'foo', 'PX', '1'],
      { pause: 5 },
      ['WATCH', 'x'],
      ['DEL', 'x'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', 'foo', 'PX', '1'],
      { pause: 5 },
      ['WATCH', 'x'],
      ['FLUSHDB'],
      ...WATCHED_EXEC_PONG,
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('FLUSHALL / FLUSHDB touch watched keys that exist, not the others', () =>
    o.compare([
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['FLUSHALL'],
      ...WATCHED_EXEC_PONG,
      ['DEL', 'x'],
      ['WATCH', 'x'],
      ['FLUSHALL'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['FLUSHDB'],
      ...WATCHED_EXEC_PONG,
      ['DEL', 'x'],
      ['WATCH', 'x'],
      ['FLUSHDB'],
      ...WATCHED_EXEC_PONG,
      ['SELECT', '1'],
      ['SET', 'x', '1'],
      ['SELECT', '0'],
      ['SET', 'x', '1'],
      ['WATCH', 'x'],
      { cmd: ['SELECT', '1'], conn: 1 },
      { cmd: ['FLUSHDB'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['MSET', 'a', 'a', 'b', 'b'],
      ['WATCH', 'b', 'a'],
      ['FLUSHALL'],
      ['PING'],
      ...WATCHED_EXEC_PONG,
    ]));

  it('SWAPDB touches watched keys that exist on either side, not stale ones', () =>
    o.compare([
      ['FLUSHALL'],
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['SWAPDB', '0', '1'],
      ...WATCHED_EXEC_PONG,
      ['FLUSHALL'],
      ['SELECT', '1'],
      ['SET', 'x', '30'],
      ['SELECT', '0'],
      ['WATCH', 'x'],
      ['SWAPDB', '0', '1'],
      ...WATCHED_EXEC_PONG,
      ['FLUSHALL'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SELECT', '0'],
      ['SET', 'x', 'foo', 'PX', '1'],
      ['SELECT', '1'],
      ['SET', 'x', 'bar', 'PX', '1'],
      ['SELECT', '0'],
      { pause: 5 },
      ['WATCH', 'x'],
      ['SWAPDB', '0', '1'],
      ...WATCHED_EXEC_PONG,
      ['FLUSHALL'],
      ['SELECT', '1'],
      ['SET', 'x', 'foo', 'PX', '1'],
      ['SELECT', '0'],
      { pause: 5 },
      ['WATCH', 'x'],
      ['SWAPDB', '0', '1'],
      ...WATCHED_EXEC_PONG,
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('WATCH remembers the database of a key', () =>
    o.compare([
      ['SELECT', '5'],
      ['SET', 'x', '30'],
      ['WATCH', 'x'],
      ['SELECT', '1'],
      ['SET', 'x', '10'],
      ['SELECT', '5'],
      ...WATCHED_EXEC_PONG,
      ['SELECT', '0'],
    ]));

  it('EXPIRE touches a watched key; so does its expiry', () =>
    o.compare([
      ['SET', 'x', 'foo'],
      ['WATCH', 'x'],
      ['EXPIRE', 'x', '10'],
      ...WATCHED_EXEC_PONG,
      ['SET', 'y', 'foo'],
      ['WATCH', 'y'],
      { cmd: ['PEXPIRE', 'y', '50'], conn: 1 },
      ...WATCHED_EXEC_PONG,
      ['SET', 'z', 'foo', 'PX', '50'],
      ['WATCH', 'z'],
      { pause: 120 },
      ...WATCHED_EXEC_PONG,
      ['SET', 'n', 'v'],
      ['WATCH', 'n'],
      ['EXPIRE', 'n', '-1'],
      ...WATCHED_EXEC_PONG,
    ]));

  it('DISCARD clears the dirty flag and unwatches every key', () =>
    o.compare([
      ['WATCH', 'x'],
      ['SET', 'x', '10'],
      ['MULTI'],
      ['DISCARD'],
      ['MULTI'],
      ['INCR', 'x'],
      ['EXEC'],
      ['WATCH', 'x'],
      ['SET', 'x', '10'],
      ['MULTI'],
      ['DISCARD'],
      ['SET', 'x', '10'],
      ['MULTI'],
      ['INCR', 'x'],
      ['EXEC'],
    ]));

  it('transactions in RESP3, with a null EXEC reply', () =>
    o.compare([
      { cmd: ['HELLO', '3'], ignore: true },
      ['MULTI'],
      ['SET', 'r3', '1'],
      ['INCRBYFLOAT', 'r3', '0.5'],
      ['EXEC'],
      ['WATCH', 'r3'],
      ['SET', 'r3', '2'],
      ...WATCHED_EXEC_PONG,
      { cmd: ['HELLO', '2'], ignore: true },
    ]));

  it('CLIENT INFO shows the transaction: flags x and the queued count, d when dirty', () =>
    o.compare([
      ['SET', 'cw', '1'],
      ['WATCH', 'cw'],
      ['SET', 'cw', '2'],
      ['MULTI'],
      ['PING'],
      ['CLIENT', 'INFO'],
      {
        cmd: ['EXEC'],
        normalize: (s: string) => s.replace(/id=\d+ addr=\S+ laddr=\S+ fd=\d+/, 'ID').replace(/age=\d+ idle=\d+/, 'AGE').replace(/qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+/, 'MEM'),
      },
      ['MULTI'],
      ['PING'],
      ['ECHO', 'x'],
      { cmd: ['CLIENT', 'LIST'], conn: 1, match: /flags=x .*multi=2 / },
      ['DISCARD'],
    ]));

  it('RESET leaves MULTI and drops watches', () =>
    o.compare([
      ['SET', 'rw', '1'],
      ['WATCH', 'rw'],
      ['MULTI'],
      ['SET', 'rw', '2'],
      ['RESET'],
      ['EXEC'],
      ['GET', 'rw'],
      ['WATCH', 'rw'],
      ['RESET'],
      ['SET', 'rw', '3'],
      ...WATCHED_EXEC_PONG,
    ]));
});
