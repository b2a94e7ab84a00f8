// Oracle tests for the set commands on one key (SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER,
// SCARD, SMEMBERS, SPOP, SRANDMEMBER, SSCAN): every reply must be byte-identical to
// redis-server 7.0's. The multi-key algebra is in sets-algebra.test.ts.
// Intsets are compared unsorted (Redis answers them in ascending order); hashtable replies are
// compared as multisets. Random picks are compared where they are deterministic (whole sets,
// one-member sets, sizes, encodings) and otherwise only read. Includes the deterministic cases
// of Redis's tests/unit/type/set.tcl.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import { splitAggregate } from '../helpers/raw-client.js';

const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const BIN = Buffer.from([0, 13, 10, 255, 0x80, 0]);

/** SADD steps adding lo..hi-1 to key one member per command (prefix for non-integers). */
function addRange(key: string, lo: number, hi: number, prefix = ''): Step[] {
  const out: Step[] = [];
  for (let i = lo; i < hi; i++) out.push(['SADD', key, `${prefix}${i}`]);
  return out;
}

/** One SADD of lo..hi-1 (prefix for non-integers). */
function saddRange(key: string, lo: number, hi: number, prefix = ''): Step {
  const args: string[] = ['SADD', key];
  for (let i = lo; i < hi; i++) args.push(`${prefix}${i}`);
  return args;
}

/** Deterministic pseudo-random generator (LCG) for fuzz scripts. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Sorts the member array of an SSCAN reply (a hashtable's order is unspecified). */
function sortScan(raw: string): string {
  const top = splitAggregate(Buffer.from(raw, 'latin1'));
  if (top === null || top.elements.length !== 2) return raw;
  const inner = splitAggregate(top.elements[1]);
  if (inner === null) return raw;
  const sorted = inner.elements.slice().sort(Buffer.compare);
  return Buffer.concat([top.header, top.elements[0], inner.header, ...sorted]).toString('latin1');
}

const resetLimits: Step[] = [['CONFIG', 'SET', 'set-max-intset-entries', '512']];

/** WATCH key on connection 1, run cmd on connection 0, then MULTI/PING/EXEC on connection 1. */
function watched(key: string, cmd: readonly string[], ignoreReply = false): Step[] {
  return [
    { cmd: ['WATCH', key], conn: 1 },
    { cmd, ignore: ignoreReply },
    { cmd: ['MULTI'], conn: 1 },
    { cmd: ['PING'], conn: 1 },
    { cmd: ['EXEC'], conn: 1, note: `aborted iff ${cmd.join(' ')} modified ${key}` },
  ];
}

