import type { Host } from '../host/host.js';
import { TcpLayerError } from '../host/tcp-layer.js';
import { createCongestionControl } from '../tcp/cc/index.js';
import type { TcpConnection } from '../tcp/connection.js';
import { HibernatedConnection, type ConnectionOwner } from '../host/hibernated.js';
import type { TcpErrno, TcpEventType } from '../tcp/env.js';
import type { TcpListener } from '../tcp/listener.js';
import { formatIpv4, ipv4 } from '../wire/ipv4-addr.js';
import {
  F_GETFL,
  F_SETFL,
  IPPROTO_TCP,
  MSG_EOR,
  MSG_MORE,
  O_NONBLOCK,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLRDHUP,
  RMEM_MAX,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SIOCINQ,
  SIOCOUTQ,
  SOCK_MIN_RCVBUF,
  SOCK_MIN_SNDBUF,
  SOCKET_OPTIONS,
  SOL_SOCKET,
  TCP_OPTIONS,
  WMEM_MAX,
  type SocketOptionName,
  type TcpOptionName,
} from './constants.js';
import { SocketError, wouldBlock, type ErrnoName } from './errno.js';

export type OptionValue =
  number | string | boolean | { onoff: number; linger: number } | Record<string, number>;

type SockState = 'unbound' | 'bound' | 'listening' | 'connecting' | 'connected' | 'closed';

interface SockOpts {
  reuseaddr: boolean;
  reuseport: boolean;
  keepalive: boolean;
  /** Replaced, never changed in place (so sockets may share it). */
  linger: Readonly<{ onoff: number; linger: number }>;
  sndbuf: number;
  rcvbuf: number;
  nodelay: boolean;
  cork: boolean;
  maxseg: number;
  keepidle: number;
  keepintvl: number;
  keepcnt: number;
  userTimeout: number;
  congestion: string;
}

/**
 * Every option at its default. Most sockets never set one, and an accepted socket starts with its
 * listener's, so sockets share one record until one of them writes (copy on write): an idle
 * connection's descriptor costs no options of its own.
 */
const DEFAULT_OPTS: Readonly<SockOpts> = Object.freeze({
  reuseaddr: false,
  reuseport: false,
  keepalive: false,
  linger: Object.freeze({ onoff: 0, linger: 0 }),
  sndbuf: 0,
  rcvbuf: 0,
  nodelay: false,
  cork: false,
  maxseg: 0,
  keepidle: 0,
  keepintvl: 0,
  keepcnt: 0,
  userTimeout: 0,
  congestion: '',
});

/**
 * One file descriptor's socket: what the calls below act on. It is its connection's owner (the
 * only holder, hearing its events), so the TCP layer may hibernate the connection while idle:
 * `conn` is then a HibernatedConnection, and Sockets.live wakes it before any use.
 */
/**
 * The key of a wake-up that may be about anything (a state change, an error): every poll event.
 * Data and send space wake with POLLIN or POLLOUT alone, as Linux's sk_data_ready and
 * sk_write_space pass EPOLLIN or EPOLLOUT to the waiters they wake.
 */
const WAKE_ALL = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP;

const STATES: readonly SockState[] = ['unbound', 'bound', 'listening', 'connecting', 'connected', 'closed'];
const STATE_MASK = 7;
const NONBLOCK = 8;
const READ_SHUT = 16;
const WRITE_SHUT = 32;
const OWN_OPTS = 64;
/** The endpoint field holds the listener (else the connection, or nothing). */
const LISTENER = 128;
/**
 * Linux's SOCK_NOSPACE: a write found no room (or poll found no POLLOUT), so someone waits for
 * send space. Only then does send space wake the socket's watchers (sk_stream_write_space wakes
 * writers only with it set); every ACK of new data brings send space.
 */
const NOSPACE = 256;

/**
 * A descriptor's socket. An idle connection is mostly this object (its connection is packed in the
 * host's StateStore), so it keeps few fields: the state and the flags share one small integer,
 * both ports another, the connection and the listener (never both) one field, and the waiters
 * and watchers one record made on first use; the accessors keep the old names. 9 fields rather
 * than 16: 96 bytes rather than 152 per descriptor, 112 per idle connection with both ends here.
 */
class Socket implements ConnectionOwner {
  constructor(private readonly sockets: Sockets) {}
  private bits = 0;
  localAddr = 0;
  remoteAddr = 0;
  /** localPort << 16 | remotePort. */
  private ports = 0;
  private endpoint: TcpConnection | HibernatedConnection | TcpListener | null = null;
  /** SO_ERROR: the pending asynchronous error, reported once. */
  error: ErrnoName | null = null;
  /** The options set on this socket; shared (and frozen) until written, see writableOpts. */
  opts: Readonly<SockOpts> = DEFAULT_OPTS;
  /** Promises of wait() and callbacks of watch(); null until there is one. */
  private waiting: { waiters: (() => void)[] | null; watchers: ((key: number) => void)[] | null } | null =
    null;

