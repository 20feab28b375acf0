import type { Scheduler, Timer } from '../sim/scheduler.js';
import { TcpConnection, type ConnectionOptions } from '../tcp/connection.js';
import type { FourTuple, TcpConnectionLike, TcpErrno, TcpEventType } from '../tcp/env.js';
import { IsnGenerator } from '../tcp/isn.js';
import { TcpListener, type TcpListenerEnv } from '../tcp/listener.js';
import type { TcpMib } from '../tcp/mib.js';
import { seqGt } from '../tcp/seq.js';
import { siphashWords, sipKey } from '../tcp/siphash.js';
import { SynCookies } from '../tcp/syncookies.js';
import { TimeWaitConnection } from '../tcp/time-wait.js';
import type { TcpSettings } from '../tcp/settings.js';
import type { TcpTraceEvent } from '../tcp/trace.js';
import type { DropReason } from '../wire/drop-reason.js';
import type { Ipv4Header } from '../wire/ipv4-header.js';
import { TCP_ACK, TCP_SYN, TcpSegment } from '../wire/tcp-segment.js';
import { DeadlineHeap } from './deadline-heap.js';
import { EphemeralPorts } from './ephemeral-ports.js';
import { HibernatedConnection, type ConnectionOwner } from './hibernated.js';
import { StateStore } from './state-store.js';
import { TupleTable } from './tuple-table.js';

/** What the TCP layer needs from its host (kept narrow so the layer can be tested on its own). */
export interface TcpHostServices {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly settings: TcpSettings & { ip_local_port_range: [number, number] };
  readonly mib: TcpMib;
  random32(): number;
  sendTcp(src: number, dst: number, seg: TcpSegment): boolean;
  localAddressFor(dst: number): number;
  mtuFor(dst: number): number;
  isLocalAddress(addr: number): boolean;
  /** Count a segment the engine dropped (the host's drop reasons). */
  tcpDropped?(reason: DropReason): void;
}

/** An ICMP error about one of our segments. */
export interface TcpIcmpErrorInfo {
  type: number;
  code: number;
  mtu: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  seq: number;
}

export type ConnectionObserver = (ev: TcpEventType, errno?: TcpErrno) => void;
export type ListenerObserver = (ev: 'acceptable') => void;

type Timed = TcpConnection | TcpListener | TimeWaitConnection;

