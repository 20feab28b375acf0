// System-call argument and result expressions (parser.y's `expression`). The grammar's many
// special structs (sockaddr, msghdr, pollfd, linger, cmsg…) all share the shape {name=value, …},
// so they are parsed generically here and given meaning by the runner.

import type { Expr, StructField } from './ast.js';
import type { Token } from './lexer.js';
import { describe, type Cursor } from './token-cursor.js';

/** Kinds that `[v]` may hold to be read as a pointer to an int rather than a one-element array. */
const SCALAR_KINDS: ReadonlySet<Expr['kind']> = new Set(['int', 'symbol', 'or']);

export function parseExpr(c: Cursor): Expr {
  const first = c.peek();
  const operand = parseOperand(c);
  if (!c.isPunct('|')) return operand;
  const operands = [operand];
  while (c.isPunct('|')) {
    c.next();
    operands.push(parseOperand(c));
  }
  return { kind: 'or', operands, loc: c.locFrom(first) };
}

export function parseExprList(c: Cursor, close: string, context: string): Expr[] {
  const items: Expr[] = [];
  if (c.isPunct(close)) return items;
  for (;;) {
    items.push(parseExpr(c));
    if (c.isPunct(',')) {
      c.next();
      continue;
    }
    if (!c.isPunct(close)) c.fail(`expected ',' or '${close}' in ${context}, found ${describe(c.peek())}`);
    return items;
  }
}

function parseOperand(c: Cursor): Expr {
  const tok = c.peek();
  switch (tok.kind) {
    case 'ellipsis':
      c.next();
      return { kind: 'ellipsis', loc: c.locFrom(tok) };
    case 'int':
      c.next();
      return { kind: 'int', value: tok.num ?? 0, hex: tok.hex === true, loc: c.locFrom(tok) };
    case 'string':
      return parseString(c, tok);
    case 'word':
      return parseWordExpr(c, tok);
    case 'punct':
      if (tok.value === '[') return parseBracket(c, tok);
      if (tok.value === '{') return parseBrace(c, tok);
      break;
    default:
      break;
  }
  return c.fail(`expected an expression, found ${describe(tok)}`);
}

function parseString(c: Cursor, first: Token): Expr {
  let value = '';
  while (c.peek().kind === 'string') value += c.next().value;
  let prefix = false;
  if (c.peek().kind === 'ellipsis') {
    c.next();
    prefix = true;
  }
  return { kind: 'string', value, prefix, loc: c.locFrom(first) };
}

function parseWordExpr(c: Cursor, tok: Token): Expr {
  c.next();
  if (tok.value === 'NULL') return { kind: 'null', loc: c.locFrom(tok) };
  let arg: Expr | undefined;
  let callArgs: Expr[] | undefined;
  if (c.isPunct('(')) {
    c.next();
    callArgs = parseExprList(c, ')', `arguments of ${tok.value}()`);
    c.next();
    if (callArgs.length === 1) arg = callArgs[0];
  }
  if (c.isPunct('=')) {
    c.next();
    if (callArgs && callArgs.length > 1) c.fail(`${tok.value}(…)= takes one argument`, tok);
    const value = parseExpr(c);
    const field: StructField = { name: tok.value, value, loc: c.locFrom(tok) };
    if (arg) field.arg = arg;
    return { kind: 'assign', field, loc: c.locFrom(tok) };
  }
  if (callArgs) return { kind: 'call', name: tok.value, args: callArgs, loc: c.locFrom(tok) };
  return { kind: 'symbol', name: tok.value, loc: c.locFrom(tok) };
}

function parseBracket(c: Cursor, open: Token): Expr {
  c.next();
  const elements = parseExprList(c, ']', 'array');
  c.next();
  const loc = c.locFrom(open);
  if (elements.length === 1 && SCALAR_KINDS.has(elements[0].kind)) {
    return { kind: 'intptr', value: elements[0], loc };
  }
  return { kind: 'array', elements, loc };
}

function parseBrace(c: Cursor, open: Token): Expr {
  c.next();
  const elements = parseExprList(c, '}', 'braces');
  c.next();
  const loc = c.locFrom(open);
  const fields: StructField[] = [];
  for (const e of elements) if (e.kind === 'assign') fields.push(e.field);
  if (elements.length > 0 && fields.length === elements.length) return { kind: 'struct', fields, loc };
  return { kind: 'list', elements, loc };
}
