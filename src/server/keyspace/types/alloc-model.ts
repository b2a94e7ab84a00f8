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

// ---------------------------------------------------------------------------------------------
// Listpack entries (Redis 7.0 listpack.c): an encoding byte(s) + data, then the back-length.

/** Bytes of the encoding + data of an integer entry (7-bit, 13-bit, 16, 24, 32 or 64-bit). */
export function lpIntBody(n: number): number {
  if (n >= 0 && n <= 127) return 1;
  if (n >= -4096 && n <= 4095) return 2;
  if (n >= -32768 && n <= 32767) return 3;
  if (n >= -8388608 && n <= 8388607) return 4;
  if (n >= -2147483648 && n <= 2147483647) return 5;
  return 9;
}

/** Bytes of the encoding + data of a string entry of len bytes (6-, 12- or 32-bit length). */
export function lpStringBody(len: number): number {
  return len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
}

/** Bytes of the back-length that follows an entry body of `body` bytes (lpEncodeBacklen). */
export function lpBacklen(body: number): number {
  if (body <= 127) return 1;
  if (body < 16383) return 2;
  if (body < 2097151) return 3;
  if (body < 268435455) return 4;
  return 5;
}

/**
 * Bytes of a listpack entry holding the latin1 string s: an integer entry when s is the
 * canonical decimal form of an int64 (what lpStringToInt64 accepts), else a string entry.
 * Allocation-free (this runs per element in MEMORY USAGE).
 */
export function listpackEntryBytes(s: string): number {
  const iv = canonicalInt64(s);
  const body = iv !== null ? lpIntBody(iv) : lpStringBody(s.length);
  return body + lpBacklen(body);
}

/**
 * s as a number if it is the canonical decimal form of an int64 (no '+', no leading zeros, no
 * "-0"), else null. Beyond 2^53 the value is approximate, which is enough for size classes.
 */
function canonicalInt64(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  const i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return null;
  if (s.charCodeAt(i) === 48) return n === 1 ? 0 : null;
  for (let j = i; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return null;
  }
  if (n - i <= 15) return Number(s);
  const v = BigInt(s);
  return v < -(2n ** 63n) || v > 2n ** 63n - 1n ? null : Number(v);
}
