// A tiny evaluator for the Python that packetdrill scripts put in %{ }% blocks: assert
// statements over tcpi_* numbers with chained comparisons, arithmetic, and/or/not, '%'
// formatting for messages, `;` and `\` continuations, # comments. Anything beyond that is
// reported as unsupported instead of being guessed at.

export type PyValue = number | string | boolean | null | PyValue[];

export type PyResult = { ok: true } | { ok: false; error: string };

export interface PyOptions {
  /** Script line of the code's first line, so errors name script lines. Default 1. */
  firstLine?: number;
}

interface Tok {
  kind: 'num' | 'str' | 'name' | 'op' | 'end';
  text: string;
  num?: number;
  str?: string;
  line: number;
  /** Offsets in the code, to quote a failed assertion as written. */
  start: number;
  end: number;
}

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'bool'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; first: Node; rest: { op: string; right: Node }[] }
  | { kind: 'tuple'; items: Node[] }
  | { kind: 'call'; fn: string; args: Node[] };

type Stmt =
  | { kind: 'assert'; test: Node; msg?: Node; text: string; line: number }
  | { kind: 'assign'; name: string; value: Node; line: number }
  | { kind: 'expr'; value: Node; line: number }
  | { kind: 'pass'; line: number };

class PyError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const OPERATORS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  ';',
  '=',
  '~',
  ':',
];

