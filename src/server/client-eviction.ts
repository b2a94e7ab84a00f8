// Client eviction (maxmemory-clients), as Redis 7.0 does it: when the memory of the normal and
// Pub/Sub clients together (CLIENT LIST's tot-mem: query buffer, output the socket holds, a
// fixed part) reaches the limit, clients are closed, the largest first, until it is under the
// limit again. Each one is logged ("Evicting client: <CLIENT LIST line>") and counted in INFO's
// evicted_clients. Not evicted, though counted: clients with CLIENT NO-EVICT on. Neither
// evicted nor counted: replicas and the master (their memory has its own limits).
//
// The limit is bytes, or a percent of maxmemory ("5%", none without maxmemory); 0 turns it off.
//
// When it is checked: at the end of every event-loop turn that ran commands or read input (the
// output manager's end-of-turn run), at most once per CHECK_INTERVAL_MS, and from the cron.
// Redis keeps clients in memory buckets updated as their buffers change and checks before it
// sleeps; here a check sums every client (O(clients)), which the interval bounds: with 10,000
// clients a check costs about 0.1-0.2 ms, so at most a few percent of a busy node's time, and a
// client's buffers can outgrow the limit for at most that interval before it is closed.

import { performance } from 'node:perf_hooks';
import type { Server } from './server.js';
import type { Client } from './network/client.js';
import { clientInfoLine, clientTotalMemory } from './handlers/connection-client.js';

/** The shortest time between two checks (the cron's and a config change's run regardless). */
export const CHECK_INTERVAL_MS = 10;

export class ClientEviction {
  readonly #srv: Server;
  /** The limit in bytes; 0 when client eviction is off. */
  limit = 0;
  /** INFO evicted_clients. */
  evicted = 0;
  #lastCheck = -Infinity;

  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** Recomputes the limit from maxmemory-clients and maxmemory (both call it on change). */
  applyConfig(): void {
    const cfg = this.#srv.config;
    const v = cfg.getNumber('maxmemory-clients');
    // A percent comes back negated (Config.getNumber): a share of maxmemory, none without it.
    this.limit = v >= 0 ? v : Math.floor((cfg.getNumber('maxmemory') * -v) / 100);
    this.#lastCheck = -Infinity;
  }

  /** End of an event-loop turn: checks unless the last check is under CHECK_INTERVAL_MS old. */
  afterTurn(): void {
    if (this.limit === 0) return;
    const t = performance.now();
    if (t - this.#lastCheck < CHECK_INTERVAL_MS) return;
    this.#lastCheck = t;
    this.check();
  }

  /** Closes clients, the largest first, until the clients' memory is under the limit. */
  check(): void {
    const limit = this.limit;
    if (limit === 0) return;
    const srv = this.#srv;
    let total = 0;
    const candidates: { c: Client; bytes: number }[] = [];
    for (const c of srv.clients.values()) {
      if (c.replica !== null || c.isMaster || c.closed) continue;
      const bytes = clientTotalMemory(c);
      total += bytes;
      if (!c.noEvict && !c.closeAsap) candidates.push({ c, bytes });
    }
    if (total < limit) return;
    candidates.sort((a, b) => b.bytes - a.bytes);
    for (const { c, bytes } of candidates) {
      if (total < limit) break;
      srv.log.notice(`Evicting client: ${clientInfoLine(c, srv.now)}`);
      c.kill();
      this.evicted++;
      total -= bytes;
    }
  }
}
