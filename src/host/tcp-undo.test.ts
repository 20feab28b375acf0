import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../wire/ipv4-addr.js';
import type { TcpConnection } from '../tcp/connection.js';
import { pair } from './tcp-peer.test-util.js';

/** A bulk sender a → b (20 ms RTT); returns the pieces so a test can disturb the link. */
function bulk(settings: Record<string, number> = {}) {
  const { sim, a, b, l } = pair(3, { both: { delayUs: 10_000 } }, settings);
  let got = 0;
  const sink = new Uint8Array(1 << 16);
  const lst = b.tcp.listen(0, 80, 8, () => {
    const s = lst.accept();
    if (!s) return;
    b.tcp.observe(s, (ev) => {
      if (ev === 'readable')
        for (let n = s.readInto(sink, sim.now()); n > 0; n = s.readInto(sink, sim.now())) got += n;
    });
  });
  const data = new Uint8Array(1 << 16);
  const c: TcpConnection = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') while (c.send(data, sim.now()) > 0);
    },
  });
  return { sim, a, b, l, c, got: () => got };
}

/** The path's delay jumps to 1.5 s for 50 ms of sending, long enough for the RTO to fire. */
function delaySpike(x: ReturnType<typeof bulk>): { cwndBefore: number } {
  x.sim.run({ until: 2e6 });
  const cwndBefore = x.c.cwnd;
  x.l.ab.set({ delayUs: 1_500_000 });
  x.sim.run({ until: 2.05e6 });
  x.l.ab.set({ delayUs: 10_000 });
  x.sim.run({ until: 6e6 });
  return { cwndBefore };
}

test('a spurious timeout from a delay spike is undone by the timestamps it echoes (Eifel, RFC 3522)', () => {
  const x = bulk();
  const { cwndBefore } = delaySpike(x);
  const m = x.a.counters.TcpExt;
  assert.ok(m.TCPTimeouts >= 1, 'the delay outlasted the RTO');
  assert.ok(m.TCPLossUndo >= 1, 'the ACK of an original undid the timeout');
  assert.ok(x.c.cwnd >= cwndBefore, `cwnd restored: ${x.c.cwnd} >= ${cwndBefore}`);
  assert.ok(x.got() > 0);
});

test('without timestamps, F-RTO (RFC 5682) finds the same timeout spurious', () => {
  const x = bulk({ tcp_timestamps: 0 });
  const { cwndBefore } = delaySpike(x);
  const m = x.a.counters.TcpExt;
  assert.ok(m.TCPTimeouts >= 1);
  assert.ok(m.TCPSpuriousRTOs >= 1, 'F-RTO: never-resent data was acknowledged after the timeout');
  assert.ok(x.c.cwnd >= cwndBefore, `cwnd restored: ${x.c.cwnd} >= ${cwndBefore}`);
});

test('with F-RTO off, no timestamps and no DSACKs a spurious timeout cannot be told: it stands', () => {
  const x = bulk({ tcp_timestamps: 0, tcp_frto: 0, tcp_dsack: 0 });
  const { cwndBefore } = delaySpike(x);
  const m = x.a.counters.TcpExt;
  assert.ok(m.TCPTimeouts >= 1);
  assert.equal(m.TCPSpuriousRTOs + m.TCPLossUndo + m.TCPDSACKUndo, 0);
  assert.ok(x.c.ssthresh < cwndBefore, 'ssthresh was reduced and stays so');
});

test('with F-RTO off and no timestamps, the DSACKs for the needless resends undo the timeout', () => {
  const x = bulk({ tcp_timestamps: 0, tcp_frto: 0 });
  const { cwndBefore } = delaySpike(x);
  const m = x.a.counters.TcpExt;
  assert.ok(m.TCPTimeouts >= 1);
  assert.ok(m.TCPDSACKRecv >= 1);
  assert.ok(m.TCPLossUndo + m.TCPDSACKUndo >= 1);
  assert.ok(x.c.cwnd >= cwndBefore, `cwnd restored: ${x.c.cwnd} >= ${cwndBefore}`);
});

test('a segment held back past the reordering window is resent; its DSACK undoes the reduction (RFC 3708)', () => {
  // Without timestamps, so that the DSACK alone tells (with them, Eifel may tell first).
  const x = bulk({ tcp_timestamps: 0 });
  x.sim.run({ until: 1e6 });
  const cwndBefore = x.c.cwnd;
  let n = 0;
  // One segment, a second into the transfer, arrives 15 ms late: after the three SACKs that make
  // RACK mark it lost (no reordering seen yet), before its retransmission's ACK.
  x.l.ab.dropWhen((pkt) => {
    n++;
    x.l.ab.set({ reorder: n === 40 && pkt.length > 1000 ? 1 : 0, reorderDelayUs: 15_000 });
    return false;
  });
  x.sim.run({ until: 3e6 });
  const m = x.a.counters.TcpExt;
  assert.equal(m.TCPSackRecovery, 1, 'the late segment was taken for lost');
  assert.ok(m.TCPDSACKRecv >= 1, 'the receiver reported the duplicate');
  assert.equal(m.TCPDSACKUndo, 1);
  assert.ok(x.c.cwnd >= cwndBefore, `cwnd restored: ${x.c.cwnd} >= ${cwndBefore}`);
});

test('after an idle period longer than the RTO, cwnd restarts from the initial window (RFC 5681 §4.1)', () => {
  const { sim, a, b } = pair(4, { both: { delayUs: 10_000 } });
  const lst = b.tcp.listen(0, 80, 8, () => {
    const s = lst.accept();
    if (s) b.tcp.observe(s, (ev) => ev === 'readable' && s.readInto(new Uint8Array(1 << 20), sim.now()));
  });
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.run({ until: 100_000 });
  c.send(new Uint8Array(400_000), sim.now());
  sim.run({ until: 2e6 });
  const grown = c.cwnd;
  assert.ok(grown > 30, `cwnd grew in the transfer: ${grown}`);
  sim.run({ until: 5e6 }); // three idle seconds
  c.send(new Uint8Array(1000), sim.now());
  assert.equal(c.cwnd, 10, 'back to the initial window');
  assert.ok(c.ssthresh >= Math.floor((grown * 3) / 4), 'ssthresh remembers most of the old window');
});
