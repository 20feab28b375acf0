import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import { seqAdd, seqGe, seqGt, seqLt, seqSub } from './seq.js';

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
  if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
  c.transmit(seg, now);
}

export function sendSynAck(c: TcpConnection, now: number): void {
  const seg = c.out.clear();
  seg.flags = TCP_SYN | TCP_ACK;
  seg.seq = c.iss;
  c.fillAck(seg, now);
  fillSynOptions(c, seg, now, true);
  c.sndNxt = seqAdd(c.iss, 1);
  if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
  c.transmit(seg, now);
}

/**
 * Send what the windows allow (Linux's tcp_write_xmit): segments of up to one MSS from the send
 * queue, Nagle's rule (RFC 896, RFC 1122 4.2.3.4) unless TCP_NODELAY, TCP_CORK holding partial
 * segments, PSH on the last segment of what was queued, and FIN once everything is sent.
 */
export function transmitQueued(c: TcpConnection, now: number, more = false): void {
  if (c.state === 'SYN-SENT') {
    if (c.sndNxt === c.iss) {
      sendSyn(c, now);
      c.timers.armRetransmit(now);
    }
    return;
  }
  if (c.state === 'SYN-RECEIVED' || c.state === 'CLOSED' || c.state === 'LISTEN') return;
  let sent = false;
  for (;;) {
    const inFlight = seqSub(c.sndNxt, c.sndUna);
    const queued = c.sendBuf.length - Math.min(inFlight, c.sendBuf.length);
    const offset = inFlight;
    if (queued <= 0) break;
    const cwndLeft = c.cwnd * c.sndMss - inFlight;
    const wndLeft = c.sndWnd - inFlight;
    let len = Math.min(c.sndMss, queued);
    if (len > wndLeft) {
      // Sender-side silly window avoidance (RFC 1122 4.2.3.4): send a partial segment into the
      // window only if it is at least half the largest window the peer offered.
      if (wndLeft >= len || (wndLeft > 0 && wndLeft >= c.maxSndWnd / 2)) len = wndLeft;
      else break;
    }
    if (cwndLeft < len) break;
    // A partial segment that ends the stream with a FIN goes at once (Linux's tcp_nagle_test).
    const endsWithFin = c.finQueued && len === queued;
    if (len < c.sndMss && !endsWithFin) {
      if (c.opts.cork || more) break;
      if (!c.opts.nodelay && inFlight > 0) break; // Nagle: one small segment in flight at most
    }
    const view = c.sendBuf.view(offset, len);
    if (view.length === 0) break;
    const seg = c.out.clear();
    seg.seq = c.sndNxt;
    seg.payload = view;
    const last = view.length === queued;
    seg.flags = last ? TCP_PSH : 0;
    if (last && c.finQueued && (!c.finSent || seqAdd(c.sndNxt, view.length) === c.finSeq)) {
      seg.flags |= TCP_FIN;
      c.finSent = true;
      c.finSeq = seqAdd(c.sndNxt, view.length);
      finSentTransition(c);
    }
    c.fillAck(seg, now);
    startRttTiming(c, now);
    const wasRetransmission = seqLt(c.sndNxt, c.sndMax);
    c.sndNxt = seqAdd(c.sndNxt, view.length + (seg.flags & TCP_FIN ? 1 : 0));
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
    if (wasRetransmission) noteRetransmission(c, now);
    else c.env.mib.TcpExt.TCPOrigDataSent++;
    c.lastDataSentTime = now;
    c.transmit(seg, now);
    sent = true;
  }
  // A FIN with no data left to carry it.
  if (
    c.finQueued &&
    (!c.finSent || c.sndNxt === c.finSeq) &&
    seqSub(c.sndNxt, c.sndUna) >= c.sendBuf.length &&
    c.cwnd * c.sndMss > seqSub(c.sndNxt, c.sndUna)
  ) {
    const seg = c.out.clear();
    seg.seq = c.sndNxt;
    seg.flags = TCP_FIN;
    c.fillAck(seg, now);
    c.finSent = true;
    c.finSeq = c.sndNxt;
    finSentTransition(c);
    if (seqLt(c.sndNxt, c.sndMax)) noteRetransmission(c, now);
    c.sndNxt = seqAdd(c.sndNxt, 1);
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
    c.transmit(seg, now);
    sent = true;
  }
  if (sent && c.timers.rto === Infinity) c.timers.armRetransmit(now);
  if (!sent && c.timers.rto === Infinity && c.sndWnd === 0 && c.sendBuf.length > seqSub(c.sndNxt, c.sndUna)) {
    // Zero window with data waiting: probe it (RFC 9293 §3.8.6.1).
    c.timers.armPersist(now);
  }
}

