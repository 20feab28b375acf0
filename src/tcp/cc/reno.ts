import { congAvoidAi, slowStart, type CcConnection, type CongestionControl } from './types.js';

/** Reno (RFC 5681) as Linux's tcp_reno_cong_avoid/tcp_reno_ssthresh run it; NewReno's recovery lives in the engine. */
export class Reno implements CongestionControl {
  readonly name: string = 'reno';

  ssthresh(c: CcConnection): number {
    // Linux halves the congestion window (RFC 5681 eq. 4 halves the flight size; the two agree
    // for a sender that fills its window).
    return Math.max(c.cwnd >> 1, 2);
  }

  congAvoid(c: CcConnection, acked: number): void {
    if (!c.cwndLimited) return;
    let left = acked;
    if (c.cwnd < c.ssthresh) {
      left = slowStart(c, acked);
      if (left === 0) return;
    }
    congAvoidAi(c, c.cwnd, left);
  }

  undoCwnd(c: CcConnection, priorCwnd: number): number {
    return Math.max(c.cwnd, priorCwnd);
  }
}

/**
 * Tahoe, for the seed's classroom figure: Reno's growth and halving, but every loss, timeout or
 * three duplicate ACKs, drops the window to one segment and slow-starts again.
 */
export class Tahoe extends Reno {
  override readonly name = 'tahoe';
  readonly collapseOnFastRetransmit = true;

  /**
   * Slow start as RFC 5681 §3.1 words it and 1988's TCP did: one segment per ACK, however much the
   * ACK covers (a cumulative ACK after a go-back-N retransmission counts once).
   */
  override congAvoid(c: CcConnection, acked: number): void {
    super.congAvoid(c, c.cwnd < c.ssthresh ? Math.min(acked, 1) : acked);
  }
}
