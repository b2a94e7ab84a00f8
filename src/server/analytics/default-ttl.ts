// Default TTL (Shoal extension, off by default): keys written without an expiry get one, so a
// cache whose clients forget to set TTLs does not grow without bound.
//
// Configuration: `default-ttl <seconds>` (0 = off) and `default-ttl-overrides "<prefix>
// <seconds> <prefix> <seconds> ..."`, where 0 or `none` means "no default TTL under this
// prefix"; the longest matching prefix wins over default-ttl. A CONFIG SET applies to keys
// written from then on; keys written before keep what they have.
//
// When it applies — a command leaves a key it wrote without an expiry because it created the
// key or replaced its value the way that clears a TTL:
//  - a key created by any command (Database.addSpace / addObject call the hook): SET, SETNX,
//    MSET, INCR, APPEND, SETRANGE, SETBIT, HSET, LPUSH, SADD, ZADD, ... on a missing key, the
//    *STORE destinations, COPY (a source with a TTL then passes its own TTL over the default),
//    and RESTORE without a TTL once it exists;
//  - a value replaced the way that clears the TTL: SET / GETSET / MSET / BITOP over an existing
//    string (strings-store.ts storeString), the *STORE commands over an existing key
//    (typed.ts setAggregate).
// When it does not:
//  - a key that already has a TTL and keeps it, and writes that keep the TTL of an existing key
//    (HSET, LPUSH, INCR, APPEND ... on an existing key: the key was created before, so it got
//    the default then if it was due; a key that has none now was made persistent on purpose
//    or was written before the default was configured, and a write that keeps the TTL in
//    Redis keeps "no TTL" too);
//  - SET ... KEEPTTL over an existing key (SET KEEPTTL that creates the key has no TTL to keep
//    and gets the default like any new key);
//  - PERSIST and GETEX PERSIST (the user asked for no TTL);
//  - RENAME and MOVE, which carry the key's state, and SWAPDB.
//
// No "expire" keyspace event is raised for a default TTL: events describe what the command
// asked for (SET raises "set", SET EX raises "set" and "expire"), and raising one from the
// creation hook would put it before the command's own event. A replica or the AOF must get
// the default TTL as an explicit PEXPIREAT after the write (it is server policy, not in the
// command): the hook reports each TTL it gives to the propagation stream (src/server/
// propagate.ts), which adds PEXPIREAT key <ms> after the command's record if the key still
// has that expiry when the command ends (COPY of a key with a TTL replaces it, for one).
//
// Cost when off (default-ttl 0 and no override that sets a TTL): the databases' hook is null,
// one test per key creation. INFO stats gains `default_ttl_applied` (keys given a default TTL
// since startup or CONFIG RESETSTAT) at its end only while the feature is
// on. COPY of a key that has a TTL counts too: the copy is added with the default, then gets
// the source's TTL.

import { NO_EXPIRY } from '../keyspace/entry.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Server } from '../server.js';

/** Largest TTL accepted, in seconds (2^31 - 1: the ms figure stays an exact double). */
export const MAX_TTL_SECONDS = 2147483647;

/** One entry of default-ttl-overrides: keys starting with `prefix` get `seconds` (0 = none). */
export interface TtlOverride {
  readonly prefix: Buffer;
  readonly seconds: number;
}

/** Parses a TTL in seconds: a plain decimal in [0, MAX_TTL_SECONDS], or `none` (0). */
export function parseTtlSeconds(tok: string): number | null {
  if (tok.toLowerCase() === 'none') return 0;
  if (!/^(0|[1-9][0-9]{0,9})$/.test(tok)) return null;
  const n = Number(tok);
  return n <= MAX_TTL_SECONDS ? n : null;
}

/**
 * Parses default-ttl-overrides: "<prefix> <seconds>" pairs separated by spaces. Returns them
 * longest prefix first (so the first match is the longest). Throws Error with the reason
 * CONFIG SET reports: an odd number of words, a bad TTL, or a prefix given twice.
 */
