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
import { coalesceTcp } from './gso-coalesce.js';

interface TunAddon {
  open(name: string, vnet: number): { fd: number; name: string };
  configure(name: string, addr: string, prefixLen: number, mtu: number, txqueuelen: number): void;
  start(
    fd: number,
    batch: number,
    vnet: number,
    cb: (buf: ArrayBuffer, lengths: Uint32Array) => void,
  ): object;
  stop(handle: object): void;
  write(fd: number, packet: Uint8Array, vnet: number, gsoSize: number, hdrLen: number): number;
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
  /**
   * Join each burst's consecutive TCP segments of a flow into one GSO packet for the kernel
   * (IFF_VNET_HDR; default true). The host and captures still see every segment.
   */
  gso?: boolean;
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
  /** Writes to the kernel (a GSO packet counts once, for all the segments in it). */
  txWrites = 0;
  private fd: number;
  private reader: object | null;
  private vnet: number;
  private pending: Uint8Array[] = [];
  private joinSegments = true;
  private flushQueued = false;

  constructor(
    private readonly lib: TunAddon,
    opts: TunOptions,
  ) {
    this.mtu = opts.mtu ?? 1500;
    this.vnet = opts.gso === false ? 0 : 1;
    const { fd, name } = lib.open(opts.name ?? '', this.vnet);
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
    this.reader = lib.start(fd, opts.batch ?? 256, this.vnet, (buf, lengths) => this.deliver(buf, lengths));
  }

  transmit(packet: Uint8Array): void {
    if (this.fd < 0) return;
    if (!this.vnet) {
      this.write(packet, 0, 0);
      return;
    }
    // A host sends a burst synchronously: gather it and write once the burst is over.
    this.pending.push(packet);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    const burst = this.pending;
    this.pending = [];
    if (this.fd < 0) return;
    if (!this.joinSegments) {
      for (const p of burst) this.write(p, 0, 0);
      return;
    }
    coalesceTcp(burst, 65_000, (p, gsoSize, hdrLen) => {
      // A kernel that refuses GSO from a TUN device gets plain packets from now on; TCP resends
      // what this write lost.
      if (!this.write(p, gsoSize, hdrLen) && gsoSize > 0) this.joinSegments = false;
    });
  };

  private write(p: Uint8Array, gsoSize: number, hdrLen: number): boolean {
    const n = this.lib.write(this.fd, p, this.vnet ? 1 : 0, gsoSize, hdrLen);
    this.txWrites++;
    if (n < 0) {
      this.txDropped += gsoSize > 0 ? Math.ceil((p.length - hdrLen) / gsoSize) : 1;
      return false;
    }
    this.txPackets += gsoSize > 0 ? Math.ceil((p.length - hdrLen) / gsoSize) : 1;
    return true;
  }

  close(): void {
    if (this.pending.length > 0) this.flush();
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
      else {
        this.onReceive?.(pkt);
        // What this packet made the host send (an ACK, the segments it let out) goes now, not
        // after the whole batch: a kernel sender waiting for our ACKs would stall meanwhile.
        if (this.pending.length > 0) this.flush();
      }
    }
  }
}

/** Open and configure a TUN device; throws an Error saying why when it cannot. */
export function openTun(opts: TunOptions = {}): TunDevice {
  const a = tunAvailability();
  if (!a.ok) throw new Error(`cannot open a TUN device: ${a.reason}`);
  return new TunDevice(addon as TunAddon, opts);
}
