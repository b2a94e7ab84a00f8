// Typed key lookups shared by the aggregate-type handlers (hashes, lists, sets, sorted sets):
// the one place that turns "the key holds another type" into WRONGTYPE.

import { Err } from '../../lib/errors.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { signalKeyAsReady, signalModifiedKey } from '../signals.js';

/** Result of a typed lookup after a WRONGTYPE reply was sent. */
export const WRONG_TYPE = -2;

/**
 * Read lookup (keyspace hit/miss accounting, access clock) of a key that must hold `type`
 * (a VType). Returns the entry, NONE when missing, or WRONG_TYPE after replying WRONGTYPE.
 */
export function lookupReadOfType(c: Client, key: Uint8Array, type: number): number {
  const e = c.srv.keyspace.lookupRead(c.db, key, c.srv.now, c.noTouch);
  if (e !== NONE && c.db.type(e) !== type) {
    c.w.error(Err.wrongType);
    return WRONG_TYPE;
  }
  return e;
}

/** Write lookup (no hit/miss accounting) with the same result convention. */
export function lookupWriteOfType(c: Client, key: Uint8Array, type: number): number {
  const e = c.srv.keyspace.lookupWrite(c.db, key, c.srv.now, c.noTouch);
  if (e !== NONE && c.db.type(e) !== type) {
    c.w.error(Err.wrongType);
    return WRONG_TYPE;
  }
  return e;
}

/** Adds key to the client's database holding aggregate obj of `type`; returns the entry. */
export function addAggregate(c: Client, key: Uint8Array, type: number, obj: unknown): number {
  return c.db.addObject(key, type, obj, c.srv.keyspace.initialLru(c.srv.now));
}

/** The aggregate object of entry e (the caller knows its type from the lookup). */
export function aggregateOf<T>(c: Client, e: number): T {
  return c.db.store.object(e) as T;
}

/**
 * Makes key hold aggregate obj of `type` whatever it held before (Redis setKey for a computed
 * result: the *STORE commands, SORT ... STORE). An existing key keeps its handle and, under an
 * LFU policy, its access counter (dbOverwrite), and loses its TTL; a missing key is added
 * (dbAdd: clients blocked on it may be served, and it is a "new" key). Either way it ends with
 * the default TTL if one is configured (analytics/default-ttl.ts). Raises the modified-key
 * signal; the caller raises its keyspace event and counts the change.
 */
export function setAggregate(c: Client, key: Uint8Array, type: number, obj: unknown): void {
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const db = c.db;
  const e = ks.lookupWrite(db, key, now, c.noTouch);
  if (e === NONE) {
    addAggregate(c, key, type, obj);
    signalKeyAsReady(c, db, key, type);
  } else {
    const store = ks.store;
    if (ks.accessPolicy !== 'lfu') store.setClock(e, ks.initialLru(now));
    store.setObject(e, type, obj);
    store.bump(e);
    const at = db.defaultExpiry === null ? NO_EXPIRY : db.defaultExpiry(key);
    if (db.expireAt(e) !== at) db.setExpire(e, at);
  }
  signalModifiedKey(c, db, key);
}
