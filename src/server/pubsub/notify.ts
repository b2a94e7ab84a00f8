// Keyspace notifications (notify-keyspace-events), as Redis 7.0's notify.c: an event of an
// enabled class on key k in database n is published as
//
//   __keyspace@<n>__:<k>      with the event name as the message   (class letter K)
//   __keyevent@<n>__:<event>  with the key as the message          (class letter E)
//
// through the ordinary Pub/Sub delivery (so patterns match them too). The handlers raise
// events through notifyKeyspaceEvent in src/server/signals.ts, which tests the class against
// `flags` first: with notifications off an event costs one integer test.

import { copyBytes } from '../../lib/bytes.js';
import { argView } from '../../protocol/request-parser.js';
import { parseKeyspaceEvents } from '../config/values.js';
import { NOTIFY } from '../signals.js';
import type { PubSub } from './registry.js';

const LETTER_BITS: Record<string, number> = {
  K: NOTIFY.keyspace,
  E: NOTIFY.keyevent,
  g: NOTIFY.generic,
  $: NOTIFY.string,
  l: NOTIFY.list,
  s: NOTIFY.set,
  h: NOTIFY.hash,
  z: NOTIFY.zset,
  x: NOTIFY.expired,
  e: NOTIFY.evicted,
  t: NOTIFY.stream,
  m: NOTIFY.keyMiss,
  d: NOTIFY.module,
  n: NOTIFY.newKey,
};

/** The NOTIFY bits of a notify-keyspace-events value (as CONFIG GET prints it). */
export function keyspaceEventFlags(value: string): number {
  let flags = 0;
  for (const letter of parseKeyspaceEvents(value)) flags |= LETTER_BITS[letter] ?? 0;
  return flags;
}

export class KeyspaceNotifier {
  /** Enabled classes (NOTIFY bits); 0 when notifications are off. */
  flags = 0;
  readonly #pubsub: PubSub;
  readonly #keyspacePrefix: Buffer[] = [];
  readonly #keyeventPrefix: Buffer[] = [];
  readonly #events = new Map<string, Buffer>();
  /** The last event's name and bytes (a write load raises one event over and over). */
  #lastEvent = '';
  #lastEventBytes: Buffer = Buffer.alloc(0);
  #scratch = Buffer.allocUnsafeSlow(256);
  /** The prefix the scratch buffer starts with now (null: none yet, or overwritten). */
  #scratchPrefix: Buffer | null = null;
  /** Views of the scratch buffer's first n bytes, by n (dropped with the buffer). */
  #views: Buffer[] = [];

  constructor(pubsub: PubSub) {
    this.#pubsub = pubsub;
  }

  /**
   * Publishes `event` on `key` of database dbid on the keyspace and/or keyevent channel, as
   * `flags` asks. The caller has checked that the event's class is enabled.
   */
  notify(event: string, key: Uint8Array, dbid: number): void {
    const pubsub = this.#pubsub;
    if (pubsub.idle) return; // nobody could receive it
    let ev = this.#lastEventBytes;
    if (event !== this.#lastEvent) {
      let found = this.#events.get(event);
      if (found === undefined) this.#events.set(event, (found = Buffer.from(event, 'latin1')));
      ev = found;
      this.#lastEvent = event;
      this.#lastEventBytes = ev;
    }
    if ((this.flags & NOTIFY.keyspace) !== 0) {
      const prefix = (this.#keyspacePrefix[dbid] ??= Buffer.from(`__keyspace@${dbid}__:`, 'latin1'));
      pubsub.publish(this.#channel(prefix, key), ev, false);
    }
    if ((this.flags & NOTIFY.keyevent) !== 0) {
      const prefix = (this.#keyeventPrefix[dbid] ??= Buffer.from(`__keyevent@${dbid}__:`, 'latin1'));
      const k = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
      pubsub.publish(this.#channel(prefix, ev), k, false);
    }
  }

  /**
   * prefix + name in a scratch buffer reused by every event: publish() copies what it sends
   * and keeps nothing, and with notifications on (a subscriber on a replica, say) every write
   * raises one, so a new buffer each time was garbage by the megabyte. The prefix stays in
   * place from one event to the next, and the view of the first n bytes is made once per n
   * (a view costs about 60 ns, a tenth of a replica's SET).
   */
  #channel(prefix: Buffer, name: Uint8Array): Buffer {
    const n = prefix.length + name.length;
    if (this.#scratch.length < n) {
      this.#scratch = Buffer.allocUnsafeSlow(Math.max(n, 2 * this.#scratch.length));
      this.#scratchPrefix = null;
      this.#views = [];
    }
    const out = this.#scratch;
    if (this.#scratchPrefix !== prefix) {
      copyBytes(out, 0, prefix);
      this.#scratchPrefix = prefix;
    }
    copyBytes(out, prefix.length, name);
    return (this.#views[n] ??= argView(out.buffer as ArrayBuffer, out.byteOffset, n));
  }
}
