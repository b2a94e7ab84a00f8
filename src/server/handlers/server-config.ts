// CONFIG GET / SET / RESETSTAT / REWRITE / HELP. Parameter semantics (validation, atomic
// multi-set, globbing, rewriting) live in src/server/config/config.ts; these handlers turn
// its results and errors into Redis's replies.

import { Err, sanitizeErrorText } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { replyHelp } from './util.js';

/** Shown by CONFIG HELP, line for line as Redis 7.0 prints it. */
const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const REDACTED = Buffer.from('(redacted)');



const configGet: Handler = (c, argv) => {
  const patterns = argv.slice(2).map((a) => a.toString());
  const pairs = c.srv.config.matchMany(patterns);
  c.w.map(pairs.length);
  for (const [name, value] of pairs) {
    c.w.bulkString(name);
    c.w.bulkString(value);
  }
};

/**
 * CONFIG SET name value [name value ...]: all pairs are applied or none. Values of sensitive
 * parameters (requirepass, masterauth, ...) are replaced by "(redacted)" in argv before the
 * slow log sees the command, as Redis does.
 */
const configSet: Handler = (c, argv) => {
  if ((argv.length - 2) % 2 !== 0) {
    c.w.error(Err.syntax);
    return;
  }
  const cfg = c.srv.config;
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].toString();
    pairs.push([name, argv[i + 1].toString()]);
    if (cfg.spec(name)?.sensitive === true) argv[i + 1] = REDACTED;
  }
  const srv = c.srv;
  // A set that moves the listeners (port, bind) may still fail after setMany, once the server
  // tries to bind: then the rest of it is put back, as Redis undoes the whole CONFIG SET.
  const canonical = (name: string): string | undefined => cfg.spec(name)?.name;
  const listener = pairs.find(([name]) => REBIND_PARAMS.has(canonical(name) ?? ''))?.[0];
  const rest: [string, string][] = [];
  if (listener !== undefined) {
    for (const [name] of pairs) {
      const known = canonical(name);
      if (known !== undefined && !REBIND_PARAMS.has(known)) rest.push([name, cfg.getString(name)]);
    }
  }
  srv.takeRebind();
  try {
    cfg.setMany(pairs, { local: c.isLocal });
  } catch (e) {
    c.w.error(sanitizeErrorText(e instanceof Error ? e.message : String(e)));
    return;
  }
  const rebind = srv.takeRebind();
  // A new port or bind: the answer waits for the listeners, as Redis binds before it answers.
  // A transaction cannot wait; there the failure is only logged.
  if (rebind === null || listener === undefined || c.inExec) {
    c.w.ok();
    return;
  }
  c.suspended = true;
  void rebind.then((failure) => {
    if (c.closed) return;
    if (failure === null) {
      c.w.ok();
    } else {
      // Port and bind were put back by the server; the rest of the set is undone here.
      try {
        if (rest.length > 0) cfg.setMany(rest, { local: true });
      } catch {
        // best effort, as Redis's restore
      }
      c.w.error(canonical(listener) === 'bind' ? Err.configSetBindFailed(listener) : Err.configSetPortFailed(listener));
    }
    c.suspended = false;
    c.flush();
    c.processInput();
  });
};

/** The parameters whose change rebinds the listeners (Server's rebind). */
const REBIND_PARAMS = new Set(['port', 'bind']);

/**
 * CONFIG RESETSTAT: zeroes INFO's counters — server stats, keyspace hits/misses/expiry
 * counters, per-command stats and latency histograms, error stats. The slow log and the
 * latency monitor's events are kept (Redis resets those with SLOWLOG RESET / LATENCY RESET).
 */
const configResetstat: Handler = (c) => {
  const srv = c.srv;
  srv.stats.reset();
  const ks = srv.keyspace.stats;
  ks.keyspaceHits = 0;
  ks.keyspaceMisses = 0;
  ks.expiredKeys = 0;
  ks.expiredStalePerc = 0;
  ks.expiredTimeCapReachedCount = 0;
  ks.expireCycleCpuMs = 0;
  ks.lazyfreedObjects = 0; // pending objects are state, not a counter
  srv.evictor.resetStats(); // evicted_keys and the eviction-exceeded times
  srv.clientEviction.evicted = 0; // evicted_clients
  srv.defaultTtl.applied = 0; // default_ttl_applied (Shoal's default TTL)
  srv.largeValues.resetStats(); // INFO largevalues
  for (const cmd of srv.commands.all()) {
    cmd.stats.calls = 0;
    cmd.stats.usec = 0;
    cmd.stats.rejectedCalls = 0;
    cmd.stats.failedCalls = 0;
  }
  srv.latency.commands.reset();
  c.w.ok();
};

const configRewrite: Handler = (c) => {
  const srv = c.srv;
  try {
    srv.config.rewrite(srv.configFile ?? srv.config.configFile);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    srv.log.warning(`CONFIG REWRITE failed: ${msg}`);
    c.w.error(sanitizeErrorText(msg));
    return;
  }
  srv.log.notice('CONFIG REWRITE executed with success.');
  c.w.ok();
};

export const configHandlers: Record<string, Handler> = {
  'config|get': configGet,
  'config|set': configSet,
  'config|resetstat': configResetstat,
  'config|rewrite': configRewrite,
  'config|help': (c) => replyHelp(c, CONFIG_HELP),
};
