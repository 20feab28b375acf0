/**
 * Buffers for the data a Socket reads. Each read hands the application a Buffer it owns, so each
 * needs memory of its own; Node's Buffer.allocUnsafe carves small ones from an 8 KiB pool and
 * makes a new pool every few segment-sized reads, and making an ArrayBuffer costs far more than
 * carving a view. Reads here are carved one after another from a 64 KiB slab (the largest read),
 * so a bulk transfer over MTU-sized segments makes one ArrayBuffer per 45 reads instead of per 5.
 * As with Node's pool, a slab lives while any Buffer carved from it does; nothing is reused.
 */
const SLAB_BYTES = 64 * 1024;

let slab: Buffer | null = null;
let used = SLAB_BYTES;

/** A Buffer of n bytes (n ≤ 64 KiB) with arbitrary content, for the caller to fill entirely. */
export function readBuffer(n: number): Buffer {
  if (slab === null || n > SLAB_BYTES - used) {
    // A read that fills a slab by itself gets its own memory, as Node's allocUnsafe does.
    if (n > SLAB_BYTES / 2) return Buffer.allocUnsafeSlow(n);
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    used = 0;
  }
  // A Buffer's subarray is a Buffer over the same memory (Buffer's species), made without the
  // argument checks of Buffer.from(arrayBuffer, offset, length): about half the cost per read.
  const b = slab.subarray(used, used + n);
  used += (n + 7) & ~7;
  return b;
}
