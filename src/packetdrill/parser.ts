// packetdrill script parser: options, init command, timed events, cleanup command (parser.y's
// `script`), plus the semantic checks packetdrill makes while parsing (time ranges only on
// outbound packets, times that go backwards, …).

import type { Action, Event, EventTime, Script, ScriptCommand, ScriptOption, SyscallAction } from './ast.js';
import { parseExpr, parseExprList } from './expr-parser.js';
import { lex, type Token } from './lexer.js';
import { parsePacket } from './packet-parser.js';
import { Cursor, ParseError, describe } from './token-cursor.js';

export { parseDefaults, analyzeShellCommand } from './defaults.js';

export interface ParseOptions {
  /** -D NAME=value definitions from the command line; they win over the script's --define. */
  defines?: Record<string, string>;
  /** Used as the prefix of error messages ("file:line:col: message"). */
  fileName?: string;
}

export type ParseResult = { ok: true; script: Script } | { ok: false; error: string };

export function parseScript(text: string, opts: ParseOptions = {}): ParseResult {
  const where = (line: number, column: number): string => `${opts.fileName ?? '<script>'}:${line}:${column}`;
  const lexed = lex(text);
  if (!lexed.ok) return { ok: false, error: `${where(lexed.line, lexed.column)}: ${lexed.error}` };
  try {
    return { ok: true, script: parseTokens(lexed.tokens, text, opts) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: `${where(e.line, e.column)}: ${e.message}` };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: `${where(1, 1)}: internal parser error: ${message}` };
  }
}

function parseTokens(tokens: Token[], src: string, opts: ParseOptions): Script {
  const defines: Record<string, string> = {};
  const options: ScriptOption[] = [];
  let i = 0;
  for (; tokens[i].kind === 'option'; i++) {
    const tok = tokens[i];
    const loc = { line: tok.line, column: tok.column, text: tok.text };
    options.push(
      tok.optionValue === undefined
        ? { name: tok.value, loc }
        : { name: tok.value, value: tok.optionValue, loc },
    );
    if (tok.value === 'define') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(tok.optionValue ?? '');
      if (!m) throw new ParseError('--define needs NAME=value', tok.line, tok.column);
      defines[m[1]] = m[2];
    }
  }
  // Command-line options are applied after the script's, so their definitions take precedence.
  Object.assign(defines, opts.defines ?? {});
  const c = new Cursor(expandDefines(tokens.slice(i), defines), src);
  const script: Script = { options, defines, events: [] };
  if (opts.fileName !== undefined) script.fileName = opts.fileName;

  if (c.peek().kind === 'backquote') script.initCommand = parseCommand(c);
  let lastAbsolute: { usecs: number; line: number } | undefined;
  while (c.peek().kind !== 'eof') {
    const tok = c.peek();
    if (tok.kind === 'option') c.fail(`option --${tok.value} must come before the first event`);
    if (tok.kind === 'backquote' && c.peek(1).kind === 'eof') {
      script.cleanupCommand = parseCommand(c);
      break;
    }
    if (tok.kind === 'backquote') {
      c.fail('a command without a time must be the first line (init) or the last (cleanup)');
    }
    const event = parseEvent(c);
    if (script.events.length === 0 && event.time.kind === 'absolute' && event.time.start !== 0) {
      c.fail('the first event must happen at time 0', tok);
    }
    if (event.time.kind === 'absolute') {
      if (lastAbsolute && event.time.start < lastAbsolute.usecs) {
        c.fail(`time goes backwards: this event is before the one at line ${lastAbsolute.line}`, tok);
      }
      lastAbsolute = { usecs: event.time.start, line: event.line };
    }
    script.events.push(event);
  }
  if (script.events.length === 0) c.fail('the script has no events');
  return script;
}

/** Replaces defined words by the tokens of their values, keeping the word's position. */
function expandDefines(tokens: Token[], defines: Record<string, string>): Token[] {
  if (Object.keys(defines).length === 0) return tokens;
  const out: Token[] = [];
  for (const tok of tokens) {
    if (tok.kind !== 'word' || tok.keyword || !Object.prototype.hasOwnProperty.call(defines, tok.value)) {
      out.push(tok);
      continue;
    }
    const lexed = lex(defines[tok.value]);
    if (!lexed.ok)
      throw new ParseError(`bad value for define ${tok.value}: ${lexed.error}`, tok.line, tok.column);
    for (const t of lexed.tokens) {
      if (t.kind !== 'eof')
        out.push({ ...t, line: tok.line, column: tok.column, start: tok.start, end: tok.end });
    }
  }
  return out;
}

function parseCommand(c: Cursor): ScriptCommand {
  const tok = c.next();
  return { command: tok.value, loc: { line: tok.line, column: tok.column, text: tok.text } };
}

