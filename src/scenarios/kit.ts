import { Host } from '../host/host.js';
import { tapDevice } from '../link/capture-tap.js';
import type { LinkImpairments } from '../link/fault-model.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { parseTcp } from '../wire/tcp.js';
import { TCP_ACK, TcpSegment, formatTcpFlags } from '../wire/tcp-segment.js';
import { addHost, addInterface, type ScenarioContext } from './scenario.js';

/** One TCP segment as a host sent ('out') or received ('in') it, decoded for a scenario's figures. */
export interface Seg {
  /** Virtual time, µs. */
  t: number;
  /** The host whose interface saw it. */
  host: string;
  dir: 'in' | 'out';
  srcPort: number;
  dstPort: number;
  flags: number;
  seq: number;
  ack: number;
  /** The window field as sent (unscaled). */
  win: number;
  len: number;
  /** The MSS option, or -1. */
  mss: number;
  wscale: number;
  sackOk: boolean;
  timestamps: boolean;
  sackBlocks: number;
  /** The IPv4 packet's total length. */
  ipLen: number;
}

/**
 * The scaffolding every scenario shares: a seeded simulator, hosts made with the run's --set
 * settings (over the scenario's own defaults), links whose ends go through the run's observer,
 * and a record of every TCP segment each host sent and received (tcpdump on every interface).
 */
export class World {
  readonly sim: Simulator;
  readonly hosts: Host[] = [];
  readonly segs: Seg[] = [];
  /** Called for each segment as it is recorded (before the host acts on an arriving one). */
  onSegment: ((s: Seg) => void) | null = null;
  private readonly ip = new Ipv4Header();
  private readonly tcp = new TcpSegment();

  constructor(
    readonly ctx: ScenarioContext,
    /** Record segments (off for long bulk runs that do not need them). */
    readonly record = true,
  ) {
    this.sim = new Simulator({ seed: ctx.seed });
    ctx.observer?.simulator?.(this.sim);
  }

  /** A host with the scenario's defaults, overridden by the run's --set settings. */
  host(name: string, defaults: Record<string, string | number> = {}): Host {
    const sim = this.sim;
    const settings = { ...defaults, ...this.ctx.settings };
    const h = addHost(
      this.ctx.observer,
      new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }),
    );
    this.hosts.push(h);
    return h;
  }

  /** A router: forwarding on, nothing else changed. */
  router(name: string): Host {
    return this.host(name, { ip_forward: 1 });
  }

  /** A point-to-point link from a to b with the given impairments on both directions. */
  link(a: Host, aCidr: string, b: Host, bCidr: string, both: Partial<LinkImpairments>): PointToPointLink {
    const l = new PointToPointLink(this.sim, { name: `${a.name}-${b.name}`, both });
    this.attach(a, l.a, aCidr);
    this.attach(b, l.b, bCidr);
    return l;
  }

  private attach(h: Host, dev: PointToPointLink['a'], cidr: string): void {
    const d = this.record ? tapDevice(dev, (dir, p) => this.see(h.name, dir, p)) : dev;
    addInterface(this.ctx.observer, h, d, cidr);
  }

  private see(host: string, dir: 'in' | 'out', p: Uint8Array): void {
    const ip = this.ip;
    const seg = this.tcp;
    if (!parseIpv4Header(p, ip, false).ok || ip.protocol !== 6 || ip.fragmentOffset > 0 || ip.mf) return;
    if (!parseTcp(ipv4Payload(p, ip), ip.src, ip.dst, seg, false).ok) return;
    const s: Seg = {
      t: this.sim.now(),
      host,
      dir,
      srcPort: seg.srcPort,
      dstPort: seg.dstPort,
      flags: seg.flags,
      seq: seg.seq,
      ack: seg.ack,
      win: seg.window,
      len: seg.payload.length,
      mss: seg.mss,
      wscale: seg.wscale,
      sackOk: seg.sackPermitted,
      timestamps: seg.hasTimestamp,
      sackBlocks: seg.sackCount,
      ipLen: ip.totalLength,
    };
    this.segs.push(s);
    this.onSegment?.(s);
  }

  /** Segments a host sent (or received), in time order. */
  sent(host: Host | string): Seg[] {
    const n = typeof host === 'string' ? host : host.name;
    return this.segs.filter((s) => s.host === n && s.dir === 'out');
  }

  received(host: Host | string): Seg[] {
    const n = typeof host === 'string' ? host : host.name;
    return this.segs.filter((s) => s.host === n && s.dir === 'in');
  }

  now(): number {
    return this.sim.now();
  }
}

/** A two-host world: client 10.0.0.1 and server 10.0.0.2 on one link. */
export function clientServer(
  ctx: ScenarioContext,
  link: Partial<LinkImpairments>,
  defaults: Record<string, string | number> = {},
  names: [string, string] = ['client', 'server'],
) {
  const w = new World(ctx);
  const client = w.host(names[0], defaults);
  const server = w.host(names[1], defaults);
  const l = w.link(client, '10.0.0.1/24', server, '10.0.0.2/24', link);
  return { w, sim: w.sim, client, server, link: l };
}

