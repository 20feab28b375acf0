import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Event, TcpOptionSpec, TcpPacketAction } from './ast.js';
import { parseScript } from './parser.js';
import {
  formatEvent,
  formatExpr,
  formatMismatch,
  formatPacketAction,
  formatSeconds,
  formatSegment,
  formatSyscall,
} from './print.js';
import {
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  formatTcpFlags,
  parseTcpFlags,
} from './tcp-flags.js';

const START = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

function event(line: string): Event {
  const r = parseScript(START + line);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.script.events[1];
}

test('formatSeconds', () => {
  assert.equal(formatSeconds(0), '0');
  assert.equal(formatSeconds(100_000), '0.1');
  assert.equal(formatSeconds(2_000_000), '2');
  assert.equal(formatSeconds(1_000_001), '1.000001');
});

test('packet lines print back in canonical form', () => {
  const cases: [string, string][] = [
    [
      '+0 > S 0:0(0) <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 8>',
      '+0 > S 0:0(0) <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 8>',
    ],
    ['+.1 <  P.  1:1001(1000)  ack 1 win 257', '+0.1 < P. 1:1001(1000) ack 1 win 257'],
    ['+0 > . 1:1(0) ack 1 <nop, nop, sack 5:9 11:12>', '+0 > . 1:1(0) ack 1 <nop,nop,sack 5:9 11:12>'],
    ['+.3~+.31 > F. 1:1(0) ack 1', '+0.3~+0.31 > F. 1:1(0) ack 1'],
    ['* > [ce] R. 1:1(0) ack 2 urg 0 <...>', '* > [ce] R. 1:1(0) ack 2 urg 0 <...>'],
    ['+0 < (tos 0x4) 7 > 9 - 1:1(0) win 3', '+0 < (tos 0x4) 7 > 9 - 1:1(0) win 3'],
    ['+0 < udp (12)', '+0 < udp (12)'],
    [
      '+0 < icmp unreachable frag_needed mtu 1400 [1:11(10)]',
      '+0 < icmp unreachable frag_needed mtu 1400 [1:11(10)]',
    ],
  ];
  for (const [input, expected] of cases) assert.equal(formatEvent(event(input)), expected);
});

test('syscalls print back', () => {
  const cases: [string, string][] = [
    [
      '+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
      'connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)',
    ],
    ['+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0', 'fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0'],
    ['+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)', 'fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)'],
    [
      '+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 4}], msg_flags=0}, 0) = 4',
      'sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 4}], msg_flags=0}, 0) = 4',
    ],
    [
      '+0 poll([{fd=3, events=POLLIN, revents=0}], 1, 0) = 0',
      'poll([{fd=3, events=POLLIN, revents=0}], 1, 0) = 0',
    ],
    ['+0 write(3, "a\\"b", 3) = 3', 'write(3, "a\\"b", 3) = 3'],
    [
      '+0 getsockopt(3, SOL_TCP, TCP_MAXSEG, [536], [4]) = 0',
      'getsockopt(3, SOL_TCP, TCP_MAXSEG, [536], [4]) = 0',
    ],
  ];
  for (const [input, expected] of cases) {
    const e = event(input);
    assert.ok(e.action.kind === 'syscall');
    assert.equal(formatSyscall(e.action), expected);
  }
  const e = event('+0 bind(3, {sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")}, NULL) = 0');
  assert.ok(e.action.kind === 'syscall');
  assert.equal(formatExpr(e.action.args[1]), '{sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")}');
  assert.equal(formatEvent(event('+.05...0.3 read(3, ..., 8) = 8')), '+0.05...0.3 read(3, ..., 8) = 8');
});

