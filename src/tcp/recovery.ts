import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import { sndBufExpand } from './autotune.js';
import { rackDetectLoss, rackMarkLost } from './rack.js';
import { LOST, SACKED } from './scoreboard.js';
import { seqGe, seqGt, seqSub } from './seq.js';
import { initUndo, mayUndo, undoCwndReduction } from './undo.js';

/** Linux's congestion-avoidance states (tcpi_ca_state numbers). */
export const CA_OPEN = 0;
export const CA_DISORDER = 1;
export const CA_CWR = 2;
export const CA_RECOVERY = 3;
export const CA_LOSS = 4;

/** Linux's TCP_INFINITE_SSTHRESH. */
export const INFINITE_SSTHRESH = 0x7fffffff;

/** What one ACK did, for the loss-recovery state machine. */
export interface AckSummary {
  /** SND.UNA moved forward. */
  advanced: boolean;
  /** Segments newly delivered: cumulatively acknowledged or SACKed (Linux's acked_sacked). */
  delivered: number;
  /** A duplicate ACK in RFC 5681's sense. */
  dupAck: boolean;
  /** The ACK carried a DSACK (RFC 2883). */
  dsack: boolean;
  /** Packets in flight before the ACK. */
  priorInFlight: number;
  /** Segments never resent, sent before recovery began, were delivered (Linux's FLAG_ORIG_SACK_ACKED). */
  origDelivered: boolean;
  /** Segments newly SACKed. */
  sacked: number;
  /** The ACK itself, for timestamp-based undo (Eifel); null in tests of the state machine alone. */
  seg: TcpSegment | null;
}

/** Packets in flight (RFC 6675's pipe, Linux's tcp_packets_in_flight). */
export function packetsInFlight(c: TcpConnection): number {
  const sb = c.sb;
  return sb.packetsOut - (sb.sackedOut + c.renoSacked + sb.lostOut) + sb.retransOut;
}

/**
 * Loss recovery and window control after an ACK, in the shape of Linux's tcp_fastretrans_alert
 * and tcp_cong_control: leave a finished recovery, find lost segments (RACK with SACK, duplicate
 * ACKs and NewReno partial ACKs without), enter fast recovery, and set cwnd by PRR (RFC 6937)
 * during recovery or by the congestion-control algorithm otherwise.
 */
export function recoveryOnAck(c: TcpConnection, a: AckSummary, now: number): void {
  const sb = c.sb;
  processTlpAck(c, a);
  // Without SACK, duplicate ACKs count as delivered segments (before any state change, as in
  // Linux's tcp_clean_rtx_queue).
  const delivered = c.sackOk ? a.delivered : renoSackUpdate(c, a);
  if (c.caState === CA_LOSS && processLoss(c, a)) return;
  // Recovery ends when everything outstanding at its start is acknowledged (RFC 6582 §3.2 step 3),
  // undone if it proves spurious.
  if ((c.caState === CA_RECOVERY || c.caState === CA_CWR) && seqGe(c.sndUna, c.highSeq)) {
    if (c.caState === CA_RECOVERY && mayUndo(c, a.seg)) {
      undoCwndReduction(c, false);
      c.env.mib.TcpExt.TCPFullUndo++;
    } else {
      endCwndReduction(c);
    }
    c.renoSacked = 0;
    c.caState = CA_OPEN;
  } else if ((c.caState === CA_RECOVERY || c.caState <= CA_DISORDER) && a.dsack && mayUndo(c, null)) {
    // Every retransmission of the last recovery came back as a DSACK: nothing was lost (RFC
    // 3708). Linux's tcp_try_undo_dsack; the DSACKs often arrive after the recovery has ended.
    undoCwndReduction(c, c.caState === CA_RECOVERY);
    c.env.mib.TcpExt.TCPDSACKUndo++;
    c.caState = CA_OPEN;
  }
  let newlyLost = 0;
  if (sb.packetsOut > 0) {
    if (!c.sackOk) newlyLost = renoMarkLost(c, a.advanced);
    else if (c.env.settings.tcp_recovery & 1) newlyLost = rackMarkLost(c, now);
    else newlyLost = dupthreshMarkLost(c);
  }
  if (sb.lostOut > 0 && c.caState <= CA_CWR) {
    if (c.cc.collapseOnFastRetransmit) {
      c.env.mib.TcpExt.TCPFastRetrans++;
      enterLoss(c, now, false);
      return;
    }
    enterRecovery(c);
  }
  if (c.caState === CA_RECOVERY || c.caState === CA_CWR) {
    cwndReduction(c, delivered, newlyLost, a.advanced);
  } else if (a.advanced) {
    // Linux's tcp_is_cwnd_limited: in slow start, grow while cwnd is below twice the most packets
    // in flight lately (an application sending exactly a window still doubles it); in congestion
    // avoidance, only if the sender was held back by cwnd.
    c.cwndLimited =
      c.cwnd < c.ssthresh ? c.cwnd < 2 * c.maxPacketsOut : c.cwndLimitedWindow || a.priorInFlight >= c.cwnd;
    c.cc.congAvoid(c, delivered, now);
    if (c.cwnd > c.maxCwnd) {
      c.maxCwnd = c.cwnd;
      sndBufExpand(c);
    }
  }
  if (c.caState === CA_OPEN && sb.sackedOut + c.renoSacked > 0) c.caState = CA_DISORDER;
  else if (c.caState === CA_DISORDER && sb.sackedOut + c.renoSacked === 0) c.caState = CA_OPEN;
}

