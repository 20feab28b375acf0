import { Duplex } from 'node:stream';
import type { Timer } from '../sim/scheduler.js';
import type { Host } from '../host/host.js';
import { POLLERR, POLLHUP, POLLOUT, SHUT_WR } from '../socket/constants.js';
import { errnoName, SocketError } from '../socket/errno.js';
import type { Sockets } from '../socket/sockets.js';
import { codedError, nodeError } from './errors.js';
import { isIPv4 } from './ip.js';
import { readBuffer } from './read-pool.js';
import { formatIpv4 } from '../wire/ipv4-addr.js';

export interface NetEnv {
  host: Host;
  sockets: Sockets;
}

export interface SocketOptions {
  allowHalfOpen?: boolean;
  /** Wrap an already connected socket (used by Server). */
  fd?: number;
  /** The server that accepted it, told when the socket closes (used by Server). */
  server?: SocketOwner;
}

/** What an accepting server needs to hear from its sockets (Node's socket._server). */
const kOwner = Symbol('synack.net.owner');

export interface SocketOwner {
  socketClosed(): void;
}

export interface ConnectOptions {
  port: number;
  host?: string;
  localAddress?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
}

type Pending = { chunk: Uint8Array; off: number; cb: (err?: Error | null) => void };

/** Node's net reads at most 64 KiB at a time; so does this. */
const READ_MAX = 64 * 1024;
const NO_CHUNK = new Uint8Array(0);

/**
 * A TCP connection on a synack host shaped like Node's net.Socket: a stream.Duplex whose writes
 * complete when the send buffer has taken the bytes (so backpressure is the send buffer's), with
 * Node's events (connect, ready, data, end, close, error, timeout), methods and error codes.
 */
export class Socket extends Duplex {
  // The fields are declared and set in the constructor, not initialised where declared: a
  // derived class's field initialisers run as a separate function after super(), which cost
  // 5% of connect-64's CPU (V8 12, Node 20), where plain assignments are inlined.
  declare fd: number;
  declare connecting: boolean;
  declare bytesRead: number;
  declare private written: number;
  declare private reading: boolean;
  declare private pendingWrite: Pending | null;
  declare private writeRecord: Pending | null;
  declare private finalCb: ((err?: Error | null) => void) | null;
  declare private unwatch: (() => void) | null;
  declare private timeoutMs: number;
  declare private idleTimer: Timer | null;
  /**
   * The peer: the host and port connect() was given, or for an accepted socket the address as a
   * number, formatted at the first remoteAddress (most servers never ask).
   */
  declare private remoteHost: string | undefined;
  declare private remoteNum: number;
  declare private remotePortNum: number | undefined;
  /**
   * The accepting server, told once just before 'close' (see emitClose). A symbol, not a name:
   * http sets `server` on the sockets it serves, and any plain name could be a user's own.
   */
  declare [kOwner]: SocketOwner | null;

  declare protected readonly env: NetEnv;

