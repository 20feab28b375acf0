import { cwndChart } from '../viz/cwnd-chart.js';
import { bytesInFlight } from '../viz/in-flight.js';
import { ladderDiagram } from '../viz/ladder.js';
import { sameEndpoint } from '../viz/endpoint.js';
import type { ReportSection, RoundSample, SegmentRecord, StateChange } from '../viz/model.js';
import { median } from '../viz/scale.js';
import { renderReport, type TextBlock } from '../viz/report.js';
import { roundsChart } from '../viz/rounds-chart.js';
import { timeSequenceGraph } from '../viz/time-sequence.js';
import { endpointLabel, segmentRecords } from './flow-records.js';
import type { Flow, Recorder } from './recorder.js';

export interface RunReportOptions {
  title: string;
  subtitle?: string;
  /** The connection to draw (default: the one that carried the most bytes). */
  flow?: Flow;
  /** Segments drawn at the start and at the end of the ladder (default 14 and 10). */
  ladderHead?: number;
  ladderTail?: number;
  /** More time-sequence graphs of the same connection, each of a stretch of time. */
  zooms?: { title: string; description?: string; fromUs: number; toUs: number }[];
  /** The seed's classroom figure, when the run counted rounds. */
  rounds?: RoundSample[];
  /** Preformatted text after the pictures: the trace, ss, netstat -s. */
  textBlocks?: TextBlock[];
}

/** The three pictures of one connection (ladder, time-sequence, cwnd), as report sections. */
export function flowSections(
  flow: Flow,
  opts: Pick<RunReportOptions, 'ladderHead' | 'ladderTail' | 'zooms'> = {},
): ReportSection[] {
  const records = segmentRecords(flow);
  const a = endpointLabel(flow.first);
  const b = endpointLabel(flow.second);
  let bytesA = 0;
  let bytesB = 0;
  let mss = 0;
  for (const s of flow.segments) {
    if (s.forward) bytesA += s.len;
    else bytesB += s.len;
  }
  const senderIsFirst = bytesA >= bytesB;
  const sender = senderIsFirst ? a : b;
  const senderHost = senderIsFirst ? flow.first.host : flow.second.host;
  for (const s of flow.segments) if (s.forward === senderIsFirst) mss = Math.max(mss, s.len);
  const head = opts.ladderHead ?? 14;
  const tail = opts.ladderTail ?? 10;
  const hidden = Math.max(0, records.length - head - tail);
  const cwnd = flow.cwnd.get(senderHost) ?? [];
  const sections: ReportSection[] = [
    {
      title: 'Ladder diagram',
      description:
        `Every segment between ${a} and ${b} as an arrow from its sending to its arrival time ` +
        '(flags, relative seq and ack as tcpdump prints them, the scaled window, SACK blocks), with each ' +
        "side's state changes: the seed's handshake and teardown figures, from the run" +
        (hidden > 0 ? `; the ${hidden} segments in the middle are left out.` : '.'),
      svg: ladderDiagram(records, {
        left: a,
        right: b,
        title: `Ladder diagram: ${a} ⇄ ${b}`,
        states: withSynReceived(flow, records),
        maxSegments: head,
        tailSegments: tail,
      }),
    },
    {
      title: 'Time-sequence graph',
      description:
        `The data ${sender} sent, by relative sequence number over time (one bar per segment, as tcptrace ` +
        'and Wireshark draw it), with the ACK line, the right edge of the receive window, retransmissions, ' +
        'losses on the wire and SACK blocks. The slope of the bars is the throughput.',
      svg: timeSequenceGraph(records, { sender }),
    },
    {
      title: 'Congestion window, ssthresh and bytes in flight',
      description:
        `${senderHost}'s congestion window and slow-start threshold as its engine reported them, and the ` +
        'bytes in flight counted from the packets, in segments. Shaded: time in fast recovery (Recovery) ' +
        'and after a retransmission timeout (Loss).',
      svg: cwndChart(cwnd, { inFlight: bytesInFlight(records, sender), mss: mss || 1448 }),
    },
  ];
  const zoom = firstLossWindow(records, sender);
  if (zoom)
    sections.splice(2, 0, {
      title: 'Time-sequence graph: the first loss, close up',
      description:
        'The same graph around the first retransmission: the ACK line stops at the hole, SACK blocks ' +
        'report what arrived above it, the hole is resent, and the ACK line jumps.',
      svg: timeSequenceGraph(records, {
        sender,
        fromUs: zoom[0],
        toUs: zoom[1],
        title: `Time-sequence graph: data sent by ${sender}, around the first loss`,
      }),
    });
  for (const z of opts.zooms ?? [])
    sections.splice(sections.length - 1, 0, {
      title: z.title,
      description: z.description,
      svg: timeSequenceGraph(records, {
        sender,
        fromUs: z.fromUs,
        toUs: z.toUs,
        title: `${z.title}: ${sender}`,
      }),
    });
  return sections;
}

/**
 * Linux keeps a passive open's SYN-RECEIVED in a request socket, not in the connection, so the
 * engine's trace starts at ESTABLISHED; the ladder shows it where the SYN arrived, as the seed does.
 */
function withSynReceived(flow: Flow, records: SegmentRecord[]): StateChange[] {
  const passive = flow.second.host;
  const first = flow.states.find((c) => c.endpoint === passive);
  const syn = records.find((r) => r.flags === 'S' && r.arriveUs !== undefined);
  if (!syn || syn.arriveUs === undefined || first?.state !== 'ESTABLISHED') return flow.states;
  return [{ timeUs: syn.arriveUs, endpoint: passive, state: 'SYN-RECEIVED' }, ...flow.states];
}

/** From half a round trip before the first segment lost to two after its first retransmission. */
function firstLossWindow(records: SegmentRecord[], sender: string): [number, number] | undefined {
  const resent = records.find((r) => r.retransmit && r.len > 0 && sameEndpoint(r.from, sender));
  if (!resent) return undefined;
  const lost = records.find((r) => r.dropped && r.len > 0 && sameEndpoint(r.from, sender));
  const delays = records.filter((r) => r.arriveUs !== undefined).map((r) => (r.arriveUs ?? 0) - r.timeUs);
  const rtt = 2 * (median(delays) ?? 50_000);
  const start = Math.min(lost?.timeUs ?? resent.timeUs, resent.timeUs) - rtt / 2;
  return [start, resent.timeUs + 2 * rtt];
}

/** A self-contained HTML report of a recorded run. */
export function runReport(rec: Recorder, opts: RunReportOptions): string {
  const flow = opts.flow ?? rec.busiestFlow();
  const sections = flow ? flowSections(flow, opts) : [];
  if (opts.rounds && opts.rounds.length > 0)
    sections.push({
      title: 'Congestion window per round',
      description: "The seed's classroom figure: cwnd at the start of each transmission round.",
      svg: roundsChart(opts.rounds),
    });
  const notes: string[] = [];
  if (!flow) notes.push('no TCP connection was recorded (the run handed no hosts to the recorder)');
  if (rec.pcapSkipped > 0) notes.push(`the capture stopped after ${rec.pcap?.packets} packets`);
  if (rec.segmentsSkipped > 0)
    notes.push(`${rec.segmentsSkipped} segments were left out of the records (the pictures show the rest)`);
  const subtitle = [opts.subtitle, ...notes].filter(Boolean).join('; ');
  return renderReport({ title: opts.title, subtitle, sections, textBlocks: opts.textBlocks });
}
