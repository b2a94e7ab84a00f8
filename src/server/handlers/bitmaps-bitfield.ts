// BITFIELD and BITFIELD_RO: signed and unsigned integers of 1..64 bits (u63 at most) at any bit
// offset of a string value, read, written or incremented with WRAP / SAT / FAIL overflow, as
// Redis 7.0's bitops.c.
//
// Arithmetic is done on BigInt with Redis's C semantics reproduced step by step: uint64 /
// int64 wrap-around of each intermediate (Redis's overflow checks rely on it, e.g. a SET of
// i64 min into an i8 under SAT saturates to the maximum), so results match bit for bit. The
// common counter case (fields of up to 32 bits, arguments within ±2^48) takes an exact double
// path instead, where no intermediate wraps (applySmall; a property test holds it to applyBig).

import { Err } from '../../lib/errors.js';
import { parseSafeInt } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { cKeyword, openForBits, opened, parseBitOffset } from './bitmaps-core.js';
import { EMPTY, readString, WRONG } from './strings-store.js';
import { intArg } from './util.js';

// ---------------------------------------------------------------------------------------------
// Field access

/**
 * The `n` (<= 9) bytes of v from `byte` on as one big-endian integer, bytes past the end of v
 * reading as zero.
 */
function readSpan(v: Uint8Array, byte: number, n: number): bigint {
  const loN = n < 6 ? n : 6;
  let hi = 0;
  let lo = 0;
  let i = 0;
  for (; i < n - loN; i++) hi = hi * 256 + (byte + i < v.length ? v[byte + i] : 0);
  for (; i < n; i++) lo = lo * 256 + (byte + i < v.length ? v[byte + i] : 0);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << BigInt(loN * 8)) | BigInt(lo);
}

/** Writes acc as `n` big-endian bytes at v[byte..] (all inside v). */
function writeSpan(v: Uint8Array, byte: number, n: number, acc: bigint): void {
  let lo = Number(BigInt.asUintN(48, acc));
  let hi = Number(acc >> 48n);
  for (let i = n - 1; i >= 0; i--) {
    const k = n - 1 - i;
    if (k < 6) {
      v[byte + i] = lo % 256;
      lo = Math.floor(lo / 256);
    } else {
      v[byte + i] = hi % 256;
      hi = Math.floor(hi / 256);
    }
  }
}

/** The `bits`-wide unsigned field at bit `offset` of v (zero past its end). */
export function getUnsigned(v: Uint8Array, offset: number, bits: number): bigint {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const n = Math.ceil((shift + bits) / 8);
  return BigInt.asUintN(bits, readSpan(v, byte, n) >> BigInt(n * 8 - shift - bits));
}

/** The `bits`-wide two's complement field at bit `offset` of v. */
export function getSigned(v: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(v, offset, bits));
}

