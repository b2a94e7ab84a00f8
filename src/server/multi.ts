// Transactions: MULTI / EXEC / DISCARD and optimistic locking with WATCH / UNWATCH, as Redis
// 7.0's multi.c.
//
// Queueing happens in the dispatch gate: a client in MULTI gets +QUEUED for every command
// except EXEC, DISCARD, MULTI, WATCH, QUIT and RESET, which run at once. A command the gate
// rejects while queueing (unknown, wrong arity, not allowed in MULTI, NOAUTH) flags the
// transaction, and EXEC then answers EXECABORT.
//
// WATCH: every modification of a key raises signalModifiedKey (src/server/signals.ts), which
// lands in WatchRegistry.touch and marks each client watching it "dirty" (Redis's
// CLIENT_DIRTY_CAS); EXEC of a dirty client answers a null array and runs nothing. Keys
// deleted by expiry are touched the same way (the keyspace's expired hook). A key that was
// already logically expired when WATCHed is remembered as such: its eventual deletion is no
// logical change and does not make the client dirty, but EXEC fails if a watched key that was
// live at WATCH time has expired since (Redis's isWatchedKeyExpired). FLUSHDB / FLUSHALL /
// SWAPDB touch the watched keys that exist in the databases they empty or replace.

import type { Command } from './command-table.js';
import { F } from './command-table.js';
import { NONE, dbKeyId, type Database } from './keyspace/database.js';
import type { Client } from './network/client.js';

/** A command queued between MULTI and EXEC (arguments copied out of the read buffer). */
export interface QueuedCommand {
  readonly cmd: Command;
  readonly argv: Buffer[];
}

/** A client's MULTI state. */
export class MultiState {
  readonly queue: QueuedCommand[] = [];
  /** A command was rejected while queueing: EXEC answers EXECABORT. */
  aborted = false;
  /** Union of the queued commands' flags (EXEC counts as a write for CLIENT PAUSE WRITE if any). */
  flags = 0;
}

/** One (client, db, key) watch. */
interface WatchedKey {
  readonly client: Client;
  readonly db: Database;
  readonly key: Buffer;
  readonly id: string;
  /** The key was logically expired (but not yet deleted) when it was watched. */
  expired: boolean;
}

/** Every WATCH of every client, by (db, key). */
export class WatchRegistry {
  readonly #byKey = new Map<string, WatchedKey[]>();
  readonly #byClient = new Map<Client, WatchedKey[]>();
  /** Clients whose watched keys changed (Redis's CLIENT_DIRTY_CAS). */
  readonly #dirty = new Set<Client>();

  /** Number of keys watched by any client (INFO watching_clients / watched_keys would use it). */
  get size(): number {
    return this.#byKey.size;
  }

  isDirty(c: Client): boolean {
    return this.#dirty.has(c);
  }

  watch(c: Client, key: Buffer, now: number): void {
    const id = dbKeyId(c.db, key);
    let mine = this.#byClient.get(c);
    if (mine?.some((w) => w.id === id)) return;
    const db = c.db;
    const e = db.find(key);
    const wk: WatchedKey = { client: c, db, key: Buffer.from(key), id, expired: e !== NONE && db.isExpired(e, now) };
    if (mine === undefined) this.#byClient.set(c, (mine = []));
    mine.push(wk);
    let list = this.#byKey.get(id);
    if (list === undefined) this.#byKey.set(id, (list = []));
    list.push(wk);
  }

  /** UNWATCH: forgets c's watches and its dirty mark. */
  unwatch(c: Client): void {
    this.#unwatchAll(c);
    this.#dirty.delete(c);
  }

