import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import {
  CA_CWR,
  CA_LOSS,
  CA_OPEN,
  CA_RECOVERY,
  enterLoss,
  packetsInFlight,
  reorderTimeout,
} from './recovery.js';
import { FIN, LOST, PSH, RETRANS, SACKED, UNIT_END } from './scoreboard.js';
import { cwndQuota, tsoSegs } from './tso.js';
import { seqAdd, seqGt, seqLt, seqSub } from './seq.js';
import { undoNoteRetransmit } from './undo.js';

/** Fill a SYN or SYN-ACK with Linux's options: MSS, SACK-permitted, timestamps, window scale. */
export function fillSynOptions(c: TcpConnection, seg: TcpSegment, now: number, synAck: boolean): void {
  const s = c.env.settings;
  seg.mss = c.advMss;
  if (synAck) {
    seg.sackPermitted = c.sackOk;
    if (c.tsOk) {
      seg.hasTimestamp = true;
      seg.tsVal = c.tsNow(now);
      seg.tsEcr = c.tsRecent;
    }
    if (c.wscaleOk) seg.wscale = c.rcvWscale;
  } else {
    seg.sackPermitted = s.tcp_sack !== 0;
    if (s.tcp_timestamps) {
      seg.hasTimestamp = true;
      seg.tsVal = c.tsNow(now);
      seg.tsEcr = 0;
    }
    if (s.tcp_window_scaling) seg.wscale = c.rcvWscale;
  }
}

function sendSyn(c: TcpConnection, now: number): void {
  const seg = c.out.clear();
  seg.flags = TCP_SYN;
  seg.seq = c.iss;
  const win = Math.min(c.advertisableWindow(), 65535);
  seg.window = win - (win % c.advMss) || win;
  fillSynOptions(c, seg, now, false);
  c.sndNxt = seqAdd(c.iss, 1);
  c.synSentTime = now;
  c.transmit(seg, now);
}

export function sendSynAck(c: TcpConnection, now: number): void {
  const seg = c.out.clear();
  seg.flags = TCP_SYN | TCP_ACK;
  seg.seq = c.iss;
  c.fillAck(seg, now);
  fillSynOptions(c, seg, now, true);
  c.sndNxt = seqAdd(c.iss, 1);
  c.transmit(seg, now);
}

/**
 * Send what the windows allow (Linux's tcp_write_xmit after tcp_xmit_retransmit_queue): first the
 * segments judged lost, then new segments of up to one MSS from the send queue, under Nagle's rule
 * (RFC 896, RFC 1122 4.2.3.4) unless TCP_NODELAY, TCP_CORK holding partial segments, PSH on the
 * last segment of what was queued, and FIN once everything is sent. Packets in flight never exceed
 * cwnd (RFC 5681 §3.1, RFC 6675's pipe).
 */
export function transmitQueued(c: TcpConnection, now: number, more = false, pushCorked = false): void {
  if (c.state === 'SYN-SENT') {
    if (c.sndNxt === c.iss) {
      sendSyn(c, now);
      c.timers.armRetransmit(now);
    }
    return;
  }
  if (c.state === 'SYN-RECEIVED' || c.state === 'CLOSED' || c.state === 'LISTEN') return;
  const priorPackets = c.packetsOut;
  if (priorPackets === 0) restartAfterIdle(c, now);
  let sentNew = 0;
  if (c.frtoSendNew) {
    // F-RTO step 2.b (RFC 5682): probe with new data; fall back to resending if none can go.
    c.frtoSendNew = false;
    sentNew = sendNewData(c, now, more, c.cwnd, pushCorked);
    if (!seqGt(c.sndNxt, c.highSeq)) c.frto = false;
  }
  if (c.sb.lostOut > c.sb.retransOut) retransmitLost(c, now);
  sentNew += sendNewData(c, now, more, c.cwnd, pushCorked);
  if (sentNew > 0) {
    if (c.caState === CA_RECOVERY || c.caState === CA_CWR) c.prrOut += sentNew;
    // Linux's tcp_event_new_data_sent: the first segment in flight starts the retransmission timer.
    if (priorPackets === 0 || c.timers.rtoKind === 'probe' || c.timers.rto === Infinity) rearmRto(c, now);
    scheduleLossProbe(c, now, false);
  }
  const unsent = c.sendBuf.length - seqSub(c.sndNxt, c.sndUna);
  if (
    c.sb.packetsOut === 0 &&
    c.timers.rto === Infinity &&
    unsent > 0 &&
    c.sndWnd < Math.min(c.sndMss, unsent)
  ) {
    // Data waiting, nothing in flight, and a window too small for the next segment (zero, or a
    // sliver silly-window avoidance will not fill): probe it (RFC 9293 §3.8.6.1), as Linux's
    // tcp_check_probe_timer does whenever tcp_write_xmit leaves data unsent with nothing out.
    c.timers.armPersist(now);
  }
}

