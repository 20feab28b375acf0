// The packetdrill front end: lexer, parser, printer, shell-defaults reader and the Python subset
// used by %{ }% blocks. The runner that executes scripts against synack builds on these.

export type * from './ast.js';
export { lex, KEYWORDS, type Token, type TokenKind, type LexResult } from './lexer.js';
export { parseScript, secondsTextToMicros, type ParseOptions, type ParseResult } from './parser.js';
export {
  parseDefaults,
  analyzeShellCommand,
  evalIntArithmetic,
  type SysctlSetting,
  type ShellCommand,
  type ShellCommandKind,
  type ShellAnalysis,
} from './defaults.js';
export {
  formatSeconds,
  formatEventTime,
  formatEvent,
  formatAction,
  formatPacketAction,
  formatTcpOption,
  formatTcpOptions,
  formatSegment,
  formatMismatch,
  formatSyscall,
  formatExpr,
  type SegmentFields,
} from './print.js';
export { tcpOptionLength } from './packet-parser.js';
export {
  TCP_FIN,
  TCP_SYN,
  TCP_RST,
  TCP_PSH,
  TCP_ACK,
  TCP_URG,
  TCP_ECE,
  TCP_CWR,
  TCP_AE,
  parseTcpFlags,
  formatTcpFlags,
  type FlagsParse,
} from './tcp-flags.js';
export { evalPythonAsserts, pyRepr, type PyValue, type PyResult, type PyOptions } from './python-subset.js';
export { scriptConfig, DEFAULT_RUN_CONFIG, type RunConfig, type ConfigResult } from './options.js';
export { CODE_CONSTANTS } from './code-constants.js';