/** Stores the low `bits` bits of value at bit `offset` of v (the field lies inside v). */
export function setField(v: Uint8Array, offset: number, bits: number, value: bigint): void {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const n = Math.ceil((shift + bits) / 8);
  const r = BigInt(n * 8 - shift - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << r;
  const acc = (readSpan(v, byte, n) & ~mask) | (BigInt.asUintN(bits, value) << r);
  writeSpan(v, byte, n, acc);
}

/**
 * getUnsigned / getSigned as a number, without BigInt, for a field that spans at most 6 bytes
 * ((offset % 8) + bits <= 48): exact in double arithmetic.
 */
function getSmall(v: Uint8Array, offset: number, bits: number, signed: boolean): number {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const n = Math.ceil((shift + bits) / 8);
  let acc = 0;
  for (let i = 0; i < n; i++) acc = acc * 256 + (byte + i < v.length ? v[byte + i] : 0);
  const x = Math.floor(acc / 2 ** (n * 8 - shift - bits)) % 2 ** bits;
  return signed && x >= 2 ** (bits - 1) ? x - 2 ** bits : x;
}

/**
 * setField for a field of at most 32 bits given as its unsigned value u (0 <= u < 2^bits), in
 * double arithmetic (the spanned bytes hold at most 39 bits).
 */
function setSmall(v: Uint8Array, offset: number, bits: number, u: number): void {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const n = Math.ceil((shift + bits) / 8);
  let acc = 0;
  for (let i = 0; i < n; i++) acc = acc * 256 + v[byte + i];
  const unit = 2 ** (n * 8 - shift - bits);
  const old = Math.floor(acc / unit) % 2 ** bits;
  acc += (u - old) * unit;
  for (let i = n - 1; i >= 0; i--) {
    v[byte + i] = acc % 256;
    acc = Math.floor(acc / 256);
  }
}

// ---------------------------------------------------------------------------------------------
// Overflow (Redis's checkUnsignedBitfieldOverflow / checkSignedBitfieldOverflow)

export const WRAP = 0;
export const SAT = 1;
export const FAIL = 2;

/** Outcome of an overflow check: 0 none, 1 overflow, -1 underflow; `limit` the value to store. */
export interface Overflow {
  dir: number;
  limit: bigint;
}

const i64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Whether uint64 `value` + int64 `incr` fits an unsigned field of `bits` (<= 63), with Redis's
 * int64 wrap-around in the limits it compares against. Under WRAP the limit is the sum modulo
 * 2^bits, under SAT the bound crossed; under FAIL it is not set (0).
 */
export function checkUnsigned(value: bigint, incr: bigint, bits: number, ow: number): Overflow {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  let dir = 0;
  if (value > max || (incr > 0n && incr > maxincr)) dir = 1;
  else if (incr < 0n && incr < minincr) dir = -1;
  if (dir === 0 || ow === FAIL) return { dir, limit: 0n };
  if (ow === WRAP) return { dir, limit: BigInt.asUintN(bits, value + incr) };
  return { dir, limit: dir > 0 ? max : 0n };
}

/**
 * Whether int64 `value` + int64 `incr` fits a signed field of `bits` (<= 64), with Redis's
 * conditions and wrap-around kept exactly. Limits as in checkUnsigned (WRAP: the sum in
 * two's complement of `bits` bits; SAT: the field's max or min).
 */
export function checkSigned(value: bigint, incr: bigint, bits: number, ow: number): Overflow {
  const max = bits === 64 ? I64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  let dir = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
  else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
  if (dir === 0 || ow === FAIL) return { dir, limit: 0n };
  if (ow === WRAP) return { dir, limit: BigInt.asIntN(bits, value + incr) };
  return { dir, limit: dir > 0 ? max : min };
}

// ---------------------------------------------------------------------------------------------
// The command

export const GET = 0;
export const SET = 1;
export const INCRBY = 2;

/** One parsed BITFIELD operation. */
export interface FieldOp {
  /** GET, SET or INCRBY. */
  code: number;
  /** Bit offset of the field. */
  offset: number;
  /** Field width: 1..64 signed, 1..63 unsigned. */
  bits: number;
  signed: boolean;
  /** SET value or INCRBY increment (int64). */
  arg: bigint;
  /** The same as a double (exact when |arg| <= 2^53). */
  argNum: number;
  /** WRAP, SAT or FAIL: the OVERFLOW mode in force where the operation appeared. */
  overflow: number;
}

/**
 * Redis's getBitfieldTypeFromArgument: i1..i64 or u1..u63 (the letter is case-sensitive and the
 * width is read up to the first NUL byte, as C does). Returns the width and signedness, or null
 * after replying the error.
 */
function parseType(c: Client, arg: Buffer): { bits: number; signed: boolean } | null {
  const t = arg.length > 0 ? arg[0] : 0;
  if (t === 0x69 /* i */ || t === 0x75 /* u */) {
    const signed = t === 0x69;
    const nul = arg.indexOf(0, 1);
    const bits = parseSafeInt(arg, 1, nul < 0 ? arg.length : nul);
    if (bits !== null && bits >= 1 && bits <= (signed ? 64 : 63)) return { bits, signed };
  }
  c.w.error(Err.bitfieldType);
  return null;
}

/**
 * Parses BITFIELD's operations (argv[2..]). Replies the first error and returns null; else the
 * operations in order, each with the OVERFLOW mode in force where it appears.
 */
function parseOps(c: Client, argv: Buffer[]): FieldOp[] | null {
  const ops: FieldOp[] = [];
  let overflow = WRAP;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j];
    let code: number;
    if (cKeyword(sub, 'get') && rem >= 2) code = GET;
    else if (cKeyword(sub, 'set') && rem >= 3) code = SET;
    else if (cKeyword(sub, 'incrby') && rem >= 3) code = INCRBY;
    else if (cKeyword(sub, 'overflow') && rem >= 1) {
      const mode = argv[++j];
      if (cKeyword(mode, 'wrap')) overflow = WRAP;
      else if (cKeyword(mode, 'sat')) overflow = SAT;
      else if (cKeyword(mode, 'fail')) overflow = FAIL;
      else {
        c.w.error(Err.bitfieldOverflowType);
        return null;
      }
      continue;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
    const type = parseType(c, argv[j + 1]);
    if (type === null) return null;
    const offset = parseBitOffset(c, argv[j + 2], type.bits);
    if (offset < 0) return null;
    let arg = 0n;
    let argNum = 0;
    if (code !== GET) {
      const v = intArg(c, argv[j + 3]);
      if (v === null) return null;
      arg = BigInt(v);
      argNum = Number(v);
    }
    ops.push({ code, offset, bits: type.bits, signed: type.signed, arg, argNum, overflow });
    j += code === GET ? 2 : 3;
  }
  return ops;
}

