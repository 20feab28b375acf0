/**
 * A binary min-heap of objects keyed by their deadline (µs). Entries carry their own heap index so
 * that moving a deadline (every ACK re-arms the retransmission timer) is O(log n) with no
 * allocation and no stale entries. One instance per host holds every connection with a timer.
 */
export interface HeapEntry {
  /** Position in the heap, or -1 when absent. Owned by the heap. */
  heapIndex: number;
  /** The time the entry wants to be woken (µs); Infinity means never. */
  readonly nextDeadline: number;
}

export class DeadlineHeap<T extends HeapEntry> {
  private readonly items: T[] = [];
  /** The deadline each entry had when last placed (entries may change theirs before `update`). */
  private keys: Float64Array = new Float64Array(16);

  get size(): number {
    return this.items.length;
  }

  /** Earliest deadline in the heap, or Infinity. */
  peekDeadline(): number {
    return this.items.length === 0 ? Infinity : (this.keys[0] as number);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Insert, move or remove `e` according to its current `nextDeadline`. */
  update(e: T): void {
    const d = e.nextDeadline;
    if (d === Infinity) {
      this.remove(e);
      return;
    }
    if (e.heapIndex < 0) {
      const i = this.items.length;
      if (i === this.keys.length) {
        const k = new Float64Array(this.keys.length * 2);
        k.set(this.keys);
        this.keys = k;
      }
      this.items.push(e);
      this.keys[i] = d;
      e.heapIndex = i;
      this.up(i);
      return;
    }
    const i = e.heapIndex;
    const old = this.keys[i] as number;
    this.keys[i] = d;
    if (d < old) this.up(i);
    else if (d > old) this.down(i);
  }

  remove(e: T): void {
    const i = e.heapIndex;
    if (i < 0) return;
    e.heapIndex = -1;
    const last = this.items.length - 1;
    const lastItem = this.items.pop() as T;
    if (i === last) return;
    this.items[i] = lastItem;
    this.keys[i] = this.keys[last] as number;
    lastItem.heapIndex = i;
    this.down(i);
    this.up(lastItem.heapIndex);
  }

  /**
   * Put `next` in `prev`'s place with `prev`'s key (`next` must want the same deadline): the heap's
   * order, and so the order entries with equal deadlines come due, stays exactly as it was.
   */
  replace(prev: T, next: T): void {
    const i = prev.heapIndex;
    if (i < 0) return;
    prev.heapIndex = -1;
    this.items[i] = next;
    next.heapIndex = i;
  }

  /** Remove and return the earliest entry if its deadline is ≤ now. */
  popDue(now: number): T | undefined {
    if (this.items.length === 0 || (this.keys[0] as number) > now) return undefined;
    const top = this.items[0] as T;
    this.remove(top);
    return top;
  }

  private up(i: number): void {
    const items = this.items;
    const keys = this.keys;
    const e = items[i] as T;
    const k = keys[i] as number;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((keys[p] as number) <= k) break;
      items[i] = items[p] as T;
      keys[i] = keys[p] as number;
      (items[i] as T).heapIndex = i;
      i = p;
    }
    items[i] = e;
    keys[i] = k;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const keys = this.keys;
    const n = items.length;
    const e = items[i] as T;
    const k = keys[i] as number;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (keys[r] as number) < (keys[l] as number) ? r : l;
      if ((keys[c] as number) >= k) break;
      items[i] = items[c] as T;
      keys[i] = keys[c] as number;
      (items[i] as T).heapIndex = i;
      i = c;
    }
    items[i] = e;
    keys[i] = k;
    e.heapIndex = i;
  }
}
