import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import { LOST } from './scoreboard.js';
import { seqGt, seqLt } from './seq.js';

/**
 * Undoing a window reduction that proves spurious, as Linux does (tcp_may_undo and friends):
 * every retransmission of the episode came back as a DSACK (RFC 2883 §4: the originals had
 * arrived, RFC 3708), or an ACK echoes a timestamp older than the first retransmission (the
 * Eifel detection of RFC 3522: it acknowledges an original). Then cwnd and ssthresh return to
 * what they were.
 */
export class UndoState {
  /** SND.UNA when the episode began; -1 when there is nothing to undo. */
  marker = -1;
  /** Retransmissions not yet shown spurious by a DSACK; -1 before the first. */
  retrans = -1;
  /** When the episode's first retransmission left (µs), or -1. */
  stamp = -1;
}

/** A recovery or a timeout starts an episode (Linux's tcp_init_undo). */
export function initUndo(c: TcpConnection): void {
  c.undo.marker = c.sndUna;
  c.undo.retrans = c.sb.retransOut > 0 ? c.sb.retransOut : -1;
  c.undo.stamp = -1;
}

/** A segment was retransmitted during the episode. */
export function undoNoteRetransmit(c: TcpConnection, now: number): void {
  const u = c.undo;
  if (u.marker < 0) return;
  if (u.retrans < 0) u.retrans = 0;
  u.retrans++;
  if (u.stamp < 0) u.stamp = now;
}

/** A DSACK reported `segs` duplicate segments ending at `right`. */
export function undoNoteDsack(c: TcpConnection, right: number, segs: number): void {
  const u = c.undo;
  if (u.marker >= 0 && u.retrans > 0 && seqGt(right, u.marker)) u.retrans = Math.max(0, u.retrans - segs);
}

/** Eifel (RFC 3522): the ACK echoes a timestamp from before the first retransmission. */
function packetDelayed(c: TcpConnection, seg: TcpSegment | null): boolean {
  const u = c.undo;
  return (
    seg !== null &&
    c.tsOk &&
    u.stamp >= 0 &&
    seg.hasTimestamp &&
    seg.tsEcr !== 0 &&
    seqLt(seg.tsEcr, c.tsNow(u.stamp))
  );
}

export function mayUndo(c: TcpConnection, seg: TcpSegment | null): boolean {
  return c.undo.marker >= 0 && (c.undo.retrans === 0 || packetDelayed(c, seg));
}

/** Linux's tcp_undo_cwnd_reduction: restore the window; after a timeout, un-mark the "lost" segments. */
export function undoCwndReduction(c: TcpConnection, unmarkLoss: boolean): void {
  if (unmarkLoss) {
    const sb = c.sb;
    for (let k = 0; k < sb.packetsOut; k++) if (sb.flags(k) & LOST) sb.unmarkLost(k);
  }
  if (c.priorSsthresh > 0) {
    c.cwnd = c.cc.undoCwnd(c, c.priorCwnd);
    if (c.priorSsthresh > c.ssthresh) c.ssthresh = c.priorSsthresh;
  }
  c.undo.marker = -1;
}
