import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { Host } from './host.js';

/** a — r1 — r2 — b; the middle link's MTU is `mtuMiddle`, the others 1500. */
function routed(seed: number, mtuMiddle: number) {
  const sim = new Simulator({ seed });
  const mk = (name: string, settings = {}) =>
    new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings });
  const a = mk('a');
  const r = mk('r1', { ip_forward: 1 });
  const r2 = mk('r2', { ip_forward: 1 });
  const b = mk('b');
  const l1 = new PointToPointLink(sim, { name: 'l1', both: { delayUs: 5000 } });
  const l2 = new PointToPointLink(sim, { name: 'l2', both: { delayUs: 5000, mtu: mtuMiddle } });
  const l3 = new PointToPointLink(sim, { name: 'l3', both: { delayUs: 5000 } });
  a.addInterface(l1.a, '10.0.1.2/24');
  r.addInterface(l1.b, '10.0.1.1/24');
  r.addInterface(l2.a, '10.0.2.1/24');
  r2.addInterface(l2.b, '10.0.2.2/24');
  r2.addInterface(l3.a, '10.0.3.1/24');
  b.addInterface(l3.b, '10.0.3.2/24');
  a.setDefaultGateway('10.0.1.1');
  r.setDefaultGateway('10.0.2.2');
  r2.setDefaultGateway('10.0.2.1');
  b.setDefaultGateway('10.0.3.1');
  return { sim, a, r, b };
}

test('path MTU discovery: frag-needed from a router lowers the MSS and the data is resent (RFC 1191)', () => {
  const { sim, a, r, b } = routed(1, 1280);
  let got = 0;
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => {
    server = l.accept();
    const s = server as unknown as TcpConnection;
    b.tcp.observe(s, (ev) => {
      if (ev === 'readable') got += s.readInto(new Uint8Array(1 << 20), sim.now());
    });
  });
  const c = a.tcp.connect(ipv4('10.0.3.2'), 80);
  sim.runFor(100_000);
  assert.equal(c.info(sim.now()).tcpi_snd_mss, 1460 - 12, 'both ends are on 1500-byte links');
  const data = new Uint8Array(100_000);
  let sent = 0;
  const pump = () => {
    while (sent < data.length) {
      const n = c.send(data.subarray(sent), sim.now());
      if (!n) break;
      sent += n;
    }
  };
  a.tcp.observe(c, (ev) => ev === 'writable' && pump());
  pump();
  sim.runFor(30e6);
  assert.equal(got, 100_000);
  assert.equal(c.info(sim.now()).tcpi_snd_mss, 1240 - 12, 'MSS 1240 less 12 bytes of timestamps');
  assert.equal(a.mtuFor(ipv4('10.0.3.2')), 1280);
  assert.equal(c.info(sim.now()).tcpi_pmtu, 1280);
  // The router counts the packets it could not forward with DF set and the errors it sent; the
  // sender counts the errors received.
  assert.ok(r.counters.Ip.FragFails >= 1, 'the router counts IpFragFails');
  assert.ok(r.counters.Icmp.OutDestUnreachs >= 1);
  assert.ok(a.counters.Icmp.InDestUnreachs >= 1);
  // Each dropped 1448-byte segment is resent at once as two pieces (1228 + 220), with no timeout.
  assert.equal(a.counters.Tcp.RetransSegs, 2 * r.counters.Ip.FragFails);
  assert.equal(a.counters.TcpExt.TCPTimeouts, 0);
});

test('a soft ICMP error (time exceeded in a routing loop) does not abort a connection attempt (RFC 1122 4.2.3.9)', () => {
  const { sim, a } = routed(2, 1500);
  // r1 and r2 route unknown destinations to each other: the SYN loops until its TTL runs out.
  const c = a.tcp.connect(ipv4('10.9.9.9'), 80);
  sim.runFor(2e6);
  assert.ok(a.counters.Icmp.InTimeExcds >= 1, 'the time-exceeded error reached the sender');
  assert.equal(c.state, 'SYN-SENT', 'a soft error leaves the attempt running');
});
