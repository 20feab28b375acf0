import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host } from '../host/host.js';
import type { NetDevice } from '../link/device.js';
import { fairnessRun } from './fairness.js';
import { SCENARIOS } from './index.js';
import type { RunObserver } from './scenario.js';
import { textbookRun } from './textbook-congestion.js';

/** An observer that counts what it is shown and what passes through the devices it wraps. */
function watcher() {
  const seen = { sims: 0, hosts: new Set<Host>(), devices: 0, packets: 0 };
  const observer: RunObserver = {
    simulator: () => void seen.sims++,
    host: (h) => void seen.hosts.add(h),
    device: (_h, d: NetDevice) => {
      seen.devices++;
      const wrapped: NetDevice = {
        get mtu() {
          return d.mtu;
        },
        get checksumOffload() {
          return d.checksumOffload;
        },
        transmit: (p) => {
          seen.packets++;
          d.transmit(p);
        },
        onReceive: null,
      };
      d.onReceive = (p) => wrapped.onReceive?.(p);
      return wrapped;
    },
  };
  return { seen, observer };
}

test('every scenario makes its simulator, hosts and interfaces through the run observer (for --out and reports)', () => {
  for (const sc of SCENARIOS) {
    if (sc.name === 'syn-flood' || sc.name === 'fairness') continue; // long runs: checked below
    const { seen, observer } = watcher();
    const out = sc.run({ seed: 1, settings: {}, progress: () => {}, observer });
    assert.ok(seen.sims >= 1, `${sc.name}: simulator`);
    assert.ok(out.hosts.length > 0, `${sc.name}: hosts`);
    for (const h of out.hosts)
      assert.ok(seen.hosts.has(h), `${sc.name}: host ${h.name} shown to the observer`);
    assert.ok(seen.devices >= out.hosts.length, `${sc.name}: every interface wrapped`);
    assert.ok(seen.packets > 0, `${sc.name}: packets went through the wrapped devices`);
  }
  const f = watcher();
  const r = fairnessRun(
    1,
    { algorithms: ['reno', 'reno'], bottleneckBps: 10e6, rttUs: 20_000, durationS: 1 },
    f.observer,
  );
  for (const h of r.hosts) assert.ok(f.seen.hosts.has(h), `fairness: host ${h.name}`);
  assert.ok(f.seen.packets > 0 && f.seen.sims === 1);
  const t = watcher();
  const run = textbookRun(1, 'reno', 'timeout', {}, t.observer);
  for (const h of run.hosts) assert.ok(t.seen.hosts.has(h));
  assert.equal(t.seen.devices, 2);
  assert.ok(t.seen.packets > 0);
});
