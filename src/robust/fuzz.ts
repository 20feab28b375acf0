import type { Rng } from '../sim/rng.js';
import { aimedSegment, fragments, icmpError, mutate, randomPacket, type PacketKind } from './generate.js';
import { Invariants } from './invariants.js';
import { FUZZ_STATES, FuzzWorld } from './world.js';

export interface FuzzOptions {
  seed: number;
  /** Packets to send in all. */
  packets: number;
  /** Packets per round; each round builds a fresh host with sockets in every state. */
  perRound?: number;
  /** Replay one round only (what a failure report names). */
  round?: number;
  /** Heap in use (the CLI passes process.memoryUsage); sampled between rounds. */
  heapUsed?: () => number;
  /** Called after each round. */
  onRound?: (r: FuzzReport) => void;
}

export interface FuzzFailure {
  seed: number;
  round: number;
  /** Index of the packet within the round. */
  packet: number;
  kind: PacketKind | 'timers' | 'teardown' | 'setup';
  error: string;
  /** The packet that broke it, as hex. */
  hex: string;
  replay: string;
}

export interface FuzzReport {
  seed: number;
  packets: number;
  rounds: number;
  byKind: Record<PacketKind, number>;
  /** Drops by reason over the run. */
  drops: Record<string, number>;
  /** The states sockets were in when the fuzzing of a round began. */
  states: string[];
  /** Highest TCP buffer plus fragment memory of a host (bytes). */
  memoryHighWater: number;
  connectionsHighWater: number;
  /** Connections made afresh to keep every state under attack. */
  revived: number;
  /** Highest heap in use (bytes), if the caller measures it. */
  heapHighWater: number;
  failure: FuzzFailure | null;
}

const DEFAULT_PER_ROUND = 5000;
/** Every this many packets, states the fuzzing has emptied get a fresh connection. */
const REVIVE_EVERY = 25;
/** Long enough for every timer of a closed connection to run out (orphan retries, TIME-WAIT). */
const TEARDOWN_US = 30 * 60e6;

