import { median } from './scale.js';

/**
 * Vertical placement for the ladder diagram. Time runs down the page, but a true linear scale is
 * unreadable for TCP: a burst of segments lands within microseconds while TIME-WAIT lasts a minute.
 * So time maps linearly only between nearby events; every endpoint keeps a minimum spacing so
 * labels never sit on top of each other, and long idle gaps collapse into a fixed-height break.
 */

export interface LayoutItem {
  sendUs: number;
  arriveUs?: number;
  fromLeft: boolean;
  dropped: boolean;
}

export interface LayoutParams {
  top: number;
  /** Height one median one-way delay gets. */
  oneWayPx: number;
  /** An arrow never slants less than this, so it still reads as travelling forward in time. */
  minSlantPx: number;
  /** Minimum distance between successive arrow ends on the same time line. */
  stepPx: number;
  /** A gap that would take more than this is drawn as a break instead. */
  maxLinearPx: number;
  breakPx: number;
  /** Segments left out of the picture from here on: a break is drawn before this time. */
  elideAtUs?: number;
}

export interface PlacedArrow {
  y1: number;
  y2: number;
  /** False when the segment was lost or its arrival time is unknown (y2 is then only a slant). */
  arrives: boolean;
}

export interface GapBreak {
  y0: number;
  y1: number;
  gapUs: number;
  /** True when segments were left out here (not just idle time). */
  elided?: boolean;
}

export interface TimeMark {
  timeUs: number;
  y: number;
}

export interface LadderLayout {
  arrows: PlacedArrow[];
  breaks: GapBreak[];
  /** One per distinct event time, top to bottom. */
  marks: TimeMark[];
  /** y of an event time that was given (a send, an arrival or one of extraTimes). */
  yAt(timeUs: number): number;
  bottom: number;
}

export const DEFAULT_PARAMS: LayoutParams = {
  top: 0,
  oneWayPx: 44,
  minSlantPx: 22,
  stepPx: 20,
  maxLinearPx: 150,
  breakPx: 46,
};

interface Key {
  t: number;
  sends: number[];
  arrivals: number[];
}

function arrives(it: LayoutItem): it is LayoutItem & { arriveUs: number } {
  return !it.dropped && it.arriveUs !== undefined && it.arriveUs > it.sendUs;
}

/** Pixels per microsecond: a median one-way delay gets oneWayPx; without arrivals, the median send gap does. */
function pxPerUs(items: LayoutItem[], p: LayoutParams): number {
  const oneWay = median(items.filter(arrives).map((i) => i.arriveUs - i.sendUs));
  if (oneWay !== undefined && oneWay > 0) return p.oneWayPx / oneWay;
  const sends = [...new Set(items.map((i) => i.sendUs))].sort((a, b) => a - b);
  const gaps = sends.slice(1).map((t, i) => t - (sends[i] ?? t));
  const g = median(gaps.filter((x) => x > 0));
  return g !== undefined ? p.oneWayPx / g : 0;
}

function collectKeys(items: LayoutItem[], extraTimes: number[]): Key[] {
  const keys = new Map<number, Key>();
  const key = (t: number): Key => {
    let k = keys.get(t);
    if (!k) keys.set(t, (k = { t, sends: [], arrivals: [] }));
    return k;
  };
  items.forEach((it, i) => {
    key(it.sendUs).sends.push(i);
    if (arrives(it)) key(it.arriveUs).arrivals.push(i);
  });
  for (const t of extraTimes) key(t);
  return [...keys.values()].sort((a, b) => a.t - b.t);
}

export function layoutLadder(
  items: LayoutItem[],
  extraTimes: number[] = [],
  params: Partial<LayoutParams> = {},
): LadderLayout {
  const p: LayoutParams = { ...DEFAULT_PARAMS, ...params };
  const scale = pxPerUs(items, p);
  const sendY: number[] = new Array<number>(items.length).fill(0);
  const arriveY: number[] = new Array<number>(items.length).fill(0);
  const breaks: GapBreak[] = [];
  const marks: TimeMark[] = [];
  const yOf = new Map<number, number>();
  // Index 0: left time line, 1: right. -Infinity until something ends there.
  const lastEnd = [-Infinity, -Infinity];
  let prevEnd = p.top;
  let prevT: number | undefined;

  for (const k of collectKeys(items, extraTimes)) {
    let y = p.top;
    if (prevT !== undefined) {
      const dy = (k.t - prevT) * scale;
      const elided = p.elideAtUs !== undefined && prevT < p.elideAtUs && k.t >= p.elideAtUs;
      if (dy > p.maxLinearPx || elided) {
        breaks.push({ y0: prevEnd, y1: prevEnd + p.breakPx, gapUs: k.t - prevT, elided });
        y = prevEnd + p.breakPx;
      } else {
        y = prevEnd + dy;
      }
    }
    const sideOf = (i: number, sending: boolean): number =>
      (items[i]?.fromLeft ?? true) === sending ? 0 : 1;
    const touched = new Set<number>([
      ...k.sends.map((i) => sideOf(i, true)),
      ...k.arrivals.map((i) => sideOf(i, false)),
    ]);
    for (const s of touched) y = Math.max(y, (lastEnd[s] ?? -Infinity) + p.stepPx);
    for (const i of k.arrivals) y = Math.max(y, (sendY[i] ?? 0) + p.minSlantPx);

    for (const i of k.arrivals) arriveY[i] = y;
    // Segments sent at the same instant from one side stack downwards instead of overlapping.
    const stacked = [0, 0];
    let end = y;
    for (const i of k.sends) {
      const s = sideOf(i, true);
      const sy = y + (stacked[s] ?? 0) * p.stepPx;
      stacked[s] = (stacked[s] ?? 0) + 1;
      sendY[i] = sy;
      end = Math.max(end, sy);
      lastEnd[s] = Math.max(lastEnd[s] ?? -Infinity, sy);
    }
    for (const s of touched) lastEnd[s] = Math.max(lastEnd[s] ?? -Infinity, y);
    yOf.set(k.t, y);
    marks.push({ timeUs: k.t, y });
    prevEnd = end;
    prevT = k.t;
  }

  // A lost segment slants like the others that arrived, so it reads as one of them.
  const slants = items.map((it, i) => (arrives(it) ? (arriveY[i] ?? 0) - (sendY[i] ?? 0) : NaN));
  const typical = median(slants.filter((x) => Number.isFinite(x)));
  const fallbackSlant = typical ?? Math.min(p.maxLinearPx, Math.max(p.minSlantPx, p.oneWayPx));
  const arrows: PlacedArrow[] = items.map((it, i) => {
    const y1 = sendY[i] ?? 0;
    if (arrives(it)) return { y1, y2: arriveY[i] ?? y1, arrives: true };
    return { y1, y2: y1 + fallbackSlant, arrives: false };
  });
  const bottom = Math.max(prevEnd, ...arrows.map((a) => a.y2));
  return {
    arrows,
    breaks,
    marks,
    yAt: (t) => yOf.get(t) ?? nearest(marks, t),
    bottom,
  };
}

/** For a time that was not laid out: the y of the latest mark not after it. */
function nearest(marks: TimeMark[], t: number): number {
  let y = marks[0]?.y ?? 0;
  for (const m of marks) if (m.timeUs <= t) y = m.y;
  return y;
}
