import { seqGe } from '../seq.js';
import type { CcConnection } from './types.js';

const MIN_RTT_THRESH_US = 4000;
const MAX_RTT_THRESH_US = 16000;
const MIN_RTT_DIVISOR = 8;
const N_RTT_SAMPLE = 8;
const CSS_GROWTH_DIVISOR = 4;
const CSS_ROUNDS = 5;

/**
 * HyStart++ (RFC 9406): leave slow start before it overshoots, when the round's minimum RTT has
 * risen by a clamped eighth over the last round's; then grow a quarter as fast (Conservative Slow
 * Start) for up to five rounds, returning to slow start if the rise was a false alarm.
 */
export class HyStartPlusPlus {
  private windowEnd = -1;
  private lastRoundMinRtt = Infinity;
  private currentRoundMinRtt = Infinity;
  private rttSamples = 0;
  /** In Conservative Slow Start: the RTT that triggered it, else Infinity. */
  private cssBaseline = Infinity;
  private cssRounds = 0;
  private cssAcked = 0;

  reset(): void {
    this.windowEnd = -1;
    this.lastRoundMinRtt = Infinity;
    this.currentRoundMinRtt = Infinity;
    this.rttSamples = 0;
    this.cssBaseline = Infinity;
    this.cssRounds = 0;
    this.cssAcked = 0;
  }

  get inCss(): boolean {
    return this.cssBaseline !== Infinity;
  }

  /** RFC 9406 §4.2: an RTT sample during slow start. */
  onRttSample(c: CcConnection, rttUs: number): void {
    if (this.windowEnd < 0 || seqGe(c.sndUna, this.windowEnd)) this.newRound(c);
    if (rttUs < this.currentRoundMinRtt) this.currentRoundMinRtt = rttUs;
    this.rttSamples++;
    if (this.rttSamples < N_RTT_SAMPLE) return;
    if (!this.inCss) {
      if (this.lastRoundMinRtt === Infinity || this.currentRoundMinRtt === Infinity) return;
      const eta = Math.min(
        MAX_RTT_THRESH_US,
        Math.max(MIN_RTT_THRESH_US, this.lastRoundMinRtt / MIN_RTT_DIVISOR),
      );
      if (this.currentRoundMinRtt >= this.lastRoundMinRtt + eta) {
        this.cssBaseline = this.currentRoundMinRtt;
        this.cssRounds = 0;
      }
    } else if (this.currentRoundMinRtt < this.cssBaseline) {
      // The delay rise was spurious: back to slow start.
      this.cssBaseline = Infinity;
      this.cssRounds = 0;
    }
  }

  private newRound(c: CcConnection): void {
    this.windowEnd = c.sndNxt;
    this.lastRoundMinRtt = this.currentRoundMinRtt;
    this.currentRoundMinRtt = Infinity;
    this.rttSamples = 0;
    if (this.inCss) {
      this.cssRounds++;
      // RFC 9406 §4.2: after CSS_ROUNDS rounds of CSS, enter congestion avoidance.
      if (this.cssRounds >= CSS_ROUNDS) {
        c.ssthresh = c.cwnd;
        this.cssBaseline = Infinity;
      }
    }
  }

  /** Slow-start growth, divided by CSS_GROWTH_DIVISOR in CSS; returns segments acked beyond ssthresh. */
  grow(c: CcConnection, acked: number): number {
    if (!this.inCss) {
      const cwnd = Math.min(c.cwnd + acked, c.ssthresh);
      const left = acked - (cwnd - c.cwnd);
      c.cwnd = cwnd;
      return Math.max(0, left);
    }
    this.cssAcked += acked;
    const inc = Math.floor(this.cssAcked / CSS_GROWTH_DIVISOR);
    this.cssAcked -= inc * CSS_GROWTH_DIVISOR;
    c.cwnd += inc;
    return 0;
  }
}
