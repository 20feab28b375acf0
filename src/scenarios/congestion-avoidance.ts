import { bulkRounds, ssthreshOf } from './rounds.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const ROUNDS = 12;

/**
 * The seed's 3.2: congestion avoidance. Once cwnd reaches ssthresh, growth turns linear: one more
 * segment per round trip (Reno's additive increase, RFC 5681 §3.1; Linux's tcp_cong_avoid_ai
 * counts acknowledged segments, so delayed ACKs do not slow it). The path's ssthresh is 20
 * segments (ip route … ssthresh 20, here tcp_init_ssthresh), the initial window Linux's 10.
 */
export const congestionAvoidance: Scenario = {
  name: 'congestion-avoidance',
  summary: 'congestion avoidance: past ssthresh (20) Reno’s cwnd grows by one segment per round trip',
  run(ctx: ScenarioContext) {
    // Linux's tcp_cong_avoid_ai: one more segment of cwnd for every cwnd segments acknowledged.
    // Count the segments acknowledged between successive increments, from the engine's trace.
    const steps: { cwnd: number; acked: number }[] = [];
    let lastAcked = 0;
    let lastCwnd = 0;
    const { w, rounds, client, cwndPerRtt } = bulkRounds(ctx, {
      setup: (h, c) =>
        h.tcp.subscribeTrace((_t, _tuple, ev) => {
          if (ev.type !== 'cwnd') return;
          if (ev.cwnd === lastCwnd + 1 && ev.cwnd > ev.ssthresh) {
            steps.push({ cwnd: lastCwnd, acked: Math.round((c.bytesAcked - lastAcked) / c.sndMss) });
          }
          if (ev.cwnd !== lastCwnd) {
            lastCwnd = ev.cwnd;
            lastAcked = c.bytesAcked;
          }
        }),
      defaults: { tcp_congestion_control: 'reno', tcp_init_ssthresh: 20 },
      link: { delayUs: 50_000 },
      rcvBuf: 8 << 20,
      untilUs: 50_000 + ROUNDS * 100_000,
    });
    const rs = rounds.slice(0, ROUNDS);
    const seg = rs.map((r) => r.segments);
    const ssthresh = ssthreshOf(rs[0]?.ssthresh ?? 0);
    const reached = seg.findIndex((n) => ssthresh !== null && n >= ssthresh);
    const increments = seg.slice(reached + 1).map((n, i) => n - (seg[reached + i] as number));
    return {
      hosts: w.hosts,
      result: {
        congestionControl: client.settings.tcp_congestion_control,
        ssthresh,
        segmentsPerRound: seg,
        cwndAfterRound: rs.map((r) => r.cwnd),
        // For the report's rounds figure (as textbook-congestion gives them).
        cwndPerRound: rs.map((r) => r.cwnd),
        ssthreshPerRound: rs.map((r) => r.ssthresh),
        cwndPerRtt: cwndPerRtt.slice(0, ROUNDS),
        /** For each +1 in congestion avoidance: cwnd before it and the segments acknowledged since the last change. */
        increments: steps.slice(0, ROUNDS),
        ssthreshReachedInRound: reached + 1,
        incrementPerRoundAfter: increments,
        retransmissions: client.counters.Tcp.RetransSegs,
      },
      story: [
        `A bulk transfer on a 100 ms round trip; ${client.settings.tcp_congestion_control}, initial window ${seg[0]}, ssthresh ${ssthresh}.`,
        `cwnd once per RTT: ${cwndPerRtt.slice(0, ROUNDS).join(' ')}`,
        `Slow start reaches ssthresh in round ${reached + 1}; from then on cwnd grows linearly, "additive increase": one segment for every cwnd segments acknowledged (${steps
          .slice(0, 6)
          .map((x) => `+1 at ${x.cwnd} after ${x.acked} acked`)
          .join(', ')}…), about one per round trip.`,
        'With delayed ACKs (one ACK per two segments, a 40 ms timer for a leftover) a round trip now and then stretches, so a round may pass without the +1.',
      ],
    };
  },
};
