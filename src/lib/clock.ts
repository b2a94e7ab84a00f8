// Time source abstraction so expiry and stats logic can be tested with a
// controllable fake clock.

export interface Clock {
  /** Milliseconds since the Unix epoch, integer. */
  now(): number;
  /** Microseconds since the Unix epoch, integer. */
  nowUs(): number;
}

const anchorMs = Date.now();
const anchorHr = process.hrtime.bigint();

/**
 * Real clock: now() is Date.now(); nowUs() is a monotonic high resolution
 * counter anchored to the epoch time at module load (so it never goes back).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  nowUs: () => anchorMs * 1000 + Number((process.hrtime.bigint() - anchorHr) / 1000n),
};

/** Manually driven clock for tests; starts at `startMs` (default 0). */
export class FakeClock implements Clock {
  private us: number;

  constructor(startMs = 0) {
    this.us = Math.floor(startMs) * 1000;
  }

  now(): number {
    return Math.floor(this.us / 1000);
  }

  nowUs(): number {
    return this.us;
  }

  /** Sets the current time to ms (integer ms since epoch). */
  set(ms: number): void {
    this.us = Math.round(ms * 1000);
  }

  /** Moves time forward (or backward if negative) by ms; fractions allowed. */
  advance(ms: number): void {
    this.us += Math.round(ms * 1000);
  }
}
