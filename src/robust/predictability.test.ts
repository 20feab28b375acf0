import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import { Rng } from '../sim/rng.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TCP_ACK, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';

/**
 * What an outsider sees of a host's secrets: ISNs (RFC 6528), ephemeral ports (RFC 6056),
 * timestamp offsets (RFC 7323 §5.4) and SYN cookies must look random (spread over every bit,
 * never repeating) and the secret behind them must never appear on the wire.
 */

const CLIENT = ipv4('10.0.0.1');
const SERVER = ipv4('10.0.0.2');
const N = 2000;

/** Fraction of values with each bit set: random values give about one half for every bit. */
function bitBalance(values: number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < 32; b++) out.push(values.filter((v) => (v >>> b) & 1).length / values.length);
  return out;
}

function assertRandomLooking(name: string, values: number[], bits = 32): void {
  assert.equal(new Set(values).size, values.length, `${name}: repeats`);
  const bal = bitBalance(values).slice(0, bits);
  for (let b = 0; b < bits; b++) {
    const f = bal[b] as number;
    assert.ok(f > 0.42 && f < 0.58, `${name}: bit ${b} set in ${(f * 100).toFixed(1)}%`);
  }
  const deltas = new Set(values.slice(1).map((v, i) => (v - (values[i] as number)) >>> 0));
  assert.ok(deltas.size > values.length * 0.99, `${name}: only ${deltas.size} distinct steps`);
}

/** Two hosts on a link; every draw from a host's random source while it is built is recorded. */
function world(seed: number, serverSettings: Record<string, number> = {}) {
  const sim = new Simulator({ seed });
  const secrets: number[][] = [];
  const mk = (name: string, settings: Record<string, number>) => {
    const drawn: number[] = [];
    let building = true;
    const h = new Host({
      name,
      scheduler: sim,
      random32: () => {
        const v = sim.rng.nextU32();
        if (building) drawn.push(v);
        return v;
      },
      settings,
    });
    building = false;
    secrets.push(drawn);
    return h;
  };
  const client = mk('client', {});
  const server = mk('server', serverSettings);
  const link = new PointToPointLink(sim, { name: 'l', both: { delayUs: 1000 } });
  client.addInterface(link.a, '10.0.0.1/24');
  server.addInterface(link.b, '10.0.0.2/24');
  const wire: Uint8Array[] = [];
  const segs: { src: number; seg: TcpSegment }[] = [];
  link.observe((_t, p) => {
    wire.push(p.slice());
    const h = new Ipv4Header();
    if (!parseIpv4Header(p, h).ok) return;
    const seg = new TcpSegment();
    if (parseTcp(ipv4Payload(p, h), h.src, h.dst, seg).ok) segs.push({ src: h.src, seg });
  });
  return { sim, client, server, link, wire, segs, secrets };
}

/** `n` connections opened at once, each sending a little and closing. */
function connections(w: ReturnType<typeof world>, n: number, port = 80): void {
  const l = w.server.tcp.listen(0, port, 4096, () => {
    for (let c = l.accept(); c; c = l.accept()) {
      c.send(new Uint8Array(100).fill(1), w.sim.now());
      c.close(w.sim.now());
    }
  });
  for (let i = 0; i < n; i++) {
    const c = w.client.tcp.connect(SERVER, port, {
      observer: (ev) => {
        if (ev === 'established') {
          c.send(new Uint8Array(50).fill(2), w.sim.now());
          c.close(w.sim.now());
        }
      },
    });
  }
  w.sim.run({ until: w.sim.now() + 10e6 });
}

const syns = (w: ReturnType<typeof world>, from: number, ack: boolean) =>
  w.segs
    .filter((x) => x.src === from && x.seg.flags & TCP_SYN && !!(x.seg.flags & TCP_ACK) === ack)
    .map((x) => x.seg);

test('ISNs (RFC 6528): unique, every bit spread, unrelated between 4-tuples, increasing on one 4-tuple, different per host', () => {
  const w = world(1);
  connections(w, N);
  const isns = syns(w, CLIENT, false).map((s) => s.seq);
  assert.equal(isns.length, N);
  assertRandomLooking('client ISNs', isns);
  assertRandomLooking(
    'server ISNs',
    syns(w, SERVER, true).map((s) => s.seq),
  );
  // One 4-tuple: M ticks every 4 µs, so a later connection starts beyond an earlier one's ISN.
  const t = { localAddr: CLIENT, localPort: 40000, remoteAddr: SERVER, remotePort: 80 };
  const a = w.client.tcp.isn(t, 1e6);
  assert.equal((w.client.tcp.isn(t, 2e6) - a) >>> 0, 250_000);
  // The same 4-tuple at the same instant on another host (another secret) gets another ISN.
  const other = world(2);
  assert.notEqual(other.client.tcp.isn(t, 1e6), a);
});

