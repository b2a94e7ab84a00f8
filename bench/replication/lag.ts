// The replication benchmark's lag scenario: how long a write on a master takes to show on its
// replica while the master is under redis-benchmark SET load.
//
// Each pair (master kind / replica kind) is a master and one replica that stay up for the whole
// scenario; runs alternate the pairs within each repetition. In a run, redis-benchmark writes
// to the master while a probe, on its own connection, sends `SET probe:<i> x` every probeMs and
// records when it sent it and when the +OK came back. The replica has notify-keyspace-events
// K$ and a subscriber on it (PSUBSCRIBE __keyspace@0__:probe:*) records when the event for
// probe:<i> arrives. lag = arrival − ack (the time a client that saw its write acknowledged
// waits for it on the replica; it can be slightly negative when the replica's event beats
// the master's reply to us) and arrival − send. Meanwhile INFO replication is sampled on the
// master: Shoal's lag_bytes / lag_ms of the slave0 line, and the acknowledged-offset gap
// (replicas acknowledge once a second, so the gap is coarse). After the load: how long until
// every sent probe has arrived (bounded by drainMs: what has not arrived by then is counted
// missing) and until the replica's offset reaches the master's (catch-up).

import { performance } from 'node:perf_hooks';
import { commandLine, runBenchmark, setRealtime, sleep } from '../lib.js';
import { parseBenchmarkText, percentile, type LatencyReport } from '../engine/measure.js';
import { fmtInt } from '../engine/report.js';
import { deathNote, exited } from '../persistence/servers.js';
import {
  expectReply, log, pairSides, replInfo, startMaster, startReplica, stopAll, waitInSync, type NodeContext, type PairName, type PServer,
} from './nodes.js';
import { RespConnection, ReplyError, type Reply } from './resp.js';

export interface LagOptions {
  ctx: NodeContext;
  benchmarkBin: string;
  pairs: readonly PairName[];
  n: number;
  pipeline: number;
  clients: number;
  random: number;
  value: number;
  reps: number;
  /** Probe period (ms). */
  probeMs: number;
  /** INFO replication sampling period on the master (ms). */
  infoMs: number;
  /** Longest wait after the load for probes still in flight (ms). */
  drainMs: number;
  runTimeoutSec: number | null;
  /** Run this process's event loop at a real-time priority during each load (setRealtime). */
  realtime: boolean;
}

export interface LagRun {
  pair: PairName;
  rep: number;
  sent: number;
  acked: number;
  arrived: number;
  /** Per probe that arrived: arrival − ack and arrival − send (ms). */
  lagAck: number[];
  /** Largest arrival − ack of the probes sent in each 500 ms of the run (ms; NaN: none arrived). */
  lagByHalfSecond: number[];
  lagSend: number[];
  /** Probe SET round trips on the master (ms). */
  rtt: number[];
  load: LatencyReport | null;
  /** From the end of the load until the replica had applied the master's whole stream (ms). */
  catchUpMs: number | null;
  /** INFO samples of the master's slave0 line: Shoal's lag_bytes / lag_ms, and the acked-offset gap. */
  infoLagBytes: number[];
  infoLagMs: number[];
  infoGap: number[];
  failure: string | null;
}

export interface LagResult {
  opts: Omit<LagOptions, 'ctx' | 'benchmarkBin' | 'runTimeoutSec'>;
  /** Why the harness could not run at real-time priority (null: it did, or was not asked to). */
  realtimeFailure: string | null;
  runs: LagRun[];
  setupFailures: Map<PairName, string>;
  commands: string[];
}

const PATTERN = '__keyspace@0__:probe:*';
const CHANNEL_PREFIX = '__keyspace@0__:probe:';
const SETUP_MS = 120_000;
/**
 * Wait between the pairs' setup and the first run: Redis's replica delivers the stream of its
 * first second after a full sync late (probes sent then, without any load, arrived up to 700 ms
 * behind; 3 s later, on time: bench/lag-pair.sh), which showed as a stall at the start of the
 * first run's load.
 */
const SETTLE_MS = 3_000;
const CONNECT_MS = 5_000;

function benchmarkArgs(port: number, o: LagOptions): string[] {
  return [
    '-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-P', String(o.pipeline), '-c', String(o.clients),
    '-r', String(o.random), '-d', String(o.value), '-n', String(o.n),
  ];
}

/** The probe of one run: writer on the master, subscriber on the replica. */
class Probe {
  readonly sent: number[] = [];
  readonly acked: number[] = [];
  readonly arrived = new Map<number, number>();
  #writer: RespConnection | null = null;
  #sub: RespConnection | null = null;
  #subscribed = false;
  #timer: NodeJS.Timeout | null = null;
  #error: string | null = null;

