import { seqAdd, seqGe, seqGt, seqLe, seqSub } from './seq.js';

/** The peer holds this segment out of order (RFC 2018). */
export const SACKED = 1;
/** Judged lost (RACK, duplicate ACKs, or an RTO), waiting to be or being resent. */
export const LOST = 2;
/** A retransmission of this segment is in flight. */
export const RETRANS = 4;
/** Resent at least once: its RTT samples are ambiguous (Karn). */
export const EVER_RETRANS = 8;
/** The segment carries our FIN, which takes one sequence number after its data. */
export const FIN = 16;
/** The segment ends an application write: it was sent with PSH (a retransmission repeats it). */
export const PSH = 32;
/** The segment was the last of a send unit (one Linux skb as transmitted, see tso.ts). */
export const UNIT_END = 64;

/**
 * The sender's record of every segment between SND.UNA and SND.NXT (RFC 6675 §3's scoreboard,
 * Linux's retransmission queue): where it starts, how long it is, when it last left, and what is
 * known of its fate. Segments are kept in sequence order in a ring of typed arrays, so the
 * steady state allocates nothing; the counts match Linux's packets_out, sacked_out, lost_out and
 * retrans_out, from which the packets in flight follow (RFC 6675's "pipe").
 */
/** The storage of a scoreboard that has never held a segment: shared, and never written. */
const NO_SEQS = new Uint32Array(0);
const NO_TIMES = new Float64Array(0);
const NO_FLAGS = new Uint8Array(0);
/** The first storage a scoreboard takes, in segments (a power of two: slots are masked). */
const FIRST_CAP = 16;

/**
 * Storage of scoreboards that were done with (their connection closed or reached TIME-WAIT with
 * nothing outstanding), for the next connection's first segment: a connection's first grow made
 * four typed arrays, most of them off the V8 heap, and a TIME-WAIT connection kept them for
 * 60 s. Bounded so that a burst of closes keeps no more than this.
 */
const POOL_MAX = 1024;
const poolSeqs: (typeof NO_SEQS)[] = [];
const poolLens: (typeof NO_SEQS)[] = [];
const poolTimes: (typeof NO_TIMES)[] = [];
const poolFlags: (typeof NO_FLAGS)[] = [];

export class Scoreboard {
  // Allocated at the first segment, not with the connection: a listener's child or an idle
  // connection that has sent nothing holds no storage.
  private seqs = NO_SEQS;
  private lens = NO_SEQS;
  private times = NO_TIMES;
  private flagBits = NO_FLAGS;
  private head = 0;
  private n = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;
  /** The highest sequence number the peer has SACKed (RACK's fack); valid when sackedOut > 0. */
  highestSacked = 0;
  private lastStamp = -1;

  /**
   * Send times strictly increase, as Linux's nanosecond skb stamps do: segments sent in the same
   * microsecond are a nanosecond apart, so RACK can tell which left first.
   */
  private stamp(now: number): number {
    this.lastStamp = now > this.lastStamp ? now : this.lastStamp + 0.001;
    return this.lastStamp;
  }

  /** Segments sent and not cumulatively acknowledged. */
  get packetsOut(): number {
    return this.n;
  }

  private slot(k: number): number {
    return (this.head + k) & (this.seqs.length - 1);
  }

  seq(k: number): number {
    return this.seqs[this.slot(k)] as number;
  }

  len(k: number): number {
    return this.lens[this.slot(k)] as number;
  }

  /** The sequence number after the segment (its data and FIN). */
  end(k: number): number {
    const s = this.slot(k);
    return seqAdd(
      this.seqs[s] as number,
      (this.lens[s] as number) + ((this.flagBits[s] as number) & FIN ? 1 : 0),
    );
  }

  time(k: number): number {
    return this.times[this.slot(k)] as number;
  }

  flags(k: number): number {
    return this.flagBits[this.slot(k)] as number;
  }

  /** Record a segment sent for the first time. */
  push(seq: number, len: number, fin: boolean, now: number, psh = false, unitEnd = false): void {
    if (this.n === this.seqs.length) this.grow();
    const s = this.slot(this.n);
    this.seqs[s] = seq >>> 0;
    this.lens[s] = len;
    this.times[s] = this.stamp(now);
    this.flagBits[s] = (fin ? FIN : 0) | (psh ? PSH : 0) | (unitEnd ? UNIT_END : 0);
    this.n++;
  }

