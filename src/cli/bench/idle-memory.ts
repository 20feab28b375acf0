import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { costResult, median, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

const CHILD = fileURLToPath(new URL('./idle-child.js', import.meta.url));
const CONNECTIONS = 10_000;
const MILLION = 1_000_000;
const LIMIT_BYTES = 4 * 1024 ** 3;

interface ChildResult {
  connections: number;
  /** The child's resident memory at the end, bytes. */
  rss: number;
  rssPerConn: number;
  heapPerConn: number;
}

function child(side: 'synack' | 'node', n: number, heapMiB: number, limit = 0): Promise<ChildResult> {
  const args = ['--expose-gc', `--max-old-space-size=${heapMiB}`, CHILD, side, String(n), String(limit)];
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
 * kernel's own socket memory is not counted for Node), counted on both sides as the slope
 * between 5,000 and 10,000 established (idle-child.ts says why). Then synack alone with 1,000,000.
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
    const big = await child('synack', MILLION, 8192, LIMIT_BYTES);
    const total = big.rss;
    o.log(
      `idle-memory 1M: ${big.connections} connections in ${(total / 1024 ** 3).toFixed(2)} GiB (process RSS), ${big.rssPerConn.toFixed(0)} B/connection`,
    );
    return [
      costResult('idle-memory', 'bytes/connection', s, n),
      {
        // Idle established connections synack holds (both ends) within 4 GiB of process memory,
        // at most a million; the ratio is against the million.
        name: 'idle-1m',
        unit: 'connections',
        synack: big.connections,
        node: null,
        ratio: big.connections / MILLION,
      },
    ];
  },
};

export { median };