/** Why planSegment found nothing more to send now. */
const STOP_APP = 1; // nothing queued: application-limited
const STOP_CWND = 2; // cwnd is full
const STOP_RWND = 3; // the peer's window is full
const STOP_HOLD = 4; // a partial segment held back by Nagle or TCP_CORK/MSG_MORE

/** The outcome of planSegment (one reused object, no allocation per segment). */
const plan = { len: 0, atEor: false, stop: 0 };

/**
 * The length of the next new segment if `aheadBytes` more bytes in `aheadPkts` more segments had
 * already gone out, or 0 with plan.stop saying why nothing may go: cwnd in packets (RFC 5681,
 * RFC 6675's pipe), the peer's window with sender-side silly window avoidance (RFC 1122
 * 4.2.3.4), MSG_EOR record ends, Nagle's rule (RFC 896) and TCP_CORK. Looking one segment ahead
 * tells the sender where a send unit ends (tso.ts).
 */
function planSegment(
  c: TcpConnection,
  aheadBytes: number,
  aheadPkts: number,
  cwnd: number,
  more: boolean,
  pushCorked: boolean,
  windowProbe: boolean,
): number {
  plan.len = 0;
  plan.atEor = false;
  plan.stop = 0;
  const inFlightBytes = seqSub(c.sndNxt, c.sndUna) + aheadBytes;
  const queued = c.sendBuf.length - Math.min(inFlightBytes, c.sendBuf.length);
  if (queued <= 0) {
    plan.stop = STOP_APP;
    return 0;
  }
  const pos = seqAdd(c.sndNxt, aheadBytes);
  let eor = Infinity;
  for (const m of c.eorMarks) {
    if (seqGt(m, pos)) {
      eor = seqSub(m, pos);
      break;
    }
  }
  // Linux's tcp_cwnd_test is not strict about the final FIN: a last segment that carries it
  // goes even when cwnd is full.
  const finalFin = c.finQueued && queued <= c.sndMss && eor === Infinity;
  if (packetsInFlight(c) + aheadPkts >= cwnd && !finalFin) {
    plan.stop = STOP_CWND;
    return 0;
  }
  const wndLeft = c.sndWnd - inFlightBytes;
  let len = Math.min(c.sndMss, queued);
  // An MSG_EOR record ends here: the segment stops at it.
  const atEor = eor <= len;
  if (atEor) len = eor;
  if (len > wndLeft) {
    // Sender-side silly window avoidance (RFC 1122 4.2.3.4): send a partial segment into the
    // window only if it is at least half the largest window the peer offered.
    // A window probe fills whatever sliver is open (Linux's tcp_write_wakeup).
    if (wndLeft > 0 && (windowProbe || wndLeft >= c.maxSndWnd / 2)) len = wndLeft;
    else {
      plan.stop = STOP_RWND;
      return 0;
    }
  }
  // A partial segment that ends the stream with a FIN goes at once (Linux's tcp_nagle_test).
  const endsWithFin = c.finQueued && len === queued;
  if (len < c.sndMss && !endsWithFin && !atEor && !windowProbe) {
    const nagle = !c.opts.nodelay && c.sb.packetsOut + aheadPkts > 0; // one small segment in flight at most
    if (((c.opts.cork || more) && !pushCorked) || nagle) {
      plan.stop = STOP_HOLD;
      return 0;
    }
  }
  plan.len = len;
  plan.atEor = atEor;
  return len;
}

