import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Host } from '../host/host.js';
import { PointToPointLink } from '../link/sim-link.js';
import { addHost, addInterface } from '../scenarios/scenario.js';
import { Simulator } from '../sim/simulator.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { segmentRecords } from './flow-records.js';
import { Recorder } from './recorder.js';
import { runReport } from './report.js';

/**
 * Issue 5's 1 Gbit/s × 100 ms run, recorded: the test asserts the rate, and the report draws the
 * time-sequence graph of this very run (the window opening in slow start, then the straight line
 * of a full link). Set SYNACK_FIGURES_DIR to keep the report (throughput-1g.html) and look at it.
 */
test('1 Gbit/s with 100 ms RTT and no loss: one connection fills the link once the window is open', (t) => {
  // A 12.5 MB bandwidth-delay product needs buffers beyond Linux's defaults (6 MiB/4 MiB), as
  // on a real host: sysctl net.ipv4.tcp_rmem / tcp_wmem. Window scaling and auto-tuning do the rest.
  const settings = { tcp_rmem: '4096 131072 33554432', tcp_wmem: '4096 16384 33554432' };
  const rec = new Recorder();
  const sim = new Simulator({ seed: 1 });
  rec.simulator(sim);
  const mk = (name: string) =>
    addHost(rec, new Host({ name, scheduler: sim, random32: () => sim.rng.nextU32(), settings }));
  const a = mk('a');
  const b = mk('b');
  const l = new PointToPointLink(sim, { name: 'l', both: { delayUs: 50_000, bandwidthBps: 1e9 } });
  addInterface(rec, a, l.a, '10.0.0.1/24');
  addInterface(rec, b, l.b, '10.0.0.2/24');

  let got = 0;
  const buf = new Uint8Array(1 << 20);
  const data = new Uint8Array(1 << 20);
  let rcvWscale = -1;
  const listener = b.tcp.listen(0, 80, 128, () => {
    const s = listener.accept();
    if (!s) return;
    rcvWscale = s.rcvWscale;
    b.tcp.observe(s, (ev) => {
      if (ev !== 'readable') return;
      for (let n = s.readInto(buf, sim.now()); n > 0; n = s.readInto(buf, sim.now())) got += n;
    });
  });
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80, {
    observer: (ev) => {
      if (ev === 'established' || ev === 'writable') while (c.send(data, sim.now()) > 0);
    },
  });
  sim.run({ until: 2e6 });
  const before = got;
  sim.run({ until: 3e6 });
  const bps = ((got - before) * 8) / 1;
  const info = c.info(sim.now());
  t.diagnostic(
    `goodput ${(bps / 1e6).toFixed(0)} Mbit/s from 2 s to 3 s; cwnd ${info.tcpi_snd_cwnd}, ` +
      `peer window ${c.sndWnd} bytes (wscale ${info.tcpi_snd_wscale}), send buffer ${c.sendBuf.capacity}`,
  );
  assert.equal(rcvWscale, 10, 'a 32 MiB tcp_rmem[2] asks for window scale 10');
  assert.ok(c.sndWnd > 12_500_000, 'the advertised window grew beyond the bandwidth-delay product');
  // 1448 bytes of payload per 1500-byte packet: 96.5% is the most a link rate allows.
  assert.ok(bps >= 0.9e9, `at least 90% of the link rate (${bps})`);
  assert.equal(a.counters.Tcp.RetransSegs, 0);

  // The figure, from the same run.
  const flow = rec.busiestFlow();
  assert.ok(flow);
  const records = segmentRecords(flow);
  // The record agrees with the receiver: what was acknowledged from 2 s to 3 s.
  const acked = (at: number): number => {
    let ack = 0;
    for (const r of records) if (r.from.startsWith('b ') && (r.arriveUs ?? Infinity) <= at) ack = r.relAck;
    return ack;
  };
  const recordedBps = (acked(3e6) - acked(2e6)) * 8;
  t.diagnostic(
    `recorded: ${records.length} segments, ACKed ${(recordedBps / 1e6).toFixed(0)} Mbit/s from 2 s to 3 s`,
  );
  assert.ok(recordedBps >= 0.9e9, `the recorded ACK line climbs at ≥ 90% of the link (${recordedBps})`);
  assert.ok(
    records.some((r) => r.from.startsWith('b ') && r.win > 12_500_000),
    'scaled windows above the BDP',
  );

  const html = runReport(rec, {
    title: '1 Gbit/s × 100 ms, one connection, no loss',
    subtitle: 'tcp_rmem and tcp_wmem max 32 MiB; window scale 10; the first 3 s of virtual time',
    ladderHead: 6,
    ladderTail: 0,
    zooms: [
      {
        title: 'The window opening',
        description:
          'Slow start and receive-buffer auto-tuning, round trip by round trip, until the link is full.',
        fromUs: 0,
        toUs: 1.7e6,
      },
    ],
  });
  const figure = html.match(/<svg[^>]*aria-label="Time-sequence graph: [^"]*"[\s\S]*?<\/svg>/)?.[0] ?? '';
  assert.match(html, /aria-label="The window opening: a 10\.0\.0\.1:\d+"/);
  t.diagnostic(
    `report ${(html.length / 1e6).toFixed(2)} MB; time-sequence figure ${(figure.length / 1e3).toFixed(0)} kB`,
  );
  assert.ok(figure.includes('class="data decimated"'), 'the 860,000-segment run is drawn decimated');
  assert.ok(figure.length < 1_000_000, 'the figure stays small');
  assert.ok(html.length < 3_000_000, 'the whole report stays small');
  // The ACK line runs across the plot and climbs: the window opened.
  const ack = figure.match(/<polyline points="([^"]+)"[^>]*stroke="#15803d"/)?.[1] ?? '';
  const ys = ack.split(' ').map((p) => Number(p.split(',')[1]));
  assert.ok(ys.length > 50, 'the ACK line has points');
  assert.ok((ys[0] ?? 0) - Math.min(...ys) > 250, 'the ACK line climbs most of the plot');
  const dir = process.env.SYNACK_FIGURES_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'throughput-1g.html'), html);
    t.diagnostic(`wrote ${join(dir, 'throughput-1g.html')}`);
  }
});
