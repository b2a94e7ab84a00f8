// The keyspace's hash function: 32-bit MurmurHash3 over key bytes with a per-process random
// seed, so a client cannot choose keys that all land in one probe run (hash flooding), as
// Redis seeds its SipHash.

import { randomBytes } from 'node:crypto';

let SEED = randomBytes(4).readUInt32LE(0);

/** Sets the seed (tests that need a reproducible table layout). */
export function setHashSeed(seed: number): void {
  SEED = seed >>> 0;
}

/** MurmurHash3_x86_32 of b[start, end). */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = SEED;
  let i = start;
  const stop = end - 3;
  for (; i < stop; i += 4) {
    let k = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = b[i];
    if (rest > 1) k |= b[i + 1] << 8;
    if (rest > 2) k |= b[i + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
