import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../sim/simulator.js';
import { PointToPointLink } from './sim-link.js';
import { Switch } from './sim-switch.js';

function packet(n: number, size = 100, dst = 0x0a000002): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x45;
  p[4] = n >> 8;
  p[5] = n & 255;
  p[16] = dst >>> 24;
  p[17] = (dst >>> 16) & 255;
  p[18] = (dst >>> 8) & 255;
  p[19] = dst & 255;
  return p;
}
const idOf = (p: Uint8Array) => ((p[4] as number) << 8) | (p[5] as number);

function collect(link: PointToPointLink, sim: Simulator) {
  const got: { t: number; id: number; p: Uint8Array }[] = [];
  link.b.onReceive = (p) => got.push({ t: sim.now(), id: idOf(p), p });
  return got;
}

test('serialisation and propagation delays are exact', () => {
  const sim = new Simulator({ seed: 1 });
  const link = new PointToPointLink(sim, { ab: { bandwidthBps: 10e6, delayUs: 5000 } });
  const got = collect(link, sim);
  link.a.transmit(packet(1, 1500));
  link.a.transmit(packet(2, 1500));
  sim.run();
  // 1500 bytes at 10 Mbit/s = 1200 µs each; the second waits behind the first.
  assert.deepEqual(
    got.map((g) => g.t),
    [6200, 7400],
  );
});

test('drop-tail queue limit, MTU, down and dropNth', () => {
  const sim = new Simulator({ seed: 1 });
  const link = new PointToPointLink(sim, { ab: { bandwidthBps: 1e6, queueLimitPackets: 3, mtu: 576 } });
  const got = collect(link, sim);
  for (let i = 1; i <= 6; i++) link.a.transmit(packet(i, 500));
  link.a.transmit(packet(7, 600));
  sim.run();
  assert.deepEqual(
    got.map((g) => g.id),
    [1, 2, 3],
  );
  assert.equal(link.ab.stats.dropped.queue, 3);
  assert.equal(link.ab.stats.dropped.mtu, 1);
  link.ab.dropNth(9);
  link.a.transmit(packet(8));
  link.a.transmit(packet(9));
  link.setDown(true);
  link.a.transmit(packet(10));
  link.setDown(false);
  sim.run();
  assert.deepEqual(
    got.map((g) => g.id),
    [1, 2, 3, 8],
  );
  assert.equal(link.ab.stats.dropped.scripted, 1);
  assert.equal(link.ab.stats.dropped.down, 1);
});

test('loss, duplication, reordering and corruption happen at their rates', () => {
  const sim = new Simulator({ seed: 42 });
  const link = new PointToPointLink(sim, {
    ab: { loss: 0.1, duplicate: 0.05, reorder: 0.05, reorderDelayUs: 500, corrupt: 0.02, delayUs: 100 },
  });
  const got = collect(link, sim);
  const N = 20000;
  for (let i = 0; i < N; i++) sim.at(i * 10, () => link.a.transmit(packet(i & 0xffff)));
  sim.run();
  const s = link.ab.stats;
  assert.ok(Math.abs(s.dropped.loss / N - 0.1) < 0.01, `loss ${s.dropped.loss}`);
  assert.ok(Math.abs(s.duplicated / N - 0.045) < 0.01, `dup ${s.duplicated}`);
  assert.ok(Math.abs(s.reordered / N - 0.045) < 0.01, `reorder ${s.reordered}`);
  assert.ok(Math.abs(s.corrupted / N - 0.018) < 0.005, `corrupt ${s.corrupted}`);
  assert.equal(got.length, N - s.dropped.loss + s.duplicated);
  let inversions = 0;
  for (let i = 1; i < got.length; i++)
    if ((got[i] as { id: number }).id < (got[i - 1] as { id: number }).id) inversions++;
  assert.ok(inversions > 0, 'reordering is visible');
  // Every corrupted packet differs from what was sent, and was recorded.
  assert.equal(s.corruptions.length, s.corrupted);
});

test('Gilbert–Elliott losses come in bursts', () => {
  const sim = new Simulator({ seed: 5 });
  const link = new PointToPointLink(sim, {
    ab: { burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.2, lossInBad: 0.9, lossInGood: 0 } },
  });
  const got = collect(link, sim);
  for (let i = 0; i < 20000; i++) link.a.transmit(packet(i & 0xffff));
  sim.run();
  const lostIds = new Set<number>();
  const recv = new Set(got.map((g) => g.id));
  for (let i = 0; i < 20000; i++) if (!recv.has(i & 0xffff)) lostIds.add(i);
  let runs = 0;
  for (const i of lostIds) if (!lostIds.has(i - 1)) runs++;
  const meanBurst = lostIds.size / runs;
  assert.ok(meanBurst > 2, `mean loss burst ${meanBurst.toFixed(2)} packets`);
});

test('the same seed delivers the same bytes in the same order; another seed differs', () => {
  const run = (seed: number) => {
    const sim = new Simulator({ seed });
    const link = new PointToPointLink(sim, {
      both: { loss: 0.05, reorder: 0.05, duplicate: 0.02, corrupt: 0.05, jitterUs: 300 },
    });
    const got = collect(link, sim);
    for (let i = 0; i < 2000; i++) sim.at(i * 50, () => link.a.transmit(packet(i, 60)));
    sim.run();
    return got.map((g) => `${g.t}:${Buffer.from(g.p).toString('hex')}`).join('\n');
  };
  assert.equal(run(11), run(11));
  assert.notEqual(run(11), run(12));
});

test('a switch carries packets to the port that claimed the destination', () => {
  const sim = new Simulator({ seed: 1 });
  const sw = new Switch(sim);
  const p1 = sw.addPort();
  const p2 = sw.addPort({ impairments: { delayUs: 100 } });
  const p3 = sw.addPort({ defaultRoute: true });
  p2.claim(0x0a000002);
  const seen: string[] = [];
  p2.device.onReceive = () => seen.push(`p2@${sim.now()}`);
  p3.device.onReceive = () => seen.push(`p3@${sim.now()}`);
  p1.device.transmit(packet(1, 100, 0x0a000002));
  p1.device.transmit(packet(2, 100, 0x08080808));
  sim.run();
  assert.deepEqual(seen.sort(), ['p2@100', 'p3@0']);
});
