import { TcpLayerError } from '../host/tcp-layer.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_FIN } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, ms, msNum, type StateChange, traceStates } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/**
 * The seed's 1.4.1: why the closer waits 2MSL in TIME-WAIT. Two connections from one client close
 * actively. The first closes cleanly: TIME-WAIT lasts 60 s (Linux's TCP_TIMEWAIT_LEN, 2 × an MSL
 * of 30 s), and meanwhile its 4-tuple cannot be used again. The second's last ACK is lost: the
 * server, in LAST-ACK, sends its FIN again; the client, still in TIME-WAIT, acknowledges it again
 * and restarts its 2MSL timer, so both ends close cleanly.
 */
export const timeWait: Scenario = {
  name: 'time-wait',
  summary: 'TIME-WAIT lasts 2MSL = 60 s; a lost last ACK is repaired by the FIN resent into it',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server, link } = clientServer(ctx, { delayUs: 10_000 });
    const cTrace = traceStates(client);
    const sTrace = traceStates(server);
    const byPort = new Map<number, TcpConnection>();
    for (const port of [80, 81]) {
      acceptAll(server, port, (s) => {
        byPort.set(port, s);
        server.tcp.observe(s, (ev) => {
          if (ev === 'fin') {
            // The lost-ACK case: the next segment from the client (the last ACK) is dropped.
            if (port === 81) link.ab.dropNth(link.ab.stats.sent + 1);
            s.close(sim.now());
          }
        });
      });
    }
    const open = (port: number, closeAt: number) => {
      const c = client.tcp.connect(ipv4('10.0.0.2'), port);
      sim.at(closeAt, () => c.close(sim.now()));
      return c;
    };
    const a = open(80, 100_000);
    const b = open(81, 1_000_000);
    // While the first is in TIME-WAIT, try to open its 4-tuple again.
    let reuse = 'connected';
    sim.at(10e6, () => {
      try {
        client.tcp.connect(ipv4('10.0.0.2'), 80, { localPort: a.tuple.localPort }).abort(sim.now());
      } catch (e) {
        reuse = e instanceof TcpLayerError ? e.code : String(e);
      }
    });
    let timeWaitAt10s = 0;
    sim.at(10e6, () => {
      for (const c of client.tcp.connections.values()) if (c.state === 'TIME-WAIT') timeWaitAt10s++;
    });
    sim.run({ until: 200e6 });

    const tw = (tr: StateChange[], port: number) => {
      const mine = tr.filter((x) => x.localPort === port);
      const enter = mine.find((x) => x.to === 'TIME-WAIT')?.t ?? -1;
      const leave = mine.find((x) => x.from === 'TIME-WAIT')?.t ?? -1;
      return { enter, leave, seconds: (leave - enter) / 1e6 };
    };
    const clean = tw(cTrace, a.tuple.localPort);
    const lost = tw(cTrace, b.tuple.localPort);
    const finsFromServer = w.sent(server).filter((s) => s.srcPort === 81 && s.flags & TCP_FIN);
    const refin = finsFromServer[1];
    const refinArrived = w.received(client).filter((s) => s.srcPort === 81 && s.flags & TCP_FIN)[1];
    const serverClosedB = sTrace.find((x) => x.localPort === 81 && x.to === 'CLOSED')?.t ?? -1;
    const result = {
      timeWaitSeconds: clean.seconds,
      timeWaitEnteredMs: msNum(clean.enter),
      reuseDuringTimeWait: reuse,
      timeWaitSocketsAt10s: timeWaitAt10s,
      lostAck: {
        serverFins: finsFromServer.map((s) => msNum(s.t)),
        finResentAfterMs: refin && finsFromServer[0] ? msNum(refin.t - finsFromServer[0].t) : null,
        serverClosedMs: msNum(serverClosedB),
        timeWaitSeconds: lost.seconds,
        timeWaitRestartedSeconds: refinArrived ? (lost.leave - refinArrived.t) / 1e6 : null,
      },
      counters: { TW: client.counters.TcpExt.TW, serverRetransSegs: server.counters.Tcp.RetransSegs },
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        `Connection 1 (client port ${a.tuple.localPort}) closes actively at 100 ms: TIME-WAIT from ${ms(clean.enter)} ms to ${ms(clean.leave)} ms = ${clean.seconds} s, 2MSL (Linux's fixed TCP_TIMEWAIT_LEN; tcp_fin_timeout bounds FIN-WAIT-2, not this).`,
        `At 10 s, ${timeWaitAt10s} socket(s) are in TIME-WAIT (netstat's TIME_WAIT count); connecting again from port ${a.tuple.localPort} to the same server port fails: ${reuse}.`,
        `Connection 2 (port ${b.tuple.localPort}) closes at 1 s, and its last ACK is lost. The server in LAST-ACK sends its FIN again ${result.lostAck.finResentAfterMs} ms later (its retransmission timer); the client, still in TIME-WAIT, acknowledges it again and the server closes at ${ms(serverClosedB)} ms.`,
        `The client's TIME-WAIT restarted on that FIN: it lasted ${lost.seconds.toFixed(3)} s in all, ${result.lostAck.timeWaitRestartedSeconds} s after the resent FIN arrived.`,
        `TcpExt TW (TIME-WAIT sockets that expired): ${client.counters.TcpExt.TW}; server RetransSegs ${server.counters.Tcp.RetransSegs}.`,
      ],
    };
  },
};
