/**
 * The receive queue and the out-of-order queue in one ring (RFC 9293 §3.10.7.4 "segment text"):
 * bytes are copied once, to their place relative to RCV.NXT, whether they arrive in order or not.
 * In-order bytes wait to be read; out-of-order ones are tracked as ranges (offsets from RCV.NXT)
 * until the hole before them fills. The ring never holds more than its capacity, which is what
 * the advertised window promises, so the out-of-order queue is bounded by the window.
 *
 * Large in-order segments may instead be queued as they came, by reference (`keep`), as Linux
 * queues the skbs themselves: while nothing waits in the ring or out of order, a segment whose
 * memory the caller gives up is held as a view and handed to the reader without a copy
 * (`readChunk`). Any other write first copies the held views into the ring, so the ring's rules
 * apply unchanged; the counts (readable, space) are the same whichever way bytes are held.
 */
export interface Range {
  start: number;
  end: number;
  /** When a segment last arrived in this range (for the SACK block order, RFC 2018 §4). */
  touched?: number;
}

/** What a write did; one object for all buffers, reused (the caller reads it before the next write). */
export interface WriteResult {
  /** How far RCV.NXT advances. */
  advance: number;
  /** Every byte was already held out of order (a duplicate, RFC 2883). */
  duplicate: boolean;
  /** The first stretch already held out of order that this write covered again (offsets from
   * RCV.NXT before the write), for a DSACK; dupEnd <= dupStart when there is none. */
  dupStart: number;
  dupEnd: number;
  /** Bytes of the write that were not stored (beyond the buffer, or too many holes). */
  dropped: number;
}

/**
 * Out-of-order ranges allowed per KiB of buffer. Linux charges each queued sk_buff its truesize
 * (about 1 KiB even for a one-byte segment), so a buffer holds only so many separate pieces; a
 * peer sending one byte in every other position would otherwise make a range per two bytes.
 */
const OOO_RANGES_PER_KIB = 1;
const MIN_OOO_RANGES = 16;

/** The storage of an empty buffer: shared, never written (writes reserve real storage first). */
const NO_BYTES = new Uint8Array(0);

/** No views held: shared, never written. */
const NO_VIEWS: Uint8Array[] = [];

/**
 * Segments at least this large may be held by reference: one such segment is what a read takes
 * (readers ask for 64 KiB at a time, as Node's net does), so handing it over saves both copies;
 * smaller ones are gathered in the ring, where one read takes many at once.
 */
export const KEEP_MIN = 32 * 1024;

/** The result of every write (idle connections hold no object of their own for it). */
const RESULT: WriteResult = { advance: 0, duplicate: false, dupStart: 0, dupEnd: 0, dropped: 0 };

export class RecvBuffer {
  private buf: Uint8Array = NO_BYTES;
  private head = 0;
  private readableBytes = 0;
  /**
   * In-order segments held by reference, oldest first; readable bytes are these while any are
   * held (the ring then holds nothing readable and nothing out of order).
   */
  private views: Uint8Array[] = NO_VIEWS;
  private viewBytes = 0;
  /** Out-of-order ranges, offsets from RCV.NXT, sorted and disjoint. */
  readonly ooo: Range[] = [];
  /** Index in `ooo` of the range the latest segment touched (RFC 2018 §4: report it first). */
  recent = -1;
  private touches = 0;

  constructor(public capacity: number) {}

  /** In-order bytes waiting for the application. */
  get readable(): number {
    return this.readableBytes;
  }

  /** Bytes out of order beyond RCV.NXT. */
  get oooBytes(): number {
    const ooo = this.ooo;
    let n = 0;
    for (let i = 0; i < ooo.length; i++) n += (ooo[i] as Range).end - (ooo[i] as Range).start;
    return n;
  }

  /** Space beyond RCV.NXT the window may offer. */
  get space(): number {
    return Math.max(0, this.capacity - this.readableBytes);
  }