/**
 * New segments within cwnd (in packets) and the peer's window; returns how many went out. They
 * go in send units sized as Linux sizes its TSO packets (tso.ts), and PSH marks the end of what
 * the application wrote, the end of an MSG_EOR record, and the last segment of every unit of
 * more than one segment.
 */
function sendNewData(
  c: TcpConnection,
  now: number,
  more: boolean,
  cwnd: number,
  pushCorked = false,
  windowProbe = false,
): number {
  if (c.sendBuf.length <= seqSub(c.sndNxt, c.sndUna) && !(c.finQueued && !c.finSent)) {
    // Nothing unsent and no FIN to send (the call after every ACK, mostly): what the loop and
    // the tail below would do when planSegment stops at once, application-limited.
    while (c.eorMarks.length > 0 && !seqGt(c.eorMarks[0] as number, c.sndNxt)) c.eorMarks.shift();
    c.cwndLimited = false;
    if (c.chronoStarted) c.chrono.stop('rwnd', now, c.sendBuf.length === 0);
    return 0;
  }
  let sent = 0;
  let rwndLimited = false;
  let maxSegs = -1; // sized when the first unit starts (a call that sends nothing needs none)
  let unitLeft = 0;
  let unitSegs = 0;
  for (;;) {
    while (c.eorMarks.length > 0 && !seqGt(c.eorMarks[0] as number, c.sndNxt)) c.eorMarks.shift();
    const len = planSegment(c, 0, 0, cwnd, more, pushCorked, windowProbe);
    if (len === 0) {
      if (plan.stop === STOP_APP) {
        c.cwndLimited = false; // application-limited (Linux's tcp_cwnd_validate)
      } else if (plan.stop === STOP_CWND) {
        c.cwndLimited = true;
      } else if (plan.stop === STOP_RWND) {
        c.cwndLimited = false; // limited by the receiver's window
        rwndLimited = true;
      }
      break;
    }
    const atEor = plan.atEor;
    const inFlightBytes = seqSub(c.sndNxt, c.sndUna);
    const queued = c.sendBuf.length - Math.min(inFlightBytes, c.sendBuf.length);
    const view = c.sendBuf.view(inFlightBytes, len);
    if (view.length === 0) break;
    if (unitLeft === 0) {
      // A new unit: as many segments as cwnd's quota and the TSO size allow (at least one, for
      // the final FIN tcp_cwnd_test lets through).
      if (maxSegs < 0) maxSegs = tsoSegs(c);
      unitLeft = windowProbe ? 1 : Math.max(Math.min(cwndQuota(cwnd, packetsInFlight(c)), maxSegs), 1);
      unitSegs = 0;
    }
    unitLeft--;
    unitSegs++;
    // The last of the queue ends its unit: nothing follows to look ahead to (planSegment would
    // stop, application-limited).
    const last = view.length === queued;
    if (unitLeft > 0 && (last || planSegment(c, view.length, 1, cwnd, more, pushCorked, windowProbe) === 0))
      unitLeft = 0;
    const unitEnd = unitLeft === 0;
    const seg = c.out.clear();
    seg.seq = c.sndNxt;
    seg.payload = view;
    // A window probe carries PSH (Linux's tcp_write_wakeup sends it with TCPHDR_PSH).
    const writeEnd = (last && !c.lastWriteMore) || (atEor && view.length === len) || windowProbe;
    seg.flags = writeEnd || (unitEnd && unitSegs > 1) ? TCP_PSH : 0;
    const fin = last && c.finQueued && !c.finSent;
    if (fin) {
      seg.flags |= TCP_FIN;
      c.finSent = true;
      c.finSeq = seqAdd(c.sndNxt, view.length);
      finSentTransition(c);
    }
    c.fillAck(seg, now);
    c.sb.push(c.sndNxt, view.length, fin, now, writeEnd, unitEnd);
    c.sndNxt = seqAdd(c.sndNxt, view.length + (fin ? 1 : 0));
    // Each send unit (TSO packet) is one skb from now on (skb-queue.ts).
    if (unitEnd) c.sendBuf.skbs.markSent(inFlightBytes + view.length);
    c.env.mib.TcpExt.TCPOrigDataSent++;
    c.lastDataSentTime = now;
    c.transmit(seg, now);
    sent++;
    if (windowProbe) break;
    if (last) {
      // Everything queued is sent: the next round would find nothing (STOP_APP) and stop there.
      while (c.eorMarks.length > 0 && !seqGt(c.eorMarks[0] as number, c.sndNxt)) c.eorMarks.shift();
      c.cwndLimited = false; // application-limited (Linux's tcp_cwnd_validate)
      break;
    }
  }
  // A FIN with no data left to carry it.
  if (c.finQueued && !c.finSent && seqSub(c.sndNxt, c.sndUna) >= c.sendBuf.length) {
    const seg = c.out.clear();
    seg.seq = c.sndNxt;
    seg.flags = TCP_FIN;
    c.fillAck(seg, now);
    c.finSent = true;
    c.finSeq = c.sndNxt;
    finSentTransition(c);
    c.sb.push(c.sndNxt, 0, true, now);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    c.transmit(seg, now);
    sent++;
  }
  // Linux's tcp_write_xmit times the periods the receiver's window holds the sender back.
  if (rwndLimited) c.chrono.start('rwnd', now);
  else if (c.chronoStarted) c.chrono.stop('rwnd', now, c.sendBuf.length === 0);
  // Linux's tcp_cwnd_validate: remember the most packets in flight in the last window.
  if (sent > 0) {
    const out = c.sb.packetsOut;
    if (!seqLt(c.sndUna, c.maxPacketsSeq) || out > c.maxPacketsOut) {
      c.maxPacketsOut = out;
      c.maxPacketsSeq = c.sndNxt;
      c.cwndLimitedWindow = packetsInFlight(c) >= cwnd;
    } else if (packetsInFlight(c) >= cwnd) {
      c.cwndLimitedWindow = true;
    }
    // The network starves while the application waits on a full send buffer, everything it
    // wrote already sent: time limited by the send buffer.
    const cwndLimited = c.cwndLimitedWindow || (c.cwnd < c.ssthresh && c.cwnd < 2 * c.maxPacketsOut);
    const unsent = c.sendBuf.length - Math.min(seqSub(c.sndNxt, c.sndUna), c.sendBuf.length);
    if (!cwndLimited && unsent === 0 && c.noSpace && (c.state === 'ESTABLISHED' || c.state === 'CLOSE-WAIT'))
      c.chrono.start('sndbuf', now);
  }
  return sent;
}

