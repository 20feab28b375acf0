/** Minimal SVG markup builders: every piece of text passes through esc(), every number through num(). */

export type AttrValue = string | number | undefined | null | false;
export type Attrs = Record<string, AttrValue>;

export const SVG_NS = 'http://www.w3.org/2000/svg';
export const SANS = 'Helvetica, Arial, "DejaVu Sans", sans-serif';
export const MONO = 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content or a quoted attribute; drops control characters XML 1.0 forbids. */
export function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Two decimals at most and no trailing zeros: keeps the markup small and diff-friendly. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function attrString(attrs: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : esc(v)}"`;
  }
  return out;
}

/** An element; children are markup already built (or escaped), never raw text. */
export function el(tag: string, attrs: Attrs = {}, ...children: string[]): string {
  const a = attrString(attrs);
  return children.length === 0 ? `<${tag}${a}/>` : `<${tag}${a}>${children.join('')}</${tag}>`;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, esc(content));
}

export function line(x1: number, y1: number, x2: number, y2: number, attrs: Attrs = {}): string {
  return el('line', { x1, y1, x2, y2, ...attrs });
}

export function polyline(points: readonly (readonly [number, number])[], attrs: Attrs = {}): string {
  if (points.length === 0) return '';
  const pts = points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
  return el('polyline', { points: pts, fill: 'none', ...attrs });
}

export function rect(x: number, y: number, width: number, height: number, attrs: Attrs = {}): string {
  return el('rect', { x, y, width, height, ...attrs });
}

export function circle(cx: number, cy: number, r: number, attrs: Attrs = {}): string {
  return el('circle', { cx, cy, r, ...attrs });
}

export function group(attrs: Attrs, ...children: string[]): string {
  return el('g', attrs, ...children.filter((c) => c.length > 0));
}

/** A filled triangle pointing from (fromX, fromY) towards (x, y), its tip at (x, y). */
export function arrowHead(
  fromX: number,
  fromY: number,
  x: number,
  y: number,
  size: number,
  attrs: Attrs = {},
): string {
  const a = Math.atan2(y - fromY, x - fromX);
  const spread = 0.42;
  const p1: [number, number] = [x - size * Math.cos(a - spread), y - size * Math.sin(a - spread)];
  const p2: [number, number] = [x - size * Math.cos(a + spread), y - size * Math.sin(a + spread)];
  const pts = [[x, y], p1, p2].map(([px, py]) => `${num(px ?? 0)},${num(py ?? 0)}`).join(' ');
  return el('polygon', { points: pts, ...attrs });
}

/** An X centred on (x, y). */
export function cross(x: number, y: number, r: number, attrs: Attrs = {}): string {
  return line(x - r, y - r, x + r, y + r, attrs) + line(x - r, y + r, x + r, y - r, attrs);
}

/** A standalone-valid <svg> root: namespace, viewBox so it scales, and a <title> for accessibility. */
export function svgRoot(width: number, height: number, title: string, ...body: string[]): string {
  return el(
    'svg',
    {
      xmlns: SVG_NS,
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      role: 'img',
      'aria-label': title,
      'font-family': SANS,
      'font-size': 12,
    },
    el('title', {}, esc(title)),
    rect(0, 0, width, height, { fill: '#ffffff' }),
    ...body,
  );
}

/** Rough width of a label, for layout only; monospace glyphs are ~0.6 em wide, sans ~0.56 em. */
export function textWidth(s: string, fontSize: number, mono = false): number {
  return s.length * fontSize * (mono ? 0.6 : 0.56);
}
