// DUMP / RESTORE payloads (cluster.c createDumpPayload / verifyDumpPayload): a value's RDB
// serialization followed by a 10-byte footer —
//
//   <type byte> <value> <RDB version: uint16 LE> <CRC-64 of everything before: uint64 LE>
//
// A payload is accepted when its version is at most 10 (Redis 7.0's) and its CRC matches;
// then the value is decoded with the loader's validation (deserialize.ts).

import { VType } from '../keyspace/entry.js';
import type { Store } from '../keyspace/store.js';
import { Crc64 } from './crc64.js';
import { readValue, unsupportedTypeReason, type LoadLimits, type LoadedValue } from './deserialize.js';
import type { WriteOptions } from './options.js';
import { RDB_VERSION, RdbError, RdbInput, RdbOutput, isObjectType } from './rdb-io.js';
import { writeValue } from './serialize.js';

const FOOTER = 10;

/** The DUMP payload of a value (`value`: a string's bytes, or an aggregate value object). */
export function dumpPayload(type: number, value: unknown, opts: WriteOptions): Buffer {
  const out = new RdbOutput({ compress: opts.compress });
  writeValue(out, type, value, opts);
  out.u8(RDB_VERSION & 0xff);
  out.u8(RDB_VERSION >>> 8);
  const crc = new Crc64();
  crc.update(out.view());
  out.bytes(crc.bytes());
  return out.take();
}

/** The DUMP payload of entry id (read without changing it). */
export function dumpEntry(store: Store, id: number, opts: WriteOptions): Buffer {
  const type = store.type(id);
  return dumpPayload(type, type === VType.String ? store.valueView(id) : store.readObject(id), opts);
}

/** verifyDumpPayload: a footer with a version Redis 7.0 reads and a matching CRC-64. */
export function verifyDumpPayload(p: Buffer): boolean {
  if (p.length < FOOTER) return false;
  const footer = p.length - FOOTER;
  const version = p[footer] | (p[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  const crc = new Crc64();
  crc.update(p, 0, p.length - 8);
  return crc.matches(p, p.length - 8);
}

/** What decoding a RESTORE payload gave. */
export type RestoreResult =
  | { readonly ok: true; readonly value: LoadedValue }
  | { readonly ok: false; readonly why: 'checksum' | 'format' | 'unsupported'; readonly reason: string };

/**
 * Decodes a RESTORE payload: 'checksum' when the footer is wrong ("DUMP payload version or
 * checksum are wrong"), 'format' when the value is malformed or empty ("Bad data format"),
 * 'unsupported' for a value type Shoal has no counterpart for (streams, modules).
 */
export function decodeDumpPayload(p: Buffer, limits: LoadLimits): RestoreResult {
  if (!verifyDumpPayload(p)) return { ok: false, why: 'checksum', reason: 'version or checksum' };
  // As in Redis, the reader spans the whole payload (footer included).
  const inp = RdbInput.fromBuffer(p);
  try {
    const type = inp.u8();
    if (!isObjectType(type)) return { ok: false, why: 'format', reason: `not a value type: ${type}` };
    const unsupported = unsupportedTypeReason(type);
    if (unsupported !== null) return { ok: false, why: 'unsupported', reason: unsupported };
    const value = readValue(inp, type, limits);
    if (value === null) return { ok: false, why: 'format', reason: 'empty value' };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof RdbError) return { ok: false, why: 'format', reason: err.message };
    throw err;
  }
}
