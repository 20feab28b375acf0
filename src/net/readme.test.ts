import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test("the README's http example runs as written and prints what the README says", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /runs as written[\s\S]*?```js\n([\s\S]*?)```\s*prints\s*```\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'the README has the example and its output');
  const dir = mkdtempSync(join(tmpdir(), 'synack-readme-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'synack'));
    writeFileSync(join(dir, 'example.mjs'), m[1] as string);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, m[2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
