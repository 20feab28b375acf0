/** One line of `synack bench`: synack's median against Node's in the same run. */
export interface BenchResult {
  name: string;
  unit: string;
  synack: number;
  /** Node's figure (net over the kernel's loopback), or null where Node has no counterpart. */
  node: number | null;
  /** > 1 means synack is better: synack ÷ node for rates, node ÷ synack for costs. */
  ratio: number | null;
}

export interface BenchOptions {
  /** Repetitions of each side; the median is reported. */
  runs: number;
  /** Progress lines (to stderr), so a long run shows it is alive. */
  log: (line: string) => void;
}

/** One benchmark: a file under src/cli/bench/, registered in index.ts. */
export interface Benchmark {
  name: string;
  summary: string;
  run(o: BenchOptions): Promise<BenchResult[]>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** A rate (higher is better) measured on both sides. */
export function rateResult(name: string, unit: string, synack: number[], node: number[]): BenchResult {
  const s = median(synack);
  const n = median(node);
  return { name, unit, synack: s, node: n, ratio: n > 0 ? s / n : null };
}

/** A cost (lower is better) measured on both sides. */
export function costResult(name: string, unit: string, synack: number[], node: number[]): BenchResult {
  const s = median(synack);
  const n = median(node);
  return { name, unit, synack: s, node: n, ratio: s > 0 ? n / s : null };
}

/**
 * Alternate the two sides run by run, so drift in the machine's load affects both alike. Each side
 * first runs once uncounted: the first run of either pays for compiling its code (V8 has not yet
 * optimised the hot functions, and the heap has not grown to the workload), which is not what a
 * program that has been running a while sees.
 */
export async function alternate(
  runs: number,
  synack: () => Promise<number>,
  node: () => Promise<number>,
): Promise<{ synack: number[]; node: number[] }> {
  await synack();
  await node();
  const out = { synack: [] as number[], node: [] as number[] };
  for (let i = 0; i < runs; i++) {
    out.synack.push(await synack());
    out.node.push(await node());
  }
  return out;
}
