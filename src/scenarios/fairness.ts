import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import {
  addHost,
  addInterface,
  runWithProgress,
  type RunObserver,
  type Scenario,
  type ScenarioContext,
} from './scenario.js';

export interface FairnessOptions {
  /** Congestion control of each flow, in order (its length is the number of flows). */
  algorithms: string[];
  /** Bottleneck rate, bit/s. */
  bottleneckBps: number;
  /** Round-trip propagation delay, µs. */
  rttUs: number;
  /** Simulated seconds in all; throughput is measured after the first third (once the flows have met). */
  durationS: number;
  /** Host settings for every sender (tcp_congestion_control is overridden per flow). */
  settings?: Record<string, string | number>;
  /** Progress lines for a terminal. */
  progress?: (text: string) => void;
}

export interface FairnessResult {
  /** Goodput of each flow over the measured interval, bit/s. */
  flowBps: number[];
  /** Jain's fairness index of those goodputs: (Σx)² / (n·Σx²), 1 when all are equal. */
  jainIndex: number;
  /** Bytes delivered in the interval over what the bottleneck could carry in it. */
  utilization: number;
  measuredFromS: number;
  bottleneckDrops: number;
  retransmissions: number;
}

export function jain(xs: number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return sq === 0 ? 0 : (sum * sum) / (xs.length * sq);
}

/**
 * Senders, each on its own fast access link to a router, share one bottleneck to a receiver: the
 * classic dumbbell. The bottleneck's drop-tail queue holds one bandwidth-delay product. Each flow
 * is a bulk transfer that starts within the first half second and never runs out of data.
 */
export function fairnessRun(
  seed: number,
  o: FairnessOptions,
  observer?: RunObserver,
): FairnessResult & { hosts: Host[] } {
  const sim = new Simulator({ seed });
  observer?.simulator?.(sim);
  const mk = (name: string, settings: Record<string, string | number> = {}) =>
    addHost(observer, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }));
  const router = mk('r1', { ip_forward: 1 });
  const router2 = mk('r2', { ip_forward: 1 });
  const receiver = mk('receiver', o.settings ?? {});
  const accessDelay = 1000;
  const bottleneckDelay = Math.max(0, o.rttUs / 2 - 2 * accessDelay);
  const bdpBytes = Math.round((o.bottleneckBps * o.rttUs) / 8e6);
  const bottleneck = new PointToPointLink(sim, {
    name: 'bottleneck',
    both: { delayUs: bottleneckDelay, bandwidthBps: o.bottleneckBps, queueLimitBytes: bdpBytes },
  });
  addInterface(observer, router, bottleneck.a, '10.255.0.1/30');
  addInterface(observer, router2, bottleneck.b, '10.255.0.2/30');
  const rx = new PointToPointLink(sim, { name: 'rx', both: { delayUs: accessDelay, bandwidthBps: 10e9 } });
  addInterface(observer, router2, rx.a, '10.254.0.1/24');
  addInterface(observer, receiver, rx.b, '10.254.0.2/24');
  receiver.setDefaultGateway('10.254.0.1');
  router.setDefaultGateway('10.255.0.2');
  router2.setDefaultGateway('10.255.0.1');

  const n = o.algorithms.length;
  const received = new Array<number>(n).fill(0);
  const sink = new Uint8Array(1 << 20);
  const listener = receiver.tcp.listen(0, 5001, 128, () => {
    for (let s = listener.accept(); s; s = listener.accept()) {
      const conn = s;
      const flow = flowOfPort.get(conn.tuple.remotePort) ?? -1;
      receiver.tcp.observe(conn, (ev) => {
        if (ev !== 'readable') return;
        for (let k = conn.readInto(sink, sim.now()); k > 0; k = conn.readInto(sink, sim.now())) {
          if (flow >= 0) received[flow] = (received[flow] as number) + k;
        }
      });
    }
  });
  const flowOfPort = new Map<number, number>();
  const senders: Host[] = [];
  const data = new Uint8Array(1 << 16);
  for (let i = 0; i < n; i++) {
    const h = mk(`s${i}`, { ...(o.settings ?? {}), tcp_congestion_control: o.algorithms[i] as string });
    // Sub-packet-time jitter on each access link, as real senders have: without it a deterministic
    // drop-tail queue locks flows into fixed phases and some always lose (Floyd & Jacobson 1992).
    const l = new PointToPointLink(sim, {
      name: `a${i}`,
      both: { delayUs: accessDelay, bandwidthBps: 10e9, jitterUs: 600 },
    });
    addInterface(observer, router, l.a, `10.0.${i}.1/24`);
    addInterface(observer, h, l.b, `10.0.${i}.2/24`);
    h.setDefaultGateway(`10.0.${i}.1`);
    senders.push(h);
    const startAt = sim.rng.int(0, 500_000);
    sim.at(startAt, () => {
      const c: TcpConnection = h.tcp.connect(ipv4('10.254.0.2'), 5001, {
        observer: (ev) => {
          if (ev === 'established' || ev === 'writable') while (c.send(data, sim.now()) > 0);
        },
      });
      flowOfPort.set(c.tuple.localPort, i);
    });
  }
  const from = (o.durationS / 3) * 1e6;
  runWithProgress(sim, from, o.progress, 'fairness', 5);
  const before = received.slice();
  runWithProgress(sim, o.durationS * 1e6, o.progress, 'fairness', 10);
  const seconds = (o.durationS * 2) / 3;
  const flowBps = received.map((r, i) => ((r - (before[i] as number)) * 8) / seconds);
  const total = flowBps.reduce((a, b) => a + b, 0);
  return {
    // The receiver first: its settings are the run's (the CLI reports the first host's).
    hosts: [receiver, ...senders, router, router2],
    flowBps,
    jainIndex: jain(flowBps),
    // Goodput against the link rate less IP and TCP headers with timestamps (52 of 1500 bytes).
    utilization: total / (o.bottleneckBps * (1448 / 1500)),
    measuredFromS: o.durationS / 3,
    bottleneckDrops: bottleneck.ab.stats.dropped.queue,
    retransmissions: senders.reduce((a, h) => a + h.counters.Tcp.RetransSegs, 0),
  };
}

export const fairness: Scenario = {
  name: 'fairness',
  summary:
    '10 bulk flows share a 100 Mbit/s bottleneck (40 ms RTT, one BDP of buffer) for 30 s: Jain index and utilisation',
  run(ctx: ScenarioContext) {
    const cc = ctx.settings.tcp_congestion_control ?? 'cubic';
    const { hosts, ...r } = fairnessRun(
      ctx.seed,
      {
        algorithms: Array(10).fill(cc),
        bottleneckBps: 100e6,
        rttUs: 40_000,
        durationS: 30,
        settings: ctx.settings,
        progress: ctx.progress,
      },
      ctx.observer,
    );
    const mbps = (b: number) => (b / 1e6).toFixed(1);
    return {
      hosts,
      result: { congestionControl: cc, ...r },
      story: [
        `10 ${cc} flows, 100 Mbit/s bottleneck, 40 ms RTT, drop-tail queue of one BDP (500 kB)`,
        `goodput per flow from ${r.measuredFromS} s to 30 s (Mbit/s): ${r.flowBps.map(mbps).join(' ')}`,
        `Jain's fairness index ${r.jainIndex.toFixed(3)}, utilisation ${(100 * r.utilization).toFixed(1)}%`,
        `${r.bottleneckDrops} packets dropped at the bottleneck, ${r.retransmissions} retransmissions`,
      ],
    };
  },
};
