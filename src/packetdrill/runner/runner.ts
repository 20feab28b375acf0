import { Host } from '../../host/host.js';
import { defaultHostSettings, isSettingName, setSetting, type HostSettings } from '../../host/settings.js';
import type { NetDevice } from '../../link/device.js';
import { Simulator } from '../../sim/simulator.js';
import { errnoName, SocketError } from '../../socket/errno.js';
import { Sockets, type OptionValue } from '../../socket/sockets.js';
import { ipv4 } from '../../wire/ipv4-addr.js';
import { Ipv4Header } from '../../wire/ipv4-header.js';
import { ipv4Payload, parseIpv4Header } from '../../wire/ipv4.js';
import { buildTcpPacket } from '../../wire/packet.js';
import { parseTcp } from '../../wire/tcp.js';
import { TcpSegment } from '../../wire/tcp-segment.js';
import type {
  CodeAction,
  Event,
  Expr,
  Script,
  SyscallAction,
  TcpOptionSpec,
  TcpPacketAction,
} from '../ast.js';
import { CODE_CONSTANTS } from '../code-constants.js';
import { analyzeShellCommand, parseDefaults, type SysctlSetting } from '../defaults.js';
import { scriptConfig, type RunConfig } from '../options.js';
import { formatEvent, formatSegment } from '../print.js';
import { evalPythonAsserts } from '../python-subset.js';
import { decodeOptions, encodeOptions } from './option-codec.js';
import { SYMBOLS } from './symbols.js';
import { POLLOUT } from '../../socket/constants.js';

export type RunStatus = 'ok' | 'fail' | 'skip';

export interface RunResult {
  status: RunStatus;
  reason?: string;
}

export interface RunnerEnv {
  /** Read a file named by an init command, relative to the script (null if it cannot). */
  readFile(path: string): string | null;
  seed?: number;
  /** Overrides from the command line (--tolerance_usecs…), applied after the script's own. */
  config?: Partial<RunConfig>;
}

const LOCAL_IP = '192.168.0.1';
const REMOTE_IP = '192.0.2.1';
const SNIFF_TIMEOUT_US = 2_000_000;

class Fail extends Error {}
class Skip extends Error {}

/** The packetdrill tun device: what the stack sends is queued for the script to check. */
class ScriptDevice implements NetDevice {
  readonly checksumOffload = false;
  onReceive: ((packet: Uint8Array) => void) | null = null;
  readonly out: { t: number; pkt: Uint8Array }[] = [];
  constructor(
    readonly mtu: number,
    private readonly sim: Simulator,
  ) {}

  transmit(packet: Uint8Array): void {
    this.out.push({ t: this.sim.now(), pkt: packet });
  }
}

interface Live {
  seg: TcpSegment;
  t: number;
}

interface Blocking {
  event: Event;
  call: SyscallAction;
  attempt: () => number;
  done: boolean;
  result?: number;
  errno?: string;
  at?: number;
}

/**
 * Runs one packetdrill script against a fresh synack host in virtual time, as packetdrill runs it
 * against Linux through a tun device: inbound lines are injected, outbound lines wait for the
 * stack's segments and compare them (with packetdrill's sequence-number and timestamp mapping,
 * segment aggregation and timing tolerance), system calls go to the BSD socket layer, and %{ }%
 * blocks are checked against tcp_info snapshots at the end.
 */
