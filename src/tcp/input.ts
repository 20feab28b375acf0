import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { claimPacket } from '../wire/packet-pool.js';
import type { TcpConnection } from './connection.js';
import { rearmRto, retransmitHead, scheduleLossProbe, sendSynAck, transmitQueued } from './output.js';
import { noteReordering, rackAdvance } from './rack.js';
import { packetsInFlight, recoveryOnAck, type AckSummary } from './recovery.js';
import { updatePacingRate } from './tso.js';
import { applySack } from './sack.js';
import { rcvRttSample } from './autotune.js';
import { EVER_RETRANS, SACKED } from './scoreboard.js';
import { seqAdd, seqGe, seqGt, seqLe, seqLt, seqSub } from './seq.js';
import type { TcpState } from './state.js';

/**
 * Segment arrival, RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (the synchronized states), with
 * RFC 5961's defences, RFC 7323's PAWS and timestamps, RFC 5681/6582 loss recovery, and Linux's
 * choices where the RFCs leave room.
 */
export function segmentArrives(c: TcpConnection, seg: TcpSegment, now: number): void {
  switch (c.state) {
    case 'CLOSED':
    case 'LISTEN':
      c.drop('tcp-close');
      return;
    case 'SYN-SENT':
      return synSent(c, seg, now);
    default:
      return synchronized(c, seg, now);
  }
}

/** RFC 9293 §3.10.7.3. */
function synSent(c: TcpConnection, seg: TcpSegment, now: number): void {
  const f = seg.flags;
  const s = c.env.settings;
  if (f & TCP_ACK) {
    // An ACK for something we never sent: RST it (unless it is a RST).
    if (seqLe(seg.ack, c.iss) || seqGt(seg.ack, c.sndNxt)) {
      if (!(f & TCP_RST)) resetFor(c, seg, now);
      c.drop('tcp-ack-unsent-data');
      return;
    }
  }
  if (f & TCP_RST) {
    c.drop('tcp-reset');
    if (f & TCP_ACK) {
      c.env.mib.Tcp.AttemptFails++;
      c.terminate(now, 'ECONNREFUSED');
    }
    return;
  }
  if (!(f & TCP_SYN)) {
    c.drop('tcp-flags');
    return;
  }
  c.irs = seg.seq;
  c.rcvNxt = seqAdd(seg.seq, 1);
  // Nothing advertised beyond RCV.NXT yet: the window's right edge starts here.
  c.rcvAdvRight = c.rcvNxt;
  c.negotiate(seg, {
    wscale: s.tcp_window_scaling !== 0,
    ts: s.tcp_timestamps !== 0,
    sack: s.tcp_sack !== 0,
  });
  c.lastRecvTime = now;
  if (f & TCP_ACK) {
    c.sndUna = seg.ack;
    if (c.tsOk && seg.tsEcr !== 0) c.rtt.sample(rttFromEcr(c, seg.tsEcr, now));
    else if (c.retransmits === 0) c.rtt.sample(now - c.synSentTime);
    c.rtt.resetBackoff();
    c.retransmits = 0;
    c.retransStart = -1;
    c.timers.cancelRetransmit();
    updateWindow(c, seg, true);
    // RFC 5681 §3.1: after a retransmitted SYN, start with one segment (Linux: cwnd stays at
    // the initial window unless the SYN was retransmitted, then 1).
    if (c.totalRetrans > 0) c.cwnd = 1;
    // The SYN was outstanding: this ACK sets the pacing rate, as any other would (tcp_ack).
    updatePacingRate(c);
    c.setState('ESTABLISHED');
    c.sendAck(now);
    established(c, now);
    transmitQueued(c, now);
    if (seg.payload.length > 0 || f & TCP_FIN) synchronized(c, stripSyn(seg), now);
    return;
  }
  // Simultaneous open (RFC 9293 §3.5, figure 7).
  c.setState('SYN-RECEIVED');
  c.timers.cancelRetransmit();
  sendSynAck(c, now);
  c.timers.armRetransmit(now);
}

function stripSyn(seg: TcpSegment): TcpSegment {
  seg.flags &= ~TCP_SYN;
  seg.seq = seqAdd(seg.seq, 1);
  return seg;
}

