// Keyspace iteration: KEYS, SCAN and RANDOMKEY.
//
// SCAN's cursor is the index's own (Database.scan: a position in the 32-bit hash space), so
// every key present for the whole iteration is returned at least once, even when the tables
// grow or shrink between calls. Cursors beyond any the index hands out simply end the
// iteration (Redis accepts any unsigned long cursor too). COUNT is Redis's: buckets are
// visited until COUNT keys were found or 10 x COUNT buckets were looked at.

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { Err } from '../../lib/errors.js';
import { compileGlob } from '../../lib/glob.js';
import { parseI64, parseIntArg } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { TYPE_NAMES } from '../keyspace/entry.js';
import { isKeyword } from './util.js';

/** Cursors from this on were never handed out by Database.scan (positions in a 32-bit hash space). */
const MAX_CURSOR = 2n ** 32n;


const ULONG_MAX = (1n << 64n) - 1n;

/** A pattern that matches every key, including the empty one (Redis special-cases "*"). */
function isMatchAll(p: Buffer): boolean {
  return p.length === 1 && p[0] === 0x2a;
}

// ---------------------------------------------------------------------------------------
// KEYS

/** KEYS: every live key matching the pattern. Expired keys are skipped, not reclaimed. */
function keysCommand(c: Client, argv: Buffer[]): void {
  const pattern = argv[1];
  const match = isMatchAll(pattern) ? null : compileGlob(pattern);
  const now = c.srv.now;
  const db = c.db;
  const store = db.store;
  const out: Buffer[] = [];
  db.forEach((e) => {
    if (db.isExpired(e, now)) return;
    store.locate(e);
    const key = store.rb.subarray(store.rk, store.rk + store.rkl);
    if (match !== null && !match(key)) return;
    out.push(Buffer.from(key));
  });
  c.w.array(out.length);
  for (const k of out) c.w.bulk(k);
}

// ---------------------------------------------------------------------------------------
// SCAN

/** MATCH / COUNT of HSCAN, SSCAN and ZSCAN, parsed. `match` is null for no pattern or "*". */
export interface ElementScanOptions {
  count: number;
  match: ((subject: Buffer) => boolean) | null;
}

/**
 * Parses the MATCH / COUNT options of HSCAN, SSCAN and ZSCAN from argv[3..] (Redis's
 * scanGenericCommand, after the cursor and the key): COUNT must be an integer >= 1 (else "not
 * an integer" or a syntax error), anything else is a syntax error. A "*" pattern matches
 * everything (the empty element included), so it is dropped. Null after replying an error.
 */
export function parseElementScanOptions(c: Client, argv: Buffer[]): ElementScanOptions | null {
  let count = 10;
  let pattern: Buffer | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const hasArg = i + 1 < argv.length;
    if (isKeyword(argv[i], 'count') && hasArg) {
      const v = parseIntArg(argv[i + 1]);
      if (v === null) return c.w.error(Err.notInteger), null;
      if (v < 1) return c.w.error(Err.syntax), null;
      count = Math.min(Number(v), Number.MAX_SAFE_INTEGER);
    } else if (isKeyword(argv[i], 'match') && hasArg) {
      pattern = argv[i + 1];
    } else {
      return c.w.error(Err.syntax), null;
    }
  }
  const match = pattern === null || (pattern.length === 1 && pattern[0] === 0x2a) ? null : compileGlob(pattern);
  return { count, match };
}

/** A SCAN-family cursor as a position (cursors past the safe range clamp; positions are small). */
export function cursorPosition(cursor: bigint): number {
  return cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
}

/** The [cursor, [elements]] reply of the SCAN family (an empty scan is cursor 0, no elements). */
export function replyScan(c: Client, next: number, items: readonly string[]): void {
  c.w.array(2);
  c.w.bulkLatin1(String(next));
  c.w.array(items.length);
  for (const s of items) c.w.bulkLatin1(s);
}

/**
 * Parses a cursor as Redis does (strtoul, base 10): no leading whitespace, an optional sign,
 * digits to the end; a negative value wraps modulo 2^64; values beyond 2^64-1 are invalid.
 * The empty string is cursor 0. Returns null if invalid.
 */
