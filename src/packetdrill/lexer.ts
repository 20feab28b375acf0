// Tokenizer for packetdrill scripts. It follows packetdrill's lexer.l closely enough that every
// token the grammar needs comes out with the same boundaries, and records line:column so the
// parser and a later runner can name the script position in their messages.

export type TokenKind =
  | 'int' // decimal or hexadecimal integer, possibly negative
  | 'float'
  | 'word'
  | 'string' // "…", value is the text between the quotes, verbatim (no unescaping)
  | 'backquote' // `…`, value is the raw shell text
  | 'code' // %{ … }%, value is the raw Python text
  | 'option' // --name[=value] at the top of a script
  | 'ipv4' // dotted quad, only meaningful in a few places
  | 'ellipsis'
  | 'punct'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text exactly as written (for strings: with the quotes). */
  text: string;
  /** Decoded value: digits for numbers, contents for string/backquote/code, name for option. */
  value: string;
  /** Numeric value of int tokens. */
  num?: number;
  /** True for int tokens written as 0x…. */
  hex?: boolean;
  /** For option tokens: the text after '=' (undefined when there is no '='). */
  optionValue?: string;
  /** True when the word is one of packetdrill's reserved keywords (never macro-expanded). */
  keyword?: boolean;
  line: number;
  column: number;
  /** Offset of the first character in the script text, and one past the last. */
  start: number;
  end: number;
}

export type LexResult =
  { ok: true; tokens: Token[] } | { ok: false; error: string; line: number; column: number };

