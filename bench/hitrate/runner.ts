// One server's part of the hit-rate simulator: size maxmemory so that a given number of keys fits
// (measured, not assumed), then replay a trace under one eviction policy and read back what the
// server kept.
//
// Calibration: into the empty, unlimited server (maxmemory 0), load K keys exactly as the replay
// writes them (same key length, value size and TTL, pipelined in the replay's batch size), and
// take bytes per key = the growth of INFO's used_memory / K. That includes the per-key share of
// the main dict's bucket array at that size (and of the expires dict with TTLs), which is why it
// is measured at each cache size rather than once. The keys are loaded once before measuring, so
// that the connection's query and reply buffers have already grown to their working size: they
// count in used_memory (and against maxmemory), and a fresh connection's are ~100 KB smaller.
//
// A run then starts from maxmemory = used_memory of the empty server + K × bytes per key, on the
// same connection. That alone is not enough at small sizes: client buffers, the allocator's size
// classes and the dict's power-of-two tables move used_memory by tens of KB, which is hundreds
// of keys at 1 % of 100,000. So during the warm-up (whose requests are not counted) the harness
// checks DBSIZE ten times and moves maxmemory by (K − DBSIZE) × bytes per key: down when more
// than K keys are held, up when fewer are held although the server is evicting (INFO stats
// evicted_keys grew). After the warm-up maxmemory stays fixed; DBSIZE at the end shows how many
// keys the server held.

import { parseInfoNumbers } from '../engine/measure.js';
import { replay, setRange, type CommandShape, type RespConnection, type ReplayResult } from './replay.js';
import type { Trace } from './workload.js';

// ---------------------------------------------------------------------------------------------
// Policies

export const ALLKEYS_POLICIES = ['allkeys-lru', 'allkeys-lfu', 'allkeys-random'] as const;
/** Need keys with a TTL: those rows give every key a long TTL. */
export const VOLATILE_POLICIES = ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const;
export const ALL_POLICIES: readonly string[] = [...ALLKEYS_POLICIES, ...VOLATILE_POLICIES];

/** TTL given to every key in the volatile-* rows: long enough that nothing expires in a run. */
export const VOLATILE_TTL_SECONDS = 100_000_000;

export function isVolatile(policy: string): boolean {
  return policy.startsWith('volatile-');
}

// ---------------------------------------------------------------------------------------------
// Calibration

export interface Calibration {
  /** Keys loaded (K). */
  keys: number;
  /** used_memory of the empty server. */
  emptyUsed: number;
  /** used_memory with the K keys. */
  loadedUsed: number;
  bytesPerKey: number;
  /** False when used_memory grew by less than the keys' own bytes (a nominal figure was used). */
  reliable: boolean;
}

/** Bytes of a key name (see replay.ts keyName). */
const KEY_BYTES = 10;
/** Per-key overhead assumed when used_memory cannot be read reliably (Redis: ~75 B + dict share). */
const NOMINAL_OVERHEAD = 80;

async function usedMemory(conn: RespConnection): Promise<number> {
  const v = parseInfoNumbers(await conn.ok(['INFO', 'memory'])).get('used_memory');
  if (v === undefined) throw new Error('INFO memory has no used_memory');
  return v;
}

/** INFO stats evicted_keys (0 when the server does not report it). */
async function evictedKeys(conn: RespConnection): Promise<number> {
  return parseInfoNumbers(await conn.ok(['INFO', 'stats'])).get('evicted_keys') ?? 0;
}

/**
 * Runs once every command the harness will send, so that everything a server allocates on a
 * command's first use is in place before any baseline is measured. Redis 7.0 (latency-tracking
 * yes, the default) allocates a latency histogram of ~24 KB per command name on its first call
 * and frees them on CONFIG RESETSTAT; five of them appearing mid-run (GET, SET, DBSIZE, INFO,
 * CONFIG SET) would take the room of ~600 keys. For the same reason the harness never sends
 * CONFIG RESETSTAT: evictions are counted as differences of INFO stats evicted_keys.
 */
