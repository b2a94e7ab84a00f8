// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
//
// A blocking handler first tries to serve at once. When none of its keys has data it calls
// blockForKeys(c, keys, deadline, timeoutReply) and returns without replying. The client stops
// processing input (like a paused client) until:
//  - a key it waits on is signalled ready (signalKeyAsReady, after a push) — then, after the
//    command that pushed has finished (or the whole MULTI/EXEC), the blocked clients of that key
//    are re-run in the order they blocked (first blocked, first served): the handler runs again
//    with the same argv; if it serves, the client is unblocked; if it finds nothing again and
//    calls blockForKeys again, the client stays blocked in its place with its original deadline;
//  - the deadline passes: the client gets timeoutReply (a null array or a nil bulk);
//  - CLIENT UNBLOCK id [TIMEOUT|ERROR] releases it with the timeout reply or
//    `-UNBLOCKED client unblocked via CLIENT UNBLOCK`;
//  - it disconnects (it is forgotten).
// A blocking command run inside MULTI/EXEC (or when blocking is otherwise not allowed) that
// finds no data replies timeoutReply at once: blockForKeys does that itself.

import { Err } from '../lib/errors.js';
import { parseLongDouble } from '../lib/numbers.js';
import type { Command } from './command-table.js';
import { NONE, dbKeyId, dbKeyOf, type Database } from './keyspace/database.js';
import type { Client } from './network/client.js';
import type { Server } from './server.js';

/** What a timed-out (or UNBLOCK TIMEOUT) blocked command replies. */
export type TimeoutReply = 'nilArray' | 'nil';

/**
 * Parses a blocking command's timeout argument (seconds, a float since Redis 6.0) into an
 * absolute deadline in ms, 0 meaning "block forever", as Redis 7.0's getTimeoutFromObjectOrReply:
 * the seconds (a long double; "inf" accepted) times 1000, truncated to a C long long. A
 * product beyond the long long range converts to LLONG_MIN on x86-64, so huge values and
 * infinities are "timeout is negative" there, and so here. Less than a millisecond truncates
 * to 0: block forever. A deadline past the safe-integer range is clamped (never reached).
 */
export function parseBlockTimeout(c: Client, arg: Buffer): number | null {
  const secs = parseLongDouble(arg);
  if (secs === null) {
    c.w.error(Err.timeoutNotFloat);
    return null;
  }
  const product = secs * 1000;
  const ms = Number.isFinite(product) && Math.abs(product) < 2 ** 63 ? Math.trunc(product) : -1;
  if (ms < 0) {
    c.w.error(Err.timeoutNegative);
    return null;
  }
  if (ms === 0) return 0;
  return Math.min(c.srv.now + ms, Number.MAX_SAFE_INTEGER);
}

/**
 * Blocks c on keys (views are copied) until one is ready, the deadline (absolute ms, 0 =
 * forever) passes, or it is unblocked. See the file header for the protocol. Does not reply,
 * except in contexts that cannot block (MULTI/EXEC), where it replies timeoutReply at once.
 */
export function blockForKeys(c: Client, keys: readonly Buffer[], deadline: number, timeoutReply: TimeoutReply): void {
  c.srv.blocking.block(c, keys, deadline, timeoutReply);
}

/** What a blocked client waits for. */
export interface BlockedOn {
  readonly db: Database;
  /** Map keys (see dbKeyId) of the keys waited on, in argument order. */
  readonly ids: readonly string[];
  /** Absolute deadline in ms (0: none). */
  readonly deadline: number;
  readonly timeoutReply: TimeoutReply;
  /** The blocked command and its arguments (copied: they outlive the read buffer). */
  readonly cmd: Command;
  readonly argv: Buffer[];
  timer: NodeJS.Timeout | null;
  /** When it blocked (ms), for INFO and CLIENT LIST. */
  readonly since: number;
}

/**
 * The keys a blocking command may take from now: all of `keys` when it runs, only the key that
 * became ready when a blocked client is re-run (Redis 7.0 serves a blocked client from the
 * ready key, in the order keys were signalled, not from its first non-empty key).
 */
export function keysToServe(c: Client, keys: Buffer[]): Buffer[] {
  return c.servingKey === null ? keys : [c.servingKey];
}

/**
 * The node's blocked clients, by database and key, and the keys signalled ready since the
 * last time blocked clients were served.
 */
export class BlockingState {
  readonly #srv: Server;
  /** Blocked clients per key, in the order they blocked. */
  readonly #waiting = new Map<string, Client[]>();
  /** Keys that got elements while clients wait on them (served after the current command). */
  #ready = new Set<string>();
  /** The client whose blocked command is being re-run (its blockForKeys keeps it blocked). */
  #rerunning: Client | null = null;
  #rerunBlockedAgain = false;
  /** Clients blocked now (INFO blocked_clients). */
  blockedClients = 0;

  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** True when some key was signalled ready and blocked clients should be served. */
  get hasReady(): boolean {
    return this.#ready.size > 0;
  }

