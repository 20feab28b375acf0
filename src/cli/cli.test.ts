import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(process.cwd(), 'bin', 'synack.js');

function synack(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

test('synack demo tells its story and writes a capture tshark reads cleanly', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-demo-'));
  try {
    const r = synack('demo', '--out', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ICMP echo request/);
    assert.match(r.stdout, /netstat -s/);
    const pcap = join(dir, 'demo.pcap');
    assert.ok(existsSync(pcap));
    if (spawnSync('tshark', ['-v']).status !== 0) {
      t.diagnostic('tshark not installed: capture check skipped');
      return;
    }
    const ts = spawnSync(
      'tshark',
      [
        '-r',
        pcap,
        '-o',
        'ip.check_checksum:TRUE',
        '-T',
        'fields',
        '-e',
        'ip.checksum.status',
        '-e',
        '_ws.malformed',
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(ts.status, 0, ts.stderr);
    const lines = ts.stdout.trim().split('\n');
    assert.ok(lines.length > 10);
    for (const l of lines) assert.equal(l.trim(), '1', `a clean packet: ${l}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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
