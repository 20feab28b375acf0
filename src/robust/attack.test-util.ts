import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Ipv4Header } from '../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../wire/ipv4.js';
import { buildTcpPacket } from '../wire/packet.js';
import { parseTcp } from '../wire/tcp.js';
import { TcpSegment } from '../wire/tcp-segment.js';

export const CLIENT = ipv4('10.0.0.1');
export const SERVER = ipv4('10.0.0.2');

/** Every byte of a stream is a function of its position: corruption or injection shows. */
export function streamByte(i: number): number {
  return (i * 2654435761) >>> 24;
}

/**
 * A client streaming `total` bytes to a server over a 5 ms link, and an off-path attacker who
 * knows the 4-tuple (addresses and ports) but sees none of the traffic: it injects packets into the
 * server's interface as if they came from the client.
 */
export function victim(seed: number, settings: Record<string, number | string> = {}, total = 1 << 20) {
  const sim = new Simulator({ seed });
  const mk = (name: string) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const client = mk('client');
  const server = mk('server');
  const link = new PointToPointLink(sim, { name: 'l', both: { delayUs: 5000 } });
  client.addInterface(link.a, '10.0.0.1/24');
  server.addInterface(link.b, '10.0.0.2/24');
  let received = 0;
  let corrupt = 0;
  let serverConn: TcpConnection | null = null;
  const errors: string[] = [];
  const buf = new Uint8Array(65536);
  const drain = (c: TcpConnection) => {
    for (let n = c.readInto(buf, sim.now()); n > 0; n = c.readInto(buf, sim.now())) {
      for (let i = 0; i < n; i++) if (buf[i] !== streamByte(received + i)) corrupt++;
      received += n;
    }
  };
  const l = server.tcp.listen(0, 80, 16, () => {
    const c = l.accept();
    if (!c) return;
    serverConn = c;
    server.tcp.observe(c, (ev, errno) => {
      if (ev === 'readable') drain(c);
      if (ev === 'error') errors.push(`server ${errno}`);
    });
  });
  let sent = 0;
  const chunk = new Uint8Array(16384);
  const conn = client.tcp.connect(SERVER, 80, {
    observer: (ev, errno) => {
      if (ev === 'error') errors.push(`client ${errno}`);
      if (ev !== 'established' && ev !== 'writable') return;
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        for (let i = 0; i < n; i++) chunk[i] = streamByte(sent + i);
        const k = conn.send(chunk.subarray(0, n), sim.now());
        sent += k;
        if (k < n) break;
      }
    },
  });
  sim.runFor(200_000);
  const s = serverConn as TcpConnection | null;
  if (!s) throw new Error('no connection');
  /** Packets the server sent (to see challenge ACKs on the wire). */
  const fromServer: TcpSegment[] = [];
  link.observe((_t, p) => {
    const h = new Ipv4Header();
    if (!parseIpv4Header(p, h).ok || h.src !== SERVER) return;
    const seg = new TcpSegment();
    if (parseTcp(ipv4Payload(p, h), h.src, h.dst, seg).ok) fromServer.push(seg);
  });
  /** The attacker: a spoofed segment from the client's address and port to the server. */
  const inject = (f: (seg: TcpSegment) => void) => {
    const seg = new TcpSegment();
    seg.srcPort = conn.tuple.localPort;
    seg.dstPort = 80;
    seg.window = 65535;
    f(seg);
    link.b.onReceive?.(buildTcpPacket(CLIENT, SERVER, seg));
  };
  return {
    sim,
    client,
    server,
    link,
    conn,
    serverConn: s,
    inject,
    fromServer,
    errors,
    total,
    get received() {
      return received;
    },
    get corrupt() {
      return corrupt;
    },
  };
}
