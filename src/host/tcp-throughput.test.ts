import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../wire/ipv4-addr.js';
import { pair } from './tcp-peer.test-util.js';

test('1 Gbit/s with 100 ms RTT and no loss: one connection fills the link once the window is open', (t) => {
  // A 12.5 MB bandwidth-delay product needs buffers beyond Linux's defaults (6 MiB/4 MiB), as
  // on a real host: sysctl net.ipv4.tcp_rmem / tcp_wmem. Window scaling and auto-tuning do the rest.
  const settings = { tcp_rmem: [4096, 131072, 33554432], tcp_wmem: [4096, 16384, 33554432] };
  const { sim, a, b } = pair(1, { both: { delayUs: 50_000, bandwidthBps: 1e9 } }, settings);
  let got = 0;
  const buf = new Uint8Array(1 << 20);
  const data = new Uint8Array(1 << 20);
  let rcvWscale = -1;
  const l = b.tcp.listen(0, 80, 128, () => {
    const s = l.accept();
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
});
