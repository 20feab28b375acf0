import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from '../wire/tcp-segment.js';
import type { TcpConnection } from './connection.js';
import type { TcpEnv } from './env.js';
import { PackedTuple } from './packed-tuple.js';
import { countWindowAdv, selectWindow } from './rcv-window.js';
import { seqAdd, seqGt, seqLt } from './seq.js';

const TS_OK = 1;
const REPORTED = 2;
const CLOSED = 4;

/**
 * A connection in TIME-WAIT that nobody holds any more (its descriptor is closed), reduced to what
 * TIME-WAIT needs, as Linux replaces the socket with an inet_timewait_sock (tcp_time_wait in
 * tcp_minisocks.c): the 4-tuple, SND.NXT and RCV.NXT, the timestamps, the window it offers, and
 * the 2MSL deadline. A full connection kept for 60 s per closed connection cost the connect
 * benchmark a third of its CPU in garbage collection (each one outlived the young generation).
 *
 * It answers segments exactly as TcpConnection does in TIME-WAIT (input.ts, timeWait, with the
 * PAWS check before it; RFC 9293 §3.10.7.4), and its ACKs are the ones TcpConnection.sendAck would
 * build: the host only makes one from a connection that has nothing more to send or read, no
 * timer but the 2MSL one and no duplicate to report (TcpLayer), so these few fields are all the
 * engine would still read. Like a HibernatedConnection it is its own 4-tuple.
 */
export class TimeWaitConnection extends PackedTuple {
  heapIndex = -1;
  /** The 2MSL expiry (µs). */
  nextDeadline: number;
  private bits: number;
  private readonly sndNxt: number;
  readonly rcvNxt: number;
  tsRecent: number;
  private readonly tsOffset: number;
  /** What advertisableWindow reads: the (empty) receive buffer's size, our MSS, the scale. */
  private readonly rcvSpace: number;
  advMss: number;
  private readonly rcvWscale: number;
  private rcvWnd: number;
  private rcvAdvRight: number;
  private lastOowAck: number;

  constructor(
    private readonly env: TcpEnv,
    localAddr: number,
    localPort: number,
    remoteAddr: number,
    remotePort: number,
    c: TcpConnection,
  ) {
    super(localAddr, localPort, remoteAddr, remotePort);
    this.bits = (c.tsOk ? TS_OK : 0) | (c.reported ? REPORTED : 0);
    this.nextDeadline = c.nextDeadline;
    this.sndNxt = c.sndNxt;
    this.rcvNxt = c.rcvNxt;
    this.tsRecent = c.tsRecent;
    this.tsOffset = c.tsOffset;
    this.rcvSpace = c.recvBuf.capacity;
    this.advMss = c.advMss;
    this.rcvWscale = c.rcvWscale;
    this.rcvWnd = c.rcvWnd;
    this.rcvAdvRight = c.rcvAdvRight;
    this.lastOowAck = c.lastOowAck;
  }

  /**
   * Whether `c` can be replaced by a record without any difference: TIME-WAIT, its 2MSL timer the
   * only one, nothing queued, unread, out of order, charged to tcp_mem, and no DSACK pending.
   */
  static fits(c: TcpConnection): boolean {
    const t = c.timers;
    return (
      c.state === 'TIME-WAIT' &&
      t.rto === Infinity &&
      t.delack === Infinity &&
      t.keepalive === Infinity &&
      t.close !== Infinity &&
      c.nextDeadline === t.close &&
      !c.dsackPending &&
      c.sendBuf.length === 0 &&
      c.recvBuf.readable === 0 &&
      c.recvBuf.ooo.length === 0 &&
      c.memCharged === 0
    );
  }

  get tsOk(): boolean {
    return (this.bits & TS_OK) !== 0;
  }

