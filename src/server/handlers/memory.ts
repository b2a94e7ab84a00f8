// MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP: memory introspection.
//
// Shoal runs on V8, not jemalloc, so byte counts are of two kinds:
//  - MEMORY USAGE is a *model*: what Redis 7.0 (jemalloc 5.3, 64-bit) would report for the
//    same key and value. Tools (redis-cli --memkeys, RedisInsight, rdb-tools-style audits)
//    compare keys with it, so matching Redis's figures matters more than V8's real per-object
//    cost, which no API exposes. See usageOf for the model.
//  - MEMORY STATS and DOCTOR use the figures INFO memory reports: the node's accounted memory
//    (startup baseline, keyspace, client buffers: src/server/memory-account.ts, the figure
//    maxmemory enforces) and the process's allocator figures, so the commands always agree.

import { jemallocSize } from '../keyspace/types/alloc-model.js';
import v8 from 'node:v8';
import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import { NONE, type Database } from '../keyspace/database.js';
import { StrEnc, VType, stringEncoding } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { buildInfo } from '../observability/info.js';
import { intArg, isKeyword, replyHelp } from './util.js';

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

// =========================================================================================
// MEMORY USAGE: the byte model
// =========================================================================================

/** Redis's object header (robj): type, encoding, LRU, refcount, pointer. */
const ROBJ = 16;
/** One main-dictionary entry (key pointer, value pointer, next pointer). */
const DICT_ENTRY = 24;
/** Default SAMPLES for aggregates (Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
const DEFAULT_SAMPLES = 5;
/** Largest Buffer capacity still believed to be a grown value's own (see stringCapacity). */
const GROW_LINEAR = 1024 * 1024;

/**
 * Header bytes of an sds string of capacity len (1, 3, 5, 9 or 17 by length). `tiny` allows the
 * 1-byte header Redis uses for exact-size strings under 32 bytes (keys); strings that were
 * grown (APPEND/SETRANGE) never use it.
 */
function sdsHeader(len: number, tiny: boolean): number {
  if (len < 32 && tiny) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

/** Allocation of an sds holding len bytes (header + bytes + terminating NUL). */
function sdsBytes(len: number, tiny: boolean): number {
  return jemallocSize(sdsHeader(len, tiny) + len + 1);
}

/**
 * The capacity behind a string value: a value grown in place by APPEND/SETRANGE (enc Raw) has
 * the spare room its record was given (Store.growValue), as an sds grown by sdsMakeRoomFor
 * keeps free space. Anything else counts as exactly its length.
 */
function stringCapacity(db: Database, e: number, v: Buffer): number {
  if (db.enc(e) !== StrEnc.Raw) return v.length;
  const cap = db.store.valueCapacity(e);
  if (cap <= v.length) return v.length;
  return cap <= Math.max(2 * v.length, 16) + GROW_LINEAR ? cap : v.length;
}

/** Redis's size for a string value object, by its encoding. */
function stringValueBytes(db: Database, e: number): number {
  const v = db.value(e);
  switch (stringEncoding(db.enc(e), v)) {
    case 'int':
      return ROBJ; // the integer lives in the object's pointer field
    case 'embstr':
      return jemallocSize(ROBJ + 3 + v.length + 1); // object and sds in one allocation
    default: {
      const cap = stringCapacity(db, e, v);
      return ROBJ + sdsBytes(cap, cap === v.length);
    }
  }
}

/**
 * Contract for aggregate values (lists, hashes... when they land): a value object may expose
 * `memoryUsage(samples)` returning its estimated bytes, sampling at most `samples` elements
 * (Infinity = all) and extrapolating, as Redis does. Without it only the object header counts.
 */
interface SizedValue {
  memoryUsage(samples: number): number;
}

function isSized(v: unknown): v is SizedValue {
  return typeof v === 'object' && v !== null && typeof (v as Partial<SizedValue>).memoryUsage === 'function';
}

/**
 * MEMORY USAGE's figure for key -> e: the key's sds (exact size, so short keys get the 1-byte
 * header), the dictionary entry, and the value object. Redis 7.0 reports 64 for SET s1 a
 * (8 + 24 + 32), 48 for an integer value, 112 for a 45-byte value; this reproduces those.
 * The expiry index entry is not counted (Redis does not count it either).
 */
export function usageOf(db: Database, e: number, samples: number): number {
  const keyBytes = sdsBytes(db.store.keyLength(e), true);
  let value: number;
  if (db.type(e) === VType.String) {
    value = stringValueBytes(db, e);
  } else {
    const obj = db.store.object(e);
    value = ROBJ + (isSized(obj) ? obj.memoryUsage(samples) : 0);
  }
  return keyBytes + DICT_ENTRY + value;
}

/** MEMORY USAGE key [SAMPLES count]: options first (errors win over a missing key). */
const usageCommand: Handler = (c, argv) => {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (!isKeyword(argv[j], 'samples') || j + 1 >= argv.length) return void c.w.error(Err.syntax);
    const n = intArg(c, argv[j + 1]);
    if (n === null) return;
    if (n < 0) return void c.w.error(Err.syntax);
    samples = n === 0 || n === 0n ? Infinity : Number(n);
    j++;
  }
  // Like Redis, a plain dictionary look-up: no lazy expiry, no keyspace hit/miss, no LRU touch.
  const e = c.db.find(argv[2]);
  if (e === NONE) return void c.w.nil();
  c.w.integer(usageOf(c.db, e, samples));
};

