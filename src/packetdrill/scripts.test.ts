// Parses every shared packetdrill script (GPL test data read in place from ../shared, never
// copied here) and checks a little structure per family.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Event, Script, SyscallAction, TcpPacketAction } from './ast.js';
import { CODE_CONSTANTS } from './code-constants.js';
import { analyzeShellCommand } from './defaults.js';
import { scriptConfig } from './options.js';
import { parseScript } from './parser.js';
import { formatEvent } from './print.js';
import { evalPythonAsserts } from './python-subset.js';

const ROOT = resolve(process.cwd(), '../shared/conformance/packetdrill');
const skip = existsSync(ROOT) ? false : `shared scripts not found at ${ROOT}`;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.pkt')) out.push(p);
  }
  return out;
}

const scripts = new Map<string, Script>();
function load(): Map<string, Script> {
  if (scripts.size > 0) return scripts;
  for (const file of walk(ROOT).sort()) {
    const name = relative(ROOT, file);
    const r = parseScript(readFileSync(file, 'utf8'), { fileName: name });
    assert.ok(r.ok, r.ok ? '' : r.error);
    scripts.set(name.slice(name.lastIndexOf('/') + 1), r.script);
  }
  return scripts;
}

function get(name: string): Script {
  const s = load().get(name);
  assert.ok(s, `${name} not found`);
  return s;
}

function packets(s: Script): TcpPacketAction[] {
  return s.events.flatMap((e) =>
    e.action.kind === 'packet' && e.action.protocol === 'tcp' ? [e.action] : [],
  );
}

function calls(s: Script, name: string): SyscallAction[] {
  return s.events.flatMap((e) => (e.action.kind === 'syscall' && e.action.name === name ? [e.action] : []));
}

function withoutLoc(e: Event): unknown {
  return JSON.parse(
    JSON.stringify(e, (k, v: unknown) => (k === 'loc' || k === 'line' || k === 'codeLine' ? undefined : v)),
  );
}

test('all 43 shared scripts parse', { skip }, () => {
  assert.equal(load().size, 43);
  for (const s of load().values()) assert.ok(s.events.length > 0);
});

test('every event prints back to a line that parses to the same event', { skip }, () => {
  for (const [name, s] of load()) {
    for (const e of s.events) {
      const text = formatEvent(e);
      const prefix = e.time.kind === 'absolute' && e.time.start === 0 ? '' : '0 socket(..., 1, 2) = 3\n';
      const r = parseScript(prefix + text);
      assert.ok(r.ok, `${name}:${e.line}: ${text}: ${r.ok ? '' : r.error}`);
      const again = r.script.events[r.script.events.length - 1];
      assert.deepEqual(withoutLoc(again), withoutLoc(e), `${name}:${e.line}`);
    }
  }
});

test('event counts and kinds per family', { skip }, () => {
  const count = (name: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const e of get(name).events) {
      const k = e.action.kind === 'packet' ? `${e.action.direction}` : e.action.kind;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };
  assert.deepEqual(count('tcp_basic_client.pkt'), { syscall: 4, outbound: 5, inbound: 3 });
  assert.deepEqual(count('blocking-accept.pkt'), { syscall: 6, inbound: 2, outbound: 2 });
  assert.deepEqual(count('no-coalesce-subsequent.pkt'), { syscall: 17, inbound: 15, outbound: 13 });
  assert.deepEqual(count('slow-start-app-limited.pkt'), { syscall: 7, inbound: 7, outbound: 2, code: 6 });
});

test('every script uses only options the front end knows', { skip }, () => {
  for (const [name, s] of load()) {
    const r = scriptConfig(s.options);
    assert.ok(r.ok && r.unknown.length === 0, name);
  }
});

