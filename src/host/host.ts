import type { NetDevice } from '../link/device.js';
import type { Scheduler } from '../sim/scheduler.js';
import { incrementalUpdate, onesSum } from '../wire/checksum.js';
import type { DropReason } from '../wire/drop-reason.js';
import { taintPacket } from '../wire/packet-pool.js';
import { PacketAllocator } from './packet-alloc.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  IcmpMessage,
  icmpLength,
  parseIcmp,
  writeIcmp,
} from '../wire/icmp.js';
import { formatIpv4, ipv4, parseCidr, prefixMask } from '../wire/ipv4-addr.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4Header } from '../wire/ipv4-header.js';
import {
  ipv4Payload,
  parseIpv4Header,
  readIpv4Header,
  readU16,
  readU32,
  writeIpv4Header,
} from '../wire/ipv4.js';
import { parseTcpAt, tcpOptionsLength, writeTcp } from '../wire/tcp.js';
import { TCP_ACK, TCP_RST, TcpSegment } from '../wire/tcp-segment.js';
import { UdpDatagram, parseUdp, writeUdp } from '../wire/udp.js';
import { HostCounters } from './counters.js';
import { IcmpRateLimiter } from './icmp-ratelimit.js';
import { Reassembler } from './reassembly.js';
import { RoutingTable } from './routes.js';
import { defaultHostSettings, setSetting, type HostSettings } from './settings.js';
import { TcpLayer, type TcpIcmpErrorInfo } from './tcp-layer.js';

export class NetInterface {
  constructor(
    readonly name: string,
    readonly device: NetDevice,
    readonly addr: number,
    readonly prefixLen: number,
  ) {}

  get mtu(): number {
    return this.device.mtu;
  }

  get broadcast(): number {
    return (this.addr | ~prefixMask(this.prefixLen)) >>> 0;
  }
}

/** An ICMP error about a TCP segment this host sent (RFC 1122 §4.2.3.9, RFC 1191). */
export type TcpIcmpError = TcpIcmpErrorInfo;

export interface TcpHandler {
  /** A segment for a local address; false means no socket wants it and the host answers RST. */
  input(ip: Ipv4Header, seg: TcpSegment, packet: Uint8Array): boolean;
  icmpError(err: TcpIcmpError): void;
}

export type UdpHandler = (src: number, srcPort: number, dst: number, payload: Uint8Array) => void;

export interface HostOptions {
  name: string;
  scheduler: Scheduler;
  /** Randomness for secrets, ports and IP ids; the simulator passes a seeded source. */
  random32?: () => number;
  settings?: Partial<HostSettings> | Record<string, string | number>;
}

type PingCallback = (r: { ok: true; rttUs: number } | { ok: false; error: string }) => void;

/**
 * A host: interfaces, routes, IPv4 in and out (RFC 791, RFC 1122 §3), forwarding (RFC 1812),
 * fragmentation and reassembly, ICMP (echo, errors, rate limits), UDP, and the hook the TCP layer
 * plugs into. Every drop is counted with a reason; nothing thrown by bad input leaves the host.
 */
export class Host {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly settings: HostSettings;
  readonly counters = new HostCounters();
  readonly interfaces: NetInterface[] = [];
  /** The interfaces' addresses: a router with an interface per neighbour asks for every packet. */
  private readonly localAddrs = new Set<number>();
  readonly routes = new RoutingTable<NetInterface>();
  /** Called for every dropped packet with its reason (costs nothing when null). */
  onDrop: ((reason: DropReason, packet: Uint8Array) => void) | null = null;
  /** Called for every packet received or sent on an interface (costs nothing when null). */
  onPacket: ((dir: 'in' | 'out', iface: NetInterface, packet: Uint8Array) => void) | null = null;

