import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { buildTcpPacket } from '../wire/packet.js';
import { TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { addHost, addInterface, runWithProgress, type Scenario, type ScenarioContext } from './scenario.js';

/**
 * Estimated bytes a half-open request holds (its record, the 4-tuple and its SYN-queue entry).
 * A full connection (buffers aside) is about ten times that: the point of the seed's "delay TCB
 * allocation".
 */
export const REQUEST_BYTES = 320;
export const CONNECTION_BYTES = 3000;

/**
 * The seed's 1.5.3: an attacker floods a listener with spoofed SYNs while real clients connect.
 * The listener has listen(fd, 128) and tcp_max_syn_backlog 128. With tcp_syncookies=1 the SYN
 * queue fills past the backlog (129 requests) and cookies take over, so real clients still get in;
 * with 0 the queue stops at 97 (Linux keeps the last quarter of tcp_max_syn_backlog for peers
 * proven alive) and real clients are dropped with the flood.
 */
export const synFlood: Scenario = {
  name: 'syn-flood',
  summary: 'spoofed SYNs at 100,000/s against a listener while 1,000 real clients connect (10 s patience)',
  run(ctx: ScenarioContext) {
    const sim = new Simulator({ seed: ctx.seed });
    const obs = ctx.observer;
    obs?.simulator?.(sim);
    const settings = { tcp_max_syn_backlog: 128, ...ctx.settings };
    const mk = (name: string, s: Record<string, string | number> = {}) =>
      addHost(obs, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings: s }));
    const server = mk('server', settings);
    const router = mk('router', { ip_forward: 1, icmp_ratelimit: 1000 });
    const client = mk('client', { ip_local_port_range: '10000 60999' });
    const lServer = new PointToPointLink(sim, {
      name: 'server',
      both: { delayUs: 1000, bandwidthBps: 10e9 },
    });
    const lClient = new PointToPointLink(sim, {
      name: 'client',
      both: { delayUs: 10_000, bandwidthBps: 1e9 },
    });
    const lAttack = new PointToPointLink(sim, {
      name: 'attacker',
      both: { delayUs: 5000, bandwidthBps: 10e9 },
    });
    addInterface(obs, server, lServer.a, '192.0.2.10/24');
    addInterface(obs, router, lServer.b, '192.0.2.1/24');
    addInterface(obs, router, lClient.a, '198.51.100.1/24');
    addInterface(obs, client, lClient.b, '198.51.100.2/24');
    addInterface(obs, router, lAttack.a, '203.0.113.1/24');
    server.setDefaultGateway('192.0.2.1');
    client.setDefaultGateway('198.51.100.1');
    // The attacker is no host: raw SYNs with random spoofed sources from unrouted space.
    const rng = sim.rng.fork('attacker');
    const syn = new TcpSegment();
    const serverAddr = ipv4('192.0.2.10');
    const rate = 100_000;
    const clients = 1000;
    const floodUs = 6e6;
    /** Real clients give up if not served within this time, as applications' connect timeouts do. */
    const patienceUs = 10e6;
    let spoofed = 0;
    const attack = (): void => {
      syn.clear();
      syn.flags = TCP_SYN;
      syn.srcPort = rng.int(1024, 65535);
      syn.dstPort = 80;
      syn.seq = rng.nextU32();
      syn.window = 64240;
      syn.mss = 1460;
      const src = (0x0a000000 | (rng.nextU32() & 0xffffff)) >>> 0; // 10.0.0.0/8: no route back
      lAttack.b.transmit(buildTcpPacket(src, serverAddr, syn));
      spoofed++;
      if (sim.now() < floodUs) sim.after(1e6 / rate, attack);
    };
    sim.at(0, attack);

    // The server echoes what each client sends.
    const listener = server.tcp.listen(0, 80, 128, () => {
      for (let c = listener.accept(); c; c = listener.accept()) {
        const conn = c;
        server.tcp.observe(conn, (ev) => {
          if (ev === 'readable') {
            const buf = new Uint8Array(1024);
            const n = conn.readInto(buf, sim.now());
            if (n > 0) conn.send(buf.subarray(0, n), sim.now());
          }
          if (ev === 'fin') conn.close(sim.now());
        });
      }
    });
    let peakRequests = 0;
    let peakAccept = 0;
    const sample = (): void => {
      peakRequests = Math.max(peakRequests, listener.requests.size);
      peakAccept = Math.max(peakAccept, listener.acceptQueueLength);
      if (sim.now() < floodUs + 200e6) sim.after(10_000, sample);
    };
    sim.at(0, sample);

    let succeeded = 0;
    let failed = 0;
    const start = (i: number): void => {
      let echoed = 0;
      let done = false;
      const finish = (ok: boolean): void => {
        if (done) return;
        done = true;
        if (ok) succeeded++;
        else failed++;
      };
      const conn: TcpConnection = client.tcp.connect(serverAddr, 80, {
        observer: (ev) => {
          if (ev === 'established') conn.send(new Uint8Array(100).fill(i & 255), sim.now());
          if (ev === 'readable') {
            echoed += conn.readInto(new Uint8Array(1024), sim.now());
            if (echoed >= 100 && !done) {
              finish(true);
              conn.close(sim.now());
            }
          }
          if (ev === 'closed') finish(echoed >= 100);
        },
      });
      sim.after(patienceUs, () => {
        if (done) return;
        finish(false);
        conn.abort(sim.now());
      });
    };
    // Real clients arrive evenly while the flood is on.
    for (let i = 0; i < clients; i++) sim.at(1e6 + (i * (floodUs - 2e6)) / clients, () => start(i));
    runWithProgress(sim, floodUs + 200e6, ctx.progress, 'syn-flood');
    const rateOk = succeeded / clients;
    const x = server.counters.TcpExt;
    return {
      hosts: [server, router, client],
      result: {
        spoofedSyns: spoofed,
        synsPerSecond: rate,
        legitimateClients: clients,
        legitimateSucceeded: succeeded,
        legitimateFailed: failed,
        legitimateSuccessRate: rateOk,
        listenerPeakSynQueue: peakRequests,
        listenerPeakAcceptQueue: peakAccept,
        listenerPeakMemoryBytes: peakRequests * REQUEST_BYTES + peakAccept * CONNECTION_BYTES,
      },
      story: [
        `An attacker sent ${spoofed} spoofed SYNs (${rate}/s for ${floodUs / 1e6} s) while ${clients} real clients connected.`,
        `tcp_syncookies=${server.settings.tcp_syncookies}, listen backlog 128, tcp_max_syn_backlog=${server.settings.tcp_max_syn_backlog}.`,
        `The SYN queue peaked at ${peakRequests} half-open requests (about ${((peakRequests * REQUEST_BYTES) / 1024).toFixed(0)} KiB); the accept queue at ${peakAccept}.`,
        `Real clients: ${succeeded} of ${clients} connected and got their echo (${(rateOk * 100).toFixed(1)}%).`,
        `SyncookiesSent ${x.SyncookiesSent}, SyncookiesRecv ${x.SyncookiesRecv}, TCPReqQFullDoCookies ${x.TCPReqQFullDoCookies}, TCPReqQFullDrop ${x.TCPReqQFullDrop}, ListenDrops ${x.ListenDrops}.`,
      ],
    };
  },
};
