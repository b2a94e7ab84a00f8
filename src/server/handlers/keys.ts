// Generic keyspace commands (Redis's "generic" group): existence, deletion, type, renaming.
//
// The other generic commands live next door and are merged into keysHandlers here:
//   keys-expire.ts  EXPIRE family, TTL family, PERSIST
//   keys-iter.ts    KEYS, SCAN, RANDOMKEY
//   keys-db.ts      COPY, MOVE, SWAPDB, FLUSHDB, FLUSHALL, DBSIZE
//   keys-object.ts  OBJECT subcommands
//   keys-sort.ts    SORT, SORT_RO
//
// Lookups follow Redis 7.0's choice per command, because it decides the keyspace_hits /
// keyspace_misses statistics and whether the access clock moves: EXISTS, TYPE and OBJECT
// read without touching; TOUCH reads and touches; DEL and RENAME go through write lookups
// (lazy expiry and access clock, no statistics).

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalKeyAsReady, signalModifiedKey } from '../signals.js';
import { Err } from '../../lib/errors.js';
import { NONE } from '../keyspace/database.js';
import { TYPE_NAMES } from '../keyspace/entry.js';
import { expireHandlers } from './keys-expire.js';
import { iterHandlers } from './keys-iter.js';
import { dbHandlers } from './keys-db.js';
import { objectHandlers } from './keys-object.js';
import { sortHandlers } from './keys-sort.js';

/** DEL / UNLINK: both free synchronously here (no lazy-free thread); the count is what matters. */
function delGenericCommand(c: Client, argv: Buffer[]): void {
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    // An expired key is reclaimed as expired (expired_keys) and does not count as deleted.
    const e = ks.lookupWrite(c.db, argv[i], now, true);
    if (e === NONE) continue;
    c.db.delete(e);
    signalModifiedKey(c, c.db, argv[i]);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', argv[i], c.db.id);
    deleted++;
  }
  c.srv.dirty += deleted;
  c.w.integer(deleted);
}

function existsCommand(c: Client, argv: Buffer[]): void {
  const ks = c.srv.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ks.lookupRead(c.db, argv[i], c.srv.now, true) !== NONE) n++;
  }
  c.w.integer(n);
}

function typeCommand(c: Client, argv: Buffer[]): void {
  const e = c.srv.keyspace.lookupRead(c.db, argv[1], c.srv.now, true);
  c.w.simple(e === NONE ? 'none' : TYPE_NAMES[c.db.type(e)]);
}

/** TOUCH updates the access clock of each existing key; replies how many exist. */
function touchCommand(c: Client, argv: Buffer[]): void {
  const ks = c.srv.keyspace;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ks.lookupRead(c.db, argv[i], c.srv.now, false) !== NONE) n++;
  }
  c.w.integer(n);
}

/**
 * RENAME / RENAMENX. The value object moves as is, keeping its TTL and access clock. A missing
 * source is an error even when source and destination are the same key; an existing one
 * renamed onto itself is a no-op success.
 */
function renameGenericCommand(c: Client, argv: Buffer[], nx: boolean): void {
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const src = argv[1];
  const dst = argv[2];
  const e = ks.lookupWrite(c.db, src, now, c.noTouch);
  if (e === NONE) {
    c.w.error(Err.noSuchKey);
    return;
  }
  if (src.equals(dst)) {
    if (nx) c.w.integer(0);
    else c.w.ok();
    return;
  }
  const old = ks.lookupWrite(c.db, dst, now, true);
  if (old !== NONE) {
    if (nx) {
      c.w.integer(0);
      return;
    }
    c.db.delete(old);
  }
  c.db.rename(e, dst);
  c.srv.keyspace.store.bump(e);
  signalKeyAsReady(c, c.db, dst, c.db.type(e));
  signalModifiedKey(c, c.db, src);
  signalModifiedKey(c, c.db, dst);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'rename_from', src, c.db.id);
  notifyKeyspaceEvent(c, NOTIFY.generic, 'rename_to', dst, c.db.id);
  c.srv.dirty++;
  if (nx) c.w.integer(1);
  else c.w.ok();
}

export const keysHandlers: Record<string, Handler> = {
  del: delGenericCommand,
  unlink: delGenericCommand,
  exists: existsCommand,
  type: typeCommand,
  touch: touchCommand,
  rename: (c, argv) => renameGenericCommand(c, argv, false),
  renamenx: (c, argv) => renameGenericCommand(c, argv, true),
  ...expireHandlers,
  ...iterHandlers,
  ...dbHandlers,
  ...objectHandlers,
  ...sortHandlers,
};
