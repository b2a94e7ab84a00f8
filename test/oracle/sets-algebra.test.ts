// Oracle tests for the set algebra (SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
// SDIFF, SDIFFSTORE): results, the encodings of stored results, the order in which keys are
// looked up and type-checked, and what happens to the destination. Byte-identical to
// redis-server 7.0's replies; hashtable results are compared as multisets, intsets unsorted
// (Redis answers them in ascending order). Includes the deterministic cases of Redis's
// tests/unit/type/set.tcl. The single-key commands are in sets.test.ts.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';

const I64_MAX = '9223372036854775807';

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

/** A random member like the suite's randomValue: small or wide integers, or short strings. */
function randomMember(rnd: () => number): string {
  const r = rnd();
  if (r < 0.4) return String(Math.floor(rnd() * 64) - 32);
  if (r < 0.55) return String(Math.floor(rnd() * 2 ** 40) - 2 ** 39);
  const len = Math.floor(rnd() * 4);
  let out = '';
  for (let i = 0; i < len; i++) out += String.fromCharCode(97 + Math.floor(rnd() * 6));
  return out;
}

/** Keeps only the keyspace hit/miss lines of an INFO stats reply. */
function hitsOnly(raw: string): string {
  return (raw.match(/keyspace_(hits|misses):\d+/g) ?? []).join(',');
}

const resetLimits: Step[] = [['CONFIG', 'SET', 'set-max-intset-entries', '512']];

