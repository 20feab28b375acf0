import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointToPointLink } from '../link/sim-link.js';
import type { NetDevice } from '../link/device.js';
import { Simulator } from '../sim/simulator.js';
import {
  IcmpMessage,
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
  parseIcmp,
} from '../wire/icmp.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Ipv4Header, IPPROTO_ICMP } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket, buildUdpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TCP_ACK, TCP_RST, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { UdpDatagram } from '../wire/udp.js';
import { Host } from './host.js';
import { setSetting, defaultHostSettings } from './settings.js';
import { flatCounters, formatNetstatS, formatNstat } from './counters.js';
import { RoutingTable } from './routes.js';

/** A device that records what the host sends and lets the test inject packets. */
class Probe implements NetDevice {
  mtu = 1500;
  checksumOffload = false;
  onReceive: ((p: Uint8Array) => void) | null = null;
  sent: Uint8Array[] = [];
  transmit(p: Uint8Array): void {
    this.sent.push(p);
  }
}

function hostWithProbe(settings: Record<string, number | string> = {}) {
  const sim = new Simulator({ seed: 1 });
  const host = new Host({ name: 'h', scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const probe = new Probe();
  host.addInterface(probe, '10.0.0.1/24');
  return { sim, host, probe };
}

function ip(p: Uint8Array): Ipv4Header {
  const h = new Ipv4Header();
  assert.ok(parseIpv4Header(p, h).ok);
  return h;
}

function icmpOf(p: Uint8Array): IcmpMessage {
  const h = ip(p);
  assert.equal(h.protocol, IPPROTO_ICMP);
  const m = new IcmpMessage();
  assert.ok(parseIcmp(ipv4Payload(p, h), m).ok);
  return m;
}

test('settings: sysctl names with or without prefix, clear errors', () => {
  const s = defaultHostSettings();
  setSetting(s, 'net.ipv4.tcp_syncookies', '2');
  setSetting(s, 'somaxconn', 128);
  setSetting(s, 'net.ipv4.tcp_rmem', '4096 87380 6291456');
  setSetting(s, 'tcp_congestion_control', 'reno');
  assert.equal(s.tcp_syncookies, 2);
  assert.equal(s.somaxconn, 128);
  assert.deepEqual(s.tcp_rmem, [4096, 87380, 6291456]);
  assert.throws(
    () => setSetting(s, 'tcp_syncookie', 1),
    /unknown setting "tcp_syncookie" \(did you mean tcp_syncookies\?\)/,
  );
  assert.throws(() => setSetting(s, 'tcp_syncookies', 7), /expected an integer from 0 to 2/);
  assert.throws(() => setSetting(s, 'tcp_congestion_control', 'bbr'), /expected one of cubic, reno, tahoe/);
  assert.throws(() => setSetting(s, 'tcp_wmem', '1 2'), /expected 3 non-negative integers/);
});

test('routes: longest prefix wins', () => {
  const r = new RoutingTable<string>();
  r.add({ dest: ipv4('0.0.0.0'), prefixLen: 0, gateway: ipv4('10.0.0.254'), iface: 'eth0' });
  r.add({ dest: ipv4('10.0.0.0'), prefixLen: 24, gateway: 0, iface: 'eth0' });
  r.add({ dest: ipv4('10.1.0.0'), prefixLen: 16, gateway: ipv4('10.0.0.2'), iface: 'eth1' });
  assert.deepEqual(r.lookup(ipv4('10.0.0.7')), { iface: 'eth0', nextHop: ipv4('10.0.0.7') });
  assert.deepEqual(r.lookup(ipv4('10.1.2.3')), { iface: 'eth1', nextHop: ipv4('10.0.0.2') });
  assert.deepEqual(r.lookup(ipv4('8.8.8.8')), { iface: 'eth0', nextHop: ipv4('10.0.0.254') });
});

test('a corrupted packet is counted and dropped, one not for us too', () => {
  const { host, probe } = hostWithProbe();
  const d = new UdpDatagram();
  d.dstPort = 9;
  const good = buildUdpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), d);
  const bad = Uint8Array.from(good);
  bad[8] ^= 0x10;
  probe.onReceive?.(bad);
  assert.equal(host.counters.Ip.InHdrErrors, 1);
  assert.equal(host.counters.drops.get('ip-checksum'), 1);
  probe.onReceive?.(buildUdpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.9'), d));
  assert.equal(host.counters.drops.get('not-for-us'), 1);
});

test('UDP to a closed port is answered with ICMP port unreachable quoting it', () => {
  const { host, probe } = hostWithProbe();
  const d = new UdpDatagram();
  d.srcPort = 4000;
  d.dstPort = 9999;
  d.payload = Uint8Array.of(1, 2, 3);
  const pkt = buildUdpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), d);
  probe.onReceive?.(pkt);
  assert.equal(host.counters.Udp.NoPorts, 1);
  assert.equal(probe.sent.length, 1);
  const m = icmpOf(probe.sent[0] as Uint8Array);
  assert.equal(m.type, ICMP_DEST_UNREACH);
  assert.equal(m.code, ICMP_PORT_UNREACH);
  assert.deepEqual(m.data.subarray(0, pkt.length), pkt);
  // A bound port receives.
  let got = '';
  host.udpBind(9999, (_s, _sp, _d, payload) => (got = Array.from(payload).join(',')));
  probe.onReceive?.(pkt);
  assert.equal(got, '1,2,3');
});

