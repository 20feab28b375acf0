import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipKey, siphash24 } from './siphash.js';

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
