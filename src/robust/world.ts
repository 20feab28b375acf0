import { Host } from '../host/host.js';
import type { NetDevice } from '../link/device.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import type { TcpListener } from '../tcp/listener.js';
import { seqAdd, seqGt } from '../tcp/seq.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { IPPROTO_TCP, Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TCP_ACK, TCP_FIN, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';

/** The host under attack, its peer (scripted, like packetdrill), and an address nobody answers for. */
export const TARGET = ipv4('10.0.0.1');
export const PEER = ipv4('10.0.0.2');
export const SILENT = ipv4('10.0.0.3');
export const LISTEN_PORT = 80;
/** Connections a fuzzed host keeps at most (beyond, the application resets the extra ones). */
const MAX_CONNECTIONS = 40;

/** The TCP states a fuzzed host holds sockets in (RFC 9293 §3.3.2; SYN-RECEIVED as a request). */
export const FUZZ_STATES = [
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
] as const;
export type FuzzState = (typeof FUZZ_STATES)[number];

/** One connection the script made, and what the peer knows of it. */
export interface Slot {
  want: FuzzState;
  /** Remote address and port as the host sees them (the peer's side). */
  peerAddr: number;
  peerPort: number;
  localPort: number;
  conn: TcpConnection | null;
  /** The peer's next sequence number and the host's (what the peer would acknowledge). */
  peerNxt: number;
  hostNxt: number;
  /** The host's latest TSval, for the peer's TSecr. */
  hostTs: number;
}

/** A device that records what the host sends (for the peer and the mutation corpus). */
class Tap implements NetDevice {
  readonly mtu = 1500;
  readonly checksumOffload = false;
  onReceive: ((p: Uint8Array) => void) | null = null;
  /** Packets on the wire in both directions, oldest first, at most `cap` of them. */
  readonly corpus: Uint8Array[] = [];
  sentPackets = 0;
  constructor(
    private readonly onSent: (p: Uint8Array) => void,
    private readonly cap: number,
  ) {}
  transmit(p: Uint8Array): void {
    this.sentPackets++;
    this.record(p);
    this.onSent(p);
  }
  record(p: Uint8Array): void {
    if (this.corpus.length >= this.cap) this.corpus.splice(0, this.corpus.length >> 1);
    this.corpus.push(p.slice());
  }
}

/**
 * A host with sockets in every TCP state, set up by a scripted peer: each state gets its own
 * connection (its own peer port), reached by the segments a real peer would send. The peer keeps
 * track of both sides' sequence numbers and timestamps so that later packets (good or hostile) can
 * be aimed at a connection. Everything the host sends and the peer sent is kept as a corpus of real
 * traffic for mutation.
 */
export class FuzzWorld {
  readonly sim: Simulator;
  readonly host: Host;
  readonly tap: Tap;
  readonly slots: Slot[] = [];
  listener!: TcpListener;
  private readonly ipRx = new Ipv4Header();
  private readonly segRx = new TcpSegment();
  private peerClock = 1000;

  constructor(seed: number, settings: Record<string, string | number> = {}, corpusCap = 4096) {
    this.sim = new Simulator({ seed });
    this.host = new Host({
      name: 'target',
      scheduler: this.sim,
      random32: () => this.sim.rng.nextU32(),
      // Small buffers keep the limits within reach of a fuzzer.
      settings: { tcp_rmem: '4096 16384 65536', tcp_wmem: '4096 16384 65536', ...settings },
    });
    this.tap = new Tap((p) => this.observe(p), corpusCap);
    this.host.addInterface(this.tap, '10.0.0.1/24');
    this.host.setDefaultGateway('10.0.0.254');
  }

  /** Deliver a packet to the host as if from the wire. */
  inject(p: Uint8Array): void {
    this.tap.onReceive?.(p);
  }

  /** The host's packets tell the peer where the host's sequence numbers and clock are. */
  private observe(p: Uint8Array): void {
    const ip = this.ipRx;
    if (!parseIpv4Header(p, ip).ok || ip.protocol !== IPPROTO_TCP || ip.mf || ip.fragmentOffset) return;
    const seg = this.segRx;
    if (!parseTcp(ipv4Payload(p, ip), ip.src, ip.dst, seg).ok) return;
    for (const s of this.slots) {
      if (s.peerAddr !== ip.dst || s.peerPort !== seg.dstPort || s.localPort !== seg.srcPort) continue;
      const end = seqAdd(seg.seq, seg.segLen);
      if (seg.flags & TCP_SYN || seqGt(end, s.hostNxt)) s.hostNxt = end;
      if (seg.hasTimestamp) s.hostTs = seg.tsVal;
    }
  }

