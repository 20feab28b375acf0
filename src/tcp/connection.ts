import type { DropReason } from '../wire/drop-reason.js';
import { TCP_ACK, TCP_RST, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import type { FourTuple, TcpEnv, TcpErrno, TcpEventType } from './env.js';
import { RecvBuffer, type Range } from './recv-buffer.js';
import { countWindowAdv, selectWindow } from './rcv-window.js';
import { RttEstimator } from './rtt.js';
import { SendBuffer } from './send-buffer.js';
import { sizeGoal } from './skb-queue.js';
import { seqAdd, seqGt, seqSub } from './seq.js';
import { LINUX_STATE_NUMBER, type TcpState } from './state.js';
import { TcpTimers } from './timers.js';
import { segmentArrives } from './input.js';
import { simpleRetransmit, transmitQueued } from './output.js';
import { createCongestionControl, type CongestionControl } from './cc/index.js';
import { Reno } from './cc/reno.js';
import { RackState } from './rack.js';
import { CA_OPEN, INFINITE_SSTHRESH, packetsInFlight } from './recovery.js';
import { Scoreboard } from './scoreboard.js';
import { AutoTune, rcvSpaceAdjust } from './autotune.js';
import { UndoState } from './undo.js';
import { Chrono, DeliveryRate } from './chrono.js';

/** Linux's SOCK_MIN_SNDBUF: the send queue a socket may keep even when memory is short. */
const SOCK_MIN_SNDBUF = 4608;

export interface ConnectionOptions {
  /** Our MSS: the route MTU minus 40 (RFC 9293 §3.7.1). */
  mss: number;
  iss: number;
  /** Random per-connection timestamp offset (RFC 7323 §5.4). */
  tsOffset: number;
  sndBuf?: number;
  rcvBuf?: number;
}

/** Per-connection options a socket may set (SO_KEEPALIVE, TCP_NODELAY…). */
export interface SocketOptions {
  nodelay: boolean;
  cork: boolean;
  keepalive: boolean;
  /** Overrides of tcp_keepalive_time/intvl (s) and probes; 0 = use the host setting. */
  keepIdle: number;
  keepIntvl: number;
  keepCnt: number;
  /** TCP_USER_TIMEOUT in ms; 0 = off. */
  userTimeoutMs: number;
}

/** Every connection's options until one is set: shared, never written. */
const DEFAULT_SOCKET_OPTIONS: Readonly<SocketOptions> = Object.freeze({
  nodelay: false,
  cork: false,
  keepalive: false,
  keepIdle: 0,
  keepIntvl: 0,
  keepCnt: 0,
  userTimeoutMs: 0,
});

/** No MSG_EOR marks: shared, never written (a connection makes its own list at the first). */
const NO_EOR_MARKS: number[] = [];

/**
 * One TCP connection: the transmission control block of RFC 9293 §3.3.1 and the behaviour around
 * it. Sans-IO: every entry point takes the current time; output, timers and events go through the
 * env. Segment arrival is in input.ts, sending in output.ts, timers in timers.ts.
 */
export class TcpConnection {
  readonly tuple: FourTuple;
  state: TcpState = 'CLOSED';
  /** Position in the host's timer heap (owned by the host). */
  heapIndex = -1;

  // RFC 9293 §3.3.1 send sequence variables.
  iss: number;
  sndUna: number;
  /** Next sequence number to send; never moves back (retransmissions come from the scoreboard). */
  sndNxt: number;
  /** Send window in bytes, already scaled. */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** Largest window the peer ever offered (for silly-window avoidance, RFC 1122 4.2.3.4). */
  maxSndWnd = 0;

  // Receive sequence variables.
  irs = 0;
  rcvNxt = 0;
  /** Window last advertised and the right edge it implied (never moved left, RFC 7323 §2.4). */
  rcvWnd = 0;
  rcvAdvRight = 0;
  /** RCV.NXT when the last ACK was sent (Linux's rcv_wup; "Last.ACK.sent" of RFC 7323). */
  lastAckSent = 0;
  /** The largest segment received so far (Linux's icsk_ack.rcv_mss estimate). */
  rcvMss = 536;

  // Options negotiated in the handshake.
  advMss: number;
  peerMss = 536;
  /** Bytes of payload per full segment (MSS minus option space). */
  sndMss = 536;
  sndWscale = 0;
  rcvWscale = 0;
  wscaleOk = false;
  tsOk = false;
  sackOk = false;
  tsRecent = 0;
  tsOffset: number;

  // Queues.
  readonly sendBuf: SendBuffer;
  readonly recvBuf: RecvBuffer;
  /** The last write said MSG_MORE. */
  lastWriteMore = false;
  /** Ends of MSG_EOR records not yet sent past: segments never span one. */
  eorMarks: number[] = NO_EOR_MARKS;
  /** The user asked to close the sending direction; FIN follows the queued data. */
  finQueued = false;
  finSent = false;
  /** Sequence number of our FIN once sent. */
  finSeq = 0;
  /** The peer's FIN, once received in order. */
  finReceived = false;
  /** A duplicate to report in the next ACK (RFC 2883). */
  dsackPending = false;
  dsackLeft = 0;
  dsackRight = 0;
  /** Sequence number of a FIN that arrived ahead of missing data (-1 = none). */
  peerFinSeq = -1;
  /** The user has closed the socket; nobody will read (an orphan, in Linux's words). */
  orphan = false;
  /** Nobody outside the host holds it any more (its descriptor is closed): see TcpLayer.release. */
  released = false;
  /** Whether 'established' was reported. */
  reported = false;

  // Congestion control and loss recovery (RFC 5681, 6582, 6675, 6937, 8985), in segments as
  // Linux counts.
  private sbMade: Scoreboard | null = null;
  /** Every segment between SND.UNA and SND.NXT and what is known of it. Made at first use: an idle connection that never needs it holds none. */
  get sb(): Scoreboard {
    return (this.sbMade ??= new Scoreboard());
  }
  cc: CongestionControl;
  cwnd: number;
  ssthresh = INFINITE_SSTHRESH;
  cwndCnt = 0;
  /** Largest cwnd so far (for tcp_info and the pictures). */
  maxCwnd = 0;
  /** Whether the sender has been limited by cwnd rather than by the application. */
  cwndLimited = false;
  /**
   * Linux's sk_pacing_rate in bytes per second (tso.ts): unlimited until an ACK of something
   * outstanding sets it; it sizes the TSO packets (send units) the sender builds.
   */
  pacingRate = Infinity;
  /** The most packets in flight since SND.NXT was maxPacketsSeq, and whether cwnd held the sender then. */
  maxPacketsOut = 0;
  maxPacketsSeq = 0;
  cwndLimitedWindow = false;
  /** Linux's ca_state: Open, Disorder, CWR, Recovery, Loss (recovery.ts). */
  caState = CA_OPEN;
  /** SND.NXT when recovery began (RFC 6582's "recover", Linux's high_seq). */
  highSeq = 0;
  priorCwnd = 0;
  priorSsthresh = 0;
  /** PRR's counters (RFC 6937): delivered and sent since recovery began. */
  prrDelivered = 0;
  prrOut = 0;
  /** Duplicate ACKs standing in for SACKed segments when the peer has no SACK. */
  renoSacked = 0;
  /** The reordering degree in segments (Linux's tp->reordering), widened as reordering is seen. */
  reordering: number;
  private rackMade: RackState | null = null;
  /** RACK-TLP state (RFC 8985). Made at first use: an idle connection that never needs it holds none. */
  get rack(): RackState {
    return (this.rackMade ??= new RackState());
  }
  private autotuneMade: AutoTune | null = null;
  /** Receive buffer auto-tuning (Linux's tcp_rcv_space_adjust). Made at first use: an idle connection that never needs it holds none. */
  get autotune(): AutoTune {
    return (this.autotuneMade ??= new AutoTune());
  }
  private undoMade: UndoState | null = null;
  /** Congestion undo (RFC 2883, 3522, 4015). Made at first use: an idle connection that never needs it holds none. */
  get undo(): UndoState {
    return (this.undoMade ??= new UndoState());
  }
  private chronoMade: Chrono | null = null;
  /** Busy/rwnd-limited/sndbuf-limited time (Linux's chrono, tcp_info). Made at first use: an idle connection that never needs it holds none. */
  get chrono(): Chrono {
    return (this.chronoMade ??= new Chrono());
  }

  /** Whether the chrono was ever started (stopping one that never started changes nothing). */
  get chronoStarted(): boolean {
    return this.chronoMade !== null;
  }

  /** Segments in flight by the scoreboard (none before any was sent). */
  get packetsOut(): number {
    return this.sbMade === null ? 0 : this.sbMade.packetsOut;
  }
  /** Linux's SOCK_NOSPACE: a write found the send buffer full and waits for room. */
  noSpace = false;
  private deliveryRateMade: DeliveryRate | null = null;
  /** Delivery rate sample (tcp_info). Made at first use: an idle connection that never needs it holds none. */
  get deliveryRate(): DeliveryRate {
    return (this.deliveryRateMade ??= new DeliveryRate());
  }
  /** F-RTO (RFC 5682) is judging the last timeout. */
  frto = false;
  /** F-RTO step 2.b: the next transmission sends new data rather than retransmissions. */
  frtoSendNew = false;
  /** SND.NXT after a tail loss probe (RFC 8985 §7), or -1. */
  tlpHighSeq = -1;
  tlpRetrans = false;

  // RTT and retransmission.
  readonly rtt: RttEstimator;
  /** Time of the first retransmission of the current episode (for tcp_retries2), or -1. */
  retransStart = -1;
  retransmits = 0;
  totalRetrans = 0;

  // Bookkeeping for ACKs and keepalive.
  /** Segments received since the last ACK we sent (delayed ACK, RFC 1122 4.2.3.2). */
  unackedSegs = 0;
  /** Quick-ACK credit at connection start (Linux's icsk_ack.quick). */
  quickAcks = 16;
  lastRecvTime = 0;
  lastSendTime = 0;
  /** When our (first) SYN left: the handshake's RTT sample without timestamps. */
  synSentTime = 0;
  lastDataRecvTime = 0;
  lastDataSentTime = 0;
  keepaliveProbes = 0;
  zeroWindowProbes = 0;
  /** Challenge ACK rate limit (RFC 5961 §7, per socket like Linux's tcp_invalid_ratelimit). */
  lastOowAck = -Infinity;

  /** The socket options; shared defaults until one is set (idle connections hold no copy). */
  opts: Readonly<SocketOptions> = DEFAULT_SOCKET_OPTIONS;
  errno: TcpErrno | null = null;
  readonly timers: TcpTimers;
  /** Bytes acknowledged / received in all, for tcp_info. */
  bytesAcked = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  /** Bytes of buffer this connection has charged to the host's tcp_mem. */
  memCharged = 0;
  /** The record every outgoing segment is built in: the host's, shared (see TcpEnv.scratch). */
  get out(): TcpSegment {
    return this.env.scratch;
  }

  constructor(
    readonly env: TcpEnv,
    tuple: FourTuple,
    o: ConnectionOptions,
  ) {
    const s = env.settings;
    this.tuple = tuple;
    this.iss = o.iss >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.advMss = o.mss;
    this.tsOffset = s.tcp_timestamps === 2 ? 0 : o.tsOffset >>> 0;
    this.sendBuf = new SendBuffer(o.sndBuf ?? Math.max(s.tcp_wmem[1], 262144), 0);
    this.recvBuf = new RecvBuffer(o.rcvBuf ?? s.tcp_rmem[1]);
    if (o.sndBuf !== undefined) this.autotune.sndLocked = true;
    if (o.rcvBuf !== undefined) this.autotune.rcvLocked = true;
    this.cwnd = s.tcp_init_cwnd;
    this.reordering = s.tcp_reordering;
    if (s.tcp_init_ssthresh > 0) this.ssthresh = s.tcp_init_ssthresh;
    this.cc = createCongestionControl(s.tcp_congestion_control) ?? new Reno();
    this.rtt = new RttEstimator(s);
    this.timers = new TcpTimers(this);
    // Linux's tcp_select_initial_window: the scale covers tcp_rmem[2], or only the buffer the
    // user fixed with SO_RCVBUF (the window clamp).
    this.rcvWscale = s.tcp_window_scaling ? initialWscale(s.tcp_rmem[2], o.rcvBuf) : 0;
  }

  get srttUs(): number {
    return this.rtt.srttUs;
  }

  get minRttUs(): number {
    return this.rtt.minRttUs;
  }

  /** The window last reported to a tracer (cwnd, ssthresh, ca_state), to report only changes. */
  private traced: number[] | null = null;

  /** Report cwnd to a tracer if it changed. */
  traceCwnd(): void {
    const t = this.env.trace;
    if (!t) return;
    const p = (this.traced ??= [0, 0, -1]);
    if (p[0] === this.cwnd && p[1] === this.ssthresh && p[2] === this.caState) return;
    p[0] = this.cwnd;
    p[1] = this.ssthresh;
    p[2] = this.caState;
    t(this, {
      type: 'cwnd',
      cwnd: this.cwnd,
      ssthresh: this.ssthresh,
      inFlight: packetsInFlight(this),
      caState: this.caState,
    });
  }

  /** TCP_CONGESTION: switch algorithm; false if there is no such algorithm. */
  setCongestionControl(name: string): boolean {
    const cc = createCongestionControl(name);
    if (!cc) return false;
    this.cc = cc;
    return true;
  }

  get nextDeadline(): number {
    return this.timers.next;
  }

  // --- events ------------------------------------------------------------------------------

  setState(s: TcpState): void {
    if (this.state === s) return;
    this.env.trace?.(this, { type: 'state', from: this.state, to: s });
    const mib = this.env.mib.Tcp;
    if (this.state === 'ESTABLISHED' || this.state === 'CLOSE-WAIT') mib.CurrEstab--;
    if (s === 'ESTABLISHED' || s === 'CLOSE-WAIT') mib.CurrEstab++;
    this.state = s;
    // Nothing is sent any more: the scoreboard's storage can serve another connection.
    if ((s === 'TIME-WAIT' || s === 'CLOSED') && this.sbMade !== null) this.sbMade.release();
    this.emit('state');
  }

  /**
   * Nobody holds this connection any more (its descriptor is closed) and the host is done with it:
   * it is CLOSED, or in TIME-WAIT and replaced by a record (TcpLayer.settle, retire). Let go
   * of every part it made. V8 may have allocated the connection itself straight in the old
   * generation (allocation-site pretenuring); until a full collection finds it dead, anything young
   * it still points to would be kept alive and copied by every scavenge. Nothing reads it again.
   */
  dispose(): void {
    this.sbMade = null;
    this.rackMade = null;
    this.autotuneMade = null;
    this.undoMade = null;
    this.chronoMade = null;
    this.deliveryRateMade = null;
    this.traced = null;
    this.eorMarks = NO_EOR_MARKS;
    this.opts = DEFAULT_SOCKET_OPTIONS;
    const parts = this as unknown as Record<
      'sendBuf' | 'recvBuf' | 'rtt' | 'timers' | 'cc' | 'tuple',
      unknown
    >;
    parts.sendBuf = parts.recvBuf = parts.rtt = parts.timers = parts.cc = parts.tuple = null;
  }

  /** Tell the host how much buffer memory this connection holds now (tcp_mem accounting). */
  syncMem(): void {
    if (!this.env.memCharge) return;
    const held =
      this.state === 'CLOSED' ? 0 : this.recvBuf.readable + this.recvBuf.oooBytes + this.sendBuf.length;
    const d = held - this.memCharged;
    if (d !== 0) {
      this.memCharged = held;
      this.env.memCharge(d);
    }
  }

  /** The segment in hand is dropped for `reason` (counted by the host, like Linux's drop reasons). */
  drop(reason: DropReason): void {
    this.env.drop?.(reason);
  }

  emit(ev: TcpEventType, errno?: TcpErrno): void {
    this.env.event(this, ev, errno);
  }

  /** The connection is over: report the error (if any) and tell the host it may forget us. */
  terminate(now: number, errno: TcpErrno | null): void {
    if (this.state === 'CLOSED') return;
    if (errno) {
      this.errno = errno;
      this.emit('error', errno);
    }
    this.setState('CLOSED');
    this.timers.clearAll(now);
    this.sendBuf.consume(this.sendBuf.length);
    this.syncMem();
    this.emit('closed', errno ?? undefined);
  }

  // --- user calls (RFC 9293 §3.10.1–3.10.6) -----------------------------------------------

  /** Active OPEN: send SYN (RFC 9293 §3.10.1). */
  connect(now: number): void {
    if (this.state !== 'CLOSED') return;
    this.env.mib.Tcp.ActiveOpens++;
    this.setState('SYN-SENT');
    this.sndNxt = this.iss;
    transmitQueued(this, now);
  }

  /** Queue data for sending; returns the bytes accepted (0 when the send buffer is full). */
  send(data: Uint8Array, now: number, more = false, eor = false): number {
    if (this.finQueued || this.state === 'CLOSED') return 0;
    // Above tcp_mem[2] a socket with data queued gets no more (Linux's sk_stream_memory_free /
    // sk_wmem_schedule); the writer waits for ACKs to free memory.
    if (this.sendBuf.length > 0 && this.env.memoryExceeded?.()) return 0;
    const unsentBefore =
      this.sendBuf.length - Math.min(seqSub(this.sndNxt, this.sndUna), this.sendBuf.length);
    // Linux's tcp_sendmsg_locked: fill one skb at a time up to the size goal; when one is full,
    // push what cwnd allows (forced_push / tcp_push_one), which may split the tail skb and give
    // the write room again without a new skb.
    const goal = sizeGoal(this.sndMss, this.maxSndWnd);
    const canPush = this.state !== 'SYN-SENT' && this.state !== 'SYN-RECEIVED';
    let n = 0;
    for (;;) {
      // A writer that finds the buffer full calls on every ACK: no view made for a whole write.
      const k = this.sendBuf.write(n === 0 ? data : data.subarray(n), goal);
      n += k;
      if (k === 0 || n >= data.length) break;
      if (canPush && this.sendBuf.skbs.tailFull(goal)) {
        this.lastWriteMore = true; // more of this write follows: no PSH at the current end
        transmitQueued(this, now, true);
      }
    }
    if (n < data.length) this.noSpace = true;
    this.syncMem();
    // Linux's tcp_add_write_queue_tail: data entering an empty write queue makes the sender busy.
    if (n > 0 && unsentBefore === 0) this.chrono.start('busy', now);
    // MSG_MORE: more is coming, so the end of this write gets no PSH (Linux's tcp_push).
    if (n > 0) this.lastWriteMore = more;
    // MSG_EOR: no later byte may share a segment with this record's end (Linux's tcp_skb_can_collapse).
    if (eor && n === data.length && n > 0) {
      const end = seqAdd(this.sndUna, this.sendBuf.length);
      if (this.eorMarks === NO_EOR_MARKS) this.eorMarks = [];
      this.eorMarks.push(end);
      this.sendBuf.skbs.closeTail();
    }
    if (n > 0 && this.state !== 'SYN-SENT' && this.state !== 'SYN-RECEIVED') transmitQueued(this, now, more);
    return n;
  }

  get writableBytes(): number {
    return this.finQueued ? 0 : this.sendBuf.free;
  }

  /**
   * Linux's __sk_stream_is_writeable, what poll's POLLOUT and the wake-up of a blocked writer
   * (sk_stream_write_space) test: free send buffer at least half of what is queued
   * (sk_stream_wspace >= sk_stream_min_wspace), and room for a new skb (sk_stream_memory_free).
   */
  get writeable(): boolean {
    if (this.finQueued) return false;
    const used = this.sendBuf.wmemQueued;
    const cap = this.sendBuf.capacity;
    return cap - used >= used >> 1 && used < cap;
  }

  /** Bytes queued but not yet acknowledged (SIOCOUTQ) and not yet sent. */
  get unackedBytes(): number {
    return seqSub(this.sndNxt, this.sndUna) - (this.finSent && seqGt(this.sndNxt, this.finSeq) ? 1 : 0);
  }

  get readableBytes(): number {
    return this.recvBuf.readable;
  }

  /** All data has been read and the peer sent FIN: read() returns 0. */
  get eof(): boolean {
    return this.finReceived && this.recvBuf.readable === 0;
  }

  /** Copy received bytes out; reading may open the window, which is announced (RFC 9293 §3.8.6.2.2). */
  readInto(dst: Uint8Array, now: number): number {
    const before = this.advertisableWindow();
    const n = this.recvBuf.read(dst);
    this.afterRead(before, n, now);
    return n;
  }

  /**
   * Take up to `max` received bytes as an array the caller owns (RecvBuffer.readChunk: a segment
   * held by reference, or a copy into `alloc(n)`); the same read as readInto otherwise.
   */
  readChunk(max: number, alloc: (n: number) => Uint8Array, now: number): Uint8Array | null {
    const before = this.advertisableWindow();
    const chunk = this.recvBuf.readChunk(max, alloc);
    this.afterRead(before, chunk === null ? 0 : chunk.length, now);
    return chunk;
  }

  private afterRead(before: number, n: number, now: number): void {
    if (n > 0) {
      rcvSpaceAdjust(this, n, now);
      this.syncMem();
    }
    if (n > 0 && this.state !== 'CLOSED' && this.state !== 'TIME-WAIT') {
      const after = this.advertisableWindow();
      // Announce a window that grew by two segments or to half the buffer (Linux's
      // __tcp_cleanup_rbuf rule; avoids silly window updates, RFC 1122 4.2.3.3).
      if (
        after - before >= 2 * this.advMss ||
        (before < this.recvBuf.capacity / 2 && after >= this.recvBuf.capacity / 2)
      ) {
        this.sendAck(now);
      }
    }
  }

  /** SHUT_WR: FIN after the queued data (RFC 9293 §3.10.4, half-close). */
  shutdownWrite(now: number): void {
    if (this.finQueued) return;
    switch (this.state) {
      case 'SYN-SENT':
        this.terminate(now, null);
        return;
      case 'SYN-RECEIVED':
        // RFC 9293 §3.10.4: with nothing queued, send FIN now and enter FIN-WAIT-1.
        this.finQueued = true;
        if (this.sendBuf.length === 0) {
          this.setState('FIN-WAIT-1');
          transmitQueued(this, now);
        }
        return;
      case 'ESTABLISHED':
      case 'CLOSE-WAIT':
        this.finQueued = true;
        transmitQueued(this, now);
        return;
      default:
        return;
    }
  }

  /**
   * close(): the application is done. Unread data → RST (Linux's tcp_close, RFC 2525 §2.17,
   * TCPAbortOnClose); otherwise FIN after the queued data, and the connection lives on as an
   * orphan until the close completes.
   */
  close(now: number): void {
    this.orphan = true;
    if (this.state === 'CLOSED' || this.state === 'TIME-WAIT') return;
    if (this.state === 'SYN-SENT') {
      this.terminate(now, null);
      return;
    }
    this.env.orphaned?.(this);
    // Linux's __tcp_close → tcp_check_oom: past tcp_max_orphans ("too many orphaned sockets"), or
    // out of tcp_mem with data still queued, the connection is reset instead of closed gracefully.
    if (
      this.env.tooManyOrphans?.() ||
      (this.sendBuf.length > SOCK_MIN_SNDBUF && this.env.memoryExceeded?.())
    ) {
      this.env.mib.TcpExt.TCPAbortOnMemory++;
      this.sendReset(now);
      this.terminate(now, null);
      return;
    }
    if (this.recvBuf.readable > 0 || this.recvBuf.ooo.length > 0) {
      this.env.mib.TcpExt.TCPAbortOnClose++;
      this.sendReset(now);
      this.terminate(now, null);
      return;
    }
    this.shutdownWrite(now);
    this.timers.rearm(now);
  }

  /** Abortive close (SO_LINGER 0, RFC 9293 §3.10.5 ABORT): RST and forget. */
  abort(now: number): void {
    this.orphan = true;
    if (this.state === 'CLOSED') return;
    if (this.state !== 'SYN-SENT' && this.state !== 'TIME-WAIT') {
      this.env.mib.TcpExt.TCPAbortOnLinger++;
      this.sendReset(now);
    }
    this.terminate(now, null);
  }

  /** The connection's own copy of the options, made at the first change. */
  private ownOpts(): SocketOptions {
    if (this.opts === DEFAULT_SOCKET_OPTIONS) this.opts = { ...DEFAULT_SOCKET_OPTIONS };
    return this.opts as SocketOptions;
  }

  /** TCP_NODELAY; turning it on pushes what is queued once, even past TCP_CORK (Linux's TCP_NAGLE_PUSH). */
  setNoDelay(on: boolean, now: number): void {
    this.ownOpts().nodelay = on;
    if (on) transmitQueued(this, now, false, true);
  }

  setCork(on: boolean, now: number): void {
    this.ownOpts().cork = on;
    if (!on) transmitQueued(this, now);
  }

  setKeepAlive(on: boolean, now: number, idleS = 0, intvlS = 0, cnt = 0): void {
    const o = this.ownOpts();
    o.keepalive = on;
    if (idleS) o.keepIdle = idleS;
    if (intvlS) o.keepIntvl = intvlS;
    if (cnt) o.keepCnt = cnt;
    this.timers.rearm(now);
  }

  setUserTimeout(ms: number, now: number): void {
    this.ownOpts().userTimeoutMs = ms;
    this.timers.rearm(now);
  }

  // --- network side -------------------------------------------------------------------------

  input(seg: TcpSegment, now: number): void {
    this.segsIn++;
    segmentArrives(this, seg, now);
  }

  /** The MSS was lowered after an ICMP fragmentation-needed: resend what no longer fits. */
  mtuReduced(now: number): void {
    simpleRetransmit(this, now);
  }

  onTimer(now: number): void {
    this.timers.fire(now);
  }

  // --- helpers used by input/output/timers --------------------------------------------------

  /** Window we can offer now: free buffer space, never moving the right edge left. */
  advertisableWindow(): number {
    const b = this.recvBuf;
    return selectWindow(
      this.env,
      b.space,
      b.capacity,
      this.advMss,
      this.rcvAdvRight,
      this.rcvNxt,
      this.rcvWscale,
    );
  }

  /** Fill the ACK-related fields of `seg`: ack, window (scaled), timestamps. */
  fillAck(seg: TcpSegment, now: number): void {
    seg.flags |= TCP_ACK;
    seg.ack = this.rcvNxt;
    let win = this.advertisableWindow();
    const syn = (seg.flags & TCP_SYN) !== 0;
    if (syn) win = Math.min(win, 65535);
    const shift = syn ? 0 : this.rcvWscale;
    let field = Math.floor(win / (1 << shift));
    if (field > 65535) field = 65535;
    seg.window = field;
    const adv = field * (1 << shift);
    countWindowAdv(this.env, this.rcvWnd, adv, this.reported);
    this.rcvWnd = adv;
    const right = seqAdd(this.rcvNxt, adv);
    if (seqGt(right, this.rcvAdvRight)) this.rcvAdvRight = right;
    this.lastAckSent = this.rcvNxt;
    if (this.tsOk) {
      seg.hasTimestamp = true;
      seg.tsVal = this.tsNow(now);
      seg.tsEcr = this.tsRecent;
    }
    this.unackedSegs = 0;
    this.timers.cancelDelack();
  }

  /** Our TSval: a 1 ms clock plus the connection's random offset (Linux's tcp_time_stamp). */
  tsNow(now: number): number {
    return (Math.floor(now / 1000) + this.tsOffset) >>> 0;
  }

  /** Send a bare ACK now. */
  sendAck(now: number): void {
    if (this.state === 'CLOSED' || this.state === 'SYN-SENT') return;
    const seg = this.out.clear();
    seg.seq = this.sndNxt;
    this.fillAck(seg, now);
    this.addSackBlocks(seg);
    this.transmit(seg, now);
  }

  /**
   * RFC 2018 §4: SACK blocks for out-of-order data, the most recently changed first, after a
   * DSACK block for a duplicate if one is pending (RFC 2883 §4).
   */
  addSackBlocks(seg: TcpSegment): void {
    if (!this.sackOk) return;
    const max = seg.hasTimestamp ? 3 : 4;
    if (this.dsackPending) {
      seg.addSack(this.dsackLeft, this.dsackRight);
      this.dsackPending = false;
    }
    const ooo = this.recvBuf.ooo;
    // The most recently changed blocks first, as Linux keeps its selective_acks in that order:
    // picked one at a time (at most four), ties in list order as a stable sort would give them,
    // so that an ACK sorts no copy of the list.
    let prevTouched = Infinity;
    let prevIndex = -1;
    while (seg.sackCount < max) {
      let best = -1;
      let bestTouched = -Infinity;
      for (let i = 0; i < ooo.length; i++) {
        const t = (ooo[i] as Range).touched ?? 0;
        const after = t < prevTouched || (t === prevTouched && i > prevIndex);
        if (after && t > bestTouched) {
          best = i;
          bestTouched = t;
        }
      }
      if (best < 0) return;
      const r = ooo[best] as Range;
      seg.addSack(seqAdd(this.rcvNxt, r.start), seqAdd(this.rcvNxt, r.end));
      prevTouched = bestTouched;
      prevIndex = best;
    }
  }

  /** An ACK for an unacceptable segment, rate-limited per socket (Linux's tcp_oow_rate_limited). */
  sendOowAck(now: number, challenge: boolean): void {
    const gap = this.env.settings.tcp_invalid_ratelimit * 1000;
    if (now - this.lastOowAck < gap) {
      if (challenge) this.env.mib.TcpExt.TCPACKSkippedChallenge++;
      return;
    }
    if (challenge && this.env.challengeAckAllowed && !this.env.challengeAckAllowed(now)) return;
    this.lastOowAck = now;
    if (challenge) this.env.mib.TcpExt.TCPChallengeACK++;
    this.sendAck(now);
  }

  sendReset(now: number): void {
    const seg = this.out.clear();
    seg.flags = TCP_RST | TCP_ACK;
    seg.seq = this.sndNxt;
    seg.ack = this.rcvNxt;
    seg.window = 0;
    // Linux's tcp_send_active_reset carries the connection's timestamps.
    if (this.tsOk) {
      seg.hasTimestamp = true;
      seg.tsVal = this.tsNow(now);
      seg.tsEcr = this.tsRecent;
    }
    this.env.mib.Tcp.OutRsts++;
    this.transmit(seg, now);
  }

  transmit(seg: TcpSegment, now: number): void {
    this.segsOut++;
    this.lastSendTime = now;
    this.env.transmit(this, seg);
  }

  /** Apply the peer's SYN options (RFC 9293 §3.7.1, RFC 7323 §2.2/§3.2, RFC 2018 §2). */
  negotiate(syn: TcpSegment, weAsked: { wscale: boolean; ts: boolean; sack: boolean }): void {
    this.peerMss = syn.mss >= 0 ? syn.mss : 536;
    this.wscaleOk = weAsked.wscale && syn.wscale >= 0;
    this.sndWscale = this.wscaleOk ? Math.min(syn.wscale, 14) : 0;
    if (!this.wscaleOk) this.rcvWscale = 0;
    this.tsOk = weAsked.ts && syn.hasTimestamp;
    if (this.tsOk) this.tsRecent = syn.tsVal;
    this.sackOk = weAsked.sack && syn.sackPermitted;
    this.sndMss = Math.max(48, Math.min(this.peerMss, this.advMss) - (this.tsOk ? 12 : 0));
  }

  /** Linux's tcp_info (include/uapi/linux/tcp.h), in Linux's units. */
  info(now: number): Record<string, number> {
    const r = this.rtt;
    this.chrono.flush(now);
    const ms = (t: number) => (t > 0 ? Math.floor((now - t) / 1000) : 0);
    return {
      tcpi_state: LINUX_STATE_NUMBER[this.state],
      tcpi_ca_state: this.caState,
      tcpi_retransmits: this.retransmits,
      tcpi_probes: this.zeroWindowProbes + this.keepaliveProbes,
      tcpi_backoff: r.backoffCount,
      tcpi_options: (this.tsOk ? 1 : 0) | (this.sackOk ? 2 : 0) | (this.wscaleOk ? 4 : 0),
      tcpi_snd_wscale: this.sndWscale,
      tcpi_rcv_wscale: this.rcvWscale,
      tcpi_rto: r.rtoUs,
      tcpi_ato: 40000,
      tcpi_snd_mss: this.sndMss,
      tcpi_rcv_mss: this.advMss,
      tcpi_unacked: this.sb.packetsOut,
      tcpi_sacked: this.sb.sackedOut + this.renoSacked,
      tcpi_lost: this.sb.lostOut,
      tcpi_retrans: this.sb.retransOut,
      tcpi_last_data_sent: ms(this.lastDataSentTime),
      tcpi_last_ack_recv: ms(this.lastRecvTime),
      tcpi_last_data_recv: ms(this.lastDataRecvTime),
      tcpi_pmtu: this.advMss + 40,
      tcpi_rcv_ssthresh: this.recvBuf.capacity,
      tcpi_rtt: Math.round(r.srttUs),
      tcpi_rttvar: Math.round(r.mdevUs),
      tcpi_snd_ssthresh: this.ssthresh,
      tcpi_snd_cwnd: this.cwnd,
      tcpi_advmss: this.advMss,
      tcpi_reordering: this.reordering,
      tcpi_rcv_space: this.recvBuf.capacity,
      tcpi_total_retrans: this.totalRetrans,
      tcpi_bytes_acked: this.bytesAcked,
      tcpi_bytes_received: this.bytesReceived,
      tcpi_segs_out: this.segsOut,
      tcpi_segs_in: this.segsIn,
      tcpi_notsent_bytes: Math.max(0, this.sendBuf.length - seqSub(this.sndNxt, this.sndUna)),
      tcpi_min_rtt: r.minRttUs === Infinity ? 0 : r.minRttUs,
      tcpi_delivery_rate: this.deliveryRate.rate,
      // Linux's tcp_get_info_chrono_stats: busy time is the sum of all three chronographs.
      tcpi_busy_time: this.chrono.busyTimeUs,
      tcpi_rwnd_limited: this.chrono.rwndLimitedUs,
      tcpi_sndbuf_limited: this.chrono.sndbufLimitedUs,
      tcpi_snd_wnd: this.sndWnd,
    };
  }
}

/** The window scale for a connection: from tcp_rmem[2], or from a buffer fixed by SO_RCVBUF. */
export function initialWscale(rmemMax: number, lockedRcvBuf?: number): number {
  return chooseWscale(lockedRcvBuf !== undefined ? lockedRcvBuf : rmemMax);
}

/**
 * The window scale Linux chooses (tcp_select_initial_window): the smallest shift that lets a
 * 16-bit field describe the largest receive buffer, at most 14 (RFC 7323 §2.3).
 */
export function chooseWscale(maxSpace: number): number {
  let ws = 0;
  let space = maxSpace;
  while (space > 65535 && ws < 14) {
    space >>>= 1;
    ws++;
  }
  return ws;
}
