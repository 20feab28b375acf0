import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import { benchmarkChecksum } from '../wire/checksum-bench.js';
import { tunBench } from './bench-tun.js';
import { flag, formatHelp, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'one JSON object per line' },
  help: { value: false, help: 'show this help' },
};

interface Result {
  name: string;
  unit: string;
  synack: number;
  node: number | null;
  ratio: number | null;
}

/** Simulated events per wall-clock second: hosts pinging each other over an impaired link. */
function simEvents(): Result {
  const sim = new Simulator({ seed: 1 });
  const a = new Host({ name: 'a', scheduler: sim, random32: () => sim.rng.nextU32() });
  const b = new Host({ name: 'b', scheduler: sim, random32: () => sim.rng.nextU32() });
  const link = new PointToPointLink(sim, { both: { delayUs: 1000, loss: 0.01, jitterUs: 100 } });
  a.addInterface(link.a, '10.0.0.1/24');
  b.addInterface(link.b, '10.0.0.2/24');
  for (let i = 0; i < 200_000; i++)
    sim.at(i * 50, () => a.ping('10.0.0.2', { timeoutMs: 100 }, () => undefined));
  const t0 = performance.now();
  sim.run();
  const s = (performance.now() - t0) / 1000;
  return {
    name: 'sim-events',
    unit: 'events/s',
    synack: Math.round(sim.eventsProcessed / s),
    node: null,
    ratio: null,
  };
}

const BENCHES: Record<string, () => Result[] | Promise<Result[]>> = {
  checksum: () => {
    const r = benchmarkChecksum();
    return [
      { name: 'checksum', unit: 'GB/s', synack: r.fastGBps, node: null, ratio: null },
      { name: 'checksum-bytewise', unit: 'GB/s', synack: r.naiveGBps, node: null, ratio: null },
    ];
  },
  sim: () => [simEvents()],
  tun: tunBench,
};

export const bench: Command = {
  name: 'bench',
  summary: 'measure synack (checksum GB/s, simulated events per second, …)',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(
        formatHelp(`synack bench [--json] [${Object.keys(BENCHES).join('|')}]…`, bench.summary, FLAGS),
      );
      return 0;
    }
    const names = args.positional.length > 0 ? args.positional : Object.keys(BENCHES);
    for (const n of names) {
      const fn = BENCHES[n];
      if (!fn) {
        console.error(`synack bench: unknown benchmark "${n}" (known: ${Object.keys(BENCHES).join(', ')})`);
        return 2;
      }
      for (const r of await fn()) {
        if (flag(args, 'json')) console.log(JSON.stringify(r));
        else console.log(`${r.name.padEnd(20)} ${r.synack.toPrecision(4).padStart(12)} ${r.unit}`);
      }
    }
    return 0;
  },
};