function parseEvent(c: Cursor): Event {
  const first = c.peek();
  const time = parseEventTime(c);
  const action = parseAction(c, time);
  const loc = c.locFrom(first);
  checkEventTiming(c, first, time, action);
  return { line: first.line, time, action, loc };
}

function parseEventTime(c: Cursor): EventTime {
  if (c.isPunct('*')) {
    c.next();
    return { kind: 'any', start: 0 };
  }
  const relative = c.isPunct('+');
  if (relative) c.next();
  const time: EventTime = {
    kind: relative ? 'relative' : 'absolute',
    start: parseTimeValue(c, 'event time'),
  };
  if (c.isPunct('~')) {
    const tilde = c.next();
    const endRelative = c.isPunct('+');
    if (endRelative) c.next();
    if (endRelative !== relative) {
      c.fail(
        relative
          ? 'a relative range must end with a relative time (+a~+b)'
          : 'an absolute range must end with an absolute time (a~b)',
        tilde,
      );
    }
    time.end = parseTimeValue(c, 'end of the time range');
    time.endRelative = endRelative;
  }
  return time;
}

/** Seconds as written (1, .1, 0.200) to whole microseconds, exactly from the decimal digits. */
function parseTimeValue(c: Cursor, context: string): number {
  const tok = c.peek();
  if ((tok.kind !== 'int' && tok.kind !== 'float') || tok.hex || tok.text.startsWith('-')) {
    c.fail(`expected a time in seconds for the ${context}, found ${describe(tok)}`);
  }
  c.next();
  return secondsTextToMicros(tok.text);
}

export function secondsTextToMicros(text: string): number {
  const [whole, frac = ''] = text.split('.');
  const padded = (frac + '000000').slice(0, 6);
  const roundUp = frac.length > 6 && frac[6] >= '5' ? 1 : 0;
  return Number(whole || '0') * 1_000_000 + Number(padded) + roundUp;
}

function parseAction(c: Cursor, time: EventTime): Action {
  const tok = c.peek();
  if (tok.kind === 'punct' && (tok.value === '<' || tok.value === '>')) return parsePacket(c);
  if (tok.kind === 'backquote') {
    c.next();
    return { kind: 'shell', command: tok.value, loc: c.locFrom(tok) };
  }
  if (tok.kind === 'code') {
    c.next();
    return { kind: 'code', code: tok.value, codeLine: tok.line, loc: c.locFrom(tok) };
  }
  if (tok.kind === 'ellipsis') {
    c.next();
    time.blockingEnd = parseTimeValue(c, 'end time of the blocking call');
    if (c.peek().kind !== 'word' || !c.isPunct('(', 1)) {
      c.fail(`expected a system call after ...END, found ${describe(c.peek())}`);
    }
    return parseSyscall(c);
  }
  if (tok.kind === 'word' && c.isPunct('(', 1)) return parseSyscall(c);
  return c.fail(
    `expected a packet, system call, \`command\` or %{ code }% after the time, found ${describe(tok)}`,
  );
}

function parseSyscall(c: Cursor): SyscallAction {
  const nameTok = c.next();
  c.next();
  const args = parseExprList(c, ')', `arguments of ${nameTok.value}()`);
  c.next();
  c.expectPunct('=', `after ${nameTok.value}(…) (every call needs "= result")`);
  const result = parseExpr(c);
  const call: SyscallAction = { kind: 'syscall', name: nameTok.value, args, result, loc: c.locFrom(nameTok) };
  const errnoTok = c.peek();
  if (errnoTok.kind === 'word') {
    c.next();
    call.errno = errnoTok.value;
  }
  if (c.isPunct('(')) call.note = parseNote(c);
  call.loc = c.locFrom(nameTok);
  return call;
}

/** `(free words)` after a result: a comment for humans, kept verbatim. */
function parseNote(c: Cursor): string {
  const open = c.next();
  let depth = 1;
  for (;;) {
    const tok = c.peek();
    if (tok.kind === 'eof') c.fail("unterminated '(' note after the result", open);
    c.next();
    if (tok.kind === 'punct' && tok.value === '(') depth++;
    if (tok.kind === 'punct' && tok.value === ')' && --depth === 0) return c.textBetween(open, tok);
  }
}

function checkEventTiming(c: Cursor, first: Token, time: EventTime, action: Action): void {
  const outboundPacket = action.kind === 'packet' && action.direction === 'outbound';
  if (time.kind === 'any' && !outboundPacket) {
    c.fail('event time * can only be used with outbound packets', first);
  }
  if (time.end !== undefined) {
    if (!outboundPacket) c.fail('event time ranges can only be used with outbound packets', first);
    if (time.end < time.start) c.fail('time range is backwards', first);
  }
  if (time.blockingEnd !== undefined && time.blockingEnd < time.start) {
    c.fail('blocking call end time is before its start time', first);
  }
}
