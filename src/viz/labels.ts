import type { SegmentRecord } from './model.js';

// tcpdump's flag letters, in the order the seed's figures name them (SYN before ACK).
const FLAG_NAMES: [string, string][] = [
  ['S', 'SYN'],
  ['F', 'FIN'],
  ['R', 'RST'],
  ['P', 'PSH'],
  ['U', 'URG'],
  ['E', 'ECE'],
  ['W', 'CWR'],
  ['.', 'ACK'],
];

/** 'S.' → 'SYN,ACK', 'F.' → 'FIN,ACK', '.' → 'ACK'. */
export function flagNames(flags: string): string {
  const names = FLAG_NAMES.filter(([letter]) => flags.includes(letter)).map(([, name]) => name);
  return names.length > 0 ? names.join(',') : 'none';
}

export function hasAck(flags: string): boolean {
  return flags.includes('.');
}

/** The arrow text of the ladder, in the seed's notation: "SYN,ACK seq=0 ack=1 win=65535". */
export function segmentLabel(seg: SegmentRecord, showWindow = true): string {
  const parts = [flagNames(seg.flags), `seq=${seg.relSeq}`];
  if (hasAck(seg.flags)) parts.push(`ack=${seg.relAck}`);
  if (seg.len > 0) parts.push(`len=${seg.len}`);
  if (showWindow) parts.push(`win=${seg.win}`);
  if (seg.sack && seg.sack.length > 0) parts.push(`SACK ${seg.sack.map(([l, r]) => `${l}-${r}`).join(',')}`);
  return parts.join(' ');
}