  get state(): SockState {
    return STATES[this.bits & STATE_MASK] as SockState;
  }
  set state(v: SockState) {
    this.bits = (this.bits & ~STATE_MASK) | STATES.indexOf(v);
  }
  private flag(f: number, on: boolean): void {
    this.bits = on ? this.bits | f : this.bits & ~f;
  }
  get nonblock(): boolean {
    return (this.bits & NONBLOCK) !== 0;
  }
  set nonblock(v: boolean) {
    this.flag(NONBLOCK, v);
  }
  get readShut(): boolean {
    return (this.bits & READ_SHUT) !== 0;
  }
  set readShut(v: boolean) {
    this.flag(READ_SHUT, v);
  }
  get writeShut(): boolean {
    return (this.bits & WRITE_SHUT) !== 0;
  }
  set writeShut(v: boolean) {
    this.flag(WRITE_SHUT, v);
  }
  get nospace(): boolean {
    return (this.bits & NOSPACE) !== 0;
  }
  set nospace(v: boolean) {
    this.flag(NOSPACE, v);
  }
  get ownOpts(): boolean {
    return (this.bits & OWN_OPTS) !== 0;
  }
  set ownOpts(v: boolean) {
    this.flag(OWN_OPTS, v);
  }
  get localPort(): number {
    return this.ports >>> 16;
  }
  set localPort(v: number) {
    this.ports = (v << 16) | (this.ports & 0xffff);
  }
  get remotePort(): number {
    return this.ports & 0xffff;
  }
  set remotePort(v: number) {
    this.ports = (this.ports & ~0xffff) | v;
  }
  get conn(): TcpConnection | HibernatedConnection | null {
    return this.bits & LISTENER ? null : (this.endpoint as TcpConnection | HibernatedConnection | null);
  }
  set conn(c: TcpConnection | HibernatedConnection | null) {
    if (c || !(this.bits & LISTENER)) this.endpoint = c;
    if (c) this.bits &= ~LISTENER;
  }
  get listener(): TcpListener | null {
    return this.bits & LISTENER ? (this.endpoint as TcpListener) : null;
  }
  set listener(l: TcpListener | null) {
    if (l || this.bits & LISTENER) this.endpoint = l;
    this.flag(LISTENER, l !== null);
  }
  get waiters(): (() => void)[] | null {
    return this.waiting?.waiters ?? null;
  }
  set waiters(w: (() => void)[] | null) {
    if (this.waiting) this.waiting.waiters = w;
    else if (w) this.waiting = { waiters: w, watchers: null };
  }
  get watchers(): ((key: number) => void)[] | null {
    return this.waiting?.watchers ?? null;
  }
  set watchers(w: ((key: number) => void)[] | null) {
    if (this.waiting) this.waiting.watchers = w;
    else if (w) this.waiting = { waiters: null, watchers: w };
  }

  connectionEvent(ev: TcpEventType, errno?: TcpErrno): void {
    if (ev === 'established' && this.state === 'connecting') this.state = 'connected';
    if (ev === 'error' && errno) this.error = errno;
    if (ev === 'closed' && this.state === 'connecting') this.state = 'closed';
    if (ev === 'writable') {
      // Send space wakes only a writer that waits for it (NOSPACE) or a pending wait().
      if (!this.nospace && this.waiters === null) return;
      this.nospace = false;
      this.sockets.connectionChanged(this, POLLOUT);
      return;
    }
    this.sockets.connectionChanged(this, ev === 'readable' ? POLLIN : WAKE_ALL);
  }
}

/**
 * BSD sockets on a synack host, with Linux's semantics and errno names: socket, bind, listen,
 * accept, connect, read/recv, write/send, shutdown, close, setsockopt/getsockopt, fcntl, ioctl,
 * poll. Every call returns at once: where Linux would block, a non-blocking call fails with
 * EAGAIN or EINPROGRESS, and `wait()` (or the *Async variants) resolve when the socket is ready,
 * as time passes in the host's scheduler.
 */
/** The socket's own options record, copied from the shared one on the first write. */
function writableOpts(s: Socket): SockOpts {
  if (!s.ownOpts) {
    s.opts = { ...s.opts };
    s.ownOpts = true;
  }
  return s.opts as SockOpts;
}

export class Sockets {
  private readonly table = new Map<number, Socket>();
  private nextFd = 3;
  /**
   * Whether the last tryReadChunk that handed over bytes left the socket drained: nothing more
   * readable, no end of stream and no error pending, so the same read would now return -1
   * (EAGAIN) until the connection's next event. A reader may stop there without asking again.
   */
  drained = false;

  constructor(readonly host: Host) {}

  private now(): number {
    return this.host.tcp.now();
  }

  private get(fd: number, call: string): Socket {
    const s = this.table.get(fd);
    if (!s) throw new SocketError('EBADF', call, `fd ${fd} is not an open socket`);
    return s;
  }

