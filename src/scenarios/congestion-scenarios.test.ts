import { test } from 'node:test';
import assert from 'node:assert/strict';
import { congestionAvoidance } from './congestion-avoidance.js';
import { fastRecovery } from './fast-recovery.js';
import { fastRetransmit } from './fast-retransmit.js';
import { runScenario } from './run.test-util.js';
import { slowStart } from './slow-start.js';

test('slow-start: cwnd doubles every round trip, from 10 (Linux) or 1 (the seed)', () => {
  const d = runScenario(slowStart);
  assert.deepEqual(d.nums('segmentsPerRound'), [10, 20, 40, 80, 160, 320, 640], d.replay);
  assert.deepEqual(d.nums('cwndAfterRound'), [10, 20, 40, 80, 160, 320, 640]);
  const one = runScenario(slowStart, { tcp_init_cwnd: '1' });
  assert.deepEqual(one.nums('segmentsPerRound'), [1, 2, 4, 8, 16, 32, 64], one.replay);
  assert.equal(one.num('retransmissions'), 0);
});

test('congestion-avoidance: past ssthresh, +1 segment for every cwnd segments acknowledged, about one per RTT', () => {
  const { num, nums, get, replay } = runScenario(congestionAvoidance);
  assert.equal(num('ssthresh'), 20, replay);
  assert.deepEqual(nums('segmentsPerRound').slice(0, 2), [10, 20], 'slow start up to ssthresh');
  const steps = get('increments') as { cwnd: number; acked: number }[];
  assert.ok(steps.length >= 8);
  assert.equal(steps[0]?.cwnd, 20);
  steps.forEach((s, i) => {
    assert.equal(s.cwnd, 20 + i, 'one segment at a time');
    assert.ok(Math.abs(s.acked - s.cwnd) <= 1, `+1 at cwnd ${s.cwnd} after ${s.acked} segments acknowledged`);
  });
  const perRtt = nums('cwndPerRtt');
  perRtt.slice(2).forEach((c, i) => {
    const inc = c - (perRtt[i + 1] as number);
    assert.ok(inc === 0 || inc === 1, `linear growth: ${perRtt.join(' ')}`);
  });
  assert.ok((perRtt.at(-1) as number) - (perRtt[1] as number) >= 8);
  assert.equal(num('retransmissions'), 0);
});

test('fast-retransmit: M3 lost; three duplicate ACKs; M3 resent on the third, no timeout', () => {
  const { num, counters, replay } = runScenario(fastRetransmit);
  assert.equal(num('duplicateAcks'), 3, replay);
  assert.equal(num('dupAckAckedUpTo'), 2 * num('mss') + 1, 'the duplicates acknowledge the end of M2');
  assert.equal(num('resendAfterThirdDupAckUs'), 0, 'resent as the third duplicate arrives');
  assert.ok(num('repairedAfterMs') < num('rtoMs'), 'long before the RTO');
  assert.equal(num('retransmissions'), 1);
  assert.equal(num('timeouts'), 0);
  assert.equal(counters('client').TcpExtTCPFastRetrans, 1);
});

test('fast-recovery: Reno halves ssthresh to 20 at cwnd 40, resends once, continues from 20 with +1 per round', () => {
  const { num, nums, get, replay } = runScenario(fastRecovery);
  assert.equal(num('cwndAtLoss'), 40, replay);
  assert.equal(num('ssthreshAfterLoss'), 20);
  assert.equal(num('cwndWhenRecoveryEnded'), 20, 'cwnd = ssthresh: no slow start');
  const states = (get('caStates') as { state: string }[]).map((x) => x.state);
  assert.deepEqual(states.slice(-2), ['Recovery', 'Open']);
  assert.equal(num('retransmissions'), 1);
  assert.equal(num('timeouts'), 0);
  assert.equal(num('recoveries'), 1);
  // After the recovery round cwnd never drops below ssthresh and grows by at most one per round.
  const after = nums('cwndAfterRound').slice(3);
  assert.equal(after[0], 20);
  after.slice(1).forEach((c, i) => {
    const inc = c - (after[i] as number);
    assert.ok(inc === 0 || inc === 1, `congestion avoidance from 20: ${after.join(' ')}`);
  });
  assert.ok((after.at(-1) as number) >= 24);
  // Tahoe for contrast: back to one segment.
  const t = runScenario(fastRecovery, { tcp_congestion_control: 'tahoe' });
  assert.equal(Math.min(...t.nums('cwndAfterRound').slice(3)), 1, t.replay);
});
