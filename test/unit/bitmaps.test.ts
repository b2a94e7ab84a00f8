// Bit-level primitives of the bitmap commands against bit-by-bit models: popcount and first-bit
// scans at every alignment (the word paths read an aligned view of the same memory), bitfield
// reads and writes at any offset, and the overflow checks' WRAP / SAT / FAIL outcomes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstBit, popcount } from '../../src/server/handlers/bitmaps-core.js';
import {
  applyBig,
  applySmall,
  checkSigned,
  checkUnsigned,
  FAIL,
  getSigned,
  getUnsigned,
  INCRBY,
  SAT,
  SET,
  setField,
  WRAP,
  type FieldOp,
} from '../../src/server/handlers/bitmaps-bitfield.js';

/** Bit i of v (bit 0 = MSB of byte 0), 0 past the end. */
const bitAt = (v: Uint8Array, i: number): number => (i >> 3 < v.length ? (v[i >> 3] >> (7 - (i & 7))) & 1 : 0);

/** Buffers mostly of 0x00 / 0xff runs (what the scans skip) with a few other bytes. */
const bytesArb = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0xff), fc.integer({ min: 0, max: 255 })), { maxLength: 300 })
  .map((a) => Uint8Array.from(a));

/** The same bytes at a chosen misalignment inside a larger buffer. */
function placed(bytes: Uint8Array, shift: number): Uint8Array {
  const host = Buffer.alloc(bytes.length + 8, 0xa5);
  host.set(bytes, shift);
  return host.subarray(shift, shift + bytes.length);
}

describe('bitmaps: popcount and firstBit', () => {
  it('popcount equals the bit-by-bit count of any range, at any alignment', () => {
    fc.assert(
      fc.property(bytesArb, fc.nat(7), fc.nat(), fc.nat(), (bytes, shift, x, y) => {
        const v = placed(bytes, shift);
        const s = bytes.length === 0 ? 0 : x % bytes.length;
        const e = bytes.length === 0 ? 0 : s + (y % (bytes.length - s + 1));
        let model = 0;
        for (let i = s * 8; i < e * 8; i++) model += bitAt(v, i);
        assert.equal(popcount(v, s, e), model);
      }),
      { numRuns: 500 },
    );
  });

  it('firstBit finds the first matching bit, -1 / count*8 when there is none', () => {
    fc.assert(
      fc.property(bytesArb, fc.nat(7), fc.nat(), fc.integer({ min: 0, max: 1 }), (bytes, shift, x, bit) => {
        const v = placed(bytes, shift);
        const s = bytes.length === 0 ? 0 : x % bytes.length;
        const count = bytes.length - s;
        let model = bit === 1 ? -1 : count * 8;
        for (let i = 0; i < count * 8; i++) {
          if (bitAt(v, s * 8 + i) === bit) {
            model = i;
            break;
          }
        }
        assert.equal(firstBit(v, s, count, bit), model);
      }),
      { numRuns: 500 },
    );
  });

  it('long runs are skipped word by word and the hit is still exact', () => {
    for (const bit of [0, 1]) {
      const fill = bit === 1 ? 0 : 0xff;
      for (const at of [0, 3, 64, 65, 200, 1023]) {
        const v = placed(Buffer.alloc(1024, fill), at % 8);
        v[at] = bit === 1 ? 0x10 : 0xef;
        assert.equal(firstBit(v, 0, 1024, bit), at * 8 + 3);
        assert.equal(firstBit(v, 1, 1023, bit), at === 0 ? (bit === 1 ? -1 : 1023 * 8) : (at - 1) * 8 + 3);
      }
    }
  });
});

describe('bitmaps: bitfields', () => {
  const fieldArb = fc.record({
    bytes: fc.uint8Array({ minLength: 0, maxLength: 24 }),
    offset: fc.nat(200),
    bits: fc.integer({ min: 1, max: 64 }),
  });

  it('getUnsigned / getSigned read the bits MSB first, zero past the end', () => {
    fc.assert(
      fc.property(fieldArb, ({ bytes, offset, bits }) => {
        let u = 0n;
        for (let i = 0; i < bits; i++) u = (u << 1n) | BigInt(bitAt(bytes, offset + i));
        assert.equal(getUnsigned(bytes, offset, bits), u);
        assert.equal(getSigned(bytes, offset, bits), BigInt.asIntN(bits, u));
      }),
      { numRuns: 1000 },
    );
  });

  it('setField writes exactly the field and leaves every other bit alone', () => {
    fc.assert(
      fc.property(fieldArb, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), ({ bytes, offset, bits }, value) => {
        const v = Uint8Array.from([...bytes, ...new Uint8Array(Math.ceil((offset + bits) / 8))]);
        const before = Uint8Array.from(v);
        setField(v, offset, bits, value);
        for (let i = 0; i < v.length * 8; i++) {
          const inField = i >= offset && i < offset + bits;
          const want = inField ? Number((BigInt.asUintN(bits, value) >> BigInt(bits - 1 - (i - offset))) & 1n) : bitAt(before, i);
          assert.equal(bitAt(v, i), want, `bit ${i}`);
        }
        assert.equal(getUnsigned(v, offset, bits), BigInt.asUintN(bits, value));
      }),
      { numRuns: 500 },
    );
  });

  it('in-range sums do not overflow; out-of-range ones wrap modulo 2^bits or saturate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (bits, a, incr) => {
          // Signed: a current field value (in range) plus any int64 increment.
          const max = (1n << BigInt(bits - 1)) - 1n;
          const value = BigInt.asIntN(bits, a);
          const sum = value + incr;
          const fits = sum >= -max - 1n && sum <= max;
          const w = checkSigned(value, incr, bits, WRAP);
          assert.equal(w.dir === 0, fits);
          if (!fits) assert.equal(w.limit, BigInt.asIntN(bits, sum));
          const s = checkSigned(value, incr, bits, SAT);
          if (!fits) assert.equal(s.limit, sum > max ? max : -max - 1n);
          assert.equal(checkSigned(value, incr, bits, FAIL).dir === 0, fits);
          // Unsigned (u1..u63): a current value plus any increment.
          if (bits === 64) return;
          const umax = (1n << BigInt(bits)) - 1n;
          const uvalue = BigInt.asUintN(bits, a);
          const usum = uvalue + incr;
          const ufits = usum >= 0n && usum <= umax;
          const uw = checkUnsigned(uvalue, incr, bits, WRAP);
          assert.equal(uw.dir === 0, ufits);
          if (!ufits) assert.equal(uw.limit, BigInt.asUintN(bits, usum));
          const us = checkUnsigned(uvalue, incr, bits, SAT);
          if (!ufits) assert.equal(us.limit, usum > umax ? umax : 0n);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the double fast path (<= 32 bits, |arg| <= 2^48) agrees with the BigInt path', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.record({
          code: fc.constantFrom(SET, INCRBY),
          offset: fc.nat(63),
          bits: fc.integer({ min: 1, max: 32 }),
          signed: fc.boolean(),
          argNum: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -(2 ** 48), max: 2 ** 48 })),
          overflow: fc.constantFrom(WRAP, SAT, FAIL),
        }),
        (bytes, o) => {
          const op: FieldOp = { ...o, arg: BigInt(o.argNum) };
          const a = Uint8Array.from(bytes);
          const big = Uint8Array.from(bytes);
          const r1 = applySmall(a, op);
          const r2 = applyBig(big, op);
          assert.equal(r1.reply === null ? null : BigInt(r1.reply), r2.reply);
          assert.equal(r1.changed, r2.changed);
          assert.deepEqual(a, big);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