  /** A segment from the peer on `slot`, with the peer's current numbers unless overridden. */
  segment(
    s: Slot,
    flags: number,
    o: { seq?: number; ack?: number; data?: number; syn?: boolean } = {},
  ): TcpSegment {
    const seg = new TcpSegment();
    seg.srcPort = s.peerPort;
    seg.dstPort = s.localPort;
    seg.seq = (o.seq ?? s.peerNxt) >>> 0;
    seg.ack = (o.ack ?? s.hostNxt) >>> 0;
    seg.flags = flags;
    seg.window = 65535;
    seg.hasTimestamp = true;
    this.peerClock += 1;
    seg.tsVal = this.peerClock;
    seg.tsEcr = flags & TCP_ACK ? s.hostTs : 0;
    if (o.syn) {
      seg.mss = 1460;
      seg.wscale = 7;
      seg.sackPermitted = true;
    }
    if (o.data) {
      seg.payload = new Uint8Array(o.data);
      for (let i = 0; i < o.data; i++) (seg.payload as Uint8Array)[i] = (i * 31 + s.peerPort) & 255;
    }
    return seg;
  }

  /** Send a peer segment to the host (and keep it in the corpus). */
  send(s: Slot, seg: TcpSegment): void {
    const p = buildTcpPacket(s.peerAddr, TARGET, seg, { id: this.peerClock & 0xffff });
    this.tap.record(p);
    const end = seqAdd(seg.seq, seg.segLen);
    if (seqGt(end, s.peerNxt)) s.peerNxt = end;
    this.inject(p);
  }

  private settle(us = 1000): void {
    this.sim.runFor(us);
  }

  /** Open a connection from the peer and accept it: ESTABLISHED, with data both ways. */
  private established(want: FuzzState, port: number): Slot {
    const s: Slot = {
      want,
      peerAddr: PEER,
      peerPort: port,
      localPort: LISTEN_PORT,
      conn: null,
      peerNxt: 0x10000000 + port * 7919,
      hostNxt: 0,
      hostTs: 0,
    };
    this.slots.push(s);
    this.send(s, this.segment(s, TCP_SYN, { syn: true }));
    this.send(s, this.segment(s, TCP_ACK));
    s.conn = this.listener.accept();
    return s;
  }

  /** Build every state. Returns the world for chaining. */
  setUp(): this {
    this.listener = this.host.tcp.listen(0, LISTEN_PORT, 64);
    for (const st of FUZZ_STATES) if (st !== 'LISTEN') this.build(st);
    this.settle();
    return this;
  }

  private nextPort = 1000;