  /**
   * Store `data` that starts `offset` bytes after RCV.NXT (offset ≥ 0; the caller trims what is
   * already received). The result says how far RCV.NXT advances; it is reused by the next write.
   * Bytes past the capacity are dropped.
   */
  write(offset: number, data: Uint8Array): WriteResult {
    const res = RESULT;
    res.advance = 0;
    res.duplicate = false;
    res.dupStart = res.dupEnd = 0;
    res.dropped = 0;
    // Bytes beyond the buffer are dropped, except that an in-order segment arriving while the
    // buffer is below its size is taken whole (Linux's tcp_try_rmem_schedule checks the memory
    // already used, not the segment's end): at most one segment over.
    const room = offset === 0 && this.readableBytes < this.capacity ? data.length : this.space - offset;
    const n = Math.min(data.length, room);
    if (n <= 0) {
      res.dropped = data.length;
      return res;
    }
    res.dropped = data.length - n;
    if (this.viewBytes > 0) this.unkeep();
    if (offset > 0 && this.ooo.length >= this.maxRanges && !this.touchesRange(offset, offset + n)) {
      // Another separate piece would pass what the buffer may hold (Linux's TCPOFODrop).
      res.dropped = data.length;
      return res;
    }
    this.reserve(this.readableBytes + offset + n);
    const cap = this.buf.length;
    const at = (this.head + this.readableBytes + offset) % cap;
    const first = Math.min(n, cap - at);
    if (first === data.length) this.buf.set(data, at);
    else {
      this.buf.set(data.subarray(0, first), at);
      if (n > first) this.buf.set(data.subarray(first, n), 0);
    }
    if (offset === 0 && this.ooo.length === 0) {
      // The common case: in order, nothing waiting behind a hole.
      this.readableBytes += n;
      res.advance = n;
      return res;
    }
    res.duplicate = this.covered(offset, offset + n);
    for (const r of this.ooo) {
      if (r.start < offset + n && r.end > offset) {
        res.dupStart = Math.max(r.start, offset);
        res.dupEnd = Math.min(r.end, offset + n);
        break;
      }
    }
    this.insert(offset, offset + n);
    const head = this.ooo[0];
    if (head && head.start <= 0) {
      const advance = head.end;
      this.ooo.shift();
      this.recent = this.recent > 0 ? this.recent - 1 : -1;
      for (const r of this.ooo) {
        r.start -= advance;
        r.end -= advance;
      }
      this.readableBytes += advance;
      res.advance = advance;
    }
    return res;
  }

  /**
   * Whether an in-order segment of n bytes may be held by reference (`keep`): it is large, and
   * would be stored whole with nothing in the ring before it or out of order after it.
   */
  canKeep(n: number): boolean {
    return (
      n >= KEEP_MIN &&
      this.readableBytes === this.viewBytes &&
      this.ooo.length === 0 &&
      this.readableBytes < this.capacity
    );
  }

  /**
   * Store in-order `data` by reference (only when canKeep said so). The caller gives its memory
   * up: nothing else may change it, and the reader it goes to will own it. Counts as write(0, data).
   */
  keep(data: Uint8Array): WriteResult {
    const res = RESULT;
    res.duplicate = false;
    res.dupStart = res.dupEnd = 0;
    res.dropped = 0;
    res.advance = data.length;
    if (this.views === NO_VIEWS) this.views = [];
    this.views.push(data);
    this.viewBytes += data.length;
    this.readableBytes += data.length;
    return res;
  }

  /**
   * Take up to `max` in-order bytes out as one array the caller then owns: the oldest held
   * segment itself (or its front) when it has them all, else a copy into `alloc(n)` (which
   * returns n bytes). Null when nothing is readable.
   */
  readChunk(max: number, alloc: (n: number) => Uint8Array): Uint8Array | null {
    const n = Math.min(max, this.readableBytes);
    if (n === 0) return null;
    const v = this.viewBytes > 0 ? (this.views[0] as Uint8Array) : null;
    if (v === null || v.length < n) {
      const dst = alloc(n);
      this.read(dst);
      return dst;
    }
    if (v.length === n) this.views.shift();
    else this.views[0] = v.subarray(n);
    this.viewBytes -= n;
    this.readableBytes -= n;
    return n === v.length ? v : v.subarray(0, n);
  }

