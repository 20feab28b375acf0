import { sameEndpoint } from './endpoint.js';
import { hasAck } from './labels.js';
import type { InFlightSample, SegmentRecord } from './model.js';

/**
 * Bytes in flight from the packets alone, as Wireshark's tcp.analysis.bytes_in_flight counts them:
 * the highest sequence number the sender has sent (SND.NXT) less the highest cumulative ACK it has
 * received (SND.UNA), after each send and each ACK's arrival.
 */
export function bytesInFlight(segments: SegmentRecord[], sender: string): InFlightSample[] {
  const sends: SegmentRecord[] = [];
  const acks: { t: number; ack: number }[] = [];
  for (const s of segments) {
    if (sameEndpoint(s.from, sender)) sends.push(s);
    else if (sameEndpoint(s.to, sender) && hasAck(s.flags) && s.arriveUs !== undefined)
      acks.push({ t: s.arriveUs, ack: s.relAck });
  }
  acks.sort((a, b) => a.t - b.t);
  const out: InFlightSample[] = [];
  let nxt = 0;
  let una = 0;
  let i = 0;
  let j = 0;
  while (i < sends.length || j < acks.length) {
    const s = sends[i];
    const a = acks[j];
    if (s && (!a || s.timeUs <= a.t)) {
      const syn = s.flags.includes('S') ? 1 : 0;
      const fin = s.flags.includes('F') ? 1 : 0;
      nxt = Math.max(nxt, s.relSeq + s.len + syn + fin);
      out.push({ timeUs: s.timeUs, bytes: Math.max(0, nxt - una) });
      i++;
    } else if (a) {
      una = Math.max(una, a.ack);
      out.push({ timeUs: a.t, bytes: Math.max(0, nxt - una) });
      j++;
    }
  }
  return out;
}
