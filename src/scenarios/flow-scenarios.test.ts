import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayedAck } from './delayed-ack.js';
import { nagle } from './nagle.js';
import { pmtu } from './pmtu.js';
import { runScenario } from './run.test-util.js';
import { slidingWindow } from './sliding-window.js';
import { zeroWindow } from './zero-window.js';

test('sliding-window: the receive window, not cwnd, sets the pace: window/RTT, then the slow reader’s rate', () => {
  const { num, nums, replay } = runScenario(slidingWindow);
  const wins = nums('phase1.windowsOffered');
  assert.ok(Math.max(...wins) <= num('receiveBufferBytes'), replay);
  assert.ok(num('phase1.maxBytesInFlight') <= Math.max(...wins), 'never more in flight than the window');
  const ratio = num('phase1.goodputBps') / num('phase1.windowOverRttBps');
  assert.ok(ratio > 0.85 && ratio <= 1.05, `goodput / (window/RTT) = ${ratio}`);
  assert.ok(num('senderCwnd') * num('mss') > Math.max(...wins), 'cwnd allows more than the window');
  assert.ok(num('rwndLimitedMs') > 0.9 * num('busyMs'), 'rwnd-limited nearly all the time');
  // The slow reader: the sender follows its pace exactly.
  assert.equal(num('phase2.goodputBps'), num('phase2.readerBps'));
  assert.ok(nums('phase2.windowsOffered').includes(0), 'the window closes between reads');
});

test('zero-window: the window closes, probes back off exponentially, reading reopens it and the data arrives', () => {
  const { num, nums, counters, replay } = runScenario(zeroWindow);
  assert.equal(nums('windowsBeforeZero').at(-1), 0, replay);
  const probes = nums('probeTimesMs');
  assert.ok(probes.length >= 6, `${probes.length} probes in 60 s`);
  assert.ok((probes[0] as number) >= 200, 'the first probe after one RTO (at least 200 ms)');
  const gaps = nums('probeIntervalsMs');
  for (let i = 1; i < gaps.length; i++) {
    const r = (gaps[i] as number) / (gaps[i - 1] as number);
    assert.ok(Math.abs(r - 2) < 0.01, `probe interval ${i} doubled: ×${r}`);
  }
  assert.equal(num('probeSeqBehindSndUna'), 1, 'a probe is one byte behind SND.UNA');
  assert.equal(num('TCPWinProbe'), probes.length);
  assert.equal(counters('client').TcpExtTCPWinProbe, probes.length);
  assert.ok(counters('server').TcpExtTCPToZeroWindowAdv >= 1);
  assert.equal(counters('server').TcpExtTCPFromZeroWindowAdv, 1);
  assert.equal(num('windowReopenedAtMs'), 60_000, 'announced as soon as the application reads');
  assert.equal(num('bytesDelivered'), 256 * 1024);
  assert.equal(counters('client').TcpExtTCPTimeouts, 0, 'the persist timer, not the RTO');
});

test('nagle: 200 small writes make few segments and never two small ones in flight; TCP_NODELAY sends 200', () => {
  const { num, counters, replay } = runScenario(nagle);
  assert.equal(num('nagle.writes'), 200, replay);
  assert.ok(num('nagle.dataSegments') < 40, `${num('nagle.dataSegments')} segments with Nagle`);
  assert.equal(num('nagle.smallSegmentsSentWhileOneUnacked'), 0, 'Nagle’s rule holds on the wire');
  assert.equal(num('nodelay.dataSegments'), 200, 'one segment per write');
  assert.equal(num('nodelay.meanBytesPerSegment'), 10);
  assert.ok(num('nodelay.smallSegmentsSentWhileOneUnacked') > 100);
  assert.ok(num('nagle.meanLatencyMs') > num('nodelay.meanLatencyMs'), 'Nagle costs latency');
  assert.ok(num('nodelay.maxLatencyMs') < 21, 'TCP_NODELAY: one-way delay and serialisation only');
  assert.equal(counters('client').TcpExtTCPOrigDataSent, num('nagle.dataSegments'));
});

test('delayed-ack: 16 quick ACKs, then one per two segments; a lone segment waits 40 ms; tcp_quickack=1 acks each at once', () => {
  const { num, nums, counters, replay } = runScenario(delayedAck);
  assert.equal(num('quickack0.quickAcksAtStart'), 16, replay);
  assert.equal(num('quickack0.segmentsPerAckAfter'), 2);
  assert.deepEqual(nums('quickack0.messageAckDelayMs'), Array(10).fill(40));
  assert.equal(counters('server-quickack0').TcpExtDelayedACKs, 10);
  assert.ok(nums('quickack1.segmentsPerAck').every((n) => n === 1));
  assert.equal(nums('quickack1.segmentsPerAck').length, 40);
  assert.deepEqual(nums('quickack1.messageAckDelayMs'), Array(10).fill(0));
  assert.equal(counters('server-quickack1').TcpExtDelayedACKs, 0);
});

test('pmtu: a 1280-byte link: frag-needed, MSS 1240 (1228 with timestamps), resent at once, counters', () => {
  const { num, counters, replay } = runScenario(pmtu);
  assert.equal(num('synMss'), 1460, replay);
  assert.equal(num('sndMssBefore'), 1448);
  assert.equal(num('pmtu'), 1280);
  assert.equal(num('mss'), 1240);
  assert.equal(num('sndMssAfter'), 1228);
  assert.equal(num('largestPacketDeliveredBytes'), 1280);
  const too = num('packetsTooBigAtRouter');
  assert.ok(too >= 1);
  assert.equal(counters('r1').IpFragFails, too);
  assert.equal(
    counters('r1').IcmpOutDestUnreachs,
    too,
    'one frag-needed per packet: PMTUD is never rate-limited',
  );
  assert.equal(counters('a').IcmpInDestUnreachs, too);
  assert.equal(num('retransmissions'), 2 * too, 'each dropped segment resent as two smaller ones');
  assert.equal(num('timeouts'), 0);
  assert.equal(num('bytesDelivered'), 100_000);
});
