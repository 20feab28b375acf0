/**
 * Recycled buffers for data-carrying packets. Touching fresh memory costs far more than writing a
 * packet into warm memory (a new ArrayBuffer is zeroed, and the pages behind it must be mapped
 * again after each GC), so a packet a receiver has finished with goes back here and is reused for
 * the next one, as a NIC driver recycles its ring buffers.
 *
 * Ownership: a buffer from `allocReusable` is loaned to the packet's sender. Only the last owner,
 * the one that knows nobody else kept a reference (a link that delivered it to a host that kept
 * nothing, with no observer), may hand it back with `releasePacket`; anything else that takes a
 * packet (a capture, a queue that drops it) simply never releases it, and the GC reclaims it as
 * before. A buffer that was not loaned, or was already released, is ignored, so a buffer can never
 * be handed out twice. Every byte of a reused buffer is overwritten by the packet builder.
 */

/** Packets up to this size are carved from a slab when no recycled buffer is at hand. */
export const REUSE_MIN = 513;
/** Size classes are powers of two from 2 KiB to 64 KiB (every IPv4 packet fits the largest). */
const MIN_LOG = 11;
const MAX_LOG = 16;
/** Each class keeps at most this many bytes of idle buffers. */
const IDLE_BYTES_PER_CLASS = 4 << 20;
/**
 * Small packets fall back to the slab unless buffers come back: where nothing is returned (a link
 * with an observer) a 2 KiB buffer per packet would cost more than a slab view. Fresh small
 * buffers are made only while their number stays within a margin of twice the returns seen, so
 * recycling resumes as soon as buffers flow back (packets lost on the way count for nothing).
 */
const SMALL_FRESH_MARGIN = 256;
const SMALL_MAX_LOG = 12;

/** Idle buffers by class; each is the view last handed out over its memory (reused when the size matches). */
const idle: Uint8Array[][] = [];
for (let i = 0; i <= MAX_LOG; i++) idle.push([]);
/**
 * Every pooled buffer's state: true while loaned, false while idle. Entries are updated, never
 * deleted (no table churn per packet), and vanish with a buffer the GC reclaims (one dropped on
 * the way), so nothing leaks.
 */
const loaned = new WeakMap<ArrayBuffer, boolean>();
let smallFresh = 0;
let smallReturned = 0;

/**
 * Where fresh pooled buffers come from. A typed array is zeroed first, a pass over the memory
 * that the packet builder's own writes make useless; a platform with uninitialised memory (Node's
 * Buffer.allocUnsafeSlow) installs it with usePacketMemory. This matters once receivers keep
 * packets (claimPacket) and every data packet needs fresh memory.
 */
let fresh = (n: number): Uint8Array => new Uint8Array(n);

/**
 * Make fresh packet buffers with `alloc`: n bytes, the whole of a new ArrayBuffer, content
 * arbitrary (every byte of a packet is written before it is sent).
 */
export function usePacketMemory(alloc: (n: number) => Uint8Array): void {
  fresh = alloc;
}

function classOf(n: number): number {
  const log = 32 - Math.clz32(n - 1);
  return log < MIN_LOG ? MIN_LOG : log;
}

/**
 * A buffer of exactly `n` bytes (a view of a pooled one) whose previous content is arbitrary, or
 * null when the caller should use its own allocator (n out of range, or small and nothing idle).
 */
export function allocReusable(n: number): Uint8Array | null {
  if (n < REUSE_MIN || n > 1 << MAX_LOG) return null;
  const log = classOf(n);
  const list = idle[log] as Uint8Array[];
  let p = list.pop();
  if (p === undefined) {
    if (log <= SMALL_MAX_LOG) {
      if (smallFresh >= 2 * smallReturned + SMALL_FRESH_MARGIN) return null;
      smallFresh++;
    }
    // A plain view, whatever kind of array the allocator makes, so packets are all of one kind.
    const fab = fresh(1 << log).buffer as ArrayBuffer;
    loaned.set(fab, true);
    return new Uint8Array(fab, 0, n);
  }
  const ab = p.buffer as ArrayBuffer;
  if (p.length !== n) p = new Uint8Array(ab, 0, n);
  loaned.set(ab, true);
  return p;
}

/**
 * Something that may keep a reference saw the packet (a capture hook, a link observer, a drop
 * hook): its buffer must never be reused, whoever finishes with the packet later (a router
 * forwards it on, and the last link would otherwise hand it back).
 */
export function taintPacket(p: Uint8Array): void {
  const ab = p.buffer as ArrayBuffer;
  if (loaned.get(ab) === true) loaned.delete(ab);
}

/**
 * Take a loaned packet's memory for good, for a receiver that keeps part of it (a segment queued
 * by reference, whose reader will own it): true when nobody else can hold it (it is loaned and
 * untainted). It is then no longer the pool's, and a later releasePacket ignores it.
 */
export function claimPacket(p: Uint8Array): boolean {
  const ab = p.buffer as ArrayBuffer;
  if (loaned.get(ab) !== true) return false;
  loaned.delete(ab);
  return true;
}

/** Give a loaned packet buffer back; the caller guarantees nothing references it any more. */
export function releasePacket(p: Uint8Array): void {
  const ab = p.buffer as ArrayBuffer;
  if (p.byteOffset !== 0 || loaned.get(ab) !== true) return;
  loaned.set(ab, false);
  const log = classOf(ab.byteLength);
  if (log <= SMALL_MAX_LOG) smallReturned++;
  const list = idle[log] as Uint8Array[];
  if (list.length * (1 << log) < IDLE_BYTES_PER_CLASS) list.push(p);
}
