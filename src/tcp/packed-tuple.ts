import type { FourTuple } from './env.js';

/**
 * A 4-tuple whose two ports share one field (localPort << 16 | remotePort): the base of the small
 * records that stand in a connection's place in the tables (a hibernated connection, a TIME-WAIT
 * record). Each is its own tuple, saving an object per entry.
 */
export class PackedTuple implements FourTuple {
  private readonly ports: number;

  constructor(
    readonly localAddr: number,
    localPort: number,
    readonly remoteAddr: number,
    remotePort: number,
  ) {
    this.ports = (localPort << 16) | remotePort;
  }

  get localPort(): number {
    return this.ports >>> 16;
  }

  get remotePort(): number {
    return this.ports & 0xffff;
  }

  get tuple(): FourTuple {
    return this;
  }
}
