// In-process reference caches for the hit-rate simulator, sized in keys: exact LRU, and Belady's
// offline optimum (OPT/MIN), which no eviction policy can beat on the same trace and capacity.
//
// Both replay a trace as a look-aside cache does: a request for a cached key is a hit; a miss
// brings the key in (evicting one when full). Requests before `warmup` update the cache but are
// not counted, exactly as the server runs discard their first requests.

// ---------------------------------------------------------------------------------------------
// Results

export interface CacheCount {
  /** Requests counted (those at or after the warm-up). */
  counted: number;
  /** Hits among them. */
  hits: number;
}

/** Hit rate in percent, NaN when nothing was counted. */
export function hitRate(c: CacheCount): number {
  return c.counted === 0 ? NaN : (100 * c.hits) / c.counted;
}

function checkArgs(ids: Uint32Array, idSpace: number, capacity: number, warmup: number): void {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('capacity must be a whole number >= 0');
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError('warmup must be a whole number >= 0');
  if (ids.length > 0x7fff_fffe) throw new RangeError('trace too long');
  for (let i = 0; i < ids.length; i++) {
    if ((ids[i] ?? 0) >= idSpace) throw new RangeError(`id ${ids[i] ?? 0} at ${i} is outside the id space ${idSpace}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Exact LRU

/**
 * Exact LRU with `capacity` keys: an intrusive doubly linked recency list over typed arrays
 * indexed by key id (O(1) per request, no allocation per request). Every id must be < idSpace.
 */
export function simulateLru(ids: Uint32Array, idSpace: number, capacity: number, warmup: number): CacheCount {
  checkArgs(ids, idSpace, capacity, warmup);
  const counted = Math.max(0, ids.length - warmup);
  if (capacity === 0) return { counted, hits: 0 };
  const NIL = -1;
  // prev/next links of cached ids; head = most recent, tail = least recent.
  const prev = new Int32Array(idSpace).fill(NIL);
  const next = new Int32Array(idSpace).fill(NIL);
  const cached = new Uint8Array(idSpace);
  let head = NIL;
  let tail = NIL;
  let size = 0;
  let hits = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? 0;
    if (cached[id] === 1) {
      if (i >= warmup) hits++;
      if (id === head) continue;
      // Unlink (it is not the head, so it has a prev), then push at the head.
      const p = prev[id] ?? NIL;
      const n = next[id] ?? NIL;
      next[p] = n;
      if (n !== NIL) prev[n] = p;
      else tail = p;
    } else {
      if (size === capacity) {
        const victim = tail;
        tail = prev[victim] ?? NIL;
        if (tail !== NIL) next[tail] = NIL;
        else head = NIL;
        cached[victim] = 0;
        size--;
      }
      cached[id] = 1;
      size++;
    }
    prev[id] = NIL;
    next[id] = head;
    if (head !== NIL) prev[head] = id;
    head = id;
    if (tail === NIL) tail = id;
  }
  return { counted, hits };
}

// ---------------------------------------------------------------------------------------------
// Belady's OPT

/** Marks "never requested again" (larger than any position). */
const NEVER = 0x7fff_ffff;

/**
 * For each position i, the position of the next request for the same id, or NEVER. One backward
 * pass over the trace.
 */
export function nextUses(ids: Uint32Array, idSpace: number): Int32Array {
  const next = new Int32Array(ids.length);
  const last = new Int32Array(idSpace).fill(NEVER);
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i] ?? 0;
    next[i] = last[id] ?? NEVER;
    last[id] = i;
  }
  return next;
}

/**
 * Belady's OPT (MIN) with `capacity` keys: on a miss with a full cache, the cached key whose next
 * request is farthest away (or never comes) is evicted, and the requested key is always admitted
 * — as the servers are driven (every miss is followed by a SET), so this is the best any eviction
 * policy can do for them. (A cache free to skip admission could do better still.) The cached keys
 * sit in an indexed max-heap on their next-use position; a hit moves the key's next use forward
 * (sift up). O(log capacity) per request. `next` may be passed in to reuse nextUses() across
 * capacities.
 */
export function simulateOpt(ids: Uint32Array, idSpace: number, capacity: number, warmup: number, next?: Int32Array): CacheCount {
  checkArgs(ids, idSpace, capacity, warmup);
  const counted = Math.max(0, ids.length - warmup);
  if (capacity === 0) return { counted, hits: 0 };
  const nu = next ?? nextUses(ids, idSpace);
  if (nu.length !== ids.length) throw new RangeError('next-use table does not match the trace');
  const heapId = new Int32Array(capacity);
  const heapKey = new Int32Array(capacity);
  const pos = new Int32Array(idSpace).fill(-1);
  let size = 0;
  let hits = 0;

  const place = (at: number, id: number, key: number): void => {
    heapId[at] = id;
    heapKey[at] = key;
    pos[id] = at;
  };
  const siftUp = (at: number, id: number, key: number): void => {
    while (at > 0) {
      const parent = (at - 1) >>> 1;
      const pk = heapKey[parent] ?? 0;
      if (pk >= key) break;
      place(at, heapId[parent] ?? 0, pk);
      at = parent;
    }
    place(at, id, key);
  };
  const siftDown = (at: number, id: number, key: number): void => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const r = l + 1;
      let c = l;
      if (r < size && (heapKey[r] ?? 0) > (heapKey[l] ?? 0)) c = r;
      const ck = heapKey[c] ?? 0;
      if (ck <= key) break;
      place(at, heapId[c] ?? 0, ck);
      at = c;
    }
    place(at, id, key);
  };

  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? 0;
    const key = nu[i] ?? NEVER;
    const at = pos[id] ?? -1;
    if (at >= 0) {
      if (i >= warmup) hits++;
      // The key was i (its next use was this request); the new one is later: sift up.
      siftUp(at, id, key);
      continue;
    }
    if (size < capacity) {
      size++;
      siftUp(size - 1, id, key);
      continue;
    }
    // Full: the root has the farthest next use among cached keys; it makes room.
    pos[heapId[0] ?? 0] = -1;
    siftDown(0, id, key);
  }
  return { counted, hits };
}
