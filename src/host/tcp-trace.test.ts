import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpTraceEvent } from '../tcp/trace.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { pair } from './tcp-peer.test-util.js';

test('the engine trace: states, cwnd over time, retransmissions with their reasons, RTOs', () => {
  const { sim, a, b, l } = pair(11, { both: { delayUs: 10_000 } });
  const events: { t: number; ev: TcpTraceEvent }[] = [];
  const unsubscribe = a.tcp.subscribeTrace((t, _tuple, ev) => events.push({ t, ev }));
  const lst = b.tcp.listen(0, 80, 8, () => {
    const s = lst.accept();
    if (s) b.tcp.observe(s, (e) => e === 'readable' && s.readInto(new Uint8Array(1 << 16), sim.now()));
  });
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(50_000);
  // Lose the 20th data segment once, and later every segment for 300 ms (an RTO).
  let n = 0;
  const t0 = sim.now();
  l.ab.dropWhen((pkt) => {
    if (pkt.length < 1000) return false;
    const t = sim.now() - t0;
    return ++n === 20 || (t > 400_000 && t < 700_000);
  });
  let left = 2_000_000;
  const pump = () => {
    while (left > 0) {
      const k = c.send(new Uint8Array(Math.min(left, 65536)), sim.now());
      if (!k) break;
      left -= k;
    }
  };
  a.tcp.observe(c, (e) => e === 'writable' && pump());
  pump();
  sim.runFor(20e6);
  assert.equal(left, 0, 'everything was written');
  c.close(sim.now());
  sim.runFor(100e6);
  unsubscribe();
  const states = events.filter((e) => e.ev.type === 'state').map((e) => (e.ev as { to: string }).to);
  assert.deepEqual(states.slice(0, 2), ['SYN-SENT', 'ESTABLISHED']);
  // The peer never closes: the orphan leaves FIN-WAIT-2 after tcp_fin_timeout (60 s).
  assert.deepEqual(states.slice(2), ['FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSED']);
  const cwnd = events.filter((e) => e.ev.type === 'cwnd');
  assert.ok(cwnd.length > 10, 'cwnd is reported as it changes');
  assert.ok(
    cwnd.some((e) => e.ev.type === 'cwnd' && e.ev.caState === 3),
    'a recovery',
  );
  assert.ok(
    cwnd.some((e) => e.ev.type === 'cwnd' && e.ev.caState === 4 && e.ev.cwnd === 1),
    'a timeout: Loss with cwnd 1',
  );
  const reasons = new Set(events.flatMap((e) => (e.ev.type === 'retransmit' ? [e.ev.reason] : [])));
  assert.ok(reasons.has('fast') && reasons.has('rto'), [...reasons].join(','));
  assert.ok(events.some((e) => e.ev.type === 'rto'));
  // Times are in order and nothing more arrives once unsubscribed.
  assert.ok(events.every((e, i) => i === 0 || e.t >= (events[i - 1] as { t: number }).t));
  const before = events.length;
  a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(1e6);
  assert.equal(events.length, before);
  assert.equal(a.tcp.trace, null, 'tracing is off with no subscriber');
});
