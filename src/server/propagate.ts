// The effect-propagation stream: every executed write becomes a deterministic record, and the
// records of one execution unit reach the stream's consumers (the AOF, replicas) together, as
// Redis 7.0 does (server.c call / alsoPropagate / propagatePendingCommands).
//
// Execution units and frames
//   A command run by dispatch.call() (or a blocked client re-run by blocking.serveReady) is a
//   frame: enter() before its handler, leave() after. Frames nest (EXEC runs its queued
//   commands through call()); the outermost frame is the execution unit. While a frame runs,
//   records gather in a pending list, in this order per command:
//     1. records its handler added with also() (a key lazily expired by a lookup: DEL/UNLINK;
//        the SREMs of SPOP key count, ...),
//     2. the command itself — if it changed the dataset (srv.dirty moved) and its handler did
//        not prevent it — or the argument vector its handler put in its place with rewrite()
//        (EXPIRE -> PEXPIREAT, SET EX -> SET PXAT, BLPOP -> LPOP, ...); EXEC itself never,
//     3. a PEXPIREAT for each key the default-TTL feature gave a TTL (Shoal's extension: the
//        TTL is server policy, not part of the command, so the record must carry it).
//   When the execution unit ends, the pending records go to every consumer as one batch —
//   wrapped in MULTI ... EXEC when there is more than one, so a replica or an AOF replay
//   applies them atomically. MULTI carries the first record's database, EXEC the last one's
//   (so no SELECT separates EXEC from the transaction), as propagatePendingCommands.
//   A record added outside any frame (active expiry in the cron, eviction before a command
//   runs or from the eviction timer) is its own unit and goes out at once: Redis 7.0 writes
//   those DELs one by one, never wrapped.
//
// Records
//   { db, argv }: the database the record applies to and its arguments. The arguments may be
//   views of the request (a read buffer the next read reuses), and a unit of one record is
//   sent in an array and a record object kept for the next one: they are valid during the
//   consumer's call only — it encodes or copies what it keeps. A record of the request itself,
//   received whole in one read, carries those bytes too (raw), copied instead of encoded.
//   (Every unit is sent before the next request is read: at the end of its outermost frame, or
//   at once outside one; the queued commands of an EXEC and a blocked client's arguments are
//   copies already.)
//   encodeOps() turns records into RESP multibulk commands with a SELECT wherever the database
//   changes; each consumer keeps its own selected database, as feedAppendOnlyFile and
//   replicationFeedSlaves each keep theirs.
//
// Cost with no consumer: `active` is false, call() tests it once and skips enter/leave, and
// handlers test it before building a rewrite; no record is ever built or copied.

import { copyBytes } from '../lib/bytes.js';
import type { Command } from './command-table.js';
import { NONE } from './keyspace/database.js';
import type { Server } from './server.js';

/** One propagated command: the database it applies to and its arguments (see Records above). */
export interface PropagatedOp {
  readonly db: number;
  readonly argv: readonly Buffer[];
  /** For replicas only, not the AOF (PUBLISH: PROPAGATE_REPL). */
  readonly replicasOnly?: boolean;
  /**
   * argv as the client sent it, when the record is the request itself and its bytes lie whole
   * in one read: raw[rawStart, rawEnd) is then argv's RESP encoding (RequestParser.hasRaw),
   * copied instead of encoded. Valid as long as argv is.
   */
  readonly raw?: Buffer | null;
  readonly rawStart?: number;
  readonly rawEnd?: number;
}

type MutableOp = { -readonly [K in keyof PropagatedOp]-?: PropagatedOp[K] };
const NO_ARGS: readonly Buffer[] = [];
/** A record of leave()'s, every field present (one object shape for the encoders). */
const newOp = (): MutableOp => ({ db: 0, argv: NO_ARGS, replicasOnly: false, raw: null, rawStart: 0, rawEnd: 0 });

/** Where a command's arguments came from, if it was read off a connection (Client.parser). */
export interface RawSource {
  hasRaw(argv: readonly Buffer[]): boolean;
  readonly rawInput: Buffer;
  readonly rawStart: number;
  readonly rawEnd: number;
}

/** Receives each execution unit's records, already wrapped in MULTI/EXEC when needed. */
export type PropagationConsumer = (ops: readonly PropagatedOp[]) => void;

