import type { Simulator } from './simulator.js';

/** How the driver yields to the host event loop between batches (setImmediate in Node). */
export type Defer = (fn: () => void) => void;

const defaultDefer: Defer =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

/**
 * Runs a simulation by itself, so that ordinary asynchronous code (await, streams, Node's http)
 * can use simulated hosts: whenever the simulation has work, the driver runs every event due at
 * the next instant, then yields to the event loop so the program can react (its callbacks, its
 * stream writes) before virtual time moves on. Time jumps over idle stretches, so a simulated
 * minute costs only the events in it. With nothing scheduled the driver sleeps, and wakes when
 * something is.
 */
export class AutoDriver {
  private scheduled = false;
  private stopped = false;
  /** Virtual time the driver will not pass (Infinity: no limit). */
  limitUs = Infinity;

  constructor(
    private readonly sim: Simulator,
    private readonly defer: Defer = defaultDefer,
  ) {
    sim.onSchedule = () => this.kick();
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    this.defer(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const t = this.sim.nextEventTime();
    if (t === Infinity || t > this.limitUs) return;
    // Everything due at this instant, then back to the event loop.
    while (this.sim.nextEventTime() === t) this.sim.step();
    if (this.sim.nextEventTime() !== Infinity) this.kick();
  }

  /** Stop driving; the simulation can still be run by hand. */
  stop(): void {
    this.stopped = true;
    if (this.sim.onSchedule) this.sim.onSchedule = null;
  }
}
