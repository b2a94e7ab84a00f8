// V8 settings for a `shoal server` process, and giving the young generation back when idle.
// Not applied to embedded nodes (startServer), whose process belongs to the application.

import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { v8Gc } from '../lib/gc.js';

/**
 * Young-generation collections run on the main thread only: a parallel scavenge waits for its
 * helper threads, and on a machine whose cores are busy (the node's own load, its clients,
 * other servers) those threads wait for a core, which turned sub-millisecond scavenges into
 * 10-25 ms pauses (bench/results/engine.md). The young generation holds only per-command
 * garbage, so one thread scavenges it in well under 1 ms. Marking and sweeping of the old
 * generation stay concurrent. The young generation is capped (youngGenerationCap).
 */
export function tuneV8(): void {
  v8.setFlagsFromString('--no-parallel-scavenge');
  const capYoung = youngGenerationCap();
  const headroom = oldGenerationHeadroom();
  // One 'gc' performance observer for both (it never keeps the process alive).
  new PerformanceObserver((list) => {
    capYoung();
    if (list.getEntries().some(isFullCollection)) headroom();
  }).observe({ entryTypes: ['gc'] });
  capYoung();
  headroom();
}

function isFullCollection(e: PerformanceEntry): boolean {
  return (e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR;
}

/** Size of the young generation (both semi-spaces) beyond which V8 may not grow it. */
export const YOUNG_CAP_BYTES = 8 * 1024 * 1024;

function youngSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Keeps V8's young generation at about YOUNG_CAP_BYTES. Left alone, V8 grows it to its maximum
 * (2 x 16 MB semi-spaces) under any sustained load: 25-40 MB of RSS holding nothing but
 * per-command garbage, the largest single cost of a million-key node after its data
 * (bench/results/engine.md). The flag V8 reads at each growth, the semi-space growth factor, is
 * set to 1 while the young generation is at the cap and back to 2 below it (V8 shrinks it when
 * allocation slows, see IdleHeapRelease; a cap that stayed set then pinned it at 1-2 MB and
 * multiplied scavenges by 14). A scavenge costs its survivors, not its garbage, so a smaller
 * young generation means more scavenges of the same length: 2 MB costs about 8 % more CPU on
 * pipelined SETs, 4 MB about 2 %. The returned check runs after every collection (tuneV8), so
 * growth stops at the cap unless one event-loop task outgrows it by itself (module loading at
 * start does).
 */
function youngGenerationCap(): () => void {
  let capped = false;
  return (): void => {
    const atCap = youngSpaceBytes() >= YOUNG_CAP_BYTES;
    if (atCap === capped) return;
    capped = atCap;
    v8.setFlagsFromString(atCap ? '--semi-space-growth-factor=1' : '--semi-space-growth-factor=2');
  };
}

/** Room the old generation is given to grow between full collections while it is small. */
export const OLD_HEADROOM_BYTES = 32 * 1024 * 1024;
/** The largest growing percent set (a factor of 4, V8's own maximum for a normal heap). */
const MAX_GROWING_PERCENT = 300;

/**
 * V8's --heap-growing-percent for an old generation of usedBytes after a full collection: the
 * percent that lets it grow by OLD_HEADROOM_BYTES before the next (at most 300), or 0, which
 * leaves the factor to V8, once the old generation holds that much itself.
 */
export function growingPercentFor(usedBytes: number): number {
  if (usedBytes >= OLD_HEADROOM_BYTES) return 0;
  return Math.min(MAX_GROWING_PERCENT, Math.ceil((100 * OLD_HEADROOM_BYTES) / Math.max(usedBytes, 1)));
}

/**
 * Keeps full collections from following one another while the heap is small. A node's keys
 * and values live off the heap, so its old generation stays at 10-20 MB, and V8 set its next
 * limit about 12 MB above that. Under 1M pipelined SETs (-r 1M) it then started marking again
 * within 100-300 ms of each collection (--trace-incremental-marking: "Start (task)" with 12 MB
 * of room left; the ArrayBuffers allocated since, the arena's segments and the stream's slabs,
 * seem to count against that room: with 35 MB left it still starts every 1-1.3 s while the
 * arena grows): 8 mark-compacts on a master alone, 25 on a master with two replicas, 11 on a
 * replica. Marking and sweeping took 4.1-4.7 %, 9.1-12.1 % and 6.3-7.1 % of those processes'
 * CPU (perf, 2 runs each). (The arena's segments have since left V8's count: arena.ts.)
 *
 * The returned check runs after each full collection (tuneV8) and sets the growing percent
 * that leaves OLD_HEADROOM_BYTES of room (growingPercentFor); V8 reads it when it computes the
 * next limit. Measured the same way: 1.8-2.1 %, 3.4-4.3 % (6-8 mark-compacts) and 2.3-2.5 %,
 * for 0.5-0.7 MB more RSS at 865K keys. A larger old generation keeps V8's own factor, so its
 * growth is not multiplied.
 */
function oldGenerationHeadroom(): () => void {
  let percent = -1;
  return (): void => {
    const p = growingPercentFor(v8.getHeapStatistics().used_heap_size);
    if (p === percent) return;
    percent = p;
    v8.setFlagsFromString(`--heap-growing-percent=${p}`);
  };
}

/** Seconds of quiet after which the young generation is given back. */
export const IDLE_RELEASE_SECONDS = 6;
/** Most commands a second, and input bytes a second, that still count as quiet. */
const QUIET_COMMANDS = 100;
const QUIET_INPUT_BYTES = 64 * 1024;
/** Collections tried per quiet spell. */
const RELEASE_ATTEMPTS = 3;
/** Young generation at or below which there is nothing to give back (V8's 1 MB minimum). */
const YOUNG_MIN_BYTES = 1024 * 1024;

/** What IdleHeapRelease watches: counters that only move with the node's traffic. */
export interface Activity {
  commands(): number;
  inputBytes(): number;
}

/**
 * Gives the young generation back once the node has been quiet for IDLE_RELEASE_SECONDS.
 *
 * Under load the young generation sits at its cap (8 MB, all of it resident); when the load
 * stops it stays there, because V8 shrinks it only at a collection that sees a low allocation
 * rate, and a quiet node allocates too little to collect at all. So after a few quiet seconds
 * (more than the 5 s over which V8 measures the allocation rate) this runs one young-generation
 * collection: V8 then shrinks the young generation to 1 MB and returns the rest to the system.
 * One more, at the first quiet second, closes the burst's allocation event (see tick()). It
 * costs two scavenges of an almost empty young generation (a few milliseconds at most, of
 * any heap size), once per quiet spell; when traffic resumes the young generation grows back to
 * the cap within a few collections. Measured: a node holding 1M keys goes from 205 to 198 MB
 * RSS (bench/results/engine.md). V8's own memory reducer does this only after an old-generation
 * collection, which a node whose keys live off the heap seldom has.
 *
 * The collection is V8's gc() (v8Gc). If that is out of reach (another runtime), nothing is
 * released and the node runs as before.
 */
export class IdleHeapRelease {
  readonly #activity: Activity;
  readonly #onRelease: (beforeBytes: number, afterBytes: number, ms: number) => void;
  #lastCommands: number;
  #lastInput: number;
  #quietSeconds = 0;
  #attempts = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(activity: Activity, onRelease: (beforeBytes: number, afterBytes: number, ms: number) => void) {
    this.#activity = activity;
    this.#onRelease = onRelease;
    this.#lastCommands = activity.commands();
    this.#lastInput = activity.inputBytes();
  }

  /** Checks once a second from now on (an unref'd timer: it never keeps the node alive). */
  start(): void {
    this.#timer ??= setInterval(() => this.tick(), 1000);
    this.#timer.unref();
  }

  /** One second's check. Returns true when it ran a collection. */
  tick(): boolean {
    const commands = this.#activity.commands();
    const input = this.#activity.inputBytes();
    // Counters may also go down (CONFIG RESETSTAT): any large move is traffic.
    const quiet = Math.abs(commands - this.#lastCommands) < QUIET_COMMANDS && Math.abs(input - this.#lastInput) < QUIET_INPUT_BYTES;
    this.#lastCommands = commands;
    this.#lastInput = input;
    if (!quiet) {
      this.#quietSeconds = 0;
      this.#attempts = 0;
      return false;
    }
    this.#quietSeconds++;
    if (this.#quietSeconds === 1) {
      // A checkpoint: V8 counts the bytes allocated between collections as one event, so the
      // first collection after a burst would charge the burst's last megabytes to the quiet
      // spell and read a high allocation rate (then it keeps the space: measured, about one
      // quiet spell in three after a 1M-key load released nothing at the first attempt). A
      // collection now closes the burst's event; the one below then sees only quiet seconds.
      if (youngSpaceBytes() > YOUNG_MIN_BYTES) v8Gc()?.({ type: 'minor' });
      return false;
    }
    if (this.#attempts >= RELEASE_ATTEMPTS || this.#quietSeconds < IDLE_RELEASE_SECONDS * (this.#attempts + 1)) return false;
    const before = youngSpaceBytes();
    if (before <= YOUNG_MIN_BYTES) return false;
    const gc = v8Gc();
    if (gc === null) return false;
    // V8 may keep the space when its allocation-rate window still holds the last burst (or the
    // node's start): then it tries again IDLE_RELEASE_SECONDS later, a few times per quiet spell.
    this.#attempts++;
    const t0 = performance.now();
    // A young collection: its pause does not grow with the heap. (A full one would also compact
    // the old generation, but measured no lower RSS at 1M keys, and pauses with the heap's size.)
    gc({ type: 'minor' });
    this.#onRelease(before, youngSpaceBytes(), performance.now() - t0);
    return true;
  }
}