export async function prime(conn: RespConnection): Promise<void> {
  await conn.ok(['SET', 'hitrate:prime', 'x']);
  await conn.command(['GET', 'hitrate:prime']);
  await conn.ok(['DBSIZE']);
  await conn.ok(['INFO', 'stats']);
  await conn.ok(['INFO', 'memory']);
  await conn.ok(['CONFIG', 'SET', 'maxmemory', '0']);
  await conn.ok(['FLUSHALL']);
}

/** Empties the server and lifts maxmemory (so that loading cannot evict). */
async function reset(conn: RespConnection): Promise<void> {
  await conn.ok(['CONFIG', 'SET', 'maxmemory', '0']);
  await conn.ok(['FLUSHALL']);
}

/**
 * Below this many keys, bytes per key is measured with this many: a few hundred keys' growth is
 * within the noise of the client buffers, and the warm-up's tuning corrects the rest.
 */
const MIN_CALIBRATION_KEYS = 1000;

/**
 * Measures the bytes per key of `keys` keys (at least MIN_CALIBRATION_KEYS) shaped as `shape` (see the file header). Leaves the
 * server empty and unlimited.
 */
export async function calibrate(conn: RespConnection, keys: number, shape: CommandShape, batch: number): Promise<Calibration> {
  const measured = Math.max(keys, MIN_CALIBRATION_KEYS);
  await reset(conn);
  // Grows the connection's buffers to working size: writes of twice the replay's batch, the most
  // a replay round trip carries (a batch of SETs in front of a batch of GETs).
  await setRange(conn, 0, measured, shape, 2 * batch);
  await reset(conn);
  const emptyUsed = await usedMemory(conn);
  await setRange(conn, 0, measured, shape, batch);
  const n = Number((await conn.ok(['DBSIZE'])).slice(1));
  if (n !== measured) throw new Error(`calibration: DBSIZE ${n} after loading ${measured} keys`);
  const loadedUsed = await usedMemory(conn);
  await reset(conn);
  const perKey = (loadedUsed - emptyUsed) / measured;
  // A server whose used_memory moves with garbage collection can even shrink while keys are added;
  // then a nominal figure (key, value and a dict entry's worth) stands in, and the warm-up's tuning
  // has to do the rest.
  const floor = shape.valueSize + KEY_BYTES;
  if (perKey >= floor) return { keys: measured, emptyUsed, loadedUsed, bytesPerKey: perKey, reliable: true };
  return { keys: measured, emptyUsed, loadedUsed, bytesPerKey: floor + NOMINAL_OVERHEAD, reliable: false };
}

// ---------------------------------------------------------------------------------------------
// One run

export type Verdict = 'ok' | 'no-eviction' | 'oom' | 'failed';

export interface CellResult {
  policy: string;
  /** Cache size as a fraction of the keyspace. */
  fraction: number;
  /** Keys that should fit (fraction × N). */
  targetKeys: number;
  maxmemory: number;
  replay: ReplayResult | null;
  /** DBSIZE after the replay. */
  dbsize: number | null;
  /** INFO stats evicted_keys during the run (null if the server does not report it). */
  evicted: number | null;
  /** maxmemory after the warm-up's tuning (the figure the counted requests ran under). */
  tunedMaxmemory: number;
  /** CONFIG SETs of maxmemory made by the warm-up's tuning. */
  adjustments: number;
  verdict: Verdict;
  /** Why the verdict is not 'ok'. */
  note: string | null;
}

export interface CellInput {
  trace: Trace;
  policy: string;
  fraction: number;
  targetKeys: number;
  calibration: Calibration;
  shape: CommandShape;
  warmup: number;
  batch: number;
  /** Requests per second to pace the replay to, or null. */
  rate: number | null;
  progress?: (done: number) => void;
}

/** DBSIZE checks (and maxmemory corrections) during the warm-up. */
const TUNING_STEPS = 10;
/** Share of the estimated correction applied per step (< 1 so an overestimated bytes/key cannot oscillate). */
const TUNING_GAIN = 0.8;
/** A run with more keys left than this many times what should fit did not evict. */
const NO_EVICTION_FACTOR = 1.5;
/** A run whose SETs were refused more often than this did not evict either (it answered OOM). */
const OOM_SHARE = 0.01;