  /** socket(AF_INET, SOCK_STREAM, 0). */
  socket(domain = 2, type = 1, protocol = 0): number {
    if (domain !== 2) throw new SocketError('EAFNOSUPPORT', 'socket', 'only AF_INET (2) is supported');
    if ((type & 0xf) !== 1)
      throw new SocketError('EPROTONOSUPPORT', 'socket', 'only SOCK_STREAM (1) is supported');
    if (protocol !== 0 && protocol !== IPPROTO_TCP) throw new SocketError('EPROTONOSUPPORT', 'socket');
    const fd = this.nextFd++;
    const s = new Socket(this);
    // SOCK_NONBLOCK (04000) may be or-ed into the type, as on Linux.
    s.nonblock = (type & O_NONBLOCK) !== 0;
    this.table.set(fd, s);
    return fd;
  }

  bind(fd: number, addr: string | number, port: number): void {
    const s = this.get(fd, 'bind');
    if (s.state !== 'unbound') throw new SocketError('EINVAL', 'bind', 'the socket is already bound');
    const a = typeof addr === 'number' ? addr : ipv4(addr);
    if (a !== 0 && !this.host.interfaces.some((i) => i.addr === a)) {
      throw new SocketError(
        'EADDRNOTAVAIL',
        'bind',
        `${formatIpv4(a)} is not an address of ${this.host.name}`,
      );
    }
    if (port !== 0 && this.portInUse(s, a, port)) {
      throw new SocketError(
        'EADDRINUSE',
        'bind',
        `port ${port} is in use (SO_REUSEADDR allows rebinding after close)`,
      );
    }
    s.localAddr = a;
    s.localPort = port;
    s.state = 'bound';
  }

  /** Linux's inet_csk_bind_conflict, simplified: same port, overlapping address, not both reusable. */
  private portInUse(me: Socket, addr: number, port: number): boolean {
    for (const o of this.table.values()) {
      if (o === me || o.localPort !== port || o.state === 'closed' || o.state === 'unbound') continue;
      if (o.localAddr !== 0 && addr !== 0 && o.localAddr !== addr) continue;
      if (me.opts.reuseport && o.opts.reuseport) continue;
      if (me.opts.reuseaddr && o.opts.reuseaddr && o.state !== 'listening') continue;
      return true;
    }
    // Connections in TIME-WAIT or orphaned on this port block a bind without SO_REUSEADDR.
    if (!me.opts.reuseaddr) {
      for (const t of this.host.tcp.connections.tuples()) {
        if (t.localPort === port && (addr === 0 || t.localAddr === addr)) return true;
      }
    }
    return false;
  }

  listen(fd: number, backlog = 128): void {
    const s = this.get(fd, 'listen');
    if (s.state === 'listening') return;
    if (s.state !== 'unbound' && s.state !== 'bound')
      throw new SocketError('EINVAL', 'listen', `socket is ${s.state}`);
    if (s.localPort === 0) s.localPort = this.ephemeralPort(s, 'listen');
    try {
      s.listener = this.host.tcp.listen(s.localAddr, s.localPort, backlog, () => this.wake(s), {
        ...(s.opts.rcvbuf ? { rcvBuf: s.opts.rcvbuf } : {}),
        ...(s.opts.sndbuf ? { sndBuf: 2 * s.opts.sndbuf } : {}),
      });
    } catch (e) {
      throw this.convert(e, 'listen');
    }
    s.state = 'listening';
  }

  private ephemeralPort(s: Socket, call: string): number {
    const [lo, hi] = this.host.settings.ip_local_port_range;
    for (let i = 0; i <= hi - lo; i++) {
      const p = lo + ((this.host.random32() >>> 0) % (hi - lo + 1));
      if (!this.portInUse(s, s.localAddr, p)) return p;
    }
    throw new SocketError('EADDRINUSE', call, 'no free port in ip_local_port_range');
  }

  /** accept(): the next established connection, or EAGAIN when none is waiting. */
  accept(fd: number): { fd: number; addr: string; port: number } {
    const nfd = this.tryAccept(fd);
    if (nfd < 0) throw wouldBlock('EAGAIN', 'accept', 'no connection is waiting');
    const n = this.table.get(nfd) as Socket;
    return { fd: nfd, addr: formatIpv4(n.remoteAddr), port: n.remotePort };
  }

  /**
   * accept() that reports EAGAIN by returning -1 and gives only the new descriptor: the `net`
   * drop-in drains the queue until it is empty and asks for the peer's address itself, so it
   * would otherwise poll first and have an address formatted twice per connection.
   */
  tryAccept(fd: number): number {
    const s = this.get(fd, 'accept');
    if (s.state !== 'listening' || !s.listener)
      throw new SocketError('EINVAL', 'accept', 'the socket is not listening');
    const c = s.listener.accept();
    if (!c) return -1;
    const nfd = this.nextFd++;
    const n = new Socket(this);
    // Accepted sockets inherit the listener's options, as on Linux.
    n.opts = s.opts;
    s.ownOpts = false;
    n.state = 'connected';
    n.conn = c;
    n.localAddr = c.tuple.localAddr;
    n.localPort = c.tuple.localPort;
    n.remoteAddr = c.tuple.remoteAddr;
    n.remotePort = c.tuple.remotePort;
    this.table.set(nfd, n);
    this.attach(n, c);
    this.applyOptions(n);
    this.host.tcp.settle(c);
    return nfd;
  }

