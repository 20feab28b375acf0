import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onesSum } from '../../wire/checksum.js';
import { coalesceTcp } from './gso-coalesce.js';

/** An IPv4/TCP packet with a 12-byte option block (timestamps) and `len` bytes of data. */
function seg(seq: number, len: number, flags = 0x10, sport = 80, tsVal = 1): Uint8Array {
  const p = new Uint8Array(20 + 32 + len);
  p.set([0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 2, 192, 0, 2, 1]);
  p[2] = p.length >> 8;
  p[3] = p.length & 255;
  const v = new DataView(p.buffer);
  v.setUint16(20, sport);
  v.setUint16(22, 40000);
  v.setUint32(24, seq);
  v.setUint32(28, 777);
  p[32] = 8 << 4;
  p[33] = flags;
  v.setUint16(34, 512);
  p.set([1, 1, 8, 10], 40);
  v.setUint32(44, tsVal);
  for (let i = 0; i < len; i++) p[52 + i] = (seq + i) & 255;
  return p;
}

function run(packets: Uint8Array[], maxLen = 65_000): [Uint8Array, number, number][] {
  const out: [Uint8Array, number, number][] = [];
  coalesceTcp(packets, maxLen, (p, g, h) => out.push([p, g, h]));
  return out;
}

test('a burst of full segments of one flow becomes one GSO packet, the last one pushed', () => {
  const burst = [seg(1000, 100), seg(1100, 100), seg(1200, 100), seg(1300, 40, 0x18)];
  const out = run(burst);
  assert.equal(out.length, 1);
  const [p, gsoSize, hdrLen] = out[0] as [Uint8Array, number, number];
  assert.equal(gsoSize, 100);
  assert.equal(hdrLen, 52);
  assert.equal(p.length, 52 + 340);
  assert.equal((p[2] as number) * 256 + (p[3] as number), p.length, 'IP total length');
  assert.equal(onesSum(p, 0, 20), 0xffff, 'a valid IP header checksum');
  assert.equal(p[33], 0x18, 'PSH from the last segment');
  for (let i = 0; i < 340; i++) assert.equal(p[52 + i], (1000 + i) & 255, `byte ${i} in order`);
});

test('runs break at a gap, another flow, a short or pushed segment, other headers, or the size limit', () => {
  const sizes = (o: [Uint8Array, number, number][]) => o.map(([p, g]) => [p.length - 52, g]);
  // A gap in sequence numbers.
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 100), seg(300, 100)])), [
    [200, 100],
    [100, 0],
  ]);
  // Another flow in between.
  assert.deepEqual(sizes(run([seg(0, 100), seg(0, 100, 0x10, 81), seg(100, 100)])), [
    [100, 0],
    [100, 0],
    [100, 0],
  ]);
  // A short segment ends a run; so does PSH.
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 50), seg(150, 100)])), [
    [150, 100],
    [100, 0],
  ]);
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 100, 0x18), seg(200, 100)])), [
    [200, 100],
    [100, 0],
  ]);
  // A different timestamp, a FIN, pure ACKs: never joined.
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 100, 0x10, 80, 2)])), [
    [100, 0],
    [100, 0],
  ]);
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 100, 0x11)])), [
    [100, 0],
    [100, 0],
  ]);
  assert.deepEqual(sizes(run([seg(0, 0), seg(0, 0)])), [
    [0, 0],
    [0, 0],
  ]);
  // The size limit.
  assert.deepEqual(sizes(run([seg(0, 100), seg(100, 100), seg(200, 100)], 52 + 250)), [
    [200, 100],
    [100, 0],
  ]);
});
