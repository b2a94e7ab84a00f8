#!/usr/bin/env node
// Runs the test suites on Node's built-in runner. Usage:
//   node scripts/run-tests.js              unit + wire + oracle, then integration (multi-process)
//   node scripts/run-tests.js unit wire    only those suites
// Expects a build in dist/ (npm test builds first). Oracle tests need redis-server: in CI
// (CI set) they fail without it; elsewhere they skip with a visible message.
import { readdirSync, statSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const all = ['unit', 'wire', 'oracle', 'integration'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

// Unit and wire suites run two files at a time. Oracle files (each drives a Shoal node and a
// redis-server and compares timing-dependent replies such as TTLs and active expiry) and the
// multi-process suite (real processes, signals) run one file at a time, so a loaded machine
// cannot skew the two servers apart.
const groups = [
  { suites: wanted.filter((s) => s === 'unit' || s === 'wire'), concurrency: 2 },
  { suites: wanted.filter((s) => s === 'oracle'), concurrency: 1 },
  { suites: wanted.filter((s) => s === 'integration'), concurrency: 1 },
];
// A test (or suite) that hangs fails after this long instead of holding the run: the longest
// ones take under 30 s.
const TEST_TIMEOUT_MS = 300_000;
// Nodes the tests start save (dump.rdb on FLUSHALL, SHUTDOWN and save points) into their
// working directory, as redis-server does: run the tests in a scratch directory, not the tree.
const scratch = mkdtempSync(join(tmpdir(), 'shoal-tests-'));
let failed = false;
for (const g of groups) {
  const files = g.suites.flatMap((s) => findTests(join(root, 'dist', 'test', s)));
  if (files.length === 0) continue;
  console.log(`\n== ${g.suites.join(' + ')}: ${files.length} test files ==`);
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${g.concurrency}`, `--test-timeout=${TEST_TIMEOUT_MS}`, ...files], {
    stdio: 'inherit',
    cwd: scratch,
  });
  if (r.status !== 0) failed = true;
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
