import { checksum, onesSum, pseudoHeaderSum } from './checksum.js';
import type { ParseResult } from './drop-reason.js';
import { IPPROTO_UDP } from './ipv4-header.js';
import { readU16, writeU16 } from './ipv4.js';

const EMPTY = new Uint8Array(0);

/** A UDP datagram (RFC 768). */
export class UdpDatagram {
  srcPort = 0;
  dstPort = 0;
  length = 0;
  checksum = 0;
  payload: Uint8Array = EMPTY;
}

export function parseUdp(
  buf: Uint8Array,
  src: number,
  dst: number,
  out: UdpDatagram,
  verifyChecksum = true,
): ParseResult<UdpDatagram> {
  if (buf.length < 8) return { ok: false, reason: 'truncated' };
  const len = readU16(buf, 4);
  if (len < 8 || len > buf.length) return { ok: false, reason: 'udp-length' };
  const ck = readU16(buf, 6);
  // A zero checksum means the sender computed none (allowed over IPv4, RFC 768).
  if (
    verifyChecksum &&
    ck !== 0 &&
    onesSum(buf, 0, len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len)) !== 0xffff
  ) {
    return { ok: false, reason: 'udp-checksum' };
  }
  out.srcPort = readU16(buf, 0);
  out.dstPort = readU16(buf, 2);
  out.length = len;
  out.checksum = ck;
  out.payload = buf.subarray(8, len);
  return { ok: true, value: out };
}

export function writeUdp(buf: Uint8Array, offset: number, d: UdpDatagram, src: number, dst: number): number {
  const len = 8 + d.payload.length;
  writeU16(buf, offset, d.srcPort);
  writeU16(buf, offset + 2, d.dstPort);
  writeU16(buf, offset + 4, len);
  writeU16(buf, offset + 6, 0);
  buf.set(d.payload, offset + 8);
  let ck = checksum(buf, offset, offset + len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len));
  if (ck === 0) ck = 0xffff; // RFC 768: a computed zero is sent as all ones
  writeU16(buf, offset + 6, ck);
  d.length = len;
  d.checksum = ck;
  return len;
}
