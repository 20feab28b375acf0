import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, isnTable, ms, msNum, segLine } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/** RFC 793's maximum segment lifetime: how long the network may hold the old SYN. */
const MSL_US = 120e6;

/**
 * The seed's 1.3.1: why the client sends a third segment. The client's first SYN is held in the
 * network (a congested node); the client gives up on it, sends the SYN again, connects, talks and
 * closes. Two minutes later the old SYN arrives. The server answers it with a SYN-ACK, as it must;
 * a two-way handshake would stop there with a connection nobody asked for. With three, the client,
 * which has no such connection, answers with RST and the server forgets the request.
 */
export const whyThreeWay: Scenario = {
  name: 'why-three-way',
  summary:
    'an old duplicate SYN arrives after the connection it belonged to is gone: the client’s RST kills it',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server, link } = clientServer(ctx, { delayUs: 10_000 });
    let held: Uint8Array | null = null;
    link.ab.dropWhen((pkt) => {
      if (held) return false;
      held = pkt.slice(); // the network keeps it: it is delayed, not lost
      return true;
    });
    const accepted: TcpConnection[] = [];
    const listener = acceptAll(server, 80, (c) => {
      accepted.push(c);
      server.tcp.observe(c, (ev) => {
        if (ev === 'readable') c.readInto(new Uint8Array(4096), sim.now());
        if (ev === 'fin') c.close(sim.now());
      });
    });
    const conn = client.tcp.connect(ipv4('10.0.0.2'), 80, {
      observer: (ev) => {
        if (ev === 'established') {
          conn.send(new Uint8Array(100), sim.now());
          conn.close(sim.now());
        }
      },
    });
    const clientPort = conn.tuple.localPort;
    let peakRequests = 0;
    sim.at(MSL_US, () => {
      if (held) link.ab.send(held);
      sim.after(15_000, () => {
        peakRequests = listener.requests.size;
      });
    });
    sim.run({ until: MSL_US + 1e6 });

    const segs = w.segs.filter((s) => s.dir === 'out').sort((a, b) => a.t - b.t);
    const isn = isnTable(segs, 'client', 'server');
    const peer = (h: string) => (h === 'client' ? 'server' : 'client');
    const late = segs.filter((s) => s.t >= MSL_US);
    const synsAtServer = w.received(server).filter((s) => s.flags === TCP_SYN);
    const synAck = late.find((s) => s.host === 'server' && s.flags === (TCP_SYN | TCP_ACK));
    const rst = late.find((s) => s.host === 'client' && s.flags & TCP_RST);
    const result = {
      firstSynHeldMs: msNum(MSL_US),
      synsReceivedByServer: synsAtServer.map((s) => ({ tMs: msNum(s.t), seq: s.seq })),
      oldSynSeq: synsAtServer.at(-1)?.seq ?? null,
      realConnectionIsn: conn.iss,
      connectionsAccepted: accepted.length,
      oldSynAnsweredWithSynAck: Boolean(synAck),
      clientAnsweredWithRst: Boolean(rst),
      rstSeq: rst?.seq ?? null,
      synAckAck: synAck?.ack ?? null,
      halfOpenRequestsAfterOldSyn: peakRequests,
      halfOpenRequestsAtEnd: listener.requests.size,
      serverEmbryonicRsts: server.counters.TcpExt.EmbryonicRsts,
      serverPassiveOpens: server.counters.Tcp.PassiveOpens,
      clientOutRsts: client.counters.Tcp.OutRsts,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `The client's first SYN (seq ${conn.iss}) is held in the network; the client sends it again after 1 s:`,
        ...segs
          .filter((s) => s.t < MSL_US && s.srcPort !== 0)
          .map((s) => `  ${ms(s.t).padStart(11)} ms  ${segLine(s, peer(s.host), isn)}`),
        `The connection (client port ${clientPort}) was opened, used and closed; ${accepted.length} connection accepted.`,
        `At ${MSL_US / 1e6} s (RFC 793's MSL) the old SYN arrives at the server:`,
        ...late.map((s) => `  ${ms(s.t).padStart(11)} ms  ${segLine(s, peer(s.host))}`),
        `The server answers it (a half-open request: ${peakRequests} in its SYN queue). A two-way handshake would have opened a connection here, holding memory for a client that is not there.`,
        `The client has no connection for that SYN-ACK, so it answers RST seq ${rst?.seq ?? '?'} (the SYN-ACK's ack), and the server drops the request: SYN queue ${listener.requests.size}, EmbryonicRsts ${server.counters.TcpExt.EmbryonicRsts}, PassiveOpens still ${server.counters.Tcp.PassiveOpens}.`,
      ],
    };
  },
};