/**
 * RFC 5681 §4.1 (Linux's tcp_cwnd_restart): after an idle period longer than the RTO the ACK
 * clock is gone, so cwnd shrinks towards the initial window, halving for each RTO of idleness.
 */
function restartAfterIdle(c: TcpConnection, now: number): void {
  const s = c.env.settings;
  if (!s.tcp_slow_start_after_idle || c.lastDataSentTime === 0 || c.caState !== CA_OPEN) return;
  // Linux's icsk_rto: with nothing outstanding the last ACK ended any RTO backoff, and zero
  // window probes back off their own timer, not the RTO.
  const rto = c.rtt.baseRtoUs;
  // Idle since data last left (Linux's lsndtime): probes and what arrived meanwhile do not count.
  let idle = now - c.lastDataSentTime;
  if (idle <= rto) return;
  const restart = Math.min(s.tcp_init_cwnd, c.cwnd);
  c.ssthresh = Math.max(c.ssthresh, Math.floor((c.cwnd * 3) / 4));
  let cwnd = c.cwnd;
  while ((idle -= rto) > 0 && cwnd > restart) cwnd >>= 1;
  c.cwnd = Math.max(cwnd, restart);
  c.cwndCnt = 0;
  c.cc.onEvent?.(c, 'idle-restart', now);
}