  private readonly rand: () => number;
  private tcpHandler: TcpHandler | null = null;
  /** The handler of the host's own TCP (which keeps no reference to a packet it is given). */
  private readonly builtinTcp: TcpHandler;
  /** The host's TCP: connect(), listen(), the connection table. */
  readonly tcp: TcpLayer;
  private readonly udp = new Map<number, UdpHandler>();
  private readonly pmtu = new Map<number, number>();
  private readonly pings = new Map<number, { sent: number; cb: PingCallback; timer: { cancel(): void } }>();
  private ipId: number;
  private pingId: number;
  private readonly reassembler: Reassembler;
  private readonly icmpLimit: IcmpRateLimiter;
  // Reused parse records: input is synchronous, so one of each serves every packet.
  private readonly rxIp = new Ipv4Header();
  private readonly txIp = new Ipv4Header();
  private readonly packets = new PacketAllocator();
  private readonly rxTcp = new TcpSegment();
  private readonly rxIcmp = new IcmpMessage();
  private readonly rxUdp = new UdpDatagram();
  private readonly rst = new TcpSegment();
  /** The packet being delivered to TCP, for onDrop when the engine drops it. */
  private rxPacket: Uint8Array = new Uint8Array(0);

  constructor(opts: HostOptions) {
    this.name = opts.name;
    this.scheduler = opts.scheduler;
    this.rand = opts.random32 ?? defaultRandom32;
    this.settings = defaultHostSettings();
    for (const [k, v] of Object.entries(opts.settings ?? {})) {
      if (Array.isArray(v)) setSetting(this.settings, k, v.join(' '));
      else setSetting(this.settings, k, v as string | number);
    }
    this.ipId = this.rand() & 0xffff;
    this.pingId = this.rand() & 0xffff;
    this.reassembler = new Reassembler(
      this.scheduler,
      this.counters.Ip,
      () => ({
        timeoutUs: this.settings.ipfrag_time * 1e6,
        highThresh: this.settings.ipfrag_high_thresh,
      }),
      (reason, n) => {
        for (let i = 0; i < n; i++) this.counters.drop(reason);
      },
    );
    this.icmpLimit = new IcmpRateLimiter(() => ({
      perSec: this.settings.icmp_msgs_per_sec,
      burst: this.settings.icmp_msgs_burst,
      ratelimitMs: this.settings.icmp_ratelimit,
    }));
    this.tcp = new TcpLayer(this);
    const tcp = this.tcp;
    this.builtinTcp = { input: (ip, seg) => tcp.input(ip, seg), icmpError: (e) => tcp.icmpError(e) };
    this.tcpHandler = this.builtinTcp;
  }

  /** Bytes held by IPv4 reassembly (bounded by ipfrag_high_thresh). */
  get fragmentMemory(): number {
    return this.reassembler.bytesHeld;
  }

  /** The TCP counters live in the host's counters (Tcp, TcpExt). */
  get mib(): HostCounters {
    return this.counters;
  }

  random32(): number {
    return this.rand() >>> 0;
  }

  set(name: string, value: string | number): void {
    setSetting(this.settings, name, value);
  }

  // --- configuration ----------------------------------------------------------------------

  addInterface(device: NetDevice, cidr: string, opts: { name?: string } = {}): NetInterface {
    const { addr, prefixLen } = parseCidr(cidr);
    const iface = new NetInterface(opts.name ?? `eth${this.interfaces.length}`, device, addr, prefixLen);
    this.interfaces.push(iface);
    this.localAddrs.add(addr);
    this.routes.add({ dest: addr, prefixLen, gateway: 0, iface });
    device.onReceive = (p) => this.receive(iface, p);
    return iface;
  }

  /** Add a route to `cidr` via gateway `via` (or directly through the interface reaching `via`). */
  addRoute(cidr: string, via: string): void {
    const { addr, prefixLen } = parseCidr(cidr);
    const gw = ipv4(via);
    const r = this.routes.lookup(gw);
    if (!r) throw new Error(`${this.name}: gateway ${via} is not on a connected network`);
    this.routes.add({ dest: addr, prefixLen, gateway: gw, iface: r.iface });
  }

  setDefaultGateway(via: string): void {
    this.addRoute('0.0.0.0/0', via);
  }

  /** Replace the TCP layer's input (tests and packetdrill inject their own); null = RST everything. */
  setTcpHandler(h: TcpHandler | null): void {
    this.tcpHandler = h;
  }

