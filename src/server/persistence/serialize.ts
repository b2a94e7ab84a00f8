// Value serialization: what rdbSaveObjectType + rdbSaveObject write for a value, for every type
// and encoding Shoal stores, byte for byte as Redis 7.0 writes the same value in the same
// encoding (DUMP payloads of both servers compare equal):
//
//   string            0  the string (integer-encoded / LZF as RdbOutput.string decides)
//   list              18 QUICKLIST_2: node count, then per node its container (2 = packed) and
//                        its listpack; nodes split as RPUSH fills them under the list's fill
//                        (list-max-listpack-size), interior nodes LZF-compressed when
//                        list-compress-depth asks
//   set (intset)      11 the intset blob
//   set (hashtable)   2  count, members
//   zset (listpack)   17 the listpack: member, score, ... in score order
//   zset (skiplist)   5  ZSET_2: count, then member + binary double from the highest score down
//   hash (listpack)   16 the listpack: field, value, ... in insertion order
//   hash (hashtable)  4  count, field + value pairs
//
// Hashtable encodings are written in Shoal's dense order; Redis's dict order differs (it is
// seeded per process), which changes the bytes but not the value. A list is one flat deque in
// Shoal: its nodes are cut the way a list built by pushes at the tail is, so a list Redis built
// otherwise (LPUSH, LINSERT, deletions in the middle) carries the same elements in a different
// node layout.

import { formatDouble } from '../../lib/numbers.js';
import { VType } from '../keyspace/entry.js';
import { listpackEntryBytes } from '../keyspace/types/alloc-model.js';
import { HashValue } from '../keyspace/types/hash.js';
import { ListValue } from '../keyspace/types/list.js';
import { SetValue } from '../keyspace/types/set.js';
import { ZSetValue } from '../keyspace/types/zset.js';
import { ListpackBuilder } from './listpack.js';
import { lzfCompress } from './lzf.js';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RdbOutput, RdbType } from './rdb-io.js';
import { intsetBlobOf, listFillOf } from './value-access.js';

/** Settings that shape how a value is written (read from the configuration by the caller). */
export interface ValueOptions {
  /** list-max-listpack-size: the fill of a list whose own fill cannot be read. */
  readonly listFill: number;
  /** list-compress-depth: nodes this far from either end stay uncompressed (0: none compressed). */
  readonly listCompressDepth: number;
}

// ---------------------------------------------------------------------------------------------
// Quicklist node splitting (quicklist.c, Redis 7.0)

/** Byte budget of a node for fill -1 .. -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** A count-limited node (positive fill) still never grows past this many bytes. */
const SIZE_SAFETY_LIMIT = 8192;
/** quicklist's per-entry overestimate when deciding whether an element fits a node. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** quicklistSetFill's clamp. */
const FILL_MAX = (1 << 15) - 1;
/** Elements from this size on get a plain node of their own (packed_threshold). */
const PACKED_THRESHOLD = 1 << 30;
/** Nodes below this size are never compressed (MIN_COMPRESS_BYTES). */
const MIN_COMPRESS_BYTES = 48;
/** Compression must save more than this many bytes to be kept (MIN_COMPRESS_IMPROVE). */
const MIN_COMPRESS_IMPROVE = 8;
/** An empty listpack: header and end byte. */
const LP_EMPTY_BYTES = 7;

/** _quicklistNodeAllowInsert: may a node of `bytes` in `count` entries take an element of len bytes? */
function nodeAllows(fill: number, bytes: number, count: number, len: number): boolean {
  const newSize = bytes + len + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSize <= OPTIMIZATION_LEVEL[Math.min(-fill, OPTIMIZATION_LEVEL.length) - 1];
  const countLimit = fill === 0 ? 1 : fill;
  return newSize <= SIZE_SAFETY_LIMIT && count + 1 <= countLimit;
}

/**
 * The element counts of the nodes a quicklist with `fill` gets when the elements are pushed
 * at the tail one by one; a negative count marks a plain node (one element of >= 1 GB).
 */
function quicklistNodes(list: ListValue, fill: number): number[] {
  if (fill > FILL_MAX) fill = FILL_MAX;
  else if (fill < -5) fill = -5;
  const nodes: number[] = [];
  let bytes = 0;
  let count = 0; // elements in the open packed node; 0 when there is none
  for (let i = 0; i < list.length; i++) {
    const s = list.at(i);
    if (s.length >= PACKED_THRESHOLD) {
      if (count > 0) nodes.push(count);
      nodes.push(-1);
      count = 0;
      continue;
    }
    if (count > 0 && nodeAllows(fill, bytes, count, s.length)) {
      bytes += listpackEntryBytes(s);
      count++;
      continue;
    }
    if (count > 0) nodes.push(count);
    bytes = LP_EMPTY_BYTES + listpackEntryBytes(s);
    count = 1;
  }
  if (count > 0) nodes.push(count);
  return nodes;
}

