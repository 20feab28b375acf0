import type { Simulator } from '../sim/simulator.js';
import type { NetDevice } from './device.js';
import type { LinkImpairments } from './fault-model.js';
import { LinkDirection } from './sim-link.js';

function dstOf(p: Uint8Array): number {
  return (
    (((p[16] as number) << 24) | ((p[17] as number) << 16) | ((p[18] as number) << 8) | (p[19] as number)) >>>
    0
  );
}

export interface SwitchPort {
  readonly device: NetDevice;
  /** Deliver packets for `addr` to this port. */
  claim(addr: number): void;
  /** Traffic towards the switch / towards the host. */
  readonly up: LinkDirection;
  readonly down: LinkDirection;
}

/**
 * A shared segment for more than two hosts: a packet is carried to the port that claimed its
 * destination address (or to the default port, typically a router's), through the sender's and
 * the receiver's port impairments. Unknown destinations are dropped and counted.
 */
export class Switch {
  private readonly byAddr = new Map<number, SwitchPort>();
  private defaultPort: SwitchPort | null = null;
  private portCount = 0;
  unknownDestination = 0;

  constructor(
    private readonly sim: Simulator,
    readonly name = 'switch',
  ) {}

  addPort(
    opts: { impairments?: Partial<LinkImpairments>; name?: string; defaultRoute?: boolean } = {},
  ): SwitchPort {
    const label = `${this.name}/${opts.name ?? `port${this.portCount++}`}`;
    const up = new LinkDirection(this.sim, this.sim.rng.fork(`${label}/up`), opts.impairments ?? {}, 'ab');
    const down = new LinkDirection(
      this.sim,
      this.sim.rng.fork(`${label}/down`),
      opts.impairments ?? {},
      'ba',
    );
    const device: NetDevice = {
      get mtu() {
        return up.config.mtu;
      },
      checksumOffload: false,
      transmit: (p) => up.send(p),
      onReceive: null,
    };
    down.target = device;
    up.target = {
      mtu: up.config.mtu,
      checksumOffload: false,
      transmit: () => undefined,
      onReceive: (p) => this.forward(p),
    };
    const port: SwitchPort = { device, up, down, claim: (a) => void this.byAddr.set(a >>> 0, port) };
    if (opts.defaultRoute) this.defaultPort = port;
    return port;
  }

  private forward(p: Uint8Array): void {
    const port = p.length >= 20 ? (this.byAddr.get(dstOf(p)) ?? this.defaultPort) : null;
    if (!port) {
      this.unknownDestination++;
      return;
    }
    port.down.send(p);
  }
}
