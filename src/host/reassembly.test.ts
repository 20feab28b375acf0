import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Simulator } from '../sim/simulator.js';
import { IpMib } from './counters.js';
import { FRAG_OVERHEAD, Reassembler } from './reassembly.js';

/** A fragment: 20-byte header (only the addresses, protocol and id matter here) and `len` bytes. */
function frag(len: number): Uint8Array {
  const p = new Uint8Array(20 + len);
  p[0] = 0x45;
  p[4] = 0x12;
  p[5] = 0x34;
  p[9] = 6;
  p.set([10, 0, 0, 2, 10, 0, 0, 1], 12);
  return p;
}

test('a last fragment ending before bytes already held drops the datagram instead of throwing (found by the fuzzer)', () => {
  const sim = new Simulator({ seed: 1 });
  const mib = new IpMib();
  const drops: string[] = [];
  const r = new Reassembler(
    sim,
    mib,
    () => ({ timeoutUs: 30e6, highThresh: 4 << 20 }),
    (why) => drops.push(why),
  );
  // 16 bytes at offset 64 (more to come), then a "last" fragment of 8 bytes at 0: the datagram
  // would end at 8 with bytes held up to 80.
  const a = frag(16);
  assert.equal(r.add(a, 20, a.length, 64, true), null);
  const b = frag(8);
  assert.equal(r.add(b, 20, b.length, 0, false), null);
  assert.equal(mib.ReasmFails, 1);
  assert.deepEqual(drops, ['fragment']);
  assert.equal(r.bytesHeld, 0);
});

test('fragments are charged their overhead: empty ones spoil the datagram, a flood stops at ipfrag_high_thresh', () => {
  const sim = new Simulator({ seed: 1 });
  const mib = new IpMib();
  const drops: string[] = [];
  const high = 64 * 1024;
  const r = new Reassembler(
    sim,
    mib,
    () => ({ timeoutUs: 30e6, highThresh: high }),
    (why) => drops.push(why),
  );
  const empty = frag(0);
  assert.equal(r.add(empty, 20, 20, 0, true), null);
  assert.equal(r.bytesHeld, 0);
  for (let i = 0; i < 10_000; i++) {
    const p = frag(8);
    p[5] = i & 255;
    p[4] = (i >> 8) & 255;
    r.add(p, 20, p.length, 8, true);
  }
  assert.ok(r.bytesHeld <= high, `${r.bytesHeld} bytes held`);
  assert.equal(r.datagramsPending, Math.floor(high / (8 + FRAG_OVERHEAD)));
  assert.ok(drops.filter((d) => d === 'frag-too-far').length > 9000);
  sim.run();
  assert.equal(r.bytesHeld, 0);
  assert.equal(r.datagramsPending, 0);
  assert.ok(mib.ReasmTimeout > 0);
});
