// Client tracking for client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c.
//
// Default mode: when a tracking client runs a read-only command, the command's keys are
// remembered in the tracking table (key -> ids of the clients that may cache it; one table for
// all databases, as in Redis). When a remembered key is modified (signalModifiedKey), every
// client that read it gets one invalidation message and the key leaves the table; a client
// must read it again to be told again. OPTIN remembers only after CLIENT CACHING YES, OPTOUT
// skips after CLIENT CACHING NO (for the next command, or the next MULTI ... EXEC). NOLOOP:
// no invalidation for keys the client modified itself.
//
// BCAST mode: nothing is remembered per client; every modified key starting with one of the
// registered prefixes is collected, and once per event-loop turn (Redis's beforeSleep) each
// prefix sends the sorted list of its keys to its clients (minus, for NOLOOP clients, the keys
// they modified themselves).
//
// Messages: a RESP3 client gets a push [invalidate, [key ...]]; with REDIRECT id the message
// goes to that client instead — as a push if it speaks RESP3, or as a Pub/Sub message on
// __redis__:invalidate if it is a RESP2 client in Pub/Sub mode; otherwise it is dropped. A
// flush (FLUSHDB / FLUSHALL) sends a null key list ("invalidate everything") to every
// tracking client, encoded with the tracking client's own protocol as Redis does. A redirect
// to a client that has gone sets broken_redirect and tells a RESP3 client with a
// [tracking-redir-broken, id] push. Invalidations for the client whose command caused them
// are sent after that command's reply (after EXEC for a transaction).
//
// The table is bounded by tracking-table-max-keys: before each command, while it holds more
// keys, random keys are invalidated (with growing effort on repeated overflow).

import { Err } from '../../lib/errors.js';
import { F, type Command } from '../command-table.js';
import { getKeysFromCommand } from '../handlers/command.js';
import { DenseDict } from '../keyspace/types/dict.js';
import type { Client } from '../network/client.js';
import type { Server } from '../server.js';
import { pushWriter } from './output.js';
import type { PubSub } from './registry.js';

/** A client's tracking state (Client.tracking; null while tracking is off). */
export class ClientTracking {
  /** Client id invalidations go to; 0 = this client. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) was given for the next command. */
  caching = false;
  /** The redirect target disconnected. */
  brokenRedirect = false;
  /** BCAST prefixes (latin1). */
  readonly prefixes = new Set<string>();
}

/** Options of CLIENT TRACKING ON. */
export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly Buffer[];
}

interface PrefixState {
  readonly clients: Set<Client>;
  /** Keys modified since the last broadcast -> the client that modified each last (null: none). */
  keys: Map<string, Client | null>;
}

const INVALIDATE_BULK = Buffer.from('$10\r\ninvalidate\r\n');
const INVALIDATE_CHANNEL = Buffer.from('__redis__:invalidate');
const NULL_BY_RESP = [Buffer.from('$-1\r\n'), Buffer.from('$-1\r\n'), Buffer.from('$-1\r\n'), Buffer.from('_\r\n')];

/** `*n` followed by each key as a bulk string: the key list of an invalidation. */
function encodeKeys(keys: readonly string[]): Buffer {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += `$${k.length}\r\n${k}\r\n`;
  return Buffer.from(s, 'latin1');
}

export class Tracking {
  readonly #srv: Server;
  readonly #pubsub: PubSub;
  readonly #wrote: (c: Client) => void;
  /** key -> ids of the clients that may cache it; null until a client first enables tracking. */
  #table: DenseDict<Set<number>> | null = null;
  /** Sum of the id sets' sizes (INFO tracking_total_items). */
  #items = 0;
  readonly #prefixes = new Map<string, PrefixState>();
  /** Invalidations owed to the executing client, sent after its reply; null = everything. */
  #pending: (string | null)[] = [];
  /** While blocked clients are served: invalidations owed to blocked clients, sent after. */
  #deferred: Map<Client, string[]> | null = null;
  /** Consecutive commands that found the table over its limit (eviction effort grows). */
  #overLimitRuns = 0;
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** tracking-table-max-keys (0 = unbounded). */
  maxKeys = 1_000_000;

  constructor(srv: Server, pubsub: PubSub, wrote: (c: Client) => void) {
    this.#srv = srv;
    this.#pubsub = pubsub;
    this.#wrote = wrote;
  }

  /** True once any client has enabled tracking (modified keys must then be looked up). */
  get active(): boolean {
    return this.#table !== null;
  }

  get totalKeys(): number {
    return this.#table?.size ?? 0;
  }

  get totalItems(): number {
    return this.#items;
  }

  get totalPrefixes(): number {
    return this.#prefixes.size;
  }

  // ---------------------------------------------------------------------------------------
  // Enabling and disabling

