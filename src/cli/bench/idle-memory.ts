import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { costResult, median, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

const CHILD = fileURLToPath(new URL('./idle-child.js', import.meta.url));
const CONNECTIONS = 10_000;
const MILLION = 1_000_000;
const LIMIT_BYTES = 4 * 1024 ** 3;

interface ChildResult {
  connections: number;
  rssPerConn: number;
  heapPerConn: number;
}

function child(side: 'synack' | 'node', n: number, heapMiB: number): Promise<ChildResult> {
  const args = ['--expose-gc', `--max-old-space-size=${heapMiB}`, CHILD, side, String(n)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`idle-memory ${side} ${n}: ${err.message} ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** Node needs two descriptors per connection (both ends in one process); stay under the limit. */
function nodeConnections(): number {
  try {
    const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
    if (Number.isFinite(limit)) return Math.min(CONNECTIONS, Math.floor((limit - 200) / 2));
  } catch {
    // no shell: assume enough descriptors
  }
  return CONNECTIONS;
}

/**
 * Process memory (RSS, after a full GC) per idle established connection, both ends in one
 * process: 10,000 connections through synack's sockets against 10,000 through Node's net (the
 * kernel's own socket memory is not counted for Node). Then synack alone with 1,000,000.
 */
export const idleMemory: Benchmark = {
  name: 'idle-memory',
  summary: 'process memory per idle established connection (10,000; and 1,000,000 in synack alone)',
  async run(o: BenchOptions): Promise<BenchResult[]> {
    const s: number[] = [];
    const n: number[] = [];
    const nodeN = nodeConnections();
    for (let i = 0; i < o.runs; i++) {
      s.push((await child('synack', CONNECTIONS, 1024)).rssPerConn);
      n.push((await child('node', nodeN, 1024)).rssPerConn);
    }
    o.log(
      `idle-memory bytes/connection synack ${s.map((x) => x.toFixed(0)).join(' ')} node ${n.map((x) => x.toFixed(0)).join(' ')} (node at ${nodeN})`,
    );
    const big = await child('synack', MILLION, 6144);
    const total = big.rssPerConn * MILLION;
    o.log(`idle-memory 1M: ${(total / 1024 ** 3).toFixed(2)} GiB, ${big.rssPerConn.toFixed(0)} B/connection`);
    return [
      costResult('idle-memory', 'bytes/connection', s, n),
      {
        name: 'idle-1m',
        unit: 'GiB',
        synack: total / 1024 ** 3,
        node: null,
        // Against the 4 GiB budget: > 1 means within it.
        ratio: LIMIT_BYTES / total,
      },
    ];
  },
};

export { median };
