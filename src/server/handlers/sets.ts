// Set commands (Redis 7.0 t_set.c): membership and single-key writes here — SADD, SREM,
// SMOVE, SISMEMBER, SMISMEMBER, SCARD, SSCAN; random picks (SPOP, SRANDMEMBER) in
// sets-random.ts; the multi-key algebra (SMEMBERS, SINTER*, SUNION*, SDIFF*) in
// sets-algebra.ts. Values are SetValue objects (keyspace/types/set.ts).

import type { Handler } from '../command-table.js';
import type { Client } from '../network/client.js';
import { Err } from '../../lib/errors.js';
import { NONE } from '../keyspace/database.js';
import { VType } from '../keyspace/entry.js';
import { SetValue } from '../keyspace/types/set.js';
import { NOTIFY, notifyKeyspaceEvent, signalModifiedKey } from '../signals.js';
import { cursorPosition, parseElementScanOptions, parseScanCursor, replyScan } from './keys-iter.js';
import { algebraHandlers } from './sets-algebra.js';
import { maxIntsetEntries, member } from './sets-common.js';
import { randomHandlers } from './sets-random.js';
import { WRONG_TYPE, addAggregate, aggregateOf, lookupReadOfType, lookupWriteOfType } from './typed.js';

// ---------------------------------------------------------------------------------------
// Writes

/** SADD key member [member ...]: creates the key as setTypeCreate would for the first member. */
function saddCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.Set);
  if (e === WRONG_TYPE) return;
  let s: SetValue;
  if (e === NONE) {
    s = SetValue.forMember(member(argv[2]));
    addAggregate(c, key, VType.Set, s);
  } else {
    s = aggregateOf<SetValue>(c, e);
  }
  const max = s.isIntset ? maxIntsetEntries(c) : 0;
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (s.add(member(argv[j]), max)) added++;
  if (added > 0) {
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.set, 'sadd', key, c.db.id);
  }
  c.srv.dirty += added;
  c.w.integer(added);
}

/** SREM key member [member ...]: the key goes when its last member does (later ones are skipped). */
function sremCommand(c: Client, argv: Buffer[]): void {
  const key = argv[1];
  const e = lookupWriteOfType(c, key, VType.Set);
  if (e === WRONG_TYPE) return;
  if (e === NONE) return void c.w.integer(0);
  const s = aggregateOf<SetValue>(c, e);
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (!s.delete(member(argv[j]))) continue;
    deleted++;
    if (s.size === 0) {
      c.db.delete(e);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    signalModifiedKey(c, c.db, key);
    notifyKeyspaceEvent(c, NOTIFY.set, 'srem', key, c.db.id);
    if (keyRemoved) notifyKeyspaceEvent(c, NOTIFY.generic, 'del', key, c.db.id);
    c.srv.dirty += deleted;
  }
  c.w.integer(deleted);
}

/**
 * SMOVE source destination member. Checks in Redis's order: a missing source is 0 (whatever the
 * destination holds), then the types of both, then source == destination (a membership test).
 * The destination is created as setTypeCreate would; it is signalled only when the member was
 * not already there.
 */
function smoveCommand(c: Client, argv: Buffer[]): void {
  const srcKey = argv[1];
  const dstKey = argv[2];
  const ks = c.srv.keyspace;
  const now = c.srv.now;
  const src = ks.lookupWrite(c.db, srcKey, now, c.noTouch);
  const dst = ks.lookupWrite(c.db, dstKey, now, c.noTouch);
  if (src === NONE) return void c.w.integer(0);
  if (c.db.type(src) !== VType.Set || (dst !== NONE && c.db.type(dst) !== VType.Set)) {
    return void c.w.error(Err.wrongType);
  }
  const m = member(argv[3]);
  const srcSet = aggregateOf<SetValue>(c, src);
  if (src === dst) return void c.w.integer(srcSet.has(m) ? 1 : 0);
  if (!srcSet.delete(m)) return void c.w.integer(0);
  notifyKeyspaceEvent(c, NOTIFY.set, 'srem', srcKey, c.db.id);
  if (srcSet.size === 0) {
    c.db.delete(src);
    notifyKeyspaceEvent(c, NOTIFY.generic, 'del', srcKey, c.db.id);
  }
  let dstSet: SetValue;
  if (dst === NONE) {
    dstSet = SetValue.forMember(m);
    addAggregate(c, dstKey, VType.Set, dstSet);
  } else {
    dstSet = aggregateOf<SetValue>(c, dst);
  }
  signalModifiedKey(c, c.db, srcKey);
  c.srv.dirty++;
  if (dstSet.add(m, dstSet.isIntset ? maxIntsetEntries(c) : 0)) {
    c.srv.dirty++;
    signalModifiedKey(c, c.db, dstKey);
    notifyKeyspaceEvent(c, NOTIFY.set, 'sadd', dstKey, c.db.id);
  }
  c.w.integer(1);
}

// ---------------------------------------------------------------------------------------
// Reads

/** The set at key (read lookup): the object, null when missing, or undefined after WRONGTYPE. */
function readSet(c: Client, key: Buffer): SetValue | null | undefined {
  const e = lookupReadOfType(c, key, VType.Set);
  if (e === WRONG_TYPE) return undefined;
  return e === NONE ? null : aggregateOf<SetValue>(c, e);
}

function sismemberCommand(c: Client, argv: Buffer[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  c.w.integer(s !== null && s.has(member(argv[2])) ? 1 : 0);
}

/** SMISMEMBER key member [member ...]: a missing key is an empty set (all zeros). */
function smismemberCommand(c: Client, argv: Buffer[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.w.integer(s !== null && s.has(member(argv[j])) ? 1 : 0);
}

function scardCommand(c: Client, argv: Buffer[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  c.w.integer(s === null ? 0 : s.size);
}

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]. Redis's order: the cursor, then the key (a
 * missing key answers an empty scan before any option is looked at), then the options (TYPE is
 * a syntax error here). An intset comes back whole with cursor 0.
 */
function sscanCommand(c: Client, argv: Buffer[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return void c.w.error(Err.invalidCursor);
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  if (s === null) {
    replyScan(c, 0, []);
    return;
  }
  const opts = parseElementScanOptions(c, argv);
  if (opts === null) return;
  const { count, match } = opts;
  const out: string[] = [];
  const start = cursorPosition(cursor);
  const next = s.scan(start, count, (m) => {
    if (match === null || match(Buffer.from(m, 'latin1'))) out.push(m);
  });
  replyScan(c, next, out);
}

export const setsHandlers: Record<string, Handler> = {
  sadd: saddCommand,
  srem: sremCommand,
  smove: smoveCommand,
  sismember: sismemberCommand,
  smismember: smismemberCommand,
  scard: scardCommand,
  sscan: sscanCommand,
  ...randomHandlers,
  ...algebraHandlers,
};
