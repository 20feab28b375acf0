import { siphashWords, sipKey, type SipKey } from './siphash.js';

/**
 * Initial sequence numbers as RFC 6528 §3 specifies: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a clock ticking every 4 µs (the seed's M; RFC 9293 §3.4.1's
 * clock) and F is SipHash keyed with a per-host secret. Consecutive connections on one 4-tuple get
 * increasing ISNs (old duplicates stay out of the new window); different 4-tuples get unrelated ones.
 * Timestamp offsets (RFC 7323 §5.4) come from the same secret with the ports left out, as Linux
 * derives tsoffset from the address pair.
 */
export class IsnGenerator {
  private readonly key: SipKey;
  private readonly tsKey: SipKey;

  constructor(secret: Uint8Array) {
    if (secret.length < 32) throw new Error('the ISN secret must be 32 bytes');
    this.key = sipKey(secret.subarray(0, 16));
    this.tsKey = sipKey(secret.subarray(16, 32));
  }

  isn(localAddr: number, localPort: number, remoteAddr: number, remotePort: number, nowUs: number): number {
    const f = siphashWords(this.key, localAddr, remoteAddr, (localPort << 16) | remotePort, 0x6528);
    return (f + Math.floor(nowUs / 4)) >>> 0;
  }

  /** The last address pair's offset: a host talks to few peers, and a handshake asks up to four times. */
  private tsLocal = NaN;
  private tsRemote = NaN;
  private tsLast = 0;

  tsOffset(localAddr: number, remoteAddr: number): number {
    if (localAddr !== this.tsLocal || remoteAddr !== this.tsRemote) {
      this.tsLast = siphashWords(this.tsKey, localAddr, remoteAddr, 0x7323, 0);
      this.tsLocal = localAddr;
      this.tsRemote = remoteAddr;
    }
    return this.tsLast;
  }
}
