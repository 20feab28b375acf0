/** The connection states of RFC 9293 §3.3.2. */
export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECEIVED'
  | 'ESTABLISHED'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

/** How iproute2's ss names each state. */
export const SS_STATE_NAME: Record<TcpState, string> = {
  CLOSED: 'UNCONN',
  LISTEN: 'LISTEN',
  'SYN-SENT': 'SYN-SENT',
  'SYN-RECEIVED': 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  'FIN-WAIT-1': 'FIN-WAIT-1',
  'FIN-WAIT-2': 'FIN-WAIT-2',
  'CLOSE-WAIT': 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  'LAST-ACK': 'LAST-ACK',
  'TIME-WAIT': 'TIME-WAIT',
};

/** Linux's TCP_ESTABLISHED… numbering (include/net/tcp_states.h), as tcp_info reports it. */
export const LINUX_STATE_NUMBER: Record<TcpState, number> = {
  ESTABLISHED: 1,
  'SYN-SENT': 2,
  'SYN-RECEIVED': 3,
  'FIN-WAIT-1': 4,
  'FIN-WAIT-2': 5,
  'TIME-WAIT': 6,
  CLOSED: 7,
  'CLOSE-WAIT': 8,
  'LAST-ACK': 9,
  LISTEN: 10,
  CLOSING: 11,
};

/** States in which both sides have exchanged SYNs (RFC 9293 "synchronized states"). */
export function isSynchronized(s: TcpState): boolean {
  return s !== 'CLOSED' && s !== 'LISTEN' && s !== 'SYN-SENT';
}
