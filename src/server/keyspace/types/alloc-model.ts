// The allocation model MEMORY USAGE uses to report what Redis 7.0 would (jemalloc size
// classes, sds headers, dict tables). Shoal's own memory is accounted elsewhere (the arena,
// INFO memory); these figures exist so that tools reading MEMORY USAGE (redis-cli --memkeys,
// --bigkeys) see numbers comparable to Redis's.

/** jemalloc's size class for an n-byte request (8, 16-byte steps to 128, then 4 per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  const lg = Math.floor(Math.log2(n - 1));
  const delta = 2 ** (lg - 2);
  return Math.ceil(n / delta) * delta;
}

/** Allocation of an sds of exactly len bytes as sdsnewlen makes it (header by length, NUL). */
export function sdsAllocBytes(len: number): number {
  const hdr = len > 0 && len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return jemallocSize(hdr + len + 1);
}

/** Redis's _dictNextExp: the smallest power of two >= n, at least 4 (DICT_HT_INITIAL_SIZE). */
export function dictTableSize(n: number): number {
  let size = 4;
  while (size < n) size *= 2;
  return size;
}
