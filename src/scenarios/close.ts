import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_FIN, formatTcpFlags } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, isnTable, ms, msNum, segLine, statePath, traceStates } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/** How long the server's application takes to send its last data and close after the client's FIN. */
const APP_DELAY_US = 50_000;

/**
 * The seed's 1.4: the four-way close. The client sends its request and closes (FIN); the server's
 * TCP acknowledges the FIN at once, but its application still has data to send: the connection is
 * half-closed (CLOSE-WAIT) until the application writes its reply and closes, sending its own FIN.
 * Two FINs, two ACKs, because each direction is closed by its own side (1.4.2).
 */
export const close: Scenario = {
  name: 'close',
  summary: 'the four-way close: FIN, ACK, the server’s last data, FIN, ACK, and each side’s states',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server } = clientServer(ctx, { delayUs: 10_000 });
    const cTrace = traceStates(client);
    const sTrace = traceStates(server);
    let clientGot = 0;
    let serverGot = 0;
    let finAt = -1;
    acceptAll(server, 80, (s: TcpConnection) => {
      server.tcp.observe(s, (ev) => {
        if (ev === 'readable') serverGot += s.readInto(new Uint8Array(1 << 16), sim.now());
        if (ev === 'fin' && finAt < 0) {
          finAt = sim.now();
          // The application learns of the FIN (read returns 0), finishes its reply, then closes.
          sim.after(APP_DELAY_US, () => {
            s.send(new Uint8Array(2000).fill(2), sim.now());
            s.close(sim.now());
          });
        }
      });
    });
    const c = client.tcp.connect(ipv4('10.0.0.2'), 80, {
      observer: (ev) => {
        if (ev === 'established') {
          c.send(new Uint8Array(1000).fill(1), sim.now());
          // shutdown(SHUT_WR): no more to send, but keep reading the reply (a full close() here
          // would make the reply arrive at a closed socket and draw a RST, as on Linux).
          c.shutdownWrite(sim.now());
        }
        if (ev === 'readable') clientGot += c.readInto(new Uint8Array(1 << 16), sim.now());
        if (ev === 'fin') c.close(sim.now());
      },
    });
    sim.run({ until: 1e6 });
    const segs = w.segs.filter((s) => s.dir === 'out').sort((a, b) => a.t - b.t);
    const isn = isnTable(segs, 'client', 'server');
    const firstFin = segs.findIndex((s) => s.flags & TCP_FIN);
    const closing = segs.slice(firstFin);
    const clientFin = closing[0];
    const finAck = closing.find(
      (s) => s.host === 'server' && clientFin && s.ack === (clientFin.seq + 1) >>> 0,
    );
    const peer = (h: string) => (h === 'client' ? 'server' : 'client');
    const at = (tr: typeof cTrace, st: string) => msNum(tr.find((x) => x.to === st)?.t ?? -1);
    const result = {
      closingSegments: closing.map((s) => ({
        tMs: msNum(s.t),
        from: s.host,
        flags: formatTcpFlags(s.flags),
        seq: (s.seq - isn.of(s.host)) >>> 0,
        ack: (s.ack - isn.peerOf(s.host)) >>> 0,
        len: s.len,
      })),
      finSegments: closing.filter((s) => s.flags & TCP_FIN).length,
      clientStates: statePath(cTrace),
      serverStates: statePath(sTrace),
      clientTimeWaitAtMs: at(cTrace, 'TIME-WAIT'),
      serverClosedAtMs: at(sTrace, 'CLOSED'),
      halfClosedMs: msNum(
        (sTrace.find((x) => x.to === 'LAST-ACK')?.t ?? 0) -
          (sTrace.find((x) => x.to === 'CLOSE-WAIT')?.t ?? 0),
      ),
      finAckDelayMs: msNum(finAck ? finAck.t - finAt : -1),
      bytesClientToServer: serverGot,
      bytesServerToClientAfterFin: clientGot,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        'The client sends a 1000-byte request and shuts down its sending side (FIN); the server replies 2000 bytes 50 ms after the FIN, then closes.',
        ...closing.map((s) => `  ${ms(s.t).padStart(8)} ms  ${segLine(s, peer(s.host), isn)}`),
        `client: ${result.clientStates.join(' → ')}`,
        `server: ${result.serverStates.join(' → ')}`,
        `The server's TCP acknowledged the FIN by itself ${result.finAckDelayMs} ms after it arrived (a delayed ACK: Linux does not hurry the ACK of a FIN); its application had not closed yet.`,
        `The server stayed in CLOSE-WAIT for ${result.halfClosedMs} ms, sending its last ${clientGot} bytes to a client in FIN-WAIT-2 that still reads (half-close).`,
        `The server closed at ${result.serverClosedAtMs} ms, on the last ACK; the client entered TIME-WAIT at ${result.clientTimeWaitAtMs} ms and stays there 2MSL (see time-wait).`,
      ],
    };
  },
};
