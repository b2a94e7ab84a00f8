// A raw RESP client over net.Socket, for byte-exact protocol tests.
//
//   const c = await RawClient.connect(port);
//   await c.command('SET', 'k', 'v');           // writes *3\r\n$3\r\nSET\r\n...
//   const raw = await c.readReply();            // Buffer '+OK\r\n' — exactly one complete reply
//   parseReply(raw)                              // 'OK'
//   formatReply(raw)                             // '+OK' (readable, for assertion messages)
//
// readReply understands RESP2 and RESP3: + - : $ * _ , # ! = ( % ~ > |, nested, null bulk/array.
// An attribute (|) is returned together with the reply it annotates, as one unit.

import net from 'node:net';

export type Arg = string | Buffer;

/** Encodes a command as a RESP multibulk request. */
export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespFormatError extends Error {}

const CR = 13;
const LF = 10;

/** Position just past the CRLF of the line starting at `start`, or -1 if the line is incomplete. */
function lineEnd(buf: Buffer, start: number): number {
  const cr = buf.indexOf(CR, start);
  if (cr === -1 || cr + 1 >= buf.length) return -1;
  if (buf[cr + 1] !== LF) throw new RespFormatError(`CR not followed by LF at offset ${cr}`);
  return cr + 2;
}

function headerInt(buf: Buffer, start: number, end: number): number {
  const s = buf.toString('latin1', start + 1, end - 2);
  if (!/^-?\d+$/.test(s)) throw new RespFormatError(`bad length '${s}' at offset ${start}`);
  return Number(s);
}

/**
 * Offset just past one complete RESP reply that starts at `start`, or -1 when more bytes are needed.
 * Throws RespFormatError on bytes that are not RESP.
 */
export function replyEnd(buf: Buffer, start = 0): number {
  if (start >= buf.length) return -1;
  const type = String.fromCharCode(buf[start]!);
  const end = lineEnd(buf, start);
  if (end === -1) return -1;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return end;
    case '$': case '!': case '=': {
      const n = headerInt(buf, start, end);
      if (n < 0) return end; // null bulk ($-1)
      const stop = end + n + 2;
      if (buf.length < stop) return -1;
      if (buf[stop - 2] !== CR || buf[stop - 1] !== LF) {
        throw new RespFormatError(`bulk of length ${n} at offset ${start} not terminated by CRLF`);
      }
      return stop;
    }
    case '*': case '~': case '>': case '%': case '|': {
      const n = headerInt(buf, start, end);
      if (n < 0) return end; // null array (*-1)
      const count = type === '%' || type === '|' ? 2 * n : n;
      let pos = end;
      for (let i = 0; i < count; i++) {
        pos = replyEnd(buf, pos);
        if (pos === -1) return -1;
      }
      // An attribute annotates the reply that follows it: both form one unit.
      if (type === '|') return replyEnd(buf, pos);
      return pos;
    }
    default:
      throw new RespFormatError(
        `unknown RESP type byte 0x${buf[start]!.toString(16).padStart(2, '0')} at offset ${start}: ` +
          escapeBytes(buf.subarray(start, start + 40)),
      );
  }
}

/** Raw bytes of each top-level element of an aggregate reply (for a map: keys and values interleaved). */
export function splitAggregate(buf: Buffer): { header: Buffer; elements: Buffer[] } | null {
  const type = String.fromCharCode(buf[0] ?? 0);
  if (!'*~>%'.includes(type)) return null;
  const end = lineEnd(buf, 0);
  const n = headerInt(buf, 0, end);
  if (n < 0) return null;
  const count = type === '%' ? 2 * n : n;
  const elements: Buffer[] = [];
  let pos = end;
  for (let i = 0; i < count; i++) {
    const next = replyEnd(buf, pos);
    if (next === -1) throw new RespFormatError('incomplete aggregate');
    elements.push(buf.subarray(pos, next));
    pos = next;
  }
  return { header: buf.subarray(0, end), elements };
}

/** An error reply (-ERR ... or !blob error) as a value. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | ReplyError
  | RespValue[]
  | Map<RespValue, RespValue>;

function decodeText(b: Buffer): string | Buffer {
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : b;
}

/**
 * Parses one reply into a JS value: simple/bulk/verbatim strings -> string (Buffer if not valid
 * UTF-8; verbatim drops its 'txt:' prefix), errors -> ReplyError, integers -> number (bigint past
 * 2^53), null/nil -> null, double -> number, boolean -> boolean, big number -> bigint, arrays,
 * sets and pushes -> arrays, maps -> Map. Attributes are skipped.
 */
