import type { TcpEnv } from './env.js';
import { seqSub } from './seq.js';

/**
 * The window to offer (Linux's tcp_select_window), from the receive buffer's free `space` and
 * `capacity`: shared by a connection and the TIME-WAIT record that replaces it, so both offer
 * the same window.
 */
export function selectWindow(
  env: TcpEnv,
  space: number,
  capacity: number,
  advMss: number,
  rcvAdvRight: number,
  rcvNxt: number,
  rcvWscale: number,
): number {
  // Receiver-side silly window avoidance (RFC 1122 4.2.3.3): no small increases.
  let win = space < Math.min(capacity / 2, advMss) ? 0 : space;
  // Under memory pressure Linux clamps rcv_ssthresh to four segments (tcp_select_window), so
  // every sender slows down until memory is back below tcp_mem[0].
  if (win > 4 * advMss && env.underMemoryPressure?.()) win = 4 * advMss;
  // Never shrink the window already offered (RFC 9293 §3.8.6: shrinking the window is strongly discouraged).
  const edge = seqSub(rcvAdvRight, rcvNxt);
  if (win < edge) win = edge;
  const max = 65535 * (1 << rcvWscale); // scales are at most 14: a shift, not pow()
  if (win > max) win = max;
  return win;
}

/**
 * Count an advertisement of `adv` bytes after `prev` (the last one): Linux's
 * TCPToZeroWindowAdv, and TCPFromZeroWindowAdv once the connection has been reported.
 */
export function countWindowAdv(env: TcpEnv, prev: number, adv: number, reported: boolean): void {
  if (adv === 0 && prev !== 0) env.mib.TcpExt.TCPToZeroWindowAdv++;
  if (adv !== 0 && prev === 0 && reported) env.mib.TcpExt.TCPFromZeroWindowAdv++;
}
