// Server-wide counters reported by INFO stats / errorstats and reset by CONFIG RESETSTAT.

export class ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Replication stream bytes read from the master / written to replicas. */
  netReplInputBytes = 0;
  netReplOutputBytes = 0;
  /** Full syncs served, partial resyncs accepted and refused (sync_full, sync_partial_*). */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  totalReadsProcessed = 0;
  totalWritesProcessed = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  /** Error reply counts by their first word (ERR, WRONGTYPE, ...), as INFO errorstats lists them. */
  errors = new Map<string, number>();
  /** Ops/sec sampling for instantaneous_ops_per_sec (Redis samples every 100 ms, 16 samples). */
  #opsSamples = new Float64Array(16);
  #opsIdx = 0;
  #lastSampleTime = 0;
  #lastSampleCount = 0;
  /** Same sampling for instantaneous_input_kbps / instantaneous_output_kbps. */
  #inSamples = new Float64Array(16);
  #outSamples = new Float64Array(16);
  #lastIn = 0;
  #lastOut = 0;

  recordError(text: string): void {
    this.totalErrorReplies++;
    const sp = text.indexOf(' ');
    const prefix = sp < 0 ? text : text.slice(0, sp);
    // Redis caps the number of distinct error codes it tracks at 128.
    if (this.errors.size >= 128 && !this.errors.has(prefix)) return;
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
  }

  /** Called from the cron: one instantaneous ops/sec sample. */
  sampleOps(nowMs: number): void {
    const dt = nowMs - this.#lastSampleTime;
    if (dt < 100) return;
    const ops = this.totalCommandsProcessed - this.#lastSampleCount;
    this.#opsSamples[this.#opsIdx] = (ops * 1000) / dt;
    this.#inSamples[this.#opsIdx] = (this.netInputBytes - this.#lastIn) / dt; // bytes/ms = kB/s
    this.#outSamples[this.#opsIdx] = (this.netOutputBytes - this.#lastOut) / dt;
    this.#lastIn = this.netInputBytes;
    this.#lastOut = this.netOutputBytes;
    this.#opsIdx = (this.#opsIdx + 1) % 16;
    this.#lastSampleTime = nowMs;
    this.#lastSampleCount = this.totalCommandsProcessed;
  }

  get instantaneousOps(): number {
    let s = 0;
    for (const v of this.#opsSamples) s += v;
    return Math.round(s / 16);
  }

  /** Average of the input / output byte-rate samples, in KiB/s as Redis reports them. */
  get instantaneousInputKbps(): number {
    let s = 0;
    for (const v of this.#inSamples) s += v;
    return (s / 16) * (1000 / 1024);
  }

  get instantaneousOutputKbps(): number {
    let s = 0;
    for (const v of this.#outSamples) s += v;
    return (s / 16) * (1000 / 1024);
  }

  reset(): void {
    this.totalConnectionsReceived = 0;
    this.totalCommandsProcessed = 0;
    this.rejectedConnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.netReplInputBytes = 0;
    this.netReplOutputBytes = 0;
    this.syncFull = 0;
    this.syncPartialOk = 0;
    this.syncPartialErr = 0;
    this.totalReadsProcessed = 0;
    this.totalWritesProcessed = 0;
    this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = 0;
    this.errors.clear();
    this.#opsSamples.fill(0);
    this.#inSamples.fill(0);
    this.#outSamples.fill(0);
    this.#lastSampleCount = 0;
    this.#lastIn = 0;
    this.#lastOut = 0;
  }
}