  /** connect(): starts the handshake; EINPROGRESS until it completes (poll for POLLOUT). */
  connect(fd: number, addr: string | number, port: number): void {
    if (this.tryConnect(fd, addr, port) < 0)
      throw wouldBlock('EINPROGRESS', 'connect', 'the handshake is under way; poll for POLLOUT');
  }

  /**
   * connect() that reports EINPROGRESS by returning -1 (0 when already connected) rather than
   * throwing: a non-blocking connect always starts that way, so the `net` drop-in would otherwise
   * build an error object for every connection. Every other error still throws.
   */
  tryConnect(fd: number, addr: string | number, port: number): number {
    const s = this.get(fd, 'connect');
    if (s.state === 'connecting')
      throw new SocketError('EALREADY', 'connect', 'a connection attempt is under way');
    if (s.state === 'connected') {
      if (this.live(s)?.state === 'CLOSED' && s.error) throw this.takeError(s, 'connect');
      throw new SocketError('EISCONN', 'connect');
    }
    if (s.state === 'listening') throw new SocketError('EISCONN', 'connect', 'the socket is listening');
    if (s.state === 'closed') {
      if (s.error) throw this.takeError(s, 'connect');
      throw new SocketError('EBADF', 'connect');
    }
    const a = typeof addr === 'number' ? addr : ipv4(addr);
    let c: TcpConnection;
    try {
      // One options object with only what is set (no spreads of little objects per connect).
      const o: { localAddr?: number; localPort?: number; sndBuf?: number; rcvBuf?: number; mss?: number } =
        {};
      if (s.localAddr) o.localAddr = s.localAddr;
      if (s.localPort) o.localPort = s.localPort;
      if (s.opts.sndbuf) o.sndBuf = s.opts.sndbuf;
      if (s.opts.rcvbuf) o.rcvBuf = s.opts.rcvbuf;
      if (s.opts.maxseg) o.mss = s.opts.maxseg;
      c = this.host.tcp.connect(a, port, o);
    } catch (e) {
      throw this.convert(e, 'connect');
    }
    s.conn = c;
    s.localAddr = c.tuple.localAddr;
    s.localPort = c.tuple.localPort;
    s.remoteAddr = a;
    s.remotePort = port;
    s.state = 'connecting';
    this.attach(s, c);
    this.applyOptions(s);
    if (c.state === 'ESTABLISHED') {
      s.state = 'connected';
      return 0;
    }
    return -1;
  }

  private attach(s: Socket, c: TcpConnection): void {
    this.host.tcp.observe(c, s);
  }

  /** The socket's connection, woken first if the TCP layer hibernated it. */
  private live(s: Socket): TcpConnection | null {
    const c = s.conn;
    return c instanceof HibernatedConnection ? this.host.tcp.wake(c) : c;
  }

  /** The connection's event (Socket.connectionEvent) changed what waiters may see (`key`). */
  connectionChanged(s: Socket, key: number): void {
    this.wake(s, key);
  }

  private applyOptions(s: Socket): void {
    const c = this.live(s);
    if (!c) return;
    const now = this.now();
    const o = s.opts;
    if (c.opts.nodelay !== o.nodelay) c.setNoDelay(o.nodelay, now);
    if (c.opts.cork !== o.cork) c.setCork(o.cork, now);
    if (o.keepalive || o.keepidle || o.keepintvl || o.keepcnt)
      c.setKeepAlive(o.keepalive, now, o.keepidle, o.keepintvl, o.keepcnt);
    if (o.userTimeout) c.setUserTimeout(o.userTimeout, now);
    if (o.congestion) c.setCongestionControl(o.congestion);
    if (o.sndbuf) {
      // sk_sndbuf is twice the value set; the queue is charged per skb at its truesize
      // (sk_wmem_queued, src/tcp/skb-queue.ts).
      c.sendBuf.capacity = 2 * o.sndbuf;
      c.autotune.sndLocked = true;
    }
    if (o.rcvbuf) {
      c.recvBuf.capacity = o.rcvbuf;
      c.autotune.rcvLocked = true;
    }
  }

  private takeError(s: Socket, call: string): SocketError {
    const e = s.error ?? 'ENOTCONN';
    s.error = null;
    return new SocketError(e, call);
  }

  /** The connection a read on `s` reads from; ENOTCONN when it has none. */
  private readConn(s: Socket): TcpConnection {
    const c = this.live(s);
    if (s.state === 'listening' || s.state === 'unbound' || s.state === 'bound' || !c) {
      throw new SocketError('ENOTCONN', 'read');
    }
    return c;
  }

