import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4Header, ipv4Payload } from '../wire/ipv4.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { parseTcp } from '../wire/tcp.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import type { TcpConnection } from '../tcp/connection.js';
import { pair } from './tcp-peer.test-util.js';

interface Sent {
  t: number;
  /** Data offset of the segment's first byte (its sequence number less the ISN and the SYN). */
  off: number;
  len: number;
  dropped: boolean;
}

/**
 * A 200-segment transfer from a to b over 20 ms RTT in which the segments `drop` chooses are lost
 * (the predicate sees each data segment's offset and how many times that offset was sent before).
 * Returns every data segment a sent, in order, and the sender's counters.
 */
function lossyTransfer(
  drop: (off: number, sentBefore: number, last: boolean) => boolean,
  settings: Record<string, number> = {},
) {
  const { sim, a, b, l } = pair(7, { both: { delayUs: 10_000 } }, settings);
  const total = 200 * 1448;
  const sent: Sent[] = [];
  const times = new Map<number, number>();
  const hdr = new Ipv4Header();
  const seg = new TcpSegment();
  let isn = -1;
  l.ab.dropWhen((pkt) => {
    const ip = parseIpv4Header(pkt, hdr, false);
    if (!ip.ok) return false;
    const r = parseTcp(ipv4Payload(pkt, hdr), hdr.src, hdr.dst, seg, false);
    if (!r.ok) return false;
    if (isn < 0) isn = seg.seq;
    if (seg.payload.length === 0) return false;
    const off = ((seg.seq - isn - 1) >>> 0) as number;
    const before = times.get(off) ?? 0;
    times.set(off, before + 1);
    const dropped = drop(off / 1448, before, off + seg.payload.length === total);
    sent.push({ t: sim.now(), off: off / 1448, len: seg.payload.length, dropped });
    return dropped;
  });
  let got = 0;
  const lst = b.tcp.listen(0, 80, 8, () => {
    const s = lst.accept();
    if (!s) return;
    b.tcp.observe(s, (ev) => {
      if (ev === 'readable')
        for (
          let n = s.readInto(new Uint8Array(65536), sim.now());
          n > 0;
          n = s.readInto(new Uint8Array(65536), sim.now())
        )
          got += n;
    });
  });
  const data = new Uint8Array(total);
  let off = 0;
  const c: TcpConnection = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev !== 'established' && ev !== 'writable') return;
      while (off < total) {
        const n = c.send(data.subarray(off), sim.now());
        if (!n) break;
        off += n;
      }
    },
  });
  sim.run({ until: 30e6 });
  assert.equal(got, total, 'every byte arrives');
  const retrans = sent.filter((s, i) => sent.findIndex((x) => x.off === s.off) !== i);
  return { sent, retrans, mib: a.counters, c };
}

test('one loss: RACK finds it from the SACKs and it is resent once, at once, with no timeout', () => {
  const r = lossyTransfer((seg, before) => seg === 50 && before === 0);
  assert.deepEqual(
    r.retrans.map((s) => s.off),
    [50],
    'only segment 50 is resent',
  );
  const lost = r.sent.find((s) => s.off === 50) as Sent;
  const again = r.retrans[0] as Sent;
  // Three SACKed segments after it mark it lost (RFC 8985 with no reordering seen): within one
  // round trip of its loss plus the time three more segments take to go out.
  assert.ok(again.t - lost.t <= 25_000, `resent ${again.t - lost.t} µs after the original`);
  assert.equal(r.mib.TcpExt.TCPTimeouts, 0);
  assert.equal(r.mib.TcpExt.TCPSackRecovery, 1);
  assert.equal(r.mib.Tcp.RetransSegs, 1);
});

test('a burst of five losses within one window: one recovery, each resent once, no timeout', () => {
  const r = lossyTransfer((seg, before) => seg >= 60 && seg < 65 && before === 0);
  assert.deepEqual(
    r.retrans.map((s) => s.off),
    [60, 61, 62, 63, 64],
  );
  assert.equal(r.mib.TcpExt.TCPTimeouts, 0);
  assert.equal(r.mib.TcpExt.TCPSackRecovery, 1, 'one recovery episode');
});

test('a lost retransmission is found by RACK and resent again without waiting for the RTO', () => {
  // Early in the transfer, so that new data follows the retransmission and its SACKs show it lost.
  const r = lossyTransfer((seg, before) => seg === 20 && before < 2);
  assert.deepEqual(
    r.retrans.map((s) => s.off),
    [20, 20],
  );
  assert.equal(r.mib.TcpExt.TCPLostRetransmit, 1);
  assert.equal(r.mib.TcpExt.TCPTimeouts, 0);
});

test('a lost tail: the loss probe (RFC 8985 §7) resends the last segment instead of an RTO', () => {
  const r = lossyTransfer((_seg, before, last) => last && before === 0);
  const lost = r.sent.find((s) => s.dropped) as Sent;
  assert.deepEqual(
    r.retrans.map((s) => s.off),
    [lost.off],
  );
  assert.equal(r.mib.TcpExt.TCPLossProbes, 1);
  assert.equal(r.mib.TcpExt.TCPTimeouts, 0);
  // The probe timeout is two smoothed RTTs (+ 200 ms with one segment outstanding), not the RTO.
  assert.ok((r.retrans[0] as Sent).t - lost.t < 300_000);
});

test('without SACK, NewReno resends one hole per partial ACK and never times out (RFC 6582)', () => {
  const r = lossyTransfer((seg, before) => (seg === 40 || seg === 43 || seg === 47) && before === 0, {
    tcp_sack: 0,
  });
  assert.deepEqual(
    r.retrans.map((s) => s.off),
    [40, 43, 47],
  );
  assert.equal(r.mib.TcpExt.TCPRenoRecovery, 1);
  assert.equal(r.mib.TcpExt.TCPTimeouts, 0);
  const [x, y, z] = r.retrans as [Sent, Sent, Sent];
  // Each partial ACK reveals the next hole one round trip later (20 ms).
  assert.ok(y.t - x.t >= 19_000 && z.t - y.t >= 19_000);
});
