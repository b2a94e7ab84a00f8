// What the aggregate value classes cost on the JS heap: the constants behind their `bytes`
// getters, which the keyspace sums for maxmemory (src/server/keyspace/store.ts) and INFO
// used_memory. MEMORY USAGE is a different figure: it models Redis's own allocations
// (alloc-model.ts) so tools compare keys as they would on Redis.
//
// How the constants were obtained (Node 20, x64, no pointer compression): build 20 000 to
// 100 000 objects of one shape, run gc() twice (node --expose-gc), and divide the growth of
// process.memoryUsage().heapUsed + external by the count. Figures measured that way:
//   latin1 string of n chars        16 + n rounded up to 8 (8 chars: 24, 17: 40, 100: 120);
//                                   one-char strings are V8's shared constants (about 0)
//   hash, listpack, 1 field         256 (the array's first growth takes 17 slots)
//   hash, listpack, per field       65 with 8-char field and value: 2 strings + 2 slots + slack
//   hash, hashtable, 1 field        668 (DenseDict: a Map and two arrays, first growth)
//   hash, hashtable, per field      92 with 8-char field and value: 2 strings + ~45
//   list, empty (ring of 8)         185; per element a string + its ring slot
//   set, intset, empty (4 slots)    313; per member ~10 (BigInt64Array growing by doubling)
//   set, hashtable, per member      74 with 8 chars: a string + ~50
//   zset, listpack, empty           137; per member 45 with 8 chars: a string + 2 slots + slack
//   zset, skiplist, empty           2540 (node pool, its float64 view, member slots, DenseDict);
//                                   per member 62-88 with 8 chars: a string + its pool record
//                                   (amortized over the pool's doubling) and dict entry
// The estimates are deliberately simple (a base per encoding plus a cost per element) and
// O(1) to keep up to date: they are within ~10 % of the measured heap growth for aggregates of
// a few elements to a few thousand.

/** Heap bytes of a latin1 string of `len` chars (SeqOneByteString: 16-byte header, 8-aligned). */
export function stringBytes(len: number): number {
  return 16 + ((len + 7) & ~7);
}

/** One element slot of a JS array (a tagged pointer). */
export const SLOT_BYTES = 8;

/** Hash, listpack: the object, its array and the array's first growth (17 slots). */
export const HASH_LP_BASE = 240;
/** Hash, listpack: per field, the field's and the value's array slots. */
export const HASH_LP_FIELD = 2 * SLOT_BYTES;
/** Hash, hashtable: the object and a DenseDict after its first insert. */
export const HASH_HT_BASE = 620;
/** DenseDict, per element: Map entry with its share of the hash table, key and value slots. */
export const DICT_ENTRY_BYTES = 48;

/** List: the object without its ring (the ring costs SLOT_BYTES per slot of capacity). */
export const LIST_BASE = 120;

/** Set, intset: the object and its BigInt64Array shell (elements: 8 bytes per slot of capacity). */
export const INTSET_BASE = 280;
/** Set, hashtable: the object and a DenseDict after its first insert. */
export const SET_HT_BASE = 680;

/** Sorted set, listpack: the object and its two arrays after their first growth. */
export const ZSET_LP_BASE = 390;
/** Sorted set, listpack: per member, its member and score slots. */
export const ZSET_LP_MEMBER = 2 * SLOT_BYTES;
/** Sorted set, skiplist: the object, its node pool (with the 32-level header) and a DenseDict. */
export const ZSET_SL_BASE = 2500;
/** Sorted set, skiplist: per member, its pool record (score, links, spans) and dict entry. */
export const ZSET_SL_MEMBER = 80;
