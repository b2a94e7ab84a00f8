// Oracle tests for keyspace notifications (notify-keyspace-events): the class letters and
// their CONFIG GET form, the __keyspace@<db>__ / __keyevent@<db>__ channels, the events of the
// generic and string commands (other types' events are covered with their groups), "expired"
// (lazy and active), "new" and "keymiss". Ports the keyspace-event cases of Redis's
// tests/unit/pubsub.tcl. Replies byte for byte.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const SUB = 1;

/** The subscriber reads `n` pending messages (then the PING reply). */
const drain = (n: number): Step => ({ cmd: ['PING'], conn: SUB, replies: n + 1 });

/** Waits for the next message on the subscriber without sending anything. */
const awaitMessage: Step = { cmd: '', conn: SUB, replies: 1, timeoutMs: 4000 };

const events = (flags: string): Step => ['CONFIG', 'SET', 'notify-keyspace-events', flags];

withOracle('oracle: keyspace notifications', { config: { 'enable-debug-command': 'yes' } }, (o) => {
  it('CONFIG SET / GET of the event flags: Redis normal form, invalid letters', () =>
    o.compare(
      [
        'gKE', '$lshzxeKE', 'KA', 'EA', 'KEA', 'AKE', 'Kg', 'gK', '$lshzxetdn', 'KEAm', 'Elm', 'x', 'A',
        'ng$', 'KEAd', 'gg', 'AE', 'g$lshzxetd', 'g$lshzxetdn', 'KEg$lshzxetnm', 'tdne',
      ].flatMap((v): Step[] => [events(v), ['CONFIG', 'GET', 'notify-keyspace-events']]).concat([
        events('KEA n'),
        events('Q'),
        events('KE?'),
        ['CONFIG', 'GET', 'notify-keyspace-events'],
        events(''),
        ['CONFIG', 'GET', 'notify-keyspace-events'],
      ]),
    ));

  it('keyspace events (K), keyevent events (E), both', () =>
    o.compare([
      ['SELECT', '9'],
      events('KA'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['SET', 'foo', 'bar'],
      drain(1),
      events('EA'),
      ['SET', 'foo', 'bar'],
      drain(1),
      events('KEA'),
      ['SET', 'foo', 'bar'],
      drain(2),
      // A class enabled without K or E publishes nothing.
      events('A'),
      ['SET', 'foo', 'bar'],
      drain(0),
    ]));

  it('masking: only the enabled classes are published', () =>
    o.compare([
      ['SELECT', '9'],
      events('KEl'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['SET', 'foo', 'bar'],
      ['LPUSH', 'mylist', 'a'],
      drain(2),
    ]));

  it('generic events: expire, del, rename, move, copy, persist', () =>
    o.compare([
      ['SELECT', '9'],
      events('KEg'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['SET', 'foo', 'bar'],
      ['EXPIRE', 'foo', '100'],
      ['PERSIST', 'foo'],
      ['PERSIST', 'foo'],
      ['RENAME', 'foo', 'bar'],
      ['RENAMENX', 'bar', 'baz'],
      ['COPY', 'baz', 'qux'],
      ['MOVE', 'qux', '3'],
      ['DEL', 'baz', 'nope'],
      ['UNLINK', 'nope'],
      drain(20),
      ['SET', 'foo', 'bar'],
      // A TTL in the past deletes the key: "del".
      ['EXPIRE', 'foo', '-1'],
      ['SET', 'foo', 'bar'],
      ['PEXPIREAT', 'foo', '1'],
      drain(4),
    ]));

  it('string events: set, setrange, append, incrby, incrbyfloat, getdel, getex', () =>
    o.compare([
      events('KE$'),
      { cmd: ['PSUBSCRIBE', '__key*__:*'], conn: SUB },
      ['SET', 'k', '1'],
      ['SETNX', 'k', '2'],
      ['SETNX', 'n', '2'],
      ['MSET', 'a', '1', 'b', '2'],
      ['MSETNX', 'a', '1', 'c', '2'],
      ['APPEND', 'k', 'x'],
      ['SETRANGE', 'k', '5', 'y'],
      ['INCR', 'a'],
      ['DECRBY', 'a', '5'],
      ['INCRBYFLOAT', 'b', '1.5'],
      ['GETSET', 'b', 'z'],
      ['GETDEL', 'c'],
      ['GETEX', 'a', 'PX', '100000'],
      ['SETEX', 's', '100', 'v'],
      ['PSETEX', 's', '100000', 'v'],
      ['SET', 'k', 'v', 'KEEPTTL'],
      drain(26),
    ]));

  it('events for binary keys and in other databases', () =>
    o.compare([
      events('KEA'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['SET', Buffer.from('bin\0\r\nkey'), 'v'],
      ['SELECT', '15'],
      ['DEL', 'x'],
      ['SET', 'x', '1'],
      ['SWAPDB', '0', '15'],
      ['FLUSHDB'],
      drain(4),
    ]));

  it('events in turn on keys of many lengths, in two databases, on one channel and on both', () =>
    o.compare([
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      // The channels are built in one buffer: its prefix kept between events, one view per
      // length, the buffer grown past 256 bytes; a key's event follows another's in each step.
      ...['K$g', 'E$g', 'KEA'].flatMap((flags): Step[] => [
        events(flags),
        ...[1, 16, 15, 16, 300, 2, 1000, 16].flatMap((len, i): Step[] => [
          ['SELECT', i < 5 ? '0' : '3'],
          ['SET', flags.slice(0, 1) + 'k'.repeat(len - 1) + String(i % 10), 'v'],
          ['APPEND', flags.slice(0, 1) + 'k'.repeat(len - 1) + String(i % 10), 'w'],
          ['DEL', flags.slice(0, 1) + 'k'.repeat(len - 1) + String(i % 10)],
          ['SET', flags.slice(0, 1) + String(i).repeat(len), 'v'],
        ]),
        drain(flags === 'KEA' ? 64 : 32),
      ]),
    ]));

  it('"new" fires when a key is created (n is not part of A)', () =>
    o.compare([
      events('KEg$lshzxetn'),
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['SET', 'foo', 'bar'],
      ['SET', 'foo', 'baz'],
      ['INCR', 'n'],
      ['APPEND', 'ap', 'x'],
      ['RENAME', 'foo', 'bar'],
      ['COPY', 'bar', 'cp'],
      ['MOVE', 'cp', '1'],
      drain(30),
      events('En'),
      ['SET', 'only', 'new'],
      ['SET', 'only', 'again'],
      drain(1),
      // "KEAn" prints as "AKE" (n is dropped from the printed form) but n stays enabled.
      events('KEAn'),
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['SET', 'fresh', '1'],
      drain(4),
      events('KEA'),
      ['SET', 'fresh2', '1'],
      drain(2),
    ]));

  it('"keymiss" on read misses (m is not part of A)', () =>
    o.compare([
      events('KEm'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['GET', 'nokey'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['MGET', 'k', 'm1', 'm2'],
      ['STRLEN', 'm3'],
      drain(8),
      events('Am'),
      ['GET', 'nokey'],
      drain(0),
      // Which lookups notify: reads do (EXISTS, TYPE, TTL, COPY's source, SET ... GET, ...),
      // writes and OBJECT / MEMORY USAGE do not.
      events('Em'),
      ['EXISTS', 'm1'],
      ['TYPE', 'm2'],
      ['TTL', 'm3'],
      ['OBJECT', 'ENCODING', 'm4'],
      ['OBJECT', 'FREQ', 'm4'],
      ['GETRANGE', 'm5', '0', '1'],
      ['COPY', 'm12', 'x'],
      ['RENAME', 'm13', 'y'],
      ['TOUCH', 'm14'],
      ['GETEX', 'm15'],
      ['GETDEL', 'm16'],
      ['INCR', 'w1'],
      ['SET', 'm17', 'v', 'GET'],
      ['EXPIRE', 'm21', '10'],
      ['GETSET', 'm22', 'v'],
      ['MEMORY', 'USAGE', 'm35'],
      ['EXPIRETIME', 'm33'],
      drain(11),
    ]));

  it('"expired": lazy expiry on access, then keymiss', () =>
    o.compare([
      events('KEgxm'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'foo', 'bar', 'PX', '1'],
      { pause: 20 },
      ['GET', 'foo'],
      // expire (SET ... PX), expired, keymiss: on both channels each.
      drain(6),
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]));

  it('"expired": active expiry publishes without any access', () =>
    o.compare([
      events('Ex'),
      { cmd: ['PSUBSCRIBE', '*'], conn: SUB },
      ['PSETEX', 'foo', '100', '1'],
      awaitMessage,
      { poll: ['EXISTS', 'foo'], until: /^:0\r\n$/ },
    ]));

  it('RESP3 subscribers get notifications as push frames; SUBSCRIBE to one channel', () =>
    o.compare([
      events('KEA'),
      { cmd: ['HELLO', '3'], conn: SUB, ignore: true },
      { cmd: ['SUBSCRIBE', '__keyspace@0__:foo', '__keyevent@0__:del'], conn: SUB, replies: 2 },
      ['SET', 'foo', '1'],
      ['SET', 'bar', '1'],
      ['DEL', 'foo', 'bar'],
      drain(4),
    ]));
});
