import { PerformanceObserver } from 'node:perf_hooks';

/** Counts garbage collections (V8's minor and major GCs) between start() and stop(). */
export class GcCounter {
  private count = 0;
  private readonly obs = new PerformanceObserver((list) => {
    this.count += list.getEntries().length;
  });

  start(): void {
    this.count = 0;
    this.obs.observe({ entryTypes: ['gc'] });
  }

  /** Stop counting; entries are delivered asynchronously, so give them a turn to arrive. */
  async stop(): Promise<number> {
    await new Promise((r) => setTimeout(r, 5));
    this.obs.disconnect();
    return this.count;
  }
}