export function parseOverrides(text: string): TtlOverride[] {
  const words = text.split(/[ \t\r\n]+/).filter((t) => t !== '');
  if (words.length % 2 !== 0) throw new Error('expected <prefix> <seconds> pairs');
  const out: TtlOverride[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i += 2) {
    const prefix = words[i];
    const seconds = parseTtlSeconds(words[i + 1]);
    if (seconds === null) throw new Error(`invalid TTL '${words[i + 1]}' for prefix '${prefix}'`);
    if (seen.has(prefix)) throw new Error(`duplicate prefix '${prefix}'`);
    seen.add(prefix);
    out.push({ prefix: Buffer.from(prefix, 'utf8'), seconds });
  }
  // Stable: equal lengths cannot both match one key unless equal, and duplicates are refused.
  return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * The default-TTL policy of a node. configure() sets it; while it is on, every database's
 * `defaultExpiry` hook is `hook`, which the keyspace calls for a key written without a TTL.
 */
export class DefaultTtl {
  /** Keys given a default TTL (INFO stats default_ttl_applied). */
  applied = 0;
  /** Told of every TTL given (key, absolute ms): the propagation stream; null for none. */
  onApplied: ((key: Uint8Array, at: number) => void) | null = null;
  readonly #ks: Keyspace;
  readonly #now: () => number;
  #seconds = 0;
  #overrides: TtlOverride[] = [];

  /** `now` gives the time of the command being executed (Server.now), in ms. */
  constructor(ks: Keyspace, now: () => number) {
    this.#ks = ks;
    this.#now = now;
  }

  /**
   * The node's policy, configured from default-ttl and default-ttl-overrides now and on every
   * CONFIG SET of either (an invalid value fails the SET and keeps the current policy). Throws
   * at startup if the configured overrides are invalid. Keys get srv.now, the time of the
   * command that writes them, plus their TTL.
   */
  static attach(srv: Server): DefaultTtl {
    const ttl = new DefaultTtl(srv.keyspace, () => srv.now);
    ttl.onApplied = (key, at) => srv.propagation.defaultTtlApplied(key, at);
    const apply = (): void => ttl.configure(srv.config.getNumber('default-ttl'), srv.config.getString('default-ttl-overrides'));
    try {
      apply();
    } catch (e) {
      throw new Error(`Invalid default-ttl-overrides '${srv.config.getString('default-ttl-overrides')}': ${(e as Error).message}`);
    }
    srv.config.onChange('default-ttl', apply);
    srv.config.onChange('default-ttl-overrides', apply);
    return ttl;
  }

  /** On when default-ttl is set or an override gives some prefix a TTL. */
  get enabled(): boolean {
    return this.#seconds > 0 || this.#overrides.some((o) => o.seconds > 0);
  }

  /**
   * Applies default-ttl (seconds, 0 = off) and default-ttl-overrides (text; throws, changing
   * nothing, if it is invalid). Installs or removes the databases' hook.
   */
  configure(seconds: number, overrides: string): void {
    const parsed = parseOverrides(overrides);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_TTL_SECONDS) throw new Error('invalid default TTL');
    this.#seconds = seconds;
    this.#overrides = parsed;
    const hook = this.enabled ? this.hook : null;
    for (const db of this.#ks.dbs) db.defaultExpiry = hook;
  }

  /** The TTL in seconds a key written without one gets (0 = none): longest prefix, else default. */
  secondsFor(key: Uint8Array): number {
    const list = this.#overrides;
    for (let i = 0; i < list.length; i++) {
      const p = list[i].prefix;
      const n = p.length;
      if (n > key.length) continue;
      let j = 0;
      while (j < n && key[j] === p[j]) j++;
      if (j === n) return list[i].seconds;
    }
    return this.#seconds;
  }

  /**
   * The databases' defaultExpiry hook: the absolute expiry (ms) for key written now without
   * one, or NO_EXPIRY; counts the keys it gives a TTL.
   */
  readonly hook = (key: Uint8Array): number => {
    const s = this.secondsFor(key);
    if (s === 0) return NO_EXPIRY;
    this.applied++;
    const at = this.#now() + s * 1000;
    if (this.onApplied !== null) this.onApplied(key, at);
    return at;
  };
}
