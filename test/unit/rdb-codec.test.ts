// The RDB format's building blocks (src/server/persistence): CRC-64, LZF, lengths and strings,
// listpacks, intsets, ziplists and zipmaps. Encoders are checked against bytes redis-server
// 7.0.15 wrote (golden DUMP payloads below), decoders against independently built blobs
// (test/helpers/rdb-build.ts), and both by round trips and by corruption that must be refused
// without reading out of bounds.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Crc64, crc64 } from '../../src/server/persistence/crc64.js';
import { lzfCompress, lzfCompressInto, lzfDecompress, lzfDecompressInto } from '../../src/server/persistence/lzf.js';
import { ListpackBuilder, buildIntset, canonicalInt, parseIntset, parseListpack } from '../../src/server/persistence/listpack.js';
import { RdbError, RdbInput, RdbOutput, parseCDouble } from '../../src/server/persistence/rdb-io.js';
import { parseZiplist, parseZipmap } from '../../src/server/persistence/ziplist.js';
import { ziplist, zipmap } from '../helpers/rdb-build.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** DUMP payloads written by redis-server 7.0.15 (rdbcompression yes, default thresholds). */
export const GOLDEN = {
  /** SET a <'x' x 100>: LZF-compressed. */
  longString: hex('00c3094064017878e057000178780a005db7f663bb08625f'),
  /** SET b 'The quick brown fox jumps over the lazy dog, the quick brown fox'. */
  text: hex('00c33540401f54686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e086c617a7920646f672c600de0042c016f780a0001cb583d6f765fcb'),
  /** RPUSH c a b 1 -5 300 70000 -9223372036854775808 <'x' x 70>. */
  list: hex('120102c32b406d196d00000008008161028162020101dffb02c12c02f270110104f420184000048009e04678e03c000148ff0a00fbc5afc0cc75b8ab'),
  /** SADD d 1 -70000 5 9 (an intset of 4-byte members). */
  intset: hex('0b18040000000400000090eefeff0100000005000000090000000a00030498744265078f'),
  /** ZADD e 1 a 2.5 b -inf c 1e17 12 0.1 f. */
  zset: hex('11c338404116410000000a00816302842d696e660581660293302e3130e005001b3114816102010181620283322e35040c01f400008a5d7845630109ff0a00a8aa2457915a3c7a'),
  /** HSET f f1 v1 n 4096 big <'y' x 40>. */
  hash: hex('10c32340451b4500000006008266310382763103816e02f10010038362696704a879e01e000129ff0a0043fea0c4a9c88213'),
};

/** The string at offset `at` of a golden payload (1: right after the type byte). */
function readString(p: Buffer, at = 1): Buffer {
  const inp = RdbInput.fromBuffer(p, at, p.length - 10);
  return Buffer.from(inp.string());
}

describe('crc64', () => {
  it('matches Redis crc64.c test vector', () => {
    assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  });

  it('is the same whether fed at once or in pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (data, cut) => {
        const b = Buffer.from(data);
        const at = Math.min(cut, b.length);
        const c = new Crc64();
        c.update(b, 0, at);
        c.update(b, at);
        assert.equal(c.value, crc64(b));
        assert.ok(c.matches(c.bytes(), 0));
      }),
    );
  });

  it('is the same over the word path at any alignment as byte by byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 1200 }), fc.nat(7), fc.nat(7), (data, lead, trail) => {
        // The data inside a larger buffer, at an offset of any alignment.
        const host = Buffer.alloc(lead + data.length + trail, 0xa5);
        host.set(data, lead);
        const whole = new Crc64();
        whole.update(host, lead, lead + data.length);
        const bytewise = new Crc64();
        for (let i = 0; i < data.length; i++) bytewise.update(host, lead + i, lead + i + 1);
        assert.equal(whole.value, bytewise.value);
      }),
      { numRuns: 200 },
    );
  });

  it('verifies the golden payloads', () => {
    for (const [name, p] of Object.entries(GOLDEN)) {
      const c = new Crc64();
      c.update(p, 0, p.length - 8);
      assert.ok(c.matches(p, p.length - 8), name);
    }
  });
});