/** A server that accepts every connection and hands each one to `onConn`. */
export function acceptAll(
  host: Host,
  port: number,
  onConn: (c: TcpConnection) => void,
  backlog = 128,
  buffers: { rcvBuf?: number; sndBuf?: number } = {},
) {
  const l = host.tcp.listen(
    0,
    port,
    backlog,
    () => {
      for (let c = l.accept(); c; c = l.accept()) onConn(c);
    },
    buffers,
  );
  return l;
}

/** Keep `conn` fed from an endless source: bulk senders in the congestion scenarios. */
export function sendForever(
  host: Host,
  conn: TcpConnection,
  now: () => number,
  limit = Infinity,
): () => number {
  const data = new Uint8Array(64 * 1024);
  let sent = 0;
  const pump = (): void => {
    while (sent < limit) {
      const n = conn.send(
        limit === Infinity ? data : data.subarray(0, Math.min(data.length, limit - sent)),
        now(),
      );
      if (n <= 0) break;
      sent += n;
    }
  };
  host.tcp.observe(conn, (ev) => {
    if (ev === 'established' || ev === 'writable') pump();
  });
  if (conn.state === 'ESTABLISHED') pump();
  return () => sent;
}

/** Read and discard everything that arrives on `conn`; returns a counter of bytes read. */
export function drain(host: Host, conn: TcpConnection, now: () => number): { bytes: number } {
  const buf = new Uint8Array(1 << 16);
  const got = { bytes: 0 };
  host.tcp.observe(conn, (ev) => {
    if (ev === 'readable')
      for (let n = conn.readInto(buf, now()); n > 0; n = conn.readInto(buf, now())) got.bytes += n;
    if (ev === 'fin') conn.close(now());
  });
  return got;
}

/** Milliseconds with three decimals, for stories. */
export function ms(us: number): string {
  return (us / 1000).toFixed(3);
}

/** Rounded milliseconds, for results. */
export function msNum(us: number): number {
  return Math.round(us) / 1000;
}

/**
 * A segment in the words of a ladder diagram: "client > server [S.] seq 0 ack 1 win 65160 <mss 1460>".
 * Sequence numbers are relative to each side's ISN (as tcpdump shows them) when `isn` is given.
 */
export function segLine(
  s: Seg,
  peer: string,
  isn?: { of(host: string): number; peerOf(host: string): number },
): string {
  const seq = isn ? (s.seq - isn.of(s.host)) >>> 0 : s.seq;
  const ack = isn ? (s.ack - isn.peerOf(s.host)) >>> 0 : s.ack;
  let t = `${s.host} > ${peer} [${formatTcpFlags(s.flags)}] seq ${seq}`;
  if (s.len > 0) t += `:${(seq + s.len) >>> 0}`;
  if (s.flags & TCP_ACK) t += ` ack ${ack}`;
  t += ` win ${s.win}`;
  if (s.mss >= 0) {
    const opts = [
      `mss ${s.mss}`,
      s.sackOk ? 'sackOK' : '',
      s.timestamps ? 'TS' : '',
      s.wscale >= 0 ? `wscale ${s.wscale}` : '',
    ];
    t += ` <${opts.filter(Boolean).join(',')}>`;
  }
  if (s.len > 0) t += ` (${s.len} bytes)`;
  return t;
}

/** Relative sequence numbers for a two-host conversation: ISNs from the SYNs each host sent. */
export function isnTable(segs: Seg[], a: string, b: string) {
  const isnOf = new Map<string, number>();
  for (const s of segs) if (s.dir === 'out' && s.flags & 0x02 && !isnOf.has(s.host)) isnOf.set(s.host, s.seq);
  return {
    of: (h: string) => isnOf.get(h) ?? 0,
    peerOf: (h: string) => isnOf.get(h === a ? b : a) ?? 0,
  };
}

export interface StateChange {
  t: number;
  localPort: number;
  remotePort: number;
  from: string;
  to: string;
}

/** Every TCP state change on a host, from the engine's trace. */
export function traceStates(host: Host): StateChange[] {
  const out: StateChange[] = [];
  host.tcp.subscribeTrace((t, tuple, ev) => {
    if (ev.type === 'state')
      out.push({ t, localPort: tuple.localPort, remotePort: tuple.remotePort, from: ev.from, to: ev.to });
  });
  return out;
}

/** The states one connection walked through, starting with the first `from`. */
export function statePath(changes: StateChange[], localPort?: number): string[] {
  const mine = changes.filter((c) => localPort === undefined || c.localPort === localPort);
  return mine.length === 0 ? [] : [mine[0]?.from as string, ...mine.map((c) => c.to)];
}