  /** A read that found nothing readable: the pending error, 0 at end of stream, else -1 (EAGAIN). */
  private readNothing(s: Socket, c: TcpConnection): number {
    if (s.error) throw this.takeError(s, 'read');
    if (c.eof || c.state === 'CLOSED' || c.state === 'TIME-WAIT') return 0;
    return -1;
  }

  /** read()/recv(): bytes copied, 0 at end of stream; EAGAIN when nothing is there yet. */
  read(fd: number, buf: Uint8Array, flags = 0): number {
    const n = this.tryRead(fd, buf, flags);
    if (n < 0) throw wouldBlock('EAGAIN', 'read', 'no data yet');
    return n;
  }

  /**
   * read() that reports EAGAIN as C does, by returning -1 rather than throwing: for event loops
   * that read until the socket is drained, where "nothing more" is the normal end of every turn.
   * Every other error still throws.
   */
  tryRead(fd: number, buf: Uint8Array, flags = 0): number {
    void flags;
    const s = this.get(fd, 'read');
    const c = this.readConn(s);
    if (s.readShut) return 0;
    if (c.readableBytes > 0) {
      const n = c.readInto(buf, this.now());
      this.host.tcp.settle(c);
      return n;
    }
    return this.readNothing(s, c);
  }

  /**
   * tryRead that hands over the bytes instead of copying them into the caller's buffer: up to
   * `max` bytes as an array the caller owns from then on (a received segment itself when it holds
   * them all, else a copy into `alloc(n)`, which returns n bytes), or 0 at end of stream, or -1
   * for EAGAIN. The same read as tryRead into a buffer of the size waiting, without asking it first.
   */
  tryReadChunk(fd: number, max: number, alloc: (n: number) => Uint8Array): Uint8Array | number {
    const s = this.get(fd, 'read');
    const c = this.readConn(s);
    if (s.readShut) return 0;
    if (c.readableBytes > 0) {
      const chunk = c.readChunk(max, alloc, this.now()) as Uint8Array;
      // What the next call would test, in its order (eof: FIN received and nothing readable).
      this.drained =
        c.readableBytes === 0 &&
        s.error === null &&
        !c.finReceived &&
        c.state !== 'CLOSED' &&
        c.state !== 'TIME-WAIT';
      this.host.tcp.settle(c);
      return chunk;
    }
    return this.readNothing(s, c);
  }

  recv(fd: number, buf: Uint8Array, flags = 0): number {
    return this.read(fd, buf, flags);
  }

  /** write()/send(): bytes queued (possibly fewer than given); EAGAIN when the send buffer is full. */
  write(fd: number, data: Uint8Array, flags = 0): number {
    const n = this.tryWrite(fd, data, flags);
    if (n >= 0) return n;
    const s = this.get(fd, 'write');
    throw new SocketError(
      'EAGAIN',
      'write',
      s.state === 'connecting' ? 'still connecting' : 'the send buffer is full',
    );
  }

  /** write() that reports EAGAIN by returning -1, as C does (see tryRead). */
  tryWrite(fd: number, data: Uint8Array, flags = 0): number {
    const s = this.get(fd, 'write');
    const c = this.live(s);
    if (s.error) throw this.takeError(s, 'write');
    if (!c || s.state === 'unbound' || s.state === 'bound' || s.state === 'listening') {
      throw new SocketError('EPIPE', 'write', 'the socket is not connected');
    }
    if (s.writeShut || c.finQueued || c.state === 'CLOSED')
      throw new SocketError('EPIPE', 'write', 'the sending side is closed');
    if (s.state === 'connecting') {
      s.nospace = true;
      return -1;
    }
    if (data.length === 0) return 0;
    const n = c.send(data, this.now(), (flags & MSG_MORE) !== 0, (flags & MSG_EOR) !== 0);
    // A short write leaves the writer waiting for space (Linux's sk_stream_wait_memory sets
    // SOCK_NOSPACE); a full one does not.
    s.nospace = n < data.length;
    this.host.tcp.settle(c);
    return n === 0 ? -1 : n;
  }

  send(fd: number, data: Uint8Array, flags = 0): number {
    return this.write(fd, data, flags);
  }

  shutdown(fd: number, how: number): void {
    const s = this.get(fd, 'shutdown');
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new SocketError('EINVAL', 'shutdown');
    const c = this.live(s);
    if (!c || (s.state !== 'connected' && s.state !== 'connecting'))
      throw new SocketError('ENOTCONN', 'shutdown');
    if (how !== SHUT_WR) s.readShut = true;
    if (how !== SHUT_RD) {
      s.writeShut = true;
      c.shutdownWrite(this.now());
    }
    this.wake(s);
  }

  close(fd: number): void {
    const s = this.get(fd, 'close');
    this.table.delete(fd);
    const now = this.now();
    if (s.listener) this.host.tcp.closeListener(s.listener);
    const c = this.live(s);
    if (c) {
      this.host.tcp.observe(c, null);
      // SO_LINGER with a zero timeout: an abortive close (RST), as RFC 9293 §3.10.5 ABORT.
      if (s.opts.linger.onoff && s.opts.linger.linger === 0) c.abort(now);
      else c.close(now);
      this.host.tcp.release(c);
    }
    s.state = 'closed';
    this.wake(s);
  }

