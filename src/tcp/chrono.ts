/**
 * Where a sender's time goes, as Linux's tcp_chrono_* keeps it for tcp_info: busy (data in
 * flight, limited by cwnd), limited by the receiver's window, or limited by the send buffer
 * (the application did not keep it full), in µs. Idle time counts nowhere.
 */
export type ChronoKind = 'idle' | 'busy' | 'rwnd' | 'sndbuf';

export class Chrono {
  busyUs = 0;
  rwndLimitedUs = 0;
  sndbufLimitedUs = 0;
  private kind: ChronoKind = 'idle';
  private since = 0;

  set(kind: ChronoKind, now: number): void {
    if (kind === this.kind) return;
    this.flush(now);
    this.kind = kind;
  }

  /** Account the time up to now to the current state. */
  flush(now: number): void {
    const d = now - this.since;
    this.since = now;
    if (d <= 0) return;
    if (this.kind === 'busy') this.busyUs += d;
    else if (this.kind === 'rwnd') this.rwndLimitedUs += d;
    else if (this.kind === 'sndbuf') this.sndbufLimitedUs += d;
  }
}

/**
 * The delivery rate tcp_info reports (Linux's tcp_rate, simplified): bytes delivered over the
 * last interval of at least one smoothed RTT, in bytes per second.
 */
export class DeliveryRate {
  rate = 0;
  private start = -1;
  private startBytes = 0;

  onDelivered(totalBytes: number, now: number, srttUs: number): void {
    if (this.start < 0) {
      this.start = now;
      this.startBytes = totalBytes;
      return;
    }
    const dt = now - this.start;
    if (dt >= Math.max(srttUs, 1000)) {
      this.rate = Math.round(((totalBytes - this.startBytes) * 1e6) / dt);
      this.start = now;
      this.startBytes = totalBytes;
    }
  }
}
