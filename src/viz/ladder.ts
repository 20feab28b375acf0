import { sameEndpoint } from './endpoint.js';
import { formatApproxDuration, formatTime } from './format.js';
import { layoutLadder, type LadderLayout } from './ladder-layout.js';
import { segmentLabel } from './labels.js';
import type { SegmentRecord, StateChange } from './model.js';
import { COLOR } from './theme.js';
import { MONO, arrowHead, circle, cross, group, line, rect, svgRoot, text, textWidth } from './svg.js';

export interface LadderOptions {
  /** Endpoint drawn on the left (usually the client); matched against SegmentRecord.from/to. */
  left: string;
  right: string;
  states?: StateChange[];
  title?: string;
  /** Draw only the first N segments between the two endpoints… */
  maxSegments?: number;
  /** …and the last N (the close), with a break for those left out between. */
  tailSegments?: number;
  /** Put win=… on every arrow (default true). */
  showWindow?: boolean;
}

const WIDTH = 880;
const LX = 230;
const RX = 660;
const TIME_X = 92;
const HEADER_Y = 52;
const LINE_TOP = 78;
const LABEL_FONT = 11;

/**
 * The seed's handshake/teardown picture drawn from a real trace: one time line per endpoint, one
 * slanted arrow per segment, state names where they change.
 */
export function ladderDiagram(segments: SegmentRecord[], opts: LadderOptions): string {
  const title = opts.title ?? `${opts.left} ⇄ ${opts.right}`;
  const between = segments.filter(
    (s) =>
      (sameEndpoint(s.from, opts.left) && sameEndpoint(s.to, opts.right)) ||
      (sameEndpoint(s.from, opts.right) && sameEndpoint(s.to, opts.left)),
  );
  const limit = Math.max(0, opts.maxSegments ?? between.length);
  const tail = Math.max(0, Math.min(opts.tailSegments ?? 0, between.length - limit));
  const shown =
    limit + tail >= between.length
      ? between
      : [...between.slice(0, limit), ...between.slice(between.length - tail)];
  const hidden = between.length - shown.length;
  const elideAtUs = hidden > 0 && tail > 0 ? shown[limit]?.timeUs : undefined;
  const fromLeft = shown.map((s) => sameEndpoint(s.from, opts.left));

  const lastShownUs = Math.max(...shown.map((s) => Math.max(s.timeUs, s.arriveUs ?? s.timeUs)), -Infinity);
  const states = (opts.states ?? [])
    .map((c) => ({
      c,
      left: sameEndpoint(c.endpoint, opts.left),
      right: sameEndpoint(c.endpoint, opts.right),
    }))
    .filter((s) => (s.left || s.right) && (hidden === 0 || tail > 0 || s.c.timeUs <= lastShownUs));

  const layout = layoutLadder(
    shown.map((s, i) => ({
      sendUs: s.timeUs,
      arriveUs: s.arriveUs,
      fromLeft: fromLeft[i] ?? true,
      dropped: s.dropped === true,
    })),
    states.map((s) => s.c.timeUs),
    { top: LINE_TOP + 18, elideAtUs },
  );
  const lineBottom = layout.bottom + 26;
  const height = lineBottom + (hidden > 0 ? 76 : 56);

  const parts: string[] = [
    text(16, 26, title, { 'font-size': 15, 'font-weight': 'bold', fill: COLOR.ink }),
    header(LX, opts.left, COLOR.left),
    header(RX, opts.right, COLOR.right),
    timeLines(layout, lineBottom, hidden),
    timeColumn(layout),
    ...states.map((s) => stateMark(layout.yAt(s.c.timeUs), s.left)),
  ];
  parts.push(
    stateLabels(
      layout,
      states.filter((s) => s.left).map((s) => s.c),
      true,
    ),
  );
  parts.push(
    stateLabels(
      layout,
      states.filter((s) => !s.left).map((s) => s.c),
      false,
    ),
  );
  shown.forEach((s, i) => {
    const a = layout.arrows[i];
    if (a) parts.push(arrow(s, fromLeft[i] ?? true, a.y1, a.y2, opts.showWindow ?? true));
  });
  parts.push(footer(lineBottom + 30, tail > 0 ? 0 : hidden));
  return svgRoot(WIDTH, height, title, ...parts);
}

