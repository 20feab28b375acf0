/**
 * The device interface a host is driven through: raw IPv4 packets in and out. A simulated wire, a
 * TUN device, a capture tap or a test harness that injects packets all implement it.
 *
 * Ownership: a buffer passed to `transmit` belongs to the device from then on; a buffer handed to
 * `onReceive` belongs to the host.
 */
export interface NetDevice {
  /** Largest IPv4 packet the device carries, in bytes. */
  readonly mtu: number;
  /**
   * True when the device guarantees integrity (like Linux's loopback), so checksums may be skipped
   * on send and not verified on receive.
   */
  readonly checksumOffload: boolean;
  /** Host → wire. */
  transmit(packet: Uint8Array): void;
  /**
   * Wire → host. Set by whoever attaches the device (normally Host.addInterface). Returning true
   * tells the device that the receiver kept no reference to the packet, so a device that knows
   * nobody else did may recycle its buffer (wire/packet-pool.ts).
   */
  onReceive: ((packet: Uint8Array) => unknown) | null;
}
