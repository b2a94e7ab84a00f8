// Hand-built RDB material for tests: the encodings older Redis versions wrote (ziplists,
// zipmaps, quicklist v1, the plain LIST/SET/ZSET/HASH types with text doubles), built from the
// format's specification rather than by Shoal's writer, so the loader is checked against
// independently made bytes. Also DUMP payload framing and whole-file framing.

import { Crc64 } from '../../src/server/persistence/crc64.js';
import { RdbOutput } from '../../src/server/persistence/rdb-io.js';

/** rdbSaveLen bytes. */
export function rdbLen(n: number): Buffer {
  const o = new RdbOutput({ compress: false });
  o.len(n);
  return o.take();
}

/** A plain RDB string: length + bytes (no integer encoding, no compression). */
export function rdbRaw(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([rdbLen(b.length), b]);
}

/** An RDB string as rdbSaveRawString writes it (integer encoding; LZF when `compress`). */
export function rdbStr(s: string | Buffer, compress = false): Buffer {
  const o = new RdbOutput({ compress });
  o.string(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
  return o.take();
}

/** A text double as rdbSaveDoubleValue writes it (old ZSET type). */
export function rdbTextDouble(d: number): Buffer {
  if (Number.isNaN(d)) return Buffer.from([253]);
  if (d === Infinity) return Buffer.from([254]);
  if (d === -Infinity) return Buffer.from([255]);
  const t = Number.isInteger(d) ? String(d) : String(d);
  return Buffer.concat([Buffer.from([t.length]), Buffer.from(t, 'latin1')]);
}

/** A binary double (ZSET_2). */
export function rdbBinDouble(d: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(d, 0);
  return b;
}

/** The canonical int64 value of s (string2ll), or null. */
function asInt(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]{0,19})$/.test(s)) return null;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

/** One ziplist entry's encoding + data for element s (zipTryEncoding, zipStoreEntryEncoding). */
function ziplistPayload(s: string): Buffer {
  const v = s.length > 0 && s.length < 32 ? asInt(s) : null;
  if (v !== null) {
    if (v >= 0n && v <= 12n) return Buffer.from([0xf1 + Number(v)]);
    if (v >= -128n && v <= 127n) return Buffer.from([0xfe, Number(v) & 0xff]);
    if (v >= -32768n && v <= 32767n) {
      const b = Buffer.alloc(3);
      b[0] = 0xc0;
      b.writeInt16LE(Number(v), 1);
      return b;
    }
    if (v >= -8388608n && v <= 8388607n) {
      const b = Buffer.alloc(4);
      b[0] = 0xf0;
      b.writeIntLE(Number(v), 1, 3);
      return b;
    }
    if (v >= -2147483648n && v <= 2147483647n) {
      const b = Buffer.alloc(5);
      b[0] = 0xd0;
      b.writeInt32LE(Number(v), 1);
      return b;
    }
    const b = Buffer.alloc(9);
    b[0] = 0xe0;
    b.writeBigInt64LE(v, 1);
    return b;
  }
  const data = Buffer.from(s, 'latin1');
  const n = data.length;
  let hdr: Buffer;
  if (n <= 63) hdr = Buffer.from([n]);
  else if (n <= 16383) hdr = Buffer.from([0x40 | (n >> 8), n & 0xff]);
  else {
    hdr = Buffer.alloc(5);
    hdr[0] = 0x80;
    hdr.writeUInt32BE(n, 1);
  }
  return Buffer.concat([hdr, data]);
}

/** A ziplist holding the elements, as ziplist.c builds it. */
export function ziplist(elements: readonly string[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  let off = 10;
  for (const s of elements) {
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), u32le(prev)]);
    const e = Buffer.concat([prevlen, ziplistPayload(s)]);
    entries.push(e);
    tail = off;
    off += e.length;
    prev = e.length;
  }
  const body = Buffer.concat(entries);
  const total = 10 + body.length + 1;
  const hdr = Buffer.alloc(10);
  hdr.writeUInt32LE(total, 0);
  hdr.writeUInt32LE(tail, 4);
  hdr.writeUInt16LE(Math.min(elements.length, 65535), 8);
  return Buffer.concat([hdr, body, Buffer.from([0xff])]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

/** A zipmap of the pairs (field, value), with `free` spare bytes after each value. */
export function zipmap(pairs: ReadonlyArray<readonly [string, string]>, free = 0): Buffer {
  const len = (n: number): Buffer => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]));
  const parts: Buffer[] = [Buffer.from([pairs.length < 254 ? pairs.length : 254])];
  for (const [f, v] of pairs) {
    parts.push(len(f.length), Buffer.from(f, 'latin1'), len(v.length), Buffer.from([free]), Buffer.from(v, 'latin1'), Buffer.alloc(free, 0x2a));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** A DUMP payload: the type byte and body, then RDB version (LE16) and CRC-64 (LE64). */
export function payload(type: number, body: Buffer, version = 10): Buffer {
  const head = Buffer.concat([Buffer.from([type]), body, Buffer.from([version & 0xff, version >> 8])]);
  const crc = new Crc64();
  crc.update(head);
  return Buffer.concat([head, crc.bytes()]);
}

/** Recomputes a payload's CRC after its bytes were changed (so the value parser sees them). */
export function refooter(p: Buffer): Buffer {
  const out = Buffer.from(p);
  const crc = new Crc64();
  crc.update(out, 0, out.length - 8);
  crc.bytes().copy(out, out.length - 8);
  return out;
}

/** A whole RDB file: magic, the given body (opcodes and keys), EOF and the CRC-64 trailer. */
export function rdbFile(body: Buffer, version = 10, checksum = true): Buffer {
  const head = Buffer.concat([Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1'), body, Buffer.from([0xff])]);
  if (!checksum) return Buffer.concat([head, Buffer.alloc(8)]);
  const crc = new Crc64();
  crc.update(head);
  return Buffer.concat([head, crc.bytes()]);
}
