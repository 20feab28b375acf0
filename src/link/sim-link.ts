import type { Rng } from '../sim/rng.js';
import type { Scheduler, Timer } from '../sim/scheduler.js';
import type { Simulator } from '../sim/simulator.js';
import { releasePacket, taintPacket } from '../wire/packet-pool.js';
import type { NetDevice } from './device.js';
import { DirectionStats, impairments, type LinkImpairments } from './fault-model.js';

/** Sees every packet a link delivers (after impairments), with the delivery time. */
export type LinkObserver = (timeUs: number, packet: Uint8Array, direction: 'ab' | 'ba') => void;

/** What a delivered packet's slot in the delivery queue holds until the queue is compacted. */
const DELIVERED = new Uint8Array(0);

/**
 * One direction of a link: a drop-tail queue in front of a serialiser, then a propagation delay.
 * In-order packets wait in a FIFO served by a single pending timer (no closure per packet);
 * reordered and duplicated copies take the general path.
 */
export class LinkDirection {
  readonly stats = new DirectionStats();
  readonly config: LinkImpairments;
  /** The receiving end; set by the link. */
  target: NetDevice | null = null;
  observer: LinkObserver | null = null;
  private down = false;
  private geBad = false;
  private txFreeAt = 0;
  private lastDelivery = 0;
  /**
   * Serialisation end time and size of each queued packet, oldest first, in a ring (txHead,
   * txCount) that grows by doubling: no shift and no allocation per packet.
   */
  private txEnds = new Float64Array(16);
  private txSizes = new Float64Array(16);
  private txHead = 0;
  private txCount = 0;
  private queuedBytes = 0;
  private readonly fifoTimes: number[] = [];
  private readonly fifoPackets: Uint8Array[] = [];
  private fifoHead = 0;
  private timerArmed = false;
  private drainTimer: Timer | null = null;
  private readonly dropNths = new Set<number>();
  private dropPredicate: ((pkt: Uint8Array, index: number) => boolean) | null = null;

  constructor(
    // Any clock serves: virtual time in simulations, wall-clock time in front of a TUN device.
    private readonly sim: Scheduler,
    private readonly rng: Rng,
    config: Partial<LinkImpairments>,
    readonly name: 'ab' | 'ba',
  ) {
    this.config = impairments(config);
  }

  /** Drop the n-th packet (1-based) sent in this direction. */
  dropNth(n: number): void {
    this.dropNths.add(n);
  }

