/**
 * What a congestion-control algorithm sees of a connection: the window variables Linux's
 * tcp_congestion_ops work on, in segments.
 */
export interface CcConnection {
  cwnd: number;
  ssthresh: number;
  /** Linux's snd_cwnd_cnt: ACKed segments towards the next +1 in congestion avoidance. */
  cwndCnt: number;
  /** Send sequence variables (HyStart++ counts rounds by them). */
  readonly sndUna: number;
  readonly sndNxt: number;
  /** Smoothed RTT in µs (0 before the first sample). */
  readonly srttUs: number;
  readonly minRttUs: number;
  /** Whether the sender used the window it had (Linux's tcp_is_cwnd_limited). */
  readonly cwndLimited: boolean;
}

/** Events Linux's cwnd_event/set_state hooks receive. */
export type CcEvent = 'loss' | 'recovery' | 'idle-restart';

/**
 * A congestion-control algorithm, one instance per connection (Linux's tcp_congestion_ops):
 * ssthresh() after a loss, congAvoid() for each ACK that may grow the window, and hooks for events.
 */
export interface CongestionControl {
  readonly name: string;
  /** The slow-start threshold to use after a loss is detected (RFC 5681 eq. 4 for Reno). */
  ssthresh(c: CcConnection): number;
  /** An ACK delivered `acked` segments outside recovery: grow cwnd. */
  congAvoid(c: CcConnection, acked: number, now: number): void;
  /** An RTT sample for `acked` newly delivered segments (HyStart++ listens here). */
  pktsAcked?(c: CcConnection, acked: number, rttUs: number, now: number): void;
  onEvent?(c: CcConnection, ev: CcEvent, now: number): void;
  /** cwnd to restore when a reduction proves spurious (Linux's undo_cwnd). */
  undoCwnd(c: CcConnection, priorCwnd: number): number;
  /**
   * Tahoe, the seed's textbook variant: a fast retransmit also collapses the window to one segment
   * and slow-starts, as after a timeout.
   */
  readonly collapseOnFastRetransmit?: boolean;
}

/** Linux's tcp_slow_start: one segment per segment acked, up to ssthresh; returns what is left. */
export function slowStart(c: CcConnection, acked: number): number {
  const cwnd = Math.min(c.cwnd + acked, c.ssthresh);
  const left = acked - (cwnd - c.cwnd);
  c.cwnd = cwnd;
  return Math.max(0, left);
}

/** Linux's tcp_cong_avoid_ai: one segment per `w` segments acked. */
export function congAvoidAi(c: CcConnection, w: number, acked: number): void {
  if (c.cwndCnt >= w) {
    c.cwndCnt = 0;
    c.cwnd++;
  }
  c.cwndCnt += acked;
  if (c.cwndCnt >= w) {
    const delta = Math.floor(c.cwndCnt / w);
    c.cwndCnt -= delta * w;
    c.cwnd += delta;
  }
}
