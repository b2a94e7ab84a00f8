// The hit-rate simulator's pure parts (bench/hitrate): the Zipf sampler's law, the workload
// generator, the exact-LRU and Belady-OPT references against hand-checked traces and brute force,
// and the replay driver's hit counting against an in-process fake cache server.
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRng } from '../../src/lib/rng.js';
import { ZipfSampler, generateTrace, permutation, standardWorkloads, type WorkloadSpec } from '../../bench/hitrate/workload.js';
import { nextUses, simulateLru, simulateOpt } from '../../bench/hitrate/reference.js';
import { RespConnection, keyName, replay } from '../../bench/hitrate/replay.js';

/** Maps letters/numbers of a readable trace to ids 0..k-1. */
function ids(trace: readonly (string | number)[]): { ids: Uint32Array; space: number } {
  const m = new Map<string | number, number>();
  const out = new Uint32Array(trace.length);
  trace.forEach((t, i) => {
    if (!m.has(t)) m.set(t, m.size);
    out[i] = m.get(t) ?? 0;
  });
  return { ids: out, space: Math.max(1, m.size) };
}

/** LRU by the book: an array ordered from least to most recent. */
function naiveLru(trace: Uint32Array, cap: number, warmup: number): number {
  const order: number[] = [];
  let hits = 0;
  trace.forEach((id, i) => {
    const at = order.indexOf(id);
    if (at >= 0) {
      if (i >= warmup) hits++;
      order.splice(at, 1);
    } else if (order.length === cap) {
      order.shift();
    }
    if (cap > 0) order.push(id);
  });
  return hits;
}

/** The best hit count any eviction schedule achieves (every miss admitted): exhaustive search. */
function bruteOptimum(trace: Uint32Array, cap: number): number {
  const go = (i: number, cache: ReadonlySet<number>): number => {
    if (i === trace.length) return 0;
    const id = trace[i] ?? 0;
    if (cache.has(id)) return 1 + go(i + 1, cache);
    let best = 0;
    if (cache.size < cap) best = go(i + 1, new Set([...cache, id]));
    else {
      for (const victim of cache) {
        const next = new Set(cache);
        next.delete(victim);
        next.add(id);
        best = Math.max(best, go(i + 1, next));
      }
    }
    return best;
  };
  return go(0, new Set());
}

const traceArb = fc.record({
  trace: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 0, maxLength: 300 }),
  cap: fc.integer({ min: 0, max: 14 }),
  warmup: fc.integer({ min: 0, max: 50 }),
});

