import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadWasmSummer } from './checksum-wasm.js';
import { checksum, incrementalUpdate, jsOnesSum, naiveChecksum, onesSum } from './checksum.js';
import { IcmpMessage, parseIcmp, ICMP_DEST_UNREACH, ICMP_ECHO_REQUEST, ICMP_FRAG_NEEDED } from './icmp.js';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Ipv4Header } from './ipv4-header.js';
import { ipv4Payload, parseIpv4Header, writeIpv4Header } from './ipv4.js';
import { buildIcmpPacket, buildTcpPacket, buildUdpPacket, describePacket } from './packet.js';
import { parseTcp } from './tcp.js';
import { TcpSegment } from './tcp-segment.js';
import { UdpDatagram, parseUdp } from './udp.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });

const segArb = fc
  .record({
    srcPort: u16,
    dstPort: u16,
    seq: u32,
    ack: u32,
    flags: fc.integer({ min: 0, max: 255 }),
    window: u16,
    urgentPointer: u16,
    mss: fc.option(u16, { nil: -1 }),
    wscale: fc.option(fc.integer({ min: 0, max: 14 }), { nil: -1 }),
    sackPermitted: fc.boolean(),
    ts: fc.option(fc.tuple(u32, u32), { nil: null }),
    sacks: fc.array(fc.tuple(u32, u32), { maxLength: 4 }),
    payload: bytes(200),
  })
  .map((r) => {
    const s = new TcpSegment();
    Object.assign(s, {
      srcPort: r.srcPort,
      dstPort: r.dstPort,
      seq: r.seq,
      ack: r.ack,
      flags: r.flags,
      window: r.window,
      urgentPointer: r.urgentPointer,
      mss: r.mss,
      wscale: r.wscale,
      sackPermitted: r.sackPermitted,
      payload: r.payload,
    });
    if (r.ts) {
      s.hasTimestamp = true;
      [s.tsVal, s.tsEcr] = r.ts;
    }
    // 40 option bytes hold at most 3 SACK blocks beside a timestamp, 4 without; leave room for the rest.
    let room =
      40 - (s.mss >= 0 ? 4 : 0) - (s.hasTimestamp || s.sackPermitted ? (s.hasTimestamp ? 12 : 4) : 0);
    room -= s.wscale >= 0 ? 4 : 0;
    const n = Math.max(0, Math.min(r.sacks.length, Math.floor((room - 4) / 8)));
    for (const [a, b] of r.sacks.slice(0, n)) s.addSack(a, b);
    return s;
  });

test('TCP: build then parse gives back every field', () => {
  fc.assert(
    fc.property(segArb, u32, u32, (seg, src, dst) => {
      const pkt = buildTcpPacket(src, dst, seg);
      const h = new Ipv4Header();
      assert.ok(parseIpv4Header(pkt, h).ok);
      const out = new TcpSegment();
      const r = parseTcp(ipv4Payload(pkt, h), src, dst, out);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      for (const k of [
        'srcPort',
        'dstPort',
        'seq',
        'ack',
        'flags',
        'window',
        'urgentPointer',
        'mss',
        'wscale',
      ] as const) {
        assert.equal(out[k], seg[k], k);
      }
      assert.equal(out.sackPermitted, seg.sackPermitted);
      assert.equal(out.hasTimestamp, seg.hasTimestamp);
      if (seg.hasTimestamp) assert.deepEqual([out.tsVal, out.tsEcr], [seg.tsVal, seg.tsEcr]);
      assert.equal(out.sackCount, seg.sackCount);
      assert.deepEqual(
        out.sackBlocks.subarray(0, 2 * out.sackCount),
        seg.sackBlocks.subarray(0, 2 * seg.sackCount),
      );
      assert.deepEqual(out.payload, seg.payload);
    }),
  );
});

test('IPv4: build then parse gives back the header', () => {
  fc.assert(
    fc.property(
      u32,
      u32,
      u16,
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 0, max: 8191 }),
      bytes(64),
      (src, dst, id, ttl, df, mf, off8, payload) => {
        const h = new Ipv4Header();
        Object.assign(h, {
          src,
          dst,
          id,
          ttl,
          df,
          mf,
          fragmentOffset: off8 * 8,
          protocol: IPPROTO_UDP,
          tos: 0x10,
        });
        const buf = new Uint8Array(20 + payload.length);
        writeIpv4Header(buf, 0, h, payload.length);
        buf.set(payload, 20);
        const out = new Ipv4Header();
        assert.ok(parseIpv4Header(buf, out).ok);
        assert.deepEqual(
          [
            out.src,
            out.dst,
            out.id,
            out.ttl,
            out.df,
            out.mf,
            out.fragmentOffset,
            out.protocol,
            out.tos,
            out.totalLength,
          ],
          [src, dst, id, ttl, df, mf, off8 * 8, IPPROTO_UDP, 0x10, buf.length],
        );
        assert.deepEqual(ipv4Payload(buf, out), payload);
      },
    ),
  );
});

