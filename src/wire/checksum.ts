/**
 * The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of the
 * data taken as big-endian 16-bit words. One routine over Uint8Array serves IPv4, TCP, UDP and
 * ICMP. The partial sum is kept in a plain number (exact to 2^53) and folded once at the end, so
 * the loop does no carry handling; it reads eight bytes per step.
 */

/** One's-complement partial sum of buf[start..end), folded to 16 bits (not inverted). */
export function onesSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  const last8 = end - 7;
  for (; i < last8; i += 8) {
    sum +=
      (((buf[i] as number) << 8) | (buf[i + 1] as number)) +
      (((buf[i + 2] as number) << 8) | (buf[i + 3] as number)) +
      (((buf[i + 4] as number) << 8) | (buf[i + 5] as number)) +
      (((buf[i + 6] as number) << 8) | (buf[i + 7] as number));
    // Fold now and then so the sum stays an exact small integer for very long buffers.
    if (sum > 0x3fffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  }
  for (; i + 1 < end; i += 2) sum += ((buf[i] as number) << 8) | (buf[i + 1] as number);
  if (i < end) sum += (buf[i] as number) << 8; // an odd byte is padded with zero (RFC 1071 §4.1)
  return fold(sum);
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** Fold and invert a partial sum into the value carried in a header. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (RFC 9293 §3.1, RFC 768) for TCP/UDP checksums. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return fold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length);
}

/** Checksum of buf[start..end) with an optional pseudo-header sum: the value to write. */
export function checksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  return finishChecksum(onesSum(buf, start, end, initial));
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changes from
 * `oldWord` to `newWord`, without summing the data again: HC' = ~(~HC + ~m + m').
 */
export function incrementalUpdate(oldChecksum: number, oldWord: number, newWord: number): number {
  const sum = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~fold(sum) & 0xffff;
}

/** A plain byte-at-a-time loop: the baseline the benchmark compares the fast routine with. */
export function naiveChecksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    sum += (i - start) % 2 === 0 ? (buf[i] as number) * 256 : (buf[i] as number);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}
