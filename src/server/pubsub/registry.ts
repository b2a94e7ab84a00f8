// The node's Pub/Sub registry: who listens to which channel, pattern and shard channel, and the
// delivery of published messages, as Redis 7.0's pubsub.c.
//
//   channels:       channel -> subscribers, in subscription order      (SUBSCRIBE / PUBLISH)
//   patterns:       pattern -> subscribers; PUBLISH matches every pattern with Redis's glob
//   shard channels: channel -> subscribers                              (SSUBSCRIBE / SPUBLISH)
//
// A client's own subscriptions live in its ClientSubscriptions (CLIENT LIST sub= psub= ssub=).
// Channel and pattern names are latin1 strings (one char per byte: binary-safe).
//
// Reply shapes (RESP2 array / RESP3 push, chosen per receiving client):
//   [subscribe|psubscribe|ssubscribe, name, count]
//   [unsubscribe|punsubscribe|sunsubscribe, name or null, count]
//   [message, channel, payload]   [pmessage, pattern, channel, payload]   [smessage, channel, payload]
// The count is the client's channels + patterns for the global kinds and its shard channels
// for the shard kind (Redis's clientSubscriptionsCount / clientShardSubscriptionsCount).
//
// A client is "in Pub/Sub mode" (flag P, TYPE pubsub, the RESP2 command restriction) while it
// holds any subscription of any kind: Client.pubsub mirrors that.

import { compileGlob } from '../../lib/glob.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import type { Client } from '../network/client.js';
import { pushWriter } from './output.js';

/** The three kinds of subscription. */
export const SubKind = { Channel: 0, Pattern: 1, Shard: 2 } as const;
export type SubKind = (typeof SubKind)[keyof typeof SubKind];

/** One client's subscriptions. */
export class ClientSubscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shard = new Set<string>();

  /** Channels and patterns (the count global (un)subscribe replies carry). */
  get globalCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Every subscription of every kind. */
  get total(): number {
    return this.channels.size + this.patterns.size + this.shard.size;
  }

  of(kind: SubKind): Set<string> {
    return kind === SubKind.Channel ? this.channels : kind === SubKind.Pattern ? this.patterns : this.shard;
  }

  countFor(kind: SubKind): number {
    return kind === SubKind.Shard ? this.shard.size : this.globalCount;
  }
}

interface PatternEntry {
  readonly bytes: Buffer;
  readonly match: (channel: Buffer) => boolean;
  readonly clients: Set<Client>;
}

// Static bulk strings of the message kinds.
const bulkOf = (s: string): Buffer => Buffer.from(`$${s.length}\r\n${s}\r\n`, 'latin1');
const SUBSCRIBE_BULK = [bulkOf('subscribe'), bulkOf('psubscribe'), bulkOf('ssubscribe')];
const UNSUBSCRIBE_BULK = [bulkOf('unsubscribe'), bulkOf('punsubscribe'), bulkOf('sunsubscribe')];
const MESSAGE_BULK = bulkOf('message');
const PMESSAGE_BULK = bulkOf('pmessage');
const SMESSAGE_BULK = bulkOf('smessage');

export class PubSub {
  readonly #channels = new Map<string, Set<Client>>();
  readonly #patterns = new Map<string, PatternEntry>();
  readonly #shard = new Map<string, Set<Client>>();
  /** Called after something was written to a client other than through its own replies. */
  readonly #wrote: (c: Client) => void;

  constructor(wrote: (c: Client) => void) {
    this.#wrote = wrote;
  }

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Distinct patterns subscribed (PUBSUB NUMPAT, INFO pubsub_patterns). */
  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Shard channels with at least one subscriber (INFO pubsubshard_channels). */
  get shardChannelCount(): number {
    return this.#shard.size;
  }

  /** True when nobody listens to anything (PUBLISH and notifications can stop early). */
  get idle(): boolean {
    return this.#channels.size === 0 && this.#patterns.size === 0;
  }

  // ---------------------------------------------------------------------------------------
  // Subscribing

  /**
   * Subscribes c to `name` (a channel, pattern or shard channel by kind) and replies the
   * confirmation. Subscribing twice to the same name confirms again without a second entry.
   */
  subscribe(c: Client, kind: SubKind, name: Buffer): void {
    const subs = (c.subs ??= new ClientSubscriptions());
    const key = name.toString('latin1');
    const mine = subs.of(kind);
    if (!mine.has(key)) {
      mine.add(key);
      if (kind === SubKind.Pattern) {
        let e = this.#patterns.get(key);
        if (e === undefined) {
          const bytes = Buffer.from(name);
          e = { bytes, match: compileGlob(bytes), clients: new Set() };
          this.#patterns.set(key, e);
        }
        e.clients.add(c);
      } else {
        const table = kind === SubKind.Channel ? this.#channels : this.#shard;
        let set = table.get(key);
        if (set === undefined) table.set(key, (set = new Set()));
        set.add(c);
      }
    }
    c.pubsub = true;
    const w = pushWriter(c);
    w.push(3);
    w.raw(SUBSCRIBE_BULK[kind]);
    w.bulk(name);
    w.integer(subs.countFor(kind));
  }

