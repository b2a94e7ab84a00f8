// Request parser: fragmentation invariance (property), every protocol error text, limits,
// and robustness against random bytes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError, RequestParser, INLINE_MAX_SIZE } from '../../src/protocol/request-parser.js';

const limits = () => ({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: false });

function encode(argv: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Feeds chunks and drains every complete command; returns commands as hex strings. */
function parseChunks(chunks: Buffer[], p = new RequestParser(limits())): string[][] {
  const out: string[][] = [];
  for (const ch of chunks) {
    p.feed(ch);
    for (let argv = p.next(); argv !== null; argv = p.next()) out.push(argv.map((a) => a.toString('hex')));
  }
  return out;
}

function cutAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const pt of points) {
    if (pt > prev) chunks.push(Buffer.from(buf.subarray(prev, pt)));
    prev = pt;
  }
  if (prev < buf.length) chunks.push(Buffer.from(buf.subarray(prev)));
  return chunks;
}

const argArb = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)), weight: 20 },
  // Arguments of 32 KB and more take the parser's big-argument path.
  { arbitrary: fc.integer({ min: 32 * 1024, max: 70 * 1024 }).map((n) => Buffer.alloc(n, n & 0xff)), weight: 1 },
);
const cmdArb = fc.array(argArb, { minLength: 1, maxLength: 5 });
const inlineArb = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), { minLength: 1, maxLength: 4 })
  .map((words) => ({ text: words.join(' ') + '\r\n', argv: words.map((w) => Buffer.from(w)) }));

