// MULTI / EXEC / DISCARD / WATCH / UNWATCH. The transaction state, the queueing rules of the
// dispatch gate and the WATCH registry live in src/server/multi.ts.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { call } from '../dispatch.js';
import { discardTransaction, MultiState } from '../multi.js';

const multiCommand: Handler = (c) => {
  if (c.multi !== null) return void c.w.error(Err.multiNested);
  c.multi = new MultiState();
  c.w.ok();
};

const discardCommand: Handler = (c) => {
  if (c.multi === null) return void c.w.error(Err.discardWithoutMulti);
  discardTransaction(c);
  c.w.ok();
};

/**
 * EXEC: fails with EXECABORT if a command was rejected while queueing, with a null array if a
 * watched key changed (or expired since it was watched); otherwise runs the queued commands in
 * order, each through the same call path as a direct command (statistics, monitors), with
 * blocking disabled, and replies an array of their replies. Clients blocked on keys the
 * transaction pushed to are served after EXEC as a whole (see dispatch.call).
 */
const execCommand: Handler = (c) => {
  const m = c.multi;
  if (m === null) return void c.w.error(Err.execWithoutMulti);
  const srv = c.srv;
  const watches = srv.watches;
  const dirty = watches.isDirty(c) || watches.watchedKeyExpired(c, srv.now);
  if (m.aborted || dirty) {
    if (m.aborted) c.w.error(Err.execAbort);
    else c.w.nilArray();
    discardTransaction(c);
    return;
  }
  // Unwatch at once (nothing can change the outcome now); the client stays in MULTI state
  // while its commands run, as CLIENT INFO from inside the transaction shows in Redis.
  watches.unwatch(c);
  const cmd = c.currentCommand;
  const argv = c.currentArgv;
  c.w.array(m.queue.length);
  c.inExec = true;
  try {
    for (const q of m.queue) call(srv, c, q.cmd, q.argv);
  } finally {
    c.inExec = false;
    c.currentCommand = cmd;
    c.currentArgv = argv;
    c.multi = null;
  }
  // EXEC always reaches the AOF / replicas (as MULTI ... EXEC around the effects).
  srv.dirty++;
};

const watchCommand: Handler = (c, argv) => {
  if (c.multi !== null) return void c.w.error(Err.watchInMulti);
  for (let i = 1; i < argv.length; i++) c.srv.watches.watch(c, argv[i], c.srv.now);
  c.w.ok();
};

const unwatchCommand: Handler = (c) => {
  c.srv.watches.unwatch(c);
  c.w.ok();
};

export const transactionsHandlers: Record<string, Handler> = {
  multi: multiCommand,
  exec: execCommand,
  discard: discardCommand,
  watch: watchCommand,
  unwatch: unwatchCommand,
};

