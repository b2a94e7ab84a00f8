// Per-key-pattern statistics (Shoal extension): keyspace hits, misses, key counts and memory
// for each of a configured list of key patterns, reported by INFO keypatterns.
//
// Configuration: `keypatterns "<pattern> <pattern> ..."` (empty = off, the default). A pattern
// without glob metacharacters is a prefix (`session:`); one that is a literal followed by a
// single trailing `*` is the same prefix (`session:*`); anything else is a Redis glob matched
// against the whole key (`user:*:cart`, src/lib/glob.ts). A key belongs to the FIRST pattern it
// matches, else to `other`, so the per-pattern figures partition the keyspace and add up
// exactly to the global ones.
//
// What is exact and what is estimated:
//  - hits / misses (exact): an access observer (Keyspace.accessObservers) counts every read
//    lookup, exactly where keyspace_hits / keyspace_misses are counted (expired keys read as
//    misses there too). Lookups made before the current list was set are shown on the
//    `unattributed` line, so pattern lines + other + unattributed == INFO stats' counters at
//    any moment. CONFIG RESETSTAT is noticed without a hook of its own: every change of the
//    global counters goes through lookupRead, which calls the observer *before* counting, so
//    a global counter that differs from what the observer accounted for can only have been
//    reset; the per-pattern counters then restart from zero.
//  - keys (exact, as DBSIZE: expired keys not yet reclaimed included): the database's index
//    observer (Database.indexObserver) reports every key linked or unlinked (add, delete,
//    expire, evict, RENAME, MOVE), databases emptied at once (FLUSHDB, FLUSHALL) and swapped
//    (SWAPDB). Counts are kept per database and travel with SWAPDB.
//  - memory (estimated): a background sweep walks the keyspace a bounded number of keys per
//    cron tick, sums each key's bytes (its arena record, entry metadata, and the aggregate's
//    own estimate when it is a heap object: the figures used_memory adds up) per pattern, and
//    the estimate is the per-pattern bytes-per-key of the last complete sweep (of the sweep in
//    progress before the first completes) times the exact key count.
//
// Changing the list recounts the keys with an incremental pass (RecountState), not a full one:
// a full pass is O(keys) on the CONFIG SET, unbounded (about 1 s at 10M keys), while the
// incremental pass does at most RECOUNT_KEYS_PER_TICK keys per cron tick and keeps the counts
// exact under concurrent writes. It walks each database with Database.scan, whose cursor
// orders keys by their hash (partition, then bit-reversed bucket index), so "already visited"
// is a property of a key's hash: keys linked or unlinked in the visited part are counted at
// once, those beyond the cursor are left for the walk to find. Scan may return a key twice
// after a partition shrank; the walk skips keys below its high-water mark, so each is counted
// once. Until the pass ends, `keypatterns_keys_recounting:1` says the key counts are partial.
//
// Cost when off: nothing (no observer is installed) beyond a null test per key linked or
// unlinked. When on, per read lookup and per key linked or unlinked: one classification — a
// byte compare per prefix pattern, no allocation; a glob pattern first compares its literal
// lead the same way and runs the glob only on keys that start with it.

import { compileGlob } from '../../lib/glob.js';
import { hashVisited, type Database, type IndexObserver } from '../keyspace/database.js';
import { hashBytes } from '../keyspace/hash.js';
import { NONE, type Keyspace } from '../keyspace/keyspace.js';
import { ENTRY_META_BYTES, OBJECT_SLOT_BYTES } from '../keyspace/store.js';
import type { Server } from '../server.js';

/** Most patterns a list may hold (each read lookup may compare the key with all of them). */
export const MAX_PATTERNS = 64;
/** Keys the recount after a change of the list visits per cron tick (a few ms of work). */
export const RECOUNT_KEYS_PER_TICK = 20000;
/** Keys the memory sweep visits per cron tick. */
export const SAMPLE_KEYS_PER_TICK = 2000;
/** Buckets per Database.scan call of the walks above. */
export const SCAN_STEP = 64;

// =========================================================================================
// Pattern lists

/**
 * A parsed pattern list: classify() gives the index of the first pattern a key matches, or
 * `size` for "other".
 */