  fcntl(fd: number, cmd: number, arg = 0): number {
    const s = this.get(fd, 'fcntl');
    if (cmd === F_GETFL) return O_RDWR | (s.nonblock ? O_NONBLOCK : 0);
    if (cmd === F_SETFL) {
      s.nonblock = (arg & O_NONBLOCK) !== 0;
      return 0;
    }
    throw new SocketError('EINVAL', 'fcntl', `command ${cmd} is not supported`);
  }

  ioctl(fd: number, request: number): number {
    const s = this.get(fd, 'ioctl');
    const c = this.live(s);
    if (request === SIOCINQ) {
      if (s.state === 'listening') throw new SocketError('EINVAL', 'ioctl');
      return c ? c.readableBytes : 0;
    }
    if (request === SIOCOUTQ) {
      if (s.state === 'listening') throw new SocketError('EINVAL', 'ioctl');
      return c ? c.sendBuf.length : 0;
    }
    throw new SocketError('EINVAL', 'ioctl', `request ${request} is not supported`);
  }

  setsockopt(fd: number, level: number | string, name: number | string, value: OptionValue): void {
    const s = this.get(fd, 'setsockopt');
    const opt = this.optionName(level, name, 'setsockopt');
    const num = typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'number' ? value : NaN;
    const need = () => {
      if (Number.isNaN(num)) throw new SocketError('EINVAL', 'setsockopt', `${opt} takes a number`);
      return num;
    };
    const o = writableOpts(s);
    switch (opt) {
      case 'SO_REUSEADDR':
        o.reuseaddr = need() !== 0;
        break;
      case 'SO_REUSEPORT':
        o.reuseport = need() !== 0;
        break;
      case 'SO_KEEPALIVE':
        o.keepalive = need() !== 0;
        break;
      case 'SO_LINGER': {
        if (typeof value !== 'object' || !('onoff' in value)) {
          throw new SocketError('EINVAL', 'setsockopt', 'SO_LINGER takes { onoff, linger }');
        }
        o.linger = { onoff: Number(value.onoff), linger: Number(value.linger) };
        break;
      }
      case 'SO_SNDBUF':
        // Linux doubles the value (room for its bookkeeping) within wmem_max; synack gives the
        // value asked as payload space and reports the doubled figure, as getsockopt does there.
        o.sndbuf = Math.max(SOCK_MIN_SNDBUF / 2, Math.min(need(), WMEM_MAX));
        break;
      case 'SO_RCVBUF':
        o.rcvbuf = Math.max(SOCK_MIN_RCVBUF / 2, Math.min(need(), RMEM_MAX));
        break;
      case 'TCP_NODELAY':
        o.nodelay = need() !== 0;
        // Setting it (even again) pushes what is queued, as Linux does.
        if (o.nodelay) this.live(s)?.setNoDelay(true, this.now());
        break;
      case 'TCP_CORK':
        o.cork = need() !== 0;
        break;
      case 'TCP_MAXSEG':
        if (need() < 88 || num > 32767)
          throw new SocketError('EINVAL', 'setsockopt', 'TCP_MAXSEG must be 88..32767');
        o.maxseg = num;
        break;
      case 'TCP_KEEPIDLE':
      case 'TCP_KEEPINTVL':
        if (need() < 1 || num > 32767)
          throw new SocketError('EINVAL', 'setsockopt', `${opt} must be 1..32767 s`);
        if (opt === 'TCP_KEEPIDLE') o.keepidle = num;
        else o.keepintvl = num;
        break;
      case 'TCP_KEEPCNT':
        if (need() < 1 || num > 127)
          throw new SocketError('EINVAL', 'setsockopt', 'TCP_KEEPCNT must be 1..127');
        o.keepcnt = num;
        break;
      case 'TCP_USER_TIMEOUT':
        if (need() < 0) throw new SocketError('EINVAL', 'setsockopt', 'TCP_USER_TIMEOUT must be >= 0 ms');
        o.userTimeout = num;
        break;
      case 'TCP_CONGESTION': {
        const cc = String(value);
        const c = this.live(s);
        if (c && !c.setCongestionControl(cc))
          throw new SocketError('ENOENT', 'setsockopt', `no congestion control "${cc}"`);
        if (!c && !createCongestionControl(cc)) {
          throw new SocketError('ENOENT', 'setsockopt', `no congestion control "${cc}"`);
        }
        o.congestion = cc;
        break;
      }
      case 'TCP_QUICKACK':
        if (s.conn && need()) {
          const c = this.live(s) as TcpConnection;
          c.quickAcks = Math.max(c.quickAcks, 16);
        }
        break;
      default:
        throw new SocketError('ENOPROTOOPT', 'setsockopt', `${opt} cannot be set`);
    }
    this.applyOptions(s);
  }

