import { Host } from '../host/host.js';
import { formatNetstatS } from '../host/counters.js';
import { formatSs } from '../host/ss.js';
import { PointToPointLink } from '../link/sim-link.js';
import { runReport } from '../record/report.js';
import { TcpdumpFormatter } from '../record/tcpdump.js';
import { addHost, addInterface } from '../scenarios/scenario.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { flag, formatHelp, intFlag, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import { startRecording } from './recording.js';
import { transferStory } from './demo-story.js';

const FLAGS: Record<string, FlagSpec> = {
  out: { value: true, meta: 'DIR', help: 'where to write demo.pcap and report.html (default ./synack-out)' },
  seed: { value: true, meta: 'N', help: 'random seed of the simulated network (default 1)' },
  help: { value: false, help: 'show this help' },
};

/** Bytes the client sends in the transfer: enough for several loss-and-recovery cycles. */
const TRANSFER = 3 * 1024 * 1024;

/**
 * The main job: the seed's story on a simulated network, told with a tcpdump-like trace, ss and
 * netstat -s at the key moments, a capture (DIR/demo.pcap) and pictures (DIR/report.html): the
 * handshake, a transfer over a lossy bottleneck (slow start, fast retransmit and fast recovery,
 * congestion avoidance), and the four-way close with TIME-WAIT.
 */