  #unwatchAll(c: Client): void {
    const mine = this.#byClient.get(c);
    if (mine === undefined) return;
    this.#byClient.delete(c);
    for (const wk of mine) {
      const list = this.#byKey.get(wk.id);
      if (list === undefined) continue;
      const i = list.indexOf(wk);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#byKey.delete(wk.id);
    }
  }

  /** True if a key c watched while it was live has expired since (EXEC then fails). */
  watchedKeyExpired(c: Client, now: number): boolean {
    const mine = this.#byClient.get(c);
    if (mine === undefined) return false;
    for (const wk of mine) {
      if (wk.expired) continue;
      const e = wk.db.find(wk.key);
      if (e !== NONE && wk.db.isExpired(e, now)) return true;
    }
    return false;
  }

  /**
   * key in db was modified or deleted: every client watching it becomes dirty. `deleting`
   * says the key is being deleted right now (expiry reports it just before removing it).
   */
  touch(db: Database, key: Uint8Array, deleting = false): void {
    if (this.#byKey.size === 0) return;
    const list = this.#byKey.get(dbKeyId(db, key));
    if (list === undefined) return;
    for (const wk of list.slice()) {
      if (wk.expired && (deleting || db.find(wk.key) === NONE)) {
        // Watched while already expired, now deleted: logically no change.
        wk.expired = false;
        continue;
      }
      this.#markDirty(wk.client);
    }
  }

  /**
   * FLUSHDB / FLUSHALL (replacedWith null) or SWAPDB (the database whose content replaces
   * emptied's): touches every key watched in `emptied` that exists there or in replacedWith,
   * with Redis's rules for keys watched while already expired. Call before the change.
   */
  touchAllInDb(emptied: Database, replacedWith: Database | null, now: number): void {
    if (this.#byKey.size === 0) return;
    for (const list of [...this.#byKey.values()]) {
      for (const wk of list.slice()) {
        if (wk.db !== emptied) continue;
        const inEmptied = emptied.find(wk.key) !== NONE;
        const other = replacedWith === null ? NONE : replacedWith.find(wk.key);
        if (!inEmptied && other === NONE) continue;
        const otherExpired = other !== NONE && (replacedWith as Database).isExpired(other, now);
        if (wk.expired) {
          if (other === NONE) {
            wk.expired = false;
            continue;
          }
          if (otherExpired) continue;
        } else if (!inEmptied && otherExpired) {
          wk.expired = true;
          continue;
        }
        this.#markDirty(wk.client);
      }
    }
  }

  #markDirty(c: Client): void {
    this.#dirty.add(c);
    // Nothing more can change its outcome: stop watching (Redis unwatches at once too).
    this.#unwatchAll(c);
  }

  /** Forgets a disconnected client. */
  forget(c: Client): void {
    this.unwatch(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Gate integration

/** Commands that run at once inside MULTI instead of being queued. */
const IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** True when cmd, sent by a client in MULTI, must be queued rather than run. */
export function queuesInMulti(cmd: Command): boolean {
  return !IMMEDIATE.has(cmd.name);
}

/** Queues cmd (copying argv) and replies +QUEUED. */
export function queueCommand(c: Client, cmd: Command, argv: Buffer[]): void {
  const m = c.multi as MultiState;
  // Once aborted or dirty, nothing queued will run: don't keep it.
  if (!m.aborted && !c.srv.watches.isDirty(c)) {
    m.queue.push({ cmd, argv: argv.map((a) => Buffer.from(a)) });
    m.flags |= cmd.flags;
  }
  c.w.simple('QUEUED');
}

/** A command rejected by the gate while in MULTI makes EXEC fail (Redis flagTransaction). */
export function flagTransaction(c: Client): void {
  if (c.multi !== null) c.multi.aborted = true;
}

/** Leaves MULTI and drops every watch (DISCARD, EXEC, RESET). */
export function discardTransaction(c: Client): void {
  c.multi = null;
  c.srv.watches.unwatch(c);
}

/** Flags EXEC carries for CLIENT PAUSE purposes: those of its queued commands. */
export function execFlags(c: Client): number {
  return c.multi === null ? 0 : c.multi.flags & (F.write | F.mayReplicate);
}
