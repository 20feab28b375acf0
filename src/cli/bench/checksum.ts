import { benchmarkChecksum } from '../../wire/checksum-bench.js';
import { median, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

/**
 * The Internet checksum routine over 64 KiB buffers, GB/s (and its JS fallback, and a plain byte
 * loop for scale).
 */
export const checksum: Benchmark = {
  name: 'checksum',
  summary: 'Internet checksum GB/s',
  async run(o: BenchOptions): Promise<BenchResult[]> {
    const fast: number[] = [];
    const js: number[] = [];
    const naive: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const r = benchmarkChecksum();
      fast.push(r.fastGBps);
      js.push(r.jsGBps);
      naive.push(r.naiveGBps);
      await new Promise((res) => setImmediate(res));
    }
    return [
      { name: 'checksum', unit: 'GB/s', synack: median(fast), node: null, ratio: null },
      { name: 'checksum-js', unit: 'GB/s', synack: median(js), node: null, ratio: null },
      { name: 'checksum-bytewise', unit: 'GB/s', synack: median(naive), node: null, ratio: null },
    ];
  },
};