/** Outcome of a SET or INCRBY: the reply (null when FAIL refused it) and whether the field changed. */
export interface FieldWrite {
  reply: number | bigint | null;
  changed: boolean;
}

const REFUSED: FieldWrite = { reply: null, changed: false };

/**
 * Runs one SET or INCRBY on v (which holds the field) with Redis's int64 / uint64 arithmetic:
 * replies the old value for SET, the new one for INCRBY; nothing is written when FAIL refuses.
 */
export function applyBig(v: Uint8Array, op: FieldOp): FieldWrite {
  const incr = op.code === INCRBY;
  let oldval: bigint;
  let newval: bigint;
  let o: Overflow;
  if (op.signed) {
    oldval = getSigned(v, op.offset, op.bits);
    o = incr ? checkSigned(oldval, op.arg, op.bits, op.overflow) : checkSigned(op.arg, 0n, op.bits, op.overflow);
    newval = o.dir !== 0 ? o.limit : incr ? i64(oldval + op.arg) : op.arg;
  } else {
    oldval = getUnsigned(v, op.offset, op.bits);
    const start = incr ? oldval : BigInt.asUintN(64, op.arg);
    o = checkUnsigned(start, incr ? op.arg : 0n, op.bits, op.overflow);
    newval = o.dir !== 0 ? o.limit : incr ? BigInt.asUintN(64, oldval + op.arg) : start;
  }
  if (o.dir !== 0 && op.overflow === FAIL) return REFUSED;
  setField(v, op.offset, op.bits, newval);
  return { reply: i64(incr ? newval : oldval), changed: oldval !== newval };
}

/** Largest |argument| applySmall takes: sums with a <= 32-bit field stay exact doubles. */
const SMALL_ARG = 2 ** 48;

/**
 * applyBig in double arithmetic, for fields of at most 32 bits and arguments within ±2^48 (the
 * common counter case): no intermediate of Redis's C arithmetic wraps there, so plain math
 * gives the same results, with one C-ism kept: an unsigned SET of a negative value is an
 * overflow upwards (as uint64 it is huge), so SAT stores the maximum.
 */
