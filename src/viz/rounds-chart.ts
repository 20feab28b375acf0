import { axes, legend, type PlotArea } from './axes.js';
import { INFINITE_SSTHRESH, type RoundSample } from './model.js';
import { roundPhases, ssthreshRuns, type PhaseRun } from './rounds-phases.js';
import { integerTicks, linear } from './scale.js';
import { COLOR, eventColor, eventLabel } from './theme.js';
import { circle, el, line, svgRoot, text } from './svg.js';

export interface RoundsChartOptions {
  title?: string;
  /** Write each point's cwnd above it (default: when there are at most 40 rounds). */
  valueLabels?: boolean;
}

const WIDTH = 880;
const HEIGHT = 480;
const AREA: PlotArea = { x: 70, y: 76, w: 780, h: 330 };

/**
 * The seed's classroom figure: cwnd per transmission round, with ssthresh as a dashed line per
 * phase and the phases and events written on the curve.
 */
export function roundsChart(rounds: RoundSample[], opts: RoundsChartOptions = {}): string {
  const title = opts.title ?? 'Congestion window per transmission round';
  const head = text(16, 26, title, { 'font-size': 15, 'font-weight': 'bold', fill: COLOR.ink });
  if (rounds.length === 0)
    return svgRoot(WIDTH, 120, title, head, text(16, 70, 'No rounds.', { fill: COLOR.muted }));
  const r0 = Math.min(...rounds.map((r) => r.round));
  const r1 = Math.max(...rounds.map((r) => r.round));
  const top = Math.max(
    2,
    ...rounds.map((r) => Math.max(r.cwnd, r.ssthresh < INFINITE_SSTHRESH ? r.ssthresh : 0)),
  );
  const yTicks = integerTicks(0, top * 1.12, 8);
  const sx = linear(r0 - 0.6, r1 + 0.6, AREA.x, AREA.x + AREA.w);
  const sy = linear(0, yTicks[yTicks.length - 1] ?? top, AREA.y + AREA.h, AREA.y);
  const xTicks = r1 - r0 <= 40 ? integerTicks(r0, r1, r1 - r0 + 1) : integerTicks(r0, r1, 20);
  const pt = (r: RoundSample): [number, number] => [sx(r.round), sy(r.cwnd)];

  const parts: string[] = [
    head,
    axes({
      area: AREA,
      sx,
      sy,
      xTicks: xTicks.map((v) => ({ value: v, label: String(v) })),
      yTicks: yTicks.map((v) => ({ value: v, label: String(v) })),
      xTitle: 'transmission round',
      yTitle: 'cwnd (segments)',
    }),
  ];

  for (const run of ssthreshRuns(rounds, INFINITE_SSTHRESH)) {
    const a = rounds[run.first];
    const b = rounds[run.last];
    if (!a || !b) continue;
    const y = sy(run.ssthresh);
    const xa = sx(a.round - 0.45);
    parts.push(
      line(xa, y, sx(b.round + 0.45), y, {
        stroke: COLOR.ssthresh,
        'stroke-width': 1.5,
        'stroke-dasharray': '7 4',
      }),
      text(xa + 2, y - 6, `ssthresh = ${run.ssthresh}`, { fill: COLOR.ssthresh, 'font-size': 11 }),
    );
  }

  // The curve: growth drawn solid; the fall after a loss event dotted, as it is a reset, not growth.
  for (let i = 1; i < rounds.length; i++) {
    const a = rounds[i - 1];
    const b = rounds[i];
    if (!a || !b) continue;
    const [x1, y1] = pt(a);
    const [x2, y2] = pt(b);
    const reset = a.event !== undefined;
    parts.push(
      line(x1, y1, x2, y2, {
        stroke: reset ? eventColor(a.event ?? '') : COLOR.cwnd,
        'stroke-width': reset ? 1.4 : 2,
        'stroke-dasharray': reset ? '2 4' : undefined,
      }),
    );
  }

  parts.push(...roundPhases(rounds).map((run) => phaseLabel(run, rounds, pt)));
  const showValues = opts.valueLabels ?? rounds.length <= 40;
  for (const r of rounds) {
    const [x, y] = pt(r);
    if (r.event) {
      const color = eventColor(r.event);
      parts.push(
        circle(x, y, 8, { fill: 'none', stroke: color, 'stroke-width': 2 }),
        text(x, y - 30, eventLabel(r.event), { 'text-anchor': 'middle', fill: color, 'font-weight': 'bold' }),
      );
    }
    parts.push(
      el('circle', {
        class: 'point',
        'data-round': r.round,
        cx: x,
        cy: y,
        r: 4,
        fill: COLOR.cwnd,
        stroke: '#ffffff',
        'stroke-width': 1.5,
      }),
    );
    if (showValues)
      parts.push(
        text(x, y - 9, String(r.cwnd), { 'text-anchor': 'middle', fill: COLOR.ink, 'font-size': 10 }),
      );
  }
  parts.push(
    legend(AREA.x, 50, [
      { label: 'cwnd', color: COLOR.cwnd },
      { label: 'ssthresh', color: COLOR.ssthresh, dash: '7 4' },
    ]),
  );
  return svgRoot(WIDTH, HEIGHT, title, ...parts);
}

/**
 * Where the phase name goes: slow start below-right of its steep curve (open space there),
 * linear phases above theirs.
 */
function phaseLabel(run: PhaseRun, rounds: RoundSample[], pt: (r: RoundSample) => [number, number]): string {
  const mid = rounds[Math.floor((run.first + run.last) / 2)];
  if (!mid) return '';
  const [x, y] = pt(mid);
  const attrs = { fill: COLOR.muted, 'font-style': 'italic', 'font-size': 12 };
  if (run.phase === 'slow start')
    return text(x + 12, y + 18, run.phase, { ...attrs, 'text-anchor': 'start' });
  return text(x, y - 28, run.phase, { ...attrs, 'text-anchor': 'middle' });
}
