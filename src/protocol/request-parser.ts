// Incremental RESP request parser: turns the bytes a client sends into argument vectors.
//
// It accepts the two request forms Redis accepts: multibulk (`*<n>\r\n$<len>\r\n<data>\r\n...`)
// and inline commands as typed in telnet (`SET a "b c"\n`). Bytes arrive in arbitrary pieces;
// the parser keeps its state between pieces, so a command cut anywhere parses the same. It does
// no I/O and knows nothing of commands.
//
// Allocation: arguments are views (subarray) into the received chunk; Node hands every read a
// fresh Buffer, so no copy is needed. The first argument (the command's name, up to 24 bytes)
// is instead a cached copy of the same bytes, shared by the commands of that name. A consumer
// that keeps an argument beyond the command (a stored value) must copy it, or it would pin the
// whole chunk. Large bulk arguments that span reads are collected into one exactly-sized
// buffer, so a 500 MB value is copied once, not re-concatenated per read. The commands that
// peekKeys() walks ahead are not parsed twice: next() builds them from what it recorded.
//
// Limits and error texts follow Redis 7.0 (networking.c): a malformed request raises
// ProtocolError with the text Redis puts after "ERR Protocol error: " (ProtocolErr in the
// error catalog).

import { ProtocolErr } from '../lib/errors.js';
import { splitArgs } from '../lib/splitargs.js';
import { copyBytes } from '../lib/bytes.js';

/** A malformed request. The connection must answer `-ERR Protocol error: <message>` and close. */
export class ProtocolError extends Error {}

/** Redis's PROTO_INLINE_MAX_SIZE: the longest inline line or multibulk/bulk header accepted. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** Bulk arguments at least this big are assembled in their own buffer (PROTO_MBULK_BIG_ARG). */
const BIG_ARG = 32 * 1024;
/** Largest big-argument buffer kept for reuse. */
const SPARE_MAX = 64 * 1024 * 1024;
const INT_MAX = 2147483647;
/** Largest argument count whose vector is allocated before its arguments arrive. */
const PREALLOC_MAX = 1024;
/** Redis's caps on a client that must still authenticate: arguments per command, bulk bytes. */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
/** Commands, and their arguments in all, peekKeys() plans for next() (see #planStart). */
const PLAN_MAX = 64;
const PLAN_ARGS = 256;
const EMPTY = Buffer.alloc(0);

/**
 * The class of argument views: a Uint8Array whose prototype chain goes through Buffer.prototype,
 * so an argument is a Buffer to every reader (instanceof, Buffer.isBuffer, every method). Made
 * with `new` over the input's ArrayBuffer (kept with the input, #setBuf) it costs 13-21 ns;
 * buf.subarray() goes through the species lookup and costs 37-88 ns, three times per SET
 * (`node dist/bench/view-micro.js`, bench/results/server-core.md).
 */
class ArgView extends Uint8Array {}
Object.setPrototypeOf(ArgView.prototype, Buffer.prototype);

/** A Buffer viewing len bytes of ab at off (shares its memory). */
export function argView(ab: ArrayBuffer, off: number, len: number): Buffer {
  return new ArgView(ab, off, len) as unknown as Buffer;
}

export interface ParserLimits {
  /** proto-max-bulk-len: the largest bulk argument accepted. */
  protoMaxBulkLen: number;
  /** True while the client must still authenticate: Redis then caps multibulk at 10 and bulks at 16 KB. */
  authRequired: boolean;
}

/**
 * Where feed() joins a shared chunk to the bytes left from the previous one (a command cut by a
 * read's end). One for all parsers: a shared feed is always followed by detach() before any
 * other client's input is read. Joins larger than this get their own buffer.
 */
const SHARED_MERGE_MAX = 160 * 1024;
const sharedMerge = Buffer.allocUnsafeSlow(SHARED_MERGE_MAX);