/**
 * Runs one cell: empty the server, set the policy and maxmemory for `targetKeys` keys, replay the
 * trace, read DBSIZE and evicted_keys, lift maxmemory again. A server that keeps far more keys than
 * fit reports 'no-eviction'; one that refuses writes, 'oom'. Errors of the connection propagate.
 */
export async function runCell(conn: RespConnection, input: CellInput): Promise<CellResult> {
  const { trace, policy, fraction, targetKeys, calibration } = input;
  await reset(conn);
  const evictedBefore = await evictedKeys(conn);
  const base = await usedMemory(conn);
  const maxmemory = Math.ceil(base + targetKeys * calibration.bytesPerKey);
  const cell: CellResult = {
    policy, fraction, targetKeys, maxmemory, replay: null, dbsize: null, evicted: null, tunedMaxmemory: maxmemory, adjustments: 0,
    verdict: 'failed', note: null,
  };
  const configured = await conn.command(['CONFIG', 'SET', 'maxmemory-policy', policy]);
  if (configured.startsWith('-')) {
    cell.note = `CONFIG SET maxmemory-policy ${policy}: ${configured}`;
    return cell;
  }
  await conn.ok(['CONFIG', 'SET', 'maxmemory', String(maxmemory)]);
  const floor = Math.ceil(base + calibration.bytesPerKey);
  let lastEvicted = evictedBefore;
  let lastRefused = 0;
  const tune = async (_pos: number, sofar: ReplayResult): Promise<void> => {
    const held = Number((await conn.ok(['DBSIZE'])).slice(1));
    const evicted = await evictedKeys(conn);
    // Short of keys but full: evicting, or refusing SETs (maxmemory below the empty server's use).
    const full = evicted > lastEvicted || sofar.setErrors > lastRefused;
    lastEvicted = evicted;
    lastRefused = sofar.setErrors;
    if (held > targetKeys || (held < targetKeys && full)) {
      const step = TUNING_GAIN * (targetKeys - held) * calibration.bytesPerKey;
      const next = Math.max(floor, Math.round(cell.tunedMaxmemory + step));
      if (next === cell.tunedMaxmemory) return;
      await conn.ok(['CONFIG', 'SET', 'maxmemory', String(next)]);
      cell.tunedMaxmemory = next;
      cell.adjustments++;
    }
  };
  const r = await replay(conn, {
    ...input.shape,
    ids: trace.ids,
    idSpace: trace.idSpace,
    warmup: input.warmup,
    batch: input.batch,
    rate: input.rate,
    deadlineMs: 120_000 + trace.ids.length * 0.2 + (input.rate !== null ? (1500 * trace.ids.length) / input.rate : 0),
    checkpoints: { every: Math.max(1, Math.floor(input.warmup / TUNING_STEPS)), until: input.warmup, run: tune },
    ...(input.progress !== undefined ? { progress: input.progress } : {}),
  });
  cell.replay = r;
  cell.dbsize = Number((await conn.ok(['DBSIZE'])).slice(1));
  const evictedAfter = parseInfoNumbers(await conn.ok(['INFO', 'stats'])).get('evicted_keys');
  cell.evicted = evictedAfter !== undefined ? evictedAfter - evictedBefore : null;
  await conn.ok(['CONFIG', 'SET', 'maxmemory', '0']);
  const counted = r.counted;
  if (r.getErrors > 0) {
    cell.note = `${r.getErrors} GETs answered with an error`;
  } else if (counted > 0 && r.setErrorsCounted > OOM_SHARE * (counted - r.hits)) {
    cell.verdict = 'oom';
    cell.note = `${r.setErrorsCounted} SETs refused after the warm-up (${r.firstSetError ?? ''})`;
  } else if (cell.dbsize > NO_EVICTION_FACTOR * targetKeys + 64) {
    cell.verdict = 'no-eviction';
    cell.note = `DBSIZE ${cell.dbsize} after the run, ${targetKeys} fit`;
  } else {
    cell.verdict = 'ok';
    if (r.setErrorsCounted > 0) cell.note = `${r.setErrorsCounted} SETs refused after the warm-up (${r.firstSetError ?? ''})`;
  }
  return cell;
}
