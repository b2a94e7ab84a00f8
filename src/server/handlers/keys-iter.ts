// Keyspace iteration: KEYS, SCAN and RANDOMKEY.
//
// SCAN's cursor is a hash slot index (Database.scan): each call returns whole slots, so every
// key present for the whole iteration is returned at least once, whatever happens between
// calls. The cursor the client sees is that slot number in decimal; cursors past the last
// slot simply end the iteration (Redis accepts any unsigned long cursor too).

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { Err } from '../../lib/errors.js';
import { compileGlob } from '../../lib/glob.js';
import { parseI64 } from '../../lib/numbers.js';
import { SLOT_COUNT } from '../../protocol/slot.js';
import { TYPE_NAMES, isExpired } from '../keyspace/entry.js';
import { isKeyword, keyBytes, keyOf } from './util.js';


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
  const out: string[] = [];
  for (const [key, e] of c.db.entries()) {
    if (match !== null && !match(keyBytes(key))) continue;
    if (isExpired(e, now)) continue;
    out.push(key);
  }
  c.w.array(out.length);
  for (const k of out) c.w.bulkLatin1(k);
}

// ---------------------------------------------------------------------------------------
// SCAN

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

  const found: string[] = [];
  const next = cursor >= BigInt(SLOT_COUNT) ? 0 : c.db.scan(Number(cursor), count, (k) => found.push(k));
  const match = pattern === null || isMatchAll(pattern) ? null : compileGlob(pattern);
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const out: string[] = [];
  for (const key of found) {
    if (match !== null && !match(keyBytes(key))) continue;
    if (type !== null) {
      const e = ks.lookupRead(c.db, key, now, true);
      if ((e === undefined ? 'none' : TYPE_NAMES[e.type]) !== type) continue;
    }
    // Reclaims the key if its TTL passed (lookup deletes it). A key already deleted by the
    // TYPE lookup above is not found here and so is kept, as in Redis.
    const e = c.db.peek(key);
    if (e !== undefined && c.db.lookup(key, now) === undefined) continue;
    out.push(key);
  }
  c.w.array(2);
  c.w.bulkString(String(next));
  c.w.array(out.length);
  for (const k of out) c.w.bulkLatin1(k);
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
  for (let tries = 0; ; tries++) {
    const key = db.randomKey(c.srv.rng.next());
    if (key === undefined) return void c.w.nil();
    if (db.lookup(key, now) !== undefined || (!db.deleteOnExpire && tries >= 100)) {
      c.w.bulkLatin1(key);
      return;
    }
  }
}

export const iterHandlers: Record<string, Handler> = {
  keys: keysCommand,
  scan: scanCommand,
  randomkey: randomkeyCommand,
};