test('TCP to a port nobody listens on is answered with RST as RFC 9293 §3.10.7.1 says', () => {
  const { host, probe } = hostWithProbe();
  const syn = new TcpSegment();
  syn.srcPort = 40000;
  syn.dstPort = 80;
  syn.seq = 1000;
  syn.flags = TCP_SYN;
  probe.onReceive?.(buildTcpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), syn));
  const h = ip(probe.sent[0] as Uint8Array);
  const r = new TcpSegment();
  assert.ok(parseTcp(ipv4Payload(probe.sent[0] as Uint8Array, h), h.src, h.dst, r).ok);
  assert.equal(r.flags, TCP_RST | TCP_ACK);
  assert.equal(r.seq, 0);
  assert.equal(r.ack, 1001);
  // With ACK set: <SEQ=SEG.ACK><CTL=RST>.
  const ack = new TcpSegment();
  ack.srcPort = 40000;
  ack.dstPort = 80;
  ack.seq = 5;
  ack.ack = 777;
  ack.flags = TCP_ACK;
  probe.onReceive?.(buildTcpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), ack));
  const h2 = ip(probe.sent[1] as Uint8Array);
  assert.ok(parseTcp(ipv4Payload(probe.sent[1] as Uint8Array, h2), h2.src, h2.dst, r).ok);
  assert.deepEqual([r.flags, r.seq], [TCP_RST, 777]);
  // Never a RST for a RST.
  ack.flags = TCP_RST;
  probe.onReceive?.(buildTcpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), ack));
  assert.equal(probe.sent.length, 2);
  assert.equal(host.counters.Tcp.OutRsts, 2);
});

/** a — router — b, each link a PointToPointLink. */
function threeHosts(seed: number, mtuB = 1500, impair = {}) {
  const sim = new Simulator({ seed });
  const mk = (name: string, settings = {}) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const a = mk('a');
  const r = mk('router', { ip_forward: 1 });
  const b = mk('b');
  const l1 = new PointToPointLink(sim, { name: 'l1', both: { delayUs: 1000, ...impair } });
  const l2 = new PointToPointLink(sim, { name: 'l2', both: { delayUs: 1000, mtu: mtuB, ...impair } });
  a.addInterface(l1.a, '10.0.1.2/24');
  r.addInterface(l1.b, '10.0.1.1/24');
  r.addInterface(l2.a, '10.0.2.1/24');
  b.addInterface(l2.b, '10.0.2.2/24');
  a.setDefaultGateway('10.0.1.1');
  b.setDefaultGateway('10.0.2.1');
  return { sim, a, r, b, l1, l2 };
}

test('ping across a router; TTL is decremented on the way', () => {
  const { sim, a, r } = threeHosts(1);
  let rtt = -1;
  a.ping('10.0.2.2', {}, (res) => (rtt = res.ok ? res.rttUs : -2));
  sim.run();
  assert.equal(rtt, 4000);
  assert.equal(r.counters.Ip.ForwDatagrams, 2);
});

test('TTL exhausted at the router gives ICMP time exceeded', () => {
  const { sim, a, r, l1 } = threeHosts(1);
  const seen: Uint8Array[] = [];
  l1.observe((_t, p, dir) => {
    if (dir === 'ba') seen.push(p);
  });
  const d = new UdpDatagram();
  d.dstPort = 33434;
  l1.a.transmit(buildUdpPacket(ipv4('10.0.1.2'), ipv4('10.0.2.2'), d, { ttl: 1 }));
  sim.run();
  assert.equal(seen.length, 1);
  assert.equal(icmpOf(seen[0] as Uint8Array).type, ICMP_TIME_EXCEEDED);
  assert.equal(r.counters.Icmp.OutTimeExcds, 1);
  assert.equal(a.counters.Icmp.InTimeExcds, 1);
});

