import { defaultHostSettings, setSetting } from '../host/settings.js';
/**
 * A small, strict command-line parser: flags are declared per command, unknown flags are errors
 * with a hint, repeated flags (--set) collect into arrays.
 */
export interface FlagSpec {
  /** Takes a value (`--out DIR`) or is a switch (`--json`). */
  value: boolean;
  /** May be given several times; values collect into an array. */
  repeat?: boolean;
  /** One-line help text. */
  help: string;
  /** Placeholder shown in help, e.g. DIR. */
  meta?: string;
}

export interface ParsedArgs {
  flags: Map<string, string[]>;
  positional: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name];
    if (s === undefined) {
      const known = Object.keys(spec)
        .map((k) => `--${k}`)
        .join(', ');
      throw new UsageError(`unknown option --${name} (known: ${known || 'none'})`);
    }
    let value = 'true';
    if (s.value) {
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined)
          throw new UsageError(`--${name} needs a value${s.meta ? ` (${s.meta})` : ''}`);
        value = next;
        i++;
      }
    } else if (eq >= 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given more than once`);
    list.push(value);
    flags.set(name, list);
  }
  return { flags, positional };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagAll(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function intFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export function formatHelp(usage: string, about: string, spec: Record<string, FlagSpec>): string {
  const lines = [`usage: ${usage}`, '', about, ''];
  const entries = Object.entries(spec);
  if (entries.length > 0) {
    lines.push('options:');
    const left = entries.map(([k, s]) => `  --${k}${s.value ? ` ${s.meta ?? 'VALUE'}` : ''}`);
    const width = Math.max(...left.map((l) => l.length)) + 2;
    entries.forEach(([, s], i) => lines.push(`${(left[i] as string).padEnd(width)}${s.help}`));
  }
  return lines.join('\n');
}

/**
 * Every --set NAME=VALUE, checked against the host settings registry before anything runs (an
 * unknown name or a bad value is a usage error saying what is allowed). Names may carry their
 * sysctl prefix (net.ipv4.tcp_syncookies); the record holds them without it.
 */
export function settingFlags(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  const check = defaultHostSettings();
  for (const kv of flagAll(args, 'set')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes NAME=VALUE, got ${JSON.stringify(kv)}`);
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    try {
      setSetting(check, k, v);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    out[k.replace(/^net\.(ipv4|core)\./, '')] = v;
  }
  return out;
}
