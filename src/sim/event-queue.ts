/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion number), so events at the
 * same instant run in the order they were scheduled and every run is deterministic. Cancelled
 * events stay in the heap flagged and are skipped when they surface (lazy deletion); the heap is
 * rebuilt when they outnumber the live ones.
 */
export class SimEvent {
  cancelled = false;
  constructor(
    readonly time: number,
    readonly order: number,
    readonly fn: () => void,
    private readonly queue: EventQueue,
  ) {}

  /** The event is its own timer handle (Scheduler's Timer), so scheduling allocates one object. */
  cancel(): void {
    this.queue.cancel(this);
  }
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private nextOrder = 0;
  private cancelledCount = 0;

  get size(): number {
    return this.heap.length - this.cancelledCount;
  }

  push(time: number, fn: () => void): SimEvent {
    const e = new SimEvent(time, this.nextOrder++, fn, this);
    this.heap.push(e);
    this.up(this.heap.length - 1);
    return e;
  }

  cancel(e: SimEvent): void {
    if (e.cancelled) return;
    e.cancelled = true;
    this.cancelledCount++;
    if (this.cancelledCount > 64 && this.cancelledCount > this.heap.length / 2) this.compact();
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    this.skipCancelled();
    return this.heap.length === 0 ? Infinity : (this.heap[0] as SimEvent).time;
  }

  pop(): SimEvent | undefined {
    this.skipCancelled();
    return this.popRaw();
  }

  private skipCancelled(): void {
    while (this.heap.length > 0 && (this.heap[0] as SimEvent).cancelled) {
      this.popRaw();
      this.cancelledCount--;
    }
  }

  private popRaw(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0] as SimEvent;
    const last = h.pop() as SimEvent;
    if (h.length > 0) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => !e.cancelled);
    this.cancelledCount = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(a: SimEvent, b: SimEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.order < b.order);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i] as SimEvent;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e, h[p] as SimEvent)) break;
      h[i] = h[p] as SimEvent;
      i = p;
    }
    h[i] = e;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i] as SimEvent;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r] as SimEvent, h[l] as SimEvent) ? r : l;
      if (!this.less(h[c] as SimEvent, e)) break;
      h[i] = h[c] as SimEvent;
      i = c;
    }
    h[i] = e;
  }
}