  udpBind(port: number, handler: UdpHandler): void {
    if (this.udp.has(port)) throw new Error(`${this.name}: UDP port ${port} is already bound`);
    this.udp.set(port, handler);
  }

  udpUnbind(port: number): void {
    this.udp.delete(port);
  }

  // --- addresses and paths ----------------------------------------------------------------

  get address(): number {
    return this.interfaces[0]?.addr ?? 0;
  }

  isLocalAddress(a: number): boolean {
    return this.localAddrs.has(a);
  }

  /** Source address for packets to `dst` (RFC 1122 §3.3.4.3): the outgoing interface's. */
  localAddressFor(dst: number): number {
    if (this.isLocalAddress(dst)) return dst;
    return this.routes.lookup(dst)?.iface.addr ?? 0;
  }

  /** MTU towards `dst`: the route's, lowered by what path MTU discovery learnt (RFC 1191). */
  mtuFor(dst: number): number {
    const r = this.routes.lookup(dst);
    const base = r ? r.iface.mtu : 576;
    const p = this.pmtu.get(dst);
    return p !== undefined && p < base ? p : base;
  }

  // --- output -----------------------------------------------------------------------------

  private nextId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }

  /**
   * Send a TCP segment. Returns false when there is no route (OutNoRoutes) or the packet is
   * larger than the path MTU with DF set (the engine should not produce such a packet).
   */
  sendTcp(src: number, dst: number, seg: TcpSegment, opts?: { tos?: number; ttl?: number }): boolean {
    const tcpLen = 20 + tcpOptionsLength(seg) + seg.payload.length;
    // Every byte is written below; with no hook to keep it, the buffer may be recycled once the
    // receiver is done with it.
    const buf =
      this.onPacket === null ? this.packets.allocReusable(20 + tcpLen) : this.packets.alloc(20 + tcpLen);
    const h = this.header(src, dst, IPPROTO_TCP, opts?.ttl, opts?.tos);
    h.df = this.settings.ip_no_pmtu_disc === 0;
    const route = this.routes.lookup(dst);
    const offload = route?.iface.device.checksumOffload ?? false;
    writeIpv4Header(buf, 0, h, tcpLen);
    writeTcp(buf, 20, seg, src, dst, !offload);
    this.counters.Tcp.OutSegs++;
    return this.output(buf, h, route);
  }

  udpSend(src: number, srcPort: number, dst: number, dstPort: number, payload: Uint8Array): boolean {
    const d = new UdpDatagram();
    d.srcPort = srcPort;
    d.dstPort = dstPort;
    d.payload = payload;
    const len = 8 + payload.length;
    const buf = this.packets.alloc(20 + len);
    const h = this.header(src || this.localAddressFor(dst), dst, IPPROTO_UDP);
    writeIpv4Header(buf, 0, h, len);
    writeUdp(buf, 20, d, h.src, dst);
    this.counters.Udp.OutDatagrams++;
    return this.output(buf, h, this.routes.lookup(dst));
  }

  private sendIcmp(dst: number, msg: IcmpMessage, src = this.localAddressFor(dst), tos = 0): boolean {
    const len = icmpLength(msg);
    const buf = this.packets.alloc(20 + len);
    const h = this.header(src, dst, IPPROTO_ICMP, undefined, tos);
    writeIpv4Header(buf, 0, h, len);
    writeIcmp(buf, 20, msg);
    this.counters.Icmp.OutMsgs++;
    return this.output(buf, h, this.routes.lookup(dst));
  }

  /**
   * The header of a packet this host originates. One object is reused: it lives only until the
   * packet is written and handed to output(), which keeps nothing of it.
   */
  private header(src: number, dst: number, protocol: number, ttl?: number, tos = 0): Ipv4Header {
    const h = this.txIp;
    h.df = false;
    h.src = src;
    h.dst = dst;
    h.protocol = protocol;
    h.ttl = ttl ?? this.settings.ip_default_ttl;
    h.tos = tos;
    h.id = this.nextId();
    return h;
  }

  /** Route and transmit a locally built packet, fragmenting when allowed (RFC 791 §3.2). */
  private output(buf: Uint8Array, h: Ipv4Header, route: { iface: NetInterface } | null): boolean {
    this.counters.Ip.OutRequests++;
    if (this.isLocalAddress(h.dst)) {
      // Loopback: deliver to ourselves on the next turn, as Linux's lo does.
      this.scheduler.at(this.scheduler.now(), () => this.receive(this.interfaces[0] as NetInterface, buf));
      return true;
    }
    if (!route) {
      this.counters.Ip.OutNoRoutes++;
      this.dropped('no-route', buf);
      return false;
    }
    return this.transmitOn(route.iface, buf, h.df);
  }

  private transmitOn(iface: NetInterface, buf: Uint8Array, df: boolean): boolean {
    if (buf.length <= iface.mtu) {
      if (this.onPacket !== null) {
        taintPacket(buf);
        this.onPacket('out', iface, buf);
      }
      iface.device.transmit(buf);
      return true;
    }
    if (df) {
      this.counters.Ip.FragFails++;
      this.dropped('fragment', buf);
      return false;
    }
    return this.fragment(iface, buf);
  }

  private fragment(iface: NetInterface, buf: Uint8Array): boolean {
    const hl = ((buf[0] as number) & 15) * 4;
    const total = readU16(buf, 2);
    const baseOffset = (readU16(buf, 6) & 0x1fff) * 8;
    const moreAfter = (readU16(buf, 6) & 0x2000) !== 0;
    const chunk = Math.floor((iface.mtu - hl) / 8) * 8;
    if (chunk <= 0) {
      this.counters.Ip.FragFails++;
      return false;
    }
    for (let off = hl; off < total; off += chunk) {
      const len = Math.min(chunk, total - off);
      const f = new Uint8Array(hl + len);
      f.set(buf.subarray(0, hl));
      f.set(buf.subarray(off, off + len), hl);
      const last = off + len >= total;
      const fragOff = baseOffset + (off - hl);
      f[2] = (hl + len) >> 8;
      f[3] = (hl + len) & 255;
      const flags = (!last || moreAfter ? 0x2000 : 0) | ((fragOff >>> 3) & 0x1fff);
      f[6] = flags >> 8;
      f[7] = flags & 255;
      f[10] = f[11] = 0;
      const ck = ~onesSum(f, 0, hl) & 0xffff;
      f[10] = ck >> 8;
      f[11] = ck & 255;
      this.counters.Ip.FragCreates++;
      this.onPacket?.('out', iface, f);
      iface.device.transmit(f);
    }
    this.counters.Ip.FragOKs++;
    return true;
  }

  // --- input ------------------------------------------------------------------------------

  /** The TCP engine dropped the segment being delivered (tcpInput is synchronous). */
  tcpDropped(reason: DropReason): void {
    this.dropped(reason, this.rxPacket);
  }

  private dropped(reason: DropReason, packet: Uint8Array): void {
    this.counters.drop(reason);
    if (this.onDrop !== null) {
      taintPacket(packet);
      this.onDrop(reason, packet);
    }
  }

  /**
   * A packet from an interface. Never throws: every failure is a counted drop. Returns true when
   * the host kept no reference to the packet (a TCP segment handled by the built-in TCP with no
   * hook watching), so its buffer may be reused (wire/packet-pool.ts).
   */
  receive(iface: NetInterface, packet: Uint8Array): boolean {
    this.counters.Ip.InReceives++;
    if (this.onPacket !== null) {
      taintPacket(packet);
      this.onPacket('in', iface, packet);
    } else if (this.onDrop !== null) {
      // A drop hook may keep the packet, so TCP must not give its memory to a reader.
      taintPacket(packet);
    }
    const ip = this.rxIp;
    const bad = readIpv4Header(packet, ip, !iface.device.checksumOffload);
    if (bad !== null) {
      this.counters.Ip.InHdrErrors++;
      this.dropped(bad, packet);
      return false;
    }
    const local = this.isLocalAddress(ip.dst) || ip.dst === iface.broadcast || ip.dst === 0xffffffff;
    if (!local) {
      if (this.settings.ip_forward) this.forward(iface, packet, ip);
      else {
        this.counters.Ip.InAddrErrors++;
        this.dropped('not-for-us', packet);
      }
      return false;
    }
    if (ip.mf || ip.fragmentOffset > 0) {
      const whole = this.reassembler.add(packet, ip.headerLength, ip.totalLength, ip.fragmentOffset, ip.mf);
      if (!whole) return false;
      const again = parseIpv4Header(whole, ip, false);
      if (!again.ok) return false;
      this.deliver(iface, whole, ip);
      return false;
    }
    if (ip.protocol !== IPPROTO_TCP) {
      this.deliver(iface, packet, ip);
      return false;
    }
    this.tcpInput(packet, ip, !iface.device.checksumOffload);
    // TCP copies what it keeps (the receive queue), or claims the packet (packet-pool.ts), and
    // builds its answers afresh.
    return this.onPacket === null && this.onDrop === null && this.tcpHandler === this.builtinTcp;
  }

  private deliver(iface: NetInterface, packet: Uint8Array, ip: Ipv4Header): void {
    const verify = !iface.device.checksumOffload;
    if (ip.protocol === IPPROTO_TCP) return this.tcpInput(packet, ip, verify);
    const payload = ipv4Payload(packet, ip);
    switch (ip.protocol) {
      case IPPROTO_UDP:
        return this.udpInput(packet, ip, payload, verify);
      case IPPROTO_ICMP:
        return this.icmpInput(packet, ip, payload, verify);
      default:
        this.counters.Ip.InUnknownProtos++;
        this.dropped('other', packet);
    }
  }

  private tcpInput(packet: Uint8Array, ip: Ipv4Header, verify: boolean): void {
    const seg = this.rxTcp;
    const bad = parseTcpAt(packet, ip.headerLength, ip.totalLength, ip.src, ip.dst, seg, verify);
    if (bad !== null) {
      this.counters.Tcp.InErrs++;
      if (bad === 'tcp-checksum') this.counters.Tcp.InCsumErrors++;
      this.dropped(bad, packet);
      return;
    }
    this.counters.Ip.InDelivers++;
    this.counters.Tcp.InSegs++;
    this.rxPacket = packet;
    if (this.tcpHandler?.input(ip, seg, packet)) return;
    this.dropped('no-socket', packet);
    this.sendResetFor(ip, seg);
  }

  /** RFC 9293 §3.10.7.1: a segment to a closed port is answered with a RST (never a RST to a RST). */
  sendResetFor(ip: Ipv4Header, seg: TcpSegment): void {
    if (seg.flags & TCP_RST) return;
    const rst = this.rst.clear();
    rst.srcPort = seg.dstPort;
    rst.dstPort = seg.srcPort;
    if (seg.flags & TCP_ACK) {
      rst.seq = seg.ack;
      rst.flags = TCP_RST;
    } else {
      rst.seq = 0;
      rst.ack = (seg.seq + seg.segLen) >>> 0;
      rst.flags = TCP_RST | TCP_ACK;
    }
    this.counters.Tcp.OutRsts++;
    this.sendTcp(ip.dst, ip.src, rst);
  }

  private udpInput(packet: Uint8Array, ip: Ipv4Header, payload: Uint8Array, verify: boolean): void {
    const d = this.rxUdp;
    const r = parseUdp(payload, ip.src, ip.dst, d, verify);
    if (!r.ok) {
      this.counters.Udp.InErrors++;
      if (r.reason === 'udp-checksum') this.counters.Udp.InCsumErrors++;
      this.dropped(r.reason, packet);
      return;
    }
    this.counters.Ip.InDelivers++;
    const h = this.udp.get(d.dstPort);
    if (!h) {
      this.counters.Udp.NoPorts++;
      this.dropped('no-socket', packet);
      this.sendIcmpError(packet, ip, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
      return;
    }
    this.counters.Udp.InDatagrams++;
    h(ip.src, d.srcPort, ip.dst, d.payload);
  }

  private icmpInput(packet: Uint8Array, ip: Ipv4Header, payload: Uint8Array, verify: boolean): void {
    const m = this.rxIcmp;
    const r = parseIcmp(payload, m, verify);
    this.counters.Icmp.InMsgs++;
    if (!r.ok) {
      this.counters.Icmp.InErrors++;
      if (r.reason === 'icmp-checksum') this.counters.Icmp.InCsumErrors++;
      this.dropped(r.reason, packet);
      return;
    }
    this.counters.Ip.InDelivers++;
    switch (m.type) {
      case ICMP_ECHO_REQUEST: {
        this.counters.Icmp.InEchos++;
        if (this.settings.icmp_echo_ignore_all) return;
        const reply = new IcmpMessage();
        reply.type = ICMP_ECHO_REPLY;
        reply.id = m.id;
        reply.seq = m.seq;
        reply.data = m.data.slice();
        this.counters.Icmp.OutEchoReps++;
        this.sendIcmp(ip.src, reply, this.isLocalAddress(ip.dst) ? ip.dst : this.localAddressFor(ip.src));
        return;
      }
      case ICMP_ECHO_REPLY: {
        this.counters.Icmp.InEchoReps++;
        const p = this.pings.get((m.id << 16) | m.seq);
        if (p) {
          this.pings.delete((m.id << 16) | m.seq);
          p.timer.cancel();
          p.cb({ ok: true, rttUs: this.scheduler.now() - p.sent });
        }
        return;
      }
      case ICMP_DEST_UNREACH:
      case ICMP_TIME_EXCEEDED:
        if (m.type === ICMP_DEST_UNREACH) this.counters.Icmp.InDestUnreachs++;
        else this.counters.Icmp.InTimeExcds++;
        this.icmpError(m);
        return;
      default:
        this.dropped('icmp-type', packet);
    }
  }

  /** Hand an ICMP error to the transport it concerns (RFC 1122 §3.2.2). */
  private icmpError(m: IcmpMessage): void {
    const q = m.data;
    if (q.length < 28 || (q[0] as number) >> 4 !== 4) return;
    const hl = ((q[0] as number) & 15) * 4;
    if (q.length < hl + 8) return;
    const proto = q[9] as number;
    const src = readU32(q, 12);
    const dst = readU32(q, 16);
    if (!this.isLocalAddress(src)) return;
    if (m.type === ICMP_DEST_UNREACH && m.code === ICMP_FRAG_NEEDED && m.mtu >= 68) {
      // RFC 1191 §6.3: remember the smaller path MTU towards the destination.
      const cur = this.mtuFor(dst);
      if (m.mtu < cur) this.pmtu.set(dst, m.mtu);
    }
    if (proto === IPPROTO_TCP) {
      this.tcpHandler?.icmpError({
        type: m.type,
        code: m.code,
        mtu: m.mtu,
        localAddr: src,
        localPort: readU16(q, hl),
        remoteAddr: dst,
        remotePort: readU16(q, hl + 2),
        seq: readU32(q, hl + 4),
      });
    }
  }

  /**
   * An ICMP error about `packet` (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7): never about an ICMP error,
   * a broadcast, or a non-first fragment; rate-limited as Linux does.
   */
  private sendIcmpError(packet: Uint8Array, ip: Ipv4Header, type: number, code: number, mtu: number): void {
    if (ip.fragmentOffset > 0) return;
    if (ip.dst === 0xffffffff || this.interfaces.some((i) => i.broadcast === ip.dst)) return;
    if (ip.protocol === IPPROTO_ICMP) {
      const t = packet[ip.headerLength] as number;
      if (t !== ICMP_ECHO_REQUEST && t !== ICMP_ECHO_REPLY) return;
    }
    // Linux's icmpv4_mask_allow: "Don't limit PMTU discovery": fragmentation-needed is exempt.
    const pmtud = type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED;
    if (!pmtud && !this.icmpLimit.allow(ip.src, this.scheduler.now())) {
      this.counters.Icmp.OutRateLimitHost++;
      return;
    }
    const m = new IcmpMessage();
    m.type = type;
    m.code = code;
    m.mtu = mtu;
    // Quote the header and as much of the datagram as fits in 576 bytes (RFC 1812 §4.3.2.3).
    m.data = packet.slice(0, Math.min(ip.totalLength, 576 - 28));
    if (type === ICMP_DEST_UNREACH) this.counters.Icmp.OutDestUnreachs++;
    else this.counters.Icmp.OutTimeExcds++;
    const tos = (ip.tos & 0x1c) | 0xc0; // Linux sends errors as internetwork control
    this.sendIcmp(ip.src, m, this.localAddressFor(ip.src), tos);
  }

  // --- forwarding -------------------------------------------------------------------------

  /** RFC 1812 §5.2/5.3: decrement TTL (incremental checksum, RFC 1624), route, fragment or refuse. */
  private forward(inIface: NetInterface, packet: Uint8Array, ip: Ipv4Header): void {
    if (ip.ttl <= 1) {
      this.counters.Ip.InHdrErrors++;
      this.dropped('ttl-exceeded', packet);
      this.sendIcmpError(packet, ip, ICMP_TIME_EXCEEDED, 0, 0);
      return;
    }
    const route = this.routes.lookup(ip.dst);
    if (!route) {
      this.counters.Ip.OutNoRoutes++;
      this.dropped('no-route', packet);
      this.sendIcmpError(packet, ip, ICMP_DEST_UNREACH, 0, 0);
      return;
    }
    // The packet belongs to us now: change it in place.
    const oldWord = ((packet[8] as number) << 8) | (packet[9] as number);
    packet[8] = ip.ttl - 1;
    const newWord = ((packet[8] as number) << 8) | (packet[9] as number);
    const ck = incrementalUpdate(readU16(packet, 10), oldWord, newWord);
    packet[10] = ck >> 8;
    packet[11] = ck & 255;
    const wire = ip.totalLength < packet.length ? packet.subarray(0, ip.totalLength) : packet;
    if (wire.length > route.iface.mtu && ip.df) {
      // RFC 1191 §4: tell the sender the next-hop MTU.
      this.counters.Ip.FragFails++;
      this.dropped('fragment', packet);
      this.sendIcmpError(packet, ip, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, route.iface.mtu);
      return;
    }
    this.counters.Ip.ForwDatagrams++;
    // Hairpin forwarding (out the interface it came in on) is legal; Linux would also send a
    // redirect, which synack does not.
    void inIface;
    this.transmitOn(route.iface, wire, ip.df);
  }

  // --- ping ------------------------------------------------------------------------------

  /** Send one ICMP echo request; the callback gets the round-trip time or a timeout. */
  ping(dst: string | number, opts: { size?: number; timeoutMs?: number } = {}, cb: PingCallback): void {
    const to = typeof dst === 'string' ? ipv4(dst) : dst;
    const m = new IcmpMessage();
    m.type = ICMP_ECHO_REQUEST;
    m.id = this.pingId;
    m.seq = (this.pings.size + this.counters.Icmp.OutEchos + 1) & 0xffff;
    m.data = new Uint8Array(opts.size ?? 56);
    for (let i = 0; i < m.data.length; i++) m.data[i] = i & 255;
    const key = (m.id << 16) | m.seq;
    const timer = this.scheduler.at(this.scheduler.now() + (opts.timeoutMs ?? 1000) * 1000, () => {
      if (this.pings.delete(key)) cb({ ok: false, error: `no reply from ${formatIpv4(to)}` });
    });
    this.pings.set(key, { sent: this.scheduler.now(), cb, timer });
    this.counters.Icmp.OutEchos++;
    if (!this.sendIcmp(to, m)) {
      timer.cancel();
      this.pings.delete(key);
      cb({ ok: false, error: `no route to ${formatIpv4(to)}` });
    }
  }
}

function defaultRandom32(): number {
  const a = new Uint32Array(1);
  globalThis.crypto.getRandomValues(a);
  return a[0] as number;
}
