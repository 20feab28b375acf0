import { checksum, onesSum } from './checksum.js';
import type { ParseResult } from './drop-reason.js';
import { readU16, writeU16 } from './ipv4.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

/** Destination-unreachable codes (RFC 792, RFC 1122 §3.2.2.1). */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_ADMIN_PROHIBITED = 13;

const EMPTY = new Uint8Array(0);

/**
 * An ICMP message (RFC 792). Echo messages use id/seq/data; errors (destination unreachable, time
 * exceeded) carry the quoted IP header plus at least 8 bytes of its payload in `data`, and for
 * fragmentation-needed the next-hop MTU (RFC 1191 §4) in `mtu`.
 */
export class IcmpMessage {
  type = 0;
  code = 0;
  checksum = 0;
  id = 0;
  seq = 0;
  /** Next-hop MTU for destination-unreachable code 4; 0 otherwise. */
  mtu = 0;
  /** The four bytes after the checksum, raw (for types this parser does not interpret). */
  rest = 0;
  /** Echo data, or the quoted datagram of an error (a view). */
  data: Uint8Array = EMPTY;

  clear(): this {
    this.type = this.code = this.checksum = this.id = this.seq = this.mtu = this.rest = 0;
    this.data = EMPTY;
    return this;
  }

  get isError(): boolean {
    return this.type === ICMP_DEST_UNREACH || this.type === ICMP_TIME_EXCEEDED;
  }
}

export function parseIcmp(
  buf: Uint8Array,
  out: IcmpMessage,
  verifyChecksum = true,
): ParseResult<IcmpMessage> {
  if (buf.length < 8) return { ok: false, reason: 'truncated' };
  if (verifyChecksum && onesSum(buf, 0, buf.length) !== 0xffff) return { ok: false, reason: 'icmp-checksum' };
  out.clear();
  out.type = buf[0] as number;
  out.code = buf[1] as number;
  out.checksum = readU16(buf, 2);
  out.rest = ((readU16(buf, 4) << 16) | readU16(buf, 6)) >>> 0;
  out.data = buf.subarray(8);
  if (out.type === ICMP_ECHO_REQUEST || out.type === ICMP_ECHO_REPLY) {
    out.id = readU16(buf, 4);
    out.seq = readU16(buf, 6);
  } else if (out.isError) {
    // The quote must hold at least an IPv4 header and 8 bytes of the original payload.
    if (out.data.length < 28) return { ok: false, reason: 'truncated' };
    if (out.type === ICMP_DEST_UNREACH && out.code === ICMP_FRAG_NEEDED) out.mtu = readU16(buf, 6);
  }
  return { ok: true, value: out };
}

/** Bytes `writeIcmp` writes for `msg`. */
export function icmpLength(msg: IcmpMessage): number {
  return 8 + msg.data.length;
}

export function writeIcmp(buf: Uint8Array, offset: number, msg: IcmpMessage): number {
  const len = icmpLength(msg);
  buf[offset] = msg.type;
  buf[offset + 1] = msg.code;
  buf[offset + 2] = 0;
  buf[offset + 3] = 0;
  if (msg.type === ICMP_ECHO_REQUEST || msg.type === ICMP_ECHO_REPLY) {
    writeU16(buf, offset + 4, msg.id);
    writeU16(buf, offset + 6, msg.seq);
  } else if (msg.type === ICMP_DEST_UNREACH && msg.code === ICMP_FRAG_NEEDED) {
    writeU16(buf, offset + 4, 0);
    writeU16(buf, offset + 6, msg.mtu);
  } else {
    writeU16(buf, offset + 4, msg.rest >>> 16);
    writeU16(buf, offset + 6, msg.rest & 0xffff);
  }
  buf.set(msg.data, offset + 8);
  const ck = checksum(buf, offset, offset + len);
  writeU16(buf, offset + 2, ck);
  msg.checksum = ck;
  return len;
}
