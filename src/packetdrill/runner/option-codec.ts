import type { TcpOptionSpec } from '../ast.js';

/**
 * TCP options as packetdrill writes them, in the order written, to bytes, and a live segment's
 * option bytes back to that notation. `mapSack` turns script SACK edges into live ones (or back),
 * `mapEcr` a script TS ecr into the live value.
 */
export function encodeOptions(
  opts: TcpOptionSpec[],
  mapSack: (edge: number) => number,
  mapEcr: (ecr: number) => number,
): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const o of opts) {
    switch (o.kind) {
      case 'nop':
        out.push(1);
        break;
      case 'eol':
        out.push(0);
        break;
      case 'mss':
        out.push(2, 4, (o.value >> 8) & 255, o.value & 255);
        break;
      case 'wscale':
        out.push(3, 3, o.value & 255);
        break;
      case 'sackOK':
        out.push(4, 2);
        break;
      case 'sack':
        out.push(5, 2 + 8 * o.blocks.length);
        for (const b of o.blocks) {
          u32(mapSack(b.left));
          u32(mapSack(b.right));
        }
        break;
      case 'TS':
        out.push(8, 10);
        u32(o.val);
        u32(mapEcr(o.ecr));
        break;
      default:
        throw new Error(`option ${o.kind} is not supported`);
    }
  }
  return Uint8Array.from(out);
}

export function decodeOptions(raw: Uint8Array): TcpOptionSpec[] {
  const out: TcpOptionSpec[] = [];
  const u32 = (i: number) =>
    (((raw[i] as number) << 24) |
      ((raw[i + 1] as number) << 16) |
      ((raw[i + 2] as number) << 8) |
      (raw[i + 3] as number)) >>>
    0;
  for (let i = 0; i < raw.length;) {
    const kind = raw[i] as number;
    if (kind === 0) {
      out.push({ kind: 'eol' });
      i++;
      continue;
    }
    if (kind === 1) {
      out.push({ kind: 'nop' });
      i++;
      continue;
    }
    const len = raw[i + 1] ?? 0;
    if (len < 2 || i + len > raw.length) break;
    if (kind === 2 && len === 4)
      out.push({ kind: 'mss', value: ((raw[i + 2] as number) << 8) | (raw[i + 3] as number) });
    else if (kind === 3 && len === 3) out.push({ kind: 'wscale', value: raw[i + 2] as number });
    else if (kind === 4 && len === 2) out.push({ kind: 'sackOK' });
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks = [];
      for (let j = i + 2; j < i + len; j += 8) blocks.push({ left: u32(j), right: u32(j + 4) });
      out.push({ kind: 'sack', blocks });
    } else if (kind === 8 && len === 10) out.push({ kind: 'TS', val: u32(i + 2), ecr: u32(i + 6) });
    else out.push({ kind: 'unknown', code: kind, data: Array.from(raw.subarray(i + 2, i + len)) });
    i += len;
  }
  return out;
}
