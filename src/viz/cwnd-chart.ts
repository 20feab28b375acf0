import { axes, legend, type LegendItem, type PlotArea } from './axes.js';
import { stepLine } from './step-line.js';
import { formatNumber, timeUnitFor } from './format.js';
import { INFINITE_SSTHRESH, type CwndSample, type InFlightSample } from './model.js';
import { integerTicks, linear, niceTicks } from './scale.js';
import { COLOR } from './theme.js';
import { group, rect, svgRoot, text } from './svg.js';

export interface CwndChartOptions {
  title?: string;
  /** Bytes in flight from the packets (drawn in segments of `mss` bytes). */
  inFlight?: InFlightSample[];
  /** Bytes per segment, to draw bytes in flight on the segments axis (default 1448). */
  mss?: number;
}

const WIDTH = 880;
const HEIGHT = 470;
const AREA: PlotArea = { x: 80, y: 84, w: 770, h: 310 };

/** The ca_states drawn as shaded bands, with their colours (Linux's names). */
const BANDS: Record<string, string> = {
  Recovery: '#fde7c7',
  Loss: '#fbd0d0',
  CWR: '#e6ddfb',
};

/**
 * The seed's congestion figure from a real run: cwnd and ssthresh as the engine reported them,
 * bytes in flight from the packets, and the time spent in fast recovery (Recovery) and after a
 * timeout (Loss) shaded, as Linux's ca_state names them.
 */
export function cwndChart(samples: CwndSample[], opts: CwndChartOptions = {}): string {
  const title = opts.title ?? 'Congestion window over time';
  const head = text(16, 26, title, { 'font-size': 15, 'font-weight': 'bold', fill: COLOR.ink });
  if (samples.length === 0)
    return svgRoot(
      WIDTH,
      120,
      title,
      head,
      text(16, 70, 'No congestion-window samples.', { fill: COLOR.muted }),
    );
  const mss = opts.mss ?? 1448;
  const flight = opts.inFlight ?? [];
  let t0 = Infinity;
  let t1 = -Infinity;
  let top = 2;
  const finite = (v: number): boolean => v < INFINITE_SSTHRESH;
  for (const s of samples) {
    t0 = Math.min(t0, s.timeUs);
    t1 = Math.max(t1, s.timeUs);
    top = Math.max(top, s.cwnd, finite(s.ssthresh) ? s.ssthresh : 0);
  }
  for (const f of flight) {
    t1 = Math.max(t1, f.timeUs);
    top = Math.max(top, f.bytes / mss);
  }
  const unit = timeUnitFor(t1 - t0);
  const xTicks = niceTicks(t0 / unit.us, t1 / unit.us, 8);
  const xMin = (xTicks[0] ?? 0) * unit.us;
  const xMax = (xTicks[xTicks.length - 1] ?? 1) * unit.us;
  const yTicks = integerTicks(0, top * 1.08, 8);
  const yMax = yTicks[yTicks.length - 1] ?? top;
  const sx = linear(xMin, xMax, AREA.x, AREA.x + AREA.w);
  const sy = linear(0, yMax, AREA.y + AREA.h, AREA.y);

  const parts: string[] = [
    head,
    axes({
      area: AREA,
      sx,
      sy,
      xTicks: xTicks.map((v) => ({ value: v * unit.us, label: formatNumber(v) })),
      yTicks: yTicks.map((v) => ({ value: v, label: String(v) })),
      xTitle: `time (${unit.name})`,
      yTitle: 'segments',
    }),
    stateBands(samples, sx, t1),
  ];
  if (flight.length > 0)
    parts.push(
      stepLine(
        flight.map((f) => [f.timeUs, f.bytes / mss]),
        sx,
        sy,
        t1,
        { stroke: COLOR.inFlight, 'stroke-width': 1 },
      ),
    );
  parts.push(
    stepLine(
      samples.filter((s) => finite(s.ssthresh)).map((s) => [s.timeUs, s.ssthresh]),
      sx,
      sy,
      t1,
      { stroke: COLOR.ssthresh, 'stroke-width': 1.6, 'stroke-dasharray': '6 4' },
    ),
    stepLine(
      samples.map((s) => [s.timeUs, s.cwnd]),
      sx,
      sy,
      t1,
      { stroke: COLOR.cwnd, 'stroke-width': 2.2 },
    ),
  );
  const items: LegendItem[] = [{ label: 'cwnd', color: COLOR.cwnd }];
  if (samples.some((s) => finite(s.ssthresh)))
    items.push({ label: 'ssthresh', color: COLOR.ssthresh, dash: '6 4' });
  if (flight.length > 0) items.push({ label: `bytes in flight ÷ ${mss}`, color: COLOR.inFlight });
  const seen = new Set(samples.map((s) => s.caState ?? ''));
  for (const [name, color] of Object.entries(BANDS))
    if (seen.has(name))
      items.push({ label: name === 'Loss' ? 'Loss (after a timeout)' : name, color, marker: 'dot' });
  parts.push(legend(AREA.x, 52, items));
  return svgRoot(WIDTH, HEIGHT, title, ...parts);
}

/** A step line (each value holds until the next point), decimated for long runs. */
/** Shaded spans of time the sender spent in Recovery, Loss or CWR. */
function stateBands(samples: CwndSample[], sx: (v: number) => number, end: number): string {
  const parts: string[] = [];
  let from = -1;
  let state = '';
  const close = (t: number): void => {
    const fill = BANDS[state];
    if (from >= 0 && fill) {
      const x = sx(from);
      parts.push(rect(x, AREA.y, Math.max(1, sx(t) - x), AREA.h, { fill }));
    }
  };
  for (const s of samples) {
    const st = s.caState ?? 'Open';
    if (st === state) continue;
    close(s.timeUs);
    state = st;
    from = s.timeUs;
  }
  close(end);
  return group({ class: 'ca-states' }, ...parts);
}
