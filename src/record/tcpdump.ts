import { formatIpv4 } from '../wire/ipv4-addr.js';
import { IPPROTO_TCP, Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { describePacket, describeTcpOptions } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TCP_ACK, TCP_SYN, TcpSegment, formatTcpFlags } from '../wire/tcp-segment.js';

/**
 * tcpdump's one line per packet, with its default relative sequence numbers: the SYN shows the
 * absolute initial sequence number, every later segment of the connection counts from it.
 * Other packets are described as describePacket does.
 */
export class TcpdumpFormatter {
  private readonly isn = new Map<string, number>();
  private readonly ip = new Ipv4Header();
  private readonly seg = new TcpSegment();

  format(packet: Uint8Array): string {
    const ip = this.ip;
    const s = this.seg;
    if (
      !parseIpv4Header(packet, ip, false).ok ||
      ip.protocol !== IPPROTO_TCP ||
      ip.mf ||
      ip.fragmentOffset > 0 ||
      !parseTcp(ipv4Payload(packet, ip), ip.src, ip.dst, s, false).ok
    )
      return describePacket(packet);
    const me = `${ip.src}:${s.srcPort}>${ip.dst}:${s.dstPort}`;
    const peer = `${ip.dst}:${s.dstPort}>${ip.src}:${s.srcPort}`;
    if (s.flags & TCP_SYN) this.isn.set(me, s.seq);
    const mine = this.isn.get(me);
    const theirs = this.isn.get(peer);
    const absolute = s.flags & TCP_SYN || mine === undefined;
    const seq = absolute ? s.seq : (s.seq - mine) >>> 0;
    const len = s.payload.length;
    let line = `IP ${formatIpv4(ip.src)}.${s.srcPort} > ${formatIpv4(ip.dst)}.${s.dstPort}: Flags [${formatTcpFlags(s.flags)}]`;
    line += len > 0 ? `, seq ${seq}:${seq + len}` : `, seq ${seq}`;
    if (s.flags & TCP_ACK)
      line += `, ack ${theirs === undefined || absolute ? s.ack : (s.ack - theirs) >>> 0}`;
    line += `, win ${s.window}`;
    // SACK blocks count in the peer's sequence space, relative as tcpdump prints them.
    if (!absolute && theirs !== undefined)
      for (let i = 0; i < 2 * s.sackCount; i++) s.sackBlocks[i] = ((s.sackBlocks[i] ?? 0) - theirs) >>> 0;
    const opts = describeTcpOptions(s);
    if (opts) line += `, options [${opts}]`;
    return `${line}, length ${len}`;
  }
}
