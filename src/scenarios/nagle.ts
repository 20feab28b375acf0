import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK } from '../wire/tcp-segment.js';
import { World, acceptAll, drain } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const WRITES = 200;
const WRITE_BYTES = 10;
const EVERY_US = 5000;

interface NagleRun {
  nodelay: boolean;
  writes: number;
  dataSegments: number;
  meanBytesPerSegment: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
  /** Times a small segment was sent while an earlier small one was still unacknowledged. */
  smallSegmentsSentWhileOneUnacked: number;
  delayedAcksAtServer: number;
}

/**
 * An interactive client (the seed's 5.1.2: "many small packets") writes 10 bytes every 5 ms for
 * a second over a 40 ms round trip; the server only reads. With Nagle's algorithm (RFC 896, the
 * default) a small segment may go only when no other small one is unacknowledged, so the writes
 * pile up and leave together once per ACK; with TCP_NODELAY every write is its own segment.
 */
function nagleRun(ctx: ScenarioContext, nodelay: boolean, tag: string): { w: World; run: NagleRun } {
  const w = new World(ctx);
  const client = w.host(`client${tag}`);
  const server = w.host(`server${tag}`);
  w.link(client, '10.0.0.1/24', server, '10.0.0.2/24', { delayUs: 20_000, bandwidthBps: 10e6 });
  const sim = w.sim;
  acceptAll(server, 80, (s) => drain(server, s, () => sim.now()));
  const c = client.tcp.connect(ipv4('10.0.0.2'), 80);
  const writtenAt: number[] = [];
  client.tcp.observe(c, (ev) => {
    if (ev !== 'established') return;
    c.setNoDelay(nodelay, sim.now());
    for (let i = 0; i < WRITES; i++) {
      sim.after(i * EVERY_US, () => {
        writtenAt.push(sim.now());
        c.send(new Uint8Array(WRITE_BYTES).fill(i & 255), sim.now());
      });
    }
  });
  sim.run({ until: 5e6 });

  const out = w.sent(client).filter((s) => s.len > 0);
  const base = out[0]?.seq ?? 0;
  // When each byte reached the server: the arrival of the segment that carried it.
  const arrivedAt = new Array<number>(WRITES * WRITE_BYTES).fill(-1);
  for (const s of w.received(server)) {
    if (s.len === 0) continue;
    const from = (s.seq - base) >>> 0;
    for (let b = from; b < from + s.len && b < arrivedAt.length; b++)
      if (arrivedAt[b] === -1) arrivedAt[b] = s.t;
  }
  const lat = writtenAt.map((t, i) => (arrivedAt[i * WRITE_BYTES + WRITE_BYTES - 1] as number) - t);
  // Nagle's rule, checked on the wire: replay the client's sends and the ACKs it received.
  let acked = 0;
  let smallEnd = -1;
  let violations = 0;
  const events = w.segs
    .filter((s) => s.host === client.name)
    .sort((a, b) => a.t - b.t || (a.dir === 'in' ? -1 : 1));
  for (const s of events) {
    if (s.dir === 'in' && s.flags & TCP_ACK) acked = Math.max(acked, (s.ack - base) >>> 0);
    if (s.dir === 'out' && s.len > 0 && s.len < c.sndMss) {
      if (smallEnd > acked) violations++;
      smallEnd = ((s.seq - base) >>> 0) + s.len;
    }
  }
  const bytes = out.reduce((a, s) => a + s.len, 0);
  return {
    w,
    run: {
      nodelay,
      writes: writtenAt.length,
      dataSegments: out.length,
      meanBytesPerSegment: Math.round((10 * bytes) / Math.max(1, out.length)) / 10,
      meanLatencyMs: Math.round(lat.reduce((a, b) => a + b, 0) / lat.length) / 1000,
      maxLatencyMs: Math.max(...lat) / 1000,
      smallSegmentsSentWhileOneUnacked: violations,
      delayedAcksAtServer: server.counters.TcpExt.DelayedACKs,
    },
  };
}

export const nagle: Scenario = {
  name: 'nagle',
  summary: 'Nagle’s algorithm: 200 writes of 10 bytes coalesced into few segments; TCP_NODELAY sends 200',
  run(ctx: ScenarioContext) {
    const a = nagleRun(ctx, false, '');
    const b = nagleRun(ctx, true, '-nodelay');
    const line = (r: NagleRun) =>
      `  ${r.nodelay ? 'TCP_NODELAY' : 'Nagle (default)'}: ${r.dataSegments} segments, ${r.meanBytesPerSegment} bytes each on average; a write waits ${r.meanLatencyMs} ms on average (at most ${r.maxLatencyMs} ms) to reach the server; small segments sent while one was unacknowledged: ${r.smallSegmentsSentWhileOneUnacked}.`;
    return {
      hosts: [...a.w.hosts, ...b.w.hosts],
      result: {
        writes: WRITES,
        writeBytes: WRITE_BYTES,
        writeEveryMs: EVERY_US / 1000,
        rttMs: 40,
        nagle: a.run,
        nodelay: b.run,
      },
      story: [
        `The client writes ${WRITE_BYTES} bytes every ${EVERY_US / 1000} ms, ${WRITES} times, over a 40 ms round trip; the server only reads.`,
        line(a.run),
        line(b.run),
        `Nagle trades latency for fewer packets: at most one small segment in flight, the rest wait for its ACK (and the server delays that ACK: DelayedACKs ${a.run.delayedAcksAtServer}).`,
      ],
    };
  },
};
