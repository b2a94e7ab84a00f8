// Accepting connections with a single shared read buffer.
//
// By default Node allocates a fresh 64 KB buffer for every socket read and hands it to a
// 'data' listener through the stream machinery. With net.Socket's `onread` option, reads land
// in one buffer we own and go straight to a callback: measured here, that cuts the server's
// user CPU per pipelined request by about a third (bench/results/server-core.md). Node offers
// `onread` only for sockets it constructs from options, so an accepted socket is created
// paused and its handle re-wrapped in a Socket built with `onread`. If the handle is not
// reachable (a future Node), the plain socket is used with 'data' events.
//
// Contract: the chunk passed to `onChunk` is valid only during the call (see Client.receive).

import net from 'node:net';
import { DIRECT_READ } from './client.js';
import { READ_BYTES } from './read-share.js';

/** One read buffer for all connections: reads are processed synchronously, one at a time. */
const READ_BUFFER = Buffer.allocUnsafeSlow(READ_BYTES);

interface HandleOwner {
  _handle: unknown;
}

/**
 * Re-wraps a socket accepted with pauseOnConnect so its reads call onChunk(chunk) with a view
 * of the shared buffer. Returns the socket to use (the new one, or the original as fallback,
 * resumed and marked for 'data' events).
 */
export function adoptSocket(accepted: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  if (handle === null || handle === undefined) {
    accepted.resume();
    return accepted;
  }
  owner._handle = null;
  const options = {
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (n: number, buf: Buffer): boolean => {
        onChunk(buf.subarray(0, n));
        return true;
      },
    },
  } as unknown as net.SocketConstructorOpts;
  const socket = new net.Socket(options);
  (socket as net.Socket & { [DIRECT_READ]?: boolean })[DIRECT_READ] = true;
  return socket;
}