withOracle('oracle: set algebra', (o) => {
  // Redis's generated sets (set.tcl), as hashtables ("regular") and as intsets.
  for (const type of ['regular', 'intset'] as const) {
    const large = type === 'regular' ? 'foo' : '200';
    const setup: Step[] = [
      saddRange('set1', 0, 200),
      saddRange('set2', 195, 395),
      ['SADD', 'set3', '199', '195', '1000', '2000'],
      saddRange('set4', 5, 200),
      ['SADD', 'set5', '0'],
      ...[1, 2, 3, 4, 5].map((i): Step => ['SADD', `set${i}`, large]),
      ...[1, 2, 3, 4, 5].map((i): Step => ['OBJECT', 'ENCODING', `set${i}`]),
    ];
    // Intsets reply in ascending order; hashtables in an unspecified one.
    const sorted = type === 'regular';
    it(`SINTER / SINTERCARD / SINTERSTORE - ${type}`, () =>
      o.compare([
        ...setup,
        { cmd: ['SINTER', 'set1', 'set2'], sort: sorted },
        ['SINTERCARD', '2', 'set1', 'set2'],
        ['SINTERCARD', '2', 'set1', 'set2', 'limit', '0'],
        ['SINTERCARD', '2', 'set1', 'set2', 'limit', '3'],
        ['SINTERCARD', '2', 'set1', 'set2', 'LIMIT', '10'],
        ['SINTERCARD', '2', 'set1', 'set2', 'LIMIT', '1', 'LIMIT', '0'],
        ['SINTERSTORE', 'setres', 'set1', 'set2'],
        ['OBJECT', 'ENCODING', 'setres'],
        { cmd: ['SMEMBERS', 'setres'], sort: sorted },
        { cmd: ['SINTER', 'set1', 'set2', 'set3'], sort: sorted },
        ['SINTERCARD', '3', 'set1', 'set2', 'set3'],
        ['SINTERCARD', '3', 'set1', 'set2', 'set3', 'limit', '2'],
        ['SINTERSTORE', 'setres', 'set1', 'set2', 'set3'],
        { cmd: ['SMEMBERS', 'setres'], sort: sorted },
        { cmd: ['SINTER', 'set1', 'set1', 'set1'], sort: true },
        ['SINTERCARD', '3', 'set1', 'set1', 'set1'],
        { cmd: ['SINTER', 'set5', 'set1'], sort: sorted },
        ['SINTER', 'set1', 'set2', 'set3', 'nokey'],
        ['SINTERCARD', '2', 'set1', 'nokey'],
      ]));

    it(`SUNION / SUNIONSTORE / SDIFF / SDIFFSTORE - ${type}`, () =>
      o.compare([
        ...setup,
        { cmd: ['SUNION', 'set1', 'set2'], sort: sorted },
        ['SUNIONSTORE', 'setres', 'set1', 'set2'],
        ['OBJECT', 'ENCODING', 'setres'],
        ['SCARD', 'setres'],
        { cmd: ['SUNION', 'nokey1', 'set1', 'set2', 'nokey2'], sort: sorted },
        { cmd: ['SUNION', 'set1', 'set1', 'set1'], sort: sorted },
        { cmd: ['SDIFF', 'set1', 'set4'], sort: sorted },
        { cmd: ['SDIFF', 'set1', 'set4', 'set5'], sort: sorted },
        ['SDIFFSTORE', 'setres', 'set1', 'set4', 'set5'],
        ['OBJECT', 'ENCODING', 'setres'],
        { cmd: ['SMEMBERS', 'setres'], sort: sorted },
        ['SDIFF', 'set1', 'set1', 'set1'],
        ['SDIFF', 'set1', 'set2', 'set1'],
        ['SDIFFSTORE', 'setres', 'set1', 'set4', 'set1'],
        ['EXISTS', 'setres'],
      ]));
  }

  it('SINTERSTORE where the result is an intset, from hashtable sets', () =>
    o.compare([
      ['SADD', 'set1', 'a', 'b', 'c', '1', '3', '6', 'x', 'y', 'z'],
      ['SADD', 'set2', 'e', 'f', 'g', '1', '2', '3', 'u', 'v', 'w'],
      ['SINTERSTORE', 'setres', 'set1', 'set2'],
      ['SMEMBERS', 'setres'],
      ['OBJECT', 'ENCODING', 'setres'],
      ['SADD', 'big1', 'a', 'b', 'c', '444', '555', '666'],
      ['SADD', 'big2', 'e', 'f', 'g', '111', '222', '333'],
      saddRange('big1', 1, 130),
      saddRange('big2', 1, 130),
      ['SINTERSTORE', 'setres', 'big1', 'big2'],
      ['OBJECT', 'ENCODING', 'setres'],
      ['SMEMBERS', 'setres'],
      ['SADD', 'i1', '1', '2', '3'],
      ['SADD', 'h1', '1', '2', '3', 'a'],
      ['SREM', 'h1', 'a'],
      ['SINTER', 'i1', 'h1'],
      ['SINTERSTORE', 'r', 'h1', 'h1'],
      ['OBJECT', 'ENCODING', 'r'],
    ]));

  it('STORE results pass set-max-intset-entries as Redis builds them', () =>
    o.compare([
      ['CONFIG', 'SET', 'set-max-intset-entries', '10'],
      saddRange('s0', 1, 12),
      ['OBJECT', 'ENCODING', 's0'],
      ['SADD', 'one', '1'],
      ['SADD', 'two', '2'],
      // Algorithm 2 (copy, then remove) passes 10 members on the way: the result stays a hashtable.
      ['SDIFFSTORE', 'r2', 's0', 'one', 'two'],
      ['OBJECT', 'ENCODING', 'r2'],
      { cmd: ['SMEMBERS', 'r2'], sort: true },
      // Algorithm 1 (keep what no other set has) builds only the result: an intset.
      saddRange('half', 1, 6),
      ['SDIFFSTORE', 'r1', 's0', 'half'],
      ['OBJECT', 'ENCODING', 'r1'],
      ['SMEMBERS', 'r1'],
      // A later key naming the first set: the difference is empty.
      ['SDIFFSTORE', 'r3', 's0', 'one', 's0x', 's0'],
      ['EXISTS', 'r3'],
      ['SUNIONSTORE', 'u', 'half', 'one', 'two'],
      ['OBJECT', 'ENCODING', 'u'],
      ['SUNIONSTORE', 'u', 's0', 'one'],
      ['OBJECT', 'ENCODING', 'u'],
      ['SINTERSTORE', 'n', 's0', 's0'],
      ['OBJECT', 'ENCODING', 'n'],
      ...resetLimits,
    ]));

  it('fuzz: SDIFF / SINTER / SUNION and their STORE forms over random sets (results and encodings)', () => {
    const rnd = lcg(7);
    const steps: Step[] = [['CONFIG', 'SET', 'set-max-intset-entries', '16']];
    for (let round = 0; round < 40; round++) {
      const n = 1 + Math.floor(rnd() * 6);
      const keys: string[] = [];
      for (let i = 0; i < n; i++) {
        const key = `f${round}_${i}`;
        keys.push(key);
        // Some keys stay missing; integer-only sets of every size around the limit.
        const size = Math.floor(rnd() * 28);
        const intsOnly = rnd() < 0.5;
        const args: string[] = [];
        for (let k = 0; k < size; k++) args.push(intsOnly ? String(Math.floor(rnd() * 40)) : randomMember(rnd));
        if (args.length > 0) steps.push(['SADD', key, ...args], ['OBJECT', 'ENCODING', key]);
      }
      if (rnd() < 0.2) keys.push(keys[0]);
      for (const cmd of ['SDIFF', 'SINTER', 'SUNION']) {
        steps.push({ cmd: [cmd, ...keys], sort: true });
        steps.push([`${cmd}STORE`, `r${round}`, ...keys], ['OBJECT', 'ENCODING', `r${round}`], { cmd: ['SMEMBERS', `r${round}`], sort: true });
      }
      steps.push(['SINTERCARD', String(keys.length), ...keys], ['SINTERCARD', String(keys.length), ...keys, 'LIMIT', '2']);
    }
    steps.push(...resetLimits);
    return o.compare(steps);
  });

  it('SDIFF: first set empty or missing, same set twice, missing keys as empty', () =>
    o.compare([
      ['SADD', 'set2', '1', '2', '3', '4'],
      ['SADD', 'set3', 'a', 'b', 'c', 'd'],
      ['SDIFF', 'set1', 'set2', 'set3'],
      ['SADD', 'same', 'a', 'b', 'c', '1', '2', '3', '4', '5', '6'],
      ['SDIFF', 'same', 'same'],
      ['DEL', 'set2', 'set3'],
      ['SADD', 'set1', 'a', 'b', 'c'],
      ['SADD', 'set2', 'b', 'c', 'd'],
      ['SDIFF', 'set1', 'set2', 'set3'],
      ['SDIFF', 'set3', 'set2', 'set1'],
      { cmd: ['SDIFF', 'set1'], sort: true },
      ['SDIFF', 'nokey'],
    ]));

  it('WRONGTYPE rules of the algebra: every key is looked up until a wrong type', () =>
    o.compare([
      ['SET', 'key1', 'x'],
      ['SADD', 'set1', 'a', 'b', 'c'],
      ['SINTER', 'key1', 'noset'],
      ['SINTER', 'noset', 'key1'],
      ['SINTER', 'key1', 'set1'],
      ['SINTER', 'set1', 'key1'],
      ['SINTERCARD', '2', 'noset', 'key1'],
      ['SINTERCARD', '1', 'key1', 'LIMIT', '-1'],
      ['SUNION', 'noset', 'key1'],
      ['SDIFF', 'noset', 'key1'],
      ['SDIFF', 'key1', 'set1'],
      ['SADD', 'set2', 'b', 'c', 'd'],
      ['SADD', 'set3', 'e'],
      ['SINTERSTORE', 'set3', 'key1', 'noset'],
      ['SINTERSTORE', 'set3', 'noset', 'key1', 'set2'],
      ['SUNIONSTORE', 'set3', 'key1', 'set1', 'noset'],
      ['SUNIONSTORE', 'set3', 'noset', 'key1'],
      ['SDIFFSTORE', 'set3', 'key1', 'set1', 'noset'],
      ['SDIFFSTORE', 'set3', 'set1', 'key1', 'set2'],
      ['SMEMBERS', 'set3'],
      ['SINTERSTORE', 'none1', 'key1', 'noset'],
      ['EXISTS', 'none1'],
    ]));

  it('*STORE: destination overwritten whatever its type, TTL dropped, deleted when empty', () =>
    o.compare([
      ['SADD', 'set1', 'a', 'b', 'c'],
      ['SADD', 'set2', 'b', 'c', 'd'],
      ['SET', 'setres', 'xxx'],
      ['SINTERSTORE', 'setres', 'foo111', 'bar222'],
      ['EXISTS', 'setres'],
      ['SET', 'setres', 'xxx'],
      ['SUNIONSTORE', 'setres', 'foo111', 'bar222'],
      ['EXISTS', 'setres'],
      ['SET', 'setres', 'xxx'],
      ['SDIFFSTORE', 'setres', 'foo111', 'bar222'],
      ['EXISTS', 'setres'],
      ['SET', 'dst', 'string', 'EX', '1000'],
      ['SINTERSTORE', 'dst', 'set1', 'set2'],
      ['TYPE', 'dst'],
      ['TTL', 'dst'],
      { cmd: ['SMEMBERS', 'dst'], sort: true },
      ['LPUSH', 'dst2', 'x'],
      ['SUNIONSTORE', 'dst2', 'set1', 'set2'],
      { cmd: ['SMEMBERS', 'dst2'], sort: true },
      ['HSET', 'dst3', 'f', 'v'],
      ['PEXPIRE', 'dst3', '100000'],
      ['SDIFFSTORE', 'dst3', 'set1', 'set2'],
      ['SMEMBERS', 'dst3'],
      ['PTTL', 'dst3'],
      ['SADD', 'set3', 'a', 'b', 'c'],
      ['SINTERSTORE', 'set3', 'set1', 'nokey'],
      ['EXISTS', 'set3'],
      ['SADD', 'set3', 'z'],
      ['SINTERSTORE', 'set3', 'set1', 'set3'],
      ['EXISTS', 'set3'],
      ['SADD', 'set3', 'e', 'f'],
      ['SUNIONSTORE', 'set3', 'set1', 'nokey'],
      { cmd: ['SMEMBERS', 'set3'], sort: true },
      ['SUNIONSTORE', 'set3', 'set3', 'set2'],
      { cmd: ['SMEMBERS', 'set3'], sort: true },
      ['SDIFFSTORE', 'set3', 'set3', 'set3'],
      ['EXISTS', 'set3'],
      ['SADD', 'set3', 'a'],
      ['SDIFFSTORE', 'set3', 'set2', 'set1'],
      ['SMEMBERS', 'set3'],
      ['SDIFFSTORE', 'set3', 'nokey', 'set1'],
      ['EXISTS', 'set3'],
    ]));

  it('SINTERCARD argument errors', () =>
    o.compare([
      ['SINTERCARD', '0', 'myset'],
      ['SINTERCARD', 'a', 'myset'],
      ['SINTERCARD', '-1', 'myset'],
      ['SINTERCARD', '9223372036854775808', 'myset'],
      ['SINTERCARD', I64_MAX, 'myset'],
      ['SINTERCARD', '2', 'myset'],
      ['SINTERCARD', '3', 'myset', 'myset2'],
      ['SINTERCARD', '1', 'myset', 'myset2'],
      ['SINTERCARD', '1', 'myset', 'bar_arg'],
      ['SINTERCARD', '1', 'myset', 'LIMIT'],
      ['SINTERCARD', '1', 'myset', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 'myset', 'LIMIT', 'a'],
      ['SINTERCARD', '1', 'myset', 'LIMIT', '1', 'LIMIT'],
      ['SINTERCARD', '1', 'myset', 'LIMIT', '1', 'foo', '2'],
      ['SINTERCARD', '1', 'non-existing-key'],
      ['SINTERCARD', '1', 'non-existing-key', 'limit', '0'],
      ['SINTERCARD', '1', 'non-existing-key', 'limit', '10'],
      ['SINTERCARD', '1', 'non-existing-key', 'limit', I64_MAX],
      ['SADD', 'LIMIT', '1'],
      ['SINTERCARD', '2', 'LIMIT', 'LIMIT'],
      ['SINTERCARD', '1', 'LIMIT', 'LIMIT', '5'],
    ]));

  it('keyspace hits and misses: STORE sources are read lookups', () =>
    o.compare([
      ['SADD', 'a', '1'],
      ['SADD', 'b', '2'],
      ['SET', 'str', 'x'],
      ...[
        ['SINTERSTORE', 'd', 'a', 'nokey'],
        ['SUNIONSTORE', 'd', 'a', 'nokey'],
        ['SDIFFSTORE', 'd', 'a', 'nokey'],
        ['SINTER', 'nokey', 'a', 'b'],
        ['SINTER', 'nokey', 'str', 'a'],
        ['SINTERCARD', '2', 'a', 'nokey'],
        ['SMOVE', 'a', 'b', '9'],
        ['SPOP', 'b', '0'],
        ['SRANDMEMBER', 'a', '1'],
        ['SMISMEMBER', 'nokey', 'a'],
        ['SSCAN', 'a', '0'],
        ['SADD', 'a', '5'],
        ['SREM', 'a', '5'],
        ['SCARD', 'a'],
        ['SMEMBERS', 'a'],
        ['SPOP', 'b', '5'],
      ].flatMap((cmd): Step[] => [
        ['CONFIG', 'RESETSTAT'],
        { cmd, ignore: true },
        { cmd: ['INFO', 'stats'], normalize: hitsOnly, note: cmd.join(' ') },
      ]),
    ]));
});
