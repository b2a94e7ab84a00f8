// The entry table: per-key metadata in typed arrays and key/value bytes in the arena.
//
// A key is an integer id (a "handle") into parallel typed arrays, shared by every database of
// a node. Nothing per key is a JS object unless its value is an aggregate (hash, list, set,
// sorted set), which sits in a Map beside the table. Handlers receive handles from lookups and
// read fields through the Store's accessors; a handle stays valid until its key is deleted,
// whatever else is inserted or removed meanwhile (ids are never moved; the arrays may be
// reallocated, so never cache one of them across a mutation).
//
// Per entry, 8 bytes of metadata:
//   addr    uint32   arena address of the record (below); for a free id, the next free id
//   meta    uint32   bits 0-23 access clock (LRU seconds or LFU minutes<<8 | counter),
//                    24-26 value type (VType), 27-28 string encoding hint (StrEnc), 29 object
//                    flag, 30 touched-aggregate mark (accounting, see below), 31 snapshot
//                    epoch bit (the entry's version, see below)
//
// A record is [varint 2 keyLen + v][varint valLen][vpos int32 LE, if v][key][value]. vpos is
// the key's position in its database's volatile-key arrays, which hold the expiry, or -1: only
// a key that has (or had) a TTL carries the word, so a key without one costs 4 bytes less than
// with the word in the metadata (at 1M keys, 4 MB of a node's RSS). A lookup reads it from the
// record whose key it has just compared, so it costs no extra cache miss; giving a TTL to a
// record without the word shifts the record's bytes in its slot, or moves it (setVpos). Once
// there, the word stays (set to -1 when the TTL goes).
//
// Versions for fork-less snapshots (ARCHITECTURE 3.6). One snapshot walk runs at a time (BGSAVE,
// AOF rewrite and replica full syncs share it), so an entry's version needs one bit: the epoch
// in which it was last written or visited. A snapshot starts by flipping the store's `epoch`;
// from then on an entry whose bit differs from it still holds its state from before the
// snapshot. The walk serializes such entries and sets their bit; a write to one (bump()) must
// let the snapshot serialize the old state first, then sets the bit. New entries are born in
// the current epoch, so they are not part of a snapshot in progress.
// and 10 more with the slot index (cluster mode: per-slot iteration and migration):
//   next/prev int32  the per-slot doubly linked list
//   slot    uint16   hash slot of the key
//
// Strings keep their bytes in the record. A small aggregate in a compact encoding is packed:
// its record's value is the packed bytes (types/packed.ts), its object bit is off and its type
// bits say what it is. object() unpacks it (through `codec`) into a value object, marks the
// entry unpacked and keeps the object in a pending list (not in `objects`: a Map insert and
// delete per command cost more than the unpacking) until repack(), which the command path
// calls after every command: each object unpacked or set since is packed back if it still
// qualifies, else it moves to `objects` for good (key-only record, valLen 0). Between
// commands, then, a small aggregate costs no JS object. While unpacked, its record keeps the
// old bytes: after a command that wrote nothing (repack(false)) the object is just dropped.
// The unpacked state is invisible to accounting: the record still holds the bytes.
//
// Compressed large strings (large-value-compression): a string entry with the object bit set
// (type String: no aggregate has it) holds [varint raw length][deflate bytes]; its encoding
// bits keep what the plain value had. Database.find inflates such an entry in place before
// anything reads it (one test of compressedCount while there are none) and keeps the
// compressed bytes aside; after the command, as with packed aggregates, a command that wrote
// nothing puts them back, and a write compresses the value again. valueView / valueLength
// inflate for walks that do not go through find (SAVE). New values at or over
// largeValueBytes are compressed after the command that wrote them when that saves a tenth.
//
// Memory accounting of aggregates (maxmemory): each value object reports an O(1) estimate of
// its heap bytes (a `bytes` getter its mutators keep current, types/heap-cost.ts). Asking every
// object before every command would cost O(aggregates), so while accounting is on the store
// remembers each aggregate's last known figure and the ids whose object was handed out since
// (object() / setObject(): whoever mutates an object fetched it first in the same command): a
// stack of ids, each pushed once thanks to its touched bit in the metadata word.
// aggregateBytes() re-reads only those and returns the running total; destroy, restring and
// reset subtract what they drop. With accounting off (maxmemory 0) the hot paths pay one
// boolean test, and aggregateBytes() sums every object instead (INFO only).

import { copyBytes } from '../../lib/bytes.js';
import { Arena } from './arena.js';
import type { Database } from './database.js';
import { reader, varintSize, writeVarint } from './types/packed.js';

const CLOCK_MASK = 0xffffff;
const TYPE_SHIFT = 24;
const ENC_SHIFT = 27;
const OBJ_BIT = 1 << 29;
/**
 * With OBJ_BIT: a packed aggregate unpacked for the current command, its object in the pending
 * list rather than in `objects` (see the file header). Shares its bit with the string encoding
 * hint, which aggregates do not use.
 */
const UNPACKED_BIT = 1 << 27;
/** Pending objects found by a scan; more are indexed. */
const PEND_SCAN = 16;
/** Set while the entry's id sits on the touched stack (aggregate accounting). */
const TOUCH_BIT = 1 << 30;
/** Entries per metadata chunk. */
const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
/** Addresses of one prefetchRecords call (its batch is cut to this many). */
const PREFETCH_ADDRS = new Uint32Array(256);
const EPOCH_BIT = 0x80000000;
/** Entries a node holds at most: an index bucket word has 30 bits for id + 1 (database.ts). */
const MAX_ENTRIES = 2 ** 30 - 1;

