/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion number), so events at the
 * same instant run in the order they were scheduled and every run is deterministic. Cancelled
 * events stay in the heap flagged and are skipped when they surface (lazy deletion); the heap is
 * rebuilt when they outnumber the live ones. A pending event may also be moved in place
 * ({@link EventQueue.move}): it then ranks exactly as a new event scheduled at that moment would.
 */
export class SimEvent {
  cancelled = false;
  /** Position in the heap, or -1 once popped. Owned by the queue. */
  index = -1;
  constructor(
    public time: number,
    public order: number,
    readonly fn: () => void,
    private readonly queue: EventQueue,
  ) {}

  /** The event is its own timer handle (Scheduler's Timer), so scheduling allocates one object. */
  cancel(): void {
    this.queue.cancel(this);
  }

  /** Whether this event belongs to `q` (a moved event must stay in its own queue). */
  isIn(q: EventQueue): boolean {
    return this.queue === q;
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

  /**
   * Move an event to `time`, taking the next insertion number: the same order as cancelling it
   * and pushing a new one, without the garbage (a host's retransmission timer moves on every ACK).
   * An event that has run is scheduled again (a link's delivery timer is re-armed after each
   * delivery). False when the event was cancelled.
   */
  move(e: SimEvent, time: number): boolean {
    return this.place(e, time, this.nextOrder++);
  }

  /**
   * The insertion number an event scheduled now would take, taken now: an event placed later with
   * it ({@link EventQueue.place}) ranks exactly as if it had been scheduled or moved at this point.
   */
  reserve(): number {
    return this.nextOrder++;
  }

  /** Move an event (as move) to `time` with an insertion number taken earlier by reserve(). */
  place(e: SimEvent, time: number, order: number): boolean {
    if (e.cancelled || !e.isIn(this)) return false;
    const oldTime = e.time;
    const oldOrder = e.order;
    e.time = time;
    e.order = order;
    if (e.index < 0) {
      this.heap.push(e);
      this.up(this.heap.length - 1);
      return true;
    }
    // A later key sinks; an earlier one rises.
    if (time < oldTime || (time === oldTime && order < oldOrder)) this.up(e.index);
    else this.down(e.index);
    return true;
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
    top.index = -1;
    if (h.length > 0) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }

  private compact(): void {
    for (const e of this.heap) if (e.cancelled) e.index = -1;
    this.heap = this.heap.filter((e) => !e.cancelled);
    this.cancelledCount = 0;
    for (let i = 0; i < this.heap.length; i++) (this.heap[i] as SimEvent).index = i;
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
      const q = h[p] as SimEvent;
      if (!this.less(e, q)) break;
      h[i] = q;
      q.index = i;
      i = p;
    }
    h[i] = e;
    e.index = i;
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
      const m = h[c] as SimEvent;
      if (!this.less(m, e)) break;
      h[i] = m;
      m.index = i;
      i = c;
    }
    h[i] = e;
    e.index = i;
  }
}
