/**
 * How Linux charges the send queue against the send buffer: sk_wmem_queued counts every skb in
 * the write and retransmission queues at its truesize, payload plus a fixed overhead (struct
 * sk_buff and its header room). Measured on Linux 6.18 (x86-64) through SO_MEMINFO: an empty skb
 * (the SYN) costs 832 bytes, and each further skb adds 832 bytes on top of its payload.
 *
 * The skb layout follows what tcp_sendmsg_locked and tcp_write_xmit make of it:
 * - a write appends to the last unsent skb up to the size goal (tcp_xmit_size_goal) with no
 *   memory check, and opens a new skb only while sk_wmem_queued < sk_sndbuf
 *   (sk_stream_memory_free);
 * - every TSO packet sent is one skb (tso_fragment splits the rest off; tcp_grow_skb, since
 *   Linux 6.10, pulls bytes from the following skbs into the head one);
 * - an ACK frees whole skbs and trims a partly acknowledged one (tcp_trim_head).
 */

/** Truesize of an skb beyond its payload, in bytes (Linux 6.18, x86-64, measured). */
export const SKB_TRUESIZE_OVERHEAD = 832;

/** An empty queue's list: shared, never written (a queue makes its own at the first skb). */
const NO_LENS: number[] = [];

export class SkbQueue {
  /**
   * Payload bytes of each skb from SND.UNA on, oldest first, in lens[head, end). The list is kept
   * once made, emptied by moving the indices: a request/response connection empties its queue on
   * every ACK and would otherwise make a new list for every write.
   */
  private lens: number[] = NO_LENS;
  private head = 0;
  private end = 0;
  /** Skbs (from `head`) that hold only sent bytes. */
  private sentSkbs = 0;
  /** Bytes from SND.UNA that have been sent. */
  private sentBytes = 0;
  private bytes = 0;
  /** The last skb takes no more data (MSG_EOR: tcp_skb_can_collapse_to). */
  private tailClosed = false;

  get count(): number {
    return this.end - this.head;
  }

  /** sk_wmem_queued: payload plus each skb's overhead. */
  get wmemQueued(): number {
    return this.bytes + this.count * SKB_TRUESIZE_OVERHEAD;
  }

  /**
   * Take up to `want` bytes of a write into the queue, filling at most one skb: the unsent tail
   * skb while it is below `sizeGoal`, else a new skb if sk_wmem_queued is below `sndbuf`.
   * Returns the bytes taken (0: the writer must wait for space).
   */
  append(want: number, sizeGoal: number, sndbuf: number): number {
    if (want <= 0) return 0;
    const last = this.end - 1;
    if (this.count > this.sentSkbs && !this.tailClosed) {
      const room = sizeGoal - (this.lens[last] as number);
      if (room > 0) {
        const n = Math.min(room, want);
        this.lens[last] = (this.lens[last] as number) + n;
        this.bytes += n;
        return n;
      }
    }
    if (this.wmemQueued >= sndbuf) return 0;
    const n = Math.min(sizeGoal, want);
    if (this.lens === NO_LENS) this.lens = [];
    if (this.end < this.lens.length) this.lens[this.end] = n;
    else this.lens.push(n);
    this.end++;
    this.bytes += n;
    this.tailClosed = false;
    return n;
  }

  /** Whether the unsent tail skb is full at `sizeGoal` (or closed): tcp_sendmsg pushes then. */
  tailFull(sizeGoal: number): boolean {
    if (this.count <= this.sentSkbs) return true;
    return this.tailClosed || (this.lens[this.end - 1] as number) >= sizeGoal;
  }

  /** No more bytes go into the last skb (it ends an MSG_EOR record). */
  closeTail(): void {
    this.tailClosed = true;
  }

  /** Bytes up to `sentTo` (from SND.UNA) went out: those since the last call become one skb. */
  markSent(sentTo: number): void {
    let n = Math.min(sentTo, this.bytes) - this.sentBytes;
    if (n <= 0) return;
    const lens = this.lens;
    const at = this.head + this.sentSkbs;
    let i = at;
    while (n > 0 && i < this.end) {
      const l = lens[i] as number;
      if (l <= n) {
        n -= l;
        i++;
      } else {
        lens[i] = l - n;
        n = 0;
      }
    }
    const unit = Math.min(sentTo, this.bytes) - this.sentBytes;
    // lens[at, i) become the one skb `unit` (in place: no list made per segment).
    if (i === at) {
      // Part of one skb went: the sent part is a new skb in front of the rest.
      if (this.end < lens.length) lens[this.end] = 0;
      else lens.push(0);
      for (let k = this.end; k > at; k--) lens[k] = lens[k - 1] as number;
      this.end++;
    } else if (i > at + 1) {
      for (let k = i; k < this.end; k++) lens[k - (i - at - 1)] = lens[k] as number;
      this.end -= i - at - 1;
    }
    lens[at] = unit;
    this.sentSkbs++;
    this.sentBytes += unit;
    if (this.count === this.sentSkbs) this.tailClosed = false;
  }

  /** `n` bytes were acknowledged: free the skbs they cover and trim a partly covered one. */
  consume(n: number): void {
    let left = Math.min(n, this.bytes);
    this.bytes -= left;
    this.sentBytes = Math.max(0, this.sentBytes - left);
    while (left > 0 && this.head < this.end) {
      const l = this.lens[this.head] as number;
      if (l <= left) {
        left -= l;
        this.head++;
        if (this.sentSkbs > 0) this.sentSkbs--;
      } else {
        this.lens[this.head] = l - left;
        left = 0;
      }
    }
    if (this.head > 64 && this.head * 2 > this.end) {
      this.lens.copyWithin(0, this.head, this.end);
      this.end -= this.head;
      this.lens.length = this.end;
      this.head = 0;
    }
    if (this.count === 0) {
      // Empty: the list stays for the next write (its stale entries are never read).
      this.head = 0;
      this.end = 0;
      this.sentSkbs = 0;
      this.sentBytes = 0;
      this.tailClosed = false;
    }
  }
}

/**
 * Linux's tcp_xmit_size_goal: how much one skb of a write holds: the GSO limit less header room
 * (sk_gso_max_size, 65536 - MAX_TCP_HEADER - 1 on a device with the legacy 64 KB limit), bounded
 * to half the largest window the peer has offered (tcp_bound_to_half_wnd), in whole MSS.
 */
export function sizeGoal(mss: number, maxWindow: number): number {
  let goal = 65536 - 321;
  const cutoff = maxWindow > 536 ? maxWindow >> 1 : maxWindow;
  if (cutoff > 0 && goal > cutoff) goal = Math.max(cutoff, 68);
  const m = Math.max(mss, 1);
  return Math.max(Math.floor(goal / m) * m, m);
}