export function applySmall(v: Uint8Array, op: FieldOp): FieldWrite {
  const bits = op.bits;
  const span = 2 ** bits;
  const min = op.signed ? -span / 2 : 0;
  const max = op.signed ? span / 2 - 1 : span - 1;
  const oldval = getSmall(v, op.offset, bits, op.signed);
  const incr = op.code === INCRBY;
  const target = incr ? oldval + op.argNum : op.argNum;
  let dir = target > max ? 1 : target < min ? -1 : 0;
  if (dir < 0 && !op.signed && !incr) dir = 1;
  let newval = target;
  if (dir !== 0) {
    if (op.overflow === FAIL) return REFUSED;
    if (op.overflow === SAT) newval = dir > 0 ? max : min;
    else {
      newval = ((target % span) + span) % span;
      if (newval > max) newval -= span;
    }
  }
  setSmall(v, op.offset, bits, newval < 0 ? newval + span : newval);
  return { reply: incr ? newval : oldval, changed: oldval !== newval };
}

/** Runs a SET or INCRBY on the double path when it is exact, else on BigInt. */
export function applyWrite(v: Uint8Array, op: FieldOp): FieldWrite {
  return op.bits <= 32 && Math.abs(op.argNum) <= SMALL_ARG ? applySmall(v, op) : applyBig(v, op);
}

/** Replies the GET of op over v (zero past its end). */
function replyGet(c: Client, v: Uint8Array, op: FieldOp): void {
  if ((op.offset % 8) + op.bits <= 48) c.w.integer(getSmall(v, op.offset, op.bits, op.signed));
  else c.w.integer(op.signed ? getSigned(v, op.offset, op.bits) : getUnsigned(v, op.offset, op.bits));
}

/**
 * BITFIELD / BITFIELD_RO key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET|INCRBY type offset
 * value]...: every operation is parsed (and any error replied) before the key is touched.
 * GET-only calls read the key (missing = zeros); a call with writes opens the string for
 * writing, grown to the farthest bit written (BITFIELD_RO refuses it), and runs the operations
 * in order, replying one array element each. Changes (fields whose value changed, or every
 * write when the string was created or grown) count in dirty, with one "setbit" event.
 *
 * A string created or grown counts as one change even when OVERFLOW FAIL refused every write.
 * Redis 7.0 grows it but then neither propagates nor counts the call (redis/redis#15599, fixed
 * upstream by #15699), so its replicas and AOF never get the new length; here they do.
 */
function bitfieldGeneric(c: Client, argv: Buffer[], readOnly: boolean): void {
  const ops = parseOps(c, argv);
  if (ops === null) return;
  let highest = -1;
  for (const op of ops) if (op.code !== GET && op.offset + op.bits - 1 > highest) highest = op.offset + op.bits - 1;
  const key = argv[1];
  if (highest < 0) {
    const e = readString(c, key);
    if (e === WRONG) return;
    const v = e === NONE ? EMPTY : c.db.value(e);
    c.w.array(ops.length);
    for (const op of ops) replyGet(c, v, op);
    return;
  }
  if (readOnly) {
    c.w.error(Err.bitfieldRo);
    return;
  }
  const e = openForBits(c, key, highest);
  if (e === WRONG) return;
  const grown = opened.grown;
  const v = c.db.value(e);
  let changes = 0;
  c.w.array(ops.length);
  for (const op of ops) {
    if (op.code === GET) {
      replyGet(c, v, op);
      continue;
    }
    const r = applyWrite(v, op);
    if (r.reply === null) {
      c.w.nil();
      continue;
    }
    c.w.integer(r.reply);
    if (r.changed || grown) changes++;
  }
  if (changes === 0 && grown) changes = 1;
  if (changes > 0) {
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.string, 'setbit', key, c.db.id);
    c.srv.dirty += changes;
  }
}

export const bitfieldHandlers: Record<string, Handler> = {
  bitfield: (c, argv) => bitfieldGeneric(c, argv, false),
  bitfield_ro: (c, argv) => bitfieldGeneric(c, argv, true),
};
