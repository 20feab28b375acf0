import type { TcpSettings } from './settings.js';

/**
 * Round-trip time estimation and the retransmission timeout (RFC 6298) as Linux computes them
 * (tcp_rtt_estimator, tcp_set_rto): SRTT with gain 1/8; a variance term that follows increases at
 * once and decreases slowly; RTO = SRTT + max(4·RTTVAR, rto_min), within [rto_min, rto_max].
 * Before any sample the RTO is tcp_rto_initial (1 s, RFC 6298 §2.1). Backoff doubles it.
 */
export class RttEstimator {
  srttUs = 0;
  /** Mean deviation (Linux's mdev). */
  mdevUs = 0;
  /** The variance term used in the RTO (Linux's rttvar, at least rto_min). */
  rttvarUs = 0;
  minRttUs = Infinity;
  latestRttUs = 0;
  backoffCount = 0;
  private baseRto: number;

  constructor(private readonly settings: TcpSettings) {
    this.baseRto = settings.tcp_rto_initial_ms * 1000;
  }

  get baseRtoUs(): number {
    return this.baseRto;
  }

  get rtoUs(): number {
    const max = this.settings.tcp_rto_max_ms * 1000;
    const b = this.backoffCount;
    // Asked several times per segment, nearly always without backoff: `2 ** n` is a call to pow().
    return Math.min(max, b === 0 ? this.baseRto : this.baseRto * 2 ** Math.min(b, 30));
  }

  sample(rttUs: number): void {
    const m = Math.max(1, Math.round(rttUs));
    const rtoMin = this.settings.tcp_rto_min_ms * 1000;
    this.latestRttUs = m;
    if (m < this.minRttUs) this.minRttUs = m;
    if (this.srttUs === 0) {
      // RFC 6298 §2.2: the first measurement.
      this.srttUs = m;
      this.mdevUs = m / 2;
    } else {
      // RFC 6298 §2.3, with Linux's tweak: a falling RTT does not inflate the variance.
      let err = m - this.srttUs;
      this.srttUs += err / 8;
      if (err < 0) {
        err = -err;
        if (err > this.mdevUs) err /= 8;
      }
      this.mdevUs += (err - this.mdevUs) / 4;
    }
    this.rttvarUs = Math.max(4 * this.mdevUs, rtoMin);
    this.baseRto = Math.min(this.settings.tcp_rto_max_ms * 1000, Math.round(this.srttUs + this.rttvarUs));
  }

  /** RFC 6298 §5.5: double the RTO after a timeout. */
  backoff(): void {
    this.backoffCount++;
  }

  resetBackoff(): void {
    this.backoffCount = 0;
  }
}

/**
 * How long Linux keeps retransmitting before giving up after `boundary` retries
 * (tcp_model_timeout): exponential backoff from `rtoBaseUs` capped at rto_max.
 * For tcp_retries2 = 15 and a 200 ms base this is 924.6 s; for 6 SYN retries at 1 s, 127 s.
 */
export function retransmitTimeoutUs(boundary: number, rtoBaseUs: number, rtoMaxUs: number): number {
  const linearBackoffThresh = Math.floor(Math.log2(rtoMaxUs / rtoBaseUs));
  if (boundary <= linearBackoffThresh) return (2 ** (boundary + 1) - 1) * rtoBaseUs;
  return (2 ** (linearBackoffThresh + 1) - 1) * rtoBaseUs + (boundary - linearBackoffThresh) * rtoMaxUs;
}
