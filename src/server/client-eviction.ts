// Client eviction (maxmemory-clients), as Redis 7.0 does it: when the memory of the normal and
// Pub/Sub clients together (CLIENT LIST's tot-mem: query buffer, with a big argument at its
// announced length, output the socket holds, a fixed part) reaches the limit, clients are
// closed, the largest first, until it is under the limit again. Each one is logged ("Evicting
// client: <CLIENT LIST line>") and counted in INFO's evicted_clients. Not evicted, though
// counted: clients with CLIENT NO-EVICT on. Neither evicted nor counted: replicas and the master
// (their memory has its own limits).
//
// The limit is bytes, or a percent of maxmemory ("5%", none without maxmemory); 0 turns it off.
//
// When it is checked: at the end of every event-loop turn that ran commands or read input (the
// output manager's end-of-turn run), and from the cron. Redis keeps clients in memory buckets
// updated as their buffers change and checks before it sleeps; here a check sums every client:
// about 50 ns a client (0.25 ms with 5,000 clients, measured on an embedded node), so the
// end-of-turn checks are spaced to take at most 1/CHECK_SHARE of the time, and at least
// CHECK_INTERVAL_MS apart. A client's buffers can outgrow the limit for that long before it is
// closed.

import { performance } from 'node:perf_hooks';
import type { Server } from './server.js';
import type { Client } from './network/client.js';
import { clientInfoLine, clientTotalMemory } from './handlers/connection-client.js';

/** The shortest time between two end-of-turn checks (the cron's run regardless). */
export const CHECK_INTERVAL_MS = 10;
/** End-of-turn checks are spaced by at least this many times their own duration. */
const CHECK_SHARE = 50;

export class ClientEviction {
  readonly #srv: Server;
  /** The limit in bytes; 0 when client eviction is off. */
  limit = 0;
  /** INFO evicted_clients. */
  evicted = 0;
  /** performance.now() before which no end-of-turn check runs. */
  #nextCheck = 0;

  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** Recomputes the limit from maxmemory-clients and maxmemory (both call it on change). */
  applyConfig(): void {
    const cfg = this.#srv.config;
    const v = cfg.getNumber('maxmemory-clients');
    // A percent comes back negated (Config.getNumber): a share of maxmemory, none without it.
    this.limit = v >= 0 ? v : Math.floor((cfg.getNumber('maxmemory') * -v) / 100);
    this.#nextCheck = 0;
  }

  /** End of an event-loop turn: checks, unless the last one was too recent (see the header). */
  afterTurn(): void {
    if (this.limit === 0) return;
    const t = performance.now();
    if (t < this.#nextCheck) return;
    this.check();
    this.#nextCheck = t + Math.max(CHECK_INTERVAL_MS, (performance.now() - t) * CHECK_SHARE);
  }

  /** Closes clients, the largest first, until the clients' memory is under the limit. */
  check(): void {
    const limit = this.limit;
    if (limit === 0) return;
    const srv = this.#srv;
    // Summed first without allocating: the common case is under the limit.
    let total = 0;
    for (const c of srv.clients.values()) if (counted(c)) total += clientTotalMemory(c);
    if (total < limit) return;
    const candidates: { c: Client; bytes: number }[] = [];
    for (const c of srv.clients.values()) {
      if (counted(c) && !c.noEvict && !c.closeAsap) candidates.push({ c, bytes: clientTotalMemory(c) });
    }
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

/** Whether c's memory counts toward maxmemory-clients: normal and Pub/Sub clients still open. */
function counted(c: Client): boolean {
  return c.replica === null && !c.isMaster && !c.closed;
}