/** Heap bytes of one `objects` Map entry (measured: ~49 bytes at 300K entries; see heap-cost.ts). */
export const OBJECT_SLOT_BYTES = 48;

/** An aggregate's estimated heap bytes: its `bytes` getter, or 0 for an object without one. */
function objectBytes(obj: unknown): number {
  if (typeof obj !== 'object' || obj === null) return 0;
  const b: unknown = (obj as { bytes?: unknown }).bytes;
  return typeof b === 'number' ? b : 0;
}

/** A codec for large string values (a deflate, from the runtime's zlib). */
export interface Compressor {
  compress(src: Uint8Array): Buffer;
  /** The `rawLen` bytes compressed in src. */
  decompress(src: Uint8Array, rawLen: number): Buffer;
}

/** How the store packs and unpacks small aggregates (types/codec.ts implements it). */
export interface PackCodec {
  /** The value object of `type` packed at b[off]. */
  unpack(type: number, b: Buffer, off: number): unknown;
  /** Bytes obj packs into, or -1 when it stays an object. */
  packedSize(obj: unknown): number;
  /** Writes obj's packed form (packedSize(obj) bytes) at b[off]. */
  pack(obj: unknown, b: Buffer, off: number): void;
}

/** Bytes of typed-array metadata per entry (for memory accounting), without / with slot links. */
export const ENTRY_META_BYTES = 4 + 4;
export const SLOT_LINK_BYTES = 4 + 4 + 2;

/** "No vpos word" for #newRecord (a record without a TTL's position). */
const NO_VPOS_WORD = -2;

function readInt32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

function writeInt32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = v >>> 24;
}

