// Hit-rate simulator (issue 5, eviction): replays seeded Zipf and scan-polluted workloads against
// each maxmemory-policy with the cache sized at 1 %, 10 % and 30 % of the keyspace, and reports the
// hit rate beside an exact-LRU reference, Belady's offline optimum, and a real redis-server under
// the same maxmemory and workload (and Shoal, with --shoal).
//
//   npm run bench:hitrate                                  # defaults: 100,000 keys, 1,000,000 requests
//   npm run bench:hitrate -- --keys 10000 --workloads zipf-0.99 --policies allkeys-lru --no-save
//   npm run bench:hitrate -- --shoal                       # adds the Shoal column
//
// Workloads (bench/hitrate/workload.ts): Zipf with s = 0.8, 0.99 and 1.2 over N keys (exact
// sampler: cumulative weights + binary search), and "scan": Zipf 0.99 with 20 % of the requests in
// sequential runs of N/100 cold keys that are each requested once. Seeded: every run replays the
// same requests.
//
// References (bench/hitrate/reference.ts), in process, sized in keys: exact LRU, and Belady's OPT
// (evict the key needed farthest in the future; every miss admitted, as the servers are driven) —
// the best any eviction policy can do on the trace.
//
// Servers: driven as a look-aside cache: GET k, and SET k <value> after a miss, pipelined
// (bench/hitrate/replay.ts). maxmemory is sized from a measured bytes-per-key figure and corrected
// during the warm-up so that the intended number of keys fits (bench/hitrate/runner.ts); DBSIZE
// after each run shows how many did. A server that keeps far more keys than fit is reported as
// "no eviction", one that refuses SETs as "OOM". The first --warmup % of the requests fill the
// cache and are not counted, for the references too.
//
// Reading the figures: Redis's LRU and LFU are approximations (maxmemory-samples keys sampled per
// eviction, a pool of 16 candidates), and its LRU clock ticks once a second, so a replay that runs
// at hundreds of thousands of requests per second gives allkeys-lru little to tell keys apart by:
// it then lands near allkeys-random. --rate paces the replay to show the difference.
//
// Results: a markdown report on stdout, prepended (newest first) to bench/results/hitrate.md.
// Every process started here is killed by PID at the end, on errors and on SIGINT/SIGTERM.
// Environment: REDIS_SERVER, BENCH_SHOAL_CMD (see bench/README.md).

import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  UsageError, commandLine, cpuModel, firstLine, parsePositiveInt, prependResults, which, eachOption, reportOption, runBench,
} from './lib.js';
import { simulateLru, simulateOpt, nextUses } from './hitrate/reference.js';
import { RespConnection, MAX_KEY_ID, keyName } from './hitrate/replay.js';
import { ALL_POLICIES, VOLATILE_TTL_SECONDS, calibrate, isVolatile, prime, runCell } from './hitrate/runner.js';
import {
  cellKey, describeWorkload, fmtInt, fmtPct, renderCalibration, renderKept, renderWorkload,
  type ReportInput, type SideResult, type WorkloadResult,
} from './hitrate/report.js';
import { exited, launch, log, packageRoot, stop, type Launched, type Side } from './hitrate/servers.js';
import { generateTrace, standardWorkloads, type WorkloadSpec } from './hitrate/workload.js';

// ---------------------------------------------------------------------------------------------
// Options

/** Whether the Shoal column is measured without --shoal: flip once Shoal evicts. */
const SHOAL_BY_DEFAULT = false;

const DEFAULT_KEYS = 100_000;
const DEFAULT_SIZES = [0.01, 0.1, 0.3];
const DEFAULT_WARMUP = 0.1;
const DEFAULT_BATCH = 100;
const DEFAULT_VALUE = 100;
const DEFAULT_SCAN_FRACTION = 0.2;
const DEFAULT_SEED = 1;
const STALL_MS = 30_000;
const RESULTS_HEADER =
  '# Hit-rate simulator results\n\n' +
  'Newest first. Written by `npm run bench:hitrate` (bench/hitrate.ts, whose header and `--help` explain the method).\n' +
  'Hit rates of each maxmemory-policy beside an exact-LRU reference and Belady\'s offline optimum, on the same\n' +
  'seeded request streams; the servers run in the same session under the same workload and cache size.\n';

interface Options {
  keys: number;
  requests: number | null;
  sizes: number[];
  workloads: string[] | null;
  policies: string[];
  seed: number;
  warmup: number;
  batch: number;
  value: number;
  scanFraction: number;
  scanLength: number | null;
  samples: number | null;
  rate: number | null;
  redis: boolean;
  shoal: boolean;
  out: string | null;
  note: string | null;
}

