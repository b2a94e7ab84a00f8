// How a node shuts down (server.c prepareForShutdown / finishShutdown): SHUTDOWN, and SIGTERM /
// SIGINT through shutdown-on-sigterm / shutdown-on-sigint.
//
// A master whose replicas have not acknowledged everything it wrote first waits for them, up
// to shutdown-timeout seconds (Redis 7.0), unless NOW: writes are held meanwhile (the pause's
// shutdown hold), the replicas are asked for an ACK at once, and the SHUTDOWN caller gets no
// reply. The wait ends when every replica has acknowledged the offset the shutdown started at
// (checked at each ACK and ten times a second) or at the deadline, when each lagging replica is
// logged. SHUTDOWN ABORT cancels it: the waiting callers get an error and writes resume.
//
// Then: a BGSAVE in progress is abandoned (its temp file removed); the dataset is saved
// synchronously when SAVE is asked for, or when save points are configured and NOSAVE is not;
// a failed save stops the shutdown unless FORCE.

import { Err } from '../../lib/errors.js';
import type { Client } from '../network/client.js';
import { flushTurn, peerName, sendGetAck } from '../replication/master.js';
import type { Server } from '../server.js';
import { aofRewriting } from './aof/feed.js';
import { aofOf } from './aof/startup.js';
import { killBgsave, savePoints } from './bgsave.js';
import { writeRdbFile } from './rdb-writer.js';

export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  force: boolean;
  /** Do not wait for lagging replicas. */
  now: boolean;
}

/** The flags of a shutdown-on-sigterm / shutdown-on-sigint value ("default", "save now", ...). */
export function shutdownFlagsOf(value: string): ShutdownFlags {
  const words = value.split(/\s+/);
  return { save: words.includes('save'), nosave: words.includes('nosave'), force: words.includes('force'), now: words.includes('now') };
}

/** A shutdown waiting for its replicas (Redis's shutdown_mstime and the clients it blocks). */
interface PendingShutdown {
  flags: ShutdownFlags;
  /** The replication offset every replica must acknowledge. */
  offset: number;
  /** When it stops waiting (ms). */
  deadline: number;
  /** SHUTDOWN callers, answered only if the shutdown fails or is aborted. */
  waiters: Client[];
  timer: NodeJS.Timeout;
}

const pending = new WeakMap<Server, PendingShutdown>();

/** How a shutdown request went: the node is closing, waits for replicas, or stays up (logged). */
export type ShutdownOutcome = 'closing' | 'waiting' | 'failed';

/** True while a shutdown waits for its replicas. */
export function shutdownPending(srv: Server): boolean {
  return pending.has(srv);
}

/** Milliseconds left before a waiting shutdown stops waiting, or null (INFO shutdown_in_milliseconds). */
export function shutdownRemainingMs(srv: Server): number | null {
  const p = pending.get(srv);
  return p === undefined ? null : Math.max(0, p.deadline - srv.clock.now());
}

/**
 * Shuts the node down (prepareForShutdown): at once, or after its replicas caught up (see the
 * file header). `c` is the SHUTDOWN caller, if any: while the shutdown waits it is suspended
 * without a reply. A request while one waits joins it whatever its flags, as in Redis (whose
 * prepareForShutdown returns at once when a shutdown is initiated).
 */
export function startShutdown(srv: Server, flags: ShutdownFlags, c: Client | null): ShutdownOutcome {
  const p = pending.get(srv);
  if (p !== undefined) {
    if (c !== null) suspend(p, c);
    return 'waiting';
  }
  const timeoutMs = srv.config.getNumber('shutdown-timeout') * 1000;
  const offset = srv.repl.masterReplOffset;
  if (!flags.now && timeoutMs > 0 && !replicasCaughtUp(srv, offset)) {
    const timer = setInterval(() => checkPendingShutdown(srv), 100);
    timer.unref();
    const np: PendingShutdown = { flags, offset, deadline: srv.clock.now() + timeoutMs, waiters: [], timer };
    pending.set(srv, np);
    if (c !== null) suspend(np, c);
    // Redis asks for ACKs at once unless clients are paused already (a GETACK moves the offset).
    if (!srv.pause.writesPaused) sendGetAck(srv);
    srv.pause.hold('shutdown', true);
    srv.log.notice('Waiting for replicas before shutting down.');
    return 'waiting';
  }
  return prepareForShutdown(srv, flags) ? closeNode(srv) : 'failed';
}

