import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Event, Expr, PacketAction, Script, SyscallAction, TcpPacketAction } from './ast.js';
import { parseScript, secondsTextToMicros, type ParseOptions } from './parser.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, TCP_ECE, TCP_CWR } from './tcp-flags.js';

const START = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

function parse(text: string, opts?: ParseOptions): Script {
  const r = parseScript(text, opts);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.script;
}

function parseError(text: string, opts?: ParseOptions): string {
  const r = parseScript(text, opts);
  assert.equal(r.ok, false, 'expected a parse error');
  return r.ok ? '' : r.error;
}

/** The single event after the socket() line. */
function second(line: string, opts?: ParseOptions): Event {
  const s = parse(START + line, opts);
  assert.equal(s.events.length, 2);
  return s.events[1];
}

function tcp(line: string): TcpPacketAction {
  const a = second(line).action;
  assert.equal(a.kind, 'packet');
  const p = a as PacketAction;
  assert.equal(p.protocol, 'tcp');
  return p as TcpPacketAction;
}

function call(line: string): SyscallAction {
  const a = second(line).action;
  assert.equal(a.kind, 'syscall');
  return a as SyscallAction;
}

/** Expression trees without their locations, for compact comparisons. */
function strip(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

test('secondsTextToMicros is exact', () => {
  assert.equal(secondsTextToMicros('0'), 0);
  assert.equal(secondsTextToMicros('.1'), 100_000);
  assert.equal(secondsTextToMicros('0.29'), 290_000);
  assert.equal(secondsTextToMicros('2'), 2_000_000);
  assert.equal(secondsTextToMicros('1.0000005'), 1_000_001);
});

test('event times: absolute, relative, ranges, any, blocking', () => {
  const s = parse(
    START +
      '+.25 > . 1:1(0) ack 1\n' +
      '0.5~0.75 > . 1:1(0) ack 1\n' +
      '+.1~+.3 > . 1:1(0) ack 1\n' +
      '* > . 1:1(0) ack 1\n' +
      '+.05...0.4 read(3, ..., 10) = 10\n' +
      '1 close(3) = 0\n',
  );
  const t = s.events.map((e) => e.time);
  assert.deepEqual(t[0], { kind: 'absolute', start: 0 });
  assert.deepEqual(t[1], { kind: 'relative', start: 250_000 });
  assert.deepEqual(t[2], { kind: 'absolute', start: 500_000, end: 750_000, endRelative: false });
  assert.deepEqual(t[3], { kind: 'relative', start: 100_000, end: 300_000, endRelative: true });
  assert.deepEqual(t[4], { kind: 'any', start: 0 });
  assert.deepEqual(t[5], { kind: 'relative', start: 50_000, blockingEnd: 400_000 });
  assert.deepEqual(t[6], { kind: 'absolute', start: 1_000_000 });
  assert.deepEqual(
    s.events.map((e) => e.line),
    [1, 2, 3, 4, 5, 6, 7],
  );
});

test('tcp packet fields', () => {
  const p = tcp('+0 < FP. 5:25(20) ack 7 win 300 urg 2 <nop,nop,TS val 11 ecr 12>');
  assert.equal(p.direction, 'inbound');
  assert.equal(p.flags, 'FP.');
  assert.equal(p.flagBits, TCP_FIN | TCP_PSH | TCP_ACK);
  assert.deepEqual(p.seq, { start: 5, end: 25, len: 20 });
  assert.equal(p.ack, 7);
  assert.equal(p.win, 300);
  assert.equal(p.urg, 2);
  assert.deepEqual(p.options, [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 11, ecr: 12 }]);
  assert.equal(p.loc.text, '< FP. 5:25(20) ack 7 win 300 urg 2 <nop,nop,TS val 11 ecr 12>');
  assert.equal(p.loc.line, 2);
});

test('tcp options of every kind', () => {
  const p = tcp('+0 > S 0:0(0) <mss 536,sackOK,wscale 3,eol,sack 3:4 8:9>');
  assert.deepEqual(p.options, [
    { kind: 'mss', value: 536 },
    { kind: 'sackOK' },
    { kind: 'wscale', value: 3 },
    { kind: 'eol' },
    {
      kind: 'sack',
      blocks: [
        { left: 3, right: 4 },
        { left: 8, right: 9 },
      ],
    },
  ]);
  const q = tcp('+0 > S 0:0(0) <md5 00112233445566778899AABBCCDDEEFF,FO 0a0b,FO>');
  assert.deepEqual(q.options, [
    { kind: 'md5', hex: '00112233445566778899aabbccddeeff' },
    { kind: 'FO', cookie: '0a0b' },
    { kind: 'FO' },
  ]);
  assert.equal(p.ack, undefined);
  assert.equal(p.win, undefined);
  const e = tcp('+0 > . 1:1(0) ack 1 <ECN e1b 1 ceb 2 e0b 3,nop>');
  assert.deepEqual(e.options, [
    {
      kind: 'ECN',
      fields: [
        { name: 'e1b', value: 1 },
        { name: 'ceb', value: 2 },
        { name: 'e0b', value: 3 },
      ],
    },
    { kind: 'nop' },
  ]);
  assert.equal(tcp('+0 > S 0:0(0) <...>').options, 'ellipsis');
  assert.equal(tcp('+0 > R 9:9(0)').options, undefined);
});

