import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpConnection } from '../tcp/connection.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { pair } from './tcp-peer.test-util.js';

test('a reader that stops drives the window to zero; probes keep it alive; reading resumes it; a 1 KiB buffer carries 10 MiB', () => {
  const { sim, a, b } = pair(1, { both: { delayUs: 10_000 } }, { tcp_rmem: '1024 1024 1024' });
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const s = server as unknown as TcpConnection;
  const total = 10 << 20;
  const chunk = new Uint8Array(65536).map((_, i) => i & 255);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const off = sent % 65536;
      const n = c.send(chunk.subarray(off, Math.min(65536, off + total - sent)), sim.now());
      if (n === 0) break;
      sent += n;
    }
  };
  a.tcp.observe(c, (ev) => ev === 'writable' && pump());
  let got = 0;
  let intact = true;
  let reading = false;
  const buf = new Uint8Array(4096);
  const read = () => {
    for (let n = s.readInto(buf, sim.now()); n > 0; n = s.readInto(buf, sim.now())) {
      for (let i = 0; i < n; i++) if (buf[i] !== ((got + i) & 255)) intact = false;
      got += n;
    }
  };
  b.tcp.observe(s, (ev) => ev === 'readable' && reading && read());
  pump();
  sim.runFor(30e6);
  // The reader has not read: the window is closed and the sender probes it.
  assert.equal(c.sndWnd, 0);
  assert.equal(c.state, 'ESTABLISHED');
  assert.ok(a.counters.TcpExt.TCPWinProbe >= 5, `zero-window probes: ${a.counters.TcpExt.TCPWinProbe}`);
  assert.ok(b.counters.TcpExt.TCPToZeroWindowAdv >= 1);
  assert.equal(c.unackedBytes, 0, 'nothing is sent beyond a zero window');
  reading = true;
  read();
  sim.runUntil(() => got >= total, 3600e6);
  assert.equal(got, total);
  assert.ok(intact, 'every byte in order');
});
