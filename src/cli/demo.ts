import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Host } from '../host/host.js';
import { formatSs } from '../host/ss.js';
import { formatNetstatS } from '../host/counters.js';
import { openPcapFile } from '../link/pcap-file-node.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { describePacket } from '../wire/packet.js';
import { flag, formatHelp, intFlag, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  out: { value: true, meta: 'DIR', help: 'where to write demo.pcap (default ./synack-out)' },
  seed: { value: true, meta: 'N', help: 'random seed of the simulated network (default 1)' },
  help: { value: false, help: 'show this help' },
};

function time(us: number): string {
  return (us / 1e6).toFixed(6);
}

/**
 * The main job: a guided run on a simulated network that follows the seed: packets and routing,
 * an impaired path, then TCP's handshake, a transfer that recovers from loss, and the four-way
 * close with TIME-WAIT, with a trace, counters and a capture.
 */
export const demo: Command = {
  name: 'demo',
  summary: "tell the seed's story on a simulated network, with a trace, counters and a pcap",
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(formatHelp('synack demo [--out DIR] [--seed N]', demo.summary, FLAGS));
      return 0;
    }
    const out = resolve(flag(args, 'out') ?? 'synack-out');
    const seed = intFlag(args, 'seed', 1);
    mkdirSync(out, { recursive: true });
    const pcapPath = join(out, 'demo.pcap');
    const pcap = openPcapFile(pcapPath);

    const sim = new Simulator({ seed });
    const mk = (name: string, settings = {}) =>
      new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
    const client = mk('client');
    const router = mk('router', { ip_forward: 1 });
    const server = mk('server');
    const lan = new PointToPointLink(sim, { name: 'lan', both: { delayUs: 500, bandwidthBps: 100e6 } });
    const wan = new PointToPointLink(sim, {
      name: 'wan',
      both: { delayUs: 20_000, bandwidthBps: 10e6, loss: 0.1, mtu: 1400 },
    });
    client.addInterface(lan.a, '10.0.0.2/24');
    router.addInterface(lan.b, '10.0.0.1/24');
    router.addInterface(wan.a, '192.0.2.1/24');
    server.addInterface(wan.b, '192.0.2.2/24');
    client.setDefaultGateway('10.0.0.1');
    server.setDefaultGateway('192.0.2.1');
    lan.observe((t, p) => pcap.writer.writePacket(t, p));
    wan.observe((t, p) => pcap.writer.writePacket(t, p));

    let tracing = true;
    client.onPacket = (dir, _i, p) => {
      if (tracing) console.log(`${time(sim.now())} client ${dir === 'out' ? '>' : '<'} ${describePacket(p)}`);
    };

    console.log('synack demo: a simulated network in virtual time (seed %d)\n', seed);
    console.log(
      '  client 10.0.0.2 ── lan (0.5 ms, 100 Mbit/s) ── router ── wan (20 ms, 10 Mbit/s, 10% loss, MTU 1400) ── server 192.0.2.2\n',
    );
    console.log(
      "1. The client pings the server across the router (the trace is the client's view, like tcpdump):\n",
    );
    let rtt = 0;
    client.ping('192.0.2.2', { size: 56 }, (r) => {
      if (r.ok) rtt = r.rttUs;
    });
    sim.run();
    console.log(`\n   round trip: ${rtt ? `${(rtt / 1000).toFixed(3)} ms` : 'lost on the lossy link'}\n`);

    console.log('2. Twenty more pings over the lossy wan: each one that is lost never comes back.\n');
    tracing = false;
    let ok = 0;
    for (let i = 0; i < 20; i++) {
      sim.at(sim.now() + i * 100_000, () =>
        client.ping('192.0.2.2', { timeoutMs: 1000 }, (r) => (ok += r.ok ? 1 : 0)),
      );
    }
    sim.run();
    console.log(
      `   ${ok}/20 answered; the wan dropped ${wan.ab.stats.dropped.loss + wan.ba.stats.dropped.loss} packets in all.\n`,
    );

    console.log(
      '3. A 3000-byte datagram does not fit the wan: the router fragments it (RFC 791) and the server reassembles it.\n',
    );
    server.udpBind(9, (_s, _p, _d, payload) =>
      console.log(`   server received one ${payload.length}-byte datagram`),
    );
    for (let i = 0; i < 5 && server.counters.Ip.ReasmOKs === 0; i++) {
      client.udpSend(0, 40000, server.address, 9, new Uint8Array(3000));
      sim.run();
    }
    console.log(
      `   router: ${router.counters.Ip.FragCreates} fragments created; server: ${server.counters.Ip.ReasmOKs} reassembled, ${server.counters.Ip.ReasmFails} incomplete dropped\n`,
    );

    console.log(
      "4. TCP: the three-way handshake (the seed's 1.3). The server listens on port 80; the client connects:\n",
    );
    const states: string[] = [];
    let conn: TcpConnection | null = null;
    const listener = server.tcp.listen(0, 80, 128, () => {
      conn = listener.accept();
    });
    tracing = true;
    const client0 = sim.now();
    const c = client.tcp.connect(server.address, 80);
    states.push(`client ${c.state}`);
    client.tcp.observe(c, (ev) => {
      if (ev === 'state') states.push(`client ${c.state}`);
    });
    sim.runUntil(() => c.state === 'ESTABLISHED' && conn !== null, 60e6);
    tracing = false;
    console.log(`\n   connected in ${((sim.now() - client0) / 1000).toFixed(1)} ms: ${states.join(' → ')}\n`);

    console.log('5. 256 KiB from client to server over the lossy wan: lost segments are retransmitted,');
    console.log("   the window slides, and every byte arrives in order (the seed's chapters 2 to 4).\n");
    const data = new Uint8Array(256 * 1024).map((_, i) => i & 255);
    let sent = 0;
    let received = 0;
    let intact = true;
    const buf = new Uint8Array(65536);
    const srv = conn as unknown as TcpConnection;
    server.tcp.observe(srv, (ev) => {
      if (ev === 'state') states.push(`server ${srv.state}`);
      if (ev !== 'readable') return;
      for (let n = srv.readInto(buf, sim.now()); n > 0; n = srv.readInto(buf, sim.now())) {
        for (let i = 0; i < n; i++) if (buf[i] !== ((received + i) & 255)) intact = false;
        received += n;
      }
    });
    const pump = () => {
      while (sent < data.length) {
        const n = c.send(data.subarray(sent), sim.now());
        if (n === 0) break;
        sent += n;
      }
    };
    client.tcp.observe(c, (ev) => {
      if (ev === 'writable') pump();
      if (ev === 'state') states.push(`client ${c.state}`);
    });
    const t0 = sim.now();
    // The engine's own account of the transfer: cwnd as it changes, and why segments were resent.
    const cwndTrace: { t: number; cwnd: number; caState: number }[] = [];
    const resent = { fast: 0, rto: 0, tlp: 0 };
    const unsubscribe = client.tcp.subscribeTrace((t, tuple, ev) => {
      if (tuple.localPort !== c.tuple.localPort) return;
      if (ev.type === 'cwnd') cwndTrace.push({ t, cwnd: ev.cwnd, caState: ev.caState });
      if (ev.type === 'retransmit') resent[ev.reason]++;
    });
    pump();
    sim.runUntil(() => received === data.length, 600e6);
    unsubscribe();
    const secs = (sim.now() - t0) / 1e6;
    const info = c.info(sim.now());
    console.log(
      `   ${received} bytes ${intact ? 'intact' : 'CORRUPTED'} in ${secs.toFixed(2)} s of virtual time (${((received * 8) / secs / 1e6).toFixed(2)} Mbit/s)`,
    );
    console.log(
      `   retransmitted segments: ${client.counters.Tcp.RetransSegs}, fast retransmits: ${client.counters.TcpExt.TCPFastRetrans}, timeouts: ${client.counters.TcpExt.TCPTimeouts}`,
    );
    console.log(
      `   client: cwnd ${info.tcpi_snd_cwnd} segments, ssthresh ${info.tcpi_snd_ssthresh}, srtt ${((info.tcpi_rtt ?? 0) / 1000).toFixed(1)} ms, rto ${((info.tcpi_rto ?? 0) / 1000).toFixed(0)} ms`,
    );
    console.log(
      `   resent: ${resent.fast} in fast recovery, ${resent.rto} after timeouts, ${resent.tlp} as tail loss probes`,
    );
    console.log(`   cwnd (segments) every tenth of the transfer, with the state Linux calls it:`);
    const names = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'];
    const samples: string[] = [];
    for (let k = 0; k <= 10; k++) {
      const at = t0 + ((sim.now() - t0) * k) / 10;
      const last = cwndTrace.filter((e) => e.t <= at).at(-1);
      if (last) samples.push(`${last.cwnd}${last.caState ? ` (${names[last.caState]})` : ''}`);
    }
    console.log(`   ${samples.join(' → ')}`);
    console.log('\n   ss -tani on the client, after the transfer:\n');
    console.log(formatSs(client, { info: true }).replace(/^/gm, '   ') + '\n');

    console.log(
      "6. The four-way close (the seed's 1.4): the client closes first and waits 2MSL in TIME-WAIT.\n",
    );
    states.length = 0;
    tracing = true;
    c.close(sim.now());
    sim.runUntil(() => srv.state === 'CLOSE-WAIT', 10e6);
    srv.close(sim.now());
    sim.runUntil(() => c.state === 'TIME-WAIT' && srv.state === 'CLOSED', 60e6);
    tracing = false;
    const tw = sim.now();
    sim.runUntil(() => c.state === 'CLOSED', 120e6);
    console.log(`\n   ${states.join(' → ')}`);
    const empty = client.tcp.connections.size + server.tcp.connections.size === 0;
    console.log(
      `   TIME-WAIT lasted ${((sim.now() - tw) / 1e6).toFixed(1)} s; then both connection tables are ${empty ? 'empty' : 'NOT empty'}\n`,
    );

    console.log("7. The server's counters, as netstat -s prints them:\n");
    console.log(formatNetstatS(server.counters).replace(/^/gm, '   '));
    pcap.close();
    console.log(`\nvirtual time: ${time(sim.now())} s in ${sim.eventsProcessed} events`);
    console.log(`capture: ${pcapPath} (open it with Wireshark or tshark -r)`);
    return 0;
  },
};