withOracle('oracle: sets', (o) => {
  it('SADD, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS basics - intset', () =>
    o.compare([
      ['SADD', 'myset', '17'],
      ['OBJECT', 'ENCODING', 'myset'],
      ['SADD', 'myset', '16'],
      ['SADD', 'myset', '16'],
      ['SCARD', 'myset'],
      ['SISMEMBER', 'myset', '16'],
      ['SISMEMBER', 'myset', '17'],
      ['SISMEMBER', 'myset', '18'],
      ['SISMEMBER', 'myset', '016'],
      ['SMISMEMBER', 'myset', '16'],
      ['SMISMEMBER', 'myset', '16', '17'],
      ['SMISMEMBER', 'myset', '16', '18'],
      ['SMISMEMBER', 'myset', '18', '16', 'x', ''],
      ['SMEMBERS', 'myset'],
      ['SADD', 'myset', '5', '-3', '100', '-3', I64_MAX, I64_MIN, '0'],
      ['SMEMBERS', 'myset'],
      ['TYPE', 'myset'],
      ['OBJECT', 'ENCODING', 'myset'],
    ]));

  it('SADD, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS basics - hashtable', () =>
    o.compare([
      ['SADD', 'myset', 'foo'],
      ['OBJECT', 'ENCODING', 'myset'],
      ['SADD', 'myset', 'bar'],
      ['SADD', 'myset', 'bar'],
      ['SCARD', 'myset'],
      ['SISMEMBER', 'myset', 'foo'],
      ['SISMEMBER', 'myset', 'bla'],
      ['SMISMEMBER', 'myset', 'foo', 'bar'],
      ['SMISMEMBER', 'myset', 'bla', 'foo'],
      { cmd: ['SMEMBERS', 'myset'], sort: true },
      ['SADD', 'myset', 'A', 'a', 'b', 'c', 'B'],
      { cmd: ['SMEMBERS', 'myset'], sort: true },
      ['sadd', 'lower', 'X'],
      ['sIsMeMbEr', 'lower', 'X'],
      ['sismember', 'lower', 'x'],
    ]));

  it('SMISMEMBER SMEMBERS SCARD SISMEMBER against non existing key', () =>
    o.compare([
      ['SMISMEMBER', 'myset1', 'foo'],
      ['SMISMEMBER', 'myset1', 'foo', 'bar'],
      ['SMEMBERS', 'myset1'],
      ['SCARD', 'myset1'],
      ['SISMEMBER', 'myset1', 'foo'],
    ]));

  it('empty and binary members', () =>
    o.compare([
      ['SADD', 's', ''],
      ['OBJECT', 'ENCODING', 's'],
      ['SISMEMBER', 's', ''],
      ['SADD', 's', BIN, Buffer.from('a\r\nb\r\n$3\r\n'), 'utf8 ☃'],
      ['SISMEMBER', 's', BIN],
      ['SMISMEMBER', 's', BIN, '', 'x', 'utf8 ☃'],
      { cmd: ['SMEMBERS', 's'], sort: true },
      ['SREM', 's', BIN, ''],
      { cmd: ['SMEMBERS', 's'], sort: true },
      ['SADD', Buffer.from([0, 1, 13, 10]), '1'],
      ['SMEMBERS', Buffer.from([0, 1, 13, 10])],
    ]));

  it('intset membership needs the canonical int64 spelling', () =>
    o.compare([
      ['SADD', 'i', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SISMEMBER', 'i', '01'],
      ['SISMEMBER', 'i', '+1'],
      ['SISMEMBER', 'i', ' 1'],
      ['SISMEMBER', 'i', '1.0'],
      ['SREM', 'i', '01', '+2', '3 '],
      ['SADD', 'a', I64_MAX, I64_MIN],
      ['OBJECT', 'ENCODING', 'a'],
      ['SMEMBERS', 'a'],
      ...['01', '-0', '+1', ' 1', '1 ', '0x1', '9223372036854775808', '-9223372036854775809', '', '1e3', '-'].flatMap(
        (m, i): Step[] => [
          ['SADD', `n${i}`, '5'],
          ['SADD', `n${i}`, m],
          ['OBJECT', 'ENCODING', `n${i}`],
          { cmd: ['SMEMBERS', `n${i}`], sort: true },
        ],
      ),
      ['SADD', 'big', '213244124402402314402033402'],
      ['OBJECT', 'ENCODING', 'big'],
      ['SISMEMBER', 'big', '213244124402402314402033402'],
      ['SMISMEMBER', 'big', '213244124402402314402033402'],
    ]));

  it('intsets of 16, 32 and 64-bit values: ascending order, removals, MEMORY USAGE', () => {
    const rnd = lcg(11);
    const steps: Step[] = [];
    const added: string[] = [];
    for (let i = 0; i < 300; i++) {
      const r = rnd();
      const span = r < 0.34 ? 65536 : r < 0.67 ? 4294967296 : 2 ** 62;
      const v = BigInt(Math.floor(rnd() * span)) * (rnd() < 0.5 ? -1n : 1n) * (span === 2 ** 62 ? 2n : 1n);
      added.push(String(v));
      steps.push(['SADD', 'is', String(v)]);
      if (i % 50 === 0) steps.push(['MEMORY', 'USAGE', 'is']);
    }
    steps.push(['OBJECT', 'ENCODING', 'is'], ['SCARD', 'is'], ['SMEMBERS', 'is'], ['MEMORY', 'USAGE', 'is']);
    for (let i = 0; i < 300; i += 2) steps.push(['SREM', 'is', added[i]]);
    steps.push(['SMEMBERS', 'is'], ['SSCAN', 'is', '0'], ['MEMORY', 'USAGE', 'is'], ['SISMEMBER', 'is', added[1]], ['SISMEMBER', 'is', added[0]]);
    return o.compare(steps);
  });

  it('SADD a non-integer against a small and a large intset', () =>
    o.compare([
      ['SADD', 'myset', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 'myset'],
      ['SADD', 'myset', 'a'],
      ['OBJECT', 'ENCODING', 'myset'],
      ['SREM', 'myset', 'a'],
      ['OBJECT', 'ENCODING', 'myset'],
      saddRange('large', 0, 130),
      ['OBJECT', 'ENCODING', 'large'],
      ['SADD', 'large', 'a'],
      ['OBJECT', 'ENCODING', 'large'],
      ['SCARD', 'large'],
      saddRange('big64', 0, 130),
      ['SADD', 'big64', '213244124402402314402033402'],
      ['OBJECT', 'ENCODING', 'big64'],
    ]));

  for (const how of ['single', 'multiple', 'single_multiple'] as const) {
    it(`SADD overflows the maximum allowed integers in an intset - ${how}`, () => {
      const fill: Step[] =
        how === 'single'
          ? addRange('myset', 0, 512)
          : how === 'multiple'
            ? [saddRange('myset', 0, 512)]
            : [['SADD', 'myset', '1'], saddRange('myset', 0, 512)];
      return o.compare([
        ...fill,
        ['OBJECT', 'ENCODING', 'myset'],
        ['SCARD', 'myset'],
        ['SMEMBERS', 'myset'],
        ['SADD', 'myset', '512'],
        ['OBJECT', 'ENCODING', 'myset'],
        { cmd: ['SMEMBERS', 'myset'], sort: true },
      ]);
    });
  }

  it('set-max-intset-entries: CONFIG SET, 0, conversion is one-way', () =>
    o.compare([
      ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
      ['SADD', 's', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 's'],
      ['SADD', 's', '4'],
      ['OBJECT', 'ENCODING', 's'],
      ['SREM', 's', '4', '3'],
      ['OBJECT', 'ENCODING', 's'],
      ['SADD', 't', '1', '2', '3', '4'],
      ['OBJECT', 'ENCODING', 't'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '0'],
      ['SADD', 'z', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['SADD', 'u', '1'],
      ['OBJECT', 'ENCODING', 'u'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
      ['SADD', 'w', '1'],
      ['OBJECT', 'ENCODING', 'w'],
      ...resetLimits,
    ]));

  it('SREM basics, variadic, key removed when emptied', () =>
    o.compare([
      ['SADD', 'myset', '3', '4', '5'],
      ['SREM', 'myset', '6'],
      ['SREM', 'myset', '4'],
      ['SMEMBERS', 'myset'],
      ['SADD', 'h', 'a', 'b', 'c', 'd', 'ciao'],
      ['SREM', 'h', 'qux'],
      ['SREM', 'h', 'ciao'],
      ['SREM', 'h', 'k', 'k', 'k'],
      ['SREM', 'h', 'b', 'd', 'x', 'y'],
      { cmd: ['SMEMBERS', 'h'], sort: true },
      ['SADD', 'v', '1', '2', '3'],
      ['SREM', 'v', '1', '2', '3', '4', '5', '6', '7', '8'],
      ['EXISTS', 'v'],
      ['SADD', 'v', 'a', 'b'],
      ['SREM', 'v', 'a', 'a', 'b', 'b'],
      ['EXISTS', 'v'],
      ['SREM', 'nokey', 'a'],
    ]));

  it('WRONGTYPE against every other type, for every command', () => {
    const steps: Step[] = [
      ['SET', 'str', 'x'],
      ['LPUSH', 'list', 'a'],
      ['HSET', 'hash', 'f', 'v'],
      ['SADD', 'set', 'a', '1'],
    ];
    for (const k of ['str', 'list', 'hash']) {
      steps.push(
        ['SADD', k, 'a'],
        ['SREM', k, 'a'],
        ['SMEMBERS', k],
        ['SISMEMBER', k, 'a'],
        ['SMISMEMBER', k, 'a'],
        ['SCARD', k],
        ['SPOP', k],
        ['SPOP', k, '0'],
        ['SPOP', k, '3'],
        ['SRANDMEMBER', k],
        ['SRANDMEMBER', k, '0'],
        ['SRANDMEMBER', k, '-3'],
        ['SSCAN', k, '0'],
        ['SSCAN', k, '0', 'COUNT', '0'],
        ['SMOVE', k, 'set', 'a'],
        ['SMOVE', 'set', k, 'a'],
        ['SINTER', k],
        ['SINTER', 'set', k],
        ['SINTERCARD', '1', k],
        ['SINTERSTORE', 'dst', k],
        ['SUNION', 'set', k],
        ['SUNIONSTORE', 'dst', k],
        ['SDIFF', k, 'set'],
        ['SDIFFSTORE', 'dst', 'set', k],
      );
    }
    steps.push(['EXISTS', 'dst'], { cmd: ['SMEMBERS', 'set'], sort: true }, ['GET', 'str']);
    return o.compare(steps);
  });

  it('arity errors and extra arguments', () =>
    o.compare([
      ['SADD', 's'],
      ['SREM', 's'],
      ['SMEMBERS'],
      ['SMEMBERS', 's', 'x'],
      ['SISMEMBER', 's'],
      ['SISMEMBER', 's', 'a', 'b'],
      ['SMISMEMBER', 's'],
      ['SCARD'],
      ['SPOP'],
      ['SPOP', 's', '1', '2'],
      ['SRANDMEMBER'],
      ['SRANDMEMBER', 's', '1', '2'],
      ['SMOVE', 'a', 'b'],
      ['SINTER'],
      ['SINTERCARD'],
      ['SINTERCARD', '1'],
      ['SINTERSTORE', 'd'],
      ['SUNION'],
      ['SUNIONSTORE', 'd'],
      ['SDIFF'],
      ['SDIFFSTORE', 'd'],
      ['SSCAN', 's'],
      ['SADD', 's', '1'],
      ['SPOP', 's', '1', '2'],
      ['SRANDMEMBER', 's', '1', '2'],
    ]));

  it('SMOVE basics, encodings, missing keys, identical source and destination', () =>
    o.compare([
      ['SADD', 'myset1', '1', 'a', 'b'],
      ['SADD', 'myset2', '2', '3', '4'],
      ['SMOVE', 'myset1', 'myset2', 'a'],
      { cmd: ['SMEMBERS', 'myset1'], sort: true },
      { cmd: ['SMEMBERS', 'myset2'], sort: true },
      ['OBJECT', 'ENCODING', 'myset2'],
      ['DEL', 'myset1', 'myset2'],
      ['SADD', 'myset1', '1', 'a', 'b'],
      ['SADD', 'myset2', '2', '3', '4'],
      ['SMOVE', 'myset1', 'myset2', '1'],
      ['SMEMBERS', 'myset2'],
      ['OBJECT', 'ENCODING', 'myset2'],
      ['SMOVE', 'myset2', 'myset1', '2'],
      { cmd: ['SMEMBERS', 'myset1'], sort: true },
      ['SMEMBERS', 'myset2'],
      ['SMOVE', 'myset1', 'myset2', 'foo'],
      ['SMOVE', 'myset1', 'myset1', 'foo'],
      ['SMOVE', 'myset1', 'myset1', 'a'],
      ['SMOVE', 'noset', 'myset2', 'foo'],
      ['SMOVE', 'myset1', 'myset3', 'a'],
      ['OBJECT', 'ENCODING', 'myset3'],
      ['SMOVE', 'myset2', 'myset4', '3'],
      ['OBJECT', 'ENCODING', 'myset4'],
      ['SMEMBERS', 'myset4'],
      ['SADD', 'one', 'x'],
      ['SMOVE', 'one', 'myset3', 'x'],
      ['EXISTS', 'one'],
      { cmd: ['SMEMBERS', 'myset3'], sort: true },
      ['SADD', 'dup', 'x'],
      ['SADD', 'src', 'x', 'y'],
      ['SMOVE', 'src', 'dup', 'x'],
      ['SMEMBERS', 'src'],
      ['SMEMBERS', 'dup'],
      ['SET', 'x', '10'],
      ['SMOVE', 'x', 'myset2', 'foo'],
      ['SMOVE', 'myset2', 'x', 'foo'],
      ['SMOVE', 'myset2', 'x', '4'],
      ['SMOVE', 'nokey', 'x', 'foo'],
      ['SMOVE', 'x', 'x', 'foo'],
      ['SMEMBERS', 'myset2'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      ['SADD', 'full', '1', '2'],
      ['SADD', 'from', '3'],
      ['SMOVE', 'from', 'full', '3'],
      ['OBJECT', 'ENCODING', 'full'],
      ...resetLimits,
    ]));

  it('SPOP: single member, missing key, count errors and edge counts', () =>
    o.compare([
      ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '0'],
      ['SPOP', 'nokey', '5'],
      ['SPOP', 'nokey', '-1'],
      ['SPOP', 'nokey', 'x'],
      ['SADD', 's', 'only'],
      ['SPOP', 's', '-1'],
      ['SPOP', 's', 'x'],
      ['SPOP', 's', '1.5'],
      ['SPOP', 's', I64_MIN],
      ['SPOP', 's', '9223372036854775808'],
      ['SPOP', 's', '0'],
      ['SPOP', 's', '-0'],
      ['SPOP', 's', '+1'],
      ['SPOP', 's', '01'],
      ['SPOP', 's', ' 1'],
      ['SRANDMEMBER', 's', '-0'],
      ['SRANDMEMBER', 's', '+1'],
      ['SINTERCARD', '-0', 's'],
      ['SINTERCARD', '+1', 's'],
      ['SINTERCARD', '1', 's', 'LIMIT', '-0'],
      ['SINTERCARD', '1', 's', 'LIMIT', '01'],
      ['SSCAN', 's', '0', 'COUNT', '-0'],
      ['SSCAN', 's', '0', 'COUNT', '+5'],
      ['SSCAN', 's', '+0'],
      ['SPOP', 's'],
      ['EXISTS', 's'],
      ['SADD', 's', '42'],
      ['SPOP', 's', '1'],
      ['EXISTS', 's'],
      ['SADD', 's', 'a'],
      ['SPOP', 's', I64_MAX],
      ['EXISTS', 's'],
    ]));

  it('SPOP with count >= size returns the whole set (intset order) and deletes the key', () =>
    o.compare([
      ['SADD', 'i', '5', '3', '17', '1', '-2'],
      ['SPOP', 'i', '5'],
      ['EXISTS', 'i'],
      ['SADD', 'i', '5', '3', '17', '1', '-2'],
      ['SPOP', 'i', '100'],
      ['SADD', 'h', '9', '8', '7', 'a'],
      ['SREM', 'h', 'a'],
      ['OBJECT', 'ENCODING', 'h'],
      ['SPOP', 'h', '3'],
      ['SADD', 'm', 'x', 'y', 'z'],
      { cmd: ['SPOP', 'm', '3'], sort: true },
      ['EXISTS', 'm'],
      { cmd: ['HELLO', '3'], ignore: true },
      ['SADD', 'i', '2', '1'],
      ['SPOP', 'i', '2'],
      ['SPOP', 'i', '2'],
      ['SPOP', 'i'],
      { cmd: ['HELLO', '2'], ignore: true },
    ]));

  it('SPOP with count: sizes, membership and the encoding of what is left', () =>
    o.compare([
      saddRange('i', 1, 21),
      { cmd: ['SPOP', 'i', '2'], ignore: true },
      ['SCARD', 'i'],
      ['OBJECT', 'ENCODING', 'i'],
      { cmd: ['SPOP', 'i', '15'], ignore: true },
      ['SCARD', 'i'],
      ['OBJECT', 'ENCODING', 'i'],
      // A hashtable of integers: popping most of it rebuilds the rest as a new set (an intset).
      saddRange('h', 1, 11),
      ['SADD', 'h', 'a'],
      ['SREM', 'h', 'a'],
      ['OBJECT', 'ENCODING', 'h'],
      { cmd: ['SPOP', 'h', '9'], ignore: true },
      ['SCARD', 'h'],
      ['OBJECT', 'ENCODING', 'h'],
      // Popping a few leaves it a hashtable.
      saddRange('k', 1, 11),
      ['SADD', 'k', 'a'],
      ['SREM', 'k', 'a'],
      { cmd: ['SPOP', 'k', '2'], ignore: true },
      ['SCARD', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
      // A mixed set keeps what is left as a hashtable when a string survives.
      ['SADD', 'x', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
      { cmd: ['SPOP', 'x', '9'], ignore: true },
      ['SCARD', 'x'],
      ['OBJECT', 'ENCODING', 'x'],
    ]));

  it('SRANDMEMBER: errors, missing key, zero, whole set, one-member sets', () =>
    o.compare([
      ['SRANDMEMBER', 'nokey'],
      ['SRANDMEMBER', 'nokey', '0'],
      ['SRANDMEMBER', 'nokey', '100'],
      ['SRANDMEMBER', 'nokey', '-100'],
      ['SRANDMEMBER', 'nokey', 'x'],
      ['SRANDMEMBER', 'nokey', I64_MIN],
      ['SADD', 'myset', 'a'],
      ['SRANDMEMBER', 'myset', I64_MIN],
      ['SRANDMEMBER', 'myset', '9223372036854775808'],
      ['SRANDMEMBER', 'myset', '1.0'],
      ['SRANDMEMBER', 'myset', '0'],
      ['SRANDMEMBER', 'myset'],
      ['SRANDMEMBER', 'myset', '1'],
      ['SRANDMEMBER', 'myset', '-1'],
      ['SRANDMEMBER', 'myset', '-5'],
      ['SRANDMEMBER', 'myset', '5'],
      ['SRANDMEMBER', 'myset', I64_MAX],
      ['SADD', 'i', '30', '-1', '7', '0'],
      ['SRANDMEMBER', 'i', '4'],
      ['SRANDMEMBER', 'i', '50'],
      ['SADD', 'h', 'x', 'y', 'z', '1'],
      { cmd: ['SRANDMEMBER', 'h', '4'], sort: true },
      { cmd: ['SRANDMEMBER', 'h', '40'], sort: true },
      { cmd: ['HELLO', '3'], ignore: true },
      ['SRANDMEMBER', 'i', '4'],
      ['SRANDMEMBER', 'i', '0'],
      ['SRANDMEMBER', 'nokey', '3'],
      ['SRANDMEMBER', 'nokey'],
      ['SRANDMEMBER', 'myset', '-2'],
      { cmd: ['HELLO', '2'], ignore: true },
      ['SCARD', 'i'],
    ]));

  it('SRANDMEMBER with count: sizes of the replies', () =>
    o.compare([
      saddRange('i', 0, 50),
      { cmd: ['SRANDMEMBER', 'i', '-100'], normalize: (r: string) => r.slice(0, r.indexOf('\r\n')) },
      { cmd: ['SRANDMEMBER', 'i', '45'], normalize: (r: string) => r.slice(0, r.indexOf('\r\n')) },
      { cmd: ['SRANDMEMBER', 'i', '5'], normalize: (r: string) => r.slice(0, r.indexOf('\r\n')) },
      ['SCARD', 'i'],
    ]));

  it('SSCAN: errors, missing key, intset whole, MATCH, COUNT', () =>
    o.compare([
      ['SSCAN', 'nokey', '0'],
      ['SSCAN', 'nokey', 'x'],
      ['SSCAN', 'nokey', '0', 'COUNT', '0'],
      ['SSCAN', 'nokey', '0', 'bogus'],
      ['SADD', 'i', '10', '-5', '3', '200', '1000', '33'],
      ['SSCAN', 'i', '0'],
      ['SSCAN', 'i', '0', 'COUNT', '1'],
      ['SSCAN', 'i', '0', 'MATCH', '*3*'],
      ['SSCAN', 'i', '0', 'MATCH', '-*', 'COUNT', '2'],
      ['SSCAN', 'i', '0', 'COUNT', '0'],
      ['SSCAN', 'i', '0', 'COUNT', '-1'],
      ['SSCAN', 'i', '0', 'COUNT', 'x'],
      ['SSCAN', 'i', '0', 'COUNT'],
      ['SSCAN', 'i', '0', 'MATCH'],
      ['SSCAN', 'i', '0', 'TYPE', 'set'],
      ['SSCAN', 'i', 'x'],
      ['SSCAN', 'i', '-1'],
      ['SSCAN', 'i', '18446744073709551616'],
      ['SSCAN', 'i', '18446744073709551615'],
      ['SSCAN', 'i', ''],
      ['SSCAN', 'i', '0', 'match', '1*', 'count', '100', 'MATCH', '2*'],
      ['SADD', 'h', '', 'a', 'b', 'c', 'ab', 'abc', '1'],
      { cmd: ['SSCAN', 'h', '0', 'COUNT', '100'], normalize: sortScan },
      { cmd: ['SSCAN', 'h', '0', 'COUNT', '100', 'MATCH', '*'], normalize: sortScan },
      { cmd: ['SSCAN', 'h', '0', 'COUNT', '100', 'MATCH', 'a*'], normalize: sortScan },
      { cmd: ['SSCAN', 'h', '0', 'COUNT', '100', 'MATCH', 'zz'], normalize: sortScan },
      { cmd: ['HELLO', '3'], ignore: true },
      ['SSCAN', 'i', '0'],
      ['SSCAN', 'nokey', '0'],
      { cmd: ['HELLO', '2'], ignore: true },
    ]));

  it('RESP3 replies: sets, arrays, nulls', () =>
    o.compare([
      { cmd: ['HELLO', '3'], ignore: true },
      ['SADD', 'i', '3', '1', '2'],
      ['SADD', 'j', '2', '3', '4'],
      ['SMEMBERS', 'i'],
      ['SMEMBERS', 'nokey'],
      ['SINTER', 'i', 'j'],
      ['SINTER', 'i', 'nokey'],
      ['SUNION', 'i', 'j'],
      ['SDIFF', 'i', 'j'],
      ['SDIFF', 'nokey'],
      ['SMISMEMBER', 'i', '1', '9'],
      ['SISMEMBER', 'i', '1'],
      ['SINTERCARD', '2', 'i', 'j'],
      ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '1'],
      ['SPOP', 'i', '0'],
      ['SRANDMEMBER', 'nokey'],
      ['SRANDMEMBER', 'i', '0'],
      ['SRANDMEMBER', 'i', '3'],
      { cmd: ['HELLO', '2'], ignore: true },
      ['SMEMBERS', 'nokey'],
      ['SPOP', 'nokey', '1'],
      ['SPOP', 'nokey'],
    ]));

  it('MEMORY USAGE and COPY: intsets exactly, small hashtables exactly', () =>
    o.compare([
      ['SADD', 's', '1'],
      ['MEMORY', 'USAGE', 's'],
      ['SADD', 's', '2', '3', '4'],
      ['MEMORY', 'USAGE', 's'],
      ['SADD', 's', '100000'],
      ['MEMORY', 'USAGE', 's'],
      ['SREM', 's', '100000'],
      ['MEMORY', 'USAGE', 's'],
      ['SADD', 's', '5000000000'],
      ['MEMORY', 'USAGE', 's'],
      saddRange('big', 0, 300),
      ['MEMORY', 'USAGE', 'big'],
      ['SADD', 'h', 'a'],
      ['MEMORY', 'USAGE', 'h'],
      ['SADD', 'h', 'b', 'c', 'd'],
      ['MEMORY', 'USAGE', 'h'],
      ['SADD', 'c', '1', '2', '3', 'x'],
      ['MEMORY', 'USAGE', 'c'],
      ['SADD', 'long', 'x'.repeat(40), 'y'.repeat(300)],
      ['MEMORY', 'USAGE', 'long'],
      ['COPY', 's', 's2'],
      ['OBJECT', 'ENCODING', 's2'],
      ['MEMORY', 'USAGE', 's2'],
      ['SMEMBERS', 's2'],
      ['COPY', 'h', 'h2'],
      ['OBJECT', 'ENCODING', 'h2'],
      ['MEMORY', 'USAGE', 'h2'],
      ['SADD', 's2', '77'],
      ['SCARD', 's'],
      ['SCARD', 's2'],
    ]));

  it('WATCH: a command breaks a transaction exactly when it modifies the watched key', () =>
    o.compare([
      ['SADD', 's', 'a', 'b'],
      ...watched('s', ['SADD', 's', 'a']),
      ...watched('s', ['SADD', 's', 'c']),
      ...watched('s', ['SREM', 's', 'zz']),
      ...watched('s', ['SREM', 's', 'c']),
      ['SADD', 'srcset', 'a', 'b'],
      ['SADD', 'dstset', 'a'],
      ...watched('dstset', ['SMOVE', 'srcset', 'dstset', 'a']),
      ...watched('srcset', ['SMOVE', 'srcset', 'dstset', 'b']),
      ...watched('dstset', ['SMOVE', 'dstset', 'dstset', 'b']),
      ...watched('dstset', ['SMOVE', 'nokey', 'dstset', 'b']),
      ...watched('nokey', ['SPOP', 'nokey']),
      ...watched('s', ['SPOP', 's', '0']),
      ...watched('s', ['SPOP', 's'], true),
      ...watched('s', ['SINTER', 's', 'dstset'], true),
      ...watched('d', ['SINTERSTORE', 'd', 's', 'nokey']),
      ...watched('d', ['SINTERSTORE', 'd', 'dstset', 'dstset']),
      ...watched('d', ['SDIFFSTORE', 'd', 'dstset', 'dstset']),
      ...watched('d', ['SUNIONSTORE', 'd', 'nokey']),
      ['SET', 'str', 'x'],
      ...watched('str', ['SADD', 'str', 'a']),
      ...watched('d', ['SUNIONSTORE', 'd', 'str']),
    ]));

  it('a set survives RENAME and MOVE; DEL and TYPE', () =>
    o.compare([
      ['SADD', 's', '1', '2', 'x'],
      ['RENAME', 's', 't'],
      { cmd: ['SMEMBERS', 't'], sort: true },
      ['MOVE', 't', '1'],
      ['SELECT', '1'],
      ['TYPE', 't'],
      ['SCARD', 't'],
      ['DEL', 't'],
      ['EXISTS', 't'],
      ['SELECT', '0'],
    ]));
});
