import { flatCounters, sumCounters } from '../host/counters.js';
import { settingsToRecord } from '../host/settings.js';
import { SCENARIOS } from '../scenarios/index.js';
import { UsageError, flag, formatHelp, intFlag, parseArgs, settingFlags, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import { startRecording } from './recording.js';
import { runReport } from '../record/report.js';
import { roundsFromResult } from '../record/rounds.js';

const FLAGS: Record<string, FlagSpec> = {
  list: { value: false, help: 'list the scenarios' },
  json: { value: false, help: 'print one JSON object: scenario, seed, settings, counters, hosts, result' },
  out: {
    value: true,
    meta: 'DIR',
    help: 'write DIR/NAME.pcap (every packet, as its host sent it) and DIR/report.html (the pictures)',
  },
  seed: { value: true, meta: 'N', help: 'random seed (default 1); the same seed replays the same run' },
  set: {
    value: true,
    repeat: true,
    meta: 'NAME=VALUE',
    help: 'a host setting by its Linux sysctl name (repeatable)',
  },
  help: { value: false, help: 'show this help' },
};

export const scenario: Command = {
  name: 'scenario',
  summary: 'run one of the seed’s scenarios on a simulated network (--list shows them)',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(
        formatHelp(
          'synack scenario --list | synack scenario NAME [--out DIR] [--json] [--seed N] [--set name=value]…',
          scenario.summary,
          FLAGS,
        ),
      );
      return 0;
    }
    if (flag(args, 'list')) {
      const w = Math.max(...SCENARIOS.map((s) => s.name.length)) + 2;
      for (const s of SCENARIOS) console.log(`${s.name.padEnd(w)}${s.summary}`);
      return 0;
    }
    const name = args.positional[0];
    if (!name) throw new UsageError('name a scenario (synack scenario --list shows them)');
    const sc = SCENARIOS.find((s) => s.name === name);
    if (!sc)
      throw new UsageError(`unknown scenario "${name}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    const seed = intFlag(args, 'seed', 1);
    const overrides = settingFlags(args);
    const json = Boolean(flag(args, 'json'));
    const tty = process.stderr.isTTY && !json;
    const outDir = flag(args, 'out');
    const files = outDir ? startRecording(outDir, sc.name) : null;
    // Progress on a terminal: one line rewritten in place, erased when the run ends; nothing
    // when stderr is piped or with --json.
    let shown = false;
    const progress = (t: string) => {
      if (!tty) return;
      process.stderr.write(`\r${t}\x1b[K`);
      shown = true;
    };
    const out = sc.run({ seed, settings: overrides, progress, observer: files?.recorder });
    if (shown) process.stderr.write('\r\x1b[K');
    let written = '';
    if (files) {
      const report = files.finish(
        runReport(files.recorder, {
          title: `synack scenario ${sc.name}`,
          subtitle: `${sc.summary} (seed ${seed}${Object.entries(overrides)
            .map(([k, v]) => `, ${k}=${v}`)
            .join('')})`,
          rounds: roundsFromResult(out.result),
          textBlocks: [{ title: 'The story', pre: out.story.join('\n') }],
        }),
      );
      written = `capture: ${files.pcapPath} (${files.recorder.pcap?.packets ?? 0} packets)\nreport:  ${report}`;
    }
    const hosts: Record<string, Record<string, number>> = {};
    for (const h of out.hosts) hosts[h.name] = flatCounters(h.counters);
    if (json) {
      const first = out.hosts[0];
      console.log(
        JSON.stringify({
          scenario: sc.name,
          seed,
          settings: first ? settingsToRecord(first.settings) : {},
          counters: sumCounters(Object.values(hosts)),
          hosts,
          result: out.result,
        }),
      );
    } else {
      console.log(`scenario ${sc.name} (seed ${seed})\n`);
      for (const line of out.story) console.log(line);
    }
    // stdout stays one JSON object with --json.
    if (written) (json ? console.error : console.log)(written);
    return 0;
  },
};
