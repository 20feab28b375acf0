import { axes, legend, type LegendItem, type PlotArea } from './axes.js';
import { stepLine } from './step-line.js';
import { sameEndpoint } from './endpoint.js';
import { formatBytes, formatNumber, timeUnitFor } from './format.js';
import { hasAck } from './labels.js';
import type { SegmentRecord } from './model.js';
import { byteRangeTicks, byteTicks, linear, niceTicks } from './scale.js';
import { COLOR } from './theme.js';
import { circle, cross, group, line, svgRoot, text } from './svg.js';
import { ColumnRanges } from './decimate.js';

export interface TimeSequenceOptions {
  /** The data sender whose sequence space is drawn; ACKs are the segments sent to it. */
  sender: string;
  title?: string;
  /** Draw only this stretch of time (a zoom): segments sent and ACKs arriving within it. */
  fromUs?: number;
  toUs?: number;
}

const WIDTH = 880;
const HEIGHT = 470;
const AREA: PlotArea = { x: 90, y: 64, w: 760, h: 330 };

interface AckPoint {
  t: number;
  ack: number;
  top: number;
  sack: [number, number][];
}

/**
 * A tcptrace-style time-sequence graph of one direction: where the sender is in sequence space,
 * where the receiver has acknowledged up to, and how far its window lets the sender go.
 */
export function timeSequenceGraph(segments: SegmentRecord[], opts: TimeSequenceOptions): string {
  const title = opts.title ?? `Time-sequence graph: data sent by ${opts.sender}`;
  const from = opts.fromUs ?? -Infinity;
  const to = opts.toUs ?? Infinity;
  const data = segments.filter(
    (s) => s.timeUs >= from && s.timeUs <= to && sameEndpoint(s.from, opts.sender),
  );
  const allAcks = ackPoints(segments, opts.sender);
  // A zoom starts the ACK line where it stood when the zoom begins.
  const firstIn = allAcks.findIndex((a) => a.t >= from);
  const acks = allAcks.filter((a, i) => (a.t >= from || i === firstIn - 1) && a.t <= to);
  const carried = acks[0];
  if (carried && carried.t < from) acks[0] = { ...carried, t: from, sack: [] };
  const times = data.map((s) => s.timeUs).concat(acks.map((a) => a.t));
  if (times.length === 0) {
    return svgRoot(
      WIDTH,
      120,
      title,
      text(16, 26, title, { 'font-size': 15, 'font-weight': 'bold', fill: COLOR.ink }),
      text(16, 70, `No segments from or to ${opts.sender}.`, { fill: COLOR.muted }),
    );
  }
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  const unit = timeUnitFor(t1 - t0);
  const xTicks = niceTicks(t0 / unit.us, t1 / unit.us, 8);
  const xMin = (xTicks[0] ?? 0) * unit.us;
  const xMax = (xTicks[xTicks.length - 1] ?? 1) * unit.us;

  let dataTop = 1;
  let dataLow = Infinity;
  for (const s of data) {
    dataTop = Math.max(dataTop, s.relSeq + s.len);
    dataLow = Math.min(dataLow, s.relSeq);
  }
  let winTop = 0;
  for (const a of acks) {
    dataTop = Math.max(dataTop, a.ack);
    dataLow = Math.min(dataLow, a.ack);
    winTop = Math.max(winTop, a.top);
  }
  // The whole run starts at 0; a zoom at the lowest sequence number it shows.
  const zoomed = opts.fromUs !== undefined || opts.toUs !== undefined;
  const yLow = zoomed && Number.isFinite(dataLow) ? dataLow : 0;
  // A window far above the data would squash the picture; clip it and say so in the legend.
  const clipped = winTop - yLow > (dataTop - yLow) * 2;
  const yTop = clipped ? yLow + (dataTop - yLow) * 1.25 : yLow + (Math.max(dataTop, winTop) - yLow) * 1.05;
  const yTicks = zoomed ? byteRangeTicks(yLow, yTop) : byteTicks(yTop);
  const yMin = yTicks[0] ?? 0;
  const yMax = yTicks[yTicks.length - 1] ?? dataTop;
  const sx = linear(xMin, xMax, AREA.x, AREA.x + AREA.w);
  const sy = linear(yMin, yMax, AREA.y + AREA.h, AREA.y);
  const cy = (v: number): number => sy(Math.max(yMin, Math.min(v, yMax)));

  const parts: string[] = [
    text(16, 26, title, { 'font-size': 15, 'font-weight': 'bold', fill: COLOR.ink }),
    axes({
      area: AREA,
      sx,
      sy,
      xTicks: xTicks.map((v) => ({ value: v * unit.us, label: formatNumber(v) })),
      yTicks: yTicks.map((v) => ({ value: v, label: formatBytes(v) })),
      xTitle: `time (${unit.name})`,
      yTitle: 'relative sequence number',
    }),
  ];
  const end = Math.min(xMax, to);
  parts.push(
    stepLine(
      acks.map((a) => [a.t, a.top] as const),
      sx,
      cy,
      end,
      { stroke: COLOR.window, 'stroke-width': 1.5 },
    ),
  );
  parts.push(
    stepLine(
      acks.map((a) => [a.t, a.ack] as const),
      sx,
      cy,
      end,
      { stroke: COLOR.ack, 'stroke-width': 1.8 },
    ),
  );
  parts.push(sackMarks(acks, sx, cy));
  parts.push(dataBars(data, sx, cy));

  const items: LegendItem[] = [{ label: 'data', color: COLOR.data, marker: 'bar' }];
  if (data.some((s) => s.retransmit))
    items.push({ label: 'retransmission', color: COLOR.retransmit, marker: 'bar' });
  items.push(
    { label: 'ACK', color: COLOR.ack },
    { label: clipped ? 'ACK + window (clipped)' : 'ACK + window', color: COLOR.window },
  );
  if (acks.some((a) => a.sack.length > 0)) items.push({ label: 'SACK', color: COLOR.sack, marker: 'bar' });
  if (data.some((s) => s.dropped)) items.push({ label: 'lost', color: COLOR.lost, marker: 'bar' });
  parts.push(legend(AREA.x, 48, items));
  return svgRoot(WIDTH, HEIGHT, title, ...parts);
}