  constructor(env: NetEnv, options: SocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, emitClose: false, decodeStrings: true });
    this.env = env;
    this.fd = -1;
    this.connecting = false;
    this.bytesRead = 0;
    this.written = 0;
    this.reading = false;
    this.pendingWrite = null;
    this.writeRecord = null;
    this.finalCb = null;
    this.unwatch = null;
    this.timeoutMs = 0;
    this.idleTimer = null;
    this.remoteHost = undefined;
    this.remoteNum = 0;
    this.remotePortNum = undefined;
    this[kOwner] = null;
    if (options.fd !== undefined) {
      this.fd = options.fd;
      if (options.server) this[kOwner] = options.server;
      this.remoteNum = env.sockets.getpeeraddr(this.fd);
      this.remotePortNum = env.sockets.getpeerport(this.fd);
      this.attach();
    }
    // 'end' comes once: a shared listener, not a closure and a once() wrapper per socket.
    this.on('end', Socket.closeAfterEnd);
  }

  // --- connecting ---------------------------------------------------------------------------

  connect(...args: unknown[]): this {
    const [opts, cb] = normalizeConnectArgs(args);
    if (cb) this.once('connect', cb);
    const host = opts.host ?? '127.0.0.1';
    if (!isIPv4(host)) {
      process.nextTick(() => {
        const e = new Error(`getaddrinfo ENOTFOUND ${host}`) as Error & {
          code: string;
          syscall: string;
          hostname: string;
        };
        e.code = 'ENOTFOUND';
        e.syscall = 'getaddrinfo';
        e.hostname = host;
        this.destroy(e);
      });
      return this;
    }
    const s = this.env.sockets;
    this.remoteHost = host;
    this.remotePortNum = opts.port;
    try {
      this.fd = s.socket();
      if (opts.localAddress || opts.localPort)
        s.bind(this.fd, opts.localAddress ?? '0.0.0.0', opts.localPort ?? 0);
      if (opts.noDelay) s.setsockopt(this.fd, 'IPPROTO_TCP', 'TCP_NODELAY', 1);
      this.connecting = true;
      this.attach();
      if (s.tryConnect(this.fd, host, opts.port) < 0) return this;
      this.connecting = false;
      process.nextTick(() => this.onConnected());
    } catch (e) {
      this.connecting = false;
      const err = nodeError(e, 'connect', host, opts.port);
      process.nextTick(() => this.destroy(err));
    }
    if (opts.keepAlive) this.setKeepAlive(true, opts.keepAliveInitialDelay ?? 0);
    if (opts.timeout) this.setTimeout(opts.timeout);
    return this;
  }

  private attach(): void {
    this.unwatch = this.env.sockets.watch(this.fd, (key) => this.onEvent(key));
  }

  private onConnected(): void {
    if (this.destroyed) return;
    this.connecting = false;
    this.touch();
    this.emit('connect');
    this.emit('ready');
    if (this.reading) this.pull();
    if (this.pendingWrite) this.flush();
    if (this.finalCb) this.doFinal();
  }

  private onEvent(key: number): void {
    if (this.destroyed || this.fd < 0) return;
    const s = this.env.sockets;
    if (key === POLLOUT && !this.connecting) {
      // Send space and nothing else (every ACK of new data brings it): only a waiting write
      // cares. Data and errors come with wake-ups of their own.
      if (this.pendingWrite) this.flush();
      return;
    }
    if (this.connecting) {
      const r = s.poll(this.fd, POLLOUT);
      if (!(r & (POLLOUT | POLLERR | POLLHUP))) return;
      // SO_ERROR only when poll saw an error or a hang-up: with neither, no error is pending
      // (poll reports one as POLLERR), so it would read 0 and clear nothing.
      const errno = r & (POLLERR | POLLHUP) ? (s.getsockopt(this.fd, 'SOL_SOCKET', 'SO_ERROR') as number) : 0;
      if (errno !== 0 || !(r & POLLOUT) || r & POLLHUP) {
        this.connecting = false;
        const name = errnoName(errno) ?? 'ECONNREFUSED';
        this.destroy(
          nodeError(new SocketError(name, 'connect'), 'connect', this.remoteHost, this.remotePortNum),
        );
        return;
      }
      this.onConnected();
      return;
    }
    // A read that ended in EAGAIN has just seen that no error is pending (read reports one
    // first); only a write since could have found one, so only then is it asked for again.
    const noError = this.reading && this.pull();
    if (this.pendingWrite) this.flush();
    else if (noError) return;
    if (!this.destroyed && s.pendingError(this.fd)) {
      // An error with nobody reading or writing (a reset): Node reports it anyway.
      const errno = s.getsockopt(this.fd, 'SOL_SOCKET', 'SO_ERROR') as number;
      const name = errnoName(errno);
      if (name) this.destroy(nodeError(new SocketError(name, 'read'), 'read'));
    }
  }

  // --- reading ------------------------------------------------------------------------------

  override _read(): void {
    this.reading = true;
    if (!this.connecting && this.fd >= 0) this.pull();
  }

  /** Read while the stream wants data; true if it stopped because nothing more was waiting (EAGAIN). */
  private pull(): boolean {
    const s = this.env.sockets;
    while (this.reading && !this.destroyed) {
      // The stack hands over what is waiting (up to 64 KiB): a received segment itself when it
      // holds it all, else a copy into a read buffer of that size (one copy, one allocation).
      let r: Uint8Array | number;
      try {
        r = s.tryReadChunk(this.fd, READ_MAX, readBuffer);
      } catch (e) {
        this.destroy(nodeError(e, 'read'));
        return false;
      }
      if (typeof r === 'number') {
        if (r < 0) return true;
        this.reading = false;
        this.push(null);
        return false;
      }
      this.bytesRead += r.length;
      if (this.timeoutMs > 0) this.touch();
      // Drained: the next read would be EAGAIN. Anything that arrives meanwhile (even during the
      // 'data' handlers) comes with a wake-up of its own, which reads again.
      const drained = s.drained;
      this.reading = this.push(r instanceof Buffer ? r : Buffer.from(r.buffer, r.byteOffset, r.length));
      if (drained) return this.reading && !this.destroyed;
    }
    return false;
  }

  // --- writing ------------------------------------------------------------------------------

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    // One record per socket, reused: the stream has one write outstanding at a time, and flush
    // reads nothing from it after calling back.
    const p = this.writeRecord;
    if (p === null) this.pendingWrite = this.writeRecord = { chunk, off: 0, cb };
    else {
      p.chunk = chunk;
      p.off = 0;
      p.cb = cb;
      this.pendingWrite = p;
    }
    if (!this.connecting) this.flush();
  }

  private flush(): void {
    const p = this.pendingWrite;
    if (!p || this.fd < 0) return;
    const s = this.env.sockets;
    while (p.off < p.chunk.length) {
      try {
        const n = s.tryWrite(this.fd, p.off === 0 ? p.chunk : p.chunk.subarray(p.off));
        if (n < 0) return;
        p.off += n;
        this.written += n;
        if (this.timeoutMs > 0) this.touch();
      } catch (e) {
        this.pendingWrite = null;
        p.chunk = NO_CHUNK;
        p.cb(nodeError(e, 'write'));
        return;
      }
    }
    this.pendingWrite = null;
    p.chunk = NO_CHUNK; // the record keeps no written data alive
    p.cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finalCb = cb;
    if (!this.connecting && this.fd >= 0) this.doFinal();
  }

  private doFinal(): void {
    const cb = this.finalCb;
    if (!cb) return;
    this.finalCb = null;
    try {
      this.env.sockets.shutdown(this.fd, SHUT_WR);
    } catch (e) {
      if (!(e instanceof SocketError && e.errno === 'ENOTCONN')) {
        cb(nodeError(e, 'shutdown'));
        return;
      }
    }
    cb();
    this.maybeClose();
  }

  private static closeAfterEnd(this: Socket): void {
    this.maybeClose();
  }

  /** Both directions are done: close the descriptor and emit 'close', as net.Socket does. */
  private maybeClose(): void {
    if (this.readableEnded && this.writableFinished && !this.destroyed) this.destroy();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.clearIdle();
    this.unwatch?.();
    this.unwatch = null;
    if (this.fd >= 0) {
      try {
        this.env.sockets.close(this.fd);
      } catch {
        // already closed
      }
    }
    this.connecting = false;
    cb(err);
    process.nextTick(emitClose, this, err !== null && err !== undefined);
  }

  /** Close with RST instead of FIN (SO_LINGER 0), as net.Socket's resetAndDestroy. */
  resetAndDestroy(): this {
    if (this.fd >= 0 && !this.destroyed) {
      try {
        this.env.sockets.setsockopt(this.fd, 'SOL_SOCKET', 'SO_LINGER', { onoff: 1, linger: 0 });
      } catch {
        // not connected: a plain close
      }
    }
    this.destroy();
    return this;
  }

  // --- options and information ------------------------------------------------------------

  setNoDelay(noDelay = true): this {
    if (this.fd >= 0) this.env.sockets.setsockopt(this.fd, 'IPPROTO_TCP', 'TCP_NODELAY', noDelay ? 1 : 0);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.fd < 0) return this;
    const s = this.env.sockets;
    s.setsockopt(this.fd, 'SOL_SOCKET', 'SO_KEEPALIVE', enable ? 1 : 0);
    if (enable && initialDelay > 0)
      s.setsockopt(this.fd, 'IPPROTO_TCP', 'TCP_KEEPIDLE', Math.max(1, Math.floor(initialDelay / 1000)));
    return this;
  }

  /** An idle timeout in virtual time: 'timeout' is emitted, the socket stays open (as in Node). */
  setTimeout(ms: number, cb?: () => void): this {
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    this.timeoutMs = ms;
    this.touch();
    return this;
  }

  get timeout(): number | undefined {
    return this.timeoutMs || undefined;
  }

  /** Restart the idle timeout; only a socket with a timeout set has one (setTimeout(0) clears it). */
  private touch(): void {
    this.clearIdle();
    if (this.timeoutMs <= 0 || this.destroyed) return;
    const sch = this.env.host.scheduler;
    this.idleTimer = sch.at(sch.now() + this.timeoutMs * 1000, () => {
      this.idleTimer = null;
      this.emit('timeout');
    });
  }

  private clearIdle(): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.fd < 0 || this.destroyed) return {};
    const a = this.env.sockets.getsockname(this.fd);
    return { address: a.addr, family: 'IPv4', port: a.port };
  }

  get remoteAddress(): string | undefined {
    if (this.fd < 0 || this.connecting) return undefined;
    if (this.remoteHost === undefined && this.remotePortNum !== undefined)
      this.remoteHost = formatIpv4(this.remoteNum);
    return this.remoteHost;
  }

  get remotePort(): number | undefined {
    return this.fd >= 0 && !this.connecting ? this.remotePortNum : undefined;
  }

  get remoteFamily(): string | undefined {
    return this.remoteAddress ? 'IPv4' : undefined;
  }

  get localAddress(): string | undefined {
    return this.fd >= 0 ? this.env.sockets.getsockname(this.fd).addr : undefined;
  }

  get localPort(): number | undefined {
    return this.fd >= 0 ? this.env.sockets.getsockname(this.fd).port : undefined;
  }

  get localFamily(): string | undefined {
    return this.fd >= 0 ? 'IPv4' : undefined;
  }

  get bytesWritten(): number {
    return this.written;
  }

  /** Not yet connected (Node's socket.pending). */
  get pending(): boolean {
    return this.fd < 0 || this.connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.fd < 0 || this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  /** TCP_INFO for this connection (Linux's struct tcp_info fields). */
  tcpInfo(): Record<string, number> {
    if (this.fd < 0) return {};
    return this.env.sockets.getsockopt(this.fd, 'IPPROTO_TCP', 'TCP_INFO') as Record<string, number>;
  }
}