function header(x: number, name: string, color: string): string {
  const w = Math.max(90, textWidth(name, 12) + 20);
  return group(
    { class: 'endpoint' },
    rect(x - w / 2, HEADER_Y - 16, w, 24, { rx: 5, fill: '#f3f6fa', stroke: color }),
    text(x, HEADER_Y + 1, name, { 'text-anchor': 'middle', 'font-weight': 'bold', fill: color }),
  );
}

function timeLines(layout: LadderLayout, bottom: number, hidden: number): string {
  const parts: string[] = [];
  let from = LINE_TOP;
  for (const b of layout.breaks) {
    parts.push(line(LX, from, LX, b.y0 + 6, lineAttrs()), line(RX, from, RX, b.y0 + 6, lineAttrs()));
    parts.push(gapBreak(b.y0, b.y1, b.gapUs, b.elided ? hidden : 0));
    from = b.y1 - 6;
  }
  parts.push(line(LX, from, LX, bottom, lineAttrs()), line(RX, from, RX, bottom, lineAttrs()));
  return group({ class: 'timelines' }, ...parts);
}

function lineAttrs(): Record<string, string | number> {
  return { stroke: COLOR.ink, 'stroke-width': 2 };
}

/** A long idle gap: a shaded band, the lines broken by "//" marks, and its real length. */
function gapBreak(y0: number, y1: number, gapUs: number, hidden: number): string {
  const mid = (y0 + y1) / 2;
  const parts = [rect(LX - 40, y0 + 8, RX - LX + 80, y1 - y0 - 16, { fill: COLOR.breakFill, rx: 4 })];
  for (const x of [LX, RX]) {
    parts.push(
      line(x, y0 + 6, x, y1 - 6, { stroke: COLOR.muted, 'stroke-width': 2, 'stroke-dasharray': '2 4' }),
    );
    for (const dy of [-4, 4])
      parts.push(line(x - 8, mid + dy + 3, x + 8, mid + dy - 3, { stroke: COLOR.ink, 'stroke-width': 1.5 }));
  }
  parts.push(
    text(
      (LX + RX) / 2,
      mid + 4,
      hidden > 0
        ? `… ${hidden} segments not shown (≈ ${formatApproxDuration(gapUs)}) …`
        : `≈ ${formatApproxDuration(gapUs)}`,
      {
        'text-anchor': 'middle',
        'font-weight': 'bold',
        fill: COLOR.muted,
      },
    ),
  );
  return group({ class: 'gap' }, ...parts);
}

/** Times down the left margin, skipping any that would collide with the one above. */
function timeColumn(layout: LadderLayout): string {
  const parts: string[] = [
    text(TIME_X, LINE_TOP, 'time', { 'text-anchor': 'end', fill: COLOR.muted, 'font-size': 10 }),
  ];
  let lastY = LINE_TOP + 4;
  for (const m of layout.marks) {
    if (m.y - lastY < 12) continue;
    parts.push(
      text(TIME_X, m.y + 3.5, formatTime(m.timeUs), {
        'text-anchor': 'end',
        fill: COLOR.muted,
        'font-size': 10,
      }),
      line(TIME_X + 4, m.y, TIME_X + 12, m.y, { stroke: COLOR.grid }),
    );
    lastY = m.y;
  }
  return group({ class: 'time' }, ...parts);
}

function stateMark(y: number, left: boolean): string {
  return circle(left ? LX : RX, y, 3.5, { fill: COLOR.state });
}

/** State names beside their time line; names that would overlap are nudged down, with a leader. */
function stateLabels(layout: LadderLayout, changes: StateChange[], left: boolean): string {
  const x = left ? LX - 10 : RX + 10;
  const parts: string[] = [];
  let lastY = -Infinity;
  for (const c of [...changes].sort((a, b) => a.timeUs - b.timeUs)) {
    const y = layout.yAt(c.timeUs);
    const ty = Math.max(y + 4, lastY + 13);
    if (ty - (y + 4) > 2)
      parts.push(line(left ? LX - 4 : RX + 4, y, x + (left ? 2 : -2), ty - 4, { stroke: COLOR.grid }));
    parts.push(
      text(x, ty, c.state, {
        'text-anchor': left ? 'end' : 'start',
        fill: COLOR.state,
        'font-size': 11,
        'font-weight': 'bold',
      }),
    );
    lastY = ty;
  }
  return group({ class: 'states' }, ...parts);
}

