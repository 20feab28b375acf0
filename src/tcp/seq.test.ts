import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seqAdd, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax, seqSub } from './seq.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const near = fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 });

test('comparisons agree with integer order for values within 2^31, across the wrap', () => {
  fc.assert(
    fc.property(u32, near, (a, d) => {
      const b = seqAdd(a, d);
      assert.equal(seqLt(a, b), d > 0);
      assert.equal(seqGt(a, b), d < 0);
      assert.equal(seqLe(a, b), d >= 0);
      assert.equal(seqGe(a, b), d <= 0);
      assert.equal(seqSub(b, a), d);
      assert.equal(seqMax(a, b), d >= 0 ? b : a);
    }),
  );
});

test("the seed's example: 255 and 1 in 8 bits, here 0xffffffff and 1: the wrapped value is after", () => {
  assert.ok(seqLt(0xffffffff, 1));
  assert.ok(seqGt(1, 0xffffffff));
  assert.equal(seqSub(1, 0xffffffff), 2);
  assert.ok(seqInWindow(5, 0xfffffff0, 0x10));
  assert.ok(!seqInWindow(0x10, 0xfffffff0, 0x10));
});
