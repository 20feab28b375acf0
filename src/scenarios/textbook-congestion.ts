import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { addHost, addInterface, type RunObserver, type Scenario, type ScenarioContext } from './scenario.js';

/** How a run loses data at the round where cwnd first reaches 24. */
type LossKind = 'timeout' | 'three-dupacks';

export interface TextbookRun {
  /** cwnd (segments) at the start of each transmission round. */
  cwndPerRound: number[];
  ssthreshPerRound: number[];
  /** What happened, by round (1-based). */
  events: { round: number; event: string }[];
  retransmissions: number;
  timeouts: number;
  fastRetransmits: number;
}

const ROUNDS = 22;
const LOSS_AT_CWND = 24;

/**
 * One sender on a textbook path: segments of one MSS, a fixed 100 ms round trip on a link with no
 * serialisation delay (each round's segments leave together, as the seed's figure draws them),
 * cwnd 1 and ssthresh 16 at the start, a receiver that acknowledges every segment, no SACK (the
 * textbook's TCP). When cwnd first reaches 24 the network loses that round: every segment for a
 * timeout, or the first one alone so that the rest bring three duplicate ACKs.
 */
export function textbookRun(
  seed: number,
  cc: string,
  loss: LossKind,
  extra: Record<string, string> = {},
  observer?: RunObserver,
  /** Host names, so that two runs watched together stay apart. */
  names: [string, string] = ['sender', 'receiver'],
): TextbookRun & { hosts: Host[] } {
  const sim = new Simulator({ seed });
  observer?.simulator?.(sim);
  const settings = {
    tcp_congestion_control: cc,
    tcp_init_cwnd: 1,
    tcp_init_ssthresh: 16,
    tcp_quickack: 1,
    tcp_sack: 0,
    ...extra,
  };
  const mk = (name: string) =>
    addHost(observer, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }));
  const sender = mk(names[0]);
  const receiver = mk(names[1]);
  const link = new PointToPointLink(sim, { name: 'path', both: { delayUs: 50_000 } });
  addInterface(observer, sender, link.a, '10.0.0.1/24');
  addInterface(observer, receiver, link.b, '10.0.0.2/24');

  const sink = new Uint8Array(1 << 20);
  const l = receiver.tcp.listen(0, 80, 8, () => {
    const s = l.accept();
    if (!s) return;
    receiver.tcp.observe(s, (ev) => {
      if (ev === 'readable') while (s.readInto(sink, sim.now()) > 0);
    });
  });
  const data = new Uint8Array(64 * 1024);
  const c: TcpConnection = sender.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') while (c.send(data, sim.now()) > 0);
    },
  });

  const run: TextbookRun & { hosts: Host[] } = {
    hosts: [sender, receiver],
    cwndPerRound: [],
    ssthreshPerRound: [],
    events: [],
    retransmissions: 0,
    timeouts: 0,
    fastRetransmits: 0,
  };
  // A round starts whenever the sender puts data on the wire at a new instant: after the
  // handshake, when a round's ACKs arrive, or when the retransmission timer fires. Its cwnd is
  // read once everything due at that instant has run. The link's drop hook sees every segment as
  // it is sent, so it finds the rounds and drops the chosen one.
  let lastBurst = -1;
  /** The round after the one starting at this time is the one to lose (-1: not chosen yet). */
  let loseAfter = -1;
  let loseAt = -1;
  let dropped = 0;
  const startRound = () => {
    const round = run.cwndPerRound.length + 1;
    const mib = sender.counters.TcpExt;
    if (mib.TCPTimeouts > run.timeouts) run.events.push({ round, event: 'timeout' });
    // Reno starts a recovery; Tahoe's fast retransmit starts a slow start instead.
    const fastRetransmits =
      mib.TCPRenoRecovery + mib.TCPSackRecovery + (cc === 'tahoe' ? mib.TCPFastRetrans : 0);
    if (fastRetransmits > run.fastRetransmits) run.events.push({ round, event: 'fast-retransmit' });
    run.timeouts = mib.TCPTimeouts;
    run.fastRetransmits = fastRetransmits;
    run.cwndPerRound.push(c.cwnd);
    run.ssthreshPerRound.push(c.ssthresh);
    // The next round's window: doubled in slow start (up to ssthresh), one more in congestion
    // avoidance. Lose the round that will have cwnd 24.
    const next = c.cwnd < c.ssthresh ? Math.min(2 * c.cwnd, c.ssthresh) : c.cwnd + 1;
    if (loseAfter < 0 && next === LOSS_AT_CWND) loseAfter = sim.now();
  };
  link.ab.dropWhen((pkt) => {
    if (pkt.length < 200) return false; // ACKs and the handshake
    const now = sim.now();
    if (now !== lastBurst) {
      lastBurst = now;
      sim.at(now, startRound);
      if (loseAfter >= 0 && loseAt < 0 && now > loseAfter) loseAt = now;
    }
    if (now !== loseAt) return false;
    if (loss === 'three-dupacks' && dropped > 0) return false;
    dropped++;
    return true;
  });
  sim.run({ until: 30e6 });
  run.cwndPerRound = run.cwndPerRound.slice(0, ROUNDS);
  run.ssthreshPerRound = run.ssthreshPerRound.slice(0, ROUNDS);
  run.retransmissions = sender.counters.Tcp.RetransSegs;
  return run;
}

export const textbookCongestion: Scenario = {
  name: 'textbook-congestion',
  summary:
    "the seed's congestion figure: cwnd per round with slow start, congestion avoidance, a timeout, and Reno's fast recovery",
  run(ctx: ScenarioContext) {
    const timeout = textbookRun(
      ctx.seed,
      ctx.settings.tcp_congestion_control ?? 'tahoe',
      'timeout',
      ctx.settings,
      ctx.observer,
      ['sender', 'receiver'],
    );
    const reno = textbookRun(
      ctx.seed,
      'reno',
      'three-dupacks',
      { ...ctx.settings, tcp_congestion_control: 'reno' },
      ctx.observer,
      ['sender-reno', 'receiver-reno'],
    );
    const story = [
      'cwnd per transmission round (segments), ssthresh 16 at the start:',
      `  timeout at 24:      ${timeout.cwndPerRound.join(' ')}`,
      `  3 dup ACKs at 24:   ${reno.cwndPerRound.join(' ')}`,
    ];
    return {
      hosts: [...timeout.hosts, ...reno.hosts],
      result: {
        cwndPerRound: timeout.cwndPerRound,
        ssthreshPerRound: timeout.ssthreshPerRound,
        events: timeout.events,
        reno: {
          cwndPerRound: reno.cwndPerRound,
          ssthreshPerRound: reno.ssthreshPerRound,
          events: reno.events,
        },
      },
      story,
    };
  },
};