test('formatSegment prints what the stack sent in script notation', () => {
  assert.equal(
    formatSegment({ flags: TCP_PSH | TCP_ACK, seq: 1, len: 1000, ack: 1, win: 502 }),
    '> P. 1:1001(1000) ack 1 win 502',
  );
  assert.equal(
    formatSegment({
      flags: TCP_SYN | TCP_ACK,
      seq: 0,
      len: 0,
      ack: 1,
      win: 65535,
      options: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 7 }],
    }),
    '> S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>',
  );
  assert.equal(formatSegment({ flags: TCP_RST, seq: 5, len: 0, ack: 0, win: 0 }), '> R 5:5(0) win 0');
  assert.equal(
    formatSegment({
      direction: 'inbound',
      flags: TCP_URG | TCP_ACK,
      seq: 1,
      len: 1,
      ack: 1,
      urg: 1,
      ecn: 'ect0',
    }),
    '< [ect0] U. 1:2(1) ack 1 urg 1',
  );
  assert.equal(
    formatSegment({ flags: TCP_FIN | TCP_ACK, seq: 0xffffffff, len: 2, ack: 1 }),
    '> F. 4294967295:1(2) ack 1',
  );
  assert.equal(
    formatSegment({
      flags: TCP_ACK,
      seq: 1,
      len: 0,
      ack: 1,
      options: [{ kind: 'unknown', code: 99, data: [1, 2] }],
    }),
    '> . 1:1(0) ack 1 <kind 99 len 4>',
  );
});

test('formatMismatch names the script line', () => {
  const r = parseScript(START + '+0 write(3, ..., 1000) = 1000\n+0 > . 1:1(0) ack 1001');
  assert.ok(r.ok);
  const actual = formatSegment({ flags: TCP_PSH | TCP_ACK, seq: 1, len: 1000, ack: 1 });
  assert.equal(
    formatMismatch(r.script.events[2], actual, 'bad ack'),
    'expected `+0 > . 1:1(0) ack 1001` at line 3, got `> P. 1:1001(1000) ack 1`: bad ack',
  );
});

test('flags round-trip through bits', () => {
  for (let bits = 0; bits < 0x200; bits++) {
    const text = formatTcpFlags(bits);
    const parsed = parseTcpFlags(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.bits, bits);
  }
});

const optionArb: fc.Arbitrary<TcpOptionSpec> = fc.oneof(
  fc.constant<TcpOptionSpec>({ kind: 'nop' }),
  fc.constant<TcpOptionSpec>({ kind: 'sackOK' }),
  fc.integer({ min: 0, max: 0xffff }).map((value): TcpOptionSpec => ({ kind: 'mss', value })),
  fc.integer({ min: 0, max: 14 }).map((value): TcpOptionSpec => ({ kind: 'wscale', value })),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([val, ecr]): TcpOptionSpec => ({ kind: 'TS', val, ecr })),
  fc
    .array(
      fc.record({
        left: fc.integer({ min: 0, max: 0xffffffff }),
        right: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((blocks): TcpOptionSpec => ({ kind: 'sack', blocks })),
);

function withoutLoc(p: unknown): unknown {
  return JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

test('property: a printed packet line parses back to the same packet', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.integer({ min: 1, max: 0xff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(optionArb, { maxLength: 4 }),
      (inbound, bits, start, len, ack, win, options) => {
        const padded = [...options];
        let bytes = padded.reduce((n, o) => n + (o.kind === 'nop' ? 1 : o.kind === 'sackOK' ? 2 : 0), 0);
        for (const o of padded) {
          if (o.kind === 'mss') bytes += 4;
          if (o.kind === 'wscale') bytes += 3;
          if (o.kind === 'TS') bytes += 10;
          if (o.kind === 'sack') bytes += 2 + 8 * o.blocks.length;
        }
        if (bytes > 40) return;
        while (bytes % 4 !== 0) {
          padded.push({ kind: 'nop' });
          bytes++;
        }
        const flags = formatTcpFlags(bits);
        const p: TcpPacketAction = {
          kind: 'packet',
          protocol: 'tcp',
          direction: inbound ? 'inbound' : 'outbound',
          encapsulation: [],
          flags,
          flagBits: bits,
          seq: { start, end: (start + len) >>> 0, len },
          win,
          loc: { line: 0, column: 0, text: '' },
        };
        if (ack !== undefined) p.ack = ack;
        if (padded.length > 0) p.options = padded;
        const r = parseScript(`${START}+0 ${formatPacketAction(p)}`);
        assert.ok(r.ok, r.ok ? '' : r.error);
        assert.deepEqual(withoutLoc(r.script.events[1].action), withoutLoc(p));
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});
