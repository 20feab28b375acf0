// Packet lines: `< S 0:0(0) win 32792 <mss 1000,nop,wscale 7>` and their UDP/ICMP cousins
// (parser.y's tcp_packet_spec, udp_packet_spec, icmp_packet_spec), with the checks packetdrill
// makes while parsing them.

import type {
  Direction,
  IcmpEchoed,
  IcmpPacketAction,
  IpEcn,
  IpEncapsulation,
  IpInfo,
  PacketAction,
  PortInfo,
  SeqSpec,
  TcpOptionSpec,
  TcpPacketAction,
  UdpPacketAction,
} from './ast.js';
import type { Token } from './lexer.js';
import { parseTcpFlags } from './tcp-flags.js';
import { describe, type Cursor } from './token-cursor.js';

const U16 = 0xffff;
const U32 = 0xffffffff;
const ECN_WORDS: ReadonlySet<string> = new Set(['noecn', 'ect0', 'ect1', 'ce', 'ect01']);
const MAX_TCP_OPTION_BYTES = 40;

/** Parses a packet line starting at its direction token. */
export function parsePacket(c: Cursor): PacketAction {
  const first = c.next();
  const direction: Direction = first.value === '<' ? 'inbound' : 'outbound';
  const encapsulation = parseEncapsulation(c);
  const ipInfo = parseOptIpInfo(c);
  const common = { kind: 'packet' as const, direction, encapsulation, ...(ipInfo ? { ipInfo } : {}) };

  if (c.isWord('udp')) {
    c.next();
    const ports = parseOptPorts(c);
    c.expectPunct('(', 'before the UDP payload length');
    const len = c.expectInt('UDP payload length', 0, U16);
    c.expectPunct(')', 'after the UDP payload length');
    const udp: UdpPacketAction = { ...common, protocol: 'udp', len, loc: c.locFrom(first) };
    if (ports) udp.ports = ports;
    return udp;
  }
  if (c.isWord('icmp')) return parseIcmp(c, first, common);

  const ports = parseOptPorts(c);
  const flagsTok = c.peek();
  const flags = parseFlagsText(c);
  const parsedFlags = parseTcpFlags(flags);
  if (!parsedFlags.ok) c.fail(parsedFlags.error, flagsTok);
  const seq = parseSeq(c);
  const tcp: TcpPacketAction = {
    ...common,
    protocol: 'tcp',
    flags,
    flagBits: parsedFlags.bits,
    seq,
    loc: c.locFrom(first),
  };
  if (parsedFlags.ace !== undefined) tcp.ace = parsedFlags.ace;
  if (ports) tcp.ports = ports;
  if (c.isWord('ack')) {
    c.next();
    tcp.ack = c.expectInt('ack number', 0, U32);
  }
  if (c.isWord('win')) {
    c.next();
    tcp.win = c.expectInt('window', 0, U16);
  }
  if (c.isWord('urg')) {
    c.next();
    tcp.urg = c.expectInt('urgent pointer', 0, U16);
  }
  if (c.isPunct('<')) {
    const open = c.next();
    if (c.peek().kind === 'ellipsis') {
      c.next();
      c.expectPunct('>', 'after <...');
      if (direction !== 'outbound')
        c.fail('<...> for TCP options can only be used with outbound packets', open);
      tcp.options = 'ellipsis';
    } else {
      tcp.options = parseTcpOptions(c, open);
    }
  }
  if (direction === 'inbound' && tcp.win === undefined) {
    c.fail('window must be specified for inbound packets (add "win N")', flagsTok);
  }
  tcp.loc = c.locFrom(first);
  return tcp;
}

function parseEncapsulation(c: Cursor): IpEncapsulation[] {
  const layers: IpEncapsulation[] = [];
  for (;;) {
    if (c.isWord('ipv4')) {
      c.next();
      const ipInfo = parseOptIpInfo(c);
      const src = expectIpv4(c, 'outer source address');
      c.expectPunct('>', 'between outer IPv4 addresses');
      const dst = expectIpv4(c, 'outer destination address');
      c.expectPunct(':', 'after the outer IPv4 header');
      layers.push({ kind: 'ipv4', src, dst, ...(ipInfo ? { ipInfo } : {}) });
      continue;
    }
    for (const unsupported of ['ipv6', 'gre', 'mpls']) {
      if (c.isWord(unsupported)) c.fail(`${unsupported} encapsulation is not supported`);
    }
    return layers;
  }
}