function finSentTransition(c: TcpConnection): void {
  if (c.state === 'ESTABLISHED' || c.state === 'SYN-RECEIVED') c.setState('FIN-WAIT-1');
  else if (c.state === 'CLOSE-WAIT') c.setState('LAST-ACK');
}

function noteRetransmission(c: TcpConnection, now: number): void {
  c.env.mib.Tcp.RetransSegs++;
  c.totalRetrans++;
  if (c.retransStart < 0) c.retransStart = now;
}

/**
 * Resend the segments marked lost, oldest first, while cwnd allows (Linux's
 * tcp_xmit_retransmit_queue). Linux resends whole skbs of up to min(cwnd room, TSO size)
 * segments: a run of lost segments within one send unit goes as one unit, with PSH at its end
 * when it holds more than one segment (__tcp_transmit_skb, see tso.ts).
 */
function retransmitLost(c: TcpConnection, now: number): void {
  const sb = c.sb;
  const mib = c.env.mib.TcpExt;
  const maxSegs = tsoSegs(c);
  for (let k = 0; k < sb.packetsOut && sb.lostOut > sb.retransOut; k++) {
    if (!resendable(sb.flags(k))) continue;
    const room = c.cwnd - packetsInFlight(c);
    if (room <= 0) break;
    let run = 1;
    const limit = Math.min(room, maxSegs);
    while (
      run < limit &&
      k + run < sb.packetsOut &&
      !(sb.flags(k + run - 1) & UNIT_END) &&
      resendable(sb.flags(k + run)) &&
      sb.len(k + run) <= c.sndMss &&
      sb.len(k) <= c.sndMss
    )
      run++;
    for (let j = 0; j < run; j++) {
      retransmitSegment(c, k + j, now, false, run > 1 && j === run - 1);
      if (c.caState === CA_RECOVERY) mib.TCPFastRetrans++;
      else if (c.caState === CA_LOSS) mib.TCPSlowStartRetrans++;
      if (c.caState === CA_RECOVERY || c.caState === CA_CWR) c.prrOut++;
    }
    k += run - 1;
  }
}

function resendable(f: number): boolean {
  return (f & LOST) !== 0 && (f & (RETRANS | SACKED)) === 0;
}

/** Resend the k-th outstanding segment, cut to the current MSS if the path MTU fell. */
export function retransmitSegment(
  c: TcpConnection,
  k: number,
  now: number,
  tlp = false,
  unitEnd = false,
): void {
  const sb = c.sb;
  if (sb.len(k) > c.sndMss) sb.split(k, c.sndMss);
  const seq = sb.seq(k);
  const len = sb.len(k);
  const offset = seqSub(seq, c.sndUna);
  const view = len > 0 ? c.sendBuf.view(offset, len) : EMPTY;
  if (view.length < len) sb.split(k, view.length); // the ring wrapped inside the segment
  const seg = c.out.clear();
  seg.seq = seq;
  seg.payload = view;
  const fin = (sb.flags(k) & FIN) !== 0;
  if (fin) seg.flags = TCP_FIN;
  if (view.length > 0 && (unitEnd || offset + view.length === c.sendBuf.length || sb.flags(k) & PSH))
    seg.flags |= TCP_PSH;
  c.fillAck(seg, now);
  // Linux's retrans_stamp: retransmissions are timed from the original send of the first one.
  if (c.retransStart < 0) c.retransStart = sb.time(k);
  sb.markRetransmitted(k, now);
  noteRetransmission(c, now);
  undoNoteRetransmit(c, now);
  c.env.trace?.(c, {
    type: 'retransmit',
    seq,
    len: view.length,
    reason: tlp ? 'tlp' : c.caState === CA_LOSS ? 'rto' : 'fast',
  });
  c.transmit(seg, now);
}

const EMPTY = new Uint8Array(0);

