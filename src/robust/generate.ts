import type { Rng } from '../sim/rng.js';
import { seqAdd } from '../tcp/seq.js';
import { onesSum, pseudoHeaderSum } from '../wire/checksum.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED, IcmpMessage } from '../wire/icmp.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../wire/ipv4-header.js';
import { buildIcmpPacket, buildTcpPacket } from '../wire/packet.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import { TARGET, type FuzzWorld, type Slot } from './world.js';

/** How a fuzzed packet was made (for the report and a failure's description). */
export type PacketKind = 'aimed' | 'mutated' | 'replayed' | 'random' | 'fragments' | 'icmp';

/** Recompute the IPv4 header checksum and, if the payload is TCP/UDP/ICMP and fits, its checksum. */
export function fixChecksums(p: Uint8Array): void {
  if (p.length < 20) return;
  const ihl = ((p[0] as number) & 15) * 4;
  if (ihl < 20 || ihl > p.length) return;
  p[10] = p[11] = 0;
  const ck = ~onesSum(p, 0, ihl) & 0xffff;
  p[10] = ck >> 8;
  p[11] = ck & 255;
  const total = ((p[2] as number) << 8) | (p[3] as number);
  const end = Math.min(total, p.length);
  const frag = (((p[6] as number) << 8) | (p[7] as number)) & 0x3fff;
  if (frag !== 0 || end <= ihl) return;
  const proto = p[9] as number;
  const src =
    ((p[12] as number) << 24) | ((p[13] as number) << 16) | ((p[14] as number) << 8) | (p[15] as number);
  const dst =
    ((p[16] as number) << 24) | ((p[17] as number) << 16) | ((p[18] as number) << 8) | (p[19] as number);
  const len = end - ihl;
  let at = -1;
  let initial = 0;
  if (proto === IPPROTO_TCP && len >= 18) {
    at = ihl + 16;
    initial = pseudoHeaderSum(src >>> 0, dst >>> 0, IPPROTO_TCP, len);
  } else if (proto === IPPROTO_UDP && len >= 8) {
    at = ihl + 6;
    initial = pseudoHeaderSum(src >>> 0, dst >>> 0, IPPROTO_UDP, len);
  } else if (proto === IPPROTO_ICMP && len >= 4) {
    at = ihl + 2;
  }
  if (at < 0) return;
  p[at] = p[at + 1] = 0;
  const c = ~onesSum(p, ihl, end, initial) & 0xffff;
  p[at] = c >> 8;
  p[at + 1] = c & 255;
}

/** Flags weighted towards the combinations a stack must judge carefully. */
const FLAG_CHOICES = [
  0x10, 0x10, 0x18, 0x11, 0x04, 0x14, 0x02, 0x12, 0x01, 0x00, 0x19, 0x03, 0x06, 0x07, 0x3f, 0xff,
];

/** A number near `base` most of the time (edges of windows), anywhere some of the time. */
function near(rng: Rng, base: number): number {
  const r = rng.next();
  if (r < 0.3) return base;
  if (r < 0.6) return seqAdd(base, rng.int(-70000, 70000));
  if (r < 0.8) return seqAdd(base, rng.int(-3, 3));
  if (r < 0.9) return seqAdd(base, rng.int(-(2 ** 31), 2 ** 31 - 1));
  return rng.nextU32();
}

/** Options, valid and not: timestamps, SACK blocks around the host's data, MSS, scale, junk. */
function options(rng: Rng, seg: TcpSegment, s: Slot): void {
  if (rng.chance(0.8)) {
    seg.hasTimestamp = true;
    seg.tsVal = rng.chance(0.7) ? (1000 + rng.int(0, 5000)) >>> 0 : rng.nextU32();
    seg.tsEcr = rng.chance(0.7) ? s.hostTs : rng.nextU32();
  }
  if (rng.chance(0.3)) {
    const n = rng.int(1, seg.hasTimestamp ? 3 : 4);
    for (let i = 0; i < n; i++) {
      const left = near(rng, s.hostNxt);
      seg.addSack(left, rng.chance(0.8) ? seqAdd(left, rng.int(-100, 4000)) : rng.nextU32());
    }
  }
  if (rng.chance(0.1)) seg.mss = rng.int(0, 65535);
  if (rng.chance(0.1)) seg.wscale = rng.int(0, 255);
  if (rng.chance(0.05)) seg.sackPermitted = true;
  if (rng.chance(0.1)) {
    // Raw junk: any kinds, any lengths (including 0, 1 and overruns).
    const n = rng.int(0, 40);
    const raw = rng.bytes(n);
    if (rng.chance(0.5) && n > 1) raw[1] = rng.int(0, 3);
    seg.rawOptions = raw.subarray(0, n & ~3);
  }
}

