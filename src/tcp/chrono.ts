/**
 * Where a sender's time goes, as Linux's tcp_chrono_* keeps it for tcp_info, in µs: busy (data
 * queued or in flight), and within that limited by the receiver's window or by the send buffer
 * (the application is blocked on a full buffer while everything it wrote is already sent).
 * Idle time counts nowhere.
 */
export type ChronoKind = 'idle' | 'busy' | 'rwnd' | 'sndbuf';

/** tcp_chrono's order: a more interesting condition takes over from a less interesting one. */
const RANK: Record<ChronoKind, number> = { idle: 0, busy: 1, rwnd: 2, sndbuf: 3 };

export class Chrono {
  busyUs = 0;
  rwndLimitedUs = 0;
  sndbufLimitedUs = 0;
  private kind: ChronoKind = 'idle';
  private since = 0;

  /** Linux's tcp_chrono_start: the condition begins, if it outranks the current one. */
  start(kind: ChronoKind, now: number): void {
    if (RANK[kind] > RANK[this.kind]) this.set(kind, now);
  }

  /**
   * Linux's tcp_chrono_stop: the condition ends; with nothing queued or in flight the sender is
   * idle, otherwise busy again if this was the condition being timed.
   */
  stop(kind: ChronoKind, now: number, queuesEmpty: boolean): void {
    if (queuesEmpty) this.set('idle', now);
    else if (kind === this.kind) this.set('busy', now);
  }

  /** tcpi_busy_time: every period the sender had data to deliver, limited or not. */
  get busyTimeUs(): number {
    return this.busyUs + this.rwndLimitedUs + this.sndbufLimitedUs;
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

  private set(kind: ChronoKind, now: number): void {
    this.flush(now);
    this.kind = kind;
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