describe('lzf', () => {
  it('compresses to the bytes Redis wrote', () => {
    for (const p of [GOLDEN.longString, GOLDEN.text]) {
      const original = readString(p);
      const out = new RdbOutput({ compress: true });
      out.string(original);
      assert.deepEqual(out.take(), p.subarray(1, p.length - 10));
    }
  });

  it('round-trips any input that it compresses', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.constantFrom(0x61, 0x62, 0x63, 0x30), { maxLength: 3000 }).map((a) => Uint8Array.from(a)),
      fc.tuple(fc.string({ maxLength: 20 }), fc.nat(400)).map(([s, n]) => Uint8Array.from(Buffer.from(s.repeat(n + 1), 'latin1'))),
    );
    fc.assert(
      fc.property(input, (data) => {
        const b = Buffer.from(data);
        const z = lzfCompress(b, 0, b.length, b.length + 64);
        if (b.length === 0) return assert.equal(z, null);
        assert.ok(z !== null);
        assert.deepEqual(lzfDecompress(z, 0, z.length, b.length), b);
        // One byte too short or too long an expected size is refused.
        assert.equal(lzfDecompress(z, 0, z.length, b.length + 1), null);
        if (b.length > 1) assert.equal(lzfDecompress(z, 0, z.length, b.length - 1), null);
      }),
      { numRuns: 300 },
    );
  });

  it('compresses bytes inside a larger buffer as it does them alone; decompresses into a buffer', () => {
    const input = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 600 }),
      fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.nat(300)).map(([s, n]) => Uint8Array.from(Buffer.from(s.repeat(n + 1), 'latin1'))),
    );
    fc.assert(
      fc.property(input, fc.nat(9), (data, lead) => {
        const alone = lzfCompress(Buffer.from(data), 0, data.length, data.length + 64);
        const host = Buffer.alloc(lead + data.length + 9, 0x61);
        host.set(data, lead);
        const out = Buffer.alloc(data.length + 64 + 4);
        const n = lzfCompressInto(host, lead, data.length, out, data.length + 64);
        assert.ok(alone !== null);
        assert.deepEqual(out.subarray(0, n), alone);
        // Decompressed from inside a larger buffer into a larger one: the same bytes, nothing past them.
        const zHost = Buffer.concat([Buffer.from([1, 2, 3]), alone, Buffer.from([4])]);
        const dst = Buffer.alloc(data.length + 5, 0xee);
        assert.ok(lzfDecompressInto(zHost, 3, 3 + alone.length, dst, data.length));
        assert.deepEqual(dst.subarray(0, data.length), Buffer.from(data));
        assert.ok(dst.subarray(data.length).every((x) => x === 0xee));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses when the output would not fit (lzf_compress returning 0)', () => {
    const random = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 197 + 13) & 0xff));
    assert.equal(lzfCompress(random, 0, random.length, random.length - 4), null);
  });

  it('decompresses garbage without throwing, reading or writing out of bounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(5000), (data, n) => {
        const out = lzfDecompress(data, 0, data.length, n);
        assert.ok(out === null || out.length === n);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses an output size the input cannot expand to, before allocating it', () => {
    assert.equal(lzfDecompress(Buffer.from([0, 0x41]), 0, 2, 2 ** 40), null);
  });
});

