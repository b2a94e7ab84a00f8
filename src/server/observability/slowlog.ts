// SLOWLOG: commands whose execution exceeded slowlog-log-slower-than microseconds, newest
// first, at most slowlog-max-len entries. Arguments are trimmed as Redis trims them: at most
// 32 arguments (the last one replaced by "... (N more arguments)") and 128 bytes per argument
// ("... (N more bytes)").

export interface SlowlogEntry {
  id: number;
  time: number; // unix seconds
  durationUs: number;
  argv: Buffer[];
  peer: string;
  name: string;
}

const MAX_ARGC = 32;
const MAX_STRING = 128;

export class Slowlog {
  entries: SlowlogEntry[] = [];
  #nextId = 0;

  /** Records a command if it was slow enough. thresholdUs < 0 disables; 0 logs everything. */
  maybeLog(opts: { argv: Buffer[]; durationUs: number; thresholdUs: number; maxLen: number; nowMs: number; peer: string; name: string }): void {
    if (opts.thresholdUs < 0 || opts.durationUs < opts.thresholdUs) return;
    const argc = Math.min(opts.argv.length, MAX_ARGC);
    const argv: Buffer[] = [];
    for (let i = 0; i < argc; i++) {
      if (argc !== opts.argv.length && i === argc - 1) {
        argv.push(Buffer.from(`... (${opts.argv.length - argc + 1} more arguments)`));
      } else {
        const a = opts.argv[i];
        argv.push(
          a.length > MAX_STRING
            ? Buffer.concat([a.subarray(0, MAX_STRING), Buffer.from(`... (${a.length - MAX_STRING} more bytes)`)])
            : Buffer.from(a),
        );
      }
    }
    this.entries.unshift({
      id: this.#nextId++,
      time: Math.floor(opts.nowMs / 1000),
      durationUs: Math.round(opts.durationUs),
      argv,
      peer: opts.peer,
      name: opts.name,
    });
    this.trim(opts.maxLen);
  }

  trim(maxLen: number): void {
    if (this.entries.length > maxLen) this.entries.length = Math.max(0, maxLen);
  }

  reset(): void {
    this.entries = [];
  }
}
