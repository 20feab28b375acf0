import { closeServer, listen, nodePair, synackPair, type NetPair } from './pair.js';
import { alternate, rateResult, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

const DURATION_MS = 1000;

/**
 * connect + accept + close, `parallel` at a time, for a second: the server ends each connection it
 * accepts, the client ends in turn, and a connection counts when the client's socket has closed.
 * (The server closes first, so TIME-WAIT sits on the server side and client ports are reused.)
 */
export async function connectOnce(
  pair: NetPair,
  parallel: number,
  durationMs = DURATION_MS,
): Promise<number> {
  const server = pair.server.createServer((s) => {
    s.on('error', () => undefined);
    s.resume();
    s.end();
  });
  const port = await listen(server, pair.address);
  let completed = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  const rate = await new Promise<number>((resolve, reject) => {
    const start = (): void => {
      inFlight++;
      const c = pair.client.connect(port, pair.address);
      c.on('error', reject);
      c.resume();
      c.on('close', () => {
        inFlight--;
        completed++;
        const t = performance.now();
        if (t < end) start();
        else if (inFlight === 0) resolve((completed * 1000) / (t - t0));
      });
    };
    for (let i = 0; i < parallel; i++) start();
  });
  await closeServer(server);
  pair.close();
  return rate;
}

export const connect: Benchmark = {
  name: 'connect',
  summary: 'connect + accept + close, one at a time and 64 in parallel, connections per second',
  async run(o: BenchOptions): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const parallel of [1, 64]) {
      const r = await alternate(
        o.runs,
        () => connectOnce(synackPair({ mtu: 65535, checksumOffload: true }), parallel),
        () => connectOnce(nodePair(), parallel),
      );
      const name = parallel === 1 ? 'connect' : `connect-${parallel}`;
      o.log(
        `${name} synack ${r.synack.map((x) => x.toFixed(0)).join(' ')} node ${r.node.map((x) => x.toFixed(0)).join(' ')}`,
      );
      out.push(rateResult(name, 'connections/s', r.synack, r.node));
    }
    return out;
  },
};
