/**
 * Byte-exact vectors from real Linux traffic: captured with tcpdump on the loopback interface of a
 * Linux 6.x machine (curl against python3 -m http.server, ping, a UDP datagram to a closed port),
 * Ethernet header stripped. Loopback offloads TCP and UDP checksums, so those packets carry only
 * the partial pseudo-header sum: they are parsed without checksum verification and compared byte
 * for byte except the checksum field. IPv4 and ICMP checksums are real and checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv4Header, IPPROTO_TCP } from './ipv4-header.js';
import { ipv4, formatIpv4 } from './ipv4-addr.js';
import { ipv4Payload, parseIpv4Header } from './ipv4.js';
import { parseTcp } from './tcp.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, TcpSegment } from './tcp-segment.js';
import {
  IcmpMessage,
  parseIcmp,
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_PORT_UNREACH,
} from './icmp.js';
import { UdpDatagram, parseUdp } from './udp.js';
import { buildIcmpPacket, buildTcpPacket, buildUdpPacket, describePacket } from './packet.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const LO = ipv4('127.0.0.1');

const SYN = hex(
  '4500003cf38c40004006492d7f0000017f000001b0ceb813f4d7227800000000a002ffd7fe3000000204ffd70402080a6a472335000000000103030a',
);
const SYN_ACK = hex(
  '4500003c0000400040063cba7f0000017f000001b813b0ce0ae549d8f4d72279a012ffcbfe3000000204ffd70402080a8bac16136a4723350103030a',
);
const DATA = hex(
  '45000083f38e4000400648e47f0000017f000001b0ceb813f4d722790ae549d980180040fe7700000101080a6a4723358bac1613474554202f20485454502f312e310d0a486f73743a203132372e302e302e313a34373132330d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a',
);
const FIN = hex(
  '45000034f3914000400649307f0000017f000001b0ceb813f4d722c80ae5513a80110055fe2800000101080a6a4723398bac1617',
);
const ECHO_REQ = hex(
  '450000542123400040011b847f0000017f0000010800d55e2a59000195d7046b000000009d31020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
);
const ECHO_REP = hex(
  '450000542124000040015b837f0000017f0000010000dd5e2a59000195d7046b000000009d31020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
);
const UDP = hex('450000283282400040110a417f0000017f000001d0b8bb7f0014fe2768656c6c6f2073796e61636b');
const PORT_UNREACH = hex(
  '45c000442178000040015a7f7f0000017f0000010303e94f00000000450000283282400040110a417f0000017f000001d0b8bb7f0014fe2768656c6c6f2073796e61636b',
);

function ip(buf: Uint8Array): Ipv4Header {
  const h = new Ipv4Header();
  const r = parseIpv4Header(buf, h);
  assert.ok(r.ok, `IPv4 header should parse: ${r.ok ? '' : r.reason}`);
  return h;
}

function tcp(buf: Uint8Array): { h: Ipv4Header; seg: TcpSegment } {
  const h = ip(buf);
  assert.equal(h.protocol, IPPROTO_TCP);
  const seg = new TcpSegment();
  const r = parseTcp(ipv4Payload(buf, h), h.src, h.dst, seg, false);
  assert.ok(r.ok);
  return { h, seg };
}

/** Rebuild with our builder and compare with the capture, ignoring the offloaded L4 checksum. */
function assertRebuilds(orig: Uint8Array, rebuilt: Uint8Array, l4ChecksumAt: number | null): void {
  assert.equal(rebuilt.length, orig.length);
  const a = Uint8Array.from(orig);
  const b = Uint8Array.from(rebuilt);
  if (l4ChecksumAt !== null) {
    a[l4ChecksumAt] = a[l4ChecksumAt + 1] = 0;
    b[l4ChecksumAt] = b[l4ChecksumAt + 1] = 0;
  }
  assert.deepEqual(Buffer.from(b).toString('hex'), Buffer.from(a).toString('hex'));
}

