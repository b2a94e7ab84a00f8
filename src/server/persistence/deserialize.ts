// Value deserialization: rdbLoadObject for every value type id a Redis 7.0 server writes or
// loads, building Shoal's value objects with Redis's encoding rules applied as its loader
// applies them:
//
//   STRING 0              the string
//   LIST 1, LIST_ZIPLIST 10, LIST_QUICKLIST 14, LIST_QUICKLIST_2 18      a list
//   SET 2                 intset while the members are integers and no more than
//                         set-max-intset-entries were announced, else hashtable
//   SET_INTSET 11         intset, hashtable past set-max-intset-entries
//   ZSET 3, ZSET_2 5      skiplist, converted to listpack when it fits the zset-max-listpack-*
//                         limits (both entries and member length)
//   ZSET_ZIPLIST 12, ZSET_LISTPACK 17    listpack, skiplist past zset-max-listpack-entries
//                         (Redis checks only the count here, not the member length)
//   HASH 4                listpack until a field or value exceeds hash-max-listpack-value or
//                         more than hash-max-listpack-entries pairs were announced
//   HASH_ZIPMAP 9         listpack, hashtable past either limit
//   HASH_ZIPLIST 13, HASH_LISTPACK 16    listpack, hashtable past hash-max-listpack-entries
//                         (count only, as Redis)
//   modules 6-7, streams 15 / 19         refused: Shoal has no such values
//
// Validation is always as deep as Redis's with sanitize-dump-payload yes: every blob is parsed
// entry by entry with bounds checks, and a value that would break an invariant — duplicate
// hash fields, set members or sorted-set members, an odd number of pair elements, a NaN score,
// an empty aggregate — is refused. Every failure is an RdbError (reason, offset); an empty
// aggregate returns null instead, which a file load skips and RESTORE refuses, as Redis does.

import { VType } from '../keyspace/entry.js';
import { HashValue, type HashLimits } from '../keyspace/types/hash.js';
import { ListValue } from '../keyspace/types/list.js';
import { SetValue } from '../keyspace/types/set.js';
import { ZSetValue } from '../keyspace/types/zset.js';
import { parseIntset, parseListpack } from './listpack.js';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RdbError, RdbType, parseCDouble, type RdbInput } from './rdb-io.js';
import { parseZiplist, parseZipmap } from './ziplist.js';

/** The encoding thresholds a loaded value is shaped by (the configuration at load time). */
export interface LoadLimits {
  readonly hashMaxEntries: number;
  readonly hashMaxValue: number;
  readonly zsetMaxEntries: number;
  readonly zsetMaxValue: number;
  readonly setMaxIntset: number;
  /** list-max-listpack-size, the fill new lists get. */
  readonly listFill: number;
}

/**
 * A decoded value with its VType: an aggregate value object, or a string's bytes — possibly a
 * view into the input, valid until the next read from it (add it to the keyspace, which copies
 * it, before reading on).
 */
export type LoadedValue =
  | { readonly type: typeof VType.String; readonly value: Buffer }
  | { readonly type: typeof VType.List; readonly value: ListValue }
  | { readonly type: typeof VType.Set; readonly value: SetValue }
  | { readonly type: typeof VType.ZSet; readonly value: ZSetValue }
  | { readonly type: typeof VType.Hash; readonly value: HashValue };

/** Names of the value types Shoal cannot hold, for the error that refuses them. */
const UNSUPPORTED: Record<number, string> = {
  [RdbType.ModulePreGa]: 'module',
  [RdbType.Module2]: 'module',
  [RdbType.StreamListpacks]: 'stream',
  [RdbType.StreamListpacks2]: 'stream',
};

/** The reason an unsupported type id is refused with (RESTORE tells streams apart with it). */
export function unsupportedTypeReason(rdbType: number): string | null {
  const name = UNSUPPORTED[rdbType];
  return name === undefined ? null : `Values of type ${name} (RDB type ${rdbType}) are not supported`;
}

/** Limits that never convert (for blobs Redis keeps in their compact encoding as they are). */
const KEEP_COMPACT: HashLimits = { maxEntries: Infinity, maxValue: Infinity };

/**
 * Reads one value of RDB type `rdbType` from inp. Returns the value, or null for an empty
 * aggregate (Redis's RDB_LOAD_ERR_EMPTY_KEY). Throws RdbError for anything malformed or
 * unsupported.
 */