  dropWhen(pred: ((pkt: Uint8Array, index: number) => boolean) | null): void {
    this.dropPredicate = pred;
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Change impairments while running (e.g. a scenario's congestion event). */
  set(p: Partial<LinkImpairments>): void {
    Object.assign(this.config, impairments(this.config, p));
  }

  send(packet: Uint8Array): void {
    const c = this.config;
    const st = this.stats;
    const index = ++st.sent;
    const now = this.sim.now();
    if (this.down) return void st.dropped.down++;
    if (packet.length > c.mtu) return void st.dropped.mtu++;
    if (this.dropPredicate !== null) taintPacket(packet);
    if (this.dropNths.has(index) || this.dropPredicate?.(packet, index)) return void st.dropped.scripted++;
    if (this.lost()) return void st.dropped.loss++;

    // Drop-tail queue in front of the serialiser.
    this.dequeueSent(now);
    if (c.bandwidthBps > 0) {
      if (c.queueLimitPackets > 0 && this.txCount >= c.queueLimitPackets) return void st.dropped.queue++;
      if (c.queueLimitBytes > 0 && this.queuedBytes + packet.length > c.queueLimitBytes) {
        return void st.dropped.queue++;
      }
    }
    const start = Math.max(now, this.txFreeAt);
    const txEnd = c.bandwidthBps > 0 ? start + Math.round((packet.length * 8 * 1e6) / c.bandwidthBps) : start;
    this.txFreeAt = txEnd;
    if (c.bandwidthBps > 0) {
      this.enqueueSent(txEnd, packet.length);
    }

    let pkt = packet;
    if (c.corrupt > 0 && this.rng.chance(c.corrupt)) {
      pkt = Uint8Array.from(packet);
      // 1 to 3 distinct bits within a 15-bit burst: the packet always differs, and the Internet
      // checksum is certain to notice (it detects every burst shorter than 16 bits), so a test
      // that counts corruptions can expect every one caught.
      const bits = pkt.length * 8;
      const start = this.rng.int(0, Math.max(0, bits - 15));
      const span = Math.min(15, bits - start);
      let mask = 0;
      const flips = Math.min(this.rng.int(1, 3), span);
      while (popcount(mask) < flips) mask |= 1 << this.rng.int(0, span - 1);
      for (let i = 0; i < span; i++) {
        if (!(mask & (1 << i))) continue;
        const bit = start + i;
        pkt[bit >> 3] = (pkt[bit >> 3] as number) ^ (0x80 >> (bit & 7));
      }
      st.corrupted++;
      st.corruptions.push({ index, timeUs: now, bytes: pkt });
    }

    let at = txEnd + c.delayUs + (c.jitterUs > 0 ? this.rng.int(0, c.jitterUs) : 0);
    if (c.reorder > 0 && this.rng.chance(c.reorder)) {
      st.reordered++;
      this.deliverLater(at + c.reorderDelayUs, pkt);
    } else {
      at = Math.max(at, this.lastDelivery);
      this.lastDelivery = at;
      this.fifoTimes.push(at);
      this.fifoPackets.push(pkt);
      this.arm();
    }
    if (c.duplicate > 0 && this.rng.chance(c.duplicate)) {
      st.duplicated++;
      // The copy is of the packet as sent: each delivered corruption is counted exactly once.
      this.deliverLater(at + 1, Uint8Array.from(packet));
    }
  }

  /** Forget the packets whose serialisation has ended by `now`. */
  private dequeueSent(now: number): void {
    const ends = this.txEnds;
    const mask = ends.length - 1;
    let h = this.txHead;
    let n = this.txCount;
    while (n > 0 && (ends[h] as number) <= now) {
      this.queuedBytes -= this.txSizes[h] as number;
      h = (h + 1) & mask;
      n--;
    }
    this.txHead = n === 0 ? 0 : h;
    this.txCount = n;
  }

  private enqueueSent(txEnd: number, size: number): void {
    if (this.txCount === this.txEnds.length) {
      // Full: double, unrolling the ring so that it starts at 0.
      const cap = this.txEnds.length;
      const ends = new Float64Array(cap * 2);
      const sizes = new Float64Array(cap * 2);
      for (let i = 0; i < cap; i++) {
        ends[i] = this.txEnds[(this.txHead + i) & (cap - 1)] as number;
        sizes[i] = this.txSizes[(this.txHead + i) & (cap - 1)] as number;
      }
      this.txEnds = ends;
      this.txSizes = sizes;
      this.txHead = 0;
    }
    const i = (this.txHead + this.txCount) & (this.txEnds.length - 1);
    this.txEnds[i] = txEnd;
    this.txSizes[i] = size;
    this.txCount++;
    this.queuedBytes += size;
  }

  private lost(): boolean {
    const c = this.config;
    if (c.burstLoss) {
      const g = c.burstLoss;
      this.geBad = this.geBad ? !this.rng.chance(g.pBadToGood) : this.rng.chance(g.pGoodToBad);
      if (this.rng.chance(this.geBad ? g.lossInBad : g.lossInGood)) return true;
    }
    return c.loss > 0 && this.rng.chance(c.loss);
  }

  private arm(): void {
    if (this.timerArmed || this.fifoHead >= this.fifoTimes.length) return;
    this.timerArmed = true;
    const at = this.fifoTimes[this.fifoHead] as number;
    // The one delivery timer is scheduled again rather than made anew for every packet.
    if (this.drainTimer === null || !this.sim.move?.(this.drainTimer, at)) {
      this.drainTimer = this.sim.at(at, this.drain);
    }
  }

  private readonly drain = (): void => {
    this.timerArmed = false;
    const now = this.sim.now();
    while (this.fifoHead < this.fifoTimes.length && (this.fifoTimes[this.fifoHead] as number) <= now) {
      const pkt = this.fifoPackets[this.fifoHead] as Uint8Array;
      // The queue forgets the packet now, not at its next compaction: a receiver may keep the
      // packet's memory and hand it to a reader (packet-pool.ts claimPacket), who may drop it soon.
      this.fifoPackets[this.fifoHead] = DELIVERED;
      this.fifoHead++;
      this.deliver(pkt);
    }
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifoTimes.length) {
      this.fifoTimes.splice(0, this.fifoHead);
      this.fifoPackets.splice(0, this.fifoHead);
      this.fifoHead = 0;
    }
    this.arm();
  };

  private deliverLater(at: number, pkt: Uint8Array): void {
    this.sim.at(at, () => this.deliver(pkt));
  }

  private deliver(pkt: Uint8Array): void {
    if (this.down) {
      this.stats.dropped.down++;
      return;
    }
    this.stats.delivered++;
    this.stats.deliveredBytes += pkt.length;
    const observer = this.observer;
    if (observer !== null) {
      taintPacket(pkt);
      observer(this.sim.now(), pkt, this.name);
    }
    // The receiver keeps nothing and nobody else saw the packet: its buffer can carry another.
    if (this.target?.onReceive?.(pkt) === true && observer === null && this.dropPredicate === null)
      releasePacket(pkt);
  }
}

class LinkEnd implements NetDevice {
  onReceive: ((packet: Uint8Array) => unknown) | null = null;
  constructor(
    private readonly out: LinkDirection,
    readonly checksumOffload: boolean,
  ) {}

  get mtu(): number {
    return this.out.config.mtu;
  }

  transmit(packet: Uint8Array): void {
    this.out.send(packet);
  }
}

export interface PointToPointOptions {
  /** Impairments of both directions (applied first). */
  both?: Partial<LinkImpairments>;
  /** Impairments of a → b. */
  ab?: Partial<LinkImpairments>;
  /** Impairments of b → a. */
  ba?: Partial<LinkImpairments>;
  name?: string;
  /** Perfect in-memory links may skip checksums, like Linux's loopback. */
  checksumOffload?: boolean;
}

/** A full-duplex point-to-point link; `a` and `b` are the devices to attach to hosts. */
export class PointToPointLink {
  readonly a: NetDevice;
  readonly b: NetDevice;
  readonly ab: LinkDirection;
  readonly ba: LinkDirection;
  readonly name: string;

  constructor(sim: Simulator, opts: PointToPointOptions = {}) {
    this.name = opts.name ?? 'link';
    this.ab = new LinkDirection(sim, sim.rng.fork(`${this.name}/ab`), { ...opts.both, ...opts.ab }, 'ab');
    this.ba = new LinkDirection(sim, sim.rng.fork(`${this.name}/ba`), { ...opts.both, ...opts.ba }, 'ba');
    const offload = opts.checksumOffload ?? false;
    this.a = new LinkEnd(this.ab, offload);
    this.b = new LinkEnd(this.ba, offload);
    this.ab.target = this.b;
    this.ba.target = this.a;
  }

  /** See every packet the link delivers, in both directions, as delivered (after corruption). */
  observe(fn: LinkObserver | null): void {
    this.ab.observer = fn;
    this.ba.observer = fn;
  }

  setDown(down: boolean): void {
    this.ab.setDown(down);
    this.ba.setDown(down);
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
