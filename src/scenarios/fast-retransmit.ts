import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, drain, isnTable, ms, msNum, segLine } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const SEGMENTS = 6;
const LOST = 3;

/**
 * The seed's 3.3 figure: the sender sends M1…M6; M3 is lost. The receiver acknowledges M1 and M2,
 * then answers each of M4, M5, M6 at once with a duplicate ACK for M2. On the third duplicate ACK
 * the sender resends M3 without waiting for its retransmission timer.
 */
export const fastRetransmit: Scenario = {
  name: 'fast-retransmit',
  summary: 'M1…M6 with M3 lost: three duplicate ACKs for M2, and M3 is resent at once, long before the RTO',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server, link } = clientServer(ctx, { delayUs: 20_000, bandwidthBps: 10e6 });
    acceptAll(server, 80, (s) => drain(server, s, () => sim.now()));
    const c = client.tcp.connect(ipv4('10.0.0.2'), 80);
    let mss = 0;
    let dataSent = 0;
    client.tcp.observe(c, (ev) => {
      if (ev === 'established') {
        mss = c.sndMss;
        c.send(new Uint8Array(SEGMENTS * mss), sim.now());
      }
    });
    // Lose M3: the third data segment the client sends.
    const prev = w.onSegment;
    w.onSegment = (s) => {
      prev?.(s);
      if (s.host === 'client' && s.dir === 'out' && s.len > 0 && ++dataSent === LOST)
        link.ab.dropNth(link.ab.stats.sent + 1);
    };
    sim.run({ until: 2e6 });

    const firstData = w.sent(client).find((s) => s.len > 0)?.t ?? 0;
    const segs = w.segs
      .filter((s) => s.dir === 'out' && s.t >= firstData && (s.len > 0 || s.host === 'server'))
      .sort((a, b) => a.t - b.t);
    const isn = isnTable(w.segs, 'client', 'server');
    const data = w.sent(client).filter((s) => s.len > 0);
    const lost = data[LOST - 1];
    const resent = data.find((s, i) => i >= SEGMENTS && lost && s.seq === lost.seq);
    // The ACKs the client received before the resend, and how many repeated the one before.
    const acks = w
      .received(client)
      .filter((s) => s.flags & TCP_ACK && s.len === 0 && s.t > 30_000 && (!resent || s.t <= resent.t));
    let dup = 0;
    const dupAcks: number[] = [];
    acks.forEach((a, i) => {
      if (i > 0 && a.ack === (acks[i - 1] as { ack: number }).ack) {
        dup++;
        dupAcks.push(a.t);
      }
    });
    const rel = (s: { ack: number }) => (s.ack - isn.of('client')) >>> 0;
    const lastDup = dupAcks.at(-1) ?? -1;
    const info = c.info(sim.now());
    const result = {
      segments: SEGMENTS,
      lostSegment: LOST,
      mss,
      acksBeforeResend: acks.map((a) => ({ tMs: msNum(a.t), ack: rel(a), sackBlocks: a.sackBlocks })),
      duplicateAcks: dup,
      dupAckAckedUpTo: acks.at(-1) ? rel(acks.at(-1) as { ack: number }) : null,
      resentAtMs: resent ? msNum(resent.t) : null,
      resendAfterThirdDupAckUs: resent && lastDup >= 0 ? resent.t - lastDup : null,
      lostSentAtMs: lost ? msNum(lost.t) : null,
      repairedAfterMs: resent && lost ? msNum(resent.t - lost.t) : null,
      rtoMs: info.tcpi_rto / 1000,
      retransmissions: client.counters.Tcp.RetransSegs,
      timeouts: client.counters.TcpExt.TCPTimeouts,
      TCPFastRetrans: client.counters.TcpExt.TCPFastRetrans,
      sack: client.settings.tcp_sack,
    };
    const peer = (h: string) => (h === 'client' ? 'server' : 'client');
    return {
      hosts: w.hosts,
      result,
      story: [
        `The client writes ${SEGMENTS} segments (M1…M${SEGMENTS}, ${mss} bytes each) over a 10 Mbit/s, 40 ms path; M${LOST} is lost on the way.`,
        ...segs
          .filter((s) => s.t < 2e6)
          .map(
            (s) =>
              `  ${ms(s.t).padStart(8)} ms  ${segLine(s, peer(s.host), isn)}${resent === s ? '   ← fast retransmit' : ''}${s === lost ? '   (lost)' : ''}`,
          ),
        `The receiver acknowledged M1 and M2, then answered M4, M5, M6 each at once with an ACK for the end of M2: ${dup} duplicate ACKs${client.settings.tcp_sack ? ' (carrying SACK blocks for what did arrive)' : ''}.`,
        result.timeouts === 0
          ? `On the 3rd duplicate ACK the client resent M${LOST} ${result.resendAfterThirdDupAckUs} µs later, ${result.repairedAfterMs} ms after first sending it; its retransmission timer (RTO ${result.rtoMs} ms) never fired: TCPTimeouts ${result.timeouts}, RetransSegs ${result.retransmissions}.`
          : `Fewer than three of those counted as duplicates (an ACK whose window grew is a window update, as Linux's tcp_may_update_window decides), so M${LOST} waited for the retransmission timer: resent ${result.repairedAfterMs} ms after first sending it, TCPTimeouts ${result.timeouts}.`,
      ],
    };
  },
};
