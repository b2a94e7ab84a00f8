// Hash commands that walk or sample a hash: HRANDFIELD and HSCAN (Redis 7.0 t_hash.c and
// db.c's scanGenericCommand). Merged into hashesHandlers by hashes.ts.
//
// Random choices use the server's seeded RNG (c.srv.rng), so tests can make them repeatable.
// Redis's reply order is kept where it is deterministic: a count at least the hash's size
// answers the whole hash in iteration order, and a unique sample of a listpack hash comes out
// in listpack order (lpRandomPairsUnique); elsewhere the order is random, as in Redis.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { HashValue } from '../keyspace/types/hash.js';
import type { Client } from '../network/client.js';
import { cursorPosition, parseElementScanOptions, parseScanCursor, replyScan } from './keys-iter.js';
import { WRONG_TYPE, aggregateOf, lookupReadOfType } from './typed.js';
import { isKeyword } from './util.js';

const LONG_MAX = (1n << 63n) - 1n;
/** Redis's bound on |count| with WITHVALUES (the reply length must not overflow). */
const WITHVALUES_MAX = LONG_MAX / 2n;
/** Elements per batch of a unique listpack sample (HRANDFIELD_RANDOM_SAMPLE_LIMIT). */
const SAMPLE_BATCH = 1000;
/** A unique sample is drawn by removal when count * this exceeds the size (HRANDFIELD_SUB_STRATEGY_MUL). */
const SUB_STRATEGY_MUL = 3;
/**
 * Most elements one HRANDFIELD reply with repetitions may hold. Redis has no bound (a huge
 * negative count runs until the client's output buffer limit or memory runs out); Shoal
 * refuses such a reply instead of building a buffer it cannot hold.
 */
const MAX_REPEAT_REPLY = 1 << 24;

/** The hash at key (read lookup): the object, null when missing, or undefined after WRONGTYPE. */
function readHash(c: Client, key: Buffer): HashValue | null | undefined {
  const e = lookupReadOfType(c, key, VType.Hash);
  if (e === WRONG_TYPE) return undefined;
  return e === NONE ? null : aggregateOf<HashValue>(c, e);
}

// ---------------------------------------------------------------------------------------------
// HRANDFIELD

/** Writes the pair at position i: field, then its value if asked; nested in RESP3. */
function replyPair(c: Client, h: HashValue, i: number, withValues: boolean): void {
  if (withValues && c.w.resp === 3) c.w.array(2);
  c.w.bulkLatin1(h.fieldAt(i));
  if (withValues) c.w.bulkLatin1(h.valueAt(i));
}

/**
 * Up to `count` distinct positions of h, count < h.size. A listpack is sampled in batches
 * with selection sampling, each batch in listpack order (Redis's lpRandomPairsUnique; as in
 * Redis, positions are distinct within a batch only). A hashtable removes random positions
 * until `count` remain when the sample is most of the hash, else draws until `count` distinct
 * positions are found.
 */
function uniqueSample(c: Client, h: HashValue, count: number): number[] {
  const size = h.size;
  const rng = c.srv.rng;
  const out: number[] = [];
  if (h.isListpack) {
    for (let left = count; left > 0; ) {
      let need = Math.min(left, SAMPLE_BATCH);
      left -= need;
      for (let i = 0; i < size && need > 0; i++) {
        if (rng.next() * (size - i) < need) {
          out.push(i);
          need--;
        }
      }
    }
    return out;
  }
  if (count * SUB_STRATEGY_MUL > size) {
    const pos = Array.from({ length: size }, (_, i) => i);
    while (pos.length > count) {
      const r = rng.int(pos.length);
      pos[r] = pos[pos.length - 1];
      pos.pop();
    }
    return pos;
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(size));
  return [...picked];
}

/**
 * HRANDFIELD key count [WITHVALUES] once the arguments are valid. A negative count draws
 * |count| fields with repetitions; a positive one up to count distinct fields (the whole hash,
 * in iteration order, when count >= size). RESP2 replies a flat array (field, value, ...),
 * RESP3 an array of [field, value] pairs. A missing key or count 0 is the empty array.
 */
function hrandfieldWithCount(c: Client, key: Buffer, l: number | bigint, withValues: boolean): void {
  const h = readHash(c, key);
  if (h === undefined) return;
  if (h === null) return void c.w.array(0);
  const uniq = l >= 0;
  const count = Number(uniq ? l : -l);
  if (count === 0) return void c.w.array(0);
  const perField = withValues && c.w.resp === 2 ? 2 : 1;
  const size = h.size;
  const rng = c.srv.rng;
  if (!uniq || count === 1) {
    if (count * perField > MAX_REPEAT_REPLY) return void c.w.error(Err.outOfRange);
    c.w.array(count * perField);
    for (let n = 0; n < count; n++) replyPair(c, h, rng.int(size), withValues);
    return;
  }
  c.w.array(Math.min(count, size) * perField);
  if (count >= size) {
    for (let i = 0; i < size; i++) replyPair(c, h, i, withValues);
    return;
  }
  for (const i of uniqueSample(c, h, count)) replyPair(c, h, i, withValues);
}

/**
 * HRANDFIELD key [count [WITHVALUES]]. The arguments are checked before the key, in Redis's
 * order: count an integer in [-LONG_MAX, LONG_MAX], then the WITHVALUES token, then the
 * tighter range WITHVALUES needs. Without a count: one random field, or nil.
 */
const hrandfieldCommand: Handler = (c, argv) => {
  if (argv.length >= 3) {
    const l = parseIntArg(argv[2]);
    if (l === null) return void c.w.error(Err.notInteger);
    if (l < -LONG_MAX) return void c.w.error(Err.longRange);
    const withValues = argv.length === 4;
    if (argv.length > 4 || (withValues && !isKeyword(argv[3], 'withvalues'))) return void c.w.error(Err.syntax);
    if (withValues && (l < -WITHVALUES_MAX || l > WITHVALUES_MAX)) return void c.w.error(Err.outOfRange);
    hrandfieldWithCount(c, argv[1], l, withValues);
    return;
  }
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  if (h === null) return void c.w.nil();
  c.w.bulkLatin1(h.fieldAt(c.srv.rng.int(h.size)));
};

// ---------------------------------------------------------------------------------------------
// HSCAN

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is checked first ("invalid
 * cursor"), then the key: a missing key is an empty scan whatever the options (as in Redis,
 * which parses them later). COUNT must be an integer >= 1; TYPE is not an HSCAN option. A
 * listpack hash comes back whole with cursor 0; a hashtable about COUNT fields per call. The
 * reply is [cursor, [field, value, ...]] in both protocols.
 */
const hscanCommand: Handler = (c, argv) => {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return void c.w.error(Err.invalidCursor);
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  if (h === null) {
    replyScan(c, 0, []);
    return;
  }
  const opts = parseElementScanOptions(c, argv);
  if (opts === null) return;
  const { count, match } = opts;
  const out: string[] = [];
  const next = h.scan(cursorPosition(cursor), count, (f, v) => {
    if (match === null || match(Buffer.from(f, 'latin1'))) out.push(f, v);
  });
  replyScan(c, next, out);
};

export const iterHandlers: Record<string, Handler> = {
  hrandfield: hrandfieldCommand,
  hscan: hscanCommand,
};