describe('lengths and strings', () => {
  it('encode lengths at every width boundary and decode them back', () => {
    for (const n of [0, 1, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 40]) {
      const o = new RdbOutput({ compress: false });
      o.len(n);
      const b = o.take();
      const expectLen = n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
      assert.equal(b.length, expectLen, String(n));
      assert.equal(RdbInput.fromBuffer(b).len(), n);
    }
  });

  it('integer-encode canonical int32 strings of up to 11 bytes, as rdbTryIntegerEncoding', () => {
    const cases: Array<[string, string]> = [
      ['0', 'c000'],
      ['-1', 'c0ff'],
      ['127', 'c07f'],
      ['128', 'c18000'],
      ['-32768', 'c10080'],
      ['32768', 'c200800000'],
      ['-2147483648', 'c200000080'],
      ['2147483648', '0a32313437343833363438'],
      ['007', '03303037'],
      ['-0', '022d30'],
      ['+1', '022b31'],
      ['', '00'],
    ];
    for (const [s, want] of cases) {
      const o = new RdbOutput({ compress: true });
      o.string(Buffer.from(s));
      assert.equal(o.take().toString('hex'), want, s);
      assert.equal(RdbInput.fromBuffer(hex(want)).string().toString('latin1'), s, s);
    }
  });

  it('compress only strings over 20 bytes, and only when asked', () => {
    const s = Buffer.from('a'.repeat(21));
    const on = new RdbOutput({ compress: true });
    on.string(s);
    assert.equal(on.view()[0], 0xc3);
    const twenty = new RdbOutput({ compress: true });
    twenty.string(s.subarray(1));
    assert.equal(twenty.view()[0], 20);
    const off = new RdbOutput({ compress: false });
    off.string(s);
    assert.equal(off.view()[0], 21);
  });

  it('refuse truncated input with the EOF reason and its offset', () => {
    assert.throws(
      () => RdbInput.fromBuffer(hex('05616263')).string(),
      (e: unknown) => e instanceof RdbError && e.reason === 'Unexpected EOF reading RDB file' && e.offset === 1,
    );
    assert.throws(() => RdbInput.fromBuffer(hex('c3')).string(), RdbError);
    assert.throws(() => RdbInput.fromBuffer(hex('c4')).string(), /Unknown RDB string encoding type 4/);
    assert.throws(() => RdbInput.fromBuffer(hex('c30205000000')).string(), /Invalid LZF compressed string/);
  });

  it('read text doubles as Redis writes them', () => {
    assert.equal(parseCDouble('1.5'), 1.5);
    assert.equal(parseCDouble('-inf'), -Infinity);
    assert.equal(parseCDouble('1e+30'), 1e30);
    assert.equal(parseCDouble('0.10000000000000001'), 0.1);
    assert.ok(Number.isNaN(parseCDouble('1.5x')));
    assert.ok(Number.isNaN(parseCDouble('')));
  });
});

describe('listpack', () => {
  it('builds the listpacks Redis built', () => {
    const lp = new ListpackBuilder();
    for (const s of ['a', 'b', '1', '-5', '300', '70000', '-9223372036854775808', 'x'.repeat(70)]) lp.append(s);
    // The list payload: type, node count, container, then the node's listpack.
    assert.deepEqual(lp.finish(), readString(GOLDEN.list, 3));
    const h = new ListpackBuilder();
    for (const s of ['f1', 'v1', 'n', '4096', 'big', 'y'.repeat(40)]) h.append(s);
    assert.deepEqual(h.finish(), readString(GOLDEN.hash));
  });

  it('round-trips elements through every entry encoding', () => {
    const element = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 5000 }).map((a) => String.fromCharCode(...a)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      fc.integer({ min: -9000, max: 9000 }).map(String),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 40 }), (elements) => {
        const lp = new ListpackBuilder();
        for (const s of elements) lp.append(s);
        const b = lp.finish();
        assert.equal(b.length, lp.bytes);
        const out: string[] = [];
        assert.equal(parseListpack(b, (s) => out.push(s)), elements.length);
        assert.deepEqual(out, elements);
      }),
      { numRuns: 200 },
    );
  });

  it('stores canonical integers as integers, anything else as strings', () => {
    assert.equal(canonicalInt('12'), 12n);
    for (const s of ['012', '-0', '+1', '1 ', '', '9223372036854775808']) assert.equal(canonicalInt(s), null, s);
    const lp = new ListpackBuilder();
    lp.append('127');
    lp.append('128');
    lp.append('-4096');
    lp.append('4096');
    assert.equal(lp.finish().subarray(6).toString('hex'), '7f01' + 'c08002' + 'd00002' + 'f1001003' + 'ff');
  });

  it('refuses every single-byte corruption it cannot read consistently, never throwing', () => {
    const lp = new ListpackBuilder();
    for (const s of ['alpha', '7', '-300', 'x'.repeat(100), '123456789012']) lp.append(s);
    const good = lp.finish();
    for (let i = 0; i < good.length; i++) {
      for (const v of [0x00, 0x7f, 0x80, 0xc0, 0xe0, 0xf0, 0xf4, 0xf5, 0xff, good[i] ^ 1]) {
        const b = Buffer.from(good);
        b[i] = v;
        const n = parseListpack(b, () => {});
        assert.ok(n === -1 || n >= 0);
      }
    }
    // Truncations and a wrong header count are refused.
    for (let n = 0; n < good.length; n++) assert.equal(parseListpack(good.subarray(0, n), () => {}), -1);
    const badCount = Buffer.from(good);
    badCount.writeUInt16LE(4, 4);
    assert.equal(parseListpack(badCount, () => {}), -1);
    const unknownCount = Buffer.from(good);
    unknownCount.writeUInt16LE(65535, 4);
    assert.equal(parseListpack(unknownCount, () => {}), 5);
  });
});