function roundSeed(seed: number, round: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(round + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

function hex(p: Uint8Array): string {
  let s = '';
  for (const b of p) s += b.toString(16).padStart(2, '0');
  return s;
}

function pickKind(rng: Rng): PacketKind {
  const r = rng.next();
  if (r < 0.4) return 'aimed';
  if (r < 0.65) return 'mutated';
  if (r < 0.75) return 'replayed';
  if (r < 0.85) return 'random';
  if (r < 0.95) return 'fragments';
  return 'icmp';
}

function generate(kind: PacketKind, rng: Rng, w: FuzzWorld): Uint8Array[] {
  const corpus = w.tap.corpus;
  const pick = () => corpus[rng.int(0, corpus.length - 1)] as Uint8Array;
  switch (kind) {
    case 'aimed':
      return [aimedSegment(rng, w)];
    case 'mutated':
      return [mutate(rng, pick())];
    case 'replayed':
      return [pick().slice()];
    case 'random':
      return [randomPacket(rng)];
    case 'fragments':
      return fragments(rng, w);
    case 'icmp':
      return [icmpError(rng, w)];
  }
}

/**
 * Send malformed, mutated, replayed, random and fragmented packets at a host holding sockets in
 * every TCP state. After every packet: nothing thrown, the invariants hold (invariants.ts), and the
 * packet was either taken by a protocol or counted as a drop with a reason. After every round: the
 * application closes everything, and once the timers have run the host holds no connection, no
 * buffer memory and no fragment. Deterministic: the seed (and round) replays a failure exactly.
 */
export function fuzz(o: FuzzOptions): FuzzReport {
  const perRound = o.perRound ?? DEFAULT_PER_ROUND;
  const report: FuzzReport = {
    seed: o.seed,
    packets: 0,
    rounds: 0,
    byKind: { aimed: 0, mutated: 0, replayed: 0, random: 0, fragments: 0, icmp: 0 },
    drops: {},
    states: [],
    memoryHighWater: 0,
    connectionsHighWater: 0,
    revived: 0,
    heapHighWater: 0,
    failure: null,
  };
  const states = new Set<string>();
  const first = o.round ?? 0;
  for (let round = first; report.packets < o.packets; round++) {
    const n = Math.min(perRound, o.packets - report.packets);
    runRound(o.seed, round, n, report, states);
    report.rounds++;
    if (o.heapUsed) report.heapHighWater = Math.max(report.heapHighWater, o.heapUsed());
    o.onRound?.(report);
    if (report.failure || o.round !== undefined) break;
  }
  report.states = FUZZ_STATES.filter((s) => states.has(s));
  return report;
}

function runRound(seed: number, round: number, n: number, report: FuzzReport, states: Set<string>): void {
  const fail = (packet: number, kind: FuzzFailure['kind'], error: string, p?: Uint8Array) => {
    report.failure = {
      seed,
      round,
      packet,
      kind,
      error,
      hex: p ? hex(p) : '',
      replay: `npx synack fuzz --seed ${seed} --round ${round} --per-round ${n}`,
    };
  };
  let w: FuzzWorld;
  try {
    w = new FuzzWorld(roundSeed(seed, round)).setUp();
  } catch (e) {
    fail(0, 'setup', `setting up threw: ${String(e)}`);
    return;
  }
  const have = w.states();
  for (const s of have) states.add(s);
  const missing = FUZZ_STATES.filter((s) => !have.has(s));
  if (missing.length > 0) {
    fail(0, 'setup', `no socket in ${missing.join(', ')}`);
    return;
  }
  const host = w.host;
  const c = host.counters;
  const inv = new Invariants(host);
  const rng = w.sim.rng.fork('fuzz');
  for (let i = 0; i < n; i++) {
    const kind = pickKind(rng);
    const pkts = generate(kind, rng, w);
    report.byKind[kind]++;
    report.packets++;
    for (const p of pkts) {
      const taken = c.Tcp.InSegs + c.Icmp.InMsgs + c.Ip.ReasmReqds + c.Udp.InDatagrams;
      const dropped = c.dropTotal;
      try {
        w.inject(p);
      } catch (e) {
        fail(
          i,
          kind,
          `threw out of the stack: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
          p,
        );
        return;
      }
      if (
        c.dropTotal === dropped &&
        c.Tcp.InSegs + c.Icmp.InMsgs + c.Ip.ReasmReqds + c.Udp.InDatagrams === taken
      ) {
        fail(i, kind, 'packet neither taken nor counted as a drop', p);
        return;
      }
    }
    if (i % REVIVE_EVERY === REVIVE_EVERY - 1) {
      try {
        report.revived += w.revive();
      } catch (e) {
        fail(i, 'setup', `reviving threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return;
      }
    }
    if (rng.chance(0.05)) {
      try {
        w.sim.runFor(rng.int(0, 300_000));
      } catch (e) {
        fail(i, 'timers', `a timer threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return;
      }
    }
    const broken = inv.check((i & 63) === 0);
    if (broken) {
      fail(i, kind, `invariant: ${broken}`, pkts[pkts.length - 1]);
      return;
    }
  }
  try {
    w.closeAll();
    w.sim.runFor(TEARDOWN_US);
  } catch (e) {
    fail(n, 'teardown', `closing threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return;
  }
  const left = [...host.tcp.connections.values()].map((x) => x.state);
  if (left.length > 0) fail(n, 'teardown', `connections left after close: ${left.join(', ')}`);
  else if (host.tcp.memoryAllocated !== 0)
    fail(n, 'teardown', `tcp_mem still charged: ${host.tcp.memoryAllocated}`);
  else if (host.fragmentMemory !== 0) fail(n, 'teardown', `fragments still held: ${host.fragmentMemory}`);
  report.memoryHighWater = Math.max(report.memoryHighWater, inv.memoryHighWater);
  report.connectionsHighWater = Math.max(report.connectionsHighWater, inv.connectionsHighWater);
  for (const [r, v] of c.drops) report.drops[r] = (report.drops[r] ?? 0) + v;
}