/** Resend the SYN or SYN-ACK (the handshake's own retransmissions). */
export function retransmitHead(c: TcpConnection, now: number): void {
  if (c.state === 'SYN-SENT') {
    const seg = c.out.clear();
    seg.flags = TCP_SYN;
    seg.seq = c.iss;
    seg.window = Math.min(c.advertisableWindow(), 65535);
    seg.window -= seg.window % c.advMss || 0;
    fillSynOptions(c, seg, now, false);
    noteRetransmission(c, now);
    c.env.mib.TcpExt.TCPSynRetrans++;
    c.transmit(seg, now);
    return;
  }
  if (c.state === 'SYN-RECEIVED') {
    noteRetransmission(c, now);
    sendSynAck(c, now);
    return;
  }
  if (c.sb.packetsOut > 0) retransmitSegment(c, 0, now);
}

/**
 * The retransmission timer expired (RFC 6298 §5.4–5.7, RFC 5681 §3.1; Linux's
 * tcp_retransmit_timer): give up after tcp_retries2 / tcp_syn_retries, or enter Loss, resend the
 * first outstanding segment and back off.
 */
export function onRetransmitTimeout(c: TcpConnection, now: number): void {
  const syn = c.state === 'SYN-SENT' || c.state === 'SYN-RECEIVED';
  if (!syn && c.sb.packetsOut === 0) return;
  if (c.timers.timedOut(now, syn)) {
    if (!syn) c.env.mib.TcpExt.TCPAbortOnTimeout++;
    if (c.state === 'SYN-SENT') c.env.mib.Tcp.AttemptFails++;
    c.terminate(now, 'ETIMEDOUT');
    return;
  }
  c.env.mib.TcpExt.TCPTimeouts++;
  if (!syn) enterLoss(c, now, true);
  c.retransmits++;
  c.rtt.backoff();
  c.env.trace?.(c, { type: 'rto', rtoUs: c.rtt.rtoUs, backoff: c.rtt.backoffCount });
  c.traceCwnd();
  retransmitHead(c, now);
  c.timers.armRetransmit(now);
}

/** Linux's tcp_rearm_rto: the retransmission timer runs from the oldest outstanding segment. */
export function rearmRto(c: TcpConnection, now: number): void {
  if (c.sb.packetsOut === 0) {
    if (c.timers.rtoKind !== 'persist') c.timers.cancelRetransmit();
    return;
  }
  let rto = c.rtt.rtoUs;
  const kind = c.timers.rtoKind;
  if (kind === 'reorder' || kind === 'probe') {
    rto = Math.max(c.sb.time(0) + rto - now, 1);
  }
  c.timers.armRetransmit(now, rto);
}

/**
 * RFC 8985 §7.2 (Linux's tcp_schedule_loss_probe): with SACK and no recovery under way, probe the
 * tail after about two round trips instead of waiting for the RTO.
 */
export function scheduleLossProbe(c: TcpConnection, now: number, advancingRto: boolean): boolean {
  const s = c.env.settings;
  if (s.tcp_early_retrans !== 3 && s.tcp_early_retrans !== 4) return false;
  if (c.sb.packetsOut === 0 || !c.sackOk || (c.caState !== CA_OPEN && c.caState !== CA_CWR)) return false;
  let timeout: number;
  if (c.rtt.srttUs > 0) {
    timeout = 2 * c.rtt.srttUs;
    timeout += c.sb.packetsOut === 1 ? s.tcp_rto_min_ms * 1000 : 2000;
  } else {
    timeout = s.tcp_rto_initial_ms * 1000;
  }
  const rtoDelta = advancingRto ? c.rtt.rtoUs : c.sb.time(0) + c.rtt.rtoUs - now;
  if (rtoDelta > 0) timeout = Math.min(timeout, rtoDelta);
  c.timers.armProbe(now + Math.round(timeout));
  return true;
}

