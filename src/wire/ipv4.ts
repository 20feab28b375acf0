import { checksum, finishChecksum, onesSum } from './checksum.js';
import type { DropReason, ParseResult } from './drop-reason.js';
import { Ipv4Header } from './ipv4-header.js';

const EMPTY = new Uint8Array(0);

/**
 * Parse an IPv4 header (RFC 791 §3.1) into `out`. Bytes past the total length (link padding) are
 * ignored; options are kept as a view and otherwise skipped.
 */
export function parseIpv4Header(
  buf: Uint8Array,
  out: Ipv4Header,
  verifyChecksum = true,
): ParseResult<Ipv4Header> {
  const reason = readIpv4Header(buf, out, verifyChecksum);
  return reason === null ? { ok: true, value: out } : { ok: false, reason };
}

/** parseIpv4Header without a result object (the receive path's): null, or why the header is bad. */
export function readIpv4Header(buf: Uint8Array, out: Ipv4Header, verifyChecksum = true): DropReason | null {
  if (buf.length < 20) return 'truncated';
  const b0 = buf[0] as number;
  if (b0 >> 4 !== 4) return 'bad-version';
  const ihl = (b0 & 15) * 4;
  if (ihl < 20 || ihl > buf.length) return 'bad-ihl';
  const total = ((buf[2] as number) << 8) | (buf[3] as number);
  if (total < ihl || total > buf.length) return 'bad-total-length';
  if (verifyChecksum && onesSum(buf, 0, ihl) !== 0xffff) return 'ip-checksum';
  const frag = ((buf[6] as number) << 8) | (buf[7] as number);
  out.headerLength = ihl;
  out.tos = buf[1] as number;
  out.totalLength = total;
  out.id = ((buf[4] as number) << 8) | (buf[5] as number);
  out.df = (frag & 0x4000) !== 0;
  out.mf = (frag & 0x2000) !== 0;
  out.fragmentOffset = (frag & 0x1fff) * 8;
  out.ttl = buf[8] as number;
  out.protocol = buf[9] as number;
  out.checksum = ((buf[10] as number) << 8) | (buf[11] as number);
  out.src = readU32(buf, 12);
  out.dst = readU32(buf, 16);
  out.options = ihl > 20 ? buf.subarray(20, ihl) : EMPTY;
  return null;
}

/** The datagram's payload as a view (header and link padding excluded). */
export function ipv4Payload(buf: Uint8Array, hdr: Ipv4Header): Uint8Array {
  return buf.subarray(hdr.headerLength, hdr.totalLength);
}

/**
 * Write an IPv4 header for a payload of `payloadLength` bytes at `offset`, options padded to a
 * multiple of four, and its checksum. Returns the header length.
 */
export function writeIpv4Header(
  buf: Uint8Array,
  offset: number,
  hdr: Ipv4Header,
  payloadLength: number,
): number {
  const optLen = (hdr.options.length + 3) & ~3;
  const ihl = 20 + optLen;
  const total = ihl + payloadLength;
  const frag = (hdr.df ? 0x4000 : 0) | (hdr.mf ? 0x2000 : 0) | ((hdr.fragmentOffset >>> 3) & 0x1fff);
  buf[offset] = 0x40 | (ihl >> 2);
  buf[offset + 1] = hdr.tos;
  buf[offset + 2] = total >> 8;
  buf[offset + 3] = total & 255;
  buf[offset + 4] = (hdr.id >> 8) & 255;
  buf[offset + 5] = hdr.id & 255;
  buf[offset + 6] = frag >> 8;
  buf[offset + 7] = frag & 255;
  buf[offset + 8] = hdr.ttl;
  buf[offset + 9] = hdr.protocol;
  buf[offset + 10] = 0;
  buf[offset + 11] = 0;
  writeU32(buf, offset + 12, hdr.src);
  writeU32(buf, offset + 16, hdr.dst);
  if (optLen > 0) {
    buf.set(hdr.options, offset + 20);
    buf.fill(0, offset + 20 + hdr.options.length, offset + ihl);
  }
  // Without options the ten header words are known here: sum them rather than read them back
  // (every packet a host sends takes this path).
  const ck =
    optLen === 0
      ? finishChecksum(
          (((0x40 | (ihl >> 2)) << 8) | (hdr.tos & 255)) +
            (total & 0xffff) +
            (hdr.id & 0xffff) +
            (frag & 0xffff) +
            (((hdr.ttl & 255) << 8) | (hdr.protocol & 255)) +
            (hdr.src >>> 16) +
            (hdr.src & 0xffff) +
            (hdr.dst >>> 16) +
            (hdr.dst & 0xffff),
        )
      : checksum(buf, offset, offset + ihl);
  buf[offset + 10] = ck >> 8;
  buf[offset + 11] = ck & 255;
  hdr.headerLength = ihl;
  hdr.totalLength = total;
  hdr.checksum = ck;
  return ihl;
}

export function readU32(b: Uint8Array, i: number): number {
  return (
    (((b[i] as number) << 24) |
      ((b[i + 1] as number) << 16) |
      ((b[i + 2] as number) << 8) |
      (b[i + 3] as number)) >>>
    0
  );
}

export function writeU32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 255;
  b[i + 1] = (v >>> 16) & 255;
  b[i + 2] = (v >>> 8) & 255;
  b[i + 3] = v & 255;
}

export function readU16(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 8) | (b[i + 1] as number);
}

export function writeU16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 255;
  b[i + 1] = v & 255;
}
