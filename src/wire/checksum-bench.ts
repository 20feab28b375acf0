import { checksum, finishChecksum, jsOnesSum, naiveChecksum } from './checksum.js';

/**
 * Throughput of the checksum routine (WebAssembly where available), of its JS fallback and of a
 * plain byte loop, in GB/s (for `synack bench`).
 */
export function benchmarkChecksum(totalBytes = 256 * 1024 * 1024): {
  fastGBps: number;
  jsGBps: number;
  naiveGBps: number;
} {
  const buf = new Uint8Array(65536);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
  const rate = (fn: (b: Uint8Array, s: number, e: number) => number, bytes: number): number => {
    let sink = 0;
    const rounds = Math.max(1, Math.floor(bytes / buf.length));
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) sink ^= fn(buf, r & 1, buf.length);
    const ms = performance.now() - t0;
    if (sink === -1) throw new Error('unreachable');
    return (rounds * buf.length) / (ms * 1e6);
  };
  const js = (b: Uint8Array, s: number, e: number): number => finishChecksum(jsOnesSum(b, s, e));
  rate(checksum, 8 * 1024 * 1024); // warm up the JIT
  rate(js, 8 * 1024 * 1024);
  return {
    fastGBps: rate(checksum, totalBytes),
    jsGBps: rate(js, totalBytes / 2),
    naiveGBps: rate(naiveChecksum, totalBytes / 8),
  };
}