export class PatternSet {
  /** The patterns as configured, in order. */
  readonly patterns: readonly string[];
  /**
   * Per pattern: its prefix bytes; for a glob, the literal bytes before its first
   * metacharacter, which a key must start with before the glob is tried.
   */
  readonly #prefix: Buffer[];
  /** Per pattern: the compiled glob, or null for a prefix. */
  readonly #glob: (((s: Buffer) => boolean) | null)[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    this.#prefix = [];
    this.#glob = [];
    for (const p of patterns) {
      const prefix = prefixOf(p);
      this.#prefix.push(prefix ?? Buffer.from(p.slice(0, p.search(GLOB_META)), 'utf8'));
      this.#glob.push(prefix === null ? compileGlob(Buffer.from(p, 'utf8')) : null);
    }
  }

  /** Number of patterns; also the class index of "other". */
  get size(): number {
    return this.patterns.length;
  }

  /** Whether pattern i is matched as a prefix (else as a glob). */
  isPrefix(i: number): boolean {
    return this.#glob[i] === null;
  }

  /**
   * The class of the key b[off, off + len): the index of the first pattern it matches, or
   * `size` when none does. Bytes are compared in place: a prefix pattern is only that, and a
   * glob is tried only on keys that start with its literal lead. The glob itself needs a
   * Buffer (a view is allocated when the key is not one already).
   */
  classify(b: Uint8Array, off: number, len: number): number {
    const prefixes = this.#prefix;
    const n = prefixes.length;
    let subject: Buffer | null = null;
    for (let i = 0; i < n; i++) {
      const p = prefixes[i];
      const pl = p.length;
      if (pl > len) continue;
      let j = 0;
      while (j < pl && b[off + j] === p[j]) j++;
      if (j < pl) continue;
      const glob = this.#glob[i];
      if (glob === null) return i;
      subject ??= Buffer.isBuffer(b) && off === 0 && len === b.length ? b : Buffer.from(b.buffer, b.byteOffset + off, len);
      if (glob(subject)) return i;
    }
    return n;
  }
}

