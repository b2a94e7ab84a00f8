// Shared plumbing of the string handlers (strings*.ts): typed reads and the one way a string
// value is stored.

import { Err } from '../../lib/errors.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import { stringMeta } from '../keyspace/store.js';
import type { Client } from '../network/client.js';
import { signalModifiedKey } from '../signals.js';

/** Shared empty value (never mutated: nothing writes into a zero-length buffer). */
export const EMPTY = Buffer.alloc(0);

/** Result of readString / writeString after a WRONGTYPE reply was sent. */
export const WRONG = -2;

/**
 * Read lookup of a key that must hold a string: counts a keyspace hit or miss and touches the
 * access clock. Returns the entry, NONE when the key is missing, or WRONG after replying
 * WRONGTYPE.
 */
export function readString(c: Client, key: Uint8Array): number {
  const e = c.srv.keyspace.lookupRead(c.db, key, c.srv.now, c.noTouch);
  if (e !== NONE && c.db.type(e) !== VType.String) {
    c.w.error(Err.wrongType);
    return WRONG;
  }
  return e;
}

/** Write lookup (no hit/miss accounting) with the same result convention as readString. */
export function writeString(c: Client, key: Uint8Array): number {
  const e = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  if (e !== NONE && c.db.type(e) !== VType.String) {
    c.w.error(Err.wrongType);
    return WRONG;
  }
  return e;
}

export interface StoreOptions {
  /** Absolute expiry (ms); NO_EXPIRY (default) clears any TTL the old value had. */
  expireAt?: number;
  /** Keep the TTL of the value being replaced (SET KEEPTTL); overrides expireAt. */
  keepTtl?: boolean;
  /** Encoding hint; default StrEnc.Auto. */
  enc?: StrEnc;
}

/**
 * Stores the bytes of `value` (copied into the keyspace; any buffer, argv views included) as
 * the string under key, replacing whatever was there, as Redis's setKey does, and returns the
 * entry.
 *
 * `lookedUp` saves a lookup when the caller just did one in c.db: the live entry, or NONE if
 * the key is absent; leave it undefined otherwise. An existing entry keeps its handle and is
 * rewritten (in place when the new bytes fit its record); an absent key is added with a single
 * index operation. Under an LFU policy the replaced key's access counter carries over
 * (dbOverwrite); otherwise the access clock restarts. Signals the modification (WATCH,
 * tracking); the caller bumps srv.dirty and raises the keyspace event.
 */
export function storeString(
  c: Client,
  key: Uint8Array,
  value: Uint8Array,
  opts: StoreOptions = {},
  lookedUp?: number,
): number {
  const ks = c.srv.keyspace;
  const db = c.db;
  const store = ks.store;
  const now = c.srv.now;
  const existing = lookedUp === undefined ? db.lookup(key, now) : lookedUp;
  const enc = opts.enc ?? StrEnc.Auto;
  signalModifiedKey(c, db, key);
  if (existing === NONE) return db.addString(key, value, stringMeta(enc, ks.initialLru(now)), opts.expireAt ?? NO_EXPIRY);
  const cur = db.expireAt(existing);
  let at = opts.keepTtl === true ? cur : opts.expireAt ?? NO_EXPIRY;
  // A value replaced without a TTL gets the default TTL, if one is configured (default-ttl.ts).
  if (at === NO_EXPIRY && opts.keepTtl !== true && db.defaultExpiry !== null) at = db.defaultExpiry(key);
  store.restring(existing, enc, ks.accessPolicy === 'lfu' ? -1 : ks.initialLru(now));
  store.writeValue(existing, value);
  if (at !== cur) db.setExpire(existing, at);
  return existing;
}
