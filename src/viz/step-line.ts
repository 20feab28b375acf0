import { decimateSeries } from './decimate.js';
import { polyline } from './svg.js';

/**
 * A value that holds until the next sample (cwnd, the ACK line, the window edge), drawn as
 * horizontal runs with vertical steps, carried on to `end`, and decimated to the chart's columns.
 */
export function stepLine(
  pts: readonly (readonly [number, number])[],
  sx: (v: number) => number,
  sy: (v: number) => number,
  end: number,
  attrs: Record<string, string | number>,
): string {
  const out: [number, number][] = [];
  let prev: number | undefined;
  for (const [t, v] of pts) {
    if (prev !== undefined) out.push([sx(t), sy(prev)]);
    out.push([sx(t), sy(v)]);
    prev = v;
  }
  if (prev !== undefined) out.push([sx(end), sy(prev)]);
  return polyline(decimateSeries(out), attrs);
}
