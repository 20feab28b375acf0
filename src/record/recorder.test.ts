import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Host } from '../host/host.js';
import { PcapWriter, readPcap, LINKTYPE_RAW } from '../link/pcap.js';
import { PointToPointLink } from '../link/sim-link.js';
import { addHost, addInterface } from '../scenarios/scenario.js';
import { Simulator } from '../sim/simulator.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { segmentRecords } from './flow-records.js';
import { Recorder } from './recorder.js';
import { runReport } from './report.js';
import { TcpdumpFormatter } from './tcpdump.js';

/** Two hosts through a router; the 6th data-sized packet on the client's link is dropped. */
function recordedTransfer(seed: number) {
  const chunks: Uint8Array[] = [];
  const rec = new Recorder({ pcap: new PcapWriter((c) => chunks.push(c.slice())) });
  const sim = new Simulator({ seed });
  rec.simulator(sim);
  const mk = (name: string, settings: Record<string, string | number> = {}) =>
    addHost(rec, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }));
  const client = mk('client');
  const router = mk('router', { ip_forward: 1 });
  const server = mk('server');
  const l1 = new PointToPointLink(sim, { both: { delayUs: 1000, bandwidthBps: 100e6 } });
  const l2 = new PointToPointLink(sim, { both: { delayUs: 10_000, bandwidthBps: 10e6 } });
  addInterface(rec, client, l1.a, '10.0.0.2/24');
  addInterface(rec, router, l1.b, '10.0.0.1/24');
  addInterface(rec, router, l2.a, '192.0.2.1/24');
  addInterface(rec, server, l2.b, '192.0.2.2/24');
  client.setDefaultGateway('10.0.0.1');
  server.setDefaultGateway('192.0.2.1');
  let big = 0;
  l2.ab.dropWhen((p) => p.length > 1000 && ++big === 6);
  const l = server.tcp.listen(0, 9, 16, () => {
    const s = l.accept();
    if (!s) return;
    const buf = new Uint8Array(65536);
    server.tcp.observe(s, (ev) => {
      while (s.readInto(buf, sim.now()) > 0);
      if (ev === 'fin') s.close(sim.now());
    });
  });
  const c = client.tcp.connect(ipv4('192.0.2.2'), 9);
  const data = new Uint8Array(60_000);
  let sent = 0;
  client.tcp.observe(c, (ev) => {
    if (ev !== 'established' && ev !== 'writable') return;
    while (sent < data.length) {
      const n = c.send(data.subarray(sent), sim.now());
      if (n === 0) return;
      sent += n;
    }
    c.close(sim.now());
  });
  sim.run({ until: 100e6 });
  return { rec, chunks, c };
}

test('the recorder sees each segment once, when it was sent and when it arrived, and what was lost', () => {
  const { rec, chunks } = recordedTransfer(3);
  assert.equal(rec.flows.size, 1);
  const flow = rec.busiestFlow();
  assert.ok(flow);
  assert.equal(flow.first.host, 'client');
  assert.equal(flow.second.host, 'server');
  const r = segmentRecords(flow);
  // The handshake, in tcpdump's words and relative numbers.
  assert.deepEqual(
    r.slice(0, 3).map((s) => [s.flags, s.relSeq, s.flags.includes('.') ? s.relAck : -1]),
    [
      ['S', 0, -1],
      ['S.', 0, 1],
      ['.', 1, 1],
    ],
  );
  assert.equal(r[0]?.from, 'client 10.0.0.2:' + flow.first.port);
  assert.equal(r[0]?.to, 'server 192.0.2.2:9');
  // 10 ms + 1 ms one way, plus serialisation: every delivered segment has its arrival time.
  for (const s of r) if (s.arriveUs !== undefined) assert.ok(s.arriveUs - s.timeUs >= 11_000);
  const lost = r.filter((s) => s.dropped);
  assert.equal(lost.length, 1, 'exactly the segment the link dropped');
  const hole = lost[0];
  assert.ok(hole && hole.len > 0 && hole.arriveUs === undefined);
  const resent = r.filter((s) => s.retransmit);
  assert.ok(resent.length >= 1);
  assert.equal(resent[0]?.relSeq, hole.relSeq, 'the retransmission fills the hole');
  assert.ok(resent[0]?.arriveUs !== undefined, 'and arrives');
  assert.equal(resent[0]?.note, 'fast retransmit', "the engine's reason, from its trace");
  // SACK blocks, relative, above the hole.
  const sacks = r.filter((s) => s.sack && s.sack.length > 0);
  assert.ok(sacks.length > 0);
  assert.ok(((sacks[0]?.sack ?? [])[0]?.[0] ?? 0) >= hole.relSeq + hole.len);
  // The windows are scaled after the handshake (Linux announces wscale 7).
  assert.ok(r.some((s) => s.from.startsWith('server') && s.win > 65535));
  // Both ends' states and the sender's cwnd, from the engines' traces.
  const states = flow.states.map((s) => `${s.endpoint} ${s.state}`);
  assert.ok(states.includes('client ESTABLISHED') && states.includes('client TIME-WAIT'));
  assert.ok(states.includes('server ESTABLISHED') && states.includes('server CLOSED'));
  const cwnd = flow.cwnd.get('client') ?? [];
  assert.ok(
    cwnd.some((s) => s.caState === 'Recovery'),
    'fast recovery is in the trace',
  );

  // The capture: every packet once (the router's forwarded copies left out), LINKTYPE_RAW.
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) bytes.set(c, (off += c.length) - c.length);
  const pcap = readPcap(bytes);
  assert.equal(pcap.linkType, LINKTYPE_RAW);
  assert.equal(pcap.records.length, r.length);
  for (let i = 1; i < pcap.records.length; i++)
    assert.ok((pcap.records[i]?.timeUs ?? 0) >= (pcap.records[i - 1]?.timeUs ?? 0), 'time never goes back');
});

