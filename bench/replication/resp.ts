// A minimal long-lived RESP2 connection for the lag probe: it writes commands and hands every
// reply (or pushed pub/sub message) to a callback, timestamped with performance.now() when its
// bytes arrived. Only what the probe needs: simple strings, errors, integers, bulk strings and
// arrays of them; no reconnects (a dropped link fails the measurement, which is what we want).

import net from 'node:net';
import { performance } from 'node:perf_hooks';

export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError {
  constructor(readonly message: string) {}
}

/**
 * Parses one reply starting at `off`; null when the buffer does not hold it whole yet.
 * Returns the reply and the offset just past it.
 */
export function parseReply(buf: Buffer, off: number): [Reply, number] | null {
  if (off >= buf.length) return null;
  const nl = buf.indexOf('\r\n', off);
  if (nl < 0) return null;
  const type = buf[off];
  const line = buf.toString('utf8', off + 1, nl);
  const next = nl + 2;
  switch (type) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [new ReplyError(line), next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: { // $
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [buf.toString('utf8', next, next + len), next + len + 2];
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, at);
        if (r === null) return null;
        items.push(r[0]);
        at = r[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`unexpected RESP type byte ${String(type)}`);
  }
}

export function encodeCommand(args: readonly string[]): string {
  let req = `*${args.length}\r\n`;
  for (const a of args) req += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return req;
}

/** A connection that reports each reply with its arrival time. */
export class RespConnection {
  readonly #sock: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #closed = false;
  #error: Error | null = null;

  private constructor(sock: net.Socket, onReply: (r: Reply, at: number) => void) {
    this.#sock = sock;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      const at = performance.now();
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      let off = 0;
      try {
        for (;;) {
          const r = parseReply(this.#buf, off);
          if (r === null) break;
          off = r[1];
          onReply(r[0], at);
        }
      } catch (e) {
        // Unparseable input: the connection is unusable; `problem` reports it.
        this.#error = e instanceof Error ? e : new Error(String(e));
        sock.destroy();
        return;
      }
      this.#buf = off >= this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(off);
    });
    sock.on('error', (e) => {
      this.#error = e;
    });
    sock.on('close', () => {
      this.#closed = true;
    });
  }

  /** Connects to 127.0.0.1:port (rejecting after timeoutMs); replies go to onReply. */
  static open(port: number, onReply: (r: Reply, at: number) => void, timeoutMs: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect to :${port} timed out`));
      }, timeoutMs);
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new RespConnection(sock, onReply));
      });
    });
  }

  send(args: readonly string[]): void {
    this.#sock.write(encodeCommand(args));
  }

  /** Why the connection is unusable (closed or failed), or null while it works. */
  get problem(): string | null {
    if (this.#error !== null) return this.#error.message;
    return this.#closed ? 'connection closed' : null;
  }

  close(): void {
    this.#sock.destroy();
  }
}
