import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEEP_MIN, RecvBuffer } from './recv-buffer.js';

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

test('segments held by reference read back as the ring would, with the same counts', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.record({ write: fc.integer({ min: 1, max: 3 * KEEP_MIN }), gap: fc.nat(2000) }),
          fc.record({ read: fc.integer({ min: 1, max: 2 * KEEP_MIN }) }),
        ),
        { maxLength: 60 },
      ),
      (ops) => {
        const cap = 4 * KEEP_MIN;
        const ring = new RecvBuffer(cap);
        const kept = new RecvBuffer(cap);
        let next = 0;
        const got: number[][] = [[], []];
        for (const op of ops) {
          if ('write' in op) {
            // Every fourth write lands beyond a hole (out of order), which the next one fills.
            const offset = op.gap < 500 ? op.gap : 0;
            const seg = new Uint8Array(op.write).map((_, i) => (next + offset + i) & 255);
            const a = ring.write(offset, seg);
            const ra = { ...a };
            const b =
              offset === 0 && kept.canKeep(seg.length) ? kept.keep(seg.slice()) : kept.write(offset, seg);
            assert.deepEqual({ ...b }, ra);
            if (offset === 0) next += a.advance;
          } else {
            const dst = new Uint8Array(op.read);
            const n = ring.read(dst);
            const c = kept.readChunk(op.read, (k) => new Uint8Array(k));
            assert.equal(c === null ? 0 : c.length, n);
            got[0]?.push(...dst.subarray(0, n));
            if (c) got[1]?.push(...c);
          }
          assert.equal(kept.readable, ring.readable);
          assert.equal(kept.space, ring.space);
          assert.deepEqual(kept.ooo, ring.ooo);
        }
        assert.deepEqual(got[1], got[0]);
      },
    ),
  );
});

test('a held segment is handed to the reader itself, not copied', () => {
  const rb = new RecvBuffer(1 << 20);
  const seg = new Uint8Array(KEEP_MIN);
  assert.ok(rb.canKeep(seg.length));
  assert.equal(rb.keep(seg).advance, KEEP_MIN);
  assert.equal(
    rb.readChunk(1 << 16, () => assert.fail('no copy expected')),
    seg,
  );
  assert.equal(rb.readable, 0);
  assert.ok(!rb.canKeep(KEEP_MIN - 1), 'small segments are gathered in the ring');
});