test('the same seed gives the same report, byte for byte', () => {
  const a = runReport(recordedTransfer(5).rec, { title: 't' });
  const b = runReport(recordedTransfer(5).rec, { title: 't' });
  assert.equal(a, b);
  assert.equal((a.match(/<svg /g) ?? []).length, 4, 'ladder, time-sequence, the loss close up, cwnd');
  assert.doesNotMatch(a, /<script|<link|src=|url\(/, 'nothing fetched, nothing run');
});

test('tcpdump lines count sequence numbers from the SYN, as tcpdump does', () => {
  const f = new TcpdumpFormatter();
  const { chunks } = recordedTransfer(3);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) bytes.set(c, (off += c.length) - c.length);
  const lines = readPcap(bytes).records.map((r) => f.format(r.packet));
  assert.match(lines[0] ?? '', /^IP 10\.0\.0\.2\.\d+ > 192\.0\.2\.2\.9: Flags \[S\], seq \d+, win 64240/);
  assert.match(lines[2] ?? '', /Flags \[\.\], seq 1, ack 1, win \d+/);
  assert.ok(lines.some((l) => /Flags \[\.\], seq 1:1449, ack 1,/.test(l)));
  assert.ok(lines.some((l) => /sack 1 \{\d+:\d+\}/.test(l) && !/sack 1 \{\d{7,}/.test(l)));
});

test('a scenario that runs two simulations gets two flows and a capture whose time never goes back', () => {
  const chunks: Uint8Array[] = [];
  const rec = new Recorder({ pcap: new PcapWriter((c) => chunks.push(c.slice())) });
  for (let run = 0; run < 2; run++) {
    // The same seed twice: the same 4-tuple, from time 0 again.
    const sim = new Simulator({ seed: 9 });
    // The second run does not announce its simulator: its hosts' new clock is enough.
    if (run === 0) rec.simulator(sim);
    const mk = (name: string) =>
      addHost(rec, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32() }));
    const a = mk('a');
    const b = mk('b');
    const l = new PointToPointLink(sim, { both: { delayUs: 5000 } });
    addInterface(rec, a, l.a, '10.0.0.1/24');
    addInterface(rec, b, l.b, '10.0.0.2/24');
    b.tcp.listen(0, 9, 4, () => {});
    a.tcp.connect(ipv4('10.0.0.2'), 9);
    sim.run({ until: 1e6 });
  }
  assert.equal(rec.flows.size, 2);
  const [first, second] = [...rec.flows.values()].map((f) => segmentRecords(f));
  assert.ok(first && second);
  assert.deepEqual(
    first.map((s) => s.flags),
    second.map((s) => s.flags),
  );
  assert.ok((second[0]?.timeUs ?? 0) > (first.at(-1)?.timeUs ?? Infinity), 'the second run comes after');
  assert.ok(first.every((s) => s.arriveUs !== undefined) && second.every((s) => s.arriveUs !== undefined));
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) bytes.set(c, (off += c.length) - c.length);
  const times = readPcap(bytes).records.map((r) => r.timeUs);
  assert.deepEqual(
    times,
    [...times].sort((x, y) => x - y),
  );
});
