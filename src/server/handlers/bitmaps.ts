// Bitmap command handlers: SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, as Redis 7.0's bitops.c.
// BITFIELD and BITFIELD_RO live in bitmaps-bitfield.ts, the shared parsing, write access and
// byte scans in bitmaps-core.ts; bitmapsHandlers merges them.
//
// Bitmaps are plain string values: reads take a view of the value (valid until the keyspace
// next changes), writes grow the value in place with zero bytes and mark it raw, as Redis
// unshares a string before modifying it.
//
// Argument order matters for which error a client sees. Redis 7.0 looks the key up before it
// parses BITCOUNT's range (a missing key answers 0 whatever the arguments) and after BITPOS's
// bit argument but before its range; SETBIT/GETBIT parse everything first.

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { StrEnc } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { bitfieldHandlers } from './bitmaps-bitfield.js';
import { cKeyword, firstBit, openForBits, opened, parseBitOffset, popcount, toSafe } from './bitmaps-core.js';
import { EMPTY, readString, storeString, WRONG } from './strings-store.js';
import { intArg } from './util.js';

// ---------------------------------------------------------------------------------------------
// SETBIT / GETBIT

/**
 * SETBIT key offset 0|1: sets or clears one bit, creating or zero-extending the string as
 * needed, and replies the bit's previous value. A write that neither grows the string nor
 * flips the bit is not a change (no dirty count, no event), as in Redis 7.0.
 */
const setbitCommand: Handler = (c, argv) => {
  const offset = parseBitOffset(c, argv[2]);
  if (offset < 0) return;
  const on = parseIntArg(argv[3]);
  if (on !== 0 && on !== 1) {
    c.w.error(Err.bitValue);
    return;
  }
  const key = argv[1];
  const e = openForBits(c, key, offset);
  if (e === WRONG) return;
  const store = c.srv.keyspace.store;
  const at = store.rv + Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const byte = store.rb[at];
  const was = (byte & mask) !== 0 ? 1 : 0;
  if (opened.grown || was !== on) {
    store.rb[at] = on === 1 ? byte | mask : byte & ~mask;
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.string, 'setbit', key, c.db.id);
    c.srv.dirty++;
  }
  c.w.integer(was);
};

/** GETBIT key offset: the bit at offset, 0 past the end of the string or for a missing key. */
const getbitCommand: Handler = (c, argv) => {
  const offset = parseBitOffset(c, argv[2]);
  if (offset < 0) return;
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  if (e === NONE) {
    c.w.integer(0);
    return;
  }
  const v = c.db.value(e);
  const byte = Math.floor(offset / 8);
  c.w.integer(byte < v.length ? (v[byte] >> (7 - (offset % 8))) & 1 : 0);
};

// ---------------------------------------------------------------------------------------------
// Ranges (BITCOUNT, BITPOS)

/** Set bits of each byte value (for the edge bytes of a BIT range). */
const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >>> 1];

/**
 * A normalized index range over a string of `strlen` bytes: [start, end] in bytes after
 * clamping, plus, for a BIT range, masks of the bits of the first and last byte that lie
 * outside it (Redis's first_byte_neg_mask / last_byte_neg_mask).
 */
interface ByteRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

/**
 * Converts start/end (negative = from the end; in bits when isBit) to a byte range clamped to
 * the string, as BITCOUNT and BITPOS do. The range is empty when start > end.
 */
function normalizeRange(s: number, t: number, strlen: number, isBit: boolean): ByteRange {
  const totlen = isBit ? strlen * 8 : strlen;
  let start = s;
  let end = t;
  if (start < 0) start = totlen + start;
  if (end < 0) end = totlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= totlen) end = totlen - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

/**
 * Parses an optional BYTE|BIT unit argument. Returns 1 for BIT, 0 for BYTE (or no argument),
 * -1 after replying a syntax error.
 */
function unitArg(c: Client, arg: Buffer | undefined): number {
  if (arg === undefined || cKeyword(arg, 'byte')) return 0;
  if (cKeyword(arg, 'bit')) return 1;
  c.w.error(Err.syntax);
  return -1;
}

/**
 * BITCOUNT key [start end [BYTE|BIT]]: the number of set bits in the string or in the range.
 * Both indexes negative with start > end count nothing (checked before the conversion, on the
 * exact int64 values).
 */