// =========================================================================================
// MEMORY STATS / DOCTOR: process-level figures
// =========================================================================================

/** The INFO memory figures, by field name (numbers only). */
function infoMemory(c: Client): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of buildInfo(c.srv, new Set(['memory'])).split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const n = Number(line.slice(i + 1));
    if (line.slice(i + 1) !== '' && Number.isFinite(n)) out.set(line.slice(0, i), n);
  }
  return out;
}

/** Buckets of a Redis dict holding n entries (a power of two, at least 4; none when empty). */
function dictBuckets(n: number): number {
  if (n === 0) return 0;
  return Math.max(4, 2 ** Math.ceil(Math.log2(n)));
}

/** Redis's per-database overhead: bucket arrays, dict entries, and key objects in main. */
function dbOverhead(db: Database): { main: number; expires: number } {
  const n = db.size;
  const x = db.expiresSize;
  return {
    main: dictBuckets(n) * 8 + n * (DICT_ENTRY + ROBJ),
    expires: dictBuckets(x) * 8 + x * DICT_ENTRY,
  };
}

/** Redis reports these ratios as C floats widened to double: reproduce the digits. */
function ratio(a: number, b: number): number {
  return Math.fround(b > 0 ? a / b : 0);
}

interface MemoryOverview {
  peak: number;
  total: number;
  startup: number;
  clientsNormal: number;
  dbs: { index: number; main: number; expires: number }[];
  overheadTotal: number;
  keys: number;
  dataset: number;
  allocated: number;
  active: number;
  resident: number;
  rss: number;
}

/**
 * Gathers MEMORY STATS's figures. overhead.total is INFO's used_memory_overhead (startup,
 * client buffers and the keyspace's own bookkeeping: metadata, indexes), so dataset.bytes is
 * used_memory_dataset. The db.N maps keep Redis's model of its dictionaries' overhead for the
 * same keys (as MEMORY USAGE models Redis's figures), for tools comparing nodes.
 */
function overview(c: Client): MemoryOverview {
  const m = infoMemory(c);
  const get = (k: string): number => m.get(k) ?? 0;
  const total = get('used_memory');
  const dbs: MemoryOverview['dbs'] = [];
  let keys = 0;
  for (const db of c.srv.keyspace.dbs) {
    if (db.size === 0) continue;
    dbs.push({ index: db.id, ...dbOverhead(db) });
    keys += db.size;
  }
  const overheadTotal = Math.min(total, get('used_memory_overhead'));
  return {
    peak: Math.max(get('used_memory_peak'), total),
    total,
    startup: get('used_memory_startup'),
    clientsNormal: get('mem_clients_normal'),
    dbs,
    overheadTotal,
    keys,
    dataset: total - overheadTotal,
    allocated: get('allocator_allocated'),
    active: get('allocator_active'),
    resident: get('allocator_resident'),
    rss: get('used_memory_rss'),
  };
}