/** Command names and keywords used in rewritten records (Redis's shared objects). */
export const PropName = {
  set: Buffer.from('SET'),
  pxat: Buffer.from('PXAT'),
  keepttl: Buffer.from('KEEPTTL'),
  pexpireat: Buffer.from('PEXPIREAT'),
  persist: Buffer.from('PERSIST'),
  del: Buffer.from('DEL'),
  unlink: Buffer.from('UNLINK'),
  absttl: Buffer.from('ABSTTL'),
  hset: Buffer.from('HSET'),
  srem: Buffer.from('SREM'),
  lpop: Buffer.from('LPOP'),
  rpop: Buffer.from('RPOP'),
  lmove: Buffer.from('LMOVE'),
  rpoplpush: Buffer.from('RPOPLPUSH'),
  left: Buffer.from('left'),
  right: Buffer.from('right'),
  zpopmin: Buffer.from('ZPOPMIN'),
  zpopmax: Buffer.from('ZPOPMAX'),
  multi: Buffer.from('MULTI'),
  exec: Buffer.from('EXEC'),
} as const;

/** A key given a TTL by the default-TTL feature during the running frame. */
interface DefaultTtlMark {
  readonly key: Buffer;
  readonly at: number;
}

/** The node's propagation stream (one per Server). */
export class Propagation {
  /** True while at least one consumer listens. Test it before building a rewrite. */
  active = false;
  readonly #srv: Server;
  #consumers: PropagationConsumer[] = [];
  /** Records of the execution unit in progress. */
  #pending: PropagatedOp[] = [];
  /** Frames open (0: no command is running). */
  #depth = 0;
  /** The running command's replacement record (rewriteClientCommandVector), or null. */
  #rewrite: Buffer[] | null = null;
  /** The running command must not be propagated itself (preventCommandPropagation). */
  #prevented = false;
  /** The running command must be propagated even if it changed nothing (forceCommandPropagation). */
  #forced = false;
  /** The running command's record goes to replicas only (forceReplicasOnly). */
  #replicasOnly = false;
  #defaultTtls: DefaultTtlMark[] = [];
  /** The record of a unit of one (leave()'s common case), reused: see Records in the header. */
  readonly #single: MutableOp = newOp();
  readonly #singleBatch: readonly PropagatedOp[] = [this.#single];

  /** `srv` is only stored here: the Server is still being built when this is created. */
  constructor(srv: Server) {
    this.#srv = srv;
  }

  /** Number of consumers listening. */
  get consumers(): number {
    return this.#consumers.length;
  }

  /**
   * Adds a consumer; it receives every execution unit completed from now on. Returns the
   * function that removes it. A consumer that throws is logged and kept; the others still
   * receive the batch.
   */
  addConsumer(fn: PropagationConsumer): () => void {
    this.#consumers = [...this.#consumers, fn];
    this.active = true;
    return () => {
      this.#consumers = this.#consumers.filter((f) => f !== fn);
      this.active = this.#consumers.length > 0;
      if (!this.active) this.#pending = [];
    };
  }

  // ---------------------------------------------------------------------------------------
  // What handlers call

