import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transfer } from './tcp-peer.test-util.js';

test('handshake, data both ways and the four-way close on a clean link', () => {
  const r = transfer(1, 10_000, 20_000);
  assert.equal(r.gotByServer, 10_000);
  assert.equal(r.gotByClient, 20_000);
  assert.ok(r.ok, 'bytes arrive intact');
  assert.equal(r.clientState, 'CLOSED');
  assert.equal(r.serverState, 'CLOSED');
  assert.equal(r.tables, 0, 'nothing left after TIME-WAIT');
  assert.equal(r.a.counters.Tcp.ActiveOpens, 1);
  assert.equal(r.b.counters.Tcp.PassiveOpens, 1);
  assert.equal(r.a.counters.Tcp.CurrEstab + r.b.counters.Tcp.CurrEstab, 0);
});

test('1,000 seeds over lossy, reordering, duplicating links: intact data, clean close, empty tables', () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 1000; seed++) {
    const loss = seed % 2 === 0 ? 0.1 : 0.05;
    const r = transfer(seed, 20_000, 30_000, {
      both: { delayUs: 10_000, loss, reorder: 0.05, reorderDelayUs: 5000, duplicate: 0.01 },
    });
    if (!r.ok || r.clientState !== 'CLOSED' || r.serverState !== 'CLOSED' || r.tables !== 0) {
      failures.push(
        `seed ${seed}: intact=${r.ok} up=${r.gotByServer} down=${r.gotByClient} client=${r.clientState} server=${r.serverState} left=${r.tables} (replay: transfer(${seed}, …))`,
      );
    }
  }
  assert.deepEqual(failures, []);
});
