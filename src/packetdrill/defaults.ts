// Reads sysctl settings out of the shell the scripts run (defaults.sh, init commands such as
// `sysctl -q net.ipv4.X=V` or `set_sysctls.py /proc/sys/net/ipv4/X=V`). This is not a shell:
// it understands the few command forms the scripts use and reports everything else so a runner
// can decide to skip the test rather than guess.

export interface SysctlSetting {
  /** Name without its namespace: tcp_rmem. */
  name: string;
  /** net.ipv4, net.core, net.ipv6, … */
  namespace: string;
  /** Full dotted key: net.ipv4.tcp_rmem. */
  key: string;
  /** Value with quotes removed and $((…)) arithmetic evaluated: "4096 540000 15728640". */
  value: string;
  line: number;
}

export type ShellCommandKind = 'sysctl' | 'script' | 'restore' | 'other';

export interface ShellCommand {
  kind: ShellCommandKind;
  argv: string[];
  line: number;
  /** The command's text as written (continuations joined). */
  text: string;
}

export interface ShellAnalysis {
  sysctls: SysctlSetting[];
  commands: ShellCommand[];
}

/** The sysctl settings a shell snippet or helper file makes, in order. */
export function parseDefaults(text: string): SysctlSetting[] {
  return analyzeShellCommand(text).sysctls;
}

export function analyzeShellCommand(text: string): ShellAnalysis {
  const out: ShellAnalysis = { sysctls: [], commands: [] };
  for (const { line, text: logical } of logicalLines(text)) {
    for (const segment of splitCommands(stripComment(logical))) {
      const words = shellWords(segment);
      if (words.argv.length === 0) continue;
      const kind = classify(words, line, out.sysctls);
      out.commands.push({ kind, argv: words.argv, line, text: segment.trim() });
    }
  }
  return out;
}

/** net.ipv4.tcp_rmem or /proc/sys/net/ipv4/tcp_rmem; keeps Python lines such as x = a.split('=') out. */
const SYSCTL_KEY = /^(\/proc\/sys\/)?[A-Za-z0-9_-]+([./][A-Za-z0-9_-]+)+$/;

interface Words {
  argv: string[];
  /** Target of a `>` or `>>` redirection of stdout, if any. */
  redirect?: string;
}

function classify(words: Words, line: number, sysctls: SysctlSetting[]): ShellCommandKind {
  const [cmd, ...args] = words.argv;
  const base = cmd.slice(cmd.lastIndexOf('/') + 1);
  if (base === 'sysctl') {
    for (const arg of args) {
      const eq = arg.indexOf('=');
      if (arg.startsWith('-') || eq < 0 || !SYSCTL_KEY.test(arg.slice(0, eq))) continue;
      pushSetting(sysctls, arg.slice(0, eq), arg.slice(eq + 1), line);
    }
    return 'sysctl';
  }
  if (base === 'set_sysctls.py') {
    for (const arg of args) {
      const eq = arg.indexOf('=');
      if (eq > 0 && SYSCTL_KEY.test(arg.slice(0, eq)))
        pushSetting(sysctls, arg.slice(0, eq), arg.slice(eq + 1), line);
    }
    return 'sysctl';
  }
  if (base === 'echo' && words.redirect?.startsWith('/proc/sys/')) {
    pushSetting(sysctls, words.redirect, args.filter((a) => !a.startsWith('-')).join(' '), line);
    return 'sysctl';
  }
  if (base.startsWith('sysctl_restore_')) return 'restore';
  if (/\.(sh|py)$/.test(base)) return 'script';
  return 'other';
}

function pushSetting(sysctls: SysctlSetting[], rawKey: string, value: string, line: number): void {
  const key = rawKey.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
  const parts = key.split('.');
  const nsLength = parts[0] === 'net' && parts.length >= 3 ? 2 : Math.max(parts.length - 1, 0);
  sysctls.push({
    name: parts.slice(nsLength).join('.'),
    namespace: parts.slice(0, nsLength).join('.'),
    key,
    value: value.trim(),
    line,
  });
}

function logicalLines(text: string): { line: number; text: string }[] {
  const lines = text.split('\n');
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let joined = lines[i];
    while (joined.endsWith('\\') && i + 1 < lines.length) joined = joined.slice(0, -1) + ' ' + lines[++i];
    out.push({ line: start + 1, text: joined });
  }
  return out;
}

/** Drops a # comment that starts a word outside quotes. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Splits on ; && || outside quotes. */
function splitCommands(line: string): string[] {
  const out: string[] = [];
  let quote = '';
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = '';
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    const two = line.slice(i, i + 2);
    if (ch === ';' || two === '&&' || two === '||') {
      out.push(cur);
      cur = '';
      if (ch !== ';') i++;
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.filter((s) => s.trim() !== '');
}

/** Shell words with quotes removed and $((…)) evaluated; redirections are taken out of argv. */
function shellWords(text: string): Words {
  const argv: string[] = [];
  let redirect: string | undefined;
  let pending: 'stdout' | 'other' | undefined;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const op = /^(\d*)(>>|>|<)(&\d+|&-)?/.exec(text.slice(i));
    if (op) {
      i += op[0].length;
      // 2>&1 duplicates a descriptor and has no target word.
      if (!op[3]) pending = (op[1] === '' || op[1] === '1') && op[2] !== '<' ? 'stdout' : 'other';
      continue;
    }
    let word = '';
    while (i < text.length && !/\s/.test(text[i]) && text[i] !== '>' && text[i] !== '<') {
      const ch = text[i];
      if (ch === "'") {
        const close = text.indexOf("'", i + 1);
        const end = close < 0 ? text.length : close;
        word += text.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        const close = text.indexOf('"', i + 1);
        const end = close < 0 ? text.length : close;
        word += expandArithmetic(text.slice(i + 1, end));
        i = end + 1;
      } else if (text.startsWith('$((', i)) {
        const close = text.indexOf('))', i);
        const end = close < 0 ? text.length : close + 2;
        word += expandArithmetic(text.slice(i, end));
        i = end;
      } else {
        word += ch;
        i++;
      }
    }
    if (pending === 'stdout') redirect = word;
    else if (pending === undefined) argv.push(word);
    pending = undefined;
  }
  return redirect === undefined ? { argv } : { argv, redirect };
}

function expandArithmetic(text: string): string {
  return text.replace(/\$\(\(([^()]*(?:\([^()]*\)[^()]*)*)\)\)/g, (whole, expr: string) => {
    const v = evalIntArithmetic(expr);
    return v === undefined ? whole : String(v);
  });
}

/** Integer + - * / % and parentheses, enough for $((15*1024*1024)). */
export function evalIntArithmetic(expr: string): number | undefined {
  const tokens = expr.match(/0x[0-9a-fA-F]+|\d+|[-+*/%()]|\S/g) ?? [];
  let pos = 0;
  const primary = (): number | undefined => {
    const t = tokens[pos++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const v = sum();
      if (tokens[pos++] !== ')') return undefined;
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    if (/^(\d+|0x[0-9a-fA-F]+)$/.test(t)) return Number(t);
    return undefined;
  };
  const product = (): number | undefined => {
    let v = primary();
    while (v !== undefined && (tokens[pos] === '*' || tokens[pos] === '/' || tokens[pos] === '%')) {
      const op = tokens[pos++];
      const r = primary();
      if (r === undefined || (op !== '*' && r === 0)) return undefined;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const op = tokens[pos++];
      const r = product();
      if (r === undefined) return undefined;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return pos === tokens.length ? v : undefined;
}
