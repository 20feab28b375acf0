import { ssRows } from '../host/ss.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK, TCP_SYN } from '../wire/tcp-segment.js';
import { World } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const CLIENTS = 5;
/** The first clients, connected early, leave the accept queue one short of full. */
const EARLY = 2;
const BACKLOG = 2;
/** The server's application is busy and calls accept() only from this time on. */
const ACCEPT_FROM_US = 3e6;
/** A client gives up on its request after this long (an application's read timeout). */
const PATIENCE_US = 15e6;

interface OverflowRun {
  tcp_abort_on_overflow: number;
  clientsConnected: number;
  served: number;
  reset: number;
  timedOut: number;
  listenOverflows: number;
  listenDrops: number;
  synAcksResent: number;
  clientRstsReceived: number;
  acceptQueueAt1s: { recvQ: number; sendQ: number };
  servedAtS: number[];
}

/**
 * The seed's 1.6.2 and 6.2: the accept queue overflows. A listener with backlog 2 (its accept
 * queue holds 3) whose application does not call accept() for 3 s: two clients connect, then three
 * at once, whose handshakes outnumber the one place left. Each client sends a request as soon as
 * connect() returns and waits 15 s for the answer.
 */
function overflowRun(ctx: ScenarioContext, abort: number, tag: string): { world: World; run: OverflowRun } {
  const w = new World(ctx);
  const client = w.host(`client${tag}`, { tcp_abort_on_overflow: abort });
  const server = w.host(`server${tag}`, { tcp_abort_on_overflow: abort });
  w.link(client, '10.0.0.1/24', server, '10.0.0.2/24', { delayUs: 10_000 });
  const sim = w.sim;
  const l = server.tcp.listen(0, 80, BACKLOG);
  const serve = (s: TcpConnection) =>
    server.tcp.observe(s, (ev) => {
      if (ev === 'readable') {
        const buf = new Uint8Array(1024);
        const n = s.readInto(buf, sim.now());
        if (n > 0) s.send(buf.subarray(0, n), sim.now());
      }
      if (ev === 'fin') s.close(sim.now());
    });
  sim.at(ACCEPT_FROM_US, () => {
    const drainQ = () => {
      for (let s = l.accept(); s; s = l.accept()) {
        serve(s);
        if (s.readableBytes > 0) {
          const buf = new Uint8Array(1024);
          const n = s.readInto(buf, sim.now());
          s.send(buf.subarray(0, n), sim.now());
        }
      }
    };
    server.tcp.observeListener(l, drainQ);
    drainQ();
  });
  let connected = 0;
  let served = 0;
  let reset = 0;
  let timedOut = 0;
  const servedAt: number[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    // Two clients connect first; the other three come together 100 ms later. Their three SYNs fit
    // the SYN queue (Linux keeps requests up to backlog + 1 before it turns to SYN cookies), but
    // only one of their handshakes fits the accept queue.
    sim.at(i < EARLY ? i * 1000 : 100_000 + (i - EARLY) * 1000, () => {
      let done = false;
      const c: TcpConnection = client.tcp.connect(ipv4('10.0.0.2'), 80, {
        observer: (ev, errno) => {
          if (done) return;
          if (ev === 'established') {
            connected++;
            c.send(new Uint8Array(100).fill(i), sim.now());
          }
          if (ev === 'readable' && c.readInto(new Uint8Array(1024), sim.now()) > 0) {
            done = true;
            served++;
            servedAt.push(sim.now());
            c.close(sim.now());
          }
          if (ev === 'error') {
            done = true;
            if (errno === 'ECONNRESET') reset++;
            else timedOut++;
          }
        },
      });
      sim.after(PATIENCE_US, () => {
        if (done) return;
        done = true;
        timedOut++;
        c.abort(sim.now());
      });
    });
  }
  let at1s = { recvQ: 0, sendQ: 0 };
  sim.at(1e6, () => {
    const row = ssRows(server).find((r) => r.state === 'LISTEN');
    if (row) at1s = { recvQ: row.recvQ, sendQ: row.sendQ };
  });
  sim.run({ until: PATIENCE_US + 5e6 });
  const synAcks = w.sent(server).filter((s) => s.flags === (TCP_SYN | TCP_ACK));
  const x = server.counters.TcpExt;
  return {
    world: w,
    run: {
      tcp_abort_on_overflow: server.settings.tcp_abort_on_overflow,
      clientsConnected: connected,
      served,
      reset,
      timedOut,
      listenOverflows: x.ListenOverflows,
      listenDrops: x.ListenDrops,
      synAcksResent: synAcks.length - new Set(synAcks.map((s) => s.dstPort)).size,
      clientRstsReceived: w.received(client).filter((s) => s.flags & 0x04).length,
      acceptQueueAt1s: at1s,
      servedAtS: servedAt.map((t) => Math.round(t / 1e3) / 1e3),
    },
  };
}

function describe(r: OverflowRun): string[] {
  return [
    `tcp_abort_on_overflow=${r.tcp_abort_on_overflow}: ss -lnt at 1 s shows LISTEN Recv-Q ${r.acceptQueueAt1s.recvQ} Send-Q ${r.acceptQueueAt1s.sendQ} (the queue is full).`,
    `  ${r.clientsConnected} of ${CLIENTS} clients saw connect() succeed; ListenOverflows ${r.listenOverflows}, ListenDrops ${r.listenDrops}; the server resent ${r.synAcksResent} SYN-ACKs.`,
    r.tcp_abort_on_overflow
      ? `  The overflowing final ACKs were answered with RST: ${r.reset} clients got "connection reset by peer"; ${r.served} were served.`
      : `  The overflowing final ACKs were dropped: those clients think they are connected and wait; the SYN-ACK comes again, and once accept() runs at ${ACCEPT_FROM_US / 1e6} s they complete: ${r.served} served (at ${r.servedAtS.join(', ')} s), ${r.timedOut} timed out, ${r.reset} reset.`,
  ];
}

export const acceptOverflow: Scenario = {
  name: 'accept-overflow',
  summary:
    'a full accept queue: tcp_abort_on_overflow 0 (drop the ACK, resend SYN-ACK) and 1 (RST), ListenOverflows/ListenDrops',
  run(ctx: ScenarioContext) {
    const given = ctx.settings.tcp_abort_on_overflow;
    const modes = given === undefined ? [0, 1] : [Number(given)];
    const runs = modes.map((m) => overflowRun(ctx, m, given === undefined ? String(m) : ''));
    const result: Record<string, unknown> = {
      clients: CLIENTS,
      backlog: BACKLOG,
      acceptFromS: ACCEPT_FROM_US / 1e6,
    };
    for (const r of runs) result[`abortOnOverflow${r.run.tcp_abort_on_overflow}`] = r.run;
    return {
      hosts: runs.flatMap((r) => r.world.hosts),
      result,
      story: [
        `A listener with backlog ${BACKLOG} (accept queue of ${BACKLOG + 1}) whose application only calls accept() after ${ACCEPT_FROM_US / 1e6} s; ${CLIENTS} clients connect (${EARLY} first, the rest together 100 ms later) and send a request.`,
        ...runs.flatMap((r) => describe(r.run)),
      ],
    };
  },
};