  /** Index of the first segment whose end is after `seq` (binary search; segments are in order). */
  find(seq: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLe(this.end(mid), seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop the segments `ack` covers; a segment it covers in part is trimmed. */
  ackTo(ack: number): void {
    while (this.n > 0 && seqGe(ack, this.end(0))) this.shift();
    if (this.n > 0 && seqGt(ack, this.seq(0))) {
      const s = this.slot(0);
      const cut = seqSub(ack, this.seqs[s] as number);
      this.seqs[s] = ack >>> 0;
      this.lens[s] = Math.max(0, (this.lens[s] as number) - cut);
    }
    if (this.sackedOut === 0) this.highestSacked = ack;
  }

  private shift(): void {
    const f = this.flagBits[this.head] as number;
    this.unflag(f);
    this.head = (this.head + 1) & (this.seqs.length - 1);
    this.n--;
  }

  private unflag(f: number): void {
    if (f & SACKED) this.sackedOut--;
    if (f & LOST) this.lostOut--;
    if (f & RETRANS) this.retransOut--;
  }

  markSacked(k: number): void {
    const s = this.slot(k);
    const f = this.flagBits[s] as number;
    if (f & SACKED) return;
    if (f & LOST) this.lostOut--;
    if (f & RETRANS) this.retransOut--;
    this.flagBits[s] = (f & ~(LOST | RETRANS)) | SACKED;
    this.sackedOut++;
    const e = this.end(k);
    if (this.sackedOut === 1 || seqGt(e, this.highestSacked)) this.highestSacked = e;
  }

  /** Judge a segment lost; a retransmission of it still in flight is then lost too. */
  markLost(k: number): boolean {
    const s = this.slot(k);
    const f = this.flagBits[s] as number;
    if (f & SACKED) return false;
    if (f & LOST && !(f & RETRANS)) return false;
    if (f & RETRANS) this.retransOut--;
    if (!(f & LOST)) this.lostOut++;
    this.flagBits[s] = (f & ~RETRANS) | LOST;
    return true;
  }

  /** An undo: the segment was not lost after all (a retransmission of it may still be in flight). */
  unmarkLost(k: number): void {
    const s = this.slot(k);
    const f = this.flagBits[s] as number;
    if (!(f & LOST)) return;
    this.lostOut--;
    this.flagBits[s] = f & ~LOST;
  }

  /** The segment was resent now. */
  markRetransmitted(k: number, now: number): void {
    const s = this.slot(k);
    const f = this.flagBits[s] as number;
    if (!(f & RETRANS)) this.retransOut++;
    this.flagBits[s] = f | RETRANS | EVER_RETRANS;
    this.times[s] = this.stamp(now);
  }

  /** Forget all SACK information (the peer reneged, or an RTO, RFC 2018 §8). */
  clearSacks(): void {
    for (let k = 0; k < this.n; k++) {
      const s = this.slot(k);
      this.flagBits[s] = (this.flagBits[s] as number) & ~SACKED;
    }
    this.sackedOut = 0;
  }

  /** Cut segment k in two at `firstLen` bytes (the path MTU fell; resend in smaller pieces). */
  split(k: number, firstLen: number): void {
    if (firstLen <= 0 || firstLen >= this.len(k)) return;
    if (this.n === this.seqs.length) this.grow();
    for (let j = this.n; j > k + 1; j--) this.copy(this.slot(j - 1), this.slot(j));
    const a = this.slot(k);
    const b = this.slot(k + 1);
    this.seqs[b] = seqAdd(this.seqs[a] as number, firstLen);
    this.lens[b] = (this.lens[a] as number) - firstLen;
    this.times[b] = this.times[a] as number;
    const f = this.flagBits[a] as number;
    this.flagBits[b] = f;
    this.lens[a] = firstLen;
    this.flagBits[a] = f & ~(FIN | PSH | UNIT_END);
    if (f & LOST) this.lostOut++;
    if (f & RETRANS) this.retransOut++;
    if (f & SACKED) this.sackedOut++;
    this.n++;
  }

  private copy(from: number, to: number): void {
    this.seqs[to] = this.seqs[from] as number;
    this.lens[to] = this.lens[from] as number;
    this.times[to] = this.times[from] as number;
    this.flagBits[to] = this.flagBits[from] as number;
  }

  /**
   * Give the storage back for another connection's scoreboard: only when nothing is recorded,
   * so what is readable (counts, packetsOut) stays the same; a later segment takes storage again.
   */
  release(): void {
    if (this.n !== 0 || this.seqs.length !== FIRST_CAP) return;
    if (poolSeqs.length < POOL_MAX) {
      poolSeqs.push(this.seqs);
      poolLens.push(this.lens);
      poolTimes.push(this.times);
      poolFlags.push(this.flagBits);
    }
    this.seqs = NO_SEQS;
    this.lens = NO_SEQS;
    this.times = NO_TIMES;
    this.flagBits = NO_FLAGS;
    this.head = 0;
  }

  private grow(): void {
    if (this.seqs.length === 0 && poolSeqs.length > 0) {
      // Never holding a segment, it copies nothing; stale contents are past n and never read.
      this.seqs = poolSeqs.pop() as typeof NO_SEQS;
      this.lens = poolLens.pop() as typeof NO_SEQS;
      this.times = poolTimes.pop() as typeof NO_TIMES;
      this.flagBits = poolFlags.pop() as typeof NO_FLAGS;
      this.head = 0;
      return;
    }
    const cap = Math.max(FIRST_CAP, this.seqs.length * 2);
    const seqs = new Uint32Array(cap);
    const lens = new Uint32Array(cap);
    const times = new Float64Array(cap);
    const flags = new Uint8Array(cap);
    for (let k = 0; k < this.n; k++) {
      const s = this.slot(k);
      seqs[k] = this.seqs[s] as number;
      lens[k] = this.lens[s] as number;
      times[k] = this.times[s] as number;
      flags[k] = this.flagBits[s] as number;
    }
    this.seqs = seqs;
    this.lens = lens;
    this.times = times;
    this.flagBits = flags;
    this.head = 0;
  }
}
