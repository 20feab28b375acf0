import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCHMARKS } from './index.js';
import { costResult, median, rateResult } from './types.js';

const bin = join(process.cwd(), 'bin', 'synack.js');

test('synack bench --help names every benchmark; an unknown one is a usage error', () => {
  const h = spawnSync(process.execPath, [bin, 'bench', '--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0, h.stderr);
  for (const b of BENCHMARKS) assert.match(h.stdout, new RegExp(`\\b${b.name}\\b`));
  const u = spawnSync(process.execPath, [bin, 'bench', 'nope'], { encoding: 'utf8' });
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown benchmark "nope"/);
});

test('synack bench --json prints one object per line with name, unit, synack, node and ratio', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', '--json', '--runs', '1', 'checksum'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 1);
  for (const l of lines) {
    const o = JSON.parse(l) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o), ['name', 'unit', 'synack', 'node', 'ratio']);
    assert.equal(typeof o['synack'], 'number');
  }
});

test('medians, and ratios where more than 1 means synack is better', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(rateResult('x', 'u', [2, 4, 6], [1, 2, 3]).ratio, 2);
  // A cost: synack using half of Node's memory is a ratio of 2.
  assert.equal(costResult('x', 'u', [1, 1, 1], [2, 2, 2]).ratio, 2);
});