  /** Copy up to dst.length in-order bytes out; returns the count. */
  read(dst: Uint8Array): number {
    const n = Math.min(dst.length, this.readableBytes);
    if (n === 0) return 0;
    if (this.viewBytes > 0) return this.readViews(dst, n);
    const cap = this.buf.length;
    const first = Math.min(n, cap - this.head);
    dst.set(this.buf.subarray(this.head, this.head + first), 0);
    if (n > first) dst.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % cap;
    this.readableBytes -= n;
    if (this.readableBytes === 0 && this.ooo.length === 0) this.head = 0;
    return n;
  }

  /** Copy n bytes (all held by reference) into dst, dropping the views emptied. */
  private readViews(dst: Uint8Array, n: number): number {
    const views = this.views;
    let done = 0;
    while (done < n) {
      const v = views[0] as Uint8Array;
      const k = Math.min(v.length, n - done);
      dst.set(k === v.length ? v : v.subarray(0, k), done);
      done += k;
      if (k === v.length) views.shift();
      else views[0] = v.subarray(k);
    }
    this.viewBytes -= n;
    this.readableBytes -= n;
    return n;
  }

  /** Copy the segments held by reference into the (then empty) ring, so that it holds everything. */
  private unkeep(): void {
    this.head = 0;
    this.reserve(this.viewBytes);
    let at = 0;
    for (const v of this.views) {
      this.buf.set(v, at);
      at += v.length;
    }
    this.views.length = 0;
    this.viewBytes = 0;
  }

  /** Release memory when empty (idle connections hold no buffers). */
  shrink(): void {
    if (this.readableBytes === 0 && this.ooo.length === 0) {
      this.buf = NO_BYTES;
      this.head = 0;
    }
  }

  /** How many separate out-of-order ranges the buffer may hold. */
  get maxRanges(): number {
    return Math.max(MIN_OOO_RANGES, (this.capacity >>> 10) * OOO_RANGES_PER_KIB);
  }

  /** Whether [start, end) touches or overlaps a range already held (so it adds no new piece). */
  private touchesRange(start: number, end: number): boolean {
    for (const r of this.ooo) if (r.start <= end && start <= r.end) return true;
    return false;
  }

  /**
   * Throw away everything held out of order (Linux's tcp_prune_ofo_queue under memory pressure);
   * the peer resends it. Returns the bytes freed.
   */
  pruneOoo(): number {
    const freed = this.oooBytes;
    this.ooo.length = 0;
    this.recent = -1;
    return freed;
  }

  private covered(start: number, end: number): boolean {
    if (end <= 0) return true;
    for (const r of this.ooo) if (r.start <= start && end <= r.end) return true;
    return false;
  }

  private insert(start: number, end: number): void {
    const list = this.ooo;
    let i = 0;
    while (i < list.length && (list[i] as Range).end < start) i++;
    let s = start;
    let e = end;
    let j = i;
    while (j < list.length && (list[j] as Range).start <= e) {
      s = Math.min(s, (list[j] as Range).start);
      e = Math.max(e, (list[j] as Range).end);
      j++;
    }
    list.splice(i, j - i, { start: s, end: e, touched: ++this.touches });
    this.recent = i;
  }

  private reserve(need: number): void {
    if (need <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 4096);
    while (size < need) size *= 2;
    const nb = new Uint8Array(size);
    const old = this.buf;
    // The whole old ring, in order from head (out-of-order bytes live beyond the readable ones).
    nb.set(old.subarray(this.head), 0);
    nb.set(old.subarray(0, this.head), old.length - this.head);
    this.buf = nb;
    this.head = 0;
  }
}
