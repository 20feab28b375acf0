// Prints script nodes, and segments the stack really sent, back in packetdrill notation, so
// mismatch reports read like the script: expected `> . 1:1(0) ack 1001` at line 17, got `…`.

import type {
  Action,
  Direction,
  Event,
  EventTime,
  Expr,
  IpEcn,
  IpInfo,
  PacketAction,
  StructField,
  SyscallAction,
  TcpOptionSpec,
} from './ast.js';
import { TCP_ACK, TCP_URG, formatTcpFlags } from './tcp-flags.js';

/** Microseconds as seconds with no trailing zeros: 100000 → "0.1", 2000000 → "2". */
export function formatSeconds(usecs: number): string {
  const sign = usecs < 0 ? '-' : '';
  const abs = Math.abs(usecs);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac === '' ? `${sign}${whole}` : `${sign}${whole}.${frac}`;
}

export function formatEventTime(t: EventTime): string {
  if (t.kind === 'any') return '*';
  const plus = t.kind === 'relative' ? '+' : '';
  let out = plus + formatSeconds(t.start);
  if (t.end !== undefined) out += `~${t.endRelative ? '+' : ''}${formatSeconds(t.end)}`;
  if (t.blockingEnd !== undefined) out += `...${formatSeconds(t.blockingEnd)}`;
  return out;
}

export function formatEvent(e: Event): string {
  return `${formatEventTime(e.time)} ${formatAction(e.action)}`;
}

export function formatAction(a: Action): string {
  switch (a.kind) {
    case 'packet':
      return formatPacketAction(a);
    case 'syscall':
      return formatSyscall(a);
    case 'shell':
      return `\`${a.command}\``;
    case 'code':
      return `%{${a.code}}%`;
  }
}

function formatDirection(d: Direction): string {
  return d === 'inbound' ? '<' : '>';
}

function formatIpInfo(info: IpInfo): string {
  const parts: string[] = [];
  if (info.ecn !== undefined) parts.push(info.ecn);
  if (info.tos !== undefined) parts.push(`tos 0x${info.tos.toString(16)}`);
  if (info.ttl !== undefined) parts.push(`ttl ${info.ttl}`);
  if (info.flowLabel !== undefined) parts.push(`flowlabel 0x${info.flowLabel.toString(16)}`);
  const close = info.bracket === '(' ? ')' : ']';
  return `${info.bracket}${parts.join(', ')}${close}`;
}

function formatSeq(start: number, len: number): string {
  return `${start}:${(start + len) >>> 0}(${len})`;
}

/** A packet line without its time: `> P. 1:1001(1000) ack 1 <nop,nop,TS val 5 ecr 6>`. */
export function formatPacketAction(p: PacketAction): string {
  const parts = [formatDirection(p.direction)];
  for (const layer of p.encapsulation) {
    const info = layer.ipInfo ? ` ${formatIpInfo(layer.ipInfo)}` : '';
    parts.push(`ipv4${info} ${layer.src} > ${layer.dst}:`);
  }
  if (p.ipInfo) parts.push(formatIpInfo(p.ipInfo));
  if (p.protocol === 'udp') {
    parts.push('udp');
    if (p.ports) parts.push(`${p.ports.src} > ${p.ports.dst}`);
    parts.push(`(${p.len})`);
    return parts.join(' ');
  }
  if (p.ports) parts.push(`${p.ports.src} > ${p.ports.dst}`);
  if (p.protocol === 'icmp') {
    parts.push('icmp', p.type);
    if (p.code !== undefined) parts.push(p.code);
    if (p.mtu !== undefined) parts.push(`mtu ${p.mtu}`);
    if (p.echoId !== undefined) parts.push(`id ${p.echoId}`);
    if (p.echoed) {
      const e = p.echoed;
      parts.push(e.kind === 'tcp' ? `[${formatSeq(e.seq.start, e.seq.len)}]` : `[${e.kind} (${e.len})]`);
    }
    return parts.join(' ');
  }
  parts.push(p.flags, formatSeq(p.seq.start, p.seq.len));
  if (p.ack !== undefined) parts.push(`ack ${p.ack}`);
  if (p.win !== undefined) parts.push(`win ${p.win}`);
  if (p.urg !== undefined) parts.push(`urg ${p.urg}`);
  if (p.options !== undefined) parts.push(formatTcpOptions(p.options));
  return parts.join(' ');
}

