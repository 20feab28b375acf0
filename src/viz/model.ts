/**
 * The data the pictures are drawn from. The simulator fills these from real runs; the viz code only
 * reads them, so it can also draw a trace recorded elsewhere.
 */

export interface SegmentRecord {
  /** When the sender put the segment on the wire. */
  timeUs: number;
  /** When it reached the receiver, if it did and the recorder knows; the ladder then slants to match. */
  arriveUs?: number;
  /** Endpoint label, e.g. "client 10.0.0.1:40000". */
  from: string;
  to: string;
  /** tcpdump style: 'S', 'S.', '.', 'P.', 'F.', 'R'. */
  flags: string;
  seq: number;
  ack: number;
  len: number;
  win: number;
  /** Sequence and ack numbers relative to each side's ISN, as tcpdump prints them. */
  relSeq: number;
  relAck: number;
  /** Lost on the wire: the ladder ends this arrow in an X half-way. */
  dropped?: boolean;
  retransmit?: boolean;
  /** SACK blocks, relative, [left, right). */
  sack?: [number, number][];
  note?: string;
}

export interface StateChange {
  timeUs: number;
  endpoint: string;
  /** 'SYN-SENT', 'ESTABLISHED', 'TIME-WAIT'… */
  state: string;
}

export interface CwndSample {
  timeUs: number;
  /** Segments. */
  cwnd: number;
  /** Segments; a huge value means "not set yet" and is not drawn. */
  ssthresh: number;
  /** Segments in flight as the engine counts them (Linux's tcp_packets_in_flight), if known. */
  inFlight?: number;
  /** Linux's ca_state: 'Open', 'Disorder', 'CWR', 'Recovery', 'Loss'. */
  caState?: string;
  /** 'timeout', 'fast-retransmit', 'recovery-exit'… */
  event?: string;
}

/** Bytes sent and not yet acknowledged (SND.NXT − SND.UNA), as Wireshark's bytes in flight. */
export interface InFlightSample {
  timeUs: number;
  bytes: number;
}

/** One transmission round, as in the classroom figure of cwnd per round. */
export interface RoundSample {
  round: number;
  cwnd: number;
  ssthresh: number;
  /** What happened at the end of this round: 'timeout', 'fast-retransmit', '3-dup-ack'… */
  event?: string;
}

export interface ReportSection {
  title: string;
  description?: string;
  /** Inline SVG markup, as returned by the chart functions. */
  svg: string;
}

/** ssthresh at or above this means "not set yet" (Linux starts at 0x7fffffff) and is not drawn. */
export const INFINITE_SSTHRESH = 1_000_000;
