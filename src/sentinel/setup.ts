// Turns a Server built in sentinel mode into a running sentinel's state: applies the
// `sentinel ...` lines of its config file and makes every flush rewrite that file (the
// server's parameters as CONFIG REWRITE writes them, and the sentinel's lines in Redis's order).

import { fatalConfigError, shoalVersion } from '../server/config/load.js';
import type { Server } from '../server/server.js';
import { SentinelConfigError, applySentinelDirectives, sentinelConfigLines } from './config.js';

/**
 * Sets up srv.sentinel from srv.config; resolves to the fatal error's text, or null. The
 * hostnames the lines name are looked up first (with resolve-hostnames yes), as Redis resolves
 * each where it reads it.
 */
export async function setUpSentinel(srv: Server): Promise<string | null> {
  const s = srv.sentinel;
  if (s === null) return null;
  const cfg = srv.config;
  const hosts = new Set<string>();
  for (const d of cfg.sentinelDirectives) {
    const what = (d.args[0] ?? '').toLowerCase();
    if (what === 'monitor' || what === 'known-replica' || what === 'known-slave' || what === 'known-sentinel') hosts.add(d.args[2] ?? '');
  }
  await Promise.all([...hosts].map((h) => s.lookup(h)));
  try {
    applySentinelDirectives(s, cfg.sentinelDirectives);
  } catch (err) {
    if (!(err instanceof SentinelConfigError)) throw err;
    const d = err.directive;
    return fatalConfigError(shoalVersion(), d.lineNo, d.line || `sentinel ${d.args.join(' ')}`, err.message);
  }
  cfg.sentinelLines = () => sentinelConfigLines(s);
  s.flushConfig = () => {
    cfg.rewrite();
    srv.log.notice('Sentinel new configuration saved on disk');
  };
  return null;
}
