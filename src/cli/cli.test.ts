import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('synack scenario NAME --out DIR writes NAME.pcap and report.html; --json stays one object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-scenario-'));
  try {
    const r = synack('scenario', 'textbook-congestion', '--out', dir, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).scenario, 'textbook-congestion');
    assert.match(r.stderr, /report: {2}.*report\.html/);
    assert.ok(existsSync(join(dir, 'textbook-congestion.pcap')));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /Congestion window per round/);
    assert.match(html, /ssthresh = 16/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
