import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import { noteReordering, rackAdvance, rackOnDsack } from './rack.js';
import { EVER_RETRANS, SACKED } from './scoreboard.js';
import { seqGe, seqGt, seqLe, seqLt, seqMax, seqSub } from './seq.js';
import { undoNoteDsack } from './undo.js';

export interface SackResult {
  /** Segments newly SACKed. */
  sacked: number;
  /** The first block reported a duplicate (RFC 2883 §4). */
  dsack: boolean;
  /** Send time of the oldest newly SACKed, never-resent segment (for an RTT sample), or -1. */
  firstSackTime: number;
  /** A never-resent segment sent before the recovery began was newly SACKed. */
  origSacked: boolean;
}

const result: SackResult = { sacked: 0, dsack: false, firstSackTime: -1, origSacked: false };

/**
 * Apply the SACK blocks of an ACK to the scoreboard (RFC 2018 §5, RFC 6675 §5's Update()), after
 * the cumulative ACK has been applied. A first block below the ACK, or inside the second block, is
 * a DSACK (RFC 2883 §4) and reports a duplicate rather than new data. Blocks beyond SND.NXT are
 * discarded as Linux's tcp_is_sackblock_valid does. The result object is reused.
 */
export function applySack(c: TcpConnection, seg: TcpSegment, now: number): SackResult {
  const sb = c.sb;
  const mib = c.env.mib.TcpExt;
  const blocks = seg.sackBlocks;
  result.sacked = 0;
  result.dsack = false;
  result.firstSackTime = -1;
  result.origSacked = false;
  for (let i = 0; i < seg.sackCount; i++) {
    let left = blocks[2 * i] as number;
    const right = blocks[2 * i + 1] as number;
    if (!seqLt(left, right)) {
      mib.TCPSACKDiscard++;
      continue;
    }
    if (i === 0) {
      const inSecond =
        seg.sackCount > 1 && seqGe(left, blocks[2] as number) && seqLe(right, blocks[3] as number);
      if (seqLe(right, seg.ack) || inSecond) {
        result.dsack = true;
        mib.TCPDSACKRecv++;
        mib.TCPDSACKRecvSegs++;
        rackOnDsack(c);
        undoNoteDsack(c, right, Math.max(1, Math.ceil(seqSub(right, left) / c.sndMss)));
        continue;
      }
    }
    if (seqGt(right, c.sndNxt)) {
      mib.TCPSACKDiscard++;
      continue;
    }
    if (seqLe(right, c.sndUna)) {
      mib.TCPDSACKIgnoredOld++;
      continue;
    }
    left = seqMax(left, c.sndUna);
    for (let k = sb.find(left); k < sb.packetsOut && seqLt(sb.seq(k), right); k++) {
      const f = sb.flags(k);
      if (f & SACKED) continue;
      const end = sb.end(k);
      if (seqLt(sb.seq(k), left) || seqGt(end, right)) continue; // only part of it: not SACKed
      const t = sb.time(k);
      noteReordering(c, f, sb.seq(k), end);
      rackAdvance(c, f, t, end, now);
      if (!(f & EVER_RETRANS)) {
        if (result.firstSackTime < 0 || t < result.firstSackTime) result.firstSackTime = t;
        if (seqLe(end, c.highSeq)) result.origSacked = true;
      }
      sb.markSacked(k);
      result.sacked++;
    }
  }
  return result;
}