/** The probe timer fired (RFC 8985 §7.3, Linux's tcp_send_loss_probe). */
export function sendLossProbe(c: TcpConnection, now: number): void {
  if (c.tlpHighSeq < 0) {
    c.tlpRetrans = false;
    const before = c.sb.packetsOut;
    // New data if the peer's window allows one segment, regardless of cwnd.
    if (c.sendBuf.length > seqSub(c.sndNxt, c.sndUna)) sendNewData(c, now, false, packetsInFlight(c) + 1);
    let probed = c.sb.packetsOut > before;
    if (!probed && c.sb.packetsOut > 0) {
      const last = c.sb.packetsOut - 1;
      const len = c.sb.len(last);
      if (len > c.sndMss) c.sb.split(last, len - (Math.ceil(len / c.sndMss) - 1) * c.sndMss);
      retransmitSegment(c, c.sb.packetsOut - 1, now, true);
      c.tlpRetrans = true;
      probed = true;
    }
    if (probed) {
      c.tlpHighSeq = c.sndNxt;
      c.env.mib.TcpExt.TCPLossProbes++;
      c.timers.rtoKind = 'retransmit'; // the RTO restarts from now
    }
  }
  rearmRto(c, now);
}

/**
 * The path MTU fell (RFC 1191; Linux's tcp_simple_retransmit): segments too big for the new MSS
 * were dropped on the way, so they are marked lost and resent in smaller pieces at once. The
 * window is not reduced, since this was no congestion.
 */
export function simpleRetransmit(c: TcpConnection, now: number): void {
  const sb = c.sb;
  let lost = 0;
  for (let k = 0; k < sb.packetsOut; k++) if (sb.len(k) > c.sndMss && sb.markLost(k)) lost++;
  if (lost === 0) return;
  if (c.caState !== CA_LOSS) {
    c.highSeq = c.sndNxt;
    c.caState = CA_LOSS;
  }
  retransmitLost(c, now);
  rearmRto(c, now);
}

/** The reordering timer fired: judge the waiting segments, resend what is lost (Linux's tcp_rack_reo_timeout). */
export function onReorderTimeout(c: TcpConnection, now: number): void {
  const kind = c.timers.rtoKind;
  if (reorderTimeout(c, now)) retransmitLost(c, now);
  if (c.timers.rto === Infinity || c.timers.rtoKind === kind) rearmRto(c, now);
}

/** Zero-window probe (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17) with backoff, never giving up while answered. */
export function onPersistTimeout(c: TcpConnection, now: number): void {
  if (c.sendBuf.length <= seqSub(c.sndNxt, c.sndUna)) {
    transmitQueued(c, now);
    return;
  }
  if (
    c.sndWnd > 0 &&
    c.sb.packetsOut === 0 &&
    sendNewData(c, now, false, Math.max(c.cwnd, 1), true, true) > 0
  ) {
    // Linux's tcp_write_wakeup: a window smaller than a segment takes a partial one, which the
    // retransmission timer then watches (tcp_send_probe0 stops probing once packets are out).
    c.rtt.resetBackoff();
    c.zeroWindowProbes = 0;
    rearmRto(c, now);
    return;
  }
  // Linux's tcp_probe_timer: any ACK resets the count, so a peer that answers keeps the connection
  // open forever (RFC 1122 4.2.2.17); one that stays silent for tcp_retries2 probes (an orphan:
  // tcp_orphan_retries) is given up on. Without this an orphan facing a zero window lives forever.
  const s = c.env.settings;
  if (c.zeroWindowProbes >= (c.orphan ? s.tcp_orphan_retries || 8 : s.tcp_retries2)) {
    c.env.mib.TcpExt.TCPAbortOnTimeout++;
    c.terminate(now, 'ETIMEDOUT');
    return;
  }
  c.zeroWindowProbes++;
  c.env.mib.TcpExt.TCPWinProbe++;
  // Linux probes with a segment the receiver must reject (SEQ = SND.UNA - 1): it elicits an ACK
  // carrying the current window without consuming sequence space.
  const seg = c.out.clear();
  seg.seq = seqAdd(c.sndUna, -1);
  c.fillAck(seg, now);
  c.transmit(seg, now);
  c.rtt.backoff();
  c.timers.armPersist(now);
}

/** A keepalive probe: SEQ = SND.NXT - 1 with no data, so the peer answers with an ACK (RFC 1122 4.2.3.6). */
export function sendKeepaliveProbe(c: TcpConnection, now: number): void {
  const seg = c.out.clear();
  seg.seq = seqAdd(c.sndNxt, -1);
  c.fillAck(seg, now);
  c.transmit(seg, now);
}
