// The replication benchmark's apply scenario: how fast a replica applies its master's stream,
// with nothing else on the measurement. A scripted master in this process (no redis-server or
// Shoal master, no redis-benchmark) answers the replica's handshake with an empty payload, then
// writes a stream of SETs as redis-benchmark's would propagate it (SET key:<12 digits> <value>,
// keys drawn from -r names by a seeded generator, the same stream for both sides) as fast as
// the replica reads it, and ends each part with REPLCONF GETACK *: a part is applied when the
// replica acknowledges its last byte (the ACK the GETACK draws at once). Per part: the wall
// time, the replica process's CPU time (all threads, and the main thread alone where /proc
// says), hence SETs per second and CPU µs per SET. The replica runs pinned on the "load" CPU, alone; this process (whose sends cost CPU
// too: on loopback the sender's system call carries the data into the receiver's socket) is
// pinned on the other for the scenario.
//
// It measures the capacity the lag scenario depends on: a replica that applies fewer SETs a
// second than its master accepts trails further for as long as the load lasts. The first part
// of a fresh process includes its start-up (a Shoal replica compiles its hot path then), the
// later ones do not. After the stream, the replica's DBSIZE must equal the stream's distinct
// keys, or the run fails.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { RequestParser } from '../../src/protocol/request-parser.js';
import { crc64 } from '../../src/server/persistence/crc64.js';
import { createRng } from '../../src/lib/rng.js';
import { COMMAND_TIMEOUT_MS, allowedCpus, processCpuMs, sleep } from '../lib.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, exited } from '../persistence/servers.js';
import { dbsizeOf, expectReply, log, replInfo, startReplica, stopAll, type NodeContext, type PServer, type Side } from './nodes.js';

export interface ApplyOptions {
  ctx: NodeContext;
  sides: readonly Side[];
  /** SETs in the stream, split into `parts` equal parts. */
  n: number;
  parts: number;
  /** Key names drawn from (redis-benchmark -r). */
  random: number;
  /** Value bytes. */
  value: number;
  reps: number;
}

export interface ApplyPart {
  sets: number;
  ms: number;
  /** Replica CPU during the part (ms), all threads / the main thread alone (null: unknown). */
  cpuMs: number | null;
  mainCpuMs: number | null;
}

export interface ApplyRun {
  side: Side;
  rep: number;
  parts: ApplyPart[];
  failure: string | null;
}

export interface ApplyResult {
  opts: Omit<ApplyOptions, 'ctx'>;
  runs: ApplyRun[];
  /** Bytes of the stream (without the GETACKs) and its distinct keys. */
  streamBytes: number;
  distinctKeys: number;
}

const LINK_MS = 30_000;
const PART_MS = 300_000;
const REPLID = 'f'.repeat(40);

/** An empty RDB (version 9, which redis-server 7.0 and Shoal both load), with its checksum. */
function emptyRdb(): Buffer {
  const body = Buffer.from('REDIS0009\xff', 'latin1');
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, sum]);
}

/** The stream's parts (the first one starts with SELECT 0) and its distinct keys. */
function buildStream(o: ApplyOptions): { parts: Buffer[]; distinct: number } {
  const value = 'x'.repeat(o.value);
  const head = `*3\r\n$3\r\nSET\r\n$16\r\n`;
  const tail = `\r\n$${o.value}\r\n${value}\r\n`;
  const per = head.length + 16 + tail.length;
  const rng = createRng(0x5e7); // seeded: both sides get the same stream
  const seen = new Uint8Array(o.random);
  let distinct = 0;
  const parts: Buffer[] = [];
  let done = 0;
  for (let p = 0; p < o.parts; p++) {
    const sets = Math.floor((o.n * (p + 1)) / o.parts) - done;
    const select = p === 0 ? '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n' : '';
    const b = Buffer.allocUnsafe(select.length + sets * per);
    let off = b.write(select, 0, 'latin1');
    for (let i = 0; i < sets; i++) {
      const k = rng.int(o.random);
      if (seen[k] === 0) {
        seen[k] = 1;
        distinct++;
      }
      off += b.write(head, off, 'latin1');
      off += b.write(`key:${String(k).padStart(12, '0')}`, off, 'latin1');
      off += b.write(tail, off, 'latin1');
    }
    parts.push(b);
    done += sets;
  }
  return { parts, distinct };
}

const GETACK = Buffer.from('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n', 'latin1');

/** The scripted master: one replica connection at a time. */
class ScriptedMaster {
  readonly server: net.Server;
  #conn: net.Socket | null = null;
  #acked = -1;
  #ackWaiters: Array<() => void> = [];
  #synced = false;

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async start(): Promise<ScriptedMaster> {
    const server = net.createServer();
    const m = new ScriptedMaster(server);
    server.on('connection', (s) => m.#accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return m;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get synced(): boolean {
    return this.#synced;
  }

  #accept(s: net.Socket): void {
    if (this.#conn !== null) {
      s.destroy();
      return;
    }
    this.#conn = s;
    s.setNoDelay(true);
    const parser = new RequestParser({ protoMaxBulkLen: 1 << 20, authRequired: false });
    s.on('data', (chunk: Buffer) => {
      parser.feed(chunk);
      for (;;) {
        const argv = parser.next();
        if (argv === null) break;
        this.#command(s, argv.map((a) => a.toString('latin1')));
      }
      parser.detach();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.#conn === s) this.#conn = null;
      this.#wake();
    });
  }

