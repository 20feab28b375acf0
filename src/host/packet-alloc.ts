import { allocReusable } from '../wire/packet-pool.js';

/** Packets up to this size are carved from a slab; bigger ones get their own buffer. */
const SMALL_MAX = 4096;
const SLAB_BYTES = 64 * 1024;

/**
 * Buffers for the packets a host builds. Allocating a typed array costs far more than writing a
 * small packet into it (an ArrayBuffer and its backing store each time), so small packets (ACKs,
 * SYNs, request/response segments, MTU-sized data) are views carved one after another from a
 * 64 KiB slab, as Node's Buffer pool does for small Buffers. Nothing is ever handed out twice: a
 * view is fresh, zeroed memory, and a slab is reclaimed by the GC once its last packet is gone.
 * Views start 8-byte aligned, so the checksum can read them a word at a time.
 */
export class PacketAllocator {
  private slab = new Uint8Array(0);
  private used = 0;

  alloc(n: number): Uint8Array {
    if (n > SMALL_MAX) return new Uint8Array(n);
    return this.carve(n);
  }

  /**
   * A buffer for a packet whose every byte the caller writes and whose sender keeps no reference
   * to it once transmitted: a recycled one when the pool has one (wire/packet-pool.ts).
   */
  allocReusable(n: number): Uint8Array {
    return allocReusable(n) ?? this.alloc(n);
  }

  private carve(n: number): Uint8Array {
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const v = this.slab.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7;
    return v;
  }
}