export function established(c: TcpConnection, now: number): void {
  if (c.reported) return;
  c.reported = true;
  c.lastRecvTime = now;
  // Linux's icsk_ack.lrcvtime starts at the handshake: tcpi_last_data_recv counts from there.
  if (c.lastDataRecvTime === 0) c.lastDataRecvTime = now;
  c.timers.rearm(now);
  c.emit('established');
  c.emit('writable');
}

function rttFromEcr(c: TcpConnection, ecr: number, now: number): number {
  const ms = seqSub(c.tsNow(now), ecr);
  return Math.max(1, ms) * 1000;
}

/** <SEQ=SEG.ACK><CTL=RST> for an unacceptable ACK (RFC 9293 §3.10.7.3/4). */
function resetFor(c: TcpConnection, seg: TcpSegment, now: number): void {
  const r = c.out.clear();
  r.flags = TCP_RST;
  r.seq = seg.ack;
  c.env.mib.Tcp.OutRsts++;
  c.transmit(r, now);
}

/** RFC 9293 §3.10.7.4: is any of the segment inside the receive window? */
function acceptable(c: TcpConnection, seg: TcpSegment): boolean {
  const len = seg.segLen;
  const wnd = Math.max(c.rcvWnd, seqSub(c.rcvAdvRight, c.rcvNxt));
  const endWnd = seqAdd(c.rcvNxt, wnd);
  if (len === 0) {
    if (wnd === 0) return seg.seq === c.rcvNxt;
    return seqLe(c.rcvNxt, seg.seq) && seqLt(seg.seq, endWnd);
  }
  // Linux takes a bare FIN even with the window closed, so that a peer sending FINs into a zero
  // window is not answered forever with ACKs (tcp_data_queue).
  if (wnd === 0) return seg.payload.length === 0 && (seg.flags & TCP_FIN) !== 0 && seg.seq === c.rcvNxt;
  const last = seqAdd(seg.seq, len - 1);
  return (
    (seqLe(c.rcvNxt, seg.seq) && seqLt(seg.seq, endWnd)) || (seqLe(c.rcvNxt, last) && seqLt(last, endWnd))
  );
}

