/** Node's net.isIP family: 4 for a dotted quad, 6 for an IPv6 literal, 0 otherwise. */
export function isIPv4(s: string): boolean {
  // Four parts of 1-3 digits without a leading zero, each at most 255, scanned by character
  // code: every connect() asks, and it should make no garbage.
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (leadingZero || ++digits > 3) return false;
      if (digits === 1 && ch === 48) leadingZero = true;
      part = part * 10 + (ch - 48);
    } else if (ch === 46 && digits > 0 && dots < 3 && part <= 255) {
      part = 0;
      digits = 0;
      leadingZero = false;
      dots++;
    } else return false;
  }
  return dots === 3 && digits > 0 && part <= 255;
}

export function isIPv6(s: string): boolean {
  if (!s.includes(':')) return false;
  return /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g) ?? []).length <= 1;
}

export function isIP(s: string): 0 | 4 | 6 {
  return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0;
}