/** A well-formed segment aimed at one of the host's connections (or its listener). */
export function aimedSegment(rng: Rng, w: FuzzWorld): Uint8Array {
  const s = w.slots[rng.int(0, w.slots.length - 1)] as Slot;
  const seg = new TcpSegment();
  seg.srcPort = rng.chance(0.9) ? s.peerPort : rng.int(0, 65535);
  seg.dstPort = rng.chance(0.95) ? s.localPort : rng.int(0, 65535);
  seg.seq = near(rng, s.peerNxt);
  seg.ack = near(rng, s.hostNxt);
  seg.flags = rng.chance(0.85)
    ? (FLAG_CHOICES[rng.int(0, FLAG_CHOICES.length - 1)] as number)
    : rng.int(0, 255);
  seg.window = rng.chance(0.8) ? rng.int(0, 65535) : 0;
  seg.urgentPointer = rng.chance(0.1) ? rng.int(0, 65535) : 0;
  options(rng, seg, s);
  const r = rng.next();
  const len = r < 0.5 ? 0 : r < 0.8 ? rng.int(1, 100) : rng.int(100, 1400);
  if (len > 0) seg.payload = rng.bytes(len);
  const src = rng.chance(0.95) ? s.peerAddr : rng.nextU32();
  return buildTcpPacket(src, TARGET, seg, {
    id: rng.int(0, 65535),
    ttl: rng.int(1, 255),
    df: rng.chance(0.5),
  });
}

/** A captured packet with some of its bits, bytes, lengths or options changed. */
export function mutate(rng: Rng, original: Uint8Array): Uint8Array {
  let p: Uint8Array = original.slice();
  const n = rng.int(1, 4);
  for (let k = 0; k < n; k++) {
    const m = rng.int(0, 9);
    if (p.length === 0) p = rng.bytes(rng.int(1, 60));
    const i = rng.int(0, p.length - 1);
    switch (m) {
      case 0: // one bit
        p[i] = (p[i] as number) ^ (1 << rng.int(0, 7));
        break;
      case 1: // one byte
        p[i] = rng.int(0, 255);
        break;
      case 2: // truncate
        p = p.slice(0, rng.int(0, p.length));
        break;
      case 3: {
        // extend with junk
        const q = new Uint8Array(p.length + rng.int(1, 64));
        q.set(p);
        q.set(rng.bytes(q.length - p.length), p.length);
        p = q;
        break;
      }
      case 4: // IP total length
        if (p.length >= 4) {
          const v = rng.chance(0.5) ? rng.int(0, 65535) : p.length + rng.int(-8, 8);
          p[2] = (v >> 8) & 255;
          p[3] = v & 255;
        }
        break;
      case 5: // IHL or TCP data offset
        if (rng.chance(0.5)) p[0] = (p[0] as number & 0xf0) | rng.int(0, 15);
        else if (p.length > 32) p[32] = (rng.int(0, 15) << 4) | ((p[32] as number) & 15);
        break;
      case 6: // mangle the option bytes
        for (let j = 40; j < Math.min(p.length, 60); j++) if (rng.chance(0.3)) p[j] = rng.int(0, 255);
        break;
      case 7: // sequence or acknowledgment number
        if (p.length >= 32) {
          const at = rng.chance(0.5) ? 24 : 28;
          const d = rng.int(-65536, 65536);
          const v =
            (((p[at] as number) << 24) |
              ((p[at + 1] as number) << 16) |
              ((p[at + 2] as number) << 8) |
              (p[at + 3] as number)) +
            d;
          p[at] = (v >>> 24) & 255;
          p[at + 1] = (v >>> 16) & 255;
          p[at + 2] = (v >>> 8) & 255;
          p[at + 3] = v & 255;
        }
        break;
      case 8: // flags
        if (p.length > 33) p[33] = rng.int(0, 255);
        break;
      default: // fragment fields
        if (p.length > 7) {
          p[6] = rng.int(0, 255);
          p[7] = rng.int(0, 255);
        }
    }
  }
  // Most mutants get correct checksums, or nearly all would stop at the first check.
  if (rng.chance(0.8)) fixChecksums(p);
  return p;
}