export class RequestParser {
  #buf: Buffer = EMPTY;
  /** #buf's ArrayBuffer and offset in it, read once per buffer (the accessors cost ~20 ns). */
  #ab: ArrayBuffer = EMPTY.buffer as ArrayBuffer;
  #base = EMPTY.byteOffset;
  #pos = 0;
  // In-progress multibulk command.
  #argv: Buffer[] | null = null;
  #argc = 0;
  /** Arguments of #argv filled so far. */
  #argi = 0;
  #bulkLen = -1;
  // A big bulk argument being assembled across reads.
  #big: Buffer | null = null;
  #bigFill = 0;
  /**
   * Buffers of the big arguments of the command being assembled or last returned, and one
   * kept from an earlier command for the next big argument that fits. A fresh megabyte buffer
   * per SET of a large value cost more in page faults than the copy itself; arguments are
   * views the caller copies what it keeps of (the dispatch contract), so the previous
   * command's buffers are free once the next command starts. releaseSpare() drops the kept
   * one (an idle client should not hold it).
   */
  #bigUsed: Buffer[] = [];
  #spare: Buffer | null = null;
  /** Bytes held by the argument vector being assembled (for the query buffer limit). */
  #argBytes = 0;
  /** Bytes fed since the parser was created (see `consumed`). */
  #fed = 0;
  /**
   * Where the multibulk command in progress began in #buf, or -1 once its bytes no longer lie
   * whole in #buf (a new buffer came in before it was complete).
   */
  #cmdStart = -1;
  /** The last command next() returned, if its bytes lie whole in #rawBuf at [#rawStart, #rawEnd). */
  #rawArgv: Buffer[] | null = null;
  #rawBuf: Buffer = EMPTY;
  #rawStart = 0;
  #rawEnd = 0;
  /**
   * What peekKeys() found of the commands it covered, so that next() does not parse their
   * headers again: for plan entry i, the command's start in #buf, its argument count and where
   * its arguments' (offset, length) pairs begin in #planArgs. Only commands whose every header
   * and argument ends in CRLF and that no limit refuses are planned; the plan holds for #buf
   * as it was (any new buffer drops it) and is followed while #pos is where its next entry
   * starts.
   */
  #planStart = new Int32Array(PLAN_MAX);
  #planArgc = new Int32Array(PLAN_MAX);
  #planFirst = new Int32Array(PLAN_MAX);
  #planArgs = new Int32Array(PLAN_ARGS * 2);
  #planCount = 0;
  #planNext = 0;
  /** The limits the plan was checked against (a command of the batch may change them). */
  #planMaxBulk = 0;
  #planAuth = false;
  readonly limits: ParserLimits;

  constructor(limits: ParserLimits) {
    this.limits = limits;
  }

  /** True between two commands: no command's arguments are partly parsed. */
  get atBoundary(): boolean {
    return this.#argv === null && this.#big === null;
  }

  /** Unparsed bytes plus the bytes of a partially received command: Redis's query buffer length. */
  get pendingBytes(): number {
    return this.#buf.length - this.#pos + this.#argBytes + this.#bigFill;
  }

  /**
   * Bytes of the input consumed by the commands returned so far, counted from the parser's
   * creation: read right after next() returned a command, it is where that command's bytes end
   * in the stream (blank lines before it included). A replica uses it to pass on exactly the
   * bytes of each command its master sent.
   */
  get consumed(): number {
    return this.#fed - (this.#buf.length - this.#pos);
  }

  /**
   * True if `argv` is the command next() returned last and its bytes, as received, lie whole
   * in rawInput at [rawStart, rawEnd). Those bytes are then exactly the RESP encoding of argv
   * (`*<n>`, then `$<len>` and the bytes of each argument): the parser accepts no other form
   * of a multibulk command (no leading zeros or signs in counts and lengths), so a consumer that
   * would encode argv (the propagation stream) may copy them instead. Valid until the next
   * feed(), next(), detach() or reset(), like the arguments themselves.
   */
  hasRaw(argv: readonly Buffer[]): boolean {
    return argv === this.#rawArgv;
  }

  /** See hasRaw(). */
  get rawInput(): Buffer {
    return this.#rawBuf;
  }

  get rawStart(): number {
    return this.#rawStart;
  }

  get rawEnd(): number {
    return this.#rawEnd;
  }

  /**
   * Memory the pending input holds: pendingBytes, but a big argument still arriving counts its
   * whole buffer, allocated at its announced length (as Redis sizes its query buffer for one).
   */
  get allocatedBytes(): number {
    return this.#buf.length - this.#pos + this.#argBytes + (this.#big === null ? 0 : this.#big.length);
  }

  /** Bytes of the big-argument buffer kept for reuse (client memory). */
  get spareBytes(): number {
    return this.#spare === null ? 0 : this.#spare.length;
  }

  /** Drops the kept big-argument buffer. */
  releaseSpare(): void {
    this.#spare = null;
  }