test('blocking calls carry their end time', { skip }, () => {
  const accept = get('blocking-accept.pkt').events.find(
    (e) => e.action.kind === 'syscall' && e.action.name === 'accept',
  );
  assert.deepEqual(accept?.time, { kind: 'relative', start: 0, blockingEnd: 200_000 });
  const connect = get('blocking-connect.pkt').events[1];
  assert.deepEqual(connect.time, { kind: 'relative', start: 100_000, blockingEnd: 200_000 });
  const client = get('tcp_basic_client.pkt').events[1];
  assert.deepEqual(client.time, { kind: 'relative', start: 0, blockingEnd: 0 });
});

test('options, init and cleanup commands', { skip }, () => {
  const w = get('blocking-write.pkt');
  assert.deepEqual(
    w.options.map((o) => [o.name, o.value]),
    [['tolerance_usecs', '10000']],
  );
  const init = analyzeShellCommand(w.initCommand?.command ?? '');
  assert.deepEqual(
    init.commands.map((c) => c.kind),
    ['script', 'sysctl'],
  );
  assert.deepEqual(
    init.sysctls.map((x) => [x.namespace, x.name, x.value]),
    [['net.ipv4', 'tcp_min_tso_segs', '10']],
  );
  assert.equal(analyzeShellCommand(w.cleanupCommand?.command ?? '').commands[0].kind, 'restore');
  const ts = get('fin_tsval.pkt');
  assert.deepEqual(
    ts.options.map((o) => [o.name, o.value]),
    [
      ['tcp_ts_tick_usecs', '1000'],
      ['tolerance_usecs', '7000'],
    ],
  );
  const sysctl = analyzeShellCommand(get('slow-start-ack-per-1pkt.pkt').initCommand?.command ?? '');
  assert.deepEqual(
    sysctl.sysctls.map((x) => [x.name, x.value]),
    [['tcp_tso_win_divisor', '100']],
  );
  const idle = analyzeShellCommand(get('slow-start-after-idle.pkt').initCommand?.command ?? '');
  assert.deepEqual(
    idle.sysctls.map((x) => x.name),
    ['tcp_slow_start_after_idle', 'tcp_min_tso_segs'],
  );
  assert.equal(get('tcp_dsack_mult.pkt').options[0].value, '1000');
  // Every init command in the set is only helper scripts and sysctls.
  for (const [name, s] of load()) {
    const kinds = analyzeShellCommand(s.initCommand?.command ?? '').commands.map((c) => c.kind);
    assert.ok(
      kinds.every((k) => k === 'script' || k === 'sysctl'),
      `${name}: ${kinds.join(',')}`,
    );
  }
});

test('handshake packets and their options', { skip }, () => {
  const p = packets(get('close-remote-fin-then-close.pkt'));
  assert.equal(p[0].direction, 'inbound');
  assert.equal(p[0].flags, 'S');
  assert.equal(p[0].win, 32792);
  assert.deepEqual(p[0].options?.[0], { kind: 'mss', value: 1000 });
  assert.equal(p[1].direction, 'outbound');
  assert.equal(p[1].flags, 'S.');
  assert.equal(p[1].ack, 1);
  const last = p[p.length - 1];
  assert.equal(last.flags, 'R');
  assert.equal(last.ack, undefined);
  assert.deepEqual(last.seq, { start: 2, end: 2, len: 0 });
  const connect = packets(get('blocking-connect.pkt'))[0];
  assert.deepEqual(connect.options, [
    { kind: 'mss', value: 1460 },
    { kind: 'sackOK' },
    { kind: 'TS', val: 100, ecr: 0 },
    { kind: 'nop' },
    { kind: 'wscale', value: 8 },
  ]);
  assert.equal(packets(get('close-local-close-then-remote-fin.pkt'))[0].options, 'ellipsis');
});

