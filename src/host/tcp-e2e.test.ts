import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import { ipv4 } from '../wire/index.js';
import { Host } from './host.js';
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

test('recycled packet buffers: what a link observer or a hook saw, even hops before, is never overwritten', () => {
  // a -> router -> b: the segments a sends are observed on the first link and by the router's
  // hook, then forwarded; the second link, which nobody observes, must not recycle them.
  const sim = new Simulator({ seed: 7 });
  const mk = (name: string, settings = {}) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const a = mk('a');
  const router = mk('router', { ip_forward: 1 });
  const b = mk('b');
  const l1 = new PointToPointLink(sim, { name: 'l1', both: { delayUs: 1000 } });
  const l2 = new PointToPointLink(sim, { name: 'l2', both: { delayUs: 1000 } });
  a.addInterface(l1.a, '10.0.1.2/24');
  router.addInterface(l1.b, '10.0.1.1/24');
  router.addInterface(l2.a, '10.0.2.1/24');
  b.addInterface(l2.b, '10.0.2.2/24');
  a.setDefaultGateway('10.0.1.1');
  b.setDefaultGateway('10.0.2.1');
  // Packets as the observer and the hook saw them, with a copy taken at the time to compare.
  const seen: { pkt: Uint8Array; copy: Uint8Array }[] = [];
  l1.ab.observer = (_t, p) => seen.push({ pkt: p, copy: p.slice() });
  router.onPacket = (dir, _i, p) => {
    if (dir === 'out') seen.push({ pkt: p, copy: p.slice() });
  };
  const data = new Uint8Array(300_000).fill(0xa5);
  let got = 0;
  const listener = b.tcp.listen(0, 80, 8, () => {
    const c = listener.accept();
    if (!c) return;
    const buf = new Uint8Array(65536);
    const drain = (): void => {
      for (let n = c.readInto(buf, sim.now()); n > 0; n = c.readInto(buf, sim.now())) got += n;
    };
    b.tcp.observe(c, (ev) => ev === 'readable' && drain());
    drain();
    c.send(data, sim.now());
  });
  let sent = 0;
  const client = a.tcp.connect(ipv4('10.0.2.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') {
        while (sent < data.length) {
          const n = client.send(data.subarray(sent), sim.now());
          if (n === 0) break;
          sent += n;
        }
      }
      if (ev === 'readable') client.readInto(new Uint8Array(65536), sim.now());
    },
  });
  sim.run({ until: 10e6 });
  assert.equal(got, data.length);
  assert.ok(seen.length > 200, `${seen.length} packets seen`);
  // The router rewrites the IP header of what it forwards (TTL, checksum) in place; the TCP
  // segment behind it is what a reuse would overwrite.
  for (const s of seen) assert.deepEqual(s.pkt.subarray(20), s.copy.subarray(20));
});
