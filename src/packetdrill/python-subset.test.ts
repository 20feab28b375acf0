import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evalPythonAsserts } from './python-subset.js';

const ok = { ok: true } as const;

function fails(code: string, vars: Record<string, number>, firstLine?: number): string {
  const r = evalPythonAsserts(code, vars, firstLine === undefined ? {} : { firstLine });
  assert.equal(r.ok, false, `expected failure for ${code}`);
  return r.ok ? '' : r.error;
}

test('simple asserts pass and fail with the values involved', () => {
  assert.deepEqual(evalPythonAsserts('assert a == 3, a', { a: 3 }), ok);
  assert.equal(fails('assert a == 3, a', { a: 4 }), 'line 1: assertion failed: a == 3 (a=4): 4');
  assert.equal(fails('assert a == b', { a: 1, b: 2 }), 'line 1: assertion failed: a == b (a=1, b=2)');
});

test('several statements over lines, semicolons and continuations', () => {
  const code = '\nassert x == K_A, x\nassert y == 7, y  # trailing note\n';
  assert.deepEqual(evalPythonAsserts(code, { x: 2, K_A: 2, y: 7 }), ok);
  assert.equal(fails(code, { x: 2, K_A: 2, y: 6 }, 40), 'line 42: assertion failed: y == 7 (y=6): 6');
  const semi = ' assert p == 1, p; assert q == 2, q ';
  assert.deepEqual(evalPythonAsserts(semi, { p: 1, q: 2 }), ok);
  assert.match(fails(semi, { p: 1, q: 3 }), /^line 1: assertion failed: q == 2/);
  const cont = ' assert 10 <= m <= 20, m; \\\n\t assert n == 0, n;\\\n assert 1 < 2 }';
  assert.match(
    fails(cont.replace(' }', ''), { m: 15, n: 1 }),
    /^line 2: assertion failed: n == 0 \(n=1\): 1$/,
  );
});

test('chained comparisons', () => {
  assert.deepEqual(evalPythonAsserts('assert 990 <= v <= 1010, v', { v: 1000 }), ok);
  assert.match(fails('assert 990 <= v <= 1010, v', { v: 1011 }), /990 <= v <= 1010 \(v=1011\): 1011/);
  assert.match(fails('assert 1 < v < 2', { v: 2 }), /assertion failed/);
  assert.deepEqual(evalPythonAsserts('assert 0 == z != 1', { z: 0 }), ok);
});

test('arithmetic, boolean operators and not', () => {
  assert.deepEqual(evalPythonAsserts('assert a * 2 + 1 == 7 and not b', { a: 3, b: 0 }), ok);
  assert.deepEqual(
    evalPythonAsserts('assert (a - 1) // 2 == 2 and a % 4 == 1 and a / 2 == 2.5', { a: 5 }),
    ok,
  );
  assert.deepEqual(evalPythonAsserts('assert b or a ** 2 == 25', { a: 5, b: 0 }), ok);
  assert.deepEqual(evalPythonAsserts('assert -a == -5 and abs(-a) == 5 and max(a, 9) == 9', { a: 5 }), ok);
  assert.deepEqual(evalPythonAsserts('assert 0x10 == 16 and 1.5e1 == 15', {}), ok);
  assert.deepEqual(evalPythonAsserts('assert True and not False and None is None', {}), ok);
  assert.deepEqual(evalPythonAsserts('t = a + 1\nassert t == 6', { a: 5 }), ok);
  assert.deepEqual(
    evalPythonAsserts("assert s in (1, 2, 3) and s not in (4,) and 'b' in 'abc'", { s: 2 }),
    ok,
  );
  assert.match(fails('assert s in (1, 2)', { s: 5 }), /assertion failed: s in \(1, 2\) \(s=5\)/);
});

test('messages with % formatting', () => {
  assert.equal(
    fails("assert c == 10, 'cwnd=%d' % c", { c: 12 }),
    'line 1: assertion failed: c == 10 (c=12): cwnd=12',
  );
  assert.equal(
    fails('assert c == 10, "%s vs %5.1f" % (c, 2.75)', { c: 1 }),
    'line 1: assertion failed: c == 10 (c=1): 1 vs   2.8',
  );
  assert.equal(fails("assert 0, 'a' 'b'", {}), 'line 1: assertion failed: 0: ab');
  assert.equal(fails("assert 0, '%d%%' % 5", {}), 'line 1: assertion failed: 0: 5%');
});

test('unknown names and unsupported syntax give clear errors', () => {
  assert.equal(fails('assert tcpi_nope == 1', {}), "line 1: name 'tcpi_nope' is not defined");
  assert.equal(fails('\n\nassert frob(1)', {}, 10), "line 12: unknown function 'frob'");
  assert.equal(fails('if x:\n  pass', { x: 1 }), "line 1: 'if' statements are not supported in %{ }% code");
  assert.equal(fails('assert (1 == 1', {}), "line 1: expected ')', found ';'");
  assert.equal(fails('assert 1 @ 2', {}), "line 1: unsupported character '@'");
  assert.equal(fails("assert 'abc", {}), 'line 1: unterminated string');
  assert.equal(fails('assert 1 / 0', {}), 'line 1: division by zero');
  assert.equal(fails("assert 0, '%d %d' % 1", {}), 'line 1: not enough arguments for format string');
});

test('empty code and comments only are fine', () => {
  assert.deepEqual(evalPythonAsserts('', {}), ok);
  assert.deepEqual(evalPythonAsserts('  # nothing\n\n', {}), ok);
});

test('property: any text gives a result, never an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120 }), (code) => {
      const r = evalPythonAsserts(code, { a: 1 });
      assert.equal(typeof r.ok, 'boolean');
    }),
    { seed: 3, numRuns: 500 },
  );
});