function synchronized(c: TcpConnection, seg: TcpSegment, now: number): void {
  const f = seg.flags;
  const mib = c.env.mib;

  // RFC 7323 §5.3: PAWS — a timestamp older than TS.Recent marks an old duplicate.
  if (c.tsOk && seg.hasTimestamp && !(f & TCP_RST) && seqLt(seg.tsVal, c.tsRecent)) {
    mib.TcpExt.PAWSEstab++;
    c.sendOowAck(now, false);
    c.drop('tcp-rfc7323-paws');
    return;
  }

  if (c.state === 'TIME-WAIT') return timeWait(c, seg, now);

  // Simultaneous open (RFC 9293 figure 7): the peer's SYN-ACK in SYN-RECEIVED acknowledges our
  // SYN; Linux lets exactly this one through its RFC 5961 SYN check and treats it as the ACK.
  if (
    !c.reported &&
    f & TCP_SYN &&
    f & TCP_ACK &&
    seqAdd(seg.seq, 1) === c.rcvNxt &&
    seqGt(seg.ack, c.iss) &&
    seqLe(seg.ack, c.sndNxt)
  ) {
    stripSyn(seg);
    return synchronized(c, seg, now);
  }

  // First: the sequence number (and the zero-window exceptions).
  if (!acceptable(c, seg)) {
    if (!(f & TCP_RST)) {
      // A SYN here is handled below as RFC 5961 §4 says; anything else gets an ACK.
      if (!(f & TCP_SYN)) {
        if (seg.segLen > 0 && seqLt(seg.seq, c.rcvNxt)) {
          // Old data again: our ACK was lost or the sender resent too soon. Answer at once with
          // a DSACK (RFC 2883 §4) and no rate limit, as Linux's tcp_send_dupack does.
          c.env.mib.TcpExt.DelayedACKLost++;
          const end = seqAdd(seg.seq, seg.segLen);
          if (setDsack(c, seg.seq, seqLt(end, c.rcvNxt) ? end : c.rcvNxt)) c.env.mib.TcpExt.TCPDSACKOldSent++;
          c.sendAck(now);
          c.drop('tcp-old-data');
        } else {
          c.sendOowAck(now, false);
          c.drop('tcp-invalid-sequence');
        }
        return;
      }
    } else {
      c.drop('tcp-invalid-sequence');
      return;
    }
  }

  // Second: RST (RFC 5961 §3.2: only an exact match resets; in-window gets a challenge ACK).
  if (f & TCP_RST) {
    c.drop('tcp-reset');
    if (seg.seq === c.rcvNxt) {
      if (c.state === 'SYN-RECEIVED') {
        c.terminate(now, 'ECONNREFUSED');
        return;
      }
      mib.Tcp.EstabResets += c.state === 'ESTABLISHED' || c.state === 'CLOSE-WAIT' ? 1 : 0;
      c.terminate(now, c.state === 'CLOSING' || c.state === 'LAST-ACK' ? null : 'ECONNRESET');
      return;
    }
    c.sendOowAck(now, true);
    return;
  }

  // Fourth: a SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, never a reset.
  if (f & TCP_SYN) {
    c.drop('tcp-invalid-syn');
    if (c.state === 'SYN-RECEIVED' && seg.seq === c.irs) {
      // The peer's SYN again: our SYN-ACK was lost. Resend it.
      retransmitHead(c, now);
      return;
    }
    mib.TcpExt.TCPSYNChallenge++;
    c.sendOowAck(now, true);
    return;
  }

  // Fifth: ACK.
  if (!(f & TCP_ACK)) {
    c.drop('tcp-flags');
    return;
  }
  c.lastRecvTime = now;
  c.keepaliveProbes = 0;
  // Linux's tcp_ack: any acceptable ACK answers the zero-window probes (icsk_probes_out = 0).
  c.zeroWindowProbes = 0;

  if (!c.reported) {
    // The handshake completes (SYN-RECEIVED, or FIN-WAIT-1 after a close() in SYN-RECEIVED).
    if (seqLe(seg.ack, c.sndUna) || seqGt(seg.ack, c.sndNxt)) {
      resetFor(c, seg, now);
      c.drop('tcp-old-ack');
      return;
    }
    if (c.state === 'SYN-RECEIVED') c.setState('ESTABLISHED');
    c.sndWnd = 0;
    updateWindow(c, seg, true);
    established(c, now);
  }

  // RFC 7323 §4.3: TS.Recent follows the segment that holds Last.ACK.sent.
  if (c.tsOk && seg.hasTimestamp && seqLe(seg.seq, c.lastAckSent)) c.tsRecent = seg.tsVal;

  if (seqGt(seg.ack, c.sndNxt)) {
    // RFC 9293: an ACK for something not yet sent — ACK and drop.
    c.sendOowAck(now, false);
    c.drop('tcp-ack-unsent-data');
    return;
  }
  // RFC 5961 §5.2: an ACK below SND.UNA - MAX.SND.WND cannot come from the peer (blind data
  // injection); drop the segment, data and all, with a challenge ACK (Linux's tcp_ack).
  if (seqLt(seg.ack, seqAdd(c.sndUna, -c.maxSndWnd))) {
    c.sendOowAck(now, true);
    c.drop('tcp-too-old-ack');
    return;
  }
  processAck(c, seg, now);
  if ((c.state as TcpState) === 'CLOSED') return;

  // Sixth and seventh: URG is ignored beyond delivering the data (Linux's default keeps urgent
  // data inline only with SO_OOBINLINE; synack delivers it as ordinary data).
  receiveText(c, seg, now);
  if ((c.state as TcpState) === 'CLOSED') return;
  transmitQueued(c, now);
  checkSpace(c, now);
  c.timers.rearm(now);
}

/** One summary object for every ACK (no allocation per segment); filled just before use. */
const ackSummary: AckSummary = {
  advanced: false,
  delivered: 0,
  dupAck: false,
  dsack: false,
  priorInFlight: 0,
  origDelivered: false,
  sacked: 0,
  seg: null,
};

/**
 * ACK processing (RFC 9293 §3.10.7.4 fifth; Linux's tcp_ack): the cumulative ACK and the SACK
 * blocks update the scoreboard, RTT samples follow Karn's rule (RFC 6298 §3) using the send time
 * of segments never resent and else the timestamp echo (RFC 7323 §4), then loss recovery and the
 * congestion window (recovery.ts) and the retransmission timer.
 */
