import { once } from 'node:events';
import { GcCounter } from './gc.js';
import { closeServer, listen, nodePair, synackPair, type NetPair } from './pair.js';
import {
  alternate,
  costResult,
  rateResult,
  type BenchOptions,
  type BenchResult,
  type Benchmark,
} from './types.js';

const TOTAL = 1 << 30;
const CHUNK = 64 * 1024;

interface BulkRun {
  gbps: number;
  gcPerMiB: number;
}

/**
 * One connection, 1 GiB written in 64 KiB writes (waiting for 'drain' as a Node program does),
 * counted when the server has read the last byte. The same program runs over both stacks.
 */
export async function bulkOnce(pair: NetPair, total = TOTAL): Promise<BulkRun> {
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const server = pair.server.createServer((s) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= total) resolveDone();
    });
    s.on('error', () => undefined);
  });
  const port = await listen(server, pair.address);
  const c = pair.client.connect(port, pair.address);
  c.on('error', () => undefined);
  await once(c, 'connect');
  const chunk = Buffer.alloc(CHUNK, 0x61);
  const gc = new GcCounter();
  gc.start();
  const t0 = performance.now();
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (!c.write(chunk)) {
        c.once('drain', pump);
        return;
      }
    }
  };
  pump();
  await done;
  const s = (performance.now() - t0) / 1000;
  const gcs = await gc.stop();
  c.destroy();
  await closeServer(server);
  pair.close();
  return { gbps: (total * 8) / s / 1e9, gcPerMiB: gcs / (total / (1 << 20)) };
}

function bulkBench(name: string, mtu: number, checksumOffload: boolean, summary: string): Benchmark {
  return {
    name,
    summary,
    async run(o: BenchOptions): Promise<BenchResult[]> {
      const gc = { synack: [] as number[], node: [] as number[] };
      const r = await alternate(
        o.runs,
        async () => {
          const x = await bulkOnce(synackPair({ mtu, checksumOffload }));
          gc.synack.push(x.gcPerMiB);
          o.log(`${name} synack ${x.gbps.toFixed(2)} Gbit/s`);
          return x.gbps;
        },
        async () => {
          const x = await bulkOnce(nodePair());
          gc.node.push(x.gcPerMiB);
          o.log(`${name} node ${x.gbps.toFixed(2)} Gbit/s`);
          return x.gbps;
        },
      );
      return [
        rateResult(name, 'Gbit/s', r.synack, r.node),
        // The first of each is alternate()'s uncounted warm-up run.
        costResult(`${name}-gc`, 'GCs/MiB', gc.synack.slice(1), gc.node.slice(1)),
      ];
    },
  };
}

export const bulk64k = bulkBench(
  'bulk-64k',
  65535,
  true,
  '1 GiB in 64 KiB writes over an MTU-65535 link that offloads checksums, like loopback',
);
export const bulk1500 = bulkBench(
  'bulk-1500',
  1500,
  false,
  '1 GiB in 64 KiB writes over a 1500-byte MTU link, checksums computed and verified',
);
