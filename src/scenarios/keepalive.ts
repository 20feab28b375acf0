import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_RST, TCP_SYN } from '../wire/tcp-segment.js';
import { acceptAll, clientServer } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/**
 * The seed's 1.4.3: the keepalive timer. The server sets SO_KEEPALIVE on an idle connection. After
 * tcp_keepalive_time of silence it sends a probe (an ACK one byte behind, asking for an ACK); the
 * live client answers and the connection stays. Then the client's host crashes (its link goes
 * down): probes follow every tcp_keepalive_intvl, and after tcp_keepalive_probes unanswered ones
 * the server resets the connection and reports ETIMEDOUT.
 */
export const keepalive: Scenario = {
  name: 'keepalive',
  summary:
    'keepalive probes after tcp_keepalive_time idle, every tcp_keepalive_intvl; reset after tcp_keepalive_probes',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server, link } = clientServer(ctx, { delayUs: 10_000 });
    const s = server.settings;
    const idleUs = s.tcp_keepalive_time * 1e6;
    const intvlUs = s.tcp_keepalive_intvl * 1e6;
    let conn: TcpConnection | null = null;
    let error = '';
    let errorAt = -1;
    acceptAll(server, 80, (c) => {
      conn = c;
      c.setKeepAlive(true, sim.now());
      server.tcp.observe(c, (ev, errno) => {
        if (ev === 'error') {
          error = String(errno);
          errorAt = sim.now();
        }
      });
    });
    client.tcp.connect(ipv4('10.0.0.2'), 80);
    sim.run({ until: 1e6 });
    const idleFrom = w.received(server).at(-1)?.t ?? 0;
    // The client's host crashes halfway between the first probe and the next one.
    const crashAt = idleFrom + idleUs + idleUs / 2;
    sim.at(crashAt, () => link.setDown(true));
    sim.run({ until: crashAt + 2 * idleUs + (s.tcp_keepalive_probes + 2) * intvlUs });

    const probes = w.sent(server).filter((x) => !(x.flags & (TCP_SYN | TCP_RST)) && x.t > 1e6);
    const answered = probes.filter((p) => w.received(server).some((r) => r.t > p.t && r.t < p.t + 1e6));
    const unanswered = probes.filter((p) => p.t > crashAt);
    const rst = w.sent(server).find((x) => x.flags & TCP_RST);
    const sec = (us: number) => Math.round(us / 1e3) / 1e3;
    const first = probes[0];
    const lastAnswer = answered.length
      ? w
          .received(server)
          .filter((r) => r.t < crashAt)
          .at(-1)
      : undefined;
    const result = {
      tcp_keepalive_time: s.tcp_keepalive_time,
      tcp_keepalive_intvl: s.tcp_keepalive_intvl,
      tcp_keepalive_probes: s.tcp_keepalive_probes,
      probeTimesS: probes.map((p) => sec(p.t - idleFrom)),
      firstProbeAfterIdleS: first ? sec(first.t - idleFrom) : null,
      probeSeqBehindSndUna: first && conn ? ((conn as TcpConnection).iss + 1 - first.seq) >>> 0 : null,
      answeredProbes: answered.length,
      crashAtS: sec(crashAt - idleFrom),
      firstUnansweredAfterLastAnswerS:
        unanswered[0] && lastAnswer ? sec(unanswered[0].t - lastAnswer.t) : null,
      unansweredProbes: unanswered.length,
      unansweredIntervalsS: unanswered.slice(1).map((p, i) => sec(p.t - (unanswered[i] as { t: number }).t)),
      resetSent: Boolean(rst),
      error,
      gaveUpAfterCrashS: errorAt >= 0 ? sec(errorAt - crashAt) : null,
      gaveUpAfterLastAnswerS: errorAt >= 0 && lastAnswer ? sec(errorAt - lastAnswer.t) : null,
      TCPKeepAlive: server.counters.TcpExt.TCPKeepAlive,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `An idle connection with SO_KEEPALIVE on the server; tcp_keepalive_time ${s.tcp_keepalive_time} s, tcp_keepalive_intvl ${s.tcp_keepalive_intvl} s, tcp_keepalive_probes ${s.tcp_keepalive_probes} (the seed's "2 hours, then every 75 s").`,
        `After ${result.firstProbeAfterIdleS} s of silence the server probes (an ACK with seq one behind SND.UNA, no data); the client answers, and the connection lives on.`,
        `At ${result.crashAtS} s the client's host crashes. ${result.firstUnansweredAfterLastAnswerS} s after its last answer the server probes again, then every ${result.unansweredIntervalsS[0] ?? '?'} s: ${unanswered.length} probes, none answered.`,
        `Probe times (s since the connection went idle): ${result.probeTimesS.join(', ')}`,
        `${result.gaveUpAfterLastAnswerS} s after the last sign of life the server gives up: ${rst ? 'it sends RST and ' : ''}the application sees ${error || 'nothing'}. TCPKeepAlive ${result.TCPKeepAlive}.`,
      ],
    };
  },
};
