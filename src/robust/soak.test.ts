import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soak } from './soak.js';

const SEED = Number(process.env.SYNACK_SOAK_SEED ?? 1);
const HOURS = Number(process.env.SYNACK_SOAK_HOURS ?? 1);

test(`soak: ${HOURS} simulated hour(s) of churn on impaired links, then back to baseline (seed ${SEED})`, () => {
  const t0 = performance.now();
  const r = soak({ seed: SEED, hours: HOURS });
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `soaked ${r.hours} h in ${wall.toFixed(1)} s: ${r.opened} connections (${r.completed} complete, ${r.aborted} reset or cut, ` +
      `${r.failedConnects} failed connects), ${r.vanished} vanished peers, ${r.bytesVerified} bytes verified; ` +
      `high-water ${r.socketsHighWater} sockets, ${r.memoryHighWater} bytes`,
  );
  assert.equal(r.corruptBytes, 0, `replay: npx synack soak --seed ${SEED} --hours ${HOURS}`);
  assert.equal(r.shortTransfers, 0);
  assert.deepEqual(r.leftStates, []);
  assert.equal(r.socketsLeft, 0);
  assert.equal(r.memoryLeft, 0);
  assert.ok(r.vanished >= 1, 'a peer should vanish at least once');
  assert.ok(r.completed > r.opened * 0.8, `${r.completed} of ${r.opened} completed`);
  assert.ok(r.ok);
});
