/**
 * A synack host on a real TUN device, on wall-clock time: the device (its kernel side configured
 * and up), optionally the fault model in front of it and a capture, the host, and Node's net over
 * it. `synack tun` and the TUN benchmark both start here.
 */
import { Host } from '../host/host.js';
import { tapDevice } from '../link/capture-tap.js';
import type { NetDevice } from '../link/device.js';
import type { LinkImpairments } from '../link/fault-model.js';
import { impairDevice, type ImpairedDevice } from '../link/impaired-device.js';
import { openPcapFile } from '../link/pcap-file-node.js';
import { openTun, type TunDevice } from '../link/tun/tun-device-node.js';
import { createNet, type SynackNet } from '../net/index.js';
import { TcpConnection } from '../tcp/connection.js';
import { TcpListener } from '../tcp/listener.js';
import { Rng } from '../sim/rng.js';
import { WallClockScheduler } from '../sim/wall-clock.js';
import { Sockets } from '../socket/sockets.js';
import { parseCidr } from '../wire/ipv4-addr.js';

export interface TunSessionOptions {
  name?: string;
  /** synack's address on the link. */
  address: string;
  /** The kernel's side, with the prefix length both sides use: '192.0.2.1/24'. */
  peer: string;
  mtu: number;
  settings?: Record<string, string | number>;
  /** Fault model applied both ways (null: none). */
  impairments?: Partial<LinkImpairments> | null;
  pcap?: string;
}

export interface TunSession {
  readonly host: Host;
  readonly tun: TunDevice;
  readonly sockets: Sockets;
  readonly net: SynackNet;
  readonly impaired: ImpairedDevice | null;
  /** Connections not yet closed or in TIME-WAIT (what a clean close waits for). */
  liveConnections(): number;
  /** Wait (up to `timeoutMs`) until liveConnections() is 0. */
  settle(timeoutMs: number): Promise<void>;
  close(): void;
}

const LINGERING = new Set<string>(['TIME-WAIT', 'CLOSED']);

export function openTunSession(o: TunSessionOptions): TunSession {
  const { prefixLen } = parseCidr(o.peer);
  const clock = new WallClockScheduler();
  const tun = openTun({ name: o.name ?? 'tun0', peer: o.peer, mtu: o.mtu });
  let device: NetDevice = tun;
  let impaired: ImpairedDevice | null = null;
  if (o.impairments) {
    impaired = impairDevice(tun, clock, new Rng(Date.now() >>> 0), o.impairments);
    device = impaired.device;
  }
  let pcap: ReturnType<typeof openPcapFile> | null = null;
  if (o.pcap) {
    const file = openPcapFile(o.pcap);
    pcap = file;
    // Wall-clock timestamps (µs since the epoch) so the capture reads like tcpdump's.
    const epochUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
    device = tapDevice(device, (_dir, p) => file.writer.writePacket(epochUs(), p));
  }
  const host = new Host({ name: tun.name, scheduler: clock, settings: o.settings ?? {} });
  host.addInterface(device, `${o.address}/${prefixLen}`, { name: tun.name });
  const sockets = new Sockets(host);
  const net = createNet(host, sockets);
  const liveConnections = (): number => {
    let n = 0;
    for (const s of host.tcp.sockets()) {
      if (s instanceof TcpConnection) n += LINGERING.has(s.state) ? 0 : 1;
      else if (s instanceof TcpListener) n += s.requests.size; // SYN-RECEIVED, not yet accepted
    }
    return n;
  };
  return {
    host,
    tun,
    sockets,
    net,
    impaired,
    liveConnections,
    async settle(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (liveConnections() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    },
    close() {
      tun.close();
      pcap?.close();
    },
  };
}