test('DF and too big at the router: fragmentation needed carrying the next-hop MTU (RFC 1191)', () => {
  const { sim, a, b, l1 } = threeHosts(1, 1280);
  const errors: number[] = [];
  a.setTcpHandler({ input: () => true, icmpError: (e) => errors.push(e.mtu) });
  const seen: Uint8Array[] = [];
  l1.observe((_t, p, dir) => dir === 'ba' && seen.push(p));
  const seg = new TcpSegment();
  seg.srcPort = 1;
  seg.dstPort = 2;
  seg.flags = TCP_ACK;
  seg.payload = new Uint8Array(1400);
  a.sendTcp(ipv4('10.0.1.2'), ipv4('10.0.2.2'), seg);
  sim.run();
  const m = icmpOf(seen[0] as Uint8Array);
  assert.deepEqual([m.type, m.code, m.mtu], [ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1280]);
  assert.deepEqual(errors, [1280]);
  assert.equal(a.mtuFor(ipv4('10.0.2.2')), 1280);
  assert.equal(b.counters.Tcp.InSegs, 0);
  // Fragmentation-needed is never rate-limited (Linux's icmpv4_mask_allow: "Don't limit PMTU
  // discovery"): a window's worth of big segments gets one error each, not the burst of six.
  for (let i = 0; i < 20; i++) a.sendTcp(ipv4('10.0.1.2'), ipv4('10.0.2.2'), seg);
  sim.run();
  assert.equal(seen.length, 21);
});

test('without DF the router fragments, and the receiver reassembles', () => {
  const { sim, a, b, r } = threeHosts(1, 576);
  let got = -1;
  b.udpBind(7, (_s, _p, _d, payload) => (got = payload.length));
  a.udpSend(0, 5000, ipv4('10.0.2.2'), 7, new Uint8Array(1400));
  sim.run();
  assert.equal(got, 1400);
  assert.equal(r.counters.Ip.FragOKs, 1);
  assert.equal(r.counters.Ip.FragCreates, 3);
  assert.equal(b.counters.Ip.ReasmOKs, 1);
});

test('reassembly: out-of-order fragments, overlaps refused, timeout', () => {
  const { sim, host, probe } = hostWithProbe();
  let got: Uint8Array | null = null;
  host.udpBind(7, (_s, _p, _d, payload) => (got = payload));
  const d = new UdpDatagram();
  d.dstPort = 7;
  d.payload = Uint8Array.from({ length: 100 }, (_, i) => i);
  const whole = buildUdpPacket(ipv4('10.0.0.2'), ipv4('10.0.0.1'), d, { id: 77, df: false });
  const frag = (off: number, len: number, mf: boolean) => {
    const f = new Uint8Array(20 + len);
    f.set(whole.subarray(0, 20));
    f.set(whole.subarray(20 + off, 20 + off + len), 20);
    f[2] = (20 + len) >> 8;
    f[3] = (20 + len) & 255;
    const v = (mf ? 0x2000 : 0) | (off / 8);
    f[6] = v >> 8;
    f[7] = v & 255;
    f[10] = f[11] = 0;
    let s = 0;
    for (let i = 0; i < 20; i += 2) s += ((f[i] as number) << 8) | (f[i + 1] as number);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    f[10] = (~s >> 8) & 255;
    f[11] = ~s & 255;
    return f;
  };
  probe.onReceive?.(frag(64, 44, false));
  probe.onReceive?.(frag(0, 32, true));
  probe.onReceive?.(frag(32, 32, true));
  assert.deepEqual(got, Uint8Array.from(d.payload));
  assert.equal(host.counters.Ip.ReasmOKs, 1);
  // Overlap: the datagram is dropped.
  got = null;
  probe.onReceive?.(frag(0, 32, true));
  probe.onReceive?.(frag(24, 40, true));
  assert.equal(host.counters.Ip.ReasmFails, 1);
  // A lone fragment times out after ipfrag_time.
  probe.onReceive?.(frag(0, 32, true));
  sim.run();
  assert.equal(host.counters.Ip.ReasmTimeout, 1);
  assert.equal(got, null);
});

test('counters print as nstat and netstat -s do', () => {
  const { host } = hostWithProbe();
  host.counters.TcpExt.ListenOverflows = 3;
  host.counters.TcpExt.ListenDrops = 3;
  assert.match(formatNstat(flatCounters(host.counters)), /TcpExtListenOverflows\s+3/);
  const text = formatNetstatS(host.counters);
  assert.match(text, /3 times the listen queue of a socket overflowed/);
  assert.match(text, /3 SYNs to LISTEN sockets dropped/);
});
