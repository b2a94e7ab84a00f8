// Large values (a Shoal extension): string values written at or over large-value-threshold
// bytes (default 1 MB, 0 = off) are counted and logged, so an operator finds the keys that
// make latency spiky and replication heavy before they become a problem.
//
// The store reports every string record it creates or resizes to such a length (one
// comparison per write while on: Store.largeValueBytes / onLargeValue). Each report counts in
// INFO largevalues; a warning names the key, its size and database, at most one line every
// LOG_INTERVAL_MS, the next line saying how many were not logged meanwhile.
//
// With large-value-compression yes such values are also kept deflated (the runtime's zlib,
// level 1: about 100+ MB/s), invisibly to clients: the store inflates one when a command
// looks it up and deflates it again after the command (store.ts). Reads of a compressed value
// pay the inflate; writes pay both.

import { performance } from 'node:perf_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Server } from '../server.js';
import type { Compressor } from '../keyspace/store.js';
import type { Database } from '../keyspace/database.js';

/** Deflate level 1: large values are compressed inline, so speed matters more than ratio. */
export const deflateCompressor: Compressor = {
  compress: (src) => deflateRawSync(src, { level: 1 }),
  decompress: (src, rawLen) => {
    const out = inflateRawSync(src);
    if (out.length !== rawLen) throw new Error(`compressed value holds ${out.length} bytes, not ${rawLen}`);
    return out;
  },
};

/** At most one log line per this many milliseconds. */
const LOG_INTERVAL_MS = 10_000;
/** Longest key printed in a log line. */
const KEY_PRINT_MAX = 128;

/** A key as a log line shows it: printable ASCII kept, other bytes as \xNN, cut at 128 bytes. */
function printable(key: Uint8Array): string {
  let out = '';
  const n = Math.min(key.length, KEY_PRINT_MAX);
  for (let i = 0; i < n; i++) {
    const b = key[i];
    out += b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x22 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return key.length > n ? `${out}...` : out;
}

export class LargeValues {
  /** Writes that left a value at or over the threshold (INFO large_values_written). */
  written = 0;
  /** The largest such value seen, in bytes. */
  maxBytes = 0;
  /** Writes not logged because of the rate limit (all time, and since the last line). */
  suppressed = 0;
  #pending = 0;
  #lastLog = -Infinity;
  #threshold = 0;
  #compress = false;
  readonly #srv: Server;

  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** Reads large-value-threshold now and on every CONFIG SET of it. */
  static attach(srv: Server): LargeValues {
    const lv = new LargeValues(srv);
    const apply = (): void => lv.configure(srv.config.getNumber('large-value-threshold'), srv.config.getBool('large-value-compression'));
    apply();
    srv.config.onChange('large-value-threshold', apply);
    srv.config.onChange('large-value-compression', apply);
    return lv;
  }

  /**
   * The threshold in bytes (0 = off) and whether values over it are kept compressed; installs
   * or removes the store's report and compressor. Values compressed earlier stay so, and are
   * still read, when compression is turned off; they are stored plain at their next write.
   */
  configure(threshold: number, compress = false): void {
    this.#threshold = threshold;
    const store = this.#srv.keyspace.store;
    store.largeValueBytes = threshold > 0 ? threshold : Infinity;
    store.onLargeValue = threshold > 0 ? this.#report : null;
    this.#compress = compress && threshold > 0;
    // Kept while compressed values remain, so they can still be read.
    if (this.#compress || store.compressedCount === 0) store.compressor = this.#compress ? deflateCompressor : null;
    store.compressNew = this.#compress;
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.written = 0;
    this.maxBytes = 0;
    this.suppressed = 0;
  }

  readonly #report = (id: number, bytes: number): void => {
    this.written++;
    if (bytes > this.maxBytes) this.maxBytes = bytes;
    const srv = this.#srv;
    const now = performance.now();
    if (now - this.#lastLog < LOG_INTERVAL_MS) {
      this.suppressed++;
      this.#pending++;
      return;
    }
    this.#lastLog = now;
    const db: Database | null = srv.executingClient?.db ?? null;
    const key = srv.keyspace.store.keyCopy(id);
    const more = this.#pending > 0 ? ` (${this.#pending} more large value writes were not logged in the last ${LOG_INTERVAL_MS / 1000} s)` : '';
    this.#pending = 0;
    srv.log.warning(
      `Large value: ${bytes} bytes written to key "${printable(key)}"${db === null ? '' : ` in db ${db.id}`} (large-value-threshold ${this.#threshold})${more}`,
    );
  };

  /** INFO largevalues fields. */
  info(): [string, string | number][] {
    return [
      ['large_value_threshold', this.#threshold],
      ['large_values_written', this.written],
      ['large_value_max_bytes', this.maxBytes],
      ['large_value_log_suppressed', this.suppressed],
      ['large_value_compression', this.#compress ? 'yes' : 'no'],
      ['large_values_compressed', this.#srv.keyspace.store.compressedCount],
    ];
  }
}