  #command(s: net.Socket, argv: string[]): void {
    const name = (argv[0] ?? '').toUpperCase();
    if (name === 'PING') s.write('+PONG\r\n');
    else if (name === 'REPLCONF' && (argv[1] ?? '').toUpperCase() === 'ACK') {
      const off = Number(argv[2]);
      if (off > this.#acked) this.#acked = off;
      this.#wake();
    } else if (name === 'REPLCONF' || name === 'AUTH') s.write('+OK\r\n');
    else if (name === 'PSYNC' || name === 'SYNC') {
      const rdb = emptyRdb();
      s.write(`+FULLRESYNC ${REPLID} 0\r\n$${rdb.length}\r\n`);
      s.write(rdb);
      this.#synced = true;
    } else s.write(`-ERR unexpected '${name}' in the benchmark's scripted master\r\n`);
  }

  #wake(): void {
    const w = this.#ackWaiters;
    this.#ackWaiters = [];
    for (const f of w) f();
  }

  /** Writes `bytes` then a GETACK and resolves once the replica acknowledged `offset` (the end of `bytes`). */
  async send(bytes: Buffer, offset: number, deadlineMs: number): Promise<void> {
    const s = this.#conn;
    if (s === null) throw new Error('the replica is not connected');
    s.write(bytes);
    s.write(GETACK);
    const t0 = performance.now();
    while (this.#acked < offset) {
      if (this.#conn !== s) throw new Error('the replica dropped the link');
      if (performance.now() - t0 > deadlineMs) throw new Error(`the replica acknowledged ${this.#acked} of ${offset} after ${deadlineMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.#ackWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#conn?.destroy();
    this.server.close();
  }
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b - a;
}

async function one(o: ApplyOptions, side: Side, rep: number, stream: { parts: Buffer[]; distinct: number }): Promise<ApplyRun> {
  const run: ApplyRun = { side, rep, parts: [], failure: null };
  const started: PServer[] = [];
  const master = await ScriptedMaster.start();
  try {
    const replica = await startReplica(o.ctx, side, `apply ${side}`, null);
    started.push(replica);
    await expectReply(replica, ['REPLICAOF', '127.0.0.1', String(master.port)], '+OK');
    const t0 = performance.now();
    for (;;) {
      if (master.synced && (await replInfo(replica)).linkUp) break;
      if (performance.now() - t0 > LINK_MS) throw new Error(`link not up after ${LINK_MS / 1000} s`);
      await sleep(20);
    }
    let offset = 0;
    const pid = replica.serverPid;
    for (const [p, bytes] of stream.parts.entries()) {
      // The ACK a GETACK draws counts the bytes before it (a replica answers while the GETACK
      // runs, before its own bytes count, as Redis's does): waiting for its own bytes too would
      // wait for the next once-a-second ACK.
      offset += bytes.length;
      const cpu0 = processCpuMs(pid);
      const main0 = processCpuMs(pid, pid);
      const t = performance.now();
      await master.send(bytes, offset, PART_MS);
      const ms = performance.now() - t;
      offset += GETACK.length;
      const sets = Math.floor((o.n * (p + 1)) / o.parts) - Math.floor((o.n * p) / o.parts);
      run.parts.push({ sets, ms, cpuMs: diff(cpu0, processCpuMs(pid)), mainCpuMs: diff(main0, processCpuMs(pid, pid)) });
    }
    const keys = await dbsizeOf(replica);
    if (keys !== stream.distinct) throw new Error(`DBSIZE ${keys} after the stream, want ${stream.distinct}`);
    const whole = run.parts.reduce((s, x) => s + x.ms, 0);
    log(`apply ${side} rep ${rep + 1}: ${fmtInt(o.n)} SETs in ${(whole / 1000).toFixed(2)} s (${run.parts.map((x) => fmtInt((x.sets * 1000) / x.ms)).join(' / ')} SET/s by part)`);
  } catch (e) {
    const dead = started.length > 0 && exited(started[0] as PServer) ? await deathNote(started[0] as PServer) : null;
    run.failure = dead ?? (e instanceof Error ? e.message : String(e));
    log(`apply ${side} rep ${rep + 1}: failed: ${run.failure}`);
  } finally {
    master.close();
    await stopAll(started);
  }
  return run;
}

/** Pins every thread of this process on `cpus` (taskset -a -p); false if it could not. */
function pinSelf(taskset: string, cpus: string): boolean {
  try {
    execFileSync(taskset, ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

export async function runApply(o: ApplyOptions): Promise<ApplyResult> {
  const pinning = o.ctx.pinning;
  const allowed = allowedCpus();
  const pinned = pinning !== null && allowed !== null && pinSelf(pinning.taskset, String(pinning.server));
  try {
    return await applyRuns(o);
  } finally {
    if (pinned && pinning !== null && allowed !== null) pinSelf(pinning.taskset, allowed.join(','));
  }
}

async function applyRuns(o: ApplyOptions): Promise<ApplyResult> {
  const stream = buildStream(o);
  const streamBytes = stream.parts.reduce((s, b) => s + b.length, 0);
  log(`apply: stream of ${fmtInt(o.n)} SETs, ${fmtInt(streamBytes)} bytes, ${fmtInt(stream.distinct)} distinct keys`);
  const runs: ApplyRun[] = [];
  for (let rep = 0; rep < o.reps; rep++) for (const side of o.sides) runs.push(await one(o, side, rep, stream));
  const { ctx: _ctx, ...opts } = o;
  return { opts, runs, streamBytes, distinctKeys: stream.distinct };
}
