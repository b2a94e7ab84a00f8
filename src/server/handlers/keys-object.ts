// OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP: introspection of a key's value object.
//
// Keys are looked up as reads that neither touch the access clock nor (unlike TYPE) notify,
// but they do count in keyspace_hits / keyspace_misses, as in Redis. A missing key is nil.

import { Err } from '../../lib/errors.js';
import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { NONE, type Database } from '../keyspace/database.js';
import { VType, stringEncoding } from '../keyspace/entry.js';
import { lruIdleSeconds, sharedIntIndex } from '../keyspace/keyspace.js';
import { lfuDecrAndReturn } from '../keyspace/lfu.js';
import { replyHelp } from './util.js';


const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** Redis's OBJ_SHARED_REFCOUNT (INT_MAX): the refcount reported for shared objects. */
const SHARED_REFCOUNT = 2147483647;

/** Default encodings per type, for values that do not report their own. */
const DEFAULT_ENCODING: Record<number, string> = {
  [VType.List]: 'quicklist',
  [VType.Set]: 'hashtable',
  [VType.ZSet]: 'skiplist',
  [VType.Hash]: 'hashtable',
  [VType.Stream]: 'stream',
};

/** OBJECT ENCODING's name for entry e: strings by Redis's rules, aggregates by `value.encoding`. */
export function objectEncoding(db: Database, e: number): string {
  const type = db.type(e);
  if (type === VType.String) return stringEncoding(db.enc(e), db.value(e));
  const v = db.store.object(e) as { encoding?: unknown } | null;
  if (typeof v === 'object' && v !== null && typeof v.encoding === 'string') return v.encoding;
  return DEFAULT_ENCODING[type] ?? 'unknown';
}

/**
 * OBJECT REFCOUNT: Redis stores the integers 0..9999 as shared objects (refcount INT_MAX)
 * unless maxmemory is set with an LRU/LFU policy, which needs a per-key access clock.
 * Everything else is referenced once (Shoal never shares values between keys).
 */
export function objectRefcount(c: Client, e: number): number {
  return sharedIntIndex(c.srv.keyspace.store, e) >= 0 && integersShared(c) ? SHARED_REFCOUNT : 1;
}

/** Whether Redis shares the integers 0..9999 under the current maxmemory settings. */
function integersShared(c: Client): boolean {
  const cfg = c.srv.config;
  const policy = cfg.getString('maxmemory-policy');
  return cfg.getNumber('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

/** The access clock OBJECT IDLETIME / FREQ (and DEBUG OBJECT) report: a shared integer's is global. */
export function objectAccessClock(c: Client, e: number): number {
  return c.srv.keyspace.accessClock(e, integersShared(c));
}

/** The live entry for argv[2], or NONE after replying nil. */
function lookupOrNil(c: Client, argv: Buffer[]): number {
  const e = c.srv.keyspace.lookupRead(c.db, argv[2], c.srv.now, true);
  if (e === NONE) c.w.nil();
  return e;
}

export const objectHandlers: Record<string, Handler> = {
  'object|help': (c) => replyHelp(c, HELP),
  'object|encoding': (c, argv) => {
    const e = lookupOrNil(c, argv);
    if (e !== NONE) c.w.bulkString(objectEncoding(c.db, e));
  },
  'object|refcount': (c, argv) => {
    const e = lookupOrNil(c, argv);
    if (e !== NONE) c.w.integer(objectRefcount(c, e));
  },
  'object|idletime': (c, argv) => {
    const e = lookupOrNil(c, argv);
    if (e === NONE) return;
    if (c.srv.keyspace.accessPolicy === 'lfu') return void c.w.error(Err.idleNotTracked);
    c.w.integer(lruIdleSeconds(objectAccessClock(c, e), c.srv.now));
  },
  'object|freq': (c, argv) => {
    const e = lookupOrNil(c, argv);
    if (e === NONE) return;
    const ks = c.srv.keyspace;
    if (ks.accessPolicy !== 'lfu') return void c.w.error(Err.freqNotTracked);
    c.w.integer(lfuDecrAndReturn(objectAccessClock(c, e), c.srv.now, ks.lfuDecayTime));
  },
};
