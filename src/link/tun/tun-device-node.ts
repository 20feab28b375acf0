/**
 * A TUN link for Linux: raw IPv4 packets between a synack host and the kernel. The native addon
 * (native/tun, built at install when possible) reads the device on Node's event loop with uv_poll
 * in batches; this file wraps it as a NetDevice. Everything here is optional: where the addon or
 * /dev/net/tun is missing, `tunAvailability()` says why and the rest of synack is unaffected.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { NetDevice } from '../device.js';

interface TunAddon {
  open(name: string): { fd: number; name: string };
  configure(name: string, addr: string, prefixLen: number, mtu: number, txqueuelen: number): void;
  start(fd: number, batch: number, cb: (buf: ArrayBuffer, lengths: Uint32Array) => void): object;
  stop(handle: object): void;
  write(fd: number, packet: Uint8Array): number;
  close(fd: number): void;
}

const ADDON_PATH = fileURLToPath(
  new URL('../../../native/tun/build/Release/synack_tun.node', import.meta.url),
);

let addon: TunAddon | null = null;
let addonError = '';

function loadAddon(): TunAddon | null {
  if (addon || addonError) return addon;
  if (!existsSync(ADDON_PATH)) {
    addonError = `the TUN addon is not built (${ADDON_PATH} missing; run "node native/tun/build.js")`;
    return null;
  }
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as TunAddon;
  } catch (err) {
    addonError = `the TUN addon failed to load: ${(err as Error).message}`;
  }
  return addon;
}

export type Availability = { ok: true } | { ok: false; reason: string };

/** Whether a TUN device can be opened here, and if not, why. */
export function tunAvailability(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'TUN devices are Linux-only' };
  if (!existsSync('/dev/net/tun')) return { ok: false, reason: '/dev/net/tun does not exist' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'creating a TUN device needs root (CAP_NET_ADMIN)' };
  }
  if (!loadAddon()) return { ok: false, reason: addonError };
  return { ok: true };
}

export interface TunOptions {
  /** Interface name (default: the kernel picks tunN). */
  name?: string;
  mtu?: number;
  /** The kernel's side of the link, e.g. "192.0.2.1/24": assigned to the interface, which is brought up. */
  peer?: string;
  /** Packets read per event-loop wake-up at most (default 256). */
  batch?: number;
  /**
   * The kernel's queue of packets for synack to read (the interface's txqueuelen; default 8192):
   * what a burst from many peers at once can fill while JavaScript handles the previous batch.
   */
  txqueuelen?: number;
}

export class TunDevice implements NetDevice {
  readonly mtu: number;
  readonly checksumOffload = false;
  readonly name: string;
  onReceive: ((packet: Uint8Array) => void) | null = null;
  rxPackets = 0;
  rxBatches = 0;
  /** Packets read that were not IPv4 (the host speaks IPv4 only). */
  rxNotIpv4 = 0;
  txPackets = 0;
  txDropped = 0;
  private fd: number;
  private reader: object | null;

  constructor(
    private readonly lib: TunAddon,
    opts: TunOptions,
  ) {
    this.mtu = opts.mtu ?? 1500;
    const { fd, name } = lib.open(opts.name ?? '');
    this.fd = fd;
    this.name = name;
    try {
      if (opts.peer) {
        const [addr, len] = opts.peer.split('/');
        lib.configure(name, addr ?? '', Number(len ?? 24), this.mtu, opts.txqueuelen ?? 8192);
      }
    } catch (err) {
      lib.close(fd);
      throw err;
    }
    this.reader = lib.start(fd, opts.batch ?? 256, (buf, lengths) => this.deliver(buf, lengths));
  }

  transmit(packet: Uint8Array): void {
    if (this.fd < 0) return;
    const n = this.lib.write(this.fd, packet);
    if (n < 0) this.txDropped++;
    else this.txPackets++;
  }

  close(): void {
    if (this.reader) this.lib.stop(this.reader);
    this.reader = null;
    if (this.fd >= 0) this.lib.close(this.fd);
    this.fd = -1;
  }

  private deliver(buf: ArrayBuffer, lengths: Uint32Array): void {
    this.rxBatches++;
    let off = 0;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i] as number;
      const pkt = new Uint8Array(buf, off, len);
      off += len;
      this.rxPackets++;
      if (len === 0 || (pkt[0] as number) >> 4 !== 4) this.rxNotIpv4++;
      else this.onReceive?.(pkt);
    }
  }
}

/** Open and configure a TUN device; throws an Error saying why when it cannot. */
export function openTun(opts: TunOptions = {}): TunDevice {
  const a = tunAvailability();
  if (!a.ok) throw new Error(`cannot open a TUN device: ${a.reason}`);
  return new TunDevice(addon as TunAddon, opts);
}
