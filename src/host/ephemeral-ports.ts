/**
 * Ephemeral port selection for connect(), RFC 6056 §3.3.4 "Algorithm 4: Double-Hash Port Selection",
 * the algorithm Linux's __inet_hash_connect follows: a keyed hash of (local address, remote
 * address, remote port) picks a starting offset, a second hash picks a perturbation slot that
 * advances after each use, so ports are unpredictable to outsiders yet successive connections to
 * the same destination do not collide. Like Linux 6.x, even ports are tried first (leaving odd
 * ones for bind()), then odd ones.
 */
const PERTURB_SIZE = 1 << 16;

export type PortHash = (localAddr: number, remoteAddr: number, remotePort: number) => number;

export class EphemeralPorts {
  private readonly perturb = new Uint16Array(PERTURB_SIZE);

  constructor(
    private readonly hash: PortHash,
    /** Random bits for the slot's increment; absent, the increment is RFC 6056's plain one. */
    private readonly random?: () => number,
  ) {}

  /**
   * Pick a port in [low, high] for which `available(port)` holds, or -1 when the range is
   * exhausted (connect() then fails with EADDRNOTAVAIL).
   */
  pick(
    low: number,
    high: number,
    localAddr: number,
    remoteAddr: number,
    remotePort: number,
    available: (port: number) => boolean,
  ): number {
    const remaining = high - low + 1;
    if (remaining <= 0) return -1;
    const h = this.hash(localAddr, remoteAddr, remotePort) >>> 0;
    const index = h & (PERTURB_SIZE - 1);
    let offset = ((this.perturb[index] as number) + (h >>> 16)) % remaining;
    offset &= ~1;
    for (let parity = 0; parity < 2; parity++) {
      for (let i = 0; i < remaining; i += 2) {
        const port = low + ((offset + i + parity) % remaining);
        if (available(port)) {
          // RFC 6056: advance the slot so the next connection to this destination starts later.
          // Linux (since 5.19, after the "port shadow" attacks) adds a small random step when
          // there is little contention, so the next port to a destination is not previous + 2.
          const step = this.random ? Math.max(i, (this.random() % 8) * 2) : i;
          this.perturb[index] = ((this.perturb[index] as number) + step + 2) & 0xffff;
          return port;
        }
      }
    }
    return -1;
  }
}
