import type { Host } from '../host/host.js';
import type { NetDevice } from '../link/device.js';
import type { Simulator } from '../sim/simulator.js';

/**
 * Someone watching a run (the CLI's --out, the demo's report): it may wrap each device a host is
 * given (to capture packets) and subscribe to each host's trace. Scenarios hand every host and
 * interface through {@link addHost} and {@link addInterface} so that a watcher sees all of them.
 */
export interface RunObserver {
  /** Called once per simulator, before any host is made. */
  simulator?(sim: Simulator): void;
  /** Called once per host, right after it is made. */
  host?(host: Host): void;
  /** May return a wrapped device (a capture tap); called before the host gets the device. */
  device?(host: Host, device: NetDevice, cidr: string): NetDevice;
}

/** What a scenario run gets: its seed and the host settings given with --set. */
export interface ScenarioContext {
  seed: number;
  settings: Record<string, string>;
  /** Progress lines for a terminal (never printed with --json). */
  progress(text: string): void;
  observer?: RunObserver;
}

export interface ScenarioOutcome {
  hosts: Host[];
  /** The scenario's own figures. */
  result: Record<string, unknown>;
  /** A readable account for a person (printed without --json). */
  story: string[];
}

export interface Scenario {
  name: string;
  summary: string;
  run(ctx: ScenarioContext): ScenarioOutcome;
}

/** Register a new host with the run's observer (if any). */
export function addHost(observer: RunObserver | undefined, host: Host): Host {
  observer?.host?.(host);
  return host;
}

/** Give a host an interface, through the observer's device wrapper (if any). */
export function addInterface(
  observer: RunObserver | undefined,
  host: Host,
  device: NetDevice,
  cidr: string,
): void {
  host.addInterface(observer?.device?.(host, device, cidr) ?? device, cidr);
}

/** Run `sim` up to `untilUs` in steps, telling `progress` how far simulated time has got. */
export function runWithProgress(
  sim: Simulator,
  untilUs: number,
  progress: ((text: string) => void) | undefined,
  what: string,
  steps = 20,
): void {
  const start = sim.now();
  for (let i = 1; i <= steps; i++) {
    sim.run({ until: start + ((untilUs - start) * i) / steps });
    progress?.(`${what}: ${(sim.now() / 1e6).toFixed(1)} of ${(untilUs / 1e6).toFixed(0)} s simulated`);
  }
}
