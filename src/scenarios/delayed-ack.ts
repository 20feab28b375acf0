import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK } from '../wire/tcp-segment.js';
import { World, acceptAll, drain } from './kit.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const BULK_SEGMENTS = 40;
const MESSAGES = 10;
const MESSAGE_EVERY_US = 100_000;
const MESSAGES_FROM_US = 1e6;

interface DelackRun {
  tcp_quickack: number;
  /** For each ACK the server sent during the bulk phase: how many segments it acknowledged. */
  segmentsPerAck: number[];
  /** Leading ACKs that acknowledged one segment each (quick-ack mode at the start). */
  quickAcksAtStart: number;
  /** After those: segments acknowledged per ACK, on average. */
  segmentsPerAckAfter: number;
  /** How long each small message waited at the server for its ACK, ms. */
  messageAckDelayMs: number[];
  DelayedACKs: number;
}

/**
 * The seed's 1 ("the ACK is not sent at once, it is delayed a little"): Linux's delayed ACKs. A
 * bulk burst of 40 segments: at the start of a connection the receiver is in quick-ack mode and
 * acknowledges every segment; after that it acknowledges every second full segment. Then ten
 * small messages 100 ms apart that nothing answers: each ACK waits for the delayed-ACK timer,
 * 40 ms (Linux's TCP_DELACK_MIN). With tcp_quickack=1 (the route's quickack) every segment is
 * acknowledged at once.
 */
function delackRun(ctx: ScenarioContext, quick: number, tag: string): { w: World; run: DelackRun } {
  const w = new World(ctx);
  const client = w.host(`client${tag}`, { tcp_quickack: quick });
  const server = w.host(`server${tag}`, { tcp_quickack: quick });
  w.link(client, '10.0.0.1/24', server, '10.0.0.2/24', { delayUs: 20_000, bandwidthBps: 10e6 });
  const sim = w.sim;
  acceptAll(server, 80, (s) => drain(server, s, () => sim.now()));
  const c = client.tcp.connect(ipv4('10.0.0.2'), 80);
  client.tcp.observe(c, (ev) => {
    if (ev !== 'established') return;
    c.send(new Uint8Array(BULK_SEGMENTS * c.sndMss), sim.now());
    for (let i = 0; i < MESSAGES; i++)
      sim.at(MESSAGES_FROM_US + i * MESSAGE_EVERY_US, () => c.send(new Uint8Array(100), sim.now()));
  });
  sim.run({ until: MESSAGES_FROM_US + (MESSAGES + 2) * MESSAGE_EVERY_US });

  const dataIn = w.received(server).filter((s) => s.len > 0);
  const base = dataIn[0]?.seq ?? 0;
  const acks = w.sent(server).filter((s) => s.flags === TCP_ACK && s.t >= (dataIn[0]?.t ?? 0));
  const mss = c.sndMss;
  const bulkEnd = BULK_SEGMENTS * mss;
  const perAck: number[] = [];
  let prev = 0;
  for (const a of acks) {
    const rel = (a.ack - base) >>> 0;
    if (rel > bulkEnd || rel <= prev) continue;
    perAck.push(Math.round((rel - prev) / mss));
    prev = rel;
  }
  let quickAcks = 0;
  while (perAck[quickAcks] === 1) quickAcks++;
  const rest = perAck.slice(quickAcks);
  const delays = dataIn
    .filter((s) => s.t >= MESSAGES_FROM_US)
    .map((s) => {
      const end = ((s.seq - base) >>> 0) + s.len;
      const ack = acks.find((a) => a.t >= s.t && (a.ack - base) >>> 0 >= end);
      return ack ? Math.round(ack.t - s.t) / 1000 : -1;
    });
  return {
    w,
    run: {
      tcp_quickack: server.settings.tcp_quickack,
      segmentsPerAck: perAck,
      quickAcksAtStart: quickAcks,
      segmentsPerAckAfter: rest.length
        ? Math.round((10 * rest.reduce((x, y) => x + y, 0)) / rest.length) / 10
        : 0,
      messageAckDelayMs: delays,
      DelayedACKs: server.counters.TcpExt.DelayedACKs,
    },
  };
}

export const delayedAck: Scenario = {
  name: 'delayed-ack',
  summary:
    'delayed ACKs: quick-acks at the start, then one ACK per two segments, a lone segment waits 40 ms; tcp_quickack=1 acks at once',
  run(ctx: ScenarioContext) {
    const given = ctx.settings.tcp_quickack;
    const modes = given === undefined ? [0, 1] : [Number(given)];
    const runs = modes.map((q) => delackRun(ctx, q, given === undefined ? `-quickack${q}` : ''));
    const result: Record<string, unknown> = {
      bulkSegments: BULK_SEGMENTS,
      messages: MESSAGES,
      messageEveryMs: MESSAGE_EVERY_US / 1000,
    };
    for (const r of runs) result[`quickack${r.run.tcp_quickack}`] = r.run;
    return {
      hosts: runs.flatMap((r) => r.w.hosts),
      result,
      story: [
        `A burst of ${BULK_SEGMENTS} full segments, then ${MESSAGES} messages of 100 bytes ${MESSAGE_EVERY_US / 1000} ms apart that the server never answers.`,
        ...runs.flatMap(({ run: r }) => [
          `tcp_quickack=${r.tcp_quickack}: segments per ACK during the burst: ${r.segmentsPerAck.join(' ')}`,
          r.tcp_quickack
            ? `  Every segment acknowledged at once; each message's ACK left ${[...new Set(r.messageAckDelayMs)].join('/')} ms after it arrived.`
            : `  The first ${r.quickAcksAtStart} ACKs each acknowledged one segment (quick-ack mode at the start), then ${r.segmentsPerAckAfter} segments per ACK; each lone message's ACK waited ${[...new Set(r.messageAckDelayMs)].join('/')} ms for the delayed-ACK timer (DelayedACKs ${r.DelayedACKs}).`,
        ]),
      ],
    };
  },
};
