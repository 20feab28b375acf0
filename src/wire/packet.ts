import { formatIpv4 } from './ipv4-addr.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4Header } from './ipv4-header.js';
import { ipv4Payload, parseIpv4Header, writeIpv4Header } from './ipv4.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_TIME_EXCEEDED,
  IcmpMessage,
  icmpLength,
  parseIcmp,
  writeIcmp,
} from './icmp.js';
import { parseTcp, tcpOptionsLength, writeTcp } from './tcp.js';
import { TCP_ACK, TcpSegment, formatTcpFlags } from './tcp-segment.js';
import { UdpDatagram, parseUdp, writeUdp } from './udp.js';

export interface IpOptions {
  ttl?: number;
  id?: number;
  df?: boolean;
  tos?: number;
}

function ipHeader(src: number, dst: number, protocol: number, o: IpOptions | undefined): Ipv4Header {
  const h = new Ipv4Header();
  h.src = src;
  h.dst = dst;
  h.protocol = protocol;
  h.ttl = o?.ttl ?? 64;
  h.id = o?.id ?? 0;
  h.df = o?.df ?? true;
  h.tos = o?.tos ?? 0;
  return h;
}

/** A complete IPv4+TCP packet with correct checksums. */
export function buildTcpPacket(src: number, dst: number, seg: TcpSegment, opts?: IpOptions): Uint8Array {
  const len = 20 + tcpOptionsLength(seg) + seg.payload.length;
  const buf = new Uint8Array(20 + len);
  writeIpv4Header(buf, 0, ipHeader(src, dst, IPPROTO_TCP, opts), len);
  writeTcp(buf, 20, seg, src, dst);
  return buf;
}

export function buildIcmpPacket(src: number, dst: number, msg: IcmpMessage, opts?: IpOptions): Uint8Array {
  const len = icmpLength(msg);
  const buf = new Uint8Array(20 + len);
  writeIpv4Header(buf, 0, ipHeader(src, dst, IPPROTO_ICMP, { df: false, ...opts }), len);
  writeIcmp(buf, 20, msg);
  return buf;
}

export function buildUdpPacket(src: number, dst: number, d: UdpDatagram, opts?: IpOptions): Uint8Array {
  const len = 8 + d.payload.length;
  const buf = new Uint8Array(20 + len);
  writeIpv4Header(buf, 0, ipHeader(src, dst, IPPROTO_UDP, { df: false, ...opts }), len);
  writeUdp(buf, 20, d, src, dst);
  return buf;
}

/** tcpdump's option list: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". */
export function describeTcpOptions(seg: TcpSegment): string {
  const parts: string[] = [];
  if (seg.mss >= 0) parts.push(`mss ${seg.mss}`);
  if (seg.sackPermitted) parts.push('sackOK');
  if (seg.hasTimestamp) parts.push(`TS val ${seg.tsVal} ecr ${seg.tsEcr}`);
  if (seg.wscale >= 0) parts.push(`nop,wscale ${seg.wscale}`);
  if (seg.sackCount > 0) {
    const blocks: string[] = [];
    for (let i = 0; i < seg.sackCount; i++)
      blocks.push(`{${seg.sackBlocks[2 * i]}:${seg.sackBlocks[2 * i + 1]}}`);
    parts.push(`sack ${seg.sackCount} ${blocks.join('')}`);
  }
  return parts.join(',');
}

/** One line about a TCP segment, in tcpdump's words (absolute sequence numbers). */
export function describeTcp(src: number, dst: number, seg: TcpSegment): string {
  const len = seg.payload.length;
  let s = `IP ${formatIpv4(src)}.${seg.srcPort} > ${formatIpv4(dst)}.${seg.dstPort}: Flags [${formatTcpFlags(seg.flags)}]`;
  s += len > 0 ? `, seq ${seg.seq}:${(seg.seq + len) >>> 0}` : `, seq ${seg.seq}`;
  if (seg.flags & TCP_ACK) s += `, ack ${seg.ack}`;
  s += `, win ${seg.window}`;
  const opts = describeTcpOptions(seg);
  if (opts) s += `, options [${opts}]`;
  return `${s}, length ${len}`;
}

const ICMP_NAMES: Record<number, string> = {
  [ICMP_ECHO_REPLY]: 'echo reply',
  [ICMP_ECHO_REQUEST]: 'echo request',
  [ICMP_DEST_UNREACH]: 'unreachable',
  [ICMP_TIME_EXCEEDED]: 'time exceeded in-transit',
};

/**
 * One tcpdump-like line for a raw IPv4 packet, or the reason it cannot be read. Used by traces
 * and tests; never throws.
 */
export function describePacket(buf: Uint8Array): string {
  const ip = new Ipv4Header();
  const r = parseIpv4Header(buf, ip, false);
  if (!r.ok) return `IP [bad: ${r.reason}] length ${buf.length}`;
  const from = formatIpv4(ip.src);
  const to = formatIpv4(ip.dst);
  if (ip.fragmentOffset > 0 || ip.mf) {
    return `IP ${from} > ${to}: fragment id ${ip.id} offset ${ip.fragmentOffset}${ip.mf ? '+' : ''}, length ${ip.totalLength - ip.headerLength}`;
  }
  const payload = ipv4Payload(buf, ip);
  if (ip.protocol === IPPROTO_TCP) {
    const seg = new TcpSegment();
    const t = parseTcp(payload, ip.src, ip.dst, seg, false);
    return t.ok ? describeTcp(ip.src, ip.dst, seg) : `IP ${from} > ${to}: tcp [bad: ${t.reason}]`;
  }
  if (ip.protocol === IPPROTO_UDP) {
    const d = new UdpDatagram();
    const u = parseUdp(payload, ip.src, ip.dst, d, false);
    return u.ok
      ? `IP ${from}.${d.srcPort} > ${to}.${d.dstPort}: UDP, length ${d.payload.length}`
      : `IP ${from} > ${to}: udp [bad: ${u.reason}]`;
  }
  if (ip.protocol === IPPROTO_ICMP) {
    const m = new IcmpMessage();
    const c = parseIcmp(payload, m, false);
    if (!c.ok) return `IP ${from} > ${to}: icmp [bad: ${c.reason}]`;
    const name = ICMP_NAMES[m.type] ?? `type ${m.type}`;
    if (m.type === ICMP_ECHO_REQUEST || m.type === ICMP_ECHO_REPLY) {
      return `IP ${from} > ${to}: ICMP ${name}, id ${m.id}, seq ${m.seq}, length ${payload.length}`;
    }
    const extra = m.mtu ? `, mtu ${m.mtu}` : '';
    return `IP ${from} > ${to}: ICMP ${name} code ${m.code}${extra}, length ${payload.length}`;
  }
  return `IP ${from} > ${to}: ip-proto-${ip.protocol} ${payload.length}`;
}
