// SORT and SORT_RO (Redis 7.0 sort.c): sort the elements of a list, set or sorted set
// numerically or lexicographically (ALPHA), optionally by the values of other keys or hash
// fields (BY pattern), return other keys' values instead (GET pattern, GET #), page the result
// (LIMIT), and store it as a list (STORE, SORT only).
//
// Details that make replies match Redis's:
//  - BY with a pattern lacking '*' means "don't sort": lists and sorted sets keep their order
//    (DESC walks it backwards, LIMIT takes the range directly); a set keeps its iteration order,
//    except with STORE, where it is sorted ALPHA so a replica would store the same list.
//  - Numeric sort parses each weight as C's strtod: the whole string must convert (up to a NUL
//    byte, as C sees it), "nan" and out-of-range values fail the command with "One or more
//    scores can't be converted into double"; an empty string is 0; a missing BY key is 0.
//    Equal scores are ordered by the elements' bytes, so the result is deterministic.
//  - ALPHA without STORE compares as strcoll does in the C locale (bytes up to the first NUL);
//    with STORE as binary strings (Redis compares with memcmp there). A missing BY value sorts
//    before any present one.
//  - Weights and GET values come from string keys or, with `pattern->field`, hash fields; any
//    other type reads as missing. Each lookup counts as a keyspace read (hits, misses, LRU).

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { HashValue } from '../keyspace/types/hash.js';
import type { ListValue } from '../keyspace/types/list.js';
import type { SetValue } from '../keyspace/types/set.js';
import type { ZSetValue } from '../keyspace/types/zset.js';
import type { Client } from '../network/client.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { newList } from './lists-common.js';
import { setAggregate } from './typed.js';
import { isKeyword } from './util.js';
import { parseIntArg } from '../../lib/numbers.js';

/** LONG_MIN / LONG_MAX: LIMIT's arguments are C longs. */
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

interface SortItem {
  /** The element (latin1). */
  readonly el: string;
  /** Numeric weight (0 when the BY value is missing). */
  score: number;
  /** ALPHA weight from a BY pattern (null when missing). */
  cmp: string | null;
}