/** Ends a waiting shutdown once its replicas caught up or its deadline passed. */
export function checkPendingShutdown(srv: Server): void {
  const p = pending.get(srv);
  if (p === undefined) return;
  if (srv.clock.now() >= p.deadline || replicasCaughtUp(srv, p.offset)) finishShutdown(srv, p);
}

/** SHUTDOWN ABORT: cancels a waiting shutdown. False if none waits. */
export function abortShutdown(srv: Server): boolean {
  if (!pending.has(srv)) return false;
  cancelShutdown(srv);
  srv.log.notice('Shutdown manually aborted.');
  return true;
}

/** The waiting shutdown p goes on (finishShutdown); false, and cancelled, if it fails. */
function finishShutdown(srv: Server, p: PendingShutdown): boolean {
  const offset = p.offset;
  let lagging = 0;
  for (const link of srv.repl.replicas) {
    if (link.ackOffset >= offset) continue;
    lagging++;
    const lag = link.state === 'online' ? Math.floor((srv.clock.now() - link.ackTimeMs) / 1000) : 0;
    // Behind the offset now (the GETACK included), as Redis prints it.
    srv.log.warning(
      `Lagging replica ${peerName(link.client)} reported offset ${srv.repl.masterReplOffset - link.ackOffset} behind master, lag=${lag}, state=${link.state}.`,
    );
  }
  const n = srv.repl.replicas.size;
  if (n > 0) srv.log.notice(`${n - lagging} of ${n} replicas are in sync when shutting down.`);
  if (!prepareForShutdown(srv, p.flags)) {
    cancelShutdown(srv);
    return false;
  }
  clearInterval(p.timer);
  pending.delete(srv);
  closeNode(srv);
  return true;
}

/** Forgets the waiting shutdown: its callers get an error, writes resume. */
function cancelShutdown(srv: Server): void {
  const p = pending.get(srv);
  if (p === undefined) return;
  pending.delete(srv);
  clearInterval(p.timer);
  for (const c of p.waiters) {
    if (c.closed) continue;
    c.w.error(Err.shutdownErrors);
    c.suspended = false;
    c.flush();
    c.processInput();
  }
  srv.pause.hold('shutdown', false);
}

function suspend(p: PendingShutdown, c: Client): void {
  c.suspended = true;
  p.waiters.push(c);
}

/** Every replica acknowledged `offset` (isReadyToShutdown, at the offset the wait started). */
function replicasCaughtUp(srv: Server, offset: number): boolean {
  for (const link of srv.repl.replicas) if (link.ackOffset < offset) return false;
  return true;
}

/** Closes the node; the replicas get the stream bytes of this turn first (flushSlavesOutputBuffers). */
function closeNode(srv: Server): 'closing' {
  flushTurn(srv);
  void srv.close();
  return 'closing';
}

/**
 * Saves what must be saved before exiting. Returns false, having logged why, when the node
 * must not exit (the final save failed without FORCE).
 */
export function prepareForShutdown(srv: Server, flags: ShutdownFlags): boolean {
  if (srv.persistence.bgsave !== null) {
    srv.log.warning('There is a child saving an .rdb. Killing it!');
    killBgsave(srv, 'Background saving terminated: shutdown');
  }
  if (aofRewriting(srv) && srv.snapshot !== null) {
    srv.log.warning('There is a child rewriting the AOF. Killing it!');
    srv.snapshot.abort('Background AOF rewrite terminated: shutdown');
  }
  if (aofOf(srv).writer !== null) srv.log.notice('Calling fsync() on the AOF file.');
  if (((savePoints(srv).length > 0 && !flags.nosave) || flags.save) && srv.sentinel === null) {
    srv.log.notice('Saving the final RDB snapshot before exiting.');
    try {
      writeRdbFile(srv);
    } catch {
      if (flags.force) {
        srv.log.warning('Error trying to save the DB. Exit anyway.');
      } else {
        srv.log.warning("Error trying to save the DB, can't exit.");
        srv.log.warning('Errors trying to shut down the server. Check the logs for more information.');
        return false;
      }
    }
  }
  return true;
}
