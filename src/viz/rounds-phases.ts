import type { RoundSample } from './model.js';

export type Phase = 'slow start' | 'congestion avoidance' | 'fast recovery';

export interface PhaseRun {
  phase: Phase;
  /** Indexes into the rounds array, inclusive. */
  first: number;
  last: number;
}

/** Events after which the next rounds grow linearly from the halved window (Reno), not from 1. */
export function isFastRecoveryEvent(event: string | undefined): boolean {
  if (!event) return false;
  const e = event.toLowerCase();
  return !e.includes('exit') && (e.includes('fast') || e.includes('dup') || e.includes('recover'));
}

/**
 * The textbook phase of each round: slow start below ssthresh, congestion avoidance at or above it
 * (the seed switches at cwnd = ssthresh), and "fast recovery" for the linear climb that follows three
 * duplicate ACKs, until the next event.
 */
export function roundPhases(rounds: RoundSample[]): PhaseRun[] {
  const runs: PhaseRun[] = [];
  let afterFast = false;
  rounds.forEach((r, i) => {
    const prevEvent = rounds[i - 1]?.event;
    if (prevEvent) afterFast = isFastRecoveryEvent(prevEvent);
    const phase: Phase = afterFast
      ? 'fast recovery'
      : r.cwnd < r.ssthresh
        ? 'slow start'
        : 'congestion avoidance';
    const cur = runs[runs.length - 1];
    if (cur && cur.phase === phase && !prevEvent) cur.last = i;
    else runs.push({ phase, first: i, last: i });
  });
  return runs;
}

export interface SsthreshRun {
  ssthresh: number;
  first: number;
  last: number;
}

/** Rounds grouped by an unchanged, finite ssthresh: one dashed line each. */
export function ssthreshRuns(rounds: RoundSample[], infinite: number): SsthreshRun[] {
  const runs: SsthreshRun[] = [];
  rounds.forEach((r, i) => {
    if (!(r.ssthresh < infinite)) return;
    const cur = runs[runs.length - 1];
    if (cur && cur.ssthresh === r.ssthresh && cur.last === i - 1) cur.last = i;
    else runs.push({ ssthresh: r.ssthresh, first: i, last: i });
  });
  return runs;
}
