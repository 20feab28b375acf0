import type { Scheduler, Timer } from '../sim/scheduler.js';
import type { IpMib } from './counters.js';

interface Fragment {
  offset: number;
  data: Uint8Array;
}

interface Datagram {
  frags: Fragment[];
  /** Payload length once the last fragment (MF clear) is seen; -1 before. */
  total: number;
  bytes: number;
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
    if (this.memory + data.length > lim.highThresh) {
      this.mib.ReasmFails++;
      return null;
    }
    let d = this.pending.get(key);
    if (!d) {
      d = {
        frags: [],
        total: -1,
        bytes: 0,
        header: null,
        timer: this.scheduler.at(this.scheduler.now() + lim.timeoutUs, () => this.expire(key)),
      };
      this.pending.set(key, d);
    }
    const end = offset + data.length;
    if (!mf) {
      if (d.total >= 0 && d.total !== end) return this.fail(key, d);
      d.total = end;
    }
    if (d.total >= 0 && end > d.total) return this.fail(key, d);
    for (const f of d.frags) {
      if (offset < f.offset + f.data.length && f.offset < end) {
        // An exact duplicate is harmless (a link duplicated it); any other overlap is not.
        if (f.offset === offset && f.data.length === data.length) return null;
        return this.fail(key, d);
      }
    }
    if (offset === 0) d.header = packet.slice(0, headerLength);
    d.frags.push({ offset, data });
    d.bytes += data.length;
    this.memory += data.length;
    if (d.total < 0 || d.bytes !== d.total || !d.header) return null;

    d.timer.cancel();
    this.pending.delete(key);
    this.memory -= d.bytes;
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
    this.memory -= d.bytes;
    this.mib.ReasmFails++;
    return null;
  }

  private expire(key: string): void {
    const d = this.pending.get(key);
    if (!d) return;
    this.pending.delete(key);
    this.memory -= d.bytes;
    this.mib.ReasmTimeout++;
    this.mib.ReasmFails++;
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
