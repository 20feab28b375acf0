import type { Scheduler, Timer } from '../sim/scheduler.js';
import type { DropReason } from '../wire/drop-reason.js';
import type { IpMib } from './counters.js';

/**
 * What each fragment is charged beyond its bytes, standing for Linux's sk_buff truesize: without
 * it a flood of empty fragments would hold unbounded memory while counting as none.
 */
export const FRAG_OVERHEAD = 256;
/** Largest datagram IPv4 can describe (RFC 791 total length); a fragment reaching past it is bogus. */
const MAX_DATAGRAM = 65535;

interface Fragment {
  offset: number;
  data: Uint8Array;
}

interface Datagram {
  frags: Fragment[];
  /** Payload length once the last fragment (MF clear) is seen; -1 before. */
  total: number;
  bytes: number;
  /** Memory charged for it (bytes plus FRAG_OVERHEAD per fragment). */
  charged: number;
  /** The first fragment's IP header, reused for the reassembled datagram. */
  header: Uint8Array | null;
  timer: Timer;
}

/**
 * IPv4 reassembly (RFC 791 §3.2, RFC 815). Memory is bounded by ipfrag_high_thresh: fragments that
 * would exceed it are refused. An incomplete datagram is dropped after ipfrag_time. Overlapping
 * fragments drop the whole datagram, as Linux does since it stopped accepting overlaps (the
 * IPv4 twin of RFC 5722): overlaps are only ever an attack or a broken sender.
 */
export class Reassembler {
  private readonly pending = new Map<string, Datagram>();
  private memory = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly mib: IpMib,
    private readonly limits: () => { timeoutUs: number; highThresh: number },
    /** Every fragment that is refused or thrown away, with the reason (counted by the host). */
    private readonly onDrop: (reason: DropReason, fragments: number) => void = () => undefined,
  ) {}

  get bytesHeld(): number {
    return this.memory;
  }

  get datagramsPending(): number {
    return this.pending.size;
  }

  /**
   * Add one fragment (its full packet, header length, payload offset in bytes, MF flag). Returns
   * the reassembled packet (a fresh buffer with a header whose fragment fields are cleared) when
   * complete, otherwise null.
   */
  add(
    packet: Uint8Array,
    headerLength: number,
    totalLength: number,
    offset: number,
    mf: boolean,
  ): Uint8Array | null {
    this.mib.ReasmReqds++;
    const key = `${readU32(packet, 12)}:${readU32(packet, 16)}:${packet[9]}:${((packet[4] as number) << 8) | (packet[5] as number)}`;
    const data = packet.slice(headerLength, totalLength);
    const lim = this.limits();
    const cost = data.length + FRAG_OVERHEAD;
    // Linux's ipfrag_high_thresh: above it new fragments are refused (since 4.17 nothing is evicted).
    if (this.memory + cost > lim.highThresh || offset + data.length + headerLength > MAX_DATAGRAM) {
      this.mib.ReasmFails++;
      this.onDrop('frag-too-far', 1);
      return null;
    }
    let d = this.pending.get(key);
    if (!d) {
      d = {
        frags: [],
        total: -1,
        bytes: 0,
        charged: 0,
        header: null,
        timer: this.scheduler.at(this.scheduler.now() + lim.timeoutUs, () => this.expire(key)),
      };
      this.pending.set(key, d);
    }
    const end = offset + data.length;
    // Linux's ip_frag_queue: an empty fragment is nonsense and spoils the datagram.
    if (end === offset) return this.fail(key, d);
    if (!mf) {
      if (d.total >= 0 && d.total !== end) return this.fail(key, d);
      // Linux's ip_frag_queue: bits already held beyond the end mean a corrupted datagram.
      for (const f of d.frags) if (f.offset + f.data.length > end) return this.fail(key, d);
      d.total = end;
    }
    if (d.total >= 0 && end > d.total) return this.fail(key, d);
    for (const f of d.frags) {
      if (offset < f.offset + f.data.length && f.offset < end) {
        // An exact duplicate is harmless (a link duplicated it); any other overlap is not.
        if (f.offset === offset && f.data.length === data.length) {
          this.onDrop('fragment', 1);
          return null;
        }
        return this.fail(key, d);
      }
    }
    if (offset === 0) d.header = packet.slice(0, headerLength);
    d.frags.push({ offset, data });
    d.bytes += data.length;
    d.charged += cost;
    this.memory += cost;
    if (d.total < 0 || d.bytes !== d.total || !d.header) return null;

    d.timer.cancel();
    this.pending.delete(key);
    this.memory -= d.charged;
    const hl = d.header.length;
    const out = new Uint8Array(hl + d.total);
    out.set(d.header);
    for (const f of d.frags) out.set(f.data, hl + f.offset);
    const len = out.length;
    out[2] = len >> 8;
    out[3] = len & 255;
    out[6] = (out[6] as number) & 0x40; // keep DF, clear MF and the offset
    out[7] = 0;
    this.mib.ReasmOKs++;
    return out;
  }

  private fail(key: string, d: Datagram): null {
    d.timer.cancel();
    this.pending.delete(key);
    this.memory -= d.charged;
    this.mib.ReasmFails++;
    this.onDrop('fragment', d.frags.length + 1);
    return null;
  }

  private expire(key: string): void {
    const d = this.pending.get(key);
    if (!d) return;
    this.pending.delete(key);
    this.memory -= d.charged;
    this.mib.ReasmTimeout++;
    this.mib.ReasmFails++;
    this.onDrop('frag-reasm-timeout', d.frags.length);
  }
}

function readU32(b: Uint8Array, i: number): number {
  return (
    (((b[i] as number) << 24) |
      ((b[i + 1] as number) << 16) |
      ((b[i + 2] as number) << 8) |
      (b[i + 3] as number)) >>>
    0
  );
}