  /**
   * alsoPropagate: adds a record (arguments copied) to the running execution unit, or sends
   * it at once as its own unit when no command is running.
   */
  also(db: number, argv: readonly Uint8Array[]): void {
    if (!this.active) return;
    this.#pending.push({ db, argv: copyArgv(argv) });
    if (this.#depth === 0) this.#flush();
  }

  /**
   * The deletion of a key the server decided (expiry, eviction): DEL, or UNLINK when the
   * matching lazyfree option is on (propagateDeletion).
   */
  deletion(db: number, key: Uint8Array, lazy: boolean): void {
    if (!this.active) return;
    this.also(db, [lazy ? PropName.unlink : PropName.del, key]);
  }

  /**
   * rewriteClientCommandVector: the running command, if it changed the dataset, is propagated
   * as `argv` (views of the request are fine: see Records in the file header) instead of
   * its own arguments. The last call wins.
   */
  rewrite(argv: Buffer[]): void {
    if (this.#depth > 0) this.#rewrite = argv;
  }

  /** preventCommandPropagation: the running command is not propagated itself (its also() records are). */
  prevent(): void {
    if (this.#depth > 0) this.#prevented = true;
  }

  /** forceCommandPropagation: the running command is propagated even if srv.dirty did not move. */
  force(): void {
    if (this.#depth > 0) this.#forced = true;
  }

  /**
   * forceCommandPropagation(c, PROPAGATE_REPL): the running command goes to replicas only
   * (PUBLISH, so that subscribers of replicas receive it), not to the AOF.
   */
  forceReplicasOnly(): void {
    if (this.#depth > 0) {
      this.#forced = true;
      this.#replicasOnly = true;
    }
  }

  /**
   * The default-TTL feature gave `key` (a key the running command writes) the absolute expiry
   * `at`. If the key still has exactly that expiry when the command ends, a PEXPIREAT follows
   * the command's record. Outside a command nothing is recorded (such a write is not
   * propagated either).
   */
  defaultTtlApplied(key: Uint8Array, at: number): void {
    if (!this.active || this.#depth === 0) return;
    this.#defaultTtls.push({ key: Buffer.from(key), at });
  }

  // ---------------------------------------------------------------------------------------
  // What the command path calls (dispatch.call, blocking.serveReady)

  /** Opens a frame for a command about to run; returns srv.dirty, to pass to leave(). */
  enter(): number {
    this.#depth++;
    this.#rewrite = null;
    this.#prevented = false;
    this.#forced = false;
    this.#replicasOnly = false;
    return this.#srv.dirty;
  }

  /**
   * Closes the frame opened by enter() for `cmd`, run with `argv` and leaving database `db`
   * selected. Records the command (or its rewrite) when srv.dirty grew past `dirtyBefore`
   * (a SAVE resets it: a drop is no change, as Redis clamps it to 0) or the command is one
   * Redis always propagates and it did not fail; never EXEC itself, nor a prevented command.
   * Then the default-TTL PEXPIREATs; then, at the outermost frame, sends the unit. `source`:
   * the parser argv came from, if any (a record of the request itself then carries its bytes).
   */
  leave(db: number, cmd: Command, argv: readonly Buffer[], dirtyBefore: number, failed: boolean, source: RawSource | null = null): void {
    this.#depth--;
    const self =
      !this.#prevented &&
      cmd.name !== 'exec' &&
      (this.#srv.dirty > dirtyBefore || this.#forced || (ALWAYS_PROPAGATED.has(cmd.name) && !failed));
    // The common case, a unit of one record, is sent from a record object kept for it.
    let single: MutableOp | null = null;
    if (self && this.active) {
      const alone = this.#depth === 0 && this.#pending.length === 0 && this.#defaultTtls.length === 0;
      const op = alone ? this.#single : newOp();
      const rewrite = this.#rewrite;
      const raw = rewrite === null && source !== null && source.hasRaw(argv);
      op.db = db;
      op.argv = rewrite ?? argv;
      op.replicasOnly = this.#replicasOnly;
      op.raw = raw ? source.rawInput : null;
      op.rawStart = raw ? source.rawStart : 0;
      op.rawEnd = raw ? source.rawEnd : 0;
      if (alone) single = op;
      else this.#pending.push(op);
    }
    this.#rewrite = null;
    this.#prevented = false;
    this.#forced = false;
    this.#replicasOnly = false;
    if (single !== null) {
      this.#send(this.#singleBatch);
      single.argv = NO_ARGS;
      single.raw = null;
      return;
    }
    if (this.#defaultTtls.length > 0) this.#defaultTtlRecords(db);
    if (this.#depth === 0 && this.#pending.length > 0) this.#flush();
  }

  /**
   * One PEXPIREAT per key given a default TTL that still carries it: looked up first in the
   * command's database, then in the others (COPY ... DB n writes elsewhere).
   */
  #defaultTtlRecords(db: number): void {
    const marks = this.#defaultTtls;
    this.#defaultTtls = [];
    if (!this.active) return;
    const dbs = this.#srv.keyspace.dbs;
    const holds = (i: number, m: DefaultTtlMark): boolean => {
      const d = dbs[i];
      if (d === undefined) return false;
      const e = d.find(m.key);
      return e !== NONE && d.expireAt(e) === m.at;
    };
    for (const m of marks) {
      let holder = holds(db, m) ? db : -1;
      for (let i = 0; holder < 0 && i < dbs.length; i++) if (holds(i, m)) holder = i;
      if (holder < 0) continue;
      this.#pending.push({ db: holder, argv: [PropName.pexpireat, m.key, Buffer.from(String(m.at), 'latin1')] });
    }
  }

  /** propagatePendingCommands: sends the unit (MULTI/EXEC around more than one record). */
  #flush(): void {
    const ops = this.#pending;
    this.#pending = [];
    if (ops.length === 0) return;
    this.#send(
      ops.length === 1
        ? ops
        : [{ db: ops[0].db, argv: [PropName.multi] }, ...ops, { db: ops[ops.length - 1].db, argv: [PropName.exec] }],
    );
  }

  /** Hands a unit to every consumer. */
  #send(batch: readonly PropagatedOp[]): void {
    for (const fn of this.#consumers) {
      try {
        fn(batch);
      } catch (err) {
        this.#srv.log.warning(`Propagation consumer failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }
}

/**
 * Commands Redis 7.0 propagates even when they changed nothing (forceCommandPropagation):
 * FLUSHALL and FLUSHDB of empty databases still reach the AOF and replicas. (FLUSHALL also
 * saves with save points configured, which resets srv.dirty under it.)
 */
const ALWAYS_PROPAGATED = new Set(['flushall', 'flushdb']);

function copyArgv(argv: readonly Uint8Array[]): Buffer[] {
  const out = new Array<Buffer>(argv.length);
  for (let i = 0; i < argv.length; i++) out[i] = Buffer.from(argv[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** A consumer's encoding state: the database its output last selected (-1: none yet). */
export interface EncodeState {
  selectedDb: number;
}

/**
 * Encodes records as RESP multibulk commands, preceded by `SELECT n` whenever a record's
 * database differs from state.selectedDb (which it updates). Redis's AOF and replication
 * stream format: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument. One buffer,
 * sized first, written once: this runs for every write while the AOF is on.
 */
export function encodeOps(ops: readonly PropagatedOp[], state: EncodeState): Buffer {
  const out = Buffer.allocUnsafe(encodedSize(ops, state));
  encodeOpsAt(ops, state, out, 0);
  return out;
}

/** Bytes encodeOps(ops, state) produces (state is not changed). */
export function encodedSize(ops: readonly PropagatedOp[], state: EncodeState): number {
  let size = 0;
  let db = state.selectedDb;
  for (const op of ops) {
    if (op.db !== db) {
      const d = decimalLength(op.db);
      size += 21 + decimalLength(d) + d; // *2 $6 SELECT $<d> <db>, with their CRLFs
      db = op.db;
    }
    const raw = op.raw;
    if (raw !== undefined && raw !== null) {
      size += (op.rawEnd as number) - (op.rawStart as number);
      continue;
    }
    const argv = op.argv;
    size += 3 + decimalLength(argv.length);
    for (let i = 0; i < argv.length; i++) size += 5 + decimalLength(argv[i].length) + argv[i].length;
  }
  return size;
}

/** encodeOps into `out` at `o` (room for encodedSize bytes); returns the offset after them. */
export function encodeOpsAt(ops: readonly PropagatedOp[], state: EncodeState, out: Buffer, o: number): number {
  for (const op of ops) {
    if (op.db !== state.selectedDb) {
      o += out.write('*2\r\n$6\r\nSELECT\r\n$', o, 'latin1');
      o = writeDecimal(out, o, decimalLength(op.db));
      out[o++] = 13;
      out[o++] = 10;
      o = writeDecimal(out, o, op.db);
      out[o++] = 13;
      out[o++] = 10;
      state.selectedDb = op.db;
    }
    const raw = op.raw;
    if (raw !== undefined && raw !== null) {
      const start = op.rawStart as number;
      const end = op.rawEnd as number;
      copyBytes(out, o, raw, start, end);
      o += end - start;
      continue;
    }
    const argv = op.argv;
    out[o++] = 42; // *
    o = writeDecimal(out, o, argv.length);
    out[o++] = 13;
    out[o++] = 10;
    for (let j = 0; j < argv.length; j++) {
      const a = argv[j];
      out[o++] = 36; // $
      o = writeDecimal(out, o, a.length);
      out[o++] = 13;
      out[o++] = 10;
      if (a.length <= 32) {
        for (let i = 0; i < a.length; i++) out[o + i] = a[i];
      } else {
        out.set(a, o);
      }
      o += a.length;
      out[o++] = 13;
      out[o++] = 10;
    }
  }
  return o;
}

/** Digits of a non-negative integer. */
function decimalLength(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (n = Math.floor(n / 100000); n > 0; n = Math.floor(n / 10)) d++;
  return d;
}

/** Writes non-negative integer n in decimal at b[o]; returns the offset after it. */
function writeDecimal(b: Buffer, o: number, n: number): number {
  if (n < 10) {
    b[o] = 48 + n;
    return o + 1;
  }
  const end = o + decimalLength(n);
  let p = end;
  do {
    b[--p] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

