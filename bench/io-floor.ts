// The I/O floor of a Node.js RESP server: minimal servers that answer pipelined PINGs without
// parsing, to see what Node's socket path costs before any Shoal code runs. Variants:
//   plain     'data' events and socket.write (Node's stream machinery)
//   onread    one shared read buffer via net.Socket's onread option (what Shoal uses)
//   direct    onread, and writes handed to the socket's handle (no Writable stream)
//   deferred  plain, with writes batched per event-loop turn (Redis's beforeSleep style)
// Run: node dist/bench/io-floor.js <variant> <port>, then drive it with
//   redis-benchmark -p <port> -t ping_mbulk -n 3000000 -c 50 -P 16 -q
// and read the server's CPU time from /proc/<pid>/stat (utime, stime) before and after.
// Results: bench/results/io-path.md.
import net from 'node:net';

const variant = process.argv[2] ?? 'plain';
const port = Number(process.argv[3] ?? 6397);
const PING_LEN = 14; // "*1\r\n$4\r\nPING\r\n"
const PONG = '+PONG\r\n';
const full = Buffer.from(PONG.repeat(16));
const replyFor = (bytes: number): Buffer => {
  const n = Math.floor(bytes / PING_LEN);
  return n === 16 ? full : Buffer.from(PONG.repeat(n));
};

if (variant === 'onread') {
  const shared = Buffer.allocUnsafeSlow(65536);
  net
    .createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
      const owner = accepted as unknown as { _handle: unknown };
      const handle = owner._handle;
      owner._handle = null;
      accepted.destroy();
      const s: net.Socket = new net.Socket({
        handle,
        onread: { buffer: shared, callback: (n: number) => (s.write(replyFor(n)), true) },
      } as unknown as net.SocketConstructorOpts);
      s.on('error', () => {});
    })
    .listen(port, '127.0.0.1');
} else if (variant === 'direct') {
  // onread, and writes handed to the socket's handle with Node's own WriteWrap (as
  // stream_base_commons' writeGeneric does), skipping the Writable machinery. A write the
  // kernel did not take at once stays queued in libuv (kept alive by its request's buffer).
  const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('stream_wrap');
  const WriteWrap = binding.WriteWrap as new () => Record<string, unknown>;
  const shared = Buffer.allocUnsafeSlow(65536);
  const onComplete = (): void => {};
  let req = new WriteWrap();
  net
    .createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
      const owner = accepted as unknown as { _handle: unknown };
      const handle = owner._handle as { writeBuffer(req: unknown, b: Buffer): number };
      owner._handle = null;
      accepted.destroy();
      const s: net.Socket = new net.Socket({
        handle,
        onread: {
          buffer: shared,
          callback: (n: number) => {
            const out = replyFor(n);
            req.handle = handle;
            req.oncomplete = onComplete;
            req.buffer = out;
            handle.writeBuffer(req, out);
            if ((binding.streamBaseState as Int32Array)[binding.kLastWriteWasAsync as number] !== 0) req = new WriteWrap();
            return true;
          },
        },
      } as unknown as net.SocketConstructorOpts);
      s.on('error', () => {});
    })
    .listen(port, '127.0.0.1');
} else if (variant === 'deferred') {
  const pending = new Map<net.Socket, Buffer>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    for (const [s, b] of pending) s.write(b);
    pending.clear();
  };
  net
    .createServer({ noDelay: true }, (s) => {
      s.on('data', (d: Buffer) => {
        pending.set(s, replyFor(d.length));
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
      s.on('error', () => {});
    })
    .listen(port, '127.0.0.1');
} else {
  net
    .createServer({ noDelay: true }, (s) => {
      s.on('data', (d: Buffer) => s.write(replyFor(d.length)));
      s.on('error', () => {});
    })
    .listen(port, '127.0.0.1');
}
console.log(`io-floor ${variant} listening on 127.0.0.1:${port} (pid ${process.pid})`);
