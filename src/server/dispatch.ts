// The dispatch gate: every command passes through processCommand, which applies the generic
// checks in one fixed order (Redis's processCommand):
//
//   lookup -> subcommand lookup -> arity -> authentication -> not-in-MULTI -> (cluster
//   redirect) -> OOM -> tracking table limit -> disk errors (-MISCONF) -> min-replicas
//   (-NOREPLICAS) -> read-only replica (-READONLY) -> RESP2 Pub/Sub context -> stale replica
//   (-MASTERDOWN) -> loading (-LOADING) -> client pause -> MULTI queue -> call -> remember keys read by tracking clients -> stats /
//   slow log / latency / monitors -> invalidations owed to the caller -> serve clients blocked
//   on keys made ready
//
// A command rejected before the queue step while the client is in MULTI makes its EXEC fail.
//
// OOM (while maxmemory is set): evict first (src/server/evict.ts), then refuse what would grow
// memory if it is still over the limit — see rejectedForOom.
//
// Handlers never repeat these checks. Steps in parentheses belong to later roadmap stages and
// have their place marked here so they slot in without reordering.

import { performance } from 'node:perf_hooks';
import { Err, sanitizeErrorText } from '../lib/errors.js';
import { F, type Command } from './command-table.js';
import { ReplyMode, type Client } from './network/client.js';
import { discardTransaction, execFlags, flagTransaction, queueCommand, queuesInMulti } from './multi.js';
import { EVICT_FAIL } from './evict.js';
import { takePushes } from './pubsub/output.js';
import { diskErrorDenial } from './persistence/bgsave.js';
import { replicationStaleDenial, replicationWriteDenial } from './replication/gate.js';
import type { Server } from './server.js';

/** Runs one command from client c. Replies are left in c.w for the caller to flush. */
export function processCommand(srv: Server, c: Client, argv: Buffer[]): void {
  const replyMark = c.w.length;
  const outer = srv.currentClient;
  srv.currentClient = c;
  const cmd = gateAndCall(srv, c, argv);
  srv.currentClient = outer;
  // CLIENT REPLY OFF / SKIP apply to every command, rejected ones included (Redis drops
  // those replies too); a command held by a pause gets the mode when it finally runs. Push
  // messages (Pub/Sub, invalidations) are delivered all the same.
  if (c.replyMode !== ReplyMode.On && !c.suspended) applyReplyMode(c, replyMark);
  if (c.pushSide !== null) takePushes(c);
  if (c.tracking !== null) srv.tracking.afterCommand(c, cmd);
}

/**
 * Discards what the command just produced when replies are off or skipped. CLIENT REPLY SKIP
 * leaves SkipNext (it replies nothing itself), which becomes Skip for the following command.
 */
function applyReplyMode(c: Client, replyMark: number): void {
  if (c.replyMode === ReplyMode.SkipNext) {
    c.replyMode = ReplyMode.Skip;
    return;
  }
  c.w.truncate(replyMark);
  if (c.replyMode === ReplyMode.Skip) c.replyMode = ReplyMode.On;
}