function processAck(c: TcpConnection, seg: TcpSegment, now: number): void {
  const ack = seg.ack;
  const sb = c.sb;
  const priorInFlight = packetsInFlight(c);
  const priorPackets = sb.packetsOut;
  let advanced = false;
  let delivered = 0;
  let firstAcked = -1;
  let lastAcked = -1;
  let windowUpdate = false;
  let origDelivered = false;
  let sacked = 0;
  c.rack.reoArmed = false;
  if (seqGt(ack, c.sndUna)) {
    advanced = true;
    const dataAcked = Math.min(seqSub(ack, c.sndUna), c.sendBuf.length);
    c.sendBuf.consume(dataAcked);
    c.bytesAcked += dataAcked;
    while (sb.packetsOut > 0 && seqGe(ack, sb.end(0))) {
      const f = sb.flags(0);
      const t = sb.time(0);
      const end = sb.end(0);
      if (!(f & SACKED)) {
        delivered++;
        noteReordering(c, f, sb.seq(0), end);
        rackAdvance(c, f, t, end, now);
        if (!(f & EVER_RETRANS)) {
          if (firstAcked < 0) firstAcked = t;
          lastAcked = t;
          if (seqLe(end, c.highSeq)) origDelivered = true;
        }
      }
      sb.ackTo(end);
    }
    sb.ackTo(ack);
    c.sndUna = ack;
    c.syncMem();
    // The window this ACK carries applies before anything else may send (the 'writable'
    // event below lets the application write, which transmits at once).
    windowUpdate = updateWindow(c, seg, false, true);
  } else {
    windowUpdate = updateWindow(c, seg, false);
  }
  let dsack = false;
  let firstSacked = -1;
  if (c.sackOk && seg.sackCount > 0) {
    const r = applySack(c, seg, now);
    delivered += r.sacked;
    sacked = r.sacked;
    dsack = r.dsack;
    if (r.origSacked) origDelivered = true;
    firstSacked = r.firstSackTime;
  }
  // RTT: the oldest segment this ACK newly covers that was never resent, else a SACKed one, else
  // the timestamp echo (Linux's tcp_ack_update_rtt).
  let rttUs = -1;
  if (firstAcked >= 0) rttUs = now - firstAcked;
  else if (firstSacked >= 0) rttUs = now - firstSacked;
  else if (advanced && c.tsOk && seg.hasTimestamp && seg.tsEcr !== 0) rttUs = rttFromEcr(c, seg.tsEcr, now);
  if (rttUs >= 0) c.rtt.sample(Math.max(rttUs, 1));
  if (advanced) {
    c.deliveryRate.onDelivered(c.bytesAcked, now, c.rtt.srttUs);
    // Linux's tcp_clean_rtx_queue: nothing left in flight ends busy time if nothing waits either.
    // A chrono never started is idle already (stopping it changes nothing): none is made for it.
    if (sb.packetsOut === 0 && c.chronoStarted) c.chrono.stop('busy', now, c.sendBuf.length === 0);
    c.rtt.resetBackoff();
    c.retransmits = 0;
    c.retransStart = -1;
    c.zeroWindowProbes = 0;
    if (lastAcked >= 0) c.cc.pktsAcked?.(c, delivered, now - lastAcked, now);
  }
  // Duplicate ACK (RFC 5681 §2, as Linux counts it): nothing new acknowledged, no data, not a
  // window update, data outstanding.
  const dupAck =
    !advanced &&
    ack === c.sndUna &&
    seg.payload.length === 0 &&
    !(seg.flags & TCP_FIN) &&
    !windowUpdate &&
    sb.packetsOut > 0;
  if (advanced || delivered > 0 || dupAck || dsack) {
    const a = ackSummary;
    a.advanced = advanced;
    a.delivered = delivered;
    a.dupAck = dupAck;
    a.dsack = dsack;
    a.priorInFlight = priorInFlight;
    a.origDelivered = origDelivered;
    a.sacked = sacked;
    a.seg = seg;
    recoveryOnAck(c, a, now);
    a.seg = null;
    c.traceCwnd();
  }
  // Linux's tcp_cong_control ends every ACK of something outstanding by updating the pacing rate.
  if (priorPackets > 0) updatePacingRate(c);
  if (c.state === 'CLOSED') return;
  if (advanced) {
    // Linux's tcp_set_xmit_timer: a tail loss probe or the RTO, unless RACK just set its timer.
    if (!c.rack.reoArmed && !scheduleLossProbe(c, now, true)) rearmRto(c, now);
    finAcked(c, now);
    if ((c.state as TcpState) === 'CLOSED') return;
    c.emit('writable');
    if (c.sendBuf.length === 0) c.sendBuf.shrink();
  }
  if (c.sndWnd > 0 && c.timers.rtoKind === 'persist' && c.timers.rto !== Infinity) {
    c.timers.cancelRetransmit();
  }
}

