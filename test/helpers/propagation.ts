// Test helpers for the effect-propagation stream (src/server/propagate.ts):
//
//   const rec = recordStream(node.server);     // a consumer that keeps every batch
//   ... commands ...
//   rec.commands()                              // every record as strings: [['SET','k','v'], ...]
//   rec.bytes()                                 // the stream as an AOF would hold it (encodeOps)
//   rec.stop();
//
// parseCommands() reads such a stream back (RESP multibulk commands only), e.g. Redis's own
// appendonlydir/*.incr.aof.

import type { Server } from '../../src/server/server.js';
import { encodeOps, type PropagatedOp } from '../../src/server/propagate.js';

export interface StreamRecorder {
  /** Every batch received, in order (a batch is one execution unit). */
  readonly batches: PropagatedOp[][];
  /** The stream encoded with one selected-database state, as one AOF would be. */
  bytes(): Buffer;
  /** Every record, flattened, with arguments as latin1 strings (SELECTs not included). */
  commands(): string[][];
  /** Batches as arrays of latin1 commands. */
  units(): string[][][];
  /** Forgets what was recorded so far (the encoder keeps its selected database). */
  clear(): void;
  /** Removes the consumer. */
  stop(): void;
}

/** Adds a recording consumer to srv's propagation stream. */
export function recordStream(srv: Server): StreamRecorder {
  const batches: PropagatedOp[][] = [];
  const chunks: Buffer[] = [];
  const state = { selectedDb: -1 };
  const stop = srv.propagation.addConsumer((ops) => {
    // Records are valid during this call only (views of the request): keep copies.
    batches.push(ops.map((op) => ({ db: op.db, argv: op.argv.map((a) => Buffer.from(a)) })));
    chunks.push(encodeOps(ops, state));
  });
  const asStrings = (op: PropagatedOp): string[] => op.argv.map((a) => a.toString('latin1'));
  return {
    batches,
    bytes: () => Buffer.concat(chunks),
    commands: () => batches.flat().map(asStrings),
    units: () => batches.map((b) => b.map(asStrings)),
    clear: () => {
      batches.length = 0;
      chunks.length = 0;
    },
    stop,
  };
}

/**
 * Splits a stream of RESP multibulk commands into argument vectors. Throws on anything else
 * or on a truncated command (an AOF being written is read only once its writer is idle).
 */
export function parseCommands(buf: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  let i = 0;
  const line = (): string => {
    const end = buf.indexOf('\r\n', i, 'latin1');
    if (end < 0) throw new Error(`truncated stream at offset ${i}`);
    const s = buf.toString('latin1', i, end);
    i = end + 2;
    return s;
  };
  while (i < buf.length) {
    const head = line();
    if (!/^\*\d+$/.test(head)) throw new Error(`expected a multibulk header, got ${JSON.stringify(head)}`);
    const argc = Number(head.slice(1));
    const argv: Buffer[] = [];
    for (let k = 0; k < argc; k++) {
      const len = line();
      if (!/^\$\d+$/.test(len)) throw new Error(`expected a bulk header, got ${JSON.stringify(len)}`);
      const n = Number(len.slice(1));
      if (i + n + 2 > buf.length) throw new Error(`truncated bulk at offset ${i}`);
      argv.push(buf.subarray(i, i + n));
      i += n + 2;
    }
    out.push(argv);
  }
  return out;
}

/** Encodes argument vectors as RESP multibulk commands (the inverse of parseCommands). */
export function encodeCommands(cmds: readonly (readonly Buffer[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const argv of cmds) {
    parts.push(Buffer.from(`*${argv.length}\r\n`, 'latin1'));
    for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`, 'latin1'), a, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}
