/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Comparisons take the signed 32-bit
 * difference, as Linux's before()/after() do: `(s32)(a - b) < 0` means a comes before b, which
 * stays right across the wrap from 2^32 - 1 to 0 as long as the two are within 2^31 of each other.
 */

/** a < b */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a <= b */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a > b */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a >= b */
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n, wrapped to 32 bits unsigned. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Signed distance a - b. */
export function seqSub(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}

export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}

/** lo <= x < hi */
export function seqInWindow(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}