/** Tokens plus, per statement, its source text for messages. Newlines outside () end statements. */
function tokenize(code: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let depth = 0;
  let i = 0;
  const endStatement = (): void => {
    const last = toks[toks.length - 1];
    if (last && !(last.kind === 'op' && last.text === ';'))
      toks.push({ kind: 'op', text: ';', line, start: i, end: i });
  };
  while (i < code.length) {
    const ch = code[i];
    if (ch === '\\' && code[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (ch === '\\' && code[i + 1] === '\r' && code[i + 2] === '\n') {
      i += 3;
      line++;
      continue;
    }
    if (ch === '\n') {
      if (depth === 0) endStatement();
      line++;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < code.length && code[i] !== '\n') i++;
      continue;
    }
    const rest = code.slice(i);
    const num = /^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?)/.exec(rest);
    if (num && /[\d.]/.test(ch)) {
      const t = num[0];
      const value = /^0[xXoObB]/.test(t) ? Number(t.toLowerCase()) : Number(t);
      toks.push({ kind: 'num', text: t, num: value, line, start: i, end: i + t.length });
      i += t.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      toks.push({ kind: 'name', text: name[0], line, start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < code.length && code[j] !== ch && code[j] !== '\n') {
        if (code[j] === '\\' && j + 1 < code.length) {
          const e = code[j + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else {
          value += code[j++];
        }
      }
      if (code[j] !== ch) throw new PyError('unterminated string', line);
      toks.push({ kind: 'str', text: code.slice(i, j + 1), str: value, line, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      if (op === '(') depth++;
      if (op === ')') depth = Math.max(0, depth - 1);
      if (op === ';') endStatement();
      else toks.push({ kind: 'op', text: op, line, start: i, end: i + op.length });
      i += op.length;
      continue;
    }
    throw new PyError(`unsupported character '${ch}'`, line);
  }
  endStatement();
  toks.push({ kind: 'end', text: '', line, start: code.length, end: code.length });
  return toks;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly code: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.pos];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }
  private isName(text: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === text;
  }
  private next(): Tok {
    return this.toks[this.pos++];
  }
  private expectOp(text: string): void {
    if (!this.isOp(text))
      throw new PyError(`expected '${text}', found '${this.peek().text || 'end'}'`, this.peek().line);
    this.next();
  }

  statements(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek().kind !== 'end') {
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      out.push(this.statement());
      if (!this.isOp(';') && this.peek().kind !== 'end') {
        throw new PyError(`unexpected '${this.peek().text}' after statement`, this.peek().line);
      }
    }
    return out;
  }

  private statement(): Stmt {
    const first = this.peek();
    const line = first.line;
    if (this.isName('assert')) {
      this.next();
      const start = this.pos;
      const test = this.expr();
      const testText = this.code
        .slice(this.toks[start].start, this.toks[this.pos - 1].end)
        .replace(/\\\r?\n/g, ' ')
        .replace(/\s+/g, ' ');
      if (this.isOp(',')) {
        this.next();
        const msg = this.expr();
        return { kind: 'assert', test, msg, text: testText, line };
      }
      return { kind: 'assert', test, text: testText, line };
    }
    if (this.isName('pass')) {
      this.next();
      return { kind: 'pass', line };
    }
    const unsupported = ['if', 'for', 'while', 'def', 'import', 'from', 'class', 'with', 'try', 'return'];
    if (first.kind === 'name' && unsupported.includes(first.text)) {
      throw new PyError(`'${first.text}' statements are not supported in %{ }% code`, line);
    }
    if (
      first.kind === 'name' &&
      this.toks[this.pos + 1]?.kind === 'op' &&
      this.toks[this.pos + 1].text === '='
    ) {
      this.next();
      this.next();
      return { kind: 'assign', name: first.text, value: this.expr(), line };
    }
    return { kind: 'expr', value: this.expr(), line };
  }

  private expr(): Node {
    return this.orExpr();
  }

  private orExpr(): Node {
    let left = this.andExpr();
    while (this.isName('or')) {
      this.next();
      left = { kind: 'bool', op: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): Node {
    let left = this.notExpr();
    while (this.isName('and')) {
      this.next();
      left = { kind: 'bool', op: 'and', left, right: this.notExpr() };
    }
    return left;
  }

  private notExpr(): Node {
    if (this.isName('not')) {
      this.next();
      return { kind: 'unary', op: 'not', arg: this.notExpr() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const first = this.arith();
    const rest: { op: string; right: Node }[] = [];
    for (;;) {
      const t = this.peek();
      let op: string | undefined;
      if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) op = t.text;
      else if (this.isName('is')) op = 'is';
      else if (this.isName('in')) op = 'in';
      else if (this.isName('not') && this.toks[this.pos + 1]?.text === 'in') {
        this.next();
        op = 'not in';
      }
      if (op === undefined) break;
      this.next();
      if (op === 'is' && this.isName('not')) {
        this.next();
        op = 'is not';
      }
      rest.push({ op, right: this.arith() });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest };
  }

  private arith(): Node {
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('-') || this.isOp('+') || this.isOp('~')) {
      const op = this.next().text;
      return { kind: 'unary', op, arg: this.unary() };
    }
    return this.power();
  }

  private power(): Node {
    const base = this.atom();
    if (this.isOp('**')) {
      this.next();
      return { kind: 'binary', op: '**', left: base, right: this.unary() };
    }
    return base;
  }

  private atom(): Node {
    const t = this.next();
    if (t.kind === 'num') return { kind: 'num', value: t.num ?? 0 };
    if (t.kind === 'str') {
      let value = t.str ?? '';
      while (this.peek().kind === 'str') value += this.next().str ?? '';
      return { kind: 'str', value };
    }
    if (t.kind === 'name') {
      if (this.isOp('(')) {
        this.next();
        const args: Node[] = [];
        while (!this.isOp(')')) {
          args.push(this.expr());
          if (!this.isOp(',')) break;
          this.next();
        }
        this.expectOp(')');
        return { kind: 'call', fn: t.text, args };
      }
      return { kind: 'name', name: t.text };
    }
    if (t.kind === 'op' && t.text === '(') {
      if (this.isOp(')')) {
        this.next();
        return { kind: 'tuple', items: [] };
      }
      const first = this.expr();
      if (!this.isOp(',')) {
        this.expectOp(')');
        return first;
      }
      const items = [first];
      while (this.isOp(',')) {
        this.next();
        if (this.isOp(')')) break;
        items.push(this.expr());
      }
      this.expectOp(')');
      return { kind: 'tuple', items };
    }
    throw new PyError(`unexpected '${t.text || 'end of code'}'`, t.line);
  }
}

function truthy(v: PyValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== '';
}

export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

function pyStr(v: PyValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

function asNumber(v: PyValue, line: number, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PyError(`${what} needs a number, got ${pyRepr(v)}`, line);
}

/** printf-style '%' formatting as Python applies it to str % args. */
function percentFormat(fmt: string, arg: PyValue, line: number): string {
  const args = Array.isArray(arg) ? arg : [arg];
  let used = 0;
  const out = fmt.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGsr%])/g,
    (_m, flags: string, w, p, conv) => {
      if (conv === '%') return '%';
      if (used >= args.length) throw new PyError('not enough arguments for format string', line);
      const v = args[used++];
      const precision = p === undefined ? undefined : Number(p);
      let s: string;
      switch (conv) {
        case 'd':
        case 'i':
        case 'u':
          s = String(Math.trunc(asNumber(v, line, `%${conv}`)));
          break;
        case 'x':
        case 'X':
        case 'o': {
          const n = Math.trunc(asNumber(v, line, `%${conv}`));
          s = n.toString(conv === 'o' ? 8 : 16);
          if (conv === 'X') s = s.toUpperCase();
          break;
        }
        case 'e':
        case 'E':
          s = asNumber(v, line, '%e').toExponential(precision ?? 6);
          if (conv === 'E') s = s.toUpperCase();
          break;
        case 'f':
        case 'F':
          s = asNumber(v, line, '%f').toFixed(precision ?? 6);
          break;
        case 'g':
        case 'G':
          s = String(Number(asNumber(v, line, '%g').toPrecision(precision ?? 6)));
          break;
        case 'r':
          s = pyRepr(v);
          break;
        default:
          s = pyStr(v);
      }
      const width = w === undefined ? 0 : Number(w);
      if (s.length < width) {
        if (flags.includes('-')) s = s.padEnd(width);
        else s = s.padStart(width, flags.includes('0') && conv !== 's' ? '0' : ' ');
      }
      return s;
    },
  );
  if (used < args.length) throw new PyError('not all arguments converted during string formatting', line);
  return out;
}

const BUILTINS: Record<string, (args: PyValue[], line: number) => PyValue> = {
  abs: (a, line) => Math.abs(asNumber(a[0], line, 'abs()')),
  min: (a, line) => Math.min(...a.map((v) => asNumber(v, line, 'min()'))),
  max: (a, line) => Math.max(...a.map((v) => asNumber(v, line, 'max()'))),
  int: (a, line) => Math.trunc(typeof a[0] === 'string' ? Number(a[0]) : asNumber(a[0], line, 'int()')),
  float: (a, line) => (typeof a[0] === 'string' ? Number(a[0]) : asNumber(a[0], line, 'float()')),
  str: (a) => pyStr(a[0] ?? ''),
  round: (a, line) => Math.round(asNumber(a[0], line, 'round()')),
  len: (a, line) => {
    const v = a[0];
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    throw new PyError(`len() of ${pyRepr(v)}`, line);
  },
};

class Evaluator {
  constructor(private readonly env: Map<string, PyValue>) {}

  eval(n: Node, line: number): PyValue {
    switch (n.kind) {
      case 'num':
        return n.value;
      case 'str':
        return n.value;
      case 'name':
        return this.lookup(n.name, line);
      case 'tuple':
        return n.items.map((i) => this.eval(i, line));
      case 'call': {
        const fn = BUILTINS[n.fn];
        if (!fn) throw new PyError(`unknown function '${n.fn}'`, line);
        return fn(
          n.args.map((a) => this.eval(a, line)),
          line,
        );
      }
      case 'unary': {
        const v = this.eval(n.arg, line);
        if (n.op === 'not') return !truthy(v);
        const x = asNumber(v, line, `unary ${n.op}`);
        return n.op === '-' ? -x : n.op === '~' ? ~x : x;
      }
      case 'bool': {
        const left = this.eval(n.left, line);
        if (n.op === 'and') return truthy(left) ? this.eval(n.right, line) : left;
        return truthy(left) ? left : this.eval(n.right, line);
      }
      case 'compare': {
        let left = this.eval(n.first, line);
        for (const { op, right } of n.rest) {
          const r = this.eval(right, line);
          if (!compare(op, left, r, line)) return false;
          left = r;
        }
        return true;
      }
      case 'binary':
        return this.binary(n.op, this.eval(n.left, line), this.eval(n.right, line), line);
    }
  }

  private lookup(name: string, line: number): PyValue {
    if (name === 'True') return true;
    if (name === 'False') return false;
    if (name === 'None') return null;
    const v = this.env.get(name);
    if (v === undefined) throw new PyError(`name '${name}' is not defined`, line);
    return v;
  }

  private binary(op: string, l: PyValue, r: PyValue, line: number): PyValue {
    if (op === '%' && typeof l === 'string') return percentFormat(l, r, line);
    if (op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
    if (op === '*' && typeof l === 'string') return l.repeat(asNumber(r, line, 'str * n'));
    const a = asNumber(l, line, `'${op}'`);
    const b = asNumber(r, line, `'${op}'`);
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '**':
        return a ** b;
      case '/':
        if (b === 0) throw new PyError('division by zero', line);
        return a / b;
      case '//':
        if (b === 0) throw new PyError('integer division by zero', line);
        return Math.floor(a / b);
      case '%':
        if (b === 0) throw new PyError('modulo by zero', line);
        return a - b * Math.floor(a / b);
      default:
        throw new PyError(`unsupported operator '${op}'`, line);
    }
  }
}

function contains(container: PyValue, item: PyValue, line: number): boolean {
  if (Array.isArray(container)) return container.some((v) => pyEquals(v, item));
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
  throw new PyError(`'in' needs a tuple or a string, got ${pyRepr(container)}`, line);
}

function compare(op: string, l: PyValue, r: PyValue, line: number): boolean {
  if (op === 'in') return contains(r, l, line);
  if (op === 'not in') return !contains(r, l, line);
  if (op === '==' || op === 'is') return pyEquals(l, r);
  if (op === '!=' || op === 'is not') return !pyEquals(l, r);
  let a: number | string;
  let b: number | string;
  if (typeof l === 'string' && typeof r === 'string') {
    a = l;
    b = r;
  } else {
    a = asNumber(l, line, `'${op}'`);
    b = asNumber(r, line, `'${op}'`);
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function pyEquals(l: PyValue, r: PyValue): boolean {
  if (Array.isArray(l) || Array.isArray(r)) {
    return (
      Array.isArray(l) && Array.isArray(r) && l.length === r.length && l.every((v, i) => pyEquals(v, r[i]))
    );
  }
  if (typeof l === 'boolean' || typeof r === 'boolean') return Number(l) === Number(r);
  return l === r;
}

function namesIn(n: Node, out: Set<string>): Set<string> {
  switch (n.kind) {
    case 'name':
      if (!['True', 'False', 'None'].includes(n.name)) out.add(n.name);
      break;
    case 'unary':
      namesIn(n.arg, out);
      break;
    case 'binary':
    case 'bool':
      namesIn(n.left, out);
      namesIn(n.right, out);
      break;
    case 'compare':
      namesIn(n.first, out);
      for (const r of n.rest) namesIn(r.right, out);
      break;
    case 'tuple':
      for (const i of n.items) namesIn(i, out);
      break;
    case 'call':
      for (const a of n.args) namesIn(a, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Runs the assert statements of a %{ }% block against the given variables (tcpi_* fields and
 * constants such as TCP_CA_Open). Stops at the first failure, naming the assertion, the values
 * of the names it uses and its message.
 */
export function evalPythonAsserts(
  code: string,
  vars: Record<string, number>,
  opts: PyOptions = {},
): PyResult {
  const offset = (opts.firstLine ?? 1) - 1;
  const env = new Map<string, PyValue>(Object.entries(vars));
  try {
    const statements = new Parser(tokenize(code), code).statements();
    const ev = new Evaluator(env);
    for (const s of statements) {
      if (s.kind === 'pass') continue;
      if (s.kind === 'assign') {
        env.set(s.name, ev.eval(s.value, s.line));
        continue;
      }
      if (s.kind === 'expr') {
        ev.eval(s.value, s.line);
        continue;
      }
      if (truthy(ev.eval(s.test, s.line))) continue;
      const values = [...namesIn(s.test, new Set())].map(
        (name) => `${name}=${pyRepr(env.get(name) ?? null)}`,
      );
      const msg = s.msg ? `: ${pyStr(ev.eval(s.msg, s.line))}` : '';
      const shown = values.length > 0 ? ` (${values.join(', ')})` : '';
      return { ok: false, error: `line ${s.line + offset}: assertion failed: ${s.text}${shown}${msg}` };
    }
    return { ok: true };
  } catch (e) {
    if (e instanceof PyError) return { ok: false, error: `line ${e.line + offset}: ${e.message}` };
    return { ok: false, error: `python evaluator: ${e instanceof Error ? e.message : String(e)}` };
  }
}
