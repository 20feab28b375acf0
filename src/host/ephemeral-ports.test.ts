import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EphemeralPorts } from './ephemeral-ports.js';

const hash = (a: number, b: number, c: number) =>
  Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ (c * 65599), 0x85ebca6b) >>> 0;

test('ports stay in range, prefer even ports, and never repeat while in use', () => {
  const ports = new EphemeralPorts(hash);
  const used = new Set<number>();
  const picked: number[] = [];
  for (let i = 0; i < 100; i++) {
    const p = ports.pick(32768, 32967, 0x0a000001, 0x0a000002, 80, (x) => !used.has(x));
    assert.ok(p >= 32768 && p <= 32967, `port ${p} out of range`);
    assert.ok(!used.has(p));
    used.add(p);
    picked.push(p);
  }
  assert.ok(
    picked.every((p) => p % 2 === 0),
    'the first half of the range used comes from even ports',
  );
  // Then odd ports, then exhaustion.
  for (let i = 0; i < 100; i++)
    used.add(ports.pick(32768, 32967, 0x0a000001, 0x0a000002, 80, (x) => !used.has(x)));
  assert.equal(used.size, 200);
  assert.equal(
    ports.pick(32768, 32967, 0x0a000001, 0x0a000002, 80, (x) => !used.has(x)),
    -1,
  );
});

test('different destinations start at unrelated offsets', () => {
  const ports = new EphemeralPorts(hash);
  const starts = new Set<number>();
  for (let d = 0; d < 50; d++) starts.add(ports.pick(32768, 60999, 1, 0x0a000000 + d, 443, () => true));
  assert.ok(starts.size >= 45, `only ${starts.size} distinct first ports for 50 destinations`);
});
