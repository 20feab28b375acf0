import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(process.cwd(), 'bin', 'synack.js');

function synack(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

test('unknown commands and options fail with a clear message', () => {
  const r = synack('demo', '--nope');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --nope \(known: --out, --seed, --help\)/);
  const u = synack('frobnicate');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown command "frobnicate"/);
  const h = synack('bench', '--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: synack bench/);
});