/** The gate (see the file header). Returns the command looked up, if any. */
function gateAndCall(srv: Server, c: Client, argv: Buffer[]): Command | undefined {
  let cmd = srv.commands.lookupBytes(argv[0]);
  if (cmd === undefined) {
    flagTransaction(c);
    rejectUnknown(c, cStr(argv[0]), argv);
    return undefined;
  }
  // A container with its own handler (COMMAND) runs it when called without a subcommand.
  if (cmd.subcommands !== null && (argv.length > 1 || cmd.handler === null)) {
    if (argv.length === 1) {
      cmd.stats.rejectedCalls++;
      flagTransaction(c);
      c.w.error(Err.wrongArity(cmd.fullName));
      return cmd;
    }
    const sub = cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
    if (sub === undefined) {
      flagTransaction(c);
      c.w.errorLatin1(
        sanitizeErrorText(Err.unknownSubcommand(truncate(cStr(argv[1]), 128), cStr(argv[0]).toUpperCase())),
      );
      return undefined;
    }
    cmd = sub;
  }
  const argc = argv.length;
  if ((cmd.arity > 0 && argc !== cmd.arity) || argc < -cmd.arity) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.wrongArity(cmd.fullName));
    return cmd;
  }
  if (!c.authenticated && (cmd.flags & F.noAuth) === 0) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.noAuth);
    return cmd;
  }
  if (c.multi !== null && (cmd.flags & F.noMulti) !== 0) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.notInMulti);
    return cmd;
  }
  // Cluster redirection (MOVED/ASK) goes here, as its roadmap stage lands.

  // OOM: one test while maxmemory is unset.
  if (srv.evictor.maxmemory > 0 && rejectedForOom(srv, c, cmd)) return cmd;

  // Keep the client-side caching table within tracking-table-max-keys.
  if (srv.tracking.clients > 0) srv.tracking.limitUsedSlots();

  // Writes (and PING) are refused while the data cannot be persisted (writeCommandsDeniedByDiskError):
  // two tests unless a background save failed or the AOF is on.
  // The master's stream is applied regardless (Redis logs instead of refusing it).
  if ((!srv.persistence.lastSaveOk || srv.replyHold !== null) && ((cmd.flags & F.write) !== 0 || cmd.name === 'ping') && !c.isMaster) {
    const denied = diskErrorDenial(srv);
    if (denied !== null) {
      cmd.stats.rejectedCalls++;
      flagTransaction(c);
      rejectWith(c, cmd, denied);
      return cmd;
    }
  }

  // Replication: -NOREPLICAS on a master short of good replicas, -READONLY on a read-only
  // replica (replication/gate.ts); one test unless this node is a replica or
  // min-replicas-to-write is set.
  if (srv.repl.gated) {
    const denied = replicationWriteDenial(srv, c, cmd);
    if (denied !== null) {
      cmd.stats.rejectedCalls++;
      flagTransaction(c);
      rejectWith(c, cmd, denied);
      return cmd;
    }
  }

  // A RESP2 client in Pub/Sub mode can only (un)subscribe, PING, QUIT and RESET: its
  // connection carries messages, which RESP2 cannot tell from replies.
  if (c.pubsub && c.w.resp === 2 && !PUBSUB_CONTEXT.has(cmd.name)) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    rejectWith(c, cmd, Err.pubsubContext(cmd.fullName));
    return cmd;
  }

  // A replica cut off from its master with replica-serve-stale-data no: -MASTERDOWN.
  if (srv.repl.gated) {
    const denied = replicationStaleDenial(srv, c, cmd);
    if (denied !== null) {
      cmd.stats.rejectedCalls++;
      flagTransaction(c);
      rejectWith(c, cmd, denied);
      return cmd;
    }
  }

  // While the dataset loads only commands flagged `loading` run (INFO, CONFIG, ...); while a
  // replica loads one beside the dataset it serves (async loading), all but those flagged
  // no_async_loading (SAVE, BGSAVE, REPLICAOF, PSYNC, ...).
  if (srv.loading !== null && (srv.asyncLoading ? (cmd.flags & F.noAsyncLoading) !== 0 : (cmd.flags & F.loading) === 0)) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    rejectWith(c, cmd, Err.loading);
    return cmd;
  }

  // EXEC counts as a write for CLIENT PAUSE WRITE when it carries writes.
  if (srv.pause.blocks(cmd, cmd.name === 'exec' ? execFlags(c) : 0)) {
    // Suspend this client; the command is re-dispatched when the pause ends.
    srv.pause.suspend(c, argv);
    return cmd;
  }
  if (c.multi !== null && queuesInMulti(cmd)) {
    queueCommand(c, cmd, argv);
    return cmd;
  }
  call(srv, c, cmd, argv);
  return cmd;
}

/** What a client in MULTI may still send while memory is over the limit (everything else is refused). */
const OOM_ALLOWED_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);

/**
 * The OOM step (Redis processCommand): performEvictions, then, if memory is still over
 * maxmemory with nothing left to evict, refuses a denyoom command, an EXEC whose queue holds
 * one (EXECABORT), or anything a client in MULTI would queue (queueing costs memory too; EXEC,
 * DISCARD, QUIT and RESET pass). A refusal flags the transaction. Returns true if refused.
 */
function rejectedForOom(srv: Server, c: Client, cmd: Command): boolean {
  if (srv.evictor.performEvictions() !== EVICT_FAIL) return false;
  const multi = c.multi;
  let reject = (cmd.flags & F.denyoom) !== 0;
  if (cmd.name === 'exec' && multi !== null && (multi.flags & F.denyoom) !== 0) reject = true;
  if (multi !== null && !OOM_ALLOWED_IN_MULTI.has(cmd.name)) reject = true;
  if (!reject) return false;
  cmd.stats.rejectedCalls++;
  flagTransaction(c);
  rejectWith(c, cmd, Err.oom);
  return true;
}

