import { COLOR } from './theme.js';
import type { Scale } from './scale.js';
import { group, line, rect, text } from './svg.js';

export interface PlotArea {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface AxesOptions {
  area: PlotArea;
  sx: Scale;
  sy: Scale;
  xTicks: Tick[];
  yTicks: Tick[];
  xTitle: string;
  yTitle: string;
}

/** Grid, frame, tick labels and axis titles; the data is drawn on top by the caller. */
export function axes(o: AxesOptions): string {
  const { x, y, w, h } = o.area;
  const bottom = y + h;
  const parts: string[] = [rect(x, y, w, h, { fill: '#ffffff', stroke: 'none' })];
  for (const t of o.xTicks) {
    const px = o.sx(t.value);
    if (px < x - 0.5 || px > x + w + 0.5) continue;
    parts.push(line(px, y, px, bottom, { stroke: COLOR.grid }));
    parts.push(line(px, bottom, px, bottom + 5, { stroke: COLOR.axis }));
    parts.push(
      text(px, bottom + 18, t.label, { 'text-anchor': 'middle', fill: COLOR.muted, 'font-size': 11 }),
    );
  }
  for (const t of o.yTicks) {
    const py = o.sy(t.value);
    if (py < y - 0.5 || py > bottom + 0.5) continue;
    parts.push(line(x, py, x + w, py, { stroke: COLOR.grid }));
    parts.push(line(x - 5, py, x, py, { stroke: COLOR.axis }));
    parts.push(text(x - 8, py + 4, t.label, { 'text-anchor': 'end', fill: COLOR.muted, 'font-size': 11 }));
  }
  parts.push(line(x, bottom, x + w, bottom, { stroke: COLOR.axis }));
  parts.push(line(x, y, x, bottom, { stroke: COLOR.axis }));
  parts.push(
    text(x + w / 2, bottom + 38, o.xTitle, { 'text-anchor': 'middle', fill: COLOR.ink, 'font-size': 12 }),
  );
  const ty = y + h / 2;
  parts.push(
    text(0, 0, o.yTitle, {
      transform: `translate(${Math.round(x - 52)} ${Math.round(ty)}) rotate(-90)`,
      'text-anchor': 'middle',
      fill: COLOR.ink,
      'font-size': 12,
    }),
  );
  return group({ class: 'axes' }, ...parts);
}

export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  marker?: 'line' | 'bar' | 'dot';
}

/** A one-row legend starting at (x, y); returns the markup. */
export function legend(x: number, y: number, items: LegendItem[]): string {
  const parts: string[] = [];
  let cx = x;
  for (const it of items) {
    const kind = it.marker ?? 'line';
    if (kind === 'bar')
      parts.push(line(cx + 9, y - 7, cx + 9, y + 5, { stroke: it.color, 'stroke-width': 3 }));
    else if (kind === 'dot') parts.push(rect(cx + 5, y - 5, 8, 8, { fill: it.color }));
    else
      parts.push(
        line(cx, y - 1, cx + 18, y - 1, { stroke: it.color, 'stroke-width': 2, 'stroke-dasharray': it.dash }),
      );
    parts.push(text(cx + 24, y + 3, it.label, { fill: COLOR.ink, 'font-size': 11 }));
    cx += 24 + it.label.length * 6.4 + 18;
  }
  return group({ class: 'legend' }, ...parts);
}