  getsockopt(fd: number, level: number | string, name: number | string): OptionValue {
    const s = this.get(fd, 'getsockopt');
    const opt = this.optionName(level, name, 'getsockopt');
    const o = s.opts;
    const c = this.live(s);
    const s0 = this.host.settings;
    switch (opt) {
      case 'SO_REUSEADDR':
        return o.reuseaddr ? 1 : 0;
      case 'SO_REUSEPORT':
        return o.reuseport ? 1 : 0;
      case 'SO_KEEPALIVE':
        return o.keepalive ? 1 : 0;
      case 'SO_TYPE':
        return 1;
      case 'SO_ACCEPTCONN':
        return s.state === 'listening' ? 1 : 0;
      case 'SO_ERROR': {
        const e = s.error;
        s.error = null;
        return e ? new SocketError(e, 'getsockopt').errnoNumber : 0;
      }
      case 'SO_LINGER':
        return { ...o.linger };
      case 'SO_SNDBUF':
        return o.sndbuf ? 2 * o.sndbuf : c ? c.sendBuf.capacity : s0.tcp_wmem[1];
      case 'SO_RCVBUF':
        return o.rcvbuf ? 2 * o.rcvbuf : c ? c.recvBuf.capacity : s0.tcp_rmem[1];
      case 'TCP_NODELAY':
        return o.nodelay ? 1 : 0;
      case 'TCP_CORK':
        return o.cork ? 1 : 0;
      case 'TCP_MAXSEG':
        return c && c.state !== 'SYN-SENT' ? c.sndMss : o.maxseg || 536;
      case 'TCP_KEEPIDLE':
        return o.keepidle || s0.tcp_keepalive_time;
      case 'TCP_KEEPINTVL':
        return o.keepintvl || s0.tcp_keepalive_intvl;
      case 'TCP_KEEPCNT':
        return o.keepcnt || s0.tcp_keepalive_probes;
      case 'TCP_USER_TIMEOUT':
        return o.userTimeout;
      case 'TCP_CONGESTION':
        return c ? c.cc.name : o.congestion || s0.tcp_congestion_control;
      case 'TCP_INFO':
        return c ? c.info(this.now()) : { tcpi_state: s.state === 'listening' ? 10 : 7 };
      case 'TCP_QUICKACK':
        return c && c.quickAcks > 0 ? 1 : 0;
      default:
        throw new SocketError('ENOPROTOOPT', 'getsockopt', `${opt} cannot be read`);
    }
  }

  private optionName(
    level: number | string,
    name: number | string,
    call: string,
  ): SocketOptionName | TcpOptionName {
    const lvl =
      level === 'SOL_SOCKET'
        ? SOL_SOCKET
        : level === 'IPPROTO_TCP' || level === 'SOL_TCP'
          ? IPPROTO_TCP
          : level;
    const table: Record<string, number> =
      lvl === SOL_SOCKET ? SOCKET_OPTIONS : lvl === IPPROTO_TCP ? TCP_OPTIONS : {};
    if (lvl !== SOL_SOCKET && lvl !== IPPROTO_TCP)
      throw new SocketError('ENOPROTOOPT', call, `level ${String(level)}`);
    if (typeof name === 'string') {
      if (name in table) return name as SocketOptionName | TcpOptionName;
      throw new SocketError('ENOPROTOOPT', call, `no option ${name} at this level`);
    }
    for (const [k, v] of Object.entries(table)) if (v === name) return k as SocketOptionName | TcpOptionName;
    throw new SocketError('ENOPROTOOPT', call, `option ${name} is not supported`);
  }

  getsockname(fd: number): { addr: string; port: number } {
    const s = this.get(fd, 'getsockname');
    return { addr: formatIpv4(s.localAddr), port: s.localPort };
  }

  getpeername(fd: number): { addr: string; port: number } {
    const s = this.peer(fd);
    return { addr: formatIpv4(s.remoteAddr), port: s.remotePort };
  }

  /**
   * getpeername's address as a number (host order) and its port, with getpeername's errors: the
   * `net` drop-in keeps these per accepted socket and formats the address only when asked.
   */
  getpeeraddr(fd: number): number {
    return this.peer(fd).remoteAddr;
  }

  getpeerport(fd: number): number {
    return this.peer(fd).remotePort;
  }

  private peer(fd: number): Socket {
    const s = this.get(fd, 'getpeername');
    if (!this.live(s) || s.state !== 'connected') throw new SocketError('ENOTCONN', 'getpeername');
    return s;
  }

