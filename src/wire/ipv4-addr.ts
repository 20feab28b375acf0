/**
 * IPv4 addresses are carried as unsigned 32-bit numbers (network order value, e.g. 192.0.2.1 =
 * 0xc0000201) so that 4-tuples can be keyed numerically and compared without allocation.
 */
export type Ipv4Addr = number;

/**
 * Parse dotted-quad text; returns -1 when the text is not a valid IPv4 address: four parts of 1-3
 * decimal digits, each at most 255. Scanned by character code, so that a connect() given an
 * address string makes no garbage.
 */
export function parseIpv4(text: string): Ipv4Addr {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (++digits > 3) return -1;
      part = part * 10 + (ch - 48);
    } else if (ch === 46 && digits > 0 && dots < 3) {
      if (part > 255) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return (v * 256 + part) >>> 0;
}

/** Parse dotted-quad text or throw a clear error (for configuration, never for packets). */
export function ipv4(text: string): Ipv4Addr {
  const v = parseIpv4(text);
  if (v < 0) throw new TypeError(`not an IPv4 address: ${JSON.stringify(text)} (expected a.b.c.d)`);
  return v;
}

export function formatIpv4(a: Ipv4Addr): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Network mask for a prefix length 0..32. */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

export function sameSubnet(a: Ipv4Addr, b: Ipv4Addr, prefixLen: number): boolean {
  const m = prefixMask(prefixLen);
  return (a & m) >>> 0 === (b & m) >>> 0;
}

/** Parse "a.b.c.d/len"; throws a clear error on bad input. */
export function parseCidr(text: string): { addr: Ipv4Addr; prefixLen: number } {
  const [a, l] = text.split('/');
  const prefixLen = l === undefined ? 32 : Number(l);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
    throw new TypeError(`bad prefix length in ${JSON.stringify(text)} (expected a.b.c.d/0..32)`);
  }
  return { addr: ipv4(a ?? ''), prefixLen };
}
