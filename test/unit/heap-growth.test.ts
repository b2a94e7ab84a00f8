// The old generation's growing percent (src/cli/heap-tuning.ts, growingPercentFor): while the
// heap is small it leaves OLD_HEADROOM_BYTES of room to the next full collection, at most a
// factor of 4; once the heap holds that much itself, V8's own factor (0) serves.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OLD_HEADROOM_BYTES, growingPercentFor } from '../../src/cli/heap-tuning.js';

const MB = 1024 * 1024;

describe('growingPercentFor', () => {
  it('gives a small heap the headroom, capped at 300 %', () => {
    assert.equal(growingPercentFor(0), 300);
    assert.equal(growingPercentFor(4 * MB), 300);
    assert.equal(growingPercentFor(10 * MB), 300);
    assert.equal(growingPercentFor(16 * MB), 200);
    assert.equal(growingPercentFor(OLD_HEADROOM_BYTES - 1), 101);
  });

  it('leaves a heap of the headroom or more to V8', () => {
    assert.equal(growingPercentFor(OLD_HEADROOM_BYTES), 0);
    assert.equal(growingPercentFor(64 * MB), 0);
    assert.equal(growingPercentFor(4096 * MB), 0);
  });

  it('leaves at least the headroom wherever the cap does not bind', () => {
    for (let used = 1; used < OLD_HEADROOM_BYTES; used += 99_991) {
      const p = growingPercentFor(used);
      assert.ok(p > 100 && p <= 300, `${used}: ${p}`);
      const room = (used * p) / 100;
      if (p < 300) assert.ok(room >= OLD_HEADROOM_BYTES, `${used}: ${p} % leaves ${room}`);
      else assert.ok(used * 2.99 <= OLD_HEADROOM_BYTES, `${used}: capped at ${p} % though a smaller factor would do`);
    }
  });
});
