// A scripted replication master for replica tests: a TCP server on 127.0.0.1 that records
// every command a replica sends (as argument lists) and lets the test answer byte for byte, so
// the handshake, keepalives, payload framing and stream offsets can be driven exactly.
//
//   const fm = await FakeMaster.start();
//   const conn = await fm.accepted();          // the replica connected
//   assert.deepEqual(await conn.command(), ['PING']);
//   conn.send('+PONG\r\n');
//   ...; await fm.close();

import net from 'node:net';
import { RequestParser } from '../../src/protocol/request-parser.js';

/** One connection from the replica. */
export class FakeConn {
  readonly socket: net.Socket;
  readonly #parser = new RequestParser({ protoMaxBulkLen: 1 << 30, authRequired: false });
  readonly #queue: string[][] = [];
  #waiters: Array<(argv: string[]) => void> = [];
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#parser.feed(chunk);
      for (;;) {
        const argv = this.#parser.next();
        if (argv === null) break;
        const strs = argv.map((a) => a.toString('latin1'));
        const w = this.#waiters.shift();
        if (w !== undefined) w(strs);
        else this.#queue.push(strs);
      }
      this.#parser.detach();
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** The next command the replica sent (waits up to `ms`). */
  command(ms = 10_000): Promise<string[]> {
    const q = this.#queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(new Error('no command from the replica in time'));
      }, ms);
      const done = (argv: string[]): void => {
        clearTimeout(t);
        resolve(argv);
      };
      this.#waiters.push(done);
    });
  }

  /** The next command that is not a REPLCONF ACK (ACKs arrive once a second). */
  async commandSkippingAcks(ms = 10_000): Promise<string[]> {
    for (let i = 0; i < 100; i++) {
      const c = await this.command(ms);
      if (!(c[0]?.toUpperCase() === 'REPLCONF' && c[1]?.toUpperCase() === 'ACK')) return c;
    }
    throw new Error('only ACKs');
  }

  /** The next REPLCONF ACK's offset (other commands are skipped). */
  async ack(ms = 10_000): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const c = await this.command(ms);
      if (c[0]?.toUpperCase() === 'REPLCONF' && c[1]?.toUpperCase() === 'ACK') return Number(c[2]);
    }
    throw new Error('no ACK');
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  end(): void {
    this.socket.destroy();
  }
}

export class FakeMaster {
  readonly server: net.Server;
  readonly port: number;
  readonly #pending: FakeConn[] = [];
  #waiters: Array<(c: FakeConn) => void> = [];
  readonly conns: FakeConn[] = [];

  private constructor(server: net.Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(): Promise<FakeMaster> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as net.AddressInfo;
    const fm = new FakeMaster(server, addr.port);
    server.on('connection', (s) => {
      const c = new FakeConn(s);
      fm.conns.push(c);
      const w = fm.#waiters.shift();
      if (w !== undefined) w(c);
      else fm.#pending.push(c);
    });
    return fm;
  }

  /** The next connection from the replica (waits up to `ms`). */
  accepted(ms = 10_000): Promise<FakeConn> {
    const c = this.#pending.shift();
    if (c !== undefined) return Promise.resolve(c);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the replica did not connect in time')), ms);
      this.#waiters.push((conn) => {
        clearTimeout(t);
        resolve(conn);
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.end();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A command as the master's stream carries it (RESP array). */
export function streamCommand(...args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return Buffer.from(s, 'utf8');
}
