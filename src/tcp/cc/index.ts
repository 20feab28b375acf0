import { Cubic } from './cubic.js';
import { Reno, Tahoe } from './reno.js';
import type { CongestionControl } from './types.js';

export type { CongestionControl, CcConnection, CcEvent } from './types.js';

const ALGORITHMS: Record<string, () => CongestionControl> = {
  cubic: () => new Cubic(),
  reno: () => new Reno(),
  tahoe: () => new Tahoe(),
};

/** Names accepted by tcp_congestion_control and TCP_CONGESTION (Linux's tcp_available_congestion_control). */
export const AVAILABLE_CONGESTION_CONTROL = Object.keys(ALGORITHMS);

/** A fresh instance of the named algorithm, or null when there is no such algorithm. */
export function createCongestionControl(name: string): CongestionControl | null {
  const make = ALGORITHMS[name];
  return make ? make() : null;
}
