/** Human units for axis and label text. */

function trim(n: number, decimals: number): string {
  const f = 10 ** decimals;
  const r = Math.round(n * f) / f;
  return Object.is(r, -0) ? '0' : String(r);
}

/** "12.345 ms" below ten seconds, "61.5 s" above: the ladder's time column. */
export function formatTime(us: number): string {
  if (Math.abs(us) < 10_000_000) return `${trim(us / 1000, 3)} ms`;
  return `${trim(us / 1_000_000, 3)} s`;
}

/** Two significant digits, for "≈ 60 s" on compressed gaps where precision would mislead. */
export function formatApproxDuration(us: number): string {
  const sig = (v: number): string => String(Number(v.toPrecision(2)));
  if (us < 1000) return `${sig(us)} µs`;
  if (us < 1_000_000) return `${sig(us / 1000)} ms`;
  if (us < 120_000_000) return `${sig(us / 1_000_000)} s`;
  if (us < 7_200_000_000) return `${sig(us / 60_000_000)} min`;
  return `${sig(us / 3_600_000_000)} h`;
}

/** Binary units, as sequence space is usually counted in buffers: "512 B", "1.5 KiB", "2 MiB". */
export function formatBytes(n: number): string {
  const a = Math.abs(n);
  if (a < 1024) return `${trim(n, 0)} B`;
  if (a < 1024 * 1024) return `${trim(n / 1024, 1)} KiB`;
  if (a < 1024 * 1024 * 1024) return `${trim(n / (1024 * 1024), 1)} MiB`;
  return `${trim(n / (1024 * 1024 * 1024), 2)} GiB`;
}

export interface TimeUnit {
  name: 'µs' | 'ms' | 's';
  us: number;
}

/** The unit an axis spanning spanUs reads best in. */
export function timeUnitFor(spanUs: number): TimeUnit {
  if (spanUs < 2000) return { name: 'µs', us: 1 };
  if (spanUs < 10_000_000) return { name: 'ms', us: 1000 };
  return { name: 's', us: 1_000_000 };
}

export function formatNumber(n: number, decimals = 3): string {
  return trim(n, decimals);
}
