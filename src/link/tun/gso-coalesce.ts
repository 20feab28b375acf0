/**
 * Generic segmentation offload, the other way round: consecutive TCP segments of one flow, as a
 * host sends them in one burst, are joined into one large segment that a TUN device with
 * IFF_VNET_HDR hands the kernel as a single GSO packet (what a virtual NIC with TSO does). The
 * kernel then takes a burst of 40 segments with one write and one pass through its TCP, which is
 * where nearly all the time of a bulk transfer into the kernel went. Nothing changes on the wire
 * synack's host sees: captures still show every segment as sent.
 */
import { onesSum } from '../../wire/checksum.js';

const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

/** Receives each packet to write: gsoSize 0 for an ordinary packet, else the MSS of a joined one. */
export type GsoSink = (packet: Uint8Array, gsoSize: number, hdrLen: number) => void;

/** IPv4 without options, TCP, not a fragment, ACK (and maybe PSH) only, with data: joinable. */
function joinable(p: Uint8Array): boolean {
  return (
    p.length > 40 &&
    p[0] === 0x45 &&
    p[9] === 6 &&
    ((p[6] as number) & 0x3f) === 0 &&
    p[7] === 0 &&
    ((p[33] as number) & ~TCP_PSH) === TCP_ACK
  );
}

const tcpHdrLen = (p: Uint8Array): number => ((p[32] as number) >> 4) * 4;
const seqOf = (p: Uint8Array): number =>
  (((p[24] as number) << 24) | ((p[25] as number) << 16) | ((p[26] as number) << 8) | (p[27] as number)) >>>
  0;

/** Same flow, same headers apart from what differs per segment (IP id, length, checksums, seq, PSH). */
function sameHeaders(a: Uint8Array, b: Uint8Array, hdrLen: number): boolean {
  for (let i = 0; i < hdrLen; i++) {
    if (i === 2 || i === 3 || i === 4 || i === 5 || i === 10 || i === 11) continue; // IP length, id, checksum
    if (i >= 24 && i <= 27) continue; // TCP seq
    if (i === 36 || i === 37) continue; // TCP checksum
    if (i === 33) {
      if (((a[i] as number) & ~TCP_PSH) !== ((b[i] as number) & ~TCP_PSH)) return false;
      continue;
    }
    if (a[i] !== b[i]) return false;
  }
  return true;
}

function join(run: Uint8Array[], hdrLen: number, payload: number): Uint8Array {
  const first = run[0] as Uint8Array;
  const out = new Uint8Array(hdrLen + payload);
  out.set(first.subarray(0, hdrLen));
  let off = hdrLen;
  for (const p of run) {
    out.set(p.subarray(hdrLen), off);
    off += p.length - hdrLen;
  }
  const last = run[run.length - 1] as Uint8Array;
  out[33] = ((out[33] as number) & ~TCP_PSH) | ((last[33] as number) & TCP_PSH);
  out[2] = out.length >> 8;
  out[3] = out.length & 255;
  out[10] = 0;
  out[11] = 0;
  const ipSum = ~onesSum(out, 0, 20) & 0xffff;
  out[10] = ipSum >> 8;
  out[11] = ipSum & 255;
  // With VIRTIO_NET_HDR_F_NEEDS_CSUM the checksum field holds the pseudo-header sum and whoever
  // segments or delivers the packet completes it (CHECKSUM_PARTIAL).
  const tcpLen = out.length - 20;
  out[36] = 0;
  out[37] = 0;
  let sum = onesSum(out, 12, 20) + 6 + tcpLen;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  out[36] = sum >> 8;
  out[37] = sum & 255;
  return out;
}

/**
 * Hand `packets` (in order) to `sink`, joining runs of full-sized consecutive segments of one
 * flow, up to `maxLen` bytes each, into GSO packets.
 */
export function coalesceTcp(packets: Uint8Array[], maxLen: number, sink: GsoSink): void {
  let i = 0;
  while (i < packets.length) {
    const first = packets[i] as Uint8Array;
    if (!joinable(first) || (first[33] as number) & TCP_PSH) {
      sink(first, 0, 0);
      i++;
      continue;
    }
    const hdrLen = 20 + tcpHdrLen(first);
    const mss = first.length - hdrLen;
    let payload = mss;
    let next = (seqOf(first) + mss) >>> 0;
    let j = i + 1;
    while (j < packets.length) {
      const p = packets[j] as Uint8Array;
      const len = p.length - hdrLen;
      if (!joinable(p) || p.length <= hdrLen || len > mss || seqOf(p) !== next) break;
      if (hdrLen + payload + len > maxLen || !sameHeaders(first, p, hdrLen)) break;
      payload += len;
      next = (next + len) >>> 0;
      j++;
      if (len < mss || (p[33] as number) & TCP_PSH) break; // only the last may be short or pushed
    }
    if (j - i === 1) sink(first, 0, 0);
    else sink(join(packets.slice(i, j), hdrLen, payload), mss, hdrLen);
    i = j;
  }
}