/** What the sender learns, in arrival order: cumulative ACK (never moving back), window edge, SACKs. */
function ackPoints(segments: SegmentRecord[], sender: string): AckPoint[] {
  const raw = segments
    .filter((s) => sameEndpoint(s.to, sender) && hasAck(s.flags) && s.dropped !== true)
    .map((s) => ({ s, t: s.arriveUs ?? s.timeUs }))
    .sort((a, b) => a.t - b.t);
  let highest = -Infinity;
  return raw.map(({ s, t }) => {
    highest = Math.max(highest, s.relAck);
    return { t, ack: highest, top: highest + s.win, sack: s.sack ?? [] };
  });
}

function sackMarks(acks: AckPoint[], sx: (v: number) => number, sy: (v: number) => number): string {
  const cols = new ColumnRanges();
  for (const a of acks) for (const [l, r] of a.sack) cols.add(sx(a.t) + 2, l, r);
  const parts = cols.entries().map(([x, [l, r]]) =>
    line(x, sy(l), x, Math.min(sy(l) - 2, sy(r)), {
      stroke: COLOR.sack,
      'stroke-width': 2,
      'stroke-opacity': 0.55,
    }),
  );
  return group({ class: 'sack' }, ...parts);
}

/** Above this many data segments, bars that share a pixel column merge into one. */
const DETAILED_LIMIT = 1000;

/** A big run: one bar per pixel column and kind (new data, retransmitted, lost). */
function columnBars(data: SegmentRecord[], sx: (v: number) => number, sy: (v: number) => number): string {
  const kinds = { data: new ColumnRanges(), retransmit: new ColumnRanges(), lost: new ColumnRanges() };
  for (const s of data) {
    if (s.len === 0) continue;
    const kind = s.dropped ? kinds.lost : s.retransmit ? kinds.retransmit : kinds.data;
    kind.add(sx(s.timeUs), s.relSeq, s.relSeq + s.len);
  }
  const parts: string[] = [];
  for (const [name, cols] of Object.entries(kinds)) {
    const color = name === 'lost' ? COLOR.lost : name === 'retransmit' ? COLOR.retransmit : COLOR.data;
    for (const [x, [lo, hi]] of cols.entries()) {
      const yb = sy(lo);
      parts.push(line(x, yb, x, Math.min(yb - 2, sy(hi)), { stroke: color, 'stroke-width': 1.5 }));
      if (name === 'lost') parts.push(cross(x, Math.min(yb - 2, sy(hi)) - 6, 3.5, { stroke: color }));
    }
  }
  return group({ class: 'data decimated' }, ...parts);
}

/** tcptrace's "I" bars: one per segment, from its first to one past its last byte. */
function dataBars(data: SegmentRecord[], sx: (v: number) => number, sy: (v: number) => number): string {
  if (data.length > DETAILED_LIMIT) return columnBars(data, sx, sy);
  const parts: string[] = [];
  for (const s of data) {
    const x = sx(s.timeUs);
    const color = s.dropped ? COLOR.lost : s.retransmit ? COLOR.retransmit : COLOR.data;
    if (s.len > 0) {
      const yb = sy(s.relSeq);
      const yt = Math.min(yb - 2, sy(s.relSeq + s.len));
      parts.push(
        line(x, yb, x, yt, { stroke: color, 'stroke-width': 1.5 }),
        line(x - 2.5, yb, x + 2.5, yb, { stroke: color }),
        line(x - 2.5, yt, x + 2.5, yt, { stroke: color }),
      );
      if (s.dropped) parts.push(cross(x, yt - 6, 3.5, { stroke: COLOR.lost, 'stroke-width': 1.5 }));
    } else if (s.flags.includes('S') || s.flags.includes('F')) {
      const y = sy(s.relSeq);
      const name = s.flags.includes('S') ? 'SYN' : 'FIN';
      parts.push(
        circle(x, y, 3, { fill: color }),
        text(x + 5, y - 5, name, { fill: color, 'font-size': 10 }),
      );
    }
  }
  return group({ class: 'data' }, ...parts);
}