function writeList(out: RdbOutput, list: ListValue, opts: ValueOptions): void {
  const nodes = quicklistNodes(list, listFillOf(list, opts.listFill));
  const depth = opts.listCompressDepth;
  out.len(nodes.length);
  const lp = new ListpackBuilder();
  let at = 0;
  for (let n = 0; n < nodes.length; n++) {
    const count = nodes[n];
    if (count < 0) {
      out.len(QUICKLIST_PLAIN);
      out.stringLatin1(list.at(at++));
      continue;
    }
    out.len(QUICKLIST_PACKED);
    lp.reset();
    for (let k = 0; k < count; k++) lp.append(list.at(at++));
    const bytes = lp.finish();
    // Interior nodes of a compressed quicklist are kept LZF-compressed and saved as they are.
    if (depth > 0 && n >= depth && n < nodes.length - depth && bytes.length >= MIN_COMPRESS_BYTES) {
      const z = lzfCompress(bytes, 0, bytes.length, bytes.length);
      if (z !== null && z.length + MIN_COMPRESS_IMPROVE < bytes.length) {
        out.lzfBlob(z, bytes.length);
        continue;
      }
    }
    out.string(bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// Sets, sorted sets, hashes

function writeSet(out: RdbOutput, set: SetValue): void {
  if (set.isIntset) return out.string(intsetBlobOf(set));
  const n = set.size;
  out.len(n);
  for (let i = 0; i < n; i++) out.stringLatin1(set.memberAt(i));
}

/** Largest magnitude a listpack keeps a score as an integer (double2ll: LLONG_MAX / 2). */
const LP_INT_SCORE = 2 ** 62;

/** Appends a score as zzlInsertAt does: an integer entry when integral within +-2^62, else "%.17g". */
function appendScore(lp: ListpackBuilder, score: number): void {
  if (Number.isInteger(score) && score >= -LP_INT_SCORE && score <= LP_INT_SCORE) lp.appendInt(BigInt(score));
  else lp.append(formatDouble(score));
}

function writeZSet(out: RdbOutput, z: ZSetValue): void {
  const n = z.size;
  if (z.isListpack) {
    const lp = new ListpackBuilder();
    if (n > 0) {
      z.walk(0, false, (member, score) => {
        lp.append(member);
        appendScore(lp, score);
        return true;
      });
    }
    out.string(lp.finish());
    return;
  }
  out.len(n);
  // From the highest score down, as Redis writes it (its loader then inserts at the head).
  for (const [member, score] of z.descending()) {
    out.stringLatin1(member);
    out.binaryDouble(score);
  }
}

function writeHash(out: RdbOutput, h: HashValue): void {
  const n = h.size;
  if (h.isListpack) {
    const lp = new ListpackBuilder();
    for (let i = 0; i < n; i++) {
      lp.append(h.fieldAt(i));
      lp.append(h.valueAt(i));
    }
    out.string(lp.finish());
    return;
  }
  out.len(n);
  for (let i = 0; i < n; i++) {
    out.stringLatin1(h.fieldAt(i));
    out.stringLatin1(h.valueAt(i));
  }
}

/**
 * The RDB type id a value is written with (rdbSaveObjectType). `value` is the string's bytes
 * for VType.String, else the value object. Throws for a value without an RDB form here.
 */
export function rdbTypeOf(type: number, value: unknown): number {
  switch (type) {
    case VType.String:
      return RdbType.String;
    case VType.List:
      if (value instanceof ListValue) return RdbType.ListQuicklist2;
      break;
    case VType.Set:
      if (value instanceof SetValue) return value.isIntset ? RdbType.SetIntset : RdbType.Set;
      break;
    case VType.ZSet:
      if (value instanceof ZSetValue) return value.isListpack ? RdbType.ZSetListpack : RdbType.ZSet2;
      break;
    case VType.Hash:
      if (value instanceof HashValue) return value.isListpack ? RdbType.HashListpack : RdbType.Hash;
      break;
  }
  throw new Error(`no RDB serialization for a value of type ${type}`);
}

/** Writes a value's serialization without its type byte (rdbSaveObject); see rdbTypeOf. */
export function writeValueBody(out: RdbOutput, type: number, value: unknown, opts: ValueOptions): void {
  if (type === VType.String) out.string(value as Uint8Array);
  else if (value instanceof ListValue) writeList(out, value, opts);
  else if (value instanceof SetValue) writeSet(out, value);
  else if (value instanceof ZSetValue) writeZSet(out, value);
  else if (value instanceof HashValue) writeHash(out, value);
  else throw new Error(`no RDB serialization for a value of type ${type}`);
}

/** Writes a value's RDB type byte and its serialization (rdbSaveObjectType + rdbSaveObject). */
export function writeValue(out: RdbOutput, type: number, value: unknown, opts: ValueOptions): void {
  out.u8(rdbTypeOf(type, value));
  writeValueBody(out, type, value, opts);
}
