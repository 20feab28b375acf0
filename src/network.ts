import { Host } from './host/host.js';
import { PointToPointLink } from './link/sim-link.js';
import type { LinkImpairments } from './link/fault-model.js';
import { AutoDriver } from './sim/auto-driver.js';
import { Simulator } from './sim/simulator.js';
import { WallDriver } from './sim/wall-driver.js';
import { Sockets } from './socket/sockets.js';

export interface LinkOptions extends Partial<LinkImpairments> {
  /** Address of the first host on this link, with prefix: '10.0.0.1/24'. */
  a: string;
  /** Address of the second host. */
  b: string;
  /** One-way delay in milliseconds (an alternative to delayUs). */
  delayMs?: number;
  /** The link guarantees integrity, so checksums are neither computed nor verified (like loopback). */
  checksumOffload?: boolean;
}

export interface NetworkOptions {
  seed?: number;
  /** false: nothing runs virtual time by itself (the caller steps the simulator). */
  autoRun?: boolean;
  /**
   * 'virtual' (the default): time jumps from event to event, so a simulated minute costs only
   * its events. 'wall': time follows the wall clock, as for hosts on a real machine.
   */
  clock?: 'virtual' | 'wall';
}

/**
 * A simulated network in a few lines: hosts, links between them, and a seed that makes every run
 * the same. Unless `autoRun: false`, virtual time runs by itself while the program awaits (see
 * AutoDriver), so ordinary asynchronous code works over it.
 */
export class Network {
  readonly sim: Simulator;
  readonly hosts = new Map<string, Host>();
  readonly links: PointToPointLink[] = [];
  private readonly driver: AutoDriver | WallDriver | null;
  private readonly socketsOf = new Map<Host, Sockets>();

  constructor(opts: NetworkOptions = {}) {
    this.sim = new Simulator({ seed: opts.seed ?? 1 });
    if (opts.autoRun === false) this.driver = null;
    else this.driver = opts.clock === 'wall' ? new WallDriver(this.sim) : new AutoDriver(this.sim);
  }

  /** A host with Linux's default settings, or the sysctls given. */
  host(name: string, settings: Record<string, string | number> = {}): Host {
    if (this.hosts.has(name)) throw new Error(`network: there is already a host named ${name}`);
    const h = new Host({ name, scheduler: this.sim, random32: () => this.sim.rng.nextU32(), settings });
    this.hosts.set(name, h);
    return h;
  }

  /** A point-to-point link between two hosts, with their addresses on it and its impairments. */
  link(a: Host, b: Host, o: LinkOptions): PointToPointLink {
    const { a: addrA, b: addrB, delayMs, checksumOffload, ...imp } = o;
    const both: Partial<LinkImpairments> = { ...imp };
    if (delayMs !== undefined) both.delayUs = Math.round(delayMs * 1000);
    const l = new PointToPointLink(this.sim, {
      name: `${a.name}-${b.name}`,
      both,
      checksumOffload: checksumOffload ?? false,
    });
    a.addInterface(l.a, addrA);
    b.addInterface(l.b, addrB);
    this.links.push(l);
    return l;
  }

  /** The BSD socket API of a host (one per host). */
  sockets(h: Host): Sockets {
    let s = this.socketsOf.get(h);
    if (!s) {
      s = new Sockets(h);
      this.socketsOf.set(h, s);
    }
    return s;
  }

  /** Virtual time now, in seconds. */
  get time(): number {
    return this.sim.now() / 1e6;
  }

  /** Stop running virtual time by itself. */
  close(): void {
    this.driver?.stop();
  }
}
