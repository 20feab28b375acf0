import { HyStartPlusPlus } from './hystart.js';
import { congAvoidAi, type CcConnection, type CcEvent, type CongestionControl } from './types.js';

/** RFC 9438 §5.1: multiplicative decrease factor (Linux: 717/1024). */
const BETA = 717 / 1024;
/** RFC 9438 §5.1: the cubic constant C, in segments per second cubed. */
const C = 0.4;

/**
 * CUBIC (RFC 9438), Linux's default, after tcp_cubic.c: the window follows a cubic function of the
 * time since the last reduction, centred on the window where the loss happened (W_max), with fast
 * convergence, the Reno-friendly region (§4.3) and HyStart++ in slow start.
 */
export class Cubic implements CongestionControl {
  readonly name = 'cubic';
  private lastMaxCwnd = 0;
  private epochStart = -1;
  private k = 0;
  private origin = 0;
  /** W_est of RFC 9438 §4.3: what Reno would have by now. */
  private renoCwnd = 0;
  private ackCnt = 0;
  private cnt = 0;
  readonly hystart = new HyStartPlusPlus();

  ssthresh(c: CcConnection): number {
    this.epochStart = -1;
    // Fast convergence (RFC 9438 §4.7): release bandwidth to newer flows.
    this.lastMaxCwnd = c.cwnd < this.lastMaxCwnd ? (c.cwnd * (1 + BETA)) / 2 : c.cwnd;
    return Math.max(Math.floor(c.cwnd * BETA), 2);
  }

  pktsAcked(c: CcConnection, _acked: number, rttUs: number): void {
    if (c.cwnd < c.ssthresh && rttUs > 0) this.hystart.onRttSample(c, rttUs);
  }

  congAvoid(c: CcConnection, acked: number, now: number): void {
    if (!c.cwndLimited) return;
    let left = acked;
    if (c.cwnd < c.ssthresh) {
      left = this.hystart.grow(c, acked);
      if (left === 0) return;
    }
    this.update(c, left, now);
    congAvoidAi(c, this.cnt, left);
  }

  /** RFC 9438 §4.2–4.4: how many ACKed segments per +1 of cwnd to reach the cubic target. */
  private update(c: CcConnection, acked: number, now: number): void {
    this.ackCnt += acked;
    if (this.epochStart < 0) {
      this.epochStart = now;
      this.ackCnt = acked;
      this.renoCwnd = c.cwnd;
      if (this.lastMaxCwnd <= c.cwnd) {
        this.k = 0;
        this.origin = c.cwnd;
      } else {
        this.k = Math.cbrt((this.lastMaxCwnd - c.cwnd) / C);
        this.origin = this.lastMaxCwnd;
      }
    }
    const minRtt = c.minRttUs === Infinity ? 0 : c.minRttUs;
    const t = (now - this.epochStart + minRtt) / 1e6;
    const target = this.origin + C * (t - this.k) ** 3;
    let cnt = target > c.cwnd ? Math.floor(c.cwnd / (target - c.cwnd)) : 100 * c.cwnd;
    if (this.lastMaxCwnd === 0 && cnt > 20) cnt = 20;
    // Reno-friendly region (§4.3): W_est grows by 3(1-β)/(1+β) per window of ACKs.
    const perSegment = (c.cwnd * (1 + BETA)) / (3 * (1 - BETA));
    while (this.ackCnt > perSegment) {
      this.ackCnt -= perSegment;
      this.renoCwnd++;
    }
    if (this.renoCwnd > c.cwnd) {
      const maxCnt = Math.floor(c.cwnd / (this.renoCwnd - c.cwnd));
      if (cnt > maxCnt) cnt = maxCnt;
    }
    this.cnt = Math.max(cnt, 2);
  }

  onEvent(_c: CcConnection, ev: CcEvent): void {
    if (ev === 'loss') {
      this.epochStart = -1;
      this.hystart.reset();
    } else if (ev === 'idle-restart') {
      this.epochStart = -1;
    }
  }

  undoCwnd(c: CcConnection, priorCwnd: number): number {
    return Math.max(c.cwnd, priorCwnd);
  }
}