function finSentTransition(c: TcpConnection): void {
  if (c.state === 'ESTABLISHED' || c.state === 'SYN-RECEIVED') c.setState('FIN-WAIT-1');
  else if (c.state === 'CLOSE-WAIT') c.setState('LAST-ACK');
}

function startRttTiming(c: TcpConnection, now: number): void {
  if (!c.tsOk && c.rttStart < 0 && !seqLt(c.sndNxt, c.sndMax)) {
    c.rttSeq = c.sndNxt;
    c.rttStart = now;
  }
}

function noteRetransmission(c: TcpConnection, now: number): void {
  c.env.mib.Tcp.RetransSegs++;
  c.totalRetrans++;
  if (c.retransStart < 0) c.retransStart = now;
  c.rttStart = -1; // Karn: no RTT sample from a retransmitted segment
}

/** Resend the first unacknowledged segment (fast retransmit or an RTO). */
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
  const unacked = seqSub(c.sndMax, c.sndUna);
  if (unacked <= 0) return;
  const dataLen = Math.min(c.sndMss, c.sendBuf.length, unacked);
  const view = dataLen > 0 ? c.sendBuf.view(0, dataLen) : new Uint8Array(0);
  const seg = c.out.clear();
  seg.seq = c.sndUna;
  seg.payload = view;
  const end = seqAdd(c.sndUna, view.length);
  if (c.finSent && end === c.finSeq) seg.flags = TCP_FIN;
  if (view.length > 0 && end === seqAdd(c.sndUna, c.sendBuf.length)) seg.flags |= TCP_PSH;
  c.fillAck(seg, now);
  noteRetransmission(c, now);
  c.transmit(seg, now);
  const after = seqAdd(end, seg.flags & TCP_FIN ? 1 : 0);
  if (seqLt(c.sndNxt, after)) c.sndNxt = after;
}

/**
 * The retransmission timer expired (RFC 6298 §5.4–5.7, RFC 5681 §3.1): back off, collapse the
 * window to one segment, resend from SND.UNA, or give up after tcp_retries2 / tcp_syn_retries.
 */
export function onRetransmitTimeout(c: TcpConnection, now: number): void {
  const syn = c.state === 'SYN-SENT' || c.state === 'SYN-RECEIVED';
  if (!syn && seqGe(c.sndUna, c.sndMax)) return;
  if (c.timers.timedOut(now, syn)) {
    if (!syn) c.env.mib.TcpExt.TCPAbortOnTimeout++;
    if (c.state === 'SYN-SENT') c.env.mib.Tcp.AttemptFails++;
    c.terminate(now, 'ETIMEDOUT');
    return;
  }
  c.env.mib.TcpExt.TCPTimeouts++;
  c.retransmits++;
  if (!syn) {
    // RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS); the congestion window drops to
    // one segment and slow start resends everything outstanding (Linux's Loss state).
    const flight = Math.ceil(seqSub(c.sndMax, c.sndUna) / c.sndMss);
    if (!c.inLoss) c.ssthresh = Math.max(Math.floor(Math.max(flight, c.cwnd) / 2), 2);
    c.cwnd = 1;
    c.cwndCnt = 0;
    c.inLoss = true;
    c.inRecovery = false;
    c.dupAcks = 0;
    c.lossRecover = c.sndMax;
    // Go back to SND.UNA; the FIN, if sent, goes again with the data that precedes it.
    c.sndNxt = c.sndUna;
  }
  c.rtt.backoff();
  if (syn) retransmitHead(c, now);
  else {
    retransmitFrom(c, now);
  }
  c.timers.armRetransmit(now);
}

/** After an RTO: resend what the (collapsed) window allows, starting at SND.NXT = SND.UNA. */
function retransmitFrom(c: TcpConnection, now: number): void {
  const before = c.sndNxt;
  transmitQueued(c, now);
  if (c.sndNxt === before && seqLt(c.sndNxt, c.sndMax)) {
    // Nothing left in the queue to carry (only a FIN outstanding): resend it.
    retransmitHead(c, now);
  }
}

/** Zero-window probe (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17) with backoff, never giving up while answered. */
export function onPersistTimeout(c: TcpConnection, now: number): void {
  if (c.sndWnd > 0 || c.sendBuf.length <= seqSub(c.sndNxt, c.sndUna)) {
    transmitQueued(c, now);
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
