/** Linear scales and "nice" tick values (1, 2, 5 × 10^k steps) for chart axes. */

export type Scale = (v: number) => number;

export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export function niceStep(span: number, target: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const m = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return m * mag;
}

/** Tick values covering [min, max]; the first and last may lie just outside so the axis ends on a tick. */
export function niceTicks(min: number, max: number, target = 6): number[] {
  if (max < min) [min, max] = [max, min];
  if (max === min) max = min + 1;
  const step = niceStep(max - min, target);
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 0.999; v += step) {
    ticks.push(Math.round(v / step) * step);
    if (ticks.length > 200) break;
  }
  return ticks;
}

/** Integer ticks (rounds, segments) never show fractions. */
export function integerTicks(min: number, max: number, target = 8): number[] {
  const step = Math.max(1, Math.ceil(niceStep(max - min, target)));
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step - 1; v += step) ticks.push(v);
  return ticks;
}

/** Byte axes tick on round binary amounts so labels read "16 KiB", not "15.6 KiB". */
export function byteTicks(max: number, target = 6): number[] {
  const unit = max >= 1024 * 1024 ? 1024 * 1024 : max >= 1024 ? 1024 : 1;
  return niceTicks(0, max / unit, target).map((v) => v * unit);
}

/** Ticks over [min, max] of a byte axis, in KiB or MiB steps when the span is that large. */
export function byteRangeTicks(min: number, max: number, target = 6): number[] {
  const span = max - min;
  const unit = span >= 1024 * 1024 ? 1024 * 1024 : span >= 1024 ? 1024 : 1;
  return niceTicks(min / unit, max / unit, target).map((v) => v * unit);
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