const USAGE = `Usage: node dist/bench/hitrate.js [options]
  --keys N            Zipf keyspace size N (default ${fmtInt(DEFAULT_KEYS)})
  --requests N        requests per workload (default 10 × N)
  --sizes LIST        cache sizes in % of N (default 1,10,30)
  --workloads LIST    zipf-0.8, zipf-0.99, zipf-1.2, scan (default all four)
  --policies LIST     maxmemory policies (default: ${ALL_POLICIES.join(',')});
                      volatile-* rows give every key a TTL of ${fmtInt(VOLATILE_TTL_SECONDS)} s
  --seed N            workload seed (default ${DEFAULT_SEED})
  --warmup PCT        first PCT % of the requests are not counted (default ${DEFAULT_WARMUP * 100})
  --batch N           GETs per pipelined round trip (default ${DEFAULT_BATCH})
  --value BYTES       value size SET on a miss (default ${DEFAULT_VALUE})
  --scan-fraction PCT scan workload: % of requests in scans (default ${DEFAULT_SCAN_FRACTION * 100})
  --scan-length N     scan workload: cold keys per scan (default N / 100)
  --samples N         CONFIG SET maxmemory-samples N on the servers (default: theirs, 5)
  --rate N            pace each replay to N requests/s (default: as fast as the server answers)
  --shoal             also run a Shoal node (default ${SHOAL_BY_DEFAULT ? 'on' : 'off'}; --no-shoal turns it off)
  --no-redis          skip redis-server (references only, plus Shoal with --shoal)
  --out FILE          results file to prepend to (default bench/results/hitrate.md)
  --no-save           print the report only
  --note TEXT         a line for the report
Environment: REDIS_SERVER, BENCH_SHOAL_CMD (see bench/README.md).`;

/** A percentage argument in (0, max], returned as a fraction. */
function parsePercent(flag: string, raw: string | undefined, max: number): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new UsageError(`${flag} needs a percentage above 0 and at most ${max}`);
  }
  return v / 100;
}

function parseList(flag: string, raw: string | undefined): string[] {
  const list = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`${flag} needs a comma-separated list`);
  return [...new Set(list)];
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    keys: DEFAULT_KEYS, requests: null, sizes: DEFAULT_SIZES, workloads: null, policies: [...ALL_POLICIES],
    seed: DEFAULT_SEED, warmup: DEFAULT_WARMUP, batch: DEFAULT_BATCH, value: DEFAULT_VALUE,
    scanFraction: DEFAULT_SCAN_FRACTION, scanLength: null, samples: null, rate: null, redis: true, shoal: SHOAL_BY_DEFAULT,
    out: path.join(packageRoot(), 'bench', 'results', 'hitrate.md'), note: null,
  };
  eachOption(argv, USAGE, (arg, take) => {
    switch (arg) {
      case '--keys':
        o.keys = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--requests':
        o.requests = parsePositiveInt(arg, take(), 1_000_000_000);
        break;
      case '--sizes':
        o.sizes = parseList(arg, take()).map((s) => parsePercent(arg, s, 100)).sort((a, b) => a - b);
        break;
      case '--workloads':
        o.workloads = parseList(arg, take());
        break;
      case '--policies': {
        const list = parseList(arg, take());
        for (const p of list) if (!ALL_POLICIES.includes(p)) throw new UsageError(`unknown policy '${p}' (${ALL_POLICIES.join(', ')})`);
        o.policies = ALL_POLICIES.filter((p) => list.includes(p));
        break;
      }
      case '--seed':
        o.seed = parsePositiveInt(arg, take(), 2 ** 32 - 1);
        break;
      case '--warmup': {
        const raw = take();
        o.warmup = raw === '0' ? 0 : parsePercent(arg, raw, 99);
        break;
      }
      case '--batch':
        o.batch = parsePositiveInt(arg, take(), 100_000);
        break;
      case '--value':
        o.value = parsePositiveInt(arg, take(), 1_000_000);
        break;
      case '--scan-fraction':
        o.scanFraction = parsePercent(arg, take(), 90);
        break;
      case '--scan-length':
        o.scanLength = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--samples':
        o.samples = parsePositiveInt(arg, take(), 64);
        break;
      case '--rate':
        o.rate = parsePositiveInt(arg, take(), 100_000_000);
        break;
      case '--shoal':
        o.shoal = true;
        break;
      case '--no-shoal':
        o.shoal = false;
        break;
      case '--no-redis':
        o.redis = false;
        break;
      default:
        return reportOption(arg, take, o);
    }
    return true;
  });
  return o;
}

function selectWorkloads(o: Options): WorkloadSpec[] {
  const all = standardWorkloads(o.keys, o.scanFraction, o.scanLength);
  if (o.workloads === null) return all;
  const names = o.workloads;
  for (const n of names) {
    if (!all.some((w) => w.name === n)) throw new UsageError(`unknown workload '${n}' (${all.map((w) => w.name).join(', ')})`);
  }
  return all.filter((w) => names.includes(w.name));
}