  /** A segment for this 4-tuple: TcpConnection.input → synchronized → timeWait, for TIME-WAIT. */
  input(seg: TcpSegment, now: number): void {
    if (this.bits & CLOSED) {
      this.env.drop?.('tcp-close');
      return;
    }
    const f = seg.flags;
    // RFC 7323 §5.3: PAWS — a timestamp older than TS.Recent marks an old duplicate.
    if (this.bits & TS_OK && seg.hasTimestamp && !(f & TCP_RST) && seqLt(seg.tsVal, this.tsRecent)) {
      this.env.mib.TcpExt.PAWSEstab++;
      this.sendOowAck(now);
      this.env.drop?.('tcp-rfc7323-paws');
      return;
    }
    const s = this.env.settings;
    if (f & TCP_RST) {
      this.env.drop?.('tcp-reset');
      if (s.tcp_rfc1337) return;
      if (seg.seq === this.rcvNxt) {
        this.env.mib.TcpExt.TWKilled++;
        this.terminate();
      }
      return;
    }
    if (f & TCP_FIN && seqAdd(seg.seq, seg.payload.length + 1) === this.rcvNxt) {
      this.sendAck(now);
      this.armClose(now + s.tcp_tw_timeout * 1e6);
      return;
    }
    this.env.drop?.('tcp-close');
    if (f & TCP_SYN) return; // the host's demux decides about new SYNs for a TIME-WAIT tuple
    if (seg.seq === this.rcvNxt && seg.payload.length === 0 && !(f & TCP_FIN)) {
      if (this.bits & TS_OK && seg.hasTimestamp) this.tsRecent = seg.tsVal;
      this.armClose(now + s.tcp_tw_timeout * 1e6);
      return;
    }
    this.sendOowAck(now);
  }

  /** The 2MSL timer: TIME-WAIT is over (TcpTimers.fire). */
  onTimer(now: number): void {
    if (this.nextDeadline > now) return;
    this.env.mib.TcpExt.TW++;
    this.terminate();
  }

  /** TcpConnection.terminate from TIME-WAIT with no error: CLOSED, no timer, forgotten. */
  terminate(): void {
    if (this.bits & CLOSED) return;
    this.env.trace?.(this, { type: 'state', from: 'TIME-WAIT', to: 'CLOSED' });
    this.bits |= CLOSED;
    this.env.event(this, 'state');
    this.nextDeadline = Infinity;
    this.env.deadlineChanged(this);
    this.env.event(this, 'closed');
  }

  get state(): 'TIME-WAIT' | 'CLOSED' {
    return this.bits & CLOSED ? 'CLOSED' : 'TIME-WAIT';
  }

  private armClose(at: number): void {
    if (at === this.nextDeadline) return;
    this.nextDeadline = at;
    this.env.deadlineChanged(this);
  }

  /** TcpConnection.sendOowAck (never a challenge ACK here): rate-limited per tcp_invalid_ratelimit. */
  private sendOowAck(now: number): void {
    if (now - this.lastOowAck < this.env.settings.tcp_invalid_ratelimit * 1000) return;
    this.lastOowAck = now;
    this.sendAck(now);
  }

  /** TcpConnection.advertisableWindow with an empty receive buffer. */
  private window(): number {
    const space = this.rcvSpace;
    return selectWindow(this.env, space, space, this.advMss, this.rcvAdvRight, this.rcvNxt, this.rcvWscale);
  }

  /** TcpConnection.sendAck → fillAck → addSackBlocks (nothing to report) → transmit. */
  private sendAck(now: number): void {
    const seg = this.env.scratch.clear();
    seg.seq = this.sndNxt;
    seg.flags |= TCP_ACK;
    seg.ack = this.rcvNxt;
    const shift = this.rcvWscale;
    let field = Math.floor(this.window() / (1 << shift));
    if (field > 65535) field = 65535;
    seg.window = field;
    const adv = field * (1 << shift);
    countWindowAdv(this.env, this.rcvWnd, adv, (this.bits & REPORTED) !== 0);
    this.rcvWnd = adv;
    const right = seqAdd(this.rcvNxt, adv);
    if (seqGt(right, this.rcvAdvRight)) this.rcvAdvRight = right;
    if (this.bits & TS_OK) {
      seg.hasTimestamp = true;
      seg.tsVal = (Math.floor(now / 1000) + this.tsOffset) >>> 0;
      seg.tsEcr = this.tsRecent;
    }
    this.env.transmit(this, seg);
  }
}