  /** Opens both connections and waits for the subscription to be confirmed. */
  async open(master: PServer, replica: PServer): Promise<void> {
    this.#sub = await RespConnection.open(replica.port, (r, at) => this.#onEvent(r, at), CONNECT_MS);
    this.#sub.send(['PSUBSCRIBE', PATTERN]);
    const t0 = performance.now();
    while (!this.#subscribed && performance.now() - t0 < CONNECT_MS) await sleep(5);
    if (!this.#subscribed) throw new Error(`no PSUBSCRIBE confirmation from the replica${this.#error !== null ? `: ${this.#error}` : ''}`);
    this.#writer = await RespConnection.open(master.port, (r, at) => this.#onAck(r, at), CONNECT_MS);
  }

  #onEvent(r: Reply, at: number): void {
    if (!Array.isArray(r)) {
      if (r instanceof ReplyError) this.#error = `subscriber: ${r.message}`;
      return;
    }
    if (r[0] === 'psubscribe') this.#subscribed = true;
    else if (r[0] === 'pmessage' && typeof r[2] === 'string' && r[2].startsWith(CHANNEL_PREFIX)) {
      const i = Number(r[2].slice(CHANNEL_PREFIX.length));
      if (Number.isInteger(i) && !this.arrived.has(i)) this.arrived.set(i, at);
    }
  }

  #onAck(r: Reply, at: number): void {
    if (r instanceof ReplyError) this.#error = `probe SET: ${r.message}`;
    this.acked.push(at);
  }

  /** Sends a probe every `periodMs` until stop(). */
  start(periodMs: number): void {
    const tick = (): void => {
      const w = this.#writer;
      if (w === null || w.problem !== null) return;
      const i = this.sent.length;
      this.sent.push(performance.now());
      w.send(['SET', `probe:${i}`, 'x']);
    };
    tick();
    this.#timer = setInterval(tick, periodMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** What went wrong on the connections, or null. */
  get problem(): string | null {
    return this.#error ?? this.#writer?.problem ?? this.#sub?.problem ?? null;
  }

  close(): void {
    this.stop();
    this.#writer?.close();
    this.#sub?.close();
  }
}

/** Samples INFO replication on the master every periodMs until stop(). */
class InfoSampler {
  readonly lagBytes: number[] = [];
  readonly lagMs: number[] = [];
  readonly gap: number[] = [];
  #stopped = false;
  #loop: Promise<void> | null = null;

