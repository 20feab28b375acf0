import { SkbQueue } from './skb-queue.js';

/**
 * The send queue: bytes from SND.UNA onwards (sent but unacknowledged, then not yet sent), in a
 * ring. Segments are built from views into the ring, so data is copied once, from the
 * application, and never again until it is acknowledged. `capacity` is Linux's sk_sndbuf, and
 * the queue is charged as Linux charges it, by skb (sk_wmem_queued, skb-queue.ts).
 */
/** The storage of an empty buffer: shared, never written (writes reserve real storage first). */
const NO_BYTES = new Uint8Array(0);

export class SendBuffer {
  readonly skbs = new SkbQueue();

  private buf: Uint8Array;
  private head = 0;
  private len = 0;

  constructor(
    public capacity: number,
    initial = 4096,
  ) {
    this.buf = initial > 0 ? new Uint8Array(Math.min(capacity, initial)) : NO_BYTES;
  }

  /** Bytes held (unacknowledged plus unsent). */
  get length(): number {
    return this.len;
  }

  /** sk_wmem_queued: the queue's charge against `capacity` (sk_sndbuf). */
  get wmemQueued(): number {
    return this.skbs.wmemQueued;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.skbs.wmemQueued);
  }

  /**
   * Append what one skb takes of `data` (the unsent tail skb up to `sizeGoal`, or a new skb while
   * sk_wmem_queued is below sk_sndbuf); returns the number of bytes taken.
   */
  write(data: Uint8Array, sizeGoal: number): number {
    const n = this.skbs.append(data.length, sizeGoal, this.capacity);
    if (n === 0) return 0;
    this.reserve(this.len + n);
    const cap = this.buf.length;
    const tail = (this.head + this.len) % cap;
    const first = Math.min(n, cap - tail);
    if (first === data.length) this.buf.set(data, tail);
    else {
      this.buf.set(data.subarray(0, first), tail);
      if (n > first) this.buf.set(data.subarray(first, n), 0);
    }
    this.len += n;
    return n;
  }

  /** Drop `n` acknowledged bytes from the front. */
  consume(n: number): void {
    const k = Math.min(n, this.len);
    this.skbs.consume(k);
    this.head = (this.head + k) % this.buf.length;
    this.len -= k;
    if (this.len === 0) this.head = 0;
  }

  /**
   * A contiguous view of up to `n` bytes starting `offset` bytes after the front. At the ring's
   * wrap point the view is shorter than asked; the caller sends what it gets and asks again.
   */
  view(offset: number, n: number): Uint8Array {
    const cap = this.buf.length;
    const avail = Math.max(0, Math.min(n, this.len - offset));
    const start = (this.head + offset) % cap;
    return this.buf.subarray(start, start + Math.min(avail, cap - start));
  }

  /** Release the memory of an idle, empty buffer (idle connections hold no buffers). */
  shrink(): void {
    if (this.len === 0 && this.buf.length > 4096) {
      this.buf = NO_BYTES;
      this.head = 0;
    }
  }

  private reserve(need: number): void {
    if (need <= this.buf.length) return;
    // Double, so that a buffer whose capacity grows step by step (auto-tuning) is not copied at
    // every step.
    let size = Math.max(this.buf.length * 2, 4096);
    while (size < need) size *= 2;
    const nb = new Uint8Array(size);
    const old = this.buf;
    if (this.len > 0) {
      const first = Math.min(this.len, old.length - this.head);
      nb.set(old.subarray(this.head, this.head + first), 0);
      if (this.len > first) nb.set(old.subarray(0, this.len - first), first);
    }
    this.buf = nb;
    this.head = 0;
  }
}
