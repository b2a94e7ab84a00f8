// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: longest common subsequence of
// two string values, by the classic dynamic-programming table, as Redis 7.0 computes it.
//
// Memory: the table has (|a|+1)*(|b|+1) uint32 cells. Like Redis 7.0.15, a table larger than
// proto-max-bulk-len bytes is refused before anything is allocated, so one command can never
// take more transient memory than that limit.
//
// Reply shapes: the subsequence (bulk), its length with LEN (integer), or with IDX a map
// {"matches": [[[a0, a1], [b0, b1], (len)], ...], "len": n} (RESP2: a flat 4-element array),
// the matched ranges listed from the end of the strings towards their start.

import type { Handler } from '../command-table.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import type { Client } from '../network/client.js';
import { EMPTY } from './strings-store.js';
import { Err } from '../../lib/errors.js';
import { intArg, isKeyword } from './util.js';

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number | bigint;
}

/** Parses argv[3..]; null after replying an error. MINMATCHLEN below 0 counts as 0. */
function parseLcsOptions(c: Client, argv: Buffer[]): LcsOptions | null {
  const o: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    const moreArgs = argv.length - 1 - j;
    if (isKeyword(a, 'idx')) o.idx = true;
    else if (isKeyword(a, 'len')) o.len = true;
    else if (isKeyword(a, 'withmatchlen')) o.withMatchLen = true;
    else if (isKeyword(a, 'minmatchlen') && moreArgs > 0) {
      const v = intArg(c, argv[++j]);
      if (v === null) return null;
      o.minMatchLen = v < 0 ? 0 : v;
    } else {
      c.w.error(Err.syntax);
      return null;
    }
  }
  if (o.idx && o.len) {
    c.w.error(Err.lcsIdxAndLen);
    return null;
  }
  return o;
}

/** One matched range: positions in a and in b (inclusive), both of the same length. */
interface Match {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * Fills the LCS table: cell i*(blen+1)+j holds the LCS length of a[0..i) and b[0..j).
 * Row 0 and column 0 stay 0 (the typed array starts zeroed).
 */
function fillTable(a: Buffer, b: Buffer, t: Uint32Array): void {
  const w = b.length + 1;
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= b.length; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
}

/**
 * Walks the table back from the end, collecting the subsequence and (when `ranges`) the
 * contiguous matched ranges in the order Redis emits them. A range ends where the walk leaves
 * the diagonal or reaches the first byte of either string.
 */
function backtrack(a: Buffer, b: Buffer, t: Uint32Array, ranges: Match[] | null): Buffer {
  const w = b.length + 1;
  let k = t[a.length * w + b.length];
  const out = Buffer.allocUnsafe(k);
  let i = a.length;
  let j = b.length;
  let cur: Match | null = null;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      out[--k] = a[i - 1];
      if (cur === null) cur = { aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1 };
      else if (cur.aStart === i && cur.bStart === j) {
        cur.aStart--;
        cur.bStart--;
      } else emit = true;
      if (cur.aStart === 0 || cur.bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      if (cur !== null) emit = true;
    }
    if (emit && cur !== null) {
      if (ranges !== null) ranges.push(cur);
      cur = null;
    }
  }
  return out;
}

const lcsCommand: Handler = (c, argv) => {
  const ks = c.srv.keyspace;
  const ea = ks.lookupRead(c.db, argv[1], c.srv.now, c.noTouch);
  const eb = ks.lookupRead(c.db, argv[2], c.srv.now, c.noTouch);
  if ((ea !== NONE && c.db.type(ea) !== VType.String) || (eb !== NONE && c.db.type(eb) !== VType.String)) {
    c.w.error(Err.lcsWrongType);
    return;
  }
  // Views into the keyspace: valid while LCS runs, since it changes nothing.
  const a = ea === NONE ? EMPTY : c.db.value(ea);
  const b = eb === NONE ? EMPTY : c.db.value(eb);
  const o = parseLcsOptions(c, argv);
  if (o === null) return;
  if (a.length >= 0xffffffff - 1 || b.length >= 0xffffffff - 1) {
    c.w.error(Err.lcsTooLong);
    return;
  }
  const cells = (a.length + 1) * (b.length + 1);
  if (cells * 4 > c.srv.limits.protoMaxBulkLen) {
    c.w.error(Err.lcsOverLimit);
    return;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    c.w.error(Err.lcsAllocFailed);
    return;
  }
  fillTable(a, b, table);
  const total = table[cells - 1];
  if (o.len) {
    c.w.integer(total);
    return;
  }
  const ranges: Match[] | null = o.idx ? [] : null;
  const seq = backtrack(a, b, table, ranges);
  if (ranges === null) {
    c.w.bulk(seq);
    return;
  }
  const shown = ranges.filter((m) => o.minMatchLen === 0 || m.aEnd - m.aStart + 1 >= o.minMatchLen);
  c.w.map(2);
  c.w.bulkString('matches');
  c.w.array(shown.length);
  for (const m of shown) {
    c.w.array(o.withMatchLen ? 3 : 2);
    c.w.array(2);
    c.w.integer(m.aStart);
    c.w.integer(m.aEnd);
    c.w.array(2);
    c.w.integer(m.bStart);
    c.w.integer(m.bEnd);
    if (o.withMatchLen) c.w.integer(m.aEnd - m.aStart + 1);
  }
  c.w.bulkString('len');
  c.w.integer(total);
};

export const lcsHandlers: Record<string, Handler> = {
  lcs: lcsCommand,
};
