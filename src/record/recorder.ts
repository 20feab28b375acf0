import type { Host } from '../host/host.js';
import { tapDevice } from '../link/capture-tap.js';
import type { NetDevice } from '../link/device.js';
import type { PcapWriter } from '../link/pcap.js';
import type { RunObserver } from '../scenarios/scenario.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { Simulator } from '../sim/simulator.js';
import type { FourTuple } from '../tcp/env.js';
import { CA_STATE_NAME, type TcpTraceEvent } from '../tcp/trace.js';
import { formatIpv4, parseCidr, type Ipv4Addr } from '../wire/ipv4-addr.js';
import { IPPROTO_TCP, Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { parseTcp } from '../wire/tcp.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import type { CwndSample, StateChange } from '../viz/model.js';

/** One TCP segment as its sender put it on the wire, and when (if ever) it reached its destination. */
export interface WireSegment {
  timeUs: number;
  /** -1 until the destination host's tap sees it arrive. */
  arriveUs: number;
  /** True when it went from the flow's first endpoint (the one that spoke first) to the second. */
  forward: boolean;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  /** SEG.WND as carried (unscaled). */
  window: number;
  /** Window scale option on a SYN, -1 if absent. */
  wscale: number;
  /** SACK blocks, absolute, [left, right) pairs. */
  sack: number[] | null;
  /** The timestamp option's TSval (0 without one): tells a retransmission from its original. */
  tsVal: number;
}

export interface FlowEnd {
  host: string;
  addr: Ipv4Addr;
  port: number;
}

/** One connection's packets, in the order they were sent, and what its two engines reported. */
export interface Flow {
  key: string;
  /** The endpoint that sent the first packet (normally the client). */
  first: FlowEnd;
  second: FlowEnd;
  segments: WireSegment[];
  /** cwnd, ssthresh and ca_state from each side's engine trace, keyed by the side's host name. */
  cwnd: Map<string, CwndSample[]>;
  states: StateChange[];
  retransmits: { timeUs: number; host: string; seq: number; len: number; reason: string }[];
  /** Segments sent and not yet seen arriving, per direction (forward first), by {@link matchKey}. */
  unarrived: [Map<number, WireSegment[]>, Map<number, WireSegment[]>];
}

/** A number that spreads segments of one direction well; collisions only cost a longer scan. */
function matchKey(seq: number, ack: number): number {
  return (seq ^ Math.imul(ack, 0x9e3779b1)) >>> 0;
}

export interface RecorderOptions {
  /** The capture's writer (its sink a file in Node, memory in a browser); without one nothing is captured. */
  pcap?: PcapWriter;
  /** Stop capturing after this many packets (the segment records go on). Default 250,000. */
  maxPcapPackets?: number;
  /** Stop keeping segment records after this many (the pcap goes on). Default 1,000,000. */
  maxSegments?: number;
  /** Keep segments of at most this many connections (a SYN flood makes one per spoofed SYN). Default 10,000. */
  maxFlows?: number;
}

/** Canonical key of a 4-tuple, the same from either end. */
function flowKey(epoch: number, a: number, ap: number, b: number, bp: number): string {
  return a < b || (a === b && ap <= bp) ? `${epoch}/${a}:${ap}-${b}:${bp}` : `${epoch}/${b}:${bp}-${a}:${ap}`;
}

/**
 * A RunObserver that watches a run the way tcpdump and ss would: it taps every interface a scenario
 * gives a host, captures each packet once (as the host that made it sent it: forwarded copies are
 * left out, so a packet lost on the way is still in the capture), matches every TCP segment with its
 * arrival at the destination host, and keeps each host's engine trace (cwnd, ssthresh, states).
 * It imports no Node built-ins: the pcap goes to a sink the caller gives.
 */
export class Recorder implements RunObserver {
  readonly flows = new Map<string, Flow>();
  readonly hosts: Host[] = [];
  pcap: PcapWriter | null;
  /** Packets left out of the pcap because of maxPcapPackets. */
  pcapSkipped = 0;
  segmentsSkipped = 0;
  private segmentCount = 0;
  private readonly maxPcap: number;
  private readonly maxSegments: number;
  private readonly maxFlows: number;
  private readonly hostOf = new Map<Ipv4Addr, Host>();
  /** The last flow a packet belonged to: bulk transfers send thousands in a row on one. */
  private last: Flow | null = null;
  private lastEpoch = -1;
  private readonly ip = new Ipv4Header();
  private readonly seg = new TcpSegment();
  private readonly earlyTrace = new Map<
    string,
    { t: number; host: string; tuple: FourTuple; ev: TcpTraceEvent }[]
  >();

  constructor(opts: RecorderOptions = {}) {
    this.pcap = opts.pcap ?? null;
    this.maxPcap = opts.maxPcapPackets ?? 250_000;
    this.maxFlows = opts.maxFlows ?? 10_000;
    this.maxSegments = opts.maxSegments ?? 1_000_000;
  }

  /**
   * A scenario may run several simulations one after another (each from time 0): each is a new
   * epoch, placed a second after the last in the capture's time, and its flows are kept apart.
   * A new clock is noticed here or when a host comes with a scheduler not seen before.
   */
  simulator(sim: Simulator): void {
    this.useClock(sim);
  }

  private useClock(clock: Scheduler): void {
    if (this.clock === clock) return;
    if (this.clock) {
      this.offsetUs = this.now() + 1e6;
      this.epoch++;
    }
    this.clock = clock;
  }

  private clock: Scheduler | null = null;
  private offsetUs = 0;
  private epoch = 0;

  host(host: Host): void {
    this.useClock(host.scheduler);
    this.hosts.push(host);
    host.tcp.subscribeTrace((t, tuple, ev) => this.onTrace(t, host, tuple, ev));
  }

  device(host: Host, device: NetDevice, cidr: string): NetDevice {
    this.hostOf.set(parseCidr(cidr).addr, host);
    const verify = !device.checksumOffload;
    return tapDevice(device, (dir, p) =>
      dir === 'out' ? this.onSend(host, p) : this.onArrive(host, p, verify),
    );
  }

  /** Now, in the run's virtual time. */
  private now(): number {
    return this.offsetUs + (this.clock?.now() ?? 0);
  }

  private onSend(host: Host, p: Uint8Array): void {
    const ip = this.ip;
    if (!parseIpv4Header(p, ip, false).ok || !host.isLocalAddress(ip.src)) return; // forwarded
    const t = this.now();
    if (this.pcap) {
      if (this.pcap.packets < this.maxPcap) this.pcap.writePacket(t, p);
      else this.pcapSkipped++;
    }
    if (ip.protocol !== IPPROTO_TCP || ip.mf || ip.fragmentOffset > 0) return;
    const s = this.seg;
    if (!parseTcp(ipv4Payload(p, ip), ip.src, ip.dst, s, false).ok) return;
    if (this.segmentCount >= this.maxSegments) {
      this.segmentsSkipped++;
      return;
    }
    this.segmentCount++;
    let flow = this.flowOf(ip.src, s.srcPort, ip.dst, s.dstPort);
    if (!flow && this.flows.size >= this.maxFlows) {
      this.segmentsSkipped++;
      return;
    }
    if (!flow) {
      const key = flowKey(this.epoch, ip.src, s.srcPort, ip.dst, s.dstPort);
      const end = (addr: number, port: number): FlowEnd => ({
        host: this.hostOf.get(addr)?.name ?? formatIpv4(addr),
        addr,
        port,
      });
      flow = {
        key,
        first: end(ip.src, s.srcPort),
        second: end(ip.dst, s.dstPort),
        segments: [],
        cwnd: new Map(),
        states: [],
        retransmits: [],
        unarrived: [new Map(), new Map()],
      };
      this.flows.set(key, flow);
      this.last = flow;
      this.lastEpoch = this.epoch;
      for (const e of this.earlyTrace.get(key) ?? []) this.applyTrace(flow, e.t, e.host, e.ev);
      this.earlyTrace.delete(key);
    }
    let sack: number[] | null = null;
    if (s.sackCount > 0) sack = Array.from(s.sackBlocks.subarray(0, 2 * s.sackCount));
    const w: WireSegment = {
      timeUs: t,
      arriveUs: -1,
      forward: ip.src === flow.first.addr && s.srcPort === flow.first.port,
      flags: s.flags,
      seq: s.seq,
      ack: s.ack,
      len: s.payload.length,
      window: s.window,
      wscale: s.wscale,
      sack,
      tsVal: s.hasTimestamp ? s.tsVal : 0,
    };
    flow.segments.push(w);
    const pending = flow.unarrived[w.forward ? 0 : 1];
    const k = matchKey(w.seq, w.ack);
    const list = pending.get(k);
    if (list) list.push(w);
    else pending.set(k, [w]);
  }

  /** The flow of a 4-tuple in this epoch, if it has one. */
  private flowOf(src: number, sport: number, dst: number, dport: number): Flow | undefined {
    const l = this.last;
    if (l && this.lastEpoch === this.epoch) {
      const a = l.first;
      const b = l.second;
      if (
        (a.addr === src && a.port === sport && b.addr === dst && b.port === dport) ||
        (a.addr === dst && a.port === dport && b.addr === src && b.port === sport)
      )
        return l;
    }
    const f = this.flows.get(flowKey(this.epoch, src, sport, dst, dport));
    if (f) {
      this.last = f;
      this.lastEpoch = this.epoch;
    }
    return f;
  }

  private onArrive(host: Host, p: Uint8Array, verify: boolean): void {
    const ip = this.ip;
    if (!parseIpv4Header(p, ip, verify).ok || !host.isLocalAddress(ip.dst)) return;
    if (ip.protocol !== IPPROTO_TCP || ip.mf || ip.fragmentOffset > 0) return;
    // A corrupted segment is dropped by the host's checksum check: it did not arrive.
    const s = this.seg;
    if (!parseTcp(ipv4Payload(p, ip), ip.src, ip.dst, s, verify).ok) return;
    const flow = this.flowOf(ip.src, s.srcPort, ip.dst, s.dstPort);
    if (!flow) return;
    const forward = ip.src === flow.first.addr && s.srcPort === flow.first.port;
    const pending = flow.unarrived[forward ? 0 : 1];
    const k = matchKey(s.seq, s.ack);
    const list = pending.get(k);
    if (!list) return;
    const tsVal = s.hasTimestamp ? s.tsVal : 0;
    const len = s.payload.length;
    // The newest matching send: a retransmission that got through, not the lost original.
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i] as WireSegment;
      if (w.seq !== s.seq || w.ack !== s.ack || w.flags !== s.flags || w.len !== len || w.tsVal !== tsVal)
        continue;
      w.arriveUs = this.now();
      if (list.length === 1) pending.delete(k);
      else list.splice(i, 1);
      return;
    }
  }

  private onTrace(_t: number, host: Host, tuple: FourTuple, ev: TcpTraceEvent): void {
    if (tuple.remotePort === 0) return; // a listener
    const t = this.now();
    const key = flowKey(this.epoch, tuple.localAddr, tuple.localPort, tuple.remoteAddr, tuple.remotePort);
    const flow = this.flows.get(key);
    if (flow) this.applyTrace(flow, t, host.name, ev);
    else if (this.flows.size < this.maxFlows) {
      // Events before the connection's first packet (its first state change) wait for it.
      let l = this.earlyTrace.get(key);
      if (!l) this.earlyTrace.set(key, (l = []));
      l.push({ t, host: host.name, tuple, ev });
    }
  }

  private applyTrace(flow: Flow, t: number, host: string, ev: TcpTraceEvent): void {
    if (ev.type === 'state') flow.states.push({ timeUs: t, endpoint: host, state: ev.to });
    else if (ev.type === 'cwnd') {
      let l = flow.cwnd.get(host);
      if (!l) flow.cwnd.set(host, (l = []));
      l.push({
        timeUs: t,
        cwnd: ev.cwnd,
        ssthresh: ev.ssthresh,
        inFlight: ev.inFlight,
        caState: CA_STATE_NAME[ev.caState] ?? String(ev.caState),
      });
    } else if (ev.type === 'retransmit')
      flow.retransmits.push({ timeUs: t, host, seq: ev.seq, len: ev.len, reason: ev.reason });
  }

  /** The flow that carried the most payload bytes (the one a report draws), or undefined. */
  busiestFlow(): Flow | undefined {
    let best: Flow | undefined;
    let bestBytes = -1;
    for (const f of this.flows.values()) {
      let n = 0;
      for (const s of f.segments) n += s.len;
      if (n > bestBytes) [best, bestBytes] = [f, n];
    }
    return best;
  }
}
