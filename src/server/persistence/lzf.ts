// LZF compression as Redis uses it for strings in RDB files and DUMP payloads (liblzf as
// vendored by Redis: HLOG 16, VERY_FAST on, ULTRA_FAST off). The compressor follows that
// algorithm step by step — the same hash, the same match rules, the same run bookkeeping — so
// a value compresses to the bytes Redis writes for it, which lets DUMP payloads of Shoal and
// Redis be compared byte for byte.
//
// Format (lzf_d.c): a sequence of
//   000LLLLL <L+1 literal bytes>
//   LLLooooo oooooooo                  back-reference of L+2 bytes (L in 1..6) at distance o+1
//   111ooooo LLLLLLLL oooooooo          back-reference of L+9 bytes
//
// One difference from Redis's build: liblzf there leaves its hash table uninitialised between
// calls (INIT_HTAB 0), so a stale slot from an earlier call can, rarely, offer a valid match a
// clean table would not. This compressor always starts from a clean table (the output is a
// valid LZF stream either way and decompresses to the same bytes).

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * The hash table: input positions plus `base`. A slot holding less than the current call's
 * base is empty, so the table is cleared by raising base instead of by a 256 KB fill per call.
 */
const htab = new Int32Array(HSIZE);
let base = 1;

/** Largest expansion a valid stream can have: 3 input bytes make at most 264 output bytes. */
export const LZF_MAX_RATIO = 88;

/** The output area of lzfCompress (grown as needed; the result is copied out of it). */
let scratch = Buffer.allocUnsafe(1024);

/**
 * Compresses src[start, start + len) into at most outLimit bytes, as lzf_compress does.
 * Returns the compressed bytes, or null when they would not fit (lzf_compress returning 0).
 */
export function lzfCompress(src: Uint8Array, start: number, len: number, outLimit: number): Buffer | null {
  if (scratch.length < outLimit + 4) scratch = Buffer.allocUnsafe(Math.max(outLimit + 4, scratch.length * 2));
  const n = lzfCompressInto(src, start, len, scratch, outLimit);
  return n === 0 ? null : Buffer.from(scratch.subarray(0, n));
}

/**
 * lzfCompress of inp[s0, s0 + len) into out[0, outLimit) (out must hold outLimit + 4 bytes:
 * a literal run may be started past the limit before the limit is checked, as in liblzf).
 * Returns the compressed length, or 0 when the bytes would not fit.
 */