describe('intset', () => {
  it('builds and parses the intset Redis built', () => {
    const blob = readString(GOLDEN.intset);
    assert.deepEqual(parseIntset(blob), [-70000n, 1n, 5n, 9n]);
    assert.deepEqual(buildIntset([-70000n, 1n, 5n, 9n], 4), blob);
  });

  it('refuses empty sets, unknown widths, size mismatches, unsorted or duplicate members', () => {
    assert.equal(parseIntset(buildIntset([], 2)), null);
    assert.equal(parseIntset(buildIntset([1n, 1n], 2)), null);
    assert.equal(parseIntset(buildIntset([2n, 1n], 2)), null);
    const w3 = buildIntset([1n], 4);
    w3.writeUInt32LE(3, 0);
    assert.equal(parseIntset(w3), null);
    assert.equal(parseIntset(buildIntset([1n, 2n], 8).subarray(0, 20)), null);
    assert.equal(parseIntset(Buffer.alloc(5)), null);
  });
});

describe('ziplist and zipmap', () => {
  it('parse what ziplist.c builds, every entry encoding included', () => {
    const elements = ['', 'a', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(300), 'w'.repeat(17000), '0', '12', '13', '-1',
      '127', '-128', '300', '-32768', '100000', '-8388608', '2147483647', '-2147483649', '9223372036854775807', '007'];
    assert.deepEqual(parseZiplist(ziplist(elements)), elements);
    assert.deepEqual(parseZiplist(ziplist([])), []);
  });

  it('refuse inconsistent ziplists', () => {
    const good = ziplist(['a', 'bb', '12345', 'c'.repeat(300)]);
    const tail = Buffer.from(good);
    tail.writeUInt32LE(10, 4);
    assert.equal(parseZiplist(tail), null, 'zltail not at the last entry');
    const count = Buffer.from(good);
    count.writeUInt16LE(3, 8);
    assert.equal(parseZiplist(count), null, 'wrong count');
    const prev = Buffer.from(good);
    prev[10 + 3] = 9; // the second entry's prevlen
    assert.equal(parseZiplist(prev), null, 'wrong prevlen');
    for (let n = 0; n < good.length; n++) assert.equal(parseZiplist(good.subarray(0, n)), null);
    for (let i = 0; i < good.length; i++) {
      const b = Buffer.from(good);
      b[i] ^= 0x5a;
      const r = parseZiplist(b);
      assert.ok(r === null || Array.isArray(r));
    }
  });

  it('parse zipmaps (with free space) and refuse broken ones', () => {
    const pairs: Array<[string, string]> = [['f', 'v'], ['long', 'x'.repeat(300)], ['', '']];
    assert.deepEqual(parseZipmap(zipmap(pairs, 3)), pairs.flat());
    assert.equal(parseZipmap(zipmap([])), null, 'no pairs');
    const count = zipmap(pairs);
    count[0] = 7;
    assert.equal(parseZipmap(count), null, 'wrong count');
    const good = zipmap(pairs, 1);
    for (let n = 0; n < good.length; n++) assert.equal(parseZipmap(good.subarray(0, n)), null);
  });
});
