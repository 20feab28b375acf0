import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipKey, siphash24, siphashWords } from './siphash.js';

const key = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
const hex = (r: Uint32Array) =>
  (r[0] as number).toString(16).padStart(8, '0') + (r[1] as number).toString(16).padStart(8, '0');

test('SipHash-2-4 paper vector: key 00..0f, message 00..0e', () => {
  const msg = Uint8Array.from({ length: 15 }, (_, i) => i);
  assert.equal(hex(siphash24(key, msg)), 'a129ca6149be45e5');
});

test('SipHash-2-4 reference vectors: empty message and 8-byte message', () => {
  assert.equal(hex(siphash24(key, new Uint8Array(0))), '726fdb47dd0e0e31');
  // vectors[8] of the reference implementation: 62 24 93 9a 79 f5 f5 93 (little-endian).
  const m8 = Uint8Array.from({ length: 8 }, (_, i) => i);
  assert.equal(hex(siphash24(key, m8)), '93f5f5799a932462');
});

test('siphashWords is siphash24 of the four words in little-endian bytes, low half', () => {
  let x = 0x12345678;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let n = 0; n < 20000; n++) {
    const k = sipKey(Uint8Array.from({ length: 16 }, () => next() & 255));
    const w = [next(), next(), next(), n % 7 === 0 ? 0xffffffff : next()];
    if (n % 11 === 0) w[0] = 0;
    w.forEach((v, i) => view.setUint32(i * 4, v, true));
    const want = (siphash24(k, bytes)[1] as number) >>> 0;
    assert.equal(siphashWords(k, w[0] as number, w[1] as number, w[2] as number, w[3] as number), want);
  }
});
