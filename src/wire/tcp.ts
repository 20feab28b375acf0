import { checksum, onesSum, pseudoHeaderSum } from './checksum.js';
import type { DropReason, ParseResult } from './drop-reason.js';
import { IPPROTO_TCP } from './ipv4-header.js';
import { readU16, readU32, writeU16, writeU32 } from './ipv4.js';
import {
  MAX_SACK_BLOCKS,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK,
  TCPOPT_SACK_PERMITTED,
  TCPOPT_TIMESTAMP,
  TCPOPT_WSCALE,
  TcpSegment,
} from './tcp-segment.js';

export const TCP_HEADER_MAX_OPTIONS = 40;

/**
 * Parse a TCP segment (RFC 9293 §3.1); `buf` is exactly the IP payload. Header-level faults are
 * errors; option faults are not: like Linux's tcp_parse_options, a known option with a wrong
 * length is ignored and a length that overruns the header ends option parsing, and the segment is
 * still processed. Such options are counted in `malformedOptions`.
 */
export function parseTcp(
  buf: Uint8Array,
  src: number,
  dst: number,
  out: TcpSegment,
  verifyChecksum = true,
): ParseResult<TcpSegment> {
  const reason = parseTcpAt(buf, 0, buf.length, src, dst, out, verifyChecksum);
  return reason === null ? { ok: true, value: out } : { ok: false, reason };
}

/**
 * parseTcp of the segment at buf[at, end) (an IP packet's payload, parsed in place: the only
 * object made is the view of the segment's payload). Returns null, or why the segment is bad.
 */
export function parseTcpAt(
  buf: Uint8Array,
  at: number,
  end: number,
  src: number,
  dst: number,
  out: TcpSegment,
  verifyChecksum = true,
): DropReason | null {
  const len = end - at;
  if (len < 20) return 'truncated';
  const doff = (buf[at + 12] as number) >> 4;
  if (doff < 5 || doff * 4 > len) return 'tcp-data-offset';
  if (verifyChecksum && onesSum(buf, at, end, pseudoHeaderSum(src, dst, IPPROTO_TCP, len)) !== 0xffff) {
    return 'tcp-checksum';
  }
  out.clear();
  out.srcPort = readU16(buf, at);
  out.dstPort = readU16(buf, at + 2);
  out.seq = readU32(buf, at + 4);
  out.ack = readU32(buf, at + 8);
  out.dataOffset = doff;
  out.reserved = (buf[at + 12] as number) & 15;
  out.flags = buf[at + 13] as number;
  out.window = readU16(buf, at + 14);
  out.checksum = readU16(buf, at + 16);
  out.urgentPointer = readU16(buf, at + 18);
  const hend = at + doff * 4;
  out.setOptionsRange(buf, at + 20, hend);
  // A bare ACK, SYN or FIN keeps clear()'s shared empty payload: no view made per segment.
  if (hend < end) out.payload = buf.subarray(hend, end);
  parseOptions(buf, at + 20, hend, out);
  return null;
}

function parseOptions(b: Uint8Array, start: number, end: number, out: TcpSegment): void {
  let i = start;
  while (i < end) {
    const kind = b[i] as number;
    if (kind === TCPOPT_EOL) return;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) {
      out.malformedOptions++;
      return;
    }
    const olen = b[i + 1] as number;
    if (olen < 2 || i + olen > end) {
      out.malformedOptions++;
      return;
    }
    switch (kind) {
      case TCPOPT_MSS:
        if (olen === 4) out.mss = readU16(b, i + 2);
        else out.malformedOptions++;
        break;
      case TCPOPT_WSCALE:
        if (olen === 3) out.wscale = b[i + 2] as number;
        else out.malformedOptions++;
        break;
      case TCPOPT_SACK_PERMITTED:
        if (olen === 2) out.sackPermitted = true;
        else out.malformedOptions++;
        break;
      case TCPOPT_TIMESTAMP:
        if (olen === 10) {
          out.hasTimestamp = true;
          out.tsVal = readU32(b, i + 2);
          out.tsEcr = readU32(b, i + 6);
        } else out.malformedOptions++;
        break;
      case TCPOPT_SACK: {
        const n = (olen - 2) / 8;
        if (Number.isInteger(n) && n >= 1 && n <= MAX_SACK_BLOCKS) {
          out.sackCount = 0;
          for (let k = 0; k < n; k++) out.addSack(readU32(b, i + 2 + 8 * k), readU32(b, i + 6 + 8 * k));
        } else out.malformedOptions++;
        break;
      }
      default:
        out.unknownOptionCount++;
    }
    i += olen;
  }
}

