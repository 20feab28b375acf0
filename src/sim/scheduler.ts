/**
 * Time as the stack sees it: microseconds on a monotonic clock, passed in explicitly. The same
 * interface is served by the simulator's virtual clock and by wall-clock time on a real device.
 */
export interface Timer {
  cancel(): void;
}

export interface Scheduler {
  /** Current time in microseconds. */
  now(): number;
  /** Run `fn` at absolute time `time` (µs); a time in the past runs at the next opportunity. */
  at(time: number, fn: () => void): Timer;
  /**
   * Optional: move a timer from this scheduler to `time` (pending, or run already: it runs again),
   * exactly as cancelling it and calling at() anew would order it, but cheaper. False when it
   * cannot (it was cancelled, or the scheduler does not know it): schedule a new one.
   */
  move?(timer: Timer, time: number): boolean;
  /**
   * Optional, with moveReserved: a place in the order of events scheduled at the same time, taken
   * now for a move made later. A timer whose time changes several times in one piece of work
   * moves once at the end, ranked as if it had moved at the last change.
   */
  reserve?(): number;
  /** move(), ranked by a place taken earlier with reserve(). */
  moveReserved?(timer: Timer, time: number, ticket: number): boolean;
}
