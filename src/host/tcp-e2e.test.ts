import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointToPointLink, type PointToPointOptions } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { describePacket } from '../wire/packet.js';
import { Host } from './host.js';

export function pair(seed: number, link: PointToPointOptions = { both: { delayUs: 10_000 } }, settings = {}) {
  const sim = new Simulator({ seed });
  const mk = (name: string) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const a = mk('a');
  const b = mk('b');
  const l = new PointToPointLink(sim, { name: 'l', ...link });
  a.addInterface(l.a, '10.0.0.1/24');
  b.addInterface(l.b, '10.0.0.2/24');
  return { sim, a, b, l };
}

/** Read everything readable from a connection into `sink`. */
function drain(c: TcpConnection, now: number, sink: number[]): void {
  const buf = new Uint8Array(65536);
  for (let n = c.readInto(buf, now); n > 0; n = c.readInto(buf, now))
    for (let i = 0; i < n; i++) sink.push(buf[i] as number);
}

function pattern(n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + salt) & 255);
}

/**
 * A client sends `up` bytes, the server sends `down` bytes, both close. Returns what each got and
 * the final states.
 */
export function transfer(seed: number, up: number, down: number, link?: PointToPointOptions, trace = false) {
  const { sim, a, b, l } = pair(seed, link);
  if (trace) l.observe((t, p) => console.log((t / 1e6).toFixed(6), describePacket(p)));
  const gotByServer: number[] = [];
  const gotByClient: number[] = [];
  const upData = pattern(up, 1);
  const downData = pattern(down, 2);
  let server: TcpConnection | null = null;
  let upSent = 0;
  let downSent = 0;
  const pump = (c: TcpConnection, data: Uint8Array, sent: number, setSent: (n: number) => void) => {
    let s = sent;
    while (s < data.length) {
      const n = c.send(data.subarray(s, Math.min(data.length, s + 65536)), sim.now());
      if (n === 0) break;
      s += n;
    }
    setSent(s);
    if (s === data.length) c.shutdownWrite(sim.now());
  };
  const listener = b.tcp.listen(0, 80, 128, () => {
    const c = listener.accept();
    if (!c) return;
    server = c;
    b.tcp.observe(c, (ev) => {
      if (ev === 'readable') {
        drain(c, sim.now(), gotByServer);
        if (c.eof) pump(c, downData, downSent, (n) => (downSent = n));
      }
      if (ev === 'writable' && c.eof) pump(c, downData, downSent, (n) => (downSent = n));
    });
    drain(c, sim.now(), gotByServer);
  });
  const client = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') pump(client, upData, upSent, (n) => (upSent = n));
      if (ev === 'readable') drain(client, sim.now(), gotByClient);
    },
  });
  sim.run({ until: 3_600e6 });
  const ok =
    gotByServer.length === up &&
    gotByClient.length === down &&
    gotByServer.every((v, i) => v === upData[i]) &&
    gotByClient.every((v, i) => v === downData[i]);
  return {
    sim,
    a,
    b,
    ok,
    gotByServer: gotByServer.length,
    gotByClient: gotByClient.length,
    clientState: client.state,
    serverState: (server as TcpConnection | null)?.state ?? 'none',
    tables: a.tcp.connections.size + b.tcp.connections.size,
  };
}

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