test('Linux SYN: every field, and options rebuilt in Linux order', () => {
  const { h, seg } = tcp(SYN);
  assert.equal(formatIpv4(h.src), '127.0.0.1');
  assert.equal(h.ttl, 64);
  assert.equal(h.df, true);
  assert.equal(h.id, 0xf38c);
  assert.equal(seg.srcPort, 45262);
  assert.equal(seg.dstPort, 47123);
  assert.equal(seg.seq, 0xf4d72278);
  assert.equal(seg.ack, 0);
  assert.equal(seg.flags, TCP_SYN);
  assert.equal(seg.window, 65495);
  assert.equal(seg.mss, 65495);
  assert.equal(seg.sackPermitted, true);
  assert.equal(seg.hasTimestamp, true);
  assert.equal(seg.tsVal, 0x6a472335);
  assert.equal(seg.tsEcr, 0);
  assert.equal(seg.wscale, 10);
  assert.equal(seg.dataOffset, 10);
  assertRebuilds(SYN, buildTcpPacket(h.src, h.dst, seg, { id: h.id, ttl: h.ttl, df: h.df }), 36);
  assert.equal(
    describePacket(SYN),
    'IP 127.0.0.1.45262 > 127.0.0.1.47123: Flags [S], seq 4107739768, win 65495, options [mss 65495,sackOK,TS val 1783046965 ecr 0,nop,wscale 10], length 0',
  );
});

test('Linux SYN-ACK, data and FIN segments', () => {
  const sa = tcp(SYN_ACK);
  assert.equal(sa.seg.flags, TCP_SYN | TCP_ACK);
  assert.equal(sa.seg.ack, 0xf4d72279);
  assert.equal(sa.seg.tsEcr, 0x6a472335);
  assertRebuilds(SYN_ACK, buildTcpPacket(sa.h.src, sa.h.dst, sa.seg, { id: sa.h.id, df: true }), 36);

  const d = tcp(DATA);
  assert.equal(d.seg.flags, TCP_PSH | TCP_ACK);
  assert.equal(d.seg.payload.length, 79);
  assert.equal(new TextDecoder().decode(d.seg.payload.subarray(0, 14)), 'GET / HTTP/1.1');
  assert.equal(d.seg.window, 64);
  assertRebuilds(DATA, buildTcpPacket(d.h.src, d.h.dst, d.seg, { id: d.h.id, df: true }), 36);

  const f = tcp(FIN);
  assert.equal(f.seg.flags, TCP_FIN | TCP_ACK);
  assert.equal(f.seg.segLen, 1);
  assertRebuilds(FIN, buildTcpPacket(f.h.src, f.h.dst, f.seg, { id: f.h.id, df: true }), 36);
});

test('Linux ICMP echo request and reply: exact bytes, checksums included', () => {
  for (const [bytes, type] of [
    [ECHO_REQ, ICMP_ECHO_REQUEST],
    [ECHO_REP, ICMP_ECHO_REPLY],
  ] as const) {
    const h = ip(bytes);
    const m = new IcmpMessage();
    const r = parseIcmp(ipv4Payload(bytes, h), m);
    assert.ok(r.ok);
    assert.equal(m.type, type);
    assert.equal(m.id, 0x2a59);
    assert.equal(m.seq, 1);
    assert.equal(m.data.length, 56);
    assertRebuilds(bytes, buildIcmpPacket(h.src, h.dst, m, { id: h.id, df: h.df, ttl: h.ttl }), null);
  }
});

test('Linux UDP datagram and the ICMP port unreachable quoting it', () => {
  const h = ip(UDP);
  const d = new UdpDatagram();
  assert.ok(parseUdp(ipv4Payload(UDP, h), h.src, h.dst, d, false).ok);
  assert.equal(d.dstPort, 47999);
  assert.equal(new TextDecoder().decode(d.payload), 'hello synack');
  assertRebuilds(UDP, buildUdpPacket(h.src, h.dst, d, { id: h.id, df: h.df }), 26);

  const eh = ip(PORT_UNREACH);
  assert.equal(eh.tos, 0xc0);
  const m = new IcmpMessage();
  assert.ok(parseIcmp(ipv4Payload(PORT_UNREACH, eh), m).ok);
  assert.equal(m.type, ICMP_DEST_UNREACH);
  assert.equal(m.code, ICMP_PORT_UNREACH);
  assert.deepEqual(Buffer.from(m.data), Buffer.from(UDP));
  assertRebuilds(PORT_UNREACH, buildIcmpPacket(eh.src, eh.dst, m, { id: eh.id, df: false, tos: 0xc0 }), null);
  assert.equal(LO, eh.dst);
});
