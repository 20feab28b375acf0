import type { SegmentRecord } from '../viz/model.js';
import { formatIpv4 } from '../wire/ipv4-addr.js';
import { TCP_FIN, TCP_SYN, formatTcpFlags } from '../wire/tcp-segment.js';
import type { Flow, FlowEnd, WireSegment } from './recorder.js';

/** "client 10.0.0.2:40000": the host's name, then the address as tcpdump prints it. */
export function endpointLabel(e: FlowEnd): string {
  return `${e.host} ${formatIpv4(e.addr)}:${e.port}`;
}

const REASON: Record<string, string> = {
  fast: 'fast retransmit',
  rto: 'after a timeout',
  tlp: 'tail loss probe',
};

interface Direction {
  /** The initial sequence number: the SYN's, or the first seen when the SYN was not captured. */
  isn: number;
  /** Window scale this side announced on its SYN (-1: none). */
  wscale: number;
}

function direction(segs: WireSegment[], forward: boolean): Direction {
  let isn: number | undefined;
  let wscale = -1;
  for (const s of segs) {
    if (s.forward !== forward) continue;
    if (s.flags & TCP_SYN) {
      isn = s.seq;
      wscale = s.wscale;
      break;
    }
    isn ??= s.seq;
  }
  return { isn: isn ?? 0, wscale };
}

/**
 * The flow's segments as the pictures read them: relative sequence numbers as tcpdump and
 * Wireshark print them (the SYN is 0), windows scaled (RFC 7323 §2.3: never on a SYN), a segment
 * marked as a retransmission when it starts below the highest sequence already sent that way,
 * and as lost when it never arrived though later ones from the same side did.
 */
export function segmentRecords(flow: Flow): SegmentRecord[] {
  const segs = flow.segments;
  const dirs = [direction(segs, true), direction(segs, false)];
  const scaling = (dirs[0]?.wscale ?? -1) >= 0 && (dirs[1]?.wscale ?? -1) >= 0;
  const labels = [endpointLabel(flow.first), endpointLabel(flow.second)];
  const highest = [0, 0];
  // The send time of the last segment in each direction that arrived: unmatched ones before it were lost.
  const lastArrivedSend = [-1, -1];
  for (const s of segs) {
    const d = s.forward ? 0 : 1;
    if (s.arriveUs >= 0) lastArrivedSend[d] = Math.max(lastArrivedSend[d] ?? -1, s.timeUs);
  }
  // Why the engine resent a segment, from its trace: the ladder writes it under the arrow.
  const why = new Map<string, string>();
  for (const r of flow.retransmits)
    why.set(`${r.host} ${r.timeUs} ${r.seq >>> 0}`, REASON[r.reason] ?? r.reason);
  const hosts = [flow.first.host, flow.second.host];
  const out: SegmentRecord[] = new Array<SegmentRecord>(segs.length);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as WireSegment;
    const d = s.forward ? 0 : 1;
    const me = dirs[d] as Direction;
    const peer = dirs[1 - d] as Direction;
    const relSeq = (s.seq - me.isn) >>> 0;
    const seqLen = s.len + (s.flags & TCP_SYN ? 1 : 0) + (s.flags & TCP_FIN ? 1 : 0);
    const retransmit = seqLen > 0 && relSeq < (highest[d] ?? 0);
    highest[d] = Math.max(highest[d] ?? 0, relSeq + seqLen);
    const win = scaling && !(s.flags & TCP_SYN) ? s.window * 2 ** Math.min(14, me.wscale) : s.window;
    const r: SegmentRecord = {
      timeUs: s.timeUs,
      from: labels[d] as string,
      to: labels[1 - d] as string,
      flags: formatTcpFlags(s.flags),
      seq: s.seq,
      ack: s.ack,
      len: s.len,
      win,
      relSeq,
      relAck: (s.ack - peer.isn) >>> 0,
    };
    if (s.arriveUs >= 0) r.arriveUs = s.arriveUs;
    else if (s.timeUs < (lastArrivedSend[d] ?? -1)) r.dropped = true;
    if (retransmit) {
      r.retransmit = true;
      const note = why.get(`${hosts[d]} ${s.timeUs} ${s.seq}`);
      if (note) r.note = note;
    }
    if (s.sack) {
      const blocks: [number, number][] = [];
      for (let j = 0; j + 1 < s.sack.length; j += 2)
        blocks.push([((s.sack[j] ?? 0) - peer.isn) >>> 0, ((s.sack[j + 1] ?? 0) - peer.isn) >>> 0]);
      r.sack = blocks;
    }
    out[i] = r;
  }
  return out;
}