  /** poll(): the events (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP) ready on fd now. */
  poll(fd: number, events = POLLIN | POLLOUT): number {
    const s = this.table.get(fd);
    if (!s) return POLLNVAL;
    let r = 0;
    if (s.listener) {
      if (s.listener.acceptQueueLength > 0) r |= POLLIN;
      return r & (events | POLLERR | POLLHUP);
    }
    const c = this.live(s);
    if (!c) return s.state === 'closed' ? POLLHUP : POLLOUT | POLLHUP;
    if (s.error) r |= POLLERR;
    if (c.readableBytes > 0 || c.eof || s.readShut) r |= POLLIN;
    if (c.finReceived) r |= POLLRDHUP | POLLIN;
    const dead = c.state === 'CLOSED' || c.state === 'TIME-WAIT';
    if (dead || (s.writeShut && c.finReceived)) r |= POLLHUP;
    if (dead) r |= POLLIN;
    if (s.state === 'connected' && !s.writeShut && !dead && c.writeable) r |= POLLOUT;
    if (s.state === 'closed' || (s.state === 'connecting' && dead)) r |= POLLOUT | POLLHUP;
    // Asked for POLLOUT and not ready: send space must wake the socket (Linux's tcp_poll sets
    // SOCK_NOSPACE).
    if (events & POLLOUT && !(r & POLLOUT)) s.nospace = true;
    return r & (events | POLLERR | POLLHUP);
  }

  /**
   * poll(fd, POLLERR) & POLLERR as a boolean, without working out every other event: the `net`
   * drop-in asks it after each wake-up that its reads did not already answer.
   */
  pendingError(fd: number): boolean {
    const s = this.table.get(fd);
    if (!s || s.listener || !this.live(s)) return false;
    return !!s.error;
  }

  /** Resolves with poll()'s result once any of `events` (or an error or hang-up) is ready. */
  wait(fd: number, events: number): Promise<number> {
    const s = this.get(fd, 'poll');
    const ready = this.poll(fd, events);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const check = (): void => {
        const r = this.poll(fd, events);
        if (r || !this.table.has(fd)) resolve(r || POLLNVAL);
        else (s.waiters ??= []).push(check);
      };
      (s.waiters ??= []).push(check);
    });
  }

  private wake(s: Socket, key = WAKE_ALL): void {
    const fns = s.watchers;
    // An index loop (no iterator per wake-up); like for-of it sees a watcher removed meanwhile.
    if (fns) for (let i = 0; i < fns.length; i++) (fns[i] as (key: number) => void)(key);
    const ws = s.waiters;
    if (!ws || ws.length === 0) return;
    s.waiters = null;
    for (const w of ws) w();
  }

  /**
   * Call `fn` after every event on fd (data, window, state, error) until the returned function is
   * called. `fn` gets the wake-up's key: the poll events it is about (POLLIN for new data, POLLOUT
   * for send space, all of them for anything else).
   */
  watch(fd: number, fn: (key: number) => void): () => void {
    const s = this.get(fd, 'watch');
    (s.watchers ??= []).push(fn);
    return () => {
      const i = s.watchers ? s.watchers.indexOf(fn) : -1;
      if (i >= 0) s.watchers?.splice(i, 1);
    };
  }

  /** The host's clock (µs), for timers kept above the socket layer. */
  get clock(): number {
    return this.now();
  }

  /** accept() that waits for a connection (unless the socket is non-blocking). */
  async acceptAsync(fd: number): Promise<{ fd: number; addr: string; port: number }> {
    for (;;) {
      try {
        return this.accept(fd);
      } catch (e) {
        if (!(e instanceof SocketError) || e.errno !== 'EAGAIN' || this.get(fd, 'accept').nonblock) throw e;
      }
      await this.wait(fd, POLLIN);
    }
  }

  /** connect() that waits for the handshake to finish. */
  async connectAsync(fd: number, addr: string | number, port: number): Promise<void> {
    try {
      this.connect(fd, addr, port);
      return;
    } catch (e) {
      if (!(e instanceof SocketError) || e.errno !== 'EINPROGRESS' || this.get(fd, 'connect').nonblock)
        throw e;
    }
    await this.wait(fd, POLLOUT);
    const s = this.get(fd, 'connect');
    if (s.error) throw this.takeError(s, 'connect');
    if (s.state !== 'connected') throw new SocketError('ECONNREFUSED', 'connect');
  }

  async readAsync(fd: number, buf: Uint8Array): Promise<number> {
    for (;;) {
      try {
        return this.read(fd, buf);
      } catch (e) {
        if (!(e instanceof SocketError) || e.errno !== 'EAGAIN' || this.get(fd, 'read').nonblock) throw e;
      }
      await this.wait(fd, POLLIN);
    }
  }

  /** write() that waits until every byte is queued. */
  async writeAsync(fd: number, data: Uint8Array): Promise<number> {
    let off = 0;
    while (off < data.length) {
      try {
        off += this.write(fd, data.subarray(off));
      } catch (e) {
        if (!(e instanceof SocketError) || e.errno !== 'EAGAIN' || this.get(fd, 'write').nonblock) throw e;
        await this.wait(fd, POLLOUT);
      }
    }
    return off;
  }

  private convert(e: unknown, call: string): Error {
    if (e instanceof TcpLayerError) return new SocketError(e.code, call, e.message);
    return e instanceof Error ? e : new Error(String(e));
  }
}