export function parseScanCursor(arg: Buffer): bigint | null {
  const n = arg.length;
  if (n === 0) return 0n;
  let i = 0;
  let neg = false;
  if (arg[0] === 0x2b || arg[0] === 0x2d) {
    neg = arg[0] === 0x2d;
    i = 1;
  }
  if (i >= n) return null;
  let v = 0n;
  for (; i < n; i++) {
    const ch = arg[i];
    if (ch < 0x30 || ch > 0x39) return null;
    v = v * 10n + BigInt(ch - 0x30);
    if (v > ULONG_MAX) return null;
  }
  return neg && v !== 0n ? (1n << 64n) - v : v;
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. Filters apply in Redis's order:
 * pattern, then type, then expiry. The TYPE filter looks each candidate up as a read
 * (hit/miss statistics, lazy expiry) and, like Redis 7.0, names a key deleted by that
 * lookup "none"; keys that pass the filters and turn out expired are reclaimed and skipped.
 */
function scanCommand(c: Client, argv: Buffer[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    c.w.error(Err.invalidCursor);
    return;
  }
  let count = 10;
  let pattern: Buffer | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (isKeyword(argv[i], 'count') && more >= 1) {
      const v = parseCount(argv[++i]);
      if (v === null) return void c.w.error(Err.notInteger);
      if (v < 1) return void c.w.error(Err.syntax);
      count = v;
    } else if (isKeyword(argv[i], 'match') && more >= 1) {
      pattern = argv[++i];
    } else if (isKeyword(argv[i], 'type') && more >= 1) {
      type = argv[++i].toString('latin1').toLowerCase();
    } else {
      return void c.w.error(Err.syntax);
    }
  }

  const found: Buffer[] = [];
  const db = c.db;
  let next = 0;
  if (cursor < MAX_CURSOR) {
    // scanGenericCommand: one bucket at a time until COUNT keys or 10 x COUNT buckets.
    const visit = (e: number): void => void found.push(db.key(e));
    next = Number(cursor);
    let buckets = 0;
    do {
      next = db.scan(next, 1, visit);
      buckets++;
    } while (next !== 0 && found.length < count && buckets < 10 * count);
  }
  const match = pattern === null || isMatchAll(pattern) ? null : compileGlob(pattern);
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const out: Buffer[] = [];
  for (const key of found) {
    if (match !== null && !match(key)) continue;
    if (type !== null) {
      const e = ks.lookupRead(db, key, now, true);
      if ((e === NONE ? 'none' : TYPE_NAMES[db.type(e)]) !== type) continue;
    }
    // Reclaims the key if its TTL passed (lookup deletes it). A key already deleted by the
    // TYPE lookup above is not found here and so is kept, as in Redis.
    if (db.find(key) !== NONE && db.lookup(key, now) === NONE) continue;
    out.push(key);
  }
  c.w.array(2);
  c.w.bulkString(String(next));
  c.w.array(out.length);
  for (const k of out) c.w.bulk(k);
}

/** COUNT's value (Redis reads a long: any int64), clamped to the safe range; null if invalid. */
function parseCount(arg: Buffer): number | null {
  const v = parseI64(arg);
  if (v === null) return null;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

// ---------------------------------------------------------------------------------------
// RANDOMKEY

/**
 * RANDOMKEY: a uniformly chosen live key, or nil. An expired key drawn is reclaimed and the
 * draw repeated. When expired keys cannot be deleted (deleteOnExpire off, e.g. on a replica)
 * the draw gives up after 100 expired hits and returns the key anyway, as Redis does.
 */
function randomkeyCommand(c: Client): void {
  const db = c.db;
  const now = c.srv.now;
  const rng = c.srv.rng;
  const rand = (): number => rng.next();
  for (let tries = 0; ; tries++) {
    const e = db.randomEntry(rand);
    if (e === NONE) return void c.w.nil();
    if (!db.isExpired(e, now) || (!db.deleteOnExpire && tries >= 100)) {
      c.w.bulk(db.key(e));
      return;
    }
    if (db.deleteOnExpire) db.expireNow(e);
  }
}

export const iterHandlers: Record<string, Handler> = {
  keys: keysCommand,
  scan: scanCommand,
  randomkey: randomkeyCommand,
};
