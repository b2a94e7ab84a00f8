// LFU access counters as Redis defines them (evict.c): an 8-bit logarithmic counter plus the
// 16-bit time, in minutes, of its last decrement, packed as (minutes << 8) | counter.
//
// The counter grows with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1), so
// it saturates at 255 after about a million hits with the default factor 10; it decays by one
// per lfu-decay-time minutes of no access. New keys start at LFU_INIT_VAL so they are not
// evicted before they had a chance to be read.

export const LFU_INIT_VAL = 5;

/** Minutes clock, 16 bits, wrapping. */
export function lfuTimeInMinutes(now: number): number {
  return Math.floor(now / 60000) & 0xffff;
}

/** Minutes elapsed since ldt, handling wrap-around. */
export function lfuElapsedMinutes(ldt: number, now: number): number {
  const t = lfuTimeInMinutes(now);
  return t >= ldt ? t - ldt : 65535 - ldt + t;
}

export function lfuInitial(now: number): number {
  return (lfuTimeInMinutes(now) << 8) | LFU_INIT_VAL;
}

/** The counter after applying decay for the time elapsed since its last decrement. */
export function lfuDecrAndReturn(packed: number, now: number, decayTime: number): number {
  const ldt = packed >>> 8;
  const counter = packed & 0xff;
  const periods = decayTime > 0 ? Math.floor(lfuElapsedMinutes(ldt, now) / decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** Logarithmic increment of counter; returns the new packed value stamped with now. */
export function lfuIncr(counter: number, now: number, logFactor: number, random: () => number): number {
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    const p = 1 / (base * logFactor + 1);
    if (random() < p) counter++;
  }
  return (lfuTimeInMinutes(now) << 8) | counter;
}
