import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../sim/simulator.js';
import type { NetDevice } from './device.js';
import { impairDevice } from './impaired-device.js';

/** A stand-in for a real device: records what the host sends, lets the test deliver packets. */
function fakeDevice(): NetDevice & { sent: [number, Uint8Array][]; clock: () => number } {
  const dev = {
    mtu: 1500,
    checksumOffload: false,
    onReceive: null as ((p: Uint8Array) => void) | null,
    sent: [] as [number, Uint8Array][],
    clock: () => 0,
    transmit(p: Uint8Array) {
      dev.sent.push([dev.clock(), p]);
    },
  };
  return dev;
}

test('impairDevice delays both directions by the fault model, and loses what it says', () => {
  const seed = 11;
  const sim = new Simulator({ seed });
  const inner = fakeDevice();
  inner.clock = () => sim.now();
  const { device, out, in: inbound } = impairDevice(inner, sim, sim.rng.fork('tun'), { delayUs: 20_000 });
  const got: number[] = [];
  device.onReceive = () => got.push(sim.now());
  device.transmit(new Uint8Array(100));
  inner.onReceive?.(new Uint8Array(60));
  assert.equal(inner.sent.length, 0, 'nothing reaches the real device before the delay');
  sim.run();
  assert.deepEqual(
    inner.sent.map(([t]) => t),
    [20_000],
    `host → device after 20 ms (seed ${seed})`,
  );
  assert.deepEqual(got, [20_000], `device → host after 20 ms (seed ${seed})`);
  assert.equal(out.stats.delivered, 1);
  assert.equal(inbound.stats.delivered, 1);

  // Loss in percent of the CLI becomes a probability: about half of 2000 packets at 0.5.
  const lossy = impairDevice(fakeDevice(), sim, sim.rng.fork('lossy'), { loss: 0.5 });
  for (let i = 0; i < 2000; i++) lossy.device.transmit(new Uint8Array(40));
  sim.run();
  const lost = lossy.out.stats.dropped.loss;
  assert.ok(lost > 900 && lost < 1100, `lost ${lost} of 2000 at p = 0.5 (seed ${seed})`);
});