/** Linux's tcp_init_cwnd_reduction + tcp_enter_recovery: a loss was detected. */
export function enterRecovery(c: TcpConnection): void {
  const mib = c.env.mib.TcpExt;
  if (c.sackOk) mib.TCPSackRecovery++;
  else mib.TCPRenoRecovery++;
  initUndo(c);
  if (c.caState !== CA_CWR) beginCwndReduction(c);
  c.caState = CA_RECOVERY;
  c.cc.onEvent?.(c, 'recovery', 0);
}

/** Linux's tcp_current_ssthresh: the threshold to return to if a reduction is undone. */
function currentSsthresh(c: TcpConnection): number {
  if (c.caState === CA_CWR || c.caState === CA_RECOVERY) return c.ssthresh;
  return Math.max(c.ssthresh, Math.floor((c.cwnd * 3) / 4));
}

function beginCwndReduction(c: TcpConnection): void {
  c.priorSsthresh = currentSsthresh(c);
  c.highSeq = c.sndNxt;
  c.tlpHighSeq = -1;
  c.priorCwnd = c.cwnd;
  c.prrDelivered = 0;
  c.prrOut = 0;
  c.cwndCnt = 0;
  c.ssthresh = c.cc.ssthresh(c);
}

/** Linux's tcp_end_cwnd_reduction: recovery is over; continue from ssthresh (RFC 6937 §3). */
function endCwndReduction(c: TcpConnection): void {
  if (c.caState === CA_CWR || c.ssthresh < INFINITE_SSTHRESH) c.cwnd = Math.max(c.ssthresh, 1);
}

/**
 * Proportional Rate Reduction (RFC 6937, Linux's tcp_cwnd_reduction): spread the reduction over
 * the recovery round so that ACK clocking continues, and grow back towards ssthresh (the SSRB
 * bound) when more was lost than the reduction called for.
 */
