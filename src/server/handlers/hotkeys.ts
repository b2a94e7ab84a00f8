// HOTKEYS (Shoal extension): the hottest keys found by the hot-key tracker
// (src/server/analytics/hotkeys.ts), with their estimated access rates.
//
//   HOTKEYS [COUNT n] [DB index]   top n (default 10) keys of a database (default: the
//                                   client's), hottest first
//   HOTKEYS RESET                  forget every count; tracking restarts now
//
// Reply, the same shape in RESP2 and RESP3: an array of [key, rate, total] arrays, where
// rate is the estimated accesses per second over the tracker's decayed window (~10-20 s),
// written with two decimals (a RESP3 double, a bulk string in RESP2, as Redis degrades
// doubles), and total the estimated accesses since tracking started or was reset (an
// integer). An array of arrays rather than a RESP3 map keeps the ranking explicit in every
// client (maps become unordered objects or dicts in several).

import { Err } from '../../lib/errors.js';
import { parseIntArg } from '../../lib/numbers.js';
import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { isKeyword } from './util.js';

/** Error texts of this command (to be folded into the catalog). */
/** Entries returned without COUNT (as SLOWLOG GET's default). */
const DEFAULT_COUNT = 10;

const hotkeysCommand: Handler = (c, argv) => {
  const tracker = c.srv.hotkeys;
  if (argv.length === 2 && isKeyword(argv[1], 'reset')) {
    tracker.sketch?.reset(c.srv.now);
    c.w.ok();
    return;
  }
  let count = DEFAULT_COUNT;
  let db = c.db.id;
  for (let i = 1; i < argv.length; i += 2) {
    const isCount = isKeyword(argv[i], 'count');
    if ((!isCount && !isKeyword(argv[i], 'db')) || i + 1 >= argv.length) {
      c.w.error(Err.syntax);
      return;
    }
    const v = parseIntArg(argv[i + 1]);
    if (v === null) {
      c.w.error(Err.notInteger);
      return;
    }
    if (isCount) {
      if (v <= 0) {
        c.w.error(Err.mustBePositive);
        return;
      }
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
    } else {
      if (v < 0 || v >= c.srv.keyspace.dbs.length) {
        c.w.error(Err.dbIndexOutOfRange);
        return;
      }
      db = Number(v);
    }
  }
  const sketch = tracker.sketch;
  if (sketch === null) {
    c.w.error(Err.hotkeysTrackingOff);
    return;
  }
  const top = sketch.top(count, db, c.srv.now);
  c.w.array(top.length);
  for (const k of top) {
    c.w.array(3);
    c.w.bulkLatin1(k.key);
    replyRate(c, k.rate);
    c.w.integer(Math.round(k.total));
  }
};

/** A rate with two decimals: a RESP3 double, a bulk string in RESP2. */
function replyRate(c: Client, rate: number): void {
  const s = rate.toFixed(2);
  if (c.w.resp === 3) c.w.raw(Buffer.from(`,${s}\r\n`, 'latin1'));
  else c.w.bulkLatin1(s);
}

export const hotkeysHandlers: Record<string, Handler> = {
  hotkeys: hotkeysCommand,
};
