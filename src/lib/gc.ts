// V8's gc(), reached without --expose-gc on the command line: the flag is set at run time and a
// fresh context created, which V8 gives the gc function; the flag is cleared again at once, so
// no other context (the application's, for an embedded node) sees a global gc. Null when that
// fails (another runtime): callers then leave collections to V8.

import v8 from 'node:v8';
import vm from 'node:vm';

export type GcFunction = (opts?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void | Promise<void>;

let gcFunction: GcFunction | null | undefined;

export function v8Gc(): GcFunction | null {
  if (gcFunction !== undefined) return gcFunction;
  let f: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof f !== 'function') {
    try {
      v8.setFlagsFromString('--expose-gc');
      f = vm.runInNewContext('gc');
      v8.setFlagsFromString('--no-expose-gc');
    } catch {
      f = undefined;
    }
  }
  gcFunction = typeof f === 'function' ? (f as GcFunction) : null;
  return gcFunction;
}

let majorPending = false;

/**
 * Asks for one full collection, run by V8 from a task (the caller returns at once). Requests
 * made while one is pending are the same request. Used to return memory that V8 does not
 * count (Arena: shared segments freed by the keyspace).
 */
export function requestMajorGc(): void {
  if (majorPending) return;
  const gc = v8Gc();
  if (gc === null) return;
  majorPending = true;
  const done = (): void => {
    majorPending = false;
  };
  const p = gc({ type: 'major', execution: 'async' });
  if (p instanceof Promise) p.then(done, done);
  else done();
}
