import type { TcpConnection } from './connection.js';

/**
 * Send units: how Linux groups new segments into TSO/GSO packets, and where that puts PSH.
 *
 * Linux's tcp_write_xmit hands the device one skb at a time, as large as
 * min(tcp_cwnd_test's quota, tcp_tso_segs) segments allow, and a NIC (or GSO in software) cuts it
 * into MSS segments. __tcp_transmit_skb sets PSH on every skb of more than one segment "to
 * expedite GRO flush at the receiver", and segmentation keeps PSH on the last segment only. A
 * single-segment skb carries PSH only where the application's write ended (tcp_push). synack
 * sends MSS segments, so it groups them the same way and marks the last segment of each
 * multi-segment unit: on the wire this is what a Linux host behind a TSO device sends, and what
 * packetdrill sees when it joins the segments back into TSO packets.
 */

/** Linux's sk_gso_max_size for a device with the legacy 64 KB GSO limit (less MAX_TCP_HEADER + 1). */
const GSO_MAX_SIZE = 65536 - 321;

/**
 * Linux's tcp_update_pacing_rate, run at the end of every ACK that covers something outstanding
 * (tcp_cong_control): cwnd·MSS/SRTT scaled by tcp_pacing_ss_ratio while cwnd is below half of
 * ssthresh, else by tcp_pacing_ca_ratio. Without an RTT sample the rate stays unlimited.
 */
export function updatePacingRate(c: TcpConnection): void {
  const s = c.env.settings;
  const srtt = c.rtt.srttUs;
  if (srtt <= 0) {
    c.pacingRate = Infinity;
    return;
  }
  const ratio = c.cwnd < c.ssthresh / 2 ? s.tcp_pacing_ss_ratio : s.tcp_pacing_ca_ratio;
  const packets = Math.max(c.cwnd, c.packetsOut);
  c.pacingRate = Math.floor((c.sndMss * 10000 * ratio * packets) / srtt);
}

/** Powers of two up to 2^63, exact: sized on every send, and `2 ** n` is a call to pow(). */
const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

function pow2(n: number): number {
  return n >= 0 && n < 64 && Number.isInteger(n) ? (POW2[n] as number) : 2 ** n;
}

/**
 * Linux's tcp_tso_autosize: about 1 ms of data at the pacing rate (sk_pacing_rate >>
 * sk_pacing_shift, 10), plus a bonus towards 64 KB on short paths (min RTT below 2^tcp_tso_rtt_log
 * µs halves the bonus per step), never fewer than tcp_min_tso_segs segments.
 */
export function tsoSegs(c: TcpConnection): number {
  const s = c.env.settings;
  const mss = Math.max(c.sndMss, 1);
  let bytes = c.pacingRate === Infinity ? GSO_MAX_SIZE : Math.floor(c.pacingRate / 1024);
  const minRtt = c.rtt.minRttUs;
  if (minRtt !== Infinity) {
    const r = Math.floor(minRtt / pow2(s.tcp_tso_rtt_log));
    if (r < 32) bytes += Math.floor(GSO_MAX_SIZE / pow2(r));
  }
  bytes = Math.min(bytes, GSO_MAX_SIZE);
  return Math.max(Math.floor(bytes / mss), s.tcp_min_tso_segs);
}

/**
 * Linux's tcp_cwnd_test: the segments cwnd lets the next unit carry, at most half of cwnd "for
 * better scheduling, so that at least two GSO packets are in flight".
 */
export function cwndQuota(cwnd: number, inFlight: number): number {
  if (inFlight >= cwnd) return 0;
  return Math.min(Math.max(cwnd >> 1, 1), cwnd - inFlight);
}
