import type { Rng } from '../sim/rng.js';
import type { Scheduler } from '../sim/scheduler.js';
import type { NetDevice } from './device.js';
import type { LinkImpairments } from './fault-model.js';
import { LinkDirection } from './sim-link.js';

/** A device behind the simulated links' fault model, both ways, and the two directions' stats. */
export interface ImpairedDevice {
  /** Attach this one to the host. */
  readonly device: NetDevice;
  /** Host → device (what the host sends, before it reaches the real device). */
  readonly out: LinkDirection;
  /** Device → host (what the real device delivers, before the host sees it). */
  readonly in: LinkDirection;
}

/**
 * Put the fault model of simulated links (delay, loss, reordering, duplication, …) in front of
 * any device, in both directions, on any clock: a TUN device on wall-clock time becomes a bad path
 * for real peers, which is what netem would do on a kernel that has it.
 */
export function impairDevice(
  inner: NetDevice,
  scheduler: Scheduler,
  rng: Rng,
  both: Partial<LinkImpairments>,
): ImpairedDevice {
  const withMtu = { ...both, mtu: inner.mtu };
  const out = new LinkDirection(scheduler, rng.fork('out'), withMtu, 'ab');
  const inbound = new LinkDirection(scheduler, rng.fork('in'), withMtu, 'ba');
  const device: NetDevice = {
    get mtu() {
      return inner.mtu;
    },
    get checksumOffload() {
      return inner.checksumOffload;
    },
    transmit: (packet) => out.send(packet),
    onReceive: null,
  };
  out.target = {
    mtu: inner.mtu,
    checksumOffload: inner.checksumOffload,
    transmit: () => undefined,
    onReceive: (packet) => inner.transmit(packet),
  };
  inbound.target = device;
  inner.onReceive = (packet) => inbound.send(packet);
  return { device, out, in: inbound };
}
