import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeShellCommand, evalIntArithmetic, parseDefaults } from './defaults.js';

const ROOT = resolve(process.cwd(), '../shared/conformance/packetdrill');
const skip = existsSync(ROOT) ? false : `shared scripts not found at ${ROOT}`;

function read(rel: string): string {
  return readFileSync(resolve(ROOT, rel), 'utf8');
}

function asMap(text: string): Map<string, string> {
  return new Map(parseDefaults(text).map((s) => [s.key, s.value]));
}

test('shell arithmetic', () => {
  assert.equal(evalIntArithmetic('15*1024*1024'), 15728640);
  assert.equal(evalIntArithmetic('(1+2)*3 - 4/2 % 5'), 7);
  assert.equal(evalIntArithmetic('-3 + 0x10'), 13);
  assert.equal(evalIntArithmetic('1 +'), undefined);
  assert.equal(evalIntArithmetic('x'), undefined);
  assert.equal(evalIntArithmetic('1/0'), undefined);
});

test('command forms: sysctl, set_sysctls.py, echo into /proc/sys', () => {
  const text = [
    '# comment line',
    'sysctl -q net.ipv4.tcp_a=1 net.core.b="2 3" # inline comment',
    'sysctl -w net.ipv4.tcp_c=$((2*8)) > /dev/null 2>&1',
    '../x/set_sysctls.py /proc/sys/net/ipv4/tcp_d=4 \\',
    '    /proc/sys/net/core/e=5',
    'echo "6 7" > /proc/sys/net/ipv6/f; echo 8 >/proc/sys/vm/g',
    "sysctl -q 'net.ipv4.h=single quoted'",
    'tc qdisc add dev tun0 root pfifo',
    '/tmp/sysctl_restore_${PPID}.sh',
    './helper.sh && echo done',
  ].join('\n');
  const a = analyzeShellCommand(text);
  assert.deepEqual(
    a.sysctls.map((s) => [s.namespace, s.name, s.value, s.line]),
    [
      ['net.ipv4', 'tcp_a', '1', 2],
      ['net.core', 'b', '2 3', 2],
      ['net.ipv4', 'tcp_c', '16', 3],
      ['net.ipv4', 'tcp_d', '4', 4],
      ['net.core', 'e', '5', 4],
      ['net.ipv6', 'f', '6 7', 6],
      ['vm', 'g', '8', 6],
      ['net.ipv4', 'h', 'single quoted', 7],
    ],
  );
  assert.deepEqual(
    a.commands.map((c) => c.kind),
    ['sysctl', 'sysctl', 'sysctl', 'sysctl', 'sysctl', 'sysctl', 'other', 'restore', 'script', 'other'],
  );
  assert.deepEqual(a.commands[6].argv, ['tc', 'qdisc', 'add', 'dev', 'tun0', 'root', 'pfifo']);
});

test('google tcp defaults.sh', { skip }, () => {
  const text = read('google-packetdrill/gtests/net/tcp/common/defaults.sh');
  const m = asMap(text);
  assert.equal(m.get('net.ipv4.tcp_rmem'), '4096 540000 15728640');
  assert.equal(m.get('net.ipv4.tcp_wmem'), '4096 262144 4194304');
  assert.equal(m.get('net.ipv4.tcp_early_retrans'), '4');
  assert.equal(m.get('net.ipv4.tcp_recovery'), '1');
  assert.equal(m.get('net.ipv4.tcp_congestion_control'), 'cubic');
  assert.equal(m.get('net.ipv4.tcp_fastopen'), '0x70403');
  assert.equal(m.get('net.ipv4.tcp_ecn_option'), '2');
  assert.equal(m.get('net.ipv4.tcp_notsent_lowat'), '4294967295');
  assert.equal(m.get('net.ipv4.tcp_fastopen_key'), 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4');
  const all = parseDefaults(text);
  assert.ok(all.every((s) => s.namespace === 'net.ipv4' && !s.name.includes('.')));
  assert.equal(all.length, 23);
  const others = analyzeShellCommand(text).commands.filter((c) => c.kind === 'other');
  assert.deepEqual(
    others.map((c) => c.argv.slice(0, 2)),
    [
      ['ip', 'tcp_metrics'],
      ['tc', 'qdisc'],
    ],
  );
  assert.deepEqual(parseDefaults(read('google-packetdrill/gtests/net/common/defaults.sh')), all);
});

test('kernel selftests defaults.sh', { skip }, () => {
  const m = asMap(read('linux-kselftests/tools/testing/selftests/net/packetdrill/defaults.sh'));
  assert.equal(m.get('net.ipv4.tcp_fastopen'), '0x3');
  assert.equal(m.get('net.ipv4.tcp_ecn_option'), undefined);
  assert.equal(m.get('net.ipv4.tcp_timestamps'), '1');
  assert.equal(m.get('net.ipv4.tcp_slow_start_after_idle'), '0');
});

test('set_sysctls.py itself sets nothing', { skip }, () => {
  assert.deepEqual(parseDefaults(read('google-packetdrill/gtests/net/tcp/common/set_sysctls.py')), []);
});

test('property: any text is analysed without an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      assert.ok(Array.isArray(analyzeShellCommand(text).commands));
    }),
    { seed: 5, numRuns: 500 },
  );
});
