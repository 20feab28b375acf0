import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_SYN } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, sendForever } from './kit.js';
import { watchRounds } from './rounds.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const RTT_US = 100_000;
const PHASE2_US = 3e6;
const END_US = 6e6;
const SLOW_READ_EVERY_US = 200_000;
/** The receive buffer, in segments, and what the slow reader takes each time. */
const BUF_SEGS = 16;
const READ_SEGS = 4;

/**
 * The seed's 2: the sliding window. The receiver's buffer holds three segments and its
 * application reads everything at once, so it offers a window of three segments: the sender sends
 * three, waits for their ACKs, sends three more: the window slides one round trip at a time,
 * whatever cwnd allows. Throughput is the window over the round trip. From 3 s the application
 * reads slower than the network delivers: the window shrinks to what it frees, and the sender
 * slows to the reader's pace ("flow control: set by the receiving application, not the network").
 */
export const slidingWindow: Scenario = {
  name: 'sliding-window',
  summary:
    'flow control: a small receive window limits each round trip; a slow reader slows the sender to its pace',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server } = clientServer(ctx, { delayUs: RTT_US / 2, bandwidthBps: 100e6 });
    let receiver: TcpConnection | null = null;
    const buf = new Uint8Array(1 << 16);
    let got = 0;
    let gotAtPhase2 = 0;
    const read = (s: TcpConnection, max = Infinity) => {
      let left = max;
      for (let n = 1; n > 0 && left > 0;) {
        n = s.readInto(buf.subarray(0, Math.min(left, buf.length)), sim.now());
        got += n;
        left -= n;
      }
    };
    // From PHASE2 the application reads one segment's worth every 200 ms: slower than the network.
    const slowRead = (): void => {
      if (receiver) read(receiver, READ_SEGS * c.sndMss);
      sim.after(SLOW_READ_EVERY_US, slowRead);
    };
    sim.at(PHASE2_US, slowRead);
    // SO_RCVBUF of BUF_SEGS segments of 1448 bytes (timestamps on).
    acceptAll(
      server,
      80,
      (s) => {
        receiver = s;
        server.tcp.observe(s, (ev) => ev === 'readable' && sim.now() < PHASE2_US && read(s));
      },
      128,
      { rcvBuf: BUF_SEGS * 1448 },
    );
    const c = client.tcp.connect(ipv4('10.0.0.2'), 80);
    sendForever(client, c, () => sim.now());
    const rounds = watchRounds(w, client, c, RTT_US);
    let maxFlight1 = 0;
    let maxFlight2 = 0;
    const prev = w.onSegment;
    w.onSegment = (s) => {
      prev?.(s);
      if (s.host !== 'client' || s.dir !== 'out' || s.len === 0) return;
      const flight = ((s.seq + s.len - c.sndUna) >>> 0) as number;
      if (s.t < PHASE2_US) maxFlight1 = Math.max(maxFlight1, flight);
      else maxFlight2 = Math.max(maxFlight2, flight);
    };
    sim.at(PHASE2_US, () => (gotAtPhase2 = got));
    sim.run({ until: END_US });
    const mss = c.sndMss;

    const wins = (from: number, to: number) => [
      ...new Set(
        w
          .sent(server)
          .filter((s) => s.t >= from && s.t < to && !(s.flags & TCP_SYN) && s.len === 0)
          .map((s) => s.win),
      ),
    ];
    const phase = (from: number, to: number) =>
      rounds.filter((r) => r.startMs * 1000 >= from && r.startMs * 1000 < to);
    const p1 = phase(1e6, PHASE2_US);
    const p2 = phase(PHASE2_US + 2 * RTT_US, END_US);
    const info = c.info(sim.now());
    const bps = (bytes: number, s: number) => Math.round((bytes * 8) / s);
    const result0 = { windowsOffered: wins(0.5e6, PHASE2_US) };
    const result = {
      mss,
      receiveBufferBytes: BUF_SEGS * 1448,
      phase1: {
        windowsOffered: wins(0.5e6, PHASE2_US),
        segmentsPerRound: [...new Set(p1.map((r) => r.segments))],
        maxBytesInFlight: maxFlight1,
        goodputBps: bps(gotAtPhase2, PHASE2_US / 1e6),
        windowOverRttBps: bps(result0.windowsOffered[0] ?? 0, RTT_US / 1e6),
      },
      phase2: {
        windowsOffered: wins(PHASE2_US + RTT_US, END_US),
        segmentsPerRound: [...new Set(p2.map((r) => r.segments))],
        maxBytesInFlight: maxFlight2,
        goodputBps: bps(got - gotAtPhase2, (END_US - PHASE2_US) / 1e6),
        readerBps: bps(READ_SEGS * mss, SLOW_READ_EVERY_US / 1e6),
      },
      senderCwnd: c.cwnd,
      rwndLimitedMs: Math.round(info.tcpi_rwnd_limited / 1000),
      busyMs: Math.round(info.tcpi_busy_time / 1000),
      unreadAtEnd: (receiver as TcpConnection | null)?.readableBytes ?? 0,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `A bulk sender on a 100 ms round trip; the receiver's buffer (SO_RCVBUF) holds ${BUF_SEGS} segments of ${mss} bytes.`,
        `Until ${PHASE2_US / 1e6} s the reader keeps up; each ACK offers what is free as it leaves (the segment just arrived is not read yet): ${result.phase1.windowsOffered.join('/')} bytes. The sender sends ${result.phase1.segmentsPerRound.join('/')} segments per round trip (at most ${maxFlight1} bytes unacknowledged) and waits for the window to slide.`,
        `  Goodput ${(result.phase1.goodputBps / 1e3).toFixed(1)} kbit/s ≈ window / RTT = ${(result.phase1.windowOverRttBps / 1e3).toFixed(1)} kbit/s, on a 100 Mbit/s link. cwnd is ${c.cwnd}: the receiver's window, not the network, is the limit (rwnd-limited ${result.rwndLimitedMs} of ${result.busyMs} ms).`,
        `From ${PHASE2_US / 1e6} s the application reads only ${READ_SEGS} segments every ${SLOW_READ_EVERY_US / 1000} ms (${(result.phase2.readerBps / 1e3).toFixed(1)} kbit/s): the buffer fills, the windows offered shrink to ${result.phase2.windowsOffered.join('/')} bytes, and the sender follows: ${(result.phase2.goodputBps / 1e3).toFixed(1)} kbit/s, the reader's pace.`,
        'The send window is min(rwnd, cwnd): here rwnd < cwnd, so the receiver sets the pace (flow control).',
      ],
    };
  },
};
