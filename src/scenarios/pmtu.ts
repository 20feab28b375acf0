import { ipv4 } from '../wire/ipv4-addr.js';
import { World, acceptAll } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const TOTAL = 100_000;
const MTU = 1280;

/**
 * The seed's 5.1.1: TCP segments at the MSS so that IP never fragments, and sets DF; when a link
 * on the way has a smaller MTU, the router there cannot forward and answers ICMP "fragmentation
 * needed" with its next-hop MTU (RFC 1191). Path a — r1 — r2 — b, the middle link's MTU 1280: the
 * sender lowers its MSS to 1280 − 40 = 1240 (1228 of data with timestamps) and resends at once.
 */
export const pmtu: Scenario = {
  name: 'pmtu',
  summary:
    'path MTU discovery: a 1280-byte link in the middle, ICMP frag-needed, the MSS drops from 1460 to 1240',
  run(ctx: ScenarioContext) {
    const w = new World(ctx);
    const a = w.host('a');
    const r1 = w.router('r1');
    const r2 = w.router('r2');
    const b = w.host('b');
    w.link(a, '10.0.1.2/24', r1, '10.0.1.1/24', { delayUs: 5000 });
    w.link(r1, '10.0.2.1/24', r2, '10.0.2.2/24', { delayUs: 5000, mtu: MTU });
    w.link(r2, '10.0.3.1/24', b, '10.0.3.2/24', { delayUs: 5000 });
    a.setDefaultGateway('10.0.1.1');
    r1.setDefaultGateway('10.0.2.2');
    r2.setDefaultGateway('10.0.2.1');
    b.setDefaultGateway('10.0.3.1');
    const sim = w.sim;
    let got = 0;
    let doneAt = -1;
    acceptAll(b, 80, (s) =>
      b.tcp.observe(s, (ev) => {
        if (ev === 'readable') got += s.readInto(new Uint8Array(1 << 16), sim.now());
        if (got >= TOTAL && doneAt < 0) doneAt = sim.now();
      }),
    );
    const c = a.tcp.connect(ipv4('10.0.3.2'), 80);
    let mssBefore = 0;
    let sent = 0;
    const data = new Uint8Array(TOTAL);
    const pump = () => {
      while (sent < TOTAL) {
        const n = c.send(data.subarray(sent), sim.now());
        if (!n) break;
        sent += n;
      }
    };
    a.tcp.observe(c, (ev) => {
      if (ev === 'established') {
        mssBefore = c.info(sim.now()).tcpi_snd_mss;
        pump();
      }
      if (ev === 'writable') pump();
    });
    sim.run({ until: 30e6 });
    const info = c.info(sim.now());
    const synMss = w.sent(a).find((s) => s.mss >= 0)?.mss ?? -1;
    const bigAtRouter = w.received(r1).filter((s) => s.ipLen > MTU).length;
    const largestAfter = Math.max(...w.received(b).map((s) => s.ipLen));
    const result = {
      linkMtu: MTU,
      synMss,
      sndMssBefore: mssBefore,
      pmtu: info.tcpi_pmtu,
      mss: info.tcpi_pmtu - 40,
      sndMssAfter: info.tcpi_snd_mss,
      largestPacketDeliveredBytes: largestAfter,
      packetsTooBigAtRouter: bigAtRouter,
      routerFragFails: r1.counters.Ip.FragFails,
      routerOutDestUnreachs: r1.counters.Icmp.OutDestUnreachs,
      senderInDestUnreachs: a.counters.Icmp.InDestUnreachs,
      retransmissions: a.counters.Tcp.RetransSegs,
      timeouts: a.counters.TcpExt.TCPTimeouts,
      bytesDelivered: got,
      finishedMs: doneAt >= 0 ? Math.round(doneAt) / 1000 : null,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `a sends ${TOTAL} bytes to b across r1 and r2; the r1–r2 link carries at most ${MTU} bytes. Both ends are on 1500-byte links, so the SYN says MSS ${synMss} and a sends ${mssBefore}-byte segments (1460 less 12 bytes of timestamps) with DF set.`,
        `r1 cannot forward ${result.routerFragFails} of them (IpFragFails ${result.routerFragFails}) and answers each with ICMP fragmentation needed, next-hop MTU ${MTU} (Icmp OutDestUnreachs ${result.routerOutDestUnreachs}; a's InDestUnreachs ${result.senderInDestUnreachs}).`,
        `a lowers its path MTU to ${info.tcpi_pmtu}: MSS ${result.mss} (${info.tcpi_snd_mss} bytes of data with timestamps), and resends what was dropped at once: RetransSegs ${result.retransmissions}, TCPTimeouts ${result.timeouts}.`,
        `All ${got} bytes arrived by ${result.finishedMs} ms; the largest packet b saw was ${largestAfter} bytes. No IP fragmentation anywhere.`,
      ],
    };
  },
};