/** MEMORY STATS: a map in Redis 7.0's field order; ratios as doubles, the rest integers. */
const statsCommand: Handler = (c) => {
  const o = overview(c);
  const w = c.w;
  const net = o.total - o.startup;
  w.map(27 + o.dbs.length);
  const int = (name: string, n: number): void => {
    w.bulkString(name);
    w.integer(Math.round(n));
  };
  const dbl = (name: string, d: number): void => {
    w.bulkString(name);
    w.double(d);
  };
  int('peak.allocated', o.peak);
  int('total.allocated', o.total);
  int('startup.allocated', o.startup);
  int('replication.backlog', 0);
  int('clients.slaves', 0);
  int('clients.normal', o.clientsNormal);
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', 0);
  int('functions.caches', 0);
  for (const d of o.dbs) {
    w.bulkString(`db.${d.index}`);
    w.map(3);
    int('overhead.hashtable.main', d.main);
    int('overhead.hashtable.expires', d.expires);
    int('overhead.hashtable.slot-to-keys', 0);
  }
  int('overhead.total', o.overheadTotal);
  int('keys.count', o.keys);
  int('keys.bytes-per-key', o.keys > 0 ? Math.floor(Math.max(0, net) / o.keys) : 0);
  int('dataset.bytes', o.dataset);
  dbl('dataset.percentage', ratio(o.dataset * 100, net));
  dbl('peak.percentage', ratio(o.total * 100, o.peak));
  int('allocator.allocated', o.allocated);
  int('allocator.active', o.active);
  int('allocator.resident', o.resident);
  dbl('allocator-fragmentation.ratio', ratio(o.active, o.allocated));
  int('allocator-fragmentation.bytes', o.active - o.allocated);
  dbl('allocator-rss.ratio', ratio(o.resident, o.active));
  int('allocator-rss.bytes', o.resident - o.active);
  dbl('rss-overhead.ratio', ratio(o.rss, o.resident));
  int('rss-overhead.bytes', o.rss - o.resident);
  dbl('fragmentation', ratio(o.rss, o.total));
  int('fragmentation.bytes', o.rss - o.total);
};

/** Texts of the doctor's report (Redis 7.0's wording). */
const DOCTOR = {
  empty:
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.",
  fine: "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.",
  header: 'Sam, I detected a few issues in this Redis instance memory implants:\n\n',
  peak: ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n',
  footer: "I'm here to keep you safe, Sam. I want to help you.\n",
} as const;

/** Below this much memory above the startup baseline the instance counts as empty. */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

/**
 * MEMORY DOCTOR. Redis's "empty" test is on total memory (< 5 MB); a Node process starts well
 * above that, so Shoal tests memory above the startup baseline instead. Redis's RSS and
 * fragmentation checks are left out: V8's heap reservation and code space make RSS several
 * times the live data in every healthy process, so they would always fire.
 */
const doctorCommand: Handler = (c) => {
  const o = overview(c);
  let text: string;
  if (o.total - o.startup < DOCTOR_MIN_BYTES) text = DOCTOR.empty;
  else if (o.peak > o.total * 1.5) text = DOCTOR.header + DOCTOR.peak + DOCTOR.footer;
  else text = DOCTOR.fine;
  c.w.verbatim(text);
};

/** MEMORY MALLOC-STATS: Shoal's allocator is V8's heap, so report its statistics. */
const mallocStatsCommand: Handler = (c) => {
  const h = v8.getHeapStatistics();
  const lines = ['___ Begin V8 heap statistics ___', `Version: "${process.versions.v8}"`];
  for (const [k, v] of Object.entries(h)) lines.push(`${k}: ${String(v)}`);
  lines.push('Spaces:');
  for (const s of v8.getHeapSpaceStatistics()) {
    lines.push(
      `  ${s.space_name}: size=${s.space_size} used=${s.space_used_size} ` +
        `available=${s.space_available_size} physical=${s.physical_space_size}`,
    );
  }
  const m = process.memoryUsage();
  lines.push(`Process: rss=${m.rss} external=${m.external} array_buffers=${m.arrayBuffers}`);
  const arena = c.srv.keyspace.store.arena;
  lines.push(`Arena: shared_segments=${arena.sharedBytes} reserved=${arena.reservedBytes}`);
  lines.push('--- End V8 heap statistics ---');
  c.w.verbatim(lines.join('\n') + '\n');
};

export const memoryHandlers: Record<string, Handler> = {
  'memory|help': (c) => replyHelp(c, HELP),
  'memory|usage': usageCommand,
  'memory|stats': statsCommand,
  'memory|doctor': doctorCommand,
  'memory|malloc-stats': mallocStatsCommand,
  // The arena's pooled empty segments, and what was dropped but not yet collected, go back to
  // the system (Arena.purge: a full collection is asked for; the reply does not wait for it).
  'memory|purge': (c) => {
    c.srv.keyspace.store.arena.purge();
    c.w.ok();
  },
};