/** Commands a RESP2 client in Pub/Sub mode may run. */
const PUBSUB_CONTEXT = new Set(['subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);

/**
 * Replies a gate rejection (text with its "ERR " prefix). A rejected EXEC also ends the
 * transaction, with Redis's EXECABORT form of the error (execCommandAbort).
 */
function rejectWith(c: Client, cmd: Command, text: string): void {
  if (cmd.name === 'exec') {
    discardTransaction(c);
    c.w.error(Err.execAbortBecause(text));
    return;
  }
  c.w.error(text);
}

/**
 * Executes cmd, then feeds monitors and records its statistics, slow log entry and latency.
 *
 * Timing reads the clock once per command: a command's duration runs from the previous clock
 * mark (srv.tick: the end of the previous command, or the start of this input batch) to the
 * end of its handler, so it includes parsing its own arguments (well under a microsecond).
 * A clock read costs ~50 ns, a tenth of a pipelined GET, so the second read is worth saving.
 */
export function call(srv: Server, c: Client, cmd: Command, argv: Buffer[]): void {
  c.cmdErrors = 0;
  c.currentCommand = cmd;
  c.currentArgv = argv;
  const outer = srv.executingClient;
  srv.executingClient = c;
  // A snapshot in progress writes the old state of the keys this command may change first.
  if (srv.snapshot !== null) srv.snapshot.beforeCommand(c.db, cmd, argv);
  // Its effects join the propagation stream (src/server/propagate.ts): one test when nothing
  // consumes it.
  const prop = srv.propagation;
  const dirty = prop.active ? prop.enter() : -1;
  try {
    (cmd.handler as (c: Client, argv: Buffer[]) => void)(c, argv);
  } catch (err) {
    // A handler bug must cost one command, not the node: log it and answer an error.
    srv.log.warning(`Internal error in '${cmd.fullName}': ${(err as Error).stack ?? String(err)}`);
    c.w.error(Err.internalError(cmd.fullName));
  }
  // Small aggregates the command unpacked go back to their packed form (keyspace/store.ts).
  srv.keyspace.store.repack((cmd.flags & F.write) !== 0);
  srv.executingClient = outer;
  if (dirty >= 0) prop.leave(c.db.id, cmd, argv, dirty, c.cmdErrors > 0, c.parser);
  // A tracking client may cache what it just read: remember the keys.
  if (c.tracking !== null && (cmd.flags & F.readonly) !== 0) srv.tracking.remember(c, cmd, argv);
  // Monitors see the command after it ran, as in Redis 7.0: with the database it left selected
  // and with the arguments it redacted (AUTH and HELLO passwords).
  if (srv.monitors.size > 0 && (cmd.flags & (F.skipMonitor | F.admin)) === 0) srv.feedMonitors(c, argv);
  const end = performance.now();
  const durationUs = (end - srv.tick) * 1000;
  srv.tick = end;

  cmd.stats.calls++;
  cmd.stats.usec += durationUs;
  srv.latency.commands.record(cmd, durationUs);
  if (c.cmdErrors > 0) cmd.stats.failedCalls++;
  srv.stats.totalCommandsProcessed++;
  c.lastCommand = cmd;
  if ((cmd.flags & F.skipSlowlog) === 0) srv.afterCommand(c, cmd, argv, durationUs);
  // Invalidations of keys this command changed that the caller itself tracks follow its
  // reply (for a transaction: after EXEC's).
  if (!c.inExec && srv.executingClient === null) srv.tracking.flushPending(c);
  // Clients blocked on keys this command pushed to are served now (after EXEC for MULTI).
  if (srv.blocking.hasReady && !c.inExec) srv.tracking.serveBlocked(() => srv.blocking.serveReady());
}

/** `unknown command 'x', with args beginning with: 'a' 'b' ` (args up to 128 chars in all). */
function rejectUnknown(c: Client, name: string, argv: Buffer[]): void {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${truncate(cStr(argv[i]), 128 - args.length)}' `;
  }
  // Arguments are echoed byte for byte (latin1), cut at a NUL as Redis's %s formatting does.
  c.w.errorLatin1(sanitizeErrorText(Err.unknownCommand(truncate(name, 128), args)));
}

/** An argument as a C string would print it: bytes up to the first NUL, one char per byte. */
function cStr(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul < 0 ? b.length : nul);
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}