/** Words that packetdrill's lexer turns into dedicated tokens rather than WORDs. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'ack',
  'win',
  'urg',
  'mss',
  'wscale',
  'sackOK',
  'sack',
  'TS',
  'val',
  'ecr',
  'nop',
  'eol',
  'md5',
  'FO',
  'FOEXP',
  'ECN',
  'e0b',
  'e1b',
  'ceb',
  'ect0',
  'ect1',
  'ect01',
  'noecn',
  'ce',
  'tos',
  'flowlabel',
  'ttl',
  'ipv4',
  'ipv6',
  'icmp',
  'udp',
  'gre',
  'mpls',
  'raw',
  'mtu',
  'id',
  'inet_addr',
  'inet6_addr',
  'htons',
  'sa_family',
  'sin_port',
  'sin_addr',
  'msg_name',
  'msg_iov',
  'msg_flags',
  'msg_control',
  'cmsg_level',
  'cmsg_type',
  'cmsg_data',
  'fd',
  'events',
  'revents',
  'onoff',
  'linger',
  'u32',
  'u64',
  'ptr',
  'ee_errno',
  'ee_origin',
  'ee_type',
  'ee_code',
  'ee_info',
  'ee_data',
  'scm_sec',
  'scm_nsec',
  'GREv0',
  'sum',
  'off',
  'key',
  'seq',
  'none',
  'checksum',
  'present',
  'label',
  'tc',
  'flags',
  'Flags',
]);

const PUNCT = '<>:()[]{},=|+~*.-;';

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c === '_';
}

/** Splits a packetdrill script into tokens. Never throws; reports the first bad character. */
export function lex(src: string): LexResult {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const advanceTo = (to: number): void => {
    for (; pos < to; pos++) {
      if (src[pos] === '\n') {
        line++;
        lineStart = pos + 1;
      }
    }
  };
  const fail = (message: string, atLine = line, atCol = pos - lineStart + 1): LexResult => ({
    ok: false,
    error: message,
    line: atLine,
    column: atCol,
  });

  while (pos < src.length) {
    const c = src[pos];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v') {
      advanceTo(pos + 1);
      continue;
    }
    if (src.startsWith('//', pos)) {
      const nl = src.indexOf('\n', pos);
      advanceTo(nl < 0 ? src.length : nl);
      continue;
    }
    if (src.startsWith('/*', pos)) {
      const close = src.indexOf('*/', pos + 2);
      if (close < 0) return fail('unterminated /* comment');
      advanceTo(close + 2);
      continue;
    }

    const startLine = line;
    const startCol = pos - lineStart + 1;
    const start = pos;
    const push = (kind: TokenKind, end: number, value: string, extra: Partial<Token> = {}): void => {
      tokens.push({
        kind,
        text: src.slice(start, end),
        value,
        line: startLine,
        column: startCol,
        start,
        end,
        ...extra,
      });
      advanceTo(end);
    };

    if (c === '"' || c === '`') {
      // As in packetdrill, a backslash keeps the next character (even a quote) inside the
      // literal, both kinds may span lines, and the contents are kept verbatim (no unescaping).
      let i = pos + 1;
      while (i < src.length && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) return fail(c === '"' ? 'unterminated string' : 'unterminated backquoted command');
      push(c === '"' ? 'string' : 'backquote', i + 1, src.slice(pos + 1, i));
      continue;
    }
    if (src.startsWith('%{', pos)) {
      const close = src.indexOf('}%', pos + 2);
      if (close < 0) return fail('unterminated %{ code block');
      // packetdrill strips blanks (not newlines) around the snippet, for Python's sake.
      push('code', close + 2, src.slice(pos + 2, close).replace(/^[ \t]+|[ \t]+$/g, ''));
      continue;
    }
    if (src.startsWith('...', pos)) {
      push('ellipsis', pos + 3, '...');
      continue;
    }
    if (src.startsWith('--', pos) && pos + 2 < src.length && isWordChar(src[pos + 2])) {
      let i = pos + 2;
      while (i < src.length && (isWordChar(src[i]) || src[i] === '-')) i++;
      const name = src.slice(pos + 2, i);
      if (src[i] !== '=') {
        push('option', i, name);
        continue;
      }
      let j = i + 1;
      while (j < src.length && !/\s/.test(src[j])) {
        if (src[j] === '"') {
          const close = src.indexOf('"', j + 1);
          if (close < 0) return fail('unterminated string in option value');
          j = close;
        }
        j++;
      }
      const raw = src.slice(i + 1, j);
      // A value that is one quoted string stands for its contents; --define=X="a b" keeps quotes.
      const optionValue = /^"[^"]*"$/.test(raw) ? raw.slice(1, -1) : raw;
      push('option', j, name, { optionValue });
      continue;
    }

    const numberStart = c === '-' && pos + 1 < src.length && isDigit(src[pos + 1]) ? pos + 1 : pos;
    if (isDigit(src[numberStart]) || (src[numberStart] === '.' && isDigit(src[numberStart + 1] ?? ''))) {
      const rest = src.slice(pos);
      const ipv4 = /^\d+\.\d+\.\d+\.\d+(?![\w.])/.exec(rest);
      if (ipv4 && numberStart === pos) {
        push('ipv4', pos + ipv4[0].length, ipv4[0]);
        continue;
      }
      const hex = /^-?0[xX][0-9a-fA-F]+(?!\w)/.exec(rest);
      if (hex) {
        const negative = hex[0].startsWith('-');
        const digits = hex[0].slice(negative ? 3 : 2);
        const magnitude = parseInt(digits, 16);
        push('int', pos + hex[0].length, hex[0], { num: negative ? -magnitude : magnitude, hex: true });
        continue;
      }
      const float = /^-?\d*\.\d+(?!\w)/.exec(rest);
      if (float) {
        push('float', pos + float[0].length, float[0], { num: Number(float[0]) });
        continue;
      }
      const int = /^-?\d+(?!\w)/.exec(rest);
      if (int) {
        push('int', pos + int[0].length, int[0], { num: Number(int[0]) });
        continue;
      }
      if (numberStart === pos) {
        // A word that starts with a digit (a hex cookie such as 1a2b) is still a word.
        let i = pos;
        while (i < src.length && isWordChar(src[i])) i++;
        push('word', i, src.slice(pos, i));
        continue;
      }
    }
    if (isWordChar(c)) {
      let i = pos;
      while (i < src.length && isWordChar(src[i])) i++;
      const word = src.slice(pos, i);
      push('word', i, word, KEYWORDS.has(word) ? { keyword: true } : {});
      continue;
    }
    if (PUNCT.includes(c)) {
      push('punct', pos + 1, c);
      continue;
    }
    return fail(`unexpected character '${c}'`);
  }
  tokens.push({
    kind: 'eof',
    text: '',
    value: '',
    line,
    column: pos - lineStart + 1,
    start: pos,
    end: pos,
  });
  return { ok: true, tokens };
}