/** Node's net.connect argument forms: (port[, host][, cb]) or (options[, cb]). */
export function normalizeConnectArgs(args: unknown[]): [ConnectOptions, (() => void) | undefined] {
  const cb = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as () => void) : undefined;
  const rest = cb ? args.slice(0, -1) : args;
  let opts: ConnectOptions;
  if (typeof rest[0] === 'object' && rest[0] !== null) {
    opts = { ...(rest[0] as ConnectOptions) };
  } else {
    opts = { port: Number(rest[0]) };
    if (typeof rest[1] === 'string') opts.host = rest[1];
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw codedError(
      'ERR_SOCKET_BAD_PORT',
      `Port should be >= 0 and < 65536. Received ${String(opts.port)}.`,
      'RangeError',
    );
  }
  opts.port = port;
  if (opts.host === 'localhost') opts.host = '127.0.0.1';
  return [opts, cb];
}

/** The 'close' event, on the tick after destroy as net.Socket emits it (no closure per socket). */
function emitClose(s: Socket, hadError: boolean): void {
  // Its server counts it gone first, as the server's own 'close' listener did (registered
  // before anyone else could listen).
  const owner = s[kOwner];
  if (owner !== null) {
    s[kOwner] = null;
    owner.socketClosed();
  }
  s.emit('close', hadError);
}
