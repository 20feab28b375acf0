/**
 * ICMP output rate limits as Linux applies them: a host-wide token bucket (icmp_msgs_per_sec,
 * icmp_msgs_burst) for every ICMP message but echo replies' exemptions aside, and for the error
 * types in icmp_ratemask a per-destination bucket refilled every icmp_ratelimit ms with a burst of
 * six (Linux's XRLIM_BURST_FACTOR).
 */
const BURST_FACTOR = 6;

export class IcmpRateLimiter {
  private tokens = -1;
  private last = 0;
  private readonly perDest = new Map<number, { tokens: number; last: number }>();

  constructor(private readonly settings: () => { perSec: number; burst: number; ratelimitMs: number }) {}

  /** Whether one more ICMP error to `dst` may be sent at `now` (µs). */
  allow(dst: number, now: number): boolean {
    const s = this.settings();
    if (s.ratelimitMs > 0) {
      const unit = s.ratelimitMs * 1000;
      const max = unit * BURST_FACTOR;
      const p = this.perDest.get(dst) ?? { tokens: max, last: now };
      p.tokens = Math.min(max, p.tokens + (now - p.last));
      p.last = now;
      if (this.perDest.size > 4096) this.perDest.clear();
      this.perDest.set(dst, p);
      if (p.tokens < unit) return false;
      p.tokens -= unit;
    }
    if (s.perSec > 0) {
      if (this.tokens < 0) this.tokens = s.burst;
      this.tokens = Math.min(s.burst, this.tokens + ((now - this.last) * s.perSec) / 1e6);
      this.last = now;
      if (this.tokens < 1) return false;
      this.tokens -= 1;
    }
    return true;
  }
}
