import { CA_STATE_NAME } from '../tcp/trace.js';
import { bulkRounds, ssthreshOf } from './rounds.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const ROUNDS = 10;
const LOSS_ROUND = 3;

/**
 * The seed's 3.4: fast recovery. Reno in slow start from Linux's initial window of 10 loses the
 * first segment of its third round (cwnd 40). Three duplicate ACKs: ssthresh becomes half of cwnd
 * (20), the segment is resent, and instead of starting again from 1 the sender continues from
 * ssthresh with congestion avoidance: 20, 21, 22… Linux walks cwnd down to ssthresh during the
 * recovery round with PRR (RFC 6937) rather than the textbook's inflation, and ends at ssthresh.
 * Tahoe (--set tcp_congestion_control=tahoe) shows what fast recovery avoids: back to 1.
 */
export const fastRecovery: Scenario = {
  name: 'fast-recovery',
  summary:
    'fast recovery: a loss at cwnd 40 halves ssthresh to 20 and Reno continues from 20, +1 per round, no slow start',
  run(ctx: ScenarioContext) {
    const caStates: { tMs: number; state: string; cwnd: number; ssthresh: number | null }[] = [];
    const { w, rounds, client, cwndPerRtt } = bulkRounds(ctx, {
      defaults: { tcp_congestion_control: 'reno' },
      link: { delayUs: 50_000 },
      rcvBuf: 8 << 20,
      untilUs: 50_000 + (ROUNDS + 1) * 100_000,
      drop: { round: LOSS_ROUND, segment: 1 },
      setup: (h) =>
        h.tcp.subscribeTrace((t, _tuple, ev) => {
          if (ev.type !== 'cwnd') return;
          const state = CA_STATE_NAME[ev.caState] ?? String(ev.caState);
          if (caStates.at(-1)?.state !== state)
            caStates.push({ tMs: t / 1000, state, cwnd: ev.cwnd, ssthresh: ssthreshOf(ev.ssthresh) });
        }),
    });
    const rs = rounds.slice(0, ROUNDS);
    const lossCwnd = rs[LOSS_ROUND - 1]?.segments ?? 0;
    const recovery = caStates.find((x) => x.state === 'Recovery' || x.state === 'Loss');
    const after = caStates.find((x, i) => i > 0 && x.state === 'Open' && recovery && x.tMs > recovery.tMs);
    const x = client.counters.TcpExt;
    const result = {
      congestionControl: client.settings.tcp_congestion_control,
      segmentsPerRound: rs.map((r) => r.segments),
      retransmitsPerRound: rs.map((r) => r.retransmits),
      cwndAfterRound: rs.map((r) => r.cwnd),
      // For the report's rounds figure (as textbook-congestion gives them): the round that
      // carried the retransmission is marked.
      cwndPerRound: rs.map((r) => r.cwnd),
      ssthreshPerRound: rs.map((r) => r.ssthresh),
      events: rs.flatMap((r, i) =>
        r.retransmits > 0 ? [{ round: i + 1, event: x.TCPTimeouts > 0 ? 'timeout' : 'fast-retransmit' }] : [],
      ),
      ssthreshAfterRound: rs.map((r) => ssthreshOf(r.ssthresh)),
      cwndPerRtt: cwndPerRtt.slice(0, ROUNDS),
      cwndAtLoss: lossCwnd,
      ssthreshAfterLoss: recovery?.ssthresh ?? null,
      cwndWhenRecoveryEnded: after?.cwnd ?? null,
      caStates,
      retransmissions: client.counters.Tcp.RetransSegs,
      timeouts: x.TCPTimeouts,
      recoveries: x.TCPSackRecovery + x.TCPRenoRecovery,
      fastRetransmits: x.TCPFastRetrans,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `A ${result.congestionControl} bulk transfer on a 100 ms round trip, initial window 10; the first segment of round ${LOSS_ROUND} (cwnd ${lossCwnd}) is lost.`,
        `Segments per round: ${result.segmentsPerRound.join(' ')}`,
        `cwnd after each round: ${result.cwndAfterRound.join(' ')}   (ssthresh ${result.ssthreshAfterRound.map((s) => s ?? '∞').join(' ')})`,
        `The duplicate ACKs put the sender in ${recovery?.state ?? '?'} at ${recovery?.tMs ?? '?'} ms with ssthresh ${recovery?.ssthresh ?? '?'} (half of ${lossCwnd}); one segment was resent (RetransSegs ${result.retransmissions}, TCPTimeouts ${result.timeouts}).`,
        result.congestionControl === 'tahoe'
          ? 'Tahoe has no fast recovery: cwnd went back to 1 and slow start ran again up to ssthresh.'
          : `Recovery ended at ${after?.tMs ?? '?'} ms with cwnd ${after?.cwnd ?? '?'} = ssthresh: no slow start, and congestion avoidance adds one segment per round from there ("multiplicative decrease, additive increase").`,
      ],
    };
  },
};
