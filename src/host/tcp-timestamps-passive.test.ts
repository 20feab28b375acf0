import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seqAdd } from '../tcp/seq.js';
import { TCP_ACK, TCP_PSH, TCP_SYN } from '../wire/tcp-segment.js';
import { scripted } from './tcp-peer.test-util.js';

test('a passively opened connection echoes the TSval of the first data (Last.ACK.sent starts at the SYN-ACK)', () => {
  // RFC 7323 §4.3: TS.Recent takes the TSval of a segment with SEG.SEQ <= Last.ACK.sent. The
  // SYN-ACK acknowledged IRS + 1, so the final ACK and the first data qualify. Against Linux, a
  // connection that kept the SYN's TSval echoed a stale one for a whole round trip.
  for (const irs of [1000, 0x90000000]) {
    const { sim, host, wire, inject } = scripted(7);
    const l = host.tcp.listen(0, 80, 8);
    inject({ flags: TCP_SYN, seq: irs, mss: 1460, ts: [5000, 0], sackOk: true, wscale: 7 });
    sim.runFor(1000);
    const synAck = wire.sent.at(-1);
    assert.ok(synAck && synAck.flags === (TCP_SYN | TCP_ACK));
    const una = seqAdd(synAck.seq, 1);
    inject({ flags: TCP_ACK, seq: seqAdd(irs, 1), ack: una, ts: [5010, synAck.tsVal] });
    assert.ok(l.accept(), 'established');
    inject({ flags: TCP_ACK | TCP_PSH, seq: seqAdd(irs, 1), ack: una, ts: [5020, synAck.tsVal], data: 100 });
    sim.runFor(1e6);
    const ack = wire.sent.find((s) => s.ack === seqAdd(irs, 101));
    assert.ok(ack, `the data was acknowledged (irs ${irs})`);
    assert.equal(ack.tsEcr, 5020, `the ACK echoes the data's TSval (irs ${irs})`);
  }
});
