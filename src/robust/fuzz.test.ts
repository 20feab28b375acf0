import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seqAdd } from '../tcp/seq.js';
import { buildTcpPacket } from '../wire/packet.js';
import { TcpSegment } from '../wire/tcp-segment.js';
import { fuzz } from './fuzz.js';
import { fixChecksums } from './generate.js';
import { Invariants } from './invariants.js';
import { FUZZ_STATES, FuzzWorld, TARGET, type Slot } from './world.js';

const SEED = Number(process.env.SYNACK_FUZZ_SEED ?? 1);
const PACKETS = Number(process.env.SYNACK_FUZZ_PACKETS ?? 100_000);

test('the scripted peer puts sockets in every TCP state', () => {
  const w = new FuzzWorld(1).setUp();
  const have = w.states();
  for (const s of FUZZ_STATES) assert.ok(have.has(s), `no socket in ${s}`);
  assert.equal(new Invariants(w.host).check(), null);
});

test(`fuzz: ${PACKETS} hostile packets at every state, invariants after each (seed ${SEED})`, () => {
  const r = fuzz({ seed: SEED, packets: PACKETS });
  const f = r.failure;
  assert.equal(f, null, f ? `${f.error}\npacket ${f.packet} (${f.kind}): ${f.hex}\nreplay: ${f.replay}` : '');
  assert.deepEqual(r.states, [...FUZZ_STATES]);
  assert.equal(r.packets, PACKETS);
  // The drops have reasons from every layer: IP, TCP parsing, and the engine's RFC 5961 checks.
  for (const reason of [
    'ip-checksum',
    'tcp-checksum',
    'fragment',
    'tcp-reset',
    'tcp-invalid-syn',
    'tcp-rfc7323-paws',
  ])
    assert.ok((r.drops[reason] ?? 0) > 0, `no drop counted as ${reason}`);
  console.log(
    `packets ${r.packets} in ${r.rounds} rounds (${Object.entries(r.byKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); memory high-water ${r.memoryHighWater} bytes, ${r.connectionsHighWater} connections`,
  );
});

/** Numbers near an edge (the interesting ones), or anywhere. */
const delta = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -70000, max: 70000 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);

const segmentArb = fc.record({
  slot: fc.nat(15),
  flags: fc.oneof(
    fc.constantFrom(0x10, 0x18, 0x11, 0x04, 0x14, 0x02, 0x12, 0x01),
    fc.integer({ min: 0, max: 255 }),
  ),
  seq: delta,
  ack: delta,
  len: fc.oneof(fc.constant(0), fc.nat(100), fc.nat(1460)),
  window: fc.nat(65535),
  ts: fc.option(fc.tuple(fc.nat(), fc.boolean()), { nil: null }),
  sack: fc.array(fc.tuple(delta, fc.nat(5000)), { maxLength: 3 }),
  waitUs: fc.oneof(fc.constant(0), fc.nat(2_000_000)),
});

test('property (fast-check): any sequence of aimed segments leaves every invariant standing', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.array(segmentArb, { minLength: 1, maxLength: 30 }),
      (seed, segs) => {
        const w = new FuzzWorld(seed).setUp();
        const inv = new Invariants(w.host);
        for (const x of segs) {
          const s = w.slots[x.slot % w.slots.length] as Slot;
          const seg = new TcpSegment();
          seg.srcPort = s.peerPort;
          seg.dstPort = s.localPort;
          seg.seq = seqAdd(s.peerNxt, x.seq);
          seg.ack = seqAdd(s.hostNxt, x.ack);
          seg.flags = x.flags;
          seg.window = x.window;
          if (x.ts) {
            seg.hasTimestamp = true;
            seg.tsVal = x.ts[0] >>> 0;
            seg.tsEcr = x.ts[1] ? s.hostTs : 0;
          }
          for (const [l, n] of x.sack) seg.addSack(seqAdd(s.hostNxt, l), seqAdd(s.hostNxt, l + n));
          seg.payload = new Uint8Array(x.len);
          w.inject(buildTcpPacket(s.peerAddr, TARGET, seg));
          if (x.waitUs) w.sim.runFor(x.waitUs);
          assert.equal(inv.check(), null);
        }
      },
    ),
    { numRuns: 150, seed: SEED },
  );
});

test('property (fast-check): captured packets with any bytes changed never throw or break invariants', () => {
  const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.array(
        fc.record({
          pick: fc.nat(),
          edits: fc.array(edit, { maxLength: 6 }),
          cut: fc.option(fc.nat(), { nil: null }),
          fix: fc.boolean(),
        }),
        {
          minLength: 1,
          maxLength: 30,
        },
      ),
      (seed, muts) => {
        const w = new FuzzWorld(seed).setUp();
        const inv = new Invariants(w.host);
        const corpus = w.tap.corpus.slice();
        for (const m of muts) {
          let p = (corpus[m.pick % corpus.length] as Uint8Array).slice();
          for (const e of m.edits) p[e.at % p.length] = e.value;
          if (m.cut !== null) p = p.subarray(0, m.cut % (p.length + 1));
          if (m.fix) fixChecksums(p);
          w.inject(p);
          assert.equal(inv.check(), null);
        }
      },
    ),
    { numRuns: 150, seed: SEED },
  );
});
