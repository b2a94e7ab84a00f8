// A seeded differential fuzz of the sorted-set commands: random commands built from a small
// pool of keys, numbers, ranges and option keywords, sent to Shoal and to a real redis-server
// and compared byte for byte (RESP2 and RESP3). Small pools make collisions likely, so the
// commands mostly hit existing keys, wrong types and every option parser, and the order in
// which errors win is exercised far beyond the hand-written cases. Commands whose replies are
// random (ZRANDMEMBER) or that could block (BZ*) are left out, and so is ZSCAN when the sets
// are skiplists (its order is the hash table's). ZSETS_FUZZ_SEEDS=1,2,... runs more seeds.
import { it } from 'node:test';
import { withOracle, type Step } from '../helpers/oracle.js';
import { createRng, type Rng } from '../../src/lib/rng.js';

const COMMANDS = [
  'ZADD', 'ZADD', 'ZADD', 'ZINCRBY', 'ZREM', 'ZCARD', 'ZSCORE', 'ZMSCORE', 'ZRANK', 'ZREVRANK', 'ZCOUNT', 'ZLEXCOUNT',
  'ZRANGE', 'ZRANGE', 'ZRANGESTORE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX',
  'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYLEX', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP', 'ZUNION', 'ZINTER', 'ZDIFF',
  'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZINTERCARD', 'ZSCAN',
];

const KEYS = ['k1', 'k2', 'k3', 'str', 'set'];
const NUMBERS = ['0', '1', '-1', '2', '3', '5', '10', '-5', '1.5', '0.5', 'inf', '-inf', '+inf', 'nan', '1e400', '9223372036854775807', '-9223372036854775808', '(1', '(2', '(-inf'];
const LEX = ['[a', '(b', '[c', '-', '+', '(', '[', 'a', '+x'];
const WORDS = ['WITHSCORES', 'LIMIT', 'BYSCORE', 'BYLEX', 'REV', 'NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'WEIGHTS', 'AGGREGATE', 'SUM', 'MIN', 'MAX', 'COUNT', 'MATCH', '*', 'x'];
const MEMBERS = ['a', 'b', 'c', 'd', 'e', ''];

function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[r.int(xs.length)];
}

/** A random argument: numbers dominate, then keys and members, then lex ends and keywords. */
function arg(r: Rng): string {
  const x = r.int(10);
  if (x < 4) return pick(r, NUMBERS);
  if (x < 6) return pick(r, KEYS);
  if (x < 7) return pick(r, MEMBERS);
  if (x < 8) return pick(r, LEX);
  return pick(r, WORDS);
}

/** A command with a plausible shape (key first where there is one) and a random tail. */
function command(r: Rng, skiplist: boolean): string[] {
  let name = pick(r, COMMANDS);
  // A skiplist's ZSCAN order is its hash table's: unspecified, so not compared.
  while (skiplist && name === 'ZSCAN') name = pick(r, COMMANDS);
  const out = [name];
  if (name === 'ZADD' && r.int(3) > 0) {
    out.push(pick(r, KEYS));
    for (let i = r.int(3); i > 0; i--) out.push(pick(r, ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']));
    for (let i = 1 + r.int(3); i > 0; i--) out.push(pick(r, NUMBERS), pick(r, MEMBERS));
    if (r.int(6) === 0) out.push(arg(r));
    return out;
  }
  if (/^Z(UNION|INTER|DIFF)|^ZMPOP|^ZINTERCARD/.test(name)) {
    if (name.endsWith('STORE')) out.push(pick(r, KEYS));
    out.push(String(r.int(4)));
  } else {
    out.push(pick(r, KEYS));
  }
  for (let i = r.int(7); i > 0; i--) out.push(arg(r));
  return out;
}

function script(seed: number, resp3: boolean, skiplist: boolean): Step[] {
  const r = createRng(seed);
  const steps: Step[] = [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', skiplist ? '0' : '128'],
    ['SET', 'str', 'v'],
    ['SADD', 'set', 'a', 'c', '1'],
    ['ZADD', 'k1', '1', 'a', '2', 'b', '3', 'c'],
  ];
  if (resp3) steps.push({ cmd: ['HELLO', '3'], ignore: true });
  for (let i = 0; i < 400; i++) steps.push(command(r, skiplist));
  for (const k of KEYS) steps.push(['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES']);
  if (resp3) steps.push({ cmd: ['HELLO', '2'], ignore: true });
  steps.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128']);
  return steps;
}

const SEEDS = (process.env['ZSETS_FUZZ_SEEDS'] ?? '1,2,3').split(',').map(Number);

withOracle('oracle: sorted sets (differential fuzz)', (o) => {
  for (const seed of SEEDS) {
    it(`seed ${seed}, RESP2, listpack`, () => o.compare(script(seed, false, false)));
    it(`seed ${seed}, RESP3, listpack`, () => o.compare(script(seed * 1000 + 7, true, false)));
    it(`seed ${seed}, RESP2, skiplist`, () => o.compare(script(seed * 1000 + 11, false, true)));
  }
});
