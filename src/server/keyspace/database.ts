// One logical database (SELECT n): keys partitioned by hash slot, plus an index of the keys
// that carry a TTL.
//
// Keys are held as latin1 strings: one char per byte, so any byte sequence round-trips
// (binary-safe) and JS Maps can index them. Each of the 16384 slots has its own Map, created
// on first use; the slot is the unit of SCAN cursors, cluster migration and per-slot counts.
//
// Expiry contract (Redis 7.0 semantics):
//  - a key is expired once now > expireAt (at now === expireAt it is still alive, as in
//    Redis's keyIsExpired);
//  - lookups expire lazily: an expired key is deleted on access and reported to
//    the owner through `onExpired` (stats, notifications, propagation of a DEL);
//  - the active cycle (expire.ts) walks the expires index with a persistent cursor so keys
//    that are never read again are reclaimed too;
//  - dbsize() counts keys not yet reclaimed, exactly as Redis's DBSIZE does.

import { SLOT_COUNT, keyHashSlotLatin1 } from '../../protocol/slot.js';
import { Entry, NO_EXPIRY } from './entry.js';

/** Called when a key is deleted because its TTL passed (lazily or by the active cycle). */
export type ExpiredHook = (db: Database, key: string, entry: Entry) => void;

/**
 * Whether reading an expired key deletes it. One object shared by every database of a node:
 * CLIENT PAUSE WRITE turns deletion off (and replicas will), for all databases at once.
 */
export interface ExpiryPolicy {
  deleteOnAccess: boolean;
}

/** Storage of one database; swapped wholesale by SWAPDB. */
export class DbData {
  slots: (Map<string, Entry> | undefined)[] = new Array(SLOT_COUNT);
  size = 0;
  expires = new Map<string, Entry>();
  /** Persistent cursor of the active expire cycle over `expires`. */
  expireCursor: Iterator<[string, Entry]> | null = null;
  /** Bumped on every flush, so long-running walks (SCAN, expiry cursor) notice a new table. */
  epoch = 0;
}

export class Database {
  readonly id: number;
  #d = new DbData();
  #onExpired: ExpiredHook;
  readonly #expiry: ExpiryPolicy;

  constructor(id: number, onExpired: ExpiredHook, expiry: ExpiryPolicy) {
    this.id = id;
    this.#onExpired = onExpired;
    this.#expiry = expiry;
  }

  /** When false, lazy expiry reports expired keys as missing but does not delete them. */
  get deleteOnExpire(): boolean {
    return this.#expiry.deleteOnAccess;
  }

  /** Number of keys, including expired keys not yet reclaimed (as Redis's DBSIZE). */
  get size(): number {
    return this.#d.size;
  }

  /** Number of keys with a TTL. */
  get expiresSize(): number {
    return this.#d.expires.size;
  }

  /** Keys in one hash slot. */
  countInSlot(slot: number): number {
    return this.#d.slots[slot]?.size ?? 0;
  }

  /** Swaps the whole contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    const t = this.#d;
    this.#d = other.#d;
    other.#d = t;
  }

  // ---------------------------------------------------------------------------------------
  // Lookup

  /** The entry stored for key, with no expiry check and no side effects. */
  peek(key: string): Entry | undefined {
    const m = this.#d.slots[keyHashSlotLatin1(key)];
    return m === undefined ? undefined : m.get(key);
  }

  /**
   * The live entry for key at time `now`, or undefined. An expired key is deleted (reported
   * through onExpired) unless deleteOnExpire is off, in which case it only reads as missing.
   */
  lookup(key: string, now: number): Entry | undefined {
    const slot = keyHashSlotLatin1(key);
    const m = this.#d.slots[slot];
    if (m === undefined) return undefined;
    const e = m.get(key);
    if (e === undefined) return undefined;
    if (e.expireAt !== NO_EXPIRY && e.expireAt < now) {
      if (this.#expiry.deleteOnAccess) {
        this.#remove(m, slot, key, e);
        this.#onExpired(this, key, e);
      }
      return undefined;
    }
    return e;
  }

  // ---------------------------------------------------------------------------------------
  // Mutation

  /**
   * Stores entry under key, replacing any previous entry (whose TTL is dropped: the caller
   * copies expireAt onto the new entry first for KEEPTTL semantics). Returns the old entry.
   */
  set(key: string, entry: Entry): Entry | undefined {
    const d = this.#d;
    const slot = keyHashSlotLatin1(key);
    const m = this.#slotMap(slot);
    const old = m.get(key);
    m.set(key, entry);
    if (old === undefined) {
      d.size++;
    } else if (old.expireAt !== NO_EXPIRY && entry.expireAt === NO_EXPIRY) {
      d.expires.delete(key);
    }
    if (entry.expireAt !== NO_EXPIRY) d.expires.set(key, entry);
    return old;
  }