/**
 * Window update (RFC 9293 §3.10.7.4), with Linux's rule for which segments may update it
 * (tcp_may_update_window): one that acknowledges new data, one with a newer sequence number, or
 * one from the same sequence number offering a larger window, or a zero one. A smaller window on
 * a repeated ACK is ignored, and that ACK still counts as a duplicate. Returns whether the
 * segment was a window update (Linux's FLAG_WIN_UPDATE), which a duplicate ACK must not be.
 */
function updateWindow(c: TcpConnection, seg: TcpSegment, syn: boolean, advanced = false): boolean {
  const wnd = syn || seg.flags & TCP_SYN ? seg.window : seg.window * (1 << c.sndWscale); // scale ≤ 14: a shift, not pow()
  if (
    !syn &&
    !(advanced || seqGt(seg.seq, c.sndWl1) || (seg.seq === c.sndWl1 && (wnd > c.sndWnd || wnd === 0)))
  ) {
    return false;
  }
  c.sndWnd = wnd;
  c.sndWl1 = seg.seq;
  c.sndWl2 = seg.ack;
  if (wnd > c.maxSndWnd) c.maxSndWnd = wnd;
  return true;
}

/** Our FIN acknowledged: FIN-WAIT-1 → FIN-WAIT-2, CLOSING → TIME-WAIT, LAST-ACK → CLOSED. */
function finAcked(c: TcpConnection, now: number): void {
  if (!c.finSent || !seqGt(c.sndUna, c.finSeq)) return;
  switch (c.state) {
    case 'FIN-WAIT-1':
      c.setState('FIN-WAIT-2');
      c.timers.rearm(now);
      return;
    case 'CLOSING':
      enterTimeWait(c, now);
      return;
    case 'LAST-ACK':
      c.terminate(now, null);
      return;
    default:
      return;
  }
}

export function enterTimeWait(c: TcpConnection, now: number): void {
  c.setState('TIME-WAIT');
  c.timers.cancelRetransmit();
  c.timers.cancelDelack();
  c.timers.armClose(now + c.env.settings.tcp_tw_timeout * 1e6);
  c.emit('time-wait');
}

/**
 * RFC 9293 §3.10.7.4 in TIME-WAIT: a retransmitted FIN is acknowledged again and restarts the
 * 2MSL timer; RST ends TIME-WAIT unless RFC 1337 protection is on; a bare ACK exactly at RCV.NXT
 * is in window and needs no answer; anything else is answered with an ACK (old duplicates are
 * absorbed).
 */
function timeWait(c: TcpConnection, seg: TcpSegment, now: number): void {
  const f = seg.flags;
  if (f & TCP_RST) {
    c.drop('tcp-reset');
    if (c.env.settings.tcp_rfc1337) return;
    if (seg.seq === c.rcvNxt) {
      c.env.mib.TcpExt.TWKilled++;
      c.terminate(now, null);
    }
    return;
  }
  if (f & TCP_FIN && seqAdd(seg.seq, seg.payload.length + 1) === c.rcvNxt) {
    c.sendAck(now);
    c.timers.armClose(now + c.env.settings.tcp_tw_timeout * 1e6);
    return;
  }
  c.drop('tcp-close');
  if (f & TCP_SYN) return; // the host's demux decides about new SYNs for a TIME-WAIT tuple
  if (seg.seq === c.rcvNxt && seg.payload.length === 0 && !(f & TCP_FIN)) {
    // Linux's tcp_timewait_state_process: an in-window bare ACK (say, one carrying a DSACK for a
    // late duplicate) restarts the 2MSL timer and is not answered. Answering it would reach a
    // peer that has meanwhile closed and draw a RST that ends TIME-WAIT early.
    if (c.tsOk && seg.hasTimestamp) c.tsRecent = seg.tsVal;
    c.timers.armClose(now + c.env.settings.tcp_tw_timeout * 1e6);
    return;
  }
  c.sendOowAck(now, false);
}

/** Remember a duplicate range for the next ACK's first SACK block (RFC 2883), if DSACK is in use. */
function setDsack(c: TcpConnection, left: number, right: number): boolean {
  if (!c.sackOk || !c.env.settings.tcp_dsack) return false;
  c.dsackLeft = left;
  c.dsackRight = right;
  c.dsackPending = true;
  return true;
}

