import type { NetDevice } from '../link/device.js';
import { Simulator } from '../sim/simulator.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import { Host } from './host.js';

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