/** Writes n as a LEB128 varint of exactly `width` bytes (non-minimal padding allowed). */
function writeVarintPadded(b: Buffer, off: number, n: number, width: number): number {
  for (let i = 1; i < width; i++) {
    b[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  b[off++] = n;
  return off;
}

export class Store {
  readonly arena = new Arena();
  /** Entries the metadata chunks hold. */
  get cap(): number {
    return this.chunks.length * CHUNK;
  }
  /** Ids in use. */
  count = 0;
  /**
   * The metadata, interleaved and in fixed chunks of CHUNK entries: entry id's addr and meta
   * words sit together in chunks[id >>> CHUNK_SHIFT] at 2 (id & CHUNK_MASK) + 0, 1, so one
   * cache miss fetches both (a lookup reads addr, touch writes meta). Growing adds a chunk:
   * nothing is copied, so the table never stalls the loop (doubling one array meant a 0.3 s
   * copy at 8M keys). Words are int32: read addr and meta with `>>> 0` where the top bit
   * matters as a magnitude. Chunks are shared memory (as the arena's segments), left out of
   * V8's external-memory count: they are the keyspace's growth, not garbage, and counted they
   * started a full collection per 64 MB of them (8M keys) while a keyspace grew.
   */
  chunks: Int32Array[] = [];
  /** Whether entries carry slot links (next/prev/slot); fixed at construction. */
  readonly slotLinks: boolean;
  next = new Int32Array(0);
  prev = new Int32Array(0);
  slot = new Uint16Array(0);
  /** Aggregate values by id (those not packed). */
  readonly objects = new Map<number, unknown>();
  /**
   * Large values (analytics/large-values.ts): onLargeValue is called with the id and length of
   * every record created or resized to a value of at least largeValueBytes bytes.
   */
  largeValueBytes = Infinity;
  onLargeValue: ((id: number, bytes: number) => void) | null = null;
  /**
   * Transparent compression of large string values (analytics/large-values.ts) while set: a
   * string written at or over largeValueBytes is compressed after the command (see the file
   * header).
   */
  compressor: Compressor | null = null;
  /** Whether new large values are compressed (the compressor stays to read older ones). */
  compressNew = false;
  /** Entries holding a compressed string. */
  compressedCount = 0;
  /** Strings to compress after the command, with their compressed bytes when unchanged. */
  #zIds: number[] = [];
  #zSaved: (Buffer | null)[] = [];
  #zLen = 0;
  /** Packs small aggregates (see the file header); null keeps every aggregate an object. */
  codec: PackCodec | null = null;
  /**
   * Objects unpacked or set since the last repack(), with their ids (oldest first), in the
   * first #pendLen slots (the arrays are reused: truncating an array costs more than a count).
   */
  #pendIds: number[] = [];
  #pendObjs: unknown[] = [];
  #pendLen = 0;
  /** id -> newest pending object, built when the pending list outgrows a scan. */
  #pendIndex: Map<number, unknown> | null = null;
  /**
   * Exact int64 expiry of entries whose expiry is beyond Number.MAX_SAFE_INTEGER (PEXPIREAT k
   * 9223372036854775807 is legal); keys-expire.ts keeps it, destroy() forgets it.
   */
  readonly exactExpire = new Map<number, bigint>();
  #freeIds = -1;
  /** Highest id ever handed out + 1. */
  #top = 0;
  /** Current snapshot epoch (0 or 1): the bit new and written entries get. */
  epoch = 0;
  /** The snapshot in progress, while one is (see SnapshotGuard). */
  guard: SnapshotGuard | null = null;
  /**
   * Bytes of the databases' own arrays outside the arena (volatile-key and slot arrays), kept
   * by the databases sharing this store as those arrays change (Database.sideBytes).
   */
  sideBytes = 0;
  /** Aggregate accounting on (see the file header). */
  #acct = false;
  /** Ids whose object may have changed since the last aggregateBytes() (a stack). */
  #touched = new Int32Array(64);
  #touchedLen = 0;
  /** Last known bytes of each aggregate (accounting on only). */
  readonly #known = new Map<number, number>();
  /** Sum of #known. */
  #aggBytes = 0;

  // Record decoding scratch: set by locate(), read right after.
  /** Segment buffer of the last located record. */
  rb: Buffer = Buffer.alloc(0);
  /** Offset in rb of the value-length varint. */
  rvh = 0;
  /** Key offset in rb. */
  rk = 0;
  /** Whether the record holds a vpos word (at rk - 4). */
  rvw = false;
  /** Key length. */
  rkl = 0;
  /** Value offset in rb. */
  rv = 0;
  /** Value length. */
  rvl = 0;

  constructor(opts: { slotLinks?: boolean; initialCapacity?: number } = {}) {
    this.slotLinks = opts.slotLinks ?? false;
    this.#grow(opts.initialCapacity ?? CHUNK);
  }

  // ---------------------------------------------------------------------------------------
  // Records

  /**
   * Decodes the record of id into rb/rk/rkl/rv/rvl. The fields are valid until the next
   * mutation of any entry.
   */
  locate(id: number): void {
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    const arena = this.arena;
    const b = arena.buf(a);
    let o = arena.off(a);
    // Both varints decoded inline (no helper returning two values): this runs on every
    // lookup hit, and the one-byte case is the common one.
    let kl = b[o++];
    if (kl >= 0x80) {
      kl &= 0x7f;
      let shift = 128;
      let x: number;
      do {
        x = b[o++];
        kl += (x & 0x7f) * shift;
        shift *= 128;
      } while (x >= 0x80);
    }
    const vw = (kl & 1) !== 0;
    kl = (kl - (kl & 1)) / 2;
    this.rvh = o;
    let vl = b[o++];
    if (vl >= 0x80) {
      vl &= 0x7f;
      let shift = 128;
      let x: number;
      do {
        x = b[o++];
        vl += (x & 0x7f) * shift;
        shift *= 128;
      } while (x >= 0x80);
    }
    if (vw) o += 4;
    this.rb = b;
    this.rk = o;
    this.rvw = vw;
    this.rkl = kl;
    this.rv = o + kl;
    this.rvl = vl;
  }

  /** True if the key bytes of id equal key. */
  keyEquals(id: number, key: Uint8Array): boolean {
    this.locate(id);
    const n = key.length;
    if (this.rkl !== n) return false;
    const b = this.rb;
    const o = this.rk;
    if (n > 48) return b.compare(key, 0, n, o, o + n) === 0;
    for (let i = 0; i < n; i++) if (b[o + i] !== key[i]) return false;
    return true;
  }

  /** A copy of the key of id. */
  keyCopy(id: number): Buffer {
    this.locate(id);
    const out = Buffer.allocUnsafe(this.rkl);
    this.rb.copy(out, 0, this.rk, this.rk + this.rkl);
    return out;
  }

  /**
   * A view of id's string value. Valid until the next mutation of any entry: copy it (or write
   * it to a reply, which copies) before changing the keyspace.
   */
  valueView(id: number): Buffer {
    if (this.compressedCount > 0 && this.isCompressed(id)) return this.#decompressed(id);
    this.locate(id);
    return this.rb.subarray(this.rv, this.rv + this.rvl);
  }

  /** Length of id's string value. */
  valueLength(id: number): number {
    this.locate(id);
    if (this.compressedCount > 0 && this.isCompressed(id)) return reader.at(this.rb, this.rv).varint();
    return this.rvl;
  }

  /** Length of id's key. */
  keyLength(id: number): number {
    this.locate(id);
    return this.rkl;
  }

  /** Bytes id's value can grow to without moving its record. */
  valueCapacity(id: number): number {
    this.locate(id);
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    return this.arena.capacity(a) - (this.rv - this.arena.off(a));
  }

  /** Bytes the record of id occupies in the arena. */
  recordBytes(id: number): number {
    return this.arena.capacity(this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2]);
  }

  /**
   * Allocates a record for key with a value of vlen bytes and room for `room` (>= vlen) bytes
   * of value; returns the address. The value's length varint is written with the width `room`
   * needs, so the value can grow in place up to `room`. With vpos >= -1 the record holds a vpos
   * word set to it; with NO_VPOS_WORD it has none.
   */
  #newRecord(key: Uint8Array, kStart: number, kLen: number, vlen: number, room: number, vpos: number): number {
    const w = varintSize(room);
    const vw = vpos !== NO_VPOS_WORD;
    const head = vw ? kLen * 2 + 1 : kLen * 2;
    const size = varintSize(head) + w + (vw ? 4 : 0) + kLen + room;
    const a = this.arena.alloc(size < 8 ? 8 : size);
    const b = this.arena.buf(a);
    let o = this.arena.off(a);
    o = writeVarint(b, o, head);
    const vh = o;
    o = writeVarintPadded(b, o, vlen, w);
    if (vw) {
      writeInt32(b, o, vpos);
      o += 4;
    }
    copyBytes(b, o, key, kStart, kStart + kLen);
    this.rb = b;
    this.rvh = vh;
    this.rk = o;
    this.rvw = vw;
    this.rkl = kLen;
    this.rv = o + kLen;
    this.rvl = vlen;
    return a;
  }

  /**
   * Sets id's value length to vlen, keeping the key and the first min(old, new) value bytes,
   * and leaves rb/rv pointing at the value area. Rewrites in place when the record's slot has
   * room and would not be more than half empty, else moves the record to a fitting slot.
   */
  resizeValue(id: number, vlen: number): void {
    if (vlen >= this.largeValueBytes) this.#largeWrite(id, vlen);
    this.#resize(id, vlen);
  }

  /** resizeValue without the large-value reports (the store's own rewrites of a value). */
  #resize(id: number, vlen: number): void {
    this.locate(id);
    const w = this.rk - this.rvh - (this.rvw ? 4 : 0);
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    const cap = this.arena.capacity(a);
    const need = this.rk - this.arena.off(a) + this.rkl + vlen;
    if (varintSize(vlen) <= w && need <= cap && need * 2 > cap) {
      writeVarintPadded(this.rb, this.rvh, vlen, w);
      this.rvl = vlen;
      return;
    }
    this.#move(id, vlen, vlen);
  }

  /**
   * Like resizeValue for a value that is growing (APPEND, SETRANGE): in place whenever it fits,
   * else moved to a record with spare room, as Redis's sds greedy allocation (double below
   * 1 MB, 1 MB more above), so repeated appends are amortized O(1).
   */
  growValue(id: number, vlen: number): void {
    if (vlen >= this.largeValueBytes) this.#largeWrite(id, vlen);
    this.locate(id);
    const w = this.rk - this.rvh - (this.rvw ? 4 : 0);
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    const need = this.rk - this.arena.off(a) + this.rkl + vlen;
    if (varintSize(vlen) <= w && need <= this.arena.capacity(a)) {
      writeVarintPadded(this.rb, this.rvh, vlen, w);
      this.rvl = vlen;
      return;
    }
    this.#move(id, vlen, vlen < 1024 * 1024 ? vlen * 2 : vlen + 1024 * 1024);
  }

  /** Moves id to a new record (value length vlen, room for `room`), keeping key and value bytes. */
  #move(id: number, vlen: number, room: number): void {
    this.locate(id);
    const oldB = this.rb;
    const oldV = this.rv;
    const keep = Math.min(this.rvl, vlen);
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    const na = this.#newRecord(oldB, this.rk, this.rkl, vlen, room, this.locatedVpos());
    if (keep > 0) oldB.copy(this.rb, this.rv, oldV, oldV + keep);
    this.arena.free(a);
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2] = na;
  }

  /** Replaces id's string value with the bytes of src. */
  writeValue(id: number, src: Uint8Array): void {
    this.resizeValue(id, src.length);
    copyBytes(this.rb, this.rv, src);
  }

  /** Changes the key of id (RENAME), keeping its value bytes. */
  rekey(id: number, key: Uint8Array): void {
    this.locate(id);
    const oldB = this.rb;
    const oldV = this.rv;
    const vl = this.rvl;
    const a = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    const na = this.#newRecord(key, 0, key.length, vl, vl, this.locatedVpos());
    if (vl > 0) oldB.copy(this.rb, this.rv, oldV, oldV + vl);
    this.arena.free(a);
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2] = na;
  }

  // ---------------------------------------------------------------------------------------
  // Compressed large strings (see the file header)

  /** Whether id is a compressed string. */
  isCompressed(id: number): boolean {
    const m = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1];
    return (m & OBJ_BIT) !== 0 && ((m >>> TYPE_SHIFT) & 7) === 0;
  }

  /** A record is being written with a value of vlen >= largeValueBytes bytes. */
  #largeWrite(id: number, vlen: number): void {
    if (this.onLargeValue !== null) this.onLargeValue(id, vlen);
    if (this.compressNew) this.#zPush(id, null);
  }

  #zPush(id: number, saved: Buffer | null): void {
    const i = this.#zLen++;
    if (i < this.#zIds.length) {
      this.#zIds[i] = id;
      this.#zSaved[i] = saved;
    } else {
      this.#zIds.push(id);
      this.#zSaved.push(saved);
    }
  }

  /** Takes a freed id off the compression list. */
  #forgetZ(id: number): void {
    for (let i = 0; i < this.#zLen; i++) if (this.#zIds[i] === id) this.#zIds[i] = -1;
  }

  /** The plain bytes of compressed id (a fresh buffer). */
  #decompressed(id: number): Buffer {
    this.locate(id);
    const r = reader.at(this.rb, this.rv);
    const raw = r.varint();
    return (this.compressor as Compressor).decompress(this.rb.subarray(r.p, this.rv + this.rvl), raw);
  }

  /**
   * Makes compressed id a plain string again (Database.find calls this before anything reads
   * it), keeping the compressed bytes to put back after the command if it wrote nothing. Leaves
   * id's record decoded (locate), as find's callers expect.
   */
  inflate(id: number): void {
    this.locate(id);
    const saved = Buffer.from(this.rb.subarray(this.rv, this.rv + this.rvl));
    const plain = this.#decompressed(id);
    this.#resize(id, plain.length);
    copyBytes(this.rb, this.rv, plain);
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] &= ~OBJ_BIT;
    this.compressedCount--;
    this.#zPush(id, saved);
  }

  /** After a command: the strings inflated or written large, compressed (again). */
  #recompress(wrote: boolean): void {
    const n = this.#zLen;
    this.#zLen = 0;
    const codec = this.compressor;
    for (let i = 0; i < n; i++) {
      const id = this.#zIds[i];
      const saved = this.#zSaved[i];
      this.#zSaved[i] = null;
      if (id < 0) continue; // freed since
      const k = (id & CHUNK_MASK) * 2 + 1;
      const m = this.chunks[id >>> CHUNK_SHIFT][k];
      if ((m & OBJ_BIT) !== 0 || ((m >>> TYPE_SHIFT) & 7) !== 0) continue; // compressed already, or not a string now
      this.locate(id);
      if (saved !== null && !wrote) {
        this.#resize(id, saved.length);
        copyBytes(this.rb, this.rv, saved);
      } else {
        const plain = this.rvl;
        if (codec === null || !this.compressNew || plain < this.largeValueBytes) continue;
        const packed = codec.compress(this.rb.subarray(this.rv, this.rv + plain));
        const size = varintSize(plain) + packed.length;
        if (size * 10 > plain * 9) continue; // saves less than a tenth: stays plain
        this.#resize(id, size);
        const o = writeVarint(this.rb, this.rv, plain);
        copyBytes(this.rb, o, packed);
      }
      this.chunks[id >>> CHUNK_SHIFT][k] |= OBJ_BIT;
      this.compressedCount++;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Entries

  /**
   * Creates an entry for key with a value area of vlen bytes (rb/rv point at it afterwards).
   * The caller links it into a database. `volatile`: the key is about to get a TTL, so its
   * record is made with a vpos word (setVpos then writes it in place).
   */
  create(key: Uint8Array, vlen: number, meta: number, volatile = false): number {
    // The record first: if the arena refuses, no id has been taken.
    const a = this.#newRecord(key, 0, key.length, vlen, vlen, volatile ? -1 : NO_VPOS_WORD);
    let id = this.#freeIds;
    if (id >= 0) {
      this.#freeIds = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    } else {
      if (this.#top === this.cap) this.#grow(this.cap + CHUNK);
      id = this.#top++;
    }
    this.count++;
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2] = a;
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] = ((meta & ~EPOCH_BIT) | (this.epoch << 31)) >>> 0;
    if (vlen >= this.largeValueBytes) {
      const { rb, rvh, rk, rvw, rkl, rv, rvl } = this;
      this.#largeWrite(id, vlen);
      // The caller writes the value through rb/rv next: restore them.
      this.rb = rb;
      this.rvh = rvh;
      this.rk = rk;
      this.rvw = rvw;
      this.rkl = rkl;
      this.rv = rv;
      this.rvl = rvl;
    }
    return id;
  }

  /** Frees id and its record (the caller has unlinked it from its database). */
  destroy(id: number): void {
    this.arena.free(this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2]);
    if ((this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] & OBJ_BIT) !== 0) this.#dropObject(id);
    if (this.#zLen > 0) this.#forgetZ(id);
    if (this.exactExpire.size > 0) this.exactExpire.delete(id);
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] = 0;
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2] = this.#freeIds;
    this.#freeIds = id;
    this.count--;
  }

  /**
   * Called after reset(): the databases sharing this store drop their indexes, whose tables
   * lived in the arena (an empty database may still hold its partitions' smallest tables).
   */
  readonly resetListeners: Array<() => void> = [];

  /** Drops every entry at once (FLUSHALL of every database). */
  reset(): void {
    if (this.guard !== null) this.guard.reset();
    this.#resetStore();
    for (const f of this.resetListeners) f();
  }

  #resetStore(): void {
    this.arena.reset();
    this.objects.clear();
    this.#pendLen = 0;
    this.#pendObjs.fill(undefined);
    this.#pendIndex = null;
    this.#zLen = 0;
    this.#zSaved.fill(null);
    this.compressedCount = 0;
    this.#touchedLen = 0;
    this.#known.clear();
    this.#aggBytes = 0;
    this.exactExpire.clear();
    this.#freeIds = -1;
    this.#top = 0;
    this.count = 0;
    this.chunks = [];
    this.#grow(CHUNK, true);
  }

  /** Bytes of the metadata chunks: shared memory, outside V8's external figure (INFO adds it). */
  chunkBytes(): number {
    return this.cap * ENTRY_META_BYTES;
  }

  /** Bytes held by the metadata arrays. */
  metaBytes(): number {
    return this.cap * (ENTRY_META_BYTES + (this.slotLinks ? SLOT_LINK_BYTES : 0));
  }

  /** Makes room for at least n entries: metadata chunks added, slot-link arrays doubled. */
  #grow(n: number, fresh = false): void {
    if (n > MAX_ENTRIES) throw new RangeError('keyspace entry limit reached (2^30 - 1 keys per node)');
    while (this.chunks.length * CHUNK < n) this.chunks.push(new Int32Array(new SharedArrayBuffer(CHUNK * ENTRY_META_BYTES)));
    n = this.cap;
    if (this.slotLinks) {
      const copy = <T extends Int32Array | Uint16Array>(a: T, b: T): T => {
        if (!fresh) b.set(a);
        return b;
      };
      // Slot links (cluster mode only) still grow by doubling, with a copy.
      const size = fresh ? n : Math.max(n, this.next.length * 2);
      if (fresh || this.next.length < n) {
        this.next = copy(this.next, new Int32Array(size));
        this.prev = copy(this.prev, new Int32Array(size));
        this.slot = copy(this.slot, new Uint16Array(size));
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Metadata fields

  /** Arena address of id's record. */
  addrOf(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2] >>> 0;
  }

  /** id's position in its database's volatile arrays, or -1. Decodes id's record (locate). */
  vpos(id: number): number {
    this.locate(id);
    return this.locatedVpos();
  }

  /**
   * The vpos of the record locate() decoded last: its word, or -1 without one. Right after a
   * Database.find hit that is the found key's.
   */
  locatedVpos(): number {
    return this.rvw ? readInt32(this.rb, this.rk - 4) : -1;
  }

  /**
   * Sets id's vpos (-1: no TTL). A record without the word gets it: its key and value shift by
   * 4 bytes in its slot when the slot has room, else it moves to a bigger one. Either way
   * rb/rv/... then describe the record as it is (value views taken before are stale).
   */
  setVpos(id: number, pos: number): void {
    this.locate(id);
    if (this.rvw) {
      writeInt32(this.rb, this.rk - 4, pos);
      return;
    }
    if (pos < 0) return;
    const k = (id & CHUNK_MASK) * 2;
    const chunk = this.chunks[id >>> CHUNK_SHIFT];
    const a = chunk[k];
    const start = this.arena.off(a);
    const end = this.rv + this.rvl;
    const b = this.rb;
    // The header's first varint, 2 keyLen, becomes 2 keyLen + 1: the same width.
    if (end + 4 - start <= this.arena.capacity(a)) {
      b.copyWithin(this.rk + 4, this.rk, end);
      b[start] |= 1;
      writeInt32(b, this.rk, pos);
      this.locate(id);
      return;
    }
    const oldV = this.rv;
    const vl = this.rvl;
    const na = this.#newRecord(b, this.rk, this.rkl, vl, vl, pos);
    if (vl > 0) b.copy(this.rb, this.rv, oldV, oldV + vl);
    this.arena.free(a);
    chunk[k] = na;
  }


  type(id: number): number {
    return (this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] >>> TYPE_SHIFT) & 7;
  }

  enc(id: number): number {
    return (this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] >>> ENC_SHIFT) & 3;
  }

  clock(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] & CLOCK_MASK;
  }

  setClock(id: number, v: number): void {
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] = ((this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] & ~CLOCK_MASK) | (v & CLOCK_MASK)) >>> 0;
  }

  /**
   * The aggregate object of id (undefined for strings). With accounting on, id is noted as
   * possibly changed: the caller may mutate the object (see the file header).
   */
  object(id: number): unknown {
    const m = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1];
    const type = (m >>> TYPE_SHIFT) & 7;
    if (type === 0) return undefined; // a string (the object bit marks it compressed)
    if ((m & OBJ_BIT) === 0) return this.codec === null ? undefined : this.#unpack(id, type);
    if ((m & UNPACKED_BIT) !== 0) return this.#pendingObject(id);
    if (this.#acct) this.#touch(id);
    return this.objects.get(id);
  }

  /**
   * id's aggregate value for reading only, without the unpacked state: a packed value is
   * decoded into a fresh object that nothing else sees (mutating it changes nothing), so a walk
   * over many keys (a snapshot, DUMP) holds one decoded value at a time. undefined for strings.
   */
  readObject(id: number): unknown {
    const m = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1];
    const type = (m >>> TYPE_SHIFT) & 7;
    if (type === 0) return undefined;
    if ((m & OBJ_BIT) !== 0) return (m & UNPACKED_BIT) !== 0 ? this.#pendingObject(id) : this.objects.get(id);
    if (this.codec === null) return undefined;
    this.locate(id);
    return this.codec.unpack(type, this.rb, this.rv);
  }

  /** Turns packed id into an object until the next repack() (see the file header). */
  #unpack(id: number, type: number): unknown {
    this.locate(id);
    const obj = (this.codec as PackCodec).unpack(type, this.rb, this.rv);
    this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] |= OBJ_BIT | UNPACKED_BIT;
    this.#pend(id, obj);
    return obj;
  }

  #pend(id: number, obj: unknown): void {
    const i = this.#pendLen++;
    if (i < this.#pendIds.length) {
      this.#pendIds[i] = id;
      this.#pendObjs[i] = obj;
    } else {
      this.#pendIds.push(id);
      this.#pendObjs.push(obj);
    }
    if (this.#pendIndex !== null) this.#pendIndex.set(id, obj);
  }

  /**
   * The object of an unpacked id: the newest pending entry for it. A scan from the newest end
   * (commands touch a few keys); past PEND_SCAN entries, through an index built on demand.
   */
  #pendingObject(id: number): unknown {
    const n = this.#pendLen;
    const ids = this.#pendIds;
    if (n > PEND_SCAN) {
      if (this.#pendIndex === null) {
        const index = new Map<number, unknown>();
        for (let i = 0; i < n; i++) index.set(ids[i], this.#pendObjs[i]);
        this.#pendIndex = index;
      }
      return this.#pendIndex.get(id);
    }
    for (let i = n - 1; i >= 0; i--) if (ids[i] === id) return this.#pendObjs[i];
    return undefined;
  }

  /**
   * Makes id hold an aggregate object of the given type. With a codec, the object is pending
   * like an unpacked one and packed at the next repack() if it qualifies.
   */
  setObject(id: number, type: number, obj: unknown): void {
    const k = (id & CHUNK_MASK) * 2 + 1;
    const m = this.chunks[id >>> CHUNK_SHIFT][k];
    // An object of its own, or a compressed string (whose bit is the object bit).
    if ((m & OBJ_BIT) !== 0 && ((m & UNPACKED_BIT) === 0 || ((m >>> TYPE_SHIFT) & 7) === 0)) this.#dropObject(id);
    if (this.valueLength(id) !== 0) this.#resize(id, 0);
    const keep = m & (CLOCK_MASK | EPOCH_BIT | TOUCH_BIT);
    if (this.codec !== null) {
      this.chunks[id >>> CHUNK_SHIFT][k] = (keep | (type << TYPE_SHIFT) | OBJ_BIT | UNPACKED_BIT) >>> 0;
      this.#pend(id, obj);
      return;
    }
    this.chunks[id >>> CHUNK_SHIFT][k] = (keep | (type << TYPE_SHIFT) | OBJ_BIT) >>> 0;
    this.#keepObject(id, obj);
  }

  /** Puts obj in `objects` as id's value (accounting notes it). */
  #keepObject(id: number, obj: unknown): void {
    this.objects.set(id, obj);
    if (this.#acct) this.#touch(id);
  }

  /**
   * Ends the unpacked state of every object unpacked or set since the last call: each is
   * packed back if it still qualifies (the codec gives its size), else it moves to `objects`
   * for good (its record's stale bytes dropped). `wrote`: whether the command that used them
   * may have changed them; if not, an unpacked object's record still holds its bytes and the
   * object is simply dropped. Called after every command.
   */
  repack(wrote: boolean): void {
    if (this.#zLen > 0) this.#recompress(wrote);
    const n = this.#pendLen;
    if (n === 0) return;
    const ids = this.#pendIds;
    const objs = this.#pendObjs;
    const codec = this.codec as PackCodec;
    // Newest first: an id pending twice (its value replaced) keeps its newest object; the
    // older entries find the unpacked bit cleared, as do ids freed (and maybe reused) since.
    for (let i = n - 1; i >= 0; i--) {
      const id = ids[i];
      const obj = objs[i];
      objs[i] = undefined;
      const chunk = this.chunks[id >>> CHUNK_SHIFT];
      const k = (id & CHUNK_MASK) * 2 + 1;
      if ((chunk[k] & (OBJ_BIT | UNPACKED_BIT)) !== (OBJ_BIT | UNPACKED_BIT) || ((chunk[k] >>> TYPE_SHIFT) & 7) === 0) continue;
      this.locate(id);
      if (!wrote && this.rvl !== 0) {
        // Unchanged, and its bytes are still the record's value.
        chunk[k] &= ~(OBJ_BIT | UNPACKED_BIT);
        continue;
      }
      const size = codec.packedSize(obj);
      if (size < 0) {
        chunk[k] &= ~UNPACKED_BIT;
        if (this.rvl !== 0) this.resizeValue(id, 0);
        this.#keepObject(id, obj);
        continue;
      }
      this.resizeValue(id, size);
      codec.pack(obj, this.rb, this.rv);
      chunk[k] &= ~(OBJ_BIT | UNPACKED_BIT);
    }
    this.#pendLen = 0;
    this.#pendIndex = null;
  }

  /** Whether id is a packed aggregate (tests and MEMORY DOCTOR-style introspection). */
  isPacked(id: number): boolean {
    const m = this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1];
    return (m & OBJ_BIT) === 0 && ((m >>> TYPE_SHIFT) & 7) !== 0;
  }

  /** Puts id on the touched stack unless it is there already (its touched bit says so). */
  #touch(id: number): void {
    const c = this.chunks[id >>> CHUNK_SHIFT];
    const k = (id & CHUNK_MASK) * 2 + 1;
    if ((c[k] & TOUCH_BIT) !== 0) return;
    c[k] |= TOUCH_BIT;
    if (this.#touchedLen === this.#touched.length) {
      const grown = new Int32Array(this.#touched.length * 2);
      grown.set(this.#touched);
      this.#touched = grown;
    }
    this.#touched[this.#touchedLen++] = id;
  }

  /** Empties the touched stack, clearing the marks of the ids on it. */
  #clearTouched(): void {
    for (let i = 0; i < this.#touchedLen; i++) {
      const id = this.#touched[i];
      this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] &= ~TOUCH_BIT;
    }
    this.#touchedLen = 0;
  }

  /** Forgets id's aggregate object (the entry is freed or becomes a string). */
  #dropObject(id: number): void {
    if (((this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] >>> TYPE_SHIFT) & 7) === 0) {
      this.compressedCount--; // a compressed string stops being one
      return;
    }
    this.objects.delete(id);
    if (!this.#acct) return;
    const known = this.#known.get(id);
    if (known !== undefined) {
      this.#aggBytes -= known;
      this.#known.delete(id);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Aggregate memory accounting

  /** Whether aggregate accounting is on (maxmemory set). */
  get accounting(): boolean {
    return this.#acct;
  }

  /**
   * Turns aggregate accounting on (taking stock of every aggregate once: O(aggregates)) or
   * off (forgetting the figures). Idempotent.
   */
  setAccounting(on: boolean): void {
    if (on === this.#acct) return;
    this.#acct = on;
    this.#clearTouched();
    this.#known.clear();
    this.#aggBytes = 0;
    if (!on) return;
    for (const [id, obj] of this.objects) {
      const b = objectBytes(obj);
      this.#known.set(id, b);
      this.#aggBytes += b;
    }
  }

  /**
   * Estimated heap bytes of every aggregate value. With accounting on, re-reads the objects
   * handed out since the last call and returns the running total (O(touched)); off, sums all
   * of them (O(aggregates)).
   */
  aggregateBytes(): number {
    if (!this.#acct) {
      let n = 0;
      for (const obj of this.objects.values()) n += objectBytes(obj);
      return n;
    }
    const n = this.#touchedLen;
    if (n > 0) {
      const touched = this.#touched;
      for (let i = 0; i < n; i++) {
        const id = touched[i];
        // A freed id's metadata word is zero; an id reused since was pushed again if touched.
        this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] &= ~TOUCH_BIT;
        const obj = this.objects.get(id);
        const now = obj === undefined ? 0 : objectBytes(obj);
        const before = this.#known.get(id) ?? 0;
        if (obj === undefined) this.#known.delete(id);
        else this.#known.set(id, now);
        this.#aggBytes += now - before;
      }
      this.#touchedLen = 0;
    }
    return this.#aggBytes;
  }

  /**
   * Makes id a string with encoding hint `enc` and, unless clock < 0, access clock `clock`, and
   * records the write (bump) — one metadata write for what SET changes besides the bytes.
   */
  restring(id: number, enc: number, clock: number): void {
    const c = this.chunks[id >>> CHUNK_SHIFT];
    const k = (id & CHUNK_MASK) * 2 + 1;
    const old = c[k];
    if ((old & OBJ_BIT) !== 0) this.#dropObject(id);
    const keep = clock < 0 ? old & CLOCK_MASK : clock & CLOCK_MASK;
    c[k] = (keep | (old & TOUCH_BIT) | (enc << ENC_SHIFT) | (this.epoch << 31)) >>> 0;
  }

  /**
   * Records a write to id: its version becomes the current epoch. A snapshot in progress has
   * written the entry's old state before the write began (the guard's capture, called by the
   * command path and by Database's mutators); an entry still unvisited here is one the guard
   * missed, which it is told about.
   */
  bump(id: number): void {
    const c = this.chunks[id >>> CHUNK_SHIFT];
    const k = (id & CHUNK_MASK) * 2 + 1;
    if (this.guard !== null && c[k] >>> 31 !== this.epoch) this.guard.missed(id);
    c[k] = ((c[k] & ~EPOCH_BIT) | (this.epoch << 31)) >>> 0;
  }

  /**
   * Brings the entry words and the records' first bytes of ids[0, n) into the cache, with every
   * load of a step issued before any is used, so that their cache misses overlap instead of
   * following one another. For walks (a snapshot, SAVE), which meet records in hash order,
   * scattered over the arena: at 1M keys each key's entry and record were two misses in a row.
   */
  prefetchRecords(ids: readonly number[], n: number): void {
    if (n > PREFETCH_ADDRS.length) n = PREFETCH_ADDRS.length;
    const addrs = PREFETCH_ADDRS;
    const chunks = this.chunks;
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      addrs[k] = chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2];
    }
    const arena = this.arena;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const a = addrs[k];
      sum += arena.buf(a)[arena.off(a)];
    }
    this.prefetched = sum;
  }

  /** A sum of the bytes prefetchRecords read (kept so the reads are not optimized away). */
  prefetched = 0;

  // ---------------------------------------------------------------------------------------
  // Snapshot versions (see the file header)

  /** Whether a snapshot in progress still owes id's state (its version predates the epoch). */
  isOld(id: number): boolean {
    return this.chunks[id >>> CHUNK_SHIFT][(id & CHUNK_MASK) * 2 + 1] >>> 31 !== this.epoch;
  }

  /** Marks id as written by the snapshot in progress (its version becomes the epoch). */
  markVisited(id: number): void {
    const c = this.chunks[id >>> CHUNK_SHIFT];
    const k = (id & CHUNK_MASK) * 2 + 1;
    c[k] = ((c[k] & ~EPOCH_BIT) | (this.epoch << 31)) >>> 0;
  }

  /**
   * Gives every entry the current epoch: what an abandoned snapshot leaves undone, so that the
   * next one starts, as it must, with every entry one flip away from the epoch.
   */
  markAllCurrent(): void {
    const bit = this.epoch << 31;
    for (let j = 0; j < this.chunks.length; j++) {
      const c = this.chunks[j];
      for (let k = 1; k < c.length; k += 2) c[k] = (c[k] & ~EPOCH_BIT) | bit;
    }
  }
}

/**
 * What a snapshot in progress asks of the keyspace (persistence/snapshot.ts implements it):
 * Database's mutators call capture() before an entry still owed to the snapshot changes or
 * goes, and drain() before a whole database is emptied or swapped; reset() before every entry
 * goes at once.
 */
export interface SnapshotGuard {
  capture(db: Database, id: number): void;
  drain(db: Database): void;
  reset(): void;
  /** An entry was written without its old state captured first (a missing hook: a bug). */
  missed(id: number): void;
}

/** meta word for a new string entry. */
export function stringMeta(enc: number, clock: number): number {
  return (enc << ENC_SHIFT) | (clock & CLOCK_MASK);
}
