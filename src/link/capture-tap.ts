import type { NetDevice } from './device.js';

/**
 * Wrap a device so that everything a host sends and receives on it is seen, like tcpdump on an
 * interface. The callback runs synchronously with the packet; it must copy what it keeps if the
 * packet's owner may change it later (the pcap writer copies).
 */
export function tapDevice(
  device: NetDevice,
  onPacket: (direction: 'in' | 'out', packet: Uint8Array) => void,
): NetDevice {
  const tapped: NetDevice = {
    get mtu() {
      return device.mtu;
    },
    get checksumOffload() {
      return device.checksumOffload;
    },
    transmit(packet: Uint8Array): void {
      onPacket('out', packet);
      device.transmit(packet);
    },
    onReceive: null,
  };
  device.onReceive = (packet) => {
    onPacket('in', packet);
    tapped.onReceive?.(packet);
  };
  return tapped;
}
