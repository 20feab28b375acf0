import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptOverflow } from './accept-overflow.js';
import { close } from './close.js';
import { handshake } from './handshake.js';
import { keepalive } from './keepalive.js';
import { runScenario } from './run.test-util.js';
import { timeWait } from './time-wait.js';
import { whyThreeWay } from './why-three-way.js';

test('handshake: SYN, SYN-ACK, ACK with ISNs x and y, ActiveOpens 1 and PassiveOpens 1', () => {
  const { get, num, counters, replay } = runScenario(handshake);
  const segs = get('segments') as { from: string; flags: string; seq: number; ack: number; mss: number }[];
  assert.deepEqual(
    segs.map((s) => `${s.from} ${s.flags}`),
    ['client S', 'server S.', 'client .'],
    replay,
  );
  const [syn, synAck, ack] = segs as [(typeof segs)[0], (typeof segs)[0], (typeof segs)[0]];
  assert.equal(syn.seq, num('clientIsn'));
  assert.equal(synAck.seq, num('serverIsn'));
  assert.equal(synAck.ack, (syn.seq + 1) >>> 0, 'ack x+1');
  assert.equal(ack.seq, (syn.seq + 1) >>> 0);
  assert.equal(ack.ack, (synAck.seq + 1) >>> 0, 'ack y+1');
  assert.equal(syn.mss, 1460);
  assert.deepEqual(get('clientStates'), ['CLOSED', 'SYN-SENT', 'ESTABLISHED']);
  assert.deepEqual(get('serverStates'), ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED']);
  assert.equal(num('clientEstablishedMs'), 20, 'one RTT');
  assert.equal(num('serverEstablishedMs'), 30, 'one and a half RTTs');
  assert.equal(counters('client').TcpActiveOpens, 1);
  assert.equal(counters('server').TcpPassiveOpens, 1);
});

test('why-three-way: the old duplicate SYN draws a SYN-ACK, the client resets it, no second connection', () => {
  const { get, num, counters, replay } = runScenario(whyThreeWay);
  const syns = get('synsReceivedByServer') as { tMs: number; seq: number }[];
  assert.equal(syns.length, 2, replay);
  assert.equal(syns[0]?.seq, syns[1]?.seq, 'the old SYN is the same SYN, two minutes late');
  assert.equal(syns[1]?.tMs, 120_010);
  assert.equal(get('oldSynAnsweredWithSynAck'), true);
  assert.equal(get('clientAnsweredWithRst'), true);
  assert.equal(num('rstSeq'), num('synAckAck'), 'RST seq = the SYN-ACK ack');
  assert.equal(num('halfOpenRequestsAfterOldSyn'), 1, 'a two-way handshake would have opened it here');
  assert.equal(num('halfOpenRequestsAtEnd'), 0);
  assert.equal(num('connectionsAccepted'), 1);
  assert.equal(counters('server').TcpExtEmbryonicRsts, 1);
  assert.equal(counters('server').TcpPassiveOpens, 1);
});

test('close: FIN, ACK, the last data, FIN, ACK; CLOSE-WAIT on one side, FIN-WAIT-2 and TIME-WAIT on the other', () => {
  const { get, num, replay } = runScenario(close);
  assert.deepEqual(
    get('clientStates'),
    ['CLOSED', 'SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT'],
    replay,
  );
  assert.deepEqual(get('serverStates'), ['SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
  const segs = get('closingSegments') as { from: string; flags: string; len: number }[];
  assert.equal(num('finSegments'), 2);
  assert.equal(segs[0]?.from, 'client');
  assert.match(segs[0]?.flags ?? '', /F/);
  assert.equal(segs.at(-1)?.from, 'client', 'the last ACK is the client’s');
  assert.equal(segs.at(-1)?.flags, '.');
  assert.equal(num('bytesServerToClientAfterFin'), 2000, 'data flows after the first FIN (half-close)');
  assert.equal(num('halfClosedMs'), 50);
  assert.equal(num('finAckDelayMs'), 40, 'the FIN is acknowledged by the delayed-ACK timer');
});

test('time-wait: 2MSL = 60 s; the 4-tuple is busy meanwhile; a lost last ACK is repaired and TIME-WAIT restarts', () => {
  const { num, get, counters, replay } = runScenario(timeWait);
  assert.equal(num('timeWaitSeconds'), 60, replay);
  assert.equal(get('reuseDuringTimeWait'), 'EADDRINUSE');
  assert.equal(num('timeWaitSocketsAt10s'), 2);
  assert.equal((get('lostAck.serverFins') as number[]).length, 2, 'the server resent its FIN');
  assert.ok(num('lostAck.finResentAfterMs') >= 200, 'after its RTO');
  assert.equal(num('lostAck.timeWaitRestartedSeconds'), 60, 'TIME-WAIT restarted on the resent FIN');
  assert.ok(num('lostAck.timeWaitSeconds') > 60);
  assert.equal(counters('client').TcpExtTW, 2);
  assert.equal(counters('server').TcpRetransSegs, 1);
});

test('keepalive: probes at tcp_keepalive_time, then every tcp_keepalive_intvl; reset after tcp_keepalive_probes', () => {
  const d = runScenario(keepalive);
  assert.equal(d.num('firstProbeAfterIdleS'), 7200, d.replay);
  assert.equal(d.num('probeSeqBehindSndUna'), 1);
  assert.equal(d.num('answeredProbes'), 1);
  assert.equal(d.num('firstUnansweredAfterLastAnswerS'), 7200);
  assert.equal(d.num('unansweredProbes'), 9);
  assert.deepEqual(d.nums('unansweredIntervalsS'), Array(8).fill(75));
  assert.equal(d.num('gaveUpAfterLastAnswerS'), 7200 + 9 * 75);
  assert.equal(d.get('resetSent'), true);
  assert.equal(d.get('error'), 'ETIMEDOUT');
  assert.equal(d.counters('server').TcpExtTCPKeepAlive, 10);
  // The sysctls drive it: shorter timers, fewer probes.
  const s = runScenario(keepalive, {
    tcp_keepalive_time: '60',
    tcp_keepalive_intvl: '5',
    tcp_keepalive_probes: '3',
  });
  assert.equal(s.num('firstProbeAfterIdleS'), 60, s.replay);
  assert.equal(s.num('unansweredProbes'), 3);
  assert.deepEqual(s.nums('unansweredIntervalsS'), [5, 5]);
  assert.equal(s.num('gaveUpAfterLastAnswerS'), 60 + 3 * 5);
});

test('accept-overflow: tcp_abort_on_overflow 0 drops the ACK and resends SYN-ACK; 1 resets; ListenOverflows and ListenDrops count', () => {
  const { num, counters, replay } = runScenario(acceptOverflow);
  // Queue full at 1 s: Recv-Q 3 (backlog 2 + 1), Send-Q 2.
  assert.equal(num('abortOnOverflow0.acceptQueueAt1s.recvQ'), 3, replay);
  assert.equal(num('abortOnOverflow0.acceptQueueAt1s.sendQ'), 2);
  assert.equal(num('abortOnOverflow0.clientsConnected'), 5, 'every client thinks it is connected');
  assert.equal(num('abortOnOverflow0.served'), 5, 'all served once accept() runs');
  assert.equal(num('abortOnOverflow0.reset'), 0);
  assert.ok(num('abortOnOverflow0.synAcksResent') >= 2, 'the SYN-ACK comes again for each dropped ACK');
  assert.ok(num('abortOnOverflow0.listenOverflows') >= 2);
  assert.equal(num('abortOnOverflow0.listenOverflows'), counters('server0').TcpExtListenOverflows);
  assert.equal(num('abortOnOverflow0.listenDrops'), counters('server0').TcpExtListenDrops);
  assert.equal(num('abortOnOverflow1.served'), 3, 'only what the queue held');
  assert.equal(num('abortOnOverflow1.reset'), 2, 'connection reset by peer');
  assert.equal(num('abortOnOverflow1.synAcksResent'), 0);
  assert.equal(counters('server1').TcpExtListenOverflows, 2);
  assert.equal(counters('server1').TcpExtListenDrops, 2);
  // --set picks one of the two.
  const one = runScenario(acceptOverflow, { tcp_abort_on_overflow: '1' });
  assert.equal(one.num('abortOnOverflow1.reset'), 2, one.replay);
  assert.equal(one.get('abortOnOverflow0'), undefined);
});