export function lzfCompressInto(inp: Uint8Array, s0: number, len: number, out: Uint8Array, outLimit: number): number {
  if (len === 0 || outLimit === 0) return 0;
  if (base > 0x7fffffff - len - 2) {
    htab.fill(0);
    base = 1;
  }
  // Positions are relative to s0 (ip 0 is inp[s0]); the hash table stores them plus b.
  const b = base;
  base += len + 1;
  const inEnd = len;
  let ip = 0;
  let op = 1; // start a literal run
  let lit = 0;
  let hval = ((inp[s0] << 8) | (len > 1 ? inp[s0 + 1] : 0)) >>> 0;
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | inp[s0 + ip + 2]) >>> 0;
    let slot = ((hval >>> 8) - Math.imul(hval, 5)) & (HSIZE - 1);
    const stored = htab[slot];
    htab[slot] = ip + b;
    const ref = stored >= b ? stored - b : -1;
    const off = ip - ref - 1;
    if (
      ref > 0 &&
      ref < ip &&
      off < MAX_OFF &&
      inp[s0 + ref] === inp[s0 + ip] &&
      inp[s0 + ref + 1] === inp[s0 + ip + 1] &&
      inp[s0 + ref + 2] === inp[s0 + ip + 2]
    ) {
      let mlen = 2;
      let maxlen = inEnd - ip - mlen;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outLimit && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLimit) return 0;
      out[op - lit - 1] = (lit - 1) & 0xff; // stop the run
      if (lit === 0) op--; // undo it if empty
      // liblzf compares 16 bytes unrolled before its checked loop; the unrolled part may run
      // past maxlen (never past the input), which changes the length found: kept as is.
      let mismatch = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          mlen++;
          if (inp[s0 + ref + mlen] !== inp[s0 + ip + mlen]) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do mlen++;
        while (mlen < maxlen && inp[s0 + ref + mlen] === inp[s0 + ip + mlen]);
      }
      mlen -= 2;
      ip++;
      if (mlen < 7) {
        out[op++] = (off >>> 8) + (mlen << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = mlen - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += mlen + 1;
      if (ip >= inEnd - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = ((inp[s0 + ip] << 8) | inp[s0 + ip + 1]) >>> 0;
      hval = ((hval << 8) | inp[s0 + ip + 2]) >>> 0;
      slot = ((hval >>> 8) - Math.imul(hval, 5)) & (HSIZE - 1);
      htab[slot] = ip + b;
      ip++;
      hval = ((hval << 8) | inp[s0 + ip + 2]) >>> 0;
      slot = ((hval >>> 8) - Math.imul(hval, 5)) & (HSIZE - 1);
      htab[slot] = ip + b;
      ip++;
    } else {
      if (op >= outLimit) return 0;
      lit++;
      out[op++] = inp[s0 + ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLimit) return 0;
  while (ip < inEnd) {
    lit++;
    out[op++] = inp[s0 + ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff; // end the run
  if (lit === 0) op--;
  return op;
}

/**
 * Decompresses src[start, end) into a buffer of exactly outLen bytes, as lzf_decompress does
 * with Redis's input checks. Returns the bytes, or null when the stream is invalid or does
 * not produce exactly outLen bytes (Redis: "Invalid LZF compressed string"). Never reads or
 * writes out of bounds, and refuses an outLen the input could not possibly expand to before
 * allocating anything.
 */
export function lzfDecompress(src: Uint8Array, start: number, end: number, outLen: number): Buffer | null {
  // lzf_decompress into a zero-length buffer "succeeds" with 0 bytes whatever the input, and
  // Redis accepts that as the empty string.
  if (outLen === 0) return Buffer.alloc(0);
  if (outLen > (end - start) * LZF_MAX_RATIO + MAX_LIT) return null;
  const out = Buffer.allocUnsafe(outLen);
  return lzfDecompressInto(src, start, end, out, outLen) ? out : null;
}

/** Back-references and literal runs at least this long are copied natively, not byte by byte. */
const NATIVE_COPY = 24;
const typedFill = Uint8Array.prototype.fill;

/**
 * lzfDecompress into out[0, outLen) (out holds at least outLen bytes). Returns whether the
 * stream was valid and produced exactly outLen bytes. A long back-reference is copied with
 * fill (distance 1: a run of one byte) or copyWithin, doubling the span it copies from (the
 * bytes from the reference on repeat with the distance as period), which matches liblzf's
 * byte-by-byte copy for overlapping references.
 */
export function lzfDecompressInto(src: Uint8Array, start: number, end: number, out: Uint8Array, outLen: number): boolean {
  if (outLen === 0) return true;
  if (outLen > (end - start) * LZF_MAX_RATIO + MAX_LIT) return false;
  let ip = start;
  let op = 0;
  while (ip < end) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen) return false;
      if (ip + ctrl > end) return false;
      if (ctrl >= NATIVE_COPY) {
        out.set(src.subarray(ip, ip + ctrl), op);
        op += ctrl;
        ip += ctrl;
      } else {
        for (let i = 0; i < ctrl; i++) out[op++] = src[ip++];
      }
    } else {
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= end) return false;
      if (len === 7) {
        len += src[ip++];
        if (ip >= end) return false;
      }
      ref -= src[ip++];
      len += 2;
      if (op + len > outLen) return false;
      if (ref < 0) return false;
      if (len < NATIVE_COPY) {
        for (let i = 0; i < len; i++) out[op++] = out[ref++];
      } else if (op - ref === 1) {
        // The typed-array builtin: Buffer's own fill validates its arguments first.
        typedFill.call(out, out[ref], op, op + len);
        op += len;
      } else {
        // [ref, op) repeats with period op - ref: copy from ref what is there, doubling.
        const dist = op - ref;
        for (let done = 0; done < len; ) {
          const n = Math.min(dist + done, len - done);
          out.copyWithin(op + done, ref, ref + n);
          done += n;
        }
        op += len;
      }
    }
  }
  return op === outLen;
}
