// Test access to a node's keyspace internals: a snapshot of one key's fields, and a way to
// plant values of types that have no commands yet (hashes for WRONGTYPE tests).
import { NONE, type Database } from '../../src/server/keyspace/database.js';
import { VType, stringEncoding } from '../../src/server/keyspace/entry.js';
import { stringMeta } from '../../src/server/keyspace/store.js';
import { NO_EXPIRY } from '../../src/server/keyspace/entry.js';

/** A key's fields as the keyspace holds them, copied out at the time of the call. */
export interface EntrySnapshot {
  type: number;
  /** String: a copy of the bytes; aggregate: the object itself. */
  value: unknown;
  enc: number;
  expireAt: number;
  /** The access clock (LRU seconds or LFU word). */
  lru: number;
}

/** The fields of key (latin1) in db, with no expiry check and no touch; undefined if absent. */
export function peekEntry(db: Database, key: string): EntrySnapshot | undefined {
  const e = db.find(Buffer.from(key, 'latin1'));
  if (e === NONE) return undefined;
  const type = db.type(e);
  return {
    type,
    value: type === VType.String ? Buffer.from(db.value(e)) : db.store.object(e),
    enc: db.enc(e),
    expireAt: db.expireAt(e),
    lru: db.store.clock(e),
  };
}

/** OBJECT ENCODING of a snapshot of a string key. */
export function encodingOf(s: EntrySnapshot | undefined): string {
  if (s === undefined || !Buffer.isBuffer(s.value)) throw new Error('not a string entry');
  return stringEncoding(s.enc, s.value);
}

/** Stores key (latin1) in db with the given type and value (Buffer for strings), replacing it. */
export function putEntry(db: Database, key: string, type: number, value: unknown, lru = 0): void {
  const k = Buffer.from(key, 'latin1');
  const old = db.find(k);
  if (old !== NONE) db.delete(old);
  if (type === VType.String) db.addString(k, value as Buffer, stringMeta(0, lru), NO_EXPIRY);
  else db.addObject(k, type, value, lru);
}