  /**
   * CLIENT TRACKING ON with validated options: (re)sets c's mode and redirect, registers its
   * BCAST prefixes (the empty prefix when none is given). Prefixes registered before stay, and
   * so does a CLIENT CACHING given earlier, as in Redis.
   */
  enable(c: Client, o: TrackingOptions): void {
    let t = c.tracking;
    if (t === null) {
      c.tracking = t = new ClientTracking();
      this.clients++;
    }
    t.brokenRedirect = false;
    t.redirect = o.redirect;
    t.bcast = o.bcast;
    t.optin = o.optin;
    t.optout = o.optout;
    t.noloop = o.noloop;
    this.#table ??= new DenseDict();
    if (o.bcast) {
      if (o.prefixes.length === 0) this.#addPrefix(c, t, '');
      for (const p of o.prefixes) this.#addPrefix(c, t, p.toString('latin1'));
    }
  }

  #addPrefix(c: Client, t: ClientTracking, prefix: string): void {
    let bs = this.#prefixes.get(prefix);
    if (bs === undefined) this.#prefixes.set(prefix, (bs = { clients: new Set(), keys: new Map() }));
    if (!bs.clients.has(c)) {
      bs.clients.add(c);
      t.prefixes.add(prefix);
    }
  }

  /** CLIENT TRACKING OFF, RESET, disconnection: leaves tracking mode and its prefixes. */
  disable(c: Client): void {
    const t = c.tracking;
    if (t === null) return;
    if (t.bcast) {
      for (const p of t.prefixes) {
        const bs = this.#prefixes.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.#prefixes.delete(p);
      }
    }
    c.tracking = null;
    this.clients--;
  }

  /**
   * Redis's prefix overlap check for CLIENT TRACKING ON BCAST: a new prefix must not be a
   * prefix of (or start with) one the client has, nor of another new one. Returns null when
   * they are fine, else the error text and whether the command still goes on: Redis 7.0 reports
   * an overlap between two new prefixes other than the first and then enables tracking anyway
   * (the client gets the error and then +OK), and that is reproduced.
   */
  prefixCollision(c: Client, prefixes: readonly Buffer[]): { error: string; proceed: boolean } | null {
    const existing = c.tracking === null ? [] : [...c.tracking.prefixes].sort();
    const overlaps = (a: Buffer, b: Buffer): boolean => a.compare(b, 0, Math.min(a.length, b.length), 0, Math.min(a.length, b.length)) === 0;
    const show = (b: Buffer): string => {
      const nul = b.indexOf(0); // printed as a C string
      return b.toString('latin1', 0, nul < 0 ? b.length : nul);
    };
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      for (const e of existing) {
        const eb = Buffer.from(e, 'latin1');
        if (overlaps(eb, p)) {
          return {
            error: Err.trackingPrefixOverlapsExisting(show(p), show(eb)),
            proceed: false,
          };
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(p, prefixes[j])) {
          return {
            error: Err.trackingPrefixOverlapsNew(show(p), show(prefixes[j])),
            proceed: i !== 0,
          };
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------
  // Remembering keys read

  /**
   * After c (tracking, not BCAST) ran the read-only command cmd: remembers its keys, unless
   * OPTIN without CACHING YES or OPTOUT with CACHING NO. Pub/Sub commands (whose shard
   * channels are declared as keys) are not tracked.
   */
  remember(c: Client, cmd: Command, argv: Buffer[]): void {
    const t = c.tracking;
    if (t === null || t.bcast) return;
    if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
    if ((cmd.flags & F.pubsub) !== 0) return;
    const pos = getKeysFromCommand(cmd, argv);
    if (pos === null || pos.length === 0) return;
    const table = (this.#table ??= new DenseDict());
    for (const p of pos) {
      const key = argv[p].toString('latin1');
      let ids = table.get(key);
      if (ids === undefined) table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.#items++;
      }
    }
  }

  /**
   * After each command (Redis's resetClient): CLIENT CACHING applies to one command, or to one
   * transaction; any CLIENT subcommand keeps it.
   */
  afterCommand(c: Client, cmd: Command | undefined): void {
    const t = c.tracking;
    if (t === null || !t.caching || c.multi !== null) return;
    const name = cmd === undefined ? '' : cmd.parent !== null ? cmd.parent.name : cmd.name;
    if (name !== 'client') t.caching = false;
  }

  // ---------------------------------------------------------------------------------------
  // Invalidation

  /**
   * key was modified (by `by`, or by the node itself when null): invalidates it for every client
   * that read it and, with `bcast`, collects it for the BCAST prefixes it starts with.
   */
  invalidateKey(key: Uint8Array, by: Client | null, bcast: boolean): void {
    if (this.#table === null) return;
    const k = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
    this.#invalidate(k, by, bcast);
  }

  #invalidate(k: string, by: Client | null, bcast: boolean): void {
    const table = this.#table as DenseDict<Set<number>>;
    if (bcast && this.#prefixes.size > 0) this.#collectForBroadcast(k, by);
    const ids = table.get(k);
    if (ids === undefined) return;
    const srv = this.#srv;
    for (const id of ids) {
      const target = srv.clients.get(id);
      const t = target?.tracking;
      if (target === undefined || t === null || t === undefined || t.bcast) continue;
      if (t.noloop && target === srv.currentClient) continue;
      // The executing client hears about its own changes after its reply.
      if (target === srv.executingClient) this.#pending.push(k);
      else if (this.#deferred !== null && target.blocked !== null) this.#defer(target, k);
      else this.#send(target, encodeKeys([k]));
    }
    this.#items -= ids.size;
    table.delete(k);
  }

  #collectForBroadcast(k: string, by: Client | null): void {
    let any = false;
    for (const [p, bs] of this.#prefixes) {
      if (k.startsWith(p)) {
        bs.keys.set(k, by);
        any = true;
      }
    }
    if (any) this.#srv.output.schedule();
  }

  /**
   * Databases were flushed (once per FLUSHDB / FLUSHALL): every tracking client is told to drop
   * everything, and the table is emptied.
   */
  invalidateAll(): void {
    const srv = this.#srv;
    if (this.clients > 0) {
      for (const c of srv.clients.values()) {
        if (c.tracking === null) continue;
        if (c === srv.currentClient) this.#pending.push(null);
        else this.#send(c, NULL_BY_RESP[c.w.resp]);
      }
    }
    if (this.#table !== null && this.#table.size > 0) {
      this.#table = new DenseDict();
      this.#items = 0;
    }
  }

  #defer(c: Client, k: string): void {
    const d = this.#deferred as Map<Client, string[]>;
    const list = d.get(c);
    if (list === undefined) d.set(c, [k]);
    else list.push(k);
  }

  /**
   * Runs `serve`, which re-runs commands of blocked clients (BLMOVE and friends): what those
   * commands make a served client hear about its own keys follows its reply, as for any
   * command, so invalidations for blocked clients are held until `serve` returns.
   */
  serveBlocked(serve: () => void): void {
    if (this.#table === null) return serve();
    this.#deferred = new Map();
    try {
      serve();
    } finally {
      const owed = this.#deferred;
      this.#deferred = null;
      for (const [c, keys] of owed) if (!c.closed) for (const k of keys) this.#send(c, encodeKeys([k]));
    }
  }

  /** Sends the invalidations owed to c (after its command, or its EXEC, replied). */
  flushPending(c: Client): void {
    if (this.#pending.length === 0) return;
    const owed = this.#pending;
    this.#pending = [];
    if (c.closed) return;
    for (const k of owed) this.#send(c, k === null ? NULL_BY_RESP[c.w.resp] : encodeKeys([k]));
  }

  /**
   * Once per event-loop turn: sends each BCAST prefix's collected keys (sorted, as Redis's radix
   * tree yields them) to the prefix's clients, then starts collecting afresh.
   */
  broadcast(): void {
    if (this.#table === null || this.clients === 0) return;
    const due = [...this.#prefixes].filter(([, bs]) => bs.keys.size > 0).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, bs] of due) {
      const keys = [...bs.keys.keys()].sort();
      const proto = encodeKeys(keys);
      const by = bs.keys;
      bs.keys = new Map();
      for (const c of bs.clients) {
        if (c.tracking?.noloop === true) {
          const own = keys.filter((k) => by.get(k) !== c);
          if (own.length > 0) this.#send(c, encodeKeys(own));
        } else {
          this.#send(c, proto);
        }
      }
    }
  }

  /**
   * Sends one invalidation (payload: the RESP key list or a null) for tracking client c, to c
   * or to its redirect target, in the form the receiver can take (see the file header).
   */
  #send(c: Client, payload: Buffer): void {
    const t = c.tracking;
    if (t === null) return;
    let target = c;
    let redirected = false;
    if (t.redirect !== 0) {
      const r = this.#srv.clients.get(t.redirect);
      if (r === undefined) {
        t.brokenRedirect = true;
        if (c.w.resp === 3 && !c.closeAsap) {
          const w = pushWriter(c);
          w.push(2);
          w.bulkLatin1('tracking-redir-broken');
          w.integer(t.redirect);
          this.#wrote(c);
        }
        return;
      }
      target = r;
      redirected = true;
    }
    if (target.closeAsap) return;
    const w = pushWriter(target);
    if (target.w.resp === 3) {
      w.push(2);
      w.raw(INVALIDATE_BULK);
    } else if (redirected && target.pubsub) {
      this.#pubsub.messageHeader(w, INVALIDATE_CHANNEL);
    } else {
      return; // RESP2 without a redirect has no way to receive it
    }
    w.raw(payload);
    this.#wrote(target);
  }

  // ---------------------------------------------------------------------------------------
  // Table size limit

  /**
   * Before a command (Redis's trackingLimitUsedSlots): while the table holds more than
   * maxKeys keys, invalidates random keys — up to 100 per consecutive overflowing command
   * (100, 200, ...) until it fits again.
   */
  limitUsedSlots(): void {
    const table = this.#table;
    if (table === null || this.maxKeys === 0) return;
    if (table.size <= this.maxKeys) {
      this.#overLimitRuns = 0;
      return;
    }
    const rng = this.#srv.rng;
    for (let effort = 100 * (this.#overLimitRuns + 1); effort > 0 && table.size > 0; effort--) {
      this.#invalidate(table.keyAt(table.randomPos(rng.next())), null, false);
      if (table.size <= this.maxKeys) {
        this.#overLimitRuns = 0;
        return;
      }
    }
    this.#overLimitRuns++;
  }
}
