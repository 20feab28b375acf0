/**
 * Keeping big runs small: a second of a 1 Gbit/s transfer is about 86,000 segments, far more than
 * the 760 pixel columns a chart has. Points that land in the same column collapse to the few that
 * change what is drawn there: the first, the lowest, the highest and the last.
 */

/**
 * For a series sorted by x (already in pixels): per whole-pixel column, the first, min, max and
 * last points in their original order. A series with at most `limit` points is returned unchanged.
 */
export function decimateSeries(
  points: readonly (readonly [number, number])[],
  limit = 4000,
): (readonly [number, number])[] {
  if (points.length <= limit) return points.slice();
  const out: (readonly [number, number])[] = [];
  let i = 0;
  while (i < points.length) {
    const col = Math.floor((points[i] as readonly [number, number])[0]);
    let j = i;
    let lo = i;
    let hi = i;
    while (j < points.length && Math.floor((points[j] as readonly [number, number])[0]) === col) {
      const y = (points[j] as readonly [number, number])[1];
      if (y < (points[lo] as readonly [number, number])[1]) lo = j;
      if (y > (points[hi] as readonly [number, number])[1]) hi = j;
      j++;
    }
    const keep = [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b);
    for (const k of keep) out.push(points[k] as readonly [number, number]);
    i = j;
  }
  return out;
}

/** A vertical extent per pixel column: the union of every [lo, hi] that falls in it. */
export class ColumnRanges {
  private readonly cols = new Map<number, [number, number]>();

  add(x: number, lo: number, hi: number): void {
    const c = Math.round(x);
    const r = this.cols.get(c);
    if (r) {
      if (lo < r[0]) r[0] = lo;
      if (hi > r[1]) r[1] = hi;
    } else this.cols.set(c, [lo, hi]);
  }

  entries(): [number, [number, number]][] {
    return [...this.cols.entries()].sort((a, b) => a[0] - b[0]);
  }
}