/** Random bytes, sometimes behind a plausible IPv4 header addressed to the host. */
export function randomPacket(rng: Rng): Uint8Array {
  const p = rng.bytes(rng.int(0, 120));
  if (p.length >= 20 && rng.chance(0.7)) {
    p[0] = 0x45;
    p[2] = p.length >> 8;
    p[3] = p.length & 255;
    p[6] = rng.chance(0.8) ? 0x40 : (p[6] as number);
    p[9] = [IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP][rng.int(0, 2)] as number;
    p[16] = 10;
    p[17] = 0;
    p[18] = 0;
    p[19] = 1;
    fixChecksums(p);
  }
  return p;
}

/** An aimed segment cut into IP fragments, some shuffled, overlapping, lost or duplicated. */
export function fragments(rng: Rng, w: FuzzWorld): Uint8Array[] {
  const whole = aimedSegment(rng, w);
  whole[6] = 0;
  whole[7] = 0;
  fixChecksums(whole);
  const payload = whole.subarray(20);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < payload.length) {
    const len = Math.min(payload.length - off, rng.chance(0.1) ? rng.int(0, 64) : 8 * rng.int(1, 40));
    const last = off + len >= payload.length;
    const f = new Uint8Array(20 + len);
    f.set(whole.subarray(0, 20));
    f.set(payload.subarray(off, off + len), 20);
    f[2] = (20 + len) >> 8;
    f[3] = (20 + len) & 255;
    const o = (rng.chance(0.05) ? rng.int(0, 8191) : off >> 3) | (last && rng.chance(0.9) ? 0 : 0x2000);
    f[6] = o >> 8;
    f[7] = o & 255;
    fixChecksums(f);
    if (!rng.chance(0.05)) out.push(f);
    if (rng.chance(0.05)) out.push(f.slice());
    off += Math.max(8, len & ~7);
  }
  for (let i = out.length - 1; i > 0 && rng.chance(0.5); i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as Uint8Array, out[i] as Uint8Array];
  }
  return out;
}

/** An ICMP error quoting (maybe) one of the host's connections: unreachable, frag-needed, TTL. */
export function icmpError(rng: Rng, w: FuzzWorld): Uint8Array {
  const s = w.slots[rng.int(0, w.slots.length - 1)] as Slot;
  const quoted = new TcpSegment();
  quoted.srcPort = s.localPort;
  quoted.dstPort = s.peerPort;
  quoted.seq = near(rng, s.hostNxt);
  const inner = buildTcpPacket(TARGET, s.peerAddr, quoted);
  const m = new IcmpMessage();
  const r = rng.next();
  m.type = r < 0.5 ? ICMP_DEST_UNREACH : r < 0.8 ? ICMP_TIME_EXCEEDED : rng.int(0, 255);
  m.code = m.type === ICMP_DEST_UNREACH && rng.chance(0.5) ? ICMP_FRAG_NEEDED : rng.int(0, 15);
  m.mtu = rng.chance(0.5) ? rng.int(0, 1500) : rng.int(0, 65535);
  m.data = inner.subarray(0, rng.chance(0.8) ? 28 : rng.int(0, inner.length));
  return buildIcmpPacket(rng.chance(0.8) ? s.peerAddr : rng.nextU32(), TARGET, m);
}