test('ICMP and UDP: build then parse', () => {
  fc.assert(
    fc.property(u32, u32, u16, u16, bytes(100), (src, dst, a, b, data) => {
      const m = new IcmpMessage();
      m.type = ICMP_ECHO_REQUEST;
      m.id = a;
      m.seq = b;
      m.data = data;
      const pkt = buildIcmpPacket(src, dst, m);
      const h = new Ipv4Header();
      assert.ok(parseIpv4Header(pkt, h).ok);
      const out = new IcmpMessage();
      assert.ok(parseIcmp(ipv4Payload(pkt, h), out).ok);
      assert.deepEqual([out.type, out.id, out.seq, out.data], [ICMP_ECHO_REQUEST, a, b, data]);

      const d = new UdpDatagram();
      d.srcPort = a;
      d.dstPort = b;
      d.payload = data;
      const up = buildUdpPacket(src, dst, d);
      assert.ok(parseIpv4Header(up, h).ok);
      const ud = new UdpDatagram();
      assert.ok(parseUdp(ipv4Payload(up, h), src, dst, ud).ok);
      assert.deepEqual([ud.srcPort, ud.dstPort, ud.payload], [a, b, data]);
    }),
  );
});

test('fragmentation-needed carries the next-hop MTU', () => {
  const m = new IcmpMessage();
  m.type = ICMP_DEST_UNREACH;
  m.code = ICMP_FRAG_NEEDED;
  m.mtu = 1280;
  m.data = new Uint8Array(28);
  m.data[0] = 0x45;
  const pkt = buildIcmpPacket(1, 2, m);
  const h = new Ipv4Header();
  assert.ok(parseIpv4Header(pkt, h).ok);
  const out = new IcmpMessage();
  assert.ok(parseIcmp(ipv4Payload(pkt, h), out).ok);
  assert.equal(out.mtu, 1280);
  assert.match(describePacket(pkt), /unreachable code 4, mtu 1280/);
});

test('parsers never throw on random bytes, truncations or mutations, and name a reason', () => {
  const reasons = new Set<string>();
  fc.assert(
    fc.property(segArb, bytes(80), fc.nat(), fc.nat(), (seg, junk, cut, flip) => {
      const good = buildTcpPacket(0x0a000001, 0x0a000002, seg);
      const variants = [junk, good.subarray(0, cut % (good.length + 1)), Uint8Array.from(good)];
      const m = variants[2] as Uint8Array;
      m[flip % m.length] ^= 1 << (flip % 8);
      for (const v of variants) {
        const h = new Ipv4Header();
        const r = parseIpv4Header(v, h);
        if (!r.ok) {
          reasons.add(r.reason);
          continue;
        }
        const p = ipv4Payload(v, h);
        const t = parseTcp(p, h.src, h.dst, new TcpSegment());
        if (!t.ok) reasons.add(t.reason);
        const i = parseIcmp(p, new IcmpMessage());
        if (!i.ok) reasons.add(i.reason);
        const u = parseUdp(p, h.src, h.dst, new UdpDatagram());
        if (!u.ok) reasons.add(u.reason);
        assert.equal(typeof describePacket(v), 'string');
      }
    }),
    { numRuns: 2000 },
  );
  for (const r of ['truncated', 'ip-checksum', 'tcp-checksum']) assert.ok(reasons.has(r), `saw reason ${r}`);
});

test('a flipped bit anywhere in a checksummed packet is detected', () => {
  fc.assert(
    fc.property(segArb, fc.nat(), (seg, at) => {
      const pkt = buildTcpPacket(0x0a000001, 0x0a000002, seg);
      const bit = at % (pkt.length * 8);
      pkt[bit >> 3] ^= 1 << (bit & 7);
      const h = new Ipv4Header();
      const r = parseIpv4Header(pkt, h);
      if (!r.ok) return;
      if (h.protocol !== IPPROTO_TCP || h.src !== 0x0a000001 || h.dst !== 0x0a000002) return; // header bit hit
      assert.equal(parseTcp(ipv4Payload(pkt, h), h.src, h.dst, new TcpSegment()).ok, false);
    }),
  );
});

test('fast checksum equals the naive loop at any offset and length', () => {
  fc.assert(
    fc.property(bytes(3000), fc.nat(), fc.nat(), (b, x, y) => {
      const start = b.length === 0 ? 0 : x % b.length;
      const end = start + (b.length === 0 ? 0 : y % (b.length - start + 1));
      assert.equal(checksum(b, start, end), naiveChecksum(b, start, end));
    }),
  );
});