  /** The buffers of the previous command's big arguments are free again: keep the largest. */
  #recycleBig(): void {
    for (const b of this.#bigUsed) if (b.length <= SPARE_MAX && (this.#spare === null || b.length > this.#spare.length)) this.#spare = b;
    this.#bigUsed.length = 0;
  }

  /**
   * Appends received bytes. Call next() until it returns null to drain complete commands.
   * `shared`: the caller calls detach() once done with the commands (Client.receive for a
   * chunk of a reused read buffer), so the parser may use shared memory until then too.
   */
  feed(chunk: Buffer, shared = false): void {
    this.#fed += chunk.length;
    if (this.#big !== null) {
      const need = this.#big.length - this.#bigFill;
      const n = Math.min(need, chunk.length);
      chunk.copy(this.#big, this.#bigFill, 0, n);
      this.#bigFill += n;
      if (this.#bigFill < this.#big.length) return;
      // Argument complete (the trailing CRLF is inside #big and not checked, as in Redis).
      const arg = argView(this.#big.buffer as ArrayBuffer, this.#big.byteOffset, this.#big.length - 2);
      this.#big = null;
      this.#bigFill = 0;
      this.#pushArg(arg);
      this.#setBuf(n < chunk.length ? chunk.subarray(n) : EMPTY);
      this.#pos = 0;
      return;
    }
    if (this.#pos >= this.#buf.length) {
      this.#setBuf(chunk);
      this.#pos = 0;
    } else {
      const rest = this.#buf.length - this.#pos;
      const size = rest + chunk.length;
      // A shared chunk is followed by detach(), which copies out whatever is still needed: the
      // merge can go in the one shared area (a read that cuts a command, as nearly every read
      // of a replication stream does, then allocates nothing).
      const merged =
        shared && size <= SHARED_MERGE_MAX && this.#buf.buffer !== sharedMerge.buffer ? sharedMerge.subarray(0, size) : Buffer.allocUnsafe(size);
      this.#buf.copy(merged, 0, this.#pos);
      chunk.copy(merged, rest);
      this.#setBuf(merged);
      this.#pos = 0;
    }
  }

  /**
   * Returns the next complete command's arguments, or null when more bytes are needed.
   * Empty commands (blank inline lines, `*0`, `*-1`) are skipped. Throws ProtocolError.
   */
  next(): Buffer[] | null {
    this.#rawArgv = null;
    if (this.#big !== null) return null; // a big argument is still arriving
    for (;;) {
      if (this.#argv === null) {
        // The caller is done with the previous command's arguments.
        if (this.#bigUsed.length > 0) this.#recycleBig();
        if (this.#pos >= this.#buf.length) return null;
        if (this.#planNext < this.#planCount) {
          const argv = this.#planned();
          if (argv !== null) return argv;
        }
        if (this.#buf[this.#pos] === 42 /* '*' */) {
          const r = this.#multibulkHeader();
          if (r === 0) return null;
          if (r === 2) continue; // empty command
        } else {
          const argv = this.#inline();
          if (argv === null) return null;
          if (argv.length === 0) continue;
          return argv;
        }
      }
      const argv = this.#bulks();
      if (argv === null) return null;
      return argv;
    }
  }

  /**
   * Finds, without consuming anything, the second argument (the first key of most commands) of
   * each complete multibulk command buffered after the current position, up to `max` commands:
   * its offset in `input` goes to offs (-1 for a command of one argument), its length to lens.
   * Stops at the first command that is incomplete, inline, empty or looks malformed (next()
   * reports what is wrong with it). Returns how many commands it covered. The server reads the
   * index entries of these keys ahead of running the commands (Database.prefetch).
   */
  peekKeys(offs: Int32Array, lens: Int32Array, max: number): number {
    this.#planCount = 0;
    this.#planNext = 0;
    if (this.#argv !== null || this.#big !== null) return 0;
    const buf = this.#buf;
    const end = buf.length;
    this.#planMaxBulk = this.limits.protoMaxBulkLen;
    this.#planAuth = this.limits.authRequired;
    const maxBulk = this.limits.authRequired ? Math.min(UNAUTH_MAX_BULK, this.limits.protoMaxBulkLen) : this.limits.protoMaxBulkLen;
    const maxCount = this.limits.authRequired ? UNAUTH_MAX_ARGS : PREALLOC_MAX;
    const args = this.#planArgs;
    let pos = this.#pos;
    let count = 0;
    let planning = true;
    let used = 0;
    while (count < max && pos < end && buf[pos] === 42 /* '*' */) {
      const start = pos;
      let cr = findCR(buf, pos);
      if (cr < 0 || cr + 1 >= end) break;
      const n = parseHeaderInt(buf, pos + 1, cr);
      if (n === null || n < 1 || n > PREALLOC_MAX) break;
      // Planned: canonical (CRLF everywhere), within the limits, with room for its arguments.
      let plan = planning && count < PLAN_MAX && n <= maxCount && used + n <= PLAN_ARGS && buf[cr + 1] === 10;
      pos = cr + 2;
      offs[count] = -1;
      for (let a = 0; a < n; a++) {
        if (pos >= end || buf[pos] !== 36 /* '$' */) return count;
        cr = findCR(buf, pos);
        if (cr < 0 || cr + 1 >= end) return count;
        const len = parseHeaderInt(buf, pos + 1, cr);
        if (len === null || len < 0) return count;
        if (buf[cr + 1] !== 10 || len > maxBulk) plan = false;
        pos = cr + 2;
        if (pos + len + 2 > end) return count;
        if (a === 1) {
          offs[count] = pos;
          lens[count] = len;
        }
        if (buf[pos + len] !== 13 || buf[pos + len + 1] !== 10) plan = false;
        if (plan) {
          args[(used + a) * 2] = pos;
          args[(used + a) * 2 + 1] = len;
        }
        pos += len + 2;
      }
      if (plan) {
        // The plan is the run of planned commands from #pos on.
        this.#planStart[count] = start;
        this.#planArgc[count] = n;
        this.#planFirst[count] = used;
        used += n;
        this.#planCount = count + 1;
      } else {
        planning = false;
      }
      count++;
    }
    return count;
  }

  /**
   * The next command from the plan (peekKeys), if it starts at #pos; null to parse it the
   * usual way (and the plan is dropped).
   */
  #planned(): Buffer[] | null {
    const i = this.#planNext;
    if (this.#planStart[i] !== this.#pos || this.limits.protoMaxBulkLen !== this.#planMaxBulk || this.limits.authRequired !== this.#planAuth) {
      this.#planCount = 0;
      return null;
    }
    this.#planNext = i + 1;
    const buf = this.#buf;
    const n = this.#planArgc[i];
    const args = this.#planArgs;
    let k = this.#planFirst[i] * 2;
    const argv = new Array<Buffer>(n);
    argv[0] = this.#arg(0, args[k], args[k + 1]);
    for (let a = 1; a < n; a++) {
      k += 2;
      argv[a] = this.#arg(a, args[k], args[k + 1]);
    }
    const end = args[k] + args[k + 1] + 2;
    this.#rawArgv = argv;
    this.#rawBuf = buf;
    this.#rawStart = this.#pos;
    this.#rawEnd = end;
    this.#pos = end;
    return argv;
  }

  /** The buffered input peekKeys' offsets refer to (valid until the next feed or next()). */
  get input(): Buffer {
    return this.#buf;
  }

  /**
   * Copies every byte the parser still references out of the last fed chunk, so the caller
   * may reuse that chunk's memory for its next read. Cheap when the chunk was fully consumed.
   */
  detach(): void {
    this.#rawArgv = null;
    this.#rawBuf = EMPTY;
    if (this.#pos < this.#buf.length) this.#setBuf(Buffer.from(this.#buf.subarray(this.#pos)));
    else this.#setBuf(EMPTY);
    this.#pos = 0;
    const argv = this.#argv;
    if (argv !== null && this.#argi > 0) copyArgs(argv, this.#argi);
  }

  /** Discards all buffered input (after a protocol error or when the client goes away). */
  reset(): void {
    this.#rawArgv = null;
    this.#rawBuf = EMPTY;
    this.#setBuf(EMPTY);
    this.#pos = 0;
    this.#argv = null;
    this.#argc = 0;
    this.#argi = 0;
    this.#bulkLen = -1;
    this.#big = null;
    this.#bigFill = 0;
    this.#argBytes = 0;
  }

  // ---------------------------------------------------------------------------------------
  // Multibulk

  /** Parses `*<n>\r\n`. Returns 0 = need more bytes, 1 = header read, 2 = empty command. */
  #multibulkHeader(): 0 | 1 | 2 {
    const buf = this.#buf;
    const start = this.#pos;
    const cr = findCR(buf, start);
    if (cr < 0 || cr + 1 >= buf.length) {
      if (buf.length - start > INLINE_MAX_SIZE) throw new ProtocolError(ProtocolErr.tooBigMbulkCount);
      return 0;
    }
    const n = parseHeaderInt(buf, start + 1, cr);
    if (n === null || n > INT_MAX) throw new ProtocolError(ProtocolErr.invalidMbulkLength);
    if (n > UNAUTH_MAX_ARGS && this.limits.authRequired) throw new ProtocolError(ProtocolErr.unauthenticatedMbulkLength);
    this.#pos = cr + 2;
    if (n <= 0) return 2;
    // Like Redis, the parser does not check the LF after a CR, nor the CRLF after an argument;
    // a command with anything else there has no raw bytes (they would not be its encoding).
    this.#cmdStart = buf[cr + 1] === 10 ? start : -1;
    // The vector is allocated at its final length (an array grown by push reserves 16 slots at
    // once: 100 bytes of garbage per command), but a count is not trusted beyond
    // PREALLOC_MAX: a 2-billion count must not allocate eagerly.
    this.#argv = n <= PREALLOC_MAX ? new Array<Buffer>(n) : [];
    this.#argc = n;
    this.#argi = 0;
    this.#bulkLen = -1;
    return 1;
  }

  /** Reads bulk arguments until the command is complete; null = need more bytes. */
  #bulks(): Buffer[] | null {
    const argv = this.#argv as Buffer[];
    while (this.#argi < this.#argc) {
      const buf = this.#buf;
      if (this.#bulkLen < 0) {
        const start = this.#pos;
        if (start >= buf.length) return null;
        const cr = findCR(buf, start);
        if (cr < 0 || cr + 1 >= buf.length) {
          if (buf.length - start > INLINE_MAX_SIZE) throw new ProtocolError(ProtocolErr.tooBigBulkCount);
          return null;
        }
        if (buf[start] !== 36 /* '$' */) {
          throw new ProtocolError(ProtocolErr.expectedDollar(String.fromCharCode(buf[start])));
        }
        const len = parseHeaderInt(buf, start + 1, cr);
        if (len === null || len < 0 || len > this.limits.protoMaxBulkLen) {
          throw new ProtocolError(ProtocolErr.invalidBulkLength);
        }
        if (len > UNAUTH_MAX_BULK && this.limits.authRequired) throw new ProtocolError(ProtocolErr.unauthenticatedBulkLength);
        if (buf[cr + 1] !== 10) this.#cmdStart = -1;
        this.#pos = cr + 2;
        this.#bulkLen = len;
      }
      const len = this.#bulkLen;
      const avail = buf.length - this.#pos;
      if (avail < len + 2) {
        if (len >= BIG_ARG) {
          // Assemble this argument in its own buffer (the kept one if it fits); feed() completes it.
          const spare = this.#spare;
          let whole: Buffer;
          if (spare !== null && spare.length >= len + 2) {
            whole = spare;
            this.#spare = null;
          } else {
            whole = Buffer.allocUnsafeSlow(len + 2);
          }
          this.#bigUsed.push(whole);
          const big = whole.subarray(0, len + 2);
          buf.copy(big, 0, this.#pos);
          this.#big = big;
          this.#bigFill = avail;
          this.#setBuf(EMPTY);
          this.#pos = 0;
        }
        return null;
      }
      this.#pushArg(this.#arg(this.#argi, this.#pos, len));
      if (buf[this.#pos + len] !== 13 || buf[this.#pos + len + 1] !== 10) this.#cmdStart = -1;
      this.#pos += len + 2;
    }
    this.#argv = null;
    this.#argBytes = 0;
    if (this.#cmdStart >= 0) {
      this.#rawArgv = argv;
      this.#rawBuf = this.#buf;
      this.#rawStart = this.#cmdStart;
      this.#rawEnd = this.#pos;
      this.#cmdStart = -1;
    }
    return argv;
  }

  /** Argument i of a command, #buf[pos, pos + len): a view of it, or for its name a cached copy. */
  #arg(i: number, pos: number, len: number): Buffer {
    return i === 0 && len > 0 && len <= NAME_MAX ? commandName(this.#buf, pos, len) : argView(this.#ab, this.#base + pos, len);
  }

  #setBuf(b: Buffer): void {
    this.#cmdStart = -1;
    this.#planCount = 0;
    this.#buf = b;
    this.#ab = b.buffer as ArrayBuffer;
    this.#base = b.byteOffset;
  }

  #pushArg(arg: Buffer): void {
    (this.#argv as Buffer[])[this.#argi++] = arg;
    this.#argBytes += arg.length;
    this.#bulkLen = -1;
  }

  // ---------------------------------------------------------------------------------------
  // Inline

  /** Parses one inline line. Returns null = need more bytes, [] = empty line. */
  #inline(): Buffer[] | null {
    const buf = this.#buf;
    const start = this.#pos;
    const nl = buf.indexOf(10, start);
    if (nl < 0) {
      if (buf.length - start > INLINE_MAX_SIZE) throw new ProtocolError(ProtocolErr.tooBigInline);
      return null;
    }
    let end = nl;
    if (end > start && buf[end - 1] === 13) end--;
    this.#pos = nl + 1;
    const argv = splitArgs(buf.subarray(start, end));
    if (argv === null) throw new ProtocolError(ProtocolErr.unbalancedQuotes);
    return argv;
  }
}

/** Longest first argument looked up in the command-name cache. */
const NAME_MAX = 24;
const NAME_SHIFT = 32 - 7;
/**
 * Copies of first arguments (command names) seen: 64 pairs of slots, a pair chosen by a hash of
 * the name's length, ends and middle byte, the newer name first in its pair.
 */
const names: Array<Buffer | undefined> = new Array<Buffer | undefined>(1 << (32 - NAME_SHIFT)).fill(undefined);

function sameBytes(c: Buffer | undefined, buf: Buffer, pos: number, len: number): c is Buffer {
  if (c === undefined || c.length !== len) return false;
  for (let i = 0; i < len; i++) if (c[i] !== buf[pos + i]) return false;
  return true;
}

/**
 * The first argument of a command, buf[pos, pos + len): the cached copy of the same bytes, or
 * a new copy cached in its place. A command's name repeats from one command to the next, and
 * comparing its few bytes costs less than the view each argument otherwise takes (about 60 ns
 * on the reference machine; a SET took three). The copies are never written:
 * like every argument, they are read-only to consumers.
 */
function commandName(buf: Buffer, pos: number, len: number): Buffer {
  const h = Math.imul(buf[pos] | (buf[pos + (len >>> 1)] << 8) | (buf[pos + len - 1] << 16) | (len << 24), 0x9e3779b1) >>> NAME_SHIFT;
  const slot = h & ~1;
  const first = names[slot];
  if (sameBytes(first, buf, pos, len)) return first;
  const second = names[slot + 1];
  if (sameBytes(second, buf, pos, len)) return second;
  const copy = argView(new ArrayBuffer(len), 0, len);
  copyBytes(copy, 0, buf, pos, pos + len);
  names[slot + 1] = first;
  names[slot] = copy;
  return copy;
}

/**
 * Replaces argv[0, n) by copies, in one buffer. They stay ArgViews: arguments of one class
 * keep the dispatch and keyspace code monomorphic (a Buffer among them deoptimised the command
 * lookup, the index's find and the store's record code of a fresh replica, whose every read of
 * its master cuts a command).
 */
function copyArgs(argv: Buffer[], n: number): void {
  let total = 0;
  for (let i = 0; i < n; i++) total += argv[i].length;
  const dst = Buffer.allocUnsafe(total);
  const ab = dst.buffer as ArrayBuffer;
  let off = dst.byteOffset;
  for (let i = 0; i < n; i++) {
    const a = argv[i];
    dst.set(a, off - dst.byteOffset);
    argv[i] = argView(ab, off, a.length);
    off += a.length;
  }
}

/**
 * Index of the first CR at or after start, or -1. Headers are short, so the first bytes are
 * scanned in JS (cheaper than a native indexOf call); longer runs fall back to indexOf.
 */
function findCR(buf: Buffer, start: number): number {
  const len = buf.length;
  const end = start + 24 < len ? start + 24 : len;
  for (let i = start; i < end; i++) if (buf[i] === 13) return i;
  return end === len ? -1 : buf.indexOf(13, end);
}

/**
 * Parses the decimal integer of a `*` or `$` header between start and end (exclusive), with
 * Redis's string2ll grammar (optional '-', no leading zeros, no '+'). Returns null if invalid
 * or longer than any valid count.
 */
function parseHeaderInt(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len <= 0 || len > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* '-' */) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  const first = buf[i];
  if (first === 48 /* '0' */) return i + 1 === end && !neg ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}
