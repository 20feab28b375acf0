import type { NetDevice } from '../link/device.js';
import { Simulator } from '../sim/simulator.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import { Host } from './host.js';
import { PointToPointLink, type PointToPointOptions } from '../link/sim-link.js';
import type { TcpConnection } from '../tcp/connection.js';
import { describePacket } from '../wire/packet.js';

export const HOST = ipv4('10.0.0.1');
export const PEER = ipv4('10.0.0.2');

/** A device that hands the host's segments to the test and lets it inject its own. */
class Wire implements NetDevice {
  mtu = 1500;
  checksumOffload = false;
  onReceive: ((p: Uint8Array) => void) | null = null;
  readonly sent: TcpSegment[] = [];
  constructor(private readonly sim: Simulator) {}
  times: number[] = [];
  transmit(p: Uint8Array): void {
    const h = new Ipv4Header();
    if (!parseIpv4Header(p, h).ok) return;
    const seg = new TcpSegment();
    if (!parseTcp(ipv4Payload(p, h), h.src, h.dst, seg).ok) return;
    seg.payload = seg.payload.slice();
    this.sent.push(seg);
    this.times.push(this.sim.now());
  }
}

export interface SegSpec {
  flags: number;
  seq: number;
  ack?: number;
  win?: number;
  sport?: number;
  dport?: number;
  data?: number;
  mss?: number;
  ts?: [number, number];
  wscale?: number;
  sackOk?: boolean;
}

/** A synack host on one side and the test script on the other, like packetdrill. */
export function scripted(seed = 1, settings: Record<string, number | string> = {}) {
  const sim = new Simulator({ seed });
  const host = new Host({ name: 'h', scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const wire = new Wire(sim);
  host.addInterface(wire, '10.0.0.1/24');
  const inject = (s: SegSpec) => {
    const seg = new TcpSegment();
    seg.srcPort = s.sport ?? 40000;
    seg.dstPort = s.dport ?? 80;
    seg.seq = s.seq >>> 0;
    seg.ack = (s.ack ?? 0) >>> 0;
    seg.flags = s.flags;
    seg.window = s.win ?? 65535;
    if (s.mss !== undefined) seg.mss = s.mss;
    if (s.wscale !== undefined) seg.wscale = s.wscale;
    if (s.sackOk) seg.sackPermitted = true;
    if (s.ts) {
      seg.hasTimestamp = true;
      [seg.tsVal, seg.tsEcr] = s.ts;
    }
    if (s.data) seg.payload = new Uint8Array(s.data);
    wire.onReceive?.(buildTcpPacket(PEER, HOST, seg));
  };
  return { sim, host, wire, inject };
}

export function pair(seed: number, link: PointToPointOptions = { both: { delayUs: 10_000 } }, settings = {}) {
  const sim = new Simulator({ seed });
  const mk = (name: string) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const a = mk('a');
  const b = mk('b');
  const l = new PointToPointLink(sim, { name: 'l', ...link });
  a.addInterface(l.a, '10.0.0.1/24');
  b.addInterface(l.b, '10.0.0.2/24');
  return { sim, a, b, l };
}

/** Read everything readable from a connection into `sink`. */
function drain(c: TcpConnection, now: number, sink: number[]): void {
  const buf = new Uint8Array(65536);
  for (let n = c.readInto(buf, now); n > 0; n = c.readInto(buf, now))
    for (let i = 0; i < n; i++) sink.push(buf[i] as number);
}

function pattern(n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + salt) & 255);
}

/**
 * A client sends `up` bytes, the server sends `down` bytes, both close. Returns what each got and
 * the final states.
 */
export function transfer(seed: number, up: number, down: number, link?: PointToPointOptions, trace = false) {
  const { sim, a, b, l } = pair(seed, link);
  if (trace) l.observe((t, p) => console.log((t / 1e6).toFixed(6), describePacket(p)));
  const gotByServer: number[] = [];
  const gotByClient: number[] = [];
  const upData = pattern(up, 1);
  const downData = pattern(down, 2);
  let server: TcpConnection | null = null;
  let upSent = 0;
  let downSent = 0;
  const pump = (c: TcpConnection, data: Uint8Array, sent: number, setSent: (n: number) => void) => {
    let s = sent;
    while (s < data.length) {
      const n = c.send(data.subarray(s, Math.min(data.length, s + 65536)), sim.now());
      if (n === 0) break;
      s += n;
    }
    setSent(s);
    if (s === data.length) c.shutdownWrite(sim.now());
  };
  const listener = b.tcp.listen(0, 80, 128, () => {
    const c = listener.accept();
    if (!c) return;
    server = c;
    b.tcp.observe(c, (ev) => {
      if (ev === 'readable') {
        drain(c, sim.now(), gotByServer);
        if (c.eof) pump(c, downData, downSent, (n) => (downSent = n));
      }
      if (ev === 'writable' && c.eof) pump(c, downData, downSent, (n) => (downSent = n));
    });
    drain(c, sim.now(), gotByServer);
  });
  const client = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') pump(client, upData, upSent, (n) => (upSent = n));
      if (ev === 'readable') drain(client, sim.now(), gotByClient);
    },
  });
  sim.run({ until: 3_600e6 });
  const ok =
    gotByServer.length === up &&
    gotByClient.length === down &&
    gotByServer.every((v, i) => v === upData[i]) &&
    gotByClient.every((v, i) => v === downData[i]);
  return {
    sim,
    a,
    b,
    ok,
    gotByServer: gotByServer.length,
    gotByClient: gotByClient.length,
    clientState: client.state,
    serverState: (server as TcpConnection | null)?.state ?? 'none',
    tables: a.tcp.connections.size + b.tcp.connections.size,
  };
}