test('the WebAssembly and JS sums agree at every size up to 64 KiB, any offset, any view, any initial sum', () => {
  assert.ok(loadWasmSummer(), 'Node has WebAssembly SIMD, so the WebAssembly routine is the one tested');
  const big = new Uint8Array(70000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  fc.assert(
    fc.property(
      fc.nat(100),
      fc.nat(70000),
      fc.nat(70000),
      fc.nat(0x1ffff),
      fc.constantFrom(0, 0xff),
      (viewOff, x, y, initial, fill) => {
        // A view at an odd or even offset into a larger buffer, a few bytes of it all-ones or zero
        // (the one's-complement zero cases), and a range anywhere inside it.
        const b = fill ? big.slice(viewOff, viewOff + 1 + (y % 69000)) : big.subarray(viewOff);
        if (fill) b.fill(fill, 0, Math.min(b.length, 1 + (x % 300)));
        const start = x % b.length;
        const end = start + (y % (b.length - start + 1));
        assert.equal(onesSum(b, start, end, initial), jsOnesSum(b, start, end, initial));
        if (end - start < 4096) assert.equal(checksum(b, start, end), naiveChecksum(b, start, end));
      },
    ),
    { numRuns: 300 },
  );
  for (const n of [0, 1, 2, 63, 64, 65, 127, 128, 129, 1480, 1481, 65535, 65536]) {
    for (const v of [0, 0xff]) {
      const b = new Uint8Array(n).fill(v);
      assert.equal(onesSum(b, 0, n), jsOnesSum(b, 0, n), `${n} bytes of ${v}`);
    }
  }
});

test('RFC 1624 incremental update equals recomputation', () => {
  fc.assert(
    fc.property(
      bytes(64).filter((b) => b.length >= 2),
      fc.nat(),
      u16,
      (b0, at, word) => {
        const b = Uint8Array.from(b0.length % 2 ? [...b0, 0] : b0);
        const i = (at % (b.length / 2)) * 2;
        const before = checksum(b, 0, b.length);
        const old = ((b[i] as number) << 8) | (b[i + 1] as number);
        b[i] = word >> 8;
        b[i + 1] = word & 255;
        const after = checksum(b, 0, b.length);
        const inc = incrementalUpdate(before, old, word);
        // One's-complement has two zeros; both are valid encodings of the same sum.
        assert.equal(
          onesSum(Uint8Array.of(inc >> 8, inc & 255), 0, 2) % 0xffff,
          onesSum(Uint8Array.of(after >> 8, after & 255), 0, 2) % 0xffff,
        );
      },
    ),
  );
});

test('IPv4 edge cases: IHL < 5, IHL beyond the buffer, total length, options, fragments', () => {
  const h = new Ipv4Header();
  h.src = 1;
  h.dst = 2;
  h.protocol = IPPROTO_ICMP;
  const good = new Uint8Array(28);
  writeIpv4Header(good, 0, h, 8);
  const bad = (mut: (b: Uint8Array) => void, reason: string, verify = false) => {
    const b = Uint8Array.from(good);
    mut(b);
    const r = parseIpv4Header(b, new Ipv4Header(), verify);
    assert.deepEqual(r.ok ? 'ok' : r.reason, reason);
  };
  bad((b) => (b[0] = 0x44), 'bad-ihl');
  bad((b) => (b[0] = 0x4f), 'bad-ihl');
  bad((b) => (b[0] = 0x65), 'bad-version');
  bad((b) => (b[3] = 19), 'bad-total-length');
  bad((b) => (b[3] = 29), 'bad-total-length');
  bad((b) => (b[8] ^= 1), 'ip-checksum', true);
  assert.equal(parseIpv4Header(good.subarray(0, 19), new Ipv4Header()).ok, false);
  // Trailing link padding is ignored.
  const padded = new Uint8Array(40);
  padded.set(good);
  assert.ok(parseIpv4Header(padded, new Ipv4Header()).ok);
  // Options are kept as a view and skipped.
  const o = new Ipv4Header();
  Object.assign(o, { src: 1, dst: 2, protocol: IPPROTO_UDP, options: Uint8Array.of(1, 1, 1) });
  const withOpts = new Uint8Array(24 + 8);
  writeIpv4Header(withOpts, 0, o, 8);
  const out = new Ipv4Header();
  assert.ok(parseIpv4Header(withOpts, out).ok);
  assert.equal(out.headerLength, 24);
  assert.equal(ipv4Payload(withOpts, out).length, 8);
  // Fragment bits.
  const f = new Ipv4Header();
  Object.assign(f, { src: 1, dst: 2, protocol: IPPROTO_UDP, df: false, mf: true, fragmentOffset: 1480 });
  const fb = new Uint8Array(28);
  writeIpv4Header(fb, 0, f, 8);
  const fo = new Ipv4Header();
  assert.ok(parseIpv4Header(fb, fo).ok);
  assert.deepEqual([fo.mf, fo.df, fo.fragmentOffset], [true, false, 1480]);
});

test('TCP option leniency matches Linux: bad lengths are ignored, overruns stop parsing', () => {
  const seg = new TcpSegment();
  seg.rawOptions = Uint8Array.of(2, 3, 5, 3, 3, 7, 8, 20);
  const pkt = buildTcpPacket(1, 2, seg);
  const h = new Ipv4Header();
  assert.ok(parseIpv4Header(pkt, h).ok);
  const out = new TcpSegment();
  const r = parseTcp(ipv4Payload(pkt, h), 1, 2, out);
  assert.ok(r.ok);
  assert.equal(out.mss, -1, 'MSS with length 3 ignored');
  assert.equal(out.wscale, 7);
  assert.equal(out.malformedOptions, 2);
  assert.equal(out.hasTimestamp, false);
});