/**
 * Linux's tcp_prune_queue under tcp_mem: first throw away the out-of-order queue (OfoPruned, the
 * peer resends it), and if memory is still short drop the segment (RcvPruned) unless it is the
 * next in-order data for an empty queue, which is always taken. True if the segment may be stored.
 */
function pruneForMemory(c: TcpConnection, seq: number): boolean {
  const x = c.env.mib.TcpExt;
  x.PruneCalled++;
  if (c.recvBuf.ooo.length > 0) {
    c.recvBuf.pruneOoo();
    x.OfoPruned++;
    c.syncMem();
    if (!c.env.memoryExceeded?.()) return true;
  }
  if (seq === c.rcvNxt && c.recvBuf.readable === 0) return true;
  x.RcvPruned++;
  c.drop('proto-mem');
  return false;
}

/** Segment text and FIN (RFC 9293 §3.10.7.4 seventh and eighth). */
function receiveText(c: TcpConnection, seg: TcpSegment, now: number): void {
  const mib = c.env.mib;
  let data = seg.payload;
  let seq = seg.seq;
  const hasFin = (seg.flags & TCP_FIN) !== 0;
  const canReceive = c.state === 'ESTABLISHED' || c.state === 'FIN-WAIT-1' || c.state === 'FIN-WAIT-2';
  const newData = data.length > 0 && seqGt(seqAdd(seq, data.length), c.rcvNxt);
  if (newData && c.orphan && (c.state === 'FIN-WAIT-1' || c.state === 'FIN-WAIT-2')) {
    // Linux's tcp_rcv_state_process: new data for a socket whose reader has gone is answered
    // with RST (TCPAbortOnData), since nobody will ever read it.
    mib.TcpExt.TCPAbortOnData++;
    // The reset answers the segment (RFC 9293 §3.10.7.1's <SEQ=SEG.ACK><CTL=RST>), as Linux's
    // tcp_v4_send_reset does once the socket is gone.
    resetFor(c, seg, now);
    c.terminate(now, null);
    return;
  }
  // RFC 9293 §3.10.7.4 seventh: after the peer's FIN there is no more text to take.
  if (!canReceive) data = data.subarray(0, 0);
  let immediate = false;
  let readable = false;
  let fin = false;
  if (data.length > 0) {
    // Trim what was already received.
    const dup = seqSub(c.rcvNxt, seq);
    if (dup > 0) {
      // RFC 2883 §4: report what arrived twice, first thing in the next ACK.
      if (dup >= data.length) {
        // Old data carrying a FIN not yet received: the FIN is news, so no DSACK (as Linux).
        const newFin = hasFin && !c.finReceived;
        if (!newFin && setDsack(c, seq, seqAdd(seq, data.length))) mib.TcpExt.TCPDSACKOldSent++;
        data = data.subarray(data.length);
        immediate = true;
      } else {
        if (setDsack(c, seq, c.rcvNxt)) mib.TcpExt.TCPDSACKOldSent++;
        data = data.subarray(dup);
        seq = c.rcvNxt;
      }
    }
  }
  if (data.length > 0 && c.env.memoryExceeded?.() && !pruneForMemory(c, seq)) {
    // tcp_mem is exhausted and pruning freed nothing: the segment goes; the sender will resend.
    data = data.subarray(data.length);
    immediate = true;
  }
  if (data.length > 0) {
    const offset = seqSub(seq, c.rcvNxt);
    const rcvNxtBefore = c.rcvNxt;
    // A large in-order segment whose packet nobody else holds is queued as it is, not copied
    // (recv-buffer.ts); its packet then leaves the pool for the reader.
    const r =
      offset === 0 && c.recvBuf.canKeep(data.length) && claimPacket(data)
        ? c.recvBuf.keep(data)
        : c.recvBuf.write(offset, data);
    if (r.dropped > 0) {
      // Beyond the buffer (or too many holes): Linux's TCPOFODrop / TCPZeroWindowDrop.
      if (offset > 0) mib.TcpExt.TCPOFODrop++;
      else mib.TcpExt.TCPZeroWindowDrop++;
      if (r.dropped === data.length) c.drop(offset > 0 ? 'tcp-ofo-drop' : 'tcp-zerowindow');
    }
    c.syncMem();
    c.lastDataRecvTime = now;
    if (data.length > c.rcvMss) c.rcvMss = data.length;
    if (c.tsOk && seg.hasTimestamp && seg.tsEcr !== 0)
      rcvRttSample(c, seqSub(c.tsNow(now), seg.tsEcr) * 1000);
    if (r.advance > 0) {
      c.rcvNxt = seqAdd(c.rcvNxt, r.advance);
      c.bytesReceived += r.advance;
      readable = true;
    }
    if (offset > 0 || c.recvBuf.ooo.length > 0) {
      // Out of order, or filling a hole: ACK at once so the sender learns quickly (RFC 5681 §4.2).
      if (offset > 0) mib.TcpExt.TCPOFOQueue++;
      immediate = true;
    }
    if (r.dupEnd > r.dupStart) {
      // Data held out of order arrived again (RFC 2883 §4): report the first such stretch.
      const left = seqAdd(rcvNxtBefore, r.dupStart);
      if (setDsack(c, left, seqAdd(rcvNxtBefore, r.dupEnd))) mib.TcpExt.TCPDSACKOfoSent++;
      immediate = true;
    }
    c.unackedSegs++;
  }
  // A FIN counts once everything before it has arrived.
  if (hasFin) {
    const finSeq = seqAdd(seg.seq, seg.payload.length);
    if (seqGe(c.rcvNxt, finSeq) && !c.finReceived) {
      if (c.rcvNxt === finSeq) c.peerFinSeq = finSeq;
    } else if (seqGt(finSeq, c.rcvNxt)) {
      c.peerFinSeq = finSeq;
    }
  }
  if (c.peerFinSeq >= 0 && !c.finReceived && c.rcvNxt === c.peerFinSeq) {
    c.finReceived = true;
    c.rcvNxt = seqAdd(c.rcvNxt, 1);
    // Linux's tcp_fin: in ESTABLISHED the connection turns "interactive" (pingpong) and the
    // FIN's ACK is delayed, in case the application answers with its own FIN; in the
    // FIN-WAIT states it is acknowledged at once.
    if (c.state === 'ESTABLISHED' || c.state === 'SYN-RECEIVED') {
      c.quickAcks = 0;
      // ...unless no data ever came (Linux's ack timeout is still 0 then) or more than a full
      // segment is unacknowledged.
      if (c.bytesReceived === 0 || seqSub(c.rcvNxt, c.lastAckSent) > c.rcvMss) immediate = true;
    } else {
      immediate = true;
    }
    fin = true;
    readable = true;
    switch (c.state) {
      case 'SYN-RECEIVED':
      case 'ESTABLISHED':
        c.setState('CLOSE-WAIT');
        break;
      case 'FIN-WAIT-1':
        if (c.finSent && seqGt(c.sndUna, c.finSeq)) enterTimeWait(c, now);
        else c.setState('CLOSING');
        break;
      case 'FIN-WAIT-2':
        enterTimeWait(c, now);
        break;
      default:
        break;
    }
  } else if (hasFin && c.finReceived && seqAdd(seg.seq, seg.payload.length + 1) === c.rcvNxt) {
    immediate = true; // a retransmitted FIN: our ACK was lost
  }
  if (data.length === 0 && !hasFin && seg.payload.length === 0) return;
  // A full receive buffer is announced at once: the sender must stop and probe.
  if (c.recvBuf.space === 0) immediate = true;
  // Delayed ACK (RFC 1122 4.2.3.2, RFC 5681 §4.2): every second full segment at once, quick
  // ACKs at the start of a connection as Linux does, otherwise within 40 ms. The ACK goes out
  // before the application hears of the data, as in Linux, where the reader wakes up later.
  if (immediate || c.quickAcks > 0 || c.unackedSegs >= 2 || c.env.settings.tcp_quickack) {
    if (c.quickAcks > 0 && !immediate) c.quickAcks--;
    c.sendAck(now);
  } else {
    c.timers.armDelack(now);
  }
  if (fin) c.emit('fin');
  if (readable) c.emit('readable');
}

/**
 * Linux's tcp_check_space after an ACK: a writer waiting for room (SOCK_NOSPACE) is woken once
 * the free send buffer is at least half of sk_wmem_queued (sk_stream_write_space), which counts
 * skbs at their truesize (skb-queue.ts); the time limited by the send buffer ends there.
 */
function checkSpace(c: TcpConnection, now: number): void {
  if (!c.noSpace) return;
  if (!c.writeable) return;
  c.noSpace = false;
  c.chrono.stop('sndbuf', now, c.sendBuf.length === 0);
}