const bitcountCommand: Handler = (c, argv) => {
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  if (e === NONE) {
    c.w.integer(0);
    return;
  }
  const argc = argv.length;
  const strlen = c.srv.keyspace.store.valueLength(e);
  let r: ByteRange;
  if (argc === 4 || argc === 5) {
    const s = intArg(c, argv[2]);
    if (s === null) return;
    const t = intArg(c, argv[3]);
    if (t === null) return;
    const isBit = unitArg(c, argv[4]);
    if (isBit < 0) return;
    if (s < 0 && t < 0 && s > t) {
      c.w.integer(0);
      return;
    }
    r = normalizeRange(toSafe(s), toSafe(t), strlen, isBit === 1);
  } else if (argc === 2) {
    r = { start: 0, end: strlen - 1, firstMask: 0, lastMask: 0 };
  } else {
    c.w.error(Err.syntax);
    return;
  }
  if (r.start > r.end) {
    c.w.integer(0);
    return;
  }
  const v = c.db.value(e);
  let count = popcount(v, r.start, r.end + 1);
  if (r.firstMask !== 0) count -= BITS_IN_BYTE[v[r.start] & r.firstMask];
  if (r.lastMask !== 0) count -= BITS_IN_BYTE[v[r.end] & r.lastMask];
  c.w.integer(count);
};

/** Position of the first `bit` in one byte: 0..7, or -1 (bit 1) / 8 (bit 0) when absent. */
function bitInByte(byte: number, bit: number): number {
  const b = bit === 1 ? byte & 0xff : ~byte & 0xff;
  if (b === 0) return bit === 1 ? -1 : 8;
  return Math.clz32(b) - 24;
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]: the position of the first bit equal to `bit`.
 * A missing key is all zeros (0 for bit 0, -1 for bit 1); an empty range answers -1. Looking
 * for 0 without an explicit end treats the string as zero-padded on the right (the answer may
 * be the first bit past it); with an explicit end, no clear bit in the range answers -1.
 * Redis's exact steps are kept, edge-byte masking of a BIT range included.
 */
