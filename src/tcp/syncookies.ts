import type { FourTuple } from './env.js';
import { siphashWords, sipKey, type SipKey } from './siphash.js';

/**
 * SYN cookies (the seed's 1.5.3 "Syn Cookie"; Linux's syncookies.c): when the SYN queue is full
 * (tcp_syncookies=1) or always (=2), the listener keeps no state for a SYN. The SYN-ACK's ISN
 * itself encodes what the handshake needs: a keyed hash of the 4-tuple, a coarse time counter
 * (minutes, so stale cookies expire), and an index into a small MSS table. Options that do not fit
 * (window scale, SACK-permitted, ECN) ride in the low bits of the timestamp, as Linux does.
 */
export const COOKIE_MSS_TABLE = [536, 1300, 1440, 1460] as const;
const COOKIE_BITS = 24;
const COOKIE_MASK = (1 << COOKIE_BITS) - 1;
/** Cookies older than this many minutes are refused (Linux's MAX_SYNCOOKIE_AGE). */
const MAX_AGE = 2;
/** Low bits of TSval used for options (Linux's TS_OPT_*). */
export const TS_OPT_BITS = 6;
const TS_OPT_WSCALE_MASK = 0xf;
const TS_OPT_SACK = 1 << 4;
const TS_OPT_ECN = 1 << 5;

export interface CookieOptions {
  mss: number;
  wscale: number; // -1 when the peer sent none
  sackOk: boolean;
  ecn: boolean;
}

export class SynCookies {
  private readonly k1: SipKey;
  private readonly k2: SipKey;

  constructor(secret: Uint8Array) {
    this.k1 = sipKey(secret.subarray(0, 16));
    this.k2 = sipKey(secret.subarray(16, 32));
  }

  private counter(nowUs: number): number {
    return Math.floor(nowUs / 60e6);
  }

  private h1(t: FourTuple): number {
    return siphashWords(this.k1, t.localAddr, t.remoteAddr, (t.localPort << 16) | t.remotePort, 1);
  }

  private h2(t: FourTuple, count: number): number {
    return siphashWords(this.k2, t.localAddr, t.remoteAddr, (t.localPort << 16) | t.remotePort, count);
  }

  /** The largest table MSS not above the peer's. */
  static mssIndex(peerMss: number): number {
    let i = COOKIE_MSS_TABLE.length - 1;
    while (i > 0 && (COOKIE_MSS_TABLE[i] as number) > peerMss) i--;
    return i;
  }

  /** The ISN of a cookie SYN-ACK answering a SYN with sequence number `irs`. */
  make(t: FourTuple, irs: number, mssIndex: number, nowUs: number): number {
    const count = this.counter(nowUs);
    return (
      (this.h1(t) + irs + ((count << COOKIE_BITS) >>> 0) + ((this.h2(t, count) + mssIndex) & COOKIE_MASK)) >>>
      0
    );
  }

  /** Check the cookie an ACK returns (its ack - 1, for a SYN with `irs`); the MSS index or -1. */
  check(t: FourTuple, irs: number, cookie: number, nowUs: number): number {
    const count = this.counter(nowUs);
    const c = (cookie - this.h1(t) - irs) >>> 0;
    const diff = (count - (c >>> COOKIE_BITS)) & 0xff;
    if (diff >= MAX_AGE) return -1;
    const idx = (c - this.h2(t, count - diff)) & COOKIE_MASK;
    return idx < COOKIE_MSS_TABLE.length ? idx : -1;
  }

  /** TSval for a cookie SYN-ACK: the clock with its low bits replaced by the options. */
  static encodeTs(tsNow: number, o: CookieOptions): number {
    let bits = o.wscale >= 0 ? o.wscale & TS_OPT_WSCALE_MASK : TS_OPT_WSCALE_MASK;
    if (o.sackOk) bits |= TS_OPT_SACK;
    if (o.ecn) bits |= TS_OPT_ECN;
    return ((tsNow & ~((1 << TS_OPT_BITS) - 1)) | bits) >>> 0;
  }

  static decodeTs(tsEcr: number): { wscale: number; sackOk: boolean; ecn: boolean } {
    const ws = tsEcr & TS_OPT_WSCALE_MASK;
    return {
      wscale: ws === TS_OPT_WSCALE_MASK ? -1 : ws,
      sackOk: (tsEcr & TS_OPT_SACK) !== 0,
      ecn: (tsEcr & TS_OPT_ECN) !== 0,
    };
  }
}