  block(c: Client, keys: readonly Buffer[], deadline: number, timeoutReply: TimeoutReply): void {
    if (this.#rerunning === c) {
      // Re-run found nothing after all: stay blocked where it was.
      this.#rerunBlockedAgain = true;
      return;
    }
    if (c.inExec) {
      // MULTI/EXEC cannot block: behave as if the timeout expired at once.
      replyTimeout(c, timeoutReply);
      return;
    }
    const cmd = c.currentCommand;
    if (cmd === null) throw new Error('blockForKeys outside a command');
    const ids: string[] = [];
    for (const k of keys) {
      const id = dbKeyId(c.db, k);
      if (ids.includes(id)) continue;
      ids.push(id);
      let list = this.#waiting.get(id);
      if (list === undefined) this.#waiting.set(id, (list = []));
      list.push(c);
    }
    const argv = c.currentArgv.map((a) => Buffer.from(a));
    const info: BlockedOn = { db: c.db, ids, deadline, timeoutReply, cmd, argv, timer: null, since: this.#srv.now };
    c.blocked = info;
    c.suspended = true;
    this.blockedClients++;
    if (deadline !== 0) this.#arm(c, info);
  }

  /** Records that key got elements; its blocked clients are served after the current command. */
  signalReady(db: Database, key: Uint8Array): void {
    if (this.#waiting.size === 0) return;
    const id = dbKeyId(db, key);
    if (this.#waiting.has(id)) this.#ready.add(id);
  }

  /** Marks every waited-on key of db that exists as ready (after SWAPDB). */
  signalDbReady(db: Database): void {
    if (this.#waiting.size === 0) return;
    const prefix = db.id + ':';
    for (const id of this.#waiting.keys()) {
      if (id.startsWith(prefix) && db.find(dbKeyOf(id)) !== NONE) this.#ready.add(id);
    }
  }

  /**
   * Serves the clients blocked on the keys signalled ready, first blocked first served, until
   * no ready key is left (a served command may push to another key, e.g. BLMOVE). Called after
   * each command (after EXEC for a transaction). Each re-run client's replies are sent and its
   * pipelined input resumes.
   */
  serveReady(): void {
    const srv = this.#srv;
    while (this.#ready.size > 0) {
      const ready = this.#ready;
      this.#ready = new Set();
      for (const id of ready) {
        const list = this.#waiting.get(id);
        if (list === undefined) continue;
        for (const c of list.slice()) {
          const info = c.blocked;
          if (info === null) continue;
          this.#rerunning = c;
          this.#rerunBlockedAgain = false;
          const db = c.db;
          c.db = info.db;
          c.servingKey = dbKeyOf(id);
          c.currentCommand = info.cmd;
          c.currentArgv = info.argv;
          if (srv.snapshot !== null) srv.snapshot.beforeCommand(info.db, info.cmd, info.argv);
          // Each client served is its own execution unit of the propagation stream.
          const dirty = srv.propagation.active ? srv.propagation.enter() : -1;
          try {
            (info.cmd.handler as (c: Client, argv: Buffer[]) => void)(c, info.argv);
          } catch (err) {
            srv.log.warning(`Internal error in '${info.cmd.fullName}': ${(err as Error).stack ?? String(err)}`);
            c.w.error(Err.internalError(info.cmd.fullName));
          } finally {
            this.#rerunning = null;
            c.servingKey = null;
            c.db = db;
          }
          if (dirty >= 0) srv.propagation.leave(info.db.id, info.cmd, info.argv, dirty, false);
          srv.keyspace.store.repack(true);
          if (this.#rerunBlockedAgain) {
            // Nothing left for it: later clients on this key find nothing either, unless the
            // key still exists (e.g. of another type for this client): keep trying then.
            if (info.db.find(dbKeyOf(id)) === NONE) break;
            continue;
          }
          this.#release(c);
        }
      }
    }
  }

  /** Unblocks c with its timeout reply (deadline passed, CLIENT UNBLOCK TIMEOUT). */
  timeout(c: Client): void {
    const info = c.blocked;
    if (info === null) return;
    replyTimeout(c, info.timeoutReply);
    this.#release(c);
  }

  /** Unblocks c with an error reply (CLIENT UNBLOCK ERROR). */
  unblockWithError(c: Client, text: string): void {
    if (c.blocked === null) return;
    c.w.error(text);
    this.#release(c);
  }

  /** Forgets a disconnected client. */
  forget(c: Client): void {
    if (c.blocked !== null) this.#unlink(c);
  }

  #arm(c: Client, info: BlockedOn): void {
    const wait = Math.max(0, info.deadline - this.#srv.clock.now());
    info.timer = setTimeout(() => {
      info.timer = null;
      if (c.blocked !== info) return;
      if (this.#srv.clock.now() < info.deadline) return this.#arm(c, info);
      this.#srv.now = this.#srv.clock.now();
      this.timeout(c);
    }, Math.min(wait, 2 ** 31 - 1));
  }

  /** Removes c from the wait lists and resumes its input. */
  #release(c: Client): void {
    this.#unlink(c);
    c.suspended = false;
    c.flush();
    if (!c.closed) setImmediate(() => c.processInput());
  }

  #unlink(c: Client): void {
    const info = c.blocked;
    if (info === null) return;
    for (const id of info.ids) {
      const list = this.#waiting.get(id);
      if (list === undefined) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#waiting.delete(id);
    }
    if (info.timer !== null) clearTimeout(info.timer);
    c.blocked = null;
    this.blockedClients--;
  }
}

function replyTimeout(c: Client, reply: TimeoutReply): void {
  if (reply === 'nil') c.w.nil();
  else c.w.nilArray();
}