export function readValue(inp: RdbInput, rdbType: number, limits: LoadLimits): LoadedValue | null {
  switch (rdbType) {
    case RdbType.String:
      return { type: VType.String, value: inp.string() };
    case RdbType.List:
      return readPlainList(inp, limits);
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2:
      return readQuicklist(inp, rdbType === RdbType.ListQuicklist2, limits);
    case RdbType.Set:
      return readSet(inp, limits);
    case RdbType.ZSet:
    case RdbType.ZSet2:
      return readZSet(inp, rdbType === RdbType.ZSet2, limits);
    case RdbType.Hash:
      return readHash(inp, limits);
    case RdbType.HashZipmap:
    case RdbType.ListZiplist:
    case RdbType.SetIntset:
    case RdbType.ZSetZiplist:
    case RdbType.HashZiplist:
    case RdbType.HashListpack:
    case RdbType.ZSetListpack:
      return readBlobValue(inp, rdbType, limits);
  }
  const unsupported = unsupportedTypeReason(rdbType);
  return inp.fail(unsupported ?? `Unknown RDB encoding type ${rdbType}`);
}

// ---------------------------------------------------------------------------------------------
// Lists

function readPlainList(inp: RdbInput, limits: LoadLimits): LoadedValue | null {
  const n = inp.len();
  if (n === 0) return null;
  const list = new ListValue(limits.listFill);
  for (let i = 0; i < n; i++) list.pushTail(inp.stringLatin1());
  return { type: VType.List, value: list };
}

function readQuicklist(inp: RdbInput, v2: boolean, limits: LoadLimits): LoadedValue | null {
  const nodes = inp.len();
  if (nodes === 0) return null;
  const list = new ListValue(limits.listFill);
  const push = (s: string): void => list.pushTail(s);
  for (let i = 0; i < nodes; i++) {
    let container = QUICKLIST_PACKED;
    if (v2) {
      container = inp.len();
      if (container !== QUICKLIST_PACKED && container !== QUICKLIST_PLAIN) inp.fail('Quicklist integrity check failed.');
    }
    const at = inp.offset;
    const data = inp.string();
    if (data.length === 0) throw new RdbError('Quicklist node is empty', at);
    if (container === QUICKLIST_PLAIN) {
      list.pushTail(data.toString('latin1'));
    } else if (v2) {
      if (parseListpack(data, push) < 0) throw new RdbError('Listpack integrity check failed.', at);
    } else {
      const elements = parseZiplist(data);
      if (elements === null) throw new RdbError('Ziplist integrity check failed.', at);
      for (const s of elements) list.pushTail(s);
    }
  }
  // Empty nodes are skipped silently; a list left with nothing is an empty key.
  return list.length === 0 ? null : { type: VType.List, value: list };
}

// ---------------------------------------------------------------------------------------------
// Sets

/** The intset limit as Redis applies it (capped at 2^30). */
function intsetLimit(limits: LoadLimits): number {
  return Math.min(limits.setMaxIntset, 1 << 30);
}

/** An empty hashtable-encoded set (a set created for a non-integer member). */
function hashtableSet(): SetValue {
  return SetValue.forMember('');
}

function readSet(inp: RdbInput, limits: LoadLimits): LoadedValue | null {
  const n = inp.len();
  if (n === 0) return null;
  const max = intsetLimit(limits);
  const set = n > max ? hashtableSet() : SetValue.intset();
  for (let i = 0; i < n; i++) {
    const at = inp.offset;
    if (!set.add(inp.stringLatin1(), max)) throw new RdbError('Duplicate set members detected', at);
  }
  return { type: VType.Set, value: set };
}

// ---------------------------------------------------------------------------------------------
// Sorted sets

function readZSet(inp: RdbInput, binary: boolean, limits: LoadLimits): LoadedValue | null {
  const n = inp.len();
  if (n === 0) return null;
  const z = ZSetValue.create(false);
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    const at = inp.offset;
    const member = inp.stringLatin1();
    const score = binary ? inp.binaryDouble() : inp.textDouble();
    if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected', at);
    if (z.score(member) !== undefined) throw new RdbError('Duplicate zset fields detected', at);
    z.insertNew(member, score);
    if (member.length > maxLen) maxLen = member.length;
  }
  // Converted after loading (the elements come unordered): to a listpack when it fits.
  if (z.size <= limits.zsetMaxEntries && maxLen <= limits.zsetMaxValue) {
    z.convertToListpackIfNeeded({ maxEntries: limits.zsetMaxEntries, maxValue: limits.zsetMaxValue });
  }
  return { type: VType.ZSet, value: z };
}

/**
 * A sorted set from flattened member/score pairs of a ziplist or listpack: a listpack as it
 * comes (whatever its member lengths), a skiplist past zset-max-listpack-entries. null when
 * the pairs are malformed (odd count, duplicate member, a score that is not a number).
 */