test('ip info, ports and flag letters', () => {
  const p = tcp('+0 > [ect0] 1234 > 80 SEW 0:0(0)');
  assert.deepEqual(p.ipInfo, { bracket: '[', ecn: 'ect0' });
  assert.deepEqual(p.ports, { src: 1234, dst: 80 });
  assert.equal(p.flagBits, TCP_SYN | TCP_ECE | TCP_CWR);
  const q = tcp('+0 < (tos 0x10, flowlabel 0x5) - 1:1(0) win 9');
  assert.deepEqual(q.ipInfo, { bracket: '(', tos: 16, flowLabel: 5 });
  assert.equal(q.flagBits, 0);
  assert.deepEqual(tcp('+0 < (ttl 3) . 1:1(0) win 9').ipInfo, { bracket: '(', ttl: 3 });
  const ace = tcp('+0 < 5. 1:1(0) win 9');
  assert.equal(ace.ace, 5);
  const outer = tcp('+0 < ipv4 10.0.0.1 > 10.0.0.2: . 1:1(0) win 9');
  assert.deepEqual(outer.encapsulation, [{ kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' }]);
});

test('udp and icmp packet lines', () => {
  const u = second('+0 < udp 5 > 6 (42)').action;
  assert.ok(u.kind === 'packet' && u.protocol === 'udp');
  assert.equal(u.len, 42);
  assert.deepEqual(u.ports, { src: 5, dst: 6 });
  const i = second('+0 < icmp unreachable frag_needed mtu 1200 [5:105(100)]').action;
  assert.ok(i.kind === 'packet' && i.protocol === 'icmp');
  assert.equal(i.type, 'unreachable');
  assert.equal(i.code, 'frag_needed');
  assert.equal(i.mtu, 1200);
  assert.deepEqual(i.echoed, { kind: 'tcp', seq: { start: 5, end: 105, len: 100 } });
  const j = second('+0 > icmp echo_reply id 4 [udp (9)]').action;
  assert.ok(j.kind === 'packet' && j.protocol === 'icmp');
  assert.equal(j.code, undefined);
  assert.equal(j.echoId, 4);
  assert.deepEqual(j.echoed, { kind: 'udp', len: 9 });
});

test('syscalls: results, errno and notes', () => {
  const c = call('+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)');
  assert.equal(c.name, 'connect');
  assert.deepEqual(c.args.map(strip), [
    { kind: 'int', value: 3, hex: false },
    { kind: 'ellipsis' },
    { kind: 'ellipsis' },
  ]);
  assert.deepEqual(strip(c.result), { kind: 'int', value: -1, hex: false });
  assert.equal(c.errno, 'EINPROGRESS');
  assert.equal(c.note, 'Operation now in progress');
  const f = call('+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)');
  assert.deepEqual(strip(f.result), { kind: 'int', value: 0x802, hex: true });
  assert.equal(f.errno, undefined);
  assert.equal(f.note, 'flags O_RDWR|O_NONBLOCK');
  const g = call('+0 getpid() = 7');
  assert.deepEqual(g.args, []);
});

test('syscall argument forms', () => {
  const flags = call('+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0');
  assert.deepEqual(strip(flags.args[2]), {
    kind: 'or',
    operands: [
      { kind: 'symbol', name: 'O_RDWR' },
      { kind: 'symbol', name: 'O_NONBLOCK' },
    ],
  });
  const so = call('+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0');
  assert.deepEqual(strip(so.args[3]), {
    kind: 'struct',
    fields: [
      { name: 'onoff', value: { kind: 'int', value: 1, hex: false } },
      { name: 'linger', value: { kind: 'int', value: 0, hex: false } },
    ],
  });
  const gso = call('+0 getsockopt(3, SOL_TCP, TCP_MAXSEG, [536], [4]) = 0');
  assert.deepEqual(strip(gso.args[3]), { kind: 'intptr', value: { kind: 'int', value: 536, hex: false } });
  assert.deepEqual(strip(gso.args[4]), { kind: 'intptr', value: { kind: 'int', value: 4, hex: false } });
  const sym = call('+0 setsockopt(3, SOL_IP, IP_MTU_DISCOVER, [IP_PMTUDISC_DO], 4) = 0');
  assert.deepEqual(strip(sym.args[3]), { kind: 'intptr', value: { kind: 'symbol', name: 'IP_PMTUDISC_DO' } });
  const arr = call('+0 getsockopt(3, SOL_X, X, [1, 2], [8]) = 0');
  assert.equal(arr.args[3].kind, 'array');
  const io = call('+0 ioctl(3, SIOCINQ, [77]) = 0');
  assert.equal(io.args[2].kind, 'intptr');
  const w = call('+0 write(3, NULL, 5) = -1 EFAULT (Bad address)');
  assert.equal(w.args[1].kind, 'null');
});

test('sendmsg, poll, sockaddr and strings', () => {
  const m = call(
    '+0 sendmsg(3, {msg_name(...)=...,\n      msg_iov(2)=[{..., 7}, {..., 9}],\n      msg_flags=0}, MSG_MORE) = 16',
  );
  const msg = strip(m.args[1]) as { kind: string; fields: { name: string; arg?: unknown; value: unknown }[] };
  assert.equal(msg.kind, 'struct');
  assert.deepEqual(
    msg.fields.map((f) => f.name),
    ['msg_name', 'msg_iov', 'msg_flags'],
  );
  assert.deepEqual(msg.fields[0].arg, { kind: 'ellipsis' });
  assert.deepEqual(msg.fields[1].arg, { kind: 'int', value: 2, hex: false });
  assert.deepEqual(msg.fields[1].value, {
    kind: 'array',
    elements: [
      {
        kind: 'list',
        elements: [{ kind: 'ellipsis' }, { kind: 'int', value: 7, hex: false }],
      },
      {
        kind: 'list',
        elements: [{ kind: 'ellipsis' }, { kind: 'int', value: 9, hex: false }],
      },
    ],
  });
  assert.equal(m.loc.line, 2);
  const p = call('+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1');
  assert.equal(p.args[0].kind, 'array');
  const b = call(
    '+0 bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.1.2.3")}, 16) = 0',
  );
  const sa = strip(b.args[1]) as { fields: { value: unknown }[] };
  assert.deepEqual(sa.fields[1].value, {
    kind: 'call',
    name: 'htons',
    args: [{ kind: 'int', value: 80, hex: false }],
  });
  assert.deepEqual(sa.fields[2].value, {
    kind: 'call',
    name: 'inet_addr',
    args: [{ kind: 'string', value: '10.1.2.3', prefix: false }],
  });
  const s = call('+0 write(3, "ab" "cd", 4) = 4');
  assert.deepEqual(strip(s.args[1]), { kind: 'string', value: 'abcd', prefix: false });
  const pre = call('+0 read(3, "xy"..., 4) = 4');
  assert.deepEqual(strip(pre.args[1]), { kind: 'string', value: 'xy', prefix: true });
  const assign = call('+0 f(X=3) = 0');
  assert.equal(assign.args[0].kind, 'assign');
});

test('options, init and cleanup commands, shell and code events', () => {
  const s = parse(
    '// header\n--tolerance_usecs=7000\n--strict_segments\n`setup.sh\n more`\n' +
      START +
      '+0 `echo hi`\n+.1 %{ assert x == 1 }%\n`teardown`\n',
  );
  assert.deepEqual(
    s.options.map((o) => [o.name, o.value]),
    [
      ['tolerance_usecs', '7000'],
      ['strict_segments', undefined],
    ],
  );
  assert.equal(s.initCommand?.command, 'setup.sh\n more');
  assert.equal(s.cleanupCommand?.command, 'teardown');
  assert.equal(s.events.length, 3);
  assert.deepEqual(
    s.events.map((e) => e.action.kind),
    ['syscall', 'shell', 'code'],
  );
  const code = s.events[2].action;
  assert.ok(code.kind === 'code');
  assert.equal(code.code, 'assert x == 1');
  assert.equal(code.codeLine, 8);
});

test('defines from options and from the caller', () => {
  const s = parse('--define=PORT=99\n' + START + '+0 setsockopt(3, A, B, [PORT], NAME) = 0', {
    defines: { NAME: '"str"' },
  });
  const c = s.events[1].action as SyscallAction;
  assert.deepEqual(strip(c.args[3]), { kind: 'intptr', value: { kind: 'int', value: 99, hex: false } });
  assert.deepEqual(strip(c.args[4]), { kind: 'string', value: 'str', prefix: false });
  assert.equal(s.defines.PORT, '99');
  const over = parse('--define=V=1\n' + START + '+0 f(V) = 0', { defines: { V: '2' } });
  assert.deepEqual(strip((over.events[1].action as SyscallAction).args[0]), {
    kind: 'int',
    value: 2,
    hex: false,
  });
  // Keywords are never replaced.
  const k = parse(START + '+0 > . 1:1(0) ack 5', { defines: { ack: '7' } });
  assert.equal((k.events[1].action as TcpPacketAction).ack, 5);
});

test('errors name file, line and column', () => {
  const cases: [string, string][] = [
    [START + '+0 < . 1:1(0) ack 1', 'x.pkt:2:6: window must be specified for inbound packets (add "win N")'],
    [START + '\n+0 > . 1:5(3) ack 1', 'x.pkt:3:8: inconsistent TCP sequence numbers: 1 + 3 != 5'],
    [
      START + '+0 > S 0:0(0) <mss 1460,nop>',
      'x.pkt:2:15: TCP option list is 5 bytes long, not a multiple of 4',
    ],
    [
      START + '+0 < S 0:0(0) win 1 <...>',
      'x.pkt:2:21: <...> for TCP options can only be used with outbound packets',
    ],
    [START + '+0 < . 1:1(0) win 1 <bogus 3>', "x.pkt:2:22: unknown TCP option 'bogus'"],
    [START + '+0 > Q 1:1(0)', "x.pkt:2:6: invalid TCP flag 'Q' in 'Q'"],
    [START + '* close(3) = 0', 'x.pkt:2:1: event time * can only be used with outbound packets'],
    [START + '+.1~+.2 close(3) = 0', 'x.pkt:2:1: event time ranges can only be used with outbound packets'],
    [START + '+.2~+.1 > . 1:1(0)', 'x.pkt:2:1: time range is backwards'],
    [START + '+.1~.2 > . 1:1(0)', 'x.pkt:2:4: a relative range must end with a relative time (+a~+b)'],
    [START + '+.5...0.1 read(3, ..., 1) = 1', 'x.pkt:2:1: blocking call end time is before its start time'],
    [
      START + '+0 close(3)',
      'x.pkt:2:12: expected \'=\' after close(…) (every call needs "= result"), found end of script',
    ],
    [START + '+0 write(3, ..., 5 = 5', "x.pkt:2:20: expected ',' or ')' in arguments of write(), found '='"],
    [
      START + '+0 frob',
      "x.pkt:2:4: expected a packet, system call, `command` or %{ code }% after the time, found 'frob'",
    ],
    ['1 close(3) = 0', 'x.pkt:1:1: the first event must happen at time 0'],
    [
      START + '2 close(3) = 0\n1 close(4) = 0',
      'x.pkt:3:1: time goes backwards: this event is before the one at line 2',
    ],
    [
      START + '`mid`\n+0 close(3) = 0',
      'x.pkt:2:1: a command without a time must be the first line (init) or the last (cleanup)',
    ],
    [START + '--late', 'x.pkt:2:1: option --late must come before the first event'],
    ['`only`', 'x.pkt:1:7: the script has no events'],
    [
      START + '+0 > . 1:1(0) ack 4294967296',
      'x.pkt:2:19: ack number: 4294967296 is out of range (0..4294967295)',
    ],
    [START + '+0 "x', 'x.pkt:2:4: unterminated string'],
    [START + '+0 > ipv6 . 1:1(0)', 'x.pkt:2:6: ipv6 encapsulation is not supported'],
  ];
  for (const [text, expected] of cases) assert.equal(parseError(text, { fileName: 'x.pkt' }), expected, text);
  assert.match(parseError('+0 frob'), /^<script>:1:4: /);
});

test('parsing never throws on arbitrary input', () => {
  const pieces = [
    '0',
    '+',
    '.1',
    '<',
    '>',
    'S.',
    '1:1(0)',
    'win',
    '5',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '=',
    ',',
    '...',
    'x',
    '"s"',
    '`c`',
    '%{ a }%',
    '\n',
    '~',
    '*',
    '|',
  ];
  let seed = 7;
  for (let n = 0; n < 2000; n++) {
    let text = '';
    const len = 1 + (n % 30);
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      text += pieces[seed % pieces.length] + ' ';
    }
    const r = parseScript(text);
    assert.equal(typeof r.ok, 'boolean');
  }
});

test('property: any text gives a result, never an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => {
      const r = parseScript(text);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.match(r.error, /^<script>:\d+:\d+: /);
    }),
    { seed: 1, numRuns: 500 },
  );
});
