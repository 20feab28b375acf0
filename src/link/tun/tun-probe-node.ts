/**
 * A self-check of the TUN link, run by its test inside a network namespace the test created:
 * opens a device whose kernel side is 192.0.2.1/24, sends the kernel an ICMP echo request from
 * 192.0.2.2 and waits for the kernel's reply, then waits for an echo request that the test makes
 * the kernel send (ping 192.0.2.2). Prints one JSON line with what it saw and exits.
 */
import { openTun } from './tun-device-node.js';

function sum16(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i += 2) s += (b[i] as number) * 256 + (i + 1 < end ? (b[i + 1] as number) : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function echoRequest(src: number[], dst: number[], id: number): Uint8Array {
  const p = new Uint8Array(28 + 8);
  p.set([0x45, 0, 0, p.length, 0, 1, 0x40, 0, 64, 1, 0, 0, ...src, ...dst]);
  const ck = sum16(p, 0, 20);
  p[10] = ck >> 8;
  p[11] = ck & 255;
  p.set([8, 0, 0, 0, id >> 8, id & 255, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8], 20);
  const ick = sum16(p, 20, p.length);
  p[22] = ick >> 8;
  p[23] = ick & 255;
  return p;
}

const dev = openTun({ name: 'synack0', peer: '192.0.2.1/24', mtu: 1500 });
const seen = { name: dev.name, kernelReply: false, kernelRequest: false };
const finish = (code: number) => {
  dev.close();
  console.log(JSON.stringify(seen));
  process.exit(code);
};
dev.onReceive = (pkt) => {
  if (pkt[9] !== 1) return;
  const type = pkt[20];
  const fromKernel = pkt[12] === 192 && pkt[15] === 1;
  if (type === 0 && fromKernel && pkt[24] === 0x12 && pkt[25] === 0x34) seen.kernelReply = true;
  if (type === 8 && fromKernel) seen.kernelRequest = true;
  if (seen.kernelReply && seen.kernelRequest) finish(0);
};
console.log('ready');
dev.transmit(echoRequest([192, 0, 2, 2], [192, 0, 2, 1], 0x1234));
setTimeout(() => finish(1), 5000);