export function runScript(script: Script, env: RunnerEnv): RunResult {
  try {
    new ScriptRun(script, env).run();
    return { status: 'ok' };
  } catch (e) {
    if (e instanceof Skip) return { status: 'skip', reason: e.message };
    if (e instanceof Fail) return { status: 'fail', reason: e.message };
    return {
      status: 'fail',
      reason: `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    };
  }
}

class ScriptRun {
  private readonly cfg: RunConfig;
  private readonly sim: Simulator;
  private readonly host: Host;
  private readonly dev: ScriptDevice;
  private readonly sockets: Sockets;
  private readonly fds = new Map<number, number>();
  private sut = -1;
  private anchor = 0;
  // Sequence-number and timestamp mapping (packetdrill's socket.h).
  private localIsn: number | null = null;
  private scriptLocalIsn = 0;
  private remoteIsn: number | null = null;
  private scriptRemoteIsn = 0;
  private localPort = 8080;
  private remotePort = 0;
  private readonly tsTable = new Map<number, number>();
  private tsBase: { script: number; live: number } | null = null;
  private blocking: Blocking | null = null;
  private readonly code: { action: CodeAction; info: Record<string, number> }[] = [];
  private readonly hdr = new Ipv4Header();
  /** A segment read ahead while aggregating, which belongs to the next outbound line. */
  private pushedBack: Live | null = null;

  constructor(
    private readonly script: Script,
    private readonly env: RunnerEnv,
  ) {
    const c = scriptConfig(script.options);
    if (!c.ok) throw new Fail(c.error);
    if (c.unknown.length > 0)
      throw new Skip(`options not supported: ${c.unknown.map((o) => `--${o.name}`).join(' ')}`);
    this.cfg = { ...c.config, ...env.config };
    if (this.cfg.ipVersion !== 'ipv4') throw new Skip(`--ip_version=${this.cfg.ipVersion} is not supported`);
    this.sim = new Simulator({ seed: env.seed ?? 1 });
    const settings = defaultHostSettings();
    if (script.initCommand) this.applyShell(settings, script.initCommand.command, true);
    this.host = new Host({
      name: 'local',
      scheduler: this.sim,
      random32: () => this.sim.rng.nextU32(),
      settings,
    });
    this.dev = new ScriptDevice(this.cfg.mtu, this.sim);
    this.host.addInterface(this.dev, `${this.cfg.localIp ?? LOCAL_IP}/16`);
    this.host.setDefaultGateway('192.168.0.2');
    this.sockets = new Sockets(this.host);
    this.remotePort = 40000 + (this.sim.rng.nextU32() % 20000);
  }

  // --- settings from shell commands -------------------------------------------------------

  private applyShell(settings: HostSettings, text: string, init: boolean): void {
    const a = analyzeShellCommand(text);
    for (const cmd of a.commands) {
      if (cmd.kind === 'restore') continue;
      if (cmd.kind === 'script') {
        const path = cmd.argv[0] ?? '';
        if (/(^|\/)defaults\.sh$/.test(path)) {
          const body = this.env.readFile(path);
          if (body === null) throw new Skip(`cannot read ${path}`);
          for (const s of parseDefaults(body)) this.applySysctl(settings, s);
          continue;
        }
        if (/set_sysctls\.py$/.test(path)) continue; // its settings are in a.sysctls
        throw new Skip(`unsupported command: ${cmd.text}`);
      }
      if (cmd.kind === 'other') {
        if (init && cmd.argv[0] === 'tc') continue;
        throw new Skip(`unsupported command: ${cmd.text}`);
      }
    }
    for (const s of a.sysctls) this.applySysctl(settings, s);
  }

  private applySysctl(settings: HostSettings, s: SysctlSetting): void {
    // Linux knobs synack has no counterpart for (tcp_fack, tso_win_divisor…) change nothing here.
    if (!isSettingName(s.name)) return;
    try {
      setSetting(settings, s.name, s.value);
    } catch (e) {
      throw new Skip(`sysctl ${s.key}=${s.value}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // --- the event loop ---------------------------------------------------------------------

  run(): void {
    let prevTime = 0;
    for (const e of this.script.events) {
      const t = e.time;
      const expected =
        t.kind === 'absolute' ? t.start : t.kind === 'relative' ? this.anchor + t.start : this.sim.now();
      if (t.kind === 'absolute' && t.start < prevTime) throw new Fail(`line ${e.line}: time goes backwards`);
      const a = e.action;
      if (a.kind === 'packet') {
        if (a.protocol !== 'tcp') throw new Skip(`line ${e.line}: ${a.protocol} packets are not supported`);
        if (a.direction === 'inbound') {
          this.advance(expected);
          this.inject(e, a);
          this.pollBlocking();
          this.anchor = expected;
        } else {
          const got = this.outbound(e, a, expected, prevTime);
          this.anchor = got;
        }
      } else if (a.kind === 'syscall') {
        this.advance(expected);
        this.syscall(e, a, expected);
      } else if (a.kind === 'shell') {
        this.advance(expected);
        this.applyShell(this.host.settings, a.command, false);
        this.anchor = expected;
      } else {
        this.advance(expected);
        this.code.push({ action: a, info: this.tcpInfo() });
        this.anchor = expected;
      }
      prevTime = expected;
    }
    if (this.blocking && !this.blocking.done) {
      throw new Fail(`line ${this.blocking.event.line}: the blocking call never returned`);
    }
    for (const { action, info } of this.code) {
      const r = evalPythonAsserts(
        action.code,
        { ...CODE_CONSTANTS, ...info },
        { firstLine: action.codeLine },
      );
      if (!r.ok) throw new Fail(r.error);
    }
  }

  private tcpInfo(): Record<string, number> {
    if (this.sut < 0) return {};
    try {
      return this.sockets.getsockopt(this.sut, 'IPPROTO_TCP', 'TCP_INFO') as Record<string, number>;
    } catch {
      return {};
    }
  }

  /** Run the simulation to time t, letting a blocking call finish as soon as it can. */
  private advance(t: number): void {
    while (this.sim.nextEventTime() <= t) {
      this.sim.step();
      this.pollBlocking();
    }
    this.sim.run({ until: t });
  }

  private pollBlocking(): void {
    const b = this.blocking;
    if (!b || b.done) return;
    try {
      b.result = b.attempt();
    } catch (e) {
      if (
        e instanceof SocketError &&
        (e.errno === 'EAGAIN' || e.errno === 'EINPROGRESS' || e.errno === 'EALREADY')
      )
        return;
      if (!(e instanceof SocketError)) throw e;
      b.result = -1;
      b.errno = e.errno;
    }
    b.done = true;
    b.at = this.sim.now();
    this.checkResult(b.event, b.call, b.result, b.errno);
    const end = b.event.time.blockingEnd;
    if (end !== undefined) {
      const expectedEnd = this.anchorAtBlockStart + end;
      this.checkTime(b.event, expectedEnd, b.at, this.blockStart);
    }
  }

  private anchorAtBlockStart = 0;
  private blockStart = 0;

  private checkTime(e: Event, expected: number, actual: number, prev: number): void {
    const tol = this.tolerance(expected, prev);
    if (Math.abs(actual - expected) > tol) {
      throw new Fail(
        `line ${e.line}: timing error: \`${formatEvent(e)}\` expected to return at ${fmt(expected)} s (±${fmt(tol)}), returned at ${fmt(actual)} s`,
      );
    }
  }

  // --- packets ----------------------------------------------------------------------------

  private inject(e: Event, p: TcpPacketAction): void {
    const seg = new TcpSegment();
    const syn = (p.flagBits & 2) !== 0;
    const hasAck = (p.flagBits & 16) !== 0;
    if (syn && this.remoteIsn === null) {
      // The first SYN names the remote ISN; later SYNs are mapped like any segment.
      this.remoteIsn = p.seq.start >>> 0;
      this.scriptRemoteIsn = p.seq.start;
    }
    // Before any SYN from the peer (a RST answering our SYN), sequence numbers are taken as written.
    if (this.remoteIsn === null) this.remoteIsn = 0;
    seg.srcPort = this.remotePort;
    seg.dstPort = this.localPort;
    seg.flags = p.flagBits & 0x1ff;
    seg.seq = syn
      ? (p.seq.start - this.scriptRemoteIsn + this.remoteIsn) >>> 0
      : (p.seq.start + this.remoteIsn) >>> 0;
    const localIsn = this.localIsn ?? 0;
    if (p.ack !== undefined) {
      seg.ack = (hasAck && syn ? p.ack - this.scriptLocalIsn + localIsn : p.ack + localIsn) >>> 0;
    }
    seg.window = p.win ?? 0;
    seg.urgentPointer = p.urg ?? 0;
    if (p.options && p.options !== 'ellipsis') {
      seg.rawOptions = encodeOptions(
        p.options,
        (edge) => (edge + localIsn) >>> 0,
        (ecr) => this.liveEcr(e, ecr),
      );
    }
    seg.payload = new Uint8Array(p.seq.len);
    const pkt = buildTcpPacket(ipv4(REMOTE_IP), ipv4(this.cfg.localIp ?? LOCAL_IP), seg, {
      ttl: 255,
      df: true,
    });
    this.dev.onReceive?.(pkt);
  }

  private liveEcr(e: Event, ecr: number): number {
    if (ecr === 0) return 0;
    const live = this.tsTable.get(ecr);
    if (live !== undefined) return live;
    // Not a value the stack sent: interpolate from the first TS val seen (--tcp_ts_ecr_scaled).
    if (this.tsBase) return (this.tsBase.live + (ecr - this.tsBase.script)) >>> 0;
    throw new Fail(`line ${e.line}: unable to infer live TS ecr for script TS ecr ${ecr}`);
  }

  /** The next segment the stack sends (waiting in virtual time up to `deadline`), or null. */
  private nextSegment(deadline: number): Live | null {
    if (this.pushedBack) {
      const p = this.pushedBack;
      this.pushedBack = null;
      return p;
    }
    for (;;) {
      while (this.dev.out.length > 0) {
        const o = this.dev.out.shift() as { t: number; pkt: Uint8Array };
        const ip = parseIpv4Header(o.pkt, this.hdr, true);
        if (!ip.ok || this.hdr.protocol !== 6) continue;
        const seg = new TcpSegment();
        const r = parseTcp(ipv4Payload(o.pkt, this.hdr), this.hdr.src, this.hdr.dst, seg, true);
        if (!r.ok) throw new Fail(`the stack sent a segment that does not parse: ${r.reason}`);
        seg.payload = seg.payload.slice();
        seg.rawOptions = seg.options.slice();
        return { seg, t: o.t };
      }
      if (this.sim.nextEventTime() > deadline) {
        this.advance(deadline);
        if (this.dev.out.length === 0) return null;
        continue;
      }
      this.sim.step();
      this.pollBlocking();
    }
  }

  private outbound(e: Event, p: TcpPacketAction, expected: number, prevTime: number): number {
    const t = e.time;
    const tol = this.tolerance(expected, prevTime);
    const end = t.end !== undefined ? (t.endRelative ? this.anchor + t.end : t.end) : expected;
    const deadline = t.kind === 'any' ? this.sim.now() + 600e6 : end + tol + SNIFF_TIMEOUT_US;
    const first = this.nextSegment(deadline);
    if (!first) throw new Fail(`line ${e.line}: timed out waiting for \`${formatEvent(e)}\``);
    let last = first;
    let total = first.seg.payload.length;
    const syn = (p.flagBits & 2) !== 0;
    if (syn) this.learnSyn(first.seg, p);
    // Aggregation (packetdrill's do_outbound_script_packet): contiguous segments up to the length.
    while (!this.cfg.strictSegments && total < p.seq.len && last.seg.payload.length > 0) {
      const next = this.nextSegment(deadline);
      if (!next) break;
      const contiguous =
        next.seg.seq === (last.seg.seq + last.seg.payload.length) >>> 0 && next.seg.payload.length > 0;
      if (!contiguous) {
        this.pushedBack = next; // it starts the next script packet
        break;
      }
      last = next;
      total += next.seg.payload.length;
    }
    this.compare(e, p, first.seg, last.seg, total);
    if (t.kind !== 'any') {
      const lo = expected - tol;
      const hi = end + tol;
      if (last.t < lo || last.t > hi) {
        throw new Fail(
          `line ${e.line}: timing error: expected \`${formatEvent(e)}\` at ${fmt(expected)} s (±${fmt(tol)}), sent at ${fmt(last.t)} s`,
        );
      }
    }
    return last.t;
  }

  private tolerance(expected: number, prevTime: number): number {
    return Math.max(
      this.cfg.toleranceUsecs,
      (this.cfg.tolerancePercent / 100) * Math.max(0, expected - prevTime),
    );
  }

  private learnSyn(seg: TcpSegment, p: TcpPacketAction): void {
    this.localIsn = (seg.seq - p.seq.start) >>> 0;
    this.scriptLocalIsn = 0;
    if (!(seg.flags & 16)) {
      // Active open: the stack chose the local port; the peer is at connect_port.
      this.localPort = seg.srcPort;
      this.remotePort = seg.dstPort;
    }
  }

  private compare(e: Event, p: TcpPacketAction, first: TcpSegment, last: TcpSegment, len: number): void {
    const localIsn = this.localIsn ?? 0;
    const remoteIsn = this.remoteIsn ?? 0;
    const syn = (last.flags & 2) !== 0;
    const seq = (first.seq - localIsn) >>> 0;
    const ack =
      last.flags & 16 || last.ack !== 0 ? (last.ack - remoteIsn + (syn ? this.scriptRemoteIsn : 0)) >>> 0 : 0;
    const options = last.rawOptions ? decodeOptions(last.rawOptions) : [];
    const mapped: TcpOptionSpec[] = options.map((o) => {
      if (o.kind === 'sack') {
        return {
          kind: 'sack',
          blocks: o.blocks.map((b) => ({
            left: (b.left - remoteIsn) >>> 0,
            right: (b.right - remoteIsn) >>> 0,
          })),
        };
      }
      if (o.kind === 'TS') return { kind: 'TS', val: this.scriptTsVal(o.val, p), ecr: o.ecr };
      return o;
    });
    const actual = formatSegment({
      flags: last.flags | (first.flags & 0x80),
      seq,
      len,
      ack,
      win: last.window,
      urg: last.urgentPointer,
      options: mapped,
    });
    const bad = (why: string) =>
      new Fail(`line ${e.line}: ${why}\n  script packet: ${formatEvent(e)}\n  actual packet: ${actual}`);
    const flagMask = 0x1ff;
    if ((last.flags & flagMask) !== (p.flagBits & flagMask)) throw bad('bad flags');
    if (seq !== p.seq.start >>> 0) throw bad(`bad sequence number: expected ${p.seq.start}, got ${seq}`);
    if (len !== p.seq.len) throw bad(`bad length: expected ${p.seq.len}, got ${len}`);
    const expAck = p.ack ?? 0;
    if (ack !== expAck >>> 0) throw bad(`bad ack: expected ${expAck}, got ${ack}`);
    if (p.win !== undefined && last.window !== p.win)
      throw bad(`bad window: expected ${p.win}, got ${last.window}`);
    if ((p.urg ?? 0) !== last.urgentPointer && last.flags & 0x20) throw bad('bad urgent pointer');
    if (p.options !== 'ellipsis') {
      const want = p.options ?? [];
      if (want.length !== mapped.length) throw bad('bad options');
      for (let i = 0; i < want.length; i++) {
        const w = want[i] as TcpOptionSpec;
        const g = mapped[i] as TcpOptionSpec;
        if (w.kind !== g.kind) throw bad(`bad option ${i + 1}: expected ${w.kind}, got ${g.kind}`);
        if (w.kind === 'TS' && g.kind === 'TS') {
          this.recordTs(w.val, options[i] as { kind: 'TS'; val: number; ecr: number });
          if (this.cfg.tcpTsTickUsecs > 0) {
            const err = Math.abs(g.val - w.val) * this.cfg.tcpTsTickUsecs;
            if (err > this.tolerance(this.sim.now(), 0))
              throw bad(`bad TS val: expected ${w.val}, got ${g.val}`);
          }
          continue;
        }
        if (JSON.stringify(w) !== JSON.stringify(g)) throw bad(`bad option ${i + 1}`);
      }
    } else {
      for (const o of options) if (o.kind === 'TS') this.recordTs(this.scriptTsVal(o.val, p), o);
    }
  }

  private scriptTsVal(live: number, p: TcpPacketAction): number {
    if (!this.tsBase) {
      const ts = p.options && p.options !== 'ellipsis' ? p.options.find((o) => o.kind === 'TS') : undefined;
      this.tsBase = { script: ts && ts.kind === 'TS' ? ts.val : 0, live };
    }
    return (this.tsBase.script + (live - this.tsBase.live)) >>> 0;
  }

  private recordTs(scriptVal: number, live: { val: number }): void {
    this.tsTable.set(scriptVal, live.val);
  }

  // --- system calls ------------------------------------------------------------------------

  private syscall(e: Event, c: SyscallAction, expected: number): void {
    const isBlocking = e.time.blockingEnd !== undefined;
    this.pollBlocking();
    if (this.blocking && !this.blocking.done) {
      throw new Fail(
        `line ${e.line}: a system call while the blocking call at line ${this.blocking.event.line} is in progress`,
      );
    }
    const attempt = this.callFor(e, c);
    if (isBlocking) {
      // END counts from the same anchor as the start (packetdrill's event_time).
      this.anchorAtBlockStart = e.time.kind === 'relative' ? this.anchor : 0;
      this.blockStart = expected;
      this.blocking = { event: e, call: c, attempt, done: false };
      this.anchor = expected;
      this.pollBlocking();
      return;
    }
    let result: number;
    let errno: string | undefined;
    try {
      result = attempt();
    } catch (err) {
      if (!(err instanceof SocketError)) throw err;
      if (err.errno === 'EAGAIN' && !this.nonblocking(c)) {
        throw new Fail(`line ${e.line}: \`${formatEvent(e)}\` would block (write it with ...END to let it)`);
      }
      result = -1;
      errno = err.errno;
    }
    this.checkResult(e, c, result, errno);
    this.anchor = expected;
  }

  private nonblocking(c: SyscallAction): boolean {
    const fd = this.fdArg(c, 0);
    try {
      return (this.sockets.fcntl(fd, 3) & 0o4000) !== 0;
    } catch {
      return true;
    }
  }

  private checkResult(e: Event, c: SyscallAction, result: number, errno?: string): void {
    const want = this.intOf(c.result);
    if (c.name === 'socket' || c.name === 'accept') {
      if (want !== undefined && want >= 0) {
        if (result < 0)
          throw new Fail(`line ${e.line}: ${c.name} failed with ${errno ?? '?'}: \`${formatEvent(e)}\``);
        this.fds.set(want, result);
        if (c.name === 'accept') this.sut = result;
        return;
      }
    }
    if (want !== undefined && result !== want) {
      throw new Fail(
        `line ${e.line}: \`${formatEvent(e)}\`: expected result ${want} but got ${result}${errno ? ` with errno ${errno}` : ''}`,
      );
    }
    if (c.errno !== undefined && c.errno !== errno) {
      throw new Fail(
        `line ${e.line}: \`${formatEvent(e)}\`: expected errno ${c.errno} but got ${errno ?? 'none'}`,
      );
    }
  }

  private intOf(x: Expr | undefined): number | undefined {
    if (!x) return undefined;
    switch (x.kind) {
      case 'int':
        return x.value;
      case 'symbol': {
        const v = SYMBOLS[x.name];
        if (v === undefined) throw new Skip(`unknown symbol ${x.name}`);
        return v;
      }
      case 'or':
        return x.operands.reduce((acc, o) => acc | (this.intOf(o) ?? 0), 0);
      case 'intptr':
        return this.intOf(x.value);
      case 'call':
        if (x.name === 'htons' || x.name === 'ntohs') return this.intOf(x.args[0]);
        return undefined;
      default:
        return undefined;
    }
  }

  private fdArg(c: SyscallAction, i: number): number {
    const scriptFd = this.intOf(c.args[i]);
    if (scriptFd === undefined) throw new Fail(`${c.name}: the fd argument is missing`);
    return this.fds.get(scriptFd) ?? scriptFd + 1000;
  }

  /** A function performing the call once (throws SocketError when it fails or would block). */
  private callFor(e: Event, c: SyscallAction): () => number {
    const s = this.sockets;
    const arg = (i: number) => this.intOf(c.args[i]);
    switch (c.name) {
      case 'socket':
        return () => s.socket(2, arg(1) ?? 1, arg(2) ?? 6);
      case 'bind': {
        const fd = this.fdArg(c, 0);
        return () => {
          s.bind(fd, this.cfg.localIp ?? LOCAL_IP, this.cfg.bindPort);
          this.localPort = this.cfg.bindPort;
          return 0;
        };
      }
      case 'listen': {
        const fd = this.fdArg(c, 0);
        return () => {
          s.listen(fd, arg(1) ?? 128);
          this.sut = fd;
          return 0;
        };
      }
      case 'accept': {
        const fd = this.fdArg(c, 0);
        return () => s.accept(fd).fd;
      }
      case 'connect': {
        const fd = this.fdArg(c, 0);
        let started = false;
        return () => {
          this.sut = fd;
          if (!started) {
            started = true;
            s.connect(fd, this.cfg.remoteIp ?? REMOTE_IP, this.cfg.connectPort);
            return 0;
          }
          // A blocking connect() waits for the handshake, then reports how it ended.
          const r = s.poll(fd, 4);
          if (!r) throw new SocketError('EINPROGRESS', 'connect');
          const err = s.getsockopt(fd, 'SOL_SOCKET', 'SO_ERROR') as number;
          if (err !== 0) throw new SocketError(errnoName(err) ?? 'ECONNREFUSED', 'connect');
          return 0;
        };
      }
      case 'write':
      case 'send':
      case 'sendto': {
        const fd = this.fdArg(c, 0);
        const n = arg(2) ?? 0;
        const flags = c.name === 'write' ? 0 : (arg(3) ?? 0);
        if (c.args[1]?.kind === 'null') return () => fail('EFAULT', c.name);
        return this.writer(e, fd, n, flags);
      }
      case 'sendmsg': {
        const fd = this.fdArg(c, 0);
        const n = this.iovLength(c.args[1]);
        const flags = arg(2) ?? 0;
        return this.writer(e, fd, n, flags);
      }
      case 'read':
      case 'recv':
      case 'recvfrom': {
        const fd = this.fdArg(c, 0);
        const n = arg(2) ?? 0;
        return () => s.read(fd, new Uint8Array(n));
      }
      case 'close': {
        const fd = this.fdArg(c, 0);
        return () => {
          s.close(fd);
          return 0;
        };
      }
      case 'shutdown': {
        const fd = this.fdArg(c, 0);
        return () => {
          s.shutdown(fd, arg(1) ?? 2);
          return 0;
        };
      }
      case 'fcntl': {
        const fd = this.fdArg(c, 0);
        return () => s.fcntl(fd, arg(1) ?? 0, arg(2) ?? 0);
      }
      case 'ioctl': {
        const fd = this.fdArg(c, 0);
        const want = arg(2);
        return () => {
          const v = s.ioctl(fd, arg(1) ?? 0);
          if (want !== undefined && v !== want) {
            throw new Fail(`line ${e.line}: \`${formatEvent(e)}\`: ioctl gave ${v}`);
          }
          return 0;
        };
      }
      case 'setsockopt': {
        const fd = this.fdArg(c, 0);
        return () => {
          const level = arg(1) ?? 0;
          const name = arg(2) ?? 0;
          if (level === 0) return 0; // IPPROTO_IP: IP_TOS, IP_MTU_DISCOVER change nothing checked here
          s.setsockopt(fd, level, name, this.optValue(c.args[3], name));
          return 0;
        };
      }
      case 'getsockopt': {
        const fd = this.fdArg(c, 0);
        return () => {
          const level = arg(1) ?? 0;
          const name = arg(2) ?? 0;
          const v = s.getsockopt(fd, level, name);
          const wantExpr = c.args[3];
          if (wantExpr && wantExpr.kind === 'intptr') {
            const want = this.intOf(wantExpr);
            if (typeof v === 'number' && want !== undefined && v !== want) {
              throw new Fail(`line ${e.line}: \`${formatEvent(e)}\`: the option's value is ${v}`);
            }
          }
          return 0;
        };
      }
      case 'poll':
        throw new Skip('poll() is not supported by the runner yet');
      default:
        throw new Skip(`system call ${c.name} is not supported`);
    }
  }

  /**
   * write(): a blocking call queues every byte before it returns (Linux's tcp_sendmsg waits for
   * room); a non-blocking one returns what fitted.
   */
  private writer(e: Event, fd: number, n: number, flags: number): () => number {
    const blocking = e.time.blockingEnd !== undefined;
    let done = 0;
    let waiting = false;
    return () => {
      for (;;) {
        // A blocked writer sleeps in sk_stream_wait_memory until sk_stream_write_space wakes it,
        // which is when POLLOUT would be reported (__sk_stream_is_writeable).
        if (waiting && !(this.sockets.poll(fd, POLLOUT) & POLLOUT))
          throw new SocketError('EAGAIN', 'write', 'waiting for send buffer space');
        waiting = false;
        try {
          done += this.sockets.write(fd, new Uint8Array(n - done), flags);
        } catch (err) {
          if (done > 0 && !blocking && err instanceof SocketError && err.errno === 'EAGAIN') return done;
          if (blocking && err instanceof SocketError && err.errno === 'EAGAIN') waiting = true;
          throw err;
        }
        if (done >= n || !blocking) return done;
      }
    };
  }

  private optValue(x: Expr | undefined, name: number): OptionValue {
    if (!x) return 0;
    if (x.kind === 'struct') {
      const f = (n: string) => this.intOf(x.fields.find((k) => k.name === n)?.value) ?? 0;
      return { onoff: f('onoff'), linger: f('linger') };
    }
    if (x.kind === 'string') return x.value;
    void name;
    return this.intOf(x) ?? 0;
  }

  private iovLength(x: Expr | undefined): number {
    if (!x || x.kind !== 'struct') return 0;
    const iov = x.fields.find((f) => f.name === 'msg_iov')?.value;
    if (!iov || iov.kind !== 'array') return 0;
    let n = 0;
    for (const el of iov.elements) if (el.kind === 'list') n += this.intOf(el.elements[1]) ?? 0;
    return n;
  }
}

function fail(errno: 'EFAULT', call: string): never {
  throw new SocketError(errno, call);
}

function fmt(us: number): string {
  return (us / 1e6).toFixed(6);
}