function cwndReduction(c: TcpConnection, delivered: number, newlyLost: number, advanced: boolean): void {
  if (delivered <= 0 || c.priorCwnd <= 0) return;
  const inFlight = packetsInFlight(c);
  const delta = c.ssthresh - inFlight;
  c.prrDelivered += delivered;
  let sndcnt: number;
  if (delta < 0) {
    sndcnt = Math.floor((c.ssthresh * c.prrDelivered + c.priorCwnd - 1) / c.priorCwnd) - c.prrOut;
  } else {
    sndcnt = Math.max(c.prrDelivered - c.prrOut, delivered);
    if (advanced && newlyLost === 0) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // The first segment of a recovery always goes: the fast retransmit.
  sndcnt = Math.max(sndcnt, c.prrOut > 0 ? 0 : 1);
  c.cwnd = inFlight + sndcnt;
}

/**
 * The retransmission timer expired, or Tahoe saw three duplicate ACKs (Linux's tcp_enter_loss):
 * everything outstanding not SACKed is presumed lost, the window drops to one segment, and slow
 * start resends (RFC 5681 §3.1, RFC 6298 §5).
 */
export function enterLoss(c: TcpConnection, now: number, timeout: boolean): void {
  const sb = c.sb;
  const newRecovery = c.caState < CA_RECOVERY;
  if (
    c.caState <= CA_DISORDER ||
    !seqGt(c.highSeq, c.sndUna) ||
    (c.caState === CA_LOSS && c.retransmits === 0)
  ) {
    c.priorSsthresh = currentSsthresh(c);
    c.priorCwnd = c.cwnd;
    c.ssthresh = c.cc.ssthresh(c);
    c.cc.onEvent?.(c, 'loss', now);
    initUndo(c);
  }
  // F-RTO (RFC 5682, SACK-enhanced as Linux's tcp_frto=2) watches the ACKs after the timeout.
  c.frto = timeout && c.sackOk && c.env.settings.tcp_frto !== 0 && (newRecovery || c.retransmits > 0);
  // RFC 2018 §8: a SACKed segment at the head means the receiver reneged; forget the SACKs.
  if (sb.packetsOut > 0 && sb.flags(0) & SACKED) {
    c.env.mib.TcpExt.TCPSACKReneging++;
    sb.clearSacks();
  }
  c.renoSacked = 0;
  const useRack = timeout && c.sackOk && c.env.settings.tcp_recovery & 1;
  for (let k = 0; k < sb.packetsOut; k++) {
    // RACK: segments sent less than an RTT ago may yet arrive; they are judged later.
    if (useRack && k > 0 && sb.time(k) + c.rack.rttUs - now > 0) continue;
    sb.markLost(k);
  }
  c.cwnd = packetsInFlight(c) + 1;
  c.cwndCnt = 0;
  c.highSeq = c.sndNxt;
  c.tlpHighSeq = -1;
  c.caState = CA_LOSS;
}

/** Without SACK, duplicate ACKs stand for segments the receiver holds (Linux's tcp_add_reno_sack). */
function renoSackUpdate(c: TcpConnection, a: AckSummary): number {
  const out = c.sb.packetsOut;
  if (c.caState === CA_LOSS) {
    // After a timeout everything outstanding is presumed lost and resent: duplicate ACKs say
    // nothing about what is in flight (Linux's tcp_process_loss for Reno).
    if (a.advanced) c.renoSacked = 0;
    return a.advanced ? a.delivered : 0;
  }
  if (a.dupAck) {
    if (c.renoSacked < Math.max(out - 1, 0)) c.renoSacked++;
    return 1;
  }
  if (a.advanced) {
    // One ACK filled the hole; the rest eat the duplicate ACKs counted (tcp_remove_reno_sacks).
    const acked = a.delivered;
    const delivered = Math.max(acked - c.renoSacked, 1);
    c.renoSacked = acked - 1 >= c.renoSacked ? 0 : c.renoSacked - (acked - 1);
    if (c.renoSacked > Math.max(out - 1, 0)) c.renoSacked = Math.max(out - 1, 0);
    return delivered;
  }
  return 0;
}

/**
 * Fast retransmit after tcp_reordering duplicate ACKs (RFC 5681 §3.2), and NewReno's partial ACK
 * rule (RFC 6582 §3.2 step 5): in recovery, an ACK that advances marks the next hole lost.
 */
function renoMarkLost(c: TcpConnection, advanced: boolean): number {
  const sb = c.sb;
  const trigger =
    (c.caState < CA_RECOVERY && c.renoSacked >= c.reordering) || (c.caState === CA_RECOVERY && advanced);
  if (!trigger || sb.flags(0) & LOST) return 0;
  return sb.markLost(0) ? 1 : 0;
}

/** RFC 6675 §4 IsLost(), for tcp_recovery=0: DupThresh SACKed segments above a hole. */
function dupthreshMarkLost(c: TcpConnection): number {
  const sb = c.sb;
  const thresh = c.reordering;
  let above = 0;
  let lost = 0;
  for (let k = sb.packetsOut - 1; k >= 0; k--) {
    const f = sb.flags(k);
    if (f & SACKED) above++;
    else if (above >= thresh && !(f & LOST) && sb.markLost(k)) lost++;
  }
  return lost;
}

/** RFC 8985 §7.4 (Linux's tcp_process_tlp_ack): did the tail loss probe repair a loss? */
function processTlpAck(c: TcpConnection, a: AckSummary): void {
  if (c.tlpHighSeq < 0 || seqGt(c.tlpHighSeq, c.sndUna)) return;
  const high = c.tlpHighSeq;
  c.tlpHighSeq = -1;
  if (!c.tlpRetrans) return;
  if (a.dsack) return; // the original and the probe both arrived: nothing was lost
  if (seqGt(c.sndUna, high)) {
    // The probe repaired a loss: reduce the window once, as a recovery would have.
    beginCwndReduction(c);
    c.caState = CA_CWR;
    endCwndReduction(c);
    c.caState = CA_OPEN;
    c.env.mib.TcpExt.TCPLossProbeRecovery++;
  }
}

/** The reordering timer fired (Linux's tcp_rack_reo_timeout). Returns whether anything was marked lost. */
export function reorderTimeout(c: TcpConnection, now: number): boolean {
  const before = packetsInFlight(c);
  rackDetectLoss(c, now);
  if (packetsInFlight(c) === before) return false;
  if (c.caState !== CA_RECOVERY) {
    enterRecovery(c);
    cwndReduction(c, 1, 0, false);
  }
  return true;
}

/**
 * An ACK in the Loss state (Linux's tcp_process_loss): undo a timeout found spurious by DSACK or
 * Eifel, run F-RTO (RFC 5682 §3.1): after the first ACK that advances, send new data instead of
 * resending; if the next ACKs deliver never-resent data the timeout was spurious. Returns true
 * when the ACK has been dealt with completely.
 */
function processLoss(c: TcpConnection, a: AckSummary): boolean {
  const recovered = seqGe(c.sndUna, c.highSeq);
  if (a.advanced && tryUndoLoss(c, a, false)) return true;
  if (c.frto) {
    // Step 3.b: never-resent data was (S)ACKed: the timeout was spurious.
    if (a.origDelivered && tryUndoLoss(c, a, true)) return true;
    if (seqGt(c.sndNxt, c.highSeq)) {
      // Step 3.a: new data went out and a duplicate ACK or SACK came back: the loss was real.
      if (a.sacked > 0 || a.dupAck) c.frto = false;
    } else if (a.advanced && !recovered) {
      c.highSeq = c.sndNxt;
      // Step 2.b: send new data if there is any and the window allows; else conventional recovery.
      const queued = c.sendBuf.length - seqSub(c.sndNxt, c.sndUna);
      if (queued > 0 && c.sndWnd > seqSub(c.sndNxt, c.sndUna)) c.frtoSendNew = true;
      else c.frto = false;
    }
  }
  if (recovered) {
    if (mayUndo(c, a.seg)) {
      undoCwndReduction(c, true);
      c.env.mib.TcpExt.TCPLossUndo++;
    }
    c.caState = CA_OPEN;
    c.frto = false;
  }
  return false;
}

function tryUndoLoss(c: TcpConnection, a: AckSummary, frtoUndo: boolean): boolean {
  if (!frtoUndo && !mayUndo(c, a.seg)) return false;
  undoCwndReduction(c, true);
  if (frtoUndo) c.env.mib.TcpExt.TCPSpuriousRTOs++;
  else c.env.mib.TcpExt.TCPLossUndo++;
  c.frto = false;
  c.caState = CA_OPEN;
  return true;
}
