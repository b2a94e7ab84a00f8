// Shared plumbing of the string handlers (strings*.ts): typed reads, the one way a string
// value is stored, and the error texts that are not yet in the shared catalog.

import { Err } from '../../lib/errors.js';
import { Entry, NO_EXPIRY, StrEnc, VType } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';

/**
 * Error texts defined locally (to be moved to src/lib/errors.ts). Worded exactly as Redis 7.0.
 */
export const E = {
  decrOverflow: 'ERR decrement would overflow',
  lcsWrongType: 'ERR The specified keys must contain string values',
  lcsIdxAndLen: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsOverLimit: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  lcsAllocFailed: 'ERR Insufficient memory, failed allocating transient memory for LCS',
} as const;

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
 * replacing whatever was there, as Redis's setKey does. Under an LFU policy the replaced
 * key's access counter carries over (dbOverwrite). Returns the new entry. The caller bumps
 * srv.dirty. `existing`, when given, must be the live entry just looked up for key in c.db.
 */
export function storeString(c: Client, key: string, value: Buffer, opts: StoreOptions = {}, existing?: Entry): Entry {
  const ks = c.srv.keyspace;
  if (existing !== undefined && existing.type === VType.String) {
    // Overwrite in place (the caller just looked `existing` up in c.db): saves a new entry
    // and a second index update on the hottest write path.
    existing.value = value;
    existing.enc = opts.enc ?? StrEnc.Auto;
    if (ks.accessPolicy !== 'lfu') existing.lru = ks.initialLru(c.srv.now);
    const at = opts.keepTtl === true ? existing.expireAt : opts.expireAt ?? NO_EXPIRY;
    if (at !== existing.expireAt) c.db.setExpire(key, existing, at);
    return existing;
  }
  const e = new Entry(VType.String, value, ks.initialLru(c.srv.now));
  e.enc = opts.enc ?? StrEnc.Auto;
  e.expireAt = opts.expireAt ?? NO_EXPIRY;
  const old = c.db.set(key, e);
  if (old !== undefined) {
    if (ks.accessPolicy === 'lfu') e.lru = old.lru;
    if (opts.keepTtl === true && old.expireAt !== NO_EXPIRY) c.db.setExpire(key, e, old.expireAt);
  }
  return e;
}
