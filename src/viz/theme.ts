/** One palette for every picture so a colour means the same thing across the report. */
export const COLOR = {
  ink: '#1f2933',
  muted: '#6b7785',
  grid: '#e4e8ee',
  axis: '#8a94a3',
  left: '#1d4ed8',
  right: '#047857',
  retransmit: '#db2777',
  lost: '#111827',
  timeout: '#dc2626',
  data: '#1d4ed8',
  ack: '#15803d',
  window: '#b7791f',
  sack: '#7c3aed',
  cwnd: '#1d4ed8',
  ssthresh: '#dc2626',
  inFlight: '#6b7785',
  state: '#7c2d12',
  breakFill: '#f4f6f9',
} as const;

/** Colour for a congestion event marker: losses red, recovery green, everything else amber. */
export function eventColor(event: string): string {
  const e = event.toLowerCase();
  if (e.includes('timeout') || e.includes('rto') || e.includes('loss')) return COLOR.timeout;
  if (e.includes('exit') || e.includes('undo')) return COLOR.ack;
  return COLOR.retransmit;
}

/** 'fast-retransmit' → 'fast retransmit': events arrive as identifiers, labels are read by people. */
export function eventLabel(event: string): string {
  return event.replace(/[-_]+/g, ' ').trim();
}
