import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecvBuffer } from './recv-buffer.js';

test('any order and duplication of segments reassembles the original stream', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 200 }),
      (stream, cutsRaw, order) => {
        const cuts = [...new Set(cutsRaw.map((c) => c % stream.length))].sort((a, b) => a - b);
        const bounds = [0, ...cuts.filter((c) => c > 0), stream.length];
        const segs: [number, number][] = [];
        for (let i = 0; i + 1 < bounds.length; i++) segs.push([bounds[i] as number, bounds[i + 1] as number]);
        // Deliver in a shuffled order with duplicates, then everything once more in order.
        const deliveries = order.map((o) => segs[o % segs.length] as [number, number]).concat(segs);
        const rb = new RecvBuffer(4096);
        let rcvNxt = 0;
        const out: number[] = [];
        const tmp = new Uint8Array(4096);
        for (const [s, e] of deliveries) {
          if (e <= rcvNxt) continue;
          const from = Math.max(s, rcvNxt);
          const r = rb.write(from - rcvNxt, stream.subarray(from, e));
          rcvNxt += r.advance;
          const n = rb.read(tmp);
          for (let i = 0; i < n; i++) out.push(tmp[i] as number);
        }
        assert.equal(rcvNxt, stream.length);
        assert.deepEqual(Uint8Array.from(out), stream);
        assert.equal(rb.ooo.length, 0);
      },
    ),
  );
});

test('out-of-order data is bounded by the buffer, and ranges are reported', () => {
  const rb = new RecvBuffer(1000);
  assert.equal(rb.write(500, new Uint8Array(300)).advance, 0);
  assert.deepEqual(
    rb.ooo.map((r) => [r.start, r.end]),
    [[500, 800]],
  );
  assert.equal(rb.write(900, new Uint8Array(300)).advance, 0, 'bytes past the buffer are dropped');
  assert.deepEqual([rb.ooo.at(-1)?.start, rb.ooo.at(-1)?.end], [900, 1000]);
  assert.equal(rb.write(0, new Uint8Array(500)).advance, 800);
  assert.equal(rb.readable, 800);
});
