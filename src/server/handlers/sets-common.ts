// Shared plumbing of the set handlers (sets*.ts): the encoding limit read from the
// configuration, and replying a set's members.

import type { Client } from '../network/client.js';
import type { SetValue } from '../keyspace/types/set.js';

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
