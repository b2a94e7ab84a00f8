// The signals every write raises, as Redis's handlers raise them, in one place:
//
//   signalModifiedKey(c, db, key)           after any change to key's value (or its deletion):
//                                            breaks WATCH, invalidates client-tracking caches
//   notifyKeyspaceEvent(c, cls, ev, key, db) keyspace notifications (notify-keyspace-events)
//   signalKeyAsReady(c, db, key, type)       a list or sorted set got elements: clients blocked
//                                            on key (BLPOP, BZPOPMIN, ...) may be served
//   signalFlushedDb(c, dbs)                  before FLUSHDB / FLUSHALL empties dbs
//   signalSwappedDb(c, a, b)                 around SWAPDB (before: WATCH; after: blocked clients)
//
// Handlers call them exactly where Redis's t_*.c files do (after the change, with Redis's event
// names), so each consumer — transactions, pub/sub, tracking, blocking — attaches here without
// touching the handlers.

import type { Database } from './keyspace/database.js';
import { Client } from './network/client.js';
import type { Server } from './server.js';

/** Keyspace-event classes (Redis NOTIFY_*), the letters of notify-keyspace-events. */
export const NOTIFY = {
  /** K */ keyspace: 1 << 0,
  /** E */ keyevent: 1 << 1,
  /** g */ generic: 1 << 2,
  /** $ */ string: 1 << 3,
  /** l */ list: 1 << 4,
  /** s */ set: 1 << 5,
  /** h */ hash: 1 << 6,
  /** z */ zset: 1 << 7,
  /** x */ expired: 1 << 8,
  /** e */ evicted: 1 << 9,
  /** t */ stream: 1 << 10,
  /** m */ keyMiss: 1 << 11,
  /** d */ module: 1 << 13,
  /** n */ newKey: 1 << 14,
} as const;

/** Anything carrying the server: a client, or the server itself for cron-driven changes. */
interface HasServer {
  readonly srv: Server;
}

/** key (in db) was modified or deleted: breaks WATCH, invalidates client-side caches. */
export function signalModifiedKey(from: HasServer, db: Database, key: Uint8Array): void {
  const srv = from.srv;
  srv.watches.touch(db, key);
  if (srv.tracking.active) srv.tracking.invalidateKey(key, from instanceof Client ? from : null, true);
}

/**
 * Raises keyspace event `event` of class cls (a NOTIFY flag) for key in database dbid: published
 * on __keyspace@<dbid>__:<key> and/or __keyevent@<dbid>__:<event> as notify-keyspace-events
 * asks. With the class disabled this is one integer test.
 */
export function notifyKeyspaceEvent(from: HasServer, cls: number, event: string, key: Uint8Array, dbid: number): void {
  const n = from.srv.notifier;
  if ((n.flags & cls) === 0) return;
  n.notify(event, key, dbid);
}

/** key (in db) now holds elements that clients blocked on it may take; type is its VType. */
export function signalKeyAsReady(from: HasServer, db: Database, key: Uint8Array, _type: number): void {
  from.srv.blocking.signalReady(db, key);
}

/** dbs are about to be emptied: FLUSHDB (its database) or FLUSHALL (every database), once. */
export function signalFlushedDb(from: HasServer, dbs: readonly Database[]): void {
  const srv = from.srv;
  for (const db of dbs) srv.watches.touchAllInDb(db, null, srv.now);
  srv.tracking.invalidateAll();
}

/**
 * SWAPDB of a and b: call with `before` true just before the swap (watched keys whose content
 * changes are touched) and false just after (clients blocked on keys that now hold data are
 * served).
 */
export function signalSwappedDb(from: HasServer, a: Database, b: Database, before: boolean): void {
  if (before) {
    from.srv.watches.touchAllInDb(a, b, from.srv.now);
    from.srv.watches.touchAllInDb(b, a, from.srv.now);
  } else {
    from.srv.blocking.signalDbReady(a);
    from.srv.blocking.signalDbReady(b);
  }
}
