import { TCP_ACK, TCP_RST, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { TcpConnection, initialWscale, type ConnectionOptions } from './connection.js';
import type { FourTuple, TcpEnv } from './env.js';
import { seqAdd, seqLt } from './seq.js';
import { COOKIE_MSS_TABLE, SynCookies } from './syncookies.js';
import { updatePacingRate } from './tso.js';

/** The SYN's options as negotiate() reads them (it keeps nothing): one record, reused. */
const SYN_SCRATCH = new TcpSegment();

/** What a listener needs beyond a connection's env. */
export interface TcpListenerEnv extends TcpEnv {
  /** Send a segment for a 4-tuple that has no connection yet (SYN-ACK, RST). */
  transmitFor(tuple: FourTuple, seg: TcpSegment): void;
  /** A new connection was made from a request: the host registers it. False if the tuple is taken. */
  adopt(conn: TcpConnection): boolean;
  /** RFC 6528 ISN and the RFC 7323 timestamp offset for a 4-tuple. */
  isn(tuple: FourTuple, now: number): number;
  tsOffset(tuple: FourTuple): number;
  /** Our MSS towards an address (its route's MTU minus 40). */
  mssFor(remoteAddr: number): number;
  /** The listener's accept queue gained a connection. */
  listenerEvent(l: TcpListener, ev: 'acceptable'): void;
  /** The host's SYN-cookie generator (its secret never leaves the host). */
  readonly cookies: SynCookies;
}

/**
 * A half-open connection as Linux keeps it (request_sock, the seed's "SYN cache"): a small record
 * of what the handshake needs, not a full connection. A SYN flood fills these, not TCBs.
 */
export interface SynRequest {
  tuple: FourTuple;
  irs: number;
  iss: number;
  peerMss: number;
  peerWscale: number;
  sackOk: boolean;
  tsOk: boolean;
  tsRecent: number;
  tsOffset: number;
  mss: number;
  retries: number;
  /** When the SYN-ACK is due again (µs). */
  deadline: number;
  /** The final ACK came while the accept queue was full (Linux's acked flag). */
  acked: boolean;
  /** When the first SYN-ACK left (for the handshake's RTT sample, Linux's tcp_synack_rtt_meas). */
  synAckSentAt?: number;
}

/** See TcpListener.key. */
type RequestKey = number | string;

/**
 * A listening socket (RFC 9293 §3.10.7.2) with Linux's two queues (the seed's chapter 1.6 and 6):
 * the SYN queue of half-open requests, full beyond the listen backlog (then SYN cookies take
 * over) and, without cookies, also bounded by tcp_max_syn_backlog; and the accept queue of
 * established connections waiting for accept(), bounded by min(backlog, somaxconn).
 */
export class TcpListener {
  heapIndex = -1;
  readonly requests = new Map<RequestKey, SynRequest>();
  readonly acceptQueue: TcpConnection[] = [];
  readonly backlog: number;
  nextDeadline = Infinity;
  closed = false;
  private readonly out = new TcpSegment();

  constructor(
    readonly env: TcpListenerEnv,
    readonly localAddr: number,
    readonly localPort: number,
    backlog: number,
    /** SO_RCVBUF/SO_SNDBUF set on the listening socket: accepted connections inherit them. */
    readonly buffers: { rcvBuf?: number; sndBuf?: number } = {},
  ) {
    this.keyAddr = localAddr;
    // Linux: listen()'s backlog is capped by somaxconn; the accept queue holds backlog + 1.
    this.backlog = Math.max(0, Math.min(backlog, env.settings.somaxconn));
  }

  get tuple(): FourTuple {
    return { localAddr: this.localAddr, localPort: this.localPort, remoteAddr: 0, remotePort: 0 };
  }

  /** ss shows a listener's Recv-Q as the accept queue's length and Send-Q as its limit. */
  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  accept(): TcpConnection | null {
    return this.acceptQueue.shift() ?? null;
  }

  private acceptQueueFull(): boolean {
    return this.acceptQueue.length > this.backlog;
  }

  /**
   * The local address whose requests are keyed by a number: the bound one, or for a wildcard
   * listener the first one a segment came to (fixed from then on, so a tuple's key never changes).
   */
  private keyAddr: number;

  /**
   * A request's key in `requests`: remote address and port as one number (48 bits, exact in a
   * double) when the segment came to `keyAddr`, as nearly every one does; else a string naming the
   * local address too. One Map either way, so requests keep their order (SYN-ACK retransmissions
   * go in it). A number is no string to build and hash twice per handshake.
   */
  private key(remoteAddr: number, remotePort: number, localAddr: number): RequestKey {
    if (this.keyAddr === 0) this.keyAddr = localAddr;
    if (localAddr === this.keyAddr) return remoteAddr * 65536 + remotePort;
    return `${remoteAddr}:${remotePort}:${localAddr}`;
  }

  /** A segment for our port from a 4-tuple that has no connection. */
  input(seg: TcpSegment, localAddr: number, remoteAddr: number, now: number): void {
    if (this.closed) {
      this.env.drop?.('tcp-close');
      return;
    }
    const f = seg.flags;
    const mib = this.env.mib;
    const key = this.key(remoteAddr, seg.srcPort, localAddr);
    const req = this.requests.get(key);
    if (f & TCP_RST) {
      this.env.drop?.('tcp-reset');
      if (req && seg.seq === seqAdd(req.irs, 1)) {
        // Linux's tcp_check_req: a reset kills the request (embryonic_reset) and counts it.
        this.requests.delete(key);
        mib.Tcp.AttemptFails++;
        mib.TcpExt.EmbryonicRsts++;
      }
      return;
    }
    if (f & TCP_SYN && !(f & TCP_ACK)) {
      if (req) {
        // A retransmitted SYN: our SYN-ACK was lost; send it again.
        if (seg.seq === req.irs) this.sendSynAck(req, now);
        else this.env.drop?.('tcp-invalid-syn');
        return;
      }
      this.onSyn(seg, localAddr, remoteAddr, key, now);
      return;
    }
    if (f & TCP_ACK && req) {
      this.onAck(seg, req, key, now);
      return;
    }
    if (f & TCP_ACK && !(f & TCP_SYN) && this.env.settings.tcp_syncookies !== 0) {
      const cookieReq = this.fromCookie(seg, localAddr, remoteAddr, now);
      if (cookieReq) {
        this.onAck(seg, cookieReq, key, now);
        return;
      }
    }
    // RFC 9293 §3.10.7.2: any other ACK to a listener gets <SEQ=SEG.ACK><CTL=RST>.
    this.env.drop?.(f & TCP_ACK && this.env.settings.tcp_syncookies !== 0 ? 'tcp-bad-cookie' : 'tcp-flags');
    if (f & TCP_ACK)
      this.resetAck(seg, { localAddr, localPort: this.localPort, remoteAddr, remotePort: seg.srcPort });
  }

  /** RFC 9293 §3.10.7.2: <SEQ=SEG.ACK><CTL=RST> in answer to an unacceptable ACK. */
  private resetAck(seg: TcpSegment, tuple: FourTuple): void {
    const r = this.out.clear();
    r.flags = TCP_RST;
    r.seq = seg.ack;
    this.env.mib.Tcp.OutRsts++;
    this.env.transmitFor(tuple, r);
  }

  private onSyn(seg: TcpSegment, localAddr: number, remoteAddr: number, key: RequestKey, now: number): void {
    const s = this.env.settings;
    const mib = this.env.mib;
    const tuple: FourTuple = { localAddr, localPort: this.localPort, remoteAddr, remotePort: seg.srcPort };
    // Linux's tcp_conn_request, in its order. The SYN queue counts as full once it holds more
    // requests than the listen backlog (inet_csk_reqsk_queue_is_full); tcp_max_syn_backlog plays
    // no part there. Measured on Linux 6.18 with listen(fd, 4): five requests are kept, the sixth
    // SYN is answered with a cookie (tcp_syncookies=1) or dropped (0).
    const qlen = this.requests.size;
    let wantCookie = false;
    if (s.tcp_syncookies === 2 || qlen > this.backlog) {
      // tcp_syn_flood_action: counted on every such SYN, cookies or not.
      if (s.tcp_syncookies !== 0) {
        mib.TcpExt.TCPReqQFullDoCookies++;
        wantCookie = true;
      } else {
        mib.TcpExt.TCPReqQFullDrop++;
        mib.TcpExt.ListenDrops++;
        this.env.drop?.('tcp-listen-overflow');
        return;
      }
    }
    // A full accept queue drops the SYN, cookie or not.
    if (this.acceptQueueFull()) {
      mib.TcpExt.ListenOverflows++;
      mib.TcpExt.ListenDrops++;
      this.env.drop?.('tcp-listen-overflow');
      return;
    }
    if (wantCookie) {
      this.sendCookieSynAck(seg, tuple, now);
      return;
    }
    // Without cookies, the last quarter of tcp_max_syn_backlog is kept for peers proven alive
    // (synack keeps no per-destination history, so no peer is proven): measured on Linux 6.18
    // with tcp_max_syn_backlog 16 and a large backlog, 13 requests are kept and the 14th SYN is
    // dropped, counted in ListenDrops alone.
    const maxSyn = s.tcp_max_syn_backlog;
    if (s.tcp_syncookies === 0 && maxSyn - qlen < maxSyn >> 2) {
      mib.TcpExt.ListenDrops++;
      this.env.drop?.('tcp-listen-overflow');
      return;
    }
    const req: SynRequest = {
      tuple,
      irs: seg.seq,
      iss: this.env.isn(tuple, now),
      peerMss: seg.mss >= 0 ? seg.mss : 536,
      peerWscale: s.tcp_window_scaling ? seg.wscale : -1,
      sackOk: s.tcp_sack !== 0 && seg.sackPermitted,
      tsOk: s.tcp_timestamps !== 0 && seg.hasTimestamp,
      tsRecent: seg.tsVal,
      tsOffset: this.env.tsOffset(tuple),
      mss: this.env.mssFor(remoteAddr),
      retries: 0,
      deadline: now + s.tcp_rto_initial_ms * 1000,
      acked: false,
    };
    this.requests.set(key, req);
    this.sendSynAck(req, now);
    this.updateDeadline();
  }

  private sendCookieSynAck(syn: TcpSegment, tuple: FourTuple, now: number): void {
    const s = this.env.settings;
    const peerMss = syn.mss >= 0 ? syn.mss : 536;
    const idx = SynCookies.mssIndex(peerMss);
    const tsOk = s.tcp_timestamps !== 0 && syn.hasTimestamp;
    const tsOffset = this.env.tsOffset(tuple);
    const req: SynRequest = {
      tuple,
      irs: syn.seq,
      iss: this.env.cookies.make(tuple, syn.seq, idx, now),
      peerMss,
      // Without timestamps there is nowhere to keep window scale and SACK: Linux drops them.
      peerWscale: tsOk && s.tcp_window_scaling ? syn.wscale : -1,
      sackOk: tsOk && s.tcp_sack !== 0 && syn.sackPermitted,
      tsOk,
      tsRecent: syn.tsVal,
      tsOffset,
      mss: this.env.mssFor(tuple.remoteAddr),
      retries: 0,
      deadline: Infinity,
      acked: false,
    };
    this.env.mib.TcpExt.SyncookiesSent++;
    this.sendSynAck(req, now, true);
  }

  /** Rebuild a request from the cookie an ACK returns (Linux's cookie_v4_check). */
  private fromCookie(seg: TcpSegment, localAddr: number, remoteAddr: number, now: number): SynRequest | null {
    const mib = this.env.mib;
    const s = this.env.settings;
    const tuple: FourTuple = { localAddr, localPort: this.localPort, remoteAddr, remotePort: seg.srcPort };
    const irs = seqAdd(seg.seq, -1);
    const iss = seqAdd(seg.ack, -1);
    const idx = this.env.cookies.check(tuple, irs, iss, now);
    if (idx < 0) {
      mib.TcpExt.SyncookiesFailed++;
      return null;
    }
    mib.TcpExt.SyncookiesRecv++;
    const tsOk = s.tcp_timestamps !== 0 && seg.hasTimestamp;
    const opts = tsOk ? SynCookies.decodeTs(seg.tsEcr) : { wscale: -1, sackOk: false, ecn: false };
    return {
      tuple,
      irs,
      iss,
      peerMss: COOKIE_MSS_TABLE[idx] as number,
      peerWscale: opts.wscale,
      sackOk: opts.sackOk,
      tsOk,
      tsRecent: seg.tsVal,
      tsOffset: this.env.tsOffset(tuple),
      mss: this.env.mssFor(remoteAddr),
      retries: 0,
      deadline: Infinity,
      acked: false,
    };
  }

  /** The SYN-ACK's window (unscaled): the receive buffer up to 65535, in whole segments above one MSS (Linux's tcp_select_initial_window). */
  private synAckWindow(req: SynRequest): number {
    const win = Math.min(this.buffers.rcvBuf ?? this.env.settings.tcp_rmem[1], 65535);
    return win > req.mss ? win - (win % req.mss) : win;
  }

  private sendSynAck(req: SynRequest, now: number, cookie = false): void {
    const s = this.env.settings;
    if (req.synAckSentAt === undefined) req.synAckSentAt = now;
    const seg = this.out.clear();
    seg.flags = TCP_SYN | TCP_ACK;
    seg.seq = req.iss;
    seg.ack = seqAdd(req.irs, 1);
    seg.window = this.synAckWindow(req);
    seg.mss = req.mss;
    seg.sackPermitted = req.sackOk;
    if (req.tsOk) {
      seg.hasTimestamp = true;
      seg.tsVal = (Math.floor(now / 1000) + req.tsOffset) >>> 0;
      if (cookie) {
        seg.tsVal = SynCookies.encodeTs(seg.tsVal, {
          mss: req.peerMss,
          wscale: req.peerWscale,
          sackOk: req.sackOk,
          ecn: false,
        });
      }
      seg.tsEcr = req.tsRecent;
    }
    if (req.peerWscale >= 0)
      seg.wscale = initialWscale(Math.max(s.tcp_rmem[2], s.tcp_rmem[1]), this.buffers.rcvBuf);
    this.env.transmitFor(req.tuple, seg);
  }

  private onAck(seg: TcpSegment, req: SynRequest, key: RequestKey, now: number): void {
    const mib = this.env.mib;
    if (seg.ack !== seqAdd(req.iss, 1) || seg.seq !== seqAdd(req.irs, 1)) {
      this.env.drop?.('tcp-old-ack');
      if (seg.ack !== seqAdd(req.iss, 1)) this.resetAck(seg, req.tuple);
      return;
    }
    // Linux's tcp_check_req: an old timestamp (PAWS) drops the segment and keeps the request; a
    // SYN here resets the embryonic connection. Either way no connection may be made from it: the
    // new connection would reject the segment too and sit in SYN-RECEIVED with no timer, forever.
    if (req.tsOk && seg.hasTimestamp && seqLt(seg.tsVal, req.tsRecent)) {
      mib.TcpExt.PAWSEstab++;
      this.env.drop?.('tcp-rfc7323-paws');
      return;
    }
    if (seg.flags & TCP_SYN) {
      mib.Tcp.AttemptFails++;
      mib.TcpExt.EmbryonicRsts++;
      this.env.drop?.('tcp-invalid-syn');
      this.requests.delete(key);
      this.resetAck(seg, req.tuple);
      this.updateDeadline();
      return;
    }
    if (this.acceptQueueFull()) {
      // The seed's 1.6.2: with tcp_abort_on_overflow=0 the ACK is dropped and the SYN-ACK timer
      // will try again; with 1 the client is reset.
      mib.TcpExt.ListenOverflows++;
      mib.TcpExt.ListenDrops++;
      this.env.drop?.('tcp-listen-overflow');
      if (this.env.settings.tcp_abort_on_overflow) {
        this.requests.delete(key);
        this.resetAck(seg, req.tuple);
        this.updateDeadline();
      } else {
        req.acked = true;
      }
      return;
    }
    this.requests.delete(key);
    const conn = this.makeConnection(req, now);
    // The handshake's RTT, if the SYN-ACK was not resent (Karn): it sets the first RTO.
    if (req.retries === 0 && req.synAckSentAt !== undefined)
      conn.rtt.sample(Math.max(1, now - req.synAckSentAt));
    // Linux's tcp_rcv_state_process (SYN_RECV): the new connection's first pacing rate.
    updatePacingRate(conn);
    if (!this.env.adopt(conn)) return;
    mib.Tcp.PassiveOpens++;
    // The final ACK may carry data (and even a FIN): the new connection takes it.
    this.acceptQueue.push(conn);
    this.updateDeadline();
    conn.input(seg, now);
    this.env.listenerEvent(this, 'acceptable');
  }

  private makeConnection(req: SynRequest, now: number): TcpConnection {
    const s = this.env.settings;
    const o: ConnectionOptions = { mss: req.mss, iss: req.iss, tsOffset: req.tsOffset };
    if (this.buffers.rcvBuf !== undefined) o.rcvBuf = this.buffers.rcvBuf;
    if (this.buffers.sndBuf !== undefined) o.sndBuf = this.buffers.sndBuf;
    const c = new TcpConnection(this.env, req.tuple, o);
    c.irs = req.irs;
    c.rcvNxt = seqAdd(req.irs, 1);
    // The SYN-ACK acknowledged RCV.NXT: it is Last.ACK.sent (RFC 7323 §4.3), so the peer's next
    // segment (the final ACK, the first data) updates TS.Recent and our echoes are current.
    c.lastAckSent = c.rcvNxt;
    // Our SYN is outstanding until this very ACK is processed by the new connection.
    c.sndUna = req.iss;
    c.sndNxt = seqAdd(req.iss, 1);
    const syn = SYN_SCRATCH.clear();
    syn.mss = req.peerMss;
    syn.wscale = req.peerWscale;
    syn.sackPermitted = req.sackOk;
    syn.hasTimestamp = req.tsOk;
    syn.tsVal = req.tsRecent;
    c.negotiate(syn, {
      wscale: s.tcp_window_scaling !== 0,
      ts: s.tcp_timestamps !== 0,
      sack: s.tcp_sack !== 0,
    });
    if (req.retries > 0) c.cwnd = 1;
    c.state = 'SYN-RECEIVED';
    // The window the SYN-ACK offered: its right edge stands (RFC 7323 §2.4).
    c.rcvWnd = this.synAckWindow(req);
    c.rcvAdvRight = seqAdd(c.rcvNxt, c.rcvWnd);
    c.lastRecvTime = now;
    return c;
  }

  /** SYN-ACK retransmission with exponential backoff (1, 2, 4, 8, 16 s; tcp_synack_retries). */
  onTimer(now: number): void {
    const s = this.env.settings;
    for (const [key, req] of this.requests) {
      if (req.deadline > now) continue;
      if (req.retries >= s.tcp_synack_retries) {
        this.requests.delete(key);
        continue;
      }
      req.retries++;
      this.env.mib.Tcp.RetransSegs++;
      this.env.mib.TcpExt.TCPSynRetrans++;
      this.sendSynAck(req, now);
      req.deadline = now + s.tcp_rto_initial_ms * 1000 * 2 ** req.retries;
    }
    this.updateDeadline();
  }

  private updateDeadline(): void {
    let d = Infinity;
    for (const r of this.requests.values()) if (r.deadline < d) d = r.deadline;
    if (d !== this.nextDeadline) {
      this.nextDeadline = d;
      this.env.deadlineChanged(this);
    }
  }

  /** Close the listener: pending requests vanish, queued connections are reset (Linux's inet_csk_listen_stop). */
  close(now: number): void {
    this.closed = true;
    this.requests.clear();
    for (const c of this.acceptQueue.splice(0)) c.abort(now);
    this.updateDeadline();
  }
}
