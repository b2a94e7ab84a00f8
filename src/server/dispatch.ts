// The dispatch gate: every command passes through processCommand, which applies the generic
// checks in one fixed order (Redis's processCommand):
//
//   lookup -> subcommand lookup -> arity -> authentication -> not-in-MULTI -> (cluster
//   redirect) -> (OOM) -> (read-only replica) -> client pause -> MULTI queue -> call -> stats /
//   slow log / latency / monitors -> serve clients blocked on keys made ready
//
// A command rejected before the queue step while the client is in MULTI makes its EXEC fail.
//
// Handlers never repeat these checks. Steps in parentheses belong to later roadmap stages and
// have their place marked here so they slot in without reordering.

import { Err, sanitizeErrorText } from '../lib/errors.js';
import { F, type Command } from './command-table.js';
import { ReplyMode, type Client } from './network/client.js';
import { execFlags, flagTransaction, queueCommand, queuesInMulti } from './multi.js';
import type { Server } from './server.js';

/** Runs one command from client c. Replies are left in c.w for the caller to flush. */
export function processCommand(srv: Server, c: Client, argv: Buffer[]): void {
  const replyMark = c.w.length;
  gateAndCall(srv, c, argv);
  // CLIENT REPLY OFF / SKIP apply to every command, rejected ones included (Redis drops
  // those replies too); a command held by a pause gets the mode when it finally runs.
  if (c.replyMode !== ReplyMode.On && !c.suspended) applyReplyMode(c, replyMark);
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

function gateAndCall(srv: Server, c: Client, argv: Buffer[]): void {
  let cmd = srv.commands.lookupBytes(argv[0]);
  if (cmd === undefined) {
    flagTransaction(c);
    rejectUnknown(c, cStr(argv[0]), argv);
    return;
  }
  // A container with its own handler (COMMAND) runs it when called without a subcommand.
  if (cmd.subcommands !== null && (argv.length > 1 || cmd.handler === null)) {
    if (argv.length === 1) {
      cmd.stats.rejectedCalls++;
      flagTransaction(c);
      c.w.error(Err.wrongArity(cmd.fullName));
      return;
    }
    const sub = cmd.subcommands.get(argv[1].toString('latin1').toLowerCase());
    if (sub === undefined) {
      flagTransaction(c);
      c.w.errorLatin1(
        sanitizeErrorText(Err.unknownSubcommand(truncate(cStr(argv[1]), 128), cStr(argv[0]).toUpperCase())),
      );
      return;
    }
    cmd = sub;
  }
  const argc = argv.length;
  if ((cmd.arity > 0 && argc !== cmd.arity) || argc < -cmd.arity) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.wrongArity(cmd.fullName));
    return;
  }
  if (!c.authenticated && (cmd.flags & F.noAuth) === 0) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.noAuth);
    return;
  }
  if (c.multi !== null && (cmd.flags & F.noMulti) !== 0) {
    cmd.stats.rejectedCalls++;
    flagTransaction(c);
    c.w.error(Err.notInMulti);
    return;
  }
  // Cluster redirection (MOVED/ASK), OOM (maxmemory) and READONLY (replica) go here, in this
  // order, as their roadmap stages land.

  // EXEC counts as a write for CLIENT PAUSE WRITE when it carries writes.
  if (srv.pause.blocks(cmd, cmd.name === 'exec' ? execFlags(c) : 0)) {
    // Suspend this client; the command is re-dispatched when the pause ends.
    srv.pause.suspend(c, argv);
    return;
  }
  if (c.multi !== null && queuesInMulti(cmd)) {
    queueCommand(c, cmd, argv);
    return;
  }
  call(srv, c, cmd, argv);
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
  try {
    (cmd.handler as (c: Client, argv: Buffer[]) => void)(c, argv);
  } catch (err) {
    // A handler bug must cost one command, not the node: log it and answer an error.
    srv.log.warning(`Internal error in '${cmd.fullName}': ${(err as Error).stack ?? String(err)}`);
    c.w.error(`ERR internal error while executing '${cmd.fullName}'`);
  }
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
  // Clients blocked on keys this command pushed to are served now (after EXEC for MULTI).
  if (srv.blocking.hasReady && !c.inExec) srv.blocking.serveReady();
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
