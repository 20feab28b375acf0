// Translation between packetdrill's tcpdump-style flag letters and TCP header flag bits.

import {
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
} from '../wire/tcp-segment.js';

export { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG };
/** AccECN's AE bit (formerly NS), the low bit of the reserved nibble. */
export const TCP_AE = 0x100;

// Printing order matches the way scripts write flags ("FP.", "S.", "U."): the grammar only allows
// the ACK dot at the end of the flags word, so it is printed last.
const LETTERS: readonly [string, number][] = [
  ['F', TCP_FIN],
  ['S', TCP_SYN],
  ['R', TCP_RST],
  ['P', TCP_PSH],
  ['U', TCP_URG],
  ['E', TCP_ECE],
  ['W', TCP_CWR],
  ['A', TCP_AE],
  ['.', TCP_ACK],
];

export type FlagsParse = { ok: true; bits: number; ace?: number } | { ok: false; error: string };

/**
 * Parses flags as written on a packet line. A digit 0–7 is the AccECN ACE field, which takes the
 * place of the E, W and A bits and so cannot be combined with them.
 */
export function parseTcpFlags(text: string): FlagsParse {
  if (text === '-') return { ok: true, bits: 0 };
  let bits = 0;
  let ace: number | undefined;
  for (const ch of text) {
    if (ch >= '0' && ch <= '7') {
      if (ace !== undefined) return { ok: false, error: `invalid TCP flags '${text}': two ACE digits` };
      ace = Number(ch);
      continue;
    }
    const entry = LETTERS.find(([letter]) => letter === ch);
    if (!entry) return { ok: false, error: `invalid TCP flag '${ch}' in '${text}'` };
    if (bits & entry[1]) return { ok: false, error: `TCP flag '${ch}' repeated in '${text}'` };
    bits |= entry[1];
  }
  if (ace !== undefined) {
    if (bits & (TCP_ECE | TCP_CWR | TCP_AE)) {
      return { ok: false, error: `invalid TCP flags '${text}': ACE digit combined with E, W or A` };
    }
    bits |= (ace & 1 ? TCP_ECE : 0) | (ace & 2 ? TCP_CWR : 0) | (ace & 4 ? TCP_AE : 0);
    return { ok: true, bits, ace };
  }
  return { ok: true, bits };
}

/** Flag bits back to letters, in packetdrill's order; no flags at all prints as "-". */
export function formatTcpFlags(bits: number): string {
  let out = '';
  for (const [letter, bit] of LETTERS) if (bits & bit) out += letter;
  return out === '' ? '-' : out;
}
