// Byte copies between typed arrays, for the hot paths (keyspace records, the replication
// backlog).

/**
 * Copies src[start, end) into dst at off. Short runs (most keys and small values) go byte by
 * byte: cheaper than set()/copy(), which need a view object for a sub-range and a call into
 * the runtime. Longer ones take a plain Uint8Array view (a third of what subarray() costs: it
 * looks up the species constructor) and one set().
 */
export function copyBytes(dst: Uint8Array, off: number, src: Uint8Array, start = 0, end = src.length): void {
  const n = end - start;
  if (n <= 32) {
    for (let i = 0; i < n; i++) dst[off + i] = src[start + i];
  } else if (start === 0 && end === src.length) {
    dst.set(src, off);
  } else {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + start, n), off);
  }
}
