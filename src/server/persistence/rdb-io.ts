// The RDB format's primitives (Redis 7.0, RDB version 10): type and opcode numbers, and the
// byte-level encodings every part of a file or DUMP payload is built from —
//
//   length      00xxxxxx (6 bits) | 01xxxxxx xxxxxxxx (14 bits, big-endian) |
//               0x80 + uint32 big-endian | 0x81 + uint64 big-endian
//   string      a length then the bytes; or 11xxxxxx: 0 int8, 1 int16, 2 int32 (little-endian,
//               printed back as decimal text), 3 LZF (compressed length, original length, data)
//   double      binary: 8 bytes little-endian (ZSET_2); text (old ZSET): a length byte then
//               "%.17g", with 253 = nan, 254 = +inf, 255 = -inf
//   time        EXPIRETIME_MS: int64 little-endian milliseconds; EXPIRETIME: int32 seconds
//
// RdbOutput encodes into a growing buffer as rdbSaveRawString and friends do (integer-encoding
// short numeric strings, LZF-compressing strings over 20 bytes when asked), so what it writes is
// what Redis writes. RdbInput decodes from a buffer or, refilling a window, from a file, with
// every read bounds-checked: a corrupt input ends in an RdbError naming the offset, never in a
// read past the end or an allocation sized by a corrupt length.

import { Crc64 } from './crc64.js';
import { lzfCompressInto, lzfDecompress, lzfDecompressInto } from './lzf.js';
import { argView } from '../../protocol/request-parser.js';

/** The RDB version Redis 7.0 writes and the newest it loads. */
export const RDB_VERSION = 10;

/** Value type ids (rdb.h RDB_TYPE_*). */
export const RdbType = {
  String: 0,
  List: 1,
  Set: 2,
  ZSet: 3,
  Hash: 4,
  ZSet2: 5,
  ModulePreGa: 6,
  Module2: 7,
  HashZipmap: 9,
  ListZiplist: 10,
  SetIntset: 11,
  ZSetZiplist: 12,
  HashZiplist: 13,
  ListQuicklist: 14,
  StreamListpacks: 15,
  HashListpack: 16,
  ZSetListpack: 17,
  ListQuicklist2: 18,
  StreamListpacks2: 19,
} as const;

/** Special opcodes (rdb.h RDB_OPCODE_*). */
export const RdbOp = {
  Function2: 245,
  FunctionPreGa: 246,
  ModuleAux: 247,
  Idle: 248,
  Freq: 249,
  Aux: 250,
  ResizeDb: 251,
  ExpireTimeMs: 252,
  ExpireTime: 253,
  SelectDb: 254,
  Eof: 255,
} as const;

/** Quicklist node containers (QUICKLIST_NODE_CONTAINER_*). */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** rdbIsObjectType: the type ids a 7.0 server accepts as values. */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/** A corrupt or truncated RDB input: `reason` says what, `offset` where (bytes from the start). */
export class RdbError extends Error {
  readonly reason: string;
  readonly offset: number;
  constructor(reason: string, offset: number) {
    super(`${reason} (at offset ${offset})`);
    this.name = 'RdbError';
    this.reason = reason;
    this.offset = offset;
  }
}

/** The reason Redis gives for running out of input. */
export const EOF_REASON = 'Unexpected EOF reading RDB file';

const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

/**
 * The int32-range value of b[start, end) if it is the canonical decimal spelling of an integer
 * (Redis's string2ll: no '+', no leading zeros, no "-0"), else null. Only called for at most 11
 * bytes (rdbSaveRawString tries integer encoding only that far), so plain numbers are exact.
 */