test('sack blocks, ranges and any-time events', { skip }, () => {
  const dsack = packets(get('tcp_dsack_mult.pkt'));
  const out = dsack.filter((p) => p.direction === 'outbound' && Array.isArray(p.options));
  const sacks = out.map((p) =>
    Array.isArray(p.options) ? p.options.find((o) => o.kind === 'sack') : undefined,
  );
  assert.ok(sacks.some((s) => s?.kind === 'sack' && s.blocks.length === 3));
  const retrans = get('no-coalesce-retrans.pkt').events.filter((e) => e.time.end !== undefined);
  assert.equal(retrans.length, 1);
  assert.deepEqual(retrans[0].time, { kind: 'relative', start: 4000, end: 8000, endRelative: true });
  const any = get('tcp_disorder_fin_in_FIN_WAIT.pkt').events.filter((e) => e.time.kind === 'any');
  assert.equal(any.length, 3);
  const zero = get('tcp_rcv_zero_wnd_fin.pkt');
  assert.equal(zero.events[0].time.kind, 'relative');
  const big = packets(zero).find((p) => p.seq.len === 60000);
  assert.equal(big?.flags, 'P.');
  assert.ok(packets(zero).some((p) => p.direction === 'outbound' && p.win === 0));
});

test('syscall argument forms in the set', { skip }, () => {
  const info = get('tcp-info-last_data_recv.pkt');
  const [getfl, setfl] = calls(info, 'fcntl');
  assert.equal(getfl.note, 'flags O_RDWR');
  assert.ok(getfl.result.kind === 'int' && getfl.result.hex && getfl.result.value === 2);
  assert.equal(setfl.args[2].kind, 'or');
  const connect = calls(info, 'connect')[0];
  assert.equal(connect.errno, 'EINPROGRESS');
  const gso = calls(get('blocking-write.pkt'), 'getsockopt')[0];
  assert.ok(
    gso.args[3].kind === 'intptr' && gso.args[3].value.kind === 'int' && gso.args[3].value.value === 42000,
  );
  const tos = calls(get('sack-route-refresh-ip-tos.pkt'), 'setsockopt')[0];
  assert.ok(tos.args[3].kind === 'intptr' && tos.args[3].value.kind === 'symbol');
  const send = calls(get('no-coalesce-small.pkt'), 'send')[0];
  assert.ok(send.args[3].kind === 'symbol' && send.args[3].name === 'MSG_EOR');
  const ioctl = calls(get('ioctl-siocinq-fin.pkt'), 'ioctl');
  assert.equal(ioctl.length, 4);
  const epipe = calls(get('shutdown-wr-close.pkt'), 'write')[0];
  assert.equal(epipe.errno, 'EPIPE');
  assert.equal(epipe.note, 'Broken pipe');
});

test('every %{ }% block evaluates with the subset evaluator', { skip }, () => {
  let blocks = 0;
  for (const [name, s] of load()) {
    for (const e of s.events) {
      if (e.action.kind !== 'code') continue;
      blocks++;
      const vars: Record<string, number> = { ...CODE_CONSTANTS };
      for (const m of e.action.code.matchAll(/\b(tcpi_\w+)\b/g)) vars[m[1]] = 0;
      const r = evalPythonAsserts(e.action.code, vars, { firstLine: e.action.codeLine });
      assert.ok(r.ok || /assertion failed/.test(r.error), `${name}:${e.line}: ${r.ok ? '' : r.error}`);
    }
  }
  assert.ok(blocks >= 30, `only ${blocks} code blocks`);
  const prr = get('prr-ss-10pkt-lost-1.pkt').events.filter((e) => e.action.kind === 'code');
  assert.equal(prr.length, 2);
  const first = prr[0].action;
  assert.ok(first.kind === 'code');
  const vars = { tcpi_ca_state: 3, TCP_CA_Recovery: 3, tcpi_snd_cwnd: 7, tcpi_snd_ssthresh: 7 };
  assert.deepEqual(evalPythonAsserts(first.code, vars), { ok: true });
  const bad = evalPythonAsserts(first.code, { ...vars, tcpi_snd_cwnd: 8 }, { firstLine: first.codeLine });
  assert.ok(!bad.ok);
  assert.match(bad.error, /assertion failed: tcpi_snd_cwnd == 7 \(tcpi_snd_cwnd=8\): 8/);
});
