// Output that reaches a client outside its own request/reply cycle — Pub/Sub messages,
// keyspace notifications, client-tracking invalidations — and the output buffer limits
// (client-output-buffer-limit) that protect the node from clients that do not read.
//
// Delivery: a message is encoded into the receiver's reply buffer at once (so it keeps its
// place relative to the receiver's own replies) and the receiver is queued; the queue is
// flushed once per event-loop turn, after the input being processed (Redis's beforeSleep
// handles its clients_pending_write the same way). Tasks that Redis runs in beforeSleep
// (client-tracking broadcasts) run just before that flush.
//
// Output buffer limits, as Redis 7.0's checkClientOutputBufferLimits: a client's pending output
// is what its reply buffer holds plus what the socket has not taken yet (socket.writableLength).
// Each class (normal, replica, pubsub — a client with any subscription is pubsub) has a hard
// limit (reached: close) and a soft limit with a duration (above it continuously for more than
// that many seconds: close); 0 disables a limit. The check runs whenever output is added for a
// client by someone else (publish), after a flush leaves bytes queued, and from the cron for
// clients still backlogged. A client over its limit during a command is closed asynchronously
// (the "scheduled to be closed ASAP" log line; flag A in CLIENT LIST): it gets no more output
// and its input is no longer processed; the close happens on the next turn, dropping whatever
// was pending. From the cron it is closed at once ("closed for overcoming of ...").

import { ReplyWriter } from '../../protocol/reply-writer.js';
import { ReplyMode, type Client } from '../network/client.js';
import type { Server } from '../server.js';
import { clientInfoLine } from '../handlers/connection-client.js';

/** One class's limits (bytes, bytes, seconds); 0 = no limit. */
interface ClassLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/** Output-limit classes, in the order client-output-buffer-limit lists them. */
const CLASS_NAMES = ['normal', 'slave', 'pubsub'] as const;
const NORMAL = 0;
const REPLICA = 1;
const PUBSUB = 2;

/**
 * Where a push message for c goes: its reply buffer, except while c's own command runs with
 * CLIENT REPLY OFF / SKIP, when the command's replies will be discarded but push messages must
 * still be delivered (Redis's CLIENT_PUSHING): then a side buffer the dispatcher appends after
 * discarding (takePushes).
 */
export function pushWriter(c: Client): ReplyWriter {
  if (c.replyMode === ReplyMode.On || c.srv.currentClient !== c) return c.w;
  let side = c.pushSide;
  if (side === null) c.pushSide = side = new ReplyWriter();
  side.resp = c.w.resp;
  return side;
}

/** Moves push messages held aside during a command with replies off into the reply buffer. */
export function takePushes(c: Client): void {
  const side = c.pushSide;
  if (side === null) return;
  c.pushSide = null;
  if (side.length > 0) c.w.raw(side.take());
}

export class OutputManager {
  readonly #srv: Server;
  readonly #limits: ClassLimit[] = CLASS_NAMES.map(() => ({ hard: 0, soft: 0, softSeconds: 0 }));
  /** Clients to flush at the end of this turn: their own replies, or output others wrote. */
  #pending = new Set<Client>();
  /** Clients left with bytes the socket has not taken (checked again by the cron). */
  readonly #backlogged = new Set<Client>();
  #toClose: Client[] = [];
  #scheduled = false;
  /** Runs first on every turn the queue is flushed (client-tracking broadcasts). */
  beforeFlush: (() => void) | null = null;
  /**
   * Counts the event-loop turns that ran commands (every client read schedules this run), so
   * clients can tell a read of this turn from one of an earlier turn (network/read-share.ts).
   */
  turn = 0;

  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** Applies a client-output-buffer-limit value ("normal h s secs slave ... pubsub ..."). */
  setLimits(value: string): void {
    const t = value.split(' ');
    for (let i = 0; i + 3 < t.length; i += 4) {
      const cls = CLASS_NAMES.indexOf(t[i] as (typeof CLASS_NAMES)[number]);
      if (cls < 0) continue;
      this.#limits[cls] = { hard: Number(t[i + 1]), soft: Number(t[i + 2]), softSeconds: Number(t[i + 3]) };
    }
  }

  /** Schedules the end-of-turn work (flush, broadcasts, closes) if not already scheduled. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  /** Something was written to c by another client's command (or the cron): flush it soon. */
  wrote(c: Client): void {
    if (!this.#check(c, true)) this.flushSoon(c);
  }

  /** c's own replies are ready: flush them at the end of this turn, with everyone else's. */
  flushSoon(c: Client): void {
    this.#pending.add(c);
    this.schedule();
  }

  /** After a flush left bytes in the socket: check the limits now and again from the cron. */
  afterFlush(c: Client): void {
    if (this.#limitOf(c) !== null && !this.#check(c, true)) this.#backlogged.add(c);
  }

  /** Cron: re-checks clients whose socket still holds output (soft limits elapse there). */
  cron(): void {
    for (const c of this.#backlogged) {
      if (c.closed || c.socket.writableLength + c.w.length === 0) {
        this.#backlogged.delete(c);
        continue;
      }
      this.#check(c, false);
    }
  }

  /** Forgets a disconnected client. */
  forget(c: Client): void {
    this.#pending.delete(c);
    this.#backlogged.delete(c);
  }

  /**
   * Checks c's pending output against its class's limits; closes it (asynchronously when
   * `async`) and returns true when a limit is passed.
   */
  #check(c: Client, async: boolean): boolean {
    if (c.closeAsap || c.closed) return c.closeAsap;
    const lim = this.#limitOf(c);
    if (lim === null) return false;
    // A replica's stream held while its full sync's payload goes first counts as its output.
    const used = c.w.length + c.socket.writableLength + (c.replica !== null ? c.replica.heldBytes : 0);
    if (used === 0) return false;
    let over = lim.hard !== 0 && used >= lim.hard;
    if (lim.soft !== 0 && used >= lim.soft) {
      const now = Math.floor(this.#srv.clock.now() / 1000);
      if (c.obufSoftLimitSince < 0) c.obufSoftLimitSince = now;
      else if (now - c.obufSoftLimitSince > lim.softSeconds) over = true;
    } else {
      c.obufSoftLimitSince = -1;
    }
    if (!over) return false;
    const info = clientInfoLine(c, this.#srv.now);
    if (async) {
      c.closeAsap = true;
      this.#toClose.push(c);
      this.schedule();
      this.#srv.log.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    } else {
      this.#srv.log.warning(`Client ${info} closed for overcoming of output buffer limits.`);
      c.kill();
    }
    return true;
  }

  /** The limits of c's class, or null when that class has none. */
  #limitOf(c: Client): ClassLimit | null {
    const lim = this.#limits[c.replica !== null ? REPLICA : c.pubsub ? PUBSUB : NORMAL];
    return lim.hard === 0 && lim.soft === 0 ? null : lim;
  }

  #run(): void {
    this.turn++;
    if (this.beforeFlush !== null) this.beforeFlush();
    // Cleared after the broadcasts: what they queue is flushed by this run.
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = new Set();
    for (const c of pending) c.flush();
    const closing = this.#toClose;
    this.#toClose = [];
    for (const c of closing) c.kill();
    // maxmemory-clients: the turn's reads and replies may have taken the clients past it.
    this.#srv.clientEviction.afterTurn();
  }
}
