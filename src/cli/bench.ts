import { spawn } from 'node:child_process';
import { BENCHMARKS, type Benchmark, type BenchResult } from './bench/index.js';
import { flag, formatHelp, intFlag, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'one JSON object per line: {name, unit, synack, node, ratio}' },
  runs: { value: true, meta: 'N', help: 'repetitions of each side, the median is reported (default 3)' },
  'in-process': {
    value: false,
    help: 'run the benchmarks in this process (by default each one gets a fresh Node process)',
  },
  help: { value: false, help: 'show this help' },
};

function fmt(x: number | null): string {
  if (x === null) return '-';
  return x >= 1000 ? Math.round(x).toString() : x.toPrecision(3);
}

function line(r: BenchResult): string {
  const ratio = r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`;
  return `${r.name.padEnd(25)} ${fmt(r.synack).padStart(10)} ${fmt(r.node).padStart(10)}  ${r.unit.padEnd(16)} ${ratio}`;
}

export const bench: Command = {
  name: 'bench',
  summary: "measure synack against Node's net over loopback (medians of each side, and their ratio)",
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    const known = BENCHMARKS.map((b) => b.name);
    if (flag(args, 'help') !== undefined) {
      const list = BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.summary}`).join('\n');
      console.log(
        `${formatHelp(`synack bench [--json] [--runs N] [--in-process] [${known.join('|')}]…`, bench.summary, FLAGS)}\n${list}`,
      );
      return 0;
    }
    const runs = intFlag(args, 'runs', 3);
    if (runs < 1) {
      console.error('synack bench: --runs must be a positive integer');
      return 2;
    }
    const names = args.positional.length > 0 ? args.positional : known;
    const chosen = [];
    for (const n of names) {
      const b = BENCHMARKS.find((x) => x.name === n);
      if (!b) {
        console.error(`synack bench: unknown benchmark "${n}" (known: ${known.join(', ')})`);
        return 2;
      }
      chosen.push(b);
    }
    const json = flag(args, 'json') !== undefined;
    const log = (s: string): void => void process.stderr.write(`  ${s}\n`);
    if (!json)
      console.log(
        `${'name'.padEnd(25)} ${'synack'.padStart(10)} ${'node'.padStart(10)}  ${'unit'.padEnd(16)} ratio`,
      );
    const inProcess = flag(args, 'in-process') !== undefined;
    for (const b of chosen) {
      const results = inProcess ? await b.run({ runs, log }) : await runIsolated(b, runs);
      if (results === null) return 1;
      for (const r of results) console.log(json ? JSON.stringify(r) : line(r));
    }
    return 0;
  },
};

/**
 * One benchmark in a fresh Node process (the same Node and flags), its results read back as JSON.
 * A benchmark run after others in one process inherits their heap: V8 sizes its young generation
 * and old-generation limits to what ran before, and both sides of the next benchmark measured
 * 20-40% slower than when run alone. A fresh process gives each benchmark, and both its sides
 * alike, the same start.
 */
function runIsolated(b: Benchmark, runs: number): Promise<BenchResult[] | null> {
  const script = process.argv[1] as string;
  const argv = [
    ...process.execArgv,
    script,
    'bench',
    '--in-process',
    '--json',
    '--runs',
    String(runs),
    b.name,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', (e) => {
      console.error(`synack bench: cannot start a process for ${b.name}: ${e.message}`);
      resolve(null);
    });
    child.on('close', (code, signal) => {
      if (code !== 0) {
        console.error(`synack bench: ${b.name} failed (${signal ?? `exit code ${code}`})`);
        resolve(null);
        return;
      }
      const results: BenchResult[] = [];
      for (const l of out.split('\n')) if (l.trim() !== '') results.push(JSON.parse(l) as BenchResult);
      resolve(results);
    });
  });
}