/** Glob metacharacters of src/lib/glob.ts. */
const GLOB_META = /[*?[\\]/;

/**
 * The prefix a pattern stands for, or null when it is a real glob: a literal is a prefix, and
 * so is a literal followed by one '*' (a trailing '*' also matches the empty rest).
 */
function prefixOf(p: string): Buffer | null {
  if (!GLOB_META.test(p)) return Buffer.from(p, 'utf8');
  const body = p.slice(0, -1);
  if (p.endsWith('*') && body !== '' && !GLOB_META.test(body)) return Buffer.from(body, 'utf8');
  return null;
}

/**
 * Parses the `keypatterns` value: patterns separated by spaces. Returns null for an empty
 * list (feature off). Throws Error with the reason CONFIG SET reports for a pattern that would
 * break INFO's "k=v,k=v" line format (a ',' or a control character), a duplicate, or more
 * than MAX_PATTERNS patterns.
 */
export function parsePatterns(text: string): PatternSet | null {
  const list = text.split(/[ \t\r\n]+/).filter((t) => t !== '');
  if (list.length === 0) return null;
  if (list.length > MAX_PATTERNS) throw new Error(`at most ${MAX_PATTERNS} patterns`);
  const seen = new Set<string>();
  for (const p of list) {
    // INFO lines are "name:k=v,k=v": a ',' or a control character would break them.
    for (let i = 0; i < p.length; i++) {
      const ch = p.charCodeAt(i);
      if (ch < 0x20 || ch === 0x7f || ch === 0x2c) throw new Error(`invalid character in pattern '${p}'`);
    }
    if (seen.has(p)) throw new Error(`duplicate pattern '${p}'`);
    seen.add(p);
  }
  return new PatternSet(list);
}

// =========================================================================================
// Statistics

/** Key counts of one database's contents under the current list, and its recount walk. */
interface DbCounts {
  /** Keys per class (index `size` = other). */
  keys: Float64Array;
  /** True while the walk after a change of the list has not finished. */
  recounting: boolean;
  /** Database.scan cursor of the walk (a position in the hash space: see hashVisited). */
  cursor: number;
}

/** The memory sweep: where it is and what it summed so far. */
interface Sweep {
  db: number;
  cursor: number;
  bytes: Float64Array;
  keys: Float64Array;
}

/** One INFO keypatterns line: field name and value. */
export type InfoLine = [string, string | number];

/**
 * The per-pattern statistics of a node. Off until configure() gets a non-empty list; then it
 * installs its access observer on the keyspace and its index observer on every database, and
 * cron() advances the recount and the memory sweep.
 */
export class KeyPatternStats {
  readonly #ks: Keyspace;
  #set: PatternSet | null = null;
  #hits = new Float64Array(0);
  #misses = new Float64Array(0);
  /** What the global counters must read if they were not reset (see the file header). */
  #expectHits = 0;
  #expectMisses = 0;
  /** Global counts made before the per-pattern counting (re)started. */
  #baseHits = 0;
  #baseMisses = 0;
  /** Per database id; swapped with the contents on SWAPDB. */
  #counts: DbCounts[] = [];
  #sweep: Sweep = { db: 0, cursor: 0, bytes: new Float64Array(0), keys: new Float64Array(0) };
  /**
   * Bytes per key by class from the last complete sweep (NaN for a class it found no key of),
   * or null before one completed.
   */
  #perKey: Float64Array | null = null;
  #sweeps = 0;
  /** Keys the recount walk visits per cron tick (tests lower it to exercise partial walks). */
  recountPerTick = RECOUNT_KEYS_PER_TICK;
  /** Keys the memory sweep visits per cron tick. */
  samplePerTick = SAMPLE_KEYS_PER_TICK;
  /** Buckets per Database.scan call (tests lower it so walks stop inside partitions). */
  scanStep = SCAN_STEP;

  constructor(ks: Keyspace) {
    this.#ks = ks;
  }

  /**
   * The node's statistics, configured from `keypatterns` now and on every CONFIG SET of it
   * (an invalid value fails the SET and keeps the current list). Throws at startup if the
   * configured value is invalid.
   */
  static attach(srv: Server): KeyPatternStats {
    const stats = new KeyPatternStats(srv.keyspace);
    const value = srv.config.getString('keypatterns');
    try {
      stats.configure(value);
    } catch (e) {
      throw new Error(`Invalid keypatterns '${value}': ${(e as Error).message}`);
    }
    srv.config.onChange('keypatterns', (v) => stats.configure(v));
    return stats;
  }

  /** Whether a pattern list is configured. */
  get enabled(): boolean {
    return this.#set !== null;
  }

  /** The current list, or null when off. */
  get patterns(): PatternSet | null {
    return this.#set;
  }

  /**
   * Applies a `keypatterns` value (CONFIG SET, startup). Throws (keeping the current list) if
   * it is invalid. A new list restarts the hit/miss counters (earlier lookups become
   * unattributed), the memory sweep and the key recount; the recount's first step runs now,
   * so a keyspace of up to recountPerTick keys is counted exactly on return (a full pass, but
   * bounded by that budget like a cron tick).
   */
  configure(text: string): void {
    const set = parsePatterns(text);
    this.#set = set;
    const ks = this.#ks;
    const i = ks.accessObservers.indexOf(this.#observe);
    if (i >= 0) ks.accessObservers.splice(i, 1);
    for (const db of ks.dbs) db.indexObserver = null;
    this.#counts = [];
    this.#perKey = null;
    this.#sweeps = 0;
    if (set === null) return;
    const n = set.size + 1;
    this.#hits = new Float64Array(n);
    this.#misses = new Float64Array(n);
    this.#restartHits();
    for (const db of ks.dbs) {
      this.#counts.push({ keys: new Float64Array(n), recounting: db.size > 0, cursor: 0 });
      db.indexObserver = this.#index;
    }
    this.#sweep = { db: 0, cursor: 0, bytes: new Float64Array(n), keys: new Float64Array(n) };
    ks.accessObservers.push(this.#observe);
    this.#recount(this.recountPerTick);
  }

  /** One cron tick: advances the recount (if any) and the memory sweep, each within budget. */
  cron(): void {
    if (this.#set === null) return;
    this.#recount(this.recountPerTick);
    this.#sampleMemory(this.samplePerTick);
  }

  /** True while key counts are still being recounted after a change of the list. */
  get recounting(): boolean {
    for (const c of this.#counts) if (c.recounting) return true;
    return false;
  }

  /** Number of complete memory sweeps since the list was set. */
  get sweeps(): number {
    return this.#sweeps;
  }

  // ---------------------------------------------------------------------------------------
  // Hits and misses

  /** The access observer: counts read lookups by class, as lookupRead counts them globally. */
  readonly #observe = (_db: Database, key: Uint8Array, e: number, read: boolean): void => {
    if (!read) return;
    const set = this.#set as PatternSet;
    this.#checkReset();
    const c = set.classify(key, 0, key.length);
    if (e === NONE) {
      this.#misses[c]++;
      this.#expectMisses++;
    } else {
      this.#hits[c]++;
      this.#expectHits++;
    }
  };

  /** Restarts the per-pattern counters if the global ones were reset (CONFIG RESETSTAT). */
  #checkReset(): void {
    const st = this.#ks.stats;
    if (st.keyspaceHits !== this.#expectHits || st.keyspaceMisses !== this.#expectMisses) this.#restartHits();
  }

  /** Zeroes the per-pattern hits and misses; what the global counters hold now is "before". */
  #restartHits(): void {
    const st = this.#ks.stats;
    this.#hits.fill(0);
    this.#misses.fill(0);
    this.#baseHits = this.#expectHits = st.keyspaceHits;
    this.#baseMisses = this.#expectMisses = st.keyspaceMisses;
  }

  // ---------------------------------------------------------------------------------------
  // Key counts

  readonly #index: IndexObserver = {
    linked: (db, b, off, len) => {
      const st = this.#counts[db.id];
      if (st.recounting && !visited(st, b, off, len)) return;
      st.keys[(this.#set as PatternSet).classify(b, off, len)]++;
    },
    unlinked: (db, b, off, len) => {
      const st = this.#counts[db.id];
      if (st.recounting && !visited(st, b, off, len)) return;
      st.keys[(this.#set as PatternSet).classify(b, off, len)]--;
    },
    emptied: (db) => {
      const st = this.#counts[db.id];
      st.keys.fill(0);
      st.recounting = false;
    },
    swapped: (a, b) => {
      const t = this.#counts[a.id];
      this.#counts[a.id] = this.#counts[b.id];
      this.#counts[b.id] = t;
    },
    // New contents nobody counted (loaded aside): counted again by the incremental walk.
    replaced: (db) => {
      const st = this.#counts[db.id];
      st.keys.fill(0);
      st.cursor = 0;
      st.recounting = db.size > 0;
    },
  };

  /** Advances the recount walks by up to `budget` keys in total. */
  #recount(budget: number): void {
    const set = this.#set as PatternSet;
    const ks = this.#ks;
    const store = ks.store;
    let left = budget;
    for (const db of ks.dbs) {
      const st = this.#counts[db.id];
      while (st.recounting && left > 0) {
        const from = st.cursor;
        const next = db.scan(st.cursor, this.scanStep, (id) => {
          store.locate(id);
          const b = store.rb;
          const off = store.rk;
          const len = store.rkl;
          const h = hashBytes(b, off, off + len);
          // A key the walk had passed was counted already: a step may revisit keys just
          // before its cursor (sharing its first home bucket, or after a resize).
          if (hashVisited(h, from)) return;
          st.keys[set.classify(b, off, len)]++;
          left--;
        });
        st.cursor = next;
        if (next === 0) st.recounting = false;
      }
      if (left <= 0) return;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  /** Advances the memory sweep by up to `budget` keys; publishes averages at the end. */
  #sampleMemory(budget: number): void {
    const set = this.#set as PatternSet;
    const ks = this.#ks;
    const store = ks.store;
    const sw = this.#sweep;
    let left = budget;
    let dbsVisited = 0;
    while (left > 0 && dbsVisited <= ks.dbs.length) {
      const db = ks.dbs[sw.db];
      if (db.size > 0) {
        sw.cursor = db.scan(sw.cursor, this.scanStep, (id) => {
          store.locate(id);
          const c = set.classify(store.rb, store.rk, store.rkl);
          sw.bytes[c] += entryBytes(ks, id);
          sw.keys[c]++;
          left--;
        });
      } else {
        sw.cursor = 0;
      }
      if (sw.cursor !== 0) continue;
      dbsVisited++;
      sw.db++;
      if (sw.db < ks.dbs.length) continue;
      // A sweep is complete: publish bytes per key by class and start over.
      const perKey = new Float64Array(set.size + 1);
      for (let i = 0; i <= set.size; i++) perKey[i] = sw.keys[i] > 0 ? sw.bytes[i] / sw.keys[i] : NaN;
      this.#perKey = perKey;
      this.#sweeps++;
      sw.db = 0;
      sw.bytes.fill(0);
      sw.keys.fill(0);
      if (ks.totals().keys === 0) return;
    }
  }

  /**
   * Estimated bytes of class c's keys: bytes per key x keys, bytes per key from the last
   * complete sweep, or from the sweep in progress when that one found no key of the class
   * (none completed yet, or the keys are newer); 0 while neither saw one.
   */
  #memoryOf(c: number, keys: number): number {
    let perKey = this.#perKey !== null ? this.#perKey[c] : NaN;
    if (Number.isNaN(perKey)) perKey = this.#sweep.keys[c] > 0 ? this.#sweep.bytes[c] / this.#sweep.keys[c] : 0;
    return Math.round(perKey * keys);
  }

  // ---------------------------------------------------------------------------------------
  // Report

  /**
   * The INFO keypatterns lines (empty when off). Header fields say what is exact and what is
   * estimated; then one line per pattern, `other`, and `unattributed` (lookups counted before
   * the per-pattern counting started, so every hits and misses column adds up to INFO stats'
   * keyspace_hits and keyspace_misses).
   */
  info(): InfoLine[] {
    const set = this.#set;
    if (set === null) return [];
    this.#checkReset();
    const n = set.size + 1;
    const keys = new Float64Array(n);
    for (const st of this.#counts) for (let i = 0; i < n; i++) keys[i] += st.keys[i];
    const out: InfoLine[] = [
      ['keypatterns_patterns', set.size],
      ['keypatterns_exact', 'keys,hits,misses'],
      ['keypatterns_estimated', 'memory'],
      ['keypatterns_keys_recounting', this.recounting ? 1 : 0],
      ['keypatterns_memory_sweeps', this.#sweeps],
    ];
    const fields = (i: number): string => {
      const h = this.#hits[i];
      const m = this.#misses[i];
      const rate = h + m > 0 ? (h / (h + m)).toFixed(2) : '0.00';
      return `keys=${keys[i]},hits=${h},misses=${m},hit_rate=${rate},memory=${this.#memoryOf(i, keys[i])}`;
    };
    for (let i = 0; i < set.size; i++) out.push([`pattern_${i}`, `pattern=${set.patterns[i]},${fields(i)}`]);
    out.push(['other', fields(set.size)]);
    out.push(['unattributed', `hits=${this.#baseHits},misses=${this.#baseMisses}`]);
    return out;
  }

  /**
   * The figures behind info() for tests and tools: per class (patterns, then other) keys,
   * hits, misses and estimated memory, plus the unattributed counts.
   */
  snapshot(): { keys: number[]; hits: number[]; misses: number[]; memory: number[]; baseHits: number; baseMisses: number } {
    const set = this.#set;
    if (set === null) return { keys: [], hits: [], misses: [], memory: [], baseHits: 0, baseMisses: 0 };
    this.#checkReset();
    const n = set.size + 1;
    const keys: number[] = new Array<number>(n).fill(0);
    for (const st of this.#counts) for (let i = 0; i < n; i++) keys[i] += st.keys[i];
    return {
      keys,
      hits: [...this.#hits],
      misses: [...this.#misses],
      memory: keys.map((k, i) => this.#memoryOf(i, k)),
      baseHits: this.#baseHits,
      baseMisses: this.#baseMisses,
    };
  }
}

/** Whether the recount walk of st has passed the key b[off, off + len) (see hashVisited). */
function visited(st: DbCounts, b: Uint8Array, off: number, len: number): boolean {
  return hashVisited(hashBytes(b, off, off + len), st.cursor);
}

/**
 * Bytes entry id holds, as used_memory counts them: its arena record (key, string value or
 * packed aggregate), its metadata words, and for an aggregate kept as a heap object the
 * object's own estimate plus its Map slot.
 */
function entryBytes(ks: Keyspace, id: number): number {
  const store = ks.store;
  let n = store.recordBytes(id) + ENTRY_META_BYTES;
  const obj = store.objects.get(id);
  if (obj !== undefined) {
    const b: unknown = typeof obj === 'object' && obj !== null ? (obj as { bytes?: unknown }).bytes : undefined;
    n += OBJECT_SLOT_BYTES + (typeof b === 'number' ? b : 0);
  }
  return n;
}
