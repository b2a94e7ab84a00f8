// Seeded request streams for the hit-rate simulator: Zipf-distributed key popularity over N keys,
// and the same stream polluted by sequential one-time scans over cold keys.
//
// A trace is a Uint32Array of key ids. Ids 0..N-1 are the keyspace whose popularity follows the
// Zipf law (rank r, 1-based, is requested with probability r^-s / H(N, s)); ranks are mapped to
// ids through a seeded permutation, so popularity is unrelated to the id's order. Scan requests
// use ids N, N+1, N+2, ... in order, each exactly once: they are the "cold" keys that a scan
// drags through the cache and that are never asked for again.
//
// Everything is a pure function of its parameters and the seed, so every run (and every server
// in a run) replays exactly the same requests.

import { createRng, type Rng } from '../../src/lib/rng.js';

// ---------------------------------------------------------------------------------------------
// Zipf sampler

/**
 * Exact Zipf(s) sampler over ranks 1..n: the cumulative weights are precomputed once (n doubles)
 * and each draw is one uniform variate and a binary search (log2 n steps). Exact up to the
 * rounding of the summed weights (relative error ~n·2^-53), with no approximation of the law
 * itself, unlike rejection-free approximations of the harmonic sum.
 */
export class ZipfSampler {
  readonly n: number;
  readonly s: number;
  /** #cdf[i] = sum of (k+1)^-s for k = 0..i (unnormalized). */
  #cdf: Float64Array;
  #total: number;

  constructor(n: number, s: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('Zipf needs n >= 1');
    if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError('Zipf needs a finite exponent s >= 0');
    this.n = n;
    this.s = s;
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += Math.pow(i + 1, -s);
      this.#cdf[i] = sum;
    }
    this.#total = sum;
  }

  /** Probability of rank r (1-based). */
  probability(r: number): number {
    if (r < 1 || r > this.n) return 0;
    return Math.pow(r, -this.s) / this.#total;
  }

  /** One draw: a rank from 0 (the most popular) to n-1. */
  sampleRank(rng: Rng): number {
    const u = rng.next() * this.#total;
    const cdf = this.#cdf;
    // Smallest i with cdf[i] > u; u < total = cdf[n-1], so it exists.
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** A seeded random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i] ?? 0;
    p[i] = p[j] ?? 0;
    p[j] = t;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Workloads

export interface WorkloadSpec {
  /** Short name used on the command line and in the report, e.g. `zipf-0.99`, `scan`. */
  name: string;
  /** Zipf exponent of the popular keys. */
  s: number;
  /** Fraction of requests that belong to scans (0 = plain Zipf). */
  scanFraction: number;
  /** Requests per scan (consecutive cold keys); unused when scanFraction is 0. */
  scanLength: number;
}

export interface Trace {
  spec: WorkloadSpec;
  /** Size N of the Zipf keyspace (ids 0..N-1); cache sizes are fractions of it. */
  keys: number;
  /** Key ids in request order. */
  ids: Uint32Array;
  /** One more than the largest id used (N plus the cold keys the scans used). */
  idSpace: number;
  /** Requests that belong to scans. */
  scanRequests: number;
}

export interface TraceParams {
  keys: number;
  requests: number;
  seed: number;
}

/**
 * The requests of one workload. Plain Zipf when `scanFraction` is 0. Otherwise each Zipf request
 * is followed, with probability f / ((1 - f) · L), by a scan of L consecutive never-seen cold keys,
 * so that on average a fraction f of all requests are scan requests, in runs of L (the last scan
 * is cut at the end of the trace). The seed is mixed with the workload's parameters, so workloads
 * differ from each other but each is the same in every run with the same seed.
 */
export function generateTrace(spec: WorkloadSpec, params: TraceParams): Trace {
  const { keys, requests } = params;
  const rng = createRng(mixSeed(params.seed, spec));
  const zipf = new ZipfSampler(keys, spec.s);
  const perm = permutation(keys, rng);
  const ids = new Uint32Array(requests);
  const f = spec.scanFraction;
  const len = Math.max(1, Math.floor(spec.scanLength));
  const startP = f > 0 ? Math.min(1, f / ((1 - f) * len)) : 0;
  let cold = keys;
  let scanRequests = 0;
  let i = 0;
  while (i < requests) {
    ids[i++] = perm[zipf.sampleRank(rng)] ?? 0;
    if (startP > 0 && rng.next() < startP) {
      const end = Math.min(requests, i + len);
      while (i < end) {
        ids[i++] = cold++;
        scanRequests++;
      }
    }
  }
  return { spec, keys, ids, idSpace: cold, scanRequests };
}

/** A 32-bit seed from the run's seed and the workload's parameters (FNV-1a over its name). */
function mixSeed(seed: number, spec: WorkloadSpec): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = `${spec.name}|${spec.s}|${spec.scanFraction}|${spec.scanLength}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The workloads of issue 5: Zipf 0.8, 0.99 and 1.2, and Zipf 0.99 with 20 % scan requests. */
export function standardWorkloads(keys: number, scanFraction: number, scanLength: number | null): WorkloadSpec[] {
  const len = scanLength ?? Math.max(1, Math.floor(keys / 100));
  return [
    { name: 'zipf-0.8', s: 0.8, scanFraction: 0, scanLength: 0 },
    { name: 'zipf-0.99', s: 0.99, scanFraction: 0, scanLength: 0 },
    { name: 'zipf-1.2', s: 1.2, scanFraction: 0, scanLength: 0 },
    { name: 'scan', s: 0.99, scanFraction, scanLength: len },
  ];
}
