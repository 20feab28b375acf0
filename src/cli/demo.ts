import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Host } from '../host/host.js';
import { formatNetstatS } from '../host/counters.js';
import { openPcapFile } from '../link/pcap-file-node.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
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
 * The main job: a guided run on a simulated network. This first version shows the layers that
 * exist (packets, hosts, routing, impaired links, counters, capture); the TCP story of the seed
 * (handshake, windows, congestion control, teardown) joins it as the engine lands.
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

    console.log("4. The server's counters, as netstat -s prints them:\n");
    console.log(formatNetstatS(server.counters).replace(/^/gm, '   '));
    pcap.close();
    console.log(`\nvirtual time: ${time(sim.now())} s in ${sim.eventsProcessed} events`);
    console.log(`capture: ${pcapPath} (open it with Wireshark or tshark -r)`);
    console.log(
      '\nThe TCP chapters of the story (handshake, sliding window, congestion control, teardown) come with the TCP engine.',
    );
    return 0;
  },
};
