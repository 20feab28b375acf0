import type { TcpState } from './state.js';

/**
 * What the engine reports to a tracer: state changes, the congestion window after each change,
 * retransmissions (and why), and retransmission timeouts. Nothing is built unless a tracer is
 * set (`env.trace`), so an untraced connection pays one null check.
 */
export type TcpTraceEvent =
  | { type: 'state'; from: TcpState; to: TcpState }
  | { type: 'cwnd'; cwnd: number; ssthresh: number; inFlight: number; caState: number }
  | { type: 'retransmit'; seq: number; len: number; reason: 'fast' | 'rto' | 'tlp' }
  | { type: 'rto'; rtoUs: number; backoff: number };

/** Linux's ca_state names, for people reading a trace. */
export const CA_STATE_NAME = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;
