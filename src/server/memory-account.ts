// The node's accounted memory: the figure INFO reports as used_memory and maxmemory compares
// against (Redis's zmalloc_used_memory()).
//
// Redis counts every allocation as it happens. A Node process cannot: the V8 heap moves with
// garbage not yet collected and reading it costs a call into the runtime, so an eviction check
// before every command could neither trust nor afford it. Shoal counts what the node holds on
// purpose instead, which changes only when data changes:
//
//   used = startup + (keyspace bytes - keyspace bytes at startup) + client buffers
//
//  - startup: heap in use plus off-heap buffers of the process when the node was built,
//    measured once (used_memory_startup). It includes the empty keyspace, hence the
//    subtraction of the keyspace's own figure at that moment.
//  - keyspace bytes: Keyspace.bytes() — arena bytes handed out (records, index tables), entry
//    metadata, volatile/slot arrays and the aggregates' heap estimates. O(databases), exact for
//    strings, estimated for aggregates (types/heap-cost.ts).
//  - client buffers: query buffers, reply buffers and bytes the sockets have not taken yet of
//    every normal client (Redis counts them too; it leaves out replica buffers and the AOF
//    buffer, which Shoal does not have yet). Summing them is O(clients), so the figure is
//    refreshed by the cron and by INFO, and the eviction check reads the last sum.
//
// What is not counted: the rest of the JS heap (Pub/Sub and tracking tables, the slow log,
// command state) and its garbage. Those show in the RSS (mem_fragmentation_ratio = rss / used).

import type { Server } from './server.js';

/** Idle time after which a client's kept big-argument buffer is dropped. */
const SPARE_IDLE_MS = 2000;

export class MemoryAccount {
  readonly #srv: Server;
  /** used_memory_startup. */
  readonly startup: number;
  /** The keyspace's bytes() when `startup` was measured (already inside it). */
  readonly #keyspaceAtStart: number;
  /** The clients' buffers at the last refresh. */
  #clients = 0;
  /** used_memory_peak: the highest used() seen. */
  #peak: number;

  constructor(srv: Server) {
    this.#srv = srv;
    const m = process.memoryUsage();
    this.startup = m.heapUsed + m.external;
    this.#keyspaceAtStart = srv.keyspace.bytes();
    this.#peak = this.startup;
  }

  get peak(): number {
    return this.#peak;
  }

  /**
   * Re-sums the clients' query and output buffers (O(clients): the cron and INFO call it) and
   * returns the total.
   */
  refreshClients(): number {
    let n = 0;
    const now = this.#srv.clock.now();
    for (const c of this.#srv.clients.values()) {
      // A client idle for 2 s gives back the buffer kept for its next big argument (as Redis
      // trims an idle client's query buffer). Like the reply writer's pool of large buffers,
      // it is a cache of free memory, which used_memory leaves out as Redis leaves out the
      // allocator's: it shows in RSS.
      if (c.parser.spareBytes > 0 && now - c.lastInteraction > SPARE_IDLE_MS) c.parser.releaseSpare();
      n += c.parser.pendingBytes + c.socket.writableLength + c.w.length;
    }
    this.#clients = n;
    return n;
  }

  /** used_memory (see the file header); also moves the peak. O(databases). */
  used(): number {
    const u = Math.max(0, this.startup + this.#srv.keyspace.bytes() - this.#keyspaceAtStart + this.#clients);
    if (u > this.#peak) this.#peak = u;
    return u;
  }

  /**
   * used_memory_overhead: the startup baseline, the clients' buffers and the keyspace's
   * bookkeeping (metadata, indexes: Keyspace.memory().overhead) beyond what the empty keyspace
   * held at startup, which the baseline includes. used_memory minus this is the dataset: the
   * records and the aggregate values.
   */
  overhead(): number {
    const grown = this.#srv.keyspace.memory().overhead - this.#keyspaceAtStart;
    return Math.min(this.used(), this.startup + this.#clients + Math.max(0, grown));
  }

  /**
   * Memory left out of the maxmemory comparison (mem_not_counted_for_evict): Redis's replica
   * output buffers beyond the backlog and its AOF buffer. Shoal has neither yet.
   */
  notCountedForEvict(): number {
    return 0;
  }
}
