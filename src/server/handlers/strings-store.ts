// Shared plumbing of the string handlers (strings*.ts): typed reads, the one way a string
// value is stored, and the error texts that are not yet in the shared catalog.

import { Err } from '../../lib/errors.js';
import { Entry, NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';

/** Shared empty value (never mutated: nothing writes into a zero-length buffer). */
export const EMPTY = Buffer.alloc(0);

/**
 * Read lookup of a key that must hold a string: counts a keyspace hit or miss and touches the
 * access clock. Returns the entry, undefined when the key is missing, or null after replying
 * WRONGTYPE.
 */
export function readString(c: Client, key: string): Entry | undefined | null {
  const e = c.srv.keyspace.lookupRead(c.db, key, c.srv.now, c.noTouch);
  if (e !== undefined && e.type !== VType.String) {
    c.w.error(Err.wrongType);
    return null;
  }
  return e;
}

/** Write lookup (no hit/miss accounting) with the same result convention as readString. */
export function writeString(c: Client, key: string): Entry | undefined | null {
  const e = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  if (e !== undefined && e.type !== VType.String) {
    c.w.error(Err.wrongType);
    return null;
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
 * Stores `value` (a Buffer the caller owns: never an argv view) as the string under key,
 * replacing whatever was there, as Redis's setKey does, and returns the entry.
 *
 * `lookedUp` saves a lookup when the caller just did one in c.db: the live entry, or null if
 * the key is absent; leave it undefined otherwise. A live string entry is overwritten in place
 * (no new entry, no second index update: the hottest write path); another type is replaced;
 * an absent key is added with a single index operation. Under an LFU policy the replaced
 * key's access counter carries over (dbOverwrite). The caller bumps srv.dirty.
 */
export function storeString(
  c: Client,
  key: string,
  value: Buffer,
  opts: StoreOptions = {},
  lookedUp?: Entry | null,
): Entry {
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const existing = lookedUp === undefined ? c.db.lookup(key, now) ?? null : lookedUp;
  if (existing !== null && existing.type === VType.String) {
    existing.value = value;
    existing.enc = opts.enc ?? StrEnc.Auto;
    if (ks.accessPolicy !== 'lfu') existing.lru = ks.initialLru(now);
    const at = opts.keepTtl === true ? existing.expireAt : opts.expireAt ?? NO_EXPIRY;
    if (at !== existing.expireAt) c.db.setExpire(key, existing, at);
    return existing;
  }
  const e = new Entry(VType.String, value, ks.initialLru(now));
  e.enc = opts.enc ?? StrEnc.Auto;
  e.expireAt = opts.expireAt ?? NO_EXPIRY;
  if (existing === null) {
    c.db.add(key, e);
    return e;
  }
  c.db.set(key, e);
  if (ks.accessPolicy === 'lfu') e.lru = existing.lru;
  if (opts.keepTtl === true && existing.expireAt !== NO_EXPIRY) c.db.setExpire(key, e, existing.expireAt);
  return e;
}