/** A connect() or listen() that cannot be done, with Linux's errno. */
export class TcpLayerError extends Error {
  constructor(
    readonly code: 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'ENETUNREACH' | 'EINVAL',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The host's TCP layer: demultiplexes segments to connections (by 4-tuple) and listeners (by local
 * address and port, exact before wildcard, as Linux's inet_lookup), drives every engine's timers
 * from one deadline heap and one scheduler timer, allocates ephemeral ports (RFC 6056) and ISNs
 * (RFC 6528), and passes engine events to whoever observes a connection (the socket layer).
 */
export class TcpLayer implements TcpListenerEnv {
  readonly connections: TupleTable<TcpConnection>;
  readonly listeners = new Map<number, TcpListener[]>();
  private readonly heap = new DeadlineHeap<Timed>();
  readonly scratch = new TcpSegment();
  private readonly observers = new Map<TcpConnectionLike, ConnectionObserver | ConnectionOwner>();
  private readonly listenerObservers = new Map<TcpListener, ListenerObserver>();
  private readonly ports: EphemeralPorts;
  private readonly isnGen: IsnGenerator;
  readonly cookies: SynCookies;
  private timer: Timer | null = null;
  private timerAt = Infinity;
  /**
   * Inside engine work the earliest deadline changes several times per segment (an ACK cancels
   * the retransmission timer, the data arms the delayed ACK, the reply cancels it and re-arms the
   * retransmission timer and then the loss probe), so the pending event is moved once, when the
   * work ends (leave()): to `pendingAt` (Infinity: cancelled), ranked by `pendingTicket`, the
   * scheduler's order taken at the last change, exactly as if it had moved every time.
   */
  private pendingAt = 0;
  private pendingTicket = -1;
  private pending = false;
  private running = false;
  private challengeSecond = -1;
  private challengeCount = 0;
  /** Bytes held in all connections' buffers (tcp_mem accounting) and whether under pressure. */
  memoryAllocated = 0;
  memoryPressure = false;
  /** Connections the application closed that are still finishing (Linux's orphan count). */
  private readonly orphans = new Set<TcpConnectionLike>();
  /** Connections in TIME-WAIT (bounded by tcp_max_tw_buckets with the records). */
  private readonly timeWaits = new Set<TcpConnectionLike>();
  /** TimeWaitConnection records in the table (counted only: each one is TIME-WAIT by construction). */
  private timeWaitRecords = 0;
  /**
   * Hibernation (synack's own; Linux has no such setting, its idle sockets are small already):
   * while more than this many connections are awake (not counting TIME-WAIT and orphans), an
   * owned connection that is left idle (see settle) is packed into the state store and its object
   * dropped, until a segment or a call on its descriptor wakes it, exactly as it was. Packing and
   * rebuilding cost tens of µs, so a host with few connections (the rr and connect benches run 64
   * at most) never does it. 0 packs every idle one (tests use it to prove hibernation changes
   * nothing); -1 turns it off.
   */
  hibernateAwake = 128;
  /** Reduce released TIME-WAIT connections to TimeWaitConnection records (tests turn it off to compare). */
  retireTimeWait = true;
  private hibernated = 0;
  private store: StateStore | null = null;
  /** Engine work in progress (segment input, timers, event callbacks): nothing hibernates then. */
  private depth = 0;

  constructor(private readonly host: TcpHostServices) {
    this.connections = new TupleTable(host.random32(), (h) => this.wake(h));
    const secret = new Uint8Array(32);
    for (let i = 0; i < 32; i += 4) {
      const r = host.random32();
      secret[i] = r & 255;
      secret[i + 1] = (r >>> 8) & 255;
      secret[i + 2] = (r >>> 16) & 255;
      secret[i + 3] = (r >>> 24) & 255;
    }
    this.isnGen = new IsnGenerator(secret);
    const cookieSecret = new Uint8Array(32);
    for (let i = 0; i < 32; i++) cookieSecret[i] = host.random32() & 255;
    this.cookies = new SynCookies(cookieSecret);
    // RFC 6056 §3.3.4's F and G must be keyed cryptographic hashes: like Linux, SipHash under
    // the host's 128-bit secret (shared with the ISNs, kept apart by a label and a salt). A 32-bit
    // key could be found offline from a few observed ports. The small random steps come from the
    // same keyed hash run as a counter, so they draw nothing from the host's random source.
    const salt = host.random32();
    const portKey = sipKey(secret.subarray(0, 16));
    let steps = 0;
    // F depends on the destination only: the last one's value is kept, as the timestamp offsets
    // are (a client connecting to one server over and over hashes it once).
    let lastLa = 0;
    let lastRa = 0;
    let lastRp = -1;
    let lastF = 0;
    this.ports = new EphemeralPorts(
      (la, ra, rp) => {
        if (la !== lastLa || ra !== lastRa || rp !== lastRp) {
          lastF = siphashWords(portKey, la, ra, rp, salt ^ 0x6056);
          lastLa = la;
          lastRa = ra;
          lastRp = rp;
        }
        return lastF;
      },
      () => siphashWords(portKey, salt, steps++, 0, 0x5eed),
    );
  }

  get settings(): TcpSettings {
    return this.host.settings;
  }

  get mib(): TcpMib {
    return this.host.mib;
  }

  random32(): number {
    return this.host.random32();
  }

  now(): number {
    return this.host.scheduler.now();
  }

  // --- TcpEnv / TcpListenerEnv ----------------------------------------------------------------

  transmit(conn: TcpConnectionLike, seg: TcpSegment): void {
    this.transmitFor(conn.tuple, seg);
  }

  transmitFor(tuple: FourTuple, seg: TcpSegment): void {
    seg.srcPort = tuple.localPort;
    seg.dstPort = tuple.remotePort;
    this.host.sendTcp(tuple.localAddr, tuple.remoteAddr, seg);
  }

  drop(reason: DropReason): void {
    this.host.tcpDropped?.(reason);
  }

  deadlineChanged(conn: TcpConnectionLike): void {
    this.heap.update(conn as Timed);
    this.armTimer();
  }

  /** The engine's tracer (env.trace): null until someone subscribes. */
  trace: ((conn: TcpConnectionLike, ev: TcpTraceEvent) => void) | null = null;
  private readonly tracers: ((t: number, tuple: FourTuple, ev: TcpTraceEvent) => void)[] = [];

  /**
   * Hear the engine's events (state changes, cwnd, retransmissions, RTOs) with the time and the
   * connection's 4-tuple. Returns the unsubscribe function; with no subscriber tracing is off.
   */
  subscribeTrace(fn: (t: number, tuple: FourTuple, ev: TcpTraceEvent) => void): () => void {
    this.tracers.push(fn);
    this.trace = (conn, ev) => {
      const t = this.now();
      for (const f of this.tracers) f(t, conn.tuple, ev);
    };
    return () => {
      const i = this.tracers.indexOf(fn);
      if (i >= 0) this.tracers.splice(i, 1);
      if (this.tracers.length === 0) this.trace = null;
    };
  }

  event(conn: TcpConnectionLike, ev: TcpEventType, errno?: TcpErrno): void {
    if (conn instanceof TimeWaitConnection) {
      // A record has no observer (nobody holds it) nor orphan entry: only its places to leave.
      if (ev === 'closed') {
        this.connections.delete(conn);
        this.heap.remove(conn);
        this.timeWaitRecords--;
      }
      return;
    }
    if (ev === 'closed') {
      const c = conn as TcpConnection;
      this.connections.delete(c);
      this.heap.remove(c);
      this.orphans.delete(conn);
      this.timeWaits.delete(conn);
    } else if (ev === 'time-wait') {
      this.orphans.delete(conn);
      this.enterTimeWait(conn as TcpConnection);
    }
    const o = this.observers.get(conn);
    if (ev === 'closed') this.observers.delete(conn);
    if (o === undefined) return;
    this.depth++;
    try {
      if (typeof o === 'function') o(ev, errno);
      else o.connectionEvent(ev, errno);
    } finally {
      this.leave();
    }
  }

  /**
   * RFC 5961 §7: a host-wide cap on challenge ACKs per second, tcp_challenge_ack_limit. As Linux
   * since CVE-2016-5696, each second's budget is drawn at random from [limit/2, limit*3/2): a fixed
   * budget is a shared counter an off-path attacker can read (by exhausting it and watching
   * whether its own connection still gets challenge ACKs) to learn whether a guess hit a window.
   */
  challengeAckAllowed(now: number): boolean {
    const limit = this.host.settings.tcp_challenge_ack_limit;
    if (limit >= 0x7fffffff) return true; // Linux 6.x's default: only the per-socket limit applies
    const second = Math.floor(now / 1e6);
    if (second !== this.challengeSecond) {
      this.challengeSecond = second;
      const half = (limit + 1) >>> 1;
      this.challengeCount = half + (limit > 0 ? this.host.random32() % limit : 0);
    }
    if (this.challengeCount <= 0) return false;
    this.challengeCount--;
    return true;
  }

  /** tcp_mem accounting: Linux's sk_memory_allocated, in bytes here, in pages when compared. */
  memCharge(delta: number): void {
    this.memoryAllocated += delta;
    const pages = Math.ceil(this.memoryAllocated / 4096);
    // Indexed, not destructured: this runs on every change of a connection's buffers.
    const mem = this.host.settings.tcp_mem;
    const low = mem[0];
    const pressure = mem[1];
    if (!this.memoryPressure && pages > pressure) {
      // Linux's tcp_enter_memory_pressure.
      this.memoryPressure = true;
      this.mib.TcpExt.TCPMemoryPressures++;
    } else if (this.memoryPressure && pages < low) {
      this.memoryPressure = false;
    }
  }

  underMemoryPressure(): boolean {
    return this.memoryPressure;
  }

  memoryExceeded(): boolean {
    return Math.ceil(this.memoryAllocated / 4096) > this.host.settings.tcp_mem[2];
  }

  orphaned(conn: TcpConnectionLike): void {
    this.orphans.add(conn);
  }

  tooManyOrphans(): boolean {
    return this.orphans.size > this.host.settings.tcp_max_orphans;
  }

  get orphanCount(): number {
    return this.orphans.size;
  }

  get timeWaitCount(): number {
    return this.timeWaits.size + this.timeWaitRecords;
  }

  /**
   * Linux's tcp_time_wait: past tcp_max_tw_buckets there is no TIME-WAIT, the connection simply
   * closes ("time wait bucket table overflow", TCPTimeWaitOverflow). The final ACK has gone out
   * by then, so it closes on the same instant but after the segment in hand is done with.
   */
  private enterTimeWait(c: TcpConnection): void {
    if (this.timeWaitCount < this.host.settings.tcp_max_tw_buckets) {
      this.timeWaits.add(c);
      return;
    }
    this.mib.TcpExt.TCPTimeWaitOverflow++;
    this.host.scheduler.at(this.now(), () => c.terminate(this.now(), null));
  }

  adopt(conn: TcpConnection): boolean {
    return this.addConnection(conn);
  }

  isn(t: FourTuple, now: number): number {
    return this.isnGen.isn(t.localAddr, t.localPort, t.remoteAddr, t.remotePort, now);
  }

  tsOffset(t: FourTuple): number {
    return this.isnGen.tsOffset(t.localAddr, t.remoteAddr);
  }

  /** RFC 9293 §3.7.1: MSS = the path MTU minus the fixed IP and TCP headers. */
  mssFor(remoteAddr: number): number {
    return this.host.mtuFor(remoteAddr) - 40;
  }

  listenerEvent(l: TcpListener, ev: 'acceptable'): void {
    this.listenerObservers.get(l)?.(ev);
  }

  // --- opening ----------------------------------------------------------------------------

  /** Active open (RFC 9293 §3.10.1): picks the source address and an ephemeral port, sends SYN. */
  connect(
    remoteAddr: number,
    remotePort: number,
    opts: {
      localAddr?: number;
      localPort?: number;
      observer?: ConnectionObserver;
      sndBuf?: number;
      rcvBuf?: number;
      /** TCP_MAXSEG: announce at most this MSS. */
      mss?: number;
    } = {},
  ): TcpConnection {
    const localAddr = opts.localAddr || this.host.localAddressFor(remoteAddr);
    if (!localAddr) throw new TcpLayerError('ENETUNREACH', `${this.host.name}: no route to the destination`);
    let localPort = opts.localPort ?? 0;
    if (localPort === 0) {
      localPort = this.pickEphemeralPort(localAddr, remoteAddr, remotePort);
      if (localPort < 0) {
        throw new TcpLayerError(
          'EADDRNOTAVAIL',
          `${this.host.name}: no free ephemeral port (ip_local_port_range)`,
        );
      }
    } else if (this.connections.peek(localAddr, localPort, remoteAddr, remotePort)) {
      throw new TcpLayerError('EADDRINUSE', `${this.host.name}: that 4-tuple is in use`);
    }
    const tuple = { localAddr, localPort, remoteAddr, remotePort };
    const now = this.now();
    const co: ConnectionOptions = {
      mss: opts.mss ? Math.min(opts.mss, this.mssFor(remoteAddr)) : this.mssFor(remoteAddr),
      iss: this.isn(tuple, now),
      tsOffset: this.tsOffset(tuple),
    };
    if (opts.sndBuf) co.sndBuf = opts.sndBuf;
    if (opts.rcvBuf) co.rcvBuf = opts.rcvBuf;
    const conn = new TcpConnection(this, tuple, co);
    if (opts.observer) this.observers.set(conn, opts.observer);
    this.addConnection(conn);
    conn.connect(now);
    return conn;
  }

  /** Passive open: a listener on addr:port (0 = any address). */
  listen(
    localAddr: number,
    localPort: number,
    backlog: number,
    observer?: ListenerObserver,
    buffers: { rcvBuf?: number; sndBuf?: number } = {},
  ): TcpListener {
    const list = this.listeners.get(localPort) ?? [];
    if (list.some((x) => x.localAddr === localAddr || x.localAddr === 0 || localAddr === 0)) {
      throw new TcpLayerError('EADDRINUSE', `${this.host.name}: port ${localPort} is already listening`);
    }
    const l = new TcpListener(this, localAddr, localPort, backlog, buffers);
    list.push(l);
    list.sort((a, b) => (a.localAddr === 0 ? 1 : 0) - (b.localAddr === 0 ? 1 : 0));
    this.listeners.set(localPort, list);
    if (observer) this.listenerObservers.set(l, observer);
    return l;
  }

  closeListener(l: TcpListener): void {
    l.close(this.now());
    const list = this.listeners.get(l.localPort);
    if (list) {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.listeners.delete(l.localPort);
    }
    this.heap.remove(l);
    this.listenerObservers.delete(l);
  }

  observe(conn: TcpConnectionLike, fn: ConnectionObserver | ConnectionOwner | null): void {
    if (fn) this.observers.set(conn, fn);
    else this.observers.delete(conn);
  }

  /**
   * The user is done with `conn` for good (the socket layer closed its descriptor, after close()
   * or abort()): nobody outside the host holds it, so in TIME-WAIT it may be reduced to a record.
   */
  release(conn: TcpConnection): void {
    this.observers.delete(conn);
    conn.released = true;
    this.settle(conn);
  }

  /**
   * Linux's tcp_time_wait: a connection in TIME-WAIT that nobody holds gives way to a small record
   * (TimeWaitConnection) in the tuple table, the timer heap (in the very same place, so timers come
   * due in the same order) and the TIME-WAIT count. Only when the record answers exactly as the
   * connection would (TimeWaitConnection.fits), and not when tcp_max_tw_buckets overflowed (the
   * connection is closing then).
   */
  private retire(c: TcpConnection): void {
    if (
      !this.retireTimeWait ||
      !c.released ||
      this.observers.has(c) ||
      c.heapIndex < 0 ||
      !this.timeWaits.has(c)
    )
      return;
    if (!TimeWaitConnection.fits(c)) return;
    const t = c.tuple;
    const r = new TimeWaitConnection(this, t.localAddr, t.localPort, t.remoteAddr, t.remotePort, c);
    this.connections.replace(c, r);
    this.heap.replace(c, r);
    this.timeWaits.delete(c);
    this.timeWaitRecords++;
    c.dispose();
  }

  // --- hibernation ----------------------------------------------------------------------------

  /** Connections whose state is packed away (they still count in `connections`). */
  get hibernatedCount(): number {
    return this.hibernated;
  }

  /**
   * A point where nobody is inside `conn` (the end of a segment's input, of a timer, of a socket
   * call): pack it away if hibernation is due and it is idle. Idle means nothing that needs the
   * object soon: ESTABLISHED, nothing unacknowledged, queued or out of order, no timer; and its only
   * holder is an owner (a descriptor), so nothing else keeps the object. The packing itself
   * (StateStore) refuses anything it could not rebuild exactly.
   */
  settle(conn: TcpConnection): void {
    if (this.depth > 0) return;
    if (conn.state === 'TIME-WAIT') {
      this.retire(conn);
      return;
    }
    if (conn.state === 'CLOSED') {
      // Closed and its descriptor gone: out of every table, nobody reaches it any more.
      if (conn.released && conn.heapIndex < 0 && !this.observers.has(conn)) conn.dispose();
      return;
    }
    if (this.hibernateAwake < 0) return;
    const awake = this.connections.size - this.hibernated - this.timeWaitCount - this.orphans.size;
    if (awake <= this.hibernateAwake) return;
    const owner = this.observers.get(conn);
    if (owner === undefined || typeof owner === 'function' || owner.conn !== conn) return;
    if (
      conn.state !== 'ESTABLISHED' ||
      conn.orphan ||
      conn.heapIndex >= 0 ||
      conn.nextDeadline !== Infinity ||
      conn.sndUna !== conn.sndNxt ||
      conn.sendBuf.length !== 0 ||
      conn.recvBuf.readable !== 0 ||
      conn.recvBuf.ooo.length !== 0 ||
      conn.finQueued ||
      conn.finReceived
    )
      return;
    const store = (this.store ??= new StateStore(new Set<object>([this, this.host.settings]), (t) =>
      // A blank connection to rebuild into (the constructor only reads settings and makes objects).
      t instanceof TcpConnection
        ? new TcpConnection(this, t.tuple, { mss: t.advMss, iss: 0, tsOffset: 0 })
        : null,
    ));
    const slot = store.pack(conn);
    if (slot < 0) return;
    const t = conn.tuple;
    const h = new HibernatedConnection(t.localAddr, t.localPort, t.remoteAddr, t.remotePort, slot, owner);
    this.connections.replace(conn, h);
    this.observers.delete(conn);
    owner.conn = h;
    this.hibernated++;
  }

  /** Rebuild a hibernated connection exactly as it was packed, and put it back everywhere. */
  wake(h: HibernatedConnection): TcpConnection {
    const conn = (this.store as StateStore).unpack(h.slot) as TcpConnection;
    this.connections.replace(h, conn);
    this.observers.set(conn, h.owner);
    h.owner.conn = conn;
    this.hibernated--;
    return conn;
  }

  observeListener(l: TcpListener, fn: ListenerObserver | null): void {
    if (fn) this.listenerObservers.set(l, fn);
    else this.listenerObservers.delete(l);
  }

  addConnection(conn: TcpConnection): boolean {
    if (!this.connections.add(conn)) return false;
    if (conn.nextDeadline !== Infinity) this.deadlineChanged(conn);
    return true;
  }

  findListener(localAddr: number, localPort: number): TcpListener | undefined {
    const list = this.listeners.get(localPort);
    if (!list) return undefined;
    for (const l of list) if (l.localAddr === localAddr || l.localAddr === 0) return l;
    return undefined;
  }

  pickEphemeralPort(localAddr: number, remoteAddr: number, remotePort: number): number {
    const [low, high] = this.host.settings.ip_local_port_range;
    return this.ports.pick(
      low,
      high,
      localAddr,
      remoteAddr,
      remotePort,
      (p) => !this.findListener(localAddr, p) && !this.connections.peek(localAddr, p, remoteAddr, remotePort),
    );
  }

  // --- input ------------------------------------------------------------------------------

  /** A TCP segment for a local address; false means no socket wants it (the host sends RST). */
  input(ip: Ipv4Header, seg: TcpSegment): boolean {
    const now = this.now();
    const c = this.connections.get(ip.dst, seg.dstPort, ip.src, seg.srcPort);
    if (c) {
      if (
        c.state === 'TIME-WAIT' &&
        seg.flags & TCP_SYN &&
        !(seg.flags & TCP_ACK) &&
        this.twReusable(c, seg)
      ) {
        // Linux's tcp_timewait_state_process: a new SYN beyond the old connection ends TIME-WAIT.
        if (c instanceof TimeWaitConnection) c.terminate();
        else c.terminate(now, null);
        this.mib.TcpExt.TWRecycled++;
      } else {
        this.depth++;
        try {
          c.input(seg, now);
        } finally {
          this.leave();
        }
        if (c instanceof TcpConnection) this.settle(c);
        return true;
      }
    }
    const l = this.findListener(ip.dst, seg.dstPort);
    if (l) {
      l.input(seg, ip.dst, ip.src, now);
      return true;
    }
    return false;
  }

  /** RFC 6191 / Linux: a SYN may reuse a TIME-WAIT tuple if its sequence or timestamp is newer. */
  private twReusable(c: TcpConnection | TimeWaitConnection, seg: TcpSegment): boolean {
    if (c.tsOk && seg.hasTimestamp) return seqGt(seg.tsVal, c.tsRecent);
    return seqGt(seg.seq, c.rcvNxt);
  }

  /** RFC 1122 §4.2.3.9 and RFC 1191: ICMP errors about our segments. */
  icmpError(e: TcpIcmpErrorInfo): void {
    const c = this.connections.get(e.localAddr, e.localPort, e.remoteAddr, e.remotePort);
    if (!c) return;
    if (c instanceof TimeWaitConnection) {
      // What the connection would keep of a fragmentation-needed: its MSS (its window rule reads it).
      if (e.type === 3 && e.code === 4) c.advMss = Math.min(c.advMss, Math.max(68 - 40, e.mtu - 40));
      return;
    }
    const now = this.now();
    if (e.type === 3 && e.code === 4) {
      // Fragmentation needed: shrink the segment size and resend what was lost.
      const mss = Math.max(68 - 40, e.mtu - 40);
      if (mss < c.advMss) {
        c.advMss = mss;
        c.sndMss = Math.max(48, Math.min(c.peerMss, mss) - (c.tsOk ? 12 : 0));
        c.mtuReduced(now);
      }
      return;
    }
    // Hard errors (protocol/port unreachable) abort a connection still being opened; the rest
    // are soft errors, remembered but not fatal (RFC 1122 §4.2.3.9).
    if (c.state === 'SYN-SENT' && e.type === 3 && (e.code === 2 || e.code === 3)) {
      this.mib.Tcp.AttemptFails++;
      c.terminate(now, 'ECONNREFUSED');
    } else if (c.state === 'SYN-SENT') {
      c.errno = e.type === 3 && e.code <= 1 ? 'EHOSTUNREACH' : c.errno;
    }
  }

  // --- timers -----------------------------------------------------------------------------

  private armTimer(): void {
    if (this.running) return;
    const next = this.heap.peekDeadline();
    if (next === (this.pending ? this.pendingAt : this.timerAt)) return;
    const sch = this.host.scheduler;
    if (this.depth > 0 && this.timer !== null && sch.reserve !== undefined) {
      this.pending = true;
      this.pendingAt = next;
      // A cancel takes no place in the order; a move takes the next one, here.
      if (next !== Infinity) this.pendingTicket = sch.reserve();
      return;
    }
    // Every ACK moves the retransmission deadline: move the pending event rather than make another.
    if (this.timer && next !== Infinity && sch.move?.(this.timer, next)) {
      this.timerAt = next;
      return;
    }
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = next;
    if (next !== Infinity) this.timer = sch.at(next, this.fire);
  }

  /** The end of a piece of engine work: the timer moves (or is cancelled) once, see `pending`. */
  private leave(): void {
    if (--this.depth > 0 || !this.pending) return;
    this.pending = false;
    const at = this.pendingAt;
    const timer = this.timer as Timer;
    if (at !== Infinity && this.host.scheduler.moveReserved?.(timer, at, this.pendingTicket)) {
      this.timerAt = at;
      return;
    }
    // Cancelled, or (never in practice) the scheduler would not move it: a new event, ranked now.
    timer.cancel();
    this.timer = null;
    this.timerAt = at;
    if (at !== Infinity) this.timer = this.host.scheduler.at(at, this.fire);
  }

  /** The entries due in one firing (reused: fire() never runs inside itself). */
  private readonly due: Timed[] = [];

  private readonly fire = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.running = true;
    try {
      const now = this.now();
      const due = this.due;
      for (let e = this.heap.popDue(now); e; e = this.heap.popDue(now)) due.push(e);
      this.depth++;
      try {
        for (let i = 0; i < due.length; i++) {
          const e = due[i] as Timed;
          e.onTimer(now);
          if (e.heapIndex < 0 && e.nextDeadline !== Infinity) this.heap.update(e);
        }
      } finally {
        this.depth--;
      }
      for (let i = 0; i < due.length; i++) {
        const e = due[i];
        if (e instanceof TcpConnection) this.settle(e);
      }
    } finally {
      this.running = false;
      this.due.length = 0;
    }
    this.armTimer();
  };

  /** Connections, TIME-WAIT records and listeners, for ss-like tables and tests. */
  *sockets(): IterableIterator<TcpConnection | TcpListener | TimeWaitConnection> {
    for (const list of this.listeners.values()) yield* list;
    yield* this.connections.entries();
  }
}
