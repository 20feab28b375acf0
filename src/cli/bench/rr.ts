import { once } from 'node:events';
import { closeServer, listen, nodePair, synackPair, type NetPair } from './pair.js';
import { alternate, rateResult, type BenchOptions, type BenchResult, type Benchmark } from './types.js';

const SIZE = 100;
const DURATION_MS = 1000;

/** Request/response: 100 bytes each way on one connection, one transaction at a time, for a second. */
export async function rrOnce(pair: NetPair, durationMs = DURATION_MS): Promise<number> {
  const response = Buffer.alloc(SIZE, 0x62);
  const server = pair.server.createServer((s) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      while (got >= SIZE) {
        got -= SIZE;
        s.write(response);
      }
    });
    s.on('error', () => undefined);
  });
  const port = await listen(server, pair.address);
  const c = pair.client.connect(port, pair.address);
  c.on('error', () => undefined);
  await once(c, 'connect');
  const request = Buffer.alloc(SIZE, 0x61);
  let transactions = 0;
  let got = 0;
  let end = Infinity;
  let t0 = 0;
  const finished = new Promise<number>((resolve) => {
    c.on('data', (d: Buffer) => {
      got += d.length;
      if (got < SIZE) return;
      got -= SIZE;
      transactions++;
      const t = performance.now();
      if (t >= end) resolve((transactions * 1000) / (t - t0));
      else c.write(request);
    });
  });
  t0 = performance.now();
  end = t0 + durationMs;
  c.write(request);
  const rate = await finished;
  c.destroy();
  await closeServer(server);
  pair.close();
  return rate;
}

export const rr: Benchmark = {
  name: 'rr',
  summary: '100-byte request, 100-byte response, one connection, transactions per second',
  async run(o: BenchOptions): Promise<BenchResult[]> {
    const r = await alternate(
      o.runs,
      () => rrOnce(synackPair({ mtu: 65535, checksumOffload: true })),
      () => rrOnce(nodePair()),
    );
    o.log(
      `rr synack ${r.synack.map((x) => x.toFixed(0)).join(' ')} node ${r.node.map((x) => x.toFixed(0)).join(' ')}`,
    );
    return [rateResult('rr', 'transactions/s', r.synack, r.node)];
  },
};
