import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocReusable, claimPacket, releasePacket, REUSE_MIN, taintPacket } from './packet-pool.js';

test('packet pool: a released buffer is reused, exactly once; foreign and tainted buffers never are', () => {
  assert.equal(allocReusable(REUSE_MIN - 1), null, 'small packets are left to the slab');
  assert.equal(allocReusable((1 << 16) + 1), null, 'nothing larger than an IPv4 packet');

  const a = allocReusable(1500) as Uint8Array;
  assert.equal(a.length, 1500);
  releasePacket(a);
  releasePacket(a); // a second release is ignored
  const b = allocReusable(1500) as Uint8Array;
  assert.equal(b.buffer, a.buffer, 'the released buffer carries the next packet');
  const c = allocReusable(1500) as Uint8Array;
  assert.notEqual(c.buffer, a.buffer, 'and only one');

  const d = allocReusable(9000) as Uint8Array;
  assert.equal(d.length, 9000);
  releasePacket(d);
  const e = allocReusable(12000) as Uint8Array;
  assert.equal(e.buffer, d.buffer, 'a buffer serves any size of its class');
  assert.equal(e.length, 12000);

  // A buffer the pool did not lend, or a view that does not start it, is not taken.
  const foreign = new Uint8Array(2048);
  releasePacket(foreign);
  assert.notEqual((allocReusable(1500) as Uint8Array).buffer, foreign.buffer);
  const f = allocReusable(1500) as Uint8Array;
  releasePacket(f.subarray(20));
  assert.notEqual((allocReusable(1500) as Uint8Array).buffer, f.buffer);

  // Once something that may keep it has seen a packet, it is never reused.
  const g = allocReusable(4000) as Uint8Array;
  taintPacket(g);
  releasePacket(g);
  assert.notEqual((allocReusable(4000) as Uint8Array).buffer, g.buffer);
});

test('packet pool: a claimed buffer leaves the pool for good; only an untainted loaned one is claimed', () => {
  const a = allocReusable(60000) as Uint8Array;
  assert.ok(claimPacket(a.subarray(52)), 'a payload view claims its packet');
  assert.ok(!claimPacket(a), 'once');
  releasePacket(a); // the link's release after delivery is ignored
  assert.notEqual((allocReusable(60000) as Uint8Array).buffer, a.buffer);

  const t = allocReusable(60000) as Uint8Array;
  taintPacket(t);
  assert.ok(!claimPacket(t), 'something else may hold a tainted packet');
  assert.ok(!claimPacket(new Uint8Array(60000)), 'nor is a buffer the pool did not lend');
});