test('ephemeral ports (RFC 6056 algorithm 4, Linux random steps): unique, no fixed stride, unrelated per destination', () => {
  const w = world(3);
  connections(w, N);
  const ports = syns(w, CLIENT, false).map((s) => s.srcPort);
  assert.equal(new Set(ports).size, N);
  const strides = new Set(ports.slice(1).map((p, i) => p - (ports[i] as number)));
  assert.ok(strides.size >= 5, `strides ${[...strides].join(' ')}`);
  // The first port towards each of many destinations: spread over the range.
  const [low, high] = w.client.settings.ip_local_port_range;
  const firsts: number[] = [];
  for (let d = 0; d < N; d++) firsts.push(w.client.tcp.pickEphemeralPort(CLIENT, ipv4('192.0.2.1') + d, 443));
  const buckets = new Array<number>(16).fill(0);
  for (const p of firsts) buckets[Math.floor(((p - low) / (high - low + 1)) * 16)]++;
  const expect = N / 16;
  for (const b of buckets) assert.ok(b > expect * 0.6 && b < expect * 1.4, `buckets ${buckets.join(' ')}`);
  // Another host (another secret) starts elsewhere for the same destination.
  const other = world(4);
  const theirs = Array.from({ length: 20 }, (_, d) =>
    other.client.tcp.pickEphemeralPort(CLIENT, ipv4('192.0.2.1') + d, 443),
  );
  assert.ok(theirs.filter((p, d) => p === firsts[d]).length <= 1);
});

test('timestamp offsets (RFC 7323 §5.4): random per address pair, and TSval does not reveal the clock', () => {
  const w = world(5);
  const offsets: number[] = [];
  for (let i = 0; i < N; i++)
    offsets.push(
      w.client.tcp.tsOffset({
        localAddr: CLIENT,
        localPort: 0,
        remoteAddr: ipv4('198.51.100.0') + i,
        remotePort: 0,
      }),
    );
  assertRandomLooking('timestamp offsets', offsets);
  const sentAtMs = Math.floor(w.sim.now() / 1000);
  connections(w, 10);
  const syn = syns(w, CLIENT, false)[0] as TcpSegment;
  assert.ok(syn.hasTimestamp);
  // TSval is the 1 ms clock plus the pair's random offset: the host's uptime does not show.
  const offset = w.client.tcp.tsOffset({
    localAddr: CLIENT,
    localPort: 0,
    remoteAddr: SERVER,
    remotePort: 0,
  });
  assert.equal((syn.tsVal - sentAtMs) >>> 0, offset);
});

test('SYN cookies: unique and spread over every bit; forged cookies fail', () => {
  const w = world(6, { tcp_syncookies: 2 });
  connections(w, N);
  const cookies = syns(w, SERVER, true).map((s) => s.seq);
  assert.equal(w.server.counters.TcpExt.SyncookiesSent, N);
  assert.equal(w.server.counters.TcpExt.SyncookiesRecv, N);
  assertRandomLooking('SYN cookies', cookies);
  // An off-path attacker completing handshakes with guessed cookies: none checks.
  const l = w.server.tcp.listen(0, 81, 128);
  const rng = new Rng(6);
  const failedBefore = w.server.counters.TcpExt.SyncookiesFailed;
  for (let i = 0; i < 5000; i++) {
    const seg = new TcpSegment();
    seg.srcPort = 1024 + i;
    seg.dstPort = 81;
    seg.seq = rng.nextU32();
    seg.ack = rng.nextU32();
    seg.flags = TCP_ACK;
    seg.window = 1000;
    w.link.b.onReceive?.(buildTcpPacket(CLIENT, SERVER, seg));
  }
  assert.equal(w.server.counters.TcpExt.SyncookiesFailed - failedBefore, 5000);
  assert.equal(l.acceptQueue.length, 0);
});

test('the host secret never appears on the wire', () => {
  const w = world(7, { tcp_syncookies: 2 });
  connections(w, 500);
  connections(w, 200, 81);
  // Every 8-byte stretch of what each host drew while it was built (its ISN, port and SYN-cookie
  // secrets), as the keys lay the bytes out and in the other byte order.
  const patterns = new Map<number, Uint8Array[]>();
  const addPattern = (p: Uint8Array) => {
    const head =
      ((p[0] as number) << 24) | ((p[1] as number) << 16) | ((p[2] as number) << 8) | (p[3] as number);
    const list = patterns.get(head >>> 0) ?? [];
    list.push(p);
    patterns.set(head >>> 0, list);
  };
  for (const drawn of w.secrets) {
    const le = new Uint8Array(drawn.length * 4);
    const be = new Uint8Array(drawn.length * 4);
    const low = new Uint8Array(drawn.map((v) => v & 255));
    drawn.forEach((v, i) => {
      for (let k = 0; k < 4; k++) {
        le[i * 4 + k] = (v >>> (8 * k)) & 255;
        be[i * 4 + k] = (v >>> (8 * (3 - k))) & 255;
      }
    });
    for (const bytes of [le, be, low])
      for (let i = 0; i + 8 <= bytes.length; i++) addPattern(bytes.slice(i, i + 8));
  }
  let scanned = 0;
  for (const p of w.wire) {
    scanned += p.length;
    for (let i = 0; i + 8 <= p.length; i++) {
      const head =
        (((p[i] as number) << 24) |
          ((p[i + 1] as number) << 16) |
          ((p[i + 2] as number) << 8) |
          (p[i + 3] as number)) >>>
        0;
      const list = patterns.get(head);
      if (!list) continue;
      for (const pat of list)
        assert.ok(!pat.every((b, k) => p[i + k] === b), `secret bytes on the wire at ${i}`);
    }
  }
  assert.ok(scanned > 100_000, `only ${scanned} bytes captured`);
  console.log(`scanned ${w.wire.length} packets, ${scanned} bytes: no 8 bytes of either host's secrets`);
});
