// A read position over the token list, with the helpers the recursive-descent parsers share.
// Parse errors are thrown as ParseError inside the parser only; parseScript catches them and turns
// them into a result, so nothing escapes to callers.

import type { Loc } from './ast.js';
import type { Token } from './lexer.js';

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export function describe(tok: Token): string {
  if (tok.kind === 'eof') return 'end of script';
  if (tok.kind === 'backquote') return 'backquoted command';
  if (tok.kind === 'code') return '%{ code block';
  return `'${tok.text}'`;
}

export class Cursor {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  next(): Token {
    const tok = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return tok;
  }

  /** The last token consumed (the first token when nothing was consumed yet). */
  previous(): Token {
    return this.tokens[Math.max(0, this.pos - 1)];
  }

  isPunct(ch: string, ahead = 0): boolean {
    const tok = this.peek(ahead);
    return tok.kind === 'punct' && tok.value === ch;
  }

  isWord(word: string, ahead = 0): boolean {
    const tok = this.peek(ahead);
    return tok.kind === 'word' && tok.value === word;
  }

  fail(message: string, at: Token = this.peek()): never {
    throw new ParseError(message, at.line, at.column);
  }

  expectPunct(ch: string, context: string): Token {
    if (!this.isPunct(ch)) this.fail(`expected '${ch}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }

  expectWord(word: string, context: string): Token {
    if (!this.isWord(word)) this.fail(`expected '${word}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }

  /** An integer token, checked to lie in [min, max]. */
  expectInt(context: string, min: number, max: number): number {
    const tok = this.peek();
    if (tok.kind !== 'int' || tok.num === undefined) {
      this.fail(`expected an integer ${context}, found ${describe(tok)}`);
    }
    const n = tok.num;
    if (n < min || n > max) this.fail(`${context}: ${tok.text} is out of range (${min}..${max})`);
    this.next();
    return n;
  }

  /** The source span from `first` to the last consumed token. */
  locFrom(first: Token): Loc {
    const last = this.previous();
    const end = Math.max(last.end, first.end);
    return { line: first.line, column: first.column, text: this.src.slice(first.start, end) };
  }

  /** Raw source text between two tokens (exclusive), for free-form notes. */
  textBetween(open: Token, close: Token): string {
    return this.src.slice(open.end, close.start).trim();
  }
}
