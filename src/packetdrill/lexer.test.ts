import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, type Token } from './lexer.js';

function tokens(src: string): Token[] {
  const r = lex(src);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.tokens;
}

function kinds(src: string): string[] {
  return tokens(src).map((t) => `${t.kind}:${t.text}`);
}

test('numbers: integers, floats, hex, negatives', () => {
  assert.deepEqual(kinds('12 .5 3.25 0x1F -7 -0x10'), [
    'int:12',
    'float:.5',
    'float:3.25',
    'int:0x1F',
    'int:-7',
    'int:-0x10',
    'eof:',
  ]);
  const t = tokens('0x1F -0x10');
  assert.equal(t[0].num, 31);
  assert.equal(t[0].hex, true);
  assert.equal(t[1].num, -16);
});

test('blocking time: +.25...0.5 splits into plus, float, ellipsis, float', () => {
  assert.deepEqual(kinds('+.25...0.5'), ['punct:+', 'float:.25', 'ellipsis:...', 'float:0.5', 'eof:']);
  assert.deepEqual(kinds('+0...0'), ['punct:+', 'int:0', 'ellipsis:...', 'int:0', 'eof:']);
});

test('sequence spec and flags', () => {
  assert.deepEqual(kinds('P. 10:20(10)'), [
    'word:P',
    'punct:.',
    'int:10',
    'punct::',
    'int:20',
    'punct:(',
    'int:10',
    'punct:)',
    'eof:',
  ]);
});

test('words, keywords and digit-led words', () => {
  const t = tokens('win SOCK_STREAM 1a2b3c');
  assert.equal(t[0].keyword, true);
  assert.equal(t[1].keyword, undefined);
  assert.equal(t[2].kind, 'word');
  assert.equal(t[2].value, '1a2b3c');
});

test('strings keep escapes verbatim; strings, backquotes and code blocks span lines', () => {
  const t = tokens('"a\\tb\\"c" `one\ntwo` %{ x = 1\ny = 2 }%');
  assert.equal(t[0].value, 'a\\tb\\"c');
  assert.equal(t[1].kind, 'backquote');
  assert.equal(t[1].value, 'one\ntwo');
  assert.equal(t[2].kind, 'code');
  assert.equal(t[2].value, 'x = 1\ny = 2');
  assert.equal(tokens('"two\nlines"')[0].value, 'two\nlines');
  assert.equal(tokens('`a \\` b`')[0].value, 'a \\` b');
  assert.equal(t[2].line, 2);
});

test('comments are skipped and positions are line:column', () => {
  const t = tokens('// first\n  foo /* a\nb */ bar\n\tbaz // tail');
  assert.deepEqual(
    t.map((x) => [x.value, x.line, x.column]),
    [
      ['foo', 2, 3],
      ['bar', 3, 6],
      ['baz', 4, 2],
      ['', 4, 13],
    ],
  );
});

test('options and IPv4 addresses', () => {
  const t = tokens('--flag --num=10 --addr=10.0.0.1 --define=X="a b"\n 192.0.2.7');
  assert.equal(t[0].kind, 'option');
  assert.equal(t[0].value, 'flag');
  assert.equal(t[0].optionValue, undefined);
  assert.equal(t[1].optionValue, '10');
  assert.equal(t[2].optionValue, '10.0.0.1');
  assert.equal(t[3].optionValue, 'X="a b"');
  assert.equal(t[4].kind, 'ipv4');
  assert.equal(t[4].value, '192.0.2.7');
  assert.equal(tokens('--name="x y"')[0].optionValue, 'x y');
});

test('lexer errors carry a position and never throw', () => {
  for (const [src, line, col, msg] of [
    ['ok\n  "open', 2, 3, 'unterminated string'],
    ['x /* never closed', 1, 3, 'unterminated /* comment'],
    ['a\n`cmd', 2, 1, 'unterminated backquoted command'],
    ['%{ assert 1', 1, 1, 'unterminated %{ code block'],
    ['a @ b', 1, 3, "unexpected character '@'"],
  ] as const) {
    const r = lex(src);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error, msg);
      assert.equal(r.line, line);
      assert.equal(r.column, col);
    }
  }
});