  start(master: PServer, periodMs: number): void {
    this.#loop = (async () => {
      while (!this.#stopped) {
        const tick = performance.now();
        try {
          const m = await replInfo(master);
          const s = m.slaves[0];
          if (s !== undefined && s.state === 'online') {
            if (s.lagBytes !== null) this.lagBytes.push(s.lagBytes);
            if (s.lagMs !== null) this.lagMs.push(s.lagMs);
            this.gap.push(Math.max(0, m.masterReplOffset - s.offset));
          }
        } catch {
          // a slow INFO under load is not a failure of the run; the sample is just missing
        }
        await sleep(Math.max(1, periodMs - (performance.now() - tick)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }
}

/** One run on a pair; failures land in the run. Returns why real-time priority failed, if it did. */
async function runOnce(o: LagOptions, master: PServer, replica: PServer, run: LagRun): Promise<string | null> {
  let realtime = false;
  let realtimeFailure: string | null = null;
  const probe = new Probe();
  const sampler = new InfoSampler();
  try {
    await expectReply(master, ['FLUSHALL'], '+OK');
    await waitInSync(master, [replica], SETUP_MS);
    await probe.open(master, replica);
    sampler.start(master, o.infoMs);
    const timeoutMs = (o.runTimeoutSec ?? 120 + Math.ceil(o.n / 2000)) * 1000;
    const bench = runBenchmark(o.benchmarkBin, benchmarkArgs(master.port, o), timeoutMs, { pinning: o.ctx.pinning, role: 'server' });
    // redis-benchmark is spawned: from here until the replica caught up, this event loop (the
    // probe and its subscriber) runs at a real-time priority.
    if (o.realtime) {
      realtimeFailure = setRealtime(true);
      realtime = realtimeFailure === null;
    }
    probe.start(o.probeMs);
    let out: string;
    try {
      out = await bench;
    } finally {
      probe.stop();
    }
    const loadEnd = performance.now();
    run.load = parseBenchmarkText(out.slice(Math.max(0, out.indexOf('====== SET ======'))));
    for (let i = 0; performance.now() - loadEnd < o.drainMs && i < 1_000_000; i++) {
      if (probe.acked.length >= probe.sent.length && probe.arrived.size >= probe.sent.length) break;
      if (probe.problem !== null) break;
      await sleep(10);
    }
    await waitInSync(master, [replica], SETUP_MS);
    run.catchUpMs = performance.now() - loadEnd;
    if (probe.problem !== null) throw new Error(probe.problem);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const death = (await deathNote(master)) ?? (await deathNote(replica));
    run.failure = death !== null ? `${death} — ${msg}` : msg;
  } finally {
    if (realtime) {
      const back = setRealtime(false);
      if (back !== null) log(`replication: lag: could not leave real-time priority: ${back}`);
    }
    probe.close();
    await sampler.stop();
  }
  run.sent = probe.sent.length;
  run.acked = probe.acked.length;
  run.arrived = probe.arrived.size;
  for (let i = 0; i < probe.sent.length; i++) {
    const sent = probe.sent[i] ?? NaN;
    const ack = probe.acked[i];
    const arr = probe.arrived.get(i);
    if (ack !== undefined) run.rtt.push(ack - sent);
    if (arr === undefined) continue;
    run.lagSend.push(arr - sent);
    if (ack !== undefined) {
      run.lagAck.push(arr - ack);
      const w = Math.floor((sent - (probe.sent[0] ?? sent)) / 500);
      while (run.lagByHalfSecond.length <= w) run.lagByHalfSecond.push(NaN);
      const prev = run.lagByHalfSecond[w] ?? NaN;
      run.lagByHalfSecond[w] = Number.isNaN(prev) ? arr - ack : Math.max(prev, arr - ack);
    }
  }
  run.infoLagBytes = sampler.lagBytes;
  run.infoLagMs = sampler.lagMs;
  run.infoGap = sampler.gap;
  // Leave the pair empty between runs (memory on a shared machine).
  if (!exited(master)) await expectReply(master, ['FLUSHALL'], '+OK').catch(() => undefined);
  return realtimeFailure;
}

/** The lag scenario: every pair up, then reps × pairs runs, alternating the pairs. */
export async function runLag(o: LagOptions): Promise<LagResult> {
  const ctx = o.ctx;
  const result: LagResult = {
    opts: {
      pairs: o.pairs, n: o.n, pipeline: o.pipeline, clients: o.clients, random: o.random, value: o.value, reps: o.reps,
      probeMs: o.probeMs, infoMs: o.infoMs, drainMs: o.drainMs, realtime: o.realtime,
    },
    realtimeFailure: null,
    runs: [], setupFailures: new Map(),
    commands: [`${commandLine(['redis-benchmark', ...benchmarkArgs(0, o)]).replace('-p 0', '-p M')}   # on the master, every pair`],
  };
  const servers: PServer[] = [];
  const pairs = new Map<PairName, { master: PServer; replica: PServer }>();
  try {
    for (const pair of o.pairs) {
      const sides = pairSides(pair);
      try {
        const master = await startMaster(ctx, sides.master, `lag ${pair}`);
        servers.push(master);
        const replica = await startReplica(ctx, sides.replica, `lag ${pair}`, master);
        servers.push(replica);
        await waitInSync(master, [replica], SETUP_MS);
        await expectReply(replica, ['CONFIG', 'SET', 'notify-keyspace-events', 'K$'], '+OK');
        pairs.set(pair, { master, replica });
        log(`replication: lag: pair ${pair} in sync (master :${master.port}, replica :${replica.port})`);
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 4).join(' / ');
        result.setupFailures.set(pair, msg);
        log(`replication: lag: pair ${pair} could not be set up: ${msg}`);
      }
    }
    if (pairs.size > 0) await sleep(SETTLE_MS);
    const total = o.reps * pairs.size;
    let k = 0;
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const [pair, { master, replica }] of pairs) {
        k++;
        const run: LagRun = {
          pair, rep, sent: 0, acked: 0, arrived: 0, lagAck: [], lagByHalfSecond: [], lagSend: [], rtt: [], load: null, catchUpMs: null,
          infoLagBytes: [], infoLagMs: [], infoGap: [], failure: null,
        };
        result.runs.push(run);
        if (exited(master) || exited(replica)) {
          run.failure = (await deathNote(master)) ?? (await deathNote(replica)) ?? 'not running';
          continue;
        }
        const rtFailure = await runOnce(o, master, replica, run);
        if (rtFailure !== null && result.realtimeFailure === null) {
          result.realtimeFailure = rtFailure;
          log(`replication: lag: the harness runs at normal priority (${rtFailure}): its own late wake-ups will show in the lag`);
        }
        const p99 = percentile([...run.lagAck].sort((a, b) => a - b), 99);
        log(
          `replication: lag [${k}/${total}] ${pair.padEnd(11)}: SET ${fmtInt(run.load?.rps ?? 0)} rps, probes ${run.arrived}/${run.sent} arrived, ` +
            `p99 arrival−ack ${p99.toFixed(2)} ms, catch-up ${run.catchUpMs === null ? '–' : `${fmtInt(run.catchUpMs)} ms`}` +
            (run.failure !== null ? `; FAILED: ${run.failure}` : ''),
        );
        log(`replication: lag: largest arrival−ack per 0.5 s of probes, ms: ${run.lagByHalfSecond.map((x) => (Number.isNaN(x) ? '–' : x.toFixed(0))).join(' ')}`);
      }
    }
  } finally {
    await stopAll(servers);
  }
  return result;
}