  /**
   * Inserts an entry under a key the caller knows is absent (it just looked it up): one index
   * operation instead of set()'s two. Inserting a present key corrupts the key count.
   */
  add(key: string, entry: Entry): void {
    const d = this.#d;
    const slot = keyHashSlotLatin1(key);
    this.#slotMap(slot).set(key, entry);
    d.size++;
    if (entry.expireAt !== NO_EXPIRY) d.expires.set(key, entry);
  }

  /** The map of one slot, created on first use. */
  #slotMap(slot: number): Map<string, Entry> {
    const slots = this.#d.slots;
    let m = slots[slot];
    if (m === undefined) {
      m = new Map();
      slots[slot] = m;
    }
    return m;
  }

  /** Deletes key; returns the removed entry or undefined if it did not exist. */
  delete(key: string): Entry | undefined {
    const slot = keyHashSlotLatin1(key);
    const m = this.#d.slots[slot];
    if (m === undefined) return undefined;
    const e = m.get(key);
    if (e === undefined) return undefined;
    this.#remove(m, slot, key, e);
    return e;
  }

  #remove(m: Map<string, Entry>, slot: number, key: string, e: Entry): void {
    const d = this.#d;
    m.delete(key);
    d.size--;
    if (m.size === 0) d.slots[slot] = undefined;
    if (e.expireAt !== NO_EXPIRY) d.expires.delete(key);
  }

  /** Sets (at >= 0) or clears (NO_EXPIRY) the TTL of an entry stored under key. */
  setExpire(key: string, entry: Entry, at: number): void {
    entry.expireAt = at;
    if (at === NO_EXPIRY) this.#d.expires.delete(key);
    else this.#d.expires.set(key, entry);
  }

  /** Removes every key. */
  clear(): void {
    const epoch = this.#d.epoch + 1;
    this.#d = new DbData();
    this.#d.epoch = epoch;
  }

  // ---------------------------------------------------------------------------------------
  // Iteration

  /**
   * One SCAN step. The cursor is the next slot to visit: each call visits whole slots until it
   * has collected at least `count` keys or reached the end (cursor 0). Every key present for
   * the whole iteration is returned, because slots are visited in a fixed order and a key never
   * changes slot; a key may be returned more than once only if the caller restarts.
   * Empty slots cost one array read each, so a sparse database still finishes in one pass.
   */
  scan(cursor: number, count: number, visit: (key: string, e: Entry) => void): number {
    const slots = this.#d.slots;
    let seen = 0;
    let slot = cursor;
    while (slot < SLOT_COUNT) {
      const m = slots[slot++];
      if (m === undefined) continue;
      for (const [k, e] of m) visit(k, e);
      seen += m.size;
      if (seen >= count) break;
    }
    return slot >= SLOT_COUNT ? 0 : slot;
  }

  /** Every (key, entry) pair, slot by slot. The caller must not mutate during the walk. */
  *entries(): IterableIterator<[string, Entry]> {
    for (const m of this.#d.slots) if (m !== undefined) yield* m;
  }

  /** Keys of one slot (cluster GETKEYSINSLOT, migration). */
  *slotKeys(slot: number): IterableIterator<string> {
    const m = this.#d.slots[slot];
    if (m !== undefined) yield* m.keys();
  }

  /**
   * A key chosen uniformly at random (rand in [0,1)), or undefined when empty.
   * O(slots + keys in the chosen slot); the off-heap engine makes this O(1).
   */
  randomKey(rand: number): string | undefined {
    const d = this.#d;
    if (d.size === 0) return undefined;
    let target = Math.floor(rand * d.size);
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const c = d.slots[slot]?.size ?? 0;
      if (target < c) {
        for (const k of (d.slots[slot] as Map<string, Entry>).keys()) if (target-- === 0) return k;
      }
      target -= c;
    }
    return undefined;
  }

  /**
   * Visits up to `max` entries of the expires index, continuing where the previous call
   * stopped and wrapping around. Returns how many were visited. The visitor may delete the
   * visited key (Map iterators tolerate deletion).
   */
  sampleExpires(max: number, visit: (key: string, e: Entry) => void): number {
    const d = this.#d;
    if (d.expires.size === 0) return 0;
    let it = d.expireCursor ?? d.expires.entries();
    let n = 0;
    let wrapped = false;
    while (n < max) {
      const r = it.next();
      if (r.done) {
        if (wrapped) break;
        wrapped = true;
        it = d.expires.entries();
        continue;
      }
      n++;
      visit(r.value[0], r.value[1]);
    }
    d.expireCursor = it;
    return n;
  }

  /** Deletes an expired key found by the active cycle and reports it. */
  expireNow(key: string, e: Entry): void {
    const slot = keyHashSlotLatin1(key);
    const m = this.#d.slots[slot];
    if (m === undefined || m.get(key) !== e) return;
    this.#remove(m, slot, key, e);
    this.#onExpired(this, key, e);
  }
}
