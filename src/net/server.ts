import { EventEmitter } from 'node:events';
import { SocketError } from '../socket/errno.js';
import { codedError, nodeError } from './errors.js';
import { Socket, type NetEnv } from './socket.js';

export interface ServerOptions {
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  backlog?: number;
}

/**
 * A listening TCP socket on a synack host shaped like Node's net.Server: listen(), 'listening',
 * 'connection' with a Socket, close() that stops accepting and emits 'close' once the last
 * connection has closed, address(), getConnections().
 */
export class Server extends EventEmitter {
  private fd = -1;
  private unwatch: (() => void) | null = null;
  /** Accepted sockets not yet closed (Node's server._connections): a count, no set of them. */
  private connections = 0;
  private closing = false;
  private readonly opts: ServerOptions;

  constructor(
    protected readonly env: NetEnv,
    options?: ServerOptions | ((socket: Socket) => void),
    connectionListener?: (socket: Socket) => void,
  ) {
    super();
    const listener = typeof options === 'function' ? options : connectionListener;
    this.opts = typeof options === 'object' && options !== null ? options : {};
    if (listener) this.on('connection', listener);
  }

  get listening(): boolean {
    return this.fd >= 0;
  }

  listen(...args: unknown[]): this {
    const cb =
      typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as () => void) : undefined;
    const rest = cb ? args.slice(0, -1) : args;
    let o: ListenOptions;
    if (typeof rest[0] === 'object' && rest[0] !== null) o = { ...(rest[0] as ListenOptions) };
    else {
      o = { port: rest[0] === undefined ? 0 : Number(rest[0]) };
      if (typeof rest[1] === 'string') o.host = rest[1];
      const b = typeof rest[1] === 'number' ? rest[1] : rest[2];
      if (typeof b === 'number') o.backlog = b;
    }
    if (this.fd >= 0)
      throw codedError(
        'ERR_SERVER_ALREADY_LISTEN',
        'Listen method has been called more than once without closing.',
      );
    if (cb) this.once('listening', cb);
    const s = this.env.sockets;
    const host = o.host ?? '0.0.0.0';
    const port = o.port ?? 0;
    try {
      const fd = s.socket();
      this.fd = fd;
      // Node sets SO_REUSEADDR on every listening socket.
      s.setsockopt(fd, 'SOL_SOCKET', 'SO_REUSEADDR', 1);
      s.bind(fd, host, port);
      s.listen(fd, o.backlog ?? 511);
      this.unwatch = s.watch(fd, () => this.acceptAll());
    } catch (e) {
      if (this.fd >= 0) s.close(this.fd);
      this.fd = -1;
      const err = nodeError(e, 'listen', host, port);
      if (e instanceof SocketError && e.errno === 'EADDRINUSE') {
        err.message = `listen EADDRINUSE: address already in use ${host}:${port}`;
      }
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    process.nextTick(() => this.emit('listening'));
    return this;
  }

  private acceptAll(): void {
    const s = this.env.sockets;
    while (this.fd >= 0) {
      let fd: number;
      try {
        // -1 when the queue is drained (EAGAIN), without an error object.
        fd = s.tryAccept(this.fd);
      } catch (e) {
        this.emit('error', nodeError(e, 'accept'));
        return;
      }
      if (fd < 0) return;
      // The socket tells the server of its 'close' itself (as net.Socket tells its _server), not
      // through a listener: no closure and once() wrapper per connection.
      const sock = new Socket(this.env, {
        fd,
        allowHalfOpen: this.opts.allowHalfOpen ?? false,
        server: this,
      });
      if (this.opts.noDelay) sock.setNoDelay(true);
      if (this.opts.keepAlive) sock.setKeepAlive(true, this.opts.keepAliveInitialDelay ?? 0);
      this.connections++;
      this.emit('connection', sock);
    }
  }

  /** Stop accepting; 'close' follows when the last connection has closed. */
  close(cb?: (err?: Error) => void): this {
    if (this.fd < 0) {
      const err = codedError('ERR_SERVER_NOT_RUNNING', 'Server is not running.');
      if (cb) process.nextTick(() => cb(err));
      return this;
    }
    if (cb) this.once('close', () => cb());
    this.unwatch?.();
    this.env.sockets.close(this.fd);
    this.fd = -1;
    this.closing = true;
    this.maybeClosed();
    return this;
  }

  /** An accepted socket is closing: called just before it emits 'close'. */
  socketClosed(): void {
    this.connections--;
    this.maybeClosed();
  }

  private maybeClosed(): void {
    if (this.closing && this.connections === 0) {
      this.closing = false;
      process.nextTick(() => this.emit('close'));
    }
  }

  address(): { address: string; family: string; port: number } | null {
    if (this.fd < 0) return null;
    const a = this.env.sockets.getsockname(this.fd);
    return { address: a.addr, family: 'IPv4', port: a.port };
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.connections;
    process.nextTick(() => cb(null, n));
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}