const bitposCommand: Handler = (c, argv) => {
  const b = intArg(c, argv[2]);
  if (b === null) return;
  if (b !== 0 && b !== 1) {
    c.w.error(Err.bitArg);
    return;
  }
  const bit = b;
  const e = readString(c, argv[1]);
  if (e === WRONG) return;
  if (e === NONE) {
    c.w.integer(bit === 1 ? -1 : 0);
    return;
  }
  const argc = argv.length;
  const strlen = c.srv.keyspace.store.valueLength(e);
  let r: ByteRange;
  let endGiven = false;
  if (argc >= 4 && argc <= 6) {
    const s = intArg(c, argv[3]);
    if (s === null) return;
    const isBit = unitArg(c, argv[5]);
    if (isBit < 0) return;
    let t = strlen - 1;
    if (argc >= 5) {
      const parsed = intArg(c, argv[4]);
      if (parsed === null) return;
      t = toSafe(parsed);
      endGiven = true;
    }
    r = normalizeRange(toSafe(s), t, strlen, isBit === 1);
  } else if (argc === 3) {
    r = { start: 0, end: strlen - 1, firstMask: 0, lastMask: 0 };
  } else {
    c.w.error(Err.syntax);
    return;
  }
  if (r.start > r.end) {
    c.w.integer(-1);
    return;
  }
  const v = c.db.value(e);
  let start = r.start;
  let bytes = r.end - r.start + 1;
  let pos: number;
  scan: {
    if (r.firstMask !== 0) {
      let first = bit === 1 ? v[start] & ~r.firstMask : v[start] | r.firstMask;
      if (r.lastMask !== 0 && bytes === 1) first = bit === 1 ? first & ~r.lastMask : first | r.lastMask;
      pos = bitInByte(first, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break scan;
      start++;
      bytes--;
    }
    // A last byte partly outside a BIT range is scanned on its own, masked.
    const whole = bytes - (r.lastMask !== 0 ? 1 : 0);
    if (whole > 0) {
      pos = firstBit(v, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break scan;
      start += whole;
      bytes -= whole;
    }
    pos = bitInByte(bit === 1 ? v[r.end] & ~r.lastMask : v[r.end] | r.lastMask, bit);
  }
  if (endGiven && bit === 0 && pos === bytes * 8) {
    c.w.integer(-1);
    return;
  }
  c.w.integer(pos === -1 ? -1 : pos + start * 8);
};

// ---------------------------------------------------------------------------------------------
// BITOP

const AND = 0;
const OR = 1;
const XOR = 2;
const NOT = 3;

/** The operation named by arg (BITOP's first argument), or -1. */
function bitopCode(arg: Buffer): number {
  if (cKeyword(arg, 'and')) return AND;
  if (cKeyword(arg, 'or')) return OR;
  if (cKeyword(arg, 'xor')) return XOR;
  if (cKeyword(arg, 'not')) return NOT;
  return -1;
}

/** Bytes per step when an unaligned source is copied to aligned scratch for the word loops. */
const CHUNK = 1 << 16;
const scratch = new Int32Array(CHUNK / 4);
const scratchBytes = new Uint8Array(scratch.buffer);

/** dst[at + j] op= src[j] for j < n, one 32-bit word at a time (op: AND, OR or XOR). */
function mixWords(op: number, dst: Int32Array, at: number, src: Int32Array, n: number): void {
  if (op === AND) for (let j = 0; j < n; j++) dst[at + j] &= src[j];
  else if (op === OR) for (let j = 0; j < n; j++) dst[at + j] |= src[j];
  else for (let j = 0; j < n; j++) dst[at + j] ^= src[j];
}

/**
 * res op= s over s's length (res is at least as long, with a 4-byte aligned words view rw):
 * whole words through 32-bit views (bitwise operations do not care about byte order; a source
 * that is not 4-byte aligned, as values in the arena usually are not, goes through a scratch
 * copy in chunks), then the tail bytes.
 */
function mixInto(op: number, res: Buffer, rw: Int32Array, s: Buffer): void {
  const words = s.length >>> 2;
  if ((s.byteOffset & 3) === 0) {
    mixWords(op, rw, 0, new Int32Array(s.buffer, s.byteOffset, words), words);
  } else {
    for (let w = 0; w < words; w += CHUNK / 4) {
      const n = Math.min(CHUNK / 4, words - w);
      scratchBytes.set(s.subarray(w * 4, (w + n) * 4));
      mixWords(op, rw, w, scratch, n);
    }
  }
  const n = s.length;
  if (op === AND) for (let j = words * 4; j < n; j++) res[j] &= s[j];
  else if (op === OR) for (let j = words * 4; j < n; j++) res[j] |= s[j];
  else for (let j = words * 4; j < n; j++) res[j] ^= s[j];
}

/** Results up to this size are computed in a reused buffer (fresh large buffers are slow to get). */
const RESULT_KEEP = 4 << 20;
let resultBuf = new ArrayBuffer(0);

/**
 * The result of `op` over the sources, as long as the longest one; shorter sources read as
 * zero-padded. Sources are views into the keyspace: the result is computed outside it, so the
 * destination may be one of them. The returned buffer is valid until the next call (the caller
 * copies it into the keyspace at once).
 */
function bitopCompute(op: number, srcs: Buffer[], maxlen: number): Buffer {
  // Offset 0 of an ArrayBuffer of its own, so the 32-bit view is aligned.
  let ab: ArrayBuffer;
  if (maxlen > RESULT_KEEP) ab = new ArrayBuffer(maxlen);
  else {
    if (resultBuf.byteLength < maxlen) resultBuf = new ArrayBuffer(Math.max(maxlen, 4096));
    ab = resultBuf;
  }
  const res = Buffer.from(ab, 0, maxlen);
  const rw = new Int32Array(ab, 0, maxlen >>> 2);
  const first = srcs[0];
  res.set(first);
  if (first.length < maxlen) res.fill(0, first.length);
  if (op === NOT) {
    for (let j = 0; j < rw.length; j++) rw[j] = ~rw[j];
    for (let j = rw.length * 4; j < maxlen; j++) res[j] = ~res[j];
    return res;
  }
  for (let i = 1; i < srcs.length; i++) {
    const s = srcs[i];
    mixInto(op, res, rw, s);
    if (op === AND && s.length < maxlen) res.fill(0, s.length);
  }
  return res;
}

/**
 * BITOP AND|OR|XOR|NOT destkey key [key ...]: stores the operation's result at destkey (a raw
 * string without TTL, replacing any type) and replies its length. Missing sources are empty
 * strings; when every source is empty the destination is deleted instead. Sources are looked
 * up (hit/miss counted) in order, and the first non-string one aborts with WRONGTYPE.
 */
const bitopCommand: Handler = (c, argv) => {
  const op = bitopCode(argv[1]);
  if (op < 0) {
    c.w.error(Err.syntax);
    return;
  }
  if (op === NOT && argv.length !== 4) {
    c.w.error(Err.bitopNot);
    return;
  }
  const n = argv.length - 3;
  const entries: number[] = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const e = readString(c, argv[j + 3]);
    if (e === WRONG) return;
    entries[j] = e;
  }
  // Views are taken once every lookup (which may expire keys) is done.
  const srcs: Buffer[] = new Array<Buffer>(n);
  let maxlen = 0;
  for (let j = 0; j < n; j++) {
    const v = entries[j] === NONE ? EMPTY : c.db.value(entries[j]);
    srcs[j] = v;
    if (v.length > maxlen) maxlen = v.length;
  }
  const dest = argv[2];
  if (maxlen > 0) {
    const res = bitopCompute(op, srcs, maxlen);
    storeString(c, dest, res, { enc: StrEnc.Raw });
    signalModifiedKey(c, c.db, dest);
    notifyKeyspaceEvent(c, NOTIFY.string, 'set', dest, c.db.id);
    c.srv.dirty++;
  } else if (c.db.deleteKey(dest)) {
    signalModifiedKey(c, c.db, dest);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', dest, c.db.id);
    c.srv.dirty++;
  }
  c.w.integer(maxlen);
};

export const bitmapsHandlers: Record<string, Handler> = {
  setbit: setbitCommand,
  getbit: getbitCommand,
  bitcount: bitcountCommand,
  bitpos: bitposCommand,
  bitop: bitopCommand,
  ...bitfieldHandlers,
};
