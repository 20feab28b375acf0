import * as nodeNet from 'node:net';
import { createNet } from '../../net/index.js';
import { Network } from '../../network.js';

/** The part of Node's `net` the benchmarks use; both Node's module and synack's drop-in have it. */
export interface NetLike {
  createServer(listener: (s: nodeNet.Socket) => void): nodeNet.Server;
  connect(port: number, host: string): nodeNet.Socket;
}

/** A client side and a server side, and the address the server listens on. */
export interface NetPair {
  client: NetLike;
  server: NetLike;
  address: string;
  close(): void;
}

/** Node's net over the kernel's loopback: both ends in this process, as in the synack pair. */
export function nodePair(): NetPair {
  return { client: nodeNet, server: nodeNet, address: '127.0.0.1', close: () => undefined };
}

/**
 * Two synack hosts in this process on an in-memory link, in wall-clock time, each with the `net`
 * drop-in: the program a Node user writes against `net`, unchanged, over synack instead of the
 * kernel. Like Linux's loopback, a link may skip checksums (it cannot corrupt).
 */
export function synackPair(o: {
  mtu: number;
  checksumOffload: boolean;
  settings?: Record<string, number>;
}): NetPair {
  const net = new Network({ clock: 'wall' });
  const a = net.host('client', o.settings ?? {});
  const b = net.host('server', o.settings ?? {});
  net.link(a, b, { a: '10.0.0.1/24', b: '10.0.0.2/24', mtu: o.mtu, checksumOffload: o.checksumOffload });
  return {
    client: createNet(a, net.sockets(a)) as unknown as NetLike,
    server: createNet(b, net.sockets(b)) as unknown as NetLike,
    address: '10.0.0.2',
    close: () => net.close(),
  };
}

/** Listen on an ephemeral port (synack's listen(0) picks one as Node's does). */
export function listen(server: nodeNet.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    });
  });
}

export function closeServer(server: nodeNet.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
