// The persistence benchmark's pure parts (bench/persistence): splitting redis-benchmark's
// multi-test report, the AOF modes' flags, the ratios and goal verdicts of the report, and the
// /proc memory reading on this very process.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { modeFlags, type AofResult, type AofRun } from '../../bench/persistence/aof.js';
import { parseTests, type BusyResult, type BusyRun } from '../../bench/persistence/busy.js';
import { aofShare, busyShare, med, renderAof, renderBusy } from '../../bench/persistence/report.js';
import { sampleMemory } from '../../bench/persistence/servers.js';
import type { LatencyReport } from '../../bench/engine/measure.js';

/** One test's section as redis-benchmark 7.0 prints it (without --csv or -q). */
function section(name: string, rps: number, p99: number): string {
  return [
    `====== ${name} ======`,
    '  100000 requests completed in 0.50 seconds',
    '  50 parallel clients',
    '  3 bytes payload',
    '  keep alive: 1',
    '',
    'Latency by percentile distribution:',
    '0.000% <= 0.100 milliseconds (cumulative count 1)',
    `50.000% <= 0.300 milliseconds (cumulative count 50000)`,
    `99.000% <= ${p99.toFixed(3)} milliseconds (cumulative count 99000)`,
    `100.000% <= ${(p99 + 1).toFixed(3)} milliseconds (cumulative count 100000)`,
    '',
    'Cumulative distribution of latencies:',
    '100.000% <= 3.103 milliseconds (cumulative count 100000)',
    '',
    'Summary:',
    `  throughput summary: ${rps.toFixed(2)} requests per second`,
    '  latency summary (msec):',
    '          avg       min       p50       p95       p99       max',
    `        0.310     0.100     0.300     0.500     ${p99.toFixed(3)}     ${(p99 + 1).toFixed(3)}`,
    '',
  ].join('\n');
}

const lat = (rps: number): LatencyReport => ({ rps, avgMs: 0.3, p50Ms: 0.3, p99Ms: 1, p999Ms: 1.5, maxMs: 2 });

describe('bench/persistence: redis-benchmark sections', () => {
  it('parses each test of a multi-test run from its own section', () => {
    const out = section('SET', 123456.78, 1.5) + '\n' + section('GET', 234567.89, 0.9);
    const m = parseTests(out, ['SET', 'GET'] as const);
    assert.equal(m.get('SET')?.rps, 123456.78);
    assert.equal(m.get('SET')?.p99Ms, 1.5);
    assert.equal(m.get('GET')?.rps, 234567.89);
    assert.equal(m.get('GET')?.p99Ms, 0.9);
  });

  it('fails on a missing section instead of reading another test', () => {
    assert.throws(() => parseTests(section('SET', 1000, 1), ['SET', 'GET'] as const), /GET/);
  });
});

describe('bench/persistence: AOF modes', () => {
  it('none keeps --appendonly no; the others switch it on with their fsync policy and no auto rewrite', () => {
    assert.deepEqual(modeFlags('none'), []);
    assert.deepEqual(modeFlags('everysec'), ['--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0']);
    assert.deepEqual(modeFlags('always').slice(0, 4), ['--appendonly', 'yes', '--appendfsync', 'always']);
  });
});

describe('bench/persistence: report ratios', () => {
  const aofRun = (side: 'redis' | 'shoal', mode: AofRun['mode'], rps: number, failure: string | null = null): AofRun => ({
    side, mode, pipeline: 16, rep: 1, latency: failure === null ? lat(rps) : null, dirBytes: 0, failure,
  });
  const aof: AofResult = {
    opts: { pipelines: [16], modes: ['none', 'everysec', 'always'], nUnpipelined: 1, nPipelined: 1, random: 1, value: 100, clients: 50, reps: 3 },
    runs: [
      aofRun('shoal', 'none', 100), aofRun('shoal', 'none', 200), aofRun('shoal', 'none', 300),
      aofRun('shoal', 'everysec', 180), aofRun('shoal', 'everysec', 190), aofRun('shoal', 'everysec', 1, 'boom'),
      aofRun('redis', 'none', 400), aofRun('redis', 'everysec', 380), aofRun('redis', 'always', 100),
    ],
    commands: [],
  };

  it('takes medians of the successful invocations only', () => {
    assert.equal(med([3, null, 1, 2]), 2);
    assert.equal(med([null]), null);
    // shoal: median everysec of 180, 190 = 185; median none = 200.
    assert.equal(aofShare(aof, 'shoal', 'everysec', 16), 185 / 200);
    assert.equal(aofShare(aof, 'redis', 'everysec', 16), 380 / 400);
    assert.equal(aofShare(aof, 'shoal', 'always', 16), null);
    assert.equal(aofShare(aof, 'shoal', 'everysec', 1), null);
  });

  it('renders the goal verdict for Shoal and lists failed invocations', () => {
    const md = renderAof(aof, ['redis', 'shoal']);
    assert.match(md, /\*\*0\.93\*\* \(met\)/);
    assert.match(md, /shoal, everysec, -P 16, invocation 1 failed:\*\* boom/);
    assert.match(md, /shoal\/redis SET rps at -P 16: none 0\.50, everysec 0\.49, always n\/a/);
  });

  it('computes saving/quiet per test and marks a missed goal', () => {
    const busyRun = (side: 'redis' | 'shoal', cond: 'quiet' | 'saving', set: number, get: number): BusyRun => ({
      side, rep: 1, cond, tests: new Map([['SET', lat(set)], ['GET', lat(get)]]), wallMs: 1000, savesStarted: cond === 'saving' ? 2 : 0,
      savingShare: cond === 'saving' ? 0.8 : null, cowPeak: 0, lastCowMax: 0, rssBefore: 100, rssPeak: 150, failure: null,
    });
    const busy: BusyResult = {
      opts: { random: 1000, value: 100, n: 1000, pipeline: 16, clients: 50, reps: 1 },
      preloadMs: new Map([['redis', 1000], ['shoal', 2000]]),
      runs: [busyRun('shoal', 'quiet', 1000, 2000), busyRun('shoal', 'saving', 800, 1900), busyRun('redis', 'quiet', 3000, 3000), busyRun('redis', 'saving', 2900, 3000)],
      commands: [],
      failure: null,
    };
    assert.equal(busyShare(busy, 'shoal', 'SET'), 0.8);
    assert.equal(busyShare(busy, 'shoal', 'GET'), 0.95);
    const md = renderBusy(busy, ['redis', 'shoal']);
    assert.match(md, /\| SET \| shoal \| 1,000 \| 800 \| \*\*0\.80\*\* \(\*\*not met\*\*\)/);
    assert.match(md, /\| GET \| shoal \| 2,000 \| 1,900 \| \*\*0\.95\*\* \(met\)/);
  });
});

describe('bench/persistence: memory from /proc', () => {
  it('reads RSS and PSS of a live process and finds no save child under it', { skip: process.platform !== 'linux' }, () => {
    const fake = { pid: process.pid, serverPid: process.pid };
    const m = sampleMemory(fake, true);
    assert.ok(m.serverRss > 1024 * 1024, `RSS ${m.serverRss}`);
    assert.ok(m.treePss > 1024 * 1024, `PSS ${m.treePss}`);
    assert.equal(m.childRss, 0);
    assert.equal(sampleMemory(fake, false).treePss, 0);
  });
});
