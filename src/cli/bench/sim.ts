import { fairnessRun } from '../../scenarios/fairness.js';
import { median, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

const FLOWS = 100;
const SIM_SECONDS = 2;

/**
 * 100 CUBIC flows sharing a 1 Gbit/s bottleneck (the fairness dumbbell, 40 ms RTT) in virtual
 * time: simulated seconds per wall-clock second. Node has no counterpart.
 */
export const sim: Benchmark = {
  name: 'sim',
  summary: '100 flows over a simulated 1 Gbit/s bottleneck, simulated seconds per wall second',
  async run(o: BenchOptions): Promise<BenchResult[]> {
    const rates: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = performance.now();
      fairnessRun(1, {
        algorithms: new Array<string>(FLOWS).fill('cubic'),
        bottleneckBps: 1e9,
        rttUs: 40_000,
        durationS: SIM_SECONDS,
      });
      const s = (performance.now() - t0) / 1000;
      rates.push(SIM_SECONDS / s);
      o.log(`sim ${(SIM_SECONDS / s).toFixed(2)} simulated s/s`);
      await new Promise((r) => setImmediate(r));
    }
    return [{ name: 'sim', unit: 'sim s/s', synack: median(rates), node: null, ratio: null }];
  },
};