  /**
   * Put a new connection in `want`, as a peer would (each on a fresh peer port). SYN-SENT comes in
   * two kinds: to an address that never answers and to the peer, which stays silent.
   */
  build(want: Exclude<FuzzState, 'LISTEN'>): void {
    const now = () => this.sim.now();
    const port = this.nextPort++;
    if (this.nextPort > 60000) this.nextPort = 1000;
    switch (want) {
      case 'ESTABLISHED': {
        // Data queued both ways and a hole in what the host received.
        const est = this.established(want, port);
        est.conn?.send(new Uint8Array(6000).fill(7), now());
        this.send(est, this.segment(est, TCP_ACK, { data: 500 }));
        const inOrder = est.peerNxt;
        this.send(est, this.segment(est, TCP_ACK, { seq: seqAdd(inOrder, 700), data: 300 }));
        est.peerNxt = inOrder;
        return;
      }
      case 'SYN-RECEIVED': {
        // A SYN never answered: a request in the listener's SYN queue.
        const sr: Slot = {
          want,
          peerAddr: PEER,
          peerPort: port,
          localPort: LISTEN_PORT,
          conn: null,
          peerNxt: (0x20000000 + port * 104729) >>> 0,
          hostNxt: 0,
          hostTs: 0,
        };
        this.slots.push(sr);
        this.send(sr, this.segment(sr, TCP_SYN, { syn: true }));
        return;
      }
      case 'CLOSE-WAIT': {
        // The peer closed, leaving data unread.
        const cw = this.established(want, port);
        this.send(cw, this.segment(cw, TCP_ACK | TCP_FIN, { data: 100 }));
        return;
      }
      case 'LAST-ACK': {
        // The peer closed, then the application; our FIN is not acknowledged.
        const la = this.established(want, port);
        this.send(la, this.segment(la, TCP_ACK | TCP_FIN));
        la.conn?.shutdownWrite(now());
        return;
      }
      case 'FIN-WAIT-1': {
        // We closed (half-close) after data; nothing acknowledged.
        const fw1 = this.established(want, port);
        fw1.conn?.send(new Uint8Array(2000).fill(1), now());
        fw1.conn?.shutdownWrite(now());
        return;
      }
      case 'FIN-WAIT-2': {
        // Our FIN acknowledged, the peer still open.
        const fw2 = this.established(want, port);
        fw2.conn?.shutdownWrite(now());
        this.send(fw2, this.segment(fw2, TCP_ACK));
        return;
      }
      case 'CLOSING': {
        // Both FINs crossed; ours not yet acknowledged.
        const cl = this.established(want, port);
        const before = cl.hostNxt;
        cl.conn?.shutdownWrite(now());
        this.send(cl, this.segment(cl, TCP_ACK | TCP_FIN, { ack: before }));
        return;
      }
      case 'TIME-WAIT': {
        // We closed first and everything was acknowledged.
        const tw = this.established(want, port);
        tw.conn?.close(now());
        this.send(tw, this.segment(tw, TCP_ACK | TCP_FIN));
        return;
      }
      case 'SYN-SENT': {
        for (const [addr, rport] of [
          [SILENT, 9],
          [PEER, 9999],
        ] as const) {
          const c = this.host.tcp.connect(addr, rport);
          this.slots.push({
            want,
            peerAddr: addr,
            peerPort: rport,
            localPort: c.tuple.localPort,
            conn: c,
            peerNxt: (0x30000000 + c.tuple.localPort) >>> 0,
            hostNxt: seqAdd(c.iss, 1),
            hostTs: 0,
          });
        }
        return;
      }
    }
  }

  /**
   * Replace connections the fuzzing has ended (or moved to another state) with fresh ones in the
   * state they stood for, so that every state keeps being attacked. Returns how many were made.
   */
  revive(): number {
    const have = this.states();
    let made = 0;
    // Dead connections stay targets for a while (their 4-tuples meet the listener or a RST), but
    // only the latest few.
    const alive: Slot[] = [];
    const dead: Slot[] = [];
    for (const s of this.slots) {
      const up =
        s.want === 'SYN-RECEIVED'
          ? this.listener.requests.size > 0
          : s.conn !== null && s.conn.state !== 'CLOSED';
      (up ? alive : dead).push(s);
    }
    this.slots.length = 0;
    this.slots.push(...alive, ...dead.slice(-8));
    // The application accepts what the fuzzing's handshakes completed and closes it; past a few
    // dozen connections it resets the ones no slot stands for, to keep the host busy but small.
    const now = this.sim.now();
    for (let c = this.listener.accept(); c; c = this.listener.accept()) c.close(now);
    if (this.host.tcp.connections.size > MAX_CONNECTIONS) {
      const mine = new Set(this.slots.map((x) => x.conn));
      for (const c of [...this.host.tcp.connections.values()]) {
        if (this.host.tcp.connections.size <= MAX_CONNECTIONS) break;
        if (!mine.has(c)) c.abort(now);
      }
    }
    for (const st of FUZZ_STATES) {
      if (st === 'LISTEN' || have.has(st)) continue;
      this.build(st);
      made++;
    }
    return made;
  }

  /** The state each slot is in now (a request in the SYN queue reads as SYN-RECEIVED). */
  states(): Set<string> {
    const out = new Set<string>(['LISTEN']);
    for (const c of this.host.tcp.connections.values()) out.add(c.state);
    if (this.listener.requests.size > 0) out.add('SYN-RECEIVED');
    return out;
  }

  /** The application lets go of everything: close every connection and the listener. */
  closeAll(): void {
    const now = this.sim.now();
    for (const c of [...this.host.tcp.connections.values()]) c.close(now);
    for (const c of this.listener.acceptQueue) c.close(now);
    this.host.tcp.closeListener(this.listener);
  }
}
