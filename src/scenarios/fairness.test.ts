import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fairnessRun, jain } from './fairness.js';

const DUMBBELL = { bottleneckBps: 100e6, rttUs: 40_000, durationS: 30 };

test("Jain's index: 1 for equal shares, 1/n when one flow has everything", () => {
  assert.equal(jain([5, 5, 5, 5]), 1);
  assert.equal(jain([8, 0, 0, 0]), 0.25);
});

for (const cc of ['reno', 'cubic']) {
  test(`10 ${cc} flows share a 100 Mbit/s, 40 ms, one-BDP bottleneck fairly and fill it`, (t) => {
    const r = fairnessRun(1, { algorithms: Array(10).fill(cc), ...DUMBBELL });
    t.diagnostic(
      `Jain ${r.jainIndex.toFixed(3)}, utilisation ${(100 * r.utilization).toFixed(1)}%, ` +
        `per flow ${r.flowBps.map((b) => (b / 1e6).toFixed(1)).join(' ')} Mbit/s`,
    );
    assert.ok(r.jainIndex >= 0.95, `Jain index ${r.jainIndex} (seed 1, the CLI's default)`);
    assert.ok(r.utilization >= 0.9, `utilisation ${r.utilization}`);
    assert.ok(r.bottleneckDrops > 0, 'the flows did fill the queue');
  });
}

test('CUBIC against Reno (RFC 9438): Reno-friendly at a small BDP, well ahead at a large one', (t) => {
  const share = (r: { flowBps: number[] }) => {
    const cubic = r.flowBps.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0);
    const reno = r.flowBps.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0);
    return cubic / reno;
  };
  const mixed = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 'reno' : 'cubic'));
  // About 66 segments per flow: the cubic curve is below what Reno would have (§4.3), so CUBIC
  // runs in the Reno-friendly region and takes a Reno-sized share.
  const small = share(fairnessRun(1, { algorithms: mixed(10), ...DUMBBELL }));
  // Two flows on 200 Mbit/s × 100 ms: windows of ~1,700 segments, where Reno regains one segment
  // per round trip and CUBIC's curve (§4.2) climbs back in seconds.
  const big = share(
    fairnessRun(1, {
      algorithms: mixed(2),
      bottleneckBps: 200e6,
      rttUs: 100_000,
      durationS: 30,
      settings: { tcp_rmem: '4096 131072 33554432', tcp_wmem: '4096 16384 33554432' },
    }),
  );
  t.diagnostic(
    `CUBIC/Reno goodput: ${small.toFixed(2)} at 100 Mbit/s × 40 ms, ${big.toFixed(2)} at 200 Mbit/s × 100 ms`,
  );
  assert.ok(small > 0.8 && small < 1.25, `Reno-friendly region: ${small}`);
  assert.ok(big > 2, `cubic region: ${big}`);
});
