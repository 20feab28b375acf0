import type { Host } from '../host/host.js';
import type { LinkImpairments } from '../link/fault-model.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { acceptAll, clientServer, drain, sendForever, type World } from './kit.js';
import type { ScenarioContext } from './scenario.js';

/** One transmission round (the seed's 传输轮次): the burst a window lets out at one instant. */
export interface Round {
  /** When the round's first segment left, ms. */
  startMs: number;
  /** Data segments sent in the round (new and resent). */
  segments: number;
  /** Of which retransmissions. */
  retransmits: number;
  /** cwnd and ssthresh (segments) once the round was sent. */
  cwnd: number;
  ssthresh: number;
}

export interface BulkOptions {
  /** Host settings the scenario starts from (--set overrides them). */
  defaults: Record<string, string | number>;
  link: Partial<LinkImpairments>;
  /** Simulated time to run, µs. */
  untilUs: number;
  /** Receive buffer of the server's accepted connection (SO_RCVBUF), so the window never limits. */
  rcvBuf?: number;
  /** Drop this data segment (1-based) of this round (1-based). */
  drop?: { round: number; segment: number };
  /** Called once the connection exists, before anything runs (to subscribe to traces). */
  setup?(client: Host, conn: TcpConnection): void;
}

/**
 * A bulk transfer from client to server on a path with no serialisation delay, so that each
 * round's segments leave together as the seed's figures draw them; the rounds are read off the
 * client's interface, cwnd and ssthresh off the engine right after each burst.
 */
export function bulkRounds(ctx: ScenarioContext, o: BulkOptions) {
  const { w, sim, client, server, link } = clientServer(ctx, o.link, o.defaults);
  acceptAll(server, 80, (s) => drain(server, s, () => sim.now()), 128, o.rcvBuf ? { rcvBuf: o.rcvBuf } : {});
  const conn = client.tcp.connect(ipv4('10.0.0.2'), 80);
  sendForever(client, conn, () => sim.now());
  o.setup?.(client, conn);
  const rounds = watchRounds(w, client, conn, 2 * (o.link.delayUs ?? 0));
  if (o.drop) {
    const d = o.drop;
    const prev = w.onSegment;
    w.onSegment = (s) => {
      prev?.(s);
      const r = rounds.at(-1);
      // The tap sees the segment just before the link takes it: drop exactly this one.
      if (
        s.host === client.name &&
        s.dir === 'out' &&
        s.len > 0 &&
        rounds.length === d.round &&
        r?.segments === d.segment
      )
        link.ab.dropNth(link.ab.stats.sent + 1);
    };
  }
  // cwnd once per round trip, half an RTT into each round (between bursts).
  const rtt = 2 * (o.link.delayUs ?? 0);
  const cwndPerRtt: number[] = [];
  if (rtt > 0) {
    const sample = (): void => {
      cwndPerRtt.push(conn.cwnd);
      sim.after(rtt, sample);
    };
    sim.at(rtt + rtt / 2, sample);
  }
  sim.run({ until: o.untilUs });
  return { w, sim, client, server, conn, rounds, link, cwndPerRtt };
}

/**
 * Cut the client's data segments into rounds: a round starts with the first segment sent a round
 * trip (less a tenth for slack) after the previous round started, so each round holds what the
 * previous round's ACKs let out, however the receiver spaces them (delayed ACKs) and even when a
 * round's first segment is lost. cwnd and ssthresh are read after each of the round's bursts.
 */
export function watchRounds(w: World, sender: Host, conn: TcpConnection, rttUs: number): Round[] {
  const rounds: Round[] = [];
  let lastT = -1;
  let highest = -1;
  let base = -1;
  let roundStart = -Infinity;
  const prev = w.onSegment;
  w.onSegment = (s) => {
    prev?.(s);
    if (s.host !== sender.name || s.dir !== 'out' || s.len === 0) return;
    if (base < 0) base = s.seq;
    const rel = (s.seq - base) >>> 0;
    if (s.t - roundStart >= 0.9 * rttUs) {
      roundStart = s.t;
      rounds.push({ startMs: s.t / 1000, segments: 0, retransmits: 0, cwnd: 0, ssthresh: 0 });
    }
    const r = rounds[rounds.length - 1] as Round;
    if (s.t !== lastT) {
      lastT = s.t;
      w.sim.at(s.t, () => {
        r.cwnd = conn.cwnd;
        r.ssthresh = conn.ssthresh;
      });
    }
    r.segments++;
    if (rel < highest) r.retransmits++;
    else highest = rel + s.len;
  };
  return rounds;
}

/** ssthresh as a person reads it: Linux's "infinite" initial value shows as null. */
export function ssthreshOf(v: number): number | null {
  return v >= 0x7fffffff / 2 ? null : v;
}