export const demo: Command = {
  name: 'demo',
  summary: "tell the seed's story on a simulated network: trace, ss, netstat -s, a pcap and report.html",
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(formatHelp('synack demo [--out DIR] [--seed N]', demo.summary, FLAGS));
      return 0;
    }
    const seed = intFlag(args, 'seed', 1);
    const files = startRecording(flag(args, 'out') ?? 'synack-out', 'demo');
    const rec = files.recorder;
    const transcript: string[] = [];
    const say = (s = ''): void => {
      console.log(s);
      transcript.push(s);
    };
    const indent = (s: string): string => s.replace(/^/gm, '   ');

    const sim = new Simulator({ seed });
    rec.simulator(sim);
    const mk = (name: string, settings: Record<string, string | number> = {}) =>
      addHost(rec, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }));
    // The seed teaches Reno; Linux's default is CUBIC (`synack scenario` runs either).
    const client = mk('client', { tcp_congestion_control: 'reno' });
    const router = mk('router', { ip_forward: 1 });
    const server = mk('server');
    const lan = new PointToPointLink(sim, { name: 'lan', both: { delayUs: 500, bandwidthBps: 100e6 } });
    const wan = new PointToPointLink(sim, {
      name: 'wan',
      both: { delayUs: 20_000, bandwidthBps: 10e6, loss: 0.002, queueLimitPackets: 40 },
    });
    addInterface(rec, client, lan.a, '10.0.0.2/24');
    addInterface(rec, router, lan.b, '10.0.0.1/24');
    addInterface(rec, router, wan.a, '192.0.2.1/24');
    addInterface(rec, server, wan.b, '192.0.2.2/24');
    client.setDefaultGateway('10.0.0.1');
    server.setDefaultGateway('192.0.2.1');

    // The client's view, as tcpdump on its interface prints it; `show` decides which lines print.
    const tcpdump = new TcpdumpFormatter();
    let show: (line: string) => void = () => {};
    client.onPacket = (_dir, _i, p) => show(`${(sim.now() / 1e6).toFixed(6)} ${tcpdump.format(p)}`);
    const printAll = (line: string): void => say(line);

    say(`synack demo: a simulated network in virtual time (seed ${seed})`);
    say();
    say(
      '  client 10.0.0.2 ── lan 0.5 ms, 100 Mbit/s ── router ── wan 20 ms, 10 Mbit/s, 40-packet queue, 0.2% loss ── server 192.0.2.2',
    );
    say();
    say('1. The path: the client pings the server across the router.');
    say();
    show = printAll;
    client.ping('192.0.2.2', { size: 56 }, () => {});
    sim.run();

    say();
    say("2. The three-way handshake (the seed's 1.3): the server listens on port 9 (discard, RFC 863),");
    say('   the client connects.');
    say();
    let srv: TcpConnection | null = null;
    const listener = server.tcp.listen(0, 9, 128, () => {
      srv = listener.accept();
    });
    const c = client.tcp.connect(server.address, 9);
    sim.runUntil(() => c.state === 'ESTABLISHED' && srv !== null, 10e6);
    show = () => {};
    const conn = srv as unknown as TcpConnection;
    say();
    say('   ss -tan on the server: the listener and the new connection');
    say(indent(formatSs(server)));
    say();

    say(
      `3. ${TRANSFER / 1024 / 1024} MiB from client to server over the wan (Reno, as the seed teaches it):`,
    );
    say('   slow start, losses at the full queue and at random, fast retransmit and fast recovery,');
    say('   congestion avoidance. The trace shows the start and the first loss; the rest is summed up.');
    say();
    const story = transferStory(client, c, sim, say, indent);
    show = story.onLine;
    const buf = new Uint8Array(65536);
    let received = 0;
    let intact = true;
    server.tcp.observe(conn, (ev) => {
      if (ev !== 'readable') return;
      for (let n = conn.readInto(buf, sim.now()); n > 0; n = conn.readInto(buf, sim.now())) {
        for (let i = 0; i < n; i++) if (buf[i] !== ((received + i) & 255)) intact = false;
        received += n;
      }
    });
    const data = new Uint8Array(TRANSFER).map((_, i) => i & 255);
    let sent = 0;
    const pump = (): void => {
      while (sent < data.length) {
        const n = c.send(data.subarray(sent), sim.now());
        if (n === 0) break;
        sent += n;
      }
    };
    client.tcp.observe(c, (ev) => ev === 'writable' && pump());
    const t0 = sim.now();
    pump();
    sim.runUntil(() => received === data.length, 600e6);
    show = () => {};
    const d = wan.ab.stats.dropped;
    story.finish(
      t0,
      received,
      intact,
      `the wan dropped ${d.queue} at its full queue and ${d.loss} at random`,
    );

    say("4. The four-way close (the seed's 1.4): the client closes first, then the server; the client waits");
    say('   in TIME-WAIT for 2MSL (60 s on Linux) so that late segments of this connection die out.');
    say();
    const states: string[] = [];
    const unsub = [client, server].map((h) =>
      h.tcp.subscribeTrace((_t, _tuple, ev) => {
        if (ev.type === 'state') states.push(`${h.name} ${ev.to}`);
      }),
    );
    show = printAll;
    c.close(sim.now());
    sim.runUntil(() => conn.state === 'CLOSE-WAIT', 10e6);
    conn.close(sim.now());
    sim.runUntil(() => c.state === 'TIME-WAIT' && conn.state === 'CLOSED', 10e6);
    show = () => {};
    say();
    say(`   ${states.join(' → ')}`);
    say();
    say('   ss -tan on the client: the connection waits in TIME-WAIT');
    say(indent(formatSs(client)));
    const tw = sim.now();
    sim.runUntil(() => c.state === 'CLOSED', 120e6);
    for (const u of unsub) u();
    const empty = client.tcp.connections.size + server.tcp.connections.size === 0;
    say();
    say(
      `   TIME-WAIT lasted ${((sim.now() - tw) / 1e6).toFixed(1)} s; then both tables are ${empty ? 'empty' : 'NOT empty'}.`,
    );
    say();
    say("5. The client's counters, as netstat -s prints them:");
    say();
    say(indent(formatNetstatS(client.counters)));
    say();
    say(`virtual time: ${(sim.now() / 1e6).toFixed(3)} s in ${sim.eventsProcessed} events`);

    const html = runReport(rec, {
      title: 'synack demo: one TCP connection, from handshake to TIME-WAIT',
      subtitle:
        `client 10.0.0.2 → router → server 192.0.2.2 over a 10 Mbit/s, 20 ms wan with a 40-packet queue and ` +
        `0.2% random loss; ${TRANSFER / 1024 / 1024} MiB with Reno; seed ${seed}. Capture: demo.pcap.`,
      ladderHead: 8,
      ladderTail: 8,
      textBlocks: [{ title: 'What synack demo printed', pre: transcript.join('\n') }],
    });
    const reportPath = files.finish(html);
    console.log(
      `capture: ${files.pcapPath} (${rec.pcap?.packets ?? 0} packets; open it with Wireshark or tshark -r)`,
    );
    console.log(`report:  ${reportPath} (open it in a browser: ladder, time-sequence and cwnd figures)`);
    return 0;
  },
};
