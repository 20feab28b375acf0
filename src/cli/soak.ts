import { soak } from '../robust/soak.js';
import { flag, formatHelp, intFlag, parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  hours: { value: true, meta: 'N', help: 'simulated hours of churn (default 24)' },
  seed: { value: true, meta: 'N', help: 'seed (default 1); the same seed replays the same run' },
  clients: { value: true, meta: 'N', help: 'client hosts (default 4)' },
  json: { value: false, help: 'print the report as JSON' },
  help: { value: false, help: 'show this help' },
};

export const soakCommand: Command = {
  name: 'soak',
  summary: 'hours of simulated churn on impaired links; checks every byte and the return to baseline',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(
        formatHelp('synack soak [--hours N] [--seed N] [--clients N] [--json]', soakCommand.summary, FLAGS),
      );
      return 0;
    }
    const seed = intFlag(args, 'seed', 1);
    const hours = intFlag(args, 'hours', 24);
    const json = flag(args, 'json') !== undefined;
    const t0 = performance.now();
    let hour = 0;
    const r = soak({
      seed,
      hours,
      clients: intFlag(args, 'clients', 4),
      heapUsed: () => process.memoryUsage().heapUsed,
      onHour: (p) => {
        hour++;
        if (!json)
          console.error(
            `… hour ${hour}: ${p.opened} connections so far, ${p.socketsHighWater} sockets at most`,
          );
      },
    });
    const wall = (performance.now() - t0) / 1000;
    if (json) console.log(JSON.stringify({ ...r, wallSeconds: wall }));
    else {
      console.log(
        [
          `hours soaked       ${r.hours} (simulated) in ${wall.toFixed(1)} s of wall time, then 1 h of drain`,
          `connections        ${r.opened} opened: ${r.completed} completed, ${r.aborted} reset or cut, ${r.failedConnects} failed to connect`,
          `peers vanished     ${r.vanished}`,
          `bytes verified     ${r.bytesVerified} (corrupt ${r.corruptBytes}, short transfers ${r.shortTransfers})`,
          `high-water         ${r.socketsHighWater} sockets, ${r.memoryHighWater} bytes of TCP buffers in a host, heap ${(r.heapHighWater / 1048576).toFixed(1)} MiB`,
          `after the drain    ${r.socketsLeft} sockets, ${r.memoryLeft} bytes left${r.leftStates.length ? `: ${r.leftStates.join(', ')}` : ''}`,
        ].join('\n'),
      );
    }
    if (!r.ok) {
      console.error(`\nFAILED (seed ${seed}); replay with: npx synack soak --seed ${seed} --hours ${hours}`);
      return 1;
    }
    return 0;
  },
};
