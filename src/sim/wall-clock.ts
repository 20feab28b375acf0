import type { Scheduler, Timer } from './scheduler.js';

/** Wall-clock time for hosts on real devices (TUN): performance.now() and setTimeout. */
export class WallClockScheduler implements Scheduler {
  private readonly origin = performance.now();

  now(): number {
    return Math.round((performance.now() - this.origin) * 1000);
  }

  at(time: number, fn: () => void): Timer {
    const delayMs = Math.max(0, (time - this.now()) / 1000);
    const h = globalThis.setTimeout(fn, delayMs);
    // A host's timers (TIME-WAIT, keepalive) never keep a program alive on their own; the device
    // being read, or the caller's own work, does.
    (h as { unref?: () => void }).unref?.();
    return { cancel: () => globalThis.clearTimeout(h) };
  }
}
