// A whole dataset read through commands, to compare two nodes (a master and its replica, Shoal
// and redis-server): every key of the given databases with its type, its absolute expiry
// (PEXPIRETIME: exact, since replication propagates absolute times) and its value, unordered
// collections sorted.

import type { Redis } from 'ioredis';

/** "db:hex(key)" -> "type expiry value". */
export type Dataset = Map<string, string>;

/** Reads every key of `dbs` (the connection is left on database 0). */
export async function datasetOf(r: Redis, dbs: readonly number[]): Promise<Dataset> {
  const out: Dataset = new Map();
  const hexes = (a: Buffer[]): string[] => a.map((b) => b.toString('hex'));
  for (const db of dbs) {
    await r.select(db);
    const keys: Buffer[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      keys.push(...batch);
    } while (cursor !== '0');
    for (const k of keys) {
      const type = await r.type(k);
      let value: string[];
      if (type === 'string') value = [(await r.getBuffer(k))?.toString('hex') ?? ''];
      else if (type === 'list') value = hexes(await r.lrangeBuffer(k, 0, -1));
      else if (type === 'set') value = hexes(await r.smembersBuffer(k)).sort();
      else if (type === 'zset') value = hexes(await r.zrangeBuffer(k, 0, -1, 'WITHSCORES'));
      else if (type === 'hash') {
        const flat = hexes((await r.callBuffer('HGETALL', k)) as Buffer[]);
        value = [];
        for (let i = 0; i < flat.length; i += 2) value.push(`${flat[i]}=${flat[i + 1]}`);
        value.sort();
      } else value = ['?'];
      const at = await r.call('PEXPIRETIME', k);
      out.set(`${db}:${k.toString('hex')}`, `${type} ${String(at)} ${value.join(',')}`);
    }
  }
  await r.select(0);
  return out;
}

/**
 * The first `max` differences between two datasets (empty when they are equal). Expiry times
 * may differ by up to `expiryToleranceMs` when both keys have one (two servers that each made a
 * relative TTL absolute from their own clock); by default they must be equal.
 */
export function datasetDiff(a: Dataset, b: Dataset, max = 10, expiryToleranceMs = 0): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    if (out.length >= max) return out;
    const w = b.get(k);
    if (w === undefined) out.push(`${k}: only in the first`);
    else if (w !== v && !(expiryToleranceMs > 0 && sameButExpiry(v, w, expiryToleranceMs))) {
      out.push(`${k}: ${v.slice(0, 80)} != ${w.slice(0, 80)}`);
    }
  }
  for (const k of b.keys()) {
    if (out.length >= max) return out;
    if (!a.has(k)) out.push(`${k}: only in the second`);
  }
  return out;
}

/** Two "type expiry value" entries equal but for expiry times (both set) at most `tol` ms apart. */
function sameButExpiry(v: string, w: string, tol: number): boolean {
  const [tv, ev] = v.split(' ', 2);
  const [tw, ew] = w.split(' ', 2);
  const restV = v.slice(tv.length + ev.length + 2);
  const restW = w.slice(tw.length + ew.length + 2);
  const x = Number(ev);
  const y = Number(ew);
  return tv === tw && restV === restW && x > 0 && y > 0 && Math.abs(x - y) <= tol;
}