describe('hit-rate simulator: Zipf sampler', () => {
  it('draws ranks with the Zipf probabilities', () => {
    for (const s of [0, 0.99, 1.2]) {
      const z = new ZipfSampler(10, s);
      let total = 0;
      for (let r = 1; r <= 10; r++) total += z.probability(r);
      assert.ok(Math.abs(total - 1) < 1e-12);
      const rng = createRng(7);
      const n = 100_000;
      const counts = new Array<number>(10).fill(0);
      for (let i = 0; i < n; i++) {
        const r = z.sampleRank(rng);
        counts[r] = (counts[r] ?? 0) + 1;
      }
      counts.forEach((c, i) => {
        const p = z.probability(i + 1);
        const sigma = Math.sqrt(n * p * (1 - p));
        assert.ok(Math.abs(c - n * p) < 5 * sigma, `s=${s} rank ${i + 1}: ${c} draws, expected ${(n * p).toFixed(0)}`);
      });
    }
  });

  it('follows the law over a large keyspace (head and tail)', () => {
    const z = new ZipfSampler(100_000, 0.99);
    const rng = createRng(3);
    const n = 200_000;
    let top = 0;
    let topTen = 0;
    let lastHalf = 0;
    for (let i = 0; i < n; i++) {
      const r = z.sampleRank(rng);
      if (r === 0) top++;
      if (r < 10) topTen++;
      if (r >= 50_000) lastHalf++;
    }
    let pTen = 0;
    for (let r = 1; r <= 10; r++) pTen += z.probability(r);
    let pHalf = 0;
    for (let r = 50_001; r <= 100_000; r++) pHalf += z.probability(r);
    const near = (got: number, p: number): boolean => Math.abs(got - n * p) < 5 * Math.sqrt(n * p * (1 - p));
    assert.ok(near(top, z.probability(1)), `rank 1: ${top}`);
    assert.ok(near(topTen, pTen), `ranks 1-10: ${topTen}`);
    assert.ok(near(lastHalf, pHalf), `ranks 50,001-100,000: ${lastHalf}`);
  });

  it('rejects bad parameters', () => {
    assert.throws(() => new ZipfSampler(0, 1), RangeError);
    assert.throws(() => new ZipfSampler(10, -1), RangeError);
    assert.throws(() => new ZipfSampler(10, Number.NaN), RangeError);
  });

  it('permutation() is a permutation', () => {
    const p = permutation(1000, createRng(1));
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.notDeepEqual([...p], Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('hit-rate simulator: workloads', () => {
  const [zipf, , , scan] = standardWorkloads(2000, 0.2, 50) as [WorkloadSpec, WorkloadSpec, WorkloadSpec, WorkloadSpec];

  it('is deterministic per seed and differs between seeds', () => {
    const a = generateTrace(zipf, { keys: 2000, requests: 5000, seed: 1 });
    const b = generateTrace(zipf, { keys: 2000, requests: 5000, seed: 1 });
    const c = generateTrace(zipf, { keys: 2000, requests: 5000, seed: 2 });
    assert.deepEqual(a.ids, b.ids);
    assert.notDeepEqual(a.ids, c.ids);
    assert.equal(a.idSpace, 2000);
    assert.equal(a.scanRequests, 0);
    assert.ok(a.ids.every((id) => id < 2000));
  });

  it('scan: one-time cold keys in sequential runs, about the asked share', () => {
    const t = generateTrace(scan, { keys: 2000, requests: 100_000, seed: 5 });
    let cold = 0;
    let expect = 2000;
    let run = 0;
    const runs: number[] = [];
    for (const id of t.ids) {
      if (id >= 2000) {
        assert.equal(id, expect++, 'cold keys come in order, each once');
        cold++;
        run++;
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    assert.equal(cold, t.scanRequests);
    assert.equal(t.idSpace, expect);
    assert.ok(runs.length > 100 && runs.every((r) => r % 50 === 0), 'runs are whole scans of 50 (back-to-back scans join)');
    const share = cold / t.ids.length;
    assert.ok(Math.abs(share - 0.2) < 0.03, `scan share ${share}`);
  });
});

describe('hit-rate simulator: references', () => {
  it('LRU and OPT on hand-checked traces', () => {
    // At c, LRU evicts b (then misses b and a); OPT evicts a, needed after b (then hits b).
    const t1 = ids(['a', 'b', 'a', 'c', 'b', 'a']);
    assert.equal(simulateLru(t1.ids, t1.space, 2, 0).hits, 1);
    assert.equal(simulateOpt(t1.ids, t1.space, 2, 0).hits, 2);
    // The textbook reference string with 3 frames: LRU 12 faults, OPT 9 faults (of 20).
    const t2 = ids([7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]);
    assert.deepEqual(simulateLru(t2.ids, t2.space, 3, 0), { counted: 20, hits: 8 });
    assert.deepEqual(simulateOpt(t2.ids, t2.space, 3, 0), { counted: 20, hits: 11 });
    // Warm-up: the first 4 requests (all misses) are not counted.
    assert.deepEqual(simulateLru(t2.ids, t2.space, 3, 4), { counted: 16, hits: 8 });
    // Capacity 0 never hits; capacity >= distinct keys misses only the first time.
    assert.equal(simulateLru(t2.ids, t2.space, 0, 0).hits, 0);
    assert.equal(simulateOpt(t2.ids, t2.space, 0, 0).hits, 0);
    assert.equal(simulateLru(t2.ids, t2.space, 6, 0).hits, 20 - 6);
    assert.equal(simulateOpt(t2.ids, t2.space, 6, 0).hits, 20 - 6);
  });

  it('nextUses() gives each request the position of the next one for its key', () => {
    const t = ids(['a', 'b', 'a', 'a', 'c', 'b']);
    assert.deepEqual([...nextUses(t.ids, t.space)], [2, 5, 3, 0x7fffffff, 0x7fffffff, 0x7fffffff]);
  });

  it('rejects ids outside the id space', () => {
    assert.throws(() => simulateLru(Uint32Array.of(0, 3), 3, 1, 0), RangeError);
    assert.throws(() => simulateOpt(Uint32Array.of(0, 3), 3, 1, 0), RangeError);
  });

  it('exact LRU matches LRU by the book', () => {
    fc.assert(
      fc.property(traceArb, ({ trace, cap, warmup }) => {
        const t = Uint32Array.from(trace);
        assert.equal(simulateLru(t, 13, cap, warmup).hits, naiveLru(t, cap, warmup));
      }),
    );
  });

  it('OPT is the optimum (exhaustive search on small traces)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 11 }),
        fc.integer({ min: 1, max: 3 }),
        (trace, cap) => {
          const t = Uint32Array.from(trace);
          assert.equal(simulateOpt(t, 5, cap, 0).hits, bruteOptimum(t, cap));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('OPT >= LRU on random traces, and neither beats the compulsory misses', () => {
    fc.assert(
      fc.property(traceArb, ({ trace, cap, warmup }) => {
        const t = Uint32Array.from(trace);
        const lru = simulateLru(t, 13, cap, warmup);
        const opt = simulateOpt(t, 13, cap, warmup);
        assert.ok(opt.hits >= lru.hits, `OPT ${opt.hits} < LRU ${lru.hits}`);
        assert.equal(opt.counted, Math.max(0, t.length - warmup));
        const unbounded = simulateLru(t, 13, 13, warmup).hits;
        assert.ok(opt.hits <= unbounded);
      }),
    );
  });

  it('OPT >= LRU on a Zipf trace, by a margin', () => {
    const spec: WorkloadSpec = { name: 'z', s: 0.9, scanFraction: 0, scanLength: 0 };
    const t = generateTrace(spec, { keys: 2000, requests: 20_000, seed: 9 });
    for (const cap of [20, 200, 600]) {
      const lru = simulateLru(t.ids, t.idSpace, cap, 2000);
      const opt = simulateOpt(t.ids, t.idSpace, cap, 2000);
      assert.ok(opt.hits > lru.hits, `cap ${cap}: OPT ${opt.hits} LRU ${lru.hits}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Replay against a fake server

/**
 * A RESP server on 127.0.0.1:0 holding at most `cap` keys (evicting in FIFO order of insertion,
 * which is enough for the driver's accounting), answering GET, SET, DBSIZE. Replies are written in
 * small pieces to exercise the client's reassembly.
 */
function fakeServer(cap: number): Promise<{ port: number; close: () => Promise<void>; store: Map<string, string> }> {
  const store = new Map<string, string>();
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let out = '';
      for (;;) {
        // Parse one *N array of bulk strings, or stop if incomplete.
        if (!buf.startsWith('*')) break;
        let at = buf.indexOf('\r\n');
        if (at < 0) break;
        const n = Number(buf.slice(1, at));
        let p = at + 2;
        const args: string[] = [];
        let complete = true;
        for (let i = 0; i < n; i++) {
          at = buf.indexOf('\r\n', p);
          if (at < 0) {
            complete = false;
            break;
          }
          const len = Number(buf.slice(p + 1, at));
          if (buf.length < at + 2 + len + 2) {
            complete = false;
            break;
          }
          args.push(buf.slice(at + 2, at + 2 + len));
          p = at + 2 + len + 2;
        }
        if (!complete) break;
        buf = buf.slice(p);
        const [cmd, key, value] = args;
        if (cmd === 'GET') {
          const v = store.get(key ?? '');
          out += v === undefined ? '$-1\r\n' : `$${v.length}\r\n${v}\r\n`;
        } else if (cmd === 'SET') {
          if (!store.has(key ?? '') && store.size >= cap) {
            const oldest = store.keys().next();
            if (oldest.done !== true) store.delete(oldest.value);
          }
          store.set(key ?? '', value ?? '');
          out += '+OK\r\n';
        } else if (cmd === 'DBSIZE') {
          out += `:${store.size}\r\n`;
        } else {
          out += '-ERR unknown command\r\n';
        }
      }
      for (let i = 0; i < out.length; i += 61) sock.write(out.slice(i, i + 61), 'latin1');
    });
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      const close = (): Promise<void> =>
        new Promise((done) => {
          for (const s of sockets) s.destroy();
          srv.close(() => done());
        });
      resolve({ port, close, store });
    });
  });
}

describe('hit-rate simulator: replay driver', () => {
  it('counts hits as a sequential look-aside client would (unbounded cache)', async () => {
    const spec: WorkloadSpec = { name: 'z', s: 1.1, scanFraction: 0, scanLength: 0 };
    const t = generateTrace(spec, { keys: 300, requests: 2000, seed: 4 });
    const fake = await fakeServer(Number.MAX_SAFE_INTEGER);
    const conn = await RespConnection.open(fake.port, 5000);
    try {
      const checks: number[] = [];
      const r = await replay(conn, {
        ids: t.ids, idSpace: t.idSpace, warmup: 500, batch: 37, valueSize: 20, ttlSeconds: null, deadlineMs: 10_000,
        checkpoints: {
          every: 100,
          until: 1000,
          run: async (pos) => {
            // Every SET asked for so far has been answered: the store holds each key seen before pos.
            assert.equal(Number((await conn.ok(['DBSIZE'])).slice(1)), new Set(t.ids.subarray(0, pos)).size);
            checks.push(pos);
          },
        },
      });
      const expected = simulateLru(t.ids, t.idSpace, t.idSpace, 500);
      assert.equal(r.counted, expected.counted);
      assert.equal(r.hits, expected.hits);
      assert.equal(r.sets, new Set(t.ids).size);
      assert.equal(r.setErrors, 0);
      assert.ok(checks.length >= 8 && checks.every((p) => p < 1000));
      assert.equal(fake.store.get(keyName(t.ids[0] ?? 0)), 'v'.repeat(20));
    } finally {
      conn.close();
      await fake.close();
    }
  });

  it('a server that evicts lowers the hit count; SET-after-miss keeps the key count bounded', async () => {
    const spec: WorkloadSpec = { name: 'z', s: 0.9, scanFraction: 0, scanLength: 0 };
    const t = generateTrace(spec, { keys: 500, requests: 4000, seed: 8 });
    const fake = await fakeServer(50);
    const conn = await RespConnection.open(fake.port, 5000);
    try {
      const r = await replay(conn, { ids: t.ids, idSpace: t.idSpace, warmup: 0, batch: 20, valueSize: 5, ttlSeconds: 60, deadlineMs: 10_000 });
      assert.ok(r.hits < simulateLru(t.ids, t.idSpace, t.idSpace, 0).hits);
      assert.ok(r.hits > 0);
      assert.equal(fake.store.size, 50);
    } finally {
      conn.close();
      await fake.close();
    }
  });
});