function expectIpv4(c: Cursor, context: string): string {
  const tok = c.peek();
  if (tok.kind !== 'ipv4') c.fail(`expected an IPv4 address as ${context}, found ${describe(tok)}`);
  c.next();
  return tok.value;
}

function parseOptIpInfo(c: Cursor): IpInfo | undefined {
  const open = c.peek();
  if (open.kind !== 'punct' || (open.value !== '(' && open.value !== '[')) return undefined;
  const inner = c.peek(1);
  const isIpInfo =
    inner.kind === 'word' &&
    (ECN_WORDS.has(inner.value) || ['tos', 'flowlabel', 'ttl'].includes(inner.value));
  if (!isIpInfo) return undefined;
  c.next();
  const bracket = open.value === '(' ? '(' : '[';
  const info: IpInfo = { bracket };
  const word = c.next();
  if (ECN_WORDS.has(word.value)) {
    info.ecn = word.value as IpEcn;
  } else if (word.value === 'tos') {
    info.tos = c.expectInt('TOS value', 0, 0xff);
  } else if (word.value === 'flowlabel') {
    info.flowLabel = c.expectInt('flow label', 0, 0xfffff);
  } else {
    info.ttl = c.expectInt('TTL', 0, 0xff);
  }
  if (word.value !== 'flowlabel' && word.value !== 'ttl' && c.isPunct(',')) {
    c.next();
    c.expectWord('flowlabel', 'after the comma in the IP info');
    info.flowLabel = c.expectInt('flow label', 0, 0xfffff);
  }
  c.expectPunct(bracket === '(' ? ')' : ']', 'to close the IP info');
  return info;
}

function parseOptPorts(c: Cursor): PortInfo | undefined {
  if (c.peek().kind !== 'int' || !c.isPunct('>', 1)) return undefined;
  const src = c.expectInt('source port', 0, U16);
  c.next();
  const dst = c.expectInt('destination port', 0, U16);
  return { src, dst };
}

function parseFlagsText(c: Cursor): string {
  const tok = c.peek();
  if (tok.kind === 'punct' && (tok.value === '.' || tok.value === '-')) {
    c.next();
    return tok.value;
  }
  if (tok.kind === 'word' || tok.kind === 'int') {
    c.next();
    if (c.isPunct('.')) {
      c.next();
      return tok.text + '.';
    }
    return tok.text;
  }
  return c.fail(`expected TCP flags (such as S, S., P., F., R or .), found ${describe(tok)}`);
}

/** `start:end(len)`, whose numbers packetdrill requires to agree. */
export function parseSeq(c: Cursor): SeqSpec {
  const first = c.peek();
  const start = c.expectInt('sequence number', 0, U32);
  c.expectPunct(':', 'in start:end(len)');
  const end = c.expectInt('end sequence number', 0, U32);
  c.expectPunct('(', 'in start:end(len)');
  const len = c.expectInt('payload length', 0, U16);
  c.expectPunct(')', 'in start:end(len)');
  if ((start + len) >>> 0 !== end) {
    c.fail(`inconsistent TCP sequence numbers: ${start} + ${len} != ${end}`, first);
  }
  return { start, end, len };
}

function parseTcpOptions(c: Cursor, open: Token): TcpOptionSpec[] {
  const options: TcpOptionSpec[] = [];
  for (;;) {
    options.push(parseTcpOption(c));
    if (c.isPunct(',')) {
      c.next();
      continue;
    }
    if (!c.isPunct('>')) c.fail(`expected ',' or '>' in TCP options, found ${describe(c.peek())}`);
    c.next();
    break;
  }
  const bytes = options.reduce((sum, o) => sum + tcpOptionLength(o), 0);
  if (bytes % 4 !== 0) c.fail(`TCP option list is ${bytes} bytes long, not a multiple of 4`, open);
  if (bytes > MAX_TCP_OPTION_BYTES) c.fail(`TCP option list is ${bytes} bytes long, more than 40`, open);
  return options;
}

