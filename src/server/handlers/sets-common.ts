// Shared plumbing of the set handlers (sets*.ts): the error texts not yet in the shared
// catalog, the encoding limit read from the configuration, and replying a set's members.

import type { Client } from '../network/client.js';
import type { SetValue } from '../keyspace/types/set.js';

/** Error texts of the set commands (Redis 7.0 wording). */
export const E = {
  /** SPOP's count (getPositiveLongFromObjectOrReply's default text, for non-integers too). */
  mustBePositive: 'ERR value is out of range, must be positive',
  /** SRANDMEMBER's count of LONG_MIN (getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)). */
  countRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  /** A repeated-sample reply Shoal refuses to build (see MAX_REPEAT_REPLY in sets-random.ts). */
  outOfRange: 'ERR value is out of range',
  numkeys: 'ERR numkeys should be greater than 0',
  numkeysArgs: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
} as const;

/** set-max-intset-entries, read once per command that may add to an intset. */
export function maxIntsetEntries(c: Client): number {
  return c.srv.config.getNumber('set-max-intset-entries');
}

/** A member argument as the latin1 string sets hold (a copy of the argv bytes). */
export function member(arg: Buffer): string {
  return arg.toString('latin1');
}

/** Replies every member of s as a set (RESP3 `~`, RESP2 array), in s's iteration order. */
export function replyMembers(c: Client, s: SetValue): void {
  const n = s.size;
  c.w.set(n);
  for (let i = 0; i < n; i++) c.w.bulkLatin1(s.memberAt(i));
}
