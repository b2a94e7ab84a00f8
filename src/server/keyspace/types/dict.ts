// DenseDict: the "hashtable" encoding of the aggregate types (hash fields, set members, sorted
// set members). Elements are latin1 strings (one char per byte: binary-safe and, in V8, one byte
// per char), kept in two dense arrays with a Map from element to position.
//
// What the commands need from it beyond a Map:
//  - a uniformly random element in O(1) (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): pick a
//    random position in the dense array;
//  - a SCAN cursor with Redis's guarantee (an element present for the whole iteration is
//    returned at least once, possibly more; elements added or removed meanwhile may or may
//    not be): the cursor walks positions downward. Deletion moves the last element into the
//    hole; the last element is either already visited (at or above the cursor) or, if it is
//    below the cursor, it moves to a lower position that is also still to be visited.
//    Insertions append above every position still to visit. So no element present throughout
//    is ever skipped.
//
// Positions are not stable across deletes: callers must not hold them across a mutation.

export class DenseDict<V> {
  readonly #pos = new Map<string, number>();
  #keys: string[] = [];
  #vals: V[] = [];

  get size(): number {
    return this.#keys.length;
  }

  has(k: string): boolean {
    return this.#pos.has(k);
  }

  get(k: string): V | undefined {
    const p = this.#pos.get(k);
    return p === undefined ? undefined : this.#vals[p];
  }

  /** Sets k to v; returns true if k was added, false if an existing value was replaced. */
  set(k: string, v: V): boolean {
    const p = this.#pos.get(k);
    if (p !== undefined) {
      this.#vals[p] = v;
      return false;
    }
    this.#pos.set(k, this.#keys.length);
    this.#keys.push(k);
    this.#vals.push(v);
    return true;
  }

  /** Removes k; returns whether it was present. */
  delete(k: string): boolean {
    const p = this.#pos.get(k);
    if (p === undefined) return false;
    this.#pos.delete(k);
    const last = this.#keys.length - 1;
    if (p !== last) {
      const lk = this.#keys[last];
      this.#keys[p] = lk;
      this.#vals[p] = this.#vals[last];
      this.#pos.set(lk, p);
    }
    this.#keys.pop();
    this.#vals.pop();
    return true;
  }

  clear(): void {
    this.#pos.clear();
    this.#keys = [];
    this.#vals = [];
  }

  /** The element at dense position i (0 <= i < size), for random picks. */
  keyAt(i: number): string {
    return this.#keys[i];
  }

  valueAt(i: number): V {
    return this.#vals[i];
  }

  /** A uniformly random position, given rnd in [0, 1). */
  randomPos(rnd: number): number {
    return Math.floor(rnd * this.#keys.length);
  }

  /** Every element in dense order (insertion order until a delete moves the last one). */
  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.#keys.length; i++) yield [this.#keys[i], this.#vals[i]];
  }

  keys(): readonly string[] {
    return this.#keys;
  }

  values(): readonly V[] {
    return this.#vals;
  }

  /**
   * One SCAN step: visits up to `count` positions from `cursor` downward, calling visit for
   * each element, and returns the next cursor (0 when the walk is complete). Cursor 0 starts
   * a walk; any other cursor c resumes at position c - 1 (clamped to the current size).
   */
  scan(cursor: number, count: number, visit: (k: string, v: V) => void): number {
    let i = cursor === 0 ? this.#keys.length - 1 : Math.min(cursor, this.#keys.length) - 1;
    for (let n = 0; i >= 0 && n < count; n++, i--) visit(this.#keys[i], this.#vals[i]);
    return i < 0 ? 0 : i + 1;
  }

  /** A dict holding keys[i] -> vals[i] in that dense order (keys distinct); takes the arrays. */
  static fromArrays<V>(keys: string[], vals: V[]): DenseDict<V> {
    const d = new DenseDict<V>();
    d.#keys = keys;
    d.#vals = vals;
    for (let i = 0; i < keys.length; i++) d.#pos.set(keys[i], i);
    return d;
  }

  clone(copyValue: (v: V) => V = (v) => v): DenseDict<V> {
    const d = new DenseDict<V>();
    d.#keys = this.#keys.slice();
    d.#vals = copyValue === undefined ? this.#vals.slice() : this.#vals.map(copyValue);
    for (let i = 0; i < d.#keys.length; i++) d.#pos.set(d.#keys[i], i);
    return d;
  }
}