function parseTcpOption(c: Cursor): TcpOptionSpec {
  const tok = c.peek();
  if (tok.kind !== 'word') return c.fail(`expected a TCP option, found ${describe(tok)}`);
  c.next();
  switch (tok.value) {
    case 'nop':
      return { kind: 'nop' };
    case 'eol':
      return { kind: 'eol' };
    case 'mss':
      return { kind: 'mss', value: c.expectInt('MSS', 0, U16) };
    case 'wscale':
      return { kind: 'wscale', value: c.expectInt('window scale', 0, 0xff) };
    case 'sackOK':
      return { kind: 'sackOK' };
    case 'sack': {
      const blocks = [];
      while (c.peek().kind === 'int') {
        const left = c.expectInt('SACK block left edge', 0, U32);
        c.expectPunct(':', 'in SACK block left:right');
        const right = c.expectInt('SACK block right edge', 0, U32);
        blocks.push({ left, right });
      }
      if (blocks.length === 0) c.fail('sack option needs at least one left:right block', tok);
      return { kind: 'sack', blocks };
    }
    case 'TS': {
      c.expectWord('val', 'after TS');
      const val = c.expectInt('TS val', 0, U32);
      c.expectWord('ecr', 'after TS val');
      const ecr = c.expectInt('TS ecr', 0, U32);
      return { kind: 'TS', val, ecr };
    }
    case 'md5': {
      const hex = parseHexBlob(c);
      if (hex === undefined) c.fail('md5 option needs a hex digest', tok);
      return { kind: 'md5', hex };
    }
    case 'FO':
    case 'FOEXP': {
      const cookie = parseHexBlob(c);
      return cookie === undefined ? { kind: tok.value } : { kind: tok.value, cookie };
    }
    case 'ECN': {
      const fields: { name: 'e0b' | 'ceb' | 'e1b'; value: number }[] = [];
      while (c.isWord('e0b') || c.isWord('ceb') || c.isWord('e1b')) {
        const name = c.next().value as 'e0b' | 'ceb' | 'e1b';
        fields.push({ name, value: c.expectInt(`AccECN ${name} counter`, 0, 0xffffff) });
      }
      return { kind: 'ECN', fields };
    }
    default:
      return c.fail(`unknown TCP option '${tok.value}'`, tok);
  }
}

function parseHexBlob(c: Cursor): string | undefined {
  const tok = c.peek();
  if ((tok.kind !== 'word' && tok.kind !== 'int') || tok.keyword) return undefined;
  if (!/^[0-9a-fA-F]+$/.test(tok.text) || tok.text.length % 2 !== 0) {
    c.fail(`'${tok.text}' is not an even number of hex digits`);
  }
  c.next();
  return tok.text.toLowerCase();
}

/** Bytes an option occupies on the wire, as packetdrill encodes it. */
export function tcpOptionLength(o: TcpOptionSpec): number {
  switch (o.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'TS':
      return 10;
    case 'md5':
      return 18;
    case 'FO':
      return 2 + (o.cookie ? o.cookie.length / 2 : 0);
    case 'FOEXP':
      return 4 + (o.cookie ? o.cookie.length / 2 : 0);
    case 'ECN':
      return 2 + 3 * o.fields.length;
    case 'unknown':
      return 2 + o.data.length;
  }
}

function parseIcmp(
  c: Cursor,
  first: Token,
  common: Pick<IcmpPacketAction, 'kind' | 'direction' | 'encapsulation' | 'ipInfo'>,
): IcmpPacketAction {
  c.next();
  const typeTok = c.peek();
  if (typeTok.kind !== 'word') c.fail(`expected an ICMP type, found ${describe(typeTok)}`);
  c.next();
  const icmp: IcmpPacketAction = { ...common, protocol: 'icmp', type: typeTok.value, loc: c.locFrom(first) };
  const codeTok = c.peek();
  if (codeTok.kind === 'word' && !codeTok.keyword) {
    c.next();
    icmp.code = codeTok.value;
  }
  if (c.isWord('mtu')) {
    c.next();
    icmp.mtu = c.expectInt('ICMP MTU', 0, U16);
  }
  if (c.isWord('id')) {
    c.next();
    icmp.echoId = c.expectInt('ICMP echo id', 0, U16);
  }
  if (c.isPunct('[')) {
    c.next();
    let echoed: IcmpEchoed;
    if (c.isWord('udp') || c.isWord('raw')) {
      const kind = c.next().value === 'udp' ? 'udp' : 'raw';
      c.expectPunct('(', `after ${kind}`);
      const len = c.expectInt(`${kind} payload length`, 0, U16);
      c.expectPunct(')', `after the ${kind} payload length`);
      echoed = { kind, len };
    } else {
      echoed = { kind: 'tcp', seq: parseSeq(c) };
    }
    c.expectPunct(']', 'after the echoed packet');
    icmp.echoed = echoed;
  }
  icmp.loc = c.locFrom(first);
  return icmp;
}