describe('request parser', () => {
  it('gives the same commands however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(cmdArb.map((argv) => ({ bytes: encode(argv), argv })), inlineArb.map((x) => ({ bytes: Buffer.from(x.text), argv: x.argv }))), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (cmds, cuts) => {
          const stream = Buffer.concat(cmds.map((c) => c.bytes));
          const expected = cmds.map((c) => c.argv.map((a) => a.toString('hex')));
          assert.deepEqual(parseChunks([stream]), expected);
          assert.deepEqual(parseChunks(cutAt(stream, cuts)), expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('commands peekKeys planned parse as they would without it: arguments, raw bytes, cut anywhere', () => {
    // A command's bytes, canonical or with a byte other than LF where one belongs (accepted
    // unchecked, as Redis does: such a command has no raw bytes).
    const wireArb = cmdArb.chain((argv) =>
      fc.record({ argv: fc.constant(argv), mangle: fc.option(fc.nat(), { freq: 3 }) }).map(({ argv, mangle }) => {
        const bytes = encode(argv);
        if (mangle !== null) {
          const lfs = [...bytes.keys()].filter((i) => bytes[i] === 10 && bytes[i - 1] === 13);
          bytes[lfs[mangle % lfs.length] as number] = 0x5a;
        }
        return { bytes, argv };
      }),
    );
    /** Each command's arguments and raw bytes (or '-'), peeking like Client.readAhead when `peek`. */
    const run = (chunks: Buffer[], peek: number): string[] => {
      const p = new RequestParser(limits());
      const offs = new Int32Array(16);
      const lens = new Int32Array(16);
      const out: string[] = [];
      let ahead = 0;
      for (const ch of chunks) {
        p.feed(ch);
        for (;;) {
          if (peek > 0) {
            if (ahead > 0) ahead--;
            else ahead = Math.max(0, p.peekKeys(offs, lens, peek) - 1);
          }
          const argv = p.next();
          if (argv === null) break;
          const raw = p.hasRaw(argv) ? p.rawInput.subarray(p.rawStart, p.rawEnd).toString('hex') : '-';
          out.push(argv.map((a) => a.toString('hex')).join(',') + ' ' + raw);
        }
      }
      return out;
    };
    fc.assert(
      fc.property(fc.array(wireArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 16 }), (cmds, cuts, peek) => {
        const stream = Buffer.concat(cmds.map((c) => c.bytes));
        for (const chunks of [[stream], cutAt(stream, cuts)]) assert.deepEqual(run(chunks, peek), run(chunks, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('a planned command meets the limits in force when it is parsed', () => {
    const many = encode(Array.from({ length: 12 }, (_, i) => Buffer.from(`a${i}`)));
    const get = encode([Buffer.from('GET'), Buffer.from('k')]);
    const offs = new Int32Array(16);
    const lens = new Int32Array(16);
    // Unauthenticated: more than 10 arguments is a protocol error, planned or not.
    const p = new RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: true });
    p.feed(Buffer.concat([get, many]));
    assert.equal(p.peekKeys(offs, lens, 16), 2);
    assert.deepEqual(p.next()?.map(String), ['GET', 'k']);
    assert.throws(() => p.next(), ProtocolError);
    // A limit lowered by a command of the batch applies to the commands after it.
    const q = new RequestParser(limits());
    q.feed(Buffer.concat([get, encode([Buffer.from('SET'), Buffer.from('k'), Buffer.alloc(100, 0x61)])]));
    assert.equal(q.peekKeys(offs, lens, 16), 2);
    assert.deepEqual(q.next()?.map(String), ['GET', 'k']);
    q.limits.protoMaxBulkLen = 50;
    assert.throws(() => q.next(), ProtocolError);
  });

  it('arguments are Buffers viewing the input: every Buffer method, subviews included', () => {
    const input = Buffer.concat([Buffer.from('xx'), encode([Buffer.from('SET'), Buffer.from('k\x00y'), Buffer.from('12345')])]);
    const p = new RequestParser(limits());
    p.feed(input.subarray(2));
    const argv = p.next();
    assert.ok(argv !== null);
    for (const a of argv) {
      assert.ok(Buffer.isBuffer(a));
      assert.ok(a instanceof Buffer && a instanceof Uint8Array);
    }
    const [cmd, key, value] = argv;
    assert.equal(cmd.toString('latin1'), 'SET');
    assert.ok(key.equals(Buffer.from('k\x00y')));
    assert.equal(Buffer.compare(value, Buffer.from('12345')), 0);
    assert.equal(value.readUInt8(0), 0x31);
    assert.equal(value.toString('hex'), '3132333435');
    const sub = value.subarray(1, 3);
    assert.ok(Buffer.isBuffer(sub));
    assert.equal(sub.toString(), '23');
    assert.equal(Buffer.concat([cmd, key]).toString('latin1'), 'SETk\x00y');
    assert.equal(JSON.stringify(Buffer.from(value)), JSON.stringify(Buffer.from('12345')));
    // A view, not a copy: it shares the input's memory.
    assert.equal(value.buffer, input.buffer);
    input[input.length - 3] = 0x39;
    assert.equal(value.toString(), '12349');
  });

  it('big arguments: each keeps its bytes while its command runs, and a later command reuses the buffer', () => {
    const p = new RequestParser(limits());
    const big = (ch: number, n: number): Buffer => Buffer.alloc(n, ch);
    const seen: Buffer[] = [];
    const feedAll = (argv: Buffer[]): Buffer[] => {
      const wire = encode(argv);
      const got: Buffer[][] = [];
      for (let i = 0; i < wire.length; i += 7000) {
        p.feed(wire.subarray(i, i + 7000));
        for (let a = p.next(); a !== null; a = p.next()) got.push(a);
      }
      assert.equal(got.length, 1);
      return got[0];
    };
    // Two big arguments in one command: distinct buffers, both intact.
    const a = feedAll([Buffer.from('MSET'), Buffer.from('k1'), big(0x61, 100_000), Buffer.from('k2'), big(0x62, 90_000)]);
    assert.ok(a[2].equals(big(0x61, 100_000)));
    assert.ok(a[4].equals(big(0x62, 90_000)));
    seen.push(a[2]);
    // Asking for the next command (feedAll's loop did) says the caller is done with this one:
    // the larger buffer is kept for reuse.
    assert.equal(p.spareBytes, 100_002);
    // The next command: the first command's buffer is reused (its old view now shows the new bytes).
    const b = feedAll([Buffer.from('SET'), Buffer.from('k3'), big(0x63, 50_000)]);
    assert.ok(b[2].equals(big(0x63, 50_000)));
    assert.equal(b[2].buffer, seen[0].buffer, 'the kept buffer was reused');
    p.releaseSpare();
    const c = feedAll([Buffer.from('SET'), Buffer.from('k4'), big(0x64, 40_000)]);
    assert.ok(c[2].equals(big(0x64, 40_000)));
  });

  it('parses a command fed one byte at a time', () => {
    const stream = Buffer.concat([encode([Buffer.from('SET'), Buffer.from('k'), Buffer.from('v\r\nx')]), Buffer.from('PING\r\n')]);
    const chunks = [...stream].map((b) => Buffer.from([b]));
    assert.deepEqual(parseChunks(chunks).map((a) => a.map((h) => Buffer.from(h, 'hex').toString())), [
      ['SET', 'k', 'v\r\nx'],
      ['PING'],
    ]);
  });

  it('skips empty commands and blank inline lines', () => {
    const out = parseChunks([Buffer.from('*0\r\n*-1\r\n\r\n\n   \r\nPING\r\n')]);
    assert.deepEqual(out.map((a) => a.map((h) => Buffer.from(h, 'hex').toString())), [['PING']]);
  });

  it('handles inline quoting like redis-cli sends it', () => {
    const out = parseChunks([Buffer.from(`SET a "b c\\x41\\n" 'it\\'s'\n`)]);
    assert.deepEqual(out.map((a) => a.map((h) => Buffer.from(h, 'hex').toString())), [['SET', 'a', 'b cA\n', "it's"]]);
  });

  const errors: [string, string | Buffer][] = [
    ['unbalanced quotes in request', 'SET a "b\r\n'],
    ["expected '$', got 'x'", '*1\r\nx\r\n'],
    ['invalid multibulk length', '*abc\r\n'],
    ['invalid multibulk length', '*3000000000\r\n'],
    ['invalid bulk length', '*1\r\n$-5\r\n'],
    ['invalid bulk length', '*1\r\n$abc\r\n'],
    ['invalid bulk length', '*1\r\n$600000000\r\n'],
    ['too big inline request', Buffer.alloc(INLINE_MAX_SIZE + 10, 'a')],
    ['too big mbulk count string', Buffer.concat([Buffer.from('*1'), Buffer.alloc(INLINE_MAX_SIZE + 10, '1')])],
    ['too big bulk count string', Buffer.concat([Buffer.from('*1\r\n$1'), Buffer.alloc(INLINE_MAX_SIZE + 10, '1')])],
  ];
  for (const [msg, input] of errors) {
    it(`rejects with "${msg}"`, () => {
      const p = new RequestParser(limits());
      p.feed(Buffer.isBuffer(input) ? input : Buffer.from(input));
      assert.throws(() => p.next(), (e: unknown) => e instanceof ProtocolError && e.message === msg);
    });
  }

  it('applies the unauthenticated limits', () => {
    const p = new RequestParser({ protoMaxBulkLen: 1 << 29, authRequired: true });
    p.feed(Buffer.from('*11\r\n'));
    assert.throws(() => p.next(), /unauthenticated multibulk length/);
    const q = new RequestParser({ protoMaxBulkLen: 1 << 29, authRequired: true });
    q.feed(Buffer.from('*2\r\n$16385\r\n'));
    assert.throws(() => q.next(), /unauthenticated bulk length/);
  });

  it('reports pending bytes of a partial command', () => {
    const p = new RequestParser(limits());
    p.feed(Buffer.from('*2\r\n$3\r\nSET\r\n$100000\r\n'));
    assert.equal(p.next(), null);
    p.feed(Buffer.alloc(50000, 1));
    assert.equal(p.next(), null);
    assert.ok(p.pendingBytes >= 50000);
  });

  it('never crashes or hangs on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const p = new RequestParser(limits());
        let steps = 0;
        try {
          for (const ch of chunks) {
            p.feed(Buffer.from(ch));
            while (p.next() !== null) if (++steps > 10000) throw new Error('no progress');
          }
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes on random bytes behind a valid prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('*', '*2\r\n', '*2\r\n$', '*1\r\n$3\r\nab', '"', 'GET '), (tail, prefix) => {
        const p = new RequestParser(limits());
        p.feed(Buffer.concat([Buffer.from(prefix), Buffer.from(tail)]));
        try {
          let n = 0;
          while (p.next() !== null && n++ < 1000);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('peekKeys finds the second argument of each complete buffered command without consuming', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 1, max: 10 }), (cmds, cut, max) => {
        const whole = Buffer.concat(cmds.map(encode));
        const fedLen = cut % (whole.length + 1);
        const p = new RequestParser(limits());
        p.feed(Buffer.from(whole.subarray(0, fedLen)));
        // The commands entirely inside the fed bytes.
        let complete = 0;
        for (let end = 0; complete < cmds.length; complete++) {
          end += encode(cmds[complete]).length;
          if (end > fedLen) break;
        }
        const offs = new Int32Array(max);
        const lens = new Int32Array(max);
        const n = p.peekKeys(offs, lens, max);
        assert.equal(n, Math.min(max, complete));
        for (let k = 0; k < n; k++) {
          const argv = cmds[k];
          if (argv.length < 2) assert.equal(offs[k], -1);
          else assert.deepEqual(p.input.subarray(offs[k], offs[k] + lens[k]), argv[1]);
        }
        // Nothing was consumed: next() still returns every complete command.
        const got: string[][] = [];
        for (let argv = p.next(); argv !== null; argv = p.next()) got.push(argv.map((a) => a.toString('hex')));
        assert.deepEqual(got, cmds.slice(0, complete).map((c) => c.map((a) => a.toString('hex'))));
      }),
      { numRuns: 300 },
    );
  });

  it('peekKeys stops at inline, empty and malformed commands, and mid-command', () => {
    const offs = new Int32Array(8);
    const lens = new Int32Array(8);
    const peek = (text: string, advance = 0): number => {
      const p = new RequestParser(limits());
      p.feed(Buffer.from(text));
      for (let i = 0; i < advance; i++) p.next();
      return p.peekKeys(offs, lens, 8);
    };
    const get = '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n';
    assert.equal(peek(get + get + 'PING\r\n' + get), 2);
    assert.equal(peek(get + '*0\r\n' + get), 1);
    assert.equal(peek(get + '*2\r\n$x\r\n'), 1);
    assert.equal(peek(get + '*2\r\n:3\r\n'), 1);
    assert.equal(peek(get + '*-1\r\n' + get), 1);
    assert.equal(peek('*2\r\n$3\r\nGET\r\n$5\r\nk\r\n'), 0);
    assert.equal(peek(get + get + get, 1), 2);
    // A command half-read by next() (its first arguments consumed) is not peeked into.
    const p = new RequestParser(limits());
    p.feed(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n'));
    assert.equal(p.next(), null);
    p.feed(Buffer.from('$1\r\nv\r\n' + get));
    assert.equal(p.peekKeys(offs, lens, 8), 0);
  });

  it('hasRaw: a command read whole in one chunk has its bytes, which are its encoding; others have none', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(cmdArb.map((argv) => ({ bytes: encode(argv), inline: false })), inlineArb.map((x) => ({ bytes: Buffer.from(x.text), inline: true }))), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (cmds, cuts) => {
          const stream = Buffer.concat(cmds.map((c) => c.bytes));
          const chunks = cutAt(stream, cuts);
          // Where each chunk starts in the stream, to tell which commands lay whole in one.
          const chunkStarts: number[] = [];
          let at = 0;
          for (const ch of chunks) {
            chunkStarts.push(at);
            at += ch.length;
          }
          const chunkOf = (pos: number): number => {
            let i = 0;
            while (i + 1 < chunkStarts.length && chunkStarts[i + 1] <= pos) i++;
            return i;
          };
          const p = new RequestParser(limits());
          let i = 0;
          let start = 0;
          for (const ch of chunks) {
            p.feed(ch);
            for (let argv = p.next(); argv !== null; argv = p.next()) {
              const c = cmds[i++];
              const whole = chunkOf(start) === chunkOf(start + c.bytes.length - 1);
              const big = argv.some((a) => a.length >= 32 * 1024);
              if (p.hasRaw(argv)) {
                assert.equal(c.inline, false);
                assert.deepEqual(p.rawInput.subarray(p.rawStart, p.rawEnd), encode(argv));
              } else {
                // Only inline commands, commands cut by a chunk boundary and big arguments
                // assembled apart lack their bytes.
                assert.ok(c.inline || !whole || big, `command ${i} read whole in one chunk has no raw bytes`);
              }
              start += c.bytes.length;
            }
          }
          assert.equal(i, cmds.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hasRaw: never for a command with other bytes where its CRs and LFs belong (accepted unchecked, as Redis)', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cmds, hits) => {
        const stream = Buffer.concat(cmds.map(encode));
        // Overwrite some CR or LF bytes of the stream with other bytes.
        const crlf: number[] = [];
        for (let i = 0; i < stream.length; i++) if (stream[i] === 13 || stream[i] === 10) crlf.push(i);
        for (const [at, byte] of hits) if (crlf.length > 0) stream[crlf[at % crlf.length]] = byte;
        const p = new RequestParser(limits());
        p.feed(stream);
        for (;;) {
          let argv: Buffer[] | null;
          try {
            argv = p.next();
          } catch (err) {
            if (err instanceof ProtocolError) break;
            throw err;
          }
          if (argv === null) break;
          if (p.hasRaw(argv)) assert.deepEqual(p.rawInput.subarray(p.rawStart, p.rawEnd), encode(argv));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hasRaw: only for the command returned last, until the next call, detach or reset', () => {
    const set = '*3\r\n$3\r\nset\r\n$1\r\nk\r\n$2\r\nvv\r\n';
    const p = new RequestParser(limits());
    p.feed(Buffer.from(set + set + '*1\r\n$4\r\nPING'));
    const first = p.next() as Buffer[];
    assert.ok(p.hasRaw(first));
    assert.equal(p.rawInput.subarray(p.rawStart, p.rawEnd).toString(), set);
    const second = p.next() as Buffer[];
    assert.ok(!p.hasRaw(first));
    assert.ok(p.hasRaw(second));
    assert.equal(p.rawStart, set.length);
    assert.equal(p.next(), null);
    assert.ok(!p.hasRaw(second));
    p.feed(Buffer.from('\r\n'));
    const ping = p.next() as Buffer[];
    assert.ok(!p.hasRaw(ping), 'PING was cut between two chunks');
    p.feed(Buffer.from(set));
    const third = p.next() as Buffer[];
    assert.ok(p.hasRaw(third));
    p.detach();
    assert.ok(!p.hasRaw(third));
    p.feed(Buffer.from(set));
    const fourth = p.next() as Buffer[];
    p.reset();
    assert.ok(!p.hasRaw(fourth));
  });

  it('a command name is a cached copy of its bytes: shared by commands of that name, not by the input', () => {
    const p = new RequestParser(limits());
    const chunk = Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nget\r\n$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n');
    p.feed(chunk, true);
    const [a, b, c] = [p.next(), p.next(), p.next()] as Buffer[][];
    assert.equal(a?.[0], c?.[0], 'the same name, the same copy');
    assert.notEqual(a?.[0], b?.[0]);
    p.detach();
    chunk.fill(0x21);
    assert.deepEqual([a, b, c].map((v) => v?.[0]?.toString()), ['GET', 'get', 'GET']);
    assert.ok(Buffer.isBuffer(a?.[0]));
    // Names longer than the cache takes, and empty ones, are plain arguments.
    const long = 'x'.repeat(25);
    p.feed(Buffer.from(`*1\r\n$25\r\n${long}\r\n*2\r\n$0\r\n\r\n$1\r\nk\r\n`));
    assert.equal(p.next()?.[0]?.toString(), long);
    assert.equal(p.next()?.[0]?.length, 0);
  });

  it('detach copies the arguments of a cut command out of a shared chunk, as views of one class', () => {
    const p = new RequestParser(limits());
    const chunk = Buffer.from('*3\r\n$3\r\nset\r\n$5\r\nkey:1\r\n$3\r\nv');
    p.feed(chunk, true);
    assert.equal(p.next(), null);
    p.detach();
    chunk.fill(0x21); // the caller reuses its read buffer
    p.feed(Buffer.from('al\r\n*2\r\n$3\r\nget\r\n$5\r\nkey:1\r\n'));
    const set = p.next() as Buffer[];
    assert.deepEqual(set.map(String), ['set', 'key:1', 'val']);
    const get = p.next() as Buffer[];
    // Every argument is a Buffer of the parser's one view class, copied or not.
    for (const a of [...set, ...get]) {
      assert.ok(Buffer.isBuffer(a));
      assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(get[0]));
    }
    // A big argument, assembled across reads, too.
    const big = Buffer.alloc(40_000, 0x62);
    const wire = encode([Buffer.from('set'), Buffer.from('k'), big]);
    p.feed(wire.subarray(0, 1000));
    assert.equal(p.next(), null);
    p.feed(wire.subarray(1000));
    const withBig = p.next() as Buffer[];
    assert.ok(withBig[2]?.equals(big));
    assert.equal(Object.getPrototypeOf(withBig[2]), Object.getPrototypeOf(get[0]));
    assert.equal(withBig[2]?.toString('latin1', 0, 3), 'bbb');
  });
});
