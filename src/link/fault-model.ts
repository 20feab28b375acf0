/**
 * What one direction of a simulated link does to packets: the impairments a test or scenario
 * asks for. Every random choice draws from the direction's own seeded stream.
 */
export interface LinkImpairments {
  /** One-way propagation delay, µs. */
  delayUs: number;
  /** Uniform extra delay in [0, jitterUs]; never reorders by itself. */
  jitterUs: number;
  /** Serialisation rate in bits per second; 0 means infinitely fast. */
  bandwidthBps: number;
  /** Drop-tail queue limit in packets waiting to be serialised; 0 means unlimited. */
  queueLimitPackets: number;
  /** Drop-tail queue limit in bytes; 0 means unlimited. */
  queueLimitBytes: number;
  /** Independent loss probability, 0..1. */
  loss: number;
  /** Gilbert–Elliott burst loss (a two-state Markov chain), or null. */
  burstLoss: GilbertElliott | null;
  /** Probability that a packet is held back by `reorderDelayUs` so that later ones overtake it. */
  reorder: number;
  reorderDelayUs: number;
  /** Probability that a packet is delivered twice. */
  duplicate: number;
  /** Probability that 1 to 3 bits within one 15-bit burst are flipped (the checksums always catch it). */
  corrupt: number;
  /** Largest packet carried; bigger ones are dropped (hosts fragment or do PMTU discovery). */
  mtu: number;
}

export interface GilbertElliott {
  pGoodToBad: number;
  pBadToGood: number;
  lossInBad: number;
  lossInGood: number;
}

export const PERFECT_LINK: Readonly<LinkImpairments> = Object.freeze({
  delayUs: 0,
  jitterUs: 0,
  bandwidthBps: 0,
  queueLimitPackets: 0,
  queueLimitBytes: 0,
  loss: 0,
  burstLoss: null,
  reorder: 0,
  reorderDelayUs: 1000,
  duplicate: 0,
  corrupt: 0,
  mtu: 1500,
});

export function impairments(...parts: (Partial<LinkImpairments> | undefined)[]): LinkImpairments {
  const out: LinkImpairments = { ...PERFECT_LINK };
  for (const p of parts) if (p) Object.assign(out, p);
  for (const k of ['loss', 'reorder', 'duplicate', 'corrupt'] as const) {
    const v = out[k];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`link ${k} must be a probability in [0, 1], got ${v}`);
  }
  if (!(out.mtu >= 68)) throw new RangeError(`link mtu must be at least 68 (RFC 791), got ${out.mtu}`);
  return out;
}

export type DropCause = 'loss' | 'queue' | 'mtu' | 'down' | 'scripted';

export interface CorruptionRecord {
  /** 1-based index of the packet in this direction. */
  index: number;
  timeUs: number;
  /** The corrupted bytes as delivered. */
  bytes: Uint8Array;
}

export class DirectionStats {
  sent = 0;
  delivered = 0;
  deliveredBytes = 0;
  duplicated = 0;
  reordered = 0;
  corrupted = 0;
  readonly dropped: Record<DropCause, number> = { loss: 0, queue: 0, mtu: 0, down: 0, scripted: 0 };
  readonly corruptions: CorruptionRecord[] = [];

  get totalDropped(): number {
    const d = this.dropped;
    return d.loss + d.queue + d.mtu + d.down + d.scripted;
  }
}
