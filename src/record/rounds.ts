import { INFINITE_SSTHRESH, type RoundSample } from '../viz/model.js';

function numbers(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

/**
 * The classroom figure's rounds from a scenario's result, when it has them: result.cwndPerRound,
 * with ssthreshPerRound and events ({round, event}: the event struck in that round, so it is drawn
 * at the end of the round before).
 */
export function roundsFromResult(result: Record<string, unknown>): RoundSample[] | undefined {
  const cwnd = numbers(result.cwndPerRound);
  if (!cwnd) return undefined;
  const ssthresh = numbers(result.ssthreshPerRound) ?? [];
  const events = Array.isArray(result.events)
    ? (result.events as { round?: unknown; event?: unknown }[])
    : [];
  return cwnd.map((c, i) => {
    const r: RoundSample = { round: i + 1, cwnd: c, ssthresh: ssthresh[i] ?? INFINITE_SSTHRESH };
    const ev = events.find((e) => e.round === i + 2 && typeof e.event === 'string');
    if (ev) r.event = ev.event as string;
    return r;
  });
}
