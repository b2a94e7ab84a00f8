// Small fast seeded PRNG (sfc32 over 32-bit integers) for sampling, e.g.
// RANDOMKEY, SPOP, eviction candidates; deterministic when seeded.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (0 when n <= 1). */
  int(n: number): number;
}

/** sfc32 generator state stepped in place; returns a uint32 per call. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
}

/**
 * Creates a generator. Equal seeds give equal sequences; without a seed it is
 * seeded from Math.random.
 */
export function createRng(seed?: number): Rng {
  const s = seed === undefined ? Math.floor(Math.random() * 2 ** 32) : seed >>> 0;
  const hi = seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Math.floor(seed / 2 ** 32) >>> 0;
  const u32 = sfc32(0x9e3779b9, s, hi, 1);
  for (let i = 0; i < 15; i++) u32(); // mix the seed into the state
  return {
    next: () => u32() / 4294967296,
    int: (n: number) => (n <= 1 ? 0 : Math.floor((u32() / 4294967296) * n)),
  };
}
