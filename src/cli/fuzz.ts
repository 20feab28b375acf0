import { fuzz, type FuzzReport } from '../robust/fuzz.js';
import { flag, formatHelp, intFlag, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  packets: { value: true, meta: 'N', help: 'packets to send in all (default 1000000)' },
  seed: { value: true, meta: 'N', help: 'seed (default 1); the same seed replays the same run' },
  round: { value: true, meta: 'N', help: 'replay only this round (as a failure report says)' },
  'per-round': { value: true, meta: 'N', help: 'packets per round, each on a fresh host (default 5000)' },
  json: { value: false, help: 'print the report as JSON' },
  help: { value: false, help: 'show this help' },
};

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function summary(r: FuzzReport, seconds: number): string {
  const kinds = Object.entries(r.byKind)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const drops = Object.entries(r.drops)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `packets tried      ${r.packets} in ${r.rounds} rounds, ${seconds.toFixed(1)} s (${Math.round(r.packets / seconds)}/s)`,
    `kinds              ${kinds}`,
    `states             ${r.states.join(' ')}`,
    `drops by reason    ${drops}`,
    `memory high-water  ${r.memoryHighWater} bytes of TCP buffers and fragments in a host, ${r.connectionsHighWater} connections; heap ${mib(r.heapHighWater)}`,
  ].join('\n');
}

export const fuzzCommand: Command = {
  name: 'fuzz',
  summary: 'fuzz a host with sockets in every TCP state (malformed, mutated, random packets)',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(
        formatHelp('synack fuzz [--packets N] [--seed N] [--round N] [--json]', fuzzCommand.summary, FLAGS),
      );
      return 0;
    }
    const seed = intFlag(args, 'seed', 1);
    const packets = intFlag(args, 'packets', 1_000_000);
    const roundText = flag(args, 'round');
    const t0 = performance.now();
    let lastPrint = t0;
    const r = fuzz({
      seed,
      packets,
      perRound: intFlag(args, 'per-round', 5000),
      ...(roundText !== undefined ? { round: Number(roundText) } : {}),
      heapUsed: () => process.memoryUsage().heapUsed,
      onRound: (p) => {
        const now = performance.now();
        if (!flag(args, 'json') && now - lastPrint > 10_000) {
          lastPrint = now;
          console.error(`… ${p.packets} packets, heap ${mib(p.heapHighWater)}`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (flag(args, 'json')) console.log(JSON.stringify({ ...r, seconds }));
    else console.log(summary(r, seconds));
    const f = r.failure;
    if (f) {
      console.error(
        `\nFAILED at round ${f.round}, packet ${f.packet} (${f.kind}): ${f.error}\npacket: ${f.hex}\nseed ${f.seed}; replay with: ${f.replay}`,
      );
      return 1;
    }
    return 0;
  },
};