export function parseReply(buf: Buffer): RespValue {
  const [value, end] = parseAt(buf, 0);
  if (end !== buf.length) throw new RespFormatError(`trailing bytes after reply: ${escapeBytes(buf.subarray(end))}`);
  return value;
}

function parseAt(buf: Buffer, start: number): [RespValue, number] {
  const end = lineEnd(buf, start);
  if (end === -1) throw new RespFormatError('incomplete reply');
  const type = String.fromCharCode(buf[start]!);
  const line = buf.toString('utf8', start + 1, end - 2);
  switch (type) {
    case '+': return [line, end];
    case '-': return [new ReplyError(line), end];
    case ':': {
      const n = BigInt(line);
      return [n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n, end];
    }
    case '_': return [null, end];
    case ',': {
      const l = line.toLowerCase();
      return [l === 'inf' ? Infinity : l === '-inf' ? -Infinity : l === 'nan' ? NaN : Number(line), end];
    }
    case '#': return [line === 't', end];
    case '(': return [BigInt(line), end];
    case '$': case '!': case '=': {
      const n = headerInt(buf, start, end);
      if (n < 0) return [null, end];
      const body = buf.subarray(end, end + n);
      if (type === '!') return [new ReplyError(body.toString('utf8')), end + n + 2];
      if (type === '=') return [decodeText(body.subarray(4)), end + n + 2];
      return [decodeText(body), end + n + 2];
    }
    case '*': case '~': case '>': {
      const n = headerInt(buf, start, end);
      if (n < 0) return [null, end];
      const arr: RespValue[] = [];
      let pos = end;
      for (let i = 0; i < n; i++) {
        const [v, next] = parseAt(buf, pos);
        arr.push(v);
        pos = next;
      }
      return [arr, pos];
    }
    case '%': case '|': {
      const n = headerInt(buf, start, end);
      const map = new Map<RespValue, RespValue>();
      let pos = end;
      for (let i = 0; i < n; i++) {
        const [k, p1] = parseAt(buf, pos);
        const [v, p2] = parseAt(buf, p1);
        map.set(k, v);
        pos = p2;
      }
      if (type === '|') return parseAt(buf, pos);
      return [map, pos];
    }
    default:
      throw new RespFormatError(`unknown RESP type '${type}'`);
  }
}

/** Printable rendering of raw bytes: \r \n \t \\ \" and \xNN for anything outside 0x20-0x7e. */
export function escapeBytes(b: Buffer, max = 2000): string {
  let out = '';
  const n = Math.min(b.length, max);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  if (b.length > max) out += `...(${b.length - max} more bytes)`;
  return out;
}

/**
 * Readable multi-line rendering of one reply (redis-cli style, but keeping the RESP type visible):
 *   +OK   (error) ERR ...   (integer) 5   "bulk\r\n"   (nil)   (empty array)   1) ... nested
 * Falls back to the escaped raw bytes if the reply does not parse.
 */
export function formatReply(buf: Buffer): string {
  try {
    const [text, end] = formatAt(buf, 0, '');
    if (end !== buf.length) return `${text}\n(trailing bytes) "${escapeBytes(buf.subarray(end))}"`;
    return text;
  } catch {
    return `(unparsable) "${escapeBytes(buf)}"`;
  }
}

function formatAt(buf: Buffer, start: number, indent: string): [string, number] {
  const end = lineEnd(buf, start);
  if (end === -1) throw new RespFormatError('incomplete');
  const type = String.fromCharCode(buf[start]!);
  const line = escapeBytes(buf.subarray(start + 1, end - 2));
  switch (type) {
    case '+': return [`+${line}`, end];
    case '-': return [`(error) ${line}`, end];
    case ':': return [`(integer) ${line}`, end];
    case '_': return ['(null)', end];
    case ',': return [`(double) ${line}`, end];
    case '#': return [`(boolean) ${line}`, end];
    case '(': return [`(big number) ${line}`, end];
    case '$': case '!': case '=': {
      const n = headerInt(buf, start, end);
      if (n < 0) return ['(nil)', end];
      const body = `"${escapeBytes(buf.subarray(end, end + n))}"`;
      const prefix = type === '!' ? '(blob error) ' : type === '=' ? '(verbatim) ' : '';
      return [prefix + body, end + n + 2];
    }
    case '*': case '~': case '>': case '%': case '|': {
      const n = headerInt(buf, start, end);
      if (n < 0) return ['(nil array)', end];
      const label = type === '~' ? '(set) ' : type === '>' ? '(push) ' : type === '%' ? '(map) ' : type === '|' ? '(attribute) ' : '';
      if (n === 0) return [`${label}(empty)`, end];
      const lines: string[] = [];
      let pos = end;
      const width = String(n).length;
      const inner = indent + ' '.repeat(width + 2);
      for (let i = 0; i < n; i++) {
        const num = `${String(i + 1).padStart(width)}) `;
        if (type === '%' || type === '|') {
          const [k, p1] = formatAt(buf, pos, inner);
          const [v, p2] = formatAt(buf, p1, inner);
          lines.push(`${num}${k} => ${v}`);
          pos = p2;
        } else {
          const [v, p] = formatAt(buf, pos, inner);
          lines.push(num + v);
          pos = p;
        }
      }
      let text = label + lines.join('\n' + indent);
      if (type === '|') {
        const [v, p] = formatAt(buf, pos, indent);
        text += '\n' + indent + v;
        pos = p;
      }
      return [text, pos];
    }
    default:
      throw new RespFormatError(`unknown type '${type}'`);
  }
}

