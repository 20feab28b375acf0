// The typed syntax tree of a packetdrill script. Every node keeps where it came from (line,
// column and the exact source text) so a runner can quote the script in its failure reports.

export interface Loc {
  line: number;
  column: number;
  /** The node's source text exactly as written (comments inside it included). */
  text: string;
}

export interface ScriptOption {
  name: string;
  /** undefined for a bare flag such as --strict_segments. */
  value?: string;
  loc: Loc;
}

export interface ScriptCommand {
  /** The backquoted shell text, without the backquotes. */
  command: string;
  loc: Loc;
}

export interface Script {
  fileName?: string;
  options: ScriptOption[];
  /** --define values from the script, overridden by the caller's -D values. */
  defines: Record<string, string>;
  initCommand?: ScriptCommand;
  events: Event[];
  cleanupCommand?: ScriptCommand;
}

export interface EventTime {
  /** absolute: seconds since script start; relative: `+` after the anchor; any: `*`. */
  kind: 'absolute' | 'relative' | 'any';
  /** Microseconds (0 for `*`). */
  start: number;
  /** End of a `start~end` range, microseconds. */
  end?: number;
  /** Whether the range end was written with `+` (the grammar requires it to match `kind`). */
  endRelative?: boolean;
  /** For blocking calls `start...END`: when the call must return, microseconds, same anchor as start. */
  blockingEnd?: number;
}

export interface Event {
  line: number;
  time: EventTime;
  action: Action;
  loc: Loc;
}

export type Action = PacketAction | SyscallAction | ShellAction | CodeAction;

export interface ShellAction {
  kind: 'shell';
  command: string;
  loc: Loc;
}

export interface CodeAction {
  kind: 'code';
  /** The Python text between `%{` and `}%`. */
  code: string;
  /** Line of the `%{` in the script, so errors inside the code can be mapped back. */
  codeLine: number;
  loc: Loc;
}

// ---------------------------------------------------------------------------------------------
// Packets

export type Direction = 'inbound' | 'outbound';

export type IpEcn = 'noecn' | 'ect0' | 'ect1' | 'ce' | 'ect01';

/** The `(…)` / `[…]` annotation after the direction. */
export interface IpInfo {
  ecn?: IpEcn;
  tos?: number;
  flowLabel?: number;
  ttl?: number;
  /** Which brackets were used, to print the line back as written. */
  bracket: '(' | '[';
}

/** `ipv4 A > B:` outer header for encapsulated packets. */
export interface IpEncapsulation {
  kind: 'ipv4';
  ipInfo?: IpInfo;
  src: string;
  dst: string;
}

export interface PortInfo {
  src: number;
  dst: number;
}

export interface SeqSpec {
  start: number;
  end: number;
  len: number;
}

export interface SackBlock {
  left: number;
  right: number;
}

export type TcpOptionSpec =
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'mss'; value: number }
  | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' }
  | { kind: 'sack'; blocks: SackBlock[] }
  | { kind: 'TS'; val: number; ecr: number }
  | { kind: 'md5'; hex: string }
  /** Fast Open (kind 34); cookie is hex digits, absent for a cookie request. */
  | { kind: 'FO'; cookie?: string }
  /** Experimental Fast Open (kind 254, magic 0xF989). */
  | { kind: 'FOEXP'; cookie?: string }
  /** AccECN option; counters in the order written (e0b/ceb/e1b). */
  | { kind: 'ECN'; fields: { name: 'e0b' | 'ceb' | 'e1b'; value: number }[] }
  /** Only produced for actual segments: an option the notation has no name for. */
  | { kind: 'unknown'; code: number; data: number[] };

interface PacketCommon {
  kind: 'packet';
  direction: Direction;
  encapsulation: IpEncapsulation[];
  ipInfo?: IpInfo;
  ports?: PortInfo;
  loc: Loc;
}

export interface TcpPacketAction extends PacketCommon {
  protocol: 'tcp';
  /** Flags exactly as written: 'S', '.', 'P.', 'F.', 'FP.', 'R', 'S.', '-', … */
  flags: string;
  /** The flag bits the letters stand for (see tcp-flags.ts). */
  flagBits: number;
  /** AccECN ACE field when flags were written with a digit. */
  ace?: number;
  seq: SeqSpec;
  ack?: number;
  win?: number;
  urg?: number;
  /** undefined = no `<…>` (no options); 'ellipsis' = `<...>` (don't check). */
  options?: TcpOptionSpec[] | 'ellipsis';
}

export interface UdpPacketAction extends PacketCommon {
  protocol: 'udp';
  /** Payload length, from `udp (N)`. */
  len: number;
}

export type IcmpEchoed =
  { kind: 'udp'; len: number } | { kind: 'raw'; len: number } | { kind: 'tcp'; seq: SeqSpec };

export interface IcmpPacketAction extends PacketCommon {
  protocol: 'icmp';
  type: string;
  code?: string;
  mtu?: number;
  echoId?: number;
  echoed?: IcmpEchoed;
}

export type PacketAction = TcpPacketAction | UdpPacketAction | IcmpPacketAction;

// ---------------------------------------------------------------------------------------------
// System calls

export interface SyscallAction {
  kind: 'syscall';
  name: string;
  args: Expr[];
  result: Expr;
  errno?: string;
  /** The parenthesised note after the result or errno, e.g. "Broken pipe". */
  note?: string;
  loc: Loc;
}

export type Expr =
  | { kind: 'int'; value: number; hex: boolean; loc: Loc }
  | { kind: 'ellipsis'; loc: Loc }
  | { kind: 'null'; loc: Loc }
  | { kind: 'symbol'; name: string; loc: Loc }
  /** A|B|C, flattened. */
  | { kind: 'or'; operands: Expr[]; loc: Loc }
  /** Adjacent strings are already concatenated; prefix = written as "…"... (match a prefix). */
  | { kind: 'string'; value: string; prefix: boolean; loc: Loc }
  /** `[a, b, …]`, also `[]` and arrays of structs such as poll's `[{fd=…}]`. */
  | { kind: 'array'; elements: Expr[]; loc: Loc }
  /** `[v]` with a single scalar: a pointer to a 32-bit int (setsockopt/getsockopt/ioctl). */
  | { kind: 'intptr'; value: Expr; loc: Loc }
  /** `{k=v, …}` where every element is an assignment. */
  | { kind: 'struct'; fields: StructField[]; loc: Loc }
  /** `{a, b}` with positional elements, e.g. an iovec `{..., 40}`. */
  | { kind: 'list'; elements: Expr[]; loc: Loc }
  /** htons(8080), inet_addr("1.2.3.4"), … */
  | { kind: 'call'; name: string; args: Expr[]; loc: Loc }
  /** NAME=expr or NAME(arg)=expr outside braces (packetdrill's binary "="). */
  | { kind: 'assign'; field: StructField; loc: Loc };

export interface StructField {
  name: string;
  /** The parenthesised argument in msg_name(...)=… or msg_iov(1)=…. */
  arg?: Expr;
  value: Expr;
  loc: Loc;
}

export type ExprKind = Expr['kind'];