/** A long argument (LIMIT); null after replying "not an integer". */
function longArg(c: Client, arg: Buffer): number | null {
  const v = parseIntArg(arg);
  if (v === null || (typeof v === 'bigint' && (v < LONG_MIN || v > LONG_MAX))) {
    c.w.error(Err.notInteger);
    return null;
  }
  // Only the clamped value matters (to [-1, size]); far values keep their sign.
  return typeof v === 'bigint' ? (v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : v;
}

function sortGeneric(c: Client, argv: Buffer[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortBy: Buffer | null = null;
  let dontSort = false;
  let storeKey: Buffer | null = null;
  const gets: Buffer[] = [];
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (isKeyword(a, 'asc')) desc = false;
    else if (isKeyword(a, 'desc')) desc = true;
    else if (isKeyword(a, 'alpha')) alpha = true;
    else if (isKeyword(a, 'limit') && left >= 2) {
      const s = longArg(c, argv[j + 1]);
      if (s === null) return;
      const n = longArg(c, argv[j + 2]);
      if (n === null) return;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && isKeyword(a, 'store') && left >= 1) {
      storeKey = argv[++j];
    } else if (isKeyword(a, 'by') && left >= 1) {
      sortBy = argv[++j];
      // A pattern without '*' (as C sees the string) is constant: nothing to sort by.
      dontSort = cIndexOf(sortBy, 0x2a) < 0;
    } else if (isKeyword(a, 'get') && left >= 1) {
      gets.push(argv[++j]);
    } else {
      return void c.w.error(Err.syntax);
    }
  }

  const ks = c.srv.keyspace;
  const e = ks.lookupRead(c.db, argv[1], c.srv.now, c.noTouch);
  const type = e === NONE ? VType.List : c.db.type(e);
  if (type !== VType.List && type !== VType.Set && type !== VType.ZSet) return void c.w.error(Err.wrongType);
  const obj = e === NONE ? null : c.db.store.object(e);

  if (dontSort && type === VType.Set && storeKey !== null) {
    // Stored results must not depend on the set's iteration order.
    dontSort = false;
    alpha = true;
    sortBy = null;
  }
  // Redis converts a listpack sorted set to a skiplist here: SORT changes its OBJECT ENCODING.
  if (type === VType.ZSet && obj !== null) (obj as ZSetValue).convertToSkiplist();

  const size = obj === null ? 0 : sizeOf(type, obj);
  let start = Math.min(Math.max(limitStart, 0), size);
  limitCount = Math.min(Math.max(limitCount, -1), size);
  let end = limitCount < 0 ? size - 1 : start + limitCount - 1;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  if (end >= size) end = size - 1;

  // Load the elements: ordered types without sorting take only the requested range.
  let items: SortItem[];
  if (dontSort && obj !== null && (type === VType.List || type === VType.ZSet)) {
    items = end >= start ? orderedRange(type, obj, start, end, desc) : [];
    end -= start;
    start = 0;
  } else {
    items = obj === null ? [] : allElements(type, obj);
  }

  let conversionError = false;
  if (!dontSort) {
    for (const it of items) {
      let w: string | null;
      if (sortBy !== null) {
        w = lookupByPattern(c, sortBy, it.el);
        if (w === null) continue;
      } else {
        w = it.el;
      }
      if (alpha) {
        if (sortBy !== null) it.cmp = w;
      } else {
        const d = strtod(w);
        if (d === null) conversionError = true;
        else it.score = d;
      }
    }
    const byPattern = sortBy !== null;
    const stored = storeKey !== null;
    const sign = desc ? -1 : 1;
    items.sort((x, y) => sign * compareItems(x, y, alpha, byPattern, stored));
  }

  const outLen = end >= start ? (gets.length > 0 ? gets.length : 1) * (end - start + 1) : 0;
  if (conversionError) return void c.w.error(Err.sortBadScores);
  if (storeKey === null) {
    c.w.array(outLen);
    for (let j = start; j <= end; j++) {
      const el = items[j].el;
      if (gets.length === 0) c.w.bulkLatin1(el);
      for (const g of gets) {
        const v = lookupByPattern(c, g, el);
        if (v === null) c.w.nil();
        else c.w.bulkLatin1(v);
      }
    }
    return;
  }

  // STORE: the result replaces the destination (any type, TTL cleared) as a list.
  const dst = storeKey;
  const db = c.db;
  if (outLen > 0) {
    const list = newList(c);
    for (let j = start; j <= end; j++) {
      const el = items[j].el;
      if (gets.length === 0) list.pushTail(el);
      for (const g of gets) list.pushTail(lookupByPattern(c, g, el) ?? '');
    }
    setAggregate(c, dst, VType.List, list);
    notifyKeyspaceEvent(c, NOTIFY.list, 'sortstore', dst, db.id);
    c.srv.dirty += outLen;
  } else {
    const old = ks.lookupWrite(db, dst, c.srv.now, true);
    if (old !== NONE) {
      db.delete(old);
      signalModifiedKey(c, db, dst);
      notifyKeyspaceEvent(c, NOTIFY.generic, 'del', dst, db.id);
      c.srv.dirty++;
    }
  }
  c.w.integer(outLen);
}

function sizeOf(type: number, obj: unknown): number {
  if (type === VType.List) return (obj as ListValue).length;
  if (type === VType.Set) return (obj as SetValue).size;
  return (obj as ZSetValue).size;
}

/** Elements start..end (ranks in the walking direction) of a list or sorted set, unsorted. */
function orderedRange(type: number, obj: unknown, start: number, end: number, desc: boolean): SortItem[] {
  const out: SortItem[] = [];
  const n = end - start + 1;
  if (type === VType.List) {
    const list = obj as ListValue;
    const len = list.length;
    for (let i = 0; i < n; i++) out.push(item(list.at(desc ? len - 1 - start - i : start + i)));
    return out;
  }
  const z = obj as ZSetValue;
  z.walk(desc ? z.size - 1 - start : start, desc, (m) => {
    out.push(item(m));
    return out.length < n;
  });
  return out;
}

function allElements(type: number, obj: unknown): SortItem[] {
  const out: SortItem[] = [];
  if (type === VType.List) {
    for (const el of (obj as ListValue).toArray()) out.push(item(el));
  } else if (type === VType.Set) {
    const set = obj as SetValue;
    for (let i = 0; i < set.size; i++) out.push(item(set.memberAt(i)));
  } else {
    for (const [m] of (obj as ZSetValue).ascending()) out.push(item(m));
  }
  return out;
}

function item(el: string): SortItem {
  return { el, score: 0, cmp: null };
}

/** sortCompare, before DESC is applied. */
function compareItems(x: SortItem, y: SortItem, alpha: boolean, byPattern: boolean, stored: boolean): number {
  if (!alpha) {
    if (x.score > y.score) return 1;
    if (x.score < y.score) return -1;
    return binaryCompare(x.el, y.el);
  }
  if (byPattern) {
    if (x.cmp === null || y.cmp === null) return x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
    return stored ? binaryCompare(x.cmp, y.cmp) : cStringCompare(x.cmp, y.cmp);
  }
  return stored ? binaryCompare(x.el, y.el) : cStringCompare(x.el, y.el);
}

/** memcmp order, then length (Redis compareStringObjects). */
function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcmp / strcoll in the C locale: bytes up to the first NUL of each. */
function cStringCompare(a: string, b: string): number {
  const na = a.indexOf('\0');
  const nb = b.indexOf('\0');
  return binaryCompare(na < 0 ? a : a.slice(0, na), nb < 0 ? b : b.slice(0, nb));
}

/** Index of byte ch in b before its first NUL (C's strchr), or -1. */
function cIndexOf(b: Buffer, ch: number): number {
  for (let i = 0; i < b.length && b[i] !== 0; i++) if (b[i] === ch) return i;
  return -1;
}

/**
 * Redis lookupKeyByPattern: "#" is the element itself; otherwise the first '*' of the pattern
 * is replaced by the element to form a key name, and `->field` after the '*' (with a non-empty
 * field) reads that hash field. Returns the value (latin1) or null if missing or of another type.
 */
function lookupByPattern(c: Client, pattern: Buffer, el: string): string | null {
  if (pattern.length === 1 && pattern[0] === 0x23) return el;
  const star = cIndexOf(pattern, 0x2a);
  if (star < 0) return null;
  const pat = pattern.toString('latin1');
  // The C string ends at the first NUL: strstr and the field stop there.
  const nul = pat.indexOf('\0');
  const cpat = nul < 0 ? pat : pat.slice(0, nul);
  const arrow = cpat.indexOf('->', star + 1);
  let field: string | null = null;
  let keyEnd = pat.length;
  if (arrow >= 0 && arrow + 2 < cpat.length) {
    field = pat.slice(arrow + 2);
    keyEnd = arrow;
  }
  const key = Buffer.from(pat.slice(0, star) + el + pat.slice(star + 1, keyEnd), 'latin1');
  const e = c.srv.keyspace.lookupRead(c.db, key, c.srv.now, c.noTouch);
  if (e === NONE) return null;
  const type = c.db.type(e);
  if (field !== null) {
    if (type !== VType.Hash) return null;
    return (c.db.store.object(e) as HashValue).get(field) ?? null;
  }
  if (type !== VType.String) return null;
  return c.db.value(e).toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// strtod

const SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?(?:inf|infinity)$/i;

/**
 * The double C's strtod reads from s when it must consume the whole string (up to a NUL), or
 * null where SORT reports a conversion error: trailing garbage, NaN, or a result out of range
 * (ERANGE: overflow to infinity, or underflow to zero / a subnormal). An empty string is 0
 * (strtod converts nothing and stops at the terminator).
 */
export function strtod(s: string): number | null {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '') return 0;
  const body = s.slice((SPACE.exec(s) as RegExpExecArray)[0].length);
  if (INF.test(body)) return body[0] === '-' ? -Infinity : Infinity;
  let v: number;
  let nonzero: boolean;
  if (DECIMAL.test(body)) {
    v = Number(body);
    nonzero = /[1-9]/.test(body.replace(/[eE].*$/, ''));
  } else {
    const m = HEX.exec(body);
    if (m === null) return null;
    const [intPart, fracPart = ''] = m[2].split('.');
    const digits = intPart + fracPart;
    let mant = 0;
    for (const d of digits) mant = mant * 16 + parseInt(d, 16);
    v = mant * Math.pow(2, Number(m[3] ?? '0') - 4 * fracPart.length);
    if (m[1] === '-') v = -v;
    nonzero = /[1-9a-fA-F]/.test(digits);
  }
  if (!Number.isFinite(v)) return null;
  // glibc reports ERANGE for results below the smallest normal double.
  if (nonzero && Math.abs(v) < 2.2250738585072014e-308) return null;
  return v;
}

export const sortHandlers: Record<string, Handler> = {
  sort: (c, argv) => sortGeneric(c, argv, false),
  sort_ro: (c, argv) => sortGeneric(c, argv, true),
};