  /**
   * Unsubscribes c from `name`; with `notify` replies the confirmation (also when c was not
   * subscribed to it). Returns whether c was subscribed.
   */
  unsubscribe(c: Client, kind: SubKind, name: Buffer, notify: boolean): boolean {
    return this.#unsubscribeKey(c, kind, name.toString('latin1'), notify);
  }

  #unsubscribeKey(c: Client, kind: SubKind, key: string, notify: boolean): boolean {
    const subs = c.subs;
    let was = false;
    if (subs !== null && subs.of(kind).delete(key)) {
      was = true;
      if (kind === SubKind.Pattern) {
        const e = this.#patterns.get(key);
        if (e !== undefined) {
          e.clients.delete(c);
          if (e.clients.size === 0) this.#patterns.delete(key);
        }
      } else {
        const table = kind === SubKind.Channel ? this.#channels : this.#shard;
        const set = table.get(key);
        if (set !== undefined) {
          set.delete(c);
          if (set.size === 0) table.delete(key);
        }
      }
    }
    if (notify) this.#replyUnsubscribed(c, kind, Buffer.from(key, 'latin1'));
    return was;
  }

  /**
   * Unsubscribes c from every name of `kind`, replying one confirmation per name with
   * `notify` (or a single one with a null name when there was none). Returns how many.
   */
  unsubscribeAll(c: Client, kind: SubKind, notify: boolean): number {
    let n = 0;
    const subs = c.subs;
    if (subs !== null) {
      for (const key of [...subs.of(kind)]) if (this.#unsubscribeKey(c, kind, key, notify)) n++;
    }
    if (notify && n === 0) this.#replyUnsubscribed(c, kind, null);
    return n;
  }

  /** Leaves Pub/Sub mode when c has no subscription of any kind left (after UNSUBSCRIBE etc.). */
  updateMode(c: Client): void {
    if (c.subs === null || c.subs.total === 0) {
      c.pubsub = false;
      c.subs = null;
    }
  }

  /** Drops every subscription of c silently (RESET, disconnection). */
  forget(c: Client): void {
    if (c.subs === null) return;
    this.unsubscribeAll(c, SubKind.Channel, false);
    this.unsubscribeAll(c, SubKind.Pattern, false);
    this.unsubscribeAll(c, SubKind.Shard, false);
    c.subs = null;
    c.pubsub = false;
  }

  #replyUnsubscribed(c: Client, kind: SubKind, name: Buffer | null): void {
    const w = pushWriter(c);
    w.push(3);
    w.raw(UNSUBSCRIBE_BULK[kind]);
    if (name === null) w.nil();
    else w.bulk(name);
    w.integer(c.subs === null ? 0 : c.subs.countFor(kind));
  }

  // ---------------------------------------------------------------------------------------
  // Publishing

  /**
   * Delivers message on channel to its subscribers, then (global channels only) to every
   * client whose pattern matches, once per matching (client, pattern). Returns the number of
   * deliveries (PUBLISH's reply). A client already scheduled to be closed counts but gets
   * nothing.
   */
  publish(channel: Buffer, message: Buffer, shard: boolean): number {
    let receivers = 0;
    const byName = shard ? this.#shard : this.#channels;
    const subs = byName.size === 0 ? undefined : byName.get(channel.toString('latin1'));
    if (subs !== undefined) {
      const kind = shard ? SMESSAGE_BULK : MESSAGE_BULK;
      for (const c of subs) {
        receivers++;
        if (c.closeAsap) continue;
        const w = pushWriter(c);
        w.push(3);
        w.raw(kind);
        w.bulk(channel);
        w.bulk(message);
        this.#wrote(c);
      }
    }
    if (shard || this.#patterns.size === 0) return receivers;
    for (const e of this.#patterns.values()) {
      if (!e.match(channel)) continue;
      for (const c of e.clients) {
        receivers++;
        if (c.closeAsap) continue;
        const w = pushWriter(c);
        w.push(4);
        w.raw(PMESSAGE_BULK);
        w.bulk(e.bytes);
        w.bulk(channel);
        w.bulk(message);
        this.#wrote(c);
      }
    }
    return receivers;
  }

  /**
   * Writes a message on `channel` whose payload the caller writes next (client tracking's
   * invalidations to a RESP2 client in Pub/Sub mode: the payload is an array of keys).
   */
  messageHeader(w: ReplyWriter, channel: Buffer): void {
    w.push(3);
    w.raw(MESSAGE_BULK);
    w.bulk(channel);
  }

  // ---------------------------------------------------------------------------------------
  // Introspection (PUBSUB)

  /** Names of the channels (or shard channels) with subscribers, matching `pattern` if given. */
  channelNames(shard: boolean, pattern: Buffer | null): Buffer[] {
    const match = pattern === null ? null : compileGlob(pattern);
    const out: Buffer[] = [];
    for (const key of (shard ? this.#shard : this.#channels).keys()) {
      const b = Buffer.from(key, 'latin1');
      if (match === null || match(b)) out.push(b);
    }
    return out;
  }

  /** Subscribers of one channel (or shard channel), patterns excluded. */
  subscriberCount(shard: boolean, channel: Buffer): number {
    return (shard ? this.#shard : this.#channels).get(channel.toString('latin1'))?.size ?? 0;
  }
}
