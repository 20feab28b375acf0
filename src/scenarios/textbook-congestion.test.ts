import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textbookRun } from './textbook-congestion.js';

test("the seed's congestion figure, round by round: slow start to 16, +1 to 24, timeout, slow start to 12, +1", () => {
  const r = textbookRun(1, 'tahoe', 'timeout');
  assert.deepEqual(
    r.cwndPerRound,
    [1, 2, 4, 8, 16, 17, 18, 19, 20, 21, 22, 23, 24, 1, 2, 4, 8, 12, 13, 14, 15, 16],
  );
  assert.deepEqual(r.ssthreshPerRound.slice(0, 13), Array(13).fill(16));
  assert.deepEqual(r.ssthreshPerRound.slice(13), Array(9).fill(12), 'half of 24 after the timeout');
  assert.deepEqual(r.events, [{ round: 14, event: 'timeout' }]);
  // Reno behaves the same on a timeout: the figure does not depend on the fast-recovery variant.
  assert.deepEqual(textbookRun(1, 'reno', 'timeout').cwndPerRound, r.cwndPerRound);
});

test("the seed's 3.4 with Reno: three duplicate ACKs at 24 halve ssthresh to 12, no slow start follows", () => {
  const r = textbookRun(1, 'reno', 'three-dupacks');
  assert.deepEqual(r.cwndPerRound.slice(0, 13), [1, 2, 4, 8, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  assert.deepEqual(r.events, [{ round: 14, event: 'fast-retransmit' }], 'fast retransmit, no timeout');
  assert.equal(r.ssthreshPerRound[13], 12);
  // Round 14 is the recovery round, where Linux's PRR (RFC 6937) walks cwnd down to ssthresh
  // while the ACKs come in; from round 15 congestion avoidance runs from 12, one more per round.
  assert.ok((r.cwndPerRound[13] as number) <= 13 && (r.cwndPerRound[13] as number) >= 12);
  assert.deepEqual(r.cwndPerRound.slice(14), [12, 13, 14, 15, 16, 17, 18, 19]);
  assert.equal(r.retransmissions, 1, 'only the lost segment is resent');
});

test('Tahoe collapses to one segment on three duplicate ACKs too, then slow-starts to 12', () => {
  const r = textbookRun(1, 'tahoe', 'three-dupacks');
  assert.deepEqual(
    r.cwndPerRound,
    [1, 2, 4, 8, 16, 17, 18, 19, 20, 21, 22, 23, 24, 1, 2, 4, 8, 12, 13, 14, 15, 16],
  );
  assert.deepEqual(r.events, [{ round: 14, event: 'fast-retransmit' }]);
  assert.equal(r.ssthreshPerRound[13], 12);
});
