import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkTransfer } from './bulk.test-util.js';

const BAD_LINK = {
  both: { delayUs: 10_000, loss: 0.1, reorder: 0.05, reorderDelayUs: 5000, duplicate: 0.01, corrupt: 0.001 },
};

test('1,000 seeds: 1 MiB each way over 10% loss, 5% reordering, 1% duplication, 0.1% corruption', (t) => {
  const seeds = Number(process.env.SYNACK_BULK_SEEDS ?? 1000);
  const failures: string[] = [];
  let retransmits = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = bulkTransfer(seed, 1 << 20, 1 << 20, BAD_LINK);
    retransmits += r.retransmits;
    if (
      !r.intact ||
      r.clientState !== 'CLOSED' ||
      r.serverState !== 'CLOSED' ||
      r.tables !== 0 ||
      r.errors.length
    ) {
      failures.push(
        `seed ${seed}: intact=${r.intact} up=${r.up} down=${r.down} client=${r.clientState} ` +
          `server=${r.serverState} left=${r.tables} errors=${r.errors.join(',')} ` +
          `(replay: bulkTransfer(${seed}, 1 << 20, 1 << 20, BAD_LINK) in src/host/tcp-bulk.test.ts)`,
      );
    }
  }
  t.diagnostic(`${seeds} transfers, ${retransmits} retransmissions in all, ${failures.length} failures`);
  assert.deepEqual(failures, []);
});
