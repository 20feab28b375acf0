import type { Simulator } from './simulator.js';

/** How many runs may follow each other as microtasks before the driver yields to the event loop. */
const MICROTASK_RUNS_BEFORE_YIELD = 64;

type TimerHandle = ReturnType<typeof setTimeout>;

const yieldToLoop: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

/**
 * Runs a simulation in wall-clock time: virtual time follows performance.now(), every event due
 * by now runs, and the driver sleeps (setTimeout) until the next one. Hosts on in-memory links
 * then behave like hosts on a real machine, with timers that take real time, which is what a
 * program using synack in place of the kernel sees (and what `synack bench` measures).
 *
 * Work scheduled by the program (a write, a connect) runs in a microtask right after the
 * program's own code, as a system call would; after a run of such turns the driver yields to the
 * event loop once (setImmediate), so I/O and timers are never starved.
 */
export class WallDriver {
  private readonly originMs: number;
  private queued = false;
  private running = false;
  private stopped = false;
  private microRuns = 0;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;

  constructor(private readonly sim: Simulator) {
    this.originMs = performance.now() - sim.now() / 1000;
    sim.onSchedule = this.kick;
    this.kick();
  }

  /** Wall-clock time in the simulator's microseconds. */
  wallUs(): number {
    return Math.round((performance.now() - this.originMs) * 1000);
  }

  private readonly kick = (): void => {
    if (this.queued || this.running || this.stopped) return;
    this.queued = true;
    if (this.microRuns < MICROTASK_RUNS_BEFORE_YIELD) {
      this.microRuns++;
      queueMicrotask(this.tick);
    } else {
      this.microRuns = 0;
      yieldToLoop(this.tick);
    }
  };

  private readonly tick = (): void => {
    this.queued = false;
    if (this.stopped) return;
    this.running = true;
    try {
      this.sim.run({ until: this.wallUs() });
    } finally {
      this.running = false;
    }
    this.arm();
  };

  private readonly wake = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.microRuns = 0;
    this.tick();
  };

  /**
   * Sleep until the next event is due. A wake-up already set for earlier is kept (waking early
   * just finds nothing due and sleeps again): the stack moves its earliest deadline later on
   * nearly every segment (each ACK pushes the retransmission timer), and a new setTimeout each
   * time would cost more than the segment.
   */
  private arm(): void {
    const next = this.sim.nextEventTime();
    if (next === this.timerAt || (this.timer && this.timerAt <= next)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = setTimeout(this.wake, Math.max(0, (next - this.wallUs()) / 1000));
  }

  /** Stop driving; the simulation can still be run by hand. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.sim.onSchedule === this.kick) this.sim.onSchedule = null;
  }
}
