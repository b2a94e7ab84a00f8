// Shared core of the bitmap handlers (bitmaps.ts, bitmaps-bitfield.ts): bit-offset parsing,
// the one way a string is opened for bit writes, and the byte-level scans (population count,
// first set / clear bit) that BITCOUNT and BITPOS run over string values.
//
// Bit numbering (as Redis's): bit 0 is the most significant bit of byte 0, bit 8 the most
// significant bit of byte 1, and so on; a string reads as zero bits past its end.

import { Err } from '../../lib/errors.js';
import { parseI64, parseSafeInt } from '../../lib/numbers.js';
import { NONE } from '../keyspace/database.js';
import { NO_EXPIRY, StrEnc } from '../keyspace/entry.js';
import { stringMeta } from '../keyspace/store.js';
import type { Client } from '../network/client.js';
import { WRONG, writeString } from './strings-store.js';

const HASH = 0x23; // '#'

/**
 * Redis's getBitOffsetFromArgument: parses a bit offset (an int64). With `hashBits` > 0 (BITFIELD)
 * the form `#n` means n * hashBits, multiplied with int64 wrap-around as Redis's C arithmetic
 * does. The offset must be >= 0 and address a byte below proto-max-bulk-len. Replies the error
 * and returns -1 when it does not.
 */
export function parseBitOffset(c: Client, arg: Buffer, hashBits = 0): number {
  const useHash = hashBits > 0 && arg.length > 0 && arg[0] === HASH ? 1 : 0;
  const limit = c.srv.limits.protoMaxBulkLen;
  if (useHash === 0) {
    const n = parseSafeInt(arg);
    if (n !== null) {
      if (n < 0 || Math.floor(n / 8) >= limit) {
        c.w.error(Err.bitOffset);
        return -1;
      }
      return n;
    }
  }
  const v = parseI64(arg, useHash, arg.length);
  if (v === null) {
    c.w.error(Err.bitOffset);
    return -1;
  }
  const off = useHash === 1 ? BigInt.asIntN(64, v * BigInt(hashBits)) : v;
  if (off < 0n || off >> 3n >= BigInt(limit)) {
    c.w.error(Err.bitOffset);
    return -1;
  }
  return Number(off);
}

/** Side result of the last openForBits call (a module-level record: no allocation per call). */
export const opened = { grown: false };

/**
 * Redis's lookupStringForBitCommand: write lookup of the string at key, creating it or growing
 * it with zero bytes so that bit `maxBit` exists, and marking it raw (Redis unshares the value
 * it is about to modify in place). Returns the entry, or WRONG after replying WRONGTYPE.
 * `opened.grown` tells whether the key was created or got longer: Redis counts that as a
 * change even when no bit flips. On return store.rb / store.rv address the
 * value.
 */
export function openForBits(c: Client, key: Buffer, maxBit: number): number {
  const e = writeString(c, key);
  if (e === WRONG) return WRONG;
  const store = c.srv.keyspace.store;
  const len = Math.floor(maxBit / 8) + 1;
  if (e === NONE) {
    const id = c.db.addSpace(key, len, stringMeta(StrEnc.Raw, c.srv.keyspace.initialLru(c.srv.now)), NO_EXPIRY);
    store.rb.fill(0, store.rv, store.rv + len);
    opened.grown = true;
    return id;
  }
  const oldLen = store.valueLength(e);
  if (len > oldLen) {
    store.growValue(e, len);
    store.rb.fill(0, store.rv + oldLen, store.rv + len);
    opened.grown = true;
  } else {
    opened.grown = false;
  }
  store.restring(e, StrEnc.Raw, -1);
  return e;
}

/**
 * Case-insensitive keyword match with C-string semantics, as Redis's strcasecmp on an argument:
 * the argument ends at its first NUL byte ("get\0x" matches "get"). `lower` is lower-case ASCII
 * letters.
 */
export function cKeyword(arg: Buffer, lower: string): boolean {
  const n = lower.length;
  if (arg.length < n) return false;
  for (let i = 0; i < n; i++) if ((arg[i] | 0x20) !== lower.charCodeAt(i)) return false;
  return arg.length === n || arg[n] === 0;
}

/** A clamp of an int64 argument to a safe number; keeps its order against any string length. */
export function toSafe(v: number | bigint): number {
  if (typeof v === 'number') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Byte-level scans

/** Set bits of each byte value. */
const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >>> 1];

/** Below this many bytes a table loop beats setting up an aligned word view. */
const WORD_SCAN_MIN = 64;

/** Per-byte bit counts of a 32-bit word (each byte of the result holds 0..8): SWAR steps. */
function byteCounts(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (x + (x >>> 4)) & 0x0f0f0f0f;
}

/**
 * Number of set bits in buf[start, end). Long ranges are counted over an aligned 32-bit view
 * of the same memory (byte order does not matter to a count), four words per step: their
 * per-byte counts (<= 32 each) are added before one multiply folds the bytes together.
 */
export function popcount(buf: Uint8Array, start: number, end: number): number {
  let bits = 0;
  let i = start;
  if (end - i >= WORD_SCAN_MIN) {
    while ((buf.byteOffset + i) & 3) bits += BITS_IN_BYTE[buf[i++]];
    const words = (end - i) >>> 2;
    const w = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    let k = 0;
    for (; k + 3 < words; k += 4) {
      const s = byteCounts(w[k]) + byteCounts(w[k + 1]) + byteCounts(w[k + 2]) + byteCounts(w[k + 3]);
      bits += Math.imul(s, 0x01010101) >>> 24;
    }
    for (; k < words; k++) bits += Math.imul(byteCounts(w[k]), 0x01010101) >>> 24;
    i += words << 2;
  }
  while (i < end) bits += BITS_IN_BYTE[buf[i++]];
  return bits;
}

/**
 * Redis's redisBitpos over buf[start, start + count): the position (relative to start, in bits)
 * of the first bit equal to `bit`. For bit 1, -1 when there is none; for bit 0, count * 8 when
 * every bit is set (the string reads as zero-padded on the right).
 */
export function firstBit(buf: Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  const end = start + count;
  let i = start;
  if (count >= WORD_SCAN_MIN) {
    while ((buf.byteOffset + i) & 3 && buf[i] === skip) i++;
    if (buf[i] === skip) {
      const skipWord = bit === 1 ? 0 : 0xffffffff;
      const words = (end - i) >>> 2;
      const w = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
      let k = 0;
      while (k < words && w[k] === skipWord) k++;
      i += k << 2;
    }
  }
  while (i < end && buf[i] === skip) i++;
  if (i === end) return bit === 1 ? -1 : count * 8;
  const byte = bit === 1 ? buf[i] : ~buf[i] & 0xff;
  return (i - start) * 8 + Math.clz32(byte) - 24;
}
