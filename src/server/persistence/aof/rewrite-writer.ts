// The BASE of an AOF in command form, for aof-use-rdb-preamble no (aof.c
// rewriteAppendOnlyFileRio): per database a SELECT, then per key the commands that rebuild it —
// SET for a string, RPUSH / SADD / ZADD / HMSET with at most AOF_REWRITE_ITEMS_PER_CMD elements
// each for an aggregate — and PEXPIREAT for a key with a TTL. It takes keys from the snapshot
// walk exactly as the RDB writer does (SnapshotFormat), so the rewrite is just as
// point-in-time.

import { formatDouble } from '../../../lib/numbers.js';
import type { Database } from '../../keyspace/database.js';
import { NO_EXPIRY, VType } from '../../keyspace/entry.js';
import type { HashValue } from '../../keyspace/types/hash.js';
import type { ListValue } from '../../keyspace/types/list.js';
import type { SetValue } from '../../keyspace/types/set.js';
import type { ZSetValue } from '../../keyspace/types/zset.js';
import { expireOf } from '../../handlers/keys-expire.js';
import type { EntryContext, RdbSink } from '../rdb-writer.js';
import type { SnapshotFormat } from '../snapshot.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
const ITEMS_PER_CMD = 64;
/** Bytes buffered before they go to the sink. */
const FLUSH_AT = 64 * 1024;

export class AofRewriteWriter implements SnapshotFormat {
  readonly #sink: RdbSink;
  #parts: Buffer[] = [];
  #len = 0;
  #written = 0;
  #keys = 0;

  constructor(sink: RdbSink) {
    this.#sink = sink;
  }

  get keys(): number {
    return this.#keys;
  }

  get buffered(): number {
    return this.#len;
  }

  get bytesWritten(): number {
    return this.#written;
  }

  /** A command-form BASE has no header. */
  header(): void {}

  selectDb(id: number): void {
    this.switchDb(id);
  }

  switchDb(id: number): void {
    this.#command(['SELECT', String(id)]);
  }

  storeEntry(db: Database, id: number, _ctx: EntryContext): void {
    const store = db.store;
    const key = store.keyCopy(id);
    const type = store.type(id);
    if (type === VType.String) {
      this.#command([Buffer.from('SET'), key, Buffer.from(store.valueView(id))]);
    } else {
      const value = store.readObject(id);
      if (type === VType.List) {
        const l = value as ListValue;
        this.#batches('RPUSH', key, l.length, (i) => [l.at(i)]);
      } else if (type === VType.Set) {
        const s = value as SetValue;
        this.#batches('SADD', key, s.size, (i) => [s.memberAt(i)]);
      } else if (type === VType.ZSet) {
        const pairs: string[] = [];
        for (const [member, score] of (value as ZSetValue).descending()) pairs.push(formatDouble(score), member);
        this.#batches('ZADD', key, pairs.length / 2, (i) => [pairs[2 * i], pairs[2 * i + 1]]);
      } else if (type === VType.Hash) {
        const h = value as HashValue;
        this.#batches('HMSET', key, h.size, (i) => [h.fieldAt(i), h.valueAt(i)]);
      } else {
        throw new Error(`no AOF form for value type ${type}`);
      }
    }
    if (db.expireAt(id) !== NO_EXPIRY) this.#command([Buffer.from('PEXPIREAT'), key, Buffer.from(String(expireOf(db, id)))]);
    this.#keys++;
    if (this.#len >= FLUSH_AT) this.#flush();
  }

  capturedString(key: Uint8Array, value: Uint8Array, expireAt: bigint): void {
    this.#command([Buffer.from('SET'), Buffer.from(key), Buffer.from(value)]);
    if (expireAt !== -1n) this.#command([Buffer.from('PEXPIREAT'), Buffer.from(key), Buffer.from(String(expireAt))]);
    this.#keys++;
    if (this.#len >= FLUSH_AT) this.#flush();
  }

  finish(): void {
    this.#flush();
  }

  /** `name key items...` commands of at most ITEMS_PER_CMD items each (rewriteListObject & co). */
  #batches(name: string, key: Buffer, count: number, item: (i: number) => string[]): void {
    for (let i = 0; i < count; i += ITEMS_PER_CMD) {
      const args: Array<string | Buffer> = [name, key];
      const end = Math.min(count, i + ITEMS_PER_CMD);
      for (let j = i; j < end; j++) for (const s of item(j)) args.push(Buffer.from(s, 'latin1'));
      this.#command(args);
    }
  }

  #command(args: Array<string | Buffer>): void {
    let head = `*${args.length}\r\n`;
    for (const a of args) {
      const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
      this.#push(Buffer.from(`${head}$${b.length}\r\n`, 'latin1'));
      this.#push(b);
      head = '\r\n';
    }
    this.#push(CRLF);
  }

  #push(b: Buffer): void {
    this.#parts.push(b);
    this.#len += b.length;
  }

  #flush(): void {
    if (this.#len === 0) return;
    const chunk = Buffer.concat(this.#parts, this.#len);
    this.#parts = [];
    this.#len = 0;
    this.#written += chunk.length;
    this.#sink(chunk);
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');