export function formatTcpOption(o: TcpOptionSpec): string {
  switch (o.kind) {
    case 'nop':
    case 'eol':
    case 'sackOK':
      return o.kind;
    case 'mss':
    case 'wscale':
      return `${o.kind} ${o.value}`;
    case 'sack':
      return `sack ${o.blocks.map((b) => `${b.left}:${b.right}`).join(' ')}`;
    case 'TS':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'md5':
      return `md5 ${o.hex}`;
    case 'FO':
    case 'FOEXP':
      return o.cookie === undefined ? o.kind : `${o.kind} ${o.cookie}`;
    case 'ECN':
      return ['ECN', ...o.fields.map((f) => `${f.name} ${f.value}`)].join(' ');
    case 'unknown':
      return `kind ${o.code} len ${o.data.length + 2}`;
  }
}

export function formatTcpOptions(opts: TcpOptionSpec[] | 'ellipsis'): string {
  if (opts === 'ellipsis') return '<...>';
  return `<${opts.map(formatTcpOption).join(',')}>`;
}

/** A segment as the stack sent or received it, in script space (relative seq/ack). */
export interface SegmentFields {
  /** Defaults to outbound: the usual use is printing what the stack sent. */
  direction?: Direction;
  /** TCP flag bits (tcp-flags.ts). */
  flags: number;
  seq: number;
  /** Payload length. */
  len: number;
  ack?: number;
  win?: number;
  urg?: number;
  options?: TcpOptionSpec[];
  ecn?: IpEcn;
  tos?: number;
  ttl?: number;
}

/** Formats a real segment like a script line: `> P. 1:1001(1000) ack 1 win 502 <nop,nop,sack 1:2>`. */
export function formatSegment(s: SegmentFields): string {
  const parts = [formatDirection(s.direction ?? 'outbound')];
  if (s.ecn !== undefined || s.tos !== undefined || s.ttl !== undefined) {
    const info: IpInfo = {
      bracket: s.ecn !== undefined && s.tos === undefined && s.ttl === undefined ? '[' : '(',
    };
    if (s.ecn !== undefined) info.ecn = s.ecn;
    if (s.tos !== undefined) info.tos = s.tos;
    if (s.ttl !== undefined) info.ttl = s.ttl;
    parts.push(formatIpInfo(info));
  }
  parts.push(formatTcpFlags(s.flags), formatSeq(s.seq >>> 0, s.len));
  if (s.ack !== undefined && (s.flags & TCP_ACK || s.ack !== 0)) parts.push(`ack ${s.ack >>> 0}`);
  if (s.win !== undefined) parts.push(`win ${s.win}`);
  if (s.urg !== undefined && (s.flags & TCP_URG || s.urg !== 0)) parts.push(`urg ${s.urg}`);
  if (s.options && s.options.length > 0) parts.push(formatTcpOptions(s.options));
  return parts.join(' ');
}

/** "expected `…` at line N, got `…`" with an optional reason such as "bad ack". */
export function formatMismatch(expected: Event, actual: string, reason?: string): string {
  const text = formatEvent(expected);
  const why = reason ? `: ${reason}` : '';
  return `expected \`${text}\` at line ${expected.line}, got \`${actual}\`${why}`;
}

export function formatSyscall(s: SyscallAction): string {
  let out = `${s.name}(${s.args.map(formatExpr).join(', ')}) = ${formatExpr(s.result)}`;
  if (s.errno !== undefined) out += ` ${s.errno}`;
  if (s.note !== undefined) out += ` (${s.note})`;
  return out;
}

// String values are kept verbatim from the script (packetdrill does not unescape them).
function quoteString(value: string): string {
  return `"${value}"`;
}

function formatField(f: StructField): string {
  const arg = f.arg ? `(${formatExpr(f.arg)})` : '';
  return `${f.name}${arg}=${formatExpr(f.value)}`;
}

export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      if (!e.hex) return String(e.value);
      return e.value < 0 ? `-0x${(-e.value).toString(16)}` : `0x${e.value.toString(16)}`;
    case 'ellipsis':
      return '...';
    case 'null':
      return 'NULL';
    case 'symbol':
      return e.name;
    case 'or':
      return e.operands.map(formatExpr).join('|');
    case 'string':
      return quoteString(e.value) + (e.prefix ? '...' : '');
    case 'array':
      return `[${e.elements.map(formatExpr).join(', ')}]`;
    case 'intptr':
      return `[${formatExpr(e.value)}]`;
    case 'struct':
      return `{${e.fields.map(formatField).join(', ')}}`;
    case 'list':
      return `{${e.elements.map(formatExpr).join(', ')}}`;
    case 'call':
      return `${e.name}(${e.args.map(formatExpr).join(', ')})`;
    case 'assign':
      return formatField(e.field);
  }
}
