// CLIENT PAUSE / UNPAUSE: suspends normal clients' commands for a while.
//
// Redis 7.0 semantics: PAUSE ALL holds every command; PAUSE WRITE holds commands that may
// change the dataset (write or may_replicate flags). A held client stops processing its input
// where it is; when the pause ends (timeout or CLIENT UNPAUSE) its held command is run and
// its remaining pipeline continues, in the order the clients were held. While writes are
// paused, keys are not expired or evicted (they read as missing but stay in memory), so a
// failover can take a consistent view of the dataset.
//
// A shutdown waiting for its replicas (Redis's PAUSE_DURING_SHUTDOWN) and a FAILOVER waiting for
// one to catch up (PAUSE_DURING_FAILOVER) hold writes the same way, apart from CLIENT PAUSE:
// CLIENT UNPAUSE does not lift them, only their end does.

import { F, type Command } from '../command-table.js';
import type { Client } from './client.js';
import type { ExpiryPolicy } from '../keyspace/database.js';

export type PauseType = 'write' | 'all';

/** What holds writes apart from CLIENT PAUSE. */
export type HoldPurpose = 'shutdown' | 'failover';

export class PauseState {
  type: PauseType | null = null;
  /** Absolute end time in ms. */
  end = 0;
  #held: { c: Client; argv: Buffer[] }[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** Writes held apart from CLIENT PAUSE (hold()). */
  readonly #holds = new Set<HoldPurpose>();
  /** The node's lazy-expiry switch, held off during the pause (restored at its end). */
  readonly #expiry: ExpiryPolicy;
  readonly #onEnd: (held: { c: Client; argv: Buffer[] }[]) => void;
  readonly #now: () => number;

  constructor(now: () => number, expiry: ExpiryPolicy, onEnd: (held: { c: Client; argv: Buffer[] }[]) => void) {
    this.#now = now;
    this.#expiry = expiry;
    this.#onEnd = onEnd;
  }

  /** True while writes are paused (expiry and eviction must hold off). */
  get writesPaused(): boolean {
    return this.type !== null || this.#holds.size > 0;
  }

  /**
   * Holds writes (and expiry) for `purpose` (a shutdown waiting for its replicas, a FAILOVER
   * waiting for one), or (on = false: it ended, was aborted or failed) lets them go unless a
   * CLIENT PAUSE or another purpose still holds them.
   */
  hold(purpose: HoldPurpose, on: boolean): void {
    if (this.#holds.has(purpose) === on) return;
    if (on) {
      this.#holds.add(purpose);
      this.#expiry.paused = true;
      return;
    }
    this.#holds.delete(purpose);
    if (this.type === null && this.#holds.size === 0) {
      this.#expiry.paused = false;
      this.#release();
    }
  }

  /**
   * Starts or extends a pause. As in Redis, a new pause never shortens an existing one nor
   * weakens ALL to WRITE while the longer one lasts. Until it ends, reads of expired keys
   * report them missing without deleting them (Redis 7.0: no expiry during a pause, so
   * expired_keys and DBSIZE do not move).
   */
  pause(type: PauseType, end: number): void {
    if (this.type === null || end > this.end) this.end = end;
    if (this.type !== 'all') this.type = type;
    this.#expiry.paused = true;
    this.#arm();
  }

  unpause(): void {
    this.type = null;
    this.end = 0;
    // A replica keeps deletion off on its own (ExpiryPolicy.replica).
    this.#expiry.paused = this.#holds.size > 0;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    // Writes a shutdown or a failover still holds are held again when they are dispatched.
    this.#release();
  }

  #release(): void {
    const held = this.#held;
    this.#held = [];
    this.#onEnd(held);
  }

  /** True if the command must wait for the pause to end. */
  /** Whether cmd must wait; `extraFlags` adds flags it carries (EXEC: its queued writes). */
  blocks(cmd: Command, extraFlags = 0): boolean {
    if (this.#holds.size > 0 && ((cmd.flags | extraFlags) & (F.write | F.mayReplicate)) !== 0) return true;
    if (this.type === null) return false;
    if (this.#now() >= this.end) {
      this.unpause();
      return false;
    }
    return this.type === 'all' || ((cmd.flags | extraFlags) & (F.write | F.mayReplicate)) !== 0;
  }

  suspend(c: Client, argv: Buffer[]): void {
    c.suspended = true;
    // The arguments are views into a read buffer that is reused: keep copies.
    this.#held.push({ c, argv: argv.map((a) => Buffer.from(a)) });
  }

  /** Paused clients count (INFO clients: blocked_clients includes them in Redis 7.0). */
  get heldCount(): number {
    return this.#held.length;
  }

  #arm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const delay = Math.max(0, this.end - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.type !== null && this.#now() >= this.end) this.unpause();
      else if (this.type !== null) this.#arm();
    }, Math.min(delay, 2 ** 31 - 1));
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