interface Waiter {
  check(): boolean;
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  private socketError: Error | null = null;
  private waiters = new Set<Waiter>();

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    socket.on('error', (err: Error) => {
      this.socketError = err;
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new RawClient(socket));
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
    });
  }

  /** True once the server (or we) closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes received but not yet consumed by readReply. */
  get pending(): Buffer {
    return this.buf;
  }

  private wake(): void {
    for (const w of [...this.waiters]) if (w.check()) this.waiters.delete(w);
  }

  /** Writes bytes verbatim (a string is sent as UTF-8; use a Buffer for exact bytes). */
  send(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed || this.socket.destroyed) {
        reject(new Error('send on a closed connection'));
        return;
      }
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends one command encoded as a RESP multibulk. */
  command(...args: Arg[]): Promise<void> {
    return this.send(encodeCommand(args));
  }

  /** Resolves with the raw bytes of exactly one complete reply; rejects on timeout or close. */
  readReply(timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        check: (): boolean => {
          let end: number;
          try {
            end = replyEnd(this.buf, 0);
          } catch (err) {
            clearTimeout(timer);
            reject(err);
            return true;
          }
          if (end !== -1) {
            const reply = Buffer.from(this.buf.subarray(0, end));
            this.buf = this.buf.subarray(end);
            clearTimeout(timer);
            resolve(reply);
            return true;
          }
          if (this.closed) {
            clearTimeout(timer);
            const why = this.socketError ? ` (${this.socketError.message})` : '';
            reject(new Error(`connection closed before a complete reply${why}; pending: "${escapeBytes(this.buf)}"`));
            return true;
          }
          return false;
        },
      };
      if (w.check()) return;
      timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no complete reply within ${timeoutMs}ms; pending: "${escapeBytes(this.buf)}"`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /**
   * Resolves with every byte up to and including the first occurrence of `marker` (a raw
   * stream such as a replication payload), consuming them; rejects on timeout or close.
   */
  readThrough(marker: Buffer | string, timeoutMs = 5000): Promise<Buffer> {
    const m = typeof marker === 'string' ? Buffer.from(marker, 'latin1') : marker;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        check: (): boolean => {
          const i = this.buf.indexOf(m);
          if (i >= 0) {
            const out = Buffer.from(this.buf.subarray(0, i + m.length));
            this.buf = this.buf.subarray(i + m.length);
            clearTimeout(timer);
            resolve(out);
            return true;
          }
          if (this.closed) {
            clearTimeout(timer);
            reject(new Error(`connection closed before "${escapeBytes(m)}"; pending: "${escapeBytes(this.buf, 200)}"`));
            return true;
          }
          return false;
        },
      };
      if (w.check()) return;
      timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`no "${escapeBytes(m)}" within ${timeoutMs}ms; pending: "${escapeBytes(this.buf, 200)}"`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Reads n replies in order. */
  async readAll(n: number, timeoutMs = 5000): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) out.push(await this.readReply(timeoutMs));
    return out;
  }

  /** Sends a command and reads its reply. */
  async call(...args: Arg[]): Promise<Buffer> {
    await this.command(...args);
    return this.readReply();
  }

  /** Resolves when the connection is closed by the server; rejects if still open after timeoutMs. */
  waitClose(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        check: (): boolean => {
          if (!this.closed) return false;
          clearTimeout(timer);
          resolve();
          return true;
        },
      };
      if (w.check()) return;
      timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`connection still open after ${timeoutMs}ms; pending: "${escapeBytes(this.buf)}"`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Closes our side and resolves when the socket is fully closed. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
