// Giving the young generation back when a node goes quiet (src/cli/heap-tuning.ts), in a real
// `shoal server` process: after a burst of writes V8's young generation sits at its cap; some
// seconds after the traffic stops the node runs one young collection and V8 shrinks the space
// (logged at debug level), and while traffic keeps coming nothing is collected that way.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { IDLE_RELEASE_SECONDS } from '../../src/cli/heap-tuning.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoal-process.js';

const LINE = /Idle: young generation ([\d.]+) MB -> ([\d.]+) MB/g;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function releases(node: ShoalProcess): Array<{ before: number; after: number }> {
  return [...node.output().matchAll(LINE)].map((m) => ({ before: Number(m[1]), after: Number(m[2]) }));
}

/** Pipelined SETs of 100-byte values: enough garbage to grow the young generation past 1 MB. */
async function burst(client: Redis, n: number): Promise<void> {
  const value = 'v'.repeat(100);
  for (let done = 0; done < n; done += 10_000) {
    const p = client.pipeline();
    for (let i = done; i < done + 10_000; i++) p.set(`key:${i}`, value);
    const res = await p.exec();
    assert.ok(res !== null && res.every(([err]) => err === null));
  }
}

describe('idle heap release (shoal server process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-idle-'));
  const nodes: ShoalProcess[] = [];
  after(async () => {
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shrinks the young generation once traffic has stopped for a few seconds, never during traffic', async () => {
    const node = await startShoalProcess({ dir, args: ['--save', '', '--loglevel', 'debug'] });
    nodes.push(node);
    const client = new Redis({ port: node.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      // Traffic right away, so that no quiet spell starts before it: then a steady trickle
      // (about 300 commands a second, above the quiet threshold) for longer than the quiet
      // time. No collection may run meanwhile.
      await burst(client, 200_000);
      const seenBefore = releases(node).length;
      const trickleEnd = Date.now() + (IDLE_RELEASE_SECONDS + 2) * 1000;
      while (Date.now() < trickleEnd) {
        const p = client.pipeline();
        for (let i = 0; i < 30; i++) p.get(`key:${i}`);
        await p.exec();
        await sleep(100);
      }
      assert.equal(releases(node).length, seenBefore, `no release during traffic:\n${node.output()}`);
      // The last burst, then quiet: a release comes, no sooner than the quiet time after it.
      await burst(client, 100_000);
      const quietFrom = Date.now();
      const deadline = quietFrom + (IDLE_RELEASE_SECONDS * 3 + 6) * 1000;
      while (releases(node).length === seenBefore && Date.now() < deadline) await sleep(100);
      const elapsed = Date.now() - quietFrom;
      const got = releases(node).slice(seenBefore);
      assert.ok(got.length > 0, `a release within ${deadline - quietFrom} ms of quiet:\n${node.output()}`);
      assert.ok(elapsed >= (IDLE_RELEASE_SECONDS - 1) * 1000, `not before the quiet time (${elapsed} ms)`);
      // V8 may keep the space on a first try (its allocation-rate window); the node tries again.
      while (!got.some((r) => r.after < r.before) && Date.now() < deadline) {
        await sleep(200);
        got.splice(0, got.length, ...releases(node).slice(seenBefore));
      }
      const shrunk = got.find((r) => r.after < r.before);
      assert.ok(shrunk !== undefined, `the young generation shrank:\n${node.output()}`);
      assert.ok(shrunk.after <= 1, `down to V8's minimum (${shrunk.after} MB)`);
      // The node still serves, data intact.
      assert.equal(await client.get('key:99999'), 'v'.repeat(100));
    } finally {
      client.disconnect();
    }
  });
});
