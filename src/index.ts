/** synack for Node: the core plus the Node-only pieces (pcap files, TUN). */
export * from './core.js';
export { openPcapFile } from './link/pcap-file-node.js';
export { openTun, tunAvailability, TunDevice } from './link/tun/tun-device-node.js';
export { createNet, type SynackNet, Socket as NetSocket, Server as NetServer } from './net/index.js';
