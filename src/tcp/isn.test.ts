import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IsnGenerator } from './isn.js';
import { seqSub } from './seq.js';

const gen = new IsnGenerator(Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255));
const A = 0x0a000001;
const B = 0x0a000002;

test('RFC 6528: ISNs on one 4-tuple advance with the 4 µs clock', () => {
  const t0 = 5_000_000;
  const i0 = gen.isn(A, 40000, B, 80, t0);
  for (const dt of [4, 400, 4_000_000, 60_000_000]) {
    assert.equal(seqSub(gen.isn(A, 40000, B, 80, t0 + dt), i0), dt / 4);
  }
});

test('RFC 6528: different 4-tuples at the same instant get ISNs spread over the space', () => {
  const seen = new Set<number>();
  let high = 0;
  for (let port = 1024; port < 2048; port++) {
    const isn = gen.isn(A, port, B, 80, 1_000_000);
    seen.add(isn);
    if (isn >= 0x80000000) high++;
  }
  assert.equal(seen.size, 1024);
  // Roughly half land in the upper half of the sequence space.
  assert.ok(high > 400 && high < 624, `upper-half count ${high}`);
});

test('RFC 7323 §5.4: timestamp offsets differ per address pair and are stable', () => {
  assert.equal(gen.tsOffset(A, B), gen.tsOffset(A, B));
  assert.notEqual(gen.tsOffset(A, B), gen.tsOffset(A, 0x0a000003));
});

test('timestamp offsets: the one-pair cache gives what a fresh generator computes, for any pair order', () => {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + 7) & 255);
  const cached = new IsnGenerator(secret);
  const pairs = [
    [A, B],
    [A, B],
    [B, A],
    [0xffffffff, 0],
    [-1, 0],
    [A, B],
    [A, 0x0a000003],
  ] as const;
  for (const [l, r] of pairs) assert.equal(cached.tsOffset(l, r), new IsnGenerator(secret).tsOffset(l, r));
});
