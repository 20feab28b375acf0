import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript } from './parser.js';
import { DEFAULT_RUN_CONFIG, scriptConfig } from './options.js';

function optionsOf(header: string): ReturnType<typeof scriptConfig> {
  const r = parseScript(`${header}\n0 close(3) = 0`);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return scriptConfig(r.script.options);
}

test('defaults apply when a script has no options', () => {
  const r = optionsOf('');
  assert.ok(r.ok);
  assert.deepEqual(r.config, { ...DEFAULT_RUN_CONFIG, nonFatal: [], other: {} });
  assert.deepEqual(r.unknown, []);
});

test('known options are typed; unknown ones are listed', () => {
  const r = optionsOf(
    '--tolerance_usecs=7000 --tolerance_percent=2.5 --tcp_ts_tick_usecs=1000 --mss=1000\n' +
      '--strict_segments --ip_version=ipv6 --non_fatal=packet,syscall --define=A=1 --wire_client',
  );
  assert.ok(r.ok);
  assert.equal(r.config.toleranceUsecs, 7000);
  assert.equal(r.config.tolerancePercent, 2.5);
  assert.equal(r.config.tcpTsTickUsecs, 1000);
  assert.equal(r.config.mss, 1000);
  assert.equal(r.config.strictSegments, true);
  assert.equal(r.config.ipVersion, 'ipv6');
  assert.deepEqual(r.config.nonFatal, ['packet', 'syscall']);
  assert.deepEqual(r.config.other, { define: 'A=1' });
  assert.deepEqual(
    r.unknown.map((o) => o.name),
    ['wire_client'],
  );
});

test('bad option values are errors naming the option', () => {
  const r = optionsOf('--mss=big');
  assert.ok(!r.ok);
  assert.equal(r.error, '--mss needs an integer in 1..65535, got big');
  assert.equal(r.option.loc.line, 1);
  const v = optionsOf('--ip_version=ipv5');
  assert.ok(!v.ok);
  assert.match(v.error, /ip_version/);
});
