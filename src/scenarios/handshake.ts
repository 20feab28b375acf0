import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { formatTcpFlags } from '../wire/tcp-segment.js';
import { acceptAll, clientServer, ms, msNum, segLine, statePath, traceStates } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/**
 * The seed's 1.3: the three-way handshake on a 20 ms path. The client's SYN carries its ISN x and
 * its options, the server's SYN-ACK its ISN y and ack x+1, the client's ACK ack y+1; each side's
 * states are read from the engine as they change.
 */
export const handshake: Scenario = {
  name: 'handshake',
  summary: 'the three-way handshake: SYN, SYN-ACK, ACK with ISNs, options and each side’s states',
  run(ctx: ScenarioContext) {
    const { w, sim, client, server } = clientServer(ctx, { delayUs: 10_000 });
    const serverTrace = traceStates(server);
    const clientTrace = traceStates(client);
    let accepted: TcpConnection | null = null;
    acceptAll(server, 80, (c) => (accepted = c));
    const conn = client.tcp.connect(ipv4('10.0.0.2'), 80);
    sim.run({ until: 1e6 });
    const segs = w
      .sent(client)
      .concat(w.sent(server))
      .sort((a, b) => a.t - b.t);
    const peer = (h: string) => (h === 'client' ? 'server' : 'client');
    const s = accepted as TcpConnection | null;
    const info = conn.info(sim.now());
    const established = clientTrace.find((x) => x.to === 'ESTABLISHED')?.t ?? -1;
    const serverEstablished = serverTrace.find((x) => x.to === 'ESTABLISHED')?.t ?? -1;
    /** An option both SYNs carried, so the connection uses it. */
    const both = (k: 'sackOk' | 'timestamps') => segs.length >= 2 && Boolean(segs[0]?.[k] && segs[1]?.[k]);
    const result = {
      segments: segs.map((x) => ({
        tMs: msNum(x.t),
        from: x.host,
        flags: formatTcpFlags(x.flags),
        seq: x.seq,
        ack: x.ack,
        win: x.win,
        mss: x.mss,
        wscale: x.wscale,
      })),
      clientIsn: conn.iss,
      serverIsn: s?.iss ?? null,
      clientStates: statePath(clientTrace),
      serverStates: ['LISTEN', ...statePath(serverTrace)],
      clientEstablishedMs: msNum(established),
      serverEstablishedMs: msNum(serverEstablished),
      rttMs: info.tcpi_rtt / 1000,
      sndMss: info.tcpi_snd_mss,
      sndWscale: info.tcpi_snd_wscale,
      rcvWscale: info.tcpi_rcv_wscale,
    };
    return {
      hosts: w.hosts,
      result,
      story: [
        'A client connects to a server listening on port 80 across a 10 ms link (RTT 20 ms).',
        ...segs.map((x) => `  ${ms(x.t).padStart(8)} ms  ${segLine(x, peer(x.host))}`),
        `The SYN carries the client's ISN x = ${conn.iss}; the SYN-ACK the server's ISN y = ${s?.iss ?? '?'} and ack x+1; the last ACK ack y+1 (each SYN uses one sequence number).`,
        `client: ${result.clientStates.join(' → ')} (established at ${ms(established)} ms, after one RTT)`,
        `server: ${result.serverStates.join(' → ')} (established at ${result.serverEstablishedMs} ms, when the ACK arrived: 1.5 RTT)`,
        `Agreed in the handshake: MSS ${info.tcpi_snd_mss}${both('timestamps') ? ' (1460 less 12 bytes of timestamps)' : ''}, window scale ${info.tcpi_snd_wscale}/${info.tcpi_rcv_wscale}${both('sackOk') ? ', SACK' : ''}${both('timestamps') ? ', timestamps' : ''}.`,
        `Counters: client ActiveOpens ${client.counters.Tcp.ActiveOpens}, server PassiveOpens ${server.counters.Tcp.PassiveOpens}.`,
      ],
    };
  },
};