function arrow(s: SegmentRecord, fromLeft: boolean, y1: number, y2: number, showWindow: boolean): string {
  const x1 = fromLeft ? LX : RX;
  const x2 = fromLeft ? RX : LX;
  const color = s.retransmit ? COLOR.retransmit : fromLeft ? COLOR.left : COLOR.right;
  const stroke = { stroke: color, 'stroke-width': 1.6, 'stroke-dasharray': s.retransmit ? '7 4' : undefined };
  const lost = s.dropped === true;
  // A lost segment stops a little past half-way: the X is where the network ate it.
  const f = lost ? 0.55 : 1;
  const xe = x1 + (x2 - x1) * f;
  const ye = y1 + (y2 - y1) * f;
  const parts: string[] = [line(x1, y1, xe, ye, stroke)];
  if (lost) parts.push(cross(xe, ye, 6, { stroke: COLOR.lost, 'stroke-width': 2.5 }));
  else parts.push(arrowHead(x1, y1, xe, ye, 9, { fill: color }));

  let label = segmentLabel(s, showWindow);
  if (s.retransmit) label += ' (retransmission)';
  if (lost) label += ' — lost';
  const cx = (x1 + xe) / 2;
  const cy = (y1 + ye) / 2;
  // Text always reads left to right, so the angle comes from the left end whichever way the arrow points.
  const [lx, ly, rx, ry] = fromLeft ? [x1, y1, xe, ye] : [xe, ye, x1, y1];
  const deg = (Math.atan2(ry - ly, rx - lx) * 180) / Math.PI;
  const room = Math.hypot(rx - lx, ry - ly) - 24;
  const size = Math.max(8, Math.min(LABEL_FONT, room / Math.max(1, label.length * 0.6)));
  const rot = `rotate(${deg.toFixed(2)} ${cx.toFixed(1)} ${cy.toFixed(1)})`;
  const halo = {
    stroke: '#ffffff',
    'stroke-width': 3.5,
    'paint-order': 'stroke',
    'stroke-linejoin': 'round',
  };
  parts.push(
    text(cx, cy - 5, label, {
      'text-anchor': 'middle',
      'font-family': MONO,
      'font-size': size,
      fill: color,
      transform: rot,
      ...halo,
    }),
  );
  if (s.note)
    parts.push(
      text(cx, cy + 13, s.note, {
        'text-anchor': 'middle',
        'font-size': 10,
        'font-style': 'italic',
        fill: COLOR.muted,
        transform: rot,
        ...halo,
      }),
    );
  return group({ class: lost ? 'segment lost' : s.retransmit ? 'segment retransmit' : 'segment' }, ...parts);
}

function footer(y: number, hidden: number): string {
  const parts = [
    line(TIME_X, y, TIME_X + 26, y, { stroke: COLOR.left, 'stroke-width': 1.6 }),
    text(TIME_X + 32, y + 4, 'segment', { fill: COLOR.ink, 'font-size': 11 }),
    line(TIME_X + 110, y, TIME_X + 136, y, {
      stroke: COLOR.retransmit,
      'stroke-width': 1.6,
      'stroke-dasharray': '7 4',
    }),
    text(TIME_X + 142, y + 4, 'retransmission', { fill: COLOR.ink, 'font-size': 11 }),
    cross(TIME_X + 262, y, 5, { stroke: COLOR.lost, 'stroke-width': 2.5 }),
    text(TIME_X + 274, y + 4, 'lost on the wire', { fill: COLOR.ink, 'font-size': 11 }),
    circle(TIME_X + 392, y, 3.5, { fill: COLOR.state }),
    text(TIME_X + 400, y + 4, 'state change', { fill: COLOR.ink, 'font-size': 11 }),
  ];
  if (hidden > 0)
    parts.push(
      text(TIME_X, y + 24, `… ${hidden} more segment${hidden === 1 ? '' : 's'} not shown`, {
        fill: COLOR.muted,
        'font-size': 11,
        'font-style': 'italic',
      }),
    );
  return group({ class: 'legend' }, ...parts);
}