// ---------------------------------------------------------------------------------------------
// Runs

interface Plan {
  o: Options;
  requests: number;
  warmup: number;
  sizeKeys: number[];
  workloads: WorkloadResult[];
}

/**
 * All cells of one server: per TTL mode and cache size, one calibration, then every workload
 * under every policy of that mode. A failure (server died, stalled) ends the side; the cells
 * measured so far stay in the report.
 */
async function runSide(plan: Plan, side: Side, redisBin: string, launched: Launched[]): Promise<SideResult> {
  const result: SideResult = { side, cells: new Map(), calibrations: new Map(), failure: null };
  let srv: Launched | null = null;
  let conn: RespConnection | null = null;
  const step = { what: 'start' };
  try {
    srv = await launch(side, redisBin);
    launched.push(srv);
    conn = await RespConnection.open(srv.server.port, STALL_MS);
    await prime(conn);
    if (plan.o.samples !== null) await conn.ok(['CONFIG', 'SET', 'maxmemory-samples', String(plan.o.samples)]);
    for (const volatile of [false, true]) {
      const policies = plan.o.policies.filter((p) => isVolatile(p) === volatile);
      if (policies.length === 0) continue;
      const shape = { valueSize: plan.o.value, ttlSeconds: volatile ? VOLATILE_TTL_SECONDS : null };
      const mode = volatile ? 'volatile' : 'allkeys';
      for (let si = 0; si < plan.sizeKeys.length; si++) {
        const k = plan.sizeKeys[si] ?? 1;
        step.what = `calibration (${mode}, ${fmtInt(k)} keys)`;
        const cal = await calibrate(conn, k, shape, plan.o.batch);
        result.calibrations.set(`${mode}|${si}`, cal);
        log(`hitrate: ${side} ${mode}: ${fmtInt(k)} keys take ${cal.bytesPerKey.toFixed(1)} B/key`);
        for (const w of plan.workloads) {
          for (const policy of policies) {
            const name = w.trace.spec.name;
            step.what = `${name} ${policy} ${fmtPct(plan.o.sizes[si] ?? 0)}`;
            const t0 = performance.now();
            const cell = await runCell(conn, {
              trace: w.trace, policy, fraction: plan.o.sizes[si] ?? 0, targetKeys: k, calibration: cal, shape,
              warmup: plan.warmup, batch: plan.o.batch, rate: plan.o.rate,
              progress: (done) => log(`hitrate:   ${side} ${step.what}: ${fmtInt(done)} / ${fmtInt(plan.requests)}`),
            });
            result.cells.set(cellKey(name, policy, si), cell);
            const hr = cell.replay !== null && cell.replay.counted > 0 ? ((100 * cell.replay.hits) / cell.replay.counted).toFixed(2) : '–';
            log(
              `hitrate: ${side} ${step.what}: ${cell.verdict === 'ok' ? `${hr} %` : cell.verdict}, kept ${fmtInt(cell.dbsize ?? 0)} / ${fmtInt(k)}` +
                ` (${((performance.now() - t0) / 1000).toFixed(1)} s)${cell.note !== null ? ` — ${cell.note}` : ''}`,
            );
          }
        }
      }
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const dead = srv !== null && exited(srv) ? ` (${side} exited: ${srv.server.output().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' / ')})` : '';
    result.failure = `${step.what}: ${msg.split('\n')[0] ?? ''}${dead}`;
    log(`hitrate: ${side} stopped: ${result.failure}`);
  } finally {
    conn?.close();
    if (srv !== null) await stop(srv);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report and main

function renderHeader(plan: Plan, input: ReportInput, launched: readonly Launched[], redisBin: string, started: Date, secs: number, loadAtStart: number[]): string {
  const o = plan.o;
  const argv = process.argv.slice(2);
  const lines = [
    `## ${started.toISOString()} — ${fmtInt(o.keys)} keys, ${fmtInt(plan.requests)} requests per workload`,
    '',
    `- machine: ${cpuModel()}, ${os.cpus().length} logical cores, ${os.platform()} ${os.release()}; load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')}`,
    `- node ${process.version}; ${firstLine(redisBin, ['--version'])}`,
    `- command: \`${commandLine(['node', 'dist/bench/hitrate.js', ...argv])}\`` +
      (process.env['BENCH_SHOAL_CMD'] && o.shoal ? ` with \`BENCH_SHOAL_CMD=${commandLine([process.env['BENCH_SHOAL_CMD']])}\`` : ''),
  ];
  if (o.note !== null) lines.push(`- note: ${o.note}`);
  for (const l of launched) {
    lines.push(`- ${l.side} side: \`${l.shown}\`` + (l.overridden ? ' (**BENCH_SHOAL_CMD override — not necessarily Shoal**)' : ''));
  }
  if (!o.shoal) lines.push('- shoal: not run (pass `--shoal`)');
  if (!o.redis) lines.push('- redis: not run (`--no-redis`)');
  for (const s of input.sides) if (s.failure !== null) lines.push(`- **${s.side} stopped early:** ${s.failure}`);
  const volatileRows = o.policies.some(isVolatile)
    ? [`- volatile-* rows: every key is SET with \`EX ${VOLATILE_TTL_SECONDS}\` (nothing expires during a run; volatile-ttl then evicts the keys set longest ago)`]
    : [];
  lines.push(
    `- replay: a look-aside cache — GET k; after a miss, SET k to ${o.value} B (keys \`${keyName(0)}\`…, 10 B); ` +
      `pipelined, ${o.batch} GETs per round trip with the previous batch's SETs in front of them; RESP2, one connection`,
    `- **warm-up: the first ${fmtPct(o.warmup)} of each workload (${fmtInt(plan.warmup)} requests) fill the cache and are not counted**, ` +
      'for the references too; hit rate = hits / counted requests',
    `- cache sizes: ${o.sizes.map((f, i) => `${fmtPct(f)} = ${fmtInt(plan.sizeKeys[i] ?? 0)} keys`).join(', ')} of the ${fmtInt(o.keys)}-key Zipf keyspace; ` +
      'the references hold exactly that many keys; a server gets maxmemory = its empty used_memory + keys × bytes/key measured at that size ' +
      '(calibration below; DBSIZE after each run in the details)',
    ...volatileRows,
    `- maxmemory-samples: ${o.samples ?? 'server default (5)'}; seed ${o.seed}; ` +
      `${o.rate !== null ? `replays paced to ${fmtInt(o.rate)} requests/s` : 'replays unpaced (requests/s per run in the details)'}; took ${secs} s`,
    '- LRU ref: exact LRU; OPT ref: Belady\'s offline optimum (evicts the key requested farthest in the future; an upper bound for any policy)',
    '',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  let o: Options;
  let specs: WorkloadSpec[];
  try {
    o = parseArgs(process.argv.slice(2));
    specs = selectWorkloads(o);
  } catch (e) {
    if (e instanceof UsageError) {
      log(`bench:hitrate: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  const redisBin = which('redis-server', 'REDIS_SERVER');
  if (redisBin === null && o.redis) {
    log('bench:hitrate: redis-server 7.0 is needed on PATH (Debian: apt-get install redis-server), or REDIS_SERVER pointing at it.');
    return 1;
  }
  const started = new Date();
  const loadAtStart = os.loadavg();
  const t0 = performance.now();
  const requests = o.requests ?? 10 * o.keys;
  const sizeKeys = o.sizes.map((f) => Math.max(1, Math.round(f * o.keys)));
  const warmup = Math.floor(o.warmup * requests);

  const workloads: WorkloadResult[] = [];
  for (const spec of specs) {
    const tg = performance.now();
    const trace = generateTrace(spec, { keys: o.keys, requests, seed: o.seed });
    if (trace.idSpace - 1 > MAX_KEY_ID) throw new UsageError('too many keys for 9-digit key names');
    const next = nextUses(trace.ids, trace.idSpace);
    const lru = sizeKeys.map((k) => simulateLru(trace.ids, trace.idSpace, k, warmup));
    const opt = sizeKeys.map((k) => simulateOpt(trace.ids, trace.idSpace, k, warmup, next));
    workloads.push({ trace, lru, opt });
    log(`hitrate: ${spec.name}: ${describeWorkload(trace)}; references in ${((performance.now() - tg) / 1000).toFixed(1)} s`);
  }

  const plan: Plan = { o, requests, warmup, sizeKeys, workloads };
  const launched: Launched[] = [];
  const sides: SideResult[] = [];
  const sideNames: Side[] = [...(o.redis ? (['redis'] as const) : []), ...(o.shoal ? (['shoal'] as const) : [])];
  for (const side of sideNames) sides.push(await runSide(plan, side, redisBin ?? 'redis-server', launched));

  const input: ReportInput = { workloads, policies: o.policies, sizes: o.sizes, sizeKeys, sides, shoalRun: o.shoal };
  const secs = Math.round((performance.now() - t0) / 1000);
  const report =
    renderHeader(plan, input, launched, redisBin ?? 'redis-server', started, secs, loadAtStart) +
    workloads.map((w) => renderWorkload(input, w)).join('\n') +
    '\n' +
    renderKept(input) +
    '\n' +
    renderCalibration(input);
  process.stdout.write(report);
  if (o.out !== null) {
    prependResults(o.out, RESULTS_HEADER, report);
    log(`bench:hitrate: results prepended to ${o.out}`);
  }
  return sides.some((s) => s.failure !== null) ? 1 : 0;
}

runBench('bench:hitrate', main);
