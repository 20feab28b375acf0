import { EventQueue, SimEvent } from './event-queue.js';
import { Rng } from './rng.js';
import type { Scheduler, Timer } from './scheduler.js';

export interface RunStats {
  events: number;
  endTime: number;
}

/**
 * Discrete-event simulation with a virtual clock in integer microseconds. Time jumps from event to
 * event, so an idle simulated minute costs nothing. Everything random draws from `rng` (or a fork
 * of it), so a seed replays a run exactly; an exception from an event names the seed and time.
 */
export class Simulator implements Scheduler {
  readonly seed: number;
  readonly rng: Rng;
  eventsProcessed = 0;
  private clock = 0;
  private readonly queue = new EventQueue();
  /** Called when an event is scheduled (lets a driver wake up when the simulation has work). */
  onSchedule: (() => void) | null = null;

  constructor(opts: { seed: number }) {
    this.seed = opts.seed;
    this.rng = new Rng(opts.seed);
  }

  now(): number {
    return this.clock;
  }

  at(time: number, fn: () => void): Timer {
    const e = this.queue.push(Math.max(Math.round(time), this.clock), fn);
    this.onSchedule?.();
    return e;
  }

  move(timer: Timer, time: number): boolean {
    if (!(timer instanceof SimEvent) || !this.queue.move(timer, Math.max(Math.round(time), this.clock))) {
      return false;
    }
    this.onSchedule?.();
    return true;
  }

  reserve(): number {
    return this.queue.reserve();
  }

  moveReserved(timer: Timer, time: number, ticket: number): boolean {
    if (
      !(timer instanceof SimEvent) ||
      !this.queue.place(timer, Math.max(Math.round(time), this.clock), ticket)
    ) {
      return false;
    }
    this.onSchedule?.();
    return true;
  }

  after(delayUs: number, fn: () => void): Timer {
    return this.at(this.clock + delayUs, fn);
  }

  /** Time of the next pending event, or Infinity. */
  nextEventTime(): number {
    return this.queue.peekTime();
  }

  idle(): boolean {
    return this.queue.size === 0;
  }

  /** Run one event; false when there is none. */
  step(): boolean {
    const e = this.queue.pop();
    if (!e) return false;
    this.clock = e.time;
    this.eventsProcessed++;
    try {
      e.fn();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(
        `${msg} (seed ${this.seed} at t=${(this.clock / 1e6).toFixed(6)} s; run again with the same seed to replay)`,
        { cause: err },
      );
    }
    return true;
  }

  /** Run until no events remain, or until `until` (µs, absolute) or `maxEvents`. */
  run(opts: { until?: number; maxEvents?: number } = {}): RunStats {
    const until = opts.until ?? Infinity;
    const max = opts.maxEvents ?? Infinity;
    let n = 0;
    for (let t = this.queue.peekTime(); n < max && t !== Infinity && t <= until; t = this.queue.peekTime()) {
      this.step();
      n++;
    }
    if (until !== Infinity && this.clock < until && n < max) this.clock = until;
    return { events: n, endTime: this.clock };
  }

  runFor(durationUs: number): RunStats {
    return this.run({ until: this.clock + durationUs });
  }

  /** Run until `pred()` holds (checked after each event) or `limitUs` of virtual time pass. */
  runUntil(pred: () => boolean, limitUs: number): boolean {
    const until = this.clock + limitUs;
    if (pred()) return true;
    for (let t = this.queue.peekTime(); t !== Infinity && t <= until; t = this.queue.peekTime()) {
      this.step();
      if (pred()) return true;
    }
    this.clock = Math.max(this.clock, until);
    return pred();
  }
}
