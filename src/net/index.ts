import type { Host } from '../host/host.js';
import { Sockets } from '../socket/sockets.js';
import { usePacketMemory } from '../wire/packet-pool.js';
import { isIP, isIPv4, isIPv6 } from './ip.js';
import { Server, type ServerOptions } from './server.js';
import { Socket, type NetEnv, type SocketOptions } from './socket.js';

export { Socket, Server, isIP, isIPv4, isIPv6 };
export { nodeError } from './errors.js';

// Packets a receiver keeps become the reader's Buffers; under Node they need not be zeroed first
// (packet-pool.ts), as Node's own reads are not.
usePacketMemory((n) => Buffer.allocUnsafeSlow(n));

/** What `createNet(host)` returns: the shape of Node's `net` module, bound to one synack host. */
export interface SynackNet {
  Socket: new (options?: SocketOptions) => Socket;
  Server: new (options?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void) => Server;
  createServer(options?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void): Server;
  connect(...args: unknown[]): Socket;
  createConnection(...args: unknown[]): Socket;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
}

/**
 * Node's `net` over a synack host: hand it to code that takes a socket factory (http's
 * createConnection and 'connection' event, tls.connect({ socket }), undici's connect option, ws)
 * and that code runs over the simulated network, unchanged.
 */
export function createNet(host: Host, sockets: Sockets = new Sockets(host)): SynackNet {
  const env: NetEnv = { host, sockets };
  class BoundSocket extends Socket {
    constructor(options?: SocketOptions) {
      super(env, options);
    }
  }
  class BoundServer extends Server {
    constructor(options?: ServerOptions | ((s: Socket) => void), listener?: (s: Socket) => void) {
      super(env, options, listener);
    }
  }
  const connect = (...args: unknown[]): Socket => {
    const first = args[0];
    const allowHalfOpen =
      typeof first === 'object' && first !== null
        ? (first as { allowHalfOpen?: boolean }).allowHalfOpen
        : undefined;
    const s = new BoundSocket(allowHalfOpen === undefined ? {} : { allowHalfOpen });
    return s.connect(...args);
  };
  return {
    Socket: BoundSocket,
    Server: BoundServer,
    createServer: (options, listener) => new BoundServer(options, listener),
    connect,
    createConnection: connect,
    isIP,
    isIPv4,
    isIPv6,
  };
}
