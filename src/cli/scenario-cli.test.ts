import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SCENARIOS } from '../scenarios/index.js';

const bin = join(process.cwd(), 'bin', 'synack.js');

function synack(...args: string[]) {
  return spawnSync(process.execPath, [bin, 'scenario', ...args], { encoding: 'utf8' });
}

function synackAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, 'scenario', ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The behaviours the seed describes, each of which must have a scenario (issue 9). */
const REQUIRED = [
  'handshake',
  'why-three-way',
  'close',
  'time-wait',
  'keepalive',
  'syn-flood',
  'accept-overflow',
  'sliding-window',
  'zero-window',
  'slow-start',
  'congestion-avoidance',
  'fast-retransmit',
  'fast-recovery',
  'textbook-congestion',
  'fairness',
  'nagle',
  'delayed-ack',
  'pmtu',
];

test('synack scenario --list names every scenario with a one-line summary', () => {
  const r = synack('--list');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, SCENARIOS.length);
  for (const name of REQUIRED) {
    const line = lines.find((l) => l.split(/\s+/)[0] === name);
    assert.ok(line, `--list shows ${name}`);
    assert.ok(line.length > name.length + 20, `${name} has a summary`);
  }
});

test('every scenario --json prints exactly one object: scenario, seed, settings, counters, hosts, result', async () => {
  const names = SCENARIOS.map((s) => s.name);
  const queue = [...names];
  const failures: string[] = [];
  // Two at a time: the machine has two cores.
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const r = await synackAsync(name, '--json', '--seed', '3');
      if (r.status !== 0) {
        failures.push(`${name}: exit ${r.status}: ${r.stderr}`);
        continue;
      }
      const lines = r.stdout.trim().split('\n');
      if (lines.length !== 1) failures.push(`${name}: ${lines.length} lines on stdout`);
      const j = JSON.parse(lines[0] as string) as Record<string, unknown>;
      assert.deepEqual(Object.keys(j), ['scenario', 'seed', 'settings', 'counters', 'hosts', 'result'], name);
      assert.equal(j.scenario, name);
      assert.equal(j.seed, 3);
      const settings = j.settings as Record<string, unknown>;
      assert.equal(typeof settings.tcp_congestion_control, 'string', `${name}: settings by sysctl name`);
      const hosts = j.hosts as Record<string, Record<string, number>>;
      assert.ok(Object.keys(hosts).length >= 1, `${name}: hosts`);
      // counters are the hosts' counters summed.
      const counters = j.counters as Record<string, number>;
      const sum = Object.values(hosts).reduce((a, h) => a + (h.TcpOutSegs ?? 0), 0);
      assert.equal(counters.TcpOutSegs, sum, `${name}: counters sum the hosts`);
      assert.ok(counters.TcpOutSegs > 0, `${name}: a real run sends segments`);
      assert.equal(typeof j.result, 'object');
      assert.ok(Object.keys(j.result as object).length > 0, `${name}: result`);
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});

test('scenario --set takes sysctl names and refuses unknown names and bad values clearly; --help; --seed replays', () => {
  const unknown = synack('handshake', '--set', 'tcp_keepalive_tme=5');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown setting "tcp_keepalive_tme" \(did you mean tcp_keepalive_time\?\)/);
  const bad = synack('handshake', '--set', 'tcp_syncookies=lots');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /tcp_syncookies/);
  const triple = synack('handshake', '--set', 'tcp_rmem=4096 8192');
  assert.equal(triple.status, 2);
  assert.match(triple.stderr, /bad value for tcp_rmem: "4096 8192" \(expected 3 non-negative integers\)/);
  const noEq = synack('handshake', '--set', 'tcp_sack');
  assert.equal(noEq.status, 2);
  assert.match(noEq.stderr, /--set takes NAME=VALUE/);
  const seed = synack('handshake', '--seed', 'x');
  assert.equal(seed.status, 2);
  assert.match(seed.stderr, /--seed must be an integer/);
  // Prefixed names as sysctl prints them work, and the value reaches the hosts.
  const ok = synack('slow-start', '--json', '--set', 'net.ipv4.tcp_init_cwnd=1');
  assert.equal(ok.status, 0, ok.stderr);
  const j = JSON.parse(ok.stdout) as {
    settings: Record<string, unknown>;
    result: { segmentsPerRound: number[] };
  };
  assert.equal(j.settings.tcp_init_cwnd, 1);
  assert.deepEqual(j.result.segmentsPerRound.slice(0, 4), [1, 2, 4, 8]);
  const help = synack('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: synack scenario/);
  assert.match(help.stdout, /--set NAME=VALUE/);
  // The same seed replays the same run; another seed picks other ISNs.
  const a = synack('handshake', '--json', '--seed', '7').stdout;
  assert.equal(synack('handshake', '--json', '--seed', '7').stdout, a);
  assert.notEqual(synack('handshake', '--json', '--seed', '8').stdout, a);
  // Piped output is plain: the story on stdout, nothing on stderr.
  const story = synack('time-wait');
  assert.equal(story.status, 0);
  assert.equal(story.stderr, '');
  assert.match(story.stdout, /2MSL/);
});