function int32Of(b: Uint8Array, start: number, end: number): number | null {
  const n = end - start;
  if (n === 0 || n > 11) return null;
  let i = start;
  let neg = false;
  if (b[i] === 0x2d) {
    if (n === 1) return null;
    neg = true;
    i++;
  }
  if (b[i] === 0x30) return n === 1 ? 0 : null;
  let v = 0;
  for (; i < end; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (neg) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Options of an encoder: rdbcompression. */
export interface OutputOptions {
  /** LZF-compress strings over 20 bytes when that saves at least 4 bytes (rdbcompression). */
  compress: boolean;
}

/** A growing buffer RDB encodings are written into. */
export class RdbOutput {
  #buf: Buffer;
  #len = 0;
  readonly compress: boolean;

  constructor(opts: OutputOptions, initial = 256) {
    this.compress = opts.compress;
    this.#buf = Buffer.allocUnsafe(initial);
  }

  /** Bytes written (and not taken) so far. */
  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }

  /** Returns a copy of the bytes written so far and empties the buffer. */
  take(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    return out;
  }

  /** Empties the buffer. */
  reset(): void {
    this.#len = 0;
  }

  #room(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#len);
    this.#buf = grown;
  }

  u8(v: number): void {
    this.#room(1);
    this.#buf[this.#len++] = v;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.#room(n);
    if (n <= 32) {
      for (let i = 0; i < n; i++) this.#buf[this.#len + i] = src[start + i];
    } else {
      this.#buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.#len);
    }
    this.#len += n;
  }

  /** rdbSaveLen. */
  len(n: number): void {
    this.#room(9);
    const b = this.#buf;
    if (n < 64) {
      b[this.#len++] = n;
    } else if (n < 16384) {
      b[this.#len++] = 0x40 | (n >>> 8);
      b[this.#len++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.#len++] = 0x80;
      b.writeUInt32BE(n, this.#len);
      this.#len += 4;
    } else {
      b[this.#len++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), this.#len);
      this.#len += 8;
    }
  }

  /** An int32-range integer in RDB's encoded form (rdbEncodeInteger). */
  encodedInt(v: number): void {
    this.#room(5);
    const b = this.#buf;
    if (v >= -128 && v <= 127) {
      b[this.#len++] = 0xc0 | RDB_ENC_INT8;
      b[this.#len++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[this.#len++] = 0xc0 | RDB_ENC_INT16;
      b.writeInt16LE(v, this.#len);
      this.#len += 2;
    } else {
      b[this.#len++] = 0xc0 | RDB_ENC_INT32;
      b.writeInt32LE(v, this.#len);
      this.#len += 4;
    }
  }

  /**
   * rdbSaveRawString of src[start, end): an integer encoding for a canonical int32 of up to 11
   * bytes, else LZF when compression is on, the string is over 20 bytes and compresses by at
   * least 4 bytes, else the length and the bytes.
   */
  string(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 11) {
      const v = int32Of(src, start, end);
      if (v !== null) return this.encodedInt(v);
    }
    if (this.compress && n > 20) {
      if (lzfOut.length < n) lzfOut = Buffer.allocUnsafe(Math.max(n, 2 * lzfOut.length));
      const z = lzfCompressInto(src, start, n, lzfOut, n - 4);
      if (z !== 0) return this.lzfBlob(lzfOut, n, z);
    }
    this.len(n);
    if (n > 0) this.bytes(src, start, end);
  }

  /** A latin1 string (one char per byte) as rdbSaveRawString. */
  stringLatin1(s: string): void {
    const n = s.length;
    if (n <= 32) {
      const tmp = SCRATCH.length >= n ? SCRATCH : Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) tmp[i] = s.charCodeAt(i);
      this.string(tmp, 0, n);
      return;
    }
    this.string(Buffer.from(s, 'latin1'));
  }

  /** rdbSaveLzfBlob: an already compressed block (z[0, zLen)) and its original length. */
  lzfBlob(z: Uint8Array, originalLen: number, zLen = z.length): void {
    this.u8(0xc0 | RDB_ENC_LZF);
    this.len(zLen);
    this.len(originalLen);
    this.bytes(z, 0, zLen);
  }

  /** rdbSaveBinaryDoubleValue. */
  binaryDouble(d: number): void {
    this.#room(8);
    this.#buf.writeDoubleLE(d, this.#len);
    this.#len += 8;
  }

  /** rdbSaveMillisecondTime (an int64). */
  msTime(t: bigint): void {
    this.#room(8);
    this.#buf.writeBigInt64LE(BigInt.asIntN(64, t), this.#len);
    this.#len += 8;
  }
}

const SCRATCH = Buffer.allocUnsafe(32);
/** Where RdbOutput.string compresses (the bytes are copied out at once). */
let lzfOut = Buffer.allocUnsafe(256);

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Thrown by a source that has not received the bytes asked for yet (a payload being received):
 * the reader rewinds to its last commit and retries when the source has more.
 */
export class NeedMoreInput extends Error {
  constructor() {
    super('more input needed');
    this.name = 'NeedMoreInput';
  }
}

/** Where RdbInput reads from: a whole buffer, positioned reads of a file, or a payload being received. */
export interface RdbSource {
  /** Total bytes. */
  readonly size: number;
  /** Reads up to len bytes at position pos into dst[off]; returns the count read. */
  read(dst: Buffer, off: number, len: number, pos: number): number;
}

/** Window size for file sources. */
const WINDOW = 1 << 20;
/** LZF strings up to this long are decompressed into the reader's reused area; longer ones get their own buffer. */
const MAX_LZF_SCRATCH = 1 << 20;

/**
 * A bounds-checked reader of RDB encodings. Over a buffer it reads in place; over a file it
 * keeps a window it refills (and grows for a string longer than the window). Views it returns
 * are valid until the next read. With checksumming on, every byte consumed is fed to a CRC-64
 * (the file trailer is checked against it).
 */
export class RdbInput {
  #src: RdbSource | null;
  #buf: Buffer;
  #pos: number;
  #end: number;
  /** Source offset of #buf[0]. */
  #base = 0;
  /** Total input size. */
  readonly size: number;
  readonly #crc: Crc64 | null;
  /** Bytes of #buf before this were fed to the CRC. */
  #crcPos: number;
  /** Where LZF strings are decompressed (string() returns a view of it). */
  #lzfOut = Buffer.allocUnsafe(256);
  /**
   * The committed position in #buf (commit(), rewind()): bytes from it on stay in the window and
   * out of the CRC, so that a read the source could not serve yet (NeedMoreInput) can be
   * retried from there. -1: not in use (every consumed byte is final).
   */
  #mark = -1;

  private constructor(src: RdbSource | null, buf: Buffer, start: number, end: number, checksum: boolean) {
    this.#src = src;
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
    this.#crcPos = start;
    this.#base = 0;
    this.size = src === null ? end - start : src.size;
    this.#crc = checksum ? new Crc64() : null;
  }

  /** A reader of b[start, end); offsets are reported relative to start. */
  static fromBuffer(b: Buffer, start = 0, end = b.length, checksum = false): RdbInput {
    const r = new RdbInput(null, b, start, end, checksum);
    r.#base = -start;
    return r;
  }

  /** A reader of a source (a file), through a refilled window. */
  static fromSource(src: RdbSource, checksum: boolean): RdbInput {
    return new RdbInput(src, Buffer.allocUnsafe(Math.min(WINDOW, Math.max(16, src.size))), 0, 0, checksum);
  }

  /** Bytes consumed so far (the offset errors report). */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /** Throws an RdbError at the current offset. */
  fail(reason: string): never {
    throw new RdbError(reason, this.offset);
  }

  /** Makes n bytes readable at #pos (refilling from the source), or throws the EOF error. */
  #need(n: number): void {
    if (this.#end - this.#pos >= n) return;
    const src = this.#src;
    if (src === null || this.offset + n > this.size) this.fail(EOF_REASON);
    // Slide the unread bytes (from the committed position, when there is one) to the front,
    // feeding the consumed ones to the CRC first.
    const from = this.#mark >= 0 ? this.#mark : this.#pos;
    this.#feedCrcTo(from);
    const keep = this.#end - from;
    let buf = this.#buf;
    if (buf.length < n + (this.#pos - from)) {
      buf = Buffer.allocUnsafe(Math.max(n + (this.#pos - from), buf.length * 2));
    }
    this.#buf.copy(buf, 0, from, this.#end);
    this.#buf = buf;
    this.#base += from;
    this.#pos -= from;
    if (this.#mark >= 0) this.#mark = 0;
    this.#crcPos = 0;
    this.#end = keep;
    while (this.#end - this.#pos < n) {
      const want = Math.min(buf.length - this.#end, this.size - (this.#base + this.#end));
      const got = src.read(buf, this.#end, want, this.#base + this.#end);
      if (got <= 0) this.fail(EOF_REASON);
      this.#end += got;
    }
  }

  #feedCrc(): void {
    this.#feedCrcTo(this.#mark >= 0 ? this.#mark : this.#pos);
  }

  #feedCrcTo(to: number): void {
    if (this.#crc !== null && this.#crcPos < to) this.#crc.update(this.#buf, this.#crcPos, to);
    if (to > this.#crcPos) this.#crcPos = to;
  }

  /**
   * Makes what was read so far final and starts keeping what follows for rewind(): a reader of
   * a source that may not have every byte yet (one that throws NeedMoreInput) commits before
   * each record, and rewinds to retry it once the source has more.
   */
  commit(): void {
    this.#mark = this.#pos;
  }

  /** Makes n bytes readable without consuming them (EOF error or NeedMoreInput otherwise). */
  ensure(n: number): void {
    this.#need(n);
  }

  /** Back to the last commit(). */
  rewind(): void {
    if (this.#mark >= 0) this.#pos = this.#mark;
  }

  /**
   * After a rewind for NeedMoreInput: the source offset to wait for before reading the record
   * again, twice the bytes it has so far past its start. Each retry reads the record from its
   * start, so waiting for a doubling (not the next read) keeps a big record's retries linear.
   */
  retryAt(): number {
    const start = this.#base + (this.#mark >= 0 ? this.#mark : this.#pos);
    const have = this.#base + this.#end;
    return have + Math.max(1, have - start);
  }

  /** The CRC-64 of every byte consumed so far (checksumming readers only). */
  crc(): Crc64 {
    this.#feedCrc();
    if (this.#crc === null) throw new Error('RdbInput: checksum not enabled');
    return this.#crc;
  }

  u8(): number {
    this.#need(1);
    return this.#buf[this.#pos++];
  }

  /** The next n bytes as a view (valid until the next read). */
  view(n: number): Buffer {
    this.#need(n);
    const b = this.#buf;
    const v = argView(b.buffer as ArrayBuffer, b.byteOffset + this.#pos, n);
    this.#pos += n;
    return v;
  }

  /** Skips n bytes. */
  skip(n: number): void {
    this.view(n);
  }

  /**
   * rdbLoadLenByRef: a length, or with `encoded` set, the special encoding number of an
   * encoded string (0-3). Lengths past 2^53 are refused as corrupt.
   */
  lenOrEncoding(): { value: number; encoded: boolean } {
    const b0 = this.u8();
    const kind = b0 >>> 6;
    if (kind === 3) return { value: b0 & 0x3f, encoded: true };
    if (kind === 0) return { value: b0 & 0x3f, encoded: false };
    if (kind === 1) return { value: ((b0 & 0x3f) << 8) | this.u8(), encoded: false };
    if (b0 === 0x80) {
      const v = this.view(4).readUInt32BE(0);
      return { value: v, encoded: false };
    }
    if (b0 === 0x81) {
      const v = this.view(8).readBigUInt64BE(0);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('Length out of range');
      return { value: Number(v), encoded: false };
    }
    return this.fail(`Unknown length encoding ${kind} in rdbLoadLen()`);
  }

  /** A plain length as a 64-bit value (module ids use all 64 bits). */
  lenBig(): bigint {
    const b0 = this.u8();
    if (b0 === 0x81) return this.view(8).readBigUInt64BE(0);
    if (b0 === 0x80) return BigInt(this.view(4).readUInt32BE(0));
    const kind = b0 >>> 6;
    if (kind === 0) return BigInt(b0 & 0x3f);
    if (kind === 1) return BigInt(((b0 & 0x3f) << 8) | this.u8());
    return this.fail(kind === 3 ? 'Unexpected encoded length' : `Unknown length encoding ${kind} in rdbLoadLen()`);
  }

  /** A plain length (an encoded-string marker here is corrupt). */
  len(): number {
    const r = this.lenOrEncoding();
    if (r.encoded) this.fail('Unexpected encoded length');
    return r.value;
  }

  /**
   * rdbGenericLoadStringObject: the string's bytes. Integer encodings come back as decimal
   * text, LZF decompressed. The result may be a view valid until the next read: copy it (or
   * convert it to a string) before reading on.
   */
  string(): Buffer {
    const r = this.lenOrEncoding();
    if (!r.encoded) return this.view(r.value);
    switch (r.value) {
      case RDB_ENC_INT8:
        return Buffer.from(String(this.view(1).readInt8(0)), 'latin1');
      case RDB_ENC_INT16:
        return Buffer.from(String(this.view(2).readInt16LE(0)), 'latin1');
      case RDB_ENC_INT32:
        return Buffer.from(String(this.view(4).readInt32LE(0)), 'latin1');
      case RDB_ENC_LZF: {
        const clen = this.len();
        const len = this.len();
        const at = this.offset;
        this.#need(clen);
        // Into this reader's own area (a view of it is returned, valid until the next read).
        if (len > MAX_LZF_SCRATCH) {
          const out = lzfDecompress(this.#buf, this.#pos, this.#pos + clen, len);
          if (out === null) throw new RdbError('Invalid LZF compressed string', at);
          this.#pos += clen;
          return out;
        }
        if (this.#lzfOut.length < len) this.#lzfOut = Buffer.allocUnsafe(Math.max(len, 2 * this.#lzfOut.length));
        if (!lzfDecompressInto(this.#buf, this.#pos, this.#pos + clen, this.#lzfOut, len)) {
          throw new RdbError('Invalid LZF compressed string', at);
        }
        this.#pos += clen;
        const z = this.#lzfOut;
        return argView(z.buffer as ArrayBuffer, z.byteOffset, len);
      }
      default:
        return this.fail(`Unknown RDB string encoding type ${r.value}`);
    }
  }

  /** A string as latin1 text (a copy). */
  stringLatin1(): string {
    return this.string().toString('latin1');
  }

  /** rdbLoadBinaryDoubleValue. */
  binaryDouble(): number {
    return this.view(8).readDoubleLE(0);
  }

  /** rdbLoadDoubleValue (old ZSET type): NaN for corrupt text, as the caller refuses NaN. */
  textDouble(): number {
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    return parseCDouble(this.view(n).toString('latin1'));
  }

  /** rdbLoadMillisecondTime (little-endian int64). */
  msTime(): bigint {
    return this.view(8).readBigInt64LE(0);
  }

  /** rdbLoadTime (int32 seconds). */
  secTime(): number {
    return this.view(4).readInt32LE(0);
  }
}

/**
 * A double from its text as Redis prints them ("%.17g", "inf", "-inf", integers): NaN when the
 * text is not a complete number, so corrupt input is refused rather than read as 0.
 */
export function parseCDouble(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}
