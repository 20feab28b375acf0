import { bulkRounds, ssthreshOf } from './rounds.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const ROUNDS = 7;

/**
 * The seed's 3.1: slow start. A bulk sender on a 100 ms path with room for everything: each round
 * trip every segment's ACK lets two more go, so cwnd doubles per round. Linux starts at 10
 * segments (RFC 6928, tcp_init_cwnd); the seed's textbook starts at 1 (--set tcp_init_cwnd=1).
 */
export const slowStart: Scenario = {
  name: 'slow-start',
  summary:
    'slow start: cwnd doubles every round trip from the initial window (10 on Linux, 1 with --set tcp_init_cwnd=1)',
  run(ctx: ScenarioContext) {
    const { w, rounds, client } = bulkRounds(ctx, {
      defaults: {},
      link: { delayUs: 50_000 },
      rcvBuf: 8 << 20,
      untilUs: 50_000 + ROUNDS * 100_000,
    });
    const rs = rounds.slice(0, ROUNDS);
    const cwndPerRound = rs.map((r) => r.segments);
    const ratios = cwndPerRound.slice(1).map((n, i) => n / (cwndPerRound[i] as number));
    return {
      hosts: w.hosts,
      result: {
        initialCwnd: client.settings.tcp_init_cwnd,
        congestionControl: client.settings.tcp_congestion_control,
        rttMs: 100,
        segmentsPerRound: cwndPerRound,
        cwndAfterRound: rs.map((r) => r.cwnd),
        // For the report's rounds figure (as textbook-congestion gives them).
        cwndPerRound: rs.map((r) => r.cwnd),
        ssthreshPerRound: rs.map((r) => r.ssthresh),
        ssthresh: ssthreshOf(rs.at(-1)?.ssthresh ?? 0),
        growthPerRound: ratios,
        roundStartMs: rs.map((r) => r.startMs),
        retransmissions: client.counters.Tcp.RetransSegs,
      },
      story: [
        `A bulk transfer on a 100 ms round trip with a large receive buffer; tcp_init_cwnd ${client.settings.tcp_init_cwnd}, ${client.settings.tcp_congestion_control}.`,
        `Segments sent per round (the window): ${cwndPerRound.join(' → ')}`,
        `Each round's ACKs each add one segment to cwnd, so it doubles per RTT (×${ratios.map((r) => r.toFixed(1)).join(', ×')}), while cwnd < ssthresh (${ssthreshOf(rs.at(-1)?.ssthresh ?? 0) ?? 'unlimited until the first loss'}).`,
        `"Slow" is the start, not the growth: from ${cwndPerRound[0]} segments to ${cwndPerRound.at(-1)} in ${ROUNDS - 1} round trips.`,
      ],
    };
  },
};
