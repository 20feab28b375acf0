import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseScript } from '../packetdrill/parser.js';
import { runScript, type RunResult } from '../packetdrill/runner/runner.js';
import { flag, formatHelp, parseArgs, UsageError, type FlagSpec } from './args.js';
import type { Command } from './command.js';

const FLAGS: Record<string, FlagSpec> = {
  tolerance_usecs: { value: true, meta: 'US', help: 'timing slack in µs (default 4000)' },
  tolerance_percent: { value: true, meta: 'P', help: 'timing slack as a share of the delay (default 12.5)' },
  tcp_ts_tick_usecs: {
    value: true,
    meta: 'US',
    help: 'check outbound TS val with this tick (default 0: unchecked)',
  },
  seed: { value: true, meta: 'N', help: 'seed for ISNs and ports (default 1)' },
  help: { value: false, help: 'show this help' },
};

const USAGE = 'synack packetdrill [options] FILE|DIR…';
const ABOUT =
  'Run packetdrill scripts against a fresh synack host each, in virtual time. Prints one line per ' +
  'script (ok, not ok with the reason, or skip with why) and a summary; exits 1 if any failed.';

function collect(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      const p = join(path, name);
      if (statSync(p).isDirectory() || name.endsWith('.pkt')) collect(p, out);
    }
  } else {
    out.push(path);
  }
}

/** Run one script file; exported for the test suite. */
export function runPacketdrillFile(
  file: string,
  config: { seed?: number; overrides?: Record<string, number> } = {},
): RunResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      status: 'fail',
      reason: `cannot read the script: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const parsed = parseScript(text, { fileName: file });
  if (!parsed.ok) return { status: 'fail', reason: parsed.error };
  const dir = dirname(resolve(file));
  const o = config.overrides ?? {};
  return runScript(parsed.script, {
    readFile: (p) => {
      try {
        return readFileSync(resolve(dir, p), 'utf8');
      } catch {
        return null;
      }
    },
    seed: config.seed ?? 1,
    config: {
      ...(o.tolerance_usecs !== undefined ? { toleranceUsecs: o.tolerance_usecs } : {}),
      ...(o.tolerance_percent !== undefined ? { tolerancePercent: o.tolerance_percent } : {}),
      ...(o.tcp_ts_tick_usecs !== undefined ? { tcpTsTickUsecs: o.tcp_ts_tick_usecs } : {}),
    },
  });
}

export const packetdrill: Command = {
  name: 'packetdrill',
  summary: "run packetdrill scripts (Linux's TCP tests) against synack",
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (flag(args, 'help')) {
      console.log(formatHelp(USAGE, ABOUT, FLAGS));
      return 0;
    }
    if (args.positional.length === 0) throw new UsageError(`no script given: ${USAGE}`);
    const overrides: Record<string, number> = {};
    for (const k of ['tolerance_usecs', 'tolerance_percent', 'tcp_ts_tick_usecs']) {
      const v = flag(args, k);
      if (v === undefined) continue;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${k} needs a number >= 0, got ${v}`);
      overrides[k] = n;
    }
    const seedText = flag(args, 'seed');
    const seed = seedText === undefined ? 1 : Number(seedText);
    const files: string[] = [];
    for (const p of args.positional) {
      try {
        collect(p, files);
      } catch {
        throw new UsageError(`no such file or directory: ${p}`);
      }
    }
    const count = { ok: 0, fail: 0, skip: 0 };
    for (const f of files) {
      const r = runPacketdrillFile(f, { seed, overrides });
      count[r.status]++;
      if (r.status === 'ok') console.log(`ok ${f}`);
      else if (r.status === 'skip') console.log(`skip ${f}: ${r.reason ?? ''}`);
      else console.log(`not ok ${f}: ${r.reason ?? ''}`);
    }
    console.log(`${count.ok} passed, ${count.fail} failed, ${count.skip} skipped`);
    return count.fail > 0 ? 1 : 0;
  },
};