/** Bytes of options `writeTcp` will emit for `seg` (a multiple of 4). */
export function tcpOptionsLength(seg: TcpSegment): number {
  if (seg.rawOptions) return (seg.rawOptions.length + 3) & ~3;
  let n = 0;
  if (seg.mss >= 0) n += 4;
  if (seg.hasTimestamp) n += 12;
  else if (seg.sackPermitted) n += 4;
  if (seg.wscale >= 0) n += 4;
  if (seg.sackCount > 0) n += 4 + 8 * seg.sackCount;
  return n;
}

/**
 * Write header, options and payload at `offset`; returns the segment length. Options go in the
 * order and packing of Linux's tcp_options_write (MSS; SACK-permitted folded into the timestamp
 * word; window scale behind a NOP; SACK blocks last), so synack's segments match Linux's bytes.
 */
export function writeTcp(
  buf: Uint8Array,
  offset: number,
  seg: TcpSegment,
  src: number,
  dst: number,
  computeChecksum = true,
): number {
  const optLen = tcpOptionsLength(seg);
  const hlen = 20 + optLen;
  const total = hlen + seg.payload.length;
  writeU16(buf, offset, seg.srcPort);
  writeU16(buf, offset + 2, seg.dstPort);
  writeU32(buf, offset + 4, seg.seq);
  writeU32(buf, offset + 8, seg.ack);
  buf[offset + 12] = ((hlen / 4) << 4) | (seg.reserved & 15);
  buf[offset + 13] = seg.flags & 255;
  writeU16(buf, offset + 14, seg.window);
  buf[offset + 16] = 0;
  buf[offset + 17] = 0;
  writeU16(buf, offset + 18, seg.urgentPointer);
  writeOptions(buf, offset + 20, seg, optLen);
  if (seg.payload.length > 0) buf.set(seg.payload, offset + hlen);
  if (computeChecksum) {
    const ck = checksum(buf, offset, offset + total, pseudoHeaderSum(src, dst, IPPROTO_TCP, total));
    writeU16(buf, offset + 16, ck);
    seg.checksum = ck;
  }
  seg.dataOffset = hlen / 4;
  return total;
}

function writeOptions(b: Uint8Array, p: number, seg: TcpSegment, optLen: number): void {
  if (seg.rawOptions) {
    b.set(seg.rawOptions, p);
    b.fill(TCPOPT_EOL, p + seg.rawOptions.length, p + optLen);
    return;
  }
  if (seg.mss >= 0) {
    b[p++] = TCPOPT_MSS;
    b[p++] = 4;
    writeU16(b, p, seg.mss);
    p += 2;
  }
  if (seg.hasTimestamp) {
    if (seg.sackPermitted) {
      b[p++] = TCPOPT_SACK_PERMITTED;
      b[p++] = 2;
    } else {
      b[p++] = TCPOPT_NOP;
      b[p++] = TCPOPT_NOP;
    }
    b[p++] = TCPOPT_TIMESTAMP;
    b[p++] = 10;
    writeU32(b, p, seg.tsVal);
    writeU32(b, p + 4, seg.tsEcr);
    p += 8;
  } else if (seg.sackPermitted) {
    b[p++] = TCPOPT_NOP;
    b[p++] = TCPOPT_NOP;
    b[p++] = TCPOPT_SACK_PERMITTED;
    b[p++] = 2;
  }
  if (seg.wscale >= 0) {
    b[p++] = TCPOPT_NOP;
    b[p++] = TCPOPT_WSCALE;
    b[p++] = 3;
    b[p++] = seg.wscale;
  }
  if (seg.sackCount > 0) {
    b[p++] = TCPOPT_NOP;
    b[p++] = TCPOPT_NOP;
    b[p++] = TCPOPT_SACK;
    b[p++] = 2 + 8 * seg.sackCount;
    for (let k = 0; k < seg.sackCount; k++) {
      writeU32(b, p, seg.sackBlocks[2 * k] as number);
      writeU32(b, p + 4, seg.sackBlocks[2 * k + 1] as number);
      p += 8;
    }
  }
}
