import type { TcpConnection } from './connection.js';
import { EVER_RETRANS, LOST, RETRANS, SACKED } from './scoreboard.js';
import { seqGt, seqLt } from './seq.js';

/** Linux's TCP_TIMEOUT_MIN: the reordering timer never fires sooner than 2 ms (two jiffies). */
const TIMEOUT_MIN_US = 2000;

/**
 * RACK (RFC 8985 §6): a segment is lost when a segment sent after it has been delivered and more
 * than an RTT plus a reordering window has passed since it was sent. Time, not a count of
 * duplicate ACKs, decides; so lost retransmissions and losses at the tail are found too.
 */
export class RackState {
  /** Send time and end of the most recently sent segment known delivered (RACK.xmit_ts, RACK.end_seq). */
  xmitTime = -1;
  endSeq = 0;
  /** RTT of that segment (RACK.rtt). */
  rttUs = 0;
  /** A newer segment was delivered since the last loss check. */
  advanced = false;
  /** Reordering has been observed on this connection (RFC 8985 §6.2 step 3). */
  reorderingSeen = false;
  /** Multiplier of the reordering window, raised by DSACKs (RFC 8985 §6.2 step 4). */
  reoWndSteps = 1;
  /** SND.NXT when the steps last grew: at most one increase per round trip. */
  dsackRoundEnd = -1;
  /** The reordering timer was set while handling the current ACK. */
  reoArmed = false;
}

/** RFC 8985 §6.2 step 2: a segment sent at `xmitTime` ending at `endSeq` was delivered. */
export function rackAdvance(
  c: TcpConnection,
  flags: number,
  xmitTime: number,
  endSeq: number,
  now: number,
): void {
  const rack = c.rack;
  const rtt = now - xmitTime;
  // A retransmitted segment's delivery is ambiguous: it might be the original that arrived. Use it
  // only if the RTT is plausible for the retransmission (Linux's tcp_rack_advance).
  if (flags & (RETRANS | EVER_RETRANS) && rtt < c.rtt.minRttUs) return;
  rack.advanced = true;
  rack.rttUs = rtt;
  if (xmitTime > rack.xmitTime || (xmitTime === rack.xmitTime && seqGt(endSeq, rack.endSeq))) {
    rack.xmitTime = xmitTime;
    rack.endSeq = endSeq;
  }
}

/**
 * RFC 8985 §6.2 step 3: a never-resent segment below the highest SACKed one was delivered late.
 * Linux's tcp_check_sack_reordering also widens the reordering degree (tcpi_reordering) to the
 * distance, in segments, that the segment was overtaken by.
 */
export function noteReordering(c: TcpConnection, flags: number, startSeq: number, endSeq: number): void {
  if (flags & (EVER_RETRANS | SACKED) || c.sb.sackedOut === 0) return;
  const fack = c.sb.highestSacked;
  if (!seqLt(endSeq, fack)) return;
  const mss = c.sndMss;
  const metric = (fack - startSeq) >>> 0;
  if (metric > c.reordering * mss) {
    c.reordering = Math.min(Math.ceil(metric / mss), c.env.settings.tcp_max_reordering);
  }
  if (!c.rack.reorderingSeen) c.env.mib.TcpExt.TCPSACKReorder++;
  c.rack.reorderingSeen = true;
}

/** A DSACK arrived: a retransmission was spurious, so widen the reordering window (RFC 8985 §6.2 step 4). */
export function rackOnDsack(c: TcpConnection): void {
  const rack = c.rack;
  if (rack.dsackRoundEnd >= 0 && seqLt(c.sndUna, rack.dsackRoundEnd)) return;
  rack.reoWndSteps = Math.min(rack.reoWndSteps + 1, 255);
  rack.dsackRoundEnd = c.sndNxt;
}

/** RFC 8985 §6.2 step 4 (Linux's tcp_rack_reo_wnd). */
function reoWnd(c: TcpConnection): number {
  if (!c.rack.reorderingSeen) {
    // Without evidence of reordering, recovery and three SACKed segments mean loss at once.
    if (c.caState >= 3) return 0;
    if (c.sb.sackedOut >= c.reordering) return 0;
  }
  const minRtt = c.rtt.minRttUs === Infinity ? 0 : c.rtt.minRttUs;
  return Math.min((minRtt / 4) * c.rack.reoWndSteps, c.rtt.srttUs);
}

/**
 * RFC 8985 §6.2 step 5: mark lost what has waited long enough; returns how many were marked and
 * arms the reordering timer for the rest.
 */
export function rackDetectLoss(c: TcpConnection, now: number): number {
  const sb = c.sb;
  const rack = c.rack;
  if (rack.xmitTime < 0) return 0;
  const wnd = reoWnd(c);
  let lost = 0;
  let timeout = 0;
  for (let k = 0; k < sb.packetsOut; k++) {
    const f = sb.flags(k);
    if (f & SACKED) continue;
    if (f & LOST && !(f & RETRANS)) continue;
    const t = sb.time(k);
    const end = sb.end(k);
    // Only segments sent before the one delivered can be judged. A segment never resent that
    // went out later means every segment after it did too (originals leave in sequence order and
    // resends are later still), so the scan stops there.
    if (!(t < rack.xmitTime || (t === rack.xmitTime && seqLt(end, rack.endSeq)))) {
      if (!(f & EVER_RETRANS)) break;
      continue;
    }
    const remaining = t + rack.rttUs + wnd - now;
    if (remaining <= 0) {
      if (f & RETRANS) c.env.mib.TcpExt.TCPLostRetransmit++;
      if (sb.markLost(k)) lost++;
    } else if (remaining > timeout) {
      timeout = remaining;
    }
  }
  if (timeout > 0) {
    c.timers.armReorder(now + timeout + TIMEOUT_MIN_US);
    rack.reoArmed = true;
  }
  return lost;
}

/** Linux's tcp_rack_mark_lost: run the check when something newer was delivered. */
export function rackMarkLost(c: TcpConnection, now: number): number {
  if (!c.rack.advanced) return 0;
  c.rack.advanced = false;
  return rackDetectLoss(c, now);
}
