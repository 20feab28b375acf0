import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, ms, msNum, sendForever } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const TOTAL = 256 * 1024;
/** The receiving application stops reading at once and resumes at this time. */
const RESUME_US = 60e6;

/**
 * The seed's 2: "the receiver asks for a window of 0: it has received everything, or its
 * application has no time to read; the sender stops". A receiver with a 16 KiB buffer whose
 * application does not read; the window closes; the sender's persist timer probes it with backoff
 * (Linux: an ACK one byte behind SND.UNA, first after one RTO, then doubling up to 120 s); when
 * the application reads again the receiver announces the window and the transfer finishes.
 */
export const zeroWindow: Scenario = {
  name: 'zero-window',
  summary:
    'a reader that stops: the window closes, the sender probes it with exponential backoff, reading reopens it',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server } = clientServer(ctx, { delayUs: 10_000, bandwidthBps: 100e6 });
    let reading = false;
    let got = 0;
    let doneAt = -1;
    let receiver: TcpConnection | null = null;
    const buf = new Uint8Array(1 << 16);
    const read = (s: TcpConnection) => {
      for (let n = s.readInto(buf, sim.now()); n > 0; n = s.readInto(buf, sim.now())) got += n;
      if (got >= TOTAL && doneAt < 0) doneAt = sim.now();
    };
    acceptAll(
      server,
      80,
      (s) => {
        receiver = s;
        server.tcp.observe(s, (ev) => ev === 'readable' && reading && read(s));
      },
      128,
      { rcvBuf: 16 * 1024 },
    );
    const c = client.tcp.connect(ipv4('10.0.0.2'), 80);
    sendForever(client, c, () => sim.now(), TOTAL);
    sim.at(RESUME_US, () => {
      reading = true;
      if (receiver) read(receiver);
    });
    sim.run({ until: RESUME_US + 10e6 });

    const acks = w.sent(server).filter((s) => s.flags === TCP_ACK || s.flags === (TCP_ACK | 0x08));
    const closedSeg = w.received(client).find((s) => s.win === 0 && !(s.flags & TCP_SYN));
    const closedAt = closedSeg?.t ?? -1;
    const reopened = w.sent(server).find((s) => s.t > closedAt && s.win > 0 && s.t >= RESUME_US);
    const probes = w
      .sent(client)
      .filter(
        (s) =>
          s.t > closedAt &&
          s.t < (reopened?.t ?? Infinity) &&
          s.len === 0 &&
          !(s.flags & (TCP_FIN | TCP_SYN)),
      );
    // A window smaller than a segment, before it closed: the persist timer fills it (tcp_write_wakeup).
    const sliver = w.sent(client).find((s) => s.t < closedAt && s.len > 0 && s.len < c.sndMss);
    const probeMs = probes.map((p) => msNum(p.t - closedAt));
    const gaps = probes.slice(1).map((p, i) => msNum(p.t - (probes[i] as { t: number }).t));
    const lastWins = acks.filter((s) => s.t <= closedAt).slice(-6);
    const result = {
      receiveBufferBytes: 16 * 1024,
      windowsBeforeZero: lastWins.map((s) => s.win),
      windowClosedAtMs: msNum(closedAt),
      sliverSegment: sliver ? { tMs: msNum(sliver.t), bytes: sliver.len } : null,
      probeTimesMs: probeMs,
      probeIntervalsMs: gaps,
      probeSeqBehindSndUna: probes[0] ? ((closedSeg?.ack ?? 0) - probes[0].seq) >>> 0 : null,
      TCPWinProbe: client.counters.TcpExt.TCPWinProbe,
      TCPToZeroWindowAdv: server.counters.TcpExt.TCPToZeroWindowAdv,
      TCPFromZeroWindowAdv: server.counters.TcpExt.TCPFromZeroWindowAdv,
      windowReopenedAtMs: reopened ? msNum(reopened.t) : null,
      reopenedWindow: reopened?.win ?? null,
      bytesDelivered: got,
      finishedAtMs: doneAt >= 0 ? msNum(doneAt) : null,
      senderState: c.state,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `A sender with ${TOTAL / 1024} KiB to send; the receiver has a 16 KiB buffer and its application does not read until ${RESUME_US / 1e6} s.`,
        `The receiver's last windows (the window field, bytes): ${result.windowsBeforeZero.join(', ')}: the buffer fills.`,
        sliver
          ? `  The last window was smaller than a segment: silly-window avoidance held the data, and the persist timer sent a ${sliver.len}-byte segment into it at ${ms(sliver.t)} ms.`
          : '  The window went from a full segment straight to 0.',
        `At ${ms(closedAt)} ms the receiver announces window 0; the sender stops.`,
        `The sender's persist timer probes the closed window (an ACK one byte behind SND.UNA) at ${probeMs.join(', ')} ms after it closed:`,
        `  intervals ${gaps.join(', ')} ms, doubling each time (TCPWinProbe ${result.TCPWinProbe}); each probe draws an ACK that still says window 0, so the connection stays up.`,
        `At ${RESUME_US / 1e6} s the application reads; the receiver announces the open window at once (TCPFromZeroWindowAdv ${result.TCPFromZeroWindowAdv}) and the rest follows: ${got} bytes by ${result.finishedAtMs} ms.`,
      ],
    };
  },
};