function zsetFromPairs(elements: readonly string[], limits: LoadLimits): ZSetValue | null {
  if (elements.length % 2 !== 0) return null;
  const count = elements.length / 2;
  const z = ZSetValue.create(count <= limits.zsetMaxEntries);
  const seen = new Set<string>();
  for (let i = 0; i < elements.length; i += 2) {
    const member = elements[i];
    const score = parseCDouble(elements[i + 1]);
    if (Number.isNaN(score) || seen.has(member)) return null;
    seen.add(member);
    z.insertNew(member, score);
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Hashes

function hashLimits(limits: LoadLimits): HashLimits {
  return { maxEntries: limits.hashMaxEntries, maxValue: limits.hashMaxValue };
}

function readHash(inp: RdbInput, limits: LoadLimits): LoadedValue | null {
  const n = inp.len();
  if (n === 0) return null;
  const lim = hashLimits(limits);
  const h = new HashValue();
  // Too many pairs announced: a hashtable from the start.
  if (n > lim.maxEntries) h.tryConversion(Infinity, lim);
  for (let i = 0; i < n; i++) {
    const at = inp.offset;
    const field = inp.stringLatin1();
    const value = inp.stringLatin1();
    if (!h.set(field, value, lim)) throw new RdbError('Duplicate hash fields detected', at);
  }
  return { type: VType.Hash, value: h };
}

/**
 * A hash from flattened field/value pairs: listpack-encoded as it comes when `compact` (Redis
 * keeps a loaded listpack or ziplist as is), else with the listpack limits applied pair by pair.
 * Hashtable past hash-max-listpack-entries either way. null for an odd count or a duplicate
 * field.
 */
function hashFromPairs(elements: readonly string[], compact: boolean, limits: LoadLimits): HashValue | null {
  if (elements.length % 2 !== 0) return null;
  const lim = hashLimits(limits);
  const h = new HashValue();
  const count = elements.length / 2;
  if (count > lim.maxEntries) h.tryConversion(Infinity, lim);
  const setLimits = compact && count <= lim.maxEntries ? KEEP_COMPACT : lim;
  for (let i = 0; i < elements.length; i += 2) {
    if (!h.set(elements[i], elements[i + 1], setLimits)) return null;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Blob encodings (one string holding a ziplist, zipmap, intset or listpack)

function readBlobValue(inp: RdbInput, rdbType: number, limits: LoadLimits): LoadedValue | null {
  const at = inp.offset;
  const blob = inp.string();
  const corrupt = (reason: string): never => {
    throw new RdbError(reason, at);
  };
  switch (rdbType) {
    case RdbType.HashZipmap: {
      const pairs = parseZipmap(blob);
      if (pairs === null) return corrupt('Zipmap integrity check failed.');
      const h = hashFromPairs(pairs, false, limits);
      if (h === null) return corrupt('Hash zipmap with dup elements, or big length');
      return { type: VType.Hash, value: h };
    }
    case RdbType.ListZiplist: {
      const elements = parseZiplist(blob);
      if (elements === null) return corrupt('List ziplist integrity check failed.');
      if (elements.length === 0) return null;
      const list = new ListValue(limits.listFill);
      for (const s of elements) list.pushTail(s);
      return { type: VType.List, value: list };
    }
    case RdbType.SetIntset: {
      const members = parseIntset(blob);
      if (members === null) return corrupt('Intset integrity check failed.');
      const set = SetValue.intset();
      const max = intsetLimit(limits);
      for (const v of members) set.add(String(v), max);
      return { type: VType.Set, value: set };
    }
    case RdbType.ZSetZiplist:
    case RdbType.ZSetListpack: {
      const listpack = rdbType === RdbType.ZSetListpack;
      const name = listpack ? 'Zset listpack' : 'Zset ziplist';
      const elements = listpack ? listpackElements(blob) : parseZiplist(blob);
      if (elements === null) return corrupt(`${name} integrity check failed.`);
      if (elements.length === 0) return null;
      const z = zsetFromPairs(elements, limits);
      if (z === null) return corrupt(`${name} integrity check failed.`);
      return { type: VType.ZSet, value: z };
    }
    case RdbType.HashZiplist:
    case RdbType.HashListpack: {
      const listpack = rdbType === RdbType.HashListpack;
      const name = listpack ? 'Hash listpack' : 'Hash ziplist';
      const elements = listpack ? listpackElements(blob) : parseZiplist(blob);
      if (elements === null) return corrupt(`${name} integrity check failed.`);
      if (elements.length === 0) return null;
      const h = hashFromPairs(elements, true, limits);
      if (h === null) return corrupt(`${name} integrity check failed.`);
      return { type: VType.Hash, value: h };
    }
  }
  return corrupt(`Unknown RDB encoding type ${rdbType}`);
}

/** The elements of a listpack blob, or null when it is malformed. */
function listpackElements(blob: Buffer): string[] | null {
  const out: string[] = [];
  return parseListpack(blob, (s) => out.push(s)) < 0 ? null : out;
}
